/* test_corrupt_flips.c -- damaged indexes give errors, never crashes (in the
 * spirit of SQLite's fts5corrupt*.test; issue 11, item 3).
 *
 * A small index is built (the generated collection, with replacements and
 * deletions), then for a seeded sample of (offset, byte) changes in its
 * data.mdb -- half in the posting and positions values, a fifth in the
 * other values (lectures, ids, tags, langs, stats, norms), the rest
 * anywhere in the pages LMDB uses -- a child process opens the damaged
 * copy and reads it every way a client can: searches (words, a phrase, an
 * exclusion, OR, tag, language and speaker filters, facets, snippets),
 * related lectures, get, tags, stats and the integrity check.  Every call
 * must return a result or an error code; the child must exit normally
 * (no signal, no sanitizer report: make sanitize runs this too).  The one
 * exception is LMDB's own assertion on some damaged B-tree pages, which
 * aborts inside mdb_get before Lectern sees a byte, and the rarer fault
 * inside liblmdb on such pages: both counted apart and printed.
 *
 *   LECTERN_CORRUPT_FLIPS  how many changes (default 3000; the sanitize
 *                          build's ctest sets fewer)
 *   LECTERN_CORRUPT_SEED   the sample's seed (default fixed)
 *   LECTERN_CORRUPT_ONLY   replay one change in this process
 * A failing change is printed as its offset, old and new byte, and the
 * region it fell in, so it can be replayed.
 */
#include "check.h"
#include "store.h"
#include "testcoll.h"
#include "testidx.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <lmdb.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define NDOCS 60

/* The sample's own generator: make_record reseeds check_rand. */
static uint64_t sm_state;
static uint64_t sm_next(void) {
    uint64_t z = (sm_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint64_t sm_below(uint64_t n) {
    return n ? sm_next() % n : 0;
}

typedef struct range {
    size_t off, len;
} range;

/* Value byte ranges of the file, by kind. */
typedef struct ranges {
    range *r;
    size_t n, cap, bytes;
} ranges;

static void ranges_add(ranges *rs, size_t off, size_t len) {
    if (!len)
        return;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->r = realloc(rs->r, rs->cap * sizeof *rs->r);
    }
    rs->r[rs->n++] = (range){off, len};
    rs->bytes += len;
}

/* An offset in rs, uniform over its bytes. */
static size_t ranges_pick(const ranges *rs) {
    size_t k = (size_t)sm_below(rs->bytes);
    for (size_t i = 0; i < rs->n; i++) {
        if (k < rs->r[i].len)
            return rs->r[i].off + k;
        k -= rs->r[i].len;
    }
    return 0;
}

static void build(const char *dir) {
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < NDOCS; i++) {
        char *r = make_record(i, 1);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < NDOCS; i += 5) {
        char *r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(del(w, idof(7)) == 0);
    CHECK(del(w, idof(22)) == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_index_close(ix);
}

/* Where the process maps file (from /proc/self/maps; LMDB reports its
 * map address only for MDB_FIXEDMAP). */
static const uint8_t *map_base(const char *file) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[1200];
    unsigned long lo = 0, off = 1;
    while (f && fgets(line, sizeof line, f)) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        size_t ll = strlen(line), fl = strlen(file);
        if (ll >= fl && !strcmp(line + ll - fl, file) &&
            sscanf(line, "%lx-%*x %*s %lx", &lo, &off) == 2 && off == 0)
            break;
        lo = 0;
    }
    if (f)
        fclose(f);
    CHECK(lo != 0);
    return (const uint8_t *)lo;
}

/* Where every database's values lie in the file. */
static void find_values(const char *dir, ranges *lists, ranges *other) {
    lx_index *ix = tix_open(dir, LX_OPEN_READONLY);
    char path[600], real[4096];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    CHECK(realpath(path, real) != NULL);
    const uint8_t *map = map_base(real);
    MDB_txn *txn;
    CHECK(mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn) == 0);
    MDB_dbi dbs[] = {ix->post, ix->pos, ix->docs, ix->ids, ix->tags, ix->langs, ix->meta};
    for (size_t d = 0; d < sizeof dbs / sizeof *dbs; d++) {
        MDB_cursor *c;
        MDB_val k, v;
        CHECK(mdb_cursor_open(txn, dbs[d], &c) == 0);
        for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0;
             r = mdb_cursor_get(c, &k, &v, MDB_NEXT))
            ranges_add(d < 2 ? lists : other, (size_t)((const uint8_t *)v.mv_data - map),
                       v.mv_size);
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    lx_index_close(ix);
}

/* ---- one damaged run (in a child) ----------------------------------------------- */

static int calls, errors;

static void note(int rc, int has_result) {
    calls++;
    /* A result, or an error code: never both, never neither. */
    if (rc > 0 || (rc == 0) != (has_result != 0)) {
        fprintf(stderr, "  a call returned %d with%s a result\n", rc, has_result ? "" : "out");
        _exit(3);
    }
    errors += rc != 0;
}

static void run_search(lx_searcher *s, const char *q, const char *tags, const char *lang,
                       const char *speaker) {
    lx_search_opts o = {0};
    o.query = q;
    o.tags = tags;
    o.lang = lang;
    o.speaker = speaker;
    o.limit = 10;
    o.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    lx_results *r = NULL;
    lx_error err;
    int rc = lx_search(s, &o, &r, &err);
    note(rc, r != NULL);
    lx_results_free(r);
}

/* LMDB asserts on some damage to its own B-tree pages and aborts: no
 * reader can go on from there, and no check of Lectern's could come
 * before it.  Such runs are counted apart (exit 12). */
static void lmdb_assert(MDB_env *env, const char *msg) {
    (void)env;
    fprintf(stderr, "  LMDB assertion: %s\n", msg);
    _exit(12);
}

/* Some damage to LMDB's own B-tree pages crashes inside liblmdb (a node
 * flagged as holding duplicates in a database without them dereferences
 * LMDB's NULL sub-cursor) before Lectern sees a byte.  A fault whose
 * instruction is in liblmdb is counted apart (exit 13); any other is a
 * failure of ours and dies as it came. */
static void on_fault(int sig, siginfo_t *si, void *uc) {
    (void)si;
    const void *pc = NULL;
#if defined(__x86_64__)
    pc = (const void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    pc = (const void *)((ucontext_t *)uc)->uc_mcontext.pc;
#else
    (void)uc;
#endif
    Dl_info info;
    if (pc && dladdr(pc, &info) && info.dli_fname && strstr(info.dli_fname, "liblmdb")) {
        static const char msg[] = "  fault inside liblmdb\n";
        if (write(2, msg, sizeof msg - 1) < 0)
            _exit(13);
        _exit(13);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Reads dir every way; returns whether some call gave an error. */
static int read_all(const char *dir) {
    errors = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    lx_index *ix = NULL;
    lx_searcher *s = NULL;
    lx_error err;
    int rc = lx_index_open(dir, LX_OPEN_READONLY, &ix, &err);
    note(rc, ix != NULL);
    if (!rc) {
        mdb_env_set_assert(ix->env, lmdb_assert);
        rc = lx_searcher_open(ix, &s, &err);
        note(rc, s != NULL);
    }
    if (s) {
        run_search(s, "gender equality", NULL, NULL, NULL);
        run_search(s, "\"pay gap\" women", NULL, "en", NULL);
        run_search(s, "migration -schools OR culture", "migration", NULL, NULL);
        run_search(s, "tag:racism lang:fi kulttuuri", NULL, NULL, "Li Wei");
        run_search(s, "", "gender", NULL, NULL);
        for (int i = 0; i < NDOCS; i += 19) {
            lx_search_opts o = {0};
            o.limit = 5;
            o.flags = LX_SEARCH_SNIPPETS;
            lx_results *r = NULL;
            rc = lx_related(s, idof(i), &o, &r, &err);
            note(rc, r != NULL);
            lx_results_free(r);
            char *json = NULL;
            size_t len = 0;
            rc = lx_get(s, idof(i), &json, &len, &err);
            note(rc, json != NULL);
            free(json);
        }
        lx_facet *f = NULL;
        size_t n = 0;
        rc = lx_tags(s, &f, &n, &err);
        note(rc, rc == 0);
        free(f);
        lx_stats st;
        rc = lx_stats_get(s, &st, &err); /* fills st only when it succeeds */
        note(rc, rc == 0);
        lx_searcher_close(s);
    }
    if (ix) {
        lx_check_report *r = malloc(sizeof *r);
        rc = lx_index_check(ix, r, &err);
        note(rc, rc == 0);
        free(r);
        lx_index_close(ix);
    }
    return errors != 0;
}

/* ---- the sweep ----------------------------------------------------------------- */

/* One change: where, and the byte written there. */
typedef struct flip {
    size_t off;
    uint8_t old, nb;
    int kind; /* 0 lists, 1 other values, 2 anywhere */
} flip;

static const char *const kinds[] = {"posting/positions value", "other value", "anywhere"};

/* Runs changes [from, to) in a child, each applied, read and undone;
 * the child's exit status: 0 when all ran, 100 + k when change from + k
 * failed a check; a signal when one crashed.  *errs counts the runs that
 * gave an error (through a pipe). */
static int run_batch(int fd, const char *work, const flip *f, long from, long to, long *errs) {
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    char lock[600];
    snprintf(lock, sizeof lock, "%s/lock.mdb", work);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        long e = 0;
        for (long i = from; i < to; i++) {
            if (pwrite(fd, &f[i].nb, 1, (off_t)f[i].off) != 1)
                _exit(2);
            unlink(lock);
            e += read_all(work);
            if (pwrite(fd, &f[i].old, 1, (off_t)f[i].off) != 1)
                _exit(2);
        }
        if (write(pfd[1], &e, sizeof e) != sizeof e)
            _exit(2);
        _exit(0);
    }
    close(pfd[1]);
    long e = 0;
    if (read(pfd[0], &e, sizeof e) != sizeof e)
        e = -1;
    close(pfd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    /* A crashed child left its change in the file: undo it. */
    for (long i = from; i < to; i++)
        CHECK(pwrite(fd, &f[i].old, 1, (off_t)f[i].off) == 1);
    *errs = e;
    return st;
}

static void test_sweep(void) {
    char dir[512], work[512], file[600];
    /* A small map: thousands of opens. */
    setenv("LECTERN_MAP_GIB", "1", 1);
    snprintf(dir, sizeof dir, "%s", check_tmpdir("corrupt-base"));
    build(dir);
    CHECK(tix_sound(dir));
    ranges lists = {0}, other = {0};
    find_values(dir, &lists, &other);
    CHECK(lists.bytes > 1000 && other.bytes > 1000);

    snprintf(work, sizeof work, "%s", check_tmpdir("corrupt-work"));
    snprintf(file, sizeof file, "%s/data.mdb", work);
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "cp '%s/data.mdb' '%s'", dir, file);
    CHECK(system(cmd) == 0);
    int fd = open(file, O_RDWR);
    struct stat stt;
    CHECK(fd >= 0 && fstat(fd, &stt) == 0);
    size_t size = (size_t)stt.st_size;

    const char *e = getenv("LECTERN_CORRUPT_FLIPS");
    long n = e ? atol(e) : 3000;
    e = getenv("LECTERN_CORRUPT_SEED");
    sm_state = e ? strtoull(e, NULL, 0) : 0x5EED0F11B5ull;
    flip *f = calloc((size_t)n + 1, sizeof *f);
    for (long i = 0; i < n; i++) {
        uint64_t k = sm_below(10);
        f[i].kind = k < 5 ? 0 : k < 7 ? 1 : 2;
        f[i].off = f[i].kind == 0   ? ranges_pick(&lists)
                   : f[i].kind == 1 ? ranges_pick(&other)
                                    : (size_t)sm_below(size);
        CHECK(pread(fd, &f[i].old, 1, (off_t)f[i].off) == 1);
        /* A single bit half the time, else any other byte. */
        f[i].nb = sm_below(2) ? (uint8_t)(f[i].old ^ (1u << sm_below(8)))
                              : (uint8_t)(f[i].old ^ (1 + sm_below(255)));
    }
    /* LECTERN_CORRUPT_ONLY=i replays change i in this process (for a
     * debugger). */
    if ((e = getenv("LECTERN_CORRUPT_ONLY"))) {
        long i = atol(e);
        CHECK(i >= 0 && i < n && pwrite(fd, &f[i].nb, 1, (off_t)f[i].off) == 1);
        printf("change %ld: offset %zu, errors: %d\n", i, f[i].off, read_all(work));
        CHECK(pwrite(fd, &f[i].old, 1, (off_t)f[i].off) == 1);
        close(fd);
        free(f);
        free(lists.r);
        free(other.r);
        return;
    }
    /* Batches of 100 in one child each; a batch that fails is run again
     * one change per child to name the change.  The dictionaries are
     * loaded here once, so that each child has them from the fork, not by
     * loading them again (a second a child, a hundred in a batch run
     * again). */
    lx_dict_warm();
    long errs = 0, bad = 0, asserts = 0, lmdb_faults = 0;
    for (long b = 0; b < n; b += 100) {
        long to = b + 100 < n ? b + 100 : n, be = 0;
        int st = run_batch(fd, work, f, b, to, &be);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && be >= 0) {
            errs += be;
            continue;
        }
        for (long i = b; i < to; i++) {
            st = run_batch(fd, work, f, i, i + 1, &be);
            if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && be >= 0) {
                errs += be;
                continue;
            }
            if (WIFEXITED(st) && WEXITSTATUS(st) == 12) {
                asserts++;
                continue;
            }
            if (WIFEXITED(st) && WEXITSTATUS(st) == 13) {
                lmdb_faults++;
                fprintf(stderr, "  change %ld: offset %zu: a fault inside liblmdb\n", i, f[i].off);
                continue;
            }
            bad++;
            CHECK(!"a damaged index crashed a reader or broke a promise");
            fprintf(stderr, "  change %ld: offset %zu (%s), byte 0x%02x -> 0x%02x: %s %d\n", i,
                    f[i].off, kinds[f[i].kind], f[i].old, f[i].nb,
                    WIFSIGNALED(st) ? "signal" : "exit",
                    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        }
    }
    close(fd);
    printf("corruption sweep: %ld changes: %ld read without error, %ld gave errors, %ld stopped "
           "by an LMDB assertion, %ld by a fault inside liblmdb, %ld crashed\n",
           n, n - errs - bad - asserts - lmdb_faults, errs, asserts, lmdb_faults, bad);
    free(f);
    free(lists.r);
    free(other.r);
}

int main(void) {
    test_sweep();
    CHECK_DONE();
}
