/*
 * adoption.c: adoption figures: organisations, payers, fees and payments
 * scanned into a caller's sink, narrowed to a province and a date range,
 * and setting an organisation's province.
 */
#include <stdio.h>

#include "store_int.h"

/*
 * Run `sql` (built at run time) with its first `nparams` parameters of
 * ?1 org (0 all), ?2 province (NULL all), ?3/?4 the day range, and hand
 * each row to `row`; a non-zero return stops.
 */
static int scan_scoped(struct db *db, const char *sql, int nparams, int64_t org,
                       const char *province, const char *from, const char *to,
                       int (*row)(struct db_stmt *q,
                                  const struct store_adoption_sink *k),
                       const struct store_adoption_sink *k)
{
    struct db_stmt *q = db_prepare(db, sql);
    int rc;

    if (q == NULL)
        return sqi_db_error(db, -DB_E_SQL, "prepare");
    if (nparams >= 1)
        db_bind_int64(q, 1, org);
    if (province != NULL && nparams >= 2)
        db_bind_text(q, 2, province);
    if (nparams >= 4) {
        db_bind_text(q, 3, from);
        db_bind_text(q, 4, to);
    }
    while ((rc = sqr_step(db, q)) == 1) {
        rc = row(q, k);
        if (rc != 0)
            break;
    }
    db_finalize(q);
    return rc;
}

static const char *ctext(struct db_stmt *q, int i)
{
    const char *s = db_column_text(q, i);

    return s ? s : "";
}

static int org_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->org(k->ctx, db_column_int64(q, 0), ctext(q, 1), ctext(q, 2),
                  ctext(q, 3));
}

static int payer_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->payer(k->ctx, db_column_int64(q, 0), db_column_int64(q, 1),
                    (int)db_column_int64(q, 2), (int)db_column_int64(q, 3));
}

static int fee_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    return k->fee(k->ctx, db_column_int64(q, 0), ctext(q, 1));
}

static int payment_row(struct db_stmt *q, const struct store_adoption_sink *k)
{
    int64_t day = 0; /* a day that is not one counts as 1970-01-01 */

    if (sqr_day_number(db_column_text(q, 1), &day) != 0)
        day = 0;
    return k->payment(k->ctx, db_column_int64(q, 0), (int32_t)day,
                      db_column_int64(q, 2), (int)db_column_int64(q, 3),
                      db_column_int64(q, 4));
}

int sqr_adoption_scan(struct store *st, int64_t org_id, const char *province,
                      const char *from, const char *to,
                      const struct store_adoption_sink *k)
{
    /* the scope written out, so that one organisation's rows come by its
       indexes: ?1 the organisation, ?2 the province */
    const char *scope = org_id != 0        ? "o.id = ?1"
                        : province != NULL ? "o.province = ?2"
                                           : "1 = 1";
    /* the parameters the scope names */
    int n_scope = org_id != 0 ? 1 : province != NULL ? 2 : 0;
    char q_orgs[256], q_payers[512], q_fees[256], q_pay[768];
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    int rc;

    snprintf(q_orgs, sizeof(q_orgs),
             "SELECT o.id, o.code, o.name, o.province FROM orgs o WHERE %s"
             " ORDER BY o.id",
             scope);
    snprintf(q_payers, sizeof(q_payers),
             "SELECT y.id, y.org_id, CASE WHEN y.bank_account <> '' AND"
             " y.bank_bin <> '' THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT"
             " 1 FROM standees s WHERE s.payer_id = y.id) THEN 1 ELSE 0 END"
             " FROM payers y JOIN orgs o ON o.id ="
             " y.org_id WHERE y.active = 1 AND %s ORDER BY y.id",
             scope);
    snprintf(q_fees, sizeof(q_fees),
             "SELECT f.id, f.code FROM fees f JOIN orgs o ON o.id ="
             " f.org_id WHERE %s ORDER BY f.id",
             scope);
    /* one record per payment on its day; its fee type is that of its
       first allocation (0 when it only went to credit), looked up only
       when the caller asks for fee types */
    snprintf(q_pay, sizeof(q_pay),
             "SELECT p.payer_id, p.day, p.amount, CASE WHEN p.method ="
             " 'transfer' THEN 1 ELSE 0 END, %s FROM payments"
             " p JOIN orgs o ON o.id = p.org_id WHERE %s AND p.day >= ?3"
             " AND p.day <= ?4 AND p.reversed_day IS NULL",
             k->fee == NULL ? "0"
                            : "coalesce((SELECT v.fee_id FROM allocations a"
                              " JOIN invoices v ON v.id = a.invoice_id"
                              " WHERE a.payment_id = p.id ORDER BY a.id"
                              " LIMIT 1), 0)",
             scope);
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = scan_scoped(db, q_orgs, n_scope, org_id, province, from, to, org_row,
                     k);
    if (rc == 0)
        rc = scan_scoped(db, q_payers, n_scope, org_id, province, from, to,
                         payer_row, k);
    if (rc == 0 && k->fee != NULL)
        rc = scan_scoped(db, q_fees, n_scope, org_id, province, from, to,
                         fee_row, k);
    if (rc == 0)
        rc = scan_scoped(db, q_pay, 4, org_id, province, from, to, payment_row,
                         k);
    sqi_end_read(c);
done:
    sqi_put_conn(s, c);
    return rc;
}

int sqr_org_province(struct store *st, const char *org_code,
                     const char *province, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int64_t id = 0;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqr_stmt(db,
                  "UPDATE orgs SET province = ?2, updated_at = ?3"
                  " WHERE code = ?1 AND province <> ?2",
                  &q);
    if (rc == 0) {
        db_bind_text(q, 1, org_code);
        db_bind_text(q, 2, province);
        db_bind_int64(q, 3, now);
        rc = sqr_step(db, q);
        sqr_done(q);
        q = NULL;
        if (rc == 0 && db_changes(db) != 1) {
            /* unchanged (nothing to audit) or no such organisation */
            rc = sqr_stmt(db, "SELECT 1 FROM orgs WHERE code = ?1", &q);
            if (rc == 0) {
                db_bind_text(q, 1, org_code);
                rc = sqr_step(db, q);
                sqr_done(q);
                if (rc == 0) {
                    store_set_error("org_not_found", "no organisation %s",
                                    org_code);
                    rc = -STORE_E_NOT_FOUND;
                } else if (rc == 1) {
                    rc = 1; /* same province: done */
                }
            }
        }
    }
    if (rc == 0)
        rc = sqi_org_id_of(c, org_code, &id);
    if (rc == 0)
        rc = sqi_audit(c, id, now, actor, "org.province", org_code,
                       json_pack("{s:s}", "province", province));
    if (rc == 1)
        rc = 0;
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}
