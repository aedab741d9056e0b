/* tagboost.h -- a run of query words that names a topic tag boosts the
 * lectures with that tag; the tagstem key both sides build (internal). */
#ifndef LX_TAGBOOST_H
#define LX_TAGBOOST_H
#include <string.h>

#include "lectern.h"
#include "stem.h"
#include "text.h"

/* Room for any tagstem key being built: a tag's words are at most
 * LX_MAX_TAG_BYTES, each stem at most LX_TOKEN_BUF. */
#define LX_TAGSTEM_KEY_BUF (LX_MAX_TAG_BYTES * 4 + LX_TOKEN_BUF)

/* The one builder of tagstem keys ("gender equality" -> "gender equal"):
 * appends the stem of word under stemmer lang to key[0..n), one space
 * between stems, and returns the new length; a stem that would not fit
 * in cap is left out (n is returned).  Keys longer than
 * LX_MAX_TAGSTEM_KEY are never stored.  The writer stores tag forms with
 * it and the query side looks runs of query words up with it, so the
 * two always agree. */
static inline size_t lx_tagstem_key(lx_stemmers *stem, int lang, const char *word, size_t len,
                                    char *key, size_t n, size_t cap) {
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(stem, lang, word, len, term);
    if (n + tl + 2 > cap)
        return n;
    if (n)
        key[n++] = ' ';
    memcpy(key + n, term, tl);
    return n + tl;
}

/* Adds a LX_QK_DOCS cursor to s->qc, weighing boost, for each tag (at
 * most LX_MAX_TAG_BOOSTS) that a run of up to four scored query words
 * names under one of the query languages langs[0..nl).  Returns 0 or the
 * sticky error (an I/O error or out of memory while loading the tag
 * forms or a tag's lectures). */
int lx_tag_boosts(lx_searcher *s, const int *langs, int nl, double boost);
#endif
