/* meta.c -- one string member of a lecture's stored meta, read straight
 * from its JSON text.
 *
 * The meta is compact JSON that record.c wrote (cJSON_PrintUnformatted of
 * the record less its body fields).  Snippets want only "description" of
 * every result shown: scanning the text for that one key costs far less
 * than building a cJSON tree of the whole record per hit.  A member that
 * is absent or not a string is reported as absent, as the tree would.
 */
#include <stdint.h>
#include <string.h>

#include "meta.h"

/* The first '"' or '\\' of p[0..end), or end: eight bytes at a time
 * (SWAR: a byte equal to c is a zero of x ^ c; "& ~x" keeps bytes below
 * 0x80, where the test is exact for "any"), so that a long description
 * is not walked byte by byte. */
static const char *quote_or_backslash(const char *p, const char *end) {
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    for (; end - p >= 8; p += 8) {
        uint64_t x, q, b;
        memcpy(&x, p, 8);
        q = x ^ (ones * '"');
        b = x ^ (ones * '\\');
        if ((((q - ones) | (b - ones)) & ~x & high) != 0)
            break;
    }
    while (p < end && *p != '"' && *p != '\\')
        p++;
    return p;
}

/* The closing quote of the JSON string starting at p (its opening quote),
 * or end when it has none. */
static const char *string_close(const char *p, const char *end) {
    for (p++; (p = quote_or_backslash(p, end)) < end; p += 2)
        if (*p == '"' || end - p < 2)
            return *p == '"' ? p : end;
    return end;
}

/* Past the JSON string starting at p. */
static const char *skip_string(const char *p, const char *end) {
    const char *q = string_close(p, end);
    return q < end ? q + 1 : end;
}

/* Past the JSON value starting at p. */
static const char *skip_value(const char *p, const char *end) {
    if (p < end && *p == '"')
        return skip_string(p, end);
    int depth = 0;
    for (; p < end; p++) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end) - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth-- == 0)
                return p; /* the end of the enclosing object */
            if (depth == 0)
                return p + 1;
        } else if (c == ',' && depth == 0) {
            return p;
        }
    }
    return end;
}

static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(const char *p, const char *end, uint32_t *v) {
    if (end - p < 4)
        return -1;
    uint32_t x = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        x <<= 4;
        if (c >= '0' && c <= '9')
            x |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            x |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            x |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *v = x;
    return 0;
}

/* Unescapes the JSON string at p (its opening quote) into out. */
static int unescape_string(const char *p, const char *end, lx_buf *out) {
    const char *e = string_close(p, end);
    out->n = 0;
    /* Unescaped text is never longer than escaped. */
    if (lx_buf_reserve(out, (size_t)(e - p) + 1))
        return LX_ENOMEM;
    char *o = (char *)out->p;
    size_t n = 0;
    for (p++; p < e; p++) {
        if (*p != '\\') {
            /* the run up to the next escape, copied at once */
            const char *r = memchr(p, '\\', (size_t)(e - p));
            size_t run = (size_t)((r ? r : e) - p);
            memcpy(o + n, p, run);
            n += run;
            p += run - 1;
            continue;
        }
        if (++p >= e)
            break;
        switch (*p) {
        case 'b':
            o[n++] = '\b';
            break;
        case 'f':
            o[n++] = '\f';
            break;
        case 'n':
            o[n++] = '\n';
            break;
        case 'r':
            o[n++] = '\r';
            break;
        case 't':
            o[n++] = '\t';
            break;
        case 'u': {
            uint32_t cp, lo;
            if (hex4(p + 1, e, &cp))
                break;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && p + 2 < e && p[1] == '\\' && p[2] == 'u' &&
                !hex4(p + 3, e, &lo) && lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else if (cp >= 0xD800 && cp < 0xE000) {
                cp = 0xFFFD; /* a lone surrogate */
            }
            n += put_utf8(o + n, cp);
            break;
        }
        default:
            o[n++] = *p; /* " \ / */
        }
    }
    o[n] = 0;
    out->n = n;
    return 0;
}

/* The value text of the top-level member key: *v at its first byte, *n
 * its length.  Returns 1 when found, else 0. */
static int member(const char *json, size_t len, const char *key, const char **v, size_t *n) {
    const char *p = json, *end = json + len;
    size_t klen = strlen(key);
    while (p < end && *p != '{')
        p++;
    if (p == end)
        return 0;
    p++;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\n' || *p == '\t' || *p == '\r'))
            p++;
        if (p >= end || *p != '"')
            return 0; /* '}' or not JSON we wrote */
        const char *k = p + 1, *ke = skip_string(p, end);
        p = ke;
        while (p < end && (*p == ' ' || *p == ':'))
            p++;
        const char *ve = skip_value(p, end);
        /* Keys we look up have no escapes: compare them as written. */
        if ((size_t)(ke - 1 - k) == klen && memcmp(k, key, klen) == 0) {
            *v = p;
            *n = (size_t)(ve - p);
            return 1;
        }
        p = ve;
    }
    return 0;
}

int lx_meta_string(const char *json, size_t len, const char *key, lx_buf *out) {
    const char *v;
    size_t n;
    if (!member(json, len, key, &v, &n) || !n || *v != '"')
        return 0;
    return unescape_string(v, v + n, out) ? LX_ENOMEM : 1;
}

int lx_meta_value(const char *json, size_t len, const char *key, const char **v, size_t *n) {
    return member(json, len, key, v, n);
}

void lx_meta_members(const char *json, size_t len, lx_member out[LX_NMEMBERS]) {
    static const char *const keys[LX_NMEMBERS] = {
        [LX_MEMBER_SPEAKER] = "speaker",   [LX_MEMBER_TAGS] = "tags",
        [LX_MEMBER_LANGUAGE] = "language", [LX_MEMBER_URL] = "url",
        [LX_MEMBER_DURATION] = "duration", [LX_MEMBER_DESCRIPTION] = "description"};
    for (int i = 0; i < LX_NMEMBERS; i++) {
        const char *v;
        size_t n;
        out[i].off = out[i].len = 0;
        if (member(json, len, keys[i], &v, &n) && n && n <= UINT32_MAX) {
            out[i].off = (uint32_t)(v - json);
            out[i].len = (uint32_t)n;
        }
    }
}

int lx_meta_string_at(const char *v, size_t n, lx_buf *out) {
    if (!n || *v != '"')
        return 0;
    return unescape_string(v, v + n, out) ? LX_ENOMEM : 1;
}
