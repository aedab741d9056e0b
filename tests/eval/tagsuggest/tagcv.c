/* tagcv -- five-fold cross-validation of tag suggestions (issue 18).
 *
 *   tagcv [--folds N] [--margin M] [--work DIR] FILE...
 *
 * Reads lecture records (a FILE ending in .json is one object, any other
 * JSON lines; "-" is stdin) and keeps those with tags.  Lecture i is in
 * fold i mod N.  For each fold, an index of every kept lecture is built
 * with the fold's lectures WITHOUT their tags (the others keep theirs),
 * and lx_suggest_tags suggests for each held-out lecture from the
 * others.  Prints precision@3 and recall@5 against the held-out tags, and
 * the baseline "the most frequent tags of the other folds" (the same five
 * for every lecture).  --margin M fails unless both figures beat the
 * baseline's by M.  Tags compare case-insensitively.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lectern.h"

typedef struct rec {
    cJSON *json;
    const cJSON *tags; /* the curated tags (inside json) */
} rec;

static rec *recs;
static size_t nrec, caprec;

static void keep(cJSON *j) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "tags");
    if (!cJSON_IsArray(t) || !cJSON_GetArraySize(t)) {
        cJSON_Delete(j);
        return;
    }
    if (nrec == caprec &&
        !(recs = realloc(recs, (caprec = caprec ? caprec * 2 : 1024) * sizeof *recs)))
        exit(2);
    recs[nrec].json = j;
    recs[nrec++].tags = t;
}

static void read_file(const char *path) {
    size_t pl = strlen(path);
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        perror(path);
        exit(2);
    }
    char *buf = NULL;
    size_t cap = 0;
    if (pl > 5 && !strcmp(path + pl - 5, ".json")) {
        size_t n = 0;
        char chunk[65536];
        size_t k;
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (!(buf = realloc(buf, n + k + 1)))
                exit(2);
            memcpy(buf + n, chunk, k);
            n += k;
        }
        cJSON *j = buf ? cJSON_ParseWithLength(buf, n) : NULL;
        if (j)
            keep(j);
    } else {
        while (getline(&buf, &cap, f) > 0) {
            cJSON *j = cJSON_Parse(buf);
            if (j)
                keep(j);
        }
    }
    free(buf);
    if (f != stdin)
        fclose(f);
}

static int has_tag(const cJSON *tags, const char *tag) {
    const cJSON *t;
    cJSON_ArrayForEach(t, tags) if (cJSON_IsString(t) && !strcasecmp(t->valuestring, tag)) return 1;
    return 0;
}

typedef struct freq {
    const char *tag;
    unsigned n;
} freq;

static int cmp_freq(const void *a, const void *b) {
    const freq *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return strcmp(x->tag, y->tag);
}

/* The five most frequent tags outside fold f (the baseline). */
static void frequent(size_t f, size_t folds, const char *top[5]) {
    freq *fr = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < nrec; i++) {
        if (i % folds == f)
            continue;
        const cJSON *t;
        cJSON_ArrayForEach(t, recs[i].tags) {
            if (!cJSON_IsString(t))
                continue;
            size_t j;
            for (j = 0; j < n && strcasecmp(fr[j].tag, t->valuestring); j++)
                ;
            if (j == n) {
                if (n == cap && !(fr = realloc(fr, (cap = cap ? cap * 2 : 256) * sizeof *fr)))
                    exit(2);
                fr[n].tag = t->valuestring;
                fr[n++].n = 0;
            }
            fr[j].n++;
        }
    }
    qsort(fr, n, sizeof *fr, cmp_freq);
    for (size_t i = 0; i < 5; i++)
        top[i] = i < n ? fr[i].tag : "";
    free(fr);
}

static void die(const char *what, const lx_error *err) {
    char msg[800];
    lx_error_format(err, msg, sizeof msg);
    fprintf(stderr, "tagcv: %s: %s\n", what, msg);
    exit(2);
}

/* Builds fold f's index in dir: the fold's lectures without tags. */
static double build_fold(const char *dir, size_t f, size_t folds) {
    lx_writer *w;
    lx_error err = {0};
    clock_t t0 = clock();
    if (lx_writer_begin_build(dir, LX_BUILD_REPLACE, &w, &err))
        die("build", &err);
    for (size_t i = 0; i < nrec; i++) {
        cJSON *j = recs[i].json;
        cJSON *tags = NULL;
        if (i % folds == f)
            tags = cJSON_DetachItemFromObjectCaseSensitive(j, "tags");
        char *s = cJSON_PrintUnformatted(j);
        if (tags)
            cJSON_AddItemToObject(j, "tags", tags);
        recs[i].tags = cJSON_GetObjectItemCaseSensitive(j, "tags");
        if (lx_writer_put_json(w, s, strlen(s), &err) < 0 && err.code < 0)
            die("put", &err);
        free(s);
    }
    if (lx_writer_commit(w, &err))
        die("commit", &err);
    return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

typedef struct score {
    double p3, r5, bp3, br5, secs;
    double kp3, kr5, ksecs; /* the batch (lx_suggest_tags_untagged) */
    size_t n, kn;
} score;

/* The kept records' ids, sorted, for the batch's answers. */
typedef struct byid {
    const char *id;
    size_t i;
} byid;
static byid *ids;

static int cmp_byid(const void *a, const void *b) {
    return strcmp(((const byid *)a)->id, ((const byid *)b)->id);
}

/* Adds one lecture's precision@3 and recall@5 of t[0..n). */
static void add_hits(const cJSON *truth, const lx_tag_suggestion *t, size_t n, double *p3,
                     double *r5) {
    double h3 = 0, h5 = 0;
    for (size_t k = 0; k < 5 && k < n; k++) {
        int hit = has_tag(truth, t[k].tag);
        h3 += k < 3 && hit;
        h5 += hit;
    }
    *p3 += h3 / 3;
    *r5 += h5 / cJSON_GetArraySize(truth);
}

/* lx_suggest_fn of the batch: scores a held-out lecture. */
static int batch_one(void *ctx, const char *id, const lx_tag_suggestion *t, size_t n) {
    score *sc = ctx;
    byid key = {id, 0}, *r = bsearch(&key, ids, nrec, sizeof *ids, cmp_byid);
    if (!r)
        return 0;
    add_hits(recs[r->i].tags, t, n, &sc->kp3, &sc->kr5);
    sc->kn++;
    return 0;
}

static void eval_fold(const char *dir, size_t f, size_t folds, score *sc) {
    lx_index *ix;
    lx_searcher *s;
    lx_error err = {0};
    const char *top[5];
    frequent(f, folds, top);
    if (lx_index_open(dir, LX_OPEN_READONLY, &ix, &err) || lx_searcher_open(ix, &s, &err))
        die("open", &err);
    clock_t t0 = clock();
    for (size_t i = f; i < nrec; i += folds) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(recs[i].json, "id");
        const cJSON *truth = recs[i].tags;
        lx_tag_suggestion *t;
        size_t n;
        if (lx_suggest_tags(s, id->valuestring, 5, &t, &n, &err))
            die(id->valuestring, &err);
        double ntruth = cJSON_GetArraySize(truth), h3 = 0, h5 = 0, b3 = 0, b5 = 0;
        for (size_t k = 0; k < 5; k++) {
            int hit = k < n && has_tag(truth, t[k].tag), bhit = top[k][0] && has_tag(truth, top[k]);
            h3 += k < 3 && hit;
            h5 += hit;
            b3 += k < 3 && bhit;
            b5 += bhit;
        }
        sc->p3 += h3 / 3;
        sc->r5 += h5 / ntruth;
        sc->bp3 += b3 / 3;
        sc->br5 += b5 / ntruth;
        sc->n++;
        free(t);
    }
    sc->secs += (double)(clock() - t0) / CLOCKS_PER_SEC;
    t0 = clock();
    if (lx_suggest_tags_untagged(s, 5, 0, batch_one, sc, &err))
        die("batch", &err);
    sc->ksecs += (double)(clock() - t0) / CLOCKS_PER_SEC;
    lx_searcher_close(s);
    lx_index_close(ix);
}

int main(int argc, char **argv) {
    size_t folds = 5;
    double margin = -1;
    const char *work = NULL;
    int i;
    for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (!strcmp(argv[i], "--folds") && i + 1 < argc)
            folds = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--margin") && i + 1 < argc)
            margin = atof(argv[++i]);
        else if (!strcmp(argv[i], "--work") && i + 1 < argc)
            work = argv[++i];
        else {
            fprintf(stderr, "usage: tagcv [--folds N] [--margin M] [--work DIR] FILE...\n");
            return 2;
        }
    }
    for (; i < argc; i++)
        read_file(argv[i]);
    if (nrec < folds * 2 || folds < 2) {
        fprintf(stderr, "tagcv: %zu tagged lectures: too few for %zu folds\n", nrec, folds);
        return 2;
    }
    if (!(ids = malloc(nrec * sizeof *ids)))
        exit(2);
    for (size_t r = 0; r < nrec; r++)
        ids[r] = (byid){cJSON_GetObjectItemCaseSensitive(recs[r].json, "id")->valuestring, r};
    qsort(ids, nrec, sizeof *ids, cmp_byid);
    mkdir(work ? work : "/tmp", 0777); /* an existing one is fine */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tagcv-index.%ld", work ? work : "/tmp", (long)getpid());
    score sc = {0};
    double build = 0;
    for (size_t f = 0; f < folds; f++) {
        build += build_fold(dir, f, folds);
        eval_fold(dir, f, folds, &sc);
    }
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd))
        fprintf(stderr, "tagcv: could not remove %s\n", dir);
    double n = (double)sc.n;
    printf("tagcv: %zu tagged lectures, %zu folds\n", nrec, folds);
    printf("%-16s %8s %8s\n", "", "p@3", "r@5");
    printf("%-16s %8.4f %8.4f\n", "knn suggestions", sc.p3 / n, sc.r5 / n);
    printf("%-16s %8.4f %8.4f\n", "knn batch", sc.kp3 / n, sc.kr5 / n);
    printf("%-16s %8.4f %8.4f\n", "most frequent", sc.bp3 / n, sc.br5 / n);
    printf("cost: %.0f us of CPU a suggestion (batch: %.0f us); %.2f s of CPU per fold's build\n",
           sc.secs / n * 1e6, sc.ksecs / n * 1e6, build / (double)folds);
    for (size_t r = 0; r < nrec; r++)
        cJSON_Delete(recs[r].json);
    free(recs);
    free(ids);
    if (sc.kn != sc.n) {
        printf("FAIL: the batch answered for %zu of %zu held-out lectures\n", sc.kn, sc.n);
        return 1;
    }
    if (margin >= 0 && (sc.p3 / n < sc.bp3 / n + margin || sc.r5 / n < sc.br5 / n + margin ||
                        sc.kp3 / n < sc.bp3 / n + margin || sc.kr5 / n < sc.br5 / n + margin)) {
        printf("FAIL: suggestions do not beat the baseline by %.3f\n", margin);
        return 1;
    }
    return 0;
}
