/* test_keys.c -- engine/keys.c: a key is created with a fresh secret,
 * found by that secret only, listed without it, stored as its SHA-256,
 * revoked by its id; a fixed filter needs a search-only key; a read-only
 * index refuses changes. */
#include "check.h"
#include "testidx.h"

#include <openssl/sha.h>

static const char *const recs[] = {
    "{\"id\": \"a\", \"title\": \"Alpha lecture\", \"tags\": [\"x\"]}",
};

/* Whether the bytes of needle occur in the file at path. */
static int file_has(const char *path, const char *needle) {
    FILE *f = fopen(path, "rb");
    size_t n = strlen(needle), cap = 1 << 20, len;
    char *buf = malloc(cap);
    int found = 0;
    if (!f || !buf) {
        if (f)
            fclose(f);
        free(buf);
        return -1;
    }
    while ((len = fread(buf, 1, cap, f)) > 0 && !found)
        for (size_t i = 0; i + n <= len; i++)
            if (memcmp(buf + i, needle, n) == 0) {
                found = 1;
                break;
            }
    fclose(f);
    free(buf);
    return found;
}

int main(void) {
    char dir[600], data[700];
    snprintf(dir, sizeof dir, "%s", check_tmpdir("keys"));
    snprintf(data, sizeof data, "%s/data.mdb", dir);
    lx_index *ix = tix_open(dir, LX_OPEN_CREATE);
    tix_put_all(ix, recs, 1);

    lx_key k, found, *list;
    char s1[LX_KEY_SECRET_BYTES], s2[LX_KEY_SECRET_BYTES];
    size_t n;
    lx_error err;

    /* a search key with a fixed filter, and an admin key */
    memset(&k, 0, sizeof k);
    k.scope = LX_KEY_SEARCH;
    snprintf(k.name, sizeof k.name, "site");
    snprintf(k.tags, sizeof k.tags, "x");
    CHECK(lx_key_create(ix, &k, s1, &err) == 0);
    CHECK(strlen(s1) == 51 && memcmp(s1, "lx_", 3) == 0);
    CHECK(strlen(k.id) == 16 && k.created > 0);
    char id1[17];
    memcpy(id1, k.id, sizeof id1);
    memset(&k, 0, sizeof k);
    k.scope = LX_KEY_ADMIN;
    CHECK(lx_key_create(ix, &k, s2, &err) == 0);
    CHECK(strcmp(s1, s2) != 0 && strcmp(id1, k.id) != 0);

    /* found by the secret, with its scope and filter */
    CHECK(lx_key_find(ix, s1, strlen(s1), &found) == 0);
    CHECK_STR(found.id, id1);
    CHECK(found.scope == LX_KEY_SEARCH);
    CHECK_STR(found.tags, "x");
    CHECK_STR(found.name, "site");
    /* not by a prefix, a longer string, another string */
    CHECK(lx_key_find(ix, s1, strlen(s1) - 1, &found) == LX_ENOTFOUND);
    char longer[LX_KEY_SECRET_BYTES + 2];
    snprintf(longer, sizeof longer, "%sx", s1);
    CHECK(lx_key_find(ix, longer, strlen(longer), &found) == LX_ENOTFOUND);
    CHECK(lx_key_find(ix, "lx_nothing", 10, &found) == LX_ENOTFOUND);
    CHECK(lx_key_find(ix, "", 0, &found) == LX_ENOTFOUND);

    /* listed, both */
    CHECK(lx_key_list(ix, &list, &n, &err) == 0);
    CHECK(n == 2);
    free(list);

    /* stored as the SHA-256 of the secret, never the secret */
    unsigned char d[SHA256_DIGEST_LENGTH];
    char hexd[2 * SHA256_DIGEST_LENGTH + 1];
    SHA256((const unsigned char *)s1, strlen(s1), d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(hexd + 2 * i, 3, "%02x", d[i]);
    CHECK(file_has(data, s1) == 0);
    CHECK(file_has(data, hexd) == 1);
    CHECK(strncmp(hexd, id1, 16) == 0);

    /* a filter on a write key, no scope */
    memset(&k, 0, sizeof k);
    k.scope = LX_KEY_WRITE;
    snprintf(k.lang, sizeof k.lang, "en");
    CHECK(lx_key_create(ix, &k, s2, &err) == LX_EINVAL);
    memset(&k, 0, sizeof k);
    CHECK(lx_key_create(ix, &k, s2, &err) == LX_EINVAL);

    /* revoked by id: gone; twice is not found */
    CHECK(lx_key_revoke(ix, id1, &err) == 0);
    CHECK(lx_key_find(ix, s1, strlen(s1), &found) == LX_ENOTFOUND);
    CHECK(lx_key_revoke(ix, id1, &err) == LX_ENOTFOUND);
    CHECK(lx_key_revoke(ix, "zz", &err) == LX_ENOTFOUND);
    CHECK(lx_key_list(ix, &list, &n, &err) == 0);
    CHECK(n == 1);
    free(list);

    /* the keys do not disturb the index */
    CHECK(tix_documents(dir) == 1);
    CHECK(tix_sound(dir));
    lx_index_close(ix);

    /* read-only: found, but no changes */
    ix = tix_open(dir, LX_OPEN_READONLY);
    memset(&k, 0, sizeof k);
    k.scope = LX_KEY_SEARCH;
    CHECK(lx_key_create(ix, &k, s1, &err) == LX_EREADONLY);
    CHECK(lx_key_list(ix, &list, &n, &err) == 0 && n == 1);
    free(list);
    lx_index_close(ix);

    /* scope names */
    unsigned sc = 0;
    CHECK(lx_key_scope_parse("search", &sc) == 0 && sc == LX_KEY_SEARCH);
    CHECK(lx_key_scope_parse("root", &sc) == LX_EINVAL);
    CHECK_STR(lx_key_scope_name(LX_KEY_WRITE), "write");
    CHECK(lx_key_scope_name(3) == NULL);
    CHECK_DONE();
}
