/* dictcache.c -- a bounded, thread-safe cache of dictionary entries'
 * translations (dictcache.h).
 *
 * Slot layout: the pair number plus one (0 = empty), the headword's
 * first entry, the count of translations, then their normalised texts
 * one after the other, each ended by a NUL.  A translation's token count
 * is its spaces plus one (normalised texts join tokens by one space).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dictcache.h"

typedef struct slot {
    uint32_t pair1; /* pair + 1; 0 = empty */
    uint32_t id;
    uint16_t used; /* bytes of text */
    uint8_t n;
    char text[LX_DICT_CACHE_TEXT];
} slot;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static slot *slots;
static uint32_t nslots; /* a power of two; 0 = off */
static int sized;

/* The table's size from $LECTERN_DICT_CACHE (under mu). */
static void size_once(void) {
    if (sized)
        return;
    sized = 1;
    const char *e = getenv("LECTERN_DICT_CACHE");
    long want = e && *e ? strtol(e, NULL, 10) : LX_DICT_CACHE_SLOTS;
    if (want > (1L << 20))
        want = 1L << 20;
    nslots = 0;
    for (uint32_t n = 1; want > 0 && n <= (uint32_t)want; n *= 2)
        nslots = n;
}

static uint32_t slot_of(int pair, uint32_t id) {
    uint32_t h = (uint32_t)pair * 0x9E3779B1u ^ id * 0x85EBCA6Bu;
    h ^= h >> 15;
    return h & (nslots - 1);
}

int lx_dict_cache_get(int pair, uint32_t id, lx_dict_tr *out, int max) {
    int n = -1;
    pthread_mutex_lock(&mu);
    size_once();
    const slot *sl = slots ? &slots[slot_of(pair, id)] : NULL;
    if (sl && sl->pair1 == (uint32_t)pair + 1 && sl->id == id) {
        const char *t = sl->text;
        for (n = 0; n < sl->n && n < max; n++) {
            size_t len = strlen(t);
            memcpy(out[n].text, t, len + 1);
            out[n].len = len;
            out[n].ntok = 1;
            for (size_t i = 0; i < len; i++)
                out[n].ntok += t[i] == ' ';
            t += len + 1;
        }
    }
    pthread_mutex_unlock(&mu);
    return n;
}

void lx_dict_cache_put(int pair, uint32_t id, const lx_dict_tr *tr, int n) {
    size_t need = 0;
    for (int i = 0; i < n; i++)
        need += tr[i].len + 1;
    if (need > LX_DICT_CACHE_TEXT || n > 255)
        return;
    pthread_mutex_lock(&mu);
    size_once();
    if (!slots && nslots)
        slots = calloc(nslots, sizeof *slots);
    if (slots) {
        slot *sl = &slots[slot_of(pair, id)];
        char *t = sl->text;
        for (int i = 0; i < n; i++) {
            memcpy(t, tr[i].text, tr[i].len);
            t[tr[i].len] = 0;
            t += tr[i].len + 1;
        }
        sl->pair1 = (uint32_t)pair + 1;
        sl->id = id;
        sl->used = (uint16_t)need;
        sl->n = (uint8_t)n;
    }
    pthread_mutex_unlock(&mu);
}
