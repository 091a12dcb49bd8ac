/*
 * h_refund.c: POST /v1/orgs/{org}/payers/{code}/refund: a board gives a
 * payer's credit back (an over-payment sent back by bank transfer), with
 * the outgoing transfer's reference and a mandatory reason.
 */
#include <ctype.h>
#include <time.h>

#include "api.h"
#include "api_json.h"
#include "money.h"

static const struct api_field refund_fields[] = {
    {"amount", T_INT, 1, MONEY_MAX},
    {"reference", T_STR, 1, 64},
    {"reason", T_STR, 1, 256},
    {NULL, 0, 0, 0},
};

enum MHD_Result h_payer_refund(struct req *r)
{
    struct store_refund_req q;
    enum MHD_Result res;
    struct store_refund out;
    json_t *b = NULL;
    int64_t org;
    int rc, i;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, refund_fields, &b, &res) != 0)
        return res;
    for (i = 0; r->arg[1][i]; i++)
        r->arg[1][i] = (char)toupper((unsigned char)r->arg[1][i]);
    q.payer = r->arg[1];
    q.amount = json_integer_value(json_object_get(b, "amount"));
    q.reference = api_str(b, "reference");
    q.reason = api_str(b, "reason");
    rc = r->s->st->ops->payer_refund(r->s->st, org, &q, r->who.actor,
                                     (int64_t)time(NULL), &out);
    if (rc != 0) {
        res = api_store_error(r, rc);
    } else {
        res = api_reply_json(r, 201, api_json_refund(&q, &out));
        store_refund_free(&out);
    }
    json_decref(b);
    return res;
}
