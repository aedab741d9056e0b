/* relvec.c -- each lecture's related-term vector.
 *
 * lx_related (related.c) asks for the REL_TERMS most significant terms of a
 * lecture (relterms.c: wtf = sum_f SEL_W[f] tf_f, significance wtf * idf).
 * Tokenising the stored lecture again for that cost about 1.3 M
 * instructions a call on TED, a third of the call.  So each lecture's
 * candidates are written when its batch flushes: the REL_VEC_K terms that
 * the same selection (the same filters: document frequency between 2 and
 * REL_MAX_DF of the lectures, no stopword, no number; terms weighing less
 * than REL_MIN_WTF only to fill a short lecture's query) picks with the
 * document frequencies known then.  A related call reads the vector and
 * selects again with the current frequencies, so the query follows the
 * collection; a vector is bounded (K terms: about 0.7 KB a lecture).
 * When the frequencies at the write are the final ones (a build in one
 * batch: TED), the selection is the tokenising one's.  A build in several
 * batches estimates the frequencies from each batch; a write into an
 * index reads them from its lists.
 *
 * Value ("relvec" database, key u32 docid):
 *   u8 version (LX_RELVEC_VERSION)
 *   per term, in the order of first occurrence in the lecture:
 *     vbyte term length, term bytes (the index term, stemmed)
 *     u8 form: (cut << 4 | add) when the token shown for it is the term
 *        without its last cut bytes (cut < 15) plus add (< 16) bytes that
 *        follow; else 0xFF, vbyte length and the token's bytes
 *     u8 mask of the fields with a count (title, tags, -, description,
 *        transcript: bits LX_F_*), then a vbyte count for each
 */
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "relterms.h"
#include "relvec.h"
#include "stop.h"

static const int ENT_FIELD[4] = {LX_F_TITLE, LX_F_TAGS, LX_F_DESCRIPTION, LX_F_TRANSCRIPT};

static inline double ent_wtf(const relv_ent *e) {
    double w = 0;
    for (int k = 0; k < 4; k++)
        w += SEL_W[ENT_FIELD[k]] * e->tf[k];
    return w;
}

uint32_t lx_relvec_trim(relv_ent *e, uint32_t n) {
    if (n <= REL_VEC_KEEP)
        return n;
    uint32_t heavy = 0;
    for (uint32_t i = 0; i < n; i++)
        heavy += ent_wtf(&e[i]) >= REL_MIN_WTF;
    if (heavy < REL_VEC_KEEP)
        return n;
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (ent_wtf(&e[i]) >= REL_MIN_WTF)
            e[m++] = e[i];
    return m;
}

/* A candidate of one lecture. */
typedef struct vcand {
    double key; /* significance (heavy terms) or weight (light ones) */
    uint32_t ent;
} vcand;

/* Min-heap on (key, then later entry first out): the best K kept. */
static inline int vc_less(const vcand *a, const vcand *b) {
    return a->key < b->key || (a->key == b->key && a->ent > b->ent);
}

static void vc_down(vcand *h, uint32_t n, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < n && vc_less(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && vc_less(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            return;
        vcand x = h[i];
        h[i] = h[m];
        h[m] = x;
        i = m;
    }
}

static void vc_push(vcand *h, uint32_t *n, uint32_t k, vcand c) {
    if (*n < k) {
        uint32_t i = (*n)++;
        h[i] = c;
        while (i && vc_less(&h[i], &h[(i - 1) / 2])) {
            vcand x = h[i];
            h[i] = h[(i - 1) / 2];
            h[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
    } else if (vc_less(&h[0], &c)) {
        h[0] = c;
        vc_down(h, *n, 0);
    }
}

static int cmp_ent(const void *a, const void *b) {
    uint32_t x = ((const vcand *)a)->ent, y = ((const vcand *)b)->ent;
    return x < y ? -1 : x > y;
}

/* Per accumulator, for this flush: its idf (< 0: not selectable), once. */
typedef struct vstat {
    double idf;
    int known;
} vstat;

static int acc_stat(lx_writer *w, vstat *vs, uint32_t idx, double N, double maxdf, lx_error *err) {
    vstat *s = &vs[idx];
    if (s->known)
        return 0;
    s->known = 1;
    s->idf = -1;
    const term_acc *t = &w->acc[idx];
    uint32_t df = t->ndocs;
    if (!w->build) { /* the merged list's */
        MDB_val pv;
        int rc = lx_store_term(w->txn, w->ix, t->s, t->len, &pv, NULL);
        if (rc && rc != LX_ENOTFOUND)
            return lx_fail(err, rc, NULL, -1, "reading a posting list: %s", lx_strerror(rc));
        df = 0;
        if (!rc && pv.mv_size)
            lx_vbyte_get(pv.mv_data, (const uint8_t *)pv.mv_data + pv.mv_size, &df);
    }
    if (df < 2 || df > maxdf || !t->form)
        return 0;
    /* What relterms.c leaves out: pure numbers and stopwords (of the
     * batch's first token that became the term). */
    size_t digits = 0;
    while (digits < t->flen && t->form[digits] >= '0' && t->form[digits] <= '9')
        digits++;
    int lang = (uint8_t)t->form[-1];
    if (digits == t->flen || lx_stopword(w->stem.e[lang].lang, t->form, t->flen))
        return 0;
    s->idf = lx_idf(N, df);
    return 0;
}

/* Appends term t (entry e) to out. */
static int put_term(lx_buf *out, const term_acc *t, const relv_ent *e) {
    if (lx_buf_reserve(out, 5 + t->len + 1 + 5 + t->flen + 1 + 4 * 5))
        return LX_ENOMEM;
    uint8_t *p = out->p + out->n;
    p += lx_vbyte_put(p, t->len);
    memcpy(p, t->s, t->len);
    p += t->len;
    uint32_t c = 0;
    while (c < t->len && c < t->flen && t->s[c] == t->form[c])
        c++;
    uint32_t cut = t->len - c, add = t->flen - c;
    if (cut < 15 && add < 16) {
        *p++ = (uint8_t)(cut << 4 | add);
        memcpy(p, t->form + c, add);
        p += add;
    } else {
        *p++ = 0xFF;
        p += lx_vbyte_put(p, t->flen);
        memcpy(p, t->form, t->flen);
        p += t->flen;
    }
    uint8_t mask = 0;
    for (int k = 0; k < 4; k++)
        if (e->tf[k])
            mask |= (uint8_t)(1u << ENT_FIELD[k]);
    *p++ = mask;
    for (int k = 0; k < 4; k++)
        if (e->tf[k])
            p += lx_vbyte_put(p, e->tf[k]);
    out->n = (size_t)(p - out->p);
    return 0;
}

int lx_relvec_flush(lx_writer *w, lx_error *err) {
    int rc = 0;
    if (!w->nrvd || !w->ix->relvec) {
        w->nrv = w->nrvd = 0;
        return 0;
    }
    double N = w->build ? (double)w->nrvd : (double)w->st.ndocs;
    double maxdf = REL_MAX_DF * N > REL_MAX_DF_FLOOR ? REL_MAX_DF * N : REL_MAX_DF_FLOOR;
    vstat *vs = calloc(w->nacc ? w->nacc : 1, sizeof *vs);
    uint32_t maxn = 0;
    for (uint32_t d = 0; d < w->nrvd; d++)
        maxn = w->rvd[d].n > maxn ? w->rvd[d].n : maxn;
    vcand *heavy = malloc((REL_VEC_K + 1) * sizeof *heavy);
    vcand *light = malloc((REL_VEC_K + 1) * sizeof *light);
    lx_buf out = {0};
    if (!vs || !heavy || !light) {
        rc = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        goto done;
    }
    size_t base = 0; /* the lecture's first entry in w->rv */
    for (uint32_t d = 0; d < w->nrvd && !rc; d++) {
        uint32_t n = w->rvd[d].n, nh = 0, nl = 0;
        /* No arithmetic on w->rv while it is NULL (every lecture so far
         * without terms). */
        const relv_ent *e = n ? w->rv + base : NULL;
        for (uint32_t i = 0; i < n; i++) {
            double wtf = ent_wtf(&e[i]);
            if (wtf <= 0)
                continue;
            if ((rc = acc_stat(w, vs, e[i].idx, N, maxdf, err)))
                break;
            double idf = vs[e[i].idx].idf;
            if (idf < 0)
                continue;
            if (wtf >= REL_MIN_WTF)
                vc_push(heavy, &nh, REL_VEC_K, (vcand){wtf * idf, i});
            else
                vc_push(light, &nl, REL_VEC_K, (vcand){wtf, i});
        }
        if (rc)
            break;
        /* A short lecture's query is filled with its light terms, the
         * heaviest first (relterms.c). */
        while (nl && nh + nl > REL_VEC_K) { /* the lightest go first */
            light[0] = light[--nl];
            vc_down(light, nl, 0);
        }
        memcpy(heavy + nh, light, nl * sizeof *light);
        nh += nl;
        qsort(heavy, nh, sizeof *heavy, cmp_ent);
        out.n = 0;
        if (lx_buf_reserve(&out, 1)) {
            rc = LX_ENOMEM;
            break;
        }
        out.p[out.n++] = LX_RELVEC_VERSION;
        for (uint32_t j = 0; j < nh && !rc; j++)
            rc = put_term(&out, &w->acc[e[heavy[j].ent].idx], &e[heavy[j].ent]);
        if (!rc)
            rc = lx_store_relvec_put(w->txn, w->ix, w->rvd[d].doc, out.p, out.n, MDB_APPEND, err);
        w->txn_bytes += lx_dirty_bytes(out.n);
        base += n;
    }
    if (rc == LX_ENOMEM && err && !err->code)
        lx_fail(err, rc, NULL, -1, "out of memory");
done:
    free(vs);
    free(heavy);
    free(light);
    lx_buf_free(&out);
    w->nrv = w->nrvd = 0;
    return rc;
}

int lx_relvec_open(const uint8_t **p, const uint8_t *end) {
    if (*p >= end || **p != LX_RELVEC_VERSION)
        return -1;
    (*p)++;
    return 0;
}

int lx_relvec_next(const uint8_t **pp, const uint8_t *end, lx_relvec_term *t) {
    const uint8_t *p = *pp;
    if (p >= end)
        return 0;
    uint32_t tl, fl;
    p = lx_vbyte_get(p, end, &tl);
    if (!tl || tl > LX_TOKEN_BUF - 1 || (size_t)(end - p) < (size_t)tl + 2)
        return -1;
    t->term = (const char *)p;
    t->tl = tl;
    p += tl;
    uint8_t fc = *p++;
    if (fc != 0xFF) {
        uint32_t cut = fc >> 4, add = fc & 15;
        if (cut > tl || (size_t)(end - p) < add + 1u || tl - cut + add > LX_TOKEN_BUF - 1)
            return -1;
        memcpy(t->form, t->term, tl - cut);
        memcpy(t->form + tl - cut, p, add);
        fl = tl - cut + add;
        p += add;
    } else {
        p = lx_vbyte_get(p, end, &fl);
        if (!fl || fl > LX_TOKEN_BUF - 1 || (size_t)(end - p) < (size_t)fl + 1)
            return -1;
        memcpy(t->form, p, fl);
        p += fl;
    }
    t->form[fl] = 0;
    t->flen = fl;
    uint8_t mask = *p++;
    memset(t->tf, 0, sizeof t->tf);
    if (!mask || mask >> LX_NFIELDS)
        return -1;
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!(mask >> f & 1))
            continue;
        if (p >= end)
            return -1;
        p = lx_vbyte_get(p, end, &t->tf[f]);
    }
    *pp = p;
    return 1;
}
