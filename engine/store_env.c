/* store_env.c -- the index's LMDB environments: opening one (with disk
 * space reserved for its lock file, so a full disk is an error, never a
 * SIGBUS), noticing a rebuild's new file and moving readers and writers
 * to it, the writers' hold on the file, and the install.  Declared in
 * store.h; store.c holds the databases' layout, readers and writers.
 *
 * Replacing an index under running readers and writers
 * ----------------------------------------------------
 * A rebuild writes a complete new data.mdb beside the index and renames
 * it over the old one (lx_store_install).  An lx_index notices that with
 * one stat of dir/data.mdb when a transaction begins (the device and inode
 * differ from the file it maps); an inotify watch on the folder, read
 * under the index's lock, skips those stats while nothing in the folder
 * was created, removed or renamed (a stat walks the path: two per
 * search were 3% of an uncached server's time) and opens the new file as a new lx_env;
 * transactions already running finish in the old one, which is closed
 * when the last of them lets go (lx_env.refs), so the old file's space is
 * freed then.  Three flocks on data.mdb make the swap safe across
 * processes:
 *   - an install holds LOCK_EX on the old file while it removes the old
 *     lock.mdb and renames the new data.mdb in;
 *   - an open holds LOCK_SH while LMDB opens data.mdb and lock.mdb, so it
 *     never pairs one install's data file with another's lock file;
 *   - a writer holds LOCK_SH from its transaction's begin (taken under
 *     LMDB's write lock, so at most one writer per file holds it and an
 *     install is not starved) until its commit, and checks under it that
 *     the file is still the one at the path: a commit therefore always
 *     lands in the file every later reader opens, and a write is never
 *     acknowledged into a replaced file.
 * LMDB itself takes only fcntl locks on lock.mdb, which these do not
 * touch.  An environment also notes its lock.mdb and is reopened when that
 * changes: an install killed between removing the old lock.mdb and
 * renaming the new data.mdb in leaves the old data.mdb with a new lock
 * file, and every process must then move to that one pairing (two lock
 * files for one data file would let two writers write it at once).
 * Replacing data.mdb by other means (cp, rsync) under a running process
 * is not supported: it leaves the old lock.mdb in place.
 */

#include <errno.h>
#include <fcntl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "error.h"
#include "store.h"

/* Whether a write to env's file failed for want of room: the file system
 * has less than LX_FULL_SLACK free, or the file is within it of the
 * process's file size limit (RLIMIT_FSIZE, which makes writes fail with
 * EFBIG or stop short). */
#define LX_FULL_SLACK (1u << 20)
static int disk_full(MDB_env *env) {
    int fd;
    struct stat st;
    struct statvfs vfs;
    struct rlimit rl;
    if (!env || mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &st) != 0)
        return 0;
    if (fstatvfs(fd, &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_frsize < LX_FULL_SLACK)
        return 1;
    return getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
           (uint64_t)st.st_size + LX_FULL_SLACK >= (uint64_t)rl.rlim_cur;
}

int lx_store_write_fail(MDB_env *env, lx_error *err, int rc, const char *what) {
    if (rc == EIO && disk_full(env))
        rc = ENOSPC;
    return lx_store_fail(err, rc, what);
}

/* Takes a flock (how: LOCK_SH or LOCK_EX) on the file at path, the one
 * that is there once the lock is held (an install may rename another in
 * while this waits).  *fd is the locked descriptor, or -1 when there is
 * no file.  Returns 0 or an errno. */
static int data_lock(const char *path, int how, int *fd) {
    *fd = -1;
    for (int tries = 0; tries < 64; tries++) {
        int f = open(path, O_RDONLY | O_CLOEXEC);
        if (f < 0)
            return errno == ENOENT ? 0 : errno;
        struct stat a, b;
        int rc;
        while ((rc = flock(f, how)) != 0 && errno == EINTR)
            ;
        if (rc != 0) {
            int e = errno;
            close(f);
            return e;
        }
        if (fstat(f, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino) {
            *fd = f;
            return 0;
        }
        close(f);
    }
    return EAGAIN;
}

/* Reserves the disk blocks of a new lock.mdb before LMDB maps it: LMDB
 * sizes the file with ftruncate and writes it through a shared map, and a
 * sparse page the disk cannot back is a SIGBUS, not an error.  KEEP_SIZE
 * leaves the size to LMDB, which reads its reader table size from it.
 * Only a file this call creates is touched: closing a descriptor of a
 * lock.mdb this process has open in LMDB would drop LMDB's fcntl locks. */
#define LX_LOCK_RESERVE (64u << 10)
static int lock_reserve(const char *dir, lx_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return 0; /* there already, or a read-only folder: LMDB says what it can */
    int e = 0;
    if (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, LX_LOCK_RESERVE) != 0)
        e = errno;
    close(fd);
    if (e == ENOSPC || e == EFBIG || e == EDQUOT) {
        unlink(path);
        return lx_fail(err, LX_ENOSPC, NULL, -1, "%s: %s", path, strerror(e));
    }
    return 0;
}

/* Environments get growing, process-unique generations, so a version or a
 * snapshot id (gen << 40 | LMDB txn id) never repeats across a
 * replacement. */
static _Atomic uint64_t next_gen = 1;

/* Opens (or creates) the named databases in txn, their handles into
 * dbi[LX_NDBI] in a fixed order, so that every environment of one index gets the
 * same handles.  On failure txn is aborted and err filled. */
static int open_dbs(MDB_txn *txn, const char *dir, unsigned flags, MDB_dbi *dbi, lx_error *err) {
    int rc;
    unsigned cflags = (flags & LX_OPEN_READONLY) ? 0 : MDB_CREATE;
    static const struct {
        const char *name;
        unsigned f;
    } dbs[] = {{"meta", 0},
               {"ids", 0},
               {"docs", MDB_INTEGERKEY},
               {"post", 0},
               {"pos", 0},
               {"tags", 0},
               {"tagstem", MDB_DUPSORT},
               {"langs", 0},
               {"words", 0},
               {"relvec", MDB_INTEGERKEY},
               {"lpost", 0}};
    for (size_t i = 0; i < sizeof dbs / sizeof dbs[0]; i++) {
        rc = mdb_dbi_open(txn, dbs[i].name, cflags | dbs[i].f, &dbi[i]);
        if (rc == MDB_NOTFOUND && (i == LX_DBI_WORDS || i == LX_DBI_RELVEC)) {
            dbi[i] = 0; /* an older index: no typo tolerance, or related lectures
                           re-tokenise */
            continue;
        }
        if (rc == MDB_NOTFOUND && i == LX_DBI_LPOST) {
            dbi[i] = 0; /* before format 7, read-only: refused by its version, with the
                           rebuild message, not as "not a Lectern index" */
            continue;
        }
        if (rc) {
            mdb_txn_abort(txn);
            rc = rc == MDB_NOTFOUND
                     ? lx_fail(err, LX_EFORMAT, NULL, -1, "%s is not a Lectern index", dir)
                     : lx_store_fail(err, rc, dir);
            return rc;
        }
    }
    return 0;
}

/* Opens the environment of dir: LMDB files and the named databases (their
 * handles into dbi[LX_NDBI], in a fixed order so that every environment of one
 * index gets the same handles), checking the format version. */
static int env_open(const char *dir, const char *data_path, unsigned flags, lx_env **out,
                    MDB_dbi *dbi, lx_error *err) {
    int rc, fd;
    *out = NULL;
    lx_env *e = calloc(1, sizeof *e);
    if (!e)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    if ((rc = data_lock(data_path, LOCK_SH, &fd))) {
        free(e);
        return lx_fail(err, LX_EIO, NULL, -1, "%s: %s", data_path, strerror(rc));
    }
    if ((rc = lock_reserve(dir, err))) {
        if (fd >= 0)
            close(fd);
        free(e);
        return rc;
    }
    if ((rc = mdb_env_create(&e->env))) {
        if (fd >= 0)
            close(fd);
        free(e);
        return lx_store_fail(err, rc, "mdb_env_create");
    }
    MDB_env *env = e->env;
    mdb_env_set_maxdbs(env, 16);
    mdb_env_set_maxreaders(env, 512);
    /* The map is reserved address space, not disk: the file grows as
     * pages are written.  32 GiB holds millions of lectures and still fits
     * tools with a smaller address space (valgrind); LECTERN_MAP_GIB
     * overrides it. */
    size_t gib = 32;
    const char *genv = getenv("LECTERN_MAP_GIB");
    if (genv && atol(genv) > 0)
        gib = (size_t)atol(genv);
    mdb_env_set_mapsize(env, gib << 30);
    unsigned eflags = MDB_NOTLS | MDB_NORDAHEAD;
    if (flags & LX_OPEN_READONLY)
        eflags |= MDB_RDONLY;
    rc = mdb_env_open(env, dir, eflags, 0644);
    struct stat ls;
    char lock_path[4096];
    snprintf(lock_path, sizeof lock_path, "%s/lock.mdb", dir);
    if (!rc && stat(lock_path, &ls) == 0) {
        e->lock_dev = ls.st_dev;
        e->lock_ino = ls.st_ino;
    }
    if (fd >= 0)
        close(fd); /* the files are open: an install may go ahead */
    if (rc) {
        rc = lx_store_write_fail(NULL, err, rc, dir);
        goto out;
    }
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(env, NULL, (flags & LX_OPEN_READONLY) ? MDB_RDONLY : 0, &txn))) {
        rc = lx_store_fail(err, rc, dir);
        goto out;
    }
    if ((rc = open_dbs(txn, dir, flags, dbi, err)))
        goto out;
    lx_collstats cs;
    MDB_val k = {5, "stats"}, v;
    rc = mdb_get(txn, dbi[0], &k, &v);
    if (rc == MDB_NOTFOUND && !(flags & LX_OPEN_READONLY)) {
        memset(&cs, 0, sizeof cs);
        cs.version = LX_FORMAT_VERSION;
        v.mv_size = sizeof cs;
        v.mv_data = &cs;
        rc = mdb_put(txn, dbi[0], &k, &v, 0);
    } else if (rc == 0) {
        uint32_t version = 0;
        if (v.mv_size >= 4)
            memcpy(&version, v.mv_data, 4);
        if (version != LX_FORMAT_VERSION || v.mv_size != sizeof cs) {
            mdb_txn_abort(txn);
            rc = lx_fail(err, LX_EFORMAT, NULL, -1,
                         "index format version %u, this Lectern reads version %u: build the "
                         "index again from its records (lectern-index build)",
                         version, LX_FORMAT_VERSION);
            goto out;
        }
    }
    if (rc) {
        mdb_txn_abort(txn);
        rc = lx_store_write_fail(env, err, rc, dir);
        goto out;
    }
    if ((rc = mdb_txn_commit(txn))) {
        rc = lx_store_write_fail(env, err, rc, dir);
        goto out;
    }
    struct stat st;
    int dfd;
    if (mdb_env_get_fd(env, &dfd) != 0 || fstat(dfd, &st) != 0) {
        rc = lx_fail(err, LX_EIO, NULL, -1, "%s: %s", data_path, strerror(errno));
        goto out;
    }
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    /* The map's place and size bound every value a read returns
     * (lx_store_get). */
    e->map_size = gib << 30;
    mdb_env_set_userctx(env, e);
    lx_store_map_locate(e, dbi[0]);
    e->gen = next_gen++;
    e->refs = 1;
    *out = e;
    return 0;
out:
    mdb_env_close(env);
    free(e);
    return rc;
}

/* An inotify watch on dir for what an install (or a removed lock file)
 * does there, or -1: none (no inotify, its limit reached, or dir reached
 * through a symbolic link, which may be re-pointed without an event). */
static int watch_open(const char *dir) {
    char *real = realpath(dir, NULL);
    int same = real && dir[0] == '/' && strcmp(real, dir) == 0;
    if (real && !same && dir[0] != '/') {
        /* A relative dir: compare with the working folder's real path. */
        char *cwd = realpath(".", NULL);
        size_t n = cwd ? strlen(cwd) : 0;
        same =
            cwd && strncmp(real, cwd, n) == 0 && real[n] == '/' && strcmp(real + n + 1, dir) == 0;
        free(cwd);
    }
    free(real);
    if (!same)
        return -1;
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd >= 0 && inotify_add_watch(fd, dir,
                                     IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                         IN_DELETE_SELF | IN_MOVE_SELF) < 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* With ix->lock held: whether the paths may name other files than when
 * last looked (events were queued, or there is no watch).  A watch that
 * lost track (queue overflow, the folder moved or removed) is dropped. */
static int watch_changed(lx_index *ix) {
    if (ix->watch < 0)
        return 1;
    union {
        struct inotify_event ev;
        char b[4096];
    } u;
    int any = 0;
    ssize_t n;
    while ((n = read(ix->watch, u.b, sizeof u.b)) > 0) {
        any = 1;
        for (ssize_t at = 0; at + (ssize_t)sizeof u.ev <= n;) {
            struct inotify_event ev;
            memcpy(&ev, u.b + at, sizeof ev);
            if (ev.mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
                close(ix->watch);
                ix->watch = -1;
                return 1;
            }
            at += (ssize_t)sizeof ev + ev.len;
        }
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        close(ix->watch);
        ix->watch = -1;
        return 1;
    }
    return any;
}

int lx_store_open(lx_index *ix, const char *dir, unsigned flags, lx_error *err) {
    int rc;
    struct stat st;
    ix->watch = -1;
    if (stat(dir, &st) != 0) {
        if (!(flags & LX_OPEN_CREATE) || (flags & LX_OPEN_READONLY))
            return lx_fail(err, LX_EIO, NULL, -1, "cannot open index %s: %s", dir, strerror(errno));
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return lx_fail(err, LX_EIO, NULL, -1, "cannot create %s: %s", dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return lx_fail(err, LX_EIO, NULL, -1, "%s is not a directory", dir);
    }
    size_t n = strlen(dir) + sizeof "/data.mdb";
    ix->data_path = malloc(n);
    ix->lock_path = malloc(n);
    if (!ix->data_path || !ix->lock_path) {
        rc = lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        goto fail;
    }
    snprintf(ix->data_path, n, "%s/data.mdb", dir);
    snprintf(ix->lock_path, n, "%s/lock.mdb", dir);
    if ((flags & LX_OPEN_READONLY) && stat(ix->data_path, &st) != 0) {
        rc = lx_fail(err, LX_EIO, NULL, -1, "no index in %s (missing data.mdb)", dir);
        goto fail;
    }
    /* Watching before the file is opened: a rename after it is an event. */
    ix->watch = watch_open(dir);
    MDB_dbi dbi[LX_NDBI];
    if ((rc = env_open(dir, ix->data_path, flags, &ix->cur, dbi, err)))
        goto fail;
    ix->env = ix->cur->env;
    ix->meta = dbi[0];
    ix->ids = dbi[1];
    ix->docs = dbi[2];
    ix->post = dbi[3];
    ix->pos = dbi[4];
    ix->tags = dbi[5];
    ix->tagstem = dbi[6];
    ix->langs = dbi[7];
    ix->words = dbi[LX_DBI_WORDS];
    ix->relvec = dbi[LX_DBI_RELVEC];
    ix->lpost = dbi[LX_DBI_LPOST];
    ix->flags = flags;
    pthread_mutex_init(&ix->lock, NULL);
    return 0;
fail:
    if (ix->watch >= 0)
        close(ix->watch);
    ix->watch = -1;
    free(ix->data_path);
    free(ix->lock_path);
    ix->data_path = ix->lock_path = NULL;
    return rc;
}

void lx_store_close(lx_index *ix) {
    if (!ix->cur)
        return;
    lx_store_release(ix, ix->cur);
    ix->cur = NULL;
    ix->env = NULL;
    pthread_mutex_destroy(&ix->lock);
    if (ix->watch >= 0)
        close(ix->watch);
    ix->watch = -1;
    free(ix->data_path);
    free(ix->lock_path);
    ix->data_path = ix->lock_path = NULL;
}

/* With ix->lock held: opens the file now at the path, found to be (dev,
 * ino), and makes it current.  A file that fails to open is remembered
 * and not retried (the old one keeps serving; a writer's check refuses to
 * write into it). */
static void env_switch(lx_index *ix, dev_t dev, ino_t ino) {
    if (dev == ix->bad_dev && ino == ix->bad_ino)
        return;
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)(strlen(ix->data_path) - sizeof "/data.mdb" + 1),
             ix->data_path);
    lx_env *e;
    MDB_dbi dbi[LX_NDBI];
    if (env_open(dir, ix->data_path, ix->flags, &e, dbi, NULL) != 0) {
        ix->bad_dev = dev;
        ix->bad_ino = ino;
        return;
    }
    if (dbi[0] != ix->meta || dbi[1] != ix->ids || dbi[2] != ix->docs || dbi[3] != ix->post ||
        dbi[4] != ix->pos || dbi[5] != ix->tags || dbi[6] != ix->tagstem || dbi[7] != ix->langs ||
        dbi[LX_DBI_WORDS] != ix->words || dbi[LX_DBI_RELVEC] != ix->relvec ||
        dbi[LX_DBI_LPOST] != ix->lpost) {
        mdb_env_close(e->env); /* cannot happen with the fixed order; never mix handles */
        free(e);
        ix->bad_dev = dev;
        ix->bad_ino = ino;
        return;
    }
    lx_env *old = ix->cur;
    __atomic_store_n(&ix->cur, e, __ATOMIC_RELEASE); /* read unlocked by lx_store_read_idle */
    ix->env = e->env;
    if (--old->refs == 0) {
        mdb_env_close(old->env);
        free(old);
    }
}

/* The files at the index's paths now, and whether they differ from the
 * pair e has open (no data.mdb: keep serving what is open). */
typedef struct paths_now {
    int have, have_lock;
    struct stat data, lock;
} paths_now;

static void paths_stat(const lx_index *ix, paths_now *p) {
    p->have = stat(ix->data_path, &p->data) == 0;
    p->have_lock = stat(ix->lock_path, &p->lock) == 0;
}

static int paths_moved(const paths_now *p, const lx_env *e) {
    return p->have && (p->data.st_dev != e->dev || p->data.st_ino != e->ino || !p->have_lock ||
                       p->lock.st_dev != e->lock_dev || p->lock.st_ino != e->lock_ino);
}

/* With ix->lock held: makes the files now at the paths current when they
 * may have changed (see lx_store_acquire). */
static void refresh_locked(lx_index *ix) {
    paths_now p;
    if (ix->watch >= 0) {
        /* The paths are looked at only after an event, under the lock, so
         * that no acquire after the event goes ahead of the switch. */
        if (watch_changed(ix)) {
            paths_stat(ix, &p);
            if (paths_moved(&p, ix->cur))
                env_switch(ix, p.data.st_dev, p.data.st_ino);
        }
    } else {
        /* Two stats outside the lock.  When they differ, again under the
         * lock: another thread may have switched meanwhile, to these files
         * or newer ones, and opening the current pair a second time would
         * be fatal (closing an LMDB environment clears every reader slot
         * of the process in its lock file). */
        pthread_mutex_unlock(&ix->lock);
        paths_stat(ix, &p);
        pthread_mutex_lock(&ix->lock);
        if (paths_moved(&p, ix->cur)) {
            paths_stat(ix, &p);
            if (paths_moved(&p, ix->cur))
                env_switch(ix, p.data.st_dev, p.data.st_ino);
        }
    }
}

lx_env *lx_store_acquire(lx_index *ix) {
    pthread_mutex_lock(&ix->lock);
    refresh_locked(ix);
    lx_env *e = ix->cur;
    e->refs++;
    pthread_mutex_unlock(&ix->lock);
    return e;
}

void lx_store_release(lx_index *ix, lx_env *e) {
    if (!e)
        return;
    pthread_mutex_lock(&ix->lock);
    int last = --e->refs == 0;
    pthread_mutex_unlock(&ix->lock);
    if (last) {
        mdb_env_close(e->env);
        free(e);
    }
}

int lx_store_read_begin(lx_index *ix, lx_env **held, MDB_txn **txn, lx_error *err) {
    /* One lock round: the reader's own reference keeps *held open, so
     * while it stays current (every read but the first after a switch)
     * no reference changes hands. */
    lx_env *old = NULL;
    pthread_mutex_lock(&ix->lock);
    refresh_locked(ix);
    lx_env *e = ix->cur;
    if (e != *held) {
        e->refs++;
        old = *held;
    }
    pthread_mutex_unlock(&ix->lock);
    if (e != *held) {
        /* The transaction must end before its environment may close. */
        if (*txn)
            mdb_txn_abort(*txn);
        *txn = NULL;
        lx_store_release(ix, old);
        *held = e;
    }
    int rc = *txn ? mdb_txn_renew(*txn) : mdb_txn_begin(e->env, NULL, MDB_RDONLY, txn);
    return rc ? lx_store_fail(err, rc, "begin read transaction") : 0;
}

void lx_store_read_idle(lx_index *ix, lx_env **held, MDB_txn **txn) {
    /* Without the lock: cur is a pointer written whole under it
     * (env_switch), and a switch missed here is found by the next
     * lx_store_read_begin, which closes the old environment then. */
    int stale = *held && *held != __atomic_load_n(&ix->cur, __ATOMIC_ACQUIRE);
    if (stale)
        lx_store_read_close(ix, held, txn);
}

void lx_store_read_close(lx_index *ix, lx_env **held, MDB_txn **txn) {
    if (*txn)
        mdb_txn_abort(*txn);
    *txn = NULL;
    lx_store_release(ix, *held);
    *held = NULL;
}

uint64_t lx_store_snapshot(const lx_env *e, uint64_t txnid) {
    return e->gen << 40 | (txnid & (((uint64_t)1 << 40) - 1));
}

int lx_store_write_begin(lx_index *ix, lx_wlock *wl, MDB_txn **txn, lx_error *err) {
    wl->env = NULL;
    wl->fd = -1;
    *txn = NULL;
    for (int tries = 0; tries < 8; tries++) {
        lx_env *e = lx_store_acquire(ix);
        int rc = mdb_txn_begin(e->env, NULL, 0, txn);
        if (rc) {
            lx_store_release(ix, e);
            return lx_store_fail(err, rc, "begin write transaction");
        }
        int fd, lrc = data_lock(ix->data_path, LOCK_SH, &fd);
        struct stat st, ls;
        if (!lrc && fd >= 0 && fstat(fd, &st) == 0 && st.st_dev == e->dev && st.st_ino == e->ino &&
            stat(ix->lock_path, &ls) == 0 && ls.st_dev == e->lock_dev && ls.st_ino == e->lock_ino) {
            wl->env = e;
            wl->fd = fd;
            return 0;
        }
        /* Replaced (or re-paired with a new lock file) since the
         * environment was current: begin again in the new pairing. */
        mdb_txn_abort(*txn);
        *txn = NULL;
        if (fd >= 0)
            close(fd);
        lx_store_release(ix, e);
        if (lrc || fd < 0)
            return lx_fail(err, LX_EIO, NULL, -1, "%s: %s", ix->data_path,
                           lrc ? strerror(lrc) : "the index file is gone");
    }
    return lx_fail(err, LX_EIO, NULL, -1, "%s keeps being replaced or cannot be opened",
                   ix->data_path);
}

void lx_store_write_end(lx_index *ix, lx_wlock *wl) {
    if (wl->fd >= 0)
        close(wl->fd);
    wl->fd = -1;
    if (wl->env)
        lx_store_release(ix, wl->env);
    wl->env = NULL;
}

int lx_store_install(const char *dir, const char *built, lx_error *err) {
    char data[4096], lock[4096];
    int fd, rc;
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    snprintf(lock, sizeof lock, "%s/lock.mdb", dir);
    if ((rc = data_lock(data, LOCK_EX, &fd)))
        return lx_fail(err, LX_EIO, NULL, -1, "locking %s: %s", data, strerror(rc));
    /* The old lock file describes the old file's readers and last
     * transaction: the new file starts with none, in a fresh lock file
     * whose blocks are reserved (a reader can open it on a full disk). */
    if (unlink(lock) != 0 && errno != ENOENT)
        rc = lx_fail(err, LX_EIO, NULL, -1, "removing the old lock.mdb: %s", strerror(errno));
    else if ((lock_reserve(dir, NULL), rename(built, data) != 0))
        rc = lx_fail(err, LX_EIO, NULL, -1, "installing the new index: %s", strerror(errno));
    if (fd >= 0)
        close(fd);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return rc;
}
