/*
 * peoplejson.h -- lecturers and tag suggestions as the API's JSON
 * (peoplejson.c), written for lectern-server and for `lectern lecturers
 * --json` and `lectern suggest-tags --json`, which print the same body.
 */
#ifndef LECTERN_PEOPLEJSON_H
#define LECTERN_PEOPLEJSON_H
#include "jsonw.h"
#include "lectern.h"

/* Lectures listed per lecturer (the best of their evidence). */
#define PEOPLEJSON_LECTURES LX_LECTURER_SNIPPETS

/* {"query", "total", "took_ms", "limit", "offset", "results": [{"name",
 * "key", "score", "lectures": [{"id", "title", "score", "snippet"}],
 * "n_lectures", "institutions", "languages", "tags": [{"tag",
 * "count"}]}]}; a profile (profile = 1) is the one lecturer object with
 * every lecture. */
void peoplejson_write(jsonw *w, const char *query, const lx_lecturers *l, unsigned limit,
                      unsigned offset, int profile);

/* {"id", "tags": [{"tag", "confidence", "curated"}]} */
void peoplejson_suggestions(jsonw *w, const char *id, const lx_tag_suggestion *t, size_t n);
#endif
