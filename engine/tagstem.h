/* tagstem.h -- tag-stem keys: a tag's words stemmed and joined by one
 * space ("gender equality" -> "gender equal" in English), the key of the
 * tagstem database, under which a query's run of words finds the tags it
 * names (internal). */
#ifndef LX_TAGSTEM_H
#define LX_TAGSTEM_H
#include <stddef.h>

#include "lectern.h"
#include "stem.h"
#include "text.h"

/* Room for a key of a whole tag, or of four query words. */
#define LX_TAGSTEM_KEY_BUF (LX_MAX_TAG_BYTES * 4 + LX_TOKEN_BUF * 4)

/* A key being built, a word at a time. */
typedef struct lx_tagstem_keybuf {
    char s[LX_TAGSTEM_KEY_BUF];
    size_t n;
} lx_tagstem_keybuf;

/* Appends word (a normalised token) stemmed under stemmer entry lang, after
 * one space unless it is the first; a word that does not fit is left out. */
void lx_tagstem_key_word(lx_tagstem_keybuf *k, lx_stemmers *stem, int lang, const char *word,
                         size_t len);
/* The same with the word's term (tl bytes) already made. */
void lx_tagstem_key_term(lx_tagstem_keybuf *k, const char *term, size_t tl);

/* The key of a normalised tag under stemmer entry lang, written
 * NUL-terminated into out (cap bytes, truncated); returns its length, 0
 * when the tag has no word. */
size_t lx_tagstem_key(lx_stemmers *stem, int lang, const char *tag, size_t len, char *out,
                      size_t cap);

/* A topic label's key (lx_writer_topic_label) is the form of the label
 * under its language's stemmer, LX_LABEL_PREFIX and the 639-1 code:
 * appends those three bytes to key[0..n) (room for them is the caller's)
 * and returns the new length.  A label names its tag only for a query in
 * its language, so that "Politik" boosts "policy" for a German query but
 * an English "politics" is left as it was. */
size_t lx_tagstem_label_key(char *key, size_t n, const char *lang);

/* Adds the key of tag (NUL-terminated) under the writer's current
 * language, naming tag. */
int lx_tagstem_add(lx_writer *w, const char *tag, lx_error *err);

/* A tag lost lectures (docs[0..n) are those it keeps): its keys become
 * those of each language of those lectures, as in a fresh build. */
int lx_tagstem_rebuild(lx_writer *w, const char *tag, size_t len, const uint32_t *docs, uint32_t n,
                       lx_error *err);
#endif
