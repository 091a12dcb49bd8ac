/*
 * screen_dues.c: the payer's open invoices (or, offline, those the cached
 * directory holds) with their amounts in Vietnamese format; each row is
 * ticked or unticked by a tap. Long lists come in pages: big ▲/▼ buttons,
 * a swipe or the mouse wheel; ticks hold across pages. "Pay all" / "Pay
 * selected" create the payment intent; in collector mode they lead to the
 * cash confirmation.
 */
#include "kiosk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "money.h"

/* The list's geometry for the current size, computed like draw() does. */
struct layout {
    int top;      /* first row's y */
    int rowh;     /* row pitch */
    int per_page; /* rows that fit */
    int pages;    /* pages of rows */
    int pager_w;  /* width of the ▲/▼ column, 0 when one page is enough */
    int strip_y;  /* the line(s) with the select toggle and the total */
    int narrow;   /* 1: toggle under the total (a portrait screen) */
    int bar_top;  /* the bottom buttons */
};

static struct layout layout_of(const struct kiosk *k)
{
    const struct kiosk_payer *p = &k->s.payer;
    struct layout l;

    l.bar_top = ui_bar_slot(k, 0, 3).y;
    l.top = ui_px(k, 56) + ui_px(k, 8) + (p->offline ? ui_px(k, 32) : 0);
    l.rowh = ui_px(k, 58);
    l.narrow = k->w < ui_px(k, 700);
    l.strip_y = l.bar_top - ui_px(k, l.narrow ? 110 : 56);
    l.per_page = l.rowh > 0 ? (l.strip_y - ui_px(k, 4) - l.top) / l.rowh : 1;
    if (l.per_page < 1)
        l.per_page = 1;
    l.pages = p->n_inv > 0 ? (p->n_inv + l.per_page - 1) / l.per_page : 1;
    l.pager_w = l.pages > 1 ? ui_px(k, 110) : 0;
    return l;
}

static void enter(struct kiosk *k)
{
    for (int i = 0; i < k->s.payer.n_inv; i++)
        k->s.payer.inv[i].selected = 1;
    k->s.remaining = 0;
    k->s.received = 0;
    k->s.page = 0;
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
    if (k->s.collector) {
        /* nothing is recorded before the collector confirms the amount */
        k->s.cash_due = total;
        k->s.cash_amount = total;
        kiosk_goto(k, &kiosk_screen_cash_confirm);
    } else
        flow_create_intent(k, total);
}

static void turn_page(struct kiosk *k, int by)
{
    struct layout l = layout_of(k);
    int page = k->s.page + by;

    if (page < 0)
        page = 0;
    if (page > l.pages - 1)
        page = l.pages - 1;
    if (page != k->s.page) {
        k->s.page = page;
        kiosk_dirty(k);
    }
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    int swipe = ui_swipe(k, ev);
    const char *id;

    if (swipe) {
        if (!k->s.busy)
            turn_page(k, swipe);
        return;
    }
    id = ui_hit(k, ev);
    if (!id || k->s.busy)
        return;
    if (!strncmp(id, "inv-", 4)) {
        char *end;
        long i = strtol(id + 4, &end, 10);
        if (!*end && i >= 0 && i < k->s.payer.n_inv) {
            k->s.payer.inv[i].selected ^= 1;
            k->s.has_msg = 0;
            kiosk_dirty(k);
        }
    } else if (!strcmp(id, "page-up")) {
        turn_page(k, -1);
    } else if (!strcmp(id, "page-down")) {
        turn_page(k, 1);
    } else if (!strcmp(id, "select-all") || !strcmp(id, "select-none")) {
        int on = id[7] == 'a';
        for (int i = 0; i < k->s.payer.n_inv; i++)
            k->s.payer.inv[i].selected = on;
        k->s.has_msg = 0;
        kiosk_dirty(k);
    } else if (!strcmp(id, "pay-all")) {
        choose(k, 1);
    } else if (!strcmp(id, "pay-selected")) {
        choose(k, 0);
    } else if (!strcmp(id, "back")) {
        kiosk_goto(k, k->s.picked ? &kiosk_screen_pick : &kiosk_screen_code);
    }
}

/* The width of the amounts column: the widest amount, at most half `w`. */
static int amount_w(struct kiosk *k, int first, int last, int w)
{
    char amt[MONEY_FORMAT_MAX];
    int aw = 0;

    for (int i = first; i < last; i++) {
        money_format(k->s.payer.inv[i].due, amt, sizeof(amt));
        if (ui_text_width(k, FONT_NORMAL, 1, amt) > aw)
            aw = ui_text_width(k, FONT_NORMAL, 1, amt);
    }
    return aw > w / 2 ? w / 2 : aw;
}

/*
 * One invoice row (tick box, label as said, amount) at `rr`, the label in
 * `font` (the page's one size), the amounts `aw` wide.
 */
static void draw_row(struct kiosk *k, int i, SDL_Rect rr, int font, int aw)
{
    struct kiosk_invoice *in = &k->s.payer.inv[i];
    char amt[MONEY_FORMAT_MAX], line[160], id[24];
    int pad = ui_px(k, 16), box = ui_px(k, 30);
    SDL_Rect b = {rr.x + pad, rr.y + (rr.h - box) / 2, box, box};

    ui_fill(k, rr, in->selected ? ui_white : ui_panel);
    ui_fill(k, b, ui_fg);
    ui_fill(k, (SDL_Rect){b.x + 3, b.y + 3, box - 6, box - 6},
            in->selected ? ui_primary : ui_white);
    labels_spoken(k->lang, in->label, in->period, line, sizeof(line));
    money_format(in->due, amt, sizeof(amt));
    ui_text_box(
        k, font, 0, line,
        (SDL_Rect){rr.x + 2 * pad + box, rr.y, rr.w - 4 * pad - box - aw, rr.h},
        ui_fg, UI_LEFT);
    ui_text(k, FONT_NORMAL, 1, amt, rr.x + rr.w - pad,
            rr.y + (rr.h - TTF_FontHeight(k->font[1][FONT_NORMAL])) / 2, ui_fg,
            UI_RIGHT, aw);
    snprintf(id, sizeof(id), "inv-%d", i);
    ui_register(k, rr, id, in->label);
}

/* The ▲ page / ▼ column at the right of the list. */
static void draw_pager(struct kiosk *k, const struct layout *l)
{
    int pad = ui_px(k, 16), x = k->w - pad - l->pager_w;
    int h = l->per_page * l->rowh - ui_px(k, 6);
    int lab = TTF_FontHeight(k->font[0][FONT_SMALL]) +
              TTF_FontHeight(k->font[1][FONT_NORMAL]);
    int bh = (h - lab - ui_px(k, 8)) / 2, y;
    char n[32];

    if (bh < ui_px(k, 40))
        bh = ui_px(k, 40);
    ui_button(k, (SDL_Rect){x, l->top, l->pager_w, bh}, "page-up",
              kiosk_tr(k, S_PAGE_UP), UI_KEY, !k->s.busy && k->s.page > 0);
    y = l->top + bh + ui_px(k, 4);
    y += ui_text(k, FONT_SMALL, 0, kiosk_tr(k, S_PAGE), x + l->pager_w / 2, y,
                 ui_muted, UI_CENTER, l->pager_w);
    snprintf(n, sizeof(n), "%d/%d", k->s.page + 1, l->pages);
    ui_text(k, FONT_NORMAL, 1, n, x + l->pager_w / 2, y, ui_fg, UI_CENTER,
            l->pager_w);
    ui_button(k, (SDL_Rect){x, l->top + h - bh, l->pager_w, bh}, "page-down",
              kiosk_tr(k, S_PAGE_DOWN), UI_KEY,
              !k->s.busy && k->s.page < l->pages - 1);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    struct kiosk_payer *p = &k->s.payer;
    struct layout l = layout_of(k);
    char title[200], amt[MONEY_FORMAT_MAX], line[160];
    int top, pad = ui_px(k, 16), first, last;
    int64_t total = flow_selected_total(k, 0);
    int busy = k->s.busy, any = p->n_inv > 0, toggle_w = 0, sy;
    int list_w = k->w - 2 * pad - (l.pager_w ? l.pager_w + pad : 0);

    (void)r;
    snprintf(title, sizeof(title), "%s · %s", p->code,
             p->name[0] ? p->name : kiosk_tr(k, S_DUES_TITLE));
    top = ui_header(k, title);
    if (p->offline)
        ui_banner(k, (SDL_Rect){0, top, k->w, ui_px(k, 36)}, ui_amber, ui_fg,
                  kiosk_tr(k, S_OFFLINE_DUES));
    if (!any)
        ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_NOTHING_DUE), k->w / 2,
                l.top + ui_px(k, 60), ui_green, UI_CENTER, k->w - 2 * pad);
    if (k->s.page > l.pages - 1)
        k->s.page = l.pages - 1; /* the window got smaller */
    first = k->s.page * l.per_page;
    last = first + l.per_page < p->n_inv ? first + l.per_page : p->n_inv;
    {
        /* one size for the page's labels: the largest at which all fit */
        char said[KIOSK_MAX_INVOICES][160];
        const char *texts[KIOSK_MAX_INVOICES];
        int aw = amount_w(k, first, last, list_w), font, n = 0;
        int lw = list_w - 4 * pad - ui_px(k, 30) - aw;

        for (int i = first; i < last; i++) {
            labels_spoken(k->lang, p->inv[i].label, p->inv[i].period, said[n],
                          sizeof(said[n]));
            texts[n] = said[n];
            n++;
        }
        font =
            ui_list_font(k, FONT_NORMAL, 0, texts, n, lw, l.rowh - ui_px(k, 6));
        for (int i = first; i < last; i++)
            draw_row(k, i,
                     (SDL_Rect){pad, l.top + (i - first) * l.rowh, list_w,
                                l.rowh - ui_px(k, 6)},
                     font, aw);
    }
    if (l.pager_w)
        draw_pager(k, &l);
    if (p->n_more > 0) {
        snprintf(line, sizeof(line), "+%d …", p->n_more);
        ui_text(k, FONT_SMALL, 0, line, pad,
                l.top + l.per_page * l.rowh - ui_px(k, 6), ui_muted, UI_LEFT,
                0);
    }
    /*
     * The strip above the buttons: select all/none (or a message) and the
     * total side by side, or on two lines (toggle under) when narrow.
     */
    sy = l.strip_y + (l.narrow ? ui_px(k, 54) : 0);
    if (busy || k->s.has_msg) {
        toggle_w = l.narrow ? 0 : k->w / 2 - pad;
        ui_text(k, FONT_NORMAL, 1,
                busy
                    ? kiosk_tr(k, k->s.collector ? S_LOOKING_UP : S_CREATING_QR)
                    : kiosk_tr(k, k->s.msg),
                pad, sy + ui_px(k, 8), busy ? ui_primary : ui_red, UI_LEFT,
                l.narrow ? k->w - 2 * pad : toggle_w);
    } else if (p->n_inv > 1) {
        int all = n_selected(k) == p->n_inv;
        toggle_w = l.narrow ? 0 : ui_px(k, 250);
        ui_button(k,
                  (SDL_Rect){pad, sy, l.narrow ? k->w - 2 * pad : toggle_w,
                             ui_px(k, 46)},
                  all ? "select-none" : "select-all",
                  kiosk_tr(k, all ? S_SELECT_NONE : S_SELECT_ALL), UI_GHOST, 1);
    }
    if (any) {
        if (total < 0)
            total = 0;
        money_format(total, amt, sizeof(amt));
        snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_TOTAL), amt);
        ui_text(k, FONT_LARGE, 1, line, k->w - pad, l.strip_y, ui_fg, UI_RIGHT,
                k->w - 2 * pad - (toggle_w ? toggle_w + pad : 0));
    }
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
