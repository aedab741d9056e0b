/* forgive.c -- the forgiving search's endpoints (issue 13):
 *   POST /api/search    {"q": "..."}: a query too long for a URL; the other
 *                       options (limit, offset, tags, lang, speaker, facets,
 *                       prefix, typos) come from the query string as for GET
 *   POST /api/related   {"text": "..."}: lectures like a pasted text (a
 *                       syllabus paragraph, an abstract), read as plain words
 *   GET  /api/suggest?q=&limit=&lang=: completions of what is being typed (tags,
 *                       titles, speakers, words), the language of lang, qlang
 *                       or Accept-Language first
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resjson.h"
#include "server.h"

#define SUGGEST_DEFAULT 8
#define SUGGEST_MAX 50

/* The string member key of the JSON object body, in *out (owned by the
 * returned tree, which the caller deletes); NULL after answering 400. */
static cJSON *body_string(srv_req *rq, const char *key, const char **out, enum MHD_Result *ret) {
    char msg[128];
    cJSON *j = rq->body ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
    if (!cJSON_IsString(v)) {
        snprintf(msg, sizeof msg, "send a JSON object with a string \"%s\"", key);
        cJSON_Delete(j);
        *ret = http_error(rq, 400, "bad_body", msg);
        return NULL;
    }
    if (strlen(v->valuestring) > LX_MAX_TEXT_BYTES) {
        snprintf(msg, sizeof msg, "\"%s\" is over %u bytes", key, LX_MAX_TEXT_BYTES);
        cJSON_Delete(j);
        *ret = http_error(rq, 413, "too_long", msg);
        return NULL;
    }
    *out = v->valuestring;
    return j;
}

static enum MHD_Result answer_body(srv_req *rq, const char *key, char kind) {
    const char *text = NULL;
    enum MHD_Result ret = MHD_NO;
    cJSON *j = body_string(rq, key, &text, &ret);
    if (!j)
        return ret;
    ret = api_answer_read(rq, kind, text);
    cJSON_Delete(j);
    return ret;
}

enum MHD_Result api_search_post(srv_req *rq) {
    return answer_body(rq, "q", 's');
}

enum MHD_Result api_related_text(srv_req *rq) {
    return answer_body(rq, "text", 't');
}

enum MHD_Result api_suggest(srv_req *rq) {
    const char *q = http_param(rq, "q"), *lim = http_param(rq, "limit");
    char *end = NULL;
    unsigned long limit = lim ? strtoul(lim, &end, 10) : SUGGEST_DEFAULT;
    if (lim && (*end || !*lim || limit < 1 || limit > SUGGEST_MAX))
        return http_error(rq, 400, "bad_param", "limit must be an integer from 1 to 50");
    lx_searcher *s = http_searcher(rq);
    if (!s)
        return MHD_YES;
    lx_facet *f = NULL;
    size_t n = 0;
    lx_error err = {0};
    /* The query's language, whose completions come first: lang, else
     * qlang, else the first of Accept-Language. */
    const char *lang = http_param(rq, "lang");
    if (!lang || !*lang)
        lang = http_param(rq, "qlang");
    if (!lang || !*lang)
        lang = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Accept-Language");
    int rc = lx_suggest(s, q ? q : "", lang, (unsigned)limit, &f, &n, &err);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jsonw w;
    jw_init(&w, 128 + n * 64);
    jw_obj(&w);
    jw_key(&w, "query");
    jw_str(&w, q ? q : "");
    resjson_counts(&w, "suggestions", "text", f, n);
    jw_obj_end(&w);
    free(f);
    return http_send_jw(rq, 200, &w);
}
