#!/bin/bash
# http_answers.sh -- every answer of the TED log from a lectern-server, for
# comparing two builds byte for byte (not a ctest case).
#
#   tests/bench/http_answers.sh BUILD_DIR INDEX OUT
#
# Starts BUILD_DIR/lectern-server on INDEX (127.0.0.1, a free port,
# response cache off) and asks GET /api/search for each query of the TED
# log, then for each again with offset=10&limit=20: 4,000 answers into OUT,
# each as its status and headers (Date and Content-Length left out) on one
# line, then its body with "took_ms" set to 0.  Two builds answer alike
# when their OUT files are cmp-identical (each on an index built by its
# own lectern-index from the same data).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
B=$(cd "$1" && pwd)
IX=$2
OUT=$3
QUERIES=${QUERIES:-${LECTERN_SHARED:-$ROOT/../shared/data}/ted/queries.txt}
. "$ROOT/tests/server/bench_lib.sh"
start_uncached_server
PORT=$PORT QUERIES=$QUERIES python3 - "$OUT" <<'PY'
import http.client, os, re, sys, urllib.parse
qs = [l.rstrip("\n").split("\t", 1)[-1] for l in open(os.environ["QUERIES"])]
qs = [q for q in qs if q]
c = http.client.HTTPConnection("127.0.0.1", int(os.environ["PORT"]))
n = 0
with open(sys.argv[1], "wb") as out:
    for extra in ("", "&offset=10&limit=20"):
        for q in qs:
            c.request("GET", "/api/search?q=" + urllib.parse.quote(q, safe="") + extra)
            r = c.getresponse()
            body = re.sub(rb'"took_ms":[0-9.eE+-]+', b'"took_ms":0', r.read())
            hdr = sorted((k.lower(), v) for k, v in r.getheaders()
                         if k.lower() not in ("date", "content-length"))
            out.write(b"%d %s\n%s\n" % (r.status, repr(hdr).encode(), body))
            n += 1
print(n, "answers")
PY
