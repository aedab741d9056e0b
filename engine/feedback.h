/* feedback.h -- pseudo-relevance feedback (internal). */
#ifndef LX_FEEDBACK_H
#define LX_FEEDBACK_H
#include "searcher.h"

/* Adds weighted TERM cursors to s->qc for the terms that best describe
 * the top documents of a first pass (RM3-style).  top is best first.
 * Returns how many cursors were added, or the sticky error (a lecture or
 * a term's list that cannot be read, LX_ECORRUPT, LX_ENOMEM). */
int lx_feedback_expand(lx_searcher *s, const lx_rank_params *p, const lx_scored *top, uint32_t n);
#endif
