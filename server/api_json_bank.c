/*
 * api_json_bank.c: the API's JSON for bank transactions as the store reads
 * them (bank_list, bank_get, bank_review, bank_split): the keys in the
 * order of the table's columns, ids that are not there as null,
 * `confirmed` a boolean; for what was decided for one transaction
 * (bank_add); and for the summary of a batch (bank_end).
 */
#include "api_json.h"

/* Text `s` as a JSON string, null when it is not valid UTF-8. */
static json_t *text(const char *s)
{
    json_t *v = json_string(s);

    return v != NULL ? v : json_null();
}

/* An id as an integer, null for 0 (none). */
static json_t *id_or_null(int64_t id)
{
    return id != 0 ? json_integer(id) : json_null();
}

/* Stored JSON text `s` parsed, `empty` when it does not parse. */
static json_t *stored(const char *s, json_t *empty)
{
    json_t *v = json_loads(s != NULL ? s : "", 0, NULL);

    if (v == NULL)
        return empty;
    json_decref(empty);
    return v;
}

json_t *api_json_bank_txn(const struct store_bank_txn *t)
{
    json_t *o = json_object();

    json_object_set_new(o, "id", json_integer(t->id));
    json_object_set_new(o, "provider", text(t->provider));
    json_object_set_new(o, "provider_txn_id", text(t->provider_txn_id));
    json_object_set_new(o, "channel", text(t->channel));
    json_object_set_new(o, "account", text(t->account));
    json_object_set_new(o, "direction", text(t->direction));
    json_object_set_new(o, "amount", json_integer(t->amount));
    json_object_set_new(o, "currency", text(t->currency));
    json_object_set_new(o, "booking_date", text(t->booking_date));
    json_object_set_new(o, "booked_at", text(t->booked_at));
    json_object_set_new(o, "bank_ref", text(t->bank_ref));
    json_object_set_new(o, "code", text(t->code));
    json_object_set_new(o, "description", text(t->description));
    json_object_set_new(o, "counter_name", text(t->counter_name));
    json_object_set_new(o, "counter_account", text(t->counter_account));
    json_object_set_new(o, "state", text(t->state));
    json_object_set_new(o, "outcome", text(t->outcome));
    json_object_set_new(o, "reason", text(t->reason));
    json_object_set_new(o, "duplicate_of", id_or_null(t->duplicate_of));
    json_object_set_new(o, "confirmed", json_boolean(t->confirmed));
    json_object_set_new(o, "payment_id", id_or_null(t->payment_id));
    json_object_set_new(o, "intent_id", id_or_null(t->intent_id));
    json_object_set_new(o, "suggestions", stored(t->suggestions, json_array()));
    json_object_set_new(o, "journal_id", id_or_null(t->journal_id));
    json_object_set_new(o, "import_id", id_or_null(t->import_id));
    json_object_set_new(o, "created_at", json_integer(t->created_at));
    json_object_set_new(o, "updated_at", json_integer(t->updated_at));
    json_object_set_new(o, "report_date", text(t->report_date));
    json_object_set_new(
        o, "balance", t->has_balance ? json_integer(t->balance) : json_null());
    return o;
}

json_t *api_json_bank_txns(const struct store_bank_txn_list *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, api_json_bank_txn(&l->rows[i]));
    return json_pack("{s:o, s:I}", "transactions", a, "total",
                     (json_int_t)l->total);
}

json_t *api_json_bank_txn_full(const struct store_bank_txn_full *t)
{
    json_t *o = api_json_bank_txn(&t->txn), *trail = json_array();
    size_t i;

    for (i = 0; i < t->n_audit; i++) {
        const struct store_bank_audit *a = &t->audit[i];

        json_array_append_new(
            trail, json_pack("{s:I, s:s, s:s, s:o}", "at", (json_int_t)a->at,
                             "actor", a->actor, "action", a->action, "detail",
                             stored(a->detail, json_object())));
    }
    json_object_set_new(o, "audit", trail);
    if (t->n_parts > 0) {
        json_t *parts = json_array();

        for (i = 0; i < t->n_parts; i++)
            json_array_append_new(
                parts, json_pack("{s:s, s:I, s:I}", "payer", t->parts[i].payer,
                                 "amount", (json_int_t)t->parts[i].amount,
                                 "payment", (json_int_t)t->parts[i].payment));
        json_object_set_new(o, "parts", parts);
    }
    return o;
}

json_t *api_json_bank_result(const struct store_bank_result *r)
{
    json_t *o = json_object();
    size_t i;

    json_object_set_new(o, "id", json_integer(r->id));
    json_object_set_new(o, "state", text(r->state));
    if (r->replayed)
        json_object_set_new(o, "replayed", json_true());
    if (r->outcome[0] != '\0')
        json_object_set_new(o, "outcome", text(r->outcome));
    if (r->intent != 0)
        json_object_set_new(o, "intent", json_integer(r->intent));
    if (r->reason[0] != '\0')
        json_object_set_new(o, "reason", text(r->reason));
    if (r->duplicate_of != 0)
        json_object_set_new(o, "duplicate_of", json_integer(r->duplicate_of));
    if (r->n_candidates > 0) {
        json_t *a = json_array();

        for (i = 0; i < r->n_candidates; i++)
            json_array_append_new(a, json_integer(r->candidates[i]));
        json_object_set_new(o, "candidates", a);
    }
    if (r->late_for[0] != '\0') {
        json_object_set_new(o, "late_for", text(r->late_for));
        json_object_set_new(o, "dated", text(r->dated));
    }
    return o;
}

json_t *api_json_bank_results(const struct store_bank_results *l)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_array_append_new(a, api_json_bank_result(&l->rows[i]));
    return a;
}

json_t *api_json_bank_summary(const struct store_bank_summary *s)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < s->n_balances; i++) {
        const struct store_bank_balance *k = &s->balances[i];

        json_array_append_new(
            a,
            json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
                      "id", k->id, "account", k->account, "balance_check",
                      k->balance_check, "opening", (json_int_t)k->opening,
                      "credits", (json_int_t)k->credits, "debits",
                      (json_int_t)k->debits, "closing", (json_int_t)k->closing,
                      "entries", (json_int_t)k->entries, "skipped",
                      (json_int_t)k->skipped, "message", k->message));
    }
    return json_pack(
        "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "new",
        (json_int_t)s->n_new, "replayed", (json_int_t)s->n_replayed, "matched",
        (json_int_t)s->n_matched, "unmatched", (json_int_t)s->n_unmatched,
        "ambiguous", (json_int_t)s->n_ambiguous, "duplicate",
        (json_int_t)s->n_duplicate, "ignored", (json_int_t)s->n_ignored,
        "statements", (json_int_t)s->n_statements, "balances", a);
}
