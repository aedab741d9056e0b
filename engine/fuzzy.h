/* fuzzy.h -- typo tolerance and completion of the last word, over the
 * index's vocabulary of words as written (store.c, "words") (internal).
 *
 * A query word whose term the index lacks (in every query language) is
 * corrected: the words within its allowed Damerau-Levenshtein distance
 * become extra cursors of the same clause, weighing less than an exact
 * word.  The last word of a query, when its term is absent too, is first
 * completed as a prefix.  Words the index has are never touched, so exact
 * queries keep their results. */
#ifndef LX_FUZZY_H
#define LX_FUZZY_H
#include "plan.h"

/* Typos a word may have: none under 5 letters or with a digit, 1 for 5-8
 * letters, 2 from 9 (Meilisearch's rule; a swap of two letters is one). */
int lx_fuzzy_max_typos(const char *tok, size_t len);

/* Damerau-Levenshtein (optimal string alignment) distance of a and b when
 * at most max, else max + 1. */
int lx_fuzzy_distance(const char *a, size_t na, const char *b, size_t nb, int max);

/* For clause ci of s->q, whose exact cursors are s->qc[from..from+had):
 * when it is pl->prefix_clause, a word the vocabulary lacks as typed, its
 * completions replace them; else when had is 0 (the index lacks its term)
 * its corrections are added, and recorded in s->fix.  Returns the clause's
 * cursors now, or the sticky error. */
int lx_fuzzy_clause(lx_searcher *s, const lx_plan *pl, int ci, int clause_id, int from, int had);

/* Sets res->did_you_mean and res->corrections from s->fix: query (the
 * string s->q was parsed from) with each corrected word's chunk replaced.
 * Returns 0 or LX_ENOMEM. */
int lx_fuzzy_results(const lx_searcher *s, const char *query, lx_results *res);

/* One word of the vocabulary found by lx_fuzzy_complete. */
typedef struct lx_fuzzy_word {
    const char *word; /* into the map, valid while the transaction is */
    size_t len;
    uint32_t df; /* lectures with its term */
} lx_fuzzy_word;

/* Up to cap words of the vocabulary (in the languages langs[0..nl) of
 * s->stem, all when nl is 0) that start with tok, the most frequent
 * first, one per term; *n gets how many.  Returns 0 or the sticky error. */
int lx_fuzzy_complete(lx_searcher *s, const char *tok, size_t len, const int *langs, int nl,
                      lx_fuzzy_word *out, int cap, int *n);
#endif
