#!/bin/bash
# One writable primary and two read-only replicas, each a lectern-server
# on its own copy of the index, behind nginx on loopback ports: reads go
# to the replicas, writes to the primary.  A write to the primary shows
# through nginx once lectern-ship has shipped a snapshot; with one replica
# killed, nginx keeps answering from the other.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

NGINX=$(command -v nginx || ls /usr/sbin/nginx 2> /dev/null) || skip "nginx missing (Debian package nginx)"

build_index "$TMP/primary"
printf 'admin-token\n' > "$TMP/token"
ADMIN="Authorization: Bearer admin-token"
mkdir "$TMP/snaps"
start_server --index "$TMP/primary" --token-file "$TMP/token" --snapshot-dir "$TMP/snaps"
P_PID=$PID P_BASE=$BASE P_PORT=$PORT

# the replicas start from a first shipment
SHIP="$SRC/scripts/lectern-ship --url $P_BASE --token-file $TMP/token --indexer $INDEXER"
$SHIP "$TMP/replica1" "$TMP/replica2" 2> "$TMP/ship.out" || fail "the first shipment: $(cat "$TMP/ship.out")"
start_server --index "$TMP/replica1" --read-only
R1_PID=$PID R1_PORT=$PORT
start_server --index "$TMP/replica2" --read-only
R2_PID=$PID R2_PORT=$PORT

# nginx: reads to the replicas, writes (and keys, snapshots) to the primary
NG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$TMP/nginx/logs"
USER_LINE=""
[ "$(id -u)" = 0 ] && USER_LINE="user root;"
sed -e "s/@USER@/$USER_LINE/" -e "s/@LISTEN@/127.0.0.1:$NG_PORT/" -e "s/@PRIMARY@/127.0.0.1:$P_PORT/" \
    -e "s/@REPLICA1@/127.0.0.1:$R1_PORT/" -e "s/@REPLICA2@/127.0.0.1:$R2_PORT/" \
    -e "s|@TMP@|$TMP/nginx|g" "$SRC/docs/examples/nginx-lectern.conf" > "$TMP/nginx/nginx.conf"
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g 'daemon off;' 2> "$TMP/nginx/stderr" &
NG_PID=$!
BG_PIDS="$BG_PIDS $NG_PID"
BASE=http://127.0.0.1:$NG_PORT
wait_for curl -s -o /dev/null "$BASE/healthz" || fail "nginx did not start: $(cat "$TMP/nginx/stderr")"
ok

req GET '/api/search?q=migration'
expect_status 200 "a search through nginx"
expect_body '"id":"mig-03"' "answered from a replica"
req POST /api/lectures -H "$ADMIN" --data-binary '{"id": "shipped-01", "title": "Shipped to the replicas", "language": "en", "tags": ["replication"], "transcript": "Lecture about snapshots and replication."}'
expect_status 200 "a write through nginx lands on the primary"
BASE=$P_BASE req GET /api/lectures/shipped-01
expect_status 200 "the primary has it"
req GET '/api/search?q=replication'
expect_body '"total":0' "the replicas do not have it before shipping"

$SHIP "$TMP/replica1" "$TMP/replica2" 2> "$TMP/ship.out" || fail "shipping: $(cat "$TMP/ship.out")"
cat "$TMP/ship.out"
for i in 1 2 3 4; do
    req GET '/api/search?q=replication'
    expect_body '"id":"shipped-01"' "after shipping, request $i through nginx sees the new lecture"
done

# a replica dies: nginx answers from the other
kill -KILL "$R1_PID"
wait "$R1_PID" 2> /dev/null
PIDS=$(echo "$PIDS" | sed "s/ $R1_PID\b//")
for i in 1 2 3 4 5 6; do
    req GET '/api/search?q=replication'
    expect_status 200 "request $i with replica 1 killed"
    expect_body '"id":"shipped-01"' "request $i answered by replica 2"
done
req GET /api/lectures/shipped-01
expect_status 200 "a lecture read with replica 1 killed"
echo "replicas: primary :$P_PORT, replica1 :$R1_PORT (killed), replica2 :$R2_PORT, nginx :$NG_PORT; $CHECKS checks"
PID=$R2_PID stop_server
PID=$P_PID stop_server
done_ok
