/* fuzzy.c -- typo tolerance and completion over the vocabulary of words
 * as written (the "words" database: token NUL language -> term, in byte
 * order).
 *
 * Corrections are found as Lucene's FuzzyQuery finds them, without
 * scanning the vocabulary: the sorted words are walked as a trie, one
 * row of the edit-distance table per letter of the prefix, rows shared by
 * words with a common prefix; once every cell of a row exceeds the
 * distance allowed, no word with that prefix can come within it and the
 * walk seeks past them all; and once every cell of a row is at the
 * distance allowed, only a byte of the word can follow (fit_bytes), so the
 * walk seeks from one such child to the next instead of visiting each.
 * Measured on the TED index (87,000 words) over the typo'd TED log, a walk
 * makes some 550 seeks and visits 160 words (2,270 seeks before the
 * second rule), where a scan visits them all; it is bound by cache misses
 * (one entry and its key per step), so the seeks among a prefix's
 * children read a compact array of key heads instead.  A SymSpell
 * deletion index would answer with fewer steps but stores every word's
 * deletions (some 15 times the words for 2 typos), and a correction is
 * asked only for a word the index lacks.
 *
 * Among the words within the distance, those of the query languages whose
 * term has lectures count; the nearest wins, then the most frequent (the
 * lectures of its term).  It takes the word's place in the query (s->q),
 * so that tag boosts and snippets see it and a second plan of the same
 * search (feedback, the intersection's fallback) makes the same cursors.
 * A correction is made only for a word no lecture has, so no lecture with
 * the word as typed can rank behind it.  Measured with tests/eval/typos.sh
 * (overlap of the typo'd top 10 with the clean one): the best correction
 * alone at full weight 0.71, the best two at weight 0.8/0.6 0.65: a second
 * candidate is mostly noise.
 * Completions of the last word: the words that start with it, the most
 * frequent LX_PREFIX_TERMS terms, weight LX_PREFIX_WEIGHT; a stem of the
 * word as typed stays when a completion shares it.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzzy.h"

#define LX_FUZZY_MAX_BYTES 48 /* longer words are not corrected */
#define LX_FUZZY_CANDS 64     /* words within the distance kept */
#define LX_FUZZY_STEPS 20000  /* entries one walk may visit */
#define LX_PREFIX_MIN 3       /* letters typed before completion starts */
#define LX_PREFIX_SCAN 4096   /* words starting with it looked at */
#define LX_PREFIX_TERMS 4     /* completions added */
#define LX_PREFIX_WEIGHT 0.8  /* their query weight */

int lx_fuzzy_max_typos(const char *tok, size_t len) {
    size_t letters = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tok[i];
        if (c >= '0' && c <= '9')
            return 0;
        letters += (c & 0xC0) != 0x80;
    }
    return letters < 5 ? 0 : letters < 9 ? 1 : 2;
}

/* Row d of the distance table of prefix p (p[d-1] its last byte) against
 * t[0..m), from rows d-1 and d-2; returns the row's smallest cell. */
static int next_row(int (*row)[LX_FUZZY_MAX_BYTES + 1], int d, const char *p, const char *t,
                    int m) {
    int *r = row[d], *up = row[d - 1], best;
    r[0] = best = d;
    for (int j = 1; j <= m; j++) {
        int v = up[j - 1] + (p[d - 1] != t[j - 1]);
        if (up[j] + 1 < v)
            v = up[j] + 1;
        if (r[j - 1] + 1 < v)
            v = r[j - 1] + 1;
        if (d > 1 && j > 1 && p[d - 1] == t[j - 2] && p[d - 2] == t[j - 1] &&
            row[d - 2][j - 2] + 1 < v)
            v = row[d - 2][j - 2] + 1;
        r[j] = v;
        if (v < best)
            best = v;
    }
    return best;
}

int lx_fuzzy_distance(const char *a, size_t na, const char *b, size_t nb, int max) {
    int row[LX_FUZZY_MAX_BYTES + 3][LX_FUZZY_MAX_BYTES + 1];
    if (na > LX_FUZZY_MAX_BYTES || nb > LX_FUZZY_MAX_BYTES)
        return max + 1;
    for (size_t j = 0; j <= nb; j++)
        row[0][j] = (int)j;
    for (size_t d = 1; d <= na; d++)
        if (next_row(row, (int)d, a, b, (int)nb) > max)
            return max + 1;
    return row[na][nb] <= max ? row[na][nb] : max + 1;
}

/* A word found within the distance, pointing into the map. */
typedef struct cand {
    const char *word, *term;
    size_t wlen, tlen;
    int dist;
    uint32_t df;
} cand;

/* Whether the language of a vocabulary key (after the word's NUL) is one
 * of langs[0..nl) (any when nl is 0). */
static int lang_ok(lx_searcher *s, const char *lang, size_t ll, const int *langs, int nl) {
    if (!nl)
        return 1;
    for (int l = 0; l < nl; l++) {
        const char *code = s->stem.e[langs[l]].lang;
        if (strlen(code) == ll && !memcmp(code, lang, ll))
            return 1;
    }
    return 0;
}

/* The vocabulary of one snapshot in memory, loaded on first use: its
 * keys (word NUL language) and terms in key order.  A walk seeks many
 * times; in LMDB each seek is a descent of the B-tree, here a binary
 * search of an array (measured 3-4 times faster on the TED log). */
typedef struct ventry {
    uint32_t off;        /* key bytes at bytes + off, then the term */
    uint16_t wlen, klen; /* the word's and the key's length */
    uint16_t tlen;
} ventry;

/* Depths up to which a walk skips a prefix's words in one step. */
#define LX_SKIP_DEPTH 4

typedef struct vocab {
    size_t snap; /* the snapshot it was loaded for */
    int have;
    ventry *e;
    size_t n, cap;
    lx_buf bytes;
    /* skip[d - 1][i]: the first entry after i whose key does not start
     * with entry i's first d bytes: most of a walk's seeks are past short
     * prefixes with thousands of words. */
    uint32_t *skip[LX_SKIP_DEPTH];
    /* head[i]: entry i's first LX_SKIP_DEPTH (4) key bytes, big-endian,
     * 0 past its end: a seek among a prefix's children reads no key. */
    uint32_t *head;
} vocab;

static void vocab_free(void *p) {
    vocab *v = p;
    if (!v)
        return;
    free(v->e);
    for (int d = 0; d < LX_SKIP_DEPTH; d++)
        free(v->skip[d]);
    free(v->head);
    lx_buf_free(&v->bytes);
    free(v);
}

static int vocab_add(vocab *vc, const MDB_val *k, const MDB_val *v) {
    if (k->mv_size > UINT16_MAX || v->mv_size > UINT16_MAX)
        return 0;
    if (vc->n == vc->cap) {
        size_t cap = vc->cap ? vc->cap * 2 : 4096;
        ventry *e = realloc(vc->e, cap * sizeof *e);
        if (!e)
            return LX_ENOMEM;
        vc->e = e;
        vc->cap = cap;
    }
    if (lx_buf_reserve(&vc->bytes, k->mv_size + v->mv_size))
        return LX_ENOMEM;
    ventry *e = &vc->e[vc->n++];
    e->off = (uint32_t)vc->bytes.n;
    e->klen = (uint16_t)k->mv_size;
    e->wlen = (uint16_t)strnlen(k->mv_data, k->mv_size);
    e->tlen = (uint16_t)v->mv_size;
    memcpy(vc->bytes.p + vc->bytes.n, k->mv_data, k->mv_size);
    memcpy(vc->bytes.p + vc->bytes.n + k->mv_size, v->mv_data, v->mv_size);
    vc->bytes.n += k->mv_size + v->mv_size;
    return 0;
}

/* Fills vc->skip from the keys, last entry first. */
static int vocab_skips(vocab *vc) {
    for (int d = 0; d < LX_SKIP_DEPTH; d++) {
        uint32_t *k = realloc(vc->skip[d], (vc->n ? vc->n : 1) * sizeof *k);
        if (!k)
            return LX_ENOMEM;
        vc->skip[d] = k;
    }
    uint32_t *h = realloc(vc->head, (vc->n ? vc->n : 1) * sizeof *h);
    if (!h)
        return LX_ENOMEM;
    vc->head = h;
    for (size_t i = 0; i < vc->n; i++) {
        const unsigned char *k = vc->bytes.p + vc->e[i].off;
        h[i] = 0;
        for (size_t d = 0; d < LX_SKIP_DEPTH; d++)
            h[i] = h[i] << 8 | (d < vc->e[i].klen ? k[d] : 0);
    }
    for (size_t i = vc->n; i-- > 0;) {
        size_t cp = 0;
        if (i + 1 < vc->n) {
            const char *a = (const char *)vc->bytes.p + vc->e[i].off;
            const char *b = (const char *)vc->bytes.p + vc->e[i + 1].off;
            size_t m = vc->e[i].klen < vc->e[i + 1].klen ? vc->e[i].klen : vc->e[i + 1].klen;
            while (cp < m && cp < LX_SKIP_DEPTH && a[cp] == b[cp])
                cp++;
        }
        for (size_t d = 1; d <= LX_SKIP_DEPTH; d++)
            vc->skip[d - 1][i] = cp >= d ? vc->skip[d - 1][i + 1] : (uint32_t)(i + 1);
    }
    return 0;
}

/* This snapshot's vocabulary (empty when the index has none); NULL with
 * the sticky error set. */
static const vocab *vocab_get(lx_searcher *s) {
    vocab *vc = lx_searcher_part(s, LX_PART_VOCAB);
    if (vc && vc->have && vc->snap == s->snap)
        return vc;
    if (!vc) {
        if (!(vc = calloc(1, sizeof *vc))) {
            lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
            return NULL;
        }
        lx_searcher_set_part(s, LX_PART_VOCAB, vc, vocab_free);
    }
    vc->have = 0;
    vc->n = 0;
    vc->bytes.n = 0;
    lx_store_iter it;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_WORDS, &it), r = 0;
    if (rc == LX_ENOTFOUND) {
        rc = 0;
    } else if (!rc) {
        MDB_val k, v;
        while (!rc && (r = lx_store_iter_next(&it, &k, &v)) == 1)
            rc = vocab_add(vc, &k, &v);
        lx_store_iter_close(&it);
        if (!rc && r < 0)
            rc = r;
    }
    if (!rc)
        rc = vocab_skips(vc);
    if (rc) {
        lx_searcher_fail(s, rc, NULL, -1, "cannot read the vocabulary: %s", lx_strerror(rc));
        return NULL;
    }
    vc->snap = s->snap;
    vc->have = 1;
    return vc;
}

static const char *vkey(const vocab *vc, size_t i) {
    return (const char *)vc->bytes.p + vc->e[i].off;
}

/* Whether entry i's key is below key[0..n) (LMDB's order: bytes, then
 * the shorter first). */
static inline int key_below(const vocab *vc, size_t i, const char *key, size_t n) {
    const unsigned char *a = (const unsigned char *)vkey(vc, i), *b = (const unsigned char *)key;
    size_t kl = vc->e[i].klen, m = kl < n ? kl : n;
    for (size_t j = 0; j < m; j++)
        if (a[j] != b[j])
            return a[j] < b[j];
    return kl < n;
}

/* The first entry from lo on whose key is >= key[0..n): galloping, as
 * the walk's seeks mostly land a few entries on. */
static size_t vocab_seek(const vocab *vc, size_t lo, const char *key, size_t n) {
    size_t step = 1, hi = lo;
    while (hi < vc->n && key_below(vc, hi, key, n)) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > vc->n)
        hi = vc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_below(vc, mid, key, n))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first entry after i (which starts with kw[0..pos)) that starts
 * with kw[0..pos) + b or comes after them all.  Under LX_SKIP_DEPTH the
 * keys' heads alone are compared: a small array, where the keys
 * themselves are scattered over the whole vocabulary (cache misses were
 * most of a walk's time). */
static size_t seek_child(const vocab *vc, size_t i, const char *kw, int pos, unsigned char b) {
    if (pos >= LX_SKIP_DEPTH) {
        char next[LX_FUZZY_MAX_BYTES + 3];
        memcpy(next, kw, (size_t)pos);
        next[pos] = (char)b;
        return vocab_seek(vc, i + 1, next, (size_t)pos + 1);
    }
    /* Heads are big-endian: the first pos + 1 bytes compare as numbers. */
    int sh = 8 * (LX_SKIP_DEPTH - 1 - pos);
    uint32_t want = (vc->head[i] >> sh & ~(uint32_t)0xFF) | b;
    size_t lo = i + 1, step = 1, hi = lo;
    while (hi < vc->n && vc->head[hi] >> sh < want) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > vc->n)
        hi = vc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (vc->head[mid] >> sh < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The language of entry i (after the word's NUL) is one of langs. */
static int entry_lang_ok(lx_searcher *s, const vocab *vc, size_t i, const int *langs, int nl) {
    const ventry *e = &vc->e[i];
    if (e->wlen >= e->klen)
        return 0;
    return lang_ok(s, vkey(vc, i) + e->wlen + 1, (size_t)(e->klen - e->wlen - 1), langs, nl);
}

/* The walk's state. */
typedef struct walk {
    const char *t; /* the word, m bytes */
    int m, max;
    const int *langs;
    int nl;
    char pre[LX_FUZZY_MAX_BYTES + 3]; /* the prefix rows 0..have are of */
    int have;
    int row[LX_FUZZY_MAX_BYTES + 3][LX_FUZZY_MAX_BYTES + 1];
    int rmin[LX_FUZZY_MAX_BYTES + 3]; /* each row's smallest cell */
    /* The bytes that may follow the prefix of each depth (fit[d] when
     * fitok[d]); valid while rows d - 1 and d are. */
    uint64_t fit[LX_FUZZY_MAX_BYTES + 3][4];
    char fitok[LX_FUZZY_MAX_BYTES + 3];
    int jump; /* after a cut at depth d: seek to pre[0..d-1) + jump, or -1 */
    cand c[LX_FUZZY_CANDS];
    int nc;
} walk;

/* The bytes c after prefix pre[0..d) for which row d + 1 can have a cell
 * within the distance, when row d's cells are all z->max (and d >= max):
 * then a cell of row d + 1 stays within it only by a match on the
 * diagonal (c = t[j-1] where row d has max at j - 1) or by a swap
 * (c = t[j-2] after pre[d-1] = t[j-1]); any other byte ends the prefix.
 * Lucene's automaton has the same transitions; here they let the walk
 * seek from one such byte to the next instead of visiting every child. */
static const uint64_t *fit_bytes(walk *z, int d) {
    if (z->fitok[d])
        return z->fit[d];
    uint64_t *f = z->fit[d];
    const int *up = z->row[d];
    f[0] = f[1] = f[2] = f[3] = 0;
    for (int j = 1; j <= z->m; j++) {
        unsigned char c = (unsigned char)z->t[j - 1];
        if (up[j - 1] <= z->max)
            f[c >> 6] |= 1ull << (c & 63);
        if (d >= 1 && j >= 2 && z->pre[d - 1] == z->t[j - 1] && z->row[d - 1][j - 2] < z->max) {
            c = (unsigned char)z->t[j - 2];
            f[c >> 6] |= 1ull << (c & 63);
        }
    }
    z->fitok[d] = 1;
    return f;
}

/* The smallest byte of f above c, or -1. */
static int fit_next(const uint64_t *f, unsigned char c) {
    for (int b = c + 1; b < 256; b++) {
        uint64_t w = f[b >> 6] >> (b & 63);
        if (w)
            return b + __builtin_ctzll(w);
        b |= 63;
    }
    return -1;
}

/* Rows for word kw[0..wl) from the shared prefix on; returns 0 when the
 * word is within the distance or beyond it, else the prefix length after
 * which nothing can be (to seek past), or with z->jump >= 0, the prefix
 * length whose last byte is to be replaced by z->jump (what can be next). */
static int walk_word(walk *z, const char *kw, int wl) {
    int cp = 0;
    while (cp < z->have && cp < wl && z->pre[cp] == kw[cp])
        cp++;
    z->have = cp;
    z->jump = -1;
    for (int d = cp + 1; d <= wl; d++) {
        if (d > z->m + z->max)
            return d;
        if (d > z->max && z->rmin[d - 1] == z->max) {
            const uint64_t *f = fit_bytes(z, d - 1);
            unsigned char c = (unsigned char)kw[d - 1];
            if (!(f[c >> 6] >> (c & 63) & 1)) {
                /* No later child of pre[0..d-1) either: past them all. */
                z->jump = fit_next(f, c);
                return z->jump >= 0 ? d : d - 1;
            }
        }
        z->pre[d - 1] = kw[d - 1];
        z->have = d;
        z->fitok[d] = 0;
        if ((z->rmin[d] = next_row(z->row, d, z->pre, z->t, z->m)) > z->max)
            return d;
    }
    return 0;
}

/* Walks the vocabulary for the words within z->max of z->t. */
static int walk_vocab(lx_searcher *s, walk *z) {
    const vocab *vc = vocab_get(s);
    if (!vc)
        return s->rc;
    for (int j = 0; j <= z->m; j++)
        z->row[0][j] = j;
    z->rmin[0] = 0;
    z->fitok[0] = 0;
    z->have = 0;
    char next[LX_FUZZY_MAX_BYTES + 3];
    size_t i = 0;
    for (int steps = 0; i < vc->n && steps < LX_FUZZY_STEPS; steps++) {
        const ventry *e = &vc->e[i];
        const char *kw = vkey(vc, i);
        int wl = e->wlen;
        int cut = wl < e->klen ? walk_word(z, kw, wl) : 1;
        if (!cut) {
            int d = z->row[wl][z->m];
            if (d <= z->max && z->nc < LX_FUZZY_CANDS && entry_lang_ok(s, vc, i, z->langs, z->nl))
                z->c[z->nc++] = (cand){kw, kw + e->klen, (size_t)wl, e->tlen, d, 0};
            i++;
            continue;
        }
        if (z->jump >= 0) {
            /* To the next child of kw[0..cut-1) that can be. */
            if (z->have >= cut)
                z->have = cut - 1;
            i = seek_child(vc, i, kw, cut - 1, (unsigned char)z->jump);
            continue;
        }
        /* Past every word that starts with kw[0..cut). */
        if (cut <= LX_SKIP_DEPTH) {
            if (z->have >= cut)
                z->have = cut - 1;
            i = vc->skip[cut - 1][i];
            continue;
        }
        memcpy(next, kw, (size_t)cut);
        while (cut > 0 && (unsigned char)next[cut - 1] == 0xFF)
            cut--;
        if (!cut)
            break;
        next[cut - 1]++;
        if (z->have >= cut)
            z->have = cut - 1;
        i = vocab_seek(vc, i + 1, next, (size_t)cut);
    }
    return 0;
}

/* Sorts c[0..n) nearest first, then most frequent, then by word. */
static void sort_cands(cand *c, int n) {
    for (int i = 1; i < n; i++) {
        cand x = c[i];
        int j = i;
        while (j > 0 && (c[j - 1].dist > x.dist || (c[j - 1].dist == x.dist && c[j - 1].df < x.df)))
            c[j] = c[j - 1], j--;
        c[j] = x;
    }
}

/* Fills each candidate's df, drops those without lectures, sorts. */
static int rank_cands(lx_searcher *s, cand *c, int *n) {
    int k = 0;
    for (int i = 0; i < *n; i++) {
        c[i].df = lx_plan_term_df(s, c[i].term, c[i].tlen);
        if (s->rc)
            return s->rc;
        if (c[i].df)
            c[k++] = c[i];
    }
    *n = k;
    sort_cands(c, k);
    return 0;
}

/* Adds a cursor per distinct term of c[0..n), at most max, but none for
 * a term of skip[0..nskip) (cursors the clause has); returns the cursors
 * added or an error. */
static int add_cands(lx_searcher *s, const cand *c, int n, int max, int clause_id,
                     char (*skip)[LX_TOKEN_BUF], const size_t *skiplen, int nskip) {
    int added = 0, terms = 0;
    for (int i = 0; i < n && terms < max; i++) {
        int dup = 0;
        for (int j = 0; j < i && !dup; j++)
            dup = c[j].tlen == c[i].tlen && !memcmp(c[j].term, c[i].term, c[i].tlen);
        for (int j = 0; j < nskip && !dup; j++)
            dup = skiplen[j] == c[i].tlen && !memcmp(skip[j], c[i].term, c[i].tlen);
        if (dup)
            continue;
        terms++;
        double w = LX_PREFIX_WEIGHT;
        int r = lx_plan_add_term(s, clause_id, c[i].term, c[i].tlen, w);
        if (r < 0)
            return r;
        added += r;
    }
    return added;
}

/* The completions of tok as candidates, most frequent first. */
static int prefix_cands(lx_searcher *s, const char *tok, size_t len, const int *langs, int nl,
                        cand *c, int cap, int *n) {
    *n = 0;
    const vocab *vc = vocab_get(s);
    if (!vc)
        return s->rc;
    lx_strmap terms; /* term -> its candidate */
    lx_strmap_init(&terms);
    size_t i = vocab_seek(vc, 0, tok, len);
    for (int steps = 0; i < vc->n && steps < LX_PREFIX_SCAN; steps++, i++) {
        const ventry *e = &vc->e[i];
        const char *kw = vkey(vc, i), *term = kw + e->klen;
        if (e->wlen < len || memcmp(kw, tok, len))
            break;
        if (!entry_lang_ok(s, vc, i, langs, nl))
            continue;
        uint32_t h = lx_hash(term, e->tlen);
        uint32_t *j = lx_strmap_get(&terms, term, e->tlen, h);
        /* Shown for its term: the first word longer than the stem
         * ("change", not "chang"), a word as people write it. */
        if (j && c[*j].wlen <= c[*j].tlen && e->wlen > e->tlen) {
            c[*j].word = kw;
            c[*j].wlen = e->wlen;
        }
        if (j || *n == cap)
            continue;
        if (!lx_strmap_put(&terms, term, e->tlen, h, (uint32_t)*n, NULL)) {
            lx_strmap_free(&terms);
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        }
        c[(*n)++] = (cand){kw, term, e->wlen, e->tlen, 0, 0};
    }
    lx_strmap_free(&terms);
    return rank_cands(s, c, n);
}

int lx_fuzzy_complete(lx_searcher *s, const char *tok, size_t len, const int *langs, int nl,
                      lx_fuzzy_word *out, int cap, int *n) {
    cand c[LX_FUZZY_CANDS * 4];
    int nc;
    *n = 0;
    if (prefix_cands(s, tok, len, langs, nl, c, LX_FUZZY_CANDS * 4, &nc))
        return s->rc;
    for (int i = 0; i < nc && *n < cap; i++)
        out[(*n)++] = (lx_fuzzy_word){c[i].word, c[i].wlen, c[i].df};
    return 0;
}

/* Records that clause ci's word was corrected to word. */
static void add_fix(lx_searcher *s, int ci, const char *word, size_t len) {
    if (s->nfix == LX_MAX_FIXES || len >= sizeof s->fix[0].to)
        return;
    lx_fix *f = &s->fix[s->nfix++];
    f->clause = ci;
    memcpy(f->to, word, len);
    f->to[len] = 0;
}

/* word_known without the vocabulary in memory: a seek in the words
 * database.  Most queries' last word is known, and loading the whole
 * vocabulary (some 45M instructions on TED) only to find it there was
 * most of a one-query process's work and of the first search after
 * each write. */
static int word_known_stored(lx_searcher *s, const char *tok, size_t len, const int *langs,
                             int nl) {
    lx_store_iter it;
    MDB_val k, v;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_WORDS, &it), r, known = 0;
    if (rc == LX_ENOTFOUND)
        return 1;
    if (rc)
        goto fail;
    r = lx_store_iter_seek(&it, tok, len, &k, &v);
    if (r == 0) { /* nothing at or after tok: known only when the vocabulary is empty */
        lx_store_iter_close(&it);
        if ((rc = lx_store_iter_open(s->txn, s->ix, LX_DB_WORDS, &it)))
            goto fail;
        r = lx_store_iter_next(&it, &k, &v);
        known = r == 0;
        r = r < 0 ? r : 0;
    }
    for (; r == 1; r = lx_store_iter_next(&it, &k, &v)) {
        size_t wl = strnlen(k.mv_data, k.mv_size);
        if (wl != len || memcmp(k.mv_data, tok, len))
            break;
        if (wl < k.mv_size &&
            lang_ok(s, (const char *)k.mv_data + wl + 1, k.mv_size - wl - 1, langs, nl)) {
            known = 1;
            break;
        }
    }
    lx_store_iter_close(&it);
    if (r >= 0)
        return known;
    rc = r;
fail:
    lx_searcher_fail(s, rc, NULL, -1, "cannot read the vocabulary: %s", lx_strerror(rc));
    return -1;
}

/* Whether the vocabulary has tok spelled so in one of the languages
 * (every word counts as known without a vocabulary); -1 on error. */
static int word_known(lx_searcher *s, const char *tok, size_t len, const int *langs, int nl) {
    const vocab *vc = lx_searcher_part(s, LX_PART_VOCAB);
    if (!vc || !vc->have || vc->snap != s->snap)
        return word_known_stored(s, tok, len, langs, nl);
    if (!vc)
        return -1;
    if (!vc->n)
        return 1;
    for (size_t i = vocab_seek(vc, 0, tok, len); i < vc->n; i++) {
        if (vc->e[i].wlen != len || memcmp(vkey(vc, i), tok, len))
            return 0;
        if (entry_lang_ok(s, vc, i, langs, nl))
            return 1;
    }
    return 0;
}

int lx_fuzzy_clause(lx_searcher *s, const lx_plan *pl, int ci, int clause_id, int from, int had) {
    const lx_qclause *cl = &s->q.clauses[ci];
    const lx_qword *w = &s->q.words[cl->first];
    if (s->rc || cl->kind != LX_QC_WORD || w->len > LX_FUZZY_MAX_BYTES)
        return s->rc ? s->rc : had;
    if (ci == pl->prefix_clause && w->len >= LX_PREFIX_MIN) {
        int known = word_known(s, w->tok, w->len, pl->langs, pl->nl);
        if (known < 0)
            return s->rc;
        cand c[LX_FUZZY_CANDS];
        int nc = 0;
        if (!known && prefix_cands(s, w->tok, w->len, pl->langs, pl->nl, c, LX_FUZZY_CANDS, &nc))
            return s->rc;
        if (nc) {
            /* A stem of the word as typed stays when a completion has it
             * ("busines": business); else it is another word's, no match
             * for what is being typed ("racis": racy), and goes. */
            char stems[LX_MAX_LANGS][LX_TOKEN_BUF];
            size_t sl[LX_MAX_LANGS];
            int keep = 0;
            for (int l = 0; l < pl->nl; l++) {
                sl[l] = lx_stemmers_term(&s->stem, pl->langs[l], w->tok, w->len, stems[l]);
                for (int i = 0; i < nc && !keep; i++)
                    keep = c[i].tlen == sl[l] && !memcmp(c[i].term, stems[l], sl[l]);
            }
            if (!keep)
                s->nqc = from;
            int r = add_cands(s, c, nc, LX_PREFIX_TERMS, clause_id, stems, sl, keep ? pl->nl : 0);
            return r < 0 ? r : r + (keep ? had : 0);
        }
    }
    int max = pl->typos && !had ? lx_fuzzy_max_typos(w->tok, w->len) : 0;
    if (!max)
        return had;
    walk z;
    z.t = w->tok;
    z.m = (int)w->len;
    z.langs = pl->langs;
    z.nl = pl->nl;
    z.nc = 0;
    /* One typo first: its walk prunes at the second letter where two
     * typos' walk goes on to the third or fourth, and most words typed
     * have one. */
    for (z.max = 1; z.max <= max && !z.nc; z.max++)
        if (walk_vocab(s, &z) || rank_cands(s, z.c, &z.nc))
            return s->rc;
    if (!z.nc)
        return 0;
    /* The best correction takes the word's place, then gets its cursors
     * as a word the index has. */
    if (z.c[0].wlen >= LX_TOKEN_BUF)
        return 0;
    add_fix(s, ci, z.c[0].word, z.c[0].wlen);
    lx_qword *qw = &s->q.words[cl->first];
    memcpy(qw->tok, z.c[0].word, z.c[0].wlen);
    qw->tok[z.c[0].wlen] = 0;
    qw->len = z.c[0].wlen;
    return lx_plan_word_cursors(s, pl, ci, clause_id);
}

/* The bytes of fix i's word in the query (empty where its span does not
 * fit the query, as a guard). */
static void fix_span(const lx_searcher *s, int i, size_t qn, size_t *off, size_t *end) {
    const lx_qclause *cl = &s->q.clauses[s->fix[i].clause];
    *off = cl->offset <= qn ? cl->offset : qn;
    *end = cl->end >= *off && cl->end <= qn ? cl->end : *off;
}

/* The corrections and did_you_mean into p (room measured by the caller). */
static void write_fixes(const lx_searcher *s, const char *query, size_t qn, lx_correction *cs,
                        char *p, lx_results *res) {
    char *dym = p;
    size_t at = 0;
    /* Fixes come in clause order, so the query is copied once, front to
     * back (one out of order is left out of did_you_mean). */
    for (int i = 0; i < s->nfix; i++) {
        size_t off, end, tl = strlen(s->fix[i].to);
        fix_span(s, i, qn, &off, &end);
        if (off < at)
            continue;
        memcpy(p, query + at, off - at);
        p += off - at;
        memcpy(p, s->fix[i].to, tl);
        p += tl;
        at = end;
    }
    memcpy(p, query + at, qn - at);
    p += qn - at;
    *p++ = 0;
    for (int i = 0; i < s->nfix; i++) {
        size_t off, end, tl = strlen(s->fix[i].to);
        fix_span(s, i, qn, &off, &end);
        cs[i].from = p;
        memcpy(p, query + off, end - off);
        p += end - off;
        *p++ = 0;
        cs[i].to = p;
        memcpy(p, s->fix[i].to, tl + 1);
        p += tl + 1;
    }
    res->did_you_mean = dym;
    res->corrections = cs;
    res->n_corrections = (size_t)s->nfix;
}

int lx_fuzzy_results(const lx_searcher *s, const char *query, lx_results *res) {
    size_t qn = strlen(query), nd = (size_t)s->ndropped;
    size_t need = qn + 1 + s->nfix * sizeof(lx_correction) + nd * sizeof(char *) + s->dropped.n;
    if (!s->nfix && !nd)
        return 0;
    for (int i = 0; i < s->nfix; i++) {
        size_t off, end;
        fix_span(s, i, qn, &off, &end);
        need += strlen(s->fix[i].to) * 2 + 2 + end - off;
    }
    char *blk = malloc(need);
    if (!blk)
        return LX_ENOMEM;
    res->forgive = blk;
    /* The pointers first (aligned), then the strings. */
    const char **dropped = (const char **)blk;
    lx_correction *cs = (lx_correction *)(dropped + nd);
    char *p = (char *)(cs + s->nfix);
    if (nd) {
        memcpy(p, s->dropped.p, s->dropped.n);
        for (size_t i = 0, at = 0; i < nd; i++) {
            dropped[i] = p + at;
            at += strlen(p + at) + 1;
        }
        p += s->dropped.n;
        res->dropped = dropped;
        res->n_dropped = nd;
        res->truncated = 1;
    }
    if (s->nfix)
        write_fixes(s, query, qn, cs, p, res);
    return 0;
}
