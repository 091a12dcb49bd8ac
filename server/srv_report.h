/*
 * srv_report.h: the glue between the store and server/report: fetch an
 * organisation's records through the store interface, turn them into
 * the pure report functions' input and compute the daily reconciliation
 * and the adoption statistics. Shared by the HTTP handlers (h_report.c)
 * and the `chopay-server report|stats` commands (main.c).
 */
#ifndef CHOPAY_SERVER_SRV_REPORT_H
#define CHOPAY_SERVER_SRV_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"
#include "store.h"

/* Vietnam's calendar day (days since 1970-01-01) of UTC second `t`. */
int32_t srv_vn_day(int64_t t);

/*
 * The daily reconciliation of organisation `org_id` (code `org`) for
 * `date` (YYYY-MM-DD) as JSON text (sep 0) or as Excel CSV with
 * separator `sep` (',' or ';'): a new NUL-terminated *out (free()) of
 * *len bytes. A closed day's report is the one its close stored: what
 * came after is dated later (corrections, listed on their own day). The
 * bank-side proof is a statement covering the day, else the provider's
 * running balance. Returns 0 or a negated enum store_error with
 * store_error_message() set (a bad date is -STORE_E_INVALID).
 */
int srv_report_daily(struct store *st, int64_t org_id, const char *org,
                     const char *date, char sep, char **out, size_t *len);

/*
 * The day totals a kiosk shows its collector: the payments of
 * organisation `org_id` dated `date` (YYYY-MM-DD), summed as the daily
 * report sums them (its "takings"), with this kiosk's share: *out gets
 * {transfer: {count, amount}, cash, total, credit_created, by_kiosk,
 * by_collector, kiosk: {id, transfer, cash}, date}, and with
 * `collector` (NULL: none) collector: {name, cash: {count, amount}}, that
 * collector's cash at every kiosk; the caller frees it. 0 or a negated
 * enum store_error.
 */
int srv_kiosk_totals(struct store *st, int64_t org_id, int64_t kiosk_id,
                     const char *collector, const char *date, json_t **out);

/* What adoption statistics to compute. */
struct srv_adoption_req {
    int64_t org_id;            /* one organisation, or 0 */
    const char *province;      /* every organisation of it, or NULL */
    const char *fee;           /* one fee type (code), or NULL for all */
    int32_t from, to;          /* inclusive days (srv_vn_day) */
    enum report_bucket bucket; /* trend step */
    char sep;                  /* 0: JSON; ',' or ';': CSV */
};

/*
 * Adoption statistics (against the previous period of the same length)
 * as JSON text or CSV: a new *out (free()) of *len bytes. Returns 0 or
 * a negated enum store_error with store_error_message() set.
 */
int srv_report_adoption(struct store *st, const struct srv_adoption_req *rq,
                        char **out, size_t *len);

/*
 * Close `date` of organisation `org_id` (code `org`): its daily report
 * is computed and stored with the audit chain head (store day_close; if
 * the day's records change meanwhile it is computed again). *out gets
 * what the close recorded, *totals (malloc'd, the caller frees it) the
 * report stored, as JSON text. A day after today is -STORE_E_INVALID
 * ("future_day"). A day with items still open is -STORE_E_CONFLICT
 * ("open_items") unless `force_reason` (NULL: not forced) says why it is
 * closed anyway.
 */
int srv_day_close(struct store *st, int64_t org_id, const char *org,
                  const char *date, const char *force_reason, const char *actor,
                  struct store_day_closed *out, char **totals);

/*
 * Check every closed day: its audit entry still has the hash stored at
 * closing, and its report recomputed from the records now is the one
 * stored (days closed before corrections existed: their bank side and
 * ledger movement). One "ok" line per day to `log` (may be NULL);
 * *n_days the count. -STORE_E_CONFLICT with the first broken day in
 * store_error_message().
 */
int srv_closes_verify(struct store *st, FILE *log, int64_t *n_days);

/*
 * The same check over every closed day without stopping at a broken
 * one: *n_days the closed days, *n_broken those that fail, each named
 * with what broke on a line of `log` (may be NULL). 0 or a negated
 * store error when the records cannot be read (-STORE_E_IO).
 */
int srv_closes_check(struct store *st, FILE *log, int64_t *n_days,
                     int64_t *n_broken);

/* The issue-6 command line (`chopay-server report|stats|standee|audit`). */
struct srv_cli {
    const char *org, *date, *from, *to, *province, *fee, *payer, *out, *paper,
        *reason;            /* --flags, NULL when absent */
    int csv, all;           /* --csv, --all */
    const char *const *pos; /* positional words: pos[0] the command */
    int npos;               /* their count */
};

struct srv_config;

/*
 * Run one of those commands on the store of config `c`; output on
 * stdout, errors on stderr. Returns the exit status (0 ok, 1 failure
 * or a broken audit chain, 2 usage).
 */
int srv_cli_run(const struct srv_config *c, const struct srv_cli *a);

#endif
