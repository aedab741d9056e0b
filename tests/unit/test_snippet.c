/* test_snippet.c -- snippets (engine/snippet.c through lx_search): HTML
 * escaped with the matched words in <mark>, the original words shown (not
 * their stems), timed transcripts giving the start of the segment that
 * holds the first matched word (a phrase spoken across two segments
 * included), a title-only hit still getting the opening of the
 * description, bounded length cut at word boundaries in valid UTF-8;
 * among tied windows of a compressed transcript, the first with the most
 * words as typed (hits or not), however far apart their LZ4 blocks lie. */
#include "check.h"
#include "testidx.h"
#include "text.h"

static const char *const recs[] = {
    /* s1: markup in the transcript. */
    "{\"id\":\"s1\",\"title\":\"Web security\",\"transcript\":\"Attackers inject "
    "<script>alert(1)</script> into pages & forms that say \\\"trust me\\\" or 'click'.\"}",
    /* s2: inflected words. */
    "{\"id\":\"s2\",\"title\":\"Habits\",\"transcript\":\"Running every morning helps. "
    "She runs and he ran; the runner's shoes.\"}",
    /* s3: a phrase spoken across two timed segments. */
    "{\"id\":\"s3\",\"title\":\"Cities\",\"segments\":["
    "{\"start\":0,\"end\":12,\"text\":\"Welcome to the course on urban life.\"},"
    "{\"start\":12.5,\"end\":17,\"text\":\"Today we discuss social\"},"
    "{\"start\":17,\"end\":25,\"text\":\"sustainability in growing cities.\"},"
    "{\"start\":25,\"end\":30,\"text\":\"Questions follow at the end.\"}]}",
    /* s4: a hit in the title only. */
    "{\"id\":\"s4\",\"title\":\"Gender equality\",\"description\":\"This lecture introduces "
    "the history of the women's movement in Finland.\",\"transcript\":\"Nothing here "
    "names the subject of the title.\"}",
    /* s5: title-only hit without a description: the transcript opens. */
    "{\"id\":\"s5\",\"title\":\"Gender roles\",\"transcript\":\"An opening sentence of "
    "the transcript.\"}",
    /* s6: title only, no text at all. */
    "{\"id\":\"s6\",\"title\":\"Gender studies\"}",
    /* s7: description and transcript both match; the transcript has more
     * distinct query words. */
    "{\"id\":\"s7\",\"title\":\"Work\",\"description\":\"About migration.\","
    "\"transcript\":\"Labour migration and integration policy in the Nordic countries.\"}",
    /* s9: a backslash and a tab in the transcript (JSON escapes them). */
    "{\"id\":\"s9\",\"title\":\"Paths\",\"transcript\":\"Windows writes a folder "
    "C:\\\\temp\\\\new with backslashes,\\tthen a tab.\"}",
    /* s8: title-only hit on a timed lecture. */
    "{\"id\":\"s8\",\"title\":\"Housing\",\"segments\":["
    "{\"start\":3,\"end\":8,\"text\":\"Rents rise.\"},"
    "{\"start\":8,\"end\":9,\"text\":\"Wages do not.\"}]}",
};

static lx_searcher *s;

static lx_results *snip(const char *q) {
    return tix_search(s, q, 10, LX_SEARCH_SNIPPETS, NULL);
}

static int has(const char *hay, const char *needle) {
    return hay && strstr(hay, needle) != NULL;
}

static void test_escaped(void) {
    lx_results *r = snip("alert");
    const lx_hit *h = tix_hit(r, "s1");
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->snippet_field, "transcript");
        CHECK(has(h->snippet, "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;"));
        CHECK(!has(h->snippet, "<script"));
        CHECK(has(h->snippet, "&amp; forms"));
        CHECK(has(h->snippet, "&quot;trust me&quot;"));
        CHECK(has(h->snippet, "&#39;click&#39;"));
        CHECK(h->snippet_start == -1);
        /* Quotes are entities: nothing is left for JSON to escape. */
        CHECK(h->snippet_plain == 1);
        /* The only tags in the snippet are ours. */
        const char *p = h->snippet;
        int bad = 0;
        while ((p = strchr(p, '<')) != NULL) {
            bad |= strncmp(p, "<mark>", 6) != 0 && strncmp(p, "</mark>", 7) != 0;
            p++;
        }
        CHECK(!bad);
    }
    lx_results_free(r);
    /* A backslash or a tab in the snippet: JSON escapes them, so it is
     * not plain (the answer's JSON scans it); the words around it are
     * shown as they are. */
    r = snip("backslashes");
    h = tix_hit(r, "s9");
    CHECK(h && has(h->snippet, "C:\\temp\\new with <mark>backslashes</mark>,\tthen"));
    CHECK(h && h->snippet_plain == 0);
    lx_results_free(r);
    /* Query words that look like markup are plain words. */
    r = snip("script");
    h = tix_hit(r, "s1");
    CHECK(h && has(h->snippet, "&lt;<mark>script</mark>&gt;"));
    lx_results_free(r);
}

static void test_original_words(void) {
    lx_results *r = snip("run");
    const lx_hit *h = tix_hit(r, "s2");
    CHECK(h != NULL);
    if (h) {
        CHECK(has(h->snippet, "<mark>Running</mark>"));
        CHECK(has(h->snippet, "<mark>runs</mark>"));
        CHECK(!has(h->snippet, "<mark>run</mark>"));
        /* "ran" and "runner" have other stems. */
        CHECK(!has(h->snippet, "<mark>ran</mark>"));
        CHECK(!has(h->snippet, "<mark>runner"));
    }
    lx_results_free(r);
    /* The same when the query holds the inflected form. */
    r = snip("RUNNING");
    h = tix_hit(r, "s2");
    CHECK(h && has(h->snippet, "<mark>Running</mark>") && has(h->snippet, "<mark>runs</mark>"));
    lx_results_free(r);
}

static void test_timed_phrase(void) {
    lx_results *r = snip("\"social sustainability\"");
    CHECK(r && r->n == 1);
    const lx_hit *h = tix_hit(r, "s3");
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->snippet_field, "transcript");
        CHECK(has(h->snippet, "<mark>social</mark> <mark>sustainability</mark>"));
        /* The segment of "social", though the passage begins earlier. */
        CHECK_NEAR(h->snippet_start, 12.5, 1e-9);
        CHECK(has(h->snippet, "Welcome"));
    }
    lx_results_free(r);
    /* A word alone in a later segment: that segment's start. */
    r = snip("questions");
    h = tix_hit(r, "s3");
    CHECK(h && h->snippet_start == 25);
    lx_results_free(r);
    r = snip("growing");
    h = tix_hit(r, "s3");
    CHECK(h && h->snippet_start == 17);
    lx_results_free(r);
    /* The first segment's first word. */
    r = snip("welcome");
    h = tix_hit(r, "s3");
    CHECK(h && h->snippet_start == 0);
    lx_results_free(r);
    /* A title-only hit on a timed lecture opens its transcript, timed at
     * its first segment. */
    r = snip("housing");
    h = tix_hit(r, "s8");
    CHECK(h && strncmp(h->snippet, "Rents rise", 10) == 0);
    CHECK(h && h->snippet_start == 3);
    lx_results_free(r);
}

static void test_title_only(void) {
    lx_results *r = snip("equality");
    const lx_hit *h = tix_hit(r, "s4");
    CHECK(h != NULL);
    if (h) {
        CHECK(h->snippet[0] != 0);
        CHECK_STR(h->snippet_field, "description");
        CHECK(strncmp(h->snippet, "This lecture introduces", 23) == 0);
        CHECK(has(h->snippet, "women&#39;s movement"));
        CHECK(!has(h->snippet, "<mark>"));
        CHECK(h->snippet_start == -1);
    }
    lx_results_free(r);
    r = snip("gender");
    h = tix_hit(r, "s5");
    CHECK(h && h->snippet[0] != 0);
    if (h) {
        CHECK_STR(h->snippet_field, "transcript");
        CHECK(strncmp(h->snippet, "An opening sentence", 19) == 0);
    }
    /* No text to show: an empty snippet, not a failure. */
    h = tix_hit(r, "s6");
    CHECK(h && h->snippet && h->snippet[0] == 0);
    lx_results_free(r);
}

static void test_best_field(void) {
    lx_results *r = snip("migration integration");
    const lx_hit *h = tix_hit(r, "s7");
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->snippet_field, "transcript");
        CHECK(has(h->snippet, "<mark>migration</mark> and <mark>integration</mark>"));
    }
    lx_results_free(r);
    r = snip("migration");
    h = tix_hit(r, "s7");
    CHECK(h != NULL);
    CHECK(h && has(h->snippet, "<mark>migration</mark>"));
    lx_results_free(r);
}

static void test_no_snippets_asked(void) {
    lx_results *r = tix_search(s, "alert", 10, 0, NULL);
    const lx_hit *h = tix_hit(r, "s1");
    CHECK(h && h->snippet && h->snippet[0] == 0);
    CHECK(h && h->snippet_start == -1);
    lx_results_free(r);
}

/* A long multilingual transcript: the snippet is bounded, cut at word
 * boundaries, valid UTF-8, with an ellipsis where text was cut. */
static void test_long_text(lx_index *ix) {
    static char rec[40000];
    size_t n = (size_t)snprintf(rec, sizeof rec,
                                "{\"id\":\"long\",\"title\":\"Pitk\xC3\xA4\",\"language\":\"fi\","
                                "\"transcript\":\"");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(rec + n, sizeof rec - n,
                              "t\xC3\xA4m\xC3\xA4 on v\xC3\xA4lisana "
                              "%d \xE2\x80\x94 ",
                              i);
    n += (size_t)snprintf(rec + n, sizeof rec - n, "kest\xC3\xA4v\xC3\xA4 kehitys ");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(rec + n, sizeof rec - n, "j\xC3\xA4lkeen %d ", i);
    snprintf(rec + n, sizeof rec - n, "\"}");
    const char *one[] = {rec};
    tix_put_all(ix, one, 1);
    lx_results *r = snip("kest\xC3\xA4v\xC3\xA4");
    const lx_hit *h = tix_hit(r, "long");
    CHECK(h != NULL);
    if (h) {
        size_t len = strlen(h->snippet);
        CHECK(len > 100 && len < 600);
        CHECK(lx_text_invalid_utf8(h->snippet, len) < 0);
        CHECK(has(h->snippet, "<mark>kest\xC3\xA4v\xC3\xA4</mark>"));
        /* Cut on both sides, with an ellipsis, never inside a word. */
        CHECK(strncmp(h->snippet, "\xE2\x80\xA6", 3) == 0);
        CHECK(len >= 3 && strcmp(h->snippet + len - 3, "\xE2\x80\xA6") == 0);
        CHECK(!has(h->snippet, "\xE2\x80\xA6\xC3") && !has(h->snippet, "\xE2\x80\xA6l"));
    }
    lx_results_free(r);
}

/* A transcript of filler words ("w0 w1 ..."), with the words of `at`
 * (a hit and a marker word beside it) after every 500 of them: each
 * hit is its own window, all of one score (tied), in LZ4 blocks apart. */
static void put_spread(lx_index *ix, const char *id, const char *const *at, int nat) {
    static char rec[60000];
    size_t n = (size_t)snprintf(rec, sizeof rec,
                                "{\"id\":\"%s\",\"title\":\"Spread\","
                                "\"transcript\":\"",
                                id);
    int w = 0;
    for (int i = 0; i < nat; i++) {
        for (int j = 0; j < 500; j++)
            n += (size_t)snprintf(rec + n, sizeof rec - n, "w%d ", w++);
        n += (size_t)snprintf(rec + n, sizeof rec - n, "%s ", at[i]);
    }
    for (int j = 0; j < 500; j++)
        n += (size_t)snprintf(rec + n, sizeof rec - n, "w%d ", w++);
    snprintf(rec + n, sizeof rec - n, "\"}");
    const char *one[] = {rec};
    tix_put_all(ix, one, 1);
}

/* Tied windows: the first whose words are as typed wins, a later one
 * over earlier inflected ones (each tie's range decompressed as the ties
 * are compared), the first over later ones as good (those left). */
static void test_tied_windows(lx_index *ix) {
    static const char *const later[] = {"runs marka", "running markb", "run markc", "run markd"};
    static const char *const first[] = {"run marke", "runs markf", "run markg"};
    put_spread(ix, "later", later, 4);
    put_spread(ix, "first", first, 3);
    lx_results *r = snip("run");
    const lx_hit *h = tix_hit(r, "later");
    CHECK(h && has(h->snippet, "<mark>run</mark> markc"));
    CHECK(h && !has(h->snippet, "marka") && !has(h->snippet, "markb") && !has(h->snippet, "markd"));
    h = tix_hit(r, "first");
    CHECK(h && has(h->snippet, "<mark>run</mark> marke") && !has(h->snippet, "markg"));
    lx_results_free(r);
    /* Inflected as typed: the first tie with "running". */
    r = snip("running");
    h = tix_hit(r, "later");
    CHECK(h && has(h->snippet, "<mark>running</mark> markb"));
    lx_results_free(r);
    /* A word as typed that is no hit (a stopword the search left out)
     * still counts: the second tie, with "the", has more than its hits
     * (fails when a tie is bounded by its hits whatever the query). */
    static const char *const stop[] = {"run w run markh", "run the run marki"};
    put_spread(ix, "stop", stop, 2);
    r = snip("the run");
    h = tix_hit(r, "stop");
    CHECK(h && has(h->snippet, "<mark>run</mark> the <mark>run</mark> marki"));
    CHECK(h && !has(h->snippet, "markh"));
    lx_results_free(r);
    /* A word as typed in capitals, or with Latin-1 letters, is one as
     * typed (compared lowered from the text, which the window's one scan
     * does not copy). */
    static const char *const caps[] = {"Runs markj", "RUN markk", "run markl"};
    put_spread(ix, "caps", caps, 3);
    r = snip("run");
    h = tix_hit(r, "caps");
    CHECK(h && has(h->snippet, "<mark>RUN</mark> markk") && !has(h->snippet, "markl"));
    lx_results_free(r);
    static const char *const latin[] = {"\u00e9t\u00e9s markm", "\u00e9t\u00e9 markn"};
    put_spread(ix, "latin", latin, 2);
    r = snip("\xc3\xa9t\xc3\xa9");
    h = tix_hit(r, "latin");
    CHECK(h && has(h->snippet, "<mark>\xc3\xa9t\xc3\xa9</mark> markn"));
    lx_results_free(r);
}

int main(void) {
    const char *dir = check_tmpdir("snippet");
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, sizeof recs / sizeof recs[0]);
    CHECK(lx_searcher_open(ix, &s, NULL) == 0);
    test_escaped();
    test_original_words();
    test_timed_phrase();
    test_title_only();
    test_best_field();
    test_no_snippets_asked();
    test_long_text(ix);
    test_tied_windows(ix);
    lx_searcher_close(s);
    lx_index_close(ix);
    CHECK_DONE();
}
