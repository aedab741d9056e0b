/*
 * fuzz_http.c -- fuzz target for the HTTP request path of lectern-server:
 * routing, percent-decoding, query parameters, headers (CORS, the token,
 * Content-Length), bodies and every endpoint's handler, run through
 * http_handle (server.h) without a socket, on a small index built once in
 * a temporary folder (tests/server/fixture.c).  Writes are real: an input
 * with the fixture's token can add and delete lectures.
 *
 * The input is a request as text:
 *
 *     METHOD TARGET\n
 *     Name: value\n        (headers, up to the first empty line)
 *     \n
 *     body
 *
 * Besides "no crash, no sanitizer report, no leak" it checks what the
 * server promises and aborts when a promise is broken: a status the API
 * documents, never a 5xx on a sound index, a JSON body that parses, and
 * an Allow header exactly on 204 and 405.  FUZZ_HTTP_TRACE=1 prints each
 * request line with its status.
 */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

const char *fuzz_seeds[] = {
    "GET /api/search?q=gender+pay+gap&tags=equality&limit=5\n\n",
    "GET /api/search?q=%22gender%20pay%22%20-racism%20OR%20tag:equality&facets=0\n"
    "Origin: https://bank.example\n\n",
    "GET /api/search?q=ab%00cd\n\n",
    "GET /api/search?lang=fi&speaker=Ahmed&offset=999&limit=1\n\n",
    "GET /api/lectures/gpg-01\n\n",
    "GET /api/lectures/gpg-01/related?limit=2&tags=equality\n\n",
    "GET /api/lectures/a%2Frelated\n\n",
    "GET /api/lectures/a%2Frelated/related\n\n",
    "HEAD /api/tags\n\n",
    "GET /api/stats\n\n",
    "GET /healthz\n\n",
    "GET /\n\n",
    "OPTIONS /api/lectures\nOrigin: https://bank.example\n"
    "Access-Control-Request-Method: POST\n\n",
    "PUT /api/search\n\n",
    "POST /api/lectures\nAuthorization: Bearer " FIXTURE_TOKEN "\n"
    "Content-Type: application/json\n\n"
    "{\"id\":\"f-1\",\"title\":\"Fuzzed lecture\",\"tags\":[\"gender\"],\"language\":\"en\","
    "\"transcript\":\"equal pay\"}",
    "POST /api/lectures?partial=1\nAuthorization: Bearer " FIXTURE_TOKEN "\n\n"
    "{\"id\":\"f-2\",\"title\":\"A\"}\n{\"id\":\"f-3\"}\n{\"id\":\"zz\\u0000b\",\"title\":\"t\"}\n",
    "POST /api/lectures\nAuthorization: Bearer " FIXTURE_TOKEN "\n\n"
    "[{\"id\":\"f-4\",\"title\":\"B\"},{\"id\":\"f-4\",\"title\":\"C\"}]",
    "POST /api/lectures\nAuthorization: Bearer wrong\n\n{}",
    "POST /api/lectures\nAuthorization: Bearer " FIXTURE_TOKEN "\nContent-Length: 99999999999\n\n",
    "DELETE /api/lectures/f-1\nAuthorization: Bearer " FIXTURE_TOKEN "\n\n",
    "DELETE /api/lectures/nope\nAuthorization: Bearer " FIXTURE_TOKEN "\n\n",
    NULL,
};

const char *fuzz_tokens[] = {
    "GET ",
    "HEAD ",
    "POST ",
    "PUT ",
    "DELETE ",
    "OPTIONS ",
    "/api/search?q=",
    "/api/lectures/",
    "/api/lectures",
    "/related",
    "/api/tags",
    "/api/stats",
    "/healthz",
    "%2F",
    "%00",
    "%25",
    "%",
    "+",
    "&",
    "=",
    "?",
    "&limit=",
    "&offset=",
    "&facets=",
    "&tags=",
    "&lang=",
    "&speaker=",
    "&partial=1",
    "Authorization: Bearer " FIXTURE_TOKEN "\n",
    "Content-Length: ",
    "Origin: https://bank.example\n",
    "\n\n",
    NULL,
};

static int ready;

static void done(void) {
    if (ready)
        fixture_close();
}

/* Whether the status is one the API documents. */
static int documented(int status) {
    static const int ok[] = {200, 204, 400, 401, 403, 404, 405, 413, 414, 429, 503, 507};
    size_t i;
    for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (status == ok[i])
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *p = (const char *)data, *end = p + size, *nl, *sp;
    char method[32], *target, *hbuf;
    srv_kv headers[16];
    size_t n_headers = 0, tlen;
    srv_answer a;
    if (!ready) {
        if (fixture_open() != 0)
            abort();
        ready = 1;
        atexit(done);
    }
    /* the request line */
    nl = memchr(p, '\n', size);
    if (!nl)
        nl = end;
    sp = memchr(p, ' ', (size_t)(nl - p));
    if (!sp || sp == p || (size_t)(sp - p) >= sizeof method)
        return 0;
    memcpy(method, p, (size_t)(sp - p));
    method[sp - p] = '\0';
    tlen = (size_t)(nl - sp - 1);
    target = malloc(tlen + 1);
    /* headers: NUL-terminated copies, values may hold any byte */
    hbuf = malloc(size + 1);
    if (!target || !hbuf)
        abort();
    memcpy(target, sp + 1, tlen);
    target[tlen] = '\0';
    p = nl < end ? nl + 1 : end;
    size_t used = 0;
    while (p < end && *p != '\n' && n_headers < 16) {
        const char *le = memchr(p, '\n', (size_t)(end - p)), *colon;
        if (!le)
            le = end;
        colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            const char *v = colon + 1;
            srv_kv *h = &headers[n_headers++];
            while (v < le && *v == ' ')
                v++;
            h->key = hbuf + used;
            h->klen = (size_t)(colon - p);
            memcpy(hbuf + used, p, h->klen);
            hbuf[used + h->klen] = '\0';
            used += h->klen + 1;
            h->val = hbuf + used;
            h->vlen = (size_t)(le - v);
            memcpy(hbuf + used, v, h->vlen);
            hbuf[used + h->vlen] = '\0';
            used += h->vlen + 1;
        }
        p = le < end ? le + 1 : end;
    }
    if (p < end && *p == '\n')
        p++;

    if (http_handle(method, target, tlen, headers, n_headers, p, (size_t)(end - p), &a) != 0)
        abort();
    if (getenv("FUZZ_HTTP_TRACE"))
        fprintf(stderr, "%s %.60s -> %d %.80s\n", method, target, a.status, a.body ? a.body : "");
    if (!documented(a.status)) {
        fprintf(stderr, "fuzz_http: status %d: %.*s\n", a.status, a.body ? (int)a.len : 0,
                a.body ? a.body : "");
        abort();
    }
    if ((a.status == 204 || a.status == 405) != (a.allow[0] != '\0'))
        abort();
    if (a.body) {
        cJSON *j = cJSON_ParseWithLength(a.body, a.len);
        if (!j) {
            fprintf(stderr, "fuzz_http: not JSON: %.*s\n", (int)a.len, a.body);
            abort();
        }
        cJSON_Delete(j);
    }
    free(a.body);
    free(target);
    free(hbuf);
    return 0;
}
