/*
 * fuzz_query.c -- fuzz target for the query path: lx_query_parse on the
 * raw bytes, then lx_search on a tiny index built once in a temporary
 * directory.  The input is "query\noptions": the first line is the query,
 * a second line may carry tags, a third a language, a fourth a speaker.
 * Besides "no crash, no out-of-bounds read, no leak", it aborts when a
 * promise is broken: a parse error has a code, a message and an offset
 * inside the query; a parsed query stays within every stated limit; search
 * hits are ranked, within the page, with valid UTF-8 snippets; and pruned
 * scoring returns exactly the ids and scores of exhaustive scoring.
 */
#include "lectern.h"
#include "query.h"
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fuzz_seeds[] = {
    "gender pay gap",
    "\"social sustainability\" -covid",
    "racism NOT schools OR discrimination",
    "tag:gender lang:fi kest\xC3\xA4v\xC3\xA4 kehitys",
    "speaker:\"Amina Yusuf\" racism",
    "tag:\"higher education\" students -\"pay gap\"",
    "covid-19 don't foo:bar http://x.org",
    "running\ngender,racism\nen\nYusuf",
    "\xC4\xB0stanbul STRASSE \xCE\xA3\xCE\xBF\xCF\x86\xCE\xAF\xCE\xB1 migration",
    "\"unterminated",
    "tag: x",
    "lang:xx gleichberechtigung",
    "migration\n\nde\n",
    "\"a b c d e f g h i j k l m n o p q\"",
    NULL,
};

const char *fuzz_tokens[] = {
    "tag:",      "tags:",  "lang:",   "language:",
    "speaker:",  " NOT ",  " OR ",    " AND ",
    "\"",        " -",     "+",       "gender",
    "pay gap",   "racism", "schools", "kest\xC3\xA4v\xC3\xA4",
    "migration", "fi",     "\n",      "Yusuf",
    NULL,
};

static void fail(const char *why, const char *q) {
    fprintf(stderr, "fuzz_query: %s (query \"%.200s\")\n", why, q);
    abort();
}

/* ---- the tiny index ---------------------------------------------------------- */

static char index_dir[256];
static lx_index *ix;
static lx_searcher *searcher;

static void remove_index(void) {
    char cmd[300];
    if (searcher)
        lx_searcher_close(searcher);
    if (ix)
        lx_index_close(ix);
    if (index_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", index_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "fuzz_query: could not remove %s\n", index_dir);
    }
}

static const char *const lectures[] = {
    "{\"id\":\"q1\",\"title\":\"Gender pay gap\",\"tags\":[\"gender\",\"pay gap\"],"
    "\"speaker\":\"Amina Yusuf\",\"description\":\"Why women earn less.\","
    "\"transcript\":\"The gender pay gap is the gap between what women and men earn. "
    "Running the numbers shows discrimination.\"}",
    "{\"id\":\"q2\",\"title\":\"Racism in schools\",\"tags\":[\"racism\",\"schools\"],"
    "\"speaker\":\"Jon Smith\",\"segments\":[{\"start\":0,\"end\":5,\"text\":\"Racism "
    "at school\"},{\"start\":5,\"end\":9,\"text\":\"hurts children <b>&</b> teachers.\"}]}",
    "{\"id\":\"q3\",\"title\":\"Kest\xC3\xA4v\xC3\xA4 kehitys\",\"language\":\"fi\","
    "\"tags\":[\"kest\xC3\xA4v\xC3\xA4 kehitys\",\"social sustainability\"],"
    "\"transcript\":\"Kest\xC3\xA4v\xC3\xA4 kehitys ja sosiaalinen kest\xC3\xA4vyys "
    "kaupungeissa.\"}",
    "{\"id\":\"q4\",\"title\":\"Migration und Gleichberechtigung\",\"language\":\"de\","
    "\"tags\":[\"migration\"],\"description\":\"Stra\xC3\x9F"
    "e und Schule.\"}",
    "{\"id\":\"q5\",\"title\":\"Social sustainability and covid-19\",\"tags\":[\"higher "
    "education\"],\"speaker\":\"Li Wei\",\"transcript\":\"Social sustainability after "
    "covid-19: students, don't give up.\"}",
    "{\"id\":\"q6\",\"title\":\"\xC4\xB0stanbul\",\"language\":\"tr\",\"transcript\":"
    "\"\xCE\xA3\xCE\xBF\xCF\x86\xCE\xAF\xCE\xB1 migration\"}",
    "{\"id\":\"q7\",\"title\":\"Unstemmed language\",\"language\":\"kl\",\"tags\":[\"gender\"],"
    "\"transcript\":\"gender gender gender pay\"}",
};

static void build_index(void) {
    const char *base = getenv("LECTERN_TMP");
    snprintf(index_dir, sizeof index_dir, "%s/lectern-fuzz-query-XXXXXX",
             base && strlen(base) < 180 ? base : "/tmp");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", base && strlen(base) < 180 ? base : "/tmp");
    if (system(cmd) != 0 || !mkdtemp(index_dir)) {
        fprintf(stderr, "fuzz_query: cannot make a temporary directory\n");
        exit(2);
    }
    atexit(remove_index);
    lx_writer *w;
    if (lx_index_open(index_dir, LX_OPEN_CREATE, &ix, NULL) || lx_writer_begin(ix, &w, NULL)) {
        fprintf(stderr, "fuzz_query: cannot create the index\n");
        exit(2);
    }
    for (size_t i = 0; i < sizeof lectures / sizeof lectures[0]; i++)
        if (lx_writer_put_json(w, lectures[i], strlen(lectures[i]), NULL)) {
            fprintf(stderr, "fuzz_query: lecture %zu refused\n", i);
            exit(2);
        }
    if (lx_writer_commit(w, NULL) || lx_searcher_open(ix, &searcher, NULL)) {
        fprintf(stderr, "fuzz_query: cannot commit or search\n");
        exit(2);
    }
}

/* ---- checks ------------------------------------------------------------------- */

static void check_parse(const uint8_t *data, size_t size) {
    static lx_query q;
    lx_error err;
    memset(&err, 0, sizeof err);
    const char *s = (const char *)data;
    int rc = lx_query_parse(s, size, &q, &err);
    if (rc) {
        if (err.code != rc || !err.message[0] || !memchr(err.message, 0, sizeof err.message))
            fail("parse error without code or message", "");
        if (rc != LX_EQUERY && rc != LX_ELIMIT && rc != LX_EUTF8)
            fail("unexpected parse error code", "");
        if (err.offset < 0 || (size_t)err.offset > size)
            fail("parse error offset outside the query", "");
        if (rc == LX_EUTF8 && lx_text_invalid_utf8(s, size) != err.offset)
            fail("LX_EUTF8 not at the first invalid byte", "");
        if (rc == LX_EQUERY && size > LX_MAX_QUERY_BYTES)
            fail("an over-long query must fail with LX_ELIMIT", "");
        return;
    }
    if (size > LX_MAX_QUERY_BYTES)
        fail("over-long query accepted", "");
    if (q.nwords < 0 || q.nwords > LX_MAX_QUERY_TERMS || q.nclauses < 0 ||
        q.nclauses > LX_MAX_QUERY_TERMS || q.ntags < 0 || q.ntags > LX_MAX_QUERY_TERMS ||
        q.nlangs < 0 || q.nlangs > LX_MAX_QUERY_TERMS)
        fail("counts beyond the limits", "");
    for (int i = 0; i < q.nwords; i++) {
        const lx_qword *w = &q.words[i];
        if (w->len == 0 || w->len > LX_MAX_TERM_BYTES || strlen(w->tok) != w->len ||
            lx_text_invalid_utf8(w->tok, w->len) >= 0)
            fail("bad query word", "");
    }
    for (int i = 0; i < q.nclauses; i++) {
        const lx_qclause *c = &q.clauses[i];
        if (c->n < 1 || c->n > LX_MAX_PHRASE_WORDS || c->first < 0 || c->first + c->n > q.nwords)
            fail("clause words out of range", "");
        if ((c->kind == LX_QC_WORD) != (c->n == 1) || c->offset >= size)
            fail("bad clause", "");
        if (c->field != -1 && !(c->filter && c->field == LX_F_SPEAKER))
            fail("bad clause field", "");
    }
    for (int i = 0; i < q.ntags; i++)
        if (!q.tags[i][0] || lx_text_invalid_utf8(q.tags[i], strlen(q.tags[i])) >= 0)
            fail("bad tag filter", "");
    for (int i = 0; i < q.nlangs; i++) {
        size_t n = strlen(q.langs[i]);
        if (n < 2 || n >= sizeof q.langs[i])
            fail("bad language filter", "");
        for (size_t j = 0; j < n; j++)
            if (q.langs[i][j] < 'a' || q.langs[i][j] > 'z')
                fail("language filter not normalised", "");
    }
}

static void check_results(const lx_results *r, unsigned limit, const char *q) {
    if (r->n > limit || r->total < r->n)
        fail("more hits than the page or the total", q);
    for (size_t i = 0; i < r->n; i++) {
        const lx_hit *h = &r->hits[i];
        if (!h->id || !h->id[0] || !h->title || !h->meta_json || !h->snippet || !h->snippet_field)
            fail("hit with a missing field", q);
        if (!(h->score >= 0) || h->score > 1e300)
            fail("score not a finite non-negative number", q);
        if (i && h->score > r->hits[i - 1].score)
            fail("hits not ranked", q);
        if (lx_text_invalid_utf8(h->snippet, strlen(h->snippet)) >= 0)
            fail("snippet is not valid UTF-8", q);
        for (const char *p = h->snippet; (p = strchr(p, '<')) != NULL; p++)
            if (strncmp(p, "<mark>", 6) && strncmp(p, "</mark>", 7))
                fail("snippet carries markup of its own", q);
        if (h->snippet_start != -1 && strcmp(h->id, "q2") != 0)
            fail("untimed lecture with a snippet time", q);
    }
    for (size_t i = 0; i < r->n_tag_facets; i++)
        if (!r->tag_facets[i].value || r->tag_facets[i].count == 0 ||
            r->tag_facets[i].count > r->total)
            fail("bad tag facet", q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    check_parse(data, size);
    if (!searcher)
        build_index();

    /* Split "query\ntags\nlang\nspeaker" into C strings (a NUL ends one
     * early, as it would for a caller). */
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *part[4] = {buf, NULL, NULL, NULL};
    for (int i = 1; i < 4; i++) {
        char *nl = part[i - 1] ? strchr(part[i - 1], '\n') : NULL;
        if (!nl)
            break;
        *nl = 0;
        part[i] = nl + 1;
    }
    lx_search_opts o;
    memset(&o, 0, sizeof o);
    o.query = part[0];
    o.tags = part[1];
    o.lang = part[2];
    o.speaker = part[3];
    o.limit = 1 + (unsigned)(size % 7);
    o.offset = (unsigned)(size % 3);
    lx_results *ex = NULL, *pr = NULL;
    lx_error e1, e2;
    o.flags = LX_SEARCH_EXHAUSTIVE | LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    int rc1 = lx_search(searcher, &o, &ex, &e1);
    o.flags = size & 1 ? LX_SEARCH_SNIPPETS : 0;
    int rc2 = lx_search(searcher, &o, &pr, &e2);
    if (rc1 != rc2)
        fail("pruned and exhaustive searches disagree on the error", part[0]);
    if (rc1) {
        if (ex || pr)
            fail("error but results returned", part[0]);
        if (e1.code != rc1 || !e1.message[0])
            fail("search error without code or message", part[0]);
        if (rc1 != LX_EQUERY && rc1 != LX_ELIMIT && rc1 != LX_EUTF8 && rc1 != LX_EINVAL)
            fail("unexpected search error code", part[0]);
    } else {
        check_results(ex, o.limit, part[0]);
        check_results(pr, o.limit, part[0]);
        if (ex->n != pr->n)
            fail("pruned and exhaustive hit counts differ", part[0]);
        for (size_t i = 0; i < ex->n; i++)
            if (strcmp(ex->hits[i].id, pr->hits[i].id) != 0 ||
                ex->hits[i].score != pr->hits[i].score)
                fail("pruned and exhaustive hits differ", part[0]);
    }
    lx_results_free(ex);
    lx_results_free(pr);
    free(buf);
    return 0;
}
