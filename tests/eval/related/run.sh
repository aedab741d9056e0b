#!/bin/sh
# Related lectures on the TED talks: builds the index without tags (content
# only) and with tags, and runs relbench on each (README.md).
#   run.sh BUILD_DIR [--content-only] [--min NDCG] [--work DIR]
# --content-only skips the index with tags; --min fails the content-only
# figure below NDCG; --work keeps the indexes in DIR (reused when present).
# Skips (exit 77) when ../shared/data/ted is absent.
set -e
build=$1
shift
content_only=0
min=
work=
while [ $# -gt 0 ]; do
    case $1 in
    --content-only) content_only=1 ;;
    --min) min=$2; shift ;;
    --work) work=$2; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
here=$(cd "$(dirname "$0")" && pwd)
data=${LECTERN_DATA:-$here/../../../../shared/data}/ted/lectures.jsonl.gz
if [ ! -f "$data" ]; then
    echo "SKIP: $data not found (the shared TED data is not on this machine)"
    exit 77
fi
if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-related.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

# The records without their "tags" field (the judge reads the tags from
# the original file).
strip_tags() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    r.pop("tags", None)
    sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")'
    else
        sed -E 's/,? *"tags": *\[[^]]*\]//'
    fi
}

# Indexes first (their progress lines), then the figures.
if [ ! -f "$work/notags/data.mdb" ]; then
    gzip -dc "$data" | strip_tags |
        "$build/lectern-index" build --quiet --force --index "$work/notags" - >/dev/null
fi
if [ $content_only = 0 ] && [ ! -f "$work/tags/data.mdb" ]; then
    gzip -dc "$data" | "$build/lectern-index" build --quiet --force --index "$work/tags" - >/dev/null
fi
echo 'content only (index built without tags):'
"$build/relbench" "$work/notags" "$data" ${min:+--min "$min"}
if [ $content_only = 0 ]; then
    echo 'with tags:'
    "$build/relbench" "$work/tags" "$data"
fi
