/*
 * screen_welcome.c: the start screen, where the payer begins at once: a
 * greeting in the words of the kiosk's audience (a market's vendors, a
 * school's parents), the code keypad (the first key typed goes on to the
 * code screen with it), the organisation's zones or classes to tap
 * instead of typing (on to the pick screen), the language toggle and,
 * when a PIN is configured, the way into collector mode. Entering it ends
 * any session. While the server refuses the kiosk's key (checked at
 * start with the directory request) it says so in a red band instead.
 */
#include "kiosk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUPS_SHOWN 12 /* zones or classes offered on this screen */

static void enter(struct kiosk *k)
{
    memset(&k->s, 0, sizeof(k->s));
    k->lang = k->cfg.lang;
}

/* The first character of a code: on to the code screen with it. */
static void begin_code(struct kiosk *k, char c)
{
    if (k->unauthorized)
        return;
    k->s.audience = kiosk_audience(k);
    code_add_char(k, c);
    if (k->s.code[0])
        kiosk_goto(k, &kiosk_screen_code);
}

/* A zone or class tapped ("group-N": the N-th), or all of them ("groups"). */
static void begin_pick(struct kiosk *k, const char *n)
{
    size_t idx[GROUPS_SHOWN], got = pick_groups(k, idx, GROUPS_SHOWN);
    char *end;
    long i = n ? strtol(n, &end, 10) : -1;

    k->s.audience = kiosk_audience(k);
    k->s.group[0] = '\0';
    k->s.pick_list = n == NULL;
    if (n && !*end && i >= 0 && (size_t)i < got && i < GROUPS_SHOWN)
        snprintf(k->s.group, sizeof(k->s.group), "%s",
                 k->dir.payers[idx[i]].group);
    kiosk_goto(k, &kiosk_screen_pick);
}

static void on_event(struct kiosk *k, const SDL_Event *ev)
{
    const char *id = ui_hit(k, ev);

    if (!id) {
        if (ev->type == SDL_TEXTINPUT)
            for (const char *p = ev->text.text; *p; p++)
                begin_code(k, *p);
        return;
    }
    if (!strncmp(id, "key-", 4)) {
        begin_code(k, id[4]);
    } else if (!strncmp(id, "group-", 6)) {
        begin_pick(k, id + 6);
    } else if (!strcmp(id, "groups")) {
        begin_pick(k, NULL);
    } else if (!strcmp(id, "lang")) {
        k->lang = k->lang == LANG_VI ? LANG_EN : LANG_VI;
        kiosk_dirty(k);
    } else if (!strcmp(id, "collector")) {
        kiosk_goto(k, &kiosk_screen_pin);
    }
}

/*
 * The zones or classes as big buttons in `a` (two or three across), or,
 * when they do not all fit, one button to the pick screen's list of them.
 */
static void draw_groups(struct kiosk *k, SDL_Rect a)
{
    size_t idx[GROUPS_SHOWN];
    size_t n = pick_groups(k, idx, GROUPS_SHOWN);
    int gap = ui_px(k, 8), minh = ui_px(k, 56), cols, rows, bw, bh;
    int classes = n && k->dir.payers[idx[0]].is_class;

    if (n == 0 || a.h < minh)
        return;
    cols = a.w > 2 * a.h ? 4 : n > 4 ? 3 : 2; /* a wide band: one row */
    rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
    bh = (a.h + gap) / rows - gap;
    if (n > GROUPS_SHOWN || bh < minh) {
        ui_button(k, (SDL_Rect){a.x, a.y, a.w, minh + gap}, "groups",
                  kiosk_tr(k, classes ? S_PICK_CLASSES : S_PICK_ZONES),
                  UI_PRIMARY, 1);
        return;
    }
    if (bh > ui_px(k, 90))
        bh = ui_px(k, 90);
    bw = (a.w + gap) / cols - gap;
    for (size_t i = 0; i < n; i++) {
        char id[32], label[64];
        snprintf(id, sizeof(id), "group-%zu", i);
        pick_group_label(k, &k->dir.payers[idx[i]], label, sizeof(label));
        ui_button(k,
                  (SDL_Rect){a.x + (int)(i % (size_t)cols) * (bw + gap),
                             a.y + (int)(i / (size_t)cols) * (bh + gap), bw,
                             bh},
                  id, label, UI_PRIMARY, 1);
    }
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    static const enum kiosk_str sub[] = {
        [AUDIENCE_ANY] = S_WELCOME_SUB,
        [AUDIENCE_MARKET] = S_WELCOME_SUB_MARKET,
        [AUDIENCE_SCHOOL] = S_WELCOME_SUB_SCHOOL};
    int top, y, pad = ui_px(k, 16), left_w = k->w * 2 / 5;
    int bh = ui_px(k, 60), lw, aud = kiosk_audience(k);
    const char *org = k->dir.org_name[0] ? k->dir.org_name : "chopay";
    size_t one[1];
    char line[160];

    (void)r;
    top = ui_header(k, org);
    if (k->unauthorized) {
        /* no keypad: nothing can be paid with a refused key */
        y = top + ui_px(k, 28);
        y += ui_text(k, FONT_HUGE, 1, kiosk_tr(k, S_WELCOME), k->w / 2, y,
                     ui_fg, UI_CENTER, k->w - 2 * pad);
        y = k->h * 41 / 100;
        ui_banner(k, (SDL_Rect){0, y, k->w, ui_px(k, 56)}, ui_red, ui_white,
                  kiosk_tr(k, S_ERR_AUTH));
        y += ui_px(k, 68);
        ui_text(k, FONT_NORMAL, 0, kiosk_tr(k, S_ERR_AUTH_HINT), k->w / 2, y,
                ui_fg, UI_CENTER, k->w - 2 * pad);
        ui_button(k, ui_bar_slot(k, 0, 3), "lang", kiosk_tr(k, S_LANG_OTHER),
                  UI_SECONDARY, 1);
        return;
    }
    if (k->w < k->h) {
        /* portrait: the greeting and the groups above, the keypad below */
        left_w = k->w;
    }
    lw = left_w - 2 * pad;
    y = top + pad;
    y += ui_text(k, FONT_HUGE, 1, kiosk_tr(k, S_WELCOME), pad, y, ui_fg,
                 UI_LEFT, lw);
    y += ui_text(k, FONT_NORMAL, 1, kiosk_tr(k, sub[aud]), pad, y, ui_fg,
                 UI_LEFT, lw);
    if (k->dir.n_payers) {
        snprintf(line, sizeof(line), "%s: %s", kiosk_tr(k, S_EXAMPLE),
                 k->dir.payers[0].code);
        y += ui_text(k, FONT_NORMAL, 0, line, pad, y, ui_fg, UI_LEFT, lw);
    }
    y += ui_px(k, 8);
    if (pick_groups(k, one, 1) > 0) {
        const struct kiosk_dir_payer *p = &k->dir.payers[one[0]];
        y +=
            ui_text(k, FONT_NORMAL, 0,
                    kiosk_tr(k, p->is_class ? S_OR_PICK_CLASS : S_OR_PICK_ZONE),
                    pad, y, ui_muted, UI_LEFT, lw);
        y += ui_px(k, 6);
        if (k->w < k->h) {
            int gh = ui_px(k, 64) * 2 + ui_px(k, 8);
            draw_groups(k, (SDL_Rect){pad, y, lw, gh});
            y += gh + pad;
        } else {
            draw_groups(k, (SDL_Rect){pad, y, lw, k->h - 2 * pad - bh - y});
        }
    }
    /* the language and the collector, small, under the groups */
    {
        int w = k->cfg.pin[0] ? (lw - pad) / 2 : lw;
        ui_button(k, (SDL_Rect){pad, k->h - pad - bh, w, bh}, "lang",
                  kiosk_tr(k, S_LANG_OTHER), UI_SECONDARY, 1);
        if (k->cfg.pin[0])
            ui_button(k, (SDL_Rect){2 * pad + w, k->h - pad - bh, w, bh},
                      "collector", kiosk_tr(k, S_COLLECTOR), UI_GHOST, 1);
    }
    if (k->w < k->h)
        ui_keypad(
            k, (SDL_Rect){pad, y, k->w - 2 * pad, k->h - 2 * pad - bh - y}, 1);
    else
        ui_keypad(k,
                  (SDL_Rect){left_w, top + pad, k->w - left_w - pad,
                             k->h - top - 2 * pad},
                  1);
}

const struct kiosk_screen kiosk_screen_welcome = {
    .name = "welcome",
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
