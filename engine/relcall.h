/* relcall.h -- one related-lectures call (internal): what lx_related
 * (related.c) and lx_related_text (reltext.c) share.  A call holds the
 * sources' selected terms and tags, scores every permitted lecture term at
 * a time into the searcher's related scratch, and builds the page (the
 * steps are described at the top of related.c). */
#ifndef LX_RELCALL_H
#define LX_RELCALL_H
#include "relterms.h"
#include "searcher.h"

#define REL_NO_SELF UINT32_MAX /* lectures like a text: no lecture left out */

typedef struct rel_tag {
    const char *name;    /* normalised, in the scratch */
    const uint8_t *docs; /* u32 docids ascending, in the map */
    uint32_t n;
    double scale; /* of its weight: 1, or a text's share (lx_related_text) */
} rel_tag;

/* One call: the lecture, its selected terms and tags, the filters. */
typedef struct rel_call {
    lx_searcher *s;
    struct lx_relscratch *r;
    lx_relsrc src;
    uint32_t self;  /* the lecture's docid */
    uint32_t ndocs; /* docids [0, ndocs) */
    lx_docview v;
    lx_fields f;
    cJSON *holder;
    MDB_val vec;             /* the lecture's stored term vector; mv_data NULL: none */
    uint32_t sel[REL_TERMS]; /* rows of r->t, best first */
    int ns;
    rel_tag tags[LX_MAX_TAGS]; /* rarest first */
    int ntags;
    const uint64_t *allow; /* permitted docids, NULL = all */
    lx_scorer sc;          /* the searcher's, with k1 = REL_K1 */
    uint32_t nh;           /* candidates in r->top, best first */
    uint64_t *matched;     /* every candidate (s->tmp), for the facets */
    uint64_t total;        /* candidates in matched */
} rel_call;

/* The searcher's scratch for related calls, made on first use.  Returns 0
 * or LX_ENOMEM (err filled). */
int lx_relcall_scratch(lx_searcher *s, lx_error *err);
/* Per-docid scores, term masks and candidates for ndocs: 0 or LX_ENOMEM. */
int lx_relcall_arrays(struct lx_relscratch *r, uint32_t ndocs);
/* Starts a call's generation of stamps and empties its tables: 0 or
 * LX_ENOMEM. */
int lx_relcall_reset(struct lx_relscratch *r);
/* The docids of the normalised tag key into *tv (in the map): 0, 1 when
 * there is no such tag, or a negative LX_E* code (err filled). */
int lx_relcall_read_tag(rel_call *c, const char *key, size_t kl, MDB_val *tv, lx_error *err);
/* Ends the call: the lecture's fields freed, the transaction ended. */
void lx_relcall_end(rel_call *c);
/* Scores every permitted lecture: 0 or a negative LX_E* code. */
int lx_relcall_score(rel_call *c, lx_error *err);
/* The k best candidates into the scratch's top, best first: 0 or LX_ENOMEM. */
int lx_relcall_best(rel_call *c, uint32_t k);
/* Snippets, when asked, show the call's best terms. */
void lx_relcall_snippet_terms(rel_call *c);
/* The page of the candidates (near-duplicates of the lecture dropped) into
 * *out (the caller frees it): 0 or a negative LX_E* code. */
int lx_relcall_page(rel_call *c, const lx_search_opts *o, uint32_t limit, double t0,
                    lx_results **out, lx_error *err);
#endif
