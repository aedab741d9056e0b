/* dictcache.h -- the translations of dictionary entries already read,
 * kept per process so that a word asked again costs a hash probe, not a
 * dictzip chunk inflated (internal).
 *
 * A fixed table of LX_DICT_CACHE_SLOTS slots (or $LECTERN_DICT_CACHE,
 * rounded down to a power of two; 0 turns the cache off), allocated on
 * first use, each holding one headword's translations (pair, first
 * entry) packed into a few hundred bytes: about 2 MB in all, whatever
 * runs.  A slot is replaced by the next headword that hashes to it.  One
 * mutex guards the table, held for a copy of a slot only, so the
 * server's worker threads share it. */
#ifndef LX_DICTCACHE_H
#define LX_DICTCACHE_H
#include <stdint.h>

#include "dict.h"

#define LX_DICT_CACHE_SLOTS 4096
#define LX_DICT_CACHE_TEXT 480 /* bytes of translations a slot holds */

/* The cached translations of headword (pair, id) into out[0..max);
 * returns how many, or -1 when not cached. */
int lx_dict_cache_get(int pair, uint32_t id, lx_dict_tr *out, int max);

/* Keeps tr[0..n) as the translations of (pair, id); translations that
 * do not fit in a slot are not kept (the next ask reads them again). */
void lx_dict_cache_put(int pair, uint32_t id, const lx_dict_tr *tr, int n);
#endif
