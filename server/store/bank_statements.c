/*
 * bank_statements.c: the SQL of bank intake and review, one table indexed
 * by enum sqb_q, and the two helpers that run it (prepare by name, insert
 * returning an id).
 */
#include "store_int.h"

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
                      " received_at, headers, body, verified, state, detail,"
                      " processed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                      " ?9) RETURNING id",
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
    [B_IMPORT_NEW] = "INSERT INTO bank_imports(kind, actor, created_at,"
                     " digest, rows_done, finished) VALUES (?1, ?2, ?3, ?4,"
                     " 0, 0) RETURNING id",
    [B_IMPORT_UNFINISHED] = "SELECT id, rows_done FROM bank_imports"
                            " WHERE digest = ?1 AND finished = 0"
                            " ORDER BY id DESC LIMIT 1",
    /* a slice's entries applied: from ?4 applied to ?2, finished ?3 */
    [B_IMPORT_MARK] = "UPDATE bank_imports SET rows_done = ?2, finished = ?3"
                      " WHERE id = ?1 AND rows_done = ?4 AND finished = 0",
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
               " AND created_at >= ?5 AND (CAST(?6 AS TEXT) IS NULL OR"
               " report_date = ?6) ORDER BY id LIMIT ?4 OFFSET ?7",
    [B_COUNT] = "SELECT count(*) FROM bank_txns WHERE org_id = ?1"
                " AND (CAST(?2 AS TEXT) IS NULL OR state = ?2)"
                " AND created_at >= ?3 AND (CAST(?4 AS TEXT) IS NULL OR"
                " report_date = ?4)",
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
struct db_stmt *sqb_q(struct sqi_conn *c, enum sqb_q id)
{
    struct db_stmt *st = db_q(sqi_dbh(c), bsql[id]);

    if (st == NULL)
        sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    return st;
}

/* Run an INSERT ... RETURNING id: *id the new row's id, 0 when it
 * inserted nothing (ON CONFLICT DO NOTHING). 0 or negative error. */
int sqb_insert(struct sqi_conn *c, struct db_stmt *st, int64_t *id)
{
    int64_t v = 0;
    int rc = sqi_step(c, st);

    if (rc == 1) {
        v = db_column_int64(st, 0);
        rc = sqi_step(c, st);
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    *id = v;
    return 0;
}
