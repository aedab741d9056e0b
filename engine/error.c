/* error.c -- the error table (error.h) as names and messages, and the
 * helpers that fill an lx_error for a person to read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

static const struct {
    int code;
    const char *name, *message;
} table[] = {
#define LX_ERROR_ROW(code, message) {code, #code, message},
    LX_ERROR_TABLE(LX_ERROR_ROW)
#undef LX_ERROR_ROW
};

#define NCODES (sizeof table / sizeof table[0])

/* The row of code, or -1. */
static int row(int code) {
    for (size_t i = 0; i < NCODES; i++)
        if (table[i].code == code)
            return (int)i;
    return -1;
}

const char *lx_strerror(int code) {
    int i = row(code);
    return i < 0 ? "unknown error" : table[i].message;
}

const char *lx_errname(int code) {
    int i = row(code);
    return i < 0 ? "LX_EUNKNOWN" : table[i].name;
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
    err->file[0] = 0;
    err->line = 0;
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
