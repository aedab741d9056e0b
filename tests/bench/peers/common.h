/*
 * common.h: what the two benchmark peers (xapian_peer.cc, fts5_peer.c) share,
 * so that they read the same records, count the same tokens, run the same
 * queries and report latency the same way. Benchmark-only code: nothing in
 * the product includes it. It compiles as C (C99) and as C++.
 *
 * - Records: one JSON object a line (cJSON). The indexed fields are title,
 *   tags (array joined with ", "), speaker, description and transcript (or,
 *   when absent, the "text" of every element of "segments", joined with " ").
 * - Tokens: runs of ASCII letters and digits, where any byte >= 0x80 (UTF-8)
 *   also counts as a word byte; everything else separates. The count is over
 *   the record's indexed text once, whatever an engine does internally.
 * - Queries: one a line, either "query" (qid = line number) or
 *   "qid<TAB>query". Blank lines are skipped.
 * - Latency: per query wall time (CLOCK_MONOTONIC) in microseconds; mean and
 *   nearest-rank percentiles over the timed pass. Beside it the per query CPU
 *   time of the thread, which a busy machine inflates much less.
 */
#ifndef LECTERN_BENCH_PEERS_COMMON_H
#define LECTERN_BENCH_PEERS_COMMON_H

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A growable byte buffer; always NUL-terminated once anything is added. */
typedef struct {
    char *p;    /* the bytes, NUL-terminated */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
} pbuf;

static inline void pbuf_add(pbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = (char *)realloc(b->p, cap);
        if (!b->p) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static inline void pbuf_clear(pbuf *b) {
    b->len = 0;
    if (b->p)
        b->p[0] = 0;
}

static inline int peer_is_word_byte(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static inline uint64_t peer_count_tokens(const char *s) {
    uint64_t n = 0;
    int in = 0;
    for (; *s; s++) {
        int w = peer_is_word_byte((unsigned char)*s);
        n += (uint64_t)(w && !in);
        in = w;
    }
    return n;
}

static inline double peer_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the calling thread: unlike wall time, it does not count the
 * time spent waiting for a core on a busy machine. */
static inline double peer_cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The fields of one record, as the peers index them. Strings are either
 * owned by the cJSON tree or by the record's buffers; "" when absent. */
typedef struct {
    const char *id;
    const char *title;
    const char *tags;
    const char *speaker;
    const char *description;
    const char *transcript;
    pbuf tags_buf;       /* tags joined, reused across records */
    pbuf transcript_buf; /* segments joined, reused across records */
} peer_record;

static inline const char *peer_json_str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

/* Fills r from the object o (which must outlive r's use). Returns 0, or -1
 * with *why set when the record lacks an id or a title. */
static inline int peer_record_from_json(peer_record *r, const cJSON *o, const char **why) {
    const cJSON *tags, *segs, *el;

    if (!cJSON_IsObject(o)) {
        *why = "not a JSON object";
        return -1;
    }
    r->id = peer_json_str(o, "id");
    r->title = peer_json_str(o, "title");
    if (!*r->id) {
        *why = "missing or empty \"id\"";
        return -1;
    }
    if (!*r->title) {
        *why = "missing or empty \"title\"";
        return -1;
    }
    r->speaker = peer_json_str(o, "speaker");
    r->description = peer_json_str(o, "description");

    pbuf_clear(&r->tags_buf);
    tags = cJSON_GetObjectItemCaseSensitive(o, "tags");
    if (cJSON_IsArray(tags)) {
        cJSON_ArrayForEach(el, tags) {
            if (!cJSON_IsString(el) || !el->valuestring)
                continue;
            if (r->tags_buf.len)
                pbuf_add(&r->tags_buf, ", ", 2);
            pbuf_add(&r->tags_buf, el->valuestring, strlen(el->valuestring));
        }
        r->tags = r->tags_buf.len ? r->tags_buf.p : "";
    } else {
        r->tags = peer_json_str(o, "tags");
    }

    r->transcript = peer_json_str(o, "transcript");
    segs = cJSON_GetObjectItemCaseSensitive(o, "segments");
    if (!*r->transcript && cJSON_IsArray(segs)) {
        pbuf_clear(&r->transcript_buf);
        cJSON_ArrayForEach(el, segs) {
            const char *t = peer_json_str(el, "text");
            if (!*t)
                continue;
            if (r->transcript_buf.len)
                pbuf_add(&r->transcript_buf, " ", 1);
            pbuf_add(&r->transcript_buf, t, strlen(t));
        }
        r->transcript = r->transcript_buf.len ? r->transcript_buf.p : "";
    }
    return 0;
}

static inline uint64_t peer_record_tokens(const peer_record *r) {
    return peer_count_tokens(r->title) + peer_count_tokens(r->tags) +
           peer_count_tokens(r->speaker) + peer_count_tokens(r->description) +
           peer_count_tokens(r->transcript);
}

/* Opens FILE for reading; "-" is stdin. Exits with a message on failure. */
static inline FILE *peer_open_input(const char *path) {
    FILE *f;
    if (strcmp(path, "-") == 0)
        return stdin;
    f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(2);
    }
    return f;
}

/* Totals of one ingest pass. */
typedef struct {
    uint64_t lectures; /* records indexed */
    uint64_t tokens;   /* tokens in their indexed text (see above) */
    uint64_t errors;   /* records rejected, each reported on stderr */
} peer_totals;

/* Reads JSON lines from path ("-" is stdin) and calls index(ctx, record) for
 * each valid record; a rejected line is reported with its line number and
 * skipped. index returns 0, or nonzero to count the record as an error. */
static inline void peer_read_records(const char *path, int (*index)(void *, const peer_record *),
                                     void *ctx, peer_totals *t) {
    FILE *f = peer_open_input(path);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    peer_record r;

    memset(&r, 0, sizeof r);
    memset(t, 0, sizeof *t);
    while ((len = getline(&line, &cap, f)) >= 0) {
        cJSON *o;
        const char *why = NULL;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = 0;
        if (len == 0)
            continue;
        o = cJSON_ParseWithLength(line, (size_t)len);
        if (!o) {
            why = "invalid JSON";
        } else if (peer_record_from_json(&r, o, &why) == 0) {
            if (index(ctx, &r) == 0) {
                t->lectures++;
                t->tokens += peer_record_tokens(&r);
            } else {
                why = "engine rejected the record";
            }
        }
        if (why) {
            fprintf(stderr, "%s:%zu: %s\n", path, lineno, why);
            t->errors++;
        }
        cJSON_Delete(o);
    }
    free(line);
    free(r.tags_buf.p);
    free(r.transcript_buf.p);
    if (f != stdin)
        fclose(f);
}

/* The query log, read whole. */
typedef struct {
    char **qid;  /* per query: its id (owned) */
    char **text; /* per query: its text (owned) */
    size_t n;
} peer_queries;

static inline void peer_queries_load(peer_queries *q, const char *path) {
    FILE *f = peer_open_input(path);
    char *line = NULL;
    size_t cap = 0, alloc = 0, lineno = 0;
    ssize_t len;

    memset(q, 0, sizeof *q);
    while ((len = getline(&line, &cap, f)) >= 0) {
        char *text = line, *tab;
        char num[32];
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len == 0)
            continue;
        if (q->n == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            q->qid = (char **)realloc(q->qid, alloc * sizeof *q->qid);
            q->text = (char **)realloc(q->text, alloc * sizeof *q->text);
            if (!q->qid || !q->text) {
                fprintf(stderr, "out of memory\n");
                exit(2);
            }
        }
        tab = strchr(line, '\t');
        if (tab) {
            *tab = 0;
            q->qid[q->n] = strdup(line);
            text = tab + 1;
        } else {
            snprintf(num, sizeof num, "%zu", lineno);
            q->qid[q->n] = strdup(num);
        }
        q->text[q->n] = strdup(text);
        q->n++;
    }
    free(line);
    if (f != stdin)
        fclose(f);
}

static inline int peer_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted array v[0..n). */
static inline double peer_percentile(const double *v, size_t n, double pct) {
    size_t rank;
    if (n == 0)
        return 0;
    rank = (size_t)(pct / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* Prints one statistics line "NAME mean= p50= p95= p99= max=" for us[0..n)
 * on stderr, after `lead`; sorts us[] in place. */
static inline void peer_report_stats(const char *lead, const char *name, double *us, size_t n) {
    double sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        sum += us[i];
    qsort(us, n, sizeof *us, peer_cmp_double);
    fprintf(stderr, "%s%s mean=%.1f p50=%.1f p95=%.1f p99=%.1f max=%.1f\n", lead, name,
            n ? sum / (double)n : 0.0, peer_percentile(us, n, 50), peer_percentile(us, n, 95),
            peer_percentile(us, n, 99), n ? us[n - 1] : 0.0);
}

/* Prints the lines the compare script parses: wall-clock latency per query
 * ("queries N latency_us mean= ..."), then CPU time per query ("cpu_us ...");
 * sorts both arrays in place. */
static inline void peer_report_latency(double *wall_us, double *cpu_us, size_t n) {
    char lead[64];
    snprintf(lead, sizeof lead, "queries %zu ", n);
    peer_report_stats(lead, "latency_us", wall_us, n);
    peer_report_stats("", "cpu_us", cpu_us, n);
}

static inline void peer_report_build(uint64_t lectures, uint64_t tokens, double seconds,
                                     uint64_t errors) {
    fprintf(stderr, "lectures %llu tokens %llu seconds %.2f tokens/s %.0f errors %llu\n",
            (unsigned long long)lectures, (unsigned long long)tokens, seconds,
            seconds > 0 ? (double)tokens / seconds : 0.0, (unsigned long long)errors);
}

#endif
