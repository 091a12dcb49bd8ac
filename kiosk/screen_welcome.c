/*
 * screen_welcome.c: the start screen: a greeting, the organisation's
 * name, one big start button (two when the organisation collects both
 * market fees and tuition) in the words of its audience (market vendors
 * or a school's parents), the language toggle and, when a PIN is
 * configured, the way into collector mode. Entering it ends any session.
 * While the server refuses the kiosk's key (checked at start with the
 * directory request) it says so in a red band instead of the start
 * button.
 */
#include "kiosk.h"

#include <string.h>

static void enter(struct kiosk *k)
{
    memset(&k->s, 0, sizeof(k->s));
    k->lang = k->cfg.lang;
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id)
        return;
    if (!strncmp(id, "start", 5)) {
        if (!strcmp(id, "start-market"))
            k->s.audience = AUDIENCE_MARKET;
        else if (!strcmp(id, "start-school"))
            k->s.audience = AUDIENCE_SCHOOL;
        else
            k->s.audience = kiosk_audience(k);
        kiosk_goto(k, &kiosk_screen_code);
    } else if (!strcmp(id, "lang")) {
        k->lang = k->lang == LANG_VI ? LANG_EN : LANG_VI;
        kiosk_dirty(k);
    } else if (!strcmp(id, "collector")) {
        kiosk_goto(k, &kiosk_screen_pin);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    static const enum kiosk_str sub[] = {
        [AUDIENCE_ANY] = S_WELCOME_SUB,
        [AUDIENCE_MARKET] = S_WELCOME_SUB_MARKET,
        [AUDIENCE_SCHOOL] = S_WELCOME_SUB_SCHOOL};
    static const enum kiosk_str start[] = {[AUDIENCE_ANY] = S_START,
                                           [AUDIENCE_MARKET] = S_PAY_MARKET,
                                           [AUDIENCE_SCHOOL] = S_PAY_SCHOOL};
    int top, y, bw, bh = ui_px(k, 110), pad = ui_px(k, 24);
    int aud = kiosk_audience(k);
    const char *org = k->dir.org_name[0] ? k->dir.org_name : "chopay";

    (void)r;
    top = ui_header(k, org);
    y = top + ui_px(k, 28);
    y += ui_text(k, FONT_HUGE, 1, kiosk_tr(k, S_WELCOME), k->w / 2, y, ui_fg,
                 UI_CENTER, k->w - 2 * pad);
    y += ui_px(k, 8);
    if (!k->unauthorized)
        y += ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, sub[aud]), k->w / 2, y,
                     ui_muted, UI_CENTER, k->w - 2 * pad);
    y += ui_px(k, 28);
    if (k->unauthorized) {
        /* no start button: nothing can be paid with a refused key */
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 56)}, ui_red, ui_white,
                  kiosk_tr(k, S_ERR_AUTH));
        y += ui_px(k, 68);
        ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, S_ERR_AUTH_HINT), k->w / 2, y,
                ui_fg, UI_CENTER, k->w - 2 * pad);
    } else if (k->dir.has_market && k->dir.has_school) {
        bw = (k->w - 3 * pad) / 2;
        ui_button(k, (SDL_Rect){pad, y, bw, bh}, "start-market",
                  kiosk_tr(k, S_START_MARKET), UI_BIG, 1);
        ui_button(k, (SDL_Rect){2 * pad + bw, y, bw, bh}, "start-school",
                  kiosk_tr(k, S_START_SCHOOL), UI_BIG, 1);
    } else {
        bw = k->w * 2 / 3;
        ui_button(k, (SDL_Rect){(k->w - bw) / 2, y, bw, bh}, "start",
                  kiosk_tr(k, start[aud]), UI_BIG, 1);
    }
    ui_button(k, ui_bar_slot(k, 0, 3), "lang", kiosk_tr(k, S_LANG_OTHER),
              UI_SECONDARY, 1);
    if (k->cfg.pin[0])
        ui_button(k, ui_bar_slot(k, 2, 3), "collector",
                  kiosk_tr(k, S_COLLECTOR), UI_GHOST, 1);
}

const struct kiosk_screen kiosk_screen_welcome = {
    .name = "welcome",
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
