/*
 * screen_code.c: entering a stall or student code (asked for as the one
 * or the other when the organisation is a market or a school, with one of
 * its codes as the example) on a big keypad (the
 * letters the organisation's codes use, digits, dash, delete), or on a
 * physical keyboard. "Continue" looks the code up on the server; an
 * unknown code is said so on this screen.
 */
#include "kiosk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void code_add_char(struct kiosk *k, char c)
{
    size_t n = strlen(k->s.code);

    c = (char)toupper((unsigned char)c);
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
        return;
    if (n >= KIOSK_CODE_MAX)
        return;
    k->s.code[n] = c;
    k->s.code[n + 1] = '\0';
    k->s.has_msg = 0;
    kiosk_dirty(k);
}

static void del_char(struct kiosk *k)
{
    size_t n = strlen(k->s.code);

    if (n)
        k->s.code[n - 1] = '\0';
    k->s.has_msg = 0;
    kiosk_dirty(k);
}

static void go_back(struct kiosk *k)
{
    kiosk_goto(k, k->s.collector ? &kiosk_screen_collector
                                 : &kiosk_screen_welcome);
}

static void submit(struct kiosk *k)
{
    if (k->s.code[0] && !k->s.busy)
        flow_lookup(k);
}

/* A suggested code tapped: look that one up. */
static void take_suggestion(struct kiosk *k, const char *n)
{
    char *end;
    long i = strtol(n, &end, 10);

    if (*end || i < 0 || i >= k->s.n_suggest)
        return;
    snprintf(k->s.code, sizeof(k->s.code), "%s", k->s.suggest[i]);
    k->s.has_msg = 0;
    submit(k);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (k->s.busy)
        return;
    if (id) {
        if (!strncmp(id, "key-", 4))
            code_add_char(k, id[4]);
        else if (!strcmp(id, "del"))
            del_char(k);
        else if (!strcmp(id, "ok"))
            submit(k);
        else if (!strcmp(id, "back"))
            go_back(k);
        else if (!strncmp(id, "suggest-", 8))
            take_suggestion(k, id + 8);
        else if (!strcmp(id, "type-again")) {
            k->s.has_msg = 0;
            kiosk_dirty(k);
        }
        return;
    }
    if (ev->type == SDL_TEXTINPUT) {
        for (const char *p = ev->text.text; *p; p++)
            code_add_char(k, *p);
    } else if (ev->type == SDL_KEYDOWN) {
        switch (ev->key.keysym.sym) {
        case SDLK_BACKSPACE:
            del_char(k);
            break;
        case SDLK_RETURN:
        case SDLK_KP_ENTER:
            submit(k);
            break;
        case SDLK_ESCAPE:
            go_back(k);
            break;
        default:
            break;
        }
    }
}

/*
 * In place of the keypad: the code was not found, in large type, with the
 * nearest codes of the directory to tap, or a plea to check it.
 */
static void draw_not_found(struct kiosk *k, SDL_Rect a)
{
    int pad = ui_px(k, 16), lh = TTF_FontHeight(k->font[1][FONT_LARGE]);
    int y = a.y + pad, bh = ui_px(k, 76), cols, kw, kh;
    SDL_Rect in = {a.x + pad, a.y, a.w - 2 * pad, a.h};

    ui_fill(k, a, ui_red);
    ui_fill(k, (SDL_Rect){a.x + 4, a.y + 4, a.w - 8, a.h - 8}, ui_white);
    ui_text_box(k, FONT_LARGE, 1, kiosk_tr(k, k->s.msg),
                (SDL_Rect){in.x, y, in.w, 2 * lh + ui_px(k, 4)}, ui_red,
                UI_CENTER);
    y += 2 * lh + ui_px(k, 12);
    if (k->s.n_suggest == 0) {
        ui_text_box(k, FONT_LARGE, 0, kiosk_tr(k, S_CODE_CHECK),
                    (SDL_Rect){in.x, y, in.w, 2 * lh + ui_px(k, 4)}, ui_fg,
                    UI_CENTER);
    } else {
        y += ui_text(k, FONT_LARGE, 0, kiosk_tr(k, S_DID_YOU_MEAN),
                     in.x + in.w / 2, y, ui_fg, UI_CENTER, in.w);
        y += ui_px(k, 8);
        int n = k->s.n_suggest, room = a.y + a.h - pad - bh - ui_px(k, 8) - y;
        cols = n > 1 ? 2 : 1;
        kw = in.w / cols;
        kh = room / ((n + cols - 1) / cols);
        if (kh < ui_px(k, 72)) {
            /* keys big enough to read beat more of them: the closest */
            n = cols;
            kh = room;
        }
        if (kh > ui_px(k, 84))
            kh = ui_px(k, 84);
        for (int i = 0; i < n; i++) {
            char id[24];
            snprintf(id, sizeof(id), "suggest-%d", i);
            ui_button(k,
                      (SDL_Rect){in.x + (i % cols) * kw, y + (i / cols) * kh,
                                 kw - (cols > 1 ? ui_px(k, 8) : 0),
                                 kh - ui_px(k, 8)},
                      id, k->s.suggest[i], UI_KEY, 1);
        }
    }
    ui_button(k, (SDL_Rect){in.x, a.y + a.h - pad - bh, in.w, bh}, "type-again",
              kiosk_tr(k, S_TYPE_AGAIN), UI_SECONDARY, 1);
}

/* "Ví dụ: HS1001": the directory's first code, else a made-up one. */
static void example(const struct kiosk *k, char *out, size_t cap)
{
    if (k->s.audience != AUDIENCE_ANY && k->dir.n_payers)
        snprintf(out, cap, "%s: %s", kiosk_tr(k, S_EXAMPLE),
                 k->dir.payers[0].code);
    else
        snprintf(out, cap, "%s", kiosk_tr(k, S_CODE_HINT));
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    static const enum kiosk_str title[] = {
        [AUDIENCE_ANY] = S_CODE_TITLE,
        [AUDIENCE_MARKET] = S_CODE_TITLE_MARKET,
        [AUDIENCE_SCHOOL] = S_CODE_TITLE_SCHOOL};
    char hint[64];
    int top, pad = ui_px(k, 16), left_w = k->w * 2 / 5;
    int gx, gy, gw, gh;
    SDL_Rect box;

    (void)r;
    top = ui_header(k, kiosk_tr(k, title[k->s.audience]));
    /* Left: what was typed, the message, back / continue. */
    box = (SDL_Rect){pad, top + pad, left_w - 2 * pad, ui_px(k, 100)};
    ui_fill(k, box, ui_fg);
    ui_fill(k, (SDL_Rect){box.x + 3, box.y + 3, box.w - 6, box.h - 6},
            ui_white);
    if (k->s.code[0])
        ui_text(k, FONT_HUGE, 1, k->s.code, box.x + box.w / 2,
                box.y + (box.h - TTF_FontHeight(k->font[1][FONT_HUGE])) / 2,
                ui_fg, UI_CENTER, box.w - 2 * pad);
    else {
        example(k, hint, sizeof(hint));
        ui_text(k, FONT_NORMAL, 0, hint, box.x + box.w / 2, box.y + box.h / 3,
                ui_muted, UI_CENTER, box.w - 2 * pad);
    }
    if (k->s.busy)
        ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_LOOKING_UP), pad,
                box.y + box.h + pad, ui_primary, UI_LEFT, box.w);
    {
        int bh = ui_px(k, 76), bw = box.w;
        ui_button(k, (SDL_Rect){pad, k->h - pad - bh, bw, bh}, "ok",
                  kiosk_tr(k, S_CONTINUE), UI_PRIMARY,
                  k->s.code[0] && !k->s.busy);
        ui_button(k, (SDL_Rect){pad, k->h - 2 * (pad + bh), bw, bh}, "back",
                  kiosk_tr(k, S_BACK), UI_SECONDARY, !k->s.busy);
    }
    /* Right: the keypad, plus delete (or why the code was not taken). */
    gx = left_w;
    gy = top + pad;
    gw = k->w - left_w - pad;
    gh = k->h - gy - pad;
    if (k->s.has_msg) {
        draw_not_found(k, (SDL_Rect){gx, gy, gw - ui_px(k, 8), gh});
        return;
    }
    ui_keypad(k, (SDL_Rect){gx, gy, gw, gh}, !k->s.busy);
}

const struct kiosk_screen kiosk_screen_code = {
    .name = "code",
    .on_event = on_event,
    .draw = draw,
};
