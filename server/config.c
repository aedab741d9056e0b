/*
 * config.c -- lectern-server's config file (--config FILE), read with
 * inih (Debian's libinih).
 *
 * The file is INI: "name = value" lines, names being the long options
 * without their dashes (index, port, token-file, cors-origin, ...), in no
 * section or in [server]; '#' and ';' start comments.  A switch (read-only,
 * create, private, quiet) is on with true/yes/on/1 and off with
 * false/no/off/0; cors-origin may repeat.  The file becomes an argument
 * vector that the option parser reads before the command line, so the
 * same checks apply and a flag given on the command line wins.  The
 * example config, lectern-server.conf in dist/, lists every name.
 */
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server.h"

typedef struct cfg_args {
    char **argv;
    int argc, cap;
    const char *file;
    int bad_line; /* first line with an unknown name or a bad switch value */
} cfg_args;

static const char *const switches[] = {"read-only", "create", "private", "quiet"};

static int push(cfg_args *a, const char *s) {
    if (a->argc + 2 > a->cap) {
        int cap = a->cap ? 2 * a->cap : 32;
        char **n = realloc(a->argv, (size_t)cap * sizeof *n);
        if (!n)
            return -1;
        a->argv = n;
        a->cap = cap;
    }
    if (!(a->argv[a->argc] = strdup(s)))
        return -1;
    a->argv[++a->argc] = NULL;
    return 0;
}

static int truth(const char *v) {
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no",
                                                                                "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i]))
            return 1;
        if (!strcasecmp(v, no[i]))
            return 0;
    }
    return -1;
}

static int on_entry(void *user, const char *section, const char *name, const char *value) {
    cfg_args *a = user;
    char opt[80];
    if (section[0] && strcmp(section, "server") != 0) {
        fprintf(stderr, "lectern-server: %s: unknown section [%s] (use [server] or none)\n",
                a->file, section);
        return 0;
    }
    if (!strcmp(name, "config") || !strcmp(name, "help") || strlen(name) > 60) {
        fprintf(stderr, "lectern-server: %s: '%s' cannot be set in a config file\n", a->file, name);
        return 0;
    }
    snprintf(opt, sizeof opt, "--%s", name);
    for (size_t i = 0; i < sizeof switches / sizeof switches[0]; i++) {
        if (strcmp(name, switches[i]) != 0)
            continue;
        int t = truth(value);
        if (t < 0) {
            fprintf(stderr, "lectern-server: %s: %s = %s: want true or false\n", a->file, name,
                    value);
            return 0;
        }
        return t ? push(a, opt) == 0 : 1;
    }
    return push(a, opt) == 0 && push(a, value) == 0;
}

int config_argv(const char *prog, const char *file, char ***argv_out) {
    cfg_args a = {NULL, 0, 0, file, 0};
    *argv_out = NULL;
    if (push(&a, prog) != 0) {
        fprintf(stderr, "lectern-server: out of memory\n");
        return -1;
    }
    int rc = ini_parse(file, on_entry, &a);
    if (rc != 0) {
        if (rc == -1)
            perror(file);
        else if (rc > 0)
            fprintf(stderr, "lectern-server: %s:%d: cannot use this line\n", file, rc);
        else
            fprintf(stderr, "lectern-server: %s: out of memory\n", file);
        config_argv_free(a.argv);
        return -1;
    }
    *argv_out = a.argv;
    return a.argc;
}

void config_argv_free(char **argv) {
    for (char **p = argv; p && *p; p++)
        free(*p);
    free(argv);
}
