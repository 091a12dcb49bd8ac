/*
 * store_report.h: the SQLite backend's issue-6 part (store_report.c):
 * migration 4, signed receipts issued inside the payment's transaction,
 * receipt and key reads, and the store operations for reports,
 * statistics and standees. Private to server/.
 */
#ifndef CHOPAY_SERVER_STORE_REPORT_H
#define CHOPAY_SERVER_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store_sqlite_int.h"

/* Migration 4 (schema version 4), NULL-terminated statements. */
extern const char *const sqi_migration4[];

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
                   int64_t t0, int64_t t1, int64_t asof, json_t **out);
/* store_ops.adoption_rows, org_province, standee_record (store.h). */
int sqr_adoption_rows(struct store *st, int64_t org_id, const char *province,
                      int64_t t0, int64_t t1, json_t **out);
int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now);
/* store_ops.day_close, day_reopen, day_closes (store.h). */
int sqr_day_close(struct store *st, int64_t org_id, const char *date,
                  const char *totals, int64_t bank_seq, const char *actor,
                  int64_t now, json_t **out);
int sqr_bank_seq(struct store *st, int64_t *seq);
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

#endif
