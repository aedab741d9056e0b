/* wstate.c -- the writer's state: making and freeing it, and the small
 * helpers every writer module shares (error mapping, stemmer entries, the
 * deleted set, emptying tag and language maps, releasing the map).  They
 * sit here, below accum, tagstem, flush, build and writer, so that no
 * module of the writer calls one above it: the top of wstate.h.
 */
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "error.h"
#include "wstate.h"

int lx_writer_mdb_fail(lx_writer *w, lx_error *err, int rc, const char *what) {
    return w->failed = lx_store_write_fail(w->wl.env ? w->wl.env->env : NULL, err, rc, what);
}

/* The stemmer entry of lang.  A batch may hold more languages than a
 * stemmer set: when the set is full it starts afresh, with the word cache
 * whose keys name entries, so that no lecture is analysed without its own
 * stemmer (a delete must find exactly the terms its put indexed). */
int lx_writer_lang(lx_writer *w, const char *lang) {
    int i = lx_stemmers_lookup(&w->stem, lang);
    if (i < 0) {
        lx_stemmers_free(&w->stem);
        lx_stemmers_init(&w->stem);
        lx_strmap_free(&w->words);
        lx_strmap_init(&w->words);
        i = lx_stemmers_lookup(&w->stem, lang);
    }
    return i;
}

int lx_u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int lx_writer_deleted(void *ctx, uint32_t doc) {
    lx_writer *w = ctx;
    /* bsearch and qsort must not be given NULL, even for no elements. */
    return w->ndel && bsearch(&doc, w->deleted, w->ndel, sizeof doc, lx_u32_cmp) != NULL;
}

int lx_writer_new(lx_index *ix, lx_writer **out, lx_error *err) {
    *out = NULL;
    lx_writer *w = calloc(1, sizeof *w);
    if (!w)
        return LX_ENOMEM;
    w->ix = ix;
    w->dirfd = -1;
    w->wl.fd = -1;
    w->flush_bytes = LX_FLUSH_BYTES;
    lx_stemmers_init(&w->stem);
    lx_strmap_init(&w->terms);
    lx_strmap_init(&w->words);
    lx_strmap_init(&w->ids);
    lx_strmap_init(&w->tagmap);
    lx_strmap_init(&w->langmap);
    int rc = lx_store_write_begin(ix, &w->wl, &w->txn, err);
    if (rc)
        goto fail;
    if ((rc = lx_store_stats(w->txn, ix, &w->st))) {
        rc = lx_fail(err, rc, NULL, -1, "cannot read index statistics");
        goto fail;
    }
    const uint32_t *norms;
    uint32_t nn;
    /* A failed read must not pass for an index without norms: the commit
     * would store zeros over them (test_fault_suggest found it). */
    if ((rc = lx_store_norms(w->txn, ix, &norms, &nn))) {
        rc = lx_fail(err, rc, NULL, -1, "cannot read the field lengths");
        goto fail;
    }
    w->norms_cap = nn + 1024;
    w->norms = calloc(w->norms_cap * LX_NFIELDS, sizeof *w->norms);
    if (!w->norms) {
        rc = LX_ENOMEM;
        goto fail;
    }
    if (nn)
        memcpy(w->norms, norms, (size_t)nn * LX_NFIELDS * sizeof *norms);
    w->flush_from = w->st.next_doc;
    *out = w;
    return 0;
fail:
    if (w->txn)
        mdb_txn_abort(w->txn);
    lx_store_write_end(ix, &w->wl);
    lx_writer_free(w);
    return rc;
}

void lx_sets_reset(lx_strmap *m, set_acc *sets, uint32_t *n) {
    for (uint32_t i = 0; i < *n; i++)
        free(sets[i].add);
    *n = 0;
    lx_strmap_free(m);
    lx_strmap_init(m);
}

void lx_writer_free(lx_writer *w) {
    for (uint32_t i = 0; i < w->nacc; i++) {
        lx_buf_free(&w->acc[i].docs);
        lx_buf_free(&w->acc[i].pos);
    }
    free(w->acc);
    free(w->touched);
    free(w->rv);
    free(w->rvd);
    free(w->deleted);
    free(w->norms);
    lx_sets_reset(&w->tagmap, w->tags, &w->ntags);
    lx_sets_reset(&w->langmap, w->langs, &w->nlangs);
    free(w->tags);
    free(w->langs);
    lx_strmap_free(&w->tagmap);
    lx_strmap_free(&w->langmap);
    lx_strmap_free(&w->terms);
    lx_strmap_free(&w->words);
    lx_strmap_free(&w->ids);
    lx_stemmers_free(&w->stem);
    lx_plist_free(&w->pl);
    lx_buf_free(&w->post);
    lx_buf_free(&w->posv);
    lx_buf_free(&w->val);
    lx_docstage_free(&w->docs);
    free(w);
}

/* The merge reads every list it rewrites through LMDB's read-only shared
 * map; those pages need not stay in this process (they stay in the page
 * cache and fault back in on use), so a long build's memory stays bounded
 * by the batch, not the index.  LMDB does not give the map's address, so
 * it is found in /proc/self/maps (Linux); elsewhere this does nothing. */
void lx_writer_release_map(lx_writer *w) {
    const char *dir;
#ifdef __GLIBC__
    /* A long-lived writer (the server's) gives its freed batch back to the
     * system.  A build does not: its next batch reuses that memory at
     * once, and trimming made it fault every page back in (a third of a
     * 100k build's CPU was system time, most of it these madvise calls
     * and the faults after them; without: 20k synthetic lectures 14.2
     * CPU s against 16.1, peak RSS 212 MiB against 201). */
    if (!w->build)
        malloc_trim(0);
#endif
    if (mdb_env_get_path(w->wl.env->env, &dir) || !dir)
        return;
    char want[4200], real[PATH_MAX];
    snprintf(want, sizeof want, "%s/data.mdb", dir);
    if (!realpath(want, real))
        return;
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return;
    char line[4600];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[1] == 'w')
            continue;
        char *path = strchr(line, '/');
        if (!path)
            continue;
        path[strcspn(path, "\n")] = 0;
        if (strcmp(path, real) != 0)
            continue;
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    fclose(f);
}
