/* feedback.h -- pseudo-relevance feedback (internal). */
#ifndef LX_FEEDBACK_H
#define LX_FEEDBACK_H
#include "searcher.h"

/* Adds weighted TERM cursors to s->qc for the terms that best describe
 * the top documents of a first pass (RM3-style).  top is best first.
 * Returns how many cursors were added. */
int lx_feedback_expand(lx_searcher *s, const lx_rank_params *p, const lx_scored *top, uint32_t n);
#endif
