/* snapmemo.h -- what a searcher's lookups found in its snapshot, kept
 * while the snapshot is the searcher's (internal). */
#ifndef LX_SNAPMEMO_H
#define LX_SNAPMEMO_H
#include "searcher.h"

/* Words a searcher keeps (a power of two; 128 bytes each, 1 MiB): the
 * TED log's 2,000 queries hold about 2,400 words; and the longest word
 * kept (bytes). */
#define LX_SNAPMEMO_WORDS 8192
#define LX_SNAPMEMO_KEY 56
/* The most bytes records and their keys hold (lx_snapmemo_keep). */
#define LX_SNAPMEMO_REC_BYTES (1u << 20)

/* Term t's list in this snapshot, as lx_store_term(..., NULL) gives it
 * (0, LX_ENOTFOUND or an error code), from the memo when a search of
 * this snapshot looked it up before.  *lang, when lang is not NULL,
 * receives the word's row of LX_MAX_LANGS bytes that qlang.c keeps its
 * findings in (0: none yet), or NULL when the word is not kept; the row
 * is valid until the next lookup of a word. */
int lx_snapmemo_word(lx_searcher *s, const char *t, size_t n, MDB_val *post, unsigned char **lang);

/* Term t's positions as lx_store_pos gives them (0 with pos NULL when
 * none are stored, or an error), from the memo when a search of this
 * snapshot read them before; kept only beside the word's list (after
 * lx_snapmemo_word). */
int lx_snapmemo_pos(lx_searcher *s, const char *t, size_t n, MDB_val *pos);

/* The stored group of lecture docid, as lx_store_doc_group gives it,
 * from the memo when a search of this snapshot read it before. */
int lx_snapmemo_group(lx_searcher *s, uint32_t docid, MDB_val *group);

/* The record a search of this snapshot kept under key (*len its bytes),
 * or NULL; valid until the next lx_snapmemo_keep. */
const void *lx_snapmemo_rec(lx_searcher *s, const void *key, size_t kl, size_t *len);

/* Keeps rec[0..len) under key for the later searches of this snapshot;
 * nothing when there is no memory (the record is made again). */
void lx_snapmemo_keep(lx_searcher *s, const void *key, size_t kl, const void *rec, size_t len);
#endif
