/*
 * notify.c: long-poll waiters in a hash table keyed by intent id, fired by
 * notify_signal() or by one timer thread that sleeps until the earliest
 * deadline, kept in a binary heap so that each deadline costs O(log n)
 * however many polls wait (tens of thousands on one node). Everything
 * happens under one mutex; firing a suspended waiter calls its wake
 * function (which must not call back into the notifier).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "notify.h"

#define BUCKETS 16384

enum { W_ARMED, W_SUSPENDED, W_FIRED };

struct notify_waiter {
    int64_t key;                       /* intent id */
    int64_t deadline;                  /* monotonic ms */
    int state;                         /* W_* */
    notify_wake_fn wake;               /* resume function */
    void *arg;                         /* its argument */
    struct notify_waiter *prev, *next; /* bucket list */
    size_t at;                         /* index in the deadline heap */
};

struct notify {
    pthread_mutex_t mu;               /* guards everything below */
    pthread_cond_t cv;                /* wakes the timer thread */
    struct notify_waiter *b[BUCKETS]; /* waiters by key */
    struct notify_waiter **heap;      /* armed waiters, earliest first */
    size_t n_heap, cap_heap;          /* its count and capacity */
    _Atomic int64_t suspended;        /* suspended waiters */
    int stop;                         /* timer thread must exit */
    int closing;                      /* no new waiters */
    pthread_t timer;                  /* the timer thread */
};

int64_t notify_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t bucket(int64_t key)
{
    return (size_t)((uint64_t)key * 0x9E3779B97F4A7C15ull >> 52) % BUCKETS;
}

/* ---- the deadline heap (lock held) ---- */

static void heap_set(struct notify *n, size_t i, struct notify_waiter *w)
{
    n->heap[i] = w;
    w->at = i;
}

static void heap_up(struct notify *n, size_t i)
{
    struct notify_waiter *w = n->heap[i];

    while (i > 0 && n->heap[(i - 1) / 2]->deadline > w->deadline) {
        heap_set(n, i, n->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(n, i, w);
}

static void heap_down(struct notify *n, size_t i)
{
    struct notify_waiter *w = n->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= n->n_heap)
            break;
        if (c + 1 < n->n_heap &&
            n->heap[c + 1]->deadline < n->heap[c]->deadline)
            c++;
        if (n->heap[c]->deadline >= w->deadline)
            break;
        heap_set(n, i, n->heap[c]);
        i = c;
    }
    heap_set(n, i, w);
}

/* Add `w`; -1 when out of memory. */
static int heap_add(struct notify *n, struct notify_waiter *w)
{
    if (n->n_heap == n->cap_heap) {
        size_t nc = n->cap_heap ? n->cap_heap * 2 : 1024;
        struct notify_waiter **nh = realloc(n->heap, nc * sizeof(*nh));

        if (nh == NULL)
            return -1;
        n->heap = nh;
        n->cap_heap = nc;
    }
    heap_set(n, n->n_heap++, w);
    heap_up(n, w->at);
    return 0;
}

static void heap_del(struct notify *n, struct notify_waiter *w)
{
    size_t i = w->at;
    struct notify_waiter *last = n->heap[--n->n_heap];

    if (i == n->n_heap)
        return;
    heap_set(n, i, last);
    heap_down(n, i);
    heap_up(n, last->at);
}

/* Take `w` out of its bucket and the heap. */
static void unlink_w(struct notify *n, struct notify_waiter *w)
{
    size_t i = bucket(w->key);

    heap_del(n, w);

    if (w->prev)
        w->prev->next = w->next;
    else
        n->b[i] = w->next;
    if (w->next)
        w->next->prev = w->prev;
    w->prev = w->next = NULL;
}

/* Fire `w` (unlinked already). Lock held. */
static void fire(struct notify *n, struct notify_waiter *w)
{
    if (w->state == W_SUSPENDED) {
        atomic_fetch_sub(&n->suspended, 1);
        w->wake(w->arg);
        free(w);
    } else {
        w->state = W_FIRED;
    }
}

static void *timer_main(void *arg)
{
    struct notify *n = arg;

    pthread_mutex_lock(&n->mu);
    while (!n->stop) {
        int64_t now = notify_now_ms();

        while (n->n_heap > 0 && n->heap[0]->deadline <= now) {
            struct notify_waiter *w = n->heap[0];

            unlink_w(n, w);
            fire(n, w);
        }
        if (n->n_heap == 0) {
            pthread_cond_wait(&n->cv, &n->mu);
        } else {
            struct timespec ts;
            int64_t at;

            clock_gettime(CLOCK_REALTIME, &ts);
            at = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 +
                 (n->heap[0]->deadline - now);
            ts.tv_sec = (time_t)(at / 1000);
            ts.tv_nsec = (long)(at % 1000) * 1000000;
            pthread_cond_timedwait(&n->cv, &n->mu, &ts);
        }
    }
    pthread_mutex_unlock(&n->mu);
    return NULL;
}

struct notify *notify_new(void)
{
    struct notify *n = calloc(1, sizeof(*n));

    if (n == NULL)
        return NULL;
    pthread_mutex_init(&n->mu, NULL);
    pthread_cond_init(&n->cv, NULL);
    if (pthread_create(&n->timer, NULL, timer_main, n) != 0) {
        pthread_mutex_destroy(&n->mu);
        pthread_cond_destroy(&n->cv);
        free(n);
        return NULL;
    }
    return n;
}

/* Fire every waiter. Lock held. */
static void fire_all(struct notify *n)
{
    size_t i;

    for (i = 0; i < BUCKETS; i++)
        while (n->b[i] != NULL) {
            struct notify_waiter *w = n->b[i];

            unlink_w(n, w);
            fire(n, w);
        }
}

void notify_close(struct notify *n)
{
    pthread_mutex_lock(&n->mu);
    n->closing = 1;
    fire_all(n);
    pthread_mutex_unlock(&n->mu);
}

void notify_signal_all(struct notify *n)
{
    pthread_mutex_lock(&n->mu);
    fire_all(n);
    pthread_mutex_unlock(&n->mu);
}

void notify_free(struct notify *n)
{
    if (n == NULL)
        return;
    notify_close(n);
    pthread_mutex_lock(&n->mu);
    n->stop = 1;
    pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    pthread_join(n->timer, NULL);
    pthread_mutex_destroy(&n->mu);
    pthread_cond_destroy(&n->cv);
    free(n->heap);
    free(n);
}

struct notify_waiter *notify_arm(struct notify *n, int64_t key,
                                 int64_t deadline_ms, notify_wake_fn wake,
                                 void *arg)
{
    struct notify_waiter *w = calloc(1, sizeof(*w));
    size_t i = bucket(key);

    if (w == NULL)
        return NULL;
    w->key = key;
    w->deadline = deadline_ms;
    w->wake = wake;
    w->arg = arg;
    w->state = W_ARMED;
    pthread_mutex_lock(&n->mu);
    if (n->closing || heap_add(n, w) != 0) {
        pthread_mutex_unlock(&n->mu);
        free(w);
        return NULL;
    }
    w->next = n->b[i];
    if (w->next)
        w->next->prev = w;
    n->b[i] = w;
    if (w->at == 0) /* the earliest now: the timer sleeps until it */
        pthread_cond_signal(&n->cv);
    pthread_mutex_unlock(&n->mu);
    return w;
}

int notify_suspend(struct notify *n, struct notify_waiter *w,
                   void (*suspend)(void *arg))
{
    pthread_mutex_lock(&n->mu);
    if (w->state == W_FIRED) {
        pthread_mutex_unlock(&n->mu);
        free(w);
        return 1;
    }
    suspend(w->arg);
    w->state = W_SUSPENDED;
    atomic_fetch_add(&n->suspended, 1);
    pthread_mutex_unlock(&n->mu);
    return 0;
}

void notify_disarm(struct notify *n, struct notify_waiter *w)
{
    pthread_mutex_lock(&n->mu);
    if (w->state != W_FIRED)
        unlink_w(n, w);
    pthread_mutex_unlock(&n->mu);
    free(w);
}

void notify_signal(struct notify *n, int64_t key)
{
    struct notify_waiter *w, *nx;

    pthread_mutex_lock(&n->mu);
    for (w = n->b[bucket(key)]; w != NULL; w = nx) {
        nx = w->next;
        if (w->key == key) {
            unlink_w(n, w);
            fire(n, w);
        }
    }
    pthread_mutex_unlock(&n->mu);
}

int64_t notify_waiting(const struct notify *n)
{
    return atomic_load(&((struct notify *)n)->suspended);
}
