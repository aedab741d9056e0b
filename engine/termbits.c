/* termbits.c -- a common word's list as a bitmap over docids, with its
 * docids, kept per snapshot.
 *
 * With facets on, the match set walks every block of every query word's
 * list for its docids (plan.c).  On an index whose common words are in
 * thousands of its lectures that walk unpacks and marks thousands of
 * docids a word, every time the word is asked; once kept as a bitmap,
 * the word marks the set with one OR a 64 lectures.  A list is kept the
 * first time a match set walks it in a snapshot, by that walk (its blocks
 * checked as before), and only a common one: df at least next_doc / 32,
 * so that its bitmap (next_doc / 8 bytes) is no larger than its docids.
 * Its docids are kept too (up to LX_TERMBITS_DOCS_MAX of them): the
 * ranking's and the snippets' cursors on the list copy a block's docids
 * from there instead of unpacking it (lx_pcursor_known), as they do from
 * the match set's own walk.
 *
 * On an index of at most LX_TERMBITS_SAT_MAX_DOCS lectures a kept list
 * also keeps each posting's BM25F saturation tf~ / (k1 + tf~) for the
 * searcher's scorer, made by the ranking's own arithmetic from its
 * decoded tfs (lx_pcursor_sat), each block's largest, and its bitmap's
 * counts before each word: the ranking scores a posting by a read and a
 * multiply (w * sat, as lx_bm25f_term computes it), bounds a block by
 * its largest, and finds a doc's posting by its place in the bitmap.
 * They are dropped when the scorer's parameters change, with the rest
 * when the snapshot does, and hold at most LX_TERMBITS_SAT_MAX_BYTES.
 *
 * The copies are the searcher's, keyed by where the list's value lies in
 * the snapshot's map (the same bytes while the snapshot is: lx_store_snapshot
 * names a rebuild's file apart), and dropped when the snapshot changes.
 * They hold at most LX_TERMBITS_MAX_BYTES a searcher: a match set that
 * finds no room walks the list as before, and the next one starts the
 * copies afresh.  At 1M lectures a bitmap is 125,000 bytes and a kept
 * list at least 31,250 docids, 125 KB more (up to 256 KiB at the docids'
 * limit; a longer list keeps its bitmap alone), so the bound holds about
 * 87 to 134 common words a searcher, 268 of the longest.
 */
#include <stdlib.h>
#include <string.h>

#include "termbits.h"

/* Bytes of copies one searcher keeps at most. */
#define LX_TERMBITS_MAX_BYTES (32u << 20)
/* Bytes of kept saturations one searcher keeps at most (beside those). */
#define LX_TERMBITS_SAT_MAX_BYTES (16u << 20)
/* Saturations are kept on an index of at most this many docids (every
 * list then at most 128 KiB of them).  On TED x10 (59,130 lectures) a
 * common word's list is ten times longer, its top k found after reading
 * a part of it (block bounds skip the rest), and the log's words outgrow
 * the copies' bound: decoding whole lists cost about what it saved. */
#define LX_TERMBITS_SAT_MAX_DOCS 16384

typedef struct tb_list {
    const uint8_t *val; /* the list's value in the snapshot's map; NULL: a free slot */
    size_t len;
    uint64_t *bits; /* s->words words */
    uint32_t *docs; /* df docids, or NULL (df past LX_TERMBITS_DOCS_MAX) */
    size_t bytes;
    double *sat;  /* with docs: each posting's saturation for the scorer of
                     termbits.params, then each block's largest, then the
                     bitmap's counts before each word, u32 (NULL: not yet,
                     or no room) */
    lx_kept kept; /* bits, and sat cut into its three parts */
    uint32_t df;
} tb_list;

typedef struct termbits {
    size_t snap;           /* the snapshot of the copies */
    size_t bytes;          /* held by the copies */
    uint32_t n;            /* lists kept */
    uint32_t cap;          /* slots, a power of two (0: none yet) */
    int full;              /* the last match set found no room: start afresh */
    tb_list *slot;         /* open addressing by value address */
    size_t satbytes;       /* held by the saturations */
    lx_rank_params params; /* the scorer's parameters of the saturations */
} termbits;

static void tb_clear(termbits *t) {
    for (uint32_t i = 0; i < t->cap; i++) {
        if (t->slot[i].val) {
            free(t->slot[i].bits);
            free(t->slot[i].docs);
            free(t->slot[i].sat);
        }
    }
    if (t->cap)
        memset(t->slot, 0, t->cap * sizeof *t->slot);
    t->n = 0;
    t->bytes = 0;
    t->satbytes = 0;
    t->full = 0;
}

/* Drops every kept saturation (the scorer's parameters changed). */
static void tb_clear_sat(termbits *t) {
    for (uint32_t i = 0; i < t->cap; i++) {
        free(t->slot[i].sat);
        t->slot[i].sat = NULL;
        t->slot[i].kept = (lx_kept){t->slot[i].bits, NULL, NULL, NULL};
    }
    t->satbytes = 0;
}

static void tb_free(void *p) {
    termbits *t = p;
    tb_clear(t);
    free(t->slot);
    free(t);
}

static uint32_t tb_hash(const uint8_t *val) {
    uint64_t h = (uint64_t)(uintptr_t)val * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32);
}

/* The slot of val: its list, or the free slot where it would go. */
static tb_list *tb_find(const termbits *t, const uint8_t *val) {
    uint32_t m = t->cap - 1;
    for (uint32_t i = tb_hash(val) & m;; i = (i + 1) & m)
        if (t->slot[i].val == val || !t->slot[i].val)
            return &t->slot[i];
}

/* Room for one more list at most half full; 0 or LX_ENOMEM. */
static int tb_grow(termbits *t) {
    if (t->cap && (t->n + 1) * 2 <= t->cap)
        return 0;
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    tb_list *old = t->slot;
    uint32_t ocap = t->cap;
    if (!(t->slot = calloc(cap, sizeof *t->slot))) {
        t->slot = old;
        return LX_ENOMEM;
    }
    t->cap = cap;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i].val)
            *tb_find(t, old[i].val) = old[i];
    free(old);
    return 0;
}

static termbits *tb_get(lx_searcher *s) {
    termbits *t = lx_searcher_part(s, LX_PART_TERMBITS);
    if (!t && (t = calloc(1, sizeof *t))) {
        t->snap = s->snap; /* made in a match set: none kept yet */
        t->params = s->pcache;
        lx_searcher_set_part(s, LX_PART_TERMBITS, t, tb_free);
    }
    return t;
}

void lx_termbits_begin(lx_searcher *s) {
    termbits *t = lx_searcher_part(s, LX_PART_TERMBITS);
    if (t && (t->full || t->snap != s->snap))
        tb_clear(t);
    if (t && memcmp(&t->params, &s->pcache, sizeof t->params) != 0)
        tb_clear_sat(t);
    if (t) {
        t->snap = s->snap;
        t->params = s->pcache;
    }
}

/* Each posting's saturation of kept list e for the searcher's scorer, as
 * the ranking computes it from the decoded tfs (lx_pcursor_sat), into
 * e->sat and e->kept; none (no room, no memory, or a list the walk finds
 * damaged: the ranking's own cursor then decodes, and finds it). */
static void tb_sat(lx_searcher *s, termbits *t, tb_list *e) {
    uint32_t nblocks = (e->df + LX_BLOCK - 1) / LX_BLOCK;
    size_t bytes = ((size_t)e->df + nblocks) * sizeof(double) + s->words * sizeof(uint32_t);
    if (!e->docs || s->st.next_doc > LX_TERMBITS_SAT_MAX_DOCS ||
        t->satbytes + bytes > LX_TERMBITS_SAT_MAX_BYTES)
        return;
    double *sat = malloc(bytes);
    if (!sat)
        return;
    lx_pcursor c;
    if (lx_pcursor_open_limit(&c, e->val, e->len, s->st.next_doc)) {
        free(sat);
        return;
    }
    lx_pcursor_known(&c, e->docs); /* the docids checked already */
    for (uint32_t j = 0; j < e->df; j++, lx_pcursor_next(&c)) {
        if (c.doc == LX_DOC_END || c.rc) {
            free(sat);
            return;
        }
        sat[j] = lx_pcursor_sat(&s->sc, &c);
        double *bmax = &sat[e->df + j / LX_BLOCK];
        if (j % LX_BLOCK == 0 || sat[j] > *bmax)
            *bmax = sat[j];
    }
    uint32_t *cum = (uint32_t *)(sat + e->df + nblocks), n = 0;
    for (size_t w = 0; w < s->words; w++) {
        cum[w] = n;
        n += (uint32_t)__builtin_popcountll(e->bits[w]);
    }
    t->satbytes += bytes;
    e->sat = sat;
    e->kept = (lx_kept){e->bits, sat, sat + e->df, cum};
}

const uint32_t *lx_termbits_docs(lx_searcher *s, const uint8_t *val, size_t len) {
    termbits *t = lx_searcher_part(s, LX_PART_TERMBITS);
    /* the next begin keeps the lists of this snapshot when none lacked room */
    if (!t || !t->n || t->full || t->snap != s->snap)
        return NULL;
    const tb_list *e = tb_find(t, val);
    return e->val && e->len == len ? e->docs : NULL;
}

int lx_termbits_common(const lx_searcher *s, const lx_pcursor *pc) {
    return (uint64_t)pc->df * 32 >= s->st.next_doc && pc->df > LX_BLOCK;
}

int lx_termbits_mark(lx_searcher *s, lx_pcursor *pc, uint64_t *b, lx_termkept *k) {
    termbits *t = tb_get(s);
    memset(k, 0, sizeof *k);
    if (pc->doc == LX_DOC_END || pc->bi || pc->i || !t || t->snap != s->snap || tb_grow(t))
        return 1;
    tb_list *e = tb_find(t, pc->val);
    if (!e->val) {
        size_t nd = pc->df <= LX_TERMBITS_DOCS_MAX ? pc->df : 0;
        size_t bytes = s->words * 8 + nd * 4;
        if (t->bytes + bytes > LX_TERMBITS_MAX_BYTES) {
            t->full = 1;
            return 1;
        }
        tb_list l = {pc->val,
                     (size_t)(pc->end - pc->val),
                     calloc(s->words, 8),
                     nd ? malloc(nd * 4) : NULL,
                     bytes,
                     NULL,
                     {NULL, NULL, NULL, NULL},
                     pc->df};
        if (!l.bits || (nd && !l.docs)) {
            free(l.bits);
            free(l.docs);
            return 1;
        }
        /* From the first doc: every docid, or a damaged list. */
        lx_pcursor_mark(pc, l.bits, l.docs);
        if (pc->rc) {
            free(l.bits);
            free(l.docs);
            return LX_ECORRUPT;
        }
        l.kept.bits = l.bits;
        *e = l;
        t->n++;
        t->bytes += bytes;
    } else if (e->len != (size_t)(pc->end - pc->val)) {
        return 1; /* cannot happen in one snapshot */
    }
    const uint64_t *restrict bits = e->bits;
    for (size_t i = 0; i < s->words; i++)
        b[i] |= bits[i];
    if (e->docs && !e->sat)
        tb_sat(s, t, e);
    k->docs = e->docs;
    k->kept = e->kept;
    return 0;
}
