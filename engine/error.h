/* error.h -- the one table of error codes, and filling an lx_error in one
 * call (internal). */
#ifndef LX_ERROR_H
#define LX_ERROR_H
#include "lectern.h"

/* Every LX_E* code of lectern.h (whose values are fixed there) with its
 * message, as one list (RediSearch's QUERY_XERRS pattern): X(code,
 * message) for each.  lx_strerror and lx_errname are built from it, and a
 * new code is one line here besides its #define. */
#define LX_ERROR_TABLE(X)                                                                          \
    X(LX_OK, "success")                                                                            \
    X(LX_ENOMEM, "out of memory")                                                                  \
    X(LX_EIO, "I/O error")                                                                         \
    X(LX_EFORMAT, "index format mismatch or corrupt index")                                        \
    X(LX_EINVAL, "invalid argument")                                                               \
    X(LX_EJSON, "malformed JSON")                                                                  \
    X(LX_ERECORD, "invalid lecture record")                                                        \
    X(LX_EUTF8, "invalid UTF-8")                                                                   \
    X(LX_EQUERY, "malformed query")                                                                \
    X(LX_ELIMIT, "limit exceeded")                                                                 \
    X(LX_ENOTFOUND, "not found")                                                                   \
    X(LX_EEXIST, "duplicate id in batch")                                                          \
    X(LX_ECAPTION, "malformed captions")                                                           \
    X(LX_EREADONLY, "index is read-only")                                                          \
    X(LX_EFULL, "index map is full")                                                               \
    X(LX_ECORRUPT, "index is damaged")                                                             \
    X(LX_ENOSPC, "no space left on device")

/* Sets err (when not NULL): code, field, offset and a printf-style message.
 * Keeps err->file and err->line, which the caller (the indexer) owns.
 * Returns code so that callers can `return lx_fail(...)`. */
int lx_fail(lx_error *err, int code, const char *field, long offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Clears err to "no error" (code 0, offset -1, no file, line, field or
 * message): an error struct reused for call after call (a batch of
 * queries, of records) never shows an earlier call's place with a later
 * call's error.  Callers that know the place set file and line after the
 * call. */
void lx_error_clear(lx_error *err);
#endif
