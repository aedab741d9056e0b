#!/bin/sh
# Tag suggestions on the 1,997 tagged TED talks, five-fold cross-validation
# (README.md): precision@3 and recall@5 against "the most frequent tags".
#   tagsuggest.sh BUILD_DIR [--margin M]
# Skips (exit 77) when ../shared/data/ted is absent.
set -e
build=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
mkdir -p "$build/tmp"
gzip -dc "$data/lectures.jsonl.gz" | "$build/tagcv" --work "$build/tmp" "$@" -
