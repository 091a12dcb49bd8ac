/*
 * test_schema.c: the two dialects of the schema describe one data model.
 * The SQLite schema is what the store's migrations build in a fresh data
 * directory (chopay-server init); the PostgreSQL schema is
 * server/schema/pgsql.sql, loaded into the database CHOPAY_TEST_PG names
 * (tests/pg/with-pg.sh). Every table has the same columns in the same
 * order, with the same NOT NULL and the same kind of value; every named
 * index exists in both; both stand at the same schema version; and the
 * append-only guards refuse on PostgreSQL as they do on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "harness.h"
#include "srvtest.h"

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
    if (c->n >= MAX_COLS)
        return -1;
    snprintf(c->row[c->n++], sizeof(c->row[0]), "%s.%s %s%s", table, col,
             kind_of(type), notnull ? " notnull" : "");
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

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        buf[n] = '\0';
    fclose(f);
    return buf;
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

/* The version pgsql.sql records, from its INSERT INTO schema_version. */
static int64_t file_version(const char *sql)
{
    static const char lead[] = "INSERT INTO schema_version (version) VALUES (";
    const char *p = strstr(sql, lead);

    return p != NULL ? strtoll(p + strlen(lead), NULL, 10) : -1;
}

int main(void)
{
    const char *pg_url = getenv("CHOPAY_TEST_PG");
    static struct cols lite_cols, pg_cols;
    char dir[256], path[300], out[4096];
    struct db *lite = NULL, *pg = NULL;
    char *sql;
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
    sql = read_file("server/schema/pgsql.sql");
    CHECK(sql != NULL);
    if (lite == NULL || sql == NULL)
        return TEST_END();
    /* both dialects stand at the same version */
    CHECK(one_int(lite, VERSION) > 0);
    CHECK(file_version(sql) == one_int(lite, VERSION));
    if (pg_url == NULL || *pg_url == '\0') {
        printf("-- PostgreSQL skipped: CHOPAY_TEST_PG is not set "
               "(make check-pg runs it)\n");
        free(sql);
        db_close(lite);
        st_rmtree(dir);
        return TEST_END();
    }
    CHECK(db_open(pg_url, 0, &pg, out, sizeof(out)) == 0);
    if (pg == NULL)
        return TEST_END();
    CHECK(db_exec(pg, "DROP SCHEMA public CASCADE; CREATE SCHEMA public") == 0);
    CHECK(db_exec(pg, sql) == 0);
    free(sql);

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
