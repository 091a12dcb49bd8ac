/*
 * api_json.c: turns the rows the store returns into the API's JSON: the
 * same keys, order and types the responses carried when the store built
 * them itself.
 */
#include "api_json.h"

#include "intent.h"

/* Text `s` as a JSON string, null when it is not valid UTF-8 (as a row
 * read straight from the database came out). */
static json_t *text(const char *s)
{
    json_t *v = json_string(s);

    return v != NULL ? v : json_null();
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
