/* test_error.c -- the error table: every code of lectern.h has its name
 * and its message, names are the macros' own, and a code outside the
 * table says so.  An error struct that held garbage or an earlier error
 * says nothing of it after a call (issue 15, item 12). */
#include "check.h"
#include "error.h"
#include "lectern.h"

static void test_cleared(void) {
    lx_error err;
    memset(&err, 0x55, sizeof err);
    err.file[sizeof err.file - 1] = 0;
    err.field[sizeof err.field - 1] = 0;
    err.message[sizeof err.message - 1] = 0;
    lx_error_clear(&err);
    CHECK(err.code == 0 && err.line == 0 && err.offset == -1);
    CHECK_STR(err.file, "");
    CHECK_STR(err.field, "");
    CHECK_STR(err.message, "");
    /* An engine call that fails: only its own error, no stale place. */
    memset(&err, 0x55, sizeof err);
    lx_prepared *p = NULL;
    CHECK(lx_prepare_json("{\"id\":", 6, &p, &err) == LX_EJSON);
    char msg[800];
    lx_error_format(&err, msg, sizeof msg);
    CHECK(strncmp(msg, "malformed JSON", 14) == 0);
    if (strncmp(msg, "malformed JSON", 14) != 0)
        fprintf(stderr, "  formatted: %s\n", msg);
}

int main(void) {
    test_cleared();
    static const struct {
        int code;
        const char *name;
    } codes[] = {
        {LX_OK, "LX_OK"},
        {LX_ENOMEM, "LX_ENOMEM"},
        {LX_EIO, "LX_EIO"},
        {LX_EFORMAT, "LX_EFORMAT"},
        {LX_EINVAL, "LX_EINVAL"},
        {LX_EJSON, "LX_EJSON"},
        {LX_ERECORD, "LX_ERECORD"},
        {LX_EUTF8, "LX_EUTF8"},
        {LX_EQUERY, "LX_EQUERY"},
        {LX_ELIMIT, "LX_ELIMIT"},
        {LX_ENOTFOUND, "LX_ENOTFOUND"},
        {LX_EEXIST, "LX_EEXIST"},
        {LX_ECAPTION, "LX_ECAPTION"},
        {LX_EREADONLY, "LX_EREADONLY"},
        {LX_EFULL, "LX_EFULL"},
        {LX_ECORRUPT, "LX_ECORRUPT"},
        {LX_ENOSPC, "LX_ENOSPC"},
    };
    size_t n = sizeof codes / sizeof codes[0];
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(lx_errname(codes[i].code), codes[i].name);
        CHECK(strcmp(lx_strerror(codes[i].code), "unknown error") != 0);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(lx_strerror(codes[i].code), lx_strerror(codes[j].code)) != 0);
    }
    /* The codes are 0, -1, ..., -(n - 1): none left out of the list. */
    for (int c = 0; c > -(int)n; c--)
        CHECK(strcmp(lx_errname(c), "LX_EUNKNOWN") != 0);
    CHECK_STR(lx_strerror(LX_ENOMEM), "out of memory");
    CHECK_STR(lx_errname(1), "LX_EUNKNOWN");
    CHECK_STR(lx_errname(-(int)n), "LX_EUNKNOWN");
    CHECK_STR(lx_strerror(-1000), "unknown error");
    CHECK_DONE();
}
