/* dictmap.h -- the FreeDict dictionaries compiled into one read-only
 * file that a process maps and reads in place (internal to dict.c).
 *
 * Loading the dictd files costs every process that detects or translates
 * a query ~1.5G instructions and 200+ MiB of heap (every index parsed,
 * every headword stemmed, the small pairs reversed, entries inflated
 * from .dict.dz).  dict.c does that once, in `lectern-index build` or
 * `lectern-index dicts`, and writes what detection and translation read
 * into this file: per pair its headwords (or, for a reversed pair, the
 * translations it is keyed by) with their translations already parsed
 * (the first LX_DICT_MAX_SENSES, as lx_dict_translate gives them), and
 * its stem map.  Opening it is an mmap and a header check.
 *
 * Where: $LECTERN_DICT_MAP_DIR, else $XDG_CACHE_HOME/lectern, else
 * $HOME/.cache/lectern; named dicts-DIRHASH-CODEID.lxd, DIRHASH from the
 * dictionary directory's path, CODEID from the sources that decide its
 * contents (hashed at build time, engine/CMakeLists.txt: tokenizer,
 * stemmers, languages, entry parser, this layout), so that builds of
 * different code never read each other's file; compiling removes the
 * directory's files of other builds untouched for a day.  Valid only
 * while its fingerprint (format version, CODEID, utf8proc's version, the
 * directory, and each freedict-* file's name, size and mtime) matches
 * the directory now; otherwise dict.c loads the dictd files as before.
 * Written to a temporary file, fsync'd and renamed: never seen half
 * written.
 *
 * Layout (native byte order and alignment: a file of one machine):
 *   header   lx_dmap_head: magic "LXDMAP1\0", version, pair count, real
 *            (file) pair count, source language count, fingerprint, file
 *            size, the offset of the languages
 *   pairs    lx_dmap_pair[npairs]: languages, name, reversed pair's
 *            source + 1, load states, headword count, and the offsets
 *            and sizes of its two hash tables
 *   records  a word: u16 key length, u8 count, key bytes, then each
 *            translation: u16 sense, u8 tokens, u16 length, text bytes;
 *            a stem: u16 term length, term bytes, u32 its word's offset
 *   tables   per pair and map, cap (a power of two) slots of
 *            {u32 FNV-1a hash, u32 record offset (0 = empty)}, linear
 *            probing, at most half full; then, at the next 64-byte
 *            boundary, its filter: max(1, cap / 128) blocks of 64 bytes,
 *            three bits set in one block per key (a blocked Bloom filter,
 *            8 to 16 bits a key), so that a key the table lacks (most of
 *            detection's look-ups: every candidate language's pairs are
 *            asked) costs one cache line of a file 1/16 the tables' size
 *            instead of a slot's
 *   langs    per source language and map (words, stems), the distinct
 *            keys of its pairs' tables (of the pairs readable as a pair
 *            and, for stems, as a stem map), each as u16 length and the
 *            key's bytes; a table of them as the pairs' (slots and
 *            filter, the slots pointing at these keys); and a filter as
 *            the tables' with 32 bits a key.  Detection asks whether any
 *            pair from a language has a word (every candidate language is
 *            asked, and a language has up to twelve pairs, reversed ones
 *            included): a word the language lacks costs one cache line of
 *            the filter, one it has a slot and a key, all in a region a
 *            fraction of the pairs' size, instead of a slot and a record
 *            (with its translations) in each pair asked: fewer pages for
 *            a process to fault in, fewer cache misses
 *            then lx_dmap_lang[nlangs]: code, the filters' offsets and
 *            blocks, the key tables' offsets and slots
 * Every offset read is checked against the file's size. */
#ifndef LX_DICTMAP_H
#define LX_DICTMAP_H
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

#define LX_DMAP_VERSION 4

typedef struct lx_dmap_pair {
    char from[8], to[8], name[24];
    int32_t rev;         /* source pair + 1 when reversed, else 0 */
    int32_t state;       /* 1 readable, -1 not (as dict.c's) */
    int32_t sstate;      /* the same for its stem map */
    uint32_t nwords;     /* keys of the word table */
    uint64_t wtab, stab; /* offsets of the word and stem tables */
    uint32_t wcap, scap; /* their slots (0: none) */
} lx_dmap_pair;

typedef struct lx_dmap_head {
    char magic[8];
    uint32_t version, npairs, nreal, nlangs;
    uint64_t fingerprint, size;
    uint64_t langs; /* offset of lx_dmap_lang[nlangs] */
} lx_dmap_head;

/* A source language's filters and tables over its pairs' keys. */
typedef struct lx_dmap_lang {
    char code[8];
    uint64_t wfilt, sfilt;     /* offsets of the word and stem filters */
    uint32_t wblocks, sblocks; /* their 64-byte blocks (powers of two; 0: no keys) */
    uint64_t wset, sset;       /* offsets of the word and stem key tables */
    uint32_t wscap, sscap;     /* their slots (powers of two; 0: no keys) */
} lx_dmap_lang;

/* An open file (read-only, shared by threads). */
typedef struct lx_dmap {
    const uint8_t *base;
    size_t size;
    const lx_dmap_head *head;
    const lx_dmap_pair *pairs;
    const lx_dmap_lang *langs;
} lx_dmap;

/* The file's path for dictionary directory dir into out (cap bytes); 0,
 * or -1 when no cache directory is known ($HOME unset). */
int lx_dmap_path(const char *dir, char *out, size_t cap);

/* Maps path and checks it against fingerprint; 0, or -1 with why (a
 * phrase: "missing", "stale", "damaged") in *why. */
int lx_dmap_open(lx_dmap *m, const char *path, uint64_t fingerprint, const char **why);
void lx_dmap_close(lx_dmap *m);

/* The word record of key in pair i, or NULL. */
const uint8_t *lx_dmap_word(const lx_dmap *m, int i, const char *key, size_t len);
/* The word record the stem term of pair i names, or NULL. */
const uint8_t *lx_dmap_stem(const lx_dmap *m, int i, const char *term, size_t len);
/* Starts reading the filter block where lx_dmap_word (stems 0) or
 * lx_dmap_stem (stems 1) of pair i looks up first a key of lx_hash h: a
 * caller about to look up many keys or pairs lets their cache misses
 * overlap. */
void lx_dmap_prefetch(const lx_dmap *m, int i, int stems, uint32_t h);
/* The place of source language code among the file's languages, or -1. */
int lx_dmap_lang_find(const lx_dmap *m, const char *code);
/* Whether some pair from language l (lx_dmap_lang_find) may have a word
 * (stems 0) or stem term (stems 1) of lx_hash h: 0 only when none has. */
int lx_dmap_lang_may(const lx_dmap *m, int l, int stems, uint32_t h);
/* Whether some pair from language l has the word (stems 0) or stem term
 * (stems 1) key: exactly what asking each of them answers (the filter
 * first, then the language's key table). */
int lx_dmap_lang_has(const lx_dmap *m, int l, int stems, const char *key, size_t len);
/* Starts reading the filter block lx_dmap_lang_may(m, l, stems, h) reads
 * and the slot lx_dmap_lang_has looks at first. */
void lx_dmap_lang_prefetch(const lx_dmap *m, int l, int stems, uint32_t h);
/* A word record's translations into out[0..max); the count (0 when the
 * record is damaged). */
int lx_dmap_translations(const lx_dmap *m, const uint8_t *rec, lx_dict_tr *out, int max);

/* Writing: lx_dmap_create, for each pair lx_dmap_pair_begin, its words,
 * lx_dmap_stems_begin, its stems, lx_dmap_pair_end; then lx_dmap_finish
 * (fsync'd and renamed into place: readers never see half a file) or
 * lx_dmap_abort. */
typedef struct lx_dmap_writer lx_dmap_writer;
lx_dmap_writer *lx_dmap_create(const char *path, int npairs, int nreal);
void lx_dmap_pair_begin(lx_dmap_writer *w, const lx_dmap_pair *meta, size_t nwords);
/* Adds a word and returns its record's offset (0 on error: sticky). */
uint32_t lx_dmap_add_word(lx_dmap_writer *w, const char *key, size_t len, const lx_dict_tr *tr,
                          int n);
void lx_dmap_stems_begin(lx_dmap_writer *w, size_t nstems);
void lx_dmap_add_stem(lx_dmap_writer *w, const char *term, size_t len, uint32_t word);
void lx_dmap_pair_end(lx_dmap_writer *w);
/* 0, or -1 (nothing left behind). */
int lx_dmap_finish(lx_dmap_writer *w, uint64_t fingerprint, size_t *bytes);
void lx_dmap_abort(lx_dmap_writer *w);

/* The build's code id (engine sources' hash), a NUL-terminated string. */
const char *lx_dmap_code_id(void);
#endif
