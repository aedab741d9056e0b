/* reldup.c -- related lectures: what makes two lectures the same.  A
 * related page leaves out the lecture's re-uploads: the same title and
 * speaker, or the same title and body length (related.c adds "almost the
 * same text" by the cosine over the selected terms).
 */
#include <cjson/cJSON.h>
#include <string.h>

#include "error.h"
#include "reldup.h"

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int lx_rel_same_text(const char *a, size_t an, const char *b, size_t bn) {
    size_t i = 0, j = 0;
    for (;;) {
        int sa = 0, sb = 0;
        while (i < an && is_space(a[i]))
            i++, sa = 1;
        while (j < bn && is_space(b[j]))
            j++, sb = 1;
        if (i == an || j == bn)
            return i == an && j == bn;
        if (sa != sb && i > 0 && j > 0)
            return 0;
        unsigned char ca = (unsigned char)a[i++], cb = (unsigned char)b[j++];
        if (ca >= 'A' && ca <= 'Z')
            ca = (unsigned char)(ca + 32);
        if (cb >= 'A' && cb <= 'Z')
            cb = (unsigned char)(cb + 32);
        if (ca != cb)
            return 0;
    }
}

int lx_rel_same_speaker(const lx_docview *v, const char *spk, size_t spklen) {
    if (!spk || !spklen)
        return 0;
    cJSON *m = cJSON_Parse(v->meta);
    if (!m) /* the stored meta is JSON we wrote */
        return LX_ENOMEM;
    cJSON *it = cJSON_GetObjectItemCaseSensitive(m, "speaker");
    int same = cJSON_IsString(it) &&
               lx_rel_same_text(it->valuestring, strlen(it->valuestring), spk, spklen);
    cJSON_Delete(m);
    return same;
}

/* A lecture's length in tokens in field f, and over all its fields.  (The
 * norms live in the map, not always 4-byte aligned: read with memcpy.) */
uint32_t lx_rel_field_length(const uint32_t *norms, uint32_t nn, uint32_t d, int f) {
    uint32_t n = 0;
    if (d < nn)
        memcpy(&n, (const uint8_t *)norms + ((size_t)d * LX_NFIELDS + f) * sizeof n, sizeof n);
    return n;
}

uint64_t lx_rel_doc_length(const uint32_t *norms, uint32_t nn, uint32_t d) {
    uint32_t len[LX_NFIELDS];
    uint64_t n = 0;
    if (d >= nn)
        return 0;
    memcpy(len, (const uint8_t *)norms + (size_t)d * sizeof len, sizeof len);
    for (int f = 0; f < LX_NFIELDS; f++)
        n += len[f];
    return n;
}
