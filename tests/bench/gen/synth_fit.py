#!/usr/bin/env python3
"""synth_fit.py: fits the synthetic lecture generator's model on TED.

    synth_fit.py TED_JSONL[.gz] [CORPUS_JSONL] > MODEL

Reads the real talks once and writes a plain-text model that synth.c samples
from (no record text is copied whole: only word counts, lengths, tag sets, name
parts and per-talk topic words):

  words N        then N lines "word<TAB>count": the transcript vocabulary (Zipf)
  twords N       the title vocabulary; dwords N: the description vocabulary
  tlen N         transcript lengths in words (one per talk); ilen: titles; dlen: descriptions
  rare S        the share of transcript tokens that are words seen at most twice
                 (drawn from an unbounded synthetic vocabulary, so the vocabulary
                 grows with the collection as Heaps' law says it does)
  meta S         the share of talks with speaker, description and tags
  wps S          spoken words per second (talks with a duration)
  first N / last N   speakers' given names and surnames
  tags N         the tag vocabulary with counts
  seeds N        then per talk: "ntags ntopic theta" and two lines: its tags
                 (joined by "|") and its topic words "w:c w:c ..." (the words
                 most particular to it by tf-idf); theta: the share of its
                 tokens that are those words
  lang L N       per extra language of CORPUS_JSONL (the project's sample
                 corpus): its vocabulary
"""
import gzip, json, math, re, sys
from collections import Counter

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
TOPIC = 60  # topic words kept per talk


def words(s):
    return [w.lower() for w in WORD.findall(s or "")]


def text_of(r):
    t = r.get("transcript")
    if isinstance(t, str):
        return t
    segs = r.get("segments") or []
    return " ".join(s.get("text", "") for s in segs if isinstance(s, dict))


def emit_counts(out, name, counter, minc=1):
    items = [(w, c) for w, c in counter.most_common() if c >= minc and w and not any(x in w for x in "\t\n\r")]
    out.write(f"{name} {len(items)}\n")
    for w, c in items:
        out.write(f"{w}\t{c}\n")


def main():
    src = sys.argv[1]
    opener = gzip.open if src.endswith(".gz") else open
    recs = []
    with opener(src, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    tw, iw, dw, tags, first, last = (Counter() for _ in range(6))
    df = Counter()
    docs = []
    tlen, ilen, dlen = [], [], []
    nmeta, dur_s, dur_w = 0, 0.0, 0
    for r in recs:
        t = words(text_of(r))
        c = Counter(t)
        tw.update(c)
        df.update(c.keys())
        docs.append(c)
        tlen.append(len(t))
        it = words(r.get("title"))
        iw.update(it)
        ilen.append(len(it))
        if r.get("tags") or r.get("description") or r.get("speaker"):
            nmeta += 1
            d = words(r.get("description"))
            dw.update(d)
            dlen.append(len(d))
            for g in r.get("tags") or []:
                tags[g.strip()] += 1
            sp = (r.get("speaker") or "").split()
            if len(sp) >= 2:
                first[sp[0]] += 1
                last[sp[-1]] += 1
            if r.get("duration"):
                dur_s += float(r["duration"])
                dur_w += len(t)
    total = sum(tw.values())
    rare = sum(c for c in tw.values() if c <= 2) / max(total, 1)
    n = len(recs)
    out = sys.stdout
    out.write("lectern-synth-model 1\n")
    out.write(f"rare {rare:.6f}\nmeta {nmeta / max(n, 1):.6f}\nwps {dur_w / dur_s if dur_s else 2.5:.4f}\n")
    emit_counts(out, "words", tw, 3)
    emit_counts(out, "twords", iw)
    emit_counts(out, "dwords", dw)
    for name, v in (("tlen", tlen), ("ilen", ilen), ("dlen", dlen)):
        out.write(f"{name} {len(v)}\n" + "".join(f"{x}\n" for x in v))
    emit_counts(out, "first", first)
    emit_counts(out, "last", last)
    emit_counts(out, "tags", tags)
    out.write(f"seeds {n}\n")
    for r, c in zip(recs, docs):
        size = sum(c.values()) or 1
        top = sorted(((k * math.log(n / df[w]), w, k) for w, k in c.items() if df[w] < n / 4 and k > 1),
                     reverse=True)[:TOPIC]
        theta = sum(k for _, _, k in top) / size
        tg = [g.strip().replace("|", " ") for g in (r.get("tags") or []) if g.strip()]
        out.write(f"{len(tg)} {len(top)} {theta:.4f}\n{'|'.join(tg)}\n")
        out.write(" ".join(f"{w}:{k}" for _, w, k in top) + "\n")
    if len(sys.argv) > 2:
        langs = {}
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                lang = (r.get("language") or "en").lower()
                if lang == "en":
                    continue
                ws = words(r.get("title")) + words(r.get("description")) + words(text_of(r))
                langs.setdefault(lang, Counter()).update(ws)
        for lang, c in sorted(langs.items()):
            emit_counts(out, f"lang {lang}", c)


if __name__ == "__main__":
    main()
