/* test_query.c -- unit tests of the query parser (engine/query.c): each
 * construct of the language, then malformed queries with the code and the
 * byte offset they must report, then every stated limit at and past its
 * edge.  A parsed query is checked through a compact description:
 *   w(word)  p(two words)  -w(..) excluded  speaker:p(..) a speaker filter
 *   tag[x]  lang[fi]
 */
#include "check.h"
#include "lectern.h"
#include "query.h"

static lx_query q;
static lx_error err;
static char desc[8192];

static int parse_n(const char *s, size_t len) {
    memset(&err, 0, sizeof err);
    err.offset = -1;
    memset(&q, 0x5A, sizeof q); /* no field may be read unset */
    return lx_query_parse(s, len, &q, &err);
}

static int parse(const char *s) {
    return parse_n(s, strlen(s));
}

/* Describes q as in the header comment. */
static const char *describe(void) {
    size_t n = 0;
    desc[0] = 0;
#define ADD(...) n += (size_t)snprintf(desc + n, sizeof desc - n, __VA_ARGS__)
    for (int i = 0; i < q.nclauses; i++) {
        const lx_qclause *c = &q.clauses[i];
        if (n)
            ADD(" ");
        if (c->neg)
            ADD("-");
        if (c->filter)
            ADD("%s:", c->field == LX_F_SPEAKER ? "speaker" : "?");
        else if (c->field != -1)
            ADD("field%d:", c->field);
        ADD("%s(", c->kind == LX_QC_PHRASE ? "p" : "w");
        for (int j = 0; j < c->n; j++)
            ADD("%s%s", j ? " " : "", q.words[c->first + j].tok);
        ADD(")");
    }
    for (int i = 0; i < q.ntags; i++)
        ADD("%stag[%s]", n ? " " : "", q.tags[i]);
    for (int i = 0; i < q.nlangs; i++)
        ADD("%slang[%s]", n ? " " : "", q.langs[i]);
#undef ADD
    return desc;
}

/* Parses s, expects success and the description d. */
static void ok(const char *s, const char *d) {
    int rc = parse(s);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  query \"%s\": rc %d (%s at %ld)\n", s, rc, err.message, err.offset);
        return;
    }
    CHECK_STR(describe(), d);
}

/* Parses s, expects code and the offset (-2: any offset within s). */
static void bad(const char *s, int code, long offset) {
    int rc = parse(s);
    CHECK(rc == code);
    CHECK(err.code == code);
    CHECK(err.message[0] != 0);
    if (offset == -2)
        CHECK(err.offset >= 0 && (size_t)err.offset <= strlen(s));
    else
        CHECK(err.offset == offset);
    if (rc != code || (offset != -2 && err.offset != offset))
        fprintf(stderr, "  query \"%.60s\": rc %d offset %ld (%s)\n", s, rc, err.offset,
                err.message);
}

static void test_words(void) {
    ok("", "");
    ok("   \t\n ", "");
    ok("gender", "w(gender)");
    ok("Gender PAY  gap", "w(gender) w(pay) w(gap)");
    ok("kest\xC3\xA4v\xC3\xA4 KEHITYS", "w(kest\xC3\xA4v\xC3\xA4) w(kehitys)");
    /* Word offsets point at the word. */
    CHECK(parse("gender  pay") == 0);
    CHECK(q.nclauses == 2 && q.clauses[0].offset == 0 && q.clauses[1].offset == 8);
    CHECK(q.clauses[0].neg == 0 && q.clauses[0].filter == 0 && q.clauses[0].field == -1);
    CHECK(q.words[0].len == 6);
    /* Punctuation alone yields nothing. */
    ok("?? ... !", "");
    /* A leading + is allowed and means nothing. */
    ok("+gender +pay", "w(gender) w(pay)");
    /* Lone signs are ignored. */
    ok("- + gender -", "w(gender)");
}

static void test_phrases(void) {
    ok("\"social sustainability\"", "p(social sustainability)");
    CHECK(parse("x \"Social  Sustainability\" y") == 0);
    CHECK_STR(describe(), "w(x) p(social sustainability) w(y)");
    CHECK(q.clauses[1].offset == 3); /* inside the quote */
    /* One quoted word is a word; an empty quote nothing. */
    ok("\"racism\"", "w(racism)");
    ok("\"\" gender \"  \"", "w(gender)");
    /* A bare chunk that splits into several tokens is a phrase. */
    ok("covid-19", "w(covid) w(19)");
    ok("don't stop", "w(don) w(t) w(stop)");
    ok("e-mail", "w(e) w(mail)");
    /* Quotes end a bare chunk. */
    ok("abc\"def ghi\"", "w(abc) p(def ghi)");
}

static void test_exclusion(void) {
    ok("-covid", "-w(covid)");
    ok("racism -\"social media\"", "w(racism) -p(social media)");
    ok("racism NOT covid", "w(racism) -w(covid)");
    ok("racism NOT \"social media\"", "w(racism) -p(social media)");
    ok("NOT covid-19", "-p(covid 19)");
    CHECK(parse("a -covid") == 0);
    CHECK(q.nclauses == 2 && q.clauses[1].neg && q.clauses[1].offset == 3);
    /* "not" in lower case is a word. */
    ok("not covid", "w(not) w(covid)");
}

static void test_or(void) {
    ok("racism OR discrimination", "w(racism) w(discrimination)");
    ok("racism AND discrimination", "w(racism) w(discrimination)");
    /* Only the upper-case operators; quoted or lower case they are words. */
    ok("racism or sexism", "w(racism) w(or) w(sexism)");
    ok("\"OR\"", "w(or)");
    ok("OR", "");
}

static void test_filters(void) {
    ok("tag:gender", "tag[gender]");
    ok("tags:Gender", "tag[gender]");
    ok("tag:\"Higher   Education\" racism", "w(racism) tag[higher education]");
    ok("racism tag:gender tag:migration", "w(racism) tag[gender] tag[migration]");
    ok("lang:fi", "lang[fi]");
    ok("language:FI kehitys", "w(kehitys) lang[fi]");
    ok("lang:en-GB racism", "w(racism) lang[en]");
    ok("speaker:\"Amina Yusuf\"", "speaker:p(amina yusuf)");
    ok("speaker:yusuf racism", "speaker:w(yusuf) w(racism)");
    CHECK(parse("speaker:\"Amina Yusuf\"") == 0);
    CHECK(q.nclauses == 1 && q.clauses[0].filter && q.clauses[0].field == LX_F_SPEAKER);
    CHECK(q.clauses[0].offset == 9);
    ok("-speaker:yusuf", "-speaker:w(yusuf)");
    /* Field names are case-sensitive; an unknown prefix is plain words. */
    ok("foo:bar", "w(foo) w(bar)");
    ok("http://example.org", "w(http) w(example) w(org)");
    ok("Tag:gender", "w(tag) w(gender)");
    ok("-foo:bar", "-p(foo bar)");
    ok("foo:\"bar baz\"", "w(foo) p(bar baz)");
    ok(":gender", "w(gender)");
}

static void test_malformed(void) {
    /* Unterminated quotes: the offset is the quote. */
    bad("\"social sustainability", LX_EQUERY, 0);
    bad("gender \"pay gap", LX_EQUERY, 7);
    bad("speaker:\"Amina", LX_EQUERY, 8);
    bad("tag:\"gender", LX_EQUERY, 4);
    bad("racism NOT \"x", LX_EQUERY, 11);
    bad("a\"", LX_EQUERY, 1);
    /* A filter without a value: the offset is the filter. */
    bad("tag:", LX_EQUERY, 0);
    bad("racism tag: gender", LX_EQUERY, 7);
    bad("lang:", LX_EQUERY, 0);
    bad("x speaker:", LX_EQUERY, 2);
    bad("tag:\"  \"", LX_EQUERY, 0);
    bad("tag:\"\"", LX_EQUERY, 0);
    /* Bad language codes and unsupported forms. */
    bad("lang:x", LX_EQUERY, 5);
    bad("lang:f1", LX_EQUERY, 5);
    bad("lang:verylongcode", LX_EQUERY, 5);
    bad("-lang:fi", LX_EQUERY, -2);
    bad("-tag:gender", LX_EQUERY, 0);
    /* NOT with nothing after it. */
    bad("racism NOT", LX_EQUERY, 7);
    bad("racism NOT   ", LX_EQUERY, 7);
    /* Invalid UTF-8, at its byte. */
    bad("gender \xFF", LX_EUTF8, 7);
    bad("\"ok\" \xC3", LX_EUTF8, 5);
    /* A NULL err is allowed. */
    CHECK(lx_query_parse("\"open", 5, &q, NULL) == LX_EQUERY);
}

static void test_limits(void) {
    static char s[LX_MAX_QUERY_BYTES * 2 + 64];
    /* Length: at the limit it parses, one byte more it does not. */
    memset(s, ' ', sizeof s);
    memcpy(s, "gender", 6);
    CHECK(parse_n(s, LX_MAX_QUERY_BYTES) == 0);
    CHECK(q.nclauses == 1);
    CHECK(parse_n(s, LX_MAX_QUERY_BYTES + 1) == LX_ELIMIT);
    CHECK(err.code == LX_ELIMIT && err.offset == LX_MAX_QUERY_BYTES);

    /* Terms: LX_MAX_QUERY_TERMS words parse, one more is refused. */
    size_t n = 0;
    for (int i = 0; i < LX_MAX_QUERY_TERMS; i++)
        n += (size_t)sprintf(s + n, "w%d ", i);
    CHECK(parse_n(s, n) == 0);
    CHECK(q.nclauses == LX_MAX_QUERY_TERMS && q.nwords == LX_MAX_QUERY_TERMS);
    size_t before = n;
    n += (size_t)sprintf(s + n, "extra");
    CHECK(parse_n(s, n) == LX_ELIMIT);
    CHECK(err.offset == (long)before);
    /* Counted across phrases too. */
    n = 0;
    for (int i = 0; i < 5; i++) {
        n += (size_t)sprintf(s + n, "\"");
        for (int j = 0; j < LX_MAX_PHRASE_WORDS; j++)
            n += (size_t)sprintf(s + n, "%sp%d", j ? " " : "", i * 100 + j);
        n += (size_t)sprintf(s + n, "\" ");
    }
    CHECK(parse_n(s, n) == LX_ELIMIT);
    CHECK(err.offset >= 0 && (size_t)err.offset < n);

    /* Phrase words: LX_MAX_PHRASE_WORDS parse, one more is refused, as
     * quoted and as a hyphenated chunk. */
    n = 0;
    n += (size_t)sprintf(s + n, "x \"");
    for (int j = 0; j < LX_MAX_PHRASE_WORDS; j++)
        n += (size_t)sprintf(s + n, "%sw", j ? " " : "");
    n += (size_t)sprintf(s + n, "\"");
    CHECK(parse_n(s, n) == 0);
    CHECK(q.nclauses == 2 && q.clauses[1].n == LX_MAX_PHRASE_WORDS);
    n = 0;
    n += (size_t)sprintf(s + n, "x \"");
    for (int j = 0; j <= LX_MAX_PHRASE_WORDS; j++)
        n += (size_t)sprintf(s + n, "%sw", j ? " " : "");
    n += (size_t)sprintf(s + n, "\"");
    CHECK(parse_n(s, n) == LX_ELIMIT);
    CHECK(err.offset == 3);
    n = 0;
    for (int j = 0; j <= LX_MAX_PHRASE_WORDS; j++)
        n += (size_t)sprintf(s + n, "%sa", j ? "-" : "");
    CHECK(parse_n(s, n) == LX_ELIMIT);
    CHECK(err.offset == 0);

    /* Tag filters: too many, too long. */
    n = 0;
    for (int i = 0; i <= LX_MAX_QUERY_TERMS; i++)
        n += (size_t)sprintf(s + n, "tag:t%d ", i);
    CHECK(parse_n(s, n) == LX_ELIMIT);
    n = (size_t)sprintf(s, "tag:");
    memset(s + n, 'a', LX_MAX_TAG_BYTES);
    CHECK(parse_n(s, n + LX_MAX_TAG_BYTES) == 0);
    CHECK(q.ntags == 1 && strlen(q.tags[0]) == LX_MAX_TAG_BYTES);
    memset(s + n, 'a', LX_MAX_TAG_BYTES + 1);
    CHECK(parse_n(s, n + LX_MAX_TAG_BYTES + 1) == LX_ELIMIT);
    CHECK(err.offset == 0);
    /* A long tag of multi-byte letters that grow when folded fits the
     * parser's buffer. */
    n = (size_t)sprintf(s, "tag:\"");
    for (int i = 0; i < LX_MAX_TAG_BYTES / 3; i++)
        n += (size_t)sprintf(s + n, "\xEF\xAC\x83"); /* U+FB03 folds to "ffi" */
    n += (size_t)sprintf(s + n, "\"");
    CHECK(parse_n(s, n) == 0);
    CHECK(q.ntags == 1 && strlen(q.tags[0]) < sizeof q.tags[0]);
    CHECK(q.ntags == 1 && strncmp(q.tags[0], "ffiffi", 6) == 0);

    /* Language filters: many are fine up to the limit. */
    n = 0;
    for (int i = 0; i <= LX_MAX_QUERY_TERMS; i++)
        n += (size_t)sprintf(s + n, "lang:fi ");
    CHECK(parse_n(s, n) == LX_ELIMIT);
}

static void test_nul_bytes(void) {
    /* A NUL separates, as a space does: no tag or word holds one. */
    CHECK(parse_n("a\0b", 3) == 0);
    CHECK_STR(describe(), "w(a) w(b)");
    CHECK(parse_n("tag:x\0y", 7) == 0);
    CHECK_STR(describe(), "w(y) tag[x]");
    CHECK(parse_n("tag:\0gender", 11) == LX_EQUERY);
    CHECK(err.offset == 0);
    CHECK(parse_n("\0\0", 2) == 0);
    CHECK(q.nclauses == 0);
}

static void test_reuse(void) {
    /* A second parse into the same struct starts from nothing. */
    CHECK(parse("a b c tag:x lang:fi") == 0);
    CHECK(lx_query_parse("d", 1, &q, &err) == 0);
    CHECK_STR(describe(), "w(d)");
    /* After an error the struct is still consistent (counts in range). */
    CHECK(parse("a b \"c") == LX_EQUERY);
    CHECK(q.nclauses >= 0 && q.nclauses <= LX_MAX_QUERY_TERMS);
    CHECK(q.nwords >= 0 && q.nwords <= LX_MAX_QUERY_TERMS);
}

/* lx_query_clitic: which word clauses are halves of a contraction the
 * English stop list has whole, or the English possessive "s". */
static void test_clitics(void) {
    const char *qs = "hasan's doesn't l'amour it\xe2\x80\x99s o'sullivan \"world's end\" s";
    CHECK(parse(qs) == 0);
    /* hasan s doesn t l amour it s o sullivan "world s end" s */
    static const int want[] = {0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0};
    CHECK(q.nclauses == 12);
    for (int ci = 0; ci < q.nclauses && ci < 12; ci++)
        if (lx_query_clitic(&q, qs, ci, "en") != want[ci]) {
            printf("clause %d (%s): %d\n", ci, q.words[q.clauses[ci].first].tok, !want[ci]);
            CHECK(0);
        }
    CHECK(!lx_query_clitic(&q, qs, 1, "fi")); /* the possessive is English's */
    CHECK(!lx_query_clitic(&q, NULL, 1, "en"));
}

int main(void) {
    test_clitics();
    test_words();
    test_phrases();
    test_exclusion();
    test_or();
    test_filters();
    test_malformed();
    test_limits();
    test_nul_bytes();
    test_reuse();
    CHECK_DONE();
}
