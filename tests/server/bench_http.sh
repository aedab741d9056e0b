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
# The server runs without its response cache (CACHE_MB=0, the default):
# every request is ranked, snippeted and faceted anew, as a site's long tail
# of distinct queries, every page past the first and every request after a
# write are.  CACHE_MB=32 (the server's default) lets the warm-up fill
# the cache, so the runs measure answers from it, as for visitors repeating
# popular queries.  The cache's hits and misses are printed at the end.
#
# The anchor (issue 17): in the same run, on the same cores, nginx (Debian
# `nginx`, 2 workers, access log off) serves one search answer of typical
# size (the median of 64 answers of the log, snippets and facets on) as a
# static file, driven by the same wrk script (the same request lines); the
# table gives nginx's requests/s beside Lectern's and their ratio.  NGINX=0
# (or no nginx installed) leaves it out.
#
# Environment: DURATION (s), CONNS ("1 8 64"), THREADS (server --threads),
# CACHE_MB (0), SERVER_ARGS (more server options), NGINX (1), QUERIES (the
# query log; default the shared TED log), LECTERN_SHARED (the shared data
# folder), KEEP=1 keeps the temp folder.
# Targets (issue 3): >= 10,000 requests/s at 64 connections, p99 <= 20 ms,
# zero non-2xx, RSS excluding the index < 64 MiB; issue 17: uncached, at
# least 0.25x nginx at 64 connections with p99 under 20 ms.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
. "$HERE/bench_lib.sh"
BUILD=$(cd "${1:-$ROOT/build}" 2> /dev/null && pwd) || { echo "no build folder ${1:-$ROOT/build}" >&2; exit 1; }
SHARED=${LECTERN_SHARED:-$ROOT/../shared/data}
TED=$SHARED/ted
DURATION=${DURATION:-20}
CONNS=${CONNS:-1 8 64}
CACHE_MB=${CACHE_MB:-0}
NGINX=${NGINX:-1}
QUERIES=${QUERIES:-$TED/queries.txt}
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX_BIN" ] || { [ "$NGINX" = 1 ] && echo "nginx is not installed (apt-get install nginx): no anchor" >&2; NGINX=0; }

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
NPID=""
cleanup() {
    [ -n "$SAMPLER" ] && kill "$SAMPLER" 2> /dev/null
    [ -n "$NPID" ] && kill -QUIT "$NPID" 2> /dev/null && wait "$NPID" 2> /dev/null
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
    --max-connections-per-ip 0 --cache-mb "$CACHE_MB" ${THREADS:+--threads "$THREADS"} ${SERVER_ARGS:-} \
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


calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }

# The anchor: nginx serving one answer of typical size as a static file.
# Its request lines are the log's (the same Lua script, the path's
# /api/search rewritten to the file): nginx ignores the query string.
start_nginx() {
    local q sizes np
    mkdir -p "$TMP/www/api" "$TMP/nginx"
    : > "$TMP/sizes"
    grep -v '^[[:space:]]*$' "$QUERIES" | sed 's/^[^\t]*\t//' | head -n 64 | while IFS= read -r q; do
        curl -s -o "$TMP/answer" -G --data-urlencode "q=$q" "$URL/api/search" &&
            echo "$(wc -c < "$TMP/answer") $q" >> "$TMP/sizes"
    done
    q=$(sort -n "$TMP/sizes" | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }' | cut -d' ' -f2-)
    curl -s -o "$TMP/www/api/search" -G --data-urlencode "q=$q" "$URL/api/search"
    chmod -R a+rX "$TMP/www" && chmod a+x "$TMP"
    np=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    cat > "$TMP/nginx/nginx.conf" <<NGX
worker_processes 2;
$([ "$(id -u)" = 0 ] && echo "user root root;")
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/body;
    proxy_temp_path $TMP/nginx/proxy;
    fastcgi_temp_path $TMP/nginx/fastcgi;
    uwsgi_temp_path $TMP/nginx/uwsgi;
    scgi_temp_path $TMP/nginx/scgi;
    default_type application/json;
    server {
        listen 127.0.0.1:$np;
        root $TMP/www;
        location / { }
    }
}
NGX
    "$NGINX_BIN" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2> "$TMP/nginx/start.log" &
    NPID=$!
    for _ in $(seq 50); do
        curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$np/api/search?q=x" 2> /dev/null | grep -q 200 && break
        sleep 0.1
    done
    if ! curl -s -f -o /dev/null "http://127.0.0.1:$np/api/search?q=x"; then
        cat "$TMP/nginx/start.log" "$TMP/nginx/error.log" >&2 2> /dev/null
        echo "nginx did not start: no anchor" >&2
        NGINX=0
        return
    fi
    NURL="http://127.0.0.1:$np"
    echo "== nginx (2 workers) on $NURL serves the answer to \"$q\" ($(wc -c < "$TMP/www/api/search") bytes, the median of $(wc -l < "$TMP/sizes") answers)"
}

# wrk_run URL CONNS OUT: one wrk run; sets rps p50 p99 non2xx sockerr timeouts.
wrk_run() {
    local t=$(($2 < 2 ? 1 : 2))
    wrk -t"$t" -c"$2" -d"${DURATION}s" --timeout 5s -s "$HERE/log_queries.lua" "$1" -- "$QUERIES" \
        > "$3" 2>&1
    read -r _ rps p50 p99 non2xx sockerr timeouts _ < <(grep '^RESULT' "$3")
}
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
[ "$NGINX" = 1 ] && start_nginx
# Warm-up: every query of the log once (one keep-alive connection), so
# that work done once per process on first use -- the FreeDict
# dictionaries that query language detection loads when a word is
# ambiguous ("toast doesn't sound very complicated", the 11th query of
# the TED log: some 4-5 s of CPU) -- is not measured as a search; then
# 3 s at 8 connections.
echo "== warm-up (the whole log once, then 3 s at 8 connections)"
ask_log_once "$URL" "$QUERIES" "$TMP/warm.cfg"
wrk -t2 -c8 -d3s -s "$HERE/log_queries.lua" "$URL" -- "$QUERIES" > /dev/null
echo "== lectern-server: response cache $([ "$CACHE_MB" = 0 ] && echo "off (every answer computed)" || echo "$CACHE_MB MiB")"

if [ "$NGINX" = 1 ]; then
    printf '\n| connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors | nginx requests/s | nginx p99 ms | Lectern/nginx |\n'
    printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
else
    printf '\n| connections | requests/s | p50 ms | p99 ms | non-2xx | socket errors |\n'
    printf '| ---: | ---: | ---: | ---: | ---: | ---: |\n'
fi
for c in $CONNS; do
    wrk_run "$URL" "$c" "$TMP/wrk.$c"
    line=$(printf '| %d | %s | %s | %s | %d | %d |' "$c" "$(calc "$rps" 0)" "$(calc "$p50 / 1000" 2)" \
        "$(calc "$p99 / 1000" 2)" "$non2xx" "$((sockerr + timeouts))")
    if [ "$NGINX" = 1 ]; then
        lrps=$rps
        wrk_run "$NURL" "$c" "$TMP/wrk-nginx.$c"
        line="$line $(calc "$rps" 0) | $(calc "$p99 / 1000" 2) | $(calc "$lrps / ($rps > 0 ? $rps : 1)" 3) |"
    fi
    echo "$line"
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
