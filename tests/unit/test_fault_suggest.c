/* test_fault_suggest.c -- fault injection on tag suggestions for every
 * untagged lecture (issue 18), as test_fault.c does for the query path:
 * the Nth allocation, LMDB read, LMDB write (mdb_put) or commit
 * (mdb_txn_commit) made by the engine fails.
 *
 *  - lx_suggest_tags_untagged (the one pass behind lectern-index
 *    --suggest-tags) gives exactly the fault-free suggestions or an error
 *    with err filled, and the searcher answers right on the next call;
 *  - lx_index_suggest_tags, on a fresh copy of the index each time, either
 *    stores exactly the fault-free suggestions or fails with err filled,
 *    losing nothing: every lecture reads as before (no suggestion half
 *    stored), lx_index_check finds the index sound, and running it again
 *    stores the fault-free suggestions.
 *
 * N is swept one by one up to SWEEP_ALL, then in growing steps (the pass
 * reads every posting list: thousands of LMDB reads), until a run
 * completes without reaching N.
 */
#include <errno.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "testcoll.h"

#define SWEEP_ALL 300

static long fault_at, fault_calls;
static int fault_armed, fault_hit;

static int fault_now(void) {
    if (!fault_armed)
        return 0;
    if (++fault_calls == fault_at) {
        fault_hit = 1;
        return 1;
    }
    return 0;
}

#include "faultwrap.h"

int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags);
int __real_mdb_txn_commit(MDB_txn *txn);

int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data, unsigned flags) {
    return fault_now() ? MDB_MAP_FULL : __real_mdb_put(txn, dbi, key, data, flags);
}

/* A failed commit has freed the transaction, as LMDB's does. */
int __wrap_mdb_txn_commit(MDB_txn *txn) {
    if (fault_now()) {
        mdb_txn_abort(txn);
        return EIO;
    }
    return __real_mdb_txn_commit(txn);
}

/* ---- answers as text ------------------------------------------------------- */

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *s) {
    size_t k = strlen(s);
    if (t->n + k + 1 > t->cap) {
        t->cap = (t->n + k + 1) * 2;
        if (!(t->p = __real_realloc(t->p, t->cap)))
            exit(2);
    }
    memcpy(t->p + t->n, s, k + 1);
    t->n += k;
}

static int on_suggest(void *ctx, const char *id, const lx_tag_suggestion *t, size_t n) {
    int armed = fault_armed;
    fault_armed = 0; /* the test's own text is not the engine's */
    char line[600];
    for (size_t i = 0; i < n; i++) {
        snprintf(line, sizeof line, "hit %s %s %.17g\n", id, t[i].tag, t[i].confidence);
        add(ctx, line);
    }
    fault_armed = armed;
    return 0;
}

/* Every lecture as lx_get gives it (suggested tags included). */
static char *lectures(lx_index *ix) {
    lx_searcher *s = NULL;
    lx_error err;
    text t = {0};
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    for (int i = 0; s && i < NFINAL; i++) {
        char *json = NULL;
        CHECK(lx_get(s, idof(i), &json, NULL, &err) == 0);
        add(&t, json ? json : "(none)");
        add(&t, "\n");
        free(json);
    }
    lx_searcher_close(s);
    return t.p;
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[65536];
    size_t k;
    if (!in || !out)
        exit(2);
    while ((k = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, k, out) != k)
            exit(2);
    fclose(in);
    fclose(out);
}

/* A fresh copy of the index in base, opened. */
static lx_index *fresh(const char *base, const char *dir) {
    char a[700], b[700];
    snprintf(a, sizeof a, "%s/data.mdb", base);
    snprintf(b, sizeof b, "%s/data.mdb", dir);
    copy_file(a, b);
    snprintf(b, sizeof b, "%s/lock.mdb", dir);
    unlink(b);
    return tix_open(dir, 0);
}

static long next_n(long n) {
    return n < SWEEP_ALL ? n + 1 : n + n / 16;
}

/* The one pass: the exact answer or an error; the searcher recovers. */
static void sweep_read(lx_index *ix, const char *expect) {
    long n = 1;
    for (;; n = next_n(n)) {
        lx_searcher *s = NULL;
        lx_error err;
        text got = {0};
        CHECK(lx_searcher_open(ix, &s, &err) == 0);
        fault_at = n;
        fault_calls = 0;
        fault_hit = 0;
        fault_armed = 1;
        int rc = lx_suggest_tags_untagged(s, 5, 0, on_suggest, &got, &err);
        fault_armed = 0;
        if (rc) {
            CHECK(rc < 0 && err.code == rc && err.message[0] && fault_hit);
        } else {
            CHECK(got.p && !strcmp(got.p, expect));
            if (!got.p || strcmp(got.p, expect))
                fprintf(stderr, "  read n=%ld: a different answer\n", n);
        }
        free(got.p);
        got = (text){0};
        CHECK(lx_suggest_tags_untagged(s, 5, 0, on_suggest, &got, &err) == 0);
        CHECK(got.p && !strcmp(got.p, expect));
        free(got.p);
        lx_searcher_close(s);
        if (!fault_hit)
            break;
    }
    printf("suggest untagged: %ld faults swept\n", n - 1);
    CHECK(n > 1);
}

/* Storing: everything or nothing, the index sound either way. */
static void sweep_write(const char *base, const char *dir, const char *before, const char *after) {
    long n = 1, failed = 0;
    for (;; n = next_n(n)) {
        lx_index *ix = fresh(base, dir);
        lx_error err;
        uint64_t stored = 0;
        fault_at = n;
        fault_calls = 0;
        fault_hit = 0;
        fault_armed = 1;
        int rc = lx_index_suggest_tags(ix, &stored, &err);
        fault_armed = 0;
        if (rc) {
            CHECK(rc < 0 && err.code == rc && err.message[0] && fault_hit);
            if (!(rc < 0 && err.code == rc && err.message[0] && fault_hit))
                fprintf(stderr, "  write n=%ld: rc %d code %d \"%s\" hit %d\n", n, rc, err.code,
                        err.message, fault_hit);
        }
        char *now = lectures(ix);
        lx_check_report rep;
        lx_error cerr;
        int crc = lx_index_check(ix, &rep, &cerr);
        CHECK(crc == 0 && rep.problems == 0);
        if (crc || rep.problems)
            fprintf(stderr, "  write n=%ld (rc %d): check: %s\n", n, rc,
                    rep.n_listed ? rep.problem[0] : cerr.message);
        if (rc) {
            failed++;
            CHECK(now && !strcmp(now, before));
            if (!now || strcmp(now, before))
                fprintf(stderr, "  write n=%ld: the lectures changed\n", n);
            free(now);
            CHECK(lx_index_suggest_tags(ix, &stored, &err) == 0 && stored > 0);
            now = lectures(ix);
        }
        CHECK(now && !strcmp(now, after));
        if (!now || strcmp(now, after))
            fprintf(stderr, "  write n=%ld: not the fault-free suggestions\n", n);
        free(now);
        lx_index_close(ix);
        if (!fault_hit)
            break;
    }
    printf("suggest and store: %ld faults swept, %ld failed cleanly\n", n - 1, failed);
    CHECK(failed > 0);
}

int main(void) {
    char base[600], dir[700];
    snprintf(base, sizeof base, "%s", check_tmpdir("fault_suggest"));
    snprintf(dir, sizeof dir, "%s/copy", base);
    mkdir(dir, 0777);
    strcat(base, "/base");
    mkdir(base, 0777);
    lx_index_close(tix_final(base));

    /* The fault-free answers. */
    lx_index *ix = fresh(base, dir);
    char *before = lectures(ix);
    lx_searcher *s = NULL;
    lx_error err;
    text expect = {0};
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    CHECK(s && lx_suggest_tags_untagged(s, 5, 0, on_suggest, &expect, &err) == 0);
    lx_searcher_close(s);
    CHECK(expect.p && strstr(expect.p, "hit ")); /* something to lose */
    uint64_t stored = 0;
    CHECK(lx_index_suggest_tags(ix, &stored, &err) == 0 && stored > 0);
    char *after = lectures(ix);
    CHECK(before && after && strcmp(before, after) && strstr(after, "suggested_tags"));
    lx_index_close(ix);

    ix = fresh(base, dir);
    if (expect.p)
        sweep_read(ix, expect.p);
    lx_index_close(ix);
    if (before && after)
        sweep_write(base, dir, before, after);
    free(expect.p);
    free(before);
    free(after);
    CHECK_DONE();
}
