/* feedback.c -- pseudo-relevance feedback: the words of the best first
 * results join the query.
 *
 * Relevance model (RM3, Lavrenko & Croft; Abdul-Jaleel et al.): each of
 * the top documents votes for its terms with P(t|d) = tf / |d|, weighted
 * by exp((score_d - best) / T), so documents far below the best count
 * little.  The strongest terms are added to the query with weights
 * relative to the strongest (times feedback_weight); the original terms
 * keep weight 1.  Only the short fields (title, tags, description) are
 * read: they say what a lecture is about, and reading whole transcripts
 * would cost more than the search.  Measured on Cranfield
 * (tests/eval/README.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "feedback.h"
#include "record.h"
#include "stop.h"
#include "strmap.h"

/* Score scale of the document weights. */
#define FB_TEMPERATURE 3.0
#define FB_MAX_TERMS 64

struct fb_ctx {
    lx_searcher *s;
    int lang;
    const char *langcode;
    lx_strmap *doc; /* term -> index in counts */
    uint32_t *counts;
    uint32_t n, cap;
    uint32_t len;
};

static void on_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    struct fb_ctx *c = ctx;
    (void)pos;
    if (field == LX_F_SPEAKER || field == LX_F_TRANSCRIPT)
        return;
    c->len++;
    if (lx_stopword(c->langcode, tok, len))
        return;
    /* Pure numbers describe little. */
    size_t i = 0;
    while (i < len && tok[i] >= '0' && tok[i] <= '9')
        i++;
    if (i == len)
        return;
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(&c->s->stem, c->lang, tok, len, term);
    uint32_t h = lx_hash(term, tl);
    uint32_t *v = lx_strmap_get(c->doc, term, tl, h);
    if (v) {
        c->counts[*v]++;
        return;
    }
    if (c->n == c->cap) {
        uint32_t cap = c->cap ? c->cap * 2 : 256;
        uint32_t *p = realloc(c->counts, cap * sizeof *p);
        if (!p)
            return;
        c->counts = p;
        c->cap = cap;
    }
    if (lx_strmap_put(c->doc, term, tl, h, c->n, NULL))
        c->counts[c->n++] = 1;
}

typedef struct cand {
    const char *term;
    uint32_t len;
    double w;
} cand;

static int cmp_cand(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->term, y->term, x->len);
}

int lx_feedback_expand(lx_searcher *s, const lx_rank_params *p, const lx_scored *top, uint32_t n) {
    if (!n || p->feedback_docs <= 0 || p->feedback_terms <= 0 || p->feedback_weight <= 0)
        return 0;
    if (n > (uint32_t)p->feedback_docs)
        n = (uint32_t)p->feedback_docs;
    lx_strmap all, doc;
    lx_strmap_init(&all);
    double *acc = NULL;
    uint32_t nacc = 0, capacc = 0;
    struct fb_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    for (uint32_t i = 0; i < n; i++) {
        lx_docview v;
        if (lx_store_doc(s->txn, s->ix, top[i].doc, &v))
            continue;
        lx_fields f;
        cJSON *holder = NULL;
        if (lx_fields_from_view(&v, &f, &holder))
            continue;
        f.text[LX_F_TRANSCRIPT] = NULL; /* short fields only */
        f.len[LX_F_TRANSCRIPT] = 0;
        lx_strmap_init(&doc);
        c.doc = &doc;
        c.n = 0;
        c.len = 0;
        c.lang = lx_stemmers_lookup(&s->stem, f.lang);
        c.langcode = f.lang;
        lx_analyze(&f, on_token, &c, NULL, NULL);
        double dw = exp((top[i].score - top[0].score) / FB_TEMPERATURE);
        for (size_t k = 0; k < doc.cap && c.len; k++) {
            struct lx_strmap_slot *sl = &doc.slots[k];
            if (!sl->key)
                continue;
            double w = dw * c.counts[sl->value] / c.len;
            uint32_t *a = lx_strmap_get(&all, sl->key, sl->len, sl->hash);
            if (a) {
                acc[*a] += w;
                continue;
            }
            if (nacc == capacc) {
                capacc = capacc ? capacc * 2 : 256;
                double *na = realloc(acc, capacc * sizeof *na);
                if (!na)
                    break;
                acc = na;
            }
            if (lx_strmap_put(&all, sl->key, sl->len, sl->hash, nacc, NULL))
                acc[nacc++] = w;
        }
        lx_strmap_free(&doc);
        cJSON_Delete(holder);
    }
    free(c.counts);
    /* The strongest terms. */
    cand *cs = malloc((nacc ? nacc : 1) * sizeof *cs);
    uint32_t nc = 0;
    for (size_t k = 0; cs && k < all.cap; k++) {
        struct lx_strmap_slot *sl = &all.slots[k];
        if (sl->key)
            cs[nc++] = (cand){sl->key, sl->len, acc[sl->value]};
    }
    int added = 0;
    if (cs && nc) {
        qsort(cs, nc, sizeof *cs, cmp_cand);
        uint32_t want = (uint32_t)p->feedback_terms;
        if (want > FB_MAX_TERMS)
            want = FB_MAX_TERMS;
        double best = cs[0].w;
        for (uint32_t k = 0; k < nc && (uint32_t)added < want && s->nqc < LX_MAX_CURSORS; k++) {
            MDB_val key = {cs[k].len, (void *)cs[k].term}, pv;
            if (mdb_get(s->txn, s->ix->post, &key, &pv))
                continue;
            lx_pcursor *pc = lx_searcher_pcursor(s);
            if (!pc || lx_pcursor_open_limit(pc, pv.mv_data, pv.mv_size, s->st.next_doc))
                continue;
            lx_qcur *q = &s->qc[s->nqc];
            memset(q, 0, offsetof(lx_qcur, mem));
            q->kind = LX_QK_TERM;
            q->clause = -1;
            q->pc = pc;
            q->w = lx_idf(s->sc.N, pc->df) * (s->sc.k1 + 1) * p->feedback_weight * cs[k].w / best;
            lx_qcur_start(q, &s->sc);
            s->nqc++;
            added++;
        }
    }
    free(cs);
    free(acc);
    lx_strmap_free(&all);
    return added;
}
