/* search.c -- lx_search: from a query string to a page of ranked hits.
 *
 * One read transaction per call.  The query is parsed; the plan (plan.c)
 * stems each word in the query languages and makes cursors of the scored
 * clauses and tag boosts; the filters (filter.c) become one bitmap of
 * permitted lectures; lx_topk (rank.c) finds the best k, after an
 * optional first pass for pseudo-relevance feedback (feedback.c) and an
 * intersection first when all-terms-first lets it decide.  The page
 * (resbuild.c) gets each hit's stored fields and snippet (snippet.c) and,
 * when asked, the exact total and facets (facet.c) from one pass over
 * the matching docids.
 *
 * Errors travel: every helper sets the searcher's sticky error with err
 * filled, and lx_search returns it; a failure never reads as "no match"
 * or a smaller total.
 *
 * Work travels too: s->work counts every step's work (rank.h, lx_work)
 * against the call's budget.  A step cut short gives its exact part (the
 * top k of the docs it decided, a subset of a match set) and the answer is
 * marked partial; a step that cannot give a usable part (the filters, the
 * query's own cursors) leaves the answer empty and partial.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "error.h"
#include "feedback.h"
#include "filter.h"
#include "fuzzy.h"
#include "longq.h"
#include "plan.h"
#include "related.h"
#include "resbuild.h"
#include "xlate.h"

/* One call's state. */
typedef struct run {
    const lx_search_opts *o;
    const lx_rank_params *p;
    lx_plan pl;
    int filtered;            /* s->allow applies */
    uint32_t k;              /* limit + offset */
    uint32_t nh;             /* hits in s->heap, best first */
    uint64_t total;          /* matching lectures */
    const uint64_t *matched; /* their bitmap, for facets (NULL: none) */
    int partial;             /* the work budget cut a step short */
} run;

/* Snippet terms (every stem of every positive word) and their lists,
 * looked up once for every hit. */
static int snippet_terms(lx_searcher *s, run *r) {
    s->snip.n = 0;
    s->snip.nwords = 0;
    s->snip_ready = 0;
    if (!(r->o->flags & LX_SEARCH_SNIPPETS))
        return 0;
    lx_snipper *sp = lx_searcher_part(s, LX_PART_SNIPPER);
    if (!sp) {
        if (!(sp = lx_snipper_new()))
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        lx_searcher_set_part(s, LX_PART_SNIPPER, sp, lx_snipper_free);
    }
    lx_snippet_terms(sp, &s->snip, &s->q, &s->stem, r->pl.langs, r->pl.nl, r->pl.stop,
                     r->pl.content);
    int rc = lx_snippet_lookup(sp, &s->snip, s->txn, s->ix, lx_searcher_post, s);
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "cannot read a snippet term's list: %s",
                                lx_strerror(rc));
    s->snip_ready = 1;
    return 0;
}

static int heap_reserve(lx_searcher *s, uint32_t n) {
    if (n > s->heap_cap) {
        lx_scored *h = realloc(s->heap, n * sizeof *h);
        if (!h)
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        s->heap = h;
        s->heap_cap = n;
    }
    return 0;
}

/* No scored words: every permitted lecture, in docid order. */
static int search_all(lx_searcher *s, run *r) {
    uint64_t *b = s->tmp;
    if (lx_filter_live(s, b))
        return s->rc;
    if (r->filtered)
        for (size_t i = 0; i < s->words; i++)
            b[i] &= s->allow[i];
    r->total = lx_bitmap_count_and(b, NULL, s->words);
    r->nh = 0;
    for (uint32_t d = 0; d < s->st.next_doc && r->nh < r->k; d++)
        if (b[d / 64] >> (d % 64) & 1)
            s->heap[r->nh++] = (lx_scored){0.0, d};
    r->matched = b;
    return 0;
}

/* The docs any cursor matches, into b, with half of the work left: a
 * cut leaves a subset and marks the answer partial. */
static int match_set(lx_searcher *s, run *r, uint64_t *b) {
    lx_work_share(&s->work);
    int rc = lx_plan_match_set(s, &r->pl, b);
    r->partial |= lx_work_end(&s->work);
    return rc;
}

/* The cursors to rank (*n): s->qc, or when the all-terms-first bonus is
 * on, s->rq with each clause's cursors as one (lx_qcur_group); *nreq the
 * scored ones among them. */
static lx_qcur *rank_cursors(lx_searcher *s, const run *r, int *nreq, int *n) {
    if (!s->nqc || !(s->qc[0].bonus > 0)) { /* nothing to group: s->qc as it is */
        *nreq = r->pl.nscored;
        *n = s->nqc;
        return s->qc;
    }
    *n = lx_qcur_group(s->qc, s->nqc, r->pl.nscored, &s->sc, s->rq, nreq);
    return s->rq;
}

/* First pass for feedback, then the expanded query's cursors; *allow
 * becomes the original query's matches.  Returns 1 when the work ran out
 * in the first pass or the new cursors: the first pass's hits, true
 * scores of the query as written, are then the answer. */
static int feedback_pass(lx_searcher *s, run *r, const uint64_t **allow, int exhaustive) {
    const lx_rank_params *p = r->p;
    uint64_t evals = 0;
    int nreq, n;
    lx_qcur *rq = rank_cursors(s, r, &nreq, &n);
    uint32_t nfb = lx_topk(rq, n, &s->sc, *allow, (uint32_t)p->feedback_docs, p->coord,
                           r->pl.nclauses, exhaustive, s->heap, &evals, &s->work);
    if (lx_plan_check(s))
        return s->rc;
    if (!s->work.cut) {
        s->used = 0; /* every cursor is spent */
        if (lx_plan_scored(s, p, &r->pl))
            return s->rc;
    }
    if (lx_work_end(&s->work)) {
        r->nh = nfb < r->k ? nfb : r->k;
        r->partial = 1;
        return 1;
    }
    /* The added terms reorder the lectures the query matches; they bring
     * in no lecture without one of its words (as a rescoring pass would),
     * so totals and facets stay true. */
    if (match_set(s, r, s->fb))
        return s->rc;
    if (r->filtered)
        for (size_t i = 0; i < s->words; i++)
            s->fb[i] &= s->allow[i];
    *allow = s->fb;
    if (lx_feedback_expand(s, p, s->heap, nfb) < 0)
        return s->rc;
    return 0;
}

/* The k best by score. */
static int search_scored(lx_searcher *s, run *r) {
    const lx_rank_params *p = r->p;
    const lx_search_opts *o = r->o;
    /* Tag boosts that may only rank (a phrase query) leave the set to
     * the clauses, which the top k must then keep to. */
    int ranked_boosts = r->pl.phrase && s->nqc > r->pl.nscored;
    if ((o->flags & LX_SEARCH_FACETS) || ranked_boosts) {
        /* The exact set: any scored clause (or a tag the query names: its
         * boost can bring a lecture in, but for a phrase), within the
         * filters. */
        if (match_set(s, r, s->tmp))
            return s->rc;
        for (size_t i = 0; i < s->words; i++)
            s->tmp[i] &= s->allow[i];
        r->total = lx_bitmap_count_and(s->tmp, NULL, s->words);
        r->matched = s->tmp;
    }
    int exhaustive = (o->flags & LX_SEARCH_EXHAUSTIVE) != 0;
    const uint64_t *allow = ranked_boosts ? s->tmp : r->filtered ? s->allow : NULL;
    int done = 0;
    int fed = p->feedback_docs > 0 && s->nqc && r->pl.nclauses >= p->feedback_min_terms;
    if (fed && (done = feedback_pass(s, r, &allow, exhaustive)) < 0)
        return s->rc;
    /* Read before grouping: lx_qcur_group moves a grouped first clause's
     * bonus onto its group. */
    int first = !done && s->nqc && s->qc[0].bonus > 0;
    /* The planned cursors, kept before grouping changes them, for the
     * union when an intersection finds fewer than k; a query expanded by
     * feedback is planned again instead, without its expansion. */
    int saved = first && !fed && !exhaustive && r->pl.nclauses >= 2 && p->coord == 0;
    if (saved && lx_plan_save(s))
        return s->rc;
    int nreq = 0, nrq = 0;
    lx_qcur *rq = done ? NULL : rank_cursors(s, r, &nreq, &nrq);
    uint32_t every = 0; /* the hits of an intersection that found fewer than k, kept */
    if (first && !exhaustive && nreq == r->pl.nclauses && r->pl.nclauses >= 2 && p->coord == 0) {
        /* All-terms-first with one cursor per word (a word's stems,
         * translations and completions grouped as one): if k lectures
         * have every word, they are the answer; an intersection finds
         * them far faster than the union.  When the work runs out, the
         * hits it has are true scores too. */
        r->nh = lx_topk_and(rq, nreq, nrq, &s->sc, allow, r->k, s->heap, &s->work);
        if (lx_plan_check(s))
            return s->rc;
        done = r->nh == r->k || s->work.cut;
        if (!done && saved) {
            lx_plan_restore(s);
            /* Its hits are every permitted lecture with all the words, with
             * their true scores, each above every lecture without one (the
             * bonus): kept, and the union ranks the others for the rest of
             * the page (k - nh of them: its heap full, and its pruning on,
             * the sooner). */
            every = r->nh;
            if (allow)
                memcpy(s->fb, allow, s->words * 8);
            else
                lx_bitmap_fill(s->fb, s->words, s->st.next_doc);
            for (uint32_t i = 0; i < every; i++)
                s->fb[s->heap[i].doc / 64] &= ~(1ull << (s->heap[i].doc % 64));
            allow = s->fb;
        } else if (!done && lx_plan_scored(s, p, &r->pl))
            return s->rc;
        done |= s->work.cut; /* fresh cursors cut short: its hits are the answer */
        r->partial |= lx_work_end(&s->work);
        if (!done)
            rq = rank_cursors(s, r, &nreq, &nrq);
    }
    if (!done) {
        uint64_t evals = 0;
        r->nh = every + lx_topk(rq, nrq, &s->sc, allow, r->k - every, p->coord, r->pl.nclauses,
                                exhaustive, s->heap + every, &evals, &s->work);
        if (lx_plan_check(s))
            return s->rc;
        r->partial |= lx_work_end(&s->work);
    }
    if (!(o->flags & LX_SEARCH_FACETS))
        r->total = r->nh;
    else if (r->total < r->nh) /* a cut match set, and hits outside it */
        r->total = r->nh;
    return 0;
}

/* The page of hits offset .. nh. */
static int search_page(lx_searcher *s, run *r, double t0, lx_results **out) {
    const lx_search_opts *o = r->o;
    if (s->snip_ready && s->nknown) /* the match set's docids find the hits' postings */
        lx_snippet_known(lx_searcher_part(s, LX_PART_SNIPPER), &s->snip, lx_plan_known, s);
    if (s->page_fn) { /* the caller's page (searcher.h) */
        int rc = s->page_fn(s, s->heap + o->offset, r->nh > o->offset ? r->nh - o->offset : 0, t0,
                            out, s->page_ctx);
        if (rc)
            return s->rc ? s->rc : lx_searcher_fail(s, rc, NULL, -1, "%s", lx_strerror(rc));
        (*out)->partial = r->partial;
        return 0;
    }
    lx_resbuild *b = lx_resbuild_new(r->nh > o->offset ? r->nh - o->offset : 1);
    if (!b)
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    int rc = r->nh > o->offset ? lx_resbuild_hits(b, s, s->heap + o->offset, r->nh - o->offset,
                                                  (o->flags & LX_SEARCH_SNIPPETS) != 0)
                               : 0;
    unsigned facets = 0;
    if (o->flags & LX_SEARCH_FACETS)
        facets = o->facet_limit ? o->facet_limit : UINT_MAX;
    if (!rc)
        rc = lx_resbuild_finish(b, s, r->matched, r->total, facets, t0, out);
    lx_resbuild_free(b);
    if (!rc) {
        uint32_t docs[LX_MAX_RESULTS];
        for (uint32_t i = o->offset; i < r->nh; i++)
            docs[i - o->offset] = s->heap[i].doc;
        if ((rc = lx_xlate_results(s, &r->pl, docs, *out))) {
            lx_results_free(*out);
            *out = NULL;
            return lx_searcher_fail(s, rc, NULL, -1, "%s", lx_strerror(rc));
        }
    }
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "%s", lx_strerror(rc));
    (*out)->partial = r->partial;
    (*out)->work = s->work.used;
    if (lx_fuzzy_results(s, o->query ? o->query : "", *out)) {
        lx_results_free(*out);
        *out = NULL;
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    }
    return 0;
}

int lx_search(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err) {
    if ((o->flags & (LX_SEARCH_TEXT | LX_SEARCH_TEXT_PASS)) == LX_SEARCH_TEXT)
        return lx_related_text(s, o, out, err); /* lectures like a text (related.c) */
    double t0 = lx_now_ms();
    *out = NULL;
    lx_error_clear(err);
    const char *qs = o->query ? o->query : "";
    int text = (o->flags & LX_SEARCH_TEXT) != 0;
    int rc = text ? 0 : lx_query_parse(qs, strlen(qs), &s->q, err);
    int longq = text || (rc == LX_ELIMIT && s->q.too_long); /* plain words (longq.c) */
    if (longq)
        lx_error_clear(err);
    else if (rc)
        return rc;
    s->ndropped = 0;
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.k = (o->limit ? o->limit : 10) + o->offset;
    if ((uint64_t)(o->limit ? o->limit : 10) + o->offset > LX_MAX_RESULTS)
        return lx_fail(err, LX_ELIMIT, "limit", -1, "limit + offset must be at most %d",
                       LX_MAX_RESULTS);
    r.p = o->params ? o->params : &s->ix->params;
    if ((rc = lx_searcher_begin(s, r.p, err)))
        return rc;
    lx_work_init(&s->work, o->work_budget ? o->work_budget : lx_work_default(s->st.ndocs));
    if (longq && lx_longq_build(s, o, qs, strlen(qs))) {
        lx_searcher_end(s);
        return s->rc;
    }
    s->suggested = (o->flags & LX_SEARCH_SUGGESTED) != 0;
    lx_plan_init(s, o, &r.pl);
    if (longq)
        r.pl.prefix_clause = -1; /* a pasted text is not being typed */
    uint32_t hk = r.k > (uint32_t)r.p->feedback_docs ? r.k : (uint32_t)r.p->feedback_docs;
    s->nqc = 0;
    /* The soft preference for the query's language reorders a larger
     * pool of the best hits, then keeps k. */
    uint32_t kshow = r.k;
    int prefer = lx_qlang_prefers(s, o, &r.pl.ql);
    if (prefer)
        r.k = r.k * 2 + 10;
    hk = r.k > hk ? r.k : hk;
    if ((r.filtered = lx_filter_build(s, o, r.pl.langs, r.pl.nl)) >= 0 &&
        !lx_plan_scored(s, r.p, &r.pl) && !snippet_terms(s, &r) && !heap_reserve(s, hk)) {
        /* Filters or cursors cut short cannot be trusted: no hits. */
        if (lx_work_end(&s->work))
            r.partial = 1;
        else if (r.pl.positive == 0)
            search_all(s, &r);
        else if (!search_scored(s, &r) && prefer && !s->rc)
            lx_qlang_prefer(s, &r.pl.ql, s->heap, r.nh);
        if (r.nh > kshow)
            r.nh = kshow;
        r.k = kshow;
        if (!s->rc)
            search_page(s, &r, t0, out);
    }
    lx_searcher_end(s);
    return s->rc;
}
