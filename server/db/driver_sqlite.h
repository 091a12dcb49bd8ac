/*
 * driver_sqlite.h: the SQLite connection under a struct db, for the one
 * place that needs SQLite itself: registering the SQL functions older
 * schema migrations of an SQLite database call. NULL for a connection
 * of another driver.
 */
#ifndef CHOPAY_SERVER_DB_DRIVER_SQLITE_H
#define CHOPAY_SERVER_DB_DRIVER_SQLITE_H

#include <sqlite3.h>

struct db;

sqlite3 *db_sqlite_handle(struct db *db);

#endif
