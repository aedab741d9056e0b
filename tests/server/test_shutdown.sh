#!/bin/bash
# Clean shutdown: SIGTERM and SIGINT exit 0; a request in flight when the
# signal arrives is still answered; the port is closed afterwards; the
# index reopens with what was written.
. "$(dirname "$0")/lib.sh"

build_index "$TMP/index"
printf 'tok' > "$TMP/token"

# ---- SIGTERM with a request in flight: send the headers and half the body,
# signal, then the rest; the answer must still come, and be a success.
start_server --index "$TMP/index" --token-file "$TMP/token"
req GET '/api/search?q=gender'
expect_status 200 "a search before shutdown"
part1='{"id": "late-01", "title": "Sent across'
part2=' a shutdown", "transcript": "late"}'
exec 3<> "/dev/tcp/127.0.0.1/$PORT" || fail "cannot connect"
printf 'POST /api/lectures HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer tok\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    $((${#part1} + ${#part2})) "$part1" >&3
sleep 0.5
kill -TERM "$PID"
sleep 0.5
kill -0 "$PID" 2> /dev/null || fail "the server quit with a request in flight"
ok
printf '%s' "$part2" >&3
answer=$(timeout 10 cat <&3 | tr -d '\r')
exec 3>&-
case "$answer" in
"HTTP/1.1 200"*'"indexed":1'*) ok ;;
*) fail "the in-flight request was not answered: $answer" ;;
esac
for i in $(seq 100); do kill -0 "$PID" 2> /dev/null || break; sleep 0.1; done
kill -0 "$PID" 2> /dev/null && fail "the server did not stop after SIGTERM"
wait "$PID"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc after SIGTERM"
ok
PIDS=""
grep -q 'SIGTERM, shutting down' "$LOG" || fail "no shutdown message"
ok
if curl -s -o /dev/null --max-time 2 "$BASE/healthz"; then
    fail "the port still answers after shutdown"
fi
ok

# ---- SIGINT; the in-flight write is in the reopened index
start_server --index "$TMP/index"
req GET '/api/lectures/late-01'
expect_status 200 "the write made during shutdown was committed"
kill -INT "$PID"
for i in $(seq 100); do kill -0 "$PID" 2> /dev/null || break; sleep 0.1; done
wait "$PID"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc after SIGINT"
ok
PIDS=""

# ---- bad options fail with a message and a non-zero status
"$SERVER" --index "$TMP/no-such-index" --port 0 2> "$TMP/err" && fail "a missing index started"
grep -q 'no-such-index' "$TMP/err" || fail "no message for a missing index: $(cat "$TMP/err")"
ok
"$SERVER" --bogus 2> "$TMP/err" && fail "an unknown option was accepted"
grep -q 'unknown option' "$TMP/err" || fail "no message for an unknown option"
ok
"$SERVER" --help > "$TMP/help" || fail "--help failed"
grep -q -- '--max-connections' "$TMP/help" || fail "--help does not list the options"
ok

done_ok
