/* lecqrels -- judgments of people from judgments of lectures: a person is
 * relevant to a topic with the best gain among their lectures (issue 18).
 *   gzip -dc lectures.jsonl.gz | lecqrels LECTURE_QRELS > PEOPLE_QRELS
 * People come from each lecture's speaker field, split and keyed by the
 * engine (lx_speakers_split), spaces in a key written as '_' as in
 * `lectern lecturers --trec`. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lectern.h"

typedef struct judged {
    char qid[32], id[128];
    int gain;
} judged;

typedef struct people {
    char key[LX_MAX_PEOPLE][LX_MAX_NAME_BYTES];
    int n;
} people;

static void on_person(void *ctx, const char *name, size_t len, const char *key) {
    people *p = ctx;
    (void)name, (void)len;
    if (p->n < LX_MAX_PEOPLE)
        snprintf(p->key[p->n++], LX_MAX_NAME_BYTES, "%s", key);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: lecqrels LECTURE_QRELS < lectures.jsonl > people_qrels\n");
        return 2;
    }
    FILE *q = fopen(argv[1], "r");
    if (!q) {
        perror(argv[1]);
        return 2;
    }
    judged *j = NULL;
    size_t n = 0, cap = 0;
    char qid[32], id[128];
    int gain;
    while (fscanf(q, "%31s %*s %127s %d", qid, id, &gain) == 3) {
        if (n == cap && !(j = realloc(j, (cap = cap ? cap * 2 : 1024) * sizeof *j)))
            return 2;
        snprintf(j[n].qid, sizeof j[n].qid, "%s", qid);
        snprintf(j[n].id, sizeof j[n].id, "%s", id);
        j[n++].gain = gain;
    }
    fclose(q);
    /* Each judged lecture's people, then each (topic, person)'s best gain:
     * written as qrels lines, duplicates resolved by a sort | awk after. */
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, stdin) > 0) {
        cJSON *r = cJSON_Parse(line);
        const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r, "id");
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(r, "speaker");
        if (cJSON_IsString(rid) && cJSON_IsString(sp)) {
            people p = {.n = 0};
            lx_speakers_split(sp->valuestring, strlen(sp->valuestring), on_person, &p);
            for (size_t i = 0; i < n; i++) {
                if (strcmp(j[i].id, rid->valuestring))
                    continue;
                for (int k = 0; k < p.n; k++) {
                    printf("%s 0 ", j[i].qid);
                    for (const char *c = p.key[k]; *c; c++)
                        putchar(*c == ' ' ? '_' : *c);
                    printf(" %d\n", j[i].gain);
                }
            }
        }
        cJSON_Delete(r);
    }
    free(line);
    free(j);
    return 0;
}
