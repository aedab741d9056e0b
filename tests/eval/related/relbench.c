/* relbench -- quality and latency of related lectures (lx_related), judged
 * by tag overlap on the TED talks.
 *
 *   relbench INDEX LECTURES.jsonl[.gz] [--candidates N] [--min NDCG] [--judge-only] [--text]
 *            [--dump FILE]
 *
 * The tags that judge come from LECTURES (read through `gzip -dc` when the
 * name ends in .gz), not from the index, so an index built without tags is
 * judged the same way.  For every talk a with tags: ask lx_related for N
 * (200) candidates, keep the tagged talks, cut at 10, and score
 *   gain(a, b) = sum over the tags a and b share of log(N_tagged / df(tag))
 * (df over the tagged talks) with nDCG@10 against the ideal 10 of all
 * other tagged talks.  Prints the mean nDCG@10, the related latency p50 and
 * p99 in microseconds for N candidates and for a page of 10, and fails
 * (exit 1) when the mean is below NDCG.  --judge-only skips the warm-up and
 * the page-of-10 pass (for quick tuning runs).  --text asks instead for
 * lectures like the talk's description, as POST /api/related {"text"}
 * does (lx_search with LX_SEARCH_TEXT), judged the same way (the talk
 * itself left out): pasted text against a stored lecture.  --dump FILE
 * writes every answer of the N-candidate pass (talk, rank, hit, score to
 * 17 digits, total) to FILE, to compare two builds' rankings with cmp.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lectern.h"

typedef struct talk {
    char *id;
    char *desc; /* its description ("" without), for --text */
    int *tags;  /* tag numbers, ascending */
    int ntags;
    int present; /* in the index */
} talk;

static talk *talks;
static int ntalks;
static int by_text; /* --text */
static int absent;  /* --absent: ask about the talks the index lacks */
static FILE *dump;  /* --dump: every answer of the judged pass */
static char **tagname;
static int *tagdf;
static int ntagnames, captagnames;

static int tag_number(const char *name) {
    for (int i = 0; i < ntagnames; i++)
        if (!strcmp(tagname[i], name))
            return i;
    if (ntagnames == captagnames) {
        captagnames = captagnames ? captagnames * 2 : 256;
        tagname = realloc(tagname, captagnames * sizeof *tagname);
        tagdf = realloc(tagdf, captagnames * sizeof *tagdf);
        if (!tagname || !tagdf)
            exit(2);
    }
    tagname[ntagnames] = strdup(name);
    tagdf[ntagnames] = 0;
    return ntagnames++;
}

static int cmp_int(const void *a, const void *b) {
    return *(const int *)a - *(const int *)b;
}

static int cmp_talk_id(const void *a, const void *b) {
    return strcmp(((const talk *)a)->id, ((const talk *)b)->id);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double_desc(const void *a, const void *b) {
    return -cmp_double(a, b);
}

/* Reads the tagged talks of a JSON lines file (plain or gzip). */
static void load(const char *path) {
    size_t pl = strlen(path);
    FILE *in;
    int piped = pl > 3 && !strcmp(path + pl - 3, ".gz");
    if (piped) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "gzip -dc '%s'", path);
        in = popen(cmd, "r");
    } else {
        in = fopen(path, "r");
    }
    if (!in) {
        fprintf(stderr, "relbench: cannot read %s\n", path);
        exit(2);
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int cap_talks = 0;
    while ((n = getline(&line, &cap, in)) > 0) {
        cJSON *r = cJSON_ParseWithLength(line, (size_t)n);
        cJSON *id = cJSON_GetObjectItemCaseSensitive(r, "id");
        cJSON *tags = cJSON_GetObjectItemCaseSensitive(r, "tags");
        if (cJSON_IsString(id) && cJSON_IsArray(tags) && cJSON_GetArraySize(tags) > 0) {
            if (ntalks == cap_talks) {
                cap_talks = cap_talks ? cap_talks * 2 : 1024;
                talks = realloc(talks, cap_talks * sizeof *talks);
                if (!talks)
                    exit(2);
            }
            talk *t = &talks[ntalks];
            t->id = strdup(id->valuestring);
            cJSON *d = cJSON_GetObjectItemCaseSensitive(r, "description");
            t->desc = strdup(cJSON_IsString(d) ? d->valuestring : "");
            t->tags = malloc(cJSON_GetArraySize(tags) * sizeof *t->tags);
            t->ntags = 0;
            cJSON *x;
            cJSON_ArrayForEach(x, tags) {
                if (!cJSON_IsString(x))
                    continue;
                int k = tag_number(x->valuestring), dup = 0;
                for (int j = 0; j < t->ntags; j++)
                    dup |= t->tags[j] == k;
                if (!dup)
                    t->tags[t->ntags++] = k;
            }
            qsort(t->tags, t->ntags, sizeof *t->tags, cmp_int);
            if (t->ntags)
                ntalks++;
        }
        cJSON_Delete(r);
    }
    free(line);
    if (piped)
        pclose(in);
    else
        fclose(in);
    qsort(talks, ntalks, sizeof *talks, cmp_talk_id);
    for (int i = 0; i < ntalks; i++)
        for (int j = 0; j < talks[i].ntags; j++)
            tagdf[talks[i].tags[j]]++;
}

static talk *find(const char *id) {
    talk key = {(char *)id, NULL, NULL, 0, 0};
    return bsearch(&key, talks, ntalks, sizeof *talks, cmp_talk_id);
}

static double *tagw;

static double gain(const talk *a, const talk *b) {
    double g = 0;
    int i = 0, j = 0;
    while (i < a->ntags && j < b->ntags) {
        if (a->tags[i] < b->tags[j])
            i++;
        else if (a->tags[i] > b->tags[j])
            j++;
        else {
            g += tagw[a->tags[i]];
            i++;
            j++;
        }
    }
    return g;
}

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double pct(const double *v, int n, double p) {
    if (!n)
        return 0;
    int i = (int)ceil(p / 100.0 * n) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* Times lx_related over every tagged talk asking for limit: wall clock
 * into lat, this thread's CPU time into cpu (a loaded machine shows in the
 * gap).  Sums nDCG@10 when ndcg_sum is not NULL. */
static int timed_pass(lx_searcher *s, unsigned limit, double *lat, double *cpu, double *ndcg_sum,
                      int *judged) {
    double g[10];
    int m = 0; /* talks asked about */
    for (int a = 0; a < ntalks; a++) {
        if (talks[a].present == absent)
            continue;
        lx_search_opts o = {0};
        o.limit = limit;
        lx_results *r = NULL;
        lx_error err;
        double t0 = now_us(), c0 = cpu_us();
        int rc;
        if (by_text) {
            o.query = talks[a].desc;
            o.flags = LX_SEARCH_TEXT;
            if (o.limit > LX_MAX_RESULTS)
                o.limit = LX_MAX_RESULTS;
            rc = lx_search(s, &o, &r, &err);
        } else {
            rc = lx_related(s, talks[a].id, &o, &r, &err);
        }
        cpu[m] = cpu_us() - c0;
        lat[m++] = now_us() - t0;
        if (rc) {
            fprintf(stderr, "relbench: related %s: %s\n", talks[a].id, err.message);
            exit(2);
        }
        if (ndcg_sum && dump)
            for (size_t i = 0; i < r->n; i++)
                fprintf(dump, "%s\t%zu\t%s\t%.17g\t%llu\n", talks[a].id, i + 1, r->hits[i].id,
                        r->hits[i].score, (unsigned long long)r->total);
        if (ndcg_sum) {
            int n = 0;
            double dcg = 0;
            for (size_t i = 0; i < r->n && n < 10; i++) {
                talk *b = find(r->hits[i].id);
                if (!b || b == &talks[a])
                    continue;
                dcg += gain(&talks[a], b) / log2(n + 2.0);
                n++;
            }
            /* The ideal: the 10 best gains over all other tagged talks. */
            int ng = 0;
            for (int b = 0; b < ntalks; b++) {
                if (b == a || !talks[b].present)
                    continue;
                double x = gain(&talks[a], &talks[b]);
                if (ng < 10) {
                    g[ng++] = x;
                    qsort(g, ng, sizeof *g, cmp_double_desc);
                } else if (x > g[9]) {
                    g[9] = x;
                    qsort(g, ng, sizeof *g, cmp_double_desc);
                }
            }
            double idcg = 0;
            for (int i = 0; i < ng; i++)
                idcg += g[i] / log2(i + 2.0);
            if (idcg > 0) {
                *ndcg_sum += dcg / idcg;
                (*judged)++;
            }
        }
        lx_results_free(r);
    }
    return m;
}

int main(int argc, char **argv) {
    const char *index = NULL, *data = NULL;
    unsigned cands = 200;
    double min = -1;
    int judge_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--candidates") && i + 1 < argc)
            cands = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--text"))
            by_text = 1;
        else if (!strcmp(argv[i], "--absent"))
            by_text = absent = 1;
        else if (!strcmp(argv[i], "--judge-only"))
            judge_only = 1;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
            if (!(dump = fopen(argv[++i], "w"))) {
                fprintf(stderr, "relbench: cannot write %s\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(argv[i], "--min") && i + 1 < argc)
            min = atof(argv[++i]);
        else if (!index)
            index = argv[i];
        else if (!data)
            data = argv[i];
        else {
            fprintf(stderr, "relbench: unexpected argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!index || !data) {
        fprintf(stderr, "usage: relbench INDEX LECTURES.jsonl[.gz] [--candidates N] "
                        "[--min NDCG] [--judge-only] [--text] [--dump FILE]\n");
        return 2;
    }
    load(data);
    if (ntalks < 2) {
        fprintf(stderr, "relbench: fewer than two tagged talks in %s\n", data);
        return 2;
    }
    tagw = malloc(ntagnames * sizeof *tagw);
    for (int i = 0; i < ntagnames; i++)
        tagw[i] = log((double)ntalks / tagdf[i]);
    lx_index *ix;
    lx_searcher *s;
    lx_error err;
    if (lx_index_open(index, LX_OPEN_READONLY, &ix, &err) || lx_searcher_open(ix, &s, &err)) {
        fprintf(stderr, "relbench: %s: %s\n", index, err.message);
        return 2;
    }
    /* Which talks the index holds (all of them, unless it was built
     * without some: --absent asks about those, by their description). */
    int npresent = 0;
    for (int i = 0; i < ntalks; i++) {
        char *json = NULL;
        size_t len;
        int rc = lx_get(s, talks[i].id, &json, &len, &err);
        if (rc && rc != LX_ENOTFOUND) {
            fprintf(stderr, "relbench: %s: %s\n", talks[i].id, err.message);
            return 2;
        }
        talks[i].present = !rc;
        npresent += !rc;
        free(json);
    }
    double *lat[2], *cpu[2];
    for (int i = 0; i < 2; i++) {
        lat[i] = malloc(ntalks * sizeof *lat[i]);
        cpu[i] = malloc(ntalks * sizeof *cpu[i]);
    }
    double sum = 0;
    int judged = 0;
    /* Warm-up: page in the index and the searcher's caches. */
    int asked[2] = {0, 0};
    if (!judge_only)
        timed_pass(s, 10, lat[1], cpu[1], NULL, NULL);
    asked[0] = timed_pass(s, cands, lat[0], cpu[0], &sum, &judged);
    if (!judge_only)
        asked[1] = timed_pass(s, 10, lat[1], cpu[1], NULL, NULL);
    double mean = judged ? sum / judged : 0;
    printf("nDCG@10 %.4f over %d tagged talks (%d tags)", mean, judged, ntagnames);
    if (npresent < ntalks)
        printf(", %d of the %d in the index", npresent, ntalks);
    printf("\n");
    for (int i = 0; i < 2 - judge_only; i++) {
        int n = asked[i];
        qsort(lat[i], n, sizeof *lat[i], cmp_double);
        qsort(cpu[i], n, sizeof *cpu[i], cmp_double);
        printf("  latency, %3u asked: wall p50 %5.0f us p99 %6.0f us; cpu p50 %5.0f us "
               "p99 %6.0f us\n",
               i ? 10 : cands, pct(lat[i], n, 50), pct(lat[i], n, 99), pct(cpu[i], n, 50),
               pct(cpu[i], n, 99));
    }
    if (dump && fclose(dump)) {
        fprintf(stderr, "relbench: writing the dump failed\n");
        return 2;
    }
    lx_searcher_close(s);
    lx_index_close(ix);
    for (int i = 0; i < 2; i++) {
        free(lat[i]);
        free(cpu[i]);
    }
    for (int i = 0; i < ntalks; i++) {
        free(talks[i].id);
        free(talks[i].desc);
        free(talks[i].tags);
    }
    for (int i = 0; i < ntagnames; i++)
        free(tagname[i]);
    free(talks);
    free(tagname);
    free(tagdf);
    free(tagw);
    if (min >= 0 && mean < min) {
        fprintf(stderr, "relbench: nDCG@10 %.4f is below %.4f\n", mean, min);
        return 1;
    }
    return 0;
}
