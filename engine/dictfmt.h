/* dictfmt.h -- dictd's file format as FreeDict ships it (internal to
 * dict.c): the index's base-64 numbers, random access into a .dict.dz,
 * and the translations an entry's text gives.
 *
 *   AAA-BBB.index    one line per headword: the headword, TAB, the
 *                    entry's byte offset, TAB, its length, both numbers in
 *                    dictd's base 64 (A-Z a-z 0-9 + /, most significant
 *                    first); "00database..." lines describe the database
 *   AAA-BBB.dict.dz  the entries' text, gzip whose FEXTRA field holds
 *                    dictzip's "RA" table: version, chunk length, chunk
 *                    count, then each chunk's compressed size; each chunk
 *                    inflates alone (raw deflate, flushed fully between
 *                    chunks) */
#ifndef LX_DICTFMT_H
#define LX_DICTFMT_H
#include <stddef.h>
#include <stdint.h>

#include "dict.h"

/* A dictd number ("BXk"), or UINT32_MAX when s .. end is not one or it
 * does not fit 32 bits. */
uint32_t lx_dict_b64(const char *s, const char *end);

/* The tokens of s[0..len) joined by one space into out (cap bytes), as
 * headwords and translations are keyed; their count in *ntok.  Returns
 * the length, 0 when there is no token or they do not fit (cap, or
 * LX_MAX_PHRASE_WORDS tokens). */
size_t lx_dict_normalise(const char *s, size_t len, char *out, size_t cap, int *ntok);

/* The translations in one entry's text (the headword line, then either
 * numbered senses each followed by a gloss, or one line of translations:
 * their comma- or semicolon-separated items without <grammar> marks and
 * (notes)), appended to out[n..max); returns the new count. */
int lx_dict_entry_items(const char *t, lx_dict_tr *out, int n, int max);

/* A mapped .dict.dz and its chunk table. */
typedef struct lx_dz {
    const uint8_t *dz;
    size_t dzlen;
    uint32_t chlen, nch;
    uint64_t *choff; /* nch + 1 offsets of the compressed chunks in dz */
} lx_dz;

/* Maps path and reads its dictzip header into z; 0 or -1.  lx_dz_close
 * undoes either (and a zeroed z). */
int lx_dz_open(lx_dz *z, const char *path);
void lx_dz_close(lx_dz *z);

/* A reader of one file's text: the chunk last inflated stays in buf, so
 * entries next to each other (one headword's senses) inflate their chunk
 * once.  Set up as {z, malloc(z->chlen), UINT32_MAX, 0}. */
typedef struct lx_dz_reader {
    const lx_dz *z;
    uint8_t *buf;  /* z->chlen bytes */
    uint32_t c;    /* the chunk in buf, UINT32_MAX = none */
    uint32_t have; /* its bytes inflated */
} lx_dz_reader;

/* The len bytes of text at off into out (len + 1 bytes, NUL-terminated);
 * 0 or -1 (damaged). */
int lx_dz_read(lx_dz_reader *r, uint32_t off, uint32_t len, char *out);

/* Every chunk of z inflated, in order, into *out (malloc'd, NUL-
 * terminated; its length in *len); 0 or -1. */
int lx_dz_inflate_all(const lx_dz *z, char **out, size_t *len);

#endif
