/*
 * metrics.c -- GET /metrics in Prometheus' text exposition format.
 *
 * Counters are atomics bumped at the end of each request (metrics_request,
 * called where the access-log line is written), so the request path takes
 * no lock.  A request is counted under its route-table row (method and
 * pattern labels), or under route="other" when no row answers it (404,
 * 405, OPTIONS).  Latency histograms use fixed buckets from 0.25 ms to
 * 10 s.  Gauges (index, cache, connections) are read when scraped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define M_ROUTES 64 /* route-table rows counted; later rows count as other */
static const int codes[] = {200, 201, 204, 400, 401, 403, 404, 405, 409,
                            413, 414, 429, 500, 501, 503, 507, 0 /* other */};
#define N_CODES (sizeof codes / sizeof codes[0])
static const double buckets[] = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,    0.1,    0.25,  0.5,    1,     2.5,  10};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

typedef struct route_metrics {
    atomic_ulong by_code[N_CODES];
    atomic_ulong bucket[N_BUCKETS + 1]; /* +Inf last */
    atomic_ulong sum_us;
} route_metrics;

static route_metrics by_route[M_ROUTES + 1]; /* [M_ROUTES] = other */
static atomic_ulong partial_total, snapshots_ok, snapshots_failed;
static atomic_ulong writes_ok, writes_rejected, writes_failed;

void metrics_partial(void) {
    atomic_fetch_add(&partial_total, 1);
}

void metrics_snapshot(int ok) {
    atomic_fetch_add(ok ? &snapshots_ok : &snapshots_failed, 1);
}

void metrics_request(const srv_req *rq, double seconds) {
    size_t n, slot = M_ROUTES, c, b;
    const srv_route *routes = http_routes(&n);
    if (!rq->started)
        return;
    if (rq->route && (size_t)(rq->route - routes) < n && (size_t)(rq->route - routes) < M_ROUTES)
        slot = (size_t)(rq->route - routes);
    route_metrics *m = &by_route[slot];
    for (c = 0; c < N_CODES - 1 && codes[c] != rq->status; c++)
        ;
    atomic_fetch_add(&m->by_code[c], 1);
    for (b = 0; b < N_BUCKETS && seconds > buckets[b]; b++)
        ;
    atomic_fetch_add(&m->bucket[b], 1);
    atomic_fetch_add(&m->sum_us, (unsigned long)(seconds * 1e6));
    if (rq->route && (rq->route->flags & SRV_ROUTE_TOKEN) && !(rq->route->flags & SRV_ROUTE_ADMIN))
        atomic_fetch_add(rq->status < 300   ? &writes_ok
                         : rq->status < 500 ? &writes_rejected
                                            : &writes_failed,
                         1);
}

/* The text being written: malloc'd, grown by doubling; failed when a
 * realloc failed (the scrape then answers 500). */
typedef struct mbuf {
    char *p;
    size_t len, cap;
    int failed;
} mbuf;

static void put(mbuf *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16384;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* The labels of a slot: method and route. */
static void labels(size_t slot, char *buf, size_t size) {
    size_t n;
    const srv_route *routes = http_routes(&n);
    if (slot >= n || slot == M_ROUTES) {
        snprintf(buf, size, "method=\"other\",route=\"other\"");
        return;
    }
    unsigned bit = routes[slot].methods & (unsigned)-(int)routes[slot].methods; /* lowest */
    snprintf(buf, size, "method=\"%s\",route=\"%s\"", http_method_name(bit), routes[slot].pattern);
}

static void header(mbuf *w, const char *name, const char *type, const char *help) {
    char line[256];
    snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
    put(w, line, strlen(line));
}

static void sample(mbuf *w, const char *name, const char *labels, double v) {
    char line[512];
    char num[40];
    /* counters and most gauges are whole numbers: every digit of them */
    if (v == (double)(uint64_t)v && v < 9007199254740992.0)
        snprintf(num, sizeof num, "%llu", (unsigned long long)v);
    else
        snprintf(num, sizeof num, "%.9g", v);
    int n = labels && *labels ? snprintf(line, sizeof line, "%s{%s} %s\n", name, labels, num)
                              : snprintf(line, sizeof line, "%s %s\n", name, num);
    if (n > 0 && (size_t)n < sizeof line)
        put(w, line, (size_t)n);
}

static void write_requests(mbuf *w) {
    size_t n, slot, c, b;
    char lab[256], l2[320];
    http_routes(&n);
    header(w, "lectern_http_requests_total", "counter",
           "HTTP requests answered, by route and status.");
    for (slot = 0; slot <= M_ROUTES; slot++) {
        if (slot >= n && slot != M_ROUTES)
            continue;
        labels(slot, lab, sizeof lab);
        for (c = 0; c < N_CODES; c++) {
            unsigned long v = atomic_load(&by_route[slot].by_code[c]);
            if (!v)
                continue;
            if (codes[c])
                snprintf(l2, sizeof l2, "%s,status=\"%d\"", lab, codes[c]);
            else
                snprintf(l2, sizeof l2, "%s,status=\"other\"", lab);
            sample(w, "lectern_http_requests_total", l2, (double)v);
        }
    }
    header(w, "lectern_http_request_duration_seconds", "histogram",
           "Time from the request line to the answer, by route.");
    for (slot = 0; slot <= M_ROUTES; slot++) {
        unsigned long cum = 0;
        if (slot >= n && slot != M_ROUTES)
            continue;
        labels(slot, lab, sizeof lab);
        for (b = 0; b <= N_BUCKETS; b++) {
            cum += atomic_load(&by_route[slot].bucket[b]);
            if (b < N_BUCKETS)
                snprintf(l2, sizeof l2, "%s,le=\"%g\"", lab, buckets[b]);
            else
                snprintf(l2, sizeof l2, "%s,le=\"+Inf\"", lab);
            sample(w, "lectern_http_request_duration_seconds_bucket", l2, (double)cum);
        }
        sample(w, "lectern_http_request_duration_seconds_sum", lab,
               (double)atomic_load(&by_route[slot].sum_us) / 1e6);
        sample(w, "lectern_http_request_duration_seconds_count", lab, (double)cum);
    }
}

static void write_gauges(mbuf *w, const lx_stats *st) {
    cache_stat cs;
    cache_stats(&cs);
    header(w, "lectern_cache_hits_total", "counter", "Reads answered from the response cache.");
    sample(w, "lectern_cache_hits_total", NULL, (double)cs.hits);
    header(w, "lectern_cache_misses_total", "counter", "Cacheable reads not in the cache.");
    sample(w, "lectern_cache_misses_total", NULL, (double)cs.misses);
    header(w, "lectern_cache_bytes", "gauge", "Bytes held by the response cache.");
    sample(w, "lectern_cache_bytes", NULL, (double)cs.bytes);
    header(w, "lectern_cache_entries", "gauge", "Answers held by the response cache.");
    sample(w, "lectern_cache_entries", NULL, (double)cs.entries);
    if (st) {
        header(w, "lectern_index_documents", "gauge", "Lectures in the index.");
        sample(w, "lectern_index_documents", NULL, (double)st->documents);
        header(w, "lectern_index_bytes", "gauge", "Bytes of the index file in use.");
        sample(w, "lectern_index_bytes", NULL, (double)st->index_bytes);
    }
    header(w, "lectern_index_version", "gauge", "Index version (grows with every commit).");
    sample(w, "lectern_index_version", NULL, (double)lx_index_version(g_srv.ix));
    header(w, "lectern_writes_total", "counter",
           "Write requests (POST and DELETE of lectures) by result: ok, rejected (4xx), "
           "failed (5xx).");
    sample(w, "lectern_writes_total", "result=\"ok\"", (double)atomic_load(&writes_ok));
    sample(w, "lectern_writes_total", "result=\"rejected\"", (double)atomic_load(&writes_rejected));
    sample(w, "lectern_writes_total", "result=\"failed\"", (double)atomic_load(&writes_failed));
    header(w, "lectern_open_connections", "gauge", "Connections admitted and open.");
    sample(w, "lectern_open_connections", NULL, (double)atomic_load(&g_srv.admitted));
    header(w, "lectern_connections_timed_out_total", "counter",
           "Connections closed at a deadline.");
    sample(w, "lectern_connections_timed_out_total", NULL, (double)atomic_load(&g_srv.timed_out));
    header(w, "lectern_search_partial_total", "counter",
           "Searches cut by the work budget (partial answers and over_budget refusals).");
    sample(w, "lectern_search_partial_total", NULL, (double)atomic_load(&partial_total));
    header(w, "lectern_snapshots_total", "counter", "Snapshots by result.");
    sample(w, "lectern_snapshots_total", "result=\"ok\"", (double)atomic_load(&snapshots_ok));
    sample(w, "lectern_snapshots_total", "result=\"failed\"",
           (double)atomic_load(&snapshots_failed));
    header(w, "lectern_uptime_seconds", "gauge", "Seconds since the server started.");
    sample(w, "lectern_uptime_seconds", NULL, srv_now() - g_srv.started);
}

enum MHD_Result api_metrics(srv_req *rq) {
    lx_searcher *s = http_searcher(rq);
    lx_error err = {0};
    lx_stats st;
    mbuf w = {0};
    if (!s)
        return MHD_YES;
    int have = lx_stats_get(s, &st, &err) == 0;
    write_requests(&w);
    write_gauges(&w, have ? &st : NULL);
    if (w.failed || !w.p) {
        free(w.p);
        return http_error(rq, 500, "internal", "out of memory");
    }
    return http_send_typed(rq, 200, w.p, w.len, "text/plain; version=0.0.4; charset=utf-8");
}
