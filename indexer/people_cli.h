/* people_cli.h -- `lectern lecturers` and `lectern suggest-tags`
 * (people_cli.c), called by lectern_cli.c's main. */
#ifndef LECTERN_PEOPLE_CLI_H
#define LECTERN_PEOPLE_CLI_H

/* Runs argv[1] ("lecturers" or "suggest-tags") with its options; returns
 * the exit status. */
int people_cli_main(int argc, char **argv);
#endif
