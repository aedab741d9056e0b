/* lookup.c -- the searcher's plain reads: one stored lecture by id
 * (lx_get), every tag with its lecture count (lx_tags), and the index's
 * statistics (lx_stats_get).  Each is one read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "facet.h"
#include "filter.h"
#include "record.h"
#include "searcher.h"

/* Appends "suggested_tags": [...] to the record JSON *json when the
 * lecture has stored suggested tags (lectern-index --suggest-tags). */
static int add_suggested(lx_searcher *s, uint32_t doc, char **json) {
    char tags[4096];
    unsigned n;
    int rc = lx_store_suggested_of(s->txn, s->ix, doc, tags, sizeof tags, &n);
    if (rc || !n)
        return rc;
    cJSON *rec = cJSON_Parse(*json);
    cJSON *arr = rec ? cJSON_AddArrayToObject(rec, "suggested_tags") : NULL;
    const char *t = tags;
    for (unsigned i = 0; arr && i < n; i++, t += strlen(t) + 1)
        if (!cJSON_AddItemToArray(arr, cJSON_CreateString(t)))
            arr = NULL;
    char *out = arr ? cJSON_PrintUnformatted(rec) : NULL;
    cJSON_Delete(rec);
    if (!out)
        return LX_ENOMEM;
    free(*json);
    *json = out;
    return 0;
}

int lx_get(lx_searcher *s, const char *id, char **json, size_t *len, lx_error *err) {
    *json = NULL;
    lx_error_clear(err);
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    uint32_t doc;
    lx_docview v;
    rc = lx_store_doc_by_id(s->txn, s->ix, id, &doc, &v);
    if (!rc) {
        *json = lx_record_from_view(&v);
        if (!*json)
            rc = LX_ENOMEM;
        else
            rc = add_suggested(s, doc, json);
        if (!rc && len)
            *len = strlen(*json);
    }
    lx_searcher_end(s);
    return lx_searcher_id_result(err, rc, id);
}

int lx_lecture_allowed(lx_searcher *s, const char *id, const lx_search_opts *o, lx_error *err) {
    lx_error_clear(err);
    int rc = lx_query_parse("", 0, &s->q, err);
    if (rc)
        return rc;
    rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    uint32_t doc;
    int filtered = 0;
    rc = lx_store_doc_by_id(s->txn, s->ix, id, &doc, NULL);
    if (!rc) {
        s->nqc = 0;
        s->suggested = (o->flags & LX_SEARCH_SUGGESTED) != 0;
        filtered = lx_search_filter(s, o, err); /* 1, 0 (no filter) or its error, err filled */
    }
    int allowed = !filtered || (doc < s->st.next_doc && (s->allow[doc / 64] >> (doc % 64) & 1));
    lx_searcher_end(s);
    if (rc)
        return lx_searcher_id_result(err, rc, id);
    return filtered < 0 ? filtered : allowed;
}

/* A tag's name (offset into keys) and count, while they are gathered. */
struct kc {
    size_t off;
    unsigned count;
};

/* Every tag of the index into kcs and keys; *cnt receives how many. */
static int gather_tags(lx_searcher *s, struct kc **kcs, size_t *cnt, lx_buf *keys) {
    size_t cap = 0;
    lx_store_iter it;
    MDB_val k, v;
    int r = lx_store_iter_open(s->txn, s->ix, LX_DB_TAGS, &it);
    while (r >= 0 && (r = lx_store_iter_next(&it, &k, &v)) > 0) {
        if (*cnt == cap) {
            cap = cap ? cap * 2 : 64;
            struct kc *nk = realloc(*kcs, cap * sizeof *nk);
            if (!nk) {
                r = LX_ENOMEM;
                break;
            }
            *kcs = nk;
        }
        (*kcs)[*cnt].off = keys->n;
        (*kcs)[*cnt].count = (unsigned)(v.mv_size / 4);
        if (lx_buf_append(keys, k.mv_data, k.mv_size) || lx_buf_append(keys, "", 1)) {
            r = LX_ENOMEM;
            break;
        }
        (*cnt)++;
    }
    lx_store_iter_close(&it);
    return r < 0 ? r : 0;
}

int lx_tags(lx_searcher *s, lx_facet **out, size_t *n, lx_error *err) {
    *out = NULL;
    *n = 0;
    lx_error_clear(err);
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    lx_buf keys = {0};
    size_t cnt = 0;
    struct kc *kcs = NULL;
    rc = gather_tags(s, &kcs, &cnt, &keys);
    lx_searcher_end(s);
    if (!rc) {
        lx_facet *f = malloc(cnt * sizeof *f + keys.n + 1);
        if (!f) {
            rc = LX_ENOMEM;
        } else {
            char *base = (char *)(f + cnt);
            if (keys.n)
                memcpy(base, keys.p, keys.n);
            for (size_t i = 0; i < cnt; i++) {
                f[i].value = base + kcs[i].off;
                f[i].count = kcs[i].count;
            }
            qsort(f, cnt, sizeof *f, lx_facet_cmp);
            *out = f;
            *n = cnt;
        }
    }
    free(kcs);
    lx_buf_free(&keys);
    return rc ? lx_fail(err, rc, NULL, -1, "tags: %s", lx_strerror(rc)) : 0;
}

int lx_stats_get(lx_searcher *s, lx_stats *out, lx_error *err) {
    memset(out, 0, sizeof *out);
    lx_error_clear(err);
    int rc = lx_searcher_begin(s, &s->ix->params, err);
    if (rc)
        return rc;
    out->documents = s->st.ndocs;
    out->terms = s->st.nterms;
    out->tokens = s->st.ntokens;
    MDB_envinfo info;
    MDB_stat est;
    if (mdb_env_info(s->env->env, &info) == 0 && mdb_env_stat(s->env->env, &est) == 0)
        out->index_bytes = (uint64_t)(info.me_last_pgno + 1) * est.ms_psize;
    for (int i = 0; i < s->nlangs && i < (int)(sizeof out->languages / sizeof *out->languages);
         i++) {
        snprintf(out->languages[i], sizeof out->languages[i], "%s", s->langs[i]);
        out->n_languages++;
    }
    lx_searcher_end(s);
    return 0;
}
