/* test_relscore.c -- related lectures score with the ranking core's
 * arithmetic (engine/related.c, engine/rank.h):
 *
 * - for every lecture of a small collection, the weighted query that
 *   lx_related builds (lx_related_query: TERM cursors with their weights,
 *   the shared tags as DOCS cursors), run through lx_topk exhaustively
 *   with the same k1, gives every hit of lx_related exactly (==, not
 *   nearly) the score lx_related reports;
 * - the query is not empty and its terms are index terms, so the check
 *   compares real scores.
 */
#include "check.h"
#include "related.h"
#include "searcher.h"
#include "testidx.h"

static const char *const recs[] = {
    "{\"id\": \"a\", \"title\": \"The gender pay gap\", \"speaker\": \"Anna Berg\", "
    "\"tags\": [\"gender\", \"equality\", \"work\"], \"language\": \"en\", "
    "\"description\": \"Why women earn less than men and what narrows the wage gap.\", "
    "\"transcript\": \"Women earn less than men for the same work. The gender pay gap grows "
    "after children arrive, when mothers move to part time work. Wage transparency and equal "
    "pay audits narrow the gap. Employers who publish salaries see the gap shrink.\"}",
    "{\"id\": \"c\", \"title\": \"Equal pay audits in practice\", \"speaker\": \"Li Wei\", "
    "\"tags\": [\"equality\", \"work\"], \"language\": \"en\", "
    "\"transcript\": \"An equal pay audit compares the wages of women and men doing work "
    "of equal value. Where the audit finds a pay gap the employer must explain it. Salary "
    "transparency helps women negotiate. Audits of wages in care work show the largest gap.\"}",
    "{\"id\": \"e\", \"title\": \"Mothers, fathers and wages\", \"language\": \"en\", "
    "\"transcript\": \"After children arrive mothers earn less and fathers earn more. "
    "Parental leave for fathers narrows the wage gap between women and men. Part time "
    "work explains much of the pay gap.\"}",
    "{\"id\": \"f\", \"title\": \"Pay transparency and the gender wage gap\", "
    "\"tags\": [\"gender\"], \"language\": \"en\", "
    "\"description\": \"Publishing salaries narrows the pay gap between women and men; "
    "equal pay audits and parental leave for fathers help too.\"}",
    "{\"id\": \"m\", \"title\": \"Migrant women at work\", \"speaker\": \"Sara Haddad\", "
    "\"tags\": [\"migration\", \"work\", \"gender\"], \"language\": \"en\", "
    "\"description\": \"Migrant women earn less than other women; recognition of degrees "
    "and language courses help.\", \"transcript\": \"Migrant women often work below their "
    "qualifications. Recognition of foreign degrees and language courses close part of the "
    "wage gap. Care work employs many migrant women.\"}",
    "{\"id\": \"r\", \"title\": \"Racism in recruitment\", \"tags\": [\"racism\", \"work\"], "
    "\"language\": \"en\", \"transcript\": \"Applicants with foreign names get fewer "
    "interviews. Anonymous applications and structured interviews reduce discrimination in "
    "recruitment. Employers who audit their hiring find the gap.\"}",
    "{\"id\": \"u\", \"title\": \"Sustainable fishing in the Baltic Sea\", "
    "\"tags\": [\"sustainability\"], \"language\": \"en\", "
    "\"transcript\": \"Cod stocks in the Baltic Sea collapsed when fishing quotas were "
    "set too high. Fishers and scientists now plan quotas together; women fishers too.\"}",
    "{\"id\": \"s\", \"title\": \"Urban gardening and care\", \"language\": \"en\", "
    "\"tags\": [\"sustainability\", \"wellbeing\"], "
    "\"transcript\": \"Tomatoes grow on roofs and balconies. Care for the soil and compost "
    "from kitchen waste; gardening is work that lifts wellbeing.\"}",
};

/* The scores lx_topk gives every lecture for q (exhaustive), per docid. */
static int core_scores(lx_searcher *s, const lx_relquery *q, double *score, uint32_t ndocs) {
    lx_error err;
    if (lx_searcher_begin(s, &s->ix->params, &err))
        return -1;
    lx_scorer sc = s->sc;
    sc.k1 = q->k1;
    lx_qcur cur[REL_TERMS + LX_MAX_TAGS];
    int n = 0;
    for (int j = 0; j < q->nterms; j++) {
        MDB_val k = {strlen(q->term[j]), (void *)q->term[j]}, v;
        lx_pcursor *pc = lx_searcher_pcursor(s);
        CHECK(pc && mdb_get(s->txn, s->ix->post, &k, &v) == 0);
        if (!pc || mdb_get(s->txn, s->ix->post, &k, &v) ||
            lx_pcursor_open(pc, v.mv_data, v.mv_size))
            continue;
        lx_qcur *c = &cur[n++];
        memset(c, 0, sizeof *c);
        c->kind = LX_QK_TERM;
        c->clause = -1;
        c->pc = pc;
        c->w = q->w[j];
        lx_qcur_start(c, &sc);
    }
    for (int i = 0; i < q->ntags; i++) {
        MDB_val k = {strlen(q->tag[i]), (void *)q->tag[i]}, v;
        CHECK(mdb_get(s->txn, s->ix->tags, &k, &v) == 0);
        if (mdb_get(s->txn, s->ix->tags, &k, &v))
            continue;
        lx_qcur *c = &cur[n++];
        memset(c, 0, sizeof *c);
        c->kind = LX_QK_DOCS;
        c->clause = -1;
        c->docs = v.mv_data;
        c->ndocs = (uint32_t)(v.mv_size / 4);
        c->w = q->tag_w[i];
        lx_qcur_start(c, &sc);
    }
    lx_scored out[64];
    uint32_t nh = lx_topk(cur, n, &sc, NULL, 64, 0.0, 0, 1, out, NULL, NULL);
    for (uint32_t d = 0; d < ndocs; d++)
        score[d] = -1;
    for (uint32_t i = 0; i < nh; i++)
        if (out[i].doc < ndocs)
            score[out[i].doc] = out[i].score;
    lx_searcher_end(s);
    return 0;
}

int main(void) {
    size_t nrec = sizeof recs / sizeof recs[0];
    lx_index *ix = tix_open(check_tmpdir("relscore"), LX_OPEN_CREATE);
    tix_put_all(ix, recs, nrec);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    int compared = 0;
    for (size_t i = 0; i < nrec; i++) {
        char id[2] = {recs[i][8], 0}; /* {"id": "x" */
        lx_relquery q;
        CHECK(lx_related_query(s, id, &q, &err) == 0);
        CHECK(q.nterms > 0);
        lx_search_opts o;
        memset(&o, 0, sizeof o);
        o.limit = 50;
        lx_results *r = NULL;
        CHECK(lx_related(s, id, &o, &r, &err) == 0);
        double score[64];
        CHECK(core_scores(s, &q, score, 64) == 0);
        for (size_t h = 0; r && h < r->n; h++) {
            uint32_t d = 0;
            for (size_t k = 0; k < nrec; k++)
                if (recs[k][8] == r->hits[h].id[0])
                    d = (uint32_t)k; /* one batch: docids in input order */
            CHECK(d != q.self);
            CHECK(score[d] == r->hits[h].score);
            if (score[d] != r->hits[h].score)
                fprintf(stderr, "  %s -> %s: related %.17g, core %.17g\n", id, r->hits[h].id,
                        r->hits[h].score, score[d]);
            compared++;
        }
        lx_results_free(r);
    }
    CHECK(compared >= 20);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
