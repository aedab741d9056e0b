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
. "$ROOT/tests/server/bench_lib.sh"
start_uncached_server --max-connections-per-ip 0
U=http://127.0.0.1:$PORT
ask_log_once "$U" "$QUERIES" "$TMP/warm.cfg"
wrk -t2 -c"$C" -d2s -s "$ROOT/tests/server/log_queries.lua" "$U" -- "$QUERIES" > /dev/null
read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$SP/stat")
wrk -t2 -c"$C" -d"${D}s" -s "$ROOT/tests/server/log_queries.lua" "$U" -- "$QUERIES" > "$TMP/wrk.out"
read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$SP/stat")
read -r _ rps _ p99 _ _ _ n < <(grep '^RESULT' "$TMP/wrk.out")
awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v r="$rps" -v p="$p99" -v t="$(getconf CLK_TCK)" \
    'BEGIN { printf "cpu/req %.1f us (user %.1f, sys %.1f); %.0f requests/s; p99 %.1f ms; %d requests\n",
             (u + s) / t / n * 1e6, u / t / n * 1e6, s / t / n * 1e6, r, p / 1000, n }'
