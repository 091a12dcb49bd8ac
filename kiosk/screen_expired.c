/*
 * screen_expired.c: the QR expired (or was cancelled) without the money.
 * Says not to pay again if the payer already did, and offers a new QR
 * for the same invoices.
 */
#include "kiosk.h"

#include <string.h>

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);
    int64_t amount;

    if (!id || k->s.busy)
        return;
    if (!strcmp(id, "new-qr")) {
        amount = k->s.remaining ? k->s.remaining
                                : flow_selected_total(k, k->s.pay_all);
        flow_create_intent(k, amount);
    } else if (!strcmp(id, "home")) {
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    int top, pad = ui_px(k, 24), y, w = k->w - 2 * pad, hh;
    int other = k->s.paid_otherwise;
    enum kiosk_str title = other ? S_PAID_OTHERWISE : S_EXPIRED_TITLE;

    (void)r;
    top = ui_header(k, kiosk_tr(k, title));
    ui_fill(k, (SDL_Rect){0, top, k->w, ui_px(k, 12)},
            other ? ui_green : ui_amber);
    y = top + ui_px(k, 40);
    y += ui_text(k, FONT_HUGE, 1, kiosk_tr(k, title), k->w / 2, y, ui_fg,
                 UI_CENTER, w);
    y += ui_px(k, 20);
    hh = 2 * TTF_FontHeight(k->font[0][FONT_NORMAL]);
    ui_text_box(k, FONT_NORMAL, 0,
                kiosk_tr(k, other ? S_PAID_OTHERWISE_HINT : S_EXPIRED_HINT),
                (SDL_Rect){pad, y, w, hh}, ui_fg, UI_CENTER);
    if (k->s.busy)
        ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_CREATING_QR), k->w / 2,
                y + hh + ui_px(k, 8), ui_primary, UI_CENTER, w);
    if (other) {
        ui_button(k, ui_bar_slot(k, 0, 1), "home", kiosk_tr(k, S_DONE),
                  UI_PRIMARY, 1);
        return;
    }
    ui_button(k, ui_bar_slot(k, 0, 2), "home", kiosk_tr(k, S_HOME),
              UI_SECONDARY, !k->s.busy);
    ui_button(k, ui_bar_slot(k, 1, 2), "new-qr", kiosk_tr(k, S_NEW_QR),
              UI_PRIMARY, !k->s.busy);
}

const struct kiosk_screen kiosk_screen_expired = {
    .name = "expired",
    .on_event = on_event,
    .draw = draw,
};
