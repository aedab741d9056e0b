/* meta.h -- one string member of a lecture's stored meta JSON, read
 * without building a tree (internal). */
#ifndef LX_META_H
#define LX_META_H
#include <stddef.h>

#include "postings.h"

/* The string member `key` of the stored meta JSON (compact JSON record.c
 * wrote), unescaped into out (NUL-terminated, out->n excludes the NUL),
 * without building a tree.  Returns 1 when found, 0 when absent or not a
 * string, LX_ENOMEM. */
int lx_meta_string(const char *json, size_t len, const char *key, lx_buf *out);

/* The text of the member `key` of the stored meta JSON, any type (an
 * array of tags, a number), without copying: *v points at its first byte
 * in json, *n is its length.  Returns 1 when found, 0 when absent. */
int lx_meta_value(const char *json, size_t len, const char *key, const char **v, size_t *n);

/* Where each of the members answers show is in the stored meta JSON
 * (record.c, when a lecture is stored): out[i] for key LX_MEMBER_* i, as
 * lx_meta_value finds it (len 0: absent). */
void lx_meta_members(const char *json, size_t len, lx_member out[LX_NMEMBERS]);

/* The string value whose text (from its opening quote) is v[0..n),
 * unescaped into out as lx_meta_string does.  Returns 1, 0 when it is
 * not a string, LX_ENOMEM. */
int lx_meta_string_at(const char *v, size_t n, lx_buf *out);

#endif
