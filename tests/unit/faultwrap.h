/* faultwrap.h -- the allocation and LMDB read wrappers of the fault
 * tests (linked with -Wl,--wrap=...): each call fails when the including
 * test's fault_now(), defined before this header, says so. */
#ifndef LX_TEST_FAULTWRAP_H
#define LX_TEST_FAULTWRAP_H
#include <errno.h>
#include <stddef.h>

#include <lmdb.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
int __real_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data);
int __real_mdb_cursor_get(MDB_cursor *c, MDB_val *key, MDB_val *data, MDB_cursor_op op);

void *__wrap_malloc(size_t n) {
    return fault_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size) {
    return fault_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n) {
    return fault_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s) {
    return fault_now() ? NULL : __real_strdup(s);
}

int __wrap_mdb_get(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data) {
    return fault_now() ? EIO : __real_mdb_get(txn, dbi, key, data);
}

int __wrap_mdb_cursor_get(MDB_cursor *c, MDB_val *key, MDB_val *data, MDB_cursor_op op) {
    return fault_now() ? EIO : __real_mdb_cursor_get(c, key, data, op);
}
#endif
