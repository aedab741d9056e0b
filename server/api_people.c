/*
 * api_people.c -- the lecturer and tag-suggestion endpoints (issue 18):
 * GET /api/lecturers?q=, GET /api/lecturers/{name},
 * GET /api/lectures/{id}/suggested-tags.  The bodies are peoplejson.c's,
 * the same as `lectern lecturers --json` and `lectern suggest-tags
 * --json`.  Not cached: a lecturer search costs about one and a half
 * lecture searches, a suggestion one related-lectures call.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peoplejson.h"
#include "server.h"

/* An unsigned parameter in [lo, hi] (def when absent); -1 after a 400. */
static int uint_param(srv_req *rq, const char *name, unsigned def, unsigned lo, unsigned hi,
                      unsigned *out, enum MHD_Result *ret) {
    const char *v = http_param(rq, name);
    char *end;
    if (!v) {
        *out = def;
        return 0;
    }
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (!isdigit((unsigned char)*v) || *end || errno || n < lo || n > hi) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s must be an integer from %u to %u", name, lo, hi);
        *ret = http_error(rq, 400, "bad_parameter", msg);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

enum MHD_Result api_lecturers(srv_req *rq) {
    lx_lecturer_opts o;
    enum MHD_Result ret;
    unsigned max_limit = g_srv.cfg.max_limit < 100 ? g_srv.cfg.max_limit : 100;
    memset(&o, 0, sizeof o);
    o.search.query = http_param(rq, "q");
    if (o.search.query && strlen(o.search.query) > LX_MAX_QUERY_BYTES)
        return http_error(rq, 414, "query_too_long", "the query is longer than the limit");
    o.search.tags = http_param(rq, "tags");
    o.search.lang = http_param(rq, "lang");
    char key_tags[LX_MAX_TAGS * (LX_MAX_TAG_BYTES + 1)];
    keys_filter(rq, &o.search, key_tags, sizeof key_tags); /* a key's fixed filter */
    if (uint_param(rq, "limit", 10, 1, max_limit, &o.search.limit, &ret) ||
        uint_param(rq, "offset", 0, 0, LX_MAX_RESULTS, &o.search.offset, &ret))
        return ret;
    unsigned snippets;
    if (uint_param(rq, "snippets", 1, 0, 1, &snippets, &ret))
        return ret;
    o.search.flags = snippets ? LX_SEARCH_SNIPPETS : 0;
    o.search.work_budget = g_srv.cfg.work_budget;
    lx_searcher *s = http_searcher(rq);
    if (!s)
        return MHD_YES;
    lx_lecturers *l;
    lx_error err = {0};
    err.offset = -1;
    int rc = lx_lecturers_search(s, &o, &l, &err);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jsonw w;
    jw_init(&w, 4096 + l->n * 2048);
    peoplejson_write(&w, o.search.query, l, o.search.limit, o.search.offset, 0);
    lx_lecturers_free(l);
    return http_send_jw(rq, 200, &w);
}

/* The {id} of the path as a C string in buf; -1 when it cannot be one. */
enum MHD_Result api_lecturer(srv_req *rq) {
    char name[LX_MAX_NAME_BYTES];
    if (http_path_part(rq, name, sizeof name))
        return http_error(rq, 404, "not_found", "no lecturer with this name");
    lx_searcher *s = http_searcher(rq);
    if (!s)
        return MHD_YES;
    lx_lecturers *l;
    lx_error err = {0};
    err.offset = -1;
    char key_tags[LX_MAX_TAGS * (LX_MAX_TAG_BYTES + 1)];
    lx_search_opts f;
    int filtered = keys_fixed_filter(rq, &f, key_tags, sizeof key_tags);
    int rc = lx_lecturer_get_in(s, name, filtered ? &f : NULL, &l, &err);
    if (rc == LX_EINVAL || rc == LX_ENOTFOUND)
        return http_error(rq, 404, "not_found", "no lecturer with this name");
    if (rc)
        return api_engine_error(rq, rc, &err);
    jsonw w;
    jw_init(&w, 4096 + l->people[0].n_lectures * 512);
    peoplejson_write(&w, NULL, l, 1, 0, 1);
    lx_lecturers_free(l);
    return http_send_jw(rq, 200, &w);
}

enum MHD_Result api_suggested_tags(srv_req *rq) {
    char id[LX_MAX_ID_BYTES + 1];
    enum MHD_Result ret;
    unsigned limit;
    if (http_path_part(rq, id, sizeof id))
        return http_error(rq, 404, "not_found", "no lecture with this id");
    if (uint_param(rq, "limit", 10, 1, 100, &limit, &ret))
        return ret;
    lx_searcher *s = keys_searcher(rq, id, &ret);
    if (!s)
        return ret;
    lx_tag_suggestion *t;
    size_t n;
    lx_error err = {0};
    err.offset = -1;
    int rc = lx_suggest_tags(s, id, limit, &t, &n, &err);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jsonw w;
    jw_init(&w, 256 + n * 64);
    peoplejson_suggestions(&w, id, t, n);
    free(t);
    return http_send_jw(rq, 200, &w);
}
