#!/bin/bash
# server_cpu.sh -- the server's CPU per uncached request under wrk (not a
# ctest case): utime + stime of lectern-server over wrk's request count.
#
#   tests/bench/server_cpu.sh BUILD_DIR INDEX [CONNS] [SECONDS]   (64, 5)
#
# Starts BUILD_DIR/lectern-server on INDEX (127.0.0.1, a free port, cache
# off, no per-address limit; SERVER_ARGS adds options), asks every query of
# the TED log once (first-use work such as the FreeDict dictionaries is not
# counted), runs wrk for 2 s, then reads /proc/PID/stat around a wrk run of
# SECONDS at CONNS connections (the log walked as bench_http.sh walks it)
# and prints one line: microseconds of server CPU a request (user, sys),
# requests/s, wrk's p99.  On a shared machine these move by 10% between
# runs of one build: alternate the builds compared, several rounds, and
# compare medians.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=$(cd "$1" && pwd)
IX=$2
C=${3:-64}
D=${4:-5}
QUERIES=${QUERIES:-${LECTERN_SHARED:-$ROOT/../shared/data}/ted/queries.txt}
command -v wrk > /dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-cpu.XXXXXX")
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$B/lectern-server" --index "$IX" --bind 127.0.0.1 --port "$PORT" --quiet --cache-mb 0 \
    --max-connections-per-ip 0 ${SERVER_ARGS:-} 2> /dev/null &
SP=$!
trap 'kill $SP 2> /dev/null; wait $SP 2> /dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/api/stats" && break
    sleep 0.2
done
U=http://127.0.0.1:$PORT
cat > "$TMP/q.lua" <<'LUA'
local paths, i, counter = {}, 1, 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
local function encode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
function init(args)
  for line in io.lines(args[1]) do
    local q = line:match("\t(.*)$") or line
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
  io.write(string.format("RESULT %.1f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(99), summary.requests))
end
LUA
URL=$U python3 -c '
import os, sys, urllib.parse
for l in sys.stdin:
    q = l.rstrip("\n").split("\t", 1)[-1]
    if q:
        print("url = \"%s/api/search?q=%s\"\noutput = /dev/null" % (os.environ["URL"], urllib.parse.quote(q, safe="")))
' < "$QUERIES" > "$TMP/warm.cfg"
curl -s -K "$TMP/warm.cfg"
wrk -t2 -c"$C" -d2s -s "$TMP/q.lua" "$U" -- "$QUERIES" > /dev/null
read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$SP/stat")
wrk -t2 -c"$C" -d"${D}s" -s "$TMP/q.lua" "$U" -- "$QUERIES" > "$TMP/wrk.out"
read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$SP/stat")
read -r _ rps p99 n < <(grep '^RESULT' "$TMP/wrk.out")
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v r="$rps" -v p="$p99" -v t="$(getconf CLK_TCK)" \
    'BEGIN { printf "cpu/req %.1f us (user %.1f, sys %.1f); %.0f requests/s; p99 %.1f ms; %d requests\n",
             (u + s) / t / n * 1e6, u / t / n * 1e6, s / t / n * 1e6, r, p / 1000, n }'
