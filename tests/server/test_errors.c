/*
 * test_errors.c -- engine errors answer with the status and code of the
 * one table in server/api.c, and the server keeps serving afterwards.
 *
 * The engine's lx_search, lx_searcher_open and lx_writer_commit are
 * wrapped (-Wl,--wrap): when `fail_with` is set, the next call fails with
 * it, as a damaged index (LX_ECORRUPT) or a full disk (LX_ENOSPC) would;
 * otherwise the real function runs.  Requests go through http_handle on a
 * small index (fixture.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tcheck.h"

static int fail_with; /* the next wrapped call fails with this code */
static int opens;     /* searchers opened */

int __real_lx_search(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err);
int __real_lx_searcher_open(lx_index *ix, lx_searcher **out, lx_error *err);
int __real_lx_writer_commit(lx_writer *w, lx_error *err);

static int injected(lx_error *err) {
    int rc = fail_with;
    fail_with = 0;
    if (err) {
        memset(err, 0, sizeof *err);
        err->code = rc;
        err->offset = -1;
        snprintf(err->message, sizeof err->message, "injected: %s", lx_strerror(rc));
    }
    return rc;
}

int __wrap_lx_search(lx_searcher *s, const lx_search_opts *o, lx_results **out, lx_error *err) {
    if (fail_with)
        return injected(err);
    return __real_lx_search(s, o, out, err);
}

int __wrap_lx_searcher_open(lx_index *ix, lx_searcher **out, lx_error *err) {
    opens++;
    return __real_lx_searcher_open(ix, out, err);
}

int __wrap_lx_writer_commit(lx_writer *w, lx_error *err) {
    if (fail_with) {
        lx_writer_abort(w);
        return injected(err);
    }
    return __real_lx_writer_commit(w, err);
}

static void expect(const char *method, const char *target, const char *hdrs, const char *body,
                   int status, const char *code) {
    srv_answer a;
    char want[96];
    CHECK(fixture_request(method, target, hdrs, body, &a) == 0, "out of memory");
    snprintf(want, sizeof want, "{\"error\":{\"code\":\"%s\"", code ? code : "");
    CHECK(a.status == status, "%s %s: status %d, expected %d: %s", method, target, a.status, status,
          a.body ? a.body : "");
    if (code)
        CHECK(a.body && strncmp(a.body, want, strlen(want)) == 0, "%s %s: body %s, expected %s",
              method, target, a.body ? a.body : "", want);
    free(a.body);
}

int main(void) {
    static const char auth[] = "Authorization: Bearer " FIXTURE_TOKEN;
    static const struct {
        int rc, status;
        const char *code;
    } table[] = {
        {LX_ECORRUPT, 500, "index_corrupt"}, {LX_ENOSPC, 507, "disk_full"},
        {LX_EFULL, 507, "index_full"},       {LX_EIO, 500, "internal"},
        {LX_ENOMEM, 500, "internal"},        {LX_EQUERY, 400, "bad_query"},
        {LX_ENOTFOUND, 404, "not_found"},    {LX_EREADONLY, 403, "forbidden"},
    };
    size_t i;
    int before;
    if (fixture_open() != 0)
        return 1;

    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        const char *code = NULL;
        CHECK(api_error_status(table[i].rc, &code) == table[i].status &&
                  strcmp(code, table[i].code) == 0,
              "%s maps to %d %s", lx_strerror(table[i].rc), api_error_status(table[i].rc, &code),
              code);
    }

    /* a damaged index: 500 index_corrupt, then the next search is served
     * by a fresh searcher */
    expect("GET", "/api/search?q=gender", NULL, NULL, 200, NULL);
    before = opens;
    fail_with = LX_ECORRUPT;
    expect("GET", "/api/search?q=racism", NULL, NULL, 500, "index_corrupt");
    expect("GET", "/api/search?q=racism", NULL, NULL, 200, NULL);
    CHECK(opens == before + 1, "the searcher was not reopened after the error (%d opens)",
          opens - before);
    expect("GET", "/healthz", NULL, NULL, 200, NULL);

    /* writes on a full disk or a full map: 507, nothing written */
    fail_with = LX_ENOSPC;
    expect("POST", "/api/lectures", auth, "{\"id\":\"new-1\",\"title\":\"New\"}", 507, "disk_full");
    expect("GET", "/api/lectures/new-1", NULL, NULL, 404, "not_found");
    fail_with = LX_EFULL;
    expect("DELETE", "/api/lectures/gpg-01", auth, NULL, 507, "index_full");
    expect("GET", "/api/lectures/gpg-01", NULL, NULL, 200, NULL);
    expect("POST", "/api/lectures", auth, "{\"id\":\"new-1\",\"title\":\"New\"}", 200, NULL);
    expect("GET", "/api/lectures/new-1", NULL, NULL, 200, NULL);

    fixture_close();
    if (failures) {
        fprintf(stderr, "test_errors: %d failures\n", failures);
        return 1;
    }
    printf("test_errors: ok\n");
    return 0;
}
