/*
 * cmd_check.c: `chopay-server check`: the ledger's invariants, read-only.
 * The store counts what breaks each one (store_ops.ledger_check); here
 * every day with records is run through the real daily report (JSON and
 * CSV, as `report daily` does) and every closed day is recomputed (as
 * `audit verify` does). One line per invariant, then a summary.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "srv_report.h"

/* An invariant counted by the store, printed under its field's name. */
/* clang-format off */
#define FIELD(name) {#name, offsetof(struct store_check, name)}
/* clang-format on */
static const struct {
    const char *name;
    size_t field;
} store_invariants[] = {
    /* clang-format off */
    FIELD(invoice_paid_equals_allocations),
    FIELD(invoice_paid_within_amount),
    FIELD(intent_paid_equals_payments),
    FIELD(intent_status_follows_paid),
    FIELD(payment_amount_equals_parts),
    FIELD(payment_parts_not_negative),
    FIELD(reversed_payment_holds_nothing),
    FIELD(refund_equals_parts),
    FIELD(payment_has_one_receipt),
    FIELD(payer_credit_equals_unallocated),
    FIELD(matched_txn_has_one_payment),
    FIELD(unmatched_txn_has_no_payment),
    FIELD(payment_matched_once),
    FIELD(duplicate_has_live_original),
    FIELD(audit_chain_verifies),
    /* clang-format on */
};
#undef FIELD

/*
 * Build the daily report of every day in `k` as JSON and as CSV; the
 * days that fail are named on stderr and counted into *broken. 0, or -1
 * when the database failed (-STORE_E_IO).
 */
static int reports_build(struct store *st, const struct store_check *k,
                         int64_t *broken)
{
    size_t i;
    int sep;

    *broken = 0;
    for (i = 0; i < k->n_days; i++) {
        for (sep = 0; sep < 2; sep++) {
            char *text = NULL;
            size_t len = 0;
            int rc =
                srv_report_daily(st, k->days[i].org_id, k->days[i].org,
                                 k->days[i].date, sep ? ',' : 0, &text, &len);

            free(text);
            if (rc == -STORE_E_IO) {
                fprintf(stderr, "chopay-server: check: %s\n",
                        store_error_message());
                return -1;
            }
            if (rc != 0) {
                fprintf(stderr,
                        "chopay-server: check: daily report %s %s (%s):"
                        " %s\n",
                        k->days[i].org, k->days[i].date, sep ? "CSV" : "JSON",
                        store_error_message());
                (*broken)++;
                break;
            }
        }
    }
    return 0;
}

int server_check(const struct srv_config *c)
{
    struct store *st = NULL;
    struct store_check k;
    int64_t reports_broken = 0, closed = 0, closed_broken = 0, total = 0;
    size_t i, failing = 0;
    int rc;

    rc = store_open_readonly(c->db, 1, &st);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: check: %s\n", store_error_message());
        return 2;
    }
    rc = st->ops->ledger_check(st, &k);
    if (rc != 0) {
        fprintf(stderr, "chopay-server: check: %s\n", store_error_message());
        store_close(st);
        return 2;
    }
    if (k.audit_chain_verifies != 0)
        fprintf(stderr, "chopay-server: check: audit chain: %s\n",
                k.audit_message);
    rc = reports_build(st, &k, &reports_broken);
    if (rc == 0) {
        rc = srv_closes_check(st, stderr, &closed, &closed_broken);
        if (rc != 0)
            fprintf(stderr, "chopay-server: check: %s\n",
                    store_error_message());
    }
    if (rc != 0) {
        free(k.days);
        store_close(st);
        return 2;
    }
    for (i = 0; i < sizeof(store_invariants) / sizeof(store_invariants[0]);
         i++) {
        int64_t n =
            *(const int64_t *)((const char *)&k + store_invariants[i].field);

        printf("%s: %lld\n", store_invariants[i].name, (long long)n);
        total += n;
        failing += n != 0;
    }
    printf("daily_report_builds: %lld\n", (long long)reports_broken);
    printf("closed_day_equals_recomputed: %lld\n", (long long)closed_broken);
    total += reports_broken + closed_broken;
    failing += (reports_broken != 0) + (closed_broken != 0);
    if (total == 0)
        printf("ledger ok: %zu invariants hold (%zu days reported, %lld"
               " closed days recomputed)\n",
               sizeof(store_invariants) / sizeof(store_invariants[0]) + 2,
               k.n_days, (long long)closed);
    else
        printf("ledger BROKEN: %lld violations of %zu invariants\n",
               (long long)total, failing);
    free(k.days);
    store_close(st);
    return total == 0 ? 0 : 1;
}
