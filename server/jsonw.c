/*
 * jsonw.c -- a streaming JSON writer into one growable buffer.
 *
 * Why not cJSON for output: a search answer is written once and never
 * edited, so building a tree of small allocations only to print it again
 * costs more than the search itself on a warm index.  This writer appends
 * straight to a buffer that grows by doubling; the buffer is then handed to
 * libmicrohttpd, which frees it after sending.
 *
 * Commas: need_comma has one bit per nesting depth (up to 63), set once the
 * container at that depth holds an item.
 *
 * jw_members reads the other way: it finds top-level members of a stored
 * record (speaker, tags, url ...) in one pass over the text without parsing
 * it into a tree, so that a result page copies them out as they are.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

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

/* reserve's growth: the buffer doubled until n more bytes and the NUL
 * fit (0 after oom). */
static int grow(jsonw *w, size_t n) {
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

/* Makes room for n more bytes plus the final NUL (inline: once or more
 * for every value written, and the room is mostly there). */
static inline int reserve(jsonw *w, size_t n) {
    if (!w->oom && w->len + n + 1 <= w->cap)
        return 1;
    return grow(w, n);
}

/* Inline: the copies are short (a number, a member's value) and many, a
 * call each cost about what the copy does. */
static inline void put(jsonw *w, const char *s, size_t n) {
    if (!reserve(w, n))
        return;
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static inline void putc1(jsonw *w, char c) {
    if (!reserve(w, 1))
        return;
    w->buf[w->len++] = c;
}

/* Before a value or a key: the comma, unless it follows a key. */
static inline void item(jsonw *w) {
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

/* Bytes that need escaping in a JSON string: controls, '"' and '\\'. */
static const unsigned char needs_escape[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,         1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ['"'] = 1, ['\\'] = 1,
};

/* The first byte of s[i..n) that needs escaping, or n.  Eight bytes at a
 * time (SWAR): a word with no control byte, no '"' and no '\\' is passed
 * whole; text (titles, snippets) mostly has none, so most words are. */
static size_t next_escape(const char *s, size_t i, size_t n) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, q, b;
        memcpy(&x, s + i, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        /* a byte below 0x20, or one equal to '"' or '\\' (zero after the
         * xor); "& ~x" keeps bytes below 0x80 only, where the subtractions
         * flag exactly: some byte is flagged iff one needs escaping */
        if ((((x - ones * 0x20) | (q - ones) | (b - ones)) & ~x & high) != 0)
            break;
    }
    while (i < n && !needs_escape[(unsigned char)s[i]])
        i++;
    return i;
}

static void escaped(jsonw *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    putc1(w, '"');
    while ((i = next_escape(s, i, n)) < n) {
        unsigned char c = (unsigned char)s[i];
        const char *esc;
        char u[6];
        put(w, s + run, i - run);
        run = ++i;
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
    /* Keys are mostly short names with nothing to escape: checked and
     * copied with their quotes and colon under one reserve. */
    size_t n = 0;
    while (n < 32 && key[n] && !needs_escape[(unsigned char)key[n]])
        n++;
    if (!key[n]) {
        if (reserve(w, n + 3)) {
            char *o = w->buf + w->len;
            o[0] = '"';
            memcpy(o + 1, key, n);
            o[n + 1] = '"';
            o[n + 2] = ':';
            w->len += n + 3;
        }
    } else {
        escaped(w, key, n + strlen(key + n));
        putc1(w, ':');
    }
    /* the value that follows must not get a comma of its own */
    w->need_comma &= ~(1ull << (w->depth & 63));
}

void jw_key_quoted(jsonw *w, const char *qkey, size_t qn) {
    item(w);
    if (reserve(w, qn)) {
        /* 4 to 16 bytes (a name of 1 to 13) as two fixed copies that
         * overlap: no call of memcpy for a few bytes */
        char *o = w->buf + w->len;
        if (qn >= 8 && qn <= 16) {
            memcpy(o, qkey, 8);
            memcpy(o + qn - 8, qkey + qn - 8, 8);
        } else if (qn >= 4 && qn < 8) {
            memcpy(o, qkey, 4);
            memcpy(o + qn - 4, qkey + qn - 4, 4);
        } else {
            memcpy(o, qkey, qn);
        }
        w->len += qn;
    }
    w->need_comma &= ~(1ull << (w->depth & 63));
}

void jw_strn(jsonw *w, const char *s, size_t n) {
    item(w);
    if (s)
        escaped(w, s, n);
    else
        put(w, "null", 4);
}

void jw_str_plain(jsonw *w, const char *s, size_t n) {
    item(w);
    if (!reserve(w, n + 2))
        return;
    char *o = w->buf + w->len;
    o[0] = '"';
    memcpy(o + 1, s, n);
    o[n + 1] = '"';
    w->len += n + 2;
}

void jw_str(jsonw *w, const char *s) {
    jw_strn(w, s, s ? strlen(s) : 0);
}

/* Decimal digits of v, written backwards ending at end; returns the start. */
static char *digits(char *end, uint64_t v) {
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

void jw_uint(jsonw *w, uint64_t v) {
    char b[24], *p = digits(b + sizeof b, v);
    item(w);
    put(w, p, (size_t)(b + sizeof b - p));
}

void jw_int(jsonw *w, int64_t v) {
    char b[24], *p = digits(b + sizeof b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    if (v < 0)
        *--p = '-';
    item(w);
    put(w, p, (size_t)(b + sizeof b - p));
}

/* jw_double's common case without printf (a score, a time: a tenth of
 * an answer's writing went to snprintf): v * 10^decimals rounded to an
 * integer, written with the point put back and trailing zeros dropped.
 * Below 1e8 the product is within 2.5e-8 of the exact one, so it rounds
 * as printf's exact decimal expansion does unless its fraction lies that
 * close to one half: those, and larger numbers, are left to snprintf
 * (returns 0). */
static int fixed(jsonw *w, double v, int decimals) {
    static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    if (decimals < 1 || decimals > 6) /* "%.0f" keeps "-0" */
        return 0;
    double r = fabs(v) * pow10[decimals];
    if (!(r < 1e8))
        return 0;
    double fl = floor(r), frac = r - fl;
    if (fabs(frac - 0.5) < 1e-7)
        return 0;
    uint64_t u = (uint64_t)fl + (frac > 0.5);
    char b[32], *end = b + sizeof b, *p;
    int d = decimals;
    while (d > 0 && u % 10 == 0) { /* trailing zeros of the fraction */
        u /= 10;
        d--;
    }
    p = end;
    for (int i = 0; i < d; i++) {
        *--p = (char)('0' + u % 10);
        u /= 10;
    }
    if (d > 0)
        *--p = '.';
    p = digits(p, u);
    /* No "-0": printf's "-0.0000" is written "0". */
    if (v < 0 && !(p[0] == '0' && p + 1 == end))
        *--p = '-';
    put(w, p, (size_t)(end - p));
    return 1;
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
    if (fixed(w, v, decimals))
        return;
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

void jw_member_raw(jsonw *w, const char *qkey, size_t qn, const char *json, size_t n) {
    item(w); /* the key's comma; the value takes none */
    if (!reserve(w, qn + n))
        return;
    char *o = w->buf + w->len;
    memcpy(o, qkey, qn);
    memcpy(o + qn, json, n);
    w->len += qn + n;
}

/* ---- Reading members of a JSON object -------------------------------- */

static const char *skip_ws(const char *p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Past the string starting at p (on its opening quote); NULL if open.
 * A quote ends it unless an odd run of backslashes escapes it: memchr
 * finds the quotes, so a long description is not walked byte by byte. */
static const char *skip_string(const char *p, const char *end) {
    const char *from = p + 1;
    while (from < end) {
        const char *q = memchr(from, '"', (size_t)(end - from));
        if (!q)
            return NULL;
        size_t bs = 0;
        while (q - bs > p + 1 && q[-1 - (ptrdiff_t)bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            return q + 1;
        from = q + 1;
    }
    return NULL;
}

/* Past the value starting at p; NULL when it is cut short. */
static const char *skip_value(const char *p, const char *end) {
    int depth = 0;
    if (p >= end)
        return NULL;
    if (*p != '"' && *p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
               *p != '\t' && *p != '\r')
            p++;
        return p;
    }
    do {
        if (*p == '"') {
            p = skip_string(p, end);
            if (!p)
                return NULL;
            continue;
        }
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        p++;
    } while (depth > 0 && p < end);
    return depth == 0 ? p : NULL;
}

int jw_members(const char *json, size_t n, const char *const *keys, size_t nkeys, jw_span *out) {
    const char *p = json, *end = json + n;
    size_t i, kl[JW_MAX_MEMBERS];
    if (nkeys > JW_MAX_MEMBERS)
        return -1;
    for (i = 0; i < nkeys; i++)
        out[i].p = NULL, out[i].len = 0, kl[i] = strlen(keys[i]);
    p = skip_ws(p, end);
    if (p >= end || *p != '{')
        return -1;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}')
        return 0;
    while (p < end) {
        const char *k, *v;
        size_t klen;
        if (*p != '"')
            return -1;
        k = p + 1;
        p = skip_string(p, end);
        if (!p)
            return -1;
        klen = (size_t)(p - 1 - k);
        p = skip_ws(p, end);
        if (p >= end || *p != ':')
            return -1;
        v = skip_ws(p + 1, end);
        p = skip_value(v, end);
        if (!p)
            return -1;
        for (i = 0; i < nkeys; i++) {
            if (!out[i].p && kl[i] == klen && memcmp(keys[i], k, klen) == 0) {
                out[i].p = v;
                out[i].len = (size_t)(p - v);
            }
        }
        p = skip_ws(p, end);
        if (p < end && *p == '}')
            return 0;
        if (p >= end || *p != ',')
            return -1;
        p = skip_ws(p + 1, end);
    }
    return -1;
}
