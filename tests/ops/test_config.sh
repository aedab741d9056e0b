#!/bin/bash
# --config FILE (INI, read with libinih; flags win), --log-level, and
# SIGHUP: the config file and the token file read again.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

build_index "$TMP/index"
printf 'first-token\n' > "$TMP/token"
cat > "$TMP/lectern.conf" <<CONF
# a comment
[server]
index = $TMP/index
token-file = $TMP/token
log-level = warn
max-limit = 5
read-only = false
cors-origin = https://a.example
cors-origin = https://b.example
CONF

# ---- the file's options apply
start_server --config "$TMP/lectern.conf"
req GET '/api/search?q=&limit=6'
expect_error 400 bad_parameter "max-limit = 5 from the file"
req GET '/api/search?q=&limit=5' -H 'Origin: https://b.example'
expect_status 200 "limit 5"
expect_header Access-Control-Allow-Origin "https://b.example" "a repeated cors-origin"
req POST /api/lectures -H "Authorization: Bearer first-token" --data-binary '{"id": "c-01", "title": "Config"}'
expect_status 200 "token-file from the file"
sleep 0.2
grep -q '^GET /api/search' "$LOG" && fail "log-level = warn still writes the access log"
ok

# ---- SIGHUP: a new token and a new log level
printf 'second-token\n' > "$TMP/token"
sed -i 's/^log-level = warn/log-level = info/; s/^max-limit = 5/max-limit = 7/' "$TMP/lectern.conf"
kill -HUP "$PID"
wait_for grep -q 'SIGHUP: reloaded' "$LOG" || fail "no reload line after SIGHUP"
req POST /api/lectures -H "Authorization: Bearer first-token" --data-binary '{"id": "c-02", "title": "Config"}'
expect_error 401 unauthorized "the old token after SIGHUP"
req POST /api/lectures -H "Authorization: Bearer second-token" --data-binary '{"id": "c-02", "title": "Config"}'
expect_status 200 "the new token after SIGHUP"
req GET '/api/search?q=&limit=7'
expect_status 200 "max-limit 7 after SIGHUP"
wait_for grep -Eq '^GET /api/search 200 [0-9]+ [0-9]+ (hit|miss)$' "$LOG" || fail "log-level = info after SIGHUP writes the access log"
ok

# ---- a broken file on SIGHUP changes nothing, and the server lives
printf 'no-such-option = 1\n' >> "$TMP/lectern.conf"
kill -HUP "$PID"
wait_for grep -q 'nothing changed' "$LOG" || fail "no complaint about the broken file"
req POST /api/lectures -H "Authorization: Bearer second-token" --data-binary '{"id": "c-03", "title": "Config"}'
expect_status 200 "the token still works after a bad reload"
stop_server

# ---- flags win over the file
sed -i '/no-such-option/d' "$TMP/lectern.conf"
start_server --config "$TMP/lectern.conf" --max-limit 2 --log-level error
req GET '/api/search?q=&limit=3'
expect_error 400 bad_parameter "--max-limit 2 wins over max-limit = 7"
stop_server

# ---- errors name the file and line
printf '[server]\nport = 99999\n' > "$TMP/bad.conf"
"$SERVER" --config "$TMP/bad.conf" --index "$TMP/index" 2> "$TMP/err" && fail "a bad port in the file was taken"
grep -q "port" "$TMP/err" && grep -q "bad.conf" "$TMP/err" || fail "the error does not name the option and file: $(cat "$TMP/err")"
printf '[other]\nport = 1\n' > "$TMP/bad.conf"
"$SERVER" --config "$TMP/bad.conf" --index "$TMP/index" 2> "$TMP/err" && fail "an unknown section was taken"
grep -q "bad.conf:2" "$TMP/err" || fail "the error does not give the line: $(cat "$TMP/err")"
"$SERVER" --config "$TMP/missing.conf" 2> "$TMP/err" && fail "a missing config file was taken"
"$SERVER" --index "$TMP/index" --log-level loud 2> "$TMP/err" && fail "--log-level loud was taken"
grep -q "error, warn, info or debug" "$TMP/err" || fail "--log-level error: $(cat "$TMP/err")"
ok
done_ok
