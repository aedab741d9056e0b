# lib.sh -- helpers for the lectern-server integration tests (sourced).
#
# Each test script is run by ctest as: bash test_X.sh SERVER INDEXER
# It builds a small index from the records below in its own temporary
# folder, starts the real server on 127.0.0.1 with --port 0, reads the
# port from the "listening on http://HOST:PORT" line, talks to it with curl
# and always stops it at exit (trap).  Assertions print what was expected
# and what came back; the first failure ends the test with status 1
# (with LECTERN_TEST_KEEP_GOING=1 every failure is listed, then status 1).

set -u
SERVER=${1:?usage: $0 SERVER INDEXER}
INDEXER=${2:?usage: $0 SERVER INDEXER}
TEST=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/lectern-$TEST.XXXXXX")
PIDS=""
BG_PIDS="" # helper processes of a test, killed at exit
FAILS=0
CHECKS=0

cleanup() {
    local p
    for p in $BG_PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $PIDS; do
        kill -TERM "$p" 2>/dev/null
    done
    for p in $PIDS; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL [$TEST]: $*" >&2
    if [ -n "${LOG:-}" ] && [ -f "$LOG" ]; then
        echo "--- last lines of the server log:" >&2
        tail -n 15 "$LOG" >&2
    fi
    FAILS=$((FAILS + 1))
    [ -n "${LECTERN_TEST_KEEP_GOING:-}" ] || exit 1
}

ok() {
    CHECKS=$((CHECKS + 1))
}

# The sample records: several languages, tags, one timed transcript.
write_records() {
    cat > "$TMP/lectures.jsonl" <<'JSON'
{"id": "gpg-01", "title": "The gender pay gap in European universities", "description": "Why women in academia still earn less, and what equal pay audits change.", "speaker": "Maria Lindqvist", "institution": "Uppsala University", "language": "en", "tags": ["gender", "equality", "higher education"], "url": "https://lectures.example.org/gpg-01", "duration": 2710, "date": "2023-03-08", "transcript": "The gender pay gap is the difference between the average earnings of women and men. In universities the gap grows with seniority. Equal pay audits make the gap visible and start the work of closing it."}
{"id": "rac-02", "title": "Everyday racism in schools", "description": "Pupils and teachers describe racism in the classroom and how schools respond.", "speaker": "Ahmed Yusuf", "institution": "Migrant NGO Forum", "language": "en", "tags": ["racism", "discrimination", "education"], "url": "https://lectures.example.org/rac-02", "duration": 1830, "segments": [{"start": 0.0, "end": 6.5, "text": "Welcome to this lecture about schools."}, {"start": 6.5, "end": 14.0, "text": "Many pupils meet everyday racism in the classroom."}, {"start": 75.0, "end": 82.5, "text": "Teachers can name discrimination when they see it."}]}
{"id": "mig-03", "title": "Migration and the welfare state", "description": "How migration shapes social policy and wellbeing in the Nordic countries.", "speaker": "Elena Petrova", "institution": "University of Helsinki", "language": "en", "tags": ["migration", "wellbeing", "equality"], "url": "https://lectures.example.org/mig-03", "duration": 3300, "transcript": "Migration changes the welfare state. Social policy and wellbeing of migrants depend on access to services, language courses and work."}
{"id": "kes-04", "title": "Kestävä kehitys ja sosiaalinen oikeudenmukaisuus", "description": "Sosiaalinen kestävyys kunnissa ja kouluissa.", "speaker": "Aino Virtanen", "institution": "Tampereen yliopisto", "language": "fi", "tags": ["sustainability", "equality"], "url": "https://lectures.example.org/kes-04", "duration": 2400, "transcript": "Kestävä kehitys tarkoittaa sosiaalista, taloudellista ja ekologista kestävyyttä. Sosiaalinen kestävyys vaatii tasa-arvoa."}
{"id": "int-05", "title": "Interculturalism in the classroom", "description": "Intercultural competence for teachers working with migrant pupils.", "speaker": "Ahmed Yusuf", "institution": "Migrant NGO Forum", "language": "en", "tags": ["interculturalism", "education", "migration"], "url": "https://lectures.example.org/int-05", "duration": 2100, "transcript": "Interculturalism asks teachers to see culture as a resource. Migrant pupils bring languages and stories into the classroom."}
JSON
}

# build_index DIR: indexes the sample records into DIR.
build_index() {
    write_records
    "$INDEXER" build --index "$1" "$TMP/lectures.jsonl" > "$TMP/index.out" 2>&1 ||
        { cat "$TMP/index.out" >&2; fail "lectern-index build failed"; }
}

# start_server ARGS...: starts the server in the background; sets PID, PORT,
# BASE and LOG.  The server is a child of this shell, so `wait $PID` gives
# its exit status.
start_server() {
    local i
    LOG=$TMP/server.$RANDOM.log
    "$SERVER" --bind 127.0.0.1 --port 0 "$@" 2> "$LOG" &
    PID=$!
    PIDS="$PIDS $PID"
    PORT=""
    for i in $(seq 100); do
        PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' "$LOG" | head -n 1)
        [ -n "$PORT" ] && break
        kill -0 "$PID" 2>/dev/null || fail "the server exited at start: $(cat "$LOG")"
        sleep 0.1
    done
    [ -n "$PORT" ] || fail "no 'listening on' line within 10 s"
    BASE="http://127.0.0.1:$PORT"
}

# stop_server: SIGTERM, then the exit status must be 0 within 10 s.
stop_server() {
    local rc i
    kill -TERM "$PID"
    for i in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$PID" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
    wait "$PID"
    rc=$?
    [ "$rc" -eq 0 ] || fail "the server exited with status $rc after SIGTERM"
    PIDS=$(echo "$PIDS" | sed "s/ $PID\b//")
}

# req METHOD PATH [curl args...]: sets STATUS, BODY and HEADERS.
req() {
    local method=$1 path=$2
    shift 2
    : > "$TMP/headers"
    BODY=$(curl -s -S --max-time 20 -X "$method" -D "$TMP/headers" -o - -w '\n%{http_code}' \
        "$@" "$BASE$path") || fail "curl $method $path failed"
    STATUS=${BODY##*$'\n'}
    BODY=${BODY%$'\n'*}
    HEADERS=$(tr -d '\r' < "$TMP/headers")
}

expect_status() {
    [ "$STATUS" = "$1" ] || fail "$2: expected status $1, got $STATUS: $BODY"
    ok
}

# expect_body TEXT WHAT: the body contains TEXT (the API writes compact JSON).
expect_body() {
    case "$BODY" in
    *"$1"*) ok ;;
    *) fail "$2: expected the body to contain $1, got: $BODY" ;;
    esac
}

expect_no_body() {
    case "$BODY" in
    *"$1"*) fail "$2: expected the body not to contain $1, got: $BODY" ;;
    *) ok ;;
    esac
}

# expect_header NAME VALUE WHAT: a response header equals VALUE.
expect_header() {
    local v
    v=$(printf '%s\n' "$HEADERS" | grep -i "^$1:" | head -n 1 | sed 's/^[^:]*: *//')
    [ "$v" = "$2" ] || fail "$3: expected header $1: $2, got '$v'"
    ok
}

expect_no_header() {
    if printf '%s\n' "$HEADERS" | grep -qi "^$1:"; then
        fail "$2: unexpected header $1"
    fi
    ok
}

# expect_json WHAT: the body must parse as JSON.  Bodies are saved and
# checked together by done_ok (one python3 start, when python3 is here).
expect_json() {
    JSONS=$((${JSONS:-0} + 1))
    mkdir -p "$TMP/json"
    printf '%s' "$BODY" > "$TMP/json/$JSONS"
    printf '%s\n' "$1" > "$TMP/json/$JSONS.what"
    ok
}

check_json() {
    local bad
    [ -d "$TMP/json" ] && command -v python3 > /dev/null 2>&1 || return 0
    bad=$(python3 - "$TMP/json" <<'PY'
import json, os, sys
d = sys.argv[1]
for name in sorted(n for n in os.listdir(d) if n.isdigit()):
    try:
        with open(os.path.join(d, name), encoding="utf-8") as f:
            json.load(f)
    except ValueError as e:
        with open(os.path.join(d, name + ".what")) as w:
            print("%s: invalid JSON (%s)" % (w.read().strip(), e))
PY
)
    [ -z "$bad" ] || fail "$bad"
}

expect_error() {
    expect_status "$1" "$3"
    expect_body "{\"error\":{\"code\":\"$2\"" "$3"
    expect_header Content-Type "application/json; charset=utf-8" "$3"
    expect_json "$3"
}

done_ok() {
    check_json
    if [ "$FAILS" -gt 0 ]; then
        echo "FAIL [$TEST]: $FAILS failures, $CHECKS checks passed" >&2
        exit 1
    fi
    echo "PASS [$TEST]: $CHECKS checks"
    exit 0
}
