#!/bin/sh
# Related lectures on the TED talks: builds the index without tags (content
# only) and with tags, and runs relbench on each (README.md).
#   run.sh BUILD_DIR [--content-only] [--min NDCG] [--work DIR] [--text-vs-id]
# --content-only skips the index with tags; --min fails the content-only
# figure below NDCG; --work keeps the indexes in DIR (reused when present);
# --text-vs-id judges, on the content-only index, lectures like each talk's
# description (POST /api/related {"text"}) against related by id, and fails
# when the text's nDCG@10 is below the id's.
# Skips (exit 77) when ../shared/data/ted is absent.
set -e
build=$1
shift
content_only=0
text_vs_id=0
min=
work=
while [ $# -gt 0 ]; do
    case $1 in
    --content-only) content_only=1 ;;
    --text-vs-id) text_vs_id=1; content_only=1 ;;
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
if [ $text_vs_id = 1 ]; then
    id=$("$build/relbench" "$work/notags" "$data" --judge-only)
    text=$("$build/relbench" "$work/notags" "$data" --judge-only --text)
    echo "related by id:          $id"
    echo "like the description:   $text"
    a=$(echo "$id" | awk '/^nDCG/ {print $2}')
    b=$(echo "$text" | awk '/^nDCG/ {print $2}')
    if awk -v a="$a" -v b="$b" 'BEGIN {exit !(b + 0 < a + 0)}'; then
        echo "FAIL: lectures like the description ($b) below related by id ($a)" >&2
        exit 1
    fi
    exit 0
fi
echo 'content only (index built without tags):'
"$build/relbench" "$work/notags" "$data" ${min:+--min "$min"}
if [ $content_only = 0 ]; then
    echo 'with tags:'
    "$build/relbench" "$work/tags" "$data"
fi
