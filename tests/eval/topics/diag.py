#!/usr/bin/env python3
"""Where cross-language topic queries lose (issue 12's diagnostic).

    diag.py BUILD_DIR [--lang sv,es,fr] [--worst N] [-- SEARCH FLAGS...]

Runs topics.sh's queries (its cached index BUILD_DIR/topics-index and
judgments BUILD_DIR/topics-qrels.txt: run topics.sh once first) in English
and the given languages with LECTERN_XLATE_TRACE=1, and prints per
language: nDCG@10, the share of query words with a kept translation
(coverage) and of words with none, then the N topics that lose most
against English, each with its query and the translations kept per word
(evidence, lectures, weight), so that a missing or wrong sense shows.
"""
import math
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

here = os.path.dirname(os.path.abspath(__file__))


def ndcg10(judg, ranked):
    gains = sorted((g for g in judg.values() if g > 0), reverse=True)
    if not gains:
        return None
    idcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(gains[:10]))
    dcg = sum((2 ** judg.get(d, 0) - 1) / math.log2(r + 2) for r, d in enumerate(ranked[:10]))
    return dcg / idcg


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    build = args[0]
    langs = ["sv", "es", "fr"]
    worst = 12
    i = 1
    while i < len(args):
        if args[i] == "--lang":
            langs = args[i + 1].split(",")
            i += 2
        elif args[i] == "--worst":
            worst = int(args[i + 1])
            i += 2
        else:
            sys.exit("diag.py: unknown option " + args[i])
    qrels = defaultdict(dict)
    for line in open(os.path.join(build, "topics-qrels.txt")):
        q, _, d, g = line.split()
        qrels[q][d] = int(g)
    queries = defaultdict(dict)
    for line in open(os.path.join(here, "queries.tsv")):
        if line.startswith("#") or not line.strip():
            continue
        q, l, text = line.rstrip("\n").split("\t")
        queries[l][q] = text
    env = dict(os.environ, LECTERN_XLATE_TRACE="1")
    score = {}
    trace = {}
    for l in ["en"] + [x for x in langs if x != "en"]:
        with tempfile.TemporaryDirectory() as tmp:
            qf = os.path.join(tmp, "q")
            with open(qf, "w") as f:
                for q, t in sorted(queries[l].items()):
                    f.write(q + "\t" + t + "\n")
            run = os.path.join(tmp, "run")
            p = subprocess.run([os.path.join(build, "lectern"), "search", "--index",
                                os.path.join(build, "topics-index"), "--queries", qf,
                                "--limit", "100", "--trec", run] + extra,
                               env=env, stderr=subprocess.PIPE, text=True, check=True)
            ranked = defaultdict(list)
            for line in open(run):
                q, _, d, r, s, _ = line.split()
                ranked[q].append(d)
        score[l] = {q: ndcg10(qrels[q], ranked.get(q, [])) for q in queries[l]}
        # The trace: "query" lines, then per word its candidates and the
        # kept ones; the last pass over the queries (after the warm-up) wins.
        tr = {}
        cur = None
        for line in p.stderr.splitlines():
            f = line.split("\t")
            if f[0] != "xlate":
                continue
            if f[1] == "lang":
                continue
            if f[1] == "query":
                cur = tr.setdefault(f[2], {})
                cur.clear()
            elif cur is not None and f[2] == "kept":
                cur.setdefault(f[1], []).append("%s (%s %s %s)" % (f[3], f[4], f[5], f[6]))
            elif cur is not None:
                cur.setdefault(f[1], [])
        trace[l] = tr
    en = score["en"]
    qs = [q for q in en if en[q] is not None]
    print("%-4s %7s %6s" % ("lang", "ndcg10", "vs_en"))
    for l in score:
        m = sum(score[l][q] or 0 for q in qs) / len(qs)
        print("%-4s %7.4f %6.2f" % (l, m, m / (sum(en[q] for q in qs) / len(qs))))
    for l in langs:
        words = kept = 0
        none = []
        for t in trace[l].values():
            for w, k in t.items():
                words += 1
                kept += bool(k)
                if not k:
                    none.append(w)
        print("\n== %s: words looked up %d, with a kept translation %d (%.2f); none: %s" %
              (l, words, kept, kept / max(words, 1), " ".join(sorted(set(none)))))
        loss = sorted(qs, key=lambda q: (score[l][q] or 0) - en[q])
        for q in loss[:worst]:
            text = queries[l][q]
            print("%s %.3f (en %.3f) %s | en: %s" % (q, score[l][q] or 0, en[q], text,
                                                       queries["en"][q]))
            norm = " ".join(text.lower().split())
            t = next((v for k, v in trace[l].items() if k == norm), None)
            if t is None:
                t = next((v for k, v in trace[l].items() if k.replace(" ", "") in
                          norm.replace(" ", "").replace("-", "")), {})
            for w, k in t.items():
                print("    %s -> %s" % (w, "; ".join(k) or "NONE"))


main()
