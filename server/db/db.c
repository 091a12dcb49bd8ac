/*
 * db.c: the public functions of db.h. They check their arguments, choose
 * the driver from the URL at db_open and forward every other call to the
 * driver that opened the connection (db_driver.h); db_run and the
 * accessors of the common heads are written here once for all drivers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "db_driver.h"

int db_fail(struct db *db, int err, const char *name, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof(db->errmsg), fmt, ap);
    va_end(ap);
    snprintf(db->errname, sizeof(db->errname), "%s", name ? name : "");
    return -err;
}

void db_clear_error(struct db *db)
{
    db->errmsg[0] = '\0';
    db->errname[0] = '\0';
}

/* Length of a URI scheme at the start of `url` when it is followed by
 * "://" (RFC 3986: a letter, then letters, digits, '+', '-', '.'), else 0. */
static size_t scheme_len(const char *url)
{
    size_t n = 0;

    if (!((url[0] >= 'a' && url[0] <= 'z') || (url[0] >= 'A' && url[0] <= 'Z')))
        return 0;
    while ((url[n] >= 'a' && url[n] <= 'z') ||
           (url[n] >= 'A' && url[n] <= 'Z') ||
           (url[n] >= '0' && url[n] <= '9') || url[n] == '+' || url[n] == '-' ||
           url[n] == '.')
        n++;
    return strncmp(url + n, "://", 3) == 0 ? n : 0;
}

enum db_backend db_url_backend(const char *url)
{
    size_t n;

    if (!url || !*url)
        return 0;
    if (strncmp(url, "postgres://", 11) == 0 ||
        strncmp(url, "postgresql://", 13) == 0)
        return DB_PGSQL;
    if (strncmp(url, "sqlite:", 7) == 0)
        return DB_SQLITE;
    n = scheme_len(url);
    return n ? 0 : DB_SQLITE; /* another scheme://, or a plain path */
}

static const struct db_driver *driver_of(enum db_backend b)
{
    switch (b) {
    case DB_SQLITE:
        return &db_driver_sqlite;
    case DB_PGSQL:
        return &db_driver_pgsql;
    }
    return NULL;
}

int db_open(const char *url, unsigned flags, struct db **out, char *err,
            size_t errlen)
{
    const struct db_driver *drv;
    struct db *db = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    if (!out) {
        if (err && errlen)
            snprintf(err, errlen, "db_open: no place for the connection");
        return -DB_E_USAGE;
    }
    drv = driver_of(db_url_backend(url));
    if (!drv) {
        if (err && errlen)
            snprintf(err, errlen,
                     "not a database URL (a path, sqlite:PATH "
                     "or postgresql://...)");
        return -DB_E_USAGE;
    }
    rc = drv->open(url, flags, &db, err, errlen);
    if (rc < 0)
        return rc;
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (db)
        db->drv->close(db);
}

enum db_backend db_backend(const struct db *db)
{
    return db ? db->drv->backend : 0;
}

const char *db_errmsg(const struct db *db)
{
    return db ? db->errmsg : "no connection";
}

const char *db_errname(const struct db *db)
{
    return db ? db->errname : "";
}

int db_exec(struct db *db, const char *sql)
{
    if (!db)
        return -DB_E_USAGE;
    if (!sql)
        return db_fail(db, DB_E_USAGE, NULL, "db_exec: no SQL");
    return db->drv->exec(db, sql);
}

struct db_stmt *db_q(struct db *db, const char *sql)
{
    if (!db)
        return NULL;
    if (!sql) {
        db_fail(db, DB_E_USAGE, NULL, "db_q: no SQL");
        return NULL;
    }
    return db->drv->q(db, sql);
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
    if (!db)
        return NULL;
    if (!sql) {
        db_fail(db, DB_E_USAGE, NULL, "db_prepare: no SQL");
        return NULL;
    }
    return db->drv->prepare(db, sql);
}

void db_finalize(struct db_stmt *st)
{
    if (st)
        st->drv->finalize(st);
}

void db_reset(struct db_stmt *st)
{
    if (st)
        st->drv->reset(st);
}

void db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    if (st)
        st->drv->bind_int64(st, i, v);
}

void db_bind_text(struct db_stmt *st, int i, const char *s)
{
    if (!st)
        return;
    if (s)
        st->drv->bind_textn(st, i, s, strlen(s));
    else
        st->drv->bind_null(st, i);
}

void db_bind_textn(struct db_stmt *st, int i, const char *s, size_t n)
{
    if (!st)
        return;
    if (s)
        st->drv->bind_textn(st, i, s, n);
    else
        st->drv->bind_null(st, i);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
    if (!st)
        return;
    if (p || n == 0)
        st->drv->bind_blob(st, i, p ? p : "", n);
    else
        st->drv->bind_null(st, i);
}

void db_bind_null(struct db_stmt *st, int i)
{
    if (st)
        st->drv->bind_null(st, i);
}

int db_step(struct db_stmt *st)
{
    return st ? st->drv->step(st) : -DB_E_USAGE;
}

int db_run(struct db_stmt *st)
{
    int rc;

    if (!st)
        return -DB_E_USAGE;
    while ((rc = st->drv->step(st)) == 1)
        ;
    st->drv->reset(st);
    return rc;
}

int db_column_count(struct db_stmt *st)
{
    return st ? st->drv->column_count(st) : 0;
}

const char *db_column_name(struct db_stmt *st, int i)
{
    return st ? st->drv->column_name(st, i) : NULL;
}

enum db_type db_column_type(struct db_stmt *st, int i)
{
    return st ? st->drv->column_type(st, i) : DB_NULL;
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
    return st ? st->drv->column_int64(st, i) : 0;
}

const char *db_column_text(struct db_stmt *st, int i)
{
    return st ? st->drv->column_text(st, i) : NULL;
}

const void *db_column_blob(struct db_stmt *st, int i)
{
    return st ? st->drv->column_blob(st, i) : NULL;
}

size_t db_column_bytes(struct db_stmt *st, int i)
{
    return st ? st->drv->column_bytes(st, i) : 0;
}

/* The catalogue queries of each database: name, then declared type. */
static const char LITE_TABLES[] =
    "SELECT name FROM sqlite_master WHERE type = 'table'"
    " AND name NOT LIKE 'sqlite_%' ORDER BY name";
static const char LITE_COLUMNS[] =
    "SELECT name, upper(type) FROM pragma_table_info(?1) ORDER BY cid";
static const char PG_TABLES[] =
    "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    " ORDER BY table_name COLLATE \"C\"";
static const char PG_COLUMNS[] =
    "SELECT column_name, upper(data_type) FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND table_name = ?1"
    " ORDER BY ordinal_position";

/* The kind of value a declared type holds (SQLite's affinity rules,
 * which name PostgreSQL's types as well). */
static enum db_type kind_of(const char *type)
{
    if (type == NULL)
        return DB_TEXT;
    if (strstr(type, "INT") != NULL)
        return DB_INTEGER;
    if (strstr(type, "BLOB") != NULL || strstr(type, "BYTEA") != NULL)
        return DB_BLOB;
    return DB_TEXT;
}

/* Run a catalogue query; the first column into names, the second (when
 * `kinds`) into kinds. */
static int catalogue(struct db *db, const char *sql, const char *arg,
                     char (*names)[DB_NAME_MAX], enum db_type *kinds, int max)
{
    struct db_stmt *st;
    int n = 0, rc;

    if (db == NULL || names == NULL || max < 0)
        return -DB_E_USAGE;
    st = db_q(db, sql);
    if (st == NULL)
        return -DB_E_SQL;
    if (arg != NULL)
        db_bind_text(st, 1, arg);
    while ((rc = db_step(st)) == 1) {
        if (n >= max)
            continue;
        snprintf(names[n], DB_NAME_MAX, "%s",
                 db_column_text(st, 0) ? db_column_text(st, 0) : "");
        if (kinds != NULL)
            kinds[n] = kind_of(db_column_text(st, 1));
        n++;
    }
    db_reset(st);
    return rc < 0 ? rc : n;
}

int db_tables(struct db *db, char (*names)[DB_NAME_MAX], int max)
{
    if (db == NULL)
        return -DB_E_USAGE;
    return catalogue(db, db_backend(db) == DB_PGSQL ? PG_TABLES : LITE_TABLES,
                     NULL, names, NULL, max);
}

int db_table_columns(struct db *db, const char *table,
                     char (*names)[DB_NAME_MAX], enum db_type *kinds, int max)
{
    if (db == NULL || table == NULL || kinds == NULL)
        return -DB_E_USAGE;
    return catalogue(db, db_backend(db) == DB_PGSQL ? PG_COLUMNS : LITE_COLUMNS,
                     table, names, kinds, max);
}

int db_function_text(struct db *db, const char *name, int nargs,
                     int (*fn)(const char *const *args, int nargs, char *out,
                               size_t cap))
{
    if (!db)
        return -DB_E_USAGE;
    if (!name || !*name || !fn || nargs < 0 || nargs > DB_FUNCTION_ARGS_MAX)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_function_text: bad name, function or argument"
                       " count");
    return db->drv->function_text(db, name, nargs, fn);
}

int64_t db_changes(struct db *db)
{
    return db ? db->changes : 0;
}

int db_begin(struct db *db, enum db_txn kind)
{
    if (!db)
        return -DB_E_USAGE;
    if (kind != DB_READ && kind != DB_WRITE && kind != DB_WRITE_SHARED)
        return db_fail(db, DB_E_USAGE, NULL, "db_begin: unknown kind %d",
                       (int)kind);
    if (db->in_txn)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_begin: a transaction is already open");
    return db->drv->begin(db, kind);
}

/* db_end (durable 1) and db_end_unsynced (0). */
static int end(struct db *db, int rc, int durable)
{
    if (!db)
        return rc < 0 ? rc : -DB_E_USAGE;
    if (!db->in_txn)
        return rc < 0
                   ? rc
                   : db_fail(db, DB_E_USAGE, NULL, "%s: no transaction is open",
                             durable ? "db_end" : "db_end_unsynced");
    return db->drv->end(db, rc, durable);
}

int db_end(struct db *db, int rc)
{
    return end(db, rc, 1);
}

int db_end_unsynced(struct db *db, int rc)
{
    return end(db, rc, 0);
}

int db_sync(struct db *db)
{
    if (!db)
        return -DB_E_USAGE;
    return db->drv->sync != NULL ? db->drv->sync(db) : 0;
}

int db_in_txn(const struct db *db)
{
    return db ? db->in_txn : 0;
}

/* 1 when `name` is a channel name db.h accepts. */
static int channel_ok(const char *name)
{
    size_t n;

    if (!name || !(name[0] >= 'a' && name[0] <= 'z'))
        return 0;
    n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_");
    return name[n] == '\0' && n <= 63;
}

int db_notify(struct db *db, const char *channel, const char *payload)
{
    if (!db)
        return -DB_E_USAGE;
    if (!channel_ok(channel))
        return db_fail(db, DB_E_USAGE, NULL, "db_notify: bad channel name");
    if (!payload || strlen(payload) >= DB_NOTIFY_MAX)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_notify: no payload, or one of %d bytes or more",
                       DB_NOTIFY_MAX);
    return db->drv->notify(db, channel, payload);
}

int db_listen(struct db *db, const char *channel)
{
    if (!db)
        return -DB_E_USAGE;
    if (!channel_ok(channel))
        return db_fail(db, DB_E_USAGE, NULL, "db_listen: bad channel name");
    if (db->in_txn)
        return db_fail(db, DB_E_USAGE, NULL, "db_listen: inside a transaction");
    return db->drv->listen(db, channel);
}

int db_wait_notify(struct db *db, int timeout_ms, char *payload, size_t cap)
{
    if (!db)
        return -DB_E_USAGE;
    if (!payload || cap == 0 || timeout_ms < 0)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_wait_notify: no buffer or a negative timeout");
    if (db->in_txn)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_wait_notify: inside a transaction");
    return db->drv->wait_notify(db, timeout_ms, payload, cap);
}

int db_xact_lock(struct db *db, int64_t key)
{
    if (!db)
        return -DB_E_USAGE;
    if (!db->in_txn)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_xact_lock: no transaction is open");
    return db->drv->xact_lock(db, key);
}

int db_savepoint(struct db *db, enum db_savepoint op)
{
    if (!db)
        return -DB_E_USAGE;
    if (!db->in_txn)
        return db_fail(db, DB_E_USAGE, NULL,
                       "db_savepoint: no transaction is open");
    return db->drv->savepoint(db, op);
}

int db_try_lock(struct db *db, int64_t key)
{
    if (!db)
        return -DB_E_USAGE;
    return db->drv->try_lock(db, key);
}
