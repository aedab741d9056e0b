/* qlang.h -- the query's language: given (qlang=, --qlang), taken from
 * an Accept-Language header, or detected from the query's words
 * (internal). */
#ifndef LX_QLANG_H
#define LX_QLANG_H
#include "searcher.h"

enum { LX_QLANG_NONE, LX_QLANG_DETECTED, LX_QLANG_GIVEN, LX_QLANG_ACCEPT };

/* The score factor of lectures in the query's language (the soft
 * preference): the smallest of 1.2, 1.5, 2 with which English queries
 * on the sample corpus ("discrimination", "racism") rank English
 * lectures first (tests/server/test_xlang.sh). */
#define LX_QLANG_PREFER 2.0

typedef struct lx_qlang {
    char code[LX_LANG_BYTES]; /* "" when unknown */
    int source;               /* LX_QLANG_* */
    char why[160];            /* for a person: the words that decided */
} lx_qlang;

/* Clause cl's words as a dictionary key: normalised tokens joined by one
 * space, into out (LX_TOKEN_BUF); returns the length, 0 when too long. */
size_t lx_qlang_key(const lx_query *q, const lx_qclause *cl, char *out);

/* The language of s->q (parsed; the read transaction open).  Detection
 * weighs, for each scored word, the languages whose stop list, installed
 * dictionaries (as a headword) or indexed lectures (by that language's
 * stem) contain it, each by 1 / how many languages do: a word every
 * language has tells nothing. */
void lx_qlang_detect(lx_searcher *s, const lx_search_opts *o, lx_qlang *out);

/* The name of a source for the API ("detected", "qlang",
 * "accept-language"), NULL for none. */
const char *lx_qlang_source_name(int source);
/* Whether lx_search prefers lectures in ql's language: an index of
 * several languages, a known query language, no lang filter, not turned
 * off (LX_SEARCH_NO_PREFER). */
int lx_qlang_prefers(const lx_searcher *s, const lx_search_opts *o, const lx_qlang *ql);

/* Multiplies by LX_QLANG_PREFER the scores of hits[0..n) in ql's
 * language and sorts them again, best first; 0 or the sticky error. */
int lx_qlang_prefer(lx_searcher *s, const lx_qlang *ql, lx_scored *hits, uint32_t n);
#endif
