/*
 * keys.c -- who may do what: the admin token of --token-file and the API
 * keys stored, hashed, in the index (engine/keys.c), and the endpoints
 * that manage them (GET/POST /api/keys, DELETE /api/keys/{id}).
 *
 * Scopes: admin (everything: keys, snapshots, writes, reads), write (adds
 * and deletes of lectures), search (reads; with --private reads need it).
 * A search-only key may carry a fixed filter (tags, lang, speaker): every
 * search and related read made with it is narrowed by it, whatever the
 * request asks (its tags are added to the request's; its language and
 * speaker replace the request's).  Reads of one lecture by id (the
 * lecture, its related lectures, moments and suggested tags) answer 404
 * for a lecture outside the filter (keys_hides), and a lecturer's profile
 * counts only the lectures inside it.
 *
 * A key is looked up on every request that sends one (one read
 * transaction, one SHA-256), so a key created or revoked by another
 * process (lectern-index keys) counts from the next request on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "server.h"

/* The bearer credential of the Authorization header, trimmed, into
 * *cred and *len; 0 when the header is absent or not Bearer. */
static int bearer(srv_req *rq, const char **cred, size_t *len) {
    size_t hlen = 0;
    const char *h = http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION, &hlen), *end;
    if (!h || hlen < 7 || strncasecmp(h, "Bearer ", 7) != 0)
        return 0;
    end = h + hlen;
    h += 7;
    while (h < end && *h == ' ')
        h++;
    while (end > h && end[-1] == ' ')
        end--;
    *cred = h;
    *len = (size_t)(end - h);
    return 1;
}

static int control_in(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    return 0;
}

/* Whether the index holds any key (without a token and without keys,
 * writes are off: 403, not 401). */
static int any_key(void) {
    lx_key *keys;
    size_t n = 0;
    if (lx_key_list(g_srv.ix, &keys, &n, NULL) != 0)
        return 1;
    free(keys);
    return n > 0;
}

int keys_authorise(srv_req *rq, unsigned need, enum MHD_Result *ret) {
    size_t hlen = 0, clen = 0;
    const char *h = http_header(rq, MHD_HTTP_HEADER_AUTHORIZATION, &hlen), *cred;
    if (need != LX_KEY_SEARCH && g_srv.cfg.read_only) {
        *ret = http_error(rq, 403, "forbidden", "the index is open read-only");
        return 0;
    }
    if (!h) {
        if (need != LX_KEY_SEARCH && !auth_enabled() && !any_key()) {
            *ret = http_error(rq, 403, "forbidden",
                              "writes are disabled: start the server with --token-file or "
                              "LECTERN_TOKEN, or create a key (lectern-index keys create)");
            return 0;
        }
        *ret = http_error(rq, 401, "unauthorized", "missing Authorization: Bearer <token>");
        return 0;
    }
    if (control_in(h, hlen)) {
        *ret = http_error(rq, 400, "bad_header",
                          "the Authorization header contains a control character");
        return 0;
    }
    if (auth_check(&g_srv.cfg, h, hlen))
        return 1; /* the admin token */
    if (!bearer(rq, &cred, &clen) || lx_key_find(g_srv.ix, cred, clen, &rq->key) != 0) {
        if (need != LX_KEY_SEARCH && !auth_enabled() && !any_key())
            *ret = http_error(rq, 403, "forbidden",
                              "writes are disabled: start the server with --token-file or "
                              "LECTERN_TOKEN, or create a key (lectern-index keys create)");
        else
            *ret = http_error(rq, 401, "unauthorized", "invalid token");
        return 0;
    }
    rq->has_key = 1;
    if (!(rq->key.scope & (need | LX_KEY_ADMIN))) {
        char msg[128];
        snprintf(msg, sizeof msg, "key %s has no %s scope", rq->key.id,
                 lx_key_scope_name(need == LX_KEY_SEARCH  ? LX_KEY_SEARCH
                                   : need == LX_KEY_WRITE ? LX_KEY_WRITE
                                                          : LX_KEY_ADMIN));
        *ret = http_error(rq, 403, "forbidden", msg);
        return 0;
    }
    return 1;
}

void keys_filter(srv_req *rq, lx_search_opts *o, char *tags, size_t tags_size) {
    if (!rq->has_key) {
        /* a read sent with a key (not required without --private) is
         * narrowed all the same */
        const char *cred;
        size_t clen;
        if (!bearer(rq, &cred, &clen) || lx_key_find(g_srv.ix, cred, clen, &rq->key) != 0)
            return;
        rq->has_key = 1;
    }
    if (rq->key.tags[0]) {
        if (o->tags)
            snprintf(tags, tags_size, "%s,%s", rq->key.tags, o->tags);
        else
            snprintf(tags, tags_size, "%s", rq->key.tags);
        o->tags = tags;
    }
    if (rq->key.lang[0])
        o->lang = rq->key.lang;
    if (rq->key.speaker[0])
        o->speaker = rq->key.speaker;
}

int keys_fixed_filter(srv_req *rq, lx_search_opts *o, char *tags, size_t tags_size) {
    memset(o, 0, sizeof *o);
    keys_filter(rq, o, tags, tags_size);
    return o->tags || o->lang || o->speaker;
}

/* 1 after queuing a 404 (or the engine's error) when the request's key has
 * a fixed filter that lecture id is outside of; 0 to go on. */
static int keys_hides(srv_req *rq, lx_searcher *s, const char *id, enum MHD_Result *ret) {
    char tags[LX_MAX_TAGS * (LX_MAX_TAG_BYTES + 1)];
    lx_search_opts o;
    if (!keys_fixed_filter(rq, &o, tags, sizeof tags))
        return 0;
    lx_error err = {0};
    err.offset = -1;
    int rc = lx_lecture_allowed(s, id, &o, &err);
    if (rc == 1)
        return 0;
    /* Outside the key's filter reads as absent, not as forbidden: the key
     * does not learn which ids exist beyond it. */
    if (rc == 0 || rc == LX_ENOTFOUND)
        *ret = http_error(rq, 404, "not_found", "no lecture with this id");
    else
        *ret = api_engine_error(rq, rc, &err);
    return 1;
}

lx_searcher *keys_searcher(srv_req *rq, const char *id, enum MHD_Result *ret) {
    lx_searcher *s = http_searcher(rq);
    if (!s) {
        *ret = MHD_YES;
        return NULL;
    }
    return keys_hides(rq, s, id, ret) ? NULL : s;
}

/* Writes the key as an object and leaves it open (the caller may add
 * members, then closes it). */
static void key_json(jsonw *w, const lx_key *k) {
    jw_obj(w);
    jw_key(w, "id");
    jw_str(w, k->id);
    jw_key(w, "scope");
    jw_arr(w);
    for (unsigned b = 1; b <= LX_KEY_WRITE; b <<= 1)
        if (k->scope & b)
            jw_str(w, lx_key_scope_name(b));
    jw_arr_end(w);
    jw_key(w, "name");
    jw_str(w, k->name);
    jw_key(w, "created");
    jw_int(w, k->created);
    jw_key(w, "filter");
    jw_obj(w);
    if (k->tags[0]) {
        jw_key(w, "tags");
        jw_str(w, k->tags);
    }
    if (k->lang[0]) {
        jw_key(w, "lang");
        jw_str(w, k->lang);
    }
    if (k->speaker[0]) {
        jw_key(w, "speaker");
        jw_str(w, k->speaker);
    }
    jw_obj_end(w);
}

enum MHD_Result api_keys_list(srv_req *rq) {
    lx_key *keys;
    size_t n;
    lx_error err = {0};
    jsonw w;
    int rc = lx_key_list(g_srv.ix, &keys, &n, &err);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 256 + n * 256);
    jw_obj(&w);
    jw_key(&w, "keys");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        key_json(&w, &keys[i]);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    free(keys);
    return http_send_jw(rq, 200, &w);
}

/* Copies a string member of j into dst; -1 when present but not a
 * string or too long. */
static int member(const cJSON *j, const char *name, char *dst, size_t size) {
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, name);
    if (!m)
        return 0;
    if (!cJSON_IsString(m) || strlen(m->valuestring) >= size ||
        control_in(m->valuestring, strlen(m->valuestring)))
        return -1;
    memcpy(dst, m->valuestring, strlen(m->valuestring) + 1);
    return 0;
}

enum MHD_Result api_keys_create(srv_req *rq) {
    cJSON *j = rq->body ? cJSON_ParseWithLength(rq->body, rq->body_len) : NULL, *s;
    char secret[LX_KEY_SECRET_BYTES], bad[96] = "";
    lx_error err = {0};
    lx_key k;
    jsonw w;
    memset(&k, 0, sizeof k);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return http_error(rq, 400, "bad_json",
                          "the body must be a JSON object: {\"scope\": [\"search\"], ...}");
    }
    s = cJSON_GetObjectItemCaseSensitive(j, "scope");
    if (cJSON_IsString(s) && lx_key_scope_parse(s->valuestring, &k.scope) != 0)
        snprintf(bad, sizeof bad, "unknown scope (admin, search, write)");
    cJSON *e, *list = cJSON_IsArray(s) ? s : NULL;
    cJSON_ArrayForEach(e, list) {
        if (lx_key_scope_parse(cJSON_GetStringValue(e), &k.scope) != 0)
            snprintf(bad, sizeof bad, "unknown scope (admin, search, write)");
    }
    if (!bad[0] &&
        (member(j, "name", k.name, sizeof k.name) || member(j, "tags", k.tags, sizeof k.tags) ||
         member(j, "lang", k.lang, sizeof k.lang) ||
         member(j, "speaker", k.speaker, sizeof k.speaker)))
        snprintf(bad, sizeof bad, "name, tags, lang and speaker must be short strings");
    cJSON_Delete(j);
    if (bad[0])
        return http_error(rq, 400, "bad_key", bad);
    if (k.lang[0]) {
        char code[3];
        if (lx_language_lookup(k.lang, code) < 0)
            return http_error(rq, 400, "bad_key", "lang is not a language");
        memcpy(k.lang, code, 3);
    }
    int rc = lx_key_create(g_srv.ix, &k, secret, &err);
    if (rc == LX_EINVAL)
        return http_error(rq, 400, "bad_key", err.message);
    if (rc)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 512);
    key_json(&w, &k);
    jw_key(&w, "secret");
    jw_str(&w, secret);
    jw_obj_end(&w);
    return http_send_jw(rq, 201, &w);
}

enum MHD_Result api_keys_revoke(srv_req *rq) {
    lx_error err = {0};
    jsonw w;
    char id[32];
    if (rq->id_len == 0 || rq->id_len >= sizeof id)
        return http_error(rq, 404, "not_found", "no key with this id");
    memcpy(id, rq->id, rq->id_len);
    id[rq->id_len] = '\0';
    int rc = lx_key_revoke(g_srv.ix, id, &err);
    if (rc == LX_ENOTFOUND)
        return http_error(rq, 404, "not_found", "no key with this id");
    if (rc)
        return api_engine_error(rq, rc, &err);
    jw_init(&w, 64);
    jw_obj(&w);
    jw_key(&w, "revoked");
    jw_str(&w, id);
    jw_obj_end(&w);
    return http_send_jw(rq, 200, &w);
}
