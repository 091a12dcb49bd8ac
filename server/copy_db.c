/*
 * copy_db.c: `chopay-server copy-db --from URL --to URL`: a whole
 * deployment moved from one database to another (SQLite to PostgreSQL,
 * or back), row for row, the audit chain included, in one transaction on
 * the target. The target must be empty: its schema is created here at
 * the version of this program (the schema files of its dialect,
 * server/schema/), and the source must stand at the same
 * version. Values are copied as the target's columns declare them, ids
 * included; PostgreSQL's identity sequences then continue after the
 * largest id. Before the commit every table is read back on both sides
 * and compared: same number of rows and the same multiset of rows (a
 * sum of SHA-256 row digests, so the two databases' orders of text
 * need not agree).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "copy_db.h"
#include "crypto.h"
#include "db/db.h"
#include "schema_files.h"
#include "store.h"

#define MAX_COLS 64

/*
 * Every table of the schema, parents before children. The day closes
 * come last: SQLite's guards refuse money dated on a closed day, and
 * every payment of a closed day is already in place when its close is.
 */
static const char *const tables[] = {
    "orgs",
    "payers",
    "fees",
    "invoices",
    "kiosks",
    "tokens",
    "intents",
    "intent_invoices",
    "payments",
    "allocations",
    "cash_records",
    "idempotency",
    "audit",
    "reserved_codes",
    "bank_secrets",
    "bank_journal",
    "bank_imports",
    "bank_statements",
    "bank_txns",
    "org_keys",
    "receipt_seq",
    "receipts",
    "standees",
    "refunds",
    "refund_parts",
    "dash_users",
    "dash_sessions",
    "dash_failures",
    "corrections",
    "credential_times",
    "collectors",
    "audit_encodings",
    "day_closes",
    "day_close_txns",
    "day_close_reasons",
    "bank_txn_parts",
    "stall_feeds",
    "stall_payments",
    "stall_days",
};
#define N_TABLES (sizeof(tables) / sizeof(tables[0]))

struct copy {
    struct db *src, *dst;
    FILE *out;
    char err[512];
};

static int failf(struct copy *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The reason the copy stops, into c->err; -1. */
static int failf(struct copy *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int known(const char *name)
{
    size_t i;

    if (strcmp(name, "schema_version") == 0)
        return 1;
    for (i = 0; i < N_TABLES; i++)
        if (strcmp(tables[i], name) == 0)
            return 1;
    return 0;
}

/* The schema version a database stands at, or -1. */
static int64_t version_of(struct db *db)
{
    struct db_stmt *st = db_prepare(db, "SELECT max(version) FROM"
                                        " schema_version");
    int64_t v = -1;

    if (st != NULL && db_step(st) == 1 && db_column_type(st, 0) == DB_INTEGER)
        v = db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

/* The source's tables are exactly the ones this program copies. */
static int same_tables(struct copy *c)
{
    char names[128][DB_NAME_MAX];
    int n = db_tables(c->src, names, 128), i;
    size_t k;

    if (n < 0)
        return failf(c, "cannot list the source's tables: %s",
                     db_errmsg(c->src));
    for (i = 0; i < n; i++)
        if (!known(names[i]))
            return failf(c,
                         "the source has a table this program does not"
                         " know: %s",
                         names[i]);
    for (k = 0; k < N_TABLES; k++) {
        for (i = 0; i < n; i++)
            if (strcmp(names[i], tables[k]) == 0)
                break;
        if (i == n)
            return failf(c, "the source has no table %s", tables[k]);
    }
    return 0;
}

/* An empty target gets this program's schema. */
static int create_schema(struct copy *c, const char *to)
{
    char names[4][DB_NAME_MAX];
    int n = db_tables(c->dst, names, 4);

    if (n < 0)
        return failf(c, "cannot read the target: %s", db_errmsg(c->dst));
    if (n > 0)
        return failf(c,
                     "the target already holds tables (%s, ...): copy-db"
                     " writes only into an empty database",
                     names[0]);
    if (db_backend(c->dst) == DB_PGSQL) {
        const char *failed = "";

        if (schema_files_apply(c->dst, 0, &failed) != 0)
            return failf(c, "creating the schema on the target: %s: %s", failed,
                         db_errmsg(c->dst));
        return 0;
    }
    /* SQLite: the store's migrations build it, as `init` does */
    {
        struct store *st = NULL;

        db_close(c->dst);
        c->dst = NULL;
        if (store_open(to, 1, &st) != 0)
            return failf(c, "creating the schema on the target: %s",
                         store_error_message());
        store_close(st);
        if (db_open(to, DB_NOCREATE, &c->dst, c->err, sizeof(c->err)) != 0)
            return -1;
    }
    return 0;
}

/*
 * The digest of the current row of `st` (columns 0..n-1, read as the
 * kinds `kinds` declare: each value as its kind, its length and its
 * bytes), added into *sum.
 */
static int row_digest(struct db_stmt *st, int n, const enum db_type *kinds,
                      uint64_t *sum)
{
    unsigned char buf[8192], *big = NULL, *p = buf;
    size_t len = 0, cap = sizeof(buf);
    uint8_t md[CRYPTO_SHA256_LEN];
    uint64_t v = 0;
    int i, k;

    for (i = 0; i < n; i++) {
        char num[24];
        const void *data;
        size_t bytes;
        int tag;

        if (db_column_type(st, i) == DB_NULL) {
            tag = 'N';
            data = "";
            bytes = 0;
        } else if (kinds[i] == DB_INTEGER) {
            tag = 'I';
            bytes = (size_t)snprintf(num, sizeof(num), "%" PRId64,
                                     db_column_int64(st, i));
            data = num;
        } else if (kinds[i] == DB_BLOB) {
            tag = 'B';
            data = db_column_blob(st, i);
            bytes = db_column_bytes(st, i);
        } else {
            tag = 'T';
            data = db_column_text(st, i);
            bytes = data != NULL ? strlen(data) : 0;
        }
        if (len + bytes + 16 > cap) {
            size_t ncap = (len + bytes + 16) * 2;
            unsigned char *q = malloc(ncap);

            if (q == NULL) {
                free(big);
                return -1;
            }
            memcpy(q, p, len);
            free(big);
            big = p = q;
            cap = ncap;
        }
        len +=
            (size_t)snprintf((char *)p + len, cap - len, "%c%zu:", tag, bytes);
        if (bytes > 0)
            memcpy(p + len, data, bytes);
        len += bytes;
    }
    k = crypto_sha256(p, len, md);
    free(big);
    if (k != 0)
        return -1;
    for (i = 0; i < 8; i++)
        v = v << 8 | md[i];
    *sum += v;
    return 0;
}

/* The rows and the digest sum of `table` (columns `cols`) in `db`. */
static int table_digest(struct db *db, const char *select, int n,
                        const enum db_type *kinds, int64_t *rows, uint64_t *sum)
{
    struct db_stmt *st = db_prepare(db, select);
    int rc;

    *rows = 0;
    *sum = 0;
    if (st == NULL)
        return -1;
    while ((rc = db_step(st)) == 1) {
        if (row_digest(st, n, kinds, sum) != 0) {
            rc = -1;
            break;
        }
        (*rows)++;
    }
    db_finalize(st);
    return rc;
}

/* Append `s` to the buffer, refusing to overflow. */
static int put(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);

    if (*len + n + 1 > cap)
        return -1;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/*
 * The migrations that build an empty SQLite database seed a row or two
 * (audit_encodings says from which entry on the audit hash has version
 * 2); the source's rows must replace them, and the table's guards refuse
 * deleting. Inside the copy's transaction, the guards of such a table
 * are taken off, its rows deleted, and (restore) put back as they were.
 * PostgreSQL's schema seeds nothing.
 */
struct guards {
    char name[8][DB_NAME_MAX];
    char *sql[8];
    int n;
};

static int lift_guards(struct copy *c, const char *table, struct guards *g)
{
    static const char triggers[] = "SELECT name, sql FROM sqlite_master"
                                   " WHERE type = 'trigger' AND tbl_name = ?1";
    struct db_stmt *st;
    char buf[256];
    int rc, i;

    g->n = 0;
    if (db_backend(c->dst) != DB_SQLITE)
        return 0;
    st = db_prepare(c->dst, triggers);
    if (st == NULL)
        return failf(c, "guards of %s: %s", table, db_errmsg(c->dst));
    db_bind_text(st, 1, table);
    while ((rc = db_step(st)) == 1 && g->n < 8) {
        snprintf(g->name[g->n], DB_NAME_MAX, "%s", db_column_text(st, 0));
        g->sql[g->n] = strdup(db_column_text(st, 1));
        if (g->sql[g->n] == NULL)
            rc = -DB_E_NOMEM;
        else
            g->n++;
    }
    db_finalize(st);
    if (rc < 0)
        return failf(c, "guards of %s: %s", table, db_errmsg(c->dst));
    for (i = 0; i < g->n; i++) {
        snprintf(buf, sizeof(buf), "DROP TRIGGER %s", g->name[i]);
        if (db_exec(c->dst, buf) != 0)
            return failf(c, "guards of %s: %s", table, db_errmsg(c->dst));
    }
    snprintf(buf, sizeof(buf), "DELETE FROM %s", table);
    if (db_exec(c->dst, buf) != 0)
        return failf(c, "emptying %s: %s", table, db_errmsg(c->dst));
    return 0;
}

static int restore_guards(struct copy *c, const char *table, struct guards *g)
{
    int i, rc = 0;

    for (i = 0; i < g->n; i++) {
        if (rc == 0 && db_exec(c->dst, g->sql[i]) != 0)
            rc = failf(c, "guards of %s: %s", table, db_errmsg(c->dst));
        free(g->sql[i]);
    }
    g->n = 0;
    return rc;
}

/* The number of rows of `table` in the target. */
static int64_t target_rows(struct copy *c, const char *table)
{
    char sql[128];
    struct db_stmt *st;
    int64_t n = -1;

    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    st = db_prepare(c->dst, sql);
    if (st != NULL && db_step(st) == 1)
        n = db_column_int64(st, 0);
    db_finalize(st);
    return n;
}

static int copy_table(struct copy *c, const char *table, int64_t *copied)
{
    char names[MAX_COLS][DB_NAME_MAX], snames[MAX_COLS][DB_NAME_MAX];
    enum db_type kinds[MAX_COLS], skinds[MAX_COLS];
    char select[4096], insert[4096], num[16];
    size_t sl = 0, il = 0;
    int n, sn, i, rc;
    struct db_stmt *get, *ins;
    struct db *failed;
    int64_t rows_src, rows_dst;
    uint64_t sum_src, sum_dst;

    n = db_table_columns(c->dst, table, names, kinds, MAX_COLS);
    sn = db_table_columns(c->src, table, snames, skinds, MAX_COLS);
    if (n <= 0 || n >= MAX_COLS || sn != n)
        return failf(c, "table %s: the two schemas differ", table);
    for (i = 0; i < n; i++)
        if (strcmp(names[i], snames[i]) != 0)
            return failf(c,
                         "table %s: column %s differs between the two"
                         " schemas",
                         table, names[i]);
    rc = put(select, sizeof(select), &sl, "SELECT ");
    rc |= put(insert, sizeof(insert), &il, "INSERT INTO ");
    rc |= put(insert, sizeof(insert), &il, table);
    rc |= put(insert, sizeof(insert), &il, " (");
    for (i = 0; i < n; i++) {
        rc |= put(select, sizeof(select), &sl, i ? ", " : "");
        rc |= put(select, sizeof(select), &sl, names[i]);
        rc |= put(insert, sizeof(insert), &il, i ? ", " : "");
        rc |= put(insert, sizeof(insert), &il, names[i]);
    }
    rc |= put(select, sizeof(select), &sl, " FROM ");
    rc |= put(select, sizeof(select), &sl, table);
    rc |= put(insert, sizeof(insert), &il, ") VALUES (");
    for (i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%s?%d", i ? ", " : "", i + 1);
        rc |= put(insert, sizeof(insert), &il, num);
    }
    rc |= put(insert, sizeof(insert), &il, ")");
    if (rc != 0)
        return failf(c, "table %s: too many columns", table);

    get = db_prepare(c->src, select);
    ins = db_prepare(c->dst, insert);
    if (get == NULL || ins == NULL) {
        db_finalize(get);
        db_finalize(ins);
        return failf(c, "table %s: %s", table,
                     get == NULL ? db_errmsg(c->src) : db_errmsg(c->dst));
    }
    *copied = 0;
    failed = c->src;
    while ((rc = db_step(get)) == 1) {
        db_reset(ins);
        for (i = 0; i < n; i++) {
            if (db_column_type(get, i) == DB_NULL)
                db_bind_null(ins, i + 1);
            else if (kinds[i] == DB_INTEGER)
                db_bind_int64(ins, i + 1, db_column_int64(get, i));
            else if (kinds[i] == DB_BLOB)
                db_bind_blob(ins, i + 1, db_column_blob(get, i),
                             db_column_bytes(get, i));
            else
                db_bind_text(ins, i + 1, db_column_text(get, i));
        }
        rc = db_run(ins);
        if (rc != 0) {
            failed = c->dst;
            break;
        }
        (*copied)++;
    }
    if (rc != 0) {
        failf(c, "table %s: %s", table, db_errmsg(failed));
        db_finalize(get);
        db_finalize(ins);
        return -1;
    }
    db_finalize(get);
    db_finalize(ins);

    if (table_digest(c->src, select, n, kinds, &rows_src, &sum_src) != 0 ||
        table_digest(c->dst, select, n, kinds, &rows_dst, &sum_dst) != 0)
        return failf(c, "table %s: reading it back failed", table);
    if (rows_src != rows_dst || sum_src != sum_dst)
        return failf(c, "table %s: the copy differs from the source", table);
    return 0;
}

/* PostgreSQL: each identity sequence continues after the largest id. */
static int sequences(struct copy *c)
{
    static const char sql[] =
        "SELECT setval(pg_get_serial_sequence(?1, 'id'),"
        " (SELECT coalesce(max(id), 0) + 1 FROM %s), false)";
    char names[MAX_COLS][DB_NAME_MAX], buf[256];
    enum db_type kinds[MAX_COLS];
    size_t k;

    if (db_backend(c->dst) != DB_PGSQL)
        return 0;
    for (k = 0; k < N_TABLES; k++) {
        int n = db_table_columns(c->dst, tables[k], names, kinds, MAX_COLS);
        struct db_stmt *st;
        int rc;

        if (n <= 0 || strcmp(names[0], "id") != 0)
            continue;
        snprintf(buf, sizeof(buf), sql, tables[k]);
        st = db_prepare(c->dst, buf);
        if (st == NULL)
            return failf(c, "sequence of %s: %s", tables[k], db_errmsg(c->dst));
        db_bind_text(st, 1, tables[k]);
        rc = db_run(st);
        db_finalize(st);
        if (rc != 0)
            return failf(c, "sequence of %s: %s", tables[k], db_errmsg(c->dst));
    }
    return 0;
}

int copy_db(const char *from, const char *to, FILE *out, char *err,
            size_t errlen)
{
    struct copy c = {0};
    int64_t total = 0, vs, vd;
    size_t k;
    int rc = -1;

    c.out = out;
    if (db_url_backend(from) == 0 || db_url_backend(to) == 0) {
        snprintf(err, errlen, "not a database URL: %s",
                 db_url_backend(from) == 0 ? from : to);
        return 2;
    }
    if (db_open(from, DB_READONLY, &c.src, c.err, sizeof(c.err)) != 0 ||
        db_open(to, 0, &c.dst, c.err, sizeof(c.err)) != 0)
        goto done;
    if (same_tables(&c) != 0)
        goto done;
    if (db_begin(c.src, DB_READ) != 0) {
        failf(&c, "reading the source: %s", db_errmsg(c.src));
        goto done;
    }
    if (db_backend(c.dst) == DB_SQLITE && create_schema(&c, to) != 0)
        goto done;
    if (db_begin(c.dst, DB_WRITE) != 0) {
        failf(&c, "writing the target: %s", db_errmsg(c.dst));
        goto done;
    }
    if (db_backend(c.dst) == DB_PGSQL && create_schema(&c, to) != 0)
        goto rollback;
    vs = version_of(c.src);
    vd = version_of(c.dst);
    if (vs != vd) {
        char a[24], b[24];

        snprintf(a, sizeof(a), "%" PRId64, vs);
        snprintf(b, sizeof(b), "%" PRId64, vd);
        failf(&c,
              "the source's schema is version %s, this program's is %s:"
              " open the source once with this program (chopay-server"
              " init) first",
              a, b);
        goto rollback;
    }
    for (k = 0; k < N_TABLES; k++) {
        struct guards g = {0};
        int64_t n = 0, seeded = target_rows(&c, tables[k]);

        if (seeded < 0) {
            failf(&c, "table %s: %s", tables[k], db_errmsg(c.dst));
            goto rollback;
        }
        if (seeded > 0 && lift_guards(&c, tables[k], &g) != 0) {
            restore_guards(&c, tables[k], &g);
            goto rollback;
        }
        rc = copy_table(&c, tables[k], &n);
        if (restore_guards(&c, tables[k], &g) != 0 || rc != 0) {
            rc = -1;
            goto rollback;
        }
        fprintf(out, "copy-db: %-16s %" PRId64 " rows\n", tables[k], n);
        total += n;
    }
    if (sequences(&c) != 0)
        goto rollback;
    if (db_end(c.dst, 0) != 0) {
        failf(&c, "commit on the target: %s", db_errmsg(c.dst));
        goto done;
    }
    fprintf(out,
            "copy-db: %" PRId64 " rows in %zu tables copied and verified"
            " (schema version %" PRId64 ")\n",
            total, N_TABLES, vs);
    rc = 0;
    goto done;
rollback:
    rc = -1;
    db_end(c.dst, -1);
done:
    if (c.src != NULL && db_in_txn(c.src))
        db_end(c.src, 0);
    db_close(c.src);
    db_close(c.dst);
    if (rc != 0)
        snprintf(err, errlen, "%s", c.err[0] ? c.err : "copy failed");
    return rc == 0 ? 0 : 1;
}
