/*
 * group.c: writes that share one commit. A caller queues its unit of work
 * (a verified webhook, a payment intent); the first to find no group
 * being written for its lane leads: it takes the lane's queued units,
 * runs each in one write transaction (each unit undoes itself alone when
 * it fails, in a savepoint), commits once and wakes each caller with its
 * own result. Those that queued meanwhile form the next group. A lane is
 * the database on SQLite (one writer) and one organisation on PostgreSQL,
 * whose lock a group holds.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "store_int.h"

/* A group takes at most this many units, and more than one only while
 * their weights (a webhook's, its transactions) stay within
 * GROUP_WEIGHT_MAX, so that one group's transaction stays short for the
 * callers queued behind it. */
#define GROUP_MAX        64
#define GROUP_WEIGHT_MAX 48

/* 1 when a group is being written for `lane` (under s->mu). */
static int lane_busy(const struct sq *s, int64_t lane)
{
    int i;

    for (i = 0; i < s->n_group_lanes; i++)
        if (s->group_lanes[i] == lane)
            return 1;
    return 0;
}

static void lane_give(struct sq *s, int64_t lane)
{
    int i;

    for (i = 0; i < s->n_group_lanes; i++)
        if (s->group_lanes[i] == lane) {
            s->group_lanes[i] = s->group_lanes[--s->n_group_lanes];
            return;
        }
}

/* Let the oldest queued unit of each lane without a group lead one
 * (under s->mu). */
static void promote(struct sq *s)
{
    struct sqi_unit *u;

    for (u = s->units; u != NULL; u = u->next) {
        if (u->state != SQI_UNIT_QUEUED || lane_busy(s, u->lane))
            continue;
        if (s->n_group_lanes >= (int)(sizeof(s->group_lanes) / sizeof(int64_t)))
            return;
        s->group_lanes[s->n_group_lanes++] = u->lane;
        u->state = SQI_UNIT_LEAD;
        pthread_cond_signal(&u->cv);
    }
}

/* Take the queued units of `lead`'s lane, `lead` first, into g (under
 * s->mu); answers how many. */
static int take_group(struct sq *s, struct sqi_unit *lead, struct sqi_unit **g)
{
    struct sqi_unit **pp = &s->units;
    size_t weight = 0;
    int n = 0;

    while (*pp != NULL && n < GROUP_MAX) {
        struct sqi_unit *u = *pp;

        if (u->lane != lead->lane ||
            (u != lead && weight + u->weight > GROUP_WEIGHT_MAX)) {
            pp = &u->next;
            continue;
        }
        *pp = u->next;
        u->next = NULL;
        weight += u->weight;
        if (u == lead && n > 0) {
            g[n++] = g[0];
            g[0] = u;
        } else {
            g[n++] = u;
        }
    }
    return n;
}

void sqi_unit_fail(struct sqi_unit *u, int rc)
{
    u->rc = rc;
    snprintf(u->code, sizeof(u->code), "%s", store_error_code());
    snprintf(u->msg, sizeof(u->msg), "%s", store_error_message());
}

/* u->make in a savepoint of its own: undone alone, with what it would
 * have woken, when it fails. */
static int run_in_savepoint(struct sqi_group *g, struct sqi_unit *u)
{
    struct db *dbh = sqi_dbh(g->c);
    int n_woken = g->c->n_woken;
    int rc = db_savepoint(dbh, DB_SP_SET);

    if (rc != 0)
        return sqi_db_error(dbh, rc, "savepoint");
    rc = u->make(g->c, u->arg);
    if (rc == 0) {
        rc = db_savepoint(dbh, DB_SP_RELEASE);
        return rc != 0 ? sqi_db_error(dbh, rc, "release") : 0;
    }
    if (rc == -STORE_E_IO)
        return rc;
    sqi_unit_fail(u, rc);
    if (u->clear != NULL)
        u->clear(u->arg);
    g->c->n_woken = n_woken;
    rc = db_savepoint(dbh, DB_SP_UNDO);
    return rc != 0 ? sqi_db_error(dbh, rc, "rollback to savepoint") : 0;
}

/* Run group g[0..n) in one transaction on `c` and commit it: 0, or
 * -STORE_E_IO when nothing of it stays. */
static int write_group(struct sq *s, struct sqi_conn *c, struct sqi_unit **g,
                       int n)
{
    struct sqi_group grp = {s, c, NULL};
    int rc, i;

    rc = g[0]->lane > 0 ? sqi_begin_write_org(s, c, g[0]->lane)
                        : sqi_begin_write_shared(s, c);
    if (rc != 0)
        return -STORE_E_IO;
    for (i = 0; i < n && rc == 0; i++)
        rc = g[i]->run != NULL ? g[i]->run(&grp, g[i])
                               : run_in_savepoint(&grp, g[i]);
    if (grp.bank != NULL)
        sqb_end(grp.bank, 0, 0, NULL); /* frees it, leaves `c` open */
    if (rc != 0 && rc != -STORE_E_IO) {
        store_set_error("storage_unavailable", "a group of writes");
        rc = -STORE_E_IO;
    }
    return sqi_end_write(s, c, rc); /* commit, or roll back */
}

int sqi_group_run(struct sq *s, struct sqi_unit *u)
{
    struct sqi_unit *g[GROUP_MAX], **pp;
    int n, i;

    u->state = SQI_UNIT_QUEUED;
    u->rc = 0;
    u->next = NULL;
    pthread_cond_init(&u->cv, NULL);
    pthread_mutex_lock(&s->mu);
    for (pp = &s->units; *pp != NULL; pp = &(*pp)->next)
        ;
    *pp = u;
    promote(s);
    while (u->state == SQI_UNIT_QUEUED)
        pthread_cond_wait(&u->cv, &s->mu);
    if (u->state == SQI_UNIT_LEAD) {
        struct sqi_conn *c;
        int rc;

        n = take_group(s, u, g);
        pthread_mutex_unlock(&s->mu);
        c = sqi_get_conn(s);
        rc = write_group(s, c, g, n);
        sqi_put_conn(s, c);
        for (i = 0; rc != 0 && i < n; i++) {
            if (g[i]->clear != NULL)
                g[i]->clear(g[i]->arg);
            sqi_unit_fail(g[i], -STORE_E_IO);
        }
        pthread_mutex_lock(&s->mu);
        /* the oldest of those that queued meanwhile leads the next */
        lane_give(s, u->lane);
        promote(s);
        for (i = 0; i < n; i++) {
            g[i]->state = SQI_UNIT_DONE;
            pthread_cond_signal(&g[i]->cv);
        }
    }
    pthread_mutex_unlock(&s->mu);
    pthread_cond_destroy(&u->cv);
    if (u->rc != 0)
        store_set_error(u->code, "%s", u->msg);
    return u->rc;
}

int sqi_group_write(struct sq *s, int64_t org, size_t weight,
                    int (*make)(struct sqi_conn *c, void *arg),
                    void (*clear)(void *arg), void *arg)
{
    struct sqi_unit u;

    memset(&u, 0, sizeof(u));
    u.lane = s->writers > 1 ? org : 0;
    u.weight = weight;
    u.make = make;
    u.clear = clear;
    u.arg = arg;
    return sqi_group_run(s, &u);
}
