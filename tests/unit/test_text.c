/* test_text.c -- unit tests of the tokenizer (engine/text.c): English,
 * Finnish, German, Turkish dotted capital I, Greek final sigma, positions
 * and byte spans, invalid UTF-8 with its offset, and the truncation of
 * overlong tokens to LX_MAX_TERM_BYTES. */
#include "check.h"
#include "lectern.h"
#include "text.h"

#include <utf8proc.h>

#define MAX_TOKS 64

typedef struct tok {
    char s[LX_TOKEN_BUF];
    size_t len, start, end;
    uint32_t pos;
} tok;

static tok toks[MAX_TOKS];
static int ntoks;
static lx_error err;

static void on_tok(void *ctx, const char *s, size_t len, size_t start, size_t end, uint32_t pos) {
    (void)ctx;
    if (ntoks == MAX_TOKS)
        return;
    tok *t = &toks[ntoks++];
    CHECK(len < sizeof t->s);
    memcpy(t->s, s, len < sizeof t->s ? len : sizeof t->s - 1);
    t->s[len < sizeof t->s ? len : sizeof t->s - 1] = 0;
    t->len = len;
    t->start = start;
    t->end = end;
    t->pos = pos;
}

static int tokenize_n(const char *s, size_t len) {
    ntoks = 0;
    memset(&err, 0, sizeof err);
    err.offset = -1;
    return lx_tokenize(s, len, on_tok, NULL, &err);
}

static int tokenize(const char *s) {
    return tokenize_n(s, strlen(s));
}

static const char *t(int i) {
    return i < ntoks ? toks[i].s : "(missing)";
}

/* The term a token becomes: its stem, accents stripped. */
static const char *term(const char *lang, const char *s) {
    static char out[LX_TOKEN_BUF];
    int n = lx_stem(lang, s, strlen(s), out, sizeof out);
    CHECK(n >= 0 || (n == LX_EINVAL && !lx_language_supported(lang)));
    return out;
}

static int valid_utf8(const char *s, size_t len) {
    return lx_text_invalid_utf8(s, len) < 0;
}

static void test_english(void) {
    CHECK(tokenize("Hello, World! It's 2023: COVID-19 and e-mail.") == 0);
    CHECK(ntoks == 10);
    CHECK_STR(t(0), "hello");
    CHECK_STR(t(1), "world");
    /* Apostrophes and hyphens separate tokens. */
    CHECK_STR(t(2), "it");
    CHECK_STR(t(3), "s");
    CHECK_STR(t(4), "2023");
    CHECK_STR(t(5), "covid");
    CHECK_STR(t(6), "19");
    CHECK_STR(t(7), "and");
    CHECK_STR(t(8), "e");
    CHECK_STR(t(9), "mail");
    /* Nothing but separators. */
    CHECK(tokenize("  ,.;: -- !? ") == 0);
    CHECK(ntoks == 0);
    CHECK(tokenize("") == 0);
    CHECK(ntoks == 0);
    /* Unicode punctuation and spaces separate too. */
    CHECK(tokenize("one\xE2\x80\x94two\xC2\xA0three\xE2\x80\x9C"
                   "four\xE2\x80\x9D") == 0);
    CHECK(ntoks == 4);
    CHECK_STR(t(0), "one");
    CHECK_STR(t(1), "two");
    CHECK_STR(t(2), "three");
    CHECK_STR(t(3), "four");
}

static void test_positions_and_spans(void) {
    const char *s = "Hello, w\xC3\xB6rld! 42  x";
    CHECK(tokenize(s) == 0);
    CHECK(ntoks == 4);
    CHECK_STR(t(0), "hello");
    CHECK(toks[0].start == 0 && toks[0].end == 5 && toks[0].pos == 0);
    CHECK_STR(t(1), "w\xC3\xB6rld");
    CHECK(toks[1].start == 7 && toks[1].end == 13 && toks[1].pos == 1);
    CHECK_STR(t(2), "42");
    CHECK(toks[2].start == 15 && toks[2].end == 17 && toks[2].pos == 2);
    CHECK_STR(t(3), "x");
    CHECK(toks[3].start == 19 && toks[3].end == 20 && toks[3].pos == 3);
    /* Spans cover the original text, whatever its case. */
    CHECK(tokenize("MIGRATION Studies") == 0);
    CHECK(ntoks == 2);
    CHECK(toks[1].start == 10 && toks[1].end == 17);
    /* lx_text_scan numbers from pos0 and reports the next position. */
    uint32_t next = 0;
    ntoks = 0;
    CHECK(lx_text_scan("a b c", 5, 100, on_tok, NULL, &next, NULL) == 0);
    CHECK(ntoks == 3 && toks[0].pos == 100 && toks[2].pos == 102);
    CHECK(next == 103);
}

static void test_finnish(void) {
    /* Case-folded and NFC; ä and ö stay in the token. */
    CHECK(tokenize("Kest\xC3\xA4v\xC3\xA4 KEHITYS \xC3\x84iti ty\xC3\xB6ll\xC3\xA4") == 0);
    CHECK(ntoks == 4);
    CHECK_STR(t(0), "kest\xC3\xA4v\xC3\xA4");
    CHECK_STR(t(1), "kehitys");
    CHECK_STR(t(2), "\xC3\xA4iti");
    CHECK_STR(t(3), "ty\xC3\xB6ll\xC3\xA4");
    CHECK(toks[0].start == 0 && toks[0].end == 9);
    /* A decomposed a + U+0308 composes to the same token. */
    CHECK(tokenize("kesta\xCC\x88va\xCC\x88") == 0);
    CHECK(ntoks == 1);
    CHECK_STR(t(0), "kest\xC3\xA4v\xC3\xA4");
    CHECK(toks[0].end == 11);
    /* Accents go only from the final term. */
    CHECK_STR(term("fi", "kest\xC3\xA4v\xC3\xA4"), "kestav");
}

static void test_german(void) {
    CHECK(tokenize("Stra\xC3\x9F"
                   "e STRASSE Gr\xC3\xBC\xC3\x9F"
                   "e \xE1\xBA\x9E") == 0);
    CHECK(ntoks == 4);
    /* ß case-folds to ss, so both spellings meet. */
    CHECK_STR(t(0), "strasse");
    CHECK_STR(t(1), "strasse");
    CHECK_STR(t(2), "gr\xC3\xBCsse");
    /* Capital sharp s (U+1E9E) too. */
    CHECK_STR(t(3), "ss");
    CHECK(toks[0].start == 0 && toks[0].end == 7);
}

static void test_turkish_dotted_i(void) {
    /* U+0130 folds to i + U+0307; it must not crash and its term after
     * stemming (accents stripped) is plain "istanbul". */
    CHECK(tokenize("\xC4\xB0stanbul ISTANBUL \xC4\xB1"
                   "stanbul") == 0);
    CHECK(ntoks == 3);
    CHECK(valid_utf8(t(0), toks[0].len));
    CHECK(toks[0].start == 0 && toks[0].end == 9);
    CHECK_STR(t(1), "istanbul");
    CHECK_STR(term("en", t(0)), "istanbul");
    CHECK_STR(term("tr", t(0)), term("tr", "istanbul"));
    CHECK_STR(term("xx", t(0)), "istanbul");
    /* Dotless i (U+0131) is its own letter. */
    CHECK_STR(t(2), "\xC4\xB1stanbul");
    /* A lone dotted capital I. */
    CHECK(tokenize("\xC4\xB0") == 0);
    CHECK(ntoks == 1);
}

static void test_greek(void) {
    /* Capital, final and medial sigma fold to one form. */
    CHECK(tokenize("\xCE\x9B\xCE\x8C\xCE\x93\xCE\x9F\xCE\xA3 "        /* ΛΌΓΟΣ */
                   "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82 "        /* λόγος */
                   "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x83") == 0); /* λόγοσ */
    CHECK(ntoks == 3);
    CHECK_STR(t(0), t(1));
    CHECK_STR(t(1), t(2));
    CHECK_STR(t(0), "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x83");
    CHECK(toks[0].start == 0 && toks[0].end == 10);
    CHECK(toks[2].start == 22 && toks[2].end == 32);
    /* Greek stemming and accent stripping work on it. */
    char out[LX_TOKEN_BUF];
    CHECK(lx_stem("el", t(0), toks[0].len, out, sizeof out) > 0);
    CHECK(valid_utf8(out, strlen(out)));
}

static void test_invalid_utf8(void) {
    static const struct {
        const char *s;
        long offset;
    } cases[] = {
        {"abc \xFF"
         "def",
         4}, /* never valid */
        {"abc\xFF"
         "def",
         3},                            /* inside a token */
        {"good w\xC3\xB6rd \xC3", 11},  /* truncated at the end */
        {"x \xC3(", 2},                 /* bad continuation */
        {"over \xC0\x80 long", 5},      /* overlong NUL */
        {"surrogate \xED\xA0\x80", 10}, /* UTF-16 surrogate */
        {"big \xF4\x90\x80\x80", 4},    /* above U+10FFFF */
        {"\x80", 0},                    /* lone continuation */
        {"k\xC3\xA4y \xE2\x82", 5},     /* 3-byte sequence cut */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = tokenize(cases[i].s);
        CHECK(rc == LX_EUTF8);
        CHECK(err.code == LX_EUTF8);
        CHECK(err.offset == cases[i].offset);
        if (err.offset != cases[i].offset)
            fprintf(stderr, "  case %zu: offset %ld, expected %ld\n", i, err.offset,
                    cases[i].offset);
        CHECK(err.message[0] != 0);
        CHECK(lx_text_invalid_utf8(cases[i].s, strlen(cases[i].s)) == cases[i].offset);
    }
    /* Tokens before the bad byte were delivered; nothing after. */
    CHECK(tokenize("one two \xFF three") == LX_EUTF8);
    CHECK(ntoks == 2);
    /* A NULL err is allowed. */
    CHECK(lx_tokenize("\xFF", 1, on_tok, NULL, NULL) == LX_EUTF8);
    /* An embedded NUL is a separator, not the end. */
    CHECK(tokenize_n("ab\0cd", 5) == 0);
    CHECK(ntoks == 2);
    CHECK_STR(t(1), "cd");
}

static void test_overlong_tokens(void) {
    char buf[1024];
    /* ASCII: cut to LX_MAX_TERM_BYTES; the span still covers the run. */
    memset(buf, 'A', 200);
    memcpy(buf + 200, " next", 6);
    CHECK(tokenize(buf) == 0);
    CHECK(ntoks == 2);
    CHECK(toks[0].len == LX_MAX_TERM_BYTES);
    CHECK(strspn(t(0), "a") == LX_MAX_TERM_BYTES);
    CHECK(toks[0].start == 0 && toks[0].end == 200);
    CHECK_STR(t(1), "next");
    CHECK(toks[1].pos == 1 && toks[1].start == 201);

    /* Two-byte letters: cut at a character boundary. */
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        buf[n++] = (char)0xC3; /* Ä */
        buf[n++] = (char)0x84;
    }
    buf[n] = 0;
    CHECK(tokenize(buf) == 0);
    CHECK(ntoks == 1);
    CHECK(toks[0].len <= LX_MAX_TERM_BYTES && toks[0].len >= LX_MAX_TERM_BYTES - 1);
    CHECK(valid_utf8(t(0), toks[0].len));
    CHECK(toks[0].len >= 2 && (unsigned char)t(0)[0] == 0xC3 && (unsigned char)t(0)[1] == 0xA4);
    CHECK(toks[0].end == n);

    /* Letters whose case folding expands (U+0390 folds to three code
     * points, U+FB03 "ffi" to three letters): still cut, still folded. */
    static const char *const expanding[] = {"\xCE\x90", "\xEF\xAC\x83", "\xC3\x9F"};
    /* What each folds to (U+0390's folding composes back to itself). */
    static const char *const folded[] = {"\xCE\x90", "ffi", "ss"};
    for (size_t e = 0; e < sizeof expanding / sizeof expanding[0]; e++) {
        size_t k = strlen(expanding[e]), fk = strlen(folded[e]);
        n = 0;
        while (n + k < 400) {
            memcpy(buf + n, expanding[e], k);
            n += k;
        }
        buf[n] = 0;
        CHECK(tokenize(buf) == 0);
        CHECK(ntoks == 1);
        CHECK(toks[0].len > 0 && toks[0].len <= LX_MAX_TERM_BYTES);
        CHECK(valid_utf8(t(0), toks[0].len));
        /* Folded all along, and as long as the limit allows. */
        for (size_t i = 0; i < toks[0].len; i++)
            CHECK(t(0)[i] == folded[e][i % fk]);
        CHECK(toks[0].len + fk > LX_MAX_TERM_BYTES);
        CHECK(toks[0].end == n);
    }
    /* The folded form of one expanding letter, for reference. */
    CHECK(tokenize("\xEF\xAC\x83") == 0);
    CHECK_STR(t(0), "ffi");

    /* A long mixed token: ASCII run then a non-ASCII letter. */
    memset(buf, 'b', 150);
    memcpy(buf + 150, "\xC3\x96", 3);
    CHECK(tokenize(buf) == 0);
    CHECK(ntoks == 1);
    CHECK(toks[0].len == LX_MAX_TERM_BYTES);
    CHECK(strspn(t(0), "b") == LX_MAX_TERM_BYTES);
    CHECK(toks[0].end == 152);
}

/* Tokens with Latin-1 letters, which take the fast path when lower-case:
 * the same as utf8proc's composition and case folding, cut the same way. */
static void test_latin1_fast_path(void) {
    static const char *const ctx[][2] = {{"", ""}, {"m", "ller"}, {"Ab", "CD9"}, {"x", ""}};
    char in[512], want[512];
    for (int cp = 0xC0; cp <= 0xFF; cp++) {
        for (size_t c = 0; c < sizeof ctx / sizeof ctx[0]; c++) {
            int n = snprintf(in, sizeof in, "%s%c%c%s%c%c", ctx[c][0], 0xC3, 0x80 | (cp & 0x3F),
                             ctx[c][1], 0xC3, 0x80 | (cp & 0x3F));
            utf8proc_uint8_t *m = NULL;
            utf8proc_ssize_t k =
                utf8proc_map((const utf8proc_uint8_t *)in, n, &m,
                             UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
            CHECK(k > 0);
            snprintf(want, sizeof want, "%s", k > 0 ? (const char *)m : "");
            free(m);
            CHECK(tokenize_n(in, (size_t)n) == 0);
            if (cp == 0xD7 || cp == 0xF7) /* the signs of multiplication and division separate */
                continue;
            CHECK(ntoks == 1);
            CHECK_STR(t(0), want);
        }
    }
    /* A long token: cut at a character boundary, as the slow path cuts. */
    size_t n = 0;
    in[n++] = 'b';
    while (n + 2 < 300) {
        in[n++] = (char)0xC3;
        in[n++] = (char)0xA4; /* ä */
    }
    in[n] = 0;
    CHECK(tokenize_n(in, n) == 0);
    CHECK(ntoks == 1);
    CHECK(toks[0].len == LX_MAX_TERM_BYTES - 1 || toks[0].len == LX_MAX_TERM_BYTES);
    CHECK(valid_utf8(t(0), toks[0].len));
    CHECK(toks[0].end == n);
}

static void test_html_escape(void) {
    char out[128];
    const char *s = "<a href=\"x\">Tom & 'Jerry'</a>";
    size_t n = lx_text_html_escape(s, strlen(s), out, sizeof out - 1);
    out[n] = 0;
    CHECK_STR(out, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    /* Never writes past cap, never half an entity. */
    n = lx_text_html_escape("a<b", 3, out, 3);
    CHECK(n == 1);
}

/* The eight-bytes-at-a-time escaping agrees with a byte-by-byte
 * reference on random text (plain runs, UTF-8, the five specials at every
 * alignment, and the bytes beside them that its SWAR tests may flag:
 * # $ % = ? and the one after '), and stops at cap exactly as it does. */
static void test_html_escape_sweep(void) {
    static const char alphabet[] = "ab &<>\"'#$%=?(\xc3\xa9\x7f~";
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 50000; i++) {
        char s[48], want[48 * 6], got[48 * 6];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 48), cap = (size_t)(x >> 8) % (n * 6 + 2), k = 0;
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            s[j] = x % 3 ? 'a' + (char)(x >> 8 & 15) : alphabet[(x >> 8) % (sizeof alphabet - 1)];
        }
        for (size_t j = 0; j < n; j++) {
            const char *rep = s[j] == '&'    ? "&amp;"
                              : s[j] == '<'  ? "&lt;"
                              : s[j] == '>'  ? "&gt;"
                              : s[j] == '"'  ? "&quot;"
                              : s[j] == '\'' ? "&#39;"
                                             : NULL;
            size_t rl = rep ? strlen(rep) : 1;
            if (k + rl > cap)
                break;
            memcpy(want + k, rep ? rep : s + j, rl);
            k += rl;
        }
        size_t m = lx_text_html_escape(s, n, got, cap);
        CHECK(m == k && memcmp(got, want, k) == 0);
    }
}

/* on_tok for lx_text_scan_spans: a token without its text gets "". */
static void on_span_tok(void *ctx, const char *s, size_t len, size_t start, size_t end,
                        uint32_t pos) {
    on_tok(ctx, s ? s : "", s ? len : 0, start, end, pos);
    if (ntoks && ntoks <= MAX_TOKS)
        toks[ntoks - 1].len = len;
}

/* lx_text_scan_range (and lx_text_scan_spans, lx_text_spans) report what the whole scan
 * does for the positions asked, on random text of ASCII words, the bytes around the letter and
 * digit ranges, and UTF-8 letters and punctuation (the ASCII tokens before
 * `from` are stepped over eight bytes at a time). */
static void test_scan_range_sweep(void) {
    static const char *const piece[] = {
        "ab",     "Zoe", "x",        "09",           "7",        " ",          "  ",  ", ",
        "@[`{/:", "-",   "\xc3\xa9", "\xe2\x80\x99", "\xce\xa9", "longerword", "A1b2"};
    tok full[MAX_TOKS];
    check_seed(17);
    for (int iter = 0; iter < 20000; iter++) {
        char s[160];
        size_t n = 0;
        while (n < 100) {
            const char *p = piece[check_below(sizeof piece / sizeof piece[0])];
            memcpy(s + n, p, strlen(p));
            n += strlen(p);
        }
        CHECK(tokenize_n(s, n) == 0);
        int nfull = ntoks;
        memcpy(full, toks, sizeof full);
        uint32_t from = check_below((uint32_t)nfull + 2), to = from + check_below(6);
        ntoks = 0;
        CHECK(lx_text_scan_range(s, n, 0, from, to, on_tok, NULL) == 0);
        int k = 0;
        for (int j = 0; j < nfull; j++) {
            if (full[j].pos < from || full[j].pos > to)
                continue;
            CHECK(k < ntoks && toks[k].pos == full[j].pos && toks[k].start == full[j].start &&
                  toks[k].end == full[j].end && strcmp(toks[k].s, full[j].s) == 0);
            k++;
        }
        CHECK(k == ntoks);
        /* lx_text_scan_spans: the same tokens and spans, a token's text
         * left out (NULL) only with its length kept. */
        ntoks = 0;
        CHECK(lx_text_scan_spans(s, n, 0, from, to, LX_WANT_ALL, on_span_tok, NULL) == 0);
        k = 0;
        for (int j = 0; j < nfull; j++) {
            if (full[j].pos < from || full[j].pos > to)
                continue;
            CHECK(k < ntoks && toks[k].pos == full[j].pos && toks[k].start == full[j].start &&
                  toks[k].end == full[j].end && toks[k].len == full[j].len &&
                  (toks[k].s[0] == 0 || strcmp(toks[k].s, full[j].s) == 0));
            k++;
        }
        CHECK(k == ntoks);
        /* lx_text_spans: the same spans (plus base) in arrays, the
         * positions not reached left as they were. */
        uint32_t st[6], en[6];
        for (int j = 0; j < 6; j++)
            st[j] = en[j] = 77777;
        CHECK(lx_text_spans(s, n, 0, from, to, LX_WANT_ALL, 1000, st, en) == 0);
        for (uint32_t p = from; p <= to; p++) {
            int j = 0;
            while (j < nfull && full[j].pos != p)
                j++;
            if (j < nfull)
                CHECK(st[p - from] == full[j].start + 1000 && en[p - from] == full[j].end + 1000);
            else
                CHECK(st[p - from] == 77777 && en[p - from] == 77777);
        }
        /* Some positions wanted (a window's hits: `from` and `to` among
         * them, others drawn): those get the same spans, the rest are
         * left as they were, the tokens between counted unreported. */
        uint64_t want = 1ull | 1ull << (to - from);
        for (uint32_t p = 1; p < to - from; p++)
            want |= (uint64_t)check_below(2) << p;
        for (int j = 0; j < 6; j++)
            st[j] = en[j] = 77777;
        CHECK(lx_text_spans(s, n, 0, from, to, want, 1000, st, en) == 0);
        for (uint32_t p = from; p <= to; p++) {
            int j = 0;
            while (j < nfull && full[j].pos != p)
                j++;
            if (j < nfull && (want >> (p - from) & 1))
                CHECK(st[p - from] == full[j].start + 1000 && en[p - from] == full[j].end + 1000);
            else
                CHECK(st[p - from] == 77777 && en[p - from] == 77777);
        }
        ntoks = 0;
        CHECK(lx_text_scan_spans(s, n, 0, from, to, want, on_span_tok, NULL) == 0);
        k = 0;
        for (int j = 0; j < nfull; j++) {
            if (full[j].pos < from || full[j].pos > to || !(want >> (full[j].pos - from) & 1))
                continue;
            CHECK(k < ntoks && toks[k].pos == full[j].pos && toks[k].start == full[j].start &&
                  toks[k].end == full[j].end && toks[k].len == full[j].len);
            k++;
        }
        CHECK(k == ntoks);
    }
}

/* lx_text_json_special says whether a byte below 0x20 or a backslash is
 * there, as a byte-by-byte test does, on random bytes around those
 * (0x1f, 0x20, '[', ']', 0x7f, 0x80, 0x9c, 0xdc: the bytes the SWAR
 * subtractions could borrow from or wrap to), at every length to 40. */
static void test_json_special_sweep(void) {
    static const unsigned char alphabet[] = {'a',  ' ',  0x1f, 0x00, '\n', '\\', '[',  ']',
                                             0x7f, 0x80, 0x9c, 0xdc, 0xff, '"',  0x21, 0x5d};
    check_seed(18);
    for (int iter = 0; iter < 100000; iter++) {
        char s[40];
        size_t n = check_below(41);
        int want = 0;
        for (size_t j = 0; j < n; j++) {
            unsigned char c =
                check_below(6) ? (unsigned char)('a' + check_below(26)) : alphabet[check_below(16)];
            s[j] = (char)c;
            want |= c < 0x20 || c == '\\';
        }
        CHECK(lx_text_json_special(s, n) == want);
    }
}

int main(void) {
    test_json_special_sweep();
    test_html_escape_sweep();
    test_scan_range_sweep();
    test_english();
    test_positions_and_spans();
    test_finnish();
    test_german();
    test_turkish_dotted_i();
    test_greek();
    test_invalid_utf8();
    test_overlong_tokens();
    test_latin1_fast_path();
    test_html_escape();
    CHECK_DONE();
}
