/* searcher.h -- the searcher's state, shared by search.c and related.c
 * (internal). */
#ifndef LX_SEARCHER_H
#define LX_SEARCHER_H
#include "postings.h"
#include "query.h"
#include "rank.h"
#include "snippet.h"
#include "stem.h"
#include "store.h"
#include "strmap.h"

/* A facet's values per lecture, built once per snapshot from the tags or
 * langs database: counting a result set's facets is then one pass over
 * its docids instead of one over every value's list.  Values in more than
 * 1/32 of the lectures (a language, a broad tag) are kept apart as bitmaps
 * and counted with AND + popcount over the result bitmap. */
typedef struct lx_facetidx {
    size_t snap; /* snapshot it was built for; 0 = none */
    uint32_t nvals;
    lx_buf names; /* values, NUL-terminated, one after the other */
    uint32_t *name_off;
    uint32_t *doc_off; /* next_doc + 1 offsets into vals */
    uint32_t *vals;    /* each doc's sparse value ids */
    uint32_t *counts;  /* scratch, nvals */
    uint32_t ndense;   /* values in many docs, counted by bitmap: */
    uint32_t *dense_ids;
    uint64_t *dense_bm;  /* ndense bitmaps of `words` words */
    uint64_t *sparse_bm; /* docs with a sparse value */
} lx_facetidx;

struct lx_searcher {
    lx_index *ix;
    lx_env *env; /* the environment txn belongs to (store.h) */
    MDB_txn *txn;
    int txn_live;
    lx_stemmers stem;
    /* Snapshot cache, valid while the committed txn id is unchanged. */
    size_t snap;
    int have_snap;
    lx_collstats st;
    float *invb;
    size_t invb_cap;
    lx_rank_params pcache;
    lx_scorer sc;
    char langs[LX_MAX_LANGS][LX_LANG_BYTES];
    int nlangs;
    /* Scratch reused across queries. */
    lx_pcursor **pool;
    int npool, used;
    lx_qcur qc[LX_MAX_CURSORS];
    int nqc;
    uint64_t *allow, *tmp;
    uint64_t *fb; /* the original query's matches, for feedback */
    size_t words; /* of each bitmap */
    lx_scored *heap;
    uint32_t heap_cap;
    lx_query q;
    lx_query q2; /* scratch: the speaker option parsed */
    lx_snip_terms snip;
    /* Each snippet term's posting and positions values (this query's
     * transaction), for snippets from the positions index. */
    int snip_ready;
    MDB_val snip_post[LX_MAX_QUERY_TERMS * 4], snip_pos[LX_MAX_QUERY_TERMS * 4];
    lx_buf snip_hits;
    lx_buf snip_desc; /* a hit's description, unescaped */
    lx_facetidx ftags, flangs;
    /* The tagstem database in memory, per snapshot (tag boosts look up
     * every run of query words in it): stem form -> index into tf_group,
     * a group being tf_group[i] .. tf_group[i+1] in tf_tag, offsets of
     * NUL-terminated normalised tags in tf_names. */
    size_t tf_snap;
    int tf_have;
    lx_strmap tf_forms;
    uint32_t *tf_group, *tf_tag;
    lx_buf tf_names;
    char snipbuf[LX_MAX_CURSORS][LX_TOKEN_BUF];
    struct lx_relscratch *rel; /* related.c's reusable term tables */
};

/* Begins the read transaction and refreshes the snapshot cache for the
 * ranking parameters p. */
int lx_searcher_begin(lx_searcher *s, const lx_rank_params *p, lx_error *err);
void lx_searcher_end(lx_searcher *s);

/* A fresh posting cursor from the pool (valid until the next begin). */
lx_pcursor *lx_searcher_pcursor(lx_searcher *s);

/* Bitmap helpers over docids [0, st.next_doc). */
void lx_bitmap_fill(uint64_t *b, size_t words, uint32_t ndocs);
void lx_bitmap_and_list(uint64_t *b, uint64_t *tmp, size_t words, const void *docs, size_t n);

/* Builds hit i of r from doc, copying strings into r's arena. */
typedef struct lx_resbuild lx_resbuild;

/* Results assembly.  finish counts facets over the matched bitmap when
 * `facets` > 0, keeping that many values per facet (UINT_MAX: all). */
lx_resbuild *lx_resbuild_new(size_t n);
int lx_resbuild_hit(lx_resbuild *b, lx_searcher *s, uint32_t doc, double score, int snippets,
                    const char *const *shared_tags, size_t n_shared_tags,
                    const char *const *shared_terms, size_t n_shared_terms);
int lx_resbuild_finish(lx_resbuild *b, lx_searcher *s, const uint64_t *matched, uint64_t total,
                       unsigned facets, double t0, lx_results **out);
void lx_resbuild_free(lx_resbuild *b);

double lx_now_ms(void);

/* Fills s->allow from the tags, lang and speaker options (and the filters
 * of the query in s->q, which must be parsed: the empty query will do).
 * Returns 1 when a filter applies, 0 when none, or a negative LX_E* code.
 * Shared with related.c. */
int lx_search_filter(lx_searcher *s, const lx_search_opts *o, lx_error *err);

/* Frees related.c's scratch (NULL is fine); called by lx_searcher_close. */
void lx_related_scratch_free(struct lx_relscratch *r);
#endif
