#!/bin/bash
# docs/openapi.yaml: valid OpenAPI 3.1 (redocly lint, installed with npm
# into BUILD/node-tools, an ignored folder), every route of server/route.c
# documented and every documented route served, and the answers to every
# documented operation (called with the document's examples) valid
# against its schemas.
. "$(dirname "$0")/../server/lib.sh"
. "$(dirname "$0")/opslib.sh"

DOC=$SRC/docs/openapi.yaml
python3 -c 'import yaml, jsonschema' 2> /dev/null || skip "python3-yaml or python3-jsonschema missing"

# ---- both directions between the route table and the document
python3 "$SRC/tests/ops/openapi_check.py" routes "$DOC" "$SRC/server/route.c" > "$TMP/routes.out" 2>&1 || fail "$(cat "$TMP/routes.out")"
ok

# ---- every documented operation answers, as documented
build_index "$TMP/index"
printf 'admin-token\n' > "$TMP/token"
mkdir "$TMP/snaps"
start_server --index "$TMP/index" --token-file "$TMP/token" --snapshot-dir "$TMP/snaps"
python3 "$SRC/tests/ops/openapi_check.py" calls "$DOC" "$BASE" admin-token > "$TMP/calls.out" 2>&1 || fail "$(cat "$TMP/calls.out")"
cat "$TMP/calls.out"
ok
stop_server

# ---- lint (npm @redocly/cli in an ignored folder of the build)
TOOLS=$BUILD/node-tools
REDOCLY=$TOOLS/node_modules/.bin/redocly
if [ ! -x "$REDOCLY" ]; then
    command -v npm > /dev/null || skip "npm missing: docs/openapi.yaml is not linted (the server checks passed)"
    mkdir -p "$TOOLS"
    npm install --prefix "$TOOLS" --no-audit --no-fund --silent @redocly/cli@~2.77.0 > "$TMP/npm.out" 2>&1 ||
        skip "npm could not install @redocly/cli (offline?): $(tail -n 3 "$TMP/npm.out")"
fi
"$REDOCLY" lint --format=stylish "$DOC" > "$TMP/lint.out" 2>&1 || fail "redocly lint: $(cat "$TMP/lint.out")"
ok
done_ok
