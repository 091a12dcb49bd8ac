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

#endif
