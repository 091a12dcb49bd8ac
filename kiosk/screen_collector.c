/*
 * screen_collector.c: collector mode: the day's totals by method for the
 * whole organisation as the server counts them (GET /v1/kiosk/totals, its
 * day), this kiosk's share and its records still waiting to be sent; when
 * the server cannot be reached, this kiosk's own journal, labelled as
 * such. Also the result of the last cash record, the way to record one,
 * and cash the server refused for its collector's PIN, to type it again.
 */
#include "kiosk.h"
#include "offline.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

#define REFRESH_MS 30000u

static void enter(struct kiosk *k)
{
    k->totals.have = 0;
    k->totals.refresh_ms = k->entered_ms + REFRESH_MS;
    flow_fetch_totals(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strcmp(id, "record-cash")) {
        k->s.code[0] = '\0';
        k->s.note[0] = '\0';
        k->s.audience = kiosk_audience(k);
        kiosk_goto(k, &kiosk_screen_code);
    } else if (!strcmp(id, "repin") && flow_load_needs_pin(k) == 0) {
        kiosk_goto(k, &kiosk_screen_cash_pin);
    } else if (!strcmp(id, "exit")) {
        kiosk_goto(k, &kiosk_screen_welcome);
    }
}

static void update(struct kiosk *k, uint32_t now)
{
    /* Other kiosks take money too: keep the figures fresh. */
    if ((int32_t)(now - k->totals.refresh_ms) >= 0) {
        k->totals.refresh_ms = now + REFRESH_MS;
        flow_fetch_totals(k);
    }
}

/* "1.510.000 ₫ (3 khoản)" */
static void money_count(const struct kiosk *k, int64_t amount, int n, char *out,
                        size_t cap)
{
    char a[MONEY_FORMAT_MAX];

    money_format(amount, a, sizeof(a));
    snprintf(out, cap, "%s (%d %s)", a, n, kiosk_tr(k, S_PAYMENTS));
}

/* A narrow (portrait) screen puts each value under its label. */
static int narrow(const struct kiosk *k)
{
    return k->w < ui_px(k, 700);
}

/* "label      value" (or label over value when narrow); its height. */
static int row(struct kiosk *k, int y, const char *label, const char *value)
{
    int pad = ui_px(k, 32);

    if (narrow(k)) {
        y += ui_text(k, FONT_NORMAL, 0, label, pad, y, ui_fg, UI_LEFT,
                     k->w - 2 * pad);
        ui_text(k, FONT_LARGE, 1, value, k->w - pad, y, ui_fg, UI_RIGHT,
                k->w - 2 * pad);
        return ui_px(k, 92);
    }
    ui_text(k, FONT_NORMAL, 0, label, pad, y + ui_px(k, 6), ui_fg, UI_LEFT,
            k->w / 3);
    ui_text(k, FONT_LARGE, 1, value, k->w - pad, y, ui_fg, UI_RIGHT,
            k->w * 2 / 3 - 2 * pad);
    return ui_px(k, 52);
}

/* "22/11/2026" from "2026-11-22". */
static void day_dmy(const char *ymd, char *out, size_t cap)
{
    if (strlen(ymd) == 10)
        snprintf(out, cap, "%.2s/%.2s/%.4s", ymd + 8, ymd + 5, ymd);
    else
        snprintf(out, cap, "%s", ymd);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    struct journal_sums js;
    const struct kiosk_totals *t = &k->totals;
    int top, y, pad = ui_px(k, 32), n;
    char v[96], line[200], day[11], dmy[16];

    (void)r;
    memset(&js, 0, sizeof(js));
    top = ui_header(k, kiosk_tr(k, S_COLLECTOR_TITLE));
    y = top + ui_px(k, 10);
    if (flow_totals(k, &js, day) < 0)
        fprintf(stderr, "chopay-kiosk: cannot read the journal\n");
    n = js.needs_pin > 0;
    if (t->have) {
        day_dmy(t->date, dmy, sizeof(dmy));
        snprintf(line, sizeof(line), "%s · %s", kiosk_tr(k, S_TOTALS_ORG), dmy);
        y += ui_text(k, FONT_NORMAL, 1, line, pad, y, ui_muted, UI_LEFT,
                     k->w - 2 * pad);
        y += ui_px(k, 6);
        money_count(k, t->transfer, t->n_transfer, v, sizeof(v));
        y += row(k, y, kiosk_tr(k, S_METHOD_TRANSFER), v);
        money_count(k, t->cash, t->n_cash, v, sizeof(v));
        y += row(k, y, kiosk_tr(k, S_METHOD_CASH), v);
        {
            char a1[MONEY_FORMAT_MAX], a2[MONEY_FORMAT_MAX];
            money_format(t->my_transfer, a1, sizeof(a1));
            money_format(t->my_cash, a2, sizeof(a2));
            snprintf(line, sizeof(line), "%s: %s %s · %s %s",
                     kiosk_tr(k, S_THIS_KIOSK), kiosk_tr(k, S_METHOD_TRANSFER),
                     a1, kiosk_tr(k, S_METHOD_CASH), a2);
            ui_text_box(k, FONT_SMALL, 0, line,
                        (SDL_Rect){pad, y, k->w - 2 * pad, ui_px(k, 44)}, ui_fg,
                        UI_LEFT);
            y += ui_px(k, 48);
        }
    } else {
        /* The journal alone: this kiosk, by the server's clock if known. */
        day_dmy(day, dmy, sizeof(dmy));
        if (t->busy && k->online) {
            snprintf(line, sizeof(line), "%s", kiosk_tr(k, S_TOTALS_LOADING));
            ui_text(k, FONT_NORMAL, 1, line, pad, y, ui_primary, UI_LEFT,
                    k->w - 2 * pad);
        } else {
            snprintf(line, sizeof(line), "%s · %s", kiosk_tr(k, S_TOTALS_LOCAL),
                     dmy);
            ui_banner(k, (SDL_Rect){0, y - ui_px(k, 10), k->w, ui_px(k, 40)},
                      ui_amber, ui_fg, line);
        }
        y += ui_px(k, 36);
        money_count(k, js.transfer, js.n_transfer, v, sizeof(v));
        y += row(k, y, kiosk_tr(k, S_METHOD_TRANSFER), v);
        money_count(k, js.cash, js.n_cash, v, sizeof(v));
        y += row(k, y, kiosk_tr(k, S_METHOD_CASH), v);
    }
    y += ui_px(k, 4);
    {
        char a[MONEY_FORMAT_MAX];
        money_format(js.pending_cash, a, sizeof(a));
        snprintf(v, sizeof(v), "%d (%s)", js.pending, a);
        y += row(k, y, kiosk_tr(k, S_PENDING_SYNC), v);
    }
    if (js.needs_pin > 0) {
        /* cash refused for its PIN: kept, waiting for its collector */
        snprintf(line, sizeof(line), "%s: %d", kiosk_tr(k, S_NEEDS_PIN),
                 js.needs_pin);
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 40)}, ui_red, ui_white,
                  line);
    } else if (k->s.note[0]) {
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 40)},
                  k->online ? ui_panel : ui_amber, ui_fg, k->s.note);
    }
    ui_button(k, ui_bar_slot(k, 0, 2 + n), "exit", kiosk_tr(k, S_EXIT),
              UI_SECONDARY, 1);
    if (n)
        ui_button(k, ui_bar_slot(k, 1, 3), "repin",
                  kiosk_tr(k, S_ENTER_PIN_AGAIN), UI_DANGER, 1);
    ui_button(k, ui_bar_slot(k, 1 + n, 2 + n), "record-cash",
              kiosk_tr(k, S_RECORD_CASH), UI_PRIMARY, 1);
}

const struct kiosk_screen kiosk_screen_collector = {
    .name = "collector",
    .enter = enter,
    .on_event = on_event,
    .update = update,
    .draw = draw,
};
