/* taat.c -- a union or an intersection ranked list by list (term at a
 * time), for lx_topk and lx_topk_and on a small index.
 *
 * On an index of at most LX_TAAT_MAX_DOCS docids whose match set has
 * walked every list of the query, each cursor's parts are added into an
 * accumulator a lecture (sc->acc), in cursor order, so each sum is the
 * one the block-max run of rank.c makes; then the lectures are offered
 * to the heap in docid order, as that run offers them: the same top k,
 * the same scores.  There a query's lists are short (on TED most words
 * are in thousands of its 5,913 lectures) and BM25F saturates, so block
 * bounds skip little, and a common word's parts are read from the
 * saturations termbits.c keeps rather than decoded.  On a larger index
 * decoding whole lists and an accumulator of every docid cost more than
 * block-max pruning saves (tests/bench/README.md, round thirteen).
 */
#include "taat.h"

static uint32_t taat_offer(const lx_scorer *sc, uint64_t *restrict bits, const uint64_t *allow,
                           uint32_t k, lx_scored *out, uint64_t *evaluated);

/* The bits set in x (no popcount instruction in a portable build). */
static inline uint64_t pop64(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (x * 0x0101010101010101ull) >> 56;
}

/* Whether every cursor of cur[0..n) may be ranked list by list: a DOCS
 * one, or a TERM one whose list the match set walked whole (its docids
 * known: a common word's postings' saturations kept by termbits.c,
 * another list walked and decoded as lx_topk would), none bound to a
 * language, all within the accumulator.  *posts and *blocks receive
 * their postings and blocks. */
static int taat_lists(const lx_qcur *cur, int n, const lx_scorer *sc, uint64_t *posts,
                      uint64_t *blocks) {
    *posts = *blocks = 0;
    if (!sc->acc)
        return 0;
    for (int i = 0; i < n; i++) {
        const lx_qcur *c = &cur[i];
        if (c->langs)
            return 0;
        if (c->kind == LX_QK_DOCS) {
            /* docids checked ascending when opened: the last bounds them */
            if (c->ndocs && lx_docs_at(c->docs, c->ndocs - 1) >= sc->ndocs_map)
                return 0;
            *posts += c->ndocs;
            continue;
        }
        if (c->kind != LX_QK_TERM || !c->pc->known || c->pc->limit > sc->ndocs_map)
            return 0;
        *posts += c->pc->df;
        *blocks += c->pc->nblocks;
    }
    return 1;
}

/* Whether lx_topk may score cur[0..n) list by list (taat_lists), with
 * budget room for all that the block-max run could spend (n units a
 * candidate, at most the postings, and a window, at most the blocks:
 * that run would not be cut, and its answer is the exact top k, as this
 * one's).  *units receives what to charge: n a posting. */
int lx_taat_fits(const lx_qcur *cur, int n, const lx_scorer *sc, const lx_work *work,
                 uint64_t *units) {
    uint64_t posts, blocks;
    if (work->used > work->stop || !taat_lists(cur, n, sc, &posts, &blocks) ||
        (uint64_t)n * (posts + blocks + 2) > work->stop - work->used)
        return 0;
    *units = (uint64_t)n * posts;
    return 1;
}

/* The top k of cur[0..n) (lx_taat_fits), each list added into sc->acc in
 * cursor order: a lecture's parts are summed in the order lx_topk sums
 * them (a cursor without it adds nothing there, 0 here), so its score is
 * the same number; then the lectures scored, in docid order, offered to
 * the heap as lx_topk offers its candidates.  A list without kept
 * saturations is walked to its end (a damaged one ends there, its rc
 * set, as lx_topk's walk would leave it); acc and accbits are left zero. */
uint32_t lx_taat_topk(lx_qcur *cur, int n, const lx_scorer *sc, const uint64_t *allow, uint32_t k,
                      lx_scored *out, uint64_t *evaluated) {
    double *restrict acc = sc->acc;
    uint64_t *restrict bits = sc->accbits;
    size_t words = ((size_t)sc->ndocs_map + 63) / 64;
    for (int i = 0; i < n; i++) {
        const lx_qcur *c = &cur[i];
        if (c->doc == LX_DOC_END)
            continue;
        if (c->kind == LX_QK_DOCS) {
            for (uint32_t j = c->i; j < c->ndocs; j++) {
                uint32_t d = lx_docs_at(c->docs, j);
                acc[d] += c->w;
                bits[d >> 6] |= 1ull << (d & 63);
            }
            continue;
        }
        lx_pcursor *pc = c->pc;
        const double *sat = lx_pcursor_sats(pc, sc);
        const uint32_t *docs = pc->known;
        double w = c->w, bonus = c->bonus;
        if (!sat) {
            for (; pc->doc != LX_DOC_END; lx_pcursor_next(pc)) {
                uint32_t d = pc->doc;
                acc[d] += bonus + lx_term_part(sc, w, pc);
                bits[d >> 6] |= 1ull << (d & 63);
            }
            continue;
        }
        uint32_t j = pc->bi * LX_BLOCK + pc->i;
        if (j == 0 && pc->kept.bits) { /* its whole list: its bitmap */
            for (size_t x = 0; x < words; x++)
                bits[x] |= pc->kept.bits[x];
            for (; j < pc->df; j++)
                acc[docs[j]] += bonus + w * sat[j];
            continue;
        }
        for (; j < pc->df; j++) {
            uint32_t d = docs[j];
            acc[d] += bonus + w * sat[j];
            bits[d >> 6] |= 1ull << (d & 63);
        }
    }
    return taat_offer(sc, bits, allow, k, out, evaluated);
}

/* The docs of bits (zeroed) with their scores in sc->acc (zeroed),
 * offered in docid order to the heap out of k, as lx_topk offers its
 * candidates; returns the count, best first.  *evaluated (NULL: not
 * asked) receives how many were offered. */
static uint32_t taat_offer(const lx_scorer *sc, uint64_t *restrict bits, const uint64_t *allow,
                           uint32_t k, lx_scored *out, uint64_t *evaluated) {
    double *restrict acc = sc->acc;
    uint32_t nh = 0;
    uint64_t evals = 0;
    double theta = -1.0;
    size_t words = ((size_t)sc->ndocs_map + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        uint64_t x = bits[w];
        if (!x)
            continue;
        bits[w] = 0;
        if (allow) { /* the docs not permitted: their sums cleared, not offered */
            for (uint64_t y = x & ~allow[w]; y; y &= y - 1)
                acc[w * 64 + (size_t)__builtin_ctzll(y)] = 0;
            x &= allow[w];
        }
        if (evaluated)
            evals += pop64(x);
        double *a = acc + w * 64;
        for (; x; x &= x - 1) {
            unsigned b = (unsigned)__builtin_ctzll(x);
            double s = a[b];
            a[b] = 0;
            if (nh < k || s > theta) {
                uint32_t d = (uint32_t)(w * 64 + b);
                lx_scored en = {s, d};
                lx_topk_push(out, &nh, k, en);
                if (nh == k)
                    theta = out[0].score;
            }
        }
    }
    lx_scored_sort(out, nh);
    if (evaluated)
        *evaluated = evals;
    return nh;
}

/* Whether lx_topk_and may score cur[0..n) list by list (taat_lists),
 * with budget room for all that the leapfrog could spend (n units a
 * step, each step on a doc of a required list, and a doc walked past
 * once a posting of the driver's). */
int lx_taat_and_fits(const lx_qcur *cur, int n, const lx_scorer *sc, const lx_work *work,
                     uint64_t *units) {
    uint64_t posts, blocks;
    if (work->used > work->stop || !taat_lists(cur, n, sc, &posts, &blocks) ||
        (uint64_t)n * (2 * posts + 2) > work->stop - work->used)
        return 0;
    *units = (uint64_t)n * posts;
    return 1;
}

/* Sets in b the bits of the docs cursor c (DOCS, or TERM with its docids
 * known) matches from where it stands. */
static void taat_docs(const lx_qcur *c, uint64_t *b) {
    if (c->doc == LX_DOC_END)
        return;
    if (c->kind == LX_QK_DOCS) {
        for (uint32_t j = c->i; j < c->ndocs; j++) {
            uint32_t d = lx_docs_at(c->docs, j);
            b[d >> 6] |= 1ull << (d & 63);
        }
        return;
    }
    const lx_pcursor *pc = c->pc;
    for (uint32_t j = pc->bi * LX_BLOCK + pc->i; j < pc->df; j++)
        b[pc->known[j] >> 6] |= 1ull << (pc->known[j] & 63);
}

/* lx_topk_and list by list (lx_taat_and_fits): the docs every required
 * cursor has, a bitmap (a common word's kept one when its cursor stands
 * at its first doc); each cursor's parts of those added into sc->acc in
 * cursor order (as and_score sums them: the same numbers); then those
 * docs, in docid order, offered to the heap as the leapfrog offers
 * them.  acc and accbits are left zero. */
uint32_t lx_taat_and(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, const uint64_t *allow,
                     uint32_t k, lx_scored *out) {
    double *restrict acc = sc->acc;
    size_t words = ((size_t)sc->ndocs_map + 63) / 64;
    /* the second bitmap after the first's (ndocs_map + 64) / 64 + 1 words (searcher.c) */
    uint64_t *restrict in = sc->accbits;
    uint64_t *restrict tmp = sc->accbits + (sc->ndocs_map + 64) / 64 + 1;
    for (int i = 0; i < nreq; i++) {
        const lx_qcur *c = &cur[i];
        const uint64_t *b = tmp;
        if (c->kind == LX_QK_TERM && c->pc->kept.bits && !c->pc->bi && !c->pc->i)
            b = c->pc->kept.bits; /* its whole list, from its first doc */
        else
            taat_docs(c, tmp);
        for (size_t w = 0; w < words; w++) {
            in[w] = i ? in[w] & b[w] : b[w];
            tmp[w] = 0;
        }
    }
    for (int i = 0; i < n; i++) {
        lx_qcur *c = &cur[i];
        if (c->doc == LX_DOC_END)
            continue;
        if (c->kind == LX_QK_DOCS) {
            for (uint32_t j = c->i; j < c->ndocs; j++) {
                uint32_t d = lx_docs_at(c->docs, j);
                if (in[d >> 6] >> (d & 63) & 1)
                    acc[d] += c->w;
            }
            continue;
        }
        lx_pcursor *pc = c->pc;
        const double *sat = lx_pcursor_sats(pc, sc);
        double w = c->w, bonus = c->bonus;
        if (!sat) {
            for (; pc->doc != LX_DOC_END; lx_pcursor_next(pc))
                if (in[pc->doc >> 6] >> (pc->doc & 63) & 1)
                    acc[pc->doc] += bonus + lx_term_part(sc, w, pc);
            continue;
        }
        if (pc->kept.cum && !pc->bi && !pc->i) {
            /* A common word's whole list: each doc of the intersection's
             * posting found by its place in the bitmap, the list itself
             * not walked. */
            const uint64_t *kb = pc->kept.bits;
            for (size_t x = 0; x < words; x++) {
                uint64_t y = in[x];
                for (; y; y &= y - 1) {
                    unsigned b = (unsigned)__builtin_ctzll(y);
                    uint32_t r = pc->kept.cum[x] + (uint32_t)pop64(kb[x] & ((1ull << b) - 1));
                    acc[x * 64 + b] += bonus + w * sat[r];
                }
            }
            continue;
        }
        const uint32_t *docs = pc->known;
        for (uint32_t j = pc->bi * LX_BLOCK + pc->i; j < pc->df; j++) {
            uint32_t d = docs[j];
            if (in[d >> 6] >> (d & 63) & 1)
                acc[d] += bonus + w * sat[j];
        }
    }
    return taat_offer(sc, in, allow, k, out, NULL);
}
