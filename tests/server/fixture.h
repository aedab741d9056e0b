/*
 * fixture.h -- a server without a socket, for tests and the HTTP fuzz
 * target: a small index in a temporary folder, g_srv set up as
 * lectern-server would with default limits and a token, and requests run
 * through http_handle (server.h).
 */
#ifndef LECTERN_TEST_FIXTURE_H
#define LECTERN_TEST_FIXTURE_H

#include "server.h"

#define FIXTURE_TOKEN "fixture-token"

/* Builds the index (a few lectures, ids "gpg-01", "rac-02", "mig-03" and
 * "a/related") and sets up g_srv.  Returns 0, or -1 after printing why. */
int fixture_open(void);

/* Closes the index and removes the folder. */
void fixture_close(void);

/* Runs one request (headers "Name: value" lines in hdrs, may be NULL);
 * out->body is malloc'd (free it). */
int fixture_request(const char *method, const char *target, const char *hdrs, const char *body,
                    srv_answer *out);

#endif
