/* resbuild.h -- assembling a page of results: each hit's stored fields,
 * snippet and shared tags/terms, then the facets, into one lx_results
 * allocation (internal; used by search.c and related.c). */
#ifndef LX_RESBUILD_H
#define LX_RESBUILD_H
#include "searcher.h"

typedef struct lx_resbuild lx_resbuild;

/* A builder for at most n hits; NULL when out of memory. */
lx_resbuild *lx_resbuild_new(size_t n);

/* Adds doc as the next hit, copying its strings into b's arena; with
 * snippets, the snippet from s->snip (see lx_snippet_hit).  Returns 0,
 * LX_ENOMEM, LX_EINVAL (more than n hits), LX_EFORMAT, LX_EIO,
 * LX_ECORRUPT (also when doc is not stored). */
int lx_resbuild_hit(lx_resbuild *b, lx_searcher *s, uint32_t doc, double score, int snippets,
                    const char *const *shared_tags, size_t n_shared_tags,
                    const char *const *shared_terms, size_t n_shared_terms);

/* lx_resbuild_hit for hits[0..n) in turn, without shared tags or terms;
 * each group of hits' records is found, then read, before any is added,
 * so that their cache misses overlap.  Returns as lx_resbuild_hit does,
 * the first hit's error in order. */
int lx_resbuild_hits(lx_resbuild *b, lx_searcher *s, const lx_scored *hits, uint32_t n,
                     int snippets);

/* The page: counts facets over the matched bitmap when `facets` > 0,
 * keeping that many values per facet (UINT_MAX: all); t0 is when the
 * call began (lx_now_ms).  Returns 0, LX_ENOMEM, or a facet's read
 * error. */
int lx_resbuild_finish(lx_resbuild *b, lx_searcher *s, const uint64_t *matched, uint64_t total,
                       unsigned facets, double t0, lx_results **out);
void lx_resbuild_free(lx_resbuild *b);
#endif
