/* tcheck.h -- the server's C tests' CHECK: counts a failed condition and
 * prints where and why, and goes on (main returns failures != 0). */
#ifndef LX_TCHECK_H
#define LX_TCHECK_H
#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#endif
