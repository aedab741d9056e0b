/* lectern-index -- builds and updates a Lectern index from lecture
 * records: JSON lines files, standard input, or folders of x.json with
 * x.vtt / x.srt caption files beside them.
 *
 * Every rejected record is reported as file:line: field: reason and
 * skipped; the good ones around it are indexed.  --strict aborts the whole
 * run instead (nothing written).  A build is one writer
 * (lx_writer_begin_build): the new index appears whole when it is done,
 * or not at all.  An add (and a delete) is one transaction: readers see
 * the index before it until it commits, then all of it, and a killed or
 * failed add leaves the index as it was.  Its memory stays bounded all the
 * same: the writer merges its postings into the lists past its flush
 * threshold and LMDB spills dirty pages to the file, both inside the one
 * transaction.  The price is that other writers (the server's POSTs) wait
 * for the add to commit.  Exit status: 0 all indexed, 3 some records
 * rejected (the rest indexed), 2 aborted or failed (nothing written), 1
 * usage; an input that does not exist fails the run before anything is
 * read.  Warnings (a record taken with a change, caption files not read)
 * do not change the status.
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index_ops.h"
#include "lectern.h"

static const char usage[] =
    "usage: lectern-index build  --index DIR [--strict] [--force] [--quiet] [--suggest-tags] "
    "INPUT...\n"
    "       lectern-index add    --index DIR [--strict] [--quiet] [--suggest-tags] INPUT...\n"
    "       lectern-index delete --index DIR ID...\n"
    "       lectern-index snapshot|restore|keys ... (lectern-index snapshot --help)\n"
    "       lectern-index dicts [--force]\n"
    "\n"
    "INPUT is a JSON lines file (one lecture per line), - for standard input,\n"
    "or a folder: *.jsonl files are read as JSON lines and every other *.json\n"
    "as one lecture, paired with x.vtt or x.srt beside x.json (timed\n"
    "transcript); *.schema.json files are skipped.  Folders are walked\n"
    "recursively in name order.\n"
    "\n"
    "build creates the index (--force replaces an existing one, once the new\n"
    "one is complete); add adds to it, replacing lectures with the same id.\n"
    "  --strict   abort the whole run on the first bad record\n"
    "  --quiet    no progress output\n"
    "  --suggest-tags  then store suggested tags for lectures without tags\n"
    "Exit status: 0 all indexed, 3 some records rejected (rest indexed),\n"
    "2 aborted or failed (also: an INPUT that does not exist), 1 usage error.\n";

/* Each command's own --help. */
static const struct {
    const char *cmd, *help;
} helps[] = {
    {"build", "usage: lectern-index build --index DIR [--strict] [--force] [--quiet]\n"
              "       [--suggest-tags] INPUT...\n"
              "\n"
              "Creates the index in DIR from INPUT (JSON lines files, - for standard\n"
              "input, folders of x.json with x.vtt or x.srt beside them).  The index\n"
              "appears whole when the build is done, or not at all.  Then the installed\n"
              "FreeDict dictionaries are compiled for searches when that is not done yet\n"
              "(lectern-index dicts --help).\n"
              "  --force    replace an existing index (once the new one is complete)\n"
              "  --strict   abort on the first bad record (nothing written)\n"
              "  --quiet    no progress output\n"
              "  --suggest-tags  then store suggested tags (\"suggested_tags\", beside\n"
              "             the curated tags) for each lecture without tags\n"
              "Exit status: 0 all indexed, 3 some records rejected (rest indexed),\n"
              "2 aborted or failed (also: an INPUT that does not exist), 1 usage error.\n"},
    {"add", "usage: lectern-index add --index DIR [--strict] [--quiet] [--suggest-tags] INPUT...\n"
            "\n"
            "Adds the lectures of INPUT to the index in DIR, replacing lectures with\n"
            "the same id; INPUT as for build.\n"
            "  --strict   abort on the first bad record (nothing of the run written)\n"
            "  --quiet    no progress output\n"
            "  --suggest-tags  then store suggested tags for the lectures without tags\n"
            "             that have none yet\n"
            "Exit status: 0 all indexed, 3 some records rejected (rest indexed),\n"
            "2 aborted or failed (also: an INPUT that does not exist), 1 usage error.\n"},
    {"dicts", "usage: lectern-index dicts [--force]\n"
              "\n"
              "Compiles the installed FreeDict dictionaries (cross-language search) into\n"
              "one file that every search process maps instead of loading them: under\n"
              "$LECTERN_DICT_MAP_DIR, else $XDG_CACHE_HOME/lectern, else ~/.cache/lectern.\n"
              "build does it too when the file is missing or stale (the dictionaries or\n"
              "Lectern changed).\n"
              "  --force    compile again even when the file is up to date\n"
              "Exit status: 0 compiled or up to date, 2 failed, 1 usage error.\n"},
    {"delete", "usage: lectern-index delete --index DIR ID...\n"
               "\n"
               "Deletes the lectures with these ids, in one commit.\n"
               "Exit status: 0 all deleted, 3 some ids not found, 2 failed, 1 usage error.\n"},
};

/* The help of cmd, or the usage of every command when cmd is not one. */
static const char *help_of(const char *cmd) {
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (!strcmp(helps[i].cmd, cmd))
            return helps[i].help;
    return usage;
}

typedef struct run {
    lx_index *ix;
    lx_writer *w;
    int strict, quiet, tty, building;
    uint64_t records, errors, tokens_done;
    uint64_t bytes_done, bytes_total;
    double t0, last_progress;
    int fatal;
} run;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t tokens(const run *r) {
    return r->tokens_done + (r->w ? lx_writer_tokens(r->w) : 0);
}

static const char *lectures(uint64_t n) {
    return n == 1 ? "lecture" : "lectures";
}

static void progress(run *r, int final) {
    if (r->quiet)
        return;
    double t = now();
    if (!final && t - r->last_progress < (r->tty ? 0.2 : 5.0))
        return;
    r->last_progress = t;
    double el = t - r->t0;
    double rate = el > 0 ? r->records / el : 0;
    if (r->tty) {
        double frac = r->bytes_total ? (double)r->bytes_done / r->bytes_total : 0;
        if (frac > 1)
            frac = 1;
        int bar = (int)(frac * 30);
        double eta = frac > 0 ? el / frac - el : 0;
        fprintf(stderr, "\r[%-30.*s] %5.1f%% %llu %s %.0f/s ETA %.0fs ", bar,
                "##############################", frac * 100, (unsigned long long)r->records,
                lectures(r->records), rate, eta);
        if (final)
            fputc('\n', stderr);
    } else if (!final) {
        fprintf(stderr, "progress: %llu %s, %.0f/s, %.1fs\n", (unsigned long long)r->records,
                lectures(r->records), rate, el);
    }
}

static int begin(run *r) {
    lx_error err = {0};
    int rc = lx_writer_begin(r->ix, &r->w, &err);
    if (rc) {
        char msg[700];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern-index: %s\n", msg);
    }
    return rc;
}

static int commit(run *r) {
    lx_error err = {0};
    uint64_t t = lx_writer_tokens(r->w);
    int rc = lx_writer_commit(r->w, &err);
    r->w = NULL;
    if (rc) {
        char msg[700];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern-index: commit failed: %s%s\n", msg,
                rc == LX_ENOSPC ? " (the disk is full; nothing of this run was written)" : "");
        return rc;
    }
    r->tokens_done += t;
    return 0;
}

/* Says where an error or warning the engine just filled came from: the
 * engine clears file and line with the rest, so they are set after it. */
static void err_at(lx_error *err, const char *file, long line) {
    snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
}

/* Reports and counts the outcome of one record (rc, err).  Returns 1 to
 * stop reading. */
static int after_put(run *r, int rc, lx_error *err);

static int put(run *r, const char *file, long line, const char *json, size_t len) {
    lx_error err;
    int rc = lx_writer_put_json(r->w, json, len, &err);
    err_at(&err, file, line);
    return after_put(r, rc, &err);
}

static int after_put(run *r, int rc, lx_error *err) {
    char msg[800];
    if (rc) {
        lx_error_format(err, msg, sizeof msg);
        fprintf(stderr, "%s%s\n", r->tty && !r->quiet ? "\r\033[K" : "", msg);
        r->errors++;
        if (rc == LX_ENOMEM || rc == LX_EIO || rc == LX_EFULL || rc == LX_EFORMAT ||
            rc == LX_ENOSPC) {
            r->fatal = 1;
            return 1;
        }
        return r->strict;
    }
    if (err->message[0]) {
        lx_error_format(err, msg, sizeof msg);
        fprintf(stderr, "%swarning: %s\n", r->tty && !r->quiet ? "\r\033[K" : "", msg);
    }
    r->records++;
    progress(r, 0);
    return 0;
}

static int is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* JSON lines are read and prepared (parsed, validated, the transcript
 * compressed: lx_prepare_json) by a reader thread while this one analyses
 * and stores the record before: about a quarter of a build's work moves
 * off the writer's core.  Records are put in input order, so errors come
 * out in order and the index is the one a single thread would build. */
#define QUEUE 64

typedef struct item {
    long line;      /* 0: the end of the input */
    uint64_t bytes; /* input bytes up to this record */
    int rc;         /* lx_prepare_json's */
    lx_error err;
    lx_prepared *p;
} item;

typedef struct reader {
    pthread_mutex_t mu;
    pthread_cond_t more, room;
    item q[QUEUE];
    size_t head, n;
    int stop;       /* the writer wants no more */
    int read_error; /* errno of a failed read, at the end */
    FILE *f;
    const char *name;
} reader;

static int reader_push(reader *rd, item *it) {
    pthread_mutex_lock(&rd->mu);
    while (rd->n == QUEUE && !rd->stop)
        pthread_cond_wait(&rd->room, &rd->mu);
    int stop = rd->stop;
    if (!stop) {
        rd->q[(rd->head + rd->n) % QUEUE] = *it;
        rd->n++;
        pthread_cond_signal(&rd->more);
    }
    pthread_mutex_unlock(&rd->mu);
    return stop;
}

static void *reader_main(void *arg) {
    reader *rd = arg;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long lineno = 0;
    uint64_t bytes = 0;
    item it;
    while ((n = getline(&line, &cap, rd->f)) >= 0) {
        lineno++;
        bytes += (uint64_t)n;
        if (is_blank(line, (size_t)n))
            continue;
        memset(&it, 0, sizeof it);
        it.line = lineno;
        it.bytes = bytes;
        bytes = 0;
        it.rc = lx_prepare_json(line, (size_t)n, &it.p, &it.err);
        if (reader_push(rd, &it)) {
            lx_prepared_free(it.p);
            break;
        }
    }
    int read_error = ferror(rd->f) ? errno : 0;
    free(line);
    memset(&it, 0, sizeof it);
    it.bytes = bytes;
    pthread_mutex_lock(&rd->mu);
    rd->read_error = read_error;
    pthread_mutex_unlock(&rd->mu);
    reader_push(rd, &it);
    return NULL;
}

static void reader_pop(reader *rd, item *it) {
    pthread_mutex_lock(&rd->mu);
    while (rd->n == 0)
        pthread_cond_wait(&rd->more, &rd->mu);
    *it = rd->q[rd->head];
    rd->head = (rd->head + 1) % QUEUE;
    rd->n--;
    pthread_cond_signal(&rd->room);
    pthread_mutex_unlock(&rd->mu);
}

static int read_jsonl(run *r, FILE *f, const char *name) {
    reader rd;
    memset(&rd, 0, sizeof rd);
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.more, NULL);
    pthread_cond_init(&rd.room, NULL);
    rd.f = f;
    rd.name = name;
    pthread_t th;
    if (pthread_create(&th, NULL, reader_main, &rd) != 0) {
        fprintf(stderr, "%s: cannot start a reader thread\n", name);
        r->fatal = 1;
        return 1;
    }
    int stop = 0;
    item it;
    for (;;) {
        reader_pop(&rd, &it);
        r->bytes_done += it.bytes;
        if (it.line == 0)
            break;
        if (it.rc == 0) {
            it.rc = lx_writer_put_prepared(r->w, it.p, &it.err);
            it.p = NULL;
        }
        err_at(&it.err, name, it.line);
        if (after_put(r, it.rc, &it.err)) {
            stop = 1;
            break;
        }
    }
    /* Stop the reader (it may be waiting for room), drop what it read. */
    pthread_mutex_lock(&rd.mu);
    rd.stop = 1;
    pthread_cond_broadcast(&rd.room);
    while (rd.n) {
        lx_prepared_free(rd.q[rd.head].p);
        rd.head = (rd.head + 1) % QUEUE;
        rd.n--;
    }
    pthread_mutex_unlock(&rd.mu);
    pthread_join(th, NULL); /* it pushes nothing once stop is set */
    if (!stop && rd.read_error) {
        fprintf(stderr, "%s: read error: %s\n", name, strerror(rd.read_error));
        r->fatal = 1;
        stop = 1;
    }
    pthread_mutex_destroy(&rd.mu);
    pthread_cond_destroy(&rd.more);
    pthread_cond_destroy(&rd.room);
    return stop;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    size_t k;
    while (b && (k = fread(b + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b) {
        b[n] = 0;
        *len = n;
    }
    return b;
}

static int ends_with(const char *s, const char *suf) {
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

/* Prints a warning about file (and line, when > 0) on its own line. */
static void warn(run *r, const char *file, long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(run *r, const char *file, long line, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        fprintf(stderr, "%swarning: %s:%ld: %s\n", r->tty && !r->quiet ? "\r\033[K" : "", file,
                line, msg);
    else
        fprintf(stderr, "%swarning: %s: %s\n", r->tty && !r->quiet ? "\r\033[K" : "", file, msg);
}

static int file_exists(const char *path, uint64_t *size) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    if (size)
        *size = (uint64_t)st.st_size;
    return 1;
}

/* x.srt beside x.vtt: the WebVTT file is read, the SRT one is not. */
static void warn_unused_srt(run *r, const char *base, const char *used) {
    char srt[4200];
    uint64_t size;
    snprintf(srt, sizeof srt, "%s.srt", base);
    if (strcmp(srt, used) != 0 && file_exists(srt, &size)) {
        warn(r, srt, 0, "ignored: %s beside it is the timed transcript", used);
        r->bytes_done += size;
    }
}

/* A caption file is read with the x.json beside it; without one it is
 * not a lecture, and is said so rather than passed over. */
static void check_orphan_captions(run *r, const char *path) {
    char json[4200];
    uint64_t size = 0;
    snprintf(json, sizeof json, "%.*s.json", (int)(strlen(path) - 4), path);
    if (file_exists(json, NULL))
        return;
    file_exists(path, &size);
    r->bytes_done += size;
    warn(r, path, 0, "ignored: no %s beside it (captions are read with their lecture's x.json)",
         json);
}

/* One x.json record, with x.vtt or x.srt as its timed transcript. */
static int read_json_file(run *r, const char *path) {
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        r->errors++;
        return r->strict;
    }
    r->bytes_done += len;
    char base[4096];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(path) - 5), path);
    char cap_path[4200];
    const char *exts[] = {".vtt", ".srt"};
    char *caps = NULL;
    size_t caplen = 0;
    for (int i = 0; i < 2 && !caps; i++) {
        snprintf(cap_path, sizeof cap_path, "%s%s", base, exts[i]);
        caps = slurp(cap_path, &caplen);
    }
    if (caps)
        warn_unused_srt(r, base, cap_path);
    int stop = 0;
    if (!caps) {
        stop = put(r, path, 1, text, len);
        free(text);
        return stop;
    }
    r->bytes_done += caplen;
    lx_segment *segs = NULL;
    size_t nseg = 0;
    lx_error err;
    memset(&err, 0, sizeof err);
    int rc = lx_captions_parse(caps, caplen, &segs, &nseg, &err);
    free(caps);
    if (rc) {
        snprintf(err.file, sizeof err.file, "%.255s", cap_path);
        char msg[800];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s (lecture %s skipped)\n", msg, path);
        r->errors++;
        free(text);
        return r->strict;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    int inline_segments =
        cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "segments");
    if (!root || !cJSON_IsObject(root) || inline_segments) {
        /* Let the engine report the JSON problem, or keep inline segments. */
        if (inline_segments)
            warn(r, cap_path, 0, "ignored: %s has its own \"segments\", which are indexed instead",
                 path);
        cJSON_Delete(root);
        lx_segments_free(segs, nseg);
        stop = put(r, path, 1, text, len);
        free(text);
        return stop;
    }
    if (nseg && cJSON_GetObjectItemCaseSensitive(root, "transcript")) {
        /* The engine's rule (segments indexed, transcript dropped), told
         * here with the file the segments come from. */
        warn(r, path, 1, "transcript: ignored: the timed transcript %s is indexed instead",
             cap_path);
        cJSON_DeleteItemFromObjectCaseSensitive(root, "transcript");
    }
    cJSON *arr = cJSON_AddArrayToObject(root, "segments");
    for (size_t i = 0; arr && i < nseg; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "start", segs[i].start);
        cJSON_AddNumberToObject(o, "end", segs[i].end);
        cJSON_AddStringToObject(o, "text", segs[i].text);
        cJSON_AddItemToArray(arr, o);
    }
    lx_segments_free(segs, nseg);
    char *merged = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!merged) {
        free(text);
        r->fatal = 1;
        return 1;
    }
    stop = put(r, path, 1, merged, strlen(merged));
    free(merged);
    free(text);
    return stop;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    return s;
}

/* A topics.txt of a folder walk (corpus/README.md): each line
 * `tag | fi: label | de: label ...` stores its labels as names of the tag
 * (lx_writer_topic_label); a bare `tag` line has none.  A label that
 * cannot be stored is a warning: the lectures do not depend on it. */
static int read_topics(run *r, const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        warn(r, path, 0, "%s", strerror(errno));
        return 0;
    }
    char line[4096];
    long ln = 0;
    while (fgets(line, sizeof line, f)) {
        ln++;
        char *bar = strchr(line, '|');
        if (line[0] == '#' || !bar)
            continue;
        *bar = 0;
        char *tag = trim(line);
        for (char *p = bar + 1; p;) {
            char *next = strchr(p, '|');
            if (next)
                *next++ = 0;
            char *colon = strchr(p, ':');
            if (!colon) {
                warn(r, path, ln, "label \"%.80s\" of \"%.80s\" has no language (fi: ...)", trim(p),
                     tag);
            } else {
                *colon = 0;
                lx_error err = {0};
                char msg[700];
                int rc = lx_writer_topic_label(r->w, tag, trim(p), trim(colon + 1), &err);
                if (rc) {
                    lx_error_format(&err, msg, sizeof msg);
                    warn(r, path, ln, "%s", msg);
                }
                if (rc && rc != LX_ERECORD) { /* the store failed: so will the commit */
                    fclose(f);
                    return 0;
                }
            }
            p = next;
        }
    }
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t input_size(const char *path);

static int read_input(run *r, const char *path);
static int read_topics(run *r, const char *path);

/* dir/name, with one slash however dir ends ("timed/" given on the
 * command line). */
static void join_path(char *out, size_t cap, const char *dir, const char *name) {
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    snprintf(out, cap, "%.*s/%s", (int)n, dir, name);
}

static int read_dir(run *r, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: cannot open folder: %s\n", dir, strerror(errno));
        r->errors++;
        return r->strict;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn)
                break;
            names = nn;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        join_path(path, sizeof path, dir, names[i]);
        struct stat st;
        if (!stop && stat(path, &st) == 0) {
            if (S_ISDIR(st.st_mode))
                stop = read_dir(r, path);
            else if (ends_with(path, ".jsonl"))
                stop = read_input(r, path);
            else if (ends_with(path, ".json") && !ends_with(path, ".schema.json"))
                stop = read_json_file(r, path);
            else if (ends_with(path, ".vtt") || ends_with(path, ".srt"))
                check_orphan_captions(r, path);
            else if (strcmp(names[i], "topics.txt") == 0)
                stop = read_topics(r, path);
        }
        free(names[i]);
    }
    free(names);
    return stop;
}

static int read_input(run *r, const char *path) {
    if (strcmp(path, "-") == 0)
        return read_jsonl(r, stdin, "<stdin>");
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        r->errors++;
        return r->strict;
    }
    if (S_ISDIR(st.st_mode))
        return read_dir(r, path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        r->errors++;
        return r->strict;
    }
    int stop = read_jsonl(r, f, path);
    fclose(f);
    return stop;
}

static int is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The bytes a run reads from path: the files a folder walk reads (JSON
 * lines, JSON, captions), so that the progress bar ends at 100%. */
static uint64_t input_size(const char *path) {
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (uint64_t)st.st_size;
    uint64_t total = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        join_path(p, sizeof p, path, e->d_name);
        if (is_dir(p) || ends_with(p, ".jsonl") ||
            (ends_with(p, ".json") && !ends_with(p, ".schema.json")) || ends_with(p, ".vtt") ||
            ends_with(p, ".srt"))
            total += input_size(p);
    }
    if (d)
        closedir(d);
    return total;
}

static int index_main(int argc, char **argv, const char **inputs);

/* An input that is not there is a failed run (exit 2, nothing written),
 * not a rejected record: said before anything is read. */
static int missing_input(int n, const char **inputs) {
    int missing = 0;
    struct stat st;
    for (int i = 0; i < n; i++)
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) != 0) {
            fprintf(stderr, "lectern-index: %s: %s\n", inputs[i], strerror(errno));
            missing = 1;
        }
    return missing;
}

/* lectern-index dicts [--force]. */
static int dicts_main(int argc, char **argv) {
    int force = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help_of("dicts"), stdout);
            return 0;
        } else {
            fprintf(stderr, "lectern-index: unknown option %s\n%s", argv[i], help_of("dicts"));
            return 1;
        }
    }
    char msg[4400];
    double t0 = now();
    int rc = lx_dict_compile(force, msg, sizeof msg);
    if (rc == 0)
        fprintf(stderr, "%s in %.1f seconds\n", msg, now() - t0);
    else
        fprintf(stderr, "%s\n", msg);
    return rc < 0 ? 2 : 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    /* Past the file size limit (ulimit -f) a write fails with EFBIG, which
     * the engine reports as disk full with the index unchanged; the
     * default SIGXFSZ would kill the run in the middle instead. */
    signal(SIGXFSZ, SIG_IGN);
    if (index_ops_is_command(argv[1]))
        return index_ops_main(argc, argv);
    if (!strcmp(argv[1], "dicts"))
        return dicts_main(argc, argv);
    const char **inputs = calloc((size_t)argc, sizeof *inputs);
    if (!inputs) {
        fprintf(stderr, "lectern-index: out of memory\n");
        return 2;
    }
    int status = index_main(argc, argv, inputs);
    free(inputs);
    return status;
}

/* --suggest-tags, after the lectures are committed. */
static int store_suggestions(run *r, const char *dir) {
    lx_error err = {0};
    char msg[800];
    double t0 = now();
    uint64_t n = 0;
    int rc = r->ix ? 0 : lx_index_open(dir, 0, &r->ix, &err);
    if (!rc)
        rc = lx_index_suggest_tags(r->ix, &n, &err);
    if (rc) {
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern-index: suggesting tags: %s\n", msg);
        return rc;
    }
    if (!r->quiet)
        fprintf(stderr, "suggested tags for %llu lectures in %.2f seconds\n", (unsigned long long)n,
                now() - t0);
    return 0;
}

static int index_main(int argc, char **argv, const char **inputs) {
    const char *cmd = argv[1];
    const char *dir = NULL;
    int strict = 0, force = 0, quiet = 0, suggest = 0;
    int ninputs = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--index") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--strict"))
            strict = 1;
        else if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--suggest-tags"))
            suggest = 1;
        else if (!strcmp(argv[i], "--quiet"))
            quiet = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help_of(cmd), stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "lectern-index: unknown option %s\n%s", argv[i], usage);
            return 1;
        } else
            inputs[ninputs++] = argv[i];
    }
    int building = !strcmp(cmd, "build"), adding = !strcmp(cmd, "add"),
        deleting = !strcmp(cmd, "delete");
    if (!building && !adding && !deleting) {
        fprintf(stderr, "lectern-index: unknown command '%s'\n%s", cmd, usage);
        return 1;
    }
    if (!dir || !ninputs) {
        fprintf(stderr, "lectern-index: %s needs --index DIR and %s\n%s", cmd,
                deleting ? "ids" : "inputs", usage);
        return 1;
    }
    if (!deleting && missing_input(ninputs, inputs))
        return 2;
    lx_error err = {0};
    char msg[800];
    run r;
    memset(&r, 0, sizeof r);
    r.strict = strict;
    r.quiet = quiet;
    r.tty = isatty(2);
    r.t0 = now();
    r.building = building;
    int rc = building ? lx_writer_begin_build(dir, force ? LX_BUILD_REPLACE : 0, &r.w, &err)
                      : lx_index_open(dir, 0, &r.ix, &err);
    if (rc) {
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern-index: %s%s\n", msg,
                rc == LX_EEXIST   ? "; use add, or build --force"
                : rc == LX_ENOSPC ? " (the disk is full; the index is unchanged)"
                                  : "");
        return 2;
    }
    if (!building && begin(&r)) {
        lx_index_close(r.ix);
        return 2;
    }
    int status = 0;
    if (deleting) {
        for (int i = 0; i < ninputs; i++) {
            memset(&err, 0, sizeof err);
            if (lx_writer_delete(r.w, inputs[i], &err)) {
                lx_error_format(&err, msg, sizeof msg);
                fprintf(stderr, "lectern-index: %s\n", msg);
                r.errors++;
            } else {
                r.records++;
            }
        }
        if (commit(&r)) {
            lx_index_close(r.ix);
            return 2;
        }
        fprintf(stderr, "deleted %llu errors %llu\n", (unsigned long long)r.records,
                (unsigned long long)r.errors);
        lx_index_close(r.ix);
        return r.errors ? 3 : 0;
    }
    for (int i = 0; i < ninputs; i++)
        r.bytes_total += input_size(inputs[i]);
    int stop = 0;
    for (int i = 0; i < ninputs && !stop; i++)
        stop = read_input(&r, inputs[i]);
    if (!stop) {
        /* All read: the bar ends full even when a file grew meanwhile or
         * the input (standard input) had no size to begin with. */
        if (!r.bytes_total)
            r.bytes_total = 1;
        r.bytes_done = r.bytes_total;
    }
    progress(&r, 1);
    if (stop && (strict || r.fatal)) {
        if (r.w)
            lx_writer_abort(r.w);
        fprintf(stderr, "lectern-index: aborted after %llu errors; %s\n",
                (unsigned long long)r.errors,
                strict ? "nothing written (--strict)" : "nothing written");
        lx_index_close(r.ix);
        return 2;
    }
    if (r.w && commit(&r)) {
        lx_index_close(r.ix);
        return 2;
    }
    double el = now() - r.t0;
    uint64_t tok = tokens(&r);
    fprintf(stderr, "lectures %llu tokens %llu seconds %.2f tokens/s %.0f errors %llu\n",
            (unsigned long long)r.records, (unsigned long long)tok, el, el > 0 ? tok / el : 0.0,
            (unsigned long long)r.errors);
    if (r.errors)
        status = 3;
    if (suggest && store_suggestions(&r, dir))
        status = 2;
    lx_index_close(r.ix);
    const char *dm_off = getenv("LECTERN_DICT_MAP");
    if (building && !(dm_off && !strcmp(dm_off, "0"))) {
        /* The dictionaries every search of the index reads, compiled
         * once (a no-op when up to date): see lectern-index dicts.
         * LECTERN_DICT_MAP=0 (no compiled file used) skips it. */
        char dm[4400];
        double t1 = now();
        int dc = lx_dict_compile(0, dm, sizeof dm);
        if (dc == 0 && !quiet)
            fprintf(stderr, "%s in %.1f seconds\n", dm, now() - t1);
        else if (dc < 0)
            fprintf(stderr, "lectern-index: %s (searches read the dictionaries themselves)\n", dm);
    }
    return status;
}
