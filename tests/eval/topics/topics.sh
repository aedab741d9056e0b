#!/bin/sh
# Topic search judged by TED's curated tags (README.md): the 1,997 tagged
# TED talks indexed without their tags, 46 topics asked in six languages,
# nDCG@10 per language.
#   topics.sh BUILD_DIR [--lang en,fi,...] [--min X] [--ratio R] [-- SEARCH FLAGS...]
# --min X: fail when English nDCG@10 < X; --ratio R: fail when a language's
# nDCG@10 < R x English's (English is then always run).  Flags after --
# go to every `lectern search` run.  The index is cached in
# BUILD_DIR/topics-index and rebuilt when lectern-index is newer.
# Skips (exit 77) when ../shared/data/ted is absent.
set -e
build=$1
shift
langs="en fi de sv es fr"
min=0
ratio=0
while [ $# -gt 0 ]; do
    case $1 in
    --lang) langs=$(echo "$2" | tr ',' ' '); shift 2 ;;
    --min) min=$2; shift 2 ;;
    --ratio) ratio=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "topics.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
case " $langs " in *" en "*) ;; *) [ "$ratio" != 0 ] && langs="en $langs" ;; esac
idx=$build/topics-index
qrels=$build/topics-qrels.txt
# One build of the cached index at a time (ctest runs several users of
# it; their RESOURCE_LOCK says so too): the others wait, then reuse it.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$build/topics-index.lock"
    flock 9
fi
if [ ! -f "$idx/.stamp" ] || [ "$build/lectern-index" -nt "$idx/.stamp" ] ||
    [ "$here/topics.tsv" -nt "$idx/.stamp" ]; then
    rm -rf "$idx" "$idx.src"
    mkdir -p "$idx.src"
    gzip -dc "$data/lectures.jsonl.gz" | "$build/topicprep" "$here/topics.tsv" "$qrels" \
        >"$idx.src/talks.jsonl"
    "$build/lectern-index" build --quiet --index "$idx" "$idx.src/talks.jsonl"
    rm -rf "$idx.src"
    touch "$idx/.stamp"
fi
exec 9>&-
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-topics.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
en=
printf '%-4s %8s %8s %6s\n' lang ndcg@10 vs_en queries
for l in $langs; do
    awk -F'\t' -v l="$l" '!/^#/ && $2 == l { print $1 "\t" $3 }' "$here/queries.tsv" >"$work/q.$l"
    if [ ! -s "$work/q.$l" ]; then
        echo "topics.sh: no queries in language $l" >&2
        exit 2
    fi
    "$build/lectern" search --index "$idx" --queries "$work/q.$l" --limit 100 \
        --trec "$work/run.$l" "$@" 2>"$work/lat.$l"
    out=$("$build/releval" "$qrels" "$work/run.$l")
    nd=$(echo "$out" | awk '{ print $2 }')
    nq=$(echo "$out" | awk '{ print $8 }')
    [ "$l" = en ] && en=$nd
    rel=$(awk -v a="$nd" -v b="${en:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    printf '%-4s %8s %8s %6s\n' "$l" "$nd" "$rel" "$nq"
    if [ "$l" = en ] && awk -v a="$nd" -v m="$min" 'BEGIN { exit !(a < m) }'; then
        echo "FAIL: English nDCG@10 $nd is below $min"
        fail=1
    fi
    if [ "$l" != en ] && [ -n "$en" ] &&
        awk -v a="$nd" -v b="$en" -v r="$ratio" 'BEGIN { exit !(a < r * b) }'; then
        echo "FAIL: $l nDCG@10 $nd is below $ratio x English ($en)"
        fail=1
    fi
done
exit $fail
