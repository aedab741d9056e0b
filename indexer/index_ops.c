/* index_ops.c -- lectern-index's operator commands: snapshot, restore and
 * keys (create, list, revoke).  lectern-index's main hands these commands
 * here (index_ops_main). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index_ops.h"
#include "lectern.h"

static const char ops_usage[] =
    "usage: lectern-index snapshot --index DIR OUT\n"
    "       lectern-index restore  --index DIR SNAPSHOT\n"
    "       lectern-index keys create --index DIR --scope SCOPE[,SCOPE] [--name TEXT]\n"
    "                                 [--tags T,U] [--lang L] [--speaker NAME]\n"
    "       lectern-index keys list   --index DIR\n"
    "       lectern-index keys revoke --index DIR ID\n"
    "\n"
    "snapshot writes a compact, consistent copy of the index to the new folder\n"
    "OUT while servers keep reading and writing it; restore puts a snapshot in\n"
    "place of the index (a running server moves to it at its next request).\n"
    "keys manages the API keys stored, hashed, in the index: SCOPE is admin,\n"
    "search or write; --tags, --lang and --speaker give a search-only key a\n"
    "fixed filter.  create prints the secret on standard output, once.\n"
    "Exit status: 0 done, 2 failed, 1 usage error.\n";

int index_ops_is_command(const char *cmd) {
    return !strcmp(cmd, "snapshot") || !strcmp(cmd, "restore") || !strcmp(cmd, "keys");
}

static int fail(int rc, lx_error *err) {
    char msg[800];
    lx_error_format(err, msg, sizeof msg);
    fprintf(stderr, "lectern-index: %s\n", msg[0] ? msg : lx_strerror(rc));
    return 2;
}

static void scopes_string(unsigned scope, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned b = 1; b <= LX_KEY_WRITE; b <<= 1)
        if ((scope & b) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "," : "", lx_key_scope_name(b));
}

static int keys_list(lx_index *ix) {
    lx_key *keys;
    size_t n;
    lx_error err = {0};
    int rc = lx_key_list(ix, &keys, &n, &err);
    if (rc)
        return fail(rc, &err);
    for (size_t i = 0; i < n; i++) {
        char sc[64], when[32];
        time_t t = (time_t)keys[i].created;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        scopes_string(keys[i].scope, sc, sizeof sc);
        printf("%s\t%s\t%s\t%s", keys[i].id, sc, when, keys[i].name);
        if (keys[i].tags[0])
            printf("\ttags=%s", keys[i].tags);
        if (keys[i].lang[0])
            printf("\tlang=%s", keys[i].lang);
        if (keys[i].speaker[0])
            printf("\tspeaker=%s", keys[i].speaker);
        putchar('\n');
    }
    free(keys);
    return 0;
}

/* Parses "search,write" into scope bits; -1 on an unknown name. */
static int parse_scopes(const char *s, unsigned *scope) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        if (lx_key_scope_parse(t, scope) != 0) {
            fprintf(stderr, "lectern-index: unknown scope '%s' (admin, search, write)\n", t);
            return -1;
        }
    return 0;
}

static int keys_main(lx_index *ix, const char *sub, const lx_key *proto, int nargs, char **args) {
    lx_error err = {0};
    int rc;
    if (!strcmp(sub, "list") && nargs == 0)
        return keys_list(ix);
    if (!strcmp(sub, "revoke") && nargs == 1) {
        if ((rc = lx_key_revoke(ix, args[0], &err)))
            return fail(rc, &err);
        fprintf(stderr, "revoked %s\n", args[0]);
        return 0;
    }
    if (!strcmp(sub, "create") && nargs == 0) {
        lx_key k = *proto;
        char secret[LX_KEY_SECRET_BYTES], sc[64];
        if ((rc = lx_key_create(ix, &k, secret, &err)))
            return fail(rc, &err);
        scopes_string(k.scope, sc, sizeof sc);
        printf("%s\n", secret);
        fprintf(stderr, "created key %s (%s); the secret above is shown only now\n", k.id, sc);
        return 0;
    }
    fputs(ops_usage, stderr);
    return 1;
}

int index_ops_main(int argc, char **argv) {
    const char *cmd = argv[1], *dir = NULL, *sub = NULL;
    char **args = calloc((size_t)argc, sizeof *args);
    int nargs = 0, status;
    lx_key proto;
    memset(&proto, 0, sizeof proto);
    if (!args)
        return 2;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(ops_usage, stdout);
            free(args);
            return 0;
        }
        if (v && !strcmp(a, "--index"))
            dir = v;
        else if (v && !strcmp(a, "--scope")) {
            if (parse_scopes(v, &proto.scope)) {
                free(args);
                return 1;
            }
        } else if (v && !strcmp(a, "--name"))
            snprintf(proto.name, sizeof proto.name, "%s", v);
        else if (v && !strcmp(a, "--tags"))
            snprintf(proto.tags, sizeof proto.tags, "%s", v);
        else if (v && !strcmp(a, "--lang"))
            snprintf(proto.lang, sizeof proto.lang, "%s", v);
        else if (v && !strcmp(a, "--speaker"))
            snprintf(proto.speaker, sizeof proto.speaker, "%s", v);
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "lectern-index: unknown option %s\n%s", a, ops_usage);
            free(args);
            return 1;
        } else {
            if (!strcmp(cmd, "keys") && !sub)
                sub = a;
            else
                args[nargs++] = argv[i];
            continue;
        }
        i++;
    }
    if (!dir || (strcmp(cmd, "keys") ? nargs != 1 : !sub)) {
        fputs(ops_usage, stderr);
        free(args);
        return 1;
    }
    lx_error err = {0};
    if (!strcmp(cmd, "restore")) {
        int rc = lx_index_restore(dir, args[0], &err);
        status = rc ? fail(rc, &err) : 0;
        if (!rc)
            fprintf(stderr, "restored %s from %s\n", dir, args[0]);
        free(args);
        return status;
    }
    lx_index *ix;
    int rc = lx_index_open(dir, 0, &ix, &err);
    if (rc) {
        free(args);
        return fail(rc, &err);
    }
    if (!strcmp(cmd, "snapshot")) {
        uint64_t bytes = 0;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        rc = lx_index_snapshot(ix, args[0], &bytes, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        status = rc ? fail(rc, &err) : 0;
        if (!rc)
            fprintf(stderr, "snapshot %s bytes %llu seconds %.3f\n", args[0],
                    (unsigned long long)bytes,
                    (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    } else {
        status = keys_main(ix, sub, &proto, nargs, args);
    }
    lx_index_close(ix);
    free(args);
    return status;
}
