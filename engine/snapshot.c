/* snapshot.c -- consistent, compact copies of a live index, and putting
 * one back.
 *
 * A snapshot is a directory holding one data.mdb written by LMDB's
 * mdb_env_copy2 with MDB_CP_COMPACT: the copy walks one read transaction,
 * so it is the index as of one commit whatever writers do meanwhile, and
 * it leaves out free pages (a compacted copy of a long-written index is
 * smaller than its file).  Readers and writers go on while it runs: a read
 * transaction blocks nobody.  The copy is written into OUT.tmp-PID and
 * renamed to OUT when complete, so OUT is either absent or whole.
 *
 * A restore copies the snapshot's data.mdb beside the index's (same file
 * system, so the last step is a rename) and installs it the way a rebuild
 * does (lx_store_install): running processes that have the index open
 * move to the restored file at their next transaction.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store.h"

/* Removes dir/data.mdb, dir/lock.mdb and dir (a failed copy's leftovers). */
static void remove_copy(const char *dir) {
    char p[4096 + 16];
    snprintf(p, sizeof p, "%s/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/lock.mdb", dir);
    unlink(p);
    rmdir(dir);
}

static void fsync_path(const char *path, int flags) {
    int fd = open(path, flags | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int lx_index_snapshot(lx_index *ix, const char *out_dir, uint64_t *bytes, lx_error *err) {
    char tmp[4096], data[4096 + 16];
    struct stat st;
    int rc;
    lx_error_clear(err);
    if (bytes)
        *bytes = 0;
    if (!ix || !out_dir || !*out_dir)
        return lx_fail(err, LX_EINVAL, NULL, -1, "no index or no snapshot directory");
    if (stat(out_dir, &st) == 0 || errno != ENOENT)
        return lx_fail(err, LX_EEXIST, NULL, -1, "%s already exists", out_dir);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld", out_dir, (long)getpid()) >= sizeof tmp)
        return lx_fail(err, LX_EINVAL, NULL, -1, "snapshot path too long");
    remove_copy(tmp); /* a copy of this process killed before, when the pid repeats */
    if (mkdir(tmp, 0755) != 0)
        return lx_fail(err, errno == ENOSPC ? LX_ENOSPC : LX_EIO, NULL, -1, "cannot create %s: %s",
                       tmp, strerror(errno));
    lx_env *e = lx_store_acquire(ix);
    rc = mdb_env_copy2(e->env, tmp, MDB_CP_COMPACT);
    lx_store_release(ix, e);
    if (rc) {
        remove_copy(tmp);
        return lx_store_write_fail(NULL, err, rc, "snapshot");
    }
    snprintf(data, sizeof data, "%s/data.mdb", tmp);
    fsync_path(data, O_RDONLY);
    if (stat(data, &st) == 0 && bytes)
        *bytes = (uint64_t)st.st_size;
    if (rename(tmp, out_dir) != 0) {
        rc = lx_fail(err, errno == EEXIST || errno == ENOTEMPTY ? LX_EEXIST : LX_EIO, NULL, -1,
                     "renaming %s to %s: %s", tmp, out_dir, strerror(errno));
        remove_copy(tmp);
        return rc;
    }
    fsync_path(out_dir, O_RDONLY | O_DIRECTORY);
    return 0;
}

/* Copies src to dst (created, never existing), fsynced. */
static int copy_file(const char *src, const char *dst, lx_error *err) {
    char buf[1 << 16];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
    ssize_t n;
    if (in < 0)
        return lx_fail(err, LX_EIO, NULL, -1, "%s: %s", src, strerror(errno));
    out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        rc = lx_fail(err, LX_EIO, NULL, -1, "%s: %s", dst, strerror(errno));
        close(in);
        return rc;
    }
    while ((n = read(in, buf, sizeof buf)) > 0) {
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0) {
                rc = lx_fail(err, errno == ENOSPC ? LX_ENOSPC : LX_EIO, NULL, -1, "%s: %s", dst,
                             strerror(errno));
                goto done;
            }
            off += w;
        }
    }
    if (n < 0)
        rc = lx_fail(err, LX_EIO, NULL, -1, "%s: %s", src, strerror(errno));
    else if (fsync(out) != 0)
        rc = lx_fail(err, LX_EIO, NULL, -1, "%s: %s", dst, strerror(errno));
done:
    close(in);
    close(out);
    if (rc)
        unlink(dst);
    return rc;
}

int lx_index_restore(const char *dir, const char *snapshot_dir, lx_error *err) {
    char src[4096 + 16], tmp[4096 + 48];
    struct stat st;
    int rc;
    lx_error_clear(err);
    if (!dir || !snapshot_dir)
        return lx_fail(err, LX_EINVAL, NULL, -1, "no index or no snapshot directory");
    snprintf(src, sizeof src, "%s/data.mdb", snapshot_dir);
    if (stat(src, &st) != 0)
        return lx_fail(err, LX_EIO, NULL, -1, "%s: %s", src, strerror(errno));
    /* a snapshot that does not open as an index is refused before the swap */
    lx_index *probe;
    if ((rc = lx_index_open(snapshot_dir, LX_OPEN_READONLY, &probe, err)))
        return rc;
    lx_index_close(probe);
    if (stat(dir, &st) != 0 && mkdir(dir, 0755) != 0)
        return lx_fail(err, LX_EIO, NULL, -1, "cannot create %s: %s", dir, strerror(errno));
    snprintf(tmp, sizeof tmp, "%s/restore.mdb.tmp-%ld", dir, (long)getpid());
    unlink(tmp);
    if ((rc = copy_file(src, tmp, err)))
        return rc;
    if ((rc = lx_store_install(dir, tmp, err)))
        unlink(tmp);
    return rc;
}
