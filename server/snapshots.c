/*
 * snapshots.c -- POST /api/snapshots: a compact, consistent copy of the
 * index written into --snapshot-dir while the server keeps serving and
 * writing (lx_index_snapshot: one LMDB read transaction, so no lock is
 * held against writers).  One snapshot at a time; a second request while
 * one runs answers 409.  The snapshot is a folder named
 * lectern-YYYYMMDDTHHMMSSZ-VERSION holding data.mdb: `lectern check
 * --index` reads it, `lectern-index restore` puts it back, and
 * scripts/lectern-ship copies it to replicas.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server.h"

static pthread_mutex_t snapshot_lock = PTHREAD_MUTEX_INITIALIZER;

enum MHD_Result api_snapshot(srv_req *rq) {
    char name[96], path[4096 + 96], stamp[32];
    lx_error err = {0};
    uint64_t bytes = 0, version;
    time_t now = time(NULL);
    struct tm tm;
    jsonw w;
    int rc;
    if (!g_srv.cfg.snapshot_dir)
        return http_error(rq, 501, "not_configured",
                          "snapshots are off: start the server with --snapshot-dir DIR");
    if (pthread_mutex_trylock(&snapshot_lock) != 0)
        return http_error(rq, 409, "snapshot_running", "a snapshot is being written; try later");
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    version = lx_index_version(g_srv.ix);
    snprintf(name, sizeof name, "lectern-%s-%llu", stamp, (unsigned long long)version);
    snprintf(path, sizeof path, "%s/%s", g_srv.cfg.snapshot_dir, name);
    double t0 = srv_now();
    rc = lx_index_snapshot(g_srv.ix, path, &bytes, &err);
    double took = srv_now() - t0;
    pthread_mutex_unlock(&snapshot_lock);
    metrics_snapshot(rc == 0);
    if (rc == LX_EEXIST)
        return http_error(rq, 409, "snapshot_exists",
                          "a snapshot of this second exists; try later");
    if (rc)
        return api_engine_error(rq, rc, &err);
    srv_log(SRV_LOG_INFO, "snapshot %s: %llu bytes in %.3f s", path, (unsigned long long)bytes,
            took);
    jw_init(&w, 512);
    jw_obj(&w);
    jw_key(&w, "name");
    jw_str(&w, name);
    jw_key(&w, "path");
    jw_str(&w, path);
    jw_key(&w, "bytes");
    jw_uint(&w, bytes);
    jw_key(&w, "seconds");
    jw_double(&w, took, 3);
    jw_key(&w, "version");
    jw_uint(&w, version);
    jw_obj_end(&w);
    return http_send_jw(rq, 201, &w);
}
