/* test_people.c -- lecturers and tag suggestions (lecturers.c,
 * tagsuggest.c): names keyed and split into people, lecturers ranked by
 * their lectures and each model's aggregate, a profile, suggestions voted
 * by tagged neighbours. */
#include <math.h>

#include "check.h"
#include "testidx.h"

static int key_is(const char *name, const char *want) {
    char k[LX_MAX_NAME_BYTES];
    int n = lx_name_key(name, strlen(name), k, sizeof k);
    if (n < 0 || strcmp(k, want)) {
        fprintf(stderr, "  key of \"%s\" is \"%s\", expected \"%s\"\n", name, n < 0 ? "" : k, want);
        return 0;
    }
    return 1;
}

typedef struct got {
    char name[8][64], key[8][64];
    int n;
} got;

static void on_person(void *ctx, const char *name, size_t len, const char *key) {
    got *g = ctx;
    if (g->n < 8) {
        snprintf(g->name[g->n], 64, "%.*s", (int)len, name);
        snprintf(g->key[g->n++], 64, "%s", key);
    }
}

static got split(const char *sp) {
    got g = {.n = 0};
    int n = lx_speakers_split(sp, strlen(sp), on_person, &g);
    CHECK(n == g.n);
    return g;
}

static void test_names(void) {
    CHECK(key_is("Hanna Korhonen", "hanna korhonen"));
    CHECK(key_is("  Dr. Hanna   KORHONEN ", "hanna korhonen"));
    CHECK(key_is("Prof. Dr. Sabine Hoffmann", "sabine hoffmann"));
    CHECK(key_is("Aïcha Benali", "aicha benali"));
    CHECK(key_is("T. Morgan Dixon", "t morgan dixon"));
    CHECK(key_is("...", ""));

    got g = split("Alicia Garza, Patrisse Cullors and Opal Tometi");
    CHECK(g.n == 3);
    CHECK_STR(g.name[0], "Alicia Garza");
    CHECK_STR(g.key[1], "patrisse cullors");
    CHECK_STR(g.name[2], "Opal Tometi");
    g = split("Usman Riaz + Preston Reed");
    CHECK(g.n == 2 && !strcmp(g.key[1], "preston reed"));
    g = split("Haas&Hahn");
    CHECK(g.n == 2);
    g = split("Martin Luther King, Jr.");
    CHECK(g.n == 1);
    CHECK_STR(g.name[0], "Martin Luther King, Jr.");
    g = split("Anna Virtanen ja Mikko Laine");
    CHECK(g.n == 2 && !strcmp(g.key[0], "anna virtanen"));
    g = split("Alexander Anderson"); /* "and" inside a word does not split */
    CHECK(g.n == 1 && !strcmp(g.key[0], "alexander anderson"));
    g = split(" , ");
    CHECK(g.n == 0);
}

static const char *const recs[] = {
    "{\"id\":\"a1\",\"title\":\"Racism in schools\",\"speaker\":\"Dr. Amina Hassan\","
    "\"institution\":\"Nordlake\",\"language\":\"en\",\"tags\":[\"racism\",\"education\"],"
    "\"transcript\":\"racism in schools racism teachers pupils\"}",
    "{\"id\":\"a2\",\"title\":\"Everyday racism\",\"speaker\":\"Amina Hassan and Lena Berg\","
    "\"institution\":\"Nordlake\",\"language\":\"en\",\"tags\":[\"racism\",\"discrimination\"],"
    "\"transcript\":\"everyday racism at work racism and discrimination\"}",
    "{\"id\":\"a3\",\"title\":\"Racism and the law\",\"speaker\":\"Lena Berg\","
    "\"institution\":\"Baltic Law School\",\"language\":\"sv\",\"tags\":[\"racism\",\"law\"],"
    "\"transcript\":\"racism law courts\"}",
    "{\"id\":\"a4\",\"title\":\"Gender pay gap\",\"speaker\":\"Siobhan Kelly\","
    "\"language\":\"en\",\"tags\":[\"gender equality\",\"labour market\"],"
    "\"transcript\":\"the gender pay gap in the labour market wages women\"}",
    "{\"id\":\"a5\",\"title\":\"Wages of women\",\"speaker\":\"Siobhan Kelly\","
    "\"language\":\"en\",\"tags\":[\"gender equality\"],"
    "\"transcript\":\"women wages gender pay gap labour market\"}",
    ("{\"id\":\"u1\",\"title\":\"Pay and gender at work\",\"speaker\":\"Nobody Tagged\","
     "\"language\":\"en\",\"transcript\":\"gender pay gap wages women labour market\"}"),
};

static const lx_lecturer *find(const lx_lecturers *l, const char *key) {
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->people[i].key, key))
            return &l->people[i];
    return NULL;
}

static void test_lecturers(lx_searcher *s) {
    lx_lecturer_opts o;
    memset(&o, 0, sizeof o);
    o.search.query = "racism";
    lx_lecturers *l = NULL;
    lx_error err = {0};
    CHECK(lx_lecturers_search(s, &o, &l, &err) == 0);
    if (!l)
        return;
    /* Two people with racism lectures; "Amina Hassan" and "Dr. Amina
     * Hassan" are one; Siobhan Kelly has none. */
    CHECK(l->total == 2 && l->n == 2);
    const lx_lecturer *a = find(l, "amina hassan"), *b = find(l, "lena berg");
    CHECK(a && b);
    if (a && b) {
        CHECK(a->n_lectures == 2 && b->n_lectures == 2);
        CHECK(a->n_institutions == 1 && !strcmp(a->institutions[0], "Nordlake"));
        CHECK(b->n_institutions == 2 && b->n_languages == 2);
        CHECK(a->n_tags == 3 && !strcmp(a->tags[0].value, "racism") && a->tags[0].count == 2);
        /* Reciprocal-rank voting: the sum of 1 / rank over their lectures,
         * ranks from the lecture search of the same query. */
        double sa = 0, sb = 0;
        lx_search_opts so = {0};
        so.query = "racism";
        so.limit = LX_LECTURER_DEPTH;
        lx_results *r = NULL;
        CHECK(lx_search(s, &so, &r, &err) == 0 && r);
        for (size_t i = 0; r && i < r->n; i++) {
            const char *id = r->hits[i].id;
            if (strcmp(id, "a3"))
                sa += 1.0 / (double)(i + 1);
            if (strcmp(id, "a1"))
                sb += 1.0 / (double)(i + 1);
        }
        lx_results_free(r);
        CHECK(fabs(a->score - sa) < 1e-9 && fabs(b->score - sb) < 1e-9);
        /* The evidence holds the page's lectures, each person's pointing
         * into it. */
        CHECK(l->evidence->n == 3); /* a2 names both: one hit */
        for (size_t i = 0; i < a->n_lectures; i++)
            CHECK(a->lectures[i] >= l->evidence->hits &&
                  a->lectures[i] < l->evidence->hits + l->evidence->n);
        CHECK(l->people[0].score >= l->people[1].score);
    }
    lx_lecturers_free(l);

    /* CombMAX over 10 lectures is the baseline: the best lecture decides. */
    o.model = LX_EXPERT_MAX;
    o.depth = 10;
    CHECK(lx_lecturers_search(s, &o, &l, &err) == 0);
    if (l) {
        CHECK(l->n == 2 && fabs(l->people[0].score - l->evidence->hits[0].score) < 1e-9);
        lx_lecturers_free(l);
    }
    o.model = LX_EXPERT_N;
    CHECK(lx_lecturers_search(s, &o, &l, &err) == LX_EINVAL && !l);

    /* Paging. */
    o.model = 0;
    o.search.limit = 1;
    o.search.offset = 1;
    CHECK(lx_lecturers_search(s, &o, &l, &err) == 0);
    if (l) {
        CHECK(l->total == 2 && l->n == 1);
        lx_lecturers_free(l);
    }

    /* No lecture matches: nobody (and no sort of an empty list). */
    o.search.query = "zzzqqq";
    o.search.offset = 0;
    CHECK(lx_lecturers_search(s, &o, &l, &err) == 0);
    if (l) {
        CHECK(l->total == 0 && l->n == 0);
        lx_lecturers_free(l);
    }

    /* An empty query: people with the most lectures first. */
    memset(&o, 0, sizeof o);
    o.search.query = "";
    CHECK(lx_lecturers_search(s, &o, &l, &err) == 0);
    if (l) {
        CHECK(l->total == 4);
        CHECK(l->n == 4 && l->people[0].n_lectures == 2 && l->people[3].n_lectures == 1);
        lx_lecturers_free(l);
    }
}

static void test_profile(lx_searcher *s) {
    lx_lecturers *l = NULL;
    lx_error err = {0};
    CHECK(lx_lecturer_get(s, "lena BERG", &l, &err) == 0);
    if (l) {
        CHECK(l->n == 1 && !strcmp(l->people[0].key, "lena berg"));
        CHECK(l->people[0].n_lectures == 2 && l->people[0].score == 2);
        CHECK_STR(l->people[0].name, "Lena Berg");
        lx_lecturers_free(l);
    }
    CHECK(lx_lecturer_get(s, "Dr Amina Hassan", &l, &err) == 0);
    if (l) {
        CHECK(l->people[0].n_lectures == 2);
        lx_lecturers_free(l);
    }
    CHECK(lx_lecturer_get(s, "Hassan", &l, &err) == LX_ENOTFOUND && !l);
    CHECK(lx_lecturer_get(s, "--", &l, &err) == LX_EINVAL && !l);
}

static void test_suggest(lx_searcher *s) {
    lx_tag_suggestion *t = NULL;
    size_t n = 0;
    lx_error err = {0};
    /* The untagged pay-gap lecture: its neighbours carry gender equality. */
    CHECK(lx_suggest_tags(s, "u1", 3, &t, &n, &err) == 0);
    CHECK(n >= 2 && n <= 3);
    if (n >= 2) {
        CHECK_STR(t[0].tag, "gender equality");
        CHECK(t[0].confidence > 0.5 && t[0].confidence <= 1.0 && !t[0].curated);
        CHECK_STR(t[1].tag, "labour market");
        CHECK(t[1].confidence < t[0].confidence);
    }
    free(t);
    /* A tagged lecture: its own tags come back marked curated. */
    CHECK(lx_suggest_tags(s, "a4", 10, &t, &n, &err) == 0);
    int curated = 0;
    for (size_t i = 0; i < n; i++)
        curated += t[i].curated;
    CHECK(curated >= 1);
    free(t);
    CHECK(lx_suggest_tags(s, "nope", 3, &t, &n, &err) == LX_ENOTFOUND && !t && !n);
}

int main(void) {
    test_names();
    lx_index *ix = tix_open(check_tmpdir("people"), LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s) {
        test_lecturers(s);
        test_profile(s);
        test_suggest(s);
        lx_searcher_close(s);
    }
    lx_index_close(ix);
    CHECK_DONE();
}
