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
 *     those of lx_topk on the same cursors (the arithmetic of lx_qcur_score,
 *     summed in cursor order, ties by docid; checked on all 1,997 TED
 *     queries).  The same pass records which selected terms each lecture
 *     has (shared_terms).  Filters (tags, lang, speaker) apply through the
 *     permitted-docs bitmap; the lecture itself is skipped.
 *  4. Near-duplicates are dropped from the page: the same title and
 *     speaker, the same title and body length, or a total length within
 *     10% and a cosine above REL_DUP_COS of the tf-idf vectors over the
 *     selected terms ("almost the same text"; computed only for lectures
 *     that have 80% of those terms).
 *
 * The constants were chosen on the TED talks by tag-overlap nDCG@10
 * (tests/eval/related/README.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "reldup.h"
#include "relterms.h"

/* ---- 3. scoring ------------------------------------------------------------------ */

static int allowed(const uint64_t *allow, uint32_t d) {
    return allow[d >> 6] >> (d & 63) & 1;
}

/* ---- 4. the page ------------------------------------------------------------------ */

typedef struct rel_tag {
    const char *name;    /* normalised, in the scratch */
    const uint8_t *docs; /* u32 docids ascending, in the map */
    uint32_t n;
} rel_tag;

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

/* ---- the call ---------------------------------------------------------------------- */

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
    if (!s->rel && !(s->rel = calloc(1, sizeof *s->rel)))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    struct lx_relscratch *r = s->rel;
    if (lx_relterms_map_init(&r->words) || lx_relterms_map_init(&r->terms))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    const lx_rank_params *p = o->params ? o->params : &s->ix->params;
    if ((rc = lx_searcher_begin(s, p, err)))
        return rc;
    cJSON *holder = NULL;
    lx_resbuild *b = NULL;
    uint32_t self;
    lx_docview v;
    lx_fields f;
    rc = lx_store_docid(s->txn, s->ix, id, strlen(id), &self);
    if (rc == LX_ENOTFOUND) {
        lx_searcher_end(s);
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    }
    if (rc || (rc = lx_store_doc(s->txn, s->ix, self, &v)) ||
        (rc = lx_fields_from_view(&v, &f, &holder)))
        goto done;
    uint32_t ndocs = s->st.next_doc;
    if (ndocs > r->capdoc) {
        free(r->score);
        free(r->mask);
        r->score = malloc(ndocs * sizeof *r->score);
        r->mask = malloc(ndocs * sizeof *r->mask);
        r->capdoc = r->score && r->mask ? ndocs : 0;
        if (!r->capdoc) {
            rc = LX_ENOMEM;
            goto done;
        }
    }
    if (++r->gen == 0) { /* wrapped: no stamp may look current */
        for (uint32_t i = 0; i < r->ninfo; i++)
            r->info[i].stamp = 0;
        for (uint32_t i = 0; i < r->seencap; i++)
            r->seen[i].stamp = 0;
        r->gen = 1;
    }

    /* 1. The lecture's terms. */
    if (r->words.n > REL_CACHE_WORDS)
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
            rc = LX_ENOMEM;
            goto done;
        }
    }
    r->lang = lx_stemmers_lookup(&s->stem, f.lang);
    memcpy(r->langcode, f.lang, sizeof r->langcode);
    if (r->lang < 0) {
        rc = LX_ELIMIT;
        goto done;
    }
    if ((rc = lx_analyze(&f, lx_relterms_token, r, NULL, err)))
        goto done;
    if (r->oom || lx_relterms_resolve(s, r)) {
        rc = LX_ENOMEM;
        goto done;
    }

    /* 2. The significant ones. */
    uint32_t sel[REL_TERMS];
    int ns = lx_relterms_select(s, r, sel);
    if (ns < 0) {
        rc = LX_ENOMEM;
        goto done;
    }

    /* Its tags, rarest first. */
    rel_tag tags[LX_MAX_TAGS];
    int ntags = 0;
    for (int i = 0; i < f.ntags && i < LX_MAX_TAGS; i++) {
        char *key = r->tagkey[ntags];
        size_t kl = lx_tag_normalise(f.tags[i], f.taglen[i], key, sizeof r->tagkey[0]);
        MDB_val k = {kl, key}, tv;
        if (!kl || mdb_get(s->txn, s->ix->tags, &k, &tv) || tv.mv_size < 4)
            continue;
        tags[ntags++] = (rel_tag){key, tv.mv_data, (uint32_t)(tv.mv_size / 4)};
    }
    qsort(tags, (size_t)ntags, sizeof *tags, cmp_tag_df);

    /* 3. Scores, within the filters and without the lecture itself. */
    s->nqc = 0;
    int filtered = lx_search_filter(s, o, err);
    if (filtered < 0) {
        rc = filtered;
        goto done;
    }
    const uint64_t *allow = s->allow;
    memset(r->score, 0, ndocs * sizeof *r->score);
    memset(r->mask, 0, ndocs * sizeof *r->mask);
    lx_scorer sc = s->sc;
    sc.k1 = REL_K1;
    double best = ns ? r->t[sel[0]].sig : 1.0;
    for (int j = 0; j < ns; j++) {
        rel_term *t = &r->t[sel[j]];
        lx_pcursor *pc = lx_searcher_pcursor(s);
        if (!pc) {
            rc = LX_ENOMEM;
            goto done;
        }
        if (lx_pcursor_open(pc, t->post, t->postlen))
            continue;
        double w = lx_bm25f_weight(t->idf, sc.k1, pow(t->sig / best, REL_QPOW));
        uint64_t bit = 1ull << j;
        /* A block at a time, with the kernel of lx_qcur_score for a TERM
         * cursor (rank.h), without a call per posting. */
        while (pc->doc != LX_DOC_END) {
            lx_pcursor_tf_block(pc);
            for (uint32_t i = pc->i; i < pc->n; i++) {
                uint32_t d = pc->docs[i];
                if (d >= ndocs || (filtered && !allowed(allow, d)))
                    continue;
                unsigned m = pc->maskp ? pc->maskp[i] & pc->listmask : pc->listmask;
                double tn = lx_bm25f_tf(pc->tf[i], sc.invb + (size_t)d * LX_NFIELDS, m);
                r->score[d] += lx_bm25f_term(w, sc.k1, tn);
                r->mask[d] |= bit;
            }
            pc->i = pc->n - 1;
            lx_pcursor_next(pc);
        }
    }
    for (int i = 0; i < ntags && REL_TAG_W > 0; i++) {
        double w = lx_rel_tag_weight(sc.k1, sc.N, tags[i].n);
        for (uint32_t e = 0; e < tags[i].n; e++) {
            uint32_t d;
            memcpy(&d, tags[i].docs + (size_t)e * 4, 4);
            if (d < ndocs && (!filtered || allowed(allow, d)))
                r->score[d] += w;
        }
    }
    /* The best, with room for the near-duplicates that will be dropped. */
    uint32_t k = limit + o->offset + 8;
    if (k > s->heap_cap) {
        lx_scored *h = realloc(s->heap, k * sizeof *h);
        if (!h) {
            rc = LX_ENOMEM;
            goto done;
        }
        s->heap = h;
        s->heap_cap = k;
    }
    uint32_t nh = 0;
    for (uint32_t d = 0; d < ndocs; d++) {
        double x = r->score[d];
        if ((x > 0 || r->mask[d]) && d != self && (nh < k || x >= s->heap[0].score))
            lx_topk_push(s->heap, &nh, k, (lx_scored){x, d});
    }
    qsort(s->heap, nh, sizeof *s->heap, lx_scored_cmp);

    /* Snippets, when asked, show the lecture's best terms. */
    s->snip.n = 0;
    for (int j = 0; j < ns && j < 10; j++) {
        rel_info *in = &r->info[r->t[sel[j]].id];
        s->snip.term[s->snip.n] = (const char *)r->keys.p + in->key;
        s->snip.len[s->snip.n] = in->klen;
        s->snip.n++;
    }

    /* 4. The page, near-duplicates dropped. */
    const uint32_t *norms;
    uint32_t nn;
    lx_store_norms(s->txn, s->ix, &norms, &nn);
    uint64_t selflen = lx_rel_doc_length(norms, nn, self);
    if (!(b = lx_resbuild_new(limit))) {
        rc = LX_ENOMEM;
        goto done;
    }
    lx_pcursor *probe = lx_searcher_pcursor(s);
    uint32_t kept = 0, i;
    for (i = 0; i < nh && kept < limit + o->offset; i++) {
        uint32_t d = s->heap[i].doc;
        uint64_t mask = r->mask[d];
        int dup = 0;
        /* The same title has as many title tokens: only then is the
         * stored lecture read to compare. */
        if (lx_rel_field_length(norms, nn, d, LX_F_TITLE) ==
            lx_rel_field_length(norms, nn, self, LX_F_TITLE)) {
            lx_docview cv;
            if ((rc = lx_store_doc(s->txn, s->ix, d, &cv)))
                goto done;
            if (lx_rel_same_text(cv.title, cv.h.title_len, v.title, v.h.title_len))
                dup = cv.h.body_len == v.h.body_len ||
                      lx_rel_same_speaker(&cv, f.text[LX_F_SPEAKER], f.len[LX_F_SPEAKER]);
        }
        uint64_t len = lx_rel_doc_length(norms, nn, d);
        /* Almost the same text has about the same length and nearly all
         * the selected terms; only then is the lx_relterms_cosine worth computing. */
        if (!dup && len * 10 >= selflen * 9 && selflen * 10 >= len * 9 &&
            __builtin_popcountll(mask) * 5 >= ns * 4)
            dup = lx_relterms_cosine(probe, r, sel, ns, d) > REL_DUP_COS;
        if (dup || kept++ < o->offset)
            continue;
        const char *st[LX_MAX_TAGS], *sw[REL_SHARED_TERMS];
        char forms[REL_SHARED_TERMS][LX_TOKEN_BUF];
        size_t nst = 0, nsw = 0;
        for (int t = 0; t < ntags; t++)
            if (has_doc(tags[t].docs, tags[t].n, d))
                st[nst++] = tags[t].name;
        for (int j = 0; j < ns && nsw < REL_SHARED_TERMS; j++) {
            if (!(mask >> j & 1))
                continue;
            const rel_info *in = &r->info[r->t[sel[j]].id];
            memcpy(forms[nsw], r->keys.p + in->form, in->flen);
            forms[nsw][in->flen] = 0;
            sw[nsw] = forms[nsw];
            nsw++;
        }
        if ((rc = lx_resbuild_hit(b, s, d, s->heap[i].score, (o->flags & LX_SEARCH_SNIPPETS) != 0,
                                  st, nst, sw, nsw)))
            goto done;
    }
    rc = lx_resbuild_finish(b, s, NULL, (uint64_t)kept + (nh - i), 0, t0, out);
done:
    lx_resbuild_free(b);
    if (holder)
        cJSON_Delete(holder);
    lx_searcher_end(s);
    if (rc && err && !err->code)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return rc;
}
