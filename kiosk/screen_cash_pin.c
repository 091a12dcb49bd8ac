/*
 * screen_cash_pin.c: an organisation whose collectors have PINs: the
 * collector types theirs on a big digit keypad before the cash is
 * recorded (checked online first, flow_verify_pin), or again for cash the
 * server refused for its PIN (flow_repin). A wrong PIN is said plainly,
 * with the tries left or that the collector is locked a while.
 */
#include "kiosk.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

#define PIN_MAX 8 /* digits, as the server takes them */

static void enter(struct kiosk *k)
{
    memset(k->s.pin, 0, sizeof(k->s.pin));
    k->s.busy = 0;
}

static void leave(struct kiosk *k)
{
    memset(k->s.pin, 0, sizeof(k->s.pin));
}

static void add(struct kiosk *k, char c)
{
    size_t n = strlen(k->s.pin);

    if (c < '0' || c > '9' || n >= PIN_MAX || k->s.busy)
        return;
    k->s.pin[n] = c;
    k->s.pin[n + 1] = '\0';
    kiosk_dirty(k);
}

static void del(struct kiosk *k)
{
    size_t n = strlen(k->s.pin);

    if (n && !k->s.busy)
        k->s.pin[n - 1] = '\0';
    kiosk_dirty(k);
}

static void submit(struct kiosk *k)
{
    if (strlen(k->s.pin) < 4 || k->s.busy)
        return;
    if (k->s.repin)
        flow_repin(k);
    else
        flow_verify_pin(k);
}

static void back(struct kiosk *k)
{
    if (k->s.busy)
        return;
    /* queued cash stays queued: it waits on the collector screen */
    kiosk_goto(k, k->s.repin ? &kiosk_screen_collector
                             : &kiosk_screen_cash_confirm);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (id) {
        if (!strncmp(id, "key-", 4))
            add(k, id[4]);
        else if (!strcmp(id, "del"))
            del(k);
        else if (!strcmp(id, "ok"))
            submit(k);
        else if (!strcmp(id, "back"))
            back(k);
    } else if (ev->type == SDL_TEXTINPUT) {
        for (const char *p = ev->text.text; *p; p++)
            add(k, *p);
    } else if (ev->type == SDL_KEYDOWN) {
        if (ev->key.keysym.sym == SDLK_RETURN)
            submit(k);
        else if (ev->key.keysym.sym == SDLK_BACKSPACE)
            del(k);
        else if (ev->key.keysym.sym == SDLK_ESCAPE)
            back(k);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    char line[200], amt[MONEY_FORMAT_MAX], dots[64] = "";
    int pad = ui_px(k, 16), left_w = k->w * 2 / 5, bh = ui_px(k, 76);
    int top, y, gx, gy, kw, kh, w;
    SDL_Rect box;

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_CASH_PIN_TITLE));
    w = left_w - 2 * pad;
    /* Left: whose cash, the PIN as dots, the answer, back / confirm. */
    money_format(k->s.repin ? k->s.paid_amount : k->s.cash_amount, amt,
                 sizeof(amt));
    snprintf(line, sizeof(line), "%s · %s", k->s.payer.code, amt);
    y = top + pad;
    y += ui_text(k, FONT_NORMAL, 1, line, pad, y, ui_fg, UI_LEFT, w);
    box = (SDL_Rect){pad, y + ui_px(k, 4), w, ui_px(k, 84)};
    ui_fill(k, box, ui_fg);
    ui_fill(k, (SDL_Rect){box.x + 3, box.y + 3, box.w - 6, box.h - 6},
            ui_white);
    for (size_t i = 0; i < strlen(k->s.pin); i++)
        strcat(dots, "● ");
    ui_text(k, FONT_HUGE, 1, dots, box.x + box.w / 2,
            box.y + (box.h - TTF_FontHeight(k->font[1][FONT_HUGE])) / 2, ui_fg,
            UI_CENTER, box.w - 2 * pad);
    y = box.y + box.h + ui_px(k, 8);
    if (k->s.busy) {
        ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_PIN_CHECKING), pad, y,
                ui_primary, UI_LEFT, w);
    } else if (k->s.pin_error == PIN_LOCKED) {
        ui_text_box(k, FONT_NORMAL, 1, kiosk_tr(k, S_PIN_LOCKED),
                    (SDL_Rect){pad, y, w, ui_px(k, 100)}, ui_red, UI_LEFT);
    } else if (k->s.pin_error == PIN_WRONG) {
        /* "Sai mã PIN." big, then the tries left */
        y += ui_text(k, FONT_LARGE, 1, kiosk_tr(k, S_PIN_WRONG), pad, y, ui_red,
                     UI_LEFT, w);
        if (k->s.pin_left > 0) {
            snprintf(line, sizeof(line), "%s: %d", kiosk_tr(k, S_PIN_LEFT),
                     k->s.pin_left);
            ui_text(k, FONT_NORMAL, 1, line, pad, y, ui_red, UI_LEFT, w);
        }
    }
    ui_button(k, (SDL_Rect){pad, k->h - pad - bh, w, bh}, "ok",
              kiosk_tr(k, S_CONFIRM), UI_BIG,
              strlen(k->s.pin) >= 4 && !k->s.busy);
    ui_button(k, (SDL_Rect){pad, k->h - 2 * (pad + bh), w, bh}, "back",
              kiosk_tr(k, S_BACK), UI_SECONDARY, !k->s.busy);
    /* Right: 1-9, delete, 0 in a 3 x 4 grid of big keys. */
    gx = left_w;
    gy = top + pad;
    kw = (k->w - left_w - pad) / 3;
    kh = (k->h - gy - pad) / 4;
    for (int i = 0; i < 12; i++) {
        SDL_Rect kr = {gx + (i % 3) * kw, gy + (i / 3) * kh, kw - ui_px(k, 8),
                       kh - ui_px(k, 8)};
        char id[8] = "key-0", label[2] = "0";
        if (i == 9) {
            ui_button(k, kr, "del", kiosk_tr(k, S_DELETE), UI_SECONDARY,
                      !k->s.busy);
            continue;
        }
        if (i == 11)
            continue;
        if (i < 9)
            id[4] = label[0] = (char)('1' + i);
        ui_button(k, kr, id, label, UI_KEY, !k->s.busy);
    }
}

const struct kiosk_screen kiosk_screen_cash_pin = {
    .name = "cash-pin",
    .enter = enter,
    .leave = leave,
    .on_event = on_event,
    .draw = draw,
};
