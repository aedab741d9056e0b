/* postings.c -- posting lists, block-compressed, decoded in place.
 *
 * Stored form of one term's list (the value under the term in the "post"
 * database; integers are host order, which is little-endian on every
 * target we build for, and read with memcpy so no alignment is assumed):
 *
 *   vbyte df                  documents in the list
 *   vbyte nblocks             blocks of up to 128 documents
 *   u8    listmask            bit f set when field f has the term somewhere
 *   per field f in listmask:  vbyte maxtf, vbyte minlen   (list bound)
 *   directory, only when nblocks > 1, one fixed-size entry per block:
 *     u32 last_doc            last docid in the block (for skipping)
 *     u32 data_off            block start, from the first block
 *     u32 pos_off             block start in the positions value
 *     per field f in listmask: 4 x (u32 tf, u32 len)   (block bound: the
 *                             staircase of the largest tf at each field
 *                             length, lengths ascending, unused (0, 0))
 *   blocks, each:
 *     u8  n - 1               documents in the block, less one
 *     u8  bits                width of the packed gaps
 *     u32 first_doc
 *     bit-packed (n - 1) gaps: doc[i] - doc[i-1] - 1
 *     n mask bytes            fields present per doc; omitted when the
 *                             list has a single field (mask = listmask)
 *     vbyte tf                per doc, per field in its mask, ascending
 *
 * Positions (the value under the term in the "pos" database) are kept
 * apart so ranking never touches them: per doc in list order, per field in
 * its mask, tf vbyte deltas (the first from 0).  A block's positions start
 * at its directory pos_off.
 *
 * The bounds let the query path cap a block's BM25F contribution without
 * decoding it: a field's pseudo-frequency grows with tf and falls with the
 * field's length, so a set of (tf, len) points such that every doc has a
 * point with tf >= its tf and len <= its length bounds every doc.  The
 * list bound is the single point (max tf, min len); a block keeps up to 4
 * points of its staircase, far tighter when one long lecture says a word
 * often and short ones say it once.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "postings.h"

/* ---- buffers ----------------------------------------------------------- */

int lx_buf_reserve(lx_buf *b, size_t extra) {
    /* Never NULL after success, even for 0 bytes: callers point into the
     * buffer (b->p + offset) whether or not anything was put there, and
     * arithmetic on a null pointer is undefined (clang's UBSan stops an
     * empty query's snippets on it). */
    if (b->p && b->n + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + extra)
        cap *= 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return LX_ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

int lx_buf_append(lx_buf *b, const void *p, size_t n) {
    if (lx_buf_reserve(b, n))
        return LX_ENOMEM;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    return 0;
}

void lx_buf_free(lx_buf *b) {
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- decoded lists ------------------------------------------------------ */

void lx_plist_free(lx_plist *pl) {
    free(pl->doc);
    free(pl->tf);
    lx_buf_free(&pl->pos);
    memset(pl, 0, sizeof *pl);
}

void lx_plist_clear(lx_plist *pl) {
    pl->n = 0;
    pl->pos.n = 0;
}

int lx_plist_add(lx_plist *pl, uint32_t doc, const uint32_t tf[LX_NFIELDS], const uint8_t *pos,
                 size_t poslen) {
    if (pl->n == pl->cap) {
        uint32_t cap = pl->cap ? pl->cap * 2 : 16;
        uint32_t *d = realloc(pl->doc, cap * sizeof *d);
        if (!d)
            return LX_ENOMEM;
        pl->doc = d;
        uint32_t *t = realloc(pl->tf, (size_t)cap * LX_NFIELDS * sizeof *t);
        if (!t)
            return LX_ENOMEM;
        pl->tf = t;
        pl->cap = cap;
    }
    pl->doc[pl->n] = doc;
    memcpy(pl->tf + (size_t)pl->n * LX_NFIELDS, tf, LX_NFIELDS * sizeof *tf);
    pl->n++;
    return lx_buf_append(&pl->pos, pos, poslen);
}

static void put_u32(lx_buf *b, uint32_t v) {
    memcpy(b->p + b->n, &v, 4);
    b->n += 4;
}

static uint32_t get_u32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint32_t tf_total(const uint32_t *tf) {
    uint32_t t = 0;
    for (int f = 0; f < LX_NFIELDS; f++)
        t += tf[f];
    return t;
}

static void bound_of(const lx_plist *pl, uint32_t from, uint32_t to, const uint32_t *norms,
                     lx_bound *b) {
    memset(b, 0, sizeof *b);
    for (uint32_t i = from; i < to; i++) {
        const uint32_t *tf = pl->tf + (size_t)i * LX_NFIELDS;
        const uint32_t *len = norms + (size_t)pl->doc[i] * LX_NFIELDS;
        for (int f = 0; f < LX_NFIELDS; f++) {
            if (!tf[f])
                continue;
            if (tf[f] > b->maxtf[f])
                b->maxtf[f] = tf[f];
            if (!b->minlen[f] || len[f] < b->minlen[f])
                b->minlen[f] = len[f];
        }
    }
}

static int cmp_point(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    if (x[1] != y[1])
        return x[1] < y[1] ? -1 : 1;       /* length ascending */
    return x[0] > y[0] ? -1 : x[0] < y[0]; /* then tf descending */
}

/* The staircase of docs [from, to) in field f: the points of largest tf
 * for their length, lengths ascending, merged into LX_BOUND_PAIRS steps
 * (a merged step takes its group's largest tf and smallest length, so it
 * still dominates).  Unused steps are (0, 0). */
static void staircase(const lx_plist *pl, uint32_t from, uint32_t to, const uint32_t *norms, int f,
                      uint32_t st[LX_BOUND_PAIRS][2]) {
    uint32_t pts[LX_BLOCK][2];
    uint32_t n = 0;
    for (uint32_t i = from; i < to; i++) {
        uint32_t t = pl->tf[(size_t)i * LX_NFIELDS + f];
        if (!t)
            continue;
        pts[n][0] = t;
        pts[n][1] = norms[(size_t)pl->doc[i] * LX_NFIELDS + f];
        n++;
    }
    memset(st, 0, sizeof(uint32_t) * 2 * LX_BOUND_PAIRS);
    if (!n)
        return;
    qsort(pts, n, sizeof pts[0], cmp_point);
    /* Keep a point only when its tf beats every shorter doc's. */
    uint32_t m = 0, best = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (pts[i][0] <= best)
            continue;
        best = pts[i][0];
        pts[m][0] = pts[i][0];
        pts[m][1] = pts[i][1];
        m++;
    }
    for (int g = 0; g < LX_BOUND_PAIRS; g++) {
        uint32_t a = (uint32_t)((uint64_t)m * g / LX_BOUND_PAIRS);
        uint32_t z = (uint32_t)((uint64_t)m * (g + 1) / LX_BOUND_PAIRS);
        if (a >= z)
            continue;
        st[g][0] = pts[z - 1][0]; /* the group's largest tf */
        st[g][1] = pts[a][1];     /* and smallest length */
    }
}

int lx_plist_encode(const lx_plist *pl, const uint32_t *norms, lx_buf *post, lx_buf *pos) {
    uint32_t nblocks = (pl->n + LX_BLOCK - 1) / LX_BLOCK;
    uint8_t listmask = 0;
    for (uint32_t i = 0; i < pl->n; i++)
        for (int f = 0; f < LX_NFIELDS; f++)
            if (pl->tf[(size_t)i * LX_NFIELDS + f])
                listmask |= (uint8_t)(1u << f);
    int nlf = __builtin_popcount(listmask);
    lx_bound lb;
    bound_of(pl, 0, pl->n, norms, &lb);

    size_t dirent = 12 + 8 * LX_BOUND_PAIRS * (size_t)nlf;
    /* Worst case: header, directory, and per doc 4+1+5*5 bytes. */
    size_t need = 16 + 10 * LX_NFIELDS + (nblocks > 1 ? nblocks * dirent : 0) +
                  (size_t)pl->n * (4 + 1 + 5 * LX_NFIELDS) + nblocks * 8;
    if (lx_buf_reserve(post, need))
        return LX_ENOMEM;
    post->n += lx_vbyte_put(post->p + post->n, pl->n);
    post->n += lx_vbyte_put(post->p + post->n, nblocks);
    post->p[post->n++] = listmask;
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!(listmask & (1u << f)))
            continue;
        post->n += lx_vbyte_put(post->p + post->n, lb.maxtf[f]);
        post->n += lx_vbyte_put(post->p + post->n, lb.minlen[f]);
    }
    size_t dir = post->n;
    if (nblocks > 1)
        post->n += nblocks * dirent;
    size_t blocks = post->n;

    /* Positions go out verbatim: the decoded form keeps the stored order. */
    if (lx_buf_append(pos, pl->pos.p, pl->pos.n))
        return LX_ENOMEM;
    const uint8_t *pp = pl->pos.p, *pe = pl->pos.p + pl->pos.n;

    uint32_t gaps[LX_BLOCK];
    for (uint32_t b = 0; b < nblocks; b++) {
        uint32_t from = b * LX_BLOCK, to = from + LX_BLOCK < pl->n ? from + LX_BLOCK : pl->n;
        uint32_t n = to - from;
        if (nblocks > 1) {
            size_t e = dir + b * dirent;
            size_t save = post->n;
            post->n = e;
            put_u32(post, pl->doc[to - 1]);
            put_u32(post, (uint32_t)(save - blocks));
            put_u32(post, (uint32_t)(pp - pl->pos.p));
            for (int f = 0; f < LX_NFIELDS; f++) {
                if (!(listmask & (1u << f)))
                    continue;
                uint32_t st[LX_BOUND_PAIRS][2];
                staircase(pl, from, to, norms, f, st);
                for (int k = 0; k < LX_BOUND_PAIRS; k++) {
                    put_u32(post, st[k][0]);
                    put_u32(post, st[k][1]);
                }
            }
            post->n = save;
        }
        uint32_t maxgap = 0;
        for (uint32_t i = 1; i < n; i++) {
            gaps[i - 1] = pl->doc[from + i] - pl->doc[from + i - 1] - 1;
            if (gaps[i - 1] > maxgap)
                maxgap = gaps[i - 1];
        }
        unsigned bits = lx_bits(maxgap);
        post->p[post->n++] = (uint8_t)(n - 1);
        post->p[post->n++] = (uint8_t)bits;
        put_u32(post, pl->doc[from]);
        post->n += lx_bitpack(gaps, n - 1, bits, post->p + post->n);
        if (nlf > 1) {
            for (uint32_t i = from; i < to; i++) {
                uint8_t m = 0;
                for (int f = 0; f < LX_NFIELDS; f++)
                    if (pl->tf[(size_t)i * LX_NFIELDS + f])
                        m |= (uint8_t)(1u << f);
                post->p[post->n++] = m;
            }
        }
        for (uint32_t i = from; i < to; i++) {
            const uint32_t *tf = pl->tf + (size_t)i * LX_NFIELDS;
            for (int f = 0; f < LX_NFIELDS; f++)
                if (tf[f])
                    post->n += lx_vbyte_put(post->p + post->n, tf[f]);
            pp = lx_vbyte_skip(pp, pe, tf_total(tf));
        }
    }
    return 0;
}

/* ---- cursor ------------------------------------------------------------- */

/* Ends the cursor on a damaged list, saying why. */
static void cursor_corrupt(lx_pcursor *c, const char *why) {
    c->doc = LX_DOC_END;
    c->n = c->i = c->tf_upto = 0; /* lx_pcursor_copy copies n docs and tf_upto rows */
    c->bi = c->nblocks;
    c->rc = LX_ECORRUPT;
    c->why = why;
}

static uint32_t block_last(const lx_pcursor *c, uint32_t b) {
    return get_u32(c->dir + (size_t)b * c->dirent);
}

/* Loads block b, checking it against what bounds it: its bytes lie
 * between its directory offset and the next block's, it holds the count
 * df implies, its docids ascend from above the last block's, stay below
 * c->limit and end at the directory's last doc.  Per block, never per
 * posting (but for a block whose gaps are wide enough to wrap).  Its
 * docids go to docs: c->docs, or for a walk that keeps them
 * (lx_pcursor_mark) where it keeps them, c->docs then left as it was. */
static void block_load_to(lx_pcursor *c, uint32_t b, uint32_t *docs) {
    if (b >= c->nblocks) {
        c->doc = LX_DOC_END;
        c->n = c->i = c->tf_upto = 0;
        c->bi = c->nblocks;
        return;
    }
    c->bi = b;
    size_t avail = (size_t)(c->end - c->blocks), off = 0, next = avail;
    if (c->nblocks > 1) {
        const uint8_t *e = c->dir + (size_t)b * c->dirent;
        off = get_u32(e + 4);
        c->block_pos_off = get_u32(e + 8);
        if (b + 1 < c->nblocks)
            next = get_u32(e + c->dirent + 4);
    } else {
        c->block_pos_off = 0;
    }
    c->bad_block = b;
    if (off > next || next > avail || next - off < 6)
        return cursor_corrupt(c, "block offsets outside the list");
    const uint8_t *p = c->blocks + off;
    c->bend = c->blocks + next;
    uint32_t n = (uint32_t)p[0] + 1;
    unsigned bits = p[1];
    uint32_t want = b + 1 < c->nblocks ? LX_BLOCK : c->df - (c->nblocks - 1) * LX_BLOCK;
    size_t pb = lx_bitpack_bytes(n - 1, bits);
    /* n is at most LX_BLOCK here, so docs[] is never overrun. */
    if (n != want)
        return cursor_corrupt(c, "block size not what df implies");
    if (bits > 32 || pb + (c->nlf > 1 ? n : 0) > next - off - 6)
        return cursor_corrupt(c, "block longer than its bytes");
    p += 6;
    if (c->known) {
        /* These bytes were unpacked and checked by this call's walk of
         * the list (lx_pcursor_mark): the same docids, read where they
         * lie. */
        c->docs = c->known + (size_t)b * LX_BLOCK;
    } else {
        uint32_t first = get_u32(p - 4);
        docs[0] = first;
        lx_bitunpack_gaps(p, n - 1, bits, first, docs + 1);
        uint32_t last = docs[n - 1];
        /* Each gap adds at least 1, so docids ascend unless the sum
         * wrapped, which only wide gaps can do. */
        if ((uint64_t)first + ((uint64_t)(n - 1) << bits) > UINT32_MAX) {
            for (uint32_t i = 1; i < n; i++)
                if (docs[i] <= docs[i - 1])
                    return cursor_corrupt(c, "docids not ascending");
        }
        if (first < c->lo)
            return cursor_corrupt(c, "docids not ascending from the block before");
        if (last >= c->limit)
            return cursor_corrupt(c, "docid past the index's next_doc");
        if (c->nblocks > 1 && last != block_last(c, b))
            return cursor_corrupt(c, "last docid not the directory's");
        c->docs = docs;
    }
    c->lo = c->docs[n - 1] + 1;
    p += pb;
    if (c->nlf > 1) {
        c->maskp = p;
        p += n;
    } else {
        c->maskp = NULL;
    }
    c->tfp = c->tf_next = p;
    c->n = n;
    c->i = 0;
    c->tf_upto = 0;
    c->tf_gap = 0;
    c->weak_upto = LX_DOC_END;
    c->pos_p = NULL;
    c->doc = c->docs[0];
}

static void block_load(lx_pcursor *c, uint32_t b) {
    block_load_to(c, b, c->dbuf);
}

static const uint8_t *read_bound(const uint8_t *p, const uint8_t *end, uint8_t mask, lx_bound *b) {
    memset(b, 0, sizeof *b);
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!(mask & (1u << f)))
            continue;
        p = lx_vbyte_get(p, end, &b->maxtf[f]);
        p = lx_vbyte_get(p, end, &b->minlen[f]);
    }
    return p;
}

static int header_corrupt(lx_pcursor *c, const char *why) {
    cursor_corrupt(c, why);
    return LX_ECORRUPT;
}

static int open_header(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t limit) {
    c->val = val;
    c->end = val + len;
    c->pos = c->pend = NULL;
    c->rc = 0;
    c->why = NULL;
    c->bad_block = 0;
    c->limit = limit;
    c->lo = 0;
    c->known = NULL;
    c->docs = c->dbuf;
    memset(&c->kept, 0, sizeof c->kept);
    c->kept_of = NULL;
    c->n = c->i = c->tf_upto = 0;
    const uint8_t *p = val;
    p = lx_vbyte_get(p, c->end, &c->df);
    p = lx_vbyte_get(p, c->end, &c->nblocks);
    /* nblocks is what df implies: the blocks are full but the last. */
    if (p >= c->end || c->df == 0 || c->nblocks != ((uint64_t)c->df + LX_BLOCK - 1) / LX_BLOCK)
        return header_corrupt(c, "df and block count disagree");
    c->listmask = *p++;
    if (c->listmask == 0 || (c->listmask >> LX_NFIELDS))
        return header_corrupt(c, "field mask names no field or one past the last");
    c->nlf = (uint8_t)__builtin_popcount(c->listmask);
    p = read_bound(p, c->end, c->listmask, &c->lbound);
    c->dirent = 12 + 8 * LX_BOUND_PAIRS * (size_t)c->nlf;
    c->dir = p;
    if (c->nblocks > 1) {
        if ((size_t)(c->end - p) / c->dirent < c->nblocks)
            return header_corrupt(c, "block directory past the end of the list");
        p += (size_t)c->nblocks * c->dirent;
    }
    c->blocks = p;
    return 0;
}

int lx_pcursor_open_limit(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t limit) {
    int rc = open_header(c, val, len, limit);
    if (!rc)
        block_load(c, 0);
    return rc;
}

int lx_pcursor_open_known(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t limit,
                          const uint32_t *all) {
    int rc = open_header(c, val, len, limit);
    if (!rc) {
        c->known = all;
        block_load(c, 0);
    }
    return rc;
}

int lx_pcursor_open(lx_pcursor *c, const uint8_t *val, size_t len) {
    return lx_pcursor_open_limit(c, val, len, LX_DOC_END);
}

static uint32_t block_find(const lx_pcursor *c, uint32_t from, uint32_t target);

int lx_pcursor_open_at_limit(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t target,
                             uint32_t limit) {
    int rc = open_header(c, val, len, limit);
    if (rc)
        return rc;
    /* Straight to the block that may hold target: no decoding on the way. */
    block_load(c, c->nblocks > 1 ? block_find(c, 0, target) : 0);
    lx_pcursor_advance(c, target);
    return 0;
}

int lx_pcursor_open_at(lx_pcursor *c, const uint8_t *val, size_t len, uint32_t target) {
    return lx_pcursor_open_at_limit(c, val, len, target, LX_DOC_END);
}

void lx_pcursor_copy(lx_pcursor *dst, const lx_pcursor *src) {
    /* Only what is valid: the docs of the block and the tf rows decoded
     * (rows are read only once decoded, tf_decode writes whole rows);
     * a whole cursor is 3 KiB, most of it the tf rows. */
    memcpy(dst, src, offsetof(lx_pcursor, dbuf));
    if (src->docs == src->dbuf) {
        memcpy(dst->dbuf, src->dbuf, src->n * sizeof src->dbuf[0]);
        dst->docs = dst->dbuf;
    }
    memcpy(dst->tf, src->tf, src->tf_upto * sizeof src->tf[0]);
}

void lx_pcursor_next(lx_pcursor *c) {
    if (c->doc == LX_DOC_END)
        return;
    if (++c->i < c->n) {
        c->doc = c->docs[c->i];
        return;
    }
    block_load(c, c->bi + 1);
}

/* Sets the bits of docs[0..n). */
static void mark_docs(uint64_t *bits, const uint32_t *docs, uint32_t n) {
    for (uint32_t i = 0; i < n; i++)
        bits[docs[i] / 64] |= 1ull << (docs[i] % 64);
}

int lx_pcursor_mark(lx_pcursor *c, uint64_t *bits, uint32_t *all) {
    if (c->doc == LX_DOC_END || c->bi || c->i)
        all = NULL; /* not from the list's first doc */
    if (c->doc != LX_DOC_END) {
        mark_docs(bits, c->docs + c->i, c->n - c->i);
        if (all)
            memcpy(all, c->docs, c->n * sizeof c->docs[0]);
    }
    /* The blocks after: unpacked straight to where all keeps them. */
    while (c->doc != LX_DOC_END) {
        uint32_t b = c->bi + 1;
        uint32_t *docs = all && b < c->nblocks ? all + (size_t)b * LX_BLOCK : c->dbuf;
        block_load_to(c, b, docs);
        if (c->doc == LX_DOC_END)
            break;
        if (all && c->docs != docs) /* read in place from a known list */
            memcpy(docs, c->docs, c->n * sizeof docs[0]);
        mark_docs(bits, c->docs, c->n);
    }
    return all && !c->rc;
}

void lx_pcursor_known(lx_pcursor *c, const uint32_t *all) {
    c->known = all;
}

void lx_pcursor_kept(lx_pcursor *c, const lx_kept *k, const void *of) {
    c->kept = *k;
    c->kept_of = of;
}

int lx_pcursor_open_head(lx_pcursor *c, const uint8_t *val, size_t len) {
    return open_header(c, val, len, LX_DOC_END);
}

/* The place of the first of all[0..n) (ascending) >= target, n when
 * none: a binary search that halves without a branch on the compare (a
 * snippet's hits land anywhere in a list, so the gallop from its start
 * that ascending targets want took twice the steps). */
static uint32_t known_find(const uint32_t *all, uint32_t n, uint32_t target) {
    if (!n)
        return 0;
    const uint32_t *base = all;
    while (n > 1) {
        uint32_t half = n / 2;
        base = base[half] < target ? base + half : base;
        n -= half;
    }
    return (uint32_t)(base - all) + (*base < target);
}

int lx_pcursor_known_at(lx_pcursor *c, const uint32_t *all, uint32_t target) {
    uint32_t lo = known_find(all, c->df, target);
    if (lo == c->df || all[lo] != target)
        return 1;
    c->known = all;
    block_load(c, lo / LX_BLOCK);
    if (c->doc == LX_DOC_END)
        return c->rc ? c->rc : LX_ECORRUPT;
    c->i = lo % LX_BLOCK;
    c->doc = c->docs[c->i];
    return 0;
}

/* First block at or after `from` whose last doc >= target. */
static uint32_t block_find(const lx_pcursor *c, uint32_t from, uint32_t target) {
    uint32_t lo = from, hi = c->nblocks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (block_last(c, mid) < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void lx_pcursor_advance(lx_pcursor *c, uint32_t target) {
    if (c->doc == LX_DOC_END || c->doc >= target)
        return;
    if (c->docs[c->n - 1] < target) {
        if (c->nblocks == 1 || c->bi + 1 >= c->nblocks) {
            c->doc = LX_DOC_END;
            c->bi = c->nblocks;
            return;
        }
        block_load(c, block_find(c, c->bi + 1, target));
        if (c->doc == LX_DOC_END)
            return;
    }
    lx_pcursor_scan(c, target);
}

/* Fields per mask (LX_NFIELDS bits). */
static const uint8_t mask_fields[32] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                        1, 2, 2, 3, 2, 3, 3, 4, 2, 3, 3, 4, 3, 4, 4, 5};

/* The tf vbytes of docs [from, to) of c's block: the fields in their
 * masks.  Eight masks at a time: a mask's fields are its set bits, so
 * eight masks hold the popcount of their word (SWAR: no popcount
 * instruction in a portable build). */
static uint32_t tf_values(const lx_pcursor *c, uint32_t from, uint32_t to) {
    if (!c->maskp)
        return to - from;
    const uint64_t lm = c->listmask * 0x0101010101010101ull;
    uint32_t k = 0, j = from;
    for (; j + 8 <= to; j += 8) {
        uint64_t w;
        memcpy(&w, c->maskp + j, 8);
        w &= lm;
        w -= (w >> 1) & 0x5555555555555555ull;
        w = (w & 0x3333333333333333ull) + ((w >> 2) & 0x3333333333333333ull);
        w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0full;
        k += (uint32_t)((w * 0x0101010101010101ull) >> 56);
    }
    for (; j < to; j++)
        k += mask_fields[c->maskp[j] & c->listmask];
    return k;
}

/* Decodes the tfs of docs [c->tf_upto, upto] of the block into c->tf.
 * With skip, docs before `upto` are only stepped over (their vbytes
 * counted, not decoded): a cursor that jumps through a block (a
 * non-essential list, a snippet's one lecture) pays for the docs it asks
 * about, not for the ones between. */
static void tf_decode(lx_pcursor *c, uint32_t upto, int skip) {
    const uint8_t *p = c->tf_next;
    uint32_t j = c->tf_upto;
    if (skip && j < upto) {
        p = lx_vbyte_skip(p, c->bend, tf_values(c, j, upto));
        j = upto;
        c->tf_gap = 1;
    }
    if (!c->maskp) {
        /* One field in the whole list: a plain run of vbytes (each row's
         * other fields written zero here, so that rows not decoded never
         * need to be: lx_pcursor_copy leaves them out). */
        int f = __builtin_ctz(c->listmask);
        for (; j <= upto; j++) {
            uint32_t *row = c->tf[j];
            memset(row, 0, sizeof c->tf[0]);
            p = lx_vbyte_get(p, c->bend, &row[f]);
        }
    } else {
        for (; j <= upto; j++) {
            uint32_t *row = c->tf[j];
            memset(row, 0, sizeof c->tf[0]);
            unsigned m = c->maskp[j] & c->listmask; /* never past the fields */
            while (m) {
                int f = __builtin_ctz(m);
                m &= m - 1;
                p = lx_vbyte_get(p, c->bend, &row[f]);
            }
        }
    }
    c->tf_next = p;
    c->tf_upto = upto + 1;
}

uint32_t lx_pcursor_skip_weak(lx_pcursor *c, const float *invb, double T, uint32_t upto) {
    uint32_t walked = 0;
    while (c->doc != LX_DOC_END && c->doc <= upto) {
        /* This block's docs up to upto: their tfs decoded in one call. */
        uint32_t i = c->i, e = c->n - 1;
        if (c->docs[e] > upto && c->weak_upto == upto) {
            e = c->weak_e;              /* found by an earlier call in this block */
        } else if (c->docs[e] > upto) { /* the last doc <= upto: docs[i] is */
            uint32_t lo = i, hi = e;
            while (lo + 1 < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (c->docs[mid] <= upto)
                    lo = mid;
                else
                    hi = mid;
            }
            e = lo;
            c->weak_upto = upto;
            c->weak_e = e;
        }
        if (i >= c->tf_upto)
            tf_decode(c, i, 1);
        if (e >= c->tf_upto)
            tf_decode(c, e, 0);
        for (uint32_t j = i; j <= e; j++) {
            const float *ib = invb + (size_t)c->docs[j] * LX_NFIELDS;
            const uint32_t *tf = c->tf[j];
            unsigned m = c->maskp ? c->maskp[j] & c->listmask : c->listmask;
            double t = 0;
            while (m) {
                int f = __builtin_ctz(m);
                m &= m - 1;
                t += tf[f] * (double)ib[f];
            }
            if (t >= T) {
                c->i = j;
                c->doc = c->docs[j];
                return walked + (j - i);
            }
        }
        walked += e - i + 1;
        c->i = e;
        c->doc = c->docs[e];
        lx_pcursor_next(c);
    }
    return walked;
}

uint32_t lx_pcursor_skip_weak_sat(lx_pcursor *c, double S, uint32_t upto) {
    uint32_t walked = 0;
    while (c->doc != LX_DOC_END && c->doc <= upto) {
        const double *sat = c->kept.sat + (size_t)c->bi * LX_BLOCK;
        uint32_t i = c->i, n = c->n;
        for (uint32_t j = i; j < n; j++) {
            /* Stops on the first doc past upto or strong enough. */
            if (c->docs[j] > upto || sat[j] >= S) {
                c->i = j;
                c->doc = c->docs[j];
                return walked + (j - i);
            }
        }
        walked += n - i;
        c->i = n - 1;
        lx_pcursor_next(c);
    }
    return walked;
}

/* Rows lx_pcursor_tf decodes at once for a cursor that reads them in
 * turn. */
#define TF_BATCH 8

const uint32_t *lx_pcursor_tf(lx_pcursor *c) {
    if (c->i >= c->tf_upto) {
        /* A cursor asking for the next row in turn walks its list: the
         * rows after it are decoded in the same call.  One that jumps
         * skips to the row asked for, as before. */
        uint32_t upto = c->i + TF_BATCH - 1;
        if (c->i > c->tf_upto)
            tf_decode(c, c->i, 1);
        else
            tf_decode(c, upto < c->n ? upto : c->n - 1, 0);
    }
    return c->tf[c->i];
}

/* Makes rows [0, upto] of c->tf valid, decoding the block again from its
 * start if rows were skipped. */
static void tf_rows(lx_pcursor *c, uint32_t upto) {
    if (c->tf_gap) {
        c->tf_next = c->tfp;
        c->tf_upto = 0;
        c->tf_gap = 0;
    }
    if (upto >= c->tf_upto)
        tf_decode(c, upto, 0);
}

void lx_pcursor_tf_block(lx_pcursor *c) {
    if (c->n) /* an ended cursor has no block */
        tf_rows(c, c->n - 1);
}

uint32_t lx_pcursor_block_at(const lx_pcursor *c, uint32_t target, uint32_t *last) {
    if (c->nblocks == 1) {
        *last = c->doc == LX_DOC_END ? 0 : c->docs[c->n - 1];
        if (c->doc == LX_DOC_END || *last < target) {
            *last = LX_DOC_END;
            return c->nblocks;
        }
        return 0;
    }
    uint32_t from = c->bi < c->nblocks ? c->bi : c->nblocks;
    uint32_t blk = block_find(c, from, target);
    *last = blk < c->nblocks ? block_last(c, blk) : LX_DOC_END;
    return blk;
}

void lx_pcursor_block_bound(const lx_pcursor *c, uint32_t target, lx_bound *b, uint32_t *last) {
    uint32_t blk = lx_pcursor_block_at(c, target, last);
    if (blk >= c->nblocks) {
        memset(b, 0, sizeof *b);
        return;
    }
    if (c->nblocks == 1) { /* no directory: the list's bound */
        *b = c->lbound;
        return;
    }
    const uint8_t *e = c->dir + (size_t)blk * c->dirent + 12;
    memset(b, 0, sizeof *b);
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!(c->listmask & (1u << f)))
            continue;
        for (int k = 0; k < LX_BOUND_PAIRS; k++, e += 8) {
            uint32_t t = get_u32(e), len = get_u32(e + 4);
            if (!t)
                continue;
            if (t > b->maxtf[f])
                b->maxtf[f] = t;
            if (!b->minlen[f] || len < b->minlen[f])
                b->minlen[f] = len;
        }
    }
}

void lx_pcursor_block_pbound(const lx_pcursor *c, uint32_t target, lx_pbound *b, uint32_t *last) {
    memset(b, 0, sizeof *b);
    uint32_t blk = lx_pcursor_block_at(c, target, last);
    if (blk >= c->nblocks)
        return;
    if (c->nblocks == 1) { /* no directory: the list's bound */
        for (int f = 0; f < LX_NFIELDS; f++) {
            b->tf[f][0] = c->lbound.maxtf[f];
            b->len[f][0] = c->lbound.minlen[f];
        }
        return;
    }
    const uint8_t *e = c->dir + (size_t)blk * c->dirent + 12;
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!(c->listmask & (1u << f)))
            continue;
        for (int k = 0; k < LX_BOUND_PAIRS; k++, e += 8) {
            b->tf[f][k] = get_u32(e);
            b->len[f][k] = get_u32(e + 4);
        }
    }
}

/* Where the current doc's positions start.  A walk through the block
 * remembers the last doc asked about (pos_i: its positions at pos_p, its
 * tfs at pos_tf), so a phrase checked doc after doc in one block skips
 * only the docs between, not every one from the block's start again. */
static const uint8_t *positions_at(lx_pcursor *c) {
    if (!c->pos_p || c->pos_i > c->i) {
        c->pos_i = 0;
        c->pos_p = c->pos + c->block_pos_off;
        c->pos_tf = c->tfp;
    }
    if (c->pos_i < c->i) {
        uint32_t skip = 0;
        c->pos_tf = lx_vbyte_sum(c->pos_tf, c->bend, tf_values(c, c->pos_i, c->i), &skip);
        c->pos_p = lx_vbyte_skip(c->pos_p, c->pend, skip);
        c->pos_i = c->i;
    }
    return c->pos_p;
}

/* Where the current doc's positions in field f start, its tf row in *tf;
 * NULL when there are none to read (no positions value, an ended cursor,
 * or a damaged block offset: c->rc set). */
static const uint8_t *field_positions(lx_pcursor *c, int f, const uint32_t **tf) {
    if (!c->pos || c->doc == LX_DOC_END)
        return NULL;
    if (c->block_pos_off > (size_t)(c->pend - c->pos)) {
        c->rc = LX_ECORRUPT;
        c->why = "block's positions offset past the positions list";
        return NULL;
    }
    const uint8_t *p = positions_at(c);
    if (c->i >= c->tf_upto) {
        /* positions_at stepped over the tfs of the docs before this one:
         * its row is decoded from there, not found again from the
         * block's first undecoded row. */
        c->tf_gap |= c->i > c->tf_upto;
        c->tf_next = c->pos_tf;
        c->tf_upto = c->i;
        tf_decode(c, c->i, 0);
    }
    const uint32_t *cur = *tf = c->tf[c->i];
    uint32_t before = 0;
    for (int g = 0; g < f; g++)
        before += cur[g];
    return lx_vbyte_skip(p, c->pend, before);
}

static void positions_short(lx_pcursor *c) {
    c->rc = LX_ECORRUPT;
    c->why = "fewer positions than the tfs say";
}

uint32_t lx_pcursor_positions_fields(lx_pcursor *c, int f, int nf, uint32_t *const out[],
                                     uint32_t max, uint32_t n[]) {
    for (int g = 0; g < nf; g++)
        n[g] = 0;
    const uint32_t *cur;
    const uint8_t *p = field_positions(c, f, &cur);
    if (!p)
        return 0;
    uint32_t k = cur[f];
    /* Field f + 1's positions follow field f's: one skip serves them all. */
    for (int g = 0; g < nf; g++) {
        if (g)
            k = cur[f + g];
        uint32_t at = 0, j = 0;
        for (; j < k && p < c->pend; j++) {
            uint32_t d;
            p = lx_vbyte_get(p, c->pend, &d);
            at += d;
            if (n[g] < max)
                out[g][n[g]++] = at;
        }
        if (j < k) {
            positions_short(c);
            break;
        }
    }
    return n[0];
}

int lx_pcursor_positions_meet(lx_pcursor *c, int f, const uint32_t *want, uint32_t n,
                              uint32_t shift, uint32_t max, uint64_t *read) {
    const uint32_t *cur;
    const uint8_t *p = field_positions(c, f, &cur);
    if (!p)
        return 0;
    uint32_t k = cur[f] < max ? cur[f] : max, at = 0, a = 0;
    /* Both ascend: a merge, stopping at the first position that meets. */
    for (uint32_t j = 0; j < k && a < n; j++) {
        if (p >= c->pend) {
            positions_short(c);
            return 0;
        }
        uint32_t d;
        p = lx_vbyte_get(p, c->pend, &d);
        at += d;
        ++*read;
        while (a < n && want[a] + shift < at)
            a++;
        if (a < n && want[a] + shift == at)
            return 1;
    }
    return 0;
}

uint32_t lx_pcursor_positions(lx_pcursor *c, int f, uint32_t *out, uint32_t max) {
    uint32_t n;
    return lx_pcursor_positions_fields(c, f, 1, &out, max, &n);
}

/* ---- decoding a whole list (writer side) -------------------------------- */

int lx_plist_decode(const uint8_t *post, size_t postlen, const uint8_t *pos, size_t poslen,
                    int (*drop)(void *ctx, uint32_t doc), void *ctx, lx_plist *pl) {
    lx_pcursor *c = malloc(sizeof *c);
    if (!c)
        return LX_ENOMEM;
    int rc = lx_pcursor_open(c, post, postlen);
    /* No positions value (pos NULL) reads as an empty one. */
    const uint8_t *pp = pos, *pe = pos ? pos + poslen : pos;
    for (; rc == 0 && c->doc != LX_DOC_END; lx_pcursor_next(c)) {
        const uint32_t *tf = lx_pcursor_tf(c);
        const uint8_t *q = lx_vbyte_skip(pp, pe, tf_total(tf));
        if (!drop || !drop(ctx, c->doc))
            rc = lx_plist_add(pl, c->doc, tf, pp, (size_t)(q - pp));
        pp = q;
    }
    if (!rc)
        rc = c->rc;
    free(c);
    return rc;
}
