/* test_corrupt.c -- a damaged posting list is an error, never "no match":
 * the list of one term is cut short at every length in turn (straight in
 * LMDB, as a failing disk or a bad copy would leave it).  Whenever a
 * posting cursor finds the damage (it fails to open, or sets rc while
 * the list is walked), a search for the term, alone, with another word,
 * as a phrase, excluded, with facets and snippets, must return
 * LX_ECORRUPT or LX_EFORMAT with err filled.  (Which cuts a cursor finds
 * is postings.c's business; the query side must pass on every one it
 * does.)  The undamaged index answers first, and again after the list is
 * restored. */
#include <lmdb.h>

#include "check.h"
#include "store.h"
#include "testcoll.h"

/* Replaces the post value of term with its first len bytes of orig. */
static int put_list(lx_index *ix, const char *term, const void *orig, size_t len) {
    MDB_txn *txn;
    if (mdb_txn_begin(ix->env, NULL, 0, &txn))
        return -1;
    MDB_val k = {strlen(term), (void *)term}, v = {len, (void *)orig};
    if (mdb_put(txn, ix->post, &k, &v, 0)) {
        mdb_txn_abort(txn);
        return -1;
    }
    return mdb_txn_commit(txn) ? -1 : 0;
}

/* Whether a posting cursor finds the list p[0..n) damaged: 1 when it
 * cannot open it, 2 when it sets rc on the way, else 0. */
static int cursor_finds(const uint8_t *p, size_t n) {
    static lx_pcursor c;
    if (lx_pcursor_open(&c, p, n))
        return 1;
    for (; c.doc != LX_DOC_END && !c.rc; lx_pcursor_next(&c))
        lx_pcursor_tf(&c);
    return c.rc ? 2 : 0;
}

static int search(lx_index *ix, const char *q, unsigned flags, lx_error *err, uint64_t *total) {
    lx_searcher *s = NULL;
    lx_results *r = NULL;
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = q;
    o.limit = 10;
    o.flags = flags;
    memset(err, 0, sizeof *err);
    int rc = lx_searcher_open(ix, &s, err);
    if (!rc)
        rc = lx_search(s, &o, &r, err);
    *total = r ? r->total : 0;
    lx_results_free(r);
    lx_searcher_close(s);
    return rc;
}

int main(void) {
    const char *dir = check_tmpdir("corrupt");
    lx_index *ix = tix_final(dir);

    static const char *const term = "gender";
    static const struct {
        const char *q;
        unsigned flags;
    } queries[] = {
        {"gender", 0},
        {"gender migration", LX_SEARCH_FACETS | LX_SEARCH_SNIPPETS},
        {"\"gender equality\" women", LX_SEARCH_SNIPPETS},
        {"migration -gender", LX_SEARCH_FACETS},
    };
    size_t nq = sizeof queries / sizeof queries[0];
    uint64_t sound[8];
    lx_error err;
    for (size_t i = 0; i < nq; i++) {
        CHECK(search(ix, queries[i].q, queries[i].flags, &err, &sound[i]) == 0);
        CHECK(sound[i] > 0);
    }

    /* The list as stored. */
    MDB_txn *txn;
    MDB_val k = {strlen(term), (void *)term}, v = {0, NULL};
    CHECK(mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn) == 0);
    CHECK(mdb_get(txn, ix->post, &k, &v) == 0);
    size_t len = v.mv_size;
    uint8_t *orig = malloc(len ? len : 1);
    if (len)
        memcpy(orig, v.mv_data, len);
    mdb_txn_abort(txn);
    CHECK(len > 16);

    int found = 0, walking = 0;
    for (size_t cut = 1; cut < len; cut++) {
        int how = cursor_finds(orig, cut);
        if (!how)
            continue;
        found++;
        walking += how == 2;
        CHECK(put_list(ix, term, orig, cut) == 0);
        for (size_t i = 0; i < nq; i++) {
            uint64_t total;
            int rc = search(ix, queries[i].q, queries[i].flags, &err, &total);
            CHECK(rc == LX_ECORRUPT || rc == LX_EFORMAT);
            CHECK(err.code == rc && err.message[0] != 0);
            if (!rc)
                fprintf(stderr, "  cut at %zu of %zu: \"%s\" answered (total %llu, sound %llu)\n",
                        cut, len, queries[i].q, (unsigned long long)total,
                        (unsigned long long)sound[i]);
        }
    }
    printf("%d of %zu cuts found by the cursor, %d of them while walking\n", found, len - 1,
           walking);
    CHECK(found > 0);
    CHECK(put_list(ix, term, orig, len) == 0);
    for (size_t i = 0; i < nq; i++) {
        uint64_t total;
        CHECK(search(ix, queries[i].q, queries[i].flags, &err, &total) == 0);
        CHECK(total == sound[i]);
    }
    free(orig);
    lx_index_close(ix);
    CHECK_DONE();
}
