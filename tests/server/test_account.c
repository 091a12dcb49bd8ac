/*
 * test_account.c: collecting accounts below the HTTP layer: the normal
 * form (server/account.c), the forms banks and people write, the BIN in
 * front split off exactly as documented and nothing guessed beyond it;
 * and the migration that brings an existing database's organisations to
 * that form, one per (BIN, account) (server/schema/sqlite/009-accounts.sql,
 * with the SQL functions of server/store/accounts.c).
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "db/db.h"
#include "harness.h"
#include "schema_files.h"
#include "store/store_int.h"

/* Normalise `text`; "BIN|KEY" into out, or "-" when refused. */
static const char *norm(const char *text, char *out, size_t cap)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];

    if (account_normalise(text, bin, key, sizeof(key)) != 0) {
        CHECK_STR(key, "");
        CHECK_STR(bin, "");
        snprintf(out, cap, "-");
    } else {
        snprintf(out, cap, "%s|%s", bin, key);
    }
    return out;
}

static void test_forms(void)
{
    char o[128];

    CHECK_STR(norm("1023456789", o, sizeof(o)), "|1023456789");
    CHECK_STR(norm(" 1023-456.789 ", o, sizeof(o)), "|1023456789");
    CHECK_STR(norm("vn12 abc 34", o, sizeof(o)), "|VN12ABC34");
    /* the BIN in front, in the three forms banks write */
    CHECK_STR(norm("970436/0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("970436:0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("970436 0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("  971005/01-23 ", o, sizeof(o)), "971005|0123");
    /* not a BIN: no separator, another start, too few digits, a dash */
    CHECK_STR(norm("9704360123456789", o, sizeof(o)), "|9704360123456789");
    CHECK_STR(norm("972436/0123456789", o, sizeof(o)), "|9724360123456789");
    CHECK_STR(norm("97043/0123456789", o, sizeof(o)), "|970430123456789");
    CHECK_STR(norm("970436-0123456789", o, sizeof(o)), "|9704360123456789");
    CHECK_STR(norm("VCB/0123456789", o, sizeof(o)), "|VCB0123456789");
    /* spaces around: a lone BIN-like number is an account */
    CHECK_STR(norm("970436 ", o, sizeof(o)), "|970436");
    /* nothing left */
    CHECK_STR(norm("", o, sizeof(o)), "-");
    CHECK_STR(norm(" -./ ", o, sizeof(o)), "-");
    CHECK_STR(norm("970436/", o, sizeof(o)), "-");
    CHECK_STR(norm("970436/ - ", o, sizeof(o)), "-");
    CHECK_STR(norm("\xc4\x91\xc3\xa1", o, sizeof(o)), "-"); /* no ASCII */
}

static void test_capacity(void)
{
    char bin[ACCOUNT_BIN_MAX], key[4];

    /* what does not fit is refused, never cut to something comparable */
    CHECK_INT(account_normalise("1234", bin, key, sizeof(key)), -1);
    CHECK_STR(key, "");
    CHECK_INT(account_normalise("1-2-3", bin, key, sizeof(key)), 0);
    CHECK_STR(key, "123");
    CHECK_INT(account_normalise("1", bin, key, 0), -1);
}

/* A database with organisations as an older version stored them (an
 * SQLite database in memory: the migration is SQLite's, and calls the
 * SQL functions the store registers on its SQLite connections). */
static struct db *old_db(const char *const *rows)
{
    struct db *db = NULL;
    char sql[256], err[256];
    size_t i;

    CHECK_INT(db_open(":memory:", 0, &db, err, sizeof(err)), 0);
    if (db == NULL) {
        fprintf(stderr, "old_db: %s\n", err);
        return NULL;
    }
    CHECK_INT(sqi_account_functions(db), 0);
    CHECK_INT(db_exec(db, "CREATE TABLE orgs(id INTEGER PRIMARY KEY,"
                          " code TEXT NOT NULL UNIQUE, bank_bin TEXT NOT"
                          " NULL, account TEXT NOT NULL);"),
              0);
    for (i = 0; rows[i] != NULL; i += 3) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO orgs(code, bank_bin, account)"
                 " VALUES ('%s', '%s', '%s')",
                 rows[i], rows[i + 1], rows[i + 2]);
        CHECK_INT(db_exec(db, sql), 0);
    }
    return db;
}

/* Run the migration (009-accounts.sql as compiled in) in one transaction
 * as the store does; 0 or -1 with the database's message in err. */
static int migrate(struct db *db, char *err, size_t cap)
{
    const struct schema_file *f = &schema_files_sqlite[8];
    int rc;

    err[0] = '\0';
    CHECK_STR(f->name, "009-accounts.sql");
    if (db == NULL || db_begin(db, DB_WRITE) != 0)
        return -1;
    rc = db_exec(db, f->sql);
    if (rc != 0) {
        snprintf(err, cap, "%s", db_errmsg(db));
        db_end(db, rc);
        return -1;
    }
    return db_end(db, 0) == 0 ? 0 : -1;
}

/* "BIN ACCOUNT" of organisation `code`, into out. */
static const char *pair(struct db *db, const char *code, char *out, size_t cap)
{
    struct db_stmt *st;

    snprintf(out, cap, "?");
    if (db == NULL)
        return out;
    st = db_prepare(db, "SELECT bank_bin || ' ' || account FROM orgs"
                        " WHERE code = ?1");
    if (st != NULL) {
        db_bind_text(st, 1, code);
        if (db_step(st) == 1)
            snprintf(out, cap, "%s", db_column_text(st, 0));
    }
    db_finalize(st);
    return out;
}

static void test_migration(void)
{
    static const char *const ok_rows[] = {
        "A", "970436", "1023-456 789",          /* separators */
        "B", "970415", "970418/ 0071000123456", /* its BIN written in it */
        "C", "970415", "1023456789",            /* A's number, other bank */
        "E", "970436", "--",                    /* nothing to normalise */
        NULL};
    static const char *const clash_rows[] = {
        "P", "970436", "1023456789", "Q", "970436", "970436/1023-456789", NULL};
    char err[512], o[64];
    struct db *db = old_db(ok_rows);

    CHECK_INT(migrate(db, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_STR(pair(db, "A", o, sizeof(o)), "970436 1023456789");
    CHECK_STR(pair(db, "B", o, sizeof(o)), "970418 0071000123456");
    CHECK_STR(pair(db, "C", o, sizeof(o)), "970415 1023456789");
    CHECK_STR(pair(db, "E", o, sizeof(o)), "970436 --");
    /* from now on a pair is one organisation's */
    CHECK(db != NULL &&
          db_exec(db, "INSERT INTO orgs(code, bank_bin, account)"
                      " VALUES ('F', '970436', '1023456789')") != 0);
    db_close(db);
    /* two organisations already sharing one: refused, by name, and
       nothing changed */
    db = old_db(clash_rows);
    CHECK_INT(migrate(db, err, sizeof(err)), -1);
    CHECK(strstr(err, "P") != NULL && strstr(err, "Q") != NULL);
    CHECK(strstr(err, "970436/1023456789") != NULL);
    CHECK_STR(pair(db, "Q", o, sizeof(o)), "970436 970436/1023-456789");
    db_close(db);
}

/* The SQL functions the older migrations call. */
static void test_functions(void)
{
    static const char *const no_rows[] = {NULL};
    struct db *db = old_db(no_rows);
    struct db_stmt *st;

    st = db_prepare(db,
                    "SELECT account_number(NULL), account_number(' -- '),"
                    " account_number('970436/01-2'),"
                    " account_bin('970436/012', '970415'),"
                    " account_bin('012', '970415'), account_bin('012', NULL)");
    CHECK(st != NULL);
    CHECK_INT(db_step(st), 1);
    CHECK_INT(db_column_type(st, 0), DB_NULL);
    CHECK_INT(db_column_type(st, 1), DB_NULL);
    CHECK_STR(db_column_text(st, 2), "012");
    CHECK_STR(db_column_text(st, 3), "970436");
    CHECK_STR(db_column_text(st, 4), "970415");
    CHECK_INT(db_column_type(st, 5), DB_NULL);
    db_finalize(st);
    /* refuse() fails the statement with its message */
    CHECK(db_exec(db, "SELECT refuse('no, ' || 'thanks')") < 0);
    CHECK_STR(db_errmsg(db), "no, thanks");
    CHECK(db_exec(db, "SELECT refuse(NULL)") < 0);
    CHECK_STR(db_errmsg(db), "refused");
    db_close(db);
}

int main(void)
{
    test_forms();
    test_capacity();
    test_migration();
    test_functions();
    return TEST_END();
}
