/* lectern -- searches an index from the command line: one query, a batch
 * of queries (TREC run and latency figures, for evaluation and
 * benchmarks), related lectures, a stored lecture, tags and statistics,
 * and the integrity check. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cliutil.h"
#include "lectern.h"
#include "people_cli.h"
#include "resjson.h"

static const char usage[] =
    "usage: lectern search  --index DIR [--tags a,b] [--lang xx] [--speaker S]\n"
    "                       [--limit N] [--offset N] [--json [--facets N]] [--exhaustive]\n"
    "                       [--work-budget N] [--no-typos] [--prefix 0|1] [--suggested] QUERY\n"
    "       lectern search  --index DIR --queries FILE [--limit N] [--trec RUNFILE]\n"
    "                       [--exhaustive] [--full] [--param NAME=VALUE]... [--slowest N]\n"
    "                       [--work-budget N] [--no-typos] [--prefix 0|1] [--like-text]\n"
    "       lectern related --index DIR [--tags a,b] [--lang xx] [--speaker S]\n"
    "                       [--limit N] [--offset N] [--json [--facets N]] ID\n"
    "       lectern related --index DIR --text FILE [--limit N] [--json]\n"
    "       lectern suggest --index DIR [--lang xx] [--limit N] PREFIX\n"
    "       lectern get     --index DIR ID\n"
    "       lectern moments --index DIR [--lang xx] [--limit N] [--best] [--json] ID QUERY\n"
    "       lectern tags    --index DIR\n"
    "       lectern stats   --index DIR\n"
    "       lectern check   --index DIR\n"
    "       lectern lecturers --index DIR [--json] [--name NAME] QUERY\n"
    "       lectern suggest-tags --index DIR [--json] ID\n"
    "\n"
    "Query syntax: words (ranked OR), \"a phrase\", -word, a OR b, tag:x,\n"
    "lang:fi, speaker:\"name\".\n"
    "--queries runs every line of FILE (a query, or qid<TAB>query) in one\n"
    "process after a warm-up pass, writes a TREC run (qid Q0 id rank score\n"
    "lectern; qid is the given id or the line number) and prints latency\n"
    "mean/p50/p95/p99 in microseconds on stderr; --full adds snippets and facets\n"
    "to every search, as the server asks for them.\n"
    "--param sets a ranking parameter: k1, tag_boost, coord, all_terms_first,\nfeedback_docs, "
    "feedback_terms, feedback_weight, feedback_min_terms, w.FIELD, b.FIELD\n"
    "(FIELD: title, tags, speaker, description, transcript).\n"
    "lectern COMMAND --help describes one command.\n";

/* Each command's own --help: what it takes and does, nothing else. */
static const struct {
    const char *cmd, *help;
} helps[] = {
    {"search",
     "usage: lectern search --index DIR [--tags a,b] [--lang xx] [--speaker S]\n"
     "                      [--limit N] [--offset N] [--json [--facets N]] [--exhaustive]\n"
     "                      [--work-budget N] [--qlang xx] [--no-cross] [--no-prefer]\n"
     "                      [--suggested] QUERY\n"
     "       lectern search --index DIR --queries FILE [--limit N] [--trec RUNFILE]\n"
     "                      [--exhaustive] [--full] [--param NAME=VALUE]... [--slowest N]\n"
     "\n"
     "Ranked lectures for QUERY (\"\" lists every lecture), with snippets and tag\n"
     "and language facets.\n"
     "Query syntax: words (ranked OR), \"a phrase\", -word, a OR b, tag:x,\n"
     "lang:fi, speaker:\"name\".\n"
     "  --tags a,b      only lectures with all these tags\n"
     "  --lang xx       only lectures in this language (ISO 639-1)\n"
     "  --speaker S     only lectures by this speaker (a phrase)\n"
     "  --qlang xx      the query's language (default: detected from its words)\n"
     "  --no-cross      no translation of the query into the index's other languages\n"
     "  --no-prefer     no preference for lectures in the query's language\n"
     "  --limit N       hits per page (default 10); --offset N skips N hits\n"
     "  --json          the results as JSON: the body the API answers\n"
     "  --facets N      with --json, the values listed per facet (default 20)\n"
     "  --exhaustive    score every match (no pruning; same results, slower)\n"
     "  --suggested     the tag filter and boost also use suggested tags\n"
     "                  (lectern-index --suggest-tags)\n"
     "  --work-budget N caps the work units one search may spend (0 = no cap;\n"
     "                  default 64 units a lecture, at least 3,000,000): a search that\n"
     "                  runs out returns its best hits so far marked partial\n"
     "  --no-typos      no typo tolerance (a word the index lacks matches nothing)\n"
     "  --prefix 0|1    complete the last word as a prefix while typing (default 1)\n"
     "  --like-text     each query is a text: lectures like it, as POST /api/related\n"
     "                  {\"text\"} answers (for evaluating that on a query set)\n"
     "--queries runs every line of FILE (a query, or qid<TAB>query) in one\n"
     "process after a warm-up pass, writes a TREC run (qid Q0 id rank score\n"
     "lectern; qid is the given id or the line number) and prints latency\n"
     "mean/p50/p95/p99 in microseconds on stderr; --full adds snippets and facets\n"
     "to every search, as the server asks for them; --slowest N lists the N\n"
     "slowest queries, and the work units spent (work_units p50= p99= max=).\n"
     "--param sets a ranking parameter: k1, tag_boost, coord, all_terms_first,\n"
     "feedback_docs, feedback_terms, feedback_weight, feedback_min_terms, w.FIELD,\n"
     "b.FIELD (FIELD: title, tags, speaker, description, transcript).\n"},
    {"related", "usage: lectern related --index DIR [--tags a,b] [--lang xx] [--speaker S]\n"
                "                       [--limit N] [--offset N] [--json [--facets N]] ID\n"
                "\n"
                "Lectures on the same subject as lecture ID, each with the tags and terms\n"
                "it shares with it; the filters and paging of search (and of the API's\n"
                "/api/lectures/ID/related).\n"
                "  --tags a,b      only lectures with all these tags\n"
                "  --lang xx       only lectures in this language (ISO 639-1)\n"
                "  --speaker S     only lectures by this speaker (a phrase)\n"
                "  --limit N       hits per page (default 10); --offset N skips N hits\n"
                "  --json          the results as JSON: the body the API answers\n"
                "  --facets N      with --json, the values listed per facet (default 20)\n"},
    {"get", "usage: lectern get --index DIR ID\n"
            "\n"
            "The stored record of lecture ID as JSON (with its transcript or segments).\n"},
    {"moments",
     "usage: lectern moments --index DIR [--lang xx] [--limit N] [--best] [--json] ID QUERY\n"
     "\n"
     "The moments of lecture ID where QUERY is discussed: cues of its timed\n"
     "transcript (or passages of an untimed one) that match, scored as the\n"
     "search scores lectures, in time order; one line each: [start-end] score\n"
     "text, matched words in [brackets].\n"
     "  --best          best first instead of time order\n"
     "  --limit N       list at most N moments\n"
     "  --lang xx       the query's language (ISO 639-1)\n"
     "  --json          the API's answer (/api/lectures/ID/moments?q=)\n"},
    {"tags", "usage: lectern tags --index DIR\n"
             "\n"
             "Every tag with its number of lectures, most used first.\n"},
    {"stats", "usage: lectern stats --index DIR\n"
              "\n"
              "Lectures, distinct terms, tokens, index size and languages of the index.\n"},
    {"check", "usage: lectern check --index DIR\n"
              "\n"
              "Reads the whole index and checks every list and lecture against the\n"
              "others: exit 0 and a summary when sound, 1 and the first problems found\n"
              "(database, key, what) when damaged, 2 when it cannot be read.\n"},
};

/* The help of cmd, or the usage of every command when cmd is not one. */
static const char *help_of(const char *cmd) {
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (!strcmp(helps[i].cmd, cmd))
            return helps[i].help;
    return usage;
}

typedef struct opts {
    const char *index, *tags, *lang, *speaker, *queries, *trec;
    const char *qlang;  /* --qlang */
    unsigned langflags; /* --no-cross, --no-prefer */
    const char *text;   /* related --text FILE */
    unsigned limit, offset;
    unsigned facets; /* with --json: values listed per facet */
    int json, exhaustive;
    int best;      /* moments: best first */
    int suggested; /* --suggested: LX_SEARCH_SUGGESTED */
    unsigned slowest;
    int full;             /* batch: snippets and facets too, as the server asks */
    uint64_t work_budget; /* lx_search_opts.work_budget */
    lx_rank_params params;
    int params_set;
    unsigned forgive;       /* LX_SEARCH_NO_TYPOS, LX_SEARCH_NO_PREFIX */
    const char *arg, *arg2; /* the query or id; moments' query */
} opts;

static void die_err(const char *what, const lx_error *err) {
    char msg[800];
    lx_error_format(err, msg, sizeof msg);
    fprintf(stderr, "lectern: %s: %s\n", what, msg);
    exit(2);
}

/* check: 0 sound, 1 damaged (the problems named), 2 unreadable. */
static int run_check(lx_index *ix, const char *dir) {
    lx_check_report *r = malloc(sizeof *r);
    lx_error err = {0};
    if (!r) {
        fprintf(stderr, "lectern: out of memory\n");
        return 2;
    }
    int rc = lx_index_check(ix, r, &err);
    int status = 0;
    if (rc == 0) {
        printf("%s: ok: %llu lectures, %llu terms, %llu postings, %llu positions\n", dir,
               (unsigned long long)r->documents, (unsigned long long)r->terms,
               (unsigned long long)r->postings, (unsigned long long)r->positions);
    } else if (rc == LX_ECORRUPT) {
        for (unsigned i = 0; i < r->n_listed; i++)
            printf("%s: %s\n", dir, r->problem[i]);
        printf("%s: damaged: %llu problem%s\n", dir, (unsigned long long)r->problems,
               r->problems == 1 ? "" : "s");
        status = 1;
    } else {
        char msg[800];
        lx_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "lectern: check: %s\n", msg);
        status = 2;
    }
    free(r);
    return status;
}

static int set_param(lx_rank_params *p, const char *nv) {
    const char *eq = strchr(nv, '=');
    if (!eq)
        return -1;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(eq - nv), nv);
    char *end;
    double v = strtod(eq + 1, &end);
    if (*end || !isfinite(v))
        return -1;
    if (!strcmp(name, "k1"))
        p->k1 = v;
    else if (!strcmp(name, "tag_boost"))
        p->tag_boost = v;
    else if (!strcmp(name, "coord"))
        p->coord = v;
    else if (!strcmp(name, "all_terms_first"))
        p->all_terms_first = (int)v;
    else if (!strcmp(name, "feedback_docs"))
        p->feedback_docs = (int)v;
    else if (!strcmp(name, "feedback_terms"))
        p->feedback_terms = (int)v;
    else if (!strcmp(name, "feedback_weight"))
        p->feedback_weight = v;
    else if (!strcmp(name, "feedback_min_terms"))
        p->feedback_min_terms = (int)v;
    else if ((!strncmp(name, "w.", 2) || !strncmp(name, "b.", 2))) {
        int f;
        for (f = 0; f < LX_NFIELDS; f++)
            if (!strcmp(name + 2, lx_field_name(f)))
                break;
        if (f == LX_NFIELDS)
            return -1;
        if (name[0] == 'w')
            p->weight[f] = v;
        else
            p->b[f] = v;
    } else
        return -1;
    return 0;
}

static void print_snippet(const lx_hit *h) {
    if (!h->snippet || !h->snippet[0])
        return;
    printf("      ");
    if (h->snippet_start >= 0) {
        long t = (long)h->snippet_start;
        printf("[%02ld:%02ld] ", t / 60, t % 60);
    }
    /* Show <mark> as brackets on a terminal. */
    for (const char *p = h->snippet; *p; p++) {
        if (!strncmp(p, "<mark>", 6)) {
            putchar('[');
            p += 5;
        } else if (!strncmp(p, "</mark>", 7)) {
            putchar(']');
            p += 6;
        } else if (!strncmp(p, "&amp;", 5)) {
            putchar('&');
            p += 4;
        } else if (!strncmp(p, "&lt;", 4)) {
            putchar('<');
            p += 3;
        } else if (!strncmp(p, "&gt;", 4)) {
            putchar('>');
            p += 3;
        } else if (!strncmp(p, "&quot;", 6)) {
            putchar('"');
            p += 5;
        } else if (!strncmp(p, "&#39;", 5)) {
            putchar('\'');
            p += 4;
        } else {
            putchar(*p);
        }
    }
    putchar('\n');
}

/* --json prints exactly the API's body for the same request (resjson.c
 * writes both); otherwise a list for a person. */
static void print_results(const lx_results *r, const opts *o, const char *subject, int related) {
    if (o->json) {
        jsonw w;
        size_t len, took[2];
        jw_init(&w, 4096 + r->n * 1024);
        resjson_write(&w, related, subject, r, o->limit ? o->limit : 10, o->offset, o->facets,
                      took);
        char *body = jw_take(&w, &len);
        if (!body) {
            fprintf(stderr, "lectern: out of memory\n");
            exit(2);
        }
        puts(body);
        free(body);
        return;
    }
    unsigned offset = o->offset;
    printf("%llu matching lectures (%.2f ms)\n", (unsigned long long)r->total, r->took_ms);
    if (r->partial)
        printf("partial: the work budget ran out; the best hits so far, the total at least\n");
    if (r->did_you_mean)
        printf("did you mean: %s\n", r->did_you_mean);
    if (r->truncated)
        printf("truncated: %zu words left out, the %d most informative kept\n", r->n_dropped,
               LX_MAX_QUERY_TERMS);
    for (size_t i = 0; i < r->n; i++) {
        const lx_hit *h = &r->hits[i];
        printf("%3zu. %8.4f  %-24s %s\n", offset + i + 1, h->score, h->id, h->title);
        if (h->n_shared_tags) {
            printf("      shared tags:");
            for (size_t j = 0; j < h->n_shared_tags; j++)
                printf(" %s%s", h->shared_tags[j], j + 1 < h->n_shared_tags ? "," : "");
            putchar('\n');
        }
        if (h->n_shared_terms) {
            printf("      shared terms:");
            for (size_t j = 0; j < h->n_shared_terms; j++)
                printf(" %s", h->shared_terms[j]);
            putchar('\n');
        }
        print_snippet(h);
    }
}

static int run_batch(lx_searcher *s, const opts *o) {
    char **qid, **qtext;
    size_t n;
    if (cli_read_queries(o->queries, 1, &qid, &qtext, &n))
        return 2;
    FILE *run = NULL;
    if (o->trec && !(run = fopen(o->trec, "w"))) {
        perror(o->trec);
        return 2;
    }
    /* Wall time per query, and the thread's CPU time (what to trust on a
     * busy machine: it leaves out time spent waiting for a core). */
    double *lat = malloc((n ? n : 1) * sizeof *lat);
    double *cpu = malloc((n ? n : 1) * sizeof *cpu);
    double *work = malloc((n ? n : 1) * sizeof *work);
    size_t partial = 0;
    lx_search_opts so = {0};
    so.limit = o->limit ? o->limit : 10;
    so.tags = o->tags;
    so.lang = o->lang;
    so.qlang = o->qlang;
    so.flags = o->langflags | (o->exhaustive ? LX_SEARCH_EXHAUSTIVE : 0) |
               (o->full ? LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS : 0) | o->forgive |
               (o->suggested ? LX_SEARCH_SUGGESTED : 0);
    so.params = o->params_set ? &o->params : NULL;
    so.facet_limit = 20; /* as the server lists by default */
    so.work_budget = o->work_budget;
    size_t errors = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            lx_results *r = NULL;
            lx_error err = {0};
            so.query = qtext[i];
            double t = cli_clock_us(CLOCK_MONOTONIC), c = cli_clock_us(CLOCK_THREAD_CPUTIME_ID);
            int rc = lx_search(s, &so, &r, &err);
            double dt = cli_clock_us(CLOCK_MONOTONIC) - t,
                   dc = cli_clock_us(CLOCK_THREAD_CPUTIME_ID) - c;
            if (pass == 1) {
                lat[i] = dt;
                cpu[i] = dc;
                work[i] = r ? (double)r->work : 0;
                partial += r && r->partial;
                if (rc) {
                    char msg[800];
                    lx_error_format(&err, msg, sizeof msg);
                    fprintf(stderr, "query %s: %s\n", qid[i], msg);
                    errors++;
                }
                for (size_t j = 0; run && r && j < r->n; j++)
                    fprintf(run, "%s Q0 %s %zu %.6f lectern\n", qid[i], r->hits[j].id, j + 1,
                            r->hits[j].score);
            }
            lx_results_free(r);
        }
    }
    if (run)
        fclose(run);
    double sum = 0, csum = 0;
    for (size_t i = 0; i < n; i++) {
        sum += lat[i];
        csum += cpu[i];
    }
    if (o->slowest) {
        /* The slowest queries by CPU time (steady on a busy machine), for
         * profiling. */
        size_t *ord = malloc((n ? n : 1) * sizeof *ord);
        for (size_t i = 0; i < n; i++)
            ord[i] = i;
        for (size_t i = 0; i < n && i < o->slowest; i++)
            for (size_t j = i + 1; j < n; j++)
                if (cpu[ord[j]] > cpu[ord[i]]) {
                    size_t t = ord[i];
                    ord[i] = ord[j];
                    ord[j] = t;
                }
        for (size_t i = 0; i < n && i < o->slowest; i++)
            fprintf(stderr, "slow %8.1f us (cpu %8.1f) %10.0f units  %s\t%s\n", lat[ord[i]],
                    cpu[ord[i]], work[ord[i]], qid[ord[i]], qtext[ord[i]]);
        free(ord);
    }
    qsort(lat, n, sizeof *lat, cli_cmp_d);
    fprintf(stderr, "queries %zu errors %zu\n", n, errors);
    qsort(work, n, sizeof *work, cli_cmp_d);
    fprintf(stderr, "work_units p50=%.0f p99=%.0f max=%.0f partial=%zu\n", cli_pct(work, n, 50),
            cli_pct(work, n, 99), n ? work[n - 1] : 0, partial);
    fprintf(stderr, "latency_us mean=%.1f p50=%.1f p95=%.1f p99=%.1f\n", n ? sum / n : 0,
            cli_pct(lat, n, 50), cli_pct(lat, n, 95), cli_pct(lat, n, 99));
    qsort(cpu, n, sizeof *cpu, cli_cmp_d);
    fprintf(stderr, "cpu_us mean=%.1f p50=%.1f p95=%.1f p99=%.1f\n", n ? csum / n : 0,
            cli_pct(cpu, n, 50), cli_pct(cpu, n, 95), cli_pct(cpu, n, 99));
    cli_free_queries(qid, qtext, n);
    free(lat);
    free(cpu);
    free(work);
    return errors ? 3 : 0;
}

/* A time as m:ss or h:mm:ss. */
static void print_time(double t) {
    long s = (long)t;
    if (s >= 3600)
        printf("%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        printf("%ld:%02ld", s / 60, s % 60);
}

/* One moment's text on one line: <mark> as [ ], entities as characters. */
static void print_moment_text(const char *t) {
    static const struct {
        const char *from, *to;
    } sub[] = {{"<mark>", "["},  {"</mark>", "]"}, {"&lt;", "<"},  {"&gt;", ">"},
               {"&quot;", "\""}, {"&#39;", "'"},   {"&amp;", "&"}, {"\n", " "}};
    while (*t) {
        size_t i, n = sizeof sub / sizeof sub[0];
        for (i = 0; i < n; i++)
            if (!strncmp(t, sub[i].from, strlen(sub[i].from)))
                break;
        if (i < n) {
            fputs(sub[i].to, stdout);
            t += strlen(sub[i].from);
        } else {
            putchar(*t++);
        }
    }
    putchar('\n');
}

static int run_moments(lx_searcher *s, const opts *o, const char *id, const char *q) {
    if (!id || !q) {
        fprintf(stderr, "lectern: moments needs a lecture id and a query\n");
        return 1;
    }
    lx_moments_opts mo = {q, o->lang, o->limit, o->best};
    lx_moments *m;
    lx_error err = {0};
    if (lx_moments_find(s, id, &mo, &m, &err))
        die_err("moments", &err);
    if (o->json) {
        jsonw w;
        size_t len;
        jw_init(&w, 4096);
        resjson_moments(&w, id, q, m);
        char *body = jw_take(&w, &len);
        if (body)
            puts(body);
        free(body);
    } else {
        printf("%llu moments\n", (unsigned long long)m->total);
        for (size_t i = 0; i < m->n; i++) {
            const lx_moment *x = &m->moments[i];
            if (x->start >= 0) {
                putchar('[');
                print_time(x->start);
                putchar('-');
                print_time(x->end);
                printf("] ");
            }
            printf("%.2f  ", x->score);
            print_moment_text(x->text);
        }
    }
    lx_moments_free(m);
    return 0;
}

/* lectern suggest --queries FILE: every line as typed text, after a
 * warm-up pass; latency percentiles on stderr (the /api/suggest benchmark). */
static int run_suggest_batch(lx_searcher *s, const opts *o) {
    char **ids, **qs;
    size_t n, errors = 0;
    if (cli_read_queries(o->queries, 0, &ids, &qs, &n))
        return 1;
    /* Wall time, and the thread's CPU time (what to trust on a busy machine). */
    double *lat = malloc((n ? n : 1) * 2 * sizeof *lat), *cpu = lat + n;
    for (int pass = 0; pass < 2 && lat; pass++)
        for (size_t i = 0; i < n; i++) {
            lx_facet *fs = NULL;
            size_t nf;
            lx_error err;
            double t0 = cli_clock_us(CLOCK_MONOTONIC), c0 = cli_clock_us(CLOCK_THREAD_CPUTIME_ID);
            errors +=
                pass && lx_suggest(s, qs[i], o->lang, o->limit ? o->limit : 8, &fs, &nf, &err);
            lat[i] = cli_clock_us(CLOCK_MONOTONIC) - t0;
            cpu[i] = cli_clock_us(CLOCK_THREAD_CPUTIME_ID) - c0;
            free(fs);
        }
    if (lat) {
        qsort(lat, n, sizeof *lat, cli_cmp_d);
        qsort(cpu, n, sizeof *cpu, cli_cmp_d);
        fprintf(stderr, "suggest queries %zu errors %zu\n", n, errors);
        fprintf(stderr, "latency_us p50=%.1f p99=%.1f max=%.1f\n", cli_pct(lat, n, 50),
                cli_pct(lat, n, 99), n ? lat[n - 1] : 0);
        fprintf(stderr, "cpu_us p50=%.1f p99=%.1f max=%.1f\n", cli_pct(cpu, n, 50),
                cli_pct(cpu, n, 99), n ? cpu[n - 1] : 0);
    }
    cli_free_queries(ids, qs, n);
    free(lat);
    return errors ? 1 : 0;
}

/* lectern related --text FILE: lectures like the text of FILE ("-":
 * stdin), read as plain words (LX_SEARCH_TEXT). */
static int run_related_text(lx_searcher *s, const opts *o) {
    FILE *f = strcmp(o->text, "-") ? fopen(o->text, "rb") : stdin;
    if (!f) {
        fprintf(stderr, "lectern: %s: %s\n", o->text, strerror(errno));
        return 1;
    }
    char *buf = malloc(LX_MAX_TEXT_BYTES + 1);
    size_t len = buf ? fread(buf, 1, LX_MAX_TEXT_BYTES, f) : 0;
    if (f != stdin)
        fclose(f);
    if (!buf) {
        fprintf(stderr, "lectern: out of memory\n");
        return 2;
    }
    buf[len] = 0;
    lx_search_opts so = {0};
    so.query = buf;
    so.lang = o->lang;
    so.tags = o->tags;
    so.limit = o->limit;
    so.offset = o->offset;
    so.flags = LX_SEARCH_TEXT | LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
    so.facet_limit = o->facets ? o->facets : 1;
    lx_results *r;
    lx_error err = {0};
    if (lx_search(s, &so, &r, &err)) {
        free(buf);
        die_err("related", &err);
    }
    print_results(r, o, o->text, 0);
    lx_results_free(r);
    free(buf);
    return 0;
}

/* Reads the options of cmd from argv[2..] into o; -1 to go on, else the
 * exit status. */
static int parse_args(int argc, char **argv, const char *cmd, opts *o) {
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(help_of(cmd), stdout);
            return 0;
        } else if (!strcmp(a, "--index") && more)
            o->index = argv[++i];
        else if (!strcmp(a, "--tags") && more)
            o->tags = argv[++i];
        else if (!strcmp(a, "--lang") && more)
            o->lang = argv[++i];
        else if (!strcmp(a, "--qlang") && more)
            o->qlang = argv[++i];
        else if (!strcmp(a, "--no-cross"))
            o->langflags |= LX_SEARCH_NO_CROSS;
        else if (!strcmp(a, "--no-prefer"))
            o->langflags |= LX_SEARCH_NO_PREFER;
        else if (!strcmp(a, "--speaker") && more)
            o->speaker = argv[++i];
        else if (!strcmp(a, "--queries") && more)
            o->queries = argv[++i];
        else if (!strcmp(a, "--trec") && more)
            o->trec = argv[++i];
        else if (!strcmp(a, "--limit") && more)
            o->limit = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--offset") && more)
            o->offset = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--work-budget") && more) {
            char *end;
            unsigned long long v = strtoull(argv[++i], &end, 10);
            if (*end || argv[i][0] == '-') {
                fprintf(stderr, "lectern: bad --work-budget %s\n", argv[i]);
                return 1;
            }
            o->work_budget = v ? (uint64_t)v : LX_WORK_UNLIMITED;
        } else if (!strcmp(a, "--slowest") && more)
            o->slowest = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--full"))
            o->full = 1;
        else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--facets") && more)
            o->facets = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--exhaustive"))
            o->exhaustive = 1;
        else if (!strcmp(a, "--best"))
            o->best = 1;
        else if (!strcmp(a, "--text") && more)
            o->text = argv[++i];
        else if (!strcmp(a, "--no-typos"))
            o->forgive |= LX_SEARCH_NO_TYPOS;
        else if (!strcmp(a, "--like-text"))
            o->forgive |= LX_SEARCH_TEXT;
        else if (!strcmp(a, "--prefix") && more) {
            const char *v = argv[++i];
            if (strcmp(v, "0") && strcmp(v, "1")) {
                fprintf(stderr, "lectern: bad --prefix %s (0 or 1)\n", v);
                return 1;
            }
            o->forgive =
                v[0] == '0' ? o->forgive | LX_SEARCH_NO_PREFIX : o->forgive & ~LX_SEARCH_NO_PREFIX;
        } else if (!strcmp(a, "--suggested"))
            o->suggested = 1;
        else if (!strcmp(a, "--param") && more) {
            if (set_param(&o->params, argv[++i])) {
                fprintf(stderr, "lectern: bad --param %s\n", argv[i]);
                return 1;
            }
            o->params_set = 1;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "lectern: unknown option %s (or missing value)\n%s", a, usage);
            return 1;
        } else if (!o->arg)
            o->arg = a;
        else if (!strcmp(cmd, "moments") && !o->arg2)
            o->arg2 = a;
        else {
            fprintf(stderr, "lectern: one query or id only (quote a query of several words)\n");
            return 1;
        }
    }
    if (!o->index) {
        fprintf(stderr, "lectern: --index DIR is required\n%s", usage);
        return 1;
    }
    return -1;
}

/* One search, printed as the server answers it (snippets, facets). */
static int run_search(lx_searcher *s, const opts *o) {
    lx_search_opts so = {0};
    lx_error err = {0};
    so.query = o->arg ? o->arg : "";
    so.tags = o->tags;
    so.lang = o->lang;
    so.qlang = o->qlang;
    so.speaker = o->speaker;
    so.limit = o->limit;
    so.offset = o->offset;
    so.flags = o->langflags | LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS |
               (o->exhaustive ? LX_SEARCH_EXHAUSTIVE : 0) | o->forgive;
    if (o->suggested)
        so.flags |= LX_SEARCH_SUGGESTED;
    so.facet_limit = o->facets ? o->facets : 1; /* as the server asks */
    so.params = o->params_set ? &o->params : NULL;
    so.work_budget = o->work_budget;
    lx_results *r;
    if (lx_search(s, &so, &r, &err))
        die_err("search", &err);
    print_results(r, o, so.query, 0);
    lx_results_free(r);
    return 0;
}

/* The related lectures of the lecture o->arg. */
static int run_related(lx_searcher *s, const opts *o) {
    lx_search_opts so = {0};
    lx_error err = {0};
    if (!o->arg) {
        fprintf(stderr, "lectern: related needs a lecture id\n");
        return 1;
    }
    so.lang = o->lang;
    so.tags = o->tags;
    so.speaker = o->speaker;
    so.limit = o->limit;
    so.offset = o->offset;
    if (o->json) { /* the API's answer: snippets and facets too */
        so.flags = LX_SEARCH_SNIPPETS | LX_SEARCH_FACETS;
        so.facet_limit = o->facets ? o->facets : 1;
    }
    lx_results *r;
    if (lx_related(s, o->arg, &so, &r, &err))
        die_err("related", &err);
    print_results(r, o, o->arg, 1);
    lx_results_free(r);
    return 0;
}

/* Values with their counts, one a line (tags, suggestions); frees f. */
static void print_counts(lx_facet *f, size_t n) {
    for (size_t i = 0; i < n; i++)
        printf("%6u  %s\n", f[i].count, f[i].value);
    free(f);
}

/* get, tags, suggest and stats: one engine call each, printed. */
static int run_lookup(lx_searcher *s, const char *cmd, const opts *o) {
    lx_error err = {0};
    lx_facet *f;
    size_t n;
    if (!strcmp(cmd, "suggest")) {
        if (lx_suggest(s, o->arg ? o->arg : "", o->lang, o->limit ? o->limit : 8, &f, &n, &err))
            die_err("suggest", &err);
        print_counts(f, n);
    } else if (!strcmp(cmd, "tags")) {
        if (lx_tags(s, &f, &n, &err))
            die_err("tags", &err);
        print_counts(f, n);
    } else if (!strcmp(cmd, "get")) {
        char *json;
        if (!o->arg) {
            fprintf(stderr, "lectern: get needs a lecture id\n");
            return 1;
        }
        if (lx_get(s, o->arg, &json, &n, &err))
            die_err("get", &err);
        puts(json);
        free(json);
    } else if (!strcmp(cmd, "stats")) {
        lx_stats st;
        if (lx_stats_get(s, &st, &err))
            die_err("stats", &err);
        printf("documents %llu\nterms %llu\ntokens %llu\nindex_bytes %llu\nlanguages",
               (unsigned long long)st.documents, (unsigned long long)st.terms,
               (unsigned long long)st.tokens, (unsigned long long)st.index_bytes);
        for (unsigned i = 0; i < st.n_languages; i++)
            printf(" %s", st.languages[i]);
        putchar('\n');
    } else {
        fprintf(stderr, "lectern: unknown command '%s'\n%s", cmd, usage);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "lecturers") || !strcmp(cmd, "suggest-tags"))
        return people_cli_main(argc, argv); /* people_cli.c */
    opts o;
    memset(&o, 0, sizeof o);
    lx_rank_params_default(&o.params);
    o.facets = RESJSON_DEFAULT_FACETS;
    int status = parse_args(argc, argv, cmd, &o);
    if (status >= 0)
        return status;
    lx_index *ix;
    lx_searcher *s;
    lx_error err = {0};
    if (lx_index_open(o.index, LX_OPEN_READONLY, &ix, &err))
        die_err("cannot open index", &err);
    if (!strcmp(cmd, "check")) {
        status = run_check(ix, o.index);
        lx_index_close(ix);
        return status;
    }
    if (lx_searcher_open(ix, &s, &err))
        die_err("cannot open searcher", &err);
    if (!strcmp(cmd, "search"))
        status = o.queries ? run_batch(s, &o) : run_search(s, &o);
    else if (!strcmp(cmd, "related"))
        status = o.text ? run_related_text(s, &o) : run_related(s, &o);
    else if (!strcmp(cmd, "suggest") && o.queries)
        status = run_suggest_batch(s, &o);
    else if (!strcmp(cmd, "moments"))
        status = run_moments(s, &o, o.arg, o.arg2);
    else
        status = run_lookup(s, cmd, &o);
    lx_searcher_close(s);
    lx_index_close(ix);
    return status;
}
