/* error.h -- filling an lx_error in one call (internal). */
#ifndef LX_ERROR_H
#define LX_ERROR_H
#include "lectern.h"

/* Sets err (when not NULL): code, field, offset and a printf-style message.
 * Keeps err->file and err->line, which the caller (the indexer) owns.
 * Returns code so that callers can `return lx_fail(...)`. */
int lx_fail(lx_error *err, int code, const char *field, long offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Clears err to "no error" (code 0, offset -1), keeping file and line. */
void lx_error_clear(lx_error *err);
#endif
