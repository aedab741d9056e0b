#!/bin/sh
# Lecturer search judged by TED's tags (README.md): the topics of
# tests/eval/topics over the same index (the tagged talks without their
# tags); a person is relevant with the best gain among their talks.
# nDCG@10 of each expert model against the baseline "the speakers of the
# top 10 lectures, in order" (CombMAX over depth 10), per language.
#   lecturers.sh BUILD_DIR [--lang en,fi,...] [--models "expsum sum ..."] [--margin M]
# --margin M: fail unless the default model beats the baseline by M in
# English (and is no worse in any language run).
# Skips (exit 77) when ../shared/data/ted is absent.
set -e
build=$1
shift
langs="en fi de sv es fr"
models="rr"
margin=
while [ $# -gt 0 ]; do
    case $1 in
    --lang) langs=$(echo "$2" | tr ',' ' '); shift 2 ;;
    --models) models=$2; shift 2 ;;
    --margin) margin=$2; shift 2 ;;
    *) echo "lecturers.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
topics=$here/../topics
data=${LECTERN_DATA:-$here/../../../../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
# The topic index and the lectures' judgments (cached by topics.sh).
sh "$topics/topics.sh" "$build" --lang en >/dev/null
idx=$build/topics-index
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-lecturers.XXXXXX")
trap 'rm -rf "$work"' EXIT
gzip -dc "$data/lectures.jsonl.gz" | "$build/lecqrels" "$build/topics-qrels.txt" |
    sort -k1,1 -k3,3 -k4,4nr | awk '!seen[$1 " " $3]++' >"$work/qrels"
fail=0
printf '%-4s %-10s %8s %8s\n' lang model ndcg@10 cpu_p50
for l in $langs; do
    awk -F'\t' -v l="$l" '!/^#/ && $2 == l { print $1 "\t" $3 }' "$topics/queries.tsv" >"$work/q.$l"
    "$build/lectern" lecturers --index "$idx" --queries "$work/q.$l" --model max --depth 10 \
        --limit 100 --trec "$work/base.$l" 2>"$work/lat"
    base=$("$build/releval" "$work/qrels" "$work/base.$l" | awk '{ print $2 }')
    printf '%-4s %-10s %8s %8s\n' "$l" baseline "$base" "$(sed -n 's/.*p50=\([0-9.]*\).*/\1/p' "$work/lat")"
    for m in $models; do
        "$build/lectern" lecturers --index "$idx" --queries "$work/q.$l" --model "$m" \
            --limit 100 --trec "$work/run.$l" 2>"$work/lat"
        nd=$("$build/releval" "$work/qrels" "$work/run.$l" | awk '{ print $2 }')
        printf '%-4s %-10s %8s %8s\n' "$l" "$m" "$nd" "$(sed -n 's/.*p50=\([0-9.]*\).*/\1/p' "$work/lat")"
        if [ -n "$margin" ] && [ "$m" = rr ]; then
            need=$base
            [ "$l" = en ] && need=$(awk -v b="$base" -v m="$margin" 'BEGIN { print b + m }')
            if awk -v a="$nd" -v b="$need" 'BEGIN { exit !(a < b) }'; then
                echo "FAIL: $l: lecturers nDCG@10 $nd is below $need (baseline $base)"
                fail=1
            fi
        fi
    done
done
exit $fail
