/*
 * screen_collector.c: collector mode: today's totals by method as this
 * kiosk recorded them (confirmed transfers, cash, and records still
 * waiting to be sent), the result of the last cash record, and the way
 * to record cash for a payer's invoices.
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
    if (!strcmp(id, "record-cash")) {
        k->s.code[0] = '\0';
        k->s.note[0] = '\0';
        kiosk_goto(k, &kiosk_screen_code);
    } else if (!strcmp(id, "exit")) {
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void row(struct kiosk *k, int y, const char *label, const char *value)
{
    int pad = ui_px(k, 32);

    ui_text(k, FONT_NORMAL, 0, label, pad, y, ui_fg, UI_LEFT, k->w / 2);
    ui_text(k, FONT_LARGE, 1, value, k->w - pad, y - ui_px(k, 6), ui_fg,
            UI_RIGHT, k->w / 2 - pad);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    int64_t tr = 0, ca = 0;
    int pending = 0, top, y, pad = ui_px(k, 32);
    char a[MONEY_FORMAT_MAX], n[16];

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_COLLECTOR_TITLE));
    y = top + ui_px(k, 16);
    flow_totals(k, &tr, &ca, &pending);
    y += ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_TODAY_TOTALS), pad, y,
                 ui_muted, UI_LEFT, k->w - 2 * pad);
    y += ui_px(k, 10);
    money_format(tr, a, sizeof(a));
    row(k, y, kiosk_tr(k, S_METHOD_TRANSFER), a);
    y += ui_px(k, 56);
    money_format(ca, a, sizeof(a));
    row(k, y, kiosk_tr(k, S_METHOD_CASH), a);
    y += ui_px(k, 56);
    snprintf(n, sizeof(n), "%d", pending);
    row(k, y, kiosk_tr(k, S_PENDING_SYNC), n);
    y += ui_px(k, 60);
    if (k->s.note[0])
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 44)},
                  k->online ? ui_panel : ui_amber, ui_fg, k->s.note);
    ui_button(k, ui_bar_slot(k, 0, 2), "exit", kiosk_tr(k, S_EXIT),
              UI_SECONDARY, 1);
    ui_button(k, ui_bar_slot(k, 1, 2), "record-cash",
              kiosk_tr(k, S_RECORD_CASH), UI_PRIMARY, 1);
}

const struct kiosk_screen kiosk_screen_collector = {
    .name = "collector",
    .on_event = on_event,
    .draw = draw,
};
