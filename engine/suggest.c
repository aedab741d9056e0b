/* suggest.c -- lx_suggest: completions of what is being typed, for a
 * search box.  The whole text typed, normalised, completes to topic tags
 * that start with it; its last word completes to the vocabulary's words
 * (fuzzy.c, the most frequent terms first), the words before it kept as
 * typed.  All are ranked by popularity: a tag by its lectures, a word by
 * the lectures of its term; a tag first at equal count.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzzy.h"
#include "text.h"

#define LX_SUGGEST_WORDS 32 /* word completions looked at */

typedef struct sugg {
    size_t off; /* text in the buffer */
    unsigned count;
    int tag;
} sugg;

typedef struct norm {
    char text[LX_MAX_QUERY_BYTES + 1]; /* the tokens joined by one space */
    size_t n;
    size_t last_start; /* byte offset of the last token in the query */
    char last[LX_TOKEN_BUF];
    size_t last_len;
} norm;

static void on_token(void *ctx, const char *tok, size_t len, size_t start, size_t end,
                     uint32_t pos) {
    norm *nm = ctx;
    (void)end;
    (void)pos;
    if (nm->n + len + 2 > sizeof nm->text)
        return;
    if (nm->n)
        nm->text[nm->n++] = ' ';
    memcpy(nm->text + nm->n, tok, len);
    nm->n += len;
    nm->text[nm->n] = 0;
    nm->last_start = start;
    memcpy(nm->last, tok, len);
    nm->last[len] = 0;
    nm->last_len = len;
}

static int add(lx_buf *b, sugg **v, size_t *n, size_t *cap, const char *a, size_t an, const char *c,
               size_t cn, unsigned count, int tag) {
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        sugg *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return LX_ENOMEM;
        *v = nv;
        *cap = nc;
    }
    (*v)[*n] = (sugg){b->n, count, tag};
    if (lx_buf_append(b, a, an) || lx_buf_append(b, c, cn) || lx_buf_append(b, "", 1))
        return LX_ENOMEM;
    (*n)++;
    return 0;
}

static int by_count(const void *a, const void *b) {
    const sugg *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return y->tag - x->tag;
}

/* Tags starting with nm->text, then completions of the last word. */
static int gather(lx_searcher *s, const char *q, const norm *nm, const char *lang, lx_buf *b,
                  sugg **v, size_t *n) {
    size_t cap = 0;
    lx_store_iter it;
    MDB_val k, val;
    int r = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGS, &it);
    if (r == 0)
        r = lx_store_iter_seek(&it, nm->text, nm->n, &k, &val);
    for (; r > 0; r = lx_store_iter_next(&it, &k, &val)) {
        if (k.mv_size < nm->n || memcmp(k.mv_data, nm->text, nm->n))
            break;
        if ((r = add(b, v, n, &cap, k.mv_data, k.mv_size, "", 0, (unsigned)(val.mv_size / 4), 1)))
            break;
    }
    lx_store_iter_close(&it);
    if (r < 0)
        return r;
    int langs[1], nl = 0;
    char code[LX_LANG_BYTES];
    if (lang && lang[0] && lx_lang_normalise(lang, code) == 0 &&
        (langs[0] = lx_stemmers_lookup(&s->stem, code)) >= 0)
        nl = 1;
    lx_fuzzy_word w[LX_SUGGEST_WORDS];
    int nw = 0;
    if (nm->last_len &&
        lx_fuzzy_complete(s, nm->last, nm->last_len, langs, nl, w, LX_SUGGEST_WORDS, &nw))
        return s->rc;
    for (int i = 0; i < nw; i++)
        if ((r = add(b, v, n, &cap, q, nm->last_start, w[i].word, w[i].len, w[i].df, 0)))
            return r;
    return 0;
}

int lx_suggest(lx_searcher *s, const char *q, const char *lang, unsigned limit, lx_facet **out,
               size_t *n, lx_error *err) {
    *out = NULL;
    *n = 0;
    lx_error_clear(err);
    size_t qn = q ? strlen(q) : 0;
    if (qn > LX_MAX_QUERY_BYTES)
        return lx_fail(err, LX_ELIMIT, "q", -1, "at most %d bytes", LX_MAX_QUERY_BYTES);
    static norm zero;
    norm nm = zero;
    int rc = lx_text_scan(q ? q : "", qn, 0, on_token, &nm, NULL, err);
    if (rc || !nm.n)
        return rc;
    if ((rc = lx_searcher_begin(s, &s->ix->params, err)))
        return rc;
    lx_buf b = {0};
    sugg *v = NULL;
    size_t nv = 0;
    rc = gather(s, q, &nm, lang, &b, &v, &nv);
    lx_searcher_end(s);
    if (!rc) {
        qsort(v, nv, sizeof *v, by_count);
        size_t keep = 0;
        lx_facet *f = malloc((nv ? nv : 1) * sizeof *f + b.n + 1);
        if (!f) {
            rc = LX_ENOMEM;
        } else {
            char *base = (char *)(f + (nv ? nv : 1));
            memcpy(base, b.p, b.n);
            for (size_t i = 0; i < nv && keep < limit; i++) {
                int dup = 0;
                for (size_t j = 0; j < keep && !dup; j++)
                    dup = !strcmp(f[j].value, base + v[i].off);
                if (!dup)
                    f[keep++] = (lx_facet){base + v[i].off, v[i].count};
            }
            *out = f;
            *n = keep;
        }
    }
    free(v);
    lx_buf_free(&b);
    if (rc && !s->rc)
        return lx_fail(err, rc, NULL, -1, "suggest: %s", lx_strerror(rc));
    return rc;
}
