/* cliutil.h -- what the lectern CLI's batch commands share (cliutil.c):
 * clocks, percentiles, and reading a query file. */
#ifndef LECTERN_CLIUTIL_H
#define LECTERN_CLIUTIL_H
#include <stddef.h>
#include <time.h>

/* Clock id's time in microseconds (CLOCK_MONOTONIC: wall;
 * CLOCK_THREAD_CPUTIME_ID: the thread's CPU, what to trust on a busy
 * machine). */
double cli_clock_us(clockid_t id);

/* qsort's comparison of doubles, ascending. */
int cli_cmp_d(const void *a, const void *b);

/* The p-th percentile (nearest rank) of the n sorted values v; 0 when n is 0. */
double cli_pct(const double *v, size_t n, double p);

/* The lines of the query file path, without their line ends: with ids,
 * "ID<TAB>QUERY" lines give their ID (else the line number) into
 * (*ids)[i] and the query into (*texts)[i]; without, the whole line is the
 * text and *ids stays NULL.  Returns 0, or -1 after printing why on stderr.
 * Free with cli_free_queries. */
int cli_read_queries(const char *path, int with_ids, char ***ids, char ***texts, size_t *n);
void cli_free_queries(char **ids, char **texts, size_t n);
#endif
