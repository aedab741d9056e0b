/*
 * fuzz_captions.c -- fuzz target for the WebVTT / SRT parser
 * (lx_captions_parse).  Besides "no crash, no out-of-bounds read, no leak",
 * it checks what the parser promises of its output, and aborts if any
 * promise is broken: segments in start order, end >= start, text non-empty,
 * valid UTF-8, whitespace collapsed; on error a code, a message and a line,
 * and nothing returned.
 */
#include "lectern.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

const char *fuzz_seeds[] = {
    "WEBVTT - lecture\nKind: captions\nLanguage: en\n\n"
    "NOTE a comment\n\nSTYLE\n::cue { color: lime }\n\nREGION\nid:r1 width:40%\n\n"
    "intro\n00:00:01.000 --> 00:00:04.000 align:start position:10%\n"
    "<v Dr. Yusuf>Welcome</v> to <i>the</i> <c.yellow>course</c> &amp; more&nbsp;&lrm;\n"
    "second line\n\n"
    "00:05.000 --> 00:07.500\n&lt;not a tag&gt; &#233;t&#xE9;\n",

    "WEBVTT\n\n"
    "00:00:00.030 --> 00:00:02.669 align:start position:0%\n \n"
    "welcome<00:00:00.480><c> to</c><00:00:00.900><c> the</c>\n\n"
    "00:00:02.669 --> 00:00:02.679 align:start position:0%\nwelcome to the\n \n\n"
    "00:00:02.679 --> 00:00:05.000 align:start position:0%\nwelcome to the\n"
    "lecture<00:00:03.000><c> on</c> migration\n",

    "1\n00:00:01,000 --> 00:00:04,000\n{\\an8}<font color=\"#ff0\">Hello</font> world\n\n"
    "2\n00:00:05,000 --> 00:00:07,000\nkest\xC3\xA4v\xC3\xA4 kehitys\n\nextra paragraph\n\n"
    "3\n00:00:02,000 --> 00:00:03,000\nout of order\n4\n00:00:08,000 --> 00:00:09,000\nx\n",

    "\xEF\xBB\xBF"
    "1\r\n00:00:01,000 --> 00:00:02,000\r\nCRLF text\r\n\r\n"
    "2\r00:00:03.000 --> 00:00:04.000\rlone CR\r",

    "WEBVTT\n\n00:00:04.000 --> 00:00:03.000\nbackwards\n\n00:0x:01.000 --> 00:00:02.000\nbad\n",

    NULL,
};

/* Tokens of the caption syntax worth inserting, beyond the driver's own. */
const char *fuzz_tokens[] = {
    " align:start position:0%",
    "<00:00:01.500>",
    "<c>",
    "</c>",
    "<v Speaker>",
    "&nbsp;",
    "&lrm;",
    "&rlm;",
    "&lt;",
    "&#x263A;",
    "1\n",
    "\n \n",
    "NOTE\n",
    "100:00:00.000",
    NULL,
};

static void fail(const char *why, size_t i) {
    fprintf(stderr, "fuzz_captions: %s (segment %zu)\n", why, i);
    abort();
}

static void check_text(const char *t, size_t i) {
    size_t len = strlen(t);
    if (len == 0)
        fail("empty text", i);
    if (t[0] == ' ' || t[len - 1] == ' ' || strstr(t, "  "))
        fail("whitespace not collapsed", i);
    for (utf8proc_ssize_t off = 0; off < (utf8proc_ssize_t)len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k =
            utf8proc_iterate((const utf8proc_uint8_t *)t + off, (utf8proc_ssize_t)len - off, &cp);
        if (k <= 0)
            fail("text is not valid UTF-8", i);
        off += k;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lx_segment *segs = (lx_segment *)1; /* must be overwritten */
    size_t n = 12345;
    lx_error err;
    memset(&err, 0, sizeof err);
    int rc = lx_captions_parse((const char *)data, size, &segs, &n, &err);
    if (rc != 0) {
        if (segs != NULL || n != 0)
            fail("error but output returned", 0);
        if (err.code != rc || err.message[0] == '\0' ||
            !memchr(err.message, '\0', sizeof err.message))
            fail("error without code or message", 0);
        if (rc == LX_EUTF8 && (err.offset < 0 || (size_t)err.offset >= size || err.line < 1))
            fail("LX_EUTF8 without a byte offset and line", 0);
        if (rc == LX_ECAPTION && (err.line < 1 || err.offset < 0 || (size_t)err.offset > size))
            fail("LX_ECAPTION without a line", 0);
        if (rc != LX_ECAPTION && rc != LX_EUTF8 && rc != LX_ELIMIT && rc != LX_ENOMEM)
            fail("unexpected error code", 0);
        return 0;
    }
    if ((n == 0) != (segs == NULL) || n > LX_MAX_SEGMENTS)
        fail("bad segment count", n);
    for (size_t i = 0; i < n; i++) {
        if (!(segs[i].start >= 0) || !(segs[i].end >= segs[i].start))
            fail("bad times", i);
        if (i > 0 && segs[i - 1].start > segs[i].start)
            fail("not sorted by start", i);
        check_text(segs[i].text, i);
    }
    lx_segments_free(segs, n);
    return 0;
}
