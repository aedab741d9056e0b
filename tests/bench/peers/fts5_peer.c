/*
 * fts5_peer: the SQLite FTS5 side of Lectern's side-by-side benchmark
 * (tests/bench/compare). Benchmark-only; never a product dependency.
 *
 *   fts5_peer build  --index DIR [--content] FILE.jsonl|-
 *   fts5_peer search --index DIR --queries FILE [--limit 10] [--trec RUN]
 *                    [--order bm25|rank]
 *
 * build writes DIR/fts5.db: one fts5 table "lectures" with the columns title,
 * tags, speaker, description, transcript, tokenize='porter unicode61' (English
 * stemming), positions kept (detail=full, for phrases and snippets), and the
 * rank configured as bm25(3, 2, 1, 2, 1): the column weights of Lectern's
 * BM25F defaults. Without --content the table is contentless (content=''):
 * only the inverted index is stored; with --content FTS5 also stores the text,
 * as an engine that returns snippets needs. A plain table ids(rowid, id) maps
 * rowids to lecture ids. One transaction, journal off, then 'optimize' (merge
 * every segment into one, as a read-mostly index would be shipped); the build
 * time includes it. Prints "lectures N tokens T seconds S tokens/s R errors E".
 *
 * search turns each query into a ranked OR of its words, each quoted (so no
 * character can be FTS5 syntax): `"gender" OR "pay" OR "gap"`, runs
 *   SELECT rowid, bm25(lectures, 3, 2, 1, 2, 1) AS s FROM lectures
 *   WHERE lectures MATCH ? ORDER BY s LIMIT ?
 * (with --order rank: ORDER BY the configured rank, the same ranking; it
 * measured slower here) and looks up each hit's id; once untimed (warm-up),
 * once timed, and with --trec once more, untimed, to write
 * "qid Q0 id rank score fts5" lines (score negated: higher is better).
 * The reader gets a 64 MiB page cache and reads through a memory map.
 * Prints "latency_us mean= p50= p95= p99=" on stderr.
 */
#define _POSIX_C_SOURCE 200809L

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define DB_FILE "fts5.db"
#define BM25_WEIGHTS "3.0, 2.0, 1.0, 2.0, 1.0"

static void die_db(sqlite3 *db, const char *what) {
    fprintf(stderr, "sqlite: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
    exit(1);
}

static void exec_sql(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
        exit(1);
    }
}

static char *db_path(const char *dir) {
    size_t n = strlen(dir) + sizeof DB_FILE + 2;
    char *p = (char *)malloc(n);
    snprintf(p, n, "%s/%s", dir, DB_FILE);
    return p;
}

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *ins;    /* INSERT INTO lectures(rowid, ...) */
    sqlite3_stmt *ins_id; /* INSERT INTO ids(rowid, id) */
    sqlite3_int64 rowid;
} build_ctx;

static int index_record(void *vctx, const peer_record *r) {
    build_ctx *c = (build_ctx *)vctx;
    const char *cols[5];
    int i;

    cols[0] = r->title;
    cols[1] = r->tags;
    cols[2] = r->speaker;
    cols[3] = r->description;
    cols[4] = r->transcript;
    c->rowid++;
    sqlite3_bind_int64(c->ins, 1, c->rowid);
    for (i = 0; i < 5; i++)
        sqlite3_bind_text(c->ins, i + 2, cols[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(c->ins_id, 1, c->rowid);
    sqlite3_bind_text(c->ins_id, 2, r->id, -1, SQLITE_STATIC);
    if (sqlite3_step(c->ins) != SQLITE_DONE || sqlite3_step(c->ins_id) != SQLITE_DONE) {
        fprintf(stderr, "%s: %s\n", r->id, sqlite3_errmsg(c->db));
        sqlite3_reset(c->ins);
        sqlite3_reset(c->ins_id);
        c->rowid--;
        return -1;
    }
    sqlite3_reset(c->ins);
    sqlite3_reset(c->ins_id);
    return 0;
}

static int run_build(const char *dir, const char *input, int content) {
    double t0 = peer_now();
    char *path = db_path(dir);
    size_t plen = strlen(path);
    char *side = (char *)malloc(plen + 16);
    build_ctx c;
    peer_totals t;

    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return 2;
    }
    unlink(path);
    snprintf(side, plen + 16, "%s-journal", path);
    unlink(side);
    snprintf(side, plen + 16, "%s-wal", path);
    unlink(side);
    free(side);

    memset(&c, 0, sizeof c);
    if (sqlite3_open(path, &c.db) != SQLITE_OK)
        die_db(c.db, path);
    exec_sql(c.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                   "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY");
    exec_sql(c.db, content ? "CREATE VIRTUAL TABLE lectures USING fts5(title, tags, speaker, "
                             "description, transcript, tokenize='porter unicode61')"
                           : "CREATE VIRTUAL TABLE lectures USING fts5(title, tags, speaker, "
                             "description, transcript, content='', "
                             "tokenize='porter unicode61')");
    exec_sql(c.db, "INSERT INTO lectures(lectures, rank) VALUES('rank', 'bm25(" BM25_WEIGHTS ")')");
    exec_sql(c.db, "CREATE TABLE ids(rowid INTEGER PRIMARY KEY, id TEXT NOT NULL)");
    exec_sql(c.db, "BEGIN");
    if (sqlite3_prepare_v2(c.db,
                           "INSERT INTO lectures(rowid, title, tags, speaker, description, "
                           "transcript) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                           -1, &c.ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(c.db, "INSERT INTO ids(rowid, id) VALUES(?1, ?2)", -1, &c.ins_id,
                           NULL) != SQLITE_OK)
        die_db(c.db, "prepare insert");
    peer_read_records(input, index_record, &c, &t);
    sqlite3_finalize(c.ins);
    sqlite3_finalize(c.ins_id);
    exec_sql(c.db, "COMMIT");
    exec_sql(c.db, "INSERT INTO lectures(lectures) VALUES('optimize')");
    if (sqlite3_close(c.db) != SQLITE_OK)
        die_db(c.db, "close");
    free(path);
    peer_report_build(t.lectures, t.tokens, peer_now() - t0, t.errors);
    return 0;
}

/* Writes the FTS5 expression for query into out: every word quoted, joined
 * with OR. Words are split as common.h counts tokens, so the expression holds
 * no FTS5 syntax (quotes, parentheses, '*', '^', ':', '-', '+') at all. */
static void fts5_expression(const char *query, pbuf *out) {
    const char *s = query;
    pbuf_clear(out);
    while (*s) {
        const char *w;
        while (*s && !peer_is_word_byte((unsigned char)*s))
            s++;
        if (!*s)
            break;
        w = s;
        while (*s && peer_is_word_byte((unsigned char)*s))
            s++;
        if (out->len)
            pbuf_add(out, " OR ", 4);
        pbuf_add(out, "\"", 1);
        pbuf_add(out, w, (size_t)(s - w));
        pbuf_add(out, "\"", 1);
    }
}

typedef struct {
    char id[256];
    double score;
} hit;

typedef struct {
    sqlite3 *db;
    sqlite3_stmt *match;  /* the ranked query */
    sqlite3_stmt *lookup; /* rowid -> id */
    pbuf expr;
    hit *hits;
    int nhits;
} searcher;

/* Runs one query; fills s->hits with the top `limit`. */
static void search_run(searcher *s, const char *query, int limit) {
    int rc = SQLITE_DONE;

    s->nhits = 0;
    fts5_expression(query, &s->expr);
    if (s->expr.len == 0)
        return;
    sqlite3_bind_text(s->match, 1, s->expr.p, (int)s->expr.len, SQLITE_STATIC);
    sqlite3_bind_int(s->match, 2, limit);
    while (s->nhits < limit && (rc = sqlite3_step(s->match)) == SQLITE_ROW) {
        hit *h = &s->hits[s->nhits++];
        sqlite3_int64 rowid = sqlite3_column_int64(s->match, 0);
        h->score = -sqlite3_column_double(s->match, 1); /* FTS5: lower is better */
        h->id[0] = 0;
        sqlite3_bind_int64(s->lookup, 1, rowid);
        if (sqlite3_step(s->lookup) == SQLITE_ROW) {
            const unsigned char *id = sqlite3_column_text(s->lookup, 0);
            snprintf(h->id, sizeof h->id, "%s", id ? (const char *)id : "");
        }
        sqlite3_reset(s->lookup);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        fprintf(stderr, "query \"%s\": %s\n", query, sqlite3_errmsg(s->db));
    sqlite3_reset(s->match);
}

static int run_search(const char *dir, const char *qfile, int limit, const char *trec,
                      const char *order) {
    char *path = db_path(dir);
    peer_queries q;
    searcher s;
    double *us, *cpu;
    size_t i;
    const char *sql;

    peer_queries_load(&q, qfile);
    memset(&s, 0, sizeof s);
    if (sqlite3_open_v2(path, &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die_db(s.db, path);
    /* A reader tuned as a read-mostly application would tune it: a 64 MiB
     * page cache and reads through a memory map, like Xapian's and LMDB's. */
    exec_sql(s.db, "PRAGMA cache_size=-65536; PRAGMA mmap_size=4294967296");
    sql = strcmp(order, "bm25") == 0 ? "SELECT rowid, bm25(lectures, " BM25_WEIGHTS
                                       ") AS s FROM lectures "
                                       "WHERE lectures MATCH ?1 ORDER BY s LIMIT ?2"
                                     : "SELECT rowid, rank FROM lectures WHERE lectures MATCH ?1 "
                                       "ORDER BY rank LIMIT ?2";
    if (sqlite3_prepare_v2(s.db, sql, -1, &s.match, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s.db, "SELECT id FROM ids WHERE rowid = ?1", -1, &s.lookup, NULL) !=
            SQLITE_OK)
        die_db(s.db, "prepare search");
    s.hits = (hit *)calloc((size_t)limit, sizeof *s.hits);
    us = (double *)calloc(q.n ? q.n : 1, sizeof *us);
    cpu = (double *)calloc(q.n ? q.n : 1, sizeof *cpu);

    for (i = 0; i < q.n; i++) /* warm-up */
        search_run(&s, q.text[i], limit);
    for (i = 0; i < q.n; i++) {
        double t0 = peer_now(), c0 = peer_cpu_now();
        search_run(&s, q.text[i], limit);
        cpu[i] = (peer_cpu_now() - c0) * 1e6;
        us[i] = (peer_now() - t0) * 1e6;
    }
    peer_report_latency(us, cpu, q.n);

    if (trec) {
        FILE *f = fopen(trec, "w");
        if (!f) {
            fprintf(stderr, "%s: %s\n", trec, strerror(errno));
            return 2;
        }
        for (i = 0; i < q.n; i++) {
            int k;
            search_run(&s, q.text[i], limit);
            for (k = 0; k < s.nhits; k++)
                fprintf(f, "%s Q0 %s %d %.6f fts5\n", q.qid[i], s.hits[k].id, k + 1,
                        s.hits[k].score);
        }
        fclose(f);
    }

    sqlite3_finalize(s.match);
    sqlite3_finalize(s.lookup);
    sqlite3_close(s.db);
    for (i = 0; i < q.n; i++) {
        free(q.qid[i]);
        free(q.text[i]);
    }
    free(q.qid);
    free(q.text);
    free(s.expr.p);
    free(s.hits);
    free(us);
    free(cpu);
    free(path);
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: fts5_peer build --index DIR [--content] FILE.jsonl|-\n"
                    "       fts5_peer search --index DIR --queries FILE [--limit N] "
                    "[--trec RUN] [--order rank|bm25]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *dir = NULL, *queries = NULL, *trec = NULL, *input = NULL, *order = "bm25";
    int limit = 10, content = 0, i;

    if (argc < 2)
        return usage();
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--index") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(a, "--queries") == 0 && i + 1 < argc)
            queries = argv[++i];
        else if (strcmp(a, "--trec") == 0 && i + 1 < argc)
            trec = argv[++i];
        else if (strcmp(a, "--limit") == 0 && i + 1 < argc)
            limit = atoi(argv[++i]);
        else if (strcmp(a, "--order") == 0 && i + 1 < argc)
            order = argv[++i];
        else if (strcmp(a, "--content") == 0)
            content = 1;
        else if (a[0] == '-' && a[1] != 0)
            return usage();
        else if (!input)
            input = a;
        else
            return usage();
    }
    if (strcmp(argv[1], "build") == 0 && dir && input)
        return run_build(dir, input, content);
    if (strcmp(argv[1], "search") == 0 && dir && queries && !input && limit > 0 &&
        (strcmp(order, "rank") == 0 || strcmp(order, "bm25") == 0))
        return run_search(dir, queries, limit, trec, order);
    return usage();
}
