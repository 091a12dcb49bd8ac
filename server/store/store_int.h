/*
 * store_int.h: what the files of server/store/ share: the connection pool
 * and its transactions (txn.c), the statement table and its helpers
 * (statements.c), the audit log, idempotency records, the ledger
 * primitives that run inside an open write transaction, the SQL
 * functions SQLite's migrations call, and the functions of the operations
 * table (ops.c).
 * Private to server/store/ (and the tests that reach below store.h).
 */
#ifndef CHOPAY_SERVER_STORE_INT_H
#define CHOPAY_SERVER_STORE_INT_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "db/db.h"
#include "store.h"

struct sqi_conn;
struct sq;
struct sqi_unit;
struct payer_names;
struct match_word;

struct sqi_conn {
    struct db *dbh;         /* one connection */
    int64_t *woken;         /* intents to wake after commit */
    int n_woken, cap_woken; /* count of `woken`, room in it */
    int woken_all;          /* out of room: wake every waiter instead */
    struct sq *s;           /* its store, while a shared write is open */
    int shared;             /* its write transaction is DB_WRITE_SHARED */
    int64_t org_locked;     /* the organisation it locked (0 none yet) */
    int64_t org_local;      /* the same in s->org_held (0 none) */
    int audit_locked;       /* it holds the audit chain's lock */
    struct sqi_conn *next;  /* free list link */
};

struct sq {
    struct store base;          /* must be first */
    pthread_mutex_t mu;         /* guards `free_list` */
    pthread_cond_t cv;          /* signalled when a connection is returned */
    struct sqi_conn *free_list; /* idle connections */
    struct sqi_conn *conns;     /* all connections */
    int n;                      /* count of `conns` */
    pthread_cond_t wcv;         /* signalled when a write ends */
    int writing;                /* write transactions open (under `mu`) */
    int writers;                /* at most this many at once: 1 on SQLite */
    int64_t org_held[64];       /* organisations its writers hold (`mu`) */
    int n_org_held;             /* count of `org_held` */
    struct sqi_unit *units;     /* writes waiting for a group (`mu`) */
    int64_t group_lanes[64];    /* lanes a group is being written for */
    int n_group_lanes;          /* count of `group_lanes` */
    struct cred_cache *creds;   /* authenticated credentials (cred_cache.c) */
    struct payer_names *payer_names[8]; /* payer_names.c (under `mu`) */
    struct last_used *last_used; /* last-used times to write (last_used.c) */
    struct sqi_conn *rconns;     /* SQLite: connections that only read */
    int rn;                      /* count of `rconns` */
    struct sqi_conn *rfree;      /* idle ones of `rconns` (under `mu`) */
    pthread_cond_t rcv;          /* signalled when one of them is returned */
};

/* Write transactions one PostgreSQL store runs at once unless told. */
#define SQI_WRITERS 4

struct sqi_inv {
    int64_t id;      /* invoice id */
    int64_t due;     /* amount - paid */
    char period[40]; /* for oldest-first ordering */
};

/* The statements of statements.c, by name. */
enum sqi_q {
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
    Q_PAYER_COUNT,
    Q_PAYER_SET_KEY,
    Q_INVOICE_COUNT,
    Q_INTENT_COUNT,
    Q_PAYMENT_COUNT,
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

/* statements.c */
/* Record and log a failure of the connection (-STORE_E_IO). */
int sqi_conn_fail(struct sqi_conn *c, const char *what);
/* The cached statement `id`, reset with no bindings; NULL on failure. */
struct db_stmt *sqi_q(struct sqi_conn *c, enum sqi_q id);
/* The cached statement for `sql` (static storage: db_q keeps it by
 * address); NULL with the store's error set on failure. */
struct db_stmt *sqi_qs(struct sqi_conn *c, const char *sql);
/* Bind text `s` (NULL binds NULL) / integer `v` to parameter `i`. */
void sqi_bt(struct db_stmt *st, int i, const char *s);
void sqi_bi(struct db_stmt *st, int i, int64_t v);
/* Step: 1 row, 0 done, negative error (constraint -> CONFLICT). */
int sqi_step(struct sqi_conn *c, struct db_stmt *st);
/* Run a statement that returns no rows. */
int sqi_exec1(struct sqi_conn *c, struct db_stmt *st);
/*
 * Run an INSERT ... RETURNING id: *id gets the new row's id, or 0 when
 * the insert did nothing (ON CONFLICT DO NOTHING).
 */
int sqi_insert_id(struct sqi_conn *c, struct db_stmt *st, int64_t *id);
/* The current row as a JSON object keyed by column names. */
json_t *sqi_row_json(struct db_stmt *st);
/* Column `i` of the current row as text, "" for NULL. */
const char *sqi_col_text(struct db_stmt *st, int i);
/*
 * Column `i` of the current row as a malloc'd copy ("" for NULL) into
 * *out; -STORE_E_IO when out of memory (*out is then NULL).
 */
int sqi_col_dup(struct db_stmt *st, int i, char **out);
/* The same, but *out is NULL for a NULL column. */
int sqi_col_dup_or_null(struct db_stmt *st, int i, char **out);
/*
 * Make room in *array (malloc'd or NULL, holding `n` elements of `size`
 * bytes, grown only by this function) for element `n`: it grows to the
 * next power of two when `n` is one. -STORE_E_IO when out of memory
 * (*array is then unchanged).
 */
int sqi_room(void **array, size_t n, size_t size);
/*
 * Read every remaining row of `st` into a new array of elements of `size`
 * bytes, each filled by `read` (0, or a negated store error with nothing
 * left owned by that element). *rows (malloc'd) and *n get the elements
 * read, on failure too: the caller frees them either way.
 */
int sqi_rows_read(struct sqi_conn *c, struct db_stmt *st, size_t size,
                  int (*read)(struct db_stmt *st, void *row), void **rows,
                  size_t *n);
/*
 * The row statement `q` finds for organisation `org` (?1) and `code`
 * (?2), filled into `row` by `read` and, for the audit log, as JSON
 * without its id into *detail. No such row: -STORE_E_NOT_FOUND with the
 * error `error` ("no WHAT 'CODE'").
 */
int sqi_row_fetch(struct sqi_conn *c, enum sqi_q q, int64_t org,
                  const char *code, int (*read)(struct db_stmt *st, void *row),
                  void *row, json_t **detail, const char *error,
                  const char *what);
/*
 * Define `void NAME(struct LIST *l)` for a list of store.h (a `rows`
 * array of `n`): clear every row with CLEAR, free the array and empty
 * the list; NULL does nothing.
 */
#define SQI_LIST_FREE(NAME, LIST, CLEAR)                                       \
    void NAME(struct LIST *l)                                                  \
    {                                                                          \
        size_t i;                                                              \
                                                                               \
        if (l == NULL)                                                         \
            return;                                                            \
        for (i = 0; i < l->n; i++)                                             \
            CLEAR(&l->rows[i]);                                                \
        free(l->rows);                                                         \
        l->rows = NULL;                                                        \
        l->n = 0;                                                              \
    }

/* payers.c: a payer's search key: its code's letters and digits, a
 * space, its name's words, folded to upper-case ASCII (vntext.h), into
 * `out` of `cap` bytes (PAYER_KEY_MAX holds any). */
#define PAYER_KEY_MAX 256
void sqi_payer_search_key(const char *code, const char *name, char *out,
                          size_t cap);
/* Fill the search key of every payer that has none (after the migration
 * that adds the column); 0 or -STORE_E_IO. */
int sqi_payer_keys_fill(struct db *db);
/* Inside the migration's transaction: the organisation of every audit
 * entry written without one, told from what it names (audit_orgs.c). */
int sqi_audit_orgs_fill(struct db *db);

/* The row limit of a list request `f`. */
int64_t sqi_lim(const struct store_filter *f);
/* Step `st`, a bound "SELECT count(*) ...", and reset it: its count into
 * *total. 0 or the store's error. */
int sqi_count(struct sqi_conn *c, struct db_stmt *st, int64_t *total);

/* idempotency.c */
/*
 * Look up (scope, key): 0 = not seen, 1 = replay: the recorded answer
 * into *body (malloc'd text), or -IDEM when the body differs.
 */
int sqi_idem_get(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, char **body);
/* Record the answer (`status`, the text `body`) to (scope, key). */
int sqi_idem_put(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, int status, const char *body,
                 int64_t now);
/* Record the answer `res` rendered by idem->render (status 201). */
int sqi_idem_put_res(struct sqi_conn *c, const char *scope,
                     const struct store_idem *idem, const void *res,
                     int64_t now);

/* orgs.c */
/* The org id for `code`, inside an open transaction. */
int sqi_org_id_of(struct sqi_conn *c, const char *code, int64_t *id);
/* The organisation in the current row (ORG_COLS) into `row`, a struct
 * store_org_row (its strings owned by it, cleared on failure). */
int sqi_org_row_read(struct db_stmt *st, void *row);

/* payers.c */
/* Payer id and name by code in `org`; -NOT_FOUND when unknown. */
int sqi_payer_id_of(struct sqi_conn *c, int64_t org, const char *code,
                    int64_t *id, json_t **name);

/* intents.c */
/*
 * Resolve the invoices a request names (ids, or NULL for every open one)
 * for payer `pid` into a new array sorted oldest first with what is due.
 */
int sqi_resolve_invoices(struct sqi_conn *c, int64_t org, int64_t pid,
                         const int64_t *ids, size_t n, struct sqi_inv **out,
                         size_t *out_n, int64_t *total);
/* Set intent `id`'s status, paid amount and (closing it) the time and
 * reason. In a write txn. */
int sqi_set_intent(struct sqi_conn *c, int64_t id, const char *status,
                   int64_t paid, int64_t now, const char *reason);

/* ledger.c */
/* Apply the credit of every payer of `org` that has some. In a write txn. */
int sqi_apply_credits(struct sqi_conn *c, int64_t org, const char *actor,
                      int64_t now);

/* ops.c: the operations table every store opens with. */
extern const struct store_ops sqi_ops;

/* The operations of the table (ops.c), each named for the store_ops
 * member it implements. */
/* schema.c */
void sq_close(struct store *base);
/* credentials.c */
int sq_auth(struct store *base, const char *hash, struct store_principal *out);

/*
 * The cache of authenticated credentials (cred_cache.c). get: 1 and the
 * principal and last-used time when `hash` is known and still believed;
 * *gen gets the generation to hand to put after a database lookup. put:
 * enter what the lookup found, unless a credential changed since `gen`.
 * used: the credential's last-used time was written. clear: a credential
 * changed (after its commit); every entry is void.
 */
struct cred_cache *cred_cache_new(void);
void cred_cache_free(struct cred_cache *cc);
int cred_cache_get(struct cred_cache *cc, const char *hash,
                   struct store_principal *who, int64_t *last_used,
                   uint64_t *gen);
void cred_cache_put(struct cred_cache *cc, const char *hash,
                    const struct store_principal *who, int64_t last_used,
                    uint64_t gen);
void cred_cache_used(struct cred_cache *cc, const char *hash, int64_t now);
void cred_cache_clear(struct cred_cache *cc);

/*
 * Last-used times written behind the requests (last_used.c): new starts
 * the writer thread (NULL on failure), free writes what is pending and
 * stops it; note queues one use and returns at once; flush writes what
 * is pending now, in the caller's thread. sqi_touch_last_used
 * (credentials.c) is the write: a short transaction of its own.
 */
struct last_used *last_used_new(struct sq *s);
void last_used_free(struct last_used *lu);
void last_used_note(struct last_used *lu, int kiosk, int64_t id, int64_t now);
void last_used_flush(struct last_used *lu);
void sqi_touch_last_used(struct sq *s, int kiosk, int64_t id, int64_t now);
int sq_kiosk_add(struct store *base, const char *org_code, const char *name,
                 const char *hash, int64_t *id);
int sq_token_add(struct store *base, const char *role, const char *org_code,
                 const char *province, const char *hash, int64_t *id);
/* provinces.c */
/* Province `name` as the organisations spell it, into `out` (`cap`
 * bytes), inside a transaction of `c` (store_ops.province_find). */
int sqi_province_canonical(struct sqi_conn *c, const char *name, char *out,
                           size_t cap);
int sqv_province_find(struct store *st, const char *name, char *out,
                      size_t cap);
int sqv_provinces(struct store *st, struct store_province_list *out);
int sqv_org_in_province(struct store *st, int64_t org_id, const char *province);
/* orgs.c */
int sq_org_create(struct store *base, const struct store_org *org,
                  const char *actor, struct store_org_row *out);
int sq_org_update(struct store *base, const char *code,
                  const struct store_org *org, const char *actor,
                  struct store_org_row *out);
int sq_org_get(struct store *base, const char *code, struct store_org_row *out);
int sq_org_list(struct store *base, int64_t org_id, struct store_org_list *out);
int sq_org_id(struct store *base, const char *code, int64_t *out);
/* payers.c */
int sq_payer_put(struct store *base, int64_t org, const struct store_payer *p,
                 int create, const char *actor, struct store_payer_row *out);
int sq_payer_import(struct store *base, int64_t org,
                    const struct store_payer *rows, size_t n, const char *actor,
                    struct store_payer_import *out);
int sq_payer_list(struct store *base, int64_t org, const struct store_filter *f,
                  struct store_payer_list *out);
/* fees.c */
int sq_fee_put(struct store *base, int64_t org, const struct store_fee *f,
               int create, const char *actor, struct store_fee_row *out);
int sq_fee_list(struct store *base, int64_t org, struct store_fee_list *out);
/* invoices.c */
int sq_invoices_generate(struct store *base, int64_t org, const char *period,
                         const char *fee_code, const char *actor,
                         struct store_invoices_made *out);
int sq_invoice_list(struct store *base, int64_t org,
                    const struct store_filter *f,
                    struct store_invoice_list *out);
/* kiosk_reads.c */
int sq_dues(struct store *base, int64_t org, const char *payer,
            struct store_dues *out);
int sq_directory(struct store *base, int64_t org, struct store_directory *out);
/* intents.c */
int sq_intent_create(struct store *base, const struct store_principal *who,
                     const struct store_idem *idem,
                     const struct store_intent_req *req, int64_t now,
                     struct store_intent *out, char **replay);
int sq_codes_reserve(struct store *base, const struct store_principal *who,
                     const struct store_idem *idem, int count, int64_t now,
                     struct store_codes *out, char **replay);
int sq_intent_get(struct store *base, int64_t org, int64_t id, int64_t now,
                  struct store_intent *out);
int sq_intent_cancel(struct store *base, int64_t org, int64_t id,
                     const char *actor, int64_t now, struct store_intent *out);
int sq_intent_list(struct store *base, int64_t org,
                   const struct store_filter *f, int64_t now,
                   struct store_intent_list *out);
/* ledger.c */
int sq_cash_record(struct store *base, const struct store_principal *who,
                   const struct store_idem *idem,
                   const struct store_cash_req *req, int64_t now,
                   struct store_cash *out, char **replay);
int sq_transfer_apply(struct store *base, int64_t org,
                      const struct store_transfer *t, const char *actor,
                      int64_t now, struct store_transfer_made *out);
/* payment_reads.c */
int sq_payment_list(struct store *base, int64_t org,
                    const struct store_filter *f,
                    struct store_payment_list *out);
int sq_stats(struct store *base, struct store_stats *out);
/* audit.c */
int sq_audit_verify(struct store *base, int64_t *entries);

/* A pooled connection and its database. */
struct sqi_conn *sqi_get_conn(struct sq *s);
void sqi_put_conn(struct sq *s, struct sqi_conn *c);
/*
 * A connection for a read that must never wait behind a write (a
 * kiosk's dues and directory, an intent's state, a credential): on
 * SQLite one of the connections that only read (query_only), whose WAL
 * read transactions never take the write lock nor wait for a pooled
 * connection a writer holds; on PostgreSQL a pooled one (its reads never
 * wait for writers anyway). Given back with sqi_put_read_conn.
 */
struct sqi_conn *sqi_get_read_conn(struct sq *s);
void sqi_put_read_conn(struct sq *s, struct sqi_conn *c);
struct db *sqi_dbh(struct sqi_conn *c);

/* The store's error for failure `rc` (-DB_E_*) of `dbh`: a constraint or
 * a guard is -STORE_E_CONFLICT with the database's message as detail
 * (e.g. a guard's 'day_closed'); anything else is logged and
 * -STORE_E_IO (storage_unavailable). */
int sqi_db_error(struct db *dbh, int rc, const char *what);

/* A write transaction under the whole write lock (db_begin DB_WRITE),
 * alone on the database: for writes that span organisations or change
 * which organisation an account is / its commit (rc == 0) or rollback;
 * a read transaction and its end. */
int sqi_begin_write(struct sq *s, struct sqi_conn *c);
int sqi_end_write(struct sq *s, struct sqi_conn *c, int rc);
int sqi_begin_read(struct sqi_conn *c);
void sqi_end_read(struct sqi_conn *c);
/*
 * A write transaction confined to organisation `org`'s ledger: on
 * PostgreSQL it shares the write lock with other organisations' writes
 * (DB_WRITE_SHARED) and holds `org`'s own lock, so two writes of one
 * organisation never interleave while different organisations' writes
 * run side by side; SQLite runs it as sqi_begin_write, and so does an
 * `org` of 0 (no one organisation). Ended by sqi_end_write.
 */
int sqi_begin_write_org(struct sq *s, struct sqi_conn *c, int64_t org);
/* The same before the organisation is known (a bank batch, whose
 * accounts name it) or for a write of no organisation's ledger (the
 * webhook journal): sqi_lock_org names the organisation before anything
 * of its ledger is written. */
int sqi_begin_write_shared(struct sq *s, struct sqi_conn *c);
/* In a write transaction, hold organisation `org`'s lock (at once when
 * held already, or when the transaction holds the whole write lock). */
int sqi_lock_org(struct sqi_conn *c, int64_t org);
/* In a write transaction, hold the audit chain's lock, which orders
 * every append to the chain across organisations: taken right before
 * the append reads the chain's head, after every other lock. */
int sqi_lock_audit(struct sqi_conn *c);
/* 1 when `rc`, the result of a whole write operation, means that the
 * database lost the transaction to a deadlock or a serialization failure
 * and it may be run again (nothing of it was kept). */
int sqi_write_lost(int rc);

/* retry.c: the organisations' writes of the operations table, each run
 * again (up to STORE_WRITE_TRIES times) when the database lost it. */
int sqi_retry_intent_create(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem,
                            const struct store_intent_req *req, int64_t now,
                            struct store_intent *out, char **replay);
int sqi_retry_codes_reserve(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem, int count,
                            int64_t now, struct store_codes *out,
                            char **replay);
int sqi_retry_intent_cancel(struct store *base, int64_t org, int64_t id,
                            const char *actor, int64_t now,
                            struct store_intent *out);
int sqi_retry_cash_record(struct store *base, const struct store_principal *who,
                          const struct store_idem *idem,
                          const struct store_cash_req *req, int64_t now,
                          struct store_cash *out, char **replay);
int sqi_retry_transfer_apply(struct store *base, int64_t org,
                             const struct store_transfer *t, const char *actor,
                             int64_t now, struct store_transfer_made *out);
int sqi_retry_review(struct store *st, int64_t org, int64_t id,
                     const struct store_review *rv, const char *actor,
                     int64_t now, struct store_bank_txn *out);
int sqi_retry_day_close(struct store *st, int64_t org_id, const char *date,
                        const char *totals, const char *digest,
                        const char *force_reason, const char *actor,
                        int64_t now, struct store_day_closed *out);
int sqi_retry_day_reopen(struct store *st, int64_t org_id, const char *date,
                         const char *reason, const char *actor, int64_t now);
int sqi_retry_payer_refund(struct store *st, int64_t org_id,
                           const struct store_refund_req *req,
                           const char *actor, int64_t now,
                           struct store_refund *out);

/* Append to the hash-chained audit log, filed under organisation
 * `org_id` (0: none); takes `detail` (may be NULL). */
int sqi_audit(struct sqi_conn *c, int64_t org_id, int64_t at, const char *actor,
              const char *action, const char *object, json_t *detail);

/* The changed callback (wake long polls) for `intent`, after a commit. */
void sqi_changed(struct sq *s, int64_t intent);

/*
 * Inside a write transaction: record a transfer of `amount` as a payment
 * of intent `intent` (by id), allocate it to the intent's invoices oldest
 * first, excess to the payer's credit (flag "over"), update the intent.
 * *res gets what was booked (store_transfer_made_free).
 */
int sqi_transfer_intent(struct sqi_conn *c, int64_t org, int64_t intent,
                        int64_t amount, const char *ref, const char *source,
                        const char *actor, int64_t now,
                        struct store_transfer_made *res);
/*
 * `m` as the bank intake's answers carry it: {payment, intent, code,
 * status, amount, allocations: [{invoice, amount}], unallocated, flag};
 * `allocations` alone as the audit entries list them.
 */
json_t *sqi_transfer_json(const struct store_transfer_made *m);
json_t *sqi_allocations_json(const struct store_allocation *a, size_t n);

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

/*
 * The hash of one audit entry, hex into `out` (65 bytes), with the
 * encoding of `version`: 1 (fields joined by newlines, entries written
 * before version 2 existed) or 2 (every field length-prefixed). Returns
 * 0, -STORE_E_INVALID for an unknown version, -STORE_E_IO out of memory.
 */
int sqi_audit_hash(int version, const char *prev, int64_t at, const char *actor,
                   const char *action, const char *object, const char *detail,
                   char out[65]);

/* accounts.c: register the SQL functions that SQLite's migration
 * 009-accounts.sql uses (every SQLite connection; nothing to do on
 * PostgreSQL). 0 or -STORE_E_IO. */
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

/* bank_schema.c: register the SQL functions SQLite's migration
 * 010-transfer-identity.sql uses (on every SQLite connection, before the
 * migrations run; nothing to do on PostgreSQL). 0 or -STORE_E_IO. */
int sqi_bank_functions(struct db *db);
/* The bank operations of the table (accounts.c, bank_secrets.c,
 * journal.c, bank_intake.c, review.c). */
int sqb_account_org(struct store *st, const char *account, int64_t *org_id,
                    char *code);
int sqb_secret_put(struct store *st, int64_t org_id, const char *provider,
                   const char *api_key, const char *hmac_key,
                   const char *actor);
int sqb_secret_get(struct store *st, int64_t org_id, const char *provider,
                   char *api_key, size_t ak_cap, char *hmac_key, size_t hk_cap);
int sqb_journal_add(struct store *st, const struct store_journal *j,
                    int64_t *id);
int sqb_journal_pending(struct store *st, int64_t limit,
                        struct store_pending_list *out);
int sqb_journal_fail(struct store *st, int64_t id, const char *detail);
/* Inside the caller's write transaction on `c`: insert journal entry `j`
 * (its id into *id), and set entry `id`'s state and detail at `now`. */
int sqi_journal_insert(struct sqi_conn *c, const struct store_journal *j,
                       int64_t *id);
int sqi_journal_set(struct sqi_conn *c, int64_t id, const char *state,
                    const char *detail, int64_t now);
int sqb_journal_prune(struct store *st, const struct store_journal_limits *lim,
                      int64_t now, int64_t *removed);
int sqb_begin(struct store *st, const char *actor, int64_t now,
              const char *import_kind, struct store_bank **out);
/* A batch inside the caller's open write transaction on `c`
 * (bank_hooks.c): bank_end marks a journal entry but leaves the commit
 * and the connection to the caller. NULL when out of memory. */
struct store_bank *sqb_begin_in(struct sq *s, struct sqi_conn *c,
                                const char *actor, int64_t now);
/* store_ops.bank_hook (bank_hooks.c). */
int sqb_hook(struct store *st, struct store_hook *h);
int sqb_add(struct store_bank *b, int64_t org, const struct bank_txn *t,
            const char *channel, int64_t journal_id,
            struct store_bank_result *res);
int sqb_statement(struct store_bank *b, int64_t org,
                  const struct feeds_statement *s);
int sqb_end(struct store_bank *b, int commit, int64_t journal_id,
            struct store_bank_summary *summary);
int sqb_import_open(struct store *st, const char *kind, const char *digest,
                    const char *actor, int64_t now, int64_t *import_id,
                    int64_t *rows_done);
int sqb_import_slice(struct store *st, int64_t import_id, int64_t rows_done,
                     const char *actor, int64_t now, struct store_bank **out);
int sqb_import_mark(struct store_bank *b, int finished);
int sqb_list(struct store *st, int64_t org, const struct store_filter *f,
             struct store_bank_txn_list *out);
int sqb_get(struct store *st, int64_t org, int64_t id,
            struct store_bank_txn_full *out);
/* Load transaction `id` of `org` into *out, inside a transaction
 * (review.c); NOT_FOUND "transaction_not_found". */
int sqb_txn_fetch(struct sqi_conn *c, int64_t org, int64_t id,
                  struct store_bank_txn *out);
/* The parts of split transaction `id`, in order, into a malloc'd array
 * *out of *n (bank_split.c; 0 parts when it is not split). */
int sqb_split_parts(struct sqi_conn *c, int64_t id,
                    struct store_bank_part **out, size_t *n);
int sqb_review(struct store *st, int64_t org, int64_t id,
               const struct store_review *rv, const char *actor, int64_t now,
               struct store_bank_txn *out);

/* Bank files (bank_schema.c, bank_statements.c, bank_intake.c,
 * review.c). */
/* A journal entry nobody authenticated: what a stranger can leave. The
 * index bank_journal_unverified (server/schema/) is on this condition. */
#define JOURNAL_UNVERIFIED                                                     \
    "state IN ('rejected', 'invalid') AND verified <> 'ok'"

/* The statements of bank_statements.c, by name. */
enum sqb_q {
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
    B_IMPORT_NEW,
    B_IMPORT_UNFINISHED,
    B_IMPORT_MARK,
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
    B_COUNT,
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

/* A batch of bank transactions (bank_intake.c; review.c makes one for a
 * single decision). */
/* A payer of the org, folded, for name suggestions. */
struct bpayer {
    char code[24];
    char name[160];                 /* original */
    char folded[160];               /* match_fold_name(name) */
    char guardian[160];             /* match_fold_name(guardian) */
    size_t folded_at, n_folded;     /* its words in payer_names.words */
    size_t guardian_at, n_guardian; /* ... and its guardian's */
};

/* The transaction a group of writes shares (group.c), and the bank batch
 * its webhooks share, begun by the first that needs it (sqb_begin_in). */
struct sqi_group {
    struct sq *s;
    struct sqi_conn *c;
    struct store_bank *bank;
};

enum sqi_unit_state { SQI_UNIT_QUEUED, SQI_UNIT_LEAD, SQI_UNIT_DONE };

/* One caller's write waiting for a group commit, on its stack. */
struct sqi_unit {
    int64_t lane;  /* 0 on SQLite, its organisation on PostgreSQL */
    size_t weight; /* its share of the intents a group may wake */
    /* Its work in the group's transaction: 0; -STORE_E_IO, and the whole
     * group fails; or another error after undoing its own work alone
     * (a savepoint), kept with sqi_unit_fail. NULL: make, in a savepoint
     * group.c sets and undoes (with what it would have woken) when make
     * answers another error than -STORE_E_IO. */
    int (*run)(struct sqi_group *g, struct sqi_unit *u);
    int (*make)(struct sqi_conn *c, void *arg);
    /* Forget what it made: undone, or its group failed (may be NULL). */
    void (*clear)(void *arg);
    void *arg;                 /* the caller's */
    enum sqi_unit_state state; /* under s->mu */
    int rc;                    /* its result */
    char code[32];             /* the store's error for it, when rc != 0 */
    char msg[256];
    struct sqi_unit *next; /* the queue, oldest first */
    pthread_cond_t cv;     /* signalled when `state` changes */
};

/* Queue `u` (lane, weight, run or make, clear, arg set) and wait until
 * the group that takes it is committed: its rc, the store's error set.
 * sqi_group_write: a unit of make(c, arg) for organisation `org`. */
int sqi_group_run(struct sq *s, struct sqi_unit *u);
int sqi_group_write(struct sq *s, int64_t org, size_t weight,
                    int (*make)(struct sqi_conn *c, void *arg),
                    void (*clear)(void *arg), void *arg);
/* Keep error rc and the store's error as u's result. */
void sqi_unit_fail(struct sqi_unit *u, int rc);

/* An organisation's active payers as suggestions score them, shared
 * between batches (payer_names.c); never changed once read. */
struct payer_names {
    int64_t org;
    uint64_t version;         /* of the process's payer writes, when read */
    int64_t loaded;           /* when read (monotonic seconds) */
    int refs;                 /* the cache's and the batches' (s->mu) */
    struct bpayer *payers;    /* the payers */
    size_t n_payers;          /* count */
    struct match_word *words; /* their names' and guardians' words */
    size_t n_words, cap_words;
};

/*
 * Organisation `org`'s payer names, read on `c` (in its transaction)
 * unless a set read recently and not outdated by a payer write of this
 * process is kept; NULL when they cannot be read. Give each back with
 * sqi_payer_names_put. sqi_payers_changed: a payer's name, guardian or
 * state was written (in a transaction that may yet commit).
 */
struct payer_names *sqi_payer_names_get(struct sq *s, struct sqi_conn *c,
                                        int64_t org);
void sqi_payer_names_put(struct sq *s, struct payer_names *p);
void sqi_payers_changed(void);
void sqi_payer_names_free(struct sq *s);

/* A payer (index into payer_names.payers) named like a sender: similarity
 * to its name and to its guardian's. */
struct bname {
    size_t payer;
    int name, guardian;
};

struct store_bank {
    struct sq *s;            /* the store */
    struct sqi_conn *c;      /* the connection holding the transaction */
    char actor[48];          /* for the audit log */
    int64_t now;             /* batch time */
    int64_t import_id;       /* 0 for webhooks */
    int rc;                  /* sticky error */
    int open;                /* its write transaction has begun */
    int borrowed;            /* the transaction and `c` are the caller's
                                (sqb_begin_in): bank_end neither commits
                                nor gives `c` back */
    int64_t org;             /* org whose prefix/payers are cached */
    char prefix[8];          /* its payment-code prefix */
    struct payer_names *pn;  /* its payers, loaded on first need */
    int64_t n_rows;          /* statement rows of this import so far */
    int64_t first_row;       /* ... when this batch began */
    int64_t n_new, n_replay; /* counts for the summary */
    int64_t n_matched, n_unmatched, n_dup, n_ignored, n_ambiguous;
    int64_t n_stmts, n_bal_mismatch;
    struct store_bank_summary sum;        /* counts of the statements' balance
                                             checks so far */
    char last_account[FEEDS_ACCOUNT_MAX]; /* account last resolved */
    int64_t last_org;                     /* its organisation */
    int64_t rd_org;                       /* org of the booking date ... */
    char rd_booking[FEEDS_ID_MAX];        /* ... last looked up ... */
    char rd_date[11];                     /* ... and the day it counts on */
    /* the sender last scored against the payers, and the payers named
       like it (NULL: none scored yet) */
    char named[FEEDS_NAME_MAX];
    struct bname *names;
    size_t n_names;
};

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

/*
 * Ranked suggestions for an unmatched credit (never applied): an open
 * intent or invoice whose remainder equals the amount (same day counts
 * more), a payer or guardian named like the counter-account holder.
 * Returns a JSON text (malloc'd) of the best 5.
 */
char *sqb_suggestions(struct store_bank *b, const struct bank_txn *t);
/*
 * The identity rule for new record k->id: *of = the transfer (its primary
 * id) it is another record of, *by_ref 1 when paired by reference; or
 * *held = the candidate transfers' ids (malloc'd array of *n_held, the
 * caller's) when they differ from each other and nothing decides between
 * them; neither when it is a new transfer.
 */
int sqb_identity_of(struct store_bank *b, const struct ident_key *k,
                    int64_t *of, int *by_ref, int64_t **held, size_t *n_held);
/*
 * Record `id` repeats one of several different transfers, or none: held
 * `unmatched` (`possible_duplicate`), moving no money, the candidates in
 * its suggestions for a reviewer (ignore: it was one of them; match: it
 * is a transfer of its own).
 */
int sqb_hold_possible_duplicate(struct store_bank *b, int64_t id,
                                const struct bank_txn *t, const char *code,
                                const int64_t *cands, size_t n_cands);

/* The cached statement `id`, reset and unbound; NULL on failure (the
 * store's error is set). */
struct db_stmt *sqb_q(struct sqi_conn *c, enum sqb_q id);
/* Run an INSERT ... RETURNING id: *id the new row's id, 0 when it
 * inserted nothing (ON CONFLICT DO NOTHING). 0 or negative error. */
int sqb_insert(struct sqi_conn *c, struct db_stmt *st, int64_t *id);
/*
 * The organisation whose collecting account `account` names, on
 * connection c (docs/matching.md, "Which organisation"): the same
 * normalised account number, and the same BIN when `account` carries one.
 * *org and code (32 bytes, may be NULL) on success; -STORE_E_NOT_FOUND
 * (unknown_account) when none, -STORE_E_CONFLICT (ambiguous_account)
 * when `account` has no BIN and organisations at different banks hold it.
 */
int sqb_org_of_account(struct sqi_conn *c, const char *account, int64_t *org,
                       char *code);
/* Set bank transaction `id`'s state, outcome, reason, code and
 * suggestions (in the batch's transaction). */
int sqb_set_state(struct store_bank *b, int64_t id, const char *state,
                  const char *outcome, const char *reason, const char *code,
                  const char *sugg);
/* Apply credit `id` of `amount` to intent `intent` and mark it matched:
 * *outcome (may be NULL) "exact", "partial", "over" or "credit"; *res
 * (may be NULL) the transfer made, for the caller's audit entry. */
int sqb_apply_intent(struct sqi_conn *c, int64_t org, int64_t id,
                     int64_t intent, int64_t amount, const char *provider,
                     const char *code, const char *reason, const char *actor,
                     int64_t now, const char **outcome, json_t **res);

/* check.c: the ledger's invariants (store_ops.ledger_check). */
int sqc_ledger_check(struct store *st, struct store_check *out);

/*
 * bank.c, called by intent creation when a kiosk claims reserved
 * `code` as intent `intent`: apply the transfers held for that code (in
 * the caller's write transaction). Intent ids to wake go to `woken`.
 */
int sqi_bank_claim(struct sqi_conn *c, int64_t org, const char *code,
                   int64_t intent, const char *actor, int64_t now);

/* Wake-ups queued on a connection by sqi_bank_claim, fired by the
 * caller after its commit (sqi_flush_woken) or dropped (rollback). */
void sqi_flush_woken(struct sq *s, struct sqi_conn *c, int fire);
void sqi_queue_woken(struct sqi_conn *c, int64_t intent);

/* SQL: a bank transaction `t` recorded for a closed day is booked on a
 * later one (daily_rows.c, day_close.c). */
#define TXN_LATE "t.report_date <> t.booking_date"

/* Report files: statement helpers (statements.c), the active close of a
 * day (dating.c), a day's report rows (daily_rows.c). */
void sqr_copy_col(struct db_stmt *st, int i, char *out, size_t cap);
/*
 * The connection's cached statement for `sql` (a string with static
 * storage: db_q keeps it by address) into *st: 0, or the store's error
 * with *st NULL. Give it back with sqr_done().
 */
int sqr_stmt(struct db *db, const char *sql, struct db_stmt **st);
/* Reset a statement from sqr_stmt() for its next use; NULL does nothing. */
void sqr_done(struct db_stmt *st);
/* One step of `st` of `db`: 1 row, 0 done, or the store's error. */
int sqr_step(struct db *db, struct db_stmt *st);
/* The id of the active close of `date` of `org` into *id (0: open). */
int sqr_close_of(struct db *db, int64_t org, const char *date, int64_t *id);
/* The canonical text of rows read by sqr_rows_read (daily_rows.c). */
struct sqr_digest;
/*
 * Run `sql` (a string with static storage) with its first `nparams`
 * parameters of ?1 org id, ?2 the date text, ?3 the active close's id or
 * 0, and read every row into a new array of elements of `size` bytes,
 * each zeroed and filled by `read`; each row's columns are added to `dg`
 * (NULL: none). *rows (malloc'd) and *n get the elements read, on
 * failure too: the caller frees them either way.
 */
int sqr_rows_read(struct db *db, const char *sql, int nparams, int64_t org,
                  const char *date, int64_t close_id, struct sqr_digest *dg,
                  size_t size, int (*read)(struct db_stmt *st, void *row),
                  void **rows, size_t *n);
/*
 * The rows of the daily reconciliation of `date` of `org` (see
 * store.h daily_rows) into *out, read in the caller's transaction: the
 * bank side as the active close froze it when the day is closed, live
 * otherwise.
 */
int sqr_rows_of_day(struct db *db, int64_t org, const char *date,
                    struct store_day_rows *out);
/* The current row of the takings query into `row`, a struct
 * store_taking (daily_rows.c). */
int sqr_taking_read(struct db_stmt *q, void *row);
/*
 * The payments dated `date` of `org` (not reversed by then) as store.h
 * day_takings describes them, into *rows (struct store_taking, *n of
 * them; the caller frees them either way), added to `dg` (NULL: none);
 * read in the caller's transaction (day_takings.c).
 */
int sqr_takings_rows(struct db *db, int64_t org, const char *date,
                     struct sqr_digest *dg, void **rows, size_t *n);

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

/* The public address of receipt `number` ("/r/NUMBER?s=SIG") into
 * `out` (cap bytes, STORE_RECEIPT_URL_MAX suffices); 0 or
 * -STORE_E_NOT_FOUND / -STORE_E_IO. Inside any transaction. */
int sqr_receipt_url(struct sqi_conn *c, const char *number, char *out,
                    size_t cap);
/* store_ops.receipt_url (see store.h). */
int sqr_receipt_url_get(struct store *st, const char *number, char *out,
                        size_t cap);
/* store_ops.receipt_get / receipt_key (see store.h). */
int sqr_receipt_get(struct store *st, int64_t org_id, const char *number,
                    struct store_receipt *out);
int sqr_receipt_list(struct store *st, int64_t org_id,
                     const struct store_filter *f,
                     struct store_receipt_list *out);
int sqr_receipt_key(struct store *st, const char *org_code, int64_t now,
                    char *pem, size_t cap, char *key_id);
/* store_ops.daily_rows (see store.h). */
int sqr_daily_rows(struct store *st, int64_t org_id, const char *date,
                   struct store_day_rows *out);
/* store_ops.day_takings (see store.h). */
int sqr_day_takings(struct store *st, int64_t org_id, const char *date,
                    struct store_takings *out);
/* store_ops.adoption_scan, org_province, standee_record (store.h). */
int sqr_adoption_scan(struct store *st, int64_t org_id, const char *province,
                      const char *from, const char *to,
                      const struct store_adoption_sink *k);
int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now);
/* store_ops.day_close, day_reopen, day_closes (store.h). */
int sqr_day_close(struct store *st, int64_t org_id, const char *date,
                  const char *totals, const char *digest,
                  const char *force_reason, const char *actor, int64_t now,
                  struct store_day_closed *out);
int sqr_day_reopen(struct store *st, int64_t org_id, const char *date,
                   const char *reason, const char *actor, int64_t now);
int sqr_day_closes(struct store *st, struct store_close_list *out);
int sqr_day_closed(struct store *st, int64_t org_id, const char *date,
                   int *closed);

/* close_guard.c: what stands open on `date` of `org` into *out, read in
 * the caller's transaction on `db`. */
int sqr_open_items(struct db *db, int64_t org, const char *date,
                   struct store_open_items *out);
/* 1 when `o` holds anything open, else 0. */
int sqr_open_items_any(const struct store_open_items *o);
/* The refusal to close `date` with open items `o`: CONFLICT "open_items"
 * saying how many and how much. */
int sqr_open_items_refuse(const char *date, const struct store_open_items *o);
/* store_ops.day_open_items, day_force_reason (store.h). */
int sqr_day_open_items(struct store *st, int64_t org_id, const char *date,
                       struct store_open_items *out);
int sqr_day_force_reason(struct store *st, int64_t org_id, const char *date,
                         char *out, size_t cap);
/* bank_split.c: store_ops.bank_split (store.h). */
int sqb_split(struct store *st, int64_t org, int64_t id,
              const struct store_split_part *parts, size_t n,
              const char *reason, const char *actor, int64_t now,
              struct store_bank_txn_full *out);
int sqr_standee_payers(struct store *st, int64_t org_id, const char *payer,
                       struct store_standees *out);
int sqr_standee_record(struct store *st, int64_t org_id, const char *payer,
                       const char *format, const char *paper, const char *actor,
                       int64_t now);

/* store_ops.payer_refund */
int sqr_payer_refund(struct store *st, int64_t org_id,
                     const struct store_refund_req *req, const char *actor,
                     int64_t now, struct store_refund *out);

/* store_ops.cred_list */
int sqr_list(struct store *st, const char *kind, const char *org_code,
             struct store_cred_list *out);
/* store_ops.cred_revoke */
int sqr_revoke(struct store *st, const char *kind, const char *org_code,
               int64_t id, const char *login, const char *actor, int64_t now,
               struct store_cred_revoked *out);

/* store_ops.dash_user_add */
int sqd_user_add(struct store *st, const char *org_code, const char *province,
                 const char *login, const char *role, const char *pwhash,
                 const char *actor, int64_t *id);
/* store_ops.dash_user_get */
int sqd_user_get(struct store *st, const char *login, char *pwhash, size_t cap,
                 int64_t *id);
/* store_ops.dash_session_add */
int sqd_session_add(struct store *st, int64_t user, const char *hash,
                    const char *csrf, int64_t expires, int64_t now);
/* store_ops.dash_session_get */
int sqd_session_get(struct store *st, const char *hash, int64_t now,
                    struct store_principal *who, char *csrf, size_t cap);
/* store_ops.dash_session_del */
int sqd_session_del(struct store *st, const char *hash, const char *actor,
                    int64_t now);
/* store_ops.dash_attempt */
int sqd_attempt(struct store *st, const char *key, int op, int64_t now,
                int limit, int lock_secs, int64_t *locked_until);
/* store_ops.dash_reserve */
int sqd_reserve(struct store *st, const char *lkey, int llimit,
                const char *akey, int alimit, int64_t now, int lock_secs,
                int64_t *locked_until);
/* store_ops.dash_sweep */
/* collectors.c */
int sqc_collector_add(struct store *st, int64_t org, const char *name,
                      const char *pin_hash, const char *actor, int64_t now);
int sqc_collector_list(struct store *st, int64_t org, int hashes,
                       struct store_collector_list *out);
int sqc_collector_disable(struct store *st, int64_t org, const char *name,
                          const char *actor, int64_t now);
int sqc_collector_attempt(struct store *st, int64_t org, const char *name,
                          int ok, int64_t now, int limit, int lock_secs);
int sqd_sweep(struct store *st, int64_t now, int64_t stale_before,
              int64_t *sessions, int64_t *failures);

/* store_ops.audit_list (audit_reads.c). */
int sqa_audit_list(struct store *base, const struct store_audit_query *q,
                   struct store_audit_list *out);

/* store_ops.journal_list (journal_reads.c). */
int sqb_journal_list(struct store *base, const struct store_journal_query *q,
                     struct store_journal_list *out);

#endif
