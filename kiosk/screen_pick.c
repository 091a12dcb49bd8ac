/*
 * screen_pick.c: finding the payer by tapping instead of typing: the
 * organisation's zones or classes (when the welcome screen had no room
 * for them all), then the stalls of the zone or the students of the
 * class as a grid of big buttons, from the cached directory. A tap looks
 * the payer up as a typed code would (on to the dues screen). Long lists
 * come in pages (▲/▼, a swipe or the wheel).
 */
#include "kiosk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PICK_MAX 512 /* cells of one list (the rest are not offered) */

size_t pick_groups(const struct kiosk *k, size_t *out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < k->dir.n_payers; i++) {
        const struct kiosk_dir_payer *p = &k->dir.payers[i];
        size_t j = 0;
        if (!p->group[0])
            continue;
        /* a group already seen is not new (a bounded look back) */
        for (size_t s = 0; s < i && j == 0; s++)
            if (k->dir.payers[s].is_class == p->is_class &&
                !strcmp(k->dir.payers[s].group, p->group))
                j = 1;
        if (j)
            continue;
        if (n < max)
            out[n] = i;
        n++;
    }
    return n;
}

void pick_group_label(const struct kiosk *k, const struct kiosk_dir_payer *p,
                      char *out, size_t cap)
{
    snprintf(out, cap, "%s %s", kiosk_tr(k, p->is_class ? S_CLASS : S_ZONE),
             p->group);
}

/*
 * Codes in the order people count them: runs of digits compared as
 * numbers ("B-2" before "B-10"); <0, 0 or >0.
 */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            size_t la, lb;
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            la = strspn(a, "0123456789");
            lb = strspn(b, "0123456789");
            if (la != lb)
                return la < lb ? -1 : 1;
            for (size_t i = 0; i < la; i++)
                if (a[i] != b[i])
                    return a[i] < b[i] ? -1 : 1;
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* The cells of the list shown: directory indexes, in natural order of
 * the codes (or groups); how many. */
static size_t cells(const struct kiosk *k, size_t *out)
{
    size_t n = 0;
    int groups = !k->s.group[0];

    if (groups) {
        n = pick_groups(k, out, PICK_MAX);
        if (n > PICK_MAX)
            n = PICK_MAX;
    } else {
        for (size_t i = 0; i < k->dir.n_payers && n < PICK_MAX; i++)
            if (!strcmp(k->dir.payers[i].group, k->s.group))
                out[n++] = i;
    }
    /* insertion sort: a few hundred at most, mostly in order already */
    for (size_t i = 1; i < n; i++) {
        size_t v = out[i], j = i;
        const struct kiosk_dir_payer *pv = &k->dir.payers[v];
        while (j > 0 && natural_cmp(groups ? k->dir.payers[out[j - 1]].group
                                           : k->dir.payers[out[j - 1]].code,
                                    groups ? pv->group : pv->code) > 0) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = v;
    }
    return n;
}

/* 1 when the cells are stalls (a code over its vendor's name). */
static int stall_cells(const struct kiosk *k, const size_t *idx, size_t n)
{
    return n && k->s.group[0] && !k->dir.payers[idx[0]].is_class;
}

/* The grid's geometry for the current size. */
struct grid {
    SDL_Rect area; /* where the cells go */
    int cols, rows, per_page, pages;
    int bar_y, bar_h; /* the bottom buttons */
};

/*
 * The grid of `n` cells; `stalls`: stall cells, a code over a name that
 * may take two lines, so wider and taller cells (and more pages).
 */
static struct grid grid_of(const struct kiosk *k, size_t n, int stalls)
{
    struct grid g;
    int pad = ui_px(k, 12), top = ui_px(k, 56);
    int cell_w = ui_px(k, 124), cell_h = ui_px(k, 60);

    g.bar_h = ui_px(k, 64);
    g.bar_y = k->h - pad - g.bar_h;
    g.area =
        (SDL_Rect){pad, top + pad, k->w - 2 * pad, g.bar_y - pad - top - pad};
    if (stalls) {
        cell_w = ui_px(k, 150);
        cell_h = TTF_FontHeight(k->font[1][FONT_NORMAL]) +
                 2 * TTF_FontHeight(k->font[0][FONT_SMALL]) + ui_px(k, 12);
    }
    g.cols = g.area.w / cell_w;
    if (g.cols < 2)
        g.cols = 2;
    if (g.cols > 6)
        g.cols = 6;
    g.rows = g.area.h / cell_h;
    if (g.rows < 1)
        g.rows = 1;
    /* few cells: fewer columns, so each is wider and its name readable */
    while (g.cols > 2 && (size_t)((g.cols - 1) * g.rows) >= n)
        g.cols--;
    g.per_page = g.cols * g.rows;
    g.pages = n ? (int)((n + (size_t)g.per_page - 1) / (size_t)g.per_page) : 1;
    return g;
}

static void enter(struct kiosk *k)
{
    k->s.pick_page = 0;
    k->s.has_msg = 0;
}

static void turn_page(struct kiosk *k, int by)
{
    size_t idx[PICK_MAX];
    size_t n = cells(k, idx);
    struct grid g = grid_of(k, n, stall_cells(k, idx, n));
    int page = k->s.pick_page + by;

    if (page < 0)
        page = 0;
    if (page > g.pages - 1)
        page = g.pages - 1;
    if (page != k->s.pick_page) {
        k->s.pick_page = page;
        kiosk_dirty(k);
    }
}

/* Cell `n` of the list tapped: a group opens, a payer is looked up. */
static void take(struct kiosk *k, const char *n)
{
    size_t idx[PICK_MAX], got = cells(k, idx);
    char *end;
    long i = strtol(n, &end, 10);
    const struct kiosk_dir_payer *p;

    if (*end || i < 0 || (size_t)i >= got)
        return;
    p = &k->dir.payers[idx[i]];
    if (!k->s.group[0]) {
        snprintf(k->s.group, sizeof(k->s.group), "%s", p->group);
        k->s.pick_page = 0;
        kiosk_dirty(k);
        return;
    }
    snprintf(k->s.code, sizeof(k->s.code), "%s", p->code);
    k->s.picked = 1;
    k->s.has_msg = 0;
    flow_lookup(k);
}

static void go_back(struct kiosk *k)
{
    /* to the list of groups when the welcome screen could not show them */
    if (k->s.group[0] && k->s.pick_list) {
        k->s.group[0] = '\0';
        k->s.pick_page = 0;
        kiosk_dirty(k);
        return;
    }
    kiosk_goto(k, &kiosk_screen_welcome);
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
    if (!id || k->s.busy) {
        if (!id && ev->type == SDL_KEYDOWN &&
            ev->key.keysym.sym == SDLK_ESCAPE && !k->s.busy)
            go_back(k);
        return;
    }
    if (!strncmp(id, "pick-", 5))
        take(k, id + 5);
    else if (!strcmp(id, "page-up"))
        turn_page(k, -1);
    else if (!strcmp(id, "page-down"))
        turn_page(k, 1);
    else if (!strcmp(id, "back"))
        go_back(k);
}

/* One cell: a group's label, or a payer's code over its name. */
static void draw_cell(struct kiosk *k, size_t n, size_t di, SDL_Rect c,
                      int font)
{
    const struct kiosk_dir_payer *p = &k->dir.payers[di];
    char id[32], label[160];
    int in = ui_px(k, 6), pressed;

    snprintf(id, sizeof(id), "pick-%zu", n);
    if (!k->s.group[0]) {
        pick_group_label(k, p, label, sizeof(label));
        ui_button(k, c, id, label, UI_PRIMARY, !k->s.busy);
        return;
    }
    pressed = k->pressed == ui_next_index(k);
    ui_fill(k, c, ui_fg);
    ui_fill(k, (SDL_Rect){c.x + 2, c.y + 2, c.w - 4, c.h - 4},
            pressed ? ui_panel : ui_white);
    if (p->is_class) {
        /* parents know the child's name: the name, large, on two lines */
        ui_text_box(k, font, 1, p->name,
                    (SDL_Rect){c.x + in, c.y + 2, c.w - 2 * in, c.h - 4}, ui_fg,
                    UI_CENTER);
    } else {
        /* the code, and under it the whole name: on two lines when long */
        int th = TTF_FontHeight(k->font[1][FONT_NORMAL]);
        int fh = TTF_FontHeight(k->font[0][font]);
        int lines = ui_text_width(k, font, 0, p->name) > c.w - 2 * in ? 2 : 1;
        int y = c.y + (c.h - th - lines * fh) / 2;
        ui_text(k, FONT_NORMAL, 1, p->code, c.x + c.w / 2, y, ui_fg, UI_CENTER,
                c.w - 2 * in);
        ui_text_box(k, font, 0, p->name,
                    (SDL_Rect){c.x + in, y + th, c.w - 2 * in, lines * fh},
                    ui_muted, UI_CENTER);
    }
    snprintf(label, sizeof(label), "%s", p->code);
    ui_register(k, c, id, label);
}

static void draw(struct kiosk *k, SDL_Renderer *r)
{
    size_t idx[PICK_MAX], n = cells(k, idx);
    struct grid g = grid_of(k, n, stall_cells(k, idx, n));
    int gap = ui_px(k, 8), cw, ch, first, slot_w;
    char title[96], glabel[64];
    int classes = n && k->dir.payers[idx[0]].is_class;

    (void)r;
    if (!k->s.group[0]) {
        snprintf(title, sizeof(title), "%s",
                 kiosk_tr(k, classes ? S_PICK_CLASSES : S_PICK_ZONES));
    } else {
        if (n)
            pick_group_label(k, &k->dir.payers[idx[0]], glabel, sizeof(glabel));
        snprintf(title, sizeof(title), "%s · %s", n ? glabel : k->s.group,
                 kiosk_tr(k, classes ? S_PICK_STUDENT : S_PICK_STALL));
    }
    ui_header(k, title);
    if (k->s.pick_page > g.pages - 1)
        k->s.pick_page = g.pages - 1; /* the window got smaller */
    cw = (g.area.w + gap) / g.cols - gap;
    ch = (g.area.h + gap) / g.rows - gap;
    if (ch > ui_px(k, 110))
        ch = ui_px(k, 110);
    first = k->s.pick_page * g.per_page;
    {
        /* the page's names in one size: the largest at which all fit */
        const char *names[PICK_MAX];
        int m = 0, font;
        for (int i = first; i < first + g.per_page && (size_t)i < n; i++)
            names[m++] = k->dir.payers[idx[i]].name;
        if (stall_cells(k, idx, n))
            /* stalls: the names under their codes, regular type */
            font =
                ui_list_font(k, FONT_NORMAL, 0, names, m, cw - ui_px(k, 12),
                             ch - 4 - TTF_FontHeight(k->font[1][FONT_NORMAL]));
        else
            font = ui_list_font(k, FONT_NORMAL, 1, names, m, cw - ui_px(k, 12),
                                ch - 4);
        for (int i = first; i < first + g.per_page && (size_t)i < n; i++) {
            int j = i - first;
            draw_cell(k, (size_t)i, idx[i],
                      (SDL_Rect){g.area.x + (j % g.cols) * (cw + gap),
                                 g.area.y + (j / g.cols) * (ch + gap), cw, ch},
                      font);
        }
    }
    /* the bar: back, and the pages when there are more than one */
    slot_w = g.pages > 1 ? (g.area.w - 2 * gap) / 3 : g.area.w / 3;
    ui_button(k, (SDL_Rect){g.area.x, g.bar_y, slot_w, g.bar_h}, "back",
              kiosk_tr(k, S_BACK), UI_SECONDARY, !k->s.busy);
    if (k->s.busy || k->s.has_msg)
        ui_text_box(k, FONT_NORMAL, 1,
                    kiosk_tr(k, k->s.busy ? S_LOOKING_UP : k->s.msg),
                    (SDL_Rect){g.area.x + slot_w + gap, g.bar_y,
                               g.area.w - slot_w - gap, g.bar_h},
                    k->s.busy ? ui_primary : ui_red, UI_LEFT);
    else if (g.pages > 1) {
        char pg[32];
        snprintf(pg, sizeof(pg), "%s %d/%d", kiosk_tr(k, S_PAGE_UP),
                 k->s.pick_page + 1, g.pages);
        ui_button(k,
                  (SDL_Rect){g.area.x + slot_w + gap, g.bar_y, slot_w, g.bar_h},
                  "page-up", pg, UI_KEY, k->s.pick_page > 0);
        snprintf(pg, sizeof(pg), "%s", kiosk_tr(k, S_PAGE_DOWN));
        ui_button(
            k,
            (SDL_Rect){g.area.x + 2 * (slot_w + gap), g.bar_y, slot_w, g.bar_h},
            "page-down", pg, UI_KEY, k->s.pick_page < g.pages - 1);
    }
}

const struct kiosk_screen kiosk_screen_pick = {
    .name = "pick",
    .enter = enter,
    .on_event = on_event,
    .draw = draw,
};
