/*
 * txn.c: connections and transactions: the pool's free list, the write
 * locks (the whole database's, one per organisation, the audit chain's)
 * and the count of write transactions a process runs at once, read
 * transactions, the store's error for a database failure, and the
 * intents a transaction wakes (here after its commit, on the other nodes
 * by NOTIFY).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* 1 when another of this process's write transactions holds `org`
 * (under s->mu). */
static int org_busy(const struct sq *s, int64_t org)
{
    int i;

    for (i = 0; i < s->n_org_held; i++)
        if (s->org_held[i] == org)
            return 1;
    return 0;
}

/* Give back what begin_write and local_org took: the write slot and the
 * organisation this process's other writers waited for. */
static void release_write(struct sq *s, struct sqi_conn *c)
{
    int i;

    pthread_mutex_lock(&s->mu);
    s->writing--;
    for (i = 0; c->org_local > 0 && i < s->n_org_held; i++)
        if (s->org_held[i] == c->org_local) {
            s->org_held[i] = s->org_held[--s->n_org_held];
            break;
        }
    c->org_local = 0;
    pthread_cond_broadcast(&s->wcv);
    pthread_mutex_unlock(&s->mu);
}

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

struct sqi_conn *sqi_get_read_conn(struct sq *s)
{
    struct sqi_conn *c;

    if (s->rn == 0)
        return sqi_get_conn(s);
    pthread_mutex_lock(&s->mu);
    while (s->rfree == NULL)
        pthread_cond_wait(&s->rcv, &s->mu);
    c = s->rfree;
    s->rfree = c->next;
    pthread_mutex_unlock(&s->mu);
    return c;
}

void sqi_put_read_conn(struct sq *s, struct sqi_conn *c)
{
    if (s->rn == 0) {
        sqi_put_conn(s, c);
        return;
    }
    pthread_mutex_lock(&s->mu);
    c->next = s->rfree;
    s->rfree = c;
    pthread_cond_signal(&s->rcv);
    pthread_mutex_unlock(&s->mu);
}

/*
 * The advisory lock keys of db_xact_lock: an organisation's is "chopO"
 * followed by the low 24 bits of its id (two organisations 2^24 apart
 * share one, which only serialises them), the audit chain's the ASCII
 * bytes of "chopayAU". Neither meets the whole write lock ("chopayLG",
 * driver_pgsql.c) nor the housekeeping lock ("chopayHK", nodes.c).
 */
#define ORG_LOCK_BASE  INT64_C(0x63686f704f000000)
#define AUDIT_LOCK_KEY INT64_C(0x63686f7061794155)

/* The store error code of a transaction lost to a deadlock or a
 * serialization failure. */
#define LOST_CODE "storage_busy"

int sqi_db_error(struct db *dbh, int rc, const char *what)
{
    if (rc == -DB_E_CONFLICT || rc == -DB_E_GUARD) {
        store_set_error("conflict", "%s", db_errmsg(dbh));
        return -STORE_E_CONFLICT;
    }
    if (rc == -DB_E_RETRY) {
        store_set_error(LOST_CODE, "%s: %s", what, db_errmsg(dbh));
        return -STORE_E_IO;
    }
    store_set_error("storage_unavailable", "%s: %s", what, db_errmsg(dbh));
    fprintf(stderr, "<3>chopay-server: event=db_error what=\"%s\" err=\"%s\"\n",
            what, db_errmsg(dbh));
    return -STORE_E_IO;
}

/* Wait for a write slot of the process (one on SQLite), then open a write
 * transaction of `kind` on `c`. */
static int begin_write(struct sq *s, struct sqi_conn *c, enum db_txn kind)
{
    int rc;

    pthread_mutex_lock(&s->mu);
    while (s->writing >= s->writers)
        pthread_cond_wait(&s->wcv, &s->mu);
    s->writing++;
    pthread_mutex_unlock(&s->mu);
    c->n_woken = 0;
    c->woken_all = 0;
    c->shared = kind == DB_WRITE_SHARED;
    c->org_locked = 0;
    c->audit_locked = 0;
    rc = db_begin(c->dbh, kind);
    if (rc != 0) {
        rc = sqi_db_error(c->dbh, rc, "begin");
        release_write(s, c);
    }
    return rc;
}

/*
 * Wait until no other write transaction of this process holds `org`,
 * and hold it for `c` until release_write: writers of one organisation
 * on one node queue here, holding neither a write slot nor a database
 * lock, rather than on the database's lock with a slot each. Called
 * before `c` takes its slot, so that a wait here is never part of a
 * cycle; a writer that learns its organisation later (a bank import)
 * waits on the database's lock only.
 */
static void local_org(struct sqi_conn *c, int64_t org)
{
    struct sq *s = c->s;

    pthread_mutex_lock(&s->mu);
    while (org_busy(s, org))
        pthread_cond_wait(&s->wcv, &s->mu);
    if (s->n_org_held < (int)(sizeof(s->org_held) / sizeof(s->org_held[0]))) {
        s->org_held[s->n_org_held++] = org;
        c->org_local = org;
    }
    pthread_mutex_unlock(&s->mu);
}

int sqi_begin_write(struct sq *s, struct sqi_conn *c)
{
    return begin_write(s, c, DB_WRITE);
}

int sqi_begin_write_shared(struct sq *s, struct sqi_conn *c)
{
    c->s = s;
    return begin_write(s, c, s->writers > 1 ? DB_WRITE_SHARED : DB_WRITE);
}

int sqi_begin_write_org(struct sq *s, struct sqi_conn *c, int64_t org)
{
    int rc;

    if (org <= 0)
        return sqi_begin_write(s, c);
    c->s = s;
    if (s->writers > 1)
        local_org(c, org); /* before a write slot: queued, it holds none */
    rc = sqi_begin_write_shared(s, c);
    if (rc == 0 && (rc = sqi_lock_org(c, org)) != 0)
        sqi_end_write(s, c, rc);
    return rc;
}

int sqi_lock_org(struct sqi_conn *c, int64_t org)
{
    int rc;

    if (!c->shared || org == c->org_locked)
        return 0;
    rc = db_xact_lock(c->dbh, ORG_LOCK_BASE + (org & 0xffffff));
    if (rc != 0)
        return sqi_db_error(c->dbh, rc, "organisation lock");
    c->org_locked = org;
    return 0;
}

int sqi_lock_audit(struct sqi_conn *c)
{
    int rc;

    if (!c->shared || c->audit_locked)
        return 0;
    rc = db_xact_lock(c->dbh, AUDIT_LOCK_KEY);
    if (rc != 0)
        return sqi_db_error(c->dbh, rc, "audit lock");
    c->audit_locked = 1;
    return 0;
}

void store_set_writers(struct store *st, int n)
{
    struct sq *s = (struct sq *)st;

    if (st != NULL && n >= 1 && db_backend(s->conns[0].dbh) == DB_PGSQL)
        s->writers = n;
}

int sqi_write_lost(int rc)
{
    return rc == -STORE_E_IO && strcmp(store_error_code(), LOST_CODE) == 0;
}

/* Tell the other nodes that intent `id` changed (STORE_CHANGED_ALL:
 * every intent); they hear it only if the transaction commits. */
static int notify_one(struct sq *s, struct sqi_conn *c, int64_t id)
{
    char payload[64];
    int rc;

    snprintf(payload, sizeof(payload), "%lld %s", (long long)id, s->base.node);
    rc = db_notify(c->dbh, STORE_CHANNEL, payload);
    return rc != 0 ? sqi_db_error(c->dbh, rc, "notify") : 0;
}

/* Tell the other nodes which intents this transaction changed. */
static int notify_woken(struct sq *s, struct sqi_conn *c)
{
    int i, rc = 0;

    for (i = 0; rc == 0 && i < c->n_woken; i++)
        rc = notify_one(s, c, c->woken[i]);
    if (rc == 0 && c->woken_all)
        rc = notify_one(s, c, STORE_CHANGED_ALL);
    return rc;
}

/* The commit (or rollback); the next writer may begin after it. */
static int end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    int erc;

    if (rc == 0)
        rc = notify_woken(s, c);
    /* reset every statement so none holds the transaction open (db_end
       resets the connection's own) */
    erc = db_end_unsynced(c->dbh, rc);
    if (erc != 0 && rc == 0)
        rc =
            sqi_db_error(c->dbh, erc == -DB_E_RETRY ? erc : -DB_E_IO, "commit");
    c->shared = 0;
    release_write(s, c);
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

/* The next writer runs while this one waits for the disk; nothing of this
 * transaction is told (woken, answered) before it is there. */
int sqi_end_write(struct sq *s, struct sqi_conn *c, int rc)
{
    rc = end_write(s, c, rc);
    if (rc == 0 && db_sync(c->dbh) != 0)
        rc = sqi_db_error(c->dbh, -DB_E_IO, "sync");
    sqi_flush_woken(s, c, rc == 0);
    return rc;
}

void sqi_changed(struct sq *s, int64_t intent)
{
    if (s->base.changed != NULL && intent != 0)
        s->base.changed(s->base.changed_ctx, intent);
}

/* Most transactions wake one intent; a statement slice or a group of
 * webhooks wakes hundreds: the list grows, and when it cannot, every
 * waiter is woken (each looks its own intent up again). */
void sqi_queue_woken(struct sqi_conn *c, int64_t intent)
{
    int i;

    for (i = c->n_woken - 1; i >= 0 && i >= c->n_woken - 8; i--)
        if (c->woken[i] == intent)
            return; /* the same intent again, as an intent's steps come */
    if (c->n_woken == c->cap_woken) {
        int cap = c->cap_woken ? 2 * c->cap_woken : 16;
        int64_t *grown = cap > c->cap_woken
                             ? realloc(c->woken, (size_t)cap * sizeof(*grown))
                             : NULL;

        if (grown == NULL) {
            c->woken_all = 1;
            return;
        }
        c->woken = grown;
        c->cap_woken = cap;
    }
    c->woken[c->n_woken++] = intent;
}

void sqi_flush_woken(struct sq *s, struct sqi_conn *c, int fire)
{
    int i;

    for (i = 0; fire && i < c->n_woken; i++)
        sqi_changed(s, c->woken[i]);
    if (fire && c->woken_all)
        sqi_changed(s, STORE_CHANGED_ALL);
    c->n_woken = 0;
    c->woken_all = 0;
}
