#!/usr/bin/env bash
# process_cost.sh: the cost of a query as a whole process (issue 17): each
# of the first N queries of a log run as its own process, by Lectern's CLI
# and by the Xapian peer, one after the other (so both see the same load),
# and the CPU time of each process (perf stat's task-clock: user + system
# of the process, start-up, index open and exit included) summed up as
# p50, p99, max and mean, and Lectern's over Xapian's; then each process's
# page faults (minor and major) the same way.
#
#   tests/bench/process_cost.sh LECTERN_INDEX XAPIAN_INDEX QUERIES [N] [LECTERN_BIN]
#
# N defaults to 300; LECTERN_BIN to build/lectern. The Xapian index is the
# one compare builds (WORKDIR/idx/ted-xapian) or `xapian_peer build` makes.
# Needs perf (Debian linux-perf) for a fine clock; without it, GNU time's
# 10 ms ticks are used and the figures are coarse.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
lidx=${1:?usage: process_cost.sh LECTERN_INDEX XAPIAN_INDEX QUERIES [N] [LECTERN_BIN]}
xidx=${2:?xapian index}
queries=${3:?queries}
n=${4:-300}
lbin=${5:-$repo/build/lectern}
xbin=$here/peers/build/xapian_peer
[ -x "$xbin" ] || make -C "$here/peers" >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/process_cost.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# cpu_ms CMD...: the process's CPU milliseconds and page faults on stdout.
if perf stat -x, -e task-clock true 2>/dev/null >/dev/null; then
    cpu_ms() {
        perf stat -x, -e task-clock,page-faults -o "$tmp/stat" "$@" >/dev/null 2>&1 || true
        awk -F, '/task-clock/ { t = $1 } /page-faults/ { f = $1 } END { print t, f }' "$tmp/stat"
    }
else
    cpu_ms() {
        /usr/bin/time -f '%U %S %R' -o "$tmp/stat" "$@" >/dev/null 2>&1 || true
        awk '{ printf "%.1f %d\n", ($1 + $2) * 1000, $3 }' "$tmp/stat"
    }
fi

head -n "$n" "$queries" >"$tmp/q"
: >"$tmp/lectern"
: >"$tmp/xapian"
while IFS= read -r q; do
    printf '%s\n' "$q" >"$tmp/one"
    cpu_ms "$lbin" search --index "$lidx" --queries "$tmp/one" --limit 10 >>"$tmp/lectern"
    cpu_ms "$xbin" search --index "$xidx" --queries "$tmp/one" --limit 10 >>"$tmp/xapian"
done <"$tmp/q"

stats() { # stats FILE [COLUMN]: p50 p99 max mean (nearest rank)
    awk -v c="${2:-1}" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1; s += $1 } END {
        p50 = v[int(NR * 0.50 + 0.999999)]; p99 = v[int(NR * 0.99 + 0.999999)];
        printf "%.2f %.2f %.2f %.2f\n", p50, p99, v[NR], s / NR }'
}
read -r lp50 lp99 lmax lmean < <(stats "$tmp/lectern")
read -r xp50 xp99 xmax xmean < <(stats "$tmp/xapian")
echo "queries $(grep -c '' "$tmp/q") (each its own process), CPU ms per process, $(cut -d' ' -f1-3 /proc/loadavg | sed 's/^/load /')"
printf '%-8s p50 %8.2f  p99 %8.2f  max %8.2f  mean %8.2f\n' lectern "$lp50" "$lp99" "$lmax" "$lmean"
printf '%-8s p50 %8.2f  p99 %8.2f  max %8.2f  mean %8.2f\n' xapian "$xp50" "$xp99" "$xmax" "$xmean"
awk -v a="$lp50" -v b="$xp50" -v c="$lp99" -v d="$xp99" -v e="$lmean" -v f="$xmean" \
    'BEGIN { printf "lectern/xapian p50 %.2f  p99 %.2f  mean %.2f\n", a / b, c / d, e / f }'
echo "page faults per process"
for e in lectern xapian; do
    printf '%-8s p50 %8.0f  p99 %8.0f  max %8.0f  mean %8.1f\n' "$e" $(stats "$tmp/$e" 2)
done
