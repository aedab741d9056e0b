#!/bin/bash
# The cost of issue 18's features on TED, measured in one run beside the
# peers (a benchmark, not a test):
#  1. tag suggestion while indexing: CPU seconds (user + system) of
#     `lectern-index build` with and without --suggest-tags, alternated
#     ROUNDS times, medians (the issue's target: at most +25%); SQLite
#     FTS5's build of the same file in the same rounds as a yardstick;
#  2. lecturer search against lecture search: CPU time per query (p50,
#     p99) over the 2,000-query log, in process (`lectern search
#     --queries`, `lectern lecturers --queries`: each a warm-up pass, then
#     the timed one), with and without snippets (the issue's target: a
#     lecturer search at most 2x a lecture search's p50, a lecture search
#     as the API runs it: 10 hits, snippets and facets); Xapian's and
#     FTS5's searches of the same log as a yardstick.
#
#   people_cost.sh [--build DIR] [--workdir DIR] [--rounds N] [--peers LIST]
#     --peers fts5,xapian (default fts5; "none": Lectern alone; Xapian's TED
#     build costs about 60 CPU seconds)
# Needs ../shared/data/ted (or LECTERN_DATA); prints SKIP and exits 0
# without it.  Run it under `nice` on a shared machine; compare ratios.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$repo/build
work=${TMPDIR:-/tmp}/lectern-people-bench
rounds=3
peers=fts5
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --workdir) work=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--workdir DIR] [--rounds N] [--peers fts5,xapian|none]" >&2; exit 2 ;;
    esac
done
data=${LECTERN_DATA:-$repo/../shared/data}/ted
if [ ! -f "$data/lectures.jsonl.gz" ]; then
    echo "SKIP: $data not found"
    exit 0
fi
mkdir -p "$work"
ted=$work/ted.jsonl
[ -s "$ted" ] || gzip -dc "$data/lectures.jsonl.gz" > "$ted"
awk '{ printf "q%d\t%s\n", NR, $0 }' "$data/queries.txt" > "$work/queries.tsv"
cat "$ted" > /dev/null # in the page cache for every build

peerdir=$repo/tests/bench/peers/build
want() { case ",$peers," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
if want fts5 || want xapian; then
    make -s -C "$repo/tests/bench/peers" >/dev/null 2>&1 || echo "note: the peers did not build" >&2
fi

# cpu_of CMD...: user + system CPU seconds of CMD.
cpu_of() {
    /usr/bin/time -f '%U %S' -o "$work/time" "$@" > /dev/null 2>> "$work/log" ||
        { echo "failed: $*" >&2; tail -5 "$work/log" >&2; exit 1; }
    awk '{ printf "%.3f\n", $1 + $2 }' "$work/time"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ---- 1. building with and without suggestions
: > "$work/plain.s"
: > "$work/suggest.s"
: > "$work/fts5.s"
: > "$work/pass.s"
: > "$work/empty.jsonl"
for r in $(seq "$rounds"); do
    cpu_of "$build/lectern-index" build --quiet --force --index "$work/ted-plain" "$ted" >> "$work/plain.s"
    cpu_of "$build/lectern-index" build --quiet --force --suggest-tags --index "$work/ted-suggest" "$ted" >> "$work/suggest.s"
    # the suggestion pass alone: an add of nothing, on a copy of the plain build
    rm -rf "$work/ted-pass"
    cp -r "$work/ted-plain" "$work/ted-pass"
    cpu_of "$build/lectern-index" add --quiet --suggest-tags --index "$work/ted-pass" "$work/empty.jsonl" >> "$work/pass.s"
    if want fts5 && [ -x "$peerdir/fts5_peer" ]; then
        rm -rf "$work/ted-fts5"
        cpu_of "$peerdir/fts5_peer" build --index "$work/ted-fts5" "$ted" >> "$work/fts5.s"
    fi
done
plain=$(median < "$work/plain.s")
sug=$(median < "$work/suggest.s")
echo "## Building TED ($rounds rounds, median CPU s, user + system)"
echo
echo "| build | CPU s | vs Lectern's plain build |"
echo "| --- | ---: | ---: |"
echo "| lectern-index build | $plain | 1.00 |"
awk -v a="$sug" -v b="$plain" 'BEGIN { printf "| lectern-index build --suggest-tags | %s | %.2f (%+.0f%%) |\n", a, a / b, (a / b - 1) * 100 }'
pass=$(median < "$work/pass.s")
awk -v a="$pass" -v b="$plain" 'BEGIN { printf "| the --suggest-tags pass alone (add --suggest-tags of nothing, after a plain build) | %s | +%.0f%% |\n", a, a / b * 100 }'
if [ -s "$work/fts5.s" ]; then
    f=$(median < "$work/fts5.s")
    awk -v a="$f" -v b="$plain" 'BEGIN { printf "| SQLite FTS5 (contentless) | %s | %.2f |\n", a, a / b }'
fi
if want xapian && [ -x "$peerdir/xapian_peer" ]; then
    rm -rf "$work/ted-xapian"
    x=$(cpu_of "$peerdir/xapian_peer" build --index "$work/ted-xapian" "$ted")
    awk -v a="$x" -v b="$plain" 'BEGIN { printf "| Xapian (once) | %s | %.2f |\n", a, a / b }'
fi
echo

# ---- 2. lecturer search against lecture search
# stat FILE: "p50 p99" of a cpu_us line.
stat() { sed -n 's/.*cpu_us.*p50=\([0-9.]*\).*p99=\([0-9.]*\).*/\1 \2/p' "$1" | tail -1; }
idx=$work/ted-suggest
q=$work/queries.tsv
"$build/lectern" search --index "$idx" --queries "$q" --limit 10 --full > /dev/null 2> "$work/s_full"
"$build/lectern" search --index "$idx" --queries "$q" --limit 10 > /dev/null 2> "$work/s_plain"
"$build/lectern" lecturers --index "$idx" --queries "$q" --snippets 2> "$work/l_snip"
"$build/lectern" lecturers --index "$idx" --queries "$q" 2> "$work/l_plain"
read -r fp50 fp99 < <(stat "$work/s_full")
echo "## Searching TED (2,000 queries, CPU us per query)"
echo
echo "| search | p50 | p99 | p50 vs lecture search (API) | p99 vs lecture search (API) |"
echo "| --- | ---: | ---: | ---: | ---: |"
row() {
    local p50 p99
    read -r p50 p99 < <(stat "$2")
    awk -v n="$1" -v a="$p50" -v b="$p99" -v c="$fp50" -v d="$fp99" \
        'BEGIN { printf "| %s | %.1f | %.1f | %.2f | %.2f |\n", n, a, b, a / c, b / d }'
}
row "lecture search, 10 hits, snippets and facets (the API's)" "$work/s_full"
row "lecture search, 10 hits, no snippets" "$work/s_plain"
row "lecturer search, snippets (the API's default)" "$work/l_snip"
row "lecturer search, no snippets" "$work/l_plain"
if want fts5 && [ -x "$peerdir/fts5_peer" ] && [ -d "$work/ted-fts5" ]; then
    "$peerdir/fts5_peer" search --index "$work/ted-fts5" --queries "$data/queries.txt" --limit 10 > /dev/null 2> "$work/p_fts5" &&
        row "SQLite FTS5 (contentless), top 10 ids" "$work/p_fts5"
fi
if want xapian && [ -x "$peerdir/xapian_peer" ] && [ -d "$work/ted-xapian" ]; then
    "$peerdir/xapian_peer" search --index "$work/ted-xapian" --queries "$data/queries.txt" --limit 10 > /dev/null 2> "$work/p_xapian" &&
        row "Xapian, top 10 ids" "$work/p_xapian"
fi
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
