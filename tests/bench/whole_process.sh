#!/bin/bash
# whole_process.sh: the cost of a whole `lectern search --queries LOG` process
# (start-up, the warm-up pass, the timed pass, exit: perf's task-clock) for
# two Lectern builds and the Xapian peer, alternating in triples, R triples
# per log; prints the medians, the ratios to Xapian's and the triples' ratios.
#
#   tests/bench/whole_process.sh OLD_BUILD NEW_BUILD R OUT TED_INDEX XAPIAN_INDEX TITLE_LOG [SHARED_LOG]
#
# OLD_BUILD / NEW_BUILD: build folders holding `lectern` (Release builds for
# timing); TED_INDEX both read (TEDN=DIR gives NEW its own index); the Xapian
# index from `tests/bench/compare --engines xapian`; TITLE_LOG from
# tests/bench/gen (a title-like log), SHARED_LOG default ../shared/data/ted/queries.txt.
set -eu
OLD=${1:?OLD}; NEW=${2:?NEW}; R=${3:-11}; OUT=${4:?OUT}; TED=${5:?TED_INDEX}; XTED=${6:?XAPIAN_INDEX}
TL=${7:?TITLE_LOG}; here=$(cd "$(dirname "$0")/../.." && pwd)
SL=${8:-$here/../shared/data/ted/queries.txt}; TEDN=${TEDN:-$TED}
XP=$here/tests/bench/peers/build/xapian_peer
tc() { perf stat -x, -e task-clock "$@" 2>&1 >/dev/null | grep task-clock | cut -d, -f1; }
echo "start $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" > $OUT
for L in $TL $SL; do
  for r in $(seq $R); do
    a=$(tc nice $OLD/lectern search --index $TED --queries $L --limit 10); b=$(tc nice $NEW/lectern search --index $TEDN --queries $L --limit 10); x=$(tc nice $XP search --index $XTED --queries $L --limit 10)
    echo "W $(basename $L) $a $b $x" >> $OUT
  done
done
echo "end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT
python3 - $OUT <<'PY'
import sys,statistics as st
d={}
for line in open(sys.argv[1]):
    if line.startswith('W '):
        _,l,a,b,x=line.split(); d.setdefault(l,[]).append((float(a),float(b),float(x)))
for l,v in d.items():
    a=st.median(p[0] for p in v); b=st.median(p[1] for p in v); x=st.median(p[2] for p in v)
    rb=sorted(p[1]/p[2] for p in v); ra=sorted(p[0]/p[2] for p in v); n=len(v)
    print(f"whole {l}: old {a:.1f} new {b:.1f} xapian {x:.1f} ms; ratio old {a/x:.3f} new {b/x:.3f}; new triples' ratios median {rb[n//2]:.3f} quartiles {rb[n//4]:.3f}-{rb[3*n//4]:.3f} (old median {ra[n//2]:.3f})")
PY
