/*
 * h_bank.c: the bank endpoints: provider webhooks (authenticated by each
 * provider's own scheme, not by bearer tokens), statement upload, and the
 * review queue of unmatched and ambiguous transactions (board tokens).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_json.h"
#include "ingest.h"
#include "srv_report.h"

/* Headers a provider signs with or that help an investigation. */
static const char *const hook_headers[] = {
    "Authorization",      "X-SePay-Signature", "X-SePay-Timestamp",
    "X-Casso-Signature",  "secure-token",      "X-Chopay-Signature",
    "X-Chopay-Timestamp", "Content-Type",      "User-Agent",
    "X-Forwarded-For",
};

#define N_HOOK_HEADERS (sizeof(hook_headers) / sizeof(hook_headers[0]))

static enum MHD_Result webhook(struct req *r, enum feeds_provider p)
{
    struct feeds_header hs[N_HOOK_HEADERS];
    struct ingest_hook h;
    json_t *reply = NULL;
    size_t i, n = 0;
    int status;

    if (api_query_check(r, NULL, &(enum MHD_Result){MHD_YES}) != 0)
        return api_error(r, 400, "invalid_parameter",
                         "this endpoint takes no query parameters");
    for (i = 0; i < N_HOOK_HEADERS; i++) {
        const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                    hook_headers[i]);

        if (v != NULL) {
            hs[n].name = hook_headers[i];
            hs[n].value = v;
            n++;
        }
    }
    memset(&h, 0, sizeof(h));
    h.provider = p;
    h.body = r->body ? r->body : "";
    h.len = r->len;
    h.headers = hs;
    h.nheaders = n;
    h.now = (int64_t)time(NULL);
    h.limits = &r->s->cfg.journal;
    status = ingest_webhook(r->s->cfg.bank, r->s->st, &h, &reply);
    if (status == 200)
        api_log(
            6, "event=bank_webhook provider=%s journal=%lld",
            feeds_provider_name(p),
            (long long)json_integer_value(json_object_get(reply, "journal")));
    else
        api_log(4, "event=bank_webhook provider=%s status=%d code=%s",
                feeds_provider_name(p), status,
                json_string_value(
                    json_object_get(json_object_get(reply, "error"), "code")));
    return api_reply_json(r, (unsigned)status, reply);
}

enum MHD_Result h_bank_sepay(struct req *r)
{
    return webhook(r, FEEDS_SEPAY);
}

enum MHD_Result h_bank_casso(struct req *r)
{
    return webhook(r, FEEDS_CASSO);
}

enum MHD_Result h_bank_payos(struct req *r)
{
    return webhook(r, FEEDS_PAYOS);
}

enum MHD_Result h_bank_generic(struct req *r)
{
    return webhook(r, FEEDS_GENERIC);
}

enum MHD_Result h_statement(struct req *r)
{
    static const char *const allowed[] = {"format", "org", NULL};
    const char *fmt = api_query(r, "format"), *org = api_query(r, "org");
    json_t *sum = NULL, *err = NULL;
    struct feeds_csv_map map;
    enum MHD_Result res;
    int64_t org_id = r->who.org_id;
    int f = 0;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (fmt != NULL && (f = ingest_format(fmt)) == 0)
        return api_error(r, 400, "invalid_parameter",
                         "format: camt, mt940 or csv");
    if (org != NULL) {
        int64_t id = 0;
        int rc = r->s->st->ops->org_id(r->s->st, org, &id);

        if (rc != 0)
            return api_store_error(r, rc);
        if (org_id != 0 && id != org_id)
            return api_error(r, 403, "forbidden",
                             "this token belongs to another organisation");
        org_id = id;
    }
    if (r->len == 0)
        return api_error(r, 400, "invalid_statement", "the body is empty");
    csvmap_apply(&r->s->cfg.csv, &map);
    if (ingest_statement(r->s->st, org_id, r->body, r->len, f, &map,
                         r->who.actor, (int64_t)time(NULL), &sum, &err) != 0) {
        json_t *e = json_object_get(err, "error");
        const char *code = json_string_value(json_object_get(e, "code"));
        unsigned status = 422;

        if (strcmp(code, "storage_unavailable") == 0)
            status = 503;
        else if (strcmp(code, "unknown_account") == 0)
            status = 422;
        return api_reply_json(r, status, err);
    }
    return api_reply_json(r, 201, sum);
}

/* {id} of the URL (arg 1) as a positive number; 0 when not. */
static int64_t url_id(struct req *r)
{
    const char *s = r->arg[1];

    if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18)
        return 0;
    return atoll(s);
}

enum MHD_Result h_bank_list(struct req *r)
{
    static const char *const allowed[] = {"state", "limit", "offset", "after",
                                          "since", "date",  NULL};
    static const char *const states[] = {"matched",   "unmatched", "ambiguous",
                                         "duplicate", "ignored",   "rejected",
                                         NULL};
    struct store_bank_txn_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    const char *v;
    int64_t org;
    size_t i;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    memset(&f, 0, sizeof(f));
    f.status = api_query(r, "state");
    if (f.status != NULL) {
        for (i = 0; states[i] != NULL; i++)
            if (strcmp(states[i], f.status) == 0)
                break;
        if (states[i] == NULL)
            return api_error(r, 400, "invalid_parameter",
                             "state: matched, unmatched, ambiguous, "
                             "duplicate, ignored or rejected");
    }
    if (api_paging(r, &f.limit, &f.offset, &res) != 0)
        return res;
    if ((v = api_query(r, "after")) != NULL) {
        if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 18)
            return api_error(r, 400, "invalid_parameter",
                             "after: a whole number");
        f.after_id = atoll(v);
    }
    if ((v = api_query(r, "since")) != NULL) {
        if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 12)
            return api_error(r, 400, "invalid_parameter",
                             "since: unix seconds");
        f.since = atoll(v);
    }
    if ((f.date = api_query(r, "date")) != NULL) {
        int32_t day;

        if (report_day_parse(f.date, &day) != 0)
            return api_error(r, 400, "invalid_parameter",
                             "date: a day YYYY-MM-DD");
    }
    rc = r->s->st->ops->bank_list(r->s->st, org, &f, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200, api_json_bank_txns(&l));
    store_bank_txn_list_free(&l);
    return res;
}

enum MHD_Result h_bank_get(struct req *r)
{
    struct store_bank_txn_full t = {0};
    enum MHD_Result res;
    int64_t org, id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    id = url_id(r);
    if (id == 0)
        return api_error(r, 404, "transaction_not_found",
                         "no such bank transaction");
    rc = r->s->st->ops->bank_get(r->s->st, org, id, &t);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200, api_json_bank_txn_full(&t));
    store_bank_txn_full_free(&t);
    return res;
}

static enum MHD_Result review(struct req *r, const char *action)
{
    static const struct api_field match_fields[] = {
        {"intent", T_INT, 0, 0},
        {"payer", T_STR, 0, 32},
        {"reason", T_STR, 1, 500},
        {NULL, 0, 0, 0},
    };
    static const struct api_field other_fields[] = {
        {"reason", T_STR, 1, 500},
        {NULL, 0, 0, 0},
    };
    struct store_bank_txn out = {0};
    struct store_review rv;
    enum MHD_Result res;
    json_t *body = NULL;
    int64_t org, id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    id = url_id(r);
    if (id == 0)
        return api_error(r, 404, "transaction_not_found",
                         "no such bank transaction");
    if (api_body(r, strcmp(action, "match") == 0 ? match_fields : other_fields,
                 &body, &res) != 0)
        return res;
    memset(&rv, 0, sizeof(rv));
    rv.action = action;
    rv.reason = api_str(body, "reason");
    rv.payer = api_str(body, "payer");
    rv.intent = json_integer_value(json_object_get(body, "intent"));
    if (rv.reason == NULL || strspn(rv.reason, " \t") == strlen(rv.reason)) {
        json_decref(body);
        return api_error(r, 400, "reason_required",
                         "every review action needs a reason");
    }
    if (strcmp(action, "match") == 0 && (rv.intent > 0) == (rv.payer != NULL)) {
        json_decref(body);
        return api_error(r, 400, "invalid_field",
                         "match needs exactly one of intent and payer");
    }
    /* on a closed day's transaction: a correction dated later */
    rc = r->s->st->ops->bank_review(r->s->st, org, id, &rv, r->who.actor,
                                    (int64_t)time(NULL), &out);
    json_decref(body);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200, api_json_bank_txn(&out));
    store_bank_txn_clear(&out);
    return res;
}

enum MHD_Result h_bank_match(struct req *r)
{
    return review(r, "match");
}

enum MHD_Result h_bank_unmatch(struct req *r)
{
    return review(r, "unmatch");
}

enum MHD_Result h_bank_ignore(struct req *r)
{
    return review(r, "ignore");
}

/*
 * POST .../bank/transactions/{id}/split {parts: [{payer, amount}, ...],
 * reason?}: one transfer split across payers (store bank_split).
 */
enum MHD_Result h_bank_split(struct req *r)
{
    static const struct api_field fields[] = {
        {"parts", T_IDS, 1, 0},
        {"reason", T_STR, 0, 500},
        {NULL, 0, 0, 0},
    };
    struct store_split_part parts[20];
    struct store_bank_txn_full out = {0};
    enum MHD_Result res;
    json_t *body = NULL, *a, *v;
    int64_t org, id;
    size_t i, n;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    id = url_id(r);
    if (id == 0)
        return api_error(r, 404, "transaction_not_found",
                         "no such bank transaction");
    if (api_body(r, fields, &body, &res) != 0)
        return res;
    a = json_object_get(body, "parts");
    n = json_array_size(a);
    if (n < 2 || n > sizeof(parts) / sizeof(parts[0])) {
        json_decref(body);
        return api_error(r, 400, "invalid_parts",
                         "parts: 2 to 20 of {payer, amount}");
    }
    for (i = 0; i < n; i++) {
        const char *p;

        v = json_array_get(a, i);
        p = api_str(v, "payer");
        if (!json_is_object(v) || json_object_size(v) != 2 ||
            !api_code_ok(p, 1, 32) ||
            !json_is_integer(json_object_get(v, "amount")) ||
            json_integer_value(json_object_get(v, "amount")) <= 0) {
            json_decref(body);
            return api_error(r, 400, "invalid_parts",
                             "part %zu: {payer: a payer code, amount: whole"
                             " đồng > 0}",
                             i + 1);
        }
        parts[i].payer = p;
        parts[i].amount = json_integer_value(json_object_get(v, "amount"));
    }
    rc = r->s->st->ops->bank_split(r->s->st, org, id, parts, n,
                                   api_str(body, "reason"), r->who.actor,
                                   (int64_t)time(NULL), &out);
    json_decref(body);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200, api_json_bank_txn_full(&out));
    store_bank_txn_full_free(&out);
    return res;
}

enum MHD_Result h_bank_secret(struct req *r)
{
    static const struct api_field fields[] = {
        {"api_key", T_STR, 0, INGEST_SECRET_MAX - 1},
        {"hmac_key", T_STR, 0, INGEST_SECRET_MAX - 1},
        {NULL, 0, 0, 0},
    };
    const char *p = r->arg[1], *ak, *hk;
    enum MHD_Result res;
    json_t *body = NULL, *out;
    int64_t org;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (strcmp(p, "sepay") && strcmp(p, "casso") && strcmp(p, "payos") &&
        strcmp(p, "generic"))
        return api_error(r, 404, "not_found",
                         "provider: sepay, casso, payos or generic");
    if (api_body(r, fields, &body, &res) != 0)
        return res;
    ak = api_str(body, "api_key");
    hk = api_str(body, "hmac_key");
    if ((ak == NULL || *ak == '\0') && (hk == NULL || *hk == '\0')) {
        json_decref(body);
        return api_error(r, 400, "missing_field",
                         "api_key and/or hmac_key is required");
    }
    if ((ak && *ak && strlen(ak) < 8) || (hk && *hk && strlen(hk) < 8)) {
        json_decref(body);
        return api_error(r, 400, "invalid_field",
                         "secrets are at least 8 bytes");
    }
    rc = r->s->st->ops->bank_secret_put(r->s->st, org, p, ak, hk, r->who.actor);
    if (rc != 0) {
        json_decref(body);
        return api_store_error(r, rc);
    }
    out = json_pack("{s:s, s:b, s:b}", "provider", p, "api_key", ak && *ak,
                    "hmac_key", hk && *hk);
    json_decref(body); /* ak and hk point into it */
    return api_reply_json(r, 200, out);
}
