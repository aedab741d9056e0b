/* rank.h -- BM25F scoring and top-k retrieval with MaxScore pruning over
 * block-max posting lists (internal). */
#ifndef LX_RANK_H
#define LX_RANK_H
#include <stdint.h>

#include "lectern.h"
#include "postings.h"

/* What scoring needs of the collection, per snapshot and parameters. */
typedef struct lx_scorer {
    const float *invb;  /* [doc][f]: weight_f / (1 - b_f + b_f len_f / avg_f) */
    uint32_t ndocs_map; /* docids covered by invb */
    double k1;
    double fw[LX_NFIELDS];  /* field weights */
    double fb[LX_NFIELDS];  /* b per field */
    double avg[LX_NFIELDS]; /* average field lengths */
    double N;               /* live lectures */
} lx_scorer;

enum { LX_QK_TERM, LX_QK_PHRASE, LX_QK_DOCS };

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
    lx_pcursor *pc; /* TERM */
    /* PHRASE */
    int nmem;
    int field; /* -1: any field */
    lx_pcursor *mem[LX_MAX_PHRASE_MEMBERS];
    double mw[LX_MAX_PHRASE_MEMBERS];
    /* DOCS: u32 docids */
    const uint8_t *docs;
    uint32_t ndocs, i;
} lx_qcur;

/* IDF of a term in df of N lectures (BM25's, never negative). */
double lx_idf(double N, double df);

/* Upper bound of the pseudo-frequency from a bound. */
double lx_bound_tf(const lx_scorer *sc, const lx_bound *b);

/* Initialises the bound and position of a cursor (after kind-specific
 * fields are set). */
void lx_qcur_start(lx_qcur *c, const lx_scorer *sc);
void lx_qcur_advance(lx_qcur *c, uint32_t target);
void lx_qcur_next(lx_qcur *c);
double lx_qcur_score(lx_qcur *c, const lx_scorer *sc);

typedef struct lx_scored {
    double score;
    uint32_t doc;
} lx_scored;

/* Offers e to a min-heap h of at most k entries (n in use) whose root is
 * the entry to evict first: lowest score, then highest docid.  e replaces
 * the root when the heap is full and e is better. */
void lx_heap_push(lx_scored *h, uint32_t *n, uint32_t k, lx_scored e);

/* qsort order of results: score desc, then docid asc. */
int lx_scored_cmp(const void *a, const void *b);

/* Finds the k best documents.  allow: bitmap of permitted docids (NULL =
 * all); coord: exponent of the matched-clauses factor over nclauses;
 * exhaustive: score every match (the results are identical either way).
 * out must hold k; returns the count found, best first.  *evaluated
 * receives how many documents were fully scored. */
uint32_t lx_topk(lx_qcur *cur, int n, const lx_scorer *sc, const uint64_t *allow, uint32_t k,
                 double coord, int nclauses, int exhaustive, lx_scored *out, uint64_t *evaluated);
/* The k best documents that every one of cur[0..nreq) matches (the rest,
 * cur[nreq..n), only add to the score).  When all-terms-first holds and
 * this finds k documents, they are exactly lx_topk's answer (a document
 * missing a word scores below every one matching all), at the cost of an
 * intersection.  Returns the count, best first. */
uint32_t lx_topk_and(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, const uint64_t *allow,
                     uint32_t k, lx_scored *out);
#endif
