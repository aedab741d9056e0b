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

#include "tagstem.h"
#include "writer.h"

void lx_tagstem_key_word(lx_tagstem_keybuf *k, lx_stemmers *stem, int lang, const char *word,
                         size_t len) {
    char term[LX_TOKEN_BUF];
    size_t tl = lx_stemmers_term(stem, lang, word, len, term);
    if (k->n + tl + 2 > sizeof k->s)
        return;
    if (k->n)
        k->s[k->n++] = ' ';
    memcpy(k->s + k->n, term, tl);
    k->n += tl;
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
    if (!n || n > LX_TAGSTEM_MAX_KEY)
        return 0;
    MDB_val k = {n, form}, v = {strlen(tag), (void *)tag};
    int rc = mdb_put(w->txn, w->ix->tagstem, &k, &v, MDB_NODUPDATA);
    if (rc && rc != MDB_KEYEXIST)
        return lx_writer_mdb_fail(w, err, rc, "tagstem");
    return 0;
}

/* Removes every tagstem entry that names tag. */
static int tagstem_drop(lx_writer *w, const char *tag, size_t len, lx_error *err) {
    MDB_cursor *c;
    int rc = mdb_cursor_open(w->txn, w->ix->tagstem, &c);
    if (rc)
        return lx_writer_mdb_fail(w, err, rc, "tagstem");
    MDB_val k, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (v.mv_size == len && memcmp(v.mv_data, tag, len) == 0) {
            if ((rc = mdb_cursor_del(c, 0)))
                break;
        }
    }
    mdb_cursor_close(c);
    if (rc && rc != MDB_NOTFOUND)
        return lx_writer_mdb_fail(w, err, rc, "tagstem");
    return 0;
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

/* A stale key would still boost the tag for queries in a language gone
 * from it.  Reads the langs database, so that is flushed first. */
int lx_tagstem_rebuild(lx_writer *w, const char *tag, size_t len, const uint32_t *docs, uint32_t n,
                       lx_error *err) {
    int rc = tagstem_drop(w, tag, len, err);
    if (rc || !n)
        return rc;
    char key[LX_MAX_TAG_BYTES * 3 + 1];
    if (len >= sizeof key)
        return 0;
    memcpy(key, tag, len);
    key[len] = 0;
    MDB_cursor *c;
    if ((rc = mdb_cursor_open(w->txn, w->ix->langs, &c)))
        return lx_writer_mdb_fail(w, err, rc, "langs");
    MDB_val k, v; /* w->lang is free here: it is set again for each lecture */
    for (int g = mdb_cursor_get(c, &k, &v, MDB_FIRST); g == 0 && !rc;
         g = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char lang[LX_LANG_BYTES];
        if (k.mv_size >= sizeof lang || !lists_meet(docs, n, v.mv_data, v.mv_size / 4))
            continue;
        memcpy(lang, k.mv_data, k.mv_size);
        lang[k.mv_size] = 0;
        w->lang = lx_writer_lang(w, lang);
        rc = lx_tagstem_add(w, key, err);
    }
    mdb_cursor_close(c);
    return rc;
}
