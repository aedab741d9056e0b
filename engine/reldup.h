/* reldup.h -- related lectures: what makes two lectures the same
 * (internal; near-duplicates are dropped from a related page). */
#ifndef LX_RELDUP_H
#define LX_RELDUP_H
#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Whether two titles or names are the same text: ASCII case and the
 * amount of white space do not count. */
int lx_rel_same_text(const char *a, size_t an, const char *b, size_t bn);
/* Whether a stored lecture's speaker is the non-empty name spk: 1 or 0,
 * LX_ENOMEM when its meta cannot be parsed. */
int lx_rel_same_speaker(const lx_docview *v, const char *spk, size_t spklen);
/* A lecture's length in tokens in field f, and over all its fields, from
 * the norms (nn lectures). */
uint32_t lx_rel_field_length(const uint32_t *norms, uint32_t nn, uint32_t d, int f);
uint64_t lx_rel_doc_length(const uint32_t *norms, uint32_t nn, uint32_t d);
#endif
