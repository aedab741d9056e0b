/* record.c -- the lecture record: what a valid one is, what of it is
 * indexed, and how it is stored and given back.
 *
 * Required: "id" (non-empty string, at most LX_MAX_ID_BYTES, no control
 * characters) and "title" (a string; real collections hold a few empty ones).  Optional,
 * type-checked: description, speaker, institution, url, date (ISO 8601: YYYY, YYYY-MM or
 * YYYY-MM-DD), transcript (strings), language (lx_language_lookup; default "en"), tags (array of
 * strings), duration (number >= 0), segments (array of {start, end, text}, 0 <= start <= end).
 * Every other field is kept and given back unchanged; no field may appear twice.  When both
 * "segments" and "transcript" are given, the segments are indexed (they carry the timing) and
 * "transcript" is dropped, with a warning (unless "segments" is empty: then it is dropped).
 * Warnings (the record is taken, a person should look) collect in lx_record.warning.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "error.h"
#include "meta.h"
#include "record.h"
#include "text.h"
#include "zdict.h"

void lx_record_free(lx_record *r) {
    if (r->root)
        cJSON_Delete(r->root);
    free(r->meta);
    free(r->body);
    free(r->segs);
    lx_buf_free(&r->cps);
    lx_buf_free(&r->zbody);
    memset(r, 0, offsetof(lx_record, tagkey));
}

size_t lx_tag_normalise(const char *tag, size_t len, char *out, size_t cap) {
    utf8proc_uint8_t *folded = NULL;
    utf8proc_ssize_t n = utf8proc_map((const utf8proc_uint8_t *)tag, (utf8proc_ssize_t)len, &folded,
                                      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
    size_t o = 0;
    if (n < 0)
        return 0;
    int space = 0;
    for (utf8proc_ssize_t i = 0; i < n && o + 1 < cap; i++) {
        unsigned char c = folded[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0) {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < cap)
            out[o++] = ' ';
        space = 0;
        out[o++] = (char)c;
    }
    /* Never end inside a UTF-8 sequence when cut by cap. */
    while (o > 0 && ((unsigned char)out[o - 1] & 0xC0) == 0x80 && o + 1 >= cap)
        o--;
    out[o] = 0;
    free(folded);
    return o;
}

static int field_err(lx_error *err, int code, const char *field, const char *fmt, const char *a) {
    return lx_fail(err, code, field, -1, fmt, a);
}

/* A text field: absent is fine, else a string within the size limit. */
static int get_text(cJSON *root, const char *name, const char **s, size_t *n, lx_error *err) {
    cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);
    *s = NULL;
    *n = 0;
    if (!it || cJSON_IsNull(it))
        return 0;
    if (!cJSON_IsString(it))
        return field_err(err, LX_ERECORD, name, "must be a string%s", "");
    *s = it->valuestring;
    *n = strlen(*s);
    if (*n > LX_MAX_FIELD_BYTES)
        return lx_fail(err, LX_ELIMIT, name, -1, "is %zu bytes, the limit is %u", *n,
                       LX_MAX_FIELD_BYTES);
    return 0;
}

static int parse_segments(cJSON *arr, lx_record *r, lx_error *err) {
    int n = cJSON_GetArraySize(arr);
    if (n > LX_MAX_SEGMENTS)
        return lx_fail(err, LX_ELIMIT, "segments", -1, "has %d segments, the limit is %d", n,
                       LX_MAX_SEGMENTS);
    lx_buf body = {0};
    r->segs = calloc(n ? (size_t)n : 1, sizeof *r->segs);
    if (!r->segs)
        return LX_ENOMEM;
    int i = 0, rc = 0;
    char fname[64];
    cJSON *s;
    double prev_start = 0;
    cJSON_ArrayForEach(s, arr) {
        snprintf(fname, sizeof fname, "segments[%d]", i);
        cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "start");
        cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "end");
        cJSON *tx = cJSON_GetObjectItemCaseSensitive(s, "text");
        if (!cJSON_IsObject(s)) {
            rc = lx_fail(err, LX_ERECORD, fname, -1, "must be an object {start, end, text}");
            break;
        }
        if (!cJSON_IsNumber(st) || !isfinite(st->valuedouble) || st->valuedouble < 0) {
            snprintf(fname, sizeof fname, "segments[%d].start", i);
            rc = lx_fail(err, LX_ERECORD, fname, -1, "must be a number of seconds >= 0");
            break;
        }
        if (en && !cJSON_IsNull(en) &&
            (!cJSON_IsNumber(en) || !isfinite(en->valuedouble) ||
             en->valuedouble < st->valuedouble)) {
            snprintf(fname, sizeof fname, "segments[%d].end", i);
            rc = lx_fail(err, LX_ERECORD, fname, -1, "must be a number >= start (%g)",
                         st->valuedouble);
            break;
        }
        if (!cJSON_IsString(tx)) {
            snprintf(fname, sizeof fname, "segments[%d].text", i);
            rc = lx_fail(err, LX_ERECORD, fname, -1, "must be a string");
            break;
        }
        (void)prev_start;
        prev_start = st->valuedouble;
        size_t tl = strlen(tx->valuestring);
        if (body.n && (rc = lx_buf_append(&body, " ", 1)))
            break;
        r->segs[i].start = st->valuedouble;
        r->segs[i].end = cJSON_IsNumber(en) ? en->valuedouble : st->valuedouble;
        r->segs[i].off = (uint32_t)body.n;
        r->segs[i].len = (uint32_t)tl;
        if ((rc = lx_buf_append(&body, tx->valuestring, tl)))
            break;
        if (body.n > LX_MAX_FIELD_BYTES) {
            rc = lx_fail(err, LX_ELIMIT, "segments", -1, "text exceeds %u bytes",
                         LX_MAX_FIELD_BYTES);
            break;
        }
        i++;
    }
    if (rc) {
        lx_buf_free(&body);
        return rc;
    }
    if (lx_buf_append(&body, "", 1)) {
        lx_buf_free(&body);
        return LX_ENOMEM;
    }
    r->body = (char *)body.p;
    r->body_len = body.n - 1;
    r->nseg = (uint32_t)i;
    r->flags = LX_DOC_BODY_SEGMENTS;
    return 0;
}

static int cmp_key(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A NUL inside a string of the record, written \u0000 or as a raw byte,
 * ends cJSON's C string there: {"id":"zz\u0000b"} would silently become
 * the id "zz" and replace that lecture.  Finds the first such NUL in text
 * cJSON has accepted; *field gets the top-level member it is in (raw, as
 * written).  Returns its byte offset, or -1. */
static long find_nul(const char *json, size_t len, char *field, size_t fsize) {
    int depth = 0, in_str = 0, is_key = 0, want_key = 0;
    size_t i, key_at = 0, key_len = 0; /* the current top-level member's name */
    for (i = 0; i < len; i++) {
        char c = json[i];
        if (in_str) {
            if (c == 0 || (c == '\\' && i + 5 < len && json[i + 1] == 'u' &&
                           memcmp(json + i + 2, "0000", 4) == 0)) {
                if (is_key)
                    key_len = i - key_at;
                size_t n = key_len < fsize - 1 ? key_len : fsize - 1;
                memcpy(field, json + key_at, n);
                field[n] = '\0';
                return (long)i;
            }
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                in_str = 0;
                if (is_key)
                    key_len = i - key_at;
            }
        } else if (c == '"') {
            in_str = 1;
            is_key = want_key;
            want_key = 0;
            if (is_key)
                key_at = i + 1, key_len = 0;
        } else if (c == '{' || c == '[') {
            depth++;
            want_key = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            depth--;
        } else if (c == ',' && depth == 1) {
            want_key = 1;
        }
    }
    return -1;
}

/* A field given twice is refused: the first would be indexed and both
 * stored, and a reader that keeps the last (JavaScript) would see another
 * id or title than the one searched. */
static int check_unique_keys(cJSON *root, lx_error *err) {
    const char *few[16], **keys = few;
    size_t n = 0, cap = 16;
    const char *dup = NULL;
    int rc = 0;
    for (cJSON *it = root->child; it; it = it->next) {
        if (n == cap) {
            const char **k = malloc(2 * cap * sizeof *k);
            if (!k) {
                rc = LX_ENOMEM;
                goto out;
            }
            memcpy(k, keys, n * sizeof *k);
            if (keys != few)
                free(keys);
            keys = k;
            cap *= 2;
        }
        keys[n++] = it->string ? it->string : "";
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t i = 1; i < n && !dup; i++)
        if (strcmp(keys[i - 1], keys[i]) == 0)
            dup = keys[i];
    if (dup)
        rc = lx_fail(err, LX_ERECORD, dup, -1, "appears twice in the record");
out:
    if (keys != few)
        free(keys);
    return rc;
}

/* ---- warnings: the record is taken, but a person should look ---------- */

/* Appends "field: message" to r->warning ("; " between two). */
static void record_warn(lx_record *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void record_warn(lx_record *r, const char *field, const char *fmt, ...) {
    size_t n = strlen(r->warning), cap = sizeof r->warning;
    if (n + 1 >= cap)
        return;
    n += (size_t)snprintf(r->warning + n, cap - n, "%s%s: ", n ? "; " : "", field);
    if (n + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->warning + n, cap - n, fmt, ap);
    va_end(ap);
}

/* "language": absent means "en"; otherwise lx_language_lookup decides.  A
 * name or a 639-2/3 code is stored as its 639-1 code (the record too, so
 * that what GET returns is what lang= filters by), with a warning. */
static int parse_language(cJSON *root, lx_record *r, lx_error *err) {
    cJSON *lang = cJSON_GetObjectItemCaseSensitive(root, "language");
    char code[3];
    if (!lang || cJSON_IsNull(lang)) {
        strcpy(r->f.lang, "en");
        return 0;
    }
    if (!cJSON_IsString(lang))
        return lx_fail(err, LX_ERECORD, "language", -1,
                       "must be an ISO 639-1 language code such as \"en\" or \"fi\"");
    int rc = lx_language_lookup(lang->valuestring, code);
    if (rc < 0)
        return lx_fail(err, LX_ERECORD, "language", -1,
                       "\"%.40s\" is not a language: use an ISO 639-1 code such as \"en\" or "
                       "\"fi\"",
                       lang->valuestring);
    memcpy(r->f.lang, code, sizeof code);
    if (rc == LX_LANG_MAPPED) {
        record_warn(r, "language", "\"%.40s\" stored as its ISO 639-1 code \"%s\"",
                    lang->valuestring, code);
        cJSON *c = cJSON_CreateString(code);
        if (!c || !cJSON_ReplaceItemInObjectCaseSensitive(root, "language", c)) {
            cJSON_Delete(c);
            return LX_ENOMEM;
        }
    }
    return 0;
}

/* "date" is ISO 8601, a calendar date to the precision known: YYYY,
 * YYYY-MM or YYYY-MM-DD (a real day of that month). */
static int check_date(const char *s, lx_error *err) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t n = strlen(s);
    int ok = n == 4 || n == 7 || n == 10;
    for (size_t i = 0; ok && i < n; i++)
        ok = i == 4 || i == 7 ? s[i] == '-' : s[i] >= '0' && s[i] <= '9';
    int y = ok ? atoi(s) : 0, m = ok && n >= 7 ? atoi(s + 5) : 1,
        d = ok && n == 10 ? atoi(s + 8) : 1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (ok)
        ok = m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] && (m != 2 || d <= 28 + leap);
    if (!ok)
        return lx_fail(err, LX_ERECORD, "date", -1,
                       "\"%.40s\" is not an ISO 8601 date: use YYYY, YYYY-MM or YYYY-MM-DD", s);
    return 0;
}

/* Captions that run past the lecture's end mean one of the two is wrong
 * (another lecture's captions, a duration in minutes).  A second of slack
 * is allowed: durations are often rounded down to whole seconds. */
static void warn_cues_past_end(lx_record *r, double duration) {
    for (uint32_t i = 0; i < r->nseg; i++) {
        double t = r->segs[i].end > r->segs[i].start ? r->segs[i].end : r->segs[i].start;
        if (t > duration + 1.0) {
            char fname[64];
            snprintf(fname, sizeof fname, "segments[%u]", i);
            record_warn(r, fname, "ends at %g s, after the lecture's duration (%g s)", t, duration);
            return;
        }
    }
}

/* Segments and a plain transcript are two copies of the same words: the
 * segments are indexed (they carry the timing) and the transcript is
 * dropped, neither indexed nor stored, so that what is returned is what
 * is searched. */
static void drop_transcript(cJSON *root, lx_record *r) {
    record_warn(r, "transcript",
                "ignored: the lecture has timed segments, which are indexed instead");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "transcript");
}

/* The JSON itself: within the size limit, valid UTF-8, one object and
 * nothing after it but whitespace.  Sets r->root (freed by the caller on
 * error) and *end, where the object ends. */
static int parse_object(const char *json, size_t len, lx_record *r, const char **end,
                        lx_error *err) {
    if (len > LX_MAX_RECORD_BYTES)
        return lx_fail(err, LX_ELIMIT, NULL, -1, "record is %zu bytes, the limit is %u", len,
                       LX_MAX_RECORD_BYTES);
    long bad = lx_text_invalid_utf8(json, len);
    if (bad >= 0)
        return lx_fail(err, LX_EUTF8, NULL, bad, "invalid UTF-8 byte 0x%02x",
                       (unsigned char)json[bad]);
    *end = NULL;
    r->root = cJSON_ParseWithLengthOpts(json, len, end, 0);
    if (!r->root) {
        long off = *end ? (long)(*end - json) : -1;
        return lx_fail(err, LX_EJSON, NULL, off, "malformed JSON");
    }
    /* Only whitespace may follow the object. */
    for (const char *p = *end; p && p < json + len; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != 0)
            return lx_fail(err, LX_EJSON, NULL, (long)(p - json), "trailing characters after JSON");
    if (!cJSON_IsObject(r->root))
        return lx_fail(err, LX_ERECORD, NULL, 0, "a lecture record must be a JSON object");
    return 0;
}

/* "id": required, a non-empty string within the limit, no control
 * characters (it is printed and used as a key). */
static int parse_id(cJSON *root, lx_record *r, lx_error *err) {
    cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    if (!id)
        return lx_fail(err, LX_ERECORD, "id", -1, "is required");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return lx_fail(err, LX_ERECORD, "id", -1, "must be a non-empty string");
    r->id = id->valuestring;
    r->id_len = strlen(r->id);
    if (r->id_len > LX_MAX_ID_BYTES)
        return lx_fail(err, LX_ELIMIT, "id", -1, "is %zu bytes, the limit is %d", r->id_len,
                       LX_MAX_ID_BYTES);
    for (size_t i = 0; i < r->id_len; i++)
        if ((unsigned char)r->id[i] < 0x20)
            return lx_fail(err, LX_ERECORD, "id", (long)i, "must not contain control characters");
    return 0;
}

/* The text fields (title required, the indexed ones into r->f), date and
 * duration.  *dur is the "duration" item, or NULL. */
static int parse_fields(cJSON *root, lx_record *r, cJSON **dur, lx_error *err) {
    int rc;
    cJSON *title = cJSON_GetObjectItemCaseSensitive(root, "title");
    if (!title)
        return lx_fail(err, LX_ERECORD, "title", -1, "is required");
    if (!cJSON_IsString(title))
        return lx_fail(err, LX_ERECORD, "title", -1, "must be a string");
    if ((rc = get_text(root, "title", &r->f.text[LX_F_TITLE], &r->f.len[LX_F_TITLE], err)) ||
        (rc = get_text(root, "speaker", &r->f.text[LX_F_SPEAKER], &r->f.len[LX_F_SPEAKER], err)) ||
        (rc = get_text(root, "description", &r->f.text[LX_F_DESCRIPTION],
                       &r->f.len[LX_F_DESCRIPTION], err)))
        return rc;
    const char *s;
    size_t n;
    static const char *const strings[] = {"institution", "url", "date"};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if ((rc = get_text(root, strings[i], &s, &n, err)))
            return rc;
    if ((rc = get_text(root, "date", &s, &n, err)) || (s && (rc = check_date(s, err))))
        return rc;
    *dur = cJSON_GetObjectItemCaseSensitive(root, "duration");
    if (*dur && !cJSON_IsNull(*dur) &&
        (!cJSON_IsNumber(*dur) || !isfinite((*dur)->valuedouble) || (*dur)->valuedouble < 0))
        return lx_fail(err, LX_ERECORD, "duration", -1, "must be a number of seconds >= 0");
    return 0;
}

/* "tags": an array of strings within the limits.  Tags that normalise to
 * nothing or to an earlier tag's key are skipped. */
static int parse_tags(cJSON *root, lx_record *r, lx_error *err) {
    cJSON *tags = cJSON_GetObjectItemCaseSensitive(root, "tags");
    if (!tags || cJSON_IsNull(tags))
        return 0;
    if (!cJSON_IsArray(tags))
        return lx_fail(err, LX_ERECORD, "tags", -1, "must be an array of strings");
    int nt = cJSON_GetArraySize(tags);
    if (nt > LX_MAX_TAGS)
        return lx_fail(err, LX_ELIMIT, "tags", -1, "has %d tags, the limit is %d", nt, LX_MAX_TAGS);
    cJSON *t;
    int i = 0;
    cJSON_ArrayForEach(t, tags) {
        char fname[32];
        snprintf(fname, sizeof fname, "tags[%d]", i);
        if (!cJSON_IsString(t))
            return lx_fail(err, LX_ERECORD, fname, -1, "must be a string");
        size_t tl = strlen(t->valuestring);
        if (tl > LX_MAX_TAG_BYTES)
            return lx_fail(err, LX_ELIMIT, fname, -1, "is %zu bytes, the limit is %d", tl,
                           LX_MAX_TAG_BYTES);
        size_t kl =
            lx_tag_normalise(t->valuestring, tl, r->tagkey[r->f.ntags], sizeof r->tagkey[0]);
        i++;
        if (!kl)
            continue;
        int dup = 0;
        for (int j = 0; j < r->f.ntags; j++)
            dup |= strcmp(r->tagkey[j], r->tagkey[r->f.ntags]) == 0;
        if (dup)
            continue;
        r->f.tags[r->f.ntags] = t->valuestring;
        r->f.taglen[r->f.ntags] = tl;
        r->f.ntags++;
    }
    return 0;
}

/* The body: the segments when given (the transcript then dropped), else
 * the transcript.  Both leave root, which becomes the stored meta. */
static int parse_body(cJSON *root, lx_record *r, const cJSON *dur, lx_error *err) {
    int rc;
    cJSON *segs = cJSON_GetObjectItemCaseSensitive(root, "segments");
    const char *tr;
    size_t trl;
    if ((rc = get_text(root, "transcript", &tr, &trl, err)))
        return rc;
    if (tr && cJSON_IsArray(segs) && cJSON_GetArraySize(segs) == 0) {
        /* No cue to time: the transcript is the text. */
        cJSON_DeleteItemFromObjectCaseSensitive(root, "segments");
        segs = NULL;
    }
    if (segs && !cJSON_IsNull(segs)) {
        if (!cJSON_IsArray(segs))
            return lx_fail(err, LX_ERECORD, "segments", -1,
                           "must be an array of {start, end, text}");
        if ((rc = parse_segments(segs, r, err)))
            return rc;
        cJSON_DeleteItemFromObjectCaseSensitive(root, "segments");
        if (cJSON_IsNumber(dur))
            warn_cues_past_end(r, dur->valuedouble);
        if (tr)
            drop_transcript(root, r);
    } else if (tr) {
        if (!(r->body = malloc(trl + 1)))
            return LX_ENOMEM;
        memcpy(r->body, tr, trl + 1);
        r->body_len = trl;
        r->flags = LX_DOC_BODY_TRANSCRIPT;
        cJSON_DeleteItemFromObjectCaseSensitive(root, "transcript");
    }
    r->f.text[LX_F_TRANSCRIPT] = r->body;
    r->f.len[LX_F_TRANSCRIPT] = r->body_len;
    return 0;
}

int lx_record_parse(const char *json, size_t len, lx_record *r, lx_error *err) {
    memset(r, 0, offsetof(lx_record, tagkey));
    const char *end = NULL;
    int rc = parse_object(json, len, r, &end, err);
    if (rc)
        goto fail;
    cJSON *root = r->root, *dur = NULL;
    char nul_field[64];
    long nul = find_nul(json, (size_t)(end - json), nul_field, sizeof nul_field);
    if (nul >= 0) {
        rc = lx_fail(err, LX_ERECORD, nul_field[0] ? nul_field : NULL, nul,
                     "must not contain a NUL character (\\u0000)");
        goto fail;
    }
    if ((rc = check_unique_keys(root, err)) || (rc = parse_id(root, r, err)) ||
        (rc = parse_fields(root, r, &dur, err)) || (rc = parse_language(root, r, err)) ||
        (rc = parse_tags(root, r, err)) || (rc = parse_body(root, r, dur, err)))
        goto fail;
    /* The strings the fields point at live in root, which stays whole
     * apart from the body fields removed above. */
    r->meta = cJSON_PrintUnformatted(root);
    if (!r->meta) {
        rc = LX_ENOMEM;
        goto fail;
    }
    return 0;
fail:
    lx_record_free(r);
    return rc;
}

int lx_record_compress(lx_record *r) {
    r->zbody.n = 0;
    size_t z;
    /* Kept only when it saves space, as serialize decides. */
    return lx_body_compress(r->body, r->body_len, &r->zbody, &z);
}

int lx_record_serialize(const lx_record *r, lx_buf *out) {
    lx_dochdr h;
    memset(&h, 0, sizeof h);
    const char *title = r->f.text[LX_F_TITLE];
    h.id_len = (uint32_t)r->id_len;
    h.title_len = (uint32_t)r->f.len[LX_F_TITLE];
    h.meta_len = (uint32_t)strlen(r->meta);
    h.body_len = (uint32_t)r->body_len;
    h.nseg = r->nseg;
    h.ncp = (uint32_t)(r->cps.n / 4);
    h.flags = r->flags;
    snprintf(h.lang, sizeof h.lang, "%s", r->f.lang);
    lx_meta_members(r->meta, h.meta_len, h.member);
    size_t need = sizeof h + h.id_len + h.title_len + h.meta_len + h.body_len + 4 +
                  (size_t)h.nseg * sizeof(lx_dseg) + r->cps.n;
    if (lx_buf_reserve(out, need))
        return LX_ENOMEM;
    size_t at = out->n;
    lx_buf_append(out, &h, sizeof h);
    lx_buf_append(out, r->id, h.id_len + 1);
    lx_buf_append(out, title, h.title_len + 1);
    lx_buf_append(out, r->meta, h.meta_len + 1);
    size_t z = 0;
    if (r->zbody.n) {
        lx_buf_append(out, r->zbody.p, r->zbody.n);
        z = r->zbody.n;
    } else if (lx_body_compress(r->body, r->body_len, out, &z)) {
        return LX_ENOMEM;
    }
    if (z) {
        h.zlen = (uint32_t)z;
        h.zshift = LX_BODY_BLOCK_SHIFT;
        h.zdict = LX_ZDICT_CURRENT;
        memcpy(out->p + at, &h, sizeof h);
    } else {
        lx_buf_append(out, r->body ? r->body : "", h.body_len);
    }
    if (lx_buf_reserve(out, 1 + (size_t)h.nseg * sizeof(lx_dseg) + r->cps.n))
        return LX_ENOMEM;
    lx_buf_append(out, "", 1);
    lx_buf_append(out, r->segs, (size_t)h.nseg * sizeof(lx_dseg));
    lx_buf_append(out, r->cps.p, r->cps.n);
    return 0;
}

static int fields_of_view(const lx_docview *v, lx_fields *f, cJSON **holder, int body);

int lx_fields_from_view(const lx_docview *v, lx_fields *f, cJSON **holder) {
    return fields_of_view(v, f, holder, 1);
}

int lx_fields_meta_from_view(const lx_docview *v, lx_fields *f, cJSON **holder) {
    return fields_of_view(v, f, holder, 0);
}

static int fields_of_view(const lx_docview *v, lx_fields *f, cJSON **holder, int body) {
    memset(f, 0, sizeof *f);
    *holder = cJSON_Parse(v->meta);
    if (!*holder)
        return LX_EFORMAT;
    f->text[LX_F_TITLE] = v->title;
    f->len[LX_F_TITLE] = v->h.title_len;
    cJSON *it = cJSON_GetObjectItemCaseSensitive(*holder, "speaker");
    if (cJSON_IsString(it)) {
        f->text[LX_F_SPEAKER] = it->valuestring;
        f->len[LX_F_SPEAKER] = strlen(it->valuestring);
    }
    it = cJSON_GetObjectItemCaseSensitive(*holder, "description");
    if (cJSON_IsString(it)) {
        f->text[LX_F_DESCRIPTION] = it->valuestring;
        f->len[LX_F_DESCRIPTION] = strlen(it->valuestring);
    }
    if (!body) {
        /* no transcript */
    } else if (v->h.zlen) {
        /* The plain body lives in holder, freed with it. */
        lx_buf scratch = {0};
        const char *body = lx_doc_body(v, &scratch);
        cJSON *b = body ? cJSON_CreateString(body) : NULL;
        lx_buf_free(&scratch);
        if (!b) {
            cJSON_Delete(*holder);
            *holder = NULL;
            return LX_EFORMAT;
        }
        cJSON_AddItemToObject(*holder, "\x01body", b);
        f->text[LX_F_TRANSCRIPT] = b->valuestring;
    } else {
        f->text[LX_F_TRANSCRIPT] = v->body;
    }
    if (body)
        f->len[LX_F_TRANSCRIPT] = v->h.body_len;
    it = cJSON_GetObjectItemCaseSensitive(*holder, "tags");
    cJSON *t;
    char key[LX_MAX_TAGS][LX_MAX_TAG_BYTES * 3 + 1];
    cJSON_ArrayForEach(t, it) {
        if (!cJSON_IsString(t) || f->ntags == LX_MAX_TAGS)
            continue;
        size_t tl = strlen(t->valuestring);
        size_t kl = lx_tag_normalise(t->valuestring, tl, key[f->ntags], sizeof key[0]);
        if (!kl)
            continue;
        int dup = 0;
        for (int j = 0; j < f->ntags; j++)
            dup |= strcmp(key[j], key[f->ntags]) == 0;
        if (dup)
            continue;
        f->tags[f->ntags] = t->valuestring;
        f->taglen[f->ntags] = tl;
        f->ntags++;
    }
    snprintf(f->lang, sizeof f->lang, "%s", v->h.lang);
    return 0;
}

/* The segments of v (body: its text) as a "segments" array of root;
 * 0 when out of memory (nothing may be left out). */
static int add_segments(cJSON *root, const lx_docview *v, const char *body) {
    cJSON *arr = cJSON_AddArrayToObject(root, "segments");
    char *tmp = NULL;
    size_t cap = 0;
    int ok = arr != NULL;
    for (uint32_t i = 0; ok && i < v->h.nseg; i++) {
        lx_dseg s;
        lx_doc_segment(v, i, &s);
        if (s.len + 1 > cap) {
            cap = s.len + 1;
            char *t = realloc(tmp, cap);
            if (!t) {
                ok = 0;
                break;
            }
            tmp = t;
        }
        memcpy(tmp, body + s.off, s.len);
        tmp[s.len] = 0;
        cJSON *o = cJSON_CreateObject();
        ok = o && cJSON_AddNumberToObject(o, "start", s.start) &&
             cJSON_AddNumberToObject(o, "end", s.end) && cJSON_AddStringToObject(o, "text", tmp);
        if (!o || !cJSON_AddItemToArray(arr, o)) {
            cJSON_Delete(o);
            ok = 0;
        }
    }
    free(tmp);
    return ok;
}

char *lx_record_from_view(const lx_docview *v) {
    lx_buf scratch = {0};
    const char *body = lx_doc_body(v, &scratch);
    cJSON *root = body ? cJSON_Parse(v->meta) : NULL;
    if (!root) {
        lx_buf_free(&scratch);
        return NULL;
    }
    int ok = 1;
    if (v->h.flags & LX_DOC_BODY_TRANSCRIPT) {
        cJSON *t = cJSON_CreateString(body);
        if (!t || !cJSON_AddItemToObject(root, "transcript", t)) {
            cJSON_Delete(t);
            ok = 0;
        }
    } else if (v->h.flags & LX_DOC_BODY_SEGMENTS) {
        ok = add_segments(root, v, body);
    }
    /* A record with a part missing is not the record: NULL, as for out of
     * memory anywhere else. */
    char *out = ok ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    lx_buf_free(&scratch);
    return out;
}

struct analyze_ctx {
    lx_field_token_fn fn;
    void *ctx;
    int field;
    uint32_t count;
    lx_buf *cps;
};

static void analyze_token(void *c, const char *tok, size_t len, size_t start, size_t end,
                          uint32_t pos) {
    struct analyze_ctx *a = c;
    (void)end;
    if (a->cps && a->field == LX_F_TRANSCRIPT && pos % LX_CP_EVERY == 0) {
        uint32_t off = (uint32_t)start;
        lx_buf_append(a->cps, &off, 4);
    }
    a->fn(a->ctx, a->field, tok, len, pos);
    a->count++;
}

int lx_analyze(const lx_fields *f, lx_field_token_fn fn, void *ctx, uint32_t lens[LX_NFIELDS],
               lx_error *err) {
    struct analyze_ctx a = {fn, ctx, 0, 0, f->cps};
    if (f->cps)
        f->cps->n = 0;
    int rc;
    for (int field = 0; field < LX_NFIELDS; field++) {
        a.field = field;
        a.count = 0;
        if (field == LX_F_TAGS) {
            uint32_t pos = 0;
            for (int i = 0; i < f->ntags; i++) {
                if ((rc = lx_text_scan(f->tags[i], f->taglen[i], pos, analyze_token, &a, &pos,
                                       err))) {
                    char name[32];
                    snprintf(name, sizeof name, "tags[%d]", i);
                    if (err)
                        snprintf(err->field, sizeof err->field, "%s", name);
                    return rc;
                }
                pos += LX_TAG_GAP;
            }
        } else if (f->text[field]) {
            if ((rc = lx_text_scan(f->text[field], f->len[field], 0, analyze_token, &a, NULL,
                                   err))) {
                if (err)
                    snprintf(err->field, sizeof err->field, "%s", lx_field_name(field));
                return rc;
            }
        }
        if (lens)
            lens[field] = a.count;
    }
    return 0;
}
