/* facet.h -- tag and language facet counts over a set of matched
 * lectures (internal). */
#ifndef LX_FACET_H
#define LX_FACET_H
#include "searcher.h"

/* The `limit` most frequent tags (*tf) and languages (*lf) among the
 * lectures in matched (a bitmap over docids), by count descending then
 * value.  Each value is an offset into keys (cast to a pointer), where
 * the NUL-terminated names are appended.  The caller frees *tf and *lf.
 * Returns 0 or the sticky error (LX_ENOMEM, LX_EIO, LX_ECORRUPT). */
int lx_facets_count(lx_searcher *s, const uint64_t *matched, unsigned limit, lx_buf *keys,
                    lx_facet **tf, size_t *ntf, lx_facet **lf, size_t *nlf);

/* qsort order of facets: count descending, then value. */
int lx_facet_cmp(const void *a, const void *b);
#endif
