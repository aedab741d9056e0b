/* moments.c -- lx_moments_find: the minutes of one lecture where a query
 * is discussed.
 *
 * The query's terms are the snippets' (snippet.c: every stem of every
 * positive word in the query languages) and where they occur in the
 * transcript comes from the positions index, so nothing is stemmed here.
 * One scan of the body (lx_text_scan_range, normalising only the tokens
 * from the first hit to the last) gives each hit's bytes; a binary search
 * over the cues gives its cue.  Matching cues that follow each other are
 * joined, up to LX_MOMENT_CUES, into a window, and a window is scored as
 * a tiny document with rank.h's kernel: idf of each term in the index,
 * saturation by k1, length normalisation by the transcript's b against
 * the lecture's mean cue, and a bonus per pair of different query words
 * side by side (a phrase said aloud beats its words apart).  An untimed
 * transcript is cut into passages that stand for cues.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "meta.h"
#include "plan.h"
#include "rank.h"
#include "searcher.h"
#include "text.h"

/* Share of the two words' weights a pair side by side adds. */
#define ADJACENT_BONUS 0.5
/* Share of a word's weight a window adds when the word is there exactly
 * as typed (not only its stem): "social sustainability" said as such
 * beats "socially sustainable" nearby. */
#define EXACT_BONUS 0.25
/* A moment's text longer than this shows the part around its first hit. */
#define TEXT_BYTES 480
#define TEXT_BEFORE 120
/* Seconds of silence between two cues that keep them apart. */
#define JOIN_GAP 5.0

/* The cues of one lecture: its segments, or passages of an untimed body. */
typedef struct cues {
    const lx_docview *v;
    int timed;
    uint32_t n;
    uint32_t *bound; /* untimed: n + 1 byte offsets */
} cues;

/* A query word found in the body. */
typedef struct hit {
    uint32_t s, e, pos, cue;
    int term;
    int exact; /* the token is a query word as typed */
} hit;

/* Cues a..b (inclusive) holding hits h0..h1 (exclusive). */
typedef struct win {
    uint32_t a, b, h0, h1;
    double score;
} win;

static void cue_get(const cues *c, uint32_t i, lx_dseg *g) {
    if (c->timed) {
        lx_doc_segment(c->v, i, g);
        return;
    }
    g->off = c->bound[i];
    g->len = c->bound[i + 1] - c->bound[i];
    g->start = g->end = -1;
}

/* The cue that holds body byte at (the last starting at or before it). */
static uint32_t cue_of(const cues *c, uint32_t at) {
    uint32_t lo = 0, hi = c->n;
    while (lo + 1 < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        lx_dseg g;
        cue_get(c, mid, &g);
        if (g.off <= at)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Passages of about LX_MOMENT_PASSAGE_BYTES, ended after a sentence's end
 * when one comes within half as much again, else at a space. */
static int cut_passages(cues *c, const char *text, size_t len) {
    size_t cap = len / LX_MOMENT_PASSAGE_BYTES + 2;
    c->bound = malloc((cap + 1) * sizeof *c->bound);
    if (!c->bound)
        return LX_ENOMEM;
    c->n = 0;
    size_t at = 0;
    while (at < len && c->n < cap) {
        c->bound[c->n++] = (uint32_t)at;
        size_t end = at + LX_MOMENT_PASSAGE_BYTES;
        if (end >= len) {
            at = len;
            break;
        }
        size_t far =
            end + LX_MOMENT_PASSAGE_BYTES / 2 < len ? end + LX_MOMENT_PASSAGE_BYTES / 2 : len;
        size_t cut = 0;
        for (size_t i = end; i + 1 < far && !cut; i++)
            if (strchr(".?!", text[i]) && text[i + 1] == ' ')
                cut = i + 2;
        for (size_t i = end; i < len && !cut; i++)
            if (text[i] == ' ' || text[i] == '\n')
                cut = i + 1;
        at = cut ? cut : len;
    }
    c->bound[c->n] = (uint32_t)len;
    return 0;
}

struct scan_ctx {
    const lx_snip_terms *t;
    const lx_snip_pos *pos;
    uint32_t npos, i;
    hit *h;
    uint32_t nh;
};

static void on_token(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct scan_ctx *c = ctx;
    while (c->i < c->npos && c->pos[c->i].pos < pos)
        c->i++;
    /* Several stems of one word may share a position: one hit. */
    if (c->i < c->npos && c->pos[c->i].pos == pos) {
        int exact = 0;
        for (int w = 0; w < c->t->nwords && !exact; w++)
            exact = c->t->wlen[w] == len && memcmp(c->t->word[w], tok, len) == 0;
        c->h[c->nh++] = (hit){(uint32_t)s, (uint32_t)e, pos, 0, c->pos[c->i].term, exact};
    }
}

/* A term's weight in the kernel: idf * (k1 + 1). */
static void term_weights(const lx_searcher *s, const uint32_t *df, int n, double *w) {
    for (int i = 0; i < n; i++)
        w[i] = df[i] ? lx_idf(s->sc.N, df[i]) * (s->sc.k1 + 1.0) : 0;
}

static double win_score(const lx_searcher *s, const win *x, const hit *h, const double *w,
                        double bytes, double avg) {
    uint32_t tf[LX_SNIP_TERMS] = {0};
    uint8_t exact[LX_SNIP_TERMS] = {0};
    double score = 0, k1 = s->sc.k1;
    double ib = s->sc.fw[LX_F_TRANSCRIPT] / lx_bm25f_norm(s->sc.fb[LX_F_TRANSCRIPT], bytes, avg);
    for (uint32_t i = x->h0; i < x->h1; i++) {
        tf[h[i].term]++;
        exact[h[i].term] |= (uint8_t)h[i].exact;
        if (i > x->h0 && h[i].pos == h[i - 1].pos + 1 && h[i].term != h[i - 1].term)
            score += ADJACENT_BONUS * (w[h[i].term] + w[h[i - 1].term]) / 2;
    }
    for (int t = 0; t < LX_SNIP_TERMS; t++)
        if (tf[t])
            score += lx_bm25f_term(w[t], k1, tf[t] * ib) + (exact[t] ? EXACT_BONUS * w[t] : 0);
    return score;
}

/* A window from the cue of hit i: the next cue joins while it follows
 * the window's last, is at most LX_MOMENT_CUES from its first and brings
 * a query term the window lacks (a cue repeating a word starts its own),
 * and, timed, starts within JOIN_GAP seconds of the last one's end. */
static win window_at(const lx_searcher *s, const cues *c, const hit *h, uint32_t nh, uint32_t i,
                     const double *w, double avg) {
    uint8_t has[LX_SNIP_TERMS] = {0};
    win x = {h[i].cue, h[i].cue, i, i, 0};
    while (x.h1 < nh && h[x.h1].cue == x.a)
        has[h[x.h1++].term] = 1;
    while (x.h1 < nh && h[x.h1].cue == x.b + 1 && h[x.h1].cue - x.a < LX_MOMENT_CUES) {
        uint32_t e = x.h1;
        int fresh = 0;
        while (e < nh && h[e].cue == h[x.h1].cue)
            fresh |= !has[h[e++].term];
        lx_dseg last, next;
        cue_get(c, x.b, &last);
        cue_get(c, x.b + 1, &next);
        if (!fresh || (c->timed && next.start - last.end > JOIN_GAP))
            break;
        for (; x.h1 < e; x.h1++)
            has[h[x.h1].term] = 1;
        x.b++;
    }
    lx_dseg ga, gb;
    cue_get(c, x.a, &ga);
    cue_get(c, x.b, &gb);
    x.score = win_score(s, &x, h, w, (double)(gb.off + gb.len - ga.off), avg);
    return x;
}

static int by_score(const void *a, const void *b);

static int by_time(const void *a, const void *b) {
    const win *x = a, *y = b;
    return x->a < y->a ? -1 : x->a > y->a;
}

/* The moments: a window from every matching cue, then the best of them
 * that overlap no better one (wins has room for nh).  Returns how many,
 * best first; -1 when out of memory. */
static int64_t make_windows(const lx_searcher *s, const cues *c, hit *h, uint32_t nh,
                            const double *w, double avg, win *wins) {
    uint32_t n = 0, kept = 0;
    for (uint32_t i = 0; i < nh; i++)
        if (i == 0 || h[i].cue != h[i - 1].cue)
            wins[n++] = window_at(s, c, h, nh, i, w, avg);
    qsort(wins, n, sizeof *wins, by_score);
    uint8_t *taken = calloc(c->n, 1);
    if (!taken)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        int free_ = 1;
        for (uint32_t k = wins[i].a; k <= wins[i].b && free_; k++)
            free_ = !taken[k];
        if (!free_)
            continue;
        memset(taken + wins[i].a, 1, wins[i].b - wins[i].a + 1);
        wins[kept++] = wins[i];
    }
    free(taken);
    return kept;
}

static int by_score(const void *a, const void *b) {
    const win *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->a < y->a ? -1 : x->a > y->a;
}

/* Appends the window's text, HTML-escaped, hits in <mark>, NUL-ended. */
static int win_text(const cues *c, const win *x, const hit *h, const char *text, lx_buf *out) {
    lx_dseg ga, gb;
    cue_get(c, x->a, &ga);
    cue_get(c, x->b, &gb);
    size_t from = ga.off, to = gb.off + gb.len;
    while (from < to && (text[from] == ' ' || text[from] == '\n'))
        from++;
    int cut_l = 0, cut_r = 0;
    if (to - from > TEXT_BYTES) {
        size_t f = h[x->h0].s > from + TEXT_BEFORE ? h[x->h0].s - TEXT_BEFORE : from;
        while (f > from && f < h[x->h0].s && text[f - 1] != ' ')
            f++;
        cut_l = f > from;
        from = f;
        size_t t = from + TEXT_BYTES;
        while (t > from && text[t - 1] != ' ')
            t--;
        cut_r = 1;
        to = t > from ? t : from + TEXT_BYTES;
    }
    if (lx_buf_reserve(out, (to - from) * 6 + 16 + (x->h1 - x->h0) * 16))
        return LX_ENOMEM;
    char *o = (char *)out->p + out->n;
    size_t n = 0, at = from, room = out->cap - out->n;
    if (cut_l)
        memcpy(o, "\xe2\x80\xa6", 3), n = 3;
    for (uint32_t i = x->h0; i < x->h1; i++) {
        if (h[i].s < at || h[i].e > to)
            continue;
        n += lx_text_html_escape(text + at, h[i].s - at, o + n, room - n);
        memcpy(o + n, "<mark>", 6);
        n += 6 + lx_text_html_escape(text + h[i].s, h[i].e - h[i].s, o + n + 6, room - n - 6);
        memcpy(o + n, "</mark>", 7);
        n += 7;
        at = h[i].e;
    }
    n += lx_text_html_escape(text + at, to - at, o + n, room - n);
    if (cut_r)
        memcpy(o + n, "\xe2\x80\xa6", 3), n += 3;
    o[n] = 0;
    out->n += n + 1;
    return 0;
}

/* The answer in one allocation: the struct, the moments, their texts. */
static int answer(const cues *c, const win *wins, uint32_t nw, uint32_t total, const hit *h,
                  const char *text, lx_buf *tb, lx_moments **out) {
    size_t *off = malloc((nw ? nw : 1) * sizeof *off);
    if (!off)
        return LX_ENOMEM;
    tb->n = 0;
    for (uint32_t i = 0; i < nw; i++) {
        off[i] = tb->n;
        if (win_text(c, &wins[i], h, text, tb)) {
            free(off);
            return LX_ENOMEM;
        }
    }
    size_t head = sizeof(lx_moments) + nw * sizeof(lx_moment);
    lx_moments *m = calloc(1, head + tb->n);
    if (!m) {
        free(off);
        return LX_ENOMEM;
    }
    m->moments = (lx_moment *)(m + 1);
    char *texts = (char *)m + head;
    if (tb->n)
        memcpy(texts, tb->p, tb->n);
    for (uint32_t i = 0; i < nw; i++) {
        lx_dseg ga, gb;
        cue_get(c, wins[i].a, &ga);
        cue_get(c, wins[i].b, &gb);
        m->moments[i] = (lx_moment){ga.start, gb.end, texts + off[i], wins[i].score};
    }
    m->n = nw;
    m->total = total;
    m->timed = c->timed;
    free(off);
    *out = m;
    return 0;
}

/* Matched words per bin over the lecture (seconds, or bytes untimed). */
static void density(lx_moments *m, const cues *c, const hit *h, uint32_t nh, double span) {
    m->span = span;
    for (uint32_t i = 0; i < nh && span > 0; i++) {
        double at = (double)h[i].s;
        if (c->timed) {
            lx_dseg g;
            cue_get(c, h[i].cue, &g);
            at = g.start;
        }
        int bin = (int)(at / span * LX_MOMENT_BINS);
        m->density[bin < 0 ? 0 : bin >= LX_MOMENT_BINS ? LX_MOMENT_BINS - 1 : bin]++;
    }
}

/* The seconds the bins cover: to the last cue's end. */
static double span_of(const cues *c, size_t body_len) {
    if (!c->timed)
        return (double)body_len;
    lx_dseg g;
    cue_get(c, c->n - 1, &g);
    return g.end;
}

/* The moments of doc (view v) for the terms in s->snip. */
static int moments_of(lx_searcher *s, lx_snipper *sp, uint32_t doc, const lx_docview *v,
                      const lx_moments_opts *o, lx_moments **out) {
    lx_snip_pos *pos = NULL;
    uint32_t npos = 0, df[LX_SNIP_TERMS];
    int rc = lx_snippet_positions(sp, &s->snip, doc, LX_F_TRANSCRIPT, &pos, &npos, df);
    if (rc)
        return rc;
    lx_buf body = {0}, tb = {0};
    cues c = {v, v->h.nseg > 0, v->h.nseg, NULL};
    hit *h = NULL;
    win *wins = NULL;
    const char *text = npos ? lx_doc_body(v, &body) : NULL;
    if (npos && !text)
        rc = body.p || !v->h.zlen ? LX_ECORRUPT : LX_ENOMEM;
    if (!rc && npos && !c.timed)
        rc = cut_passages(&c, text, v->h.body_len);
    if (!rc && npos && (!(h = malloc(npos * sizeof *h)) || !(wins = malloc(npos * sizeof *wins))))
        rc = LX_ENOMEM;
    uint32_t nh = 0, nw = 0;
    if (!rc && npos) {
        struct scan_ctx sc = {&s->snip, pos, npos, 0, h, 0};
        lx_text_scan_range(text, v->h.body_len, 0, pos[0].pos, pos[npos - 1].pos, on_token, &sc);
        nh = sc.nh;
        for (uint32_t i = 0; i < nh; i++)
            h[i].cue = cue_of(&c, h[i].s);
        double w[LX_SNIP_TERMS];
        term_weights(s, df, s->snip.n, w);
        int64_t k = make_windows(s, &c, h, nh, w, (double)v->h.body_len / c.n, wins);
        if (k < 0)
            rc = LX_ENOMEM;
        else
            nw = (uint32_t)k;
    }
    uint32_t limit = o->limit && o->limit < LX_MAX_MOMENTS ? o->limit : LX_MAX_MOMENTS;
    uint32_t total = nw;
    if (nw > limit)
        nw = limit;
    if (!o->best && nw > 1)
        qsort(wins, nw, sizeof *wins, by_time);
    if (!rc)
        rc = answer(&c, wins, nw, total, h, text, &tb, out);
    if (!rc)
        density(*out, &c, h, nh, span_of(&c, v->h.body_len));
    free(h);
    free(wins);
    free(c.bound);
    lx_buf_free(&body);
    lx_buf_free(&tb);
    return rc;
}

/* The snippet terms of s->q and their lists, as lx_search's. */
static int query_terms(lx_searcher *s, const lx_moments_opts *o, lx_snipper **spp) {
    lx_search_opts so = {0};
    so.query = o->query;
    so.lang = o->lang;
    lx_plan pl;
    lx_plan_init(s, &so, &pl);
    lx_snipper *sp = lx_searcher_part(s, LX_PART_SNIPPER);
    if (!sp) {
        if (!(sp = lx_snipper_new()))
            return LX_ENOMEM;
        lx_searcher_set_part(s, LX_PART_SNIPPER, sp, lx_snipper_free);
    }
    lx_snippet_terms(sp, &s->snip, &s->q, &s->stem, pl.langs, pl.nl, pl.stop, pl.content);
    s->snip_ready = 0;
    *spp = sp;
    return lx_snippet_lookup(sp, &s->snip, s->txn, s->ix, lx_searcher_post, s);
}

int lx_moments_find(lx_searcher *s, const char *id, const lx_moments_opts *o, lx_moments **out,
                    lx_error *err) {
    char code[3];
    *out = NULL;
    lx_error_clear(err);
    if (!id || !id[0])
        return lx_fail(err, LX_EINVAL, "id", -1, "the lecture id is empty");
    if (o->lang && o->lang[0] && lx_language_lookup(o->lang, code) < 0)
        return lx_fail(err, LX_EINVAL, "lang", -1, "\"%.40s\" is not a language tag", o->lang);
    const char *qs = o->query ? o->query : "";
    int rc = lx_query_parse(qs, strlen(qs), &s->q, err);
    if (rc)
        return rc;
    if ((rc = lx_searcher_begin(s, &s->ix->params, err)))
        return rc;
    uint32_t doc;
    lx_docview v;
    lx_snipper *sp = NULL;
    rc = lx_store_doc_by_id(s->txn, s->ix, id, &doc, &v);
    if (!rc)
        rc = query_terms(s, o, &sp);
    if (!rc)
        rc = moments_of(s, sp, doc, &v, o, out);
    lx_searcher_end(s);
    return lx_searcher_id_result(err, rc, id);
}

void lx_moments_free(lx_moments *m) {
    free(m);
}
