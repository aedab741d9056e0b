/*
 * lectern.h -- the public C API of Lectern, a full-text search and
 * recommendation engine for recorded lectures.
 *
 * Design overview
 * ---------------
 * An index is one LMDB environment (a directory).  One process writes at a
 * time through an lx_writer; any number of readers search through
 * lx_searcher objects.  Readers never block the writer and always see the
 * last committed state (LMDB MVCC): a searcher begins one read transaction
 * per call and decodes posting lists in place from the memory map.
 *
 * Data flow: lecture JSON -> lx_writer_put_json() (validate, analyse:
 * tokenise, case-fold, stem with the lecture's language) -> per-field
 * postings with positions -> lx_writer_commit() (one LMDB transaction; a
 * whole build, lx_writer_begin_build(), appears at once the same way).
 * Queries: lx_search() parses the query, stems each word with every
 * language present in the index (or the one asked for), scores with BM25F
 * over title, tags, speaker, description and transcript, prunes with
 * MaxScore over block-max posting lists, and returns ranked hits with
 * snippets and facet counts.
 *
 * Conventions
 * -----------
 * Every function that can fail returns int: 0 on success, a negative LX_E*
 * code otherwise; lx_strerror() names a code.  Where a person will read the
 * detail, the caller passes an lx_error that receives what, where and why
 * (file, line, field, byte offset).  Passing NULL for it is allowed.
 * Objects returned through out-pointers are owned by the caller and freed
 * with the matching *_free / *_close function.  Strings inside a result
 * live as long as the result.
 *
 * Thread safety: an lx_index may be shared by threads; an lx_searcher and
 * an lx_writer belong to one thread at a time.  Only one lx_writer may be
 * open per index at a time (a second waits for the first, as LMDB does).
 *
 * Rebuilds: an open lx_index follows its directory.  When a build installs
 * a new data.mdb (lx_writer_begin_build with LX_BUILD_REPLACE, in this
 * process or another), the next searcher call, writer or lx_index_version
 * opens the new file (one stat per call notices it); calls already running
 * finish on the old file, which is closed when the last of them ends.  An
 * install waits for a write in progress to commit, and a writer begun
 * after it writes to the new file: a commit that returned 0 is in the file
 * every later reader opens.
 */
#ifndef LECTERN_H
#define LECTERN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Error codes ------------------------------------------------------ */

#define LX_OK 0
#define LX_ENOMEM (-1)     /* out of memory */
#define LX_EIO (-2)        /* file or LMDB I/O failure */
#define LX_EFORMAT (-3)    /* index format version mismatch or corrupt */
#define LX_EINVAL (-4)     /* invalid argument */
#define LX_EJSON (-5)      /* malformed JSON */
#define LX_ERECORD (-6)    /* JSON is valid but the record is not */
#define LX_EUTF8 (-7)      /* invalid UTF-8 */
#define LX_EQUERY (-8)     /* malformed query */
#define LX_ELIMIT (-9)     /* a stated limit was exceeded */
#define LX_ENOTFOUND (-10) /* no lecture with that id */
#define LX_EEXIST (-11)    /* duplicate id within one batch */
#define LX_ECAPTION (-12)  /* malformed WebVTT / SRT */
#define LX_EREADONLY (-13) /* write on an index opened read-only */
#define LX_EFULL (-14)     /* the index map is full */
#define LX_ECORRUPT (-15)  /* the index is damaged (a read found bytes out of bounds) */
#define LX_ENOSPC (-16)    /* no space left on the device */

/* Returns a static string saying what the code means ("out of memory",
 * ...; "unknown error" for a code not listed above). */
const char *lx_strerror(int code);

/* Returns the code's name as a static string ("LX_ENOMEM", ...;
 * "LX_EUNKNOWN" for a code not listed above), for logs and machine-read
 * errors. */
const char *lx_errname(int code);

/* Detail of an error for a person: fill what you know, leave the rest 0. */
typedef struct lx_error {
    int code;          /* the LX_E* code also returned */
    char file[256];    /* input file, "" when unknown */
    long line;         /* 1-based line in file, 0 when unknown */
    char field[64];    /* record field ("title", "segments[3].start"), "" */
    long offset;       /* byte offset in the field, query or line, -1 unknown */
    char message[256]; /* why, in words */
} lx_error;

/* Formats err as "file:line: field: message (at byte N)" into buf. */
void lx_error_format(const lx_error *err, char *buf, size_t size);

/* ---- Hard limits (stated once; each enforced with LX_ELIMIT) ---------- */

#define LX_MAX_QUERY_BYTES 1024 /* query string read with its syntax */
#define LX_MAX_TEXT_BYTES                                                                          \
    (64u << 10)                /* longer queries and texts are cut (see lx_results.truncated) */
#define LX_MAX_QUERY_TERMS 64  /* words, phrase words and filters */
#define LX_MAX_PHRASE_WORDS 16 /* words in one quoted phrase */
#define LX_MAX_TERM_BYTES 64   /* longer tokens are truncated */
#define LX_MAX_ID_BYTES 256    /* lecture id */
#define LX_MAX_TAGS 64         /* tags per lecture */
#define LX_MAX_TAG_BYTES 128   /* one tag */
#define LX_MAX_FIELD_BYTES (4u << 20)  /* one text field of a record */
#define LX_MAX_RECORD_BYTES (8u << 20) /* one JSON record */
#define LX_MAX_RESULTS 1000            /* limit + offset of one page */
#define LX_MAX_SEGMENTS 100000         /* timed segments per lecture */

/* Caps that bound work rather than refuse input: what lies past them is
 * left out, never an error. */
#define LX_MAX_TAG_BOOSTS 16          /* tags one query may boost */
#define LX_MAX_SNIPPET_POSITIONS 4096 /* positions of one term in one field read for a snippet */
#define LX_MAX_TAGSTEM_KEY 500        /* bytes of a tag's stem form (LMDB keys stop at 511) */
/* Occurrences of one phrase word in one field that phrase matching reads:
 * a phrase matches a field only where each of its words is among its
 * first this-many occurrences there; later ones are not seen (the cap
 * bounds matching's scratch memory). */
#define LX_MAX_PHRASE_POSITIONS 4096

/* ---- Index ------------------------------------------------------------ */

typedef struct lx_index lx_index;

#define LX_OPEN_READONLY 0x1u /* open for searching only */
#define LX_OPEN_CREATE 0x2u   /* create the directory/index if missing */

/* Opens (or with LX_OPEN_CREATE creates) the index in directory dir.
 * Checks the format version.  Returns LX_EIO (no index there, or the
 * files cannot be opened), LX_EFORMAT (another format version, or not a
 * Lectern index), LX_ENOSPC (no room for the lock file), LX_ENOMEM. */
int lx_index_open(const char *dir, unsigned flags, lx_index **out, lx_error *err);

/* Closes the index.  All searchers and writers must be closed first. */
void lx_index_close(lx_index *ix);

/* The index's version: a number that grows with every committed write,
 * by this process or another one, and with every rebuild installed.  Equal
 * versions mean equal contents, so a caller may cache answers under it
 * (the server's response cache). */
uint64_t lx_index_version(lx_index *ix);

/* ---- Ranking parameters ----------------------------------------------- */

enum { LX_F_TITLE, LX_F_TAGS, LX_F_SPEAKER, LX_F_DESCRIPTION, LX_F_TRANSCRIPT, LX_NFIELDS };

typedef struct lx_rank_params {
    double weight[LX_NFIELDS]; /* BM25F field weights */
    double b[LX_NFIELDS];      /* per-field length normalisation */
    double k1;                 /* term frequency saturation */
    double tag_boost;          /* bonus weight for a query naming a tag */
    double coord;              /* exponent of a (matched / query words)
                                  factor; 0 = off */
    int all_terms_first;       /* queries of 2 to this many scored words
                                  rank lectures by how many of the words
                                  they match first, then by BM25F */
    int feedback_docs;         /* pseudo-relevance feedback: top documents
                                  read (0 = off) */
    int feedback_terms;        /* terms added to the query */
    double feedback_weight;    /* weight of the strongest added term */
    int feedback_min_terms;    /* only for queries with at least this many
                                  scored words */
} lx_rank_params;

/* The measured defaults (see tests/eval/). */
void lx_rank_params_default(lx_rank_params *p);

/* Field name ("title", ...) for LX_F_* */
const char *lx_field_name(int field);

/* ---- Writing ---------------------------------------------------------- */

typedef struct lx_writer lx_writer;

/* Begins a batch: one LMDB write transaction committed by
 * lx_writer_commit().  Returns LX_EREADONLY on a read-only index,
 * LX_EIO (the file keeps being replaced, or LMDB fails), LX_ECORRUPT
 * (damaged statistics), LX_ENOSPC, LX_ENOMEM. */
int lx_writer_begin(lx_index *ix, lx_writer **out, lx_error *err);

/* Validates one lecture record (JSON text, UTF-8) and adds it, replacing a
 * committed lecture with the same id.  On error nothing of the record is
 * kept and the batch goes on.  err->field/offset say where.
 * Returns LX_EJSON, LX_ERECORD (also for a language that is not one, a
 * date that is not ISO 8601, a NUL in a string), LX_EUTF8, LX_ELIMIT,
 * LX_EEXIST (the id was already put in this batch), LX_ENOMEM, LX_EIO,
 * LX_ENOSPC, LX_EFULL (the map is full), LX_ECORRUPT (a stored list the
 * batch merges into is damaged).  A record taken with a change (a
 * language name mapped to its code, a cue past the duration) returns 0
 * with the warning in err->message. */
int lx_writer_put_json(lx_writer *w, const char *json, size_t len, lx_error *err);

/* The part of lx_writer_put_json that needs no writer, split off so a
 * reader thread can do it while the writer analyses the previous record:
 * lx_prepare_json parses and validates one record and compresses its
 * transcript (same errors as lx_writer_put_json, then nothing is
 * returned); lx_writer_put_prepared adds it (and frees it, whatever it
 * returns).  put_json(w, json) is exactly prepare + put_prepared. */
typedef struct lx_prepared lx_prepared;
int lx_prepare_json(const char *json, size_t len, lx_prepared **out, lx_error *err);
int lx_writer_put_prepared(lx_writer *w, lx_prepared *p, lx_error *err);
void lx_prepared_free(lx_prepared *p);

/* Deletes a lecture by id.  LX_ENOTFOUND when there is none; LX_EIO,
 * LX_ECORRUPT, LX_ENOMEM when the index cannot be read. */
int lx_writer_delete(lx_writer *w, const char *id, lx_error *err);

/* Tokens analysed so far in this batch (for progress and throughput). */
uint64_t lx_writer_tokens(const lx_writer *w);

/* Writes the batch and commits it atomically; frees w either way.
 * LX_ENOSPC when the disk is full (or the file size limit is reached):
 * nothing of the batch is written.  Also LX_EFULL (the map is full),
 * LX_EIO, LX_ECORRUPT (a list it merges into is damaged), LX_ENOMEM, and
 * the error that failed the batch before (a put that could not be
 * undone). */
int lx_writer_commit(lx_writer *w, lx_error *err);

/* Drops the batch; the index is unchanged.  Frees w. */
void lx_writer_abort(lx_writer *w);

/* Stores tags (n, display or normalised form) as the suggested tags of the
 * committed lecture id (lectern-index --suggest-tags), beside its curated
 * tags: kept apart from them, used by a search only with
 * LX_SEARCH_SUGGESTED, shown by lx_get as "suggested_tags".  Calls for
 * one tag must come in docid order (the order lectures were put).
 * LX_ENOTFOUND when no committed lecture has id. */
int lx_writer_suggest(lx_writer *w, const char *id, const char *const *tags, size_t n,
                      lx_error *err);

/* Stores label (text in language lang, an ISO 639-1 code) as a name of
 * the topic tag: a run of query words that stems like the label under
 * lang boosts the tag's lectures as the tag's own name does ("tasa-arvo"
 * for "equality"; corpus/topics.txt's `tag | fi: label` lines, read by
 * lectern-index).  Kept across later batches until the index is rebuilt.
 * LX_ERECORD for an empty tag or label or a language that is not one;
 * LX_EIO, LX_ENOSPC, LX_EFULL from the store. */
int lx_writer_topic_label(lx_writer *w, const char *tag, const char *lang, const char *label,
                          lx_error *err);

/* lx_writer_begin_build flag: replace an index that holds lectures. */
#define LX_BUILD_REPLACE 0x1u

/* Begins building a new index in directory dir (created if missing): the
 * whole build is one writer, and no index is visible in dir until
 * lx_writer_commit() returns 0, when the new index replaces whatever was
 * there in one rename.  Postings are flushed as sorted runs to a temporary
 * file and merged once at commit, so memory stays bounded for any corpus;
 * the work files live in dir/.building (a killed build leaves them there;
 * the next build of dir removes them).  lx_writer_abort() removes them and
 * leaves dir as it was.  An id put twice is refused (LX_EEXIST) however
 * far apart, and lx_writer_delete() finds nothing.  Only one build of dir
 * may run at a time.  Returns LX_EEXIST when dir holds an index with
 * lectures and flags lack LX_BUILD_REPLACE, LX_EIO (also when another
 * build of dir is running), LX_EFORMAT, LX_ENOSPC, LX_ENOMEM. */
int lx_writer_begin_build(const char *dir, unsigned flags, lx_writer **out, lx_error *err);

/* Accumulated postings past this many bytes are flushed: by a build, to a
 * sorted run; by a batch on an open index, merged into its lists (still
 * one transaction).  Less memory, more merging.  0 restores the default
 * (192 MiB); values are clamped to [1, 1 GiB].  For tests and tuning. */
void lx_writer_set_flush_bytes(lx_writer *w, size_t bytes);

/* ---- Captions (WebVTT and SRT) ---------------------------------------- */

typedef struct lx_segment {
    double start; /* seconds */
    double end;   /* seconds */
    char *text;   /* UTF-8, tags stripped, owned by the segment array */
} lx_segment;

/* Parses a WebVTT or SRT file (detected from its content) into segments
 * in time order.  Handles BOM, CRLF, cue ids and settings, styling tags,
 * NOTE/STYLE/REGION blocks, times without hours, and rolling captions that
 * repeat the previous line (the repeat is dropped).  err->line points at
 * the offending line.  Returns LX_ECAPTION, LX_EUTF8, LX_ENOMEM. */
int lx_captions_parse(const char *buf, size_t len, lx_segment **out, size_t *n, lx_error *err);

/* Frees what lx_captions_parse returned. */
void lx_segments_free(lx_segment *segs, size_t n);

/* ---- Searching -------------------------------------------------------- */

typedef struct lx_searcher lx_searcher;

/* A searcher holds decode buffers and a reusable read transaction.  One
 * per thread.  Returns LX_ENOMEM.
 *
 * Errors on the query path (every call below): an allocation that fails,
 * an LMDB read that fails and a damaged list or lecture are returned as
 * such, with err filled, and never read as "no match", a missing term or
 * tag, a smaller total or fewer facets.  A call that fails leaves the
 * searcher usable: the next call answers as if the failure never was.
 * Codes common to them: LX_ENOMEM; LX_EIO (LMDB could not begin the read
 * transaction or read a value); LX_EFORMAT (the statistics or a stored
 * lecture do not decode; also LMDB reporting its file corrupt);
 * LX_ECORRUPT (a posting list, positions list or stored body is damaged,
 * or a listed lecture is not stored). */
int lx_searcher_open(lx_index *ix, lx_searcher **out, lx_error *err);
void lx_searcher_close(lx_searcher *s);

#define LX_SEARCH_SNIPPETS 0x1u   /* compute a snippet per hit */
#define LX_SEARCH_FACETS 0x2u     /* exact total and tag/language facets */
#define LX_SEARCH_EXHAUSTIVE 0x4u /* score every match (no pruning) */
/* Languages (issue 12; README "Languages"): the query's language is
 * detected unless given (qlang, or the first of accept_lang), its words
 * are also translated into the index's other languages with the FreeDict
 * dictionaries installed (a translation into a language matches only the
 * lectures in it; a lecture without a language is "en"), and lectures in
 * the query's language come first among equally relevant ones.  These
 * flags turn each off. */
#define LX_SEARCH_NO_CROSS 0x8u   /* no translation into other languages */
#define LX_SEARCH_NO_PREFER 0x10u /* no preference for the query's language */
#define LX_SEARCH_NO_PREFIX 0x20u /* the last word is not completed as a prefix */
#define LX_SEARCH_NO_TYPOS 0x40u  /* absent words are not corrected */
/* The query is plain text (no syntax): lectures like it, as POST
 * /api/related {"text"} answers.  Its most informative words are searched
 * first, and the best lectures found, with the text, make a related query
 * (pseudo-relevance feedback; related.c, lx_related_text): hits carry
 * shared_tags and shared_terms as lx_related's do. */
#define LX_SEARCH_TEXT 0x80u
#define LX_SEARCH_SUGGESTED 0x100u /* tag filter and boost also use suggested tags */

typedef struct lx_search_opts {
    const char *query;            /* query syntax; NULL or "" matches everything */
    const char *tags;             /* comma-separated tags, all required; NULL none */
    const char *lang;             /* ISO 639-1 filter and query stemming; NULL any */
    const char *speaker;          /* speaker phrase filter; NULL none */
    unsigned limit;               /* hits per page (0 = 10) */
    unsigned offset;              /* hits to skip */
    unsigned flags;               /* LX_SEARCH_* */
    const lx_rank_params *params; /* NULL = the index's defaults */
    unsigned facet_limit;         /* with LX_SEARCH_FACETS: values kept per facet,
                                     the most frequent (0 = all) */
    uint64_t work_budget;         /* work units the search may spend (0 = the
                                     default: LX_WORK_PER_LECTURE per lecture, at
                                     least LX_WORK_BUDGET_DEFAULT; LX_WORK_UNLIMITED
                                     = no budget); lx_search only */
    const char *qlang;            /* the query's language, given (ISO 639-1); NULL detect */
    const char *accept_lang;      /* an Accept-Language header: its first language
                                     stands for qlang when qlang is NULL */
} lx_search_opts;

/* The per-query work budget.  One costly query (dozens of phrases of
 * common words read the positions of nearly every lecture, several times)
 * must not hold a core for seconds while others wait, so lx_search counts
 * its work in units that are cheap to count and the same on every run and
 * machine:
 *   - phrase matching: 1 per lecture where all of a phrase's words occur,
 *     plus 1 per position read to compare them;
 *   - match sets (the total and facets, feedback's set, exclusions and the
 *     speaker filter): 1 per document of each list walked (a phrase's
 *     rarest word's), charged before the walk;
 *   - top-k: the query's cursor count per candidate lecture and per block
 *     window of the MaxScore loop, and per step of the intersection.
 * A unit is a few to some 30 nanoseconds of one core (the most for
 * phrases of very common words).  When a search runs out, it stops
 * and returns the best hits among the lectures it has decided, each with
 * its true score, and sets lx_results.partial: a hit may be missing, and
 * total and the facet counts are lower bounds.  The total and facets may
 * spend at most half of what is left when they start, so the hits always
 * get the rest.  A query long enough for pseudo-relevance feedback that
 * runs out before its expansion answers with its first pass (scores of
 * the query as written, at most feedback_docs hits).  A search whose
 * filters or query cursors alone run out returns no hits with partial
 * set.
 * The default budget grows with the collection, since a query's work does
 * (its lists are longer): LX_WORK_PER_LECTURE units per live lecture, and
 * never less than LX_WORK_BUDGET_DEFAULT.  A fixed budget would cut more
 * and more ordinary queries as the index grows (at 100k synthetic
 * lectures 3M units cut 1 of the 2,000 queries of the TED log; at 1M,
 * 41 of its first 300), where users of Elasticsearch or Xapian
 * expect the exact top k unless they set a limit.  It lets every query
 * of the TED and Cranfield logs finish with room to spare (the floor),
 * every query of the TED log and of a title log on 100k synthetic
 * lectures (2,000 each), and their first 300 on 1M (the first 100 also
 * searched exhaustively; tests/bench/README.md), and stops the costliest queries
 * after roughly 50-100 ms of one core on TED, under a second at 1M. */
#define LX_WORK_BUDGET_DEFAULT 3000000ull
#define LX_WORK_PER_LECTURE 64ull
#define LX_WORK_UNLIMITED UINT64_MAX

typedef struct lx_facet {
    const char *value; /* tag or language code */
    unsigned count;    /* lectures in the whole result set */
} lx_facet;

/* The top-level members of a lecture's stored record that a result shows,
 * located when the lecture was stored (lx_hit.member), so that answers
 * need not walk its JSON per hit. */
enum {
    LX_MEMBER_SPEAKER,
    LX_MEMBER_TAGS,
    LX_MEMBER_LANGUAGE,
    LX_MEMBER_URL,
    LX_MEMBER_DURATION,
    LX_MEMBER_DESCRIPTION,
    LX_NMEMBERS
};

/* A member's value text in meta_json: bytes off .. off + len (len 0:
 * absent). */
typedef struct lx_member {
    uint32_t off, len;
} lx_member;

typedef struct lx_hit {
    const char *id;
    const char *title;
    double score;
    const char *meta_json;     /* the stored record without transcript and
                                  segments: a JSON object */
    const char *snippet;       /* HTML: matched words in <mark>, rest escaped;
                                  "" when not asked or no text */
    const char *snippet_field; /* "transcript", "description", ... */
    double snippet_start;      /* seconds of a timed snippet, -1 if untimed */
    int snippet_plain;         /* 1: the snippet holds no byte that a JSON
                                  string escapes (no control byte, '"' or
                                  '\\'), so it may be written as it is */
    /* related lectures only (else 0 / NULL): */
    size_t n_shared_tags;
    const char **shared_tags;
    size_t n_shared_terms;
    const char **shared_terms;
    /* search only: the translations of query words it matched through */
    size_t n_via;
    const struct lx_via *via;
    /* where meta_json's members a result shows are (lx_member) */
    lx_member member[LX_NMEMBERS];
} lx_hit;

/* A translated query word a hit matched: from (as typed, normalised) ->
 * to, in language lang. */
typedef struct lx_via {
    const char *from, *to, *lang;
} lx_via;
/* A query word corrected by typo tolerance: from as typed, to as the
 * index has it. */
typedef struct lx_correction {
    const char *from, *to;
} lx_correction;

typedef struct lx_results {
    uint64_t total; /* matching lectures; exact with LX_SEARCH_FACETS
                       (unless partial), otherwise a lower bound */
    size_t n;       /* hits on this page */
    lx_hit *hits;
    size_t n_tag_facets; /* with LX_SEARCH_FACETS, by count desc */
    lx_facet *tag_facets;
    size_t n_lang_facets;
    lx_facet *lang_facets;
    double took_ms;
    int partial;   /* lx_search ran out of its work budget (see
                      LX_WORK_BUDGET_DEFAULT): the hits are the best of
                      the lectures decided, total and facets lower bounds */
    uint64_t work; /* work units lx_search spent */
    /* search only: the query's language ("" when unknown), how it was
       chosen ("detected", "qlang", "accept-language") and why */
    char query_lang[8];
    const char *query_lang_source;
    char query_lang_why[160];
    void *lang_extra; /* the hits' via lists (owned) */
    /* Typo tolerance (see lx_search): the query with its corrected words
     * in place, and each correction; NULL and 0 when no word was
     * corrected.  Owned by the results. */
    const char *did_you_mean;
    size_t n_corrections;
    lx_correction *corrections;
    /* A query past the limits (LX_MAX_QUERY_TERMS words or
     * LX_MAX_QUERY_BYTES bytes, a phrase of more than LX_MAX_PHRASE_WORDS)
     * is read as plain words, its LX_MAX_QUERY_TERMS most informative
     * kept: truncated is then 1 when words were left out, dropped lists
     * them (n_dropped). */
    int truncated;
    size_t n_dropped;
    const char **dropped;
    void *forgive; /* (their allocation) */
    void *strings; /* the hits' and facets' strings (owned) */
} lx_results;

/* Runs a search.  *out is owned by the caller: lx_results_free().  A
 * search that runs out of its work budget is no error: it returns 0 with
 * (*out)->partial set (see LX_WORK_BUDGET_DEFAULT).
 * Returns LX_EQUERY (malformed query, also the speaker option) or
 * LX_ELIMIT (query longer than LX_MAX_QUERY_BYTES, more than
 * LX_MAX_QUERY_TERMS terms, more cursors than the engine holds, a tag
 * longer than LX_MAX_TAG_BYTES, limit + offset over LX_MAX_RESULTS) with
 * err->offset or err->field saying where; LX_EINVAL (opts->lang is not a
 * language tag); LX_ENOMEM, LX_EIO, LX_EFORMAT, LX_ECORRUPT (see
 * lx_searcher_open). */
int lx_search(lx_searcher *s, const lx_search_opts *opts, lx_results **out, lx_error *err);

/* Related lectures: the lecture's most significant terms as a weighted
 * query blended with tag overlap weighted by tag rarity; the lecture itself
 * and near-duplicates excluded.  opts->query is ignored; tags/lang/speaker
 * filter, limit/offset page.  Hits carry shared_tags and shared_terms.
 * total is every lecture with a nonzero related score within the filters,
 * the lecture itself excepted, and LX_SEARCH_FACETS counts the facets over
 * the same set: the same on every page.  Near-duplicates are only dropped
 * from the pages, so total is an upper bound on what paging can list.
 * Returns LX_ENOTFOUND when id is unknown, LX_EINVAL when id is empty or
 * opts->lang not a language tag, LX_ELIMIT (limit + offset, the filters'
 * limits as in lx_search, or a lecture language beyond the 32 stemmers a
 * searcher holds), LX_EQUERY (the speaker option), LX_ENOMEM, LX_EIO,
 * LX_EFORMAT, LX_ECORRUPT (see lx_searcher_open). */
int lx_related(lx_searcher *s, const char *id, const lx_search_opts *opts, lx_results **out,
               lx_error *err);

void lx_results_free(lx_results *r);

/* The stored record of a lecture as JSON text (malloc'd, NUL-terminated,
 * caller frees).  Returns LX_ENOTFOUND when there is none, LX_ENOMEM,
 * LX_EIO, LX_EFORMAT. */
int lx_get(lx_searcher *s, const char *id, char **json, size_t *len, lx_error *err);

/* Whether the lecture id passes the filter options of o (tags, lang,
 * speaker, LX_SEARCH_SUGGESTED; the query is ignored), as a search with
 * them would return it: 1 yes, 0 no, or a negative LX_E* code with err
 * filled (LX_ENOTFOUND when no lecture has the id).  A scoped key's fixed
 * filter covers reads by id with it. */
int lx_lecture_allowed(lx_searcher *s, const char *id, const lx_search_opts *o, lx_error *err);

/* Every tag with its lecture count, by count desc then name.  *out is one
 * malloc'd block (free() it); values point inside it.  Returns LX_ENOMEM,
 * LX_EIO, LX_EFORMAT, LX_ECORRUPT. */
int lx_tags(lx_searcher *s, lx_facet **out, size_t *n, lx_error *err);

/* Completions of q as typed, at most limit, the most popular first: topic
 * tags that start with q (normalised; count: their lectures), lecture
 * titles and speakers with a word that starts with q (count: 1 for a
 * title, a speaker's lectures), and q with its last word completed to a
 * word of the index (count: the lectures of its term).  Those in language
 * lang (an ISO 639 code, a tag or an Accept-Language value; NULL: none)
 * come first; the best tag, title and speaker always have a place.  *out (one
 * allocation, free() it) gets value and count of each.  Returns 0,
 * LX_ELIMIT (q over LX_MAX_QUERY_BYTES), LX_EUTF8, LX_ENOMEM, LX_EIO,
 * LX_ECORRUPT. */
int lx_suggest(lx_searcher *s, const char *q, const char *lang, unsigned limit, lx_facet **out,
               size_t *n, lx_error *err);

typedef struct lx_stats {
    uint64_t documents;
    uint64_t terms;       /* distinct terms */
    uint64_t tokens;      /* indexed tokens */
    uint64_t index_bytes; /* size of the data file */
    unsigned n_languages;
    char languages[32][8];
} lx_stats;

/* The index's statistics and languages.  Returns LX_ENOMEM, LX_EIO,
 * LX_EFORMAT, LX_ECORRUPT. */
int lx_stats_get(lx_searcher *s, lx_stats *out, lx_error *err);

/* ---- Dictionaries (cross-language search) ------------------------------ */

typedef struct lx_dict_info {
    char from[8], to[8]; /* ISO 639-1 */
    uint64_t words;      /* headwords; 0 until a search first used the pair */
} lx_dict_info;

/* The installed FreeDict pairs cross-language search uses (the
 * directory listed once per process; each pair loaded when a search
 * first needs it; thread-safe) into
 * out[0..max); returns how many there are (0: searches are monolingual);
 * *dir (may be NULL) gets the directory searched ($LECTERN_DICT_DIR, else
 * /usr/share/dictd). */
size_t lx_dict_list(lx_dict_info *out, size_t max, const char **dir);

/* Loads every installed pair now (headwords, stem maps, the reversed
 * pairs), as the server does on a background thread at start, so that
 * no search waits for what it would otherwise load on first use; nothing
 * when their compiled file (lx_dict_compile) is up to date and mapped. */
void lx_dict_warm(void);

/* Compiles the installed pairs (every headword, its stems and its
 * translations, the reversed pairs) into one file that later processes
 * map and read in place instead of loading the dictd files (~1.5G
 * instructions and 200+ MiB each): under $LECTERN_DICT_MAP_DIR, else
 * $XDG_CACHE_HOME/lectern, else ~/.cache/lectern, valid while the
 * dictionaries and this build's code are unchanged.  A no-op when that
 * file is up to date, unless force.  Call before any search in the
 * process.  Returns 0 (written), 1 (up to date), 2 (no dictionaries
 * installed) or -1 (not written: no cache directory, out of memory, a
 * write error); msg (cap bytes) gets a line for a person. */
int lx_dict_compile(int force, char *msg, size_t cap);

typedef struct lx_lang_coverage {
    char lang[8];               /* the query language */
    uint64_t queries;           /* searches in it that had words to translate */
    uint64_t words, translated; /* their scored words, and those translated */
} lx_lang_coverage;

/* Cross-language coverage of this process's searches per query language
 * into out[0..max); returns the count. */
size_t lx_xlate_coverage_list(lx_lang_coverage *out, size_t max);

/* ---- Moments ------------------------------------------------------------ */

/* A moment is where a query is discussed inside one lecture: a cue of its
 * timed transcript, or up to LX_MOMENT_CUES adjacent cues (at most 5 s
 * apart) that each bring a query word the others lack, scored as a tiny
 * document with the BM25 kernel of the search (the query's terms and idf,
 * the transcript's k1 and b, the window's length against the lecture's
 * mean cue) plus bonuses for query words side by side and for words
 * exactly as typed; a window starts at every matching cue and the best
 * that overlap no better one are the moments.  An untimed transcript is cut into passages of about
 * LX_MOMENT_PASSAGE_BYTES (at sentence ends) that stand for cues, with no
 * times. */
#define LX_MOMENT_CUES 3            /* adjacent matching cues one moment joins */
#define LX_MOMENT_PASSAGE_BYTES 240 /* an untimed transcript's passages */
#define LX_MOMENT_BINS 48           /* density bins over the lecture */
#define LX_MAX_MOMENTS 1000         /* moments one answer lists at most */

typedef struct lx_moment {
    double start, end; /* seconds; -1 in an untimed transcript */
    const char *text;  /* HTML: the cues' words, matched ones in <mark> */
    double score;
} lx_moment;

typedef struct lx_moments {
    uint64_t total;                   /* matching moments in the lecture */
    size_t n;                         /* listed (at most the limit) */
    lx_moment *moments;               /* in time order, or best first (opts best) */
    int timed;                        /* 0: passages, no times */
    double span;                      /* what the bins cover: seconds (the duration or
                                         the last cue's end), or body bytes when untimed */
    unsigned density[LX_MOMENT_BINS]; /* matched words per bin */
} lx_moments;

typedef struct lx_moments_opts {
    const char *query; /* query syntax (the words and phrases count; filters
                          and exclusions are ignored); NULL or "": none */
    const char *lang;  /* query languages as in lx_search_opts; NULL all */
    unsigned limit;    /* moments listed (0 = LX_MAX_MOMENTS) */
    int best;          /* nonzero: best first, else time order */
} lx_moments_opts;

/* The moments of lecture id that match opts->query.  *out is one
 * allocation, owned by the caller: lx_moments_free().  A lecture without
 * a transcript, or a query without words, has total 0.  Returns
 * LX_ENOTFOUND (no such lecture), LX_EINVAL (id empty, lang not a
 * language tag), LX_EQUERY, LX_ELIMIT (as lx_search), LX_ENOMEM, LX_EIO,
 * LX_EFORMAT, LX_ECORRUPT (see lx_searcher_open). */
int lx_moments_find(lx_searcher *s, const char *id, const lx_moments_opts *opts, lx_moments **out,
                    lx_error *err);
void lx_moments_free(lx_moments *m);

/* ---- Lecturers and tag suggestions (lecturers.c, tagsuggest.c) -------- */

/* Expert finding: the people who teach a topic, ranked by the evidence of
 * their lectures.  A lecture search (the query and filters of
 * lx_search_opts, LX_LECTURER_DEPTH lectures deep) gives the evidence;
 * each lecture's speaker field is split into people (at ",", ";", "&",
 * "+", "/" and the word "and" in the bank's languages) and each name is
 * normalised (case, accents, punctuation, a leading title such as "Dr")
 * into a key, so one person is one entry whatever the spelling.  A
 * person's score is the voting model's aggregate of their lectures'
 * scores (LX_EXPERT_*; the default was chosen by measurement,
 * tests/eval/lecturers). */
#define LX_LECTURER_DEPTH 100  /* lectures a ranking reads by default */
#define LX_MAX_NAME_BYTES 256  /* one person's name (longer is cut) */
#define LX_MAX_PEOPLE 16       /* people one speaker field names */
#define LX_LECTURER_SNIPPETS 1 /* lectures of a person given snippets */

enum {
    LX_EXPERT_DEFAULT, /* the measured default: reciprocal rank, as LX_EXPERT_RR */
    LX_EXPERT_MAX,     /* the best lecture's score (CombMAX) */
    LX_EXPERT_SUM,     /* the sum of the lectures' scores (CombSUM) */
    LX_EXPERT_MNZ,     /* CombSUM times the number of lectures (CombMNZ) */
    LX_EXPERT_EXPSUM,  /* the sum of exp(score / best score * 3): CombSUM
                          of exponentiated, normalised scores */
    LX_EXPERT_VOTES,   /* the number of lectures (Votes) */
    LX_EXPERT_RR,      /* the sum of 1 / rank, ranks from 1 (reciprocal rank) */
    LX_EXPERT_N
};

typedef struct lx_lecturer {
    const char *name; /* as written in the best lecture naming them */
    const char *key;  /* the normalised name: one person, one key */
    double score;
    size_t n_lectures; /* their lectures among the evidence, best first */
    const lx_hit **lectures;
    size_t n_institutions; /* distinct, in evidence order */
    const char **institutions;
    size_t n_languages;
    const char **languages;
    size_t n_tags; /* the tags of their lectures, by count desc */
    lx_facet *tags;
} lx_lecturer;

typedef struct lx_lecturers {
    uint64_t total;       /* people among the evidence */
    size_t n;             /* on this page */
    lx_lecturer *people;  /* best first; ties by key */
    lx_results *evidence; /* the lectures of the people on this page, in the
                             order of the lecture search the ranking read
                             (each lecture once; the people's lectures
                             point into it) */
    double took_ms;
    int partial; /* the evidence search was partial */
} lx_lecturers;

typedef struct lx_lecturer_opts {
    lx_search_opts search; /* query, filters, flags of the evidence search
                              (LX_SEARCH_SNIPPETS: snippets for the first
                              LX_LECTURER_SNIPPETS lectures of each person
                              on the page); its limit/offset page the
                              people (limit 0 = 10) */
    unsigned depth;        /* lectures read (0 = LX_LECTURER_DEPTH; at most
                              LX_MAX_RESULTS); an empty query reads
                              LX_MAX_RESULTS */
    int model;             /* LX_EXPERT_* */
} lx_lecturer_opts;

/* Ranks lecturers for o->search.query.  *out is the caller's:
 * lx_lecturers_free().  Only the lectures the page shows are read in full
 * (with snippets when asked); the others are read for their speaker field
 * alone, once per searcher (a cache by docid).  Returns LX_EINVAL (model
 * out of range), and the errors of lx_search. */
int lx_lecturers_search(lx_searcher *s, const lx_lecturer_opts *o, lx_lecturers **out,
                        lx_error *err);

/* The profile of one lecturer: every lecture whose speaker field names the
 * person whose key equals name's key (at most LX_MAX_RESULTS), as a
 * one-person lx_lecturers, score = the number of lectures.  Returns
 * LX_ENOTFOUND when nobody has that name, LX_EINVAL when name normalises
 * to nothing, and the errors of lx_search. */
int lx_lecturer_get(lx_searcher *s, const char *name, lx_lecturers **out, lx_error *err);

/* As lx_lecturer_get, counting only the lectures that pass the filter
 * options of filter (tags, lang, speaker; NULL: none): a scoped key's
 * fixed filter.  LX_ENOTFOUND when none of the person's lectures do. */
int lx_lecturer_get_in(lx_searcher *s, const char *name, const lx_search_opts *filter,
                       lx_lecturers **out, lx_error *err);

void lx_lecturers_free(lx_lecturers *l);

/* Splits a speaker field into people: calls fn with each person's name as
 * written (trimmed) and its key (normalised, NUL-terminated).  A part that
 * is only a suffix ("Jr.", "PhD") stays with the name before it.  Returns
 * the number of people (at most LX_MAX_PEOPLE), LX_EUTF8, LX_ENOMEM. */
typedef void (*lx_person_fn)(void *ctx, const char *name, size_t len, const char *key);
int lx_speakers_split(const char *speaker, size_t len, lx_person_fn fn, void *ctx);

/* The normalised key of one name into out (at most size-1 bytes and a
 * NUL): its tokens case-folded and accent-stripped, joined by one space,
 * a leading title (dr, prof, professor, mr, mrs, ms) dropped.  Returns
 * its length (0: no letters), LX_EUTF8. */
int lx_name_key(const char *name, size_t len, char *out, size_t size);

/* Tag suggestions: the topic tags a lecture most likely carries, voted by
 * its nearest neighbours among the tagged lectures (the related-lectures
 * similarity, lx_related), each neighbour's vote weighted by its score
 * relative to the best; confidence = a tag's votes / all votes, in (0, 1].
 * Only curated tags vote, never suggested ones. */
#define LX_SUGGEST_NEIGHBOURS 40 /* neighbours that vote (measured) */

typedef struct lx_tag_suggestion {
    const char *tag;
    double confidence;
    int curated; /* the lecture already carries it */
} lx_tag_suggestion;

/* Up to limit (0 = 10) suggestions for lecture id, most confident first.
 * *out is one malloc'd block (free() it).  Returns LX_ENOTFOUND, and the
 * errors of lx_related. */
int lx_suggest_tags(lx_searcher *s, const char *id, unsigned limit, lx_tag_suggestion **out,
                    size_t *n, lx_error *err);

/* Called by lx_suggest_tags_untagged for each lecture with its n
 * suggestions (t and the strings in it valid during the call only);
 * nonzero stops the walk and is returned. */
typedef int (*lx_suggest_fn)(void *ctx, const char *id, const lx_tag_suggestion *t, size_t n);

/* Suggestions for every lecture without curated tags at once (only_new:
 * and without stored suggestions), up to limit (0 = 10) each, passed to
 * fn in docid order: lx_suggest_tags' model with only tagged lectures as
 * neighbours, from one pass over the posting lists (tagknn.c) instead of
 * a related-lectures query per lecture.  Lectures get no call when the
 * index has no tagged lecture.  Returns 0, fn's nonzero value, LX_ENOMEM,
 * LX_EIO, LX_ECORRUPT (err filled). */
int lx_suggest_tags_untagged(lx_searcher *s, unsigned limit, int only_new, lx_suggest_fn fn,
                             void *ctx, lx_error *err);

/* lectern-index --suggest-tags: for every lecture without curated tags and
 * without stored suggestions, its LX_SUGGEST_STORED best suggestions of
 * confidence LX_SUGGEST_STORE_MIN or more stored (lx_writer_suggest) in
 * one commit; *stored receives how many lectures got some.  Errors of
 * lx_suggest_tags_untagged and of the writer. */
#define LX_SUGGEST_STORED 3
#define LX_SUGGEST_STORE_MIN 0.1
int lx_index_suggest_tags(lx_index *ix, uint64_t *stored, lx_error *err);

/* ---- Integrity check --------------------------------------------------- */

/* What lx_index_check read and the problems it found: all are counted,
 * the first LX_CHECK_PROBLEMS named ("post \"gender\": doc 12: tf 9 in
 * title, whose length is 3"). */
#define LX_CHECK_PROBLEMS 16
typedef struct lx_check_report {
    uint64_t documents, terms, postings, positions; /* read */
    uint64_t problems;                              /* found */
    unsigned n_listed;                              /* in problem[] */
    char problem[LX_CHECK_PROBLEMS][256];
} lx_check_report;

/* Checks the whole index in one read snapshot (SQLite FTS5's
 * integrity-check): every posting and positions list decoded and checked
 * against the statistics (docids below next_doc, df, nterms), ascending,
 * its block and list bounds against its data, the stored lectures against
 * the ids, langs, norms and statistics, the tags, langs and tagstem
 * databases against the live lectures.  Fills *out.  Returns 0 when sound;
 * LX_ECORRUPT when a problem was found (err names the first); LX_EIO or
 * LX_ENOMEM when the check could not be done.  Reads every page: seconds
 * on a large index. */
int lx_index_check(lx_index *ix, lx_check_report *out, lx_error *err);

/* ---- Text analysis (exposed for tests and tools) ---------------------- */

/* Calls fn for each token of text: the normalised (case-folded, NFC,
 * accent-stripped) token, its byte span in text, and its position.
 * Returns LX_EUTF8 with err->offset at the first invalid byte. */
typedef void (*lx_token_fn)(void *ctx, const char *tok, size_t toklen, size_t start, size_t end,
                            uint32_t pos);
int lx_tokenize(const char *text, size_t len, lx_token_fn fn, void *ctx, lx_error *err);

/* Stems a normalised token with the Snowball stemmer of lang (ISO 639-1),
 * writing at most size-1 bytes to out.  Returns the length, or LX_EINVAL
 * when lang has no stemmer (the token is copied unstemmed). */
int lx_stem(const char *lang, const char *tok, size_t len, char *out, size_t size);

/* Whether a stemmer exists for lang. */
int lx_language_supported(const char *lang);

/* ---- Languages -------------------------------------------------------- */

/* lx_language_lookup's answer when lang named a language in another form
 * than its ISO 639-1 code: the caller should say what it became. */
#define LX_LANG_MAPPED 1

/* Validates a language as a record, a query or a request names it, and
 * gives its ISO 639-1 code, the one form Lectern stores, filters and
 * facets by.  Case is ignored.  Accepted:
 *   - an ISO 639-1 code ("en", "FI"), also with BCP 47 subtags ("en-GB",
 *     "pt_BR", "zh-Hant"): returns 0;
 *   - an ISO 639-2/T, 639-2/B or 639-3 code ("eng", "fin", "deu"/"ger",
 *     "fra"/"fre", "nld"/"dut"), a withdrawn 639-1 code ("iw") or an
 *     unambiguous English name ("English", "finnish", "Farsi"): returns
 *     LX_LANG_MAPPED.
 * Writes the code, two lowercase letters and a NUL, to code[3] in both
 * cases.  Returns LX_EINVAL, code untouched, for anything else: "xx", a
 * language without a 639-1 code ("tlh"), a name standing for several
 * languages ("Gaelic"), "", NULL.  Every ISO 639-1 language is known,
 * whether or not Snowball stems it (lx_language_supported). */
int lx_language_lookup(const char *lang, char code[3]);

/* ---- Snapshots (snapshot.c) -------------------------------------------- */

/* Writes a compact, consistent copy of the index into the new directory
 * out_dir (out_dir/data.mdb): the index as of one commit, free pages left
 * out (LMDB's mdb_env_copy2 with MDB_CP_COMPACT).  Searches and writes go
 * on meanwhile.  The copy is made in out_dir.tmp-PID and renamed, so
 * out_dir is whole or absent.  *bytes (may be NULL) receives the copy's
 * size.  Returns LX_EEXIST (out_dir exists), LX_ENOSPC, LX_EIO, LX_EINVAL. */
int lx_index_snapshot(lx_index *ix, const char *out_dir, uint64_t *bytes, lx_error *err);

/* Replaces the index in dir (created when missing) by the snapshot in
 * snapshot_dir, which is left as it was: its data.mdb is checked to open as
 * an index, copied beside dir's and swapped in the way a rebuild is, so a
 * server serving dir moves to it at its next request.  Returns LX_EIO,
 * LX_EFORMAT (not an index), LX_ENOSPC. */
int lx_index_restore(const char *dir, const char *snapshot_dir, lx_error *err);

/* ---- API keys (keys.c) ------------------------------------------------- */

/* Scopes of a key, as bits. */
#define LX_KEY_ADMIN 0x1u  /* everything: writes, keys, snapshots, searches */
#define LX_KEY_SEARCH 0x2u /* searches and reads */
#define LX_KEY_WRITE 0x4u  /* adds and deletes lectures */

/* "lx_" and 48 hex digits, and a NUL. */
#define LX_KEY_SECRET_BYTES 52

/* A key as stored (never its secret).  A search-only key may carry a
 * fixed filter (tags, lang, speaker, as the search parameters of the same
 * names) that every search made with it is narrowed by. */
typedef struct lx_key {
    char id[17];       /* public id: 16 hex digits of the secret's SHA-256 */
    unsigned scope;    /* LX_KEY_* bits */
    char name[128];    /* what it is for; "" none */
    char tags[256];    /* fixed filter: comma-separated tags, all required */
    char lang[8];      /* fixed filter: language code */
    char speaker[128]; /* fixed filter: speaker phrase */
    int64_t created;   /* Unix seconds */
} lx_key;

/* Creates a key from key->scope, name and filter: a new random secret
 * into secret (shown once, never stored: only its SHA-256 is, in the
 * index), key->id and key->created filled.  Returns LX_EINVAL (no scope,
 * or a filter on a key that is not search-only), LX_EREADONLY, LX_EIO,
 * LX_ENOSPC. */
int lx_key_create(lx_index *ix, lx_key *key, char secret[LX_KEY_SECRET_BYTES], lx_error *err);

/* The key whose secret is secret[0..len), into *out.  Returns 0,
 * LX_ENOTFOUND, LX_ECORRUPT or LX_EIO.  One read transaction. */
int lx_key_find(lx_index *ix, const char *secret, size_t len, lx_key *out);

/* Every key into a malloc'd array *out (free() it) of *n. */
int lx_key_list(lx_index *ix, lx_key **out, size_t *n, lx_error *err);

/* Removes the key with that public id.  Returns LX_ENOTFOUND,
 * LX_EREADONLY, LX_EIO. */
int lx_key_revoke(lx_index *ix, const char *id, lx_error *err);

/* Adds the scope named name ("admin", "search", "write") to *scope;
 * LX_EINVAL for another name. */
int lx_key_scope_parse(const char *name, unsigned *scope);

/* The name of one LX_KEY_* bit, NULL for another value. */
const char *lx_key_scope_name(unsigned bit);

#ifdef __cplusplus
}
#endif
#endif /* LECTERN_H */
