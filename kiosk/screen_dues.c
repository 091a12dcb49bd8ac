/*
 * screen_dues.c: the payer's open invoices (or, offline, the fees from the
 * cached directory) with their amounts in Vietnamese format; each row is
 * ticked or unticked by a tap. "Pay all" / "Pay selected" create the
 * payment intent; in collector mode the same buttons record cash.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

static void enter(struct kiosk *k)
{
    for (int i = 0; i < k->s.payer.n_inv; i++)
        k->s.payer.inv[i].selected = 1;
    k->s.remaining = 0;
    k->s.received = 0;
}

static int n_selected(const struct kiosk *k)
{
    int n = 0;

    for (int i = 0; i < k->s.payer.n_inv; i++)
        n += k->s.payer.inv[i].selected;
    return n;
}

static void choose(struct kiosk *k, int all)
{
    struct kiosk_payer *p = &k->s.payer;
    int64_t total;

    k->s.n_ids = 0;
    k->s.pay_all = all || p->offline || n_selected(k) == p->n_inv;
    if (!k->s.pay_all)
        for (int i = 0; i < p->n_inv; i++)
            if (p->inv[i].selected)
                k->s.inv_ids[k->s.n_ids++] = p->inv[i].id;
    total = flow_selected_total(k, all);
    if (total <= 0) {
        k->s.has_msg = 1;
        k->s.msg = S_NOTHING_SELECTED;
        kiosk_dirty(k);
        return;
    }
    if (k->s.collector)
        flow_record_cash(k, total);
    else
        flow_create_intent(k, total);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id || k->s.busy)
        return;
    if (!strncmp(id, "inv-", 4)) {
        int i = id[4] - '0';
        if (id[5])
            i = i * 10 + (id[5] - '0');
        if (i >= 0 && i < k->s.payer.n_inv) {
            k->s.payer.inv[i].selected ^= 1;
            k->s.has_msg = 0;
            kiosk_dirty(k);
        }
    } else if (!strcmp(id, "pay-all")) {
        choose(k, 1);
    } else if (!strcmp(id, "pay-selected")) {
        choose(k, 0);
    } else if (!strcmp(id, "back")) {
        kiosk_goto(k, &kiosk_screen_code);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    struct kiosk_payer *p = &k->s.payer;
    char title[200], amt[MONEY_FORMAT_MAX], line[160];
    int top, pad = ui_px(k, 16), y, rowh = ui_px(k, 58), shown = 0;
    int bar_top = ui_bar_slot(k, 0, 3).y, box = ui_px(k, 30);
    int64_t total = flow_selected_total(k, 0);
    int busy = k->s.busy, any = p->n_inv > 0;

    (void)r;
    snprintf(title, sizeof(title), "%s · %s", p->code,
             p->name[0] ? p->name : kiosk_tr(k, S_DUES_TITLE));
    top = ui_header(k, title);
    y = top + ui_px(k, 8);
    if (p->offline) {
        ui_banner(k, (SDL_Rect){0, y - ui_px(k, 8), k->w, ui_px(k, 36)},
                  ui_amber, ui_fg, kiosk_tr(k, S_OFFLINE_DUES));
        y += ui_px(k, 32);
    }
    if (!any)
        ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_NOTHING_DUE), k->w / 2,
                y + ui_px(k, 60), ui_green, UI_CENTER, k->w - 2 * pad);
    for (int i = 0; i < p->n_inv; i++) {
        struct kiosk_invoice *in = &p->inv[i];
        SDL_Rect rr = {pad, y, k->w - 2 * pad, rowh - ui_px(k, 6)};
        char id[24];
        if (y + rowh > bar_top - ui_px(k, 44))
            break;
        ui_fill(k, rr, in->selected ? ui_white : ui_panel);
        ui_fill(k, (SDL_Rect){rr.x + pad, rr.y + (rr.h - box) / 2, box, box},
                ui_fg);
        if (!in->selected)
            ui_fill(k,
                    (SDL_Rect){rr.x + pad + 3, rr.y + (rr.h - box) / 2 + 3,
                               box - 6, box - 6},
                    ui_white);
        else
            ui_fill(k,
                    (SDL_Rect){rr.x + pad + 3, rr.y + (rr.h - box) / 2 + 3,
                               box - 6, box - 6},
                    ui_primary);
        if (in->period[0] && !strstr(in->label, in->period))
            snprintf(line, sizeof(line), "%s · %s", in->label, in->period);
        else
            snprintf(line, sizeof(line), "%s", in->label);
        ui_text(k, FONT_NORMAL, 0, line, rr.x + 2 * pad + box,
                rr.y + (rr.h - TTF_FontHeight(k->font[0][FONT_NORMAL])) / 2,
                ui_fg, UI_LEFT, rr.w * 3 / 5);
        money_format(in->due, amt, sizeof(amt));
        ui_text(k, FONT_NORMAL, 1, amt, rr.x + rr.w - pad,
                rr.y + (rr.h - TTF_FontHeight(k->font[1][FONT_NORMAL])) / 2,
                ui_fg, UI_RIGHT, rr.w / 3);
        snprintf(id, sizeof(id), "inv-%d", i);
        ui_register(k, rr, id, in->label);
        y += rowh;
        shown++;
    }
    if (shown < p->n_inv) {
        snprintf(line, sizeof(line), "+%d …", p->n_inv - shown);
        ui_text(k, FONT_SMALL, 0, line, pad, y, ui_muted, UI_LEFT, 0);
    }
    if (any) {
        if (total < 0)
            total = 0;
        money_format(total, amt, sizeof(amt));
        snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_TOTAL), amt);
        ui_text(k, FONT_LARGE, 1, line, k->w - pad, bar_top - ui_px(k, 52),
                ui_fg, UI_RIGHT, k->w - 2 * pad);
    }
    if (busy)
        ui_text(k, FONT_NORMAL, 1,
                kiosk_tr(k, k->s.collector ? S_LOOKING_UP : S_CREATING_QR), pad,
                bar_top - ui_px(k, 44), ui_primary, UI_LEFT, k->w / 2);
    else if (k->s.has_msg)
        ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, k->s.msg), pad,
                bar_top - ui_px(k, 44), ui_red, UI_LEFT, k->w / 2);
    ui_button(k, ui_bar_slot(k, 0, 3), "back", kiosk_tr(k, S_BACK),
              UI_SECONDARY, !busy);
    if (!any)
        return;
    ui_button(k, ui_bar_slot(k, 1, 3), "pay-selected",
              kiosk_tr(k, k->s.collector ? S_CASH_SELECTED : S_PAY_SELECTED),
              UI_SECONDARY, !busy && n_selected(k) > 0);
    ui_button(k, ui_bar_slot(k, 2, 3), "pay-all",
              kiosk_tr(k, k->s.collector ? S_CASH_ALL : S_PAY_ALL), UI_PRIMARY,
              !busy);
}

const struct kiosk_screen kiosk_screen_dues = {
    .name = "dues",
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
