#!/bin/sh
# Writes a build's answers to fixed inputs into OUT_DIR, so that two builds
# (before and after a change meant to keep results) can be compared with
# `diff -r`: TED log top 10 (TREC run), Cranfield top 100, JSON answers with
# snippets and facets for the first 200 TED queries, and related lectures of
# 200 TED talks.  The JSON answers carry took_ms (the API's shape): it is
# written as 0, so that two runs compare.
#   golden.sh BUILD_DIR OUT_DIR   (skips with exit 77 without ../shared)
set -e
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../shared/data}
if [ ! -f "$data/ted/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared data is not on this machine)"
    exit 77
fi
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-golden.XXXXXX")
trap 'rm -rf "$work"' EXIT
gzip -dc "$data/ted/lectures.jsonl.gz" | "$build/lectern-index" build --quiet --index "$work/ted" -
"$build/lectern-index" build --quiet --index "$work/cran" "$data/cranfield/docs.jsonl"
"$build/lectern" search --index "$work/ted" --queries "$data/ted/queries.txt" --limit 10 \
    --trec "$out/ted.trec" 2>/dev/null
"$build/lectern" search --index "$work/cran" --queries "$data/cranfield/queries.tsv" \
    --limit 100 --trec "$out/cranfield.trec" 2>/dev/null
head -200 "$data/ted/queries.txt" | while IFS= read -r q; do
    "$build/lectern" search --index "$work/ted" --json "$q" || echo "exit $?"
done 2>&1 | sed 's/"took_ms":[0-9.]*/"took_ms":0/' >"$out/ted-json.txt"
gzip -dc "$data/ted/lectures.jsonl.gz" | head -200 |
    sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' >"$work/ids"
while IFS= read -r id; do
    "$build/lectern" related --index "$work/ted" --json "$id" || echo "exit $?"
done <"$work/ids" 2>&1 | sed 's/"took_ms":[0-9.]*/"took_ms":0/' >"$out/related.txt"
wc -l "$out"/*
