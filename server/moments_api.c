/*
 * moments_api.c -- moments on the API: GET /api/lectures/{id}/moments?q=
 * (every matching moment of one lecture in time order, with the density
 * strip) and the best moments of each hit of /api/search?moments=N.
 */
#include <stdlib.h>
#include <string.h>

#include "server.h"

void api_moments_free(lx_moments **m, size_t n) {
    if (!m)
        return;
    for (size_t i = 0; i < n; i++)
        lx_moments_free(m[i]);
    free(m);
}

int api_hit_moments(lx_searcher *s, const lx_results *r, const char *q, const char *lang,
                    unsigned n, lx_moments ***out, lx_error *err) {
    *out = NULL;
    if (!n || !r->n)
        return 0;
    lx_moments **m = calloc(r->n, sizeof *m);
    if (!m)
        return LX_ENOMEM;
    lx_moments_opts o = {q, lang, n, 1};
    for (size_t i = 0; i < r->n; i++) {
        int rc = lx_moments_find(s, r->hits[i].id, &o, &m[i], err);
        if (rc) {
            api_moments_free(m, r->n);
            return rc;
        }
    }
    *out = m;
    return 0;
}

enum MHD_Result api_moments(srv_req *rq) {
    char id[LX_MAX_ID_BYTES + 1];
    const char *q = http_param(rq, "q");
    lx_error err = {0};
    lx_moments *m = NULL;
    jsonw w;
    size_t len;
    if (http_path_part(rq, id, sizeof id))
        return http_error(rq, 404, "not_found", "no lecture with this id");
    if (q && strlen(q) > LX_MAX_QUERY_BYTES)
        return http_error(rq, 414, "query_too_long", "the query is longer than the limit");
    enum MHD_Result ret;
    lx_searcher *s = keys_searcher(rq, id, &ret);
    if (!s)
        return ret;
    err.offset = -1;
    lx_moments_opts o = {q, http_param(rq, "lang"), 0, 0};
    int rc = lx_moments_find(s, id, &o, &m, &err);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 4096 + m->n * 512);
    resjson_moments(&w, id, q, m);
    lx_moments_free(m);
    char *body = jw_take(&w, &len);
    if (!body)
        return http_error(rq, 500, "internal", "out of memory");
    return http_send(rq, 200, body, len);
}
