/* test_index.c -- the index as a whole (engine/writer.c, store.c,
 * record.c, search.c):
 *
 * - an index built in one batch from a final set of lectures and one built
 *   through several batches of adds, replaces and deletes that end at the
 *   same set answer every query with the same (id, score) lists, the same
 *   totals and facets, tags and statistics;
 * - lx_get gives back the stored record, unknown fields kept; reopening
 *   after close finds the same; lx_stats counts;
 * - a read-only searcher in another process, opened before a writer
 *   commits, keeps working and sees the new lecture after;
 * - write errors: unknown id, duplicate id in a batch, bad records (with
 *   the field named, the batch going on), abort, read-only index;
 * - an index of another format version is refused with LX_EFORMAT.
 */
#include "check.h"
#include "store.h"
#include "testcoll.h"
#include "testidx.h"

#include <cjson/cJSON.h>
#include <lmdb.h>
#include <math.h>
#include <sys/wait.h>
#include <unistd.h>

/* Index A: the final set in one batch. */
static void build_fresh(const char *dir) {
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < NFINAL; i++) {
        char *r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_index_close(ix);
}

/* Index B: the same final set through adds, replaces and deletes. */
static void build_history(const char *dir) {
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    char *r;
    /* Batch 1: lectures 0..29 in an old version (2), extras 100..109. */
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < 30; i++) {
        r = make_record(i, 2);
        CHECK(put(w, r) == 0);
        free(r);
    }
    for (int i = 100; i < 110; i++) {
        r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);

    /* Batch 2: replace 0..14 with version 1, delete extras 100..104, add
     * 30..39 in version 1; an extra added and deleted in the batch; an
     * extra deleted and put again in the batch. */
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < 15; i++) {
        r = make_record(i, 1);
        CHECK(put(w, r) == 0);
        free(r);
    }
    for (int i = 100; i < 105; i++)
        CHECK(del(w, idof(i)) == 0);
    for (int i = 30; i < 40; i++) {
        r = make_record(i, 1);
        CHECK(put(w, r) == 0);
        free(r);
    }
    r = make_record(120, 0);
    CHECK(put(w, r) == 0);
    free(r);
    CHECK(del(w, idof(120)) == 0);
    CHECK(del(w, idof(105)) == 0);
    r = make_record(105, 1);
    CHECK(put(w, r) == 0);
    free(r);
    CHECK(lx_writer_commit(w, NULL) == 0);

    /* Batch 3: everything to its final version (0..39, some twice over
     * batches), the remaining extras deleted. */
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 39; i >= 0; i--) {
        r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    for (int i = 105; i < 110; i++)
        CHECK(del(w, idof(i)) == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);

    /* Batch 4: delete and re-add a few unchanged (new docids). */
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    for (int i = 0; i < 40; i += 7)
        CHECK(del(w, idof(i)) == 0);
    for (int i = 0; i < 40; i += 7) {
        r = make_record(i, 0);
        CHECK(put(w, r) == 0);
        free(r);
    }
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_index_close(ix);
}

typedef struct idscore {
    char id[64];
    double score;
} idscore;

static int cmp_idscore(const void *a, const void *b) {
    const idscore *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->id, y->id);
}

/* Runs a query on both and compares; returns 1 when equal. */
static int same_results(lx_searcher *a, lx_searcher *b, const lx_search_opts *o) {
    lx_results *ra = NULL, *rb = NULL;
    lx_error ea, eb;
    int rca = lx_search(a, o, &ra, &ea), rcb = lx_search(b, o, &rb, &eb);
    int ok = rca == rcb;
    if (ok && rca == 0) {
        ok = ra->n == rb->n && ra->total == rb->total && ra->n_tag_facets == rb->n_tag_facets &&
             ra->n_lang_facets == rb->n_lang_facets;
        idscore xa[LX_MAX_RESULTS], xb[LX_MAX_RESULTS];
        for (size_t i = 0; ok && i < ra->n; i++) {
            snprintf(xa[i].id, sizeof xa[i].id, "%s", ra->hits[i].id);
            xa[i].score = ra->hits[i].score;
            snprintf(xb[i].id, sizeof xb[i].id, "%s", rb->hits[i].id);
            xb[i].score = rb->hits[i].score;
        }
        if (ok) {
            qsort(xa, ra->n, sizeof *xa, cmp_idscore);
            qsort(xb, rb->n, sizeof *xb, cmp_idscore);
        }
        for (size_t i = 0; ok && i < ra->n; i++)
            ok = strcmp(xa[i].id, xb[i].id) == 0 && xa[i].score == xb[i].score;
        for (size_t i = 0; ok && i < ra->n_tag_facets; i++)
            ok = strcmp(ra->tag_facets[i].value, rb->tag_facets[i].value) == 0 &&
                 ra->tag_facets[i].count == rb->tag_facets[i].count;
        for (size_t i = 0; ok && i < ra->n_lang_facets; i++)
            ok = strcmp(ra->lang_facets[i].value, rb->lang_facets[i].value) == 0 &&
                 ra->lang_facets[i].count == rb->lang_facets[i].count;
        if (!ok) {
            fprintf(stderr,
                    "  query \"%s\" tags=%s lang=%s: fresh %zu hits (total %llu), "
                    "history %zu (total %llu)\n",
                    o->query, o->tags ? o->tags : "-", o->lang ? o->lang : "-", ra->n,
                    (unsigned long long)ra->total, rb->n, (unsigned long long)rb->total);
            for (size_t i = 0; i < ra->n || i < rb->n; i++)
                fprintf(stderr, "    %s %.9g | %s %.9g\n", i < ra->n ? ra->hits[i].id : "-",
                        i < ra->n ? ra->hits[i].score : 0, i < rb->n ? rb->hits[i].id : "-",
                        i < rb->n ? rb->hits[i].score : 0);
        }
    } else if (!ok) {
        fprintf(stderr, "  query \"%s\": rc %d vs %d\n", o->query, rca, rcb);
    }
    lx_results_free(ra);
    lx_results_free(rb);
    return ok;
}

static void test_history_equals_fresh(void) {
    char da[512], db[512];
    snprintf(da, sizeof da, "%s", check_tmpdir("index-fresh"));
    snprintf(db, sizeof db, "%s", check_tmpdir("index-history"));
    build_fresh(da);
    build_history(db);
    CHECK(tix_sound(da) && tix_sound(db));
    lx_index *a = tix_open(da, LX_OPEN_READONLY), *b = tix_open(db, LX_OPEN_READONLY);
    lx_searcher *sa, *sb;
    CHECK(lx_searcher_open(a, &sa, NULL) == 0);
    CHECK(lx_searcher_open(b, &sb, NULL) == 0);

    /* Statistics. */
    lx_stats ta, tb;
    CHECK(lx_stats_get(sa, &ta, NULL) == 0);
    CHECK(lx_stats_get(sb, &tb, NULL) == 0);
    CHECK(ta.documents == NFINAL && tb.documents == NFINAL);
    CHECK(ta.terms == tb.terms);
    CHECK(ta.tokens == tb.tokens);
    CHECK(ta.n_languages == tb.n_languages && ta.n_languages == 3);
    for (unsigned i = 0; i < ta.n_languages && i < tb.n_languages; i++)
        CHECK_STR(ta.languages[i], tb.languages[i]);
    if (ta.terms != tb.terms || ta.tokens != tb.tokens)
        fprintf(stderr, "  terms %llu vs %llu, tokens %llu vs %llu\n", (unsigned long long)ta.terms,
                (unsigned long long)tb.terms, (unsigned long long)ta.tokens,
                (unsigned long long)tb.tokens);

    /* Tags with counts. */
    lx_facet *fa, *fb;
    size_t na, nb;
    CHECK(lx_tags(sa, &fa, &na, NULL) == 0);
    CHECK(lx_tags(sb, &fb, &nb, NULL) == 0);
    CHECK(na == nb);
    for (size_t i = 0; i < na && i < nb; i++) {
        CHECK_STR(fa[i].value, fb[i].value);
        CHECK(fa[i].count == fb[i].count);
    }
    free(fa);
    free(fb);

    /* Every stored record is the final version. */
    for (int i = 0; i < NFINAL; i++) {
        char *ja, *jb;
        size_t la, lb;
        CHECK(lx_get(sa, idof(i), &ja, &la, NULL) == 0);
        CHECK(lx_get(sb, idof(i), &jb, &lb, NULL) == 0);
        CHECK(ja && jb && la == lb && strcmp(ja, jb) == 0);
        free(ja);
        free(jb);
    }
    for (int i = 100; i < 110; i++) {
        char *j = NULL;
        CHECK(lx_get(sb, idof(i), &j, NULL, NULL) == LX_ENOTFOUND);
        CHECK(j == NULL);
    }

    /* Queries: every word alone (in each language's forms), pairs,
     * phrases, exclusions, filters, inflected Finnish forms of tag words,
     * the empty query. */
    static const char *const qs[] = {
        "",
        "gender",
        "equality",
        "migration",
        "migrants",
        "racism",
        "school",
        "schools",
        "teachers",
        "pay gap",
        "\"pay gap\"",
        "women men",
        "running",
        "run",
        ("social "
         "sustainability"),
        "\"social sustainability\"",
        "housing -health",
        "gender NOT racism",
        "kest\xC3\xA4v\xC3\xA4\xC3\xA4 kehityst\xC3\xA4",
        "kest\xC3\xA4v\xC3\xA4 kehitys",
        "kestava",
        "maahanmuutto",
        "maahanmuuttajat",
        "tasa-arvo",
        "koulussa",
        "rasismi",
        "Gleichberechtigung",
        "Schule",
        "Lehrer",
        "Strasse",
        "Migration Frauen",
        "tag:gender",
        "tag:\"higher education\" culture",
        "lang:fi",
        "lang:de migration",
        "speaker:\"Amina Yusuf\"",
        "speaker:wei research",
        "identity culture language",
        "higher education",
        "wellbeing health policy research",
        "nothing-matches-this",
        "sustainability OR wellbeing",
        "-gender",
        "tag:maahanmuutto kulttuuri",
    };
    lx_search_opts o;
    int same = 0, total = 0;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        for (int mode = 0; mode < 3; mode++) {
            memset(&o, 0, sizeof o);
            o.query = qs[i];
            o.limit = 50;
            o.flags = LX_SEARCH_FACETS | (mode == 0   ? LX_SEARCH_EXHAUSTIVE
                                          : mode == 1 ? 0
                                                      : LX_SEARCH_SNIPPETS);
            if (mode == 2)
                o.lang = "fi";
            same += same_results(sa, sb, &o);
            total++;
        }
    }
    /* Option filters. */
    memset(&o, 0, sizeof o);
    o.query = "gender migration school";
    o.limit = 50;
    o.tags = "gender,pay gap";
    same += same_results(sa, sb, &o);
    o.tags = NULL;
    o.speaker = "Li Wei";
    same += same_results(sa, sb, &o);
    total += 2;
    CHECK(same == total);

    lx_searcher_close(sa);
    lx_searcher_close(sb);
    lx_index_close(a);
    lx_index_close(b);
}

/* Tag names in several languages: a tag carried by an English and a
 * Finnish lecture is named by its English and its Finnish stem form; when
 * the Finnish lecture drops the tag, only the English form may remain, as
 * in a fresh build ("kestävää" has the Finnish stem of the tag "kestävä"
 * but not its English one). */
static void test_tag_forms_follow_languages(void) {
    const char *e = "{\"id\":\"E\",\"title\":\"Sustainable cities\",\"language\":\"en\","
                    "\"tags\":[\"kest\xC3\xA4v\xC3\xA4\",\"Kaupungit\"]}";
    const char *f0 = "{\"id\":\"F\",\"title\":\"Kaupungit\",\"language\":\"fi\","
                     "\"tags\":[\"kest\xC3\xA4v\xC3\xA4\",\"kaupungit\"]}";
    const char *f1 = "{\"id\":\"F\",\"title\":\"Kaupungit\",\"language\":\"fi\"}";
    const char *g = "{\"id\":\"G\",\"title\":\"Cities\",\"language\":\"de\","
                    "\"tags\":[\"kest\xC3\xA4v\xC3\xA4\"]}";
    char da[512], db[512];
    snprintf(da, sizeof da, "%s", check_tmpdir("index-tagforms-fresh"));
    snprintf(db, sizeof db, "%s", check_tmpdir("index-tagforms-history"));
    lx_index *a = tix_open(da, LX_OPEN_CREATE), *b = tix_open(db, LX_OPEN_CREATE);
    const char *fresh[] = {e, f1};
    tix_put_all(a, fresh, 2);
    /* History: F with the tag, then without; G (German) added and
     * deleted in between. */
    const char *h1[] = {e, f0, g};
    tix_put_all(b, h1, 3);
    lx_writer *w;
    CHECK(lx_writer_begin(b, &w, NULL) == 0);
    CHECK(put(w, f1) == 0);
    CHECK(del(w, "G") == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_searcher *sa, *sb;
    CHECK(lx_searcher_open(a, &sa, NULL) == 0);
    CHECK(lx_searcher_open(b, &sb, NULL) == 0);
    static const char *const qs[] = {"cities kest\xC3\xA4v\xC3\xA4\xC3\xA4",
                                     "cities kest\xC3\xA4v\xC3\xA4",
                                     "cities kestava",
                                     "cities kaupungeissa",
                                     "kaupungit",
                                     "cities kaupunki"};
    lx_search_opts o;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        memset(&o, 0, sizeof o);
        o.query = qs[i];
        o.limit = 10;
        o.flags = LX_SEARCH_FACETS;
        CHECK(same_results(sa, sb, &o));
    }
    lx_searcher_close(sa);
    lx_searcher_close(sb);
    lx_index_close(a);
    lx_index_close(b);
}

/* More languages than a stemmer set holds (LX_MAX_LANGS): a batch of
 * lectures in 40 language codes, a Finnish one last, then a delete of the
 * Finnish one in a later batch must remove every term its put added; and a
 * searcher asked for 40 languages the index lacks still stems Finnish. */
static int count_hits(lx_searcher *s, const char *q);

static void test_many_languages(void) {
    const char *dir = check_tmpdir("index-languages");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    /* 40 ISO 639-1 codes (records take no other) that sort after "fi",
     * so that Finnish is among the languages a searcher holds. */
    char code[3];
    for (int i = 0, c = ('g' - 'a') * 26; i < 40; c++) {
        char two[3] = {(char)('a' + c / 26), (char)('a' + c % 26), 0};
        if (lx_language_lookup(two, code) != 0)
            continue;
        CHECK(put(w, tix_fmt("{\"id\":\"x%d\",\"title\":\"word%d\",\"language\":\"%s\"}", i, i,
                             code)) == 0);
        i++;
    }
    const char *fi = "{\"id\":\"fi\",\"title\":\"Kest\xC3\xA4v\xC3\xA4\xC3\xA4 kehityst\xC3\xA4\","
                     "\"language\":\"fi\"}";
    CHECK(put(w, fi) == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    /* A fresh searcher asked for languages the index lacks first (valid
     * codes: lang: refuses what is no language). */
    for (int c = 0, asked = 0; c < ('f' - 'a') * 26 && asked < 40; c++) {
        char two[3] = {(char)('a' + c / 26), (char)('a' + c % 26), 0};
        if (lx_language_lookup(two, code) != 0)
            continue;
        CHECK(count_hits(s, tix_fmt("lang:%s word1", two)) == 0);
        asked++;
    }
    /* Stemmed as Finnish: "kestävä" meets "kestävää". */
    CHECK(count_hits(s, "kest\xC3\xA4v\xC3\xA4") == 1);
    CHECK(count_hits(s, "lang:fi kest\xC3\xA4v\xC3\xA4") == 1);
    lx_stats before;
    CHECK(lx_stats_get(s, &before, NULL) == 0);
    CHECK(before.documents == 41);

    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    CHECK(del(w, "fi") == 0);
    CHECK(lx_writer_commit(w, NULL) == 0);
    lx_stats after;
    CHECK(lx_stats_get(s, &after, NULL) == 0);
    CHECK(after.documents == 40);
    /* Every term of the Finnish lecture is gone with it. */
    CHECK(after.terms == 40);
    CHECK(after.tokens == 40);
    CHECK(count_hits(s, "kest\xC3\xA4v\xC3\xA4") == 0);
    CHECK(count_hits(s, "kestavaa") == 0);
    CHECK(count_hits(s, "kehityst\xC3\xA4") == 0);
    CHECK(count_hits(s, "word39") == 1);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK(tix_sound(dir));
}

/* ---- stored records, reopen, stats ----------------------------------------------- */

static void test_get_reopen_stats(void) {
    const char *dir = check_tmpdir("index-get");
    static const char *const recs[] = {
        "{\"id\":\"r1\",\"title\":\"Gender and work\",\"language\":\"en\","
        "\"tags\":[\"gender\"],\"transcript\":\"Women at work.\",\"custom\":\"kept\","
        "\"nested\":{\"a\":[1,2,3],\"b\":null,\"c\":true},\"rating\":4.5}",
        "{\"id\":\"r2\",\"title\":\"Kest\xC3\xA4v\xC3\xA4 kehitys\",\"language\":\"fi\","
        "\"segments\":[{\"start\":1.5,\"end\":4,\"text\":\"Hyv\xC3\xA4\xC3\xA4 huomenta\"},"
        "{\"start\":4,\"end\":9.25,\"text\":\"kaikille.\"}]}",
        "{\"id\":\"r3 with space/and\xC3\xA4\",\"title\":\"\"}",
    };
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, 3);
    for (int round = 0; round < 2; round++) {
        lx_searcher *s;
        CHECK(lx_searcher_open(ix, &s, NULL) == 0);
        char *j = NULL;
        size_t len = 0;
        CHECK(lx_get(s, "r1", &j, &len, NULL) == 0);
        CHECK(j && len == strlen(j));
        cJSON *got = cJSON_Parse(j), *want = cJSON_Parse(recs[0]);
        CHECK(got && want && cJSON_Compare(got, want, 1));
        if (got && want && !cJSON_Compare(got, want, 1))
            fprintf(stderr, "  r1 stored as %s\n", j);
        cJSON_Delete(got);
        cJSON_Delete(want);
        free(j);
        /* Segments come back with their times and text. */
        CHECK(lx_get(s, "r2", &j, NULL, NULL) == 0);
        got = cJSON_Parse(j);
        want = cJSON_Parse(recs[1]);
        CHECK(got && want && cJSON_Compare(got, want, 1));
        if (got && want && !cJSON_Compare(got, want, 1))
            fprintf(stderr, "  r2 stored as %s\n", j);
        cJSON_Delete(got);
        cJSON_Delete(want);
        free(j);
        CHECK(lx_get(s, "r3 with space/and\xC3\xA4", &j, NULL, NULL) == 0);
        free(j);
        lx_error err;
        j = (char *)1;
        CHECK(lx_get(s, "nope", &j, NULL, &err) == LX_ENOTFOUND);
        CHECK(j == NULL && err.code == LX_ENOTFOUND);
        CHECK(lx_get(s, "", &j, NULL, NULL) == LX_ENOTFOUND);

        lx_stats st;
        CHECK(lx_stats_get(s, &st, NULL) == 0);
        CHECK(st.documents == 3);
        /* title 3 + tags 1 + transcript 3; title 2 + segments 3; nothing */
        CHECK(st.tokens == 12);
        CHECK(st.n_languages == 2);
        CHECK_STR(st.languages[0], "en");
        CHECK_STR(st.languages[1], "fi");
        CHECK(st.index_bytes > 0);
        CHECK(st.terms >= 9);

        lx_results *r = tix_search(s, "huomenta", 10, LX_SEARCH_SNIPPETS, NULL);
        CHECK(r && r->n == 1 && strcmp(r->hits[0].id, "r2") == 0);
        if (r && r->n == 1)
            CHECK_NEAR(r->hits[0].snippet_start, 1.5, 1e-9);
        lx_results_free(r);
        /* A speaker filter without a word matches nobody, hits as total. */
        lx_search_opts so;
        memset(&so, 0, sizeof so);
        so.query = "gender";
        so.speaker = "!!";
        so.flags = LX_SEARCH_FACETS;
        r = NULL;
        CHECK(lx_search(s, &so, &r, NULL) == 0);
        CHECK(r && r->n == 0 && r->total == 0);
        lx_results_free(r);
        so.flags = 0;
        r = NULL;
        CHECK(lx_search(s, &so, &r, NULL) == 0);
        CHECK(r && r->n == 0);
        lx_results_free(r);
        /* The empty query lists every lecture. */
        r = tix_search(s, "", 10, LX_SEARCH_FACETS, NULL);
        CHECK(r && r->n == 3 && r->total == 3);
        lx_results_free(r);
        lx_searcher_close(s);
        /* Close and reopen, read-only the second time. */
        lx_index_close(ix);
        ix = tix_open(dir, round == 0 ? LX_OPEN_READONLY : 0);
    }
    lx_index_close(ix);
}

/* ---- a reader in another process ---------------------------------------------------- */

static int count_hits(lx_searcher *s, const char *q) {
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = q;
    o.limit = 100;
    lx_results *r = NULL;
    if (lx_search(s, &o, &r, NULL))
        return -1;
    int n = (int)r->n;
    lx_results_free(r);
    return n;
}

static void test_concurrent_reader(void) {
    const char *d = check_tmpdir("index-reader");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", d);
    static const char *const recs[] = {
        "{\"id\":\"c1\",\"title\":\"Migration stories\",\"transcript\":\"Moving to a new "
        "country.\"}",
        "{\"id\":\"c2\",\"title\":\"Racism at school\",\"transcript\":\"Children talk.\"}",
    };
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, 2);
    lx_index_close(ix);

    int up[2], down[2];
    if (pipe(up) || pipe(down)) {
        CHECK(0);
        return;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* The reader: its failures are its exit status. */
        close(up[0]);
        close(down[1]);
        char c;
        int bad = 0;
        lx_index *rx = NULL;
        if (lx_index_open(dir, LX_OPEN_READONLY, &rx, NULL))
            _exit(100);
        lx_searcher *s;
        if (lx_searcher_open(rx, &s, NULL))
            _exit(101);
        bad += count_hits(s, "zebra") != 0;
        bad += count_hits(s, "migration") != 1;
        if (write(up[1], "1", 1) != 1 || read(down[0], &c, 1) != 1)
            _exit(102);
        /* The writer holds an uncommitted batch with "zebra". */
        bad += count_hits(s, "zebra") != 0;
        bad += count_hits(s, "migration") != 1;
        if (write(up[1], "2", 1) != 1 || read(down[0], &c, 1) != 1)
            _exit(103);
        /* Committed: seen at the next search, by the same searcher. */
        bad += count_hits(s, "zebra") != 1;
        bad += count_hits(s, "migration") != 0; /* c1 was replaced */
        bad += count_hits(s, "racism") != 1;
        lx_searcher_close(s);
        lx_index_close(rx);
        _exit(bad);
    }
    close(up[1]);
    close(down[0]);
    char c;
    CHECK(read(up[0], &c, 1) == 1);
    ix = tix_open(dir, 0);
    lx_searcher *own;
    CHECK(lx_searcher_open(ix, &own, NULL) == 0);
    lx_writer *w;
    CHECK(lx_writer_begin(ix, &w, NULL) == 0);
    const char *zebra = "{\"id\":\"c3\",\"title\":\"Zebra crossings\"}";
    const char *c1 = "{\"id\":\"c1\",\"title\":\"Moving stories\"}";
    CHECK(put(w, zebra) == 0);
    CHECK(put(w, c1) == 0);
    /* A searcher of the writing process sees the last commit too. */
    CHECK(count_hits(own, "zebra") == 0);
    CHECK(write(down[1], "a", 1) == 1);
    CHECK(read(up[0], &c, 1) == 1);
    CHECK(lx_writer_commit(w, NULL) == 0);
    CHECK(count_hits(own, "zebra") == 1);
    CHECK(count_hits(own, "migration") == 0);
    CHECK(write(down[1], "b", 1) == 1);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        fprintf(stderr, "  reader process: status %d\n", status);
    close(up[0]);
    close(down[1]);
    lx_searcher_close(own);
    lx_index_close(ix);
}

/* ---- write errors --------------------------------------------------------------------- */

static void test_write_errors(void) {
    const char *dir = check_tmpdir("index-errors");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    static const char *const base[] = {
        "{\"id\":\"e1\",\"title\":\"Equality at work\",\"transcript\":\"Pay and gender.\"}",
        "{\"id\":\"e2\",\"title\":\"Migration\",\"tags\":[\"migration\"]}",
    };
    tix_put_all(ix, base, 2);
    lx_writer *w;
    lx_error err;
    CHECK(lx_writer_begin(ix, &w, &err) == 0);

    /* Unknown id. */
    CHECK(lx_writer_delete(w, "nope", &err) == LX_ENOTFOUND);
    CHECK(err.code == LX_ENOTFOUND);
    CHECK_STR(err.field, "id");

    /* Bad records: code, field, and the batch goes on. */
    static const struct {
        const char *json;
        int code;
        const char *field;
    } bad[] = {
        {"{\"title\":\"no id\"}", LX_ERECORD, "id"},
        {"{\"id\":\"\",\"title\":\"empty id\"}", LX_ERECORD, "id"},
        {"{\"id\":7,\"title\":\"numeric id\"}", LX_ERECORD, "id"},
        {"{\"id\":\"b1\"}", LX_ERECORD, "title"},
        {"{\"id\":\"b2\",\"title\":42}", LX_ERECORD, "title"},
        {"{\"id\":\"b3\",\"title\":\"t\",\"description\":[]}", LX_ERECORD, "description"},
        {"{\"id\":\"b4\",\"title\":\"t\",\"tags\":\"gender\"}", LX_ERECORD, "tags"},
        {"{\"id\":\"b5\",\"title\":\"t\",\"tags\":[\"ok\",5]}", LX_ERECORD, "tags[1]"},
        {"{\"id\":\"b6\",\"title\":\"t\",\"language\":5}", LX_ERECORD, "language"},
        {"{\"id\":\"b7\",\"title\":\"t\",\"language\":\"1x\"}", LX_ERECORD, "language"},
        {"{\"id\":\"b8\",\"title\":\"t\",\"duration\":\"long\"}", LX_ERECORD, "duration"},
        {"{\"id\":\"b9\",\"title\":\"t\",\"duration\":-1}", LX_ERECORD, "duration"},
        {"{\"id\":\"b10\",\"title\":\"t\",\"segments\":{}}", LX_ERECORD, "segments"},
        {"{\"id\":\"b11\",\"title\":\"t\",\"segments\":[{\"start\":-1,\"text\":\"x\"}]}",
         LX_ERECORD, "segments[0].start"},
        {"{\"id\":\"b12\",\"title\":\"t\",\"segments\":[{\"start\":1,\"text\":\"x\"},"
         "{\"start\":5,\"end\":2,\"text\":\"y\"}]}",
         LX_ERECORD, "segments[1].end"},
        {"{\"id\":\"b13\",\"title\":\"t\",\"segments\":[{\"start\":1}]}", LX_ERECORD,
         "segments[0].text"},
        {"{\"id\":\"b14\",\"title\":\"t\",\"transcript\":5}", LX_ERECORD, "transcript"},
        {"{\"id\":\"b15\",\"title\":\"t\",\"url\":{}}", LX_ERECORD, "url"},
        {"{\"id\":\"b16\",\"title\":\"t\",\"speaker\":true}", LX_ERECORD, "speaker"},
        {"{\"id\":\"b17\",\"title\":\"t\"", LX_EJSON, ""},
        {"{\"id\":\"b18\",\"title\":\"t\"} x", LX_EJSON, ""},
        {"[1,2]", LX_ERECORD, ""},
        {"", LX_EJSON, ""},
        {"{\"id\":\"b19\\u0001\",\"title\":\"t\"}", LX_ERECORD, "id"},
        /* A field given twice (the first would be indexed, the last seen
         * by JavaScript readers). */
        {"{\"id\":\"b20\",\"title\":\"t\",\"id\":\"other\"}", LX_ERECORD, "id"},
        {"{\"id\":\"b21\",\"title\":\"t\",\"transcript\":\"a\",\"transcript\":\"b\"}", LX_ERECORD,
         "transcript"},
        {"{\"id\":\"b22\",\"title\":\"t\",\"x\":1,\"y\":2,\"x\":{}}", LX_ERECORD, "x"},
        /* A NUL would end the C string: "zz\u0000b" would become "zz" and
         * replace that lecture.  Refused in every field, named. */
        {"{\"id\":\"zz\\u0000b\",\"title\":\"t\"}", LX_ERECORD, "id"},
        {"{\"id\":\"b23\",\"title\":\"t\\u0000x\"}", LX_ERECORD, "title"},
        {"{\"id\":\"b24\",\"title\":\"t\",\"x\":{\"y\":[\"\\u0000\"]}}", LX_ERECORD, "x"},
        {"{\"id\":\"b25\",\"title\":\"t\",\"tr\\u0000\":\"v\"}", LX_ERECORD, "tr"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = lx_writer_put_json(w, bad[i].json, strlen(bad[i].json), &err);
        CHECK(rc == bad[i].code);
        CHECK(err.code == bad[i].code);
        CHECK_STR(err.field, bad[i].field);
        CHECK(err.message[0] != 0);
        if (rc != bad[i].code || strcmp(err.field, bad[i].field) != 0)
            fprintf(stderr, "  bad record %zu: rc %d field \"%s\" (%s)\n", i, rc, err.field,
                    err.message);
    }
    /* A raw NUL byte inside a string too; an escaped backslash before
     * "u0000" is text, not a NUL. */
    static const char raw_nul[] = "{\"id\":\"zz\0b\",\"title\":\"t\"}";
    memset(&err, 0, sizeof err);
    CHECK(lx_writer_put_json(w, raw_nul, sizeof raw_nul - 1, &err) == LX_ERECORD);
    CHECK_STR(err.field, "id");
    CHECK(err.offset == 9);
    lx_prepared *prep = NULL;
    const char *bs = "{\"id\":\"bs\\\\u0000\",\"title\":\"a\\\\u0000\"}";
    CHECK(lx_prepare_json(bs, strlen(bs), &prep, &err) == 0);
    lx_prepared_free(prep);
    /* Invalid UTF-8: the byte offset of the bad byte. */
    const char *bad_utf8 = "{\"id\":\"u1\",\"title\":\"caf\xE9\"}";
    CHECK(lx_writer_put_json(w, bad_utf8, strlen(bad_utf8), &err) == LX_EUTF8);
    CHECK(err.offset == 23);
    /* Over the limits. */
    char big[LX_MAX_ID_BYTES + 64];
    memset(big, 0, sizeof big);
    int n = snprintf(big, sizeof big, "{\"title\":\"t\",\"id\":\"");
    memset(big + n, 'x', LX_MAX_ID_BYTES + 1);
    memcpy(big + n + LX_MAX_ID_BYTES + 1, "\"}", 3);
    CHECK(lx_writer_put_json(w, big, strlen(big), &err) == LX_ELIMIT);
    CHECK_STR(err.field, "id");

    /* Good records go on being accepted; a duplicate in the batch is
     * refused and the first kept. */
    const char *g1 = "{\"id\":\"g1\",\"title\":\"First version\"}";
    const char *g1b = "{\"id\":\"g1\",\"title\":\"Second version\"}";
    CHECK(lx_writer_put_json(w, g1, strlen(g1), &err) == 0);
    CHECK(lx_writer_put_json(w, g1b, strlen(g1b), &err) == LX_EEXIST);
    CHECK(err.code == LX_EEXIST);
    CHECK_STR(err.field, "id");
    /* A committed id can be replaced once per batch, then it is a
     * duplicate too. */
    const char *e1 = "{\"id\":\"e1\",\"title\":\"Equality, replaced\"}";
    CHECK(lx_writer_put_json(w, e1, strlen(e1), &err) == 0);
    CHECK(lx_writer_put_json(w, e1, strlen(e1), &err) == LX_EEXIST);
    CHECK(lx_writer_delete(w, "e2", &err) == 0);
    CHECK(lx_writer_delete(w, "e2", &err) == LX_ENOTFOUND);
    CHECK(lx_writer_tokens(w) > 0);
    CHECK(lx_writer_commit(w, &err) == 0);

    lx_searcher *s;
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    char *j;
    CHECK(lx_get(s, "g1", &j, NULL, NULL) == 0);
    CHECK(j && strstr(j, "First version") != NULL);
    free(j);
    CHECK(lx_get(s, "e1", &j, NULL, NULL) == 0);
    CHECK(j && strstr(j, "replaced") != NULL);
    free(j);
    CHECK(lx_get(s, "e2", &j, NULL, NULL) == LX_ENOTFOUND);
    static const char *const never[] = {"b1", "b2", "b5", "b12", "b17", "b20", "b22", "u1"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        CHECK(lx_get(s, never[i], &j, NULL, NULL) == LX_ENOTFOUND);
    lx_stats st;
    CHECK(lx_stats_get(s, &st, NULL) == 0);
    CHECK(st.documents == 2); /* e1, g1 */
    CHECK(count_hits(s, "migration") == 0);
    CHECK(count_hits(s, "gender") == 0);
    CHECK(count_hits(s, "replaced") == 1);

    /* Abort leaves everything as it was. */
    lx_stats before = st;
    lx_facet *tags0;
    size_t ntags0;
    CHECK(lx_tags(s, &tags0, &ntags0, NULL) == 0);
    CHECK(lx_writer_begin(ix, &w, &err) == 0);
    const char *na = "{\"id\":\"n1\",\"title\":\"Never committed\",\"tags\":[\"ghost\"]}";
    const char *e1c = "{\"id\":\"e1\",\"title\":\"Changed then aborted\"}";
    CHECK(lx_writer_put_json(w, na, strlen(na), &err) == 0);
    CHECK(lx_writer_put_json(w, e1c, strlen(e1c), &err) == 0);
    CHECK(lx_writer_delete(w, "g1", &err) == 0);
    lx_writer_abort(w);
    CHECK(lx_stats_get(s, &st, NULL) == 0);
    CHECK(st.documents == before.documents && st.terms == before.terms &&
          st.tokens == before.tokens);
    CHECK(lx_get(s, "n1", &j, NULL, NULL) == LX_ENOTFOUND);
    CHECK(lx_get(s, "g1", &j, NULL, NULL) == 0);
    free(j);
    CHECK(lx_get(s, "e1", &j, NULL, NULL) == 0);
    CHECK(j && strstr(j, "replaced") != NULL);
    free(j);
    CHECK(count_hits(s, "never") == 0);
    CHECK(count_hits(s, "aborted") == 0);
    CHECK(count_hits(s, "replaced") == 1);
    lx_facet *tags1;
    size_t ntags1;
    CHECK(lx_tags(s, &tags1, &ntags1, NULL) == 0);
    CHECK(ntags1 == ntags0);
    free(tags0);
    free(tags1);
    /* lx_writer_abort(NULL) is harmless. */
    lx_writer_abort(NULL);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK(tix_sound(dir)); /* failed writes left nothing half-done */

    /* A read-only index refuses writers. */
    ix = tix_open(dir, LX_OPEN_READONLY);
    w = (lx_writer *)1;
    CHECK(lx_writer_begin(ix, &w, &err) == LX_EREADONLY);
    CHECK(w == NULL);
    lx_index_close(ix);
}

/* ---- format version ------------------------------------------------------------------- */

/* Opens the index in dir through LMDB with a write transaction. */
static int raw_begin(const char *dir, MDB_env **env, MDB_txn **txn) {
    int rc = mdb_env_create(env);
    if (rc)
        return rc;
    mdb_env_set_maxdbs(*env, 16);
    mdb_env_set_mapsize(*env, (size_t)1 << 30);
    if ((rc = mdb_env_open(*env, dir, 0, 0644)) || (rc = mdb_txn_begin(*env, NULL, 0, txn)))
        mdb_env_close(*env);
    return rc;
}

/* Commits txn when rc is 0 (else aborts it) and closes env; rc, or the
 * commit's error. */
static int raw_end(MDB_env *env, MDB_txn *txn, int rc) {
    if (rc)
        mdb_txn_abort(txn);
    else
        rc = mdb_txn_commit(txn);
    mdb_env_close(env);
    return rc;
}

/* Rewrites the "stats" value of the index in dir through LMDB: version
 * set to `version`, or the value cut to `size` bytes when size > 0. */
static int patch_stats(const char *dir, uint32_t version, size_t size) {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = raw_begin(dir, &env, &txn);
    if (rc)
        return rc;
    MDB_val k = {5, "stats"}, v;
    if (!(rc = mdb_dbi_open(txn, "meta", 0, &dbi)) && !(rc = mdb_get(txn, dbi, &k, &v))) {
        uint8_t buf[256];
        size_t n = v.mv_size < sizeof buf ? v.mv_size : sizeof buf;
        memcpy(buf, v.mv_data, n);
        memcpy(buf, &version, 4);
        MDB_val nv = {size ? size : n, buf};
        rc = mdb_put(txn, dbi, &k, &nv, 0);
    }
    return raw_end(env, txn, rc);
}

/* Deletes the named database name of the index in dir through LMDB. */
static int drop_db(const char *dir, const char *name) {
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    int rc = raw_begin(dir, &env, &txn);
    if (rc)
        return rc;
    if (!(rc = mdb_dbi_open(txn, name, 0, &dbi)))
        rc = mdb_drop(txn, dbi, 1);
    return raw_end(env, txn, rc);
}

static void test_format_version(void) {
    char good[512], cmd[1200];
    snprintf(good, sizeof good, "%s", check_tmpdir("index-format"));
    lx_index *ix = tix_open(good, LX_OPEN_CREATE);
    static const char *const recs[] = {"{\"id\":\"f1\",\"title\":\"Format\"}"};
    tix_put_all(ix, recs, 1);
    lx_index_close(ix);

    static const struct {
        uint32_t version;
        size_t size;
    } cases[] = {{LX_FORMAT_VERSION + 1, 0}, {0, 0}, {0xFFFFFFFFu, 0}, {1, 12}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", check_tmpdir(tix_fmt("index-format-%zu", i)));
        snprintf(cmd, sizeof cmd, "cp '%s/data.mdb' '%s/data.mdb'", good, copy);
        CHECK(system(cmd) == 0);
        CHECK(patch_stats(copy, cases[i].version, cases[i].size) == 0);
        for (int ro = 0; ro < 2; ro++) {
            lx_index *bad = (lx_index *)1;
            lx_error err;
            int rc = lx_index_open(copy, ro ? LX_OPEN_READONLY : 0, &bad, &err);
            CHECK(rc == LX_EFORMAT);
            CHECK(bad == NULL);
            CHECK(err.code == LX_EFORMAT && err.message[0] != 0);
            if (rc == 0)
                lx_index_close(bad);
        }
    }
    /* Format 5 (no "lpost" database), read-only: refused by its version,
     * with the rebuild message naming it, not as "not a Lectern index". */
    {
        char copy[512];
        snprintf(copy, sizeof copy, "%s", check_tmpdir("index-format-5"));
        snprintf(cmd, sizeof cmd, "cp '%s/data.mdb' '%s/data.mdb'", good, copy);
        CHECK(system(cmd) == 0);
        CHECK(drop_db(copy, "lpost") == 0);
        CHECK(patch_stats(copy, 5, 0) == 0);
        lx_index *bad = (lx_index *)1;
        lx_error err;
        CHECK(lx_index_open(copy, LX_OPEN_READONLY, &bad, &err) == LX_EFORMAT);
        CHECK(bad == NULL && strstr(err.message, "format version 5") != NULL);
    }
    /* The original still opens. */
    ix = tix_open(good, LX_OPEN_READONLY);
    lx_index_close(ix);

    /* An LMDB environment that is not a Lectern index, read-only. */
    char other[512];
    snprintf(other, sizeof other, "%s", check_tmpdir("index-format-other"));
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    CHECK(mdb_env_create(&env) == 0);
    mdb_env_set_maxdbs(env, 4);
    CHECK(mdb_env_open(env, other, 0, 0644) == 0);
    CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
    CHECK(mdb_dbi_open(txn, "something", MDB_CREATE, &dbi) == 0);
    CHECK(mdb_txn_commit(txn) == 0);
    mdb_env_close(env);
    lx_index *bad = NULL;
    CHECK(lx_index_open(other, LX_OPEN_READONLY, &bad, NULL) == LX_EFORMAT);
    CHECK(bad == NULL);

    /* Missing directories and files are I/O errors; a file is not an index. */
    CHECK(lx_index_open(tix_fmt("%s/missing", other), LX_OPEN_READONLY, &bad, NULL) == LX_EIO);
    CHECK(lx_index_open(tix_fmt("%s/missing", other), 0, &bad, NULL) == LX_EIO);
    char empty[512];
    snprintf(empty, sizeof empty, "%s", check_tmpdir("index-format-empty"));
    CHECK(lx_index_open(empty, LX_OPEN_READONLY, &bad, NULL) == LX_EIO);
    CHECK(lx_index_open(tix_fmt("%s/data.mdb", good), 0, &bad, NULL) == LX_EIO);
    /* Created when asked. */
    ix = tix_open(tix_fmt("%s/new", empty), LX_OPEN_CREATE);
    lx_index_close(ix);
}

int main(void) {
    test_history_equals_fresh();
    test_tag_forms_follow_languages();
    test_many_languages();
    test_get_reopen_stats();
    test_concurrent_reader();
    test_write_errors();
    test_format_version();
    CHECK_DONE();
}
