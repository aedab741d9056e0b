/* test_snapmemo.c -- lookups a searcher keeps for its snapshot
 * (engine/snapmemo.c): a word's list and positions, whether a language's
 * lectures hold the word (query language detection), and a lecture's
 * stored group.
 * After a commit that renames, deletes and adds lectures, a searcher
 * that kept them answers every query as one opened after the commit:
 * the same hits, titles, snippets, total and query language.
 */
#include "check.h"
#include "snapmemo.h"
#include "testidx.h"

#include <stdio.h>
#include <string.h>

static const char *const queries[] = {"river", "lagoon", "river sea", "joki", "sauna", "virtaa"};
enum { NQ = sizeof queries / sizeof queries[0] };
#define SNIP (LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS)

static void put_rec(lx_writer *w, const char *rec) {
    lx_error err;
    int rc = lx_writer_put_json(w, rec, strlen(rec), &err);
    CHECK(rc == 0);
    if (rc)
        fprintf(stderr, "  put %s: %s\n", rec, err.message);
}

/* 20 English lectures on a river, 5 Finnish ones on a "joki". */
static void first_collection(lx_index *ix) {
    lx_writer *w = NULL;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; w && i < 20; i++)
        put_rec(w, tix_fmt("{\"id\":\"e%d\",\"title\":\"river talk %d\",\"language\":\"en\","
                           "\"transcript\":\"the river flows into the sea near town %d\"}",
                           i, i, i));
    for (int i = 0; w && i < 5; i++)
        put_rec(w, tix_fmt("{\"id\":\"f%d\",\"title\":\"joki %d\",\"language\":\"fi\","
                           "\"transcript\":\"joki virtaa mereen kaupungin %d luona\"}",
                           i, i, i));
    CHECK(w && lx_writer_commit(w, NULL) == 0);
}

/* Renames e0 and e2 (their groups change), deletes e1, adds a lecture
 * on a lagoon and twelve Finnish ones on a sauna (a word no lecture held:
 * the language evidence for it changes). */
static void second_commit(lx_index *ix) {
    lx_writer *w = NULL;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    if (!w)
        return;
    put_rec(w, "{\"id\":\"e0\",\"title\":\"river mouth renamed\",\"language\":\"en\","
               "\"transcript\":\"at last the wide river meets the sea\"}");
    put_rec(w, "{\"id\":\"e2\",\"title\":\"a second river renamed\",\"language\":\"en\","
               "\"transcript\":\"the river and the lagoon\"}");
    CHECK(lx_writer_delete(w, "e1", NULL) == 0);
    put_rec(w, "{\"id\":\"n0\",\"title\":\"lagoon\",\"language\":\"en\","
               "\"transcript\":\"a lagoon by the sea\"}");
    for (int i = 0; i < 12; i++)
        put_rec(w, tix_fmt("{\"id\":\"s%d\",\"title\":\"sauna %d\",\"language\":\"fi\","
                           "\"transcript\":\"sauna on kuuma ja joki virtaa %d\"}",
                           i, i, i));
    CHECK(lx_writer_commit(w, NULL) == 0);
    /* More commits, each rewriting lectures with the word: pages the
     * lists left are reused, so a kept value of an older snapshot would
     * read another list's bytes. */
    for (int c = 0; c < 4; c++) {
        CHECK(lx_writer_begin(ix, &w, NULL) == 0);
        for (int i = 3; w && i < 20; i++)
            put_rec(
                w,
                tix_fmt("{\"id\":\"e%d\",\"title\":\"river talk %d\",\"language\":\"en\","
                        "\"transcript\":\"%.*sthe river flows into the sea near town %d\"}",
                        i, i, 6 * (c + 1),
                        "so so so so so so so so so so so so so so so so so so so so so so so so ",
                        i));
        CHECK(w && lx_writer_commit(w, NULL) == 0);
    }
}

/* Whether a and b give the same hits (ids, titles, order), total and
 * query language; says how they differ when not. */
static int same_answer(const char *q, const lx_results *a, const lx_results *b) {
    if (!a || !b)
        return 0;
    int ok = a->n == b->n && a->total == b->total && !strcmp(a->query_lang, b->query_lang);
    for (size_t i = 0; ok && i < a->n; i++)
        ok = !strcmp(a->hits[i].id, b->hits[i].id) &&
             !strcmp(a->hits[i].title ? a->hits[i].title : "",
                     b->hits[i].title ? b->hits[i].title : "") &&
             !strcmp(a->hits[i].snippet ? a->hits[i].snippet : "",
                     b->hits[i].snippet ? b->hits[i].snippet : "");
    if (!ok)
        fprintf(stderr,
                "  \"%s\": the searcher that kept its lookups answers otherwise than a fresh "
                "one (%zu hits, total %llu, lang %s; fresh %zu, %llu, %s; first title %s / %s)\n",
                q, a->n, (unsigned long long)a->total, a->query_lang, b->n,
                (unsigned long long)b->total, b->query_lang, a->n ? a->hits[0].title : "-",
                b->n ? b->hits[0].title : "-");
    return ok;
}

/* The kept searcher s against a fresh one, every query. */
static void against_fresh(lx_index *ix, lx_searcher *s) {
    lx_searcher *t = NULL;
    CHECK(lx_searcher_open(ix, &t, NULL) == 0);
    for (int i = 0; t && i < NQ; i++) {
        lx_results *a = tix_search(s, queries[i], 10, SNIP, NULL);
        lx_results *b = tix_search(t, queries[i], 10, SNIP, NULL);
        CHECK(same_answer(queries[i], a, b));
        lx_results_free(a);
        lx_results_free(b);
    }
    lx_searcher_close(t);
}

/* The renamed lecture's new title, from the kept searcher. */
static void renamed(lx_searcher *s) {
    lx_results *r = tix_search(s, "river mouth", 10, SNIP, NULL);
    const lx_hit *h = tix_hit(r, "e0");
    CHECK(h && h->title && !strcmp(h->title, "river mouth renamed"));
    CHECK(h && h->snippet &&
          strstr(h->snippet, "wide <mark>river</mark> meets")); /* its new positions */
    CHECK(!tix_hit(r, "e1"));
    lx_results_free(r);
    r = tix_search(s, "lagoon", 10, 0, NULL);
    CHECK(r && tix_hit(r, "n0") && tix_hit(r, "e2") && r->total == 2);
    lx_results_free(r);
}

/* The row of findings detection keeps with a word (snapmemo's own
 * contract): set in one snapshot, kept by the next search of it, empty
 * after a commit.  mark: the value to leave in it; returns what the
 * row held before. */
static int lang_row(lx_searcher *s, const char *word, unsigned char mark) {
    lx_rank_params p;
    lx_rank_params_default(&p);
    MDB_val v;
    unsigned char *row = NULL;
    int held = -1;
    CHECK(lx_searcher_begin(s, &p, NULL) == 0);
    CHECK(lx_snapmemo_word(s, word, strlen(word), &v, &row) == 0);
    CHECK(row != NULL);
    if (row) {
        held = row[0];
        row[0] = mark;
    }
    lx_searcher_end(s);
    return held;
}

int main(void) {
    lx_index *ix = tix_open(check_tmpdir("snapmemo"), LX_OPEN_CREATE);
    first_collection(ix);
    lx_searcher *s = NULL;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    if (s) {
        for (int twice = 0; twice < 2; twice++) /* the second from the memo */
            against_fresh(ix, s);
        lx_results *r = tix_search(s, "lagoon", 10, 0, NULL);
        CHECK(r && r->total == 0);
        lx_results_free(r);
        lang_row(s, "river", 7);
        CHECK(lang_row(s, "river", 7) == 7);
        second_commit(ix);
        CHECK(lang_row(s, "river", 0) == 0);
        against_fresh(ix, s);
        renamed(s);
        lx_searcher_close(s);
    }
    lx_index_close(ix);
    CHECK_DONE();
}
