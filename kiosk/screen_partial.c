/*
 * screen_partial.c: part of the money arrived. Shows what was received
 * and what remains, asks the server for a new intent for the rest and
 * shows its QR here, polling it like the QR screen does.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

static void enter(struct kiosk *k)
{
    memset(&k->s.intent, 0, sizeof(k->s.intent));
    flow_create_intent(k, k->s.remaining);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (id && !strcmp(id, "cancel")) {
        flow_cancel_intent(k);
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    char a1[MONEY_FORMAT_MAX], a2[MONEY_FORMAT_MAX], line[160];
    int top, pad = ui_px(k, 16), y, bar = ui_bar_slot(k, 0, 2).y;
    uint32_t now = SDL_GetTicks();

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_PARTIAL_TITLE));
    money_format(k->s.received, a1, sizeof(a1));
    money_format(k->s.remaining, a2, sizeof(a2));
    ui_fill(k, (SDL_Rect){0, top, k->w, ui_px(k, 50)}, ui_amber);
    snprintf(line, sizeof(line), "%s: %s   ·   %s: %s", kiosk_tr(k, S_RECEIVED),
             a1, kiosk_tr(k, S_REMAINING), a2);
    ui_text(k, FONT_NORMAL, 1, line, k->w / 2, top + ui_px(k, 8), ui_fg,
            UI_CENTER, k->w - 2 * pad);
    y = top + ui_px(k, 50) + pad;
    if (k->s.intent.payload[0]) {
        ui_intent_panel(k, (SDL_Rect){pad, y, k->w - 2 * pad, bar - y - pad},
                        &k->s.intent, now);
        kiosk_wake_at(k, now + 1000 - (now - k->entered_ms) % 1000);
    } else {
        ui_text(k, FONT_LARGE, 1,
                kiosk_tr(k, k->s.busy ? S_CREATING_QR : S_PARTIAL_HINT),
                k->w / 2, y + ui_px(k, 60), ui_fg, UI_CENTER, k->w - 2 * pad);
    }
    ui_button(k, ui_bar_slot(k, 0, 2), "cancel", kiosk_tr(k, S_CANCEL),
              UI_SECONDARY, 1);
    ui_text(k, FONT_SMALL, 0, kiosk_tr(k, S_PARTIAL_HINT),
            ui_bar_slot(k, 1, 2).x, bar + ui_px(k, 24), ui_fg, UI_LEFT,
            ui_bar_slot(k, 1, 2).w);
}

const struct kiosk_screen kiosk_screen_partial = {
    .name = "partial",
    .keep_awake = 1,
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
