/*
 * h_report.c: the issue-6 endpoints: signed receipts (JSON with the CPR1
 * text, HTML, PNG, PDF) and each organisation's published receipt key,
 * the daily reconciliation, cashless-adoption statistics and stall QR
 * standees. Documents are drawn by server/render, figures computed by
 * server/report from what the store returns.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_json.h"
#include "money.h"
#include "render.h"
#include "report.h"
#include "srv_report.h"
#include "vntext.h"

/* Split "NAME.ext" into NAME (in place) and its extension ("" none). */
static const char *split_ext(char *s)
{
    char *dot = strrchr(s, '.');

    if (dot == NULL)
        return "";
    *dot = '\0';
    return dot + 1;
}

/* ?paper=a5|a6 (default `def`); -1 with a 400 queued on a bad value. */
static int paper_of(struct req *r, enum render_paper def,
                    enum render_paper *out, enum MHD_Result *res)
{
    const char *p = api_query(r, "paper");

    if (p == NULL) {
        *out = def;
        return 0;
    }
    if (strcmp(p, "a5") == 0 || strcmp(p, "A5") == 0) {
        *out = RENDER_A5;
        return 0;
    }
    if (strcmp(p, "a6") == 0 || strcmp(p, "A6") == 0) {
        *out = RENDER_A6;
        return 0;
    }
    *res = api_error(r, 400, "bad_paper", "paper is a5 or a6");
    return -1;
}

/* Reply with a rendered document, or the error for render code `rc`. */
static enum MHD_Result reply_doc(struct req *r, int rc, struct render_buf *b,
                                 const char *ctype)
{
    enum MHD_Result ret;

    if (rc != 0) {
        unsigned status = 500;
        const char *code = "render_failed";

        if (rc == RENDER_E_BANK || rc == RENDER_E_VIETQR) {
            status = 422;
            code = rc == RENDER_E_BANK ? "unknown_bank" : "bad_account";
        }
        return api_error(r, status, code, "%s", render_strerror(rc));
    }
    ret = api_reply_bytes(r, 200, ctype, b->data, b->len, NULL, NULL);
    free(b->data);
    return ret;
}

enum MHD_Result h_receipt_get(struct req *r)
{
    static const char *const allowed[] = {"paper", NULL};
    enum MHD_Result res;
    struct receipt_doc d;
    struct render_opts o = {RENDER_PNG, RENDER_A6, 0};
    struct render_buf b = {NULL, 0};
    char num[sizeof(r->arg[0])], purpose[RENDER_TEXT_MAX];
    const char *ext;
    struct store_receipt j;
    int rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    snprintf(num, sizeof(num), "%s", r->arg[0]);
    ext = split_ext(num);
    if (!api_code_ok(num, 1, RECEIPT_NUMBER_MAX))
        return api_error(r, 404, "receipt_not_found", "no such receipt");
    if (strcmp(ext, "") != 0 && strcmp(ext, "json") != 0 &&
        strcmp(ext, "html") != 0 && strcmp(ext, "png") != 0 &&
        strcmp(ext, "pdf") != 0)
        return api_error(r, 404, "not_found",
                         "a receipt is .json, .html,"
                         " .png or .pdf");
    if (paper_of(r, RENDER_A6, &o.paper, &res) != 0)
        return res;
    rc = r->s->st->ops->receipt_get(r->s->st, r->who.org_id, num, &j);
    if (rc != 0)
        return api_store_error(r, rc);
    if (ext[0] == '\0' || strcmp(ext, "json") == 0) {
        json_t *out = api_json_receipt(&j);

        store_receipt_clear(&j);
        return api_reply_json(r, 200, out);
    }
    /* the purpose line is cut to the renderer's limit on a UTF-8 boundary */
    snprintf(purpose, sizeof(purpose), "%s", j.purpose);
    vntext_periods(purpose);
    {
        size_t n = strlen(purpose);

        if (n == sizeof(purpose) - 1)
            while (n > 0 && ((unsigned char)purpose[n] & 0xC0) == 0x80)
                purpose[n--] = '\0';
        if (n > 0 && ((unsigned char)purpose[n] & 0xC0) == 0xC0)
            purpose[n] = '\0';
    }
    d.org_name = j.org_name;
    d.payer_name = j.payer_name;
    d.purpose = purpose[0] ? purpose : NULL;
    d.qr_text = j.text;
    if (strcmp(ext, "html") == 0) {
        rc = render_receipt_html(&d, &b);
        store_receipt_clear(&j);
        return reply_doc(r, rc, &b, "text/html; charset=utf-8");
    }
    o.format = strcmp(ext, "pdf") == 0 ? RENDER_PDF : RENDER_PNG;
    rc = render_receipt_mem(&d, &o, &b);
    store_receipt_clear(&j);
    return reply_doc(r, rc, &b,
                     o.format == RENDER_PDF ? "application/pdf" : "image/png");
}

enum MHD_Result h_receipt_key(struct req *r)
{
    enum MHD_Result res;
    char pem[RECEIPT_PEM_MAX], kid[RECEIPT_KEY_ID_LEN + 1];
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (!api_code_ok(r->arg[0], 2, 16))
        return api_error(r, 404, "org_not_found", "no such organisation");
    rc = r->s->st->ops->receipt_key(r->s->st, r->arg[0], (int64_t)time(NULL),
                                    pem, sizeof(pem), kid);
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_bytes(r, 200, "application/x-pem-file", pem, strlen(pem),
                           "X-Receipt-Key-Id", kid);
}

/* 1 when the client asked for CSV (Accept: text/csv or ?format=csv). */
static int wants_csv(struct req *r)
{
    const char *acc =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Accept");
    const char *f = api_query(r, "format");

    if (f != NULL)
        return strcmp(f, "csv") == 0;
    return acc != NULL && strstr(acc, "text/csv") != NULL;
}

/*
 * ?org=CODE into r->arg[0] and the caller's scope checked (board and
 * auditor tokens: their own organisation only). 0 and *id, or -1 with
 * the reply queued.
 */
static int query_org(struct req *r, int64_t *id, enum MHD_Result *res)
{
    const char *org = api_query(r, "org");

    if (org == NULL) {
        *res = api_error(r, 400, "missing_org", "give org=CODE");
        return -1;
    }
    snprintf(r->arg[0], sizeof(r->arg[0]), "%s", org);
    return api_org_scope(r, id, res);
}

/* The CSV separator: ?sep=semicolon for Excel on vi-VN Windows. */
static int sep_of(struct req *r, char *sep, enum MHD_Result *res)
{
    const char *s = api_query(r, "sep");

    *sep = ',';
    if (s == NULL || strcmp(s, "comma") == 0)
        return 0;
    if (strcmp(s, "semicolon") == 0) {
        *sep = ';';
        return 0;
    }
    *res = api_error(r, 400, "bad_sep", "sep is comma or semicolon");
    return -1;
}

/* Reply with a report as JSON text or as an attachment CSV file. */
static enum MHD_Result reply_report(struct req *r, int csv, char *text,
                                    size_t len, const char *filename)
{
    enum MHD_Result ret;

    if (csv) {
        char disp[260];

        snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", filename);
        ret = api_reply_bytes(r, 200, "text/csv; charset=utf-8", text, len,
                              "Content-Disposition", disp);
    } else {
        ret =
            api_reply_bytes(r, 200, "application/json", text, len, NULL, NULL);
    }
    free(text);
    return ret;
}

enum MHD_Result h_report_daily(struct req *r)
{
    static const char *const allowed[] = {"org", "date", "format", "sep", NULL};
    enum MHD_Result res;
    const char *date = api_query(r, "date");
    char sep = 0, file[200], today[11];
    char *text = NULL;
    size_t len = 0;
    int64_t org;
    int csv, rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (query_org(r, &org, &res) != 0)
        return res;
    csv = wants_csv(r);
    if (csv && sep_of(r, &sep, &res) != 0)
        return res;
    if (date == NULL) {
        report_day_format(srv_vn_day((int64_t)time(NULL)), today);
        date = today;
    }
    if (csv && r->who.role == STORE_ROLE_PROVINCE)
        return api_error(r, 403, "forbidden",
                         "a province reads the day's totals as JSON");
    rc = srv_report_daily(r->s->st, org, r->arg[0], date, sep, &text, &len);
    if (rc != 0)
        return api_store_error(r, rc);
    if (r->who.role == STORE_ROLE_PROVINCE) {
        char *cut = NULL;

        rc = api_province_totals(text, len, &cut, &len);
        free(text);
        if (rc != 0)
            return api_error(r, 500, "internal", "out of memory");
        text = cut;
    }
    snprintf(file, sizeof(file), "doi-soat-%s-%s.csv", r->arg[0], date);
    return reply_report(r, csv, text, len, file);
}

/* A YYYY-MM-DD query value into *day; -1 with a 400 queued. */
static int day_arg(struct req *r, const char *name, int32_t *day,
                   enum MHD_Result *res)
{
    const char *v = api_query(r, name);

    if (v != NULL && report_day_parse(v, day) == 0)
        return 0;
    *res = api_error(r, 400, "invalid_date", "%s: a date YYYY-MM-DD", name);
    return -1;
}

/* The range: from=&to=, or period=day|week|month[&date=D] (today). */
static int range_of(struct req *r, int32_t *from, int32_t *to,
                    enum MHD_Result *res)
{
    const char *period = api_query(r, "period");
    int32_t day = srv_vn_day((int64_t)time(NULL));
    enum report_period p;

    if (period == NULL) {
        if (day_arg(r, "from", from, res) != 0 ||
            day_arg(r, "to", to, res) != 0)
            return -1;
        if (*from > *to) {
            *res = api_error(r, 400, "invalid_range", "from is after to");
            return -1;
        }
        return 0;
    }
    if (strcmp(period, "day") == 0)
        p = REPORT_DAY;
    else if (strcmp(period, "week") == 0)
        p = REPORT_WEEK;
    else if (strcmp(period, "month") == 0)
        p = REPORT_MONTH;
    else {
        *res = api_error(r, 400, "invalid_period", "period: day, week, month");
        return -1;
    }
    if (api_query(r, "date") != NULL && day_arg(r, "date", &day, res) != 0)
        return -1;
    report_period_of(p, day, from, to);
    return 0;
}

enum MHD_Result h_stats_adoption(struct req *r)
{
    static const char *const allowed[] = {"org",    "province", "from", "to",
                                          "period", "date",     "fee",  "trend",
                                          "format", "sep",      NULL};
    struct srv_adoption_req rq;
    enum MHD_Result res;
    const char *trend = api_query(r, "trend");
    const char *prov = api_query(r, "province");
    char file[200], *text = NULL, sep = 0, name[STORE_PROVINCE_MAX + 1];
    size_t len = 0;
    int csv, rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    memset(&rq, 0, sizeof(rq));
    if (api_query(r, "org") != NULL) {
        if (prov != NULL)
            return api_error(r, 400, "bad_scope",
                             "give org or province,"
                             " not both");
        if (query_org(r, &rq.org_id, &res) != 0)
            return res;
    } else if (r->who.org_id != 0) {
        /* a board or auditor token sees its own organisation only */
        return api_error(r, 403, "forbidden",
                         "this token may only ask"
                         " about its own organisation");
    } else if (api_province_arg(r, name, sizeof(name), &res) < 0) {
        return res;
    } else if (name[0] != '\0') {
        rq.province = name;
    }
    if (range_of(r, &rq.from, &rq.to, &res) != 0)
        return res;
    rq.fee = api_query(r, "fee");
    if (rq.fee != NULL && !api_code_ok(rq.fee, 1, 16))
        return api_error(r, 400, "bad_fee", "fee: a fee code");
    rq.bucket = REPORT_BUCKET_WEEK;
    if (trend != NULL && strcmp(trend, "day") == 0)
        rq.bucket = REPORT_BUCKET_DAY;
    else if (trend != NULL && strcmp(trend, "month") == 0)
        rq.bucket = REPORT_BUCKET_MONTH;
    else if (trend != NULL && strcmp(trend, "week") != 0)
        return api_error(r, 400, "bad_trend", "trend: day, week, month");
    csv = wants_csv(r);
    if (csv && sep_of(r, &sep, &res) != 0)
        return res;
    rq.sep = csv ? sep : 0;
    rc = srv_report_adoption(r->s->st, &rq, &text, &len);
    if (rc != 0)
        return api_store_error(r, rc);
    {
        char f[11], t[11];

        report_day_format(rq.from, f);
        report_day_format(rq.to, t);
        snprintf(file, sizeof(file), "khong-tien-mat-%s-%s-%s.csv",
                 rq.org_id ? r->arg[0] : "tong-hop", f, t);
    }
    return reply_report(r, csv, text, len, file);
}

enum MHD_Result h_org_province(struct req *r)
{
    static const struct api_field fields[] = {
        {"province", T_STR, 1, 64},
        {NULL, 0, 0, 0},
    };
    enum MHD_Result res;
    const char *prov;
    char known[STORE_PROVINCE_MAX + 1];
    json_t *b = NULL;
    int64_t org;
    int rc;

    if (api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    prov = api_str(b, "province");
    if (prov == NULL || prov[0] == '\0') {
        json_decref(b);
        return api_error(r, 400, "bad_province", "province: 1-64 bytes");
    }
    /* a province some organisation is in already keeps its spelling */
    if (r->s->st->ops->province_find(r->s->st, prov, known, sizeof(known)) == 0)
        prov = known;
    rc = r->s->st->ops->org_province(r->s->st, r->arg[0], prov, r->who.actor,
                                     (int64_t)time(NULL));
    if (rc != 0) {
        json_decref(b);
        return api_store_error(r, rc);
    }
    res = api_reply_json(
        r, 200, json_pack("{s:s, s:s}", "org", r->arg[0], "province", prov));
    json_decref(b);
    return res;
}

/*
 * The standee of payer {code} (URL arg 0): its organisation (a board
 * token's own, an admin's ?org=CODE) into *org and what a standee shows
 * into *si, pointing into *j (the caller frees it, store_standees_free;
 * nothing to free on failure). 0, or -1 with the
 * error reply queued in *res: 404 for an unknown payer or one without its
 * own bank account.
 */
static int standee_of(struct req *r, int64_t *org, struct standee_info *si,
                      struct store_standees *j, enum MHD_Result *res)
{
    char payer[sizeof(r->arg[0])];
    const struct store_standee_payer *p;
    int rc;

    *org = r->who.org_id;
    memset(j, 0, sizeof(*j));
    snprintf(payer, sizeof(payer), "%s", r->arg[0]);
    if (!api_code_ok(payer, 1, 32)) {
        *res = api_error(r, 404, "payer_not_found", "no such payer");
        return -1;
    }
    if (api_query(r, "org") != NULL) {
        if (query_org(r, org, res) != 0)
            return -1;
    } else if (*org == 0) {
        *res = api_error(r, 400, "missing_org", "an admin gives org=CODE");
        return -1;
    }
    rc = r->s->st->ops->standee_payers(r->s->st, *org, payer, j);
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return -1;
    }
    if (j->n_payers == 0) {
        store_standees_free(j);
        *res = api_error(r, 404, "payer_not_found", "no such payer");
        return -1;
    }
    p = &j->payers[0];
    memset(si, 0, sizeof(*si));
    si->market = j->org_name;
    si->stall_code = p->code;
    si->vendor = p->name;
    si->bin = p->bank_bin;
    si->account = p->bank_account;
    /* the holder as the bank writes it, when the payer has one */
    si->holder = p->bank_account_name;
    if (si->holder == NULL || si->holder[0] == '\0')
        si->holder = si->vendor;
    if (si->bin[0] == '\0' || si->account[0] == '\0') {
        store_standees_free(j);
        *res = api_error(r, 404, "no_own_account",
                         "this payer has no bank account of its own");
        return -1;
    }
    return 0;
}

/*
 * GET /v1/payers/{code}/standee.png|pdf: a printable QR standee for a
 * stall with its own bank account (404 without one), A5 by default.
 * A board token uses its organisation, an admin gives ?org=CODE. Reading
 * it changes nothing; producing one is recorded by POST .../standee.
 */
static enum MHD_Result standee(struct req *r, enum render_format fmt)
{
    static const char *const allowed[] = {"paper", "org", NULL};
    struct render_opts o = {fmt, RENDER_A5, 0};
    struct render_buf b = {NULL, 0};
    struct standee_info si;
    struct store_standees j;
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (paper_of(r, RENDER_A5, &o.paper, &res) != 0)
        return res;
    if (standee_of(r, &org, &si, &j, &res) != 0)
        return res;
    rc = render_standee_mem(&si, &o, &b);
    store_standees_free(&j);
    return reply_doc(r, rc, &b,
                     fmt == RENDER_PDF ? "application/pdf" : "image/png");
}

enum MHD_Result h_standee_png(struct req *r)
{
    return standee(r, RENDER_PNG);
}

enum MHD_Result h_standee_pdf(struct req *r)
{
    return standee(r, RENDER_PDF);
}

/*
 * POST /v1/payers/{code}/standee {"format": "pdf"|"png", "paper":
 * "a5"|"a6"} (both optional: pdf, a5): record that a standee of the stall
 * was produced (printed, handed over), which the adoption statistics
 * count. The same organisation rules as the GET; 201 with the record.
 */
enum MHD_Result h_standee_record(struct req *r)
{
    static const char *const allowed[] = {"org", NULL};
    static const struct api_field fields[] = {
        {"format", T_STR, 0, 8},
        {"paper", T_STR, 0, 8},
        {NULL, 0, 0, 0},
    };
    struct standee_info si;
    struct store_standees j;
    enum MHD_Result res;
    json_t *body = NULL;
    const char *fmt = "pdf", *paper = "a5", *v;
    int64_t org, now = (int64_t)time(NULL);
    char payer[sizeof(r->arg[0])];
    int rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    snprintf(payer, sizeof(payer), "%s", r->arg[0]);
    if (r->len > 0 && api_body(r, fields, &body, &res) != 0)
        return res;
    if ((v = api_str(body, "format")) != NULL) {
        if (strcmp(v, "pdf") != 0 && strcmp(v, "png") != 0) {
            json_decref(body);
            return api_error(r, 400, "invalid_field", "format is pdf or png");
        }
        fmt = strcmp(v, "pdf") == 0 ? "pdf" : "png";
    }
    if ((v = api_str(body, "paper")) != NULL) {
        if (strcmp(v, "a5") != 0 && strcmp(v, "a6") != 0) {
            json_decref(body);
            return api_error(r, 400, "bad_paper", "paper is a5 or a6");
        }
        paper = strcmp(v, "a5") == 0 ? "a5" : "a6";
    }
    json_decref(body);
    if (standee_of(r, &org, &si, &j, &res) != 0)
        return res;
    store_standees_free(&j);
    rc = r->s->st->ops->standee_record(r->s->st, org, payer, fmt, paper,
                                       r->who.actor, now);
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_json(r, 201,
                          json_pack("{s:s, s:s, s:s, s:I}", "payer", payer,
                                    "format", fmt, "paper", paper,
                                    "recorded_at", (json_int_t)now));
}

/* Open items `o` as the API shows them: {review: {count, amount},
 * unbalanced: {count, amount}}. */
static json_t *open_items_json(const struct store_open_items *o)
{
    return json_pack("{s:{s:I, s:I}, s:{s:I, s:I}}", "review", "count",
                     (json_int_t)o->review_count, "amount",
                     (json_int_t)o->review_amount, "unbalanced", "count",
                     (json_int_t)o->unbalanced_count, "amount",
                     (json_int_t)o->unbalanced_amount);
}

/* The 409 of a close refused for its open items: how many and how much,
 * in words (Vietnamese, then English) and in figures. */
static enum MHD_Result open_items_reply(struct req *r, int64_t org,
                                        const char *date)
{
    struct store_open_items o;
    char ra[MONEY_FORMAT_MAX], ua[MONEY_FORMAT_MAX], msg[640];
    char vi_r[96] = "", vi_u[112] = "", en_r[96] = "", en_u[112] = "";
    int rc;

    memset(&o, 0, sizeof(o));
    rc = r->s->st->ops->day_open_items(r->s->st, org, date, &o);
    if (rc != 0)
        return api_store_error(r, rc);
    money_format(o.review_amount, ra, sizeof(ra));
    money_format(o.unbalanced_amount, ua, sizeof(ua));
    /* only what is open, each in both languages */
    if (o.review_count > 0)
        snprintf(vi_r, sizeof(vi_r), " %lld giao dịch chờ xử lý (%s)",
                 (long long)o.review_count, ra);
    if (o.unbalanced_count > 0)
        snprintf(vi_u, sizeof(vi_u), "%s %lld sao kê lệch số dư (chênh %s)",
                 vi_r[0] ? " và" : "", (long long)o.unbalanced_count, ua);
    if (o.review_count > 0)
        snprintf(en_r, sizeof(en_r), " %lld transfers awaiting review (%s)",
                 (long long)o.review_count, ra);
    if (o.unbalanced_count > 0)
        snprintf(en_u, sizeof(en_u),
                 "%s %lld bank statements that do not balance (off by %s)",
                 en_r[0] ? " and" : "", (long long)o.unbalanced_count, ua);
    snprintf(msg, sizeof(msg),
             "Ngày %s còn%s%s. Xử lý xong rồi chốt, hoặc vẫn chốt kèm lý do"
             " (force). / %s has%s%s. Resolve them first, or close anyway"
             " with a reason (force).",
             date, vi_r, vi_u, date, en_r, en_u);
    return api_reply_json(r, 409,
                          json_pack("{s:{s:s, s:s, s:o}}", "error", "code",
                                    "open_items", "message", msg, "open_items",
                                    open_items_json(&o)));
}

enum MHD_Result h_day_close(struct req *r)
{
    static const struct api_field fields[] = {
        {"date", T_STR, 1, 10},
        {"force", T_BOOL, 0, 0},
        {"reason", T_STR, 0, 500},
        {NULL, 0, 0, 0},
    };
    enum MHD_Result res;
    struct store_day_closed closed;
    json_t *b = NULL, *out;
    const char *reason = NULL;
    char *totals = NULL;
    char date[11];
    int64_t org;
    int rc;

    if (api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    snprintf(date, sizeof(date), "%s", api_str(b, "date"));
    if (json_is_true(json_object_get(b, "force"))) {
        reason = api_str(b, "reason");
        if (reason == NULL || strspn(reason, " \t\r\n") == strlen(reason)) {
            json_decref(b);
            return api_error(r, 400, "reason_required",
                             "chốt sổ khi còn việc mở cần lý do / closing a"
                             " day with open items needs a reason");
        }
    }
    rc = srv_day_close(r->s->st, org, r->arg[0], date, reason, r->who.actor,
                       &closed, &totals);
    if (rc != 0) {
        json_decref(b);
        if (rc == -STORE_E_CONFLICT &&
            strcmp(store_error_code(), "open_items") == 0)
            return open_items_reply(r, org, date);
        return api_store_error(r, rc);
    }
    /* closed.force_reason points into b: rendered before b is freed */
    out = api_json_day_closed(r->arg[0], date, r->who.actor, &closed, totals);
    free(totals);
    api_log(5, "event=day_close org=%s date=%s actor=%s forced=%d", r->arg[0],
            date, r->who.actor, closed.force_reason != NULL);
    json_decref(b);
    return api_reply_json(r, 201, out);
}

enum MHD_Result h_day_close_get(struct req *r)
{
    static const char *const allowed[] = {"date", NULL};
    struct store_open_items o;
    enum MHD_Result res;
    const char *date = api_query(r, "date");
    char why[512] = "";
    int32_t day;
    int64_t org;
    int closed = 0, rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (api_org_scope(r, &org, &res) != 0)
        return res;
    if (date == NULL || report_day_parse(date, &day) != 0)
        return api_error(r, 400, "invalid_date", "date: a date YYYY-MM-DD");
    rc = r->s->st->ops->day_closed(r->s->st, org, date, &closed);
    if (rc == 0 && closed)
        rc = r->s->st->ops->day_force_reason(r->s->st, org, date, why,
                                             sizeof(why));
    memset(&o, 0, sizeof(o));
    if (rc == 0)
        rc = r->s->st->ops->day_open_items(r->s->st, org, date, &o);
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_json(r, 200,
                          json_pack("{s:s, s:s, s:b, s:s?, s:o}", "org",
                                    r->arg[0], "date", date, "closed", closed,
                                    "force_reason", why[0] ? why : NULL,
                                    "open_items", open_items_json(&o)));
}

enum MHD_Result h_day_reopen(struct req *r)
{
    static const struct api_field fields[] = {
        {"date", T_STR, 1, 10},
        {"reason", T_STR, 1, 500},
        {NULL, 0, 0, 0},
    };
    enum MHD_Result res;
    json_t *b = NULL;
    const char *date, *reason;
    int32_t day;
    int64_t org;
    int rc;

    if (api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    date = api_str(b, "date");
    reason = api_str(b, "reason");
    if (report_day_parse(date, &day) != 0 || strlen(reason) < 3) {
        json_decref(b);
        return api_error(r, 400, "invalid_field",
                         "date: YYYY-MM-DD; reason: why it is reopened");
    }
    rc = r->s->st->ops->day_reopen(r->s->st, org, date, reason, r->who.actor,
                                   (int64_t)time(NULL));
    if (rc != 0) {
        json_decref(b);
        return api_store_error(r, rc);
    }
    api_log(5, "event=day_reopen org=%s date=%s actor=%s", r->arg[0], date,
            r->who.actor);
    res = api_reply_json(r, 200,
                         json_pack("{s:s, s:s, s:s}", "org", r->arg[0], "date",
                                   date, "reopened", "yes"));
    json_decref(b);
    return res;
}
