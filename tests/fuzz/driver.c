/*
 * driver.c -- main() for the fuzz "smoke" programs: runs a libFuzzer-style
 * target (LLVMFuzzerTestOneInput) without libFuzzer, so every compiler and
 * every ctest run exercises the parsers with hostile input.
 *
 *   fuzz_x_smoke                 built-in inputs, then FUZZ_ITERATIONS
 *                                (default 20000) seeded mutations
 *   fuzz_x_smoke FILE|DIR ...    replays files (a crash file, a libFuzzer
 *                                corpus directory)
 *   fuzz_x_smoke --seeds DIR     writes the target's seeds into DIR, as a
 *                                starting corpus for the libFuzzer binary
 *
 * A target file defines LLVMFuzzerTestOneInput() and a NULL-terminated
 * `const char *fuzz_seeds[]`; it may also define `const char
 * *fuzz_tokens[]` (NULL-terminated) to add its own tokens to those below.
 * The run is deterministic (FUZZ_SEED changes the stream), and each input
 * is copied into a buffer of exactly its size so that AddressSanitizer
 * sees any read past the end.  When a run dies, the input that killed it
 * is written to fuzz-crash-<target>.bin in the working directory.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *fuzz_seeds[];
extern const char *fuzz_tokens[] __attribute__((weak));

/* Tokens that matter to our parsers: captions, JSON records, queries. */
/* clang-format off */
static const char *const common_tokens[] = {
    "-->", "WEBVTT", "WEBVTT\n\n", "NOTE ", "STYLE\n", "REGION\n", "00:00:00.000",
    "00:00:01,000", "99:59:59.999", "00:", ".", ",", ":", "\n", "\r", "\r\n", "\n\n",
    "\xEF\xBB\xBF", "<v ", "<c.", "</", "<", ">", "&amp;", "&#x", "&#", ";", "{\\", "\"",
    "{", "}", "[", "]", "\\", "\\u", "\\ud800", "\\u0000", "null", "true", "-0", "1e308",
    "99999999999999999999", "\"id\":", "\"segments\":[", "OR", "-", "tag:", "lang:",
    "speaker:", "(", ")", "*", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF",
};
/* clang-format on */

#define FUZZ_MAX_INPUT (64u << 10)

static const char *target_name = "target";
static const uint8_t *cur_data; /* the input being run, for the crash file */
static size_t cur_size;

/* Writes the current input out; called from a signal handler or the
 * sanitizer's death callback, so only async-signal-safe calls. */
static void save_crash(void) {
    char path[300] = "fuzz-crash-";
    size_t n = strlen(path), k = strlen(target_name);
    if (!cur_data || n + k + 5 > sizeof path)
        return;
    memcpy(path + n, target_name, k);
    memcpy(path + n + k, ".bin", 5);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    for (size_t off = 0; off < cur_size;) {
        ssize_t w = write(fd, cur_data + off, cur_size - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    static const char msg[] = "\nfuzz driver: the failing input is in fuzz-crash-*.bin\n";
    if (write(2, msg, sizeof msg - 1) < 0)
        return;
}

static void on_signal(int sig) {
    save_crash();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Sanitizers report and exit by themselves; they call this hook first. */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void install_crash_hooks(void) {
    if (__sanitizer_set_death_callback) {
        __sanitizer_set_death_callback(save_crash);
        return; /* keep the sanitizer's own signal handlers */
    }
    int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], on_signal);
}

static unsigned long long runs;

static void run(const uint8_t *data, size_t size) {
    /* An exact-size copy: a read one byte past the end is an ASan error. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        fprintf(stderr, "fuzz driver: out of memory\n");
        exit(2);
    }
    if (size)
        memcpy(copy, data, size);
    cur_data = copy;
    cur_size = size;
    LLVMFuzzerTestOneInput(copy, size);
    cur_data = NULL;
    free(copy);
    runs++;
}

/* ---- Replaying files ----------------------------------------------------- */

static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, len = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            } else {
                buf = b;
            }
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: out of memory\n", path);
        return 1;
    }
    run(buf, len);
    free(buf);
    return 0;
}

static int run_path(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    int bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char sub[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        if (stat(sub, &st) == 0 && S_ISREG(st.st_mode))
            bad |= run_file(sub);
    }
    closedir(d);
    return bad;
}

static int write_seeds(const char *dir) {
    for (size_t i = 0; fuzz_seeds[i]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/seed-%02zu", dir, i);
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(fuzz_seeds[i], 1, strlen(fuzz_seeds[i]), f) != strlen(fuzz_seeds[i])) {
            perror(path);
            if (f)
                fclose(f);
            return 1;
        }
        fclose(f);
    }
    return 0;
}

/* ---- Mutations ----------------------------------------------------------- */

static uint64_t rng_state;

/* xorshift64*: small, fast and the same on every platform. */
static uint64_t rnd(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n) {
    return n ? (size_t)(rnd() % n) : 0;
}

/* Mostly ASCII: the parsers reject invalid UTF-8 up front, so fully random
 * bytes would stop most inputs at the door; a quarter still are. */
static uint8_t random_byte(void) {
    uint8_t b = (uint8_t)rnd();
    return below(4) ? (uint8_t)(b & 0x7F) : b;
}

static const char **tokens;
static size_t ntokens, nseeds;

static void collect_tokens(void) {
    size_t extra = 0, ncommon = sizeof common_tokens / sizeof common_tokens[0];
    if (fuzz_tokens)
        while (fuzz_tokens[extra])
            extra++;
    tokens = malloc((ncommon + extra) * sizeof *tokens);
    if (!tokens)
        exit(2);
    for (size_t i = 0; i < ncommon; i++)
        tokens[ntokens++] = common_tokens[i];
    for (size_t i = 0; i < extra; i++)
        tokens[ntokens++] = fuzz_tokens[i];
}

/* Inserts n bytes of src at pos in buf (of *len bytes, FUZZ_MAX_INPUT room). */
static void insert(uint8_t *buf, size_t *len, size_t pos, const void *src, size_t n) {
    if (n > FUZZ_MAX_INPUT - *len)
        n = FUZZ_MAX_INPUT - *len;
    memmove(buf + pos + n, buf + pos, *len - pos);
    memcpy(buf + pos, src, n);
    *len += n;
}

static void mutate_once(uint8_t *buf, size_t *len) {
    static const uint8_t interesting[] = {0,   0x7F, 0x80, 0xFF, 0xC0, 0xE2, 0xF0, '\n', '\r',
                                          ' ', '\t', '<',  '>',  '&',  ';',  ':',  '.',  ',',
                                          '-', '"',  '\\', '{',  '}',  '0',  '9',  '5'};
    size_t n = *len, pos = below(n + 1);
    switch (below(10)) {
    case 0: /* flip a bit */
        if (n)
            buf[below(n)] ^= (uint8_t)(1u << below(below(4) ? 7 : 8));
        break;
    case 1: /* a random byte */
        if (n)
            buf[below(n)] = random_byte();
        break;
    case 2: /* an interesting byte */
        if (n)
            buf[below(n)] = interesting[below(sizeof interesting)];
        break;
    case 3: { /* delete a range */
        size_t at = below(n), k = 1 + below(n > 16 ? 16 : n);
        if (n && at + k <= n) {
            memmove(buf + at, buf + at + k, n - at - k);
            *len -= k;
        }
        break;
    }
    case 4: { /* duplicate a range elsewhere */
        size_t at = below(n), k = 1 + below(64);
        if (n && at + k <= n) {
            uint8_t tmp[64];
            memcpy(tmp, buf + at, k);
            insert(buf, len, pos, tmp, k);
        }
        break;
    }
    case 5: /* truncate */
        *len = below(n + 1);
        break;
    case 6: /* insert a token */
    case 7: {
        const char *t = tokens[below(ntokens)];
        insert(buf, len, pos, t, strlen(t));
        break;
    }
    case 8: { /* splice with a seed: our head, its tail */
        const char *s = fuzz_seeds[below(nseeds)];
        size_t sl = strlen(s), from = below(sl + 1);
        *len = pos;
        insert(buf, len, pos, s + from, sl - from);
        break;
    }
    default: { /* a few random bytes */
        uint8_t tmp[8];
        size_t k = 1 + below(8);
        for (size_t i = 0; i < k; i++)
            tmp[i] = random_byte();
        insert(buf, len, pos, tmp, k);
        break;
    }
    }
}

/* ---- main ---------------------------------------------------------------- */

static void built_in_inputs(void) {
    uint8_t byte;
    run(NULL, 0);
    for (unsigned b = 0; b < 256; b++) {
        byte = (uint8_t)b;
        run(&byte, 1);
    }
    for (size_t i = 0; i < ntokens; i++)
        run((const uint8_t *)tokens[i], strlen(tokens[i]));
    /* Every seed and every prefix of it: each place the input can end. */
    for (size_t i = 0; i < nseeds; i++)
        for (size_t k = 0; k <= strlen(fuzz_seeds[i]); k++)
            run((const uint8_t *)fuzz_seeds[i], k);
}

int main(int argc, char **argv) {
    const char *slash = strrchr(argv[0], '/');
    target_name = slash ? slash + 1 : argv[0];
    install_crash_hooks();
    while (fuzz_seeds[nseeds])
        nseeds++;
    if (nseeds == 0) {
        fprintf(stderr, "%s: the target defines no fuzz_seeds\n", target_name);
        return 2;
    }
    if (argc == 3 && strcmp(argv[1], "--seeds") == 0)
        return write_seeds(argv[2]);
    if (argc > 1) {
        int bad = 0;
        for (int i = 1; i < argc; i++)
            bad |= run_path(argv[i]);
        printf("%s: %llu inputs replayed\n", target_name, runs);
        return bad;
    }

    const char *it = getenv("FUZZ_ITERATIONS"), *seed = getenv("FUZZ_SEED");
    unsigned long long iterations = it ? strtoull(it, NULL, 10) : 20000;
    rng_state = 0x9E3779B97F4A7C15ULL ^ (seed ? strtoull(seed, NULL, 10) : 0);
    if (!rng_state)
        rng_state = 1;
    collect_tokens();
    built_in_inputs();
    unsigned long long builtin = runs;

    uint8_t *buf = malloc(FUZZ_MAX_INPUT);
    size_t len = 0;
    if (!buf)
        return 2;
    for (unsigned long long i = 0; i < iterations; i++) {
        /* Mostly start afresh from a seed; sometimes keep stacking
         * mutations on the last input to wander further. */
        if (i == 0 || below(8) != 0) {
            const char *s = fuzz_seeds[below(nseeds)];
            len = strlen(s) < FUZZ_MAX_INPUT ? strlen(s) : FUZZ_MAX_INPUT;
            memcpy(buf, s, len);
        }
        for (size_t k = 1 + below(6); k > 0; k--)
            mutate_once(buf, &len);
        run(buf, len);
    }
    free(buf);
    free(tokens);
    printf("%s: %llu built-in inputs and %llu mutations, no failure\n", target_name, builtin,
           iterations);
    return 0;
}
