/*
 * h_receipt_page.c: GET /r/{number}?s=SIG, a receipt's public page: the
 * address the kiosk's receipt QR carries. No credential: the signature
 * (store_ops.receipt_url) is the proof that the address came from the
 * server. A small page for a phone, in Vietnamese; a wrong signature and
 * an unknown number get the same 404.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "crypto.h"
#include "money.h"
#include "receipt.h"
#include "vntext.h"

/* Inline styles only: nothing else is loaded. */
#define PAGE_CSP "default-src 'none'; style-src 'unsafe-inline'"

#define PAGE_HEAD                                                              \
    "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"        \
    "<meta name=\"viewport\" content=\"width=device-width, "                   \
    "initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"             \
    "<title>%s</title><style>"                                                 \
    "body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f4;"       \
    "color:#1b1f1b}main{max-width:26rem;margin:0 auto;padding:1rem}"           \
    ".card{background:#fff;border-radius:.6rem;padding:1rem 1.2rem;"           \
    "box-shadow:0 1px 3px #0002}h1{font-size:1.15rem;margin:.2rem 0 1rem}"     \
    ".state{font-weight:700;font-size:1.1rem;padding:.6rem .8rem;"             \
    "border-radius:.4rem;margin:0 0 1rem}.ok{background:#dff3e4;"              \
    "color:#14612b}.void{background:#fbe3e1;color:#8a1c12}"                    \
    "dl{margin:0}dt{color:#5b635b;font-size:.85rem;margin-top:.7rem}"          \
    "dd{margin:.1rem 0 0;font-size:1.05rem;overflow-wrap:anywhere}"            \
    ".amount{font-size:1.6rem;font-weight:700}"                                \
    "</style></head><body><main><div class=\"card\">"

#define PAGE_TAIL "</div></main></body></html>\n"

/* A growable text buffer; on no memory `data` is freed and `bad` set. */
struct page {
    char *data;
    size_t len, cap;
    int bad;
};

static void put(struct page *p, const char *s, size_t n)
{
    if (p->bad)
        return;
    if (p->len + n + 1 > p->cap) {
        size_t cap = (p->len + n + 1) * 2;
        char *d = realloc(p->data, cap);

        if (d == NULL) {
            free(p->data);
            p->data = NULL;
            p->bad = 1;
            return;
        }
        p->data = d;
        p->cap = cap;
    }
    memcpy(p->data + p->len, s, n);
    p->len += n;
    p->data[p->len] = '\0';
}

static void puts_raw(struct page *p, const char *s)
{
    put(p, s, strlen(s));
}

/* `s` with & < > " ' as entities. */
static void puts_esc(struct page *p, const char *s)
{
    for (; s != NULL && *s; s++) {
        switch (*s) {
        case '&':
            puts_raw(p, "&amp;");
            break;
        case '<':
            puts_raw(p, "&lt;");
            break;
        case '>':
            puts_raw(p, "&gt;");
            break;
        case '"':
            puts_raw(p, "&quot;");
            break;
        case '\'':
            puts_raw(p, "&#39;");
            break;
        default:
            put(p, s, 1);
        }
    }
}

/* One "label: value" line of the list, the value escaped. */
static void row(struct page *p, const char *label, const char *value,
                const char *cls)
{
    puts_raw(p, "<dt>");
    puts_raw(p, label);
    puts_raw(p, cls ? "</dt><dd class=\"" : "</dt><dd>");
    if (cls) {
        puts_raw(p, cls);
        puts_raw(p, "\">");
    }
    puts_esc(p, value);
    puts_raw(p, "</dd>");
}

static void head(struct page *p, const char *title)
{
    char h[sizeof(PAGE_HEAD) + 80];

    snprintf(h, sizeof(h), PAGE_HEAD, title);
    puts_raw(p, h);
}

/* The page of receipt `r`. */
static void receipt_page(struct page *p, const struct store_receipt *r)
{
    char amount[MONEY_FORMAT_MAX], when[32], payer[300];
    time_t t = (time_t)(r->paid_at + 7 * 3600); /* Vietnam, UTC+7 */
    struct tm tm;

    money_format(r->amount, amount, sizeof(amount));
    if (gmtime_r(&t, &tm) == NULL ||
        strftime(when, sizeof(when), "%d/%m/%Y %H:%M", &tm) == 0)
        snprintf(when, sizeof(when), "?");
    snprintf(payer, sizeof(payer), "%s (%s)", r->payer_name, r->payer);
    head(p, "Biên lai thu tiền");
    if (r->voided)
        puts_raw(p, "<p class=\"state void\" id=\"state\">Biên lai đã bị huỷ"
                    " — khoản thanh toán này đã được điều chỉnh, biên lai"
                    " không còn giá trị</p>");
    else
        puts_raw(p, "<p class=\"state ok\" id=\"state\">✓ Biên lai hợp lệ</p>");
    puts_raw(p, "<h1>");
    puts_esc(p, r->org_name);
    puts_raw(p, "</h1><dl>");
    row(p, "Người nộp", payer, NULL);
    row(p, "Số tiền", amount, "amount");
    if (r->purpose != NULL && r->purpose[0] != '\0') {
        char *what = strdup(r->purpose);

        if (what == NULL) {
            p->bad = 1;
            free(p->data);
            p->data = NULL;
            return;
        }
        vntext_periods(what);
        row(p, "Nội dung", what, NULL);
        free(what);
    }
    row(p, "Hình thức",
        strcmp(r->method, "cash") == 0 ? "Tiền mặt" : "Chuyển khoản", NULL);
    row(p, "Thời gian", when, NULL);
    row(p, "Số biên lai", r->number, NULL);
    puts_raw(p, "</dl>" PAGE_TAIL);
}

/* The one answer for an unknown number and a wrong signature. */
static enum MHD_Result not_found(struct req *r)
{
    static const char body[] =
        "<p class=\"state void\">Không tìm thấy biên lai</p>"
        "<p>Địa chỉ này không phải của một biên lai do hệ thống phát hành."
        " Hãy quét lại mã QR trên biên lai.</p>" PAGE_TAIL;
    struct page p = {NULL, 0, 0, 0};
    enum MHD_Result ret;

    head(&p, "Không tìm thấy biên lai");
    puts_raw(&p, body);
    if (p.bad)
        return api_error(r, 500, "internal", "out of memory");
    ret = api_reply_bytes(r, 404, "text/html; charset=utf-8", p.data, p.len,
                          "Content-Security-Policy", PAGE_CSP);
    free(p.data);
    return ret;
}

enum MHD_Result h_receipt_page(struct req *r)
{
    static const char *const allowed[] = {"s", NULL};
    static const char dummy[STORE_RECEIPT_SIG_LEN + 1] = "AAAAAAAAAAAAAAAA";
    enum MHD_Result res;
    const char *sig = api_query(r, "s");
    const char *want = dummy;
    char url[STORE_RECEIPT_URL_MAX];
    struct store_receipt j;
    int rc, same;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    if (!api_code_ok(r->arg[0], 1, RECEIPT_NUMBER_MAX) || sig == NULL ||
        strlen(sig) != STORE_RECEIPT_SIG_LEN)
        return not_found(r);
    rc = r->s->st->ops->receipt_url(r->s->st, r->arg[0], url, sizeof(url));
    if (rc != 0 && rc != -STORE_E_NOT_FOUND)
        return api_store_error(r, rc);
    if (rc == 0 && strlen(url) > STORE_RECEIPT_SIG_LEN)
        want = url + strlen(url) - STORE_RECEIPT_SIG_LEN;
    /* compared in constant time, the same work for an unknown number */
    same = crypto_equal(sig, want, STORE_RECEIPT_SIG_LEN);
    if (rc != 0 || want == dummy || !same)
        return not_found(r);
    rc = r->s->st->ops->receipt_get(r->s->st, 0, r->arg[0], &j);
    if (rc == -STORE_E_NOT_FOUND)
        return not_found(r);
    if (rc != 0)
        return api_store_error(r, rc);
    {
        struct page p = {NULL, 0, 0, 0};
        enum MHD_Result ret;

        receipt_page(&p, &j);
        store_receipt_clear(&j);
        if (p.bad)
            return api_error(r, 500, "internal", "out of memory");
        ret = api_reply_bytes(r, 200, "text/html; charset=utf-8", p.data, p.len,
                              "Content-Security-Policy", PAGE_CSP);
        free(p.data);
        return ret;
    }
}
