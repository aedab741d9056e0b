/* longq.h -- a query too long for the query language's limits (a pasted
 * abstract, a syllabus paragraph) read as plain words, the most
 * informative kept (internal). */
#ifndef LX_LONGQ_H
#define LX_LONGQ_H
#include "plan.h"

/* Rebuilds s->q from text[0..len) as word clauses: its distinct words that
 * are not stopwords, the LX_MAX_QUERY_TERMS rarest in the index kept (by
 * idf, ties by count in the text, then first seen), in the order they
 * come; the others are listed in s->dropped (NUL-separated, s->ndropped).
 * Needs the read transaction (lx_searcher_begin).  Returns 0, LX_EUTF8
 * or the sticky error. */
int lx_longq_build(lx_searcher *s, const lx_search_opts *o, const char *text, size_t len);
#endif
