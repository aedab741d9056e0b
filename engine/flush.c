/* flush.c -- a batch's accumulators merged into the stored lists.
 *
 * A batch on an open index merges its accumulators into the posting lists
 * when it commits, or earlier when they grow past the flush threshold:
 * each touched list is decoded, extended (and rid of deleted lectures) and
 * re-encoded, all in the batch's one transaction.  Tag and language docid
 * lists are rewritten the same way.  A build's flush writes a run instead
 * (build.c, through w->write_run: this module sits below it).
 */
#include <stdlib.h>
#include <string.h>

#include "accum.h"
#include "error.h"
#include "flush.h"
#include "relvec.h"
#include "tagstem.h"

int lx_flush_sets(lx_writer *w, MDB_dbi dbi, set_acc *sets, uint32_t n, int is_tags,
                  lx_error *err) {
    uint32_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        set_acc *s = &sets[i];
        MDB_val ov;
        int g = lx_store_docids(w->txn, dbi, s->key, s->len, &ov);
        if (g && g != LX_ENOTFOUND) {
            rc = w->failed = lx_fail(err, g, NULL, -1, "reading a docid list: %s", lx_strerror(g));
            break;
        }
        const uint8_t *olddocs = ov.mv_data;
        uint32_t old = (uint32_t)(ov.mv_size / 4);
        if (old + s->n > cap) {
            cap = old + s->n;
            uint32_t *p = realloc(buf, cap * sizeof *p);
            if (!p) {
                rc = LX_ENOMEM;
                break;
            }
            buf = p;
        }
        uint32_t m = 0;
        for (size_t j = 0; j < old; j++) {
            uint32_t d;
            memcpy(&d, olddocs + j * 4, 4);
            if (!s->del || !lx_writer_deleted(w, d))
                buf[m++] = d;
        }
        for (uint32_t j = 0; j < s->n; j++)
            if (!lx_writer_deleted(w, s->add[j]))
                buf[m++] = s->add[j];
        if ((rc = lx_store_docids_put(w->txn, dbi, s->key, s->len, buf, m, err)))
            w->failed = rc;
        if (!rc && s->del && is_tags && s->key[0] != LX_SUGGEST_PREFIX)
            rc = lx_tagstem_rebuild(w, s->key, s->len, buf, m, err);
    }
    free(buf);
    return rc;
}

int lx_flush_store_list(lx_writer *w, const char *term, size_t len, unsigned putflags,
                        lx_error *err) {
    w->post.n = w->posv.n = 0;
    int rc = lx_plist_encode(&w->pl, w->norms, &w->post, &w->posv);
    if (rc)
        return rc;
    if ((rc = lx_store_list_put(w->txn, w->ix, term, len, &w->post, &w->posv, putflags, err)))
        return w->failed = rc;
    w->txn_bytes += lx_dirty_bytes(w->post.n) + lx_dirty_bytes(w->posv.n);
    return 0;
}

/* Merges every accumulator, in term order, into the lists in LMDB. */
static int merge_into_index(lx_writer *w, const uint32_t *order, lx_error *err) {
    size_t nlists;
    int rc = lx_store_list_count(w->txn, w->ix, &nlists, err);
    if (rc)
        return w->failed = rc;
    /* Sorted keys into an empty database go in with MDB_APPEND: pages
     * fill completely and no search is needed. */
    unsigned putflags = nlists == 0 ? MDB_APPEND : 0;
    for (uint32_t o = 0; o < w->nacc && !rc; o++) {
        term_acc *t = &w->acc[order[o]];
        MDB_val pv, xv;
        int existed = 0;
        lx_plist_clear(&w->pl);
        if (!putflags) {
            int g = lx_store_term(w->txn, w->ix, t->s, t->len, &pv, &xv);
            if (g && g != LX_ENOTFOUND)
                return w->failed =
                           lx_fail(err, g, NULL, -1, "reading a posting list: %s", lx_strerror(g));
            if (g == 0) {
                existed = 1;
                if (!t->del && t->ndocs == 0)
                    continue; /* untouched: keep as is */
                rc = lx_plist_decode(pv.mv_data, pv.mv_size, xv.mv_data, xv.mv_size,
                                     t->del ? lx_writer_deleted : NULL, w, &w->pl);
            }
            if (rc)
                break;
        }
        run_rec r = lx_run_rec_of_acc(t);
        if ((rc = lx_run_rec_decode(&r, &w->pl)))
            break;
        if (existed && (rc = lx_store_lpost_del(w->txn, w->ix, t->s, t->len, err)))
            return w->failed = rc; /* the list changes: its lists per language go */
        if (w->pl.n == 0) {
            if (existed) {
                int d = lx_store_list_del(w->txn, w->ix, t->s, t->len, err);
                if (d)
                    return w->failed = d;
                w->st.nterms--;
            }
            continue;
        }
        if ((rc = lx_flush_store_list(w, t->s, t->len, putflags, err)))
            break;
        if (!existed)
            w->st.nterms++;
    }
    return rc;
}

/* Empties the accumulators (in a batch, after merging them into LMDB and
 * writing the tag and language lists; in a build, after writing them as a
 * run). */
int lx_flush(lx_writer *w, lx_error *err) {
    int rc = 0;
    if (w->failed)
        return w->failed;
    if (w->oom)
        return w->failed = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory while indexing");
    if (w->ndel)
        qsort(w->deleted, w->ndel, sizeof *w->deleted, lx_u32_cmp);
    uint32_t *order;
    if ((rc = lx_accum_put_words(w, err)))
        return w->failed = rc;
    if ((rc = lx_accum_sorted(w, &order)))
        return w->failed = rc;
    if (w->build) {
        rc = w->write_run(w, order, err);
    } else {
        rc = merge_into_index(w, order, err);
        if (!rc)
            rc = lx_flush_sets(w, w->ix->langs, w->langs, w->nlangs, 0, err);
        if (!rc)
            rc = lx_flush_sets(w, w->ix->tags, w->tags, w->ntags, 1, err);
    }
    free(order);
    if (!rc) /* with the batch's document frequencies, before they go */
        rc = lx_relvec_flush(w, err);
    if (rc) {
        w->failed = rc;
        return rc;
    }
    for (uint32_t i = 0; i < w->nacc; i++) {
        lx_buf_free(&w->acc[i].docs);
        lx_buf_free(&w->acc[i].pos);
    }
    w->nacc = 0;
    if (w->build) { /* the next batch refills them to about the same size */
        lx_strmap_clear(&w->terms);
        lx_strmap_clear(&w->words);
    } else {
        lx_strmap_free(&w->terms);
        lx_strmap_init(&w->terms);
        lx_strmap_free(&w->words);
        lx_strmap_init(&w->words);
    }
    if (!w->build) {
        lx_sets_reset(&w->tagmap, w->tags, &w->ntags);
        lx_sets_reset(&w->langmap, w->langs, &w->nlangs);
    }
    w->ndel = 0;
    w->pending = 0;
    w->flush_from = w->st.next_doc;
    lx_writer_release_map(w);
    lx_plist_free(&w->pl);
    lx_buf_free(&w->post);
    lx_buf_free(&w->posv);
    return 0;
}
