#!/bin/bash
# kill -9 harness (issue 11): kills `lectern-index add`, `lectern-index build
# --force`, `lectern-server` during POSTs, and `build --force` under a
# server taking POSTs (kind "rebuild"), at random moments, and after each
# kill checks that what every reader sees is a committed state:
#   - the index opens (lectern stats) and searches and gets work;
#   - its lecture count is one of the counts a committed state has
#     (add: before or after; build --force: the old or the new index;
#     server: the acknowledged POSTs, plus at most the one in flight;
#     rebuild: the old index and its POSTs, or the new one and the POSTs
#     after its install);
#   - every acknowledged POST is there (lectern get); after a rebuild
#     that installed, every POST acknowledged after the build exited;
#   - a server keeps answering through a rebuild (no failed POST) and
#     serves what the CLI sees;
#   - the index is still writable (the next trial writes to it).
# usage: killtest.sh SERVER INDEXER LECTERN CORPUS
# environment: KILL_TRIALS (default 10, per kind; ctest sets 6), KILL_SEED (default 1),
#   KILL_KINDS (default "add build server rebuild").
# ctest runs 6 of each (3 under the sanitizers); by hand, e.g. KILL_TRIALS=200.
. "$(dirname "$0")/../server/lib.sh" "$1" "$2"
LECTERN=${3:?usage: $0 SERVER INDEXER LECTERN CORPUS}
CORPUS=${4:?usage: $0 SERVER INDEXER LECTERN CORPUS}
TRIALS=${KILL_TRIALS:-10}
SEED=${KILL_SEED:-1}
KINDS=${KILL_KINDS:-add build server rebuild}
RANDOM=$SEED
export LECTERN_TOKEN=kill-token
AUTH="Authorization: Bearer kill-token"

# what(): the trial, for failure messages (with the seed to repeat it).
what() { echo "seed $SEED, $KIND trial $T"; }

docs() { "$LECTERN" stats --index "$1" 2> "$TMP/stats.err" | sed -n 's/^documents //p'; }

# msleep MAX: sleeps a random 0..MAX-1 milliseconds.
msleep() {
    local m=$(((RANDOM * 32768 + RANDOM) % $1))
    sleep "$((m / 1000)).$(printf '%03d' $((m % 1000)))"
}

# The base index (the corpus) and an input of new lectures: the corpus
# again under new ids, five times (a few hundred ms to index).
find "$CORPUS" -name '*.jsonl' -print0 | sort -z | xargs -0 cat > "$TMP/corpus.jsonl"
"$INDEXER" build --quiet --index "$TMP/base" "$TMP/corpus.jsonl" > "$TMP/out" 2>&1 || { cat "$TMP/out"; exit 1; }
rm -f "$TMP/base/lock.mdb"
BASE_DOCS=$(docs "$TMP/base")
for i in 1 2 3 4 5 6 7 8; do sed "s/\"id\": *\"/\"id\": \"k$i-/" "$TMP/corpus.jsonl"; done > "$TMP/more.jsonl"
MORE=$(grep -c '"id"' "$TMP/more.jsonl")

# Kill moments are drawn from 0 to 1.2 times how long each run takes here.
ms_of() {
    local t0
    t0=$(date +%s%N)
    "$@" > /dev/null 2>&1
    echo $((($(date +%s%N) - t0) / 1000000 * 12 / 10 + 10))
}
cp -r "$TMP/base" "$TMP/calib"
ADD_MS=$(ms_of "$INDEXER" add --quiet --index "$TMP/calib" "$TMP/more.jsonl")
BUILD_MS=$(ms_of "$INDEXER" build --force --quiet --index "$TMP/calib" "$TMP/more.jsonl")
rm -rf "$TMP/calib"

fresh() {
    rm -rf "$TMP/ix"
    cp -r "$TMP/base" "$TMP/ix"
}

# check_view ALLOWED...: the index opens, its count is one of ALLOWED,
# a search and a get work.  Sets N to the count.
check_view() {
    local a okc=0
    N=$(docs "$TMP/ix")
    [ -n "$N" ] || fail "$(what): the index does not open after the kill: $(cat "$TMP/stats.err")"
    for a in "$@"; do [ "$N" = "$a" ] && okc=1; done
    [ $okc = 1 ] || fail "$(what): $N lectures after the kill, not a committed state ($*)"
    "$LECTERN" search --index "$TMP/ix" --limit 3 "gender equality" > "$TMP/search.out" 2>&1 ||
        fail "$(what): search failed after the kill: $(cat "$TMP/search.out")"
    [ -s "$TMP/search.out" ] || fail "$(what): no search results after the kill"
    "$LECTERN" get --index "$TMP/ix" "$KNOWN_ID" > /dev/null 2>&1 ||
        fail "$(what): lectern get $KNOWN_ID failed after the kill"
    # ---- integrity check: run `lectern check` when this build has it
    # (issue 11's integrity check, another branch); until then the checks
    # above are the view's sanity check.
    if "$LECTERN" --help 2>&1 | grep -q 'lectern check'; then
        "$LECTERN" check --index "$TMP/ix" > "$TMP/check.out" 2>&1 ||
            fail "$(what): lectern check failed after the kill: $(cat "$TMP/check.out")"
    fi
    ok
}
KNOWN_ID=$(sed -n 's/^{"id": *"\([^"]*\)".*/\1/p' "$TMP/corpus.jsonl" | head -n 1)
[ -n "$KNOWN_ID" ] || { echo "no id in the corpus" >&2; exit 1; }

# ---- add: before or after, nothing between
add_trial() {
    fresh
    "$INDEXER" add --quiet --index "$TMP/ix" "$TMP/more.jsonl" > /dev/null 2>&1 &
    local p=$!
    msleep "$ADD_MS"
    kill -9 $p 2> /dev/null
    wait $p 2> /dev/null
    check_view "$BASE_DOCS" $((BASE_DOCS + MORE))
    [ "$N" = $((BASE_DOCS + MORE)) ] && COMPLETED=$((COMPLETED + 1))
}

# ---- build --force: the old index or the new one; the next build runs
build_trial() {
    fresh
    "$INDEXER" build --force --quiet --index "$TMP/ix" "$TMP/more.jsonl" > /dev/null 2>&1 &
    local p=$!
    msleep "$BUILD_MS"
    kill -9 $p 2> /dev/null
    wait $p 2> /dev/null
    KNOWN_SAVE=$KNOWN_ID
    # the new index holds the k1- copies, not the corpus ids
    [ "$(docs "$TMP/ix")" = "$MORE" ] && KNOWN_ID=k1-$KNOWN_SAVE && COMPLETED=$((COMPLETED + 1))
    check_view "$BASE_DOCS" "$MORE"
    KNOWN_ID=$KNOWN_SAVE
    # a killed build leaves work files; the next build removes them
    if [ $((T % 4)) = 0 ]; then
        "$INDEXER" build --force --quiet --index "$TMP/ix" "$TMP/corpus.jsonl" > "$TMP/out" 2>&1 ||
            fail "$(what): build --force after a killed build failed: $(cat "$TMP/out")"
        [ "$(docs "$TMP/ix")" = "$BASE_DOCS" ] || fail "$(what): the build after the kill is wrong"
    fi
}

# ---- the server killed during POSTs: every acknowledged POST is there
server_trial() {
    fresh
    start_server --index "$TMP/ix" --quiet
    : > "$TMP/acked"
    (
        i=0
        while :; do
            i=$((i + 1))
            id="post-$T-$i"
            out=$(curl -s --max-time 5 -H "$AUTH" -o - -w '\n%{http_code}' \
                --data-binary "{\"id\": \"$id\", \"title\": \"Posted $i\", \"language\": \"en\", \"transcript\": \"posted during trial $T\"}" \
                "$BASE/api/lectures") || break
            case "$out" in *'"indexed":1'*$'\n'200) echo "$id" >> "$TMP/acked" ;; *) break ;; esac
        done
    ) &
    local client=$!
    msleep 800
    kill -9 "$PID" 2> /dev/null
    wait "$PID" 2> /dev/null
    PIDS=$(echo "$PIDS" | sed "s/ $PID\b//")
    wait $client 2> /dev/null
    local acked id
    acked=$(wc -l < "$TMP/acked")
    check_view $((BASE_DOCS + acked)) $((BASE_DOCS + acked + 1))
    while read -r id; do
        "$LECTERN" get --index "$TMP/ix" "$id" > /dev/null 2>&1 ||
            fail "$(what): acknowledged POST $id is missing after the kill ($acked acknowledged)"
    done < "$TMP/acked"
    ACKED=$((ACKED + acked))
}

echo "add takes ~$((ADD_MS * 10 / 12)) ms, build --force ~$((BUILD_MS * 10 / 12)) ms here; $MORE lectures"
# ---- build --force killed under a server taking POSTs
rebuild_trial() {
    fresh
    start_server --index "$TMP/ix" --quiet
    : > "$TMP/acked"
    : > "$TMP/bad"
    rm -f "$TMP/stop" "$TMP/built"
    (
        i=0
        while [ ! -e "$TMP/stop" ]; do
            i=$((i + 1))
            id="rb-$T-$i"
            out=$(curl -s --max-time 20 -H "$AUTH" -w ' %{http_code}' \
                --data-binary "{\"id\": \"$id\", \"title\": \"Posted $i\"}" "$BASE/api/lectures")
            case "$out" in
            *'"indexed":1'*' 200') echo "$id" >> "$TMP/acked" ;;
            *) echo "$id: $out" >> "$TMP/bad" ;;
            esac
        done
    ) &
    local client=$! b n after id
    msleep 300
    # the build in a subshell that notes how many POSTs were acknowledged
    # when it returned; the kill goes to the build's own pid
    rm -f "$TMP/bpid"
    (
        "$INDEXER" build --force --quiet --index "$TMP/ix" "$TMP/more.jsonl" > /dev/null 2>&1 &
        echo $! > "$TMP/bpid"
        wait $! && wc -l < "$TMP/acked" > "$TMP/built"
    ) 2> /dev/null &
    b=$!
    msleep "$BUILD_MS"
    for _ in $(seq 100); do [ -s "$TMP/bpid" ] && break; sleep 0.01; done
    kill -9 "$(cat "$TMP/bpid")" 2> /dev/null
    wait $b 2> /dev/null
    sleep 0.3
    touch "$TMP/stop"
    wait $client 2> /dev/null
    [ -s "$TMP/bad" ] && fail "$(what): POSTs failed during the rebuild: $(head -n 2 "$TMP/bad")"
    req GET /api/stats
    n=$(docs "$TMP/ix")
    expect_body "\"documents\":$n," "$(what): the server serves what the CLI sees ($n lectures)"
    stop_server
    local acked
    acked=$(wc -l < "$TMP/acked")
    if "$LECTERN" get --index "$TMP/ix" "$KNOWN_ID" > /dev/null 2>&1; then
        # the old index: every acknowledged POST is there
        check_view $((BASE_DOCS + acked)) $((BASE_DOCS + acked + 1))
        [ -e "$TMP/built" ] && fail "$(what): the build finished but the old index is served"
        while read -r id; do
            "$LECTERN" get --index "$TMP/ix" "$id" > /dev/null 2>&1 ||
                fail "$(what): acknowledged POST $id is missing"
        done < "$TMP/acked"
    else
        # the new index: the POSTs after the install are there (those
        # acknowledged after the build returned, for certain; when it was
        # killed between its install and its exit, the moment of the
        # install is not known here, and only the count is checked)
        COMPLETED=$((COMPLETED + 1))
        after=$acked
        [ -e "$TMP/built" ] && after=$(cat "$TMP/built")
        for id in $(tail -n +$((after + 2)) "$TMP/acked"); do
            "$LECTERN" get --index "$TMP/ix" "$id" > "$TMP/get.out" 2>&1 ||
                fail "$(what): $id, acknowledged after the rebuild returned (with $after acknowledged), is missing: $(cat "$TMP/get.out"); acknowledged: $(tr '\n' ' ' < "$TMP/acked")"
        done
        [ "$n" -ge "$MORE" ] && [ "$n" -le $((MORE + acked)) ] ||
            fail "$(what): $n lectures in the rebuilt index (built $MORE, $acked POSTs)"
        ok
    fi
    ACKED=$((ACKED + acked))
}

for KIND in $KINDS; do
    COMPLETED=0
    ACKED=0
    t0=$(date +%s%N)
    for T in $(seq "$TRIALS"); do
        "${KIND}_trial"
    done
    ms=$((($(date +%s%N) - t0) / 1000000))
    case $KIND in
    server) echo "kill -9 $KIND: $TRIALS trials (seed $SEED), $ACKED acknowledged POSTs all present, $ms ms" ;;
    rebuild) echo "kill -9 build --force under a server: $TRIALS trials (seed $SEED), $COMPLETED installed before the kill, $ACKED POSTs acknowledged, none failed, $ms ms" ;;
    *) echo "kill -9 $KIND: $TRIALS trials (seed $SEED), $COMPLETED completed before the kill, the rest left the old state, $ms ms" ;;
    esac
done
done_ok
