/* termbits.h -- a common word's list as a bitmap over docids, with its
 * docids, kept per snapshot for the match set (internal). */
#ifndef LX_TERMBITS_H
#define LX_TERMBITS_H
#include "searcher.h"

/* A list is kept with its docids when it has at most this many (a common
 * word's list at scale keeps only its bitmap): as the match set's own
 * (plan.c). */
#define LX_TERMBITS_DOCS_MAX 65536

/* What a snapshot keeps of a common word's list, valid until the next
 * lx_termbits_begin. */
typedef struct lx_termkept {
    const uint32_t *docs; /* its every docid, checked (NULL: df past LX_TERMBITS_DOCS_MAX) */
    lx_kept kept;         /* its bitmap (s->words words); with docs, its postings'
                             saturations for the searcher's scorer (kept.sat NULL: none) */
} lx_termkept;

/* Begins a match set: the copies of another snapshot are dropped, and
 * all of them when the last match set found no room for one (those
 * pointers a match set hands out stay valid until the next begin). */
void lx_termbits_begin(lx_searcher *s);

/* The docids this snapshot keeps of the list val[0..len), valid until
 * the next lx_termbits_begin (none when that would drop them), or NULL:
 * a cursor on it reads them instead of unpacking its blocks. */
const uint32_t *lx_termbits_docs(lx_searcher *s, const uint8_t *val, size_t len);

/* Whether the list under pc is common enough to keep: df at least
 * next_doc / 32, so that its bitmap is no larger than its docids. */
int lx_termbits_common(const lx_searcher *s, const lx_pcursor *pc);

/* ORs into b (s->words words) every doc of the list pc was opened on
 * (pc at its first doc, the list common), from the copy this snapshot
 * keeps, made now from pc when there is none (pc then walked to its end,
 * its blocks checked); *k receives what is kept (the saturations made
 * now for the searcher's scorer when there is room and none are kept).
 * Returns 0; 1 when nothing is kept (no memory for it: b and pc
 * untouched, the caller walks the list; *k all NULL); LX_ECORRUPT when
 * pc found the list damaged (pc->rc set, b may hold part of it). */
int lx_termbits_mark(lx_searcher *s, lx_pcursor *pc, uint64_t *b, lx_termkept *k);
#endif
