/* filter.h -- the filters of a search as one bitmap of permitted
 * lectures (internal). */
#ifndef LX_FILTER_H
#define LX_FILTER_H
#include "searcher.h"

/* Fills s->allow from the tags, lang and speaker options and the filters
 * and exclusions of the parsed query in s->q (the empty query will do),
 * stemming in the query languages langs[0..nl).  Returns 1 when a filter
 * applies, 0 when none, or a negative LX_E* code with err filled (the
 * sticky error): LX_ELIMIT, LX_EINVAL, LX_EQUERY, LX_EIO, LX_ECORRUPT,
 * LX_ENOMEM. */
int lx_filter_build(lx_searcher *s, const lx_search_opts *o, const int *langs, int nl);

/* As lx_filter_build in the query languages of o (shared with
 * related.c). */
int lx_search_filter(lx_searcher *s, const lx_search_opts *o, lx_error *err);

/* Every live lecture in b (each has exactly one language); 0 or the
 * sticky error. */
int lx_filter_live(lx_searcher *s, uint64_t *b);
#endif
