/*
 * schema.c: opening and closing the store: a pool of connections to one
 * database; on SQLite the migrations that bring a file to this program's
 * schema (the first two here, the later ones beside the tables they add),
 * on PostgreSQL the current schema created whole; a read-only open refuses
 * any schema but this program's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "schema_pgsql.h"
#include "store_int.h"

/* Migration 1: the whole data model, one statement per string. */
static const char *const migration1[] = {
    "CREATE TABLE orgs("
    " id INTEGER PRIMARY KEY,"
    " code TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL CHECK (kind IN ('market','school')),"
    " name TEXT NOT NULL,"
    " bank_bin TEXT NOT NULL,"
    " account TEXT NOT NULL,"
    " account_name TEXT NOT NULL,"
    " prefix TEXT NOT NULL UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);",
    "CREATE TABLE payers("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " code TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " category TEXT NOT NULL DEFAULT '',"
    " zone TEXT NOT NULL DEFAULT '',"
    " class_name TEXT NOT NULL DEFAULT '',"
    " guardian TEXT NOT NULL DEFAULT '',"
    " bank_bin TEXT NOT NULL DEFAULT '',"
    " bank_account TEXT NOT NULL DEFAULT '',"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),"
    " credit INTEGER NOT NULL DEFAULT 0 CHECK (credit >= 0),"
    " UNIQUE (org_id, code));",
    "CREATE TABLE fees("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " code TEXT NOT NULL,"
    " label TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN"
    "  ('daily','monthly','term','oneoff')),"
    " category TEXT NOT NULL DEFAULT '',"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),"
    " UNIQUE (org_id, code));",
    "CREATE TABLE invoices("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " payer_id INTEGER NOT NULL REFERENCES payers(id),"
    " fee_id INTEGER NOT NULL REFERENCES fees(id),"
    " period TEXT NOT NULL,"
    " label TEXT NOT NULL,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0 AND paid <= amount),"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (payer_id, fee_id, period));",
    "CREATE INDEX invoices_payer ON invoices(payer_id, period, id);",
    "CREATE INDEX invoices_org ON invoices(org_id, id);",
    "CREATE TABLE kiosks("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " name TEXT NOT NULL,"
    " key_hash TEXT NOT NULL UNIQUE,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL);",
    "CREATE TABLE tokens("
    " id INTEGER PRIMARY KEY,"
    " role TEXT NOT NULL CHECK (role IN ('admin','board','auditor')),"
    " org_id INTEGER REFERENCES orgs(id),"
    " key_hash TEXT NOT NULL UNIQUE,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL,"
    " CHECK (role = 'admin' OR org_id IS NOT NULL));",
    "CREATE TABLE intents("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " payer_id INTEGER NOT NULL REFERENCES payers(id),"
    " kiosk_id INTEGER REFERENCES kiosks(id),"
    " code TEXT NOT NULL UNIQUE,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),"
    " status TEXT NOT NULL CHECK (status IN"
    "  ('pending','partial','paid','cancelled')),"
    " payload TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " closed_at INTEGER,"
    " reason TEXT);",
    "CREATE INDEX intents_org ON intents(org_id, id);",
    "CREATE TABLE intent_invoices("
    " intent_id INTEGER NOT NULL REFERENCES intents(id),"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " seq INTEGER NOT NULL,"
    " PRIMARY KEY (intent_id, invoice_id));",
    "CREATE INDEX intent_invoices_inv ON intent_invoices(invoice_id);",
    "CREATE TABLE payments("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " payer_id INTEGER NOT NULL REFERENCES payers(id),"
    " intent_id INTEGER REFERENCES intents(id),"
    " method TEXT NOT NULL CHECK (method IN ('transfer','cash')),"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " unallocated INTEGER NOT NULL DEFAULT 0 CHECK (unallocated >= 0),"
    " flag TEXT NOT NULL DEFAULT '',"
    " reference TEXT,"
    " source TEXT,"
    " actor TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " UNIQUE (org_id, method, reference));",
    "CREATE INDEX payments_org ON payments(org_id, id);",
    "CREATE TABLE allocations("
    " id INTEGER PRIMARY KEY,"
    " payment_id INTEGER NOT NULL REFERENCES payments(id),"
    " invoice_id INTEGER NOT NULL REFERENCES invoices(id),"
    " amount INTEGER NOT NULL CHECK (amount > 0));",
    "CREATE INDEX allocations_invoice ON allocations(invoice_id);",
    "CREATE INDEX allocations_payment ON allocations(payment_id);",
    "CREATE TABLE cash_records("
    " id INTEGER PRIMARY KEY,"
    " payment_id INTEGER NOT NULL UNIQUE REFERENCES payments(id),"
    " kiosk_id INTEGER REFERENCES kiosks(id),"
    " collector TEXT NOT NULL,"
    " note TEXT,"
    " created_at INTEGER NOT NULL);",
    "CREATE TABLE idempotency("
    " scope TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " body_hash TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " response TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (scope, key)) WITHOUT ROWID;",
    "CREATE TABLE audit("
    " id INTEGER PRIMARY KEY,"
    " at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " object TEXT NOT NULL,"
    " detail TEXT NOT NULL,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);",
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
    " BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
    NULL,
};

/* Migration 2: payment codes reserved by kiosks for offline QR codes. */
static const char *const migration2[] = {
    "CREATE TABLE reserved_codes("
    " code TEXT PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " kiosk_id INTEGER NOT NULL REFERENCES kiosks(id),"
    " created_at INTEGER NOT NULL,"
    " intent_id INTEGER REFERENCES intents(id)) WITHOUT ROWID;",
    "CREATE INDEX reserved_codes_kiosk ON reserved_codes(kiosk_id,"
    " intent_id);",
    NULL,
};

/* Every migration in order; the schema version is its index + 1. */
static const char *const *const migrations[] = {migration1,
                                                migration2,
                                                sqi_migration3,
                                                sqi_migration4,
                                                sqi_migration5,
                                                sqi_migration6,
                                                sqi_migration7,
                                                sqi_migration8,
                                                sqi_migration_accounts,
                                                sqi_migration_identity,
                                                sqi_migration_credentials,
                                                sqi_migration_audit_v2,
                                                sqi_migration_journal_bounds,
                                                sqi_migration_c_dating};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

void sq_close(struct store *base)
{
    struct sq *s = (struct sq *)base;
    int i;

    if (s == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        db_close(s->conns[i].dbh);
    }
    free(s->conns);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_cond_destroy(&s->wcv);
    free(s);
}

/* Run `sql` on `db`; a failure is storage_unavailable (-STORE_E_IO). */
static int exec_sql(struct db *db, const char *sql)
{
    if (db_exec(db, sql) != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    return 0;
}

/* Open connection `c` to `path` (shown in messages as `shown`). */
static int open_db(const char *path, const char *shown, unsigned flags,
                   struct sqi_conn *c)
{
    char err[512];
    int rc = db_open(path, flags, &c->dbh, err, sizeof(err));

    if (rc != 0) {
        int missing = rc == -DB_E_USAGE && (flags & DB_READONLY) != 0;

        store_set_error(missing ? "no_database" : "storage_unavailable", "%s",
                        err);
        return missing ? -STORE_E_USAGE : -STORE_E_IO;
    }
    if (!(flags & DB_READONLY) && (sqi_account_functions(c->dbh) != 0 ||
                                   sqi_bank_functions(c->dbh) != 0)) {
        store_set_error("storage_unavailable", "%s: %s", shown,
                        db_errmsg(c->dbh));
        db_close(c->dbh);
        c->dbh = NULL;
        return -STORE_E_IO;
    }
    return 0;
}

/*
 * The schema version `db` records (0 for none yet) into *version: the
 * highest of table schema_version. -STORE_E_IO when it cannot be read;
 * with `missing_ok`, a database without the table is version 0.
 */
static int schema_version(struct db *db, int missing_ok, int *version)
{
    struct db_stmt *st = db_prepare(db, "SELECT max(version) FROM"
                                        " schema_version");
    int rc = st != NULL ? db_step(st) : -DB_E_SQL;

    if (rc == 1) {
        *version = (int)db_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0 ||
               (missing_ok && (strstr(db_errmsg(db), "no such table") ||
                               strstr(db_errmsg(db), "does not exist")))) {
        *version = 0;
        rc = 0;
    }
    db_finalize(st);
    return rc < 0 ? -STORE_E_IO : 0;
}

/*
 * 1 when `db` has a table named `name`, 0 when not, -STORE_E_IO when its
 * tables cannot be listed. Unlike a failed SELECT, asking the catalog
 * leaves a PostgreSQL transaction usable.
 */
static int has_table(struct db *db, const char *name)
{
    char names[128][DB_NAME_MAX];
    int n = db_tables(db, names, 128), i;

    if (n < 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    for (i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return 1;
    return 0;
}

/*
 * A PostgreSQL database starts at the current schema (server/schema/
 * pgsql.sql) and is never migrated: an empty one gets the schema and the
 * rows SQLite's migrations seed, in one transaction under the write lock
 * (so two nodes starting at once create it once); one at another version
 * is refused.
 */
static int create_pgsql(struct db *db)
{
    int version = -1, rc;

    rc = db_begin(db, DB_WRITE);
    if (rc != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    rc = has_table(db, "schema_version");
    if (rc < 0)
        goto fail;
    if (rc == 0) {
        /* as sqi_migration_audit_v2 seeds it: version 2 from the next id */
        if (exec_sql(db, (const char *)schema_pgsql_sql) != 0 ||
            exec_sql(db, "INSERT INTO audit_encodings(version, from_id)"
                         " SELECT 2, coalesce(max(id), 0) + 1"
                         " FROM audit") != 0)
            goto fail;
        version = N_MIGRATIONS;
    } else if (schema_version(db, 0, &version) != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        goto fail;
    }
    if (version != N_MIGRATIONS) {
        store_set_error(
            version < N_MIGRATIONS ? "schema_too_old" : "schema_too_new",
            "database schema %d is %s than this program's (%d)", version,
            version < N_MIGRATIONS ? "older" : "newer", N_MIGRATIONS);
        db_end(db, -STORE_E_USAGE);
        return -STORE_E_USAGE;
    }
    if (db_end(db, 0) != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    return 0;
fail:
    if (strcmp(store_error_code(), "storage_unavailable") != 0)
        store_set_error("storage_unavailable", "schema: %s", db_errmsg(db));
    db_end(db, -STORE_E_IO);
    return -STORE_E_IO;
}

/* Apply the migrations this database has not seen, in one transaction. */
static int migrate(struct db *db)
{
    int version = -1, i, rc;
    char sql[128];

    if (db_backend(db) == DB_PGSQL)
        return create_pgsql(db);
    rc = db_begin(db, DB_WRITE);
    if (rc != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    if (exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_version("
                     " version INTEGER NOT NULL);") != 0 ||
        schema_version(db, 0, &version) != 0)
        goto fail;
    if (version > N_MIGRATIONS) {
        store_set_error("schema_too_new",
                        "database schema %d is newer than this program (%d)",
                        version, N_MIGRATIONS);
        db_end(db, -STORE_E_USAGE);
        return -STORE_E_USAGE;
    }
    for (i = version; i < N_MIGRATIONS; i++) {
        const char *const *part;

        for (part = migrations[i]; *part != NULL; part++)
            if (exec_sql(db, *part) != 0)
                goto fail;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_version(version) VALUES (%d)", i + 1);
        if (exec_sql(db, sql) != 0)
            goto fail;
    }
    if (db_end(db, 0) != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    return 0;
fail:
    if (strcmp(store_error_code(), "storage_unavailable") != 0)
        store_set_error("storage_unavailable", "migration: %s", db_errmsg(db));
    db_end(db, -STORE_E_IO);
    return -STORE_E_IO;
}

/* 0 when database `db` has exactly this program's schema version. */
static int schema_current(struct db *db, const char *path)
{
    int version = -1;

    if (schema_version(db, 1, &version) != 0) {
        store_set_error("storage_unavailable", "%s: %s", path, db_errmsg(db));
        return -STORE_E_IO;
    }
    if (version < N_MIGRATIONS) {
        store_set_error("schema_too_old",
                        "%s: database schema %d is older than this program's"
                        " (%d); open it once read-write (chopay-server init)"
                        " to migrate it",
                        path, version, N_MIGRATIONS);
        return -STORE_E_USAGE;
    }
    if (version > N_MIGRATIONS) {
        store_set_error("schema_too_new",
                        "%s: database schema %d is newer than this program"
                        " (%d)",
                        path, version, N_MIGRATIONS);
        return -STORE_E_USAGE;
    }
    return 0;
}

/*
 * Open `pool` connections to `path`: read-write, with the pending
 * migrations applied, or (`readonly`) read-only, refusing a schema that
 * is not this program's.
 */
static int sq_open(const char *path, int pool, int readonly, struct store **out)
{
    unsigned char node[STORE_NODE_LEN / 2];
    char shown[1024];
    struct sq *s;
    int i, rc;

    if (pool < 1)
        pool = 1;
    s = calloc(1, sizeof(*s));
    if (s == NULL)
        return -STORE_E_IO;
    s->conns = calloc((size_t)pool, sizeof(*s->conns));
    if (s->conns == NULL) {
        free(s);
        return -STORE_E_IO;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->wcv, NULL);
    s->writers = db_url_backend(path) == DB_PGSQL ? SQI_WRITERS : 1;
    s->base.ops = &sqi_ops;
    if (crypto_random(node, sizeof(node)) != 0) {
        rc = -STORE_E_IO;
        goto fail;
    }
    crypto_hex(node, sizeof(node), s->base.node);
    store_url_shown(path, shown, sizeof(shown));
    for (i = 0; i < pool; i++) {
        rc = open_db(path, shown, readonly ? DB_READONLY : 0, &s->conns[i]);
        if (rc != 0)
            goto fail;
        s->n = i + 1;
        if (i == 0) {
            rc = readonly ? schema_current(s->conns[0].dbh, shown)
                          : migrate(s->conns[0].dbh);
            if (rc != 0)
                goto fail;
        }
        s->conns[i].next = s->free_list;
        s->free_list = &s->conns[i];
    }
    *out = &s->base;
    return 0;
fail:
    sq_close(&s->base);
    return rc;
}

int store_db_open_readonly(const char *path, int pool, struct store **out)
{
    return sq_open(path, pool, 1, out);
}

int store_db_open(const char *path, int pool, struct store **out)
{
    return sq_open(path, pool, 0, out);
}
