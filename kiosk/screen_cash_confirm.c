/*
 * screen_cash_confirm.c: before any cash is recorded, the collector sees
 * the amount in large type with the payer and confirms it ("Xác nhận") or
 * cancels ("Hủy", back to the dues); "another amount" opens the keypad
 * for a partial payment. Nothing is written until the confirmation.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strcmp(id, "confirm") && k->dir.collector_pins) {
        /* the collector's PIN first, then the cash is recorded */
        k->s.pin_error = PIN_OK;
        k->s.repin = 0;
        kiosk_goto(k, &kiosk_screen_cash_pin);
    } else if (!strcmp(id, "confirm")) {
        flow_record_cash(k, k->s.cash_amount, NULL);
    } else if (!strcmp(id, "other-amount")) {
        kiosk_goto(k, &kiosk_screen_cash_amount);
    } else if (!strcmp(id, "cancel")) {
        k->s.cash_amount = 0;
        kiosk_goto(k, &kiosk_screen_dues);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    char amt[MONEY_FORMAT_MAX], line[200];
    int pad = ui_px(k, 24), w = k->w - 2 * pad, cx = k->w / 2, y;

    (void)r;
    y = ui_header(k, kiosk_tr(k, S_CASH_CONFIRM_TITLE)) + ui_px(k, 16);
    y += ui_payer(k, y);
    y += ui_px(k, 10);
    y += ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, S_CASH_RECEIVED), cx, y,
                 ui_muted, UI_CENTER, w);
    money_format(k->s.cash_amount, amt, sizeof(amt));
    y += ui_text(k, FONT_HUGE, 1, amt, cx, y, ui_fg, UI_CENTER, w);
    if (k->s.cash_amount < k->s.cash_due) {
        char left[MONEY_FORMAT_MAX];
        money_format(k->s.cash_due - k->s.cash_amount, left, sizeof(left));
        snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_REMAINING), left);
        ui_text(k, FONT_LARGE, 0, line, cx, y + ui_px(k, 4), ui_fg, UI_CENTER,
                w);
    }
    ui_button(k, ui_bar_slot(k, 0, 3), "cancel", kiosk_tr(k, S_CANCEL),
              UI_SECONDARY, 1);
    ui_button(k, ui_bar_slot(k, 1, 3), "other-amount",
              kiosk_tr(k, S_OTHER_AMOUNT), UI_SECONDARY, 1);
    ui_button(k, ui_bar_slot(k, 2, 3), "confirm", kiosk_tr(k, S_CONFIRM),
              UI_PRIMARY, k->s.cash_amount > 0);
}

const struct kiosk_screen kiosk_screen_cash_confirm = {
    .name = "cash-confirm",
    .on_event = on_event,
    .draw = draw,
};
