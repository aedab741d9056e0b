/*
 * api.c -- the endpoints: each turns one request into engine calls and
 * writes the JSON answer (shapes in docs/api.md).
 *
 * Reads use the pool thread's own searcher (http_searcher) and take no
 * lock.  Writes take g_srv.write_lock around one lx_writer batch, so a
 * request's records are committed together or not at all; searches keep
 * answering from the last committed state meanwhile (LMDB MVCC).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "resjson.h"
#include "server.h"

/* ---- Parameters ------------------------------------------------------- */

/* Reads an unsigned parameter in [lo, hi] into *out (def when absent).
 * Returns 0, or -1 after queuing a 400 (*ret holds the result). */
static int param_uint(srv_req *rq, const char *name, unsigned def, unsigned lo, unsigned hi,
                      unsigned *out, enum MHD_Result *ret) {
    const char *v = http_param(rq, name);
    char *end;
    unsigned long n;
    if (!v) {
        *out = def;
        return 0;
    }
    errno = 0;
    n = strtoul(v, &end, 10);
    if (!isdigit((unsigned char)*v) || *end || errno || n < lo || n > hi) {
        char msg[128];
        snprintf(msg, sizeof msg, "%s must be an integer from %u to %u", name, lo, hi);
        *ret = http_error(rq, 400, "bad_parameter", msg);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

/* The common filters and paging of search and related, and how many
 * values of each facet to list (*facets). */
static int read_opts(srv_req *rq, lx_search_opts *o, unsigned *facets, enum MHD_Result *ret) {
    static _Thread_local char key_tags[LX_MAX_TAGS * (LX_MAX_TAG_BYTES + 1)];
    unsigned max_limit = g_srv.cfg.max_limit;
    memset(o, 0, sizeof *o);
    o->tags = http_param(rq, "tags");
    o->lang = http_param(rq, "lang");
    o->speaker = http_param(rq, "speaker");
    keys_filter(rq, o, key_tags, sizeof key_tags); /* a key's fixed filter (keys.c) */
    if (max_limit > LX_MAX_RESULTS)
        max_limit = LX_MAX_RESULTS;
    if (param_uint(rq, "limit", 10, 1, max_limit, &o->limit, ret) != 0)
        return -1;
    if (param_uint(rq, "offset", 0, 0, LX_MAX_RESULTS - o->limit, &o->offset, ret) != 0)
        return -1;
    if (param_uint(rq, "facets", SRV_DEFAULT_FACETS, 0, SRV_MAX_FACETS, facets, ret) != 0)
        return -1;
    o->flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    /* suggested=1: the tag filter and boost also use suggested tags. */
    const char *sug = http_param(rq, "suggested");
    if (sug && !strcmp(sug, "1"))
        o->flags |= LX_SEARCH_SUGGESTED;
    o->facet_limit = *facets ? *facets : 1; /* the total is counted either way */
    o->work_budget = g_srv.cfg.work_budget;
    /* Languages (issue 12): the query's language given, else the
     * browser's; cross=0 and prefer=0 turn translation and the
     * preference off. */
    o->qlang = http_param(rq, "qlang");
    o->accept_lang = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Accept-Language");
    const char *v = http_param(rq, "cross");
    if (v && !strcmp(v, "0"))
        o->flags |= LX_SEARCH_NO_CROSS;
    v = http_param(rq, "prefer");
    if (v && !strcmp(v, "0"))
        o->flags |= LX_SEARCH_NO_PREFER;
    const char *pf = http_param(rq, "prefix"), *ty = http_param(rq, "typos");
    if (pf && !strcmp(pf, "0"))
        o->flags |= LX_SEARCH_NO_PREFIX;
    if (ty && !strcmp(ty, "0"))
        o->flags |= LX_SEARCH_NO_TYPOS;
    return 0;
}

/* ---- Errors from the engine ------------------------------------------- */

static void write_where(jsonw *w, void *ctx) {
    const lx_error *err = ctx;
    if (err->offset >= 0) {
        jw_key(w, "offset");
        jw_int(w, err->offset);
    }
    if (err->field[0]) {
        jw_key(w, "field");
        jw_str(w, err->field);
    }
}

static const char *message_of(const lx_error *err, int rc) {
    return err->message[0] ? err->message : lx_strerror(rc);
}

/* A record error for a person: "field: message" when a field is known. */
static const char *record_message(const lx_error *err, int rc, char *buf, size_t size) {
    if (!err->field[0])
        return message_of(err, rc);
    snprintf(buf, size, "%s: %s", err->field, message_of(err, rc));
    return buf;
}

/* How each engine error answers, in one place.  `code` is the error code
 * of a request that fails with rc; `record` is the code of one record
 * rejected with rc inside a POST, or NULL when rc fails the whole request
 * (the batch is dropped).  `message` replaces the engine's when set. */
static const struct http_error_map {
    int rc;
    int status;
    const char *code;
    const char *record;
    const char *message;
} http_errors[] = {
    {LX_EQUERY, 400, "bad_query", "bad_record", NULL},
    {LX_EUTF8, 400, "bad_query", "bad_utf8", NULL},
    {LX_ELIMIT, 400, "query_limit", "too_large", NULL},
    {LX_EINVAL, 400, "bad_parameter", "bad_record", NULL},
    {LX_EJSON, 400, "bad_json", "bad_json", NULL},
    {LX_ERECORD, 400, "bad_record", "bad_record", NULL},
    {LX_ECAPTION, 400, "bad_record", "bad_record", NULL},
    {LX_EEXIST, 400, "duplicate_id", "duplicate_id", NULL},
    {LX_ENOTFOUND, 404, "not_found", "bad_record", "no lecture with this id"},
    {LX_EREADONLY, 403, "forbidden", NULL, "the index is open read-only"},
    {LX_ENOMEM, 500, "internal", NULL, "out of memory"},
    {LX_EIO, 500, "internal", NULL, NULL},
    {LX_EFORMAT, 500, "internal", NULL, NULL},
    {LX_ECORRUPT, 500, "index_corrupt", NULL, NULL},
    {LX_EFULL, 507, "index_full", NULL, "the index map is full; nothing was written"},
    {LX_ENOSPC, 507, "disk_full", NULL, "no space left on the index's disk; nothing was written"},
};

static const struct http_error_map *error_map(int rc) {
    static const struct http_error_map other = {0, 500, "internal", NULL, NULL};
    size_t i;
    for (i = 0; i < sizeof http_errors / sizeof http_errors[0]; i++)
        if (http_errors[i].rc == rc)
            return &http_errors[i];
    return &other;
}

int api_error_status(int rc, const char **code) {
    const struct http_error_map *m = error_map(rc);
    if (code)
        *code = m->code;
    return m->status;
}

/* A 5xx drops the pool thread's searcher (http_searcher_reset): the
 * engine may have left an error or damage in it, and a fresh one costs
 * little next to a failed request. */
enum MHD_Result api_engine_error(srv_req *rq, int rc, lx_error *err) {
    const struct http_error_map *m = error_map(rc);
    if (m->status >= 500)
        http_searcher_reset();
    if (m->message)
        return http_error(rq, m->status, m->code, m->message);
    return http_error_with(rq, m->status, m->code, message_of(err, rc), write_where, err);
}

/* ---- Read endpoints --------------------------------------------------- */

enum MHD_Result api_healthz(srv_req *rq) {
    static const char ok[] = "{\"status\":\"ok\"}";
    char *b = malloc(sizeof ok);
    if (!b)
        return http_error(rq, 500, "internal", "out of memory");
    memcpy(b, ok, sizeof ok);
    return http_send(rq, 200, b, sizeof ok - 1);
}

/* The dictionaries of cross-language search and their coverage of the
 * queries served (issue 12). */
static void write_dicts(jsonw *w) {
    lx_dict_info d[64];
    const char *dir;
    size_t n = lx_dict_list(d, 64, &dir);
    jw_key(w, "dictionaries");
    jw_obj(w);
    jw_key(w, "dir");
    jw_str(w, dir);
    jw_key(w, "status");
    jw_str(w, n ? "cross-language search on" : "none installed: search is monolingual");
    jw_key(w, "pairs");
    jw_arr(w);
    for (size_t i = 0; i < n && i < 64; i++) {
        jw_obj(w);
        jw_key(w, "from");
        jw_str(w, d[i].from);
        jw_key(w, "to");
        jw_str(w, d[i].to);
        jw_key(w, "words");
        jw_uint(w, d[i].words);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    jw_obj_end(w);
    lx_lang_coverage c[32];
    size_t nc = lx_xlate_coverage_list(c, 32);
    jw_key(w, "translation_coverage");
    jw_obj(w);
    for (size_t i = 0; i < nc && i < 32; i++) {
        jw_key(w, c[i].lang);
        jw_obj(w);
        jw_key(w, "queries");
        jw_uint(w, c[i].queries);
        jw_key(w, "words");
        jw_uint(w, c[i].words);
        jw_key(w, "translated");
        jw_uint(w, c[i].translated);
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

enum MHD_Result api_stats(srv_req *rq) {
    lx_searcher *s = http_searcher(rq);
    lx_error err = {0};
    lx_stats st;
    cache_stat cs;
    jsonw w;
    unsigned i;
    int rc;
    if (!s)
        return MHD_YES;
    rc = lx_stats_get(s, &st, &err);
    if (rc != 0)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 512);
    jw_obj(&w);
    jw_key(&w, "documents");
    jw_uint(&w, st.documents);
    jw_key(&w, "terms");
    jw_uint(&w, st.terms);
    jw_key(&w, "tokens");
    jw_uint(&w, st.tokens);
    jw_key(&w, "index_bytes");
    jw_uint(&w, st.index_bytes);
    jw_key(&w, "languages");
    jw_arr(&w);
    for (i = 0; i < st.n_languages && i < 32; i++)
        jw_strn(&w, st.languages[i], strnlen(st.languages[i], sizeof st.languages[i]));
    jw_arr_end(&w);
    write_dicts(&w);
    jw_key(&w, "uptime_s");
    jw_double(&w, srv_now() - g_srv.started, 1);
    jw_key(&w, "threads");
    jw_uint(&w, g_srv.cfg.threads);
    jw_key(&w, "connections");
    jw_uint(&w, atomic_load(&g_srv.admitted));
    jw_key(&w, "connections_timed_out");
    jw_uint(&w, atomic_load(&g_srv.timed_out));
    jw_key(&w, "writable");
    jw_bool(&w, auth_enabled() && !g_srv.cfg.read_only);
    cache_stats(&cs);
    jw_key(&w, "cache");
    jw_obj(&w);
    jw_key(&w, "entries");
    jw_uint(&w, cs.entries);
    jw_key(&w, "bytes");
    jw_uint(&w, cs.bytes);
    jw_key(&w, "budget_bytes");
    jw_uint(&w, cs.budget);
    jw_key(&w, "hits");
    jw_uint(&w, cs.hits);
    jw_key(&w, "misses");
    jw_uint(&w, cs.misses);
    jw_obj_end(&w);
    jw_obj_end(&w);
    return http_send_jw(rq, 200, &w);
}

enum MHD_Result api_tags(srv_req *rq) {
    lx_searcher *s = http_searcher(rq);
    lx_error err = {0};
    lx_facet *f = NULL;
    size_t n = 0;
    jsonw w;
    int rc;
    if (!s)
        return MHD_YES;
    rc = lx_tags(s, &f, &n, &err);
    if (rc != 0)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 64 + n * 32);
    jw_obj(&w);
    jw_key(&w, "total");
    jw_uint(&w, n);
    resjson_counts(&w, "tags", "tag", f, n);
    jw_obj_end(&w);
    free(f);
    return http_send_jw(rq, 200, &w);
}

/* ---- Search and related: one read path, with the response cache ------ */

/* The cache key of a read: the endpoint's letter, then every input that
 * shapes its answer, each ended by a NUL.  Returns its length, or 0 when
 * it does not fit (the answer is then not cached). */
static size_t read_key(char *buf, size_t size, char kind, const char *subject,
                       const lx_search_opts *o, unsigned facets, unsigned moments) {
    int n = snprintf(buf, size, "%c%s%c%s%c%s%c%s%c%s%c%s%c%u,%u,%u,%u,%u", kind,
                     subject ? subject : "", 0, o->tags ? o->tags : "", 0, o->lang ? o->lang : "",
                     0, o->speaker ? o->speaker : "", 0, o->qlang ? o->qlang : "", 0,
                     o->accept_lang ? o->accept_lang : "", 0, o->limit, o->offset, facets, moments,
                     o->flags);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

enum MHD_Result api_answer_read(srv_req *rq, char kind, const char *subject) {
    char key[LX_MAX_QUERY_BYTES + 2048];
    unsigned facets;
    lx_search_opts o;
    lx_results *r = NULL;
    lx_error err = {0};
    enum MHD_Result ret;
    lx_searcher *s;
    size_t klen, len, took[2];
    char *body;
    jsonw w;
    int rc;
    unsigned moments = 0; /* a search's moments per hit (moments_api.c) */
    lx_moments **hm = NULL;
    if (read_opts(rq, &o, &facets, &ret) != 0)
        return ret;
    if (kind == 's' && param_uint(rq, "moments", 0, 0, SRV_MAX_HIT_MOMENTS, &moments, &ret) != 0)
        return ret;
    /* The version is read before the search (see cache.c), and only for
     * the cache: reading it takes the index's lock and a syscall. */
    klen = cache_on() ? read_key(key, sizeof key, kind, subject, &o, facets, moments) : 0;
    uint64_t version = klen ? lx_index_version(g_srv.ix) : 0;
    if (klen && (body = cache_get(key, klen, version, rq->t0, &len)) != NULL) {
        rq->cache = 'h';
        return http_send(rq, 200, body, len);
    }
    rq->cache = klen ? 'm' : 0;
    s = http_searcher(rq);
    if (!s)
        return MHD_YES;
    err.offset = -1;
    if (kind == 's' || kind == 't') {
        o.query = subject;
        if (kind == 't') /* lectures like a text (forgive.c) */
            o.flags |= LX_SEARCH_TEXT;
        rc = lx_search(s, &o, &r, &err);
    } else {
        rc = lx_related(s, subject, &o, &r, &err);
    }
    if (rc == 0 && moments && (rc = api_hit_moments(s, r, subject, o.lang, moments, &hm, &err)))
        lx_results_free(r);
    if (rc != 0)
        return api_engine_error(rq, rc, &err);
    if (r->partial)
        metrics_partial();
    if (r->partial && r->n == 0) {
        lx_results_free(r);
        return http_error(rq, 503, "over_budget",
                          "the query needs more work than one search may spend; make it narrower");
    }
    jw_init(&w, 4096 + r->n * 1024);
    resjson_write_moments_of(&w, kind == 'r', subject, r, o.limit, o.offset, facets, took, hm);
    api_moments_free(hm, r->n);
    lx_results_free(r);
    body = jw_take(&w, &len);
    if (!body)
        return http_error(rq, 500, "internal", "out of memory");
    if (klen)
        cache_put(key, klen, version, body, len, took[0], took[1]);
    return http_send(rq, 200, body, len);
}

enum MHD_Result api_search(srv_req *rq) {
    const char *q = http_param(rq, "q");
    if (q && strlen(q) > LX_MAX_TEXT_BYTES) {
        char msg[128];
        snprintf(msg, sizeof msg, "the query is %zu bytes; the limit is %u", strlen(q),
                 LX_MAX_TEXT_BYTES);
        return http_error(rq, 414, "query_too_long", msg);
    }
    return api_answer_read(rq, 's', q);
}

/* Copies the path's lecture id into buf; 0, or -1 when it cannot be one. */
enum MHD_Result api_get(srv_req *rq) {
    char id[LX_MAX_ID_BYTES + 1];
    lx_searcher *s;
    lx_error err = {0};
    char *json = NULL;
    size_t len = 0;
    int rc;
    if (http_path_part(rq, id, sizeof id) != 0)
        return http_error(rq, 404, "not_found", "no lecture with this id");
    enum MHD_Result ret;
    if (!(s = keys_searcher(rq, id, &ret)))
        return ret;
    rc = lx_get(s, id, &json, &len, &err);
    if (rc != 0)
        return api_engine_error(rq, rc, &err);
    return http_send(rq, 200, json, len);
}

enum MHD_Result api_related(srv_req *rq) {
    char id[LX_MAX_ID_BYTES + 1];
    if (http_path_part(rq, id, sizeof id) != 0)
        return http_error(rq, 404, "not_found", "no lecture with this id");
    enum MHD_Result ret;
    if (!keys_searcher(rq, id, &ret))
        return ret;
    return api_answer_read(rq, 'r', id);
}

/* ---- Writes ----------------------------------------------------------- */

/* One rejected record of a POST. */
typedef struct rejected {
    long line;   /* 1-based line of the body where the record starts */
    long column; /* 1-based byte column of the error in the body, 0 unknown */
    long index;  /* position in a JSON array body, -1 otherwise */
    int rc;
    lx_error err;
} rejected;

typedef struct put_result {
    size_t indexed;
    size_t n_rejected, cap_rejected;
    rejected *rejects;
    int fatal; /* an error that fails the whole request (ENOMEM, EIO) */
    lx_error fatal_err;
} put_result;

static const char *record_code(int rc) {
    const char *code = error_map(rc)->record;
    return code ? code : "bad_record";
}

/* Line and column (1-based) of byte offset off in body. */
static void line_col(const char *body, size_t off, long *line, long *col) {
    size_t i, start = 0;
    long l = 1;
    for (i = 0; i < off; i++) {
        if (body[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (long)(off - start) + 1;
}

/* Puts one record; a record-level failure is noted, a fatal one too. */
static void put_one(lx_writer *wr, put_result *pr, const char *body, const char *rec, size_t len,
                    long index) {
    lx_error err = {0};
    rejected *rj;
    int rc;
    err.offset = -1;
    rc = lx_writer_put_json(wr, rec, len, &err);
    if (rc == 0) {
        pr->indexed++;
        return;
    }
    if (!error_map(rc)->record) {
        pr->fatal = rc;
        pr->fatal_err = err;
        return;
    }
    if (pr->n_rejected == pr->cap_rejected) {
        size_t cap = pr->cap_rejected ? pr->cap_rejected * 2 : 8;
        rejected *r = realloc(pr->rejects, cap * sizeof *r);
        if (!r) {
            pr->fatal = LX_ENOMEM;
            return;
        }
        pr->rejects = r;
        pr->cap_rejected = cap;
    }
    rj = &pr->rejects[pr->n_rejected++];
    memset(rj, 0, sizeof *rj);
    rj->rc = rc;
    rj->err = err;
    rj->index = index;
    if (index < 0) {
        size_t at = (size_t)(rec - body);
        long dummy;
        /* where the error is, else where the record starts */
        if (err.offset >= 0 && (size_t)err.offset <= len)
            line_col(body, at + (size_t)err.offset, &rj->line, &rj->column);
        else
            line_col(body, at, &rj->line, &dummy);
    }
}

static void write_reject(jsonw *w, const rejected *rj) {
    char msg[sizeof rj->err.field + sizeof rj->err.message + 2];
    jw_obj(w);
    if (rj->index >= 0) {
        jw_key(w, "index");
        jw_int(w, rj->index);
    } else {
        jw_key(w, "line");
        jw_int(w, rj->line);
        if (rj->column > 0) {
            jw_key(w, "column");
            jw_int(w, rj->column);
        }
    }
    jw_key(w, "code");
    jw_str(w, record_code(rj->rc));
    jw_key(w, "message");
    jw_str(w, record_message(&rj->err, rj->rc, msg, sizeof msg));
    if (rj->err.field[0]) {
        jw_key(w, "field");
        jw_str(w, rj->err.field);
    }
    if (rj->err.offset >= 0) {
        jw_key(w, "offset");
        jw_int(w, rj->err.offset);
    }
    jw_obj_end(w);
}

static void write_rejects(jsonw *w, void *ctx) {
    const put_result *pr = ctx;
    size_t i;
    if (pr->n_rejected == 1) {
        const rejected *rj = &pr->rejects[0];
        if (rj->index >= 0) {
            jw_key(w, "index");
            jw_int(w, rj->index);
        } else {
            jw_key(w, "line");
            jw_int(w, rj->line);
            if (rj->column > 0) {
                jw_key(w, "column");
                jw_int(w, rj->column);
            }
        }
        write_where(w, (void *)&rj->err);
    }
    jw_key(w, "errors");
    jw_arr(w);
    for (i = 0; i < pr->n_rejected; i++)
        write_reject(w, &pr->rejects[i]);
    jw_arr_end(w);
}

static int blank(const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Feeds the body to the writer: a JSON array of records, JSON lines (one
 * record per non-blank line), or one record that may span lines.  JSON
 * lines are recognised by a first non-blank line that is a whole JSON
 * value on its own; a pretty-printed object's first line is not. */
static void put_body(lx_writer *wr, put_result *pr, const char *body, size_t len) {
    const char *p = body, *end = body + len, *nl;
    size_t skip = 0;
    cJSON *first;
    int lines;
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
        skip = 3; /* a UTF-8 byte order mark */
    p += skip;
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && *p == '[') {
        const char *err_at = NULL;
        cJSON *arr = cJSON_ParseWithLengthOpts(p, (size_t)(end - p), &err_at, 0);
        const cJSON *it;
        long i = 0;
        if (!arr || !blank(err_at, (size_t)(end - err_at))) {
            /* not a valid array: report where, as the engine would */
            rejected *rj = calloc(1, sizeof *rj);
            cJSON_Delete(arr);
            if (!rj) {
                pr->fatal = LX_ENOMEM;
                return;
            }
            rj->rc = LX_EJSON;
            rj->index = -1;
            rj->err.offset = err_at ? (long)(err_at - body) : -1;
            snprintf(rj->err.message, sizeof rj->err.message,
                     arr ? "unexpected text after the JSON array" : "malformed JSON array");
            if (err_at)
                line_col(body, (size_t)(err_at - body), &rj->line, &rj->column);
            pr->rejects = rj;
            pr->n_rejected = pr->cap_rejected = 1;
            return;
        }
        cJSON_ArrayForEach(it, arr) {
            char *rec = cJSON_PrintUnformatted(it);
            if (!rec) {
                pr->fatal = LX_ENOMEM;
                break;
            }
            put_one(wr, pr, body, rec, strlen(rec), i++);
            cJSON_free(rec);
            if (pr->fatal)
                break;
        }
        cJSON_Delete(arr);
        return;
    }
    nl = memchr(p, '\n', (size_t)(end - p));
    first = cJSON_ParseWithLength(p, (size_t)((nl ? nl : end) - p));
    lines = first != NULL && nl && !blank(nl, (size_t)(end - nl));
    cJSON_Delete(first);
    if (!lines) {
        size_t n = (size_t)(end - p);
        while (n > 0 && isspace((unsigned char)p[n - 1]))
            n--;
        put_one(wr, pr, body, p, n, -1);
        return;
    }
    /* JSON lines: p is at the first non-blank line */
    p = body + skip;
    while (p < end && !pr->fatal) {
        size_t n;
        nl = memchr(p, '\n', (size_t)(end - p));
        n = (size_t)((nl ? nl : end) - p);
        if (!blank(p, n)) {
            size_t m = n;
            while (m > 0 && (p[m - 1] == '\r' || p[m - 1] == ' ' || p[m - 1] == '\t'))
                m--;
            put_one(wr, pr, body, p, m, -1);
        }
        p = nl ? nl + 1 : end;
    }
}

enum MHD_Result api_put(srv_req *rq) {
    const char *pv = http_param(rq, "partial");
    int partial = pv && (strcmp(pv, "1") == 0 || strcmp(pv, "true") == 0);
    put_result pr;
    lx_writer *wr = NULL;
    lx_error err = {0};
    enum MHD_Result ret;
    jsonw w;
    size_t i;
    int rc;
    if (!rq->body || blank(rq->body, rq->body_len))
        return http_error(rq, 400, "empty_body",
                          "send one JSON object, a JSON array of objects, or JSON lines");
    memset(&pr, 0, sizeof pr);
    pthread_mutex_lock(&g_srv.write_lock);
    rc = lx_writer_begin(g_srv.ix, &wr, &err);
    if (rc != 0) {
        pthread_mutex_unlock(&g_srv.write_lock);
        return api_engine_error(rq, rc, &err);
    }
    put_body(wr, &pr, rq->body, rq->body_len);
    if (pr.fatal) {
        lx_writer_abort(wr);
        pthread_mutex_unlock(&g_srv.write_lock);
        ret = api_engine_error(rq, pr.fatal, &pr.fatal_err);
        free(pr.rejects);
        return ret;
    }
    if (pr.n_rejected && !partial) {
        char msg[400], one[sizeof pr.rejects[0].err.field + sizeof pr.rejects[0].err.message + 2];
        lx_writer_abort(wr);
        pthread_mutex_unlock(&g_srv.write_lock);
        if (pr.n_rejected == 1 && pr.indexed == 0)
            snprintf(msg, sizeof msg, "%s; nothing was written",
                     record_message(&pr.rejects[0].err, pr.rejects[0].rc, one, sizeof one));
        else
            snprintf(msg, sizeof msg,
                     "%zu of %zu records rejected; nothing was written (?partial=1 keeps the "
                     "good ones)",
                     pr.n_rejected, pr.n_rejected + pr.indexed);
        ret = http_error_with(rq, 400, record_code(pr.rejects[0].rc), msg, write_rejects, &pr);
        free(pr.rejects);
        return ret;
    }
    if (pr.indexed == 0) {
        lx_writer_abort(wr);
        rc = 0;
    } else {
        rc = lx_writer_commit(wr, &err);
    }
    pthread_mutex_unlock(&g_srv.write_lock);
    if (rc != 0) {
        free(pr.rejects);
        return api_engine_error(rq, rc, &err);
    }
    jw_init(&w, 256 + pr.n_rejected * 256);
    jw_obj(&w);
    jw_key(&w, "indexed");
    jw_uint(&w, pr.indexed);
    jw_key(&w, "failed");
    jw_uint(&w, pr.n_rejected);
    jw_key(&w, "errors");
    jw_arr(&w);
    for (i = 0; i < pr.n_rejected; i++)
        write_reject(&w, &pr.rejects[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    free(pr.rejects);
    return http_send_jw(rq, 200, &w);
}

enum MHD_Result api_delete(srv_req *rq) {
    char id[LX_MAX_ID_BYTES + 1];
    lx_writer *wr = NULL;
    lx_error err = {0};
    jsonw w;
    int rc;
    if (http_path_part(rq, id, sizeof id) != 0)
        return http_error(rq, 404, "not_found", "no lecture with this id");
    pthread_mutex_lock(&g_srv.write_lock);
    rc = lx_writer_begin(g_srv.ix, &wr, &err);
    if (rc != 0) {
        pthread_mutex_unlock(&g_srv.write_lock);
        return api_engine_error(rq, rc, &err);
    }
    rc = lx_writer_delete(wr, id, &err);
    if (rc != 0) {
        lx_writer_abort(wr);
        pthread_mutex_unlock(&g_srv.write_lock);
        return api_engine_error(rq, rc, &err);
    }
    rc = lx_writer_commit(wr, &err);
    pthread_mutex_unlock(&g_srv.write_lock);
    if (rc != 0)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 128);
    jw_obj(&w);
    jw_key(&w, "deleted");
    jw_str(&w, id);
    jw_obj_end(&w);
    return http_send_jw(rq, 200, &w);
}
