/* people_cli.c -- `lectern lecturers` and `lectern suggest-tags`: people
 * ranked by their lectures on a query, a lecturer's profile, and the
 * topic tags a lecture most likely carries (lecturers.c, tagsuggest.c).
 * --json prints the API's body for the same request (peoplejson.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cliutil.h"
#include "lectern.h"
#include "people_cli.h"
#include "peoplejson.h"

static const char people_cli_usage[] __attribute__((unused)) =
    "       lectern lecturers --index DIR [--tags a,b] [--lang xx] [--limit N] [--offset N]\n"
    "                       [--json] [--model M] [--depth N] [--snippets] QUERY\n"
    "       lectern lecturers --index DIR --name NAME [--json]\n"
    "       lectern lecturers --index DIR --queries FILE --trec RUNFILE [--model M]\n"
    "                       [--depth N] [--limit N]\n"
    "       lectern suggest-tags --index DIR [--limit N] [--json] ID\n";

static const char lecturers_help[] =
    "usage: lectern lecturers --index DIR [--tags a,b] [--lang xx] [--limit N] [--offset N]\n"
    "                         [--json] [--model M] [--depth N] [--snippets] QUERY\n"
    "       lectern lecturers --index DIR --name NAME [--json]\n"
    "       lectern lecturers --index DIR --queries FILE --trec RUNFILE [--model M]\n"
    "                         [--depth N] [--limit N]\n"
    "\n"
    "People ranked by the evidence of their lectures on QUERY (the speakers of\n"
    "the query's top lectures, each lecture voting for every person its speaker\n"
    "field names), each with those lectures, institutions, languages and tags.\n"
    "An empty QUERY lists the people with the most lectures.\n"
    "  --name NAME     one lecturer's profile: every lecture naming them\n"
    "  --model M       rr (default), expsum, max, sum, mnz, votes\n"
    "  --depth N       lectures read (default 100)\n"
    "  --snippets      a snippet for each lecture shown\n"
    "  --json          the API's body (GET /api/lecturers, /api/lecturers/NAME)\n"
    "--queries runs every line of FILE (qid<TAB>query) and writes a TREC run of\n"
    "people (qid Q0 key rank score lectern; spaces in the key as '_'), and the\n"
    "latency on stderr.\n";

static const char suggest_help[] =
    "usage: lectern suggest-tags --index DIR [--limit N] [--json] ID\n"
    "       lectern suggest-tags --index DIR --ids FILE [--limit N]\n"
    "\n"
    "The topic tags lecture ID most likely carries, with a confidence, voted by\n"
    "its nearest tagged neighbours; curated marks the tags it already has.\n"
    "--ids FILE (\"-\": stdin) prints id<TAB>tag<TAB>confidence for every id.\n";

typedef struct popts {
    const char *index, *tags, *lang, *name, *queries, *trec, *ids, *arg;
    unsigned limit, offset, depth;
    int json, model, snippets;
} popts;

static int model_of(const char *m) {
    static const struct {
        const char *name;
        int model;
    } tab[] = {{"rr", LX_EXPERT_RR},   {"expsum", LX_EXPERT_EXPSUM}, {"max", LX_EXPERT_MAX},
               {"sum", LX_EXPERT_SUM}, {"mnz", LX_EXPERT_MNZ},       {"votes", LX_EXPERT_VOTES},
               {"rr", LX_EXPERT_RR}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i].name, m))
            return tab[i].model;
    return -1;
}

static void fail(const char *what, const lx_error *err) {
    char msg[800];
    lx_error_format(err, msg, sizeof msg);
    fprintf(stderr, "lectern: %s: %s\n", what, msg);
}

static int print_json(jsonw *w) {
    size_t len;
    char *body = jw_take(w, &len);
    if (!body) {
        fprintf(stderr, "lectern: out of memory\n");
        return 2;
    }
    puts(body);
    free(body);
    return 0;
}

static void print_person(const lx_lecturer *p, size_t rank, size_t max) {
    printf("%3zu. %8.4f  %s  (%zu lecture%s)\n", rank, p->score, p->name, p->n_lectures,
           p->n_lectures == 1 ? "" : "s");
    if (p->n_institutions) {
        printf("      ");
        for (size_t i = 0; i < p->n_institutions; i++)
            printf("%s%s", i ? "; " : "", p->institutions[i]);
        putchar('\n');
    }
    if (p->n_tags) {
        printf("      tags:");
        for (size_t i = 0; i < p->n_tags && i < 8; i++)
            printf(" %s (%u)%s", p->tags[i].value, p->tags[i].count,
                   i + 1 < p->n_tags && i < 7 ? "," : "");
        putchar('\n');
    }
    for (size_t i = 0; i < p->n_lectures && i < max; i++)
        printf("      - %-24s %s\n", p->lectures[i]->id, p->lectures[i]->title);
}

/* --queries: a TREC run of people, and CPU time per query (of a second
 * pass: the first, untimed, warms the caches as lectern search does). */
static int lecturers_batch(lx_searcher *s, const popts *o, lx_lecturer_opts *lo) {
    FILE *f = fopen(o->queries, "r"), *run = fopen("/dev/null", "w");
    if (!f || !run) {
        perror(o->queries);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0, nq = 0, qcap = 0;
    double *cpu = NULL;
    ssize_t len;
    int status = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass) {
            rewind(f);
            fclose(run);
            if (!(run = fopen(o->trec ? o->trec : "/dev/null", "w"))) {
                perror(o->trec);
                return 2;
            }
        }
        while ((len = getline(&line, &cap, f)) >= 0) {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = 0;
            char *tab = strchr(line, '\t');
            if (!tab)
                continue;
            *tab = 0;
            lo->search.query = tab + 1;
            lx_lecturers *l;
            lx_error err = {0};
            double t = cli_clock_us(CLOCK_THREAD_CPUTIME_ID);
            if (lx_lecturers_search(s, lo, &l, &err)) {
                fail(line, &err);
                status = 3;
                continue;
            }
            if (nq == qcap && !(cpu = realloc(cpu, (qcap = qcap ? qcap * 2 : 256) * sizeof *cpu)))
                return 2;
            cpu[nq] = cli_clock_us(CLOCK_THREAD_CPUTIME_ID) - t;
            nq += pass;
            for (size_t i = 0; i < l->n; i++) {
                fprintf(run, "%s Q0 ", line);
                for (const char *k = l->people[i].key; *k; k++)
                    fputc(*k == ' ' ? '_' : *k, run);
                fprintf(run, " %zu %.6f lectern\n", i + 1, l->people[i].score);
            }
            lx_lecturers_free(l);
        }
    }
    free(line);
    fclose(f);
    fclose(run);
    if (nq)
        qsort(cpu, nq, sizeof *cpu, cli_cmp_d);
    fprintf(stderr, "queries %zu cpu_us p50=%.1f p95=%.1f p99=%.1f\n", nq, nq ? cpu[nq / 2] : 0,
            nq ? cpu[nq * 95 / 100] : 0, nq ? cpu[nq * 99 / 100] : 0);
    free(cpu);
    return status;
}

static int run_lecturers(lx_searcher *s, const popts *o) {
    lx_lecturer_opts lo;
    memset(&lo, 0, sizeof lo);
    lo.search.query = o->arg ? o->arg : "";
    lo.search.tags = o->tags;
    lo.search.lang = o->lang;
    lo.search.limit = o->limit;
    lo.search.offset = o->offset;
    lo.search.flags = o->snippets ? LX_SEARCH_SNIPPETS : 0;
    lo.depth = o->depth;
    lo.model = o->model;
    if (o->queries)
        return lecturers_batch(s, o, &lo);
    lx_lecturers *l;
    lx_error err = {0};
    int rc =
        o->name ? lx_lecturer_get(s, o->name, &l, &err) : lx_lecturers_search(s, &lo, &l, &err);
    if (rc) {
        fail("lecturers", &err);
        return rc == LX_ENOTFOUND ? 1 : 2;
    }
    if (o->json) {
        jsonw w;
        jw_init(&w, 4096);
        peoplejson_write(&w, lo.search.query, l, o->limit ? o->limit : 10, o->offset, !!o->name);
        lx_lecturers_free(l);
        return print_json(&w);
    }
    if (!o->name)
        printf("%llu lecturers (%.2f ms)\n", (unsigned long long)l->total, l->took_ms);
    for (size_t i = 0; i < l->n; i++)
        print_person(&l->people[i], o->offset + i + 1, o->name ? (size_t)-1 : 3);
    lx_lecturers_free(l);
    return 0;
}

static int suggest_one(lx_searcher *s, const popts *o, const char *id) {
    lx_tag_suggestion *t;
    size_t n;
    lx_error err = {0};
    if (lx_suggest_tags(s, id, o->limit, &t, &n, &err)) {
        fail(id, &err);
        return err.code == LX_ENOTFOUND ? 1 : 2;
    }
    if (o->json) {
        jsonw w;
        jw_init(&w, 1024);
        peoplejson_suggestions(&w, id, t, n);
        free(t);
        return print_json(&w);
    }
    for (size_t i = 0; i < n; i++) {
        if (o->ids)
            printf("%s\t%s\t%.4f\n", id, t[i].tag, t[i].confidence);
        else
            printf("%5.3f  %s%s\n", t[i].confidence, t[i].tag, t[i].curated ? "  (curated)" : "");
    }
    free(t);
    return 0;
}

static int run_suggest(lx_searcher *s, const popts *o) {
    if (!o->ids) {
        if (!o->arg) {
            fprintf(stderr, "lectern: suggest-tags needs a lecture id\n");
            return 1;
        }
        return suggest_one(s, o, o->arg);
    }
    FILE *f = strcmp(o->ids, "-") ? fopen(o->ids, "r") : stdin;
    if (!f) {
        perror(o->ids);
        return 2;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (len && suggest_one(s, o, line))
            status = 3;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return status;
}

static int parse(int argc, char **argv, popts *o) {
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(strcmp(argv[1], "lecturers") ? suggest_help : lecturers_help, stdout);
            return 0;
        } else if (!strcmp(a, "--index") && more)
            o->index = argv[++i];
        else if (!strcmp(a, "--tags") && more)
            o->tags = argv[++i];
        else if (!strcmp(a, "--lang") && more)
            o->lang = argv[++i];
        else if (!strcmp(a, "--name") && more)
            o->name = argv[++i];
        else if (!strcmp(a, "--queries") && more)
            o->queries = argv[++i];
        else if (!strcmp(a, "--trec") && more)
            o->trec = argv[++i];
        else if (!strcmp(a, "--ids") && more)
            o->ids = argv[++i];
        else if (!strcmp(a, "--limit") && more)
            o->limit = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--offset") && more)
            o->offset = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--depth") && more)
            o->depth = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(a, "--model") && more) {
            if ((o->model = model_of(argv[++i])) < 0) {
                fprintf(stderr, "lectern: no model %s (rr, expsum, max, sum, mnz, votes)\n",
                        argv[i]);
                return 1;
            }
        } else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--snippets"))
            o->snippets = 1;
        else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "lectern: unknown option %s (or missing value)\n", a);
            return 1;
        } else if (!o->arg)
            o->arg = a;
        else {
            fprintf(stderr, "lectern: one query or id only (quote a query of several words)\n");
            return 1;
        }
    }
    return -1;
}

int people_cli_main(int argc, char **argv) {
    popts o;
    memset(&o, 0, sizeof o);
    int rc = parse(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (!o.index) {
        fprintf(stderr, "lectern: --index DIR is required\n");
        return 1;
    }
    lx_index *ix;
    lx_searcher *s;
    lx_error err = {0};
    if (lx_index_open(o.index, LX_OPEN_READONLY, &ix, &err)) {
        fail("cannot open index", &err);
        return 2;
    }
    if (lx_searcher_open(ix, &s, &err)) {
        fail("cannot open searcher", &err);
        lx_index_close(ix);
        return 2;
    }
    int status = strcmp(argv[1], "lecturers") ? run_suggest(s, &o) : run_lecturers(s, &o);
    lx_searcher_close(s);
    lx_index_close(ix);
    return status;
}
