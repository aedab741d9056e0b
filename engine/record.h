/* record.h -- lecture records: parsing and validating the JSON ingest
 * format, the fields the analyser reads, and the stored form (internal). */
#ifndef LX_RECORD_H
#define LX_RECORD_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "lectern.h"
#include "postings.h"
#include "stem.h"
#include "store.h"

/* Position gap between two tags, so a phrase never spans tags. */
#define LX_TAG_GAP 8

/* The text a lecture is indexed from. */
typedef struct lx_fields {
    const char *text[LX_NFIELDS]; /* LX_F_TAGS unused: see tags */
    size_t len[LX_NFIELDS];
    int ntags;
    const char *tags[LX_MAX_TAGS]; /* as given */
    size_t taglen[LX_MAX_TAGS];
    char lang[LX_LANG_BYTES]; /* normalised language code */
    lx_buf *cps;              /* when set, lx_analyze appends the byte
                                 offset of every LX_CP_EVERY-th
                                 transcript token (u32) */
} lx_fields;

typedef struct lx_record {
    cJSON *root;
    lx_fields f;
    const char *id;
    size_t id_len;
    char *meta; /* JSON without body fields (malloc'd) */
    char *body; /* transcript or joined segments (malloc'd) */
    size_t body_len;
    lx_dseg *segs; /* malloc'd */
    uint32_t nseg;
    uint8_t flags; /* LX_DOC_* */
    lx_buf cps;    /* transcript checkpoints (lx_fields.cps) */
    lx_buf zbody;  /* the body compressed ahead (lx_record_compress); empty: not */
    /* "field: why; field: why": the record is taken but worth a look (a
     * language mapped to its code, ...); "" when none. */
    char warning[256];
    char tagkey[LX_MAX_TAGS][LX_MAX_TAG_BYTES * 3 + 1]; /* normalised tags */
} lx_record;

/* Parses and validates one record.  On error fills err (field, offset)
 * and leaves r empty.  The default language is "en".  Warnings go to
 * r->warning, not err: err may be cleared before the record is put. */
int lx_record_parse(const char *json, size_t len, lx_record *r, lx_error *err);
void lx_record_free(lx_record *r);

/* Compresses the body ahead of lx_record_serialize (which otherwise
 * does it), so that work can happen in another thread. */
int lx_record_compress(lx_record *r);

/* Appends r as stored in a "docs" group (a lecture's record) to out. */
int lx_record_serialize(const lx_record *r, lx_buf *out);

/* The fields of a stored lecture (for deleting it: the same terms come
 * back).  *holder receives parsed JSON to free with cJSON_Delete. */
int lx_fields_from_view(const lx_docview *v, lx_fields *f, cJSON **holder);
/* The same without the transcript (text NULL, length 0): nothing is
 * decompressed (related lectures with a stored term vector). */
int lx_fields_meta_from_view(const lx_docview *v, lx_fields *f, cJSON **holder);

/* The stored record as JSON text again (meta plus transcript or segments);
 * malloc'd, NUL-terminated.  NULL when out of memory or the body does not
 * decode: never a record with a part left out. */
char *lx_record_from_view(const lx_docview *v);

/* Normalises a tag: case-folded, NFC, whitespace trimmed and collapsed.
 * Writes NUL-terminated into out (cap bytes); returns the length, 0 when
 * the tag is empty. */
size_t lx_tag_normalise(const char *tag, size_t len, char *out, size_t cap);

/* Calls fn for every token of the fields, in field order, with positions
 * per field (tags separated by LX_TAG_GAP).  Counts tokens per field in
 * lens (may be NULL). */
typedef void (*lx_field_token_fn)(void *ctx, int field, const char *tok, size_t len, uint32_t pos);

int lx_analyze(const lx_fields *f, lx_field_token_fn fn, void *ctx, uint32_t lens[LX_NFIELDS],
               lx_error *err);
#endif
