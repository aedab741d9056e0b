/*
 * fixture.c -- see fixture.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static char dir[64];

static const char *const records[] = {
    "{\"id\":\"gpg-01\",\"title\":\"The gender pay gap in European universities\","
    "\"speaker\":\"Maria Lindqvist\",\"language\":\"en\",\"tags\":[\"gender\",\"equality\"],"
    "\"transcript\":\"The gender pay gap is the difference between the earnings of women and "
    "men.\"}",
    "{\"id\":\"rac-02\",\"title\":\"Everyday racism in schools\",\"speaker\":\"Ahmed Yusuf\","
    "\"language\":\"en\",\"tags\":[\"racism\",\"education\"],\"segments\":[{\"start\":0,"
    "\"end\":6.5,\"text\":\"Many pupils meet everyday racism in the classroom.\"}]}",
    "{\"id\":\"mig-03\",\"title\":\"Migration and the welfare state\",\"language\":\"en\","
    "\"tags\":[\"migration\",\"equality\"],\"transcript\":\"Migration changes the welfare "
    "state and the wellbeing of migrants.\"}",
    ("{\"id\":\"a/related\",\"title\":\"An id that ends like a route\",\"language\":\"fi\","
     "\"tags\":[\"equality\"],\"transcript\":\"Kestävä kehitys ja tasa-arvo.\"}"),
};

static void remove_dir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fixture: could not remove %s\n", dir);
}

int fixture_open(void) {
    lx_error err = {0};
    lx_writer *w = NULL;
    size_t i;
    int rc;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lectern-fixture.XXXXXX",
             tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fixture: mkdtemp");
        return -1;
    }
    memset(&g_srv, 0, sizeof g_srv);
    rc = lx_index_open(dir, LX_OPEN_CREATE, &g_srv.ix, &err);
    if (rc == 0)
        rc = lx_writer_begin(g_srv.ix, &w, &err);
    for (i = 0; rc == 0 && i < sizeof records / sizeof records[0]; i++)
        rc = lx_writer_put_json(w, records[i], strlen(records[i]), &err);
    if (rc == 0)
        rc = lx_writer_commit(w, &err);
    else if (w)
        lx_writer_abort(w);
    if (rc != 0) {
        fprintf(stderr, "fixture: index: %s %s\n", lx_strerror(rc), err.message);
        if (g_srv.ix)
            lx_index_close(g_srv.ix);
        remove_dir();
        return -1;
    }
    g_srv.cfg.index_dir = dir;
    g_srv.cfg.bind = "127.0.0.1";
    g_srv.cfg.threads = 1;
    g_srv.cfg.token = strdup(FIXTURE_TOKEN);
    g_srv.cfg.token_len = strlen(FIXTURE_TOKEN);
    g_srv.cfg.max_body = 1u << 20;
    g_srv.cfg.max_connections = SRV_DEFAULT_MAX_CONNECTIONS;
    g_srv.cfg.max_limit = SRV_DEFAULT_MAX_LIMIT;
    g_srv.cfg.timeout = SRV_DEFAULT_TIMEOUT;
    g_srv.cfg.quiet = 1;
    g_srv.cfg.cors[g_srv.cfg.n_cors++] = "https://bank.example";
    pthread_mutex_init(&g_srv.write_lock, NULL);
    g_srv.started = srv_now();
    if (!g_srv.cfg.token || cache_init(1u << 20) != 0 || http_init() != 0) {
        fprintf(stderr, "fixture: out of memory\n");
        lx_index_close(g_srv.ix);
        remove_dir();
        return -1;
    }
    return 0;
}

void fixture_close(void) {
    http_fini();
    cache_free();
    lx_index_close(g_srv.ix);
    pthread_mutex_destroy(&g_srv.write_lock);
    free(g_srv.cfg.token);
    g_srv.cfg.token = NULL;
    remove_dir();
}

int fixture_request(const char *method, const char *target, const char *hdrs, const char *body,
                    srv_answer *out) {
    srv_kv h[16];
    char *copy = hdrs ? strdup(hdrs) : NULL, *line, *save = NULL;
    size_t n = 0;
    int rc;
    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line && n < 16;
         line = strtok_r(NULL, "\n", &save)) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        h[n].key = line;
        h[n].klen = strlen(line);
        for (colon++; *colon == ' '; colon++)
            ;
        h[n].val = colon;
        h[n].vlen = strlen(colon);
        n++;
    }
    rc = http_handle(method, target, strlen(target), h, n, body, body ? strlen(body) : 0, out);
    free(copy);
    return rc;
}
