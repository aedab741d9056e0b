/* test_suggest.c -- lx_suggest (engine/suggest.c, completions.c): what is
 * typed completes to topic tags, lecture titles (from any word), speakers
 * (first or last name, counted by their lectures) and words, the most
 * popular first, the query's language first; no repeats, limit kept. */
#include "check.h"
#include "testidx.h"

static const char *const recs[] = {
    "{\"id\": \"e1\", \"title\": \"Everyday racism in schools\", \"language\": \"en\", "
    "\"speaker\": \"Amina Yusuf\", \"tags\": [\"racism\"], "
    "\"transcript\": \"Racism in schools: racial slurs and rankings.\"}",
    "{\"id\": \"f1\", \"title\": \"Rasismi koulussa\", \"language\": \"fi\", "
    "\"speaker\": \"Amina Yusuf\", \"tags\": [\"racism\"], "
    "\"transcript\": \"Rasismi koulussa on arkea. Rasismi satuttaa.\"}",
    "{\"id\": \"e2\", \"title\": \"Racial justice now\", \"language\": \"en\", "
    "\"speaker\": \"Rachel Green and Yusuf Ali\", "
    "\"transcript\": \"Racial justice, racial equity.\"}",
    ("{\"id\": \"f2\", \"title\": \"Rakenteellinen rasismi\", \"language\": \"fi\", "
     "\"transcript\": \"Rakenteellinen rasismi ja rasistiset rakenteet.\"}"),
};

static lx_facet *suggest(lx_searcher *s, const char *q, const char *lang, unsigned limit,
                         size_t *n) {
    lx_facet *f = NULL;
    lx_error err;
    CHECK(lx_suggest(s, q, lang, limit, &f, n, &err) == 0);
    return f;
}

/* The place of value in f[0..n), or -1. */
static int place(const lx_facet *f, size_t n, const char *value) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(f[i].value, value))
            return (int)i;
    return -1;
}

static void test_kinds(lx_searcher *s) {
    size_t n;
    lx_facet *f = suggest(s, "amin", NULL, 8, &n);
    int i = place(f, n, "Amina Yusuf");
    CHECK(i >= 0 && f[i].count == 2); /* a speaker counts their lectures */
    free(f);
    f = suggest(s, "yus", NULL, 8, &n); /* from the last name; both people */
    int a = place(f, n, "Amina Yusuf");
    CHECK(a >= 0 && place(f, n, "Yusuf Ali") > a); /* two lectures before one */
    free(f);
    f = suggest(s, "everyday ra", NULL, 8, &n); /* a title, from its start */
    CHECK(place(f, n, "Everyday racism in schools") >= 0);
    free(f);
    f = suggest(s, "justice", NULL, 8, &n); /* a title, from a later word */
    CHECK(place(f, n, "Racial justice now") >= 0);
    free(f);
    f = suggest(s, "rac", NULL, 8, &n); /* a tag, a word, a title, a speaker */
    i = place(f, n, "racism");
    CHECK(i >= 0 && f[i].count == 2);
    CHECK(place(f, n, "Racial justice now") >= 0 && place(f, n, "Rachel Green") >= 0);
    CHECK(place(f, n, "racial") >= 0);
    for (size_t a = 0; a < n; a++) /* no repeats, most popular first */
        for (size_t b = a + 1; b < n; b++)
            CHECK(strcmp(f[a].value, f[b].value) && f[a].count >= f[b].count);
    free(f);
    f = suggest(s, "rac", NULL, 2, &n);
    CHECK(n == 2);
    free(f);
}

static void test_language(lx_searcher *s) {
    size_t n;
    /* Finnish first: its title and word before the English ones. */
    lx_facet *f = suggest(s, "ra", "fi", 20, &n);
    int fi = place(f, n, "Rasismi koulussa"), en = place(f, n, "Racial justice now");
    CHECK(fi >= 0 && en >= 0 && fi < en);
    CHECK(place(f, n, "rasismi") >= 0 && place(f, n, "rasismi") < place(f, n, "racial"));
    free(f);
    f = suggest(s, "ra", "en", 20, &n);
    fi = place(f, n, "Rasismi koulussa"), en = place(f, n, "Racial justice now");
    CHECK(fi >= 0 && en >= 0 && en < fi);
    CHECK(place(f, n, "racial") >= 0 && place(f, n, "racial") < place(f, n, "rasismi"));
    free(f);
    /* An Accept-Language value names the language too. */
    f = suggest(s, "ra", "fi-FI,fi;q=0.9,en;q=0.5", 20, &n);
    CHECK(place(f, n, "Rasismi koulussa") < place(f, n, "Racial justice now"));
    free(f);
}

int main(void) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s", check_tmpdir("suggest"));
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    lx_searcher *s;
    lx_error err;
    CHECK(lx_searcher_open(ix, &s, &err) == 0);
    test_kinds(s);
    test_language(s);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
