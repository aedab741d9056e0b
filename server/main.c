/*
 * main.c -- lectern-server: options, the index, signals, start and stop.
 *
 * Options come from the command line and, with --config FILE, from an
 * INI file read first (config.c): a flag on the command line wins.
 *
 * SIGINT, SIGTERM and SIGHUP are blocked before libmicrohttpd starts its
 * threads (which inherit the mask) and the main thread waits for them
 * with sigwait: no work happens in a signal handler.  SIGHUP reloads: the
 * token file and the config file are read again (reload below).  On either signal the
 * server stops accepting, lets in-flight requests finish (bounded by
 * SRV_SHUTDOWN_GRACE_MS), joins the pool (whose threads close their
 * searchers), closes the index and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: lectern-server --index DIR [options]\n"
            "\n"
            "Serves the Lectern search API and search page over HTTP.\n"
            "\n"
            "  --index DIR            the index to serve (built by lectern-index)\n"
            "  --bind ADDR            address to listen on (default 127.0.0.1)\n"
            "  --port N               port (default %u; 0 picks a free one)\n"
            "  --threads N            worker threads (default: the number of cores)\n"
            "  --token-file FILE      the admin key: writes, keys, snapshots (else\n"
            "                         $LECTERN_TOKEN; with neither and no key in the\n"
            "                         index, writes answer 403)\n"
            "  --cors-origin ORIGIN   allow browser calls from ORIGIN (repeatable; * = any)\n"
            "  --max-body BYTES       largest request body, suffix k/m/g allowed (default %um)\n"
            "  --max-connections N    connections served at once; more get 503 (default %u)\n"
            "  --max-limit N          largest limit= of one page (default %u)\n"
            "  --max-connections-per-ip N\n"
            "                         connections served from one address; more get 429\n"
            "                         (default %u; 0 = no limit)\n"
            "  --timeout SECONDS      a new or idle connection must send a request line\n"
            "                         within this, however slowly, or is closed (default %u)\n"
            "  --header-timeout SECONDS\n"
            "                         from the request line to the end of the headers\n"
            "                         (default %u)\n"
            "  --body-timeout SECONDS from the end of the headers to the end of the body\n"
            "                         (default %u)\n"
            "  --header-buffer BYTES  room for a request line and its headers, suffix k/m\n"
            "                         (default %uk, at least %uk); longer ones get 414 or 431\n"
            "  --cache-mb N           keep up to N MiB of search and related answers,\n"
            "                         each valid until the next write (default %u; 0 = off)\n"
            "  --work-budget N        work units one search may spend before it answers\n"
            "                         its best hits so far with \"partial\": true (default\n"
            "                         %llu a lecture, at least %llu; 0 = no budget)\n"
            "  --read-only            open the index read-only (writes answer 403)\n"
            "  --create               create an empty index when DIR has none\n"
            "  --quiet                no access log (--log-level warn)\n"
            "  --log-level LEVEL      error, warn, info (default: the access log) or debug\n"
            "  --config FILE          read options from an INI file first (name = value,\n"
            "                         names as the long options); flags given here win\n"
            "  --private              reads need a key with the search scope too\n"
            "  --snapshot-dir DIR     where POST /api/snapshots writes (default: off)\n"
            "  --help                 this text\n"
            "\n"
            "On start it prints \"listening on http://HOST:PORT\" on stderr; then one line\n"
            "per request unless --quiet: method path status bytes microseconds cache\n"
            "(hit, miss or -).  Writes need the --token-file token (an admin key) or a\n"
            "key made with lectern-index keys create.\n"
            "SIGHUP reads the token file and the config file again (log-level, private,\n"
            "max-limit, max-body, work-budget, token-file, snapshot-dir take effect).\n"
            "SIGINT or SIGTERM stops it cleanly (exit status 0).\n",
            SRV_DEFAULT_PORT, SRV_DEFAULT_MAX_BODY >> 20, SRV_DEFAULT_MAX_CONNECTIONS,
            SRV_DEFAULT_MAX_LIMIT, SRV_DEFAULT_MAX_PER_IP, SRV_DEFAULT_TIMEOUT,
            SRV_DEFAULT_HEADER_TIMEOUT, SRV_DEFAULT_BODY_TIMEOUT, SRV_DEFAULT_HEADER_BUFFER >> 10,
            SRV_MIN_HEADER_BUFFER >> 10, SRV_DEFAULT_CACHE_MB,
            (unsigned long long)LX_WORK_PER_LECTURE, (unsigned long long)LX_WORK_BUDGET_DEFAULT);
}

/* Parses an unsigned number with an optional k/m/g suffix (powers of
 * 1024).  Returns 0, or -1 after printing why. */
static int parse_size(const char *opt, const char *s, unsigned long long max,
                      unsigned long long *out) {
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || *s == '-')
        goto bad;
    switch (*end) {
    case 'k':
    case 'K':
        v <<= 10;
        end++;
        break;
    case 'm':
    case 'M':
        v <<= 20;
        end++;
        break;
    case 'g':
    case 'G':
        v <<= 30;
        end++;
        break;
    default:
        break;
    }
    if (*end || v > max)
        goto bad;
    *out = v;
    return 0;
bad:
    fprintf(stderr, "lectern-server: %s: bad value '%s' (at most %llu)\n", opt, s, max);
    return -1;
}

static void cfg_defaults(srv_config *cfg) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    memset(cfg, 0, sizeof *cfg);
    cfg->bind = "127.0.0.1";
    cfg->port = SRV_DEFAULT_PORT;
    cfg->threads = cores > 0 ? (unsigned)cores : 1;
    cfg->max_body = SRV_DEFAULT_MAX_BODY;
    cfg->max_connections = SRV_DEFAULT_MAX_CONNECTIONS;
    cfg->cache_bytes = (size_t)SRV_DEFAULT_CACHE_MB << 20;
    cfg->max_limit = SRV_DEFAULT_MAX_LIMIT;
    cfg->timeout = SRV_DEFAULT_TIMEOUT;
    cfg->max_per_ip = SRV_DEFAULT_MAX_PER_IP;
    cfg->header_timeout = SRV_DEFAULT_HEADER_TIMEOUT;
    cfg->body_timeout = SRV_DEFAULT_BODY_TIMEOUT;
    cfg->header_buffer = SRV_DEFAULT_HEADER_BUFFER;
    cfg->log_level = SRV_LOG_INFO;
}

/* Parses one argument vector over cfg (the config file's, then the
 * command line's). */
/* The options: ids past 255 (getopt_long returns them), names. */
enum {
    O_INDEX = 256,
    O_BIND,
    O_PORT,
    O_THREADS,
    O_TOKEN,
    O_CORS,
    O_BODY,
    O_CONNS,
    O_LIMIT,
    O_TIMEOUT,
    O_PER_IP,
    O_HEADER_TIMEOUT,
    O_BODY_TIMEOUT,
    O_HEADER_BUFFER,
    O_CACHE,
    O_WORK,
    O_RO,
    O_CREATE,
    O_QUIET,
    O_HELP,
    O_CONFIG,
    O_LOG_LEVEL,
    O_PRIVATE,
    O_SNAPSHOT_DIR
};
static const struct option long_opts[] = {
    {"index", required_argument, 0, O_INDEX},
    {"bind", required_argument, 0, O_BIND},
    {"port", required_argument, 0, O_PORT},
    {"threads", required_argument, 0, O_THREADS},
    {"token-file", required_argument, 0, O_TOKEN},
    {"cors-origin", required_argument, 0, O_CORS},
    {"max-body", required_argument, 0, O_BODY},
    {"max-connections", required_argument, 0, O_CONNS},
    {"max-limit", required_argument, 0, O_LIMIT},
    {"timeout", required_argument, 0, O_TIMEOUT},
    {"max-connections-per-ip", required_argument, 0, O_PER_IP},
    {"header-timeout", required_argument, 0, O_HEADER_TIMEOUT},
    {"body-timeout", required_argument, 0, O_BODY_TIMEOUT},
    {"header-buffer", required_argument, 0, O_HEADER_BUFFER},
    {"cache-mb", required_argument, 0, O_CACHE},
    {"work-budget", required_argument, 0, O_WORK},
    {"read-only", no_argument, 0, O_RO},
    {"create", no_argument, 0, O_CREATE},
    {"quiet", no_argument, 0, O_QUIET},
    {"help", no_argument, 0, O_HELP},
    {"config", required_argument, 0, O_CONFIG},
    {"log-level", required_argument, 0, O_LOG_LEVEL},
    {"private", no_argument, 0, O_PRIVATE},
    {"snapshot-dir", required_argument, 0, O_SNAPSHOT_DIR},
    {0, 0, 0, 0},
};

static int parse_opts(int argc, char **argv, srv_config *cfg) {
    unsigned long long v;
    int c;

    /* The options that set an unsigned field: name, largest, smallest. */
    static const struct {
        int id;
        const char *name;
        unsigned long long max, min;
        size_t off;
    } uints[] = {
        {O_PORT, "--port", 65535, 0, offsetof(srv_config, port)},
        {O_THREADS, "--threads", 1024, 1, offsetof(srv_config, threads)},
        {O_CONNS, "--max-connections", 100000, 1, offsetof(srv_config, max_connections)},
        {O_LIMIT, "--max-limit", LX_MAX_RESULTS, 1, offsetof(srv_config, max_limit)},
        {O_TIMEOUT, "--timeout", 86400, 0, offsetof(srv_config, timeout)},
        {O_PER_IP, "--max-connections-per-ip", 100000, 0, offsetof(srv_config, max_per_ip)},
        {O_HEADER_TIMEOUT, "--header-timeout", 86400, 0, offsetof(srv_config, header_timeout)},
        {O_BODY_TIMEOUT, "--body-timeout", 86400, 0, offsetof(srv_config, body_timeout)},
        {O_HEADER_BUFFER, "--header-buffer", SRV_MAX_HEADER_BUFFER, SRV_MIN_HEADER_BUFFER,
         offsetof(srv_config, header_buffer)},
    };

    opterr = 0;
    optind = 0; /* GNU getopt: start afresh on this vector */
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        size_t u = 0;
        while (u < sizeof uints / sizeof uints[0] && uints[u].id != c)
            u++;
        if (u < sizeof uints / sizeof uints[0]) {
            if (parse_size(uints[u].name, optarg, uints[u].max, &v) != 0)
                return -1;
            if (v < uints[u].min) {
                fprintf(stderr, "lectern-server: %s must be at least %llu\n", uints[u].name,
                        uints[u].min);
                return -1;
            }
            *(unsigned *)((char *)cfg + uints[u].off) = (unsigned)v;
            continue;
        }
        switch (c) {
        case O_INDEX:
            cfg->index_dir = optarg;
            break;
        case O_BIND:
            cfg->bind = optarg;
            break;
        case O_TOKEN:
            cfg->token_file = optarg;
            break;
        case O_CORS:
            if (cfg->n_cors == SRV_MAX_CORS_ORIGINS) {
                fprintf(stderr, "lectern-server: at most %d --cors-origin\n", SRV_MAX_CORS_ORIGINS);
                return -1;
            }
            cfg->cors[cfg->n_cors++] = optarg;
            break;
        case O_BODY:
            if (parse_size("--max-body", optarg, 1ull << 32, &v) != 0)
                return -1;
            cfg->max_body = (size_t)v;
            break;
        case O_CACHE:
            if (parse_size("--cache-mb", optarg, 1u << 20, &v) != 0)
                return -1;
            cfg->cache_bytes = (size_t)v << 20;
            break;
        case O_WORK:
            if (parse_size("--work-budget", optarg, UINT64_MAX >> 30, &v) != 0)
                return -1;
            cfg->work_budget = v ? v : LX_WORK_UNLIMITED;
            break;
        case O_RO:
            cfg->read_only = 1;
            break;
        case O_CREATE:
            cfg->create = 1;
            break;
        case O_QUIET:
            cfg->log_level = SRV_LOG_WARN;
            break;
        case O_CONFIG:
            cfg->config_file = optarg;
            break;
        case O_LOG_LEVEL:
            if ((cfg->log_level = log_level_parse(optarg)) < 0) {
                fprintf(stderr,
                        "lectern-server: --log-level: '%s' is not error, warn, info or "
                        "debug\n",
                        optarg);
                return -1;
            }
            break;
        case O_PRIVATE:
            cfg->private_search = 1;
            break;
        case O_SNAPSHOT_DIR:
            cfg->snapshot_dir = optarg;
            break;
        case 'h':
        case O_HELP:
            usage(stdout);
            exit(0);
        default:
            fprintf(stderr, "lectern-server: unknown option '%s' (see --help)\n", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "lectern-server: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    cfg->quiet = cfg->log_level < SRV_LOG_INFO;
    return 0;
}

/* The config files' argument vectors: cfg's strings point into them, so
 * they live until exit (one more per SIGHUP). */
static char **cfg_vectors[64];
static unsigned n_cfg_vectors;

/* Options from scratch: defaults, then the --config file (found on the
 * command line), then the command line over it. */
static int load_options(int argc, char **argv, srv_config *cfg) {
    cfg_defaults(cfg);
    if (parse_opts(argc, argv, cfg) != 0)
        return -1;
    if (cfg->config_file) {
        const char *file = cfg->config_file;
        char **cargv;
        int cargc;
        if (n_cfg_vectors == sizeof cfg_vectors / sizeof cfg_vectors[0]) {
            fprintf(stderr, "lectern-server: too many reloads; restart the server\n");
            return -1;
        }
        if ((cargc = config_argv(argv[0], file, &cargv)) < 0)
            return -1;
        cfg_vectors[n_cfg_vectors++] = cargv;
        cfg_defaults(cfg);
        if (parse_opts(cargc, cargv, cfg) != 0) {
            fprintf(stderr, "lectern-server: in %s\n", file);
            return -1;
        }
        if (parse_opts(argc, argv, cfg) != 0)
            return -1;
        cfg->config_file = file;
    }
    if (!cfg->index_dir) {
        fprintf(stderr, "lectern-server: --index DIR is required (see --help)\n");
        return -1;
    }
    return 0;
}

/* The FreeDict dictionaries (cross-language search): their compiled
 * file (lectern-index dicts) is mapped, nothing loaded; without an up to
 * date one they load in the background while the server starts (every
 * pair, its stem map and the reversed pairs: a few seconds of CPU and
 * ~200 MiB of heap); a search that needs a pair before then loads it
 * itself or waits for the pair being loaded (thread-safe). */
static void *preload(void *arg) {
    (void)arg;
    lx_dict_warm();
    return NULL;
}

static void preload_dictionaries(void) {
    pthread_t t;
    if (pthread_create(&t, NULL, preload, NULL) == 0)
        pthread_detach(t);
}

/* SIGHUP: the config file and the token again.  Fields read by requests
 * while this runs are single words stored atomically; the token is swapped
 * under auth.c's lock.  A bad file changes nothing. */
static void reload(int argc, char **argv) {
    srv_config fresh;
    srv_config *cfg = &g_srv.cfg;
    if (load_options(argc, argv, &fresh) != 0) {
        srv_log(SRV_LOG_ERROR, "SIGHUP: the configuration did not load; nothing changed");
        return;
    }
    cfg->token_file = fresh.token_file;
    if (auth_reload(cfg) != 0) {
        srv_log(SRV_LOG_ERROR, "SIGHUP: the token did not load; the old one stays");
    }
    __atomic_store_n(&cfg->log_level, fresh.log_level, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->quiet, fresh.quiet, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->private_search, fresh.private_search, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->max_limit, fresh.max_limit, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->max_body, fresh.max_body, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->work_budget, fresh.work_budget, __ATOMIC_RELAXED);
    __atomic_store_n(&cfg->snapshot_dir, fresh.snapshot_dir, __ATOMIC_RELAXED);
    srv_log(SRV_LOG_INFO, "SIGHUP: reloaded %s and the token",
            cfg->config_file ? cfg->config_file : "the command line");
}

int main(int argc, char **argv) {
    srv_config *cfg = &g_srv.cfg;
    struct MHD_Daemon *d;
    lx_error err = {0};
    sigset_t set;
    unsigned port, flags;
    struct stat st;
    int rc, sig;

    if (load_options(argc, argv, cfg) != 0)
        return 2;
    if (auth_load(cfg) != 0)
        return 2;

    flags = cfg->read_only ? LX_OPEN_READONLY : 0;
    if (cfg->create && !cfg->read_only)
        flags |= LX_OPEN_CREATE;
    if (!(flags & LX_OPEN_CREATE) && stat(cfg->index_dir, &st) != 0) {
        fprintf(stderr,
                "lectern-server: --index %s: %s (build one with lectern-index, or pass "
                "--create)\n",
                cfg->index_dir, strerror(errno));
        return 1;
    }
    rc = lx_index_open(cfg->index_dir, flags, &g_srv.ix, &err);
    if (rc != 0) {
        char msg[600];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern-server: --index %s: %s\n", cfg->index_dir,
                msg[0] ? msg : lx_strerror(rc));
        return 1;
    }
    pthread_mutex_init(&g_srv.write_lock, NULL);
    if (cache_init(cfg->cache_bytes) != 0) {
        fprintf(stderr, "lectern-server: no memory for a %zu MiB cache\n", cfg->cache_bytes >> 20);
        lx_index_close(g_srv.ix);
        return 1;
    }

    /* the pool threads inherit this mask; only sigwait below sees them */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file size limit is a full disk (LX_ENOSPC), not a death */

    g_srv.started = srv_now();
    preload_dictionaries();
    d = http_start(&port);
    if (!d) {
        cache_free();
        lx_index_close(g_srv.ix);
        return 1;
    }
    if (strchr(cfg->bind, ':'))
        fprintf(stderr, "listening on http://[%s]:%u\n", cfg->bind, port);
    else
        fprintf(stderr, "listening on http://%s:%u\n", cfg->bind, port);

    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        reload(argc, argv);
    }
    if (!cfg->quiet)
        fprintf(stderr, "lectern-server: %s, shutting down\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_stop(d);
    cache_free();
    lx_index_close(g_srv.ix);
    pthread_mutex_destroy(&g_srv.write_lock);
    free(cfg->token);
    while (n_cfg_vectors > 0)
        config_argv_free(cfg_vectors[--n_cfg_vectors]);
    return 0;
}
