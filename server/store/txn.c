/*
 * txn.c: connections and transactions: the pool's free list, the write
 * lock that serialises write transactions, read transactions, the store's
 * error for a database failure, and the intents a transaction wakes (here
 * after its commit, on the other nodes by NOTIFY).
 */
#include <pthread.h>
#include <stdio.h>

#include "store_int.h"

struct sqi_conn *sqi_get_conn(struct sq *s)
{
    struct sqi_conn *c;

    pthread_mutex_lock(&s->mu);
    while (s->free_list == NULL)
        pthread_cond_wait(&s->cv, &s->mu);
    c = s->free_list;
    s->free_list = c->next;
    pthread_mutex_unlock(&s->mu);
    return c;
}

void sqi_put_conn(struct sq *s, struct sqi_conn *c)
{
    pthread_mutex_lock(&s->mu);
    c->next = s->free_list;
    s->free_list = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

int sqi_db_error(struct db *dbh, int rc, const char *what)
{
    if (rc == -DB_E_CONFLICT || rc == -DB_E_GUARD) {
        store_set_error("conflict", "%s", db_errmsg(dbh));
        return -STORE_E_CONFLICT;
    }
    store_set_error("storage_unavailable", "%s: %s", what, db_errmsg(dbh));
    fprintf(stderr, "<3>chopay-server: event=db_error what=\"%s\" err=\"%s\"\n",
            what, db_errmsg(dbh));
    return -STORE_E_IO;
}

int sqi_begin_write(struct sq *s, struct sqi_conn *c)
{
    int rc;

    pthread_mutex_lock(&s->wmu);
    c->n_woken = 0;
    rc = db_begin(c->dbh, DB_WRITE);
    if (rc != 0) {
        rc = sqi_db_error(c->dbh, rc, "begin");
        pthread_mutex_unlock(&s->wmu);
    }
    return rc;
}

/* Tell the other nodes which intents this transaction changed; they
 * hear it only if it commits. */
static int notify_woken(struct sq *s, struct sqi_conn *c)
{
    char payload[64];
    int i, rc;

    for (i = 0; i < c->n_woken; i++) {
        snprintf(payload, sizeof(payload), "%lld %s", (long long)c->woken[i],
                 s->base.node);
        rc = db_notify(c->dbh, STORE_CHANNEL, payload);
        if (rc != 0)
            return sqi_db_error(c->dbh, rc, "notify");
    }
    return 0;
}

static int end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    if (rc == 0)
        rc = notify_woken(s, c);
    /* reset every statement so none holds the transaction open (db_end
       resets the connection's own) */
    if (db_end(c->dbh, rc) != 0 && rc == 0) {
        sqi_db_error(c->dbh, -DB_E_IO, "commit");
        rc = -STORE_E_IO;
    }
    pthread_mutex_unlock(&s->wmu);
    return rc;
}

int sqi_begin_read(struct sqi_conn *c)
{
    int rc = db_begin(c->dbh, DB_READ);

    return rc != 0 ? sqi_db_error(c->dbh, rc, "begin") : 0;
}

void sqi_end_read(struct sqi_conn *c)
{
    if (db_in_txn(c->dbh))
        db_end(c->dbh, 0);
}

struct db *sqi_dbh(struct sqi_conn *c)
{
    return c->dbh;
}

int sqi_end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    rc = end_write(s, c, rc);
    sqi_flush_woken(s, c, rc == 0);
    return rc;
}

void sqi_changed(struct sq *s, int64_t intent)
{
    if (s->base.changed != NULL && intent > 0)
        s->base.changed(s->base.changed_ctx, intent);
}

void sqi_queue_woken(struct sqi_conn *c, int64_t intent)
{
    int i;

    for (i = 0; i < c->n_woken; i++)
        if (c->woken[i] == intent)
            return;
    if (c->n_woken < (int)(sizeof(c->woken) / sizeof(c->woken[0])))
        c->woken[c->n_woken++] = intent;
}

void sqi_flush_woken(struct sq *s, struct sqi_conn *c, int fire)
{
    int i;

    for (i = 0; fire && i < c->n_woken; i++)
        sqi_changed(s, c->woken[i]);
    c->n_woken = 0;
}
