/* postings.h -- posting lists: the in-memory form the writer builds and
 * merges, the block-compressed form stored in LMDB, and the cursor the
 * query path decodes in place (internal).  The byte layout is described at
 * the top of postings.c. */
#ifndef LX_POSTINGS_H
#define LX_POSTINGS_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lectern.h"

#define LX_BLOCK 128
#define LX_DOC_END 0xFFFFFFFFu

/* A growable byte buffer. */
typedef struct lx_buf {
    uint8_t *p;
    size_t n, cap;
} lx_buf;

/* Makes room for extra more bytes; afterwards b->p is never NULL.
 * Returns 0 or LX_ENOMEM. */
int lx_buf_reserve(lx_buf *b, size_t extra);
int lx_buf_append(lx_buf *b, const void *p, size_t n);
void lx_buf_free(lx_buf *b);

/* A decoded posting list, docs ascending. */
typedef struct lx_plist {
    uint32_t n, cap;
    uint32_t *doc;
    uint32_t *tf; /* n * LX_NFIELDS */
    lx_buf pos;   /* each doc's positions, fields in order, vbyte deltas */
} lx_plist;

void lx_plist_free(lx_plist *pl);
void lx_plist_clear(lx_plist *pl);

/* Appends one posting; positions bytes pos[0..poslen) for it. */
int lx_plist_add(lx_plist *pl, uint32_t doc, const uint32_t tf[LX_NFIELDS], const uint8_t *pos,
                 size_t poslen);

/* Decodes a stored list (post + pos values) and appends its postings to
 * pl, leaving out docs for which drop(ctx, doc) is true (drop may be NULL).
 * Returns 0, LX_ECORRUPT (a damaged list) or LX_ENOMEM. */
int lx_plist_decode(const uint8_t *post, size_t postlen, const uint8_t *pos, size_t poslen,
                    int (*drop)(void *ctx, uint32_t doc), void *ctx, lx_plist *pl);

/* Encodes pl into the stored form.  norms[doc * LX_NFIELDS + f] are the
 * field lengths (for the per-block bounds).  Appends to post and pos. */
int lx_plist_encode(const lx_plist *pl, const uint32_t *norms, lx_buf *post, lx_buf *pos);

/* Score bound inputs for a list or block: per field, the largest tf and
 * the shortest field length among the docs that have the term there. */
typedef struct lx_bound {
    uint32_t maxtf[LX_NFIELDS];
    uint32_t minlen[LX_NFIELDS];
} lx_bound;

/* A finer block bound: per field up to LX_BOUND_PAIRS (tf, len) points
 * that dominate every doc of the block (for each doc some point has
 * tf >= its tf and len <= its length): the staircase of the largest tf at
 * each length, merged down to LX_BOUND_PAIRS steps. */
#define LX_BOUND_PAIRS 4
typedef struct lx_pbound {
    uint32_t tf[LX_NFIELDS][LX_BOUND_PAIRS];
    uint32_t len[LX_NFIELDS][LX_BOUND_PAIRS]; /* (0, 0) = unused */
} lx_pbound;

/* A cursor over a stored list, decoding one block at a time in place. */
/* What the searcher keeps of a common word's list for its snapshot
 * (termbits.c), read by the list's cursors instead of decoding it. */
typedef struct lx_kept {
    const uint64_t *bits; /* the list's docs as a bitmap below its limit */
    const double *sat;    /* each posting's BM25F saturation as rank.h computes it
                             (lx_pcursor_sat), posting i of block b at sat[b * LX_BLOCK + i]
                             (NULL: none kept) */
    const double *bmax;   /* with sat: block b's largest, bmax[b] */
    const uint32_t *cum;  /* with sat: bits' docs before each word (doc d is the posting
                             cum[d / 64] + the bits below d in its word) */
} lx_kept;

typedef struct lx_pcursor {
    const uint8_t *val, *end;  /* the posting value */
    const uint8_t *pos, *pend; /* the positions value (NULL until given) */
    uint32_t df, nblocks;
    uint8_t listmask;      /* fields present anywhere in the list */
    uint8_t nlf;           /* popcount(listmask) */
    lx_bound lbound;       /* whole-list bound */
    const uint8_t *dir;    /* block directory (nblocks > 1) */
    size_t dirent;         /* bytes per directory entry */
    const uint8_t *blocks; /* first block */
    uint32_t bi;           /* current block */
    uint32_t n, i;         /* docs in block, index of the current */
    uint32_t doc;          /* current doc, LX_DOC_END when done */
    int rc;                /* 0, or LX_ECORRUPT once the list was found damaged
                              (the cursor then reads as ended): callers check it */
    const char *why;       /* with rc: what was found damaged (static text) */
    uint32_t bad_block;    /* with rc: the block where (or the last loaded) */
    uint32_t limit;        /* docids must be below this (the index's next_doc) */
    uint32_t lo;           /* the next block's first doc must be at least this */
    const uint32_t *known; /* every docid of the list, decoded and checked by an earlier
                              walk of this call (lx_pcursor_mark): a block's docs are
                              copied from here, not unpacked (NULL: unpacked) */
    lx_kept kept;          /* with kept.sat, for the scorer kept_of (lx_pcursor_kept) */
    const void *kept_of;
    uint32_t block_pos_off;
    const uint8_t *maskp, *tfp, *bend; /* current block's masks, tfs, end */
    const uint8_t *tf_next;            /* tfs of doc tf_upto start here */
    uint32_t tf_upto;                  /* docs of the block read past */
    int tf_gap;                        /* some tf[] rows before tf_upto were skipped */
    uint32_t weak_upto, weak_e;        /* lx_pcursor_skip_weak: docs[weak_e] is this block's
                                          last doc <= weak_upto (LX_DOC_END: none found) */
    uint32_t pos_i;                    /* lx_pcursor_positions: doc pos_i of this block */
    const uint8_t *pos_p, *pos_tf;     /* has its positions at pos_p (NULL: none found yet)
                                          and its tfs at pos_tf */
    const uint32_t *docs;              /* the block's n docids: in dbuf, or read in place
                                          from known (or from a walk's own copy) */
    uint32_t dbuf[LX_BLOCK];
    uint32_t tf[LX_BLOCK][LX_NFIELDS];
} lx_pcursor;

/* Opens a cursor on the first posting.  Returns 0 or LX_ECORRUPT (a
 * damaged header; c->rc is set too).  Every block the cursor loads is checked against the
 * header and the directory (its size, offsets, first and last doc, docids
 * ascending): a damaged block sets c->rc = LX_ECORRUPT and ends the
 * cursor.  Docids are not checked against an index: use
 * lx_pcursor_open_limit on a list read from one. */
int lx_pcursor_open(lx_pcursor *c, const uint8_t *val, size_t len);

/* As lx_pcursor_open, and a docid >= limit (the index's next_doc: bitmaps
 * and norms are sized by it) marks the list damaged as above. */
int lx_pcursor_open_limit(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t limit);

/* As lx_pcursor_open_limit on a list whose every docid all holds, as
 * lx_pcursor_mark gave them (checked): its blocks' docids read there
 * (lx_pcursor_known), the first one too. */
int lx_pcursor_open_known(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t limit,
                          const uint32_t *all);

/* Opens a cursor on the first posting with doc >= target, decoding only
 * the block that holds it. */
int lx_pcursor_open_at(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t target);

/* As lx_pcursor_open_at, with docids checked against limit. */
int lx_pcursor_open_at_limit(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t target,
                             uint32_t limit);

/* Copies src into dst as a cursor of its own at the same place: the
 * block's docs and the tf rows decoded, not the whole struct. */
void lx_pcursor_copy(lx_pcursor *dst, const lx_pcursor *src);

/* Entry i of an ascending list of u32 docids as stored (unaligned: a
 * language's lectures, lx_searcher_lang). */
static inline uint32_t lx_docs_at(const uint8_t *p, size_t i) {
    uint32_t d;
    memcpy(&d, p + i * 4, 4);
    return d;
}

/* The place of the first entry >= doc of such a list p[0..n) (n: none),
 * searched from place from on by a gallop (1, 2, 4, ... entries ahead)
 * and a binary search of the last step: ascending targets cost a few
 * compares for a short step and a logarithm of a long one. */
static inline size_t lx_docs_gallop(const uint8_t *p, size_t n, uint32_t doc, size_t from) {
    size_t lo = from, hi = from, step = 1;
    while (hi < n && lx_docs_at(p, hi) < doc) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > n)
        hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lx_docs_at(p, mid) < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Moves to the next posting (doc = LX_DOC_END at the end). */
void lx_pcursor_next(lx_pcursor *c);

/* Moves to the first posting with doc >= target. */
void lx_pcursor_advance(lx_pcursor *c, uint32_t target);

/* Moves to the first posting with doc >= target inside the current block,
 * whose last doc is at least target. */
static inline void lx_pcursor_scan(lx_pcursor *c, uint32_t target) {
    uint32_t i = c->i;
    while (i + 3 < c->n && c->docs[i + 3] < target) /* four at a time */
        i += 4;
    while (c->docs[i] < target)
        i++;
    c->i = i;
    c->doc = c->docs[i];
}

/* lx_pcursor_advance with a step inside the current block inline (the
 * query loops' common case). */
static inline void lx_pcursor_seek(lx_pcursor *c, uint32_t target) {
    if (c->doc != LX_DOC_END && c->doc < target && c->docs[c->n - 1] >= target)
        lx_pcursor_scan(c, target);
    else
        lx_pcursor_advance(c, target);
}

/* The current posting's tf per field.  Rows of c->tf before the current
 * doc may be left undecoded (skipped over). */
const uint32_t *lx_pcursor_tf(lx_pcursor *c);

/* Moves past the docs up to upto whose pseudo-frequency (the sum over
 * fields of tf_f * invb[doc][f], invb as lx_scorer's) is below T,
 * stopping on the first that reaches it, past upto, or at the end: a
 * walk that drops the postings too weak to matter without a call per
 * doc.  Returns the docs walked past. */
uint32_t lx_pcursor_skip_weak(lx_pcursor *c, const float *invb, double T, uint32_t upto);

/* lx_pcursor_skip_weak for a cursor with kept saturations (c->kept.sat):
 * the docs whose saturation is below S walked past. */
uint32_t lx_pcursor_skip_weak_sat(lx_pcursor *c, double S, uint32_t upto);

/* Decodes the tfs of every doc in the current block into c->tf (for a
 * caller that walks the block itself). */
void lx_pcursor_tf_block(lx_pcursor *c);

/* The bound of the block that holds target (or would), without decoding
 * it; *last receives that block's last doc (LX_DOC_END past the end, where
 * the bound is all zero). */
void lx_pcursor_block_bound(const lx_pcursor *c, uint32_t target, lx_bound *b, uint32_t *last);

/* The staircase bound of the block that holds target (see lx_pbound);
 * *last as for lx_pcursor_block_bound.  For a single-block list, the
 * list bound as one step per field. */
void lx_pcursor_block_pbound(const lx_pcursor *c, uint32_t target, lx_pbound *b, uint32_t *last);

/* Sets the bit of every doc from the current one to the end of the list
 * in bits (one per docid, below the cursor's limit) and ends the cursor:
 * lx_pcursor_next's walk without a call per doc.  A damaged block sets
 * c->rc and ends it as there.  all (NULL: not asked) receives the docids
 * walked in order, block b's at all + b * LX_BLOCK, when the cursor stood
 * at the list's first doc: room for df.  Returns 1 when all holds every
 * docid of the list, checked (for lx_pcursor_known), else 0. */
int lx_pcursor_mark(lx_pcursor *c, uint64_t *bits, uint32_t *all);

/* Lets cursor c (open on the same list value) copy each block's docids
 * from all, the list's every docid as lx_pcursor_mark gave them, instead
 * of unpacking them: the same docs, the same cursor.  Until c is opened
 * again. */
void lx_pcursor_known(lx_pcursor *c, const uint32_t *all);

/* Lets cursor c's postings be scored from k->sat, kept for the scorer of
 * (lx_term_part: a read, not a decode and a division), its blocks
 * bounded by k->bmax, and its docs tested in k->bits without moving it.
 * Until c is opened again. */
void lx_pcursor_kept(lx_pcursor *c, const lx_kept *k, const void *of);

/* The block that holds target (or would: the first whose last doc is
 * at least target), searched from the current one, without decoding it;
 * *last receives its last doc.  nblocks (*last LX_DOC_END) past the end
 * or when the cursor has ended. */
uint32_t lx_pcursor_block_at(const lx_pcursor *c, uint32_t target, uint32_t *last);

/* The bytes of a cursor that hold its list's header once opened
 * (lx_pcursor_open_head): a caller that opens the same list for many
 * docs keeps them and copies them back instead of parsing the header
 * again. */
#define LX_PCURSOR_HEAD offsetof(lx_pcursor, dbuf)

/* Reads the header of the list val only (no block loaded: c is not on a
 * posting until lx_pcursor_known_at).  Returns 0 or LX_ECORRUPT. */
int lx_pcursor_open_head(lx_pcursor *c, const uint8_t *val, size_t len);

/* For a cursor whose header was just opened (lx_pcursor_open_head, or
 * its LX_PCURSOR_HEAD bytes copied back) on a list whose every docid is
 * known (all, as lx_pcursor_mark gave them): target found by a search of
 * them, its block loaded from them, not unpacked.  0 on target's posting,
 * 1 when the list lacks it (c then unusable), or LX_ECORRUPT. */
int lx_pcursor_known_at(lx_pcursor *c, const uint32_t *all, uint32_t target);

/* Positions of the current posting in field f into out (at most max);
 * returns the count.  Needs c->pos set.  A block offset past the
 * positions value, or positions that end before the tfs say, set c->rc
 * to LX_ECORRUPT (the positions read are returned). */
uint32_t lx_pcursor_positions(lx_pcursor *c, int f, uint32_t *out, uint32_t max);

/* As lx_pcursor_positions for the nf adjacent fields f .. f + nf - 1 at
 * once (their positions are stored one after the other, so the block is
 * skipped once): out[g] receives field f + g's, at most max, n[g] their
 * count; returns n[0]. */
uint32_t lx_pcursor_positions_fields(lx_pcursor *c, int f, int nf, uint32_t *const out[],
                                     uint32_t max, uint32_t n[]);

/* Whether one of the current posting's first max positions in field f is
 * want[a] + shift for some a (want[0..n) ascending): a phrase's last word
 * checked against the positions its words before it leave, read only up
 * to the first that meets.  The positions read are added to *read.
 * Damage as for lx_pcursor_positions (returns 0). */
int lx_pcursor_positions_meet(lx_pcursor *c, int f, const uint32_t *want, uint32_t n,
                              uint32_t shift, uint32_t max, uint64_t *read);
#endif
