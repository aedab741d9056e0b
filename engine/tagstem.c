/* tagstem.c -- tag-stem keys, and the writer's entries of the tagstem
 * database (stem key -> normalised tag, MDB_DUPSORT).
 *
 * The writer stores, for each tag of a lecture, the key of the tag under
 * the lecture's language; the query side builds keys from runs of query
 * words with the same lx_tagstem_key_word, so that a query naming a tag in
 * any inflection finds it.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "record.h"
#include "tagstem.h"
#include "wstate.h"

void lx_tagstem_key_term(lx_tagstem_keybuf *k, const char *term, size_t tl) {
    if (k->n + tl + 2 > sizeof k->s)
        return;
    if (k->n)
        k->s[k->n++] = ' ';
    memcpy(k->s + k->n, term, tl);
    k->n += tl;
}

void lx_tagstem_key_word(lx_tagstem_keybuf *k, lx_stemmers *stem, int lang, const char *word,
                         size_t len) {
    char term[LX_TOKEN_BUF];
    lx_tagstem_key_term(k, term, lx_stemmers_term(stem, lang, word, len, term));
}

struct stem_join {
    lx_stemmers *stem;
    int lang;
    lx_tagstem_keybuf key;
};

static void on_tag_word(void *ctx, const char *tok, size_t len, size_t s, size_t e, uint32_t pos) {
    struct stem_join *j = ctx;
    (void)s;
    (void)e;
    (void)pos;
    lx_tagstem_key_word(&j->key, j->stem, j->lang, tok, len);
}

size_t lx_tagstem_key(lx_stemmers *stem, int lang, const char *tag, size_t len, char *out,
                      size_t cap) {
    struct stem_join j;
    j.stem = stem;
    j.lang = lang;
    j.key.n = 0;
    if (lx_text_scan(tag, len, 0, on_tag_word, &j, NULL, NULL))
        return 0;
    if (j.key.n >= cap)
        j.key.n = cap - 1;
    memcpy(out, j.key.s, j.key.n);
    out[j.key.n] = 0;
    return j.key.n;
}

int lx_tagstem_add(lx_writer *w, const char *tag, lx_error *err) {
    char form[LX_TAGSTEM_KEY_BUF];
    size_t n = lx_tagstem_key(&w->stem, w->lang, tag, strlen(tag), form, sizeof form);
    if (!n || n > LX_MAX_TAGSTEM_KEY)
        return 0;
    int rc = lx_store_tagstem_put(w->txn, w->ix, form, n, tag, strlen(tag), err);
    if (rc)
        w->failed = rc;
    return rc;
}

size_t lx_tagstem_label_key(char *key, size_t n, const char *lang) {
    key[n++] = LX_LABEL_PREFIX;
    key[n++] = lang[0];
    key[n++] = lang[1];
    return n;
}

int lx_writer_topic_label(lx_writer *w, const char *tag, const char *lang, const char *label,
                          lx_error *err) {
    char code[3], val[LX_MAX_TAG_BYTES * 3 + 2], form[LX_TAGSTEM_KEY_BUF];
    if (!tag || !label || lx_language_lookup(lang, code) < 0)
        return lx_fail(err, LX_ERECORD, "lang", -1, "topic label: no language \"%.40s\"",
                       lang ? lang : "");
    size_t tl = lx_tag_normalise(tag, strlen(tag), val + 1, sizeof val - 1);
    if (!tl)
        return lx_fail(err, LX_ERECORD, "tag", -1, "topic label: empty tag");
    val[0] = LX_LABEL_PREFIX;
    /* w->lang is free between lectures: it is set again for each. */
    w->lang = lx_writer_lang(w, code);
    size_t n = lx_tagstem_key(&w->stem, w->lang, label, strlen(label), form, sizeof form);
    if (!n)
        return lx_fail(err, LX_ERECORD, "label", -1, "topic label of \"%.100s\" has no word",
                       val + 1);
    if (n + 3 > LX_MAX_TAGSTEM_KEY)
        return 0;
    n = lx_tagstem_label_key(form, n, code);
    int rc = lx_store_tagstem_put(w->txn, w->ix, form, n, val, tl + 1, err);
    if (rc)
        w->failed = rc;
    return rc;
}

/* Whether two ascending docid lists share a doc (b unaligned, from LMDB). */
static int lists_meet(const uint32_t *a, uint32_t na, const uint8_t *b, size_t nb) {
    for (size_t j = 0; j < nb; j++) {
        uint32_t d;
        memcpy(&d, b + j * 4, 4);
        if (bsearch(&d, a, na, sizeof d, lx_u32_cmp))
            return 1;
    }
    return 0;
}

/* The tag being rebuilt and the lectures it keeps. */
struct rebuild {
    lx_writer *w;
    const char *tag; /* NUL-terminated */
    const uint32_t *docs;
    uint32_t n;
    lx_error *err;
};

/* Adds the tag's key under lang when a lecture it keeps is in lang. */
static int rebuild_lang(void *ctx, const char *lang, size_t len, const uint8_t *docs, uint32_t n) {
    struct rebuild *rb = ctx;
    char code[LX_LANG_BYTES];
    if (len >= sizeof code || !lists_meet(rb->docs, rb->n, docs, n))
        return 0;
    memcpy(code, lang, len);
    code[len] = 0;
    /* w->lang is free here: it is set again for each lecture. */
    rb->w->lang = lx_writer_lang(rb->w, code);
    return lx_tagstem_add(rb->w, rb->tag, rb->err);
}

/* A stale key would still boost the tag for queries in a language gone
 * from it.  Reads the langs database, so that is flushed first. */
int lx_tagstem_rebuild(lx_writer *w, const char *tag, size_t len, const uint32_t *docs, uint32_t n,
                       lx_error *err) {
    int rc = lx_store_tagstem_drop(w->txn, w->ix, tag, len, err);
    if (rc || !n)
        return rc ? (w->failed = rc) : 0;
    char key[LX_MAX_TAG_BYTES * 3 + 1];
    if (len >= sizeof key)
        return 0;
    memcpy(key, tag, len);
    key[len] = 0;
    struct rebuild rb = {w, key, docs, n, err};
    if ((rc = lx_store_langs_each(w->txn, w->ix, rebuild_lang, &rb, err)))
        w->failed = rc;
    return rc;
}
