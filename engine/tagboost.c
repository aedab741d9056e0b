/* tagboost.c -- topic tags are first-class: a run of query words whose
 * stems form a tag's stem form ("higher education", "gender equal")
 * adds a cursor over that tag's lectures, scored like a term with the
 * tag's idf times the tag-boost parameter.
 *
 * The tagstem database's forms are kept in memory per snapshot, as a
 * searcher part: stem form -> group, a group being group[i] ..
 * group[i + 1] in tag[], offsets of NUL-terminated normalised tags in
 * names, a form's tags in database order, so a lookup finds what a cursor
 * on the database would, in the same order.  The first TAGFORMS_SEEKS
 * forms a snapshot is asked for are sought one by one (a form not there
 * is kept as an empty group); after that, every form is read at once.  A
 * process that answers one query asks a few dozen: reading all (a few
 * hundred forms) cost more than a tenth of such a process; a server
 * reads them all within its first queries.
 */
#include <stdlib.h>
#include <string.h>

#include "searcher.h"
#include "tagboost.h"

#define TAGFORMS_SEEKS 64

typedef struct tagforms {
    size_t snap; /* snapshot it was loaded for */
    int have;    /* started for snap */
    int all;     /* every form read */
    int seeks;   /* forms sought one by one */
    lx_strmap forms;
    uint32_t *group, *tag;
    size_t ngroups, ntags, capg, capt;
    lx_buf names;
} tagforms;

/* Empties t and starts it for snapshot snap. */
static void tagforms_reset(tagforms *t, size_t snap) {
    lx_strmap_free(&t->forms);
    free(t->group);
    free(t->tag);
    lx_buf_free(&t->names);
    memset(t, 0, sizeof *t); /* an empty map too (lx_strmap_init) */
    t->snap = snap;
}

static void tagforms_free(void *p) {
    tagforms_reset(p, 0);
    free(p);
}

/* Starts group form (kl bytes), with no tag yet. */
static int group_open(tagforms *t, const void *form, size_t kl) {
    if (t->ngroups + 2 > t->capg) {
        size_t cap = t->capg ? t->capg * 2 : 256;
        uint32_t *g = realloc(t->group, cap * sizeof *g);
        if (!g)
            return LX_ENOMEM;
        t->group = g;
        t->capg = cap;
    }
    t->group[t->ngroups] = (uint32_t)t->ntags;
    if (!lx_strmap_put(&t->forms, form, kl, lx_hash(form, kl), (uint32_t)t->ngroups, NULL))
        return LX_ENOMEM;
    t->ngroups++;
    t->group[t->ngroups] = (uint32_t)t->ntags;
    return 0;
}

/* Adds tagstem value v (a tag) to the last group. */
static int group_add(tagforms *t, const MDB_val *v) {
    if (t->ntags + 1 > t->capt) {
        size_t cap = t->capt ? t->capt * 2 : 256;
        uint32_t *x = realloc(t->tag, cap * sizeof *x);
        if (!x)
            return LX_ENOMEM;
        t->tag = x;
        t->capt = cap;
    }
    const char *tag = v->mv_data;
    size_t tl = v->mv_size;
    if (tl && tag[0] == LX_LABEL_PREFIX) { /* a topic label names the tag */
        tag++;
        tl--;
    }
    t->tag[t->ntags++] = (uint32_t)t->names.n;
    t->group[t->ngroups] = (uint32_t)t->ntags;
    if (lx_buf_append(&t->names, tag, tl) || lx_buf_append(&t->names, "", 1))
        return LX_ENOMEM;
    return 0;
}

/* Reads the group of form key (kl bytes) into t from the database, an
 * empty one when the form is not there.  0 or an LX_E* code. */
static int tagforms_seek(lx_searcher *s, tagforms *t, const char *key, size_t kl) {
    lx_store_iter it;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGSTEM, &it), r = 0;
    MDB_val k, v;
    if (!rc && !(rc = group_open(t, key, kl)))
        for (r = lx_store_iter_seek(&it, key, kl, &k, &v);
             !rc && r > 0 && k.mv_size == kl && !memcmp(k.mv_data, key, kl);
             r = lx_store_iter_next(&it, &k, &v))
            rc = group_add(t, &v);
    lx_store_iter_close(&it);
    return !rc && r < 0 ? r : rc;
}

/* Reads every form into t from the database, each form's tags a group.
 * 0 or an LX_E* code. */
static int tagforms_read_all(lx_searcher *s, tagforms *t) {
    lx_store_iter it;
    int rc = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGSTEM, &it), r = 0;
    MDB_val k, v, last = {0, NULL};
    while (!rc && (r = lx_store_iter_next(&it, &k, &v)) > 0) {
        if (!last.mv_data || k.mv_size != last.mv_size ||
            memcmp(k.mv_data, last.mv_data, k.mv_size))
            rc = group_open(t, k.mv_data, k.mv_size);
        last = k;
        if (!rc)
            rc = group_add(t, &v);
    }
    lx_store_iter_close(&it);
    return !rc && r < 0 ? r : rc;
}

/* This snapshot's tag forms; NULL with the sticky error set when they
 * cannot be kept. */
static tagforms *tagforms_get(lx_searcher *s) {
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
    tagforms_reset(t, s->snap);
    t->have = 1;
    return t;
}

/* The group of form key (kl bytes), or NULL when no tag has it or on an
 * error (the sticky error set). */
static uint32_t *form_group(lx_searcher *s, tagforms *t, const char *key, size_t kl) {
    uint32_t *gi = lx_strmap_get(&t->forms, key, kl, lx_hash(key, kl));
    int rc = 0;
    if (!gi && !t->all) {
        if (t->seeks < TAGFORMS_SEEKS) {
            t->seeks++;
            rc = tagforms_seek(s, t, key, kl);
        } else {
            tagforms_reset(t, t->snap);
            t->have = t->all = 1;
            rc = tagforms_read_all(s, t);
        }
        if (rc) {
            tagforms_reset(t, 0);
            lx_searcher_fail(s, rc, NULL, -1, "cannot load the tag forms: %s", lx_strerror(rc));
            return NULL;
        }
        gi = lx_strmap_get(&t->forms, key, kl, lx_hash(key, kl));
    }
    return gi && t->group[*gi] < t->group[*gi + 1] ? gi : NULL;
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
                uint32_t *gi = form_group(s, t, key.s, key.n);
                if (s->rc || (gi && boost_group(s, t, *gi, boost, seen)))
                    return s->rc;
                /* A topic label, under the query's own language only. */
                const char *code = s->stem.e[langs[l]].lang;
                if (!qlang || strcmp(code, qlang) || strlen(code) != 2 ||
                    key.n + 3 > LX_MAX_TAGSTEM_KEY)
                    continue;
                key.n = lx_tagstem_label_key(key.s, key.n, code);
                gi = form_group(s, t, key.s, key.n);
                if (s->rc || (gi && boost_group(s, t, *gi, boost, seen)))
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
    tagforms *t = tagforms_get(s);
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
