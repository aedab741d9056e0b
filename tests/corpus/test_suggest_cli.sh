#!/bin/sh
# lectern-index --suggest-tags and lectern search --suggested (issue 18): a
# lecture without curated tags gains suggested tags, shown by lectern get as
# "suggested_tags" and never in "tags"; the tag filter finds it only with
# --suggested; the tags listing and lectern check are unaffected.
#   test_suggest_cli.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/lectern-sugcli.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# An untagged copy of a tagged lecture: its nearest neighbours carry tags.
head -1 "$src/corpus/lectures/lectures.jsonl" |
    sed 's/"id": *"[^"]*"/"id": "untagged-1"/; s/"tags": *\[[^]]*\], *//' >"$work/extra.jsonl"
grep -q '"tags"' "$work/extra.jsonl" && fail "the copy still has tags"
"$build/lectern-index" build --quiet --suggest-tags --index "$work/idx" \
    "$src/corpus/lectures/lectures.jsonl" "$work/extra.jsonl" || fail "build --suggest-tags"
rec=$("$build/lectern" get --index "$work/idx" untagged-1) || fail "lectern get"
echo "$rec" | grep -q '"suggested_tags":\["' || fail "no suggested_tags: $rec"
echo "$rec" | grep -q '"tags":' && fail "suggested tags went into tags"
tag=$(echo "$rec" | sed 's/.*"suggested_tags":\["\([^"]*\)".*/\1/')
echo "first suggested tag: $tag"
off=$("$build/lectern" search --index "$work/idx" --tags "$tag" --limit 100 --json "") ||
    fail "search --tags"
on=$("$build/lectern" search --index "$work/idx" --suggested --tags "$tag" --limit 100 --json "") ||
    fail "search --suggested --tags"
echo "$off" | grep -q '"id":"untagged-1"' && fail "found by its suggested tag without --suggested"
echo "$on" | grep -q '"id":"untagged-1"' || fail "not found by its suggested tag with --suggested"
"$build/lectern" tags --index "$work/idx" | grep -q "$(printf '\001')" && fail "tags lists a reserved key"
"$build/lectern" check --index "$work/idx" >/dev/null || fail "lectern check"
# A replaced lecture loses its suggestions; add --suggest-tags suggests again.
"$build/lectern-index" add --suggest-tags --index "$work/idx" "$work/extra.jsonl" 2>"$work/add.log" ||
    fail "add --suggest-tags"
grep -q "suggested tags for 1 lectures" "$work/add.log" || fail "replaced lecture not suggested again"
echo "ok"
