/* searcher.c -- the searcher: its read transaction, the snapshot cache
 * (collection statistics, each lecture's BM25F length factors, the
 * languages present, bitmaps sized to the docids), the pool of posting
 * cursors one query draws from, and the sticky error of a call.
 *
 * The cache is rebuilt only when a writer has committed since (the
 * transaction id changed) or the ranking parameters differ; a query then
 * costs no allocation here.  Modules keep their own per-snapshot state as
 * searcher parts (searcher.h) and free it through the hook they register,
 * so this file depends on none of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "error.h"
#include "searcher.h"
#include "snapmemo.h"

double lx_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

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

void lx_searcher_close(lx_searcher *s) {
    if (!s)
        return;
    lx_store_read_close(s->ix, &s->env, &s->txn);
    for (int i = 0; i < s->npool; i++)
        free(s->pool[i]);
    free(s->pool);
    free(s->invb);
    free(s->acc);
    free(s->accbits);
    for (int i = 0; i < LX_MAX_LANGS; i++)
        free(s->lbits[i]);
    free(s->allow);
    free(s->tmp);
    free(s->fb);
    free(s->heap);
    free(s->kdocs);
    lx_buf_free(&s->dropped);
    for (int i = 0; i < LX_NPARTS; i++)
        if (s->part[i] && s->part_free[i])
            s->part_free[i](s->part[i]);
    if (s->rel && s->rel_free)
        s->rel_free(s->rel);
    lx_stemmers_free(&s->stem);
    free(s);
}

int lx_searcher_id_result(lx_error *err, int rc, const char *id) {
    if (rc == LX_ENOTFOUND)
        return lx_fail(err, rc, "id", -1, "no lecture with id \"%.200s\"", id);
    return rc ? lx_fail(err, rc, NULL, -1, "%s", lx_strerror(rc)) : 0;
}

int lx_searcher_fail(lx_searcher *s, int code, const char *field, long offset, const char *fmt,
                     ...) {
    if (s->rc)
        return s->rc;
    s->rc = code;
    if (s->err) {
        char msg[sizeof s->err->message];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        lx_fail(s->err, code, field, offset, "%s", msg);
    }
    return code;
}

void *lx_searcher_part(lx_searcher *s, int i) {
    return s->part[i];
}

void lx_searcher_set_part(lx_searcher *s, int i, void *p, void (*free_fn)(void *)) {
    s->part[i] = p;
    s->part_free[i] = free_fn;
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

int lx_searcher_term(lx_searcher *s, const char *t, size_t n, MDB_val *post) {
    return lx_snapmemo_word(s, t, n, post, NULL);
}

int lx_searcher_post(void *s, const char *t, size_t n, MDB_val *post, MDB_val *pos) {
    int rc = lx_searcher_term(s, t, n, post);
    return rc || !pos ? rc : lx_snapmemo_pos(s, t, n, pos);
}

int lx_searcher_lang_find(const lx_searcher *s, const char *code) {
    for (int i = 0; i < s->nlangs; i++)
        if (!strcmp(s->langs[i], code))
            return i;
    return -1;
}

int lx_searcher_lang(lx_searcher *s, int i, MDB_val *docs) {
    if (s->langv_have >> i & 1) {
        *docs = s->langv[i];
        return 0;
    }
    int rc = lx_store_lang(s->txn, s->ix, s->langs[i], strlen(s->langs[i]), docs);
    if (!rc) {
        s->langv[i] = *docs;
        s->langv_have |= 1u << i;
    }
    return rc;
}

const uint64_t *lx_searcher_lang_bits(lx_searcher *s, int i) {
    if (s->lbits_have >> i & 1)
        return s->lbits[i];
    MDB_val v;
    int rc = lx_searcher_lang(s, i, &v);
    if (rc) {
        lx_searcher_fail(s, rc, "lang", -1, "cannot read language \"%s\"", s->langs[i]);
        return NULL;
    }
    if (!s->lbits[i] && !(s->lbits[i] = malloc(s->words * sizeof *s->lbits[i]))) {
        lx_searcher_fail(s, LX_ENOMEM, NULL, -1, "out of memory");
        return NULL;
    }
    uint64_t *b = s->lbits[i];
    memset(b, 0, s->words * sizeof *b);
    for (size_t k = 0; k < v.mv_size / 4; k++) {
        uint32_t d;
        memcpy(&d, (const uint8_t *)v.mv_data + k * 4, 4);
        if (d < s->st.next_doc) /* the bitmap's span; a list's docs are below it */
            b[d / 64] |= 1ull << (d % 64);
    }
    s->lbits_have |= 1u << i;
    return b;
}

int lx_searcher_check_cursor(lx_searcher *s, const lx_qcur *q) {
    int rc = 0;
    if ((q->kind == LX_QK_TERM || q->kind == LX_QK_LTERM) && q->pc)
        rc = q->pc->rc;
    else if (q->kind == LX_QK_PHRASE)
        for (int j = 0; j < q->nmem && !rc; j++)
            rc = q->mem[j] ? q->mem[j]->rc : 0;
    if (rc)
        return lx_searcher_fail(s, rc, NULL, -1, "a posting list is damaged: %s", lx_strerror(rc));
    return s->rc;
}

static int params_equal(const lx_rank_params *a, const lx_rank_params *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

/* Field lengths under this have their factor computed once, in a table. */
#define SHORT_LEN 256

/* The BM25F length factor (weight / norm) of field f at length len. */
static inline float len_factor(const lx_scorer *sc, int f, uint32_t len) {
    return (float)(sc->fw[f] / lx_bm25f_norm(sc->fb[f], len, sc->avg[f]));
}

/* lx_topk's accumulator for an index of at most LX_TAAT_MAX_DOCS docids,
 * zeroed when made (lx_topk leaves it zero); none when there is no
 * memory for it (lx_topk then does without). */
static void scorer_acc(lx_searcher *s) {
    size_t need = (size_t)s->st.next_doc + 64;
    s->sc.acc = NULL;
    s->sc.accbits = NULL;
    if (s->st.next_doc > LX_TAAT_MAX_DOCS)
        return;
    if (need > s->acc_cap) {
        free(s->acc);
        free(s->accbits);
        s->acc = calloc(need, sizeof *s->acc);
        s->accbits = calloc(2 * (need / 64 + 1), sizeof *s->accbits);
        s->acc_cap = need;
        if (!s->acc || !s->accbits) {
            free(s->acc);
            free(s->accbits);
            s->acc = NULL;
            s->accbits = NULL;
            s->acc_cap = 0;
            return;
        }
    }
    s->sc.acc = s->acc;
    s->sc.accbits = s->accbits;
}

/* The BM25F length factor of every lecture and field for parameters p. */
static int snapshot_scorer(lx_searcher *s, const lx_rank_params *p, lx_error *err) {
    const uint32_t *norms;
    uint32_t nn;
    int rc = lx_store_norms(s->txn, s->ix, &norms, &nn);
    if (rc)
        return lx_fail(err, rc, NULL, -1, "cannot read field lengths");
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
    /* The factor of each short length, once: most titles, tags, speakers
     * and descriptions are short, so a process that answers one query
     * divides for the transcripts only (~5,900 lectures on TED: 700K
     * instructions -> ~250K).  Same arithmetic, same floats. */
    float shortf[LX_NFIELDS][SHORT_LEN];
    for (int f = 0; f < LX_NFIELDS; f++)
        for (uint32_t l = 0; l < SHORT_LEN; l++)
            shortf[f][l] = len_factor(sc, f, l);
    /* A field at a time: the inner loop is a load, a compare and a copy. */
    for (int f = 0; f < LX_NFIELDS; f++) {
        const uint8_t *at = (const uint8_t *)norms + (size_t)f * sizeof(uint32_t);
        float *out = s->invb + f;
        for (uint32_t d = 0; d < nn; d++, at += LX_NFIELDS * sizeof(uint32_t), out += LX_NFIELDS) {
            /* LMDB values are not aligned (a short one follows its key in
             * the page), so a length is copied out, never loaded in place. */
            uint32_t len;
            memcpy(&len, at, sizeof len);
            *out = len < SHORT_LEN ? shortf[f][len] : len_factor(sc, f, len);
        }
    }
    for (size_t i = (size_t)nn * LX_NFIELDS; i < need; i++)
        s->invb[i] = 0;
    sc->invb = s->invb;
    sc->ndocs_map = s->st.next_doc;
    scorer_acc(s);
    return 0;
}

/* The languages present (the keys of the langs database). */
static int snapshot_langs(lx_searcher *s, lx_error *err) {
    lx_store_iter it;
    MDB_val k, v;
    int r;
    s->nlangs = 0;
    if ((r = lx_store_iter_open(s->txn, s->ix, LX_DB_LANGS, &it)))
        return lx_fail(err, r, NULL, -1, "cannot read the languages");
    while (s->nlangs < LX_MAX_LANGS && (r = lx_store_iter_next(&it, &k, &v)) > 0) {
        if (k.mv_size >= LX_LANG_BYTES)
            continue;
        memcpy(s->langs[s->nlangs], k.mv_data, k.mv_size);
        s->langs[s->nlangs][k.mv_size] = 0;
        s->nlangs++;
    }
    lx_store_iter_close(&it);
    if (r < 0)
        return lx_fail(err, r, NULL, -1, "cannot read the languages");
    return 0;
}

static int snapshot_bitmaps(lx_searcher *s, lx_error *err) {
    s->words = (s->st.next_doc + 64) / 64;
    free(s->allow);
    free(s->tmp);
    free(s->fb);
    s->allow = malloc(s->words * 8);
    s->tmp = malloc(s->words * 8);
    s->fb = malloc(s->words * 8);
    if (!s->allow || !s->tmp || !s->fb)
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    return 0;
}

int lx_searcher_begin(lx_searcher *s, const lx_rank_params *p, lx_error *err) {
    int rc;
    s->rc = 0;
    s->suggested = 0;
    s->err = err;
    lx_work_init(&s->work, UINT64_MAX);
    if ((rc = lx_store_read_begin(s->ix, &s->env, &s->txn, err)))
        return s->rc = rc;
    s->txn_live = 1;
    s->used = 0;
    s->nknown = 0;
    /* Unique across a rebuild's new file too (lx_store_snapshot). */
    size_t snap = lx_store_snapshot(s->env, mdb_txn_id(s->txn));
    if (s->have_snap && snap == s->snap && params_equal(p, &s->pcache))
        return 0;
    /* A cache half rebuilt is no cache. */
    s->have_snap = 0;
    s->langv_have = 0;
    s->lbits_have = 0;
    for (int i = 0; i < LX_MAX_LANGS; i++) { /* sized by the snapshot's words */
        free(s->lbits[i]);
        s->lbits[i] = NULL;
    }
    if ((rc = lx_store_stats(s->txn, s->ix, &s->st)))
        rc = lx_fail(err, rc, NULL, -1, "cannot read index statistics");
    if (rc || (rc = snapshot_scorer(s, p, err)) || (rc = snapshot_langs(s, err)) ||
        (rc = snapshot_bitmaps(s, err))) {
        lx_searcher_end(s);
        return s->rc = rc;
    }
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
