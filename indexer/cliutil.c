/* cliutil.c -- see cliutil.h. */
#include "cliutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

double cli_clock_us(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int cli_cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double cli_pct(const double *v, size_t n, double p) {
    if (!n)
        return 0;
    size_t i = (size_t)ceil(p / 100.0 * n);
    if (i > 0)
        i--;
    if (i >= n)
        i = n - 1;
    return v[i];
}

void cli_free_queries(char **ids, char **texts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (ids)
            free(ids[i]);
        free(texts[i]);
    }
    free(ids);
    free(texts);
}

int cli_read_queries(const char *path, int with_ids, char ***ids, char ***texts, size_t *n) {
    *ids = *texts = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "lectern: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL, **id = NULL, **tx = NULL;
    size_t lcap = 0, cap = 0, k = 0;
    ssize_t len;
    int oom = 0;
    while (!oom && (len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (k == cap) {
            cap = cap ? cap * 2 : 256;
            char **ni = with_ids ? realloc(id, cap * sizeof *ni) : NULL;
            if (ni)
                id = ni;
            char **nt = realloc(tx, cap * sizeof *nt);
            if (nt)
                tx = nt;
            if (!nt || (with_ids && !ni)) {
                oom = 1;
                break;
            }
        }
        char *tab = with_ids ? strchr(line, '\t') : NULL, num[32];
        snprintf(num, sizeof num, "%zu", k + 1);
        if (with_ids && !(id[k] = strdup(tab ? (*tab = 0, line) : num)))
            oom = 1;
        else if (!(tx[k] = strdup(tab ? tab + 1 : line))) {
            if (with_ids)
                free(id[k]);
            oom = 1;
        } else
            k++;
    }
    free(line);
    fclose(f);
    if (oom) {
        fprintf(stderr, "lectern: %s: out of memory\n", path);
        cli_free_queries(id, tx, k);
        return -1;
    }
    *ids = id;
    *texts = tx;
    *n = k;
    return 0;
}
