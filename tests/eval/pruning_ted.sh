#!/bin/sh
# Block-max MaxScore must return exactly what exhaustive scoring returns:
# the top 10 (ids, ranks and scores) of all 2,000 queries of the TED log,
# pruned and exhaustive, are compared byte for byte; and pruned with
# snippets and facets (--full, as the server asks), whose match set keeps
# the common words' docids and saturations that the ranking then reads
# (termbits.c).
#   pruning_ted.sh BUILD_DIR [x10]  (skips with exit 77 without ../shared)
# x10: on TED x10 (tests/bench/make_tedx10.sh: every talk ten times, so
# posting lists are ten times longer and common words saturate; the slow
# tail of issue 17), built in the temporary folder.
# synth: on 20,000 synthetic lectures (tests/bench/synth's generator, the
# model fitted on TED, --langs 0.3) with translation on: each word of a
# 2-4 word title-like query becomes a group of its translations, some of
# them lists of most lectures (French "but" for "goal"), which
# lx_topk_and bounds member by member (issue 17, xl12); the 300 queries of
# `synth --queries 300`, pruned with no budget against exhaustive.
set -e
build=$1
x10=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-pruning.XXXXXX")
trap 'rm -rf "$work"' EXIT
queries=$data/queries.txt
if [ "$x10" = synth ]; then
    command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
    python3 "$here/../bench/gen/synth_fit.py" "$data/lectures.jsonl.gz" \
        "$here/../../corpus/lectures/lectures.jsonl" >"$work/model"
    "$build/synth" "$work/model" --count 20000 --langs 0.3 | "$build/lectern-index" build --quiet \
        --index "$work/index" -
    "$build/synth" "$work/model" --count 20000 --queries 300 >"$work/queries.txt"
    queries=$work/queries.txt
elif [ "$x10" = x10 ]; then
    sh "$here/../bench/make_tedx10.sh" "$work/tedx10.jsonl" "$data/lectures.jsonl.gz" 2>/dev/null
    "$build/lectern-index" build --quiet --index "$work/index" "$work/tedx10.jsonl"
    rm -f "$work/tedx10.jsonl"
else
    gzip -dc "$data/lectures.jsonl.gz" | "$build/lectern-index" build --quiet --index "$work/index" -
fi
budget=
[ "$x10" = synth ] && budget="--work-budget 0"
"$build/lectern" search --index "$work/index" --queries "$queries" --limit 10 $budget \
    --trec "$work/pruned.txt" 2>"$work/pruned.log"
"$build/lectern" search --index "$work/index" --queries "$queries" --limit 10 \
    --exhaustive --trec "$work/exhaustive.txt" 2>"$work/exhaustive.log"
"$build/lectern" search --index "$work/index" --queries "$queries" --limit 10 $budget --full \
    --trec "$work/full.txt" 2>"$work/full.log"
echo "pruned:     $(tail -1 "$work/pruned.log")"
echo "exhaustive: $(tail -1 "$work/exhaustive.log")"
lines=$(wc -l <"$work/pruned.txt")
want=10000
[ "$x10" = synth ] && want=2500
if [ "$lines" -lt "$want" ]; then
    echo "FAIL: only $lines result lines for $(wc -l <"$queries") queries"
    exit 1
fi
if ! cmp -s "$work/pruned.txt" "$work/exhaustive.txt"; then
    echo "FAIL: pruned and exhaustive top 10 differ:"
    diff "$work/pruned.txt" "$work/exhaustive.txt" | head -20
    exit 1
fi
if ! cmp -s "$work/full.txt" "$work/exhaustive.txt"; then
    echo "FAIL: pruned with snippets and facets and exhaustive top 10 differ:"
    diff "$work/full.txt" "$work/exhaustive.txt" | head -20
    exit 1
fi
echo "identical: $lines result lines (pruned, pruned --full, exhaustive)"
