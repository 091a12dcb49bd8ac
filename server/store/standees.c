/*
 * standees.c: payment standees: recording a printed standee and listing the
 * payers to print one for.
 */
#include <stdlib.h>
#include <string.h>

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
        rc = sqi_audit(c, org_id, now, actor, "standee.record", payer,
                       json_pack("{s:I, s:s, s:s}", "org", (json_int_t)org_id,
                                 "format", format, "paper", paper));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    return rc;
}

/* The current row (code, name, bank_bin, bank_account) into `row`, a
 * struct store_standee_payer. */
static int standee_payer_read(struct db_stmt *q, void *row)
{
    struct store_standee_payer *p = row;
    int rc;

    rc = sqi_col_dup(q, 0, &p->code);
    if (rc == 0)
        rc = sqi_col_dup(q, 1, &p->name);
    if (rc == 0)
        rc = sqi_col_dup(q, 2, &p->bank_bin);
    if (rc == 0)
        rc = sqi_col_dup(q, 3, &p->bank_account);
    if (rc == 0)
        rc = sqi_col_dup(q, 4, &p->bank_account_name);
    return rc;
}

void store_standees_free(struct store_standees *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->n_payers; i++) {
        free(t->payers[i].code);
        free(t->payers[i].name);
        free(t->payers[i].bank_bin);
        free(t->payers[i].bank_account);
        free(t->payers[i].bank_account_name);
    }
    free(t->payers);
    free(t->org_name);
    memset(t, 0, sizeof(*t));
}

int sqr_standee_payers(struct store *st, int64_t org_id, const char *payer,
                       struct store_standees *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    struct store_standees t;
    void *rows = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqr_stmt(db, "SELECT name FROM orgs WHERE id = ?1", &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        rc = sqr_step(db, q);
        if (rc == 1)
            rc = sqi_col_dup(q, 0, &t.org_name);
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
            "SELECT code, name, bank_bin, bank_account, bank_account_name"
            " FROM payers"
            " WHERE org_id = ?1 AND active = 1"
            " AND (CAST(?2 AS TEXT) IS NULL OR code = ?2) ORDER BY code",
            &q);
    if (rc >= 0) {
        db_bind_int64(q, 1, org_id);
        if (payer != NULL)
            db_bind_text(q, 2, payer);
        while ((rc = sqr_step(db, q)) == 1) {
            rc = sqi_room(&rows, t.n_payers, sizeof(*t.payers));
            if (rc != 0)
                break;
            t.payers = rows;
            memset(&t.payers[t.n_payers], 0, sizeof(*t.payers));
            rc = standee_payer_read(q, &t.payers[t.n_payers++]);
            if (rc != 0)
                break;
        }
        sqr_done(q);
    }
    sqi_end_read(c);
    if (rc == 0) {
        *out = t;
        memset(&t, 0, sizeof(t));
    }
done:
    sqi_put_conn(s, c);
    store_standees_free(&t);
    return rc;
}
