/* index_ops.h -- lectern-index's operator commands (index_ops.c). */
#ifndef LECTERN_INDEX_OPS_H
#define LECTERN_INDEX_OPS_H

/* Whether cmd is one of them: snapshot, restore, keys. */
int index_ops_is_command(const char *cmd);

/* Runs lectern-index argv[1] ...; returns the exit status. */
int index_ops_main(int argc, char **argv);

#endif
