#!/bin/bash
# bench_http.sh -- HTTP benchmark of lectern-server with wrk (not a ctest case).
#
#   tests/server/bench_http.sh [BUILD_DIR]      (default: build)
#
# Builds the TED index from ../shared/data/ted/lectures.jsonl.gz, starts
# the server on 127.0.0.1, and drives GET /api/search with the 2,000 queries
# of ../shared/data/ted/queries.txt (URL-encoded by the wrk Lua script, each
# wrk thread walking the log from its own offset) for DURATION seconds
# (default 20) at 1, 8 and 64 connections.  Prints requests/s, p50 and p99
# latency, non-2xx responses and socket errors per run, then the server's
# memory: VmHWM (peak RSS, which counts the pages of the memory-mapped index
# it touched), and the peak of RssAnon sampled during the runs (the heap and
# stacks, i.e. RSS excluding the mapped index).
#
# The server runs with its response cache (32 MiB by default), which the
# 3 s warm-up fills: the runs then measure answers from the cache, as for a
# site whose visitors repeat popular queries.  SERVER_ARGS="--cache-mb 0"
# measures every request ranked, snippeted and faceted anew.  The cache's
# hits and misses are printed at the end.
#
# Environment: DURATION (s), CONNS ("1 8 64"), THREADS (server --threads),
# SERVER_ARGS (more server options), LECTERN_SHARED (the shared data
# folder), KEEP=1 keeps the temp folder.
# Targets (issue 3): >= 10,000 requests/s at 64 connections, p99 <= 20 ms,
# zero non-2xx, RSS excluding the index < 64 MiB.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" 2> /dev/null && pwd) || { echo "no build folder ${1:-$ROOT/build}" >&2; exit 1; }
SHARED=${LECTERN_SHARED:-$ROOT/../shared/data}
TED=$SHARED/ted
DURATION=${DURATION:-20}
CONNS=${CONNS:-1 8 64}

if [ ! -f "$TED/lectures.jsonl.gz" ] || [ ! -f "$TED/queries.txt" ]; then
    echo "skip: $TED/lectures.jsonl.gz or queries.txt not found (the shared data folder is absent)"
    exit 0
fi
command -v wrk > /dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
for b in lectern-index lectern-server; do
    [ -x "$BUILD/$b" ] || { echo "$BUILD/$b is missing: build first (make build)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-bench.XXXXXX")
SPID=""
SAMPLER=""
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2> /dev/null
    [ -n "$SPID" ] && kill -TERM "$SPID" 2> /dev/null && wait "$SPID" 2> /dev/null
    [ -n "${KEEP:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "== indexing $TED/lectures.jsonl.gz"
t0=$(date +%s.%N)
gzip -dc "$TED/lectures.jsonl.gz" | "$BUILD/lectern-index" build --index "$TMP/ted" - > "$TMP/index.log" 2>&1 ||
    { tail -n 20 "$TMP/index.log" >&2; echo "indexing failed" >&2; exit 1; }
t1=$(date +%s.%N)
echo "indexed in $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s; index folder $(du -sh "$TMP/ted" | cut -f1)"

# every wrk connection comes from 127.0.0.1: no per-address limit
"$BUILD/lectern-server" --index "$TMP/ted" --bind 127.0.0.1 --port 0 --quiet \
    --max-connections-per-ip 0 ${THREADS:+--threads "$THREADS"} ${SERVER_ARGS:-} \
    2> "$TMP/server.log" &
SPID=$!
PORT=""
for _ in $(seq 100); do
    PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' "$TMP/server.log" | head -n 1)
    [ -n "$PORT" ] && break
    sleep 0.1
done
[ -n "$PORT" ] || { cat "$TMP/server.log" >&2; echo "the server did not start" >&2; exit 1; }
URL="http://127.0.0.1:$PORT"
echo "== server pid $SPID on $URL ($(nproc) cores)"

cat > "$TMP/queries.lua" <<'LUA'
-- Each thread URL-encodes the query log once, then walks it from its own
-- offset so that threads do not ask the same query at the same time.
local paths, i = {}, 1
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  for line in io.lines(args[1]) do
    local q = line:match("\t(.*)$") or line -- "qid<TAB>query" or a bare query
    if #q > 0 then paths[#paths + 1] = "/api/search?q=" .. encode(q) end
  end
  i = ((id or 1) - 1) * 997 % #paths + 1
end
function request()
  local p = paths[i]
  i = i % #paths + 1
  return wrk.format("GET", p)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %.1f %d %d %d %d %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout))
end
LUA

calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SPID/status"; }

# Sample RssAnon (heap, stacks: RSS without the mapped index) every 0.2 s.
(
    peak=0
    while kill -0 "$SPID" 2> /dev/null; do
        v=$(awk '$1 == "RssAnon:" {print $2}' "/proc/$SPID/status" 2> /dev/null)
        [ -n "$v" ] && [ "$v" -gt "$peak" ] && peak=$v && echo "$peak" > "$TMP/anon.peak"
        sleep 0.2
    done
) &
SAMPLER=$!

curl -s -o /dev/null "$URL/api/search?q=warm+up" || { echo "the server does not answer" >&2; exit 1; }
echo "== warm-up (3 s, 8 connections)"
wrk -t2 -c8 -d3s -s "$TMP/queries.lua" "$URL" -- "$TED/queries.txt" > /dev/null

printf '\n| connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: |\n'
for c in $CONNS; do
    t=$((c < 2 ? 1 : 2))
    wrk -t"$t" -c"$c" -d"${DURATION}s" --timeout 5s -s "$TMP/queries.lua" "$URL" -- "$TED/queries.txt" \
        > "$TMP/wrk.$c" 2>&1
    read -r _ rps p50 p99 non2xx sockerr timeouts < <(grep '^RESULT' "$TMP/wrk.$c")
    printf '| %d | %s | %s | %s | %d | %d |\n' "$c" "$(calc "$rps" 0)" "$(calc "$p50 / 1000" 2)" \
        "$(calc "$p99 / 1000" 2)" "$non2xx" "$((sockerr + timeouts))"
done

hwm=$(status_kb VmHWM)
anon=$(status_kb RssAnon)
file=$(status_kb RssFile)
peak_anon=$(cat "$TMP/anon.peak" 2> /dev/null || echo "$anon")
echo
echo "server memory: VmHWM (peak RSS, incl. mapped index pages) $(calc "$hwm / 1024") MiB;" \
    "now RssAnon $(calc "$anon / 1024") MiB, RssFile $(calc "$file / 1024") MiB"
echo "peak RssAnon during the runs (RSS excluding the mapped index): $(calc "$peak_anon / 1024") MiB;" \
    "VmHWM - RssFile: $(calc "($hwm - $file) / 1024") MiB"
cache=$(curl -s "$URL/api/stats" | sed -n 's/.*"cache":{\([^}]*\)}.*/\1/p')
echo "response cache: ${cache:-(not reported)}"
