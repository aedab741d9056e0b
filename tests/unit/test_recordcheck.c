/* test_recordcheck.c -- what lx_record_parse takes, refuses and warns
 * about (issue 15, items 5-8): the language as its ISO 639-1 code, ISO
 * 8601 dates, cues past the lecture's duration, and a transcript given
 * beside timed segments. */
#include <cjson/cJSON.h>

#include "check.h"
#include "record.h"

/* Parses json; returns its code and leaves the record in r on success. */
static int parse(const char *json, lx_record *r, lx_error *err) {
    memset(err, 0, sizeof *err);
    return lx_record_parse(json, strlen(json), r, err);
}

static void refused(const char *json, const char *field, const char *message_part) {
    lx_record r;
    lx_error err;
    int rc = parse(json, &r, &err);
    CHECK(rc == LX_ERECORD);
    CHECK_STR(err.field, field);
    CHECK(strstr(err.message, message_part) != NULL);
    if (rc == 0)
        lx_record_free(&r);
    else if (!strstr(err.message, message_part))
        fprintf(stderr, "  %s: message \"%s\"\n", json, err.message);
}

/* Takes json, expects the warning (NULL: none) and returns the stored
 * "language" member and the stored form's lang. */
static void taken(const char *json, const char *warning, const char *lang, const char *meta_lang) {
    lx_record r;
    lx_error err;
    int rc = parse(json, &r, &err);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s refused: %s\n", json, err.message);
        return;
    }
    if (warning) {
        CHECK(strstr(r.warning, warning) != NULL);
        if (!strstr(r.warning, warning))
            fprintf(stderr, "  %s: warning \"%s\", expected \"%s\"\n", json, r.warning, warning);
    } else {
        CHECK_STR(r.warning, "");
    }
    if (lang)
        CHECK_STR(r.f.lang, lang);
    if (meta_lang) {
        cJSON *m = cJSON_Parse(r.meta);
        cJSON *l = cJSON_GetObjectItemCaseSensitive(m, "language");
        CHECK(cJSON_IsString(l));
        if (cJSON_IsString(l))
            CHECK_STR(l->valuestring, meta_lang);
        cJSON_Delete(m);
    }
    lx_record_free(&r);
}

static void test_language(void) {
    taken("{\"id\":\"a\",\"title\":\"t\"}", NULL, "en", NULL);
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"fi\"}", NULL, "fi", "fi");
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"SV\"}", NULL, "sv", "SV");
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"en-GB\"}", NULL, "en", "en-GB");
    /* A name or another ISO 639 code: stored as the 639-1 code, with a
     * warning, in the record too (what GET returns is what lang= finds). */
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"english\"}",
          "language: \"english\" stored as its ISO 639-1 code \"en\"", "en", "en");
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"Finnish\"}", "language: ", "fi", "fi");
    taken("{\"id\":\"a\",\"title\":\"t\",\"language\":\"ger\"}", "\"de\"", "de", "de");
    refused("{\"id\":\"a\",\"title\":\"t\",\"language\":\"tlh\"}", "language",
            "\"tlh\" is not a language");
    refused("{\"id\":\"a\",\"title\":\"t\",\"language\":\"xx\"}", "language",
            "use an ISO 639-1 code");
    refused("{\"id\":\"a\",\"title\":\"t\",\"language\":\"porter\"}", "language", "not a language");
    refused("{\"id\":\"a\",\"title\":\"t\",\"language\":7}", "language", "ISO 639-1");
}

static void test_date(void) {
    static const char *const good[] = {"2023", "2023-03", "2023-03-14", "2024-02-29", "1999-12-31"};
    char json[128];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(json, sizeof json, "{\"id\":\"a\",\"title\":\"t\",\"date\":\"%s\"}", good[i]);
        taken(json, NULL, NULL, NULL);
    }
    static const char *const bad[] = {"14/03/2023", "2023-3-14", "2023-13",    "2023-02-29",
                                      "2023-04-31", "2023-00",   "23",         "2023-03-14x",
                                      "March 2023", "",          "2023-03-00", "2023/03/14"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(json, sizeof json, "{\"id\":\"a\",\"title\":\"t\",\"date\":\"%s\"}", bad[i]);
        refused(json, "date", "is not an ISO 8601 date: use YYYY, YYYY-MM or YYYY-MM-DD");
    }
    refused("{\"id\":\"a\",\"title\":\"t\",\"date\":20230314}", "date", "must be a string");
}

static void test_cues_past_duration(void) {
    taken("{\"id\":\"a\",\"title\":\"t\",\"duration\":600,\"segments\":[{\"start\":1,\"end\":2,"
          "\"text\":\"x\"},{\"start\":630,\"end\":632,\"text\":\"y\"}]}",
          "segments[1]: ends at 632 s, after the lecture's duration (600 s)", NULL, NULL);
    /* Rounding slack: a last cue ending within a second of the end. */
    taken("{\"id\":\"a\",\"title\":\"t\",\"duration\":600,\"segments\":[{\"start\":598,\"end\":600."
          "5,\"text\":\"x\"}]}",
          NULL, NULL, NULL);
    /* No duration: nothing to compare with. */
    taken("{\"id\":\"a\",\"title\":\"t\",\"segments\":[{\"start\":9000,\"text\":\"x\"}]}", NULL,
          NULL, NULL);
}

static void test_transcript_and_segments(void) {
    lx_record r;
    lx_error err;
    int rc = parse("{\"id\":\"a\",\"title\":\"t\",\"transcript\":\"plain words\",\"segments\":[{"
                   "\"start\":1,\"end\":2,\"text\":\"timed words\"}]}",
                   &r, &err);
    CHECK(rc == 0);
    if (rc)
        return;
    CHECK(strstr(r.warning, "transcript: ignored: the lecture has timed segments") != NULL);
    CHECK_STR(r.body, "timed words");
    CHECK(strstr(r.meta, "plain words") == NULL);
    lx_record_free(&r);
    /* Empty segments time nothing: the transcript is indexed, no warning. */
    rc = parse("{\"id\":\"a\",\"title\":\"t\",\"transcript\":\"plain words\",\"segments\":[]}", &r,
               &err);
    CHECK(rc == 0);
    if (rc)
        return;
    CHECK_STR(r.warning, "");
    CHECK_STR(r.body, "plain words");
    CHECK(r.flags == LX_DOC_BODY_TRANSCRIPT);
    CHECK(strstr(r.meta, "segments") == NULL);
    lx_record_free(&r);
    /* Several warnings: all of them, in order. */
    rc = parse("{\"id\":\"a\",\"title\":\"t\",\"language\":\"eng\",\"duration\":1,\"transcript\":"
               "\"p\",\"segments\":[{\"start\":5,\"end\":6,\"text\":\"w\"}]}",
               &r, &err);
    CHECK(rc == 0);
    if (rc)
        return;
    const char *a = strstr(r.warning, "language: "), *b = strstr(r.warning, "; segments[0]: "),
               *c = strstr(r.warning, "; transcript: ");
    CHECK(a && b && c && a < b && b < c);
    lx_record_free(&r);
}

int main(void) {
    test_language();
    test_date();
    test_cues_past_duration();
    test_transcript_and_segments();
    CHECK_DONE();
}
