/*
 * http.c -- the HTTP layer: libmicrohttpd setup, routing, limits, CORS,
 * error bodies and the access log.
 *
 * Threads: MHD runs a pool of cfg.threads threads (epoll where the library
 * has it), each polling its share of the connections and calling
 * on_request.  Nothing on the read path takes a lock: each pool thread
 * opens its own lx_searcher on its first request and keeps it in
 * thread-specific data, closed by the key's destructor when the pool
 * thread exits in MHD_stop_daemon.
 *
 * Request life: MHD calls on_request once with the headers (*con_cls is
 * NULL; we allocate an srv_req), then once per body chunk, then once more
 * with *upload_data_size == 0.  Requests are answered on that last call:
 * MHD closes the connection after an answer queued earlier, which would
 * cost keep-alive.  Only refusals that should not read the body (503, and
 * a POST's 401/403/413) are answered on the first call.  on_completed
 * writes the access-log line and frees the srv_req.
 *
 * Limits: connections beyond cfg.max_connections are accepted but each
 * of their requests gets 503 and the connection is closed (MHD itself is
 * given some headroom above the limit, past which it refuses connections
 * outright).  Bodies beyond cfg.max_body get 413: at once when
 * Content-Length says so, else after the rest is read and dropped.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

enum {
    ROUTE_NONE,
    ROUTE_PAGE,     /* GET / */
    ROUTE_HEALTHZ,  /* GET /healthz */
    ROUTE_STATS,    /* GET /api/stats */
    ROUTE_TAGS,     /* GET /api/tags */
    ROUTE_SEARCH,   /* GET /api/search */
    ROUTE_LECTURES, /* POST /api/lectures */
    ROUTE_LECTURE,  /* GET, DELETE /api/lectures/{id} */
    ROUTE_RELATED,  /* GET /api/lectures/{id}/related */
};

#define ALLOW_GET "GET, HEAD, OPTIONS"
#define ALLOW_POST "POST, OPTIONS"
#define ALLOW_LECTURE "GET, HEAD, DELETE, OPTIONS"

static const char *route_allow(int route) {
    switch (route) {
    case ROUTE_LECTURES:
        return ALLOW_POST;
    case ROUTE_LECTURE:
        return ALLOW_LECTURE;
    default:
        return ALLOW_GET;
    }
}

/* Markers stored in MHD's socket context: was the connection admitted? */
static char ADMITTED, REJECTED;

static struct MHD_Response *page_response; /* built once, queued many times */

double srv_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- Searchers, one per pool thread ----------------------------------- */

static void searcher_destroy(void *p) {
    lx_searcher_close(p);
}

lx_searcher *http_searcher(srv_req *rq) {
    lx_searcher *s = pthread_getspecific(g_srv.searcher_key);
    lx_error err = {0};
    int rc;
    if (s)
        return s;
    rc = lx_searcher_open(g_srv.ix, &s, &err);
    if (rc != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot open a searcher: %s",
                 err.message[0] ? err.message : lx_strerror(rc));
        http_error(rq, 500, "internal", msg);
        return NULL;
    }
    pthread_setspecific(g_srv.searcher_key, s);
    return s;
}

/* ---- Responses -------------------------------------------------------- */

/* The Access-Control-Allow-Origin value for this request, or NULL. */
static const char *cors_origin(srv_req *rq) {
    const char *origin;
    unsigned i;
    if (g_srv.cfg.n_cors == 0)
        return NULL;
    origin = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Origin");
    for (i = 0; i < g_srv.cfg.n_cors; i++) {
        if (strcmp(g_srv.cfg.cors[i], "*") == 0)
            return "*";
        if (origin && strcasecmp(g_srv.cfg.cors[i], origin) == 0)
            return origin;
    }
    return NULL;
}

static void add_common_headers(srv_req *rq, struct MHD_Response *r) {
    const char *origin = cors_origin(rq);
    if (origin) {
        MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
        if (strcmp(origin, "*") != 0)
            MHD_add_response_header(r, "Vary", "Origin");
    }
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result queue(srv_req *rq, int status, struct MHD_Response *r) {
    enum MHD_Result ret = MHD_queue_response(rq->conn, (unsigned)status, r);
    if (ret == MHD_YES)
        rq->status = status;
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_send(srv_req *rq, int status, char *body, size_t len) {
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    add_common_headers(rq, r);
    if (status == 405 || status == 204)
        MHD_add_response_header(r, "Allow", route_allow(rq->route));
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"lectern\"");
    if (status == 503)
        MHD_add_response_header(r, "Retry-After", "1");
    if (status == 503 || atomic_load(&g_srv.stopping))
        MHD_add_response_header(r, "Connection", "close");
    return queue(rq, status, r);
}

enum MHD_Result http_send_jw(srv_req *rq, int status, jsonw *w) {
    size_t len;
    char *body = jw_take(w, &len);
    if (!body)
        return http_error(rq, 500, "internal", "out of memory");
    return http_send(rq, status, body, len);
}

enum MHD_Result http_error_with(srv_req *rq, int status, const char *code, const char *message,
                                void (*fn)(jsonw *w, void *ctx), void *ctx) {
    jsonw w;
    size_t len;
    char *body;
    jw_init(&w, 256);
    jw_obj(&w);
    jw_key(&w, "error");
    jw_obj(&w);
    jw_key(&w, "code");
    jw_str(&w, code);
    jw_key(&w, "message");
    jw_str(&w, message);
    if (fn)
        fn(&w, ctx);
    jw_obj_end(&w);
    jw_obj_end(&w);
    body = jw_take(&w, &len);
    if (!body) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        struct MHD_Response *r =
            MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
        return queue(rq, 500, r);
    }
    return http_send(rq, status, body, len);
}

enum MHD_Result http_error(srv_req *rq, int status, const char *code, const char *message) {
    return http_error_with(rq, status, code, message, NULL, NULL);
}

static enum MHD_Result send_page(srv_req *rq) {
    enum MHD_Result ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, page_response);
    if (ret == MHD_YES)
        rq->status = MHD_HTTP_OK;
    return ret;
}

/* OPTIONS: the CORS preflight (or a plain OPTIONS) answered with 204. */
static enum MHD_Result send_options(srv_req *rq) {
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    const char *allow = route_allow(rq->route);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Allow", allow);
    add_common_headers(rq, r);
    if (cors_origin(rq)) {
        MHD_add_response_header(r, "Access-Control-Allow-Methods", allow);
        MHD_add_response_header(r, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
    }
    return queue(rq, MHD_HTTP_NO_CONTENT, r);
}

/* ---- Routing ---------------------------------------------------------- */

/* Sets rq->route (and rq->id for the lecture routes) from the path. */
static void route(srv_req *rq, const char *url) {
    static const char lectures[] = "/api/lectures";
    static const char related[] = "/related";
    size_t n;
    rq->route = ROUTE_NONE;
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        rq->route = ROUTE_PAGE;
    else if (strcmp(url, "/healthz") == 0)
        rq->route = ROUTE_HEALTHZ;
    else if (strcmp(url, "/api/stats") == 0)
        rq->route = ROUTE_STATS;
    else if (strcmp(url, "/api/tags") == 0)
        rq->route = ROUTE_TAGS;
    else if (strcmp(url, "/api/search") == 0)
        rq->route = ROUTE_SEARCH;
    else if (strcmp(url, lectures) == 0)
        rq->route = ROUTE_LECTURES;
    else if (strncmp(url, lectures, sizeof lectures - 1) == 0 && url[sizeof lectures - 1] == '/') {
        /* The id is the rest of the (already %-decoded) path, so ids may
         * contain '/'; a trailing "/related" names the related route. */
        rq->id = url + sizeof lectures;
        n = strlen(rq->id);
        if (n > sizeof related - 1 && strcmp(rq->id + n - (sizeof related - 1), related) == 0) {
            rq->route = ROUTE_RELATED;
            n -= sizeof related - 1;
        } else {
            rq->route = ROUTE_LECTURE;
        }
        rq->id_len = n;
        if (n == 0)
            rq->route = ROUTE_NONE;
    }
}

static int method_allowed(int route, const char *m) {
    int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
    switch (route) {
    case ROUTE_LECTURES:
        return strcmp(m, "POST") == 0;
    case ROUTE_LECTURE:
        return get || strcmp(m, "DELETE") == 0;
    default:
        return get;
    }
}

/* Writes need the token; answers 401/403 itself and returns 0 when not. */
static int authorised(srv_req *rq, enum MHD_Result *ret) {
    const char *h;
    if (g_srv.cfg.read_only) {
        *ret = http_error(rq, 403, "forbidden", "the index is open read-only");
        return 0;
    }
    if (!g_srv.cfg.token) {
        *ret = http_error(rq, 403, "forbidden",
                          "writes are disabled: start the server with --token-file or "
                          "LECTERN_TOKEN");
        return 0;
    }
    h = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h) {
        *ret = http_error(rq, 401, "unauthorized", "missing Authorization: Bearer <token>");
        return 0;
    }
    if (!auth_check(&g_srv.cfg, h)) {
        *ret = http_error(rq, 401, "unauthorized", "invalid token");
        return 0;
    }
    return 1;
}

static enum MHD_Result body_too_large(srv_req *rq) {
    char msg[96];
    snprintf(msg, sizeof msg, "the body is larger than %zu bytes (--max-body)", g_srv.cfg.max_body);
    return http_error(rq, 413, "body_too_large", msg);
}

/* First call of a request (headers only).  Only refusals that must not
 * read the body are answered here: MHD closes a connection whose answer
 * was queued before the request was read, so everything else waits for
 * the last call and keeps the connection alive. */
static enum MHD_Result first_call(srv_req *rq, const char *url, const char *method) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    enum MHD_Result ret;
    const char *cl;
    route(rq, url);
    if (ci && ci->socket_context == &REJECTED)
        return http_error(rq, 503, "over_capacity", "too many connections; try again shortly");
    if (rq->route != ROUTE_LECTURES || strcmp(method, "POST") != 0)
        return MHD_YES;
    if (!authorised(rq, &ret))
        return ret;
    cl = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        unsigned long long n;
        errno = 0;
        n = strtoull(cl, &end, 10);
        if (errno || end == cl || n > g_srv.cfg.max_body)
            return body_too_large(rq);
        if (n > 0) {
            rq->body = malloc((size_t)n + 1);
            if (!rq->body)
                return http_error(rq, 500, "internal", "out of memory");
            rq->body_cap = (size_t)n + 1;
        }
    }
    return MHD_YES; /* the body follows */
}

/* Last call: the whole request is read. */
static enum MHD_Result last_call(srv_req *rq, const char *method) {
    enum MHD_Result ret;
    if (rq->route == ROUTE_NONE)
        return http_error(rq, 404, "not_found", "no such endpoint");
    if (strcmp(method, "OPTIONS") == 0)
        return send_options(rq);
    if (!method_allowed(rq->route, method)) {
        char msg[96];
        snprintf(msg, sizeof msg, "%.16s is not allowed here; allowed: %s", method,
                 route_allow(rq->route));
        return http_error(rq, 405, "method_not_allowed", msg);
    }
    if (rq->body_too_big)
        return body_too_large(rq);
    switch (rq->route) {
    case ROUTE_PAGE:
        return send_page(rq);
    case ROUTE_HEALTHZ:
        return api_healthz(rq);
    case ROUTE_STATS:
        return api_stats(rq);
    case ROUTE_TAGS:
        return api_tags(rq);
    case ROUTE_SEARCH:
        return api_search(rq);
    case ROUTE_RELATED:
        return api_related(rq);
    case ROUTE_LECTURE:
        if (strcmp(method, "DELETE") != 0)
            return api_get(rq);
        if (!authorised(rq, &ret))
            return ret;
        return api_delete(rq);
    case ROUTE_LECTURES:
        if (rq->body)
            rq->body[rq->body_len] = '\0';
        return api_put(rq);
    }
    return http_error(rq, 404, "not_found", "no such endpoint");
}

/* Appends a chunk of the body (or only counts it unless keep), and drops
 * it once the limit is passed. */
static void body_append(srv_req *rq, const char *data, size_t n, int keep) {
    if (rq->body_too_big)
        return;
    if (rq->body_len + n > g_srv.cfg.max_body) {
        free(rq->body);
        rq->body = NULL;
        rq->body_len = rq->body_cap = 0;
        rq->body_too_big = 1;
        return;
    }
    if (!keep) {
        rq->body_len += n;
        return;
    }
    if (rq->body_len + n + 1 > rq->body_cap) {
        size_t cap = rq->body_cap ? rq->body_cap * 2 : 4096;
        char *b;
        while (cap < rq->body_len + n + 1)
            cap *= 2;
        if (cap > g_srv.cfg.max_body + 1)
            cap = g_srv.cfg.max_body + 1;
        b = realloc(rq->body, cap);
        if (!b) {
            free(rq->body);
            rq->body = NULL;
            rq->body_len = rq->body_cap = 0;
            rq->body_too_big = 1;
            return;
        }
        rq->body = b;
        rq->body_cap = cap;
    }
    memcpy(rq->body + rq->body_len, data, n);
    rq->body_len += n;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    srv_req *rq = *con_cls;
    (void)cls;
    (void)version;
    if (!rq) {
        size_t n = strlen(url), i;
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
        atomic_fetch_add(&g_srv.in_flight, 1);
        rq->conn = conn;
        rq->t0 = srv_now();
        snprintf(rq->method, sizeof rq->method, "%s", method);
        if (n >= sizeof rq->path)
            n = sizeof rq->path - 1;
        /* the path is %-decoded: keep the log one line per request */
        for (i = 0; i < n; i++)
            rq->path[i] = (unsigned char)url[i] <= ' ' || url[i] == 0x7f ? '?' : url[i];
        rq->path[n] = '\0';
        return first_call(rq, url, method);
    }
    if (*upload_data_size) {
        /* only POST /api/lectures keeps its body; others are counted */
        if (!rq->status)
            body_append(rq, upload_data, *upload_data_size, rq->route == ROUTE_LECTURES);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->status)
        return MHD_YES; /* already answered */
    return last_call(rq, method);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    srv_req *rq = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!rq)
        return;
    if (!g_srv.cfg.quiet) {
        char line[256];
        long long us = (long long)((srv_now() - rq->t0) * 1e6);
        int n =
            snprintf(line, sizeof line, "%s %s %d %lld\n", rq->method, rq->path, rq->status, us);
        if (n > 0) {
            if ((size_t)n >= sizeof line)
                n = sizeof line - 1, line[n - 1] = '\n';
            /* one write per line: lines from pool threads never interleave */
            if (write(STDERR_FILENO, line, (size_t)n) < 0) {
                /* nowhere to report it */
            }
        }
    }
    free(rq->body);
    free(rq);
    *con_cls = NULL;
    atomic_fetch_sub(&g_srv.in_flight, 1);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    (void)cls;
    (void)conn;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        unsigned cur = atomic_load(&g_srv.admitted);
        do {
            if (cur >= g_srv.cfg.max_connections) {
                *socket_context = &REJECTED;
                return;
            }
        } while (!atomic_compare_exchange_weak(&g_srv.admitted, &cur, cur + 1));
        *socket_context = &ADMITTED;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (*socket_context == &ADMITTED)
            atomic_fetch_sub(&g_srv.admitted, 1);
        *socket_context = NULL;
    }
}

/* ---- Start and stop --------------------------------------------------- */

static struct MHD_Response *make_page_response(void) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(page_html_len, (void *)page_html, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return NULL;
    MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                            "frame-ancestors 'none'");
    return r;
}

struct MHD_Daemon *http_start(unsigned *port_out) {
    const srv_config *cfg = &g_srv.cfg;
    struct addrinfo hints, *ai = NULL;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    unsigned hard_limit =
        cfg->max_connections + (cfg->max_connections / 4 > 64 ? cfg->max_connections / 4 : 64);
    char portstr[16];
    int rc;

    if (pthread_key_create(&g_srv.searcher_key, searcher_destroy) != 0) {
        fprintf(stderr, "lectern-server: pthread_key_create failed\n");
        return NULL;
    }
    page_response = make_page_response();
    if (!page_response) {
        fprintf(stderr, "lectern-server: out of memory\n");
        return NULL;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(portstr, sizeof portstr, "%u", cfg->port);
    rc = getaddrinfo(cfg->bind, portstr, &hints, &ai);
    if (rc != 0 || !ai) {
        fprintf(stderr, "lectern-server: --bind %s: %s\n", cfg->bind, gai_strerror(rc));
        return NULL;
    }
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
        flags |= MHD_USE_EPOLL;
    if (!cfg->quiet)
        flags |= MHD_USE_ERROR_LOG;

    d = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 1 ? cfg->threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, hard_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        fprintf(stderr, "lectern-server: cannot listen on %s port %u: %s\n", cfg->bind, cfg->port,
                errno ? strerror(errno) : "libmicrohttpd refused the configuration");
        return NULL;
    }
    di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *port_out = di && di->port ? di->port : cfg->port;
    return d;
}

void http_stop(struct MHD_Daemon *d) {
    MHD_socket fd;
    atomic_store(&g_srv.stopping, 1);
    fd = MHD_quiesce_daemon(d);
    double until = srv_now() + SRV_SHUTDOWN_GRACE_MS / 1000.0;
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    /* in-flight requests finish (their answers close the connection);
     * idle keep-alive connections are closed by MHD_stop_daemon */
    while (atomic_load(&g_srv.in_flight) > 0 && srv_now() < until) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    MHD_destroy_response(page_response);
    page_response = NULL;
}
