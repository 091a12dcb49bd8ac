/*
 * render_standee.c: the stall QR standee: a market header,
 * the stall code and vendor name large, the vendor's static VietQR, the
 * bank, account number and holder, and how to pay, in Vietnamese.
 */
#include <stdio.h>
#include <string.h>

#include "bank.h"
#include "render_int.h"
#include "vietqr.h"

int render_standee_payload(const struct standee_info *s, char *out, size_t cap)
{
    struct vietqr_request req;

    if (!s || !s->bin || !s->account || !out)
        return RENDER_E_ARG;
    if (!bank_by_bin(s->bin))
        return RENDER_E_BANK;
    memset(&req, 0, sizeof req);
    req.bin = s->bin;
    req.account = s->account;
    req.service = VIETQR_TO_ACCOUNT;
    req.amount = 0;     /* static: the shopper types the amount */
    req.content = NULL; /* and the content, if any */
    if (vietqr_encode(&req, out, cap) != 0)
        return RENDER_E_VIETQR;
    return 0;
}

/* Everything on the page; the caller owns begin/end. */
static int draw_standee(struct page *p, const struct standee_info *s,
                        const char *payload, const struct bank *b)
{
    cairo_t *cr = p->cr;
    const double mx = 16, w = PAGE_W - 2 * mx, cx = PAGE_W / 2;
    char line[256];
    int rc;

    if ((rc = font_use(cr, 0, 10)) != 0)
        return rc;
    /* Header band: the market. */
    cairo_set_source_rgb(cr, 0.04, 0.33, 0.58);
    cairo_rectangle(cr, 0, 0, PAGE_W, 40);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    text_fit(cr, s->market && *s->market ? s->market : "Chợ 4.0", cx, 26, w,
             ALIGN_CENTER, 1, 15, 8);
    /* Stall code and vendor. */
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_fit(cr, s->stall_code, cx, 80, w, ALIGN_CENTER, 1, 34, 14);
    text_fit(cr, s->vendor, cx, 104, w, ALIGN_CENTER, 0, 17, 9);
    /* The QR, 4-module quiet zone included in its square. */
    if ((rc = qr_draw(p, payload, cx - 88, 114, 176)) != 0)
        return rc;
    /* Bank and account. */
    snprintf(line, sizeof line, "Ngân hàng: %s",
             b->short_name && *b->short_name ? b->short_name : b->name);
    text_fit(cr, line, cx, 306, w, ALIGN_CENTER, 0, 11, 7);
    snprintf(line, sizeof line, "Số tài khoản: %s", s->account);
    text_fit(cr, line, cx, 324, w, ALIGN_CENTER, 1, 13, 8);
    snprintf(line, sizeof line, "Chủ tài khoản: %s", s->holder);
    text_fit(cr, line, cx, 341, w, ALIGN_CENTER, 0, 11, 7);
    /* How to pay. */
    cairo_set_source_rgb(cr, 0.04, 0.33, 0.58);
    cairo_rectangle(cr, mx, 352, w, 0.8);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    text_wrap(cr,
              "Quét mã bằng ứng dụng ngân hàng để thanh toán cho sạp. "
              "Nhập số tiền, kiểm tra tên chủ tài khoản trước khi chuyển.",
              cx, 368, w, ALIGN_CENTER, 0, 10, 13, 3);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    text_fit(cr, "VietQR · Napas 247 · Chợ 4.0", cx, PAGE_H - 10, w,
             ALIGN_CENTER, 0, 7.5, 6);
    return cairo_status(cr) == CAIRO_STATUS_SUCCESS ? 0 : RENDER_E_CAIRO;
}

static int standee(const struct standee_info *s, const struct render_opts *o,
                   const char *path, struct render_buf *out)
{
    char payload[VIETQR_MAX_PAYLOAD];
    char title[RENDER_TEXT_MAX + 16];
    struct page p;
    int rc;

    if (!s || !o || (!path && !out) || !s->stall_code || !*s->stall_code ||
        !s->vendor || !s->holder || utf8_ok(s->stall_code) ||
        utf8_ok(s->vendor) || utf8_ok(s->holder) ||
        (s->market && utf8_ok(s->market)))
        return RENDER_E_ARG;
    if ((rc = render_standee_payload(s, payload, sizeof payload)) != 0)
        return rc;
    snprintf(title, sizeof title, "Standee %s", s->stall_code);
    if ((rc = page_begin(&p, o, title)) != 0)
        return rc;
    if ((rc = draw_standee(&p, s, payload, bank_by_bin(s->bin))) != 0) {
        page_abort(&p);
        return rc;
    }
    return page_end(&p, path, out);
}

int render_standee(const struct standee_info *s, const struct render_opts *o,
                   const char *path)
{
    if (!path)
        return RENDER_E_ARG;
    return standee(s, o, path, NULL);
}

int render_standee_mem(const struct standee_info *s,
                       const struct render_opts *o, struct render_buf *out)
{
    if (!out)
        return RENDER_E_ARG;
    return standee(s, o, NULL, out);
}
