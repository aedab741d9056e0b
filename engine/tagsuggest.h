/* tagsuggest.h -- what the two tag-suggestion paths share (internal):
 * lx_suggest_tags (one lecture, tagsuggest.c) and
 * lx_suggest_tags_untagged (every untagged lecture at once, tagknn.c). */
#ifndef LX_TAGSUGGEST_H
#define LX_TAGSUGGEST_H
#include <cjson/cJSON.h>

/* A neighbour's weight in the vote: (score / best score)^LX_SUGGEST_POW
 * (measured: tests/eval/tagsuggest/README.md). */
#define LX_SUGGEST_POW 2.0

/* The curated tags of a stored meta as a cJSON array the caller deletes,
 * or NULL when it has none (*oom set when out of memory). */
cJSON *lx_meta_tags(const char *meta, int *oom);

/* Whether a stored meta has no curated tags ("tags" absent or empty). */
int lx_meta_untagged(const char *meta);
#endif
