/*
 * store_report.c: the SQLite side of issue 6: migration 4 (receipts and
 * their per-organisation counters, receipt signing keys, organisation
 * provinces, printed standees), issuing a signed receipt inside the
 * transaction that records a payment, and reading receipts and keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"
#include "store_report.h"

/* Migration 4; the lead adds no migrations, so this is schema version 4. */
const char *const sqi_migration4[] = {
    "ALTER TABLE orgs ADD COLUMN province TEXT NOT NULL DEFAULT '';",
    "CREATE TABLE org_keys("
    " org_id INTEGER PRIMARY KEY REFERENCES orgs(id),"
    " seed BLOB NOT NULL CHECK (length(seed) = 32),"
    " key_id TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);",
    "CREATE TABLE receipt_seq("
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " year INTEGER NOT NULL,"
    " next INTEGER NOT NULL,"
    " PRIMARY KEY (org_id, year)) WITHOUT ROWID;",
    /* payment_id is not a foreign key and not unique: a reversed
     * transfer's payment row is deleted (and SQLite may reuse its id),
     * its receipt stays, marked void by the trigger below */
    "CREATE TABLE receipts("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " number TEXT NOT NULL UNIQUE,"
    " payment_id INTEGER NOT NULL,"
    " payer_id INTEGER NOT NULL REFERENCES payers(id),"
    " method TEXT NOT NULL,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " paid_at INTEGER NOT NULL,"
    " text TEXT NOT NULL,"
    " voided_at INTEGER);",
    "CREATE INDEX receipts_org ON receipts(org_id, paid_at);",
    "CREATE UNIQUE INDEX receipts_payment ON receipts(payment_id)"
    " WHERE voided_at IS NULL;",
    "CREATE TRIGGER receipts_void AFTER DELETE ON payments BEGIN"
    " UPDATE receipts SET voided_at = CAST(strftime('%s','now') AS INTEGER)"
    " WHERE payment_id = OLD.id AND voided_at IS NULL; END;",
    "CREATE TRIGGER receipts_no_delete BEFORE DELETE ON receipts"
    " BEGIN SELECT RAISE(ABORT, 'receipts are kept'); END;",
    "CREATE TABLE standees("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " payer_id INTEGER NOT NULL REFERENCES payers(id),"
    " format TEXT NOT NULL,"
    " paper TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);",
    "CREATE INDEX standees_payer ON standees(payer_id);",
    /* day close: the day's totals and the audit chain head at closing */
    "CREATE TABLE day_closes("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " day TEXT NOT NULL,"
    " closed_at INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " totals TEXT NOT NULL,"
    " audit_id INTEGER NOT NULL,"
    " audit_head TEXT NOT NULL,"
    " bank_seq INTEGER NOT NULL,"
    " reopened_at INTEGER,"
    " reopen_actor TEXT,"
    " reopen_reason TEXT);",
    "CREATE UNIQUE INDEX day_closes_open ON day_closes(org_id, day)"
    " WHERE reopened_at IS NULL;",
    /* nothing dated a closed day changes: cash recorded in it, undoing
     * a payment made in it (review actions on bank transactions booked
     * in it are refused by srv_review_check). Transfers the bank reports
     * late are still booked. Days are Vietnam dates. */
    "CREATE TRIGGER day_closed_payment_insert BEFORE INSERT ON payments"
    " WHEN NEW.method = 'cash' AND EXISTS (SELECT 1 FROM day_closes WHERE"
    " org_id = NEW.org_id AND reopened_at IS NULL AND"
    " day = date(NEW.created_at + 25200,"
    " 'unixepoch')) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;",
    "CREATE TRIGGER day_closed_payment_delete BEFORE DELETE ON payments"
    " WHEN EXISTS (SELECT 1 FROM day_closes WHERE org_id = OLD.org_id AND"
    " reopened_at IS NULL AND day = date(OLD.created_at + 25200,"
    " 'unixepoch')) BEGIN SELECT RAISE(ABORT, 'day_closed'); END;",
    "CREATE TRIGGER day_closes_no_delete BEFORE DELETE ON day_closes"
    " BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;",
    NULL,
};

static void copy_col(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    snprintf(out, cap, "%s", t ? (const char *)t : "");
}

/*
 * The signing seed of organisation `org`, created (and audited) when it
 * has none yet. Must run inside a write transaction when `create` is 1;
 * with create 0 a missing key is -STORE_E_NOT_FOUND.
 */
static int org_seed(struct sqi_conn *c, int64_t org, int create, int64_t now,
                    uint8_t seed[RECEIPT_KEY_LEN])
{
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *st = NULL;
    uint8_t pub[RECEIPT_KEY_LEN], fresh[RECEIPT_KEY_LEN];
    char kid[RECEIPT_KEY_ID_LEN + 1];
    int rc;

    rc = sqi_db_prepare(db, "SELECT seed FROM org_keys WHERE org_id = ?1", &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, org);
    rc = sqi_db_step(db, st);
    if (rc == 1 && sqlite3_column_bytes(st, 0) == RECEIPT_KEY_LEN) {
        memcpy(seed, sqlite3_column_blob(st, 0), RECEIPT_KEY_LEN);
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (!create) {
        store_set_error("key_not_found", "no receipt key yet");
        rc = -STORE_E_NOT_FOUND;
        goto out;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (receipt_keygen(fresh, pub) != 0 || receipt_key_id(pub, kid) != 0) {
        store_set_error("crypto_failed", "cannot create a receipt key");
        rc = -STORE_E_IO;
        goto out;
    }
    rc = sqi_db_prepare(db,
                        "INSERT INTO org_keys(org_id, seed, key_id, created_at)"
                        " VALUES (?1, ?2, ?3, ?4)",
                        &st);
    if (rc != 0)
        goto out;
    sqlite3_bind_int64(st, 1, org);
    sqlite3_bind_blob(st, 2, fresh, RECEIPT_KEY_LEN, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, kid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    rc = sqi_db_step(db, st);
    if (rc < 0)
        goto out;
    {
        char obj[32];

        snprintf(obj, sizeof(obj), "org:%lld", (long long)org);
        rc = sqi_audit(c, now, "server", "receipt_key.create", obj,
                       json_pack("{s:s}", "key_id", kid));
        if (rc != 0)
            goto out;
    }
    memcpy(seed, fresh, RECEIPT_KEY_LEN);
    rc = 0;
out:
    sqlite3_finalize(st);
    memset(fresh, 0, sizeof(fresh));
    return rc;
}

/* The next receipt sequence number of (org, year), in the write txn. */
static int next_seq(sqlite3 *db, int64_t org, int year, int64_t *seq)
{
    sqlite3_stmt *st = NULL;
    int rc;

    rc = sqi_db_prepare(
        db,
        "INSERT INTO receipt_seq(org_id, year, next) VALUES (?1, ?2, 1)"
        " ON CONFLICT (org_id, year) DO UPDATE SET next = next + 1"
        " RETURNING next",
        &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, org);
    sqlite3_bind_int(st, 2, year);
    rc = sqi_db_step(db, st);
    if (rc == 1) {
        *seq = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_fail(db, "receipt_seq");
    }
    sqlite3_finalize(st);
    return rc;
}

int sqr_receipt_issue(struct sqi_conn *c, int64_t payment, int64_t now)
{
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *st = NULL;
    struct receipt r;
    uint8_t seed[RECEIPT_KEY_LEN];
    char text[RECEIPT_TEXT_MAX];
    int64_t org, payer, seq = 0;
    int year, mo, d, h, mi, se, rc;

    memset(&r, 0, sizeof(r));
    rc = sqi_db_prepare(
        db,
        "SELECT p.org_id, p.payer_id, o.code, y.code, p.method,"
        " p.amount, coalesce(i.code, '') FROM payments p"
        " JOIN orgs o ON o.id = p.org_id"
        " JOIN payers y ON y.id = p.payer_id"
        " LEFT JOIN intents i ON i.id = p.intent_id WHERE p.id = ?1",
        &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, payment);
    rc = sqi_db_step(db, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("payment_not_found", "no payment %lld",
                            (long long)payment);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    org = sqlite3_column_int64(st, 0);
    payer = sqlite3_column_int64(st, 1);
    copy_col(st, 2, r.org, sizeof(r.org));
    copy_col(st, 3, r.payer, sizeof(r.payer));
    r.method = strcmp((const char *)sqlite3_column_text(st, 4), "cash") == 0
                   ? RECEIPT_CASH
                   : RECEIPT_TRANSFER;
    r.amount = sqlite3_column_int64(st, 5);
    copy_col(st, 6, r.ref, sizeof(r.ref));
    sqlite3_finalize(st);
    st = NULL;
    r.paid_at = now;
    /* the receipt year is the year in Vietnam (UTC+7) */
    receipt_civil(now + 7 * 3600, &year, &mo, &d, &h, &mi, &se);
    rc = org_seed(c, org, 1, now, seed);
    if (rc != 0)
        goto out;
    rc = next_seq(db, org, year, &seq);
    if (rc != 0)
        goto out;
    if (receipt_number(r.org, year, (uint64_t)seq, r.number,
                       sizeof(r.number)) != 0 ||
        receipt_sign(&r, seed, text, sizeof(text)) != 0) {
        store_set_error("receipt_failed",
                        "cannot sign receipt for payment"
                        " %lld",
                        (long long)payment);
        rc = -STORE_E_INVALID;
        goto out;
    }
    rc = sqi_db_prepare(
        db,
        "INSERT INTO receipts(org_id, number, payment_id, payer_id,"
        " method, amount, paid_at, text) VALUES (?1, ?2, ?3, ?4, ?5,"
        " ?6, ?7, ?8)",
        &st);
    if (rc != 0)
        goto out;
    sqlite3_bind_int64(st, 1, org);
    sqlite3_bind_text(st, 2, r.number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, payment);
    sqlite3_bind_int64(st, 4, payer);
    sqlite3_bind_text(st, 5, r.method == RECEIPT_CASH ? "cash" : "transfer", -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, r.amount);
    sqlite3_bind_int64(st, 7, now);
    sqlite3_bind_text(st, 8, text, -1, SQLITE_STATIC);
    rc = sqi_db_step(db, st);
    if (rc > 0)
        rc = 0;
out:
    sqlite3_finalize(st);
    memset(seed, 0, sizeof(seed));
    return rc;
}

int sqr_receipt_of_payment(struct sqi_conn *c, int64_t payment, char *out,
                           size_t cap)
{
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *st = NULL;
    int rc;

    rc = sqi_db_prepare(db,
                        "SELECT number FROM receipts WHERE payment_id = ?1"
                        " AND voided_at IS NULL",
                        &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, payment);
    rc = sqi_db_step(db, st);
    if (rc == 1) {
        copy_col(st, 0, out, cap);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("receipt_not_found", "no receipt");
        rc = -STORE_E_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return rc;
}

int sqr_receipt_get(struct store *st, int64_t org_id, const char *number,
                    json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqi_db_prepare(
        db,
        "SELECT r.number, o.code, o.name, y.code, y.name, r.method,"
        " r.amount, r.paid_at, r.text, r.voided_at, r.payment_id,"
        " coalesce((SELECT group_concat(label, ', ') FROM (SELECT"
        " DISTINCT v.label FROM allocations a JOIN invoices v ON"
        " v.id = a.invoice_id WHERE a.payment_id = r.payment_id"
        " ORDER BY v.id)), ''), r.org_id"
        " FROM receipts r JOIN orgs o ON o.id = r.org_id"
        " JOIN payers y ON y.id = r.payer_id WHERE r.number = ?1",
        &q);
    if (rc != 0)
        goto end;
    sqlite3_bind_text(q, 1, number, -1, SQLITE_STATIC);
    rc = sqi_db_step(db, q);
    if (rc == 0 ||
        (rc == 1 && org_id != 0 && sqlite3_column_int64(q, 12) != org_id)) {
        store_set_error("receipt_not_found", "no receipt %s", number);
        rc = -STORE_E_NOT_FOUND;
        goto end;
    }
    if (rc < 0)
        goto end;
    {
        json_t *j = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:I, s:s}",
            "number", sqlite3_column_text(q, 0), "org",
            sqlite3_column_text(q, 1), "org_name", sqlite3_column_text(q, 2),
            "payer", sqlite3_column_text(q, 3), "payer_name",
            sqlite3_column_text(q, 4), "method", sqlite3_column_text(q, 5),
            "amount", (json_int_t)sqlite3_column_int64(q, 6), "paid_at",
            (json_int_t)sqlite3_column_int64(q, 7), "text",
            sqlite3_column_text(q, 8), "voided",
            sqlite3_column_type(q, 9) != SQLITE_NULL, "payment",
            (json_int_t)sqlite3_column_int64(q, 10), "for",
            sqlite3_column_text(q, 11));

        if (j == NULL) {
            rc = -STORE_E_IO;
            goto end;
        }
        *out = j;
        rc = 0;
    }
end:
    sqlite3_finalize(q);
    sqi_end_read(c);
done:
    sqi_put_conn(s, c);
    return rc;
}

/*
 * The seed of `org_code`'s key, in a read transaction (create 0) or in
 * a write transaction that creates it when missing (create 1).
 */
static int key_of(struct sq *s, struct sqi_conn *c, const char *org_code,
                  int create, int64_t now, uint8_t seed[RECEIPT_KEY_LEN])
{
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int64_t org = 0;
    int rc;

    rc = create ? sqi_begin_write(s, c) : sqi_begin_read(c);
    if (rc != 0)
        return rc;
    rc = sqi_db_prepare(db, "SELECT id FROM orgs WHERE code = ?1", &q);
    if (rc == 0) {
        sqlite3_bind_text(q, 1, org_code, -1, SQLITE_STATIC);
        rc = sqi_db_step(db, q);
        if (rc == 1)
            org = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation %s", org_code);
            rc = -STORE_E_NOT_FOUND;
        }
    }
    if (rc >= 0)
        rc = org_seed(c, org, create, now, seed);
    if (create) {
        rc = sqi_end_write(s, c, rc);
    } else {
        sqi_end_read(c);
    }
    return rc;
}

int sqr_receipt_key(struct store *st, const char *org_code, int64_t now,
                    char *pem, size_t cap, char *key_id)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    uint8_t seed[RECEIPT_KEY_LEN], pub[RECEIPT_KEY_LEN];
    int rc;

    /* usually the key exists: a read; the write lock only the first time */
    rc = key_of(s, c, org_code, 0, now, seed);
    if (rc == -STORE_E_NOT_FOUND &&
        strcmp(store_error_code(), "key_not_found") == 0)
        rc = key_of(s, c, org_code, 1, now, seed);
    sqi_put_conn(s, c);
    if (rc == 0 && (receipt_public_key(seed, pub) != 0 ||
                    receipt_public_pem(pub, pem, cap) != 0 ||
                    receipt_key_id(pub, key_id) != 0)) {
        store_set_error("crypto_failed", "cannot derive the public key");
        rc = -STORE_E_IO;
    }
    memset(seed, 0, sizeof(seed));
    return rc;
}

/*
 * Run `sql` (parameters, those it uses: ?1 org id, ?2 the date text, ?3
 * and ?4 two bounds: the day's first UTC second and the first after it,
 * or an id limit) and append every row as a JSON array of its columns
 * (integers, text, null) to `arr`.
 */
static int rows_into(sqlite3 *db, const char *sql, int64_t org,
                     const char *date, int64_t t0, int64_t t1, json_t *arr)
{
    sqlite3_stmt *q = NULL;
    int rc, i, n;

    rc = sqi_db_prepare(db, sql, &q);
    if (rc != 0)
        return rc;
    if (sqlite3_bind_parameter_count(q) >= 1)
        sqlite3_bind_int64(q, 1, org);
    if (sqlite3_bind_parameter_count(q) >= 2)
        sqlite3_bind_text(q, 2, date, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(q) >= 3)
        sqlite3_bind_int64(q, 3, t0);
    if (sqlite3_bind_parameter_count(q) >= 4)
        sqlite3_bind_int64(q, 4, t1);
    n = sqlite3_column_count(q);
    while ((rc = sqi_db_step(db, q)) == 1) {
        json_t *row = json_array();

        for (i = 0; i < n; i++) {
            if (sqlite3_column_type(q, i) == SQLITE_INTEGER)
                json_array_append_new(row,
                                      json_integer(sqlite3_column_int64(q, i)));
            else if (sqlite3_column_type(q, i) == SQLITE_NULL)
                json_array_append_new(row, json_null());
            else
                json_array_append_new(
                    row, json_string((const char *)sqlite3_column_text(q, i)));
        }
        json_array_append_new(arr, row);
    }
    sqlite3_finalize(q);
    return rc < 0 ? rc : 0;
}

/* The day's records for the daily reconciliation (see store.h). */
int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   int64_t t0, int64_t t1, int64_t asof, json_t **out)
{
    /* invoices issued before the day ends, paid by method as of then */
    static const char *const q_inv =
        "SELECT v.id, y.code, v.period, v.created_at, v.amount,"
        " coalesce(sum(CASE WHEN p.method = 'transfer' AND p.created_at < ?4"
        " THEN a.amount END), 0),"
        " coalesce(sum(CASE WHEN p.method = 'cash' AND p.created_at < ?4"
        " THEN a.amount END), 0)"
        " FROM invoices v JOIN payers y ON y.id = v.payer_id"
        " LEFT JOIN allocations a ON a.invoice_id = v.id"
        " LEFT JOIN payments p ON p.id = a.payment_id"
        " WHERE v.org_id = ?1 AND v.created_at < ?4"
        " GROUP BY v.id ORDER BY v.id";
    /* the bank transactions booked that day */
    static const char *const q_bank =
        "SELECT coalesce(nullif(bank_ref, ''), provider || ':' ||"
        " provider_txn_id), amount, direction, state, outcome"
        " FROM bank_txns WHERE org_id = ?1 AND booking_date = ?2"
        " AND id <= ?4 ORDER BY id";
    /* the ledger's side: payments booked from those transactions */
    static const char *const q_ledger =
        "SELECT coalesce(nullif(t.bank_ref, ''), t.provider || ':' ||"
        " t.provider_txn_id), p.amount FROM bank_txns t"
        " JOIN payments p ON p.id = t.payment_id"
        " WHERE t.org_id = ?1 AND t.booking_date = ?2"
        " AND t.id <= ?4 ORDER BY t.id";
    static const char *const q_credit =
        "SELECT code, credit FROM payers WHERE org_id = ?1 AND credit > 0"
        " ORDER BY code";
    /* a statement that covers exactly this day, with both balances */
    static const char *const q_stmt =
        "SELECT s.opening, s.closing FROM bank_statements s"
        " WHERE s.org_id = ?1 AND s.opening IS NOT NULL"
        " AND s.closing IS NOT NULL AND EXISTS (SELECT 1 FROM bank_txns t"
        " WHERE t.import_id = s.import_id AND t.org_id = ?1"
        " AND t.booking_date = ?2) AND NOT EXISTS (SELECT 1 FROM bank_txns t"
        " WHERE t.import_id = s.import_id AND t.org_id = ?1"
        " AND t.booking_date <> ?2) ORDER BY s.id DESC LIMIT 1";
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    json_t *inv = json_array(), *bank = json_array(), *ledger = json_array(),
           *credits = json_array(), *stmt = json_array();
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = rows_into(db, q_inv, org_id, date, t0, t1, inv);
    if (rc == 0)
        rc = rows_into(db, q_bank, org_id, date, t0, asof, bank);
    if (rc == 0)
        rc = rows_into(db, q_ledger, org_id, date, t0, asof, ledger);
    if (rc == 0)
        rc = rows_into(db, q_credit, org_id, date, t0, t1, credits);
    if (rc == 0)
        rc = rows_into(db, q_stmt, org_id, date, t0, t1, stmt);
    sqi_end_read(c);
    if (rc == 0) {
        *out = json_pack(
            "{s:O, s:O, s:O, s:O, s:O}", "invoices", inv, "bank", bank,
            "ledger", ledger, "credits", credits, "statement",
            json_array_size(stmt) ? json_array_get(stmt, 0) : json_null());
        if (*out == NULL)
            rc = -STORE_E_IO;
    }
done:
    sqi_put_conn(s, c);
    json_decref(inv);
    json_decref(bank);
    json_decref(ledger);
    json_decref(credits);
    json_decref(stmt);
    return rc;
}

/* Bind ?1 org (0 all), ?2 province (NULL all), ?3/?4 the time range. */
static int rows_scoped(sqlite3 *db, const char *sql, int64_t org,
                       const char *province, int64_t t0, int64_t t1,
                       json_t *arr)
{
    sqlite3_stmt *q = NULL;
    int rc, i, n;

    rc = sqi_db_prepare(db, sql, &q);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(q, 1, org);
    if (province != NULL)
        sqlite3_bind_text(q, 2, province, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(q) >= 4) {
        sqlite3_bind_int64(q, 3, t0);
        sqlite3_bind_int64(q, 4, t1);
    }
    n = sqlite3_column_count(q);
    while ((rc = sqi_db_step(db, q)) == 1) {
        json_t *row = json_array();

        for (i = 0; i < n; i++)
            json_array_append_new(
                row,
                sqlite3_column_type(q, i) == SQLITE_INTEGER
                    ? json_integer(sqlite3_column_int64(q, i))
                    : json_string((const char *)sqlite3_column_text(q, i)));
        json_array_append_new(arr, row);
    }
    sqlite3_finalize(q);
    return rc < 0 ? rc : 0;
}

int sqr_adoption_rows(struct store *st, int64_t org_id, const char *province,
                      int64_t t0, int64_t t1, json_t **out)
{
#define SCOPE " (?1 = 0 OR o.id = ?1) AND (?2 IS NULL OR o.province = ?2)"
    static const char *const q_orgs =
        "SELECT o.id, o.code, o.name, o.province FROM orgs o WHERE" SCOPE
        " ORDER BY o.id";
    static const char *const q_payers =
        "SELECT y.id, y.org_id, y.bank_account <> '' AND y.bank_bin <> '',"
        " EXISTS (SELECT 1 FROM standees s WHERE s.payer_id = y.id)"
        " FROM payers y JOIN orgs o ON o.id = y.org_id WHERE y.active = 1"
        " AND" SCOPE " ORDER BY y.id";
    /* one record per payment; its fee type is that of its first
       allocation ("" when it only went to credit) */
    static const char *const q_pay =
        "SELECT p.payer_id, p.created_at, p.amount, p.method,"
        " coalesce((SELECT f.code FROM allocations a JOIN invoices v ON"
        " v.id = a.invoice_id JOIN fees f ON f.id = v.fee_id WHERE"
        " a.payment_id = p.id ORDER BY a.id LIMIT 1), '')"
        " FROM payments p JOIN orgs o ON o.id = p.org_id WHERE" SCOPE
        " AND p.created_at >= ?3 AND p.created_at < ?4 ORDER BY p.id";
#undef SCOPE
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    json_t *orgs = json_array(), *payers = json_array(), *pays = json_array();
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = rows_scoped(db, q_orgs, org_id, province, t0, t1, orgs);
    if (rc == 0)
        rc = rows_scoped(db, q_payers, org_id, province, t0, t1, payers);
    if (rc == 0)
        rc = rows_scoped(db, q_pay, org_id, province, t0, t1, pays);
    sqi_end_read(c);
    if (rc == 0) {
        *out = json_pack("{s:O, s:O, s:O}", "orgs", orgs, "payers", payers,
                         "payments", pays);
        if (*out == NULL)
            rc = -STORE_E_IO;
    }
done:
    sqi_put_conn(s, c);
    json_decref(orgs);
    json_decref(payers);
    json_decref(pays);
    return rc;
}

int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqi_db_prepare(db,
                        "UPDATE orgs SET province = ?2, updated_at = ?3"
                        " WHERE code = ?1 AND province <> ?2",
                        &q);
    if (rc == 0) {
        sqlite3_bind_text(q, 1, org_code, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, province, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, now);
        rc = sqi_db_step(db, q);
        sqlite3_finalize(q);
        q = NULL;
        if (rc == 0 && sqlite3_changes(db) != 1) {
            /* unchanged (nothing to audit) or no such organisation */
            rc = sqi_db_prepare(db, "SELECT 1 FROM orgs WHERE code = ?1", &q);
            if (rc == 0) {
                sqlite3_bind_text(q, 1, org_code, -1, SQLITE_STATIC);
                rc = sqi_db_step(db, q);
                sqlite3_finalize(q);
                if (rc == 0) {
                    store_set_error("org_not_found", "no organisation %s",
                                    org_code);
                    rc = -STORE_E_NOT_FOUND;
                } else if (rc == 1) {
                    rc = 1; /* same province: done */
                }
            }
        }
    }
    if (rc == 0)
        rc = sqi_audit(c, now, actor, "org.province", org_code,
                       json_pack("{s:s}", "province", province));
    if (rc == 1)
        rc = 0;
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

int sqr_standee_record(struct store *st, int64_t org_id, const char *payer,
                       const char *format, const char *paper, const char *actor,
                       int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqi_db_prepare(
        db,
        "INSERT INTO standees(org_id, payer_id, format, paper, actor,"
        " created_at) SELECT ?1, id, ?3, ?4, ?5, ?6 FROM payers"
        " WHERE org_id = ?1 AND code = ?2",
        &q);
    if (rc == 0) {
        sqlite3_bind_int64(q, 1, org_id);
        sqlite3_bind_text(q, 2, payer, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, format, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, paper, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, actor, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, now);
        rc = sqi_db_step(db, q);
        if (rc == 0 && sqlite3_changes(db) != 1) {
            store_set_error("payer_not_found", "no payer %s", payer);
            rc = -STORE_E_NOT_FOUND;
        }
        sqlite3_finalize(q);
    }
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

int sqr_standee_payers(struct store *st, int64_t org_id, const char *payer,
                       json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    json_t *rows = json_array();
    char name[256] = "";
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqi_db_prepare(db, "SELECT name FROM orgs WHERE id = ?1", &q);
    if (rc == 0) {
        sqlite3_bind_int64(q, 1, org_id);
        rc = sqi_db_step(db, q);
        if (rc == 1)
            copy_col(q, 0, name, sizeof(name));
        else if (rc == 0) {
            store_set_error("org_not_found", "no such organisation");
            rc = -STORE_E_NOT_FOUND;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc >= 0)
        rc = sqi_db_prepare(
            db,
            "SELECT code, name, bank_bin, bank_account FROM payers"
            " WHERE org_id = ?1 AND active = 1 AND (?2 IS NULL OR"
            " code = ?2) ORDER BY code",
            &q);
    if (rc >= 0) {
        sqlite3_bind_int64(q, 1, org_id);
        if (payer != NULL)
            sqlite3_bind_text(q, 2, payer, -1, SQLITE_STATIC);
        while ((rc = sqi_db_step(db, q)) == 1)
            json_array_append_new(
                rows, json_pack("{s:s, s:s, s:s, s:s}", "code",
                                sqlite3_column_text(q, 0), "name",
                                sqlite3_column_text(q, 1), "bank_bin",
                                sqlite3_column_text(q, 2), "bank_account",
                                sqlite3_column_text(q, 3)));
        sqlite3_finalize(q);
    }
    sqi_end_read(c);
    if (rc == 0) {
        *out = json_pack("{s:s, s:O}", "org_name", name, "payers", rows);
        if (*out == NULL)
            rc = -STORE_E_IO;
    }
done:
    sqi_put_conn(s, c);
    json_decref(rows);
    return rc;
}

int sqr_day_close(struct store *st, int64_t org_id, const char *date,
                  const char *totals, int64_t bank_seq, const char *actor,
                  int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    char head[65] = "", obj[64];
    int64_t audit_id = 0;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    /* the audit entry of the close itself is the head it stores */
    snprintf(obj, sizeof(obj), "org:%lld/%s", (long long)org_id, date);
    rc = sqi_audit(c, now, actor, "day.close", obj,
                   json_pack("{s:s, s:s}", "date", date, "totals", totals));
    if (rc == 0)
        rc = sqi_db_prepare(
            db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &q);
    if (rc == 0) {
        rc = sqi_db_step(db, q);
        if (rc == 1) {
            audit_id = sqlite3_column_int64(q, 0);
            copy_col(q, 1, head, sizeof(head));
            rc = 0;
        } else if (rc == 0) {
            rc = sqi_db_fail(db, "audit head");
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (rc == 0)
        rc = sqi_db_prepare(
            db,
            "INSERT INTO day_closes(org_id, day, closed_at, actor,"
            " totals, audit_id, audit_head, bank_seq) VALUES (?1, ?2,"
            " ?3, ?4, ?5, ?6, ?7, ?8)",
            &q);
    if (rc == 0) {
        sqlite3_bind_int64(q, 1, org_id);
        sqlite3_bind_text(q, 2, date, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, now);
        sqlite3_bind_text(q, 4, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, totals, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 6, audit_id);
        sqlite3_bind_text(q, 7, head, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, bank_seq);
        rc = sqi_db_step(db, q);
        sqlite3_finalize(q);
        if (rc == -STORE_E_CONFLICT)
            store_set_error("already_closed", "%s is already closed", date);
    }
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    if (rc == 0) {
        *out = json_pack("{s:s, s:I, s:s, s:I, s:s}", "date", date, "closed_at",
                         (json_int_t)now, "actor", actor, "audit_id",
                         (json_int_t)audit_id, "audit_head", head);
        if (*out == NULL)
            rc = -STORE_E_IO;
    }
    return rc;
}

int sqr_day_reopen(struct store *st, int64_t org_id, const char *date,
                   const char *reason, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    char obj[64];
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqi_db_prepare(
        db,
        "UPDATE day_closes SET reopened_at = ?3, reopen_actor = ?4,"
        " reopen_reason = ?5 WHERE org_id = ?1 AND day = ?2 AND"
        " reopened_at IS NULL",
        &q);
    if (rc == 0) {
        sqlite3_bind_int64(q, 1, org_id);
        sqlite3_bind_text(q, 2, date, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, now);
        sqlite3_bind_text(q, 4, actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 5, reason, -1, SQLITE_STATIC);
        rc = sqi_db_step(db, q);
        sqlite3_finalize(q);
        if (rc == 0 && sqlite3_changes(db) != 1) {
            store_set_error("not_closed", "%s is not closed", date);
            rc = -STORE_E_NOT_FOUND;
        }
    }
    snprintf(obj, sizeof(obj), "org:%lld/%s", (long long)org_id, date);
    if (rc == 0)
        rc = sqi_audit(c, now, actor, "day.reopen", obj,
                       json_pack("{s:s, s:s}", "date", date, "reason", reason));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

int sqr_day_closes(struct store *st, json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    json_t *rows = json_array();
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = rows_into(db,
                       "SELECT d.id, o.code, d.org_id, d.day, d.totals,"
                       " d.audit_id, d.audit_head, coalesce((SELECT hash FROM"
                       " audit a WHERE a.id = d.audit_id), ''), d.bank_seq"
                       " FROM"
                       " day_closes d JOIN orgs o ON o.id = d.org_id"
                       " WHERE d.reopened_at IS NULL ORDER BY d.id",
                       0, NULL, 0, 0, rows);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = rows;
    else
        json_decref(rows);
    return rc;
}

int sqr_day_closed(struct store *st, int64_t org_id, const char *date,
                   int *closed)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqi_db_prepare(
            db,
            "SELECT 1 FROM day_closes WHERE org_id = ?1 AND day = ?2"
            " AND reopened_at IS NULL",
            &q);
        if (rc == 0) {
            sqlite3_bind_int64(q, 1, org_id);
            sqlite3_bind_text(q, 2, date, -1, SQLITE_STATIC);
            rc = sqi_db_step(db, q);
            if (rc >= 0) {
                *closed = rc == 1;
                rc = 0;
            }
            sqlite3_finalize(q);
        }
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}

int sqr_bank_seq(struct store *st, int64_t *seq)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    sqlite3 *db = sqi_db(c);
    sqlite3_stmt *q = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = sqi_db_prepare(db, "SELECT coalesce(max(id), 0) FROM bank_txns",
                            &q);
        if (rc == 0) {
            rc = sqi_db_step(db, q);
            if (rc == 1) {
                *seq = sqlite3_column_int64(q, 0);
                rc = 0;
            } else if (rc == 0) {
                rc = sqi_db_fail(db, "bank_seq");
            }
            sqlite3_finalize(q);
        }
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}
