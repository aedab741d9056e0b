/* dictfmt.c -- dictd's file format as FreeDict ships it: the index's
 * base-64 numbers, random access into a .dict.dz by its chunk table, and
 * the translations an entry's text gives (see dictfmt.h).
 *
 * An entry (FreeDict's TEI rendered by dictfmt) is the headword line,
 * then either numbered senses ("1. tasa-arvo, tasa-arvoisuus") each
 * followed by a gloss, or one line of translations (WikDict's pairs add a
 * gloss line after it; the older pairs give each sense its own entry).
 * Translations are the comma- or semicolon-separated items of those
 * lines, without their <grammar> marks and (notes). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "dictfmt.h"
#include "text.h"

/* A base-64 digit's value, or -1 (compared, not searched for: two numbers
 * on each of a pair's hundreds of thousands of index lines). */
static int b64_digit(unsigned char c) {
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+'             ? 62
           : c == '/'             ? 63
                                  : -1;
}

uint32_t lx_dict_b64(const char *s, const char *end) {
    uint64_t v = 0;
    for (; s < end; s++) {
        int d = b64_digit((unsigned char)*s);
        if (d < 0)
            return UINT32_MAX;
        v = v * 64 + (uint64_t)d;
        if (v > UINT32_MAX)
            return UINT32_MAX;
    }
    return (uint32_t)v;
}

/* Tokens of a text joined by one space, as dictionary keys are. */
struct joiner {
    char *out;
    size_t len, cap;
    int ntok, over;
};

static void join_tok(void *ctx, const char *tok, size_t len, size_t start, size_t end,
                     uint32_t pos) {
    struct joiner *j = ctx;
    (void)start, (void)end, (void)pos;
    if (j->len + len + 1 >= j->cap || j->ntok == LX_MAX_PHRASE_WORDS) {
        j->over = 1;
        return;
    }
    if (j->ntok++)
        j->out[j->len++] = ' ';
    memcpy(j->out + j->len, tok, len);
    j->len += len;
    j->out[j->len] = 0;
}

size_t lx_dict_normalise(const char *s, size_t len, char *out, size_t cap, int *ntok) {
    struct joiner j = {out, 0, cap, 0, 0};
    out[0] = 0;
    if (lx_text_scan(s, len, 0, join_tok, &j, NULL, NULL) != 0 || j.over)
        return 0;
    *ntok = j.ntok;
    return j.len;
}

/* Parses the dictzip header of z->dz; 0 or -1. */
static int dictzip_header(lx_dz *z) {
    const uint8_t *d = z->dz;
    size_t n = z->dzlen, at = 10;
    if (n < 12 || d[0] != 0x1f || d[1] != 0x8b || d[2] != 8 || !(d[3] & 4))
        return -1;
    size_t xlen = d[10] | (size_t)d[11] << 8, x = 12, xend = 12 + xlen;
    if (xend > n)
        return -1;
    at = xend;
    while (x + 4 <= xend) {
        size_t sl = d[x + 2] | (size_t)d[x + 3] << 8;
        if (d[x] == 'R' && d[x + 1] == 'A' && sl >= 6 && x + 4 + sl <= xend) {
            const uint8_t *r = d + x + 4;
            z->chlen = r[2] | (uint32_t)r[3] << 8;
            z->nch = r[4] | (uint32_t)r[5] << 8;
            if (6 + 2 * (size_t)z->nch > sl || !z->chlen)
                return -1;
            if (!(z->choff = malloc((z->nch + 1) * sizeof *z->choff)))
                return -1;
            z->choff[0] = 0;
            for (uint32_t i = 0; i < z->nch; i++)
                z->choff[i + 1] = z->choff[i] + (r[6 + 2 * i] | (uint32_t)r[7 + 2 * i] << 8);
        }
        x += 4 + sl;
    }
    if (!z->choff)
        return -1;
    if (d[3] & 8) /* file name */
        while (at < n && d[at++])
            ;
    if (d[3] & 16) /* comment */
        while (at < n && d[at++])
            ;
    if (d[3] & 2)
        at += 2;
    for (uint32_t i = 0; i <= z->nch; i++)
        z->choff[i] += at;
    return z->choff[z->nch] <= n ? 0 : -1;
}

/* Inflates chunk c of r->z into r->buf, its first want bytes at least
 * (inflate stops there: an entry needs the chunk up to its end only);
 * returns the bytes there or -1. */
static long chunk(lx_dz_reader *r, uint32_t c, uint32_t want) {
    const lx_dz *p = r->z;
    if (r->c == c && r->have >= want)
        return r->have;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK)
        return -1;
    z.next_in = (Bytef *)(p->dz + p->choff[c]);
    z.avail_in = (uInt)(p->choff[c + 1] - p->choff[c]);
    z.next_out = r->buf;
    z.avail_out = want < p->chlen ? want : p->chlen;
    int rc = inflate(&z, Z_SYNC_FLUSH);
    long got = (long)(z.next_out - r->buf);
    inflateEnd(&z);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
        return -1;
    r->c = c;
    r->have = (uint32_t)got;
    return got;
}

int lx_dz_read(lx_dz_reader *r, uint32_t off, uint32_t len, char *out) {
    const lx_dz *p = r->z;
    uint32_t c = off / p->chlen, skip = off % p->chlen;
    size_t got = 0;
    while (got < len && c < p->nch) {
        uint64_t want = (uint64_t)skip + (len - got);
        long n = chunk(r, c++, want > p->chlen ? p->chlen : (uint32_t)want);
        if (n < 0 || (uint32_t)n <= skip)
            break;
        size_t take = (size_t)n - skip;
        if (take > len - got)
            take = len - got;
        memcpy(out + got, r->buf + skip, take);
        got += take;
        skip = 0;
    }
    out[got] = 0;
    return got == len ? 0 : -1;
}

int lx_dz_open(lx_dz *z, const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0)
        return -1;
    void *m = fstat(fd, &st) == 0 && st.st_size > 0
                  ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
                  : MAP_FAILED;
    close(fd);
    if (m == MAP_FAILED)
        return -1;
    z->dz = m;
    z->dzlen = (size_t)st.st_size;
    return dictzip_header(z);
}

void lx_dz_close(lx_dz *z) {
    free(z->choff);
    if (z->dz)
        munmap((void *)z->dz, z->dzlen);
    z->choff = NULL;
    z->dz = NULL;
}

int lx_dz_inflate_all(const lx_dz *z, char **out, size_t *len) {
    char *b = malloc((size_t)z->nch * z->chlen + 1);
    lx_dz_reader r = {z, NULL, UINT32_MAX, 0};
    size_t at = 0;
    if (!b)
        return -1;
    for (uint32_t c = 0; c < z->nch; c++) {
        r.buf = (uint8_t *)b + at;
        r.c = UINT32_MAX;
        long n = chunk(&r, c, z->chlen);
        if (n < 0) {
            free(b);
            return -1;
        }
        at += (size_t)n;
    }
    b[at] = 0;
    *out = b;
    *len = at;
    return 0;
}

/* Adds the translations on one line (s .. end) to out; returns the count. */
static int line_items(const char *s, const char *end, lx_dict_tr *out, int n, int max) {
    char item[256];
    size_t il = 0;
    int depth = 0;
    for (const char *c = s;; c++) {
        if (c == end || ((*c == ',' || *c == ';') && !depth)) {
            int ntok;
            size_t len =
                n < max ? lx_dict_normalise(item, il, out[n].text, sizeof out[n].text, &ntok) : 0;
            /* A sense's number left after it ("Armut 2.") is no word. */
            while (len && ntok > 1 && out[n].text[len - 1] >= '0' && out[n].text[len - 1] <= '9') {
                size_t sp = len;
                while (sp && out[n].text[sp - 1] != ' ')
                    sp--;
                int digits = 1;
                for (size_t q = sp; q < len && digits; q++)
                    digits = out[n].text[q] >= '0' && out[n].text[q] <= '9';
                if (!digits || !sp)
                    break;
                len = sp - 1;
                out[n].text[len] = 0;
                ntok--;
            }
            if (len && ntok <= 3) {
                int dup = 0;
                for (int k = 0; k < n && !dup; k++)
                    dup = out[k].len == len && !memcmp(out[k].text, out[n].text, len);
                if (!dup) {
                    out[n].len = len;
                    out[n].ntok = ntok;
                    n++;
                }
            }
            il = 0;
            if (c == end)
                return n;
            continue;
        }
        if (*c == '<' || *c == '(' || *c == '[' || *c == '{')
            depth++;
        else if ((*c == '>' || *c == ')' || *c == ']' || *c == '}') && depth)
            depth--;
        else if (!depth && il < sizeof item)
            item[il++] = *c;
    }
}

/* Whether an unnumbered entry's first line gives translations: it may
 * be indented behind a domain ("  [soc.] poverty <n>, want <n>": the
 * large German pairs), but an example ("\"in Armut leben\" - ..."), a
 * cross-reference ("see: {...}": an inflected form's entry) or a note is
 * no translation. */
static int is_sense(const char *l, const char *e) {
    while (l < e && *l == ' ')
        l++;
    if (l == e || *l == '"')
        return 0;
    const char *w = l;
    while (w < e && ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z')))
        w++;
    return !(w > l && w < e && *w == ':');
}

int lx_dict_entry_items(const char *t, lx_dict_tr *out, int n, int max) {
    const char *nl = strchr(t, '\n');
    if (!nl)
        return n;
    const char *first = nl + 1;
    int numbered = 0;
    for (const char *l = first; *l && !numbered;) {
        const char *e = strchr(l, '\n');
        numbered = l[0] >= '1' && l[0] <= '9' && l[1] == '.' && l[2] == ' ';
        l = e ? e + 1 : l + strlen(l);
    }
    for (const char *l = first; *l && n < max;) {
        const char *e = strchr(l, '\n');
        if (!e)
            e = l + strlen(l);
        if (numbered && l[0] >= '1' && l[0] <= '9' && l[1] == '.' && l[2] == ' ')
            n = line_items(l + 3, e, out, n, max);
        else if (!numbered && l == first && is_sense(l, e))
            n = line_items(l, e, out, n, max);
        l = *e ? e + 1 : e;
    }
    return n;
}
