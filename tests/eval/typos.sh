#!/bin/sh
# Typo evaluation on the TED query log: a seeded generator makes one edit
# (insert, delete, substitute or swap a letter) in one word of 5 or more
# letters of each query; the typo'd query's top 10 must share at least MIN
# (a fraction) of the clean query's top 10 on average.  Also prints the
# latency of both runs (the typo'd p50 should stay within 3x the clean one)
# and how many clean top 10s differ with typo tolerance and completion off
# (--param is not involved: the CLI's --no-typos --prefix 0).
#   typos.sh BUILD_DIR [MIN] [SEED]   (skips with exit 77 without ../shared)
set -e
build=$1
min=${2:-0}
seed=${3:-13}
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared data is not on this machine)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-typos.XXXXXX")
trap 'rm -rf "$work"' EXIT
gzip -dc "$data/lectures.jsonl.gz" | "$build/lectern-index" build --quiet --index "$work/ted" -
python3 "$here/typogen.py" "$seed" <"$data/queries.txt" >"$work/pairs.tsv"
cut -f1,2 "$work/pairs.tsv" >"$work/clean.tsv"
cut -f1,3 "$work/pairs.tsv" >"$work/typo.tsv"
run() { # NAME QUERIES [FLAGS]
    name=$1
    queries=$2
    shift 2
    "$build/lectern" search --index "$work/ted" --queries "$queries" --limit 10 \
        --trec "$work/$name.trec" "$@" 2>"$work/$name.lat"
    printf '%-8s %s\n' "$name" "$(grep -E 'latency_us|cpu_us' "$work/$name.lat" | tr '\n' ' ')"
}
run clean "$work/clean.tsv"
run typo "$work/typo.tsv"
run exact "$work/clean.tsv" --no-typos --prefix 0
run typo0 "$work/typo.tsv" --no-typos --prefix 0
python3 - "$work" "$min" <<'EOF'
import sys
work, mn = sys.argv[1], float(sys.argv[2])
def top(name):
    t = {}
    for line in open(f"{work}/{name}.trec"):
        qid, _, doc = line.split()[:3]
        t.setdefault(qid, []).append(doc)
    return t
clean, typo, exact, typo0 = top("clean"), top("typo"), top("exact"), top("typo0")
qids = [q for q in clean if clean[q]]
def overlap(run):
    return sum(len(set(clean[q]) & set(run.get(q, []))) / len(clean[q]) for q in qids) / len(qids)
changed = sum(1 for q in qids if clean[q] != exact.get(q, []))
print(f"queries {len(qids)}  overlap@10 typo'd/clean {overlap(typo):.3f} "
      f"(without typo tolerance {overlap(typo0):.3f})  "
      f"clean top 10s changed by forgiving search: {changed}")
if overlap(typo) < mn:
    print(f"FAIL: overlap {overlap(typo):.3f} below {mn}")
    sys.exit(1)
EOF
