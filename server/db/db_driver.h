/*
 * db_driver.h: what a database driver gives db.c (private to server/db/).
 * A driver is a table of functions, one per operation of db.h; db.c
 * checks its arguments, picks the driver from the URL and forwards each
 * call. Every driver's connection and statement structs begin with the
 * common heads below, so db.c reads the error, the change count and the
 * transaction state without knowing the driver.
 */
#ifndef CHOPAY_SERVER_DB_DRIVER_H
#define CHOPAY_SERVER_DB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/*
 * One driver. db.c calls these only with non-NULL connections and
 * statements and parameter/column numbers it has not checked (the driver
 * checks ranges: an out-of-range bind writes nothing, and may make the
 * next step fail with DB_E_USAGE; an out-of-range column reads as NULL).
 * Return conventions are those of db.h.
 */
struct db_driver {
    const char *name;        /* "sqlite", "pgsql" */
    enum db_backend backend; /* what db_backend() answers */

    /* Connect to `url` (given exactly as passed to db_open); on failure
     * *out is left NULL and the message written to err/errlen (err may
     * be NULL). */
    int (*open)(const char *url, unsigned flags, struct db **out, char *err,
                size_t errlen);
    /* Roll back an open transaction, finalize every statement (cached or
     * not is the driver's business) and free the connection. */
    void (*close)(struct db *db);

    int (*exec)(struct db *db, const char *sql);
    /* The per-connection statement cache keyed by the address of `sql`;
     * the statement comes back reset with every parameter unbound. */
    struct db_stmt *(*q)(struct db *db, const char *sql);
    struct db_stmt *(*prepare)(struct db *db, const char *sql);
    void (*finalize)(struct db_stmt *st);
    void (*reset)(struct db_stmt *st);

    void (*bind_int64)(struct db_stmt *st, int i, int64_t v);
    /* `s` is never NULL here: db.c turns a NULL string into bind_null. */
    void (*bind_textn)(struct db_stmt *st, int i, const char *s, size_t n);
    void (*bind_blob)(struct db_stmt *st, int i, const void *p, size_t n);
    void (*bind_null)(struct db_stmt *st, int i);

    int (*step)(struct db_stmt *st);

    int (*column_count)(struct db_stmt *st);
    const char *(*column_name)(struct db_stmt *st, int i);
    enum db_type (*column_type)(struct db_stmt *st, int i);
    int64_t (*column_int64)(struct db_stmt *st, int i);
    const char *(*column_text)(struct db_stmt *st, int i);
    const void *(*column_blob)(struct db_stmt *st, int i);
    size_t (*column_bytes)(struct db_stmt *st, int i);

    /* Register scalar function `name` (db.c has checked name, fn and
     * 0 <= nargs <= DB_FUNCTION_ARGS_MAX). */
    int (*function_text)(struct db *db, const char *name, int nargs,
                         int (*fn)(const char *const *args, int nargs,
                                   char *out, size_t cap));

    /* Open a transaction of `kind` (db.c has checked none is open). */
    int (*begin)(struct db *db, enum db_txn kind);
    /* Commit when rc is 0, roll back otherwise; answer rc or the commit's
     * failure (db.c has checked a transaction is open). With `durable`
     * 0 the commit need not be on disk before db_sync. */
    int (*end)(struct db *db, int rc, int durable);
    /* db_sync; NULL where every commit is durable when it returns. */
    int (*sync)(struct db *db);
    /* db_xact_lock (db.c has checked a write transaction is open). */
    int (*xact_lock)(struct db *db, int64_t key);
    /* db_savepoint (db.c has checked a transaction is open). */
    int (*savepoint)(struct db *db, enum db_savepoint op);

    /* Notifications and the advisory lock of db.h (db.c has checked the
     * channel, the payload and the buffer). */
    int (*notify)(struct db *db, const char *channel, const char *payload);
    int (*listen)(struct db *db, const char *channel);
    int (*wait_notify)(struct db *db, int timeout_ms, char *payload,
                       size_t cap);
    int (*try_lock)(struct db *db, int64_t key);
};

/* The most arguments a function of db_function_text takes. */
#define DB_FUNCTION_ARGS_MAX 8

/*
 * The head of every connection: a driver's own struct has this as its
 * first member, so a `struct db *` points at both.
 */
struct db {
    const struct db_driver *drv; /* the driver that opened it */
    char errmsg[512];            /* the last failure's message ("" none) */
    char errname[128];           /* its constraint or guard name, or "" */
    int64_t changes;             /* rows changed by the last statement */
    int in_txn;                  /* 1 between db_begin and db_end */
};

/* The head of every statement, first member of the driver's own struct. */
struct db_stmt {
    const struct db_driver *drv; /* the driver that prepared it */
    struct db *db;               /* its connection */
};

extern const struct db_driver db_driver_sqlite, db_driver_pgsql;

/*
 * Record a failure on `db`: the message (printf format) into errmsg, the
 * constraint or guard `name` (may be NULL) into errname. Answers -err, so
 * a driver writes `return db_fail(db, DB_E_SQL, NULL, "...")`.
 */
int db_fail(struct db *db, int err, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Clear the last failure (errmsg and errname become ""). */
void db_clear_error(struct db *db);

#endif
