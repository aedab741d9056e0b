/* related.c -- related lectures: more-like-this with topic tags.
 *
 * lx_related() turns one stored lecture into a weighted query and scores
 * the other lectures with the ranking core (BM25F, rank.c):
 *
 *  1-2. Term extraction and selection: relterms.c.
 *  3. Scoring.  Each selected term is weighted like a TERM cursor of the
 *     ranking core, w = idf * (k1 + 1) * (significance / best)^REL_QPOW,
 *     and scores BM25F's w * tf~ / (k1 + tf~) with k1 = REL_K1 (a long
 *     query wants a near-linear tf); each tag of the lecture adds
 *     REL_TAG_W * (k1 + 1) * idf(tag) to every lecture carrying it, so rare
 *     shared tags count more.  The query is long (60 terms whose lists
 *     cover 94% of the TED talks, ~28,000 postings), so the lists are run
 *     term at a time into per-document accumulators, a block at a time,
 *     rather than through lx_topk: MaxScore cannot skip much when the union
 *     is most of the collection, and its document-at-a-time loop over 60
 *     cursors cost 2-2.5 ms a call against 0.35 ms (measured,
 *     tests/eval/related/README.md).  The scores and the top k are exactly
 *     those of lx_topk on the same cursors: the same kernel (rank.h),
 *     summed in cursor order, ties by docid (checked by test_relscore and,
 *     on the TED talks, related_ted_core, over lx_related_query).  The
 *     same pass records which selected terms each lecture has
 *     (shared_terms).  Filters (tags, lang, speaker) apply through the
 *     permitted-docs bitmap; the lecture itself is skipped.
 *  4. Near-duplicates are dropped from the page: the same title and
 *     speaker, the same title and body length, or a total length within
 *     10% and a cosine above REL_DUP_COS of the tf-idf vectors over the
 *     selected terms ("almost the same text"; computed only for lectures
 *     that have 80% of those terms).  They are only looked for among the
 *     candidates a page reaches (testing every candidate would cost a
 *     stored-lecture read or a cosine each), so the total and the facets
 *     count every candidate, near-duplicates included: an upper bound on
 *     what the pages list, the same on every page.
 *
 * lx_related_text (reltext.c) answers lectures like a text with the same steps 2-3 and the page,
 * its query made from the lectures the text finds (see there).
 *
 * Every failure (out of memory, an LMDB error, a damaged list) is returned
 * as a negative LX_E* code with err filled: never a shorter page.
 *
 * The constants were chosen on the TED talks by tag-overlap nDCG@10
 * (tests/eval/related/README.md).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "filter.h"
#include "record.h"
#include "related.h"
#include "relcall.h"
#include "reldup.h"
#include "relterms.h"
#include "relvec.h"
#include "resbuild.h"
#include "searcher.h"

int lx_related_vectors = 1;

static int allowed(const uint64_t *allow, uint32_t d) {
    return allow[d >> 6] >> (d & 63) & 1;
}

static int cmp_tag_df(const void *a, const void *b) {
    const rel_tag *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int has_doc(const uint8_t *docs, uint32_t n, uint32_t d) {
    uint32_t lo = 0, hi = n, x;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        memcpy(&x, docs + (size_t)mid * 4, 4);
        if (x < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n)
        return 0;
    memcpy(&x, docs + (size_t)lo * 4, 4);
    return x == d;
}

/* ---- 1-2. the lecture's terms and tags ------------------------------------------- */

/* The searcher's scratch for related calls, made on first use. */
int lx_relcall_scratch(lx_searcher *s, lx_error *err) {
    if (!s->rel && !(s->rel = calloc(1, sizeof *s->rel)))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    s->rel_free = lx_related_scratch_free;
    if (lx_relterms_map_init(&s->rel->words) || lx_relterms_map_init(&s->rel->terms))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    return 0;
}

/* Per-docid scores, term masks and candidates for ndocs. */
int lx_relcall_arrays(struct lx_relscratch *r, uint32_t ndocs) {
    if (ndocs <= r->capdoc)
        return 0;
    free(r->score);
    free(r->mask);
    free(r->cand);
    r->score = malloc(ndocs * sizeof *r->score);
    r->mask = malloc(ndocs * sizeof *r->mask);
    r->cand = malloc(ndocs * sizeof *r->cand);
    r->capdoc = r->score && r->mask && r->cand ? ndocs : 0;
    return r->capdoc ? 0 : LX_ENOMEM;
}

/* Starts this call's generation of stamps and empties its tables. */
int lx_relcall_reset(struct lx_relscratch *r) {
    if (++r->gen == 0) { /* wrapped: no stamp may look current */
        for (uint32_t i = 0; i < r->ninfo; i++)
            r->info[i].stamp = 0;
        for (uint32_t i = 0; i < r->seencap; i++)
            r->seen[i].stamp = 0;
        r->gen = 1;
    }
    if (r->words.n > REL_CACHE_WORDS || r->terms.n > REL_CACHE_WORDS)
        lx_relterms_cache_clear(r);
    r->nt = 0;
    r->oom = 0;
    r->nseen = 0;
    r->ntok = 0;
    r->callkeys.n = 0;
    if (r->seencap > (1u << 16) || !r->seen) { /* back to a small table */
        free(r->seen);
        r->seencap = 4096;
        if (!(r->seen = calloc(r->seencap, sizeof *r->seen))) {
            r->seencap = 0;
            return LX_ENOMEM;
        }
    }
    return 0;
}

/* Step 1 and 2: the lecture's terms, and the significant ones. */
static int lecture_terms(rel_call *c, lx_error *err) {
    struct lx_relscratch *r = c->r;
    int rc = lx_relcall_reset(r);
    if (rc)
        return rc;
    r->lang = lx_stemmers_lookup(c->src.stem, c->f.lang);
    memcpy(r->langcode, c->f.lang, sizeof r->langcode);
    if (r->lang < 0)
        return LX_ELIMIT;
    if (c->vec.mv_data) { /* the terms stored at index time (relvec.c) */
        const uint8_t *p = c->vec.mv_data, *end = p + c->vec.mv_size;
        rc = lx_relvec_open(&p, end) ? LX_ECORRUPT : lx_relterms_from_vec(r, p, end);
        if (rc == LX_ENOMEM)
            return rc;
        if (!rc)
            goto select;
        /* A damaged vector: the lecture is tokenised after all. */
        cJSON_Delete(c->holder);
        c->holder = NULL;
        if ((rc = lx_relcall_reset(r)) || (rc = lx_fields_from_view(&c->v, &c->f, &c->holder)))
            return rc;
    }
    if ((rc = lx_analyze(&c->f, lx_relterms_token, r, NULL, err)))
        return rc;
    if (r->oom || (rc = lx_relterms_resolve(&c->src, r)))
        return LX_ENOMEM;
select:
    c->ns = lx_relterms_select(&c->src, r, c->sel, err);
    return c->ns < 0 ? c->ns : 0;
}

/* Tag key's lecture list into tv: 0, 1 when no lecture carries it, or
 * the error (set in err). */
int lx_relcall_read_tag(rel_call *c, const char *key, size_t kl, MDB_val *tv, lx_error *err) {
    int rc = lx_store_tag(c->src.txn, c->src.ix, key, kl, tv);
    if (rc == LX_ENOTFOUND)
        return 1;
    if (!rc && lx_store_doclist(tv, c->s->st.next_doc))
        rc = LX_ECORRUPT; /* its docids index the score arrays */
    if (rc)
        return lx_fail(err, rc, NULL, -1, "reading tag \"%.200s\": %s", key, lx_strerror(rc));
    return 0;
}

/* The lecture's tags that some lecture carries, rarest first. */
static int lecture_tags(rel_call *c, lx_error *err) {
    c->ntags = 0;
    for (int i = 0; i < c->f.ntags && i < LX_MAX_TAGS; i++) {
        char *key = c->r->tagkey[c->ntags];
        size_t kl = lx_tag_normalise(c->f.tags[i], c->f.taglen[i], key, sizeof c->r->tagkey[0]);
        if (!kl)
            continue;
        MDB_val tv;
        int rc = lx_relcall_read_tag(c, key, kl, &tv, err);
        if (rc < 0)
            return rc;
        if (!rc && tv.mv_size >= 4)
            c->tags[c->ntags++] = (rel_tag){key, tv.mv_data, (uint32_t)(tv.mv_size / 4), 1.0};
    }
    qsort(c->tags, (size_t)c->ntags, sizeof *c->tags, cmp_tag_df);
    return 0;
}

/* Begins the call on lecture id: the transaction, the lecture, its terms
 * and tags.  lx_relcall_end ends it, whatever this returned. */
static int call_begin(rel_call *c, lx_searcher *s, const char *id, const lx_rank_params *p,
                      lx_error *err) {
    memset(c, 0, sizeof *c);
    int rc = lx_relcall_scratch(s, err);
    if (rc)
        return rc;
    /* A begin that fails after starting the transaction (reading the
     * statistics, out of memory) leaves it live: it must still be ended,
     * or every later call fails to renew it. */
    c->s = s;
    if ((rc = lx_searcher_begin(s, p, err)))
        return rc;
    c->r = s->rel;
    c->src = (lx_relsrc){&s->stem, s->txn, s->ix, s->snap, s->sc.N};
    rc = lx_store_docid(s->txn, s->ix, id, strlen(id), &c->self);
    if (rc == LX_ENOTFOUND)
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    if (rc || (rc = lx_store_doc(s->txn, s->ix, c->self, &c->v)))
        return rc;
    /* With a stored term vector the transcript is not needed: not even
     * decompressed.  An index written before the vectors (or a lecture
     * without one) is tokenised again. */
    rc = lx_related_vectors ? lx_store_relvec(s->txn, s->ix, c->self, &c->vec) : LX_ENOTFOUND;
    if (rc == LX_ENOTFOUND)
        c->vec = (MDB_val){0, NULL};
    else if (rc)
        return rc;
    if ((rc = c->vec.mv_data ? lx_fields_meta_from_view(&c->v, &c->f, &c->holder)
                             : lx_fields_from_view(&c->v, &c->f, &c->holder)))
        return rc;
    c->ndocs = s->st.next_doc;
    c->sc = s->sc;
    c->sc.k1 = REL_K1;
    if ((rc = lx_relcall_arrays(c->r, c->ndocs)) || (rc = lecture_terms(c, err)))
        return rc;
    return lecture_tags(c, err);
}

void lx_relcall_end(rel_call *c) {
    if (c->holder)
        cJSON_Delete(c->holder);
    c->holder = NULL;
    if (c->s)
        lx_searcher_end(c->s);
}

/* Selected term j's weight: a TERM cursor's, its query weight the
 * relative significance to the power REL_QPOW. */
static double term_weight(const rel_call *c, int j) {
    const rel_term *t = &c->r->t[c->sel[j]];
    double best = c->ns ? c->r->t[c->sel[0]].sig : 1.0;
    return lx_bm25f_weight(t->idf, c->sc.k1, pow(t->sig / best, REL_QPOW));
}

/* ---- 3. scoring ------------------------------------------------------------------ */

/* Adds term j's part to the scores of the lectures of the cursor's loaded
 * block: each posting's tfs are decoded straight into its pseudo-frequency
 * (no tf rows written and read back), with the arithmetic of
 * lx_bm25f_tf and lx_bm25f_term (rank.h): fields ascending, then
 * w * tn / (k1 + tn), so every score is the ranking core's to the bit.
 * The tfs are read as tf_decode reads them (never past the block's end; a
 * truncated value reads as what was there).  The loader checked that the
 * block's docids are below the index's next_doc. */
static void score_block(rel_call *c, const lx_pcursor *pc, double w, uint64_t bit) {
    double *score = c->r->score;
    uint64_t *mask = c->r->mask;
    const float *invb = c->sc.invb;
    const uint64_t *allow = c->allow;
    const double k1 = c->sc.k1;
    const uint8_t *p = pc->tfp, *end = pc->bend;
    const uint32_t n = pc->n;
    if (!pc->maskp) { /* one field in the whole list: a plain run of vbytes */
        const int f = __builtin_ctz(pc->listmask);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t tf, d = pc->docs[i];
            p = lx_vbyte_get(p, end, &tf);
            if (allow && !allowed(allow, d))
                continue;
            double tn = tf * (double)invb[(size_t)d * LX_NFIELDS + f];
            score[d] += lx_bm25f_term(w, k1, tn);
            mask[d] |= bit;
        }
        return;
    }
    const unsigned lm = pc->listmask;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d = pc->docs[i];
        unsigned m = pc->maskp[i] & lm;
        const float *ib = invb + (size_t)d * LX_NFIELDS;
        double tn = 0;
        while (m) {
            int f = __builtin_ctz(m);
            uint32_t tf;
            m &= m - 1;
            p = lx_vbyte_get(p, end, &tf);
            tn += tf * (double)ib[f];
        }
        if (allow && !allowed(allow, d))
            continue;
        score[d] += lx_bm25f_term(w, k1, tn);
        mask[d] |= bit;
    }
}

/* Adds term j's part to the scores of the lectures in its list. */
static int score_term(rel_call *c, int j, lx_error *err) {
    struct lx_relscratch *r = c->r;
    rel_term *t = &r->t[c->sel[j]];
    lx_pcursor *pc = lx_searcher_pcursor(c->s);
    if (!pc)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    if (lx_pcursor_open_limit(pc, t->post, t->postlen, c->ndocs))
        return lx_fail(err, LX_ECORRUPT, NULL, -1, "a posting list is damaged");
    double w = term_weight(c, j);
    uint64_t bit = 1ull << j;
    /* A block at a time (each block loaded from its start: i is 0). */
    while (pc->doc != LX_DOC_END) {
        score_block(c, pc, w, bit);
        pc->i = pc->n - 1;
        lx_pcursor_next(pc);
    }
    if (pc->rc)
        return lx_fail(err, pc->rc, NULL, -1, "a posting list is damaged");
    return 0;
}

/* Scores every permitted lecture (terms, then tags, in the order a search
 * over the same cursors sums them). */
int lx_relcall_score(rel_call *c, lx_error *err) {
    struct lx_relscratch *r = c->r;
    memset(r->score, 0, c->ndocs * sizeof *r->score);
    memset(r->mask, 0, c->ndocs * sizeof *r->mask);
    for (int j = 0; j < c->ns; j++) {
        int rc = score_term(c, j, err);
        if (rc)
            return rc;
    }
    for (int i = 0; i < c->ntags && REL_TAG_W > 0; i++) {
        double w = lx_rel_tag_weight(c->sc.k1, c->sc.N, c->tags[i].n) * c->tags[i].scale;
        for (uint32_t e = 0; e < c->tags[i].n; e++) {
            uint32_t d;
            memcpy(&d, c->tags[i].docs + (size_t)e * 4, 4);
            if (d < c->ndocs && (!c->allow || allowed(c->allow, d)))
                r->score[d] += w;
        }
    }
    return 0;
}

/* Whether a ranks before b: higher score, then lower docid (lx_scored_cmp). */
static inline int ranks_before(const lx_scored *a, const lx_scored *b) {
    return a->score > b->score || (a->score == b->score && a->doc < b->doc);
}

static inline void swap_scored(lx_scored *a, lx_scored *b) {
    lx_scored x = *a;
    *a = *b;
    *b = x;
}

/* Moves the k best of a[0..n) (k < n) to a[0..k), in any order:
 * quickselect, pivot the median of three; the order is total (docids
 * differ).  Past 64 rounds (never seen) the rest is sorted instead. */
static void select_best(lx_scored *a, uint32_t n, uint32_t k) {
    uint32_t lo = 0, hi = n; /* a[0..lo) rank before a[lo..n), a[hi..n) after a[0..hi) */
    for (int round = 0; hi - lo > 1; round++) {
        if (round == 64) {
            qsort(a + lo, hi - lo, sizeof *a, lx_scored_cmp);
            return;
        }
        uint32_t m = lo + (hi - lo) / 2, z = hi - 1;
        if (ranks_before(&a[m], &a[lo]))
            swap_scored(&a[m], &a[lo]);
        if (ranks_before(&a[z], &a[lo]))
            swap_scored(&a[z], &a[lo]);
        if (ranks_before(&a[m], &a[z]))
            swap_scored(&a[m], &a[z]); /* the median of the three is at z */
        lx_scored pv = a[z];
        uint32_t st = lo;
        for (uint32_t i = lo; i < z; i++)
            if (ranks_before(&a[i], &pv))
                swap_scored(&a[i], &a[st++]);
        swap_scored(&a[st], &a[z]); /* the pivot at st: before it all rank before it */
        if (st == k || st + 1 == k)
            return;
        if (st > k)
            hi = st;
        else
            lo = st + 1;
    }
}

/* Candidates at most this many are kept with a heap; more go through
 * select_best (a heap of 208 for a page of 200 cost twice as much). */
#define REL_HEAP_K 64

/* The k best candidates into r->top, best first.  Every candidate (a
 * nonzero score within the filters, not the lecture itself) goes into
 * c->matched and c->total: the page's total and facets are over all of
 * them, the same on every page. */
int lx_relcall_best(rel_call *c, uint32_t k) {
    struct lx_relscratch *r = c->r;
    if (k > r->captop) {
        lx_scored *h = realloc(r->top, k * sizeof *h);
        if (!h)
            return LX_ENOMEM;
        r->top = h;
        r->captop = k;
    }
    uint32_t nh = 0;
    c->matched = c->s->tmp;
    memset(c->matched, 0, c->s->words * 8);
    c->total = 0;
    const double *score = r->score;
    const uint64_t *mask = r->mask;
    if (k <= REL_HEAP_K) {
        for (uint32_t d = 0; d < c->ndocs; d++) {
            double x = score[d];
            if (!(x > 0 || mask[d]) || d == c->self)
                continue;
            c->matched[d >> 6] |= 1ull << (d & 63);
            c->total++;
            if (nh < k || x >= r->top[0].score)
                lx_topk_push(r->top, &nh, k, (lx_scored){x, d});
        }
    } else {
        /* Every candidate into r->cand (sized by lx_relcall_arrays), then the k
         * best: the same set as the heap's, the order is total. */
        lx_scored *cand = r->cand;
        uint32_t nc = 0;
        for (uint32_t d = 0; d < c->ndocs; d++) {
            double x = score[d];
            if (!(x > 0 || mask[d]) || d == c->self)
                continue;
            c->matched[d >> 6] |= 1ull << (d & 63);
            cand[nc++] = (lx_scored){x, d};
        }
        c->total = nc;
        if (nc > k)
            select_best(cand, nc, k);
        nh = nc < k ? nc : k;
        memcpy(r->top, cand, nh * sizeof *cand);
    }
    qsort(r->top, nh, sizeof *r->top, lx_scored_cmp);
    c->nh = nh;
    return 0;
}

/* Snippets, when asked, show the lecture's best terms. */
void lx_relcall_snippet_terms(rel_call *c) {
    lx_searcher *s = c->s;
    s->snip.n = 0;
    for (int j = 0; j < c->ns && j < 10; j++) {
        rel_info *in = &c->r->info[c->r->t[c->sel[j]].id];
        s->snip.term[s->snip.n] = (const char *)c->r->keys.p + in->key;
        s->snip.len[s->snip.n] = in->klen;
        s->snip.n++;
    }
}

/* ---- 4. the page ------------------------------------------------------------------ */

/* What the page compares a candidate with. */
typedef struct rel_page {
    const uint32_t *norms;
    uint32_t nn;
    uint64_t selflen;
    lx_pcursor *probe;
} rel_page;

/* Whether candidate d is a near-duplicate of the lecture: 1 or 0 in *dup. */
static int near_dup(rel_call *c, const rel_page *pg, uint32_t d, int *dup, lx_error *err) {
    const uint32_t *norms = pg->norms;
    uint32_t nn = pg->nn;
    *dup = 0;
    /* The same title has as many title tokens: only then is the stored
     * lecture read to compare. */
    if (lx_rel_field_length(norms, nn, d, LX_F_TITLE) ==
        lx_rel_field_length(norms, nn, c->self, LX_F_TITLE)) {
        lx_docview cv;
        int rc = lx_store_doc(c->src.txn, c->src.ix, d, &cv);
        if (rc)
            return rc;
        if (lx_rel_same_text(cv.title, cv.h.title_len, c->v.title, c->v.h.title_len)) {
            if (cv.h.body_len == c->v.h.body_len) {
                *dup = 1;
            } else {
                rc = lx_rel_same_speaker(&cv, c->f.text[LX_F_SPEAKER], c->f.len[LX_F_SPEAKER]);
                if (rc < 0)
                    return rc;
                *dup = rc;
            }
        }
    }
    uint64_t len = lx_rel_doc_length(norms, nn, d);
    /* Almost the same text has about the same length and nearly all the
     * selected terms; only then is the cosine worth computing. */
    if (!*dup && len * 10 >= pg->selflen * 9 && pg->selflen * 10 >= len * 9 &&
        __builtin_popcountll(c->r->mask[d]) * 5 >= c->ns * 4) {
        double cos;
        int rc = lx_relterms_cosine(pg->probe, c->r, c->sel, c->ns, d, &cos, err);
        if (rc)
            return rc;
        *dup = cos > REL_DUP_COS;
    }
    return 0;
}

/* Adds candidate d to the page with the tags and terms it shares. */
static int page_hit(rel_call *c, lx_resbuild *b, uint32_t d, double score, int snippets) {
    const char *st[LX_MAX_TAGS], *sw[REL_SHARED_TERMS];
    char forms[REL_SHARED_TERMS][LX_TOKEN_BUF];
    size_t nst = 0, nsw = 0;
    uint64_t mask = c->r->mask[d];
    for (int t = 0; t < c->ntags; t++)
        if (has_doc(c->tags[t].docs, c->tags[t].n, d))
            st[nst++] = c->tags[t].name;
    for (int j = 0; j < c->ns && nsw < REL_SHARED_TERMS; j++) {
        if (!(mask >> j & 1))
            continue;
        const rel_info *in = &c->r->info[c->r->t[c->sel[j]].id];
        memcpy(forms[nsw], c->r->keys.p + in->form, in->flen);
        forms[nsw][in->flen] = 0;
        sw[nsw] = forms[nsw];
        nsw++;
    }
    return lx_resbuild_hit(b, c->s, d, score, snippets, st, nst, sw, nsw);
}

/* Step 4: the page of the candidates, near-duplicates dropped. */
int lx_relcall_page(rel_call *c, const lx_search_opts *o, uint32_t limit, double t0,
                    lx_results **out, lx_error *err) {
    rel_page pg;
    int rc = lx_store_norms(c->src.txn, c->src.ix, &pg.norms, &pg.nn);
    if (rc)
        return rc;
    pg.selflen = c->self != REL_NO_SELF ? lx_rel_doc_length(pg.norms, pg.nn, c->self) : 0;
    if (!(pg.probe = lx_searcher_pcursor(c->s)))
        return LX_ENOMEM;
    lx_resbuild *b = lx_resbuild_new(limit);
    if (!b)
        return LX_ENOMEM;
    const lx_scored *top = c->r->top;
    uint32_t kept = 0, i;
    for (i = 0; i < c->nh && kept < limit + o->offset; i++) {
        int dup = 0; /* (a text has no lecture to duplicate) */
        if (c->self != REL_NO_SELF && (rc = near_dup(c, &pg, top[i].doc, &dup, err)))
            break;
        if (dup || kept++ < o->offset)
            continue;
        if ((rc = page_hit(c, b, top[i].doc, top[i].score, (o->flags & LX_SEARCH_SNIPPETS) != 0)))
            break;
    }
    unsigned facets = 0;
    if (o->flags & LX_SEARCH_FACETS)
        facets = o->facet_limit ? o->facet_limit : UINT_MAX;
    if (!rc)
        rc = lx_resbuild_finish(b, c->s, c->matched, c->total, facets, t0, out);
    lx_resbuild_free(b);
    return rc;
}

/* ---- the calls --------------------------------------------------------------------- */

int lx_related(lx_searcher *s, const char *id, const lx_search_opts *o, lx_results **out,
               lx_error *err) {
    double t0 = lx_now_ms();
    *out = NULL;
    lx_error_clear(err);
    if (!id || !id[0])
        return lx_fail(err, LX_EINVAL, "id", -1, "a lecture id is required");
    uint32_t limit = o->limit ? o->limit : 10;
    if ((uint64_t)limit + o->offset > LX_MAX_RESULTS)
        return lx_fail(err, LX_ELIMIT, "limit", -1, "limit + offset must be at most %d",
                       LX_MAX_RESULTS);
    int rc = lx_query_parse("", 0, &s->q, err);
    if (rc)
        return rc;
    rel_call c;
    rc = call_begin(&c, s, id, o->params ? o->params : &s->ix->params, err);
    int filtered = 0;
    if (!rc) {
        /* Within the filters (the query is empty: only the options). */
        s->nqc = 0;
        filtered = lx_search_filter(s, o, err);
        if (filtered < 0)
            rc = filtered;
    }
    if (!rc) {
        c.allow = filtered ? s->allow : NULL;
        rc = lx_relcall_score(&c, err);
    }
    /* The best, with room for the near-duplicates that will be dropped. */
    if (!rc)
        rc = lx_relcall_best(&c, limit + o->offset + 8);
    if (!rc) {
        lx_relcall_snippet_terms(&c);
        rc = lx_relcall_page(&c, o, limit, t0, out, err);
    }
    lx_relcall_end(&c);
    if (rc && err && !err->code)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return rc;
}

int lx_related_query(lx_searcher *s, const char *id, lx_relquery *q, lx_error *err) {
    memset(q, 0, sizeof *q);
    lx_error_clear(err);
    if (!id || !id[0])
        return lx_fail(err, LX_EINVAL, "id", -1, "a lecture id is required");
    rel_call c;
    int rc = call_begin(&c, s, id, &s->ix->params, err);
    if (!rc) {
        q->self = c.self;
        q->k1 = c.sc.k1;
        for (int j = 0; j < c.ns; j++) {
            const rel_info *in = &c.r->info[c.r->t[c.sel[j]].id];
            memcpy(q->term[j], c.r->keys.p + in->key, in->klen);
            q->term[j][in->klen] = 0;
            q->w[j] = term_weight(&c, j);
        }
        q->nterms = c.ns;
        for (int i = 0; i < c.ntags; i++) {
            snprintf(q->tag[i], sizeof q->tag[i], "%s", c.tags[i].name);
            q->tag_w[i] = lx_rel_tag_weight(c.sc.k1, c.sc.N, c.tags[i].n);
        }
        q->ntags = c.ntags;
    }
    lx_relcall_end(&c);
    if (rc && err && !err->code)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return rc;
}
