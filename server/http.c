/*
 * http.c -- the HTTP layer: libmicrohttpd setup, request life, limits, CORS,
 * error bodies and the access log.
 *
 * Threads: MHD runs a pool of cfg.threads threads (epoll where the library
 * has it), each polling its share of the connections and calling
 * on_request.  Nothing on the read path takes a lock: each pool thread
 * opens its own lx_searcher on its first request and keeps it in
 * thread-specific data, closed by the key's destructor when the pool
 * thread exits in MHD_stop_daemon.
 *
 * Routing (route.c): the route table has one row per endpoint; routing,
 * 405 and Allow are all read from it.
 *
 * Request life: MHD calls on_uri with the request target as sent (we
 * allocate an srv_req and keep a copy), then on_request once with the
 * headers, then once per body chunk, then once more with
 * *upload_data_size == 0.  Requests are answered on that last call: MHD
 * closes the connection after an answer queued earlier, which would cost
 * keep-alive.  Only refusals that should not read the body (503, and a
 * body route's 401/403/413) are answered on the first call.  on_completed
 * writes the access-log line and frees the srv_req.  http_handle runs the
 * same steps without a connection, for tests and the fuzz target.
 *
 * Limits: admit.c decides which connections are served (per address,
 * overall) and cuts those that send too slowly; their requests get 429 or
 * 503 here, and the connection is closed.  MHD itself is given some
 * headroom above the limits, past which it refuses connections outright.
 * Bodies beyond cfg.max_body get 413: at once when Content-Length says
 * so, else after the rest is read and dropped.  Parameters and path ids
 * with control characters get 400 before any handler runs.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

srv_state g_srv;

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
        api_engine_error(rq, rc, &err);
        return NULL;
    }
    pthread_setspecific(g_srv.searcher_key, s);
    return s;
}

void http_searcher_reset(void) {
    lx_searcher *s = pthread_getspecific(g_srv.searcher_key);
    if (s) {
        pthread_setspecific(g_srv.searcher_key, NULL);
        lx_searcher_close(s);
    }
}

/* ---- Responses -------------------------------------------------------- */

/* The Access-Control-Allow-Origin value for this request, or NULL. */
static const char *cors_origin(srv_req *rq) {
    const char *origin;
    size_t len = 0;
    unsigned i;
    if (g_srv.cfg.n_cors == 0)
        return NULL;
    origin = http_header(rq, "Origin", &len);
    for (i = 0; i < g_srv.cfg.n_cors; i++) {
        if (strcmp(g_srv.cfg.cors[i], "*") == 0)
            return "*";
        if (origin && strlen(g_srv.cfg.cors[i]) == len &&
            strncasecmp(g_srv.cfg.cors[i], origin, len) == 0)
            return g_srv.cfg.cors[i];
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

/* Keeps the answer of a request run by http_handle. */
static enum MHD_Result keep_answer(srv_req *rq, int status, char *body, size_t len) {
    free(rq->answer);
    rq->answer = body;
    rq->answer_len = len;
    rq->status = status;
    return MHD_YES;
}

enum MHD_Result http_send(srv_req *rq, int status, char *body, size_t len) {
    return http_send_typed(rq, status, body, len, "application/json; charset=utf-8");
}

enum MHD_Result http_send_typed(srv_req *rq, int status, char *body, size_t len,
                                const char *content_type) {
    struct MHD_Response *r;
    char allow[64];
    rq->bytes_out = len;
    if (!rq->conn)
        return keep_answer(rq, status, body, len);
    r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", content_type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    add_common_headers(rq, r);
    if (status == 405) {
        http_allow_string(rq->allow, allow, sizeof allow);
        MHD_add_response_header(r, "Allow", allow);
    }
    if (status == 401)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"lectern\"");
    if (status == 503 || status == 429)
        MHD_add_response_header(r, "Retry-After", "1");
    if (status == 503 || status == 429 || atomic_load(&g_srv.stopping))
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
        struct MHD_Response *r;
        if (!rq->conn)
            return keep_answer(rq, 500, NULL, 0);
        r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
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

enum MHD_Result api_page(srv_req *rq) {
    enum MHD_Result ret;
    if (!rq->conn)
        return keep_answer(rq, MHD_HTTP_OK, NULL, 0);
    ret = MHD_queue_response(rq->conn, MHD_HTTP_OK, page_response);
    if (ret == MHD_YES)
        rq->status = MHD_HTTP_OK;
    rq->bytes_out = page_html_len;
    return ret;
}

/* OPTIONS: the CORS preflight (or a plain OPTIONS) answered with 204. */
static enum MHD_Result send_options(srv_req *rq) {
    struct MHD_Response *r;
    char allow[64];
    if (!rq->conn)
        return keep_answer(rq, MHD_HTTP_NO_CONTENT, NULL, 0);
    http_allow_string(rq->allow, allow, sizeof allow);
    r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
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

/* The offset of the first control character (C0 or DEL) in s[0..n), or
 * -1.  Ids, tokens and parameters holding one are refused: a NUL would
 * cut them short where C strings are used, and none has a use. */
static long control_at(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return (long)i;
    return -1;
}

/* Refuses a request whose parameters or path id hold a control
 * character with 400 bad_parameter; returns 0 when there is none. */
static int bad_input(srv_req *rq, enum MHD_Result *ret) {
    char msg[160];
    size_t i;
    long at;
    for (i = 0; i < rq->n_args; i++) {
        const srv_kv *a = &rq->args[i];
        const char *name = a->key, *bad = a->val;
        if ((at = control_at(a->key, a->klen)) >= 0)
            name = "a parameter name", bad = a->key;
        else if ((at = control_at(a->val, a->vlen)) < 0)
            continue;
        snprintf(msg, sizeof msg, "%.32s contains a control character (%%%02X at byte %ld)", name,
                 (unsigned char)bad[at], at);
        *ret = http_error(rq, 400, "bad_parameter", msg);
        return 1;
    }
    if (rq->id_len <= LX_MAX_ID_BYTES && (at = control_at(rq->id, rq->id_len)) >= 0) {
        snprintf(msg, sizeof msg,
                 "the lecture id contains a control character (%%%02X at byte %ld)",
                 (unsigned char)rq->id[at], at);
        *ret = http_error(rq, 400, "bad_parameter", msg);
        return 1;
    }
    return 0;
}

/* Writes need a write key (or the admin token), key management and
 * snapshots an admin key, reads a search key with --private (keys.c);
 * answers 401/403 itself and returns 0 when not. */
static int authorised(srv_req *rq, enum MHD_Result *ret) {
    unsigned need = (rq->route->flags & SRV_ROUTE_ADMIN)   ? LX_KEY_ADMIN
                    : (rq->route->flags & SRV_ROUTE_TOKEN) ? LX_KEY_WRITE
                                                           : LX_KEY_SEARCH;
    return keys_authorise(rq, need, ret);
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
static enum MHD_Result first_call(srv_req *rq) {
    enum MHD_Result ret;
    const char *cl;
    size_t cl_len = 0;
    http_route(rq);
    http_parse_args(rq);
    switch (admit_verdict(rq->sc)) {
    case ADMIT_OVER_CAPACITY:
        return http_error(rq, 503, "over_capacity", "too many connections; try again shortly");
    case ADMIT_OVER_IP: {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "more than %u connections from your address (--max-connections-per-ip)",
                 g_srv.cfg.max_per_ip);
        return http_error(rq, 429, "too_many_connections", msg);
    }
    default:
        break;
    }
    if (!rq->route || !(rq->route->flags & SRV_ROUTE_BODY))
        return MHD_YES;
    if ((rq->route->flags & SRV_ROUTE_TOKEN) && !authorised(rq, &ret))
        return ret;
    cl = http_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH, &cl_len);
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
static enum MHD_Result last_call(srv_req *rq) {
    enum MHD_Result ret;
    if (!rq->pattern)
        return http_error(rq, 404, "not_found", "no such endpoint");
    if (rq->method_bit == SRV_M_OPTIONS)
        return send_options(rq);
    if (!rq->route) {
        char msg[128], allow[64];
        http_allow_string(rq->allow, allow, sizeof allow);
        snprintf(msg, sizeof msg, "%.16s is not allowed here; allowed: %s", rq->method, allow);
        return http_error(rq, 405, "method_not_allowed", msg);
    }
    if (rq->body_too_big)
        return body_too_large(rq);
    if (bad_input(rq, &ret))
        return ret;
    if ((rq->route->flags & SRV_ROUTE_TOKEN) && !(rq->route->flags & SRV_ROUTE_BODY) &&
        !authorised(rq, &ret))
        return ret;
    if ((rq->route->flags & SRV_ROUTE_READ) && g_srv.cfg.private_search && !authorised(rq, &ret))
        return ret;
    if (rq->body)
        rq->body[rq->body_len] = '\0';
    return rq->route->handler(rq);
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

/* A request as it starts: its target as sent, before libmicrohttpd
 * decodes it (routing needs the raw path: "a%2Frelated" is one id). */
static srv_req *req_new(const char *target, size_t n) {
    srv_req *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->target = malloc(n + 1);
    if (!rq->target) {
        free(rq);
        return NULL;
    }
    memcpy(rq->target, target, n);
    rq->target[n] = '\0';
    rq->target_len = strcspn(rq->target, "?");
    rq->t0 = srv_now();
    return rq;
}

/* The request line is read: the method, and the path for the log. */
static void req_start(srv_req *rq, const char *method) {
    size_t n, i;
    rq->started = 1;
    /* in flight from here: shutdown waits for it, not for heads that
     * never came */
    atomic_fetch_add(&g_srv.in_flight, 1);
    rq->method_bit = http_method_bit(method);
    snprintf(rq->method, sizeof rq->method, "%s", method);
    n = http_decode(rq->target, rq->target_len, rq->path, sizeof rq->path - 1, 0);
    if (n >= sizeof rq->path)
        n = sizeof rq->path - 1;
    /* the path is %-decoded: keep the log one line per request */
    for (i = 0; i < n; i++)
        if ((unsigned char)rq->path[i] <= ' ' || rq->path[i] == 0x7f)
            rq->path[i] = '?';
    rq->path[n] = '\0';
}

static void req_end(srv_req *rq) {
    if (rq->started && rq->conn) {
        double seconds = srv_now() - rq->t0;
        accesslog_write(rq, seconds);
        metrics_request(rq, seconds);
    }
    if (rq->started)
        atomic_fetch_sub(&g_srv.in_flight, 1);
    free(rq->answer);
    free(rq->target);
    free(rq->body);
    free(rq);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    srv_req *rq = req_new(uri, strlen(uri));
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    (void)cls;
    if (!rq)
        return NULL;
    rq->conn = conn;
    rq->sc = ci ? ci->socket_context : NULL;
    admit_request_line(rq->sc);
    return rq;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
    srv_req *rq = *con_cls;
    (void)cls;
    (void)conn;
    (void)url;
    (void)version;
    if (!rq)
        return MHD_NO; /* on_uri ran out of memory */
    if (!rq->started) {
        req_start(rq, method);
        admit_head_read(rq->sc);
        return first_call(rq);
    }
    if (*upload_data_size) {
        /* only a route that keeps its body keeps it; others are counted */
        if (!rq->status)
            body_append(rq, upload_data, *upload_data_size,
                        rq->route && (rq->route->flags & SRV_ROUTE_BODY));
        *upload_data_size = 0;
        return MHD_YES;
    }
    admit_request_read(rq->sc);
    if (rq->status)
        return MHD_YES; /* already answered */
    return last_call(rq);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    srv_req *rq = *con_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (!rq)
        return;
    admit_request_done(rq->sc);
    req_end(rq);
    *con_cls = NULL;
}

int http_handle(const char *method, const char *target, size_t target_len, const srv_kv *headers,
                size_t n_headers, const char *body, size_t body_len, srv_answer *out) {
    srv_req *rq = req_new(target, target_len);
    memset(out, 0, sizeof *out);
    if (!rq)
        return -1;
    rq->headers = headers;
    rq->n_headers = n_headers;
    req_start(rq, method);
    first_call(rq);
    if (!rq->status) {
        if (body_len)
            body_append(rq, body, body_len, rq->route && (rq->route->flags & SRV_ROUTE_BODY));
        last_call(rq);
    }
    out->status = rq->status;
    if (out->status == 405 || out->status == 204)
        http_allow_string(rq->allow, out->allow, sizeof out->allow);
    out->body = rq->answer;
    out->len = rq->answer_len;
    rq->answer = NULL;
    req_end(rq);
    return 0;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
    (void)cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *addr =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context = fd ? admit_open(fd->connect_fd, addr ? addr->client_addr : NULL) : NULL;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        admit_close(*socket_context);
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

int http_init(void) {
    if (pthread_key_create(&g_srv.searcher_key, searcher_destroy) != 0) {
        fprintf(stderr, "lectern-server: pthread_key_create failed\n");
        return -1;
    }
    page_response = make_page_response();
    if (!page_response) {
        fprintf(stderr, "lectern-server: out of memory\n");
        pthread_key_delete(g_srv.searcher_key);
        return -1;
    }
    return 0;
}

void http_fini(void) {
    http_searcher_reset();
    pthread_key_delete(g_srv.searcher_key);
    MHD_destroy_response(page_response);
    page_response = NULL;
}

struct MHD_Daemon *http_start(unsigned *port_out) {
    const srv_config *cfg = &g_srv.cfg;
    struct addrinfo hints, *ai = NULL;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;
    /* Past the limits, connections are still accepted so that their
     * requests get a 503 or 429 that says why; MHD refuses outright only
     * past this headroom (and one address past twice its limit). */
    unsigned hard_limit = cfg->max_connections +
                          (cfg->max_connections / 4 > 64 ? cfg->max_connections / 4 : 64) +
                          cfg->max_per_ip;
    char portstr[16];
    struct rlimit rl;
    int rc;

    /* every connection is a descriptor: make room for them all */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)hard_limit + 64) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)hard_limit + 64 ? rl.rlim_max : (rlim_t)hard_limit + 64;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < (rlim_t)hard_limit + 64)
            fprintf(stderr,
                    "lectern-server: warning: %llu file descriptors allowed, %u connections "
                    "configured\n",
                    (unsigned long long)rl.rlim_cur, hard_limit);
    }
    if (http_init() != 0)
        return NULL;
    if (admit_start() != 0) {
        fprintf(stderr, "lectern-server: cannot start the deadline watchdog\n");
        http_fini();
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
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 2 * cfg->max_per_ip, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)cfg->header_buffer, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!d) {
        admit_stop();
        http_fini();
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
    admit_stop();
    http_fini();
}
