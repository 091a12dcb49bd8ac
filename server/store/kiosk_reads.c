/*
 * kiosk_reads.c: what a kiosk reads: a payer's dues and its organisation's
 * directory of payers, fees and open invoices.
 */
#include <string.h>

#include "money.h"
#include "store_int.h"

int sq_dues(struct store *base, int64_t org, const char *payer, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *name = NULL, *inv = NULL;
    int64_t pid = 0, total = 0;
    struct db_stmt *st;
    size_t i;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    rc = sqi_payer_id_of(c, org, payer, &pid, &name);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_DUES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, pid);
    rc = sqi_rows_json(c, st, &inv);
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
    sqi_end_read(c);
    sqi_put_conn(s, c);
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
    st = sqi_qs(c, "SELECT p.code, i.id, f.code, i.label, i.period, i.amount,"
                   " i.paid FROM invoices i JOIN payers p ON p.id = i.payer_id"
                   " JOIN fees f ON f.id = i.fee_id WHERE i.org_id = ?1"
                   " AND p.active = 1 AND i.paid < i.amount"
                   " ORDER BY p.code, i.period, i.id");
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    while ((rc = sqi_step(c, st)) == 1) {
        const char *code = sqi_col_text(st, 0);
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
                      sqi_col_text(st, 2), "label", sqi_col_text(st, 3),
                      "period", sqi_col_text(st, 4), "amount",
                      (json_int_t)amount, "paid", (json_int_t)paid, "due",
                      (json_int_t)(amount - paid)));
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int sq_directory(struct store *base, int64_t org, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *o = NULL, *payers = NULL, *fees = NULL, *orgj = NULL;
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("org_not_found", "organisation gone");
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    orgj = sqi_org_row(st);
    db_reset(st);
    st = sqi_q(c, Q_DIR_PAYERS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_rows_json(c, st, &payers);
    if (rc != 0)
        goto out;
    rc = dir_invoices(c, org, payers);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_DIR_FEES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_rows_json(c, st, &fees);
    if (rc != 0)
        goto out;
    o = json_pack("{s:O, s:O, s:O}", "org", orgj, "payers", payers, "fees",
                  fees);
    *out = o;
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    json_decref(orgj);
    json_decref(payers);
    json_decref(fees);
    return rc;
}
