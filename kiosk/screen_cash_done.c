/*
 * screen_cash_done.c: the cash was recorded (in the journal, fsync'd): the
 * amount and payer in large type and the receipt number once the server
 * gave one; until then that it is being sent, or, offline, that it waits
 * to be sent. With collectors' PINs, the collector's own cash of the day
 * once the server counted it. "Done" goes back to collector mode.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (id && !strcmp(id, "done"))
        kiosk_goto(k, &kiosk_screen_collector);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    char amt[MONEY_FORMAT_MAX];
    int pad = ui_px(k, 24), w = k->w - 2 * pad, cx = k->w / 2, y;

    (void)r;
    y = ui_header(k, kiosk_tr(k, S_CASH_RECORDED)) + ui_px(k, 16);
    y += ui_payer(k, y);
    money_format(k->s.paid_amount, amt, sizeof(amt));
    y += ui_text(k, FONT_HUGE, 1, amt, cx, y, ui_green, UI_CENTER, w);
    y += ui_px(k, 8);
    if (k->s.receipt[0]) {
        y += ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, S_RECEIPT), cx, y, ui_muted,
                     UI_CENTER, w);
        y +=
            ui_text(k, FONT_LARGE, 1, k->s.receipt, cx, y, ui_fg, UI_CENTER, w);
        if (k->s.my_cash_known) {
            /* the collector's own day, as the server counts it */
            char mine[MONEY_FORMAT_MAX], line[160];
            money_format(k->s.my_cash, mine, sizeof(mine));
            snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_MY_TODAY),
                     mine);
            ui_text(k, FONT_LARGE, 1, line, cx, y + ui_px(k, 6), ui_primary,
                    UI_CENTER, w);
        }
    } else {
        ui_text_box(k, FONT_LARGE, 0,
                    kiosk_tr(k, k->online ? S_CASH_SENDING : S_CASH_QUEUED),
                    (SDL_Rect){pad, y, w, ui_px(k, 96)},
                    k->online ? ui_primary : ui_amber, UI_CENTER);
    }
    ui_button(k, ui_bar_slot(k, 1, 3), "done", kiosk_tr(k, S_DONE), UI_PRIMARY,
              1);
}

const struct kiosk_screen kiosk_screen_cash_done = {
    .name = "cash-done",
    .on_event = on_event,
    .draw = draw,
};
