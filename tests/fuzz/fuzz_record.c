/*
 * fuzz_record.c -- fuzz target for the lecture record parser
 * (lx_record_parse, then lx_record_free).  Besides "no crash, no
 * out-of-bounds read, no leak", it checks what the parser promises and
 * aborts if a promise is broken: on error a code, a message and nothing
 * kept; on success a valid id, the stored meta as JSON without the body
 * fields, segment spans inside the body, and -- what keeps an index built
 * through deletes equal to a fresh build -- the stored form read back
 * (lx_fields_from_view, as a delete does) yields the same tokens per field
 * as the record did when it was put.
 */
#include "lectern.h"
#include "postings.h"
#include "record.h"
#include "store.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fuzz_seeds[] = {
    "{\"id\":\"ilo-2023-017\",\"title\":\"Everyday racism in higher education\","
    "\"description\":\"A lecture on racism.\",\"speaker\":\"Amina Yusuf\","
    "\"institution\":\"ILO\",\"language\":\"en\",\"tags\":[\"racism\",\"discrimination\","
    "\"higher education\"],\"url\":\"https://example.org/x\",\"duration\":3120,"
    "\"date\":\"2023-03-14\",\"transcript\":\"plain text of the lecture\"}",

    "{\"id\":\"fi-1\",\"title\":\"Kest\xC3\xA4v\xC3\xA4 kehitys\",\"language\":\"fi-FI\","
    "\"tags\":[\"Kest\xC3\xA4v\xC3\xA4 kehitys\",\"kest\xC3\xA4v\xC3\xA4  KEHITYS\",\"\"],"
    "\"segments\":[{\"start\":12.5,\"end\":17.0,\"text\":\"Hyv\xC3\xA4\xC3\xA4 "
    "huomenta\"},{\"start\":17,\"text\":\"kaikille\"},{\"start\":20,\"end\":null,"
    "\"text\":\"\"}],\"transcript\":\"kept as text\"}",

    "{\"id\":\"x\",\"title\":\"\",\"custom\":{\"nested\":[1,2,{\"a\":null}]},\"n\":-0,"
    "\"big\":1e308,\"u\":\"\\u00e4\\ud83d\\ude00\\u0000\",\"language\":null,\"tags\":null}",

    "{\"id\":\"bad\",\"title\":5}",
    "{\"title\":\"no id\"}",
    "{\"id\":\"s\",\"title\":\"t\",\"segments\":[{\"start\":-1,\"text\":\"x\"}]}",
    "{\"id\":\"d\",\"title\":\"t\",\"duration\":\"long\",\"language\":\"xx\"}",
    "[1,2,3]",
    "{\"id\":\"trailing\",\"title\":\"t\"} junk",
    "{\"id\":\"t\",\"title\":\"covid-19 don't stop\",\"language\":\"de\","
    "\"description\":\"Stra\xC3\x9F"
    "e \xC4\xB0stanbul \xCE\xA3\xCE\xBF\xCF\x86\xCE\xAF\xCE\xB1\"}",
    NULL,
};

const char *fuzz_tokens[] = {
    "\"title\":",
    "\"description\":",
    "\"speaker\":",
    "\"language\":",
    "\"English\"",
    "\"ger\"",
    "\"date\":\"2024-02-29\"",
    "\"tags\":[",
    "\"transcript\":",
    "\"duration\":",
    "\"start\":",
    "\"end\":",
    "\"text\":",
    "\"url\":",
    "\"fi\"",
    "\"en-GB\"",
    "\"porter\"",
    "{\"start\":1,\"end\":2,\"text\":\"x\"}",
    "\"\\u00e4\"",
    "1.5",
    "-1",
    "false",
    NULL,
};

static void fail(const char *why) {
    fprintf(stderr, "fuzz_record: %s\n", why);
    abort();
}

struct counts {
    uint32_t n[LX_NFIELDS];
    uint64_t hash[LX_NFIELDS];
};

static void count_token(void *ctx, int field, const char *tok, size_t len, uint32_t pos) {
    struct counts *c = ctx;
    if (field < 0 || field >= LX_NFIELDS)
        fail("token of an unknown field");
    c->n[field]++;
    uint64_t h = c->hash[field] * 1099511628211ull + pos;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)tok[i]) * 1099511628211ull;
    c->hash[field] = h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lx_record r;
    lx_error err;
    memset(&err, 0, sizeof err);
    int rc = lx_record_parse((const char *)data, size, &r, &err);
    if (rc != 0) {
        if (err.code != rc || err.message[0] == '\0' ||
            !memchr(err.message, '\0', sizeof err.message))
            fail("error without code or message");
        if (rc != LX_EJSON && rc != LX_ERECORD && rc != LX_EUTF8 && rc != LX_ELIMIT &&
            rc != LX_ENOMEM)
            fail("unexpected error code");
        if (rc == LX_EUTF8 && (err.offset < 0 || (size_t)err.offset >= size))
            fail("LX_EUTF8 without the offset of a byte of the input");
        if (r.root || r.meta || r.body || r.segs || r.nseg || r.id)
            fail("error but part of the record kept");
        lx_record_free(&r); /* harmless on a cleared record */
        return 0;
    }
    if (!r.id || r.id_len == 0 || r.id_len > LX_MAX_ID_BYTES || strlen(r.id) != r.id_len)
        fail("bad id");
    for (size_t i = 0; i < r.id_len; i++)
        if ((unsigned char)r.id[i] < 0x20)
            fail("control character in id");
    if (!r.f.text[LX_F_TITLE])
        fail("no title");
    char code[3];
    if (lx_language_lookup(r.f.lang, code) != 0 || strcmp(code, r.f.lang) != 0)
        fail("language not an ISO 639-1 code");
    if (r.f.ntags < 0 || r.f.ntags > LX_MAX_TAGS)
        fail("bad tag count");
    for (int i = 0; i < r.f.ntags; i++)
        if (!r.tagkey[i][0] || r.f.taglen[i] > LX_MAX_TAG_BYTES)
            fail("bad tag");
    if ((r.body == NULL) != (r.body_len == 0 && r.flags == 0))
        fail("body and flags disagree");
    if (r.body && r.body[r.body_len] != '\0')
        fail("body not terminated");
    if (r.f.text[LX_F_TRANSCRIPT] != r.body || r.f.len[LX_F_TRANSCRIPT] != r.body_len)
        fail("transcript field is not the body");
    if (r.nseg && !(r.flags & LX_DOC_BODY_SEGMENTS))
        fail("segments without the segments flag");
    for (uint32_t i = 0; i < r.nseg; i++) {
        if (!(r.segs[i].start >= 0) || !(r.segs[i].end >= r.segs[i].start))
            fail("bad segment times");
        if ((uint64_t)r.segs[i].off + r.segs[i].len > r.body_len)
            fail("segment outside the body");
    }
    cJSON *meta = r.meta ? cJSON_Parse(r.meta) : NULL;
    if (!meta || !cJSON_IsObject(meta))
        fail("meta is not a JSON object");
    cJSON *ms = cJSON_GetObjectItemCaseSensitive(meta, "segments");
    if (ms && !cJSON_IsNull(ms))
        fail("meta keeps the segments");
    if ((r.flags & LX_DOC_BODY_TRANSCRIPT) && cJSON_GetObjectItemCaseSensitive(meta, "transcript"))
        fail("meta keeps the transcript that is the body");
    cJSON_Delete(meta);

    /* The stored form, read back as a delete reads it, analyses the same. */
    struct counts put, back;
    memset(&put, 0, sizeof put);
    memset(&back, 0, sizeof back);
    uint32_t lens[LX_NFIELDS];
    if (lx_analyze(&r.f, count_token, &put, lens, NULL) != 0)
        fail("a valid record does not analyse");
    for (int f = 0; f < LX_NFIELDS; f++)
        if (lens[f] != put.n[f])
            fail("field lengths disagree with the tokens");
    lx_buf val = {0};
    if (lx_record_serialize(&r, &val) != 0)
        fail("serialize");
    lx_docview v;
    if (lx_doc_view(val.p, val.n, &v) != 0)
        fail("stored form does not read back");
    if (v.h.id_len != r.id_len || memcmp(v.id, r.id, r.id_len) != 0 || v.h.nseg != r.nseg)
        fail("stored id or segments differ");
    lx_fields f2;
    cJSON *holder = NULL;
    if (lx_fields_from_view(&v, &f2, &holder) != 0)
        fail("stored fields do not read back");
    if (f2.ntags != r.f.ntags || strcmp(f2.lang, r.f.lang) != 0)
        fail("stored tags or language differ");
    if (lx_analyze(&f2, count_token, &back, NULL, NULL) != 0)
        fail("stored fields do not analyse");
    if (memcmp(&put, &back, sizeof put) != 0)
        fail("stored record analyses differently from the record put");
    cJSON_Delete(holder);
    char *json = lx_record_from_view(&v);
    cJSON *again = json ? cJSON_Parse(json) : NULL;
    if (!again)
        fail("stored record is not JSON again");
    cJSON *id = cJSON_GetObjectItemCaseSensitive(again, "id");
    if (!cJSON_IsString(id) || strcmp(id->valuestring, r.id) != 0)
        fail("stored record lost its id");
    cJSON_Delete(again);
    free(json);
    lx_buf_free(&val);
    lx_record_free(&r);
    return 0;
}
