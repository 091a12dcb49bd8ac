/*
 * intents.c: payment intents and their codes: the invoices an intent pays
 * (oldest first), creating one with a fresh code or one a kiosk reserved,
 * reserving codes for offline QR codes, reading, cancelling and listing
 * intents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intent.h"
#include "money.h"
#include "payref.h"
#include "store_int.h"

/* An invoice as the allocation path sees it. */

static int inv_cmp(const void *a, const void *b)
{
    const struct sqi_inv *x = a, *y = b;
    int c = strcmp(x->period, y->period);

    if (c != 0)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

/*
 * Resolve the invoices a request names (ids, or NULL for every open one)
 * for payer `pid` into a new array sorted oldest first with what is due.
 */
int sqi_resolve_invoices(struct sqi_conn *c, int64_t org, int64_t pid,
                         const int64_t *ids, size_t n, struct sqi_inv **out,
                         size_t *out_n, int64_t *total)
{
    struct sqi_inv *v = NULL;
    size_t cnt = 0, cap = 0, i, j;
    int64_t sum = 0;
    struct db_stmt *st;
    int rc = 0;

    if (ids == NULL) {
        st = sqi_q(c, Q_DUES);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, pid);
        while ((rc = sqi_step(c, st)) == 1) {
            if (cnt == cap) {
                struct sqi_inv *nv;

                cap = cap ? cap * 2 : 16;
                nv = realloc(v, cap * sizeof(*v));
                if (nv == NULL) {
                    rc = -STORE_E_IO;
                    break;
                }
                v = nv;
            }
            v[cnt].id = db_column_int64(st, 0);
            snprintf(v[cnt].period, sizeof(v[cnt].period), "%s",
                     sqi_col_text(st, 2));
            v[cnt].due = db_column_int64(st, 5);
            cnt++;
        }
        db_reset(st);
    } else {
        v = calloc(n ? n : 1, sizeof(*v));
        if (v == NULL)
            return -STORE_E_IO;
        for (i = 0; i < n && rc == 0; i++) {
            for (j = 0; j < i; j++)
                if (ids[j] == ids[i]) {
                    store_set_error("invalid_field",
                                    "invoice %lld listed twice",
                                    (long long)ids[i]);
                    rc = -STORE_E_INVALID;
                }
            if (rc != 0)
                break;
            st = sqi_q(c, Q_INVOICE_GET);
            if (st == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            sqi_bi(st, 1, ids[i]);
            sqi_bi(st, 2, org);
            rc = sqi_step(c, st);
            if (rc < 0)
                break;
            if (rc == 0 || db_column_int64(st, 1) != pid) {
                store_set_error("invoice_not_found",
                                "invoice %lld is not one of this payer's",
                                (long long)ids[i]);
                rc = -STORE_E_NOT_FOUND;
                break;
            }
            v[cnt].id = ids[i];
            v[cnt].due = db_column_int64(st, 2) - db_column_int64(st, 3);
            snprintf(v[cnt].period, sizeof(v[cnt].period), "%s",
                     sqi_col_text(st, 4));
            db_reset(st);
            if (v[cnt].due <= 0) {
                store_set_error("invoice_paid", "invoice %lld is paid",
                                (long long)ids[i]);
                rc = -STORE_E_CONFLICT;
                break;
            }
            cnt++;
            rc = 0;
        }
    }
    if (rc < 0) {
        free(v);
        return rc;
    }
    for (i = 0; i < cnt; i++)
        if (money_add(sum, v[i].due, &sum) != 0) {
            free(v);
            store_set_error("overflow", "total due overflows");
            return -STORE_E_OVERFLOW;
        }
    if (cnt > 1)
        qsort(v, cnt, sizeof(*v), inv_cmp);
    *out = v;
    *out_n = cnt;
    *total = sum;
    return 0;
}

void store_intent_free(struct store_intent *t)
{
    size_t i;

    if (t == NULL)
        return;
    free(t->code);
    free(t->status);
    free(t->payload);
    free(t->bank_bin);
    free(t->account);
    free(t->account_name);
    free(t->payer);
    free(t->payer_name);
    free(t->invoices);
    free(t->reason);
    free(t->receipt);
    free(t->receipt_url);
    for (i = 0; i < t->n_payments; i++) {
        free(t->payments[i].method);
        free(t->payments[i].reference);
    }
    free(t->payments);
    memset(t, 0, sizeof(*t));
}

void store_codes_free(struct store_codes *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n; i++)
        free(c->codes[i]);
    free(c->codes);
    c->codes = NULL;
    c->n = 0;
}

/* The intent in the current row (Q_INTENT_GET) as at `now` into `t`. */
static int intent_read(struct db_stmt *st, int64_t now, struct store_intent *t)
{
    int rc;

    t->id = db_column_int64(st, 0);
    t->amount = db_column_int64(st, 3);
    t->paid = db_column_int64(st, 4);
    t->expires_at = db_column_int64(st, 7);
    t->expires_in = t->expires_at > now ? t->expires_at - now : 0;
    rc = sqi_col_dup(st, 1, &t->code);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &t->status);
    if (rc == 0 && strcmp(t->status, "pending") == 0 && now >= t->expires_at) {
        free(t->status);
        t->status = strdup("expired");
        if (t->status == NULL) {
            store_set_error("out_of_memory", "out of memory");
            rc = -STORE_E_IO;
        }
    }
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &t->payload);
    if (rc == 0 && db_column_type(st, 8) == DB_TEXT)
        rc = sqi_col_dup(st, 8, &t->reason);
    if (rc == 0)
        rc = sqi_col_dup(st, 9, &t->payer);
    if (rc == 0)
        rc = sqi_col_dup(st, 10, &t->payer_name);
    if (rc == 0)
        rc = sqi_col_dup(st, 12, &t->bank_bin);
    if (rc == 0)
        rc = sqi_col_dup(st, 13, &t->account);
    if (rc == 0)
        rc = sqi_col_dup(st, 14, &t->account_name);
    return rc;
}

/* A payment of an intent (Q_INTENT_PAYMENTS) into `row`, a struct
 * store_intent_payment. */
static int intent_payment_read(struct db_stmt *st, void *row)
{
    struct store_intent_payment *p = row;
    int rc;

    memset(p, 0, sizeof(*p));
    p->id = db_column_int64(st, 0);
    p->amount = db_column_int64(st, 2);
    p->at = db_column_int64(st, 4);
    rc = sqi_col_dup(st, 1, &p->method);
    if (rc == 0)
        rc = sqi_col_dup_or_null(st, 3, &p->reference);
    if (rc != 0) {
        free(p->method);
        memset(p, 0, sizeof(*p));
    }
    return rc;
}

/* An invoice id of an intent (Q_INTENT_INVOICES) into `row`, an
 * int64_t. */
static int intent_invoice_read(struct db_stmt *st, void *row)
{
    *(int64_t *)row = db_column_int64(st, 0);
    return 0;
}

/* Load intent `id` (scoped to `org`) into *out, inside a transaction. */
static int intent_fetch(struct sqi_conn *c, int64_t org, int64_t id,
                        int64_t now, struct store_intent *out)
{
    struct store_intent t;
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    memset(&t, 0, sizeof(t));
    st = sqi_q(c, Q_INTENT_INVOICES);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    rc = sqi_rows_read(c, st, sizeof(*t.invoices), intent_invoice_read, &rows,
                       &t.n_invoices);
    t.invoices = rows;
    if (rc != 0)
        goto fail;
    st = sqi_q(c, Q_INTENT_GET);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto fail;
    }
    sqi_bi(st, 1, id);
    rc = sqi_step(c, st);
    if (rc < 0)
        goto fail;
    if (rc == 0 || db_column_int64(st, 11) != org) {
        db_reset(st);
        store_set_error("intent_not_found", "no intent %lld", (long long)id);
        rc = -STORE_E_NOT_FOUND;
        goto fail;
    }
    rc = intent_read(st, now, &t);
    db_reset(st);
    if (rc != 0)
        goto fail;
    /* the payments that settled it; the last one is the receipt */
    st = sqi_q(c, Q_INTENT_PAYMENTS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto fail;
    }
    sqi_bi(st, 1, id);
    rows = NULL;
    rc = sqi_rows_read(c, st, sizeof(*t.payments), intent_payment_read, &rows,
                       &t.n_payments);
    t.payments = rows;
    if (rc != 0)
        goto fail;
    if (t.n_payments > 0) {
        char num[40];

        char url[STORE_RECEIPT_URL_MAX];

        rc = sqr_receipt_of_payment(c, t.payments[t.n_payments - 1].id, num,
                                    sizeof(num));
        if (rc == 0)
            rc = sqr_receipt_url(c, num, url, sizeof(url));
        if (rc == 0 && ((t.receipt = strdup(num)) == NULL ||
                        (t.receipt_url = strdup(url)) == NULL)) {
            store_set_error("out_of_memory", "out of memory");
            rc = -STORE_E_IO;
        } else if (rc == -STORE_E_NOT_FOUND) {
            rc = 0;
        }
        if (rc != 0)
            goto fail;
    }
    *out = t;
    return 0;
fail:
    store_intent_free(&t);
    return rc;
}

/* May `who` use reserved `code` for a new intent? In a write txn. */
static int claim_check(struct sqi_conn *c, const struct store_principal *who,
                       const char *code)
{
    struct db_stmt *st = sqi_q(c, Q_CODE_RESERVED);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, code);
    sqi_bi(st, 2, who->org_id);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0 || who->role != STORE_ROLE_KIOSK ||
        db_column_int64(st, 0) != who->id) {
        store_set_error("code_not_reserved",
                        "payment code '%s' was not reserved by this kiosk",
                        code);
        return -STORE_E_CONFLICT;
    }
    if (db_column_type(st, 1) != DB_NULL) {
        store_set_error("code_used", "payment code '%s' is already used", code);
        return -STORE_E_CONFLICT;
    }
    db_reset(st);
    return 0;
}

#define CODES_OPEN_MAX 500

/* Tries at a fresh payment code before giving up. */
#define CODE_TRIES 10

/* A new random payment code with `prefix` into `code` (PAYREF_MAX + 1). */
static int new_code(const char *prefix, char *code)
{
    if (payref_new(prefix, code) != 0) {
        store_set_error("payment_code", "no random payment code");
        return -STORE_E_IO;
    }
    return 0;
}

static int no_free_code(void)
{
    store_set_error("payment_code", "no free payment code");
    return -STORE_E_IO;
}

/*
 * Reserve a new payment code with `prefix` for kiosk `who`, into `code`
 * (PAYREF_MAX + 1 bytes). The insert itself refuses a code an intent or
 * a reserved code has, so no two writers can take the same one; another
 * code is tried then. In a write txn.
 */
static int reserve_code(struct sqi_conn *c, const struct store_principal *who,
                        const char *prefix, int64_t now, char *code)
{
    struct db_stmt *st;
    int tries, rc;

    for (tries = 0; tries < CODE_TRIES; tries++) {
        rc = new_code(prefix, code);
        if (rc != 0)
            return rc;
        st = sqi_q(c, Q_CODE_RESERVE);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bt(st, 1, code);
        sqi_bi(st, 2, who->org_id);
        sqi_bi(st, 3, who->id);
        sqi_bi(st, 4, now);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) == 1)
            return 0;
    }
    return no_free_code();
}

int sq_codes_reserve(struct store *base, const struct store_principal *who,
                     const struct store_idem *idem, int count, int64_t now,
                     struct store_codes *out, char **replay)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    char prefix[8], code[PAYREF_MAX + 1];
    struct store_codes res = {NULL, 0};
    char *body = NULL;
    void *codes = NULL;
    struct db_stmt *st;
    int rc, i;

    *replay = NULL;
    rc = sqi_begin_write_org(s, c, who->org_id);
    if (rc != 0)
        goto out;
    rc = sqi_idem_get(c, who->actor, idem, &body);
    if (rc == 1) {
        rc = 0;
        goto done;
    }
    if (rc != 0)
        goto done;
    st = sqi_q(c, Q_CODES_OPEN);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, who->id);
    rc = sqi_step(c, st);
    if (rc < 0)
        goto done;
    if (db_column_int64(st, 0) + count > CODES_OPEN_MAX) {
        store_set_error("too_many_codes",
                        "this kiosk holds %lld unused codes (at most %d)",
                        (long long)db_column_int64(st, 0), CODES_OPEN_MAX);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    db_reset(st);
    st = sqi_q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, who->org_id);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto done;
    }
    snprintf(prefix, sizeof(prefix), "%s", sqi_col_text(st, 7));
    db_reset(st);
    for (i = 0; i < count; i++) {
        rc = reserve_code(c, who, prefix, now, code);
        if (rc == 0)
            rc = sqi_room(&codes, res.n, sizeof(*res.codes));
        if (rc != 0)
            goto done;
        res.codes = codes;
        res.codes[res.n] = strdup(code);
        if (res.codes[res.n] == NULL) {
            store_set_error("out_of_memory", "out of memory");
            rc = -STORE_E_IO;
            goto done;
        }
        res.n++;
    }
    rc = sqi_idem_put_res(c, who->actor, idem, &res, now);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, who->org_id, now, who->actor, "codes.reserve", "kiosk",
                   json_pack("{s:i}", "count", count));
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && body != NULL) {
        *replay = body;
        body = NULL;
    } else if (rc == 0) {
        *out = res;
        memset(&res, 0, sizeof(res));
    }
out:
    free(body);
    store_codes_free(&res);
    sqi_put_conn(s, c);
    return rc;
}

/* What one intent's creation is given and answers (intent_make). */
struct intent_job {
    const struct store_principal *who;
    const struct store_idem *idem;
    const struct store_intent_req *req;
    int64_t now;
    struct store_intent res; /* the intent made */
    char *body;              /* or the answer of a request made before */
};

/* The intent of j, on `c` in its write transaction. */
static int intent_make(struct sqi_conn *c, void *arg)
{
    struct intent_job *j = arg;
    const struct store_principal *who = j->who;
    const struct store_intent_req *req = j->req;
    int64_t now = j->now;
    struct sqi_inv *v = NULL;
    size_t n = 0, i;
    int64_t pid = 0, total = 0, amount, id = 0;
    char code[PAYREF_MAX + 1], payload[VIETQR_MAX_PAYLOAD + 1];
    char prefix[8], bin[8], account[40];
    struct db_stmt *st;
    int rc, tries;

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
    amount = req->amount ? req->amount : total;
    if (amount > total) {
        store_set_error("amount_exceeds_due",
                        "amount %lld exceeds the %lld due", (long long)amount,
                        (long long)total);
        rc = -STORE_E_INVALID;
        goto done;
    }
    st = sqi_q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, who->org_id);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        rc = rc ? rc : -STORE_E_NOT_FOUND;
        goto done;
    }
    snprintf(bin, sizeof(bin), "%s", sqi_col_text(st, 4));
    snprintf(account, sizeof(account), "%s", sqi_col_text(st, 5));
    snprintf(prefix, sizeof(prefix), "%s", sqi_col_text(st, 7));
    db_reset(st);
    if (req->code != NULL) {
        rc = claim_check(c, who, req->code);
        if (rc != 0)
            goto done;
    }
    /* a fresh code is taken by the insert; another one is tried when an
       intent or a reserved code has it already */
    for (tries = 0; id == 0; tries++) {
        if (req->code != NULL && tries == 0)
            snprintf(code, sizeof(code), "%s", req->code);
        else if (req->code != NULL || tries == CODE_TRIES)
            rc = no_free_code(); /* (a claimed code always inserts) */
        else
            rc = new_code(prefix, code);
        if (rc != 0)
            goto done;
        if (intent_payload(bin, account, amount, code, payload) != 0) {
            rc = -STORE_E_INVALID;
            goto done;
        }
        st = sqi_q(c,
                   req->code != NULL ? Q_INTENT_INSERT : Q_INTENT_INSERT_FRESH);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, who->org_id);
        sqi_bi(st, 2, pid);
        if (who->role == STORE_ROLE_KIOSK)
            sqi_bi(st, 3, who->id);
        sqi_bt(st, 4, code);
        sqi_bi(st, 5, amount);
        sqi_bt(st, 6, payload);
        sqi_bi(st, 7, now);
        sqi_bi(st, 8, now + req->ttl);
        rc = sqi_insert_id(c, st, &id);
        if (rc != 0)
            goto done;
    }
    if (req->code != NULL) {
        st = sqi_q(c, Q_CODE_CLAIM);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bt(st, 1, code);
        sqi_bi(st, 2, id);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            goto done;
    }
    for (i = 0; i < n; i++) {
        st = sqi_q(c, Q_INTENT_LINK);
        if (st == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        sqi_bi(st, 1, id);
        sqi_bi(st, 2, v[i].id);
        sqi_bi(st, 3, (int64_t)i);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            goto done;
    }
    if (req->code != NULL) { /* transfers that came before the claim */
        rc = sqi_bank_claim(c, who->org_id, code, id, who->actor, now);
        if (rc != 0)
            goto done;
    }
    rc = intent_fetch(c, who->org_id, id, now, &j->res);
    if (rc != 0)
        goto done;
    rc = sqi_idem_put_res(c, who->actor, j->idem, &j->res, now);
    if (rc != 0)
        goto done;
    rc =
        sqi_audit(c, who->org_id, now, who->actor, "intent.create", code,
                  json_pack("{s:I, s:s, s:I}", "intent", (json_int_t)id,
                            "payer", req->payer, "amount", (json_int_t)amount));
done:
    free(v);
    return rc;
}

/* Forget the intent of j (undone, or its group failed). */
static void intent_clear(void *arg)
{
    struct intent_job *j = arg;

    store_intent_free(&j->res);
    free(j->body);
    j->body = NULL;
}

/* An intent, made in a commit shared with those made meanwhile. */
int sq_intent_create(struct store *base, const struct store_principal *who,
                     const struct store_idem *idem,
                     const struct store_intent_req *req, int64_t now,
                     struct store_intent *out, char **replay)
{
    struct intent_job j = {who, idem, req, now, {0}, NULL};
    int rc;

    *replay = NULL;
    /* weight 1: a claimed code may apply earlier transfers */
    rc = sqi_group_write((struct sq *)base, who->org_id, 1, intent_make,
                         intent_clear, &j);
    if (rc != 0)
        return rc;
    if (j.body != NULL)
        *replay = j.body;
    else
        *out = j.res;
    return 0;
}

int sq_intent_get(struct store *base, int64_t org, int64_t id, int64_t now,
                  struct store_intent *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_read_conn(s);
    int rc = sqi_begin_read(c);

    if (rc == 0)
        rc = intent_fetch(c, org, id, now, out);
    sqi_end_read(c);
    sqi_put_read_conn(s, c);
    return rc;
}

int sqi_set_intent(struct sqi_conn *c, int64_t id, const char *status,
                   int64_t paid, int64_t now, const char *reason)
{
    struct db_stmt *st = sqi_q(c, Q_INTENT_SET);

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, id);
    sqi_bt(st, 2, status);
    sqi_bi(st, 3, paid);
    sqi_bi(st, 4, now);
    sqi_bt(st, 5, reason);
    return sqi_exec1(c, st);
}

int sq_intent_cancel(struct store *base, int64_t org, int64_t id,
                     const char *actor, int64_t now, struct store_intent *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_intent cur, res;
    int rc;

    memset(&cur, 0, sizeof(cur));
    memset(&res, 0, sizeof(res));
    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    rc = intent_fetch(c, org, id, now, &cur);
    if (rc != 0)
        goto done;
    if (strcmp(cur.status, "cancelled") == 0) {
        res = cur; /* cancelling twice is harmless */
        memset(&cur, 0, sizeof(cur));
        goto done;
    }
    if (strcmp(cur.status, "pending") != 0 &&
        strcmp(cur.status, "expired") != 0) {
        store_set_error("intent_settled", "intent %lld is %s", (long long)id,
                        cur.status);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    rc = sqi_set_intent(c, id, "cancelled", cur.paid, now, "cancelled");
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, actor, "intent.cancel", cur.code,
                   json_pack("{s:I}", "intent", (json_int_t)id));
    if (rc != 0)
        goto done;
    rc = intent_fetch(c, org, id, now, &res);
done:
    if (rc == 0)
        sqi_queue_woken(c, id);
    rc = sqi_end_write(s, c, rc);
    if (rc == 0) {
        *out = res;
        memset(&res, 0, sizeof(res));
    }
out:
    store_intent_free(&cur);
    store_intent_free(&res);
    sqi_put_conn(s, c);
    return rc;
}

/* The intent in the current row (Q_INTENT_LIST) into `row`, a struct
 * store_intent_row (its strings owned by it, cleared on failure). */
static int intent_row_read(struct db_stmt *st, void *row)
{
    struct store_intent_row *t = row;
    int rc;

    memset(t, 0, sizeof(*t));
    t->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &t->code);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &t->status);
    t->amount = db_column_int64(st, 3);
    t->paid = db_column_int64(st, 4);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &t->payer);
    t->created_at = db_column_int64(st, 6);
    t->expires_at = db_column_int64(st, 7);
    if (rc != 0)
        store_intent_row_clear(t);
    return rc;
}

void store_intent_row_clear(struct store_intent_row *t)
{
    if (t == NULL)
        return;
    free(t->code);
    free(t->status);
    free(t->payer);
    memset(t, 0, sizeof(*t));
}

SQI_LIST_FREE(store_intent_list_free, store_intent_list, store_intent_row_clear)

int sq_intent_list(struct store *base, int64_t org,
                   const struct store_filter *f, int64_t now,
                   struct store_intent_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_INTENT_LIST);
    struct store_intent_list l = {0};
    void *rows = NULL;
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, f->payer);
        sqi_bt(st, 3, f->status);
        sqi_bi(st, 4, f->since);
        sqi_bi(st, 5, f->after_id);
        sqi_bi(st, 6, sqi_lim(f));
        sqi_bi(st, 7, f->offset);
        sqi_bi(st, 9, now);
        rc =
            sqi_rows_read(c, st, sizeof(*l.rows), intent_row_read, &rows, &l.n);
        l.rows = rows;
    }
    if (rc >= 0) {
        st = sqi_q(c, Q_INTENT_COUNT);
        rc = -STORE_E_IO;
        if (st != NULL) {
            sqi_bi(st, 1, org);
            sqi_bt(st, 2, f->payer);
            sqi_bt(st, 3, f->status);
            sqi_bi(st, 4, f->since);
            sqi_bi(st, 9, now);
            rc = sqi_count(c, st, &l.total);
        }
    }
    sqi_put_conn(s, c);
    if (rc < 0) {
        store_intent_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
