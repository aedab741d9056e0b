/*
 * jsonw.c -- a streaming JSON writer into one growable buffer.
 *
 * Why not cJSON for output: a search answer is written once and never
 * edited, so building a tree of small allocations only to print it again
 * costs more than the search itself on a warm index.  This writer appends
 * straight to a buffer that grows by doubling; the buffer is then handed to
 * libmicrohttpd, which frees it after sending.  cJSON is still used to read
 * the stored records (jw_cjson copies a parsed value out).
 *
 * Commas: need_comma has one bit per nesting depth (up to 63), set once the
 * container at that depth holds an item.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "server.h"

void jw_init(jsonw *w, size_t cap) {
    memset(w, 0, sizeof *w);
    w->cap = cap < 64 ? 64 : cap;
    w->buf = malloc(w->cap);
    if (!w->buf) {
        w->oom = 1;
        w->cap = 0;
    }
}

void jw_free(jsonw *w) {
    free(w->buf);
    memset(w, 0, sizeof *w);
    w->oom = 1;
}

char *jw_take(jsonw *w, size_t *len) {
    char *b;
    if (w->oom) {
        jw_free(w);
        return NULL;
    }
    w->buf[w->len] = '\0';
    b = w->buf;
    *len = w->len;
    w->buf = NULL;
    w->len = w->cap = 0;
    w->oom = 1;
    return b;
}

/* Makes room for n more bytes plus the final NUL. */
static int reserve(jsonw *w, size_t n) {
    size_t cap;
    char *b;
    if (w->oom)
        return 0;
    if (w->len + n + 1 <= w->cap)
        return 1;
    cap = w->cap * 2;
    while (cap < w->len + n + 1)
        cap *= 2;
    b = realloc(w->buf, cap);
    if (!b) {
        w->oom = 1;
        return 0;
    }
    w->buf = b;
    w->cap = cap;
    return 1;
}

static void put(jsonw *w, const char *s, size_t n) {
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void putc1(jsonw *w, char c) {
    if (!reserve(w, 1))
        return;
    w->buf[w->len++] = c;
}

/* Before a value or a key: the comma, unless it follows a key. */
static void item(jsonw *w) {
    uint64_t bit = 1ull << (w->depth & 63);
    if (w->need_comma & bit)
        putc1(w, ',');
    w->need_comma |= bit;
}

static void open_(jsonw *w, char c) {
    item(w);
    putc1(w, c);
    w->depth++;
    w->need_comma &= ~(1ull << (w->depth & 63));
}

static void close_(jsonw *w, char c) {
    putc1(w, c);
    w->depth--;
}

void jw_obj(jsonw *w) {
    open_(w, '{');
}
void jw_obj_end(jsonw *w) {
    close_(w, '}');
}
void jw_arr(jsonw *w) {
    open_(w, '[');
}
void jw_arr_end(jsonw *w) {
    close_(w, ']');
}

static void escaped(jsonw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i, run = 0;
    putc1(w, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        put(w, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            put(w, u, 6);
            continue;
        }
        put(w, esc, 2);
    }
    put(w, s + run, n - run);
    putc1(w, '"');
}

void jw_key(jsonw *w, const char *key) {
    item(w);
    escaped(w, key, strlen(key));
    putc1(w, ':');
    /* the value that follows must not get a comma of its own */
    w->need_comma &= ~(1ull << (w->depth & 63));
}

void jw_strn(jsonw *w, const char *s, size_t n) {
    item(w);
    if (s)
        escaped(w, s, n);
    else
        put(w, "null", 4);
}

void jw_str(jsonw *w, const char *s) {
    jw_strn(w, s, s ? strlen(s) : 0);
}

void jw_int(jsonw *w, int64_t v) {
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);
    item(w);
    put(w, b, (size_t)n);
}

void jw_uint(jsonw *w, uint64_t v) {
    char b[24];
    int n = snprintf(b, sizeof b, "%llu", (unsigned long long)v);
    item(w);
    put(w, b, (size_t)n);
}

/* A number with at most `decimals` digits after the point, trailing zeros
 * dropped ("3.5", "12", "0.0042"); NaN and infinities write null. */
void jw_double(jsonw *w, double v, int decimals) {
    char b[64];
    int n;
    item(w);
    if (!isfinite(v)) {
        put(w, "null", 4);
        return;
    }
    n = snprintf(b, sizeof b, "%.*f", decimals, v);
    if (n <= 0 || (size_t)n >= sizeof b) {
        n = snprintf(b, sizeof b, "%.17g", v);
    } else if (decimals > 0) {
        while (n > 1 && b[n - 1] == '0')
            n--;
        if (b[n - 1] == '.')
            n--;
        if (n == 2 && b[0] == '-' && b[1] == '0')
            b[0] = '0', n = 1; /* no "-0" */
    }
    put(w, b, (size_t)n);
}

void jw_bool(jsonw *w, int v) {
    item(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(jsonw *w) {
    item(w);
    put(w, "null", 4);
}

void jw_raw(jsonw *w, const char *json, size_t n) {
    item(w);
    put(w, json, n);
}

void jw_cjson(jsonw *w, const cJSON *v) {
    const cJSON *c;
    if (!v || cJSON_IsNull(v)) {
        jw_null(w);
    } else if (cJSON_IsBool(v)) {
        jw_bool(w, cJSON_IsTrue(v));
    } else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(int64_t)d && fabs(d) < 9e15)
            jw_int(w, (int64_t)d);
        else
            jw_double(w, d, 6);
    } else if (cJSON_IsString(v)) {
        jw_str(w, v->valuestring);
    } else if (cJSON_IsArray(v)) {
        jw_arr(w);
        cJSON_ArrayForEach(c, v) jw_cjson(w, c);
        jw_arr_end(w);
    } else if (cJSON_IsObject(v)) {
        jw_obj(w);
        cJSON_ArrayForEach(c, v) {
            jw_key(w, c->string ? c->string : "");
            jw_cjson(w, c);
        }
        jw_obj_end(w);
    } else {
        jw_null(w);
    }
}
