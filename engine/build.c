/* build.c -- a build: sorted runs, their merge, the install.
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
 * written, LMDB's map's at every commit (lx_writer_release_map);
 *   - the environment is synced and closed, dir/lock.mdb removed (a
 *     process still holding the old index keeps its own lock and file),
 *     and .building/data.mdb renamed to dir/data.mdb: the only moment the
 *     new index becomes visible, whole.
 * A build holds the ids, norms and tag lists of every lecture (a few dozen
 * bytes each); everything else is bounded by the thresholds: its peak is
 * about the flush threshold plus LX_TXN_BYTES (TED x10: 273 MiB, TED x5:
 * 255 MiB, against 745 MiB when each batch was merged into the lists).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accum.h"
#include "build.h"
#include "codec.h"
#include "error.h"
#include "flush.h"
#include "heap.h"
#include "relvec.h"

/* path = dir/.building[/name] */
static void build_path(const lx_writer *w, const char *name, char *path, size_t cap) {
    snprintf(path, cap, "%s/" LX_BUILD_SUBDIR "%s%s", w->dir, name ? "/" : "", name ? name : "");
}

static int io_fail(lx_writer *w, lx_error *err, const char *what) {
    int full = errno == ENOSPC || errno == EFBIG || errno == EDQUOT;
    return w->failed =
               lx_fail(err, full ? LX_ENOSPC : LX_EIO, NULL, -1, "%s: %s", what, strerror(errno));
}

/* Appends the accumulators, in term order, to the run file as one run
 * (w->write_run: lx_flush calls it). */
static int write_run(lx_writer *w, const uint32_t *order, lx_error *err) {
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
        s->cur = lx_run_rec_of_acc(&w->acc[s->order[s->i++]]);
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
static inline int src_less(const run_src *src, const uint32_t *pa, const uint32_t *pb) {
    uint32_t a = *pa, b = *pb;
    const run_rec *x = &src[a].cur, *y = &src[b].cur;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (!c)
        c = (x->len > y->len) - (x->len < y->len);
    return c ? c < 0 : a < b;
}
LX_HEAP_DEFINE(src_heap, uint32_t, const run_src *, src_less)

int lx_build_checkpoint(lx_writer *w, lx_error *err) {
    if (!w->build || w->txn_bytes < LX_TXN_BYTES)
        return 0;
    int rc = lx_store_doc_unstage(w->txn, w->ix, &w->docs, err);
    if (rc)
        return rc;
    rc = mdb_txn_commit(w->txn);
    w->txn = NULL;
    if (rc)
        return lx_writer_mdb_fail(w, err, rc, "commit");
    w->txn_bytes = 0;
    lx_writer_release_map(w);
    if (w->runmap)
        madvise((void *)w->runmap, w->runmap_len, MADV_DONTNEED);
    if ((rc = mdb_txn_begin(w->ix->env, NULL, 0, &w->txn)))
        return lx_writer_mdb_fail(w, err, rc, "begin write transaction");
    return 0;
}

/* Each lecture's language, as its place in w->langs (UINT8_MAX: none),
 * for the lists per language; NULL with LX_ENOMEM. */
static uint8_t *doc_langs(const lx_writer *w) {
    uint32_t n = w->st.next_doc;
    uint8_t *l = malloc(n ? n : 1);
    if (!l)
        return NULL;
    memset(l, UINT8_MAX, n);
    for (uint32_t i = 0; i < w->nlangs && i < UINT8_MAX; i++)
        for (uint32_t j = 0; j < w->langs[i].n; j++)
            if (w->langs[i].add[j] < n)
                l[w->langs[i].add[j]] = (uint8_t)i;
    return l;
}

/* Writes the lpost values of the term whose list is w->pl (see store.c):
 * per language of the index, the term's postings in it, none, or
 * LX_LPOST_MOST when it holds more than half of them.  lang: doc_langs. */
static int build_lpost(lx_writer *w, const char *term, size_t len, const uint8_t *lang,
                       lx_plist *sub, lx_error *err) {
    uint32_t n = w->pl.n, cnt[UINT8_MAX] = {0};
    for (uint32_t i = 0; i < n; i++)
        if (lang[w->pl.doc[i]] != UINT8_MAX)
            cnt[lang[w->pl.doc[i]]]++;
    int rc = 0;
    for (uint32_t l = 0; l < w->nlangs && l < UINT8_MAX && !rc; l++) {
        char code[16];
        snprintf(code, sizeof code, "%.*s", (int)w->langs[l].len, w->langs[l].key);
        int kind = lx_lpost_kind(cnt[l], n);
        if (kind != LX_LPOST_IS_LIST) {
            uint8_t most = LX_LPOST_MOST;
            rc = lx_store_lpost_put(w->txn, w->ix, term, len, code, &most, kind == LX_LPOST_IS_MOST,
                                    err);
            continue;
        }
        lx_plist_clear(sub);
        for (uint32_t i = 0; i < n && !rc; i++)
            if (lang[w->pl.doc[i]] == l)
                rc = lx_plist_add(sub, w->pl.doc[i], w->pl.tf + (size_t)i * LX_NFIELDS, NULL, 0);
        w->post.n = w->posv.n = 0;
        if (!rc)
            rc = lx_plist_encode(sub, w->norms, &w->post, &w->posv);
        if (!rc)
            rc = lx_store_lpost_put(w->txn, w->ix, term, len, code, w->post.p, w->post.n, err);
        w->txn_bytes += lx_dirty_bytes(w->post.n);
    }
    return rc ? (w->failed = rc) : 0;
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
    uint8_t *lang = w->nlangs > 1 ? doc_langs(w) : NULL; /* one language: no lists per language */
    lx_plist sub = {0};
    int rc = src && h && (lang || w->nlangs <= 1) ? 0 : LX_ENOMEM;
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
    src_heap_make(h, nh, src);
    size_t written = 0;
    while (nh && !rc) {
        run_rec first = src[h[0]].cur;
        lx_plist_clear(&w->pl);
        while (nh && !rc) {
            run_src *s = &src[h[0]];
            if (s->cur.len != first.len || memcmp(s->cur.s, first.s, first.len) != 0)
                break;
            rc = lx_run_rec_decode(&s->cur, &w->pl);
            if (!src_next(w, s))
                h[0] = h[--nh];
            src_heap_down(h, nh, 0, src);
        }
        if (!rc && w->pl.n) {
            rc = lx_flush_store_list(w, first.s, first.len, MDB_APPEND, err);
            w->st.nterms++;
            written += w->post.n + w->posv.n;
            if (!rc && lang && w->pl.n >= LX_LPOST_MIN)
                rc = build_lpost(w, first.s, first.len, lang, &sub, err);
        }
        if (w->runmap && written > LX_RUN_DROP_BYTES) {
            madvise((void *)w->runmap, w->runmap_len, MADV_DONTNEED);
            written = 0;
        }
        if (!rc)
            rc = lx_build_checkpoint(w, err);
    }
    free(src);
    free(h);
    free(lang);
    lx_plist_free(&sub);
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
        rc = lx_store_id_put(w->txn, w->ix, v[i]->key, v[i]->len, v[i]->value, MDB_APPEND, err);
        if (rc)
            w->failed = rc;
    }
    free(v);
    return rc;
}

/* Writes everything a build holds besides the stored lectures: the lists
 * (merged from the runs and the accumulators), the tag and language lists,
 * the ids. */
int lx_build_finish(lx_writer *w, lx_error *err) {
    if (w->oom)
        return w->failed = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory while indexing");
    uint32_t *order = NULL;
    int rc = lx_accum_put_words(w, err);
    if (!rc) /* the last batch's lectures, with its document frequencies */
        rc = lx_relvec_flush(w, err);
    if (!rc)
        rc = lx_accum_sorted(w, &order);
    if (!rc)
        rc = build_merge(w, order, err);
    free(order);
    if (!rc)
        rc = lx_flush_sets(w, w->ix->langs, w->langs, w->nlangs, 0, err);
    if (!rc)
        rc = lx_flush_sets(w, w->ix->tags, w->tags, w->ntags, 1, err);
    if (!rc)
        rc = build_ids(w, err);
    if (rc)
        w->failed = rc;
    return rc;
}

/* Makes the committed build the index of dir: see the top of the file. */
int lx_build_install(lx_writer *w, lx_error *err) {
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
        rc = lx_writer_new(ix, &w, err);
    if (rc) {
        lx_index_close(ix);
        build_cleanup(&tmp);
        if (made)
            rmdir(dir);
        free(dcopy);
        close(fd);
        return rc;
    }
    w->build = 1;
    w->write_run = write_run;
    w->dir = dcopy;
    w->dirfd = fd;
    w->made_dir = made;
    *out = w;
    return 0;
}

void lx_build_close(lx_writer *w) {
    if (w->runmap)
        munmap((void *)w->runmap, w->runmap_len);
    if (w->runf)
        fclose(w->runf);
    lx_index_close(w->ix);
    w->ix = NULL;
    build_cleanup(w);
    close(w->dirfd);
    free(w->dir);
    free(w->run_end);
}
