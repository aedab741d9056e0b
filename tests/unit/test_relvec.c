/* test_relvec.c -- the related-term vectors written at index time
 * (engine/relvec.c) and read by lx_related (engine/related.c):
 *
 * - every lecture written by a batch or a build has a vector; related
 *   lectures read from it answer exactly as tokenising the lecture again
 *   does (the same hits, scores and shared terms), so the index's
 *   document frequencies at the write are the ones the call selects with;
 * - a delete drops the lecture's vector, an update (the same id again)
 *   drops the old docid's and writes the new one's, and the answers stay
 *   the tokenising ones after each;
 * - an index without the "relvec" database (written before it) answers
 *   every related call by tokenising, read-only or opened for writing
 *   (then new lectures get vectors, the old ones still answer);
 * - a damaged vector is tokenised again, not an error.
 */
#include <lmdb.h>

#include "check.h"
#include "related.h"
#include "relvec.h"
#include "searcher.h"
#include "store.h"
#include "testidx.h"

#define NREC 40

static const char *const words[] = {
    "climate", "ocean",   "carbon",  "forest",  "energy",   "solar",   "battery", "wind",
    "brain",   "memory",  "sleep",   "neurons", "learning", "music",   "rhythm",  "dance",
    "city",    "housing", "traffic", "bicycle", "water",    "drought", "farming", "soil",
    "vaccine", "virus",   "genome",  "cells",   "poverty",  "markets", "wages",   "trade"};
#define NWORDS (sizeof words / sizeof words[0])

/* Lecture i (version v): a topic of 8 words, a title, tags, a transcript. */
static char *make_record(int i, int v) {
    static char buf[8192];
    int topic = (i + v) % 4;
    const char *w[12];
    for (int k = 0; k < 8; k++)
        w[k] = words[topic * 8 + k];
    for (int k = 8; k < 12; k++)
        w[k] = words[(i * 7 + k * 3 + v) % NWORDS];
    int n = snprintf(buf, sizeof buf,
                     "{\"id\": \"L%d\", \"title\": \"%s and %s, part %d\", \"language\": \"en\", "
                     "\"tags\": [\"%s\", \"t%d\"], \"description\": \"On %s %s.\", "
                     "\"transcript\": \"",
                     i, w[i % 8], w[(i + 3) % 8], i, w[0], i % 5, w[(i + 1) % 8], w[9]);
    for (int s = 0; s < 60 && n < (int)sizeof buf - 200; s++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "The %s %s the %s. ", w[(s * 5 + i) % 12],
                      s % 3 ? "changes" : "shapes", w[(s * 3 + i * 2) % 8]);
    snprintf(buf + n, sizeof buf - (size_t)n, "\"}");
    return strdup(buf);
}

static void put_range(lx_writer *w, int from, int to, int v) {
    lx_error err;
    for (int i = from; i < to; i++) {
        char *r = make_record(i, v);
        CHECK(lx_writer_put_json(w, r, strlen(r), &err) == 0);
        free(r);
    }
}

/* Whether lecture id has a stored vector (-1: no such lecture). */
static int has_vector(lx_searcher *s, const char *id) {
    lx_error err;
    int has = -1;
    if (lx_searcher_begin(s, &s->ix->params, &err))
        return -1;
    uint32_t d;
    MDB_val v;
    if (lx_store_docid(s->txn, s->ix, id, strlen(id), &d) == 0)
        has = lx_store_relvec(s->txn, s->ix, d, &v) == 0;
    lx_searcher_end(s);
    return has;
}

/* Related lectures of id with the vectors (vec 1) or tokenising (0). */
static lx_results *related(lx_searcher *s, const char *id, int vec) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.limit = 20;
    lx_results *r = NULL;
    lx_error err;
    lx_related_vectors = vec;
    int rc = lx_related(s, id, &o, &r, &err);
    lx_related_vectors = 1;
    if (rc)
        fprintf(stderr, "  related %s: %s (%s)\n", id, lx_strerror(rc), err.message);
    return r;
}

/* Whether both ways answer the same for every lecture; counts the
 * lectures answered from a vector into *nvec. */
static int same_answers(lx_searcher *s, int n, int *nvec) {
    int ok = 1;
    *nvec = 0;
    for (int i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof id, "L%d", i);
        *nvec += has_vector(s, id) == 1;
        lx_results *a = related(s, id, 1), *b = related(s, id, 0);
        if (!a || !b || a->n != b->n || a->total != b->total || a->n == 0) {
            ok = 0;
        } else {
            for (size_t k = 0; k < a->n; k++) {
                const lx_hit *x = &a->hits[k], *y = &b->hits[k];
                if (strcmp(x->id, y->id) || x->score != y->score ||
                    x->n_shared_terms != y->n_shared_terms)
                    ok = 0;
                for (size_t t = 0; ok && t < x->n_shared_terms; t++)
                    ok = !strcmp(x->shared_terms[t], y->shared_terms[t]);
            }
        }
        if (!ok)
            fprintf(stderr, "  %s: the vector's answer differs\n", id);
        lx_results_free(a);
        lx_results_free(b);
        if (!ok)
            break;
    }
    return ok;
}

/* Drops the "relvec" database as an index written before it lacks it. */
static void drop_vectors(const char *dir) {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    CHECK(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 16);
    mdb_env_set_mapsize(env, (size_t)1 << 30);
    CHECK(mdb_env_open(env, dir, 0, 0644) == 0);
    CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
    CHECK(mdb_dbi_open(txn, "relvec", MDB_INTEGERKEY, &dbi) == 0);
    CHECK(mdb_drop(txn, dbi, 1) == 0);
    CHECK(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
}

/* A batch whose first lecture has no term (its title punctuation
 * only): it is stored with an empty vector, with no arithmetic on the
 * writer's not yet allocated vector array (clang's UBSan in
 * tests/fuzz/smoke.sh; fuzz_http found it), and the lectures after it
 * get theirs. */
static void check_termless(void) {
    lx_error err;
    lx_writer *w;
    lx_searcher *s;
    const char *edir = check_tmpdir("relvec-empty");
    lx_index *eix = tix_open(edir, LX_OPEN_CREATE);
    const char *rec = "{\"id\":\"E0\",\"title\":\"?!\"}";
    CHECK(lx_writer_begin(eix, &w, &err) == 0);
    CHECK(lx_writer_put_json(w, rec, strlen(rec), &err) == 0);
    put_range(w, 0, 4, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(lx_searcher_open(eix, &s, &err) == 0);
    CHECK(has_vector(s, "L0") == 1 && has_vector(s, "L3") == 1);
    CHECK(has_vector(s, "E0") >= 0); /* stored; its vector empty or absent */
    lx_results *a = related(s, "L0", 1);
    CHECK(a && a->n > 0);
    lx_results_free(a);
    lx_searcher_close(s);
    /* A commit of termless lectures only: the vector array is never
     * allocated, and flushing walks no entries of it. */
    const char *r1 = "{\"id\":\"E1\",\"title\":\"\\r\"}";
    const char *r2 = "{\"id\":\"E2\",\"title\":\"...\"}";
    CHECK(lx_writer_begin(eix, &w, &err) == 0);
    CHECK(lx_writer_put_json(w, r1, strlen(r1), &err) == 0);
    CHECK(lx_writer_put_json(w, r2, strlen(r2), &err) == 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(lx_searcher_open(eix, &s, &err) == 0);
    CHECK(has_vector(s, "E1") >= 0 && has_vector(s, "E2") >= 0);
    CHECK(has_vector(s, "L0") == 1);
    lx_searcher_close(s);
    lx_index_close(eix);
}

int main(void) {
    lx_error err;
    int nvec;

    /* Batches into an open index: two of them, then deletes and updates. */
    const char *dir = check_tmpdir("relvec");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    put_range(w, 0, NREC / 2, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    lx_writer_set_flush_bytes(w, 4096); /* flushes inside the batch too */
    put_range(w, NREC / 2, NREC, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    CHECK(same_answers(s, NREC, &nvec));
    CHECK(nvec == NREC);

    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    CHECK(lx_writer_delete(w, "L3", &err) == 0);
    put_range(w, 5, 9, 1); /* updates: new docids, new text */
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(has_vector(s, "L3") == -1);
    CHECK(has_vector(s, "L5") == 1 && has_vector(s, "L8") == 1);
    {
        /* The replaced docids' vectors are gone: one vector per lecture. */
        MDB_stat st;
        CHECK(lx_searcher_begin(s, &s->ix->params, &err) == 0);
        CHECK(mdb_stat(s->txn, s->ix->relvec, &st) == 0);
        CHECK(st.ms_entries == NREC - 1);
        lx_searcher_end(s);
    }
    CHECK(same_answers(s, 3, &nvec) && nvec == 3);
    lx_searcher_close(s);
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    int ok = 1;
    for (int i = 4; i < NREC && ok; i++) { /* L3 is gone */
        char id[16];
        snprintf(id, sizeof id, "L%d", i);
        lx_results *a = related(s, id, 1), *b = related(s, id, 0);
        ok = a && b && a->n == b->n && a->n > 0;
        for (size_t k = 0; ok && k < a->n; k++)
            ok = !strcmp(a->hits[k].id, b->hits[k].id) && a->hits[k].score == b->hits[k].score;
        if (!ok)
            fprintf(stderr, "  %s after the updates: the vector's answer differs\n", id);
        lx_results_free(a);
        lx_results_free(b);
    }
    CHECK(ok);

    /* A damaged vector: tokenised again. */
    {
        MDB_txn *txn;
        uint32_t d;
        CHECK(mdb_txn_begin(ix->env, NULL, 0, &txn) == 0);
        CHECK(lx_store_docid(txn, ix, "L10", 3, &d) == 0);
        uint8_t bad[] = {LX_RELVEC_VERSION, 200, 'x'};
        MDB_val k = {sizeof d, &d}, v = {sizeof bad, bad};
        CHECK(mdb_put(txn, ix->relvec, &k, &v, 0) == 0);
        CHECK(mdb_txn_commit(txn) == 0);
        lx_results *a = related(s, "L10", 1), *b = related(s, "L10", 0);
        CHECK(a && b && a->n == b->n && a->n > 0);
        for (size_t i = 0; a && b && i < a->n && i < b->n; i++)
            CHECK(!strcmp(a->hits[i].id, b->hits[i].id) && a->hits[i].score == b->hits[i].score);
        lx_results_free(a);
        lx_results_free(b);
    }
    lx_searcher_close(s);
    lx_index_close(ix);

    check_termless();

    /* A build (several runs): every lecture has a vector; with one run the
     * document frequencies are the final ones, so the answers are the
     * tokenising ones. */
    const char *bdir = check_tmpdir("relvec-build");
    CHECK(lx_writer_begin_build(bdir, LX_BUILD_REPLACE, &w, &err) == 0);
    put_range(w, 0, NREC, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    ix = tix_open(bdir, LX_OPEN_READONLY);
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    CHECK(same_answers(s, NREC, &nvec));
    CHECK(nvec == NREC);
    lx_searcher_close(s);
    lx_index_close(ix);

    CHECK(lx_writer_begin_build(bdir, LX_BUILD_REPLACE, &w, &err) == 0);
    lx_writer_set_flush_bytes(w, 4096);
    put_range(w, 0, NREC, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    ix = tix_open(bdir, LX_OPEN_READONLY);
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    int n = 0;
    for (int i = 0; i < NREC; i++) {
        char id[16];
        snprintf(id, sizeof id, "L%d", i);
        n += has_vector(s, id) == 1;
        lx_results *a = related(s, id, 1);
        CHECK(a && a->n > 0);
        lx_results_free(a);
    }
    CHECK(n == NREC);
    lx_searcher_close(s);
    lx_index_close(ix);

    /* An index without vectors: read-only, every call tokenises; opened
     * for writing, new lectures get vectors and the old ones answer. */
    drop_vectors(dir);
    ix = tix_open(dir, LX_OPEN_READONLY);
    CHECK(ix->relvec == 0);
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    CHECK(same_answers(s, 3, &nvec) && nvec == 0);
    lx_searcher_close(s);
    lx_index_close(ix);
    ix = tix_open(dir, LX_OPEN_CREATE);
    CHECK(ix->relvec != 0);
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    put_range(w, NREC, NREC + 2, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    CHECK(has_vector(s, "L0") == 0 && has_vector(s, "L40") == 1);
    lx_results *r = related(s, "L0", 1);
    CHECK(r && r->n > 0);
    lx_results_free(r);
    r = related(s, "L41", 1);
    CHECK(r && r->n > 0);
    lx_results_free(r);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
