/* releval -- relevance metrics of a TREC run against TREC qrels:
 * nDCG@10 (graded gains), MAP and P@10 (relevant = gain > 0), averaged
 * over the queries that have judgments (a query without results scores 0).
 *
 *   releval QRELS RUN [--min NDCG]   prints "ndcg@10 X map Y p@10 Z queries N"
 *                                    and fails when nDCG@10 < NDCG
 *   releval --self-test              checks the metrics on a hand-computed
 *                                    example
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct judg {
    char qid[32], doc[64];
    int gain;
} judg;

typedef struct hit {
    char qid[32], doc[64];
    int rank;
} hit;

typedef struct metrics {
    double ndcg10, map, p10;
    int queries;
} metrics;

static int cmp_int_desc(const void *a, const void *b) {
    return *(const int *)b - *(const int *)a;
}

static int gain_of(const judg *j, size_t nj, const char *q, const char *d) {
    for (size_t i = 0; i < nj; i++)
        if (!strcmp(j[i].qid, q) && !strcmp(j[i].doc, d))
            return j[i].gain;
    return 0;
}

/* Hits must be grouped by query and in rank order within a query. */
static metrics evaluate(const judg *j, size_t nj, const hit *h, size_t nh) {
    metrics m = {0, 0, 0, 0};
    char seen[4096][32];
    size_t nseen = 0;
    for (size_t i = 0; i < nj; i++) {
        int dup = 0;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = !strcmp(seen[k], j[i].qid);
        if (dup || nseen == 4096)
            continue;
        strcpy(seen[nseen++], j[i].qid);
        const char *q = j[i].qid;
        int gains[4096], ng = 0, nrel = 0;
        for (size_t k = 0; k < nj && ng < 4096; k++)
            if (!strcmp(j[k].qid, q) && j[k].gain > 0) {
                gains[ng++] = j[k].gain;
                nrel++;
            }
        if (!nrel)
            continue;
        qsort(gains, (size_t)ng, sizeof *gains, cmp_int_desc);
        double idcg = 0;
        for (int r = 0; r < ng && r < 10; r++)
            idcg += (pow(2, gains[r]) - 1) / log2(r + 2.0);
        double dcg = 0, ap = 0;
        int rank = 0, found = 0, rel10 = 0;
        for (size_t k = 0; k < nh; k++) {
            if (strcmp(h[k].qid, q))
                continue;
            rank++;
            int g = gain_of(j, nj, q, h[k].doc);
            if (rank <= 10) {
                dcg += (pow(2, g) - 1) / log2(rank + 1.0);
                if (g > 0)
                    rel10++;
            }
            if (g > 0) {
                found++;
                ap += (double)found / rank;
            }
        }
        m.ndcg10 += idcg > 0 ? dcg / idcg : 0;
        m.map += ap / nrel;
        m.p10 += rel10 / 10.0;
        m.queries++;
    }
    if (m.queries) {
        m.ndcg10 /= m.queries;
        m.map /= m.queries;
        m.p10 /= m.queries;
    }
    return m;
}

static int self_test(void) {
    /* Query 1: relevant d1 (gain 3), d2 (gain 1), d9 (gain 2, not found).
     * Run: d2, d5, d1.
     *   DCG  = (2^1-1)/log2(2) + 0 + (2^3-1)/log2(4) = 1 + 3.5 = 4.5
     *   IDCG = 7/1 + 3/log2(3) + 1/2 = 7 + 1.892789 + 0.5 = 9.392789
     *   nDCG = 0.479091; AP = (1/1 + 2/3) / 3 = 0.555556; P@10 = 0.2 */
    judg j[] = {{"1", "d1", 3}, {"1", "d2", 1}, {"1", "d9", 2}, {"1", "d7", 0}};
    hit h[] = {{"1", "d2", 1}, {"1", "d5", 2}, {"1", "d1", 3}};
    metrics m = evaluate(j, 4, h, 3);
    int ok = fabs(m.ndcg10 - 0.479091) < 1e-5 && fabs(m.map - 0.555556) < 1e-5 &&
             fabs(m.p10 - 0.2) < 1e-9 && m.queries == 1;
    /* A query with no results scores zero and still counts. */
    judg j2[] = {{"1", "d1", 3}, {"2", "d4", 2}};
    hit h2[] = {{"1", "d1", 1}};
    metrics m2 = evaluate(j2, 2, h2, 1);
    ok = ok && m2.queries == 2 && fabs(m2.ndcg10 - 0.5) < 1e-9 && fabs(m2.map - 0.5) < 1e-9;
    printf("self-test: ndcg %.6f map %.6f p10 %.3f; empty-query case ndcg %.3f: %s\n", m.ndcg10,
           m.map, m.p10, m2.ndcg10, ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "--self-test"))
        return self_test();
    if (argc < 3) {
        fprintf(stderr, "usage: releval QRELS RUN [--min NDCG] | releval --self-test\n");
        return 2;
    }
    double min = -1;
    if (argc == 5 && !strcmp(argv[3], "--min"))
        min = atof(argv[4]);
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    size_t nj = 0, cj = 1024;
    judg *j = malloc(cj * sizeof *j);
    char line[512];
    while (fgets(line, sizeof line, f)) {
        judg x;
        char it[32];
        if (sscanf(line, "%31s %31s %63s %d", x.qid, it, x.doc, &x.gain) != 4)
            continue;
        if (nj == cj)
            j = realloc(j, (cj *= 2) * sizeof *j);
        j[nj++] = x;
    }
    fclose(f);
    if (!(f = fopen(argv[2], "r"))) {
        perror(argv[2]);
        return 2;
    }
    size_t nh = 0, ch = 1024;
    hit *h = malloc(ch * sizeof *h);
    while (fgets(line, sizeof line, f)) {
        hit x;
        char q0[8];
        double score;
        if (sscanf(line, "%31s %7s %63s %d %lf", x.qid, q0, x.doc, &x.rank, &score) != 5)
            continue;
        if (nh == ch)
            h = realloc(h, (ch *= 2) * sizeof *h);
        h[nh++] = x;
    }
    fclose(f);
    metrics m = evaluate(j, nj, h, nh);
    printf("ndcg@10 %.4f map %.4f p@10 %.4f queries %d\n", m.ndcg10, m.map, m.p10, m.queries);
    free(j);
    free(h);
    if (min >= 0 && m.ndcg10 < min) {
        fprintf(stderr, "nDCG@10 %.4f is below the target %.2f\n", m.ndcg10, min);
        return 1;
    }
    return 0;
}
