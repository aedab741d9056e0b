/* rankand.c -- the k best lectures that have every word: a leapfrog
 * intersection from the rarest required cursor (lx_topk_and), for
 * all-terms-first queries.  Once the heap is full the driver's own part
 * decides first, against the others' block bounds, before the other lists
 * move (common words: most lectures have every word and BM25F saturates,
 * so block bounds alone skip little); groups (a word with its stems,
 * translations and completions) are bounded by their members on the doc.
 * Scores are summed in lx_topk's order, so an intersection that finds k
 * lectures answers exactly as the union would (rank.c).
 */
#include <math.h>
#include <string.h>

#include "rank.h"
#include "taat.h"

/* req[0..nreq) = the required cursors, rarest first (the leapfrog's
 * order). */
static void and_order(lx_qcur *cur, int nreq, lx_qcur **req) {
    for (int i = 0; i < nreq; i++) {
        req[i] = &cur[i];
        int j = i;
        while (j > 0 && lx_qcur_df(req[j - 1]) > lx_qcur_df(req[j])) {
            lx_qcur *t = req[j];
            req[j] = req[j - 1];
            req[j - 1] = t;
            j--;
        }
    }
}

/* The window at d: each cursor's block bound in wb, suf[c] the sum of
 * those after c but the driver's (cur[drv]: its part is known before the
 * others are scored), *rest the sum of all but the driver's; *upto is
 * where the required cursors' blocks end (a skip goes past it), *last
 * where every cursor's bound still holds.  Returns the sum of the
 * bounds. */
static inline double and_window(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, uint32_t d,
                                int drv, double *wb, double *suf, double *rest, uint32_t *upto,
                                uint32_t *last) {
    double ub = 0;
    *upto = *last = LX_DOC_END - 1;
    for (int c = 0; c < n; c++) {
        uint32_t l;
        wb[c] = lx_window_bound(&cur[c], sc, d, &l);
        if (c < nreq && l < *upto)
            *upto = l;
        if (l < *last)
            *last = l;
    }
    /* A skip goes to upto + 1 (optional cursors are tag boosts, without
     * blocks): their bounds must hold to there. */
    *rest = 0;
    for (int c = 0; c < n; c++) {
        wb[c] = lx_docs_window_bound(&cur[c], wb[c], d, *upto);
        ub += wb[c];
        if (c != drv)
            *rest += wb[c];
    }
    for (int c = n - 1; c >= 0; c--)
        suf[c] = c == n - 1 ? 0 : suf[c + 1] + (c + 1 == drv ? 0 : wb[c + 1]);
    return ub;
}

/* A group member's bound at d: its block bound where lx_window_bound left
 * one valid for d (*until lowered to the block's end: past it the bound
 * no longer holds), else its list bound. */
static inline double member_bound(const lx_qcur *x, uint32_t d, uint32_t *until) {
    if (x->kind != LX_QK_PHRASE && x->bb_valid && d <= x->bb_last) {
        if (x->bb_last < *until)
            *until = x->bb_last + 1;
        return x->bb_ub;
    }
    return x->ub;
}

/* An OR cursor's bonus and the bounds of its members standing on d; at
 * most wb, the cursor's window bound. */
static inline double members_bound(const lx_qcur *c, uint32_t d, double wb) {
    double b = c->bonus * LX_BOUND_SAFETY;
    uint32_t until = LX_DOC_END;
    for (int j = 0; j < c->nsub; j++)
        if (c->sub[j].doc == d)
            b += member_bound(&c->sub[j], d, &until);
    return b < wb ? b : wb;
}

/* The bound of cursor c's part of doc d, c standing on d, wb its window
 * bound there: for an OR cursor its members on d only (a member past d
 * adds nothing; its window bound sums them all, and a word's
 * translations rarely share a lecture with it). */
static inline double doc_bound(const lx_qcur *c, uint32_t d, double wb) {
    return c->kind == LX_QK_OR ? members_bound(c, d, wb) : wb;
}

/* The bound of an OR cursor's members standing at or before d (and its
 * bonus), the sum kept while it holds: no member comes to stand at or
 * before d (the members move only when the group's doc does; d grows)
 * and each block bound used still covers d. */
static inline double members_ahead(lx_qcur *c, uint32_t d, double wb) {
    if (!(c->ab_valid && c->ab_doc == c->doc && d >= c->ab_d && d < c->ab_until)) {
        double b = c->bonus * LX_BOUND_SAFETY;
        uint32_t until = LX_DOC_END;
        for (int j = 0; j < c->nsub; j++) {
            const lx_qcur *x = &c->sub[j];
            if (x->doc <= d)
                b += member_bound(x, d, &until);
            else if (x->doc < until)
                until = x->doc;
        }
        c->ab_valid = 1;
        c->ab_doc = c->doc;
        c->ab_d = d;
        c->ab_until = until;
        c->ab_b = b;
    }
    return c->ab_b < wb ? c->ab_b : wb;
}

/* A bound of required cursor c's part of doc d before c is moved to d,
 * wb its window bound there: every target c was moved to is at most d,
 * so c has no doc from there up to where it stands; for an OR cursor the
 * members standing at or before d (a translation's sparse list mostly
 * stands past it).  HUGE_VAL when c stands past d: d is not a match, and
 * the leapfrog's jump to c's doc skips further than a bound would. */
static inline double ahead_bound(lx_qcur *c, uint32_t d, double wb) {
    if (c->doc > d)
        return HUGE_VAL;
    return c->kind == LX_QK_OR ? members_ahead(c, d, wb) : wb;
}

/* The bounds of d's parts but the driver's, before the cursors move to
 * it: the required cursors' ahead_bound, the others' window bounds. */
static inline double ahead_rest(lx_qcur *cur, int nreq, int n, uint32_t d, int drv,
                                const double *wb) {
    double r = 0;
    for (int c = 0; c < n; c++)
        if (c != drv)
            r += c < nreq ? ahead_bound(&cur[c], d, wb[c]) : wb[c];
    return r;
}

/* Whether the driver-first check with ahead_rest is worth its cost: it
 * walks every member of every group, for each doc the driver stands on.
 * Of each AHEAD_PROBE checks, when fewer than half drop their doc,
 * the next AHEAD_REST docs go without (where the others' lists hold
 * strong docs often); the check only drops docs, so the answer is the
 * same either way. */
#define AHEAD_PROBE 64
#define AHEAD_REST 1024
typedef struct ahead_gate {
    uint32_t tries, drops, off;
} ahead_gate;

static inline int ahead_try(ahead_gate *g) {
    return g->off == 0 || --g->off == 0;
}

/* Counts a check's outcome (dropped: its doc cannot win); returns it. */
static inline int ahead_tell(ahead_gate *g, int dropped) {
    g->drops += (uint32_t)dropped;
    if (++g->tries == AHEAD_PROBE) {
        if (g->drops < AHEAD_PROBE / 2)
            g->off = AHEAD_REST;
        g->tries = g->drops = 0;
    }
    return dropped;
}

/* Scores d (on every required cursor) cursor by cursor, the driver's
 * part *v0 known already when have_v0; with a full heap (theta its k-th)
 * d is dropped as soon as what is scored plus the bounds of the rest
 * cannot beat theta (with groups among the required cursors, their
 * doc_bound and the others' window bounds wb; else the window's suffix
 * sums wsuf), before its other words are decoded: returns 0.  Else 1
 * with the score summed in lx_topk's order. */
static inline int and_score(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, uint32_t d,
                            int full, double theta, const double *wb, const double *wsuf,
                            int grouped, int drv, int have_v0, double *v0, double *score) {
    double contrib[LX_MAX_CURSORS], suf[LX_MAX_CURSORS];
    const double *sf = wsuf; /* without groups, doc_bound is the window bound */
    if (full && grouped) {
        sf = suf;
        /* suf[c]: the bounds of the cursors after c but the driver. */
        double r = 0, bd = have_v0 ? *v0 : 0;
        for (int c = n - 1; c >= 0; c--) {
            suf[c] = r;
            if (c == drv)
                bd = have_v0 ? *v0 : doc_bound(&cur[c], d, wb[c]);
            else
                r += c < nreq ? doc_bound(&cur[c], d, wb[c]) : wb[c];
        }
        if (bd + r <= theta)
            return 0;
    }
    if (!have_v0)
        *v0 = lx_qcur_part(&cur[drv], sc);
    double part = *v0;
    for (int c = 0; c < n; c++) {
        lx_qcur *x = &cur[c];
        if (c == drv) {
            contrib[c] = *v0;
            continue;
        }
        if (c >= nreq && x->doc < d)
            lx_qcur_seek(x, d);
        contrib[c] = x->doc == d ? lx_qcur_part(x, sc) : 0;
        part += contrib[c];
        if (full && part + sf[c] <= theta)
            return 0;
    }
    double sum = 0;
    for (int c = 0; c < n; c++)
        sum += contrib[c];
    *score = sum;
    return 1;
}

/* The required TERM cursors whose lists' bitmaps are kept (termbits.c),
 * for a miss told without moving them: their bitmaps in gb (the most
 * LX_MAX_CURSORS), the count returned; *limit their docids' bound.  None
 * when a cursor may be ended by its language (lx_lang_prune: its bitmap
 * would still hold its docs) or only one has a bitmap and it is the
 * driver's. */
static int gate_bits(lx_qcur *const *req, int nreq, int by_lang, const uint64_t **gb,
                     uint32_t *limit) {
    int ng = 0, others = 0;
    if (by_lang)
        return 0;
    for (int i = 0; i < nreq; i++) {
        const lx_qcur *c = req[i];
        if (c->kind != LX_QK_TERM || !c->pc->kept.bits)
            continue;
        gb[ng++] = c->pc->kept.bits;
        *limit = c->pc->limit;
        others += i > 0;
    }
    return others ? ng : 0;
}

/* Whether every bitmap of gb[0..ng) holds d. */
static inline int gate_has(const uint64_t *const *gb, int ng, uint32_t d) {
    for (int j = 0; j < ng; j++)
        if (!(gb[j][d >> 6] >> (d & 63) & 1))
            return 0;
    return 1;
}

/* The first doc from d on that every bitmap of gb[0..ng) holds, below
 * limit (LX_DOC_END: none): 64 docs a step. */
static uint32_t gate_next(const uint64_t *const *gb, int ng, uint32_t d, uint32_t limit) {
    if (d >= limit)
        return LX_DOC_END;
    size_t w = d >> 6, words = ((size_t)limit + 63) / 64;
    uint64_t x = ~0ull << (d & 63);
    for (;;) {
        for (int j = 0; j < ng; j++)
            x &= gb[j][w];
        if (x)
            return (uint32_t)(w * 64 + (size_t)__builtin_ctzll(x));
        if (++w >= words)
            return LX_DOC_END;
        x = ~0ull;
    }
}

/* Moves the required cursors but the driver (req[0]) to d.  Returns
 * nreq when each stands on d, else the first that does not: it stands
 * past d. */
static int and_meet(lx_qcur **req, int nreq, uint32_t d) {
    for (int i = 1; i < nreq; i++) {
        if (req[i]->doc < d)
            lx_qcur_seek(req[i], d);
        if (req[i]->doc != d)
            return i;
    }
    return nreq;
}

/* With every required cursor on d: nreq when each lazy group holds there
 * (its phrases checked now that every other cursor is on d: a lazy
 * group's doc may be only a phrase's words meeting), else the first that
 * does not: it stands past d. */
static int and_hold(lx_qcur **req, int nreq) {
    for (int i = 0; i < nreq; i++)
        if (!lx_qcur_holds(req[i]))
            return i;
    return nreq;
}

/* and_score's first bound of d's score, before any part is decoded: the
 * driver's part v0 when have_v0, the required cursors' doc_bound (a lazy
 * group's unchecked phrase counted as if it held), the others' window
 * bounds wb. */
static inline double and_bound(lx_qcur *cur, int nreq, int n, uint32_t d, int drv, const double *wb,
                               int have_v0, double v0) {
    double b = 0;
    for (int c = 0; c < n; c++)
        b += c == drv && have_v0 ? v0 : c < nreq ? doc_bound(&cur[c], d, wb[c]) : wb[c];
    return b;
}

/* The driver's postings too weak to carry a doc (lx_weak_tf) while theta
 * less the others' bound stays need, and that as a saturation for a
 * driver with kept ones (lx_sat_below): made again when need changes
 * or a window opens (valid 0). */
typedef struct drv_weak {
    double tf, sat, need;
    int valid;
    int kept; /* the driver scores from kept saturations */
} drv_weak;

/* Walks lx_topk_and's TERM driver dc past its postings too weak for need
 * up to win_last, a unit of work a doc walked (a cut stops before the
 * doc it stands on, every one before it decided); 0 when none can be. */
static int weak_walk(drv_weak *w, lx_qcur *dc, const lx_scorer *sc, double need, uint32_t win_last,
                     lx_work *work) {
    if (!w->valid || w->need != need) {
        w->tf = lx_weak_tf(dc, sc, need);
        if (w->kept)
            w->sat = lx_sat_below(sc->k1, w->tf > 0 ? w->tf : 0);
        w->need = need;
        w->valid = 1;
    }
    if (!(w->tf > 0))
        return 0;
    lx_work_spend(work, w->kept ? lx_pcursor_skip_weak_sat(dc->pc, w->sat, win_last)
                                : lx_pcursor_skip_weak(dc->pc, sc->invb, w->tf, win_last));
    return 1;
}

/* lx_topk_and's window at the driver's doc: each cursor's block bound
 * (wb), the bounds of those after it but the driver's (suf), their sum
 * (ub) and all but the driver's (rest); where the required cursors'
 * blocks end (upto: a skip goes past it) and where every bound holds
 * (last); valid 0 until one is made. */
typedef struct and_win {
    double wb[LX_MAX_CURSORS], suf[LX_MAX_CURSORS];
    double ub, rest;
    uint32_t upto, last;
    int valid;
} and_win;

/* With the heap full (theta its k-th), what the bounds say of the
 * driver's doc *d before the other lists move to it: block bounds first
 * (can anything up to the end of the blocks at d beat the k-th?  If not,
 * jump past them; the window's bound holds for every doc up to its end,
 * as theta only grows), then the driver's own part (first: a TERM
 * driver's, *v0 with *have_v0 set), or a group driver's members on d.
 * Returns 1 when the driver moved on (*d its new doc), -1 when no doc
 * after can enter, 0 when *d must be met. */
static inline __attribute__((always_inline)) int
and_prune(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, int drv, int first, int grouped,
          double theta, and_win *w, drv_weak *dw, ahead_gate *ag, lx_work *work, uint32_t *d,
          double *v0, int *have_v0) {
    lx_qcur *dc = &cur[drv];
    if (!w->valid || *d > w->last) {
        w->ub = and_window(cur, nreq, n, sc, *d, drv, w->wb, w->suf, &w->rest, &w->upto, &w->last);
        for (int c = 0; c < nreq; c++) /* the members' block bounds may be new */
            cur[c].ab_valid = 0;
        w->valid = 1;
        dw->valid = 0;
    }
    if (w->ub <= theta) {
        if (w->upto == LX_DOC_END - 1)
            return -1;
        lx_qcur_seek(dc, w->upto + 1);
        *d = dc->doc;
        return 1;
    }
    if (first && weak_walk(dw, dc, sc, theta - w->rest, w->last, work) && dc->pc->doc != *d) {
        /* Within the window the doc it stops on is strong enough: on
         * with it (charged as a new step) without a second walk that
         * would return at once. */
        *d = dc->doc = dc->pc->doc;
        if (*d > w->last || lx_work_spend(work, (unsigned)n))
            return 1;
    }
    if (first) {
        *v0 = lx_qcur_part(dc, sc);
        *have_v0 = 1;
        if (*v0 + w->rest <= theta ||
            (grouped && *v0 + ahead_rest(cur, nreq, n, *d, drv, w->wb) <= theta)) {
            lx_qcur_next(dc);
            *d = dc->doc;
            return 1;
        }
    } else if (dc->kind == LX_QK_OR && ahead_try(ag) &&
               ahead_tell(ag, doc_bound(dc, *d, w->wb[drv]) +
                                      ahead_rest(cur, nreq, n, *d, drv, w->wb) <=
                                  theta)) {
        /* A group driver: the bound of its members on d. */
        lx_qcur_next(dc);
        *d = dc->doc;
        return 1;
    }
    return 0;
}

uint32_t lx_topk_and(lx_qcur *cur, int nreq, int n, const lx_scorer *sc, const uint64_t *allow,
                     uint32_t k, lx_scored *out, lx_work *work) {
    uint32_t nh = 0;
    if (nreq <= 0 || k == 0 || n > LX_MAX_CURSORS)
        return 0;
    lx_work none;
    if (!work)
        lx_work_init(work = &none, UINT64_MAX);
    uint64_t units;
    if (lx_taat_and_fits(cur, n, sc, work, &units)) {
        lx_work_spend(work, units);
        return lx_taat_and(cur, nreq, n, sc, allow, k, out);
    }
    /* Leapfrog from the rarest required cursor, the driver.  Once the
     * heap is full, the driver's own part decides first: a doc whose
     * driver part plus the others' window bounds cannot beat the k-th is
     * dropped before the other lists move to it, so they decode only the
     * blocks where a doc survives (common words: most docs are in every
     * list, BM25F saturates, and block bounds alone skip little). */
    lx_qcur *req[LX_MAX_CURSORS];
    and_order(cur, nreq, req);
    lx_qcur *dc = req[0];
    int drv = (int)(dc - cur);
    double theta = -1.0;
    drv_weak dw = {0, 0, -1.0, 0, dc->kind == LX_QK_TERM && lx_pcursor_sats(dc->pc, sc)};
    and_win w;
    w.valid = 0;
    ahead_gate ag = {0, 0, 0};
    int grouped = 0; /* a required cursor is a group: bounds per doc pay */
    int lazy = 0;    /* one has phrases: they are checked where the others meet */
    /* a required cursor matches in some languages only (lx_lang_prune) */
    int by_lang = lx_any_langs(cur, nreq);
    for (int c = 0; c < nreq; c++) {
        grouped |= cur[c].kind == LX_QK_OR;
        for (int j = 0; cur[c].kind == LX_QK_OR && j < cur[c].nsub; j++)
            cur[c].lazy |= cur[c].sub[j].kind == LX_QK_PHRASE;
        lazy |= cur[c].lazy;
    }
    /* The lists whose bitmaps are kept tell a doc one of them lacks
     * before any cursor moves, and the next doc they all hold. */
    const uint64_t *gb[LX_MAX_CURSORS];
    uint32_t glimit = 0;
    int ng = gate_bits(req, nreq, by_lang, gb, &glimit);
    uint32_t d = dc->doc;
    int first = dc->kind == LX_QK_TERM;
    /* A cut (of this step or of a phrase cursor) stops before d. */
    while (d != LX_DOC_END && !lx_work_spend(work, (unsigned)n)) {
        double v0 = 0;
        int have_v0 = 0;
        /* d's length factors, read when it is scored: fetched while the
         * bounds are checked and the other lists move to d. */
        __builtin_prefetch(sc->invb + (size_t)d * LX_NFIELDS);
        if (nh == k) {
            int r = and_prune(cur, nreq, n, sc, drv, first, grouped, theta, &w, &dw, &ag, work, &d,
                              &v0, &have_v0);
            if (r < 0)
                break;
            if (r > 0)
                continue;
        }
        if (ng && !gate_has(gb, ng, d)) {
            /* A required list lacks d: on to the next doc all the kept
             * ones hold, the driver's next from there. */
            uint32_t g = gate_next(gb, ng, d + 1, glimit);
            if (g == LX_DOC_END)
                break;
            lx_qcur_seek(dc, g);
            d = dc->doc;
            continue;
        }
        int i = and_meet(req, nreq, d);
        if (i == nreq && lazy) {
            /* The bounds before the positions: a doc that is not permitted
             * or cannot beat the k-th is passed over, its phrases left
             * unchecked. */
            if (!lx_allowed(allow, d) ||
                (nh == k && and_bound(cur, nreq, n, d, drv, w.wb, have_v0, v0) <= theta)) {
                lx_qcur_next(dc);
                d = dc->doc;
                continue;
            }
            i = and_hold(req, nreq);
            if (work->cut)
                break;
        }
        if (i < nreq) {
            /* Someone is past d: restart from where it stands. */
            d = req[i]->doc;
            if (d == LX_DOC_END)
                break;
            if (req[i] != dc) {
                lx_qcur_seek(dc, d);
                d = dc->doc;
            }
            continue;
        }
        double score;
        if (lx_allowed(allow, d) && and_score(cur, nreq, n, sc, d, nh == k, theta, w.wb, w.suf,
                                              grouped, drv, have_v0, &v0, &score)) {
            if (work->cut)
                break;
            if (nh < k || score > theta) {
                lx_scored en = {score, d};
                lx_topk_push(out, &nh, k, en);
                if (nh == k) {
                    theta = out[0].score;
                    /* Every cursor stands on d: an ended member leaves
                     * its group there, to move on from d. */
                    if (by_lang && lx_lang_prune(cur, nreq, n, theta))
                        for (int c = 0; c < nreq; c++)
                            cur[c].ab_valid = cur[c].bb_valid = 0;
                }
            }
        }
        lx_qcur_next(dc);
        d = dc->doc;
    }
    for (int c = 0; c < nreq; c++)
        cur[c].lazy = 0;
    lx_scored_sort(out, nh);
    return nh;
}
