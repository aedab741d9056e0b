/* snippet.h -- the passage that shows why a lecture matched (internal). */
#ifndef LX_SNIPPET_H
#define LX_SNIPPET_H
#include "postings.h"
#include "query.h"
#include "stem.h"
#include "store.h"

/* Target snippet length in bytes of source text. */
#define LX_SNIPPET_BYTES 200

/* Terms one snippet looks for at most. */
#define LX_SNIP_TERMS (LX_MAX_QUERY_TERMS * 4)

typedef struct lx_snip_terms {
    int n;
    const char *term[LX_SNIP_TERMS];
    size_t len[LX_SNIP_TERMS];
    int nwords;                           /* the query's words as typed (normalised, unstemmed): */
    const char *word[LX_MAX_QUERY_TERMS]; /* a token equal to one is an */
    size_t wlen[LX_MAX_QUERY_TERMS];      /* exact match, preferred */
    /* The languages the terms were stemmed under (lx_snippet_terms; 0
     * for terms set otherwise) and, per language, whether every word's
     * stem in it is one of the terms (wterm[l][w] its index): then in a
     * lecture of that language every token equal to a word is a hit, and
     * a window holds no more such tokens than hits. */
    int nl;
    char lang[LX_MAX_LANGS][LX_LANG_BYTES];
    unsigned char whole[LX_MAX_LANGS];
    unsigned char wterm[LX_MAX_LANGS][LX_MAX_QUERY_TERMS];
} lx_snip_terms;

/* Where a query term occurs in a lecture field (from the positions
 * index): token position and the index of the term in lx_snip_terms. */
typedef struct lx_snip_pos {
    uint32_t pos;
    int term;
} lx_snip_pos;

/* Picks the passage of about LX_SNIPPET_BYTES with the most distinct query
 * terms from the description or the transcript, cut at word boundaries,
 * HTML-escaped, matched words in <mark>, from the positions the index
 * already holds: hits[0] for the description, hits[1] for the transcript,
 * each sorted by position (none: the field's opening).  Appends the
 * NUL-terminated HTML to out; *field names the source field; *start is the
 * passage's time in seconds for a timed transcript, else -1; *plain is 1
 * when the HTML holds no byte that a JSON string escapes (it may be
 * written into JSON as it is), else 0.  Only the text up to the chosen window
 * is scanned, and nothing is stemmed: this is the query path's snippet.  Among windows that tie,
 * the one with more of terms->word exactly as typed wins; with hit_bound
 * the caller vouches that every token equal to one of those words is one
 * of the field's hits (lx_snip_terms.whole, no term's positions cut
 * short), so a tie holds at most as many as it has hits, and the ties
 * that cannot beat the best so far are neither decompressed nor scanned.
 * scratch holds the transcript's decompressed text and desc the
 * description (v's member, unescaped only when its window is chosen or
 * no field has a hit), both kept by the caller and reused from hit to
 * hit: their contents are undefined after.  Returns 0, LX_ENOMEM,
 * LX_ECORRUPT. */
int lx_snippet_from_positions(const lx_docview *v, lx_buf *desc, const lx_snip_terms *terms,
                              lx_snip_pos *const hits[2], const uint32_t nhits[2], int hit_bound,
                              lx_buf *scratch, lx_buf *out, const char **field, double *start,
                              int *plain);

/* ---- The query side's interface: what a snippet needs of a search is
 * its terms, their lists (looked up once per query through store.h) and
 * a lecture's stored view; it never reads the index otherwise.  The
 * state (lists, scratch) lives in an lx_snipper, one per searcher. */
typedef struct lx_snipper lx_snipper;

lx_snipper *lx_snipper_new(void);
void lx_snipper_free(void *sp);

/* Term choice: t gets every stem (under langs[0..nl)) of every positive
 * word of q, lone stopwords left out when content > 0 (stop[i] flags
 * clause i), and the words as typed; the stems are kept in sp. */
void lx_snippet_terms(lx_snipper *sp, lx_snip_terms *t, const lx_query *q, lx_stemmers *stem,
                      const int *langs, int nl, const char *stop, int content);

/* Finds term t's posting list and its positions in the caller's
 * transaction as lx_store_term(..., pos) does (0, LX_ENOTFOUND or an
 * error; pos NULL when none are stored): a searcher's memo of the lists
 * its plan looked up already (lx_searcher_post). */
typedef int (*lx_post_lookup)(void *ctx, const char *t, size_t n, MDB_val *post, MDB_val *pos);

/* Looks up the lists of t's terms in txn, once for every hit of the
 * query, with their positions: through post_of (ctx its first argument;
 * NULL: lx_store_term).  Returns 0, LX_EIO, LX_ECORRUPT, LX_ENOMEM. */
int lx_snippet_lookup(lx_snipper *sp, const lx_snip_terms *t, MDB_txn *txn, lx_index *ix,
                      lx_post_lookup post_of, void *ctx);

/* The docids of a posting list (by its value, as post_of gave it) that
 * the caller decoded whole in this transaction, in order and checked
 * (lx_pcursor_mark's), or NULL: a searcher's match set (lx_plan_known). */
typedef const uint32_t *(*lx_known_lookup)(void *ctx, const void *val);

/* After lx_snippet_lookup: the terms whose lists known_of knows find a
 * hit's posting by a search of those docids instead of unpacking its
 * block (the same posting).  Until the next lx_snippet_lookup. */
void lx_snippet_known(lx_snipper *sp, const lx_snip_terms *t, lx_known_lookup known_of, void *ctx);

/* The snippet of doc (stored view v) into out, as
 * lx_snippet_from_positions, from where t's terms occur in it
 * (with_terms: the lists were looked up in this transaction; 0: the
 * opening of the description or transcript).  Returns 0, LX_ENOMEM,
 * LX_ECORRUPT (a damaged list or body). */
int lx_snippet_hit(lx_snipper *sp, const lx_snip_terms *t, int with_terms, uint32_t doc,
                   const lx_docview *v, lx_buf *out, const char **field, double *start, int *plain);

/* Where t's terms occur in field f of doc, as one list sorted by position
 * (*hits, valid until the next call on sp; *n entries), and each term's
 * document frequency in df[] (0: the term has no list), for moments.c.
 * The lists must have been looked up (lx_snippet_lookup).  Returns 0,
 * LX_ENOMEM, LX_ECORRUPT. */
int lx_snippet_positions(lx_snipper *sp, const lx_snip_terms *t, uint32_t doc, int f,
                         lx_snip_pos **hits, uint32_t *n, uint32_t df[LX_SNIP_TERMS]);
#endif
