#!/bin/sh
# Relevance evaluation on the Cranfield collection: index the abstracts,
# run the 225 queries, score the run against the judgments.
#   cranfield.sh BUILD_DIR [MIN_NDCG] [--param NAME=VALUE ...]
# Skips (exit 77) when ../shared/data/cranfield is absent.
set -e
build=$1
min=${2:-0}
shift 2 || shift $#
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../shared/data}/cranfield
if [ ! -f "$data/docs.jsonl" ]; then
    echo "SKIP: $data not found (the shared relevance data is not on this machine)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-cranfield.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$build/lectern-index" build --quiet --index "$work/index" "$data/docs.jsonl"
"$build/lectern" search --index "$work/index" --queries "$data/queries.tsv" --limit 100 \
    --trec "$work/run.txt" "$@" 2>"$work/latency.txt"
cat "$work/latency.txt"
"$build/releval" "$data/qrels.txt" "$work/run.txt" --min "$min"
