/* reltext.c -- lectures like a text (POST /api/related {"text"}, lx_search
 * with LX_SEARCH_TEXT): the text's best lectures become the sources of a
 * related-lectures call (relcall.h), as one lecture is for lx_related.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "filter.h"
#include "record.h"
#include "related.h"
#include "relcall.h"
#include "searcher.h"

/* Lectures like a text: the first pass's best RT_DOCS lectures are its
 * sources, each weighing (score / best score)^RT_POW; the text itself
 * weighs RT_TEXT_W times its own counts (see lx_related_text). */
#ifndef RT_DOCS
#define RT_DOCS 10
#endif
#ifndef RT_POW
#define RT_POW 2.0
#endif
#ifndef RT_TEXT_W
#define RT_TEXT_W 1.0
#endif

/* Adds the tags of a source lecture weighing w (summed per tag). */
static int source_tags(rel_call *c, const lx_fields *f, double w, lx_error *err) {
    for (int i = 0; i < f->ntags && i < LX_MAX_TAGS; i++) {
        char key[LX_MAX_TAG_BYTES * 3 + 1];
        size_t kl = lx_tag_normalise(f->tags[i], f->taglen[i], key, sizeof key);
        if (!kl)
            continue;
        int k;
        for (k = 0; k < c->ntags && strcmp(c->tags[k].name, key); k++)
            ;
        if (k < c->ntags) {
            c->tags[k].scale += w;
            continue;
        }
        if (c->ntags == LX_MAX_TAGS)
            continue;
        MDB_val tv;
        int rc = lx_relcall_read_tag(c, key, kl, &tv, err);
        if (rc < 0)
            return rc;
        if (!rc && tv.mv_size >= 4) {
            char *name = c->r->tagkey[c->ntags];
            memcpy(name, key, kl + 1);
            c->tags[c->ntags++] = (rel_tag){name, tv.mv_data, (uint32_t)(tv.mv_size / 4), w};
        }
    }
    return 0;
}

/* One source: its fields analysed and folded in weighing w. */
static int add_source(rel_call *c, const lx_fields *f, double w, int raw, double *ref,
                      lx_error *err) {
    struct lx_relscratch *r = c->r;
    r->lang = lx_stemmers_lookup(c->src.stem, f->lang);
    memcpy(r->langcode, f->lang, sizeof r->langcode);
    if (r->lang < 0)
        return 0; /* a language without a stemmer here: not a source */
    int rc = lx_analyze(f, lx_relterms_token, r, NULL, err);
    if (rc)
        return rc;
    if (r->oom || lx_relterms_resolve(&c->src, r))
        return LX_ENOMEM;
    lx_relterms_fold(r, w, raw, ref);
    return 0;
}

/* A stored lecture (by id) as a source; gone since the first pass: none. */
static int add_lecture(rel_call *c, const char *id, double w, double *ref, char *lang,
                       lx_error *err) {
    uint32_t d;
    int rc = lx_store_docid(c->src.txn, c->src.ix, id, strlen(id), &d);
    if (rc == LX_ENOTFOUND)
        return 0;
    lx_docview v;
    lx_fields f;
    cJSON *holder = NULL;
    if (rc || (rc = lx_store_doc(c->src.txn, c->src.ix, d, &v)) ||
        (rc = lx_fields_from_view(&v, &f, &holder)))
        return rc;
    if (!lang[0])
        memcpy(lang, f.lang, LX_LANG_BYTES);
    rc = add_source(c, &f, w, 0, ref, err);
    if (!rc)
        rc = source_tags(c, &f, w, err);
    cJSON_Delete(holder);
    return rc;
}

/* Lectures like a text (POST /api/related {"text"}, lx_search with
 * LX_SEARCH_TEXT): two passes, pseudo-relevance feedback in the manner of
 * Rocchio and RM3.
 *  1. The text as a search: its most informative words (longq.c), within
 *     the filters; the best RT_DOCS lectures are kept.
 *  2. Those lectures are the query's sources, as the one lecture is for
 *     lx_related: each stored lecture's whole term vector (transcript too),
 *     as a share of its weighted frequency, weighing (score / best)^RT_POW
 *     so that a clear best match leads and a flat first page blends; the
 *     text adds its own counts (RT_TEXT_W, as a description would: a long
 *     text weighs more, a short one leans on what it found); the tags of
 *     the sources weigh as their lectures do.  Then terms are selected and
 *     scored as in lx_related, with no lecture left out: a lecture the text
 *     describes is rightly the first hit.  No near-duplicate test (there is
 *     no lecture to duplicate).
 * Without a hit in the first pass (or a first pass out of its budget) the
 * answer is the first pass's.  The answer carries the first pass's
 * language, corrections and dropped words.  Measured on the TED talks
 * (tests/eval/related/README.md). */
int lx_related_text(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err) {
    double t0 = lx_now_ms();
    *out = NULL;
    lx_error_clear(err);
    uint32_t limit = o->limit ? o->limit : 10;
    if ((uint64_t)limit + o->offset > LX_MAX_RESULTS)
        return lx_fail(err, LX_ELIMIT, "limit", -1, "limit + offset must be at most %d",
                       LX_MAX_RESULTS);
    /* The first pass: the text as a search (its most informative words). */
    lx_search_opts fo = *o;
    fo.flags = (o->flags & ~(LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS)) | LX_SEARCH_TEXT |
               LX_SEARCH_TEXT_PASS;
    fo.limit = RT_DOCS;
    fo.offset = 0;
    lx_results *first = NULL;
    int rc = lx_search(s, &fo, &first, err);
    if (rc)
        return rc;
    if (first->n == 0 || first->partial) { /* nothing to expand from: the search */
        lx_results_free(first);
        fo = *o;
        fo.flags |= LX_SEARCH_TEXT | LX_SEARCH_TEXT_PASS;
        return lx_search(s, &fo, out, err);
    }
    if ((rc = lx_query_parse("", 0, &s->q, err)) || (rc = lx_relcall_scratch(s, err))) {
        lx_results_free(first);
        return rc;
    }
    rel_call c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.self = REL_NO_SELF;
    rc = lx_searcher_begin(s, o->params ? o->params : &s->ix->params, err);
    if (!rc) {
        c.r = s->rel;
        c.src = (lx_relsrc){&s->stem, s->txn, s->ix, s->snap, s->sc.N};
        c.ndocs = s->st.next_doc;
        c.sc = s->sc;
        c.sc.k1 = REL_K1;
        rc = lx_relcall_arrays(c.r, c.ndocs);
    }
    if (!rc)
        rc = lx_relcall_reset(c.r);
    double ref = 0, best = first->hits[0].score;
    char lang[LX_LANG_BYTES] = ""; /* the best lecture's */
    for (size_t i = 0; i < first->n && !rc; i++) {
        double x = best > 0 ? first->hits[i].score / best : 0;
        if (x > 0)
            rc = add_lecture(&c, first->hits[i].id, pow(x, RT_POW), &ref, lang, err);
    }
    if (!rc && RT_TEXT_W > 0) {
        lx_fields tf;
        memset(&tf, 0, sizeof tf);
        const char *text = o->query ? o->query : "";
        size_t len = strlen(text);
        if (len > LX_MAX_TEXT_BYTES)
            len = LX_MAX_TEXT_BYTES;
        tf.text[LX_F_DESCRIPTION] = text;
        tf.len[LX_F_DESCRIPTION] = len;
        memcpy(tf.lang, first->query_lang[0] ? first->query_lang : lang, sizeof tf.lang);
        rc = add_source(&c, &tf, RT_TEXT_W, 1, &ref, err); /* its own counts */
    }
    if (!rc) {
        c.ns = lx_relterms_select(&c.src, c.r, c.sel, err);
        if (c.ns < 0)
            rc = c.ns;
    }
    if (!rc) {
        s->nqc = 0;
        int filtered = lx_search_filter(s, o, err);
        if (filtered < 0)
            rc = filtered;
        else
            c.allow = filtered ? s->allow : NULL;
    }
    if (!rc)
        rc = lx_relcall_score(&c, err);
    if (!rc)
        rc = lx_relcall_best(&c, limit + o->offset);
    if (!rc) {
        lx_relcall_snippet_terms(&c);
        rc = lx_relcall_page(&c, o, limit, t0, out, err);
    }
    lx_relcall_end(&c);
    if (!rc) { /* what the first pass says of the text */
        lx_results *r = *out;
        memcpy(r->query_lang, first->query_lang, sizeof r->query_lang);
        r->query_lang_source = first->query_lang_source;
        memcpy(r->query_lang_why, first->query_lang_why, sizeof r->query_lang_why);
        r->did_you_mean = first->did_you_mean;
        r->n_corrections = first->n_corrections;
        r->corrections = first->corrections;
        r->truncated = first->truncated;
        r->n_dropped = first->n_dropped;
        r->dropped = first->dropped;
        r->forgive = first->forgive;
        first->forgive = NULL;
    }
    lx_results_free(first);
    if (rc && err && !err->code)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return rc;
}
