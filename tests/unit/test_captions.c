/* test_captions.c -- unit tests of the WebVTT / SRT parser (engine/captions.c):
 * one small input per quirk the parser handles, then the malformed inputs
 * with the line, offset and message they must report. */
#include "check.h"
#include "lectern.h"

static lx_segment *segs;
static size_t nsegs;
static lx_error err;

/* Parses s (a C string, or len bytes when len != 0) into segs/nsegs,
 * freeing the previous result. */
static int parse_n(const char *s, size_t len) {
    lx_segments_free(segs, nsegs);
    segs = NULL;
    nsegs = 0;
    memset(&err, 0, sizeof err);
    return lx_captions_parse(s, len, &segs, &nsegs, &err);
}

static int parse(const char *s) {
    return parse_n(s, strlen(s));
}

static const char *text(size_t i) {
    return i < nsegs ? segs[i].text : "(missing)";
}

static int has(const char *haystack, const char *needle) {
    return strstr(haystack, needle) != NULL;
}

static void test_webvtt_basic(void) {
    CHECK(parse("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello world.\n\n"
                "00:00:04.500 --> 00:01:02.250\nSecond cue.\n") == 0);
    CHECK(nsegs == 2);
    CHECK_NEAR(segs[0].start, 1.0, 1e-9);
    CHECK_NEAR(segs[0].end, 4.0, 1e-9);
    CHECK_STR(text(0), "Hello world.");
    CHECK_NEAR(segs[1].start, 4.5, 1e-9);
    CHECK_NEAR(segs[1].end, 62.25, 1e-9);
    CHECK_STR(text(1), "Second cue.");
}

static void test_srt_basic(void) {
    CHECK(parse("1\n00:00:01,000 --> 00:00:04,000\nHello world.\n\n"
                "2\n00:00:05,000 --> 00:00:07,500\nSecond cue.\n") == 0);
    CHECK(nsegs == 2);
    CHECK_NEAR(segs[0].start, 1.0, 1e-9);
    CHECK_NEAR(segs[1].end, 7.5, 1e-9);
    CHECK_STR(text(0), "Hello world.");
    CHECK_STR(text(1), "Second cue.");
}

static void test_bom(void) {
    CHECK(parse("\xEF\xBB\xBFWEBVTT\n\n00:01.000 --> 00:02.000\nbom vtt\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "bom vtt");
    CHECK(parse("\xEF\xBB\xBF"
                "1\n00:00:01,000 --> 00:00:02,000\nbom srt\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "bom srt");
}

static void test_line_endings(void) {
    CHECK(parse("WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nline one\r\nline two\r\n\r\n"
                "00:03.000 --> 00:04.000\r\nthree\r\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "line one line two");
    CHECK_STR(text(1), "three");
    /* Old Mac files end lines with a lone CR. */
    CHECK(parse("1\r00:00:01,000 --> 00:00:02,000\rcr one\rcr two\r\r2\r"
                "00:00:03,000 --> 00:00:04,000\rcr three") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "cr one cr two");
    CHECK_STR(text(1), "cr three");
}

static void test_cue_identifiers(void) {
    CHECK(parse("WEBVTT\n\nintro-1\n00:01.000 --> 00:02.000\nwith id\n\n"
                "42\n00:03.000 --> 00:04.000\nnumeric id\n\n"
                "00:05.000 --> 00:06.000\nno id\n") == 0);
    CHECK(nsegs == 3);
    CHECK_STR(text(0), "with id");
    CHECK_STR(text(1), "numeric id");
    CHECK_STR(text(2), "no id");
}

static void test_cue_settings(void) {
    CHECK(parse("WEBVTT\n\n00:00:01.000 --> 00:00:02.000 align:start position:10%\n"
                "settings\n\n00:00:03.000 --> 00:00:04.000\tline:0 size:50%\ntab\n") == 0);
    CHECK(nsegs == 2);
    CHECK_NEAR(segs[0].end, 2.0, 1e-9);
    CHECK_STR(text(0), "settings");
    CHECK_STR(text(1), "tab");
    /* SRT coordinates after the timing are ignored the same way. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000 X1:40 X2:600 Y1:20 Y2:50\nsrt coords\n") == 0);
    CHECK_STR(text(0), "srt coords");
}

static void test_tags_stripped(void) {
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:05.000\n"
                "<v Dr. Amina Yusuf>Welcome</v> to <i>the</i> <b>course</b>, "
                "<c.yellow.bg_blue>everyone</c>.\n") == 0);
    CHECK_STR(text(0), "Welcome to the course, everyone.");
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:05.000\n"
                "<v.loud Jane>so<00:00:01.500><c> we</c><00:00:02.000><c> begin</c></v>\n") == 0);
    CHECK_STR(text(0), "so we begin");
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:05.000\n<ruby>漢<rt>kan</rt></ruby> <u>x</u>\n") == 0);
    CHECK_STR(text(0), "漢kan x");
    /* SRT: <font>, and ASS overrides such as {\an8}. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=\"#ffff00\">Top</font>\n") ==
          0);
    CHECK_STR(text(0), "Top");
    /* A '<' that starts no tag is text. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nif x < y then\n") == 0);
    CHECK_STR(text(0), "if x < y then");
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\n3 <= 4 and <\n") == 0);
    CHECK_STR(text(0), "3 <= 4 and <");
}

static void test_entities(void) {
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n"
                "Tom &amp; Jerry &lt;3 a&gt;b\n") == 0);
    CHECK_STR(text(0), "Tom & Jerry <3 a>b");
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\none&nbsp;two&nbsp;&nbsp;three\n") == 0);
    CHECK_STR(text(0), "one two three");
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n&lrm;left&rlm; mark&lrm;\n") == 0);
    CHECK_STR(text(0), "left mark");
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n&quot;hi&quot; it&#39;s &#x263A; &#233;\n") ==
          0);
    CHECK_STR(text(0), "\"hi\" it's \xE2\x98\xBA \xC3\xA9");
    /* Numeric spaces and controls collapse like typed ones (found by libFuzzer). */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n&#32;a&#32;&#x20;&#9;b&#2;&#160;c&#32;\n") ==
          0);
    CHECK_STR(text(0), "a b c");
    /* Decoded text is not parsed again: &lt;i&gt; is the text "<i>". */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n&lt;i&gt;literal&amp;amp;\n") == 0);
    CHECK_STR(text(0), "<i>literal&amp;");
    /* Unknown or broken entities stay as they are. */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\nR&D &copy; &#xD800; &#; & &amp\n") == 0);
    CHECK_STR(text(0), "R&D &copy; &#xD800; &#; & &amp");
}

static void test_note_style_region(void) {
    CHECK(parse("WEBVTT\n\nNOTE a comment\nacross lines\n\n"
                "STYLE\n::cue { color: lime }\n\n"
                "REGION\nid:fred width:40%\n\n"
                "NOTE\n\n"
                "00:01.000 --> 00:02.000\nkept\n\n"
                "NOTE\tafter a cue\n\n"
                "00:03.000 --> 00:04.000\nalso kept\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "kept");
    CHECK_STR(text(1), "also kept");
    /* A NOTE cannot contain "-->": a timing line ends it. */
    CHECK(parse("WEBVTT\n\nNOTE missing blank line\n00:01.000 --> 00:02.000\ncue\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "cue");
}

static void test_times(void) {
    /* With and without hours, hours past 99, both separators. */
    CHECK(parse("WEBVTT\n\n01:02.500 --> 01:03.000\nmm:ss\n\n"
                "01:00:00.000 --> 01:00:01.000\nhh:mm:ss\n\n"
                "100:00:00.000 --> 100:00:00,250\nlong\n") == 0);
    CHECK(nsegs == 3);
    CHECK_NEAR(segs[0].start, 62.5, 1e-9);
    CHECK_NEAR(segs[1].start, 3600.0, 1e-9);
    CHECK_NEAR(segs[2].start, 360000.0, 1e-9);
    CHECK_NEAR(segs[2].end, 360000.25, 1e-9);
    /* SRT with dots, VTT with commas, a short fraction, no fraction. */
    CHECK(parse("1\n00:00:01.5 --> 00:00:02,75\nmixed\n\n2\n00:00:03 --> 00:00:04\nwhole\n") == 0);
    CHECK(nsegs == 2);
    CHECK_NEAR(segs[0].start, 1.5, 1e-9);
    CHECK_NEAR(segs[0].end, 2.75, 1e-9);
    CHECK_NEAR(segs[1].start, 3.0, 1e-9);
    /* No spaces around the arrow; a zero-length cue is allowed. */
    CHECK(parse("WEBVTT\n\n00:01.000-->00:01.000\ntight\n") == 0);
    CHECK(nsegs == 1);
    CHECK_NEAR(segs[0].end, 1.0, 1e-9);
}

static void test_multiline_and_whitespace(void) {
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n  first   line\t\n\tsecond line  \n"
                "third\n") == 0);
    CHECK_STR(text(0), "first line second line third");
    /* A NUL byte and U+00A0 are whitespace too. */
    static const char nul[] = "WEBVTT\n\n00:01.000 --> 00:02.000\na\0b\xC2\xA0"
                              "c\n";
    CHECK(parse_n(nul, sizeof nul - 1) == 0);
    CHECK_STR(text(0), "a b c");
}

static void test_empty_cues_dropped(void) {
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n\n"
                "00:02.000 --> 00:03.000\n   \n\t\n\n"
                "00:03.000 --> 00:04.000\n<i></i><c> </c>&nbsp;\n\n"
                "00:04.000 --> 00:05.000\nonly this\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "only this");
    CHECK_NEAR(segs[0].start, 4.0, 1e-9);
    /* A timing line right after another (no text, no blank line). */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n00:02.000 --> 00:03.000\nsecond\n") == 0);
    CHECK(nsegs == 1);
    CHECK_NEAR(segs[0].start, 2.0, 1e-9);
    CHECK_STR(text(0), "second");
}

static void test_rolling_captions(void) {
    /* The YouTube auto-caption shape: each cue repeats the last line of
     * the one before, with 10 ms cues that only hold the repeat. */
    CHECK(parse("WEBVTT\nKind: captions\nLanguage: en\n\n"
                "00:00:00.030 --> 00:00:02.669 align:start position:0%\n \n"
                "welcome<00:00:00.480><c> to</c><00:00:00.900><c> the</c><00:00:01.200><c> "
                "lecture</c>\n\n"
                "00:00:02.669 --> 00:00:02.679 align:start position:0%\n"
                "welcome to the lecture\n \n\n"
                "00:00:02.679 --> 00:00:05.000 align:start position:0%\n"
                "welcome to the lecture\n"
                "on<00:00:03.000><c> migration</c><00:00:03.500><c> policy</c>\n\n"
                "00:00:05.000 --> 00:00:05.010 align:start position:0%\n"
                "on migration policy\n \n\n"
                "00:00:05.010 --> 00:00:07.000 align:start position:0%\n"
                "on migration policy\nin europe\n") == 0);
    CHECK(nsegs == 3);
    CHECK_STR(text(0), "welcome to the lecture");
    CHECK_STR(text(1), "on migration policy");
    CHECK_NEAR(segs[1].start, 2.679, 1e-9);
    CHECK_STR(text(2), "in europe");
    CHECK_NEAR(segs[2].start, 5.01, 1e-9);
    /* Plain two-line rolling SRT. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nalpha beta\n\n"
                "2\n00:00:02,000 --> 00:00:03,000\nalpha beta\ngamma delta\n\n"
                "3\n00:00:03,000 --> 00:00:04,000\ngamma delta\nepsilon\n") == 0);
    CHECK(nsegs == 3);
    CHECK_STR(text(0), "alpha beta");
    CHECK_STR(text(1), "gamma delta");
    CHECK_STR(text(2), "epsilon");
    /* Only whole lines count: a cue that merely starts with the same
     * words is ordinary speech and is kept whole. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nI think\n\n"
                "2\n00:00:02,000 --> 00:00:03,000\nI think so too\n\n"
                "3\n00:00:03,000 --> 00:00:04,000\nfirst\nsecond line\n\n"
                "4\n00:00:04,000 --> 00:00:05,000\nsecond\nline\n") == 0);
    CHECK(nsegs == 4);
    CHECK_STR(text(1), "I think so too");
    CHECK_STR(text(3), "second line");
    /* Compared after cleaning: tags and spacing do not hide a repeat. */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\n<i>one  two</i>\n\n"
                "00:02.000 --> 00:03.000\none two\nthree\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(1), "three");
}

static void test_sorted_stable(void) {
    CHECK(parse("WEBVTT\n\n00:05.000 --> 00:06.000\nlate\n\n"
                "00:01.000 --> 00:02.000\nearly A\n\n"
                "00:03.000 --> 00:04.000\nmiddle\n\n"
                "00:01.000 --> 00:01.500\nearly B\n") == 0);
    CHECK(nsegs == 4);
    CHECK_STR(text(0), "early A");
    CHECK_STR(text(1), "early B");
    CHECK_STR(text(2), "middle");
    CHECK_STR(text(3), "late");
    for (size_t i = 1; i < nsegs; i++)
        CHECK(segs[i - 1].start <= segs[i].start);
}

static void test_header_variants(void) {
    /* Header text, metadata lines, and no blank line before the first cue. */
    CHECK(parse("WEBVTT - Lecture 3\nKind: captions\n00:01.000 --> 00:02.000\nno gap\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "no gap");
    CHECK(parse("WEBVTT\t\n\n00:01.000 --> 00:02.000\ntab header\n") == 0);
    CHECK_STR(text(0), "tab header");
    /* A block that is not a cue is ignored in WebVTT, as the spec says. */
    CHECK(parse("WEBVTT\n\nstray text\nmore\n\n00:01.000 --> 00:02.000\ncue\n") == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "cue");
    /* SRT without cue numbers. */
    CHECK(parse("00:00:01,000 --> 00:00:02,000\nno numbers\n") == 0);
    CHECK_STR(text(0), "no numbers");
}

static void test_srt_quirks(void) {
    /* A missing blank line between cues: the number before a timing line
     * starts the next cue. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nfirst\n2\n00:00:02,000 --> 00:00:03,000\n"
                "second\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "first");
    CHECK_STR(text(1), "second");
    /* A blank line inside a cue's text: the paragraph stays with its cue. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nfirst part\n\nsecond part\n\n"
                "2\n00:00:03,000 --> 00:00:04,000\nnext\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "first part second part");
    CHECK_STR(text(1), "next");
    /* A blank line right after the timing line. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\n\nlate text\n") == 0);
    CHECK(nsegs == 1);
    CHECK_NEAR(segs[0].start, 1.0, 1e-9);
    CHECK_STR(text(0), "late text");
    /* A paragraph that cleans to nothing, then one with text: the text is
     * the cue's own, not appended to another cue (found by libFuzzer). */
    static const char blank_para[] = "1\n00:00:01,000 --> 00:00:04\n\n\0\0 \n\n0&0\n";
    CHECK(parse_n(blank_para, sizeof blank_para - 1) == 0);
    CHECK(nsegs == 1);
    CHECK_STR(text(0), "0&0");
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
                "2\n00:00:03,000 --> 00:00:04,000\n\n<i></i>\n\nsecond\n") == 0);
    CHECK(nsegs == 2);
    CHECK_STR(text(0), "first");
    CHECK_STR(text(1), "second");
    CHECK_NEAR(segs[1].start, 3.0, 1e-9);
    /* Whitespace-only lines between cues. */
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\na\n \n2\n00:00:03,000 --> 00:00:04,000\nb\n") ==
          0);
    CHECK(nsegs == 2);
    CHECK_STR(text(1), "b");
}

static void test_empty_inputs(void) {
    CHECK(parse("") == 0);
    CHECK(nsegs == 0 && segs == NULL);
    CHECK(parse_n(NULL, 0) == 0);
    CHECK(nsegs == 0);
    CHECK(parse("\n\r\n  \n") == 0);
    CHECK(nsegs == 0);
    CHECK(parse("\xEF\xBB\xBF") == 0);
    CHECK(nsegs == 0);
    CHECK(parse("WEBVTT\n") == 0);
    CHECK(nsegs == 0);
    CHECK(parse("WEBVTT") == 0);
    CHECK(nsegs == 0);
}

static void test_error_not_captions(void) {
    CHECK(parse("hello world\nthis is not a caption file\n") == LX_ECAPTION);
    CHECK(err.code == LX_ECAPTION);
    CHECK(err.line == 1);
    CHECK(has(err.message, "missing WEBVTT header"));
    CHECK(nsegs == 0 && segs == NULL);
    CHECK(parse("\n\n{\"id\": \"x\"}\n") == LX_ECAPTION);
    CHECK(err.line == 3);
    CHECK(err.offset == 2);
    /* "WEBVTTX" is not the header keyword. */
    CHECK(parse("WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n") == LX_ECAPTION);
    CHECK(err.line == 1);
}

static void test_error_timestamps(void) {
    const char *in = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nok\n\n"
                     "00:00:0x.000 --> 00:00:04.000\nbad\n";
    CHECK(parse(in) == LX_ECAPTION);
    CHECK(err.line == 6);
    CHECK(err.offset == (long)(strstr(in, "00:00:0x") - in));
    CHECK_STR(err.message, "malformed timestamp \"00:00:0x.000\" (expected [hh:]mm:ss.ttt --> "
                           "[hh:]mm:ss.ttt)");
    CHECK(nsegs == 0 && segs == NULL);

    /* The end time, minutes past 59 with hours present. */
    CHECK(parse("1\n00:00:01,000 --> 00:61:00,000\nx\n") == LX_ECAPTION);
    CHECK(err.line == 2);
    CHECK(has(err.message, "malformed timestamp \"00:61:00,000\""));
    /* Seconds past 59, a missing end, a one-part time, junk after. */
    CHECK(parse("WEBVTT\n\n00:00:60.000 --> 00:01:00.000\nx\n") == LX_ECAPTION);
    CHECK(err.line == 3);
    CHECK(parse("WEBVTT\n\n\n00:01.000 -->\nx\n") == LX_ECAPTION);
    CHECK(err.line == 4);
    CHECK(has(err.message, "malformed timestamp \"\""));
    CHECK(parse("WEBVTT\n\n1.000 --> 2.000\nx\n") == LX_ECAPTION);
    CHECK(has(err.message, "\"1.000\""));
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000x\nx\n") == LX_ECAPTION);
    CHECK(has(err.message, "\"00:02.000x\""));
    CHECK(parse("WEBVTT\n\n00:01.0000000000 --> 00:02.000\nx\n") == LX_ECAPTION);
    CHECK(err.line == 3);
    /* Something between the start time and the arrow. */
    CHECK(parse("WEBVTT\n\n00:01.000 to --> 00:02.000\nx\n") == LX_ECAPTION);
    CHECK_STR(err.message, "expected \"-->\" after the start time, found \"to\"");
    /* Line numbers count CR-only line ends. */
    CHECK(parse("WEBVTT\r\r00:01.000 --> 00:02.000\rok\r\r00:0a.000 --> 00:03.000\rx\r") ==
          LX_ECAPTION);
    CHECK(err.line == 6);
}

static void test_error_end_before_start(void) {
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nfine\n\n"
                "2\n00:00:04,000 --> 00:00:03,500\nbackwards\n") == LX_ECAPTION);
    CHECK(err.line == 6);
    CHECK_STR(err.message, "cue ends (00:00:03,500) before it starts (00:00:04,000)");
}

static void test_error_srt_number_without_timing(void) {
    CHECK(parse("1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n00:00:03,000 -> 00:00:04,000\nB\n") ==
          LX_ECAPTION);
    CHECK(err.line == 6);
    CHECK(has(err.message, "cue 2 has no timing line"));
}

static void test_error_utf8(void) {
    const char *in = "WEBVTT\n\n00:01.000 --> 00:02.000\nab\xFF"
                     "cd\n";
    CHECK(parse(in) == LX_EUTF8);
    CHECK(err.code == LX_EUTF8);
    CHECK(err.offset == (long)(strchr(in, '\xFF') - in));
    CHECK(err.line == 4);
    CHECK(nsegs == 0 && segs == NULL);
    /* Overlong, surrogate, truncated at the end, past U+10FFFF. */
    CHECK(parse("WEBVTT\n\xC0\x80") == LX_EUTF8);
    CHECK(err.offset == 7 && err.line == 2);
    CHECK(parse("WEBVTT\r\n\xED\xA0\x80") == LX_EUTF8);
    CHECK(err.offset == 8 && err.line == 2);
    CHECK(parse("WEBVTT\n\n\xE2\x82") == LX_EUTF8);
    CHECK(err.offset == 8 && err.line == 3);
    CHECK(parse("\xF4\x90\x80\x80") == LX_EUTF8);
    CHECK(err.offset == 0 && err.line == 1);
    /* Valid multibyte text passes through unchanged. */
    CHECK(parse("WEBVTT\n\n00:01.000 --> 00:02.000\nkestävä kehitys — 平等 🙂\n") == 0);
    CHECK_STR(text(0), "kestävä kehitys — 平等 🙂");
}

static void test_limit(void) {
    size_t ncues = LX_MAX_SEGMENTS + 1, cap = 16 + ncues * 48, len = 0;
    char *buf = malloc(cap);
    CHECK(buf != NULL);
    if (!buf)
        return;
    len += (size_t)snprintf(buf, cap, "WEBVTT\n\n");
    for (size_t i = 0; i < ncues; i++)
        len +=
            (size_t)snprintf(buf + len, cap - len, "%zu:00.000 --> %zu:00.500\nw%zu\n\n", i, i, i);
    CHECK(parse_n(buf, len) == LX_ELIMIT);
    CHECK(err.code == LX_ELIMIT);
    CHECK(err.line == 3 + 3 * (long)LX_MAX_SEGMENTS);
    CHECK(nsegs == 0 && segs == NULL);
    /* Exactly the limit is fine. */
    len = (size_t)(strstr(buf, "100000:00.000") - buf);
    CHECK(parse_n(buf, len) == 0);
    CHECK(nsegs == LX_MAX_SEGMENTS);
    CHECK_STR(text(LX_MAX_SEGMENTS - 1), "w99999");
    free(buf);
}

/* Inputs shaped to make a careless parser quadratic: a long line of '<'
 * and "{\\" with no closing '>' or '}', and one SRT cue followed by many
 * paragraphs.  They must finish quickly (ctest's timeout is the judge). */
static void test_pathological(void) {
    size_t n = 1u << 20, len;
    char *buf = malloc(n + 64);
    CHECK(buf != NULL);
    if (!buf)
        return;
    len = (size_t)sprintf(buf, "WEBVTT\n\n00:01.000 --> 00:02.000\n");
    for (size_t i = 0; i < n / 4; i++, len += 4)
        memcpy(buf + len, "<a{\\", 4);
    CHECK(parse_n(buf, len) == 0);
    CHECK(nsegs == 1 && strlen(text(0)) == n);
    len = (size_t)sprintf(buf, "1\n00:00:01,000 --> 00:00:02,000\n");
    for (size_t i = 0; i < n / 4; i++, len += 4)
        memcpy(buf + len, "ab\n\n", 4);
    CHECK(parse_n(buf, len) == 0);
    CHECK(nsegs == 1 && strlen(text(0)) == n / 4 * 3 - 1);
    free(buf);
}

static void test_arguments(void) {
    const char *ok_srt = "1\n00:00:01,000 --> 00:00:02,000\nok\n";
    lx_segment *s = (lx_segment *)&err;
    size_t n = 7;
    CHECK(lx_captions_parse("x", 1, NULL, &n, NULL) == LX_EINVAL);
    CHECK(lx_captions_parse("x", 1, &s, NULL, NULL) == LX_EINVAL);
    CHECK(lx_captions_parse(NULL, 5, &s, &n, NULL) == LX_EINVAL);
    CHECK(s == NULL && n == 0);
    /* err may be NULL on success and on failure. */
    CHECK(lx_captions_parse("not captions", 12, &s, &n, NULL) == LX_ECAPTION);
    CHECK(lx_captions_parse(ok_srt, strlen(ok_srt), &s, &n, NULL) == 0);
    CHECK(n == 1);
    lx_segments_free(s, n);
    lx_segments_free(NULL, 0);
    /* err->file belongs to the caller and is left alone. */
    memset(&err, 0, sizeof err);
    strcpy(err.file, "talk.vtt");
    CHECK(lx_captions_parse("nope", 4, &s, &n, &err) == LX_ECAPTION);
    CHECK_STR(err.file, "talk.vtt");
}

int main(void) {
    test_webvtt_basic();
    test_srt_basic();
    test_bom();
    test_line_endings();
    test_cue_identifiers();
    test_cue_settings();
    test_tags_stripped();
    test_entities();
    test_note_style_region();
    test_times();
    test_multiline_and_whitespace();
    test_empty_cues_dropped();
    test_rolling_captions();
    test_sorted_stable();
    test_header_variants();
    test_srt_quirks();
    test_empty_inputs();
    test_error_not_captions();
    test_error_timestamps();
    test_error_end_before_start();
    test_error_srt_number_without_timing();
    test_error_utf8();
    test_limit();
    test_pathological();
    test_arguments();
    lx_segments_free(segs, nsegs);
    CHECK_DONE();
}
