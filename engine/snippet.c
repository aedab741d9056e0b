/* snippet.c -- snippets that show the original words, not the stems.
 *
 * The field text is tokenised again and each token stemmed with the
 * lecture's language; a token whose term is a query term is a match.  The
 * best window holds the most distinct query terms, then query words side
 * by side (phrases), then words exactly as typed, then the most matches.  Tokens are only stemmed
 * when their first byte could start a query term: Snowball strips
 * suffixes, so an ASCII word keeps its first letter.
 */
#include <stdlib.h>
#include <string.h>

#include "snippet.h"
#include "text.h"

typedef struct match {
    uint32_t start, end;
    int term;
    int exact; /* the word as typed, not only the same stem */
} match;

struct scan {
    lx_stemmers *st;
    int lang;
    const lx_snip_terms *t;
    uint8_t first[256];
    match *m;
    uint32_t n, cap;
};

static void on_tok(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct scan *sc = ctx;
    (void)pos;
    unsigned char c0 = (unsigned char)tok[0];
    if (c0 < 0x80 && !sc->first[c0])
        return;
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(sc->st, sc->lang, tok, len, term);
    for (int i = 0; i < sc->t->n; i++) {
        if (sc->t->len[i] != tl || memcmp(sc->t->term[i], term, tl) != 0)
            continue;
        if (sc->n == sc->cap) {
            uint32_t cap = sc->cap ? sc->cap * 2 : 64;
            match *m = realloc(sc->m, cap * sizeof *m);
            if (!m)
                return;
            sc->m = m;
            sc->cap = cap;
        }
        int exact = 0;
        for (int w = 0; w < sc->t->nwords && !exact; w++)
            exact = sc->t->wlen[w] == len && memcmp(sc->t->word[w], tok, len) == 0;
        sc->m[sc->n++] = (match){(uint32_t)s, (uint32_t)e, i, exact};
        return;
    }
}

typedef struct best {
    int score;
    uint32_t from, to; /* match index range [from, to) */
} best;

static best best_window(const match *m, uint32_t n) {
    best b = {0, 0, 0};
    int count[LX_MAX_QUERY_TERMS * 4] = {0};
    int distinct = 0, adjacent = 0, exact = 0;
    uint32_t lo = 0;
    for (uint32_t hi = 0; hi < n; hi++) {
        if (count[m[hi].term]++ == 0)
            distinct++;
        exact += m[hi].exact;
        while (m[hi].end - m[lo].start > LX_SNIPPET_BYTES * 3 / 4) {
            if (--count[m[lo].term] == 0)
                distinct--;
            exact -= m[lo].exact;
            if (lo + 1 <= hi && m[lo + 1].term != m[lo].term &&
                m[lo + 1].start - m[lo].end <= 2)
                adjacent--;
            lo++;
        }
        /* Query words side by side (a phrase, as typed) count extra. */
        if (hi > lo && m[hi].term != m[hi - 1].term && m[hi].start - m[hi - 1].end <= 2)
            adjacent++;
        int score = distinct * 16 + adjacent * 8 + exact * 2 + (int)(hi - lo + 1);
        if (score > b.score) {
            b.score = score;
            b.from = lo;
            b.to = hi + 1;
        }
    }
    return b;
}

static int is_sp(char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

static int emit(lx_buf *out, const char *text, size_t len, size_t from, size_t to,
                const match *m, uint32_t mf, uint32_t mt) {
    /* Escaping at most sextuples the text. */
    if (lx_buf_reserve(out, (to - from) * 6 + 64 + (mt - mf) * 16))
        return LX_ENOMEM;
    char *o = (char *)out->p + out->n;
    size_t n = 0;
    if (from > 0) {
        memcpy(o + n, "\xe2\x80\xa6", 3);
        n += 3;
    }
    size_t at = from;
    for (uint32_t i = mf; i < mt; i++) {
        if (m[i].start < at || m[i].end > to)
            continue;
        n += lx_text_html_escape(text + at, m[i].start - at, o + n, (size_t)-1);
        memcpy(o + n, "<mark>", 6);
        n += 6;
        n += lx_text_html_escape(text + m[i].start, m[i].end - m[i].start, o + n, (size_t)-1);
        memcpy(o + n, "</mark>", 7);
        n += 7;
        at = m[i].end;
    }
    n += lx_text_html_escape(text + at, to - at, o + n, (size_t)-1);
    if (to < len) {
        memcpy(o + n, "\xe2\x80\xa6", 3);
        n += 3;
    }
    o[n] = 0;
    out->n += n + 1;
    return 0;
}

/* Widens [s, e) to about LX_SNIPPET_BYTES at word boundaries. */
static void widen(const char *text, size_t len, size_t *s, size_t *e) {
    size_t span = *e - *s;
    size_t extra = span < LX_SNIPPET_BYTES ? LX_SNIPPET_BYTES - span : 0;
    size_t left = extra / 3;
    size_t ns = *s > left ? *s - left : 0;
    size_t ne = *e + (extra - (*s - ns));
    if (ne > len)
        ne = len;
    if (ns > 0) {
        while (ns < *s && !is_sp(text[ns - 1]))
            ns++;
    }
    if (ne < len) {
        while (ne > *e && !is_sp(text[ne]))
            ne--;
    }
    while (ns < *s && is_sp(text[ns]))
        ns++;
    while (ne > *e && is_sp(text[ne - 1]))
        ne--;
    *s = ns;
    *e = ne;
}

int lx_snippet_make(lx_stemmers *st, const lx_docview *v, const char *description,
                    const lx_snip_terms *terms, lx_buf *out, const char **field, double *start) {
    struct scan sc;
    memset(&sc, 0, sizeof sc);
    sc.st = st;
    sc.lang = lx_stemmers_lookup(st, v->h.lang);
    sc.t = terms;
    for (int i = 0; i < terms->n; i++)
        if (terms->len[i])
            sc.first[(unsigned char)terms->term[i][0]] = 1;
    lx_buf scratch = {0};
    const char *texts[2] = {description, lx_doc_body(v, &scratch)};
    size_t lens[2] = {description ? strlen(description) : 0, texts[1] ? v->h.body_len : 0};
    best bw[2];
    match *ms[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        sc.n = 0;
        sc.m = NULL;
        sc.cap = 0;
        if (texts[k] && terms->n)
            lx_text_scan(texts[k], lens[k], 0, on_tok, &sc, NULL, NULL);
        ms[k] = sc.m;
        bw[k] = best_window(sc.m, sc.n);
    }
    /* The better window; on a tie a timed transcript wins (it gives the
     * minute to jump to). */
    int k = bw[1].score > bw[0].score || (bw[1].score == bw[0].score && bw[1].score &&
                                          v->h.nseg > 0)
                ? 1
                : 0;
    if (bw[k].score == 0)
        k = lens[0] ? 0 : 1; /* no hit: the opening of the description */
    *field = k ? "transcript" : "description";
    *start = -1;
    int rc = 0;
    const char *text = texts[k];
    size_t len = lens[k];
    if (!text || !len) {
        rc = lx_buf_append(out, "", 1);
    } else {
        size_t s, e;
        if (bw[k].score) {
            s = ms[k][bw[k].from].start;
            e = ms[k][bw[k].to - 1].end;
        } else {
            s = 0;
            e = 0;
        }
        widen(text, len, &s, &e);
        rc = emit(out, text, len, s, e, ms[k], bw[k].score ? bw[k].from : 0,
                  bw[k].score ? bw[k].to : 0);
        if (k == 1 && v->h.nseg) {
            /* The segment holding the first matched word (or the start). */
            uint32_t at = bw[k].score ? ms[k][bw[k].from].start : (uint32_t)s;
            uint32_t lo = 0, hi = v->h.nseg;
            while (lo + 1 < hi) {
                uint32_t mid = (lo + hi) / 2;
                lx_dseg g;
                lx_doc_segment(v, mid, &g);
                if (g.off <= at)
                    lo = mid;
                else
                    hi = mid;
            }
            lx_dseg g;
            lx_doc_segment(v, lo, &g);
            *start = g.start;
        }
    }
    free(ms[0]);
    free(ms[1]);
    lx_buf_free(&scratch);
    return rc;
}
