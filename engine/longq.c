/* longq.c -- a query past the query language's limits (more than
 * LX_MAX_QUERY_TERMS words, more than LX_MAX_QUERY_BYTES bytes, a phrase
 * of more than LX_MAX_PHRASE_WORDS words) is not refused: it is read as
 * plain words, as a "more like this text" query, and the most informative
 * LX_MAX_QUERY_TERMS of its distinct words are kept.  Informative is idf
 * in the index (the rarest first: the words that tell lectures apart;
 * common words add little to BM25 and cost the most), then how often the
 * text says the word.  Stopwords go first; words the index lacks come
 * last (a typo among them is corrected as in any query).  The answer says
 * which words were dropped (lx_results.truncated, .dropped).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "longq.h"
#include "stop.h"
#include "text.h"

typedef struct lword {
    size_t tok;          /* its bytes in the token buffer */
    size_t len, at, end; /* length; bytes of its first occurrence */
    uint32_t count;      /* occurrences */
    double idf;          /* -1: the index lacks it */
} lword;

typedef struct collect {
    lx_searcher *s;
    const lx_plan *pl;
    lx_strmap seen;
    lx_buf toks;
    lword *w;
    size_t n, cap;
    int oom;
} collect;

static void on_token(void *ctx, const char *tok, size_t len, size_t start, size_t end,
                     uint32_t pos) {
    collect *c = ctx;
    (void)pos;
    for (int l = 0; l < c->pl->nl; l++)
        if (lx_stopword(c->s->stem.e[c->pl->langs[l]].lang, tok, len))
            return;
    uint32_t h = lx_hash(tok, len);
    uint32_t *v = lx_strmap_get(&c->seen, tok, len, h);
    if (v) {
        c->w[*v].count++;
        return;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        lword *w = realloc(c->w, cap * sizeof *w);
        if (!w) {
            c->oom = 1;
            return;
        }
        c->w = w;
        c->cap = cap;
    }
    if (lx_buf_reserve(&c->toks, len + 1) ||
        !lx_strmap_put(&c->seen, tok, len, h, (uint32_t)c->n, NULL)) {
        c->oom = 1;
        return;
    }
    c->w[c->n++] = (lword){c->toks.n, len, start, end, 1, 0};
    memcpy(c->toks.p + c->toks.n, tok, len);
    c->toks.p[c->toks.n + len] = 0;
    c->toks.n += len + 1;
}

/* Most informative first: idf, then count, then first seen. */
static int by_info(const void *a, const void *b) {
    const lword *x = a, *y = b;
    if (x->idf != y->idf)
        return x->idf > y->idf ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int by_at(const void *a, const void *b) {
    const lword *x = a, *y = b;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The idf of each word: of its stem with the most lectures among the
 * query languages' (-1 when none has any). */
static int score_words(lx_searcher *s, const lx_plan *pl, collect *c) {
    char term[LX_TOKEN_BUF];
    for (size_t i = 0; i < c->n && !s->rc; i++) {
        uint32_t df = 0;
        const char *tok = (const char *)c->toks.p + c->w[i].tok;
        for (int l = 0; l < pl->nl && !s->rc; l++) {
            size_t tl = lx_stemmers_term(&s->stem, pl->langs[l], tok, c->w[i].len, term);
            uint32_t d = lx_plan_term_df(s, term, tl);
            df = d > df ? d : df;
        }
        c->w[i].idf = df ? lx_idf(s->sc.N, df) : -1.0;
    }
    return s->rc;
}

/* s->q from the kept words (c->w sorted most informative first), in
 * text order; the rest into s->dropped. */
static int fill_query(lx_searcher *s, collect *c) {
    size_t keep = c->n < LX_MAX_QUERY_TERMS ? c->n : LX_MAX_QUERY_TERMS;
    for (size_t i = keep; i < c->n; i++) {
        const lword *w = &c->w[i];
        if (lx_buf_reserve(&s->dropped, w->len + 1))
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        memcpy(s->dropped.p + s->dropped.n, c->toks.p + w->tok, w->len + 1);
        s->dropped.n += w->len + 1;
        s->ndropped++;
    }
    qsort(c->w, keep, sizeof *c->w, by_at);
    lx_query *q = &s->q;
    q->nwords = q->nclauses = q->ntags = q->nlangs = q->too_long = 0;
    for (size_t i = 0; i < keep; i++) {
        const lword *w = &c->w[i];
        lx_qword *qw = &q->words[q->nwords];
        memcpy(qw->tok, c->toks.p + w->tok, w->len + 1);
        qw->len = w->len;
        qw->start = w->at;
        qw->end = w->end;
        q->clauses[q->nclauses++] = (lx_qclause){LX_QC_WORD, 0, 0, -1, q->nwords, 1, w->at, w->end};
        q->nwords++;
    }
    return 0;
}

int lx_longq_build(lx_searcher *s, const lx_search_opts *o, const char *text, size_t len) {
    if (len > LX_MAX_TEXT_BYTES) { /* cut before a UTF-8 continuation byte */
        len = LX_MAX_TEXT_BYTES;
        while (len && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    lx_plan pl;
    s->q.nwords = s->q.nclauses = s->q.ntags = s->q.nlangs = 0;
    s->dropped.n = 0;
    s->ndropped = 0;
    lx_plan_init(s, o, &pl);
    collect c = {.s = s, .pl = &pl};
    lx_strmap_init(&c.seen);
    lx_error e = {0};
    int rc = lx_text_scan(text, len, 0, on_token, &c, NULL, &e);
    if (rc)
        lx_searcher_fail(s, rc, NULL, e.offset, "%s", e.message);
    else if (c.oom)
        lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    else if (!score_words(s, &pl, &c)) {
        qsort(c.w, c.n, sizeof *c.w, by_info);
        fill_query(s, &c);
    }
    free(c.w);
    lx_buf_free(&c.toks);
    lx_strmap_free(&c.seen);
    return s->rc;
}
