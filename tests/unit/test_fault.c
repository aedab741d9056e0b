/* test_fault.c -- fault injection on the query path, in the manner of
 * SQLite's fts5fault*.test: the Nth allocation (malloc, calloc, realloc,
 * strdup) or the Nth LMDB read (mdb_get, mdb_cursor_get) made by the
 * engine fails, for N = 1, 2, ... until a run completes without reaching
 * N.  Each run must give exactly the fault-free answer (every field of
 * every hit, the total and the facets) or return a negative LX_E* code
 * with err filled; it must not crash or leak (make sanitize), and the
 * searcher must answer correctly again on the next call.
 *
 * The engine is a static library, so the link wraps those functions
 * (-Wl,--wrap=..., tests/unit/CMakeLists.txt) and the engine needs no
 * hooks.  Allocations inside LMDB, cJSON, libstemmer and utf8proc (shared
 * libraries) are not counted.
 *
 * Calls swept: a search with a language filter, an exclusion, a phrase,
 * facets and snippets; one with a tags filter; a search with
 * pseudo-relevance feedback (feedback_min_terms lowered so that it runs);
 * related lectures with snippets; lx_get, lx_tags and lx_stats_get; lecturers with
 * snippets and tag suggestions.  Each is swept on a fresh
 * searcher (cold: the snapshot, facet indexes and tag forms are built in the run) and on one that
 * has answered once (warm), with a single fault and with every call from the Nth failing
 * (persistent).
 */
#include <errno.h>
#include <lmdb.h>

#include "check.h"
#include "testcoll.h"

/* ---- the failing calls ------------------------------------------------- */

static long fault_at;    /* fail the fault_at-th call (0: never) */
static long fault_calls; /* calls counted since armed */
static int fault_armed, fault_persist, fault_hit;

/* Whether this call fails. */
static int fault_now(void) {
    if (!fault_armed)
        return 0;
    fault_calls++;
    if (fault_calls == fault_at || (fault_persist && fault_at && fault_calls > fault_at)) {
        fault_hit = 1;
        return 1;
    }
    return 0;
}

#include "faultwrap.h"

/* ---- answers as text ----------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->n + (size_t)k + 1 > t->cap) {
        t->cap = (t->n + (size_t)k + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p)
            exit(2);
    }
    va_start(ap, fmt);
    vsnprintf(t->p + t->n, (size_t)k + 1, fmt, ap);
    va_end(ap);
    t->n += (size_t)k;
}

/* Every field of r, one line each. */
static char *describe(const lx_results *r) {
    text t = {0};
    add(&t, "total %llu n %zu\n", (unsigned long long)r->total, r->n);
    for (size_t i = 0; i < r->n; i++) {
        const lx_hit *h = &r->hits[i];
        add(&t, "hit %s %.17g [%s] [%s] %s %.17g [%s]\n", h->id, h->score, h->title, h->meta_json,
            h->snippet_field ? h->snippet_field : "-", h->snippet_start, h->snippet);
        for (size_t j = 0; j < h->n_shared_tags; j++)
            add(&t, " tag %s\n", h->shared_tags[j]);
        for (size_t j = 0; j < h->n_shared_terms; j++)
            add(&t, " term %s\n", h->shared_terms[j]);
    }
    for (size_t i = 0; i < r->n_tag_facets; i++)
        add(&t, "tagf %s %u\n", r->tag_facets[i].value, r->tag_facets[i].count);
    for (size_t i = 0; i < r->n_lang_facets; i++)
        add(&t, "langf %s %u\n", r->lang_facets[i].value, r->lang_facets[i].count);
    return t.p;
}

/* ---- the calls ----------------------------------------------------------- */

enum { SEARCH, RELATED, GET, TAGS, STATS, MOMENTS, LECTURERS, SUGGEST };

typedef struct call {
    const char *name;
    int kind;
    const char *id; /* for lx_related and lx_get */
    lx_search_opts o;
} call;

/* The answer of a lookup as text (the engine's allocations are done). */
static char *describe_lookup(const call *c, const char *json, const lx_facet *tags, size_t ntags,
                             const lx_stats *st) {
    text t = {0};
    if (c->kind == GET)
        add(&t, "hit %s\n", json);
    for (size_t i = 0; c->kind == TAGS && i < ntags; i++)
        add(&t, "hit %s %u\n", tags[i].value, tags[i].count);
    if (c->kind == STATS) {
        add(&t, "hit %llu %llu %llu %llu", (unsigned long long)st->documents,
            (unsigned long long)st->terms, (unsigned long long)st->tokens,
            (unsigned long long)st->index_bytes);
        for (unsigned i = 0; i < st->n_languages; i++)
            add(&t, " %s", st->languages[i]);
    }
    return t.p;
}

/* Every field of moments m. */
static char *describe_moments(const lx_moments *m) {
    text t = {0};
    add(&t, "total %llu n %zu timed %d span %.17g\n", (unsigned long long)m->total, m->n, m->timed,
        m->span);
    for (int i = 0; i < LX_MOMENT_BINS; i++)
        add(&t, "%u ", m->density[i]);
    for (size_t i = 0; i < m->n; i++)
        add(&t, "\nhit %.17g %.17g %.17g [%s]", m->moments[i].start, m->moments[i].end,
            m->moments[i].score, m->moments[i].text);
    return t.p;
}

/* Lecturers and tag suggestions as text (issue 18). */
static char *describe_people(const lx_lecturers *l, const lx_tag_suggestion *t, size_t nt) {
    text x = {0};
    if (l) {
        add(&x, "total %llu n %zu\n", (unsigned long long)l->total, l->n);
        for (size_t i = 0; i < l->n; i++) {
            const lx_lecturer *p = &l->people[i];
            add(&x, "hit %s [%s] %.17g\n", p->key, p->name, p->score);
            for (size_t j = 0; j < p->n_lectures; j++)
                add(&x, " lecture %s [%s]\n", p->lectures[j]->id, p->lectures[j]->snippet);
            for (size_t j = 0; j < p->n_institutions; j++)
                add(&x, " institution %s\n", p->institutions[j]);
            for (size_t j = 0; j < p->n_languages; j++)
                add(&x, " language %s\n", p->languages[j]);
            for (size_t j = 0; j < p->n_tags; j++)
                add(&x, " tag %s %u\n", p->tags[j].value, p->tags[j].count);
        }
    }
    for (size_t i = 0; i < nt; i++)
        add(&x, "hit %s %.17g %d\n", t[i].tag, t[i].confidence, t[i].curated);
    return x.p;
}

/* Runs c; returns its rc and *answer (malloc'd text) when 0. */
static int run(lx_searcher *s, const call *c, char **answer, lx_error *err) {
    lx_results *r = NULL;
    char *json = NULL;
    lx_facet *tags = NULL;
    size_t ntags = 0;
    lx_stats st;
    lx_moments *m = NULL;
    lx_moments_opts mo = {c->o.query, c->o.lang, c->o.limit, 0};
    lx_lecturers *l = NULL;
    lx_tag_suggestion *sug = NULL;
    size_t nsug = 0;
    lx_lecturer_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.search = c->o;
    memset(err, 0, sizeof *err);
    int rc = c->kind == MOMENTS     ? lx_moments_find(s, c->id, &mo, &m, err)
             : c->kind == LECTURERS ? lx_lecturers_search(s, &lo, &l, err)
             : c->kind == SUGGEST   ? lx_suggest_tags(s, c->id, 5, &sug, &nsug, err)
             : c->kind == SEARCH    ? lx_search(s, &c->o, &r, err)
             : c->kind == RELATED   ? lx_related(s, c->id, &c->o, &r, err)
             : c->kind == GET       ? lx_get(s, c->id, &json, NULL, err)
             : c->kind == TAGS      ? lx_tags(s, &tags, &ntags, err)
                                    : lx_stats_get(s, &st, err);
    *answer = NULL;
    if (!rc) {
        int armed = fault_armed;
        fault_armed = 0; /* the test's own text is not the engine's */
        *answer = m                      ? describe_moments(m)
                  : c->kind >= LECTURERS ? describe_people(l, sug, nsug)
                  : r                    ? describe(r)
                                         : describe_lookup(c, json, tags, ntags, &st);
        fault_armed = armed;
    }
    lx_lecturers_free(l);
    free(sug);
    lx_results_free(r);
    lx_moments_free(m);
    free(json);
    free(tags);
    return rc;
}

/* One run with the fault at n; returns 1 while the fault was reached. */
static int one(lx_index *ix, const call *c, const char *expect, long n, int warm, int persist) {
    lx_searcher *s = NULL;
    lx_error err;
    char *got = NULL;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    if (!s)
        return 0;
    if (warm) {
        CHECK(run(s, c, &got, &err) == 0);
        free(got);
    }
    fault_at = n;
    fault_calls = 0;
    fault_hit = 0;
    fault_persist = persist;
    fault_armed = 1;
    int rc = run(s, c, &got, &err);
    fault_armed = 0;
    int hit = fault_hit;
    if (rc) {
        /* An error, said in full. */
        CHECK(rc < 0);
        CHECK(err.code == rc);
        CHECK(err.message[0] != 0);
        CHECK(hit);
        if (!hit || err.code != rc || !err.message[0])
            fprintf(stderr, "  %s n=%ld%s%s: rc %d (%s) code %d \"%s\"\n", c->name, n,
                    warm ? " warm" : "", persist ? " persistent" : "", rc, lx_strerror(rc),
                    err.code, err.message);
    } else {
        /* Or the very answer. */
        CHECK(got && strcmp(got, expect) == 0);
        if (!got || strcmp(got, expect) != 0)
            fprintf(stderr, "  %s n=%ld%s%s: a different answer:\n%s\n--- expected:\n%s\n", c->name,
                    n, warm ? " warm" : "", persist ? " persistent" : "", got ? got : "(none)",
                    expect);
    }
    free(got);
    /* The searcher recovers. */
    rc = run(s, c, &got, &err);
    CHECK(rc == 0 && got && strcmp(got, expect) == 0);
    if (rc || !got || strcmp(got, expect) != 0)
        fprintf(stderr, "  %s n=%ld%s%s: wrong after the fault (rc %d: %s)\n", c->name, n,
                warm ? " warm" : "", persist ? " persistent" : "", rc, err.message);
    free(got);
    lx_searcher_close(s);
    return hit;
}

static void sweep(lx_index *ix, const call *c) {
    lx_searcher *s = NULL;
    lx_error err;
    char *expect = NULL;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    int rc = run(s, c, &expect, &err);
    CHECK(rc == 0);
    lx_searcher_close(s);
    if (rc)
        return;
    if (getenv("FAULT_SHOW"))
        printf("%s:\n%s\n", c->name, expect);
    /* The call must have something to lose. */
    CHECK(strstr(expect, "hit ") != NULL);
    for (int mode = 0; mode < 4; mode++) {
        int warm = mode & 1, persist = mode >> 1;
        long n = 1;
        while (one(ix, c, expect, n, warm, persist))
            n++;
        printf("%s%s%s: %ld faults swept\n", c->name, warm ? " warm" : "",
               persist ? " persistent" : "", n - 1);
        /* Faults were reached (a warm lx_stats_get reads only the cached
         * snapshot). */
        CHECK(n > 1 || (warm && c->kind == STATS));
    }
    free(expect);
}

int main(void) {
    const char *dir = check_tmpdir("fault");
    lx_index *ix = tix_final(dir);

    lx_rank_params fb;
    lx_rank_params_default(&fb);
    fb.feedback_min_terms = 1;
    fb.feedback_docs = 5;
    fb.feedback_terms = 10;

    call calls[11];
    memset(calls, 0, sizeof calls);
    calls[0].name = "search";
    calls[0].o.query = "gender equality women \"social health\" -cities";
    calls[0].o.lang = "en";
    calls[0].o.limit = 5;
    calls[0].o.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    calls[1].name = "search tags";
    calls[1].o.query = "migration integration schools teachers";
    calls[1].o.tags = "migration";
    calls[1].o.limit = 8;
    calls[1].o.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    calls[2].name = "feedback";
    calls[2].o.query = "migration culture identity";
    calls[2].o.limit = 6;
    calls[2].o.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    calls[2].o.params = &fb;
    calls[3].name = "related";
    calls[3].kind = RELATED;
    calls[3].id = "lec-03";
    calls[3].o.limit = 5;
    calls[3].o.flags = LX_SEARCH_SNIPPETS;
    calls[4].name = "get";
    calls[4].kind = GET;
    calls[4].id = "lec-07";
    calls[5].name = "tags";
    calls[5].kind = TAGS;
    calls[6].name = "stats";
    calls[6].kind = STATS;
    /* Moments: of a timed lecture and of an untimed one, the first of
     * each kind where the query is found. */
    static char ids[2][16];
    const char *mq = "gender equality women migration";
    int ncalls = 7;
    for (int i = 0; i < 100 && ncalls < 9; i++) {
        lx_searcher *s = NULL;
        lx_error err;
        lx_moments *m = NULL;
        lx_moments_opts mo = {mq, NULL, 0, 0};
        char id[16];
        snprintf(id, sizeof id, "lec-%02d", i);
        CHECK(lx_searcher_open(ix, &s, &err) == 0);
        if (s && lx_moments_find(s, id, &mo, &m, &err) == 0 && m->total > 1) {
            int k = m->timed ? 0 : 1;
            if (!ids[k][0]) {
                memcpy(ids[k], id, sizeof id);
                calls[ncalls].name = k ? "moments untimed" : "moments timed";
                calls[ncalls].kind = MOMENTS;
                calls[ncalls].id = ids[k];
                calls[ncalls].o.query = mq;
                ncalls++;
            }
        }
        lx_moments_free(m);
        lx_searcher_close(s);
    }
    CHECK(ncalls == 9);
    calls[9].name = "lecturers";
    calls[9].kind = LECTURERS;
    calls[9].o.query = "migration culture identity";
    calls[9].o.limit = 4;
    calls[9].o.flags = LX_SEARCH_SNIPPETS;
    calls[10].name = "suggest-tags";
    calls[10].kind = SUGGEST;
    calls[10].id = "lec-03";
    ncalls = 11;
    for (int i = 0; i < ncalls; i++)
        sweep(ix, &calls[i]);
    lx_index_close(ix);
    CHECK_DONE();
}
