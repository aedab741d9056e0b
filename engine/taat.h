/* taat.h -- a union or an intersection ranked list by list, on a small
 * index whose match set walked the query's lists (internal; taat.c). */
#ifndef LX_TAAT_H
#define LX_TAAT_H
#include "rank.h"

/* Whether lx_topk may rank cur[0..n) with lx_taat_topk (see taat.c);
 * *units receives the work to charge. */
int lx_taat_fits(const lx_qcur *cur, int n, const lx_scorer *sc, const lx_work *work,
                 uint64_t *units);

/* lx_topk's top k of cur[0..n), list by list; returns the count, best
 * first, *evaluated (NULL: not asked) how many lectures were offered. */
uint32_t lx_taat_topk(lx_qcur *cur, int n, const lx_scorer *sc, const uint64_t *allow, uint32_t k,
                      lx_scored *out, uint64_t *evaluated);

/* Whether lx_topk_and may rank cur[0..n) (required: the first nreq) with
 * lx_taat_and; *units receives the work to charge. */
int lx_taat_and_fits(const lx_qcur *cur, int n, const lx_scorer *sc, const lx_work *work,
                     uint64_t *units);

/* lx_topk_and's top k, list by list; returns the count, best first. */
uint32_t lx_taat_and(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, const uint64_t *allow,
                     uint32_t k, lx_scored *out);
#endif
