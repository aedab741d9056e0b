/* stem.c -- the lecture's language picks a Snowball stemmer (libstemmer
 * accepts ISO 639-1 codes); a language Snowball lacks is indexed
 * unstemmed.  After stemming, accents are stripped so that a query typed
 * without them ("kestava") still meets the term ("kestäv" -> "kestav"). */
#include <ctype.h>
#include <libstemmer.h>
#include <stdio.h>
#include <string.h>

#include "lectern.h"
#include "stem.h"
#include "text.h"

/* The cache is emptied when it holds this many words. */
#define CACHE_MAX 100000

void lx_stemmers_init(lx_stemmers *s) {
    memset(s, 0, sizeof *s);
    lx_strmap_init(&s->cache);
}

void lx_stemmers_free(lx_stemmers *s) {
    for (int i = 0; i < s->n; i++)
        if (s->e[i].st)
            sb_stemmer_delete(s->e[i].st);
    s->n = 0;
    lx_strmap_free(&s->cache);
    lx_buf_free(&s->terms);
}

int lx_lang_normalise(const char *lang, char *out) {
    size_t n = 0;
    if (!lang)
        return -1;
    for (; lang[n] && lang[n] != '-' && lang[n] != '_'; n++) {
        if (n >= LX_LANG_BYTES - 1 || !isalpha((unsigned char)lang[n]))
            return -1;
        out[n] = (char)tolower((unsigned char)lang[n]);
    }
    if (n < 2)
        return -1;
    out[n] = 0;
    return 0;
}

int lx_stemmers_lookup(lx_stemmers *s, const char *lang) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->e[i].lang, lang) == 0)
            return i;
    if (s->n == LX_MAX_LANGS)
        return -1;
    int i = s->n++;
    snprintf(s->e[i].lang, sizeof s->e[i].lang, "%s", lang);
    /* "porter" is an algorithm, not a language: do not let a record pick it. */
    s->e[i].st = strcmp(lang, "porter") == 0 ? NULL : sb_stemmer_new(lang, "UTF_8");
    return i;
}

int lx_stemmers_has(const lx_stemmers *s, int i) {
    return i >= 0 && i < s->n && s->e[i].st != NULL;
}

static size_t stem_uncached(lx_stemmers *s, int i, const char *tok, size_t len, char *out) {
    size_t n = len;
    if (i >= 0 && i < s->n && s->e[i].st) {
        const sb_symbol *r = sb_stemmer_stem(s->e[i].st, (const sb_symbol *)tok, (int)len);
        int k = sb_stemmer_length(s->e[i].st);
        if (r && k > 0 && k < LX_TOKEN_BUF) {
            memcpy(out, r, (size_t)k);
            n = (size_t)k;
        } else {
            memcpy(out, tok, len);
        }
    } else {
        memcpy(out, tok, len);
    }
    out[n] = 0;
    return lx_text_strip_marks(out, n);
}

size_t lx_stemmers_term(lx_stemmers *s, int i, const char *tok, size_t len, char *out) {
    char key[LX_TOKEN_BUF + 1];
    if (len >= LX_TOKEN_BUF)
        return stem_uncached(s, i, tok, len, out);
    key[0] = (char)(i + 1);
    memcpy(key + 1, tok, len);
    uint32_t h = lx_hash(key, len + 1);
    uint32_t *v = lx_strmap_get(&s->cache, key, len + 1, h);
    if (v) {
        const char *t = (const char *)s->terms.p + *v;
        size_t n = strlen(t);
        memcpy(out, t, n + 1);
        return n;
    }
    size_t n = stem_uncached(s, i, tok, len, out);
    if (s->cache.n >= CACHE_MAX) {
        lx_strmap_free(&s->cache);
        lx_strmap_init(&s->cache);
        s->terms.n = 0;
    }
    uint32_t off = (uint32_t)s->terms.n;
    if (lx_buf_append(&s->terms, out, n + 1) == 0)
        lx_strmap_put(&s->cache, key, len + 1, h, off, NULL);
    return n;
}

int lx_language_supported(const char *lang) {
    char code[LX_LANG_BYTES];
    if (lx_lang_normalise(lang, code) != 0 || strcmp(code, "porter") == 0)
        return 0;
    struct sb_stemmer *st = sb_stemmer_new(code, "UTF_8");
    if (!st)
        return 0;
    sb_stemmer_delete(st);
    return 1;
}

int lx_stem(const char *lang, const char *tok, size_t len, char *out, size_t size) {
    lx_stemmers s;
    char code[LX_LANG_BYTES];
    char buf[LX_TOKEN_BUF];
    int rc = 0;
    if (len >= LX_TOKEN_BUF)
        len = LX_TOKEN_BUF - 1;
    lx_stemmers_init(&s);
    int i = -1;
    if (lx_lang_normalise(lang, code) == 0)
        i = lx_stemmers_lookup(&s, code);
    if (!lx_stemmers_has(&s, i))
        rc = LX_EINVAL;
    size_t n = lx_stemmers_term(&s, i, tok, len, buf);
    lx_stemmers_free(&s);
    if (size == 0)
        return rc ? rc : 0;
    if (n >= size)
        n = size - 1;
    memcpy(out, buf, n);
    out[n] = 0;
    return rc ? rc : (int)n;
}
