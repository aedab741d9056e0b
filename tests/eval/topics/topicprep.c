/* topicprep -- the topic evaluation's collection and judgments from TED
 * records (README.md): keeps the talks that carry curated tags, writes
 * them to stdout without their tags (so the tags judge, never match), and
 * writes TREC qrels judging each topic by the tags.
 *
 *   topicprep TOPICS QRELS < lectures.jsonl > untagged.jsonl
 *
 * TOPICS lines are "qid<TAB>tag|tag|..." ('#' comments): a talk carrying
 * the first tag has gain 2, one carrying only another of them gain 1.
 * Tags compare case-insensitively.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_TOPICS 256
#define MAX_TAGS 8

typedef struct topic {
    char qid[32];
    char tags[MAX_TAGS][64];
    int ntags;
} topic;

static topic topics[MAX_TOPICS];
static int ntopics;

static int read_topics(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[1024];
    for (int ln = 1; fgets(line, sizeof line, f); ln++) {
        line[strcspn(line, "\r\n")] = 0;
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !line[0])
            continue;
        if (!tab || ntopics == MAX_TOPICS || (size_t)(tab - line) >= sizeof topics[0].qid) {
            fprintf(stderr, "%s:%d: expected qid<TAB>tag|tag...\n", path, ln);
            fclose(f);
            return -1;
        }
        topic *t = &topics[ntopics++];
        memcpy(t->qid, line, (size_t)(tab - line));
        t->qid[tab - line] = 0;
        for (char *s = strtok(tab + 1, "|"); s && t->ntags < MAX_TAGS; s = strtok(NULL, "|"))
            snprintf(t->tags[t->ntags++], sizeof t->tags[0], "%s", s);
    }
    fclose(f);
    return 0;
}

/* The gain of a talk with tags for topic t: 2, 1 or 0. */
static int gain(const topic *t, const cJSON *tags) {
    int g = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, tags) {
        if (!cJSON_IsString(x))
            continue;
        for (int i = 0; i < t->ntags; i++)
            if (!strcasecmp(x->valuestring, t->tags[i]))
                g = g > (i ? 1 : 2) ? g : (i ? 1 : 2);
    }
    return g;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: topicprep TOPICS QRELS < lectures.jsonl > untagged.jsonl\n");
        return 2;
    }
    if (read_topics(argv[1]))
        return 1;
    FILE *q = fopen(argv[2], "w");
    if (!q) {
        perror(argv[2]);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    long kept = 0;
    for (long ln = 1; getline(&line, &cap, stdin) > 0; ln++) {
        cJSON *rec = cJSON_Parse(line);
        if (!rec) {
            fprintf(stderr, "line %ld: not JSON\n", ln);
            return 1;
        }
        const cJSON *tags = cJSON_GetObjectItemCaseSensitive(rec, "tags");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(rec, "id");
        if (cJSON_IsArray(tags) && cJSON_GetArraySize(tags) > 0 && cJSON_IsString(id)) {
            for (int i = 0; i < ntopics; i++) {
                int g = gain(&topics[i], tags);
                if (g)
                    fprintf(q, "%s 0 %s %d\n", topics[i].qid, id->valuestring, g);
            }
            cJSON_DeleteItemFromObjectCaseSensitive(rec, "tags");
            char *out = cJSON_PrintUnformatted(rec);
            puts(out);
            free(out);
            kept++;
        }
        cJSON_Delete(rec);
    }
    free(line);
    fprintf(stderr, "topicprep: %ld tagged talks, %d topics\n", kept, ntopics);
    return fclose(q) ? 1 : 0;
}
