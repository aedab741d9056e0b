/* test_facet.c -- facet counts (engine/facet.c): every tag's and
 * language's count over the matched lectures, most frequent first, ties
 * by value, limited on request, with and without a language filter, each
 * against a brute-force count.
 */
#include "check.h"
#include "testcoll.h"
#include "testidx.h"

#include <stdio.h>
#include <string.h>

/* An index in tmp folder `name` of n lectures "<prefix><i>" titled
 * "<prefix> lecture <i>", in Finnish when i % 3 == 0 (else English), with
 * the tags tags(i) writes (a JSON array's items). */
static lx_index *facet_index(const char *name, const char *prefix, int n,
                             void (*tags)(int i, char *buf, size_t cap)) {
    lx_index *ix = tix_open(check_tmpdir(name), LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < n; i++) {
        char t[600] = "";
        tags(i, t, sizeof t);
        CHECK(put(w, tix_fmt("{\"id\":\"%c%d\",\"title\":\"%s lecture %d\",\"language\":\"%s\","
                             "\"tags\":[%s]}",
                             prefix[0], i, prefix, i, i % 3 ? "en" : "fi", t)) == 0);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);
    return ix;
}

/* lang: 0 every lecture, 1 the Finnish ones, 2 the English ones. */
static int in_lang(int i, int lang) {
    return !(lang == 1 && i % 3) && !(lang == 2 && i % 3 == 0);
}

/* Every lecture ("lecture" is in each title) with facets, in lang, as
 * o sets it up (facet_limit limit), searched; NULL (a failed CHECK) on
 * error. */
static lx_results *facet_search(lx_searcher *s, lx_search_opts *o, int lang, unsigned limit) {
    memset(o, 0, sizeof *o);
    o->query = "lecture";
    o->flags = LX_SEARCH_FACETS;
    o->lang = lang ? lang == 1 ? "fi" : "en" : NULL;
    o->facet_limit = limit;
    lx_results *r = NULL;
    CHECK(lx_search(s, o, &r, NULL) == 0);
    return r;
}

/* Lecture i (of FACET_DOCS) has tag t (1..12) when (i + t) % (t + 2) == 0
 * or t divides i, and the rare tag "r<i % 37>" when i % 5 == 0; it is in
 * Finnish when i % 3 == 0.  Counts vary and some tie; tags 1-3 are in more
 * than 1/32 of the lectures (counted from bitmaps), the rare ones are not
 * (counted per lecture), so both ways are checked against a brute-force
 * count, with and without a filter, and the order and its prefixes too.
 * The Finnish third is counted lecture by lecture; all lectures and the
 * English two thirds by their complement (facet.c: a value's total less
 * its count among the lectures not matched). */
#define FACET_DOCS 400
static int facet_has(int i, int t) {
    return (i + t) % (t + 2) == 0 || i % t == 0;
}

/* Lecture i's tags, as a JSON array's items, into buf. */
static void facet_tags(int i, char *buf, size_t cap) {
    size_t n = 0;
    for (int t = 1; t <= 12; t++)
        if (facet_has(i, t))
            n += (size_t)snprintf(buf + n, cap - n, "%s\"tag%02d\"", n ? "," : "", t);
    if (i % 5 == 0)
        snprintf(buf + n, cap - n, "%s\"r%d\"", n ? "," : "", i % 37);
}

static unsigned facet_expect(const char *value, int lang) {
    unsigned n = 0;
    for (int i = 0; i < FACET_DOCS; i++) {
        if (!in_lang(i, lang))
            continue;
        int t, r;
        if (sscanf(value, "tag%d", &t) == 1)
            n += facet_has(i, t);
        else if (sscanf(value, "r%d", &r) == 1)
            n += i % 5 == 0 && i % 37 == r;
        else if (!strcmp(value, "fi"))
            n += i % 3 == 0;
        else if (!strcmp(value, "en"))
            n += i % 3 != 0;
    }
    return n;
}

static void test_facet_limit(void) {
    lx_index *ix = facet_index("index-facets", "facet", FACET_DOCS, facet_tags);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_search_opts o;
    for (int lang = 0; lang < 3; lang++) {
        lx_results *all = facet_search(s, &o, lang, 0);
        if (!all)
            break;
        CHECK(all->total == (lang ? lang == 1 ? 134u : 266u : (unsigned)FACET_DOCS));
        size_t present = 0; /* every tag with a lecture in the set is listed */
        for (int t = 1; t <= 12; t++)
            present += facet_expect(tix_fmt("tag%02d", t), lang) > 0;
        for (int r = 0; r < 37; r++)
            present += facet_expect(tix_fmt("r%d", r), lang) > 0;
        CHECK(all->n_tag_facets == present);
        int counts_ok = 1, ordered = 1;
        for (size_t i = 0; i < all->n_tag_facets; i++)
            counts_ok &= all->tag_facets[i].count == facet_expect(all->tag_facets[i].value, lang);
        for (size_t i = 0; i < all->n_lang_facets; i++)
            counts_ok &= all->lang_facets[i].count == facet_expect(all->lang_facets[i].value, lang);
        for (size_t i = 1; i < all->n_tag_facets; i++) {
            const lx_facet *a = &all->tag_facets[i - 1], *b = &all->tag_facets[i];
            ordered &=
                a->count > b->count || (a->count == b->count && strcmp(a->value, b->value) < 0);
        }
        CHECK(counts_ok);
        CHECK(ordered);
        CHECK(!strcmp(all->tag_facets[0].value, "tag01"));
        for (unsigned k = 1; k <= all->n_tag_facets + 2; k += k < 14 ? 1 : 7) {
            o.facet_limit = k;
            lx_results *r = NULL;
            CHECK(lx_search(s, &o, &r, NULL) == 0);
            size_t want = k < all->n_tag_facets ? k : all->n_tag_facets;
            int same = r && r->n_tag_facets == want && r->total == all->total;
            for (size_t i = 0; same && i < want; i++)
                same = !strcmp(r->tag_facets[i].value, all->tag_facets[i].value) &&
                       r->tag_facets[i].count == all->tag_facets[i].count;
            CHECK(same);
            lx_results_free(r);
        }
        lx_results_free(all);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

/* Lectures with many rare tags (facet.c counts a lecture's first 16 value
 * ids as a block and the rest one by one, in chunks of 1,024): lecture i
 * has i % 30 tags "m<(31 i + 17 j) % 997>", each in about ten of the 640
 * lectures (none counted from a bitmap).  Every count, for all lectures
 * (walked by their complement), the Finnish third (walked) and the
 * English two thirds, is the brute-force one. */
#define MANY_DOCS 640
static int many_has(int i, int m) {
    for (int j = 0; j < i % 30; j++)
        if ((31 * i + 17 * j) % 997 == m)
            return 1;
    return 0;
}

static void many_tags(int i, char *buf, size_t cap) {
    size_t n = 0;
    for (int j = 0; j < i % 30; j++)
        n += (size_t)snprintf(buf + n, cap - n, "%s\"m%d\"", n ? "," : "", (31 * i + 17 * j) % 997);
}

static void test_facet_many_values(void) {
    lx_index *ix = facet_index("index-facets-many", "many", MANY_DOCS, many_tags);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    lx_search_opts o;
    for (int lang = 0; lang < 3; lang++) {
        lx_results *r = facet_search(s, &o, lang, 0);
        if (!r)
            break;
        size_t present = 0;
        int counts_ok = 1;
        for (int m = 0; m < 997; m++) {
            unsigned want = 0;
            for (int i = 0; i < MANY_DOCS; i++)
                if (in_lang(i, lang))
                    want += many_has(i, m);
            present += want > 0;
            const char *name = tix_fmt("m%d", m);
            unsigned got = 0;
            for (size_t f = 0; f < r->n_tag_facets; f++)
                if (!strcmp(r->tag_facets[f].value, name))
                    got = r->tag_facets[f].count;
            counts_ok &= got == want;
        }
        CHECK(counts_ok);
        CHECK(r->n_tag_facets == present);
        lx_results_free(r);
    }
    lx_searcher_close(s);
    lx_index_close(ix);
}

int main(void) {
    test_facet_limit();
    test_facet_many_values();
    CHECK_DONE();
}
