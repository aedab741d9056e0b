/* test_lang.c -- lx_language_lookup, the one validation of a language
 * (issue 15, items 2 and 5): ISO 639-1 codes in any case, with BCP 47
 * subtags; 639-2/3 codes and unambiguous English names mapped to 639-1;
 * everything else refused.  Also: every language Snowball stems has a
 * row, so no record in a stemmed language can be refused. */
#include <libstemmer.h>

#include "check.h"
#include "lectern.h"

static void expect(const char *lang, int rc, const char *code) {
    char out[3] = "?";
    int got = lx_language_lookup(lang, out);
    CHECK(got == rc);
    if (got != rc)
        fprintf(stderr, "  lookup(\"%s\") = %d, expected %d\n", lang ? lang : "(null)", got, rc);
    if (rc >= 0)
        CHECK_STR(out, code);
    else
        CHECK_STR(out, "?");
}

static void test_codes(void) {
    expect("en", 0, "en");
    expect("EN", 0, "en");
    expect("Fi", 0, "fi");
    expect("sv", 0, "sv");
    expect("en-GB", 0, "en");
    expect("pt_BR", 0, "pt");
    expect("zh-Hant-TW", 0, "zh");
    expect("kl", 0, "kl"); /* a 639-1 code Snowball does not stem */
}

static void test_mapped(void) {
    expect("eng", LX_LANG_MAPPED, "en");
    expect("FIN", LX_LANG_MAPPED, "fi");
    expect("swe", LX_LANG_MAPPED, "sv");
    expect("deu", LX_LANG_MAPPED, "de");
    expect("ger", LX_LANG_MAPPED, "de");
    expect("fra", LX_LANG_MAPPED, "fr");
    expect("fre", LX_LANG_MAPPED, "fr");
    expect("spa", LX_LANG_MAPPED, "es");
    expect("ita", LX_LANG_MAPPED, "it");
    expect("nld", LX_LANG_MAPPED, "nl");
    expect("dut", LX_LANG_MAPPED, "nl");
    expect("cmn", LX_LANG_MAPPED, "zh");
    expect("iw", LX_LANG_MAPPED, "he");
    expect("eng-US", LX_LANG_MAPPED, "en");
    expect("english", LX_LANG_MAPPED, "en");
    expect("English", LX_LANG_MAPPED, "en");
    expect("Finnish", LX_LANG_MAPPED, "fi");
    expect("SWEDISH", LX_LANG_MAPPED, "sv");
    expect("Farsi", LX_LANG_MAPPED, "fa");
    expect("Haitian Creole", LX_LANG_MAPPED, "ht");
    expect("Luba-Katanga", LX_LANG_MAPPED, "lu");
    expect("Norwegian Bokm\xC3\xA5l", LX_LANG_MAPPED, "nb");
}

static void test_refused(void) {
    static const char *const no[] = {"xx",     "tlh",      "e",    "",
                                     "porter", "english1", "e-n",  "123",
                                     "Gaelic", "en-",      "en-!", "en-GB-toolongsubtag",
                                     "englis", "Klingon",  "qaa",  "fi fi"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        expect(no[i], LX_EINVAL, NULL);
    expect(NULL, LX_EINVAL, NULL);
}

/* libstemmer lists each algorithm by its English name ("english") and,
 * from some versions, by its codes too: each name must map to a 639-1
 * code Snowball then stems. */
static void test_every_stemmer(void) {
    for (const char **l = sb_stemmer_list(); *l; l++) {
        if (!strcmp(*l, "porter"))
            continue;
        char code[3];
        int rc = lx_language_lookup(*l, code);
        CHECK(rc >= 0);
        if (rc < 0) {
            fprintf(stderr, "  Snowball's \"%s\" has no row\n", *l);
            continue;
        }
        CHECK(lx_language_supported(code));
    }
}

int main(void) {
    test_codes();
    test_mapped();
    test_refused();
    test_every_stemmer();
    CHECK_DONE();
}
