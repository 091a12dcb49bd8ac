/*
 * offload.c: a fixed pool of threads taking jobs from one bounded queue
 * (a ring), oldest first.
 */
#include <pthread.h>
#include <stdlib.h>

#include "offload.h"

/* Enough for a job's stack: ingest, the store and SQLite or libpq. */
#define OFFLOAD_STACK (512 * 1024)

struct job {
    void (*fn)(void *arg);
    void *arg;
};

struct offload {
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* a job queued, or closing */
    struct job *ring;    /* the queue */
    size_t cap, head, n; /* its size, first job, jobs queued */
    int closing;         /* 1: no new jobs; threads end when none is left */
    pthread_t *threads;
    int n_threads;
};

static void *worker(void *arg)
{
    struct offload *o = arg;
    struct job j;

    pthread_mutex_lock(&o->mu);
    for (;;) {
        while (o->n == 0 && !o->closing)
            pthread_cond_wait(&o->cv, &o->mu);
        if (o->n == 0)
            break;
        j = o->ring[o->head];
        o->head = (o->head + 1) % o->cap;
        o->n--;
        pthread_mutex_unlock(&o->mu);
        j.fn(j.arg);
        pthread_mutex_lock(&o->mu);
    }
    pthread_mutex_unlock(&o->mu);
    return NULL;
}

struct offload *offload_new(int threads, size_t queue)
{
    struct offload *o = calloc(1, sizeof(*o));
    pthread_attr_t at;
    int i;

    if (o == NULL)
        return NULL;
    if (threads < 1)
        threads = 1;
    o->cap = queue ? queue : 1;
    o->ring = calloc(o->cap, sizeof(*o->ring));
    o->threads = calloc((size_t)threads, sizeof(*o->threads));
    if (o->ring == NULL || o->threads == NULL) {
        free(o->ring);
        free(o->threads);
        free(o);
        return NULL;
    }
    pthread_mutex_init(&o->mu, NULL);
    pthread_cond_init(&o->cv, NULL);
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, OFFLOAD_STACK);
    for (i = 0; i < threads; i++) {
        if (pthread_create(&o->threads[i], &at, worker, o) != 0)
            break;
        o->n_threads++;
    }
    pthread_attr_destroy(&at);
    if (o->n_threads < threads) {
        offload_free(o);
        return NULL;
    }
    return o;
}

int offload_run(struct offload *o, void (*fn)(void *arg), void *arg)
{
    int rc = -1;

    pthread_mutex_lock(&o->mu);
    if (!o->closing && o->n < o->cap) {
        o->ring[(o->head + o->n) % o->cap] = (struct job){fn, arg};
        o->n++;
        pthread_cond_signal(&o->cv);
        rc = 0;
    }
    pthread_mutex_unlock(&o->mu);
    return rc;
}

void offload_close(struct offload *o)
{
    int i;

    if (o == NULL)
        return;
    pthread_mutex_lock(&o->mu);
    o->closing = 1;
    pthread_cond_broadcast(&o->cv);
    pthread_mutex_unlock(&o->mu);
    for (i = 0; i < o->n_threads; i++)
        pthread_join(o->threads[i], NULL);
    o->n_threads = 0;
}

void offload_free(struct offload *o)
{
    if (o == NULL)
        return;
    offload_close(o);
    pthread_mutex_destroy(&o->mu);
    pthread_cond_destroy(&o->cv);
    free(o->ring);
    free(o->threads);
    free(o);
}
