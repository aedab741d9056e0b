#!/bin/bash
# server_instr.sh -- instructions per uncached search in lectern-server
# (callgrind; deterministic where wrk's requests/s are not on a loaded
# machine).  Not a ctest case.
#
#   tests/bench/server_instr.sh [BUILD_DIR] [N]     (default: build, 400)
#
# Builds the TED index, starts lectern-server under callgrind (one worker
# thread, response cache off), sends the first N queries of the TED log as
# GET /api/search (snippets and facets on, the defaults) over one
# keep-alive connection (curl -K) as a warm-up, zeroes the counts, sends
# them again and dumps: the printed total over N is the cost of one
# search as the server answers it, HTTP and JSON included.  The profile
# stays in the temp folder with KEEP=1 (callgrind_annotate --inclusive=yes).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
N=${2:-400}
TED=${LECTERN_SHARED:-$ROOT/../shared/data}/ted
[ -f "$TED/lectures.jsonl.gz" ] || { echo "skip: $TED not found"; exit 0; }
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-instr.XXXXXX")
VP=""
cleanup() {
    [ -n "$VP" ] && kill "$VP" 2> /dev/null && wait "$VP" 2> /dev/null
    [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
gzip -dc "$TED/lectures.jsonl.gz" | "$BUILD/lectern-index" build --quiet --index "$TMP/ted" -
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
head -n "$N" "$TED/queries.txt" | PORT=$PORT python3 -c '
import os, sys, urllib.parse
for l in sys.stdin:
    q = l.rstrip("\n").split("\t", 1)[-1]
    if q:
        print("url = \"http://127.0.0.1:%s/api/search?q=%s\"\noutput = /dev/null"
              % (os.environ["PORT"], urllib.parse.quote(q, safe="")))
' > "$TMP/urls.cfg"
valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$BUILD/lectern-server" \
    --index "$TMP/ted" --bind 127.0.0.1 --port "$PORT" --quiet --cache-mb 0 --threads 1 \
    2> "$TMP/server.log" &
VP=$!
for _ in $(seq 600); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/api/stats" && break
    sleep 0.5
done
curl -s -K "$TMP/urls.cfg"
callgrind_control -z "$VP" > /dev/null
curl -s -K "$TMP/urls.cfg"
callgrind_control -d "$VP" > /dev/null
total=$(cat "$TMP"/cg.out.* | sed -n 's/^summary: //p' | awk '{ s += $1 } END { print s }')
echo "instructions for $N uncached searches: $total ($(awk "BEGIN { printf \"%.2f\", $total / $N / 1e6 }") M a search)"
