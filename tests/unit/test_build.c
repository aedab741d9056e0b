/* test_build.c -- building an index (lx_writer_begin_build, engine/writer.c):
 *
 * - built through many sorted runs merged at the end (a tiny flush
 *   threshold), an index holds, database by database and byte for byte,
 *   exactly what a build in one run holds, and what batches of adds to an
 *   open index hold (merging into its lists at every flush);
 * - an aborted build and a killed one leave no index and nothing else
 *   visible: a new directory is not there, an index that was there is
 *   untouched; the next build removes a killed build's work files;
 * - a build refuses a directory holding lectures unless told to replace
 *   them, an id put twice, and a second build of the same directory while
 *   one runs.
 */
#include "check.h"
#include "store.h"
#include "testcoll.h"
#include "testidx.h"

#include <dirent.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Puts the collection's lectures 0..n-1 in version v. */
static void put_some(lx_writer *w, int n, int v) {
    for (int i = 0; i < n; i++) {
        char *r = make_record(i, v);
        CHECK(put(w, r) == 0);
        free(r);
    }
}

/* Builds the collection's first n lectures in dir (replacing any index),
 * flushing a run past flush_bytes (0: the default, one run). */
static void build(const char *dir, int n, size_t flush_bytes) {
    lx_writer *w;
    lx_error err;
    int rc = lx_writer_begin_build(dir, LX_BUILD_REPLACE, &w, &err);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  build %s: %s\n", dir, err.message);
        return;
    }
    lx_writer_set_flush_bytes(w, flush_bytes);
    put_some(w, n, 0);
    CHECK(lx_writer_commit(w, &err) == 0);
}

/* The same lectures, in the same order (so with the same docids), through
 * batches of adds to an open index. */
static void add_batches(const char *dir, size_t flush_bytes) {
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    for (int i = 0; i < NFINAL;) {
        lx_writer *w;
        CHECK(lx_writer_begin(ix, &w, NULL) == 0);
        lx_writer_set_flush_bytes(w, flush_bytes);
        for (int end = i + 7; i < end && i < NFINAL; i++) {
            char *r = make_record(i, 0);
            CHECK(put(w, r) == 0);
            free(r);
        }
        CHECK(lx_writer_commit(w, NULL) == 0);
    }
    lx_index_close(ix);
}

/* Entries (key or value) that differ between two indexes, over every
 * database; prints the first few.  *entries receives the count compared. */
static int diff_indexes(const char *da, const char *db, size_t *entries) {
    lx_index *a = tix_open(da, LX_OPEN_READONLY), *b = tix_open(db, LX_OPEN_READONLY);
    MDB_dbi *dbs[2][8] = {
        {&a->meta, &a->ids, &a->docs, &a->post, &a->pos, &a->tags, &a->tagstem, &a->langs},
        {&b->meta, &b->ids, &b->docs, &b->post, &b->pos, &b->tags, &b->tagstem, &b->langs}};
    static const char *const names[] = {"meta", "ids",  "docs",    "post",
                                        "pos",  "tags", "tagstem", "langs"};
    MDB_txn *ta, *tb;
    int ndiff = 0;
    *entries = 0;
    CHECK(mdb_txn_begin(a->env, NULL, MDB_RDONLY, &ta) == 0);
    CHECK(mdb_txn_begin(b->env, NULL, MDB_RDONLY, &tb) == 0);
    for (int d = 0; d < 8; d++) {
        MDB_cursor *ca, *cb;
        CHECK(mdb_cursor_open(ta, *dbs[0][d], &ca) == 0);
        CHECK(mdb_cursor_open(tb, *dbs[1][d], &cb) == 0);
        MDB_val ka, va, kb, vb;
        int ra = mdb_cursor_get(ca, &ka, &va, MDB_FIRST),
            rb = mdb_cursor_get(cb, &kb, &vb, MDB_FIRST);
        while (ra == 0 || rb == 0) {
            (*entries)++;
            if (ra || rb || ka.mv_size != kb.mv_size || va.mv_size != vb.mv_size ||
                memcmp(ka.mv_data, kb.mv_data, ka.mv_size) != 0 ||
                memcmp(va.mv_data, vb.mv_data, va.mv_size) != 0) {
                if (ndiff++ < 5)
                    fprintf(stderr, "  %s: %s entry differs (\"%.*s\" vs \"%.*s\")\n", names[d],
                            ra   ? "missing"
                            : rb ? "extra"
                                 : "an",
                            ra ? 0 : (int)ka.mv_size, ra ? "" : (const char *)ka.mv_data,
                            rb ? 0 : (int)kb.mv_size, rb ? "" : (const char *)kb.mv_data);
            }
            if (ra == 0)
                ra = mdb_cursor_get(ca, &ka, &va, MDB_NEXT);
            if (rb == 0)
                rb = mdb_cursor_get(cb, &kb, &vb, MDB_NEXT);
        }
        mdb_cursor_close(ca);
        mdb_cursor_close(cb);
    }
    mdb_txn_abort(ta);
    mdb_txn_abort(tb);
    lx_index_close(a);
    lx_index_close(b);
    return ndiff;
}

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whether dir holds `expect` entries besides an index's data.mdb and
 * lock.mdb (work files left behind); prints them when not. */
static int stray_files(const char *dir, int expect) {
    char names[4][256];
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "data.mdb") ||
            !strcmp(e->d_name, "lock.mdb"))
            continue;
        if (n < 4)
            snprintf(names[n], sizeof names[n], "%s", e->d_name);
        n++;
    }
    if (d)
        closedir(d);
    for (int i = 0; n != expect && i < n && i < 4; i++)
        fprintf(stderr, "  %s/%s\n", dir, names[i]);
    return n == expect;
}

static int same_as(const char *dir, const char *ref) {
    size_t n;
    int diff = diff_indexes(dir, ref, &n);
    return diff == 0 && n > 5 * NFINAL;
}

static void test_runs_equal_one_run_and_adds(const char *ref) {
    char many[512], some[512], adds[512], merged[512];
    snprintf(many, sizeof many, "%s", check_tmpdir("build-runs"));
    snprintf(some, sizeof some, "%s", check_tmpdir("build-some-runs"));
    snprintf(adds, sizeof adds, "%s", check_tmpdir("build-adds"));
    snprintf(merged, sizeof merged, "%s", check_tmpdir("build-adds-flushed"));
    build(many, NFINAL, 1);     /* a run per lecture */
    build(some, NFINAL, 20000); /* a few lectures per run */
    add_batches(adds, 0);
    add_batches(merged, 1); /* a merge into the lists per lecture */
    CHECK(same_as(many, ref));
    CHECK(same_as(some, ref));
    CHECK(same_as(adds, ref));
    CHECK(same_as(merged, ref));
    CHECK(tix_sound(ref) && tix_sound(many) && tix_sound(some));
    CHECK(tix_sound(adds) && tix_sound(merged));
    CHECK(stray_files(many, 0) && stray_files(ref, 0));

    /* Searches agree too (they read the same bytes; this checks the
     * installed index opens and answers). */
    lx_index *ix = tix_open(many, LX_OPEN_READONLY);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_stats st;
    CHECK(lx_stats_get(s, &st, NULL) == 0);
    CHECK(st.documents == NFINAL);
    lx_results *r = tix_search(s, "gender equality", 10, 0, NULL);
    CHECK(r && r->n > 0);
    lx_results_free(r);
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* Builds the first n lectures in dir, flushing a run per lecture, and
 * dies (SIGKILL) before committing. */
static void killed_build(const char *dir, int n) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        lx_writer *w;
        if (lx_writer_begin_build(dir, LX_BUILD_REPLACE, &w, NULL))
            _exit(3);
        lx_writer_set_flush_bytes(w, 1);
        put_some(w, n, 0);
        kill(getpid(), SIGKILL);
        _exit(4);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void test_interrupted(const char *ref) {
    char fresh[600];
    snprintf(fresh, sizeof fresh, "%s/new", check_tmpdir("build-interrupted"));
    lx_writer *w;
    lx_index *ix;
    lx_error err;

    /* Aborted after many runs: the directory it made is gone. */
    CHECK(lx_writer_begin_build(fresh, 0, &w, &err) == 0);
    lx_writer_set_flush_bytes(w, 1);
    put_some(w, 20, 0);
    lx_writer_abort(w);
    CHECK(!exists(fresh));

    /* Killed: no index to open; the next build succeeds and cleans up. */
    killed_build(fresh, 20);
    char data[700];
    snprintf(data, sizeof data, "%s/data.mdb", fresh);
    CHECK(!exists(data));
    CHECK(lx_index_open(fresh, LX_OPEN_READONLY, &ix, &err) == LX_EIO);
    CHECK(stray_files(fresh, 1)); /* .building, for the next build to remove */
    build(fresh, NFINAL, 1);
    CHECK(stray_files(fresh, 0));
    CHECK(same_as(fresh, ref));

    /* Over an index: aborted or killed, the old index stays as it was;
     * replaced only by a build that commits. */
    CHECK(lx_writer_begin_build(fresh, LX_BUILD_REPLACE, &w, &err) == 0);
    lx_writer_set_flush_bytes(w, 1);
    put_some(w, 10, 1);
    lx_writer_abort(w);
    CHECK(stray_files(fresh, 0));
    CHECK(same_as(fresh, ref));
    killed_build(fresh, 30);
    CHECK(same_as(fresh, ref));
    build(fresh, 10, 1);
    CHECK(stray_files(fresh, 0));
    CHECK(tix_documents(fresh) == 10);
}

static void test_refusals(const char *ref) {
    lx_writer *w = (lx_writer *)1, *w2;
    lx_error err;

    /* An index with lectures is kept unless replacing is asked for. */
    CHECK(lx_writer_begin_build(ref, 0, &w, &err) == LX_EEXIST);
    CHECK(w == NULL && strstr(err.message, "40 lectures") != NULL);
    CHECK(stray_files(ref, 0));
    CHECK(same_as(ref, ref));

    /* An empty index may be built over. */
    char empty[512];
    snprintf(empty, sizeof empty, "%s", check_tmpdir("build-empty"));
    lx_index_close(tix_open(empty, LX_OPEN_CREATE));
    CHECK(lx_writer_begin_build(empty, 0, &w, &err) == 0);

    /* One build of a directory at a time. */
    CHECK(lx_writer_begin_build(empty, LX_BUILD_REPLACE, &w2, &err) == LX_EIO);
    CHECK(strstr(err.message, "another build") != NULL);

    /* An id twice is refused, the first kept; a delete finds nothing. */
    char *r = make_record(0, 0);
    char *r2 = make_record(0, 1);
    CHECK(put(w, r) == 0);
    CHECK(lx_writer_put_json(w, r2, strlen(r2), &err) == LX_EEXIST);
    CHECK(lx_writer_delete(w, idof(0), &err) == LX_ENOTFOUND);
    free(r);
    free(r2);
    CHECK(lx_writer_commit(w, &err) == 0);
    CHECK(tix_documents(empty) == 1);
}

int main(void) {
    static char ref[512];
    snprintf(ref, sizeof ref, "%s", check_tmpdir("build-one-run"));
    build(ref, NFINAL, 0);
    test_runs_equal_one_run_and_adds(ref);
    test_interrupted(ref);
    test_refusals(ref);
    CHECK_DONE();
}
