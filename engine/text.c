/* text.c -- turning UTF-8 text into tokens.
 *
 * A token is a maximal run of letters, combining marks and digits (Unicode
 * categories L*, M*, N*); everything else, apostrophes and hyphens
 * included, separates tokens.  Tokens are case-folded and NFC-composed with
 * utf8proc.  ASCII, by far the common case, takes a table-driven fast path
 * that never calls into utf8proc, and so do tokens whose only other
 * letters are Latin-1's lower-case ones (U+00E0..U+00FF but the division
 * sign: "müller", "été", "kärlek"), which are composed and case-folded as
 * they are: the headwords of the German, French, Finnish and Swedish
 * dictionaries, read when a query's language is detected, are mostly
 * such words.  Positions count tokens from 0.
 */
#include <string.h>
#include <utf8proc.h>

#include "error.h"
#include "text.h"

/* 1 for ASCII letters and digits. */
static unsigned char ascii_word[256];
/* ASCII lower-casing. */
static unsigned char ascii_lower[256];

static void tables_init(void) {
    static int done;
    if (__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        return;
    for (int c = 0; c < 256; c++) {
        ascii_lower[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
        ascii_word[c] = (unsigned char)((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                        (c >= '0' && c <= '9'));
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
}

static int is_word_cp(utf8proc_int32_t cp) {
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Cuts len back to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max) {
    if (len <= max)
        return len;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Normalises a token that holds non-ASCII code points into out. */
static size_t normalise_unicode(const char *tok, size_t len, char *out) {
    utf8proc_int32_t buf[LX_TOKEN_BUF];
    utf8proc_ssize_t n;
    for (;;) {
        n = utf8proc_decompose((const utf8proc_uint8_t *)tok, (utf8proc_ssize_t)len, buf,
                               LX_TOKEN_BUF,
                               UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
        if (n < 0 || n <= LX_TOKEN_BUF)
            break;
        /* Case folding expands some letters to three code points (U+0390,
         * U+FB03): fold less of the token, only LX_MAX_TERM_BYTES survive. */
        len = utf8_cut(tok, len, len / 2);
    }
    if (n < 0) {
        len = utf8_cut(tok, len, LX_MAX_TERM_BYTES);
        memcpy(out, tok, len);
        out[len] = 0;
        return len;
    }
    n = utf8proc_reencode(buf, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    if (n < 0) {
        memcpy(out, tok, len);
        out[len] = 0;
        return len;
    }
    size_t m = utf8_cut((const char *)buf, (size_t)n, LX_MAX_TERM_BYTES);
    memcpy(out, buf, m);
    out[m] = 0;
    return m;
}

size_t lx_text_strip_marks(char *tok, size_t len) {
    size_t i;
    for (i = 0; i < len; i++)
        if ((unsigned char)tok[i] >= 0x80)
            break;
    if (i == len)
        return len;
    utf8proc_int32_t buf[LX_TOKEN_BUF];
    utf8proc_ssize_t n = utf8proc_decompose(
        (const utf8proc_uint8_t *)tok, (utf8proc_ssize_t)len, buf, LX_MAX_TERM_BYTES * 2,
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (n <= 0 || n > LX_MAX_TERM_BYTES * 2)
        return len;
    n = utf8proc_reencode(buf, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
    if (n <= 0 || (size_t)n > len)
        return len;
    memcpy(tok, buf, (size_t)n);
    tok[n] = 0;
    return (size_t)n;
}

long lx_text_invalid_utf8(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0)
            return (long)i;
        i += (size_t)k;
    }
    return -1;
}

/* The scanner; stops after the token at position stop (UINT32_MAX: at
 * the end). */
/* The ASCII letters and digits among the 8 bytes of x, which have no high
 * bit: the high bit of each such byte (SWAR range tests; no byte's sum
 * carries into the next). */
static uint64_t word_bytes8(uint64_t x) {
    const uint64_t o = 0x0101010101010101ull;
    uint64_t l = x | o * 0x20; /* letters lower-cased */
    uint64_t alpha = (l + o * (0x80 - 'a')) & ~(l + o * (0x7F - 'z'));
    uint64_t digit = (x + o * (0x80 - '0')) & ~(x + o * (0x7F - '9'));
    return (alpha | digit) & o * 0x80;
}

/* Steps i over the ASCII tokens before position `from` eight bytes at a
 * time (the window scan of a snippet starts at the checkpoint before it,
 * some 30 words early), counting them into *pos; stops before the eight
 * bytes that hold a non-ASCII byte or token `from`'s first letter, and
 * never inside a token.  At i, no token continues from the byte before. */
static size_t skip_ascii_tokens(const unsigned char *s, size_t len, size_t i, uint32_t *pos,
                                uint32_t from) {
    const uint64_t high = 0x8080808080808080ull;
    size_t i0 = i;
    uint64_t prev = 0; /* bit 7: the byte before i is a word byte */
    while (len - i >= 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (x & high)
            break;
        uint64_t w = word_bytes8(x);
        uint64_t starts = w & ~(w << 8 | prev);
        uint32_t k = (uint32_t)(((starts >> 7) * 0x0101010101010101ull) >> 56);
        if (*pos + k >= from)
            break;
        *pos += k;
        i += 8;
        prev = w >> 56;
    }
    if (prev) { /* inside a token: back to its start, counted again there */
        while (i > i0 && ascii_word[s[i - 1]])
            i--;
        --*pos;
    }
    return i;
}

/* Where lx_text_spans puts the spans (scan's ctx when fn is NULL). */
struct spans_out {
    uint32_t *start, *end;
    uint32_t base;
};

/* The first position after pos that scan reports: bit p of want stands
 * for position from + p (LX_WANT_ALL: every one); UINT32_MAX when none is
 * left. */
static uint32_t next_wanted(uint64_t want, uint32_t from, uint32_t pos) {
    if (want == LX_WANT_ALL)
        return pos + 1;
    uint32_t off = pos + 1 - from;
    uint64_t rest = off < 64 ? want >> off : 0;
    return rest ? pos + 1 + (uint32_t)__builtin_ctzll(rest) : UINT32_MAX;
}

/* The tokens from position `from` on whose bit is set in want are
 * reported, the ASCII ones between them only counted (stepped over eight
 * bytes at a time): a snippet's window needs the spans of its hits, a
 * few of its up to 32 tokens. */
static int scan(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t stop,
                uint64_t want, int spans, lx_token_fn fn, void *ctx, uint32_t *next_pos,
                lx_error *err) {
    tables_init();
    const unsigned char *s = (const unsigned char *)text;
    char out[LX_TOKEN_BUF];
    uint32_t pos = pos0;
    if (!want)
        return 0;
    /* the next position reported: from's or a later one's */
    uint32_t next = from + (want == LX_WANT_ALL ? 0 : (uint32_t)__builtin_ctzll(want));
    size_t i = 0, retry = 0; /* skip_ascii_tokens again from a token start past retry */
    while (i < len) {
        if (pos < next && i >= retry) {
            i = skip_ascii_tokens(s, len, i, &pos, next);
            retry = i + 8;
            if (i >= len)
                break;
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            if (!ascii_word[c]) {
                i++;
                continue;
            }
        } else {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
            if (k <= 0)
                return lx_fail(err, LX_EUTF8, NULL, (long)i, "invalid UTF-8 byte 0x%02x", c);
            if (!is_word_cp(cp)) {
                i += (size_t)k;
                continue;
            }
        }
        /* A token starts at i: take the ASCII run, then continue if a
         * non-ASCII word character follows. */
        size_t start = i;
        int ascii = 1, latin = 0; /* ascii: no utf8proc needed; latin: 2-byte letters in it */
        while (i < len) {
            c = s[i];
            if (c < 0x80) {
                if (len - i >= 8) { /* eight ASCII bytes: to the first that ends the token */
                    uint64_t x;
                    memcpy(&x, s + i, 8);
                    if (!(x & 0x8080808080808080ull)) {
                        uint64_t ends = ~word_bytes8(x) & 0x8080808080808080ull;
                        if (ends) {
                            i += (size_t)__builtin_ctzll(ends) >> 3;
                            break;
                        }
                        i += 8;
                        continue;
                    }
                }
                if (!ascii_word[c])
                    break;
                i++;
            } else if (c == 0xC3 && i + 1 < len && s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF &&
                       s[i + 1] != 0xB7) {
                latin = 1;
                i += 2;
            } else {
                utf8proc_int32_t cp;
                utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &cp);
                if (k <= 0)
                    return lx_fail(err, LX_EUTF8, NULL, (long)i, "invalid UTF-8 byte 0x%02x", c);
                if (!is_word_cp(cp))
                    break;
                ascii = 0;
                i += (size_t)k;
            }
        }
        size_t n = i - start;
        size_t m;
        if (ascii && pos < next) {
            pos++; /* before the range or not wanted: counted, not reported */
            continue;
        }
        const char *tok = out;
        if (ascii) {
            m = !latin ? (n < LX_MAX_TERM_BYTES ? n : LX_MAX_TERM_BYTES)
                       : utf8_cut(text + start, n, LX_MAX_TERM_BYTES);
            if (spans) { /* never empty: only where it is asked for */
                tok = NULL;
            } else {
                for (size_t j = 0; j < m; j++)
                    out[j] = (char)ascii_lower[s[start + j]];
                out[m] = 0;
            }
        } else {
            m = normalise_unicode(text + start, utf8_cut(text + start, n, LX_MAX_TERM_BYTES * 2),
                                  out);
        }
        if (m) {
            if (pos >= next) {
                if (fn) {
                    fn(ctx, tok, m, start, i, pos);
                } else { /* lx_text_spans */
                    struct spans_out *so = ctx;
                    so->start[pos - from] = (uint32_t)start + so->base;
                    so->end[pos - from] = (uint32_t)i + so->base;
                }
                next = next_wanted(want, from, pos);
            }
            if (pos++ == stop || next == UINT32_MAX)
                break;
        }
    }
    if (next_pos)
        *next_pos = pos;
    return 0;
}

int lx_text_scan(const char *text, size_t len, uint32_t pos0, lx_token_fn fn, void *ctx,
                 uint32_t *next_pos, lx_error *err) {
    return scan(text, len, pos0, 0, UINT32_MAX, LX_WANT_ALL, 0, fn, ctx, next_pos, err);
}

int lx_text_scan_range(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                       lx_token_fn fn, void *ctx) {
    return scan(text, len, pos0, from, to, LX_WANT_ALL, 0, fn, ctx, NULL, NULL);
}

int lx_text_scan_spans(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                       uint64_t want, lx_token_fn fn, void *ctx) {
    return scan(text, len, pos0, from, to, want, 1, fn, ctx, NULL, NULL);
}

int lx_text_spans(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                  uint64_t want, uint32_t base, uint32_t *start, uint32_t *end) {
    struct spans_out so = {start, end, base};
    return scan(text, len, pos0, from, to, want, 1, NULL, &so, NULL, NULL);
}

int lx_tokenize(const char *text, size_t len, lx_token_fn fn, void *ctx, lx_error *err) {
    return lx_text_scan(text, len, 0, fn, ctx, NULL, err);
}

/* The bytes of x that may be one of & < > " ' : the high bit of each.
 * Exact per byte (SWAR on the low seven bits, where no sum carries into
 * the next byte): " # $ % & ' by one range test (0x22..0x27), < and > as
 * the bytes whose bit 1 set gives 0x3E; # $ % are checked in the table. */
static uint64_t html_special8(uint64_t x) {
    const uint64_t o = 0x0101010101010101ull, high = o * 0x80;
    uint64_t lo7 = x & ~high;
    uint64_t range = (lo7 + o * (0x80 - 0x22)) & ~(lo7 + o * (0x80 - 0x28));
    uint64_t y = (lo7 | o * 2) ^ (o * 0x3E);
    uint64_t angle = ~(y + o * 0x7F);
    return (range | angle) & ~x & high;
}

/* Each special byte's entity, its length first (0: not special); eight
 * bytes each, so that six can be copied whatever its length. */
static const char html_rep[256][8] = {
    ['&'] = "\5&amp;", ['<'] = "\4&lt;", ['>'] = "\4&gt;", ['"'] = "\6&quot;", ['\''] = "\5&#39;",
};

/* Escapes the byte at s[i] into out at n when it fits in cap; returns the
 * bytes written, 0 when it does not fit. */
static size_t html_byte(unsigned char c, char *out, size_t n, size_t cap) {
    const char *rep = html_rep[c];
    size_t k = rep[0] ? (size_t)rep[0] : 1;
    if (k > cap - n)
        return 0;
    if (rep[0])
        memcpy(out + n, rep + 1, k);
    else
        out[n] = (char)c;
    return k;
}

size_t lx_text_html_escape(const char *s, size_t len, char *out, size_t cap) {
    size_t n = 0, i = 0;
    /* Eight bytes at a time while the output has room for fourteen more
     * (seven plain bytes before a special, then six copied for its entity,
     * whatever its length): a chunk is stored whole and the part before
     * its first special counted. */
    while (len - i >= 8 && cap - n >= 14) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t m = html_special8(x);
        if (!m) {
            memcpy(out + n, &x, 8);
            n += 8;
            i += 8;
            continue;
        }
        size_t k = (size_t)__builtin_ctzll(m) >> 3;
        memcpy(out + n, &x, 8);
        n += k;
        i += k;
        const char *rep = html_rep[(unsigned char)s[i]];
        if (rep[0]) {
            memcpy(out + n, rep + 1, 6);
            n += (size_t)rep[0];
        } else {
            out[n++] = s[i];
        }
        i++;
    }
    /* The rest (under eight bytes, or near cap) byte by byte. */
    for (; i < len; i++) {
        size_t k = html_byte((unsigned char)s[i], out, n, cap);
        if (!k)
            break;
        n += k;
    }
    return n;
}

int lx_text_json_special(const char *s, size_t len) {
    /* Eight bytes at a time: a byte below 0x20 or equal to '\\' (zero
     * after the xor) makes a subtraction borrow into its high bit; "& ~x"
     * keeps bytes below 0x80, where the flag is exact for whether one is
     * there (a borrow comes only from a byte that is flagged itself). */
    const uint64_t o = 0x0101010101010101ull;
    uint64_t any = 0;
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        any |= ((x - o * 0x20) | ((x ^ o * '\\') - o)) & ~x;
    }
    for (; i < len; i++)
        any |= (uint64_t)((unsigned char)s[i] < 0x20 || s[i] == '\\') << 7;
    return (any & o * 0x80) != 0;
}
