/*
 * ledger.c: the money rules: payments and their allocation to invoices
 * oldest first, payer credit and its use, cash records, transfers applied
 * to an intent or a payer, the intent's status after a reversal, and
 * reversing a payment; each inside one write transaction with its audit
 * entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "payref.h"
#include "store_int.h"

/*
 * The day an allocation of payment `pay` made at `now` is dated on, into
 * `day`: the first open day as of `now`, or the payment's own day when
 * that is later, refused (sqr_refuse_closed) if that day has been
 * closed since. In a write txn.
 */
static int allocation_day(struct sqi_conn *c, int64_t pay, int64_t now,
                          char day[11])
{
    struct db_stmt *st = sqi_q(c, Q_PAYMENT_DAY);
    char paid[11] = "";
    int64_t org = 0;
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pay);
    rc = sqi_step(c, st);
    if (rc == 1) {
        const char *d = db_column_text(st, 1);

        org = db_column_int64(st, 0);
        snprintf(paid, sizeof(paid), "%s", d != NULL ? d : "");
    }
    db_reset(st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("ledger", "no payment %lld to allocate",
                        (long long)pay);
        return -STORE_E_CONFLICT;
    }
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0 || strcmp(paid, day) <= 0)
        return rc;
    memcpy(day, paid, 11);
    return sqr_refuse_closed(c->dbh, org, day);
}

/* The parts of a payment allocated to invoices, in order. */
struct allocs {
    struct store_allocation *a; /* malloc'd array of `n` */
    size_t n;                   /* count of `a` */
};

json_t *sqi_allocations_json(const struct store_allocation *a, size_t n)
{
    json_t *j = json_array();
    size_t i;

    for (i = 0; j != NULL && i < n; i++)
        json_array_append_new(j, json_pack("{s:I, s:I}", "invoice",
                                           (json_int_t)a[i].invoice, "amount",
                                           (json_int_t)a[i].amount));
    return j;
}

/* `l` as [{invoice, amount}], for the audit log and the bank intake. */
static json_t *allocs_json(const struct allocs *l)
{
    return sqi_allocations_json(l->a, l->n);
}

json_t *sqi_transfer_json(const struct store_transfer_made *m)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:I, s:o, s:I, s:s}", "payment",
                     (json_int_t)m->payment, "intent", (json_int_t)m->intent,
                     "code", m->code, "status", m->status, "amount",
                     (json_int_t)m->amount, "allocations",
                     sqi_allocations_json(m->allocations, m->n_allocations),
                     "unallocated", (json_int_t)m->unallocated, "flag",
                     m->unallocated > 0 ? "over" : "");
}

void store_transfer_made_free(struct store_transfer_made *m)
{
    if (m == NULL)
        return;
    free(m->allocations);
    memset(m, 0, sizeof(*m));
}

/*
 * Allocate `amount` of payment `pay` to the invoices `v` (oldest first),
 * each up to what it still owes. *left gets what could not be allocated;
 * `allocs` (may be NULL) gets the parts allocated. Each allocation
 * is dated on the first open day as of `now`, never before its payment
 * (allocation_day). In a write txn.
 */
static int allocate(struct sqi_conn *c, int64_t pay, struct sqi_inv *v,
                    size_t n, int64_t amount, int64_t *left,
                    struct allocs *allocs, int64_t now)
{
    struct db_stmt *st;
    char day[11] = "";
    size_t i;
    int rc;

    for (i = 0; i < n && amount > 0; i++) {
        int64_t take = v[i].due < amount ? v[i].due : amount;

        if (take <= 0)
            continue;
        if (day[0] == '\0') {
            rc = allocation_day(c, pay, now, day);
            if (rc != 0)
                return rc;
        }
        st = sqi_q(c, Q_INVOICE_PAY);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, v[i].id);
        sqi_bi(st, 2, take);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) != 1) {
            store_set_error("ledger", "invoice %lld cannot take %lld",
                            (long long)v[i].id, (long long)take);
            return -STORE_E_CONFLICT;
        }
        st = sqi_q(c, Q_ALLOC_INSERT);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, pay);
        sqi_bi(st, 2, v[i].id);
        sqi_bi(st, 3, take);
        sqi_bt(st, 4, day);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            return rc;
        if (allocs != NULL) {
            void *a = allocs->a;

            rc = sqi_room(&a, allocs->n, sizeof(*allocs->a));
            if (rc != 0)
                return rc;
            allocs->a = a;
            allocs->a[allocs->n].invoice = v[i].id;
            allocs->a[allocs->n++].amount = take;
        }
        v[i].due -= take;
        amount -= take;
    }
    *left = amount;
    return 0;
}

static int payment_insert(struct sqi_conn *c, int64_t org, int64_t pid,
                          int64_t intent, const char *method, int64_t amount,
                          const char *ref, const char *source,
                          const char *actor, int64_t now, int64_t *id)
{
    struct db_stmt *st;
    int64_t pay = 0;
    char day[11];
    int rc;

    /* dated on the first open day as of now: never a closed one */
    rc = sqr_open_day(c->dbh, org, now, day);
    if (rc != 0)
        return rc;
    st = sqi_q(c, Q_PAYMENT_INSERT);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bi(st, 2, pid);
    if (intent)
        sqi_bi(st, 3, intent);
    sqi_bt(st, 4, method);
    sqi_bi(st, 5, amount);
    sqi_bt(st, 6, ref);
    sqi_bt(st, 7, source);
    sqi_bt(st, 8, actor);
    sqi_bi(st, 9, now);
    sqi_bt(st, 10, day);
    rc = sqi_insert_id(c, st, &pay);
    if (rc == 0) {
        /* every payment gets its signed receipt in this transaction */
        rc = sqr_receipt_issue(c, pay, now);
        if (rc == 0)
            *id = pay;
    }
    return rc;
}

/* Cancel the pending intents that cover any of `v`; ids into `woken`. */
static int supersede_intents(struct sqi_conn *c, const struct sqi_inv *v,
                             size_t n, int64_t now, int64_t *woken,
                             size_t *n_woken, size_t cap)
{
    struct db_stmt *st;
    size_t i, k;
    int rc;

    for (i = 0; i < n; i++) {
        int64_t ids[32];
        size_t m = 0;

        st = sqi_q(c, Q_INTENTS_FOR_INVOICE);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, v[i].id);
        while ((rc = sqi_step(c, st)) == 1 && m < 32)
            ids[m++] = db_column_int64(st, 0);
        if (rc < 0)
            return rc;
        db_reset(st);
        for (k = 0; k < m; k++) {
            rc = sqi_set_intent(c, ids[k], "cancelled", 0, now,
                                "invoices_paid_otherwise");
            if (rc != 0)
                return rc;
            if (*n_woken < cap)
                woken[(*n_woken)++] = ids[k];
        }
    }
    return 0;
}

/*
 * Use one payer's credit for their open invoices. A payer's credit is the
 * sum of the unallocated parts of their earlier payments (an over-payment
 * or money for invoices already paid), so applying it allocates those
 * payments further: oldest payment first, to the oldest open invoice
 * first. The method of the money stays what it was (transfer, cash),
 * paid = sum of allocations keeps holding for every invoice, and each
 * payment still satisfies amount = allocated + unallocated. Intents waiting
 * on invoices this pays in full are superseded and woken. One audit entry
 * per payer ("credit.apply"). In a write txn.
 */
static int apply_payer_credit(struct sqi_conn *c, int64_t org, int64_t pid,
                              const char *actor, int64_t now)
{
    struct sqi_inv *v = NULL;
    struct {
        int64_t id, unalloc;
    } pays[64];
    size_t n = 0, npay = 0, i, n_woken = 0;
    int64_t total = 0, used = 0, woken[32];
    struct allocs allocs = {NULL, 0};
    struct db_stmt *st = NULL;
    int rc;

    rc = sqi_resolve_invoices(c, org, pid, NULL, 0, &v, &n, &total);
    if (rc != 0 || n == 0)
        goto out;
    if ((st = sqi_qs(c, "SELECT id, unallocated FROM payments"
                        " WHERE payer_id = ?1 AND unallocated > 0"
                        " ORDER BY id LIMIT 64")) == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, pid);
    while ((rc = sqi_step(c, st)) == 1) {
        pays[npay].id = db_column_int64(st, 0);
        pays[npay].unalloc = db_column_int64(st, 1);
        npay++;
    }
    db_reset(st);
    st = NULL;
    if (rc < 0)
        goto out;
    rc = 0;
    for (i = 0; i < npay && rc == 0; i++) {
        int64_t left = 0;

        rc =
            allocate(c, pays[i].id, v, n, pays[i].unalloc, &left, &allocs, now);
        if (rc != 0 || left == pays[i].unalloc)
            continue;
        if ((st = sqi_qs(c, "UPDATE payments SET unallocated = ?2"
                            " WHERE id = ?1")) == NULL) {
            rc = -STORE_E_IO;
            break;
        }
        sqi_bi(st, 1, pays[i].id);
        sqi_bi(st, 2, left);
        rc = sqi_step(c, st) < 0 ? -STORE_E_IO : 0;
        db_reset(st);
        st = NULL;
        used += pays[i].unalloc - left;
    }
    if (rc != 0 || used == 0)
        goto out;
    if ((st = sqi_qs(c, "UPDATE payers SET credit = credit - ?2"
                        " WHERE id = ?1 AND credit >= ?2")) == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, pid);
    sqi_bi(st, 2, used);
    rc = sqi_step(c, st);
    db_reset(st);
    st = NULL;
    if (rc < 0)
        goto out;
    if (db_changes(c->dbh) != 1) {
        store_set_error("ledger", "payer %lld credit is below %lld",
                        (long long)pid, (long long)used);
        rc = -STORE_E_CONFLICT;
        goto out;
    }
    /* intents waiting on invoices now paid in full are superseded */
    {
        size_t k = 0;

        for (i = 0; i < n; i++)
            if (v[i].due == 0)
                v[k++] = v[i];
        n = k;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 32);
    for (i = 0; rc == 0 && i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    if (rc == 0) {
        char object[32];

        snprintf(object, sizeof(object), "payer:%lld", (long long)pid);
        rc = sqi_audit(c, org, now, actor, "credit.apply", object,
                       json_pack("{s:I, s:o}", "amount", (json_int_t)used,
                                 "allocations", allocs_json(&allocs)));
    }
out:
    free(allocs.a);
    free(v);
    return rc;
}

/* Apply the credit of every payer of `org` that has some. In a write txn. */
int sqi_apply_credits(struct sqi_conn *c, int64_t org, const char *actor,
                      int64_t now)
{
    int64_t *ids = NULL;
    size_t n = 0, cap = 0, i;
    struct db_stmt *st;
    int rc;

    /* collect first: the payers table changes as credit is applied */
    if ((st = sqi_qs(c, "SELECT id FROM payers WHERE org_id = ?1"
                        " AND credit > 0 ORDER BY id")) == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    while ((rc = sqi_step(c, st)) == 1) {
        if (n == cap) {
            int64_t *nids = realloc(ids, (cap ? cap * 2 : 64) * sizeof(*ids));

            if (nids == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            ids = nids;
            cap = cap ? cap * 2 : 64;
        }
        ids[n++] = db_column_int64(st, 0);
    }
    db_reset(st);
    for (i = 0, rc = rc < 0 ? rc : 0; i < n && rc == 0; i++)
        rc = apply_payer_credit(c, org, ids[i], actor, now);
    free(ids);
    return rc;
}

void store_cash_free(struct store_cash *p)
{
    if (p == NULL)
        return;
    free(p->payer);
    free(p->collector);
    free(p->allocations);
    free(p->receipt);
    free(p->receipt_url);
    memset(p, 0, sizeof(*p));
}

/* What one cash record is given and answers (cash_make). */
struct cash_job {
    const struct store_principal *who;
    const struct store_idem *idem;
    const struct store_cash_req *req;
    int64_t now;
    struct store_cash res; /* the payment made */
    char *body;            /* or the answer of a request made before */
};

/* The cash of j, on `c` in its write transaction. */
static int cash_make(struct sqi_conn *c, void *arg)
{
    struct cash_job *j = arg;
    const struct store_principal *who = j->who;
    const struct store_cash_req *req = j->req;
    int64_t now = j->now;
    struct sqi_inv *v = NULL;
    size_t n = 0, n_woken = 0, i;
    int64_t pid = 0, total = 0, pay = 0, left = 0, woken[64];
    struct store_cash res;
    struct allocs allocs = {NULL, 0};
    char num[40];
    char url[STORE_RECEIPT_URL_MAX];
    struct db_stmt *st;
    int rc;

    memset(&res, 0, sizeof(res));
    rc = sqi_idem_get(c, who->actor, j->idem, &j->body);
    if (rc == 1) {
        rc = 0;
        goto done;
    }
    if (rc != 0)
        goto done;
    rc = sqi_payer_id_of(c, who->org_id, req->payer, &pid, NULL);
    if (rc != 0)
        goto done;
    rc = sqi_resolve_invoices(c, who->org_id, pid, req->invoices,
                              req->n_invoices, &v, &n, &total);
    if (rc != 0)
        goto done;
    if (n == 0 || total <= 0) {
        store_set_error("nothing_due", "payer '%s' owes nothing here",
                        req->payer);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    if (req->amount > total) {
        store_set_error("amount_exceeds_due",
                        "cash %lld exceeds the %lld due; give change",
                        (long long)req->amount, (long long)total);
        rc = -STORE_E_INVALID;
        goto done;
    }
    rc = payment_insert(c, who->org_id, pid, 0, "cash", req->amount, NULL,
                        "cash", who->actor, now, &pay);
    if (rc == 0) /* cash for a closed day (docs/reports.md) */
        rc = sqr_cash_dated(c, who->org_id, pay, pid, req->amount, req->date,
                            req->recorded_at, who->actor, now);
    if (rc != 0)
        goto done;
    st = sqi_q(c, Q_CASH_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, pay);
    if (who->role == STORE_ROLE_KIOSK)
        sqi_bi(st, 2, who->id);
    sqi_bt(st, 3, req->collector);
    sqi_bt(st, 4, req->note);
    sqi_bi(st, 5, now);
    rc = sqi_exec1(c, st);
    if (rc != 0)
        goto done;
    rc = allocate(c, pay, v, n, req->amount, &left, &allocs, now);
    if (rc != 0)
        goto done;
    if (left != 0) { /* cannot happen: amount <= total */
        store_set_error("ledger", "cash left unallocated");
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 64);
    if (rc != 0)
        goto done;
    rc = sqr_receipt_of_payment(c, pay, num, sizeof(num));
    if (rc == 0)
        rc = sqr_receipt_url(c, num, url, sizeof(url));
    if (rc != 0)
        goto done;
    res.payment = pay;
    res.amount = req->amount;
    res.remaining_due = total - req->amount;
    res.allocations = allocs.a;
    res.n_allocations = allocs.n;
    allocs.a = NULL;
    allocs.n = 0;
    res.payer = strdup(req->payer);
    res.collector = strdup(req->collector);
    res.receipt = strdup(num);
    res.receipt_url = strdup(url);
    if (res.payer == NULL || res.collector == NULL || res.receipt == NULL ||
        res.receipt_url == NULL) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto done;
    }
    rc = sqi_idem_put_res(c, who->actor, j->idem, &res, now);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, who->org_id, now, who->actor, "payment.cash", req->payer,
                   json_pack("{s:I, s:I, s:s}", "payment", (json_int_t)pay,
                             "amount", (json_int_t)req->amount, "collector",
                             req->collector));
done:
    for (i = 0; rc == 0 && i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    if (rc == 0 && j->body == NULL) {
        j->res = res;
        memset(&res, 0, sizeof(res));
    }
    store_cash_free(&res);
    free(allocs.a);
    free(v);
    return rc;
}

/* Forget the cash of j (undone, or its group failed). */
static void cash_clear(void *arg)
{
    struct cash_job *j = arg;

    store_cash_free(&j->res);
    free(j->body);
    j->body = NULL;
}

/* Cash, recorded in a commit shared with the writes made meanwhile. */
int sq_cash_record(struct store *base, const struct store_principal *who,
                   const struct store_idem *idem,
                   const struct store_cash_req *req, int64_t now,
                   struct store_cash *out, char **replay)
{
    struct cash_job j = {who, idem, req, now, {0}, NULL};
    int rc;

    *replay = NULL;
    /* weight 8: the intents its invoices had, superseded and woken */
    rc = sqi_group_write((struct sq *)base, who->org_id, 8, cash_make,
                         cash_clear, &j);
    if (rc != 0)
        return rc;
    if (j.body != NULL)
        *replay = j.body;
    else
        *out = j.res;
    return 0;
}

/* The invoices of intent `intent`, oldest first, with what is due. */
static int intent_invoices(struct sqi_conn *c, int64_t intent,
                           struct sqi_inv **out, size_t *out_n)
{
    struct sqi_inv *v = NULL;
    size_t n = 0, cap = 0;
    struct db_stmt *st = sqi_q(c, Q_INTENT_INVOICES);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, intent);
    while ((rc = sqi_step(c, st)) == 1) {
        if (n == cap) {
            struct sqi_inv *nv;

            cap = cap ? cap * 2 : 8;
            nv = realloc(v, cap * sizeof(*v));
            if (nv == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            v = nv;
        }
        v[n].id = db_column_int64(st, 0);
        snprintf(v[n].period, sizeof(v[n].period), "%s", sqi_col_text(st, 1));
        v[n].due = db_column_int64(st, 2) - db_column_int64(st, 3);
        n++;
    }
    db_reset(st);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

/*
 * Record payment `pay`'s excess `left` as the payer's credit (flag
 * "over"). In a write txn.
 */
static int credit_excess(struct sqi_conn *c, int64_t pay, int64_t pid,
                         int64_t left)
{
    struct db_stmt *st = sqi_q(c, Q_PAYMENT_SET_UNALLOC);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pay);
    sqi_bi(st, 2, left);
    sqi_bt(st, 3, "over");
    rc = sqi_exec1(c, st);
    if (rc != 0)
        return rc;
    st = sqi_q(c, Q_PAYER_CREDIT);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pid);
    sqi_bi(st, 2, left);
    return sqi_exec1(c, st);
}

int sqi_transfer_intent(struct sqi_conn *c, int64_t org, int64_t intent,
                        int64_t amount, const char *ref, const char *source,
                        const char *actor, int64_t now,
                        struct store_transfer_made *res)
{
    struct sqi_inv *v = NULL;
    size_t n = 0;
    int64_t pid, total, paid, pay = 0, left = 0;
    struct allocs allocs = {NULL, 0};
    const char *status, *cur;
    char code[PAYREF_MAX + 8];
    struct db_stmt *st;
    int rc;

    st = sqi_q(c, Q_INTENT_GET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, intent);
    rc = sqi_step(c, st);
    if (rc <= 0 || db_column_int64(st, 11) != org) {
        if (rc >= 0) {
            store_set_error("intent_not_found", "no intent %lld",
                            (long long)intent);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    snprintf(code, sizeof(code), "%s", sqi_col_text(st, 1));
    total = db_column_int64(st, 3);
    paid = db_column_int64(st, 4);
    db_reset(st);
    st = sqi_q(c, Q_INTENT_BY_CODE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bt(st, 1, code);
    sqi_bi(st, 2, org);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto out;
    }
    pid = db_column_int64(st, 1);
    db_reset(st);
    rc = intent_invoices(c, intent, &v, &n);
    if (rc != 0)
        goto out;
    rc = payment_insert(c, org, pid, intent, "transfer", amount, ref, source,
                        actor, now, &pay);
    if (rc != 0)
        goto out;
    rc = allocate(c, pay, v, n, amount, &left, &allocs, now);
    if (rc != 0)
        goto out;
    if (left > 0) {
        rc = credit_excess(c, pay, pid, left);
        /* the excess pays the payer's other open invoices at once, so
           the ledger does not depend on which transfer came first */
        if (rc == 0)
            rc = apply_payer_credit(c, org, pid, actor, now);
        if (rc != 0)
            goto out;
    }
    if (money_add(paid, amount, &paid) != 0) {
        store_set_error("overflow", "intent total overflows");
        rc = -STORE_E_OVERFLOW;
        goto out;
    }
    /* a cancelled intent stays cancelled; its money went to its invoices
       (if still open) or to credit */
    st = sqi_q(c, Q_INTENT_GET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, intent);
    rc = sqi_step(c, st);
    if (rc < 0)
        goto out;
    cur = sqi_col_text(st, 2);
    status = strcmp(cur, "cancelled") == 0 ? "cancelled"
             : paid >= total               ? "paid"
                                           : "partial";
    db_reset(st);
    rc = sqi_set_intent(c, intent, status, paid, now,
                        strcmp(status, "cancelled") == 0 ? "cancelled" : NULL);
    if (rc != 0)
        goto out;
    memset(res, 0, sizeof(*res));
    res->payment = pay;
    res->intent = intent;
    snprintf(res->code, sizeof(res->code), "%s", code);
    snprintf(res->status, sizeof(res->status), "%s", status);
    res->amount = amount;
    res->allocations = allocs.a;
    res->n_allocations = allocs.n;
    allocs.a = NULL;
    res->unallocated = left;
    rc = 0;
out:
    free(allocs.a);
    free(v);
    return rc;
}

int sqi_transfer_payer(struct sqi_conn *c, int64_t org, int64_t payer_id,
                       int64_t amount, const char *ref, const char *source,
                       const char *actor, int64_t now, json_t **res,
                       int64_t *payment)
{
    struct sqi_inv *v = NULL;
    size_t n = 0, n_woken = 0, i;
    int64_t total = 0, pay = 0, left = 0, woken[32];
    struct allocs allocs = {NULL, 0};
    int rc;

    rc = sqi_resolve_invoices(c, org, payer_id, NULL, 0, &v, &n, &total);
    if (rc != 0)
        goto out;
    rc = payment_insert(c, org, payer_id, 0, "transfer", amount, ref, source,
                        actor, now, &pay);
    if (rc != 0)
        goto out;
    rc = allocate(c, pay, v, n, amount, &left, &allocs, now);
    if (rc != 0)
        goto out;
    if (left > 0) {
        rc = credit_excess(c, pay, payer_id, left);
        if (rc == 0)
            rc = apply_payer_credit(c, org, payer_id, actor, now);
        if (rc != 0)
            goto out;
    }
    /* intents waiting on invoices this paid in full are superseded */
    for (i = 0; i < n; i++)
        if (v[i].due > 0)
            v[i].id = -1;
    {
        size_t k = 0;

        for (i = 0; i < n; i++)
            if (v[i].id >= 0)
                v[k++] = v[i];
        n = k;
    }
    rc = supersede_intents(c, v, n, now, woken, &n_woken, 32);
    if (rc != 0)
        goto out;
    for (i = 0; i < n_woken; i++)
        sqi_queue_woken(c, woken[i]);
    *res = json_pack("{s:I, s:o, s:I, s:s}", "payment", (json_int_t)pay,
                     "allocations", allocs_json(&allocs), "unallocated",
                     (json_int_t)left, "flag", left > 0 ? "over" : "");
    if (*res == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    *payment = pay;
out:
    free(allocs.a);
    free(v);
    return rc;
}

/*
 * 0 when payment `payment` may be deleted: neither it nor any of its
 * allocations is dated on a closed day ("day_closed"), and none of it
 * was refunded ("refunded"); both -STORE_E_CONFLICT. In a write txn.
 */
static int reversible(struct sqi_conn *c, int64_t payment)
{
    struct db_stmt *st;
    int rc, closed, refunded;

    if ((st =
             sqi_qs(c, "SELECT CASE WHEN EXISTS (SELECT 1 FROM payments p"
                       " JOIN day_closes d ON d.org_id = p.org_id WHERE"
                       " p.id = ?1 AND d.reopened_at IS NULL AND (d.day = p.day"
                       " OR d.day IN (SELECT a.day FROM allocations a WHERE"
                       " a.payment_id = ?1))) THEN 1 ELSE 0 END, CASE WHEN"
                       " EXISTS (SELECT 1 FROM refund_parts WHERE"
                       " payment_id = ?1) THEN 1 ELSE 0 END")) == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, payment);
    rc = sqi_step(c, st);
    closed = rc == 1 && db_column_int64(st, 0) != 0;
    refunded = rc == 1 && db_column_int64(st, 1) != 0;
    db_reset(st);
    if (rc < 0)
        return rc;
    /* the details the guard triggers gave: http.c answers them */
    if (closed || refunded) {
        store_set_error("conflict", "%s", closed ? "day_closed" : "refunded");
        return -STORE_E_CONFLICT;
    }
    return 0;
}

int sqi_payment_reverse(struct sqi_conn *c, int64_t payment, int64_t now,
                        int64_t *intent)
{
    struct db_stmt *st;
    int64_t pid, unalloc, in = 0;
    int rc;

    if ((st = sqi_qs(c, "SELECT payer_id, unallocated,"
                        " coalesce(intent_id, 0) FROM payments"
                        " WHERE id = ?1 AND method = 'transfer'")) == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, payment);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        db_reset(st);
        if (rc == 0) {
            store_set_error("payment_not_found", "no transfer payment %lld",
                            (long long)payment);
            rc = -STORE_E_NOT_FOUND;
        }
        return rc;
    }
    pid = db_column_int64(st, 0);
    unalloc = db_column_int64(st, 1);
    in = db_column_int64(st, 2);
    db_reset(st);
    if ((st = sqi_qs(c, "UPDATE payers SET credit = credit - ?2"
                        " WHERE id = ?1 AND credit >= ?2")) == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, pid);
    sqi_bi(st, 2, unalloc);
    rc = sqi_step(c, st);
    db_reset(st);
    if (rc < 0)
        return rc;
    if (db_changes(c->dbh) != 1) {
        store_set_error("credit_used", "the credit this transfer created has"
                                       " been used since");
        return -STORE_E_CONFLICT;
    }
    rc = reversible(c, payment);
    if (rc != 0)
        return rc;
    {
        static const char *const sql[] = {
            /* every allocation: credit applied later may have added a
               second one to the same invoice */
            "UPDATE invoices SET paid = paid - (SELECT sum(a.amount) FROM"
            " allocations a WHERE a.invoice_id = invoices.id AND"
            " a.payment_id = ?1) WHERE id IN (SELECT invoice_id FROM"
            " allocations WHERE payment_id = ?1)",
            "DELETE FROM allocations WHERE payment_id = ?1",
            "DELETE FROM payments WHERE id = ?1",
            /* its receipt stays, void from now on */
            "UPDATE receipts SET voided_at = ?2 WHERE payment_id = ?1"
            " AND voided_at IS NULL",
        };
        size_t i;

        for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
            if ((st = sqi_qs(c, sql[i])) == NULL)
                return -STORE_E_IO;
            sqi_bi(st, 1, payment);
            if (i == sizeof(sql) / sizeof(sql[0]) - 1)
                sqi_bi(st, 2, now);
            rc = sqi_step(c, st);
            db_reset(st);
            if (rc < 0)
                return rc;
        }
    }
    if (in != 0) {
        rc = sqi_intent_recompute(c, in, now);
        if (rc != 0)
            return rc;
        sqi_queue_woken(c, in);
    }
    *intent = in;
    return 0;
}

int sqi_intent_recompute(struct sqi_conn *c, int64_t intent, int64_t now)
{
#define LIVE_PAID                                                              \
    "(SELECT coalesce(sum(p.amount), 0) FROM payments p WHERE"                 \
    " p.intent_id = intents.id AND p.reversed_day IS NULL)"
    struct db_stmt *st;
    int rc;

    if ((st = sqi_qs(c, "UPDATE intents SET paid = " LIVE_PAID ", status ="
                        " CASE WHEN status = 'cancelled' THEN status"
                        " WHEN " LIVE_PAID " <= 0 THEN 'pending'"
                        " WHEN " LIVE_PAID " < amount THEN 'partial'"
                        " ELSE 'paid' END, closed_at = ?2 WHERE id = ?1")) ==
        NULL)
        return -STORE_E_IO;
#undef LIVE_PAID
    sqi_bi(st, 1, intent);
    sqi_bi(st, 2, now);
    rc = sqi_step(c, st);
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int sq_transfer_apply(struct store *base, int64_t org,
                      const struct store_transfer *t, const char *actor,
                      int64_t now, struct store_transfer_made *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t intent = 0;
    struct store_transfer_made res;
    struct db_stmt *st;
    int rc;

    memset(&res, 0, sizeof(res));
    if (t->amount <= 0 || t->reference == NULL || *t->reference == '\0') {
        store_set_error("invalid_transfer", "amount and reference needed");
        rc = -STORE_E_INVALID;
        goto out;
    }
    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_PAYMENT_BY_REF);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, t->reference);
    rc = sqi_step(c, st);
    if (rc != 0) {
        if (rc == 1) {
            store_set_error("duplicate", "transfer '%s' already recorded",
                            t->reference);
            rc = -STORE_E_CONFLICT;
        }
        goto done;
    }
    st = sqi_q(c, Q_INTENT_BY_CODE);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bt(st, 1, t->intent_code);
    sqi_bi(st, 2, org);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("intent_not_found", "no intent '%s'",
                            t->intent_code);
            rc = -STORE_E_NOT_FOUND;
        }
        goto done;
    }
    intent = db_column_int64(st, 0);
    db_reset(st);
    rc = sqi_transfer_intent(c, org, intent, t->amount, t->reference, t->source,
                             actor, now, &res);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, actor, "payment.transfer", t->intent_code,
                   json_pack("{s:I, s:I, s:s, s:s, s:I}", "payment",
                             (json_int_t)res.payment, "amount",
                             (json_int_t)t->amount, "reference", t->reference,
                             "status", res.status, "unallocated",
                             (json_int_t)res.unallocated));
done:
    if (rc == 0)
        sqi_queue_woken(c, intent);
    rc = sqi_end_write(s, c, rc);
    if (rc == 0) {
        *out = res;
        memset(&res, 0, sizeof(res));
    }
out:
    store_transfer_made_free(&res);
    sqi_put_conn(s, c);
    return rc;
}
