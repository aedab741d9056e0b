#!/usr/bin/env python3
"""Validate the Lectern sample corpus against the rules in corpus/README.md.

Walks corpus/ the way lectern-index does: *.jsonl files are JSON lines, *.json
files are one record each (paired with the .vtt or .srt of the same basename),
*.schema.json and everything else is skipped. Checks every record, parses every
caption file, checks the corpus-wide counts and the "Known facts for tests".

Usage:  python3 corpus/check_corpus.py [--stats] [CORPUS_DIR]
Exits 0 when the corpus is valid, 1 otherwise (each problem on stderr).
--stats prints the language and topic tables used in README.md.
Standard library only.
"""
import datetime
import json
import os
import re
import sys
from collections import Counter

MAX_ID_BYTES = 256
MAX_TAGS = 64
MAX_TAG_BYTES = 128
MAX_TEXT_BYTES = 4 * 1024 * 1024
TEXT_FIELDS = ("title", "description", "speaker", "institution", "transcript")
REQUIRED_LANGS = ("en", "fi", "de", "es", "sv", "fr")
MIN_WORDS, MAX_WORDS = 200, 450

problems = []


def fail(where, msg):
    problems.append("%s: %s" % (where, msg))


# ---------------------------------------------------------------- captions

VTT_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
VTT_TIMING = re.compile(r"^" + VTT_TIME + r"[ \t]+-->[ \t]+" + VTT_TIME + r"(?:[ \t]+(.*))?$")
SRT_TIMING = re.compile(
    r"^(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})[ \t]+-->[ \t]+(\d{2,}):([0-5]\d):([0-5]\d),(\d{3})[ \t]*$")
TAG = re.compile(r"<[^>]*>")
ASS_TAG = re.compile(r"\{\\[^}]*\}")


def secs(h, m, s, ms):
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000.0


def split_blocks(text):
    return [b for b in re.split(r"\n[ \t]*\n", text.strip("\n")) if b.strip()]


def clean_cue(lines):
    return [ASS_TAG.sub("", TAG.sub("", l)).strip() for l in lines]


def parse_vtt(path, raw):
    """Return a list of (start, end, [text lines]) or None after reporting."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    blocks = split_blocks(text)
    if not blocks or not re.match(r"^WEBVTT(?:[ \t].*)?$", blocks[0].split("\n")[0]):
        fail(path, "does not start with WEBVTT")
        return None
    cues = []
    for b in blocks[1:]:
        lines = b.split("\n")
        if re.match(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)", lines[0]):
            if any("-->" in l for l in lines):
                fail(path, "'-->' inside a %s block" % lines[0].split()[0])
            continue
        if "-->" not in lines[0]:
            lines = lines[1:]  # cue identifier
        if not lines:
            fail(path, "cue identifier without timing")
            continue
        m = VTT_TIMING.match(lines[0])
        if not m:
            fail(path, "bad cue timing line %r" % lines[0])
            continue
        g = m.groups()
        cues.append((secs(*g[0:4]), secs(*g[4:8]), clean_cue(lines[1:])))
    return cues


def parse_srt(path, raw):
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    cues = []
    expect = 1
    for b in split_blocks(text):
        lines = b.split("\n")
        if len(lines) < 3 or not lines[0].strip().isdigit():
            fail(path, "bad SRT block starting %r" % lines[0])
            continue
        if int(lines[0]) != expect:
            fail(path, "cue number %s, expected %d" % (lines[0], expect))
        expect = int(lines[0]) + 1
        m = SRT_TIMING.match(lines[1])
        if not m:
            fail(path, "bad SRT timing line %r" % lines[1])
            continue
        g = m.groups()
        cues.append((secs(*g[0:4]), secs(*g[4:8]), clean_cue(lines[2:])))
    return cues


def cue_text(cues):
    """Cue lines joined, dropping a first line that repeats the previous cue's
    last line (rolling captions)."""
    out, prev_last = [], None
    for _, _, lines in cues:
        lines = [l for l in lines if l]
        if lines and prev_last is not None and lines[0] == prev_last:
            lines = lines[1:]
        out.extend(lines)
        if lines:
            prev_last = lines[-1]
    return " ".join(out)


def check_times(where, cues, duration):
    prev = -1.0
    for i, (s, e, _) in enumerate(cues):
        if s < 0 or e <= s:
            fail(where, "cue %d: end %.3f not after start %.3f" % (i + 1, e, s))
        if s < prev:
            fail(where, "cue %d: start %.3f before previous start %.3f" % (i + 1, s, prev))
        prev = s
        if isinstance(duration, (int, float)) and e > duration:
            fail(where, "cue %d ends at %.3f after duration %s" % (i + 1, e, duration))


# ---------------------------------------------------------------- records


LABEL_LANGS = ("fi", "de", "sv", "es", "fr")


def load_vocab(corpus):
    """The tags of topics.txt.  A line is `tag | fi: label | de: label ...`:
    each tag has a label in every language of LABEL_LANGS (several allowed),
    a label is non-empty and has no '|', and no tag comes twice."""
    vocab = set()
    path = os.path.join(corpus, "topics.txt")
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            where = "topics.txt:%d" % n
            parts = [p.strip() for p in line.split("|")]
            tag = parts[0]
            if not tag or tag != tag.lower() or len(tag.encode("utf-8")) > 128:
                fail(where, "tag %r: not lower case, empty or over 128 bytes" % tag)
            if tag in vocab:
                fail(where, "tag %r listed twice" % tag)
            vocab.add(tag)
            langs = set()
            for p in parts[1:]:
                code, colon, label = p.partition(":")
                code, label = code.strip(), label.strip()
                if not colon or not re.fullmatch(r"[a-z]{2}", code) or not label:
                    fail(where, "label %r of %r is not `xx: label`" % (p, tag))
                    continue
                langs.add(code)
            missing = [l for l in LABEL_LANGS if l not in langs]
            if missing:
                fail(where, "tag %r has no label in %s" % (tag, ", ".join(missing)))
    return vocab


def check_record(where, r, vocab):
    if not isinstance(r, dict):
        fail(where, "record is not a JSON object")
        return False
    for k in ("id", "title"):
        if not isinstance(r.get(k), str) or not r.get(k):
            fail(where, "missing or empty required string field '%s'" % k)
            return False
    if len(r["id"].encode()) > MAX_ID_BYTES:
        fail(where, "id longer than %d bytes" % MAX_ID_BYTES)
    for k in TEXT_FIELDS:
        if k in r:
            if not isinstance(r[k], str):
                fail(where, "field '%s' is not a string" % k)
            elif len(r[k].encode()) > MAX_TEXT_BYTES:
                fail(where, "field '%s' larger than 4 MiB" % k)
    for k in ("description", "speaker", "institution", "language", "url", "duration", "date", "tags"):
        if k not in r:
            fail(where, "sample records should have '%s'" % k)
    if not re.fullmatch(r"[a-z]{2}", str(r.get("language", ""))):
        fail(where, "language must be a 2-letter ISO 639-1 code")
    tags = r.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        fail(where, "tags must be an array of strings")
    else:
        if not 2 <= len(tags) <= 6:
            fail(where, "sample records carry 2-6 tags, found %d" % len(tags))
        if len(tags) > MAX_TAGS:
            fail(where, "more than %d tags" % MAX_TAGS)
        if len(set(tags)) != len(tags):
            fail(where, "duplicate tag")
        for t in tags:
            if len(t.encode()) > MAX_TAG_BYTES:
                fail(where, "tag longer than %d bytes" % MAX_TAG_BYTES)
            if t not in vocab:
                fail(where, "tag %r not in topics.txt" % t)
    if not str(r.get("url", "")).startswith("https://example.org/"):
        fail(where, "url must be under https://example.org/")
    d = r.get("duration")
    if not isinstance(d, (int, float)) or isinstance(d, bool) or d < 0:
        fail(where, "duration must be a number >= 0")
    date = str(r.get("date", ""))
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ValueError
        datetime.date.fromisoformat(date)
    except ValueError:
        fail(where, "date must be a valid YYYY-MM-DD")
    desc = r.get("description", "")
    n = len(re.findall(r"[.!?](?:\s|$)", desc))
    if not 2 <= n <= 4:
        fail(where, "description should have 2-4 sentences, found %d" % n)
    if "segments" in r:
        segs = r["segments"]
        ok = isinstance(segs, list) and all(
            isinstance(s, dict) and isinstance(s.get("text"), str)
            and all(isinstance(s.get(k), (int, float)) and not isinstance(s.get(k), bool) for k in ("start", "end"))
            for s in segs)
        if not ok:
            fail(where, "segments must be an array of {start, end, text}")
            return True
        check_times(where, [(s["start"], s["end"], [s["text"]]) for s in segs], d)
    return True


def words_of(r, caption_text=None):
    if caption_text is not None:
        return caption_text
    if "segments" in r:
        return " ".join(s["text"] for s in r["segments"])
    return r.get("transcript", "")


def main(argv):
    stats = "--stats" in argv
    args = [a for a in argv if a != "--stats"]
    corpus = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    vocab = load_vocab(corpus)
    recs = []  # (where, record, kind, full text, caption cues)
    raw_captions = {}
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, corpus)
            if name.endswith(".jsonl"):
                with open(path, encoding="utf-8") as f:
                    for no, line in enumerate(f, 1):
                        if not line.strip():
                            continue
                        where = "%s:%d" % (rel, no)
                        try:
                            r = json.loads(line)
                        except json.JSONDecodeError as e:
                            fail(where, "invalid JSON: %s" % e)
                            continue
                        if check_record(where, r, vocab):
                            if "transcript" in r and "segments" in r:
                                fail(where, "has both transcript and segments")
                            if "transcript" not in r and "segments" not in r:
                                fail(where, "has neither transcript nor segments")
                            kind = "inline" if "segments" in r else "plain"
                            recs.append((where, r, kind, words_of(r), None))
            elif name.endswith(".json") and not name.endswith(".schema.json"):
                where = rel
                try:
                    with open(path, encoding="utf-8") as f:
                        r = json.load(f)
                except (json.JSONDecodeError, UnicodeDecodeError) as e:
                    fail(where, "invalid JSON: %s" % e)
                    continue
                if not check_record(where, r, vocab):
                    continue
                base = path[:-len(".json")]
                pair = [ext for ext in ("vtt", "srt") if os.path.exists(base + "." + ext)]
                if len(pair) != 1:
                    fail(where, "needs exactly one paired .vtt or .srt, found %d" % len(pair))
                    continue
                if "transcript" in r or "segments" in r:
                    fail(where, "a folder record takes its text from the caption file; drop transcript/segments")
                cpath = base + "." + pair[0]
                with open(cpath, "rb") as f:
                    data = f.read()
                try:
                    raw = data.decode("utf-8")
                except UnicodeDecodeError:
                    fail(cpath, "not UTF-8")
                    continue
                raw_captions[r["id"]] = (os.path.relpath(cpath, corpus), data)
                raw = raw.lstrip("\ufeff")
                cues = (parse_vtt if pair[0] == "vtt" else parse_srt)(os.path.relpath(cpath, corpus), raw)
                if not cues:
                    fail(cpath, "no cues")
                    continue
                check_times(os.path.relpath(cpath, corpus), cues, r.get("duration"))
                recs.append((where, r, pair[0], cue_text(cues), cues))

    # ---------------------------------------------------------- corpus rules
    ids = Counter(r["id"] for _, r, _, _, _ in recs)
    for i, n in ids.items():
        if n > 1:
            fail("corpus", "id %r used %d times" % (i, n))
    for where, r, kind, text, _ in recs:
        n = len(text.split())
        if not MIN_WORDS <= n <= MAX_WORDS:
            fail(where, "transcript has %d words, expected %d-%d" % (n, MIN_WORDS, MAX_WORDS))
    distinct = [x for x in recs if "duplicate_of" not in x[1]]
    langs = Counter(r["language"] for _, r, _, _, _ in distinct)
    kinds = Counter(k for _, _, k, _, _ in recs)
    if len(distinct) < 64:
        fail("corpus", "only %d distinct lectures, need 64" % len(distinct))
    for lang in REQUIRED_LANGS:
        if langs[lang] == 0:
            fail("corpus", "no lecture in language %r" % lang)
    if not 0.4 <= langs["en"] / max(1, len(distinct)) <= 0.6:
        fail("corpus", "English should be about half (%d of %d)" % (langs["en"], len(distinct)))
    for kind, need in (("vtt", 7), ("srt", 5), ("inline", 6)):
        if kinds[kind] < need:
            fail("corpus", "%d %s lectures, need %d" % (kinds[kind], kind, need))
    if kinds["vtt"] + kinds["srt"] + kinds["inline"] < 18:
        fail("corpus", "fewer than 18 timed lectures")
    for where, r, _, _, _ in recs:
        if "duplicate_of" in r and r["duplicate_of"] not in ids:
            fail(where, "duplicate_of names an unknown id")

    # ---------------------------------------------------------- known facts
    by_id = {r["id"]: (r, text, cues) for _, r, _, text, cues in recs}

    def fact(ok, msg):
        if not ok:
            fail("known facts", msg)

    r, text, cues = by_id.get("nor-2023-006", ({}, "", None))
    split = [i for i in range(len(cues or []) - 1)
             if cues[i][2][-1].endswith(" social") and cues[i + 1][2][0].startswith("sustainability")]
    fact(split and abs(cues[split[0]][0] - 110.562) < 1e-6,
         "nor-2023-006: cue ending 'social' + cue starting 'sustainability' at 110.562 s")
    fact("kestävä kehitys" in by_id.get("tku-2022-008", ({}, "", 0))[1], "tku-2022-008 contains 'kestävä kehitys'")
    fact("Gleichstellung" in by_id.get("ber-2022-004", ({}, "", 0))[1], "ber-2022-004 contains 'Gleichstellung'")
    fact("<script>alert(1)</script>" in by_id.get("bru-2023-009", ({}, "", 0))[1],
         "bru-2023-009 contains '<script>alert(1)</script>'")
    fact(raw_captions.get("tku-2024-001", ("", b""))[1].startswith(b"\xef\xbb\xbf"), "tku-2024-001.vtt has a BOM")
    fact(b"\r\n" in raw_captions.get("sto-2024-002", ("", b""))[1], "sto-2024-002.vtt has CRLF")
    fact(raw_captions.get("tre-2022-006", ("", b""))[1].startswith(b"\xef\xbb\xbf")
         and b"\r\n" in raw_captions.get("tre-2022-006", ("", b""))[1], "tre-2022-006.srt has BOM and CRLF")
    fact(raw_captions.get("lon-2023-011", ("",))[0].endswith("bystander-intervention.vtt"),
         "lon-2023-011 lives in bystander-intervention.json/.vtt")
    rolling = raw_captions.get("dub-2022-012", ("", b""))[1].decode("utf-8", "replace")
    fact(rolling.count("Welcome to equality law in two minutes,") == 2
         and text_count(by_id, "dub-2022-012", "Welcome to equality law in two minutes,") == 1,
         "dub-2022-012 is a rolling-caption file (line repeated in file, once after de-duplication)")
    dup = by_id.get("ams-2023-015", ({}, "", 0))[0]
    orig = by_id.get("ams-2023-003", ({}, "", 0))[0]
    fact(dup.get("duplicate_of") == "ams-2023-003" and all(
        dup.get(k) == orig.get(k) for k in ("title", "description", "speaker", "tags", "transcript")),
         "ams-2023-015 is an exact duplicate of ams-2023-003")

    if stats:
        print_stats(distinct, recs, langs)
    for p in problems:
        print(p, file=sys.stderr)
    print("%d records (%d distinct lectures), %d problem(s)" % (len(recs), len(distinct), len(problems)),
          file=sys.stderr)
    return 1 if problems else 0


def text_count(by_id, lid, s):
    return by_id.get(lid, ({}, "", 0))[1].count(s)


def print_stats(distinct, recs, langs):
    names = {"en": "English", "fi": "Finnish", "de": "German", "es": "Spanish", "sv": "Swedish",
             "fr": "French", "it": "Italian"}
    kinds_by_lang = {}
    for _, r, k, _, _ in distinct:
        kinds_by_lang.setdefault(r["language"], Counter())[k] += 1
    print("| language | lectures | plain | inline segments | VTT | SRT |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for lang, n in langs.most_common():
        c = kinds_by_lang[lang]
        print("| %s (`%s`) | %d | %d | %d | %d | %d |" % (names.get(lang, lang), lang, n, c["plain"],
                                                           c["inline"], c["vtt"], c["srt"]))
    tot = Counter(k for _, _, k, _, _ in distinct)
    print("| **total** | **%d** | %d | %d | %d | %d |" % (len(distinct), tot["plain"], tot["inline"],
                                                          tot["vtt"], tot["srt"]))
    print()
    tags = Counter(t for _, r, _, _, _ in distinct for t in r["tags"])
    print("| topic (tag) | lectures |")
    print("| --- | ---: |")
    for t, n in sorted(tags.items(), key=lambda x: (-x[1], x[0])):
        print("| %s | %d |" % (t, n))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
