/* tagboost.h -- a run of query words that names a topic tag boosts the
 * lectures with that tag; the keys are tagstem.h's, as the writer's (internal). */
#ifndef LX_TAGBOOST_H
#define LX_TAGBOOST_H
#include "lectern.h"
#include "stem.h"
#include "tagstem.h"

/* Adds a LX_QK_DOCS cursor to s->qc, weighing boost, for each tag (at
 * most LX_MAX_TAG_BOOSTS) that a run of up to four scored query words
 * names under one of the query languages langs[0..nl), or names by one
 * of its topic labels in qlang (the query's language; NULL or "" for
 * none) when qlang is among langs.  Returns 0 or the
 * sticky error (an I/O error or out of memory while loading the tag
 * forms or a tag's lectures). */
int lx_tag_boosts(lx_searcher *s, const int *langs, int nl, const char *qlang, double boost);
#endif
