/* testidx.h -- helpers for the unit tests that build an index: open,
 * write a batch of JSON records, search.  Failures count as CHECKs
 * (include check.h first). */
#ifndef LECTERN_TESTIDX_H
#define LECTERN_TESTIDX_H
#include "lectern.h"

#include <stdarg.h>

/* Opens (creating) the index in dir; exits on failure. */
static inline lx_index *tix_open(const char *dir, unsigned flags) {
    lx_index *ix = NULL;
    lx_error err;
    int rc = lx_index_open(dir, flags, &ix, &err);
    if (rc) {
        char msg[600];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "cannot open index %s: %s\n", dir, msg);
        exit(2);
    }
    return ix;
}

/* Puts n JSON records in one batch and commits; every put must succeed. */
static inline void tix_put_all(lx_index *ix, const char *const *recs, size_t n) {
    lx_writer *w = NULL;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    if (!w)
        return;
    for (size_t i = 0; i < n; i++) {
        int rc = lx_writer_put_json(w, recs[i], strlen(recs[i]), &err);
        CHECK(rc == 0);
        if (rc) {
            char msg[600];
            lx_error_format(&err, msg, sizeof msg);
            fprintf(stderr, "  record %zu: %s\n", i, msg);
        }
    }
    CHECK(lx_writer_commit(w, &err) == 0);
}

/* Lectures in the index in dir (opened read-only); -1 on error. */
static inline long long tix_documents(const char *dir) {
    lx_index *ix = NULL;
    lx_searcher *s = NULL;
    lx_stats st;
    long long n = -1;
    if (lx_index_open(dir, LX_OPEN_READONLY, &ix, NULL) == 0 &&
        lx_searcher_open(ix, &s, NULL) == 0 && lx_stats_get(s, &st, NULL) == 0)
        n = (long long)st.documents;
    lx_searcher_close(s);
    lx_index_close(ix);
    return n;
}

/* Whether the integrity check finds the index in dir sound; prints the
 * problems when not. */
static inline int tix_sound(const char *dir) {
    lx_index *ix = NULL;
    lx_check_report *r = malloc(sizeof *r);
    int rc = -1;
    if (r && lx_index_open(dir, LX_OPEN_READONLY, &ix, NULL) == 0) {
        rc = lx_index_check(ix, r, NULL);
        for (unsigned i = 0; rc && i < r->n_listed; i++)
            fprintf(stderr, "  check %s: %s\n", dir, r->problem[i]);
    }
    lx_index_close(ix);
    free(r);
    return rc == 0;
}

/* Runs a search; NULL (and a failed CHECK) on error. */
static inline lx_results *tix_search(lx_searcher *s, const char *query, unsigned limit,
                                     unsigned flags, const lx_rank_params *p) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = query;
    o.limit = limit;
    o.flags = flags;
    o.params = p;
    lx_results *r = NULL;
    lx_error err;
    int rc = lx_search(s, &o, &r, &err);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  search \"%s\": %s (%s)\n", query, lx_strerror(rc), err.message);
        return NULL;
    }
    return r;
}

/* The hit with id in r, or NULL. */
static inline const lx_hit *tix_hit(const lx_results *r, const char *id) {
    for (size_t i = 0; r && i < r->n; i++)
        if (strcmp(r->hits[i].id, id) == 0)
            return &r->hits[i];
    return NULL;
}

/* printf into a static rotating buffer (8 slots): for building records. */
static inline const char *tix_fmt(const char *fmt, ...) {
    static char bufs[8][8192];
    static int at;
    char *b = bufs[at++ & 7];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof bufs[0], fmt, ap);
    va_end(ap);
    return b;
}
#endif
