/* keys.c -- API keys, stored hashed in the index.
 *
 * A key is a secret the server's clients send as "Authorization: Bearer
 * <secret>".  Only the SHA-256 digest of the secret is stored, in the meta
 * database (store.c):
 *
 *   meta  "key/" + 64 hex digits of SHA-256(secret) -> the key as JSON:
 *         {"id", "scope": [names], "name", "created", "tags", "lang",
 *          "speaker"} (the last three are the fixed filter, absent when
 *         none)
 *
 * The secret is 24 random bytes (getrandom) written as "lx_" and 48 hex
 * digits: a guess has no better chance than 2^-192, so one unsalted hash
 * is enough (a slow password hash guards low-entropy secrets, which these
 * are not).  A key's public id is the first 16 hex digits of the digest:
 * listing shows ids, never secrets, and a key is revoked by its id.
 * Because keys live in the index, a snapshot carries them to replicas and
 * a restore brings them back; a build --force starts without any.
 */
#include <cjson/cJSON.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "error.h"
#include "store.h"

#define KEY_PREFIX "key/"
#define KEY_PREFIX_LEN 4
#define KEY_MKEY_LEN (KEY_PREFIX_LEN + 2 * SHA256_DIGEST_LENGTH)

static const char *const scope_names[] = {"admin", "search", "write"};
#define N_SCOPES 3

static void hex(const unsigned char *b, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* The meta key of a secret: "key/" and its digest in hex. */
static void meta_key(const char *secret, size_t len, char out[KEY_MKEY_LEN + 1]) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)secret, len, d);
    memcpy(out, KEY_PREFIX, KEY_PREFIX_LEN);
    hex(d, sizeof d, out + KEY_PREFIX_LEN);
}

int lx_key_scope_parse(const char *name, unsigned *scope) {
    for (unsigned i = 0; i < N_SCOPES; i++)
        if (name && strcmp(name, scope_names[i]) == 0) {
            *scope |= 1u << i;
            return 0;
        }
    return LX_EINVAL;
}

const char *lx_key_scope_name(unsigned bit) {
    for (unsigned i = 0; i < N_SCOPES; i++)
        if (bit == 1u << i)
            return scope_names[i];
    return NULL;
}

static void copy_str(char *dst, size_t size, const cJSON *item) {
    const char *s = cJSON_GetStringValue(item);
    snprintf(dst, size, "%s", s ? s : "");
}

/* Decodes a stored key.  Returns 0, or LX_ECORRUPT. */
static int key_decode(const MDB_val *v, lx_key *out) {
    cJSON *j = cJSON_ParseWithLength(v->mv_data, v->mv_size), *s;
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return LX_ECORRUPT;
    }
    copy_str(out->id, sizeof out->id, cJSON_GetObjectItem(j, "id"));
    copy_str(out->name, sizeof out->name, cJSON_GetObjectItem(j, "name"));
    copy_str(out->tags, sizeof out->tags, cJSON_GetObjectItem(j, "tags"));
    copy_str(out->lang, sizeof out->lang, cJSON_GetObjectItem(j, "lang"));
    copy_str(out->speaker, sizeof out->speaker, cJSON_GetObjectItem(j, "speaker"));
    s = cJSON_GetObjectItem(j, "created");
    out->created = cJSON_IsNumber(s) ? (int64_t)s->valuedouble : 0;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(j, "scope")) {
        lx_key_scope_parse(cJSON_GetStringValue(s), &out->scope);
    }
    cJSON_Delete(j);
    return out->id[0] && out->scope ? 0 : LX_ECORRUPT;
}

static char *key_encode(const lx_key *k) {
    cJSON *j = cJSON_CreateObject(), *sc;
    char *s;
    if (!j)
        return NULL;
    cJSON_AddStringToObject(j, "id", k->id);
    sc = cJSON_AddArrayToObject(j, "scope");
    for (unsigned i = 0; i < N_SCOPES; i++)
        if (sc && (k->scope & (1u << i)))
            cJSON_AddItemToArray(sc, cJSON_CreateString(scope_names[i]));
    cJSON_AddStringToObject(j, "name", k->name);
    cJSON_AddNumberToObject(j, "created", (double)k->created);
    if (k->tags[0])
        cJSON_AddStringToObject(j, "tags", k->tags);
    if (k->lang[0])
        cJSON_AddStringToObject(j, "lang", k->lang);
    if (k->speaker[0])
        cJSON_AddStringToObject(j, "speaker", k->speaker);
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

/* Runs fn in one write transaction and commits it. */
static int key_write(lx_index *ix, int (*fn)(MDB_txn *, lx_index *, void *, lx_error *), void *ctx,
                     lx_error *err) {
    lx_wlock wl;
    MDB_txn *txn;
    int rc;
    if (ix->flags & LX_OPEN_READONLY)
        return lx_fail(err, LX_EREADONLY, NULL, -1, "the index is open read-only");
    if ((rc = lx_store_write_begin(ix, &wl, &txn, err)))
        return rc;
    rc = fn(txn, ix, ctx, err);
    if (rc) {
        mdb_txn_abort(txn);
    } else {
        int c = mdb_txn_commit(txn);
        if (c)
            rc = lx_store_write_fail(wl.env->env, err, c, "commit");
    }
    lx_store_write_end(ix, &wl);
    return rc;
}

typedef struct put_ctx {
    const char *mkey, *json;
} put_ctx;

static int put_fn(MDB_txn *txn, lx_index *ix, void *ctx, lx_error *err) {
    put_ctx *p = ctx;
    MDB_val k = {KEY_MKEY_LEN, (void *)p->mkey}, v = {strlen(p->json), (void *)p->json};
    int rc = mdb_put(txn, ix->meta, &k, &v, 0);
    return rc ? lx_store_write_fail(mdb_txn_env(txn), err, rc, "storing the key") : 0;
}

int lx_key_create(lx_index *ix, lx_key *key, char secret[LX_KEY_SECRET_BYTES], lx_error *err) {
    unsigned char raw[24];
    char mkey[KEY_MKEY_LEN + 1], *json;
    size_t got = 0;
    lx_error_clear(err);
    if (!key->scope || key->scope >= 1u << N_SCOPES)
        return lx_fail(err, LX_EINVAL, "scope", -1, "a key needs a scope: admin, search or write");
    if ((key->tags[0] || key->lang[0] || key->speaker[0]) && key->scope != LX_KEY_SEARCH)
        return lx_fail(err, LX_EINVAL, "scope", -1, "a fixed filter needs a search-only key");
    while (got < sizeof raw) {
        ssize_t n = getrandom(raw + got, sizeof raw - got, 0);
        if (n < 0)
            return lx_fail(err, LX_EIO, NULL, -1, "no random bytes for the key");
        got += (size_t)n;
    }
    memcpy(secret, "lx_", 3);
    hex(raw, sizeof raw, secret + 3);
    meta_key(secret, strlen(secret), mkey);
    memcpy(key->id, mkey + KEY_PREFIX_LEN, 16);
    key->id[16] = '\0';
    key->created = (int64_t)time(NULL);
    if (!(json = key_encode(key)))
        return lx_fail(err, LX_ENOMEM, NULL, -1, "out of memory");
    put_ctx p = {mkey, json};
    int rc = key_write(ix, put_fn, &p, err);
    free(json);
    return rc;
}

int lx_key_find(lx_index *ix, const char *secret, size_t len, lx_key *out) {
    char mkey[KEY_MKEY_LEN + 1];
    MDB_txn *txn;
    MDB_val k = {KEY_MKEY_LEN, mkey}, v;
    int rc;
    if (len < 4 || memcmp(secret, "lx_", 3) != 0)
        return LX_ENOTFOUND; /* not one of ours: no lookup */
    meta_key(secret, len, mkey);
    lx_env *e = lx_store_acquire(ix);
    rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = lx_store_get(txn, ix->meta, &k, &v);
        rc = rc ? lx_store_code(rc) : key_decode(&v, out);
        mdb_txn_abort(txn);
    } else {
        rc = lx_store_code(rc);
    }
    lx_store_release(ix, e);
    return rc;
}

/* Calls fn on every stored key (its meta key and value) until fn returns
 * non-zero: 1 stops the walk (0 returned), a negative LX_E* code is
 * returned. */
static int key_each(MDB_txn *txn, lx_index *ix, int (*fn)(void *, MDB_val *, MDB_val *),
                    void *ctx) {
    MDB_cursor *c;
    MDB_val k = {KEY_PREFIX_LEN, KEY_PREFIX}, v;
    int rc = mdb_cursor_open(txn, ix->meta, &c);
    if (rc)
        return lx_store_code(rc);
    rc = lx_store_cursor_get(c, &k, &v, MDB_SET_RANGE);
    while (rc == 0 && k.mv_size == KEY_MKEY_LEN && !memcmp(k.mv_data, KEY_PREFIX, KEY_PREFIX_LEN)) {
        int f = fn(ctx, &k, &v);
        if (f) {
            mdb_cursor_close(c);
            return f < 0 ? f : 0;
        }
        rc = lx_store_cursor_get(c, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND || rc == 0 ? 0 : lx_store_code(rc);
}

typedef struct list_ctx {
    lx_key *keys;
    size_t n, cap;
} list_ctx;

static int list_fn(void *ctx, MDB_val *k, MDB_val *v) {
    list_ctx *l = ctx;
    (void)k;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        lx_key *nk = realloc(l->keys, cap * sizeof *nk);
        if (!nk)
            return LX_ENOMEM;
        l->keys = nk;
        l->cap = cap;
    }
    if (key_decode(v, &l->keys[l->n]) == 0)
        l->n++;
    return 0;
}

int lx_key_list(lx_index *ix, lx_key **out, size_t *n, lx_error *err) {
    list_ctx l = {0};
    MDB_txn *txn;
    lx_error_clear(err);
    *out = NULL;
    *n = 0;
    lx_env *e = lx_store_acquire(ix);
    int rc = mdb_txn_begin(e->env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = key_each(txn, ix, list_fn, &l);
        mdb_txn_abort(txn);
    } else {
        rc = lx_store_code(rc);
    }
    lx_store_release(ix, e);
    if (rc) {
        free(l.keys);
        return lx_fail(err, rc, NULL, -1, "reading the keys: %s", lx_strerror(rc));
    }
    *out = l.keys;
    *n = l.n;
    return 0;
}

typedef struct revoke_ctx {
    const char *id;
    char mkey[KEY_MKEY_LEN];
    int found;
} revoke_ctx;

static int match_fn(void *ctx, MDB_val *k, MDB_val *v) {
    revoke_ctx *r = ctx;
    (void)v;
    if (memcmp((char *)k->mv_data + KEY_PREFIX_LEN, r->id, 16) != 0)
        return 0;
    memcpy(r->mkey, k->mv_data, KEY_MKEY_LEN);
    r->found = 1;
    return 1;
}

static int revoke_fn(MDB_txn *txn, lx_index *ix, void *ctx, lx_error *err) {
    revoke_ctx *r = ctx;
    int rc = key_each(txn, ix, match_fn, r);
    if (rc < 0)
        return lx_fail(err, rc, NULL, -1, "reading the keys: %s", lx_strerror(rc));
    if (!r->found)
        return lx_fail(err, LX_ENOTFOUND, "id", -1, "no key with id %s", r->id);
    MDB_val k = {KEY_MKEY_LEN, r->mkey};
    rc = mdb_del(txn, ix->meta, &k, NULL);
    return rc ? lx_store_write_fail(mdb_txn_env(txn), err, rc, "removing the key") : 0;
}

int lx_key_revoke(lx_index *ix, const char *id, lx_error *err) {
    lx_error_clear(err);
    if (!id || strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return lx_fail(err, LX_ENOTFOUND, "id", -1, "no key with id %.40s", id ? id : "");
    revoke_ctx r = {id, {0}, 0};
    return key_write(ix, revoke_fn, &r, err);
}
