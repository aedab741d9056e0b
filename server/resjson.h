/*
 * resjson.h -- a page of search or related results as the API's JSON
 * (resjson.c), used by lectern-server and by `lectern search/related
 * --json`, which print the same body for the same answer.
 */
#ifndef LECTERN_RESJSON_H
#define LECTERN_RESJSON_H
#include "jsonw.h"
#include "lectern.h"

/* Facet values listed per facet when the request does not say (facets=,
 * --facets). */
#define RESJSON_DEFAULT_FACETS 20

/* Writes the answer object: {"query"|"id": subject, "total", "took_ms",
 * "limit", "offset", "results", "facets"}; related hits also carry
 * shared_tags and shared_terms.  At most `facets` values of each facet
 * are listed.  took receives the span of the took_ms value in w (the
 * response cache rewrites it). */
/* "snippet": {"text", "field", "start"} of hit h, or null. */
void resjson_snippet(jsonw *w, const lx_hit *h);

/* key: [{name: value, "count": n}, ...] for f[0..n). */
void resjson_counts(jsonw *w, const char *key, const char *name, const lx_facet *f, size_t n);

void resjson_write(jsonw *w, int related, const char *subject, const lx_results *r, unsigned limit,
                   unsigned offset, unsigned facets, size_t took[2]);

/* As resjson_write, and hit i of a search carries "moments" (its best
 * moments, resjson_moment_list) when moments[i] is not NULL (moments
 * itself may be NULL: none). */
void resjson_write_moments_of(jsonw *w, int related, const char *subject, const lx_results *r,
                              unsigned limit, unsigned offset, unsigned facets, size_t took[2],
                              lx_moments *const *moments);

/* The list [{"start", "end", "text", "score"}, ...] of m (times null when
 * untimed). */
void resjson_moment_list(jsonw *w, const lx_moments *m);

/* The moments answer: {"id", "query", "total", "timed", "span",
 * "density": [LX_MOMENT_BINS counts], "moments": [...]}. */
void resjson_moments(jsonw *w, const char *id, const char *query, const lx_moments *m);
#endif
