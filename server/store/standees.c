/*
 * standees.c: payment standees: recording a printed standee and listing the
 * payers to print one for.
 */
#include "store_int.h"

int sqr_standee_record(struct store *st, int64_t org_id, const char *payer,
                       const char *format, const char *paper, const char *actor,
                       int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = sqr_stmt(db,
                  "INSERT INTO standees(org_id, payer_id, format, paper, actor,"
                  " created_at) SELECT ?1, id, ?3, ?4, ?5, ?6 FROM payers"
                  " WHERE org_id = ?1 AND code = ?2",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, payer);
        db_bind_text(q, 3, format);
        db_bind_text(q, 4, paper);
        db_bind_text(q, 5, actor);
        db_bind_int64(q, 6, now);
        rc = sqr_step(db, q);
        if (rc == 0 && db_changes(db) != 1) {
            store_set_error("payer_not_found", "no payer %s", payer);
            rc = -STORE_E_NOT_FOUND;
        }
        sqr_done(q);
    }
    if (rc == 0)
        rc = sqi_audit(c, now, actor, "standee.record", payer,
                       json_pack("{s:I, s:s, s:s}", "org", (json_int_t)org_id,
                                 "format", format, "paper", paper));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

int sqr_standee_payers(struct store *st, int64_t org_id, const char *payer,
                       json_t **out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    json_t *rows = json_array();
    char name[256] = "";
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqr_stmt(db, "SELECT name FROM orgs WHERE id = ?1", &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        rc = sqr_step(db, q);
        if (rc == 1)
            sqr_copy_col(q, 0, name, sizeof(name));
        else if (rc == 0) {
            store_set_error("org_not_found", "no such organisation");
            rc = -STORE_E_NOT_FOUND;
        }
        sqr_done(q);
        q = NULL;
    }
    if (rc >= 0)
        rc = sqr_stmt(
            db,
            "SELECT code, name, bank_bin, bank_account FROM payers"
            " WHERE org_id = ?1 AND active = 1"
            " AND (CAST(?2 AS TEXT) IS NULL OR code = ?2) ORDER BY code",
            &q);
    if (rc >= 0) {
        db_bind_int64(q, 1, org_id);
        if (payer != NULL)
            db_bind_text(q, 2, payer);
        while ((rc = sqr_step(db, q)) == 1)
            json_array_append_new(
                rows,
                json_pack("{s:s, s:s, s:s, s:s}", "code", db_column_text(q, 0),
                          "name", db_column_text(q, 1), "bank_bin",
                          db_column_text(q, 2), "bank_account",
                          db_column_text(q, 3)));
        sqr_done(q);
    }
    sqi_end_read(c);
    if (rc == 0) {
        *out = json_pack("{s:s, s:O}", "org_name", name, "payers", rows);
        if (*out == NULL)
            rc = -STORE_E_IO;
    }
done:
    sqi_put_conn(s, c);
    json_decref(rows);
    return rc;
}
