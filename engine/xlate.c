/* xlate.c -- cross-language search.  A scored word (or a phrase of up to
 * three, "tasa-arvo") of the query's language is looked up in every
 * installed FreeDict pair from that language into each other language of
 * the index (dict.c) and, beside them, through each pivot language (the
 * large pairs': from -> P -> to).  Each path shares one unit of evidence
 * among its senses (the j-th in proportion to 1 / j), so a translation
 * two paths reach collects more; the word as it is is tried on every
 * path before its lemma by stem.  A compound the dictionaries lack
 * ("ilmastonmuutos") is split into two headwords (a Finnish genitive -n
 * or German/Swedish linking -s dropped from the first) and becomes the
 * phrase of their translations ("climate change").  The best-supported
 * translations the index has, stemmed with their language's stemmer,
 * become extra cursors of the same clause (plan.c's lx_plan_add_terms),
 * each matching only the lectures in its language (a lecture stored
 * without a language is "en", record.c), weighing as a group: the best
 * LX_XLATE_WEIGHT, the others by their evidence, each with the group's
 * idf.  The records kept here say, per hit, which translations it
 * matched ("via"): those in the hit's language, the only ones it can
 * match through.
 */
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "dictlangs.h"
#include "error.h"
#include "snapmemo.h"
#include "stop.h"
#include "xlate.h"

#define MAX_REC 96

typedef struct xrec {
    int clause;
    char from[96], to[96], lang[LX_LANG_BYTES];
    char terms[3][LX_TOKEN_BUF];
    size_t tlen[3];
    int n;
} xrec;

typedef struct xstate {
    xrec r[MAX_REC];
    int n;
    int words, translated;
} xstate;

/* The searcher's records, allocated on first use.  Not zeroed (~96 KiB:
 * 4% of a one-query process's instructions went to calloc's memset
 * and its page faults): a record is written whole before it is read. */
static xstate *state(lx_searcher *s) {
    xstate *x = lx_searcher_part(s, LX_PART_XLATE);
    if (!x && (x = malloc(sizeof *x))) {
        x->n = x->words = x->translated = 0;
        lx_searcher_set_part(s, LX_PART_XLATE, x, free);
    }
    return x;
}

/* $LECTERN_XLATE_TRACE=1: the query, every candidate and the kept ones
 * on stderr (tests/eval/topics/diag.py reads them). */
int lx_xlate_trace_on(void) {
    static int on = -1;
    if (on < 0) {
        const char *e = getenv("LECTERN_XLATE_TRACE");
        on = e && *e == '1';
    }
    return on;
}

void lx_xlate_reset(lx_searcher *s) {
    if (lx_xlate_trace_on()) {
        fprintf(stderr, "xlate\tquery\t");
        for (int i = 0; i < s->q.nwords; i++)
            fprintf(stderr, "%s%s", i ? " " : "", s->q.words[i].tok);
        fprintf(stderr, "\n");
    }
    xstate *x = lx_searcher_part(s, LX_PART_XLATE);
    if (x)
        x->n = x->words = x->translated = 0;
}

double lx_xlate_coverage(lx_searcher *s) {
    xstate *x = lx_searcher_part(s, LX_PART_XLATE);
    return x && x->words ? (double)x->translated / x->words : -1;
}

/* A word to translate: its normalised key and, for one word, its term
 * under the source language's stemmer (tl = 0: none), looked up where
 * the key is no headword. */
typedef struct xword {
    const char *key;
    size_t kl;
    char term[LX_TOKEN_BUF];
    size_t tl;
    int by; /* BY_ANY: the key, else the term; BY_KEY, BY_STEM: only that */
} xword;

enum { BY_ANY, BY_KEY, BY_STEM };

/* The translations of w in pair i; -1 when out of memory. */
static int translate_pair(int i, const xword *w, lx_dict_tr *out, int max) {
    int k = w->by == BY_STEM ? 0 : lx_dict_translate(i, w->key, w->kl, out, max);
    if (!k && w->tl && w->by != BY_KEY)
        k = lx_dict_translate_stem(i, w->term, w->tl, out, max);
    return k;
}

/* Appends the translations of w from -> to (every pair) to
 * out[*n..max); -1 when out of memory. */
static int translate(const char *from, const char *to, const xword *w, lx_dict_tr *out, int *n,
                     int max) {
    const int *idx = NULL;
    int np = lx_dict_pairs_between(from, to, &idx);
    for (int i = 0; i < np && *n < max; i++) {
        lx_dict_tr got[LX_DICT_MAX_SENSES];
        int k = translate_pair(idx[i], w, got, LX_DICT_MAX_SENSES);
        if (k < 0)
            return -1;
        for (int j = 0; j < k && *n < max; j++) {
            int dup = 0;
            for (int m = 0; m < *n && !dup; m++)
                dup = !strcmp(out[m].text, got[j].text);
            if (!dup)
                out[(*n)++] = got[j];
        }
    }
    return 0;
}

/* The languages a translation may go through where no pair leads from
 * the query's language to the target: the large FreeDict pairs'. */
static const char *const pivots[] = {"en", "de"};

/* Translations of w from -> to, through a pivot language where no pair
 * leads; -1 when out of memory. */
static int translations(const char *from, const char *to, const xword *w, lx_dict_tr *out,
                        int max) {
    int n = 0;
    if (translate(from, to, w, out, &n, max))
        return -1;
    for (size_t p = 0; !n && p < sizeof pivots / sizeof pivots[0]; p++) {
        if (!strcmp(from, pivots[p]) || !strcmp(to, pivots[p]))
            continue;
        lx_dict_tr mid[3];
        int nm = 0;
        if (translate(from, pivots[p], w, mid, &nm, 3))
            return -1;
        for (int i = 0; i < nm && n < max; i++) {
            xword m = {mid[i].text, mid[i].len, "", 0, BY_ANY};
            if (translate(pivots[p], to, &m, out, &n, max))
                return -1;
        }
    }
    return n;
}

/* w's term under from's stemmer, for lookups by lemma. */
static void word_term(lx_searcher *s, const char *from, xword *w) {
    int si = lx_stemmers_lookup(&s->stem, from);
    w->tl = si >= 0 && !memchr(w->key, ' ', w->kl)
                ? lx_stemmers_term(&s->stem, si, w->key, w->kl, w->term)
                : 0;
}

/* A compound of two headwords of from: the phrase of their first
 * translations into to, in out; 1 when found, -1 when out of memory. */
static int compound(lx_searcher *s, const char *from, const char *to, const xword *w,
                    lx_dict_tr *out) {
    size_t ll, rs;
    int si = lx_stemmers_lookup(&s->stem, from);
    if (!lx_dict_split(from, si >= 0 ? &s->stem : NULL, si, w->key, w->kl, &ll, &rs))
        return 0;
    lx_dict_tr a, b;
    char lk[LX_TOKEN_BUF];
    memcpy(lk, w->key, ll);
    lk[ll] = 0;
    xword left = {lk, ll, "", 0, BY_ANY}, right = {w->key + rs, w->kl - rs, "", 0, BY_ANY};
    word_term(s, from, &right);
    int na = translations(from, to, &left, &a, 1);
    int nb = na > 0 ? translations(from, to, &right, &b, 1) : 0;
    if (na < 0 || nb < 0)
        return -1;
    if (!na || !nb || a.ntok + b.ntok > 3 || a.len + b.len + 2 >= sizeof out->text)
        return 0;
    out->len = (size_t)snprintf(out->text, sizeof out->text, "%s %s", a.text, b.text);
    out->ntok = a.ntok + b.ntok;
    return 1;
}

/* Adds the cursor of translation tr into language to; 1 when added. */
static int add(lx_searcher *s, xstate *x, int clause_id, const char *from, const char *to,
               const lx_dict_tr *tr, char (*terms)[LX_TOKEN_BUF], const size_t *tlen, int n,
               double w, char (*orig)[LX_TOKEN_BUF], const size_t *orig_len, int pl_nl) {
    /* A translation into `to` matches only the lectures in `to`.  Stems
     * that another translation of the word into the same language (or
     * the word itself, which matches every lecture) already has get no
     * second cursor: a lecture would count the word twice.  The same
     * stems in another language ("rasismi" and "rasism" share a stem)
     * are another language's lectures: a cursor of their own. */
    int seen = 0;
    for (int i = 0; i < x->n && !seen; i++) {
        const xrec *o = &x->r[i];
        seen = o->clause == clause_id && o->n == n && !strcmp(o->lang, to);
        for (int j = 0; j < n && seen; j++)
            seen = o->tlen[j] == tlen[j] && !memcmp(o->terms[j], terms[j], tlen[j]);
    }
    for (int i = 0; i < pl_nl && n == 1 && !seen; i++)
        seen = orig_len[i] == tlen[0] && !memcmp(orig[i], terms[0], tlen[0]);
    int li = lx_searcher_lang_find(s, to);
    int r = seen ? 1 : li < 0 ? 0 : lx_plan_add_terms(s, clause_id, terms, tlen, n, w, li);
    if (r == 1 && x->n < MAX_REC) {
        xrec *rec = &x->r[x->n++];
        snprintf(rec->from, sizeof rec->from, "%.90s", from);
        snprintf(rec->to, sizeof rec->to, "%.90s", tr->text);
        snprintf(rec->lang, sizeof rec->lang, "%s", to);
        memcpy(rec->terms, terms, 3 * sizeof *terms);
        memcpy(rec->tlen, tlen, 3 * sizeof *tlen);
        rec->n = n;
        rec->clause = clause_id;
    }
    return r;
}

/* A candidate translation of one word into one language: its text, its
 * stems there (forms of one word meet: "equality", "equalities"), the
 * evidence for it (the share of each dictionary path that reached it,
 * summed over the paths) and its lectures. */
typedef struct xcand {
    lx_dict_tr tr;
    char terms[3][LX_TOKEN_BUF];
    size_t tlen[3];
    int n;
    double score;
    uint32_t df;
    int order; /* when it was first reached: earlier senses first on ties */
    double w;  /* its weight, once chosen */
} xcand;

#define MAX_CANDS 48

/* Stems tr with stemmer si into c. */
static void cand_terms(lx_searcher *s, int si, const lx_dict_tr *tr, xcand *c) {
    c->n = 0;
    for (const char *p = tr->text; *p && c->n < 3;) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char tok[LX_TOKEN_BUF];
        memcpy(tok, p, len);
        tok[len] = 0;
        c->tlen[c->n] = lx_stemmers_term(&s->stem, si, tok, len, c->terms[c->n]);
        c->n++;
        p = e ? e + 1 : p + len;
    }
}

/* Shares mass among the n translations tr (each a new candidate or one
 * with the same stems), a sense in place j of its entry getting a share
 * in proportion to 1 / (j + 1): dictionaries list the common senses
 * first (headwords that list the word first, for a reversed pair). */
static void vote(lx_searcher *s, int si, xcand *c, int *nc, const lx_dict_tr *tr, int n,
                 double mass) {
    for (int j = 0; j < n; j++) {
        xcand t;
        /* A text a candidate was made from has its stems (candidates
         * differ by stems): found so, it is not stemmed again; the
         * paths reach the same texts again and again. */
        int k = 0;
        while (k < *nc && (c[k].tr.len != tr[j].len || memcmp(c[k].tr.text, tr[j].text, tr[j].len)))
            k++;
        if (k == *nc) {
            cand_terms(s, si, &tr[j], &t);
            for (k = 0; k < *nc; k++) {
                int same = c[k].n == t.n;
                for (int m = 0; m < t.n && same; m++)
                    same =
                        c[k].tlen[m] == t.tlen[m] && !memcmp(c[k].terms[m], t.terms[m], t.tlen[m]);
                if (same)
                    break;
            }
        }
        if (k == *nc) {
            if (*nc == MAX_CANDS)
                continue;
            t.tr = tr[j];
            t.score = 0;
            t.df = 0;
            t.order = *nc;
            c[(*nc)++] = t;
        }
        double h = 0;
        for (int m = 0; m < n; m++)
            h += 1.0 / (tr[m].sense + 1);
        c[k].score += mass / (tr[j].sense + 1) / h;
    }
}

/* The candidates of w from -> to: every pair from -> to, and every
 * two-step path through a pivot language (from -> P -> to), each path
 * sharing its evidence among the senses it gives; a translation several
 * independent paths reach collects more.  Returns the count, -1 when out
 * of memory. */
static int gather(lx_searcher *s, const char *from, const char *to, const xword *w, xcand *c) {
    int si = lx_stemmers_lookup(&s->stem, to), nc = 0;
    if (si < 0)
        return 0;
    /* The pairs of each path, found once: every pair's languages were
     * compared for every word, path and pivot sense. */
    enum { NPIV = sizeof pivots / sizeof pivots[0] };
    const int *direct = NULL, *first[NPIV] = {NULL}, *second[NPIV] = {NULL};
    int nd = lx_dict_pairs_between(from, to, &direct), nf[NPIV], ns[NPIV];
    for (int p = 0; p < NPIV; p++) {
        int via = strcmp(from, pivots[p]) && strcmp(to, pivots[p]);
        nf[p] = via ? lx_dict_pairs_between(from, pivots[p], &first[p]) : 0;
        ns[p] = via && nf[p] ? lx_dict_pairs_between(pivots[p], to, &second[p]) : 0;
    }
    lx_dict_tr tr[LX_DICT_MAX_SENSES];
    /* The word as it is first, on every path; its lemma by stem only
     * where no path knows it ("empatía" is no "empate").  Each pair is
     * a path of its own (a pair and its reverse agreeing count twice). */
    for (int by = BY_KEY; by <= BY_STEM && !nc; by++) {
        if (by == BY_STEM && !w->tl)
            break;
        xword wb = *w;
        wb.by = by;
        for (int i = 0; i < nd; i++) {
            int n = translate_pair(direct[i], &wb, tr, LX_DICT_MAX_SENSES);
            if (n < 0)
                return -1;
            if (n)
                vote(s, si, c, &nc, tr, n, 1.0);
        }
        for (int p = 0; p < NPIV; p++) {
            for (int i = 0; i < nf[p]; i++) {
                lx_dict_tr mid[LX_XLATE_PIVOT_SENSES];
                int nm = translate_pair(first[p][i], &wb, mid, LX_XLATE_PIVOT_SENSES);
                if (nm < 0)
                    return -1;
                for (int m = 0; m < nm; m++) {
                    xword mw = {mid[m].text, mid[m].len, "", 0, BY_ANY};
                    for (int j = 0; j < ns[p]; j++) {
                        int n = translate_pair(second[p][j], &mw, tr, LX_XLATE_PIVOT_SENSES);
                        if (n < 0)
                            return -1;
                        if (n)
                            vote(s, si, c, &nc, tr, n, 1.0 / nm);
                    }
                }
            }
        }
    }
    return nc;
}

static int cmp_cand(const void *a, const void *b) {
    const xcand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->order - y->order;
}

/* Whether stems a and b (accents stripped) look like one word's in two
 * languages: a common beginning of at least 4 bytes and 70% of the
 * shorter ("violenci", "violenc"; "publiqu", "public"). */
static int cognate(const char *a, size_t al, const char *b, size_t bl) {
    size_t m = al < bl ? al : bl, k = 0;
    while (k < m && a[k] == b[k])
        k++;
    return k >= 4 && k * 10 >= m * 7;
}

/* The evidence of c[0..n) weighed by agreement between them, and the
 * count left: a phrase that contains another candidate ("good fortune",
 * "feeling of happiness") is a gloss of that word and adds its evidence
 * to it; a one-word candidate that is a cognate of the word translated
 * (its stem beginning like the word's: "violencia", "violence") gains
 * as much as the best has, since dictionaries that list it among many
 * senses, late, still name the word that spelling and meaning share. */
static int weigh(const xword *w, xcand *c, int n) {
    double best = 0;
    for (int i = 0; i < n; i++) {
        int into = -1;
        for (int j = 0; j < n && c[i].n > 1 && into < 0; j++)
            for (int m = 0; m < c[i].n && c[j].n == 1 && into < 0; m++)
                if (c[j].tlen[0] == c[i].tlen[m] && c[j].tlen[0] &&
                    !memcmp(c[j].terms[0], c[i].terms[m], c[j].tlen[0]))
                    into = j;
        if (into >= 0) {
            c[into].score += c[i].score;
            c[i].score = 0;
        }
    }
    int k = 0;
    for (int i = 0; i < n; i++)
        if (c[i].score > 0) {
            c[k++] = c[i];
            best = c[i].score > best ? c[i].score : best;
        }
    for (int i = 0; i < k && w->tl; i++)
        if (c[i].n == 1 && cognate(w->term, w->tl, c[i].terms[0], c[i].tlen[0]))
            c[i].score += best;
    return k;
}

/* Back-translation shares already computed, per process (a translation
 * back costs some 40 dictionary lookups through the pivots): a bounded
 * table keyed by "from to word candidate", a slot overwritten on a
 * collision. */
#define BACK_SLOTS 4096
static pthread_mutex_t back_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char key[120];
    double share;
} back_cache[BACK_SLOTS];

static int back_key(const char *fl, const char *to, const xword *w, const xcand *c, char *key,
                    uint32_t *slot) {
    int n = snprintf(key, 120, "%s %s %s\t%s", fl, to, w->key, c->tr.text);
    if (n <= 0 || n >= 120)
        return 0;
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    *slot = h & (BACK_SLOTS - 1);
    return 1;
}

/* The evidence of the best LX_XLATE_BACK candidates c[0..n) (best
 * first) weighed by how surely each translates back into the word w of
 * from (bidirectional translation: the share of the back-translations'
 * evidence, by the same paths, that reaches w's stems): a broad word
 * ("power", "fortune") goes back to many words of from, one of them w,
 * the word meant ("violence", "happiness") mostly to w.  Each score is
 * multiplied by LX_XLATE_BACK_FLOOR + that share; the candidates after
 * the first LX_XLATE_BACK by the floor alone.  -1 when out of memory. */
static int back_weigh(lx_searcher *s, const char *from, const char *to, const xword *w, xcand *c,
                      int n) {
    int sf = lx_stemmers_lookup(&s->stem, from), st = lx_stemmers_lookup(&s->stem, to);
    if (sf < 0 || st < 0 || n < 2)
        return 0;
    lx_dict_tr src;
    if (w->kl >= sizeof src.text)
        return 0;
    memcpy(src.text, w->key, w->kl);
    src.text[w->kl] = 0;
    src.len = w->kl;
    xcand me;
    cand_terms(s, sf, &src, &me);
    for (int i = 0; i < n; i++) {
        double share = 0;
        char key[120];
        uint32_t slot = 0;
        int keyed = i < LX_XLATE_BACK && back_key(from, to, w, &c[i], key, &slot), cached = 0;
        if (keyed) {
            pthread_mutex_lock(&back_mu);
            if ((cached = !strcmp(back_cache[slot].key, key)))
                share = back_cache[slot].share;
            pthread_mutex_unlock(&back_mu);
        }
        if (i < LX_XLATE_BACK && !cached) {
            xword e = {c[i].tr.text, c[i].tr.len, "", 0, BY_ANY};
            word_term(s, to, &e);
            xcand bc[MAX_CANDS];
            int nb = gather(s, to, from, &e, bc);
            if (nb < 0)
                return -1;
            double all = 0, hit = 0;
            for (int b = 0; b < nb; b++) {
                int same = bc[b].n == me.n;
                for (int m = 0; m < me.n && same; m++)
                    same = bc[b].tlen[m] == me.tlen[m] &&
                           !memcmp(bc[b].terms[m], me.terms[m], me.tlen[m]);
                all += bc[b].score;
                hit += same ? bc[b].score : 0;
            }
            share = all > 0 ? hit / all : 0;
            if (keyed) {
                pthread_mutex_lock(&back_mu);
                memcpy(back_cache[slot].key, key, strlen(key) + 1);
                back_cache[slot].share = share;
                pthread_mutex_unlock(&back_mu);
            }
            if (lx_xlate_trace_on())
                fprintf(stderr, "xlate\t%s\tback\t%s\t%.3f\tnb=%d\n", w->key, c[i].tr.text, share,
                        nb);
        }
        c[i].score *= LX_XLATE_BACK_FLOOR + share;
    }
    return 0;
}

/* The best candidates c[0..n) of word w (key word) from -> to, moved
 * to c[0..k) with their weights (xcand.w): those in the index, the
 * LX_XLATE_PER_LANG with the most evidence (and at least
 * LX_XLATE_MIN_SHARE of the best's).  They are the word's alternatives: each weighs W x its
 * evidence relative to the best x the idf of the group (its lectures'
 * count averaged by evidence), not its own, so a rare wrong sense
 * ("deer" for "hjärnan") weighs no more than the common right one.
 * Returns k, or an error. */
static int choose(lx_searcher *s, const char *word, const char *from, const char *to,
                  const xword *w, xcand *c, int n) {
    int k = 0;
    n = weigh(w, c, n);
    /* Each candidate's lectures: one the index lacks, or a stopword of
     * the target ("les" -> "the"), translates nothing; a rare one
     * ("palpability", "newscast") is likelier a dictionary's obscure
     * sense than the word meant, so its evidence is weighed by
     * log(1 + df) / log(1 + the largest df among the candidates). */
    uint32_t dmax = 0;
    for (int i = 0; i < n; i++) {
        if (c[i].n == 1 && lx_stopword(to, c[i].tr.text, c[i].tr.len))
            continue;
        uint32_t df = UINT32_MAX;
        for (int j = 0; j < c[i].n && df; j++) {
            uint32_t d = c[i].tlen[j] ? lx_plan_term_df(s, c[i].terms[j], c[i].tlen[j]) : 0;
            df = d < df ? d : df;
        }
        if (s->rc)
            return s->rc;
        if (df && df != UINT32_MAX) {
            c[i].df = df;
            dmax = df > dmax ? df : dmax;
            c[k++] = c[i];
        }
    }
    n = k;
    for (int i = 0; i < n; i++)
        c[i].score *= log1p(c[i].df) / log1p(dmax);
    qsort(c, (size_t)n, sizeof *c, cmp_cand);
    if (back_weigh(s, from, to, w, c, n) < 0)
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    /* Best first (ties: the sense reached first). */
    qsort(c, (size_t)n, sizeof *c, cmp_cand);
    if (lx_xlate_trace_on())
        for (int i = 0; i < n; i++)
            fprintf(stderr, "xlate\t%s\t%s>%s\t%s\t%.3f\tdf=%u\n", word, word, to, c[i].tr.text,
                    c[i].score, c[i].df);
    k = n < LX_XLATE_PER_LANG ? n : LX_XLATE_PER_LANG;
    while (k > 1 && c[k - 1].score < LX_XLATE_MIN_SHARE * c[0].score)
        k--;
    if (!k)
        return 0;
    double sum = 0, dfg = 0;
    for (int i = 0; i < k; i++)
        sum += c[i].score;
    for (int i = 0; i < k; i++)
        dfg += c[i].score / sum * c[i].df;
    double idfg = lx_idf(s->sc.N, dfg);
    for (int i = 0; i < k; i++) {
        double w = LX_XLATE_WEIGHT * c[i].score / c[0].score;
        if (c[i].n == 1) { /* a phrase's words keep their own idf */
            double ratio = idfg / lx_idf(s->sc.N, c[i].df);
            w *= ratio < LX_XLATE_IDF_CAP ? ratio : LX_XLATE_IDF_CAP;
        }
        if (lx_xlate_trace_on())
            fprintf(stderr, "xlate\t%s\tkept\t%s\t%.3f\tdf=%u\tw=%.3f\n", word, c[i].tr.text,
                    c[i].score, c[i].df, w);
        c[i].w = w;
    }
    return k;
}

/* ---- a word's translations, kept while the snapshot lasts ------------------ */

/* A word's translations into a language are the same for every search of
 * one snapshot: the dictionaries do not change, and the candidates'
 * lectures only with the snapshot.  Finding them costs some hundred
 * dictionary lookups and a list lookup per candidate (most of a search
 * on a small index of several languages); the chosen ones are kept in
 * the searcher's snapshot memo (snapmemo.c), keyed by the languages and
 * the word as every path above reads it, as a count, then per
 * translation its weight, its stems' count, its text and its stems,
 * each string after its length (a uint16).  Not kept while tracing:
 * the trace shows every candidate. */

/* The memo's key of w's translations from -> to in a clause of n words
 * (joined: its two words written as one); 0 when it does not fit. */
static size_t memo_key(const char *from, const char *to, const xword *w, const xword *joined, int n,
                       char *key, size_t cap) {
    if (lx_xlate_trace_on())
        return 0;
    int m = snprintf(key, cap, "x%s\t%s\t%d\t%.*s\t%.*s", from, to, n, (int)w->kl, w->key,
                     (int)joined->kl, joined->kl ? joined->key : "");
    return m > 0 && (size_t)m < cap ? (size_t)m : 0;
}

static uint8_t *put_str(uint8_t *p, const char *t, size_t len) {
    uint16_t l = (uint16_t)len;
    memcpy(p, &l, 2);
    memcpy(p + 2, t, len);
    return p + 2 + len;
}

/* Reads a string written by put_str into t (LX_TOKEN_BUF, terminated);
 * NULL when it does not fit in [p, end). */
static const uint8_t *get_str(const uint8_t *p, const uint8_t *end, char *t, size_t *len) {
    uint16_t l;
    if (end - p < 2)
        return NULL;
    memcpy(&l, p, 2);
    if (l >= LX_TOKEN_BUF || end - p - 2 < l)
        return NULL;
    memcpy(t, p + 2, l);
    t[l] = 0;
    *len = l;
    return p + 2 + l;
}

/* Keeps the chosen translations c[0..k) under key. */
static void memo_keep(lx_searcher *s, const char *key, size_t kl, const xcand *c, int k) {
    uint8_t rec[1 + LX_XLATE_PER_LANG * (sizeof(double) + 1 + 4 * (2 + LX_TOKEN_BUF))], *p = rec;
    if (k > LX_XLATE_PER_LANG)
        return;
    *p++ = (uint8_t)k;
    for (int i = 0; i < k; i++) {
        memcpy(p, &c[i].w, sizeof c[i].w);
        p += sizeof c[i].w;
        *p++ = (uint8_t)c[i].n;
        p = put_str(p, c[i].tr.text, strlen(c[i].tr.text));
        for (int j = 0; j < c[i].n; j++)
            p = put_str(p, c[i].terms[j], c[i].tlen[j]);
    }
    lx_snapmemo_keep(s, key, kl, rec, (size_t)(p - rec));
}

/* The translations kept under key into c (their count), or -1 when none
 * are. */
static int memo_find(lx_searcher *s, const char *key, size_t kl, xcand *c) {
    size_t len = 0;
    const uint8_t *p = lx_snapmemo_rec(s, key, kl, &len);
    if (!p || !len || *p > LX_XLATE_PER_LANG)
        return -1;
    const uint8_t *end = p + len;
    int k = *p++;
    for (int i = 0; i < k; i++) {
        if (end - p < (ptrdiff_t)sizeof(double) + 1)
            return -1;
        memcpy(&c[i].w, p, sizeof c[i].w);
        p += sizeof c[i].w;
        c[i].n = *p++;
        if (c[i].n > 3 || !(p = get_str(p, end, c[i].tr.text, &c[i].tr.len)))
            return -1;
        for (int j = 0; j < c[i].n && p; j++)
            p = get_str(p, end, c[i].terms[j], &c[i].tlen[j]);
        if (!p)
            return -1;
    }
    return k;
}

int lx_xlate_clause(lx_searcher *s, const lx_plan *pl, const lx_qclause *cl, int clause_id) {
    char key[LX_TOKEN_BUF];
    size_t kl;
    xstate *x = state(s);
    if (!x)
        return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
    const char *from = pl->ql.code;
    char orig[LX_MAX_LANGS][LX_TOKEN_BUF]; /* the word's own stems, in the plan's languages */
    size_t orig_len[LX_MAX_LANGS];
    int targets = 0;
    for (int i = 0; i < s->nlangs; i++)
        targets += strcmp(s->langs[i], from) != 0;
    if (!targets || cl->n > 3 || !(kl = lx_qlang_key(&s->q, cl, key)) || !lx_dict_npairs())
        return 0;
    int any = 0;
    x->words++;
    xword w = {key, kl, "", 0, BY_ANY}, joined = {NULL, 0, "", 0, BY_ANY};
    word_term(s, from, &w);
    char jk[LX_TOKEN_BUF];
    if (cl->n == 2) {
        const lx_qword *a = &s->q.words[cl->first];
        memcpy(jk, a[0].tok, a[0].len);
        memcpy(jk + a[0].len, a[1].tok, a[1].len);
        jk[a[0].len + a[1].len] = 0;
        joined = (xword){jk, a[0].len + a[1].len, "", 0, BY_ANY};
        word_term(s, from, &joined);
    }
    const lx_qword *w0 = &s->q.words[cl->first];
    for (int l = 0; l < pl->nl; l++)
        orig_len[l] = lx_stemmers_term(&s->stem, pl->langs[l], w0->tok, w0->len, orig[l]);
    for (int i = 0; i < s->nlangs; i++) {
        const char *to = s->langs[i];
        if (!strcmp(to, from) || s->nqc > LX_MAX_CURSORS - 64)
            continue;
        xcand c[MAX_CANDS];
        char mk[3 * LX_TOKEN_BUF];
        size_t mkl = memo_key(from, to, &w, &joined, cl->n, mk, sizeof mk);
        int k = mkl ? memo_find(s, mk, mkl, c) : -1;
        if (k < 0) {
            int n = gather(s, from, to, &w, c);
            if (!n && joined.kl) /* "tasa-arvo": FreeDict's headword is "tasaarvo" */
                n = gather(s, from, to, &joined, c);
            if (!n && cl->n == 1 && !lx_dict_known_word(from, key, kl, w.term, w.tl)) {
                lx_dict_tr tr;
                int si = lx_stemmers_lookup(&s->stem, to);
                n = si >= 0 ? compound(s, from, to, &w, &tr) : 0;
                if (n > 0) {
                    c[0].tr = tr;
                    cand_terms(s, si, &tr, &c[0]);
                    c[0].score = 1;
                }
            }
            if (n < 0)
                return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
            if ((k = choose(s, key, from, to, &w, c, n)) < 0)
                return k;
            if (mkl)
                memo_keep(s, mk, mkl, c, k);
        }
        for (int j = 0; j < k; j++) {
            int r = add(s, x, clause_id, key, to, &c[j].tr, c[j].terms, c[j].tlen, c[j].n, c[j].w,
                        orig, orig_len, pl->nl);
            if (r < 0)
                return r;
        }
        any |= k > 0;
    }
    x->translated += any;
    return 0;
}

/* Which of the hits docs[ord[0..n)] (ord: doc order) are in rec's
 * language and have every stem of rec, into has[0..n) (by hit): stems
 * that languages share ("discrimin") are no translation in a lecture of
 * another language.  The language's list and each stem's list are read
 * once, the stem's walked forward over the hits by one cursor (pc).  A
 * list that cannot be read or is damaged has none of them. */
static void rec_hits(lx_searcher *s, const xrec *rec, const uint32_t *docs, const size_t *ord,
                     size_t n, lx_pcursor *pc, unsigned char *has) {
    MDB_val lv;
    memset(has, 0, n);
    if (lx_store_lang(s->txn, s->ix, rec->lang, strlen(rec->lang), &lv))
        return;
    size_t live = 0;
    for (size_t k = 0; k < n; k++)
        live += has[k] = (unsigned char)lx_store_list_has(lv.mv_data, lv.mv_size / 4, docs[k]);
    for (int j = 0; j < rec->n && live; j++) {
        MDB_val pv;
        int open = 0;
        if (lx_store_term(s->txn, s->ix, rec->terms[j], rec->tlen[j], &pv, NULL)) {
            memset(has, 0, n);
            return;
        }
        for (size_t k = 0; k < n; k++) {
            size_t h = ord[k];
            if (!has[h])
                continue;
            if (!open) {
                if (lx_pcursor_open_at_limit(pc, pv.mv_data, pv.mv_size, docs[h], s->st.next_doc)) {
                    memset(has, 0, n);
                    return;
                }
                open = 1;
            } else {
                lx_pcursor_advance(pc, docs[h]);
            }
            has[h] = pc->doc == docs[h];
            live -= !has[h];
        }
    }
}

/* Coverage per query language, for /api/stats. */
static pthread_mutex_t cov_mu = PTHREAD_MUTEX_INITIALIZER;
static lx_lang_coverage cov[LX_MAX_LANGS];
static size_t ncov;

static void count_coverage(const char *lang, const xstate *x) {
    pthread_mutex_lock(&cov_mu);
    size_t i = 0;
    while (i < ncov && strcmp(cov[i].lang, lang))
        i++;
    if (i == ncov && ncov < LX_MAX_LANGS) {
        memset(&cov[i], 0, sizeof cov[i]);
        snprintf(cov[i].lang, sizeof cov[i].lang, "%s", lang);
        ncov++;
    }
    if (i < ncov) {
        cov[i].queries++;
        cov[i].words += (uint64_t)x->words;
        cov[i].translated += (uint64_t)x->translated;
    }
    pthread_mutex_unlock(&cov_mu);
}

size_t lx_xlate_coverage_list(lx_lang_coverage *out, size_t max) {
    pthread_mutex_lock(&cov_mu);
    size_t n = ncov;
    memcpy(out, cov, (n < max ? n : max) * sizeof *out);
    pthread_mutex_unlock(&cov_mu);
    return n;
}

/* Sorts ord[0..n) by docs[ord[i]] (a page of hits: insertion). */
static void doc_order(const uint32_t *docs, size_t *ord, size_t n) {
    for (size_t i = 0; i < n; i++) {
        size_t x = ord[i] = i, j = i;
        while (j > 0 && docs[ord[j - 1]] > docs[x]) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = x;
    }
}

int lx_xlate_results(lx_searcher *s, const lx_plan *pl, const uint32_t *docs, lx_results *r) {
    /* The query's language and why, copied whole (the same sizes). */
    _Static_assert(sizeof r->query_lang == sizeof pl->ql.code &&
                       sizeof r->query_lang_why == sizeof pl->ql.why,
                   "lx_results and lx_qlang hold the language alike");
    memcpy(r->query_lang, pl->ql.code, sizeof r->query_lang);
    r->query_lang_source = lx_qlang_source_name(pl->ql.source);
    memcpy(r->query_lang_why, pl->ql.why, sizeof r->query_lang_why);
    xstate *x = lx_searcher_part(s, LX_PART_XLATE);
    if (x && x->words && pl->ql.code[0])
        count_coverage(pl->ql.code, x);
    if (!x || !x->n || !r->n)
        return 0;
    /* One block: the via lists, then the records' strings they point to
     * (only those: the records' stems stay here); another for scratch:
     * the hits in doc order, then which hits each record matched (the
     * order first, so that it is aligned). */
    size_t nv = r->n * (size_t)x->n, sbytes = 0;
    for (int i = 0; i < x->n; i++)
        sbytes += strlen(x->r[i].from) + strlen(x->r[i].to) + strlen(x->r[i].lang) + 3;
    lx_via *v = malloc(nv * sizeof *v + sbytes);
    size_t *ord = malloc(r->n * sizeof *ord + nv); /* then has: ord stays aligned */
    lx_pcursor *pc = lx_searcher_pcursor(s);
    if (!v || !ord || !pc) {
        free(v);
        free(ord);
        return LX_ENOMEM;
    }
    unsigned char *has = (unsigned char *)(ord + r->n);
    doc_order(docs, ord, r->n);
    char *sp = (char *)(v + nv);
    const char *str[MAX_REC][3];
    for (int i = 0; i < x->n; i++) {
        const char *src[3] = {x->r[i].from, x->r[i].to, x->r[i].lang};
        for (int f = 0; f < 3; f++) {
            size_t len = strlen(src[f]) + 1;
            memcpy(sp, src[f], len);
            str[i][f] = sp;
            sp += len;
        }
        rec_hits(s, &x->r[i], docs, ord, r->n, pc, has + (size_t)i * r->n);
    }
    s->used--; /* the cursor goes back to the pool */
    size_t at = 0;
    for (size_t h = 0; h < r->n; h++) {
        r->hits[h].via = v + at;
        for (int i = 0; i < x->n; i++) {
            if (!has[(size_t)i * r->n + h])
                continue;
            int dup = 0;
            for (size_t k = (size_t)(r->hits[h].via - v); k < at && !dup; k++)
                dup = !strcmp(v[k].to, str[i][1]) && !strcmp(v[k].lang, str[i][2]);
            if (!dup)
                v[at++] = (lx_via){str[i][0], str[i][1], str[i][2]};
        }
        r->hits[h].n_via = (size_t)(v + at - r->hits[h].via);
        if (!r->hits[h].n_via)
            r->hits[h].via = NULL;
    }
    free(ord);
    r->lang_extra = v;
    return 0;
}
