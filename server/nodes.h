/*
 * nodes.h: what a server does when other nodes share its database. On
 * PostgreSQL a listener thread, on a connection of its own, hears which
 * intents the other nodes' commits changed (STORE_CHANNEL) and wakes the
 * long polls waiting here for them, and a session-level advisory lock on
 * another connection picks the one node that runs the periodic
 * housekeeping. On SQLite there is nothing to do: one process owns the
 * file.
 */
#ifndef CHOPAY_SERVER_NODES_H
#define CHOPAY_SERVER_NODES_H

#include "notify.h"

struct nodes;

/*
 * Start for the database `url`: notifications whose node is `self` (the
 * store's own name, struct store's `node`) are skipped, the others wake
 * the waiters of `nt` on their intent. *out gets the new struct, which
 * nodes_stop() frees. 0, or -1 with the reason logged.
 */
int nodes_start(const char *url, struct store *st, struct notify *nt,
                struct nodes **out);

/*
 * 1 when this node is to run the periodic housekeeping now (it holds the
 * housekeeping lock, or the database is SQLite); 0 when another node
 * holds it or the database cannot be asked. Called from one thread.
 */
int nodes_housekeeper(struct nodes *n);

/* Stop the listener thread and close the connections (NULL is fine). */
void nodes_stop(struct nodes *n);

#endif
