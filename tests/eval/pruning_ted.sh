#!/bin/sh
# Block-max MaxScore must return exactly what exhaustive scoring returns:
# the top 10 (ids, ranks and scores) of all 2,000 queries of the TED log,
# pruned and exhaustive, are compared byte for byte.
#   pruning_ted.sh BUILD_DIR [x10]  (skips with exit 77 without ../shared)
# x10: on TED x10 (tests/bench/make_tedx10.sh: every talk ten times, so
# posting lists are ten times longer and common words saturate; the slow
# tail of issue 17), built in the temporary folder.
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
if [ "$x10" = x10 ]; then
    sh "$here/../bench/make_tedx10.sh" "$work/tedx10.jsonl" "$data/lectures.jsonl.gz" 2>/dev/null
    "$build/lectern-index" build --quiet --index "$work/index" "$work/tedx10.jsonl"
    rm -f "$work/tedx10.jsonl"
else
    gzip -dc "$data/lectures.jsonl.gz" | "$build/lectern-index" build --quiet --index "$work/index" -
fi
"$build/lectern" search --index "$work/index" --queries "$data/queries.txt" --limit 10 \
    --trec "$work/pruned.txt" 2>"$work/pruned.log"
"$build/lectern" search --index "$work/index" --queries "$data/queries.txt" --limit 10 \
    --exhaustive --trec "$work/exhaustive.txt" 2>"$work/exhaustive.log"
echo "pruned:     $(tail -1 "$work/pruned.log")"
echo "exhaustive: $(tail -1 "$work/exhaustive.log")"
lines=$(wc -l <"$work/pruned.txt")
if [ "$lines" -lt 10000 ]; then
    echo "FAIL: only $lines result lines for 2,000 queries"
    exit 1
fi
if ! cmp -s "$work/pruned.txt" "$work/exhaustive.txt"; then
    echo "FAIL: pruned and exhaustive top 10 differ:"
    diff "$work/pruned.txt" "$work/exhaustive.txt" | head -20
    exit 1
fi
echo "identical: $lines result lines"
