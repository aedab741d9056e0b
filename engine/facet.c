/* facet.c -- facet counts: how many of the matched lectures carry each
 * tag and each language.
 *
 * A facet's values per lecture are built once per snapshot from the tags
 * or langs database (a searcher part): counting a result set's facets is
 * then one pass over its docids instead of one over every value's list.
 * Values in more than 1/32 of the lectures (a language, a broad tag) are
 * kept apart as bitmaps and counted with AND + popcount over the result
 * bitmap.
 */
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "error.h"
#include "facet.h"
#include "heap.h"

typedef struct facetidx {
    size_t snap; /* snapshot it was built for; 0 = none */
    uint32_t nvals;
    lx_buf names; /* values, NUL-terminated, one after the other */
    uint32_t *name_off;
    uint32_t *doc_off; /* next_doc + 1 offsets into vals */
    uint32_t *vals;    /* each doc's sparse value ids */
    uint32_t *counts;  /* scratch, nvals */
    uint32_t *totals;  /* each sparse value's docs (below next_doc) */
    uint64_t nsparse;  /* docs with a sparse value */
    uint32_t ndense;   /* values in many docs, counted by bitmap: */
    uint32_t *dense_ids;
    uint64_t *dense_bm;  /* ndense bitmaps of `words` words */
    uint64_t *sparse_bm; /* docs with a sparse value */
} facetidx;

/* The searcher part: one index per facet. */
typedef struct facets {
    facetidx tags, langs;
} facets;

int lx_facet_cmp(const void *a, const void *b) {
    const lx_facet *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void facetidx_clear(facetidx *f) {
    lx_buf_free(&f->names);
    free(f->name_off);
    free(f->doc_off);
    free(f->vals);
    free(f->counts);
    free(f->totals);
    free(f->dense_ids);
    free(f->dense_bm);
    free(f->sparse_bm);
    memset(f, 0, sizeof *f);
}

static void facets_free(void *p) {
    facets *f = p;
    facetidx_clear(&f->tags);
    facetidx_clear(&f->langs);
    free(f);
}

/* count_values: the value ids copied a doc (its first), and counted a
 * chunk. */
#define FACET_ROW 16
#define FACET_CHUNK 1024

/* A value is counted from a bitmap when it is in more than 1/32 of the
 * lectures: one AND and popcount per 64 lectures then costs less than a
 * step per matched lecture that has it. */
static int facet_dense(uint32_t df, uint32_t nd) {
    return (uint64_t)df * 32 > nd;
}

/* Pass 1 over the database: names, which values are dense, and how many
 * sparse values each doc has; *total receives the sparse entries. */
static int build_pass1(lx_searcher *s, lx_dbname db, facetidx *f, size_t *total) {
    uint32_t nd = s->st.next_doc;
    lx_store_iter it;
    MDB_val k, v;
    size_t cap = 0;
    int r = lx_store_iter_open(s->txn, s->ix, db, &it);
    while (r == 0 || r == 1) {
        if ((r = lx_store_iter_next(&it, &k, &v)) <= 0)
            break;
        if (f->nvals == cap) {
            cap = cap ? cap * 2 : 64;
            uint32_t *no = realloc(f->name_off, cap * sizeof *no);
            if (!no) {
                r = LX_ENOMEM;
                break;
            }
            f->name_off = no;
        }
        f->name_off[f->nvals++] = (uint32_t)f->names.n;
        if (lx_buf_append(&f->names, k.mv_data, k.mv_size) || lx_buf_append(&f->names, "", 1)) {
            r = LX_ENOMEM;
            break;
        }
        if (facet_dense((uint32_t)(v.mv_size / 4), nd)) {
            f->ndense++;
            continue;
        }
        for (size_t i = 0; i < v.mv_size / 4; i++) {
            uint32_t d;
            memcpy(&d, (const uint8_t *)v.mv_data + i * 4, 4);
            if (d < nd)
                f->doc_off[d + 1]++;
        }
        *total += v.mv_size / 4;
    }
    lx_store_iter_close(&it);
    return r;
}

/* Pass 2: the dense values' bitmaps, each doc's sparse value ids. */
static int build_pass2(lx_searcher *s, lx_dbname db, facetidx *f, uint32_t *fill) {
    uint32_t nd = s->st.next_doc;
    lx_store_iter it;
    MDB_val k, v;
    uint32_t id = 0, nden = 0;
    int r = lx_store_iter_open(s->txn, s->ix, db, &it);
    for (; r >= 0 && id < f->nvals; id++) {
        if ((r = lx_store_iter_next(&it, &k, &v)) <= 0)
            break;
        uint64_t *bm = NULL;
        if (facet_dense((uint32_t)(v.mv_size / 4), nd) && nden < f->ndense) {
            f->dense_ids[nden] = id;
            bm = f->dense_bm + (size_t)nden++ * s->words;
        }
        for (size_t i = 0; i < v.mv_size / 4; i++) {
            uint32_t d;
            memcpy(&d, (const uint8_t *)v.mv_data + i * 4, 4);
            if (d >= nd)
                continue;
            if (bm) {
                bm[d / 64] |= 1ull << (d % 64);
            } else {
                f->vals[f->doc_off[d] + fill[d]++] = id;
                f->sparse_bm[d / 64] |= 1ull << (d % 64);
                f->totals[id]++;
            }
        }
    }
    lx_store_iter_close(&it);
    return r < 0 ? r : 0;
}

/* Builds f from db (value -> u32 docids) for the current snapshot. */
static int facetidx_build(lx_searcher *s, lx_dbname db, facetidx *f) {
    facetidx_clear(f);
    uint32_t nd = s->st.next_doc;
    f->doc_off = calloc((size_t)nd + 2, sizeof *f->doc_off);
    if (!f->doc_off)
        return LX_ENOMEM;
    size_t total = 0;
    int rc = build_pass1(s, db, f, &total);
    if (rc < 0)
        return rc;
    for (uint32_t d = 0; d < nd; d++)
        f->doc_off[d + 1] += f->doc_off[d];
    /* FACET_ROW more: count_values copies a doc's first ids as a block. */
    f->vals = calloc(total + FACET_ROW, sizeof *f->vals);
    f->counts = calloc(f->nvals ? f->nvals : 1, sizeof *f->counts);
    f->totals = calloc(f->nvals ? f->nvals : 1, sizeof *f->totals);
    f->dense_ids = malloc((f->ndense ? f->ndense : 1) * sizeof *f->dense_ids);
    f->dense_bm = calloc(f->ndense ? (size_t)f->ndense * s->words : 1, sizeof *f->dense_bm);
    f->sparse_bm = calloc(s->words ? s->words : 1, sizeof *f->sparse_bm);
    uint32_t *fill = calloc((size_t)nd + 1, sizeof *fill);
    if (!f->vals || !f->counts || !f->totals || !f->dense_ids || !f->dense_bm || !f->sparse_bm ||
        !fill) {
        free(fill);
        return LX_ENOMEM;
    }
    rc = build_pass2(s, db, f, fill);
    free(fill);
    if (rc)
        return rc;
    f->nsparse = lx_bitmap_count_and(f->sparse_bm, NULL, s->words);
    f->snap = s->snap;
    return 0;
}

/* Leaves the `keep` smallest of a[0..n) in a[0..keep), ascending, and
 * returns how many that is: a bounded max-heap, then a sort of the few. */
static size_t smallest_sorted(uint64_t *a, size_t n, size_t keep) {
    if (keep < n) {
        lx_u64max_make(a, (uint32_t)keep, NULL); /* a[0..keep): the largest at the root */
        for (size_t i = keep; keep && i < n; i++) {
            if (a[i] < a[0]) {
                a[0] = a[i];
                lx_u64max_down(a, (uint32_t)keep, 0, NULL);
            }
        }
        n = keep;
    }
    if (n > 32) {
        qsort(a, n, sizeof *a, cmp_u64);
        return n;
    }
    /* A page's few (the keys are distinct: either sort gives this order)
     * by insertion, without a call per comparison. */
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
    return n;
}

/* Counts the matched docs' values of fi into fi->counts.  When most
 * docs with a sparse value match, the others are walked instead: each
 * value's total less its count among them (exact, in wrapping unsigned
 * arithmetic). */
static void count_values(lx_searcher *s, facetidx *fi, const uint64_t *matched) {
    uint64_t hit = lx_bitmap_count_and(matched, fi->sparse_bm, s->words);
    int rest = hit > fi->nsparse - hit;
    uint64_t flip = rest ? ~0ull : 0; /* walk the docs not matched */
    uint32_t step = rest ? UINT32_MAX : 1;
    size_t nv = fi->nvals ? fi->nvals : 1;
    if (rest)
        memcpy(fi->counts, fi->totals, nv * sizeof *fi->counts);
    else
        memset(fi->counts, 0, nv * sizeof *fi->counts);
    /* sparse_bm holds docs below next_doc only; restrict: the counts
     * written never alias the offsets and values read. */
    const uint32_t *restrict off = fi->doc_off, *restrict vals = fi->vals;
    uint32_t *restrict counts = fi->counts;
    /* The walked docs' value ids are gathered into a chunk, then counted
     * in one loop: a loop per doc over its own number of values exits
     * mispredicted nearly every doc, and each miss throws away the loads
     * of the docs after it.  A doc's first FACET_ROW ids are copied as
     * one fixed-size block (vals is padded for it) whatever its count. */
    uint32_t chunk[FACET_CHUNK + FACET_ROW];
    size_t n = 0;
    for (size_t w = 0; w < s->words; w++) {
        uint64_t bits = (matched[w] ^ flip) & fi->sparse_bm[w];
        while (bits) {
            size_t d = w * 64 + (size_t)__builtin_ctzll(bits);
            bits &= bits - 1;
            uint32_t j = off[d], k = off[d + 1] - j;
            memcpy(chunk + n, vals + j, FACET_ROW * sizeof *vals);
            if (k > FACET_ROW) { /* the rest straight: few docs have more */
                for (uint32_t e = j + k, i = j + FACET_ROW; i < e; i++)
                    counts[vals[i]] += step;
                k = FACET_ROW;
            }
            n += k;
            if (n >= FACET_CHUNK) {
                for (size_t i = 0; i < n; i++)
                    counts[chunk[i]] += step;
                n = 0;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        counts[chunk[i]] += step;
    for (uint32_t j = 0; j < fi->ndense; j++)
        fi->counts[fi->dense_ids[j]] =
            (uint32_t)lx_bitmap_count_and(matched, fi->dense_bm + (size_t)j * s->words, s->words);
}

/* The histogram bucket of a count: itself below 256, then one per power
 * of two; and the least count in bucket b. */
#define FACET_BUCKETS (256 + 24)
static inline uint32_t count_bucket(uint32_t c) {
    uint32_t lg = 31 - (uint32_t)__builtin_clz(c | 1);
    return c < 256 ? c : 248 + lg;
}
static inline uint32_t bucket_least(uint32_t b) {
    return b < 256 ? b : 1u << (b - 248);
}

/* The keys of fi's values that may be among the `limit` most frequent,
 * into order; returns how many.  Ordered by count desc, then by value
 * (value ids follow the database's key order), a key is one integer.
 * The candidates are the values whose count is at least the least of the
 * histogram bucket that holds the limit-th highest count (a superset of
 * the top `limit`, rarely much larger), each kept without a branch: a
 * pass over the values in id order otherwise mispredicts which are kept
 * about every other value. */
static size_t candidates(const facetidx *fi, unsigned limit, uint64_t *order) {
    uint32_t hist[FACET_BUCKETS] = {0};
    const uint32_t *counts = fi->counts;
    for (uint32_t i = 0; i < fi->nvals; i++)
        hist[count_bucket(counts[i])]++;
    uint32_t least = 1; /* never a value not counted */
    uint64_t above = 0;
    for (uint32_t b = FACET_BUCKETS - 1; b > 0; b--) {
        if ((above += hist[b]) >= limit) {
            least = bucket_least(b);
            break;
        }
    }
    size_t n = 0;
    for (uint32_t i = 0; i < fi->nvals; i++) {
        order[n] = ((uint64_t)(UINT32_MAX - counts[i]) << 32) | i;
        n += counts[i] >= least;
    }
    return n;
}

/* Counts one facet (see facetidx) and lists the `limit` most frequent. */
static int facet_counts(lx_searcher *s, lx_dbname db, facetidx *fi, const uint64_t *matched,
                        unsigned limit, lx_buf *keys, lx_facet **out, size_t *nout) {
    int rc;
    if (fi->snap != s->snap && (rc = facetidx_build(s, db, fi))) {
        facetidx_clear(fi);
        return rc;
    }
    count_values(s, fi, matched);
    uint64_t *order = malloc((fi->nvals ? fi->nvals : 1) * sizeof *order);
    if (!order)
        return LX_ENOMEM;
    size_t n = smallest_sorted(order, candidates(fi, limit, order), limit);
    lx_facet *f = malloc((n ? n : 1) * sizeof *f);
    if (!f) {
        free(order);
        return LX_ENOMEM;
    }
    rc = 0;
    for (size_t j = 0; j < n && !rc; j++) {
        uint32_t i = (uint32_t)order[j];
        const char *name = (const char *)fi->names.p + fi->name_off[i];
        f[j].value = (const char *)(uintptr_t)keys->n;
        f[j].count = fi->counts[i];
        rc = lx_buf_append(keys, name, strlen(name) + 1);
    }
    free(order);
    if (rc) {
        free(f);
        return rc;
    }
    *out = f;
    *nout = n;
    return 0;
}

int lx_facets_count(lx_searcher *s, const uint64_t *matched, unsigned limit, lx_buf *keys,
                    lx_facet **tf, size_t *ntf, lx_facet **lf, size_t *nlf) {
    *tf = *lf = NULL;
    *ntf = *nlf = 0;
    if (s->rc)
        return s->rc;
    facets *f = lx_searcher_part(s, LX_PART_FACETS);
    if (!f) {
        if (!(f = calloc(1, sizeof *f)))
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        lx_searcher_set_part(s, LX_PART_FACETS, f, facets_free);
    }
    int rc = facet_counts(s, LX_DB_TAGS, &f->tags, matched, limit, keys, tf, ntf);
    if (!rc && (rc = facet_counts(s, LX_DB_LANGS, &f->langs, matched, limit, keys, lf, nlf))) {
        free(*tf);
        *tf = NULL;
        *ntf = 0;
    }
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "facets: %s", lx_strerror(rc));
    return 0;
}
