#!/bin/sh
# dict_identical.sh: answers with the compiled dictionaries (engine/dictmap.h)
# against answers read from the dictd files, which must be byte-identical.
#
#   tests/bench/dict_identical.sh TOPICS_INDEX SAMPLE_INDEX NEW_LECTERN [OLD_LECTERN]
#
# TOPICS_INDEX is tests/eval/topics' index (build/topics-index), SAMPLE_INDEX
# the sample corpus's (lectern-index build --index DIR corpus/).  Every topic
# query of tests/eval/topics/queries.tsv (six languages) and a set of
# translated queries on the sample corpus run as one process each with
# --json, and each language's topic log as one --queries process (TREC run
# and LECTERN_XLATE_TRACE lines: language, why, translations), by
# NEW_LECTERN with the compiled file (it must be up to date: lectern-index
# dicts) and by OLD_LECTERN (default: NEW_LECTERN with LECTERN_DICT_MAP=0,
# which reads the dictd files); the outputs are compared with cmp (the
# JSON's took_ms, a timing, removed).
set -eu
topics=$1 sample=$2 new=$3 old=${4:-}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dictid.XXXXXX")
trap 'rm -rf "$work"' EXIT
run_old() {
    if [ -n "$old" ]; then "$old" "$@"; else LECTERN_DICT_MAP=0 "$new" "$@"; fi
}
fail=0 n=0
check() { # name: compares $work/a and $work/b, took_ms aside
    n=$((n + 1))
    sed -i 's/"took_ms":[0-9.]*//' "$work/a" "$work/b"
    if ! cmp -s "$work/a" "$work/b"; then
        echo "DIFFER: $1"
        fail=1
    fi
}
for l in en fi de sv es fr; do
    awk -F'\t' -v l="$l" '!/^#/ && $2 == l { print $1 "\t" $3 }' \
        "$here/tests/eval/topics/queries.tsv" >"$work/q.$l"
    for v in a b; do
        if [ $v = a ]; then
            LECTERN_XLATE_TRACE=1 "$new" search --index "$topics" --queries "$work/q.$l" \
                --limit 100 --trec "$work/run.a" 2>"$work/tr.a" >/dev/null
        else
            LECTERN_XLATE_TRACE=1 run_old search --index "$topics" --queries "$work/q.$l" \
                --limit 100 --trec "$work/run.b" 2>"$work/tr.b" >/dev/null
        fi
        grep '^xlate' "$work/tr.$v" >"$work/$v" || true
        cat "$work/run.$v" >>"$work/$v"
    done
    check "topics $l: TREC run and translation trace"
    cut -f2 "$work/q.$l" >"$work/qq.$l"
    while IFS= read -r q; do
        "$new" search --index "$topics" --json "$q" >"$work/a" 2>/dev/null || true
        run_old search --index "$topics" --json "$q" >"$work/b" 2>/dev/null || true
        check "topics $l --json: $q"
    done <"$work/qq.$l"
done
for q in ilmastonmuutos tasa-arvo migration discrimination racism syrjintä jämställdhet \
    Gleichstellung hållbarhet sostenibilidad harcèlement "kestävä kehitys" sukupuolten \
    Klimawandel "gender equality"; do
    "$new" search --index "$sample" --json --limit 20 "$q" >"$work/a" 2>/dev/null || true
    run_old search --index "$sample" --json --limit 20 "$q" >"$work/b" 2>/dev/null || true
    check "sample --json: $q"
done
echo "dict_identical: $n comparisons, $([ $fail = 0 ] && echo all identical || echo SOME DIFFER)"
exit $fail
