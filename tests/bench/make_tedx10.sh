#!/bin/sh
# make_tedx10.sh: writes TED x10, the TED talks repeated ten times (59,130
# lectures), for the latency-growth and bounded-memory benchmarks.
#
#   tests/bench/make_tedx10.sh [OUT] [SRC]
#
# OUT defaults to /tmp/lectern-bench/tedx10.jsonl; SRC to
# ../shared/data/ted/lectures.jsonl.gz beside the repository (gzip or plain
# JSON lines). Copy k (0..9) is the whole file with every id suffixed "-xk",
# so ids stay unique and the ten copies are otherwise identical. The output is
# written beside OUT and renamed into place, so a partial file never remains;
# an OUT that already has the expected number of lines is left alone.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-/tmp/lectern-bench/tedx10.jsonl}
src=${2:-$here/../../../shared/data/ted/lectures.jsonl.gz}
copies=10

if [ ! -r "$src" ]; then
    echo "make_tedx10: $src not found (the shared data set is absent)" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"

exec python3 - "$src" "$out" "$copies" <<'EOF'
import gzip, json, os, re, sys

src, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
opener = gzip.open if src.endswith(".gz") else open
with opener(src, "rb") as f:
    lines = [l.rstrip(b"\r\n") for l in f if l.strip()]
want = len(lines) * copies

if os.path.exists(out):
    with open(out, "rb") as f:
        have = sum(1 for _ in f)
    if have == want:
        print(f"make_tedx10: {out} already has {want} lectures", file=sys.stderr)
        sys.exit(0)

# The id is the record's first key in the shared files; match it textually
# (fast), and fall back to a JSON round trip for any other layout.
first_id = re.compile(rb'^\{\s*"id"\s*:\s*"((?:[^"\\]|\\.)*)"')
tmp = out + ".tmp"
with open(tmp, "wb", buffering=1 << 22) as w:
    for k in range(copies):
        suffix = b"-x%d" % k
        for line in lines:
            m = first_id.match(line)
            if m:
                w.write(line[: m.end(1)] + suffix + line[m.end(1) :] + b"\n")
            else:
                rec = json.loads(line)
                rec["id"] = str(rec["id"]) + suffix.decode()
                w.write(json.dumps(rec, ensure_ascii=False).encode() + b"\n")
os.replace(tmp, out)
print(f"make_tedx10: wrote {want} lectures to {out}", file=sys.stderr)
EOF
