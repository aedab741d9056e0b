/*
 * server.h -- internal interfaces of lectern-server, one section per file.
 *
 * The server is a thin layer over lectern.h: libmicrohttpd accepts and
 * parses HTTP in its own thread pool, admit.c decides which connections
 * are served and for how long, http.c routes each request (one route
 * table) and enforces the limits, api.c turns a request into engine calls
 * and writes the JSON answer with jsonw.c, a page of results with
 * resjson.c, which the CLI's --json shares (and maps engine errors to
 * HTTP, one table).  Each pool thread owns one lx_searcher,
 * opened on its first request (no lock on the search path); writes take
 * one mutex because LMDB has one writer.
 */
#ifndef LECTERN_SERVER_H
#define LECTERN_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <microhttpd.h>

#include "jsonw.h"
#include "lectern.h"
#include "resjson.h"

/* ---- Configuration (main.c) ------------------------------------------- */

#define SRV_MAX_CORS_ORIGINS 16
#define SRV_DEFAULT_PORT 8080
#define SRV_DEFAULT_MAX_BODY (16u << 20)
#define SRV_DEFAULT_MAX_CONNECTIONS 1024
#define SRV_DEFAULT_MAX_LIMIT 100                 /* largest limit= of one page */
#define SRV_DEFAULT_FACETS RESJSON_DEFAULT_FACETS /* values listed per facet (facets=) */
#define SRV_MAX_FACETS 1000
#define SRV_DEFAULT_TIMEOUT 30        /* seconds to the next request line */
#define SRV_DEFAULT_MAX_PER_IP 64     /* connections served per client address */
#define SRV_DEFAULT_HEADER_TIMEOUT 10 /* seconds from request line to end of headers */
#define SRV_DEFAULT_BODY_TIMEOUT 60   /* seconds from end of headers to end of body */
#define SRV_SHUTDOWN_GRACE_MS 10000
#define SRV_DEFAULT_CACHE_MB 32 /* response cache (--cache-mb; 0 = off) */
/* Bytes of each connection's buffer for the request line and headers
 * (MHD's memory pool, --header-buffer).  16 KiB takes a GET whose q has up
 * to about 15,800 bytes as sent (32 KiB, MHD's own default, 32,200):
 * twice the request line nginx passes by default (8 KiB) and four times
 * Elasticsearch's (4 KiB); longer texts go by POST.  MHD zeroes the pool
 * after each request (and half of it when the read buffer shrinks): at 32
 * KiB that memset was 1.6-2.0% of the server's cycles under wrk, at 16
 * KiB 1.2% (tests/bench/README.md, round eleven). */
#define SRV_DEFAULT_HEADER_BUFFER (16u << 10)
#define SRV_MIN_HEADER_BUFFER (4u << 10)
#define SRV_MAX_HEADER_BUFFER (1u << 20)

typedef struct srv_config {
    const char *index_dir;
    const char *bind;       /* address to listen on */
    unsigned port;          /* 0 = any free port */
    unsigned threads;       /* MHD pool threads */
    const char *token_file; /* bearer token for writes */
    char *token;            /* the token itself, NULL = writes disabled */
    size_t token_len;
    const char *cors[SRV_MAX_CORS_ORIGINS]; /* allowed origins, "*" = any */
    unsigned n_cors;
    size_t max_body;          /* bytes of one request body */
    unsigned max_connections; /* admitted at once; more get 503 */
    unsigned max_limit;       /* largest limit= */
    unsigned max_per_ip;      /* served from one address; more get 429 (0 = no limit) */
    unsigned timeout;         /* seconds a new or idle connection has to send a
                                 request line (also the idle timeout) */
    unsigned header_timeout;  /* seconds from the request line to the end of the headers */
    unsigned body_timeout;    /* seconds from the end of the headers to the end of the body */
    unsigned header_buffer;   /* bytes of a request line and headers (MHD's pool) */
    size_t cache_bytes;       /* response cache budget, 0 = no cache */
    uint64_t work_budget;     /* lx_search_opts.work_budget (--work-budget) */
    int quiet;                /* no access log */
    int read_only;            /* open the index read-only */
    int create;               /* create the index when missing */
    /* operations (issue 16): config.c, accesslog.c, keys.c, snapshots.c */
    const char *config_file;  /* --config: the INI file the flags override */
    int log_level;            /* SRV_LOG_*; --quiet is SRV_LOG_WARN */
    int private_search;       /* --private: reads need a search key too */
    const char *snapshot_dir; /* where POST /api/snapshots writes; NULL = off */
} srv_config;

/* Shared state of the running server.  Everything here is either set
 * before the daemon starts and read-only afterwards, or atomic. */
typedef struct srv_state {
    srv_config cfg;
    lx_index *ix;
    pthread_key_t searcher_key; /* each pool thread's lx_searcher */
    pthread_mutex_t write_lock; /* LMDB has one writer */
    double started;             /* monotonic seconds at start */
    atomic_uint admitted;       /* connections admitted (not over limit) */
    atomic_ulong timed_out;     /* connections closed at a deadline (admit.c) */
    atomic_uint in_flight;      /* requests between start and completion */
    atomic_int stopping;        /* shutting down: answers close their connection */
} srv_state;

extern srv_state g_srv;

/* Monotonic clock in seconds. */
double srv_now(void);

/* ---- Authorisation (auth.c) ------------------------------------------- */

/* Reads the token from cfg->token_file or $LECTERN_TOKEN (trailing
 * whitespace trimmed) into cfg->token.  Returns 0, or -1 after printing why. */
int auth_load(srv_config *cfg);

/* Whether the Authorization header value header[0..len) is
 * "Bearer <token>" with the configured token (every byte of it: a NUL
 * inside is a difference).  Runs in time independent of where the bytes
 * differ. */
int auth_check(const srv_config *cfg, const char *header, size_t len);

/* Reads the token again (SIGHUP); on failure the old one stays and -1 is
 * returned after printing why. */
int auth_reload(srv_config *cfg);

/* Whether a token is configured (writes possible without index keys). */
int auth_enabled(void);

/* ---- Admission control (admit.c) ------------------------------------ */

/* One connection as admission control sees it. */
typedef struct srv_conn srv_conn;

enum { ADMIT_OK, ADMIT_OVER_CAPACITY, ADMIT_OVER_IP };

/* Starts and stops the deadline watchdog thread.  admit_start returns 0,
 * or -1 when the thread cannot start. */
int admit_start(void);
void admit_stop(void);

/* A connection opened (socket fd, client address): counted against the
 * limits, its first deadline set.  NULL out of memory (the connection is
 * then served, uncounted). */
srv_conn *admit_open(int fd, const struct sockaddr *addr);

/* A connection closed (before its socket is): uncounted and forgotten. */
void admit_close(srv_conn *c);

/* ADMIT_OK, or the limit it is over (its requests get 503 or 429). */
int admit_verdict(const srv_conn *c);

/* The deadlines of one request's phases: its request line arrived (the
 * headers follow), its headers are read (the body follows), all of it is
 * read (no deadline while answering), its answer is sent (the next request
 * line must come within cfg.timeout).  Each accepts NULL. */
void admit_request_line(srv_conn *c);
void admit_head_read(srv_conn *c);
void admit_request_read(srv_conn *c);
void admit_request_done(srv_conn *c);

/* ---- Response cache (cache.c) ---------------------------------------- */

/* Sets up a cache of at most `bytes` of answers (0: no cache, every call
 * below is a no-op or a miss).  Returns 0, or -1 out of memory. */
int cache_init(size_t bytes);
void cache_free(void);

/* 1 when there is a cache (so a read builds its key), else 0. */
int cache_on(void);

/* The answer stored under key at this index version, as a malloc'd
 * NUL-terminated copy whose took_ms is the time since t0 (srv_now()), or
 * NULL (a miss; an entry of another version is dropped). */
char *cache_get(const char *key, size_t klen, uint64_t version, double t0, size_t *len);

/* Stores a copy of body, the answer to key at this index version;
 * body[took_off..took_end) is its took_ms value.  Best effort: an answer
 * too large for the cache, or no memory, stores nothing. */
void cache_put(const char *key, size_t klen, uint64_t version, const char *body, size_t blen,
               size_t took_off, size_t took_end);

typedef struct cache_stat {
    unsigned long hits, misses;
    size_t entries, bytes, budget;
} cache_stat;

void cache_stats(cache_stat *out);

/* ---- HTTP layer (http.c) ---------------------------------------------- */

/* HTTP methods as bits, in the order an Allow header lists them. */
enum {
    SRV_M_GET = 1 << 0,
    SRV_M_HEAD = 1 << 1,
    SRV_M_POST = 1 << 2,
    SRV_M_PUT = 1 << 3,
    SRV_M_PATCH = 1 << 4,
    SRV_M_DELETE = 1 << 5,
    SRV_M_OPTIONS = 1 << 6,
};
#define SRV_N_METHODS 7

/* The method's name ("GET") for one SRV_M_* bit, NULL for another value. */
const char *http_method_name(unsigned bit);

#define SRV_MAX_ARGS 32 /* query-string parameters kept per request */

/* A header or query-string parameter: key and value with their lengths
 * (a value may hold any byte, NUL included, until it is checked). */
typedef struct srv_kv {
    const char *key, *val;
    size_t klen, vlen;
} srv_kv;

struct srv_route;

/* One HTTP request, from the request line to its completion. */
typedef struct srv_req {
    struct MHD_Connection *conn; /* NULL: run by http_handle (tests, fuzzing) */
    srv_conn *sc;                /* its connection's admission record, or NULL */
    const srv_kv *headers;       /* the headers when conn is NULL */
    size_t n_headers;
    double t0;  /* srv_now() when the request line arrived */
    int status; /* status queued, for the access log */
    int started;
    unsigned method_bit;           /* SRV_M_*, 0 for a method we do not know */
    const struct srv_route *route; /* the row answering this method, or NULL */
    const char *pattern;           /* the path's pattern, NULL when no row matches */
    unsigned allow;                /* SRV_M_* served on this path (for Allow) */
    char method[8];
    char path[160];            /* for the access log, decoded and truncated */
    char *target;              /* the request target as sent; args point into it */
    size_t target_len;         /* its length up to '?' (the raw path) */
    srv_kv args[SRV_MAX_ARGS]; /* query-string parameters, %-decoded */
    size_t n_args;
    char id[LX_MAX_ID_BYTES + 1]; /* the {id} of the path, %-decoded */
    size_t id_len;                /* LX_MAX_ID_BYTES + 1 when longer */
    char *body;                   /* request body (POST), NUL-terminated */
    size_t body_len, body_cap;
    int body_too_big; /* the rest of the body is being discarded */
    size_t bytes_out; /* body bytes answered, for the access log */
    char cache;       /* 'h' answered from the cache, 'm' a miss, 0 not cacheable */
    int has_key;      /* key holds the API key the request was made with */
    lx_key key;
    char *answer; /* the body answered when conn is NULL */
    size_t answer_len;
} srv_req;

/* One endpoint: a row of the route table in http.c.  A path is served by
 * the first row whose pattern matches it; every row with that pattern
 * together gives the methods the path accepts (Allow). */
typedef struct srv_route {
    unsigned methods;    /* SRV_M_*; GET implies HEAD */
    const char *pattern; /* "/api/lectures/{id}/related": {id} is a lecture id */
    enum MHD_Result (*handler)(srv_req *rq);
    unsigned flags; /* SRV_ROUTE_* */
} srv_route;

enum {
    SRV_ROUTE_TOKEN = 1, /* a write: needs Authorization: Bearer <token> */
    SRV_ROUTE_BODY = 2,  /* keeps the request body for the handler */
    SRV_ROUTE_ADMIN = 4, /* with SRV_ROUTE_TOKEN: needs an admin key */
    SRV_ROUTE_READ = 8,  /* a read of the index: needs a search key with --private */
};

/* The route table, *n rows. */
const srv_route *http_routes(size_t *n);

/* route.c: the SRV_M_* bit of a method name (0 for an unknown one); the
 * Allow header value of the methods in bits, into buf; routing rq from its
 * raw path (rq->pattern, rq->allow, rq->route, rq->id); and splitting its
 * query string into rq->args, %-decoded in place. */
unsigned http_method_bit(const char *m);
void http_allow_string(unsigned bits, char *buf, size_t size);
void http_route(srv_req *rq);
void http_parse_args(srv_req *rq);
/* %-decodes p[0..n) into out (at most size bytes; '+' is a space when
 * plus); the decoded length, or size + 1 when it does not fit. */
size_t http_decode(const char *p, size_t n, char *out, size_t size, int plus);

/* Sets up what answering needs (thread key of the searchers, the page):
 * called by http_start, and by a program that calls http_handle.
 * Returns 0, or -1 after printing why. */
int http_init(void);
void http_fini(void);

/* Starts the MHD daemon on cfg->bind:cfg->port; *port_out receives the
 * bound port.  Returns NULL after printing why. */
struct MHD_Daemon *http_start(unsigned *port_out);

/* Stops accepting, lets in-flight requests finish (bounded), stops. */
void http_stop(struct MHD_Daemon *d);

/* An answer of http_handle: its status, Allow header and body (malloc'd,
 * the caller frees it). */
typedef struct srv_answer {
    int status;
    char allow[64];
    char *body;
    size_t len;
} srv_answer;

/* Runs one request through the steps the daemon takes -- routing,
 * limits, authorisation, the handler -- without a connection: the method,
 * the request target as sent ("/api/search?q=x"), the headers and the
 * body.  For tests and the fuzz target; g_srv must be set up and
 * http_init called.  Returns 0, or -1 out of memory. */
int http_handle(const char *method, const char *target, size_t target_len, const srv_kv *headers,
                size_t n_headers, const char *body, size_t body_len, srv_answer *out);

/* A header of the request (name case-insensitive), *len its length;
 * NULL when absent. */
const char *http_header(srv_req *rq, const char *name, size_t *len);

/* A query-string parameter, %-decoded and NUL-terminated (a request whose
 * parameters hold control characters is refused before any handler
 * runs); NULL when absent or empty. */
const char *http_param(srv_req *rq, const char *name);

/* The path's id part ("/api/lectures/{id}") into buf, NUL-terminated;
 * -1 when it is empty or does not fit size bytes. */
int http_path_part(srv_req *rq, char *buf, size_t size);

/* Queues a JSON response (takes ownership of body, a malloc'd buffer). */
enum MHD_Result http_send(srv_req *rq, int status, char *body, size_t len);

/* The same with another Content-Type. */
enum MHD_Result http_send_typed(srv_req *rq, int status, char *body, size_t len,
                                const char *content_type);

/* Queues {"error": {"code", "message"}} with status. */
enum MHD_Result http_error(srv_req *rq, int status, const char *code, const char *message);

/* The same, with extra members written by fn inside "error". */
enum MHD_Result http_error_with(srv_req *rq, int status, const char *code, const char *message,
                                void (*fn)(jsonw *w, void *ctx), void *ctx);

/* Queues a jsonw buffer as the body, or a 500 when it ran out of memory. */
enum MHD_Result http_send_jw(srv_req *rq, int status, jsonw *w);

/* The calling pool thread's searcher, opened on first use; NULL after
 * queuing a 500 on rq. */
lx_searcher *http_searcher(srv_req *rq);

/* Closes the calling thread's searcher (after an error the engine may
 * have left in it); the next http_searcher opens a new one. */
void http_searcher_reset(void);

/* ---- Endpoints (api.c) ------------------------------------------------ */

/* The HTTP status of engine error rc, and its error code (*code): one
 * table in api.c maps every LX_E* code. */
int api_error_status(int rc, const char **code);

/* Answers a request that failed with engine error rc (err's message and
 * where, unless the table has a fixed message).  After a server-side
 * failure (5xx) the thread's searcher is dropped, so the next request
 * starts from a fresh one. */
enum MHD_Result api_engine_error(srv_req *rq, int rc, lx_error *err);

enum MHD_Result api_page(srv_req *rq); /* GET / (http.c) */
enum MHD_Result api_healthz(srv_req *rq);
enum MHD_Result api_stats(srv_req *rq);
enum MHD_Result api_tags(srv_req *rq);
enum MHD_Result api_search(srv_req *rq);
/* Answers a search (kind 's', subject the query), lectures like a text
 * ('t', subject the text) or a related-lectures read ('r', subject the
 * lecture id) from the cache, or runs it, answers, and stores the answer. */
enum MHD_Result api_answer_read(srv_req *rq, char kind, const char *subject);
/* forgive.c: POST /api/search {"q"}, POST /api/related {"text"},
 * GET /api/suggest?q=&limit=&lang= */
enum MHD_Result api_search_post(srv_req *rq);
enum MHD_Result api_related_text(srv_req *rq);
enum MHD_Result api_suggest(srv_req *rq);
enum MHD_Result api_get(srv_req *rq);
enum MHD_Result api_related(srv_req *rq);
/* api_people.c: lecturers and tag suggestions (issue 18) */
enum MHD_Result api_lecturers(srv_req *rq);
enum MHD_Result api_lecturer(srv_req *rq);
enum MHD_Result api_suggested_tags(srv_req *rq);
enum MHD_Result api_put(srv_req *rq); /* POST /api/lectures, body read */
enum MHD_Result api_delete(srv_req *rq);

/* Moments (moments_api.c): GET /api/lectures/{id}/moments?q=; and the best
 * n moments of each hit of r for query q (out[i] per hit, NULL when n is
 * 0), freed with api_moments_free.  Returns 0 or an engine error. */
#define SRV_MAX_HIT_MOMENTS 20 /* largest moments= of a search */
enum MHD_Result api_moments(srv_req *rq);
int api_hit_moments(lx_searcher *s, const lx_results *r, const char *q, const char *lang,
                    unsigned n, lx_moments ***out, lx_error *err);
void api_moments_free(lx_moments **m, size_t n);
/* ---- Operations: config, logs, metrics, keys, snapshots --------------- */

/* Log levels (--log-level): a line is written when its level is at most
 * cfg.log_level.  The access log is SRV_LOG_INFO. */
enum { SRV_LOG_ERROR, SRV_LOG_WARN, SRV_LOG_INFO, SRV_LOG_DEBUG };

/* The level named name ("error", "warn", "info", "debug"), or -1. */
int log_level_parse(const char *name);

/* Writes "lectern-server: <level>: message" on stderr in one write when
 * level is enabled. */
void srv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The access-log line of a finished request (accesslog.c), when enabled. */
void accesslog_write(const srv_req *rq, double seconds);

/* Reads --config FILE (INI, keys named as the long options) into argv
 * form: *argv_out gets "prog", then "--key" and "value" pairs, NULL
 * ended, for the option parser to read before the command line (flags
 * win).  Returns the count, or -1 after printing why (config.c). */
int config_argv(const char *prog, const char *file, char ***argv_out);
void config_argv_free(char **argv);

/* Counts a finished request in the metrics (metrics.c). */
void metrics_request(const srv_req *rq, double seconds);
/* Counts a search answered with "partial": true or refused over budget. */
void metrics_partial(void);
/* Counts a snapshot written (ok) or failed. */
void metrics_snapshot(int ok);
enum MHD_Result api_metrics(srv_req *rq); /* GET /metrics */

/* Whether rq may use its route: answers 401/403 itself and returns 0 when
 * not.  need is LX_KEY_WRITE, LX_KEY_ADMIN or LX_KEY_SEARCH; the token of
 * --token-file is an admin key, the index's keys are looked up by hash
 * (keys.c).  A key found is kept in rq->key. */
int keys_authorise(srv_req *rq, unsigned need, enum MHD_Result *ret);
/* Narrows a search or related read by the fixed filter of rq's key. */
void keys_filter(srv_req *rq, lx_search_opts *o, char *tags, size_t tags_size);

/* o cleared, then narrowed by the request key's fixed filter (tags into
 * tags); 1 when the key has one. */
int keys_fixed_filter(srv_req *rq, lx_search_opts *o, char *tags, size_t tags_size);

/* The searcher for a read of lecture id, or NULL when the answer is
 * already queued (*ret): a 500 when there is no searcher, a 404 (or the
 * engine's error) when the request's key has a fixed filter that id is
 * outside of. */
lx_searcher *keys_searcher(srv_req *rq, const char *id, enum MHD_Result *ret);
enum MHD_Result api_keys_list(srv_req *rq);   /* GET /api/keys */
enum MHD_Result api_keys_create(srv_req *rq); /* POST /api/keys */
enum MHD_Result api_keys_revoke(srv_req *rq); /* DELETE /api/keys/{id} */

enum MHD_Result api_snapshot(srv_req *rq); /* POST /api/snapshots (snapshots.c) */

/* ---- The search page (page.c) ----------------------------------------- */

extern const char page_html[];
extern const size_t page_html_len;

#endif /* LECTERN_SERVER_H */
