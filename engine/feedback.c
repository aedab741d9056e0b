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
    int oom; /* a term could not be counted */
};

static void on_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    struct fb_ctx *c = ctx;
    (void)pos;
    if (field == LX_F_SPEAKER || field == LX_F_TRANSCRIPT || c->oom)
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
        if (!p) {
            c->oom = 1;
            return;
        }
        c->counts = p;
        c->cap = cap;
    }
    if (lx_strmap_put(c->doc, term, tl, h, c->n, NULL))
        c->counts[c->n++] = 1;
    else
        c->oom = 1;
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

/* Every term's votes over the top documents: all maps term -> index in
 * acc. */
typedef struct votes {
    lx_strmap all;
    double *acc;
    uint32_t n, cap;
} votes;

/* Adds the votes of one document (its term counts in c) weighing dw. */
static int add_votes(votes *vt, struct fb_ctx *c, double dw) {
    for (size_t k = 0; k < c->doc->cap && c->len; k++) {
        struct lx_strmap_slot *sl = &c->doc->slots[k];
        if (!sl->key)
            continue;
        double w = dw * c->counts[sl->value] / c->len;
        uint32_t *a = lx_strmap_get(&vt->all, sl->key, sl->len, sl->hash);
        if (a) {
            vt->acc[*a] += w;
            continue;
        }
        if (vt->n == vt->cap) {
            uint32_t cap = vt->cap ? vt->cap * 2 : 256;
            double *na = realloc(vt->acc, cap * sizeof *na);
            if (!na)
                return LX_ENOMEM;
            vt->acc = na;
            vt->cap = cap;
        }
        if (!lx_strmap_put(&vt->all, sl->key, sl->len, sl->hash, vt->n, NULL))
            return LX_ENOMEM;
        vt->acc[vt->n++] = w;
    }
    return 0;
}

/* The votes of document top[i] (its short fields). */
static int doc_votes(lx_searcher *s, const lx_scored *top, uint32_t i, struct fb_ctx *c,
                     votes *vt) {
    lx_docview v;
    int rc = lx_store_doc(s->txn, s->ix, top[i].doc, &v);
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "feedback: cannot read a lecture: %s",
                                lx_strerror(rc));
    lx_fields f;
    cJSON *holder = NULL;
    if ((rc = lx_fields_from_view(&v, &f, &holder)))
        return lx_searcher_fail(s, rc, NULL, -1, "feedback: cannot read a lecture: %s",
                                lx_strerror(rc));
    f.text[LX_F_TRANSCRIPT] = NULL; /* short fields only */
    f.len[LX_F_TRANSCRIPT] = 0;
    lx_strmap doc;
    lx_strmap_init(&doc);
    c->doc = &doc;
    c->n = 0;
    c->len = 0;
    c->lang = lx_stemmers_lookup(&s->stem, f.lang);
    c->langcode = f.lang;
    rc = lx_analyze(&f, on_token, c, NULL, NULL);
    if (!rc && c->oom)
        rc = LX_ENOMEM;
    if (!rc)
        rc = add_votes(vt, c, exp((top[i].score - top[0].score) / FB_TEMPERATURE));
    lx_strmap_free(&doc);
    cJSON_Delete(holder);
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "feedback: %s", lx_strerror(rc));
    return 0;
}

/* Adds a TERM cursor for candidate cs; 1 when added, 0 when the term has
 * no list, or the sticky error. */
static int add_term(lx_searcher *s, const lx_rank_params *p, const cand *cs, double best) {
    MDB_val pv;
    int rc = lx_store_term(s->txn, s->ix, cs->term, cs->len, &pv, NULL);
    if (rc == LX_ENOTFOUND)
        return 0;
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "feedback: cannot read a term's list: %s",
                                lx_strerror(rc));
    lx_pcursor *pc = lx_searcher_pcursor(s);
    if (!pc)
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    if (lx_pcursor_open_limit(pc, pv.mv_data, pv.mv_size, s->st.next_doc))
        return lx_searcher_fail(s, LX_ECORRUPT, NULL, -1, "feedback: a term's list is damaged");
    lx_qcur *q = &s->qc[s->nqc];
    memset(q, 0, offsetof(lx_qcur, mem));
    q->kind = LX_QK_TERM;
    q->clause = -1;
    q->pc = pc;
    q->w = lx_bm25f_weight(lx_idf(s->sc.N, pc->df), s->sc.k1, p->feedback_weight) * cs->w / best;
    lx_qcur_start(q, &s->sc);
    s->nqc++;
    return 1;
}

/* The strongest candidates become cursors; returns how many. */
static int add_terms(lx_searcher *s, const lx_rank_params *p, votes *vt) {
    cand *cs = malloc((vt->n ? vt->n : 1) * sizeof *cs);
    if (!cs)
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    uint32_t nc = 0;
    for (size_t k = 0; k < vt->all.cap; k++) {
        struct lx_strmap_slot *sl = &vt->all.slots[k];
        if (sl->key)
            cs[nc++] = (cand){sl->key, sl->len, vt->acc[sl->value]};
    }
    int added = 0;
    if (nc) {
        qsort(cs, nc, sizeof *cs, cmp_cand);
        uint32_t want = (uint32_t)p->feedback_terms;
        if (want > FB_MAX_TERMS)
            want = FB_MAX_TERMS;
        double best = cs[0].w;
        for (uint32_t k = 0; k < nc && (uint32_t)added < want && s->nqc < LX_MAX_CURSORS; k++) {
            int r = add_term(s, p, &cs[k], best);
            if (r < 0) {
                added = r;
                break;
            }
            added += r;
        }
    }
    free(cs);
    return added;
}

int lx_feedback_expand(lx_searcher *s, const lx_rank_params *p, const lx_scored *top, uint32_t n) {
    if (s->rc)
        return s->rc;
    if (!n || p->feedback_docs <= 0 || p->feedback_terms <= 0 || p->feedback_weight <= 0)
        return 0;
    if (n > (uint32_t)p->feedback_docs)
        n = (uint32_t)p->feedback_docs;
    votes vt;
    memset(&vt, 0, sizeof vt);
    lx_strmap_init(&vt.all);
    struct fb_ctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++)
        rc = doc_votes(s, top, i, &c, &vt);
    free(c.counts);
    if (!rc)
        rc = add_terms(s, p, &vt);
    free(vt.acc);
    lx_strmap_free(&vt.all);
    return rc;
}
