/* relterms.c -- related lectures, steps 1 and 2: a lecture's terms and
 * the most significant of them.
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
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "grow.h"
#include "relterms.h"
#include "relvec.h"
#include "stop.h"
#include "text.h"

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
    free(r->cand);
    free(r->top);
    free(r);
}

void lx_relterms_cache_clear(struct lx_relscratch *r) {
    r->keys.n = 0;
    if (r->words.slot)
        memset(r->words.slot, 0, r->words.cap * sizeof *r->words.slot);
    if (r->terms.slot)
        memset(r->terms.slot, 0, r->terms.cap * sizeof *r->terms.slot);
    r->words.n = r->terms.n = 0;
    r->ninfo = 0;
}

int lx_relterms_map_init(rel_map *m) {
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
    if (!ns) { /* undone: a map past half full is never left behind */
        *e = (rel_slot){0};
        m->n--;
        keys->n -= len;
        return -1;
    }
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

/* Room in r->info for one more term: 0 or LX_ENOMEM. */
static int info_room(struct lx_relscratch *r) {
    size_t cap = r->capinfo;
    if (r->ninfo < cap)
        return 0;
    if (lx_grow(&r->info, sizeof *r->info, (size_t)r->ninfo + 1, &cap, 4096))
        return LX_ENOMEM;
    r->capinfo = (uint32_t)cap;
    return 0;
}

/* The term id of a token (key: the language byte, then the token; h its
 * hash), or REL_STOP; REL_OOM when out of memory. */
#define REL_OOM (UINT32_MAX - 1)
static uint32_t word_term(const lx_relsrc *src, struct lx_relscratch *r, const char *key,
                          size_t len, uint32_t h) {
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
        size_t tl = lx_stemmers_term(src->stem, r->lang, tok, len, term);
        uint32_t th = lx_hash(term, tl);
        rel_slot *ts = tl ? map_find(&r->terms, &r->keys, term, (uint32_t)tl, th) : NULL;
        if (ts && ts->klen) {
            id = ts->val;
        } else if (ts) {
            if (info_room(r))
                return REL_OOM;
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

void lx_relterms_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    struct lx_relscratch *r = ctx;
    (void)pos;
    if (r->oom || SEL_W[field] == 0)
        return;
    if (len >= LX_TOKEN_BUF)
        len = LX_TOKEN_BUF - 1;
    uint32_t h = lx_hash(tok, len);
    rel_seen *e = seen_find(r, tok, (uint32_t)len, h);
    uint32_t row = e->row; /* (e is stale once the table grows) */
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
        row = r->ntok;
        *e = (rel_seen){r->gen, h, koff + 1, (uint32_t)len, row};
        rel_tok *t = &r->tok[r->ntok++];
        memset(t, 0, sizeof *t);
        t->key = koff;
        t->len = (uint32_t)len + 1;
        if (++r->nseen * 2 > r->seencap && seen_grow(r)) {
            r->oom = 1;
            return;
        }
    }
    r->tok[row].tf[field]++;
}

/* Gives each distinct token of the call its term and adds its counts to
 * the term's row.  The cross-call tables are large, so their slots are
 * prefetched a few tokens ahead: the misses overlap. */
#define REL_AHEAD 8
int lx_relterms_resolve(const lx_relsrc *src, struct lx_relscratch *r) {
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
        t->id = word_term(src, r, kb + t->key, t->len - 1, t->h);
        if (t->id == REL_OOM)
            return LX_ENOMEM;
    }
    for (uint32_t k = 0; k < r->ntok; k++) {
        if (k + REL_AHEAD < r->ntok && r->tok[k + REL_AHEAD].id < r->ninfo)
            __builtin_prefetch(&r->info[r->tok[k + REL_AHEAD].id]);
        rel_tok *t = &r->tok[k];
        if (t->id == REL_STOP)
            continue;
        uint32_t row = term_row(r, t->id);
        if (row == REL_OOM)
            return LX_ENOMEM;
        for (int f = 0; f < LX_NFIELDS; f++)
            r->t[row].tf[f] += t->tf[f];
    }
    return 0;
}

int lx_relterms_from_vec(struct lx_relscratch *r, const uint8_t *p, const uint8_t *end) {
    lx_relvec_term vt;
    int k;
    while ((k = lx_relvec_next(&p, end, &vt)) > 0) {
        uint32_t th = lx_hash(vt.term, vt.tl);
        rel_slot *ts = map_find(&r->terms, &r->keys, vt.term, vt.tl, th);
        uint32_t id;
        if (ts->klen) {
            id = ts->val;
        } else {
            if (info_room(r))
                return LX_ENOMEM;
            id = r->ninfo;
            uint32_t koff = (uint32_t)r->keys.n;
            if (map_put(&r->terms, &r->keys, ts, vt.term, vt.tl, th, id))
                return LX_ENOMEM;
            uint32_t foff = (uint32_t)r->keys.n;
            if (lx_buf_append(&r->keys, vt.form, vt.flen))
                return LX_ENOMEM;
            rel_info *in = &r->info[id];
            memset(in, 0, sizeof *in);
            in->key = koff;
            in->klen = vt.tl;
            in->form = foff;
            in->flen = vt.flen;
            r->ninfo++;
        }
        uint32_t row = term_row(r, id);
        if (row == REL_OOM)
            return LX_ENOMEM;
        for (int f = 0; f < LX_NFIELDS; f++)
            r->t[row].tf[f] += vt.tf[f];
    }
    return k < 0 ? LX_ECORRUPT : 0;
}

/* ---- 2. selection --------------------------------------------------------------- */

/* Min-heap of rows on significance (the best REL_TERMS so far). */
static inline int sig_less(const rel_term *t, const uint32_t *a, const uint32_t *b) {
    return t[*a].sig < t[*b].sig;
}
LX_HEAP_DEFINE(sel_heap, uint32_t, const rel_term *, sig_less)

static void sel_push(const rel_term *t, uint32_t *h, int *n, uint32_t row) {
    if (*n < REL_TERMS) {
        h[*n] = row;
        sel_heap_up(h, (uint32_t)(*n)++, t);
        return;
    }
    h[0] = row;
    sel_heap_down(h, (uint32_t)*n, 0, t);
}

/* Reads a term's posting list in this call's transaction: its df (cached
 * for the snapshot) and where the list is.  0, 1 when the index lacks it,
 * or a negative LX_E* code (err filled) when it cannot be read. */
static int term_list(const lx_relsrc *src, struct lx_relscratch *r, rel_term *t, lx_error *err) {
    rel_info *in = &r->info[t->id];
    MDB_val v;
    int rc =
        lx_store_term(src->txn, src->ix, (const char *)r->keys.p + in->key, in->klen, &v, NULL);
    if (rc && rc != LX_ENOTFOUND)
        return lx_fail(err, rc, NULL, -1, "reading a posting list: %s", lx_strerror(rc));
    if (rc || !v.mv_size) {
        in->df = 0;
    } else {
        lx_vbyte_get(v.mv_data, (const uint8_t *)v.mv_data + v.mv_size, &in->df);
        t->post = v.mv_data;
        t->postlen = v.mv_size;
    }
    in->have_df = 1;
    in->snap = src->snap;
    return t->post ? 0 : 1;
}

static int cmp_sig(const void *a, const void *b, void *ctx) {
    const rel_term *t = ctx, *x = &t[*(const uint32_t *)a], *y = &t[*(const uint32_t *)b];
    if (x->sig != y->sig)
        return x->sig > y->sig ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int lx_relterms_select(const lx_relsrc *src, struct lx_relscratch *r, uint32_t *sel,
                       lx_error *err) {
    double N = src->N;
    int rc;
    if (r->nt > r->capord) {
        uint64_t *o = realloc(r->order, r->nt * sizeof *o);
        if (!o)
            return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        r->order = o;
        r->capord = r->nt;
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->nt; i++) {
        rel_term *t = &r->t[i];
        t->wtf = t->acc;
        for (int f = 0; f < LX_NFIELDS; f++)
            t->wtf += SEL_W[f] * t->tf[f];
        float w = (float)t->wtf;
        uint32_t bits;
        memcpy(&bits, &w, 4);
        if (w > 0)
            r->order[n++] = (uint64_t)bits << 32 | (UINT32_MAX - i);
    }
    lx_u64max_make(r->order, n, NULL);
    double maxdf = REL_MAX_DF * N > REL_MAX_DF_FLOOR ? REL_MAX_DF * N : REL_MAX_DF_FLOOR;
    /* No selectable term has df < 2, so no idf exceeds idf(N, 2). */
    double idf_max = lx_idf(N, 2);
    int ns = 0;
    while (n) {
        uint32_t row = UINT32_MAX - (uint32_t)r->order[0];
        r->order[0] = r->order[--n];
        lx_u64max_down(r->order, n, 0, NULL);
        rel_term *t = &r->t[row];
        if (ns == REL_TERMS && (t->wtf < REL_MIN_WTF || t->wtf * idf_max <= r->t[sel[0]].sig))
            break;
        rel_info *in = &r->info[t->id];
        if (!in->have_df || in->snap != src->snap) {
            if ((rc = term_list(src, r, t, err)) < 0)
                return rc;
            if (rc)
                continue;
        }
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
    for (int j = 0; j < ns; j++) {
        rc = r->t[sel[j]].post ? 0 : term_list(src, r, &r->t[sel[j]], err);
        if (rc < 0)
            return rc;
        if (!rc)
            sel[m++] = sel[j];
    }
    return m;
}

void lx_relterms_fold(struct lx_relscratch *r, double w, int raw, double *ref) {
    double tot = 0;
    for (uint32_t i = 0; i < r->nt; i++)
        for (int f = 0; f < LX_NFIELDS; f++)
            tot += SEL_W[f] * r->t[i].tf[f];
    if (*ref == 0)
        *ref = tot;
    double scale = raw ? tot : *ref;
    for (uint32_t i = 0; i < r->nt; i++) {
        rel_term *t = &r->t[i];
        double x = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            x += SEL_W[f] * t->tf[f];
        if (tot > 0)
            t->acc += w * scale * x / tot;
        memset(t->tf, 0, sizeof t->tf);
    }
    for (uint32_t k = 0; k < r->ntok; k++)
        memset(r->tok[k].tf, 0, sizeof r->tok[k].tf);
}

int lx_relterms_cosine(lx_pcursor *pc, const struct lx_relscratch *r, const uint32_t *sel, int ns,
                       uint32_t d, double *out, lx_error *err) {
    double dot = 0, na = 0, nb = 0;
    for (int j = 0; j < ns; j++) {
        const rel_term *t = &r->t[sel[j]];
        double a = 0, b = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            a += t->tf[f];
        a *= t->idf;
        if (lx_pcursor_open(pc, t->post, t->postlen))
            return lx_fail(err, LX_ECORRUPT, NULL, -1, "a posting list is damaged");
        lx_pcursor_advance(pc, d);
        if (pc->rc)
            return lx_fail(err, pc->rc, NULL, -1, "a posting list is damaged");
        if (pc->doc == d) {
            const uint32_t *tf = lx_pcursor_tf(pc);
            for (int f = 0; f < LX_NFIELDS; f++)
                b += SEL_W[f] > 0 ? tf[f] : 0;
            b *= t->idf;
        }
        dot += a * b;
        na += a * a;
        nb += b * b;
    }
    *out = na > 0 && nb > 0 ? dot / sqrt(na * nb) : 0;
    return 0;
}
