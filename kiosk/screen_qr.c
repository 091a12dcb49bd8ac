/*
 * screen_qr.c: the payment QR, large, with the bank, account holder,
 * account number, amount and payment code beside it and a countdown to
 * expiry; the long poll runs while it shows. An offline QR (built from
 * a reserved code) says plainly that confirmation will come later.
 */
#include "kiosk.h"

#include <string.h>

static void enter(struct kiosk *k)
{
    flow_poll(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strcmp(id, "paid"))
        kiosk_goto(k, &kiosk_screen_waiting);
    else if (!strcmp(id, "cancel")) {
        flow_cancel_intent(k);
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void update(struct kiosk *k, uint32_t now)
{
    /* Server unreachable long past expiry: stop offering this QR. */
    if (!k->s.intent.offline &&
        (int32_t)(now - k->s.intent.expires_tick) > 60000)
        kiosk_goto(k, &kiosk_screen_expired);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    int top, pad = ui_px(k, 16), bar = ui_bar_slot(k, 0, 2).y;
    uint32_t now = SDL_GetTicks();
    SDL_Rect a;

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_QR_TITLE));
    a = (SDL_Rect){pad, top + pad, k->w - 2 * pad, bar - top - 2 * pad};
    if (k->s.intent.offline) {
        int bh = ui_px(k, 40);
        ui_banner(k, (SDL_Rect){0, top, k->w, bh}, ui_amber, ui_fg,
                  kiosk_tr(k, S_OFFLINE_QR_NOTE));
        a.y += bh;
        a.h -= bh;
    }
    ui_intent_panel(k, a, &k->s.intent, now);
    ui_button(k, ui_bar_slot(k, 0, 2), "cancel", kiosk_tr(k, S_CANCEL),
              UI_SECONDARY, 1);
    ui_button(k, ui_bar_slot(k, 1, 2), "paid", kiosk_tr(k, S_I_PAID),
              UI_PRIMARY, 1);
    /* The countdown changes once a second. */
    kiosk_wake_at(k, now + 1000 - (now - k->entered_ms) % 1000);
}

const struct kiosk_screen kiosk_screen_qr = {
    .name = "qr",
    .keep_awake = 1,
    .enter = enter,
    .on_event = on_event,
    .update = update,
    .draw = draw,
};
