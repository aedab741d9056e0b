/*
 * captions.c -- parses WebVTT and SRT caption files into timed segments.
 *
 * One parser serves both formats, because real files mix their habits
 * (SRT with dots, VTT without a blank line after the header, SRT with cue
 * settings).  The format is detected once: a file whose first non-blank
 * line starts with "WEBVTT" is WebVTT; a file whose first block has a
 * "-->" line in its first two lines is SRT; anything else is rejected as
 * having no WEBVTT header.  Empty or blank input is a valid file with no
 * cues.
 *
 * A cue is an optional identifier line, a timing line
 * "[hh:]mm:ss.ttt --> [hh:]mm:ss.ttt [settings]" (',' or '.' before the
 * fraction; the fraction may be missing), and text lines up to an empty
 * line.  Its text is cleaned line by line: tags (<v Name>, <i>, <c.x>,
 * <00:00:01.000>, </...>) and ASS overrides ({\an8}) removed, entities
 * decoded, whitespace collapsed, lines joined with one space.  Cues with no
 * text left are dropped.
 *
 * Rolling captions (YouTube auto-captions) repeat the previous cue's last
 * line as their first line; that line is dropped so each word is indexed
 * once and a snippet's start time is when the words are first spoken.  We
 * compare whole cleaned lines, not string prefixes, so that ordinary
 * one-line cues such as "I think" / "I think so" are left alone.
 *
 * Error detail: err->line is the 1-based line, err->offset the byte offset
 * in buf (for LX_EUTF8 the first invalid byte, for LX_ECAPTION the start
 * of the offending token or line); err->file is left to the caller.
 */
#include "lectern.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ---- Errors -------------------------------------------------------------- */

static int set_error(lx_error *err, int code, long line, long offset, const char *fmt, ...) {
    if (err) {
        va_list ap;
        err->code = code;
        err->line = line;
        err->field[0] = '\0';
        err->offset = offset;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Copies at most max bytes of s into out for quoting in a message, cut at
 * a character boundary so the message stays valid UTF-8. */
static void quote_token(const char *s, size_t len, size_t max, char *out, size_t size) {
    size_t n = len < max ? len : max;
    if (n >= size)
        n = size - 1;
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* ---- UTF-8 --------------------------------------------------------------- */

/* Validates all of buf before anything else, so that every later step can
 * assume whole characters and the error names the first bad byte. */
static int check_utf8(const char *buf, size_t len, lx_error *err) {
    size_t i = 0;
    long line = 1;
    while (i < len) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x80) {
            if (c == '\n' || (c == '\r' && (i + 1 >= len || buf[i + 1] != '\n')))
                line++;
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)buf + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0)
            return set_error(err, LX_EUTF8, line, (long)i, "invalid UTF-8 at byte %zu", i);
        i += (size_t)k;
    }
    return 0;
}

/* ---- Lines --------------------------------------------------------------- */

/* A cursor over the lines of buf.  Copying it is how we look ahead. */
typedef struct reader {
    const char *buf;
    size_t len;
    size_t pos;  /* start of the next line */
    long lineno; /* 1-based number of the next line */
} reader;

typedef struct line {
    const char *s; /* points into buf; not NUL-terminated */
    size_t len;    /* without the terminator */
    size_t off;    /* byte offset of s in buf */
    long no;       /* 1-based line number */
} line;

/* Reads the next line; "\n", "\r\n" and a lone "\r" all end a line. */
static int read_line(reader *r, line *ln) {
    size_t i = r->pos;
    if (i >= r->len)
        return 0;
    while (i < r->len && r->buf[i] != '\n' && r->buf[i] != '\r')
        i++;
    ln->s = r->buf + r->pos;
    ln->len = i - r->pos;
    ln->off = r->pos;
    ln->no = r->lineno;
    if (i < r->len)
        i += r->buf[i] == '\r' && i + 1 < r->len && r->buf[i + 1] == '\n' ? 2 : 1;
    r->pos = i;
    r->lineno++;
    return 1;
}

static int peek_line(const reader *r, line *ln) {
    reader copy = *r;
    return read_line(&copy, ln);
}

static int has_arrow(const line *ln) {
    for (size_t i = 0; i + 2 < ln->len; i++)
        if (ln->s[i] == '-' && ln->s[i + 1] == '-' && ln->s[i + 2] == '>')
            return 1;
    return 0;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

static int is_blank(const line *ln) {
    for (size_t i = 0; i < ln->len; i++)
        if (!is_space(ln->s[i]))
            return 0;
    return 1;
}

/* An SRT cue number: digits, maybe padded with spaces. */
static int is_number(const line *ln) {
    size_t i = 0, digits = 0;
    while (i < ln->len && is_space(ln->s[i]))
        i++;
    while (i < ln->len && is_digit(ln->s[i]))
        i++, digits++;
    while (i < ln->len && is_space(ln->s[i]))
        i++;
    return digits > 0 && i == ln->len;
}

/* Whether the line is keyword alone or followed by a space or tab, as the
 * WebVTT spec requires of "WEBVTT", "NOTE", "STYLE" and "REGION". */
static int starts_keyword(const line *ln, const char *kw) {
    size_t k = strlen(kw);
    if (ln->len < k || memcmp(ln->s, kw, k) != 0)
        return 0;
    return ln->len == k || ln->s[k] == ' ' || ln->s[k] == '\t';
}

/* Skips to the end of the current block.  A "-->" line also ends it
 * (comments may not contain one), so a cue missing its blank line
 * before it is not swallowed. */
static void skip_block(reader *r) {
    line ln;
    while (peek_line(r, &ln)) {
        if (has_arrow(&ln))
            return;
        read_line(r, &ln);
        if (ln.len == 0)
            return;
    }
}

/* ---- Timestamps ---------------------------------------------------------- */

/* Parses "[h:]mm:ss[.fff]" at s[*i], advancing *i.  The leading unit may
 * have any number of digits (hours past 99, minutes past 59 when there are
 * no hours); the others at most two and below 60.  Returns -1 when
 * malformed. */
static int parse_time(const char *s, size_t len, size_t *i, double *out) {
    unsigned long v[3];
    size_t nd[3], nv = 0, p = *i;
    for (;;) {
        size_t st = p;
        unsigned long x = 0;
        while (p < len && is_digit(s[p]) && p - st < 9)
            x = x * 10 + (unsigned long)(s[p++] - '0');
        if (p == st || (p < len && is_digit(s[p])))
            return -1;
        v[nv] = x;
        nd[nv++] = p - st;
        if (nv < 3 && p + 1 < len && s[p] == ':' && is_digit(s[p + 1])) {
            p++;
            continue;
        }
        break;
    }
    if (nv < 2)
        return -1;
    for (size_t k = 1; k < nv; k++)
        if (nd[k] > 2 || v[k] > 59)
            return -1;
    double t = nv == 3 ? (double)v[0] * 3600 + (double)v[1] * 60 + (double)v[2]
                       : (double)v[0] * 60 + (double)v[1];
    if (p < len && (s[p] == '.' || s[p] == ',')) {
        double scale = 0.1;
        size_t st = ++p;
        while (p < len && is_digit(s[p]) && p - st < 9) {
            t += (s[p++] - '0') * scale;
            scale /= 10;
        }
        if (p == st || (p < len && is_digit(s[p])))
            return -1;
    }
    *i = p;
    *out = t;
    return 0;
}

/* Length of the timestamp-like token at s: up to a space or "-->". */
static size_t token_len(const char *s, size_t len) {
    size_t e = 0;
    while (e < len && !is_space(s[e]) && !(e > 0 && e + 3 <= len && memcmp(s + e, "-->", 3) == 0))
        e++;
    return e;
}

/* Parses a timing line "start --> end [settings]". */
static int parse_timing(const line *ln, double *start, double *end, lx_error *err) {
    const char *s = ln->s;
    size_t len = ln->len, i = 0, t0, t1;
    char q0[48], q1[48];
    while (i < len && is_space(s[i]))
        i++;
    t0 = t1 = i;
    if (parse_time(s, len, &i, start) != 0 || (i < len && !is_space(s[i]) && s[i] != '-'))
        goto bad;
    while (i < len && is_space(s[i]))
        i++;
    if (i + 3 > len || memcmp(s + i, "-->", 3) != 0) {
        quote_token(s + i, token_len(s + i, len - i), 32, q1, sizeof q1);
        return set_error(err, LX_ECAPTION, ln->no, (long)(ln->off + i),
                         "expected \"-->\" after the start time, found \"%s\"", q1);
    }
    i += 3;
    while (i < len && is_space(s[i]))
        i++;
    t1 = i;
    if (parse_time(s, len, &i, end) != 0 || (i < len && !is_space(s[i])))
        goto bad;
    if (*end < *start) {
        quote_token(s + t0, token_len(s + t0, len - t0), 32, q0, sizeof q0);
        quote_token(s + t1, token_len(s + t1, len - t1), 32, q1, sizeof q1);
        return set_error(err, LX_ECAPTION, ln->no, (long)(ln->off + t1),
                         "cue ends (%s) before it starts (%s)", q1, q0);
    }
    return 0;
bad:
    quote_token(s + t1, token_len(s + t1, len - t1), 32, q1, sizeof q1);
    return set_error(err, LX_ECAPTION, ln->no, (long)(ln->off + t1),
                     "malformed timestamp \"%s\" (expected [hh:]mm:ss.ttt --> [hh:]mm:ss.ttt)", q1);
}

/* ---- Text cleaning ------------------------------------------------------- */

/* A growable byte buffer. */
typedef struct strbuf {
    char *p;
    size_t len, cap;
} strbuf;

static int sb_reserve(strbuf *b, size_t extra) {
    if (b->len + extra <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return LX_ENOMEM;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Appends cleaned text with whitespace collapsed: a run of spaces becomes
 * one, and only when a visible character follows. */
typedef struct cleaner {
    strbuf *out;
    int pending_space;
} cleaner;

static void emit(cleaner *c, const char *s, size_t n) {
    if (c->pending_space && c->out->len > 0)
        c->out->p[c->out->len++] = ' ';
    c->pending_space = 0;
    memcpy(c->out->p + c->out->len, s, n);
    c->out->len += n;
}

/* Decodes the entity at s (s[0] == '&') into c.  Returns bytes consumed,
 * or 0 when it is not an entity we know (the '&' is then literal). */
static size_t decode_entity(cleaner *c, const char *s, size_t len) {
    static const struct {
        const char *name;
        const char *text; /* NULL: whitespace; "": nothing */
    } named[] = {
        {"&amp;", "&"},
        {"&lt;", "<"},
        {"&gt;", ">"},
        {"&quot;", "\""},
        {"&apos;", "'"},
        {"&nbsp;", NULL},
        /* Direction marks only steer rendering; in indexed text they would
         * split or pollute words, so they decode to nothing. */
        {"&lrm;", ""},
        {"&rlm;", ""},
    };
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t n = strlen(named[k].name);
        if (len >= n && memcmp(s, named[k].name, n) == 0) {
            if (!named[k].text)
                c->pending_space = 1;
            else if (named[k].text[0])
                emit(c, named[k].text, strlen(named[k].text));
            return n;
        }
    }
    if (len >= 4 && s[1] == '#') {
        size_t i = 2;
        int hex = 0;
        long cp = 0;
        if (s[i] == 'x' || s[i] == 'X')
            hex = 1, i++;
        size_t st = i;
        while (i < len && i - st < 7) {
            char d = s[i];
            int v = is_digit(d)                   ? d - '0'
                    : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                    : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                  : -1;
            if (v < 0)
                break;
            cp = cp * (hex ? 16 : 10) + v;
            i++;
        }
        if (i == st || i >= len || s[i] != ';' || cp == 0 ||
            !utf8proc_codepoint_valid((utf8proc_int32_t)cp) || cp > 0x10FFFF)
            return 0;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp, enc);
        if (cp <= 0x20 || cp == 0xA0 || cp == 0x7F) /* controls and spaces collapse */
            c->pending_space = 1;
        else if (cp != 0x200E && cp != 0x200F)
            emit(c, (const char *)enc, (size_t)n);
        return i + 1;
    }
    return 0;
}

/* Appends one cleaned caption line to c->out.  The buffer must have room
 * for len + 1 more bytes: cleaning never grows text (every entity is at
 * least as long as what it decodes to) and adds at most one space. */
static void clean_line(cleaner *c, const char *s, size_t len) {
    size_t i = 0;
    /* Index of the next '>' and '}' at or after i (len: none), searched for
     * once and reused, so that a long line of '<' without '>' costs linear
     * time, not quadratic. */
    size_t gt = 0, rb = 0;
    int gt_known = 0, rb_known = 0;
    while (i < len) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '<' && i + 1 < len) {
            /* A tag: a letter, '/', '.' or digit (inline timestamp) after
             * '<' and a '>' on the same line.  Otherwise '<' is text, as
             * sloppy SRT writes "x < y". */
            char n = s[i + 1];
            if (!gt_known || gt < i) {
                const char *f = memchr(s + i, '>', len - i);
                gt = f ? (size_t)(f - s) : len;
                gt_known = 1;
            }
            if (gt < len && ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || n == '/' ||
                             n == '.' || is_digit(n))) {
                i = gt + 1;
                continue;
            }
        } else if (ch == '{' && i + 1 < len && s[i + 1] == '\\') {
            /* ASS/SSA override such as {\an8}, common in SRT. */
            if (!rb_known || rb < i) {
                const char *f = memchr(s + i, '}', len - i);
                rb = f ? (size_t)(f - s) : len;
                rb_known = 1;
            }
            if (rb < len) {
                i = rb + 1;
                continue;
            }
        } else if (ch == '&') {
            size_t n = decode_entity(c, s + i, len - i);
            if (n) {
                i += n;
                continue;
            }
        } else if (is_space((char)ch) || ch == '\0') {
            c->pending_space = 1;
            i++;
            continue;
        } else if (ch == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
            c->pending_space = 1; /* U+00A0 no-break space */
            i += 2;
            continue;
        }
        /* Copy one whole character (the input is valid UTF-8). */
        size_t n = ch < 0x80 ? 1 : ch < 0xE0 ? 2 : ch < 0xF0 ? 3 : 4;
        if (n > len - i)
            n = len - i;
        emit(c, s + i, n);
        i += n;
    }
}

/* ---- Cues ---------------------------------------------------------------- */

typedef struct parser {
    reader r;
    int vtt;         /* WebVTT rather than SRT */
    lx_segment *seg; /* the result, in file order until sorted */
    size_t n, cap;
    strbuf text;      /* the lines being cleaned */
    strbuf cue;       /* text of the open cue, not yet in seg */
    int cue_open;     /* a cue was parsed and not yet flushed */
    double cue_start; /* its times and timing line */
    double cue_end;
    long cue_line;
    strbuf prev; /* last line of the previous cue with text */
    lx_error *err;
} parser;

/* Whether ln ends the cue text before it: an empty line, a timing line, or
 * an SRT-style number right before a timing line (a missing blank line). */
static int ends_text(const reader *r, const line *ln) {
    if (ln->len == 0 || has_arrow(ln))
        return 1;
    if (is_number(ln)) {
        reader copy = *r;
        line cur, next;
        read_line(&copy, &cur);
        return read_line(&copy, &next) && has_arrow(&next);
    }
    return 0;
}

/* Reads and cleans the text lines of a cue (or of a stray SRT paragraph)
 * into p->text, starting with `first` when given.  Reports where the first
 * and last non-empty lines lie in the cleaned text. */
static int read_text(parser *p, const line *first, size_t *first_end, size_t *last_start) {
    cleaner c = {&p->text, 0};
    line ln;
    int have = first != NULL;
    if (have)
        ln = *first;
    p->text.len = 0;
    if (sb_reserve(&p->text, 1) != 0)
        return LX_ENOMEM;
    *first_end = 0;
    *last_start = 0;
    for (;;) {
        if (!have) {
            line next;
            if (!peek_line(&p->r, &next) || ends_text(&p->r, &next))
                break;
            read_line(&p->r, &ln);
        }
        have = 0;
        if (sb_reserve(&p->text, ln.len + 2) != 0)
            return LX_ENOMEM;
        size_t before = p->text.len;
        c.pending_space = before > 0;
        clean_line(&c, ln.s, ln.len);
        if (p->text.len > before) {
            size_t start = before > 0 ? before + 1 : 0; /* after the joining space */
            if (*first_end == 0)
                *first_end = p->text.len;
            *last_start = start;
        }
    }
    /* The blank line that ends the cue belongs to it. */
    if (peek_line(&p->r, &ln) && ln.len == 0)
        read_line(&p->r, &ln);
    p->text.p[p->text.len] = '\0';
    return 0;
}

/* Remembers the cue's last line for the rolling-caption check. */
static int remember_last(parser *p, size_t last_start) {
    size_t n = p->text.len - last_start;
    if (sb_reserve(&p->prev, n + 1) != 0)
        return LX_ENOMEM;
    memcpy(p->prev.p, p->text.p + last_start, n);
    p->prev.len = n;
    p->prev.p[n] = '\0';
    return 0;
}

/* Appends the cue being built (p->cue) to the result, if it has text.
 * A cue is kept open until the next one starts because SRT paragraphs
 * after a blank line still belong to it. */
static int flush_cue(parser *p) {
    if (!p->cue_open || p->cue.len == 0) {
        p->cue_open = 0;
        return 0;
    }
    p->cue_open = 0;
    if (p->n == p->cap) {
        if (p->n >= LX_MAX_SEGMENTS)
            return set_error(p->err, LX_ELIMIT, p->cue_line, -1, "more than %d cues",
                             LX_MAX_SEGMENTS);
        size_t cap = p->cap ? p->cap * 2 : 64;
        if (cap > LX_MAX_SEGMENTS)
            cap = LX_MAX_SEGMENTS;
        lx_segment *s = realloc(p->seg, cap * sizeof *s);
        if (!s)
            return set_error(p->err, LX_ENOMEM, p->cue_line, -1, "out of memory");
        p->seg = s;
        p->cap = cap;
    }
    char *t = malloc(p->cue.len + 1);
    if (!t)
        return set_error(p->err, LX_ENOMEM, p->cue_line, -1, "out of memory");
    memcpy(t, p->cue.p, p->cue.len);
    t[p->cue.len] = '\0';
    p->seg[p->n].start = p->cue_start;
    p->seg[p->n].end = p->cue_end;
    p->seg[p->n].text = t;
    p->n++;
    return 0;
}

/* Appends n bytes of cleaned text to the open cue, joined by a space. */
static int cue_append(parser *p, const char *t, size_t n) {
    if (n == 0)
        return 0;
    if (sb_reserve(&p->cue, n + 1) != 0)
        return LX_ENOMEM;
    if (p->cue.len > 0)
        p->cue.p[p->cue.len++] = ' ';
    memcpy(p->cue.p + p->cue.len, t, n);
    p->cue.len += n;
    return 0;
}

/* Parses one cue whose timing line is `timing` and leaves it open. */
static int parse_cue(parser *p, const line *timing) {
    double start, end;
    size_t first_end, last_start;
    int rc = flush_cue(p);
    if (rc == 0)
        rc = parse_timing(timing, &start, &end, p->err);
    if (rc)
        return rc;
    p->cue_open = 1;
    p->cue.len = 0;
    p->cue_start = start;
    p->cue_end = end;
    p->cue_line = timing->no;
    if (read_text(p, NULL, &first_end, &last_start) != 0)
        return set_error(p->err, LX_ENOMEM, timing->no, -1, "out of memory");
    if (p->text.len == 0)
        return 0; /* no text (yet): nothing to index */
    const char *t = p->text.p;
    size_t len = p->text.len;
    if (p->prev.len > 0 && first_end == p->prev.len && memcmp(t, p->prev.p, first_end) == 0) {
        /* Rolling caption: the first line repeats the previous cue's last. */
        size_t skip = first_end < len ? first_end + 1 : len;
        t += skip;
        len -= skip;
    }
    if (cue_append(p, t, len) != 0 || remember_last(p, last_start) != 0)
        return set_error(p->err, LX_ENOMEM, timing->no, -1, "out of memory");
    return 0;
}

/* Text after a blank line inside an SRT cue (hand-made files have such
 * paragraphs) belongs to the open cue; SRT has no other blocks. */
static int parse_paragraph(parser *p, const line *first) {
    size_t first_end, last_start;
    if (read_text(p, first, &first_end, &last_start) != 0 ||
        cue_append(p, p->text.p, p->text.len) != 0 ||
        (p->text.len > 0 && remember_last(p, last_start) != 0))
        return set_error(p->err, LX_ENOMEM, first->no, -1, "out of memory");
    return 0;
}

/* Detects the format and consumes the WebVTT header block.  Sets *empty
 * when there is nothing but blank lines. */
static int detect(parser *p, int *empty) {
    reader *r = &p->r;
    line ln, next;
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    while (peek_line(r, &ln) && is_blank(&ln))
        read_line(r, &ln);
    *empty = 0;
    if (!read_line(r, &ln)) {
        *empty = 1;
        return 0;
    }
    if (starts_keyword(&ln, "WEBVTT")) {
        p->vtt = 1;
        /* Header lines ("Kind: captions") run to the first empty line; a
         * timing line also ends them, for files that omit that line. */
        while (peek_line(r, &next) && !has_arrow(&next)) {
            read_line(r, &next);
            if (next.len == 0)
                break;
        }
        return 0;
    }
    if (has_arrow(&ln) || (peek_line(r, &next) && has_arrow(&next))) {
        r->pos = ln.off; /* re-read the first cue */
        r->lineno = ln.no;
        return 0;
    }
    return set_error(p->err, LX_ECAPTION, ln.no, (long)ln.off,
                     "missing WEBVTT header, and not SRT either (no timing line such as "
                     "\"00:00:01,000 --> 00:00:04,000\" in the first cue)");
}

static int parse_cues(parser *p) {
    line ln, timing;
    int rc;
    while (read_line(&p->r, &ln)) {
        if (is_blank(&ln))
            continue;
        if (p->vtt && (starts_keyword(&ln, "NOTE") || starts_keyword(&ln, "STYLE") ||
                       starts_keyword(&ln, "REGION"))) {
            skip_block(&p->r);
            continue;
        }
        if (has_arrow(&ln)) {
            timing = ln;
        } else if (peek_line(&p->r, &timing) && has_arrow(&timing)) {
            read_line(&p->r, &timing); /* ln was the cue identifier */
        } else if (!p->vtt && is_number(&ln)) {
            line bad = ln;
            if (peek_line(&p->r, &timing) && timing.len > 0)
                bad = timing;
            char q[32];
            quote_token(ln.s, ln.len, 16, q, sizeof q);
            return set_error(p->err, LX_ECAPTION, bad.no, (long)bad.off,
                             "cue %s has no timing line (expected \"00:00:01,000 --> "
                             "00:00:04,000\")",
                             q);
        } else if (!p->vtt && p->cue_open) {
            if ((rc = parse_paragraph(p, &ln)) != 0)
                return rc;
            continue;
        } else {
            /* WebVTT ignores a block that is not a cue (the spec says so). */
            skip_block(&p->r);
            continue;
        }
        if ((rc = parse_cue(p, &timing)) != 0)
            return rc;
    }
    return flush_cue(p);
}

/* Stable merge sort by start time: cues that start together keep their
 * file order, which is the order they are read in. */
static int sort_segments(lx_segment *a, size_t n) {
    size_t i;
    for (i = 1; i < n && a[i - 1].start <= a[i].start; i++)
        ;
    if (i >= n)
        return 0; /* already sorted: the usual case */
    lx_segment *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return LX_ENOMEM;
    lx_segment *src = a, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t l = lo, r = mid, k = lo;
            while (l < mid && r < hi)
                dst[k++] = src[r].start < src[l].start ? src[r++] : src[l++];
            while (l < mid)
                dst[k++] = src[l++];
            while (r < hi)
                dst[k++] = src[r++];
        }
        lx_segment *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(tmp);
    return 0;
}

void lx_segments_free(lx_segment *segs, size_t n) {
    if (!segs)
        return;
    for (size_t i = 0; i < n; i++)
        free(segs[i].text);
    free(segs);
}

int lx_captions_parse(const char *buf, size_t len, lx_segment **out, size_t *n, lx_error *err) {
    int rc, empty;
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!out || !n || (!buf && len > 0))
        return set_error(err, LX_EINVAL, 0, -1, "lx_captions_parse: NULL argument");
    if ((rc = check_utf8(buf, len, err)) != 0)
        return rc;
    parser p = {.r = {buf, len, 0, 1}, .err = err};
    rc = detect(&p, &empty);
    if (rc == 0 && !empty)
        rc = parse_cues(&p);
    if (rc == 0 && sort_segments(p.seg, p.n) != 0)
        rc = set_error(err, LX_ENOMEM, 0, -1, "out of memory");
    free(p.text.p);
    free(p.cue.p);
    free(p.prev.p);
    if (rc != 0 || p.n == 0) {
        lx_segments_free(p.seg, p.n);
        return rc;
    }
    *out = p.seg;
    *n = p.n;
    return 0;
}
