/*
 * store_sqlite_int.h: what the SQLite backend shares between its files
 * (store_sqlite.c, the core; store_bank.c, bank ingestion and the review
 * queue; store_account.c, collecting accounts): the connection pool, the
 * write lock, the audit log and the ledger primitives that run inside an
 * open write transaction. Private to server/.
 */
#ifndef CHOPAY_SERVER_STORE_SQLITE_INT_H
#define CHOPAY_SERVER_STORE_SQLITE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "db/db.h"
#include "store.h"

struct sqi_conn;
struct sq;

/* A pooled connection and its database. */
struct sqi_conn *sqi_get_conn(struct sq *s);
void sqi_put_conn(struct sq *s, struct sqi_conn *c);
struct db *sqi_dbh(struct sqi_conn *c);

/* The store's error for failure `rc` (-DB_E_*) of `dbh`: a constraint or
 * a guard is -STORE_E_CONFLICT with the database's message as detail
 * (e.g. a guard's 'day_closed'); anything else is logged and
 * -STORE_E_IO (storage_unavailable). */
int sqi_db_error(struct db *dbh, int rc, const char *what);

/* A write transaction under the write lock (db_begin DB_WRITE) / its
 * commit (rc == 0) or rollback; a read transaction and its end. */
int sqi_begin_write(struct sq *s, struct sqi_conn *c);
int sqi_end_write(struct sq *s, struct sqi_conn *c, int rc);
int sqi_begin_read(struct sqi_conn *c);
void sqi_end_read(struct sqi_conn *c);

/* Append to the hash-chained audit log; takes `detail` (may be NULL). */
int sqi_audit(struct sqi_conn *c, int64_t at, const char *actor,
              const char *action, const char *object, json_t *detail);

/* The changed callback (wake long polls) for `intent`, after a commit. */
void sqi_changed(struct sq *s, int64_t intent);

/*
 * Inside a write transaction: record a transfer of `amount` as a payment
 * of intent `intent` (by id), allocate it to the intent's invoices oldest
 * first, excess to the payer's credit (flag "over"), update the intent.
 * *res gets {payment, intent, status, amount, allocations, unallocated,
 * flag}; *payment the payment id.
 */
int sqi_transfer_intent(struct sqi_conn *c, int64_t org, int64_t intent,
                        int64_t amount, const char *ref, const char *source,
                        const char *actor, int64_t now, json_t **res,
                        int64_t *payment);

/*
 * The same for a payer without an intent: allocate to every open invoice
 * of payer `payer_id`, oldest first; excess to credit.
 */
int sqi_transfer_payer(struct sqi_conn *c, int64_t org, int64_t payer_id,
                       int64_t amount, const char *ref, const char *source,
                       const char *actor, int64_t now, json_t **res,
                       int64_t *payment);

/*
 * Undo a transfer payment (review "unmatch"): give back every one of its
 * allocations, take back its credit, recompute its intent's paid/status,
 * delete it.
 * *intent gets its intent id (0 when none). -CONFLICT when the credit it
 * created has been used since.
 */
int sqi_payment_reverse(struct sqi_conn *c, int64_t payment, int64_t now,
                        int64_t *intent);

/* The migration that records from which audit entry on the hash is
 * version 2 (length-prefixed fields); earlier entries stay version 1. */
extern const char *const sqi_migration_audit_v2[];

/*
 * The hash of one audit entry, hex into `out` (65 bytes), with the
 * encoding of `version`: 1 (fields joined by newlines, entries written
 * before version 2 existed) or 2 (every field length-prefixed). Returns
 * 0, -STORE_E_INVALID for an unknown version, -STORE_E_IO out of memory.
 */
int sqi_audit_hash(int version, const char *prev, int64_t at, const char *actor,
                   const char *action, const char *object, const char *detail,
                   char out[65]);

/* store_account.c: the migration that makes collecting accounts unique. */
extern const char *const sqi_migration_accounts[];

/* Register the SQL functions that migration uses (every SQLite
 * connection; nothing to do on PostgreSQL). 0 or -STORE_E_IO. */
int sqi_account_functions(struct db *db);

/* A collecting account in normal form (account_normalise). */
struct sqi_account {
    char bin[ACCOUNT_BIN_MAX]; /* NAPAS BIN of the bank */
    char key[ACCOUNT_KEY_MAX]; /* normalised account number */
};

/*
 * Inside a write transaction: the collecting account organisation `code`
 * (NULL: one being created) has (*was, zero for a new one) and will have
 * (*now) once `bin_in` and `account_in` apply (NULL: keep; the account is
 * normalised, a BIN written in front of it becomes the BIN). Returns 0;
 * -STORE_E_NOT_FOUND (org_not_found); -STORE_E_INVALID (invalid_field:
 * no account number, or a written BIN other than `bin_in`);
 * -STORE_E_CONFLICT (account_taken) when another organisation holds *now.
 */
int sqi_org_account(struct sqi_conn *c, const char *code, const char *bin_in,
                    const char *account_in, struct sqi_account *was,
                    struct sqi_account *now);

/*
 * After a payment of intent `intent` was reversed: its paid amount is
 * again the sum of its live payments and its status follows (pending,
 * partial, paid; a cancelled intent stays cancelled). In a write txn.
 */
int sqi_intent_recompute(struct sqi_conn *c, int64_t intent, int64_t now);

/* store_bank.c: migrations 3 and 7 and the bank operations of the table. */
extern const char *const sqi_migration3[];
extern const char *const sqi_migration7[];
extern const char *const sqi_migration_identity[];
/* The index over the journal's unverified entries (re-runnable). */
extern const char *const sqi_migration_journal_bounds[];
/* Register the SQL functions the bank migrations use (on every SQLite
 * connection, before the migrations run; nothing to do on PostgreSQL).
 * 0 or -STORE_E_IO. */
int sqi_bank_functions(struct db *db);
int sqb_account_org(struct store *st, const char *account, int64_t *org_id,
                    char *code);
int sqb_secret_put(struct store *st, int64_t org_id, const char *provider,
                   const char *api_key, const char *hmac_key,
                   const char *actor);
int sqb_secret_get(struct store *st, int64_t org_id, const char *provider,
                   char *api_key, size_t ak_cap, char *hmac_key, size_t hk_cap);
int sqb_journal_add(struct store *st, const struct store_journal *j,
                    int64_t *id);
int sqb_journal_pending(struct store *st, int64_t limit, json_t **out);
int sqb_journal_fail(struct store *st, int64_t id, const char *detail);
int sqb_journal_prune(struct store *st, const struct store_journal_limits *lim,
                      int64_t now, int64_t *removed);
int sqb_begin(struct store *st, const char *actor, int64_t now,
              const char *import_kind, struct store_bank **out);
int sqb_add(struct store_bank *b, int64_t org, const struct bank_txn *t,
            const char *channel, int64_t journal_id, json_t **res);
int sqb_statement(struct store_bank *b, int64_t org,
                  const struct feeds_statement *s);
int sqb_end(struct store_bank *b, int commit, int64_t journal_id,
            json_t **summary);
int sqb_list(struct store *st, int64_t org, const struct store_filter *f,
             json_t **out);
int sqb_get(struct store *st, int64_t org, int64_t id, json_t **out);
int sqb_review(struct store *st, int64_t org, int64_t id,
               const struct store_review *rv, const char *actor, int64_t now,
               json_t **out);

/* store_check.c: the ledger's invariants (store_ops.ledger_check). */
int sqc_ledger_check(struct store *st, struct store_check *out);

/*
 * store_bank.c, called by intent creation when a kiosk claims reserved
 * `code` as intent `intent`: apply the transfers held for that code (in
 * the caller's write transaction). Intent ids to wake go to `woken`.
 */
int sqi_bank_claim(struct sqi_conn *c, int64_t org, const char *code,
                   int64_t intent, const char *actor, int64_t now);

/* Wake-ups queued on a connection by sqi_bank_claim, fired by the
 * caller after its commit (sqi_flush_woken) or dropped (rollback). */
void sqi_flush_woken(struct sq *s, struct sqi_conn *c, int fire);
void sqi_queue_woken(struct sqi_conn *c, int64_t intent);

/* Migration 4 (schema version 4), NULL-terminated statements. */
extern const char *const sqi_migration4[];
/* Migration 8: the day each record counts on, corrections after a day
 * close, the bank side a close freezes. */
extern const char *const sqi_migration8[];
/* Migration 14: the dating triggers and closed-day guards of migrations
 * 4, 5 and 8 dropped; the store dates and guards in C. */
extern const char *const sqi_migration_c_dating[];

/*
 * The calendar of dating, in C (proleptic Gregorian, days as
 * "YYYY-MM-DD", years 0000 to 9999; no time zone of the process is
 * involved). Each answers 0, or -1 for a day or time outside that range
 * or text that is not a day.
 *
 * sqr_vn_day: the day in Vietnam (UTC+7, no summer time) at Unix time
 * `t` (negative: before 1970) into `day`.
 * sqr_next_day: the day after `day` into `next` (may be `day` itself).
 * sqr_day_number: `day` as days since 1970-01-01 (negative before); a
 * day past its month's end counts on into the next month, as SQLite's
 * date functions do (2026-02-30 is 2026-03-02).
 * sqr_day_text: day number `n` (days since 1970-01-01) as text.
 * sqr_day_valid: 1 when `day` is a day of the calendar, else 0.
 */
int sqr_vn_day(int64_t t, char day[11]);
int sqr_next_day(const char *day, char next[11]);
int sqr_day_number(const char *day, int64_t *n);
int sqr_day_text(int64_t n, char day[11]);
int sqr_day_valid(const char *day);

/*
 * The day a money event of organisation `org` at Unix time `at` is
 * dated on, into `day`: its Vietnam day, moved on past every closed (not
 * reopened) day of `org` from there. Read in the caller's transaction on
 * `db`. 0, or a negated enum store_error.
 */
int sqr_open_day(struct db *db, int64_t org, int64_t at, char day[11]);

/*
 * The store's refusal to add or take away a record dated `day` of `org`
 * once that day is closed (not reopened): 0 when it is open, else
 * -STORE_E_CONFLICT with the detail "day_closed" (the API's day_closed).
 * Read in the caller's transaction on `db`. A day from sqr_open_day is
 * open by construction; this is for days a record already carries.
 */
int sqr_refuse_closed(struct db *db, int64_t org, const char *day);

/* A correcting entry (see sqr_correction_add). */
struct sqr_correction {
    int64_t org;               /* organisation */
    const char *kind;          /* "late_credit", "late_debit", "match",
                                  "unmatch", "ignore", "cash", "refund" */
    const char *corrects_date; /* the closed day it corrects */
    const char *corrects;      /* the record it points at: "bank:12",
                                  "payment:7", "refund:3" */
    int64_t bank_txn;          /* bank transaction, or 0 */
    int64_t payment;           /* payment, or 0 */
    int64_t refund;            /* refund, or 0 */
    int64_t payer;             /* payer, or 0 */
    int64_t amount;            /* signed đồng it adds to the money received
                                  on its day (see docs/reports.md) */
    const char *actor;         /* who (audit) */
    const char *reason;        /* why, or NULL */
    int64_t now;               /* unix time */
};

/*
 * Inside a write transaction: record correction `k`, dated on the first
 * open day on or after today (Vietnam), with its audit entry
 * ("correction.KIND"); that day into `day` (11 bytes, may be NULL) and
 * the id into *id (may be NULL). 0 or a negated enum store_error.
 */
int sqr_correction_add(struct sqi_conn *c, const struct sqr_correction *k,
                       char *day, int64_t *id);

/* The day something of `org` made at unix time `now` is dated on: the
 * first open day on or after today (Vietnam), into out (11 bytes). */
int sqr_dated_day(struct sqi_conn *c, int64_t org, int64_t now, char *out);

/* *closed = 1 when `day` of `org` is closed; inside any transaction. */
int sqr_is_closed(struct sqi_conn *c, int64_t org, const char *day,
                  int *closed);

/*
 * Inside the write transaction of cash payment `payment` of payer
 * `payer`: the dating rules. An explicit closed `date` (NULL:
 * none) is -STORE_E_CONFLICT "day_closed"; cash that happened on a closed
 * day (`recorded_at`, 0: now) is kept, dated later, with a correction
 * pointing at that day. A `recorded_at` in the future or over a year old
 * is -STORE_E_INVALID.
 */
int sqr_cash_dated(struct sqi_conn *c, int64_t org, int64_t payment,
                   int64_t payer, int64_t amount, const char *date,
                   int64_t recorded_at, const char *actor, int64_t now);

/*
 * Inside the write transaction that inserted payment `payment`: allocate
 * the organisation's next receipt number for the year (Vietnam time),
 * sign the receipt with the organisation's key (created on first use)
 * and store it. 0 or a negated enum store_error.
 */
int sqr_receipt_issue(struct sqi_conn *c, int64_t payment, int64_t now);

/* The receipt number of `payment` into `out` (cap bytes); 0 or
 * -STORE_E_NOT_FOUND / -STORE_E_IO. Inside any transaction. */
int sqr_receipt_of_payment(struct sqi_conn *c, int64_t payment, char *out,
                           size_t cap);

/* store_ops.receipt_get / receipt_key (see store.h). */
int sqr_receipt_get(struct store *st, int64_t org_id, const char *number,
                    json_t **out);
int sqr_receipt_key(struct store *st, const char *org_code, int64_t now,
                    char *pem, size_t cap, char *key_id);
/* store_ops.daily_rows (see store.h). */
int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   json_t **out);
/* store_ops.adoption_scan, org_province, standee_record (store.h). */
int sqr_adoption_scan(struct store *st, int64_t org_id, const char *province,
                      const char *from, const char *to,
                      const struct store_adoption_sink *k);
int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now);
/* store_ops.day_close, day_reopen, day_closes (store.h). */
int sqr_day_close(struct store *st, int64_t org_id, const char *date,
                  const char *totals, const char *digest, const char *actor,
                  int64_t now, json_t **out);
int sqr_day_reopen(struct store *st, int64_t org_id, const char *date,
                   const char *reason, const char *actor, int64_t now);
int sqr_day_closes(struct store *st, json_t **out);
int sqr_day_closed(struct store *st, int64_t org_id, const char *date,
                   int *closed);
int sqr_standee_payers(struct store *st, int64_t org_id, const char *payer,
                       json_t **out);
int sqr_standee_record(struct store *st, int64_t org_id, const char *payer,
                       const char *format, const char *paper, const char *actor,
                       int64_t now);

/* Migration 5: refunds and the payments each one draws on. */
extern const char *const sqi_migration5[];

/* store_ops.payer_refund for the SQLite backend. */
int sqr_payer_refund(struct store *st, int64_t org_id,
                     const struct store_refund_req *req, const char *actor,
                     int64_t now, json_t **out);

/* The credentials migration: credential_times (last used, revoked). */
extern const char *const sqi_migration_credentials[];

/* store_ops.cred_list for the SQLite backend. */
int sqr_list(struct store *st, const char *kind, const char *org_code,
             json_t **out);
/* store_ops.cred_revoke for the SQLite backend. */
int sqr_revoke(struct store *st, const char *kind, const char *org_code,
               int64_t id, const char *login, const char *actor, int64_t now,
               json_t **out);

/* Migration 6: dash_users, dash_sessions, dash_failures. */
extern const char *const sqi_migration6[];

/* store_ops.dash_user_add for the SQLite backend. */
int sqd_user_add(struct store *st, const char *org_code, const char *login,
                 const char *role, const char *pwhash, const char *actor,
                 int64_t *id);
/* store_ops.dash_user_get for the SQLite backend. */
int sqd_user_get(struct store *st, const char *login, char *pwhash, size_t cap,
                 int64_t *id);
/* store_ops.dash_session_add for the SQLite backend. */
int sqd_session_add(struct store *st, int64_t user, const char *hash,
                    const char *csrf, int64_t expires, int64_t now);
/* store_ops.dash_session_get for the SQLite backend. */
int sqd_session_get(struct store *st, const char *hash, int64_t now,
                    struct store_principal *who, char *csrf, size_t cap);
/* store_ops.dash_session_del for the SQLite backend. */
int sqd_session_del(struct store *st, const char *hash, const char *actor,
                    int64_t now);
/* store_ops.dash_attempt for the SQLite backend. */
int sqd_attempt(struct store *st, const char *key, int op, int64_t now,
                int limit, int lock_secs, int64_t *locked_until);
/* store_ops.dash_reserve for the SQLite backend. */
int sqd_reserve(struct store *st, const char *lkey, int llimit,
                const char *akey, int alimit, int64_t now, int lock_secs,
                int64_t *locked_until);
/* store_ops.dash_sweep for the SQLite backend. */
int sqd_sweep(struct store *st, int64_t now, int64_t stale_before,
              int64_t *sessions, int64_t *failures);

#endif
