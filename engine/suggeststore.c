/* suggeststore.c -- lectern-index --suggest-tags: tag suggestions stored
 * beside the curated tags (lx_index_suggest_tags).
 *
 * Only lectures without curated tags get them (they are the ones the tag
 * filter, facets and boost miss; suggesting for every lecture cost +33%
 * of a TED build, for the untagged ones about +22%), and only the ones
 * that have none stored yet, so an add suggests for its new lectures (a
 * replaced lecture's new docid has none: its old suggestions went with
 * the old docid).  Each gets its LX_SUGGEST_STORED best suggestions of
 * confidence LX_SUGGEST_STORE_MIN or more.  Two passes: the suggestions
 * are computed under a searcher, then written in one writer commit (one
 * thread holds one LMDB transaction at a time).  Sits above the writer
 * and tagsuggest.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "meta.h"
#include "searcher.h"

typedef struct pending {
    char *id;
    char *tags[LX_SUGGEST_STORED];
    size_t n;
} pending;

/* Whether a stored meta has no curated tags ("tags" absent or empty). */
static int untagged(const char *meta) {
    const char *v;
    size_t n;
    if (!meta || !lx_meta_value(meta, strlen(meta), "tags", &v, &n) || n < 2 || *v != '[')
        return 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != ' ' && v[i] != '\n' && v[i] != '\t' && v[i] != '\r')
            return v[i] == ']';
    return 1;
}

/* The ids of the untagged lectures without stored suggestions, in docid
 * order, into *out (*n of them). */
static int gather(lx_searcher *s, pending **out, size_t *n, lx_error *err) {
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    size_t cap = 0;
    for (uint32_t d = 0; d < s->st.next_doc && !rc; d++) {
        lx_docview v;
        unsigned ns;
        char one[LX_MAX_TAG_BYTES * 3 + 2];
        int g = lx_store_doc(s->txn, s->ix, d, &v);
        if (g == LX_ENOTFOUND)
            continue;
        if (!g && untagged(v.meta))
            g = lx_store_suggested_of(s->txn, s->ix, d, one, sizeof one, &ns);
        else
            ns = 1;
        if (g) {
            rc = g;
            break;
        }
        if (ns)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            pending *p = realloc(*out, cap * sizeof *p);
            if (!p) {
                rc = LX_ENOMEM;
                break;
            }
            *out = p;
        }
        memset(&(*out)[*n], 0, sizeof **out);
        if (!((*out)[*n].id = strndup(v.id, v.h.id_len)))
            rc = LX_ENOMEM;
        else
            (*n)++;
    }
    lx_searcher_end(s);
    return rc ? lx_fail(err, rc, NULL, -1, "reading lectures: %s", lx_strerror(rc)) : 0;
}

/* The suggestions to store for p->id. */
static int suggest_one(lx_searcher *s, pending *p, lx_error *err) {
    lx_tag_suggestion *t;
    size_t n;
    int rc = lx_suggest_tags(s, p->id, LX_SUGGEST_STORED, &t, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        if (t[i].curated || t[i].confidence < LX_SUGGEST_STORE_MIN)
            continue;
        if (!(p->tags[p->n] = strdup(t[i].tag)))
            rc = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        else
            p->n++;
    }
    free(t);
    return rc;
}

static int write_all(lx_index *ix, const pending *p, size_t n, uint64_t *stored, lx_error *err) {
    lx_writer *w;
    int rc = lx_writer_begin(ix, &w, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        if (!p[i].n)
            continue;
        rc = lx_writer_suggest(w, p[i].id, (const char *const *)p[i].tags, p[i].n, err);
        *stored += !rc;
    }
    if (rc) {
        lx_writer_abort(w);
        return rc;
    }
    return lx_writer_commit(w, err);
}

int lx_index_suggest_tags(lx_index *ix, uint64_t *stored, lx_error *err) {
    *stored = 0;
    lx_searcher *s;
    int rc = lx_searcher_open(ix, &s, err);
    if (rc)
        return rc;
    pending *p = NULL;
    size_t n = 0;
    rc = gather(s, &p, &n, err);
    for (size_t i = 0; i < n && !rc; i++)
        rc = suggest_one(s, &p[i], err);
    lx_searcher_close(s);
    if (!rc)
        rc = write_all(ix, p, n, stored, err);
    for (size_t i = 0; i < n; i++) {
        free(p[i].id);
        for (size_t j = 0; j < p[i].n; j++)
            free(p[i].tags[j]);
    }
    free(p);
    return rc;
}
