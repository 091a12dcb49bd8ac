/*
 * schema.c: opening and closing the store: a pool of connections to one
 * database, brought to this program's schema by the SQL files of its
 * dialect (server/schema/, schema_files.h) that it has not seen yet; a
 * read-only open refuses any schema but this program's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "schema_files.h"
#include "store_int.h"

void sq_close(struct store *base)
{
    struct sq *s = (struct sq *)base;
    int i;

    if (s == NULL)
        return;
    last_used_free(s->last_used); /* writes what is pending */
    for (i = 0; i < s->n; i++) {
        db_close(s->conns[i].dbh);
        free(s->conns[i].woken);
    }
    free(s->conns);
    for (i = 0; i < s->rn; i++)
        db_close(s->rconns[i].dbh);
    free(s->rconns);
    pthread_cond_destroy(&s->rcv);
    cred_cache_free(s->creds);
    sqi_payer_names_free(s);
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
 * The schema version `db` stands at into *version, 0 for an empty
 * database. On SQLite table schema_version is created when missing; on
 * PostgreSQL the base file creates it, and the catalog is asked for it
 * (unlike a failed SELECT, that leaves the transaction usable).
 */
static int current_version(struct db *db, int *version)
{
    int rc;

    if (db_backend(db) == DB_SQLITE) {
        rc = exec_sql(db, "CREATE TABLE IF NOT EXISTS schema_version("
                          " version INTEGER NOT NULL);");
        if (rc != 0)
            return rc;
    } else {
        rc = has_table(db, "schema_version");
        if (rc <= 0) {
            *version = 0;
            return rc;
        }
    }
    if (schema_version(db, 0, version) != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    return 0;
}

/*
 * Bring `db` to this program's schema (server/schema/, schema_files.h) in
 * one transaction under the write lock, so that two nodes starting at
 * once migrate it once: the files of its dialect after the version it
 * stands at. An empty database starts at the dialect's first file
 * (SQLite's 001, PostgreSQL's base); a PostgreSQL one then gets the rows
 * SQLite's migrations seed. A database older than the first file or newer
 * than the last is refused.
 */
/* The schema version that adds payers.search_key. */
#define PAYER_KEY_VERSION 17
/* The schema version that adds audit.org_id. */
#define AUDIT_ORG_VERSION 18

static int migrate(struct db *db)
{
    const struct schema_file *files;
    int n = schema_files_of(db_backend(db), &files);
    int first = files[0].version, last = files[n - 1].version;
    const char *failed = "";
    int version = -1, rc;

    rc = db_begin(db, DB_WRITE);
    if (rc != 0) {
        store_set_error("storage_unavailable", "%s", db_errmsg(db));
        return -STORE_E_IO;
    }
    if (current_version(db, &version) != 0)
        goto fail;
    if (version > last || (version != 0 && version < first)) {
        store_set_error(version > last ? "schema_too_new" : "schema_too_old",
                        "database schema %d is %s than this program's (%d)",
                        version, version > last ? "newer" : "older", last);
        db_end(db, -STORE_E_USAGE);
        return -STORE_E_USAGE;
    }
    if (schema_files_apply(db, version, &failed) != 0) {
        store_set_error("storage_unavailable", "schema %s: %s", failed,
                        db_errmsg(db));
        goto fail;
    }
    /* the payers' search keys, folded in C, when the column arrives */
    if (version < PAYER_KEY_VERSION && sqi_payer_keys_fill(db) != 0)
        goto fail;
    /* the organisations of the audit entries already there */
    if (version != 0 && version < AUDIT_ORG_VERSION &&
        sqi_audit_orgs_fill(db) != 0)
        goto fail;
    /* as sqlite/012-audit-v2.sql seeds it: version 2 from the next id */
    if (version == 0 && db_backend(db) == DB_PGSQL &&
        exec_sql(db, "INSERT INTO audit_encodings(version, from_id)"
                     " SELECT 2, coalesce(max(id), 0) + 1 FROM audit") != 0)
        goto fail;
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
    int version = -1, current = schema_files_version();

    if (schema_version(db, 1, &version) != 0) {
        store_set_error("storage_unavailable", "%s: %s", path, db_errmsg(db));
        return -STORE_E_IO;
    }
    if (version < current) {
        store_set_error("schema_too_old",
                        "%s: database schema %d is older than this program's"
                        " (%d); open it once read-write (chopay-server init)"
                        " to migrate it",
                        path, version, current);
        return -STORE_E_USAGE;
    }
    if (version > current) {
        store_set_error("schema_too_new",
                        "%s: database schema %d is newer than this program"
                        " (%d)",
                        path, version, current);
        return -STORE_E_USAGE;
    }
    return 0;
}

/*
 * SQLite: `pool` more connections that only read (PRAGMA query_only), for
 * sqi_get_read_conn. In WAL mode their read transactions see the last
 * commit and neither wait for the writer nor hold it up.
 */
static int open_readers(struct sq *s, const char *path, const char *shown,
                        int pool, unsigned flags)
{
    int i, rc;

    s->rconns = calloc((size_t)pool, sizeof(*s->rconns));
    if (s->rconns == NULL)
        return -STORE_E_IO;
    for (i = 0; i < pool; i++) {
        rc = open_db(path, shown, flags, &s->rconns[i]);
        if (rc != 0)
            return rc;
        s->rn = i + 1;
        if (db_exec(s->rconns[i].dbh, "PRAGMA query_only=1") != 0) {
            store_set_error("storage_unavailable", "%s: %s", shown,
                            db_errmsg(s->rconns[i].dbh));
            return -STORE_E_IO;
        }
        s->rconns[i].next = s->rfree;
        s->rfree = &s->rconns[i];
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
    s->creds = cred_cache_new();
    if (s->conns == NULL || s->creds == NULL) {
        free(s->conns);
        cred_cache_free(s->creds);
        free(s);
        return -STORE_E_IO;
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_cond_init(&s->wcv, NULL);
    pthread_cond_init(&s->rcv, NULL);
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
    if (db_url_backend(path) != DB_PGSQL) {
        rc = open_readers(s, path, shown, pool,
                          readonly ? DB_READONLY : DB_NOCREATE);
        if (rc != 0)
            goto fail;
    }
    if (!readonly && (s->last_used = last_used_new(s)) == NULL) {
        store_set_error("storage_unavailable", "no thread for last-used times");
        rc = -STORE_E_IO;
        goto fail;
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
