/* relcore.c -- related lectures score with the ranking core, on real data.
 *
 *   relcore INDEX_DIR [MAX_LECTURES]
 *
 * For each lecture (in id order, at most MAX_LECTURES; all by default) it
 * takes the weighted query lx_related scores (lx_related_query), runs it
 * through lx_topk exhaustively, and checks that every hit of lx_related
 * (top 20) has exactly (==) the score lx_topk gives it.  Prints the counts;
 * exits 1 on any mismatch or failure, 2 when the index cannot be opened.
 * On the TED talks: 5,913 lectures, 118,260 hits, no mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "related.h"
#include "searcher.h"

/* The score lx_topk gives every lecture for q, per docid (-1: none). */
static int core_scores(lx_searcher *s, const lx_relquery *q, double *score, lx_scored *out,
                       uint32_t nd) {
    lx_error err;
    if (lx_searcher_begin(s, &s->ix->params, &err))
        return -1;
    lx_scorer sc = s->sc;
    sc.k1 = q->k1;
    static lx_qcur cur[REL_TERMS + LX_MAX_TAGS];
    int n = 0, rc = 0;
    for (int j = 0; j < q->nterms && !rc; j++) {
        MDB_val k = {strlen(q->term[j]), (void *)q->term[j]}, v;
        lx_pcursor *pc = lx_searcher_pcursor(s);
        if (!pc || mdb_get(s->txn, s->ix->post, &k, &v) ||
            lx_pcursor_open(pc, v.mv_data, v.mv_size)) {
            rc = -1;
            break;
        }
        lx_qcur *c = &cur[n++];
        memset(c, 0, sizeof *c);
        c->kind = LX_QK_TERM;
        c->clause = -1;
        c->pc = pc;
        c->w = q->w[j];
        lx_qcur_start(c, &sc);
    }
    for (int i = 0; i < q->ntags && !rc; i++) {
        MDB_val k = {strlen(q->tag[i]), (void *)q->tag[i]}, v;
        if (mdb_get(s->txn, s->ix->tags, &k, &v)) {
            rc = -1;
            break;
        }
        lx_qcur *c = &cur[n++];
        memset(c, 0, sizeof *c);
        c->kind = LX_QK_DOCS;
        c->clause = -1;
        c->docs = v.mv_data;
        c->ndocs = (uint32_t)(v.mv_size / 4);
        c->w = q->tag_w[i];
        lx_qcur_start(c, &sc);
    }
    if (!rc) {
        uint32_t nh = lx_topk(cur, n, &sc, NULL, nd, 0.0, 0, 1, out, NULL, NULL);
        for (uint32_t d = 0; d < nd; d++)
            score[d] = -1;
        for (uint32_t i = 0; i < nh; i++)
            score[out[i].doc] = out[i].score;
    }
    lx_searcher_end(s);
    return rc;
}

/* Checks one lecture; returns the mismatches (or 1 on failure). */
static long check_one(lx_searcher *s, MDB_txn *txn, const char *id, double *score, lx_scored *out,
                      uint32_t nd, long *hits) {
    static lx_relquery q;
    lx_error err;
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.limit = 20;
    lx_results *res = NULL;
    if (lx_related_query(s, id, &q, &err) || lx_related(s, id, &o, &res, &err) ||
        core_scores(s, &q, score, out, nd)) {
        fprintf(stderr, "%s: %s\n", id, err.message);
        lx_results_free(res);
        return 1;
    }
    long bad = 0;
    for (size_t h = 0; h < res->n; h++) {
        uint32_t d;
        (*hits)++;
        if (lx_store_docid(txn, s->ix, res->hits[h].id, strlen(res->hits[h].id), &d) || d >= nd ||
            score[d] != res->hits[h].score) {
            bad++;
            fprintf(stderr, "%s -> %s: related %.17g, core %.17g\n", id, res->hits[h].id,
                    res->hits[h].score, d < nd ? score[d] : -1.0);
        }
    }
    lx_results_free(res);
    return bad;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: relcore INDEX_DIR [MAX_LECTURES]\n");
        return 2;
    }
    long max = argc > 2 ? atol(argv[2]) : 0;
    lx_index *ix;
    lx_searcher *s;
    lx_error err;
    MDB_txn *txn;
    lx_collstats st;
    if (lx_index_open(argv[1], LX_OPEN_READONLY, &ix, &err) || lx_searcher_open(ix, &s, &err) ||
        mdb_txn_begin(ix->env, NULL, MDB_RDONLY, &txn) || lx_store_stats(txn, ix, &st))
        return 2;
    uint32_t nd = st.next_doc;
    double *score = malloc((nd ? nd : 1) * sizeof *score);
    lx_scored *out = malloc((nd ? nd : 1) * sizeof *out);
    MDB_cursor *c;
    if (!score || !out || mdb_cursor_open(txn, ix->ids, &c))
        return 2;
    MDB_val k, v;
    long n = 0, hits = 0, bad = 0;
    for (int r = mdb_cursor_get(c, &k, &v, MDB_FIRST); r == 0 && (!max || n < max);
         r = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++) {
        char id[LX_MAX_ID_BYTES + 1];
        if (k.mv_size > LX_MAX_ID_BYTES)
            continue;
        memcpy(id, k.mv_data, k.mv_size);
        id[k.mv_size] = 0;
        bad += check_one(s, txn, id, score, out, nd, &hits);
    }
    printf("lectures %ld, related hits %ld, scores not the core's %ld\n", n, hits, bad);
    mdb_cursor_close(c);
    mdb_txn_abort(txn);
    free(score);
    free(out);
    lx_searcher_close(s);
    lx_index_close(ix);
    return bad ? 1 : 0;
}
