/* tagboost.c -- topic tags are first-class: a run of query words whose
 * stems form a tag's stem form ("higher education", "gender equal")
 * adds a cursor over that tag's lectures, scored like a term with the
 * tag's idf times the tag-boost parameter.
 *
 * The tagstem database (a few hundred forms) is read into memory once
 * per snapshot, as a searcher part: stem form -> group, a group being
 * group[i] .. group[i + 1] in tag[], offsets of NUL-terminated
 * normalised tags in names; forms and tags in database order, so a
 * lookup finds what a cursor on the database would, in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "searcher.h"
#include "tagboost.h"

typedef struct tagforms {
    size_t snap; /* snapshot it was loaded for */
    int have;
    lx_strmap forms;
    uint32_t *group, *tag;
    lx_buf names;
} tagforms;

static void tagforms_clear(tagforms *t) {
    lx_strmap_free(&t->forms);
    free(t->group);
    free(t->tag);
    lx_buf_free(&t->names);
    t->group = t->tag = NULL;
    t->have = 0;
}

static void tagforms_free(void *p) {
    tagforms_clear(p);
    free(p);
}

/* Appends one tagstem entry (k: form, v: tag) to t. */
static int tagforms_add(tagforms *t, const MDB_val *k, const MDB_val *v, MDB_val *last,
                        size_t *ngroups, size_t *ntags, size_t *capg, size_t *capt) {
    if (*ngroups + 2 > *capg) {
        *capg = *capg ? *capg * 2 : 256;
        uint32_t *g = realloc(t->group, *capg * sizeof *g);
        if (!g)
            return LX_ENOMEM;
        t->group = g;
    }
    if (*ntags + 1 > *capt) {
        *capt = *capt ? *capt * 2 : 256;
        uint32_t *x = realloc(t->tag, *capt * sizeof *x);
        if (!x)
            return LX_ENOMEM;
        t->tag = x;
    }
    if (!last->mv_data || k->mv_size != last->mv_size ||
        memcmp(k->mv_data, last->mv_data, k->mv_size)) {
        t->group[*ngroups] = (uint32_t)*ntags;
        if (!lx_strmap_put(&t->forms, k->mv_data, k->mv_size, lx_hash(k->mv_data, k->mv_size),
                           (uint32_t)*ngroups, NULL))
            return LX_ENOMEM;
        (*ngroups)++;
        *last = *k;
    }
    const char *tag = v->mv_data;
    size_t tl = v->mv_size;
    if (tl && tag[0] == LX_LABEL_PREFIX) { /* a topic label names the tag */
        tag++;
        tl--;
    }
    t->tag[(*ntags)++] = (uint32_t)t->names.n;
    if (lx_buf_append(&t->names, tag, tl) || lx_buf_append(&t->names, "", 1))
        return LX_ENOMEM;
    return 0;
}

/* The tag forms of this snapshot, loaded on first use; NULL with the
 * sticky error set when they cannot be read. */
static tagforms *tagforms_load(lx_searcher *s) {
    tagforms *t = lx_searcher_part(s, LX_PART_TAGFORMS);
    if (t && t->have && t->snap == s->snap)
        return t;
    if (!t) {
        if (!(t = calloc(1, sizeof *t))) {
            lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
            return NULL;
        }
        lx_searcher_set_part(s, LX_PART_TAGFORMS, t, tagforms_free);
    }
    tagforms_clear(t);
    lx_strmap_init(&t->forms);
    lx_store_iter it;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGSTEM, &it);
    size_t ngroups = 0, ntags = 0, capg = 0, capt = 0;
    MDB_val k, v, last = {0, NULL};
    int r = 0;
    while (!rc && (r = lx_store_iter_next(&it, &k, &v)) > 0)
        rc = tagforms_add(t, &k, &v, &last, &ngroups, &ntags, &capg, &capt);
    lx_store_iter_close(&it);
    if (!rc && r < 0)
        rc = r;
    if (!rc && !t->group && !(t->group = malloc(sizeof *t->group)))
        rc = LX_ENOMEM;
    if (rc) {
        tagforms_clear(t);
        lx_searcher_fail(s, rc, NULL, -1, "cannot load the tag forms: %s", lx_strerror(rc));
        return NULL;
    }
    t->group[ngroups] = (uint32_t)ntags;
    t->snap = s->snap;
    t->have = 1;
    return t;
}

/* Tags already boosted by this query. */
typedef struct seen_tags {
    int n;
    char tag[LX_MAX_TAG_BOOSTS][LX_MAX_TAG_BYTES * 3 + 1];
} seen_tags;

/* A boost cursor over the lectures of tags db key (kl bytes; tag names it
 * in errors), weighing w, or when w is 0 the tag boost weight of boost for
 * its lecture count; *out NULL when no lecture has it.  0 or the sticky
 * error. */
static int tag_cursor(lx_searcher *s, const char *key, size_t kl, const char *tag, double boost,
                      double w, lx_qcur **out) {
    MDB_val tv;
    *out = NULL;
    int rc = lx_store_tag(s->txn, s->ix, key, kl, &tv);
    if (rc == LX_ENOTFOUND || (!rc && !tv.mv_size))
        return 0;
    if (!rc && lx_store_doclist(&tv, s->st.next_doc))
        rc = LX_ECORRUPT; /* its docids would index the scorer's arrays */
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "cannot read tag \"%.200s\"", tag);
    lx_qcur *c = &s->qc[s->nqc++];
    memset(c, 0, offsetof(lx_qcur, mem));
    c->kind = LX_QK_DOCS;
    c->clause = -1;
    c->docs = tv.mv_data;
    c->ndocs = (uint32_t)(tv.mv_size / 4);
    c->w = w ? w : lx_tag_boost_weight(&s->sc, boost, c->ndocs);
    lx_qcur_start(c, &s->sc);
    *out = c;
    return 0;
}

/* suggested=1: the lectures the tag (normalised, tl bytes) was suggested
 * for get the curated lectures' boost weight w, as one more cursor. */
static int boost_suggested(lx_searcher *s, const char *tag, size_t tl, double w) {
    char key[LX_MAX_TAG_BYTES * 3 + 2];
    if (s->nqc == LX_MAX_CURSORS || tl + 1 > sizeof key)
        return 0;
    key[0] = LX_SUGGEST_PREFIX;
    memcpy(key + 1, tag, tl);
    lx_qcur *c;
    return tag_cursor(s, key, tl + 1, tag, 0, w, &c);
}

/* Adds boost cursors for the tags of group gi; 0 or the sticky error. */
static int boost_group(lx_searcher *s, const tagforms *t, uint32_t gi, double boost,
                       seen_tags *seen) {
    for (uint32_t ti = t->group[gi]; ti < t->group[gi + 1]; ti++) {
        const char *tag = (const char *)t->names.p + t->tag[ti];
        size_t tl = strlen(tag);
        if (tl > LX_MAX_TAG_BYTES * 3 || seen->n == LX_MAX_TAG_BOOSTS || s->nqc == LX_MAX_CURSORS)
            break;
        int dup = 0;
        for (int i = 0; i < seen->n && !dup; i++)
            dup = strlen(seen->tag[i]) == tl && !memcmp(seen->tag[i], tag, tl);
        if (dup)
            continue;
        memcpy(seen->tag[seen->n], tag, tl);
        seen->tag[seen->n][tl] = 0;
        seen->n++;
        lx_qcur *c;
        if (tag_cursor(s, tag, tl, tag, boost, 0, &c))
            return s->rc;
        if (c && s->suggested && boost_suggested(s, tag, tl, c->w))
            return s->rc;
    }
    return 0;
}

/* A run's words stemmed under each query language, each word once: a
 * word is in up to four sub-runs, which start at the last four places,
 * so place p is kept in slot p % 4. */
typedef struct run_terms {
    int have; /* places 0 .. have - 1 stemmed */
    size_t n[4][LX_MAX_LANGS];
    char t[4][LX_MAX_LANGS][LX_TOKEN_BUF];
} run_terms;

/* Stems the run's words up to place p (run[p]) under langs[0..nl). */
static void run_terms_upto(lx_searcher *s, run_terms *rt, const int *run, int p, const int *langs,
                           int nl) {
    for (; rt->have <= p; rt->have++) {
        const lx_qword *w = &s->q.words[run[rt->have]];
        for (int l = 0; l < nl; l++)
            rt->n[rt->have % 4][l] =
                lx_stemmers_term(&s->stem, langs[l], w->tok, w->len, rt->t[rt->have % 4][l]);
    }
}

/* Boosts for the words run[0..nrun): every sub-run of up to four words
 * under every query language. */
static int boost_run(lx_searcher *s, tagforms *t, const int *run, int nrun, const int *langs,
                     int nl, const char *qlang, double boost, seen_tags *seen) {
    run_terms rt;
    rt.have = 0;
    if (nl > LX_MAX_LANGS)
        nl = LX_MAX_LANGS;
    for (int a = 0; a < nrun; a++) {
        for (int len = 1; len <= 4 && a + len <= nrun; len++) {
            run_terms_upto(s, &rt, run, a + len - 1, langs, nl);
            for (int l = 0; l < nl; l++) {
                lx_tagstem_keybuf key;
                key.n = 0;
                for (int j = a; j < a + len; j++)
                    lx_tagstem_key_term(&key, rt.t[j % 4][l], rt.n[j % 4][l]);
                if (key.n > LX_MAX_TAGSTEM_KEY)
                    continue;
                uint32_t *gi = lx_strmap_get(&t->forms, key.s, key.n, lx_hash(key.s, key.n));
                if (gi && boost_group(s, t, *gi, boost, seen))
                    return s->rc;
                /* A topic label, under the query's own language only. */
                const char *code = s->stem.e[langs[l]].lang;
                if (!qlang || strcmp(code, qlang) || strlen(code) != 2 ||
                    key.n + 3 > LX_MAX_TAGSTEM_KEY)
                    continue;
                key.n = lx_tagstem_label_key(key.s, key.n, code);
                gi = lx_strmap_get(&t->forms, key.s, key.n, lx_hash(key.s, key.n));
                if (gi && boost_group(s, t, *gi, boost, seen))
                    return s->rc;
            }
        }
    }
    return 0;
}

int lx_tag_boosts(lx_searcher *s, const int *langs, int nl, const char *qlang, double boost) {
    const lx_query *q = &s->q;
    if (s->rc || boost <= 0)
        return s->rc;
    tagforms *t = tagforms_load(s);
    if (!t)
        return s->rc;
    seen_tags seen;
    seen.n = 0;
    /* Runs of words span consecutive scored clauses, so that `higher
     * education` names the tag "higher education" as the quoted phrase
     * does; an exclusion or a filter ends a run. */
    for (int ci = 0; ci < q->nclauses;) {
        int run[LX_MAX_QUERY_TERMS], nrun = 0;
        for (; ci < q->nclauses; ci++) {
            const lx_qclause *cl = &q->clauses[ci];
            if (cl->neg || cl->filter) {
                ci++;
                break;
            }
            for (int j = 0; j < cl->n && nrun < LX_MAX_QUERY_TERMS; j++)
                run[nrun++] = cl->first + j;
        }
        if (boost_run(s, t, run, nrun, langs, nl, qlang, boost, &seen))
            return s->rc;
    }
    return 0;
}
