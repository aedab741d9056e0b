/* test_record.c -- reading one string member of a stored record's meta
 * JSON without building a tree (lx_meta_string, used for snippets): hand-
 * written cases (escapes, \u escapes with surrogate pairs, a lone
 * surrogate, nested members of the same name, a non-string, an absent
 * key), then random objects printed by cJSON, the way the writer stores
 * them, read back and compared with cJSON's own parse. */
#include <cjson/cJSON.h>

#include "check.h"
#include "meta.h"
#include "record.h"

static void expect(const char *json, const char *key, int found, const char *value) {
    lx_buf out = {0};
    int rc = lx_meta_string(json, strlen(json), key, &out);
    CHECK(rc == found);
    if (rc == 1 && found == 1) {
        CHECK_STR((const char *)out.p, value);
        CHECK(out.n == strlen(value));
    }
    lx_buf_free(&out);
}

static void test_cases(void) {
    expect("{\"title\":\"T\",\"description\":\"plain\"}", "description", 1, "plain");
    expect("{\"description\":\"a \\\"quoted\\\" \\\\ back\\/slash\\n\\t\\r\\b\\f\"}", "description",
           1, "a \"quoted\" \\ back/slash\n\t\r\b\f");
    expect("{\"d\":\"caf\\u00e9 \\u20ac \\ud83d\\ude00\"}", "d", 1,
           "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    expect("{\"d\":\"lone \\ud83d here\"}", "d", 1, "lone \xEF\xBF\xBD here");
    /* The same name inside a nested object or array is not the member. */
    expect("{\"x\":{\"description\":\"inner\"},\"l\":[\"description\",{\"description\":1}],"
           "\"description\":\"outer\"}",
           "description", 1, "outer");
    expect("{\"x\":{\"description\":\"inner\"}}", "description", 0, NULL);
    expect("{\"n\":12.5e3,\"b\":true,\"z\":null,\"description\":\"after scalars\"}", "description",
           1, "after scalars");
    expect("{\"description\":42}", "description", 0, NULL);
    expect("{\"description\":null}", "description", 0, NULL);
    expect("{}", "description", 0, NULL);
    expect("", "description", 0, NULL);
    expect("not json", "description", 0, NULL);
    expect("{\"descriptio\":\"short\",\"descriptions\":\"long\"}", "description", 0, NULL);
    expect("{\"a\":\"}\",\"b\":\"{[\",\"description\":\"x\"}", "description", 1, "x");
    /* A truncated value ends at the end of the text. */
    expect("{\"description\":\"cut", "description", 1, "cut");
}

static void random_text(char *out, size_t cap) {
    static const char *const pieces[] = {"a",
                                         "Z",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\n",
                                         "\t",
                                         "\x01",
                                         "\x1f",
                                         "\xC3\xA9",
                                         "\xE2\x82\xAC",
                                         "\xF0\x9F\x98\x80",
                                         "{",
                                         "}",
                                         "[",
                                         "]",
                                         ",",
                                         ":",
                                         "description"};
    size_t n = 0, len = check_below(40);
    for (size_t i = 0; i < len; i++) {
        const char *p = pieces[check_below(sizeof pieces / sizeof pieces[0])];
        size_t l = strlen(p);
        if (n + l + 1 >= cap)
            break;
        memcpy(out + n, p, l);
        n += l;
    }
    out[n] = 0;
}

static void test_random(void) {
    char text[512], other[512];
    int ok = 1;
    for (int round = 0; round < 3000 && ok; round++) {
        cJSON *o = cJSON_CreateObject();
        int where = (int)check_below(4); /* members before the description */
        for (int i = 0; i < where; i++) {
            random_text(other, sizeof other);
            switch (check_below(4)) {
            case 0:
                cJSON_AddStringToObject(o, "title", other);
                break;
            case 1: {
                cJSON *inner = cJSON_AddObjectToObject(o, "nested");
                cJSON_AddStringToObject(inner, "description", other);
                break;
            }
            case 2: {
                cJSON *arr = cJSON_AddArrayToObject(o, "tags");
                cJSON_AddItemToArray(arr, cJSON_CreateString(other));
                cJSON_AddItemToArray(arr, cJSON_CreateNumber(round));
                break;
            }
            default:
                cJSON_AddNumberToObject(o, "duration", round * 1.5);
            }
        }
        int has = check_below(5) != 0;
        random_text(text, sizeof text);
        if (has)
            cJSON_AddStringToObject(o, "description", text);
        cJSON_AddStringToObject(o, "url", "https://example.org/x");
        char *json = cJSON_PrintUnformatted(o);
        lx_buf out = {0};
        int rc = lx_meta_string(json, strlen(json), "description", &out);
        cJSON *back = cJSON_Parse(json);
        cJSON *d = cJSON_GetObjectItemCaseSensitive(back, "description");
        if (has)
            ok = rc == 1 && cJSON_IsString(d) && strcmp((const char *)out.p, d->valuestring) == 0;
        else
            ok = rc == 0;
        if (!ok)
            fprintf(stderr, "  lx_meta_string differs from cJSON on %s\n", json);
        lx_buf_free(&out);
        cJSON_Delete(back);
        free(json);
        cJSON_Delete(o);
    }
    CHECK(ok);
}

int main(void) {
    test_cases();
    test_random();
    CHECK_DONE();
}
