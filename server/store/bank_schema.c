/*
 * bank_schema.c: the bank side's tables: migrations 3 (secrets, the webhook
 * journal, imports, statements, bank transactions), 7 (report days of bank
 * transactions), identity (one identity per transfer) and journal bounds,
 * and the SQL functions those migrations use on SQLite.
 */
#include <stdio.h>
#include <stdlib.h>

#include "match.h"
#include "payref.h"
#include "store_int.h"

/* Migration 3: bank confirmation. */
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
 * Migration 7: the provider's running balance after each
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
