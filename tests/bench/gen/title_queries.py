#!/usr/bin/env python3
"""title_queries.py: a log of short title-like queries cut from a corpus's titles.

    title_queries.py CORPUS_JSONL[.gz] [N] [SEED] > QUERIES

N (default 2000) queries, each 1 to 4 consecutive words of a random lecture's
title after dropping its common words (the 300 most frequent title words of the
corpus, and words under three letters): what a visitor types who half remembers
a talk. Seeded (default 17), so the same corpus gives the same log. For the
synthetic corpora, `synth --queries N` makes the same kind of log without
reading the corpus.
"""
import gzip, json, random, re, sys
from collections import Counter

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def main():
    src = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 17)
    opener = gzip.open if src.endswith(".gz") else open
    titles = []
    with opener(src, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                titles.append([w.lower() for w in WORD.findall(json.loads(line).get("title") or "")])
    freq = Counter(w for t in titles for w in t)
    common = {w for w, _ in freq.most_common(300)}
    out, tries = [], 0
    while len(out) < n and tries < 50 * n:
        tries += 1
        t = [w for w in rnd.choice(titles) if w not in common and len(w) >= 3]
        if not t:
            continue
        k = min(len(t), rnd.randint(1, 4))
        s = rnd.randint(0, len(t) - k)
        out.append(" ".join(t[s : s + k]))
    sys.stdout.write("".join(q + "\n" for q in out))


if __name__ == "__main__":
    main()
