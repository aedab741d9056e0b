/* suggeststore.c -- lectern-index --suggest-tags: tag suggestions stored
 * beside the curated tags (lx_index_suggest_tags).
 *
 * Only lectures without curated tags get them (they are the ones the tag
 * filter, facets and boost miss), and only the ones that have none stored
 * yet, so an add suggests for its new lectures (a replaced lecture's new
 * docid has none: its old suggestions went with the old docid).  Each
 * gets its LX_SUGGEST_STORED best suggestions of confidence
 * LX_SUGGEST_STORE_MIN or more.  Two passes: the suggestions are computed
 * under a searcher, all at once (lx_suggest_tags_untagged, tagknn.c: on
 * TED +9% of a build's CPU, where one lx_suggest_tags per lecture cost
 * +69%), then written in one writer commit (one thread holds one LMDB
 * transaction at a time): a failure stores nothing.  Sits above the
 * writer and tagknn.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "grow.h"
#include "meta.h"
#include "searcher.h"
#include "tagsuggest.h"

typedef struct pending {
    char *id;
    char *tags[LX_SUGGEST_STORED];
    size_t n;
} pending;

typedef struct pendings {
    pending *p;
    size_t n, cap;
} pendings;

/* lx_suggest_fn: keeps a lecture's suggestions to store. */
static int keep(void *ctx, const char *id, const lx_tag_suggestion *t, size_t n) {
    pendings *ps = ctx;
    if (lx_grow(&ps->p, sizeof *ps->p, ps->n + 1, &ps->cap, 64))
        return LX_ENOMEM;
    pending *p = memset(&ps->p[ps->n], 0, sizeof *p);
    if (!(p->id = strdup(id)))
        return LX_ENOMEM;
    ps->n++;
    for (size_t i = 0; i < n && p->n < LX_SUGGEST_STORED; i++) {
        if (t[i].curated || t[i].confidence < LX_SUGGEST_STORE_MIN)
            continue;
        if (!(p->tags[p->n] = strdup(t[i].tag)))
            return LX_ENOMEM;
        p->n++;
    }
    return 0;
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
    pendings ps = {0};
    rc = lx_suggest_tags_untagged(s, LX_SUGGEST_STORED, 1, keep, &ps, err);
    lx_searcher_close(s);
    if (!rc)
        rc = write_all(ix, ps.p, ps.n, stored, err);
    if (rc && err && !err->code) /* (a writer's commit can fail without saying) */
        lx_fail(err, rc, NULL, -1, "storing suggested tags: %s", lx_strerror(rc));
    for (size_t i = 0; i < ps.n; i++) {
        free(ps.p[i].id);
        for (size_t j = 0; j < ps.p[i].n; j++)
            free(ps.p[i].tags[j]);
    }
    free(ps.p);
    return rc;
}
