/* qcur.c -- the query's cursors (lx_qcur): a term's list, a phrase (its
 * words' lists, adjacency checked from positions), a tag's or filter's
 * docids, and a clause's cursors grouped as one (lx_qcur_group).  Each
 * stands on a doc, advances to a target, and scores the doc it is on;
 * rank.c's top-k loops drive them (their once-a-posting fast paths,
 * lx_qcur_seek and lx_qcur_part, are inline in rank.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rank.h"

/* ---- phrases -------------------------------------------------------------- */

static int contains(const uint32_t *a, uint32_t n, uint32_t v) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == v;
}

/* Whether the members (all on the same doc) are adjacent in some field.
 * Each member's first LX_MAX_PHRASE_POSITIONS positions in a field are
 * compared; an occurrence past them is not seen.  The last member's are
 * read only up to the first match.  The positions read are added to *read
 * (the work it did). */
static int phrase_match(lx_qcur *c, uint64_t *read) {
    static __thread uint32_t p0[LX_MAX_PHRASE_POSITIONS], pj[LX_MAX_PHRASE_POSITIONS];
    for (int f = 0; f < LX_NFIELDS; f++) {
        if (c->field >= 0 && f != c->field)
            continue;
        int ok = 1;
        for (int j = 0; j < c->nmem && ok; j++)
            ok = lx_pcursor_tf(c->mem[j])[f] != 0;
        if (!ok)
            continue;
        uint32_t n0 = lx_pcursor_positions(c->mem[0], f, p0, LX_MAX_PHRASE_POSITIONS);
        int last = c->nmem - 1;
        *read += n0;
        for (int j = 1; j < last && n0; j++) {
            uint32_t nj = lx_pcursor_positions(c->mem[j], f, pj, LX_MAX_PHRASE_POSITIONS);
            uint32_t m = 0;
            *read += nj;
            for (uint32_t a = 0; a < n0; a++)
                if (contains(pj, nj, p0[a] + (uint32_t)j))
                    p0[m++] = p0[a];
            n0 = m;
        }
        if (n0 && (last == 0 || lx_pcursor_positions_meet(c->mem[last], f, p0, n0, (uint32_t)last,
                                                          LX_MAX_PHRASE_POSITIONS, read)))
            return 1;
    }
    return 0;
}

/* ---- a language's lectures -------------------------------------------------- */

/* The first of c's language's lectures >= doc (LX_DOC_END: none), found
 * from c->li on (lx_docs_gallop: the targets ascend); c->li becomes its
 * place. */
static uint32_t ldoc_seek(lx_qcur *c, uint32_t doc) {
    c->li = (uint32_t)lx_docs_gallop(c->ldocs, c->nldocs, doc, c->li);
    return c->li < c->nldocs ? lx_docs_at(c->ldocs, c->li) : LX_DOC_END;
}

/* Moves an LTERM cursor to the first doc >= target that its list and its
 * language's lectures both hold: each skips to the other's doc in turn
 * (the list's blocks without a lecture of the language are not
 * decoded), or, when the list is the shorter, its docs in order, each
 * checked in the language's bitmap: the walk costs about the shorter of
 * the two. */
static void lterm_seek(lx_qcur *c, uint32_t target) {
    if (c->lbits) { /* the list is the shorter: its docs checked in the language's bitmap */
        lx_pcursor *pc = c->pc;
        lx_pcursor_seek(pc, target);
        while (pc->doc != LX_DOC_END && !(c->lbits[pc->doc / 64] >> (pc->doc % 64) & 1))
            lx_pcursor_next(pc);
        c->doc = pc->doc;
        return;
    }
    uint32_t d = target;
    for (;;) {
        if ((d = ldoc_seek(c, d)) == LX_DOC_END)
            break;
        lx_pcursor_seek(c->pc, d);
        if (c->pc->doc == d || c->pc->doc == LX_DOC_END)
            break;
        d = c->pc->doc;
    }
    c->doc = d == LX_DOC_END ? LX_DOC_END : c->pc->doc;
}

/* lx_qcur_phrase_seek (rank.h): each doc where all its words occur and
 * that is checked costs 1 + the positions read; once the budget is cut
 * the cursor ends, and the cut tells that this end is not the list's. */
void lx_qcur_phrase_seek(lx_qcur *c, uint32_t target, uint32_t limit) {
    c->unchecked = 0;
    for (;;) {
        uint32_t d = target;
        int again = 1;
        while (again) {
            again = 0;
            for (int j = 0; j < c->nmem; j++) {
                lx_pcursor_advance(c->mem[j], d);
                if (c->mem[j]->doc == LX_DOC_END) {
                    c->doc = LX_DOC_END;
                    return;
                }
                if (c->mem[j]->doc > d) {
                    d = c->mem[j]->doc;
                    again = 1;
                }
            }
            if (c->ldocs && !again) { /* a translation: its language's lectures only */
                uint32_t l = ldoc_seek(c, d);
                if (l == LX_DOC_END) {
                    c->doc = LX_DOC_END;
                    return;
                }
                again = l > d;
                d = l;
            }
        }
        if (d >= limit) {
            c->doc = d;
            c->unchecked = 1;
            return;
        }
        uint64_t read = 1;
        int match = phrase_match(c, &read);
        if (c->work && lx_work_spend(c->work, read)) {
            c->doc = LX_DOC_END;
            return;
        }
        if (match) {
            c->doc = d;
            return;
        }
        target = d + 1;
    }
}

/* ---- cursors --------------------------------------------------------------- */

/* The whole-list bound of a TERM or PHRASE cursor, its bonus included. */
static double list_ub(const lx_qcur *c, const lx_scorer *sc) {
    if (c->kind == LX_QK_TERM || c->kind == LX_QK_LTERM)
        return (c->bonus + lx_bm25f_term(c->w, sc->k1, lx_bound_tf(sc, &c->pc->lbound))) *
               LX_BOUND_SAFETY;
    double ub = c->bonus;
    for (int j = 0; j < c->nmem; j++)
        ub += lx_bm25f_term(c->mw[j], sc->k1, lx_bound_tf(sc, &c->mem[j]->lbound));
    return ub * LX_BOUND_SAFETY;
}

/* An OR cursor's doc: its members' first. */
static void or_doc(lx_qcur *c) {
    uint32_t d = LX_DOC_END;
    for (int j = 0; j < c->nsub; j++)
        if (c->sub[j].doc < d)
            d = c->sub[j].doc;
    c->doc = d;
}

void lx_qcur_start(lx_qcur *c, const lx_scorer *sc) {
    c->bb_valid = 0;
    switch (c->kind) {
    case LX_QK_TERM: {
        c->ub = list_ub(c, sc);
        c->doc = c->pc->doc;
        break;
    }
    case LX_QK_LTERM:
        /* Started again (a bonus set): from where its list stands. */
        c->ub = list_ub(c, sc);
        lterm_seek(c, c->pc->doc);
        break;
    case LX_QK_PHRASE:
        c->ub = list_ub(c, sc);
        lx_qcur_phrase_seek(c, 0, LX_DOC_END);
        break;
    case LX_QK_OR:
        /* The members stand where they are (started already). */
        c->ub = c->bonus * LX_BOUND_SAFETY;
        for (int j = 0; j < c->nsub; j++)
            c->ub += c->sub[j].ub;
        or_doc(c);
        break;
    case LX_QK_DOCS:
        c->ub = c->w * LX_BOUND_SAFETY;
        c->i = 0;
        if (c->ndocs)
            memcpy(&c->doc, c->docs, 4);
        else
            c->doc = LX_DOC_END;
        break;
    }
}

void lx_qcur_advance(lx_qcur *c, uint32_t target) {
    if (c->doc == LX_DOC_END || (c->doc >= target && !(c->kind == LX_QK_PHRASE && c->unchecked)))
        return;
    switch (c->kind) {
    case LX_QK_TERM:
        lx_pcursor_advance(c->pc, target);
        c->doc = c->pc->doc;
        break;
    case LX_QK_LTERM:
        lterm_seek(c, target);
        break;
    case LX_QK_PHRASE:
        lx_qcur_phrase_seek(c, target, LX_DOC_END);
        break;
    case LX_QK_OR: {
        /* The group's doc is its members' least: the lists first, then
         * each phrase checked only below the least found so far (its docs
         * from there on wait, unchecked, for a later step or the score). */
        uint32_t m = LX_DOC_END;
        int phrases = 0;
        for (int j = 0; j < c->nsub; j++) {
            lx_qcur *x = &c->sub[j];
            if (x->kind == LX_QK_PHRASE) {
                phrases = 1;
                continue;
            }
            lx_qcur_seek(x, target);
            if (x->doc < m)
                m = x->doc;
        }
        for (int j = 0; phrases && j < c->nsub; j++) {
            lx_qcur *x = &c->sub[j];
            /* One left unchecked at or past the target and m would be left
             * so again: its words all stand there.  A lazy group checks
             * none: where its words meet is a lower bound of its match. */
            if (x->kind == LX_QK_PHRASE && x->doc != LX_DOC_END &&
                (x->doc < target || (!c->lazy && x->unchecked && x->doc < m)))
                lx_qcur_phrase_seek(x, target, c->lazy ? target : m);
            if (x->doc < m)
                m = x->doc;
        }
        c->doc = m;
        break;
    }
    case LX_QK_DOCS: {
        /* docs[i] is c->doc, below the target: gallop from the next (most
         * seeks move a few docids, a tag boost's list lies far ahead),
         * then halve the last step. */
        uint32_t lo = c->i + 1, hi = c->ndocs, step = 1;
        while (lo < hi) {
            uint32_t probe = step < hi - lo ? lo + step - 1 : hi - 1, d;
            memcpy(&d, c->docs + (size_t)probe * 4, 4);
            if (d >= target) {
                hi = probe;
                break;
            }
            lo = probe + 1;
            step *= 2;
        }
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2, d;
            memcpy(&d, c->docs + (size_t)mid * 4, 4);
            if (d < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        c->i = lo;
        if (lo < c->ndocs)
            memcpy(&c->doc, c->docs + (size_t)lo * 4, 4);
        else
            c->doc = LX_DOC_END;
        break;
    }
    }
}

void lx_qcur_next(lx_qcur *c) {
    if (c->doc == LX_DOC_END)
        return;
    if (c->kind == LX_QK_TERM) {
        lx_pcursor_next(c->pc);
        c->doc = c->pc->doc;
    } else {
        lx_qcur_advance(c, c->doc + 1);
    }
}

double lx_qcur_score(lx_qcur *c, const lx_scorer *sc) {
    switch (c->kind) {
    case LX_QK_TERM:
    case LX_QK_LTERM:
        return c->bonus + lx_term_part(sc, c->w, c->pc);
    case LX_QK_PHRASE: {
        double s = c->bonus;
        for (int j = 0; j < c->nmem; j++)
            s += lx_term_part(sc, c->mw[j], c->mem[j]);
        return s;
    }
    case LX_QK_OR: {
        /* The bonus once, then each member on the doc in plan order (a
         * phrase left unchecked on it checked now). */
        double s = c->bonus;
        for (int j = 0; j < c->nsub; j++) {
            lx_qcur *x = &c->sub[j];
            if (x->kind == LX_QK_PHRASE && x->unchecked && x->doc == c->doc)
                lx_qcur_phrase_seek(x, c->doc, c->doc + 1);
            if (x->doc != c->doc)
                continue;
            s += lx_qcur_part(x, sc);
        }
        return s;
    }
    default:
        return c->w;
    }
}

int lx_qcur_holds(lx_qcur *c) {
    if (c->kind != LX_QK_OR || !c->lazy || c->doc == LX_DOC_END)
        return 1;
    uint32_t d = c->doc;
    for (int j = 0; j < c->nsub; j++) {
        const lx_qcur *x = &c->sub[j];
        if (x->doc == d && !(x->kind == LX_QK_PHRASE && x->unchecked))
            return 1;
    }
    for (int j = 0; j < c->nsub; j++) {
        lx_qcur *x = &c->sub[j];
        if (x->kind == LX_QK_PHRASE && x->unchecked && x->doc == d) {
            lx_qcur_phrase_seek(x, d, d + 1);
            if (x->doc == d)
                return 1;
        }
    }
    lx_qcur_advance(c, d + 1);
    return 0;
}

int lx_qcur_group(lx_qcur *qc, int n, int nscored, const lx_scorer *sc, lx_qcur *out,
                  int *ngroups) {
    int m = 0;
    for (int i = 0; i < nscored;) {
        int j = i + 1;
        if (qc[i].bonus > 0 && qc[i].clause >= 0)
            while (j < nscored && qc[j].clause == qc[i].clause && qc[j].kind != LX_QK_DOCS &&
                   qc[j].bonus == qc[i].bonus)
                j++;
        if (j - i == 1 || qc[i].kind == LX_QK_DOCS) {
            out[m++] = qc[i];
            i++;
            continue;
        }
        lx_qcur *g = &out[m++];
        memset(g, 0, sizeof *g);
        g->kind = LX_QK_OR;
        g->clause = qc[i].clause;
        g->field = -1;
        g->work = qc[i].work;
        g->bonus = qc[i].bonus;
        g->sub = &qc[i];
        g->nsub = j - i;
        for (int k = i; k < j; k++) {
            qc[k].bonus = 0;
            qc[k].bb_valid = 0;
            qc[k].ub = list_ub(&qc[k], sc);
        }
        lx_qcur_start(g, sc);
        i = j;
    }
    *ngroups = m;
    for (int i = nscored; i < n; i++)
        out[m++] = qc[i];
    return m;
}
