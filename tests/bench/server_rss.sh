#!/bin/sh
# server_rss.sh: lectern-server's memory on a big index (issue 17: "the
# server's RSS outside the map bounded").  A benchmark, not a test.
#
#   tests/bench/server_rss.sh SERVER INDEX QUERIES [N] [SERVER ARGS...]
#
# Starts SERVER on INDEX (127.0.0.1, a free port), sends the first N (default
# 2000) queries of QUERIES (one a line) as GET /api/search with snippets and
# facets (the API's defaults), each followed by GET /api/lectures/{top
# hit}/related, over one keep-alive connection, and samples /proc/PID/status
# every 0.2 s.  Prints, in MiB: RssAnon (the heap: everything outside the
# mapped index), RssFile (index pages mapped in, the page cache's: they
# come and go with use and are not the process's to bound) and VmHWM, after
# start and at the end, and the largest RssAnon seen.  The server is stopped
# (SIGTERM) before it exits.
set -eu
server=$1
index=$2
queries=$3
n=${4:-2000}
[ $# -ge 4 ] && shift 4 || shift 3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lectern-rss.XXXXXX")
pid=""
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
"$server" --bind 127.0.0.1 --port 0 --index "$index" "$@" 2>"$tmp/log" &
pid=$!
port=""
for _ in $(seq 600); do
    port=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$#\1#p' "$tmp/log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$port" ] || { echo "server_rss: no 'listening on' line" >&2; exit 1; }
mem() { # mem LABEL: RssAnon, RssFile, VmHWM in MiB
    awk -v l="$1" '/^(RssAnon|RssFile|VmHWM):/ { v[$1] = $2 / 1024 }
        END { printf "%s: RssAnon %.1f MiB, RssFile %.1f MiB, VmHWM %.1f MiB\n", l,
              v["RssAnon:"], v["RssFile:"], v["VmHWM:"] }' "/proc/$pid/status"
}
mem "started"
(
    peak=0
    while kill -0 "$pid" 2>/dev/null && [ ! -f "$tmp/done" ]; do
        a=$(awk '/^RssAnon:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        [ "${a:-0}" -gt "$peak" ] && peak=$a && echo "$peak" >"$tmp/peak"
        sleep 0.2
    done
) &
sampler=$!
python3 - "$port" "$queries" "$n" <<'PY'
import http.client, json, sys, time, urllib.parse
port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
qs = [l.rstrip("\n").split("\t")[-1] for l in open(path, encoding="utf-8") if l.strip()][:n]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
t0, bad, rel = time.time(), 0, 0
for q in qs:
    c.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
    r = c.getresponse()
    body = r.read()
    if r.status != 200:
        bad += 1
        continue
    hits = json.loads(body).get("results") or []
    if hits:
        c.request("GET", "/api/lectures/" + urllib.parse.quote(hits[0]["id"], safe="") + "/related")
        r = c.getresponse()
        r.read()
        rel += r.status == 200
print(f"{len(qs)} searches ({bad} not 200), {rel} related, {time.time() - t0:.1f} s")
PY
touch "$tmp/done"
wait "$sampler"
mem "after"
echo "largest RssAnon seen: $(awk '{ printf "%.1f MiB", $1 / 1024 }' "$tmp/peak" 2>/dev/null || echo "?")"
