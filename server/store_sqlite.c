/*
 * store_sqlite.c: the SQLite backend of the store interface. A small pool
 * of connections (WAL, synchronous=FULL, foreign keys, busy timeout), each
 * with its own cache of prepared statements; writes are serialised by one
 * mutex and run in BEGIN IMMEDIATE transactions, so every money movement,
 * its idempotency record and its audit entry commit together or not at all.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "intent.h"
#include "money.h"
#include "schema_pgsql.h"
#include "store.h"
#include "store/store_int.h"

/* ---- schema ----------------------------------------------------------- */

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

/*
 * The audit hash encoding: entries up to this migration keep version 1
 * (fields joined by newlines) and are verified that way; every entry from
 * `from_id` on is version 2 (every field length-prefixed). One fixed row,
 * written once: running the migration again changes nothing.
 */
const char *const sqi_migration_audit_v2[] = {
    "CREATE TABLE IF NOT EXISTS audit_encodings("
    " version INTEGER PRIMARY KEY,"
    " from_id INTEGER NOT NULL);",
    "INSERT OR IGNORE INTO audit_encodings(version, from_id)"
    " SELECT 2, coalesce(max(id), 0) + 1 FROM audit;",
    "CREATE TRIGGER IF NOT EXISTS audit_encodings_no_update BEFORE UPDATE"
    " ON audit_encodings BEGIN SELECT RAISE(ABORT, 'audit encodings are"
    " fixed'); END;",
    "CREATE TRIGGER IF NOT EXISTS audit_encodings_no_delete BEFORE DELETE"
    " ON audit_encodings BEGIN SELECT RAISE(ABORT, 'audit encodings are"
    " fixed'); END;",
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

/* A credential's last_used_at is written at most this often (seconds). */
#define LAST_USED_SECS 60

/* ---- statements --------------------------------------------------------- */

#define INV_STATUS                                                             \
    "CASE WHEN i.paid >= i.amount THEN 'paid' WHEN i.paid > 0 "                \
    "THEN 'partial' ELSE 'open' END"
#define INTENT_STATUS                                                          \
    "CASE WHEN t.status = 'pending' AND t.expires_at <= ?9 THEN 'expired' "    \
    "ELSE t.status END"
#define ORG_COLS "id, code, kind, name, bank_bin, account, account_name, prefix"
#define PAYER_COLS                                                             \
    "code, name, category, zone, class_name AS class, guardian, bank_bin, "    \
    "bank_account, active, credit"

enum q {
    Q_AUTH_KIOSK,
    Q_AUTH_TOKEN,
    Q_KIOSK_ADD,
    Q_TOKEN_ADD,
    Q_ORG_BY_CODE,
    Q_ORG_BY_ID,
    Q_ORG_LIST,
    Q_ORG_INSERT,
    Q_ORG_UPDATE,
    Q_AUDIT_LAST,
    Q_AUDIT_INSERT,
    Q_AUDIT_ALL,
    Q_PAYER_ID,
    Q_PAYER_GET,
    Q_PAYER_INSERT,
    Q_PAYER_UPDATE,
    Q_PAYER_LIST,
    Q_FEE_INSERT,
    Q_FEE_UPDATE,
    Q_FEE_GET,
    Q_FEE_LIST,
    Q_FEES_OF_KIND,
    Q_INVOICE_GEN,
    Q_INVOICE_LIST,
    Q_DUES,
    Q_INVOICE_GET,
    Q_INVOICE_PAY,
    Q_INTENT_INSERT,
    Q_INTENT_INSERT_FRESH,
    Q_INTENT_LINK,
    Q_INTENT_GET,
    Q_INTENT_BY_CODE,
    Q_INTENT_INVOICES,
    Q_INTENT_SET,
    Q_INTENTS_FOR_INVOICE,
    Q_INTENT_LIST,
    Q_PAYMENT_INSERT,
    Q_PAYMENT_SET_UNALLOC,
    Q_ALLOC_INSERT,
    Q_PAYMENT_DAY,
    Q_CASH_INSERT,
    Q_PAYER_CREDIT,
    Q_PAYMENT_BY_REF,
    Q_PAYMENT_LIST,
    Q_ALLOCS_OF_PAYMENT,
    Q_IDEM_GET,
    Q_IDEM_PUT,
    Q_DIR_PAYERS,
    Q_DIR_FEES,
    Q_STATS_INTENTS,
    Q_STATS_PAYMENTS,
    Q_CODE_RESERVE,
    Q_INTENT_PAYMENTS,
    Q_CODE_RESERVED,
    Q_CODE_CLAIM,
    Q_CODES_OPEN,
    Q__COUNT
};

static const char *const sqls[Q__COUNT] = {
    [Q_AUTH_KIOSK] = "SELECT id, org_id, key_hash, coalesce((SELECT"
                     " last_used_at FROM credential_times c WHERE"
                     " c.kind = 'kiosk' AND c.id = kiosks.id), 0)"
                     " FROM kiosks WHERE key_hash = ?1 AND active = 1",
    [Q_AUTH_TOKEN] = "SELECT id, role, coalesce(org_id, 0), key_hash,"
                     " coalesce((SELECT last_used_at FROM credential_times c"
                     " WHERE c.kind = 'token' AND c.id = tokens.id), 0)"
                     " FROM tokens WHERE key_hash = ?1 AND active = 1",
    [Q_KIOSK_ADD] = "INSERT INTO kiosks(org_id, name, key_hash, created_at)"
                    " VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [Q_TOKEN_ADD] = "INSERT INTO tokens(role, org_id, key_hash, created_at)"
                    " VALUES (?1, ?2, ?3, ?4) RETURNING id",
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
                       " prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_AUDIT_ALL] = "SELECT at, actor, action, object, detail, prev_hash,"
                    " hash, CASE WHEN id >= coalesce((SELECT from_id FROM"
                    " audit_encodings WHERE version = 2), 1) THEN 2 ELSE 1"
                    " END FROM audit ORDER BY id",
    [Q_PAYER_ID] = "SELECT id, name FROM payers WHERE org_id = ?1"
                   " AND code = ?2",
    [Q_PAYER_GET] = "SELECT " PAYER_COLS " FROM payers WHERE org_id = ?1"
                    " AND code = ?2",
    [Q_PAYER_INSERT] = "INSERT INTO payers(org_id, code, name, category,"
                       " zone, class_name, guardian, bank_bin, bank_account,"
                       " active) VALUES (?1, ?2, ?3, coalesce(?4, ''),"
                       " coalesce(?5, ''), coalesce(?6, ''), coalesce(?7, ''),"
                       " coalesce(?8, ''), coalesce(?9, ''),"
                       " coalesce(?10, 1))",
    [Q_PAYER_UPDATE] = "UPDATE payers SET name = coalesce(?3, name),"
                       " category = coalesce(?4, category),"
                       " zone = coalesce(?5, zone),"
                       " class_name = coalesce(?6, class_name),"
                       " guardian = coalesce(?7, guardian),"
                       " bank_bin = coalesce(?8, bank_bin),"
                       " bank_account = coalesce(?9, bank_account),"
                       " active = coalesce(?10, active)"
                       " WHERE org_id = ?1 AND code = ?2",
    [Q_PAYER_LIST] = "SELECT id, " PAYER_COLS " FROM payers"
                     " WHERE org_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
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
    [Q_FEE_LIST] = "SELECT code, label, kind, category, amount, active"
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
        " JOIN payers p ON p.id = i.payer_id JOIN fees f ON f.id = i.fee_id"
        " WHERE i.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"
        " AND (CAST(?3 AS TEXT) IS NULL OR i.period = ?3)"
        " AND (CAST(?4 AS TEXT) IS NULL OR " INV_STATUS " = ?4)"
        " AND i.id > ?5 ORDER BY i.id LIMIT ?6",
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
        " FROM intents t JOIN payers p ON p.id = t.payer_id"
        " WHERE t.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"
        " AND (CAST(?3 AS TEXT) IS NULL OR " INTENT_STATUS " = ?3)"
        " AND t.created_at >= ?4 AND t.id > ?5 ORDER BY t.id LIMIT ?6",
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
        " c.collector, pm.created_at FROM payments pm"
        " JOIN payers p ON p.id = pm.payer_id"
        " LEFT JOIN intents t ON t.id = pm.intent_id"
        " LEFT JOIN cash_records c ON c.payment_id = pm.id"
        " WHERE pm.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR p.code = ?2)"
        " AND (CAST(?3 AS TEXT) IS NULL OR pm.method = ?3)"
        " AND pm.created_at >= ?4"
        " AND pm.id > ?5 ORDER BY pm.id LIMIT ?6",
    [Q_ALLOCS_OF_PAYMENT] = "SELECT invoice_id AS invoice, amount FROM"
                            " allocations WHERE payment_id = ?1 ORDER BY id",
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

/* ---- connections ---------------------------------------------------------
 */

struct sqi_conn {
    struct db *dbh;        /* one connection */
    int64_t woken[64];     /* intents to wake after commit */
    int n_woken;           /* count of `woken` */
    struct sqi_conn *next; /* free list link */
};

struct sq {
    struct store base;          /* must be first */
    pthread_mutex_t mu;         /* guards `free_list` */
    pthread_cond_t cv;          /* signalled when a connection is returned */
    struct sqi_conn *free_list; /* idle connections */
    struct sqi_conn *conns;     /* all connections */
    int n;                      /* count of `conns` */
    pthread_mutex_t wmu;        /* serialises write transactions */
};

static struct sqi_conn *get_conn(struct sq *s)
{
    struct sqi_conn *c;

    pthread_mutex_lock(&s->mu);
    while (s->free_list == NULL)
        pthread_cond_wait(&s->cv, &s->mu);
    c = s->free_list;
    s->free_list = c->next;
    pthread_mutex_unlock(&s->mu);
    return c;
}

static void put_conn(struct sq *s, struct sqi_conn *c)
{
    pthread_mutex_lock(&s->mu);
    c->next = s->free_list;
    s->free_list = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int sqi_db_error(struct db *dbh, int rc, const char *what)
{
    if (rc == -DB_E_CONFLICT || rc == -DB_E_GUARD) {
        store_set_error("conflict", "%s", db_errmsg(dbh));
        return -STORE_E_CONFLICT;
    }
    store_set_error("storage_unavailable", "%s: %s", what, db_errmsg(dbh));
    fprintf(stderr, "<3>chopay-server: event=db_error what=\"%s\" err=\"%s\"\n",
            what, db_errmsg(dbh));
    return -STORE_E_IO;
}

/* Record and log a failure of the connection (-STORE_E_IO). */
static int conn_fail(struct sqi_conn *c, const char *what)
{
    return sqi_db_error(c->dbh, -DB_E_IO, what);
}

/* The cached statement `id`, reset with no bindings; NULL on failure. */
static struct db_stmt *q(struct sqi_conn *c, enum q id)
{
    struct db_stmt *st = db_q(c->dbh, sqls[id]);

    if (st == NULL)
        conn_fail(c, "prepare");
    return st;
}

/* The cached statement for `sql`, a literal; NULL on failure. */
static struct db_stmt *qs(struct sqi_conn *c, const char *sql)
{
    struct db_stmt *st = db_q(c->dbh, sql);

    if (st == NULL)
        conn_fail(c, "prepare");
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

/* Step: 1 row, 0 done, negative error (constraint -> CONFLICT). */
static int step(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = db_step(st);

    return rc < 0 ? sqi_db_error(c->dbh, rc, "step") : rc;
}

/* Run a statement that returns no rows. */
static int exec1(struct sqi_conn *c, struct db_stmt *st)
{
    int rc = step(c, st);

    db_reset(st);
    return rc < 0 ? rc : 0;
}

/*
 * Run an INSERT ... RETURNING id: *id gets the new row's id, or 0 when
 * the insert did nothing (ON CONFLICT DO NOTHING).
 */
static int insert_id(struct sqi_conn *c, struct db_stmt *st, int64_t *id)
{
    int rc = step(c, st);

    *id = 0;
    if (rc == 1) {
        *id = db_column_int64(st, 0);
        rc = step(c, st);
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int begin_write(struct sq *s, struct sqi_conn *c)
{
    int rc;

    pthread_mutex_lock(&s->wmu);
    c->n_woken = 0;
    rc = db_begin(c->dbh, DB_WRITE);
    if (rc != 0) {
        rc = sqi_db_error(c->dbh, rc, "begin");
        pthread_mutex_unlock(&s->wmu);
    }
    return rc;
}

/* Tell the other nodes which intents this transaction changed; they
 * hear it only if it commits. */
static int notify_woken(struct sq *s, struct sqi_conn *c)
{
    char payload[64];
    int i, rc;

    for (i = 0; i < c->n_woken; i++) {
        snprintf(payload, sizeof(payload), "%lld %s", (long long)c->woken[i],
                 s->base.node);
        rc = db_notify(c->dbh, STORE_CHANNEL, payload);
        if (rc != 0)
            return sqi_db_error(c->dbh, rc, "notify");
    }
    return 0;
}

static int end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    if (rc == 0)
        rc = notify_woken(s, c);
    /* reset every statement so none holds the transaction open (db_end
       resets the connection's own) */
    if (db_end(c->dbh, rc) != 0 && rc == 0) {
        sqi_db_error(c->dbh, -DB_E_IO, "commit");
        rc = -STORE_E_IO;
    }
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

static int begin_read(struct sqi_conn *c)
{
    int rc = db_begin(c->dbh, DB_READ);

    return rc != 0 ? sqi_db_error(c->dbh, rc, "begin") : 0;
}

static void end_read(struct sqi_conn *c)
{
    if (db_in_txn(c->dbh))
        db_end(c->dbh, 0);
}

/* The current row as a JSON object keyed by column names. */
static json_t *row_json(struct db_stmt *st)
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

/* Every remaining row of `st` appended to a new array (*out). */
static int rows_json(struct sqi_conn *c, struct db_stmt *st, json_t **out)
{
    json_t *a = json_array();
    int rc;

    while ((rc = step(c, st)) == 1)
        json_array_append_new(a, row_json(st));
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static const char *col_text(struct db_stmt *st, int i)
{
    const char *s = db_column_text(st, i);

    return s ? s : "";
}

/* ---- audit log ------------------------------------------------------------
 */

/*
 * Version 1 of the entry hash, kept to verify the entries written with it:
 * SHA-256 hex of prev_hash and the fields joined by newlines (a newline
 * inside a field could move a boundary; version 2 cannot).
 */
static void audit_hash_v1(const char *prev, int64_t at, const char *actor,
                          const char *action, const char *object,
                          const char *detail, char out[65])
{
    char head[96];
    size_t lp = strlen(prev), la = strlen(actor), lac = strlen(action),
           lo = strlen(object), ld = strlen(detail), lh, len;
    char *buf;
    uint8_t h[CRYPTO_SHA256_LEN];

    snprintf(head, sizeof(head), "%lld\n", (long long)at);
    lh = strlen(head);
    len = lp + 1 + lh + la + 1 + lac + 1 + lo + 1 + ld;
    buf = malloc(len + 1);
    if (buf == NULL) {
        out[0] = '\0';
        return;
    }
    snprintf(buf, len + 1, "%s\n%s%s\n%s\n%s\n%s", prev, head, actor, action,
             object, detail);
    crypto_sha256(buf, len, h);
    crypto_hex(h, sizeof(h), out);
    free(buf);
}

/*
 * Version 2 of the entry hash: SHA-256 hex of "chopay-audit/2\n" then
 * prev_hash, at (decimal), actor, action, object and detail, each written
 * as its length in decimal, ':', its bytes and '\n', so that no choice of
 * field contents can shift a boundary between two fields. `out` is ""
 * when memory ran out.
 */
static void audit_hash_v2(const char *prev, int64_t at, const char *actor,
                          const char *action, const char *object,
                          const char *detail, char out[65])
{
    static const char tag[] = "chopay-audit/2\n";
    char at_text[24];
    const char *f[6];
    size_t i, len = sizeof(tag) - 1, o;
    uint8_t h[CRYPTO_SHA256_LEN];
    char *buf;

    snprintf(at_text, sizeof(at_text), "%lld", (long long)at);
    f[0] = prev;
    f[1] = at_text;
    f[2] = actor;
    f[3] = action;
    f[4] = object;
    f[5] = detail;
    for (i = 0; i < 6; i++)
        len += 22 + strlen(f[i]);
    buf = malloc(len + 1);
    if (buf == NULL) {
        out[0] = '\0';
        return;
    }
    memcpy(buf, tag, sizeof(tag) - 1);
    o = sizeof(tag) - 1;
    for (i = 0; i < 6; i++) {
        size_t fl = strlen(f[i]);

        o += (size_t)snprintf(buf + o, len + 1 - o, "%zu:", fl);
        memcpy(buf + o, f[i], fl);
        o += fl;
        buf[o++] = '\n';
    }
    crypto_sha256(buf, o, h);
    crypto_hex(h, sizeof(h), out);
    free(buf);
}

int sqi_audit_hash(int version, const char *prev, int64_t at, const char *actor,
                   const char *action, const char *object, const char *detail,
                   char out[65])
{
    if (version == 1)
        audit_hash_v1(prev, at, actor, action, object, detail, out);
    else if (version == 2)
        audit_hash_v2(prev, at, actor, action, object, detail, out);
    else
        return -STORE_E_INVALID;
    return out[0] != '\0' ? 0 : -STORE_E_IO;
}

/*
 * Append one entry to the hash-chained audit log (inside a write txn).
 * Takes over the reference to `detail` (may be NULL).
 */
static int audit(struct sqi_conn *c, int64_t at, const char *actor,
                 const char *action, const char *object, json_t *detail)
{
    char prev[65] = "0000000000000000000000000000000000000000000000000000"
                    "000000000000";
    char hash[65];
    char *d = NULL;
    struct db_stmt *st;
    int rc;

    st = q(c, Q_AUDIT_LAST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    rc = step(c, st);
    if (rc < 0)
        goto out;
    if (rc == 1)
        snprintf(prev, sizeof(prev), "%s", col_text(st, 0));
    db_reset(st);
    d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS)
               : strdup("{}");
    if (d == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    rc = sqi_audit_hash(2, prev, at, actor, action, object, d, hash);
    if (rc != 0)
        goto out;
    st = q(c, Q_AUDIT_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, at);
    bt(st, 2, actor);
    bt(st, 3, action);
    bt(st, 4, object);
    bt(st, 5, d);
    bt(st, 6, prev);
    bt(st, 7, hash);
    rc = exec1(c, st);
out:
    free(d);
    json_decref(detail);
    return rc;
}

static int sq_audit_verify(struct store *base, int64_t *entries)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    char prev[65] = "0000000000000000000000000000000000000000000000000000"
                    "000000000000";
    char hash[65];
    int64_t n = 0;
    struct db_stmt *st;
    int rc;

    rc = begin_read(c);
    if (rc != 0)
        goto out;
    st = q(c, Q_AUDIT_ALL);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    while ((rc = step(c, st)) == 1) {
        int version = (int)db_column_int64(st, 7);

        n++;
        if (strcmp(col_text(st, 5), prev) != 0) {
            store_set_error("audit_broken", "entry %lld: prev_hash breaks",
                            (long long)n);
            rc = -STORE_E_CONFLICT;
            break;
        }
        rc = sqi_audit_hash(version, prev, db_column_int64(st, 0),
                            col_text(st, 1), col_text(st, 2), col_text(st, 3),
                            col_text(st, 4), hash);
        if (rc == -STORE_E_INVALID) {
            store_set_error("audit_broken", "entry %lld: unknown version %d",
                            (long long)n, version);
            rc = -STORE_E_CONFLICT;
        }
        if (rc != 0)
            break;
        if (strcmp(hash, col_text(st, 6)) != 0) {
            store_set_error("audit_broken", "entry %lld: hash mismatch",
                            (long long)n);
            rc = -STORE_E_CONFLICT;
            break;
        }
        memcpy(prev, hash, sizeof(prev));
    }
    if (rc == 0)
        *entries = n;
out:
    end_read(c);
    put_conn(s, c);
    return rc;
}

/* ---- idempotency ----------------------------------------------------------
 */

/*
 * Look up (scope, key): 0 = not seen, 1 = replay into *out, or -IDEM when
 * the body differs.
 */
static int idem_get(struct sqi_conn *c, const char *scope,
                    const struct store_idem *idem, json_t **out)
{
    struct db_stmt *st = q(c, Q_IDEM_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bt(st, 1, scope);
    bt(st, 2, idem->key);
    rc = step(c, st);
    if (rc <= 0)
        return rc;
    if (strcmp(col_text(st, 0), idem->body_hash) != 0) {
        store_set_error("idempotency_key_reused",
                        "this Idempotency-Key was used with another request");
        return -STORE_E_IDEM;
    }
    *out = json_loads(col_text(st, 2), 0, NULL);
    if (*out == NULL)
        return conn_fail(c, "idempotency record");
    return 1;
}

static int idem_put(struct sqi_conn *c, const char *scope,
                    const struct store_idem *idem, int status, json_t *resp,
                    int64_t now)
{
    struct db_stmt *st;
    char *d = json_dumps(resp, JSON_COMPACT);
    int rc;

    if (d == NULL)
        return -STORE_E_IO;
    st = q(c, Q_IDEM_PUT);
    if (st == NULL) {
        free(d);
        return -STORE_E_IO;
    }
    bt(st, 1, scope);
    bt(st, 2, idem->key);
    bt(st, 3, idem->body_hash);
    bi(st, 4, status);
    bt(st, 5, d);
    bi(st, 6, now);
    rc = exec1(c, st);
    free(d);
    return rc;
}

/* ---- credentials ------------------------------------------------------------
 */

/*
 * Record that a kiosk key or token was used at `now`, in its own short
 * write: at most once per LAST_USED_SECS per credential, so reads stay
 * reads. A failure is logged and otherwise ignored (it must not refuse a
 * valid credential).
 */
static void touch_last_used(struct sq *s, struct sqi_conn *c, int kiosk,
                            int64_t id, int64_t now)
{
    struct db_stmt *st;
    int rc = sqi_begin_write(s, c);

    if (rc != 0)
        return;
    st = qs(c, "INSERT INTO credential_times(kind, id,"
               " last_used_at) VALUES (?4, ?1, ?2) ON"
               " CONFLICT(kind, id) DO UPDATE SET last_used_at = ?2"
               " WHERE coalesce(credential_times.last_used_at, 0) <= ?3");
    if (st == NULL) {
        rc = -STORE_E_IO;
    } else {
        bi(st, 1, id);
        bi(st, 2, now);
        bi(st, 3, now - LAST_USED_SECS);
        bt(st, 4, kiosk ? "kiosk" : "token");
        rc = exec1(c, st);
    }
    (void)sqi_end_write(s, c, rc < 0 ? rc : 0);
}

static int sq_auth(struct store *base, const char *hash,
                   struct store_principal *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct store_principal p = {0};
    struct db_stmt *st;
    int64_t last = 0, now = (int64_t)time(NULL);
    int rc;

    st = q(c, Q_AUTH_KIOSK);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bt(st, 1, hash);
    rc = step(c, st);
    if (rc == 1 && crypto_equal_str(col_text(st, 2), hash)) {
        p.role = STORE_ROLE_KIOSK;
        p.id = db_column_int64(st, 0);
        p.org_id = db_column_int64(st, 1);
        snprintf(p.actor, sizeof(p.actor), "kiosk:%lld", (long long)p.id);
        last = db_column_int64(st, 3);
        rc = 0;
        goto done;
    }
    if (rc < 0)
        goto out;
    db_reset(st);
    st = q(c, Q_AUTH_TOKEN);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bt(st, 1, hash);
    rc = step(c, st);
    if (rc < 0)
        goto out;
    if (rc == 0 || !crypto_equal_str(col_text(st, 3), hash)) {
        db_reset(st);
        store_set_error("unauthorized", "unknown credential");
        rc = -STORE_E_NOT_FOUND;
        goto out;
    }
    p.id = db_column_int64(st, 0);
    p.org_id = db_column_int64(st, 2);
    if (strcmp(col_text(st, 1), "admin") == 0)
        p.role = STORE_ROLE_ADMIN;
    else if (strcmp(col_text(st, 1), "board") == 0)
        p.role = STORE_ROLE_BOARD;
    else
        p.role = STORE_ROLE_AUDITOR;
    snprintf(p.actor, sizeof(p.actor), "token:%lld", (long long)p.id);
    last = db_column_int64(st, 4);
    rc = 0;
done:
    *out = p;
    db_reset(st);
    if (now - last >= LAST_USED_SECS)
        touch_last_used(s, c, p.role == STORE_ROLE_KIOSK, p.id, now);
out:
    put_conn(s, c);
    return rc;
}

/* The org id for `code`, inside an open transaction. */
static int org_id_of(struct sqi_conn *c, const char *code, int64_t *id)
{
    struct db_stmt *st = q(c, Q_ORG_BY_CODE);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bt(st, 1, code);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *id = db_column_int64(st, 0);
    db_reset(st);
    return 0;
}

static int sq_kiosk_add(struct store *base, const char *org_code,
                        const char *name, const char *hash, int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t org = 0, now = (int64_t)time(NULL);
    struct db_stmt *st;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = org_id_of(c, org_code, &org);
    if (rc != 0)
        goto done;
    st = q(c, Q_KIOSK_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, org);
    bt(st, 2, name);
    bt(st, 3, hash);
    bi(st, 4, now);
    rc = insert_id(c, st, id);
    if (rc != 0)
        goto done;
    rc = audit(c, now, "cli", "kiosk.add", org_code,
               json_pack("{s:s, s:I}", "name", name, "kiosk", *id));
done:
    rc = end_write(s, c, rc);
out:
    put_conn(s, c);
    return rc;
}

static int sq_token_add(struct store *base, const char *role,
                        const char *org_code, const char *hash, int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t org = 0, now = (int64_t)time(NULL);
    struct db_stmt *st;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    if (org_code != NULL) {
        rc = org_id_of(c, org_code, &org);
        if (rc != 0)
            goto done;
    }
    st = q(c, Q_TOKEN_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bt(st, 1, role);
    if (org)
        bi(st, 2, org);
    else
        db_bind_null(st, 2);
    bt(st, 3, hash);
    bi(st, 4, now);
    rc = insert_id(c, st, id);
    if (rc != 0)
        goto done;
    rc = audit(c, now, "cli", "token.add", org_code ? org_code : "*",
               json_pack("{s:s, s:I}", "role", role, "token", *id));
done:
    rc = end_write(s, c, rc);
out:
    put_conn(s, c);
    return rc;
}

/* ---- organisations ------------------------------------------------------- */

static json_t *org_row(struct db_stmt *st)
{
    json_t *o = row_json(st);

    json_object_del(o, "id");
    json_object_set_new(o, "bank", intent_bank_json(col_text(st, 4)));
    json_object_del(o, "bank_bin");
    return o;
}

static int org_fetch(struct sqi_conn *c, const char *code, json_t **out)
{
    struct db_stmt *st = q(c, Q_ORG_BY_CODE);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bt(st, 1, code);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *out = org_row(st);
    db_reset(st);
    return 0;
}

static json_t *org_detail(const struct store_org *o)
{
    json_t *d = json_object();

#define SETS(f)                                                                \
    if (o->f)                                                                  \
    json_object_set_new(d, #f, json_string(o->f))
    SETS(kind);
    SETS(name);
    SETS(bank_bin);
    SETS(account);
    SETS(account_name);
    SETS(prefix);
#undef SETS
    return d;
}

static int sq_org_create(struct store *base, const struct store_org *org,
                         const char *actor, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct sqi_account was, acct;
    struct store_org norm = *org, *o = &norm;
    struct db_stmt *st;
    json_t *res = NULL;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    /* the account in normal form, and no other organisation's */
    rc = sqi_org_account(c, NULL, org->bank_bin, org->account, &was, &acct);
    if (rc != 0)
        goto done;
    norm.bank_bin = acct.bin;
    norm.account = acct.key;
    st = q(c, Q_ORG_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bt(st, 1, o->code);
    bt(st, 2, o->kind);
    bt(st, 3, o->name);
    bt(st, 4, o->bank_bin);
    bt(st, 5, o->account);
    bt(st, 6, o->account_name);
    bt(st, 7, o->prefix);
    bi(st, 8, now);
    rc = exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("org_exists",
                        "an organisation with this code or prefix exists");
    if (rc != 0)
        goto done;
    rc = audit(c, now, actor, "org.create", o->code, org_detail(o));
    if (rc != 0)
        goto done;
    rc = org_fetch(c, o->code, &res);
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    put_conn(s, c);
    return rc;
}

static int sq_org_update(struct store *base, const char *code,
                         const struct store_org *org, const char *actor,
                         json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct sqi_account was, acct;
    struct store_org norm = *org, *o = &norm;
    struct db_stmt *st;
    json_t *res = NULL;
    int rc, moved = 0;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    if (org->bank_bin != NULL || org->account != NULL) {
        /* the account in normal form, and no other organisation's */
        rc = sqi_org_account(c, code, org->bank_bin, org->account, &was, &acct);
        if (rc != 0)
            goto done;
        norm.bank_bin = acct.bin;
        norm.account = acct.key;
        moved = strcmp(was.bin, acct.bin) != 0 || strcmp(was.key, acct.key);
    }
    st = q(c, Q_ORG_UPDATE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bt(st, 1, code);
    bt(st, 2, o->name);
    bt(st, 3, o->bank_bin);
    bt(st, 4, o->account);
    bt(st, 5, o->account_name);
    bt(st, 6, o->prefix);
    bi(st, 7, now);
    rc = exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("prefix_taken", "another organisation uses this "
                                        "payment-code prefix");
    if (rc != 0)
        goto done;
    if (db_changes(c->dbh) == 0) {
        store_set_error("org_not_found", "no organisation '%s'", code);
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = audit(c, now, actor, "org.update", code, org_detail(o));
    if (rc == 0 && moved)
        rc = audit(c, now, actor, "org.account", code,
                   json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "old", "bank_bin",
                             was.bin, "account", was.key, "new", "bank_bin",
                             acct.bin, "account", acct.key));
    if (rc != 0)
        goto done;
    rc = org_fetch(c, code, &res);
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    put_conn(s, c);
    return rc;
}

static int sq_org_get(struct store *base, const char *code, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int rc = org_fetch(c, code, out);

    put_conn(s, c);
    return rc;
}

static int sq_org_id(struct store *base, const char *code, int64_t *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int rc = org_id_of(c, code, out);

    put_conn(s, c);
    return rc;
}

static int sq_org_list(struct store *base, int64_t org_id, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct db_stmt *st = q(c, Q_ORG_LIST);
    json_t *a = json_array();
    int rc;

    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org_id);
    while ((rc = step(c, st)) == 1)
        json_array_append_new(a, org_row(st));
out:
    put_conn(s, c);
    if (rc < 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* ---- payers ----------------------------------------------------------------
 */

static int payer_fetch(struct sqi_conn *c, int64_t org, const char *code,
                       json_t **out)
{
    struct db_stmt *st = q(c, Q_PAYER_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bt(st, 2, code);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("payer_not_found", "no payer '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *out = row_json(st);
    db_reset(st);
    return 0;
}

/* Insert or update one payer; *created says which. In a write txn. */
static int payer_write(struct sqi_conn *c, int64_t org,
                       const struct store_payer *p, int mode, int *created)
{
    struct db_stmt *st;
    int rc;

    /* mode: 1 insert, 0 update, 2 upsert */
    if (mode != 1) {
        st = q(c, Q_PAYER_UPDATE);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, org);
        bt(st, 2, p->code);
        bt(st, 3, p->name);
        bt(st, 4, p->category);
        bt(st, 5, p->zone);
        bt(st, 6, p->class_name);
        bt(st, 7, p->guardian);
        bt(st, 8, p->bank_bin);
        bt(st, 9, p->bank_account);
        if (p->active >= 0)
            bi(st, 10, p->active);
        rc = exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) > 0) {
            *created = 0;
            return 0;
        }
        if (mode == 0) {
            store_set_error("payer_not_found", "no payer '%s'", p->code);
            return -STORE_E_NOT_FOUND;
        }
    }
    if (p->name == NULL) {
        store_set_error("invalid_field", "a new payer needs a name");
        return -STORE_E_INVALID;
    }
    st = q(c, Q_PAYER_INSERT);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bt(st, 2, p->code);
    bt(st, 3, p->name);
    /* a stall's fee category defaults to its zone */
    bt(st, 4, p->category ? p->category : p->zone);
    bt(st, 5, p->zone);
    bt(st, 6, p->class_name);
    bt(st, 7, p->guardian);
    bt(st, 8, p->bank_bin);
    bt(st, 9, p->bank_account);
    if (p->active >= 0)
        bi(st, 10, p->active);
    rc = exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("payer_exists", "payer '%s' already exists", p->code);
    if (rc == 0)
        *created = 1;
    return rc;
}

static int sq_payer_put(struct store *base, int64_t org,
                        const struct store_payer *p, int create,
                        const char *actor, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL);
    json_t *res = NULL;
    int rc, created = 0;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = payer_write(c, org, p, create ? 1 : 0, &created);
    if (rc != 0)
        goto done;
    rc = payer_fetch(c, org, p->code, &res);
    if (rc != 0)
        goto done;
    rc = audit(c, now, actor, created ? "payer.create" : "payer.update",
               p->code, json_deep_copy(res));
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    put_conn(s, c);
    return rc;
}

static int sq_payer_import(struct store *base, int64_t org,
                           const struct store_payer *rows, size_t n,
                           const char *actor, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL);
    size_t i, created = 0, updated = 0;
    int rc, cr = 0;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    for (i = 0; i < n && rc == 0; i++) {
        rc = payer_write(c, org, &rows[i], 2, &cr);
        if (cr)
            created++;
        else
            updated++;
    }
    if (rc != 0)
        goto done;
    rc = audit(c, now, actor, "payer.import", "payers",
               json_pack("{s:I, s:I}", "created", (json_int_t)created,
                         "updated", (json_int_t)updated));
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out =
            json_pack("{s:I, s:I, s:I}", "imported", (json_int_t)n, "created",
                      (json_int_t)created, "updated", (json_int_t)updated);
out:
    put_conn(s, c);
    return rc;
}

static int64_t lim(const struct store_filter *f)
{
    return (f && f->limit > 0 && f->limit <= 1000) ? f->limit : 100;
}

static int sq_payer_list(struct store *base, int64_t org,
                         const struct store_filter *f, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct db_stmt *st = q(c, Q_PAYER_LIST);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, org);
        bi(st, 2, f ? f->after_id : 0);
        bi(st, 3, lim(f));
        rc = rows_json(c, st, out);
    }
    put_conn(s, c);
    return rc;
}

/* ---- fees ------------------------------------------------------------------
 */

static int fee_fetch(struct sqi_conn *c, int64_t org, const char *code,
                     json_t **out)
{
    struct db_stmt *st = q(c, Q_FEE_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bt(st, 2, code);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("fee_not_found", "no fee '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *out = row_json(st);
    json_object_del(*out, "id");
    db_reset(st);
    return 0;
}

static int sq_fee_put(struct store *base, int64_t org,
                      const struct store_fee *f, int create, const char *actor,
                      json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st;
    json_t *res = NULL;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    st = q(c, create ? Q_FEE_INSERT : Q_FEE_UPDATE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, org);
    bt(st, 2, f->code);
    bt(st, 3, f->label);
    bt(st, 4, f->kind);
    bt(st, 5, f->category);
    if (f->amount > 0)
        bi(st, 6, f->amount);
    if (f->active >= 0)
        bi(st, 7, f->active);
    rc = exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("fee_exists", "fee '%s' already exists", f->code);
    if (rc != 0)
        goto done;
    if (!create && db_changes(c->dbh) == 0) {
        store_set_error("fee_not_found", "no fee '%s' (of that kind)", f->code);
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = fee_fetch(c, org, f->code, &res);
    if (rc != 0)
        goto done;
    rc = audit(c, now, actor, create ? "fee.create" : "fee.update", f->code,
               json_deep_copy(res));
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    put_conn(s, c);
    return rc;
}

static int sq_fee_list(struct store *base, int64_t org, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct db_stmt *st = q(c, Q_FEE_LIST);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, org);
        rc = rows_json(c, st, out);
    }
    put_conn(s, c);
    return rc;
}

/* ---- invoices --------------------------------------------------------------
 */

/* The fee kind a period names: YYYY-MM-DD, YYYY-MM, YYYY-HKn; else NULL. */
static const char *period_kind(const char *p)
{
    size_t n = strlen(p), i;
    int digits = 1;

    for (i = 0; i < 4 && i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            digits = 0;
    if (n < 6 || !digits || p[4] != '-')
        return NULL;
    if (n == 10 && p[7] == '-' && strspn(p + 5, "0123456789") == 2 &&
        strspn(p + 8, "0123456789") == 2)
        return "daily";
    if (n == 7 && strspn(p + 5, "0123456789") == 2)
        return "monthly";
    if (n == 8 && p[5] == 'H' && p[6] == 'K' && p[7] >= '1' && p[7] <= '3')
        return "term";
    return NULL;
}

static int gen_one(struct sqi_conn *c, int64_t org, int64_t fee_id,
                   const char *label, const char *category, int64_t amount,
                   const char *period, int64_t now, int64_t *count)
{
    struct db_stmt *st;
    char full[256], day[11];
    int rc;

    /* dated on the first open day as of now */
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0)
        return rc;
    st = q(c, Q_INVOICE_GEN);
    if (st == NULL)
        return -STORE_E_IO;
    snprintf(full, sizeof(full), "%s %s", label, period);
    bi(st, 1, org);
    bi(st, 2, fee_id);
    bt(st, 3, period);
    bt(st, 4, full);
    bi(st, 5, amount);
    bi(st, 6, now);
    bt(st, 7, category);
    bt(st, 8, day);
    rc = exec1(c, st);
    if (rc == 0)
        *count += db_changes(c->dbh);
    return rc;
}

static int apply_credits(struct sqi_conn *c, int64_t org, const char *actor,
                         int64_t now);

static int sq_invoices_generate(struct store *base, int64_t org,
                                const char *period, const char *fee_code,
                                const char *actor, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t now = (int64_t)time(NULL), count = 0, fees = 0;
    const char *kind = period_kind(period);
    struct db_stmt *st;
    int rc;

    if (fee_code == NULL && kind == NULL) {
        store_set_error("invalid_period",
                        "period must be YYYY-MM-DD, YYYY-MM or YYYY-HKn "
                        "(or name a one-off fee)");
        put_conn(s, c);
        return -STORE_E_INVALID;
    }
    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    if (fee_code != NULL) {
        char label[128], cat[64];
        int64_t id, amount;

        st = q(c, Q_FEE_GET);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, org);
        bt(st, 2, fee_code);
        rc = step(c, st);
        if (rc < 0)
            goto done;
        if (rc == 0) {
            store_set_error("fee_not_found", "no fee '%s'", fee_code);
            rc = -STORE_E_NOT_FOUND;
            goto done;
        }
        if (strcmp(col_text(st, 3), "oneoff") != 0 &&
            (kind == NULL || strcmp(kind, col_text(st, 3)) != 0)) {
            store_set_error("invalid_period",
                            "period '%s' does not fit a %s fee", period,
                            col_text(st, 3));
            rc = -STORE_E_INVALID;
            goto done;
        }
        id = db_column_int64(st, 0);
        amount = db_column_int64(st, 5);
        snprintf(label, sizeof(label), "%s", col_text(st, 2));
        snprintf(cat, sizeof(cat), "%s", col_text(st, 4));
        db_reset(st);
        fees = 1;
        rc = gen_one(c, org, id, label, cat, amount, period, now, &count);
    } else {
        /* collect the fees first: gen_one reuses the connection */
        struct fee_row {
            int64_t id, amount;
            char label[128], cat[64];
        } rows[64];
        int64_t i, n = 0;

        st = q(c, Q_FEES_OF_KIND);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, org);
        bt(st, 2, kind);
        while ((rc = step(c, st)) == 1 && n < 64) {
            rows[n].id = db_column_int64(st, 0);
            snprintf(rows[n].label, sizeof(rows[n].label), "%s",
                     col_text(st, 1));
            snprintf(rows[n].cat, sizeof(rows[n].cat), "%s", col_text(st, 2));
            rows[n].amount = db_column_int64(st, 3);
            n++;
        }
        if (rc < 0)
            goto done;
        db_reset(st);
        rc = 0;
        for (i = 0; i < n && rc == 0; i++)
            rc = gen_one(c, org, rows[i].id, rows[i].label, rows[i].cat,
                         rows[i].amount, period, now, &count);
        fees = n;
    }
    if (rc != 0)
        goto done;
    if (count > 0)
        rc = audit(c, now, actor, "invoices.generate", period,
                   json_pack("{s:I, s:s?}", "created", (json_int_t)count, "fee",
                             fee_code));
    /* payers' credit pays their new invoices */
    if (rc == 0 && count > 0)
        rc = apply_credits(c, org, actor, now);
done:
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    if (rc == 0)
        *out = json_pack("{s:s, s:I, s:I}", "period", period, "fees",
                         (json_int_t)fees, "created", (json_int_t)count);
out:
    put_conn(s, c);
    return rc;
}

static int sq_invoice_list(struct store *base, int64_t org,
                           const struct store_filter *f, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct db_stmt *st = q(c, Q_INVOICE_LIST);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, org);
        bt(st, 2, f->payer);
        bt(st, 3, f->period);
        bt(st, 4, f->status);
        bi(st, 5, f->after_id);
        bi(st, 6, lim(f));
        rc = rows_json(c, st, out);
    }
    put_conn(s, c);
    return rc;
}

/* ---- kiosk reads --------------------------------------------------------- */

/* Payer id and name by code in `org`; -NOT_FOUND when unknown. */
static int payer_id_of(struct sqi_conn *c, int64_t org, const char *code,
                       int64_t *id, json_t **name)
{
    struct db_stmt *st = q(c, Q_PAYER_ID);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bt(st, 2, code);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("payer_not_found", "no payer '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *id = db_column_int64(st, 0);
    if (name != NULL)
        *name = json_string(col_text(st, 1));
    db_reset(st);
    return 0;
}

static int sq_dues(struct store *base, int64_t org, const char *payer,
                   json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *name = NULL, *inv = NULL;
    int64_t pid = 0, total = 0;
    struct db_stmt *st;
    size_t i;
    int rc;

    rc = begin_read(c);
    if (rc != 0)
        goto out;
    rc = payer_id_of(c, org, payer, &pid, &name);
    if (rc != 0)
        goto out;
    st = q(c, Q_DUES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, pid);
    rc = rows_json(c, st, &inv);
    if (rc != 0)
        goto out;
    for (i = 0; i < json_array_size(inv); i++) {
        json_t *d = json_object_get(json_array_get(inv, i), "due");

        if (money_add(total, json_integer_value(d), &total) != 0) {
            store_set_error("overflow", "total due overflows");
            rc = -STORE_E_OVERFLOW;
            goto out;
        }
    }
    *out = json_pack("{s:s, s:O, s:O, s:I}", "payer", payer, "name", name,
                     "invoices", inv, "total_due", (json_int_t)total);
out:
    end_read(c);
    put_conn(s, c);
    json_decref(name);
    json_decref(inv);
    return rc;
}

/*
 * Give every payer of the directory (`payers`, ordered by code) its open
 * invoices as "invoices": [{id, fee, label, period, amount, paid, due}],
 * oldest first like the dues, so an offline kiosk shows the real dues.
 */
static const char *payer_code_of(const json_t *p)
{
    const char *s = json_string_value(json_object_get(p, "code"));

    return s ? s : "";
}

static int dir_invoices(struct sqi_conn *c, int64_t org, json_t *payers)
{
    struct db_stmt *st;
    size_t i, n = json_array_size(payers), at = 0;
    int rc;

    for (i = 0; i < n; i++)
        json_object_set_new(json_array_get(payers, i), "invoices",
                            json_array());
    st = qs(c, "SELECT p.code, i.id, f.code, i.label, i.period, i.amount,"
               " i.paid FROM invoices i JOIN payers p ON p.id = i.payer_id"
               " JOIN fees f ON f.id = i.fee_id WHERE i.org_id = ?1"
               " AND p.active = 1 AND i.paid < i.amount"
               " ORDER BY p.code, i.period, i.id");
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    while ((rc = step(c, st)) == 1) {
        const char *code = col_text(st, 0);
        int64_t amount = db_column_int64(st, 5);
        int64_t paid = db_column_int64(st, 6);
        json_t *p;

        /* both lists are ordered by code: walk them together */
        while (at < n &&
               strcmp(payer_code_of(json_array_get(payers, at)), code) < 0)
            at++;
        p = json_array_get(payers, at);
        if (p == NULL || strcmp(payer_code_of(p), code) != 0)
            continue;
        json_array_append_new(
            json_object_get(p, "invoices"),
            json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I}", "id",
                      (json_int_t)db_column_int64(st, 1), "fee",
                      col_text(st, 2), "label", col_text(st, 3), "period",
                      col_text(st, 4), "amount", (json_int_t)amount, "paid",
                      (json_int_t)paid, "due", (json_int_t)(amount - paid)));
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int sq_directory(struct store *base, int64_t org, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *o = NULL, *payers = NULL, *fees = NULL, *orgj = NULL;
    struct db_stmt *st;
    int rc;

    rc = begin_read(c);
    if (rc != 0)
        goto out;
    st = q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    rc = step(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("org_not_found", "organisation gone");
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    orgj = org_row(st);
    db_reset(st);
    st = q(c, Q_DIR_PAYERS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    rc = rows_json(c, st, &payers);
    if (rc != 0)
        goto out;
    rc = dir_invoices(c, org, payers);
    if (rc != 0)
        goto out;
    st = q(c, Q_DIR_FEES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    rc = rows_json(c, st, &fees);
    if (rc != 0)
        goto out;
    o = json_pack("{s:O, s:O, s:O}", "org", orgj, "payers", payers, "fees",
                  fees);
    *out = o;
out:
    end_read(c);
    put_conn(s, c);
    json_decref(orgj);
    json_decref(payers);
    json_decref(fees);
    return rc;
}

/* ---- intents ---------------------------------------------------------------
 */

/* An invoice as the allocation path sees it. */
struct inv {
    int64_t id;      /* invoice id */
    int64_t due;     /* amount - paid */
    char period[40]; /* for oldest-first ordering */
};

static int inv_cmp(const void *a, const void *b)
{
    const struct inv *x = a, *y = b;
    int c = strcmp(x->period, y->period);

    if (c != 0)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

/*
 * Resolve the invoices a request names (ids, or NULL for every open one)
 * for payer `pid` into a new array sorted oldest first with what is due.
 */
static int resolve_invoices(struct sqi_conn *c, int64_t org, int64_t pid,
                            const int64_t *ids, size_t n, struct inv **out,
                            size_t *out_n, int64_t *total)
{
    struct inv *v = NULL;
    size_t cnt = 0, cap = 0, i, j;
    int64_t sum = 0;
    struct db_stmt *st;
    int rc = 0;

    if (ids == NULL) {
        st = q(c, Q_DUES);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, pid);
        while ((rc = step(c, st)) == 1) {
            if (cnt == cap) {
                struct inv *nv;

                cap = cap ? cap * 2 : 16;
                nv = realloc(v, cap * sizeof(*v));
                if (nv == NULL) {
                    rc = -STORE_E_IO;
                    break;
                }
                v = nv;
            }
            v[cnt].id = db_column_int64(st, 0);
            snprintf(v[cnt].period, sizeof(v[cnt].period), "%s",
                     col_text(st, 2));
            v[cnt].due = db_column_int64(st, 5);
            cnt++;
        }
        db_reset(st);
    } else {
        v = calloc(n ? n : 1, sizeof(*v));
        if (v == NULL)
            return -STORE_E_IO;
        for (i = 0; i < n && rc == 0; i++) {
            for (j = 0; j < i; j++)
                if (ids[j] == ids[i]) {
                    store_set_error("invalid_field",
                                    "invoice %lld listed twice",
                                    (long long)ids[i]);
                    rc = -STORE_E_INVALID;
                }
            if (rc != 0)
                break;
            st = q(c, Q_INVOICE_GET);
            if (st == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            bi(st, 1, ids[i]);
            bi(st, 2, org);
            rc = step(c, st);
            if (rc < 0)
                break;
            if (rc == 0 || db_column_int64(st, 1) != pid) {
                store_set_error("invoice_not_found",
                                "invoice %lld is not one of this payer's",
                                (long long)ids[i]);
                rc = -STORE_E_NOT_FOUND;
                break;
            }
            v[cnt].id = ids[i];
            v[cnt].due = db_column_int64(st, 2) - db_column_int64(st, 3);
            snprintf(v[cnt].period, sizeof(v[cnt].period), "%s",
                     col_text(st, 4));
            db_reset(st);
            if (v[cnt].due <= 0) {
                store_set_error("invoice_paid", "invoice %lld is paid",
                                (long long)ids[i]);
                rc = -STORE_E_CONFLICT;
                break;
            }
            cnt++;
            rc = 0;
        }
    }
    if (rc < 0) {
        free(v);
        return rc;
    }
    for (i = 0; i < cnt; i++)
        if (money_add(sum, v[i].due, &sum) != 0) {
            free(v);
            store_set_error("overflow", "total due overflows");
            return -STORE_E_OVERFLOW;
        }
    if (cnt > 1)
        qsort(v, cnt, sizeof(*v), inv_cmp);
    *out = v;
    *out_n = cnt;
    *total = sum;
    return 0;
}

static json_t *intent_json(struct db_stmt *st, int64_t now, json_t *invoices)
{
    char exp[24];
    const char *status = col_text(st, 2);
    int64_t amount = db_column_int64(st, 3), paid = db_column_int64(st, 4),
            expires = db_column_int64(st, 7);
    json_t *o;

    if (strcmp(status, "pending") == 0 && now >= expires)
        status = "expired";
    intent_time_iso(expires, exp);
    o = json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s, s:s,"
                  " s:s, s:{s:s, s:s}, s:o}",
                  "id", (json_int_t)db_column_int64(st, 0), "code",
                  col_text(st, 1), "status", status, "amount",
                  (json_int_t)amount, "paid", (json_int_t)paid, "remaining",
                  (json_int_t)(paid < amount ? amount - paid : 0), "payload",
                  col_text(st, 5), "bank", intent_bank_json(col_text(st, 12)),
                  "account", col_text(st, 13), "account_name", col_text(st, 14),
                  "expires_at", exp, "payer", "code", col_text(st, 9), "name",
                  col_text(st, 10), "invoices",
                  invoices ? invoices : json_array());
    if (o != NULL && db_column_type(st, 8) == DB_TEXT)
        json_object_set_new(o, "reason", json_string(col_text(st, 8)));
    if (o != NULL)
        json_object_set_new(o, "expires_in",
                            json_integer(expires > now ? expires - now : 0));
    return o;
}

/* Load intent `id` (scoped to `org`) as JSON, inside a transaction. */
static int intent_fetch(struct sqi_conn *c, int64_t org, int64_t id,
                        int64_t now, json_t **out)
{
    struct db_stmt *st;
    json_t *inv = json_array();
    int rc;

    st = q(c, Q_INTENT_INVOICES);
    if (st == NULL)
        goto io;
    bi(st, 1, id);
    while ((rc = step(c, st)) == 1)
        json_array_append_new(inv, json_integer(db_column_int64(st, 0)));
    if (rc < 0)
        goto fail;
    db_reset(st);
    st = q(c, Q_INTENT_GET);
    if (st == NULL)
        goto io;
    bi(st, 1, id);
    rc = step(c, st);
    if (rc < 0)
        goto fail;
    if (rc == 0 || db_column_int64(st, 11) != org) {
        store_set_error("intent_not_found", "no intent %lld", (long long)id);
        rc = -STORE_E_NOT_FOUND;
        goto fail;
    }
    *out = intent_json(st, now, inv);
    db_reset(st);
    if (*out == NULL)
        return -STORE_E_IO;
    /* the payments that settled it; the last one is the receipt */
    st = q(c, Q_INTENT_PAYMENTS);
    if (st == NULL) {
        json_decref(*out);
        return -STORE_E_IO;
    }
    bi(st, 1, id);
    {
        json_t *pays = NULL;
        size_t np;

        rc = rows_json(c, st, &pays);
        if (rc != 0) {
            json_decref(*out);
            return rc;
        }
        np = json_array_size(pays);
        if (np > 0) {
            char num[40];

            rc =
                sqr_receipt_of_payment(c,
                                       json_integer_value(json_object_get(
                                           json_array_get(pays, np - 1), "id")),
                                       num, sizeof(num));
            if (rc == 0)
                json_object_set_new(*out, "receipt", json_string(num));
            else if (rc != -STORE_E_NOT_FOUND) {
                json_decref(pays);
                json_decref(*out);
                return rc;
            }
        }
        json_object_set_new(*out, "payments", pays);
    }
    return 0;
io:
    rc = -STORE_E_IO;
fail:
    json_decref(inv);
    return rc;
}

/* May `who` use reserved `code` for a new intent? In a write txn. */
static int claim_check(struct sqi_conn *c, const struct store_principal *who,
                       const char *code)
{
    struct db_stmt *st = q(c, Q_CODE_RESERVED);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bt(st, 1, code);
    bi(st, 2, who->org_id);
    rc = step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0 || who->role != STORE_ROLE_KIOSK ||
        db_column_int64(st, 0) != who->id) {
        store_set_error("code_not_reserved",
                        "payment code '%s' was not reserved by this kiosk",
                        code);
        return -STORE_E_CONFLICT;
    }
    if (db_column_type(st, 1) != DB_NULL) {
        store_set_error("code_used", "payment code '%s' is already used", code);
        return -STORE_E_CONFLICT;
    }
    db_reset(st);
    return 0;
}

#define CODES_OPEN_MAX 500

/* Tries at a fresh payment code before giving up. */
#define CODE_TRIES 10

/* A new random payment code with `prefix` into `code` (PAYREF_MAX + 1). */
static int new_code(const char *prefix, char *code)
{
    if (payref_new(prefix, code) != 0) {
        store_set_error("payment_code", "no random payment code");
        return -STORE_E_IO;
    }
    return 0;
}

static int no_free_code(void)
{
    store_set_error("payment_code", "no free payment code");
    return -STORE_E_IO;
}

/*
 * Reserve a new payment code with `prefix` for kiosk `who`, into `code`
 * (PAYREF_MAX + 1 bytes). The insert itself refuses a code an intent or
 * a reserved code has, so no two writers can take the same one; another
 * code is tried then. In a write txn.
 */
static int reserve_code(struct sqi_conn *c, const struct store_principal *who,
                        const char *prefix, int64_t now, char *code)
{
    struct db_stmt *st;
    int tries, rc;

    for (tries = 0; tries < CODE_TRIES; tries++) {
        rc = new_code(prefix, code);
        if (rc != 0)
            return rc;
        st = q(c, Q_CODE_RESERVE);
        if (st == NULL)
            return -STORE_E_IO;
        bt(st, 1, code);
        bi(st, 2, who->org_id);
        bi(st, 3, who->id);
        bi(st, 4, now);
        rc = exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) == 1)
            return 0;
    }
    return no_free_code();
}

static int sq_codes_reserve(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem, int count,
                            int64_t now, json_t **out, int *replayed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    char prefix[8], code[PAYREF_MAX + 1];
    json_t *res = NULL, *codes = json_array();
    struct db_stmt *st;
    int rc, i;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = idem_get(c, who->actor, idem, &res);
    if (rc == 1) {
        *replayed = 1;
        rc = 0;
        goto done;
    }
    if (rc != 0)
        goto done;
    st = q(c, Q_CODES_OPEN);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, who->id);
    rc = step(c, st);
    if (rc < 0)
        goto done;
    if (db_column_int64(st, 0) + count > CODES_OPEN_MAX) {
        store_set_error("too_many_codes",
                        "this kiosk holds %lld unused codes (at most %d)",
                        (long long)db_column_int64(st, 0), CODES_OPEN_MAX);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    db_reset(st);
    st = q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, who->org_id);
    rc = step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto done;
    }
    snprintf(prefix, sizeof(prefix), "%s", col_text(st, 7));
    db_reset(st);
    for (i = 0; i < count; i++) {
        rc = reserve_code(c, who, prefix, now, code);
        if (rc != 0)
            goto done;
        json_array_append_new(codes, json_string(code));
    }
    res = json_pack("{s:O, s:i}", "codes", codes, "count", count);
    rc = idem_put(c, who->actor, idem, 201, res, now);
    if (rc != 0)
        goto done;
    rc = audit(c, now, who->actor, "codes.reserve", "kiosk",
               json_pack("{s:i}", "count", count));
done:
    rc = end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    json_decref(codes);
    put_conn(s, c);
    return rc;
}

static int sq_intent_create(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem,
                            const struct store_intent_req *req, int64_t now,
                            json_t **out, int *replayed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct inv *v = NULL;
    size_t n = 0, i;
    int64_t pid = 0, total = 0, amount, id = 0;
    char code[PAYREF_MAX + 1], payload[VIETQR_MAX_PAYLOAD + 1];
    char prefix[8], bin[8], account[40];
    json_t *res = NULL;
    struct db_stmt *st;
    int rc, tries;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = idem_get(c, who->actor, idem, &res);
    if (rc == 1) {
        *replayed = 1;
        rc = 0;
        goto done;
    }
    if (rc != 0)
        goto done;
    rc = payer_id_of(c, who->org_id, req->payer, &pid, NULL);
    if (rc != 0)
        goto done;
    rc = resolve_invoices(c, who->org_id, pid, req->invoices, req->n_invoices,
                          &v, &n, &total);
    if (rc != 0)
        goto done;
    if (n == 0 || total <= 0) {
        store_set_error("nothing_due", "payer '%s' owes nothing here",
                        req->payer);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    amount = req->amount ? req->amount : total;
    if (amount > total) {
        store_set_error("amount_exceeds_due",
                        "amount %lld exceeds the %lld due", (long long)amount,
                        (long long)total);
        rc = -STORE_E_INVALID;
        goto done;
    }
    st = q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, who->org_id);
    rc = step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto done;
    }
    snprintf(bin, sizeof(bin), "%s", col_text(st, 4));
    snprintf(account, sizeof(account), "%s", col_text(st, 5));
    snprintf(prefix, sizeof(prefix), "%s", col_text(st, 7));
    db_reset(st);
    if (req->code != NULL) {
        rc = claim_check(c, who, req->code);
        if (rc != 0)
            goto done;
    }
    /* a fresh code is taken by the insert; another one is tried when an
       intent or a reserved code has it already */
    for (tries = 0; id == 0; tries++) {
        if (req->code != NULL && tries == 0)
            snprintf(code, sizeof(code), "%s", req->code);
        else if (req->code != NULL || tries == CODE_TRIES)
            rc = no_free_code(); /* (a claimed code always inserts) */
        else
            rc = new_code(prefix, code);
        if (rc != 0)
            goto done;
        if (intent_payload(bin, account, amount, code, payload) != 0) {
            rc = -STORE_E_INVALID;
            goto done;
        }
        st = q(c, req->code != NULL ? Q_INTENT_INSERT : Q_INTENT_INSERT_FRESH);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, who->org_id);
        bi(st, 2, pid);
        if (who->role == STORE_ROLE_KIOSK)
            bi(st, 3, who->id);
        bt(st, 4, code);
        bi(st, 5, amount);
        bt(st, 6, payload);
        bi(st, 7, now);
        bi(st, 8, now + req->ttl);
        rc = insert_id(c, st, &id);
        if (rc != 0)
            goto done;
    }
    if (req->code != NULL) {
        st = q(c, Q_CODE_CLAIM);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bt(st, 1, code);
        bi(st, 2, id);
        rc = exec1(c, st);
        if (rc != 0)
            goto done;
    }
    for (i = 0; i < n; i++) {
        st = q(c, Q_INTENT_LINK);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        bi(st, 1, id);
        bi(st, 2, v[i].id);
        bi(st, 3, (int64_t)i);
        rc = exec1(c, st);
        if (rc != 0)
            goto done;
    }
    if (req->code != NULL) { /* transfers that came before the claim */
        rc = sqi_bank_claim(c, who->org_id, code, id, who->actor, now);
        if (rc != 0)
            goto done;
    }
    rc = intent_fetch(c, who->org_id, id, now, &res);
    if (rc != 0)
        goto done;
    rc = idem_put(c, who->actor, idem, 201, res, now);
    if (rc != 0)
        goto done;
    rc = audit(c, now, who->actor, "intent.create", code,
               json_pack("{s:I, s:s, s:I}", "intent", (json_int_t)id, "payer",
                         req->payer, "amount", (json_int_t)amount));
done:
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    free(v);
    put_conn(s, c);
    return rc;
}

static int sq_intent_get(struct store *base, int64_t org, int64_t id,
                         int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int rc = begin_read(c);

    if (rc == 0)
        rc = intent_fetch(c, org, id, now, out);
    end_read(c);
    put_conn(s, c);
    return rc;
}

static int set_intent(struct sqi_conn *c, int64_t id, const char *status,
                      int64_t paid, int64_t now, const char *reason)
{
    struct db_stmt *st = q(c, Q_INTENT_SET);

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, id);
    bt(st, 2, status);
    bi(st, 3, paid);
    bi(st, 4, now);
    bt(st, 5, reason);
    return exec1(c, st);
}

static int sq_intent_cancel(struct store *base, int64_t org, int64_t id,
                            const char *actor, int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *cur = NULL, *res = NULL;
    const char *status;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = intent_fetch(c, org, id, now, &cur);
    if (rc != 0)
        goto done;
    status = json_string_value(json_object_get(cur, "status"));
    if (strcmp(status, "cancelled") == 0) {
        res = json_incref(cur); /* cancelling twice is harmless */
        goto done;
    }
    if (strcmp(status, "pending") != 0 && strcmp(status, "expired") != 0) {
        store_set_error("intent_settled", "intent %lld is %s", (long long)id,
                        status);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    rc = set_intent(c, id, "cancelled",
                    json_integer_value(json_object_get(cur, "paid")), now,
                    "cancelled");
    if (rc != 0)
        goto done;
    rc = audit(c, now, actor, "intent.cancel",
               json_string_value(json_object_get(cur, "code")),
               json_pack("{s:I}", "intent", (json_int_t)id));
    if (rc != 0)
        goto done;
    rc = intent_fetch(c, org, id, now, &res);
done:
    if (rc == 0)
        sqi_queue_woken(c, id);
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    if (rc == 0) {
        *out = res;
    } else {
        json_decref(res);
    }
out:
    json_decref(cur);
    put_conn(s, c);
    return rc;
}

static int sq_intent_list(struct store *base, int64_t org,
                          const struct store_filter *f, int64_t now,
                          json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct db_stmt *st = q(c, Q_INTENT_LIST);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        bi(st, 1, org);
        bt(st, 2, f->payer);
        bt(st, 3, f->status);
        bi(st, 4, f->since);
        bi(st, 5, f->after_id);
        bi(st, 6, lim(f));
        bi(st, 9, now);
        rc = rows_json(c, st, out);
    }
    put_conn(s, c);
    return rc;
}

/* ---- the ledger -----------------------------------------------------------
 */

/*
 * The day an allocation of payment `pay` made at `now` is dated on, into
 * `day`: the first open day as of `now`, or the payment's own day when
 * that is later, refused (sqr_refuse_closed) if that day has been
 * closed since. In a write txn.
 */
static int allocation_day(struct sqi_conn *c, int64_t pay, int64_t now,
                          char day[11])
{
    struct db_stmt *st = q(c, Q_PAYMENT_DAY);
    char paid[11] = "";
    int64_t org = 0;
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pay);
    rc = step(c, st);
    if (rc == 1) {
        const char *d = db_column_text(st, 1);

        org = db_column_int64(st, 0);
        snprintf(paid, sizeof(paid), "%s", d != NULL ? d : "");
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("ledger", "no payment %lld to allocate",
                        (long long)pay);
        return -STORE_E_CONFLICT;
    }
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0 || strcmp(paid, day) <= 0)
        return rc;
    memcpy(day, paid, 11);
    return sqr_refuse_closed(c->dbh, org, day);
}

/*
 * Allocate `amount` of payment `pay` to the invoices `v` (oldest first),
 * each up to what it still owes. *left gets what could not be allocated;
 * `allocs` (may be NULL) gets {invoice, amount} objects. Each allocation
 * is dated on the first open day as of `now`, never before its payment
 * (allocation_day). In a write txn.
 */
static int allocate(struct sqi_conn *c, int64_t pay, struct inv *v, size_t n,
                    int64_t amount, int64_t *left, json_t *allocs, int64_t now)
{
    struct db_stmt *st;
    char day[11] = "";
    size_t i;
    int rc;

    for (i = 0; i < n && amount > 0; i++) {
        int64_t take = v[i].due < amount ? v[i].due : amount;

        if (take <= 0)
            continue;
        if (day[0] == '\0') {
            rc = allocation_day(c, pay, now, day);
            if (rc != 0)
                return rc;
        }
        st = q(c, Q_INVOICE_PAY);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, v[i].id);
        bi(st, 2, take);
        rc = exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) != 1) {
            store_set_error("ledger", "invoice %lld cannot take %lld",
                            (long long)v[i].id, (long long)take);
            return -STORE_E_CONFLICT;
        }
        st = q(c, Q_ALLOC_INSERT);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, pay);
        bi(st, 2, v[i].id);
        bi(st, 3, take);
        bt(st, 4, day);
        rc = exec1(c, st);
        if (rc != 0)
            return rc;
        if (allocs != NULL)
            json_array_append_new(
                allocs, json_pack("{s:I, s:I}", "invoice", (json_int_t)v[i].id,
                                  "amount", (json_int_t)take));
        v[i].due -= take;
        amount -= take;
    }
    *left = amount;
    return 0;
}

static int payment_insert(struct sqi_conn *c, int64_t org, int64_t pid,
                          int64_t intent, const char *method, int64_t amount,
                          const char *ref, const char *source,
                          const char *actor, int64_t now, int64_t *id)
{
    struct db_stmt *st;
    int64_t pay = 0;
    char day[11];
    int rc;

    /* dated on the first open day as of now: never a closed one */
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0)
        return rc;
    st = q(c, Q_PAYMENT_INSERT);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    bi(st, 2, pid);
    if (intent)
        bi(st, 3, intent);
    bt(st, 4, method);
    bi(st, 5, amount);
    bt(st, 6, ref);
    bt(st, 7, source);
    bt(st, 8, actor);
    bi(st, 9, now);
    bt(st, 10, day);
    rc = insert_id(c, st, &pay);
    if (rc == 0) {
        /* every payment gets its signed receipt in this transaction */
        rc = sqr_receipt_issue(c, pay, now);
        if (rc == 0)
            *id = pay;
    }
    return rc;
}

/* Cancel the pending intents that cover any of `v`; ids into `woken`. */
static int supersede_intents(struct sqi_conn *c, const struct inv *v, size_t n,
                             int64_t now, int64_t *woken, size_t *n_woken,
                             size_t cap)
{
    struct db_stmt *st;
    size_t i, k;
    int rc;

    for (i = 0; i < n; i++) {
        int64_t ids[32];
        size_t m = 0;

        st = q(c, Q_INTENTS_FOR_INVOICE);
        if (st == NULL)
            return -STORE_E_IO;
        bi(st, 1, v[i].id);
        while ((rc = step(c, st)) == 1 && m < 32)
            ids[m++] = db_column_int64(st, 0);
        if (rc < 0)
            return rc;
        db_reset(st);
        for (k = 0; k < m; k++) {
            rc = set_intent(c, ids[k], "cancelled", 0, now,
                            "invoices_paid_otherwise");
            if (rc != 0)
                return rc;
            if (*n_woken < cap)
                woken[(*n_woken)++] = ids[k];
        }
    }
    return 0;
}

/*
 * Use one payer's credit for their open invoices. A payer's credit is the
 * sum of the unallocated parts of their earlier payments (an over-payment
 * or money for invoices already paid), so applying it allocates those
 * payments further: oldest payment first, to the oldest open invoice
 * first. The method of the money stays what it was (transfer, cash),
 * paid = sum of allocations keeps holding for every invoice, and each
 * payment still satisfies amount = allocated + unallocated. Intents waiting
 * on invoices this pays in full are superseded and woken. One audit entry
 * per payer ("credit.apply"). In a write txn.
 */
static int apply_payer_credit(struct sqi_conn *c, int64_t org, int64_t pid,
                              const char *actor, int64_t now)
{
    struct inv *v = NULL;
    struct {
        int64_t id, unalloc;
    } pays[64];
    size_t n = 0, npay = 0, i, n_woken = 0;
    int64_t total = 0, used = 0, woken[32];
    json_t *allocs = json_array();
    struct db_stmt *st = NULL;
    int rc;

    rc = resolve_invoices(c, org, pid, NULL, 0, &v, &n, &total);
    if (rc != 0 || n == 0)
        goto out;
    if ((st = qs(c, "SELECT id, unallocated FROM payments"
                    " WHERE payer_id = ?1 AND unallocated > 0"
                    " ORDER BY id LIMIT 64")) == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, pid);
    while ((rc = step(c, st)) == 1) {
        pays[npay].id = db_column_int64(st, 0);
        pays[npay].unalloc = db_column_int64(st, 1);
        npay++;
    }
    db_reset(st);
    st = NULL;
    if (rc < 0)
        goto out;
    rc = 0;
    for (i = 0; i < npay && rc == 0; i++) {
        int64_t left = 0;

        rc = allocate(c, pays[i].id, v, n, pays[i].unalloc, &left, allocs, now);
        if (rc != 0 || left == pays[i].unalloc)
            continue;
        if ((st = qs(c, "UPDATE payments SET unallocated = ?2"
                        " WHERE id = ?1")) == NULL) {
            rc = -STORE_E_IO;
            break;
        }
        bi(st, 1, pays[i].id);
        bi(st, 2, left);
        rc = step(c, st) < 0 ? -STORE_E_IO : 0;
        db_reset(st);
        st = NULL;
        used += pays[i].unalloc - left;
    }
    if (rc != 0 || used == 0)
        goto out;
    if ((st = qs(c, "UPDATE payers SET credit = credit - ?2"
                    " WHERE id = ?1 AND credit >= ?2")) == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, pid);
    bi(st, 2, used);
    rc = step(c, st);
    db_reset(st);
    st = NULL;
    if (rc < 0)
        goto out;
    if (db_changes(c->dbh) != 1) {
        store_set_error("ledger", "payer %lld credit is below %lld",
                        (long long)pid, (long long)used);
        rc = -STORE_E_CONFLICT;
        goto out;
    }
    /* intents waiting on invoices now paid in full are superseded */
    {
        size_t k = 0;

        for (i = 0; i < n; i++)
            if (v[i].due == 0)
                v[k++] = v[i];
        n = k;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 32);
    for (i = 0; rc == 0 && i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    if (rc == 0) {
        char object[32];

        snprintf(object, sizeof(object), "payer:%lld", (long long)pid);
        rc = audit(c, now, actor, "credit.apply", object,
                   json_pack("{s:I, s:O}", "amount", (json_int_t)used,
                             "allocations", allocs));
    }
out:
    json_decref(allocs);
    free(v);
    return rc;
}

/* Apply the credit of every payer of `org` that has some. In a write txn. */
static int apply_credits(struct sqi_conn *c, int64_t org, const char *actor,
                         int64_t now)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, i;
    struct db_stmt *st;
    int rc;

    /* collect first: the payers table changes as credit is applied */
    if ((st = qs(c, "SELECT id FROM payers WHERE org_id = ?1"
                    " AND credit > 0 ORDER BY id")) == NULL)
        return -STORE_E_IO;
    bi(st, 1, org);
    while ((rc = step(c, st)) == 1) {
        if (n == cap) {
            int64_t *nids = realloc(ids, (cap ? cap * 2 : 64) * sizeof(*ids));

            if (nids == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            ids = nids;
            cap = cap ? cap * 2 : 64;
        }
        ids[n++] = db_column_int64(st, 0);
    }
    db_reset(st);
    for (i = 0, rc = rc < 0 ? rc : 0; i < n && rc == 0; i++)
        rc = apply_payer_credit(c, org, ids[i], actor, now);
    free(ids);
    return rc;
}

static int sq_cash_record(struct store *base, const struct store_principal *who,
                          const struct store_idem *idem,
                          const struct store_cash_req *req, int64_t now,
                          json_t **out, int *replayed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    struct inv *v = NULL;
    size_t n = 0, n_woken = 0, i;
    int64_t pid = 0, total = 0, pay = 0, left = 0, woken[64];
    json_t *res = NULL, *allocs = json_array();
    struct db_stmt *st;
    int rc;

    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = idem_get(c, who->actor, idem, &res);
    if (rc == 1) {
        *replayed = 1;
        rc = 0;
        goto done;
    }
    if (rc != 0)
        goto done;
    rc = payer_id_of(c, who->org_id, req->payer, &pid, NULL);
    if (rc != 0)
        goto done;
    rc = resolve_invoices(c, who->org_id, pid, req->invoices, req->n_invoices,
                          &v, &n, &total);
    if (rc != 0)
        goto done;
    if (n == 0 || total <= 0) {
        store_set_error("nothing_due", "payer '%s' owes nothing here",
                        req->payer);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    if (req->amount > total) {
        store_set_error("amount_exceeds_due",
                        "cash %lld exceeds the %lld due; give change",
                        (long long)req->amount, (long long)total);
        rc = -STORE_E_INVALID;
        goto done;
    }
    rc = payment_insert(c, who->org_id, pid, 0, "cash", req->amount, NULL,
                        "cash", who->actor, now, &pay);
    if (rc == 0) /* cash for a closed day (issue 6 §2) */
        rc = sqr_cash_dated(c, who->org_id, pay, pid, req->amount, req->date,
                            req->recorded_at, who->actor, now);
    if (rc != 0)
        goto done;
    st = q(c, Q_CASH_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, pay);
    if (who->role == STORE_ROLE_KIOSK)
        bi(st, 2, who->id);
    bt(st, 3, req->collector);
    bt(st, 4, req->note);
    bi(st, 5, now);
    rc = exec1(c, st);
    if (rc != 0)
        goto done;
    rc = allocate(c, pay, v, n, req->amount, &left, allocs, now);
    if (rc != 0)
        goto done;
    if (left != 0) { /* cannot happen: amount <= total */
        store_set_error("ledger", "cash left unallocated");
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 64);
    if (rc != 0)
        goto done;
    res = json_pack("{s:I, s:s, s:s, s:I, s:s, s:O, s:I}", "payment",
                    (json_int_t)pay, "method", "cash", "payer", req->payer,
                    "amount", (json_int_t)req->amount, "collector",
                    req->collector, "allocations", allocs, "remaining_due",
                    (json_int_t)(total - req->amount));
    if (res == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    {
        char num[40];

        rc = sqr_receipt_of_payment(c, pay, num, sizeof(num));
        if (rc != 0)
            goto done;
        json_object_set_new(res, "receipt", json_string(num));
    }
    rc = idem_put(c, who->actor, idem, 201, res, now);
    if (rc != 0)
        goto done;
    rc =
        audit(c, now, who->actor, "payment.cash", req->payer,
              json_pack("{s:I, s:I, s:s}", "payment", (json_int_t)pay, "amount",
                        (json_int_t)req->amount, "collector", req->collector));
done:
    for (i = 0; rc == 0 && i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    if (rc == 0) {
        *out = res;
    } else {
        json_decref(res);
    }
out:
    json_decref(allocs);
    free(v);
    put_conn(s, c);
    return rc;
}

/* The invoices of intent `intent`, oldest first, with what is due. */
static int intent_invoices(struct sqi_conn *c, int64_t intent, struct inv **out,
                           size_t *out_n)
{
    struct inv *v = NULL;
    size_t n = 0, cap = 0;
    struct db_stmt *st = q(c, Q_INTENT_INVOICES);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, intent);
    while ((rc = step(c, st)) == 1) {
        if (n == cap) {
            struct inv *nv;

            cap = cap ? cap * 2 : 8;
            nv = realloc(v, cap * sizeof(*v));
            if (nv == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            v = nv;
        }
        v[n].id = db_column_int64(st, 0);
        snprintf(v[n].period, sizeof(v[n].period), "%s", col_text(st, 1));
        v[n].due = db_column_int64(st, 2) - db_column_int64(st, 3);
        n++;
    }
    db_reset(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/*
 * Record payment `pay`'s excess `left` as the payer's credit (flag
 * "over"). In a write txn.
 */
static int credit_excess(struct sqi_conn *c, int64_t pay, int64_t pid,
                         int64_t left)
{
    struct db_stmt *st = q(c, Q_PAYMENT_SET_UNALLOC);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pay);
    bi(st, 2, left);
    bt(st, 3, "over");
    rc = exec1(c, st);
    if (rc != 0)
        return rc;
    st = q(c, Q_PAYER_CREDIT);
    if (st == NULL)
        return -STORE_E_IO;
    bi(st, 1, pid);
    bi(st, 2, left);
    return exec1(c, st);
}

int sqi_transfer_intent(struct sqi_conn *c, int64_t org, int64_t intent,
                        int64_t amount, const char *ref, const char *source,
                        const char *actor, int64_t now, json_t **res,
                        int64_t *payment)
{
    struct inv *v = NULL;
    size_t n = 0;
    int64_t pid, total, paid, pay = 0, left = 0;
    json_t *allocs = json_array();
    const char *status, *cur;
    char code[PAYREF_MAX + 8];
    struct db_stmt *st;
    int rc;

    st = q(c, Q_INTENT_GET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, intent);
    rc = step(c, st);
    if (rc <= 0 || db_column_int64(st, 11) != org) {
        if (rc >= 0) {
            store_set_error("intent_not_found", "no intent %lld",
                            (long long)intent);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    snprintf(code, sizeof(code), "%s", col_text(st, 1));
    total = db_column_int64(st, 3);
    paid = db_column_int64(st, 4);
    db_reset(st);
    st = q(c, Q_INTENT_BY_CODE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bt(st, 1, code);
    bi(st, 2, org);
    rc = step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto out;
    }
    pid = db_column_int64(st, 1);
    db_reset(st);
    rc = intent_invoices(c, intent, &v, &n);
    if (rc != 0)
        goto out;
    rc = payment_insert(c, org, pid, intent, "transfer", amount, ref, source,
                        actor, now, &pay);
    if (rc != 0)
        goto out;
    rc = allocate(c, pay, v, n, amount, &left, allocs, now);
    if (rc != 0)
        goto out;
    if (left > 0) {
        rc = credit_excess(c, pay, pid, left);
        /* the excess pays the payer's other open invoices at once, so
           the ledger does not depend on which transfer came first */
        if (rc == 0)
            rc = apply_payer_credit(c, org, pid, actor, now);
        if (rc != 0)
            goto out;
    }
    if (money_add(paid, amount, &paid) != 0) {
        store_set_error("overflow", "intent total overflows");
        rc = -STORE_E_OVERFLOW;
        goto out;
    }
    /* a cancelled intent stays cancelled; its money went to its invoices
       (if still open) or to credit */
    st = q(c, Q_INTENT_GET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, intent);
    rc = step(c, st);
    if (rc < 0)
        goto out;
    cur = col_text(st, 2);
    status = strcmp(cur, "cancelled") == 0 ? "cancelled"
             : paid >= total               ? "paid"
                                           : "partial";
    db_reset(st);
    rc = set_intent(c, intent, status, paid, now,
                    strcmp(status, "cancelled") == 0 ? "cancelled" : NULL);
    if (rc != 0)
        goto out;
    *res = json_pack("{s:I, s:I, s:s, s:s, s:I, s:O, s:I, s:s}", "payment",
                     (json_int_t)pay, "intent", (json_int_t)intent, "code",
                     code, "status", status, "amount", (json_int_t)amount,
                     "allocations", allocs, "unallocated", (json_int_t)left,
                     "flag", left > 0 ? "over" : "");
    if (*res == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    *payment = pay;
    rc = 0;
out:
    json_decref(allocs);
    free(v);
    return rc;
}

int sqi_transfer_payer(struct sqi_conn *c, int64_t org, int64_t payer_id,
                       int64_t amount, const char *ref, const char *source,
                       const char *actor, int64_t now, json_t **res,
                       int64_t *payment)
{
    struct inv *v = NULL;
    size_t n = 0, n_woken = 0, i;
    int64_t total = 0, pay = 0, left = 0, woken[32];
    json_t *allocs = json_array();
    int rc;

    rc = resolve_invoices(c, org, payer_id, NULL, 0, &v, &n, &total);
    if (rc != 0)
        goto out;
    rc = payment_insert(c, org, payer_id, 0, "transfer", amount, ref, source,
                        actor, now, &pay);
    if (rc != 0)
        goto out;
    rc = allocate(c, pay, v, n, amount, &left, allocs, now);
    if (rc != 0)
        goto out;
    if (left > 0) {
        rc = credit_excess(c, pay, payer_id, left);
        if (rc == 0)
            rc = apply_payer_credit(c, org, payer_id, actor, now);
        if (rc != 0)
            goto out;
    }
    /* intents waiting on invoices this paid in full are superseded */
    for (i = 0; i < n; i++)
        if (v[i].due > 0)
            v[i].id = -1;
    {
        size_t k = 0;

        for (i = 0; i < n; i++)
            if (v[i].id >= 0)
                v[k++] = v[i];
        n = k;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 32);
    if (rc != 0)
        goto out;
    for (i = 0; i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    *res = json_pack("{s:I, s:O, s:I, s:s}", "payment", (json_int_t)pay,
                     "allocations", allocs, "unallocated", (json_int_t)left,
                     "flag", left > 0 ? "over" : "");
    if (*res == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    *payment = pay;
out:
    json_decref(allocs);
    free(v);
    return rc;
}

/*
 * 0 when payment `payment` may be deleted: neither it nor any of its
 * allocations is dated on a closed day ("day_closed"), and none of it
 * was refunded ("refunded"); both -STORE_E_CONFLICT. In a write txn.
 */
static int reversible(struct sqi_conn *c, int64_t payment)
{
    struct db_stmt *st;
    int rc, closed, refunded;

    if ((st = qs(c, "SELECT CASE WHEN EXISTS (SELECT 1 FROM payments p"
                    " JOIN day_closes d ON d.org_id = p.org_id WHERE"
                    " p.id = ?1 AND d.reopened_at IS NULL AND (d.day = p.day"
                    " OR d.day IN (SELECT a.day FROM allocations a WHERE"
                    " a.payment_id = ?1))) THEN 1 ELSE 0 END, CASE WHEN"
                    " EXISTS (SELECT 1 FROM refund_parts WHERE"
                    " payment_id = ?1) THEN 1 ELSE 0 END")) == NULL)
        return -STORE_E_IO;
    bi(st, 1, payment);
    rc = step(c, st);
    closed = rc == 1 && db_column_int64(st, 0) != 0;
    refunded = rc == 1 && db_column_int64(st, 1) != 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    /* the details the guard triggers gave: http.c answers them */
    if (closed || refunded) {
        store_set_error("conflict", "%s", closed ? "day_closed" : "refunded");
        return -STORE_E_CONFLICT;
    }
    return 0;
}

int sqi_payment_reverse(struct sqi_conn *c, int64_t payment, int64_t now,
                        int64_t *intent)
{
    struct db_stmt *st;
    int64_t pid, unalloc, in = 0;
    int rc;

    if ((st = qs(c, "SELECT payer_id, unallocated,"
                    " coalesce(intent_id, 0) FROM payments"
                    " WHERE id = ?1 AND method = 'transfer'")) == NULL)
        return -STORE_E_IO;
    bi(st, 1, payment);
    rc = step(c, st);
    if (rc <= 0) {
        db_reset(st);
        if (rc == 0) {
            store_set_error("payment_not_found", "no transfer payment %lld",
                            (long long)payment);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    pid = db_column_int64(st, 0);
    unalloc = db_column_int64(st, 1);
    in = db_column_int64(st, 2);
    db_reset(st);
    if ((st = qs(c, "UPDATE payers SET credit = credit - ?2"
                    " WHERE id = ?1 AND credit >= ?2")) == NULL)
        return -STORE_E_IO;
    bi(st, 1, pid);
    bi(st, 2, unalloc);
    rc = step(c, st);
    db_reset(st);
    if (rc < 0)
        return rc;
    if (db_changes(c->dbh) != 1) {
        store_set_error("credit_used", "the credit this transfer created has"
                                       " been used since");
        return -STORE_E_CONFLICT;
    }
    rc = reversible(c, payment);
    if (rc != 0)
        return rc;
    {
        static const char *const sql[] = {
            /* every allocation: credit applied later may have added a
               second one to the same invoice */
            "UPDATE invoices SET paid = paid - (SELECT sum(a.amount) FROM"
            " allocations a WHERE a.invoice_id = invoices.id AND"
            " a.payment_id = ?1) WHERE id IN (SELECT invoice_id FROM"
            " allocations WHERE payment_id = ?1)",
            "DELETE FROM allocations WHERE payment_id = ?1",
            "DELETE FROM payments WHERE id = ?1",
            /* its receipt stays, void from now on */
            "UPDATE receipts SET voided_at = ?2 WHERE payment_id = ?1"
            " AND voided_at IS NULL",
        };
        size_t i;

        for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
            if ((st = qs(c, sql[i])) == NULL)
                return -STORE_E_IO;
            bi(st, 1, payment);
            if (i == sizeof(sql) / sizeof(sql[0]) - 1)
                bi(st, 2, now);
            rc = step(c, st);
            db_reset(st);
            if (rc < 0)
                return rc;
        }
    }
    if (in != 0) {
        rc = sqi_intent_recompute(c, in, now);
        if (rc != 0)
            return rc;
        sqi_queue_woken(c, in);
    }
    *intent = in;
    return 0;
}

int sqi_intent_recompute(struct sqi_conn *c, int64_t intent, int64_t now)
{
#define LIVE_PAID                                                              \
    "(SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE"                 \
    " p.intent_id = intents.id AND p.reversed_day IS NULL)"
    struct db_stmt *st;
    int rc;

    if ((st = qs(c, "UPDATE intents SET paid = " LIVE_PAID ", status ="
                    " CASE WHEN status = 'cancelled' THEN status"
                    " WHEN " LIVE_PAID " <= 0 THEN 'pending'"
                    " WHEN " LIVE_PAID " < amount THEN 'partial'"
                    " ELSE 'paid' END, closed_at = ?2 WHERE id = ?1")) == NULL)
        return -STORE_E_IO;
#undef LIVE_PAID
    bi(st, 1, intent);
    bi(st, 2, now);
    rc = step(c, st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

static int sq_transfer_apply(struct store *base, int64_t org,
                             const struct store_transfer *t, const char *actor,
                             int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    int64_t intent = 0, pay = 0;
    json_t *res = NULL;
    struct db_stmt *st;
    int rc;

    if (t->amount <= 0 || t->reference == NULL || *t->reference == '\0') {
        store_set_error("invalid_transfer", "amount and reference needed");
        rc = -STORE_E_INVALID;
        goto out;
    }
    rc = begin_write(s, c);
    if (rc != 0)
        goto out;
    st = q(c, Q_PAYMENT_BY_REF);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bi(st, 1, org);
    bt(st, 2, t->reference);
    rc = step(c, st);
    if (rc != 0) {
        if (rc == 1) {
            store_set_error("duplicate", "transfer '%s' already recorded",
                            t->reference);
            rc = -STORE_E_CONFLICT;
        }
        goto done;
    }
    st = q(c, Q_INTENT_BY_CODE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    bt(st, 1, t->intent_code);
    bi(st, 2, org);
    rc = step(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("intent_not_found", "no intent '%s'",
                            t->intent_code);
            rc = -STORE_E_NOT_FOUND;
        }
        goto done;
    }
    intent = db_column_int64(st, 0);
    db_reset(st);
    rc = sqi_transfer_intent(c, org, intent, t->amount, t->reference, t->source,
                             actor, now, &res, &pay);
    if (rc != 0)
        goto done;
    rc = audit(
        c, now, actor, "payment.transfer", t->intent_code,
        json_pack("{s:I, s:I, s:s, s:s, s:I}", "payment", (json_int_t)pay,
                  "amount", (json_int_t)t->amount, "reference", t->reference,
                  "status", json_string_value(json_object_get(res, "status")),
                  "unallocated",
                  json_integer_value(json_object_get(res, "unallocated"))));
done:
    if (rc == 0)
        sqi_queue_woken(c, intent);
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    if (rc == 0) {
        *out = res;
    } else {
        json_decref(res);
    }
out:
    put_conn(s, c);
    return rc;
}

/* ---- shared with store_bank.c ------------------------------------------ */

struct sqi_conn *sqi_get_conn(struct sq *s)
{
    return get_conn(s);
}

void sqi_put_conn(struct sq *s, struct sqi_conn *c)
{
    put_conn(s, c);
}

struct db *sqi_dbh(struct sqi_conn *c)
{
    return c->dbh;
}

int sqi_begin_write(struct sq *s, struct sqi_conn *c)
{
    c->n_woken = 0;
    return begin_write(s, c);
}

int sqi_end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    return rc;
}

int sqi_begin_read(struct sqi_conn *c)
{
    return begin_read(c);
}

void sqi_end_read(struct sqi_conn *c)
{
    end_read(c);
}

int sqi_audit(struct sqi_conn *c, int64_t at, const char *actor,
              const char *action, const char *object, json_t *detail)
{
    return audit(c, at, actor, action, object, detail);
}

void sqi_changed(struct sq *s, int64_t intent)
{
    if (s->base.changed != NULL && intent > 0)
        s->base.changed(s->base.changed_ctx, intent);
}

void sqi_queue_woken(struct sqi_conn *c, int64_t intent)
{
    int i;

    for (i = 0; i < c->n_woken; i++)
        if (c->woken[i] == intent)
            return;
    if (c->n_woken < (int)(sizeof(c->woken) / sizeof(c->woken[0])))
        c->woken[c->n_woken++] = intent;
}

void sqi_flush_woken(struct sq *s, struct sqi_conn *c, int fire)
{
    int i;

    for (i = 0; fire && i < c->n_woken; i++)
        sqi_changed(s, c->woken[i]);
    c->n_woken = 0;
}

static int sq_payment_list(struct store *base, int64_t org,
                           const struct store_filter *f, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *a = NULL;
    struct db_stmt *st;
    size_t i;
    int rc;

    rc = begin_read(c);
    if (rc != 0)
        goto out;
    st = q(c, Q_PAYMENT_LIST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    bt(st, 2, f->payer);
    bt(st, 3, f->method);
    bi(st, 4, f->since);
    bi(st, 5, f->after_id);
    bi(st, 6, lim(f));
    rc = rows_json(c, st, &a);
    if (rc != 0)
        goto out;
    for (i = 0; i < json_array_size(a); i++) {
        json_t *p = json_array_get(a, i), *al = NULL;

        st = q(c, Q_ALLOCS_OF_PAYMENT);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto out;
        }
        bi(st, 1, json_integer_value(json_object_get(p, "id")));
        rc = rows_json(c, st, &al);
        if (rc != 0)
            goto out;
        json_object_set_new(p, "allocations", al);
    }
    *out = a;
    a = NULL;
out:
    end_read(c);
    json_decref(a);
    put_conn(s, c);
    return rc;
}

/* {"count": n, "amount": a} */
static json_t *count_amount(int64_t n, int64_t amount)
{
    return json_pack("{s:I, s:I}", "count", (json_int_t)n, "amount",
                     (json_int_t)amount);
}

/* Add `n` payments of `amount` to the pair at `o`.`key`. */
static int add_pair(json_t *o, const char *key, int64_t n, int64_t amount)
{
    json_t *p = json_object_get(o, key);
    int64_t a = json_integer_value(json_object_get(p, "amount"));

    if (money_add(a, amount, &a) != 0) {
        store_set_error("overflow", "the day's total overflows");
        return -STORE_E_OVERFLOW;
    }
    n += json_integer_value(json_object_get(p, "count"));
    json_object_set_new(o, key, count_amount(n, a));
    return 0;
}

static int sq_kiosk_totals(struct store *base, int64_t org, int64_t kiosk,
                           int64_t t0, int64_t t1, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *o = json_pack("{s:o, s:o, s:{s:o, s:o}, s:[]}", "transfer",
                          count_amount(0, 0), "cash", count_amount(0, 0),
                          "kiosk", "transfer", count_amount(0, 0), "cash",
                          count_amount(0, 0), "by_kiosk");
    json_t *by = json_object_get(o, "by_kiosk");
    struct db_stmt *st = NULL;
    int rc;

    if (o == NULL) {
        put_conn(s, c);
        return -STORE_E_IO;
    }
    rc = begin_read(c);
    if (rc != 0)
        goto out;
    /* a transfer counts for the kiosk that made its intent, cash for the
       kiosk that recorded it; by when the money came (what the collector
       holds), not by the report day a correction is dated on; a transfer
       undone by a review after its day closed (reversed) is not money */
    st = qs(c,
            "SELECT g.method, g.kiosk, (SELECT name FROM kiosks WHERE id ="
            " g.kiosk), g.n, g.total FROM (SELECT p.method AS method,"
            " CASE WHEN p.method = 'cash' THEN cr.kiosk_id ELSE t.kiosk_id END"
            " AS kiosk, count(*) AS n, sum(p.amount) AS total FROM payments p"
            " LEFT JOIN intents t ON t.id = p.intent_id"
            " LEFT JOIN cash_records cr ON cr.payment_id = p.id"
            " WHERE p.org_id = ?1 AND p.created_at >= ?2 AND p.created_at < ?3"
            " AND p.reversed_day IS NULL GROUP BY 1, 2) g"
            " ORDER BY CASE WHEN g.kiosk IS NULL THEN 1 ELSE 0 END, g.kiosk,"
            " g.method");
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, org);
    bi(st, 2, t0);
    bi(st, 3, t1);
    while ((rc = step(c, st)) == 1) {
        const char *method = col_text(st, 0);
        int has_kiosk = db_column_type(st, 1) != DB_NULL;
        int64_t kid = db_column_int64(st, 1);
        int64_t n = db_column_int64(st, 3);
        int64_t amount = db_column_int64(st, 4);
        json_t *last = json_array_get(by, json_array_size(by) - 1);
        json_t *lk = json_object_get(last, "kiosk");

        if (strcmp(method, "cash") != 0)
            method = "transfer";
        rc = add_pair(o, method, n, amount);
        if (rc == 0 && has_kiosk && kid == kiosk)
            rc = add_pair(json_object_get(o, "kiosk"), method, n, amount);
        if (rc != 0)
            break;
        /* rows come grouped by kiosk: start an entry at each new one */
        if (last == NULL ||
            (has_kiosk ? !json_is_integer(lk) || json_integer_value(lk) != kid
                       : !json_is_null(lk))) {
            last = json_pack("{s:o, s:s, s:o, s:o}", "kiosk",
                             has_kiosk ? json_integer(kid) : json_null(),
                             "name", col_text(st, 2), "transfer",
                             count_amount(0, 0), "cash", count_amount(0, 0));
            if (last == NULL || json_array_append_new(by, last) != 0) {
                rc = -STORE_E_IO;
                break;
            }
        }
        rc = add_pair(last, method, n, amount);
        if (rc != 0)
            break;
    }
    if (rc > 0)
        rc = 0;
out:
    end_read(c);
    put_conn(s, c);
    if (rc == 0)
        *out = o;
    else
        json_decref(o);
    return rc;
}

static int sq_stats(struct store *base, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = get_conn(s);
    json_t *intents = json_object(), *pays = json_object();
    struct db_stmt *st;
    int rc;

    rc = begin_read(c);
    if (rc != 0)
        goto out;
    st = q(c, Q_STATS_INTENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    bi(st, 1, (int64_t)time(NULL));
    while ((rc = step(c, st)) == 1)
        json_object_set_new(intents, col_text(st, 0),
                            json_integer(db_column_int64(st, 1)));
    if (rc < 0)
        goto out;
    st = q(c, Q_STATS_PAYMENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    while ((rc = step(c, st)) == 1)
        json_object_set_new(
            pays, col_text(st, 0),
            json_pack("{s:I, s:I}", "count", (json_int_t)db_column_int64(st, 1),
                      "amount", (json_int_t)db_column_int64(st, 2)));
    if (rc < 0)
        goto out;
    *out = json_pack("{s:O, s:O}", "intents", intents, "payments", pays);
    rc = 0;
out:
    end_read(c);
    put_conn(s, c);
    json_decref(intents);
    json_decref(pays);
    return rc;
}

/* ---- open / close ----------------------------------------------------------
 */

static void sq_close(struct store *base)
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
    pthread_mutex_destroy(&s->wmu);
    free(s);
}

static const struct store_ops sqlite_ops = {
    .close = sq_close,
    .auth = sq_auth,
    .kiosk_add = sq_kiosk_add,
    .token_add = sq_token_add,
    .org_create = sq_org_create,
    .org_update = sq_org_update,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .org_id = sq_org_id,
    .payer_put = sq_payer_put,
    .payer_import = sq_payer_import,
    .payer_list = sq_payer_list,
    .fee_put = sq_fee_put,
    .fee_list = sq_fee_list,
    .invoices_generate = sq_invoices_generate,
    .invoice_list = sq_invoice_list,
    .dues = sq_dues,
    .directory = sq_directory,
    .intent_create = sq_intent_create,
    .codes_reserve = sq_codes_reserve,
    .intent_get = sq_intent_get,
    .intent_cancel = sq_intent_cancel,
    .intent_list = sq_intent_list,
    .cash_record = sq_cash_record,
    .payment_list = sq_payment_list,
    .kiosk_totals = sq_kiosk_totals,
    .transfer_apply = sq_transfer_apply,
    .bank_account_org = sqb_account_org,
    .bank_secret_put = sqb_secret_put,
    .bank_secret_get = sqb_secret_get,
    .journal_add = sqb_journal_add,
    .journal_pending = sqb_journal_pending,
    .journal_fail = sqb_journal_fail,
    .journal_prune = sqb_journal_prune,
    .bank_begin = sqb_begin,
    .bank_add = sqb_add,
    .bank_statement = sqb_statement,
    .bank_end = sqb_end,
    .bank_list = sqb_list,
    .bank_get = sqb_get,
    .bank_review = sqb_review,
    .stats = sq_stats,
    .audit_verify = sq_audit_verify,
    .receipt_get = sqr_receipt_get,
    .receipt_key = sqr_receipt_key,
    .daily_rows = sqr_daily_rows,
    .adoption_scan = sqr_adoption_scan,
    .org_province = sqr_org_province,
    .standee_record = sqr_standee_record,
    .standee_payers = sqr_standee_payers,
    .day_close = sqr_day_close,
    .day_reopen = sqr_day_reopen,
    .day_closes = sqr_day_closes,
    .day_closed = sqr_day_closed,
    .payer_refund = sqr_payer_refund,
    .dash_user_add = sqd_user_add,
    .dash_user_get = sqd_user_get,
    .dash_session_add = sqd_session_add,
    .dash_session_get = sqd_session_get,
    .dash_session_del = sqd_session_del,
    .dash_reserve = sqd_reserve,
    .dash_attempt = sqd_attempt,
    .dash_sweep = sqd_sweep,
    .cred_list = sqr_list,
    .cred_revoke = sqr_revoke,
    .ledger_check = sqc_ledger_check,
};

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
    pthread_mutex_init(&s->wmu, NULL);
    s->base.ops = &sqlite_ops;
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

int store_sqlite_open_readonly(const char *path, int pool, struct store **out)
{
    return sq_open(path, pool, 1, out);
}

int store_sqlite_open(const char *path, int pool, struct store **out)
{
    return sq_open(path, pool, 0, out);
}
