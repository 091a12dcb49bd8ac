/*
 * bank.c: bank confirmation: the webhook journal, bank transactions recorded
 * once however they arrive (provider id, then cross-channel pairing), the
 * matching engine's decisions and their ledger effects, held transfers for
 * reserved codes, the review queue. Every decision runs inside one write
 * transaction with its audit entry; see docs/architecture.md ("The payment
 * path").
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "match.h"
#include "money.h"
#include "store_int.h"

/* A journal entry nobody authenticated: what a stranger can leave. */
#define JOURNAL_UNVERIFIED                                                     \
    "state IN ('rejected', 'invalid') AND verified <> 'ok'"

/* Migration 3: bank confirmation (issue 4). */
const char *const sqi_migration3[] = {
    "CREATE TABLE bank_secrets("
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " provider TEXT NOT NULL CHECK (provider IN"
    "  ('sepay','casso','payos','generic')),"
    " api_key TEXT NOT NULL DEFAULT '',"
    " hmac_key TEXT NOT NULL DEFAULT '',"
    " updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (org_id, provider)) WITHOUT ROWID;",
    "CREATE TABLE bank_journal("
    " id INTEGER PRIMARY KEY,"
    " provider TEXT NOT NULL,"
    " org_id INTEGER REFERENCES orgs(id),"
    " received_at INTEGER NOT NULL,"
    " headers TEXT NOT NULL,"
    " body BLOB NOT NULL,"
    " verified TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN"
    "  ('received','processed','rejected','invalid')),"
    " detail TEXT NOT NULL DEFAULT '',"
    " processed_at INTEGER);",
    "CREATE INDEX bank_journal_received ON bank_journal(id)"
    " WHERE state = 'received';",
    "CREATE TABLE bank_imports("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " actor TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);",
    "CREATE TABLE bank_statements("
    " id INTEGER PRIMARY KEY,"
    " import_id INTEGER NOT NULL REFERENCES bank_imports(id),"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " format TEXT NOT NULL,"
    " stmt_id TEXT NOT NULL,"
    " sequence TEXT NOT NULL,"
    " account TEXT NOT NULL,"
    " currency TEXT NOT NULL,"
    " opening INTEGER,"
    " closing INTEGER,"
    " credits INTEGER NOT NULL,"
    " debits INTEGER NOT NULL,"
    " n_credits INTEGER NOT NULL,"
    " n_debits INTEGER NOT NULL,"
    " n_skipped INTEGER NOT NULL,"
    " balance_check TEXT NOT NULL,"
    " check_message TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);",
    "CREATE TABLE bank_txns("
    " id INTEGER PRIMARY KEY,"
    " org_id INTEGER NOT NULL REFERENCES orgs(id),"
    " provider TEXT NOT NULL,"
    " provider_txn_id TEXT NOT NULL,"
    " channel TEXT NOT NULL CHECK (channel IN ('webhook','statement')),"
    " journal_id INTEGER REFERENCES bank_journal(id),"
    " import_id INTEGER REFERENCES bank_imports(id),"
    " account TEXT NOT NULL,"
    " direction TEXT NOT NULL CHECK (direction IN ('credit','debit')),"
    " amount INTEGER NOT NULL CHECK (amount >= 0),"
    " currency TEXT NOT NULL,"
    " booking_date TEXT NOT NULL,"
    " booked_at TEXT NOT NULL,"
    " bank_ref TEXT NOT NULL,"
    " ref_key TEXT NOT NULL,"
    " code TEXT NOT NULL,"
    " codes TEXT NOT NULL,"
    " description TEXT NOT NULL,"
    " counter_name TEXT NOT NULL,"
    " counter_account TEXT NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('matched','unmatched',"
    "  'ambiguous','duplicate','ignored','rejected')),"
    " outcome TEXT NOT NULL DEFAULT '',"
    " reason TEXT NOT NULL DEFAULT '',"
    " duplicate_of INTEGER REFERENCES bank_txns(id),"
    " confirmed INTEGER NOT NULL DEFAULT 0,"
    " payment_id INTEGER REFERENCES payments(id),"
    " intent_id INTEGER REFERENCES intents(id),"
    " suggestions TEXT NOT NULL DEFAULT '[]',"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " UNIQUE (org_id, provider, provider_txn_id));",
    "CREATE INDEX bank_txns_ref ON bank_txns(org_id, ref_key, amount);",
    "CREATE INDEX bank_txns_code ON bank_txns(org_id, code, amount,"
    " booking_date, ref_key);",
    "CREATE INDEX bank_txns_state ON bank_txns(org_id, state, id);",
    "CREATE INDEX bank_txns_held ON bank_txns(org_id, code)"
    " WHERE state = 'unmatched';",
    "CREATE INDEX bank_txns_dup ON bank_txns(duplicate_of);",
    NULL,
};

/*
 * Migration 7 (issue 6): the provider's running balance after each
 * transaction (NULL when it gave none), the bank-side proof of the daily
 * report; and the day a transaction counts on in the reports: its
 * booking date, or, when that day was already closed when it came, the
 * first open day after (a late transaction, listed as a correction).
 */
const char *const sqi_migration7[] = {
    "ALTER TABLE bank_txns ADD COLUMN balance INTEGER;",
    "ALTER TABLE bank_txns ADD COLUMN report_date TEXT NOT NULL DEFAULT '';",
    "UPDATE bank_txns SET report_date = booking_date;",
    "CREATE INDEX bank_txns_day ON bank_txns(org_id, report_date, id);",
    NULL,
};

/*
 * The transfer identity: what the rule of docs/matching.md compares,
 * computed at ingestion and stored with every record: the bank reference
 * key (placeholders such as NONREF count as none), the position of a camt
 * TxDtls inside a batched entry, the content key (payment code or folded
 * description), the counter-account key, and the record's source (the
 * provider for a webhook, "imp:<import id>" for a statement row).
 * Existing rows are filled in from what they hold.
 */
const char *const sqi_migration_identity[] = {
    "ALTER TABLE bank_txns ADD COLUMN pos INTEGER NOT NULL DEFAULT 0;",
    "ALTER TABLE bank_txns ADD COLUMN desc_key TEXT NOT NULL DEFAULT '';",
    "ALTER TABLE bank_txns ADD COLUMN counter_key TEXT NOT NULL DEFAULT '';",
    "ALTER TABLE bank_txns ADD COLUMN source TEXT NOT NULL DEFAULT '';",
    "UPDATE bank_txns SET ref_key = chopay_transfer_ref(bank_ref),"
    " desc_key = chopay_desc_key(codes, description),"
    " counter_key = chopay_counter_key(counter_account),"
    " source = CASE WHEN channel = 'webhook' THEN provider"
    " ELSE 'imp:' || coalesce(import_id, 0) END,"
    " pos = CASE WHEN provider = 'camt' AND bank_ref <> '' AND"
    " substr(provider_txn_id, 1, length(bank_ref) + 1) = bank_ref || '/'"
    " THEN CAST(substr(provider_txn_id, length(bank_ref) + 2) AS INTEGER)"
    " ELSE 0 END;",
    "CREATE INDEX bank_txns_content ON bank_txns(org_id, amount,"
    " booking_date, desc_key);",
    NULL,
};

/*
 * The index that keeps bounding the journal's unverified entries cheap
 * (sqb_journal_add, sqb_journal_prune); running it again changes nothing.
 */
const char *const sqi_migration_journal_bounds[] = {
    "CREATE INDEX IF NOT EXISTS bank_journal_unverified ON bank_journal(id)"
    " WHERE " JOURNAL_UNVERIFIED ";",
    NULL,
};

/* chopay_transfer_ref(bank_ref): match_transfer_ref, for SQL. */
static int fn_transfer_ref(const char *const *args, int nargs, char *out,
                           size_t cap)
{
    char key[MATCH_KEY_MAX];

    (void)nargs;
    match_transfer_ref(args[0] ? args[0] : "", key, sizeof(key));
    snprintf(out, cap, "%s", key);
    return 0;
}

/* chopay_desc_key(codes, description): the content key from the codes
 * found at ingestion (space-separated, the first counts). */
static int fn_desc_key(const char *const *args, int nargs, char *out,
                       size_t cap)
{
    const char *codes = args[0];
    char first[PAYREF_MAX + 1] = "";
    size_t k = 0;
    char *key;

    (void)nargs;
    while (codes != NULL && codes[k] != '\0' && codes[k] != ' ' &&
           k < PAYREF_MAX) {
        first[k] = codes[k];
        k++;
    }
    first[k] = '\0';
    key = match_desc_key(first, args[1]);
    if (key == NULL)
        return -DB_E_NOMEM;
    snprintf(out, cap, "%s", key);
    free(key);
    return 0;
}

/* chopay_counter_key(account): match_counter_key, for SQL. */
static int fn_counter_key(const char *const *args, int nargs, char *out,
                          size_t cap)
{
    char key[FEEDS_ACCOUNT_MAX];

    (void)nargs;
    match_counter_key(args[0] ? args[0] : "", key, sizeof(key));
    snprintf(out, cap, "%s", key);
    return 0;
}

int sqi_bank_functions(struct db *db)
{
    static const struct {
        const char *name;
        int nargs;
        int (*fn)(const char *const *, int, char *, size_t);
    } fns[] = {
        {"chopay_transfer_ref", 1, fn_transfer_ref},
        {"chopay_desc_key", 2, fn_desc_key},
        {"chopay_counter_key", 1, fn_counter_key},
    };
    size_t i;
    int rc;

    if (db_backend(db) != DB_SQLITE)
        return 0; /* only SQLite's older migrations use them */
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        rc = db_function_text(db, fns[i].name, fns[i].nargs, fns[i].fn);
        if (rc != 0)
            return sqi_db_error(db, rc, "functions");
    }
    return 0;
}

/* ---- statements ---------------------------------------------------------- */

enum b {
    B_ORGS,
    B_ORG_PREFIX,
    B_SECRET_PUT,
    B_SECRET_GET,
    B_JOURNAL_ADD,
    B_JOURNAL_PENDING,
    B_JOURNAL_SET,
    B_JOURNAL_KEEP,
    B_JOURNAL_AGE,
    B_JOURNAL_BYTES,
    B_IMPORT_ADD,
    B_TXN_INSERT,
    B_TXN_BY_KEY,
    B_CANDIDATES,
    B_SIGNATURE,
    B_SET_DUP,
    B_CONFIRM,
    B_SET_STATE,
    B_SET_MATCHED,
    B_INTENT_BY_CODE,
    B_RESERVED,
    B_SUGG_INTENTS,
    B_SUGG_INVOICES,
    B_PAYERS,
    B_STMT_ADD,
    B_HELD,
    B_LIST,
    B_GET,
    B_AUDIT_OF,
    B_PAYER_ID,
    B_CLEAR_PAYMENT,
    B_LATE_OF,
    B_CORRECTS_DATE,
    B_PAY_CLOSED_DAY,
    B_PAY_TO_REVERSE,
    B_CREDIT_TAKE,
    B_INVOICES_GIVE_BACK,
    B_PAY_REVERSED,
    B_RECEIPT_VOID,
    B_MATCHED_PAY,
    B__COUNT
};

#define TXN_COLS                                                               \
    "id, provider, provider_txn_id, channel, account, direction, amount,"      \
    " currency, booking_date, booked_at, bank_ref, code, description,"         \
    " counter_name, counter_account, state, outcome, reason, duplicate_of,"    \
    " confirmed, payment_id, intent_id, suggestions, journal_id, import_id,"   \
    " created_at, updated_at, report_date, balance"

static const char *const bsql[B__COUNT] = {
    [B_ORGS] = "SELECT id, code FROM orgs WHERE account = ?1"
               " AND (?2 = '' OR bank_bin = ?2) LIMIT 2",
    [B_ORG_PREFIX] = "SELECT prefix FROM orgs WHERE id = ?1",
    [B_SECRET_PUT] = "INSERT INTO bank_secrets(org_id, provider, api_key,"
                     " hmac_key, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)"
                     " ON CONFLICT (org_id, provider) DO UPDATE SET"
                     " api_key = ?3, hmac_key = ?4, updated_at = ?5",
    [B_SECRET_GET] = "SELECT api_key, hmac_key FROM bank_secrets"
                     " WHERE org_id = ?1 AND provider = ?2",
    [B_JOURNAL_ADD] = "INSERT INTO bank_journal(provider, org_id,"
                      " received_at, headers, body, verified, state, detail)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                      " RETURNING id",
    [B_JOURNAL_PENDING] = "SELECT id, provider, coalesce(org_id, 0), body"
                          " FROM bank_journal WHERE state = 'received'"
                          " ORDER BY id LIMIT ?1",
    [B_JOURNAL_SET] = "UPDATE bank_journal SET state = ?2, detail = ?3,"
                      " processed_at = ?4 WHERE id = ?1",
    /* unverified entries: the condition of index bank_journal_unverified;
       those older than the newest ?1 of them go */
    [B_JOURNAL_KEEP] =
        "DELETE FROM bank_journal WHERE " JOURNAL_UNVERIFIED
        " AND id <= coalesce((SELECT id FROM bank_journal"
        " WHERE " JOURNAL_UNVERIFIED " ORDER BY id DESC LIMIT 1 OFFSET ?1), 0)",
    [B_JOURNAL_AGE] = "DELETE FROM bank_journal WHERE " JOURNAL_UNVERIFIED
                      " AND received_at < ?1",
    [B_JOURNAL_BYTES] = "DELETE FROM bank_journal WHERE id IN (SELECT id FROM"
                        " (SELECT id, sum(length(headers) + length(body) +"
                        " length(detail)) OVER (ORDER BY id DESC) AS total"
                        " FROM bank_journal WHERE " JOURNAL_UNVERIFIED ") w"
                        " WHERE total > ?1)",
    [B_IMPORT_ADD] = "INSERT INTO bank_imports(kind, actor, created_at)"
                     " VALUES (?1, ?2, ?3) RETURNING id",
    [B_TXN_INSERT] =
        "INSERT INTO bank_txns(org_id, provider, provider_txn_id, channel,"
        " journal_id, import_id, account, direction, amount, currency,"
        " booking_date, booked_at, bank_ref, ref_key, code, codes,"
        " description, counter_name, counter_account, state, reason,"
        " created_at, updated_at, balance, report_date, pos, desc_key,"
        " counter_key, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 'unmatched',"
        " 'new', ?20, ?20, ?21, ?22, ?23, ?24, ?25, ?26)"
        " ON CONFLICT (org_id, provider, provider_txn_id) DO NOTHING"
        " RETURNING id",
    [B_TXN_BY_KEY] = "SELECT id, state, coalesce(duplicate_of, 0)"
                     " FROM bank_txns WHERE org_id = ?1 AND provider = ?2"
                     " AND provider_txn_id = ?3",
    /* the transfers (by primary id, oldest first) that record ?5 may be
       another record of: a record of theirs is compatible with it (the
       same reference, or, a reference missing on one side, the same day,
       content and counter-account), none of their records contradicts it
       (another reference, another counter-account, another position in
       a batch of the same reference) and none comes from its source ?11;
       by_ref 1 when compatible by reference */
    [B_CANDIDATES] =
        "SELECT c.tr, max(c.by_ref) FROM ("
        " SELECT coalesce(x.duplicate_of, x.id) AS tr, 1 AS by_ref"
        " FROM bank_txns x WHERE ?6 <> '' AND x.org_id = ?1"
        " AND x.ref_key = ?6 AND x.amount = ?2 AND x.direction = ?3"
        " AND x.currency = ?4 AND x.id <> ?5"
        " AND (?7 = 0 OR x.pos = 0 OR x.pos = ?7)"
        " UNION ALL"
        " SELECT coalesce(x.duplicate_of, x.id), 0"
        " FROM bank_txns x WHERE x.org_id = ?1 AND x.amount = ?2"
        " AND x.booking_date = ?8 AND x.desc_key = ?9 AND x.direction = ?3"
        " AND x.currency = ?4 AND x.id <> ?5 AND (?6 = '' OR x.ref_key = '')"
        " AND (?10 = '' OR x.counter_key = '' OR x.counter_key = ?10)) c"
        " WHERE NOT EXISTS (SELECT 1 FROM bank_txns y WHERE y.id = c.tr"
        " AND y.source = ?11) AND NOT EXISTS (SELECT 1 FROM bank_txns y"
        " WHERE y.duplicate_of = c.tr AND y.source = ?11)"
        " AND NOT EXISTS (SELECT 1 FROM bank_txns y"
        " WHERE (y.id = c.tr OR y.duplicate_of = c.tr) AND ("
        " (?6 <> '' AND y.ref_key <> '' AND y.ref_key <> ?6)"
        " OR (?10 <> '' AND y.counter_key <> '' AND y.counter_key <> ?10)"
        " OR (?6 <> '' AND y.ref_key = ?6 AND ?7 <> 0 AND y.pos <> 0"
        " AND y.pos <> ?7)))"
        " GROUP BY c.tr ORDER BY c.tr",
    /* what tells transfer ?1 apart: its records' references and
       counter-accounts, distinct, in order */
    [B_SIGNATURE] =
        "SELECT 'R' || ref_key FROM bank_txns WHERE (id = ?1 OR"
        " duplicate_of = ?1) AND ref_key <> '' UNION SELECT 'C' ||"
        " counter_key FROM bank_txns WHERE (id = ?1 OR duplicate_of = ?1)"
        " AND counter_key <> '' ORDER BY 1",
    [B_SET_DUP] = "UPDATE bank_txns SET state = 'duplicate', duplicate_of ="
                  " ?2, reason = ?3, confirmed = ?4, updated_at = ?5"
                  " WHERE id = ?1",
    [B_CONFIRM] = "UPDATE bank_txns SET confirmed = 1, updated_at = ?2"
                  " WHERE id = ?1",
    [B_SET_STATE] = "UPDATE bank_txns SET state = ?2, outcome = ?3,"
                    " reason = ?4, code = ?5, suggestions = ?6,"
                    " updated_at = ?7 WHERE id = ?1",
    [B_SET_MATCHED] = "UPDATE bank_txns SET state = 'matched', outcome = ?2,"
                      " reason = ?3, code = ?4, payment_id = ?5,"
                      " intent_id = nullif(?6, 0), suggestions = '[]',"
                      " updated_at = ?7 WHERE id = ?1",
    [B_INTENT_BY_CODE] = "SELECT id FROM intents WHERE code = ?1"
                         " AND org_id = ?2",
    [B_RESERVED] = "SELECT intent_id FROM reserved_codes WHERE code = ?1"
                   " AND org_id = ?2",
    [B_SUGG_INTENTS] =
        "SELECT t.id, t.code, p.code, p.name,"
        " CASE WHEN t.created_at >= ?3 AND t.created_at < ?4"
        " THEN 1 ELSE 0 END"
        " FROM intents t JOIN payers p ON p.id = t.payer_id"
        " WHERE t.org_id = ?1 AND t.status IN ('pending', 'partial')"
        " AND t.amount - t.paid = ?2 ORDER BY t.id DESC LIMIT 5",
    [B_SUGG_INVOICES] =
        "SELECT p.code, p.name, i.id FROM invoices i"
        " JOIN payers p ON p.id = i.payer_id WHERE i.org_id = ?1"
        " AND i.amount - i.paid = ?2 ORDER BY i.id LIMIT 5",
    [B_PAYERS] = "SELECT code, name, guardian FROM payers"
                 " WHERE org_id = ?1 AND active = 1",
    [B_STMT_ADD] =
        "INSERT INTO bank_statements(import_id, org_id, format, stmt_id,"
        " sequence, account, currency, opening, closing, credits, debits,"
        " n_credits, n_debits, n_skipped, balance_check, check_message,"
        " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
        " ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    [B_HELD] = "SELECT id, amount, provider FROM bank_txns"
               " WHERE org_id = ?1 AND code = ?2 AND state = 'unmatched'"
               " AND reason = 'reserved_unclaimed' AND direction = 'credit'"
               " ORDER BY booking_date, booked_at, provider, provider_txn_id",
    [B_LIST] = "SELECT " TXN_COLS " FROM bank_txns WHERE org_id = ?1"
               " AND (CAST(?2 AS TEXT) IS NULL OR state = ?2) AND id > ?3"
               " AND created_at >= ?5 ORDER BY id LIMIT ?4",
    [B_GET] = "SELECT " TXN_COLS " FROM bank_txns WHERE org_id = ?1"
              " AND id = ?2",
    [B_AUDIT_OF] = "SELECT at, actor, action, detail FROM audit"
                   " WHERE object = ?1 ORDER BY id",
    [B_PAYER_ID] = "SELECT id FROM payers WHERE org_id = ?1 AND code = ?2",
    [B_CLEAR_PAYMENT] = "UPDATE bank_txns SET payment_id = NULL,"
                        " intent_id = NULL WHERE id = ?1",
    [B_LATE_OF] = "SELECT t.state, coalesce(t.payment_id, 0),"
                  " coalesce(p.payer_id, 0) FROM bank_txns t LEFT JOIN"
                  " payments p ON p.id = t.payment_id WHERE t.id = ?1",
    [B_CORRECTS_DATE] = "UPDATE payments SET corrects_date = ?2 WHERE id = ?1",
    /* the earliest closed day among payment ?1's day and its
       allocations' days */
    [B_PAY_CLOSED_DAY] =
        "SELECT p.day FROM payments p WHERE p.id = ?1 AND EXISTS (SELECT 1"
        " FROM day_closes d WHERE d.org_id = p.org_id AND d.day = p.day"
        " AND d.reopened_at IS NULL) UNION ALL SELECT a.day FROM"
        " allocations a JOIN payments p ON p.id = a.payment_id"
        " WHERE a.payment_id = ?1 AND EXISTS (SELECT 1 FROM day_closes d"
        " WHERE d.org_id = p.org_id AND d.day = a.day AND"
        " d.reopened_at IS NULL) ORDER BY 1 LIMIT 1",
    [B_PAY_TO_REVERSE] = "SELECT payer_id, amount, unallocated,"
                         " coalesce(intent_id, 0), CASE WHEN EXISTS (SELECT 1"
                         " FROM refund_parts WHERE payment_id = ?1) THEN 1"
                         " ELSE 0 END FROM payments WHERE id = ?1"
                         " AND method = 'transfer' AND reversed_day IS NULL",
    [B_CREDIT_TAKE] = "UPDATE payers SET credit = credit - ?2 WHERE id = ?1"
                      " AND credit >= ?2",
    [B_INVOICES_GIVE_BACK] =
        "UPDATE invoices SET paid = paid - (SELECT sum(a.amount) FROM"
        " allocations a WHERE a.invoice_id = invoices.id AND"
        " a.payment_id = ?1) WHERE id IN (SELECT invoice_id FROM"
        " allocations WHERE payment_id = ?1)",
    /* kept, reversed from day ?2 on; its bank reference freed */
    [B_PAY_REVERSED] = "UPDATE payments SET unallocated = 0,"
                       " reversed_day = ?2, reference ="
                       " coalesce(reference, '') || '~' || id WHERE id = ?1",
    [B_RECEIPT_VOID] = "UPDATE receipts SET voided_at = ?2"
                       " WHERE payment_id = ?1 AND voided_at IS NULL",
    [B_MATCHED_PAY] = "SELECT p.id, p.payer_id, p.amount FROM bank_txns t"
                      " JOIN payments p ON p.id = t.payment_id"
                      " WHERE t.id = ?1",
};

/* The cached statement `id`, reset and unbound; NULL on failure (the
 * store's error is set). */
static struct db_stmt *bq(struct sqi_conn *c, enum b id)
{
    struct db_stmt *st = db_q(sqi_dbh(c), bsql[id]);

    if (st == NULL)
        sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    return st;
}

static void bt(struct db_stmt *st, int i, const char *s)
{
    db_bind_text(st, i, s);
}

static void bi(struct db_stmt *st, int i, int64_t v)
{
    db_bind_int64(st, i, v);
}

/* 1 row, 0 done, negative error (a constraint or a guard:
 * -STORE_E_CONFLICT with the database's message). */
static int bstep(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc < 0 ? sqi_db_error(sqi_dbh(c), rc, "step") : rc;
}

static int bexec(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = bstep(c, st);

    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Run an INSERT ... RETURNING id: *id the new row's id, 0 when it
 * inserted nothing (ON CONFLICT DO NOTHING). 0 or negative error. */
static int binsert(struct sqi_conn *c, struct db_stmt *st, int64_t *id)
{
    int64_t v = 0;
    int rc = bstep(c, st);

    if (rc == 1) {
        v = db_column_int64(st, 0);
        rc = bstep(c, st);
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    *id = v;
    return 0;
}

static const char *ctext(struct db_stmt *st, int i)
{
    const char *s = db_column_text(st, i);

    return s ? s : "";
}

/* ---- accounts, secrets, journal ------------------------------------------ */

/*
 * The organisation whose collecting account `account` names, on
 * connection c (docs/matching.md, "Which organisation"): the same
 * normalised account number, and the same BIN when `account` carries one.
 * *org and code (32 bytes, may be NULL) on success; -STORE_E_NOT_FOUND
 * (unknown_account) when none, -STORE_E_CONFLICT (ambiguous_account)
 * when `account` has no BIN and organisations at different banks hold it.
 */
static int org_of_account(struct sqi_conn *c, const char *account, int64_t *org,
                          char *code)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];
    struct db_stmt *st;
    int64_t id = 0;
    int rc, n = 0;

    if (account_normalise(account, bin, key, sizeof(key)) != 0) {
        store_set_error("unknown_account", "no account number");
        return -STORE_E_NOT_FOUND;
    }
    st = bq(c, B_ORGS);
    if (st == NULL)
        return -STORE_E_IO;
    bt(st, 1, key);
    bt(st, 2, bin);
    while ((rc = bstep(c, st)) == 1) {
        if (n++ == 0) {
            id = db_column_int64(st, 0);
            if (code != NULL)
                snprintf(code, 32, "%s", ctext(st, 1));
        }
    }
    db_reset(st);
    if (rc != 0)
        return rc;
    if (n == 0) {
        store_set_error("unknown_account",
                        "account '%s' is no organisation's collecting account",
                        account);
        return -STORE_E_NOT_FOUND;
    }
    if (n > 1) {
        store_set_error("ambiguous_account",
                        "account '%s' is held by organisations at different"
                        " banks; it needs its BIN (970436/...)",
                        account);
        return -STORE_E_CONFLICT;
    }
    *org = id;
    return 0;
}

int sqb_account_org(struct store *base, const char *account, int64_t *org_id,
                    char *code)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = org_of_account(c, account, org_id, code);

    sqi_put_conn(s, c);
    return rc;
}

static int provider_ok(const char *p)
{
    return p != NULL && (strcmp(p, "sepay") == 0 || strcmp(p, "casso") == 0 ||
                         strcmp(p, "payos") == 0 || strcmp(p, "generic") == 0);
}

int sqb_secret_put(struct store *base, int64_t org_id, const char *provider,
                   const char *api_key, const char *hmac_key, const char *actor)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st;
    int rc;

    if (!provider_ok(provider)) {
        store_set_error("invalid_provider", "unknown provider");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    st = bq(c, B_SECRET_PUT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, org_id);
    bt(st, 2, provider);
    bt(st, 3, api_key ? api_key : "");
    bt(st, 4, hmac_key ? hmac_key : "");
    bi(st, 5, now);
    rc = bexec(c, st);
    if (rc != 0)
        goto done;
    /* the audit log never holds the secrets themselves */
    rc = sqi_audit(c, now, actor, "bank.secret", provider,
                   json_pack("{s:I, s:b, s:b}", "org", (json_int_t)org_id,
                             "api_key", api_key && *api_key, "hmac_key",
                             hmac_key && *hmac_key));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqb_secret_get(struct store *base, int64_t org_id, const char *provider,
                   char *api_key, size_t ak_cap, char *hmac_key, size_t hk_cap)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = bq(c, B_SECRET_GET);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, org_id);
        bt(st, 2, provider);
        rc = bstep(c, st);
        if (rc >= 0) {
            snprintf(api_key, ak_cap, "%s", rc == 1 ? ctext(st, 0) : "");
            snprintf(hmac_key, hk_cap, "%s", rc == 1 ? ctext(st, 1) : "");
            rc = 0;
        }
        db_reset(st);
    }
    sqi_put_conn(s, c);
    return rc;
}

int sqb_journal_add(struct store *base, const struct store_journal *j,
                    int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    st = bq(c, B_JOURNAL_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bt(st, 1, j->provider);
    if (j->org_id > 0)
        bi(st, 2, j->org_id);
    bi(st, 3, j->now);
    bt(st, 4, j->headers);
    db_bind_blob(st, 5, j->body, j->len);
    bt(st, 6, j->verified);
    bt(st, 7, j->state);
    bt(st, 8, j->detail ? j->detail : "");
    rc = binsert(c, st, id);
    if (rc == 0 && j->keep > 0 && strcmp(j->verified, "ok") != 0 &&
        strcmp(j->state, "received") != 0) {
        /* a stranger's entry: only the newest `keep` of them stay */
        st = bq(c, B_JOURNAL_KEEP);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, j->keep);
        rc = bexec(c, st);
    }
done:
    /* COMMIT with synchronous=FULL: on disk when this returns 0 */
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqb_journal_pending(struct store *base, int64_t limit, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = bq(c, B_JOURNAL_PENDING);
    json_t *a = json_array();
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, limit);
        while ((rc = bstep(c, st)) == 1)
            json_array_append_new(
                a, json_pack("{s:I, s:s, s:I, s:s%}", "id",
                             (json_int_t)db_column_int64(st, 0), "provider",
                             ctext(st, 1), "org_id",
                             (json_int_t)db_column_int64(st, 2), "body",
                             (const char *)db_column_blob(st, 3)
                                 ? (const char *)db_column_blob(st, 3)
                                 : "",
                             db_column_bytes(st, 3)));
        db_reset(st);
    }
    if (rc == 0)
        *out = a;
    else
        json_decref(a);
    sqi_put_conn(s, c);
    return rc;
}

int sqb_journal_prune(struct store *base,
                      const struct store_journal_limits *lim, int64_t now,
                      int64_t *removed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    static const int which[] = {B_JOURNAL_AGE, B_JOURNAL_KEEP, B_JOURNAL_BYTES};
    int64_t bound[3], n = 0;
    size_t i;
    int rc;

    bound[0] = lim->max_age > 0 ? now - lim->max_age : 0;
    bound[1] = lim->max_entries;
    bound[2] = lim->max_bytes;
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    for (i = 0; i < 3 && rc == 0; i++) {
        struct db_stmt *st;

        if (bound[i] <= 0)
            continue;
        st = bq(c, which[i]);
        if (st == NULL) {
            rc = -STORE_E_IO;
            break;
        }
        bi(st, 1, bound[i]);
        rc = bexec(c, st);
        if (rc == 0)
            n += db_changes(sqi_dbh(c));
    }
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && removed != NULL)
        *removed = n;
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqb_journal_fail(struct store *base, int64_t id, const char *detail)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    st = bq(c, B_JOURNAL_SET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, id);
    bt(st, 2, "invalid");
    bt(st, 3, detail);
    bi(st, 4, (int64_t)time(NULL));
    rc = bexec(c, st);
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

/* ---- batches ------------------------------------------------------------- */

/* A payer of the org, folded, for name suggestions. */
struct bpayer {
    char code[24];
    char name[160];     /* original */
    char folded[160];   /* match_fold_name(name) */
    char guardian[160]; /* match_fold_name(guardian) */
};

struct store_bank {
    struct sq *s;            /* the store */
    struct sqi_conn *c;      /* the connection holding the transaction */
    char actor[48];          /* for the audit log */
    int64_t now;             /* batch time */
    int64_t import_id;       /* 0 for webhooks */
    int rc;                  /* sticky error */
    int64_t org;             /* org whose prefix/payers are cached */
    char prefix[8];          /* its payment-code prefix */
    struct bpayer *payers;   /* its payers, loaded on first need */
    size_t n_payers;         /* count */
    int payers_loaded;       /* 1 once loaded */
    int64_t n_rows;          /* statement rows of this import so far */
    int64_t n_new, n_replay; /* counts for the summary */
    int64_t n_matched, n_unmatched, n_dup, n_ignored, n_ambiguous;
    int64_t n_stmts, n_bal_mismatch;
    json_t *checks;                       /* statements' balance checks */
    char last_account[FEEDS_ACCOUNT_MAX]; /* account last resolved */
    int64_t last_org;                     /* its organisation */
    int64_t rd_org;                       /* org of the booking date ... */
    char rd_booking[FEEDS_ID_MAX];        /* ... last looked up ... */
    char rd_date[11];                     /* ... and the day it counts on */
};

int sqb_begin(struct store *base, const char *actor, int64_t now,
              const char *import_kind, struct store_bank **out)
{
    struct sq *s = (struct sq *)base;
    struct store_bank *b = calloc(1, sizeof(*b));
    struct db_stmt *st;
    int rc;

    if (b == NULL)
        return -STORE_E_IO;
    b->s = s;
    b->c = sqi_get_conn(s);
    b->now = now;
    b->checks = json_array();
    snprintf(b->actor, sizeof(b->actor), "%s", actor);
    rc = sqi_begin_write(s, b->c);
    if (rc != 0) {
        sqi_put_conn(s, b->c);
        json_decref(b->checks);
        free(b);
        return rc;
    }
    if (import_kind != NULL) {
        st = bq(b->c, B_IMPORT_ADD);
        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            bt(st, 1, import_kind);
            bt(st, 2, actor);
            bi(st, 3, now);
            rc = binsert(b->c, st, &b->import_id);
        }
        b->rc = rc;
    }
    *out = b;
    return 0;
}

static int load_org(struct store_bank *b, int64_t org)
{
    struct db_stmt *st;
    int rc;

    if (b->org == org)
        return 0;
    st = bq(b->c, B_ORG_PREFIX);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    rc = bstep(b->c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation %lld",
                            (long long)org);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    snprintf(b->prefix, sizeof(b->prefix), "%s", ctext(st, 0));
    db_reset(st);
    b->org = org;
    free(b->payers);
    b->payers = NULL;
    b->n_payers = 0;
    b->payers_loaded = 0;
    return 0;
}

static int load_payers(struct store_bank *b)
{
    struct db_stmt *st;
    size_t cap = 0;
    int rc;

    if (b->payers_loaded)
        return 0;
    st = bq(b->c, B_PAYERS);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, b->org);
    while ((rc = bstep(b->c, st)) == 1) {
        struct bpayer *p;

        if (b->n_payers == cap) {
            struct bpayer *np;

            cap = cap ? cap * 2 : 64;
            np = realloc(b->payers, cap * sizeof(*np));
            if (np == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            b->payers = np;
        }
        p = &b->payers[b->n_payers++];
        snprintf(p->code, sizeof(p->code), "%s", ctext(st, 0));
        snprintf(p->name, sizeof(p->name), "%s", ctext(st, 1));
        match_fold_name(ctext(st, 1), p->folded, sizeof(p->folded));
        match_fold_name(ctext(st, 2), p->guardian, sizeof(p->guardian));
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    b->payers_loaded = 1;
    return 0;
}

/*
 * Add `score` for payer `code` (and intent) to the suggestion list, with
 * its explanation twice: `why` in English words (kept for API clients)
 * and `reason` (stolen), {"code": STABLE_CODE, ...parameters}, from which
 * the dashboard writes Vietnamese or English.
 */
static void suggest(json_t *list, const char *payer, const char *name,
                    int64_t intent, const char *icode, int score,
                    const char *why, json_t *reason)
{
    size_t i;
    json_t *e;

    for (i = 0; i < json_array_size(list); i++) {
        e = json_array_get(list, i);
        if (strcmp(json_string_value(json_object_get(e, "payer")), payer) != 0)
            continue;
        json_object_set_new(
            e, "score",
            json_integer(json_integer_value(json_object_get(e, "score")) +
                         score));
        json_array_append_new(json_object_get(e, "why"), json_string(why));
        json_array_append_new(json_object_get(e, "reasons"), reason);
        if (intent > 0 && json_object_get(e, "intent") == NULL) {
            json_object_set_new(e, "intent", json_integer(intent));
            json_object_set_new(e, "code", json_string(icode));
        }
        return;
    }
    e = json_pack("{s:s, s:s, s:i, s:[s], s:[o]}", "payer", payer, "name", name,
                  "score", score, "why", why, "reasons", reason);
    if (e == NULL)
        return;
    if (intent > 0) {
        json_object_set_new(e, "intent", json_integer(intent));
        json_object_set_new(e, "code", json_string(icode));
    }
    json_array_append_new(list, e);
}

static int by_score(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    json_int_t sx = json_integer_value(json_object_get(x, "score")),
               sy = json_integer_value(json_object_get(y, "score"));
    int c;

    if (sx != sy)
        return sx > sy ? -1 : 1;
    c = strcmp(json_string_value(json_object_get(x, "payer")),
               json_string_value(json_object_get(y, "payer")));
    return c;
}

/*
 * Ranked suggestions for an unmatched credit (never applied): an open
 * intent or invoice whose remainder equals the amount (same day counts
 * more), a payer or guardian named like the counter-account holder.
 * Returns a JSON text (malloc'd) of the best 5.
 */
static char *suggestions(struct store_bank *b, const struct bank_txn *t)
{
    json_t *list = json_array(), *sorted;
    json_t *items[64];
    char folded[FEEDS_NAME_MAX];
    struct db_stmt *st;
    size_t i, n;
    char *text;

    st = bq(b->c, B_SUGG_INTENTS);
    if (st != NULL) {
        int64_t day = 0, from = 0, to = 0;

        /* the booking day, Vietnam time, as the times [from, to) */
        if (sqr_day_valid(t->booking_date) &&
            sqr_day_number(t->booking_date, &day) == 0) {
            from = day * 86400 - 25200;
            to = from + 86400;
        }
        bi(st, 1, b->org);
        bi(st, 2, t->amount);
        bi(st, 3, from);
        bi(st, 4, to);
        while (bstep(b->c, st) == 1) {
            int same = (int)db_column_int64(st, 4);

            suggest(list, ctext(st, 2), ctext(st, 3), db_column_int64(st, 0),
                    ctext(st, 1), same ? 60 : 45,
                    same ? "open intent of this amount, same day"
                         : "open intent of this amount",
                    json_pack("{s:s, s:s, s:I}", "code",
                              same ? "intent_amount_same_day" : "intent_amount",
                              "intent_code", ctext(st, 1), "amount",
                              (json_int_t)t->amount));
        }
        db_reset(st);
    }
    st = bq(b->c, B_SUGG_INVOICES);
    if (st != NULL) {
        bi(st, 1, b->org);
        bi(st, 2, t->amount);
        while (bstep(b->c, st) == 1)
            suggest(list, ctext(st, 0), ctext(st, 1), 0, "", 30,
                    "open invoice of this amount",
                    json_pack("{s:s, s:I, s:I}", "code", "invoice_amount",
                              "invoice", (json_int_t)db_column_int64(st, 2),
                              "amount", (json_int_t)t->amount));
        db_reset(st);
    }
    match_fold_name(t->counter_name, folded, sizeof(folded));
    if (folded[0] == '\0' && t->description != NULL) {
        /* banks often put the sender's name first in the content */
        char tmp[FEEDS_NAME_MAX];

        snprintf(tmp, sizeof(tmp), "%.*s", 80, t->description);
        match_fold_name(tmp, folded, sizeof(folded));
    }
    if (folded[0] != '\0' && load_payers(b) == 0) {
        for (i = 0; i < b->n_payers; i++) {
            int sc = match_name_score(folded, b->payers[i].folded);
            int sg = match_name_score(folded, b->payers[i].guardian);

            if (sc >= 60)
                suggest(list, b->payers[i].code, b->payers[i].name, 0, "",
                        sc * 40 / 100, "sender named like the payer",
                        json_pack("{s:s, s:s, s:i}", "code",
                                  "sender_like_payer", "sender", folded,
                                  "similarity", sc));
            else if (sg >= 60)
                suggest(list, b->payers[i].code, b->payers[i].name, 0, "",
                        sg * 35 / 100, "sender named like the guardian",
                        json_pack("{s:s, s:s, s:i}", "code",
                                  "sender_like_guardian", "sender", folded,
                                  "similarity", sg));
        }
    }
    n = json_array_size(list);
    if (n > 64)
        n = 64;
    for (i = 0; i < n; i++)
        items[i] = json_array_get(list, i);
    qsort(items, n, sizeof(items[0]), by_score);
    sorted = json_array();
    for (i = 0; i < n && i < 5; i++)
        json_array_append(sorted, items[i]);
    text = json_dumps(sorted, JSON_COMPACT);
    json_decref(sorted);
    json_decref(list);
    return text;
}

static int set_state(struct store_bank *b, int64_t id, const char *state,
                     const char *outcome, const char *reason, const char *code,
                     const char *sugg)
{
    struct db_stmt *st = bq(b->c, B_SET_STATE);

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, id);
    bt(st, 2, state);
    bt(st, 3, outcome);
    bt(st, 4, reason);
    bt(st, 5, code);
    bt(st, 6, sugg ? sugg : "[]");
    bi(st, 7, b->now);
    return bexec(b->c, st);
}

/* "exact", "partial", "over" or "credit" from a transfer result. */
static const char *outcome_of(json_t *r, int64_t amount)
{
    int64_t left = json_integer_value(json_object_get(r, "unallocated"));
    const char *status = json_string_value(json_object_get(r, "status"));

    if (left >= amount)
        return "credit"; /* its invoices were already paid */
    if (left > 0)
        return "over";
    if (status != NULL && strcmp(status, "partial") == 0)
        return "partial";
    return "exact";
}

/* Apply credit `id` of `amount` to intent `intent` and mark it matched. */
static int apply_intent(struct sqi_conn *c, int64_t org, int64_t id,
                        int64_t intent, int64_t amount, const char *provider,
                        const char *code, const char *reason, const char *actor,
                        int64_t now, json_t **res)
{
    char ref[32], obj[32];
    const char *outcome;
    json_t *r = NULL;
    int64_t pay = 0;
    struct db_stmt *st;
    int rc;

    snprintf(ref, sizeof(ref), "bank:%lld", (long long)id);
    rc = sqi_transfer_intent(c, org, intent, amount, ref, provider, actor, now,
                             &r, &pay);
    if (rc != 0)
        return rc;
    outcome = outcome_of(r, amount);
    st = bq(c, B_SET_MATCHED);
    if (st == NULL) {
        json_decref(r);
        return -STORE_E_IO;
    }
    bi(st, 1, id);
    bt(st, 2, outcome);
    bt(st, 3, reason);
    bt(st, 4, code);
    bi(st, 5, pay);
    bi(st, 6, intent);
    bi(st, 7, now);
    rc = bexec(c, st);
    if (rc == 0) {
        snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
        rc = sqi_audit(c, now, actor, "bank.matched", obj,
                       json_pack("{s:s, s:s, s:I, s:I, s:s, s:O}", "outcome",
                                 outcome, "code", code, "intent",
                                 (json_int_t)intent, "payment", (json_int_t)pay,
                                 "reason", reason, "allocations",
                                 json_object_get(r, "allocations")));
    }
    if (rc == 0) {
        sqi_queue_woken(c, intent);
        json_object_set_new(r, "outcome", json_string(outcome));
        if (res != NULL)
            *res = json_incref(r);
    }
    json_decref(r);
    return rc;
}

/* Decide a fresh credit: a known intent, a held code, or review. */
static int decide(struct store_bank *b, int64_t id, const struct bank_txn *t,
                  const char *provider, char (*codes)[PAYREF_MAX + 1],
                  size_t n_codes, json_t *res)
{
    int64_t intents[MATCH_CODES_MAX];
    const char *icodes[MATCH_CODES_MAX];
    const char *held = NULL;
    size_t n_int = 0, i;
    struct db_stmt *st;
    char *sugg = NULL, obj[32];
    const char *reason;
    int rc;

    for (i = 0; i < n_codes; i++) {
        st = bq(b->c, B_INTENT_BY_CODE);
        if (st == NULL)
            return -STORE_E_IO;
        bt(st, 1, codes[i]);
        bi(st, 2, b->org);
        rc = bstep(b->c, st);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            intents[n_int] = db_column_int64(st, 0);
            icodes[n_int++] = codes[i];
            db_reset(st);
            continue;
        }
        st = bq(b->c, B_RESERVED);
        if (st == NULL)
            return -STORE_E_IO;
        bt(st, 1, codes[i]);
        bi(st, 2, b->org);
        rc = bstep(b->c, st);
        if (rc < 0)
            return rc;
        if (rc == 1 && held == NULL)
            held = codes[i];
        db_reset(st);
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    if (n_int == 1) {
        json_t *r = NULL;

        rc = apply_intent(b->c, b->org, id, intents[0], t->amount, provider,
                          icodes[0], "code", b->actor, b->now, &r);
        if (rc != 0)
            return rc;
        b->n_matched++;
        json_object_set_new(res, "state", json_string("matched"));
        json_object_set_new(res, "outcome",
                            json_incref(json_object_get(r, "outcome")));
        json_object_set_new(res, "intent", json_integer(intents[0]));
        json_decref(r);
        return 0;
    }
    if (n_int > 1) {
        json_t *a = json_array();

        for (i = 0; i < n_int; i++)
            json_array_append_new(
                a,
                json_pack("{s:I, s:s, s:i, s:[s], s:[{s:s, s:s}]}", "intent",
                          (json_int_t)intents[i], "code", icodes[i], "score",
                          50, "why", "code in the content", "reasons", "code",
                          "code_in_content", "intent_code", icodes[i]));
        sugg = json_dumps(a, JSON_COMPACT);
        json_decref(a);
        rc =
            set_state(b, id, "ambiguous", "", "several_codes", icodes[0], sugg);
        if (rc == 0)
            rc = sqi_audit(b->c, b->now, b->actor, "bank.ambiguous", obj,
                           json_pack("{s:s, s:I}", "reason", "several_codes",
                                     "amount", (json_int_t)t->amount));
        free(sugg);
        b->n_ambiguous++;
        json_object_set_new(res, "state", json_string("ambiguous"));
        return rc;
    }
    if (held != NULL) {
        reason = "reserved_unclaimed";
    } else {
        reason = n_codes > 0 ? "unknown_code" : "no_code";
        sugg = suggestions(b, t);
    }
    rc = set_state(b, id, "unmatched", "", reason,
                   held ? held : (n_codes > 0 ? codes[0] : ""), sugg);
    if (rc == 0)
        rc = sqi_audit(b->c, b->now, b->actor, "bank.unmatched", obj,
                       json_pack("{s:s, s:I, s:s}", "reason", reason, "amount",
                                 (json_int_t)t->amount, "code",
                                 held ? held : (n_codes > 0 ? codes[0] : "")));
    free(sugg);
    b->n_unmatched++;
    json_object_set_new(res, "state", json_string("unmatched"));
    json_object_set_new(res, "reason", json_string(reason));
    return rc;
}

/* The org whose collecting account is `account`, on the batch's
 * connection (the write lock is held). */
static int resolve_org(struct store_bank *b, const char *account, int64_t *org)
{
    return org_of_account(b->c, account, org, NULL);
}

/*
 * The day a new transaction of `org` booked on `booking` counts on, into
 * out (11 bytes): its booking day, or the first open day when that one is
 * closed. Looked up once per organisation and booking day of the batch
 * (the batch holds the write lock: no close comes between).
 */
static int report_date(struct store_bank *b, int64_t org, const char *booking,
                       char *out)
{
    int closed = 0, rc;

    if (b->rd_org != org || strcmp(b->rd_booking, booking) != 0) {
        rc = sqr_is_closed(b->c, org, booking, &closed);
        if (rc == 0 && closed)
            rc = sqr_dated_day(b->c, org, b->now, b->rd_date);
        else if (rc == 0)
            snprintf(b->rd_date, sizeof(b->rd_date), "%s", booking);
        if (rc != 0) {
            b->rd_org = 0;
            return rc;
        }
        b->rd_org = org;
        snprintf(b->rd_booking, sizeof(b->rd_booking), "%s", booking);
    }
    memcpy(out, b->rd_date, 11);
    return 0;
}

/*
 * Transaction `id` was booked on a day closed before it came, so it is
 * dated `rdate`: unless it only repeats one already known, record the
 * correction that points at the closed day, and flag the payment made
 * from it (if any) "late for" that day. Adds late_for/dated to res.
 */
static int late_note(struct store_bank *b, int64_t id, const struct bank_txn *t,
                     const char *rdate, json_t *res)
{
    struct db_stmt *st;
    int64_t pay = 0, payer = 0;
    char obj[32], state[16] = "";
    int rc;

    st = bq(b->c, B_LATE_OF);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, id);
    rc = bstep(b->c, st);
    if (rc == 1) {
        snprintf(state, sizeof(state), "%s", ctext(st, 0));
        pay = db_column_int64(st, 1);
        payer = db_column_int64(st, 2);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(sqi_dbh(b->c), -DB_E_IO, "late transaction");
    }
    db_reset(st);
    if (rc != 0 || strcmp(state, "duplicate") == 0)
        return rc;
    if (pay != 0) {
        st = bq(b->c, B_CORRECTS_DATE);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, pay);
        bt(st, 2, t->booking_date);
        rc = bexec(b->c, st);
        if (rc < 0)
            return rc;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        int debit = t->direction == FEEDS_DEBIT;
        struct sqr_correction k = {
            b->org,
            debit ? "late_debit" : "late_credit",
            t->booking_date,
            obj,
            id,
            pay,
            0,
            payer,
            debit ? -t->amount : t->amount,
            b->actor,
            "booked on a closed day, reported after its close",
            b->now};

        rc = sqr_correction_add(b->c, &k, NULL, NULL);
    }
    if (rc == 0) {
        json_object_set_new(res, "late_for", json_string(t->booking_date));
        json_object_set_new(res, "dated", json_string(rdate));
    }
    return rc;
}

/* What the identity rule compares of a new record. */
struct ident_key {
    int64_t org;          /* its organisation */
    int64_t id;           /* the record itself (excluded) */
    int64_t amount;       /* đồng */
    const char *dir;      /* "credit" / "debit" */
    const char *currency; /* ISO 4217 */
    const char *ref;      /* reference key, "" none */
    int pos;              /* camt TxDtls position in its batch, 0 none */
    const char *booking;  /* YYYY-MM-DD */
    const char *desc;     /* content key */
    const char *counter;  /* counter-account key, "" none */
    const char *source;   /* provider or "imp:<import id>" */
};

/* What tells transfer `tr` apart, as one string (malloc'd) into *out. */
static int signature(struct store_bank *b, int64_t tr, char **out)
{
    struct db_stmt *st = bq(b->c, B_SIGNATURE);
    size_t len = 0, cap = 64;
    char *sig = malloc(cap);
    int rc;

    if (st == NULL || sig == NULL) {
        free(sig);
        return -STORE_E_IO;
    }
    sig[0] = '\0';
    bi(st, 1, tr);
    while ((rc = bstep(b->c, st)) == 1) {
        const char *k = ctext(st, 0);
        size_t n = strlen(k);

        if (len + n + 2 > cap) {
            char *p;

            while (len + n + 2 > cap)
                cap *= 2;
            p = realloc(sig, cap);
            if (p == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            sig = p;
        }
        memcpy(sig + len, k, n);
        len += n;
        sig[len++] = ' ';
        sig[len] = '\0';
    }
    db_reset(st);
    if (rc < 0) {
        free(sig);
        return rc;
    }
    *out = sig;
    return 0;
}

/*
 * The identity rule for new record k->id: *of = the transfer (its primary
 * id) it is another record of, *by_ref 1 when paired by reference; or
 * *held = the candidate transfers' ids (JSON array, the caller's) when
 * they differ from each other and nothing decides between them; neither
 * when it is a new transfer.
 */
static int identity_of(struct store_bank *b, const struct ident_key *k,
                       int64_t *of, int *by_ref, json_t **held)
{
    struct db_stmt *st = bq(b->c, B_CANDIDATES);
    int64_t *cand = NULL, first_ref = 0;
    size_t n = 0, cap = 0, i;
    char *sig0 = NULL, *sig = NULL;
    int rc, alike = 1;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, k->org);
    bi(st, 2, k->amount);
    bt(st, 3, k->dir);
    bt(st, 4, k->currency);
    bi(st, 5, k->id);
    bt(st, 6, k->ref);
    bi(st, 7, k->pos);
    bt(st, 8, k->booking);
    bt(st, 9, k->desc);
    bt(st, 10, k->counter);
    bt(st, 11, k->source);
    while ((rc = bstep(b->c, st)) == 1) {
        if (n == cap) {
            int64_t *p;

            cap = cap ? cap * 2 : 8;
            p = realloc(cand, cap * sizeof(*p));
            if (p == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            cand = p;
        }
        cand[n] = db_column_int64(st, 0);
        if ((int)db_column_int64(st, 1) && first_ref == 0)
            first_ref = cand[n];
        n++;
    }
    db_reset(st);
    if (rc < 0)
        goto out;
    rc = 0;
    if (n == 0)
        goto out;
    if (first_ref != 0) {
        /* the same reference: the oldest such transfer */
        *of = first_ref;
        *by_ref = 1;
        goto out;
    }
    /* by content only: one of alike transfers, whichever */
    if (n > 1) {
        rc = signature(b, cand[0], &sig0);
        for (i = 1; rc == 0 && alike && i < n; i++) {
            rc = signature(b, cand[i], &sig);
            if (rc == 0 && strcmp(sig, sig0) != 0)
                alike = 0;
            free(sig);
            sig = NULL;
        }
        if (rc != 0)
            goto out;
    }
    if (alike) {
        *of = cand[0];
        *by_ref = 0;
        goto out;
    }
    *held = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(*held, json_integer(cand[i]));
out:
    free(sig0);
    free(cand);
    return rc;
}

/*
 * Record `id` repeats one of several different transfers, or none: held
 * `unmatched` (`possible_duplicate`), moving no money, the candidates in
 * its suggestions for a reviewer (ignore: it was one of them; match: it
 * is a transfer of its own).
 */
static int hold_possible_duplicate(struct store_bank *b, int64_t id,
                                   const struct bank_txn *t, const char *code,
                                   json_t *cands)
{
    json_t *sg = json_array();
    char obj[32], why[96], *text;
    size_t i;
    int rc;

    for (i = 0; i < json_array_size(cands); i++) {
        json_int_t c = json_integer_value(json_array_get(cands, i));

        snprintf(why, sizeof(why), "maybe the same transfer as #%lld",
                 (long long)c);
        json_array_append_new(
            sg, json_pack("{s:I, s:i, s:[s], s:[{s:s, s:I}]}", "transaction", c,
                          "score", 0, "why", why, "reasons", "code",
                          "possible_duplicate", "transaction", c));
    }
    text = json_dumps(sg, JSON_COMPACT);
    json_decref(sg);
    if (text == NULL)
        return -STORE_E_IO;
    rc = set_state(b, id, "unmatched", "", "possible_duplicate", code, text);
    free(text);
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    if (rc == 0)
        rc = sqi_audit(b->c, b->now, b->actor, "bank.unmatched", obj,
                       json_pack("{s:s, s:I, s:s, s:O}", "reason",
                                 "possible_duplicate", "amount",
                                 (json_int_t)t->amount, "code", code,
                                 "candidates", cands));
    return rc;
}

int sqb_add(struct store_bank *b, int64_t org, const struct bank_txn *t,
            const char *channel, int64_t journal_id, json_t **out)
{
    char codes[MATCH_CODES_MAX][PAYREF_MAX + 1], joined[128] = "";
    char refkey[MATCH_KEY_MAX], obj[32], rdate[11] = "";
    char ckey[FEEDS_ACCOUNT_MAX], source[32], key[FEEDS_ID_MAX];
    const char *provider = feeds_provider_name(t->provider);
    const char *dir = t->direction == FEEDS_DEBIT ? "debit" : "credit";
    int stmt = strcmp(channel, "statement") == 0;
    size_t n_codes = 0, i;
    json_t *res = NULL, *held = NULL;
    char *dkey = NULL;
    struct db_stmt *st;
    int64_t id = 0, of = 0;
    int rc, by_ref = 0, late = 0;

    if (b->rc != 0)
        return b->rc;
    {
        /* the account decides, and must not name another organisation */
        int64_t found = org;

        if (t->account[0] != '\0' && strcmp(t->account, b->last_account) == 0) {
            found = b->last_org;
        } else if (t->account[0] != '\0' || org == 0) {
            rc = resolve_org(b, t->account, &found);
            if (rc != 0)
                goto fail;
            b->last_org = found;
            snprintf(b->last_account, sizeof(b->last_account), "%s",
                     t->account);
        }
        if (org != 0 && found != org) {
            store_set_error("account_mismatch",
                            "account '%s' belongs to another organisation",
                            t->account);
            rc = -STORE_E_CONFLICT;
            goto fail;
        }
        org = found;
    }
    rc = load_org(b, org);
    if (rc != 0)
        goto fail;
    match_transfer_ref(t->bank_ref, refkey, sizeof(refkey));
    match_counter_key(t->counter_account, ckey, sizeof(ckey));
    match_codes(t, b->prefix, codes, MATCH_CODES_MAX, &n_codes);
    for (i = 0; i < n_codes; i++) {
        if (i > 0)
            strcat(joined, " ");
        strcat(joined, codes[i]);
    }
    dkey = match_desc_key(n_codes > 0 ? codes[0] : "", t->description);
    if (dkey == NULL) {
        store_set_error("storage_unavailable", "out of memory");
        rc = -STORE_E_IO;
        goto fail;
    }
    if (stmt) {
        /* a statement row's key names the record (this import, this
           row), never the transfer: identity is decided below */
        snprintf(source, sizeof(source), "imp:%lld", (long long)b->import_id);
        snprintf(key, sizeof(key), "imp:%lld:%lld", (long long)b->import_id,
                 (long long)++b->n_rows);
    } else {
        snprintf(source, sizeof(source), "%s", provider);
        snprintf(key, sizeof(key), "%s", t->provider_txn_id);
    }
    st = bq(b->c, B_TXN_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto fail;
    }
    bi(st, 1, org);
    bt(st, 2, provider);
    bt(st, 3, key);
    bt(st, 4, channel);
    if (journal_id > 0)
        bi(st, 5, journal_id);
    if (b->import_id > 0)
        bi(st, 6, b->import_id);
    bt(st, 7, t->account);
    bt(st, 8, dir);
    bi(st, 9, t->amount);
    bt(st, 10, t->currency);
    bt(st, 11, t->booking_date);
    bt(st, 12, t->datetime);
    bt(st, 13, t->bank_ref);
    bt(st, 14, refkey);
    bt(st, 15, n_codes > 0 ? codes[0] : "");
    bt(st, 16, joined);
    bt(st, 17, t->description ? t->description : "");
    bt(st, 18, t->counter_name);
    bt(st, 19, t->counter_account);
    bi(st, 20, b->now);
    /* a running balance of 0 after money came in is a provider that does
       not report balances (SePay BankHub, simulators), not a real one */
    if (t->has_balance &&
        !(t->balance == 0 && t->direction == FEEDS_CREDIT && t->amount > 0))
        bi(st, 21, t->balance);
    rc = report_date(b, org, t->booking_date, rdate);
    if (rc != 0)
        goto fail;
    bt(st, 22, rdate);
    bi(st, 23, stmt ? t->pos : 0);
    bt(st, 24, dkey);
    bt(st, 25, ckey);
    bt(st, 26, source);
    rc = binsert(b->c, st, &id);
    if (rc != 0)
        goto fail;
    if (id == 0) {
        if (stmt) {
            /* import and row are unique: never expected */
            store_set_error("storage_unavailable",
                            "statement record %s already stored", key);
            rc = -STORE_E_IO;
            goto fail;
        }
        /* the same provider id again: one record, same answer */
        st = bq(b->c, B_TXN_BY_KEY);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto fail;
        }
        bi(st, 1, org);
        bt(st, 2, provider);
        bt(st, 3, key);
        rc = bstep(b->c, st);
        if (rc <= 0) {
            rc = rc ? rc : -STORE_E_IO;
            goto fail;
        }
        res = json_pack("{s:I, s:s, s:b}", "id",
                        (json_int_t)db_column_int64(st, 0), "state",
                        ctext(st, 1), "replayed", 1);
        db_reset(st);
        b->n_replay++;
        goto done;
    }
    b->n_new++;
    res = json_pack("{s:I}", "id", (json_int_t)id);
    /* booked on a day closed before it came: it counts on rdate */
    late = strcmp(rdate, t->booking_date) != 0;
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    /* the same transfer already known from another source? */
    {
        struct ident_key k = {org,
                              id,
                              t->amount,
                              dir,
                              t->currency,
                              refkey,
                              stmt ? t->pos : 0,
                              t->booking_date,
                              dkey,
                              ckey,
                              source};

        rc = identity_of(b, &k, &of, &by_ref, &held);
    }
    if (rc != 0)
        goto fail;
    if (of != 0) {
        st = bq(b->c, B_SET_DUP);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto fail;
        }
        bi(st, 1, id);
        bi(st, 2, of);
        bt(st, 3, by_ref ? "same_reference" : "same_content");
        bi(st, 4, stmt);
        bi(st, 5, b->now);
        rc = bexec(b->c, st);
        if (rc == 0 && stmt) {
            st = bq(b->c, B_CONFIRM);
            rc = st ? 0 : -STORE_E_IO;
            if (rc == 0) {
                bi(st, 1, of);
                bi(st, 2, b->now);
                rc = bexec(b->c, st);
            }
        }
        if (rc == 0)
            rc = sqi_audit(b->c, b->now, b->actor, "bank.duplicate", obj,
                           json_pack("{s:I, s:s, s:s}", "of", (json_int_t)of,
                                     "by", by_ref ? "reference" : "content",
                                     "channel", channel));
        if (rc != 0)
            goto fail;
        b->n_dup++;
        json_object_set_new(res, "state", json_string("duplicate"));
        json_object_set_new(res, "duplicate_of", json_integer(of));
        goto done;
    }
    if (held != NULL) {
        /* alike by content, told apart by reference or counter-account:
           which one it repeats (if any) is for a person to say */
        rc = hold_possible_duplicate(b, id, t, n_codes ? codes[0] : "", held);
        if (rc != 0)
            goto fail;
        b->n_unmatched++;
        json_object_set_new(res, "state", json_string("unmatched"));
        json_object_set_new(res, "reason", json_string("possible_duplicate"));
        json_object_set_new(res, "candidates", json_incref(held));
        goto done;
    }
    if (t->direction == FEEDS_DEBIT || t->amount == 0 || t->reversal ||
        strcmp(t->currency, "VND") != 0) {
        const char *why = t->direction == FEEDS_DEBIT ? "debit"
                          : t->amount == 0            ? "zero"
                          : t->reversal               ? "reversal"
                                                      : "currency";

        rc =
            set_state(b, id, "ignored", "", why, n_codes ? codes[0] : "", NULL);
        if (rc == 0)
            rc = sqi_audit(b->c, b->now, b->actor, "bank.ignored", obj,
                           json_pack("{s:s, s:I}", "reason", why, "amount",
                                     (json_int_t)t->amount));
        if (rc != 0)
            goto fail;
        b->n_ignored++;
        json_object_set_new(res, "state", json_string("ignored"));
        json_object_set_new(res, "reason", json_string(why));
        goto done;
    }
    rc = decide(b, id, t, provider, codes, n_codes, res);
    if (rc != 0)
        goto fail;
done:
    if (late) {
        rc = late_note(b, id, t, rdate, res);
        if (rc != 0)
            goto fail;
    }
    if (out != NULL)
        *out = res;
    else
        json_decref(res);
    free(dkey);
    json_decref(held);
    return 0;
fail:
    json_decref(res);
    free(dkey);
    json_decref(held);
    b->rc = rc;
    return rc;
}

int sqb_statement(struct store_bank *b, int64_t org,
                  const struct feeds_statement *s)
{
    static const char *const checks[] = {"unchecked", "ok", "mismatch"};
    const char *chk = checks[s->check <= FEEDS_BAL_MISMATCH ? s->check : 0];
    struct db_stmt *st;
    int rc;

    if (b->rc != 0)
        return b->rc;
    if (org == 0 || s->account[0] != '\0') {
        /* the account decides, and must not name another organisation */
        int64_t found = 0;

        rc = resolve_org(b, s->account, &found);
        if (rc == 0 && org != 0 && found != org) {
            store_set_error("account_mismatch",
                            "account '%s' belongs to another organisation",
                            s->account);
            rc = -STORE_E_CONFLICT;
        }
        if (rc != 0) {
            b->rc = rc;
            return rc;
        }
        org = found;
    }
    st = bq(b->c, B_STMT_ADD);
    if (st == NULL) {
        b->rc = -STORE_E_IO;
        return b->rc;
    }
    bi(st, 1, b->import_id);
    bi(st, 2, org);
    bt(st, 3, feeds_provider_name(s->format));
    bt(st, 4, s->id);
    bt(st, 5, s->sequence);
    bt(st, 6, s->account);
    bt(st, 7, s->currency);
    if (s->has_opening)
        bi(st, 8, s->opening);
    if (s->has_closing)
        bi(st, 9, s->closing);
    bi(st, 10, s->credits);
    bi(st, 11, s->debits);
    bi(st, 12, s->n_credits);
    bi(st, 13, s->n_debits);
    bi(st, 14, s->n_skipped);
    bt(st, 15, chk);
    bt(st, 16, s->check_message);
    bi(st, 17, b->now);
    rc = bexec(b->c, st);
    if (rc != 0) {
        b->rc = rc;
        return rc;
    }
    b->n_stmts++;
    if (s->check == FEEDS_BAL_MISMATCH)
        b->n_bal_mismatch++;
    json_array_append_new(
        b->checks,
        json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s}", "id",
                  s->id, "account", s->account, "balance_check", chk, "opening",
                  (json_int_t)s->opening, "credits", (json_int_t)s->credits,
                  "debits", (json_int_t)s->debits, "closing",
                  (json_int_t)s->closing, "entries",
                  (json_int_t)(s->n_credits + s->n_debits), "skipped",
                  (json_int_t)s->n_skipped, "message", s->check_message));
    return 0;
}

int sqb_end(struct store_bank *b, int commit, int64_t journal_id,
            json_t **summary)
{
    struct sq *s = b->s;
    int rc = commit ? b->rc : -STORE_E_INVALID;
    json_t *sum = NULL;

    if (rc == 0 && journal_id > 0) {
        struct db_stmt *st = bq(b->c, B_JOURNAL_SET);

        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            bi(st, 1, journal_id);
            bt(st, 2, "processed");
            bt(st, 3, "");
            bi(st, 4, b->now);
            rc = bexec(b->c, st);
        }
    }
    if (rc == 0)
        sum = json_pack(
            "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:O}", "new",
            (json_int_t)b->n_new, "replayed", (json_int_t)b->n_replay,
            "matched", (json_int_t)b->n_matched, "unmatched",
            (json_int_t)b->n_unmatched, "ambiguous", (json_int_t)b->n_ambiguous,
            "duplicate", (json_int_t)b->n_dup, "ignored",
            (json_int_t)b->n_ignored, "statements", (json_int_t)b->n_stmts,
            "balances", b->checks);
    rc = sqi_end_write(s, b->c, commit ? rc : -STORE_E_INVALID);
    if (!commit)
        rc = 0;
    if (rc == 0 && commit && summary != NULL)
        *summary = sum;
    else
        json_decref(sum);
    sqi_put_conn(s, b->c);
    json_decref(b->checks);
    free(b->payers);
    free(b);
    return rc;
}

/* ---- held transfers of reserved codes ------------------------------------ */

int sqi_bank_claim(struct sqi_conn *c, int64_t org, const char *code,
                   int64_t intent, const char *actor, int64_t now)
{
    struct db_stmt *st;
    int64_t ids[64], amounts[64];
    char provs[64][16];
    int n = 0, i, rc;

    st = bq(c, B_HELD);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bt(st, 2, code);
    while ((rc = bstep(c, st)) == 1 && n < 64) {
        ids[n] = db_column_int64(st, 0);
        amounts[n] = db_column_int64(st, 1);
        snprintf(provs[n], sizeof(provs[n]), "%s", ctext(st, 2));
        n++;
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        rc = apply_intent(c, org, ids[i], intent, amounts[i], provs[i], code,
                          "code_claimed", actor, now, NULL);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- the review queue ---------------------------------------------------- */

static json_t *txn_json(struct db_stmt *st)
{
    json_t *o = json_object(), *sg;
    int i, n = db_column_count(st);

    for (i = 0; i < n; i++) {
        const char *name = db_column_name(st, i);
        json_t *v;

        if (strcmp(name, "suggestions") == 0) {
            sg = json_loads(ctext(st, i), 0, NULL);
            json_object_set_new(o, name, sg ? sg : json_array());
            continue;
        }
        switch (db_column_type(st, i)) {
        case DB_INTEGER:
            v = json_integer(db_column_int64(st, i));
            break;
        case DB_TEXT:
            v = json_string(ctext(st, i));
            if (v == NULL)
                v = json_null();
            break;
        default:
            v = json_null();
        }
        json_object_set_new(o, name, v);
    }
    json_object_set(o, "confirmed",
                    json_integer_value(json_object_get(o, "confirmed"))
                        ? json_true()
                        : json_false());
    return o;
}

int sqb_list(struct store *base, int64_t org, const struct store_filter *f,
             json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    json_t *a = json_array();
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = bq(c, B_LIST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    bt(st, 2, f->status);
    bi(st, 3, f->after_id);
    bi(st, 4, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    bi(st, 5, f->since);
    while ((rc = bstep(c, st)) == 1)
        json_array_append_new(a, txn_json(st));
    db_reset(st);
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = a;
    else
        json_decref(a);
    return rc;
}

/* Load transaction `id` of `org` into *out, inside a transaction. */
static int txn_fetch(struct sqi_conn *c, int64_t org, int64_t id, json_t **out)
{
    struct db_stmt *st = bq(c, B_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bi(st, 2, id);
    rc = bstep(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("transaction_not_found", "no bank transaction %lld",
                            (long long)id);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    *out = txn_json(st);
    db_reset(st);
    return 0;
}

int sqb_get(struct store *base, int64_t org, int64_t id, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *o = NULL, *trail = json_array();
    char obj[32];
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    rc = txn_fetch(c, org, id, &o);
    if (rc != 0)
        goto out;
    st = bq(c, B_AUDIT_OF);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    bt(st, 1, obj);
    while ((rc = bstep(c, st)) == 1) {
        json_t *d = json_loads(ctext(st, 3), 0, NULL);

        json_array_append_new(
            trail,
            json_pack("{s:I, s:s, s:s, s:o}", "at",
                      (json_int_t)db_column_int64(st, 0), "actor", ctext(st, 1),
                      "action", ctext(st, 2), "detail", d ? d : json_object()));
    }
    db_reset(st);
    if (rc == 0)
        json_object_set(o, "audit", trail);
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    json_decref(trail);
    if (rc == 0)
        *out = o;
    else
        json_decref(o);
    return rc;
}

/*
 * The earliest closed day among payment `pay`'s own day and the days of
 * its allocations into `out` (11 bytes; "" when none is closed): undoing
 * it then would change a closed day.
 */
static int closed_day_of_payment(struct sqi_conn *c, int64_t pay, char *out)
{
    struct db_stmt *st = bq(c, B_PAY_CLOSED_DAY);
    int rc;

    out[0] = '\0';
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pay);
    rc = bstep(c, st);
    if (rc == 1)
        snprintf(out, 11, "%s", ctext(st, 0));
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* Run statement `id` with ?1 = a and, when n is 2, ?2 = b (integers);
 * rows are not read. */
static int run_ids(struct sqi_conn *c, enum b id, int n, int64_t a, int64_t b)
{
    struct db_stmt *st = bq(c, id);

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, a);
    if (n >= 2)
        bi(st, 2, b);
    return bexec(c, st);
}

/*
 * Review "unmatch" of transaction `id` whose payment `pay` is part of
 * closed day `cdate`'s figures: the payment is not deleted but reversed
 * by a correction dated on the first open day (its allocations given
 * back to the invoices, its credit taken back, its intent rolled back,
 * its receipt voided, the payment kept and marked reversed from that day
 * on). *intent gets its intent id (0 none). In the review's transaction.
 */
static int reverse_as_correction(struct sqi_conn *c, int64_t org, int64_t id,
                                 int64_t pay, const char *cdate,
                                 const char *reason, const char *actor,
                                 int64_t now, int64_t *intent)
{
    struct db_stmt *st;
    int64_t payer, amount, unalloc, in;
    char obj[32], day[11];
    int rc;

    st = bq(c, B_PAY_TO_REVERSE);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pay);
    rc = bstep(c, st);
    if (rc <= 0) {
        db_reset(st);
        if (rc == 0) {
            store_set_error("payment_not_found", "no transfer payment %lld",
                            (long long)pay);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    payer = db_column_int64(st, 0);
    amount = db_column_int64(st, 1);
    unalloc = db_column_int64(st, 2);
    in = db_column_int64(st, 3);
    rc = (int)db_column_int64(st, 4);
    db_reset(st);
    if (rc != 0) {
        store_set_error("refunded", "part of this transfer was refunded");
        return -STORE_E_CONFLICT;
    }
    /* the credit it created must still be held */
    rc = run_ids(c, B_CREDIT_TAKE, 2, payer, unalloc);
    if (rc != 0)
        return rc;
    if (db_changes(sqi_dbh(c)) != 1) {
        store_set_error("credit_used", "the credit this transfer created has"
                                       " been used since");
        return -STORE_E_CONFLICT;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        struct sqr_correction k = {org, "unmatch", cdate,   obj,   id,     pay,
                                   0,   payer,     -amount, actor, reason, now};

        rc = sqr_correction_add(c, &k, day, NULL);
    }
    if (rc != 0)
        return rc;
    rc = run_ids(c, B_INVOICES_GIVE_BACK, 1, pay, 0);
    /* kept, reversed from `day` on; its bank reference is freed so that
       the transaction can be matched again */
    if (rc == 0) {
        st = bq(c, B_PAY_REVERSED);
        rc = st ? 0 : -STORE_E_IO;
        if (rc == 0) {
            bi(st, 1, pay);
            bt(st, 2, day);
            rc = bexec(c, st);
        }
    }
    if (rc == 0)
        rc = run_ids(c, B_RECEIPT_VOID, 2, pay, now);
    if (rc == 0 && in != 0) {
        rc = sqi_intent_recompute(c, in, now);
        if (rc == 0)
            sqi_queue_woken(c, in);
    }
    if (rc == 0)
        *intent = in;
    return rc;
}

/*
 * After a review matched transaction `id` (its report day `rdate`,
 * booked on `booking`): a transaction of a closed day is matched by a
 * correction dated later (its payment flagged late for that day); a
 * late one's payment is flagged late for its booking day.
 */
static int match_dated(struct sqi_conn *c, int64_t org, int64_t id,
                       const char *rdate, const char *booking, int closed,
                       const char *reason, const char *actor, int64_t now)
{
    struct db_stmt *st;
    int64_t pay = 0, payer = 0, amount = 0;
    char obj[32];
    int rc;

    if (!closed && strcmp(rdate, booking) == 0)
        return 0;
    st = bq(c, B_MATCHED_PAY);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, id);
    rc = bstep(c, st);
    if (rc == 1) {
        pay = db_column_int64(st, 0);
        payer = db_column_int64(st, 1);
        amount = db_column_int64(st, 2);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(sqi_dbh(c), -DB_E_IO, "matched payment");
    }
    db_reset(st);
    if (rc != 0)
        return rc;
    st = bq(c, B_CORRECTS_DATE);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pay);
    bt(st, 2, closed ? rdate : booking);
    rc = bexec(c, st);
    if (rc < 0 || !closed)
        return rc < 0 ? rc : 0;
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    {
        struct sqr_correction k = {org, "match", rdate,  obj,   id,     pay,
                                   0,   payer,   amount, actor, reason, now};

        return sqr_correction_add(c, &k, NULL, NULL);
    }
}

/*
 * Review actions. On a transaction of a closed day (issue 6 §2) they are
 * corrections dated on the first open day that point back at it: a
 * match books the payment then, an ignore is noted, an unmatch reverses
 * the payment instead of deleting it; the closed day's report, frozen by
 * its close, does not change.
 */
int sqb_review(struct store *base, int64_t org, int64_t id,
               const struct store_review *rv, const char *actor, int64_t now,
               json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *cur = NULL, *res = NULL, *r = NULL;
    const char *state, *rdate, *booking;
    char obj[32], reason[300];
    struct db_stmt *st;
    int64_t amount, pay = 0;
    int rc, closed = 0;

    if (rv->reason == NULL || rv->reason[0] == '\0') {
        store_set_error("reason_required", "a reason is required");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    snprintf(obj, sizeof(obj), "bank:%lld", (long long)id);
    snprintf(reason, sizeof(reason), "review: %s", rv->reason);
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = txn_fetch(c, org, id, &cur);
    if (rc != 0)
        goto done;
    state = json_string_value(json_object_get(cur, "state"));
    amount = json_integer_value(json_object_get(cur, "amount"));
    rdate = json_string_value(json_object_get(cur, "report_date"));
    booking = json_string_value(json_object_get(cur, "booking_date"));
    rc = sqr_is_closed(c, org, rdate, &closed);
    if (rc != 0)
        goto done;
    if (strcmp(rv->action, "match") == 0) {
        const char *prov = json_string_value(json_object_get(cur, "provider"));

        if ((strcmp(state, "unmatched") != 0 &&
             strcmp(state, "ambiguous") != 0) ||
            strcmp(json_string_value(json_object_get(cur, "direction")),
                   "credit") != 0 ||
            amount <= 0) {
            store_set_error("not_reviewable",
                            "transaction %lld is %s; only unmatched or"
                            " ambiguous credits can be matched",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        if (rv->intent > 0) {
            rc = apply_intent(c, org, id, rv->intent, amount, prov,
                              json_string_value(json_object_get(cur, "code")),
                              reason, actor, now, &r);
        } else if (rv->payer != NULL) {
            int64_t pid;
            char ref[32];
            const char *outcome;

            st = bq(c, B_PAYER_ID);
            if (st == NULL) {
                rc = -STORE_E_IO;
                goto done;
            }
            bi(st, 1, org);
            bt(st, 2, rv->payer);
            rc = bstep(c, st);
            if (rc <= 0) {
                if (rc == 0) {
                    store_set_error("payer_not_found", "no payer '%s'",
                                    rv->payer);
                    rc = -STORE_E_NOT_FOUND;
                }
                goto done;
            }
            pid = db_column_int64(st, 0);
            db_reset(st);
            snprintf(ref, sizeof(ref), "bank:%lld", (long long)id);
            rc = sqi_transfer_payer(c, org, pid, amount, ref, prov, actor, now,
                                    &r, &pay);
            if (rc != 0)
                goto done;
            {
                int64_t left =
                    json_integer_value(json_object_get(r, "unallocated"));

                outcome = left >= amount ? "credit"
                          : left > 0     ? "over"
                                         : "exact";
            }
            st = bq(c, B_SET_MATCHED);
            if (st == NULL) {
                rc = -STORE_E_IO;
                goto done;
            }
            bi(st, 1, id);
            bt(st, 2, outcome);
            bt(st, 3, reason);
            bt(st, 4, json_string_value(json_object_get(cur, "code")));
            bi(st, 5, pay);
            bi(st, 6, 0);
            bi(st, 7, now);
            rc = bexec(c, st);
        } else {
            store_set_error("invalid_field", "match needs intent or payer");
            rc = -STORE_E_INVALID;
        }
        if (rc == 0)
            rc = match_dated(c, org, id, rdate, booking, closed, rv->reason,
                             actor, now);
        if (rc != 0)
            goto done;
        rc = sqi_audit(c, now, actor, "bank.review.match", obj,
                       json_pack("{s:s, s:I, s:s?, s:O?}", "reason", rv->reason,
                                 "intent", (json_int_t)rv->intent, "payer",
                                 rv->payer, "allocations",
                                 json_object_get(r, "allocations")));
    } else if (strcmp(rv->action, "unmatch") == 0) {
        char cdate[11] = "";
        int64_t in = 0;

        if (strcmp(state, "matched") != 0) {
            store_set_error("not_matched", "transaction %lld is %s",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        pay = json_integer_value(json_object_get(cur, "payment_id"));
        /* which closed day (if any) its undoing would change */
        if (closed)
            snprintf(cdate, sizeof(cdate), "%s", rdate);
        else
            rc = closed_day_of_payment(c, pay, cdate);
        if (rc != 0)
            goto done;
        st = bq(c, B_CLEAR_PAYMENT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, id);
        rc = bexec(c, st);
        if (rc == 0)
            rc = cdate[0] != '\0'
                     ? reverse_as_correction(c, org, id, pay, cdate, rv->reason,
                                             actor, now, &in)
                     : sqi_payment_reverse(c, pay, now, &in);
        if (rc == 0) {
            struct store_bank tmp;

            memset(&tmp, 0, sizeof(tmp));
            tmp.c = c;
            tmp.now = now;
            rc = set_state(&tmp, id, "unmatched", "", reason,
                           json_string_value(json_object_get(cur, "code")),
                           NULL);
        }
        if (rc == 0)
            rc = sqi_audit(c, now, actor, "bank.review.unmatch", obj,
                           json_pack("{s:s, s:I, s:I, s:b}", "reason",
                                     rv->reason, "payment", (json_int_t)pay,
                                     "intent", (json_int_t)in, "reversed",
                                     cdate[0] != '\0'));
    } else if (strcmp(rv->action, "ignore") == 0) {
        struct store_bank tmp;

        if (strcmp(state, "unmatched") != 0 &&
            strcmp(state, "ambiguous") != 0) {
            store_set_error("not_reviewable", "transaction %lld is %s",
                            (long long)id, state);
            rc = -STORE_E_CONFLICT;
            goto done;
        }
        memset(&tmp, 0, sizeof(tmp));
        tmp.c = c;
        tmp.now = now;
        rc = set_state(&tmp, id, "ignored", "", reason,
                       json_string_value(json_object_get(cur, "code")), NULL);
        if (rc == 0 && closed) {
            struct sqr_correction k = {org, "ignore", rdate,      obj,
                                       id,  0,        0,          0,
                                       0,   actor,    rv->reason, now};

            rc = sqr_correction_add(c, &k, NULL, NULL);
        }
        if (rc == 0)
            rc = sqi_audit(c, now, actor, "bank.review.ignore", obj,
                           json_pack("{s:s}", "reason", rv->reason));
    } else {
        store_set_error("invalid_action", "action must be match, unmatch or"
                                          " ignore");
        rc = -STORE_E_INVALID;
    }
    if (rc != 0)
        goto done;
    rc = txn_fetch(c, org, id, &res);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    json_decref(cur);
    json_decref(r);
    sqi_put_conn(s, c);
    return rc;
}
