/* text.h -- tokenisation and normalisation of UTF-8 text (internal). */
#ifndef LX_TEXT_H
#define LX_TEXT_H
#include "lectern.h"
#include <stddef.h>
#include <stdint.h>

/* Size of a buffer that holds any normalised token plus NUL. */
#define LX_TOKEN_BUF (LX_MAX_TERM_BYTES * 4 + 8)

/* Tokenises text as lx_tokenize() does, numbering tokens from pos0.
 * *next_pos (may be NULL) receives the position after the last token. */
int lx_text_scan(const char *text, size_t len, uint32_t pos0, lx_token_fn fn, void *ctx,
                 uint32_t *next_pos, lx_error *err);

/* As lx_text_scan numbering from pos0, but reporting only the tokens at
 * positions from..to and stopping after to: tokens before the range are
 * counted without being normalised (snippets need only their window). */
int lx_text_scan_range(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                       lx_token_fn fn, void *ctx);

/* As lx_text_scan_range, for a caller that needs only where the tokens
 * are (a snippet's window): a token without a non-ASCII letter is
 * reported with tok NULL (len its normalised length, never 0), its text
 * not lowercased; any other as lx_text_scan_range reports it.  Only the
 * positions p whose bit p - from is set in want are reported
 * (LX_WANT_ALL: every one from..to); the ASCII tokens between them are
 * counted as those before `from` are, and the scan stops after the last
 * wanted one. */
int lx_text_scan_spans(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                       uint64_t want, lx_token_fn fn, void *ctx);

/* Every position of a range (lx_text_scan_spans' and lx_text_spans' want). */
#define LX_WANT_ALL (~0ull)

/* As lx_text_scan_spans without a callback (a window whose tokens'
 * spans are all its caller needs): the wanted token at position p (from
 * <= p <= to) gets its bytes' span plus base in start[p - from], end[p -
 * from]; the entries of positions not reached or not wanted are left as
 * they are. */
int lx_text_spans(const char *text, size_t len, uint32_t pos0, uint32_t from, uint32_t to,
                  uint64_t want, uint32_t base, uint32_t *start, uint32_t *end);

/* Removes combining marks (accents) from a normalised token in place;
 * returns the new length.  ASCII tokens are returned unchanged at once. */
size_t lx_text_strip_marks(char *tok, size_t len);

/* Validates UTF-8; returns -1 when valid, else the offset of the first
 * invalid byte. */
long lx_text_invalid_utf8(const char *s, size_t len);

/* Appends s to out HTML-escaped (&<>"'); returns bytes written, at most
 * cap (out is not NUL-terminated; the bytes after those written, up to
 * cap, may be overwritten). */
size_t lx_text_html_escape(const char *s, size_t len, char *out, size_t cap);

/* Whether s holds a byte that a JSON string escapes and HTML escaping
 * keeps (a control byte or '\\'; '"' becomes an entity): 0 means its
 * HTML-escaped form may be written into JSON as it is. */
int lx_text_json_special(const char *s, size_t len);
#endif
