/*
 * test_woken.c: the intents a write transaction wakes after its commit.
 * A statement slice or a group of webhooks matches hundreds of intents in
 * one commit: every one of them is woken, each once, in order; a part
 * undone (a savepoint rolled back) wakes nothing; a rolled-back
 * transaction wakes nothing; a list that could not grow wakes every
 * waiter instead (STORE_CHANGED_ALL).
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/store_int.h"

#define MANY 300

static int64_t got[2 * MANY];
static int n_got;

static void on_changed(void *ctx, int64_t id)
{
    (void)ctx;
    if (n_got < 2 * MANY)
        got[n_got++] = id;
}

static void test_many(struct sq *s, struct sqi_conn *c)
{
    int i, in_order = 1;

    n_got = 0;
    for (i = 1; i <= MANY; i++) {
        sqi_queue_woken(c, i);
        sqi_queue_woken(c, i); /* an intent's second step */
    }
    sqi_flush_woken(s, c, 1);
    CHECK_INT(n_got, MANY);
    for (i = 0; i < n_got; i++)
        in_order &= got[i] == i + 1;
    CHECK(in_order);
    CHECK_INT(c->n_woken, 0);
}

static void test_undone(struct sq *s, struct sqi_conn *c)
{
    int kept;

    n_got = 0;
    sqi_queue_woken(c, 7);
    kept = c->n_woken; /* a savepoint */
    sqi_queue_woken(c, 8);
    sqi_queue_woken(c, 9);
    c->n_woken = kept; /* rolled back to it */
    sqi_flush_woken(s, c, 1);
    CHECK_INT(n_got, 1);
    CHECK_INT(got[0], 7);

    /* a transaction rolled back wakes nobody */
    n_got = 0;
    sqi_queue_woken(c, 10);
    sqi_flush_woken(s, c, 0);
    CHECK_INT(n_got, 0);
    sqi_flush_woken(s, c, 1);
    CHECK_INT(n_got, 0);
}

static void test_all(struct sq *s, struct sqi_conn *c)
{
    n_got = 0;
    sqi_queue_woken(c, 11);
    c->woken_all = 1; /* as when the list could not grow */
    sqi_flush_woken(s, c, 1);
    CHECK_INT(n_got, 2);
    CHECK_INT(got[0], 11);
    CHECK_INT(got[1], STORE_CHANGED_ALL);
    CHECK_INT(c->woken_all, 0);
    n_got = 0;
    sqi_flush_woken(s, c, 1);
    CHECK_INT(n_got, 0);
}

int main(void)
{
    struct sq *s = calloc(1, sizeof(*s));
    struct sqi_conn c;

    memset(&c, 0, sizeof(c));
    CHECK(s != NULL);
    if (s == NULL)
        return TEST_END();
    s->base.changed = on_changed;
    test_many(s, &c);
    test_undone(s, &c);
    test_all(s, &c);
    free(c.woken);
    free(s);
    return TEST_END();
}
