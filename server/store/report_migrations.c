/*
 * report_migrations.c: the schema of receipts and reports: migration 4
 * (receipts and their per-organisation counters, receipt signing keys,
 * provinces, standees, day closes), migration 8 (the day every record
 * counts on, corrections after a close, the bank side a close freezes) and
 * migration 14 (dating in C instead of triggers).
 */
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
 * (migration 7, bank_schema.c).
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

/*
 * Migration 15: why a day was closed with items still open (a close
 * without open items has no row), and the parts of a bank transfer split
 * across payers (one transfer payment each, in the order given). Written
 * so that running it again changes nothing.
 */
const char *const sqi_migration_close_guard[] = {
    "CREATE TABLE IF NOT EXISTS day_close_reasons("
    " close_id INTEGER PRIMARY KEY REFERENCES day_closes(id),"
    " reason TEXT NOT NULL);",
    "CREATE TABLE IF NOT EXISTS bank_txn_parts("
    " payment_id INTEGER PRIMARY KEY REFERENCES payments(id),"
    " txn_id INTEGER NOT NULL REFERENCES bank_txns(id),"
    " position INTEGER NOT NULL);",
    "CREATE UNIQUE INDEX IF NOT EXISTS bank_txn_parts_txn ON"
    " bank_txn_parts(txn_id, position);",
    NULL,
};
