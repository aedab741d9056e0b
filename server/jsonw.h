/*
 * jsonw.h -- the streaming JSON writer (jsonw.c), apart from server.h so
 * that the CLI links it without libmicrohttpd (lectern_json, resjson.h).
 */
#ifndef LECTERN_JSONW_H
#define LECTERN_JSONW_H
#include <stddef.h>
#include <stdint.h>

/* ---- JSON writer (jsonw.c) -------------------------------------------- */

/* A growable byte buffer that writes JSON without building a tree.  The
 * caller opens and closes objects and arrays; commas are inserted for it.
 * A failed allocation sets oom and makes every later call a no-op. */
typedef struct jsonw {
    char *buf;
    size_t len, cap;
    int oom;
    int depth;
    uint64_t need_comma; /* bit d: the container at depth d has an item */
} jsonw;

void jw_init(jsonw *w, size_t cap);
void jw_free(jsonw *w);
/* Hands the buffer to the caller (NUL-terminated); NULL after oom. */
char *jw_take(jsonw *w, size_t *len);
void jw_obj(jsonw *w);
void jw_obj_end(jsonw *w);
void jw_arr(jsonw *w);
void jw_arr_end(jsonw *w);
void jw_key(jsonw *w, const char *key); /* escaped */
/* A key written as it is, quotes and colon included (qkey, qn bytes:
 * JW_KEY's); for names that need no escaping. */
void jw_key_quoted(jsonw *w, const char *qkey, size_t qn);
/* jw_key of a string literal that needs no escaping ("id", "score"):
 * quoted at compile time, copied at once. */
#define JW_KEY(w, lit) jw_key_quoted((w), "\"" lit "\":", sizeof(lit) + 2)
void jw_str(jsonw *w, const char *s); /* escaped; NULL writes null */
void jw_strn(jsonw *w, const char *s, size_t n);
/* A string the caller knows needs no escape (no control byte, '"' or
 * '\\': a snippet checked as it was made), copied between its quotes. */
void jw_str_plain(jsonw *w, const char *s, size_t n);
void jw_int(jsonw *w, int64_t v);
void jw_uint(jsonw *w, uint64_t v);
void jw_double(jsonw *w, double v, int decimals);
void jw_bool(jsonw *w, int v);
void jw_null(jsonw *w);
void jw_raw(jsonw *w, const char *json, size_t n); /* trusted JSON value */
/* A member: the quoted key with its colon (as jw_key_quoted) and a
 * trusted JSON value (as jw_raw), under one reserve (a result's members
 * copied from the stored record). */
void jw_member_raw(jsonw *w, const char *qkey, size_t qn, const char *json, size_t n);

/* A value inside a JSON text: its first byte and length. */
typedef struct jw_span {
    const char *p; /* NULL when the member is absent */
    size_t len;
} jw_span;

/* Finds the top-level members keys[0..nkeys) of the JSON object in
 * json[0..n) in one pass (keys compared as written, without unescaping)
 * and sets out[i] to each one's value text.  Values are not checked, only
 * delimited: use this on JSON the engine wrote.  Returns 0, or -1 when the
 * text is not an object (out[] then holds what was found before) or
 * nkeys is over JW_MAX_MEMBERS. */
#define JW_MAX_MEMBERS 16
int jw_members(const char *json, size_t n, const char *const *keys, size_t nkeys, jw_span *out);
#endif
