/* search.c -- from a query string to ranked hits.
 *
 * One read transaction per call.  The query is parsed, each word stemmed
 * with every language in the index (or the one asked for) and the
 * distinct stems looked up once; filters (tags, language, speaker,
 * exclusions) become one bitmap of permitted docids; the scored clauses
 * become cursors for lx_topk (rank.c); a word run that names a tag adds a
 * boost cursor over that tag's lectures.  Hits get their stored fields and
 * a snippet; facets and the exact total come from one more pass over the
 * matching docids when asked.
 */
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"
#include "feedback.h"
#include "record.h"
#include "searcher.h"
#include "stop.h"
#include "text.h"

double lx_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- searcher ------------------------------------------------------------- */

int lx_searcher_open(lx_index *ix, lx_searcher **out, lx_error *err) {
    lx_searcher *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    s->ix = ix;
    lx_stemmers_init(&s->stem);
    *out = s;
    return 0;
}

static void facetidx_free(lx_facetidx *f);
static void tagforms_free(lx_searcher *s);

void lx_searcher_close(lx_searcher *s) {
    if (!s)
        return;
    lx_store_read_close(s->ix, &s->env, &s->txn);
    for (int i = 0; i < s->npool; i++)
        free(s->pool[i]);
    free(s->pool);
    free(s->invb);
    free(s->allow);
    free(s->tmp);
    free(s->fb);
    free(s->heap);
    lx_buf_free(&s->snip_hits);
    lx_buf_free(&s->snip_desc);
    facetidx_free(&s->ftags);
    facetidx_free(&s->flangs);
    tagforms_free(s);
    lx_related_scratch_free(s->rel);
    lx_stemmers_free(&s->stem);
    free(s);
}

lx_pcursor *lx_searcher_pcursor(lx_searcher *s) {
    if (s->used == s->npool) {
        lx_pcursor **p = realloc(s->pool, (size_t)(s->npool + 16) * sizeof *p);
        if (!p)
            return NULL;
        s->pool = p;
        for (int i = 0; i < 16; i++) {
            if (!(p[s->npool] = malloc(sizeof(lx_pcursor))))
                return NULL;
            s->npool++;
        }
    }
    return s->pool[s->used++];
}

static int params_equal(const lx_rank_params *a, const lx_rank_params *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

int lx_searcher_begin(lx_searcher *s, const lx_rank_params *p, lx_error *err) {
    int rc = lx_store_read_begin(s->ix, &s->env, &s->txn, err);
    if (rc)
        return rc;
    s->txn_live = 1;
    s->used = 0;
    size_t snap = lx_store_snapshot(s->env, mdb_txn_id(s->txn));
    if (s->have_snap && snap == s->snap && params_equal(p, &s->pcache))
        return 0;
    if ((rc = lx_store_stats(s->txn, s->ix, &s->st)))
        return lx_fail(err, rc, NULL, -1, "cannot read index statistics");
    const uint32_t *norms;
    uint32_t nn;
    lx_store_norms(s->txn, s->ix, &norms, &nn);
    if (nn > s->st.next_doc)
        nn = s->st.next_doc;
    size_t need = (size_t)(s->st.next_doc + 1) * LX_NFIELDS;
    if (need > s->invb_cap) {
        float *f = realloc(s->invb, need * sizeof *f);
        if (!f)
            return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
        s->invb = f;
        s->invb_cap = need;
    }
    lx_scorer *sc = &s->sc;
    sc->k1 = p->k1;
    sc->N = s->st.ndocs;
    for (int f = 0; f < LX_NFIELDS; f++) {
        sc->fw[f] = p->weight[f];
        sc->fb[f] = p->b[f];
        sc->avg[f] = s->st.ndocs ? (double)s->st.flen[f] / s->st.ndocs : 1.0;
        if (sc->avg[f] <= 0)
            sc->avg[f] = 1.0;
    }
    for (uint32_t d = 0; d < nn; d++) {
        /* LMDB values are not aligned (a short one follows its key in the
         * page), so the lengths are copied out, never loaded in place. */
        uint32_t len[LX_NFIELDS];
        memcpy(len, (const uint8_t *)norms + (size_t)d * sizeof len, sizeof len);
        for (int f = 0; f < LX_NFIELDS; f++) {
            double norm = 1.0 - sc->fb[f] + sc->fb[f] * len[f] / sc->avg[f];
            s->invb[(size_t)d * LX_NFIELDS + f] = (float)(sc->fw[f] / (norm > 0 ? norm : 1e-9));
        }
    }
    for (size_t i = (size_t)nn * LX_NFIELDS; i < need; i++)
        s->invb[i] = 0;
    sc->invb = s->invb;
    sc->ndocs_map = s->st.next_doc;
    /* Languages present. */
    s->nlangs = 0;
    MDB_cursor *c;
    if (mdb_cursor_open(s->txn, s->ix->langs, &c) == 0) {
        MDB_val k, v;
        for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0 && s->nlangs < LX_MAX_LANGS;
             r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (k.mv_size >= LX_LANG_BYTES)
                continue;
            memcpy(s->langs[s->nlangs], k.mv_data, k.mv_size);
            s->langs[s->nlangs][k.mv_size] = 0;
            s->nlangs++;
        }
        mdb_cursor_close(c);
    }
    s->words = (s->st.next_doc + 64) / 64;
    free(s->allow);
    free(s->tmp);
    free(s->fb);
    s->allow = malloc(s->words * 8);
    s->tmp = malloc(s->words * 8);
    s->fb = malloc(s->words * 8);
    if (!s->allow || !s->tmp || !s->fb)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    s->pcache = *p;
    s->snap = snap;
    s->have_snap = 1;
    return 0;
}

void lx_searcher_end(lx_searcher *s) {
    /* The snippet terms' values point into this transaction's map. */
    s->snip_ready = 0;
    if (s->txn_live)
        mdb_txn_reset(s->txn);
    s->txn_live = 0;
    lx_store_read_idle(s->ix, &s->env, &s->txn);
}

/* ---- bitmaps ----------------------------------------------------------------- */

void lx_bitmap_fill(uint64_t *b, size_t words, uint32_t ndocs) {
    memset(b, 0, words * 8);
    for (uint32_t w = 0; w < ndocs / 64; w++)
        b[w] = ~0ull;
    if (ndocs % 64)
        b[ndocs / 64] = (1ull << (ndocs % 64)) - 1;
}

static void bitmap_set_list(uint64_t *b, size_t words, const void *docs, size_t n) {
    const uint8_t *p = docs;
    for (size_t i = 0; i < n; i++) {
        uint32_t d;
        memcpy(&d, p + i * 4, 4);
        if (d / 64 < words)
            b[d / 64] |= 1ull << (d % 64);
    }
}

void lx_bitmap_and_list(uint64_t *b, uint64_t *tmp, size_t words, const void *docs, size_t n) {
    memset(tmp, 0, words * 8);
    bitmap_set_list(tmp, words, docs, n);
    for (size_t i = 0; i < words; i++)
        b[i] &= tmp[i];
}

/* Bits set in a[i] & b[i] over n words (b NULL: in a).  With the CPU's
 * popcount instruction where it has one (checked once at run time; the
 * portable build's __builtin_popcountll is a library call). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_POPCNT_DISPATCH 1
__attribute__((target("popcnt"))) static uint64_t count_and_hw(const uint64_t *a, const uint64_t *b,
                                                               size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint64_t)__builtin_popcountll(b ? a[i] & b[i] : a[i]);
    return c;
}
#endif

static uint64_t count_and(const uint64_t *a, const uint64_t *b, size_t n) {
#ifdef HAVE_POPCNT_DISPATCH
    static atomic_int hw = -1; /* unknown yet */
    int h = atomic_load_explicit(&hw, memory_order_relaxed);
    if (h < 0) {
        __builtin_cpu_init();
        h = __builtin_cpu_supports("popcnt") ? 1 : 0;
        atomic_store_explicit(&hw, h, memory_order_relaxed);
    }
    if (h)
        return count_and_hw(a, b, n);
#endif
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (uint64_t)__builtin_popcountll(b ? a[i] & b[i] : a[i]);
    return c;
}

static uint64_t bitmap_count(const uint64_t *b, size_t words) {
    return count_and(b, NULL, words);
}

/* ---- building cursors ----------------------------------------------------- */

/* Looks up a term's posting list; 0 when found. */
static int term_lists(lx_searcher *s, const char *t, size_t n, MDB_val *post, MDB_val *pos) {
    MDB_val k = {n, (void *)t};
    if (mdb_get(s->txn, s->ix->post, &k, post))
        return -1;
    if (pos && mdb_get(s->txn, s->ix->pos, &k, pos)) {
        pos->mv_size = 0;
        pos->mv_data = NULL;
    }
    return 0;
}

/* Query languages: the asked ones, else every language in the index. */
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

/* Query languages: the asked ones, else every language in the index.  An
 * asked language the index lacks matches nothing, so its stemmer is never
 * opened: the searcher's set stays within the index's languages whatever
 * the queries ask (once full, a lookup would fail). */
static int query_langs(lx_searcher *s, const lx_search_opts *o, int *idx) {
    int n = 0;
    char code[LX_LANG_BYTES];
    const char *asked[LX_MAX_QUERY_TERMS + 1];
    int nasked = 0;
    if (o->lang && o->lang[0] && lx_lang_normalise(o->lang, code) == 0)
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

/* Adds cursors for clause ci; returns how many were added (-1 on full). */
static int clause_cursors(lx_searcher *s, const lx_qclause *cl, int clause_id, const int *langs,
                          int nl, int field, double qweight) {
    const lx_query *q = &s->q;
    char terms[LX_MAX_LANGS][LX_MAX_PHRASE_WORDS][LX_TOKEN_BUF];
    size_t tlen[LX_MAX_LANGS][LX_MAX_PHRASE_WORDS];
    int added = 0;
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
            return -1;
        lx_qcur *c = &s->qc[s->nqc];
        memset(c, 0, offsetof(lx_qcur, mem));
        c->clause = clause_id;
        c->field = field;
        if (cl->kind == LX_QC_WORD && field < 0) {
            MDB_val pv;
            if (term_lists(s, terms[l][0], tlen[l][0], &pv, NULL))
                continue;
            lx_pcursor *pc = lx_searcher_pcursor(s);
            if (!pc || lx_pcursor_open(pc, pv.mv_data, pv.mv_size))
                continue;
            c->kind = LX_QK_TERM;
            c->pc = pc;
            c->w = lx_idf(s->sc.N, pc->df) * (s->sc.k1 + 1) * qweight;
        } else {
            int ok = 1;
            c->kind = LX_QK_PHRASE;
            c->nmem = cl->n;
            for (int j = 0; j < cl->n && ok; j++) {
                MDB_val pv, xv;
                if (term_lists(s, terms[l][j], tlen[l][j], &pv, &xv)) {
                    ok = 0;
                    break;
                }
                lx_pcursor *pc = lx_searcher_pcursor(s);
                if (!pc || lx_pcursor_open(pc, pv.mv_data, pv.mv_size)) {
                    ok = 0;
                    break;
                }
                pc->pos = xv.mv_data;
                pc->pend = (const uint8_t *)xv.mv_data + xv.mv_size;
                c->mem[j] = pc;
                c->mw[j] = lx_idf(s->sc.N, pc->df) * (s->sc.k1 + 1) * qweight;
            }
            if (!ok)
                continue;
        }
        lx_qcur_start(c, &s->sc);
        s->nqc++;
        added++;
    }
    return added;
}

/* Marks in b every doc the clause matches (b is OR-ed into). */
static int clause_mark(lx_searcher *s, const lx_qclause *cl, const int *langs, int nl, int field,
                       uint64_t *b) {
    int from = s->nqc;
    if (clause_cursors(s, cl, -1, langs, nl, field, 1.0) < 0)
        return LX_ELIMIT;
    for (int i = from; i < s->nqc; i++)
        for (lx_qcur *c = &s->qc[i]; c->doc != LX_DOC_END; lx_qcur_next(c))
            b[c->doc / 64] |= 1ull << (c->doc % 64);
    s->nqc = from;
    return 0;
}

/* Boost cursors for runs of query words that name a tag. */
static void tagforms_free(lx_searcher *s) {
    lx_strmap_free(&s->tf_forms);
    free(s->tf_group);
    free(s->tf_tag);
    lx_buf_free(&s->tf_names);
    s->tf_group = s->tf_tag = NULL;
    s->tf_have = 0;
}

/* Loads the tagstem database (a few hundred forms) for this snapshot;
 * forms and their tags in database order, so lookups find what a cursor
 * on it would, in the same order. */
static int tagforms_load(lx_searcher *s) {
    if (s->tf_have && s->tf_snap == s->snap)
        return 0;
    tagforms_free(s);
    lx_strmap_init(&s->tf_forms);
    MDB_cursor *mc;
    if (mdb_cursor_open(s->txn, s->ix->tagstem, &mc))
        return LX_EIO;
    size_t ngroups = 0, ntags = 0, capg = 0, capt = 0;
    int rc = 0;
    MDB_val k, v, last = {0, NULL};
    for (int r = mdb_cursor_get(mc, &k, &v, MDB_FIRST); r == 0 && !rc;
         r = mdb_cursor_get(mc, &k, &v, MDB_NEXT)) {
        if (ngroups + 2 > capg) {
            capg = capg ? capg * 2 : 256;
            uint32_t *g = realloc(s->tf_group, capg * sizeof *g);
            if (!g) {
                rc = LX_ENOMEM;
                break;
            }
            s->tf_group = g;
        }
        if (ntags + 1 > capt) {
            capt = capt ? capt * 2 : 256;
            uint32_t *t = realloc(s->tf_tag, capt * sizeof *t);
            if (!t) {
                rc = LX_ENOMEM;
                break;
            }
            s->tf_tag = t;
        }
        if (!last.mv_data || k.mv_size != last.mv_size ||
            memcmp(k.mv_data, last.mv_data, k.mv_size)) {
            s->tf_group[ngroups] = (uint32_t)ntags;
            if (!lx_strmap_put(&s->tf_forms, k.mv_data, k.mv_size, lx_hash(k.mv_data, k.mv_size),
                               (uint32_t)ngroups, NULL))
                rc = LX_ENOMEM;
            ngroups++;
            last = k;
        }
        s->tf_tag[ntags++] = (uint32_t)s->tf_names.n;
        if (lx_buf_append(&s->tf_names, v.mv_data, v.mv_size) || lx_buf_append(&s->tf_names, "", 1))
            rc = LX_ENOMEM;
    }
    mdb_cursor_close(mc);
    if (!rc && !s->tf_group && !(s->tf_group = malloc(sizeof *s->tf_group)))
        rc = LX_ENOMEM;
    if (rc) {
        tagforms_free(s);
        return rc;
    }
    s->tf_group[ngroups] = (uint32_t)ntags;
    s->tf_snap = s->snap;
    s->tf_have = 1;
    return 0;
}

static void tag_boosts(lx_searcher *s, const int *langs, int nl, double boost) {
    const lx_query *q = &s->q;
    char seen[16][LX_MAX_TAG_BYTES * 3 + 1];
    int nseen = 0;
    if (boost <= 0 || tagforms_load(s))
        return;
    /* Runs of words span consecutive scored clauses, so that `higher
     * education` names the tag "higher education" as the quoted phrase
     * does; an exclusion or a filter ends a run. */
    for (int ci = 0; ci < q->nclauses;) {
        int run[LX_MAX_QUERY_TERMS], nrun = 0;
        for (; ci < q->nclauses; ci++) {
            const lx_qclause *cl = &q->clauses[ci];
            if (cl->neg || cl->filter) {
                ci++;
                break;
            }
            for (int j = 0; j < cl->n && nrun < LX_MAX_QUERY_TERMS; j++)
                run[nrun++] = cl->first + j;
        }
        for (int a = 0; a < nrun; a++) {
            for (int len = 1; len <= 4 && a + len <= nrun; len++) {
                for (int l = 0; l < nl; l++) {
                    char form[LX_TOKEN_BUF * 4 + 4];
                    size_t n = 0;
                    for (int j = 0; j < len; j++) {
                        char t[LX_TOKEN_BUF];
                        const lx_qword *w = &q->words[run[a + j]];
                        size_t tl = lx_stemmers_term(&s->stem, langs[l], w->tok, w->len, t);
                        if (j)
                            form[n++] = ' ';
                        memcpy(form + n, t, tl);
                        n += tl;
                    }
                    uint32_t *gi = lx_strmap_get(&s->tf_forms, form, n, lx_hash(form, n));
                    if (!gi)
                        continue;
                    for (uint32_t ti = s->tf_group[*gi]; ti < s->tf_group[*gi + 1]; ti++) {
                        const char *tag = (const char *)s->tf_names.p + s->tf_tag[ti];
                        MDB_val v = {strlen(tag), (void *)tag};
                        if (v.mv_size > LX_MAX_TAG_BYTES * 3 || nseen == 16 ||
                            s->nqc == LX_MAX_CURSORS)
                            break;
                        int dup = 0;
                        for (int i = 0; i < nseen && !dup; i++)
                            dup = strlen(seen[i]) == v.mv_size &&
                                  !memcmp(seen[i], v.mv_data, v.mv_size);
                        if (dup)
                            continue;
                        memcpy(seen[nseen], v.mv_data, v.mv_size);
                        seen[nseen][v.mv_size] = 0;
                        nseen++;
                        MDB_val tk = {v.mv_size, v.mv_data}, tv;
                        if (mdb_get(s->txn, s->ix->tags, &tk, &tv) || !tv.mv_size)
                            continue;
                        lx_qcur *c = &s->qc[s->nqc++];
                        memset(c, 0, offsetof(lx_qcur, mem));
                        c->kind = LX_QK_DOCS;
                        c->clause = -1;
                        c->docs = tv.mv_data;
                        c->ndocs = (uint32_t)(tv.mv_size / 4);
                        c->w = boost * (s->sc.k1 + 1) * lx_idf(s->sc.N, c->ndocs) / 2;
                        lx_qcur_start(c, &s->sc);
                    }
                }
            }
        }
    }
}

/* Cursors for the scored clauses (stopwords left out when flagged and
 * other words remain) and the tag boosts.  *nclauses counts the clauses. */
static int scored_cursors(lx_searcher *s, const lx_rank_params *p, const int *langs, int nl,
                          const char *stop, int content, int *nclauses, int *nterms,
                          lx_error *err) {
    s->nqc = 0;
    *nclauses = 0;
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        lx_qclause *cl = &s->q.clauses[ci];
        if (cl->neg || cl->filter || (stop[ci] && content))
            continue;
        if (clause_cursors(s, cl, *nclauses, langs, nl, -1, 1.0) < 0)
            return lx_fail(err, LX_ELIMIT, NULL, (long)cl->offset, "too many terms");
        (*nclauses)++;
    }
    *nterms = s->nqc;
    if (s->nqc)
        tag_boosts(s, langs, nl, p->tag_boost);
    if (*nclauses >= 2 && *nclauses <= p->all_terms_first) {
        /* Each matched clause adds more than all BM25F parts together can,
         * so lectures order by words matched, then by score.  (A word whose
         * stems differ by language could count twice in a lecture that has
         * both stems: rare, and harmless.) */
        double big = 0;
        for (int i = 0; i < s->nqc; i++)
            big += s->qc[i].ub;
        big = ceil(big + 1.0);
        for (int i = 0; i < *nterms; i++) {
            s->qc[i].bonus = big;
            lx_qcur_start(&s->qc[i], &s->sc);
        }
    }
    return 0;
}

/* ---- results --------------------------------------------------------------- */

struct lx_resbuild {
    lx_buf arena;
    size_t n, cap;
    struct hitoff {
        size_t id, title, meta, snippet, tags, terms;
        const char *field;
        double score, start;
        size_t ntags, nterms;
    } * h;
};

lx_resbuild *lx_resbuild_new(size_t n) {
    lx_resbuild *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cap = n ? n : 1;
    b->h = calloc(b->cap, sizeof *b->h);
    if (!b->h) {
        free(b);
        return NULL;
    }
    return b;
}

void lx_resbuild_free(lx_resbuild *b) {
    if (!b)
        return;
    lx_buf_free(&b->arena);
    free(b->h);
    free(b);
}

static size_t arena_str(lx_buf *a, const char *s, size_t n) {
    size_t at = a->n;
    if (lx_buf_append(a, s, n) || lx_buf_append(a, "", 1))
        return (size_t)-1;
    return at;
}

/* A snippet from where the query's terms occur in doc (positions index):
 * no re-tokenising and no stemming of the lecture's text. */
static int snippet_from_index(lx_searcher *s, uint32_t doc, const lx_docview *v, int with_terms,
                              lx_buf *out, const char **field, double *start) {
    static const int fields[2] = {LX_F_DESCRIPTION, LX_F_TRANSCRIPT};
    uint32_t n[2] = {0, 0};
    size_t off[2] = {0, 0};
    lx_buf *hb = &s->snip_hits;
    hb->n = 0;
    uint32_t tmp[4096];
    for (int k = 0; k < 2; k++) {
        off[k] = hb->n;
        for (int t = 0; with_terms && t < s->snip.n; t++) {
            if (!s->snip_post[t].mv_data)
                continue;
            lx_pcursor *pc = lx_searcher_pcursor(s);
            if (!pc)
                continue;
            s->used--; /* give the cursor back: it is done with here */
            if (lx_pcursor_open_at(pc, s->snip_post[t].mv_data, s->snip_post[t].mv_size, doc) ||
                pc->doc != doc)
                continue;
            pc->pos = s->snip_pos[t].mv_data;
            pc->pend = (const uint8_t *)s->snip_pos[t].mv_data + s->snip_pos[t].mv_size;
            uint32_t np = lx_pcursor_positions(pc, fields[k], tmp, 4096);
            if (lx_buf_reserve(hb, np * sizeof(lx_snip_pos)))
                return LX_ENOMEM;
            lx_snip_pos *dst = (lx_snip_pos *)(hb->p + hb->n);
            for (uint32_t i = 0; i < np; i++)
                dst[i] = (lx_snip_pos){tmp[i], t};
            hb->n += np * sizeof(lx_snip_pos);
            n[k] += np;
        }
    }
    /* Each term's positions come sorted: merge the runs (a handful). */
    lx_snip_pos *h[2];
    for (int k = 0; k < 2; k++) {
        size_t bytes = n[k] * sizeof(lx_snip_pos);
        if (lx_buf_reserve(hb, bytes))
            return LX_ENOMEM;
        lx_snip_pos *src = (lx_snip_pos *)(hb->p + off[k]);
        lx_snip_pos *dst = (lx_snip_pos *)(hb->p + hb->n);
        uint32_t head[LX_MAX_QUERY_TERMS * 4], end[LX_MAX_QUERY_TERMS * 4];
        int nr = 0;
        for (uint32_t i = 0; i < n[k]; i++) {
            if (i == 0 || src[i].term != src[i - 1].term) {
                if (nr == LX_MAX_QUERY_TERMS * 4)
                    break;
                head[nr] = i;
                if (nr)
                    end[nr - 1] = i;
                nr++;
            }
        }
        if (nr)
            end[nr - 1] = n[k];
        for (uint32_t o = 0; o < n[k]; o++) {
            int best = -1;
            for (int r = 0; r < nr; r++)
                if (head[r] < end[r] && (best < 0 || src[head[r]].pos < src[head[best]].pos))
                    best = r;
            if (best < 0)
                break;
            dst[o] = src[head[best]++];
        }
        off[k] = hb->n;
        hb->n += bytes;
    }
    h[0] = (lx_snip_pos *)(hb->p + off[0]);
    h[1] = (lx_snip_pos *)(hb->p + off[1]);
    /* The description is read (a JSON parse) only when it may be shown:
     * it has a hit, or nothing has one and its opening is the snippet. */
    const char *desc = NULL;
    if (n[0] || !n[1]) {
        int found = lx_meta_string(v->meta, v->h.meta_len, "description", &s->snip_desc);
        if (found < 0)
            return found;
        desc = found ? (const char *)s->snip_desc.p : NULL;
    }
    return lx_snippet_from_positions(v, desc, &s->snip, h, n, out, field, start);
}

int lx_resbuild_hit(lx_resbuild *b, lx_searcher *s, uint32_t doc, double score, int snippets,
                    const char *const *shared_tags, size_t n_shared_tags,
                    const char *const *shared_terms, size_t n_shared_terms) {
    lx_docview v;
    int rc = lx_store_doc(s->txn, s->ix, doc, &v);
    if (rc)
        return rc;
    if (b->n == b->cap)
        return LX_EINVAL;
    struct hitoff *h = &b->h[b->n];
    memset(h, 0, sizeof *h);
    h->score = score;
    h->start = -1;
    h->field = "";
    h->id = arena_str(&b->arena, v.id, v.h.id_len);
    h->title = arena_str(&b->arena, v.title, v.h.title_len);
    h->meta = arena_str(&b->arena, v.meta, v.h.meta_len);
    if (snippets) {
        h->snippet = b->arena.n;
        /* Without a query (related lectures) the snippet is the opening. */
        rc = snippet_from_index(s, doc, &v, s->snip_ready, &b->arena, &h->field, &h->start);
        if (rc)
            return rc;
    } else {
        h->snippet = arena_str(&b->arena, "", 0);
    }
    h->tags = b->arena.n;
    for (size_t i = 0; i < n_shared_tags; i++)
        arena_str(&b->arena, shared_tags[i], strlen(shared_tags[i]));
    h->ntags = n_shared_tags;
    h->terms = b->arena.n;
    for (size_t i = 0; i < n_shared_terms; i++)
        arena_str(&b->arena, shared_terms[i], strlen(shared_terms[i]));
    h->nterms = n_shared_terms;
    if (h->id == (size_t)-1 || h->title == (size_t)-1 || h->meta == (size_t)-1)
        return LX_ENOMEM;
    b->n++;
    return 0;
}

static int cmp_facet(const void *a, const void *b) {
    const lx_facet *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Max-heap of n u64s: moves a[i] down to its place. */
static void sift_down(uint64_t *a, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && a[l] > a[m])
            m = l;
        if (r < n && a[r] > a[m])
            m = r;
        if (m == i)
            return;
        uint64_t t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
    }
}

static void facetidx_free(lx_facetidx *f) {
    lx_buf_free(&f->names);
    free(f->name_off);
    free(f->doc_off);
    free(f->vals);
    free(f->counts);
    free(f->dense_ids);
    free(f->dense_bm);
    free(f->sparse_bm);
    memset(f, 0, sizeof *f);
}

/* A value is counted from a bitmap when it is in more than 1/32 of the
 * lectures: one AND and popcount per 64 lectures then costs less than a
 * step per matched lecture that has it. */
static int facet_dense(uint32_t df, uint32_t nd) {
    return (uint64_t)df * 32 > nd;
}

/* Builds f from dbi (value -> u32 docids) for the current snapshot. */
static int facetidx_build(lx_searcher *s, MDB_dbi dbi, lx_facetidx *f) {
    facetidx_free(f);
    uint32_t nd = s->st.next_doc;
    f->doc_off = calloc((size_t)nd + 2, sizeof *f->doc_off);
    if (!f->doc_off)
        return LX_ENOMEM;
    MDB_cursor *c;
    if (mdb_cursor_open(s->txn, dbi, &c))
        return LX_EIO;
    MDB_val k, v;
    size_t total = 0, cap = 0;
    /* Pass 1: names, which values are dense, and how many sparse values
     * each doc has. */
    for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (f->nvals == cap) {
            cap = cap ? cap * 2 : 64;
            uint32_t *no = realloc(f->name_off, cap * sizeof *no);
            if (!no) {
                mdb_cursor_close(c);
                return LX_ENOMEM;
            }
            f->name_off = no;
        }
        f->name_off[f->nvals++] = (uint32_t)f->names.n;
        lx_buf_append(&f->names, k.mv_data, k.mv_size);
        lx_buf_append(&f->names, "", 1);
        if (facet_dense((uint32_t)(v.mv_size / 4), nd)) {
            f->ndense++;
            continue;
        }
        for (size_t i = 0; i < v.mv_size / 4; i++) {
            uint32_t d;
            memcpy(&d, (const uint8_t *)v.mv_data + i * 4, 4);
            if (d < nd)
                f->doc_off[d + 1]++;
        }
        total += v.mv_size / 4;
    }
    for (uint32_t d = 0; d < nd; d++)
        f->doc_off[d + 1] += f->doc_off[d];
    f->vals = malloc((total ? total : 1) * sizeof *f->vals);
    f->counts = calloc(f->nvals ? f->nvals : 1, sizeof *f->counts);
    f->dense_ids = malloc((f->ndense ? f->ndense : 1) * sizeof *f->dense_ids);
    f->dense_bm = calloc(f->ndense ? (size_t)f->ndense * s->words : 1, sizeof *f->dense_bm);
    f->sparse_bm = calloc(s->words ? s->words : 1, sizeof *f->sparse_bm);
    uint32_t *fill = calloc((size_t)nd + 1, sizeof *fill);
    if (!f->vals || !f->counts || !f->dense_ids || !f->dense_bm || !f->sparse_bm || !fill) {
        free(fill);
        mdb_cursor_close(c);
        return LX_ENOMEM;
    }
    /* Pass 2: the dense values' bitmaps, each doc's sparse value ids. */
    uint32_t id = 0, nden = 0;
    for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0 && id < f->nvals;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT), id++) {
        uint64_t *bm = NULL;
        if (facet_dense((uint32_t)(v.mv_size / 4), nd) && nden < f->ndense) {
            f->dense_ids[nden] = id;
            bm = f->dense_bm + (size_t)nden++ * s->words;
        }
        for (size_t i = 0; i < v.mv_size / 4; i++) {
            uint32_t d;
            memcpy(&d, (const uint8_t *)v.mv_data + i * 4, 4);
            if (d >= nd)
                continue;
            if (bm) {
                bm[d / 64] |= 1ull << (d % 64);
            } else {
                f->vals[f->doc_off[d] + fill[d]++] = id;
                f->sparse_bm[d / 64] |= 1ull << (d % 64);
            }
        }
    }
    free(fill);
    mdb_cursor_close(c);
    f->snap = s->snap;
    return 0;
}

/* Leaves the `keep` smallest of a[0..n) in a[0..keep), ascending, and
 * returns how many that is: a bounded max-heap, then a sort of the few. */
static size_t smallest_sorted(uint64_t *a, size_t n, size_t keep) {
    if (keep < n) {
        for (size_t j = keep / 2; j-- > 0;) /* a[0..keep) becomes a max-heap */
            sift_down(a, keep, j);
        for (size_t i = keep; keep && i < n; i++) {
            if (a[i] < a[0]) {
                a[0] = a[i];
                sift_down(a, keep, 0);
            }
        }
        n = keep;
    }
    qsort(a, n, sizeof *a, cmp_u64);
    return n;
}

/* Counts the matched docs' facet values (see lx_facetidx) and lists the
 * `limit` most frequent. */
static int facet_counts(lx_searcher *s, MDB_dbi dbi, lx_facetidx *fi, const uint64_t *matched,
                        unsigned limit, lx_buf *keys, lx_facet **out, size_t *nout) {
    int rc;
    if (fi->snap != s->snap && (rc = facetidx_build(s, dbi, fi)))
        return rc;
    memset(fi->counts, 0, (fi->nvals ? fi->nvals : 1) * sizeof *fi->counts);
    for (uint32_t j = 0; j < fi->ndense; j++)
        fi->counts[fi->dense_ids[j]] =
            (uint32_t)count_and(matched, fi->dense_bm + (size_t)j * s->words, s->words);
    uint32_t nd = s->st.next_doc;
    for (size_t w = 0; w < s->words; w++) {
        uint64_t bits = matched[w] & fi->sparse_bm[w];
        while (bits) {
            uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
            bits &= bits - 1;
            if (d >= nd)
                break;
            for (uint32_t j = fi->doc_off[d]; j < fi->doc_off[d + 1]; j++)
                fi->counts[fi->vals[j]]++;
        }
    }
    size_t n = 0;
    for (uint32_t i = 0; i < fi->nvals; i++)
        n += fi->counts[i] != 0;
    lx_facet *f = malloc((n ? n : 1) * sizeof *f);
    uint64_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!f || !order) {
        free(f);
        free(order);
        return LX_ENOMEM;
    }
    /* By count desc, then by value: value ids follow the database's key
     * order, so one integer sort does it. */
    n = 0;
    for (uint32_t i = 0; i < fi->nvals; i++)
        if (fi->counts[i])
            order[n++] = ((uint64_t)(UINT32_MAX - fi->counts[i]) << 32) | i;
    n = smallest_sorted(order, n, limit);
    for (size_t j = 0; j < n; j++) {
        uint32_t i = (uint32_t)order[j];
        const char *name = (const char *)fi->names.p + fi->name_off[i];
        f[j].value = (const char *)(uintptr_t)keys->n;
        f[j].count = fi->counts[i];
        lx_buf_append(keys, name, strlen(name) + 1);
    }
    free(order);
    *out = f;
    *nout = n;
    return 0;
}

int lx_resbuild_finish(lx_resbuild *b, lx_searcher *s, const uint64_t *matched, uint64_t total,
                       unsigned facets, double t0, lx_results **out) {
    lx_facet *tf = NULL, *lf = NULL;
    size_t ntf = 0, nlf = 0;
    size_t facet_base = b->arena.n;
    int rc = 0;
    if (facets && matched) {
        lx_buf keys = {0};
        if ((rc = facet_counts(s, s->ix->tags, &s->ftags, matched, facets, &keys, &tf, &ntf)) ||
            (rc = facet_counts(s, s->ix->langs, &s->flangs, matched, facets, &keys, &lf, &nlf))) {
            free(tf);
            lx_buf_free(&keys);
            return rc;
        }
        lx_buf_append(&b->arena, keys.p, keys.n);
        lx_buf_free(&keys);
    }
    size_t hsz = b->n * sizeof(lx_hit);
    size_t fsz = (ntf + nlf) * sizeof(lx_facet);
    size_t ptrs = 0;
    for (size_t i = 0; i < b->n; i++)
        ptrs += b->h[i].ntags + b->h[i].nterms;
    lx_results *r = malloc(sizeof *r + hsz + fsz + ptrs * sizeof(char *) + b->arena.n + 1);
    if (!r) {
        free(tf);
        free(lf);
        return LX_ENOMEM;
    }
    lx_hit *hits = (lx_hit *)(r + 1);
    lx_facet *fac = (lx_facet *)((char *)hits + hsz);
    const char **pp = (const char **)((char *)fac + fsz);
    char *arena = (char *)(pp + ptrs);
    if (b->arena.n)
        memcpy(arena, b->arena.p, b->arena.n);
    for (size_t i = 0; i < b->n; i++) {
        struct hitoff *h = &b->h[i];
        lx_hit *x = &hits[i];
        x->id = arena + h->id;
        x->title = arena + h->title;
        x->meta_json = arena + h->meta;
        x->snippet = arena + h->snippet;
        x->snippet_field = h->field;
        x->snippet_start = h->start;
        x->score = h->score;
        x->n_shared_tags = h->ntags;
        x->shared_tags = pp;
        const char *q = arena + h->tags;
        for (size_t j = 0; j < h->ntags; j++) {
            *pp++ = q;
            q += strlen(q) + 1;
        }
        x->n_shared_terms = h->nterms;
        x->shared_terms = pp;
        q = arena + h->terms;
        for (size_t j = 0; j < h->nterms; j++) {
            *pp++ = q;
            q += strlen(q) + 1;
        }
    }
    for (size_t i = 0; i < ntf; i++) {
        fac[i].value = arena + facet_base + (size_t)(uintptr_t)tf[i].value;
        fac[i].count = tf[i].count;
    }
    for (size_t i = 0; i < nlf; i++) {
        fac[ntf + i].value = arena + facet_base + (size_t)(uintptr_t)lf[i].value;
        fac[ntf + i].count = lf[i].count;
    }
    free(tf);
    free(lf);
    /* facet_counts gave them in order (count desc, then value). */
    r->total = total;
    r->n = b->n;
    r->hits = hits;
    r->n_tag_facets = ntf;
    r->tag_facets = fac;
    r->n_lang_facets = nlf;
    r->lang_facets = fac + ntf;
    r->took_ms = lx_now_ms() - t0;
    *out = r;
    return 0;
}

void lx_results_free(lx_results *r) {
    free(r);
}

/* ---- search ------------------------------------------------------------------ */

/* Fills s->allow from the filters; returns 1 when any filter applies. */
static int build_filter(lx_searcher *s, const lx_search_opts *o, const int *langs, int nl,
                        lx_error *err) {
    int any = 0;
    lx_bitmap_fill(s->allow, s->words, s->st.next_doc);
    /* Tags: from the option (comma-separated) and tag: in the query. */
    char tag[LX_MAX_TAG_BYTES * 3 + 1];
    const char *p = o->tags;
    while (p && *p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > LX_MAX_TAG_BYTES)
            return lx_fail(err, LX_ELIMIT, "tags", -1, "tag longer than %d bytes",
                           LX_MAX_TAG_BYTES);
        size_t kl = lx_tag_normalise(p, n, tag, sizeof tag);
        if (kl) {
            MDB_val k = {kl, tag}, v = {0, NULL};
            mdb_get(s->txn, s->ix->tags, &k, &v);
            lx_bitmap_and_list(s->allow, s->tmp, s->words, v.mv_data, v.mv_size / 4);
            any = 1;
        }
        p = e ? e + 1 : NULL;
    }
    for (int i = 0; i < s->q.ntags; i++) {
        MDB_val k = {strlen(s->q.tags[i]), s->q.tags[i]}, v = {0, NULL};
        mdb_get(s->txn, s->ix->tags, &k, &v);
        lx_bitmap_and_list(s->allow, s->tmp, s->words, v.mv_data, v.mv_size / 4);
        any = 1;
    }
    /* Languages: any of the asked ones. */
    char code[LX_LANG_BYTES];
    int nlf = 0;
    memset(s->tmp, 0, s->words * 8);
    if (o->lang && o->lang[0]) {
        if (lx_lang_normalise(o->lang, code) != 0)
            return lx_fail(err, LX_EINVAL, "lang", -1, "not a language code: \"%.32s\"", o->lang);
        MDB_val k = {strlen(code), code}, v = {0, NULL};
        mdb_get(s->txn, s->ix->langs, &k, &v);
        bitmap_set_list(s->tmp, s->words, v.mv_data, v.mv_size / 4);
        nlf++;
    }
    for (int i = 0; i < s->q.nlangs; i++) {
        MDB_val k = {strlen(s->q.langs[i]), s->q.langs[i]}, v = {0, NULL};
        mdb_get(s->txn, s->ix->langs, &k, &v);
        bitmap_set_list(s->tmp, s->words, v.mv_data, v.mv_size / 4);
        nlf++;
    }
    if (nlf) {
        for (size_t i = 0; i < s->words; i++)
            s->allow[i] &= s->tmp[i];
        any = 1;
    }
    /* Speaker phrases (option and speaker: clauses) and exclusions. */
    lx_query *q = &s->q;
    if (o->speaker && o->speaker[0]) {
        /* The option is one phrase in the speaker field. */
        size_t sl = strlen(o->speaker);
        if (sl > LX_MAX_QUERY_BYTES - 2)
            return lx_fail(err, LX_ELIMIT, "speaker", -1, "longer than %d bytes",
                           LX_MAX_QUERY_BYTES - 2);
        char buf[LX_MAX_QUERY_BYTES + 1];
        buf[0] = '"';
        for (size_t i = 0; i < sl; i++)
            buf[i + 1] = o->speaker[i] == '"' ? ' ' : o->speaker[i];
        buf[sl + 1] = '"';
        int rc = lx_query_parse(buf, sl + 2, &s->q2, err);
        if (rc)
            return rc;
        if (!s->q2.nclauses) {
            /* A speaker without a word ("-", "!!") matches nobody. */
            memset(s->allow, 0, s->words * 8);
            any = 1;
        } else if (q->nwords + s->q2.clauses[0].n <= LX_MAX_QUERY_TERMS &&
                   q->nclauses < LX_MAX_QUERY_TERMS) {
            int first = q->nwords;
            for (int j = 0; j < s->q2.clauses[0].n; j++)
                q->words[q->nwords++] = s->q2.words[s->q2.clauses[0].first + j];
            lx_qclause *cl = &q->clauses[q->nclauses++];
            *cl = s->q2.clauses[0];
            cl->first = first;
            cl->filter = 1;
            cl->field = LX_F_SPEAKER;
        } else {
            return lx_fail(err, LX_ELIMIT, "speaker", -1, "too many terms with the query");
        }
    }
    for (int ci = 0; ci < q->nclauses; ci++) {
        lx_qclause *cl = &q->clauses[ci];
        if (!cl->filter && !cl->neg)
            continue;
        memset(s->tmp, 0, s->words * 8);
        lx_qclause c2 = *cl;
        if (cl->filter)
            c2.kind = LX_QC_PHRASE;
        int rc = clause_mark(s, &c2, langs, nl, cl->filter ? cl->field : -1, s->tmp);
        if (rc)
            return lx_fail(err, rc, NULL, (long)cl->offset, "too many terms");
        if (cl->neg)
            for (size_t i = 0; i < s->words; i++)
                s->allow[i] &= ~s->tmp[i];
        else
            for (size_t i = 0; i < s->words; i++)
                s->allow[i] &= s->tmp[i];
        any = 1;
    }
    return any;
}

int lx_search_filter(lx_searcher *s, const lx_search_opts *o, lx_error *err) {
    int langs[LX_MAX_LANGS];
    int nl = query_langs(s, o, langs);
    return build_filter(s, o, langs, nl, err);
}

/* Live docs: every lecture has exactly one language. */
static void live_docs(lx_searcher *s, uint64_t *b) {
    memset(b, 0, s->words * 8);
    MDB_cursor *c;
    if (mdb_cursor_open(s->txn, s->ix->langs, &c))
        return;
    MDB_val k, v;
    for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0;
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        bitmap_set_list(b, s->words, v.mv_data, v.mv_size / 4);
    mdb_cursor_close(c);
}

/* ORs into b every doc that one of the current cursors matches; the
 * cursors themselves stay where they are (copies are walked). */
static void match_set(lx_searcher *s, uint64_t *b) {
    memset(b, 0, s->words * 8);
    for (int i = 0; i < s->nqc; i++) {
        lx_qcur c = s->qc[i];
        int ok = 1;
        if (c.kind == LX_QK_TERM) {
            lx_pcursor *copy = lx_searcher_pcursor(s);
            if (!copy)
                ok = 0;
            else {
                *copy = *c.pc;
                c.pc = copy;
            }
        } else if (c.kind == LX_QK_PHRASE) {
            for (int j = 0; j < c.nmem && ok; j++) {
                lx_pcursor *copy = lx_searcher_pcursor(s);
                if (!copy)
                    ok = 0;
                else {
                    *copy = *c.mem[j];
                    c.mem[j] = copy;
                }
            }
        }
        if (!ok)
            break;
        for (; c.doc != LX_DOC_END; lx_qcur_next(&c))
            b[c.doc / 64] |= 1ull << (c.doc % 64);
    }
}

int lx_search(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err) {
    double t0 = lx_now_ms();
    *out = NULL;
    lx_error_clear(err);
    const char *qs = o->query ? o->query : "";
    int rc = lx_query_parse(qs, strlen(qs), &s->q, err);
    if (rc)
        return rc;
    uint32_t limit = o->limit ? o->limit : 10;
    if ((uint64_t)limit + o->offset > LX_MAX_RESULTS)
        return lx_fail(err, LX_ELIMIT, "limit", -1, "limit + offset must be at most %d",
                       LX_MAX_RESULTS);
    const lx_rank_params *p = o->params ? o->params : &s->ix->params;
    if ((rc = lx_searcher_begin(s, p, err)))
        return rc;
    int langs[LX_MAX_LANGS];
    int nl = query_langs(s, o, langs);
    int filtered = build_filter(s, o, langs, nl, err);
    if (filtered < 0) {
        lx_searcher_end(s);
        return filtered;
    }
    /* Scored clauses, stopwords left out unless nothing else is left. */
    s->nqc = 0;
    int nclauses = 0, positive = 0, content = 0;
    char stop[LX_MAX_QUERY_TERMS] = {0};
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        lx_qclause *cl = &s->q.clauses[ci];
        if (cl->neg || cl->filter)
            continue;
        if (cl->kind == LX_QC_WORD) {
            const lx_qword *w = &s->q.words[cl->first];
            for (int l = 0; l < nl && !stop[ci]; l++)
                stop[ci] = (char)lx_stopword(s->stem.e[langs[l]].lang, w->tok, w->len);
        }
        content += !stop[ci];
    }
    for (int ci = 0; ci < s->q.nclauses; ci++) {
        lx_qclause *cl = &s->q.clauses[ci];
        positive += !cl->neg && !cl->filter;
    }
    int nscored = 0;
    if ((rc = scored_cursors(s, p, langs, nl, stop, content, &nclauses, &nscored, err))) {
        lx_searcher_end(s);
        return rc;
    }
    /* Snippet terms: every stem of every positive word. */
    s->snip.n = 0;
    s->snip.nwords = 0;
    s->snip_ready = 0;
    if (o->flags & LX_SEARCH_SNIPPETS) {
        for (int ci = 0; ci < s->q.nclauses; ci++) {
            lx_qclause *cl = &s->q.clauses[ci];
            if (cl->neg || cl->filter)
                continue;
            for (int j = 0; j < cl->n && s->snip.nwords < LX_MAX_QUERY_TERMS; j++) {
                const lx_qword *w = &s->q.words[cl->first + j];
                s->snip.word[s->snip.nwords] = w->tok;
                s->snip.wlen[s->snip.nwords++] = w->len;
            }
        }
        for (int ci = 0; ci < s->q.nclauses; ci++) {
            lx_qclause *cl = &s->q.clauses[ci];
            /* Stopwords the search left out are not highlighted either. */
            if (cl->neg || cl->filter || (stop[ci] && content))
                continue;
            for (int j = 0; j < cl->n; j++)
                for (int l = 0; l < nl && s->snip.n < LX_MAX_CURSORS; l++) {
                    const lx_qword *w = &s->q.words[cl->first + j];
                    char *t = s->snipbuf[s->snip.n];
                    size_t tl = lx_stemmers_term(&s->stem, langs[l], w->tok, w->len, t);
                    int dup = 0;
                    for (int m = 0; m < s->snip.n && !dup; m++)
                        dup = s->snip.len[m] == tl && !memcmp(s->snip.term[m], t, tl);
                    if (dup || s->snip.n >= (int)(sizeof s->snip.term / sizeof s->snip.term[0]))
                        continue;
                    s->snip.term[s->snip.n] = t;
                    s->snip.len[s->snip.n] = tl;
                    s->snip.n++;
                }
        }
        /* Their lists, looked up once for every hit. */
        for (int t = 0; t < s->snip.n; t++) {
            MDB_val k = {s->snip.len[t], (void *)s->snip.term[t]};
            if (mdb_get(s->txn, s->ix->post, &k, &s->snip_post[t]) ||
                mdb_get(s->txn, s->ix->pos, &k, &s->snip_pos[t]))
                s->snip_post[t].mv_data = NULL;
        }
        s->snip_ready = 1;
    }
    uint32_t k = limit + o->offset;
    uint32_t hk = k > (uint32_t)p->feedback_docs ? k : (uint32_t)p->feedback_docs;
    if (hk > s->heap_cap) {
        lx_scored *h = realloc(s->heap, hk * sizeof *h);
        if (!h) {
            lx_searcher_end(s);
            return LX_ENOMEM;
        }
        s->heap = h;
        s->heap_cap = hk;
    }
    uint32_t nh = 0;
    uint64_t total = 0;
    uint64_t *matched = NULL;
    int want_facets = (o->flags & LX_SEARCH_FACETS) != 0;
    if (positive == 0) {
        /* No scored words: every permitted lecture, in docid order. */
        uint64_t *b = s->tmp;
        live_docs(s, b);
        if (filtered)
            for (size_t i = 0; i < s->words; i++)
                b[i] &= s->allow[i];
        total = bitmap_count(b, s->words);
        for (uint32_t d = 0; d < s->st.next_doc && nh < k; d++)
            if (b[d / 64] >> (d % 64) & 1)
                s->heap[nh++] = (lx_scored){0.0, d};
        matched = b;
    } else {
        if (want_facets) {
            /* The exact set: any scored clause (or a tag the query names:
             * its boost can bring a lecture in), within the filters. */
            match_set(s, s->tmp);
            for (size_t i = 0; i < s->words; i++)
                s->tmp[i] &= s->allow[i];
            total = bitmap_count(s->tmp, s->words);
            matched = s->tmp;
        }
        uint64_t evals = 0;
        int exhaustive = (o->flags & LX_SEARCH_EXHAUSTIVE) != 0;
        const uint64_t *allow = filtered ? s->allow : NULL;
        if (p->feedback_docs > 0 && s->nqc && nclauses >= p->feedback_min_terms) {
            /* First pass for feedback, then the expanded query. */
            uint32_t nfb = lx_topk(s->qc, s->nqc, &s->sc, allow, (uint32_t)p->feedback_docs,
                                   p->coord, nclauses, exhaustive, s->heap, &evals);
            s->used = 0; /* every cursor is spent */
            if ((rc = scored_cursors(s, p, langs, nl, stop, content, &nclauses, &nscored, err))) {
                lx_searcher_end(s);
                return rc;
            }
            /* The added terms reorder the lectures the query matches;
             * they bring in no lecture without one of its words (as a
             * rescoring pass would), so totals and facets stay true. */
            match_set(s, s->fb);
            if (filtered)
                for (size_t i = 0; i < s->words; i++)
                    s->fb[i] &= s->allow[i];
            allow = s->fb;
            lx_feedback_expand(s, p, s->heap, nfb);
        }
        int done = 0;
        if (!exhaustive && nscored == nclauses && nclauses >= 2 && s->qc[0].bonus > 0 &&
            p->coord == 0) {
            /* All-terms-first with one cursor per word: if k lectures have
             * every word, they are the answer; an intersection finds them
             * far faster than the union. */
            nh = lx_topk_and(s->qc, nscored, s->nqc, &s->sc, allow, k, s->heap);
            done = nh == k;
            if (!done &&
                (rc = scored_cursors(s, p, langs, nl, stop, content, &nclauses, &nscored, err))) {
                lx_searcher_end(s);
                return rc;
            }
        }
        if (!done)
            nh = lx_topk(s->qc, s->nqc, &s->sc, allow, k, p->coord, nclauses, exhaustive, s->heap,
                         &evals);
        if (!want_facets)
            total = nh;
    }
    lx_resbuild *b = lx_resbuild_new(nh > o->offset ? nh - o->offset : 1);
    if (!b) {
        lx_searcher_end(s);
        return LX_ENOMEM;
    }
    for (uint32_t i = o->offset; i < nh && !rc; i++)
        rc = lx_resbuild_hit(b, s, s->heap[i].doc, s->heap[i].score,
                             (o->flags & LX_SEARCH_SNIPPETS) != 0, NULL, 0, NULL, 0);
    if (!rc)
        rc = lx_resbuild_finish(b, s, matched, total,
                                want_facets ? (o->facet_limit ? o->facet_limit : UINT_MAX) : 0, t0,
                                out);
    lx_resbuild_free(b);
    lx_searcher_end(s);
    if (rc)
        return lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc));
    return 0;
}

/* ---- lookups ---------------------------------------------------------------- */

int lx_get(lx_searcher *s, const char *id, char **json, size_t *len, lx_error *err) {
    *json = NULL;
    lx_error_clear(err);
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    uint32_t doc;
    lx_docview v;
    rc = lx_store_docid(s->txn, s->ix, id, strlen(id), &doc);
    if (!rc)
        rc = lx_store_doc(s->txn, s->ix, doc, &v);
    if (!rc) {
        *json = lx_record_from_view(&v);
        if (!*json)
            rc = LX_ENOMEM;
        else if (len)
            *len = strlen(*json);
    }
    lx_searcher_end(s);
    if (rc == LX_ENOTFOUND)
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    return rc ? lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc)) : 0;
}

int lx_tags(lx_searcher *s, lx_facet **out, size_t *n, lx_error *err) {
    *out = NULL;
    *n = 0;
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    MDB_cursor *c;
    lx_buf keys = {0};
    size_t cnt = 0, cap = 0;
    struct kc {
        size_t off;
        unsigned count;
    } *kcs = NULL;
    if (mdb_cursor_open(s->txn, s->ix->tags, &c) == 0) {
        MDB_val k, v;
        for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0;
             r = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (cnt == cap) {
                cap = cap ? cap * 2 : 64;
                struct kc *nk = realloc(kcs, cap * sizeof *nk);
                if (!nk) {
                    rc = LX_ENOMEM;
                    break;
                }
                kcs = nk;
            }
            kcs[cnt].off = keys.n;
            kcs[cnt].count = (unsigned)(v.mv_size / 4);
            lx_buf_append(&keys, k.mv_data, k.mv_size);
            lx_buf_append(&keys, "", 1);
            cnt++;
        }
        mdb_cursor_close(c);
    }
    lx_searcher_end(s);
    if (!rc) {
        lx_facet *f = malloc(cnt * sizeof *f + keys.n + 1);
        if (!f) {
            rc = LX_ENOMEM;
        } else {
            char *base = (char *)(f + cnt);
            if (keys.n)
                memcpy(base, keys.p, keys.n);
            for (size_t i = 0; i < cnt; i++) {
                f[i].value = base + kcs[i].off;
                f[i].count = kcs[i].count;
            }
            qsort(f, cnt, sizeof *f, cmp_facet);
            *out = f;
            *n = cnt;
        }
    }
    free(kcs);
    lx_buf_free(&keys);
    return rc;
}

int lx_stats_get(lx_searcher *s, lx_stats *out, lx_error *err) {
    memset(out, 0, sizeof *out);
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    out->documents = s->st.ndocs;
    out->terms = s->st.nterms;
    out->tokens = s->st.ntokens;
    MDB_envinfo info;
    MDB_stat est;
    if (mdb_env_info(s->env->env, &info) == 0 && mdb_env_stat(s->env->env, &est) == 0)
        out->index_bytes = (uint64_t)(info.me_last_pgno + 1) * est.ms_psize;
    for (int i = 0; i < s->nlangs && i < 32; i++) {
        snprintf(out->languages[i], sizeof out->languages[i], "%s", s->langs[i]);
        out->n_languages++;
    }
    lx_searcher_end(s);
    return 0;
}
