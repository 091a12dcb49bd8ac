/*
 * last_used.c: credentials' last-used times, written behind the requests.
 * Authentication notes a credential as used (at most once a minute per
 * credential, credentials.c decides) and returns at once; one thread
 * writes the notes in short transactions of their own, so a read never
 * takes a write lock nor waits behind one for this bookkeeping. Listing
 * credentials writes what is pending first, so a list shows every use.
 * A note that finds the queue full is dropped: the time is advisory.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define LU_MAX 1024

struct lu_item {
    int kiosk;   /* 1 a kiosk key, 0 a token */
    int64_t id;  /* its id */
    int64_t now; /* when it was used */
};

struct last_used {
    struct sq *s;                 /* the store written to */
    pthread_mutex_t mu;           /* guards everything below */
    pthread_cond_t cv;            /* a note arrived, or stop */
    pthread_cond_t idle;          /* the writer finished a batch */
    struct lu_item q[LU_MAX];     /* pending notes */
    struct lu_item batch[LU_MAX]; /* the writer's, being written */
    int n;                        /* count of `q` */
    int busy;                     /* the writer is writing a batch */
    int stop;                     /* the writer must return */
    pthread_t th;                 /* the writer */
};

/* Write `n` notes of `items`. */
static void write_all(struct sq *s, const struct lu_item *items, int n)
{
    int i;

    for (i = 0; i < n; i++)
        sqi_touch_last_used(s, items[i].kiosk, items[i].id, items[i].now);
}

static void *writer_main(void *arg)
{
    struct last_used *lu = arg;
    int n;

    pthread_mutex_lock(&lu->mu);
    for (;;) {
        while (lu->n == 0 && !lu->stop)
            pthread_cond_wait(&lu->cv, &lu->mu);
        if (lu->n == 0 && lu->stop)
            break;
        n = lu->n;
        memcpy(lu->batch, lu->q, (size_t)n * sizeof(lu->q[0]));
        lu->n = 0;
        lu->busy = 1;
        pthread_mutex_unlock(&lu->mu);
        write_all(lu->s, lu->batch, n);
        pthread_mutex_lock(&lu->mu);
        lu->busy = 0;
        pthread_cond_broadcast(&lu->idle);
    }
    pthread_mutex_unlock(&lu->mu);
    return NULL;
}

struct last_used *last_used_new(struct sq *s)
{
    struct last_used *lu = calloc(1, sizeof(*lu));

    if (lu == NULL)
        return NULL;
    lu->s = s;
    pthread_mutex_init(&lu->mu, NULL);
    pthread_cond_init(&lu->cv, NULL);
    pthread_cond_init(&lu->idle, NULL);
    if (pthread_create(&lu->th, NULL, writer_main, lu) != 0) {
        pthread_mutex_destroy(&lu->mu);
        pthread_cond_destroy(&lu->cv);
        pthread_cond_destroy(&lu->idle);
        free(lu);
        return NULL;
    }
    return lu;
}

void last_used_free(struct last_used *lu)
{
    if (lu == NULL)
        return;
    pthread_mutex_lock(&lu->mu);
    lu->stop = 1; /* the writer writes what is pending, then returns */
    pthread_cond_signal(&lu->cv);
    pthread_mutex_unlock(&lu->mu);
    pthread_join(lu->th, NULL);
    pthread_mutex_destroy(&lu->mu);
    pthread_cond_destroy(&lu->cv);
    pthread_cond_destroy(&lu->idle);
    free(lu);
}

void last_used_note(struct last_used *lu, int kiosk, int64_t id, int64_t now)
{
    int i;

    pthread_mutex_lock(&lu->mu);
    for (i = 0; i < lu->n; i++)
        if (lu->q[i].kiosk == kiosk && lu->q[i].id == id)
            break;
    if (i < lu->n) {
        lu->q[i].now = now;
    } else if (lu->n < LU_MAX) {
        lu->q[lu->n].kiosk = kiosk;
        lu->q[lu->n].id = id;
        lu->q[lu->n].now = now;
        lu->n++;
    }
    pthread_cond_signal(&lu->cv);
    pthread_mutex_unlock(&lu->mu);
}

void last_used_flush(struct last_used *lu)
{
    struct lu_item *batch;
    int n;

    if (lu == NULL)
        return;
    pthread_mutex_lock(&lu->mu);
    while (lu->busy) /* a batch taken but not yet written */
        pthread_cond_wait(&lu->idle, &lu->mu);
    n = lu->n;
    batch = n > 0 ? malloc((size_t)n * sizeof(*batch)) : NULL;
    if (batch != NULL) {
        memcpy(batch, lu->q, (size_t)n * sizeof(*batch));
        lu->n = 0;
    }
    pthread_mutex_unlock(&lu->mu);
    if (batch != NULL)
        write_all(lu->s, batch, n);
    free(batch);
}
