#!/bin/sh
# What a translated query costs (issue 12): the 46 topic queries of
# tests/eval/topics in each language over the 1,997 English TED talks,
# in process (`lectern search --queries`, after its warm-up pass), with
# translation on, off (--no-cross), and on without the dictionaries'
# translation cache (LECTERN_DICT_CACHE=0: every headword's entry is
# inflated again), against the same topics asked in English.
#   xlang_latency.sh BUILD_DIR [--reps N]
# Each figure is the lowest of N runs (default 3) on a shared machine;
# the ratios are what count.  Skips (exit 0) without ../shared/data/ted.
set -e
build=$1
reps=3
[ "$2" = --reps ] && reps=$3
here=$(cd "$(dirname "$0")" && pwd)
topics=$here/../eval/topics
if ! sh "$topics/topics.sh" "$build" --lang en >/dev/null 2>&1; then
    echo "SKIP: the topic index could not be built (../shared/data/ted absent?)"
    exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-xlang.XXXXXX")
trap 'rm -rf "$work"' EXIT
# run LABEL ENV... -- FLAGS: prints "p50 p99", the lowest of $reps runs.
run() {
    q=$1
    shift
    best50=
    best99=
    i=0
    while [ $i -lt "$reps" ]; do
        line=$(env "$@" "$build/lectern" search --index "$build/topics-index" --queries "$q" \
            --limit 10 $flags 2>&1 >/dev/null | grep '^latency_us')
        p50=$(echo "$line" | sed 's/.*p50=\([0-9.]*\).*/\1/')
        p99=$(echo "$line" | sed 's/.*p99=\([0-9.]*\).*/\1/')
        best50=$(awk -v a="$p50" -v b="${best50:-1e18}" 'BEGIN { print (a < b ? a : b) }')
        best99=$(awk -v a="$p99" -v b="${best99:-1e18}" 'BEGIN { print (a < b ? a : b) }')
        i=$((i + 1))
    done
    echo "$best50 $best99"
}
printf '%-4s %9s %9s %10s %10s %12s %8s %8s\n' lang p50_on p99_on p50_cross0 p99_cross0 \
    p50_nocache on/en on/cross0
for l in en fi de sv es fr; do
    awk -F'\t' -v l="$l" '!/^#/ && $2 == l { print $1 "\t" $3 }' "$topics/queries.tsv" >"$work/q.$l"
    flags=
    set -- $(run "$work/q.$l" LECTERN_DICT_CACHE=4096)
    on50=$1 on99=$2
    set -- $(run "$work/q.$l" LECTERN_DICT_CACHE=0)
    nc50=$1
    flags=--no-cross
    set -- $(run "$work/q.$l" LECTERN_DICT_CACHE=4096)
    off50=$1 off99=$2
    [ "$l" = en ] && en50=$on50
    awk -v l="$l" -v a="$on50" -v b="$on99" -v c="$off50" -v d="$off99" -v n="$nc50" -v e="$en50" \
        'BEGIN { printf "%-4s %9.1f %9.1f %10.1f %10.1f %12.1f %8.2f %8.2f\n", l, a, b, c, d, n, a / e, a / c }'
done
echo "(latency in microseconds; on/en: p50 with translation over English's p50)"
