#!/bin/bash
# Slowloris (issue 11, item 4): 1,500 connections from one address, each
# sending one header line a second and never finishing its head, must not
# keep others from being served.  Checks, in a few seconds:
# - during the attack (from 127.0.0.2), /healthz and a search from
#   127.0.0.1 answer 200 within 2 s: the attacker holds at most
#   2 x --max-connections-per-ip of the slots, the rest are refused;
# - one address over --max-connections-per-ip gets 429 too_many_connections;
# - a head that trickles in is cut at --header-timeout, a body at
#   --body-timeout;
# - with no per-address limit, the header deadline frees the slots: once
#   it has passed, /healthz answers again although the attack goes on.
. "$(dirname "$0")/lib.sh"

command -v python3 > /dev/null 2>&1 || { echo "SKIP [$TEST]: no python3"; exit 0; }
LORIS="python3 $(dirname "$0")/slowloris.py"
build_index "$TMP/index"

# timed GET PATH: sets STATUS and SECS (curl's total time) from 127.0.0.1
timed() {
    local out
    out=$(curl -s -o /dev/null --interface 127.0.0.1 --max-time 10 -w '%{http_code} %{time_total}' \
        "$BASE$1") || true
    STATUS=${out%% *}
    SECS=${out##* }
}

in_time() {
    awk -v s="$SECS" 'BEGIN { exit !(s < 2.0) }' || fail "$1 took ${SECS}s"
    ok
}

# ---- defaults (64 per address): 1,500 slow connections from one address
start_server --index "$TMP/index" --quiet --threads 2
# The first search waits for the dictionaries the server loads at start
# (seconds under the sanitizers): asked, untimed, before the attack.
STATUS=$(curl -s -o /dev/null --max-time 120 -w '%{http_code}' "$BASE/api/search?q=gender+equality") || true
[ "$STATUS" = 200 ] || fail "a search before the attack: status $STATUS"
$LORIS "$PORT" attack 1500 2 127.0.0.2 > "$TMP/attack.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
ATTACK=$!
for _ in $(seq 50); do grep -q attacking "$TMP/attack.out" && break; sleep 0.1; done
grep -q attacking "$TMP/attack.out" || fail "the attack did not start: $(cat "$TMP/attack.out")"
echo "$(head -n 1 "$TMP/attack.out")"
for i in 1 2 3; do
    timed '/healthz'
    [ "$STATUS" = 200 ] || fail "healthz during the attack: status $STATUS"
    in_time "healthz during the attack"
    timed '/api/search?q=gender+equality'
    [ "$STATUS" = 200 ] || fail "a search during the attack: status $STATUS"
    in_time "a search during the attack"
    echo "during the attack: search answered in ${SECS}s"
    sleep 0.5
done
wait "$ATTACK"
cat "$TMP/attack.out"
opened=$(sed -n 's/^opened=\([0-9]*\).*/\1/p' "$TMP/attack.out")
[ -n "$opened" ] && [ "$opened" -le 128 ] ||
    fail "one address held $opened connections, more than 2 x 64"
ok

# ---- over the per-address limit: 429 with a reason.  From another
# address: libmicrohttpd may take a while to see that the attack's
# connections were closed (the header deadline ends them at the latest).
out=$($LORIS "$PORT" perip 64 127.0.0.3)
case "$out" in
*" 429 "*too_many_connections*) ok ;;
*) fail "the 65th connection of one address: expected 429 too_many_connections, got: $out" ;;
esac
case "$out" in
*"Retry-After: 1"*"Connection: close"* | *"Connection: close"*"Retry-After: 1"*) ok ;;
*) fail "a 429 says when to retry and closes: $out" ;;
esac
req GET '/healthz'
expect_status 200 "another address is served meanwhile"
stop_server

# ---- the header and body deadlines
printf 's3cret-token\n' > "$TMP/token"
start_server --index "$TMP/index" --quiet --header-timeout 1 --body-timeout 2 \
    --token-file "$TMP/token"
secs=$($LORIS "$PORT" deadline 5 127.0.0.2)
awk -v s="$secs" 'BEGIN { exit !(s >= 0.9 && s < 3.5) }' ||
    fail "a trickling head was closed after ${secs}s, expected about 1 s (--header-timeout 1)"
ok
echo "a trickling head was cut after ${secs}s (--header-timeout 1)"
secs=$($LORIS "$PORT" body 6 127.0.0.2 s3cret-token)
awk -v s="$secs" 'BEGIN { exit !(s >= 1.9 && s < 4.5) }' ||
    fail "a trickling body was closed after ${secs}s, expected about 2 s (--body-timeout 2)"
ok
echo "a trickling body was cut after ${secs}s (--body-timeout 2)"
req GET '/api/stats'
expect_body '"connections_timed_out":2' "stats count the connections cut"
stop_server

# ---- no per-address limit: the deadline alone gives the slots back.
# 250 slow connections: 200 fill --max-connections, 50 more are over it
# (libmicrohttpd accepts up to 264 here; past that they would wait in the
# kernel's queue, and so would everyone behind them).
start_server --index "$TMP/index" --quiet --max-connections-per-ip 0 --max-connections 200 \
    --header-timeout 3
$LORIS "$PORT" attack 250 4 127.0.0.2 > "$TMP/attack2.out" 2>&1 &
BG_PIDS="$BG_PIDS $!"
ATTACK=$!
for _ in $(seq 50); do grep -q attacking "$TMP/attack2.out" && break; sleep 0.1; done
T0=$(date +%s.%N) # every slow request line was sent before this
timed '/healthz'
[ "$STATUS" = 503 ] || fail "with every slot taken, expected 503 over_capacity, got $STATUS"
ok
sleep "$(awk -v t0="$T0" -v now="$(date +%s.%N)" 'BEGIN { d = t0 + 4 - now; print (d > 0 ? d : 0) }')"
timed '/healthz'
[ "$STATUS" = 200 ] || fail "after the header deadline, expected 200, got $STATUS"
in_time "healthz after the deadline"
wait "$ATTACK"
cat "$TMP/attack2.out"
stop_server

done_ok
