/* test_stem.c -- unit tests of stemming (engine/stem.c): the Snowball
 * stemmer of each language, accents stripped from the final term, an
 * unknown language left unstemmed with LX_EINVAL, language tags
 * normalised, and the output buffer respected. */
#include "check.h"
#include "lectern.h"
#include "stem.h"
#include "text.h"

/* lx_stem of a C string; the result in a static buffer. */
static const char *stem(const char *lang, const char *w) {
    static char out[LX_TOKEN_BUF];
    int n = lx_stem(lang, w, strlen(w), out, sizeof out);
    CHECK(n >= 0);
    CHECK(n < 0 || (size_t)n == strlen(out));
    return out;
}

static void test_english(void) {
    CHECK_STR(stem("en", "running"), "run");
    CHECK_STR(stem("en", "runs"), "run");
    CHECK_STR(stem("en", "connections"), "connect");
    CHECK_STR(stem("en", "connected"), "connect");
    CHECK_STR(stem("en", "connecting"), "connect");
    CHECK_STR(stem("en", "discrimination"), "discrimin");
    CHECK_STR(stem("en", "discriminating"), "discrimin");
    CHECK_STR(stem("en", "migration"), "migrat");
    CHECK_STR(stem("en", "sustainability"), "sustain");
    CHECK_STR(stem("en", "sustainable"), "sustain");
    CHECK_STR(stem("en", "the"), "the");
    CHECK_STR(stem("en", "42"), "42");
    /* Language tags: region and case do not matter. */
    CHECK_STR(stem("en-GB", "running"), "run");
    CHECK_STR(stem("EN", "running"), "run");
    CHECK_STR(stem("en_US", "running"), "run");
}

static void test_finnish(void) {
    /* Stemmed, then accents stripped: "kestävä" -> "kestäv" -> "kestav". */
    CHECK_STR(stem("fi", "kest\xC3\xA4v\xC3\xA4"), "kestav");
    CHECK_STR(stem("fi", "kest\xC3\xA4v\xC3\xA4n"), "kestav");
    CHECK_STR(stem("fi", "talossa"), "talo");
    CHECK_STR(stem("fi", "talo"), "talo");
    CHECK_STR(stem("fi", "maahanmuuttajien"), "maahanmuuttaj");
    CHECK_STR(stem("fi", "maahanmuuttajat"), "maahanmuuttaj");
    /* A query typed without accents meets the indexed term. */
    CHECK_STR(stem("fi", "kestava"), stem("fi", "kest\xC3\xA4v\xC3\xA4"));
}

static void test_german(void) {
    CHECK_STR(stem("de", "h\xC3\xA4user"), "haus");
    CHECK_STR(stem("de", "gleichberechtigung"), "gleichberecht");
    CHECK_STR(stem("de", "diskriminierung"), "diskriminier");
    /* "straße" arrives from the tokenizer as "strasse". */
    CHECK_STR(stem("de", "strassen"), stem("de", "strasse"));
}

static void test_swedish(void) {
    CHECK_STR(stem("sv", "kvinnorna"), "kvinn");
    CHECK_STR(stem("sv", "kvinnor"), "kvinn");
    CHECK_STR(stem("sv", "j\xC3\xA4mst\xC3\xA4lldhet"), "jamstalld");
}

static void test_spanish(void) {
    CHECK_STR(stem("es", "discriminaci\xC3\xB3n"), "discrimin");
    CHECK_STR(stem("es", "migraciones"), "migracion");
    CHECK_STR(stem("es", "migraci\xC3\xB3n"), "migracion");
}

static void test_french(void) {
    CHECK_STR(stem("fr", "migrations"), "migrat");
    CHECK_STR(stem("fr", "\xC3\xA9galit\xC3\xA9"), "egal");
    CHECK_STR(stem("fr", "\xC3\xA9galit\xC3\xA9s"), "egal");
}

static void test_unknown_language(void) {
    char out[LX_TOKEN_BUF];
    /* No stemmer: LX_EINVAL, the token copied unstemmed (accents still
     * stripped, as for every term). */
    memset(out, 'z', sizeof out);
    CHECK(lx_stem("xx", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "running");
    CHECK(lx_stem("zz-ZZ", "connections", 11, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "connections");
    CHECK(lx_stem("xx", "caf\xC3\xA9", 5, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "cafe");
    /* Not a language tag at all. */
    CHECK(lx_stem("", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "running");
    CHECK(lx_stem("e", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK(lx_stem("e1", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK(lx_stem("verylonglanguage", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "running");
    CHECK(lx_stem(NULL, "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "running");
    /* "porter" names an algorithm, not a language. */
    CHECK(lx_stem("porter", "running", 7, out, sizeof out) == LX_EINVAL);
    CHECK_STR(out, "running");
}

static void test_language_supported(void) {
    static const char *const yes[] = {"en", "fi", "de", "sv", "es", "fr", "it", "nl",    "pt",
                                      "da", "no", "ru", "hu", "ro", "tr", "EN", "en-GB", "fi_FI"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        CHECK(lx_language_supported(yes[i]));
        if (!lx_language_supported(yes[i]))
            fprintf(stderr, "  %s should be supported\n", yes[i]);
    }
    static const char *const no[] = {"xx", "", "e", "porter", "english1", "e-n", "123"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!lx_language_supported(no[i]));
    CHECK(!lx_language_supported(NULL));
}

static void test_output_buffer(void) {
    char out[8];
    /* Truncated to size - 1 bytes, NUL-terminated. */
    memset(out, 'z', sizeof out);
    int n = lx_stem("en", "internationalization", 20, out, 5);
    CHECK(n == 4);
    CHECK_STR(out, "inte");
    /* size 0: nothing written. */
    out[0] = 'q';
    CHECK(lx_stem("en", "running", 7, out, 0) == 0);
    CHECK(out[0] == 'q');
    CHECK(lx_stem("xx", "running", 7, out, 0) == LX_EINVAL);
    /* A token longer than any normalised token is cut, not overrun. */
    char big[LX_TOKEN_BUF * 2];
    char res[LX_TOKEN_BUF * 2];
    memset(big, 'a', sizeof big);
    n = lx_stem("en", big, sizeof big, res, sizeof res);
    CHECK(n > 0 && n < LX_TOKEN_BUF);
}

static void test_stemmer_set(void) {
    lx_stemmers s;
    char out[LX_TOKEN_BUF];
    lx_stemmers_init(&s);
    int en = lx_stemmers_lookup(&s, "en");
    int fi = lx_stemmers_lookup(&s, "fi");
    int xx = lx_stemmers_lookup(&s, "xx");
    CHECK(en == 0 && fi == 1 && xx == 2);
    CHECK(lx_stemmers_lookup(&s, "en") == en);
    CHECK(lx_stemmers_has(&s, en) && lx_stemmers_has(&s, fi));
    CHECK(!lx_stemmers_has(&s, xx));
    CHECK(!lx_stemmers_has(&s, -1) && !lx_stemmers_has(&s, 99));
    CHECK(lx_stemmers_term(&s, en, "connections", 11, out) == 7);
    CHECK_STR(out, "connect");
    CHECK(lx_stemmers_term(&s, xx, "connections", 11, out) == 11);
    CHECK_STR(out, "connections");
    CHECK(lx_stemmers_term(&s, -1, "caf\xC3\xA9", 5, out) == 4);
    CHECK_STR(out, "cafe");
    /* The set is bounded: lookups past LX_MAX_LANGS fail, never overrun. */
    char code[8];
    int full = 0;
    for (int i = 0; i < LX_MAX_LANGS + 4; i++) {
        snprintf(code, sizeof code, "q%c%c", 'a' + i / 26, 'a' + i % 26);
        if (lx_stemmers_lookup(&s, code) < 0)
            full++;
    }
    CHECK(full == 7); /* 3 entries were taken already */
    lx_stemmers_free(&s);

    char norm[LX_LANG_BYTES];
    CHECK(lx_lang_normalise("pt-BR", norm) == 0);
    CHECK_STR(norm, "pt");
    CHECK(lx_lang_normalise("FIN", norm) == 0);
    CHECK_STR(norm, "fin");
    CHECK(lx_lang_normalise("x", norm) != 0);
    CHECK(lx_lang_normalise("abcdefgh", norm) != 0);
    CHECK(lx_lang_normalise("e5", norm) != 0);
}

int main(void) {
    test_english();
    test_finnish();
    test_german();
    test_swedish();
    test_spanish();
    test_french();
    test_unknown_language();
    test_language_supported();
    test_output_buffer();
    test_stemmer_set();
    CHECK_DONE();
}
