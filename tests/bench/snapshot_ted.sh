#!/bin/bash
# snapshot_ted.sh [BUILD] -- the time and size of a snapshot of the TED
# index (5,913 talks) taken through POST /api/snapshots while a load runs:
# two search loops over the TED queries and one write loop.  Prints the
# index file's size, then one line per snapshot (bytes, seconds) and the
# load's request count while it ran.  Needs ../shared/data/ted beside the
# repository (or LECTERN_DATA=DIR).
set -eu
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
DATA=${LECTERN_DATA:-../shared/data}
[ -f "$DATA/ted/lectures.jsonl.gz" ] || { echo "no $DATA/ted/lectures.jsonl.gz" >&2; exit 1; }
T=$(mktemp -d /tmp/lectern-snapbench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
zcat "$DATA/ted/lectures.jsonl.gz" > "$T/ted.jsonl"
"$BUILD/lectern-index" build --quiet --index "$T/index" "$T/ted.jsonl" 2>&1 | tail -n 1
printf 'bench-token\n' > "$T/token"
mkdir "$T/snaps"
"$BUILD/lectern-server" --index "$T/index" --port 0 --threads 2 --token-file "$T/token" \
    --snapshot-dir "$T/snaps" --quiet 2> "$T/log" &
for _ in $(seq 100); do
    PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9]*\)$#\1#p' "$T/log")
    [ -n "$PORT" ] && break
    sleep 0.1
done
BASE=http://127.0.0.1:$PORT
cut -f2- "$DATA/ted/queries.txt" | sed 's/ /+/g' > "$T/q"
for w in 1 2; do
    (while :; do while read -r q; do curl -s -o /dev/null "$BASE/api/search?q=$q&limit=10"; echo; done < "$T/q"; done) > "$T/load.$w" &
done
(i=0; while :; do i=$((i + 1)); curl -s -o /dev/null -H 'Authorization: Bearer bench-token' \
    --data-binary "{\"id\": \"bench-$i\", \"title\": \"Bench $i\", \"transcript\": \"load during a snapshot $i\"}" \
    "$BASE/api/lectures"; echo; done) > "$T/load.w" &
sleep 2
echo "index data.mdb bytes $(stat -c %s "$T/index/data.mdb")"
for n in 1 2 3; do
    before=$(cat "$T"/load.* | wc -l)
    curl -s -X POST -H 'Authorization: Bearer bench-token' "$BASE/api/snapshots" |
        sed -n 's/.*"bytes":\([0-9]*\),"seconds":\([0-9.]*\).*/snapshot bytes \1 seconds \2/p'; echo
    after=$(cat "$T"/load.* | wc -l)
    echo "  requests answered by the load meanwhile: $((after - before))"
    sleep 1
done
