/*
 * test_routes.c -- the route table against what the server does: for
 * every row and every method, the answer is 405 exactly when the method
 * is not in the path's Allow header, and Allow is the union of the
 * methods of the rows with that pattern (GET bringing HEAD, and OPTIONS);
 * a row that needs the token answers 401 without it, and only such a row.
 * Requests run through http_handle on a small index (fixture.c).
 *
 * Also what only this path can send: header values with a NUL inside
 * (libmicrohttpd 0.9.75 cuts them before the server sees them), and ids
 * and parameters with control characters, refused before any handler.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "tcheck.h"

/* Whether the comma-separated list `allow` names method. */
static int listed(const char *allow, const char *method) {
    size_t n = strlen(method);
    const char *p = allow;
    while ((p = strstr(p, method)) != NULL) {
        if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

/* A path the pattern matches: {id} becomes id. */
static void instantiate(const char *pattern, const char *id, char *buf, size_t size) {
    const char *hole = strstr(pattern, "{id}");
    if (!hole)
        snprintf(buf, size, "%s", pattern);
    else
        snprintf(buf, size, "%.*s%s%s", (int)(hole - pattern), pattern, id, hole + 4);
}

/* The token column: a row that needs it answers 401 without it, and
 * gets past the check with it (on an id that does not exist, so that
 * nothing is deleted). */
static void check_token(const srv_route *r) {
    static const char auth[] = "Authorization: Bearer " FIXTURE_TOKEN;
    char path[256];
    srv_answer a;
    unsigned bit;
    instantiate(r->pattern, "no-such-id", path, sizeof path);
    for (bit = 1; bit < (1u << SRV_N_METHODS); bit <<= 1) {
        const char *m = http_method_name(bit);
        if (!(r->methods & bit))
            continue;
        fixture_request(m, path, NULL, "{}", &a);
        if (r->flags & SRV_ROUTE_TOKEN)
            CHECK(a.status == 401, "%s %s without the token answered %d", m, path, a.status);
        else
            CHECK(a.status != 401 && a.status != 403, "%s %s needs no token but answered %d", m,
                  path, a.status);
        free(a.body);
        fixture_request(m, path, auth, "{}", &a);
        CHECK(a.status != 401 && a.status != 403, "%s %s with the token answered %d", m, path,
              a.status);
        free(a.body);
    }
}

static void check_route(const srv_route *routes, size_t n, size_t r) {
    char path[256], expect_allow[64] = "";
    unsigned expect = SRV_M_OPTIONS, bit;
    srv_answer a;
    size_t i;
    /* {id} is a lecture's id, or for a lecturer a name in its speaker field */
    instantiate(routes[r].pattern,
                strncmp(routes[r].pattern, "/api/lecturers/", 15) ? "gpg-01" : "Maria%20Lindqvist",
                path, sizeof path);
    for (i = 0; i < n; i++) {
        if (strcmp(routes[i].pattern, routes[r].pattern) != 0)
            continue;
        expect |= routes[i].methods;
        if (routes[i].methods & SRV_M_GET)
            expect |= SRV_M_HEAD;
    }
    for (bit = 1; bit < (1u << SRV_N_METHODS); bit <<= 1) {
        if (expect & bit) {
            size_t k = strlen(expect_allow);
            snprintf(expect_allow + k, sizeof expect_allow - k, "%s%s", k ? ", " : "",
                     http_method_name(bit));
        }
    }
    /* OPTIONS says what is allowed */
    CHECK(fixture_request("OPTIONS", path, NULL, NULL, &a) == 0, "out of memory");
    CHECK(a.status == 204, "OPTIONS %s: status %d", path, a.status);
    CHECK(strcmp(a.allow, expect_allow) == 0, "OPTIONS %s: Allow '%s', the table says '%s'", path,
          a.allow, expect_allow);
    free(a.body);
    for (bit = 1; bit < (1u << SRV_N_METHODS); bit <<= 1) {
        const char *m = http_method_name(bit);
        CHECK(fixture_request(m, path, NULL, "{}", &a) == 0, "out of memory");
        if (listed(expect_allow, m)) {
            CHECK(a.status != 405 && a.status != 404, "%s %s is allowed but answered %d", m, path,
                  a.status);
        } else {
            CHECK(a.status == 405, "%s %s is not in Allow (%s) but answered %d", m, path,
                  expect_allow, a.status);
            CHECK(strcmp(a.allow, expect_allow) == 0, "%s %s: 405 with Allow '%s', expected '%s'",
                  m, path, a.allow, expect_allow);
        }
        free(a.body);
    }
    /* a method the server does not know */
    CHECK(fixture_request("BREW", path, NULL, NULL, &a) == 0, "out of memory");
    CHECK(a.status == 405, "BREW %s answered %d", path, a.status);
    free(a.body);
}

int main(void) {
    size_t n, r;
    const srv_route *routes;
    srv_answer a;
    if (fixture_open() != 0)
        return 1;
    routes = http_routes(&n);
    CHECK(n > 0, "an empty route table");
    for (r = 0; r < n; r++)
        check_route(routes, n, r);
    for (r = 0; r < n; r++)
        check_token(&routes[r]);

    /* routing itself: unknown paths, the id route, and slashes as sent */
    fixture_request("GET", "/api/nothing", NULL, NULL, &a);
    CHECK(a.status == 404, "unknown path answered %d", a.status);
    free(a.body);
    fixture_request("GET", "/api/lectures/", NULL, NULL, &a);
    CHECK(a.status == 404, "an empty id answered %d", a.status);
    free(a.body);
    fixture_request("GET", "/api/lectures/gpg-01", NULL, NULL, &a);
    CHECK(a.status == 200 && a.body && strstr(a.body, "\"gpg-01\""), "GET a lecture: %d %s",
          a.status, a.body ? a.body : "");
    free(a.body);
    fixture_request("GET", "/api/lectures/gpg-01/related", NULL, NULL, &a);
    CHECK(a.status == 200 && a.body && strstr(a.body, "\"id\":\"gpg-01\""), "related: %d %s",
          a.status, a.body ? a.body : "");
    free(a.body);
    fixture_request("GET", "/api%2Fsearch", NULL, NULL, &a);
    CHECK(a.status == 404, "an encoded slash is not a path separator: %d", a.status);
    free(a.body);

    /* a NUL after the right token is not the right token */
    {
        static const char nul_auth[] = "Bearer " FIXTURE_TOKEN "\0junk";
        srv_kv h = {"Authorization", nul_auth, 13, sizeof nul_auth - 1};
        CHECK(http_handle("DELETE", "/api/lectures/gpg-01", 20, &h, 1, NULL, 0, &a) == 0, "oom");
        CHECK(a.status == 400 && a.body && strstr(a.body, "bad_header"),
              "a NUL in Authorization answered %d %s", a.status, a.body ? a.body : "");
        free(a.body);
        h.vlen = sizeof "Bearer " FIXTURE_TOKEN - 1;
        CHECK(http_handle("GET", "/api/lectures/gpg-01", 20, &h, 1, NULL, 0, &a) == 0, "oom");
        CHECK(a.status == 200, "the lecture is still there: %d", a.status);
        free(a.body);
    }
    fixture_request("GET", "/api/search?q=ab%00cd", NULL, NULL, &a);
    CHECK(a.status == 400 && a.body && strstr(a.body, "bad_parameter"), "q=ab%%00cd answered %d",
          a.status);
    free(a.body);
    fixture_request("DELETE", "/api/lectures/gpg-01%00x", "Authorization: Bearer " FIXTURE_TOKEN,
                    NULL, &a);
    CHECK(a.status == 400, "an id with %%00 answered %d", a.status);
    free(a.body);

    fixture_close();
    if (failures) {
        fprintf(stderr, "test_routes: %d failures\n", failures);
        return 1;
    }
    printf("test_routes: %zu routes checked\n", n);
    return 0;
}
