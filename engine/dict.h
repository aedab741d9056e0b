/* dict.h -- bilingual dictionaries: Debian's FreeDict packages
 * (dict-freedict-fin-eng, ...) read in place (internal).
 *
 * Each pair is a dictd database: FILE.index (headword TAB offset TAB
 * length, the numbers in dictd's base 64) and FILE.dict.dz (the entries'
 * text, gzip with dictzip's table of independently inflatable chunks).
 * Every installed pair is found once per process, its headwords loaded
 * into a hash map keyed by the normalised headword (tokens as the
 * tokenizer makes them, joined by one space); an entry's text is
 * inflated from its chunks when a word is translated.  Read-only once
 * loaded, so searchers in any thread share it. */
#ifndef LX_DICT_H
#define LX_DICT_H
#include <stddef.h>

#include "stem.h"
#include "text.h"

#define LX_DICT_MAX_PAIRS 128
#define LX_DICT_MAX_SENSES 8 /* translations kept per entry */
/* Pairs whose .dict.dz is at most this large are also read backwards
 * (a pair B-A made of A-B's entries): FreeDict's deu-eng and eng-deu,
 * each other's reverse already, are larger. */
#define LX_DICT_REVERSE_MAX (4L << 20)

/* The directory searched: $LECTERN_DICT_DIR, else /usr/share/dictd. */
const char *lx_dict_dir(void);

/* The installed pairs (loading them on first call); thread-safe. */
int lx_dict_npairs(void);
/* Pair i's languages (ISO 639-1) and headword count (0 until it is
 * first used: pairs load on demand). */
void lx_dict_pair(int i, const char **from, const char **to, size_t *nwords);

/* Whether the normalised key (tokens joined by ' ') is a headword of pair i. */
int lx_dict_has(int i, const char *key, size_t len);

/* One translation: a normalised phrase of 1..LX_MAX_PHRASE_WORDS tokens
 * joined by ' '. */
typedef struct lx_dict_tr {
    char text[LX_TOKEN_BUF];
    size_t len;
    int ntok;
    int sense; /* its place in the entry (0: first); for a reversed pair,
                  the place the word translated has in this headword's entry */
} lx_dict_tr;

/* The translations of key in pair i, the first senses first, into
 * out[0..max); returns how many (0 when key is no headword, or its entry
 * is damaged), -1 when out of memory. */
int lx_dict_translate(int i, const char *key, size_t len, lx_dict_tr *out, int max);
/* The same by a one-word headword's term (its stem under the pair's
 * source language, accents stripped, as lx_stemmers_term makes it): the
 * entry of the first headword with that term.  For an inflected word
 * that is no headword itself ("sukupuolten": "sukupuoli"). */
int lx_dict_has_stem(int i, const char *term, size_t len);
/* The same, the term itself only (no letters cut). */
int lx_dict_has_stem_exact(int i, const char *term, size_t len);
int lx_dict_translate_stem(int i, const char *term, size_t len, lx_dict_tr *out, int max);
/* A source language's place among the compiled file's languages (their
 * filters over all the language's pairs' keys: dictmap.h), or -1 (no
 * compiled file, or no pair from code). */
int lx_dict_lang(const char *code);
/* Whether one of pairs idx[0..n), all from the language lang
 * (lx_dict_lang; -1: ask each pair), has key as a headword.  With lang
 * given, idx[0..n) must be every pair from it (lx_dict_src's): the
 * language's filter and then its table of its pairs' keys answer, so a
 * key costs one or two look-ups, not one a pair. */
int lx_dict_has_any(int lang, const int *idx, int n, const char *key, size_t len);
/* The same for a stem term, or it with 1 .. maxcut letters cut (maxcut
 * 2: as lx_dict_has_stem; 0: as lx_dict_has_stem_exact). */
int lx_dict_has_stem_any(int lang, const int *idx, int n, const char *term, size_t len, int maxcut);
/* Starts reading what those two read first, for key (stems 0) or a stem
 * with mincut to maxcut letters cut (stems 1): the language's filter, or
 * when lang is -1 each pair's filter and slot (only the compiled file's
 * tables are read ahead), so that the memory reads of many look-ups
 * overlap; the answers are the same without it. */
void lx_dict_prefetch_any(int lang, const int *idx, int n, const char *key, size_t len, int stems,
                          int mincut, int maxcut);
/* Whether key is a headword of a pair from language from, or a headword
 * has term (tl bytes, 0 = none: see lx_dict_has_stem). */
int lx_dict_known_word(const char *from, const char *key, size_t len, const char *term, size_t tl);

/* A compound the dictionaries of from lack, split into two of their
 * headwords: key[0..*left) (a linking -n or -s dropped) and
 * key[*right..len), the longest second part first; the second part may
 * be inflected when st (a stemmer set, si its entry for from) is given.
 * 1 when found; keys under 8 bytes are not split. */
int lx_dict_split(const char *from, lx_stemmers *st, int si, const char *key, size_t len,
                  size_t *left, size_t *right);
#endif
