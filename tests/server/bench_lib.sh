# bench_lib.sh -- sourced by the HTTP benchmarks (bench_http.sh,
# tests/bench/http_answers.sh, tests/bench/server_cpu.sh).

# start_uncached_server [ARGS]: starts $B/lectern-server on $IX on
# 127.0.0.1 at a free port with its response cache off (and ARGS, then
# SERVER_ARGS), sets PORT and SP (its pid), stops it (and removes $TMP)
# when the script exits, and waits until it answers.
start_uncached_server() {
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # shellcheck disable=SC2086 # SERVER_ARGS is words
    "$B/lectern-server" --index "$IX" --bind 127.0.0.1 --port "$PORT" --quiet --cache-mb 0 \
        "$@" ${SERVER_ARGS:-} 2> /dev/null &
    SP=$!
    trap 'kill $SP 2> /dev/null; wait $SP 2> /dev/null; [ -z "${TMP:-}" ] || rm -rf "$TMP"' EXIT
    for _ in $(seq 100); do
        curl -s -o /dev/null "http://127.0.0.1:$PORT/api/stats" && return 0
        sleep 0.2
    done
    echo "lectern-server did not answer on port $PORT" >&2
    return 1
}

# ask_log_once URL QUERIES CFG: GET URL/api/search once for every query of
# the log ("qid<TAB>query" or a bare query a line), over one keep-alive
# connection (curl -K CFG, the config written there), answers discarded.
ask_log_once() {
    URL=$1 python3 -c '
import os, sys, urllib.parse
for l in sys.stdin:
    q = l.rstrip("\n").split("\t", 1)[-1]
    if q:
        print("url = \"%s/api/search?q=%s\"\noutput = /dev/null" % (os.environ["URL"], urllib.parse.quote(q, safe="")))
' < "$2" > "$3"
    curl -s -K "$3"
}
