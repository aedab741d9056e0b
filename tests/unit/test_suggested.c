/* test_suggested.c -- stored tag suggestions (suggeststore.c,
 * lectern-index --suggest-tags): a lecture without curated tags gains
 * suggested tags, kept beside and never inside its tags; a search finds it
 * by the tag filter and boost only with LX_SEARCH_SUGGESTED; the tags
 * listing never shows them; a replace or delete drops them and the index
 * stays sound. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "testidx.h"

static const char *const recs[] = {
    "{\"id\":\"a1\",\"title\":\"Racism in schools\",\"speaker\":\"A\",\"language\":\"en\","
    "\"tags\":[\"racism\",\"education\"],\"transcript\":\"racism in schools racism teachers\"}",
    "{\"id\":\"a2\",\"title\":\"Everyday racism\",\"speaker\":\"B\",\"language\":\"en\","
    "\"tags\":[\"racism\"],\"transcript\":\"everyday racism at work racism\"}",
    "{\"id\":\"a4\",\"title\":\"Gender pay gap\",\"speaker\":\"C\",\"language\":\"en\","
    "\"tags\":[\"gender equality\",\"labour market\"],"
    "\"transcript\":\"the gender pay gap in the labour market wages women\"}",
    "{\"id\":\"a5\",\"title\":\"Wages of women\",\"speaker\":\"C\",\"language\":\"en\","
    "\"tags\":[\"gender equality\"],\"transcript\":\"women wages gender pay gap labour market\"}",
    "{\"id\":\"u1\",\"title\":\"Pay at work\",\"speaker\":\"D\",\"language\":\"en\","
    "\"transcript\":\"pay gap wages women labour market\"}",
};

static char *get(lx_searcher *s, const char *id) {
    char *json = NULL;
    CHECK(lx_get(s, id, &json, NULL, NULL) == 0);
    return json;
}

/* The hits of "" (or q) with tags, flags. */
static lx_results *search(lx_searcher *s, const char *q, const char *tags, unsigned flags) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = q;
    o.tags = tags;
    o.limit = 10;
    o.flags = flags;
    lx_results *r = NULL;
    CHECK(lx_search(s, &o, &r, NULL) == 0);
    return r;
}

static uint64_t suggest(lx_index *ix) {
    uint64_t n = 99;
    lx_error err;
    CHECK(lx_index_suggest_tags(ix, &n, &err) == 0);
    return n;
}

static void test_stored(lx_searcher *s) {
    char *u = get(s, "u1"), *a = get(s, "a4");
    CHECK(u && strstr(u, "\"suggested_tags\":[") && strstr(u, "\"gender equality\""));
    CHECK(u && !strstr(u, "\"tags\":")); /* never inside the curated tags */
    CHECK(a && !strstr(a, "suggested_tags"));
    free(u);
    free(a);
    lx_facet *f = NULL;
    size_t n = 0;
    CHECK(lx_tags(s, &f, &n, NULL) == 0);
    size_t ge = 0;
    for (size_t i = 0; i < n; i++) {
        CHECK(f[i].value[0] != '\x01'); /* the reserved key prefix */
        if (!strcmp(f[i].value, "gender equality"))
            ge = f[i].count;
    }
    CHECK(ge == 2); /* the curated count only */
    free(f);
}

static void test_search(lx_searcher *s) {
    lx_results *off = search(s, "", "gender equality", 0);
    lx_results *on = search(s, "", "gender equality", LX_SEARCH_SUGGESTED);
    CHECK(off && off->n == 2 && !tix_hit(off, "u1"));
    CHECK(on && on->n == 3 && tix_hit(on, "u1"));
    lx_results_free(off);
    lx_results_free(on);
    off = search(s, "wages tag:racism", NULL, LX_SEARCH_SUGGESTED);
    CHECK(off && !tix_hit(off, "u1")); /* a tag not suggested still filters */
    lx_results_free(off);
    /* The tag boost: "gender equality" in the query raises u1 only with
     * suggested tags on. */
    off = search(s, "gender equality wages", NULL, 0);
    on = search(s, "gender equality wages", NULL, LX_SEARCH_SUGGESTED);
    const lx_hit *h0 = tix_hit(off, "u1"), *h1 = tix_hit(on, "u1");
    CHECK(h0 && h1 && h1->score > h0->score);
    /* The other lectures keep their order (their scores may all shift: one
     * more cursor raises the all-terms-first bonus). */
    size_t a = 0, b = 0;
    while (off && on && a < off->n && b < on->n) {
        if (!strcmp(off->hits[a].id, "u1")) {
            a++;
            continue;
        }
        if (!strcmp(on->hits[b].id, "u1")) {
            b++;
            continue;
        }
        CHECK(!strcmp(off->hits[a].id, on->hits[b].id));
        a++;
        b++;
    }
    lx_results_free(off);
    lx_results_free(on);
}

static int sound(lx_index *ix) {
    lx_check_report rep;
    memset(&rep, 0, sizeof rep);
    return lx_index_check(ix, &rep, NULL) == 0 && rep.problems == 0;
}

int main(void) {
    lx_index *ix = tix_open(check_tmpdir("suggested"), LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    CHECK(suggest(ix) == 1); /* u1, the one lecture without tags */
    CHECK(suggest(ix) == 0); /* it has them now */
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s) {
        test_stored(s);
        test_search(s);
    }
    CHECK(sound(ix));
    /* Replaced: the new version has none until suggested again. */
    tix_put_all(ix, recs + 4, 1);
    char *u = s ? get(s, "u1") : NULL;
    CHECK(u && !strstr(u, "suggested_tags"));
    free(u);
    CHECK(sound(ix));
    CHECK(suggest(ix) == 1);
    if (s)
        test_search(s);
    /* Deleted: its suggestions go with it. */
    lx_writer *w = NULL;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    CHECK(w && lx_writer_delete(w, "u1", NULL) == 0 && lx_writer_commit(w, NULL) == 0);
    CHECK(sound(ix));
    lx_results *r = s ? search(s, "", "gender equality", LX_SEARCH_SUGGESTED) : NULL;
    CHECK(r && r->n == 2);
    lx_results_free(r);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
