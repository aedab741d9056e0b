#!/bin/sh
# Related lectures score with the ranking core on the TED talks (relcore.c):
# builds the index with tags and checks the first MAX lectures.
#   relcore.sh BUILD_DIR [MAX]   (skips with exit 77 without ../shared)
set -e
build=$1
max=${2:-0}
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../../shared/data}/ted/lectures.jsonl.gz
if [ ! -f "$data" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-relcore.XXXXXX")
trap 'rm -rf "$work"' EXIT
gzip -dc "$data" | "$build/lectern-index" build --quiet --index "$work/ted" - >/dev/null
"$build/relcore" "$work/ted" "$max"
