/*
 * screen_error.c: what went wrong in plain words, what to do about it,
 * and the technical detail (the server's error code) in small type for
 * the fee collector; "try again" returns to where the error came from.
 */
#include "kiosk.h"

#include <string.h>

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strcmp(id, "retry") && k->s.err_retry)
        kiosk_goto(k, k->s.err_retry);
    else if (!strcmp(id, "home"))
        kiosk_goto(k, &kiosk_screen_welcome);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    int pad = ui_px(k, 24), y, w = k->w - 2 * pad, h = ui_px(k, 56), bh;

    (void)r;
    ui_fill(k, (SDL_Rect){0, 0, k->w, h}, ui_red);
    ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, S_ERROR_TITLE), pad,
            (h - ui_px(k, 34)) / 2, ui_white, UI_LEFT, w);
    y = h + ui_px(k, 24);
    /* what happened and what to do: two lines each rather than tiny */
    bh = 2 * TTF_FontHeight(k->font[1][FONT_LARGE]);
    ui_text_box(k, FONT_LARGE, 1, kiosk_tr(k, k->s.err_what),
                (SDL_Rect){pad, y, w, bh}, ui_red, UI_CENTER);
    y += bh + ui_px(k, 10);
    bh = 2 * TTF_FontHeight(k->font[0][FONT_NORMAL]);
    ui_text_box(k, FONT_NORMAL, 0, kiosk_tr(k, k->s.err_hint),
                (SDL_Rect){pad, y, w, bh}, ui_fg, UI_CENTER);
    y += bh + ui_px(k, 10);
    ui_text(k, FONT_SMALL, 0, k->s.err_detail, k->w / 2, y, ui_muted, UI_CENTER,
            w);
    if (k->s.err_retry) {
        ui_button(k, ui_bar_slot(k, 0, 2), "home", kiosk_tr(k, S_HOME),
                  UI_SECONDARY, 1);
        ui_button(k, ui_bar_slot(k, 1, 2), "retry", kiosk_tr(k, S_RETRY),
                  UI_PRIMARY, 1);
    } else {
        ui_button(k, ui_bar_slot(k, 0, 1), "home", kiosk_tr(k, S_HOME),
                  UI_PRIMARY, 1);
    }
}

const struct kiosk_screen kiosk_screen_error = {
    .name = "error",
    .on_event = on_event,
    .draw = draw,
};
