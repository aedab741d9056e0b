/* error.c -- the one table of error codes and their messages, and the
 * helpers that fill an lx_error for a person to read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const char *const messages[] = {
    [0] = "success",
    [1] = "out of memory",
    [2] = "I/O error",
    [3] = "index format mismatch or corrupt index",
    [4] = "invalid argument",
    [5] = "malformed JSON",
    [6] = "invalid lecture record",
    [7] = "invalid UTF-8",
    [8] = "malformed query",
    [9] = "limit exceeded",
    [10] = "not found",
    [11] = "duplicate id in batch",
    [12] = "malformed captions",
    [13] = "index is read-only",
    [14] = "index map is full",
    [15] = "index is damaged",
    [16] = "no space left on device",
};

const char *lx_strerror(int code) {
    int i = -code;
    if (i < 0 || i >= (int)(sizeof messages / sizeof messages[0]))
        return "unknown error";
    return messages[i];
}

int lx_fail(lx_error *err, int code, const char *field, long offset, const char *fmt, ...) {
    if (!err)
        return code;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void lx_error_clear(lx_error *err) {
    if (!err)
        return;
    err->code = 0;
    err->field[0] = 0;
    err->offset = -1;
    err->message[0] = 0;
}

void lx_error_format(const lx_error *err, char *buf, size_t size) {
    char where[320] = "";
    if (!size)
        return;
    if (err->file[0] && err->line > 0)
        snprintf(where, sizeof where, "%.255s:%ld: ", err->file, err->line);
    else if (err->file[0])
        snprintf(where, sizeof where, "%.255s: ", err->file);
    else if (err->line > 0)
        snprintf(where, sizeof where, "line %ld: ", err->line);
    char at[48] = "";
    if (err->offset >= 0)
        snprintf(at, sizeof at, " (at byte %ld)", err->offset);
    snprintf(buf, size, "%s%s%s%s%s", where, err->field, err->field[0] ? ": " : "",
             err->message[0] ? err->message : lx_strerror(err->code), at);
}
