/* filter.c -- what a search may return, as one bitmap over docids
 * (s->allow): the tags option and tag: in the query (all of them), the
 * lang option and lang: (any of them), the speaker option and speaker:
 * (a phrase in the speaker field), and exclusions (-word).  Scoring then
 * skips every lecture outside it.  A tag or language the index does not
 * have permits nothing; one that cannot be read is an error.
 */
#include <string.h>

#include "bitmap.h"
#include "error.h"
#include "filter.h"
#include "plan.h"
#include "record.h"

/* ANDs the lectures with tag (normalised) into s->allow. */
static int and_tag(lx_searcher *s, const char *tag, size_t n) {
    MDB_val v;
    int rc = lx_store_tag(s->txn, s->ix, tag, n, &v);
    if (rc && rc != LX_ENOTFOUND)
        return lx_searcher_fail(s, rc, "tags", -1, "cannot read tag \"%.*s\"", (int)n, tag);
    if (!s->suggested || n > LX_MAX_TAG_BYTES * 3) {
        lx_bitmap_and_list(s->allow, s->tmp, s->words, v.mv_data, v.mv_size / 4);
        return 0;
    }
    /* suggested=1: the lectures with the tag curated or suggested. */
    char key[LX_MAX_TAG_BYTES * 3 + 2];
    key[0] = LX_SUGGEST_PREFIX;
    memcpy(key + 1, tag, n);
    MDB_val sv;
    rc = lx_store_tag(s->txn, s->ix, key, n + 1, &sv);
    if (rc && rc != LX_ENOTFOUND)
        return lx_searcher_fail(s, rc, "tags", -1, "cannot read tag \"%.*s\"", (int)n, tag);
    memset(s->tmp, 0, s->words * sizeof *s->tmp);
    lx_bitmap_set_list(s->tmp, s->words, v.mv_data, v.mv_size / 4);
    lx_bitmap_set_list(s->tmp, s->words, sv.mv_data, sv.mv_size / 4);
    for (size_t i = 0; i < s->words; i++)
        s->allow[i] &= s->tmp[i];
    return 0;
}

/* ORs the lectures in language code into s->tmp. */
static int or_lang(lx_searcher *s, const char *code) {
    MDB_val v;
    int rc = lx_store_lang(s->txn, s->ix, code, strlen(code), &v);
    if (rc && rc != LX_ENOTFOUND)
        return lx_searcher_fail(s, rc, "lang", -1, "cannot read language \"%s\"", code);
    lx_bitmap_set_list(s->tmp, s->words, v.mv_data, v.mv_size / 4);
    return 0;
}

/* Tags (option, comma-separated, and tag:) and languages (option and
 * lang:).  Returns 1 when one applies, 0, or the sticky error. */
static int filter_tags_langs(lx_searcher *s, const lx_search_opts *o) {
    int any = 0;
    char tag[LX_MAX_TAG_BYTES * 3 + 1];
    const char *p = o->tags;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > LX_MAX_TAG_BYTES)
            return lx_searcher_fail(s, LX_ELIMIT, "tags", -1, "tag longer than %d bytes",
                                    LX_MAX_TAG_BYTES);
        size_t kl = lx_tag_normalise(p, n, tag, sizeof tag);
        if (kl) {
            if (and_tag(s, tag, kl))
                return s->rc;
            any = 1;
        }
        p = e ? e + 1 : NULL;
    }
    for (int i = 0; i < s->q.ntags; i++) {
        if (and_tag(s, s->q.tags[i], strlen(s->q.tags[i])))
            return s->rc;
        any = 1;
    }
    /* Languages: any of the asked ones. */
    char code[LX_LANG_BYTES];
    int nlf = 0;
    memset(s->tmp, 0, s->words * 8);
    if (o->lang && o->lang[0]) {
        /* The same lookup as records use, so "EN", "en-GB" and "english"
         * find the lectures stored as "en", and "xx" is refused rather
         * than matching nothing. */
        if (lx_language_lookup(o->lang, code) < 0)
            return lx_searcher_fail(s, LX_EINVAL, "lang", -1,
                                    "not a language code: \"%.32s\" (an ISO 639-1 code like en "
                                    "or fi)",
                                    o->lang);
        if (or_lang(s, code))
            return s->rc;
        nlf++;
    }
    for (int i = 0; i < s->q.nlangs; i++) {
        if (or_lang(s, s->q.langs[i]))
            return s->rc;
        nlf++;
    }
    if (nlf) {
        for (size_t i = 0; i < s->words; i++)
            s->allow[i] &= s->tmp[i];
        any = 1;
    }
    return any;
}

/* The speaker option becomes a phrase clause in the speaker field of
 * s->q.  Returns 1 when it applies, 0, or the sticky error. */
static int filter_speaker(lx_searcher *s, const lx_search_opts *o) {
    lx_query *q = &s->q;
    if (!o->speaker || !o->speaker[0])
        return 0;
    size_t sl = strlen(o->speaker);
    if (sl > LX_MAX_QUERY_BYTES - 2)
        return lx_searcher_fail(s, LX_ELIMIT, "speaker", -1, "longer than %d bytes",
                                LX_MAX_QUERY_BYTES - 2);
    char buf[LX_MAX_QUERY_BYTES + 1];
    buf[0] = '"';
    for (size_t i = 0; i < sl; i++)
        buf[i + 1] = o->speaker[i] == '"' ? ' ' : o->speaker[i];
    buf[sl + 1] = '"';
    int rc = lx_query_parse(buf, sl + 2, &s->q2, s->err);
    if (rc)
        return s->rc = rc;
    if (!s->q2.nclauses) {
        /* A speaker without a word ("-", "!!") matches nobody. */
        memset(s->allow, 0, s->words * 8);
        return 1;
    }
    if (q->nwords + s->q2.clauses[0].n > LX_MAX_QUERY_TERMS || q->nclauses >= LX_MAX_QUERY_TERMS)
        return lx_searcher_fail(s, LX_ELIMIT, "speaker", -1, "too many terms with the query");
    int first = q->nwords;
    for (int j = 0; j < s->q2.clauses[0].n; j++)
        q->words[q->nwords++] = s->q2.words[s->q2.clauses[0].first + j];
    lx_qclause *cl = &q->clauses[q->nclauses++];
    *cl = s->q2.clauses[0];
    cl->first = first;
    cl->filter = 1;
    cl->field = LX_F_SPEAKER;
    return 0;
}

int lx_filter_build(lx_searcher *s, const lx_search_opts *o, const int *langs, int nl) {
    if (s->rc)
        return s->rc;
    lx_bitmap_fill(s->allow, s->words, s->st.next_doc);
    int any = filter_tags_langs(s, o);
    if (any < 0)
        return any;
    int sp = filter_speaker(s, o);
    if (sp < 0)
        return sp;
    any |= sp;
    /* Speaker phrases (option and speaker: clauses) and exclusions. */
    lx_query *q = &s->q;
    for (int ci = 0; ci < q->nclauses; ci++) {
        lx_qclause *cl = &q->clauses[ci];
        if (!cl->filter && !cl->neg)
            continue;
        memset(s->tmp, 0, s->words * 8);
        lx_qclause c2 = *cl;
        if (cl->filter)
            c2.kind = LX_QC_PHRASE;
        int rc = lx_plan_clause_mark(s, &c2, langs, nl, cl->filter ? cl->field : -1, s->tmp);
        if (rc == LX_ELIMIT && !s->rc)
            return lx_searcher_fail(s, rc, NULL, (long)cl->offset, "too many terms");
        if (rc)
            return rc;
        if (cl->neg)
            for (size_t i = 0; i < s->words; i++)
                s->allow[i] &= ~s->tmp[i];
        else
            for (size_t i = 0; i < s->words; i++)
                s->allow[i] &= s->tmp[i];
        any = 1;
    }
    return any;
}

int lx_search_filter(lx_searcher *s, const lx_search_opts *o, lx_error *err) {
    int langs[LX_MAX_LANGS];
    s->err = err;
    int nl = lx_plan_langs(s, o, langs);
    return lx_filter_build(s, o, langs, nl);
}

int lx_filter_live(lx_searcher *s, uint64_t *b) {
    memset(b, 0, s->words * 8);
    if (s->rc)
        return s->rc;
    lx_store_iter it;
    MDB_val k, v;
    int r = lx_store_iter_open(s->txn, s->ix, LX_DB_LANGS, &it);
    if (!r) {
        while ((r = lx_store_iter_next(&it, &k, &v)) > 0)
            lx_bitmap_set_list(b, s->words, v.mv_data, v.mv_size / 4);
        lx_store_iter_close(&it);
    }
    if (r < 0)
        return lx_searcher_fail(s, r, NULL, -1, "cannot read the lectures' languages");
    return 0;
}
