/*
 * bank_hooks.c: verified webhooks journaled and processed with one commit
 * for many (group.c): each one's journal entry and batch in the group's
 * write transaction, the batch in a savepoint of its own, so a failing
 * one is undone alone and its entry kept "invalid". The group's webhooks
 * share one bank batch (its caches of organisations, payers and days).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/*
 * One webhook inside the group's transaction: its journal entry, then its
 * transactions in the group's batch, in a savepoint. 0 whether they were
 * processed or undone and the entry marked "invalid" (u->rc says which);
 * -STORE_E_IO when the group's transaction cannot go on.
 */
static int run_one(struct sqi_group *g, struct sqi_unit *u)
{
    struct store_hook *h = u->arg;
    struct sqi_conn *c = g->c;
    struct store_bank *b;
    struct store_bank_results a = {NULL, 0};
    struct store_journal j = *h->journal;
    int64_t jid = 0;
    int n_woken = c->n_woken;
    size_t i;
    int rc;

    /* written as processed: the same commit processes it, or keeps it
       "invalid" below, or stores nothing */
    j.state = "processed";
    j.processed_at = h->now;
    rc = sqi_journal_insert(c, &j, &jid);
    if (rc != 0)
        return -STORE_E_IO;
    if (g->bank == NULL && (g->bank = sqb_begin_in(g->s, c, "", 0)) == NULL)
        return -STORE_E_IO;
    b = g->bank;
    rc = db_savepoint(sqi_dbh(c), DB_SP_SET);
    if (rc != 0)
        return sqi_db_error(sqi_dbh(c), rc, "savepoint");
    /* the batch's caches (organisation, payers, days) hold what no
       batch changes; what each webhook is, is its own */
    b->rc = 0;
    b->now = h->now;
    snprintf(b->actor, sizeof(b->actor), "%s", h->actor);
    if (h->txns->n > 0) {
        a.rows = calloc(h->txns->n, sizeof(*a.rows));
        if (a.rows == NULL) {
            store_set_error("storage_unavailable", "out of memory");
            return -STORE_E_IO;
        }
    }
    for (i = 0; i < h->txns->n && rc == 0; i++) {
        rc = sqb_add(b, h->org_id, &h->txns->txns[i], "webhook", jid,
                     &a.rows[i]);
        if (rc == 0)
            a.n++;
    }
    if (rc == -STORE_E_IO) {
        store_bank_results_free(&a);
        return rc;
    }
    h->journal_id = jid;
    if (rc == 0) {
        h->results = a;
        rc = db_savepoint(sqi_dbh(c), DB_SP_RELEASE);
        return rc != 0 ? sqi_db_error(sqi_dbh(c), rc, "release") : 0;
    }
    /* a webhook the ledger cannot take (never expected): its batch is
       undone, its entry kept as "invalid" with the reason, for a person */
    store_bank_results_free(&a);
    sqi_unit_fail(u, rc);
    rc = db_savepoint(sqi_dbh(c), DB_SP_UNDO);
    if (rc != 0)
        return sqi_db_error(sqi_dbh(c), rc, "rollback to savepoint");
    c->n_woken = n_woken; /* what it would have woken is undone */
    return sqi_journal_set(c, jid, "invalid", u->msg, (int64_t)time(NULL));
}

/* Its group failed: nothing of it stays. */
static void dropped(void *arg)
{
    struct store_hook *h = arg;

    store_bank_results_free(&h->results);
    h->journal_id = 0;
}

int sqb_hook(struct store *base, struct store_hook *h)
{
    struct sq *s = (struct sq *)base;
    struct sqi_unit u;

    memset(&u, 0, sizeof(u));
    u.lane = s->writers > 1 ? h->org_id : 0;
    u.weight = h->txns->n;
    u.run = run_one;
    u.clear = dropped;
    u.arg = h;
    h->journal_id = 0;
    memset(&h->results, 0, sizeof(h->results));
    return sqi_group_run(s, &u);
}
