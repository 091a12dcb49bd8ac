/*
 * nodes.c: the listener thread that turns other nodes' notifications into
 * wake-ups of local long polls, and the housekeeping lock. The listener
 * waits on its connection in slices of LISTEN_SLICE_MS so that a stop
 * request is seen quickly; after its connection was lost and is back, it
 * wakes every waiter, since changes sent meanwhile were not heard.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "db/db.h"
#include "nodes.h"
#include "store.h"

/* The key of the housekeeping lock (pg_try_advisory_lock): the ASCII
 * bytes of "chopayHK". */
#define HOUSEKEEP_LOCK_KEY INT64_C(0x63686f706179484b)

/* Longest wait of one db_wait_notify, in milliseconds. */
#define LISTEN_SLICE_MS 200

/* Pause after a failed wait before the listener tries again. */
#define RETRY_MS 1000

struct nodes {
    int pg;                        /* 1 on PostgreSQL, else nothing runs */
    char self[STORE_NODE_LEN + 1]; /* our store's node name */
    struct notify *nt;             /* the notifier to wake */
    struct store *st;              /* whose credential cache to void */
    struct db *listen;             /* the listener's connection */
    struct db *lock;               /* holds the housekeeping lock */
    int housekeeper;               /* last answer of nodes_housekeeper */
    pthread_t thread;              /* the listener */
    int started;                   /* 1 when `thread` runs */
    atomic_int stop;               /* 1: the listener must return */
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

    nanosleep(&ts, NULL);
}

/* Wake the waiters of the intent a payload "INTENT NODE" names, unless
 * the node is ours (those were woken at our commit); "creds NODE": a
 * credential was revoked, our cached ones are void. */
static void heard(struct nodes *n, const char *payload)
{
    char *end;
    long long id;

    if (strncmp(payload, STORE_CREDS_PAYLOAD " ",
                sizeof(STORE_CREDS_PAYLOAD)) == 0) {
        if (strcmp(payload + sizeof(STORE_CREDS_PAYLOAD), n->self) != 0)
            store_creds_changed(n->st);
        return;
    }
    id = strtoll(payload, &end, 10);

    if (id == 0 || *end != ' ')
        return;
    if (strcmp(end + 1, n->self) == 0)
        return;
    if (id == STORE_CHANGED_ALL)
        notify_signal_all(n->nt);
    else
        notify_signal(n->nt, (int64_t)id);
}

static void *listener_main(void *arg)
{
    struct nodes *n = arg;
    char payload[128];
    int lost = 0, rc;

    while (!atomic_load(&n->stop)) {
        rc = db_wait_notify(n->listen, LISTEN_SLICE_MS, payload,
                            sizeof(payload));
        if (rc < 0) {
            if (!lost)
                api_log(4, "event=error what=listen msg=\"%s\"",
                        db_errmsg(n->listen));
            lost = 1;
            for (rc = 0; rc < RETRY_MS / 100 && !atomic_load(&n->stop); rc++)
                sleep_ms(100);
            continue;
        }
        if (lost) {
            api_log(5, "event=listening what=notifications again=1");
            notify_signal_all(n->nt);
            store_creds_changed(n->st);
            lost = 0;
        }
        if (rc == 1)
            heard(n, payload);
    }
    return NULL;
}

int nodes_start(const char *url, struct store *st, struct notify *nt,
                struct nodes **out)
{
    struct nodes *n = calloc(1, sizeof(*n));
    char err[512];
    int rc;

    if (n == NULL) {
        api_log(3, "event=error what=nodes msg=\"out of memory\"");
        return -1;
    }
    snprintf(n->self, sizeof(n->self), "%s", st->node);
    n->st = st;
    n->nt = nt;
    n->housekeeper = -1;
    n->pg = db_url_backend(url) == DB_PGSQL;
    if (!n->pg) {
        *out = n;
        return 0;
    }
    if (db_open(url, 0, &n->listen, err, sizeof(err)) != 0 ||
        db_open(url, 0, &n->lock, err, sizeof(err)) != 0) {
        api_log(3, "event=error what=listen msg=\"%s\"", err);
        goto fail;
    }
    rc = db_listen(n->listen, STORE_CHANNEL);
    if (rc != 0) {
        api_log(3, "event=error what=listen msg=\"%s\"", db_errmsg(n->listen));
        goto fail;
    }
    if (pthread_create(&n->thread, NULL, listener_main, n) != 0) {
        api_log(3, "event=error what=listen msg=\"no thread\"");
        goto fail;
    }
    n->started = 1;
    *out = n;
    return 0;
fail:
    nodes_stop(n);
    return -1;
}

int nodes_housekeeper(struct nodes *n)
{
    int rc;

    if (n == NULL || !n->pg)
        return 1;
    rc = db_try_lock(n->lock, HOUSEKEEP_LOCK_KEY);
    if (rc < 0)
        api_log(3, "event=error what=housekeeping_lock msg=\"%s\"",
                db_errmsg(n->lock));
    rc = rc == 1;
    if (rc != n->housekeeper)
        api_log(6, "event=housekeeping node=%s role=%s", n->self,
                rc ? "active" : "standby");
    n->housekeeper = rc;
    return rc;
}

void nodes_stop(struct nodes *n)
{
    if (n == NULL)
        return;
    if (n->started) {
        atomic_store(&n->stop, 1);
        pthread_join(n->thread, NULL);
    }
    db_close(n->listen);
    db_close(n->lock);
    free(n);
}
