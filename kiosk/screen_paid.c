/*
 * screen_paid.c: the large green confirmation, shown only after the
 * server said "paid": the amount (after a partial payment, the whole paid
 * for the chosen invoices), payer and receipt number, with a sound, and
 * a QR code of the receipt's public page (or, from an older server, the
 * signed receipt) the payer's phone can open or keep.
 * Returns to the start by itself after a short while.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

#define SHOW_MS 20000u

/*
 * What the payer paid in all for the chosen invoices: this transfer and
 * the parts received before it in the session (a partial payment, then
 * the rest).
 */
static int64_t paid_in_all(const struct kiosk *k)
{
    int64_t all;

    if (money_add(k->s.received, k->s.paid_amount, &all) < 0)
        return k->s.paid_amount;
    return all;
}

static void enter(struct kiosk *k)
{
    sound_ding(k);
    kiosk_wake_at(k, k->entered_ms + SHOW_MS);
    flow_fetch_receipt(k);
    fprintf(stderr, "chopay-kiosk: paid amount=%lld in_all=%lld receipt=%s\n",
            (long long)k->s.paid_amount, (long long)paid_in_all(k),
            k->s.receipt);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (id && !strcmp(id, "done"))
        kiosk_goto(k, &kiosk_screen_welcome);
}

static void update(struct kiosk *k, uint32_t now)
{
    if (now - k->entered_ms >= SHOW_MS)
        kiosk_goto(k, &kiosk_screen_welcome);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    char amt[MONEY_FORMAT_MAX], line[200];
    int pad = ui_px(k, 24), y = ui_px(k, 12), qr = 0, cx, w;
    int64_t all = paid_in_all(k);
    int portrait = k->w < k->h;

    (void)r;
    ui_fill(k, (SDL_Rect){0, 0, k->w, k->h}, ui_green);
    if (k->s.receipt_qr[0] && !portrait) {
        /* the receipt to scan, white-framed, at the right */
        int bar = ui_bar_slot(k, 0, 3).y;
        qr = bar - 2 * pad < k->w * 2 / 5 ? bar - 2 * pad : k->w * 2 / 5;
        SDL_Rect a = {k->w - pad - qr, pad, qr, qr};
        ui_fill(k, a, ui_white);
        ui_qr(k, a, k->s.receipt_qr);
        ui_text_box(k, FONT_SMALL, 1, kiosk_tr(k, S_RECEIPT_SCAN),
                    (SDL_Rect){a.x, a.y + a.h, a.w, bar - a.y - a.h}, ui_white,
                    UI_CENTER);
        qr += pad;
    }
    w = k->w - 2 * pad - qr;
    cx = pad + w / 2;
    y += ui_text(k, FONT_HUGE, 1, "✓", cx, y, ui_white, UI_CENTER, w);
    y += ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_PAID_TITLE), cx, y, ui_white,
                 UI_CENTER, w);
    y += ui_px(k, 6);
    if (all != k->s.paid_amount)
        /* paid in parts: the whole of what the chosen invoices took */
        y += ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_PAID_IN_ALL), cx, y,
                     ui_white, UI_CENTER, w);
    money_format(all, amt, sizeof(amt));
    y += ui_text(k, FONT_HUGE, 1, amt, cx, y, ui_white, UI_CENTER, w);
    snprintf(line, sizeof(line), "%s: %s%s%s", kiosk_tr(k, S_PAYER),
             k->s.payer.code, k->s.payer.name[0] ? " · " : "", k->s.payer.name);
    y += ui_text(k, FONT_NORMAL, 0, line, cx, y, ui_white, UI_CENTER, w);
    snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_RECEIPT),
             k->s.receipt);
    y += ui_text(k, FONT_NORMAL, 1, line, cx, y, ui_white, UI_CENTER, w);
    if (k->s.receipt_qr[0] && portrait) {
        /* portrait: the receipt's QR under the text, centred */
        int bar = ui_bar_slot(k, 0, 3).y;
        int cap = 2 * TTF_FontHeight(k->font[1][FONT_SMALL]);
        int side = bar - y - 2 * pad - cap;
        if (side > w)
            side = w;
        if (side > 0) {
            SDL_Rect a = {(k->w - side) / 2, y + pad, side, side};
            ui_fill(k, a, ui_white);
            ui_qr(k, a, k->s.receipt_qr);
            ui_text_box(k, FONT_SMALL, 1, kiosk_tr(k, S_RECEIPT_SCAN),
                        (SDL_Rect){pad, a.y + a.h, w, cap}, ui_white,
                        UI_CENTER);
        }
    }
    ui_button(k, ui_bar_slot(k, qr ? 0 : 1, 3), "done", kiosk_tr(k, S_DONE),
              UI_SECONDARY, 1);
}

const struct kiosk_screen kiosk_screen_paid = {
    .name = "paid",
    .enter = enter,
    .on_event = on_event,
    .update = update,
    .draw = draw,
};
