/* plan.h -- the query plan: which languages a query is stemmed in, and
 * its clauses as cursors for lx_topk (internal). */
#ifndef LX_PLAN_H
#define LX_PLAN_H
#include "qlang.h"
#include "searcher.h"

/* What one search makes of its parsed query (s->q). */
typedef struct lx_plan {
    int langs[LX_MAX_LANGS]; /* stemmer indexes of the query languages */
    int nl;
    char stop[LX_MAX_QUERY_TERMS]; /* clause i is a lone stopword */
    int content;                   /* scored clauses that are not stopwords */
    int positive;                  /* scored clauses (neither excluded nor a filter) */
    int nclauses;                  /* clauses that got cursors (for the coord factor) */
    int nscored;                   /* cursors for them; tag boosts follow in s->qc */
    int phrase;                    /* a scored clause is a phrase: tag boosts rank the
                                      lectures that match and bring in none */
    lx_qlang ql;                   /* the query's language (qlang.c) */
    int cross;                     /* translate into the index's other languages */
    int prefix_clause;             /* the clause completed as a prefix (fuzzy.c), -1 none */
    int typos;                     /* absent words are corrected (fuzzy.c) */
    int question;                  /* the query asks a question: no all-terms-first */
} lx_plan;

/* The query languages: those asked (the lang option, lang: in the query)
 * that the index has, else every language in the index.  Fills idx
 * (LX_MAX_LANGS) and returns the count. */
int lx_plan_langs(lx_searcher *s, const lx_search_opts *o, int *idx);

/* The languages, stopword flags and clause counts of s->q. */
void lx_plan_init(lx_searcher *s, const lx_search_opts *o, lx_plan *pl);

/* ORs into b every doc that clause cl matches in field (-1: any), as a
 * phrase when it is one.  Returns 0, LX_ELIMIT when the cursors are
 * exhausted (sticky error not set), or the sticky error.  The walk is
 * charged to s->work; when the work is cut (s->work.cut), b lacks some of
 * the clause's docs. */
int lx_plan_clause_mark(lx_searcher *s, const lx_qclause *cl, const int *langs, int nl, int field,
                        uint64_t *b);

/* Fresh cursors in s->qc for the scored clauses (lone stopwords left out
 * when other words remain), the tag boosts and the all-terms-first
 * bonus; sets pl->nclauses and pl->nscored.  Returns 0, LX_ELIMIT (too
 * many terms) or an I/O, corruption or memory error, err filled either
 * way (sticky). */
int lx_plan_scored(lx_searcher *s, const lx_rank_params *p, lx_plan *pl);

/* Adds to s->qc a cursor on term's list for clause (an id as in
 * lx_qcur.clause) with query weight qweight: typo corrections, completions
 * and translations are extra cursors of their word's clause weighing less.
 * Returns 1, 0 when the term is absent, LX_ELIMIT when s->qc is full
 * (sticky error not set), or the sticky error. */
int lx_plan_add_term(lx_searcher *s, int clause, const char *term, size_t len, double qweight);

/* Lectures with term t: 0 when absent, or with the sticky error set when
 * its list cannot be read. */
uint32_t lx_plan_term_df(lx_searcher *s, const char *t, size_t n);

/* Adds the cursors of clause ci of s->q (as lx_plan_scored does, clause
 * id clause_id); returns how many (0: its words are absent), LX_ELIMIT, or
 * the sticky error. */
int lx_plan_word_cursors(lx_searcher *s, const lx_plan *pl, int ci, int clause_id);

/* The docs that the query matches, in b: those of any cursor of s->qc,
 * but with pl->phrase only those of the clauses' cursors (not the tag
 * boosts).  The cursors stay where they are: copies are walked.  Returns
 * 0 or the sticky error.  Each walk is charged to s->work; once it is cut
 * (s->work.cut), b is a subset of the docs matched. */
int lx_plan_match_set(lx_searcher *s, const lx_plan *pl, uint64_t *b);

/* The docids the last lx_plan_match_set of this call decoded of the list
 * whose value is val (a term's, as the store gives it in this
 * transaction): every one, checked, in order (lx_pcursor_known); NULL when
 * it did not walk that list whole.  s is the searcher (a callback's
 * context). */
const uint32_t *lx_plan_known(void *s, const void *val);

/* Keeps the planned cursors s->qc[0..nqc) as they stand, in s->qsave,
 * each posting cursor a copy from the pool; lx_plan_restore puts them
 * back once s->qc has been walked (or grouped): the query ranked again
 * from its first posting without planning it again (term lookups,
 * translations, tag boosts).  0 or the sticky error. */
int lx_plan_save(lx_searcher *s);
void lx_plan_restore(lx_searcher *s);

/* Adds a cursor for clause clause_id on the stems terms[0..n) (a term
 * when n is 1, else a phrase) with query weight qweight, matching only
 * the lectures of language s->langs[lang] (a translation into it: an
 * LX_QK_LTERM, or a phrase restricted alike), or every lecture when lang
 * is -1.  Returns 1 when added, 0 when a stem is absent from the index
 * (or the language has no lecture), LX_ELIMIT when s->qc is full, or the
 * sticky error.  (Expansions of a clause: translations, corrected
 * words.) */
int lx_plan_add_terms(lx_searcher *s, int clause_id, char (*terms)[LX_TOKEN_BUF],
                      const size_t *tlen, int n, double qweight, int lang);
int lx_plan_add_term(lx_searcher *s, int clause, const char *term, size_t len, double qweight);

/* Whether any cursor of s->qc found its list damaged: 0 or the sticky
 * error. */
int lx_plan_check(lx_searcher *s);
#endif
