/*
 * screen_waiting.c: after "I have paid": a spinner (60 fps for the first
 * seconds, then a slow tick so an idle kiosk costs nothing) while the long
 * poll waits for the server. It never decides "paid" itself.
 */
#include "kiosk.h"

#include <math.h>
#include <string.h>

#define FAST_MS 20000u

static void enter(struct kiosk *k)
{
    k->animating = 1;
    flow_poll(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strcmp(id, "show-qr"))
        kiosk_goto(k, &kiosk_screen_qr);
    else if (!strcmp(id, "cancel")) {
        flow_cancel_intent(k);
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void update(struct kiosk *k, uint32_t now)
{
    if (k->animating && now - k->entered_ms > FAST_MS)
        k->animating = 0;
    if (!k->animating)
        kiosk_wake_at(k, now + 500 - (now - k->entered_ms) % 500);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    int top, pad = ui_px(k, 16), y, cx = k->w / 2, rad = ui_px(k, 50);
    int dot = ui_px(k, 14);
    uint32_t t = SDL_GetTicks() - k->entered_ms;
    int lit = (int)((t / 83) % 12);

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_WAITING_TITLE));
    y = top + pad + rad;
    for (int i = 0; i < 12; i++) {
        double a = (double)i * 3.14159265358979 / 6.0;
        int x = cx + (int)lround(sin(a) * rad) - dot / 2;
        int yy = y - (int)lround(cos(a) * rad) - dot / 2;
        int d = (lit - i + 12) % 12;
        SDL_Color c = d == 0 ? ui_primary : d < 4 ? ui_muted : ui_panel;
        ui_fill(k, (SDL_Rect){x, yy, dot, dot}, c);
    }
    y += rad + pad * 2;
    y += ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_WAITING_TITLE), cx, y, ui_fg,
                 UI_CENTER, k->w - 2 * pad);
    y += ui_px(k, 8);
    if (k->s.intent.offline || !k->online)
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 44)}, ui_amber, ui_fg,
                  kiosk_tr(k, k->s.intent.offline ? S_OFFLINE_QR_NOTE
                                                  : S_WAITING_OFFLINE));
    else
        ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, S_WAITING_SUB), cx, y, ui_muted,
                UI_CENTER, k->w - 2 * pad);
    ui_button(k, ui_bar_slot(k, 0, 2), "cancel", kiosk_tr(k, S_CANCEL),
              UI_SECONDARY, 1);
    ui_button(k, ui_bar_slot(k, 1, 2), "show-qr", kiosk_tr(k, S_SHOW_QR),
              UI_SECONDARY, 1);
}

const struct kiosk_screen kiosk_screen_waiting = {
    .name = "waiting",
    .keep_awake = 1,
    .enter = enter,
    .on_event = on_event,
    .update = update,
    .draw = draw,
};
