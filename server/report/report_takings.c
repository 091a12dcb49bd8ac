/*
 * report_takings.c: the money a day's payments brought, whatever
 * invoices or periods they paid: transfers and cash, the credit they
 * left, per kiosk and per collector. The daily reconciliation and the
 * kiosk's day totals both come from here, so they agree by construction.
 */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_int.h"

/* Kiosk ids in order, payments of no kiosk (0) last. */
static int kiosk_cmp(int64_t a, int64_t b)
{
    if (a == b)
        return 0;
    if (a == 0 || b == 0)
        return a == 0 ? 1 : -1;
    return a < b ? -1 : 1;
}

static int kiosk_row_cmp(const void *a, const void *b)
{
    const struct report_kiosk_takings *x = a, *y = b;

    return kiosk_cmp(x->kiosk, y->kiosk);
}

static int collector_row_cmp(const void *a, const void *b)
{
    const struct report_collector_takings *x = a, *y = b;
    int c = strcmp(x->collector, y->collector);

    return c ? c : kiosk_cmp(x->kiosk, y->kiosk);
}

/* Add one payment of `amount` to `s`. */
static int sum_one(struct report_sum *s, int64_t amount)
{
    s->count++;
    return sum_add(&s->amount, amount);
}

/* The row of kiosk `k` in t->kiosks (appended when new), or NULL. */
static struct report_kiosk_takings *kiosk_row(struct report_takings *t,
                                              const struct report_taking *p)
{
    for (size_t i = 0; i < t->n_kiosks; i++)
        if (t->kiosks[i].kiosk == p->kiosk)
            return &t->kiosks[i];
    t->kiosks[t->n_kiosks].kiosk = p->kiosk;
    t->kiosks[t->n_kiosks].name = p->kiosk_name ? p->kiosk_name : "";
    return &t->kiosks[t->n_kiosks++];
}

/* The row of `p`'s collector at `p`'s kiosk (appended when new). */
static struct report_collector_takings *
collector_row(struct report_takings *t, const struct report_taking *p)
{
    for (size_t i = 0; i < t->n_collectors; i++)
        if (t->collectors[i].kiosk == p->kiosk &&
            strcmp(t->collectors[i].collector, p->collector) == 0)
            return &t->collectors[i];
    t->collectors[t->n_collectors].collector = p->collector;
    t->collectors[t->n_collectors].kiosk = p->kiosk;
    t->collectors[t->n_collectors].name = p->kiosk_name ? p->kiosk_name : "";
    return &t->collectors[t->n_collectors++];
}

int report_takings(const struct report_taking *p, size_t n,
                   struct report_takings *out)
{
    struct report_takings t;
    int rc = 0;

    if ((n && !p) || !out)
        return REPORT_E_ARG;
    memset(&t, 0, sizeof(t));
    t.kiosks = calloc(n + 1, sizeof(*t.kiosks));
    t.collectors = calloc(n + 1, sizeof(*t.collectors));
    if (!t.kiosks || !t.collectors) {
        rc = REPORT_E_NOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct report_taking *x = &p[i];
        struct report_kiosk_takings *k;

        if (x->amount <= 0 || x->amount > MONEY_MAX || x->credit < 0 ||
            x->credit > x->amount) {
            rc = REPORT_E_AMOUNT;
            break;
        }
        if (x->cash && !x->collector) {
            rc = REPORT_E_ARG;
            break;
        }
        k = kiosk_row(&t, x);
        if (x->cash)
            rc = sum_one(&t.cash, x->amount) || sum_one(&k->cash, x->amount) ||
                         sum_one(&collector_row(&t, x)->cash, x->amount)
                     ? REPORT_E_OVERFLOW
                     : 0;
        else
            rc = sum_one(&t.transfer, x->amount) ||
                         sum_one(&k->transfer, x->amount)
                     ? REPORT_E_OVERFLOW
                     : 0;
        if (rc == 0 && x->credit > 0)
            rc = sum_one(&t.credit_created, x->credit);
        if (rc == 0)
            rc = sum_add(&t.total, x->amount);
    }
    if (rc != 0)
        goto fail;
    qsort(t.kiosks, t.n_kiosks, sizeof(*t.kiosks), kiosk_row_cmp);
    qsort(t.collectors, t.n_collectors, sizeof(*t.collectors),
          collector_row_cmp);
    *out = t;
    return 0;
fail:
    report_takings_clear(&t);
    return rc;
}

void report_takings_clear(struct report_takings *t)
{
    if (!t)
        return;
    free(t->kiosks);
    free(t->collectors);
    memset(t, 0, sizeof(*t));
}

static json_t *pair(const struct report_sum *s)
{
    return json_pack("{sIsI}", "count", (json_int_t)s->count, "amount",
                     (json_int_t)s->amount);
}

static json_t *kiosk_id(int64_t k)
{
    return k ? json_integer(k) : json_null();
}

json_t *report_takings_json(const struct report_takings *t)
{
    json_t *kiosks = json_array(), *collectors = json_array();

    if (!t || !kiosks || !collectors)
        goto fail;
    for (size_t i = 0; i < t->n_kiosks; i++) {
        const struct report_kiosk_takings *k = &t->kiosks[i];

        if (json_array_append_new(
                kiosks, json_pack("{sosssoso}", "kiosk", kiosk_id(k->kiosk),
                                  "name", k->name, "transfer",
                                  pair(&k->transfer), "cash", pair(&k->cash))))
            goto fail;
    }
    for (size_t i = 0; i < t->n_collectors; i++) {
        const struct report_collector_takings *c = &t->collectors[i];

        if (json_array_append_new(
                collectors, json_pack("{sssossso}", "collector", c->collector,
                                      "kiosk", kiosk_id(c->kiosk), "name",
                                      c->name, "cash", pair(&c->cash))))
            goto fail;
    }
    /* "o" takes the arrays whether or not the pack succeeds */
    return json_pack("{sosososososo}", "transfer", pair(&t->transfer), "cash",
                     pair(&t->cash), "total", json_integer(t->total),
                     "credit_created", pair(&t->credit_created), "by_kiosk",
                     kiosks, "by_collector", collectors);
fail:
    json_decref(kiosks);
    json_decref(collectors);
    return NULL;
}
