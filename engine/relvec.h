/* relvec.h -- each lecture's related-term vector, written at index time
 * so that related lectures need not tokenise the lecture again
 * (internal; see relvec.c). */
#ifndef LX_RELVEC_H
#define LX_RELVEC_H
#include <stdint.h>

#include "text.h"
#include "wstate.h"

/* Terms a vector holds at most: the REL_TERMS (60) a related call selects,
 * and a few more for the collection's statistics moving after the write. */
#ifndef REL_VEC_K
#define REL_VEC_K 64
#endif
/* A lecture with at least this many terms weighing REL_MIN_WTF keeps only
 * those in the batch's memory (the others could only fill a short
 * lecture's query). */
#define REL_VEC_KEEP 256
#define LX_RELVEC_VERSION 1

/* Drops the light terms of a lecture's n entries when it has enough heavy
 * ones; returns the count kept (in place, order kept). */
uint32_t lx_relvec_trim(relv_ent *e, uint32_t n);

/* Writes the vectors of the batch's lectures, with the document
 * frequencies the batch knows (a build: the batch's own; else the
 * index's, after the batch's lists are merged), and empties the batch's
 * entries.  Call before the accumulators are freed.  0 or an LX_E* code,
 * err filled. */
int lx_relvec_flush(lx_writer *w, lx_error *err);

/* One term of a stored vector. */
typedef struct lx_relvec_term {
    const char *term; /* in the value */
    uint32_t tl;
    char form[LX_TOKEN_BUF]; /* the token shown to people, NUL-terminated */
    uint32_t flen;
    uint32_t tf[LX_NFIELDS]; /* speaker: 0 */
} lx_relvec_term;

/* Checks a vector's header: 0, or -1 (another version: not usable); *p
 * moves past it. */
int lx_relvec_open(const uint8_t **p, const uint8_t *end);
/* The next term: 1, 0 at the end, -1 when the value is damaged. */
int lx_relvec_next(const uint8_t **p, const uint8_t *end, lx_relvec_term *t);
#endif
