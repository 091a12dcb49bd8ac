/*
 * screen_paid.c: the large green confirmation, shown only after the
 * server said "paid": amount, payer and receipt number, with a sound.
 * Returns to the start by itself after a short while.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

#define SHOW_MS 20000u

static void enter(struct kiosk *k)
{
    sound_ding(k);
    kiosk_wake_at(k, k->entered_ms + SHOW_MS);
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
    int pad = ui_px(k, 24), y = ui_px(k, 20), cx = k->w / 2;
    int w = k->w - 2 * pad;

    (void)r;
    ui_fill(k, (SDL_Rect){0, 0, k->w, k->h}, ui_green);
    y += ui_text(k, FONT_HUGE, 1, "✓", cx, y, ui_white, UI_CENTER, w);
    y += ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_PAID_TITLE), cx, y, ui_white,
                 UI_CENTER, w);
    y += ui_px(k, 6);
    money_format(k->s.paid_amount, amt, sizeof(amt));
    y += ui_text(k, FONT_HUGE, 1, amt, cx, y, ui_white, UI_CENTER, w);
    snprintf(line, sizeof(line), "%s: %s%s%s", kiosk_tr(k, S_PAYER),
             k->s.payer.code, k->s.payer.name[0] ? " · " : "", k->s.payer.name);
    y += ui_text(k, FONT_NORMAL, 0, line, cx, y, ui_white, UI_CENTER, w);
    snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_RECEIPT),
             k->s.receipt);
    ui_text(k, FONT_NORMAL, 1, line, cx, y, ui_white, UI_CENTER, w);
    ui_button(k, ui_bar_slot(k, 1, 3), "done", kiosk_tr(k, S_DONE),
              UI_SECONDARY, 1);
}

const struct kiosk_screen kiosk_screen_paid = {
    .name = "paid",
    .enter = enter,
    .on_event = on_event,
    .update = update,
    .draw = draw,
};
