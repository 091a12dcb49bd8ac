/*
 * test_schema.c: the two dialects of the schema describe one data model.
 * The SQLite schema is what the store's migrations build in a fresh data
 * directory (chopay-server init), and an SQLite database left at any older
 * version gets exactly that schema from init; the PostgreSQL schema is
 * what the files of server/schema/pgsql/, as compiled in, build in the
 * database CHOPAY_TEST_PG names (tests/pg/with-pg.sh). Every table has the
 * same columns in the same order, with the same NOT NULL and the same kind
 * of value; every named index exists in both; both stand at the same
 * schema version; and the append-only guards refuse on PostgreSQL as they
 * do on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "harness.h"
#include "schema_files.h"
#include "srvtest.h"
#include "store/store_int.h"

#define MAX_COLS 2048

/* One column: "table.column kind notnull", kind one of int, text, bytes. */
struct cols {
    char row[MAX_COLS][160];
    int n;
};

static const char LITE_TABLES[] =
    "SELECT name FROM sqlite_master WHERE type = 'table'"
    " AND name NOT LIKE 'sqlite_%' ORDER BY name";
static const char LITE_COLS[] =
    "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?1)"
    " ORDER BY cid";
static const char LITE_INDEXES[] =
    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    " ORDER BY name";
static const char PG_COLS[] =
    "SELECT table_name, column_name, upper(data_type),"
    " CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END"
    " FROM information_schema.columns WHERE table_schema = current_schema()"
    " ORDER BY table_name COLLATE \"C\", ordinal_position";
static const char PG_INDEX[] =
    "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema()"
    " AND indexname = ?1";
static const char VERSION[] = "SELECT max(version) FROM schema_version";

static const char *kind_of(const char *type)
{
    if (strstr(type, "INT") != NULL)
        return "int";
    if (strstr(type, "BLOB") != NULL || strstr(type, "BYTEA") != NULL)
        return "bytes";
    return "text";
}

static int add(struct cols *c, const char *table, const char *col,
               const char *type, int notnull)
{
    int k;

    if (c->n >= MAX_COLS)
        return -1;
    k = snprintf(c->row[c->n], sizeof(c->row[0]), "%s.%s %s%s", table, col,
                 kind_of(type), notnull ? " notnull" : "");
    if (k < 0 || (size_t)k >= sizeof(c->row[0]))
        return -1;
    c->n++;
    return 0;
}

/* Every column of the SQLite database at `path`, table by table. */
static int lite_columns(struct db *db, struct cols *out)
{
    char tables[64][64];
    int n = 0, i, rc;
    struct db_stmt *st = db_q(db, LITE_TABLES);

    while (st != NULL && (rc = db_step(st)) == 1 && n < 64)
        snprintf(tables[n++], sizeof(tables[0]), "%s", db_column_text(st, 0));
    if (st == NULL)
        return -1;
    for (i = 0; i < n; i++) {
        st = db_q(db, LITE_COLS);
        if (st == NULL)
            return -1;
        db_bind_text(st, 1, tables[i]);
        while ((rc = db_step(st)) == 1) {
            /* a key column is never NULL (INTEGER PRIMARY KEY is the
               rowid; the others are in WITHOUT ROWID tables) */
            int notnull =
                db_column_int64(st, 2) != 0 || db_column_int64(st, 3) != 0;

            if (add(out, tables[i], db_column_text(st, 0),
                    db_column_text(st, 1), notnull) != 0)
                return -1;
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int pg_columns(struct db *db, struct cols *out)
{
    struct db_stmt *st = db_q(db, PG_COLS);
    int rc;

    if (st == NULL)
        return -1;
    while ((rc = db_step(st)) == 1)
        if (add(out, db_column_text(st, 0), db_column_text(st, 1),
                db_column_text(st, 2), (int)db_column_int64(st, 3)) != 0)
            return -1;
    return rc;
}

static int64_t one_int(struct db *db, const char *sql)
{
    struct db_stmt *st = db_q(db, sql);
    int64_t v = -1;

    if (st != NULL && db_step(st) == 1)
        v = db_column_int64(st, 0);
    db_reset(st);
    return v;
}

/* Every object of the SQLite database `db`, "type name sql" a line, by
 * type and name, into out (NUL-terminated); 0, or -1 when it does not fit
 * or cannot be read. */
static int lite_schema(struct db *db, char *out, size_t cap)
{
    struct db_stmt *st = db_prepare(db, "SELECT type, name, sql FROM"
                                        " sqlite_master ORDER BY type, name");
    size_t len = 0;
    int rc = -1, k;

    out[0] = '\0';
    while (st != NULL && (rc = db_step(st)) == 1) {
        k = snprintf(out + len, cap - len, "%s %s %s\n", db_column_text(st, 0),
                     db_column_text(st, 1),
                     db_column_type(st, 2) == DB_NULL ? "-"
                                                      : db_column_text(st, 2));
        if (k < 0 || (size_t)k >= cap - len)
            rc = -1;
        if (rc < 0)
            break;
        len += (size_t)k;
    }
    db_finalize(st);
    return st != NULL && rc == 0 ? 0 : -1;
}

/*
 * An SQLite database left at each older version (its files run as the
 * store runs them, each with its version recorded) is brought by init to
 * the schema of a new one (`fresh`): the same objects, with the same SQL
 * text, at the same version.
 */
static void older_versions(const char *dir, const char *fresh)
{
    static char got[1 << 17];
    int last = schema_files_version(), v, i;

    CHECK(strlen(fresh) > 1000);
    for (v = 1; v < last; v++) {
        char path[300], url[310], sql[80], out[4096];
        const char *argv[] = {"init", "--data-dir", dir, "--db", url, NULL};
        struct db *db = NULL;
        int ok;

        snprintf(path, sizeof(path), "%s/v%d.db", dir, v);
        snprintf(url, sizeof(url), "sqlite:%s", path);
        CHECK(db_open(path, 0, &db, NULL, 0) == 0);
        if (db == NULL)
            return;
        CHECK(sqi_account_functions(db) == 0 && sqi_bank_functions(db) == 0);
        ok = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_version("
                         " version INTEGER NOT NULL);") == 0;
        for (i = 0; ok && i < v; i++) {
            snprintf(sql, sizeof(sql),
                     "INSERT INTO schema_version (version) VALUES (%d)",
                     schema_files_sqlite[i].version);
            ok = db_exec(db, schema_files_sqlite[i].sql) == 0 &&
                 db_exec(db, sql) == 0;
        }
        if (!ok)
            printf("  version %d: %s\n", v, db_errmsg(db));
        CHECK(ok);
        db_close(db);
        CHECK(st_run(out, sizeof(out), argv) == 0);
        db = NULL;
        CHECK(db_open(path, DB_READONLY, &db, NULL, 0) == 0);
        if (db == NULL)
            return;
        CHECK(one_int(db, VERSION) == last);
        CHECK(lite_schema(db, got, sizeof(got)) == 0);
        if (strcmp(got, fresh) != 0)
            printf("  from version %d: another schema\n", v);
        CHECK(strcmp(got, fresh) == 0);
        db_close(db);
    }
}

/* Every named index of the SQLite schema exists on PostgreSQL. */
static void same_indexes(struct db *lite, struct db *pg)
{
    struct db_stmt *st = db_q(lite, LITE_INDEXES);
    int n = 0, rc;

    while (st != NULL && (rc = db_step(st)) == 1) {
        struct db_stmt *q = db_q(pg, PG_INDEX);
        const char *name = db_column_text(st, 0);
        int found = 0;

        db_bind_text(q, 1, name);
        if (db_step(q) == 1)
            found = db_column_int64(q, 0) == 1;
        db_reset(q);
        if (!found)
            printf("  index %s is missing on PostgreSQL\n", name);
        CHECK(found);
        n++;
    }
    CHECK(n >= 20);
}

/* The append-only guards refuse, on PostgreSQL, with their message. */
static void guards(struct db *pg)
{
    static const char ins[] =
        "INSERT INTO audit (at, actor, action, object, detail, prev_hash,"
        " hash) VALUES (1, 'test', 'test', 'x', '{}', '', 'h')";
    int rc;

    CHECK(db_exec(pg, ins) == 0);
    rc = db_exec(pg, "UPDATE audit SET actor = 'forged'");
    CHECK(rc == -DB_E_GUARD);
    CHECK(strcmp(db_errname(pg), "audit log is append-only") == 0);
    rc = db_exec(pg, "DELETE FROM audit");
    CHECK(rc == -DB_E_GUARD);
    CHECK(one_int(pg, "SELECT count(*) FROM audit WHERE actor = 'test'") == 1);
}

int main(void)
{
    const char *pg_url = getenv("CHOPAY_TEST_PG");
    static struct cols lite_cols, pg_cols;
    char dir[256], path[300], out[4096];
    struct db *lite = NULL, *pg = NULL;
    const char *failed = "";
    int i;

    CHECK(st_tmpdir(dir) == 0);
    snprintf(path, sizeof(path), "%s/chopay.db", dir);
    {
        /* SQLite's schema, also when the tests run on PostgreSQL */
        char url[310];
        const char *argv[] = {"init", "--data-dir", dir, "--db", url, NULL};

        snprintf(url, sizeof(url), "sqlite:%s", path);
        CHECK(st_run(out, sizeof(out), argv) == 0);
    }
    CHECK(db_open(path, DB_READONLY, &lite, NULL, 0) == 0);
    if (lite == NULL)
        return TEST_END();
    /* both dialects end at the same version, the one init reaches */
    CHECK(one_int(lite, VERSION) > 0);
    CHECK(one_int(lite, VERSION) == schema_files_version());
    CHECK(schema_files_pgsql[schema_files_pgsql_n - 1].version ==
          schema_files_version());
    {
        static char fresh[1 << 17];

        CHECK(lite_schema(lite, fresh, sizeof(fresh)) == 0);
        older_versions(dir, fresh);
    }
    if (pg_url == NULL || *pg_url == '\0') {
        printf("-- PostgreSQL skipped: CHOPAY_TEST_PG is not set "
               "(make check-pg runs it)\n");
        db_close(lite);
        st_rmtree(dir);
        return TEST_END();
    }
    CHECK(db_open(pg_url, 0, &pg, out, sizeof(out)) == 0);
    if (pg == NULL)
        return TEST_END();
    CHECK(db_exec(pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public") == 0);
    CHECK(schema_files_apply(pg, 0, &failed) == 0);
    if (*failed != '\0')
        printf("  %s: %s\n", failed, db_errmsg(pg));

    CHECK(lite_columns(lite, &lite_cols) == 0);
    CHECK(pg_columns(pg, &pg_cols) == 0);
    CHECK(lite_cols.n > 200);
    CHECK(lite_cols.n == pg_cols.n);
    for (i = 0; i < lite_cols.n && i < pg_cols.n; i++) {
        if (strcmp(lite_cols.row[i], pg_cols.row[i]) != 0)
            printf("  SQLite %s <> PostgreSQL %s\n", lite_cols.row[i],
                   pg_cols.row[i]);
        CHECK(strcmp(lite_cols.row[i], pg_cols.row[i]) == 0);
    }
    same_indexes(lite, pg);
    CHECK(one_int(lite, VERSION) == one_int(pg, VERSION));
    guards(pg);

    db_close(lite);
    db_close(pg);
    st_rmtree(dir);
    return TEST_END();
}
