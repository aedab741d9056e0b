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
 * list by list instead (taat.c), to the same top k and scores.  The
 * intersection of all-terms-first queries is rankand.c's.
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
int lx_lang_prune(lx_qcur *cur, int nreq, int n, double theta) {
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
 * languages only (lx_topk's lx_lang_prune has something to end). */
int lx_any_langs(const lx_qcur *cur, int n) {
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

/* The bound of cursor c over docs >= d in the block that holds them, and
 * that block's last doc (LX_DOC_END when unlimited). */
double lx_window_bound(lx_qcur *c, const lx_scorer *sc, uint32_t d, uint32_t *last) {
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
            ub += lx_window_bound(&c->sub[j], sc, d, &l);
            if (l < upto)
                upto = l;
        }
        for (int j = 0; ahead && j < c->nsub; j++) {
            uint32_t l;
            if (c->sub[j].doc <= d || c->sub[j].doc > upto)
                continue;
            ub += lx_window_bound(&c->sub[j], sc, d, &l);
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

/* A DOCS cursor (a tag boost) has no blocks, so lx_window_bound gives its
 * whole-list bound; once the window [from, upto] is known, it is 0 when
 * the cursor has no doc in it.  Moving the cursor to `from` is safe: every
 * doc before it is decided. */
double lx_docs_window_bound(lx_qcur *c, double wb, uint32_t from, uint32_t upto) {
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
    int docs[LX_MAX_CURSORS]; /* the DOCS cursors (lx_docs_window_bound), ndocs */
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
    t->by_lang = nclauses <= LANG_PRUNE_CLAUSES && lx_any_langs(cur, n);
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
            /* lx_window_bound's cached bound, without the call (most cursors'
             * blocks go on past the window that just ended) */
            t->wub[i] = cur[i].bb_ub;
            last = cur[i].bb_last;
        } else {
            t->wub[i] = lx_window_bound(&cur[i], t->sc, t->next, &last);
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
            double b = lx_docs_window_bound(&cur[i], t->wub[i], t->next, *upto);
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
double lx_weak_tf(const lx_qcur *c, const lx_scorer *sc, double r) {
    if (!(c->w > 0))
        return 0;
    double x = (r - c->bonus) / c->w;
    if (!(x > 0))
        return 0;
    if (x >= 1)
        return HUGE_VAL;
    return sc->k1 * x / (1 - x) * (1 - 1e-9);
}

/* lx_weak_tf for a doc that only c has among the essential cursors, the
 * non-essentials' bounds rest added: below it the doc cannot enter
 * (coord factors are at most 1).  r is lowered by 1e-9 of the values,
 * far above the rounding of theta - rest, which the exact check does
 * not make. */
static double tf_floor(const lx_qcur *c, const lx_scorer *sc, double theta, double rest) {
    double eps = 1e-9 * (fabs(theta) + fabs(rest) + fabs(c->bonus));
    return lx_weak_tf(c, sc, theta - rest - eps);
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
                    lx_lang_prune(t->cur, 0, t->n, t->theta);
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
        if (!lx_allowed(allow, d) || !candidate_score(&t, d, &score))
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
