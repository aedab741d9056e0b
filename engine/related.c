/* related.c -- related lectures: more-like-this with topic tags.
 *
 * lx_related() turns one stored lecture into a weighted query and scores
 * the other lectures with the ranking core (BM25F, rank.c):
 *
 *  1. Term extraction.  The stored fields are tokenised again
 *     (lx_fields_from_view + lx_analyze); each token becomes its index term
 *     under the lecture's own language, stopwords (stop.c) left out, and
 *     each term gets a field-weighted frequency wtf = sum_f SEL_W[f] tf_f.
 *     The searcher keeps a cache of token -> term and term -> df (the df
 *     valid for one snapshot), so a warm call neither stems nor looks up a
 *     word it has met before; per call, terms are counted in arrays indexed
 *     through a generation stamp, so nothing is allocated per term.
 *  2. Term selection: significance = wtf * idf(df), the best REL_TERMS.
 *     Terms are visited by wtf descending and the visit stops as soon as
 *     even the largest idf could not lift a term into the best; terms with
 *     wtf < REL_MIN_WTF are visited only while fewer than REL_TERMS were
 *     found (a short lecture still gets a query).  Terms in more than
 *     REL_MAX_DF of the lectures, and terms of this lecture only, are left
 *     out.  A df missing from the cache is read from the head of the
 *     posting list, once.
 *  3. Scoring.  Each selected term is weighted like a TERM cursor of the
 *     ranking core, w = idf * (k1 + 1) * (significance / best)^REL_QPOW,
 *     and scores BM25F's w * tf~ / (k1 + tf~) with k1 = REL_K1 (a long
 *     query wants a near-linear tf); each tag of the lecture adds
 *     REL_TAG_W * (k1 + 1) * idf(tag) to every lecture carrying it, so rare
 *     shared tags count more.  The query is long (60 terms whose lists
 *     cover 94% of the TED talks, ~28,000 postings), so the lists are run
 *     term at a time into per-document accumulators, a block at a time,
 *     rather than through lx_topk: MaxScore cannot skip much when the union
 *     is most of the collection, and its document-at-a-time loop over 60
 *     cursors cost 2-2.5 ms a call against 0.35 ms (measured,
 *     tests/eval/related/README.md).  The scores and the top k are exactly
 *     those of lx_topk on the same cursors (the arithmetic of lx_qcur_score,
 *     summed in cursor order, ties by docid; checked on all 1,997 TED
 *     queries).  The same pass records which selected terms each lecture
 *     has (shared_terms).  Filters (tags, lang, speaker) apply through the
 *     permitted-docs bitmap; the lecture itself is skipped.
 *  4. Near-duplicates are dropped from the page: the same title and
 *     speaker, the same title and body length, or a total length within
 *     10% and a cosine above REL_DUP_COS of the tf-idf vectors over the
 *     selected terms ("almost the same text"; computed only for lectures
 *     that have 80% of those terms).
 *
 * The constants were chosen on the TED talks by tag-overlap nDCG@10
 * (tests/eval/related/README.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "record.h"
#include "searcher.h"
#include "stop.h"
#include "strmap.h"
#include "text.h"

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
/* Query weight exponent of the relative significance. */
#ifndef REL_QPOW
#define REL_QPOW 0.5
#endif
/* BM25 k1 of the candidates' scores. */
#ifndef REL_K1
#define REL_K1 10.0
#endif
/* Weight of a shared tag, in units of (k1 + 1) * idf(tag). */
#ifndef REL_TAG_W
#define REL_TAG_W 0.5
#endif
/* Cosine over the selected terms above which a lecture of about the same
 * length is a near-duplicate. */
#define REL_DUP_COS 0.9
/* Shared terms reported per hit. */
#define REL_SHARED_TERMS 5
/* The cache is emptied when it holds this many words. */
#define REL_CACHE_WORDS (1u << 18)

_Static_assert(REL_TERMS <= 64, "a candidate's shared terms are a 64-bit mask");

/* ---- the searcher's scratch ---------------------------------------------------- */

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
    char tagkey[LX_MAX_TAGS][LX_MAX_TAG_BYTES * 3 + 1];
};

void lx_related_scratch_free(struct lx_relscratch *r) {
    if (!r)
        return;
    lx_buf_free(&r->keys);
    lx_buf_free(&r->callkeys);
    free(r->seen);
    free(r->tok);
    free(r->words.slot);
    free(r->terms.slot);
    free(r->info);
    free(r->t);
    free(r->order);
    free(r->score);
    free(r->mask);
    free(r);
}

static void cache_clear(struct lx_relscratch *r) {
    r->keys.n = 0;
    if (r->words.slot)
        memset(r->words.slot, 0, r->words.cap * sizeof *r->words.slot);
    if (r->terms.slot)
        memset(r->terms.slot, 0, r->terms.cap * sizeof *r->terms.slot);
    r->words.n = r->terms.n = 0;
    r->ninfo = 0;
}

static int map_init(rel_map *m) {
    if (m->slot)
        return 0;
    m->cap = 4096;
    m->n = 0;
    m->slot = calloc(m->cap, sizeof *m->slot);
    return m->slot ? 0 : -1;
}

/* The slot of key, or the empty slot where it would go. */
static rel_slot *map_find(const rel_map *m, const lx_buf *keys, const char *k, uint32_t len,
                          uint32_t h) {
    uint32_t mask = m->cap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        rel_slot *s = &m->slot[i];
        if (!s->klen || (s->hash == h && s->klen == len && !memcmp(keys->p + s->key, k, len)))
            return s;
    }
}

/* Fills the empty slot e with the key (copied) and value; grows the map. */
static int map_put(rel_map *m, lx_buf *keys, rel_slot *e, const char *k, uint32_t len, uint32_t h,
                   uint32_t val) {
    if (keys->n + len > UINT32_MAX || lx_buf_append(keys, k, len))
        return -1;
    *e = (rel_slot){h, (uint32_t)(keys->n - len), len, val};
    if (++m->n * 2 <= m->cap)
        return 0;
    uint32_t cap = m->cap * 2;
    rel_slot *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->slot[i].klen)
            continue;
        uint32_t j = m->slot[i].hash & (cap - 1);
        while (ns[j].klen)
            j = (j + 1) & (cap - 1);
        ns[j] = m->slot[i];
    }
    free(m->slot);
    m->slot = ns;
    m->cap = cap;
    return 0;
}

/* ---- 1. extraction ----------------------------------------------------------- */

/* The term id of a token (key: the language byte, then the token; h its
 * hash), or REL_STOP; REL_OOM when out of memory. */
#define REL_OOM (UINT32_MAX - 1)
static uint32_t word_term(lx_searcher *s, struct lx_relscratch *r, const char *key, size_t len,
                          uint32_t h) {
    const char *tok = key + 1;
    rel_slot *w = map_find(&r->words, &r->keys, key, (uint32_t)len + 1, h);
    if (w->klen)
        return w->val;
    uint32_t id = REL_STOP;
    /* Pure numbers say little about a subject. */
    size_t digits = 0;
    while (digits < len && tok[digits] >= '0' && tok[digits] <= '9')
        digits++;
    if (digits < len && !lx_stopword(r->langcode, tok, len)) {
        char term[LX_TOKEN_BUF];
        size_t tl = lx_stemmers_term(&s->stem, r->lang, tok, len, term);
        uint32_t th = lx_hash(term, tl);
        rel_slot *ts = tl ? map_find(&r->terms, &r->keys, term, (uint32_t)tl, th) : NULL;
        if (ts && ts->klen) {
            id = ts->val;
        } else if (ts) {
            if (r->ninfo == r->capinfo) {
                uint32_t cap = r->capinfo ? r->capinfo * 2 : 4096;
                rel_info *ni = realloc(r->info, cap * sizeof *ni);
                if (!ni)
                    return REL_OOM;
                r->info = ni;
                r->capinfo = cap;
            }
            id = r->ninfo;
            uint32_t koff = (uint32_t)r->keys.n;
            if (map_put(&r->terms, &r->keys, ts, term, (uint32_t)tl, th, id))
                return REL_OOM; /* (ts is stale after a put) */
            rel_info *in = &r->info[id];
            memset(in, 0, sizeof *in);
            in->key = koff;
            in->klen = (uint32_t)tl;
            in->form = (uint32_t)r->keys.n + 1;
            in->flen = (uint32_t)len;
            r->ninfo++;
        }
    }
    /* The word key holds the token after the language byte: it is the
     * term's form when the term is new (in->form points there). */
    w = map_find(&r->words, &r->keys, key, (uint32_t)len + 1, h);
    if (map_put(&r->words, &r->keys, w, key, (uint32_t)len + 1, h, id))
        return REL_OOM;
    return id;
}

/* The row of this call's term id, adding the row on first sight. */
static uint32_t term_row(struct lx_relscratch *r, uint32_t id) {
    rel_info *in = &r->info[id];
    if (in->stamp == r->gen)
        return in->slot;
    if (r->nt == r->capt) {
        uint32_t cap = r->capt ? r->capt * 2 : 1024;
        rel_term *nt = realloc(r->t, cap * sizeof *nt);
        if (!nt)
            return REL_OOM;
        r->t = nt;
        r->capt = cap;
    }
    in->stamp = r->gen;
    in->slot = r->nt;
    rel_term *t = &r->t[r->nt++];
    memset(t, 0, sizeof *t);
    t->id = id;
    return in->slot;
}

/* This call's tokens -> rows: small and hot, so a repeated token costs a
 * probe of a table in cache rather than of the large cross-call one. */
static rel_seen *seen_find(const struct lx_relscratch *r, const char *tok, uint32_t len,
                           uint32_t h) {
    uint32_t mask = r->seencap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        rel_seen *e = &r->seen[i];
        if (e->stamp != r->gen ||
            (e->hash == h && e->klen == len && !memcmp(r->callkeys.p + e->key, tok, len)))
            return e;
    }
}

static int seen_grow(struct lx_relscratch *r) {
    uint32_t cap = r->seencap * 2;
    rel_seen *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < r->seencap; i++) {
        if (r->seen[i].stamp != r->gen)
            continue;
        uint32_t j = r->seen[i].hash & (cap - 1);
        while (ns[j].stamp == r->gen)
            j = (j + 1) & (cap - 1);
        ns[j] = r->seen[i];
    }
    free(r->seen);
    r->seen = ns;
    r->seencap = cap;
    return 0;
}

static void on_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    struct lx_relscratch *r = ctx;
    (void)pos;
    if (r->oom || SEL_W[field] == 0)
        return;
    if (len >= LX_TOKEN_BUF)
        len = LX_TOKEN_BUF - 1;
    uint32_t h = lx_hash(tok, len);
    rel_seen *e = seen_find(r, tok, (uint32_t)len, h);
    if (e->stamp != r->gen) {
        if (r->ntok == r->captok) {
            uint32_t cap = r->captok ? r->captok * 2 : 1024;
            rel_tok *nt = realloc(r->tok, cap * sizeof *nt);
            if (!nt) {
                r->oom = 1;
                return;
            }
            r->tok = nt;
            r->captok = cap;
        }
        /* The key of the cross-call cache: the language byte, the token. */
        uint32_t koff = (uint32_t)r->callkeys.n;
        char lang = (char)(r->lang + 1);
        if (lx_buf_append(&r->callkeys, &lang, 1) || lx_buf_append(&r->callkeys, tok, len)) {
            r->oom = 1;
            return;
        }
        *e = (rel_seen){r->gen, h, koff + 1, (uint32_t)len, r->ntok};
        rel_tok *t = &r->tok[r->ntok++];
        memset(t, 0, sizeof *t);
        t->key = koff;
        t->len = (uint32_t)len + 1;
        if (++r->nseen * 2 > r->seencap && seen_grow(r)) {
            r->oom = 1;
            return;
        }
    }
    r->tok[e->row].tf[field]++;
}

/* Gives each distinct token of the call its term and adds its counts to
 * the term's row.  The cross-call tables are large, so their slots are
 * prefetched a few tokens ahead: the misses overlap. */
#define REL_AHEAD 8
static int resolve_tokens(lx_searcher *s, struct lx_relscratch *r) {
    const char *kb = (const char *)r->callkeys.p;
    for (uint32_t k = 0; k < r->ntok; k++)
        r->tok[k].h = lx_hash(kb + r->tok[k].key, r->tok[k].len);
    for (uint32_t k = 0; k < r->ntok; k++) {
        if (k + REL_AHEAD < r->ntok)
            __builtin_prefetch(&r->words.slot[r->tok[k + REL_AHEAD].h & (r->words.cap - 1)]);
        if (k + REL_AHEAD / 2 < r->ntok) {
            const rel_slot *w = &r->words.slot[r->tok[k + REL_AHEAD / 2].h & (r->words.cap - 1)];
            if (w->klen)
                __builtin_prefetch(r->keys.p + w->key);
        }
        rel_tok *t = &r->tok[k];
        t->id = word_term(s, r, kb + t->key, t->len - 1, t->h);
        if (t->id == REL_OOM)
            return -1;
    }
    for (uint32_t k = 0; k < r->ntok; k++) {
        if (k + REL_AHEAD < r->ntok && r->tok[k + REL_AHEAD].id < r->ninfo)
            __builtin_prefetch(&r->info[r->tok[k + REL_AHEAD].id]);
        rel_tok *t = &r->tok[k];
        if (t->id == REL_STOP)
            continue;
        uint32_t row = term_row(r, t->id);
        if (row == REL_OOM)
            return -1;
        for (int f = 0; f < LX_NFIELDS; f++)
            r->t[row].tf[f] += t->tf[f];
    }
    return 0;
}

/* ---- 2. selection --------------------------------------------------------------- */

/* Max-heap of (wtf, row) keys: wtf's float bits above, ~row below. */
static void sift_down(uint64_t *h, uint32_t n, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < n && h[l] > h[m])
            m = l;
        if (l + 1 < n && h[l + 1] > h[m])
            m = l + 1;
        if (m == i)
            return;
        uint64_t x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
}

/* Min-heap of rows on significance (the best REL_TERMS so far). */
static void sel_push(const rel_term *t, uint32_t *h, int *n, uint32_t row) {
    if (*n < REL_TERMS) {
        int i = (*n)++;
        h[i] = row;
        while (i > 0) {
            int p = (i - 1) / 2;
            if (t[h[p]].sig <= t[h[i]].sig)
                break;
            uint32_t x = h[p];
            h[p] = h[i];
            h[i] = x;
            i = p;
        }
        return;
    }
    h[0] = row;
    for (int i = 0;;) {
        int l = 2 * i + 1, m = i;
        if (l < *n && t[h[l]].sig < t[h[m]].sig)
            m = l;
        if (l + 1 < *n && t[h[l + 1]].sig < t[h[m]].sig)
            m = l + 1;
        if (m == i)
            break;
        uint32_t x = h[m];
        h[m] = h[i];
        h[i] = x;
        i = m;
    }
}

/* Reads a term's posting list in this call's transaction: its df (cached
 * for the snapshot) and where the list is.  -1 when the index lacks it. */
static int term_list(lx_searcher *s, struct lx_relscratch *r, rel_term *t) {
    rel_info *in = &r->info[t->id];
    MDB_val k = {in->klen, r->keys.p + in->key}, v;
    if (mdb_get(s->txn, s->ix->post, &k, &v) || !v.mv_size) {
        in->df = 0;
    } else {
        lx_vbyte_get(v.mv_data, (const uint8_t *)v.mv_data + v.mv_size, &in->df);
        t->post = v.mv_data;
        t->postlen = v.mv_size;
    }
    in->have_df = 1;
    in->snap = s->snap;
    return t->post ? 0 : -1;
}

static int cmp_sig(const void *a, const void *b, void *ctx) {
    const rel_term *t = ctx, *x = &t[*(const uint32_t *)a], *y = &t[*(const uint32_t *)b];
    if (x->sig != y->sig)
        return x->sig > y->sig ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Picks at most REL_TERMS rows into sel[], best first, each with its
 * posting list; returns the count, -1 when out of memory. */
static int select_terms(lx_searcher *s, struct lx_relscratch *r, uint32_t *sel) {
    double N = s->sc.N;
    if (r->nt > r->capord) {
        uint64_t *o = realloc(r->order, r->nt * sizeof *o);
        if (!o)
            return -1;
        r->order = o;
        r->capord = r->nt;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nt; i++) {
        rel_term *t = &r->t[i];
        t->wtf = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            t->wtf += SEL_W[f] * t->tf[f];
        float w = (float)t->wtf;
        uint32_t bits;
        memcpy(&bits, &w, 4);
        if (w > 0)
            r->order[n++] = (uint64_t)bits << 32 | (UINT32_MAX - i);
    }
    for (uint32_t i = n / 2; i-- > 0;)
        sift_down(r->order, n, i);
    double maxdf = REL_MAX_DF * N > REL_MAX_DF_FLOOR ? REL_MAX_DF * N : REL_MAX_DF_FLOOR;
    /* No selectable term has df < 2, so no idf exceeds idf(N, 2). */
    double idf_max = lx_idf(N, 2);
    int ns = 0;
    while (n) {
        uint32_t row = UINT32_MAX - (uint32_t)r->order[0];
        r->order[0] = r->order[--n];
        sift_down(r->order, n, 0);
        rel_term *t = &r->t[row];
        if (ns == REL_TERMS && (t->wtf < REL_MIN_WTF || t->wtf * idf_max <= r->t[sel[0]].sig))
            break;
        rel_info *in = &r->info[t->id];
        if ((!in->have_df || in->snap != s->snap) && term_list(s, r, t))
            continue;
        if (in->df < 2 || in->df > maxdf)
            continue;
        t->idf = lx_idf(N, in->df);
        t->sig = t->wtf * t->idf;
        if (ns < REL_TERMS || t->sig > r->t[sel[0]].sig)
            sel_push(r->t, sel, &ns, row);
    }
    qsort_r(sel, (size_t)ns, sizeof *sel, cmp_sig, r->t);
    /* Every selected term needs its list in this transaction. */
    int m = 0;
    for (int j = 0; j < ns; j++)
        if (r->t[sel[j]].post || !term_list(s, r, &r->t[sel[j]]))
            sel[m++] = sel[j];
    return m;
}

/* ---- 3. scoring ------------------------------------------------------------------ */

static int allowed(const uint64_t *allow, uint32_t d) {
    return allow[d >> 6] >> (d & 63) & 1;
}

/* ---- 4. the page ------------------------------------------------------------------ */

typedef struct rel_tag {
    const char *name;    /* normalised, in the scratch */
    const uint8_t *docs; /* u32 docids ascending, in the map */
    uint32_t n;
} rel_tag;

static int cmp_tag_df(const void *a, const void *b) {
    const rel_tag *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int has_doc(const uint8_t *docs, uint32_t n, uint32_t d) {
    uint32_t lo = 0, hi = n, x;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        memcpy(&x, docs + (size_t)mid * 4, 4);
        if (x < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n)
        return 0;
    memcpy(&x, docs + (size_t)lo * 4, 4);
    return x == d;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Whether two titles or names are the same text: ASCII case and the
 * amount of white space do not count. */
static int same_text(const char *a, size_t an, const char *b, size_t bn) {
    size_t i = 0, j = 0;
    for (;;) {
        int sa = 0, sb = 0;
        while (i < an && is_space(a[i]))
            i++, sa = 1;
        while (j < bn && is_space(b[j]))
            j++, sb = 1;
        if (i == an || j == bn)
            return i == an && j == bn;
        if (sa != sb && i > 0 && j > 0)
            return 0;
        unsigned char ca = (unsigned char)a[i++], cb = (unsigned char)b[j++];
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca + 32);
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb + 32);
        if (ca != cb)
            return 0;
    }
}

/* Whether a stored lecture's speaker is the non-empty name spk. */
static int same_speaker(const lx_docview *v, const char *spk, size_t spklen) {
    if (!spk || !spklen)
        return 0;
    cJSON *m = cJSON_Parse(v->meta);
    cJSON *it = cJSON_GetObjectItemCaseSensitive(m, "speaker");
    int same =
        cJSON_IsString(it) && same_text(it->valuestring, strlen(it->valuestring), spk, spklen);
    cJSON_Delete(m);
    return same;
}

/* A lecture's length in tokens in field f, and over all its fields.  (The
 * norms live in the map, not always 4-byte aligned: read with memcpy.) */
static uint32_t field_length(const uint32_t *norms, uint32_t nn, uint32_t d, int f) {
    uint32_t n = 0;
    if (d < nn)
        memcpy(&n, (const uint8_t *)norms + ((size_t)d * LX_NFIELDS + f) * sizeof n, sizeof n);
    return n;
}

static uint64_t doc_length(const uint32_t *norms, uint32_t nn, uint32_t d) {
    uint32_t len[LX_NFIELDS];
    uint64_t n = 0;
    if (d >= nn)
        return 0;
    memcpy(len, (const uint8_t *)norms + (size_t)d * sizeof len, sizeof len);
    for (int f = 0; f < LX_NFIELDS; f++)
        n += len[f];
    return n;
}

/* The cosine of the tf-idf vectors of the lecture and of doc d over the
 * selected terms (d's tfs read from the posting lists). */
static double cosine(lx_pcursor *pc, const struct lx_relscratch *r, const uint32_t *sel, int ns,
                     uint32_t d) {
    double dot = 0, na = 0, nb = 0;
    for (int j = 0; j < ns; j++) {
        const rel_term *t = &r->t[sel[j]];
        double a = 0, b = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            a += t->tf[f];
        a *= t->idf;
        if (pc && !lx_pcursor_open(pc, t->post, t->postlen)) {
            lx_pcursor_advance(pc, d);
            if (pc->doc == d) {
                const uint32_t *tf = lx_pcursor_tf(pc);
                for (int f = 0; f < LX_NFIELDS; f++)
                    b += SEL_W[f] > 0 ? tf[f] : 0;
                b *= t->idf;
            }
        }
        dot += a * b;
        na += a * a;
        nb += b * b;
    }
    return na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0;
}

/* ---- the call ---------------------------------------------------------------------- */

int lx_related(lx_searcher *s, const char *id, const lx_search_opts *o, lx_results **out,
               lx_error *err) {
    double t0 = lx_now_ms();
    *out = NULL;
    lx_error_clear(err);
    if (!id || !id[0])
        return lx_fail(err, LX_EINVAL, "id", -1, "a lecture id is required");
    uint32_t limit = o->limit ? o->limit : 10;
    if ((uint64_t)limit + o->offset > LX_MAX_RESULTS)
        return lx_fail(err, LX_ELIMIT, "limit", -1, "limit + offset must be at most %d",
                       LX_MAX_RESULTS);
    int rc = lx_query_parse("", 0, &s->q, err);
    if (rc)
        return rc;
    if (!s->rel && !(s->rel = calloc(1, sizeof *s->rel)))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    struct lx_relscratch *r = s->rel;
    if (map_init(&r->words) || map_init(&r->terms))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    const lx_rank_params *p = o->params ? o->params : &s->ix->params;
    if ((rc = lx_searcher_begin(s, p, err)))
        return rc;
    cJSON *holder = NULL;
    lx_resbuild *b = NULL;
    uint32_t self;
    lx_docview v;
    lx_fields f;
    rc = lx_store_docid(s->txn, s->ix, id, strlen(id), &self);
    if (rc == LX_ENOTFOUND) {
        lx_searcher_end(s);
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    }
    if (rc || (rc = lx_store_doc(s->txn, s->ix, self, &v)) ||
        (rc = lx_fields_from_view(&v, &f, &holder)))
        goto done;
    uint32_t ndocs = s->st.next_doc;
    if (ndocs > r->capdoc) {
        free(r->score);
        free(r->mask);
        r->score = malloc(ndocs * sizeof *r->score);
        r->mask = malloc(ndocs * sizeof *r->mask);
        r->capdoc = r->score && r->mask ? ndocs : 0;
        if (!r->capdoc) {
            rc = LX_ENOMEM;
            goto done;
        }
    }
    if (++r->gen == 0) { /* wrapped: no stamp may look current */
        for (uint32_t i = 0; i < r->ninfo; i++)
            r->info[i].stamp = 0;
        for (uint32_t i = 0; i < r->seencap; i++)
            r->seen[i].stamp = 0;
        r->gen = 1;
    }

    /* 1. The lecture's terms. */
    if (r->words.n > REL_CACHE_WORDS)
        cache_clear(r);
    r->nt = 0;
    r->oom = 0;
    r->nseen = 0;
    r->ntok = 0;
    r->callkeys.n = 0;
    if (r->seencap > (1u << 16) || !r->seen) { /* back to a small table */
        free(r->seen);
        r->seencap = 4096;
        if (!(r->seen = calloc(r->seencap, sizeof *r->seen))) {
            r->seencap = 0;
            rc = LX_ENOMEM;
            goto done;
        }
    }
    r->lang = lx_stemmers_lookup(&s->stem, f.lang);
    memcpy(r->langcode, f.lang, sizeof r->langcode);
    if (r->lang < 0) {
        rc = LX_ELIMIT;
        goto done;
    }
    if ((rc = lx_analyze(&f, on_token, r, NULL, err)))
        goto done;
    if (r->oom || resolve_tokens(s, r)) {
        rc = LX_ENOMEM;
        goto done;
    }

    /* 2. The significant ones. */
    uint32_t sel[REL_TERMS];
    int ns = select_terms(s, r, sel);
    if (ns < 0) {
        rc = LX_ENOMEM;
        goto done;
    }

    /* Its tags, rarest first. */
    rel_tag tags[LX_MAX_TAGS];
    int ntags = 0;
    for (int i = 0; i < f.ntags && i < LX_MAX_TAGS; i++) {
        char *key = r->tagkey[ntags];
        size_t kl = lx_tag_normalise(f.tags[i], f.taglen[i], key, sizeof r->tagkey[0]);
        MDB_val k = {kl, key}, tv;
        if (!kl || mdb_get(s->txn, s->ix->tags, &k, &tv) || tv.mv_size < 4)
            continue;
        tags[ntags++] = (rel_tag){key, tv.mv_data, (uint32_t)(tv.mv_size / 4)};
    }
    qsort(tags, (size_t)ntags, sizeof *tags, cmp_tag_df);

    /* 3. Scores, within the filters and without the lecture itself. */
    s->nqc = 0;
    int filtered = lx_search_filter(s, o, err);
    if (filtered < 0) {
        rc = filtered;
        goto done;
    }
    const uint64_t *allow = s->allow;
    memset(r->score, 0, ndocs * sizeof *r->score);
    memset(r->mask, 0, ndocs * sizeof *r->mask);
    lx_scorer sc = s->sc;
    sc.k1 = REL_K1;
    double k1p = sc.k1 + 1;
    double best = ns ? r->t[sel[0]].sig : 1.0;
    for (int j = 0; j < ns; j++) {
        rel_term *t = &r->t[sel[j]];
        lx_pcursor *pc = lx_searcher_pcursor(s);
        if (!pc) {
            rc = LX_ENOMEM;
            goto done;
        }
        if (lx_pcursor_open_limit(pc, t->post, t->postlen, s->st.next_doc))
            continue;
        double w = t->idf * k1p * pow(t->sig / best, REL_QPOW);
        uint64_t bit = 1ull << j;
        /* A block at a time: the arithmetic of lx_qcur_score for a TERM
         * cursor (rank.c), w * tf~ / (k1 + tf~) with tf~ the sum over the
         * fields of tf_f * invb[doc][f], without a call per posting. */
        while (pc->doc != LX_DOC_END) {
            lx_pcursor_tf_block(pc);
            for (uint32_t i = pc->i; i < pc->n; i++) {
                uint32_t d = pc->docs[i];
                if (d >= ndocs || (filtered && !allowed(allow, d)))
                    continue;
                const uint32_t *tf = pc->tf[i];
                const float *ib = sc.invb + (size_t)d * LX_NFIELDS;
                double tn = 0;
                /* Only the fields the doc has (a zero tf adds an exact 0). */
                unsigned m = pc->maskp ? pc->maskp[i] & pc->listmask : pc->listmask;
                while (m) {
                    int fi = __builtin_ctz(m);
                    m &= m - 1;
                    tn += tf[fi] * (double)ib[fi];
                }
                r->score[d] += w * (tn / (sc.k1 + tn));
                r->mask[d] |= bit;
            }
            pc->i = pc->n - 1;
            lx_pcursor_next(pc);
        }
    }
    for (int i = 0; i < ntags && REL_TAG_W > 0; i++) {
        double w = REL_TAG_W * k1p * lx_idf(sc.N, tags[i].n);
        for (uint32_t e = 0; e < tags[i].n; e++) {
            uint32_t d;
            memcpy(&d, tags[i].docs + (size_t)e * 4, 4);
            if (d < ndocs && (!filtered || allowed(allow, d)))
                r->score[d] += w;
        }
    }
    /* The best, with room for the near-duplicates that will be dropped. */
    uint32_t k = limit + o->offset + 8;
    if (k > s->heap_cap) {
        lx_scored *h = realloc(s->heap, k * sizeof *h);
        if (!h) {
            rc = LX_ENOMEM;
            goto done;
        }
        s->heap = h;
        s->heap_cap = k;
    }
    uint32_t nh = 0;
    for (uint32_t d = 0; d < ndocs; d++) {
        double x = r->score[d];
        if ((x > 0 || r->mask[d]) && d != self && (nh < k || x >= s->heap[0].score))
            lx_heap_push(s->heap, &nh, k, (lx_scored){x, d});
    }
    qsort(s->heap, nh, sizeof *s->heap, lx_scored_cmp);

    /* Snippets, when asked, show the lecture's best terms. */
    s->snip.n = 0;
    for (int j = 0; j < ns && j < 10; j++) {
        rel_info *in = &r->info[r->t[sel[j]].id];
        s->snip.term[s->snip.n] = (const char *)r->keys.p + in->key;
        s->snip.len[s->snip.n] = in->klen;
        s->snip.n++;
    }

    /* 4. The page, near-duplicates dropped. */
    const uint32_t *norms;
    uint32_t nn;
    lx_store_norms(s->txn, s->ix, &norms, &nn);
    uint64_t selflen = doc_length(norms, nn, self);
    if (!(b = lx_resbuild_new(limit))) {
        rc = LX_ENOMEM;
        goto done;
    }
    lx_pcursor *probe = lx_searcher_pcursor(s);
    uint32_t kept = 0, i;
    for (i = 0; i < nh && kept < limit + o->offset; i++) {
        uint32_t d = s->heap[i].doc;
        uint64_t mask = r->mask[d];
        int dup = 0;
        /* The same title has as many title tokens: only then is the
         * stored lecture read to compare. */
        if (field_length(norms, nn, d, LX_F_TITLE) == field_length(norms, nn, self, LX_F_TITLE)) {
            lx_docview cv;
            if ((rc = lx_store_doc(s->txn, s->ix, d, &cv)))
                goto done;
            if (same_text(cv.title, cv.h.title_len, v.title, v.h.title_len))
                dup = cv.h.body_len == v.h.body_len ||
                      same_speaker(&cv, f.text[LX_F_SPEAKER], f.len[LX_F_SPEAKER]);
        }
        uint64_t len = doc_length(norms, nn, d);
        /* Almost the same text has about the same length and nearly all
         * the selected terms; only then is the cosine worth computing. */
        if (!dup && len * 10 >= selflen * 9 && selflen * 10 >= len * 9 &&
            __builtin_popcountll(mask) * 5 >= ns * 4)
            dup = cosine(probe, r, sel, ns, d) > REL_DUP_COS;
        if (dup || kept++ < o->offset)
            continue;
        const char *st[LX_MAX_TAGS], *sw[REL_SHARED_TERMS];
        char forms[REL_SHARED_TERMS][LX_TOKEN_BUF];
        size_t nst = 0, nsw = 0;
        for (int t = 0; t < ntags; t++)
            if (has_doc(tags[t].docs, tags[t].n, d))
                st[nst++] = tags[t].name;
        for (int j = 0; j < ns && nsw < REL_SHARED_TERMS; j++) {
            if (!(mask >> j & 1))
                continue;
            const rel_info *in = &r->info[r->t[sel[j]].id];
            memcpy(forms[nsw], r->keys.p + in->form, in->flen);
            forms[nsw][in->flen] = 0;
            sw[nsw] = forms[nsw];
            nsw++;
        }
        if ((rc = lx_resbuild_hit(b, s, d, s->heap[i].score, (o->flags & LX_SEARCH_SNIPPETS) != 0,
                                  st, nst, sw, nsw)))
            goto done;
    }
    rc = lx_resbuild_finish(b, s, NULL, (uint64_t)kept + (nh - i), 0, t0, out);
done:
    lx_resbuild_free(b);
    if (holder)
        cJSON_Delete(holder);
    lx_searcher_end(s);
    if (rc && err && !err->code)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return rc;
}
