/* test_replace.c -- an open index follows a rebuild of its directory
 * (issue 11, item 1; store.c, "Replacing an index under running readers
 * and writers"):
 * - a searcher and lx_index_version see the new index at their next call;
 *   versions grow across the swap and an old lecture is gone;
 * - a writer begun after the install writes into the new file (a fresh
 *   open sees it), never into the replaced one;
 * - an install waits for a write in progress on the old file to commit
 *   (the shared flock), then goes ahead;
 * - many rebuilds under a reader leave no old file mapped (the old
 *   environments are closed when their last reader lets go);
 * - reader threads searching through the rebuilds only ever see a whole
 *   index, never an error (run under TSan too: the switch is locked);
 * - an install killed between removing lock.mdb and renaming data.mdb in
 *   leaves the old data.mdb with a new lock file: the open index moves to
 *   that pairing, so it and another process see each other's writes.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "testidx.h"

static const char *rec(const char *id, const char *title) {
    return tix_fmt("{\"id\": \"%s\", \"title\": \"%s\", \"language\": \"en\", "
                   "\"transcript\": \"%s about equality in schools\"}",
                   id, title, title);
}

/* Builds the lectures prefix-0 .. prefix-(n-1) in dir, replacing it. */
static int rebuild(const char *dir, const char *prefix, int n) {
    lx_writer *w = NULL;
    lx_error err;
    int rc = lx_writer_begin_build(dir, LX_BUILD_REPLACE, &w, &err);
    for (int i = 0; i < n && !rc; i++) {
        const char *id = tix_fmt("%s-%d", prefix, i);
        const char *r = rec(id, prefix);
        rc = lx_writer_put_json(w, r, strlen(r), &err);
    }
    return rc ? (lx_writer_abort(w), rc) : lx_writer_commit(w, &err);
}

static int has(lx_searcher *s, const char *id) {
    char *json = NULL;
    int rc = lx_get(s, id, &json, NULL, NULL);
    free(json);
    return rc == 0;
}

static long long docs(lx_searcher *s) {
    lx_stats st;
    return lx_stats_get(s, &st, NULL) == 0 ? (long long)st.documents : -1;
}

/* Whether a fresh open of dir finds id: in a child process, as the CLI
 * would (LMDB forbids opening one environment twice in a process). */
static int has_fresh(const char *dir, const char *id) {
    pid_t pid = fork();
    if (pid == 0) {
        lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
        lx_searcher *s = NULL;
        _exit(lx_searcher_open(ix, &s, NULL) == 0 && has(s, id) ? 0 : 1);
    }
    int status = 1;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* Puts one lecture in a child process, as another writer would. */
static int put_elsewhere(const char *dir, const char *id) {
    pid_t pid = fork();
    if (pid == 0) {
        lx_index *ix = tix_open(dir, 0);
        lx_writer *w = NULL;
        const char *r = rec(id, "written by another process");
        int rc = lx_writer_begin(ix, &w, NULL);
        if (!rc)
            rc = lx_writer_put_json(w, r, strlen(r), NULL);
        if (!rc)
            rc = lx_writer_commit(w, NULL);
        _exit(rc ? 1 : 0);
    }
    int status = 1;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
           WEXITSTATUS(status) == 0;
}

/* Old data.mdb files this process still maps. */
static int mapped_deleted(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4600];
    int n = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, "data.mdb (deleted)"))
            n++;
    fclose(f);
    return n;
}

typedef struct {
    const char *dir;
    int rc;
    atomic_int done;
} build_job;

static void *build_thread(void *p) {
    build_job *j = p;
    j->rc = rebuild(j->dir, "c", 4);
    j->done = 1;
    return NULL;
}

/* A reader thread: gets, searches and stats until told to stop; every
 * count it sees must be one of the rebuilds' (2, 3 or 4 lectures). */
typedef struct {
    lx_index *ix;
    atomic_int *stop;
    int bad, calls;
} reader_job;

static void *reader_thread(void *p) {
    reader_job *j = p;
    lx_searcher *s = NULL;
    if (lx_searcher_open(j->ix, &s, NULL) != 0) {
        j->bad++;
        return NULL;
    }
    while (!*j->stop) {
        long long n = docs(s);
        if (n < 2 || n > 4 ? j->bad++ < 3 : 0)
            fprintf(stderr, "reader: %lld lectures\n", n);
        lx_search_opts o = {.query = "equality schools", .limit = 5, .flags = LX_SEARCH_FACETS};
        lx_results *r = NULL;
        lx_error err;
        int rc = lx_search(s, &o, &r, &err);
        if ((rc != 0 || r->total < 2) && j->bad++ < 3)
            fprintf(stderr, "reader: search rc %d (%s), total %llu\n", rc, rc ? err.message : "",
                    rc ? 0ull : (unsigned long long)r->total);
        lx_results_free(r);
        (void)lx_index_version(j->ix);
        j->calls++;
    }
    lx_searcher_close(s);
    return NULL;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void) {
    static char dir[512];
    snprintf(dir, sizeof dir, "%s", check_tmpdir("replace"));
    CHECK(rebuild(dir, "a", 3) == 0);
    lx_index *ix = tix_open(dir, 0);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    CHECK(docs(s) == 3);
    CHECK(has(s, "a-0"));
    uint64_t v1 = lx_index_version(ix);

    /* a rebuild by another writer (as by another process) is picked up */
    CHECK(rebuild(dir, "b", 5) == 0);
    uint64_t v2 = lx_index_version(ix);
    CHECK(v2 > v1);
    CHECK(docs(s) == 5);
    CHECK(!has(s, "a-0"));
    CHECK(has(s, "b-4"));

    /* a write after the rebuild lands in the new file */
    const char *r = rec("w-1", "written after the rebuild");
    tix_put_all(ix, &r, 1);
    CHECK(lx_index_version(ix) > v2);
    CHECK(has(s, "w-1"));
    CHECK(has_fresh(dir, "w-1"));

    /* an install waits for a write in progress, which commits into the
     * old file; the rebuild then replaces it as it replaces everything */
    lx_writer *w = NULL;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    r = rec("w-2", "in progress during the install");
    CHECK(w && lx_writer_put_json(w, r, strlen(r), NULL) == 0);
    build_job job = {.dir = dir, .rc = -1};
    atomic_init(&job.done, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, build_thread, &job) == 0);
    sleep_ms(300);
    CHECK(!job.done); /* waiting for the write's flock */
    CHECK(w && lx_writer_commit(w, NULL) == 0);
    pthread_join(t, NULL);
    CHECK(job.rc == 0);
    CHECK(docs(s) == 4);
    CHECK(has(s, "c-3"));
    CHECK(!has(s, "w-2"));
    r = rec("w-3", "after the second install");
    tix_put_all(ix, &r, 1);
    CHECK(has_fresh(dir, "w-3"));

    /* many rebuilds under a reader: the old files are let go */
    for (int i = 0; i < 20; i++) {
        CHECK(rebuild(dir, "d", 2 + i % 3) == 0);
        CHECK(docs(s) == 2 + i % 3);
    }
    CHECK(mapped_deleted() == 0);

    /* reader threads through rebuilds */
    atomic_int stop = 0;
    reader_job rj[4];
    pthread_t rt[4];
    for (int i = 0; i < 4; i++) {
        rj[i] = (reader_job){ix, &stop, 0, 0};
        CHECK(pthread_create(&rt[i], NULL, reader_thread, &rj[i]) == 0);
    }
    for (int i = 0; i < 10; i++)
        CHECK(rebuild(dir, "e", 2 + i % 3) == 0);
    sleep_ms(50);
    stop = 1;
    int bad = 0, calls = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(rt[i], NULL);
        bad += rj[i].bad;
        calls += rj[i].calls;
    }
    CHECK(bad == 0);
    CHECK(calls > 0);
    printf("%d reader calls through 10 rebuilds, %d bad\n", calls, bad);
    fflush(stdout); /* not again from the children forked below */

    /* an install killed after removing lock.mdb (and reserving the new
     * one), before its rename: the old data.mdb, a new lock file */
    CHECK(has(s, "e-0"));
    CHECK(unlink(tix_fmt("%s/lock.mdb", dir)) == 0);
    FILE *lf = fopen(tix_fmt("%s/lock.mdb", dir), "w");
    CHECK(lf != NULL);
    if (lf)
        fclose(lf);
    CHECK(put_elsewhere(dir, "x-1"));
    CHECK(has(s, "x-1"));
    r = rec("x-2", "written here after the lock file changed");
    tix_put_all(ix, &r, 1);
    CHECK(has_fresh(dir, "x-2"));
    CHECK(put_elsewhere(dir, "x-3"));
    CHECK(has(s, "x-3"));

    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
