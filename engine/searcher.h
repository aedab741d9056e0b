/* searcher.h -- the searcher: one read transaction per call, the
 * snapshot it caches, the scratch one query reuses, and the call's sticky
 * error (internal).
 *
 * The modules of the query side each keep their own state behind the
 * searcher and reach it through their own functions:
 *   plan.c      clauses to cursors, query languages, the scored cursors
 *   filter.c    the filters as one bitmap of permitted lectures
 *   bitmap.c    bitmaps over docids
 *   tagboost.c  tag boosts (the tagstem database in memory)
 *   facet.c     facet indexes and counting
 *   termbits.c  common words' lists as bitmaps, for the match set
 *   snapmemo.c  word lists and lecture groups looked up in the snapshot
 *   resbuild.c  the result page (stored fields, snippets, facets)
 *   snippet.c   snippet terms, their positions and the passage
 *   lookup.c    lx_get, lx_tags, lx_stats_get
 *   search.c    lx_search
 * Parts a module keeps here (facets, tag forms, snippet state, related
 * lectures' scratch) are freed through the hook it registers, so the
 * searcher depends on none of them.
 *
 * Sticky error (as rc in FTS5's Fts5Index): lx_searcher_begin clears it;
 * the first failure sets it and fills the caller's lx_error; helpers that
 * see it set do nothing, and the call returns it. */
#ifndef LX_SEARCHER_H
#define LX_SEARCHER_H
#include "postings.h"
#include "query.h"
#include "rank.h"
#include "snippet.h"
#include "stem.h"
#include "store.h"
#include "strmap.h"

/* A word of the query corrected by typo tolerance (fuzzy.c). */
#define LX_MAX_FIXES 16
typedef struct lx_fix {
    int clause;            /* in s->q */
    char to[LX_TOKEN_BUF]; /* the word as written in the index */
} lx_fix;

/* Parts a module keeps in the searcher, freed by lx_searcher_close. */
enum {
    LX_PART_FACETS,
    LX_PART_TAGFORMS,
    LX_PART_SNIPPER,
    LX_PART_XLATE,
    LX_PART_VOCAB,
    LX_PART_COMPLETIONS,
    LX_PART_SPEAKERS, /* lecturers.c: each lecture's people, by docid */
    LX_PART_TERMBITS, /* termbits.c: common words' lists as bitmaps */
    LX_PART_SNAPMEMO, /* snapmemo.c: lookups kept for the snapshot */
    LX_NPARTS
};

struct lx_searcher {
    lx_index *ix;
    lx_env *env; /* the environment txn belongs to (store.h) */
    MDB_txn *txn;
    int txn_live;
    lx_stemmers stem;
    int rc;        /* sticky error of this call; 0 = none */
    lx_work work;  /* this call's work budget (lx_searcher_begin: none) */
    lx_error *err; /* the caller's, for the detail (may be NULL) */
    /* Snapshot cache, valid while the committed txn id is unchanged. */
    size_t snap;
    int have_snap;
    lx_collstats st;
    float *invb;
    size_t invb_cap;
    double *acc; /* lx_scorer.acc and accbits, for acc_cap docids */
    uint64_t *accbits;
    size_t acc_cap;
    lx_rank_params pcache;
    lx_scorer sc;
    char langs[LX_MAX_LANGS][LX_LANG_BYTES];
    int nlangs;
    /* Scratch reused across queries. */
    lx_pcursor **pool;
    int npool, used;
    lx_qcur qc[LX_MAX_CURSORS];
    int nqc;
    lx_qcur rq[LX_MAX_CURSORS];    /* the ranked cursors: qc's clauses grouped (lx_qcur_group) */
    lx_qcur qsave[LX_MAX_CURSORS]; /* qc as planned, fresh (lx_plan_save) */
    /* The lists the last match set of this call walked whole
     * (lx_plan_match_set): their docids, decoded once for the ranking's
     * and the snippets' cursors on the same lists (lx_plan_known). */
    struct {
        const uint8_t *val;   /* the list's value */
        const uint32_t *docs; /* its docids: in kdocs, or termbits.c's */
    } known[LX_MAX_CURSORS];
    int nknown;
    uint32_t *kdocs;
    size_t kdocs_cap;
    MDB_val
        langv[LX_MAX_LANGS]; /* lx_searcher_lang's, for this snapshot when bit i of langv_have */
    uint32_t langv_have;
    /* lx_searcher_lang_bits's, for this snapshot when bit i of lbits_have */
    uint64_t *lbits[LX_MAX_LANGS];
    uint32_t lbits_have;
    int suggested; /* this search's tag filter and boosts use suggested tags */
    uint64_t *allow, *tmp;
    uint64_t *fb; /* the original query's matches, for feedback; or the permitted
                     lectures but an intersection's kept hits (search.c) */
    size_t words; /* of each bitmap */
    lx_scored *heap;
    uint32_t heap_cap;
    lx_query q;
    lx_query q2;              /* scratch: the speaker option parsed */
    lx_fix fix[LX_MAX_FIXES]; /* this search's corrections (lx_plan_scored) */
    int nfix;
    lx_buf dropped; /* a long query's words left out (longq.c), NUL-separated */
    int ndropped;
    /* The terms snippets show (set by lx_search or lx_related); when
     * snip_ready, their lists were looked up in this transaction and
     * snippets come from where they occur. */
    lx_snip_terms snip;
    int snip_ready;
    void *part[LX_NPARTS];
    void (*part_free[LX_NPARTS])(void *);
    struct lx_relscratch *rel; /* related.c's reusable term tables */
    /* When set, lx_search's page is page_fn's, made from the ranked docids
     * (top, n of them, best first) in the search's transaction, snippet
     * terms ready, instead of one hit per docid (lecturers.c: only the
     * lectures a page of people shows).  Returns 0 or an LX_E* code. */
    int (*page_fn)(lx_searcher *s, const lx_scored *top, uint32_t n, double t0, lx_results **out,
                   void *ctx);
    void *page_ctx;
    void (*rel_free)(struct lx_relscratch *);
};

/* lx_search's flag for the first pass of lectures like a text
 * (lx_related_text): the text as a plain search. */
#define LX_SEARCH_TEXT_PASS 0x40000000u

/* Begins the read transaction and refreshes the snapshot cache for the
 * ranking parameters p; clears the sticky error and keeps err for its
 * detail; the work budget is none until the call sets one.  Returns 0, LX_EIO, LX_EFORMAT,
 * LX_ENOMEM (err filled). */
int lx_searcher_begin(lx_searcher *s, const lx_rank_params *p, lx_error *err);
void lx_searcher_end(lx_searcher *s);

/* The outcome of a read of lecture id, for the caller: 0, "no lecture with
 * id" for LX_ENOTFOUND, else the code's message (err filled); rc. */
int lx_searcher_id_result(lx_error *err, int rc, const char *id);

/* Sets the sticky error (the first one wins) and fills the caller's err;
 * returns the sticky code. */
int lx_searcher_fail(lx_searcher *s, int code, const char *field, long offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Part i of the searcher (NULL until set); setting registers how it is
 * freed. */
void *lx_searcher_part(lx_searcher *s, int i);
void lx_searcher_set_part(lx_searcher *s, int i, void *p, void (*free_fn)(void *));

/* A fresh posting cursor from the pool (valid until the next begin);
 * NULL when out of memory. */
lx_pcursor *lx_searcher_pcursor(lx_searcher *s);

/* lx_store_term of term t (n bytes) without its positions in this call's
 * transaction, read once while the snapshot is (snapmemo.c): 0,
 * LX_ENOTFOUND or the read's error (not kept). */
int lx_searcher_term(lx_searcher *s, const char *t, size_t n, MDB_val *post);

/* lx_searcher_term as an lx_post_lookup (snippet.h), s the searcher,
 * with the term's positions when pos is not NULL (kept for the snapshot
 * too): the snippets' terms are mostly the plan's. */
int lx_searcher_post(void *s, const char *t, size_t n, MDB_val *post, MDB_val *pos);

/* The place of language code among the index's (s->langs), or -1. */
int lx_searcher_lang_find(const lx_searcher *s, const char *code);

/* The lectures of language s->langs[i] (lx_store_lang), read once a
 * call: 0 or the read's error (not kept). */
int lx_searcher_lang(lx_searcher *s, int i, MDB_val *docs);

/* The lectures of language s->langs[i] as a bitmap over docids (s->words
 * words), made once a snapshot: NULL with the sticky error set when the
 * list cannot be read or memory runs out.  (A translation whose list is
 * shorter than its language's checks each of its docs there.) */
const uint64_t *lx_searcher_lang_bits(lx_searcher *s, int i);

/* Sets the sticky error when a cursor of q found its list damaged (the
 * cursor then reads as ended); returns the sticky code. */
int lx_searcher_check_cursor(lx_searcher *s, const lx_qcur *q);

double lx_now_ms(void);
#endif
