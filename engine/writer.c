/* writer.c -- a batch of writes (one LMDB write transaction), or a build:
 * the public calls (lx_writer_*), adds, replaces and deletes.
 *
 * Lectures are analysed as they are put, their tokens collected in
 * accumulators (accum.c).  Stored records, tags and languages go into the
 * transaction at once.
 *
 * A batch on an open index (lx_writer_begin: add, replace, delete) merges
 * the accumulators into the posting lists when it commits, or earlier when
 * they grow past the flush threshold (LX_FLUSH_BYTES): see flush.c.
 *
 * A build (lx_writer_begin_build) writes a new index aside and never
 * rewrites a list: see build.c.
 *
 * A delete re-analyses the stored lecture to find its terms and rewrites
 * those lists without it, so an index built through any sequence of adds,
 * replaces and deletes holds exactly the lists a fresh build would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accum.h"
#include "build.h"
#include "error.h"
#include "flush.h"
#include "record.h"
#include "tagstem.h"
#include "text.h"
#include "wstate.h"

int lx_writer_begin(lx_index *ix, lx_writer **out, lx_error *err) {
    *out = NULL;
    if (ix->flags & LX_OPEN_READONLY)
        return lx_fail(err, LX_EREADONLY, NULL, -1, "index opened read-only");
    return lx_writer_new(ix, out, err);
}

void lx_writer_set_flush_bytes(lx_writer *w, size_t bytes) {
    const size_t max = (size_t)1 << 30;
    w->flush_bytes = bytes == 0 ? LX_FLUSH_BYTES : bytes > max ? max : bytes;
}

uint64_t lx_writer_tokens(const lx_writer *w) {
    return w->tokens;
}

/* Marks the suggested-tag lists holding docid for rewriting without the
 * lectures deleted (lectern-index --suggest-tags). */
static int drop_suggested(lx_writer *w, uint32_t docid) {
    char buf[4096];
    unsigned n;
    int rc = lx_store_suggested_of(w->txn, w->ix, docid, buf, sizeof buf, &n);
    const char *t = buf;
    for (unsigned i = 0; i < n && !rc; i++, t += strlen(t) + 1) {
        char key[LX_MAX_TAG_BYTES * 3 + 2];
        size_t kl = strlen(t);
        if (kl + 1 >= sizeof key)
            continue;
        key[0] = LX_SUGGEST_PREFIX;
        memcpy(key + 1, t, kl);
        set_acc *s = lx_set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, key, kl + 1);
        if (!s)
            rc = LX_ENOMEM;
        else
            s->del = 1;
    }
    return rc;
}

/* Deletes a committed or flushed lecture by docid. */
static int delete_doc(lx_writer *w, uint32_t docid, lx_error *err) {
    int rc;
    if (docid >= w->flush_from && (rc = lx_flush(w, err)))
        return rc;
    if ((rc = lx_store_doc_unstage(w->txn, w->ix, &w->docs, err)))
        return w->failed = rc;
    lx_docview v;
    if ((rc = lx_store_doc(w->txn, w->ix, docid, &v)))
        return w->failed = lx_fail(err, rc, NULL, -1, "stored lecture %u unreadable", docid);
    lx_fields f;
    cJSON *holder = NULL;
    if ((rc = lx_fields_from_view(&v, &f, &holder)))
        return w->failed = lx_fail(err, rc, NULL, -1, "stored lecture %u unreadable", docid);
    w->lang = lx_writer_lang(w, f.lang);
    w->deleting = 1;
    rc = lx_analyze(&f, lx_accum_token, w, NULL, err);
    lx_accum_drain(w);
    w->deleting = 0;
    for (int i = 0; i < f.ntags && !rc; i++) {
        char key[LX_MAX_TAG_BYTES * 3 + 1];
        size_t kl = lx_tag_normalise(f.tags[i], f.taglen[i], key, sizeof key);
        set_acc *s = lx_set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, key, kl);
        if (!s)
            rc = LX_ENOMEM;
        else
            s->del = 1;
    }
    if (!rc)
        rc = drop_suggested(w, docid);
    if (!rc) {
        set_acc *s =
            lx_set_get(&w->langmap, &w->langs, &w->nlangs, &w->caplangs, f.lang, strlen(f.lang));
        if (!s)
            rc = LX_ENOMEM;
        else
            s->del = 1;
    }
    MDB_val idk = {v.h.id_len, (void *)v.id};
    char idcopy[LX_MAX_ID_BYTES + 1];
    memcpy(idcopy, v.id, v.h.id_len);
    idk.mv_data = idcopy;
    cJSON_Delete(holder);
    if (rc)
        return w->failed = rc;
    if (w->ndel == w->capdel) {
        uint32_t cap = w->capdel ? w->capdel * 2 : 64;
        uint32_t *p = realloc(w->deleted, cap * sizeof *p);
        if (!p)
            return w->failed = LX_ENOMEM;
        w->deleted = p;
        w->capdel = cap;
    }
    w->deleted[w->ndel++] = docid;
    uint32_t *len = w->norms + (size_t)docid * LX_NFIELDS;
    for (int f2 = 0; f2 < LX_NFIELDS; f2++) {
        w->st.flen[f2] -= len[f2];
        w->st.ntokens -= len[f2];
        len[f2] = 0;
    }
    w->st.ndocs--;
    if ((rc = lx_store_doc_del(w->txn, w->ix, docid, idk.mv_data, idk.mv_size, err)) ||
        (rc = lx_store_relvec_del(w->txn, w->ix, docid, err)))
        return w->failed = rc;
    return 0;
}

int lx_writer_delete(lx_writer *w, const char *id, lx_error *err) {
    if (w->failed)
        return lx_fail(err, w->failed, NULL, -1, "batch failed earlier; abort it");
    uint32_t docid;
    int rc = lx_store_docid(w->txn, w->ix, id, strlen(id), &docid);
    if (rc == LX_ENOTFOUND)
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    if (rc)
        return lx_fail(err, rc, "id", -1, "cannot look up id");
    return delete_doc(w, docid, err);
}

/* A prepared lecture is a parsed record whose body is compressed. */
struct lx_prepared {
    lx_record r;
};

int lx_prepare_json(const char *json, size_t len, lx_prepared **out, lx_error *err) {
    *out = NULL;
    lx_error_clear(err);
    lx_prepared *p = malloc(sizeof *p);
    if (!p)
        return LX_ENOMEM;
    int rc = lx_record_parse(json, len, &p->r, err);
    if (!rc && (rc = lx_record_compress(&p->r)))
        lx_record_free(&p->r);
    if (rc) {
        free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void lx_prepared_free(lx_prepared *p) {
    if (!p)
        return;
    lx_record_free(&p->r);
    free(p);
}

int lx_writer_put_json(lx_writer *w, const char *json, size_t len, lx_error *err) {
    lx_error_clear(err);
    if (w->failed) /* before parsing: a failed batch takes nothing more */
        return lx_fail(err, w->failed, NULL, -1, "batch failed earlier; abort it");
    lx_prepared *p;
    int rc = lx_prepare_json(json, len, &p, err);
    return rc ? rc : lx_writer_put_prepared(w, p, err);
}

/* A lecture put with something a person should look at: the record's
 * own warnings, then a language Snowball does not stem.  Set only once
 * the put succeeded, so that no error path reports a warning as its
 * reason. */
static void put_warning(lx_writer *w, const lx_record *r, lx_error *err) {
    if (!err)
        return;
    snprintf(err->message, sizeof err->message, "%s", r->warning);
    if (!lx_stemmers_has(&w->stem, w->lang)) {
        size_t n = strlen(err->message);
        snprintf(err->message + n, sizeof err->message - n,
                 "%slanguage: \"%s\" has no stemmer: indexed unstemmed", n ? "; " : "", r->f.lang);
    }
}

int lx_writer_put_prepared(lx_writer *w, lx_prepared *p, lx_error *err) {
    lx_error_clear(err);
    if (w->failed) {
        lx_prepared_free(p);
        return lx_fail(err, w->failed, NULL, -1, "batch failed earlier; abort it");
    }
    lx_record *r = &p->r;
    int rc;
    uint32_t h = lx_hash(r->id, r->id_len);
    if (lx_strmap_get(&w->ids, r->id, r->id_len, h)) {
        rc = lx_fail(err, LX_EEXIST, "id", -1, "\"%.200s\" appears twice in this batch", r->id);
        goto out;
    }
    uint32_t old;
    rc = lx_store_docid(w->txn, w->ix, r->id, r->id_len, &old);
    if (rc == 0)
        rc = delete_doc(w, old, err);
    else if (rc == LX_ENOTFOUND)
        rc = 0;
    if (rc)
        goto out;
    uint32_t docid = w->st.next_doc;
    if (docid == LX_DOC_END - 1) {
        rc = lx_fail(err, LX_ELIMIT, NULL, -1, "docid space exhausted");
        goto out;
    }
    if (!lx_strmap_put(&w->ids, r->id, r->id_len, h, docid, NULL)) {
        rc = LX_ENOMEM;
        goto out;
    }
    if (docid >= w->norms_cap) {
        size_t cap = w->norms_cap * 2;
        uint32_t *p = realloc(w->norms, cap * LX_NFIELDS * sizeof *p);
        if (!p) {
            rc = LX_ENOMEM;
            goto out;
        }
        memset(p + w->norms_cap * LX_NFIELDS, 0, (cap - w->norms_cap) * LX_NFIELDS * sizeof *p);
        w->norms = p;
        w->norms_cap = cap;
    }
    w->lang = lx_writer_lang(w, r->f.lang);
    w->cur_doc = docid;
    uint32_t *lens = w->norms + (size_t)docid * LX_NFIELDS;
    r->f.cps = &r->cps;
    rc = lx_analyze(&r->f, lx_accum_token, w, lens, err);
    lx_accum_drain(w);
    if (rc || w->oom) {
        /* Validation passed, so this is out of memory or worse: the
         * accumulators may hold part of the lecture; only abort is safe. */
        w->failed = rc ? rc : LX_ENOMEM;
        goto out;
    }
    lx_accum_end_doc(w);
    w->st.next_doc++;
    w->st.ndocs++;
    for (int f = 0; f < LX_NFIELDS; f++) {
        w->st.flen[f] += lens[f];
        w->st.ntokens += lens[f];
    }
    w->val.n = 0;
    if ((rc = lx_record_serialize(r, &w->val)))
        goto fatal;
    if ((rc = lx_store_doc_stage(w->txn, w->ix, &w->docs, docid, w->val.p, w->val.n, err)) ||
        (!w->build && (rc = lx_store_id_put(w->txn, w->ix, r->id, r->id_len, docid, 0, err))))
        goto fatal;
    w->txn_bytes += lx_dirty_bytes(w->val.n);
    for (int i = 0; i < r->f.ntags; i++) {
        set_acc *s = lx_set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, r->tagkey[i],
                                strlen(r->tagkey[i]));
        if (!s || lx_set_add(s, docid)) {
            rc = LX_ENOMEM;
            goto fatal;
        }
        if ((rc = lx_tagstem_add(w, r->tagkey[i], err)))
            goto out;
    }
    set_acc *ls =
        lx_set_get(&w->langmap, &w->langs, &w->nlangs, &w->caplangs, r->f.lang, strlen(r->f.lang));
    if (!ls || lx_set_add(ls, docid)) {
        rc = LX_ENOMEM;
        goto fatal;
    }
    if (w->pending + w->terms.bytes + w->words.bytes > w->flush_bytes)
        rc = lx_flush(w, err);
    if (!rc)
        rc = lx_build_checkpoint(w, err);
    if (!rc)
        put_warning(w, r, err);
    goto out;
fatal:
    w->failed = rc;
out:
    lx_prepared_free(p);
    return rc;
}

int lx_writer_commit(lx_writer *w, lx_error *err) {
    int rc = w->failed ? lx_fail(err, w->failed, NULL, -1, "batch failed earlier; nothing written")
                       : lx_store_doc_unstage(w->txn, w->ix, &w->docs, err);
    if (!rc)
        rc = w->build ? lx_build_finish(w, err) : lx_flush(w, err);
    if (!rc)
        rc = lx_store_stats_put(w->txn, w->ix, &w->st, w->norms, w->st.next_doc, err);
    if (!rc) {
        int c = mdb_txn_commit(w->txn);
        w->txn = NULL;
        if (c)
            rc = lx_store_write_fail(w->wl.env->env, err, c, "commit");
    }
    if (!rc && w->build)
        rc = lx_build_install(w, err);
    else if (!rc)
        lx_writer_release_map(w);
    lx_writer_abort(w);
    return rc;
}

void lx_writer_abort(lx_writer *w) {
    if (!w)
        return;
    if (w->txn)
        mdb_txn_abort(w->txn);
    lx_store_write_end(w->ix, &w->wl);
    if (w->build)
        lx_build_close(w);
    lx_writer_free(w);
}

int lx_writer_suggest(lx_writer *w, const char *id, const char *const *tags, size_t n,
                      lx_error *err) {
    if (w->failed)
        return lx_fail(err, w->failed, NULL, -1, "writer failed earlier");
    uint32_t docid;
    int rc = lx_store_docid(w->txn, w->ix, id, strlen(id), &docid);
    if (rc)
        return lx_fail(err, rc, "id", -1, "no stored lecture with id \"%.200s\"", id);
    for (size_t i = 0; i < n; i++) {
        char key[LX_MAX_TAG_BYTES * 3 + 2];
        size_t tl = strlen(tags[i]);
        if (tl > LX_MAX_TAG_BYTES)
            continue;
        key[0] = LX_SUGGEST_PREFIX;
        size_t kl = lx_tag_normalise(tags[i], tl, key + 1, sizeof key - 1);
        if (!kl)
            continue;
        set_acc *s = lx_set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, key, kl + 1);
        if (!s || lx_set_add(s, docid))
            return w->failed = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    }
    return 0;
}
