/* index.c -- opening and closing an index, and the ranking defaults. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "rank.h"
#include "store.h"

static const char *const field_names[LX_NFIELDS] = {"title", "tags", "speaker", "description",
                                                    "transcript"};

const char *lx_field_name(int field) {
    return field >= 0 && field < LX_NFIELDS ? field_names[field] : "?";
}

void lx_rank_params_default(lx_rank_params *p) {
    /* The values and why they were chosen: rank.h. */
    static const double w[LX_NFIELDS] = LX_RANK_WEIGHTS;
    static const double b[LX_NFIELDS] = LX_RANK_B;
    for (int f = 0; f < LX_NFIELDS; f++) {
        p->weight[f] = w[f];
        p->b[f] = b[f];
    }
    p->k1 = LX_RANK_K1;
    p->tag_boost = LX_RANK_TAG_BOOST;
    p->coord = LX_RANK_COORD;
    /* A keyword query's lectures with every word come first (what a
     * search box user expects); long questions rank by BM25F alone. */
    p->all_terms_first = LX_RANK_ALL_TERMS_FIRST;
    /* Feedback reads the 10 best lectures' short fields and adds 30
     * terms.  It lifts Cranfield's nDCG@10 from 0.386 to 0.411 (all
     * queries of 5+ content words) but costs a second search, 10-30 times
     * the first on long transcripts, so it runs for question-length
     * queries of 7 or more content words (0.408 on Cranfield, where most
     * queries are questions; 1 query in 2,000 of the TED search log):
     * keyword and title queries are answered in one pass. */
    p->feedback_docs = LX_RANK_FEEDBACK_DOCS;
    p->feedback_terms = LX_RANK_FEEDBACK_TERMS;
    p->feedback_weight = LX_RANK_FEEDBACK_WEIGHT;
    p->feedback_min_terms = LX_RANK_FEEDBACK_MIN_TERMS;
}

int lx_index_open(const char *dir, unsigned flags, lx_index **out, lx_error *err) {
    *out = NULL;
    lx_error_clear(err);
    lx_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return LX_ENOMEM;
    int rc = lx_store_open(ix, dir, flags, err);
    if (rc) {
        free(ix);
        return rc;
    }
    lx_rank_params_default(&ix->params);
    *out = ix;
    return 0;
}

void lx_index_close(lx_index *ix) {
    if (!ix)
        return;
    lx_store_close(ix);
    free(ix);
}

uint64_t lx_index_version(lx_index *ix) {
    MDB_envinfo info;
    /* LMDB's last committed transaction id, read from the shared meta
     * pages: cheap, lock-free, and it sees other processes' commits.
     * Acquiring the environment first notices a rebuilt index, and the
     * generation keeps versions growing across it (a cache keyed on the
     * version never answers from the replaced index). */
    lx_env *e = lx_store_acquire(ix);
    uint64_t v = mdb_env_info(e->env, &info) == 0 ? lx_store_snapshot(e, info.me_last_txnid) : 0;
    lx_store_release(ix, e);
    return v;
}
