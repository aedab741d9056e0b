/* related.h -- related lectures (internal): the weighted query behind
 * lx_related, for the tests that check its scores against the ranking
 * core's (lx_related itself is in lectern.h). */
#ifndef LX_RELATED_H
#define LX_RELATED_H
#include "relterms.h"
#include "text.h"

/* The query lx_related scores for a lecture: TERM cursors (the index
 * terms, each with its weight w, scored with k1) and DOCS cursors (the
 * tags, normalised, each adding its weight to the lectures that carry
 * it).  Scoring these with the ranking core (lx_topk, k1 in the scorer)
 * gives every candidate exactly lx_related's score. */
typedef struct lx_relquery {
    uint32_t self; /* the lecture's docid */
    double k1;
    int nterms;
    char term[REL_TERMS][LX_TOKEN_BUF];
    double w[REL_TERMS];
    int ntags;
    char tag[LX_MAX_TAGS][LX_MAX_TAG_BYTES * 3 + 1];
    double tag_w[LX_MAX_TAGS];
} lx_relquery;

/* Fills q for the lecture id, with the searcher's default parameters.
 * Returns 0, LX_EINVAL (no id), LX_ENOTFOUND, LX_ENOMEM, LX_EIO,
 * LX_EFORMAT, LX_ECORRUPT. */
int lx_related_query(lx_searcher *s, const char *id, lx_relquery *q, lx_error *err);
/* Lectures like a text (lx_search with LX_SEARCH_TEXT): see related.c. */
/* Whether lx_related reads a lecture's stored term vector (relvec.c) when
 * it has one (1, the default) or tokenises the lecture again (0): for the
 * tests that compare the two. */
extern int lx_related_vectors;

int lx_related_text(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err);
#endif
