/* plan.c -- the query plan: each word of the parsed query is stemmed
 * with every query language and each distinct stem looked up once; a
 * word becomes a TERM cursor, a phrase (or a field-restricted clause) a
 * PHRASE cursor over its words' lists and positions, one per language
 * whose stems differ.  Tag boosts (tagboost.c) and the all-terms-first
 * bonus complete the scored cursors lx_topk (rank.c) runs.
 *
 * A term absent from the index adds no cursor; a term whose list cannot
 * be read or opened is an error (sticky), never "absent".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fuzzy.h"
#include "plan.h"
#include "stop.h"
#include "tagboost.h"
#include "termbits.h"
#include "xlate.h"

/* Adds the stemmer of code to idx[0..n) unless it is there or the set of
 * stemmers is full; returns the new count. */
static int add_lang(lx_searcher *s, const char *code, int *idx, int n) {
    int i = lx_stemmers_lookup(&s->stem, code);
    for (int j = 0; j < n && i >= 0; j++)
        if (idx[j] == i)
            return n;
    if (i >= 0)
        idx[n++] = i;
    return n;
}

/* An asked language the index lacks matches nothing, so its stemmer is
 * never opened: the searcher's set stays within the index's languages
 * whatever the queries ask (once full, a lookup would fail). */
int lx_plan_langs(lx_searcher *s, const lx_search_opts *o, int *idx) {
    int n = 0;
    char code[LX_LANG_BYTES];
    const char *asked[LX_MAX_QUERY_TERMS + 1];
    int nasked = 0;
    if (o->lang && o->lang[0] && lx_language_lookup(o->lang, code) >= 0)
        asked[nasked++] = code;
    for (int i = 0; i < s->q.nlangs; i++)
        asked[nasked++] = s->q.langs[i];
    for (int a = 0; a < nasked; a++)
        for (int i = 0; i < s->nlangs; i++)
            if (strcmp(asked[a], s->langs[i]) == 0)
                n = add_lang(s, asked[a], idx, n);
    if (!n)
        for (int i = 0; i < s->nlangs; i++)
            n = add_lang(s, s->langs[i], idx, n);
    if (!n)
        n = add_lang(s, "en", idx, n);
    return n;
}

/* Whether the query asks a question: it starts with a question word or
 * ends with '?'.  Its other words are then context ("why does it matter
 * for students"), and a lecture must not rank first for having more of
 * them than the one on the topic word (all-terms-first is for keywords). */
static int is_question(const lx_query *q, const char *qs) {
    static const char *const words[] = {"what",  "why",   "how",  "who",  "when",
                                        "where", "which", "whom", "whose"};
    size_t n = qs ? strlen(qs) : 0;
    while (n && (unsigned char)qs[n - 1] <= ' ')
        n--;
    if (n && qs[n - 1] == '?')
        return 1;
    if (!q->nwords)
        return 0;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(q->words[0].tok, words[i]))
            return 1;
    return 0;
}

void lx_plan_init(lx_searcher *s, const lx_search_opts *o, lx_plan *pl) {
    pl->nl = lx_plan_langs(s, o, pl->langs);
    /* The query's language (qlang.c): its own stems too, so that cognates
     * meet ("racismo", "racism"), and translations from it (xlate.c). */
    lx_qlang_detect(s, o, &pl->ql);
    pl->cross = !(o->flags & LX_SEARCH_NO_CROSS) && pl->ql.code[0];
    if (pl->ql.code[0] && !(o->lang && o->lang[0]) && !s->q.nlangs && pl->nl < LX_MAX_LANGS)
        pl->nl = add_lang(s, pl->ql.code, pl->langs, pl->nl);
    memset(pl->stop, 0, sizeof pl->stop);
    pl->content = pl->positive = pl->nclauses = pl->nscored = pl->phrase = 0;
    pl->typos = !(o->flags & LX_SEARCH_NO_TYPOS);
    pl->question = is_question(&s->q, o->query);
    s->nfix = 0;
    pl->prefix_clause = -1;
    /* Search as you type: the last word, unless the query ends after it
     * (a space, a closing quote). */
    size_t qn = o->query ? strlen(o->query) : 0;
    int last = s->q.nclauses - 1;
    if (!(o->flags & LX_SEARCH_NO_PREFIX) && last >= 0 && qn &&
        (unsigned char)o->query[qn - 1] > ' ' && o->query[qn - 1] != '"' &&
        s->q.clauses[last].kind == LX_QC_WORD && !s->q.clauses[last].neg &&
        !s->q.clauses[last].filter)
        pl->prefix_clause = last;
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        const lx_qclause *cl = &s->q.clauses[ci];
        if (cl->neg || cl->filter)
            continue;
        pl->positive++;
        /* A quoted phrase asks for those words in that order: a lecture
         * that only carries the tag they name does not have them. */
        pl->phrase |= cl->kind == LX_QC_PHRASE && cl->n > 1;
        if (cl->kind == LX_QC_WORD) {
            const lx_qword *w = &s->q.words[cl->first];
            for (int l = 0; l < pl->nl && !pl->stop[ci]; l++) {
                const char *lang = s->stem.e[pl->langs[l]].lang;
                pl->stop[ci] = (char)(lx_stopword(lang, w->tok, w->len) ||
                                      lx_query_clitic(&s->q, o->query, ci, lang));
            }
        }
        pl->content += !pl->stop[ci];
    }
}

/* A cursor on term t's list (with its positions when pos_too); NULL when
 * the term is absent, or with the sticky error set when the list cannot
 * be read or opened. */
static lx_pcursor *term_cursor(lx_searcher *s, const char *t, size_t n, int pos_too) {
    MDB_val pv, xv;
    int rc =
        pos_too ? lx_store_term(s->txn, s->ix, t, n, &pv, &xv) : lx_searcher_term(s, t, n, &pv);
    if (rc == LX_ENOTFOUND)
        return NULL;
    if (rc) {
        lx_searcher_fail(s, rc, NULL, -1, "cannot read the list of \"%.*s\"", (int)n, t);
        return NULL;
    }
    lx_pcursor *pc = lx_searcher_pcursor(s);
    if (!pc) {
        lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        return NULL;
    }
    /* A common word's list kept in this snapshot: its docids read from
     * the copy, not unpacked. */
    const uint32_t *kept = lx_termbits_docs(s, pv.mv_data, pv.mv_size);
    if ((rc = kept ? lx_pcursor_open_known(pc, pv.mv_data, pv.mv_size, s->st.next_doc, kept)
                   : lx_pcursor_open_limit(pc, pv.mv_data, pv.mv_size, s->st.next_doc))) {
        lx_searcher_fail(s, LX_ECORRUPT, NULL, -1, "the list of \"%.*s\" is damaged", (int)n, t);
        return NULL;
    }
    if (pos_too) {
        pc->pos = xv.mv_data;
        pc->pend = (const uint8_t *)xv.mv_data + xv.mv_size;
    }
    return pc;
}

/* Fills c for clause cl from the stems terms[0..cl->n); 1 when it has
 * cursors, 0 when a word is absent, or the sticky error. */
static int fill_cursor(lx_searcher *s, const lx_qclause *cl, int field, char (*terms)[LX_TOKEN_BUF],
                       const size_t *tlen, double qweight, lx_qcur *c) {
    if (cl->kind == LX_QC_WORD && field < 0) {
        lx_pcursor *pc = term_cursor(s, terms[0], tlen[0], 0);
        if (!pc)
            return s->rc;
        c->kind = LX_QK_TERM;
        c->pc = pc;
        c->w = lx_bm25f_weight(lx_idf(s->sc.N, pc->df), s->sc.k1, qweight);
        return 1;
    }
    c->kind = LX_QK_PHRASE;
    c->nmem = cl->n;
    for (int j = 0; j < cl->n; j++) {
        lx_pcursor *pc = term_cursor(s, terms[j], tlen[j], 1);
        if (!pc)
            return s->rc;
        c->mem[j] = pc;
        c->mw[j] = lx_bm25f_weight(lx_idf(s->sc.N, pc->df), s->sc.k1, qweight);
    }
    return 1;
}

/* Term t's stored list in index language lang (lpost) into *v: 0, or
 * LX_ENOTFOUND when none is stored (a term of fewer than LX_LPOST_MIN
 * lectures, or an index built before them), or the sticky error of a
 * list that cannot be read. */
static int lpost_read(lx_searcher *s, const char *t, size_t n, int lang, MDB_val *v) {
    int rc = lx_store_lpost(s->txn, s->ix, t, n, s->langs[lang], v);
    if (rc && rc != LX_ENOTFOUND)
        return lx_searcher_fail(s, rc, "lpost", -1, "cannot read the list of \"%.*s\" in %s",
                                (int)n, t, s->langs[lang]);
    return rc;
}

/* The index languages whose lectures TERM cursor c (on term t, standing
 * on its first doc) has, a bit each (lx_qcur.langs; 0: every one, or not
 * known): from the term's lists per language (lpost) when it has them,
 * else, for a list too short to have them, from its docs found in each
 * language's lectures.  Sets the sticky error when a list cannot be
 * read. */
static uint32_t term_langs(lx_searcher *s, const lx_qcur *c, const char *t, size_t n) {
    uint32_t m = 0, all = (uint32_t)((1ull << s->nlangs) - 1);
    if (c->pc->df >= LX_LPOST_MIN) {
        for (int l = 0; l < s->nlangs; l++) {
            MDB_val v;
            int rc = lpost_read(s, t, n, l, &v);
            if (rc && rc != LX_ENOTFOUND)
                return 0;
            if (rc || v.mv_size) /* no value (not known), a list, or most of them */
                m |= 1u << l;
        }
        return m == all ? 0 : m;
    }
    /* Its docs, then each language's lectures galloped over them until
     * one is found. */
    uint32_t docs[LX_LPOST_MIN], nd = 0;
    lx_pcursor *pc = lx_searcher_pcursor(s);
    if (!pc) {
        lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        return 0;
    }
    lx_pcursor_copy(pc, c->pc);
    for (; pc->doc != LX_DOC_END && nd < LX_LPOST_MIN; lx_pcursor_next(pc))
        docs[nd++] = pc->doc;
    int rc = pc->rc;
    s->used--; /* back to the pool */
    if (rc) {
        lx_searcher_fail(s, rc, NULL, -1, "a posting list is damaged: %s", lx_strerror(rc));
        return 0;
    }
    if (pc->doc != LX_DOC_END) /* longer than its count said: not known */
        return 0;
    for (int l = 0; l < s->nlangs && m != all; l++) {
        MDB_val lv;
        int rc = lx_searcher_lang(s, l, &lv);
        if (rc == LX_ENOTFOUND)
            continue;
        if (rc) {
            lx_searcher_fail(s, rc, "lang", -1, "cannot read language \"%s\"", s->langs[l]);
            return 0;
        }
        size_t nl = lv.mv_size / 4, at = 0;
        for (uint32_t i = 0; i < nd && at < nl; i++) {
            at = lx_docs_gallop(lv.mv_data, nl, docs[i], at);
            if (at < nl && lx_docs_at(lv.mv_data, at) == docs[i]) {
                m |= 1u << l;
                break;
            }
        }
    }
    return m == all ? 0 : m;
}

/* Adds cursors for clause cl, one per language whose stems differ;
 * returns how many were added, LX_ELIMIT when s->qc is full, or the
 * sticky error.  With by_lang, a word's cursors say the languages of
 * their lectures (term_langs). */
static int clause_cursors(lx_searcher *s, const lx_qclause *cl, int clause_id, const int *langs,
                          int nl, int field, double qweight, int by_lang) {
    const lx_query *q = &s->q;
    char terms[LX_MAX_LANGS][LX_MAX_PHRASE_WORDS][LX_TOKEN_BUF];
    size_t tlen[LX_MAX_LANGS][LX_MAX_PHRASE_WORDS];
    int added = 0;
    if (s->rc)
        return s->rc;
    for (int l = 0; l < nl; l++) {
        for (int j = 0; j < cl->n && j < LX_MAX_PHRASE_WORDS; j++) {
            const lx_qword *w = &q->words[cl->first + j];
            tlen[l][j] = lx_stemmers_term(&s->stem, langs[l], w->tok, w->len, terms[l][j]);
        }
        /* Skip a language whose stems repeat an earlier one's. */
        int dup = 0;
        for (int m = 0; m < l && !dup; m++) {
            int same = 1;
            for (int j = 0; j < cl->n && same; j++)
                same = tlen[m][j] == tlen[l][j] && !memcmp(terms[m][j], terms[l][j], tlen[l][j]);
            dup = same;
        }
        if (dup)
            continue;
        if (s->nqc == LX_MAX_CURSORS)
            return LX_ELIMIT;
        lx_qcur *c = &s->qc[s->nqc];
        memset(c, 0, offsetof(lx_qcur, mem));
        c->clause = clause_id;
        c->field = field;
        c->work = &s->work;
        int r = fill_cursor(s, cl, field, terms[l], tlen[l], qweight, c);
        if (r < 0)
            return r;
        if (!r)
            continue;
        lx_qcur_start(c, &s->sc);
        if (by_lang && c->kind == LX_QK_TERM) {
            c->langs = term_langs(s, c, terms[l][0], tlen[l][0]);
            if (s->rc)
                return s->rc;
        }
        s->nqc++;
        added++;
    }
    return added;
}

/* A translation into a language that holds fewer lectures than its list
 * (a common word of the index's main language, rare in that one): the
 * list walked against the language's lectures would decode a block per
 * lecture of the language.  Its stored list in that language (lpost,
 * store.c) replaces that walk: c becomes a TERM on it.  Its weight stays
 * the whole list's (idf), and so does its list bound, which the
 * all-terms bonus sums: the same scores; its block bounds are its own,
 * tighter.  Returns 1 (c on its list, or unchanged when there is no
 * stored list), 0 when the term has no lecture in the language, or the
 * sticky error. */
static int lpost_cursor(lx_searcher *s, lx_qcur *c, const char *t, size_t n, int lang) {
    MDB_val v;
    int rc = lpost_read(s, t, n, lang, &v);
    if (rc)
        return rc == LX_ENOTFOUND ? 1 : rc;
    if (!v.mv_size)
        return 0;
    if (v.mv_size == 1 && *(const uint8_t *)v.mv_data == LX_LPOST_MOST)
        return 1;
    lx_bound whole = c->pc->lbound;
    if (lx_pcursor_open_limit(c->pc, v.mv_data, v.mv_size, s->st.next_doc))
        return lx_searcher_fail(s, LX_ECORRUPT, NULL, -1, "the list of \"%.*s\" in %s is damaged",
                                (int)n, t, s->langs[lang]);
    c->pc->lbound = whole;
    c->kind = LX_QK_TERM;
    c->ldocs = NULL;
    c->nldocs = 0;
    return 1;
}

/* Whether each word of a translation's phrase c may be in a lecture of
 * its language: 0 when one of them is in none (its stored list in the
 * language is empty, lpost): the phrase matches nothing there, which its
 * walk would learn only by stepping through every lecture of the
 * language where its other words meet.  1 otherwise, or the sticky
 * error. */
static int phrase_in_lang(lx_searcher *s, const lx_qcur *c, char (*terms)[LX_TOKEN_BUF],
                          const size_t *tlen, int lang) {
    for (int j = 0; j < c->nmem; j++) {
        if (c->mem[j]->df < LX_LPOST_MIN)
            continue;
        MDB_val v;
        int rc = lpost_read(s, terms[j], tlen[j], lang, &v);
        if (rc == LX_ENOTFOUND)
            continue;
        if (rc)
            return rc;
        if (!v.mv_size)
            return 0;
    }
    return 1;
}

int lx_plan_add_terms(lx_searcher *s, int clause_id, char (*terms)[LX_TOKEN_BUF],
                      const size_t *tlen, int n, double qweight, int lang) {
    if (s->rc)
        return s->rc;
    if (n < 1 || n > LX_MAX_PHRASE_WORDS)
        return 0;
    if (s->nqc == LX_MAX_CURSORS)
        return LX_ELIMIT;
    lx_qclause cl = {.kind = n == 1 ? LX_QC_WORD : LX_QC_PHRASE, .field = -1, .n = n};
    lx_qcur *c = &s->qc[s->nqc];
    memset(c, 0, offsetof(lx_qcur, mem));
    c->clause = clause_id;
    c->field = -1;
    c->work = &s->work;
    c->langs = lang >= 0 ? 1u << lang : 0;
    MDB_val lv = {0, NULL};
    if (lang >= 0) {
        int rc = lx_searcher_lang(s, lang, &lv);
        if (rc == LX_ENOTFOUND) /* no lecture in it (none left) */
            return 0;
        if (rc)
            return lx_searcher_fail(s, rc, "lang", -1, "cannot read language \"%s\"",
                                    s->langs[lang]);
        if (!lv.mv_size)
            return 0;
    }
    int r = fill_cursor(s, &cl, -1, terms, tlen, qweight, c);
    if (r <= 0)
        return r;
    /* A language that holds every docid (an index of one language) needs
     * no walk of its list. */
    if (lang >= 0 && lv.mv_size / 4 < s->st.next_doc) {
        c->ldocs = lv.mv_data;
        c->nldocs = (uint32_t)(lv.mv_size / 4);
        if (c->kind == LX_QK_TERM) {
            c->kind = LX_QK_LTERM;
            /* A list shorter than its language's (a translation into the
             * index's main language) checks its docs in a bitmap. */
            if (c->pc->df < c->nldocs && !(c->lbits = lx_searcher_lang_bits(s, lang)))
                return s->rc;
        }
    }
    if (lang >= 0 && c->kind == LX_QK_PHRASE && c->ldocs) {
        int l = phrase_in_lang(s, c, terms, tlen, lang);
        if (l <= 0) {
            s->used -= c->nmem; /* a word of it in none of the lectures, or an error */
            return l < 0 ? l : lx_searcher_check_cursor(s, c);
        }
    }
    if (lang >= 0 && c->kind == LX_QK_LTERM && !c->lbits && c->pc->df >= LX_LPOST_MIN) {
        int l = lpost_cursor(s, c, terms[0], tlen[0], lang);
        if (l <= 0) {
            s->used--; /* none of its lectures is in the language, or an error */
            return l < 0 ? l : lx_searcher_check_cursor(s, c);
        }
    }
    lx_qcur_start(c, &s->sc);
    if (c->ldocs && c->doc == LX_DOC_END) { /* none of its lectures is in the language */
        s->used -= c->kind == LX_QK_PHRASE ? c->nmem : 1; /* back to the pool */
        return lx_searcher_check_cursor(s, c);
    }
    s->nqc++;
    return 1;
}

int lx_plan_add_term(lx_searcher *s, int clause, const char *term, size_t len, double qweight) {
    char t[1][LX_TOKEN_BUF];
    if (len >= LX_TOKEN_BUF)
        return 0;
    memcpy(t[0], term, len);
    t[0][len] = 0;
    return lx_plan_add_terms(s, clause, t, &len, 1, qweight, -1);
}

uint32_t lx_plan_term_df(lx_searcher *s, const char *t, size_t n) {
    lx_pcursor *pc = term_cursor(s, t, n, 0);
    if (!pc)
        return 0;
    s->used--; /* only the header was read: the cursor goes back to the pool */
    return pc->df;
}

int lx_plan_word_cursors(lx_searcher *s, const lx_plan *pl, int ci, int clause_id) {
    return clause_cursors(s, &s->q.clauses[ci], clause_id, pl->langs, pl->nl, -1, 1.0, 0);
}

int lx_plan_check(lx_searcher *s) {
    for (int i = 0; i < s->nqc && !s->rc; i++)
        lx_searcher_check_cursor(s, &s->qc[i]);
    return s->rc;
}

/* ORs into b the docs cursor c matches from where it stands, charging
 * the walk's postings to s->work first (a phrase's positions as it
 * goes); once the work is cut, the rest of c is left out.  With k (the
 * match set's), a term's every docid for the ranking's cursor to read
 * goes to k->docs: written into all as the list is walked, or the copy
 * termbits.c keeps of a common word's list, which is then marked from
 * its bitmap (k->kept: the bitmap and saturations kept); NULL when there
 * are none. */
static void mark(lx_searcher *s, lx_qcur *c, uint64_t *b, uint32_t *all, lx_termkept *k) {
    lx_termkept unused;
    int want = k != NULL;
    if (!want)
        k = &unused;
    memset(k, 0, sizeof *k);
    if (lx_work_spend(&s->work, lx_qcur_df(c)))
        return;
    if (c->kind == LX_QK_TERM && c->doc != LX_DOC_END) {
        /* 1: not kept (not common, or no room), walked block by block,
         * without a call per doc. */
        int kept = want && lx_termbits_common(s, c->pc) ? lx_termbits_mark(s, c->pc, b, k) : 1;
        if (kept == 1 && lx_pcursor_mark(c->pc, b, all))
            k->docs = all;
        c->doc = LX_DOC_END;
        return;
    }
    if (c->kind == LX_QK_DOCS) {
        /* A tag's docids as they lie (ascending, checked when opened). */
        for (uint32_t i = c->doc == LX_DOC_END ? c->ndocs : c->i; i < c->ndocs; i++) {
            uint32_t d;
            memcpy(&d, c->docs + (size_t)i * 4, 4);
            b[d / 64] |= 1ull << (d % 64);
        }
        c->doc = LX_DOC_END;
        return;
    }
    for (; c->doc != LX_DOC_END; lx_qcur_next(c))
        b[c->doc / 64] |= 1ull << (c->doc % 64);
}

int lx_plan_clause_mark(lx_searcher *s, const lx_qclause *cl, const int *langs, int nl, int field,
                        uint64_t *b) {
    int from = s->nqc;
    int r = clause_cursors(s, cl, -1, langs, nl, field, 1.0, 0);
    if (r < 0) {
        s->nqc = from;
        return r;
    }
    for (int i = from; i < s->nqc; i++)
        mark(s, &s->qc[i], b, NULL, NULL);
    for (int i = from; i < s->nqc; i++)
        lx_searcher_check_cursor(s, &s->qc[i]);
    s->nqc = from;
    return s->rc;
}

/* Adds the translations of clause cl (index ci) to the r cursors it
 * has; returns the clause's cursors then, or an error. */
static int translate(lx_searcher *s, const lx_plan *pl, const lx_qclause *cl, int ci, int r) {
    if (!pl->cross || pl->stop[ci])
        return r;
    int before = s->nqc;
    int x = lx_xlate_clause(s, pl, cl, pl->nclauses);
    return x < 0 ? x : r + (s->nqc - before);
}

int lx_plan_scored(lx_searcher *s, const lx_rank_params *p, lx_plan *pl) {
    s->nqc = 0;
    pl->nclauses = 0;
    lx_xlate_reset(s);
    /* The ranking of a query of a few words with translations stops the
     * cursors of a language none of whose lectures can enter the top k
     * (rank.c's lang_prune): its words' cursors say their languages (when
     * the searcher has every language of the index: past LX_MAX_LANGS a
     * lecture may be in none of them). */
    int by_lang = pl->cross && s->nlangs > 1 && s->nlangs < LX_MAX_LANGS && pl->content >= 1 &&
                  pl->content <= p->all_terms_first && !pl->question;
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        lx_qclause *cl = &s->q.clauses[ci];
        if (cl->neg || cl->filter || (pl->stop[ci] && pl->content))
            continue;
        int from = s->nqc;
        int r = clause_cursors(s, cl, pl->nclauses, pl->langs, pl->nl, -1, 1.0, by_lang);
        /* Completions of the word being typed first (they may replace its
         * exact cursors), then translations; a word still without cursors
         * in any language is corrected as a typo (in place), and the
         * correction translated in turn, so that a search planned again
         * from the corrected query gets the same cursors. */
        if (r >= 0 && ci == pl->prefix_clause) {
            lx_plan np = *pl;
            np.typos = 0;
            r = lx_fuzzy_clause(s, &np, ci, pl->nclauses, from, r);
        }
        if (r >= 0)
            r = translate(s, pl, cl, ci, r);
        if (r == 0 && (r = lx_fuzzy_clause(s, pl, ci, pl->nclauses, from, 0)) > 0)
            r = translate(s, pl, cl, ci, r);
        if (r == LX_ELIMIT && !s->rc)
            return lx_searcher_fail(s, LX_ELIMIT, NULL, (long)cl->offset, "too many terms");
        if (r < 0)
            return r;
        pl->nclauses++;
    }
    pl->nscored = s->nqc;
    if (s->nqc && lx_tag_boosts(s, pl->langs, pl->nl, pl->ql.code, p->tag_boost))
        return s->rc;
    if (pl->nclauses >= 2 && pl->nclauses <= p->all_terms_first && !pl->question) {
        /* Each matched clause adds more than all BM25F parts together can,
         * so lectures order by words matched, then by score.  (A word whose
         * stems differ by language could count twice in a lecture that has
         * both stems: rare, and harmless.) */
        double big = 0;
        for (int i = 0; i < s->nqc; i++)
            big += s->qc[i].ub;
        big = lx_all_terms_bonus(big);
        for (int i = 0; i < pl->nscored; i++) {
            s->qc[i].bonus = big;
            lx_qcur_start(&s->qc[i], &s->sc);
        }
    }
    return 0;
}

/* A copy of cursor q whose posting cursors are fresh copies from the
 * pool, so walking it leaves q where it is; 0 or the sticky error. */
static int copy_cursor(lx_searcher *s, const lx_qcur *q, lx_qcur *c) {
    *c = *q;
    if (c->kind == LX_QK_TERM || c->kind == LX_QK_LTERM) {
        lx_pcursor *copy = lx_searcher_pcursor(s);
        if (!copy)
            return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        lx_pcursor_copy(copy, q->pc);
        c->pc = copy;
    } else if (c->kind == LX_QK_PHRASE) {
        for (int j = 0; j < c->nmem; j++) {
            lx_pcursor *copy = lx_searcher_pcursor(s);
            if (!copy)
                return lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
            lx_pcursor_copy(copy, q->mem[j]);
            c->mem[j] = copy;
        }
    }
    return 0;
}

int lx_plan_save(lx_searcher *s) {
    for (int i = 0; i < s->nqc; i++)
        if (copy_cursor(s, &s->qc[i], &s->qsave[i]))
            return s->rc;
    return 0;
}

void lx_plan_restore(lx_searcher *s) {
    memcpy(s->qc, s->qsave, (size_t)s->nqc * sizeof *s->qc);
}

/* A list's docids are kept for the cursors after the match set when it
 * has at most KNOWN_MAX_DF (a common word's list at scale is walked as
 * before: its docids would cost more memory traffic than they save), and
 * a call keeps at most KNOWN_MAX_TOTAL (2 MiB a searcher), the first
 * lists that fit. */
#define KNOWN_MAX_DF 65536
#define KNOWN_MAX_TOTAL (1u << 19)

/* The list of qc's docids the match set keeps, or NULL. */
static lx_pcursor *keeps(const lx_qcur *qc) {
    return qc->kind == LX_QK_TERM && qc->pc->df <= KNOWN_MAX_DF ? qc->pc : NULL;
}

/* Room in s->kdocs (at most KNOWN_MAX_TOTAL) for the docids of the
 * cursors of qc[0..n) that keep them; 0 when there is none (then no
 * list's are kept: the cursors unpack their blocks as without). */
static int known_reserve(lx_searcher *s, int n) {
    size_t need = 0;
    for (int i = 0; i < n; i++)
        if (keeps(&s->qc[i]))
            need += s->qc[i].pc->df;
    if (need > KNOWN_MAX_TOTAL)
        need = KNOWN_MAX_TOTAL;
    if (need > s->kdocs_cap) {
        uint32_t *k = realloc(s->kdocs, need * sizeof *k);
        if (!k)
            return 0;
        s->kdocs = k;
        s->kdocs_cap = need;
    }
    return 1;
}

int lx_plan_match_set(lx_searcher *s, const lx_plan *pl, uint64_t *b) {
    int n = pl->phrase && pl->nscored < s->nqc ? pl->nscored : s->nqc;
    memset(b, 0, s->words * 8);
    s->nknown = 0;
    lx_termbits_begin(s);
    int keep = known_reserve(s, n);
    size_t off = 0;
    for (int i = 0; i < n && !s->rc; i++) {
        lx_qcur c;
        if (copy_cursor(s, &s->qc[i], &c))
            break;
        lx_pcursor *pc = keeps(&s->qc[i]); /* the first lists that fit */
        uint32_t *all = keep && pc && off + pc->df <= s->kdocs_cap ? s->kdocs + off : NULL;
        lx_termkept k;
        mark(s, &c, b, all, &k);
        const uint32_t *docs = k.docs;
        if (docs && pc) {
            /* The ranking's cursor on this list reads its blocks' docids
             * from the walk, and a common word's saturations and bitmap
             * when they are kept. */
            lx_pcursor_known(pc, docs);
            if (k.kept.sat)
                lx_pcursor_kept(pc, &k.kept, &s->sc);
            s->known[s->nknown].val = pc->val;
            s->known[s->nknown++].docs = docs;
            if (docs == all)
                off += pc->df;
        }
        lx_searcher_check_cursor(s, &c);
    }
    return s->rc;
}

const uint32_t *lx_plan_known(void *ctx, const void *val) {
    lx_searcher *s = ctx;
    for (int i = 0; i < s->nknown; i++)
        if (s->known[i].val == val)
            return s->known[i].docs;
    return NULL;
}
