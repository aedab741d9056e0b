/* suggest.c -- lx_suggest: completions of what is being typed, for a
 * search box.  The whole text typed, normalised, completes to topic tags
 * that start with it, and to lecture titles and speakers with a word that
 * starts with it (completions.c); its last word completes to the
 * vocabulary's words (fuzzy.c, the most frequent terms first), the words
 * before it kept as typed.  All are ranked by popularity (a tag and a
 * speaker by their lectures, a word by the lectures of its term, a title
 * counts its one lecture), those in the query's language first (a tag is
 * in every language); at equal count a tag, then a speaker, a title, a
 * word.  The best tag, title and speaker that match always have a place
 * (words, far more frequent, would crowd them out), so that a search box
 * shows every kind the text completes to.
 */
#include <stdlib.h>
#include <string.h>

#include "completions.h"
#include "error.h"
#include "fuzzy.h"
#include "text.h"

#define LX_SUGGEST_WORDS 32 /* word completions looked at */
#define LX_SUGGEST_NAMED 32 /* titles and speakers looked at */

/* Kinds, in the order they rank at equal count. */
enum { K_WORD, K_TITLE, K_SPEAKER, K_TAG };

typedef struct sugg {
    size_t off; /* text in the buffer */
    unsigned count;
    int kind;
    int in_lang;  /* in the query's language (or no language given) */
    int at_start; /* a title or speaker matched from its first word */
    size_t len;
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

/* The candidates found so far, their texts in b. */
typedef struct found {
    lx_buf b;
    sugg *v;
    size_t n, cap;
} found;

static int add(found *f, const char *a, size_t an, const char *c, size_t cn, unsigned count,
               int kind, int in_lang, int at_start) {
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 32;
        sugg *nv = realloc(f->v, nc * sizeof *nv);
        if (!nv)
            return LX_ENOMEM;
        f->v = nv;
        f->cap = nc;
    }
    f->v[f->n] = (sugg){f->b.n, count, kind, in_lang, at_start, an + cn};
    if (lx_buf_append(&f->b, a, an) || lx_buf_append(&f->b, c, cn) || lx_buf_append(&f->b, "", 1))
        return LX_ENOMEM;
    f->n++;
    return 0;
}

static int by_rank(const void *a, const void *b) {
    const sugg *x = a, *y = b;
    if (x->in_lang != y->in_lang)
        return y->in_lang - x->in_lang;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if (x->kind != y->kind)
        return y->kind - x->kind;
    if (x->at_start != y->at_start)
        return y->at_start - x->at_start;
    return (x->len > y->len) - (x->len < y->len);
}

/* The language of lang: an ISO 639 code, a language tag or an
 * Accept-Language value (its first language); -1 when none. */
static int query_lang(lx_searcher *s, const char *lang, char *code) {
    char tag[16];
    size_t n = 0;
    while (lang && lang[n] && !strchr(",; ", lang[n]) && n + 1 < sizeof tag) {
        tag[n] = lang[n];
        n++;
    }
    tag[n] = 0;
    if (!n || lx_lang_normalise(tag, code))
        return -1;
    return lx_stemmers_lookup(&s->stem, code);
}

/* Titles and speakers with a word starting with nm->text. */
static int gather_named(lx_searcher *s, const norm *nm, const char *code, found *f) {
    lx_completion c[LX_SUGGEST_NAMED];
    int nc;
    if (lx_completions_find(s, nm->text, nm->n, c, LX_SUGGEST_NAMED, &nc))
        return s->rc;
    for (int i = 0; i < nc; i++) {
        int r = add(f, c[i].shown, strlen(c[i].shown), "", 0, c[i].count,
                    c[i].kind == LX_COMPLETE_TITLE ? K_TITLE : K_SPEAKER,
                    !code[0] || !strcmp(code, c[i].lang), c[i].at_start);
        if (r)
            return r;
    }
    return 0;
}

/* Tags starting with nm->text, titles and speakers, then completions of
 * the last word: in the query's language (marked), then in any. */
static int gather(lx_searcher *s, const char *q, const norm *nm, const char *lang, found *f) {
    lx_store_iter it;
    MDB_val k, val;
    int r = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGS, &it);
    if (r == 0)
        r = lx_store_iter_seek(&it, nm->text, nm->n, &k, &val);
    for (; r > 0; r = lx_store_iter_next(&it, &k, &val)) {
        if (k.mv_size < nm->n || memcmp(k.mv_data, nm->text, nm->n))
            break;
        if ((r = add(f, k.mv_data, k.mv_size, "", 0, (unsigned)(val.mv_size / 4), K_TAG, 1, 1)))
            break;
    }
    lx_store_iter_close(&it);
    if (r < 0)
        return r;
    char code[LX_LANG_BYTES] = "";
    int langs[1];
    if ((langs[0] = query_lang(s, lang, code)) < 0)
        code[0] = 0;
    if ((r = gather_named(s, nm, code, f)))
        return r;
    for (int pass = langs[0] >= 0 ? 0 : 1; pass < 2 && nm->last_len; pass++) {
        lx_fuzzy_word w[LX_SUGGEST_WORDS];
        int nw = 0;
        if (lx_fuzzy_complete(s, nm->last, nm->last_len, langs, !pass, w, LX_SUGGEST_WORDS, &nw))
            return s->rc;
        for (int i = 0; i < nw; i++)
            if ((r = add(f, q, nm->last_start, w[i].word, w[i].len, w[i].df, K_WORD,
                         !pass || !code[0], 1)))
                return r;
    }
    return 0;
}

/* Into out (room for limit), the candidates' best, without repeats: the
 * best tag, title and speaker first taken, then the rest in rank order;
 * then ranked. */
static size_t choose(const found *f, const char *base, unsigned limit, lx_facet *out,
                     sugg *chosen) {
    size_t keep = 0;
    for (int pass = 0; pass < 2; pass++) {
        int seen[K_TAG + 1] = {0};
        for (size_t i = 0; i < f->n && keep < limit; i++) {
            const sugg *x = &f->v[i];
            if (!pass && (x->kind == K_WORD || seen[x->kind]++))
                continue;
            int dup = 0;
            for (size_t j = 0; j < keep && !dup; j++)
                dup = !strcmp(base + chosen[j].off, base + x->off);
            if (!dup)
                chosen[keep++] = *x;
        }
    }
    qsort(chosen, keep, sizeof *chosen, by_rank);
    for (size_t i = 0; i < keep; i++)
        out[i] = (lx_facet){base + chosen[i].off, chosen[i].count};
    return keep;
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
    found f = {0};
    rc = gather(s, q, &nm, lang, &f);
    lx_searcher_end(s);
    if (!rc) {
        if (f.n) /* nothing completes: f.v and f.b never allocated */
            qsort(f.v, f.n, sizeof *f.v, by_rank);
        size_t room = f.n < limit ? f.n : limit;
        lx_facet *out_f = malloc((room ? room : 1) * (sizeof *out_f + sizeof(sugg)) + f.b.n + 1);
        if (!out_f) {
            rc = LX_ENOMEM;
        } else {
            sugg *chosen = (sugg *)(out_f + (room ? room : 1));
            char *base = (char *)(chosen + (room ? room : 1));
            if (f.b.n)
                memcpy(base, f.b.p, f.b.n);
            *n = choose(&f, base, (unsigned)room, out_f, chosen);
            *out = out_f;
        }
    }
    free(f.v);
    lx_buf_free(&f.b);
    if (rc && !s->rc)
        return lx_fail(err, rc, NULL, -1, "suggest: %s", lx_strerror(rc));
    return rc;
}
