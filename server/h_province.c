/*
 * h_province.c: what a province credential may read and how far. It
 * reads the adoption statistics and the day's totals and day closes of
 * the organisations of its province, nothing of another province and
 * nothing else (http.c keeps it off every other route). Province names
 * are matched as the store matches them (any spelling, see
 * store_ops.province_find).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

int api_province_scope(struct req *r, int rc, int64_t id, enum MHD_Result *res)
{
    if (rc == 0)
        rc = r->s->st->ops->org_in_province(r->s->st, id, r->who.province);
    if (rc == 1)
        return 0;
    if (rc == 0 || rc == -STORE_E_NOT_FOUND)
        *res = api_error(r, 403, "forbidden",
                         "this credential reads the organisations of %s only",
                         r->who.province);
    else
        *res = api_store_error(r, rc);
    return -1;
}

int api_province_arg(struct req *r, char *out, size_t cap, enum MHD_Result *res)
{
    const char *name = api_query(r, "province");
    int rc;

    out[0] = '\0';
    if (name == NULL && r->who.role != STORE_ROLE_PROVINCE)
        return 1;
    if (name == NULL) {
        snprintf(out, cap, "%s", r->who.province);
        return 0;
    }
    rc = r->s->st->ops->province_find(r->s->st, name, out, cap);
    if (rc == -STORE_E_NOT_FOUND) {
        *res = api_error(r, 404, "province_not_found", "%s",
                         store_error_message());
        return -1;
    }
    if (rc == -STORE_E_INVALID) {
        *res = api_error(r, 400, "bad_province", "%s", store_error_message());
        return -1;
    }
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return -1;
    }
    if (r->who.role == STORE_ROLE_PROVINCE &&
        strcmp(out, r->who.province) != 0) {
        *res = api_error(r, 403, "forbidden",
                         "this credential reads province %s only",
                         r->who.province);
        return -1;
    }
    return 0;
}

/* Copy key `k` of `from` into `to` (absent: nothing); -1 on no memory. */
static int keep(json_t *to, json_t *from, const char *k)
{
    json_t *v = json_object_get(from, k);

    return v == NULL ? 0 : json_object_set(to, k, v);
}

/* Set key `k` of `o` to `v` (taken; NULL: nothing); -1 on no memory. */
static int put(json_t *o, const char *k, json_t *v)
{
    return v == NULL ? 0 : json_object_set_new(o, k, v);
}

int api_province_totals(const char *text, size_t len, char **out,
                        size_t *out_len)
{
    static const char *const whole[] = {
        "org",           "date",    "invoices",   "bank",
        "payer_credits", "refunds", "unresolved", NULL};
    json_t *in = json_loadb(text, len, 0, NULL), *o = json_object();
    json_t *proof = NULL, *tk = NULL, *corr = NULL;
    int rc = -1, bad;
    size_t i;

    if (in == NULL || o == NULL)
        goto done;
    for (i = 0; whole[i] != NULL; i++)
        if (keep(o, in, whole[i]) != 0)
            goto done;
    /* the proof without its transactions, the takings without kiosks
       and collectors, the corrections without their payers */
    proof = json_deep_copy(json_object_get(in, "proof"));
    if (proof != NULL)
        json_object_del(proof, "differences");
    tk = json_deep_copy(json_object_get(in, "takings"));
    if (tk != NULL) {
        json_object_del(tk, "by_kiosk");
        json_object_del(tk, "by_collector");
    }
    corr = json_deep_copy(json_object_get(in, "corrections"));
    if (corr != NULL)
        json_object_del(corr, "items");
    /* each put takes its value, whether or not it fails */
    bad = put(o, "proof", proof) | put(o, "takings", tk) |
          put(o, "corrections", corr);
    if (bad)
        goto done;
    *out = json_dumps(o, JSON_COMPACT);
    if (*out != NULL) {
        *out_len = strlen(*out);
        rc = 0;
    }
done:
    json_decref(in);
    json_decref(o);
    return rc;
}

enum MHD_Result h_provinces(struct req *r)
{
    struct store_province_list l = {0};
    enum MHD_Result res;
    json_t *arr;
    size_t i;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (r->who.role != STORE_ROLE_ADMIN && r->who.role != STORE_ROLE_PROVINCE)
        return api_error(r, 403, "forbidden",
                         "an organisation's credential has no provinces");
    rc = r->s->st->ops->provinces(r->s->st, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    arr = json_array();
    for (i = 0; arr != NULL && i < l.n; i++)
        if (r->who.role == STORE_ROLE_ADMIN ||
            strcmp(l.rows[i].name, r->who.province) == 0)
            json_array_append_new(arr, json_pack("{s:s, s:I}", "name",
                                                 l.rows[i].name, "orgs",
                                                 (json_int_t)l.rows[i].orgs));
    store_province_list_free(&l);
    if (arr == NULL)
        return api_error(r, 500, "internal", "out of memory");
    return api_reply_json(r, 200, json_pack("{s:o}", "provinces", arr));
}
