/* test_fuzzy.c -- forgiving search (engine/fuzzy.c, longq.c, suggest.c):
 * the typo rule and the Damerau-Levenshtein distance; then, over a small
 * index, corrections (did_you_mean), words the index has left alone,
 * completion of the last word and LX_SEARCH_NO_PREFIX, a query past every
 * length limit answered with the dropped words, and suggestions. */
#include "check.h"
#include "fuzzy.h"
#include "testidx.h"

static const char *const recs[] = {
    "{\"id\": \"d\", \"title\": \"Discrimination at work\", \"language\": \"en\", "
    "\"tags\": [\"discrimination\"], \"transcript\": \"Discrimination in hiring and pay matters to "
    "students.\"}",
    "{\"id\": \"i\", \"title\": \"Intersectionality explained\", \"language\": \"en\", "
    "\"tags\": [\"intersectionality\", \"gender\"], "
    "\"transcript\": \"Intersectionality: race and gender together.\"}",
    "{\"id\": \"s\", \"title\": \"Students and stress\", \"language\": \"en\", "
    "\"transcript\": \"Students discuss stress and sleep: it matters.\"}",
    "{\"id\": \"m\", \"title\": \"Why students matter\", \"language\": \"en\", "
    "\"transcript\": \"Students matter. What matters to students matters to us.\"}",
};

static void test_rules(void) {
    CHECK(lx_fuzzy_max_typos("race", 4) == 0);
    CHECK(lx_fuzzy_max_typos("racism", 6) == 1);
    CHECK(lx_fuzzy_max_typos("discrimin", 9) == 2);
    CHECK(lx_fuzzy_max_typos("covid19x", 8) == 0);              /* a digit: none */
    CHECK(lx_fuzzy_max_typos("k\xc3\xa4y", 4) == 0);            /* letters, not bytes */
    CHECK(lx_fuzzy_distance("racism", 6, "racsim", 6, 2) == 1); /* a swap is one */
    CHECK(lx_fuzzy_distance("racism", 6, "rasm", 4, 2) == 2);
    CHECK(lx_fuzzy_distance("racism", 6, "ra", 2, 2) == 3); /* beyond: max + 1 */
    CHECK(lx_fuzzy_distance("gender", 6, "gender", 6, 1) == 0);
}

static void test_search(lx_searcher *s) {
    lx_results *r = tix_search(s, "discrimnation", 10, 0, NULL);
    CHECK(r && r->n >= 1 && !strcmp(r->hits[0].id, "d"));
    CHECK(r && r->did_you_mean && !strcmp(r->did_you_mean, "discrimination"));
    CHECK(r && r->n_corrections == 1 && !strcmp(r->corrections[0].from, "discrimnation"));
    lx_results_free(r);
    r = tix_search(s, "what is intersectionalty, students?", 10, 0, NULL);
    CHECK(r && r->did_you_mean && !strcmp(r->did_you_mean, "what is intersectionality, students?"));
    lx_results_free(r);
    /* Words split from one chunk ("a/b?c") are corrected in their own
     * places (each had the chunk's offset: a negative copy, found by
     * fuzz_http). */
    r = tix_search(s, "discrimnation x/genderr?q=discrimnation/x", 10, LX_SEARCH_NO_PREFIX, NULL);
    CHECK(r && r->did_you_mean &&
          !strcmp(r->did_you_mean, "discrimination x/gender?q=discrimination/x"));
    CHECK(r && r->n_corrections == 3 && !strcmp(r->corrections[1].from, "genderr") &&
          !strcmp(r->corrections[2].to, "discrimination"));
    lx_results_free(r);
    r = tix_search(s, "discrimnation", 10, LX_SEARCH_NO_TYPOS, NULL);
    CHECK(r && r->n == 0 && !r->did_you_mean);
    lx_results_free(r);
    /* A question: the topic word outweighs the context words. */
    r = tix_search(s, "what is intersectionality and why does it matter for students", 10, 0, NULL);
    CHECK(r && r->n >= 2 && !strcmp(r->hits[0].id, "i"));
    lx_results_free(r);
    r = tix_search(s, "gender", 10, 0, NULL); /* a word the index has */
    CHECK(r && r->n == 1 && !r->did_you_mean);
    lx_results_free(r);
    /* The last word completes while typed, not with prefix off or after a space. */
    r = tix_search(s, "intersec", 10, 0, NULL);
    CHECK(r && r->n == 1 && !strcmp(r->hits[0].id, "i"));
    lx_results_free(r);
    r = tix_search(s, "intersec", 10, LX_SEARCH_NO_PREFIX | LX_SEARCH_NO_TYPOS, NULL);
    CHECK(r && r->n == 0);
    lx_results_free(r);
    r = tix_search(s, "intersec ", 10, LX_SEARCH_NO_TYPOS, NULL);
    CHECK(r && r->n == 0);
    lx_results_free(r);
}

static void test_long(lx_searcher *s) {
    static char q[LX_MAX_TEXT_BYTES + 100];
    size_t n = 0;
    for (int i = 0; n < sizeof q - 100; i++)
        n += (size_t)snprintf(q + n, sizeof q - n, "filler%d ", i);
    memcpy(q + 5000, " stress ", 8); /* a rare word kept among hundreds */
    lx_results *r = tix_search(s, q, 10, 0, NULL);
    CHECK(r && r->truncated && r->n_dropped > 1000);
    CHECK(r && r->n == 1 && !strcmp(r->hits[0].id, "s"));
    lx_results_free(r);
    /* A phrase past LX_MAX_PHRASE_WORDS is matched by its words. */
    r = tix_search(s, "\"a b c d e f g h i j k l m n o p q discrimination\"", 10, 0, NULL);
    CHECK(r && r->n == 1 && !strcmp(r->hits[0].id, "d") && !r->truncated);
    lx_results_free(r);
}

static void test_suggest(lx_searcher *s) {
    lx_facet *f = NULL;
    size_t n = 0;
    lx_error err;
    CHECK(lx_suggest(s, "inter", NULL, 8, &f, &n, &err) == 0);
    int tag = 0;
    for (size_t i = 0; i < n; i++)
        tag |= !strcmp(f[i].value, "intersectionality");
    CHECK(n >= 1 && tag);
    free(f);
    CHECK(lx_suggest(s, "students str", NULL, 8, &f, &n, &err) == 0);
    CHECK(n >= 1 && n > 0 && !strcmp(f[0].value, "students stress"));
    free(f);
    CHECK(lx_suggest(s, "", NULL, 8, &f, &n, &err) == 0 && n == 0);
    free(f);
    /* No word completes (fuzz_http: memcpy from the empty buffer's NULL,
     * UBSan's nonnull-attribute in the sanitize build). */
    CHECK(lx_suggest(s, "zqxjv qqzx", NULL, 8, &f, &n, &err) == 0 && n == 0);
    free(f);
}

int main(void) {
    test_rules();
    char dir[600];
    snprintf(dir, sizeof dir, "%s", check_tmpdir("fuzzy"));
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    test_search(s);
    test_long(s);
    test_suggest(s);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK(tix_sound(dir)); /* the vocabulary leaves the index sound */
    CHECK_DONE();
}
