/* relterms.h -- related lectures, steps 1 and 2: a lecture's terms and
 * the most significant of them, with the scratch and cache that make a
 * warm call cheap (internal; see relterms.c). */
#ifndef LX_RELTERMS_H
#define LX_RELTERMS_H
#include "postings.h"
#include "rank.h"
#include "stem.h"
#include "store.h"

/* Selected terms at most (a query of that many TERM cursors); at most 64,
 * the bits of a candidate's shared-terms mask. */
#ifndef REL_TERMS /* (tuning builds override with -D) */
#define REL_TERMS 60
#endif
/* Field weights of term selection: title, tags, speaker, description,
 * transcript.  Speaker names say who, not what: left out. */
#ifndef REL_SEL_W
#define REL_SEL_W                                                                                  \
    { 3.0, 3.0, 0.0, 5.0, 1.0 }
#endif
static const double SEL_W[LX_NFIELDS] = REL_SEL_W;
/* Terms weighing less are taken only to fill a short lecture's query. */
#ifndef REL_MIN_WTF
#define REL_MIN_WTF 2.0
#endif
/* Terms in more than this fraction of the lectures are not selected
 * (in a collection of more than REL_MAX_DF_FLOOR / REL_MAX_DF lectures). */
#ifndef REL_MAX_DF
#define REL_MAX_DF 0.3
#endif
#define REL_MAX_DF_FLOOR 16.0
/* The scoring constants REL_K1, REL_QPOW and REL_TAG_W are in rank.h. */
/* Cosine over the selected terms above which a lecture of about the same
 * length is a near-duplicate. */
#define REL_DUP_COS 0.9
/* Shared terms reported per hit. */
#define REL_SHARED_TERMS 5
/* The cache is emptied when it holds this many words. */
#define REL_CACHE_WORDS (1u << 18)

_Static_assert(REL_TERMS <= 64, "a candidate's shared terms are a 64-bit mask");

/* An open-addressing hash slot; klen 0 = empty (no key is empty). */
typedef struct rel_slot {
    uint32_t hash;
    uint32_t key, klen; /* key bytes in the cache arena */
    uint32_t val;
} rel_slot;

typedef struct rel_map {
    rel_slot *slot;
    uint32_t cap, n; /* cap a power of two */
} rel_map;

#define REL_STOP UINT32_MAX /* a word's value: not a query term */

/* A term met in some call (cached). */
typedef struct rel_info {
    uint32_t key, klen;  /* the term */
    uint32_t form, flen; /* the first token seen for it: shown to people */
    uint32_t df;
    int have_df;
    size_t snap;          /* the snapshot df was read in */
    uint32_t stamp, slot; /* the call that counts it and its row there */
} rel_info;

/* A term of this call's lecture. */
typedef struct rel_term {
    uint32_t id; /* rel_info */
    uint32_t tf[LX_NFIELDS];
    double acc; /* wtf folded in from earlier sources (lx_relterms_fold) */
    double wtf, sig, idf;
    const uint8_t *post; /* posting list, in the map (this call) */
    size_t postlen;
} rel_term;

/* A token met in this call (valid when stamp is the call's). */
typedef struct rel_seen {
    uint32_t stamp, hash;
    uint32_t key, klen; /* in callkeys */
    uint32_t row;       /* its rel_tok */
} rel_seen;

/* A distinct token of this call. */
typedef struct rel_tok {
    uint32_t key, len; /* language byte and token, in callkeys */
    uint32_t h;        /* hash of that key */
    uint32_t id;       /* its term, or REL_STOP */
    uint32_t tf[LX_NFIELDS];
} rel_tok;

struct lx_relscratch {
    /* The cache (across calls). */
    lx_buf keys;
    rel_map words, terms; /* lang + token -> term id; term -> term id */
    rel_info *info;
    uint32_t ninfo, capinfo;
    /* This call. */
    uint32_t gen;
    rel_seen *seen;
    uint32_t seencap, nseen;
    rel_tok *tok;
    uint32_t ntok, captok;
    lx_buf callkeys;
    int lang; /* the lecture's stemmer */
    char langcode[LX_LANG_BYTES];
    int oom;
    rel_term *t;
    uint32_t nt, capt;
    uint64_t *order;
    uint32_t capord;
    double *score;  /* per docid: this call's score */
    uint64_t *mask; /* per docid: the selected terms it has */
    uint32_t capdoc;
    lx_scored *cand; /* per docid: room for every candidate (related.c) */
    lx_scored *top;  /* the best candidates (a heap, then sorted) */
    uint32_t captop;
    char tagkey[LX_MAX_TAGS][LX_MAX_TAG_BYTES * 3 + 1];
};

/* What the terms are read from: the stemmers, the read transaction and
 * its snapshot, and the live lectures (for idf). */
typedef struct lx_relsrc {
    lx_stemmers *stem;
    MDB_txn *txn;
    lx_index *ix;
    size_t snap;
    double N;
} lx_relsrc;

/* Frees the scratch (NULL is fine). */
void lx_related_scratch_free(struct lx_relscratch *r);
/* Empties the cross-call cache. */
void lx_relterms_cache_clear(struct lx_relscratch *r);
/* Allocates a map's slots once (0, or -1 when out of memory). */
int lx_relterms_map_init(rel_map *m);
/* The token callback of lx_analyze (ctx: the scratch): counts the tokens
 * of this call per field; r->oom is set when out of memory. */
void lx_relterms_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos);
/* Adds the terms of a stored vector (relvec.c, after its header: p to
 * end) as this call's rows, as lx_relterms_resolve adds a tokenised
 * lecture's.  0, LX_ENOMEM, or LX_ECORRUPT when the value is damaged (the
 * rows are then partial: reset the call). */
int lx_relterms_from_vec(struct lx_relscratch *r, const uint8_t *p, const uint8_t *end);
/* Gives each distinct token of the call its term and adds its counts to
 * the term's row.  0, or LX_ENOMEM. */
int lx_relterms_resolve(const lx_relsrc *src, struct lx_relscratch *r);
/* Folds the counts of the source just resolved into the rows' acc and
 * empties the counts for the next source: w times the term's share of the
 * source's weighted frequency, times *ref (when 0, *ref becomes this
 * source's total: the first source keeps its own scale, and one source
 * alone selects as lx_related does); raw: w times its own weighted
 * frequency, whatever the source's length.  Lectures like a text
 * (related.c) blend several sources so. */
void lx_relterms_fold(struct lx_relscratch *r, double w, int raw, double *ref);
/* Picks at most REL_TERMS rows into sel[], best first, each with its
 * posting list; returns the count, or a negative LX_E* code (LX_ENOMEM,
 * LX_EIO, ...) with err filled. */
int lx_relterms_select(const lx_relsrc *src, struct lx_relscratch *r, uint32_t *sel, lx_error *err);
/* The cosine of the tf-idf vectors of the lecture and of doc d over the
 * selected terms (d's tfs read from the posting lists with pc) into *out.
 * 0, or LX_ECORRUPT (err filled) when a list is damaged. */
int lx_relterms_cosine(lx_pcursor *pc, const struct lx_relscratch *r, const uint32_t *sel, int ns,
                       uint32_t d, double *out, lx_error *err);
#endif
