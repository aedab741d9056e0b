#!/bin/sh
# test_synth.sh BUILD CORPUS_JSONL: the synthetic lecture generator (ctest
# bench_synth).  Fits a model on CORPUS_JSONL (the sample corpus: small and
# always there), then checks that the generator is seeded and streams slices
# (two ranges concatenated are the whole), that every line is a valid
# record with a transcript or timed segments in about the asked share,
# that lectern-index takes every record, and that every title-like query
# of `synth --queries` finds at least one lecture in that index.
set -u
BUILD=$1
CORPUS=$2
HERE=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
T=$(mktemp -d "${TMPDIR:-/tmp}/lectern-synth.XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
S=$BUILD/synth

python3 "$HERE/gen/synth_fit.py" "$CORPUS" "$CORPUS" >"$T/model" || fail "the fitter failed"
"$S" "$T/model" --count 300 --seed 5 >"$T/a" || fail "synth failed"
"$S" "$T/model" --count 300 --seed 5 >"$T/b"
cmp -s "$T/a" "$T/b" || fail "the same seed gave different lectures"
"$S" "$T/model" --count 300 --seed 6 >"$T/c"
cmp -s "$T/a" "$T/c" && fail "another seed gave the same lectures"
{ "$S" "$T/model" --start 0 --count 120 --seed 5; "$S" "$T/model" --start 120 --count 180 --seed 5; } >"$T/d"
cmp -s "$T/a" "$T/d" || fail "two slices are not the whole"
[ "$(wc -l <"$T/a")" = 300 ] || fail "not 300 lines"

python3 - "$T/a" <<'PY' || fail "records"
import json, sys
n = timed = other = 0
ids = set()
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    n += 1
    assert r["id"] not in ids, r["id"]
    ids.add(r["id"])
    assert r["title"].strip() and r["language"], r["id"]
    assert ("transcript" in r) != ("segments" in r), r["id"]
    if "segments" in r:
        timed += 1
        t = -1.0
        for s in r["segments"]:
            assert s["start"] >= t and s["end"] > s["start"] and s["text"].strip(), r["id"]
            t = s["end"]
    other += r["language"] != "en"
assert 0.1 <= timed / n <= 0.3, timed  # --segments 0.2
assert 0 < other <= 0.2 * n, other     # --langs 0.05
print(f"{n} records, {timed} timed, {other} not English")
PY

"$BUILD/lectern-index" build --index "$T/ix" "$T/a" >"$T/build.log" 2>&1 || { cat "$T/build.log"; fail "lectern-index rejected records"; }
grep -q "lectures 300 " "$T/build.log" || { cat "$T/build.log"; fail "not 300 lectures indexed"; }
"$S" "$T/model" --count 300 --seed 5 --queries 40 >"$T/q"
[ "$(grep -c . "$T/q")" = 40 ] || fail "not 40 queries"
"$BUILD/lectern" search --index "$T/ix" --queries "$T/q" --limit 1 --trec "$T/run" 2>"$T/search.log" || fail "search failed"
found=$(cut -d' ' -f1 "$T/run" | sort -u | wc -l)
[ "$found" = 40 ] || { cat "$T/q"; fail "only $found of 40 title queries found a lecture"; }

# Burstiness: a lecture repeats its own content words (--repeat, default 0.6),
# so it has fewer distinct words than with independent draws (--repeat 0).
"$S" "$T/model" --count 300 --seed 5 --repeat 0 >"$T/flat"
python3 - "$T/a" "$T/flat" <<'PY' || fail "the default lectures are not burstier than --repeat 0"
import json, re, sys
W = re.compile(r"[^\W_]+")
def distinct(path):
    n = d = 0
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        t = r.get("transcript") or " ".join(s["text"] for s in r["segments"])
        n += 1
        d += len(set(w.lower() for w in W.findall(t)))
    return d / n
b, f = distinct(sys.argv[1]), distinct(sys.argv[2])
print(f"distinct words a lecture: {b:.0f} (default), {f:.0f} (--repeat 0)")
assert b < 0.9 * f, (b, f)
PY
echo "PASS: synth is seeded and sliceable; 300 records indexed; 40 of 40 title queries answered; bursty"
