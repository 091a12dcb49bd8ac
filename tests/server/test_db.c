/*
 * test_db.c: the SQL layer (server/db/db.h) against each database: SQLite
 * always (a file in a temporary directory), PostgreSQL when
 * CHOPAY_TEST_PG holds a connection URL (tests/pg/with-pg.sh sets one).
 * The same checks run on both; the few where the databases differ by
 * design (a failed statement aborts a PostgreSQL transaction, constraint
 * names, booleans and NUMERIC) run where they apply.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/db.h"
#include "harness.h"
#include "srvtest.h"

/* Statements for db_q: static arrays, so their addresses are stable. */
static const char S_INSERT[] =
    "INSERT INTO dbt_items (name, amount, note) VALUES (?1, ?2, ?1)"
    " RETURNING id";
static const char S_INSERT_BARE[] =
    "INSERT INTO dbt_items (name, amount, note, data) VALUES (?, ?, ?, ?)";
static const char S_BY_NAME[] =
    "SELECT id, amount, note, data FROM dbt_items WHERE name = ?1";
static const char S_ECHO[] = "SELECT ?1 AS v";
static const char S_LITERALS[] =
    "SELECT 'it''s ?1 -- no' AS \"a?b\", ?2 /* ?3 */, ? -- ?9\n";
static const char S_COUNT[] = "SELECT COUNT(*) FROM dbt_items";
static const char S_NAMED[] = "SELECT COUNT(*) FROM dbt_items WHERE name = ?1";
static const char S_LOG[] = "INSERT INTO dbt_log (what) VALUES (?1)";
static const char S_LOG_COUNT[] =
    "SELECT COUNT(*) FROM dbt_log WHERE what = ?1";

static const char SCHEMA_SQLITE[] =
    "CREATE TABLE dbt_items (id INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL CONSTRAINT dbt_items_name_key UNIQUE,"
    " amount INTEGER, note TEXT, data BLOB);"
    "CREATE TABLE dbt_log (id INTEGER PRIMARY KEY, what TEXT NOT NULL);"
    "CREATE TRIGGER dbt_log_guard BEFORE DELETE ON dbt_log"
    " BEGIN SELECT RAISE(ABORT, 'append_only'); END;";

static const char SCHEMA_PG[] =
    "DROP TABLE IF EXISTS dbt_items, dbt_log CASCADE;"
    "DROP FUNCTION IF EXISTS dbt_append_only() CASCADE;"
    "CREATE TABLE dbt_items (id BIGINT GENERATED ALWAYS AS IDENTITY"
    " PRIMARY KEY, name TEXT NOT NULL CONSTRAINT dbt_items_name_key UNIQUE,"
    " amount BIGINT, note TEXT, data BYTEA);"
    "CREATE TABLE dbt_log (id BIGINT GENERATED ALWAYS AS IDENTITY"
    " PRIMARY KEY, what TEXT NOT NULL);"
    "CREATE FUNCTION dbt_append_only() RETURNS trigger LANGUAGE plpgsql"
    " AS $$BEGIN RAISE EXCEPTION 'append_only'; END$$;"
    "CREATE TRIGGER dbt_log_guard BEFORE DELETE ON dbt_log FOR EACH ROW"
    " EXECUTE FUNCTION dbt_append_only();";

static const char VIET[] =
    "Nguy\xe1\xbb\x85n V\xc4\x83n \xc3\x81nh \xe2\x80\x94 'h\xe1\xbb\x8d"
    "c ph\xc3\xad' \"th\xc3\xa1ng 9\" ? ?1";

/* The one integer of a one-row query `sql` (a db_q string), -1 on error. */
static int64_t one_int(struct db *db, const char *sql, const char *arg)
{
    struct db_stmt *st = db_q(db, sql);
    int64_t v = -1;

    if (!st)
        return -1;
    if (arg)
        db_bind_text(st, 1, arg);
    if (db_step(st) == 1)
        v = db_column_int64(st, 0);
    db_reset(st);
    return v;
}

/* Insert an item through S_INSERT; its id, or a negative error. */
static int64_t insert_item(struct db *db, const char *name, int64_t amount)
{
    struct db_stmt *st = db_q(db, S_INSERT);
    int64_t id;
    int rc;

    if (!st)
        return -DB_E_USAGE;
    db_bind_text(st, 1, name);
    db_bind_int64(st, 2, amount);
    rc = db_step(st);
    if (rc != 1)
        return rc < 0 ? rc : -DB_E_USAGE;
    id = db_column_int64(st, 0);
    db_reset(st);
    return id;
}

static void check_urls(void)
{
    char err[256];
    struct db *db = (struct db *)&err; /* must come back NULL */

    CHECK_INT(db_url_backend("/var/lib/chopay/chopay.db"), DB_SQLITE);
    CHECK_INT(db_url_backend("chopay.db"), DB_SQLITE);
    CHECK_INT(db_url_backend("sqlite:/tmp/x.db"), DB_SQLITE);
    CHECK_INT(db_url_backend("sqlite:///tmp/x.db"), DB_SQLITE);
    CHECK_INT(db_url_backend("postgres://h/db"), DB_PGSQL);
    CHECK_INT(db_url_backend("postgresql://u@h:5432/db?sslmode=require"),
              DB_PGSQL);
    CHECK_INT(db_url_backend("mysql://h/db"), 0);
    CHECK_INT(db_url_backend(""), 0);
    CHECK_INT(db_url_backend(NULL), 0);

    CHECK_INT(db_open("mysql://h/db", 0, &db, err, sizeof(err)), -DB_E_USAGE);
    CHECK(db == NULL);
    CHECK(err[0] != '\0');
    CHECK_INT(db_open(NULL, 0, &db, NULL, 0), -DB_E_USAGE);

    /* libpq quotes a URL part it cannot parse: the password is blanked */
    db = NULL;
    CHECK(db_open("postgresql://u:s3cretpw%zz@127.0.0.1:1/x", 0, &db, err,
                  sizeof(err)) < 0);
    CHECK(db == NULL);
    CHECK(err[0] != '\0');
    CHECK(strstr(err, "s3cretpw") == NULL);
    CHECK(db_open("postgresql://127.0.0.1:1/x?password=pw%zzhidden", 0, &db,
                  err, sizeof(err)) < 0);
    CHECK(strstr(err, "hidden") == NULL);

    /* NULL is harmless everywhere */
    db_close(NULL);
    db_finalize(NULL);
    db_reset(NULL);
    db_bind_int64(NULL, 1, 1);
    CHECK_INT(db_step(NULL), -DB_E_USAGE);
    CHECK_INT(db_exec(NULL, "SELECT 1"), -DB_E_USAGE);
    CHECK(db_q(NULL, S_ECHO) == NULL);
    CHECK_INT(db_in_txn(NULL), 0);
}

/* Inserts, RETURNING, ?N and bare ? parameters, text and NULL binds. */
static void check_params(struct db *db)
{
    struct db_stmt *st;
    unsigned char blob[256];
    int64_t id1, id2;
    size_t i;

    for (i = 0; i < sizeof(blob); i++)
        blob[i] = (unsigned char)i;

    id1 = insert_item(db, "a", 100);
    CHECK(id1 > 0);
    CHECK_INT(db_changes(db), 1);
    id2 = insert_item(db, VIET, 200);
    CHECK(id2 > id1);

    /* ?1 used twice: note repeats name */
    st = db_q(db, S_BY_NAME);
    CHECK(st != NULL);
    db_bind_text(st, 1, VIET);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_count(st), 4);
    CHECK_STR(db_column_name(st, 1), "amount");
    CHECK_INT(db_column_int64(st, 0), id2);
    CHECK_INT(db_column_type(st, 1), DB_INTEGER);
    CHECK_INT(db_column_int64(st, 1), 200);
    CHECK_INT(db_column_type(st, 2), DB_TEXT);
    CHECK_STR(db_column_text(st, 2), VIET);
    CHECK_INT(db_column_bytes(st, 2), strlen(VIET));
    CHECK_INT(db_column_type(st, 3), DB_NULL);
    CHECK(db_column_text(st, 3) == NULL);
    CHECK_INT(db_step(st), 0);

    /* bare ?: NULL binds, int64 extremes, blobs */
    st = db_q(db, S_INSERT_BARE);
    CHECK(st != NULL);
    db_bind_text(st, 1, "max");
    db_bind_int64(st, 2, INT64_MAX);
    db_bind_text(st, 3, NULL);
    db_bind_blob(st, 4, blob, sizeof(blob));
    CHECK_INT(db_run(st), 0);
    CHECK_INT(db_changes(db), 1);
    db_bind_text(st, 1, "min");
    db_bind_int64(st, 2, INT64_MIN);
    db_bind_null(st, 3);
    db_bind_null(st, 4);
    CHECK_INT(db_run(st), 0);
    db_bind_textn(st, 1, "zero-and-more", 4);
    db_bind_int64(st, 2, 0);
    db_bind_textn(st, 3, "", 0);
    db_bind_blob(st, 4, "", 0);
    CHECK_INT(db_run(st), 0);

    st = db_q(db, S_BY_NAME);
    db_bind_text(st, 1, "max");
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_int64(st, 1), INT64_MAX);
    CHECK_INT(db_column_type(st, 2), DB_NULL);
    CHECK_INT(db_column_type(st, 3), DB_BLOB);
    CHECK_INT(db_column_bytes(st, 3), sizeof(blob));
    CHECK(db_column_blob(st, 3) != NULL &&
          memcmp(db_column_blob(st, 3), blob, sizeof(blob)) == 0);
    CHECK_INT(db_step(st), 0);
    db_reset(st);
    db_bind_text(st, 1, "min");
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_int64(st, 1), INT64_MIN);
    CHECK_INT(db_column_type(st, 3), DB_NULL);
    CHECK_INT(db_column_bytes(st, 3), 0);
    CHECK_INT(db_step(st), 0);
    db_reset(st);
    db_bind_text(st, 1, "zero");
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_int64(st, 1), 0);
    CHECK_INT(db_column_type(st, 1), DB_INTEGER);
    CHECK_STR(db_column_text(st, 2), "");
    CHECK_INT(db_column_bytes(st, 3), 0);
    CHECK_INT(db_step(st), 0);

    /* '?' inside a literal, an identifier and comments is not a parameter */
    st = db_q(db, S_LITERALS);
    CHECK(st != NULL);
    db_bind_int64(st, 2, -7);
    db_bind_text(st, 3, VIET);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_count(st), 3);
    CHECK_STR(db_column_name(st, 0), "a?b");
    CHECK_STR(db_column_text(st, 0), "it's ?1 -- no");
    CHECK_INT(db_column_int64(st, 1), -7);
    CHECK_STR(db_column_text(st, 2), VIET);
    CHECK_INT(db_step(st), 0);

    /* a parameter number out of range is refused, not read past */
    st = db_prepare(db, "SELECT ?0");
    if (st)
        CHECK(db_step(st) < 0);
    db_finalize(st);
}

/* db_q's cache; one statement run with different parameter types. */
static void check_cache(struct db *db)
{
    struct db_stmt *st = db_q(db, S_ECHO), *again;

    CHECK(st != NULL);
    db_bind_int64(st, 1, 7);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_type(st, 0), DB_INTEGER);
    CHECK_INT(db_column_int64(st, 0), 7);
    CHECK_STR(db_column_name(st, 0), "v");

    /* the same statement, reset and with nothing bound */
    again = db_q(db, S_ECHO);
    CHECK(again == st);
    CHECK_INT(db_step(again), 1);
    CHECK_INT(db_column_type(again, 0), DB_NULL);
    CHECK_INT(db_step(again), 0);

    /* text, a blob, then an integer again */
    db_reset(st);
    db_bind_text(st, 1, VIET);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_type(st, 0), DB_TEXT);
    CHECK_STR(db_column_text(st, 0), VIET);
    db_reset(st);
    db_bind_blob(st, 1, "\0\1\2", 3);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_type(st, 0), DB_BLOB);
    CHECK_INT(db_column_bytes(st, 0), 3);
    CHECK(memcmp(db_column_blob(st, 0), "\0\1\2", 3) == 0);
    db_reset(st);
    db_bind_int64(st, 1, INT64_MIN);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_int64(st, 0), INT64_MIN);
    /* stepping past the end, then again, runs it again */
    CHECK_INT(db_step(st), 0);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_int64(st, 0), INT64_MIN);
    db_reset(st);
}

/* Conflicts, guards, bad SQL; transactions commit or roll back. */
static void check_errors(struct db *db, int pg)
{
    struct db_stmt *st;
    int64_t n;
    int rc;

    n = one_int(db, S_COUNT, NULL);
    CHECK_INT(insert_item(db, "a", 1), -DB_E_CONFLICT);
    if (pg)
        CHECK_STR(db_errname(db), "dbt_items_name_key");
    CHECK(db_errmsg(db)[0] != '\0');
    CHECK_INT(one_int(db, S_COUNT, NULL), n);

    CHECK_INT(db_exec(db, "SELEC 1"), -DB_E_SQL);
    CHECK(db_errmsg(db)[0] != '\0');
    st = db_prepare(db, "SELECT nope FROM dbt_nowhere");
    if (st) /* PostgreSQL prepares at the first step */
        CHECK_INT(db_step(st), -DB_E_SQL);
    CHECK(strstr(db_errmsg(db), "dbt_nowhere") != NULL);
    db_finalize(st);

    /* the guard trigger refuses with its name */
    st = db_q(db, S_LOG);
    db_bind_text(st, 1, "kept");
    CHECK_INT(db_run(st), 0);
    CHECK_INT(db_exec(db, "DELETE FROM dbt_log"), -DB_E_GUARD);
    CHECK_STR(db_errname(db), "append_only");
    CHECK_INT(one_int(db, S_LOG_COUNT, "kept"), 1);

    /* a write transaction rolled back leaves nothing */
    n = one_int(db, S_COUNT, NULL);
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK_INT(db_in_txn(db), 1);
    CHECK(insert_item(db, "rolled back", 5) > 0);
    CHECK_INT(one_int(db, S_COUNT, NULL), n + 1);
    CHECK_INT(one_int(db, S_NAMED, "rolled back"), 1); /* first use */
    CHECK_INT(db_end(db, -DB_E_USAGE), -DB_E_USAGE);
    CHECK_INT(db_in_txn(db), 0);
    CHECK_INT(one_int(db, S_COUNT, NULL), n);
    CHECK_INT(one_int(db, S_NAMED, "rolled back"), 0); /* still prepared */
    /* and committed keeps it */
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK(insert_item(db, "committed", 5) > 0);
    CHECK_INT(db_begin(db, DB_WRITE), -DB_E_USAGE);
    CHECK_INT(db_end(db, 0), 0);
    CHECK_INT(one_int(db, S_COUNT, NULL), n + 1);
    CHECK_INT(db_end(db, 0), -DB_E_USAGE);

    /* db_changes counts the rows an UPDATE touched; a SELECT leaves it */
    CHECK_INT(db_exec(db, "UPDATE dbt_items SET note = 'x' WHERE amount = 5"),
              0);
    CHECK_INT(db_changes(db), 1);
    CHECK_INT(db_exec(db, "UPDATE dbt_items SET note = 'y' WHERE amount >= 0"),
              0);
    n = db_changes(db);
    CHECK(n >= 4);
    CHECK(one_int(db, S_COUNT, NULL) > 0);
    CHECK_INT(db_changes(db), n);

    if (!pg)
        return;
    /* PostgreSQL: a failed statement aborts the transaction, so db_end
     * rolls back even when asked to commit, and says why */
    n = one_int(db, S_COUNT, NULL);
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK(insert_item(db, "lost", 5) > 0);
    CHECK_INT(insert_item(db, "a", 1), -DB_E_CONFLICT);
    CHECK(insert_item(db, "refused", 1) < 0);
    rc = db_end(db, 0);
    CHECK_INT(rc, -DB_E_CONFLICT);
    CHECK_STR(db_errname(db), "dbt_items_name_key");
    CHECK_INT(one_int(db, S_COUNT, NULL), n);

    /* a write inside a read transaction is refused */
    CHECK_INT(db_begin(db, DB_READ), 0);
    CHECK(insert_item(db, "in a read", 1) < 0);
    CHECK(db_end(db, 0) < 0);
    CHECK_INT(one_int(db, S_COUNT, NULL), n);

    /* booleans, NUMERIC, binds past the statement's parameters */
    st = db_prepare(db, "SELECT true, false, SUM(amount), 1.5::numeric,"
                        " 12::numeric FROM dbt_items WHERE amount = 5");
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_type(st, 0), DB_INTEGER);
    CHECK_INT(db_column_int64(st, 0), 1);
    CHECK_INT(db_column_int64(st, 1), 0);
    CHECK_INT(db_column_type(st, 2), DB_INTEGER);
    CHECK_INT(db_column_int64(st, 2), 5);
    CHECK_INT(db_column_type(st, 3), DB_TEXT);
    CHECK_STR(db_column_text(st, 3), "1.5");
    CHECK_INT(db_column_type(st, 4), DB_INTEGER);
    CHECK_INT(db_column_type(st, 9), DB_NULL);
    CHECK(db_column_text(st, -1) == NULL);
    db_finalize(st);
    st = db_q(db, S_ECHO);
    db_bind_int64(st, 2, 1);
    CHECK_INT(db_step(st), -DB_E_USAGE);
    st = db_q(db, S_ECHO);
    db_bind_textn(st, 1, "a\0b", 3);
    CHECK_INT(db_step(st), -DB_E_USAGE);
}

/* A DB_READ transaction reads one snapshot while another connection
 * writes. */
static void check_read_txn(struct db *db, struct db *other)
{
    int64_t n;
    struct db_stmt *st;

    CHECK_INT(db_begin(db, DB_READ), 0);
    CHECK_INT(db_in_txn(db), 1);
    n = one_int(db, S_LOG_COUNT, "snapshot");
    CHECK_INT(n, 0);
    st = db_q(other, S_LOG);
    db_bind_text(st, 1, "snapshot");
    CHECK_INT(db_run(st), 0);
    CHECK_INT(one_int(other, S_LOG_COUNT, "snapshot"), 1);
    CHECK_INT(one_int(db, S_LOG_COUNT, "snapshot"), 0);
    CHECK_INT(db_end(db, 0), 0);
    CHECK_INT(db_in_txn(db), 0);
    CHECK_INT(one_int(db, S_LOG_COUNT, "snapshot"), 1);
}

/* What the second writer saw. */
struct writer {
    struct db *db;      /* its connection (used only by its thread) */
    atomic_int *clock;  /* shared order counter */
    atomic_int started; /* 1 once it is about to begin */
    int began_at;       /* the clock when its db_begin returned */
    int rc;             /* db_begin's answer */
    int64_t seen;       /* "first" rows it saw inside its transaction */
};

static void *second_writer(void *arg)
{
    struct writer *w = arg;
    struct db_stmt *st;

    atomic_store(&w->started, 1);
    w->rc = db_begin(w->db, DB_WRITE);
    w->began_at = atomic_fetch_add(w->clock, 1) + 1;
    if (w->rc == 0) {
        w->seen = one_int(w->db, S_LOG_COUNT, "first");
        st = db_q(w->db, S_LOG);
        db_bind_text(st, 1, "second");
        w->rc = db_end(w->db, db_run(st));
    }
    return NULL;
}

/* A DB_WRITE on one connection holds another's DB_WRITE until it ends. */
static void check_writers(struct db *a, struct db *b)
{
    struct timespec pause = {0, 200 * 1000 * 1000};
    atomic_int clock = 0;
    struct writer w = {.db = b, .clock = &clock, .seen = -1};
    struct db_stmt *st;
    pthread_t t;
    int a_ended_at;

    CHECK_INT(db_begin(a, DB_WRITE), 0);
    if (pthread_create(&t, NULL, second_writer, &w) != 0) {
        CHECK(!"pthread_create");
        db_end(a, -DB_E_USAGE);
        return;
    }
    while (!atomic_load(&w.started))
        nanosleep(&pause, NULL);
    nanosleep(&pause, NULL); /* give it time to wait on the lock */
    st = db_q(a, S_LOG);
    db_bind_text(st, 1, "first");
    CHECK_INT(db_run(st), 0);
    a_ended_at = atomic_fetch_add(&clock, 1) + 1;
    CHECK_INT(db_end(a, 0), 0);
    pthread_join(t, NULL);
    CHECK_INT(w.rc, 0);
    CHECK(w.began_at > a_ended_at);
    CHECK_INT(w.seen, 1);
    CHECK_INT(one_int(a, S_LOG_COUNT, "second"), 1);
}

/* A read-only connection refuses writes. */
static void check_readonly(const char *url)
{
    struct db *ro = NULL;
    char err[256];

    CHECK_INT(db_open(url, DB_READONLY, &ro, err, sizeof(err)), 0);
    if (!ro)
        return;
    CHECK(insert_item(ro, "read-only", 1) < 0);
    CHECK(one_int(ro, S_COUNT, NULL) > 0);
    db_close(ro);
}

/*
 * Notifications: one sent in a rolled-back write transaction is never
 * delivered, one sent in a committed one is, with its payload, and after
 * it nothing more arrives. On SQLite sending is a no-op and listening is
 * refused.
 */
static void check_notify(struct db *db, struct db *other, int pg)
{
    char got[64] = "";

    CHECK_INT(db_notify(db, "Bad-Name", "x"), -DB_E_USAGE);
    CHECK_INT(db_notify(db, "dbt_wake", NULL), -DB_E_USAGE);
    if (!pg) {
        CHECK_INT(db_notify(db, "dbt_wake", "1"), 0);
        CHECK_INT(db_listen(other, "dbt_wake"), -DB_E_USAGE);
        CHECK_INT(db_wait_notify(other, 10, got, sizeof(got)), -DB_E_USAGE);
        return;
    }
    CHECK_INT(db_listen(other, "dbt_wake"), 0);
    CHECK_INT(db_listen(other, "dbt_wake"), 0); /* again: no change */
    CHECK_INT(db_wait_notify(other, 0, got, sizeof(got)), 0);

    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK_INT(db_notify(db, "dbt_wake", "rolled back"), 0);
    CHECK_INT(db_end(db, -DB_E_USAGE), -DB_E_USAGE);
    CHECK_INT(db_wait_notify(other, 200, got, sizeof(got)), 0);

    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK_INT(db_notify(db, "dbt_wake", "committed 42"), 0);
    CHECK_INT(db_wait_notify(other, 100, got, sizeof(got)), 0); /* not yet */
    CHECK_INT(db_end(db, 0), 0);
    CHECK_INT(db_wait_notify(other, 2000, got, sizeof(got)), 1);
    CHECK_STR(got, "committed 42");
    CHECK_INT(db_wait_notify(other, 200, got, sizeof(got)), 0);

    /* outside a transaction: at once; a short buffer truncates */
    CHECK_INT(db_notify(db, "dbt_wake", "0123456789"), 0);
    CHECK_INT(db_wait_notify(other, 2000, got, 5), 1);
    CHECK_STR(got, "0123");
    CHECK_INT(db_notify(db, "dbt_other", "unheard"), 0);
    CHECK_INT(db_wait_notify(other, 200, got, sizeof(got)), 0);
}

/* The session lock: one connection holds it, the other is refused until
 * the holder closes. */
static void check_try_lock(const char *url, struct db *db, int pg)
{
    const int64_t key = INT64_C(0x6462745f6c6f636b);
    struct db *third = NULL;
    char err[256];

    CHECK_INT(db_try_lock(db, key), 1);
    CHECK_INT(db_try_lock(db, key), 1); /* held already */
    CHECK_INT(db_open(url, 0, &third, err, sizeof(err)), 0);
    if (!third)
        return;
    CHECK_INT(db_try_lock(third, key), pg ? 0 : 1);
    CHECK_INT(db_try_lock(third, key + 1), 1);
    db_close(third);
    if (pg) {
        CHECK_INT(db_open(url, 0, &third, err, sizeof(err)), 0);
        if (!third)
            return;
        CHECK_INT(db_try_lock(third, key + 1), 1); /* freed at close */
        db_close(third);
    }
}

/*
 * Savepoints: what was done since DB_SP_SET is undone by DB_SP_UNDO and
 * kept by DB_SP_RELEASE; after a failed statement (a unique conflict)
 * undone, the transaction goes on and commits what came before it and
 * after it, on PostgreSQL too.
 */
static void check_savepoints(struct db *db)
{
    CHECK_INT(db_savepoint(db, DB_SP_SET), -DB_E_USAGE);
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK(insert_item(db, "sp-before", 1) > 0);
    CHECK_INT(db_savepoint(db, DB_SP_SET), 0);
    CHECK(insert_item(db, "sp-undone", 2) > 0);
    CHECK_INT(db_savepoint(db, DB_SP_UNDO), 0);
    CHECK_INT(db_savepoint(db, DB_SP_SET), 0);
    CHECK(insert_item(db, "sp-failed", 3) > 0);
    CHECK_INT(insert_item(db, "sp-before", 4), -DB_E_CONFLICT);
    CHECK_INT(db_savepoint(db, DB_SP_UNDO), 0);
    CHECK_INT(db_savepoint(db, DB_SP_SET), 0);
    CHECK(insert_item(db, "sp-kept", 5) > 0);
    CHECK_INT(db_savepoint(db, DB_SP_RELEASE), 0);
    CHECK_INT(db_end(db, 0), 0);
    CHECK_INT(one_int(db, S_NAMED, "sp-before"), 1);
    CHECK_INT(one_int(db, S_NAMED, "sp-undone"), 0);
    CHECK_INT(one_int(db, S_NAMED, "sp-failed"), 0);
    CHECK_INT(one_int(db, S_NAMED, "sp-kept"), 1);
}

/*
 * A commit whose wait for the disk comes later: seen by the other
 * connection, which may write next, before db_sync; a rollback the same
 * way keeps nothing.
 */
static void check_unsynced(struct db *db, struct db *other)
{
    CHECK_INT(db_end_unsynced(db, 0), -DB_E_USAGE);
    CHECK_INT(db_sync(NULL), -DB_E_USAGE);
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK(insert_item(db, "unsynced", 7) > 0);
    CHECK_INT(db_end_unsynced(db, 0), 0);
    CHECK_INT(one_int(other, S_NAMED, "unsynced"), 1);
    CHECK_INT(db_begin(other, DB_WRITE), 0);
    CHECK(insert_item(other, "after-unsynced", 8) > 0);
    CHECK_INT(db_end(other, 0), 0);
    CHECK_INT(db_sync(db), 0);
    CHECK_INT(db_begin(db, DB_WRITE), 0);
    CHECK(insert_item(db, "undone", 9) > 0);
    CHECK_INT(db_end_unsynced(db, -DB_E_CONFLICT), -DB_E_CONFLICT);
    CHECK_INT(db_sync(db), 0);
    CHECK_INT(one_int(other, S_NAMED, "undone"), 0);
    CHECK_INT(one_int(other, S_NAMED, "after-unsynced"), 1);
}

static void run_suite(const char *url, enum db_backend backend,
                      const char *schema)
{
    struct db *db = NULL, *other = NULL;
    char err[512];
    int rc;

    printf("-- %s\n", backend == DB_PGSQL ? "PostgreSQL" : "SQLite");
    rc = db_open(url, 0, &db, err, sizeof(err));
    CHECK_INT(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "db_open: %s\n", err);
        return;
    }
    rc = db_open(url, 0, &other, err, sizeof(err));
    CHECK_INT(rc, 0);
    if (rc < 0) {
        fprintf(stderr, "db_open: %s\n", err);
        db_close(db);
        return;
    }
    CHECK_INT(db_backend(db), backend);
    CHECK_INT(db_exec(db, schema), 0);

    check_params(db);
    check_cache(db);
    check_errors(db, backend == DB_PGSQL);
    check_read_txn(db, other);
    check_writers(db, other);
    check_readonly(url);
    check_notify(db, other, backend == DB_PGSQL);
    check_try_lock(url, db, backend == DB_PGSQL);
    check_savepoints(db);
    check_unsynced(db, other);

    db_close(other);
    db_close(db);
}

int main(void)
{
    const char *pg = getenv("CHOPAY_TEST_PG");
    char dir[256], url[300];

    check_urls();

    if (st_tmpdir(dir) == 0) {
        snprintf(url, sizeof(url), "%s/test.db", dir);
        run_suite(url, DB_SQLITE, SCHEMA_SQLITE);
        st_rmtree(dir);
    } else {
        CHECK(!"a temporary directory");
    }

    if (pg && *pg)
        run_suite(pg, DB_PGSQL, SCHEMA_PG);
    else
        printf("-- PostgreSQL skipped: CHOPAY_TEST_PG is not set "
               "(make check-pg runs it)\n");
    return TEST_END();
}
