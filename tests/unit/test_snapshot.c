/* test_snapshot.c -- engine/snapshot.c: a snapshot is the index as of one
 * commit, sound and no larger than the index; it refuses an existing
 * folder; a restore swaps it in under an open index, which then reads
 * the restored lectures and writes on. */
#include "check.h"
#include "testidx.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *const first[] = {
    "{\"id\": \"a\", \"title\": \"Alpha lecture on migration\"}",
    "{\"id\": \"b\", \"title\": \"Beta lecture on equality\"}",
};
static const char *const later[] = {
    "{\"id\": \"c\", \"title\": \"Gamma, written after the snapshot\"}",
};

static int exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whether the open index has the lecture id. */
static int has(lx_index *ix, const char *id) {
    lx_searcher *s = NULL;
    char *json = NULL;
    size_t len;
    int rc = lx_searcher_open(ix, &s, NULL);
    if (rc == 0)
        rc = lx_get(s, id, &json, &len, NULL);
    free(json);
    lx_searcher_close(s);
    return rc == 0;
}

int main(void) {
    char base[600], dir[700], snap[700], path[800];
    snprintf(base, sizeof base, "%s", check_tmpdir("snapshot"));
    snprintf(dir, sizeof dir, "%s/index", base);
    snprintf(snap, sizeof snap, "%s/snap", base);
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, first, 2);
    lx_error err;
    uint64_t bytes = 0;

    CHECK(lx_index_snapshot(ix, snap, &bytes, &err) == 0);
    snprintf(path, sizeof path, "%s/data.mdb", snap);
    CHECK(exists(path));
    struct stat st_snap, st_ix;
    char ixdata[800];
    snprintf(ixdata, sizeof ixdata, "%s/data.mdb", dir);
    CHECK(stat(path, &st_snap) == 0 && stat(ixdata, &st_ix) == 0);
    CHECK(bytes == (uint64_t)st_snap.st_size && st_snap.st_size <= st_ix.st_size);
    snprintf(path, sizeof path, "%s.tmp-%ld", snap, (long)getpid());
    CHECK(!exists(path));
    CHECK(tix_documents(snap) == 2);
    CHECK(tix_sound(snap));

    /* an existing folder is refused and left alone */
    CHECK(lx_index_snapshot(ix, snap, NULL, &err) == LX_EEXIST);
    CHECK(tix_documents(snap) == 2);

    /* a later write is not in the snapshot */
    tix_put_all(ix, later, 1);
    CHECK(has(ix, "c"));
    CHECK(tix_documents(dir) == 3);

    /* restore under the open index: it moves to the snapshot */
    CHECK(lx_index_restore(dir, snap, &err) == 0);
    CHECK(!has(ix, "c"));
    CHECK(has(ix, "a") && has(ix, "b"));
    tix_put_all(ix, later, 1); /* and writes on */
    CHECK(has(ix, "c"));
    CHECK(tix_sound(dir));
    CHECK(tix_documents(snap) == 2); /* the snapshot is left as it was */

    /* restore refuses what is not an index */
    snprintf(path, sizeof path, "%s/empty", base);
    mkdir(path, 0755);
    CHECK(lx_index_restore(dir, path, &err) != 0);
    CHECK(has(ix, "c"));
    lx_index_close(ix);

    /* restore into a new folder */
    snprintf(path, sizeof path, "%s/fresh", base);
    CHECK(lx_index_restore(path, snap, &err) == 0);
    CHECK(tix_documents(path) == 2);
    CHECK_DONE();
}
