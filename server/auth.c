/*
 * auth.c -- the bearer token that guards writes.
 *
 * The token comes from --token-file (first line, trailing whitespace
 * trimmed) or else from $LECTERN_TOKEN.  Without one, writes answer 403:
 * a server started for students must not be writable by accident.
 * The header is compared with its length, so that bytes after a NUL are
 * not ignored.  The comparison touches every byte of the longer string whatever the
 * content, so timing does not reveal how much of a guess was right.
 * SIGHUP reads the token again (auth_reload): the swap happens under a
 * write lock that every check takes for reading.  This token is the admin
 * key; the index's own keys are keys.c's.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

#define TOKEN_MAX 4096

static pthread_rwlock_t token_lock = PTHREAD_RWLOCK_INITIALIZER;

static char *trimmed_copy(const char *s, size_t n) {
    char *t;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    t = malloc(n + 1);
    if (!t)
        return NULL;
    memcpy(t, s, n);
    t[n] = '\0';
    return t;
}

int auth_load(srv_config *cfg) {
    const char *env = getenv("LECTERN_TOKEN");
    char buf[TOKEN_MAX + 2];
    size_t n;
    cfg->token = NULL;
    cfg->token_len = 0;
    if (cfg->token_file) {
        FILE *f = fopen(cfg->token_file, "rb");
        if (!f) {
            fprintf(stderr, "lectern-server: --token-file %s: %s\n", cfg->token_file,
                    strerror(errno));
            return -1;
        }
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        if (n > TOKEN_MAX) {
            fprintf(stderr, "lectern-server: --token-file %s: token longer than %d bytes\n",
                    cfg->token_file, TOKEN_MAX);
            return -1;
        }
        buf[n] = '\0';
        n = strcspn(buf, "\n"); /* first line only */
        cfg->token = trimmed_copy(buf, n);
    } else if (env && *env) {
        if (strlen(env) > TOKEN_MAX) {
            fprintf(stderr, "lectern-server: LECTERN_TOKEN longer than %d bytes\n", TOKEN_MAX);
            return -1;
        }
        cfg->token = trimmed_copy(env, strlen(env));
    } else {
        return 0;
    }
    if (!cfg->token) {
        fprintf(stderr, "lectern-server: out of memory\n");
        return -1;
    }
    cfg->token_len = strlen(cfg->token);
    if (cfg->token_len == 0) {
        fprintf(stderr, "lectern-server: the token is empty\n");
        free(cfg->token);
        cfg->token = NULL;
        return -1;
    }
    return 0;
}

int auth_reload(srv_config *cfg) {
    srv_config fresh = *cfg;
    char *old;
    if (auth_load(&fresh) != 0)
        return -1; /* the old token stays */
    pthread_rwlock_wrlock(&token_lock);
    old = cfg->token;
    cfg->token = fresh.token;
    cfg->token_len = fresh.token_len;
    pthread_rwlock_unlock(&token_lock);
    free(old);
    return 0;
}

int auth_enabled(void) {
    pthread_rwlock_rdlock(&token_lock);
    int on = g_srv.cfg.token != NULL;
    pthread_rwlock_unlock(&token_lock);
    return on;
}

static int check_locked(const srv_config *cfg, const char *header, size_t len);

int auth_check(const srv_config *cfg, const char *header, size_t len) {
    pthread_rwlock_rdlock(&token_lock);
    int ok = check_locked(cfg, header, len);
    pthread_rwlock_unlock(&token_lock);
    return ok;
}

static int check_locked(const srv_config *cfg, const char *header, size_t len) {
    const char *given, *end = header + len;
    size_t glen, i, n;
    unsigned diff;
    if (!cfg->token || !header || len < 7)
        return 0;
    if (strncasecmp(header, "Bearer ", 7) != 0)
        return 0;
    given = header + 7;
    while (given < end && *given == ' ')
        given++;
    /* the whole value counts: a NUL must not end the comparison early */
    glen = (size_t)(end - given);
    while (glen > 0 && given[glen - 1] == ' ')
        glen--;
    diff = glen != cfg->token_len;
    n = glen > cfg->token_len ? glen : cfg->token_len;
    for (i = 0; i < n; i++) {
        unsigned char a = i < glen ? (unsigned char)given[i] : 0;
        unsigned char b = i < cfg->token_len ? (unsigned char)cfg->token[i] : 0;
        diff |= (unsigned)(a ^ b);
    }
    return diff == 0;
}
