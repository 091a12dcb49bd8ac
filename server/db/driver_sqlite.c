/*
 * driver_sqlite.c: db.h on SQLite. One connection per struct db, opened
 * with WAL, foreign keys and a busy timeout; the WAL files persist after
 * the last connection closes, so a server restarted on a full disk can
 * still map the shared index and serve reads. Write transactions are
 * BEGIN IMMEDIATE: SQLite has one writer.
 *
 * Durability: a connection writes with synchronous=NORMAL (COMMIT writes
 * the WAL without waiting for the disk) and the driver itself fdatasyncs
 * the WAL after every commit, before db_end answers, and after every write
 * outside a transaction; db_end_unsynced leaves that wait to db_sync, after
 * the writer's turn. A commit acknowledged after either is on disk as
 * with synchronous=FULL; frames written after an unsynced commit follow
 * it in the WAL, so a power loss keeps a prefix of the commits. A
 * database SQLite cannot put in WAL mode keeps synchronous=FULL.
 *
 * Statements are SQLite's own; the cache of db_q keeps them by the
 * address of their SQL in a small open-addressing table.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db_driver.h"
#include "driver_sqlite.h"

#define BUSY_TIMEOUT_MS 10000

/*
 * Waiting for another process's write lock (an import from the command
 * line beside the server): try again every millisecond, up to the busy
 * timeout. SQLite's own handler sleeps longer and longer (up to 100 ms a
 * time) and so can miss every short gap a writer leaves between its
 * transactions.
 */
static int lite_busy(void *ctx, int tries)
{
    struct timespec ms = {0, 1000000};

    (void)ctx;
    if (tries >= BUSY_TIMEOUT_MS)
        return 0;
    nanosleep(&ms, NULL);
    return 1;
}

struct lite_stmt {
    struct db_stmt head;     /* must be first */
    sqlite3_stmt *s;         /* SQLite's statement */
    struct lite_stmt *next;  /* every statement of the connection */
    struct lite_stmt **prev; /* the link that points here */
    int cached;              /* 1: owned by db_q's cache */
};

struct lite_slot {
    const char *sql;      /* the key: address of the SQL text */
    struct lite_stmt *st; /* its statement */
};

struct lite {
    struct db head;         /* must be first */
    sqlite3 *h;             /* the connection */
    struct lite_stmt *all;  /* every open statement, cached or not */
    struct lite_slot *slot; /* db_q's cache */
    size_t n_slot;          /* capacity of `slot` (a power of two) */
    size_t n_used;          /* entries in `slot` */
    int wal;                /* 1: WAL mode, synchronous=NORMAL, the driver
                               syncs the WAL after each commit */
    int writing;            /* 1: the open transaction is a write */
    int dir_synced;         /* 1: the WAL's directory entry is on disk */
};

static struct lite *L(struct db *db)
{
    return (struct lite *)db;
}

static struct lite_stmt *S(struct db_stmt *st)
{
    return (struct lite_stmt *)st;
}

/* The class of an SQLite result code, with the message and name noted. */
static int fail(struct lite *c, int rc)
{
    const char *msg = sqlite3_errmsg(c->h);
    int ext = sqlite3_extended_errcode(c->h);

    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (ext == SQLITE_CONSTRAINT_TRIGGER)
            return db_fail(&c->head, DB_E_GUARD, msg, "%s", msg);
        {
            /* "UNIQUE constraint failed: payments.org_id, ..." names the
               columns; SQLite gives no constraint name. */
            const char *cols = strstr(msg, "failed: ");

            return db_fail(&c->head, DB_E_CONFLICT, cols ? cols + 8 : NULL,
                           "%s", msg);
        }
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return db_fail(&c->head, DB_E_BUSY, NULL, "%s", msg);
    case SQLITE_FULL:
        return db_fail(&c->head, DB_E_FULL, NULL, "%s", msg);
    case SQLITE_NOMEM:
        return db_fail(&c->head, DB_E_NOMEM, NULL, "%s", msg);
    case SQLITE_ERROR:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
        return db_fail(&c->head, DB_E_SQL, NULL, "%s", msg);
    case SQLITE_MISUSE:
        return db_fail(&c->head, DB_E_USAGE, NULL, "%s", msg);
    default:
        return db_fail(&c->head, DB_E_IO, NULL, "%s", msg);
    }
}

/* ---- statements ---------------------------------------------------------- */

static struct lite_stmt *stmt_new(struct lite *c, const char *sql,
                                  unsigned prep_flags)
{
    struct lite_stmt *st = calloc(1, sizeof(*st));
    int rc;

    if (st == NULL) {
        db_fail(&c->head, DB_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    rc = sqlite3_prepare_v3(c->h, sql, -1, prep_flags, &st->s, NULL);
    if (rc != SQLITE_OK) {
        fail(c, rc);
        sqlite3_finalize(st->s);
        free(st);
        return NULL;
    }
    st->head.drv = &db_driver_sqlite;
    st->head.db = &c->head;
    st->next = c->all;
    if (c->all != NULL)
        c->all->prev = &st->next;
    st->prev = &c->all;
    c->all = st;
    return st;
}

static void stmt_free(struct lite_stmt *st)
{
    *st->prev = st->next;
    if (st->next != NULL)
        st->next->prev = st->prev;
    sqlite3_finalize(st->s);
    free(st);
}

static struct db_stmt *lite_prepare(struct db *db, const char *sql)
{
    struct lite_stmt *st = stmt_new(L(db), sql, 0);

    return st ? &st->head : NULL;
}

static size_t slot_of(const struct lite *c, const char *sql)
{
    uintptr_t h = (uintptr_t)sql;

    h ^= h >> 17;
    h *= (uintptr_t)0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 7) & (c->n_slot - 1);
}

/* Make room in the cache for one more entry. 0 or -DB_E_NOMEM. */
static int cache_grow(struct lite *c)
{
    struct lite_slot *old = c->slot;
    size_t n_old = c->n_slot, i;

    if (c->n_slot != 0 && (c->n_used + 1) * 4 < c->n_slot * 3)
        return 0;
    c->n_slot = n_old ? n_old * 2 : 64;
    c->slot = calloc(c->n_slot, sizeof(*c->slot));
    if (c->slot == NULL) {
        c->slot = old;
        c->n_slot = n_old;
        return db_fail(&c->head, DB_E_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < n_old; i++)
        if (old[i].sql != NULL) {
            size_t k = slot_of(c, old[i].sql);

            while (c->slot[k].sql != NULL)
                k = (k + 1) & (c->n_slot - 1);
            c->slot[k] = old[i];
        }
    free(old);
    return 0;
}

static struct db_stmt *lite_q(struct db *db, const char *sql)
{
    struct lite *c = L(db);
    struct lite_stmt *st;
    size_t k;

    if (c->n_slot != 0) {
        for (k = slot_of(c, sql); c->slot[k].sql != NULL;
             k = (k + 1) & (c->n_slot - 1))
            if (c->slot[k].sql == sql) {
                st = c->slot[k].st;
                sqlite3_reset(st->s);
                sqlite3_clear_bindings(st->s);
                return &st->head;
            }
    }
    if (cache_grow(c) != 0)
        return NULL;
    st = stmt_new(c, sql, SQLITE_PREPARE_PERSISTENT);
    if (st == NULL)
        return NULL;
    st->cached = 1;
    for (k = slot_of(c, sql); c->slot[k].sql != NULL;
         k = (k + 1) & (c->n_slot - 1))
        ;
    c->slot[k].sql = sql;
    c->slot[k].st = st;
    c->n_used++;
    return &st->head;
}

/* A statement of db_q's cache lives as long as its connection: given
 * here by mistake, it is only reset. */
static void lite_finalize(struct db_stmt *st)
{
    if (S(st)->cached)
        sqlite3_reset(S(st)->s);
    else
        stmt_free(S(st));
}

/* A statement that writes and returns rows (INSERT ... RETURNING) is
 * often reset before it reaches SQLITE_DONE, so db_changes is read again
 * after the reset. */
static void lite_reset(struct db_stmt *st)
{
    sqlite3_reset(S(st)->s);
    if (!sqlite3_stmt_readonly(S(st)->s))
        L(st->db)->head.changes = sqlite3_changes64(L(st->db)->h);
}

static void lite_bind_int64(struct db_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(S(st)->s, i, v);
}

static void lite_bind_textn(struct db_stmt *st, int i, const char *s, size_t n)
{
    sqlite3_bind_text64(S(st)->s, i, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void lite_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
    sqlite3_bind_blob64(S(st)->s, i, p, n, SQLITE_TRANSIENT);
}

static void lite_bind_null(struct db_stmt *st, int i)
{
    sqlite3_bind_null(S(st)->s, i);
}

/* Open `path` with `flags` and wait until what was written to it is on
 * disk (fdatasync; fsync for a directory, `flags` with O_DIRECTORY);
 * ENOENT answers 1. */
static int sync_path(struct lite *c, const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC), rc;

    if (fd < 0 && errno == ENOENT)
        return 1;
    if (fd < 0)
        return db_fail(&c->head, DB_E_IO, NULL, "cannot open %s: %s", path,
                       strerror(errno));
    rc = (flags & O_DIRECTORY) ? fsync(fd) : fdatasync(fd);
    if (rc != 0)
        rc = db_fail(&c->head, DB_E_IO, NULL, "syncing %s: %s", path,
                     strerror(errno));
    close(fd);
    return rc;
}

/*
 * fdatasync the connection's WAL: every commit written to it so far is on
 * disk when this answers 0. The first time, the WAL's directory too (its
 * entry): SQLite does that at a WAL's own first sync, which
 * synchronous=NORMAL puts off to the first checkpoint.
 */
static int wal_sync(struct lite *c)
{
    const char *db = sqlite3_db_filename(c->h, "main");
    char path[4096], *slash;
    int rc;

    if (!c->wal || db == NULL || *db == '\0')
        return 0;
    if (snprintf(path, sizeof(path), "%s-wal", db) >= (int)sizeof(path))
        return db_fail(&c->head, DB_E_IO, NULL, "WAL path too long");
    rc = sync_path(c, path, O_RDONLY);
    if (rc != 0)
        return rc < 0 ? rc : 0; /* no WAL yet, or one checkpointed and
                                   removed: nothing committed waits in it */
    if (c->dir_synced)
        return 0;
    slash = strrchr(path, '/'); /* SQLite's file names are absolute */
    if (slash != NULL)
        slash[slash == path] = '\0';
    rc = sync_path(c, slash != NULL ? path : ".", O_RDONLY | O_DIRECTORY);
    if (rc < 0)
        return rc;
    c->dir_synced = 1;
    return 0;
}

static int lite_sync(struct db *db)
{
    return wal_sync(L(db));
}

static int lite_step(struct db_stmt *st)
{
    struct lite *c = L(st->db);
    int rc = sqlite3_step(S(st)->s);

    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE) {
        if (!sqlite3_stmt_readonly(S(st)->s)) {
            c->head.changes = sqlite3_changes64(c->h);
            /* a write outside a transaction committed as it ran */
            if (!c->head.in_txn && sqlite3_get_autocommit(c->h))
                return wal_sync(c);
        }
        return 0;
    }
    return fail(c, rc);
}

static int lite_column_count(struct db_stmt *st)
{
    return sqlite3_column_count(S(st)->s);
}

static const char *lite_column_name(struct db_stmt *st, int i)
{
    return sqlite3_column_name(S(st)->s, i);
}

static enum db_type lite_column_type(struct db_stmt *st, int i)
{
    switch (sqlite3_column_type(S(st)->s, i)) {
    case SQLITE_INTEGER:
        return DB_INTEGER;
    case SQLITE_TEXT:
        return DB_TEXT;
    case SQLITE_BLOB:
        return DB_BLOB;
    case SQLITE_FLOAT: /* no column of the schema holds one */
        return DB_TEXT;
    default:
        return DB_NULL;
    }
}

static int64_t lite_column_int64(struct db_stmt *st, int i)
{
    return sqlite3_column_int64(S(st)->s, i);
}

static const char *lite_column_text(struct db_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(S(st)->s, i);
}

static const void *lite_column_blob(struct db_stmt *st, int i)
{
    return sqlite3_column_blob(S(st)->s, i);
}

static size_t lite_column_bytes(struct db_stmt *st, int i)
{
    return (size_t)sqlite3_column_bytes(S(st)->s, i);
}

/* ---- SQL functions ------------------------------------------------------- */

/* What a function of db_function_text holds: the C function it calls
 * (freed by SQLite with the connection, or when the name is replaced). */
struct lite_fn {
    int (*fn)(const char *const *args, int nargs, char *out, size_t cap);
};

/* SQLite's side of a db_function_text function: the arguments as text,
 * the answer as text, NULL or an error. */
static void lite_fn_call(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct lite_fn *f = sqlite3_user_data(cx);
    const char *args[DB_FUNCTION_ARGS_MAX];
    size_t cap = 256;
    char *out;
    int i, rc;

    for (i = 0; i < argc && i < DB_FUNCTION_ARGS_MAX; i++) {
        args[i] = (const char *)sqlite3_value_text(argv[i]);
        if (args[i] == NULL && sqlite3_value_type(argv[i]) != SQLITE_NULL) {
            sqlite3_result_error_nomem(cx);
            return;
        }
        if (args[i] != NULL)
            cap += (size_t)sqlite3_value_bytes(argv[i]);
    }
    out = malloc(cap);
    if (out == NULL) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    out[0] = '\0';
    rc = f->fn(args, argc, out, cap);
    if (rc == 0)
        sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
    else if (rc == 1)
        sqlite3_result_null(cx);
    else if (rc == -DB_E_NOMEM)
        sqlite3_result_error_nomem(cx);
    else
        sqlite3_result_error(cx, out[0] != '\0' ? out : "function failed", -1);
    free(out);
}

static int lite_function_text(struct db *db, const char *name, int nargs,
                              int (*fn)(const char *const *args, int nargs,
                                        char *out, size_t cap))
{
    struct lite *c = L(db);
    struct lite_fn *f = malloc(sizeof(*f));
    int rc;

    if (f == NULL)
        return db_fail(db, DB_E_NOMEM, NULL, "out of memory");
    f->fn = fn;
    /* on failure SQLite has already called free(f) */
    rc = sqlite3_create_function_v2(c->h, name, nargs,
                                    SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                        SQLITE_DIRECTONLY,
                                    f, lite_fn_call, NULL, NULL, free);
    return rc == SQLITE_OK ? 0 : fail(c, rc);
}

/* ---- connections and transactions ---------------------------------------- */

static int lite_exec(struct db *db, const char *sql)
{
    struct lite *c = L(db);
    int rc = sqlite3_exec(c->h, sql, NULL, NULL, NULL);

    if (rc != SQLITE_OK)
        return fail(c, rc);
    /* the rows of the last INSERT, UPDATE or DELETE it ran */
    c->head.changes = sqlite3_changes64(c->h);
    /* what it wrote outside a transaction is committed already */
    if (!db->in_txn && sqlite3_get_autocommit(c->h))
        return wal_sync(c);
    return 0;
}

/* Reset every statement, so none keeps the transaction's snapshot. */
static void reset_all(struct lite *c)
{
    struct lite_stmt *st;

    for (st = c->all; st != NULL; st = st->next)
        sqlite3_reset(st->s);
}

static int lite_begin(struct db *db, enum db_txn kind)
{
    int rc = lite_exec(db, kind == DB_READ ? "BEGIN" : "BEGIN IMMEDIATE");

    if (rc == 0) {
        db->in_txn = 1;
        L(db)->writing = kind != DB_READ;
    }
    return rc;
}

static int lite_end(struct db *db, int rc, int durable)
{
    struct lite *c = L(db);

    reset_all(c);
    if (rc == 0) {
        int crc = lite_exec(db, "COMMIT");

        if (crc == 0 && durable && c->writing)
            crc = wal_sync(c);
        if (crc != 0)
            rc = crc;
    }
    if (!sqlite3_get_autocommit(c->h)) {
        char msg[sizeof(db->errmsg)];
        char name[sizeof(db->errname)];

        /* keep the failure that caused the rollback as the last error */
        memcpy(msg, db->errmsg, sizeof(msg));
        memcpy(name, db->errname, sizeof(name));
        sqlite3_exec(c->h, "ROLLBACK", NULL, NULL, NULL);
        memcpy(db->errmsg, msg, sizeof(msg));
        memcpy(db->errname, name, sizeof(name));
    }
    db->in_txn = 0;
    return rc;
}

static int lite_savepoint(struct db *db, enum db_savepoint op)
{
    int rc;

    reset_all(L(db));
    if (op == DB_SP_SET)
        return lite_exec(db, "SAVEPOINT chopay_sp");
    if (op == DB_SP_RELEASE)
        return lite_exec(db, "RELEASE chopay_sp");
    rc = lite_exec(db, "ROLLBACK TO chopay_sp");
    return rc != 0 ? rc : lite_exec(db, "RELEASE chopay_sp");
}

static void lite_close(struct db *db)
{
    struct lite *c = L(db);

    if (db->in_txn)
        lite_end(db, -DB_E_USAGE, 1);
    while (c->all != NULL)
        stmt_free(c->all);
    free(c->slot);
    sqlite3_close(c->h);
    free(c);
}

/* The file path of an SQLite URL: PATH, sqlite:PATH or sqlite://PATH. */
static const char *url_path(const char *url)
{
    if (strncmp(url, "sqlite://", 9) == 0)
        return url + 9;
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    return url;
}

/* Commits wait for the disk in wal_sync when SQLite runs the database
 * in WAL mode, in COMMIT otherwise. */
static int wal_mode(struct lite *c)
{
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqlite3_prepare_v2(c->h, "PRAGMA journal_mode", -1, &q, NULL);
    if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        c->wal = sqlite3_stricmp((const char *)sqlite3_column_text(q, 0),
                                 "wal") == 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_OK)
        return fail(c, rc);
    return lite_exec(&c->head, c->wal ? "PRAGMA synchronous=NORMAL;"
                                      : "PRAGMA synchronous=FULL;");
}

static int lite_open(const char *url, unsigned flags, struct db **out,
                     char *err, size_t errlen)
{
    const char *path = url_path(url);
    int readonly = (flags & DB_READONLY) != 0;
    int oflags = SQLITE_OPEN_NOMUTEX;
    struct lite *c;
    int rc;

    if (*path == '\0') {
        if (err != NULL && errlen != 0)
            snprintf(err, errlen, "empty database path");
        return -DB_E_USAGE;
    }
    if ((readonly || (flags & DB_NOCREATE)) && access(path, F_OK) != 0) {
        if (err != NULL && errlen != 0)
            snprintf(err, errlen, "no database at %s", path);
        return -DB_E_USAGE;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        if (err != NULL && errlen != 0)
            snprintf(err, errlen, "out of memory");
        return -DB_E_NOMEM;
    }
    c->head.drv = &db_driver_sqlite;
    oflags |= readonly ? SQLITE_OPEN_READONLY
                       : SQLITE_OPEN_READWRITE |
                             ((flags & DB_NOCREATE) ? 0 : SQLITE_OPEN_CREATE);
    rc = sqlite3_open_v2(path, &c->h, oflags, NULL);
    if (rc != SQLITE_OK) {
        if (err != NULL && errlen != 0)
            snprintf(err, errlen, "cannot open %s: %s", path,
                     c->h ? sqlite3_errmsg(c->h) : "out of memory");
        sqlite3_close(c->h);
        free(c);
        return -DB_E_IO;
    }
    sqlite3_busy_handler(c->h, lite_busy, NULL);
    if (readonly) {
        rc = lite_exec(&c->head, "PRAGMA query_only=1;");
    } else {
        int one = 1;

        sqlite3_file_control(c->h, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
        rc = lite_exec(&c->head, "PRAGMA journal_mode=WAL;"
                                 " PRAGMA foreign_keys=ON;"
                                 " PRAGMA temp_store=MEMORY;");
        if (rc == 0)
            rc = wal_mode(c);
    }
    if (rc != 0) {
        if (err != NULL && errlen != 0)
            snprintf(err, errlen, "%s: %s", path, c->head.errmsg);
        sqlite3_close(c->h);
        free(c);
        return rc;
    }
    *out = &c->head;
    return 0;
}

sqlite3 *db_sqlite_handle(struct db *db)
{
    return db != NULL && db->drv == &db_driver_sqlite ? L(db)->h : NULL;
}

/* One process owns the file: nothing to tell another, nothing to hear. */
static int lite_notify(struct db *db, const char *channel, const char *payload)
{
    (void)db;
    (void)channel;
    (void)payload;
    return 0;
}

static int lite_listen(struct db *db, const char *channel)
{
    return db_fail(db, DB_E_USAGE, NULL,
                   "listen %s: SQLite has no notifications", channel);
}

static int lite_wait_notify(struct db *db, int timeout_ms, char *payload,
                            size_t cap)
{
    (void)timeout_ms;
    (void)payload;
    (void)cap;
    return db_fail(db, DB_E_USAGE, NULL, "SQLite has no notifications");
}

static int lite_xact_lock(struct db *db, int64_t key)
{
    (void)db;
    (void)key;
    return 0;
}

static int lite_try_lock(struct db *db, int64_t key)
{
    (void)db;
    (void)key;
    return 1;
}

const struct db_driver db_driver_sqlite = {
    .name = "sqlite",
    .backend = DB_SQLITE,
    .open = lite_open,
    .close = lite_close,
    .exec = lite_exec,
    .q = lite_q,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .reset = lite_reset,
    .bind_int64 = lite_bind_int64,
    .bind_textn = lite_bind_textn,
    .bind_blob = lite_bind_blob,
    .bind_null = lite_bind_null,
    .step = lite_step,
    .column_count = lite_column_count,
    .column_name = lite_column_name,
    .column_type = lite_column_type,
    .column_int64 = lite_column_int64,
    .column_text = lite_column_text,
    .column_blob = lite_column_blob,
    .column_bytes = lite_column_bytes,
    .begin = lite_begin,
    .end = lite_end,
    .sync = lite_sync,
    .savepoint = lite_savepoint,
    .function_text = lite_function_text,
    .notify = lite_notify,
    .listen = lite_listen,
    .wait_notify = lite_wait_notify,
    .xact_lock = lite_xact_lock,
    .try_lock = lite_try_lock,
};
