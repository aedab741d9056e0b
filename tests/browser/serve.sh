# serve.sh -- sourced by the browser scripts: indexes the sample corpus and
# starts lectern-server on 127.0.0.1 and a free port (BASE), stopped at exit.
# The caller sets build (the build folder) and src (the source tree).
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-browser.XXXXXX")
server_pid=""
stop_server() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap stop_server EXIT
trap 'exit 1' INT TERM
"$build/lectern-index" build --quiet --index "$work/idx" "$src/corpus/" >"$work/index.log" 2>&1 ||
    { cat "$work/index.log"; echo "FAIL: cannot index the corpus"; exit 1; }
"$build/lectern-server" --index "$work/idx" --bind 127.0.0.1 --port 0 2>"$work/server.log" &
server_pid=$!
BASE=""
for _ in $(seq 100); do
    BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$work/server.log" | head -1)
    [ -n "$BASE" ] && break
    sleep 0.1
done
[ -n "$BASE" ] || { cat "$work/server.log"; echo "FAIL: the server did not start"; exit 1; }
export LECTERN_NODE="$build/node"
