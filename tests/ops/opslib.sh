# opslib.sh -- what the operations tests add to tests/server/lib.sh
# (sourced after it): the source and build folders, the CLI, skipping.
SRC=${3:?usage: $0 SERVER INDEXER SOURCE_DIR BUILD_DIR}
BUILD=${4:?usage: $0 SERVER INDEXER SOURCE_DIR BUILD_DIR}
CLI=$(dirname "$SERVER")/lectern

# skip WHY: ctest counts the test as skipped (exit 77).
skip() {
    echo "SKIP [$TEST]: $*"
    exit 77
}

# wait_for CMD...: retries CMD for up to 10 s.
wait_for() {
    local i
    for i in $(seq 100); do "$@" && return 0; sleep 0.1; done
    return 1
}
