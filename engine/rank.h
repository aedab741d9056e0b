/* rank.h -- BM25F scoring and top-k retrieval with MaxScore pruning over
 * block-max posting lists (internal).
 *
 * The ranking arithmetic lives here once: the named weights and constants,
 * the inline BM25F kernel (length normalisation, pseudo-frequency,
 * saturation, idf) and the top-k heap.  Search (rank.c), related lectures
 * and feedback all score with these, so a lecture's score for the same
 * terms is the same number whichever path computes it. */
#ifndef LX_RANK_H
#define LX_RANK_H
#include <math.h>
#include <stdint.h>

#include "heap.h"
#include "lectern.h"
#include "postings.h"

/* ---- weights and constants ------------------------------------------------ */

/* Default ranking parameters (lx_rank_params_default), chosen by
 * measurement on Cranfield (tests/eval/README.md): field weights and b of
 * title, tags, speaker, description, transcript; k1.  Tags and speaker
 * have no Cranfield signal: a tag or a name counts like a title word at
 * most. */
#define LX_RANK_WEIGHTS                                                                            \
    { 3.0, 1.5, 0.5, 1.0, 1.0 }
#define LX_RANK_B                                                                                  \
    { 0.75, 0.3, 0.3, 0.5, 0.75 }
#define LX_RANK_K1 1.8
/* Weight of a query term naming a tag, in units of LX_TAG_BOOST_SCALE *
 * (k1 + 1) * idf(tag) (lx_tag_boost_weight). */
#define LX_RANK_TAG_BOOST 0.5
/* Exponent of the matched-clauses factor; 0 = off. */
#define LX_RANK_COORD 0.0
/* Queries of 2 to this many scored words rank lectures with every word
 * first (lx_all_terms_bonus). */
#define LX_RANK_ALL_TERMS_FIRST 4
/* Pseudo-relevance feedback (feedback.c): documents read, terms added,
 * their weight, and the fewest content words of a query that uses it. */
#define LX_RANK_FEEDBACK_DOCS 10
#define LX_RANK_FEEDBACK_TERMS 30
#define LX_RANK_FEEDBACK_WEIGHT 0.8
#define LX_RANK_FEEDBACK_MIN_TERMS 7

/* A tag boost's share of (k1 + 1) * idf(tag) per unit of tag_boost. */
#define LX_TAG_BOOST_SCALE 0.5
/* The all-terms-first bonus exceeds the sum of every cursor's bound by at
 * least this much (then rounded up to a whole number). */
#define LX_ALL_TERMS_MARGIN 1.0
/* A length normalisation never below this (b > 1 could make it 0). */
#define LX_MIN_NORM 1e-9
/* Bounds are inflated by this factor so rounding never prunes a winner.
 * A score multiplies by the float length factors of lx_scorer.invb, a
 * bound by the same factor in double: rounding to float may raise a
 * factor by 2^-24 (6e-8) of itself, so the margin must exceed that. */
#define LX_BOUND_SAFETY (1.0 + 1e-6)

/* Related lectures (related.c): k1 of the candidates' scores (a long query
 * wants a near-linear tf), the exponent of a term's relative significance
 * in its query weight, and the weight of a shared tag in units of
 * (k1 + 1) * idf(tag).  Chosen on the TED talks by tag-overlap nDCG@10
 * (tests/eval/related/README.md); tuning builds override them with -D. */
#ifndef REL_K1
#define REL_K1 10.0
#endif
#ifndef REL_QPOW
#define REL_QPOW 0.5
#endif
#ifndef REL_TAG_W
#define REL_TAG_W 0.5
#endif

/* lx_topk scores a union list by list into an accumulator a lecture when
 * the index has at most this many docids (LX_TAAT_MAX_DOCS doubles, 1
 * MiB, a searcher). */
#define LX_TAAT_MAX_DOCS 16384

/* What scoring needs of the collection, per snapshot and parameters. */
typedef struct lx_scorer {
    const float *invb;  /* [doc][f]: weight_f / (1 - b_f + b_f len_f / avg_f) */
    uint32_t ndocs_map; /* docids covered by invb */
    /* lx_topk's and lx_topk_and's accumulator, a score per docid below
     * ndocs_map, and two bitmaps of as many bits after one another (the
     * docids scored, a list's docids): all zero between calls (NULL:
     * none, the index past LX_TAAT_MAX_DOCS or no memory) */
    double *acc;
    uint64_t *accbits;
    double k1;
    double fw[LX_NFIELDS];  /* field weights */
    double fb[LX_NFIELDS];  /* b per field */
    double avg[LX_NFIELDS]; /* average field lengths */
    double N;               /* live lectures */
} lx_scorer;

/* ---- the work budget ----------------------------------------------------------- */

/* What one query has spent, in work units that are cheap to count and the
 * same on every run (lectern.h's LX_WORK_BUDGET_DEFAULT says what a unit
 * is).  A step that finds used past stop sets cut and stops early with
 * the exact part of its answer it has; the caller clears cut and marks
 * its answer partial.  Steps whose answer may be partial lower stop to a
 * share of what is left, so the ranking always keeps the rest. */
typedef struct lx_work {
    uint64_t used;  /* units spent so far */
    uint64_t stop;  /* the current step stops once used passes it */
    uint64_t limit; /* the query's budget (UINT64_MAX: none) */
    int cut;        /* a step stopped early */
} lx_work;

/* A budget of limit units (UINT64_MAX: none; it only counts). */
static inline void lx_work_init(lx_work *w, uint64_t limit) {
    w->used = 0;
    w->stop = w->limit = limit;
    w->cut = 0;
}

/* The default budget of a search over ndocs live lectures (lectern.h:
 * LX_WORK_PER_LECTURE each, at least LX_WORK_BUDGET_DEFAULT). */
static inline uint64_t lx_work_default(uint64_t ndocs) {
    uint64_t b = ndocs * LX_WORK_PER_LECTURE;
    return b > LX_WORK_BUDGET_DEFAULT ? b : LX_WORK_BUDGET_DEFAULT;
}

/* Spends units; returns nonzero once the step is cut (now or before). */
static inline int lx_work_spend(lx_work *w, uint64_t units) {
    w->used += units;
    w->cut |= w->used > w->stop;
    return w->cut;
}

/* Lets the next step spend half of what is left (lx_work_end ends it). */
static inline void lx_work_share(lx_work *w) {
    w->stop = w->used < w->limit ? w->used + (w->limit - w->used) / 2 : w->used;
}

/* Ends a step: the whole budget applies again; returns whether the step
 * was cut (and clears it). */
static inline int lx_work_end(lx_work *w) {
    int cut = w->cut;
    w->stop = w->limit;
    w->cut = 0;
    return cut;
}

/* LX_QK_OR: a clause's cursors as one (lx_qcur_group), Xapian's
 * OP_SYNONYM for the all-terms-first bonus: the word, its stems in other
 * languages, its translations and corrections match as one word.
 * LX_QK_LTERM: a term matched only in the lectures of one language (a
 * translation into it: "but" as French for "goal" is no match in an
 * English lecture that says "but"); the language's list drives when it
 * is the shorter (its docs sought in the term's list, galloping), else
 * the term's list, each doc checked in the language's bitmap, so it
 * costs about the shorter of the two.  A PHRASE whose ldocs is set is
 * restricted alike (its words and the language's list in turn). */
enum { LX_QK_TERM, LX_QK_PHRASE, LX_QK_DOCS, LX_QK_OR, LX_QK_LTERM };

#define LX_MAX_PHRASE_MEMBERS LX_MAX_PHRASE_WORDS
/* Cursors one query may open (clauses x stems per language, tag boosts). */
#define LX_MAX_CURSORS 256

/* One scored (or matched) query cursor. */
typedef struct lx_qcur {
    int kind;         /* LX_QK_* */
    int clause;       /* for the matched-clauses factor; -1 = does not count */
    double w;         /* TERM: idf * (k1 + 1) * query weight; DOCS: the score */
    double ub;        /* upper bound of one document's contribution */
    double bonus;     /* added when the cursor matches (all-terms-first) */
    uint32_t bb_last; /* cached window bound: valid for docs <= bb_last */
    double bb_ub;
    int bb_valid;
    uint32_t doc;   /* current doc, LX_DOC_END when done */
    lx_work *work;  /* PHRASE: charged per doc tried; when cut, the cursor
                       ends (NULL: not counted) */
    lx_pcursor *pc; /* TERM, LTERM */
    /* LTERM, PHRASE (NULL: every lecture): the lectures of the cursor's
     * language, u32 docids ascending, nldocs of them; li the place of the
     * first not before the last doc sought */
    const uint8_t *ldocs;
    uint32_t nldocs, li;
    /* LTERM whose list is the shorter: its language's lectures as a
     * bitmap, each of its docs checked there (NULL: walked in turn) */
    const uint64_t *lbits;
    /* PHRASE */
    int nmem;
    int field;     /* -1: any field */
    int unchecked; /* doc has all its words, not yet checked as a phrase (in a
                      group, at or past the group's doc; in a lazy one, anywhere) */
    /* The index languages (a bit per place in lx_searcher.langs) whose
     * lectures it may match: a translation's one, a word's from its lists
     * per language (plan.c); 0: any.  A lecture has one language, so the
     * cursors of a language whose lectures cannot enter the top k can
     * stop (lx_topk_and). */
    uint32_t langs;
    lx_pcursor *mem[LX_MAX_PHRASE_MEMBERS];
    double mw[LX_MAX_PHRASE_MEMBERS];
    /* DOCS: u32 docids */
    const uint8_t *docs;
    uint32_t ndocs, i;
    /* OR: its members (TERM or PHRASE cursors without a bonus of their
     * own), sub[0..nsub) */
    struct lx_qcur *sub;
    int nsub;
    /* OR: its phrases are left unchecked where their words meet, so its
     * doc is only a lower bound of its next match until lx_qcur_holds
     * says (lx_topk_and's required groups: a phrase is checked only where
     * every other word of the query is) */
    int lazy;
    /* OR: ahead_bound's sum of the bonus and the bounds of the members at
     * or before d (rank.c), kept for d in [ab_d, ab_until) while the
     * group stands on ab_doc (its members move only when its doc does)
     * and the window's bounds hold (ab_valid: cleared with a new one) */
    int ab_valid;
    uint32_t ab_doc, ab_d, ab_until;
    double ab_b;
} lx_qcur;

/* ---- the BM25F kernel ------------------------------------------------------- */

/* IDF of a term in df of N lectures (BM25's, never negative). */
static inline double lx_idf(double N, double df) {
    return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

/* A field's length normalisation 1 - b + b len / avg (never 0 or less:
 * LX_MIN_NORM). */
static inline double lx_bm25f_norm(double b, double len, double avg) {
    double norm = 1.0 - b + b * len / avg;
    return norm > 0 ? norm : LX_MIN_NORM;
}

/* The pseudo-frequency of a posting: sum over the fields in mask of
 * tf_f * ib[f], ib being the document's row of lx_scorer.invb
 * (weight_f / norm_f).  Only the fields the document has the term in are
 * visited; a zero tf would add an exact 0. */
static inline double lx_bm25f_tf(const uint32_t *tf, const float *ib, unsigned mask) {
    double t = 0;
    while (mask) {
        int f = __builtin_ctz(mask);
        mask &= mask - 1;
        t += tf[f] * (double)ib[f];
    }
    return t;
}

/* BM25's saturation of a pseudo-frequency, tf / (k1 + tf): below 1. */
static inline double lx_bm25f_sat(double k1, double tf) {
    return tf / (k1 + tf);
}

/* BM25's saturation of a pseudo-frequency: w tf / (k1 + tf), w being the
 * term's idf * (k1 + 1) * query weight. */
static inline double lx_bm25f_term(double w, double k1, double tf) {
    return w * lx_bm25f_sat(k1, tf);
}

/* Postings ahead of the one scored whose docs' length factors (the
 * scorer's invb) are fetched into the cache beforehand: on a large index
 * they lie in memory (20 MiB at a million lectures), and the docs a list
 * visits are far apart. */
#define LX_INVB_AHEAD 8

/* The pseudo-frequency of a cursor's current posting. */
static inline double lx_pcursor_bm25f_tf(const lx_scorer *sc, lx_pcursor *pc) {
    /* A row decoded already (lx_pcursor_tf decodes a few ahead) without
     * the call. */
    const uint32_t *tf = pc->i < pc->tf_upto ? pc->tf[pc->i] : lx_pcursor_tf(pc);
    const float *ib = sc->invb + (size_t)pc->doc * LX_NFIELDS;
    if (pc->i + LX_INVB_AHEAD < pc->n)
        __builtin_prefetch(sc->invb + (size_t)pc->docs[pc->i + LX_INVB_AHEAD] * LX_NFIELDS);
    if (pc->nlf == 1) {
        int f = __builtin_ctz(pc->listmask);
        return tf[f] * (double)ib[f];
    }
    return lx_bm25f_tf(tf, ib, pc->maskp[pc->i] & pc->listmask);
}

/* A TERM cursor's (or phrase member's) weight w: idf * (k1 + 1) * the
 * query weight qw. */
static inline double lx_bm25f_weight(double idf, double k1, double qw) {
    return idf * (k1 + 1) * qw;
}

/* The weight of a boost for a tag of df lectures (search). */
static inline double lx_tag_boost_weight(const lx_scorer *sc, double boost, double df) {
    return boost * (sc->k1 + 1) * lx_idf(sc->N, df) * LX_TAG_BOOST_SCALE;
}

/* The all-terms-first bonus of each word's cursor, given the sum of every
 * cursor's bound: more than all BM25F parts together, so lectures order by
 * words matched, then by score. */
static inline double lx_all_terms_bonus(double sum_bounds) {
    return ceil(sum_bounds + LX_ALL_TERMS_MARGIN);
}

/* The score a shared tag of df lectures adds to a related lecture, k1 the
 * related scores' (REL_K1). */
static inline double lx_rel_tag_weight(double k1, double N, double df) {
    return REL_TAG_W * (k1 + 1) * lx_idf(N, df);
}

/* Upper bound of the pseudo-frequency from a bound. */
double lx_bound_tf(const lx_scorer *sc, const lx_bound *b);

/* Initialises the bound and position of a cursor (after kind-specific
 * fields are set). */
void lx_qcur_start(lx_qcur *c, const lx_scorer *sc);
void lx_qcur_advance(lx_qcur *c, uint32_t target);
void lx_qcur_next(lx_qcur *c);
double lx_qcur_score(lx_qcur *c, const lx_scorer *sc);
/* Moves PHRASE cursor c to the first doc >= target where it matches, or
 * to the first at or past limit where all its words occur, left
 * unchecked (lx_qcur.unchecked): limit = target checks none, target + 1
 * the target only. */
void lx_qcur_phrase_seek(lx_qcur *c, uint32_t target, uint32_t limit);
/* Whether cursor c, standing on its doc, matches it: 1 but for a lazy
 * OR cursor whose only members there are phrases left unchecked, none
 * of which matches; that one is moved past its doc (0). */
int lx_qcur_holds(lx_qcur *c);

/* The kept saturations of pc's postings for scorer sc (termbits.c
 * computes them with lx_pcursor_sat), or NULL. */
static inline const double *lx_pcursor_sats(const lx_pcursor *pc, const lx_scorer *sc) {
    return pc->kept_of == (const void *)sc ? pc->kept.sat : NULL;
}

/* Their largest per block (pc->kept.bmax), or NULL. */
static inline const double *lx_pcursor_bmaxs(const lx_pcursor *pc, const lx_scorer *sc) {
    return pc->kept_of == (const void *)sc ? pc->kept.bmax : NULL;
}

/* The saturation of a cursor's current posting, decoded (what a kept
 * one holds: the same operations on the same values). */
static inline double lx_pcursor_sat(const lx_scorer *sc, lx_pcursor *pc) {
    return lx_bm25f_sat(sc->k1, lx_pcursor_bm25f_tf(sc, pc));
}

/* The BM25F part of a TERM cursor's or phrase member's score: from its
 * posting's kept saturation when it has one, w * sat either way. */
static inline double lx_term_part(const lx_scorer *sc, double w, lx_pcursor *pc) {
    if (pc->kept_of == (const void *)sc) /* set only with kept.sat */
        return w * pc->kept.sat[(size_t)pc->bi * LX_BLOCK + pc->i];
    return lx_bm25f_term(w, sc->k1, lx_pcursor_bm25f_tf(sc, pc));
}

/* The saturation below which a posting's pseudo-frequency is surely below
 * T (T >= 0; HUGE_VAL: every one): a hair low, so that a posting
 * whose saturation is below it is one lx_pcursor_skip_weak with T would
 * walk past too (the division may round either way by an ulp). */
static inline double lx_sat_below(double k1, double T) {
    if (T == HUGE_VAL)
        return HUGE_VAL;
    return lx_bm25f_sat(k1, T) * (1 - 1e-12);
}

/* lx_qcur_advance and lx_qcur_score with a TERM cursor's case inline, for
 * the loops that call them once a posting (a group's members, lx_topk's
 * candidates, lx_topk_and's intersection). */
static inline void lx_qcur_seek(lx_qcur *c, uint32_t target) {
    if (c->kind != LX_QK_TERM) {
        /* A translation mostly stands past the target: no call then. */
        if (c->kind != LX_QK_LTERM || c->doc < target)
            lx_qcur_advance(c, target);
    } else if (c->doc != LX_DOC_END && c->doc < target) {
        lx_pcursor_seek(c->pc, target);
        c->doc = c->pc->doc;
    }
}

static inline double lx_qcur_part(lx_qcur *c, const lx_scorer *sc) {
    return c->kind == LX_QK_TERM ? c->bonus + lx_term_part(sc, c->w, c->pc) : lx_qcur_score(c, sc);
}

typedef struct lx_scored {
    double score;
    uint32_t doc;
} lx_scored;

/* ---- the top-k heap ---------------------------------------------------------- */

/* Whether a is to be evicted before b: lower score, then higher docid. */
static inline int lx_scored_worse(const void *ctx, const lx_scored *a, const lx_scored *b) {
    (void)ctx;
    return a->score < b->score || (a->score == b->score && a->doc > b->doc);
}
LX_HEAP_DEFINE(lx_topk_heap, lx_scored, const void *, lx_scored_worse)

/* Offers e to a min-heap h of at most k entries (n in use) whose root is
 * the entry to evict first: lowest score, then highest docid.  e replaces
 * the root when the heap is full and e is better. */
static inline void lx_topk_push(lx_scored *h, uint32_t *n, uint32_t k, lx_scored e) {
    if (*n < k) {
        h[*n] = e;
        lx_topk_heap_up(h, (*n)++, NULL);
    } else if (lx_scored_worse(NULL, &h[0], &e)) {
        h[0] = e;
        lx_topk_heap_down(h, *n, 0, NULL);
    }
}

/* qsort order of results: score desc, then docid asc. */
int lx_scored_cmp(const void *a, const void *b);

/* Sorts a top k of n best first (lx_scored_cmp's order). */
void lx_scored_sort(lx_scored *a, uint32_t n);

/* Finds the k best documents.  allow: bitmap of permitted docids (NULL =
 * all); coord: exponent of the matched-clauses factor over nclauses;
 * exhaustive: score every match (the results are identical either way).
 * out must hold k; returns the count found, best first.  *evaluated
 * receives how many documents were fully scored.  work (NULL: none) is
 * charged the cursor count per window and per candidate; when it is cut,
 * the run stops before the candidate at hand and returns the exact top k
 * of the documents before it (each with its true score). */
uint32_t lx_topk(lx_qcur *cur, int n, const lx_scorer *sc, const uint64_t *allow, uint32_t k,
                 double coord, int nclauses, int exhaustive, lx_scored *out, uint64_t *evaluated,
                 lx_work *work);
/* ---- shared by the union (rank.c) and the intersection (rankand.c) ---- */

/* Whether docid d is permitted (allow NULL: every one). */
static inline int lx_allowed(const uint64_t *allow, uint32_t d) {
    return !allow || (allow[d >> 6] >> (d & 63) & 1);
}

/* The bound of cursor c over docs >= d in the block that holds them, and
 * that block's last doc in *last (LX_DOC_END when unlimited); cached in
 * c (bb_*) while d stays in the block. */
double lx_window_bound(lx_qcur *c, const lx_scorer *sc, uint32_t d, uint32_t *last);

/* A DOCS cursor's window bound wb over [from, upto]: 0 when it has no
 * doc there (it is moved to from); another cursor's wb as it is. */
double lx_docs_window_bound(lx_qcur *c, double wb, uint32_t from, uint32_t upto);

/* The pseudo-frequency below which TERM cursor c's part stays under r:
 * 0 when no part does, HUGE_VAL when every part does. */
double lx_weak_tf(const lx_qcur *c, const lx_scorer *sc, double r);

/* Ends the cursors and group members of the languages whose lectures
 * cannot enter the top k above theta, or cannot match the required
 * cursors cur[0..nreq); returns whether one was ended. */
int lx_lang_prune(lx_qcur *cur, int nreq, int n, double theta);

/* Whether a cursor of cur[0..n), or a group's member, matches in some
 * languages only (lx_lang_prune has something to end). */
int lx_any_langs(const lx_qcur *cur, int n);

/* The k best documents that every one of cur[0..nreq) matches (the rest,
 * cur[nreq..n), only add to the score).  When all-terms-first holds and
 * this finds k documents, they are exactly lx_topk's answer (a document
 * missing a word scores below every one matching all), at the cost of an
 * intersection.  Returns the count, best first.  work as for lx_topk
 * (charged nreq per step of the intersection, n per document scored). */
uint32_t lx_topk_and(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, const uint64_t *allow,
                     uint32_t k, lx_scored *out, lx_work *work);

/* The ranking cursors of qc[0..n), the scored ones qc[0..nscored) first:
 * when the all-terms-first bonus is on, a clause with several cursors
 * (stems per language, translations, completions) becomes one LX_QK_OR
 * cursor in out, its members in qc (their bonus moved to the group, their
 * bounds made again without it), so that a lecture's bonus counts the
 * clauses it matches, not the cursors; any other cursor is copied.  A doc
 * matching one member of each clause scores what it scored before, the
 * same sum in the same order.  Returns the count in out; *ngroups the
 * scored ones among them. */
int lx_qcur_group(lx_qcur *qc, int n, int nscored, const lx_scorer *sc, lx_qcur *out, int *ngroups);

/* The documents cursor c may match: TERM its list's, DOCS its docids,
 * PHRASE its rarest word's, LTERM (or a PHRASE in a language) at most
 * its language's (MaxScore's order key; the work of a walk). */
static inline uint32_t lx_qcur_df(const lx_qcur *c) {
    if (c->kind == LX_QK_TERM)
        return c->pc->df;
    if (c->kind == LX_QK_LTERM)
        return c->pc->df < c->nldocs ? c->pc->df : c->nldocs;
    if (c->kind == LX_QK_DOCS)
        return c->ndocs;
    if (c->kind == LX_QK_OR) {
        uint32_t t = 0;
        for (int j = 0; j < c->nsub; j++) {
            uint32_t d = lx_qcur_df(&c->sub[j]);
            t = d > UINT32_MAX - t ? UINT32_MAX : t + d;
        }
        return t;
    }
    uint32_t m = c->ldocs ? c->nldocs : UINT32_MAX;
    for (int j = 0; j < c->nmem; j++)
        if (c->mem[j]->df < m)
            m = c->mem[j]->df;
    return m;
}
#endif
