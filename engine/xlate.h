/* xlate.h -- cross-language search: a query word's translations into the
 * index's other languages as extra cursors of the same clause, weighing
 * less than the word itself (internal). */
#ifndef LX_XLATE_H
#define LX_XLATE_H
#include "plan.h"

/* Query weight of a word's best translation into a language (xlate.c:
 * the others weigh less by their evidence, and each has the idf of the
 * word's translations as a group).  Chosen on tests/eval/topics. */
#define LX_XLATE_WEIGHT 0.4
#define LX_XLATE_PER_LANG 4     /* translations kept per word and language */
#define LX_XLATE_MIN_SHARE 0.3  /* ... with at least this share of the best's evidence */
#define LX_XLATE_PIVOT_SENSES 4 /* senses followed per step through a pivot */
#define LX_XLATE_IDF_CAP 2.0    /* a common sense's weight grows at most this much */
#define LX_XLATE_BACK 6         /* candidates per word and language translated back */
#define LX_XLATE_BACK_FLOOR 0.5 /* evidence kept by a candidate that never leads back */

/* Forgets the translations recorded for the last plan. */
void lx_xlate_reset(lx_searcher *s);

/* Whether $LECTERN_XLATE_TRACE is 1 (read once: a search asks twice). */
int lx_xlate_trace_on(void);

/* Adds cursors (clause clause_id) for the translations of clause cl from
 * pl->ql.code into each index language other than it, through every
 * installed pair and English as the pivot, splitting a compound the
 * dictionaries lack into two headwords.  Returns 0, LX_ELIMIT or the
 * sticky error. */
int lx_xlate_clause(lx_searcher *s, const lx_plan *pl, const lx_qclause *cl, int clause_id);

/* Fills r's hits' via lists (the translations each hit contains) and
 * r->query_lang*; 0 or LX_ENOMEM. */
int lx_xlate_results(lx_searcher *s, const lx_plan *pl, const uint32_t *docs, lx_results *r);

/* Share of the query's scored words that had a translation (0..1), -1
 * when nothing was to be translated. */
double lx_xlate_coverage(lx_searcher *s);
#endif
