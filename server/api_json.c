/*
 * api_json.c: turns the rows the store returns into the API's JSON: the
 * same keys, order and types the responses carried when the store built
 * them itself.
 */
#include <string.h>

#include "api_json.h"
#include "intent.h"
#include "json_out.h"

/* Text `s` as a JSON string, null when it is not valid UTF-8 (as a row
 * read straight from the database came out). */
static json_t *text(const char *s)
{
    json_t *v = json_string(s);

    return v != NULL ? v : json_null();
}

/* Text `s` as a JSON string, null for NULL. */
static json_t *text_or_null(const char *s)
{
    return s != NULL ? text(s) : json_null();
}

/* Unix time `t` as an integer, null for 0 (never). */
static json_t *time_or_null(int64_t t)
{
    return t != 0 ? json_integer(t) : json_null();
}

json_t *api_json_org(const struct store_org_row *o)
{
    json_t *j = json_object();

    json_object_set_new(j, "code", text(o->code));
    json_object_set_new(j, "kind", text(o->kind));
    json_object_set_new(j, "name", text(o->name));
    json_object_set_new(j, "account", text(o->account));
    json_object_set_new(j, "account_name", text(o->account_name));
    json_object_set_new(j, "prefix", text(o->prefix));
    json_object_set_new(j, "bank", intent_bank_json(o->bank_bin));
    return j;
}

json_t *api_json_org_brief(const struct store_org_row *o)
{
    json_t *j = json_object();

    json_object_set_new(j, "code", text(o->code));
    json_object_set_new(j, "name", text(o->name));
    json_object_set_new(j, "kind", text(o->kind));
    return j;
}

json_t *api_json_orgs(const struct store_org_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, api_json_org(&l->rows[i]));
    return a;
}

json_t *api_json_fee(const struct store_fee_row *f)
{
    json_t *j = json_object();

    json_object_set_new(j, "code", text(f->code));
    json_object_set_new(j, "label", text(f->label));
    json_object_set_new(j, "kind", text(f->kind));
    json_object_set_new(j, "category", text(f->category));
    json_object_set_new(j, "amount", json_integer(f->amount));
    json_object_set_new(j, "active", json_integer(f->active));
    return j;
}

json_t *api_json_fees(const struct store_fee_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, api_json_fee(&l->rows[i]));
    return a;
}

/* Payer `p` into object `j` (after whatever `j` holds). */
static json_t *payer_into(json_t *j, const struct store_payer_row *p)
{
    json_object_set_new(j, "code", text(p->code));
    json_object_set_new(j, "name", text(p->name));
    json_object_set_new(j, "category", text(p->category));
    json_object_set_new(j, "zone", text(p->zone));
    json_object_set_new(j, "class", text(p->class_name));
    json_object_set_new(j, "guardian", text(p->guardian));
    json_object_set_new(j, "bank_bin", text(p->bank_bin));
    json_object_set_new(j, "bank_account", text(p->bank_account));
    json_object_set_new(j, "bank_account_name", text(p->bank_account_name));
    json_object_set_new(j, "active", json_integer(p->active));
    json_object_set_new(j, "credit", json_integer(p->credit));
    return j;
}

json_t *api_json_payer(const struct store_payer_row *p)
{
    return payer_into(json_object(), p);
}

json_t *api_json_payers(const struct store_payer_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(
            a, payer_into(json_pack("{s:I}", "id", (json_int_t)l->rows[i].id),
                          &l->rows[i]));
    return a;
}

json_t *api_json_payer_import(const struct store_payer_import *im)
{
    return json_pack("{s:I, s:I, s:I}", "imported", (json_int_t)im->imported,
                     "created", (json_int_t)im->created, "updated",
                     (json_int_t)im->updated);
}

/* Invoice `v` as the invoice list shows it. */
static json_t *invoice(const struct store_invoice_row *v)
{
    json_t *j = json_object();

    json_object_set_new(j, "id", json_integer(v->id));
    json_object_set_new(j, "payer", text(v->payer));
    json_object_set_new(j, "fee", text(v->fee));
    json_object_set_new(j, "period", text(v->period));
    json_object_set_new(j, "label", text(v->label));
    json_object_set_new(j, "amount", json_integer(v->amount));
    json_object_set_new(j, "paid", json_integer(v->paid));
    json_object_set_new(j, "due", json_integer(v->due));
    json_object_set_new(j, "status", text(v->status));
    json_object_set_new(j, "created_at", json_integer(v->created_at));
    return j;
}

json_t *api_json_invoices(const struct store_invoice_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, invoice(&l->rows[i]));
    return a;
}

json_t *api_json_invoices_made(const char *period,
                               const struct store_invoices_made *m)
{
    return json_pack("{s:s, s:I, s:I}", "period", period, "fees",
                     (json_int_t)m->fees, "created", (json_int_t)m->created);
}

json_t *api_json_creds(const char *kind, const struct store_cred_list *l)
{
    int kiosk = strcmp(kind, "kiosk") == 0, token = strcmp(kind, "token") == 0;
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct store_cred_row *r = &l->rows[i];
        json_t *e = json_object();

        json_object_set_new(e, "id", json_integer(r->id));
        json_object_set_new(e, "org", text_or_null(r->org));
        if (!token)
            json_object_set_new(e, "name", text_or_null(r->name));
        if (!kiosk)
            json_object_set_new(e, "role", text_or_null(r->role));
        json_object_set_new(e, "active", json_boolean(r->active));
        json_object_set_new(e, "created_at", json_integer(r->created_at));
        json_object_set_new(e, "last_used_at", time_or_null(r->last_used_at));
        json_object_set_new(e, "revoked_at", time_or_null(r->revoked_at));
        if (!kiosk && !token)
            json_object_set_new(e, "sessions", json_integer(r->sessions));
        json_array_append_new(a, e);
    }
    return a;
}

json_t *api_json_cred_revoked(const char *kind,
                              const struct store_cred_revoked *v)
{
    return json_pack("{s:I, s:s, s:b, s:b, s:I}", "id", (json_int_t)v->id,
                     "kind", kind, "revoked", 1, "was_active", v->was_active,
                     "sessions_ended", (json_int_t)v->sessions_ended);
}

json_t *api_json_intents(const struct store_intent_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct store_intent_row *t = &l->rows[i];
        json_t *e = json_object();

        json_object_set_new(e, "id", json_integer(t->id));
        json_object_set_new(e, "code", text(t->code));
        json_object_set_new(e, "status", text(t->status));
        json_object_set_new(e, "amount", json_integer(t->amount));
        json_object_set_new(e, "paid", json_integer(t->paid));
        json_object_set_new(e, "payer", text(t->payer));
        json_object_set_new(e, "created_at", json_integer(t->created_at));
        json_object_set_new(e, "expires_at", json_integer(t->expires_at));
        json_array_append_new(a, e);
    }
    return a;
}

/* Payment `p` as the payment list shows it. */
static json_t *payment(const struct store_payment_row *p)
{
    json_t *j = json_object(), *al = json_array();
    size_t i;

    json_object_set_new(j, "id", json_integer(p->id));
    json_object_set_new(j, "method", text(p->method));
    json_object_set_new(j, "amount", json_integer(p->amount));
    json_object_set_new(j, "unallocated", json_integer(p->unallocated));
    json_object_set_new(j, "flag", text(p->flag));
    json_object_set_new(j, "payer", text(p->payer));
    json_object_set_new(j, "intent", text_or_null(p->intent));
    json_object_set_new(j, "reference", text_or_null(p->reference));
    json_object_set_new(j, "source", text_or_null(p->source));
    json_object_set_new(j, "collector", text_or_null(p->collector));
    json_object_set_new(j, "created_at", json_integer(p->created_at));
    json_object_set_new(j, "day", text(p->day));
    for (i = 0; i < p->n_allocations; i++)
        json_array_append_new(
            al, json_pack("{s:I, s:I, s:s}", "invoice",
                          (json_int_t)p->allocations[i].invoice, "amount",
                          (json_int_t)p->allocations[i].amount, "day",
                          p->allocations[i].day));
    json_object_set_new(j, "allocations", al);
    return j;
}

json_t *api_json_payments(const struct store_payment_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, payment(&l->rows[i]));
    return a;
}

/* Open invoices `v` (`n` of them) as an array; "fee" only when `fee`. */
static json_t *open_invoices(const struct store_open_invoice *v, size_t n,
                             int fee)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        json_t *e = json_object();

        json_object_set_new(e, "id", json_integer(v[i].id));
        if (fee)
            json_object_set_new(e, "fee", text(v[i].fee));
        json_object_set_new(e, "label", text(v[i].label));
        json_object_set_new(e, "period", text(v[i].period));
        json_object_set_new(e, "amount", json_integer(v[i].amount));
        json_object_set_new(e, "paid", json_integer(v[i].paid));
        json_object_set_new(e, "due", json_integer(v[i].due));
        json_array_append_new(a, e);
    }
    return a;
}

char *api_json_dues_text(const struct store_dues *d, size_t *len)
{
    struct json_out o = {0};
    size_t i;

    jo_raw(&o, "{\"payer\":");
    jo_str(&o, d->payer);
    jo_raw(&o, ",\"name\":");
    jo_str(&o, d->name);
    jo_raw(&o, ",\"invoices\":[");
    for (i = 0; i < d->n_invoices; i++) {
        const struct store_open_invoice *v = &d->invoices[i];

        jo_raw(&o, i ? ",{\"id\":" : "{\"id\":");
        jo_int(&o, v->id);
        jo_raw(&o, ",\"label\":");
        jo_str(&o, v->label);
        jo_raw(&o, ",\"period\":");
        jo_str(&o, v->period);
        jo_raw(&o, ",\"amount\":");
        jo_int(&o, v->amount);
        jo_raw(&o, ",\"paid\":");
        jo_int(&o, v->paid);
        jo_raw(&o, ",\"due\":");
        jo_int(&o, v->due);
        jo_raw(&o, "}");
    }
    jo_raw(&o, "],\"total_due\":");
    jo_int(&o, d->total_due);
    jo_raw(&o, "}\n");
    return jo_finish(&o, len);
}

json_t *api_json_directory(const struct store_directory *d)
{
    json_t *j = json_object(), *payers = json_array(), *fees = json_array();
    size_t i;

    for (i = 0; i < d->n_payers; i++) {
        const struct store_dir_payer *p = &d->payers[i];
        json_t *e = json_object();

        json_object_set_new(e, "code", text(p->code));
        json_object_set_new(e, "name", text(p->name));
        json_object_set_new(e, "category", text(p->category));
        json_object_set_new(e, "zone", text(p->zone));
        json_object_set_new(e, "class", text(p->class_name));
        json_object_set_new(e, "invoices",
                            open_invoices(p->invoices, p->n_invoices, 1));
        json_array_append_new(payers, e);
    }
    for (i = 0; i < d->n_fees; i++) {
        const struct store_fee_row *f = &d->fees[i];
        json_t *e = json_object();

        json_object_set_new(e, "code", text(f->code));
        json_object_set_new(e, "label", text(f->label));
        json_object_set_new(e, "kind", text(f->kind));
        json_object_set_new(e, "category", text(f->category));
        json_object_set_new(e, "amount", json_integer(f->amount));
        json_array_append_new(fees, e);
    }
    json_object_set_new(j, "org", api_json_org(&d->org));
    json_object_set_new(j, "payers", payers);
    json_object_set_new(j, "fees", fees);
    return j;
}

json_t *api_json_receipts(const struct store_receipt_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct store_receipt_row *r = &l->rows[i];

        json_array_append_new(
            a,
            json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:b, s:s}", "id",
                      (json_int_t)r->id, "number", r->number, "payer", r->payer,
                      "method", r->method, "amount", (json_int_t)r->amount,
                      "paid_at", (json_int_t)r->paid_at, "voided", r->voided,
                      "public_url", r->public_url));
    }
    return a;
}

json_t *api_json_day_closed(const char *org, const char *date,
                            const char *actor, const struct store_day_closed *c,
                            const char *totals)
{
    json_t *t = json_loads(totals, 0, NULL);
    json_t *o;

    o = json_pack("{s:s, s:I, s:s, s:I, s:s}", "date", date, "closed_at",
                  (json_int_t)c->closed_at, "actor", actor, "audit_id",
                  (json_int_t)c->audit_id, "audit_head", c->audit_head);
    if (o == NULL) {
        json_decref(t);
        return NULL;
    }
    if (c->force_reason != NULL)
        json_object_set_new(o, "force_reason", json_string(c->force_reason));
    json_object_set_new(o, "org", json_string(org));
    json_object_set_new(o, "totals", t ? t : json_null());
    return o;
}

json_t *api_json_receipt(const struct store_receipt *r)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:b, s:o, s:I, s:s,"
        " s:s*}",
        "number", r->number, "org", r->org, "org_name", r->org_name, "payer",
        r->payer, "payer_name", r->payer_name, "method", r->method, "amount",
        (json_int_t)r->amount, "paid_at", (json_int_t)r->paid_at, "text",
        r->text, "voided", r->voided, "voided_at",
        r->voided ? json_integer(r->voided_at) : json_null(), "payment",
        (json_int_t)r->payment, "for", r->purpose, "public_url", r->public_url);
}

json_t *api_json_refund(const struct store_refund_req *q,
                        const struct store_refund *f)
{
    json_t *parts = json_array();
    size_t i;

    for (i = 0; i < f->n_parts; i++)
        json_array_append_new(parts, json_pack("{s:I, s:I}", "payment",
                                               (json_int_t)f->parts[i].payment,
                                               "amount",
                                               (json_int_t)f->parts[i].amount));
    return json_pack("{s:I, s:s, s:I, s:s, s:s, s:I, s:o}", "refund",
                     (json_int_t)f->id, "payer", q->payer, "amount",
                     (json_int_t)f->amount, "reference", q->reference, "reason",
                     q->reason, "credit_left", (json_int_t)f->credit_left,
                     "payments", parts);
}

json_t *api_json_intent(const struct store_intent *t)
{
    json_t *o, *inv = json_array(), *pays = json_array();
    char exp[24];
    size_t i;

    for (i = 0; i < t->n_invoices; i++)
        json_array_append_new(inv, json_integer(t->invoices[i]));
    intent_time_iso(t->expires_at, exp);
    o = json_pack(
        "{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s, s:s,"
        " s:s, s:{s:s, s:s}, s:o}",
        "id", (json_int_t)t->id, "code", t->code, "status", t->status, "amount",
        (json_int_t)t->amount, "paid", (json_int_t)t->paid, "remaining",
        (json_int_t)(t->paid < t->amount ? t->amount - t->paid : 0), "payload",
        t->payload, "bank", intent_bank_json(t->bank_bin), "account",
        t->account, "account_name", t->account_name, "expires_at", exp, "payer",
        "code", t->payer, "name", t->payer_name, "invoices", inv);
    if (o == NULL) {
        json_decref(pays);
        return NULL;
    }
    if (t->reason != NULL)
        json_object_set_new(o, "reason", json_string(t->reason));
    json_object_set_new(o, "expires_in", json_integer(t->expires_in));
    if (t->receipt != NULL)
        json_object_set_new(o, "receipt", json_string(t->receipt));
    if (t->receipt_url != NULL)
        json_object_set_new(o, "public_url", json_string(t->receipt_url));
    for (i = 0; i < t->n_payments; i++) {
        const struct store_intent_payment *p = &t->payments[i];

        json_array_append_new(
            pays,
            json_pack("{s:I, s:o, s:I, s:o, s:I}", "id", (json_int_t)p->id,
                      "method", text(p->method), "amount",
                      (json_int_t)p->amount, "reference",
                      text_or_null(p->reference), "at", (json_int_t)p->at));
    }
    json_object_set_new(o, "payments", pays);
    return o;
}

json_t *api_json_codes(const struct store_codes *c)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < c->n; i++)
        json_array_append_new(a, json_string(c->codes[i]));
    return json_pack("{s:o, s:i}", "codes", a, "count", (int)c->n);
}

json_t *api_json_cash(const struct store_cash *p)
{
    json_t *a = json_array(), *o;
    size_t i;

    for (i = 0; i < p->n_allocations; i++)
        json_array_append_new(
            a, json_pack("{s:I, s:I}", "invoice",
                         (json_int_t)p->allocations[i].invoice, "amount",
                         (json_int_t)p->allocations[i].amount));
    o = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o, s:I}", "payment",
                  (json_int_t)p->payment, "method", "cash", "payer", p->payer,
                  "amount", (json_int_t)p->amount, "collector", p->collector,
                  "allocations", a, "remaining_due",
                  (json_int_t)p->remaining_due);
    if (o != NULL) {
        json_object_set_new(o, "receipt", json_string(p->receipt));
        json_object_set_new(o, "public_url", json_string(p->receipt_url));
    }
    return o;
}

/* `j` as compact JSON text (NULL when `j` is); `j` is released. */
static char *dump(json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    return text;
}

char *api_json_intent_text(const void *t)
{
    return dump(api_json_intent(t));
}

char *api_json_codes_text(const void *c)
{
    return dump(api_json_codes(c));
}

char *api_json_cash_text(const void *p)
{
    return dump(api_json_cash(p));
}
