/*
 * accesslog.c -- the server's log: leveled lines and the access log, on
 * stderr (journald takes it from there under systemd).
 *
 * Access-log line, one per request, at level info (docs/deploy.md):
 *
 *   METHOD PATH STATUS BYTES MICROSECONDS CACHE
 *
 * PATH is the path as routed, %-decoded, without the query string (so
 * neither query text nor anything passed as a parameter reaches the log;
 * keys travel in the Authorization header, which is never logged), with
 * spaces and control characters written as '?'.  BYTES is the body sent,
 * MICROSECONDS from the request line to completion, CACHE "hit" or "miss"
 * for a cacheable read, else "-".  Each line is one write(2), so lines of
 * pool threads never interleave.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *name) {
    for (int i = 0; i <= SRV_LOG_DEBUG; i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

static void write_line(const char *line, int n, size_t size) {
    if (n <= 0)
        return;
    if ((size_t)n >= size)
        n = (int)size - 1;
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* nowhere to report it */
    }
}

void srv_log(int level, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    int n;
    if (level > __atomic_load_n(&g_srv.cfg.log_level, __ATOMIC_RELAXED))
        return;
    n = snprintf(line, sizeof line - 1, "lectern-server: %s: ", level_names[level]);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - 1 - (size_t)n, fmt, ap);
    va_end(ap);
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    write_line(line, n, sizeof line);
}

void accesslog_write(const srv_req *rq, double seconds) {
    char line[320];
    if (SRV_LOG_INFO > __atomic_load_n(&g_srv.cfg.log_level, __ATOMIC_RELAXED))
        return;
    int n = snprintf(line, sizeof line, "%s %s %d %zu %lld %s\n", rq->method, rq->path, rq->status,
                     rq->bytes_out, (long long)(seconds * 1e6),
                     rq->cache == 'h'   ? "hit"
                     : rq->cache == 'm' ? "miss"
                                        : "-");
    if (n > 0 && (size_t)n >= sizeof line)
        line[sizeof line - 2] = '\n';
    write_line(line, n, sizeof line);
}
