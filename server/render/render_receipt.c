/*
 * render_receipt.c: the payment receipt as PNG/PDF (Cairo)
 * and as a self-contained HTML page: organisation, receipt number, payer,
 * amount, method, Vietnam-time date, and the signed receipt QR. Every
 * field shown is read back from the signed text, so the print can never
 * say something the signature does not.
 */
#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "render_int.h"

/* The fields to show, all from the receipt text. */
struct shown {
    struct receipt r;
    char amount[MONEY_FORMAT_MAX];
    char when[17];
    char payer[256];
};

static int prepare(const struct receipt_doc *d, struct shown *s)
{
    if (!d || !d->org_name || !d->qr_text || utf8_ok(d->org_name) ||
        (d->payer_name && utf8_ok(d->payer_name)) ||
        (d->purpose && utf8_ok(d->purpose)))
        return RENDER_E_ARG;
    if (receipt_parse(d->qr_text, strlen(d->qr_text), &s->r, NULL) != 0)
        return RENDER_E_RECEIPT;
    if (money_format(s->r.amount, s->amount, sizeof s->amount) != 0)
        return RENDER_E_RECEIPT;
    render_vn_datetime(s->r.paid_at, s->when);
    if (d->payer_name && *d->payer_name)
        snprintf(s->payer, sizeof s->payer, "%s (%s)", d->payer_name,
                 s->r.payer);
    else
        snprintf(s->payer, sizeof s->payer, "%s", s->r.payer);
    return 0;
}

/* One "label ... value" row; returns the next baseline. */
static double row(cairo_t *cr, const char *label, const char *value, double y,
                  int bold, double size)
{
    const double mx = 16, right = PAGE_W - mx;
    double lw;

    font_use(cr, 0, 10);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    lw = text_width(cr, label);
    cairo_move_to(cr, mx, y);
    cairo_show_text(cr, label);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_fit(cr, value, right, y, right - mx - lw - 8, ALIGN_RIGHT, bold, size,
             6);
    return y + (size > 12 ? 24 : 17);
}

static int draw_receipt(struct page *p, const struct receipt_doc *d,
                        const struct shown *s)
{
    cairo_t *cr = p->cr;
    const double mx = 16, w = PAGE_W - 2 * mx, cx = PAGE_W / 2;
    const double qside = 150;
    char line[160];
    double y;
    int rc;

    if ((rc = font_use(cr, 0, 10)) != 0)
        return rc;
    cairo_set_source_rgb(cr, 0.04, 0.33, 0.58);
    cairo_rectangle(cr, 0, 0, PAGE_W, 46);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    font_use(cr, 1, 12);
    if (text_width(cr, d->org_name) <= w) /* one line: centred in band */
        text_fit(cr, d->org_name, cx, 28, w, ALIGN_CENTER, 1, 12, 12);
    else
        text_wrap(cr, d->org_name, cx, 20, w, ALIGN_CENTER, 1, 12, 15, 2);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_fit(cr, "BIÊN LAI THU TIỀN", cx, 72, w, ALIGN_CENTER, 1, 17, 10);
    snprintf(line, sizeof line, "Số: %s", s->r.number);
    text_fit(cr, line, cx, 89, w, ALIGN_CENTER, 0, 10, 6);
    y = 114;
    y = row(cr, "Người nộp", s->payer, y, 0, 10);
    if (d->purpose && *d->purpose)
        y = row(cr, "Nội dung", d->purpose, y, 0, 10);
    y = row(cr, "Hình thức", render_method_vi(s->r.method), y, 0, 10);
    y = row(cr, "Thời gian", s->when, y, 0, 10);
    if (s->r.ref[0])
        y = row(cr, "Mã thanh toán", s->r.ref, y, 0, 10);
    y = row(cr, "Số tiền", s->amount, y + 4, 1, 18);
    (void)y;
    if ((rc = qr_draw(p, d->qr_text, cx - qside / 2, PAGE_H - 26 - qside,
                      qside)) != 0)
        return rc;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    snprintf(line, sizeof line, "Quét mã để kiểm tra chữ ký biên lai · khóa %s",
             s->r.key_id);
    text_fit(cr, line, cx, PAGE_H - 12, w, ALIGN_CENTER, 0, 7.5, 5);
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : RENDER_E_CAIRO;
}

static int receipt_doc(const struct receipt_doc *d, const struct render_opts *o,
                       const char *path, struct render_buf *out)
{
    struct shown s;
    char title[80];
    struct page p;
    int rc;

    if ((rc = prepare(d, &s)) != 0)
        return rc;
    snprintf(title, sizeof title, "Biên lai %s", s.r.number);
    if ((rc = page_begin(&p, o, title)) != 0)
        return rc;
    if ((rc = draw_receipt(&p, d, &s)) != 0) {
        page_abort(&p);
        return rc;
    }
    return page_end(&p, path, out);
}

int render_receipt(const struct receipt_doc *d, const struct render_opts *o,
                   const char *path)
{
    if (!path || !o)
        return RENDER_E_ARG;
    return receipt_doc(d, o, path, NULL);
}

int render_receipt_mem(const struct receipt_doc *d, const struct render_opts *o,
                       struct render_buf *out)
{
    if (!out || !o)
        return RENDER_E_ARG;
    return receipt_doc(d, o, NULL, out);
}

/* --- HTML ------------------------------------------------------------- */

/* A growable string with a hard maximum; ok = 0 after any failure. */
struct sb {
    char *s;
    size_t len, cap;
    int ok;
};

static void sb_add(struct sb *b, const char *p, size_t n)
{
    if (!b->ok)
        return;
    if (n > RENDER_OUT_MAX - b->len - 1) {
        b->ok = 0;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 4096;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->ok = 0;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_str(struct sb *b, const char *p)
{
    sb_add(b, p, strlen(p));
}

static void sb_printf(struct sb *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof tmp) {
        b->ok = 0;
        return;
    }
    sb_add(b, tmp, (size_t)n);
}

/* Text content or attribute value, HTML-escaped (& < > " '). */
static void sb_esc(struct sb *b, const char *p)
{
    for (; *p; p++) {
        switch (*p) {
        case '&':
            sb_str(b, "&amp;");
            break;
        case '<':
            sb_str(b, "&lt;");
            break;
        case '>':
            sb_str(b, "&gt;");
            break;
        case '"':
            sb_str(b, "&quot;");
            break;
        case '\'':
            sb_str(b, "&#39;");
            break;
        default:
            sb_add(b, p, 1);
        }
    }
}

/* The QR as an inline SVG: one path, a run per horizontal dark stretch. */
static int sb_qr_svg(struct sb *b, const char *payload)
{
    QRcode *qr = QRcode_encodeString8bit(payload, 0, QR_ECLEVEL_M);

    if (!qr)
        return RENDER_E_QR;
    int n = qr->width, total = n + 8;
    sb_printf(b,
              "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" "
              "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\" "
              "role=\"img\" aria-label=\"QR\"><rect width=\"%d\" "
              "height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
              total, total, total, total);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n;) {
            if (!(qr->data[y * n + x] & 1)) {
                x++;
                continue;
            }
            int x0 = x;
            while (x < n && (qr->data[y * n + x] & 1))
                x++;
            sb_printf(b, "M%d %dh%dv1h-%dz", x0 + 4, y + 4, x - x0, x - x0);
        }
    sb_str(b, "\"/></svg>");
    QRcode_free(qr);
    return 0;
}

static void html_row(struct sb *b, const char *label, const char *value,
                     const char *cls)
{
    sb_str(b, "<tr><th>");
    sb_esc(b, label);
    sb_printf(b, "</th><td class=\"%s\">", cls);
    sb_esc(b, value);
    sb_str(b, "</td></tr>\n");
}

int render_receipt_html(const struct receipt_doc *d, struct render_buf *out)
{
    struct shown s;
    struct sb b = {NULL, 0, 0, 1};
    int rc;

    if (!out)
        return RENDER_E_ARG;
    if ((rc = prepare(d, &s)) != 0)
        return rc;
    sb_str(&b, "<!DOCTYPE html>\n<html lang=\"vi\"><head>"
               "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
               "content=\"width=device-width, initial-scale=1\">\n<title>"
               "Biên lai ");
    sb_esc(&b, s.r.number);
    sb_str(&b,
           "</title>\n<style>\n"
           "body{font-family:\"DejaVu Sans\",Arial,sans-serif;margin:0;"
           "background:#eee;color:#000}\n"
           ".r{max-width:26em;margin:1em auto;background:#fff;"
           "border:1px solid #ccc}\n"
           "header{background:#0a5494;color:#fff;padding:.6em 1em;"
           "font-weight:bold;text-align:center}\n"
           "h1{font-size:1.3em;text-align:center;margin:.8em 0 .1em}\n"
           ".no{text-align:center;margin:0 0 .8em}\n"
           "table{width:100%;border-collapse:collapse;padding:0 1em}\n"
           "th{text-align:left;font-weight:normal;color:#555;"
           "padding:.25em 1em}\n"
           "td{text-align:right;padding:.25em 1em}\n"
           "td.amount{font-weight:bold;font-size:1.4em}\n"
           ".qr{display:block;width:11em;height:11em;margin:1em auto .3em}\n"
           ".v{text-align:center;color:#555;font-size:.75em;"
           "margin:0 1em 1em;word-break:break-all}\n"
           "@media print{body{background:#fff}.r{border:0}}\n"
           "</style></head>\n<body><main class=\"r\">\n<header>");
    sb_esc(&b, d->org_name);
    sb_str(&b, "</header>\n<h1>BIÊN LAI THU TIỀN</h1>\n<p class=\"no\">Số: ");
    sb_esc(&b, s.r.number);
    sb_str(&b, "</p>\n<table>\n");
    html_row(&b, "Người nộp", s.payer, "payer");
    if (d->purpose && *d->purpose)
        html_row(&b, "Nội dung", d->purpose, "purpose");
    html_row(&b, "Hình thức", render_method_vi(s.r.method), "method");
    html_row(&b, "Thời gian", s.when, "time");
    if (s.r.ref[0])
        html_row(&b, "Mã thanh toán", s.r.ref, "ref");
    html_row(&b, "Số tiền", s.amount, "amount");
    sb_str(&b, "</table>\n");
    if ((rc = sb_qr_svg(&b, d->qr_text)) != 0) {
        free(b.s);
        return rc;
    }
    sb_str(&b, "\n<p class=\"v\">Quét mã để kiểm tra chữ ký biên lai "
               "(Ed25519, khóa ");
    sb_esc(&b, s.r.key_id);
    sb_str(&b, "):<br><code>");
    sb_esc(&b, d->qr_text);
    sb_str(&b, "</code></p>\n</main></body></html>\n");
    if (!b.ok) {
        free(b.s);
        return RENDER_E_NOMEM;
    }
    out->data = (unsigned char *)b.s;
    out->len = b.len;
    return 0;
}
