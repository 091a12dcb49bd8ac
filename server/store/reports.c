/*
 * reports.c: receipts, reports and closed days in the store:
 * migrations 4, 8 and 14 (receipts and their per-organisation counters,
 * receipt signing keys, provinces, standees, day closes, corrections),
 * the dating rule in C (sqr_open_day and its calendar) and the refusal
 * of changes to closed days (sqr_refuse_closed), issuing a signed
 * receipt inside the transaction that records a payment, the daily
 * report's rows, adoption figures, and closing and reopening days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "receipt.h"
#include "store_int.h"

/* Migration 4 (schema version 4). */
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
     * its receipt stays, marked void (by the trigger below until
     * migration 14, by sqi_payment_reverse since) */
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

/*
 * Migration 8 (corrections after a close). Every record the
 * daily report reads carries the day it counts on: the first open day
 * when it was made (sqr_open_day), so that nothing is ever dated on a
 * closed day and a closed day's figures never change. What would have
 * changed one is a correction: a new entry dated later that points at
 * the closed day and the record it corrects. A close freezes its bank
 * side (day_close_txns). Bank transactions carry their own report day
 * (migration 7, bank.c).
 */
/*
 * SQL pieces of migration 8's triggers, the dating rule as SQLite SQL
 * (migration 14 drops those triggers; sqr_open_day is the rule).
 * VN_DATE(t): the Vietnam date (UTC+7) of unix time expression `t`.
 * CLOSED(org, d): 1 when date `d` of organisation `org` is closed (not
 * reopened). OPEN_DAY(org, d): the first day on or after `d` that is not
 * closed: `d` itself or the day after one of the closed days from `d` on.
 */
#define VN_DATE(t) "date((" t ") + 25200, 'unixepoch')"
#define CLOSED(org, d)                                                         \
    "EXISTS (SELECT 1 FROM day_closes dk WHERE dk.org_id = " org               \
    " AND dk.day = " d " AND dk.reopened_at IS NULL)"
#define OPEN_DAY(org, d)                                                       \
    "(CASE WHEN " CLOSED(                                                      \
        org,                                                                   \
        d) " THEN (SELECT min(x) FROM (SELECT " d                              \
           " AS x UNION ALL SELECT date(dc.day, '+1 day') FROM day_closes dc"  \
           " WHERE dc.org_id = " org                                           \
           " AND dc.reopened_at IS NULL AND dc.day >= " d                      \
           ") WHERE x NOT IN (SELECT dd.day FROM day_closes dd WHERE "         \
           "dd.org_id = " org " AND dd.reopened_at IS NULL AND dd.day >= " d   \
           ")) ELSE " d " END)"
#define DATED_NEW OPEN_DAY("NEW.org_id", VN_DATE("NEW.created_at"))
#define DATED_NOW                                                              \
    OPEN_DAY("p.org_id", VN_DATE("CAST(strftime('%s', 'now') AS INTEGER)"))
#define PAY_ORG(row)                                                           \
    "(SELECT org_id FROM payments WHERE id = " row ".payment_id)"
#define REFUSE "SELECT RAISE(ABORT, 'day_closed');"

const char *const sqi_migration8[] = {
    "ALTER TABLE payments ADD COLUMN day TEXT;",
    "UPDATE payments SET day = date(created_at + 25200, 'unixepoch');",
    /* the closed day a payment is late for (a late transfer, cash taken
       on a closed day, a review of a closed day's transaction) */
    "ALTER TABLE payments ADD COLUMN corrects_date TEXT;",
    /* a transfer undone by a review after its day closed is kept, marked
       reversed from that (later) day on */
    "ALTER TABLE payments ADD COLUMN reversed_day TEXT;",
    "CREATE INDEX payments_day ON payments(org_id, day);",
    "CREATE INDEX payments_over ON payments(org_id, day) WHERE flag = 'over';",
    "ALTER TABLE allocations ADD COLUMN day TEXT;",
    "UPDATE allocations SET day = (SELECT max(p.day, date(v.created_at +"
    " 25200, 'unixepoch')) FROM payments p, invoices v WHERE p.id ="
    " allocations.payment_id AND v.id = allocations.invoice_id);",
    "ALTER TABLE invoices ADD COLUMN day TEXT;",
    "UPDATE invoices SET day = date(created_at + 25200, 'unixepoch');",
    "ALTER TABLE refunds ADD COLUMN day TEXT;",
    "UPDATE refunds SET day = date(created_at + 25200, 'unixepoch');",
    /* dated records replace the time-based guards of migrations 4/5 */
    "DROP TRIGGER day_closed_payment_insert;",
    "DROP TRIGGER day_closed_payment_delete;",
    "DROP TRIGGER day_closed_refund_insert;",
    /* a record whose writer did not date it gets the first open day */
    "CREATE TRIGGER payments_dated AFTER INSERT ON payments"
    " WHEN NEW.day IS NULL BEGIN UPDATE payments SET day = " DATED_NEW
    " WHERE id = NEW.id; END;",
    "CREATE TRIGGER invoices_dated AFTER INSERT ON invoices"
    " WHEN NEW.day IS NULL BEGIN UPDATE invoices SET day = " DATED_NEW
    " WHERE id = NEW.id; END;",
    "CREATE TRIGGER refunds_dated AFTER INSERT ON refunds"
    " WHEN NEW.day IS NULL BEGIN UPDATE refunds SET day = " DATED_NEW
    " WHERE id = NEW.id; END;",
    "CREATE TRIGGER allocations_dated AFTER INSERT ON allocations"
    " WHEN NEW.day IS NULL BEGIN UPDATE allocations SET day = (SELECT"
    " max(p.day, " DATED_NOW ") FROM payments p WHERE p.id ="
    " NEW.payment_id) WHERE id = NEW.id; END;",
    /* nothing dated a closed day is added or taken away */
    "CREATE TRIGGER closed_payment_insert BEFORE INSERT ON payments"
    " WHEN " CLOSED("NEW.org_id", "NEW.day") " BEGIN " REFUSE " END;",
    "CREATE TRIGGER closed_payment_delete BEFORE DELETE ON payments"
    " WHEN " CLOSED("OLD.org_id", "OLD.day") " BEGIN " REFUSE " END;",
    "CREATE TRIGGER closed_allocation_insert BEFORE INSERT ON allocations"
    " WHEN " CLOSED(PAY_ORG("NEW"), "NEW.day") " BEGIN " REFUSE " END;",
    "CREATE TRIGGER closed_allocation_delete BEFORE DELETE ON allocations"
    " WHEN " CLOSED(PAY_ORG("OLD"), "OLD.day") " BEGIN " REFUSE " END;",
    "CREATE TRIGGER closed_refund_insert BEFORE INSERT ON refunds"
    " WHEN " CLOSED("NEW.org_id", "NEW.day") " BEGIN " REFUSE " END;",
    /* the correcting entries, dated on `day`, pointing at `corrects` of
       the closed day `corrects_date` (always an earlier day) */
    "CREATE TABLE corrections("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " day TEXT NOT NULL,"
    " corrects_date TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('late_credit', 'late_debit',"
    "  'match', 'unmatch', 'ignore', 'cash', 'refund')),"
    " corrects TEXT NOT NULL,"
    " bank_txn_id INTEGER REFERENCES bank_txns(id),"
    " payment_id INTEGER,"
    " refund_id INTEGER REFERENCES refunds(id),"
    " payer_id INTEGER REFERENCES payers(id),"
    " amount INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " reason TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL,"
    " CHECK (corrects_date < day));",
    "CREATE INDEX corrections_day ON corrections(org_id, day, id);",
    "CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections"
    " BEGIN SELECT RAISE(ABORT, 'corrections are kept'); END;",
    "CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections"
    " BEGIN SELECT RAISE(ABORT, 'corrections are kept'); END;",
    /* the bank side of a closed day as its close saw it */
    "CREATE TABLE day_close_txns("
    " close_id INTEGER NOT NULL REFERENCES day_closes(id),"
    " txn_id INTEGER NOT NULL REFERENCES bank_txns(id),"
    " state TEXT NOT NULL,"
    " outcome TEXT NOT NULL,"
    " ledger INTEGER,"
    " ledger_late INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (close_id, txn_id)) WITHOUT ROWID;",
    "CREATE TRIGGER day_close_txns_no_update BEFORE UPDATE ON day_close_txns"
    " BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;",
    "CREATE TRIGGER day_close_txns_no_delete BEFORE DELETE ON day_close_txns"
    " BEGIN SELECT RAISE(ABORT, 'day closes are kept'); END;",
    /* 1: closed before this migration (only its bank side is checked) */
    "ALTER TABLE day_closes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;",
    "INSERT INTO day_close_txns(close_id, txn_id, state, outcome, ledger)"
    " SELECT d.id, t.id, t.state, t.outcome, p.amount FROM day_closes d"
    " JOIN bank_txns t ON t.org_id = d.org_id AND t.booking_date = d.day"
    " AND t.id <= d.bank_seq LEFT JOIN payments p ON p.id = t.payment_id"
    " WHERE d.reopened_at IS NULL;",
    /* transfers recorded after such a close count on the day they came */
    "UPDATE bank_txns SET report_date = date(created_at + 25200,"
    " 'unixepoch') WHERE EXISTS (SELECT 1 FROM day_closes d WHERE"
    " d.org_id = bank_txns.org_id AND d.day = bank_txns.booking_date AND"
    " d.reopened_at IS NULL AND bank_txns.id > d.bank_seq);",
    NULL,
};

/*
 * Migration 14: the store dates every payment, allocation, invoice and
 * refund it inserts, and refuses changes to closed days, in C
 * (sqr_open_day, sqr_refuse_closed), so the triggers that did so go.
 * What stays are the append-only guards. A record a trigger would still
 * have had to date cannot exist (every insert binds its day); should
 * one, it gets the day that trigger gave.
 */
const char *const sqi_migration_c_dating[] = {
    "UPDATE payments SET day = " OPEN_DAY(
        "payments.org_id",
        VN_DATE("payments.created_at")) " WHERE day IS NULL;",
    "UPDATE invoices SET day = " OPEN_DAY(
        "invoices.org_id",
        VN_DATE("invoices.created_at")) " WHERE day IS NULL;",
    "UPDATE refunds SET day = " OPEN_DAY(
        "refunds.org_id", VN_DATE("refunds.created_at")) " WHERE day IS NULL;",
    "UPDATE allocations SET day = (SELECT max(p.day, " DATED_NOW ") FROM"
    " payments p WHERE p.id = allocations.payment_id) WHERE day IS NULL;",
    "DROP TRIGGER IF EXISTS payments_dated;",
    "DROP TRIGGER IF EXISTS invoices_dated;",
    "DROP TRIGGER IF EXISTS refunds_dated;",
    "DROP TRIGGER IF EXISTS allocations_dated;",
    "DROP TRIGGER IF EXISTS closed_payment_insert;",
    "DROP TRIGGER IF EXISTS closed_payment_delete;",
    "DROP TRIGGER IF EXISTS closed_allocation_insert;",
    "DROP TRIGGER IF EXISTS closed_allocation_delete;",
    "DROP TRIGGER IF EXISTS closed_refund_insert;",
    "DROP TRIGGER IF EXISTS refunded_payment_delete;",
    "DROP TRIGGER IF EXISTS receipts_void;",
    NULL,
};
#undef VN_DATE
#undef CLOSED
#undef OPEN_DAY
#undef DATED_NEW
#undef DATED_NOW
#undef PAY_ORG
#undef REFUSE

static void copy_col(struct db_stmt *st, int i, char *out, size_t cap)
{
    const char *t = db_column_text(st, i);

    snprintf(out, cap, "%s", t ? t : "");
}

/*
 * The connection's cached statement for `sql` (a string with static
 * storage: db_q keeps it by address) into *st: 0, or the store's error
 * with *st NULL. Give it back with done().
 */
static int stmt(struct db *db, const char *sql, struct db_stmt **st)
{
    *st = db_q(db, sql);
    return *st != NULL ? 0 : sqi_db_error(db, -DB_E_SQL, "prepare");
}

/* Reset a statement from stmt() for its next use; NULL does nothing. */
static void done(struct db_stmt *st)
{
    db_reset(st);
}

/* One step of `st` of `db`: 1 row, 0 done, or the store's error. */
static int step(struct db *db, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc >= 0 ? rc : sqi_db_error(db, rc, "step");
}

/* ---- dating: the calendar in C ---------------------------------------- */

#define VN_OFFSET (7 * 3600) /* Vietnam is UTC+7 all year round */
#define DAY_SECS  86400
#define DAY_MIN   (-719528) /* 0000-01-01, days from 1970-01-01 */
#define DAY_MAX   2932896   /* 9999-12-31 */

/* Days from 1970-01-01 to proleptic Gregorian y-m-d; d may run past the
 * month's end (the 30th of February is the 2nd of March). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The y-m-d of day `z` counted from 1970-01-01 (the inverse). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* `n` as `width` decimal digits at `out`. */
static void put_digits(char *out, int width, int64_t n)
{
    while (width-- > 0) {
        out[width] = (char)('0' + n % 10);
        n /= 10;
    }
}

int sqr_day_text(int64_t n, char day[11])
{
    int64_t y;
    int m, d;

    if (n < DAY_MIN || n > DAY_MAX)
        return -1;
    civil_from_days(n, &y, &m, &d);
    put_digits(day, 4, y);
    day[4] = '-';
    put_digits(day + 5, 2, m);
    day[7] = '-';
    put_digits(day + 8, 2, d);
    day[10] = '\0';
    return 0;
}

/* YYYY-MM-DD with month 01-12 and day 01-31 into y, m, d; -1 if not. */
static int parse_day(const char *s, int *y, int *m, int *d)
{
    static const int digit[10] = {1, 1, 1, 1, 0, 1, 1, 0, 1, 1};
    int i, v[3] = {0, 0, 0};

    if (s == NULL)
        return -1;
    for (i = 0; i < 10; i++) {
        if (digit[i] ? s[i] < '0' || s[i] > '9' : s[i] != '-')
            return -1;
        if (digit[i])
            v[i < 4   ? 0
              : i < 7 ? 1
                      : 2] = v[i < 4   ? 0
                               : i < 7 ? 1
                                       : 2] *
                                 10 +
                             (s[i] - '0');
    }
    if (s[10] != '\0' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return -1;
    *y = v[0];
    *m = v[1];
    *d = v[2];
    return 0;
}

int sqr_day_number(const char *day, int64_t *n)
{
    int y, m, d;

    if (parse_day(day, &y, &m, &d) != 0)
        return -1;
    *n = days_from_civil(y, m, d);
    return 0;
}

int sqr_day_valid(const char *day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int y, m, d, leap;

    if (parse_day(day, &y, &m, &d) != 0)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int sqr_vn_day(int64_t t, char day[11])
{
    int64_t s, n;

    /* outside these bounds the day is outside 0000..9999 anyway */
    if (t < (int64_t)DAY_MIN * DAY_SECS - VN_OFFSET ||
        t > ((int64_t)DAY_MAX + 1) * DAY_SECS)
        return -1;
    s = t + VN_OFFSET;
    n = s / DAY_SECS - (s % DAY_SECS < 0);
    return sqr_day_text(n, day);
}

int sqr_next_day(const char *day, char next[11])
{
    int64_t n;

    if (sqr_day_number(day, &n) != 0)
        return -1;
    return sqr_day_text(n + 1, next);
}

int sqr_open_day(struct db *db, int64_t org, int64_t at, char day[11])
{
    /* the closed days from that day on, in order: usually none */
    static const char *const q_closed =
        "SELECT day FROM day_closes WHERE org_id = ?1 AND"
        " reopened_at IS NULL AND day >= ?2 ORDER BY day";
    struct db_stmt *q = NULL;
    char d[11];
    int rc;

    if (sqr_vn_day(at, d) != 0) {
        store_set_error("invalid_time", "time %lld is out of range",
                        (long long)at);
        return -STORE_E_INVALID;
    }
    rc = stmt(db, q_closed, &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, d);
    /* past every closed day that follows on from the last */
    while ((rc = step(db, q)) == 1) {
        const char *c = db_column_text(q, 0);
        int cmp = c != NULL ? strcmp(c, d) : -1;

        if (cmp > 0)
            break;
        if (cmp == 0 && sqr_next_day(d, d) != 0) {
            store_set_error("invalid_date", "no day after %s", d);
            rc = -STORE_E_INVALID;
            break;
        }
    }
    done(q);
    if (rc < 0)
        return rc;
    memcpy(day, d, 11);
    return 0;
}

/*
 * The signing seed of organisation `org`, created (and audited) when it
 * has none yet. Must run inside a write transaction when `create` is 1;
 * with create 0 a missing key is -STORE_E_NOT_FOUND.
 */
static int org_seed(struct sqi_conn *c, int64_t org, int create, int64_t now,
                    uint8_t seed[RECEIPT_KEY_LEN])
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    uint8_t pub[RECEIPT_KEY_LEN], fresh[RECEIPT_KEY_LEN];
    char kid[RECEIPT_KEY_ID_LEN + 1];
    int rc;

    rc = stmt(db, "SELECT seed FROM org_keys WHERE org_id = ?1", &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, org);
    rc = step(db, st);
    if (rc == 1 && db_column_bytes(st, 0) == RECEIPT_KEY_LEN) {
        memcpy(seed, db_column_blob(st, 0), RECEIPT_KEY_LEN);
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
    done(st);
    st = NULL;
    if (receipt_keygen(fresh, pub) != 0 || receipt_key_id(pub, kid) != 0) {
        store_set_error("crypto_failed", "cannot create a receipt key");
        rc = -STORE_E_IO;
        goto out;
    }
    rc = stmt(db,
              "INSERT INTO org_keys(org_id, seed, key_id, created_at)"
              " VALUES (?1, ?2, ?3, ?4)",
              &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org);
    db_bind_blob(st, 2, fresh, RECEIPT_KEY_LEN);
    db_bind_text(st, 3, kid);
    db_bind_int64(st, 4, now);
    rc = step(db, st);
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
    done(st);
    memset(fresh, 0, sizeof(fresh));
    return rc;
}

/* The next receipt sequence number of (org, year), in the write txn. */
static int next_seq(struct db *db, int64_t org, int year, int64_t *seq)
{
    struct db_stmt *st = NULL;
    int rc;

    rc = stmt(db,
              "INSERT INTO receipt_seq(org_id, year, next) VALUES (?1, ?2, 1)"
              " ON CONFLICT (org_id, year) DO UPDATE"
              " SET next = receipt_seq.next + 1 RETURNING next",
              &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, org);
    db_bind_int64(st, 2, year);
    rc = step(db, st);
    if (rc == 1) {
        *seq = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(db, -DB_E_IO, "receipt_seq");
    }
    done(st);
    return rc;
}

int sqr_receipt_issue(struct sqi_conn *c, int64_t payment, int64_t now)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    struct receipt r;
    uint8_t seed[RECEIPT_KEY_LEN];
    char text[RECEIPT_TEXT_MAX];
    int64_t org, payer, seq = 0;
    int year, mo, d, h, mi, se, rc;

    memset(&r, 0, sizeof(r));
    rc = stmt(db,
              "SELECT p.org_id, p.payer_id, o.code, y.code, p.method,"
              " p.amount, coalesce(i.code, '') FROM payments p"
              " JOIN orgs o ON o.id = p.org_id"
              " JOIN payers y ON y.id = p.payer_id"
              " LEFT JOIN intents i ON i.id = p.intent_id WHERE p.id = ?1",
              &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, payment);
    rc = step(db, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("payment_not_found", "no payment %lld",
                            (long long)payment);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    org = db_column_int64(st, 0);
    payer = db_column_int64(st, 1);
    copy_col(st, 2, r.org, sizeof(r.org));
    copy_col(st, 3, r.payer, sizeof(r.payer));
    r.method = strcmp(db_column_text(st, 4), "cash") == 0 ? RECEIPT_CASH
                                                          : RECEIPT_TRANSFER;
    r.amount = db_column_int64(st, 5);
    copy_col(st, 6, r.ref, sizeof(r.ref));
    done(st);
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
    rc = stmt(db,
              "INSERT INTO receipts(org_id, number, payment_id, payer_id,"
              " method, amount, paid_at, text) VALUES (?1, ?2, ?3, ?4, ?5,"
              " ?6, ?7, ?8)",
              &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org);
    db_bind_text(st, 2, r.number);
    db_bind_int64(st, 3, payment);
    db_bind_int64(st, 4, payer);
    db_bind_text(st, 5, r.method == RECEIPT_CASH ? "cash" : "transfer");
    db_bind_int64(st, 6, r.amount);
    db_bind_int64(st, 7, now);
    db_bind_text(st, 8, text);
    rc = step(db, st);
    if (rc > 0)
        rc = 0;
out:
    done(st);
    memset(seed, 0, sizeof(seed));
    return rc;
}

int sqr_receipt_of_payment(struct sqi_conn *c, int64_t payment, char *out,
                           size_t cap)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    int rc;

    rc = stmt(db,
              "SELECT number FROM receipts WHERE payment_id = ?1"
              " AND voided_at IS NULL",
              &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, payment);
    rc = step(db, st);
    if (rc == 1) {
        copy_col(st, 0, out, cap);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("receipt_not_found", "no receipt");
        rc = -STORE_E_NOT_FOUND;
    }
    done(st);
    return rc;
}

/*
 * What payment `payment` paid for: the labels of the invoices it was
 * allocated to, each once, in invoice order, joined by ", " into *out
 * (malloc'd, "" for none). 0 or the store's error.
 */
static int labels_of(struct db *db, int64_t payment, char **out)
{
    struct db_stmt *q = NULL;
    json_t *seen = json_array();
    size_t len = 0, i, n;
    char *text = NULL;
    int rc;

    rc = seen ? stmt(db,
                     "SELECT v.label FROM allocations a JOIN invoices v ON"
                     " v.id = a.invoice_id WHERE a.payment_id = ?1"
                     " ORDER BY v.id, a.id",
                     &q)
              : -STORE_E_IO;
    if (rc != 0)
        goto out;
    db_bind_int64(q, 1, payment);
    while ((rc = step(db, q)) == 1) {
        const char *label = db_column_text(q, 0);
        json_t *v;
        int dup = 0;

        if (label == NULL)
            continue;
        json_array_foreach(seen, i, v) dup |=
            strcmp(json_string_value(v), label) == 0;
        if (!dup) {
            json_array_append_new(seen, json_string(label));
            len += strlen(label) + 2;
        }
    }
    done(q);
    if (rc < 0)
        goto out;
    text = malloc(len + 1);
    if (text == NULL) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    text[0] = '\0';
    n = 0;
    for (i = 0; i < json_array_size(seen); i++) {
        const char *label = json_string_value(json_array_get(seen, i));
        size_t l = label ? strlen(label) : 0;

        if (i > 0) {
            memcpy(text + n, ", ", 2);
            n += 2;
        }
        memcpy(text + n, label ? label : "", l);
        n += l;
    }
    text[n] = '\0';
    *out = text;
    rc = 0;
out:
    json_decref(seen);
    return rc;
}

int sqr_receipt_get(struct store *st, int64_t org_id, const char *number,
                    json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char *labels = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = stmt(db,
              "SELECT r.number, o.code, o.name, y.code, y.name, r.method,"
              " r.amount, r.paid_at, r.text, r.voided_at, r.payment_id,"
              " r.org_id"
              " FROM receipts r JOIN orgs o ON o.id = r.org_id"
              " JOIN payers y ON y.id = r.payer_id WHERE r.number = ?1",
              &q);
    if (rc != 0)
        goto end;
    db_bind_text(q, 1, number);
    rc = step(db, q);
    if (rc == 0 ||
        (rc == 1 && org_id != 0 && db_column_int64(q, 11) != org_id)) {
        store_set_error("receipt_not_found", "no receipt %s", number);
        rc = -STORE_E_NOT_FOUND;
        goto end;
    }
    if (rc < 0)
        goto end;
    rc = labels_of(db, db_column_int64(q, 10), &labels);
    if (rc != 0)
        goto end;
    {
        json_t *j = json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:I, s:s}",
            "number", db_column_text(q, 0), "org", db_column_text(q, 1),
            "org_name", db_column_text(q, 2), "payer", db_column_text(q, 3),
            "payer_name", db_column_text(q, 4), "method", db_column_text(q, 5),
            "amount", (json_int_t)db_column_int64(q, 6), "paid_at",
            (json_int_t)db_column_int64(q, 7), "text", db_column_text(q, 8),
            "voided", db_column_type(q, 9) != DB_NULL, "payment",
            (json_int_t)db_column_int64(q, 10), "for", labels);

        if (j == NULL) {
            rc = -STORE_E_IO;
            goto end;
        }
        *out = j;
        rc = 0;
    }
end:
    done(q);
    free(labels);
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
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int64_t org = 0;
    int rc;

    rc = create ? sqi_begin_write(s, c) : sqi_begin_read(c);
    if (rc != 0)
        return rc;
    rc = stmt(db, "SELECT id FROM orgs WHERE code = ?1", &q);
    if (rc == 0) {
        db_bind_text(q, 1, org_code);
        rc = step(db, q);
        if (rc == 1)
            org = db_column_int64(q, 0);
        done(q);
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

/* The id of the active close of `date` of `org` into *id (0: open). */
static int close_of(struct db *db, int64_t org, const char *date, int64_t *id)
{
    struct db_stmt *q = NULL;
    int rc;

    rc = stmt(db,
              "SELECT id FROM day_closes WHERE org_id = ?1 AND"
              " day = ?2 AND reopened_at IS NULL",
              &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, date);
    rc = step(db, q);
    if (rc >= 0) {
        *id = rc == 1 ? db_column_int64(q, 0) : 0;
        rc = 0;
    }
    done(q);
    return rc;
}

int sqr_is_closed(struct sqi_conn *c, int64_t org, const char *day, int *closed)
{
    int64_t id = 0;
    int rc = close_of(sqi_dbh(c), org, day, &id);

    if (rc == 0)
        *closed = id != 0;
    return rc;
}

int sqr_refuse_closed(struct db *db, int64_t org, const char *day)
{
    int64_t id = 0;
    int rc = close_of(db, org, day, &id);

    if (rc != 0 || id == 0)
        return rc;
    /* the detail a guard trigger's message gave: http.c answers it */
    store_set_error("conflict", "day_closed");
    return -STORE_E_CONFLICT;
}

int sqr_dated_day(struct sqi_conn *c, int64_t org, int64_t now, char *out)
{
    return sqr_open_day(sqi_dbh(c), org, now, out);
}

int sqr_correction_add(struct sqi_conn *c, const struct sqr_correction *k,
                       char *day, int64_t *id)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char dated[11], action[48];
    int64_t cid;
    int rc;

    rc = sqr_dated_day(c, k->org, k->now, dated);
    if (rc != 0)
        return rc;
    rc =
        stmt(db,
             "INSERT INTO corrections(org_id, day, corrects_date, kind,"
             " corrects, bank_txn_id, payment_id, refund_id, payer_id, amount,"
             " actor, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
             " nullif(?6, 0), nullif(?7, 0), nullif(?8, 0), nullif(?9, 0), ?10,"
             " ?11, ?12, ?13) RETURNING id",
             &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, k->org);
    db_bind_text(q, 2, dated);
    db_bind_text(q, 3, k->corrects_date);
    db_bind_text(q, 4, k->kind);
    db_bind_text(q, 5, k->corrects);
    db_bind_int64(q, 6, k->bank_txn);
    db_bind_int64(q, 7, k->payment);
    db_bind_int64(q, 8, k->refund);
    db_bind_int64(q, 9, k->payer);
    db_bind_int64(q, 10, k->amount);
    db_bind_text(q, 11, k->actor);
    db_bind_text(q, 12, k->reason ? k->reason : "");
    db_bind_int64(q, 13, k->now);
    rc = step(db, q);
    cid = rc == 1 ? db_column_int64(q, 0) : 0;
    done(q);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sqi_db_error(db, -DB_E_IO, "correction id");
    snprintf(action, sizeof(action), "correction.%s", k->kind);
    rc = sqi_audit(
        c, k->now, k->actor, action, k->corrects,
        json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "correction",
                  (json_int_t)cid, "day", dated, "corrects_date",
                  k->corrects_date, "amount", (json_int_t)k->amount, "payment",
                  (json_int_t)k->payment, "bank", (json_int_t)k->bank_txn,
                  "reason", k->reason ? k->reason : ""));
    if (rc != 0)
        return rc;
    if (day != NULL)
        memcpy(day, dated, 11);
    if (id != NULL)
        *id = cid;
    return 0;
}

/* "YYYY-MM-DD" of Vietnam time at unix time `t` into out (11 bytes). */
static int vn_date(int64_t t, char *out)
{
    if (sqr_vn_day(t, out) == 0)
        return 0;
    store_set_error("invalid_time", "time %lld is out of range", (long long)t);
    return -STORE_E_INVALID;
}

int sqr_cash_dated(struct sqi_conn *c, int64_t org, int64_t payment,
                   int64_t payer, int64_t amount, const char *date,
                   int64_t recorded_at, const char *actor, int64_t now)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char day[11], today[11], corrects[40];
    int64_t n;
    int closed = 0, rc;

    rc = vn_date(now, today);
    if (rc != 0)
        return rc;
    if (date != NULL) {
        /* YYYY-MM-DD (month 01-12, day 01-31: the check SQLite's date()
           made, which lets a 30th of February through), not after today */
        if (sqr_day_number(date, &n) != 0 || strcmp(date, today) > 0) {
            store_set_error("invalid_date", "date: YYYY-MM-DD, not after"
                                            " today");
            return -STORE_E_INVALID;
        }
        /* the kiosk asked for that day explicitly: it is refused */
        rc = sqr_is_closed(c, org, date, &closed);
        if (rc != 0)
            return rc;
        if (closed) {
            store_set_error("day_closed", "day_closed");
            return -STORE_E_CONFLICT;
        }
    }
    if (recorded_at != 0 &&
        (recorded_at > now + 300 || recorded_at < now - 366 * 86400)) {
        store_set_error("invalid_field", "recorded_at: when the cash was"
                                         " taken, within the last year");
        return -STORE_E_INVALID;
    }
    /* cash taken on a day that is closed now (a kiosk's offline journal
       sent after the close, or cash recorded after today's close) is
       kept: dated on the next open day, pointing at the day it was taken */
    rc =
        vn_date(recorded_at != 0 && recorded_at < now ? recorded_at : now, day);
    if (rc == 0)
        rc = sqr_is_closed(c, org, day, &closed);
    if (rc != 0 || !closed)
        return rc;
    rc = stmt(db, "UPDATE payments SET corrects_date = ?2 WHERE id = ?1", &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, payment);
    db_bind_text(q, 2, day);
    rc = step(db, q);
    done(q);
    if (rc < 0)
        return rc;
    snprintf(corrects, sizeof(corrects), "payment:%lld", (long long)payment);
    {
        struct sqr_correction k = {org,
                                   "cash",
                                   day,
                                   corrects,
                                   0,
                                   payment,
                                   0,
                                   payer,
                                   amount,
                                   actor,
                                   "cash taken on a closed day",
                                   now};

        return sqr_correction_add(c, &k, NULL, NULL);
    }
}

/*
 * Run `sql` (a string with static storage) with its first `nparams`
 * parameters of ?1 org id, ?2 the date text, ?3 the active close's id or
 * 0, and append every row as a JSON array of its columns (integers,
 * text, null) to `arr`.
 */
static int rows_into(struct db *db, const char *sql, int nparams, int64_t org,
                     const char *date, int64_t close_id, json_t *arr)
{
    struct db_stmt *q = NULL;
    int rc, i, n;

    rc = stmt(db, sql, &q);
    if (rc != 0)
        return rc;
    if (nparams >= 1)
        db_bind_int64(q, 1, org);
    if (nparams >= 2)
        db_bind_text(q, 2, date);
    if (nparams >= 3)
        db_bind_int64(q, 3, close_id);
    while ((rc = step(db, q)) == 1) {
        json_t *row = json_array();

        n = db_column_count(q);
        for (i = 0; i < n; i++) {
            if (db_column_type(q, i) == DB_INTEGER)
                json_array_append_new(row, json_integer(db_column_int64(q, i)));
            else if (db_column_type(q, i) == DB_NULL)
                json_array_append_new(row, json_null());
            else
                json_array_append_new(row, json_string(db_column_text(q, i)));
        }
        json_array_append_new(arr, row);
    }
    done(q);
    return rc < 0 ? rc : 0;
}

#define TXN_REF                                                                \
    "coalesce(nullif(t.bank_ref, ''), t.provider || ':' || t.provider_txn_id)"
/* a bank transaction recorded for a closed day is booked on a later one */
#define TXN_LATE "t.report_date <> t.booking_date"
#define LATE_COL "CASE WHEN " TXN_LATE " THEN 1 ELSE 0 END"

/*
 * The rows of the daily reconciliation of `date` of `org` (see
 * store.h daily_rows), read in the caller's transaction: the bank side
 * as the active close froze it when the day is closed, live otherwise.
 */
static int rows_of_day(struct db *db, int64_t org, const char *date,
                       json_t **out)
{
    /* invoices issued by the end of the day, paid as of then (an
       allocation counts from its day on, until its payment is reversed);
       only those still owed then and those due that day are needed */
    static const char *const q_inv =
        "SELECT id, code, period, day, amount, pt, pc FROM"
        " (SELECT v.id, y.code, v.period, v.day, v.amount,"
        " coalesce(sum(CASE WHEN p.method = 'transfer' THEN a.amount END),"
        " 0) AS pt,"
        " coalesce(sum(CASE WHEN p.method = 'cash' THEN a.amount END), 0)"
        " AS pc FROM invoices v JOIN payers y ON y.id = v.payer_id"
        " LEFT JOIN allocations a ON a.invoice_id = v.id AND a.day <= ?2"
        " LEFT JOIN payments p ON p.id = a.payment_id AND"
        " (p.reversed_day IS NULL OR p.reversed_day > ?2)"
        " WHERE v.org_id = ?1 AND v.day <= ?2 GROUP BY v.id, y.id) x"
        " WHERE pt + pc < amount OR day = ?2 OR period = ?2"
        " OR period = substr(?2, 1, 7) ORDER BY id";
    static const char *const q_bank_live =
        "SELECT " TXN_REF ", t.amount, t.direction, t.state, t.outcome,"
        " " LATE_COL ", t.booked_at, t.balance, t.id FROM bank_txns t"
        " WHERE t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id";
    static const char *const q_bank_closed =
        "SELECT " TXN_REF ", t.amount, t.direction, s.state, s.outcome,"
        " " LATE_COL ", t.booked_at, t.balance, t.id FROM day_close_txns s"
        " JOIN bank_txns t ON t.id = s.txn_id WHERE s.close_id = ?3"
        " AND t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id";
    /* the ledger's side: payments booked from those transactions; late
       when the transaction is, or when the payment corrects another day */
    static const char *const q_ledger_live =
        "SELECT " TXN_REF ", p.amount, CASE WHEN " TXN_LATE " OR"
        " p.corrects_date IS NOT NULL THEN 1 ELSE 0 END FROM bank_txns t JOIN "
        "payments p ON p.id = t.payment_id"
        " WHERE t.org_id = ?1 AND t.report_date = ?2 ORDER BY t.id";
    static const char *const q_ledger_closed =
        "SELECT " TXN_REF ", s.ledger, s.ledger_late FROM day_close_txns s"
        " JOIN bank_txns t ON t.id = s.txn_id WHERE s.close_id = ?3"
        " AND t.org_id = ?1 AND t.report_date = ?2 AND s.ledger IS NOT NULL"
        " ORDER BY t.id";
    /* credit held at the end of the day: what payments dated by then
       (not reversed by then) kept unallocated, less refunds dated by
       then. Only an over-payment (flag 'over') ever holds any: every
       other payment is allocated in full when it is made. */
    static const char *const q_credit =
        "SELECT code, held FROM (SELECT y.code, sum(p.amount -"
        " coalesce((SELECT sum(a.amount) FROM"
        " allocations a WHERE a.payment_id = p.id AND a.day <= ?2), 0)"
        " - coalesce((SELECT sum(rp.amount) FROM refund_parts rp JOIN"
        " refunds r ON r.id = rp.refund_id WHERE rp.payment_id = p.id AND"
        " r.day <= ?2), 0)) AS held FROM payments p JOIN payers y"
        " ON y.id = p.payer_id WHERE p.org_id = ?1 AND p.flag = 'over'"
        " AND p.day <= ?2 AND (p.reversed_day IS NULL OR"
        " p.reversed_day > ?2) GROUP BY y.id) x WHERE held > 0"
        " ORDER BY code";
    /* a statement that covers exactly this day (booked and counted on
       it), with both balances */
    static const char *const q_stmt =
        "SELECT s.opening, s.closing FROM bank_statements s"
        " WHERE s.org_id = ?1 AND s.opening IS NOT NULL"
        " AND s.closing IS NOT NULL AND EXISTS (SELECT 1 FROM bank_txns t"
        " WHERE t.import_id = s.import_id AND t.org_id = ?1"
        " AND t.booking_date = ?2 AND t.report_date = ?2) AND NOT EXISTS"
        " (SELECT 1 FROM bank_txns t WHERE t.import_id = s.import_id"
        " AND t.org_id = ?1 AND (t.booking_date <> ?2 OR"
        " t.report_date <> ?2)) ORDER BY s.id DESC LIMIT 1";
    static const char *const q_corr =
        "SELECT c.id, c.kind, c.corrects_date, c.corrects, c.amount,"
        " coalesce(y.code, ''), c.reason FROM corrections c"
        " LEFT JOIN payers y ON y.id = c.payer_id"
        " WHERE c.org_id = ?1 AND c.day = ?2 ORDER BY c.id";
    json_t *inv = json_array(), *bank = json_array(), *ledger = json_array(),
           *credits = json_array(), *statement = json_array(),
           *corr = json_array(), *j = NULL;
    uint8_t h[CRYPTO_SHA256_LEN];
    char hex[2 * CRYPTO_SHA256_LEN + 1], *text = NULL;
    int64_t close_id = 0;
    int rc;

    rc = close_of(db, org, date, &close_id);
    if (rc == 0)
        rc = rows_into(db, q_inv, 2, org, date, close_id, inv);
    if (rc == 0)
        rc = rows_into(db, close_id ? q_bank_closed : q_bank_live,
                       close_id ? 3 : 2, org, date, close_id, bank);
    if (rc == 0)
        rc = rows_into(db, close_id ? q_ledger_closed : q_ledger_live,
                       close_id ? 3 : 2, org, date, close_id, ledger);
    if (rc == 0)
        rc = rows_into(db, q_credit, 2, org, date, close_id, credits);
    if (rc == 0)
        rc = rows_into(db, q_stmt, 2, org, date, close_id, statement);
    if (rc == 0)
        rc = rows_into(db, q_corr, 2, org, date, close_id, corr);
    if (rc != 0)
        goto out;
    j = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "invoices", inv, "bank",
                  bank, "ledger", ledger, "credits", credits, "statement",
                  json_array_size(statement) ? json_array_get(statement, 0)
                                             : json_null(),
                  "corrections", corr);
    text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    if (text == NULL || crypto_sha256(text, strlen(text), h) != 0) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    crypto_hex(h, sizeof(h), hex);
    json_object_set_new(j, "digest", json_string(hex));
    json_object_set_new(j, "closed", json_boolean(close_id != 0));
    *out = j;
    j = NULL;
out:
    free(text);
    json_decref(j);
    json_decref(inv);
    json_decref(bank);
    json_decref(ledger);
    json_decref(credits);
    json_decref(statement);
    json_decref(corr);
    return rc;
}

int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = rows_of_day(sqi_dbh(c), org_id, date, out);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}

/*
 * Run `sql` (built at run time) with its first `nparams` parameters of
 * ?1 org (0 all), ?2 province (NULL all), ?3/?4 the day range, and hand
 * each row to `row`; a non-zero return stops.
 */
static int scan_scoped(struct db *db, const char *sql, int nparams, int64_t org,
                       const char *province, const char *from, const char *to,
                       int (*row)(struct db_stmt *q,
                                  const struct store_adoption_sink *k),
                       const struct store_adoption_sink *k)
{
    struct db_stmt *q = db_prepare(db, sql);
    int rc;

    if (q == NULL)
        return sqi_db_error(db, -DB_E_SQL, "prepare");
    if (nparams >= 1)
        db_bind_int64(q, 1, org);
    if (province != NULL && nparams >= 2)
        db_bind_text(q, 2, province);
    if (nparams >= 4) {
        db_bind_text(q, 3, from);
        db_bind_text(q, 4, to);
    }
    while ((rc = step(db, q)) == 1) {
        rc = row(q, k);
        if (rc != 0)
            break;
    }
    db_finalize(q);
    return rc;
}

static const char *ctext(struct db_stmt *q, int i)
{
    const char *s = db_column_text(q, i);

    return s ? s : "";
}

static int org_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->org(k->ctx, db_column_int64(q, 0), ctext(q, 1), ctext(q, 2),
                  ctext(q, 3));
}

static int payer_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->payer(k->ctx, db_column_int64(q, 0), db_column_int64(q, 1),
                    (int)db_column_int64(q, 2), (int)db_column_int64(q, 3));
}

static int fee_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->fee(k->ctx, db_column_int64(q, 0), ctext(q, 1));
}

static int payment_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    int64_t day = 0; /* a day that is not one counts as 1970-01-01 */

    if (sqr_day_number(db_column_text(q, 1), &day) != 0)
        day = 0;
    return k->payment(k->ctx, db_column_int64(q, 0), (int32_t)day,
                      db_column_int64(q, 2), (int)db_column_int64(q, 3),
                      db_column_int64(q, 4));
}

int sqr_adoption_scan(struct store *st, int64_t org_id, const char *province,
                      const char *from, const char *to,
                      const struct store_adoption_sink *k)
{
    /* the scope written out, so that one organisation's rows come by its
       indexes: ?1 the organisation, ?2 the province */
    const char *scope = org_id != 0        ? "o.id = ?1"
                        : province != NULL ? "o.province = ?2"
                                           : "1 = 1";
    /* the parameters the scope names */
    int n_scope = org_id != 0 ? 1 : province != NULL ? 2 : 0;
    char q_orgs[256], q_payers[512], q_fees[256], q_pay[768];
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    int rc;

    snprintf(q_orgs, sizeof(q_orgs),
             "SELECT o.id, o.code, o.name, o.province FROM orgs o WHERE %s"
             " ORDER BY o.id",
             scope);
    snprintf(q_payers, sizeof(q_payers),
             "SELECT y.id, y.org_id, CASE WHEN y.bank_account <> '' AND"
             " y.bank_bin <> '' THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT"
             " 1 FROM standees s WHERE s.payer_id = y.id) THEN 1 ELSE 0 END"
             " FROM payers y JOIN orgs o ON o.id ="
             " y.org_id WHERE y.active = 1 AND %s ORDER BY y.id",
             scope);
    snprintf(q_fees, sizeof(q_fees),
             "SELECT f.id, f.code FROM fees f JOIN orgs o ON o.id ="
             " f.org_id WHERE %s ORDER BY f.id",
             scope);
    /* one record per payment on its day; its fee type is that of its
       first allocation (0 when it only went to credit), looked up only
       when the caller asks for fee types */
    snprintf(q_pay, sizeof(q_pay),
             "SELECT p.payer_id, p.day, p.amount, CASE WHEN p.method ="
             " 'transfer' THEN 1 ELSE 0 END, %s FROM payments"
             " p JOIN orgs o ON o.id = p.org_id WHERE %s AND p.day >= ?3"
             " AND p.day <= ?4 AND p.reversed_day IS NULL",
             k->fee == NULL ? "0"
                            : "coalesce((SELECT v.fee_id FROM allocations a"
                              " JOIN invoices v ON v.id = a.invoice_id"
                              " WHERE a.payment_id = p.id ORDER BY a.id"
                              " LIMIT 1), 0)",
             scope);
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = scan_scoped(db, q_orgs, n_scope, org_id, province, from, to, org_row,
                     k);
    if (rc == 0)
        rc = scan_scoped(db, q_payers, n_scope, org_id, province, from, to,
                         payer_row, k);
    if (rc == 0 && k->fee != NULL)
        rc = scan_scoped(db, q_fees, n_scope, org_id, province, from, to,
                         fee_row, k);
    if (rc == 0)
        rc = scan_scoped(db, q_pay, 4, org_id, province, from, to, payment_row,
                         k);
    sqi_end_read(c);
done:
    sqi_put_conn(s, c);
    return rc;
}

int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = stmt(db,
              "UPDATE orgs SET province = ?2, updated_at = ?3"
              " WHERE code = ?1 AND province <> ?2",
              &q);
    if (rc == 0) {
        db_bind_text(q, 1, org_code);
        db_bind_text(q, 2, province);
        db_bind_int64(q, 3, now);
        rc = step(db, q);
        done(q);
        q = NULL;
        if (rc == 0 && db_changes(db) != 1) {
            /* unchanged (nothing to audit) or no such organisation */
            rc = stmt(db, "SELECT 1 FROM orgs WHERE code = ?1", &q);
            if (rc == 0) {
                db_bind_text(q, 1, org_code);
                rc = step(db, q);
                done(q);
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
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = stmt(db,
              "INSERT INTO standees(org_id, payer_id, format, paper, actor,"
              " created_at) SELECT ?1, id, ?3, ?4, ?5, ?6 FROM payers"
              " WHERE org_id = ?1 AND code = ?2",
              &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, payer);
        db_bind_text(q, 3, format);
        db_bind_text(q, 4, paper);
        db_bind_text(q, 5, actor);
        db_bind_int64(q, 6, now);
        rc = step(db, q);
        if (rc == 0 && db_changes(db) != 1) {
            store_set_error("payer_not_found", "no payer %s", payer);
            rc = -STORE_E_NOT_FOUND;
        }
        done(q);
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
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    json_t *rows = json_array();
    char name[256] = "";
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = stmt(db, "SELECT name FROM orgs WHERE id = ?1", &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        rc = step(db, q);
        if (rc == 1)
            copy_col(q, 0, name, sizeof(name));
        else if (rc == 0) {
            store_set_error("org_not_found", "no such organisation");
            rc = -STORE_E_NOT_FOUND;
        }
        done(q);
        q = NULL;
    }
    if (rc >= 0)
        rc = stmt(db,
                  "SELECT code, name, bank_bin, bank_account FROM payers"
                  " WHERE org_id = ?1 AND active = 1"
                  " AND (CAST(?2 AS TEXT) IS NULL OR code = ?2) ORDER BY code",
                  &q);
    if (rc >= 0) {
        db_bind_int64(q, 1, org_id);
        if (payer != NULL)
            db_bind_text(q, 2, payer);
        while ((rc = step(db, q)) == 1)
            json_array_append_new(
                rows,
                json_pack("{s:s, s:s, s:s, s:s}", "code", db_column_text(q, 0),
                          "name", db_column_text(q, 1), "bank_bin",
                          db_column_text(q, 2), "bank_account",
                          db_column_text(q, 3)));
        done(q);
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
                  const char *totals, const char *digest, const char *actor,
                  int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char head[65] = "", obj[64];
    int64_t audit_id = 0, close_id = 0;
    json_t *rows = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = close_of(db, org_id, date, &close_id);
    if (rc == 0 && close_id != 0) {
        store_set_error("already_closed", "%s is already closed", date);
        rc = -STORE_E_CONFLICT;
    }
    /* the totals must describe the day as it is now, under the write
       lock: nothing can be dated that day between this and the commit */
    if (rc == 0)
        rc = rows_of_day(db, org_id, date, &rows);
    if (rc == 0 && strcmp(json_string_value(json_object_get(rows, "digest")),
                          digest) != 0) {
        store_set_error("changed_while_closing",
                        "%s changed while it was being closed", date);
        rc = -STORE_E_CONFLICT;
    }
    /* the audit entry of the close itself is the head it stores */
    snprintf(obj, sizeof(obj), "org:%lld/%s", (long long)org_id, date);
    if (rc == 0)
        rc = sqi_audit(c, now, actor, "day.close", obj,
                       json_pack("{s:s, s:s}", "date", date, "totals", totals));
    if (rc == 0)
        rc =
            stmt(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &q);
    if (rc == 0) {
        rc = step(db, q);
        if (rc == 1) {
            audit_id = db_column_int64(q, 0);
            copy_col(q, 1, head, sizeof(head));
            rc = 0;
        } else if (rc == 0) {
            rc = sqi_db_error(db, -DB_E_IO, "audit head");
        }
        done(q);
        q = NULL;
    }
    if (rc == 0)
        rc = stmt(db,
                  "INSERT INTO day_closes(org_id, day, closed_at, actor,"
                  " totals, audit_id, audit_head, bank_seq, version) VALUES"
                  " (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT coalesce(max(id), 0)"
                  " FROM bank_txns), 2) RETURNING id",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, date);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, actor);
        db_bind_text(q, 5, totals);
        db_bind_int64(q, 6, audit_id);
        db_bind_text(q, 7, head);
        rc = step(db, q);
        if (rc == 1) {
            close_id = db_column_int64(q, 0);
            rc = 0;
        } else if (rc == 0) {
            rc = sqi_db_error(db, -DB_E_IO, "day close id");
        }
        done(q);
        q = NULL;
    }
    /* freeze the bank side: each transaction's matching state and what
       the ledger booked from it, as the totals saw them */
    if (rc == 0)
        rc = stmt(db,
                  "INSERT INTO day_close_txns(close_id, txn_id, state, outcome,"
                  " ledger, ledger_late) SELECT ?1, t.id, t.state, t.outcome,"
                  " p.amount, CASE WHEN " TXN_LATE " OR p.corrects_date IS NOT"
                  " NULL THEN 1 ELSE 0 END FROM bank_txns t LEFT JOIN payments "
                  "p ON p.id ="
                  " t.payment_id WHERE t.org_id = ?2 AND t.report_date = ?3",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, close_id);
        db_bind_int64(q, 2, org_id);
        db_bind_text(q, 3, date);
        rc = step(db, q);
        done(q);
    }
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    json_decref(rows);
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
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char obj[64];
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = stmt(db,
              "UPDATE day_closes SET reopened_at = ?3, reopen_actor = ?4,"
              " reopen_reason = ?5 WHERE org_id = ?1 AND day = ?2 AND"
              " reopened_at IS NULL",
              &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, date);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, actor);
        db_bind_text(q, 5, reason);
        rc = step(db, q);
        done(q);
        if (rc == 0 && db_changes(db) != 1) {
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
    struct db *db = sqi_dbh(c);
    json_t *rows = json_array();
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = rows_into(db,
                       "SELECT d.id, o.code, d.org_id, d.day, d.totals,"
                       " d.audit_id, d.audit_head, coalesce((SELECT hash FROM"
                       " audit a WHERE a.id = d.audit_id), ''), d.bank_seq,"
                       " d.version FROM"
                       " day_closes d JOIN orgs o ON o.id = d.org_id"
                       " WHERE d.reopened_at IS NULL ORDER BY d.id",
                       0, 0, NULL, 0, rows);
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
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc == 0) {
        rc = stmt(db,
                  "SELECT 1 FROM day_closes WHERE org_id = ?1 AND day = ?2"
                  " AND reopened_at IS NULL",
                  &q);
        if (rc == 0) {
            db_bind_int64(q, 1, org_id);
            db_bind_text(q, 2, date);
            rc = step(db, q);
            if (rc >= 0) {
                *closed = rc == 1;
                rc = 0;
            }
            done(q);
        }
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}
