#!/bin/bash
# Soak: a server on loopback under mixed reads and writes for a bounded
# time, printing its resident memory every few seconds.  Not a ctest case
# (it runs for a minute by default); run it by hand:
#   bash tests/reliability/soak.sh build/lectern-server build/lectern-index [SECONDS]
# Every SOAK_REBUILD seconds (default 20; 0: never) the index is rebuilt
# with build --force under the load: the server must switch to the new file
# without a failed request, and close the old one (its memory and disk).
# Load: three readers (searches with varying offsets and limits, so the
# response cache both hits and misses; gets; related; tags; stats) and one
# writer
# (upserts over a rotating set of 200 ids, deletes, every 40th write a
# batch of 20).  Exits non-zero when a request fails unexpectedly (a
# status other than the expected one, or no answer), or when the RSS grew
# more than SOAK_RSS_GROWTH_KB (default 8192: 8 MiB) over its value at the
# first sample after the warm-up (SOAK_WARMUP seconds, default 10).  The
# response cache is held to 2 MiB (--cache-mb 2) so that it cannot pass
# for a leak; what the bound catches is printed at the end (the growth it
# allows per request served: on this 2-core machine ~2,400 requests a
# minute, so a leak of ~3.5 KB a request or more in a 60 s run; a longer
# run catches smaller ones).
SECONDS_WANTED=${3:-60}
set -- "$1" "$2"
. "$(dirname "$0")/../server/lib.sh"
CORPUS=$(cd "$(dirname "$0")/../../corpus" && pwd)
GROWTH_KB=${SOAK_RSS_GROWTH_KB:-8192}
WARMUP=${SOAK_WARMUP:-10}
INTERVAL=5
export LECTERN_TOKEN=soak-token
AUTH="Authorization: Bearer soak-token"

"$INDEXER" build --quiet --index "$TMP/index" "$CORPUS" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
start_server --index "$TMP/index" --quiet --cache-mb 2
echo "soak: server pid $PID on $BASE for $SECONDS_WANTED s (RSS bound: +$GROWTH_KB KiB after ${WARMUP} s)"
END=$(($(date +%s) + SECONDS_WANTED))
: > "$TMP/errors"

# check URL EXPECTED_STATUSES [curl args...]: one request; a status not in
# EXPECTED_STATUSES (e.g. "200" or "200 404") is logged.
check() {
    local url=$1 want=$2 st
    shift 2
    st=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$BASE$url")
    echo 1 >> "$TMP/count.w"
    case " $want " in *" $st "*) ;; *) echo "$(date +%T) $url: expected $want, got $st" >> "$TMP/errors" ;; esac
}

QUERIES=("gender pay gap" "racism in schools" "migration" "kestävä kehitys" "\"social sustainability\""
    "equality -covid" "tag:gender" "lang:fi" "wellbeing students" "interculturalism teachers"
    "discrimination OR racism" "climate" "speaker:\"Ahmed\"" "integration" "women in science")
IDS=($(sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' "$CORPUS"/lectures/*.jsonl | head -n 40))

urlenc() { printf '%s' "$1" | sed 's/%/%25/g;s/ /%20/g;s/"/%22/g;s/:/%3A/g;s/ä/%C3%A4/g'; }

# reader SEED: rounds of 24 requests, one curl (and one connection) a
# round, so the load is the server's and not process starts.
reader() {
    local n=0 q i args got me=$BASHPID
    local f=$TMP/round.$me
    RANDOM=$1
    while [ "$(date +%s)" -lt "$END" ]; do
        args=()
        for i in 1 2 3 4 5 6; do
            n=$((n + 1))
            q=${QUERIES[$((RANDOM % ${#QUERIES[@]}))]}
            args+=(-o /dev/null "$BASE/api/search?q=$(urlenc "$q")&offset=$((RANDOM % 5))&limit=$((1 + RANDOM % 20))")
            args+=(-o /dev/null "$BASE/api/lectures/${IDS[$((RANDOM % ${#IDS[@]}))]}")
            args+=(-o /dev/null "$BASE/api/lectures/${IDS[$((RANDOM % ${#IDS[@]}))]}/related?limit=5")
            case $((n % 3)) in
            0) args+=(-o /dev/null "$BASE/api/tags") ;;
            1) args+=(-o /dev/null "$BASE/api/stats") ;;
            2) args+=(-o /dev/null "$BASE/healthz") ;;
            esac
        done
        curl -s --max-time 30 -w '%{http_code} %{url_effective}\n' "${args[@]}" > "$f"
        got=$(grep -c . "$f")
        echo "$got" >> "$TMP/count.$me"
        grep -v '^200 ' "$f" | sed "s/^/$(date +%T) expected 200: /" >> "$TMP/errors"
        [ "$got" = 24 ] || echo "$(date +%T) a round answered $got of 24 requests" >> "$TMP/errors"
    done
}

writer() {
    local n=0 id body i last=""
    RANDOM=99
    while [ "$(date +%s)" -lt "$END" ]; do
        n=$((n + 1))
        id="soak-$((RANDOM % 200))"
        if [ $((n % 40)) = 0 ]; then
            body=""
            for i in $(seq 20); do
                body="$body{\"id\": \"soak-batch-$i\", \"title\": \"Batch $i round $n\", \"language\": \"en\", \"tags\": [\"equality\"], \"transcript\": \"batch lecture $i about equality and migration, round $n\"}"$'\n'
            done
            check "/api/lectures" 200 -H "$AUTH" -H 'Content-Type: application/x-ndjson' --data-binary "$body"
        elif [ $((n % 7)) = 0 ] && [ -n "$last" ]; then
            # 404 when a rebuild came between the upsert and the delete
            check "/api/lectures/$last" "200 404" -H "$AUTH" -X DELETE
            last=""
        else
            last=$id
            check "/api/lectures" 200 -H "$AUTH" --data-binary "{\"id\": \"$id\", \"title\": \"Soak lecture $n\", \"language\": \"en\", \"tags\": [\"wellbeing\", \"soak\"], \"speaker\": \"Soak Tester\", \"transcript\": \"round $n of the soak: wellbeing, equality and migration in European universities.\"}"
        fi
    done
}

reader 1 &
R1=$!
reader 2 &
R2=$!
reader 3 &
R3=$!
BG_PIDS="$R1 $R2 $R3"
# the writer deletes only the id it upserted just before (else 404)
writer &
W=$!
BG_PIDS="$BG_PIDS $W"
REBUILD=${SOAK_REBUILD:-20}
rebuilder() {
    local n=0
    while [ "$REBUILD" -gt 0 ] && sleep "$REBUILD" && [ "$(date +%s)" -lt "$END" ]; do
        n=$((n + 1))
        "$INDEXER" build --force --quiet --index "$TMP/index" "$CORPUS" > "$TMP/rebuild.out" 2>&1 ||
            echo "$(date +%T) rebuild $n failed: $(cat "$TMP/rebuild.out")" >> "$TMP/errors"
        echo "soak: rebuilt the index under load ($n)"
    done
}
rebuilder &
RB=$!
BG_PIDS="$BG_PIDS $RB"

rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$PID/status" 2> /dev/null; }
T0=$(date +%s)
BASE_RSS=""
MAX_RSS=0
while [ "$(date +%s)" -lt "$END" ]; do
    sleep $INTERVAL
    kill -0 "$PID" 2> /dev/null || { fail "the server died"; break; }
    r=$(rss)
    el=$(($(date +%s) - T0))
    [ -z "$BASE_RSS" ] && [ "$el" -ge "$WARMUP" ] && BASE_RSS=$r
    [ "$r" -gt "$MAX_RSS" ] && MAX_RSS=$r
    echo "soak: ${el}s rss ${r} KiB, $(wc -l < "$TMP/errors") failed requests"
    ok
done
wait $R1 $R2 $R3 $W 2> /dev/null
kill $RB 2> /dev/null
wait $RB 2> /dev/null
# old index files still mapped: at most one per pool thread that has not
# served a request since the last rebuild, and none after a few requests
for i in $(seq 8); do curl -s -o /dev/null "$BASE/api/search?q=x$i"; done
STALE=$(grep -c 'data.mdb (deleted)' "/proc/$PID/maps")
BG_PIDS=""
END_RSS=$(rss)
STATS=$(curl -s "$BASE/api/stats")
NREQ=$(cat "$TMP"/count.* | awk '{ n += $1 } END { print n }')
echo "soak: $NREQ requests in $(($(date +%s) - T0)) s; end rss $END_RSS KiB (after warm-up $BASE_RSS KiB, max $MAX_RSS KiB); replaced index files still mapped: $STALE"
echo "soak: $STATS"
if [ -s "$TMP/errors" ]; then
    head -n 20 "$TMP/errors" >&2
    fail "$(wc -l < "$TMP/errors") requests failed"
fi
[ -n "$BASE_RSS" ] || BASE_RSS=$END_RSS
echo "soak: RSS growth after the warm-up $((END_RSS - BASE_RSS)) KiB (bound $GROWTH_KB KiB, i.e. $((GROWTH_KB * 1024 / (NREQ > 0 ? NREQ : 1))) bytes a request over this run)"
[ $((END_RSS - BASE_RSS)) -le "$GROWTH_KB" ] ||
    fail "RSS grew by $((END_RSS - BASE_RSS)) KiB after the warm-up (bound $GROWTH_KB KiB)"
stop_server
done_ok
