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
void resjson_write(jsonw *w, int related, const char *subject, const lx_results *r, unsigned limit,
                   unsigned offset, unsigned facets, size_t took[2]);
#endif
