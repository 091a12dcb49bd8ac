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

static json_t *intent_json(struct db_stmt *st, int64_t now, json_t *invoices)
{
    char exp[24];
    const char *status = sqi_col_text(st, 2);
    int64_t amount = db_column_int64(st, 3), paid = db_column_int64(st, 4),
            expires = db_column_int64(st, 7);
    json_t *o;

    if (strcmp(status, "pending") == 0 && now >= expires)
        status = "expired";
    intent_time_iso(expires, exp);
    o = json_pack(
        "{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s, s:s,"
        " s:s, s:{s:s, s:s}, s:o}",
        "id", (json_int_t)db_column_int64(st, 0), "code", sqi_col_text(st, 1),
        "status", status, "amount", (json_int_t)amount, "paid",
        (json_int_t)paid, "remaining",
        (json_int_t)(paid < amount ? amount - paid : 0), "payload",
        sqi_col_text(st, 5), "bank", intent_bank_json(sqi_col_text(st, 12)),
        "account", sqi_col_text(st, 13), "account_name", sqi_col_text(st, 14),
        "expires_at", exp, "payer", "code", sqi_col_text(st, 9), "name",
        sqi_col_text(st, 10), "invoices", invoices ? invoices : json_array());
    if (o != NULL && db_column_type(st, 8) == DB_TEXT)
        json_object_set_new(o, "reason", json_string(sqi_col_text(st, 8)));
    if (o != NULL)
        json_object_set_new(o, "expires_in",
                            json_integer(expires > now ? expires - now : 0));
    return o;
}

/* Load intent `id` (scoped to `org`) as JSON, inside a transaction. */
static int intent_fetch(struct sqi_conn *c, int64_t org, int64_t id,
                        int64_t now, json_t **out)
{
    struct db_stmt *st;
    json_t *inv = json_array();
    int rc;

    st = sqi_q(c, Q_INTENT_INVOICES);
    if (st == NULL)
        goto io;
    sqi_bi(st, 1, id);
    while ((rc = sqi_step(c, st)) == 1)
        json_array_append_new(inv, json_integer(db_column_int64(st, 0)));
    if (rc < 0)
        goto fail;
    db_reset(st);
    st = sqi_q(c, Q_INTENT_GET);
    if (st == NULL)
        goto io;
    sqi_bi(st, 1, id);
    rc = sqi_step(c, st);
    if (rc < 0)
        goto fail;
    if (rc == 0 || db_column_int64(st, 11) != org) {
        store_set_error("intent_not_found", "no intent %lld", (long long)id);
        rc = -STORE_E_NOT_FOUND;
        goto fail;
    }
    *out = intent_json(st, now, inv);
    db_reset(st);
    if (*out == NULL)
        return -STORE_E_IO;
    /* the payments that settled it; the last one is the receipt */
    st = sqi_q(c, Q_INTENT_PAYMENTS);
    if (st == NULL) {
        json_decref(*out);
        return -STORE_E_IO;
    }
    sqi_bi(st, 1, id);
    {
        json_t *pays = NULL;
        size_t np;

        rc = sqi_rows_json(c, st, &pays);
        if (rc != 0) {
            json_decref(*out);
            return rc;
        }
        np = json_array_size(pays);
        if (np > 0) {
            char num[40];

            rc =
                sqr_receipt_of_payment(c,
                                       json_integer_value(json_object_get(
                                           json_array_get(pays, np - 1), "id")),
                                       num, sizeof(num));
            if (rc == 0)
                json_object_set_new(*out, "receipt", json_string(num));
            else if (rc != -STORE_E_NOT_FOUND) {
                json_decref(pays);
                json_decref(*out);
                return rc;
            }
        }
        json_object_set_new(*out, "payments", pays);
    }
    return 0;
io:
    rc = -STORE_E_IO;
fail:
    json_decref(inv);
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
                     json_t **out, int *replayed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    char prefix[8], code[PAYREF_MAX + 1];
    json_t *res = NULL, *codes = json_array();
    struct db_stmt *st;
    int rc, i;

    rc = sqi_begin_write_org(s, c, who->org_id);
    if (rc != 0)
        goto out;
    rc = sqi_idem_get(c, who->actor, idem, &res);
    if (rc == 1) {
        *replayed = 1;
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
        if (rc != 0)
            goto done;
        json_array_append_new(codes, json_string(code));
    }
    res = json_pack("{s:O, s:i}", "codes", codes, "count", count);
    rc = sqi_idem_put(c, who->actor, idem, 201, res, now);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, now, who->actor, "codes.reserve", "kiosk",
                   json_pack("{s:i}", "count", count));
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    json_decref(codes);
    sqi_put_conn(s, c);
    return rc;
}

int sq_intent_create(struct store *base, const struct store_principal *who,
                     const struct store_idem *idem,
                     const struct store_intent_req *req, int64_t now,
                     json_t **out, int *replayed)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct sqi_inv *v = NULL;
    size_t n = 0, i;
    int64_t pid = 0, total = 0, amount, id = 0;
    char code[PAYREF_MAX + 1], payload[VIETQR_MAX_PAYLOAD + 1];
    char prefix[8], bin[8], account[40];
    json_t *res = NULL;
    struct db_stmt *st;
    int rc, tries;

    rc = sqi_begin_write_org(s, c, who->org_id);
    if (rc != 0)
        goto out;
    rc = sqi_idem_get(c, who->actor, idem, &res);
    if (rc == 1) {
        *replayed = 1;
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
    rc = intent_fetch(c, who->org_id, id, now, &res);
    if (rc != 0)
        goto done;
    rc = sqi_idem_put(c, who->actor, idem, 201, res, now);
    if (rc != 0)
        goto done;
    rc =
        sqi_audit(c, now, who->actor, "intent.create", code,
                  json_pack("{s:I, s:s, s:I}", "intent", (json_int_t)id,
                            "payer", req->payer, "amount", (json_int_t)amount));
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0)
        *out = res;
    else
        json_decref(res);
out:
    free(v);
    sqi_put_conn(s, c);
    return rc;
}

int sq_intent_get(struct store *base, int64_t org, int64_t id, int64_t now,
                  json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqi_begin_read(c);

    if (rc == 0)
        rc = intent_fetch(c, org, id, now, out);
    sqi_end_read(c);
    sqi_put_conn(s, c);
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
                     const char *actor, int64_t now, json_t **out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    json_t *cur = NULL, *res = NULL;
    const char *status;
    int rc;

    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    rc = intent_fetch(c, org, id, now, &cur);
    if (rc != 0)
        goto done;
    status = json_string_value(json_object_get(cur, "status"));
    if (strcmp(status, "cancelled") == 0) {
        res = json_incref(cur); /* cancelling twice is harmless */
        goto done;
    }
    if (strcmp(status, "pending") != 0 && strcmp(status, "expired") != 0) {
        store_set_error("intent_settled", "intent %lld is %s", (long long)id,
                        status);
        rc = -STORE_E_CONFLICT;
        goto done;
    }
    rc = sqi_set_intent(c, id, "cancelled",
                        json_integer_value(json_object_get(cur, "paid")), now,
                        "cancelled");
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, now, actor, "intent.cancel",
                   json_string_value(json_object_get(cur, "code")),
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
    } else {
        json_decref(res);
    }
out:
    json_decref(cur);
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
