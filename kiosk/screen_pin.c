/*
 * screen_pin.c: the collector's PIN on a digit keypad, compared in
 * constant time with the configured one. Three wrong tries send the
 * kiosk back to the start.
 */
#include "kiosk.h"

#include <string.h>

#include "crypto.h"

static char pin[16];
static int tries;

static void enter(struct kiosk *k)
{
    (void)k;
    memset(pin, 0, sizeof(pin));
    tries = 0;
}

static void leave(struct kiosk *k)
{
    (void)k;
    memset(pin, 0, sizeof(pin));
}

static void add(struct kiosk *k, char c)
{
    size_t n = strlen(pin);

    if (c < '0' || c > '9' || n + 1 >= sizeof(pin))
        return;
    pin[n] = c;
    pin[n + 1] = '\0';
    k->s.has_msg = 0;
    kiosk_dirty(k);
}

static void submit(struct kiosk *k)
{
    if (k->cfg.pin[0] && crypto_equal_str(pin, k->cfg.pin)) {
        k->s.collector = 1;
        kiosk_goto(k, &kiosk_screen_collector);
        return;
    }
    memset(pin, 0, sizeof(pin));
    k->s.has_msg = 1;
    k->s.msg = S_PIN_WRONG;
    if (++tries >= 3)
        kiosk_goto(k, &kiosk_screen_welcome);
    kiosk_dirty(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);
    size_t n = strlen(pin);

    if (id) {
        if (!strncmp(id, "key-", 4))
            add(k, id[4]);
        else if (!strcmp(id, "del") && n)
            pin[n - 1] = '\0';
        else if (!strcmp(id, "ok"))
            submit(k);
        else if (!strcmp(id, "back"))
            kiosk_goto(k, &kiosk_screen_welcome);
        kiosk_dirty(k);
    } else if (ev->type == SDL_TEXTINPUT) {
        for (const char *p = ev->text.text; *p; p++)
            add(k, *p);
    } else if (ev->type == SDL_KEYDOWN) {
        if (ev->key.keysym.sym == SDLK_RETURN)
            submit(k);
        else if (ev->key.keysym.sym == SDLK_BACKSPACE && n)
            pin[n - 1] = '\0';
        else if (ev->key.keysym.sym == SDLK_ESCAPE)
            kiosk_goto(k, &kiosk_screen_welcome);
        kiosk_dirty(k);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    static const char keys[] = "123456789";
    char dots[64] = "";
    int top, pad = ui_px(k, 16), left_w = k->w * 2 / 5, gx, gy, kw, kh;

    (void)r;
    top = ui_header(k, kiosk_tr(k, S_PIN_TITLE));
    for (size_t i = 0; i < strlen(pin) && i < 12; i++)
        strcat(dots, "● ");
    ui_fill(k, (SDL_Rect){pad, top + pad, left_w - 2 * pad, ui_px(k, 90)},
            ui_white);
    ui_text(k, FONT_LARGE, 1, dots, left_w / 2, top + pad + ui_px(k, 20), ui_fg,
            UI_CENTER, left_w - 4 * pad);
    if (k->s.has_msg)
        ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, k->s.msg), pad,
                top + ui_px(k, 120), ui_red, UI_LEFT, left_w - 2 * pad);
    ui_button(k,
              (SDL_Rect){pad, k->h - pad - ui_px(k, 76), left_w - 2 * pad,
                         ui_px(k, 76)},
              "ok", kiosk_tr(k, S_CONTINUE), UI_PRIMARY, pin[0] != '\0');
    ui_button(k,
              (SDL_Rect){pad, k->h - 2 * (pad + ui_px(k, 76)), left_w - 2 * pad,
                         ui_px(k, 76)},
              "back", kiosk_tr(k, S_BACK), UI_SECONDARY, 1);
    gx = left_w;
    gy = top + pad;
    kw = (k->w - left_w - pad) / 3;
    kh = (k->h - gy - pad) / 4;
    for (int i = 0; i < 12; i++) {
        SDL_Rect kr = {gx + (i % 3) * kw, gy + (i / 3) * kh, kw - ui_px(k, 8),
                       kh - ui_px(k, 8)};
        char id[8] = "key-0", label[2] = "0";
        if (i == 9)
            continue;
        if (i == 11) {
            ui_button(k, kr, "del", kiosk_tr(k, S_DELETE), UI_SECONDARY, 1);
            continue;
        }
        if (i < 9) {
            id[4] = keys[i];
            label[0] = keys[i];
        }
        ui_button(k, kr, id, label, UI_KEY, 1);
    }
}

const struct kiosk_screen kiosk_screen_pin = {
    .name = "pin",
    .enter = enter,
    .leave = leave,
    .on_event = on_event,
    .draw = draw,
};
