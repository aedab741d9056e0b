/* test_relerrors.c -- related lectures never pass a damaged index off as
 * an answer (engine/related.c):
 *
 * - on a sound index lx_related gives hits;
 * - once every posting list's first block header is damaged (a bit width
 *   over 32, which the cursor reports as rc = LX_ECORRUPT and reads as
 *   ended), lx_related returns LX_ECORRUPT with err filled and no
 *   results, instead of a page scored without those terms (what it gave
 *   before it checked the cursor);
 * - the searcher stays usable: the same call fails the same way again.
 */
#include "check.h"
#include "codec.h"
#include "store.h"
#include "testidx.h"

static const char *const recs[] = {
    "{\"id\": \"a\", \"title\": \"The gender pay gap\", \"tags\": [\"gender\", \"work\"], "
    "\"language\": \"en\", \"transcript\": \"Women earn less than men for the same work. The "
    "pay gap grows after children arrive. Equal pay audits narrow the wage gap.\"}",
    "{\"id\": \"c\", \"title\": \"Equal pay audits\", \"tags\": [\"work\"], \"language\": \"en\", "
    "\"transcript\": \"An equal pay audit compares the wages of women and men. Where the audit "
    "finds a pay gap the employer must explain it.\"}",
    "{\"id\": \"e\", \"title\": \"Mothers, fathers and wages\", \"language\": \"en\", "
    "\"transcript\": \"After children arrive mothers earn less. Parental leave for fathers "
    "narrows the wage gap between women and men.\"}",
    ("{\"id\": \"u\", \"title\": \"Fishing in the Baltic Sea\", \"language\": \"en\", "
     "\"transcript\": \"Cod stocks collapsed when fishing quotas were set too high.\"}"),
};

/* Sets the bit width of the first block of every posting list to 40. */
static int damage_lists(lx_index *ix) {
    MDB_txn *txn;
    MDB_cursor *c;
    int damaged = 0;
    if (mdb_txn_begin(ix->env, NULL, 0, &txn))
        return 0;
    if (mdb_cursor_open(txn, ix->post, &c)) {
        mdb_txn_abort(txn);
        return 0;
    }
    MDB_val k, v;
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        uint8_t buf[4096];
        if (v.mv_size > sizeof buf)
            continue;
        memcpy(buf, v.mv_data, v.mv_size);
        const uint8_t *p = buf, *end = buf + v.mv_size;
        uint32_t df, nblocks, x;
        p = lx_vbyte_get(p, end, &df);
        p = lx_vbyte_get(p, end, &nblocks);
        uint8_t listmask = *p++;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (listmask & (1u << f)) {
                p = lx_vbyte_get(p, end, &x);
                p = lx_vbyte_get(p, end, &x);
            }
        if (nblocks != 1 || p + 2 > end)
            continue; /* (this collection's lists are all one block) */
        buf[p - buf + 1] = 40;
        MDB_val nv = {v.mv_size, buf};
        if (mdb_cursor_put(c, &k, &nv, MDB_CURRENT) == 0)
            damaged++;
    }
    mdb_cursor_close(c);
    if (mdb_txn_commit(txn))
        return 0;
    return damaged;
}

int main(void) {
    lx_index *ix = tix_open(check_tmpdir("relerrors"), LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.limit = 10;
    lx_results *r = NULL;
    CHECK(lx_related(s, "a", &o, &r, &err) == 0);
    CHECK(r && r->n >= 2);
    lx_results_free(r);

    CHECK(damage_lists(ix) > 10);
    for (int round = 0; round < 2; round++) {
        r = NULL;
        memset(&err, 0, sizeof err);
        int rc = lx_related(s, "a", &o, &r, &err);
        CHECK(rc == LX_ECORRUPT);
        CHECK(err.code == LX_ECORRUPT && err.message[0]);
        CHECK(r == NULL);
        lx_results_free(r);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
