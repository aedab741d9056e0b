/* test_related.c -- related lectures (engine/related.c):
 *
 * - the lecture itself, an exact duplicate (same title and text under
 *   another id), a lecture with the same title and speaker, and an almost
 *   identical text under another title are never related hits;
 * - a lecture on the same subject comes first, an unrelated one last or
 *   not at all; shared_tags are exactly the tags both carry (rarest
 *   first); shared_terms are words both have;
 * - a lecture without tags and one without a transcript get related hits;
 * - tags and lang filters apply, limit and offset page;
 * - an unknown id is LX_ENOTFOUND; limit + offset over the limit is
 *   LX_ELIMIT.
 */
#include "check.h"
#include "testidx.h"

#define PAY                                                                                        \
    "Women earn less than men for the same work. The gender pay gap grows after "                  \
    "children arrive, when mothers move to part time work and fathers do not. Wage "               \
    "transparency, parental leave for fathers and equal pay audits narrow the gap. "               \
    "Employers who publish salaries see the gap shrink. Collective bargaining and "                \
    "minimum wages lift the wages of women in care work. "

static const char *const recs[] = {
    /* a: the lecture asked about */
    "{\"id\": \"a\", \"title\": \"The gender pay gap\", \"speaker\": \"Anna Berg\", "
    "\"tags\": [\"gender\", \"equality\", \"work\"], \"language\": \"en\", "
    "\"description\": \"Why women earn less than men and what narrows the wage gap.\", "
    "\"transcript\": \"" PAY PAY "\"}",
    /* b: an exact duplicate of a under another id */
    "{\"id\": \"b\", \"title\": \"The gender pay gap\", \"speaker\": \"Anna Berg\", "
    "\"tags\": [\"gender\", \"equality\", \"work\"], \"language\": \"en\", "
    "\"description\": \"Why women earn less than men and what narrows the wage gap.\", "
    "\"transcript\": \"" PAY PAY "\"}",
    /* g: same title and speaker (a re-upload, cut differently) */
    "{\"id\": \"g\", \"title\": \"The Gender  Pay Gap\", \"speaker\": \"anna berg\", "
    "\"language\": \"en\", \"transcript\": \"" PAY "Thank you for listening.\"}",
    /* n: almost the same text under another title */
    "{\"id\": \"n\", \"title\": \"Closing the wage gap (conference cut)\", "
    "\"language\": \"en\", "
    "\"description\": \"Why women earn less than men and what narrows the wage gap.\", "
    "\"transcript\": \"" PAY PAY "Thank you.\"}",
    /* c: the same subject, other words too */
    "{\"id\": \"c\", \"title\": \"Equal pay audits in practice\", \"speaker\": \"Li Wei\", "
    "\"tags\": [\"equality\", \"work\"], \"language\": \"en\", "
    "\"transcript\": \"An equal pay audit compares the wages of women and men doing work "
    "of equal value. Where the audit finds a pay gap the employer must explain it or "
    "close it. Salary transparency helps women negotiate. Audits of wages in care work "
    "show the largest gap between women and men.\"}",
    /* e: no tags */
    "{\"id\": \"e\", \"title\": \"Mothers, fathers and wages\", \"language\": \"en\", "
    "\"transcript\": \"After children arrive mothers earn less and fathers earn more. "
    "Parental leave for fathers narrows the wage gap between women and men. Part time "
    "work explains much of the pay gap.\"}",
    /* f: no transcript */
    "{\"id\": \"f\", \"title\": \"Pay transparency and the gender wage gap\", "
    "\"tags\": [\"gender\"], \"language\": \"en\", "
    "\"description\": \"Publishing salaries narrows the pay gap between women and men; "
    "equal pay audits and parental leave for fathers help too.\"}",
    /* u: unrelated */
    "{\"id\": \"u\", \"title\": \"Sustainable fishing in the Baltic Sea\", "
    "\"tags\": [\"sustainability\"], \"language\": \"en\", "
    "\"transcript\": \"Cod stocks in the Baltic Sea collapsed when fishing quotas were "
    "set too high. Seals, salt water and oxygen decide how fish recover. Fishers and "
    "scientists now plan quotas together.\"}",
    /* s: unrelated too */
    "{\"id\": \"s\", \"title\": \"Urban gardening\", \"language\": \"en\", "
    "\"transcript\": \"Tomatoes grow on roofs and balconies. Compost from kitchen waste "
    "feeds the soil; bees visit the flowers.\"}",
    /* fi: the same subject in Finnish */
    "{\"id\": \"fi\", \"title\": \"Palkkaero naisten ja miesten v\\u00e4lill\\u00e4\", "
    "\"tags\": [\"gender\", \"equality\"], \"language\": \"fi\", "
    "\"transcript\": \"Naiset ansaitsevat v\\u00e4hemm\\u00e4n kuin miehet. Palkkaero "
    "kasvaa kun lapset syntyv\\u00e4t.\"}",
};

static lx_results *related(lx_searcher *s, const char *id, unsigned limit, unsigned offset,
                           const char *tags, const char *lang, int *rc_out) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.limit = limit;
    o.offset = offset;
    o.tags = tags;
    o.lang = lang;
    lx_results *r = NULL;
    lx_error err;
    int rc = lx_related(s, id, &o, &r, &err);
    if (rc_out)
        *rc_out = rc;
    else if (rc)
        fprintf(stderr, "  related %s: %s (%s)\n", id, lx_strerror(rc), err.message);
    return r;
}

static int rank_of(const lx_results *r, const char *id) {
    for (size_t i = 0; r && i < r->n; i++)
        if (!strcmp(r->hits[i].id, id))
            return (int)i;
    return -1;
}

static int has_term(const lx_hit *h, const char *t) {
    for (size_t i = 0; h && i < h->n_shared_terms; i++)
        if (!strcmp(h->shared_terms[i], t))
            return 1;
    return 0;
}

int main(void) {
    lx_index *ix = tix_open(check_tmpdir("related"), LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);

    /* Self and near-duplicates out; the same subject first. */
    lx_results *r = related(s, "a", 20, 0, NULL, NULL, NULL);
    CHECK(r != NULL);
    CHECK(rank_of(r, "a") < 0);
    CHECK(rank_of(r, "b") < 0);
    CHECK(rank_of(r, "g") < 0);
    CHECK(rank_of(r, "n") < 0);
    CHECK(rank_of(r, "c") >= 0 && rank_of(r, "e") >= 0 && rank_of(r, "f") >= 0);
    CHECK(rank_of(r, "u") < 0 || rank_of(r, "u") > rank_of(r, "c"));
    CHECK(rank_of(r, "u") < 0 || rank_of(r, "u") > rank_of(r, "e"));
    for (size_t i = 1; r && i < r->n; i++)
        CHECK(r->hits[i - 1].score >= r->hits[i].score);
    const lx_hit *c = tix_hit(r, "c");
    CHECK(c && c->n_shared_tags == 2);
    if (c && c->n_shared_tags == 2) {
        /* "work" (3 lectures) is rarer than "equality" (4). */
        CHECK_STR(c->shared_tags[0], "work");
        CHECK_STR(c->shared_tags[1], "equality");
    }
    CHECK(c && c->n_shared_terms > 0 &&
          (has_term(c, "audits") || has_term(c, "pay") || has_term(c, "wages")));
    const lx_hit *f = tix_hit(r, "f");
    CHECK(f && f->n_shared_tags == 1 && !strcmp(f->shared_tags[0], "gender"));
    const lx_hit *e = tix_hit(r, "e");
    CHECK(e && e->n_shared_tags == 0 && e->n_shared_terms > 0);
    for (size_t i = 0; r && i < r->n; i++)
        CHECK(r->hits[i].snippet && r->hits[i].meta_json && r->hits[i].meta_json[0] == '{');
    lx_results_free(r);

    /* Paging: offset 1, limit 1 is the second hit of the full list. */
    lx_results *all = related(s, "a", 3, 0, NULL, NULL, NULL);
    lx_results *second = related(s, "a", 1, 1, NULL, NULL, NULL);
    CHECK(all && second && all->n == 3 && second->n == 1);
    if (all && second && all->n == 3 && second->n == 1)
        CHECK_STR(second->hits[0].id, all->hits[1].id);
    lx_results_free(all);
    lx_results_free(second);

    /* Without tags, without a transcript. */
    r = related(s, "e", 5, 0, NULL, NULL, NULL);
    CHECK(r && r->n > 0 && rank_of(r, "e") < 0);
    CHECK(r && r->n > 0 && strcmp(r->hits[0].id, "u") && strcmp(r->hits[0].id, "s"));
    CHECK(r && (rank_of(r, "a") >= 0 || rank_of(r, "b") >= 0));
    lx_results_free(r);
    r = related(s, "f", 5, 0, NULL, NULL, NULL);
    CHECK(r && r->n > 0 && rank_of(r, "f") < 0);
    CHECK(r && r->n > 0 && strcmp(r->hits[0].id, "u") && strcmp(r->hits[0].id, "s"));
    lx_results_free(r);

    /* Filters. */
    r = related(s, "a", 20, 0, "work", NULL, NULL);
    CHECK(r && r->n == 1 && rank_of(r, "c") == 0); /* b, a dup, has "work" too */
    lx_results_free(r);
    r = related(s, "a", 20, 0, NULL, "fi", NULL);
    CHECK(r && r->n == 1 && rank_of(r, "fi") == 0); /* by its tags: no English words */
    if (r && r->n == 1)
        CHECK(r->hits[0].n_shared_tags == 2);
    lx_results_free(r);

    /* Errors. */
    int rc = 0;
    r = related(s, "nope", 5, 0, NULL, NULL, &rc);
    CHECK(rc == LX_ENOTFOUND && r == NULL);
    r = related(s, "a", LX_MAX_RESULTS, 1, NULL, NULL, &rc);
    CHECK(rc == LX_ELIMIT && r == NULL);
    r = related(s, "a", 5, 0, NULL, "not a language", &rc);
    CHECK(rc == LX_EINVAL && r == NULL);

    /* Many calls on one searcher reuse its tables; the answer stays. */
    lx_results *r1 = related(s, "c", 5, 0, NULL, NULL, NULL);
    for (int i = 0; i < 50; i++)
        lx_results_free(related(s, i % 2 ? "e" : "f", 5, 0, NULL, NULL, NULL));
    lx_results *r2 = related(s, "c", 5, 0, NULL, NULL, NULL);
    CHECK(r1 && r2 && r1->n == r2->n);
    for (size_t i = 0; r1 && r2 && i < r1->n && i < r2->n; i++) {
        CHECK_STR(r1->hits[i].id, r2->hits[i].id);
        CHECK(r1->hits[i].score == r2->hits[i].score);
    }
    lx_results_free(r1);
    lx_results_free(r2);

    /* Related after a search with snippets: the related snippets are the
     * lectures' openings, never marks left from the search's words (whose
     * lists belonged to the search's transaction). */
    {
        lx_search_opts so;
        memset(&so, 0, sizeof so);
        so.query = "women gap";
        so.flags = LX_SEARCH_SNIPPETS;
        lx_results *sr = NULL;
        CHECK(lx_search(s, &so, &sr, &err) == 0);
        lx_results_free(sr);
        lx_search_opts ro;
        memset(&ro, 0, sizeof ro);
        ro.limit = 20;
        ro.flags = LX_SEARCH_SNIPPETS;
        lx_results *rr = NULL;
        CHECK(lx_related(s, "a", &ro, &rr, &err) == 0);
        CHECK(rr && rr->n > 0);
        for (size_t i = 0; rr && i < rr->n; i++)
            CHECK(strstr(rr->hits[i].snippet, "<mark>") == NULL);
        lx_results_free(rr);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
