#!/bin/sh
# Forgiving search (issue 13), measured in process on the TED index and on
# Cranfield; a benchmark, not a test (nothing here is timed under ctest).
#   tests/bench/forgive.sh [BUILD_DIR] [--work DIR]
# Prints, each from one `lectern` batch run (a warm-up pass, then a timed
# one; thread CPU time, the steady figure on a busy machine):
#  1. typo'd queries against clean ones: the TED log with one edit in one
#     word of 5+ letters (tests/eval/typogen.py, seed 13); the ratio of the
#     p50s (target: at most 3);
#  2. exact queries with forgiving search on (the default) against off
#     (--no-typos --prefix 0): p50 and p99 and their ratios (target: within
#     10%), and how many top 10s differ;
#  3. /api/suggest's engine call (lx_suggest) over every prefix of the
#     first 500 queries of the log, as typed: p50, p99 (target: p99 <= 5 ms);
#  4. long text: the first 300 words of the first 200 Cranfield documents
#     as queries (past every query limit): how many are answered.
# Skips (exit 0, "SKIP") without ../shared/data.
set -e
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
[ $# -gt 0 ] && shift
work=
if [ "${1:-}" = --work ]; then
    work=$2
fi
data=${LECTERN_DATA:-$here/../../../shared/data}
if [ ! -f "$data/ted/lectures.jsonl.gz" ] || [ ! -f "$data/cranfield/docs.jsonl" ]; then
    echo "SKIP: $data/ted or $data/cranfield not found"
    exit 0
fi
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-forgive.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
L="$build/lectern"
[ -f "$work/ted/data.mdb" ] ||
    gzip -dc "$data/ted/lectures.jsonl.gz" | "$build/lectern-index" build --quiet --index "$work/ted" -
[ -f "$work/cran/data.mdb" ] ||
    "$build/lectern-index" build --quiet --index "$work/cran" "$data/cranfield/docs.jsonl"
python3 "$here/../eval/typogen.py" 13 <"$data/ted/queries.txt" >"$work/pairs.tsv"
cut -f1,2 "$work/pairs.tsv" >"$work/clean.tsv"
cut -f1,3 "$work/pairs.tsv" >"$work/typo.tsv"

cpu() { # NAME QUERIES INDEX [FLAGS]: the cpu_us line's p50 and p99
    name=$1 queries=$2 index=$3
    shift 3
    "$L" search --index "$index" --queries "$queries" --limit 10 --trec "$work/$name.trec" "$@" \
        2>"$work/$name.lat" >/dev/null
    sed -n 's/^cpu_us .*p50=\([0-9.]*\) .*p99=\([0-9.]*\).*/\1 \2/p' "$work/$name.lat"
}
set -- $(cpu clean "$work/clean.tsv" "$work/ted")
c50=$1 c99=$2
set -- $(cpu typo "$work/typo.tsv" "$work/ted")
t50=$1 t99=$2
set -- $(cpu exact "$work/clean.tsv" "$work/ted" --no-typos --prefix 0)
e50=$1 e99=$2
changed=$(python3 - "$work" <<'EOF'
import sys
def top(p):
    t = {}
    for line in open(p):
        q, _, d = line.split()[:3]
        t.setdefault(q, []).append(d)
    return t
a, b = top(sys.argv[1] + "/clean.trec"), top(sys.argv[1] + "/exact.trec")
print(sum(1 for q in set(a) | set(b) if a.get(q) != b.get(q)))
EOF
)
echo "1. typo'd TED queries: cpu p50 $t50 us p99 $t99 us; clean: p50 $c50 us p99 $c99 us;" \
    "p50 ratio $(echo "$t50 $c50" | awk '{printf "%.2f", $1 / $2}')x (target <= 3x)"
echo "2. exact TED queries, forgiving on: p50 $c50 us p99 $c99 us; off (--no-typos --prefix 0):" \
    "p50 $e50 us p99 $e99 us; on/off p50 $(echo "$c50 $e50" | awk '{printf "%.3f", $1 / $2}')" \
    "p99 $(echo "$c99 $e99" | awk '{printf "%.3f", $1 / $2}') (target <= 1.10);" \
    "top 10s that differ: $changed"

# 3. Every prefix of the first 500 queries, as a person types them.
head -500 "$data/ted/queries.txt" | cut -f2- | awk '{for (i = 1; i <= length($0); i++) print substr($0, 1, i)}' \
    >"$work/prefixes.txt"
"$L" suggest --index "$work/ted" --queries "$work/prefixes.txt" --limit 8 2>"$work/suggest.lat" >/dev/null
echo "3. suggest on TED, $(sed -n 's/^suggest queries \([0-9]*\).*/\1/p' "$work/suggest.lat") prefixes:" \
    "$(grep '^cpu_us' "$work/suggest.lat") (wall: $(grep '^latency_us' "$work/suggest.lat" | cut -d' ' -f2-3)) (target p99 <= 5000 us)"

# 4. 200 pasted abstracts: the first 300 words of Cranfield documents.
python3 - "$data/cranfield/docs.jsonl" >"$work/abstracts.tsv" <<'EOF'
import json, sys
for i, line in enumerate(open(sys.argv[1])):
    if i == 200:
        break
    d = json.loads(line)
    text = " ".join((d.get("description") or d.get("transcript") or d["title"]).split()[:300])
    print(f"a{d['id']}\t{text}")
EOF
cpu long "$work/abstracts.tsv" "$work/cran" >/dev/null
answered=$(cut -d' ' -f1 "$work/long.trec" | sort -u | wc -l)
errors=$(grep -c '^query ' "$work/long.lat" || true)
echo "4. pasted abstracts (first 300 words of 200 Cranfield documents, $(awk -F'\t' '{n += split($2, w, " ")} END {printf "%.0f", n / NR}' "$work/abstracts.tsv") words on average):" \
    "answered $answered of 200, errors $errors, own document first in" \
    "$(awk '$4 == 1 && "a" $3 == $1' "$work/long.trec" | wc -l); $(grep '^cpu_us' "$work/long.lat")"
