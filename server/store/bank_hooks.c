/*
 * bank_hooks.c: verified webhooks journaled and processed with one commit
 * for many. A caller queues its webhook; the first to find no group being
 * written for its lane leads: it takes the lane's queued webhooks, writes
 * each one's journal entry and batch in one write transaction (the batch
 * in a savepoint of its own, so a failing one is undone alone and its
 * entry kept "invalid"), commits once and wakes each caller with its own
 * result. Those that queued meanwhile form the next group. A lane is the
 * database on SQLite (one writer) and one organisation on PostgreSQL,
 * whose lock a group holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* A group takes at most this many webhooks, and more than one only while
 * their transactions stay within HOOK_TXNS_MAX (the intents a commit
 * wakes are kept in sqi_conn.woken). */
#define HOOK_GROUP_MAX 64
#define HOOK_TXNS_MAX  48

enum hook_state { HOOK_QUEUED, HOOK_LEAD, HOOK_DONE };

/* One caller's webhook, on its stack while it waits. */
struct sqi_hook {
    struct store_hook *h;  /* the webhook, and its results */
    int64_t lane;          /* 0 on SQLite, its organisation on PostgreSQL */
    enum hook_state state; /* under s->mu */
    int rc;                /* its result */
    char code[32];         /* the store's error for it, when rc != 0 */
    char msg[256];
    struct sqi_hook *next; /* the queue, oldest first */
    pthread_cond_t cv;     /* signalled when `state` changes */
};

/* 1 when a group is being written for `lane` (under s->mu). */
static int lane_busy(const struct sq *s, int64_t lane)
{
    int i;

    for (i = 0; i < s->n_hook_lanes; i++)
        if (s->hook_lanes[i] == lane)
            return 1;
    return 0;
}

static void lane_give(struct sq *s, int64_t lane)
{
    int i;

    for (i = 0; i < s->n_hook_lanes; i++)
        if (s->hook_lanes[i] == lane) {
            s->hook_lanes[i] = s->hook_lanes[--s->n_hook_lanes];
            return;
        }
}

/* Let the oldest queued webhook of each lane without a group lead one
 * (under s->mu). */
static void promote(struct sq *s)
{
    struct sqi_hook *w;

    for (w = s->hooks; w != NULL; w = w->next) {
        if (w->state != HOOK_QUEUED || lane_busy(s, w->lane))
            continue;
        if (s->n_hook_lanes >= (int)(sizeof(s->hook_lanes) / sizeof(int64_t)))
            return;
        s->hook_lanes[s->n_hook_lanes++] = w->lane;
        w->state = HOOK_LEAD;
        pthread_cond_signal(&w->cv);
    }
}

/* Take the queued webhooks of `lead`'s lane, `lead` first, into g
 * (under s->mu); answers how many. */
static int take_group(struct sq *s, struct sqi_hook *lead, struct sqi_hook **g)
{
    struct sqi_hook **pp = &s->hooks;
    size_t txns = 0;
    int n = 0;

    while (*pp != NULL && n < HOOK_GROUP_MAX) {
        struct sqi_hook *w = *pp;

        if (w->lane != lead->lane ||
            (w != lead && txns + w->h->txns->n > HOOK_TXNS_MAX)) {
            pp = &w->next;
            continue;
        }
        *pp = w->next;
        w->next = NULL;
        txns += w->h->txns->n;
        if (w == lead && n > 0) {
            g[n++] = g[0];
            g[0] = w;
        } else {
            g[n++] = w;
        }
    }
    return n;
}

static void keep_error(struct sqi_hook *w, int rc)
{
    w->rc = rc;
    snprintf(w->code, sizeof(w->code), "%s", store_error_code());
    snprintf(w->msg, sizeof(w->msg), "%s", store_error_message());
}

/*
 * One webhook inside the group's transaction on `c`: its journal entry,
 * then its transactions in the group's batch `b`, in a savepoint. 0
 * whether they were processed or undone and the entry marked "invalid"
 * (w->rc says which); -STORE_E_IO when the group's transaction cannot go
 * on.
 */
static int run_one(struct sqi_conn *c, struct store_bank *b, struct sqi_hook *w)
{
    struct store_hook *h = w->h;
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
        w->rc = 0;
        rc = db_savepoint(sqi_dbh(c), DB_SP_RELEASE);
        return rc != 0 ? sqi_db_error(sqi_dbh(c), rc, "release") : 0;
    }
    /* a webhook the ledger cannot take (never expected): its batch is
       undone, its entry kept as "invalid" with the reason, for a person */
    store_bank_results_free(&a);
    keep_error(w, rc);
    rc = db_savepoint(sqi_dbh(c), DB_SP_UNDO);
    if (rc != 0)
        return sqi_db_error(sqi_dbh(c), rc, "rollback to savepoint");
    c->n_woken = n_woken; /* what it would have woken is undone */
    return sqi_journal_set(c, jid, "invalid", w->msg, (int64_t)time(NULL));
}

/* Write group g[0..n) in one transaction on `c` and commit it, not yet
 * on disk (sqi_end_sync follows): 0, or -STORE_E_IO when nothing of it
 * stays. */
static int write_group(struct sq *s, struct sqi_conn *c, struct sqi_hook **g,
                       int n)
{
    struct store_bank *b;
    int rc, i;

    rc = g[0]->lane > 0 ? sqi_begin_write_org(s, c, g[0]->lane)
                        : sqi_begin_write_shared(s, c);
    if (rc != 0)
        return -STORE_E_IO;
    b = sqb_begin_in(s, c, "", 0);
    rc = b != NULL ? 0 : -STORE_E_IO;
    for (i = 0; i < n && rc == 0; i++)
        rc = run_one(c, b, g[i]);
    if (b != NULL)
        sqb_end(b, 0, 0, NULL); /* frees it, leaves `c` open */
    if (rc != 0 && rc != -STORE_E_IO) {
        store_set_error("storage_unavailable", "a group of webhooks");
        rc = -STORE_E_IO;
    }
    return sqi_end_write_unsynced(s, c, rc); /* commit, or roll back */
}

/* Each webhook of g[0..n) failed with -STORE_E_IO, its results dropped. */
static void fail_group(struct sqi_hook **g, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        store_bank_results_free(&g[i]->h->results);
        g[i]->h->journal_id = 0;
        keep_error(g[i], -STORE_E_IO);
    }
}

int sqb_hook(struct store *base, struct store_hook *h)
{
    struct sq *s = (struct sq *)base;
    struct sqi_hook w, *g[HOOK_GROUP_MAX], **pp;
    int n, i;

    memset(&w, 0, sizeof(w));
    pthread_cond_init(&w.cv, NULL);
    w.h = h;
    w.lane = s->writers > 1 ? h->org_id : 0;
    h->journal_id = 0;
    memset(&h->results, 0, sizeof(h->results));
    pthread_mutex_lock(&s->mu);
    for (pp = &s->hooks; *pp != NULL; pp = &(*pp)->next)
        ;
    *pp = &w;
    promote(s);
    while (w.state == HOOK_QUEUED)
        pthread_cond_wait(&w.cv, &s->mu);
    if (w.state == HOOK_LEAD) {
        struct sqi_conn *c;
        int rc;

        n = take_group(s, &w, g);
        pthread_mutex_unlock(&s->mu);
        c = sqi_get_conn(s);
        rc = sqi_end_sync(s, c, write_group(s, c, g, n));
        sqi_put_conn(s, c);
        if (rc != 0)
            fail_group(g, n);
        pthread_mutex_lock(&s->mu);
        /* the oldest of those that queued meanwhile leads the next */
        lane_give(s, w.lane);
        promote(s);
        for (i = 0; i < n; i++) {
            g[i]->state = HOOK_DONE;
            pthread_cond_signal(&g[i]->cv);
        }
    }
    pthread_mutex_unlock(&s->mu);
    pthread_cond_destroy(&w.cv);
    if (w.rc != 0)
        store_set_error(w.code, "%s", w.msg);
    return w.rc;
}
