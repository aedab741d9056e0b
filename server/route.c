/*
 * route.c -- the route table and what reads a request's target: routing,
 * %-decoding, the query string, parameters and headers.
 *
 * The route table has one row per endpoint (methods, path pattern,
 * handler, whether it needs the token); routing, 405 and Allow are all
 * read from it.  Paths are matched as sent, before %-decoding, so that a
 * %2F inside an id is part of the id and never a separator.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server.h"

/* The endpoints.  One row per endpoint: its methods, path pattern,
 * handler and whether it writes.  Routing, 405 and Allow all read this
 * table; adding an endpoint is adding a row (and its handler).  Order
 * matters only between patterns that match the same path: the first wins,
 * so the related route comes before the lecture it ends. */
static const srv_route routes[] = {
    {SRV_M_GET, "/", api_page, 0},
    {SRV_M_GET, "/index.html", api_page, 0},
    {SRV_M_GET, "/healthz", api_healthz, 0},
    {SRV_M_GET, "/api/stats", api_stats, 0},
    {SRV_M_GET, "/api/tags", api_tags, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/search", api_search, SRV_ROUTE_READ},
    {SRV_M_POST, "/api/lectures", api_put, SRV_ROUTE_TOKEN | SRV_ROUTE_BODY},
    {SRV_M_GET, "/api/lectures/{id}/related", api_related, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/lectures/{id}/moments", api_moments, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/lectures/{id}/suggested-tags", api_suggested_tags, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/lecturers", api_lecturers, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/lecturers/{id}", api_lecturer, SRV_ROUTE_READ},
    {SRV_M_GET, "/api/lectures/{id}", api_get, SRV_ROUTE_READ},
    {SRV_M_DELETE, "/api/lectures/{id}", api_delete, SRV_ROUTE_TOKEN},
    /* forgiving search (issue 13, forgive.c) */
    {SRV_M_POST, "/api/search", api_search_post, SRV_ROUTE_READ | SRV_ROUTE_BODY},
    {SRV_M_POST, "/api/related", api_related_text, SRV_ROUTE_READ | SRV_ROUTE_BODY},
    {SRV_M_GET, "/api/suggest", api_suggest, SRV_ROUTE_READ},
    /* operations (issue 16): metrics, keys, snapshots */
    {SRV_M_GET, "/metrics", api_metrics, 0},
    {SRV_M_GET, "/api/keys", api_keys_list, SRV_ROUTE_TOKEN | SRV_ROUTE_ADMIN},
    {SRV_M_POST, "/api/keys", api_keys_create, SRV_ROUTE_TOKEN | SRV_ROUTE_ADMIN | SRV_ROUTE_BODY},
    {SRV_M_DELETE, "/api/keys/{id}", api_keys_revoke, SRV_ROUTE_TOKEN | SRV_ROUTE_ADMIN},
    {SRV_M_POST, "/api/snapshots", api_snapshot, SRV_ROUTE_TOKEN | SRV_ROUTE_ADMIN},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static const char *const method_names[SRV_N_METHODS] = {"GET",   "HEAD",   "POST",   "PUT",
                                                        "PATCH", "DELETE", "OPTIONS"};

const srv_route *http_routes(size_t *n) {
    *n = N_ROUTES;
    return routes;
}

const char *http_method_name(unsigned bit) {
    unsigned i;
    for (i = 0; i < SRV_N_METHODS; i++)
        if (bit == 1u << i)
            return method_names[i];
    return NULL;
}

unsigned http_method_bit(const char *m) {
    unsigned i;
    for (i = 0; i < SRV_N_METHODS; i++)
        if (strcmp(m, method_names[i]) == 0)
            return 1u << i;
    return 0;
}

/* The Allow header value of the methods in `bits`, into buf. */
void http_allow_string(unsigned bits, char *buf, size_t size) {
    size_t n = 0;
    unsigned i;
    buf[0] = '\0';
    for (i = 0; i < SRV_N_METHODS; i++) {
        if (!(bits & (1u << i)))
            continue;
        int k = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", method_names[i]);
        if (k < 0 || (size_t)k >= size - n)
            return;
        n += (size_t)k;
    }
}

static int hexval(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the byte of p[0..n) at *i, %XX-decoded, and moves *i past it;
 * *escaped tells whether it was written as %XX.  A '%' not followed by
 * two hex digits stands for itself, as in libmicrohttpd. */
static int next_byte(const char *p, size_t n, size_t *i, int *escaped) {
    int hi, lo;
    if (p[*i] == '%' && *i + 2 < n && (hi = hexval((unsigned char)p[*i + 1])) >= 0 &&
        (lo = hexval((unsigned char)p[*i + 2])) >= 0) {
        *i += 3;
        *escaped = 1;
        return hi * 16 + lo;
    }
    *escaped = 0;
    return (unsigned char)p[(*i)++];
}

/* %-decodes p[0..n) into out (at most size bytes; '+' is a space when
 * plus); returns the decoded length, or size + 1 when it does not fit. */
size_t http_decode(const char *p, size_t n, char *out, size_t size, int plus) {
    size_t i = 0, k = 0;
    int esc;
    while (i < n) {
        int c = next_byte(p, n, &i, &esc);
        if (plus && c == '+' && !esc)
            c = ' ';
        if (k == size)
            return size + 1;
        out[k++] = (char)c;
    }
    return k;
}

/* Whether the literal lit matches all of p[0..n).  A '/' of lit must be a
 * '/' in p, not %2F: slashes delimit, so "a%2Frelated" is one id. */
static int match_literal(const char *lit, const char *p, size_t n) {
    size_t i = 0;
    int esc;
    for (; *lit; lit++) {
        if (i >= n || next_byte(p, n, &i, &esc) != (unsigned char)*lit || (*lit == '/' && esc))
            return 0;
    }
    return i == n;
}

/* Whether pattern matches the raw path p[0..n); the {id} it holds, as
 * sent, is p[*id_at .. *id_at + *id_n). */
static int match_pattern(const char *pattern, const char *p, size_t n, size_t *id_at,
                         size_t *id_n) {
    const char *hole = strstr(pattern, "{id}");
    const char *suffix;
    char pre[64];
    size_t plen, i, j;
    if (!hole)
        return match_literal(pattern, p, n);
    plen = (size_t)(hole - pattern);
    suffix = hole + 4;
    if (plen >= sizeof pre)
        return 0;
    memcpy(pre, pattern, plen);
    pre[plen] = '\0';
    /* the literal prefix ends in '/': find where it ends in p (each of
     * its bytes takes 1 or 3 bytes of p) */
    for (i = plen; i <= n && i <= 3 * plen; i++)
        if (match_literal(pre, p, i))
            break;
    if (i >= n || i > 3 * plen)
        return 0;
    if (!*suffix) {
        j = n;
    } else {
        /* the id runs to the first literal '/' after which the suffix
         * matches to the end */
        for (j = i + 1; j < n; j++)
            if (p[j] == '/' && match_literal(suffix, p + j, n - j))
                break;
        if (j >= n)
            return 0;
    }
    *id_at = i;
    *id_n = j - i;
    return 1;
}

/* Routes rq from its raw path: rq->pattern, rq->allow, rq->route and
 * rq->id. */
void http_route(srv_req *rq) {
    size_t r, id_at = 0, id_n = 0;
    rq->pattern = NULL;
    rq->route = NULL;
    rq->allow = 0;
    for (r = 0; r < N_ROUTES; r++) {
        if (match_pattern(routes[r].pattern, rq->target, rq->target_len, &id_at, &id_n)) {
            rq->pattern = routes[r].pattern;
            break;
        }
    }
    if (!rq->pattern)
        return;
    for (r = 0; r < N_ROUTES; r++) {
        unsigned m = routes[r].methods;
        if (strcmp(routes[r].pattern, rq->pattern) != 0)
            continue;
        if (m & SRV_M_GET)
            m |= SRV_M_HEAD;
        rq->allow |= m;
        if ((m & rq->method_bit) && !rq->route)
            rq->route = &routes[r];
    }
    rq->allow |= SRV_M_OPTIONS;
    if (id_n) {
        rq->id_len = http_decode(rq->target + id_at, id_n, rq->id, LX_MAX_ID_BYTES, 0);
        rq->id[rq->id_len <= LX_MAX_ID_BYTES ? rq->id_len : 0] = '\0';
    }
}

/* Splits the query string of the target into rq->args, %-decoded in
 * place ('+' is a space). */
void http_parse_args(srv_req *rq) {
    char *q = rq->target + rq->target_len, *end;
    if (*q != '?')
        return;
    q++;
    end = q + strlen(q);
    while (q < end && rq->n_args < SRV_MAX_ARGS) {
        char *amp = memchr(q, '&', (size_t)(end - q)), *stop = amp ? amp : end;
        char *eq = memchr(q, '=', (size_t)(stop - q));
        srv_kv *kv = &rq->args[rq->n_args];
        size_t kn = (size_t)((eq ? eq : stop) - q);
        if (kn > 0) {
            kv->key = q;
            kv->klen = http_decode(q, kn, q, kn, 1);
            if (eq) {
                kv->val = eq + 1;
                kv->vlen = http_decode(eq + 1, (size_t)(stop - eq - 1), eq + 1,
                                       (size_t)(stop - eq - 1), 1);
            } else {
                kv->val = "";
                kv->vlen = 0;
            }
            q[kv->klen] = '\0';
            if (eq)
                eq[1 + kv->vlen] = '\0';
            rq->n_args++;
        }
        q = stop + 1;
    }
}

int http_path_part(srv_req *rq, char *buf, size_t size) {
    if (rq->id_len == 0 || rq->id_len >= size)
        return -1;
    memcpy(buf, rq->id, rq->id_len);
    buf[rq->id_len] = '\0';
    return 0;
}

const char *http_param(srv_req *rq, const char *name) {
    size_t i, n = strlen(name);
    for (i = 0; i < rq->n_args; i++)
        if (rq->args[i].klen == n && memcmp(rq->args[i].key, name, n) == 0)
            return rq->args[i].vlen ? rq->args[i].val : NULL;
    return NULL;
}

const char *http_header(srv_req *rq, const char *name, size_t *len) {
    size_t i, n = strlen(name);
    if (rq->conn) {
        const char *v = NULL;
        size_t vlen = 0;
        if (MHD_lookup_connection_value_n(rq->conn, MHD_HEADER_KIND, name, n, &v, &vlen) !=
                MHD_YES ||
            !v)
            return NULL;
        *len = vlen;
        return v;
    }
    for (i = 0; i < rq->n_headers; i++) {
        const srv_kv *h = &rq->headers[i];
        if (h->klen == n && strncasecmp(h->key, name, n) == 0) {
            *len = h->vlen;
            return h->val;
        }
    }
    return NULL;
}
