/* stem.h -- Snowball stemmers by language, and the term a token becomes
 * (internal). */
#ifndef LX_STEM_H
#define LX_STEM_H
#include <stddef.h>

#include "postings.h"
#include "strmap.h"

#define LX_MAX_LANGS 32
#define LX_LANG_BYTES 8

/* A set of stemmers opened on demand.  Not thread-safe: one per writer
 * or searcher (Snowball stemmers keep state). */
typedef struct lx_stemmers {
    int n;
    struct {
        char lang[LX_LANG_BYTES];
        struct sb_stemmer *st; /* NULL when Snowball has no such language */
    } e[LX_MAX_LANGS];
    /* Cache of (language, token) -> term: Snowball costs thousands of
     * instructions a word, and the same words come back all the time. */
    lx_strmap cache;
    lx_buf terms; /* the cached terms, NUL-separated */
} lx_stemmers;

void lx_stemmers_init(lx_stemmers *s);
void lx_stemmers_free(lx_stemmers *s);

/* Normalises a language tag ("en-GB", "EN") to its ISO 639 code ("en")
 * in out[LX_LANG_BYTES]; returns 0, or -1 when it is not a language tag. */
int lx_lang_normalise(const char *lang, char *out);

/* Index of lang in s (opening its stemmer on first use); -1 when the set
 * is full. */
int lx_stemmers_lookup(lx_stemmers *s, const char *lang);

/* Whether entry i has a real stemmer. */
int lx_stemmers_has(const lx_stemmers *s, int i);

/* The index term of a normalised token: its stem under entry i, then
 * accents stripped.  Writes NUL-terminated into out (LX_TOKEN_BUF bytes);
 * returns the length. */
size_t lx_stemmers_term(lx_stemmers *s, int i, const char *tok, size_t len, char *out);
#endif
