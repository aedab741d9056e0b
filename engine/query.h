/* query.h -- the query language, parsed into clauses (internal).
 *
 *   word            a term (ranked OR with the others)
 *   "two words"     a phrase; a bare chunk that splits into several tokens
 *                   ("covid-19", "don't") is a phrase too
 *   -word, -"a b"   exclude lectures that match; NOT word likewise
 *   a OR b          the same as "a b" (ranked OR is the default)
 *   tag:x, tag:"x y"        only lectures carrying that tag
 *   lang:fi                 only lectures in that language
 *   speaker:"name"          only lectures whose speaker field has the phrase
 *   an unknown prefix (foo:bar) is read as plain words.
 */
#ifndef LX_QUERY_H
#define LX_QUERY_H
#include <stddef.h>

#include "lectern.h"
#include "stem.h"
#include "text.h"

typedef struct lx_qword {
    char tok[LX_TOKEN_BUF]; /* normalised, unstemmed */
    size_t len;
    size_t start, end; /* its bytes in the query */
} lx_qword;

enum { LX_QC_WORD, LX_QC_PHRASE };

typedef struct lx_qclause {
    int kind;           /* LX_QC_* */
    int neg;            /* exclusion */
    int filter;         /* a filter, not scored (speaker:) */
    int field;          /* -1 = every field, else LX_F_* */
    int first, n;       /* words[first .. first+n) */
    size_t offset, end; /* its bytes in the query */
} lx_qclause;

typedef struct lx_query {
    lx_qword words[LX_MAX_QUERY_TERMS];
    int nwords;
    lx_qclause clauses[LX_MAX_QUERY_TERMS];
    int nclauses;
    char tags[LX_MAX_QUERY_TERMS][LX_MAX_TAG_BYTES * 3 + 1]; /* normalised */
    int ntags;
    char langs[LX_MAX_QUERY_TERMS][LX_LANG_BYTES];
    int nlangs;
    int too_long; /* the parse failed (LX_ELIMIT) on a length limit: bytes,
                     terms or phrase words (lx_search then reads it as plain
                     words, longq.c) */
} lx_query;

/* Parses q.  LX_EQUERY / LX_ELIMIT / LX_EUTF8 with err->offset. */
int lx_query_parse(const char *q, size_t len, lx_query *out, lx_error *err);

/* Whether word clause ci of q (parsed from qs) is half of a contraction
 * the stop list of lang has whole ("doesn't", "it's", "we'll": the
 * tokenizer splits at the apostrophe, so those entries never meet a
 * query word as they are), or, for English, the possessive "s" after a
 * word ("hasan's"). */
int lx_query_clitic(const lx_query *q, const char *qs, int ci, const char *lang);
#endif
