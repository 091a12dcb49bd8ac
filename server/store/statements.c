/*
 * statements.c: the SQL of the core store operations, one table indexed by
 * enum sqi_q (each connection caches the statements it prepared), and the
 * helpers every store file uses to prepare, bind, step and turn rows into
 * JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define INV_STATUS                                                             \
    "CASE WHEN i.paid >= i.amount THEN 'paid' WHEN i.paid > 0 "                \
    "THEN 'partial' ELSE 'open' END"
#define INTENT_STATUS                                                          \
    "CASE WHEN t.status = 'pending' AND t.expires_at <= ?9 THEN 'expired' "    \
    "ELSE t.status END"
#define ORG_COLS "id, code, kind, name, bank_bin, account, account_name, prefix"
#define PAYER_COLS                                                             \
    "code, name, category, zone, class_name AS class, guardian, bank_bin, "    \
    "bank_account, active, credit, bank_account_name"
/* ?3 and ?4: LIKE patterns of the folded search text (payers.c), ?7 one
 * payer's code, ?8 1: only those with their own account, ?9 1: only
 * those holding credit */
#define PAYER_FILTER                                                           \
    " WHERE org_id = ?1 AND (CAST(?3 AS TEXT) IS NULL"                         \
    " OR search_key LIKE ?3 OR search_key LIKE ?4)"                            \
    " AND (CAST(?7 AS TEXT) IS NULL OR code = ?7)"                             \
    " AND (?8 = 0 OR bank_account <> '') AND (?9 = 0 OR credit > 0)"
#define INVOICE_FILTER                                                         \
    " WHERE i.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"       \
    " AND (CAST(?3 AS TEXT) IS NULL OR i.period = ?3)"                         \
    " AND (CAST(?4 AS TEXT) IS NULL OR " INV_STATUS " = ?4"                    \
    " OR (?4 = 'unpaid' AND i.paid < i.amount))"
#define INTENT_FILTER                                                          \
    " WHERE t.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"       \
    " AND (CAST(?3 AS TEXT) IS NULL OR " INTENT_STATUS " = ?3)"                \
    " AND t.created_at >= ?4"
#define PAYMENT_FILTER                                                         \
    " WHERE pm.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"      \
    " AND (CAST(?3 AS TEXT) IS NULL OR pm.method = ?3)"                        \
    " AND pm.created_at >= ?4"

static const char *const sqls[Q__COUNT] = {
    [Q_AUTH_KIOSK] = "SELECT id, org_id, key_hash, coalesce((SELECT"
                     " last_used_at FROM credential_times c WHERE"
                     " c.kind = 'kiosk' AND c.id = kiosks.id), 0)"
                     " FROM kiosks WHERE key_hash = ?1 AND active = 1",
    [Q_AUTH_TOKEN] = "SELECT id, role, coalesce(org_id, 0), key_hash,"
                     " coalesce((SELECT last_used_at FROM credential_times c"
                     " WHERE c.kind = 'token' AND c.id = tokens.id), 0),"
                     " coalesce(province, '') FROM tokens WHERE"
                     " key_hash = ?1 AND active = 1",
    [Q_KIOSK_ADD] = "INSERT INTO kiosks(org_id, name, key_hash, created_at)"
                    " VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [Q_TOKEN_ADD] = "INSERT INTO tokens(role, org_id, key_hash, created_at,"
                    " province) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    [Q_ORG_BY_CODE] = "SELECT " ORG_COLS " FROM orgs WHERE code = ?1",
    [Q_ORG_BY_ID] = "SELECT " ORG_COLS " FROM orgs WHERE id = ?1",
    [Q_ORG_LIST] = "SELECT " ORG_COLS " FROM orgs"
                   " WHERE ?1 = 0 OR id = ?1 ORDER BY code",
    [Q_ORG_INSERT] = "INSERT INTO orgs(code, kind, name, bank_bin, account,"
                     " account_name, prefix, created_at, updated_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    [Q_ORG_UPDATE] = "UPDATE orgs SET name = coalesce(?2, name),"
                     " bank_bin = coalesce(?3, bank_bin),"
                     " account = coalesce(?4, account),"
                     " account_name = coalesce(?5, account_name),"
                     " prefix = coalesce(?6, prefix), updated_at = ?7"
                     " WHERE code = ?1",
    [Q_AUDIT_LAST] = "SELECT hash FROM audit ORDER BY id DESC LIMIT 1",
    [Q_AUDIT_INSERT] = "INSERT INTO audit(at, actor, action, object, detail,"
                       " prev_hash, hash, org_id)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [Q_AUDIT_ALL] = "SELECT at, actor, action, object, detail, prev_hash,"
                    " hash, CASE WHEN id >= coalesce((SELECT from_id FROM"
                    " audit_encodings WHERE version = 2), 1) THEN 2 ELSE 1"
                    " END FROM audit ORDER BY id",
    [Q_PAYER_ID] = "SELECT id, name FROM payers WHERE org_id = ?1"
                   " AND code = ?2",
    [Q_PAYER_GET] = "SELECT id, " PAYER_COLS " FROM payers WHERE org_id = ?1"
                    " AND code = ?2",
    [Q_PAYER_INSERT] = "INSERT INTO payers(org_id, code, name, category,"
                       " zone, class_name, guardian, bank_bin, bank_account,"
                       " active, bank_account_name, search_key) VALUES (?1,"
                       " ?2, ?3, coalesce(?4, ''), coalesce(?5, ''),"
                       " coalesce(?6, ''), coalesce(?7, ''), coalesce(?8, ''),"
                       " coalesce(?9, ''), coalesce(?10, 1),"
                       " coalesce(?11, ''), ?12)",
    [Q_PAYER_UPDATE] = "UPDATE payers SET name = coalesce(?3, name),"
                       " category = coalesce(?4, category),"
                       " zone = coalesce(?5, zone),"
                       " class_name = coalesce(?6, class_name),"
                       " guardian = coalesce(?7, guardian),"
                       " bank_bin = coalesce(?8, bank_bin),"
                       " bank_account = coalesce(?9, bank_account),"
                       " active = coalesce(?10, active),"
                       " bank_account_name = coalesce(?11,"
                       " bank_account_name)"
                       " WHERE org_id = ?1 AND code = ?2",
    [Q_PAYER_SET_KEY] = "UPDATE payers SET search_key = ?3"
                        " WHERE org_id = ?1 AND code = ?2",
    [Q_PAYER_LIST] = "SELECT id, " PAYER_COLS " FROM payers" PAYER_FILTER
                     " AND id > ?2 ORDER BY id LIMIT ?5 OFFSET ?6",
    [Q_PAYER_COUNT] = "SELECT count(*) FROM payers" PAYER_FILTER,
    [Q_FEE_INSERT] = "INSERT INTO fees(org_id, code, label, kind, category,"
                     " amount, active) VALUES (?1, ?2, ?3, ?4,"
                     " coalesce(?5, ''), ?6, coalesce(?7, 1))",
    [Q_FEE_UPDATE] = "UPDATE fees SET label = coalesce(?3, label),"
                     " category = coalesce(?5, category),"
                     " amount = coalesce(?6, amount),"
                     " active = coalesce(?7, active)"
                     " WHERE org_id = ?1 AND code = ?2"
                     " AND (CAST(?4 AS TEXT) IS NULL OR kind = ?4)",
    [Q_FEE_GET] = "SELECT id, code, label, kind, category, amount, active"
                  " FROM fees WHERE org_id = ?1 AND code = ?2",
    [Q_FEE_LIST] = "SELECT id, code, label, kind, category, amount, active"
                   " FROM fees WHERE org_id = ?1 ORDER BY code",
    [Q_FEES_OF_KIND] = "SELECT id, label, category, amount FROM fees"
                       " WHERE org_id = ?1 AND kind = ?2 AND active = 1"
                       " ORDER BY id",
    /* dated ?8, the first open day (sqr_open_day) */
    [Q_INVOICE_GEN] = "INSERT INTO invoices(org_id, payer_id,"
                      " fee_id, period, label, amount, created_at, day)"
                      " SELECT ?1, p.id, ?2, ?3, ?4, ?5, ?6, ?8 FROM payers p"
                      " WHERE p.org_id = ?1 AND p.active = 1"
                      " AND (?7 = '' OR p.category = ?7) ORDER BY p.id"
                      " ON CONFLICT DO NOTHING",
    [Q_INVOICE_LIST] =
        "SELECT i.id, p.code AS payer, f.code AS fee, i.period, i.label,"
        " i.amount, i.paid, i.amount - i.paid AS due, " INV_STATUS
        " AS status, i.created_at FROM invoices i"
        " JOIN payers p ON p.id = i.payer_id"
        " JOIN fees f ON f.id = i.fee_id" INVOICE_FILTER
        " AND i.id > ?5 ORDER BY i.id LIMIT ?6 OFFSET ?7",
    [Q_INVOICE_COUNT] = "SELECT count(*) FROM invoices i"
                        " JOIN payers p ON p.id = i.payer_id" INVOICE_FILTER,
    [Q_DUES] = "SELECT i.id, i.label, i.period, i.amount, i.paid,"
               " i.amount - i.paid AS due FROM invoices i"
               " WHERE i.payer_id = ?1 AND i.paid < i.amount"
               " ORDER BY i.period, i.id",
    [Q_INVOICE_GET] = "SELECT id, payer_id, amount, paid, period FROM"
                      " invoices WHERE id = ?1 AND org_id = ?2",
    [Q_INVOICE_PAY] = "UPDATE invoices SET paid = paid + ?2"
                      " WHERE id = ?1 AND paid + ?2 <= amount",
    [Q_INTENT_INSERT] = "INSERT INTO intents(org_id, payer_id, kiosk_id,"
                        " code, amount, status, payload, created_at,"
                        " expires_at) VALUES (?1, ?2, ?3, ?4, ?5,"
                        " 'pending', ?6, ?7, ?8) RETURNING id",
    /* a fresh code: nothing when an intent or a reserved code has it */
    [Q_INTENT_INSERT_FRESH] = "INSERT INTO intents(org_id, payer_id,"
                              " kiosk_id, code, amount, status, payload,"
                              " created_at, expires_at) SELECT ?1, ?2, ?3,"
                              " ?4, ?5, 'pending', ?6, ?7, ?8 WHERE NOT"
                              " EXISTS (SELECT 1 FROM reserved_codes"
                              " WHERE code = ?4) ON CONFLICT DO NOTHING"
                              " RETURNING id",
    [Q_INTENT_LINK] = "INSERT INTO intent_invoices(intent_id, invoice_id,"
                      " seq) VALUES (?1, ?2, ?3)",
    [Q_INTENT_GET] =
        "SELECT t.id, t.code, t.status, t.amount, t.paid, t.payload,"
        " t.created_at, t.expires_at, t.reason, p.code, p.name, t.org_id,"
        " o.bank_bin, o.account, o.account_name"
        " FROM intents t JOIN payers p ON p.id = t.payer_id"
        " JOIN orgs o ON o.id = t.org_id WHERE t.id = ?1",
    [Q_INTENT_BY_CODE] = "SELECT id, payer_id, amount, paid FROM intents"
                         " WHERE code = ?1 AND org_id = ?2",
    [Q_INTENT_INVOICES] = "SELECT ii.invoice_id, i.period, i.amount, i.paid"
                          " FROM intent_invoices ii JOIN invoices i"
                          " ON i.id = ii.invoice_id WHERE ii.intent_id = ?1"
                          " ORDER BY i.period, i.id",
    [Q_INTENT_SET] = "UPDATE intents SET status = ?2, paid = ?3,"
                     " closed_at = ?4, reason = ?5 WHERE id = ?1",
    [Q_INTENTS_FOR_INVOICE] =
        "SELECT DISTINCT ii.intent_id FROM intent_invoices ii"
        " JOIN intents t ON t.id = ii.intent_id"
        " WHERE ii.invoice_id = ?1 AND t.status = 'pending'",
    [Q_INTENT_LIST] =
        "SELECT t.id, t.code, " INTENT_STATUS " AS status, t.amount,"
        " t.paid, p.code AS payer, t.created_at, t.expires_at"
        " FROM intents t JOIN payers p ON p.id = t.payer_id" INTENT_FILTER
        " AND t.id > ?5 ORDER BY t.id LIMIT ?6 OFFSET ?7",
    [Q_INTENT_COUNT] = "SELECT count(*) FROM intents t"
                       " JOIN payers p ON p.id = t.payer_id" INTENT_FILTER,
    /* dated ?10, the first open day (sqr_open_day) */
    [Q_PAYMENT_INSERT] = "INSERT INTO payments(org_id, payer_id, intent_id,"
                         " method, amount, reference, source, actor,"
                         " created_at, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                         " ?7, ?8, ?9, ?10) RETURNING id",
    [Q_PAYMENT_SET_UNALLOC] = "UPDATE payments SET unallocated = ?2,"
                              " flag = ?3 WHERE id = ?1",
    /* dated ?4: the first open day as of now, never before its payment
       (allocate) */
    [Q_ALLOC_INSERT] = "INSERT INTO allocations(payment_id, invoice_id,"
                       " amount, day) VALUES (?1, ?2, ?3, ?4)",
    /* what dates an allocation of payment ?1 */
    [Q_PAYMENT_DAY] = "SELECT org_id, day FROM payments WHERE id = ?1",
    [Q_CASH_INSERT] = "INSERT INTO cash_records(payment_id, kiosk_id,"
                      " collector, note, created_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_PAYER_CREDIT] = "UPDATE payers SET credit = credit + ?2 WHERE id = ?1",
    [Q_PAYMENT_BY_REF] = "SELECT id FROM payments WHERE org_id = ?1"
                         " AND method = 'transfer' AND reference = ?2",
    [Q_PAYMENT_LIST] =
        "SELECT pm.id, pm.method, pm.amount, pm.unallocated, pm.flag,"
        " p.code AS payer, t.code AS intent, pm.reference, pm.source,"
        " c.collector, pm.created_at, coalesce(pm.day, '') FROM payments pm"
        " JOIN payers p ON p.id = pm.payer_id"
        " LEFT JOIN intents t ON t.id = pm.intent_id"
        " LEFT JOIN cash_records c ON c.payment_id = pm.id" PAYMENT_FILTER
        " AND pm.id > ?5 ORDER BY pm.id LIMIT ?6 OFFSET ?7",
    [Q_PAYMENT_COUNT] = "SELECT count(*) FROM payments pm"
                        " JOIN payers p ON p.id = pm.payer_id" PAYMENT_FILTER,
    [Q_ALLOCS_OF_PAYMENT] = "SELECT invoice_id AS invoice, amount,"
                            " coalesce(day, '') FROM allocations"
                            " WHERE payment_id = ?1 ORDER BY id",
    [Q_IDEM_GET] = "SELECT body_hash, status, response FROM idempotency"
                   " WHERE scope = ?1 AND key = ?2",
    [Q_IDEM_PUT] = "INSERT INTO idempotency(scope, key, body_hash, status,"
                   " response, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [Q_DIR_PAYERS] = "SELECT code, name, category, zone, class_name AS"
                     " class FROM payers WHERE org_id = ?1"
                     " AND active = 1 ORDER BY code",
    [Q_DIR_FEES] = "SELECT code, label, kind, category, amount FROM fees"
                   " WHERE org_id = ?1 AND active = 1 ORDER BY code",
    [Q_STATS_INTENTS] =
        "SELECT CASE WHEN status = 'pending' AND expires_at <= ?1"
        " THEN 'expired' ELSE status END, count(*) FROM intents GROUP BY 1",
    /* nothing when an intent or a reserved code has the code */
    [Q_CODE_RESERVE] = "INSERT INTO reserved_codes(code, org_id, kiosk_id,"
                       " created_at) SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS"
                       " (SELECT 1 FROM intents WHERE code = ?1)"
                       " ON CONFLICT DO NOTHING",
    [Q_INTENT_PAYMENTS] = "SELECT id, method, amount, reference, created_at"
                          " AS at FROM payments WHERE intent_id = ?1"
                          " ORDER BY id",
    [Q_CODE_RESERVED] = "SELECT kiosk_id, intent_id FROM reserved_codes"
                        " WHERE code = ?1 AND org_id = ?2",
    [Q_CODE_CLAIM] = "UPDATE reserved_codes SET intent_id = ?2"
                     " WHERE code = ?1 AND intent_id IS NULL",
    [Q_CODES_OPEN] = "SELECT count(*) FROM reserved_codes WHERE kiosk_id = ?1"
                     " AND intent_id IS NULL",
    [Q_STATS_PAYMENTS] = "SELECT method, count(*), coalesce(sum(amount), 0)"
                         " FROM payments GROUP BY method",
};

/* Record and log a failure of the connection (-STORE_E_IO). */
int sqi_conn_fail(struct sqi_conn *c, const char *what)
{
    return sqi_db_error(c->dbh, -DB_E_IO, what);
}

/* The cached statement `id`, reset with no bindings; NULL on failure. */
struct db_stmt *sqi_q(struct sqi_conn *c, enum sqi_q id)
{
    struct db_stmt *st = db_q(c->dbh, sqls[id]);

    if (st == NULL)
        sqi_conn_fail(c, "prepare");
    return st;
}

/* The cached statement for `sql`, a literal; NULL on failure. */
struct db_stmt *sqi_qs(struct sqi_conn *c, const char *sql)
{
    struct db_stmt *st = db_q(c->dbh, sql);

    if (st == NULL)
        sqi_conn_fail(c, "prepare");
    return st;
}

void sqi_bt(struct db_stmt *st, int i, const char *s)
{
    db_bind_text(st, i, s);
}

void sqi_bi(struct db_stmt *st, int i, int64_t v)
{
    db_bind_int64(st, i, v);
}

/* Step: 1 row, 0 done, negative error (constraint -> CONFLICT). */
int sqi_step(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc < 0 ? sqi_db_error(c->dbh, rc, "step") : rc;
}

/* Run a statement that returns no rows. */
int sqi_exec1(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = sqi_step(c, st);

    db_reset(st);
    return rc < 0 ? rc : 0;
}

/*
 * Run an INSERT ... RETURNING id: *id gets the new row's id, or 0 when
 * the insert did nothing (ON CONFLICT DO NOTHING).
 */
int sqi_insert_id(struct sqi_conn *c, struct db_stmt *st, int64_t *id)
{
    int rc = sqi_step(c, st);

    *id = 0;
    if (rc == 1) {
        *id = db_column_int64(st, 0);
        rc = sqi_step(c, st);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

/* The current row as a JSON object keyed by column names. */
json_t *sqi_row_json(struct db_stmt *st)
{
    json_t *o = json_object();
    int i, n = db_column_count(st);

    for (i = 0; i < n; i++) {
        const char *name = db_column_name(st, i);
        json_t *v;

        switch (db_column_type(st, i)) {
        case DB_INTEGER:
            v = json_integer(db_column_int64(st, i));
            break;
        case DB_TEXT:
            v = json_string(db_column_text(st, i));
            if (v == NULL)
                v = json_null();
            break;
        default:
            v = json_null();
        }
        json_object_set_new(o, name, v);
    }
    return o;
}

const char *sqi_col_text(struct db_stmt *st, int i)
{
    const char *s = db_column_text(st, i);

    return s ? s : "";
}

int sqi_col_dup(struct db_stmt *st, int i, char **out)
{
    *out = strdup(sqi_col_text(st, i));
    if (*out != NULL)
        return 0;
    store_set_error("out_of_memory", "out of memory reading a row");
    return -STORE_E_IO;
}

int sqi_col_dup_or_null(struct db_stmt *st, int i, char **out)
{
    *out = NULL;
    if (db_column_type(st, i) == DB_NULL)
        return 0;
    return sqi_col_dup(st, i, out);
}

int sqi_room(void **array, size_t n, size_t size)
{
    size_t cap = n ? 2 * n : 1;
    void *p;

    if (n != 0 && (n & (n - 1)) != 0)
        return 0; /* room left: the array holds the next power of two */
    p = cap <= SIZE_MAX / size ? realloc(*array, cap * size) : NULL;
    if (p == NULL) {
        store_set_error("out_of_memory", "out of memory reading rows");
        return -STORE_E_IO;
    }
    *array = p;
    return 0;
}

int sqi_rows_read(struct sqi_conn *c, struct db_stmt *st, size_t size,
                  int (*read)(struct db_stmt *st, void *row), void **rows,
                  size_t *n)
{
    void *a = NULL;
    size_t k = 0;
    int rc;

    while ((rc = sqi_step(c, st)) == 1) {
        rc = sqi_room(&a, k, size);
        if (rc == 0)
            rc = read(st, (char *)a + k * size);
        if (rc != 0)
            break;
        k++;
    }
    db_reset(st);
    *rows = a;
    *n = k;
    return rc < 0 ? rc : 0;
}

int sqi_row_fetch(struct sqi_conn *c, enum sqi_q q, int64_t org,
                  const char *code, int (*read)(struct db_stmt *st, void *row),
                  void *row, json_t **detail, const char *error,
                  const char *what)
{
    struct db_stmt *st = sqi_q(c, q);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, code);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error(error, "no %s '%s'", what, code);
        return -STORE_E_NOT_FOUND;
    }
    rc = read(st, row);
    if (rc == 0) {
        *detail = sqi_row_json(st);
        json_object_del(*detail, "id");
    }
    db_reset(st);
    return rc;
}

int64_t sqi_lim(const struct store_filter *f)
{
    return (f && f->limit > 0 && f->limit <= 1000) ? f->limit : 100;
}

int sqi_count(struct sqi_conn *c, struct db_stmt *st, int64_t *total)
{
    int rc = sqi_step(c, st);

    if (rc < 0)
        return rc;
    *total = rc > 0 ? db_column_int64(st, 0) : 0;
    db_reset(st);
    return 0;
}

/* The same at the level of db.h, for the report files (a db handle, no
 * connection). */

void sqr_copy_col(struct db_stmt *st, int i, char *out, size_t cap)
{
    const char *t = db_column_text(st, i);

    snprintf(out, cap, "%s", t ? t : "");
}

/*
 * The connection's cached statement for `sql` (a string with static
 * storage: db_q keeps it by address) into *st: 0, or the store's error
 * with *st NULL. Give it back with sqr_done().
 */
int sqr_stmt(struct db *db, const char *sql, struct db_stmt **st)
{
    *st = db_q(db, sql);
    return *st != NULL ? 0 : sqi_db_error(db, -DB_E_SQL, "prepare");
}

/* Reset a statement from sqr_stmt() for its next use; NULL does nothing. */
void sqr_done(struct db_stmt *st)
{
    db_reset(st);
}

/* One step of `st` of `db`: 1 row, 0 done, or the store's error. */
int sqr_step(struct db *db, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc >= 0 ? rc : sqi_db_error(db, rc, "step");
}
