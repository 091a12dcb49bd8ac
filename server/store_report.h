/*
 * store_report.h: the store's receipts and reports (store_report.c):
 * migrations 4, 8 and 14, the dating rule and its calendar, signed receipts
 * issued inside the payment's transaction, receipt and key reads, and
 * the store operations for reports, statistics and standees. Private to
 * server/.
 */
#ifndef CHOPAY_SERVER_STORE_REPORT_H
#define CHOPAY_SERVER_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store_sqlite_int.h"

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

#endif
