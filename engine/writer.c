/* writer.c -- a batch of writes (one LMDB write transaction), or a build.
 *
 * Lectures are analysed as they are put: each token is looked up in a
 * word cache (language + token -> term), stemmed only on a miss, and its
 * position appended to the term's accumulator.  Stored records, tags and
 * languages go into the transaction at once.
 *
 * A batch on an open index (lx_writer_begin: add, replace, delete) merges
 * the accumulators into the posting lists when it commits, or earlier when
 * they grow past the flush threshold (LX_FLUSH_BYTES): each touched list
 * is decoded, extended and re-encoded, all in the one transaction.
 *
 * A build (lx_writer_begin_build) writes a new index nobody reads yet, so
 * it need not be one transaction, and it never rewrites a list:
 *   - the index is built in dir/.building (its own LMDB environment, no
 *     fsync until the end) and committed every LX_TXN_BYTES of pages
 *     written, so LMDB's dirty pages in the heap stay bounded;
 *   - at the flush threshold the accumulators are written, sorted by term,
 *     as one run appended to a work file (created in dir/.building and
 *     unlinked at once, so even a killed build leaves no run behind).  A
 *     run is a sequence of records, one per term, in LMDB key order:
 *       vbyte term_len, vbyte ndocs, vbyte docs_bytes, vbyte pos_bytes,
 *       term bytes, docs bytes, pos bytes
 *     where docs and pos are the accumulator's bytes (see term_acc): the
 *     first doc gap is the docid itself;
 *   - at commit, a k-way merge (a heap of the runs and of the
 *     accumulators still in memory, the last run, which is never written:
 *     a build under the threshold writes no run) streams each term's
 *     postings, by term then run, so in docid order as runs are flushed in
 *     docid order, into one list encoded with the final norms and appended
 *     (MDB_APPEND: full pages, no free ones) to "post" and "pos".  Ids are kept in memory and
 * written sorted at the end for the same reason; tag and language docid lists (4 bytes a lecture
 * and tag) too.  The run file's pages are dropped from the process every LX_RUN_DROP_BYTES of lists
 * written, LMDB's map's at every commit (release_map);
 *   - the environment is synced and closed, dir/lock.mdb removed (a
 *     process still holding the old index keeps its own lock and file),
 *     and .building/data.mdb renamed to dir/data.mdb: the only moment the
 *     new index becomes visible, whole.
 * A build holds the ids, norms and tag lists of every lecture (a few dozen
 * bytes each); everything else is bounded by the thresholds: its peak is
 * about the flush threshold plus LX_TXN_BYTES (TED x10: 273 MiB, TED x5:
 * 255 MiB, against 745 MiB when each batch was merged into the lists).
 *
 * A delete re-analyses the stored lecture to find its terms and rewrites
 * those lists without it, so an index built through any sequence of adds,
 * replaces and deletes holds exactly the lists a fresh build would.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codec.h"
#include "error.h"
#include "postings.h"
#include "record.h"
#include "stem.h"
#include "store.h"
#include "strmap.h"
#include "text.h"

/* Accumulated postings past this are flushed: merged into LMDB mid-batch,
 * or written as a run by a build. */
#ifndef LX_FLUSH_BYTES
#define LX_FLUSH_BYTES ((size_t)192 << 20)
#endif

/* A build commits its transaction once it has written about this many
 * bytes of pages (LMDB keeps a transaction's dirty pages in the heap). */
#ifndef LX_TXN_BYTES
#define LX_TXN_BYTES ((size_t)64 << 20)
#endif

/* The merge drops the run file's pages from the process every this many
 * bytes of lists written (they are read once). */
#define LX_RUN_DROP_BYTES ((size_t)16 << 20)

#define LX_BUILD_SUBDIR ".building"

typedef struct term_acc {
    const char *s;
    uint32_t len;
    uint32_t cur_doc; /* doc being analysed, LX_DOC_END when none */
    uint32_t tf[LX_NFIELDS];
    int lastfield;
    uint32_t lastpos;
    uint32_t prev_doc; /* last doc appended to docs */
    uint32_t ndocs;
    int del;     /* a deleted lecture had this term */
    lx_buf docs; /* per posting: vbyte gap, mask, vbyte tf per field */
    lx_buf pos;  /* positions as stored (postings.c) */
} term_acc;

typedef struct set_acc { /* a tag's or a language's docid list changes */
    const char *key;
    uint32_t len;
    int del;
    uint32_t *add;
    uint32_t n, cap;
} set_acc;

struct lx_writer {
    lx_index *ix;
    MDB_txn *txn;
    lx_wlock wl; /* the file txn writes to, held until the end (store.h) */
    lx_collstats st;
    uint32_t *norms;
    size_t norms_cap; /* in docs */
    lx_stemmers stem;
    int lang; /* stemmer of the lecture being analysed */
    lx_strmap terms, words;
    term_acc *acc;
    uint32_t nacc, capacc;
    uint32_t *touched;
    uint32_t ntouched, captouched;
    uint32_t cur_doc;
    int deleting;  /* analysing a lecture being deleted */
    lx_strmap ids; /* ids put in this batch */
    uint32_t *deleted;
    uint32_t ndel, capdel;
    lx_strmap tagmap, langmap;
    set_acc *tags, *langs;
    uint32_t ntags, captags, nlangs, caplangs;
    uint32_t flush_from; /* first docid whose postings are not in LMDB */
    uint64_t tokens;
    size_t pending;
    int failed; /* sticky: the batch can only be aborted */
    int oom;
    size_t flush_bytes; /* the flush threshold */
    lx_buf val;
    lx_plist pl;
    lx_buf post, posv;
    /* a build only (see the top of the file) */
    int build;
    char *dir;         /* the index directory; dir/.building is the work */
    int dirfd;         /* open on dir, holding the build lock (flock) */
    int made_dir;      /* dir did not exist before the build */
    size_t txn_bytes;  /* values written in the current transaction */
    FILE *runf;        /* the runs, one after another (unlinked) */
    uint64_t *run_end; /* byte offset where run i ends */
    uint32_t nruns, capruns;
    const uint8_t *runmap; /* the run file mapped for the merge */
    size_t runmap_len;
};

static int mdb_err(lx_writer *w, lx_error *err, int rc, const char *what) {
    w->failed = rc ? rc : LX_EIO;
    return lx_store_write_fail(w->wl.env ? w->wl.env->env : NULL, err, rc, what);
}

/* The stemmer entry of lang.  A batch may hold more languages than a
 * stemmer set: when the set is full it starts afresh, with the word cache
 * whose keys name entries, so that no lecture is analysed without its own
 * stemmer (a delete must find exactly the terms its put indexed). */
static int writer_lang(lx_writer *w, const char *lang) {
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

/* ---- accumulators ------------------------------------------------------- */

static uint32_t term_index(lx_writer *w, const char *tok, size_t len) {
    uint8_t key[LX_TOKEN_BUF + 1];
    key[0] = (uint8_t)w->lang;
    memcpy(key + 1, tok, len);
    uint32_t h = lx_hash(key, len + 1);
    uint32_t *v = lx_strmap_get(&w->words, (const char *)key, len + 1, h);
    if (v)
        return *v;
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(&w->stem, w->lang, tok, len, term);
    uint32_t th = lx_hash(term, tl);
    uint32_t *t = lx_strmap_get(&w->terms, term, tl, th);
    uint32_t idx;
    if (t) {
        idx = *t;
    } else {
        if (w->nacc == w->capacc) {
            uint32_t cap = w->capacc ? w->capacc * 2 : 4096;
            term_acc *a = realloc(w->acc, cap * sizeof *a);
            if (!a) {
                w->oom = 1;
                return UINT32_MAX;
            }
            w->acc = a;
            w->capacc = cap;
            w->pending += (cap - w->nacc) * sizeof *a;
        }
        idx = w->nacc;
        term_acc *a = &w->acc[idx];
        memset(a, 0, sizeof *a);
        a->cur_doc = LX_DOC_END;
        if (!lx_strmap_put(&w->terms, term, tl, th, idx, &a->s)) {
            w->oom = 1;
            return UINT32_MAX;
        }
        a->len = (uint32_t)tl;
        w->nacc++;
    }
    if (!lx_strmap_put(&w->words, (const char *)key, len + 1, h, idx, NULL)) {
        w->oom = 1;
        return UINT32_MAX;
    }
    return idx;
}

static void on_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    lx_writer *w = ctx;
    uint32_t idx = term_index(w, tok, len);
    if (idx == UINT32_MAX)
        return;
    term_acc *t = &w->acc[idx];
    if (w->deleting) {
        t->del = 1;
        return;
    }
    if (t->cur_doc != w->cur_doc) {
        t->cur_doc = w->cur_doc;
        memset(t->tf, 0, sizeof t->tf);
        t->lastfield = -1;
        if (w->ntouched == w->captouched) {
            uint32_t cap = w->captouched ? w->captouched * 2 : 1024;
            uint32_t *p = realloc(w->touched, cap * sizeof *p);
            if (!p) {
                w->oom = 1;
                return;
            }
            w->touched = p;
            w->captouched = cap;
        }
        w->touched[w->ntouched++] = idx;
    }
    if (field != t->lastfield) {
        t->lastfield = field;
        t->lastpos = 0;
    }
    size_t cap0 = t->pos.cap;
    if (lx_buf_reserve(&t->pos, 5)) {
        w->oom = 1;
        return;
    }
    w->pending += t->pos.cap - cap0;
    t->pos.n += lx_vbyte_put(t->pos.p + t->pos.n, pos - t->lastpos);
    t->lastpos = pos;
    t->tf[field]++;
    w->tokens++;
}

/* Appends the postings of the lecture just analysed. */
static void end_doc(lx_writer *w) {
    for (uint32_t k = 0; k < w->ntouched; k++) {
        term_acc *t = &w->acc[w->touched[k]];
        size_t cap0 = t->docs.cap + t->pos.cap;
        if (lx_buf_reserve(&t->docs, 6 + 5 * LX_NFIELDS)) {
            w->oom = 1;
            return;
        }
        uint8_t *p = t->docs.p + t->docs.n, *s = p;
        p += lx_vbyte_put(p, t->ndocs ? w->cur_doc - t->prev_doc : w->cur_doc);
        uint8_t mask = 0;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (t->tf[f])
                mask |= (uint8_t)(1u << f);
        *p++ = mask;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (t->tf[f])
                p += lx_vbyte_put(p, t->tf[f]);
        t->docs.n += (size_t)(p - s);
        t->prev_doc = w->cur_doc;
        t->ndocs++;
        w->pending += t->docs.cap + t->pos.cap - cap0;
    }
    w->ntouched = 0;
}

static set_acc *set_get(lx_strmap *m, set_acc **arr, uint32_t *n, uint32_t *cap, const char *key,
                        size_t len) {
    uint32_t h = lx_hash(key, len);
    uint32_t *v = lx_strmap_get(m, key, len, h);
    if (v)
        return &(*arr)[*v];
    if (*n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 64;
        set_acc *a = realloc(*arr, c * sizeof *a);
        if (!a)
            return NULL;
        *arr = a;
        *cap = c;
    }
    set_acc *s = &(*arr)[*n];
    memset(s, 0, sizeof *s);
    if (!lx_strmap_put(m, key, len, h, *n, &s->key))
        return NULL;
    s->len = (uint32_t)len;
    (*n)++;
    return s;
}

static int set_add(set_acc *s, uint32_t doc) {
    if (s->n == s->cap) {
        uint32_t c = s->cap ? s->cap * 2 : 8;
        uint32_t *p = realloc(s->add, c * sizeof *p);
        if (!p)
            return LX_ENOMEM;
        s->add = p;
        s->cap = c;
    }
    s->add[s->n++] = doc;
    return 0;
}

/* ---- flushing ------------------------------------------------------------ */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int is_deleted(void *ctx, uint32_t doc) {
    lx_writer *w = ctx;
    /* bsearch and qsort must not be given NULL, even for no elements. */
    return w->ndel && bsearch(&doc, w->deleted, w->ndel, sizeof doc, cmp_u32) != NULL;
}

/* qsort has no context argument: the writer being sorted, per thread, as
 * two writers (a build and an add) may sort at once in one process. */
static _Thread_local lx_writer *sort_w;
static int cmp_term(const void *a, const void *b) {
    const term_acc *x = &sort_w->acc[*(const uint32_t *)a];
    const term_acc *y = &sort_w->acc[*(const uint32_t *)b];
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* One term's postings in accumulator form: from an accumulator, or a
 * record of a run. */
typedef struct run_rec {
    const char *s;
    uint32_t len, ndocs;
    const uint8_t *docs, *pos;
    size_t docs_n, pos_n;
} run_rec;

static run_rec rec_of_acc(const term_acc *t) {
    run_rec r = {t->s, t->len, t->ndocs, t->docs.p, t->pos.p, t->docs.n, t->pos.n};
    return r;
}

/* Appends a term's postings (decoded from accumulator form) to pl. */
static int acc_decode(const run_rec *t, lx_plist *pl) {
    const uint8_t *p = t->docs, *e = t->docs + t->docs_n;
    const uint8_t *pp = t->pos, *pe = t->pos + t->pos_n;
    uint32_t doc = 0;
    for (uint32_t k = 0; k < t->ndocs && p < e; k++) {
        uint32_t gap, tf[LX_NFIELDS] = {0}, total = 0;
        p = lx_vbyte_get(p, e, &gap);
        doc = k ? doc + gap : gap;
        uint8_t mask = *p++;
        for (int f = 0; f < LX_NFIELDS; f++)
            if (mask & (1u << f)) {
                p = lx_vbyte_get(p, e, &tf[f]);
                total += tf[f];
            }
        const uint8_t *q = lx_vbyte_skip(pp, pe, total);
        int rc = lx_plist_add(pl, doc, tf, pp, (size_t)(q - pp));
        if (rc)
            return rc;
        pp = q;
    }
    return 0;
}

static int put_list(lx_writer *w, MDB_dbi dbi, const char *key, size_t klen, const uint32_t *docs,
                    uint32_t n, lx_error *err) {
    MDB_val k = {klen, (void *)key}, v = {(size_t)n * 4, (void *)docs};
    int rc = n ? mdb_put(w->txn, dbi, &k, &v, 0) : mdb_del(w->txn, dbi, &k, NULL);
    if (rc && rc != MDB_NOTFOUND)
        return mdb_err(w, err, rc, "writing a docid list");
    return 0;
}

/* Removes every tagstem entry that names tag. */
static int tagstem_drop(lx_writer *w, const char *tag, size_t len, lx_error *err) {
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, w->ix->tagstem, &c);
    if (rc)
        return mdb_err(w, err, rc, "tagstem");
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (v.mv_size == len && memcmp(v.mv_data, tag, len) == 0) {
            if ((rc = mdb_cursor_del(c, 0)))
                break;
        }
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return mdb_err(w, err, rc, "tagstem");
    return 0;
}

static int add_tagstem(lx_writer *w, const char *tag, lx_error *err);

/* Whether two ascending docid lists share a doc (b unaligned, from LMDB). */
static int lists_meet(const uint32_t *a, uint32_t na, const uint8_t *b, size_t nb) {
    for (size_t j = 0; j < nb; j++) {
        uint32_t d;
        memcpy(&d, b + j * 4, 4);
        if (bsearch(&d, a, na, sizeof d, cmp_u32))
            return 1;
    }
    return 0;
}

/* A tag lost lectures: its tagstem entries become its stem form under each
 * language of the lectures it still has, and no other, as in a fresh build
 * (a stale form would still boost it for queries in a language gone from
 * it).  Reads the langs database, so that is flushed first. */
static int tagstem_rebuild(lx_writer *w, const char *tag, size_t len, const uint32_t *docs,
                           uint32_t n, lx_error *err) {
    int rc = tagstem_drop(w, tag, len, err);
    if (rc || !n)
        return rc;
    char key[LX_MAX_TAG_BYTES * 3 + 1];
    if (len >= sizeof key)
        return 0;
    memcpy(key, tag, len);
    key[len] = 0;
    MDB_cursor *c;
    if ((rc = mdb_cursor_open(w->txn, w->ix->langs, &c)))
        return mdb_err(w, err, rc, "langs");
    MDB_val k, v; /* w->lang is free here: it is set again for each lecture */
    for (int g = mdb_cursor_get(c, &k, &v, MDB_FIRST); g == 0 && !rc;
         g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char lang[LX_LANG_BYTES];
        if (k.mv_size >= sizeof lang || !lists_meet(docs, n, v.mv_data, v.mv_size / 4))
            continue;
        memcpy(lang, k.mv_data, k.mv_size);
        lang[k.mv_size] = 0;
        w->lang = writer_lang(w, lang);
        rc = add_tagstem(w, key, err);
    }
    mdb_cursor_close(c);
    return rc;
}

static int flush_sets(lx_writer *w, MDB_dbi dbi, set_acc *sets, uint32_t n, int is_tags,
                      lx_error *err) {
    uint32_t *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n && !rc; i++) {
        set_acc *s = &sets[i];
        MDB_val k = {s->len, (void *)s->key}, v;
        int g = mdb_get(w->txn, dbi, &k, &v);
        if (g && g != MDB_NOTFOUND) {
            rc = mdb_err(w, err, g, "reading a docid list");
            break;
        }
        size_t old = g ? 0 : v.mv_size / 4;
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
            memcpy(&d, (const uint8_t *)v.mv_data + j * 4, 4);
            if (!s->del || !is_deleted(w, d))
                buf[m++] = d;
        }
        for (uint32_t j = 0; j < s->n; j++)
            if (!is_deleted(w, s->add[j]))
                buf[m++] = s->add[j];
        rc = put_list(w, dbi, s->key, s->len, buf, m, err);
        if (!rc && s->del && is_tags)
            rc = tagstem_rebuild(w, s->key, s->len, buf, m, err);
    }
    free(buf);
    return rc;
}

static void sets_reset(lx_strmap *m, set_acc *sets, uint32_t *n) {
    for (uint32_t i = 0; i < *n; i++)
        free(sets[i].add);
    *n = 0;
    lx_strmap_free(m);
    lx_strmap_init(m);
}

static void release_map(lx_writer *w);

/* The dirty page bytes a value of n bytes costs a transaction, about: a
 * large one has overflow pages of its own. */
static size_t dirty_bytes(size_t n) {
    const size_t page = 4096;
    return n < page / 2 ? n + 16 : (n + 16 + page - 1) / page * page;
}

/* Encodes w->pl and writes it under term k in "post" and "pos". */
static int plist_store(lx_writer *w, MDB_val *k, unsigned putflags, lx_error *err) {
    w->post.n = w->posv.n = 0;
    int rc = lx_plist_encode(&w->pl, w->norms, &w->post, &w->posv);
    if (rc)
        return rc;
    MDB_val v1 = {w->post.n, w->post.p}, v2 = {w->posv.n, w->posv.p};
    int p = mdb_put(w->txn, w->ix->post, k, &v1, putflags);
    if (!p)
        p = mdb_put(w->txn, w->ix->pos, k, &v2, putflags);
    if (p)
        return mdb_err(w, err, p, "writing a posting list");
    w->txn_bytes += dirty_bytes(w->post.n) + dirty_bytes(w->posv.n);
    return 0;
}

/* Merges every accumulator, in term order, into the lists in LMDB. */
static int merge_into_index(lx_writer *w, const uint32_t *order, lx_error *err) {
    int rc = 0;
    MDB_stat ms;
    mdb_stat(w->txn, w->ix->post, &ms);
    /* Sorted keys into an empty database go in with MDB_APPEND: pages
     * fill completely and no search is needed. */
    unsigned putflags = ms.ms_entries == 0 ? MDB_APPEND : 0;
    for (uint32_t o = 0; o < w->nacc && !rc; o++) {
        term_acc *t = &w->acc[order[o]];
        MDB_val k = {t->len, (void *)t->s}, pv, xv;
        int existed = 0;
        lx_plist_clear(&w->pl);
        if (!putflags) {
            int g = mdb_get(w->txn, w->ix->post, &k, &pv);
            if (g == 0) {
                existed = 1;
                g = mdb_get(w->txn, w->ix->pos, &k, &xv);
                if (g == MDB_NOTFOUND) {
                    xv.mv_size = 0;
                    xv.mv_data = NULL;
                    g = 0;
                }
                if (!g && (!t->del && t->ndocs == 0))
                    continue; /* untouched: keep as is */
                if (!g)
                    rc = lx_plist_decode(pv.mv_data, pv.mv_size, xv.mv_data, xv.mv_size,
                                         t->del ? is_deleted : NULL, w, &w->pl);
            }
            if (g && g != MDB_NOTFOUND)
                return mdb_err(w, err, g, "reading a posting list");
            if (rc)
                break;
        }
        run_rec r = rec_of_acc(t);
        if ((rc = acc_decode(&r, &w->pl)))
            break;
        if (w->pl.n == 0) {
            if (existed) {
                int d = mdb_del(w->txn, w->ix->post, &k, NULL);
                if (!d)
                    d = mdb_del(w->txn, w->ix->pos, &k, NULL);
                if (d && d != MDB_NOTFOUND)
                    return mdb_err(w, err, d, "deleting a posting list");
                w->st.nterms--;
            }
            continue;
        }
        if ((rc = plist_store(w, &k, putflags, err)))
            break;
        if (!existed)
            w->st.nterms++;
    }
    return rc;
}

/* The accumulators' indices in term order (LMDB's key order); *out is
 * owned by the caller. */
static int sorted_terms(lx_writer *w, uint32_t **out) {
    uint32_t *order = malloc((w->nacc ? w->nacc : 1) * sizeof *order);
    *out = order;
    if (!order)
        return LX_ENOMEM;
    for (uint32_t i = 0; i < w->nacc; i++)
        order[i] = i;
    sort_w = w;
    qsort(order, w->nacc, sizeof *order, cmp_term);
    return 0;
}

static int run_write(lx_writer *w, const uint32_t *order, lx_error *err);

/* Empties the accumulators (in a batch, after merging them into LMDB and
 * writing the tag and language lists; in a build, after writing them as a
 * run). */
static int flush(lx_writer *w, lx_error *err) {
    int rc = 0;
    if (w->failed)
        return w->failed;
    if (w->oom)
        return w->failed = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory while indexing");
    if (w->ndel)
        qsort(w->deleted, w->ndel, sizeof *w->deleted, cmp_u32);
    uint32_t *order;
    if ((rc = sorted_terms(w, &order)))
        return w->failed = rc;
    if (w->build) {
        rc = run_write(w, order, err);
    } else {
        rc = merge_into_index(w, order, err);
        if (!rc)
            rc = flush_sets(w, w->ix->langs, w->langs, w->nlangs, 0, err);
        if (!rc)
            rc = flush_sets(w, w->ix->tags, w->tags, w->ntags, 1, err);
    }
    free(order);
    if (rc) {
        w->failed = rc;
        return rc;
    }
    for (uint32_t i = 0; i < w->nacc; i++) {
        lx_buf_free(&w->acc[i].docs);
        lx_buf_free(&w->acc[i].pos);
    }
    w->nacc = 0;
    lx_strmap_free(&w->terms);
    lx_strmap_init(&w->terms);
    lx_strmap_free(&w->words);
    lx_strmap_init(&w->words);
    if (!w->build) {
        sets_reset(&w->tagmap, w->tags, &w->ntags);
        sets_reset(&w->langmap, w->langs, &w->nlangs);
    }
    w->ndel = 0;
    w->pending = 0;
    w->flush_from = w->st.next_doc;
    release_map(w);
    lx_plist_free(&w->pl);
    lx_buf_free(&w->post);
    lx_buf_free(&w->posv);
    return 0;
}

/* ---- a build: runs and the merge ---------------------------------------- */

/* path = dir/.building[/name] */
static void build_path(const lx_writer *w, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/" LX_BUILD_SUBDIR "%s%s", w->dir, name ? "/" : "", name ? name : "");
}

static int io_fail(lx_writer *w, lx_error *err, const char *what) {
    int full = errno == ENOSPC || errno == EFBIG || errno == EDQUOT;
    return w->failed =
               lx_fail(err, full ? LX_ENOSPC : LX_EIO, NULL, -1, "%s: %s", what, strerror(errno));
}

/* Appends the accumulators, in term order, to the run file as one run. */
static int run_write(lx_writer *w, const uint32_t *order, lx_error *err) {
    if (!w->runf) {
        char path[PATH_MAX];
        build_path(w, "runs", path, sizeof path);
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            return io_fail(w, err, "creating the run file");
        unlink(path); /* lives as long as fd: nothing to clean after a kill */
        if (!(w->runf = fdopen(fd, "w+b"))) {
            close(fd);
            return io_fail(w, err, "opening the run file");
        }
        setvbuf(w->runf, NULL, _IOFBF, (size_t)1 << 20);
    }
    if (w->nruns == w->capruns) {
        uint32_t cap = w->capruns ? w->capruns * 2 : 16;
        uint64_t *p = realloc(w->run_end, cap * sizeof *p);
        if (!p)
            return w->failed = LX_ENOMEM;
        w->run_end = p;
        w->capruns = cap;
    }
    for (uint32_t o = 0; o < w->nacc; o++) {
        const term_acc *t = &w->acc[order[o]];
        uint8_t hdr[4 * 10];
        size_t n = lx_vbyte_put(hdr, t->len);
        n += lx_vbyte_put(hdr + n, t->ndocs);
        n += lx_vbyte_put(hdr + n, (uint32_t)t->docs.n);
        n += lx_vbyte_put(hdr + n, (uint32_t)t->pos.n);
        if (fwrite(hdr, 1, n, w->runf) != n || fwrite(t->s, 1, t->len, w->runf) != t->len ||
            fwrite(t->docs.p, 1, t->docs.n, w->runf) != t->docs.n ||
            fwrite(t->pos.p, 1, t->pos.n, w->runf) != t->pos.n)
            return io_fail(w, err, "writing a run");
    }
    if (fflush(w->runf))
        return io_fail(w, err, "writing a run");
    off_t end = ftello(w->runf);
    if (end < 0)
        return io_fail(w, err, "writing a run");
    w->run_end[w->nruns++] = (uint64_t)end;
    return 0;
}

/* A merge input: a run in the mapped file (p < end), or the accumulators
 * still in memory (order). */
typedef struct run_src {
    const uint8_t *p, *end;
    const uint32_t *order;
    uint32_t i, n;
    run_rec cur;
} run_src;

/* Reads the source's next record into cur; 0 at its end. */
static int src_next(const lx_writer *w, run_src *s) {
    if (s->order) {
        if (s->i == s->n)
            return 0;
        s->cur = rec_of_acc(&w->acc[s->order[s->i++]]);
        return 1;
    }
    if (s->p >= s->end)
        return 0;
    uint32_t len, ndocs, dn, pn;
    const uint8_t *p = lx_vbyte_get(s->p, s->end, &len);
    p = lx_vbyte_get(p, s->end, &ndocs);
    p = lx_vbyte_get(p, s->end, &dn);
    p = lx_vbyte_get(p, s->end, &pn);
    if ((size_t)(s->end - p) < (size_t)len + dn + pn) {
        s->p = s->end; /* cannot happen: the file is ours and complete */
        return 0;
    }
    run_rec r = {(const char *)p, len, ndocs, p + len, p + len + dn, dn, pn};
    s->cur = r;
    s->p = p + len + dn + pn;
    return 1;
}

/* Heap order: term, then source (earlier runs hold earlier docids). */
static int src_less(const run_src *src, uint32_t a, uint32_t b) {
    const run_rec *x = &src[a].cur, *y = &src[b].cur;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (!c)
        c = (x->len > y->len) - (x->len < y->len);
    return c ? c < 0 : a < b;
}

static void heap_down(const run_src *src, uint32_t *h, uint32_t n, uint32_t i) {
    for (;;) {
        uint32_t m = i, l = 2 * i + 1, r = l + 1;
        if (l < n && src_less(src, h[l], h[m]))
            m = l;
        if (r < n && src_less(src, h[r], h[m]))
            m = r;
        if (m == i)
            return;
        uint32_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

/* Commits a build's transaction when it holds LX_TXN_BYTES and begins the
 * next, dropping the maps' pages from the process. */
static int build_checkpoint(lx_writer *w, lx_error *err) {
    if (!w->build || w->txn_bytes < LX_TXN_BYTES)
        return 0;
    int rc = mdb_txn_commit(w->txn);
    w->txn = NULL;
    if (rc)
        return mdb_err(w, err, rc, "commit");
    w->txn_bytes = 0;
    release_map(w);
    if (w->runmap)
        madvise((void *)w->runmap, w->runmap_len, MADV_DONTNEED);
    if ((rc = mdb_txn_begin(w->ix->env, NULL, 0, &w->txn)))
        return mdb_err(w, err, rc, "begin write transaction");
    return 0;
}

/* Merges the runs and the accumulators into the (empty) lists. */
static int build_merge(lx_writer *w, const uint32_t *order, lx_error *err) {
    uint64_t len = w->nruns ? w->run_end[w->nruns - 1] : 0;
    if (len) {
        void *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fileno(w->runf), 0);
        if (m == MAP_FAILED)
            return io_fail(w, err, "mapping the runs");
        w->runmap = m;
        w->runmap_len = len;
    }
    uint32_t k = w->nruns + 1, nh = 0;
    run_src *src = calloc(k, sizeof *src);
    uint32_t *h = malloc(k * sizeof *h);
    int rc = src && h ? 0 : LX_ENOMEM;
    for (uint32_t i = 0; i < k && !rc; i++) {
        run_src *s = &src[i];
        if (i < w->nruns) {
            s->p = w->runmap + (i ? w->run_end[i - 1] : 0);
            s->end = w->runmap + w->run_end[i];
        } else {
            s->order = order;
            s->n = w->nacc;
        }
        if (src_next(w, s))
            h[nh++] = i;
    }
    for (uint32_t i = nh / 2; i-- > 0;)
        heap_down(src, h, nh, i);
    size_t written = 0;
    while (nh && !rc) {
        run_rec first = src[h[0]].cur;
        lx_plist_clear(&w->pl);
        while (nh && !rc) {
            run_src *s = &src[h[0]];
            if (s->cur.len != first.len || memcmp(s->cur.s, first.s, first.len) != 0)
                break;
            rc = acc_decode(&s->cur, &w->pl);
            if (!src_next(w, s))
                h[0] = h[--nh];
            heap_down(src, h, nh, 0);
        }
        MDB_val key = {first.len, (void *)first.s};
        if (!rc && w->pl.n) {
            rc = plist_store(w, &key, MDB_APPEND, err);
            w->st.nterms++;
            written += w->post.n + w->posv.n;
        }
        if (w->runmap && written > LX_RUN_DROP_BYTES) {
            madvise((void *)w->runmap, w->runmap_len, MADV_DONTNEED);
            written = 0;
        }
        if (!rc)
            rc = build_checkpoint(w, err);
    }
    free(src);
    free(h);
    return rc;
}

static int cmp_slot(const void *a, const void *b) {
    const struct lx_strmap_slot *x = *(const struct lx_strmap_slot *const *)a;
    const struct lx_strmap_slot *y = *(const struct lx_strmap_slot *const *)b;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Writes a build's ids (kept in w->ids with their docids) in key order. */
static int build_ids(lx_writer *w, lx_error *err) {
    const struct lx_strmap_slot **v = malloc((w->ids.n ? w->ids.n : 1) * sizeof *v);
    if (!v)
        return LX_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < w->ids.cap; i++)
        if (w->ids.slots[i].key)
            v[n++] = &w->ids.slots[i];
    qsort(v, n, sizeof *v, cmp_slot);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t docid = v[i]->value;
        MDB_val k = {v[i]->len, (void *)v[i]->key}, d = {sizeof docid, &docid};
        int p = mdb_put(w->txn, w->ix->ids, &k, &d, MDB_APPEND);
        if (p)
            rc = mdb_err(w, err, p, "storing an id");
    }
    free(v);
    return rc;
}

/* Writes everything a build holds besides the stored lectures: the lists
 * (merged from the runs and the accumulators), the tag and language lists,
 * the ids. */
static int build_finish(lx_writer *w, lx_error *err) {
    if (w->oom)
        return w->failed = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory while indexing");
    uint32_t *order;
    int rc = sorted_terms(w, &order);
    if (!rc)
        rc = build_merge(w, order, err);
    free(order);
    if (!rc)
        rc = flush_sets(w, w->ix->langs, w->langs, w->nlangs, 0, err);
    if (!rc)
        rc = flush_sets(w, w->ix->tags, w->tags, w->ntags, 1, err);
    if (!rc)
        rc = build_ids(w, err);
    if (rc)
        w->failed = rc;
    return rc;
}

/* Makes the committed build the index of dir: see the top of the file. */
static int build_install(lx_writer *w, lx_error *err) {
    char from[PATH_MAX];
    int rc = mdb_env_sync(w->ix->env, 1);
    if (rc)
        return lx_store_write_fail(w->ix->env, err, rc, "sync");
    lx_store_write_end(w->ix, &w->wl);
    lx_index_close(w->ix);
    w->ix = NULL;
    build_path(w, "data.mdb", from, sizeof from);
    return lx_store_install(w->dir, from, err);
}

/* Removes a build's work files; with dir too when the build made it and
 * nothing was installed. */
static void build_cleanup(lx_writer *w) {
    char path[PATH_MAX];
    static const char *const names[] = {"data.mdb", "lock.mdb", "runs"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        build_path(w, names[i], path, sizeof path);
        unlink(path);
    }
    build_path(w, NULL, path, sizeof path);
    rmdir(path);
    if (w->made_dir)
        rmdir(w->dir); /* fails, as it should, once the index is in it */
}

/* The merge reads every list it rewrites through LMDB's read-only shared
 * map; those pages need not stay in this process (they stay in the page
 * cache and fault back in on use), so a long build's memory stays bounded
 * by the batch, not the index.  LMDB does not give the map's address, so
 * it is found in /proc/self/maps (Linux); elsewhere this does nothing. */
static void release_map(lx_writer *w) {
    const char *dir;
#ifdef __GLIBC__
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

/* ---- public -------------------------------------------------------------- */

/* A writer on ix; w->build and its fields are left for the caller. */
static int writer_new(lx_index *ix, lx_writer **out, lx_error *err) {
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
    *out = w;
    int rc = lx_store_write_begin(ix, &w->wl, &w->txn, err);
    if (rc)
        return rc;
    if ((rc = lx_store_stats(w->txn, ix, &w->st)))
        return lx_fail(err, rc, NULL, -1, "cannot read index statistics");
    const uint32_t *norms;
    uint32_t nn;
    lx_store_norms(w->txn, ix, &norms, &nn);
    w->norms_cap = nn + 1024;
    w->norms = calloc(w->norms_cap * LX_NFIELDS, sizeof *w->norms);
    if (!w->norms)
        return LX_ENOMEM;
    if (nn)
        memcpy(w->norms, norms, (size_t)nn * LX_NFIELDS * sizeof *norms);
    w->flush_from = w->st.next_doc;
    return 0;
}

int lx_writer_begin(lx_index *ix, lx_writer **out, lx_error *err) {
    *out = NULL;
    if (ix->flags & LX_OPEN_READONLY)
        return lx_fail(err, LX_EREADONLY, NULL, -1, "index opened read-only");
    int rc = writer_new(ix, out, err);
    if (rc) {
        lx_writer_abort(*out);
        *out = NULL;
    }
    return rc;
}

/* The lectures in the index of dir, if it has one (0 when not). */
static int count_existing(const char *dir, uint32_t *ndocs, lx_error *err) {
    char path[PATH_MAX];
    struct stat st;
    *ndocs = 0;
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &st) != 0)
        return 0;
    lx_index *ix;
    int rc = lx_index_open(dir, LX_OPEN_READONLY, &ix, err);
    if (rc)
        return rc;
    MDB_txn *txn;
    lx_collstats cs;
    if ((rc = mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn)) == 0) {
        rc = lx_store_stats(txn, ix, &cs);
        mdb_txn_abort(txn);
        *ndocs = rc ? 0 : cs.ndocs;
    } else {
        rc = lx_store_fail(err, rc, dir);
    }
    lx_index_close(ix);
    return rc;
}

int lx_writer_begin_build(const char *dir, unsigned flags, lx_writer **out, lx_error *err) {
    *out = NULL;
    lx_error_clear(err);
    if (strlen(dir) > PATH_MAX - 64)
        return lx_fail(err, LX_EINVAL, NULL, -1, "index path too long");
    int made = mkdir(dir, 0777) == 0;
    if (!made && errno != EEXIST)
        return lx_fail(err, LX_EIO, NULL, -1, "cannot create %s: %s", dir, strerror(errno));
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return lx_fail(err, LX_EIO, NULL, -1, "cannot open %s: %s", dir, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return lx_fail(err, LX_EIO, NULL, -1, "another build of %s is running", dir);
    }
    uint32_t ndocs = 0;
    int rc = flags & LX_BUILD_REPLACE ? 0 : count_existing(dir, &ndocs, err);
    if (!rc && ndocs)
        rc = lx_fail(err, LX_EEXIST, NULL, -1, "%s already holds %u lectures", dir, ndocs);
    if (rc) {
        close(fd);
        return rc;
    }
    lx_writer tmp; /* enough of a writer to name and clean the work files */
    memset(&tmp, 0, sizeof tmp);
    tmp.dir = (char *)dir;
    build_cleanup(&tmp); /* a killed build's */
    char work[PATH_MAX];
    build_path(&tmp, NULL, work, sizeof work);
    lx_index *ix = NULL;
    if (mkdir(work, 0777) != 0 && errno != EEXIST)
        rc = lx_fail(err, LX_EIO, NULL, -1, "cannot create %s: %s", work, strerror(errno));
    if (!rc)
        rc = lx_index_open(work, LX_OPEN_CREATE, &ix, err);
    if (!rc && (rc = mdb_env_set_flags(ix->env, MDB_NOSYNC, 1)))
        rc = lx_store_fail(err, rc, work);
    char *dcopy = rc ? NULL : strdup(dir);
    if (!rc && !dcopy)
        rc = LX_ENOMEM;
    lx_writer *w = NULL;
    if (!rc)
        rc = writer_new(ix, &w, err);
    if (w) {
        w->build = 1;
        w->dir = dcopy;
        w->dirfd = fd;
        w->made_dir = made;
    }
    if (rc) {
        if (w) {
            lx_writer_abort(w);
        } else {
            lx_index_close(ix);
            build_cleanup(&tmp);
            if (made)
                rmdir(dir);
            free(dcopy);
            close(fd);
        }
        return rc;
    }
    *out = w;
    return 0;
}

void lx_writer_set_flush_bytes(lx_writer *w, size_t bytes) {
    const size_t max = (size_t)1 << 30;
    w->flush_bytes = bytes == 0 ? LX_FLUSH_BYTES : bytes > max ? max : bytes;
}

uint64_t lx_writer_tokens(const lx_writer *w) {
    return w->tokens;
}

/* Deletes a committed or flushed lecture by docid. */
static int delete_doc(lx_writer *w, uint32_t docid, lx_error *err) {
    int rc;
    if (docid >= w->flush_from && (rc = flush(w, err)))
        return rc;
    lx_docview v;
    if ((rc = lx_store_doc(w->txn, w->ix, docid, &v)))
        return w->failed = lx_fail(err, rc, NULL, -1, "stored lecture %u unreadable", docid);
    lx_fields f;
    cJSON *holder = NULL;
    if ((rc = lx_fields_from_view(&v, &f, &holder)))
        return w->failed = lx_fail(err, rc, NULL, -1, "stored lecture %u unreadable", docid);
    w->lang = writer_lang(w, f.lang);
    w->deleting = 1;
    rc = lx_analyze(&f, on_token, w, NULL, err);
    w->deleting = 0;
    for (int i = 0; i < f.ntags && !rc; i++) {
        char key[LX_MAX_TAG_BYTES * 3 + 1];
        size_t kl = lx_tag_normalise(f.tags[i], f.taglen[i], key, sizeof key);
        set_acc *s = set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, key, kl);
        if (!s)
            rc = LX_ENOMEM;
        else
            s->del = 1;
    }
    if (!rc) {
        set_acc *s =
            set_get(&w->langmap, &w->langs, &w->nlangs, &w->caplangs, f.lang, strlen(f.lang));
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
    MDB_val dk = {sizeof docid, &docid};
    if ((rc = mdb_del(w->txn, w->ix->docs, &dk, NULL)) ||
        (rc = mdb_del(w->txn, w->ix->ids, &idk, NULL)))
        return mdb_err(w, err, rc, "deleting a lecture");
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

struct stem_join {
    lx_stemmers *stem;
    int lang;
    char out[LX_MAX_TAG_BYTES * 4 + LX_TOKEN_BUF];
    size_t n;
};

static void on_tag_word(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct stem_join *j = ctx;
    char term[LX_TOKEN_BUF];
    (void)s;
    (void)e;
    (void)pos;
    size_t tl = lx_stemmers_term(j->stem, j->lang, tok, len, term);
    if (j->n + tl + 2 > sizeof j->out)
        return;
    if (j->n)
        j->out[j->n++] = ' ';
    memcpy(j->out + j->n, term, tl);
    j->n += tl;
}

/* The stem form of a tag ("gender equality" -> "gender equal") under
 * stemmer `lang`, as the query side builds it from query words. */
size_t lx_tag_stem_form(lx_stemmers *stem, int lang, const char *tag, size_t len, char *out,
                        size_t cap) {
    struct stem_join j;
    j.stem = stem;
    j.lang = lang;
    j.n = 0;
    if (lx_text_scan(tag, len, 0, on_tag_word, &j, NULL, NULL))
        return 0;
    if (j.n >= cap)
        j.n = cap - 1;
    memcpy(out, j.out, j.n);
    out[j.n] = 0;
    return j.n;
}

static int add_tagstem(lx_writer *w, const char *tag, lx_error *err) {
    char form[LX_MAX_TAG_BYTES * 4 + LX_TOKEN_BUF];
    size_t n = lx_tag_stem_form(&w->stem, w->lang, tag, strlen(tag), form, sizeof form);
    if (!n || n > 500)
        return 0;
    MDB_val k = {n, form}, v = {strlen(tag), (void *)tag};
    int rc = mdb_put(w->txn, w->ix->tagstem, &k, &v, MDB_NODUPDATA);
    if (rc && rc != MDB_KEYEXIST)
        return mdb_err(w, err, rc, "tagstem");
    return 0;
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
    w->lang = writer_lang(w, r->f.lang);
    if (!lx_stemmers_has(&w->stem, w->lang) && err)
        snprintf(err->message, sizeof err->message,
                 "language \"%s\" has no stemmer: indexed unstemmed", r->f.lang);
    w->cur_doc = docid;
    uint32_t *lens = w->norms + (size_t)docid * LX_NFIELDS;
    r->f.cps = &r->cps;
    rc = lx_analyze(&r->f, on_token, w, lens, err);
    if (rc || w->oom) {
        /* Validation passed, so this is out of memory or worse: the
         * accumulators may hold part of the lecture; only abort is safe. */
        w->failed = rc ? rc : LX_ENOMEM;
        goto out;
    }
    end_doc(w);
    w->st.next_doc++;
    w->st.ndocs++;
    for (int f = 0; f < LX_NFIELDS; f++) {
        w->st.flen[f] += lens[f];
        w->st.ntokens += lens[f];
    }
    w->val.n = 0;
    if ((rc = lx_record_serialize(r, &w->val)))
        goto fatal;
    MDB_val dk = {sizeof docid, &docid}, dv = {w->val.n, w->val.p};
    MDB_val ik = {r->id_len, (void *)r->id}, iv = {sizeof docid, &docid};
    if ((rc = mdb_put(w->txn, w->ix->docs, &dk, &dv, MDB_APPEND)) ||
        (!w->build && (rc = mdb_put(w->txn, w->ix->ids, &ik, &iv, 0)))) {
        rc = mdb_err(w, err, rc, "storing a lecture");
        goto out;
    }
    w->txn_bytes += dirty_bytes(w->val.n);
    for (int i = 0; i < r->f.ntags; i++) {
        set_acc *s = set_get(&w->tagmap, &w->tags, &w->ntags, &w->captags, r->tagkey[i],
                             strlen(r->tagkey[i]));
        if (!s || set_add(s, docid)) {
            rc = LX_ENOMEM;
            goto fatal;
        }
        if ((rc = add_tagstem(w, r->tagkey[i], err)))
            goto out;
    }
    set_acc *ls =
        set_get(&w->langmap, &w->langs, &w->nlangs, &w->caplangs, r->f.lang, strlen(r->f.lang));
    if (!ls || set_add(ls, docid)) {
        rc = LX_ENOMEM;
        goto fatal;
    }
    if (w->pending + w->terms.bytes + w->words.bytes > w->flush_bytes)
        rc = flush(w, err);
    if (!rc)
        rc = build_checkpoint(w, err);
    goto out;
fatal:
    w->failed = rc;
out:
    lx_prepared_free(p);
    return rc;
}

int lx_writer_commit(lx_writer *w, lx_error *err) {
    int rc = w->failed  ? lx_fail(err, w->failed, NULL, -1, "batch failed earlier; nothing written")
             : w->build ? build_finish(w, err)
                        : flush(w, err);
    if (!rc) {
        MDB_val k = {5, "norms"}, v = {(size_t)w->st.next_doc * LX_NFIELDS * 4, w->norms};
        MDB_val sk = {5, "stats"}, sv = {sizeof w->st, &w->st};
        if ((rc = mdb_put(w->txn, w->ix->meta, &k, &v, 0)) ||
            (rc = mdb_put(w->txn, w->ix->meta, &sk, &sv, 0)))
            rc = lx_store_fail(err, rc, "writing statistics");
    }
    if (!rc) {
        int c = mdb_txn_commit(w->txn);
        w->txn = NULL;
        if (c)
            rc = lx_store_write_fail(w->wl.env->env, err, c, "commit");
    }
    if (!rc && w->build)
        rc = build_install(w, err);
    else if (!rc)
        release_map(w);
    lx_writer_abort(w);
    return rc;
}

void lx_writer_abort(lx_writer *w) {
    if (!w)
        return;
    if (w->txn)
        mdb_txn_abort(w->txn);
    lx_store_write_end(w->ix, &w->wl);
    if (w->build) {
        if (w->runmap)
            munmap((void *)w->runmap, w->runmap_len);
        if (w->runf)
            fclose(w->runf);
        lx_index_close(w->ix);
        build_cleanup(w);
        close(w->dirfd);
        free(w->dir);
        free(w->run_end);
    }
    for (uint32_t i = 0; i < w->nacc; i++) {
        lx_buf_free(&w->acc[i].docs);
        lx_buf_free(&w->acc[i].pos);
    }
    free(w->acc);
    free(w->touched);
    free(w->deleted);
    free(w->norms);
    sets_reset(&w->tagmap, w->tags, &w->ntags);
    sets_reset(&w->langmap, w->langs, &w->nlangs);
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
    free(w);
}
