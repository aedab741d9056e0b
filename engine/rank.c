/* rank.c -- BM25F and MaxScore.
 *
 * BM25F (Robertson & Zaragoza 2009): per field f a length-normalised
 * frequency tf_f / (1 - b_f + b_f len_f / avg_f), weighted and summed
 * over fields before one saturation: score = idf * tf~ (k1+1) / (k1+tf~).
 * The per-document factor weight_f / (1 - b_f + ...) is precomputed once
 * per snapshot (lx_scorer.invb), so scoring a posting is five multiplies.
 *
 * Block-max MaxScore (Turtle & Flood 1995; Ding & Suel 2011; Lucene's
 * block-max MaxScore): the docid space is cut into windows that end where
 * the first of the cursors' current blocks ends, so within a window each
 * cursor has one block bound.  A window whose bounds sum to no more than
 * the current k-th score is skipped without decoding anything.  Otherwise
 * cursors are sorted by window bound and the longest prefix whose bounds
 * sum to no more than the k-th score is "non-essential": a document found
 * only there cannot enter the top k, so only the essential cursors drive
 * the iteration, and the others are probed only while the candidate can
 * still make it.  A candidate enters only with a score strictly above the
 * k-th, and scores are summed in one fixed order whatever the pruning, so
 * pruned and exhaustive runs return the same documents and scores.
 *
 * On a small index (at most LX_TAAT_MAX_DOCS docids) whose match set has
 * walked every list of the query, a union or an intersection is scored
 * list by list instead (taat.c), to the same top k and scores.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"
#include "stem.h"
#include "taat.h"

#define SAFETY LX_BOUND_SAFETY

double lx_bound_tf(const lx_scorer *sc, const lx_bound *b) {
    double t = 0;
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (!b->maxtf[f])
            continue;
        t += b->maxtf[f] * sc->fw[f] / lx_bm25f_norm(sc->fb[f], (double)b->minlen[f], sc->avg[f]);
    }
    return t;
}

/* The staircase bound of the pseudo-frequency. */
static double pbound_tf(const lx_scorer *sc, const lx_pbound *b) {
    double t = 0;
    for (int f = 0; f < LX_NFIELDS; f++) {
        double best = 0;
        for (int k = 0; k < LX_BOUND_PAIRS; k++) {
            if (!b->tf[f][k])
                continue;
            double v = b->tf[f][k] / lx_bm25f_norm(sc->fb[f], (double)b->len[f][k], sc->avg[f]);
            if (v > best)
                best = v;
        }
        t += best * sc->fw[f];
    }
    return t;
}

/* A lecture has one language, and a cursor whose lx_qcur.langs names
 * some matches only lectures in them (a translation, a word of few
 * languages).  A lecture in language l scores at most the sum, over the
 * cursors that may match in l, of their bounds there (a group's: its
 * bonus and the bounds of its live members of l or of every language),
 * and is no match of an intersection when one of its required cursors
 * cur[0..nreq) cannot match in l.  When the sum cannot beat theta (the
 * heap full) or l is no match, no lecture in l can enter the top k, and
 * a cursor or group member all of whose languages are such is ended: the
 * walk no longer steps through its lectures (a word's translation into
 * English, when the top k is in the query's language).  A group left
 * standing on a doc of an ended member alone scores it at most that
 * bound, so the doc does not enter either.  Returns whether one was
 * ended. */
static int lang_prune(lx_qcur *cur, int nreq, int n, double theta) {
    uint32_t seen = 0, need = ~0u, dead = 0;
    for (int c = 0; c < n; c++) {
        const lx_qcur *x = &cur[c];
        if (x->kind != LX_QK_OR)
            seen |= x->doc != LX_DOC_END ? x->langs : 0;
        for (int j = 0; x->kind == LX_QK_OR && j < x->nsub; j++)
            seen |= x->sub[j].doc != LX_DOC_END ? x->sub[j].langs : 0;
    }
    if (!seen)
        return 0;
    _Static_assert(LX_MAX_LANGS <= 32, "a language a bit of lx_qcur.langs");
    double bound[LX_MAX_LANGS] = {0};
    for (int c = 0; c < n; c++) {
        const lx_qcur *x = &cur[c];
        double all = 0, lb[LX_MAX_LANGS];
        uint32_t cov = 0;
        for (uint32_t m = seen; m; m &= m - 1)
            lb[__builtin_ctz(m)] = 0;
        const lx_qcur *mem = x->kind == LX_QK_OR ? x->sub : x;
        int nmem = x->kind == LX_QK_OR ? x->nsub : 1;
        if (x->kind == LX_QK_OR)
            all = x->bonus * SAFETY;
        for (int j = 0; j < nmem; j++) {
            const lx_qcur *y = &mem[j];
            if (y->doc == LX_DOC_END)
                continue;
            if (!y->langs) {
                all += y->ub;
                cov = ~0u;
            }
            cov |= y->langs;
            for (uint32_t m = y->langs & seen; m; m &= m - 1)
                lb[__builtin_ctz(m)] += y->ub;
        }
        if (c < nreq)
            need &= cov;
        for (uint32_t m = seen & cov; m; m &= m - 1)
            bound[__builtin_ctz(m)] += all + lb[__builtin_ctz(m)];
    }
    for (uint32_t m = seen; m; m &= m - 1) {
        int l = __builtin_ctz(m);
        if (!(need >> l & 1) || bound[l] <= theta)
            dead |= 1u << l;
    }
    int ended = 0;
    for (int c = 0; c < n && dead; c++) {
        lx_qcur *x = &cur[c];
        lx_qcur *mem = x->kind == LX_QK_OR ? x->sub : x;
        int nmem = x->kind == LX_QK_OR ? x->nsub : 1, live = 0;
        for (int j = 0; j < nmem; j++) {
            lx_qcur *y = &mem[j];
            if (y->doc != LX_DOC_END && y->langs && !(y->langs & ~dead))
                y->doc = LX_DOC_END;
            if (x->kind != LX_QK_OR || y->doc == LX_DOC_END)
                continue;
            /* A group's live members first, in plan order (the order its
             * score sums them): its steps and scores visit only those. */
            if (j != live) {
                lx_qcur t = mem[live];
                mem[live] = *y;
                *y = t;
            }
            live++;
        }
        if (live < nmem || (x->kind != LX_QK_OR && x->doc == LX_DOC_END))
            ended = 1;
        if (x->kind == LX_QK_OR)
            x->nsub = live;
    }
    return ended;
}

/* Queries of up to this many clauses find their words' languages
 * (plan.c); lx_topk prunes languages only for them: a query of many
 * words (its words' languages not found, its translations rarely all
 * below theta) would sum its 40 cursors at every new theta. */
#define LANG_PRUNE_CLAUSES 4

/* Whether a cursor of cur[0..n) or a group's member matches in some
 * languages only (lx_topk's lang_prune has something to end). */
static int any_langs(const lx_qcur *cur, int n) {
    for (int i = 0; i < n; i++) {
        if (cur[i].langs)
            return 1;
        for (int j = 0; cur[i].kind == LX_QK_OR && j < cur[i].nsub; j++)
            if (cur[i].sub[j].langs)
                return 1;
    }
    return 0;
}

/* ---- top k ----------------------------------------------------------------- */

int lx_scored_cmp(const void *a, const void *b) {
    const lx_scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* By insertion when short (a page of results: no call per comparison),
 * else by qsort; the order is total (docids differ), so both give the
 * same. */
void lx_scored_sort(lx_scored *a, uint32_t n) {
    if (n > 32) {
        qsort(a, n, sizeof *a, lx_scored_cmp);
        return;
    }
    for (uint32_t i = 1; i < n; i++) {
        lx_scored x = a[i];
        uint32_t j = i;
        while (j > 0 && lx_scored_cmp(&x, &a[j - 1]) < 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static int allowed(const uint64_t *allow, uint32_t d) {
    return !allow || (allow[d >> 6] >> (d & 63) & 1);
}

/* The bound of cursor c over docs >= d in the block that holds them, and
 * that block's last doc (LX_DOC_END when unlimited). */
static double window_bound(lx_qcur *c, const lx_scorer *sc, uint32_t d, uint32_t *last) {
    if (c->doc == LX_DOC_END) {
        *last = LX_DOC_END;
        return 0;
    }
    /* Docs only move forward: the block found for an earlier d still
     * holds every doc up to its last. */
    if (c->bb_valid && d <= c->bb_last) {
        *last = c->bb_last;
        return c->bb_ub;
    }
    if (c->kind == LX_QK_OR) {
        /* The bonus and the members' bounds, up to where the first of
         * their blocks ends.  A member standing past that end has no doc
         * in the window and adds nothing: every target it was moved to
         * is at most d, so it has no doc from d up to where it stands (a
         * translation's sparse list mostly stands far ahead). */
        double ub = c->bonus * SAFETY;
        uint32_t upto = LX_DOC_END;
        int ahead = 0;
        for (int j = 0; j < c->nsub; j++) {
            uint32_t l;
            if (c->sub[j].doc > d) {
                ahead = 1;
                continue;
            }
            ub += window_bound(&c->sub[j], sc, d, &l);
            if (l < upto)
                upto = l;
        }
        for (int j = 0; ahead && j < c->nsub; j++) {
            uint32_t l;
            if (c->sub[j].doc <= d || c->sub[j].doc > upto)
                continue;
            ub += window_bound(&c->sub[j], sc, d, &l);
            if (l < upto)
                upto = l;
        }
        *last = upto;
        if (upto == LX_DOC_END) /* no member has blocks: the list bound */
            return c->ub;
        c->bb_valid = 1;
        c->bb_last = upto;
        c->bb_ub = ub < c->ub ? ub : c->ub;
        return c->bb_ub;
    }
    if (c->kind != LX_QK_TERM && c->kind != LX_QK_LTERM) {
        *last = LX_DOC_END;
        return c->ub;
    }
    /* An LTERM's docs are some of its list's: the list's block bound
     * holds for them.  With kept saturations, the block's largest: no
     * part in it is above bonus + w * that (w >= 0; the rounding of the
     * product and the sum keeps their order). */
    double ub;
    const double *bmax = lx_pcursor_bmaxs(c->pc, sc);
    if (bmax && c->w >= 0) {
        uint32_t blk = lx_pcursor_block_at(c->pc, d, last);
        if (*last == LX_DOC_END)
            return 0;
        ub = (c->bonus + c->w * bmax[blk]) * SAFETY;
    } else {
        lx_pbound b;
        lx_pcursor_block_pbound(c->pc, d, &b, last);
        if (*last == LX_DOC_END)
            return 0;
        ub = (c->bonus + lx_bm25f_term(c->w, sc->k1, pbound_tf(sc, &b))) * SAFETY;
    }
    c->bb_valid = 1;
    c->bb_last = *last;
    c->bb_ub = ub < c->ub ? ub : c->ub;
    return c->bb_ub;
}

/* A DOCS cursor (a tag boost) has no blocks, so window_bound gives its
 * whole-list bound; once the window [from, upto] is known, it is 0 when
 * the cursor has no doc in it.  Moving the cursor to `from` is safe: every
 * doc before it is decided. */
static double docs_window_bound(lx_qcur *c, double wb, uint32_t from, uint32_t upto) {
    if (c->kind != LX_QK_DOCS)
        return wb;
    lx_qcur_seek(c, from);
    return c->doc <= upto ? wb : 0;
}

/* One lx_topk run: the cursors, the heap, and the current window. */
typedef struct topk {
    lx_qcur *cur;
    int n;
    const lx_scorer *sc;
    int exhaustive;
    uint32_t k, nh; /* heap capacity and entries in out */
    lx_scored *out;
    double theta;  /* the k-th score once the heap is full (-1: none yet) */
    int e;         /* ord[0..e) are non-essential in this window */
    uint32_t next; /* every doc below it is decided */
    uint32_t wend; /* the window's last doc */
    lx_work *work;
    lx_qcur *ord[LX_MAX_CURSORS];
    double wub[LX_MAX_CURSORS];  /* window bound per cursor (index into cur) */
    double okey[LX_MAX_CURSORS]; /* postings per unit of bound, the order key */
    double okb[LX_MAX_CURSORS];  /* the bound okey was computed for (NAN: none) */
    double df[LX_MAX_CURSORS];   /* lx_qcur_df, fixed for a cursor */
    int oi[LX_MAX_CURSORS];      /* ord as indexes into cur */
    lx_qcur *on[LX_MAX_CURSORS]; /* the essential cursors on the candidate, non */
    int non;
    int docs[LX_MAX_CURSORS]; /* the DOCS cursors (docs_window_bound), ndocs */
    int ndocs;
    double prefix[LX_MAX_CURSORS + 1];
    double contrib[LX_MAX_CURSORS]; /* each cursor's part of doc owner[] */
    uint32_t owner[LX_MAX_CURSORS]; /* (not the candidate's: no part in it) */
    /* Per TERM cursor, the pseudo-frequency a doc that only it has among
     * the essential cursors needs to beat theta (tf_floor) while theta and
     * the non-essentials' bounds are floor_theta and floor_rest. */
    double floor_tf[LX_MAX_CURSORS], floor_theta[LX_MAX_CURSORS], floor_rest[LX_MAX_CURSORS];
    double floor_sat[LX_MAX_CURSORS];      /* floor_tf as a saturation (lx_sat_below) */
    double coordf[LX_MAX_QUERY_TERMS + 1]; /* the coord factor per clauses matched */
    int coord_on;                          /* else every factor is 1: not applied */
    int by_lang;                           /* a cursor matches in some languages only */
} topk;

static void topk_init(topk *t, lx_qcur *cur, int n, const lx_scorer *sc, uint32_t k, double coord,
                      int nclauses, int exhaustive, lx_scored *out, lx_work *work) {
    t->cur = cur;
    t->work = work;
    t->n = n;
    t->sc = sc;
    t->exhaustive = exhaustive;
    t->k = k;
    t->nh = 0;
    t->out = out;
    t->theta = -1.0; /* no document scores below 0 */
    t->e = 0;
    t->next = 0;
    t->wend = 0;
    t->coord_on = coord > 0 && nclauses > 0;
    for (int m = 0; m <= LX_MAX_QUERY_TERMS; m++)
        t->coordf[m] =
            (coord > 0 && nclauses > 0 && m <= nclauses) ? pow((double)m / nclauses, coord) : 1.0;
    t->ndocs = 0;
    t->by_lang = nclauses <= LANG_PRUNE_CLAUSES && any_langs(cur, n);
    for (int i = 0; i < n; i++) {
        t->ord[i] = &cur[i];
        t->oi[i] = i;
        t->wub[i] = cur[i].ub;
        t->okb[i] = NAN;
        t->df[i] = (double)lx_qcur_df(&cur[i]);
        if (cur[i].kind == LX_QK_DOCS)
            t->docs[t->ndocs++] = i;
        t->owner[i] = LX_DOC_END; /* no candidate is */
        t->floor_theta[i] = NAN;  /* no floor yet */
    }
}

/* Each cursor's block bound from t->next into t->wub, the window ending
 * where the first of those blocks ends (*upto); returns the sum of the
 * bounds, or -1 when every cursor is done. */
static inline double window_bounds(topk *t, uint32_t *upto) {
    lx_qcur *cur = t->cur;
    double total = 0;
    int live = 0;
    *upto = LX_DOC_END - 1;
    for (int i = 0; i < t->n; i++) {
        uint32_t last;
        if (t->exhaustive) {
            t->wub[i] = cur[i].ub;
            last = cur[i].doc == LX_DOC_END ? LX_DOC_END : LX_DOC_END - 1;
        } else if (cur[i].doc != LX_DOC_END && cur[i].bb_valid && t->next <= cur[i].bb_last) {
            /* window_bound's cached bound, without the call (most cursors'
             * blocks go on past the window that just ended) */
            t->wub[i] = cur[i].bb_ub;
            last = cur[i].bb_last;
        } else {
            t->wub[i] = window_bound(&cur[i], t->sc, t->next, &last);
        }
        if (last != LX_DOC_END) {
            live = 1;
            if (last < *upto)
                *upto = last;
        } else if (cur[i].doc != LX_DOC_END) {
            live = 1;
        }
        total += t->wub[i];
    }
    if (!live)
        return -1;
    if (!t->exhaustive)
        for (int q = 0; q < t->ndocs; q++) {
            int i = t->docs[q];
            double b = docs_window_bound(&cur[i], t->wub[i], t->next, *upto);
            total -= t->wub[i] - b;
            t->wub[i] = b;
        }
    return total;
}

/* The longest prefix of ord whose bounds together cannot beat theta is
 * non-essential: its lists are only probed.  Any order is exact; this one
 * puts first the lists that are long for their bound (most postings
 * skipped per unit of theta used): a common word before a rare one, as
 * ordering by bound would, but also a topic word's long list before its
 * tag's short one, whose bound is smaller. */
static inline void window_order(topk *t) {
    lx_qcur *cur = t->cur, **ord = t->ord;
    int n = t->n;
    for (int i = 0; i < n; i++) {
        /* A cursor's key changes with its bound only: most keep theirs
         * from one window to the next. */
        if (t->wub[i] == t->okb[i])
            continue;
        double b = t->wub[i] > 0 ? t->wub[i] : 1e-300;
        t->okey[i] = t->df[i] / b;
        t->okb[i] = t->wub[i];
    }
    int *oi = t->oi;
    for (int i = 1; i < n; i++) {
        int x = oi[i];
        double kx = t->okey[x];
        int j = i;
        while (j > 0 && t->okey[oi[j - 1]] < kx) {
            oi[j] = oi[j - 1];
            j--;
        }
        oi[j] = x;
    }
    t->prefix[0] = 0;
    for (int i = 0; i < n; i++) {
        ord[i] = &cur[oi[i]];
        t->prefix[i + 1] = t->prefix[i] + t->wub[oi[i]];
    }
    t->e = 0;
    if (!t->exhaustive && t->nh == t->k)
        while (t->e < n && t->prefix[t->e + 1] <= t->theta)
            t->e++;
}

/* Opens the window that starts at t->next: returns 1 when it may hold a
 * winner, 0 when nothing in it can enter the top k (skip to t->wend + 1),
 * -1 when every cursor is done. */
static inline int window_open(topk *t) {
    uint32_t upto;
    double total = window_bounds(t, &upto);
    if (total < 0)
        return -1;
    t->wend = upto;
    if (!t->exhaustive && t->nh == t->k && total <= t->theta)
        return 0;
    window_order(t);
    return 1;
}

/* The next candidate: the first essential doc from t->next.  A phrase
 * stands where its words meet, unchecked: its positions are read only
 * for a candidate that may still enter with it (candidate_score); a
 * translation's phrase ("de l'état") meets in many lectures where the
 * query's other words are not. */
static inline uint32_t next_candidate(topk *t) {
    uint32_t d = LX_DOC_END;
    int non = 0;
    for (int i = t->e; i < t->n; i++) {
        lx_qcur *c = t->ord[i];
        if (c->doc < t->next) {
            if (c->kind == LX_QK_PHRASE && !t->exhaustive)
                lx_qcur_phrase_seek(c, t->next, t->next);
            else
                lx_qcur_seek(c, t->next);
        }
        if (c->doc < d) {
            d = c->doc;
            non = 0;
        }
        if (c->doc == d)
            t->on[non++] = c;
    }
    t->non = non;
    return d;
}

/* The pseudo-frequency below which TERM cursor c's part (its bonus and
 * its BM25F term) stays under r: 0 when no part does, HUGE_VAL when
 * every part does.  A hair low, so rounding never drops a doc the exact
 * check would keep. */
static double weak_tf(const lx_qcur *c, const lx_scorer *sc, double r) {
    if (!(c->w > 0))
        return 0;
    double x = (r - c->bonus) / c->w;
    if (!(x > 0))
        return 0;
    if (x >= 1)
        return HUGE_VAL;
    return sc->k1 * x / (1 - x) * (1 - 1e-9);
}

/* weak_tf for a doc that only c has among the essential cursors, the
 * non-essentials' bounds rest added: below it the doc cannot enter
 * (coord factors are at most 1).  r is lowered by 1e-9 of the values,
 * far above the rounding of theta - rest, which the exact check does
 * not make. */
static double tf_floor(const lx_qcur *c, const lx_scorer *sc, double theta, double rest) {
    double eps = 1e-9 * (fabs(theta) + fabs(rest) + fabs(c->bonus));
    return weak_tf(c, sc, theta - rest - eps);
}

/* tf_floor of TERM cursor c for a doc no other essential cursor has, in
 * the current window with the current theta (the heap full), kept
 * until either changes. */
static inline double topk_floor(topk *t, lx_qcur *c) {
    int i = (int)(c - t->cur);
    double rest = t->prefix[t->e];
    if (t->floor_theta[i] != t->theta || t->floor_rest[i] != rest) {
        t->floor_tf[i] = tf_floor(c, t->sc, t->theta, rest);
        t->floor_sat[i] = lx_sat_below(t->sc->k1, t->floor_tf[i] > 0 ? t->floor_tf[i] : 0);
        t->floor_theta[i] = t->theta;
        t->floor_rest[i] = rest;
    }
    return t->floor_tf[i];
}

/* topk_floor as a saturation, for a cursor with kept ones. */
static inline double topk_floor_sat(topk *t, lx_qcur *c) {
    topk_floor(t, c);
    return t->floor_sat[c - t->cur];
}

/* With one essential cursor, a TERM one, and the heap full: its postings
 * below topk_floor walked past in one call (as lx_topk_and's driver's),
 * each charged as the candidate it would have been (n units: none of
 * them could enter, so a cut anywhere among them leaves the same top k).
 * The walk stops before the window's last doc, which the candidate loop
 * takes as before: a window whose last candidate is its last doc opens
 * the next without another step, so the work counted stays the same.
 * Returns 1 when the budget is cut. */
static inline int walk_weak(topk *t, uint32_t n) {
    lx_qcur *c = t->ord[t->e];
    if (t->e != t->n - 1 || t->nh != t->k || t->exhaustive || c->kind != LX_QK_TERM)
        return 0;
    lx_qcur_seek(c, t->next);
    if (c->doc >= t->wend)
        return 0;
    double f = topk_floor(t, c);
    if (!(f > 0))
        return 0;
    uint32_t walked = lx_pcursor_sats(c->pc, t->sc)
                          ? lx_pcursor_skip_weak_sat(c->pc, topk_floor_sat(t, c), t->wend - 1)
                          : lx_pcursor_skip_weak(c->pc, t->sc->invb, f, t->wend - 1);
    c->doc = c->pc->doc;
    return walked && lx_work_spend(t->work, (uint64_t)walked * n);
}

/* Adds cursor c's part v of doc d's score to *s, t->contrib and *matched. */
static inline void score_part(topk *t, lx_qcur *c, double v, uint32_t d, double *s,
                              uint64_t *matched) {
    t->contrib[c - t->cur] = v;
    t->owner[c - t->cur] = d;
    *s += v;
    if (c->clause >= 0)
        *matched |= 1ull << c->clause;
}

/* Scores candidate d: the essential cursors on it, then the others by
 * probing, as long as d can still beat theta; a phrase left unchecked
 * on d last, its positions read only when d can beat theta with it.
 * Returns 0 when d cannot enter the top k (or no cursor matches it),
 * else 1 with its exact score in *score. */
static inline int candidate_score(topk *t, uint32_t d, double *score) {
    double s = 0;
    uint64_t matched = 0;
    int n = t->n, non = t->non, parts = 0;
    int full = !t->exhaustive && t->nh == t->k;
    lx_qcur **on = t->on; /* next_candidate's, in ord's order */
    lx_qcur *pend[LX_MAX_CURSORS];
    int npend = 0;
    double pb = 0; /* the unchecked phrases' bounds */
    if (non == 1 && on[0]->kind == LX_QK_TERM && full) {
        /* One essential word: its pseudo-frequency tells most docs that
         * cannot enter without BM25's division. */
        lx_qcur *c = on[0];
        const double *sats = lx_pcursor_sats(c->pc, t->sc);
        if (sats) {
            /* Its kept saturation: a read, compared in its own terms. */
            double sat = sats[(size_t)c->pc->bi * LX_BLOCK + c->pc->i];
            if (sat < topk_floor_sat(t, c))
                return 0;
            score_part(t, c, c->bonus + c->w * sat, d, &s, &matched);
        } else {
            double tf = lx_pcursor_bm25f_tf(t->sc, c->pc);
            if (tf < topk_floor(t, c))
                return 0;
            score_part(t, c, c->bonus + lx_bm25f_term(c->w, t->sc->k1, tf), d, &s, &matched);
        }
        parts = 1;
    } else {
        for (int j = 0; j < non; j++) {
            if (on[j]->kind == LX_QK_PHRASE && on[j]->unchecked) {
                pend[npend++] = on[j];
                pb += t->wub[on[j] - t->cur];
                continue;
            }
            score_part(t, on[j], lx_qcur_part(on[j], t->sc), d, &s, &matched);
            parts++;
        }
    }
    for (int i = t->e - 1; i >= 0; i--) {
        if (full && s + pb + t->prefix[i + 1] <= t->theta)
            return 0;
        lx_qcur *c = t->ord[i];
        if (c->kind == LX_QK_PHRASE && !t->exhaustive) {
            /* d's positions only: a phrase probed is not walked ahead */
            if (c->doc < d || (c->unchecked && c->doc == d))
                lx_qcur_phrase_seek(c, d, d + 1);
        } else if (c->doc < d) {
            lx_qcur_seek(c, d);
        }
        if (c->doc == d) {
            score_part(t, c, lx_qcur_part(c, t->sc), d, &s, &matched);
            parts++;
        }
    }
    for (int j = 0; j < npend; j++) {
        if (full && s + pb <= t->theta)
            return 0; /* left unchecked: the next candidate moves it on */
        lx_qcur *c = pend[j];
        pb -= t->wub[c - t->cur];
        lx_qcur_phrase_seek(c, d, d + 1);
        if (c->doc == d) {
            score_part(t, c, lx_qcur_part(c, t->sc), d, &s, &matched);
            parts++;
        }
    }
    if (!parts)
        return 0;
    /* The exact score, summed in cursor order whatever was pruned; a part
     * of an earlier candidate counts 0 (docids only grow: no zeroing of
     * the parts for each candidate). */
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += t->owner[i] == d ? t->contrib[i] : 0;
    /* x * 1.0 is x: without coord the count of clauses is not needed (a
     * library call in the portable build). */
    *score = t->coord_on ? sum * t->coordf[__builtin_popcountll(matched)] : sum;
    return 1;
}

/* Offers doc d with its score to the heap; once full, theta is its k-th
 * score and the essential set shrinks with it. */
static inline void topk_offer(topk *t, uint32_t d, double score) {
    if (t->nh < t->k || score > t->theta) {
        lx_scored en = {score, d};
        lx_topk_push(t->out, &t->nh, t->k, en);
        if (t->nh == t->k) {
            t->theta = t->out[0].score;
            if (!t->exhaustive) {
                while (t->e < t->n && t->prefix[t->e + 1] <= t->theta)
                    t->e++;
                if (t->by_lang)
                    lang_prune(t->cur, 0, t->n, t->theta);
            }
        }
    }
}

uint32_t lx_topk(lx_qcur *cur, int n, const lx_scorer *sc, const uint64_t *allow, uint32_t k,
                 double coord, int nclauses, int exhaustive, lx_scored *out, uint64_t *evaluated,
                 lx_work *work) {
    uint64_t evals = 0;
    lx_work none;
    if (!work)
        lx_work_init(work = &none, UINT64_MAX);
    if (n > LX_MAX_CURSORS)
        n = LX_MAX_CURSORS;
    if (n <= 0 || k == 0) {
        if (evaluated)
            *evaluated = 0;
        return 0;
    }
    uint64_t units;
    if (!exhaustive && !(coord > 0 && nclauses > 0) && lx_taat_fits(cur, n, sc, work, &units)) {
        lx_work_spend(work, units);
        return lx_taat_topk(cur, n, sc, allow, k, out, evaluated);
    }
    topk t;
    topk_init(&t, cur, n, sc, k, coord, nclauses, exhaustive, out, work);
    int have_window = 0;
    while (t.next != LX_DOC_END) {
        if (!have_window || t.next > t.wend) {
            if (lx_work_spend(work, (unsigned)n))
                break;
            int w = window_open(&t);
            if (w < 0)
                break;
            have_window = 1;
            if (w == 0) {
                t.next = t.wend + 1;
                continue;
            }
        }
        if (walk_weak(&t, (uint32_t)n))
            break;
        uint32_t d = next_candidate(&t);
        /* A cut here or in a phrase cursor leaves d undecided: stop
         * before it, with the exact top k of the docs before it. */
        if (lx_work_spend(work, (unsigned)n))
            break;
        if (d == LX_DOC_END) {
            /* Essentials are done; the rest may still matter later. */
            if (t.e == 0)
                break;
            t.next = t.wend + 1;
            continue;
        }
        if (d > t.wend) {
            t.next = t.wend + 1; /* the next window decides the docs between */
            continue;
        }
        t.next = d + 1;
        double score;
        if (!allowed(allow, d) || !candidate_score(&t, d, &score))
            continue;
        if (work->cut) /* a phrase cursor probed for d was cut */
            break;
        evals++;
        topk_offer(&t, d, score);
    }
    lx_scored_sort(out, t.nh);
    if (evaluated)
        *evaluated = evals;
    return t.nh;
}

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
        wb[c] = window_bound(&cur[c], sc, d, &l);
        if (c < nreq && l < *upto)
            *upto = l;
        if (l < *last)
            *last = l;
    }
    /* A skip goes to upto + 1 (optional cursors are tag boosts, without
     * blocks): their bounds must hold to there. */
    *rest = 0;
    for (int c = 0; c < n; c++) {
        wb[c] = docs_window_bound(&cur[c], wb[c], d, *upto);
        ub += wb[c];
        if (c != drv)
            *rest += wb[c];
    }
    for (int c = n - 1; c >= 0; c--)
        suf[c] = c == n - 1 ? 0 : suf[c + 1] + (c + 1 == drv ? 0 : wb[c + 1]);
    return ub;
}

/* A group member's bound at d: its block bound where window_bound left
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
    double b = c->bonus * SAFETY;
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
        double b = c->bonus * SAFETY;
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
 * when a cursor may be ended by its language (lang_prune: its bitmap
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

/* The driver's postings too weak to carry a doc (weak_tf) while theta
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
        w->tf = weak_tf(dc, sc, need);
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
    double theta = -1.0, ub = 0, rest = 0;
    drv_weak dw = {0, 0, -1.0, 0, dc->kind == LX_QK_TERM && lx_pcursor_sats(dc->pc, sc)};
    double wb[LX_MAX_CURSORS], suf[LX_MAX_CURSORS]; /* window bound per cursor, of those after */
    ahead_gate ag = {0, 0, 0};
    int grouped = 0; /* a required cursor is a group: bounds per doc pay */
    int lazy = 0;    /* one has phrases: they are checked where the others meet */
    /* a required cursor matches in some languages only (lang_prune) */
    int by_lang = any_langs(cur, nreq);
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
    uint32_t d = dc->doc, upto = 0, win_last = 0;
    int win_valid = 0;
    int first = dc->kind == LX_QK_TERM;
    /* A cut (of this step or of a phrase cursor) stops before d. */
    while (d != LX_DOC_END && !lx_work_spend(work, (unsigned)n)) {
        double v0 = 0;
        int have_v0 = 0;
        /* d's length factors, read when it is scored: fetched while the
         * bounds are checked and the other lists move to d. */
        __builtin_prefetch(sc->invb + (size_t)d * LX_NFIELDS);
        if (nh == k) {
            /* Block bounds: can anything up to the end of the blocks at d
             * beat the k-th?  If not, jump past them.  The window's bound
             * holds for every doc up to its end (theta only grows). */
            if (!win_valid || d > win_last) {
                ub = and_window(cur, nreq, n, sc, d, drv, wb, suf, &rest, &upto, &win_last);
                for (int c = 0; c < nreq; c++) /* the members' block bounds may be new */
                    cur[c].ab_valid = 0;
                win_valid = 1;
                dw.valid = 0;
            }
            if (ub <= theta) {
                if (upto == LX_DOC_END - 1)
                    break;
                lx_qcur_seek(dc, upto + 1);
                d = dc->doc;
                continue;
            }
            if (first && weak_walk(&dw, dc, sc, theta - rest, win_last, work) && dc->pc->doc != d) {
                /* Within the window the doc it stops on is strong
                 * enough: on with it (charged as a new step) without
                 * a second walk that would return at once. */
                d = dc->doc = dc->pc->doc;
                if (d > win_last || lx_work_spend(work, (unsigned)n))
                    continue;
            }
            if (first) {
                v0 = lx_qcur_part(dc, sc);
                have_v0 = 1;
                if (v0 + rest <= theta ||
                    (grouped && v0 + ahead_rest(cur, nreq, n, d, drv, wb) <= theta)) {
                    lx_qcur_next(dc);
                    d = dc->doc;
                    continue;
                }
            } else if (dc->kind == LX_QK_OR && ahead_try(&ag) &&
                       ahead_tell(&ag, doc_bound(dc, d, wb[drv]) +
                                               ahead_rest(cur, nreq, n, d, drv, wb) <=
                                           theta)) {
                /* A group driver: the bound of its members on d. */
                lx_qcur_next(dc);
                d = dc->doc;
                continue;
            }
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
            if (!allowed(allow, d) ||
                (nh == k && and_bound(cur, nreq, n, d, drv, wb, have_v0, v0) <= theta)) {
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
        if (allowed(allow, d) && and_score(cur, nreq, n, sc, d, nh == k, theta, wb, suf, grouped,
                                           drv, have_v0, &v0, &score)) {
            if (work->cut)
                break;
            if (nh < k || score > theta) {
                lx_scored en = {score, d};
                lx_topk_push(out, &nh, k, en);
                if (nh == k) {
                    theta = out[0].score;
                    /* Every cursor stands on d: an ended member leaves
                     * its group there, to move on from d. */
                    if (by_lang && lang_prune(cur, nreq, n, theta))
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
