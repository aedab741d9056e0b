#!/bin/bash
# Latency of a plain search while costly queries run: starts lectern-server
# on INDEX (no response cache), runs NHEAVY loops of a worst-case query (32
# two-word stopword phrases, loop i asking offset=i, so nothing would be
# shared even with a cache), and times ROUNDS plain searches meanwhile.
# Prints the plain search's latency (median and max, seconds) and the
# heavy answers by status (200, 200-partial, 503).
#   heavy_queries.sh BUILD_DIR INDEX [SERVER_ARGS...]
#   e.g. heavy_queries.sh build /tmp/ted-idx --work-budget 0
# Environment: NHEAVY (6), ROUNDS (20), PLAIN (climate change).
set -u
build=$1
index=$2
shift 2
nheavy=${NHEAVY:-6}
rounds=${ROUNDS:-20}
plain=${PLAIN:-climate change}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lectern-heavy.XXXXXX")
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
"$build/lectern-server" --index "$index" --port 0 --cache-mb 0 --quiet "$@" 2>"$tmp/log" &
server=$!
pids="$server"
for _ in $(seq 100); do
    grep -q "listening on" "$tmp/log" && break
    sleep 0.1
done
base=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/log" | head -1)
[ -n "$base" ] || { cat "$tmp/log"; exit 1; }
heavy='"of the" "in the" "and the" "to the" "on the" "is a" "it is" "that the" "for the" "at the" "to be" "with the" "from the" "by the" "as a" "this is" "and a" "in a" "of a" "to a" "we are" "there is" "is the" "it was" "and i" "i was" "that is" "we have" "have a" "all the" "you can" "one of"'
for i in $(seq "$nheavy"); do
    (
        while :; do
            st=$(curl -s -o "$tmp/body.$i" -w '%{http_code}' -G "$base/api/search" \
                --data-urlencode "q=$heavy" --data "offset=$i")
            grep -q '"partial":true' "$tmp/body.$i" && st="$st-partial"
            echo "$st" >>"$tmp/heavy.$i"
        done
    ) &
    pids="$pids $!"
done
sleep 2
for _ in $(seq "$rounds"); do
    curl -s -o /dev/null -w '%{time_total}\n' -G "$base/api/search" \
        --data-urlencode "q=$plain" >>"$tmp/plain"
done
sort -n "$tmp/plain" | awk '{v[NR] = $1} END {printf "plain search: %d rounds, median %.3f s, max %.3f s\n", NR, v[int((NR + 1) / 2)], v[NR]}'
cat "$tmp"/heavy.* | sort | uniq -c | awk '{printf "heavy answers: %s x status %s\n", $1, $2}'
