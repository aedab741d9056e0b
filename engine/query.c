/* query.c -- the query parser: one pass over the bytes, no allocation.
 * See query.h for the language. */
#include <string.h>

#include "error.h"
#include "query.h"
#include "record.h"
#include "stop.h"

struct collect {
    lx_query *q;
    int overflow;
};

static void on_word(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct collect *c = ctx;
    (void)pos;
    if (c->q->nwords == LX_MAX_QUERY_TERMS) {
        c->overflow = 1;
        return;
    }
    lx_qword *w = &c->q->words[c->q->nwords++];
    memcpy(w->tok, tok, len);
    w->tok[len] = 0;
    w->len = len;
    w->start = s;
    w->end = e;
}

/* NUL separates too (the tokenizer's view), so a value never holds one. */
static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\0';
}

/* Adds the words of text[0..n) as one clause (a phrase when several). */
static int add_clause(lx_query *q, const char *text, size_t n, int phrase, int neg, int field,
                      int filter, size_t offset, lx_error *err) {
    struct collect c = {q, 0};
    int first = q->nwords;
    int rc = lx_text_scan(text, n, 0, on_word, &c, NULL, err);
    if (rc) {
        if (err && err->offset >= 0)
            err->offset += (long)offset;
        return rc;
    }
    if (c.overflow)
        return q->too_long = 1, lx_fail(err, LX_ELIMIT, NULL, (long)offset,
                                        "more than %d terms in the query", LX_MAX_QUERY_TERMS);
    int nw = q->nwords - first;
    if (nw == 0)
        return 0;
    for (int k = first; k < q->nwords; k++) {
        q->words[k].start += offset;
        q->words[k].end += offset;
    }
    if (nw > LX_MAX_PHRASE_WORDS && (phrase || nw > 1))
        return q->too_long = 1, lx_fail(err, LX_ELIMIT, NULL, (long)offset,
                                        "phrase of more than %d words", LX_MAX_PHRASE_WORDS);
    if (q->nclauses == LX_MAX_QUERY_TERMS)
        return q->too_long = 1, lx_fail(err, LX_ELIMIT, NULL, (long)offset,
                                        "more than %d terms in the query", LX_MAX_QUERY_TERMS);
    if (!phrase && !neg && !filter && nw > 1) {
        /* A bare chunk that splits ("two-dimensional", "covid-19"): its
         * words rank as separate terms, as if typed apart (measured better
         * than a strict phrase on Cranfield).  Excluded, it stays a phrase:
         * -covid-19 must not drop every lecture that says "19". */
        for (int k = 0; k < nw; k++) {
            if (q->nclauses == LX_MAX_QUERY_TERMS)
                return q->too_long = 1,
                       lx_fail(err, LX_ELIMIT, NULL, (long)offset,
                               "more than %d terms in the query", LX_MAX_QUERY_TERMS);
            lx_qclause *c = &q->clauses[q->nclauses++];
            c->kind = LX_QC_WORD;
            c->neg = neg;
            c->filter = filter;
            c->field = field;
            c->first = first + k;
            c->n = 1;
            c->offset = q->words[first + k].start;
            c->end = q->words[first + k].end;
        }
        return 0;
    }
    lx_qclause *cl = &q->clauses[q->nclauses++];
    cl->kind = nw > 1 ? LX_QC_PHRASE : LX_QC_WORD;
    cl->neg = neg;
    cl->filter = filter;
    cl->field = field;
    cl->first = first;
    cl->n = nw;
    cl->offset = nw == 1 ? q->words[first].start : offset;
    cl->end = nw == 1 ? q->words[first].end : offset + n;
    return 0;
}

/* Reads the value at s[*i]: a quoted phrase (quotes stripped) or a bare
 * chunk up to a space or quote.  Moves *i past it. */
static int read_value(const char *s, size_t len, size_t *i, const char **v, size_t *vn,
                      size_t *voff, int *quoted, lx_error *err) {
    size_t at = *i;
    *quoted = s[at] == '"';
    if (*quoted) {
        size_t close = at + 1;
        while (close < len && s[close] != '"')
            close++;
        if (close >= len)
            return lx_fail(err, LX_EQUERY, NULL, (long)at,
                           "unterminated quote: add the closing \"");
        *v = s + at + 1;
        *vn = close - at - 1;
        *voff = at + 1;
        *i = close + 1;
        return 0;
    }
    size_t e = at;
    while (e < len && !is_space(s[e]) && s[e] != '"')
        e++;
    *v = s + at;
    *vn = e - at;
    *voff = at;
    *i = e;
    return 0;
}

int lx_query_parse(const char *s, size_t len, lx_query *q, lx_error *err) {
    q->nwords = q->nclauses = q->ntags = q->nlangs = q->too_long = 0;
    if (len > LX_MAX_QUERY_BYTES)
        return q->too_long = 1,
               lx_fail(err, LX_ELIMIT, NULL, LX_MAX_QUERY_BYTES,
                       "query is %zu bytes, the limit is %d", len, LX_MAX_QUERY_BYTES);
    long bad = lx_text_invalid_utf8(s, len);
    if (bad >= 0)
        return lx_fail(err, LX_EUTF8, NULL, bad, "invalid UTF-8 in query");
    size_t i = 0;
    while (i < len) {
        while (i < len && is_space(s[i]))
            i++;
        if (i >= len)
            break;
        size_t start = i;
        int neg = 0;
        if (s[i] == '-' || s[i] == '+') {
            neg = s[i] == '-';
            i++;
            if (i >= len || is_space(s[i]))
                continue; /* a lone sign means nothing */
        }
        /* field:value */
        int field = -2; /* none */
        size_t j = i;
        while (j < len && !is_space(s[j]) && s[j] != ':' && s[j] != '"')
            j++;
        if (j < len && s[j] == ':' && j > i) {
            size_t fl = j - i;
            if ((fl == 3 && !strncmp(s + i, "tag", 3)) || (fl == 4 && !strncmp(s + i, "tags", 4)))
                field = LX_F_TAGS;
            else if ((fl == 4 && !strncmp(s + i, "lang", 4)) ||
                     (fl == 8 && !strncmp(s + i, "language", 8)))
                field = -3;
            else if (fl == 7 && !strncmp(s + i, "speaker", 7))
                field = LX_F_SPEAKER;
            if (field != -2) {
                i = j + 1;
                if (i >= len || is_space(s[i]))
                    return lx_fail(err, LX_EQUERY, NULL, (long)start,
                                   "%.*s: needs a value (e.g. %.*s:gender)", (int)fl, s + start,
                                   (int)fl, s + start);
            }
        }
        /* The value: a quoted phrase or a bare chunk. */
        const char *v;
        size_t vn, voff;
        int quoted, rc;
        if ((rc = read_value(s, len, &i, &v, &vn, &voff, &quoted, err)))
            return rc;
        if (!quoted && !neg && field == -2 && vn == 2 && !strncmp(v, "OR", 2))
            continue;
        if (!quoted && !neg && field == -2 && vn == 3 && !strncmp(v, "AND", 3))
            continue;
        if (!quoted && field == -2 && vn == 3 && !strncmp(v, "NOT", 3)) {
            /* NOT applies to what follows. */
            while (i < len && is_space(s[i]))
                i++;
            if (i >= len)
                return lx_fail(err, LX_EQUERY, NULL, (long)start, "NOT needs a term after it");
            if ((rc = read_value(s, len, &i, &v, &vn, &voff, &quoted, err)) ||
                (rc = add_clause(q, v, vn, quoted, 1, -1, 0, voff, err)))
                return rc;
            continue;
        }
        if (field == LX_F_TAGS) {
            if (q->ntags == LX_MAX_QUERY_TERMS)
                return lx_fail(err, LX_ELIMIT, NULL, (long)start, "too many tag filters");
            if (neg)
                return lx_fail(err, LX_EQUERY, NULL, (long)start,
                               "-tag: is not supported; filter with tag:x");
            if (vn > LX_MAX_TAG_BYTES)
                return lx_fail(err, LX_ELIMIT, NULL, (long)start, "tag longer than %d bytes",
                               LX_MAX_TAG_BYTES);
            if (!lx_tag_normalise(v, vn, q->tags[q->ntags], sizeof q->tags[0]))
                return lx_fail(err, LX_EQUERY, NULL, (long)start, "tag: needs a value");
            q->ntags++;
        } else if (field == -3) {
            char code[LX_LANG_BYTES];
            char tmp[LX_LANG_BYTES + 1];
            if (vn >= sizeof tmp || neg)
                return lx_fail(err, LX_EQUERY, NULL, (long)voff,
                               "lang: needs a language code such as fi");
            memcpy(tmp, v, vn);
            tmp[vn] = 0;
            if (lx_language_lookup(tmp, code) < 0)
                return lx_fail(err, LX_EQUERY, NULL, (long)voff,
                               "lang: needs a language code such as fi");
            if (q->nlangs == LX_MAX_QUERY_TERMS)
                return lx_fail(err, LX_ELIMIT, NULL, (long)start, "too many lang: filters");
            memcpy(q->langs[q->nlangs++], code, sizeof code);
        } else if (field == LX_F_SPEAKER) {
            if ((rc = add_clause(q, v, vn, 1, neg, LX_F_SPEAKER, 1, voff, err)))
                return rc;
        } else {
            if (field == -2 && !quoted) {
                /* An unknown prefix: read the whole chunk as words. */
                v = s + (neg ? start + 1 : start);
                vn = i - (size_t)(v - s);
                voff = (size_t)(v - s);
            }
            if ((rc = add_clause(q, v, vn, quoted, neg, -1, 0, voff, err)))
                return rc;
        }
    }
    return 0;
}

/* ---- contractions (query.h) ---- */

/* The bytes of an apostrophe (' or U+2019) at qs[at], or 0. */
static size_t apostrophe(const char *qs, size_t at, size_t n) {
    if (at < n && qs[at] == '\'')
        return 1;
    if (at + 2 < n && !memcmp(qs + at, "\xe2\x80\x99", 3))
        return 3;
    return 0;
}

/* The word clause after ci that an apostrophe joins to it ("doesn" "t"),
 * or -1. */
static int joined_next(const lx_query *q, const char *qs, int ci) {
    if (!qs || ci + 1 >= q->nclauses)
        return -1;
    const lx_qclause *a = &q->clauses[ci], *b = &q->clauses[ci + 1];
    if (a->kind != LX_QC_WORD || b->kind != LX_QC_WORD || a->neg || b->neg || a->filter ||
        b->filter || a->n != 1 || b->n != 1)
        return -1;
    const lx_qword *w = &q->words[a->first], *c = &q->words[b->first];
    size_t ap = apostrophe(qs, w->end, strlen(qs));
    return ap && c->start == w->end + ap ? ci + 1 : -1;
}

int lx_query_clitic(const lx_query *q, const char *qs, int ci, const char *lang) {
    for (int k = ci - 1; k <= ci; k++) {
        if (k < 0 || joined_next(q, qs, k) < 0)
            continue;
        const lx_qword *w = &q->words[q->clauses[k].first], *c = &q->words[q->clauses[k + 1].first];
        char both[2 * LX_TOKEN_BUF];
        memcpy(both, w->tok, w->len);
        both[w->len] = '\'';
        memcpy(both + w->len + 1, c->tok, c->len);
        if (lx_stopword(lang, both, w->len + 1 + c->len))
            return 1;
        if (k + 1 == ci && c->len == 1 && c->tok[0] == 's' && !strcmp(lang, "en"))
            return 1;
    }
    return 0;
}
