/*
 * db.h: the thin SQL layer every store module is written on. One
 * connection (struct db), prepared statements with numbered parameters,
 * read and write transactions, and errors as classes; one driver per
 * database behind it (driver_sqlite.c, driver_pgsql.c), in the shape of
 * Dovecot's lib-sql. Nothing above this header names a database library.
 *
 * SQL given to this layer is what both databases accept: parameters are
 * written ?1, ?2 ... (or a bare ?, numbered by position), conflicts are
 * handled with ON CONFLICT, new ids come back through RETURNING, and no
 * clock or date arithmetic happens inside SQL (days are computed in C
 * and bound). Booleans are never returned as such: a comparison in a
 * result column is written CASE WHEN ... THEN 1 ELSE 0 END.
 *
 * Return values: 0 success, negative -DB_E_* on failure; db_step also
 * answers 1 for a row. After a failure inside a transaction, PostgreSQL
 * refuses every further statement until the rollback, so a statement
 * that may conflict on purpose is written with ON CONFLICT instead of
 * being caught. A connection is used by one thread at a time.
 */
#ifndef CHOPAY_SERVER_DB_H
#define CHOPAY_SERVER_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum db_backend { DB_SQLITE = 1, DB_PGSQL = 2 };

enum db_error {
    DB_E_CONFLICT = 1, /* a unique, check or foreign-key constraint */
    DB_E_GUARD,        /* a guard trigger refused the change */
    DB_E_BUSY,         /* locked for longer than the lock timeout */
    DB_E_FULL,         /* the disk is full */
    DB_E_IO,           /* the database or the connection failed */
    DB_E_SQL,          /* the statement itself is wrong (a bug) */
    DB_E_USAGE,        /* bad URL, missing database, misuse of the API */
    DB_E_NOMEM,        /* out of memory */
    DB_E_RETRY         /* serialization failure or deadlock: the
                          transaction was lost and may be run again */
};

enum db_type { DB_NULL = 0, DB_INTEGER, DB_TEXT, DB_BLOB };

enum db_txn { DB_READ, DB_WRITE, DB_WRITE_SHARED };

/* Flags of db_open. */
#define DB_READONLY 1u /* refuse every write; create nothing */
#define DB_NOCREATE 2u /* an SQLite file must already exist */

/*
 * Connect to `url`: a path, sqlite:PATH or sqlite://PATH for SQLite
 * (WAL, every commit on disk before db_end answers, foreign keys, a busy
 * timeout), or any libpq connection URI (postgres://, postgresql://) for
 * PostgreSQL. On failure *out is NULL and the message is written to `err`
 * (may be NULL).
 */
int db_open(const char *url, unsigned flags, struct db **out, char *err,
            size_t errlen);
void db_close(struct db *db);

/* The backend of a URL without connecting (0 for neither), and of `db`. */
enum db_backend db_url_backend(const char *url);
enum db_backend db_backend(const struct db *db);

/* The last failure's message and, for DB_E_CONFLICT or DB_E_GUARD, the
 * constraint's or the guard's name when the database reports one ("" if
 * not). Valid until the next call on `db`. */
const char *db_errmsg(const struct db *db);
const char *db_errname(const struct db *db);

/* Run `sql`, one or more statements without parameters or rows (schema,
 * settings). */
int db_exec(struct db *db, const char *sql);

/*
 * The statement for `sql`, prepared once per connection and kept: the
 * cache is keyed by the address of `sql`, which must therefore be a
 * string that lives as long as the connection (a literal or a static
 * table). It comes back reset, with every parameter unbound. NULL on
 * failure (db_errmsg says why).
 */
struct db_stmt *db_q(struct db *db, const char *sql);

/* A statement for SQL built at run time; the caller finalizes it (a
 * statement of db_q's cache given to db_finalize is only reset). */
struct db_stmt *db_prepare(struct db *db, const char *sql);
void db_finalize(struct db_stmt *st);

/* Ready to run again with the same parameters. A statement that has
 * been stepped is reset before it is bound again. */
void db_reset(struct db_stmt *st);

/* Parameters, numbered from 1. Text and blobs are copied; a NULL string
 * binds SQL NULL. */
void db_bind_int64(struct db_stmt *st, int i, int64_t v);
void db_bind_text(struct db_stmt *st, int i, const char *s);
void db_bind_textn(struct db_stmt *st, int i, const char *s, size_t n);
void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
void db_bind_null(struct db_stmt *st, int i);

/* 1 with a row ready, 0 when done, negative -DB_E_* on failure. */
int db_step(struct db_stmt *st);

/* Step until done and reset: 0 or -DB_E_*. For statements without rows. */
int db_run(struct db_stmt *st);

/* The current row's columns, numbered from 0. A text pointer stays valid
 * until the next step or reset; db_column_text answers NULL for NULL. */
int db_column_count(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int i);
enum db_type db_column_type(struct db_stmt *st, int i);
int64_t db_column_int64(struct db_stmt *st, int i);
const char *db_column_text(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i);
size_t db_column_bytes(struct db_stmt *st, int i);

/*
 * The schema as the database describes it: the names of its tables (not
 * the database's own), in alphabetical order, and the columns of one
 * table in order, each with the kind of value it holds (DB_INTEGER,
 * DB_TEXT or DB_BLOB). Names are at most DB_NAME_MAX - 1 bytes. They
 * answer the count (at most `max`; more are not reported) or -DB_E_*.
 */
#define DB_NAME_MAX 64
int db_tables(struct db *db, char (*names)[DB_NAME_MAX], int max);
int db_table_columns(struct db *db, const char *table,
                     char (*names)[DB_NAME_MAX], enum db_type *kinds, int max);

/*
 * Register `name` as a deterministic scalar SQL function of `nargs` text
 * arguments (0 to 8) on this connection, for the SQLite schema's older
 * migrations; PostgreSQL answers -DB_E_USAGE (its schema starts at the
 * current version). `fn` gets the arguments as text (a NULL argument
 * arrives as NULL) and answers 0 with its text result in `out`, 1 for
 * NULL, or a negative -DB_E_* to fail the statement with the message in
 * `out` ("" for a generic one). `cap`, the size of `out`, is at least the
 * arguments' total length plus 256 bytes. Registering a name again
 * replaces it.
 */
int db_function_text(struct db *db, const char *name, int nargs,
                     int (*fn)(const char *const *args, int nargs, char *out,
                               size_t cap));

/* Rows changed by the connection's last INSERT, UPDATE or DELETE. */
int64_t db_changes(struct db *db);

/*
 * Transactions. DB_WRITE takes the database's write lock at once
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-scoped advisory
 * lock, exclusive), so it never interleaves with another writer, on one
 * node or several. DB_WRITE_SHARED is a write confined to one part of
 * the data (one organisation's ledger): on PostgreSQL it holds the same
 * lock shared, so such writers run side by side but never beside a
 * DB_WRITE, and each takes db_xact_lock on the keys of what it writes
 * before writing it; SQLite has one writer and runs it as DB_WRITE.
 * DB_READ reads one consistent snapshot. db_end commits when `rc` is 0
 * and rolls back otherwise; it answers `rc`, or the commit's failure.
 */
int db_begin(struct db *db, enum db_txn kind);
int db_end(struct db *db, int rc);
int db_in_txn(const struct db *db);

/*
 * A commit whose wait for the disk comes after the writer's turn: db_end
 * that leaves durability to db_sync. The transaction is committed and
 * seen by other connections when db_end_unsynced answers 0, and survives
 * the process's crash, but a power loss only once db_sync(db) has
 * answered 0, so nothing of it may be acknowledged before. Meanwhile the
 * next writer runs: the disk's wait is shared, not queued for. (SQLite:
 * the WAL's fdatasync after COMMIT; PostgreSQL: a commit as db_end's, and
 * db_sync does nothing.)
 */
int db_end_unsynced(struct db *db, int rc);
int db_sync(struct db *db);

/*
 * One savepoint inside a write transaction, not nested: DB_SP_SET marks
 * the point, DB_SP_RELEASE keeps what was done since and forgets the
 * mark, DB_SP_UNDO rolls back to the mark (the transaction goes on, as
 * if no statement since had run, even a failed one on PostgreSQL) and
 * forgets it. Several units of work share one commit this way.
 */
enum db_savepoint { DB_SP_SET, DB_SP_RELEASE, DB_SP_UNDO };
int db_savepoint(struct db *db, enum db_savepoint op);

/*
 * Inside a write transaction, take the transaction-scoped advisory lock
 * `key` exclusively, waiting for it (as long as for the write lock): it
 * is held until the transaction ends. Writers that take several keys
 * take them in one order, or a deadlock fails one of them (-DB_E_RETRY).
 * SQLite answers 0 at once: its one writer holds everything.
 */
int db_xact_lock(struct db *db, int64_t key);

/*
 * Notifications between connections, for processes sharing one
 * PostgreSQL database. A channel name is 1 to 63 lowercase letters,
 * digits and underscores, starting with a letter; a payload is text of
 * at most DB_NOTIFY_MAX - 1 bytes.
 *
 * db_notify sends `payload` on `channel`: inside a write transaction it
 * is delivered when the transaction commits and never if it rolls back;
 * outside one, at once. SQLite answers 0 and sends nothing (one process
 * owns the file; its own callbacks wake it).
 *
 * db_listen subscribes this connection to `channel` (again after a lost
 * connection is reopened; what was sent while it was down is lost).
 * db_wait_notify waits up to `timeout_ms` for a notification on a
 * subscribed channel, outside a transaction: 1 with its payload in
 * `payload` (`cap` bytes, truncated, NUL-terminated), 0 when the time
 * ran out, negative -DB_E_* on failure (a lost connection is -DB_E_IO;
 * the next call reopens it). A connection that listens is used for
 * nothing else. SQLite answers -DB_E_USAGE to both.
 */
#define DB_NOTIFY_MAX 8000
int db_notify(struct db *db, const char *channel, const char *payload);
int db_listen(struct db *db, const char *channel);
int db_wait_notify(struct db *db, int timeout_ms, char *payload, size_t cap);

/*
 * Take the session-level advisory lock `key` for this connection unless
 * it holds it already, without waiting: 1 when the connection holds it,
 * 0 when another connection (another process) does, -DB_E_* on failure.
 * It is held until the connection closes or is lost. SQLite answers 1:
 * the file has one process.
 */
int db_try_lock(struct db *db, int64_t key);

#endif
