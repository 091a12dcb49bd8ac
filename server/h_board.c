/*
 * h_board.c: the board endpoints (API tokens): organisations, payers and
 * their CSV import and search, fee schedules, invoice generation and the
 * lists of invoices, intents, payments and receipts, each a page with the
 * total it is part of. `board` and `auditor` tokens only see
 * their own organisation; `auditor` only reads (enforced by the route's
 * auth column); `admin` sees everything.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "api.h"
#include "api_json.h"
#include "bank.h"
#include "csv_payers.h"
#include "payref.h"
#include "vntext.h"

/*
 * Resolve the {org} of the URL and check the caller's scope. Returns 0 and
 * *id, or -1 with the error reply queued in *res.
 */
int api_org_scope(struct req *r, int64_t *id, enum MHD_Result *res)
{
    int rc;

    if (!api_code_ok(r->arg[0], 2, 16)) {
        *res = api_error(r, 404, "org_not_found", "no such organisation");
        return -1;
    }
    rc = r->s->st->ops->org_id(r->s->st, r->arg[0], id);
    if (r->who.role == STORE_ROLE_PROVINCE)
        return api_province_scope(r, rc, *id, res);
    if (rc == 0 && (r->who.org_id == 0 || r->who.org_id == *id))
        return 0;
    if (r->who.org_id != 0 && (rc == 0 || rc == -STORE_E_NOT_FOUND)) {
        *res = api_error(r, 403, "forbidden",
                         "this token belongs to another organisation");
        return -1;
    }
    *res = api_store_error(r, rc);
    return -1;
}

static int digits_ok(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    return s && n >= min && n <= max && strspn(s, "0123456789") == n;
}

/* Upper-case ASCII letters, digits and spaces (an account holder). */
static int holder_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return n >= 1 && n <= 50 &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-") == n;
}

static const struct api_field org_fields[] = {
    {"code", T_STR, 0, 16},    {"kind", T_STR, 0, 8},
    {"name", T_STR, 0, 128},   {"bank_bin", T_STR, 0, 6},
    {"account", T_STR, 0, 40}, {"account_name", T_STR, 0, 50},
    {"prefix", T_STR, 0, 3},   {NULL, 0, 0, 0},
};

/* Validate the organisation fields present; `create` requires all. */
static int org_read(struct req *r, json_t *b, int create, struct store_org *o,
                    enum MHD_Result *res)
{
    memset(o, 0, sizeof(*o));
    o->code = api_str(b, "code");
    o->kind = api_str(b, "kind");
    o->name = api_str(b, "name");
    o->bank_bin = api_str(b, "bank_bin");
    o->account = api_str(b, "account");
    o->account_name = api_str(b, "account_name");
    o->prefix = api_str(b, "prefix");
    if (create && (!o->code || !o->kind || !o->name || !o->bank_bin ||
                   !o->account || !o->account_name || !o->prefix)) {
        *res = api_error(r, 400, "missing_field",
                         "code, kind, name, bank_bin, account, "
                         "account_name and prefix are required");
        return -1;
    }
    if (!create && (o->code || o->kind)) {
        *res = api_error(r, 400, "invalid_field",
                         "code and kind cannot be changed");
        return -1;
    }
    if (o->code && !api_code_ok(o->code, 2, 16)) {
        *res = api_error(r, 400, "invalid_field",
                         "code: 2-16 of A-Z, 0-9 and '-'");
        return -1;
    }
    if (o->kind && strcmp(o->kind, "market") && strcmp(o->kind, "school")) {
        *res = api_error(r, 400, "invalid_field",
                         "kind: \"market\" or \"school\"");
        return -1;
    }
    if (o->name && o->name[0] == '\0') {
        *res = api_error(r, 400, "invalid_field", "name is empty");
        return -1;
    }
    if (o->bank_bin &&
        (!digits_ok(o->bank_bin, 6, 6) || bank_by_bin(o->bank_bin) == NULL)) {
        *res = api_error(r, 400, "invalid_field",
                         "bank_bin: not a known NAPAS BIN");
        return -1;
    }
    if (o->account) {
        /* the store keeps it in normal form; a BIN written in front
           ("970436/...") must be a known one and agree with bank_bin */
        char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];

        if (account_normalise(o->account, bin, key, sizeof(key)) != 0 ||
            !digits_ok(key, 4, 19)) {
            *res =
                api_error(r, 400, "invalid_field", "account: 4 to 19 digits");
            return -1;
        }
        if (bin[0] != '\0' &&
            (bank_by_bin(bin) == NULL ||
             (o->bank_bin != NULL && strcmp(bin, o->bank_bin) != 0))) {
            *res = api_error(r, 400, "invalid_field",
                             "account: written with BIN %s, which is not"
                             " bank_bin or not a known NAPAS BIN",
                             bin);
            return -1;
        }
    }
    if (o->account_name && !holder_ok(o->account_name)) {
        *res = api_error(r, 400, "invalid_field",
                         "account_name: upper-case ASCII as the bank "
                         "writes it (e.g. \"BAN QUAN LY CHO\")");
        return -1;
    }
    if (o->prefix && payref_prefix_valid(o->prefix) != 0) {
        *res = api_error(r, 400, "invalid_field", "prefix: 2-3 letters from %s",
                         PAYREF_ALPHABET);
        return -1;
    }
    return 0;
}

enum MHD_Result h_org_list(struct req *r)
{
    struct store_org_list l = {0};
    enum MHD_Result res;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    rc = r->s->st->ops->org_list(r->s->st, r->who.org_id, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200, json_pack("{s:o}", "orgs", api_json_orgs(&l)));
    store_org_list_free(&l);
    return res;
}

enum MHD_Result h_org_create(struct req *r)
{
    struct store_org_row out = {0};
    struct store_org o;
    enum MHD_Result res;
    json_t *b = NULL;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (api_body(r, org_fields, &b, &res) != 0)
        return res;
    if (org_read(r, b, 1, &o, &res) == 0) {
        rc = r->s->st->ops->org_create(r->s->st, &o, r->who.actor, &out);
        res = rc ? api_store_error(r, rc)
                 : api_reply_json(r, 201, api_json_org(&out));
        store_org_row_clear(&out);
    }
    json_decref(b);
    return res;
}

enum MHD_Result h_org_get(struct req *r)
{
    struct store_org_row out = {0};
    enum MHD_Result res;
    int64_t id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 || api_org_scope(r, &id, &res) != 0)
        return res;
    rc = r->s->st->ops->org_get(r->s->st, r->arg[0], &out);
    res = rc ? api_store_error(r, rc)
             : api_reply_json(r, 200, api_json_org(&out));
    store_org_row_clear(&out);
    return res;
}

enum MHD_Result h_org_update(struct req *r)
{
    struct store_org_row out = {0};
    struct store_org o;
    enum MHD_Result res;
    json_t *b = NULL;
    int64_t id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 || api_org_scope(r, &id, &res) != 0)
        return res;
    if (api_body(r, org_fields, &b, &res) != 0)
        return res;
    if (r->who.role != STORE_ROLE_ADMIN &&
        (json_object_get(b, "account") != NULL ||
         json_object_get(b, "bank_bin") != NULL)) {
        /* whoever holds the account receives the organisation's money */
        json_decref(b);
        return api_error(r, 403, "forbidden",
                         "only an admin may change an organisation's"
                         " collecting account or BIN");
    }
    if (org_read(r, b, 0, &o, &res) == 0) {
        rc = r->s->st->ops->org_update(r->s->st, r->arg[0], &o, r->who.actor,
                                       &out);
        res = rc ? api_store_error(r, rc)
                 : api_reply_json(r, 200, api_json_org(&out));
        store_org_row_clear(&out);
    }
    json_decref(b);
    return res;
}

/* ---- payers ------------------------------------------------------------- */

static const struct api_field payer_fields[] = {
    {"code", T_STR, 0, 32},
    {"name", T_STR, 0, 128},
    {"category", T_STR, 0, 32},
    {"zone", T_STR, 0, 16},
    {"class", T_STR, 0, 16},
    {"guardian", T_STR, 0, 128},
    {"bank_bin", T_STR, 0, 6},
    {"bank_account", T_STR, 0, 19},
    {"bank_account_name", T_STR, 0, 50},
    {"active", T_BOOL, 0, 0},
    {NULL, 0, 0, 0},
};

static int payer_read(struct req *r, json_t *b, struct store_payer *p,
                      enum MHD_Result *res)
{
    json_t *a = json_object_get(b, "active");

    memset(p, 0, sizeof(*p));
    p->name = api_str(b, "name");
    p->category = api_str(b, "category");
    p->zone = api_str(b, "zone");
    p->class_name = api_str(b, "class");
    p->guardian = api_str(b, "guardian");
    p->bank_bin = api_str(b, "bank_bin");
    p->bank_account = api_str(b, "bank_account");
    p->bank_account_name = api_str(b, "bank_account_name");
    p->active = a ? json_is_true(a) : -1;
    if (p->name && p->name[0] == '\0') {
        *res = api_error(r, 400, "invalid_field", "name is empty");
        return -1;
    }
    if ((p->bank_bin && p->bank_bin[0] && !digits_ok(p->bank_bin, 6, 6)) ||
        (p->bank_account && p->bank_account[0] &&
         !digits_ok(p->bank_account, 4, 19))) {
        *res = api_error(r, 400, "invalid_field",
                         "bank_bin: 6 digits; bank_account: 4-19 digits");
        return -1;
    }
    if (p->bank_account_name && p->bank_account_name[0] &&
        !holder_ok(p->bank_account_name)) {
        *res = api_error(r, 400, "invalid_field",
                         "bank_account_name: upper-case ASCII as the bank "
                         "writes it (e.g. \"NGUYEN THI LAN\")");
        return -1;
    }
    return 0;
}

static int filters(struct req *r, struct store_filter *f, enum MHD_Result *res);

enum MHD_Result h_payer_list(struct req *r)
{
    static const char *const allowed[] = {
        "q", "code", "limit", "offset", "after", "own_account", "credit", NULL};
    struct store_payer_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    int64_t org, own = 0, credit = 0;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || filters(r, &f, &res) != 0)
        return res;
    if ((api_query(r, "own_account") != NULL &&
         api_decimal(api_query(r, "own_account"), 0, 1, &own) != 0) ||
        (api_query(r, "credit") != NULL &&
         api_decimal(api_query(r, "credit"), 0, 1, &credit) != 0))
        return api_error(r, 400, "invalid_parameter",
                         "own_account and credit are 0 or 1");
    f.payer = api_query(r, "code"); /* one payer, by its exact code */
    f.own_account = (int)own;
    f.with_credit = (int)credit;
    rc = r->s->st->ops->payer_list(r->s->st, org, &f, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200,
                         json_pack("{s:o, s:I}", "payers", api_json_payers(&l),
                                   "total", (json_int_t)l.total));
    store_payer_list_free(&l);
    return res;
}

enum MHD_Result h_payer_create(struct req *r)
{
    struct store_payer_row out = {0};
    struct store_payer p;
    enum MHD_Result res;
    json_t *b = NULL;
    char code[40];
    int64_t org;
    int rc, i;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, payer_fields, &b, &res) != 0)
        return res;
    if (payer_read(r, b, &p, &res) != 0)
        goto out;
    snprintf(code, sizeof(code), "%s",
             api_str(b, "code") ? api_str(b, "code") : "");
    for (i = 0; code[i]; i++)
        code[i] = (char)toupper((unsigned char)code[i]);
    if (!api_code_ok(code, 1, 32) || p.name == NULL) {
        res = api_error(r, 400, "invalid_field",
                        "code (A-Z, 0-9, '-') and name are required");
        goto out;
    }
    p.code = code;
    rc = r->s->st->ops->payer_put(r->s->st, org, &p, 1, r->who.actor, &out);
    res = rc ? api_store_error(r, rc)
             : api_reply_json(r, 201, api_json_payer(&out));
    store_payer_row_clear(&out);
out:
    json_decref(b);
    return res;
}

enum MHD_Result h_payer_update(struct req *r)
{
    struct store_payer_row out = {0};
    struct store_payer p;
    enum MHD_Result res;
    json_t *b = NULL;
    int64_t org;
    int rc, i;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, payer_fields, &b, &res) != 0)
        return res;
    if (payer_read(r, b, &p, &res) != 0)
        goto out;
    if (json_object_get(b, "code") != NULL) {
        res = api_error(r, 400, "invalid_field", "code cannot be changed");
        goto out;
    }
    for (i = 0; r->arg[1][i]; i++)
        r->arg[1][i] = (char)toupper((unsigned char)r->arg[1][i]);
    p.code = r->arg[1];
    rc = r->s->st->ops->payer_put(r->s->st, org, &p, 0, r->who.actor, &out);
    res = rc ? api_store_error(r, rc)
             : api_reply_json(r, 200, api_json_payer(&out));
    store_payer_row_clear(&out);
out:
    json_decref(b);
    return res;
}

enum MHD_Result h_payer_import(struct req *r)
{
    struct payers_csv csv = {0};
    struct store_org_row org = {0};
    struct store_payer_import out;
    enum MHD_Result res;
    json_t *errs = NULL;
    int64_t id;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 || api_org_scope(r, &id, &res) != 0)
        return res;
    rc = r->s->st->ops->org_get(r->s->st, r->arg[0], &org);
    if (rc != 0)
        return api_store_error(r, rc);
    if (payers_csv_parse(r->body ? r->body : "", r->len, org.kind, &csv,
                         &errs) != 0) {
        store_org_row_clear(&org);
        return api_reply_json(
            r, 400,
            json_pack("{s:{s:s, s:s, s:o}}", "error", "code", "invalid_csv",
                      "message",
                      "Tệp có lỗi, chưa nhập gì (the file has errors;"
                      " nothing was imported)",
                      "rows", errs));
    }
    store_org_row_clear(&org);
    rc = r->s->st->ops->payer_import(r->s->st, id, csv.rows, csv.n,
                                     r->who.actor, &out);
    payers_csv_free(&csv);
    return rc ? api_store_error(r, rc)
              : api_reply_json(r, 200, api_json_payer_import(&out));
}

/* ---- fees --------------------------------------------------------------- */

static const struct api_field fee_fields[] = {
    {"code", T_STR, 0, 16},  {"label", T_STR, 0, 96},
    {"kind", T_STR, 0, 8},   {"category", T_STR, 0, 32},
    {"amount", T_INT, 0, 0}, {"active", T_BOOL, 0, 0},
    {NULL, 0, 0, 0},
};

static int fee_read(struct req *r, json_t *b, int create, struct store_fee *f,
                    enum MHD_Result *res)
{
    json_t *a = json_object_get(b, "active");
    const char *k;

    memset(f, 0, sizeof(*f));
    f->code = api_str(b, "code");
    f->label = api_str(b, "label");
    f->kind = k = api_str(b, "kind");
    f->category = api_str(b, "category");
    f->amount = json_integer_value(json_object_get(b, "amount"));
    f->active = a ? json_is_true(a) : -1;
    if (create && (!f->code || !f->label || !f->kind || f->amount <= 0)) {
        *res = api_error(r, 400, "missing_field",
                         "code, label, kind and amount (> 0) are required");
        return -1;
    }
    if (!create && (f->code || f->kind)) {
        *res = api_error(r, 400, "invalid_field",
                         "code and kind cannot be changed");
        return -1;
    }
    if (json_object_get(b, "amount") && f->amount <= 0) {
        *res = api_error(r, 400, "invalid_field", "amount must be > 0");
        return -1;
    }
    if (f->code && !api_code_ok(f->code, 1, 16)) {
        *res =
            api_error(r, 400, "invalid_field", "code: 1-16 of A-Z, 0-9, '-'");
        return -1;
    }
    if (k && strcmp(k, "daily") && strcmp(k, "monthly") && strcmp(k, "term") &&
        strcmp(k, "oneoff")) {
        *res = api_error(r, 400, "invalid_field",
                         "kind: daily, monthly, term or oneoff");
        return -1;
    }
    if (f->label && f->label[0] == '\0') {
        *res = api_error(r, 400, "invalid_field", "label is empty");
        return -1;
    }
    return 0;
}

enum MHD_Result h_fee_list(struct req *r)
{
    static const char *const allowed[] = {"limit", "offset", NULL};
    struct store_fee_list l = {0}, page;
    enum MHD_Result res;
    int64_t org, limit, offset;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 ||
        api_paging(r, &limit, &offset, &res) != 0)
        return res;
    rc = r->s->st->ops->fee_list(r->s->st, org, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    /* an organisation has few fees: the store gives them all */
    page = l;
    if (limit == 0)
        limit = API_PAGE_DEFAULT;
    page.n = (size_t)offset < l.n ? l.n - (size_t)offset : 0;
    page.rows = l.rows + (l.n - page.n);
    if (page.n > (size_t)limit)
        page.n = (size_t)limit;
    res = api_reply_json(r, 200,
                         json_pack("{s:o, s:I}", "fees", api_json_fees(&page),
                                   "total", (json_int_t)l.n));
    store_fee_list_free(&l);
    return res;
}

static enum MHD_Result fee_put(struct req *r, int create)
{
    struct store_fee_row out = {0};
    struct store_fee f;
    enum MHD_Result res;
    json_t *b = NULL;
    int64_t org;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fee_fields, &b, &res) != 0)
        return res;
    if (fee_read(r, b, create, &f, &res) == 0) {
        if (!create) {
            if (!api_code_ok(r->arg[1], 1, 16)) {
                json_decref(b);
                return api_error(r, 404, "fee_not_found", "no such fee");
            }
            f.code = r->arg[1];
        }
        rc = r->s->st->ops->fee_put(r->s->st, org, &f, create, r->who.actor,
                                    &out);
        res = rc ? api_store_error(r, rc)
                 : api_reply_json(r, create ? 201 : 200, api_json_fee(&out));
        store_fee_row_clear(&out);
    }
    json_decref(b);
    return res;
}

enum MHD_Result h_fee_create(struct req *r)
{
    return fee_put(r, 1);
}

enum MHD_Result h_fee_update(struct req *r)
{
    return fee_put(r, 0);
}

/* ---- invoices and lists ----------------------------------------------- */

enum MHD_Result h_invoices_generate(struct req *r)
{
    static const struct api_field fields[] = {
        {"period", T_STR, 1, 32},
        {"fee", T_STR, 0, 16},
        {NULL, 0, 0, 0},
    };
    struct store_invoices_made out;
    enum MHD_Result res;
    json_t *b = NULL;
    const char *period;
    int64_t org;
    size_t i;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    period = api_str(b, "period");
    for (i = 0; period[i]; i++)
        if (!isalnum((unsigned char)period[i]) && !strchr("-/._", period[i]))
            break;
    if (i == 0 || period[i] != '\0') {
        res = api_error(r, 400, "invalid_period",
                        "period: letters, digits and - / . _");
    } else {
        rc = r->s->st->ops->invoices_generate(
            r->s->st, org, period, api_str(b, "fee"), r->who.actor, &out);
        res = rc ? api_store_error(r, rc)
                 : api_reply_json(r, 200, api_json_invoices_made(period, &out));
    }
    json_decref(b);
    return res;
}

/* Read the common list filters; -1 with a 400 queued on bad values. */
static int filters(struct req *r, struct store_filter *f, enum MHD_Result *res)
{
    const char *v;

    memset(f, 0, sizeof(*f));
    f->payer = api_query(r, "payer");
    f->status = api_query(r, "status");
    f->period = api_query(r, "period");
    f->method = api_query(r, "method");
    f->q = api_query(r, "q");
    if (f->q != NULL &&
        (strlen(f->q) > 64 || vntext_utf8_valid(f->q, strlen(f->q)) != 0)) {
        *res = api_error(r, 400, "invalid_parameter",
                         "q: at most 64 bytes of UTF-8 text");
        return -1;
    }
    if (api_paging(r, &f->limit, &f->offset, res) != 0)
        return -1;
    if ((v = api_query(r, "after")) != NULL) {
        if (*v == '\0' || strspn(v, "0123456789") != strlen(v) ||
            strlen(v) > 18)
            goto bad;
        f->after_id = atoll(v);
    }
    if ((v = api_query(r, "since")) != NULL) {
        if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 12)
            goto bad;
        f->since = atoll(v);
    }
    return 0;
bad:
    *res = api_error(r, 400, "invalid_parameter",
                     "after and since are whole numbers");
    return -1;
}

int api_paging(struct req *r, int64_t *limit, int64_t *offset,
               enum MHD_Result *res)
{
    const char *l = api_query(r, "limit"), *o = api_query(r, "offset");

    if (l != NULL &&
        (*l == '\0' || strlen(l) > 4 || strspn(l, "0123456789") != strlen(l) ||
         atoll(l) < 1 || atoll(l) > API_PAGE_MAX)) {
        *res = api_error(r, 400, "invalid_parameter",
                         "limit: a whole number from 1 to %d", API_PAGE_MAX);
        return -1;
    }
    if (o != NULL &&
        (*o == '\0' || strlen(o) > 9 || strspn(o, "0123456789") != strlen(o))) {
        *res = api_error(r, 400, "invalid_parameter",
                         "offset: a whole number below 10^9");
        return -1;
    }
    *limit = l ? atoll(l) : 0;
    *offset = o ? atoll(o) : 0;
    return 0;
}

enum MHD_Result h_invoice_list(struct req *r)
{
    static const char *const allowed[] = {"payer", "status", "period", "limit",
                                          "after", "offset", NULL};
    struct store_invoice_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || filters(r, &f, &res) != 0)
        return res;
    if (f.status && strcmp(f.status, "open") && strcmp(f.status, "partial") &&
        strcmp(f.status, "paid") && strcmp(f.status, "unpaid"))
        return api_error(r, 400, "invalid_parameter",
                         "status: open, partial, paid or unpaid (open or"
                         " partial)");
    rc = r->s->st->ops->invoice_list(r->s->st, org, &f, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200,
                         json_pack("{s:o, s:I}", "invoices",
                                   api_json_invoices(&l), "total",
                                   (json_int_t)l.total));
    store_invoice_list_free(&l);
    return res;
}

enum MHD_Result h_intent_list(struct req *r)
{
    static const char *const allowed[] = {"payer", "status", "since", "limit",
                                          "after", "offset", NULL};
    struct store_intent_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || filters(r, &f, &res) != 0)
        return res;
    if (f.status && strcmp(f.status, "pending") &&
        strcmp(f.status, "partial") && strcmp(f.status, "paid") &&
        strcmp(f.status, "expired") && strcmp(f.status, "cancelled"))
        return api_error(r, 400, "invalid_parameter",
                         "status: pending, partial, paid, expired or "
                         "cancelled");
    rc = r->s->st->ops->intent_list(r->s->st, org, &f, (int64_t)time(NULL), &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res =
        api_reply_json(r, 200,
                       json_pack("{s:o, s:I}", "intents", api_json_intents(&l),
                                 "total", (json_int_t)l.total));
    store_intent_list_free(&l);
    return res;
}

enum MHD_Result h_payment_list(struct req *r)
{
    static const char *const allowed[] = {"payer", "method", "since", "limit",
                                          "after", "offset", NULL};
    struct store_payment_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || filters(r, &f, &res) != 0)
        return res;
    if (f.method && strcmp(f.method, "cash") && strcmp(f.method, "transfer"))
        return api_error(r, 400, "invalid_parameter",
                         "method: cash or transfer");
    rc = r->s->st->ops->payment_list(r->s->st, org, &f, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200,
                         json_pack("{s:o, s:I}", "payments",
                                   api_json_payments(&l), "total",
                                   (json_int_t)l.total));
    store_payment_list_free(&l);
    return res;
}

enum MHD_Result h_receipt_list(struct req *r)
{
    static const char *const allowed[] = {"payer", "limit", "offset", "after",
                                          NULL};
    struct store_receipt_list l = {0};
    struct store_filter f;
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0 || filters(r, &f, &res) != 0)
        return res;
    rc = r->s->st->ops->receipt_list(r->s->st, org, &f, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200,
                         json_pack("{s:o, s:I}", "receipts",
                                   api_json_receipts(&l), "total",
                                   (json_int_t)l.total));
    store_receipt_list_free(&l);
    return res;
}
