/* check.h -- the few assertion macros our plain test programs use.
 * A failed CHECK prints file:line and the expression and counts a failure;
 * CHECK_DONE() prints the tally and returns the exit status. */
#ifndef LECTERN_CHECK_H
#define LECTERN_CHECK_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        check_count++;                                                                             \
        if (!(expr)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *check_a_ = (a), *check_b_ = (b);                                               \
        check_count++;                                                                             \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {                           \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", __FILE__,  \
                    __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
        }                                                                                          \
    } while (0)

#define CHECK_NEAR(a, b, eps)                                                                      \
    do {                                                                                           \
        double check_x_ = (a), check_y_ = (b);                                                     \
        check_count++;                                                                             \
        if (!(check_x_ - check_y_ <= (eps) && check_y_ - check_x_ <= (eps))) {                     \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, expected %.9g\n", __FILE__,      \
                    __LINE__, #a, check_x_, check_y_);                                             \
        }                                                                                          \
    } while (0)

#define CHECK_DONE()                                                                               \
    do {                                                                                           \
        printf("%d checks, %d failed\n", check_count, check_failures);                             \
        return check_failures ? 1 : 0;                                                             \
    } while (0)

/* A small deterministic generator (xorshift64*) for generated test data;
 * each program seeds it with check_seed for runs it can reproduce. */
static uint64_t check_rng = 0x243F6A8885A308D3ull;

static inline void check_seed(uint64_t seed) {
    check_rng = seed;
}

static inline uint32_t check_rand(void) {
    check_rng ^= check_rng >> 12;
    check_rng ^= check_rng << 25;
    check_rng ^= check_rng >> 27;
    return (uint32_t)((check_rng * 0x2545F4914F6CDD1Dull) >> 32);
}

/* A number in [0, n), 0 when n is 0. */
static inline uint32_t check_below(uint32_t n) {
    return n ? check_rand() % n : 0;
}

/* A fresh empty directory under $LECTERN_TMP (or /tmp) for an index. */
static inline const char *check_tmpdir(const char *name) {
    static char path[512];
    const char *base = getenv("LECTERN_TMP");
    char cmd[1100];
    snprintf(path, sizeof path, "%s/%s", base ? base : "/tmp/lectern-test", name);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot make %s\n", path);
        exit(2);
    }
    return path;
}
#endif
