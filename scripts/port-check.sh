#!/bin/sh
# port-check.sh PORT: exits 0 when nothing listens on 127.0.0.1:PORT, else
# says what does and exits 1.  `make run` asks before it rebuilds the index
# and serves, so that a second `make run` stops at once with a reason
# instead of failing with "Address already in use" after the index work.
port=${1:?usage: port-check.sh PORT}
command -v curl > /dev/null 2>&1 || exit 0 # the server's own error then says it
curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2> /dev/null
rc=$?
[ "$rc" -eq 7 ] && exit 0 # could not connect: free
what="another program"
if curl -s --max-time 2 "http://127.0.0.1:$port/healthz" 2> /dev/null | grep -q '"status":"ok"'; then
    what="a Lectern server (perhaps an earlier make run: stop it with Ctrl-C)"
fi
who=""
if command -v ss > /dev/null 2>&1; then
    who=$(ss -ltnpH "sport = :$port" 2> /dev/null | sed -n 's/.*users:((\("[^"]*",pid=[0-9]*\).*/\1/p' | head -1)
fi
echo "make run: port $port is in use by $what${who:+ ($who)}." >&2
echo "make run: serve on another port with: make run PORT=8081" >&2
exit 1
