/* accum.c -- a batch's postings in memory.
 *
 * Each token of a lecture being analysed is looked up in a word cache
 * (language + token -> term), stemmed only on a miss, and its position
 * appended to the term's accumulator; when the lecture ends, each term it
 * had gets one posting (accumulator form: vbyte docid gap, field mask,
 * vbyte tf per field, the positions apart).  Tags and languages collect
 * the docids added to each.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "accum.h"
#include "codec.h"
#include "error.h"
#include "relvec.h"
#include "text.h"
#include "wstate.h"

_Static_assert(sizeof(((lx_pend *)0)->key) == LX_TOKEN_BUF + 1, "lx_pend key size");

static uint32_t term_index(lx_writer *w, lx_pend *e) {
    const uint8_t *key = e->key;
    const char *tok = (const char *)key + 1;
    size_t len = e->len;
    uint32_t h = e->hash;
    uint32_t *v = lx_strmap_get(&w->words, (const char *)key, len + 1, h);
    if (v) {
        e->wkey = ((const struct lx_strmap_slot *)((const char *)v -
                                                   offsetof(struct lx_strmap_slot, value)))
                      ->key;
        return *v;
    }
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(&w->stem, w->lang, tok, len, term);
    uint32_t th = lx_hash(term, tl);
    uint32_t *t = lx_strmap_get(&w->terms, term, tl, th);
    uint32_t idx;
    if (t) {
        idx = *t;
    } else {
        if (w->nacc == w->capacc) {
            uint32_t cap = w->capacc ? w->capacc * 2 : 4096;
            term_acc *a = realloc(w->acc, cap * sizeof *a);
            if (!a) {
                w->oom = 1;
                return UINT32_MAX;
            }
            w->acc = a;
            w->capacc = cap;
            w->pending += (cap - w->nacc) * sizeof *a;
        }
        idx = w->nacc;
        term_acc *a = &w->acc[idx];
        memset(a, 0, sizeof *a);
        a->cur_doc = LX_DOC_END;
        if (!lx_strmap_put(&w->terms, term, tl, th, idx, &a->s)) {
            w->oom = 1;
            return UINT32_MAX;
        }
        a->len = (uint32_t)tl;
        w->nacc++;
    }
    if (!lx_strmap_put(&w->words, (const char *)key, len + 1, h, idx, &e->wkey)) {
        w->oom = 1;
        return UINT32_MAX;
    }
    return idx;
}

/* The pipeline.  A token's work is three dependent reads of large tables
 * (its word-cache slot, its term's accumulator, the tail of the term's
 * positions), each a cache miss for all but the commonest words, so a
 * token waits LX_PEND tokens between arriving and being added: on arrival
 * its slot is prefetched, LOOK_LAG tokens later it is looked up (the slot
 * is in cache by then) and its accumulator prefetched, POS_LAG tokens
 * later the tail of its positions is prefetched, and it is added last.
 * Tokens are looked up and added in their order, so the index is the
 * same byte for byte; lx_accum_drain empties the pipeline after each
 * lecture's analysis. */
#define LOOK_LAG 8
#define POS_LAG 12

static void pend_look(lx_writer *w, lx_pend *e) {
    e->idx = term_index(w, e);
    e->looked = 1;
    if (e->idx != UINT32_MAX) {
        const char *a = (const char *)&w->acc[e->idx];
        __builtin_prefetch(a, 1);
        __builtin_prefetch(a + sizeof(term_acc) - 1, 1);
    }
}

static void pend_add(lx_writer *w, const lx_pend *e) {
    uint32_t idx = e->idx;
    if (idx == UINT32_MAX)
        return;
    int field = e->field;
    uint32_t pos = e->pos;
    term_acc *t = &w->acc[idx];
    if (w->deleting) {
        t->del = 1;
        return;
    }
    if (t->cur_doc != w->cur_doc) {
        t->cur_doc = w->cur_doc;
        memset(t->tf, 0, sizeof t->tf);
        if (!t->form) {
            t->form = e->wkey + 1;
            t->flen = e->len;
        }
        t->lastfield = -1;
        if (w->ntouched == w->captouched) {
            uint32_t cap = w->captouched ? w->captouched * 2 : 1024;
            uint32_t *p = realloc(w->touched, cap * sizeof *p);
            if (!p) {
                w->oom = 1;
                return;
            }
            w->touched = p;
            w->captouched = cap;
        }
        w->touched[w->ntouched++] = idx;
    }
    if (field != t->lastfield) {
        t->lastfield = field;
        t->lastpos = 0;
    }
    size_t cap0 = t->pos.cap;
    if (lx_buf_reserve(&t->pos, 5)) {
        w->oom = 1;
        return;
    }
    w->pending += t->pos.cap - cap0;
    t->pos.n += lx_vbyte_put(t->pos.p + t->pos.n, pos - t->lastpos);
    t->lastpos = pos;
    t->tf[field]++;
    w->tokens++;
}

void lx_accum_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    lx_writer *w = ctx;
    lx_pend *e = &w->pend[w->pend_in % LX_PEND];
    e->key[0] = (uint8_t)w->lang;
    memcpy(e->key + 1, tok, len);
    e->len = (uint32_t)len;
    e->hash = lx_hash(e->key, len + 1);
    e->field = field;
    e->pos = pos;
    e->looked = 0;
    if (w->words.cap)
        __builtin_prefetch(&w->words.slots[e->hash & (w->words.cap - 1)]);
    w->pend_in++;
    uint32_t queued = w->pend_in - w->pend_out;
    if (queued > LOOK_LAG)
        pend_look(w, &w->pend[(w->pend_in - 1 - LOOK_LAG) % LX_PEND]);
    if (queued > POS_LAG) {
        const lx_pend *p = &w->pend[(w->pend_in - 1 - POS_LAG) % LX_PEND];
        if (p->idx != UINT32_MAX && w->acc[p->idx].pos.p)
            __builtin_prefetch(w->acc[p->idx].pos.p + w->acc[p->idx].pos.n, 1);
    }
    if (queued == LX_PEND)
        pend_add(w, &w->pend[w->pend_out++ % LX_PEND]);
}

void lx_accum_drain(lx_writer *w) {
    while (w->pend_out != w->pend_in) {
        lx_pend *e = &w->pend[w->pend_out++ % LX_PEND];
        if (!e->looked)
            pend_look(w, e);
        pend_add(w, e);
    }
}

int lx_accum_put_words(lx_writer *w, lx_error *err) {
    for (size_t i = 0; i < w->words.cap; i++) {
        const struct lx_strmap_slot *sl = &w->words.slots[i];
        if (!sl->key || sl->value >= w->nacc)
            continue;
        const term_acc *t = &w->acc[sl->value];
        int rc = lx_store_word_put(w->txn, w->ix, sl->key + 1, sl->len - 1,
                                   w->stem.e[(uint8_t)sl->key[0]].lang, t->s, t->len, err);
        if (rc)
            return rc;
    }
    return 0;
}

static inline uint16_t sat16(uint32_t x) {
    return x > UINT16_MAX ? UINT16_MAX : (uint16_t)x;
}

void lx_accum_end_doc(lx_writer *w) {
    lx_accum_drain(w);
    relv_ent *rv = NULL;
    int vec = w->ix->relvec != 0;
    if (vec) { /* room for the lecture's vector entries */
        if (w->nrvd == w->caprvd) {
            uint32_t cap = w->caprvd ? w->caprvd * 2 : 1024;
            relv_doc *d = realloc(w->rvd, cap * sizeof *d);
            if (!d) {
                w->oom = 1;
                return;
            }
            w->rvd = d;
            w->caprvd = cap;
        }
        if (w->nrv + w->ntouched > w->caprv) {
            size_t cap = w->caprv ? w->caprv * 2 : 65536;
            while (cap < w->nrv + w->ntouched)
                cap *= 2;
            relv_ent *e = realloc(w->rv, cap * sizeof *e);
            if (!e) {
                w->oom = 1;
                return;
            }
            w->rv = e;
            w->caprv = cap;
        }
        /* No entry yet and none to add (a lecture without a term): no
         * array, and no arithmetic on its NULL. */
        rv = w->rv ? w->rv + w->nrv : NULL;
    }
    for (uint32_t k = 0; k < w->ntouched; k++) {
        term_acc *t = &w->acc[w->touched[k]];
        if (rv)
            rv[k] = (relv_ent){w->touched[k],
                               {sat16(t->tf[LX_F_TITLE]), sat16(t->tf[LX_F_TAGS]),
                                sat16(t->tf[LX_F_DESCRIPTION]), sat16(t->tf[LX_F_TRANSCRIPT])}};
        size_t cap0 = t->docs.cap + t->pos.cap;
        if (lx_buf_reserve(&t->docs, 6 + 5 * LX_NFIELDS)) {
            w->oom = 1;
            return;
        }
        uint8_t *p = t->docs.p + t->docs.n, *s = p;
        p += lx_vbyte_put(p, t->ndocs ? w->cur_doc - t->prev_doc : w->cur_doc);
        uint8_t mask = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (t->tf[f])
                mask |= (uint8_t)(1u << f);
        *p++ = mask;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (t->tf[f])
                p += lx_vbyte_put(p, t->tf[f]);
        t->docs.n += (size_t)(p - s);
        t->prev_doc = w->cur_doc;
        t->ndocs++;
        w->pending += t->docs.cap + t->pos.cap - cap0;
    }
    if (vec) {
        uint32_t n = rv ? lx_relvec_trim(rv, w->ntouched) : 0;
        w->rvd[w->nrvd++] = (relv_doc){w->cur_doc, n};
        w->nrv += n;
    }
    w->ntouched = 0;
}

set_acc *lx_set_get(lx_strmap *m, set_acc **arr, uint32_t *n, uint32_t *cap, const char *key,
                    size_t len) {
    uint32_t h = lx_hash(key, len);
    uint32_t *v = lx_strmap_get(m, key, len, h);
    if (v)
        return &(*arr)[*v];
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 64;
        set_acc *a = realloc(*arr, c * sizeof *a);
        if (!a)
            return NULL;
        *arr = a;
        *cap = c;
    }
    set_acc *s = &(*arr)[*n];
    memset(s, 0, sizeof *s);
    if (!lx_strmap_put(m, key, len, h, *n, &s->key))
        return NULL;
    s->len = (uint32_t)len;
    (*n)++;
    return s;
}

int lx_set_add(set_acc *s, uint32_t doc) {
    if (s->n == s->cap) {
        uint32_t c = s->cap ? s->cap * 2 : 8;
        uint32_t *p = realloc(s->add, c * sizeof *p);
        if (!p)
            return LX_ENOMEM;
        s->add = p;
        s->cap = c;
    }
    s->add[s->n++] = doc;
    return 0;
}

/* qsort has no context argument: the writer being sorted, per thread, as
 * two writers (a build and an add) may sort at once in one process. */
static _Thread_local lx_writer *sort_w;
static int cmp_term(const void *a, const void *b) {
    const term_acc *x = &sort_w->acc[*(const uint32_t *)a];
    const term_acc *y = &sort_w->acc[*(const uint32_t *)b];
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

int lx_accum_sorted(lx_writer *w, uint32_t **out) {
    uint32_t *order = malloc((w->nacc ? w->nacc : 1) * sizeof *order);
    *out = order;
    if (!order)
        return LX_ENOMEM;
    for (uint32_t i = 0; i < w->nacc; i++)
        order[i] = i;
    sort_w = w;
    qsort(order, w->nacc, sizeof *order, cmp_term);
    return 0;
}

run_rec lx_run_rec_of_acc(const term_acc *t) {
    run_rec r = {t->s, t->len, t->ndocs, t->docs.p, t->pos.p, t->docs.n, t->pos.n};
    return r;
}

int lx_run_rec_decode(const run_rec *t, lx_plist *pl) {
    /* A term whose postings all went (every document deleted) has NULL
     * buffers: NULL + 0 is undefined, so its ends stay NULL. */
    const uint8_t *p = t->docs, *e = p ? p + t->docs_n : p;
    const uint8_t *pp = t->pos, *pe = pp ? pp + t->pos_n : pp;
    uint32_t doc = 0;
    for (uint32_t k = 0; k < t->ndocs && p < e; k++) {
        uint32_t gap, tf[LX_NFIELDS] = {0}, total = 0;
        p = lx_vbyte_get(p, e, &gap);
        doc = k ? doc + gap : gap;
        uint8_t mask = *p++;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (mask & (1u << f)) {
                p = lx_vbyte_get(p, e, &tf[f]);
                total += tf[f];
            }
        const uint8_t *q = lx_vbyte_skip(pp, pe, total);
        int rc = lx_plist_add(pl, doc, tf, pp, (size_t)(q - pp));
        if (rc)
            return rc;
        pp = q;
    }
    return 0;
}
