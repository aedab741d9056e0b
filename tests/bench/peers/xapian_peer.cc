/*
 * xapian_peer: the Xapian side of Lectern's side-by-side benchmark
 * (tests/bench/compare). Benchmark-only; never a product dependency.
 *
 *   xapian_peer build  --index DIR [--flush N] [--no-compact] [--field-positions]
 *                      FILE.jsonl|-
 *   xapian_peer search --index DIR --queries FILE [--limit 10] [--trec RUN]
 *
 * build indexes the same fields as Lectern, the way the Xapian manual
 * recommends for fielded search: each field once under its prefix (title S,
 * tags K, speaker A, description XD, transcript XT) and once unprefixed, so an
 * unprefixed query hits every field, with within-document frequency
 * multipliers title 3, tags 2, speaker 1, description 2, transcript 1 (the
 * field weights of BM25F, as Xapian expresses them), and English stemming
 * (STEM_SOME: unstemmed terms with positions, stemmed "Z" terms without).
 * Positions are kept for the unprefixed (all-fields) terms, which is what
 * phrase queries and snippets over the default field use; --field-positions
 * keeps them for the prefixed terms too (field-restricted phrases), at about
 * 1.3 times the size and CPU time. Each record replaces any document with the
 * same id ("Q" term), as an application that updates lectures would.
 * Tuned as a careful Xapian user would for a bulk build: a commit every
 * --flush 100 documents (the fastest and leanest of 100, 250, 1000, 2500 and
 * Xapian's default 10000 when measured on TED by CPU time: the in-memory
 * batch grows costly), then Database::compact into DIR (full B-tree blocks:
 * about half the size; --no-compact skips it); both are inside the timed
 * build. Prints "lectures N tokens T seconds S tokens/s R errors E" on stderr.
 *
 * search parses each query with QueryParser (default operator OR, STEM_SOME,
 * the field prefixes mapped, FLAG_DEFAULT: phrases, AND/OR/NOT, +/-), asks
 * for the top --limit by BM25 and reads each hit's id, once untimed (warm-up)
 * and once timed; prints "latency_us mean= p50= p95= p99=" on stderr. With
 * --trec, a third, untimed pass writes "qid Q0 id rank score xapian" lines.
 */
#include <xapian.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common.h"

namespace {

struct Field {
    const char *text;
    unsigned weight;
    const char *prefix;
};

struct BuildCtx {
    Xapian::WritableDatabase *db;
    Xapian::TermGenerator *tg;
    bool field_positions; /* positions for the prefixed terms too */
    unsigned flush;       /* commit every this many documents */
    unsigned pending;     /* documents since the last commit */
};

int index_record(void *vctx, const peer_record *r)
{
    BuildCtx *ctx = static_cast<BuildCtx *>(vctx);
    const Field fields[] = {
        {r->title, 3, "S"},       {r->tags, 2, "K"},       {r->speaker, 1, "A"},
        {r->description, 2, "XD"}, {r->transcript, 1, "XT"},
    };
    try {
        Xapian::Document doc;
        ctx->tg->set_document(doc);
        for (const Field &f : fields) {
            if (!*f.text)
                continue;
            if (ctx->field_positions) {
                ctx->tg->index_text(f.text, f.weight, f.prefix);
                ctx->tg->increase_termpos();
            } else {
                ctx->tg->index_text_without_positions(f.text, f.weight, f.prefix);
            }
        }
        for (const Field &f : fields) {
            if (*f.text) {
                ctx->tg->index_text(f.text, f.weight);
                ctx->tg->increase_termpos();
            }
        }
        std::string idterm = std::string("Q") + r->id;
        doc.set_data(r->id);
        doc.add_boolean_term(idterm);
        ctx->db->replace_document(idterm, doc);
        if (++ctx->pending >= ctx->flush) {
            ctx->db->commit();
            ctx->pending = 0;
        }
    } catch (const Xapian::Error &e) {
        fprintf(stderr, "%s: %s\n", r->id, e.get_description().c_str());
        return -1;
    }
    return 0;
}

struct BuildOptions {
    bool field_positions; /* --field-positions */
    unsigned flush;       /* --flush N */
    bool compact;         /* not --no-compact */
};

int run_build(const char *dir, const char *input, const BuildOptions &o)
{
    double t0 = peer_now();
    peer_totals t;
    std::string target = dir, work = o.compact ? target + ".tmp" : target;
    {
        Xapian::WritableDatabase db(work, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("en"));
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        BuildCtx ctx = {&db, &tg, o.field_positions, o.flush, 0};
        peer_read_records(input, index_record, &ctx, &t);
        db.commit();
        if (o.compact) {
            std::filesystem::remove_all(target);
            db.compact(target, Xapian::DBCOMPACT_NO_RENUMBER | Xapian::DBCOMPACT_MULTIPASS);
        }
        db.close();
    }
    if (o.compact)
        std::filesystem::remove_all(work);
    peer_report_build(t.lectures, t.tokens, peer_now() - t0, t.errors);
    return 0;
}

struct Hit {
    std::string id;
    double score;
};

class Searcher {
  public:
    explicit Searcher(const char *dir) : db_(dir), enq_(db_)
    {
        qp_.set_database(db_);
        qp_.set_stemmer(Xapian::Stem("en"));
        qp_.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp_.set_default_op(Xapian::Query::OP_OR);
        qp_.add_prefix("title", "S");
        qp_.add_prefix("tag", "K");
        qp_.add_prefix("tags", "K");
        qp_.add_prefix("speaker", "A");
        qp_.add_prefix("description", "XD");
        qp_.add_prefix("transcript", "XT");
    }

    /* Runs one query; fills hits with the top `limit` ids and scores. */
    void run(const char *text, unsigned limit, std::vector<Hit> &hits)
    {
        Xapian::Query q;
        try {
            q = qp_.parse_query(text, Xapian::QueryParser::FLAG_DEFAULT);
        } catch (const Xapian::QueryParserError &) {
            q = qp_.parse_query(text, 0); /* as a search box falls back */
        }
        enq_.set_query(q);
        Xapian::MSet m = enq_.get_mset(0, limit);
        hits.clear();
        for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
            hits.push_back(Hit{it.get_document().get_data(), it.get_weight()});
    }

  private:
    Xapian::Database db_;
    Xapian::Enquire enq_;
    Xapian::QueryParser qp_;
};

int run_search(const char *dir, const char *queries, unsigned limit, const char *trec)
{
    peer_queries q;
    peer_queries_load(&q, queries);
    Searcher s(dir);
    std::vector<Hit> hits;
    std::vector<double> us(q.n), cpu(q.n);

    for (size_t i = 0; i < q.n; i++) /* warm-up */
        s.run(q.text[i], limit, hits);
    for (size_t i = 0; i < q.n; i++) {
        double t0 = peer_now(), c0 = peer_cpu_now();
        s.run(q.text[i], limit, hits);
        cpu[i] = (peer_cpu_now() - c0) * 1e6;
        us[i] = (peer_now() - t0) * 1e6;
    }
    peer_report_latency(us.data(), cpu.data(), us.size());

    if (trec) {
        FILE *f = fopen(trec, "w");
        if (!f) {
            fprintf(stderr, "%s: %s\n", trec, strerror(errno));
            return 2;
        }
        for (size_t i = 0; i < q.n; i++) {
            s.run(q.text[i], limit, hits);
            for (size_t k = 0; k < hits.size(); k++)
                fprintf(f, "%s Q0 %s %zu %.6f xapian\n", q.qid[i], hits[k].id.c_str(), k + 1,
                        hits[k].score);
        }
        fclose(f);
    }
    for (size_t i = 0; i < q.n; i++) {
        free(q.qid[i]);
        free(q.text[i]);
    }
    free(q.qid);
    free(q.text);
    return 0;
}

int usage()
{
    fprintf(stderr, "usage: xapian_peer build --index DIR [--flush N] [--no-compact] "
                    "[--field-positions] FILE.jsonl|-\n"
                    "       xapian_peer search --index DIR --queries FILE [--limit N] "
                    "[--trec RUN]\n");
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    const char *dir = NULL, *queries = NULL, *trec = NULL, *input = NULL;
    unsigned limit = 10;
    BuildOptions bo = {false, 100, true};

    if (argc < 2)
        return usage();
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--index" && i + 1 < argc)
            dir = argv[++i];
        else if (a == "--queries" && i + 1 < argc)
            queries = argv[++i];
        else if (a == "--trec" && i + 1 < argc)
            trec = argv[++i];
        else if (a == "--limit" && i + 1 < argc)
            limit = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (a == "--field-positions")
            bo.field_positions = true;
        else if (a == "--no-compact")
            bo.compact = false;
        else if (a == "--flush" && i + 1 < argc)
            bo.flush = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (a.size() > 1 && a[0] == '-' && a != "-")
            return usage();
        else if (!input)
            input = argv[i];
        else
            return usage();
    }
    try {
        std::string mode = argv[1];
        if (mode == "build" && dir && input && bo.flush > 0)
            return run_build(dir, input, bo);
        if (mode == "search" && dir && queries && !input && limit > 0)
            return run_search(dir, queries, limit, trec);
    } catch (const Xapian::Error &e) {
        fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
        return 1;
    }
    return usage();
}
