/* test_tagstem.c -- tag-stem keys (engine/tagstem.c):
 *
 * - a tag's key is its words stemmed under the language and joined by one
 *   space ("Gender  equality" -> "gender equal" in English), whatever the
 *   spacing and case of the tag;
 * - the key built word by word (lx_tagstem_key_word, as the query side
 *   builds it from query words) is the same bytes;
 * - the same tag gives another key under another language's stemmer;
 * - a tag without words has no key; a key longer than the buffer is cut
 *   to it, NUL-terminated.
 */
#include "check.h"
#include "tagstem.h"

int main(void) {
    lx_stemmers st;
    lx_stemmers_init(&st);
    int en = lx_stemmers_lookup(&st, "en");
    int fi = lx_stemmers_lookup(&st, "fi");
    CHECK(en >= 0 && fi >= 0 && en != fi);
    char out[LX_TAGSTEM_KEY_BUF];

    size_t n = lx_tagstem_key(&st, en, "gender equality", 15, out, sizeof out);
    CHECK(n == 12);
    CHECK_STR(out, "gender equal");
    CHECK(lx_tagstem_key(&st, en, "Gender   Equality", 17, out, sizeof out) == 12);
    CHECK_STR(out, "gender equal");

    lx_tagstem_keybuf k;
    k.n = 0;
    lx_tagstem_key_word(&k, &st, en, "gender", 6);
    lx_tagstem_key_word(&k, &st, en, "equality", 8);
    CHECK(k.n == 12 && memcmp(k.s, "gender equal", 12) == 0);

    /* Finnish stems differently ("kestävä kehitys" -> other bytes). */
    char fikey[LX_TAGSTEM_KEY_BUF], enkey[LX_TAGSTEM_KEY_BUF];
    size_t nf = lx_tagstem_key(&st, fi, "kestävät kehitykset", 21, fikey, sizeof fikey);
    size_t ne = lx_tagstem_key(&st, en, "kestävät kehitykset", 21, enkey, sizeof enkey);
    CHECK(nf > 0 && ne > 0);
    CHECK(nf != ne || memcmp(fikey, enkey, nf) != 0);
    k.n = 0;
    lx_tagstem_key_word(&k, &st, fi, "kestävät", 10);
    lx_tagstem_key_word(&k, &st, fi, "kehitykset", 10);
    CHECK(k.n == nf && memcmp(k.s, fikey, nf) == 0);

    CHECK(lx_tagstem_key(&st, en, " - ", 3, out, sizeof out) == 0);
    CHECK(lx_tagstem_key(&st, en, "gender equality", 15, out, 5) == 4);
    CHECK_STR(out, "gend");
    lx_stemmers_free(&st);
    CHECK_DONE();
}
