/* Unit test of server/jsonw.c: the JSON writer (commas, escaping, numbers)
 * and jw_members (finding top-level members of a stored record). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void expect_written(jsonw *w, const char *want) {
    size_t len = 0;
    char *got = jw_take(w, &len);
    CHECK(got != NULL);
    if (got && (strlen(want) != len || strcmp(got, want) != 0)) {
        fprintf(stderr, "want %s\n got %s\n", want, got);
        failures++;
    }
    free(got);
}

static void test_writer(void) {
    jsonw w;
    jw_init(&w, 1); /* tiny: forces growth */
    jw_obj(&w);
    jw_key(&w, "a");
    jw_int(&w, -3);
    jw_key(&w, "list");
    jw_arr(&w);
    jw_str(&w, "x");
    jw_obj(&w);
    jw_obj_end(&w);
    jw_arr(&w);
    jw_arr_end(&w);
    jw_null(&w);
    jw_bool(&w, 1);
    jw_arr_end(&w);
    jw_key(&w, "k\"ey");
    jw_str(&w, "q\"b\\s\n\t\x01</script>é");
    jw_key(&w, "n");
    jw_str(&w, NULL);
    jw_key(&w, "raw");
    jw_raw(&w, "[1,2]", 5);
    jw_key(&w, "u");
    jw_uint(&w, 18446744073709551615ull);
    jw_obj_end(&w);
    expect_written(&w, "{\"a\":-3,\"list\":[\"x\",{},[],null,true],\"k\\\"ey\":"
                       "\"q\\\"b\\\\s\\n\\t\\u0001</script>é\",\"n\":null,\"raw\":[1,2],"
                       "\"u\":18446744073709551615}");

    jw_init(&w, 16);
    jw_arr(&w);
    jw_double(&w, 3.14159265, 4);
    jw_double(&w, 2.0, 3);
    jw_double(&w, 0.00004, 4);
    jw_double(&w, -0.00001, 2);
    jw_double(&w, 12.5, 0);
    jw_double(&w, 1e300, 4);
    jw_double(&w, NAN, 2);
    jw_arr_end(&w);
    expect_written(&w, "[3.1416,2,0,0,12,1.0000000000000001e+300,null]");

    jw_init(&w, 16);
    jw_strn(&w, "abc\0def", 7);
    expect_written(&w, "\"abc\\u0000def\"");
}

/* jw_double as printf writes it: "%.*f", trailing zeros dropped, no -0. */
static void printf_double(char *b, size_t cap, double v, int decimals) {
    int n = snprintf(b, cap, "%.*f", decimals, v);
    if (decimals > 0) {
        while (n > 1 && b[n - 1] == '0')
            n--;
        if (b[n - 1] == '.')
            n--;
        if (n == 2 && b[0] == '-' && b[1] == '0')
            b[0] = '0', n = 1;
    }
    b[n] = 0;
}

/* The writer's own number formatting agrees with printf's everywhere:
 * random magnitudes and signs, exact halves, values next to halves. */
static void test_double_sweep(void) {
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int decimals = (int)(x % 7);
        double mag = pow(10, (double)(x >> 8 & 15) - 6);
        double v = (double)(x >> 11) / 9007199254740992.0 * mag;
        if (i % 5 == 0) /* a half at the last digit, and its neighbours */
            v = (floor(v * pow(10, decimals)) + 0.5) / pow(10, decimals);
        if (i % 5 == 1)
            v = nextafter((floor(v * 1e4) + 0.5) / 1e4, (x & 1) ? 1e9 : -1e9);
        if (x & 0x100)
            v = -v;
        char want[128];
        printf_double(want, sizeof want, v, decimals);
        jsonw w;
        jw_init(&w, 16);
        jw_double(&w, v, decimals);
        size_t len = 0;
        char *got = jw_take(&w, &len);
        CHECK(got && strcmp(got, want) == 0);
        if (got && strcmp(got, want) != 0 && failures < 10)
            fprintf(stderr, "%.17g %d: want %s got %s\n", v, decimals, want, got);
        free(got);
    }
}

static void test_members(void) {
    static const char *const keys[] = {"speaker", "tags", "url", "duration", "missing"};
    const char *rec =
        " { \"id\": \"a\\\"}\", \"nested\": {\"speaker\": \"no\", \"x\": [1, {\"y\": \"]\"}]},"
        " \"speaker\" : \"Ana \\\"A\\\" Ruiz\", \"tags\": [\"gender\", \"pay, gap\"],"
        " \"duration\": 2710.5, \"url\": null, \"speaker\": \"second\" } ";
    jw_span m[5];
    CHECK(jw_members(rec, strlen(rec), keys, 5, m) == 0);
    CHECK(m[0].p && m[0].len == strlen("\"Ana \\\"A\\\" Ruiz\"") &&
          memcmp(m[0].p, "\"Ana \\\"A\\\" Ruiz\"", m[0].len) == 0);
    CHECK(m[1].p && m[1].len == strlen("[\"gender\", \"pay, gap\"]") &&
          memcmp(m[1].p, "[\"gender\", \"pay, gap\"]", m[1].len) == 0);
    CHECK(m[2].p && m[2].len == 4 && memcmp(m[2].p, "null", 4) == 0);
    CHECK(m[3].p && m[3].len == 6 && memcmp(m[3].p, "2710.5", 6) == 0);
    CHECK(m[4].p == NULL);

    /* a backslash run before a quote: even ends the string, odd does not */
    const char *bs = "{\"speaker\": \"x\\\\\", \"url\": \"a\\\\\\\"b\\\\\\\\\"}";
    CHECK(jw_members(bs, strlen(bs), keys, 5, m) == 0);
    const char *x = "\"x\\\\\"", *url = "\"a\\\\\\\"b\\\\\\\\\"";
    CHECK(m[0].p && m[0].len == strlen(x) && memcmp(m[0].p, x, m[0].len) == 0);
    CHECK(m[2].p && m[2].len == strlen(url) && memcmp(m[2].p, url, m[2].len) == 0);

    CHECK(jw_members("{}", 2, keys, 5, m) == 0 && m[0].p == NULL);
    CHECK(jw_members("[1]", 3, keys, 5, m) == -1);
    CHECK(jw_members("{}", 2, keys, JW_MAX_MEMBERS + 1, m) == -1); /* refused before reading keys */
    CHECK(jw_members("", 0, keys, 5, m) == -1);
    /* cut short anywhere: never reads past the end, never succeeds */
    {
        size_t n = strlen(rec), i;
        for (i = 0; i + 2 < n; i++)
            CHECK(jw_members(rec, i, keys, 5, m) == -1);
    }
}

/* Strings escaped eight bytes at a time agree with a byte-by-byte
 * reference: random strings over an alphabet of plain ASCII, UTF-8
 * bytes, controls, '"' and '\\', every length up to 40 and every
 * alignment of the special byte in its word. */
static void ref_escape(const char *s, size_t n, char *out) {
    size_t k = 0;
    out[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            out[k++] = '\\', out[k++] = (char)c;
        else if (c == '\n')
            out[k++] = '\\', out[k++] = 'n';
        else if (c == '\r')
            out[k++] = '\\', out[k++] = 'r';
        else if (c == '\t')
            out[k++] = '\\', out[k++] = 't';
        else if (c == '\b')
            out[k++] = '\\', out[k++] = 'b';
        else if (c == '\f')
            out[k++] = '\\', out[k++] = 'f';
        else if (c < 0x20)
            k += (size_t)sprintf(out + k, "\\u%04x", c);
        else
            out[k++] = (char)c;
    }
    out[k++] = '"';
    out[k] = 0;
}

static void test_escape_sweep(void) {
    static const unsigned char alphabet[] = {'a',  ' ',  '~', 0x7f, 0x80, 0xc3, 0xa9, 0xff, 0x1f,
                                             0x00, '\n', '"', '\\', '!',  '#',  ']',  '[',  0x5d};
    uint64_t x = 2463534242ull;
    for (int i = 0; i < 100000; i++) {
        char s[40], want[40 * 6 + 3];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 41);
        for (size_t j = 0; j < n; j++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly plain text, as titles and snippets are */
            s[j] = (char)(x % 4 ? 'a' + (char)(x >> 8 & 15) : alphabet[(x >> 8) % sizeof alphabet]);
        }
        ref_escape(s, n, want);
        jsonw w;
        jw_init(&w, 8);
        jw_strn(&w, s, n);
        size_t len = 0;
        char *got = jw_take(&w, &len);
        CHECK(got && len == strlen(want) && memcmp(got, want, len) == 0);
        free(got);
        /* jw_str_plain, for a string with nothing to escape, writes the
         * same (a snippet the engine found plain). */
        int plain = 1;
        for (size_t j = 0; j < n; j++)
            plain &= (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\';
        if (plain) {
            jw_init(&w, 8);
            jw_arr(&w);
            jw_str_plain(&w, s, n);
            jw_str_plain(&w, s, n);
            jw_arr_end(&w);
            got = jw_take(&w, &len);
            CHECK(got && len == 2 * strlen(want) + 3 && got[0] == '[' &&
                  memcmp(got + 1, want, strlen(want)) == 0 && got[strlen(want) + 1] == ',');
            free(got);
        }
    }
}

/* JW_KEY writes what jw_key does, for names of every length its copies
 * take apart (1 to 3, 4 to 13, 14 and more), commas and nesting
 * included, the buffer growing from its smallest. */
static void test_quoted_keys(void) {
    jsonw a, b;
    jw_init(&a, 1);
    jw_init(&b, 1);
    jw_obj(&a);
    jw_obj(&b);
#define BOTH(lit)                                                                                  \
    do {                                                                                           \
        jw_key(&a, lit);                                                                           \
        JW_KEY(&b, lit);                                                                           \
        jw_uint(&a, sizeof(lit));                                                                  \
        jw_uint(&b, sizeof(lit));                                                                  \
    } while (0)
    BOTH("x");
    BOTH("id");
    BOTH("url");
    BOTH("tags");
    BOTH("title");
    BOTH("snippet");
    BOTH("query_lang");
    BOTH("did_you_mean");
    BOTH("n_lang_facet");
    BOTH("shared_terms_");
    BOTH("a_longer_member_name");
    jw_key(&a, "o");
    JW_KEY(&b, "o");
    jw_obj(&a);
    jw_obj(&b);
    BOTH("in");
    jw_obj_end(&a);
    jw_obj_end(&b);
#undef BOTH
    jw_obj_end(&a);
    jw_obj_end(&b);
    size_t la = 0, lb = 0;
    char *ta = jw_take(&a, &la), *tb = jw_take(&b, &lb);
    CHECK(ta && tb && la == lb && strcmp(ta, tb) == 0);
    static const char head[] = "{\"x\":2,\"id\":3,\"url\":4,\"tags\":5,";
    CHECK(tb && strncmp(tb, head, strlen(head)) == 0);
    free(ta);
    free(tb);
    /* jw_member_raw writes what JW_KEY and jw_raw do, first in an
     * object, after another member and inside a nested one. */
    jw_init(&a, 1);
    jw_init(&b, 1);
    for (int k = 0; k < 2; k++) {
        jsonw *x = k ? &b : &a;
        jw_obj(x);
        for (int i = 0; i < 3; i++) {
            if (k) {
                jw_member_raw(x, "\"speaker\":", 10, "\"A\"", 3);
            } else {
                JW_KEY(x, "speaker");
                jw_raw(x, "\"A\"", 3);
            }
        }
        JW_KEY(x, "o");
        jw_obj(x);
        if (k)
            jw_member_raw(x, "\"tags\":", 7, "[1,2]", 5);
        else {
            JW_KEY(x, "tags");
            jw_raw(x, "[1,2]", 5);
        }
        jw_obj_end(x);
        jw_obj_end(x);
    }
    ta = jw_take(&a, &la);
    tb = jw_take(&b, &lb);
    CHECK(ta && tb && la == lb && strcmp(ta, tb) == 0);
    CHECK(
        tb &&
        strcmp(tb,
               "{\"speaker\":\"A\",\"speaker\":\"A\",\"speaker\":\"A\",\"o\":{\"tags\":[1,2]}}") ==
            0);
    free(ta);
    free(tb);
}

int main(void) {
    test_writer();
    test_quoted_keys();
    test_escape_sweep();
    test_double_sweep();
    test_members();
    if (failures) {
        fprintf(stderr, "%d checks failed\n", failures);
        return 1;
    }
    printf("test_jsonw: ok\n");
    return 0;
}
