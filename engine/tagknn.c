/* tagknn.c -- tag suggestions for every untagged lecture at once
 * (lx_suggest_tags_untagged: what lectern-index --suggest-tags stores).
 *
 * The model is lx_suggest_tags' (tagsuggest.c): the LX_SUGGEST_NEIGHBOURS
 * nearest tagged lectures by the related-lectures similarity vote their
 * curated tags, each with weight (score / best)^LX_SUGGEST_POW.  Asked
 * once per lecture, that similarity re-tokenises the lecture's stored text
 * for its terms and decodes some 28,000 postings of its 60 best terms (on
 * TED): 0.8 ms a lecture, +69% of a TED build's CPU for the 3,916
 * untagged talks.  Here the work is shared by all of them, from the
 * inverted index alone, in one pass over the posting lists:
 *
 *  1. Lectures.  Every stored lecture is read once: the untagged ones
 *     (without stored suggestions, when only new ones are asked for) are
 *     the queries; the tagged ones the candidates, their curated tags
 *     interned.
 *  2. One pass over the posting lists, in key order.  A term in 2 to
 *     REL_MAX_DF of the lectures (relterms.c's rule; pure numbers and the
 *     query's language's stopwords left out) gives each query lecture in
 *     its list the term's significance wtf * idf (wtf: the tfs weighted by
 *     relterms.h's SEL_W), kept in that lecture's heap of its REL_TERMS
 *     best (terms with wtf < REL_MIN_WTF only fill a short lecture's
 *     query); and each tagged lecture in its list the term's saturated
 *     BM25F frequency tf~ / (k1 + tf~) (k1 = REL_K1), appended to the
 *     term's impact list.  Every list is decoded once, not once per query.
 *  3. Per query lecture: its selected terms weighted as lx_related weighs
 *     them, idf * (k1 + 1) * (sig / best)^REL_QPOW, their impact lists summed
 *     into scores over the tagged lectures only (about a third of the
 *     postings lx_related walks on TED), the best LX_SUGGEST_NEIGHBOURS
 *     vote.
 *
 * It differs from lx_suggest_tags on purpose in two ways: only tagged
 * lectures are candidates (untagged neighbours cast no vote there but take
 * a neighbour's place), and near-duplicates are not dropped (a tagged
 * near-copy is the best voter there is).  Five-fold cross-validation on
 * the TED talks measures both paths (tests/eval/tagsuggest/README.md).
 *
 * Memory: the impact lists of the tagged lectures' terms (8 bytes a
 * posting: 1.3 million on TED) and REL_TERMS heap entries per query
 * lecture on each side of REL_MIN_WTF.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "error.h"
#include "grow.h"
#include "relterms.h"
#include "searcher.h"
#include "stop.h"
#include "strmap.h"
#include "tagsuggest.h"

#define KNN_NONE UINT32_MAX
#define KNN_TAGGED 0x80000000u /* role bit: a candidate (else a query) */
#define KNN_LANGS 32           /* query languages told apart for stopwords */

typedef struct knn_pick {
    float sig;
    uint32_t term;
} knn_pick;

typedef struct knn {
    lx_searcher *s;
    uint32_t ndocs;
    uint32_t *role; /* per docid: query index, KNN_TAGGED | candidate index, KNN_NONE */
    /* The query lectures. */
    uint32_t nq;
    uint32_t *qdoc;
    uint8_t *qlang;
    char lang[KNN_LANGS][LX_LANG_BYTES];
    int nlang;
    knn_pick *pick; /* per query: 2 * REL_TERMS (wtf >= REL_MIN_WTF, then below) */
    uint8_t *npick; /* per query: 2 counts */
    /* The candidates and their curated tags (tag ids, CSR). */
    uint32_t nc;
    uint32_t *cdoc, *ctag_end;
    uint32_t *ctag;
    size_t nctag, capctag;
    lx_strmap tags;
    const char **tagname;
    uint32_t ntag, captag;
    /* Terms: idf and impact lists (CSR over candidate postings). */
    uint32_t nterm, capterm;
    double *idf;
    uint32_t *imp_end;
    uint32_t *imp_c;
    float *imp_s;
    size_t nimp, capimp;
} knn;

static int grow(void *pp, size_t size, size_t need, size_t *cap) {
    return lx_grow(pp, size, need, cap, 1024);
}

/* grow() for a uint32_t capacity. */
static int grow32(void *pp, size_t size, size_t need, uint32_t *cap) {
    size_t c = *cap;
    int rc = grow(pp, size, need, &c);
    *cap = (uint32_t)c;
    return rc;
}

static void knn_free(knn *k) {
    free(k->role);
    free(k->qdoc);
    free(k->qlang);
    free(k->pick);
    free(k->npick);
    free(k->cdoc);
    free(k->ctag_end);
    free(k->ctag);
    lx_strmap_free(&k->tags);
    free(k->tagname);
    free(k->idf);
    free(k->imp_end);
    free(k->imp_c);
    free(k->imp_s);
}

/* ---- 1. the lectures ------------------------------------------------------------- */

static void add_query(knn *k, uint32_t d, const char *lang) {
    int l;
    for (l = 0; l < k->nlang && strcmp(k->lang[l], lang); l++)
        ;
    if (l == k->nlang && k->nlang < KNN_LANGS)
        snprintf(k->lang[k->nlang++], LX_LANG_BYTES, "%s", lang);
    k->qlang[k->nq] = (uint8_t)(l < KNN_LANGS ? l : KNN_LANGS - 1);
    k->qdoc[k->nq] = d;
    k->role[d] = k->nq++;
}

/* The tag's id, interned on first sight. */
static int tag_id(knn *k, const char *tag, uint32_t *id) {
    size_t len = strlen(tag);
    uint32_t h = lx_hash(tag, len), *v = lx_strmap_get(&k->tags, tag, len, h);
    if (v) {
        *id = *v;
        return 0;
    }
    const char *stored;
    if (grow32(&k->tagname, sizeof *k->tagname, k->ntag + 1, &k->captag) ||
        !lx_strmap_put(&k->tags, tag, len, h, k->ntag, &stored))
        return LX_ENOMEM;
    k->tagname[k->ntag] = stored;
    *id = k->ntag++;
    return 0;
}

static int add_candidate(knn *k, uint32_t d, const char *meta) {
    int oom, rc = 0;
    cJSON *tags = lx_meta_tags(meta, &oom);
    const cJSON *t;
    if (oom)
        return LX_ENOMEM;
    cJSON_ArrayForEach(t, tags) if (!rc && cJSON_IsString(t) && t->valuestring[0]) {
        uint32_t id;
        rc = tag_id(k, t->valuestring, &id);
        if (!rc && !(rc = grow(&k->ctag, sizeof *k->ctag, k->nctag + 1, &k->capctag)))
            k->ctag[k->nctag++] = id;
    }
    cJSON_Delete(tags);
    if (rc)
        return rc;
    k->cdoc[k->nc] = d;
    k->ctag_end[k->nc] = (uint32_t)k->nctag;
    k->role[d] = KNN_TAGGED | k->nc++;
    return 0;
}

/* Reads every stored lecture into its role. */
static int read_lectures(knn *k, int only_new) {
    lx_searcher *s = k->s;
    int rc = 0;
    for (uint32_t d = 0; d < k->ndocs && !rc; d++) {
        lx_docview v;
        int g = lx_store_doc(s->txn, s->ix, d, &v);
        if (g == LX_ENOTFOUND)
            continue;
        if (g)
            return g;
        if (!lx_meta_untagged(v.meta)) {
            rc = add_candidate(k, d, v.meta);
            continue;
        }
        unsigned ns = 0;
        char one[LX_MAX_TAG_BYTES * 3 + 2];
        if (only_new && (rc = lx_store_suggested_of(s->txn, s->ix, d, one, sizeof one, &ns)))
            return rc;
        if (!ns)
            add_query(k, d, v.h.lang);
    }
    return rc;
}

/* ---- 2. the pass over the posting lists -------------------------------------------- */

/* Min-heap on significance (then term id), at most REL_TERMS. */
static int pick_less(const knn_pick *a, const knn_pick *b) {
    return a->sig < b->sig || (a->sig == b->sig && a->term > b->term);
}

static void pick_push(knn_pick *h, uint8_t *n, knn_pick e) {
    uint32_t i;
    if (*n < REL_TERMS) {
        i = (*n)++;
        while (i && pick_less(&e, &h[(i - 1) / 2])) {
            h[i] = h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h[i] = e;
        return;
    }
    if (!pick_less(&h[0], &e))
        return;
    i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && pick_less(&h[c + 1], &h[c]))
            c++;
        if (!pick_less(&h[c], &e))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = e;
}

/* Whether a term is a pure number (not a subject). */
static int number(const char *t, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return 1;
}

/* Adds the postings of term (a list of df lectures) to the query heaps
 * and to its impact list. */
static int scan_term(knn *k, lx_pcursor *pc, const char *term, size_t tl, double df) {
    if (k->nterm == k->capterm) {
        uint32_t cap = k->capterm ? k->capterm * 2 : 4096;
        double *idf = realloc(k->idf, cap * sizeof *idf);
        if (idf)
            k->idf = idf;
        uint32_t *end = idf ? realloc(k->imp_end, cap * sizeof *end) : NULL;
        if (!end)
            return LX_ENOMEM;
        k->imp_end = end;
        k->capterm = cap;
    }
    uint32_t stop = 0, ti = k->nterm;
    for (int l = 0; l < k->nlang; l++)
        stop |= (uint32_t)(lx_stopword(k->lang[l], term, tl) != 0) << l;
    double idf = lx_idf(k->s->sc.N, df);
    const float *invb = k->s->sc.invb;
    while (pc->doc != LX_DOC_END) {
        lx_pcursor_tf_block(pc);
        if (k->nimp + pc->n > k->capimp) {
            size_t cap = k->capimp;
            if (grow(&k->imp_c, sizeof *k->imp_c, k->nimp + pc->n, &cap))
                return LX_ENOMEM;
            float *is = realloc(k->imp_s, cap * sizeof *is);
            if (!is)
                return LX_ENOMEM;
            k->imp_s = is;
            k->capimp = cap;
        }
        for (uint32_t i = pc->i; i < pc->n; i++) {
            uint32_t d = pc->docs[i], r = d < k->ndocs ? k->role[d] : KNN_NONE;
            if (r == KNN_NONE)
                continue;
            unsigned m = pc->maskp ? pc->maskp[i] & pc->listmask : pc->listmask;
            if (r & KNN_TAGGED) {
                double tn = lx_bm25f_tf(pc->tf[i], invb + (size_t)d * LX_NFIELDS, m);
                k->imp_c[k->nimp] = r & ~KNN_TAGGED;
                k->imp_s[k->nimp++] = (float)(tn / (REL_K1 + tn));
                continue;
            }
            if (stop >> k->qlang[r] & 1)
                continue;
            double wtf = 0;
            for (unsigned f = m; f; f &= f - 1)
                wtf += SEL_W[__builtin_ctz(f)] * pc->tf[i][__builtin_ctz(f)];
            if (wtf <= 0)
                continue;
            int lo = wtf < REL_MIN_WTF;
            knn_pick e = {(float)(wtf * idf), ti};
            pick_push(k->pick + ((size_t)r * 2 + lo) * REL_TERMS, &k->npick[r * 2 + lo], e);
        }
        pc->i = pc->n - 1;
        lx_pcursor_next(pc);
    }
    if (pc->rc)
        return pc->rc;
    k->idf[ti] = idf;
    k->imp_end[ti] = (uint32_t)k->nimp;
    k->nterm++;
    return 0;
}

static int scan_lists(knn *k) {
    lx_searcher *s = k->s;
    double N = s->sc.N,
           maxdf = REL_MAX_DF * N > REL_MAX_DF_FLOOR ? REL_MAX_DF * N : REL_MAX_DF_FLOOR;
    lx_pcursor *pc = malloc(sizeof *pc);
    k->pick = malloc((size_t)k->nq * 2 * REL_TERMS * sizeof *k->pick + 1);
    k->npick = calloc((size_t)k->nq * 2 + 1, 1);
    if (!pc || !k->pick || !k->npick) {
        free(pc);
        return LX_ENOMEM;
    }
    lx_store_iter it;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_POST, &it);
    MDB_val kv, v;
    while (!rc && (rc = lx_store_iter_next(&it, &kv, &v)) == 1) {
        uint32_t df = 0;
        rc = 0;
        if (!v.mv_size || !kv.mv_size || kv.mv_size >= LX_TOKEN_BUF)
            continue;
        lx_vbyte_get(v.mv_data, (const uint8_t *)v.mv_data + v.mv_size, &df);
        if (df < 2 || df > maxdf || number(kv.mv_data, kv.mv_size))
            continue;
        if (lx_pcursor_open_limit(pc, v.mv_data, v.mv_size, k->ndocs))
            rc = LX_ECORRUPT;
        else
            rc = scan_term(k, pc, kv.mv_data, kv.mv_size, df);
    }
    lx_store_iter_close(&it);
    free(pc);
    return rc;
}

/* ---- 3. neighbours and votes ---------------------------------------------------------- */

typedef struct knn_call {
    double *score; /* per candidate */
    lx_scored *top;
    double *votes; /* per tag */
    uint32_t *voted, nvoted;
    lx_tag_suggestion *out;
} knn_call;

typedef struct knn_sort {
    const knn *k;
    const double *votes;
} knn_sort;

static int cmp_voted(const void *a, const void *b, void *ctx) {
    const knn_sort *o = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (o->votes[x] != o->votes[y])
        return o->votes[x] > o->votes[y] ? -1 : 1;
    return strcmp(o->k->tagname[x], o->k->tagname[y]);
}

/* Query q's neighbours into c->top; returns how many. */
static uint32_t neighbours(const knn *k, knn_call *c, uint32_t q) {
    knn_pick sel[REL_TERMS];
    uint32_t ns = 0;
    const knn_pick *hi = k->pick + (size_t)q * 2 * REL_TERMS, *lo = hi + REL_TERMS;
    for (uint32_t i = 0; i < k->npick[q * 2]; i++)
        sel[ns++] = hi[i];
    knn_pick low[REL_TERMS];
    uint32_t nl = k->npick[q * 2 + 1];
    memcpy(low, lo, nl * sizeof *low);
    while (ns < REL_TERMS && nl) { /* the best of the rest fill a short query */
        uint32_t b = 0;
        for (uint32_t i = 1; i < nl; i++)
            if (pick_less(&low[b], &low[i]))
                b = i;
        sel[ns++] = low[b];
        low[b] = low[--nl];
    }
    double best = 0;
    for (uint32_t j = 0; j < ns; j++)
        best = sel[j].sig > best ? sel[j].sig : best;
    memset(c->score, 0, k->nc * sizeof *c->score);
    for (uint32_t j = 0; j < ns; j++) {
        uint32_t t = sel[j].term, e = t ? k->imp_end[t - 1] : 0;
        double w = lx_bm25f_weight(k->idf[t], REL_K1, pow(sel[j].sig / best, REL_QPOW));
        for (; e < k->imp_end[t]; e++)
            c->score[k->imp_c[e]] += w * k->imp_s[e];
    }
    uint32_t nh = 0;
    for (uint32_t i = 0; i < k->nc; i++)
        if (c->score[i] > 0 && (nh < LX_SUGGEST_NEIGHBOURS || c->score[i] >= c->top[0].score))
            lx_topk_push(c->top, &nh, LX_SUGGEST_NEIGHBOURS, (lx_scored){c->score[i], i});
    qsort(c->top, nh, sizeof *c->top, lx_scored_cmp);
    return nh;
}

/* Query q's suggestions into c->out; returns how many (at most limit). */
static size_t vote(const knn *k, knn_call *c, uint32_t q, unsigned limit) {
    uint32_t nh = neighbours(k, c, q);
    double best = nh ? c->top[0].score : 0, total = 0;
    c->nvoted = 0;
    for (uint32_t i = 0; i < nh; i++) {
        uint32_t ci = c->top[i].doc, e = ci ? k->ctag_end[ci - 1] : 0;
        double w = pow(c->top[i].score / best, LX_SUGGEST_POW);
        total += e < k->ctag_end[ci] ? w : 0;
        for (; e < k->ctag_end[ci]; e++) {
            uint32_t t = k->ctag[e];
            if (c->votes[t] == 0)
                c->voted[c->nvoted++] = t;
            c->votes[t] += w;
        }
    }
    qsort_r(c->voted, c->nvoted, sizeof *c->voted, cmp_voted, &(knn_sort){k, c->votes});
    size_t n = c->nvoted < limit ? c->nvoted : limit;
    for (size_t i = 0; i < n; i++)
        c->out[i] = (lx_tag_suggestion){k->tagname[c->voted[i]], c->votes[c->voted[i]] / total, 0};
    for (uint32_t i = 0; i < c->nvoted; i++)
        c->votes[c->voted[i]] = 0;
    return n;
}

static int suggest_all(knn *k, unsigned limit, lx_suggest_fn fn, void *ctx) {
    knn_call c = {0};
    c.score = malloc((k->nc + 1) * sizeof *c.score);
    c.top = malloc(LX_SUGGEST_NEIGHBOURS * sizeof *c.top);
    c.votes = calloc(k->ntag + 1, sizeof *c.votes);
    c.voted = malloc((k->ntag + 1) * sizeof *c.voted);
    c.out = malloc(limit * sizeof *c.out);
    int rc = c.score && c.top && c.votes && c.voted && c.out ? 0 : LX_ENOMEM;
    for (uint32_t q = 0; q < k->nq && !rc; q++) {
        size_t n = vote(k, &c, q, limit);
        lx_docview v;
        if (!(rc = lx_store_doc(k->s->txn, k->s->ix, k->qdoc[q], &v)))
            rc = fn(ctx, v.id, c.out, n);
    }
    free(c.score);
    free(c.top);
    free(c.votes);
    free(c.voted);
    free(c.out);
    return rc;
}

int lx_suggest_tags_untagged(lx_searcher *s, unsigned limit, int only_new, lx_suggest_fn fn,
                             void *ctx, lx_error *err) {
    lx_error_clear(err);
    if (!limit)
        limit = 10;
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    knn k = {.s = s, .ndocs = s->st.next_doc};
    lx_strmap_init(&k.tags);
    size_t nd = (size_t)k.ndocs + 1;
    k.role = malloc(nd * sizeof *k.role);
    k.qdoc = malloc(nd * sizeof *k.qdoc);
    k.qlang = malloc(nd);
    k.cdoc = malloc(nd * sizeof *k.cdoc);
    k.ctag_end = malloc(nd * sizeof *k.ctag_end);
    if (!k.role || !k.qdoc || !k.qlang || !k.cdoc || !k.ctag_end)
        rc = LX_ENOMEM;
    else
        memset(k.role, 0xff, nd * sizeof *k.role);
    if (!rc)
        rc = read_lectures(&k, only_new);
    if (!rc && k.nq && k.nc)
        rc = scan_lists(&k);
    if (!rc && k.nq && k.nc)
        rc = suggest_all(&k, limit, fn, ctx);
    knn_free(&k);
    lx_searcher_end(s);
    if (rc && err && !err->code)
        lx_fail(err, rc, NULL, -1, "suggesting tags: %s", lx_strerror(rc));
    return rc;
}
