/*
 * server.h: the pieces of chopay-server's command line that the demo
 * seeder shares with main.c: opening the store, minting secrets, serving.
 */
#ifndef CHOPAY_SERVER_SERVER_H
#define CHOPAY_SERVER_SERVER_H

#include "api.h"
#include "store.h"

#define SERVER_KEY_MAX 80 /* "ck_" + 64 hex + NUL fits */

/*
 * Create c->data_dir and open c->db with `pool` connections (migrations
 * applied). Prints the problem and returns -1 on failure.
 */
int server_open_store(const struct srv_config *c, int pool, struct store **out);

/*
 * A new bearer secret: `prefix` + 64 hex digits of 32 random bytes into
 * `key` (SERVER_KEY_MAX bytes); `hash` gets its hex SHA-256. 0 or -1.
 */
int server_new_secret(const char *prefix, char *key, char hash[65]);

/* Serve HTTP on `st` until SIGINT/SIGTERM; returns the exit status. */
int server_serve(struct srv_config *c, struct store *st);

/*
 * simulate transfer: post a notification for `amount` with payment `code`
 * to org `org`'s account via provider `via`, signed with the configured
 * secret; `server` URL or NULL (DATA_DIR/server.addr). Exit status.
 */
int server_simulate(const struct srv_config *c, const char *org,
                    const char *code, int64_t amount, const char *via,
                    const char *server);

/*
 * check: open c->db read-only and verify the ledger's invariants, one
 * line per invariant with its count of violations, then a summary.
 * Exit status: 0 all hold, 1 a violation, 2 the database cannot be
 * checked (missing, older schema, unreadable).
 */
int server_check(const struct srv_config *c);

/* --demo: seed the demo organisations (idempotent), print, serve. */
int server_demo(struct srv_config *c);

#endif
