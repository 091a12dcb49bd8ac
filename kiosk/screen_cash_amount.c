/*
 * screen_cash_amount.c: a keypad for the cash actually handed over when it
 * is less than what is due (a partial payment): digits, "000" and delete,
 * the amount shown as it grows, never more than due (a key that would pass
 * it is refused and says so). "Continue" goes back to the confirmation.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

static void enter(struct kiosk *k)
{
    k->s.cash_typed = 0;
    k->s.has_msg = 0;
}

/* Append the digits of `digits` to the amount, unless it would pass due. */
static void add_digits(struct kiosk *k, const char *digits)
{
    int64_t v = k->s.cash_typed;

    for (const char *p = digits; *p; p++) {
        if (*p < '0' || *p > '9')
            return;
        if (money_mul(v, 10, &v) < 0 || money_add(v, *p - '0', &v) < 0 ||
            v > k->s.cash_due) {
            k->s.has_msg = 1;
            k->s.msg = S_CASH_TOO_MUCH;
            kiosk_dirty(k);
            return;
        }
    }
    k->s.cash_typed = v;
    k->s.has_msg = 0;
    kiosk_dirty(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (id) {
        if (!strncmp(id, "key-", 4)) {
            add_digits(k, id + 4);
        } else if (!strcmp(id, "del")) {
            k->s.cash_typed /= 10;
            k->s.has_msg = 0;
            kiosk_dirty(k);
        } else if (!strcmp(id, "ok") && k->s.cash_typed > 0) {
            k->s.cash_amount = k->s.cash_typed;
            kiosk_goto(k, &kiosk_screen_cash_confirm);
        } else if (!strcmp(id, "back")) {
            kiosk_goto(k, &kiosk_screen_cash_confirm);
        }
        return;
    }
    if (ev->type == SDL_TEXTINPUT) {
        add_digits(k, ev->text.text);
    } else if (ev->type == SDL_KEYDOWN &&
               ev->key.keysym.sym == SDLK_BACKSPACE) {
        k->s.cash_typed /= 10;
        k->s.has_msg = 0;
        kiosk_dirty(k);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    static const char *const keys[] = {"1", "2", "3", "4", "5",   "6",
                                       "7", "8", "9", "0", "000", NULL};
    char amt[MONEY_FORMAT_MAX], line[160];
    int pad = ui_px(k, 16), left_w = k->w * 2 / 5, top, y;
    int gx, gy, gw, gh, kw, kh, bh = ui_px(k, 76);
    SDL_Rect box;

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_CASH_AMOUNT_TITLE));
    /* Left: the amount, the most it may be, back / continue. */
    box = (SDL_Rect){pad, top + pad, left_w - 2 * pad, ui_px(k, 100)};
    ui_fill(k, box, ui_fg);
    ui_fill(k, (SDL_Rect){box.x + 3, box.y + 3, box.w - 6, box.h - 6},
            ui_white);
    money_format(k->s.cash_typed, amt, sizeof(amt));
    ui_text(k, FONT_LARGE, 1, amt, box.x + box.w - pad,
            box.y + (box.h - TTF_FontHeight(k->font[1][FONT_LARGE])) / 2, ui_fg,
            UI_RIGHT, box.w - 2 * pad);
    y = box.y + box.h + ui_px(k, 8);
    money_format(k->s.cash_due, amt, sizeof(amt));
    snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_AT_MOST), amt);
    y += ui_text(k, FONT_NORMAL, 1, line, pad, y, ui_fg, UI_LEFT, box.w);
    if (k->s.has_msg)
        ui_text_box(k, FONT_NORMAL, 1, kiosk_tr(k, k->s.msg),
                    (SDL_Rect){pad, y, box.w, ui_px(k, 64)}, ui_red, UI_LEFT);
    ui_button(k, (SDL_Rect){pad, k->h - pad - bh, box.w, bh}, "ok",
              kiosk_tr(k, S_CONTINUE), UI_PRIMARY, k->s.cash_typed > 0);
    ui_button(k, (SDL_Rect){pad, k->h - 2 * (pad + bh), box.w, bh}, "back",
              kiosk_tr(k, S_BACK), UI_SECONDARY, 1);
    /* Right: 1-9, 0, 000 and delete in a 3 x 4 grid. */
    gx = left_w;
    gy = top + pad;
    gw = k->w - left_w - pad;
    gh = k->h - gy - pad;
    kw = gw / 3;
    kh = gh / 4;
    for (int i = 0; i <= 11; i++) {
        SDL_Rect kr = {gx + (i % 3) * kw, gy + (i / 3) * kh, kw - ui_px(k, 8),
                       kh - ui_px(k, 8)};
        char id[16];
        if (!keys[i]) {
            ui_button(k, kr, "del", kiosk_tr(k, S_DELETE), UI_SECONDARY, 1);
            continue;
        }
        snprintf(id, sizeof(id), "key-%s", keys[i]);
        ui_button(k, kr, id, keys[i], UI_KEY, 1);
    }
}

const struct kiosk_screen kiosk_screen_cash_amount = {
    .name = "cash-amount",
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
