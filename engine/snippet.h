/* snippet.h -- the passage that shows why a lecture matched (internal). */
#ifndef LX_SNIPPET_H
#define LX_SNIPPET_H
#include "postings.h"
#include "stem.h"
#include "store.h"

/* Target snippet length in bytes of source text. */
#define LX_SNIPPET_BYTES 200

typedef struct lx_snip_terms {
    int n;
    const char *term[LX_MAX_QUERY_TERMS * 4];
    size_t len[LX_MAX_QUERY_TERMS * 4];
    int nwords;                           /* the query's words as typed (normalised, unstemmed): */
    const char *word[LX_MAX_QUERY_TERMS]; /* a token equal to one is an */
    size_t wlen[LX_MAX_QUERY_TERMS];      /* exact match, preferred */
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
 * passage's time in seconds for a timed transcript, else -1.  Only the text up to the chosen window
 * is scanned, and nothing is stemmed: this is the query path's snippet.  Among windows that tie,
 * the one with more of terms->word exactly as typed wins. */
int lx_snippet_from_positions(const lx_docview *v, const char *description,
                              const lx_snip_terms *terms, lx_snip_pos *const hits[2],
                              const uint32_t nhits[2], lx_buf *out, const char **field,
                              double *start);

#endif
