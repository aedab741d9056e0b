/*
 * server.h -- internal interfaces of lectern-server, one section per file.
 *
 * The server is a thin layer over lectern.h: libmicrohttpd accepts and
 * parses HTTP in its own thread pool, http.c routes each request and
 * enforces the limits, api.c turns a request into engine calls and writes
 * the JSON answer with jsonw.c.  Each pool thread owns one lx_searcher,
 * opened on its first request (no lock on the search path); writes take
 * one mutex because LMDB has one writer.
 */
#ifndef LECTERN_SERVER_H
#define LECTERN_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "lectern.h"

/* ---- Configuration (main.c) ------------------------------------------- */

#define SRV_MAX_CORS_ORIGINS 16
#define SRV_DEFAULT_PORT 8080
#define SRV_DEFAULT_MAX_BODY (16u << 20)
#define SRV_DEFAULT_MAX_CONNECTIONS 1024
#define SRV_DEFAULT_MAX_LIMIT 100 /* largest limit= of one page */
#define SRV_DEFAULT_FACETS 20     /* values listed per facet (facets=) */
#define SRV_MAX_FACETS 1000
#define SRV_DEFAULT_TIMEOUT 30 /* seconds an idle connection is kept */
#define SRV_SHUTDOWN_GRACE_MS 10000
#define SRV_DEFAULT_CACHE_MB 32 /* response cache (--cache-mb; 0 = off) */

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
    unsigned timeout;         /* idle connection timeout, seconds */
    size_t cache_bytes;       /* response cache budget, 0 = no cache */
    uint64_t work_budget;     /* lx_search_opts.work_budget (--work-budget) */
    int quiet;                /* no access log */
    int read_only;            /* open the index read-only */
    int create;               /* create the index when missing */
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

/* Whether the Authorization header value is "Bearer <token>" with the
 * configured token.  Runs in time independent of where the bytes differ. */
int auth_check(const srv_config *cfg, const char *header);

/* ---- Response cache (cache.c) ---------------------------------------- */

/* Sets up a cache of at most `bytes` of answers (0: no cache, every call
 * below is a no-op or a miss).  Returns 0, or -1 out of memory. */
int cache_init(size_t bytes);
void cache_free(void);

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

/* ---- JSON writer (jsonw.c) -------------------------------------------- */

/* A growable byte buffer that writes JSON without building a tree.  The
 * caller opens and closes objects and arrays; commas are inserted for it.
 * A failed allocation sets oom and makes every later call a no-op. */
typedef struct jsonw {
    char *buf;
    size_t len, cap;
    int oom;
    int depth;
    uint64_t need_comma; /* bit d: the container at depth d has an item */
} jsonw;

void jw_init(jsonw *w, size_t cap);
void jw_free(jsonw *w);
/* Hands the buffer to the caller (NUL-terminated); NULL after oom. */
char *jw_take(jsonw *w, size_t *len);
void jw_obj(jsonw *w);
void jw_obj_end(jsonw *w);
void jw_arr(jsonw *w);
void jw_arr_end(jsonw *w);
void jw_key(jsonw *w, const char *key); /* escaped */
void jw_str(jsonw *w, const char *s);   /* escaped; NULL writes null */
void jw_strn(jsonw *w, const char *s, size_t n);
void jw_int(jsonw *w, int64_t v);
void jw_uint(jsonw *w, uint64_t v);
void jw_double(jsonw *w, double v, int decimals);
void jw_bool(jsonw *w, int v);
void jw_null(jsonw *w);
void jw_raw(jsonw *w, const char *json, size_t n); /* trusted JSON value */

/* A value inside a JSON text: its first byte and length. */
typedef struct jw_span {
    const char *p; /* NULL when the member is absent */
    size_t len;
} jw_span;

/* Finds the top-level members keys[0..nkeys) of the JSON object in
 * json[0..n) in one pass (keys compared as written, without unescaping)
 * and sets out[i] to each one's value text.  Values are not checked, only
 * delimited: use this on JSON the engine wrote.  Returns 0, or -1 when the
 * text is not an object (out[] then holds what was found before). */
int jw_members(const char *json, size_t n, const char *const *keys, size_t nkeys, jw_span *out);

/* ---- HTTP layer (http.c) ---------------------------------------------- */

/* One HTTP request, from MHD's first callback to its completion. */
typedef struct srv_req {
    struct MHD_Connection *conn;
    double t0;  /* srv_now() at the first callback */
    int status; /* status queued, for the access log */
    int route;  /* ROUTE_* */
    char method[8];
    char path[160]; /* for the access log, truncated */
    const char *id; /* lecture id in the path (points into url) */
    size_t id_len;
    char *body; /* request body (POST), NUL-terminated */
    size_t body_len, body_cap;
    int body_too_big; /* the rest of the body is being discarded */
} srv_req;

/* Starts the MHD daemon on cfg->bind:cfg->port; *port_out receives the
 * bound port.  Returns NULL after printing why. */
struct MHD_Daemon *http_start(unsigned *port_out);

/* Stops accepting, lets in-flight requests finish (bounded), stops. */
void http_stop(struct MHD_Daemon *d);

/* Queues a JSON response (takes ownership of body, a malloc'd buffer). */
enum MHD_Result http_send(srv_req *rq, int status, char *body, size_t len);

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

/* ---- Endpoints (api.c) ------------------------------------------------ */

enum MHD_Result api_healthz(srv_req *rq);
enum MHD_Result api_stats(srv_req *rq);
enum MHD_Result api_tags(srv_req *rq);
enum MHD_Result api_search(srv_req *rq);
enum MHD_Result api_get(srv_req *rq);
enum MHD_Result api_related(srv_req *rq);
enum MHD_Result api_put(srv_req *rq); /* POST /api/lectures, body read */
enum MHD_Result api_delete(srv_req *rq);

/* ---- The search page (page.c) ----------------------------------------- */

extern const char page_html[];
extern const size_t page_html_len;

#endif /* LECTERN_SERVER_H */
