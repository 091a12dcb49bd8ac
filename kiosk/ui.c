/*
 * ui.c: drawing for every screen: fonts found at run time (DejaVu from
 * Debian's fonts-dejavu-core, with fallback paths), scaled text, large
 * buttons registered for hit-testing and scripts, the QR code drawn as
 * filled modules, the intent panel, the header bar and PNG screenshots.
 */
#include "kiosk.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

const SDL_Color ui_bg = {0xF4, 0xF4, 0xEF, 0xFF};
const SDL_Color ui_fg = {0x11, 0x11, 0x11, 0xFF};
const SDL_Color ui_muted = {0x55, 0x55, 0x55, 0xFF};
const SDL_Color ui_primary = {0x0B, 0x4F, 0x9C, 0xFF};
const SDL_Color ui_green = {0x14, 0x7A, 0x32, 0xFF};
const SDL_Color ui_red = {0xB0, 0x1E, 0x1E, 0xFF};
const SDL_Color ui_amber = {0xF2, 0xB1, 0x1B, 0xFF};
const SDL_Color ui_white = {0xFF, 0xFF, 0xFF, 0xFF};
const SDL_Color ui_black = {0x00, 0x00, 0x00, 0xFF};
const SDL_Color ui_panel = {0xE2, 0xE2, 0xDA, 0xFF};

/* Design sizes (pixels at 800x480) of the four fonts. */
static const int font_px[FONT__N] = {20, 28, 40, 60};

static const char *const font_names[2] = {"DejaVuSans.ttf",
                                          "DejaVuSans-Bold.ttf"};
static const char *const font_dirs[] = {
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/usr/local/share/fonts/dejavu",
    CHOPAY_DATADIR "/fonts",
    "assets/fonts",
};

int ui_px(const struct kiosk *k, int v)
{
    return (int)((long)v * k->scale / 1000);
}

/* Find `name` in $CHOPAY_FONT_DIR or the search list. */
static int find_font(const char *name, char *out, size_t cap)
{
    const char *env = getenv("CHOPAY_FONT_DIR");
    FILE *f;

    for (int i = -1; i < (int)(sizeof(font_dirs) / sizeof(font_dirs[0])); i++) {
        const char *d = i < 0 ? env : font_dirs[i];
        if (!d || !d[0])
            continue;
        snprintf(out, cap, "%s/%s", d, name);
        f = fopen(out, "rb");
        if (f) {
            fclose(f);
            return 0;
        }
    }
    return -1;
}

void ui_fonts_free(struct kiosk *k)
{
    for (int b = 0; b < 2; b++)
        for (int i = 0; i < FONT__N; i++) {
            if (k->font[b][i])
                TTF_CloseFont(k->font[b][i]);
            k->font[b][i] = NULL;
        }
}

int ui_fonts_load(struct kiosk *k)
{
    ui_fonts_free(k);
    for (int b = 0; b < 2; b++) {
        if (!k->font_path[b][0] && find_font(font_names[b], k->font_path[b],
                                             sizeof(k->font_path[b])) < 0) {
            fprintf(stderr,
                    "chopay-kiosk: font %s not found (install "
                    "fonts-dejavu-core or set CHOPAY_FONT_DIR)\n",
                    font_names[b]);
            return -1;
        }
        for (int i = 0; i < FONT__N; i++) {
            int px = ui_px(k, font_px[i]);
            k->font[b][i] = TTF_OpenFont(k->font_path[b], px < 8 ? 8 : px);
            if (!k->font[b][i]) {
                fprintf(stderr, "chopay-kiosk: %s: %s\n", k->font_path[b],
                        TTF_GetError());
                ui_fonts_free(k);
                return -1;
            }
        }
    }
    return 0;
}

void ui_fill(struct kiosk *k, SDL_Rect r, SDL_Color c)
{
    SDL_SetRenderDrawColor(k->ren, c.r, c.g, c.b, c.a);
    SDL_RenderFillRect(k->ren, &r);
}

int ui_text(struct kiosk *k, int font, int bold, const char *s, int x, int y,
            SDL_Color c, int align, int max_w)
{
    SDL_Surface *surf;
    SDL_Texture *tex;
    SDL_Rect dst;
    TTF_Font *f;

    if (font < 0 || font >= FONT__N || !s || !s[0])
        return 0;
    f = k->font[bold ? 1 : 0][font];
    surf = TTF_RenderUTF8_Blended(f, s, c);
    if (!surf)
        return 0;
    dst.w = surf->w;
    dst.h = surf->h;
    if (max_w > 0 && dst.w > max_w) {
        /* Shrink to fit, keeping the aspect ratio. */
        dst.h = (int)((long)dst.h * max_w / dst.w);
        dst.w = max_w;
    }
    dst.x = align == UI_CENTER  ? x - dst.w / 2
            : align == UI_RIGHT ? x - dst.w
                                : x;
    dst.y = y;
    tex = SDL_CreateTextureFromSurface(k->ren, surf);
    if (tex) {
        SDL_RenderCopy(k->ren, tex, NULL, &dst);
        SDL_DestroyTexture(tex);
    }
    SDL_FreeSurface(surf);
    return dst.h;
}

int ui_text_width(struct kiosk *k, int font, int bold, const char *s)
{
    int w = 0, h = 0;

    if (font < 0 || font >= FONT__N || !s || !s[0] ||
        TTF_SizeUTF8(k->font[bold ? 1 : 0][font], s, &w, &h) < 0)
        return 0;
    return w;
}

/*
 * The index of the space of `s` that splits it into the two lines whose
 * wider one is the narrowest in `font`; 0 when none (or `s` too long).
 */
static size_t split_space(struct kiosk *k, int font, int bold, const char *s)
{
    char two[160];
    size_t n = strlen(s), best = 0;
    int bw = 0;

    if (n >= sizeof(two))
        return 0;
    for (size_t i = 1; i + 1 < n; i++) {
        int w1, w2;
        if (s[i] != ' ')
            continue;
        snprintf(two, sizeof(two), "%s", s);
        two[i] = '\0';
        w1 = ui_text_width(k, font, bold, two);
        w2 = ui_text_width(k, font, bold, two + i + 1);
        if (w2 > w1)
            w1 = w2;
        if (!best || w1 < bw) {
            best = i;
            bw = w1;
        }
    }
    return best;
}

void ui_text_box(struct kiosk *k, int font, int bold, const char *s, SDL_Rect r,
                 SDL_Color c, int align)
{
    int x = align == UI_CENTER  ? r.x + r.w / 2
            : align == UI_RIGHT ? r.x + r.w
                                : r.x;
    size_t split;
    char two[160];

    if (!s || !s[0])
        return;
    if (ui_text_width(k, font, bold, s) > r.w &&
        (split = split_space(k, font, bold, s)) > 0) {
        /* Two lines, at the largest size where both fit. */
        snprintf(two, sizeof(two), "%s", s);
        two[split] = '\0';
        for (int f = font; f >= FONT_SMALL; f--) {
            int th = TTF_FontHeight(k->font[bold ? 1 : 0][f]);
            if (2 * th > r.h)
                continue;
            if ((ui_text_width(k, f, bold, two) <= r.w &&
                 ui_text_width(k, f, bold, two + split + 1) <= r.w) ||
                f == FONT_SMALL) {
                ui_text(k, f, bold, two, x, r.y + r.h / 2 - th, c, align, r.w);
                ui_text(k, f, bold, two + split + 1, x, r.y + r.h / 2, c, align,
                        r.w);
                return;
            }
        }
    }
    ui_text(k, font, bold, s, x,
            r.y + (r.h - TTF_FontHeight(k->font[bold ? 1 : 0][font])) / 2, c,
            align, r.w);
}

/* 1 when `s` fits `w` x `h` in `font`: on one line, or on two. */
static int fits(struct kiosk *k, int font, int bold, const char *s, int w,
                int h)
{
    int th = TTF_FontHeight(k->font[bold ? 1 : 0][font]);
    size_t split;
    char two[160];

    if (th <= h && ui_text_width(k, font, bold, s) <= w)
        return 1;
    if (2 * th > h || (split = split_space(k, font, bold, s)) == 0)
        return 0;
    snprintf(two, sizeof(two), "%s", s);
    two[split] = '\0';
    return ui_text_width(k, font, bold, two) <= w &&
           ui_text_width(k, font, bold, two + split + 1) <= w;
}

int ui_list_font(struct kiosk *k, int font, int bold, const char *const *texts,
                 int n, int w, int h)
{
    for (int f = font; f > FONT_SMALL; f--) {
        int i = 0;
        while (i < n && fits(k, f, bold, texts[i], w, h))
            i++;
        if (i == n)
            return f;
    }
    return FONT_SMALL;
}

void ui_buttons_reset(struct kiosk *k)
{
    k->n_buttons = 0;
}

static SDL_Color darker(SDL_Color c)
{
    SDL_Color d = {(Uint8)(c.r * 3 / 4), (Uint8)(c.g * 3 / 4),
                   (Uint8)(c.b * 3 / 4), c.a};
    return d;
}

void ui_button(struct kiosk *k, SDL_Rect r, const char *id, const char *label,
               int style, int enabled)
{
    SDL_Color bg, fg, border = ui_fg;
    int idx = k->n_buttons, font = FONT_NORMAL, th;
    int bw = ui_px(k, 3) < 1 ? 1 : ui_px(k, 3);

    switch (style) {
    case UI_BIG:
        font = FONT_LARGE;
        /* fall through */
    case UI_PRIMARY:
        bg = ui_primary;
        fg = ui_white;
        border = ui_primary;
        break;
    case UI_DANGER:
        bg = ui_red;
        fg = ui_white;
        border = ui_red;
        break;
    case UI_KEY:
        bg = ui_white;
        fg = ui_fg;
        font = FONT_LARGE;
        break;
    case UI_GHOST:
        bg = ui_bg;
        fg = ui_primary;
        border = ui_primary;
        font = FONT_SMALL;
        break;
    default:
        bg = ui_panel;
        fg = ui_fg;
        break;
    }
    if (!enabled) {
        bg = ui_panel;
        fg = ui_muted;
        border = ui_muted;
    } else if (k->pressed == idx) {
        bg = darker(bg);
    }
    ui_fill(k, r, border);
    ui_fill(k, (SDL_Rect){r.x + bw, r.y + bw, r.w - 2 * bw, r.h - 2 * bw}, bg);
    th = TTF_FontHeight(k->font[1][font]);
    if (th > r.h - 2 * bw && font > FONT_SMALL)
        font--;
    ui_text_box(k, font, 1, label,
                (SDL_Rect){r.x + 2 * bw, r.y + bw, r.w - 4 * bw, r.h - 2 * bw},
                fg, UI_CENTER);
    if (idx < KIOSK_MAX_BUTTONS) {
        struct kiosk_button *b = &k->buttons[idx];
        b->r = r;
        snprintf(b->id, sizeof(b->id), "%s", id);
        snprintf(b->label, sizeof(b->label), "%s", label);
        b->enabled = enabled;
        k->n_buttons++;
    }
}

void ui_register(struct kiosk *k, SDL_Rect r, const char *id, const char *label)
{
    struct kiosk_button *b;

    if (k->n_buttons >= KIOSK_MAX_BUTTONS)
        return;
    b = &k->buttons[k->n_buttons++];
    b->r = r;
    snprintf(b->id, sizeof(b->id), "%s", id);
    snprintf(b->label, sizeof(b->label), "%s", label);
    b->enabled = 1;
}

/* The index the next registered button will get. */
int ui_next_index(const struct kiosk *k)
{
    return k->n_buttons;
}

static int button_at(const struct kiosk *k, int x, int y)
{
    for (int i = k->n_buttons - 1; i >= 0; i--) {
        const SDL_Rect *r = &k->buttons[i].r;
        if (x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h)
            return k->buttons[i].enabled ? i : -1;
    }
    return -1;
}

const char *ui_hit(struct kiosk *k, const SDL_Event *ev)
{
    int i;

    if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button.button == 1) {
        k->pressed = button_at(k, ev->button.x, ev->button.y);
        if (k->pressed >= 0)
            kiosk_dirty(k);
        return NULL;
    }
    if (ev->type == SDL_MOUSEBUTTONUP && ev->button.button == 1) {
        i = button_at(k, ev->button.x, ev->button.y);
        if (k->pressed >= 0)
            kiosk_dirty(k);
        if (i >= 0 && i == k->pressed) {
            k->pressed = -1;
            return k->buttons[i].id;
        }
        k->pressed = -1;
    }
    return NULL;
}

int ui_swipe(struct kiosk *k, const SDL_Event *ev)
{
    int dx, dy, min = ui_px(k, 60);

    if (ev->type == SDL_MOUSEBUTTONDOWN && ev->button.button == 1) {
        k->drag = 1;
        k->drag_x = ev->button.x;
        k->drag_y = ev->button.y;
        return 0;
    }
    if (ev->type == SDL_MOUSEWHEEL) {
        int y = ev->wheel.y;
        if (ev->wheel.direction == SDL_MOUSEWHEEL_FLIPPED)
            y = -y;
        return y > 0 ? -1 : y < 0 ? 1 : 0;
    }
    if (ev->type != SDL_MOUSEBUTTONUP || ev->button.button != 1 || !k->drag)
        return 0;
    k->drag = 0;
    dx = ev->button.x - k->drag_x;
    dy = ev->button.y - k->drag_y;
    if ((dy < 0 ? -dy : dy) < (min < 8 ? 8 : min) ||
        (dy < 0 ? -dy : dy) <= (dx < 0 ? -dx : dx))
        return 0;
    /* A swipe is not a tap: the button pressed at its start stays up. */
    if (k->pressed >= 0)
        kiosk_dirty(k);
    k->pressed = -1;
    return dy < 0 ? 1 : -1;
}

const struct kiosk_button *ui_find_button(const struct kiosk *k,
                                          const char *name)
{
    for (int i = 0; i < k->n_buttons; i++)
        if (!strcmp(k->buttons[i].id, name))
            return &k->buttons[i];
    for (int i = 0; i < k->n_buttons; i++)
        if (!strcmp(k->buttons[i].label, name))
            return &k->buttons[i];
    return NULL;
}

int ui_qr(struct kiosk *k, SDL_Rect area, const char *payload)
{
    QRcode *qr = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int total, m, x0, y0;

    if (!qr)
        return -1;
    total = qr->width + 8; /* 4-module quiet zone each side */
    m = (area.w < area.h ? area.w : area.h) / total;
    if (m < 1) {
        QRcode_free(qr);
        return -1;
    }
    x0 = area.x + (area.w - total * m) / 2;
    y0 = area.y + (area.h - total * m) / 2;
    ui_fill(k, (SDL_Rect){x0, y0, total * m, total * m}, ui_white);
    SDL_SetRenderDrawColor(k->ren, 0, 0, 0, 0xFF);
    for (int y = 0; y < qr->width; y++) {
        int x = 0;
        while (x < qr->width) {
            int run = 0;
            while (x + run < qr->width &&
                   (qr->data[y * qr->width + x + run] & 1))
                run++;
            if (run) {
                SDL_Rect r = {x0 + (x + 4) * m, y0 + (y + 4) * m, run * m, m};
                SDL_RenderFillRect(k->ren, &r);
                x += run;
            } else {
                x++;
            }
        }
    }
    QRcode_free(qr);
    return 0;
}

int ui_header(struct kiosk *k, const char *title)
{
    int h = ui_px(k, 56), pad = ui_px(k, 16);
    int refused = k->online && k->unauthorized;
    const char *st = kiosk_tr(k, refused     ? S_UNAUTHORIZED
                                 : k->online ? S_ONLINE
                                             : S_OFFLINE);
    int dot = ui_px(k, 14), sw = ui_px(k, refused ? 230 : 150);

    ui_fill(k, (SDL_Rect){0, 0, k->w, h}, ui_fg);
    ui_text(k, FONT_NORMAL, 1, title, pad, (h - ui_px(k, 34)) / 2, ui_white,
            UI_LEFT, k->w - 3 * pad - sw);
    ui_fill(k, (SDL_Rect){k->w - pad - sw, (h - dot) / 2, dot, dot},
            refused     ? ui_red
            : k->online ? ui_green
                        : ui_amber);
    ui_text(k, FONT_SMALL, 0, st, k->w - pad, (h - ui_px(k, 24)) / 2, ui_white,
            UI_RIGHT, sw - ui_px(k, 22));
    return h;
}

/* One "label   value" row of the intent panel; returns its height. */
static int panel_row(struct kiosk *k, int x, int y, int w, const char *label,
                     const char *value)
{
    int lw = w * 2 / 5, h = TTF_FontHeight(k->font[1][FONT_NORMAL]);
    int sh = TTF_FontHeight(k->font[0][FONT_SMALL]);

    ui_text(k, FONT_SMALL, 0, label, x, y + (h - sh) / 2, ui_muted, UI_LEFT,
            lw - ui_px(k, 8));
    ui_text(k, FONT_NORMAL, 1, value, x + lw, y, ui_fg, UI_LEFT, w - lw);
    return h + ui_px(k, 2);
}

void ui_intent_panel(struct kiosk *k, SDL_Rect a, const struct kiosk_intent *in,
                     uint32_t now)
{
    char amount[MONEY_FORMAT_MAX], line[64];
    int qs = a.h < a.w / 2 ? a.h : a.w / 2;
    int x = a.x + qs + ui_px(k, 20), y = a.y, w = a.x + a.w - x;
    int32_t left = (int32_t)(in->expires_tick - now);

    if (a.h > a.w) {
        /* Portrait: the QR across the top, the details under it. */
        int details = ui_px(k, 330);
        qs = a.h - details < a.w ? a.h - details : a.w;
        if (qs < a.w / 2)
            qs = a.w / 2;
        ui_qr(k, (SDL_Rect){a.x + (a.w - qs) / 2, a.y, qs, qs}, in->payload);
        x = a.x;
        y = a.y + qs + ui_px(k, 10);
        w = a.w;
    } else {
        ui_qr(k, (SDL_Rect){a.x, a.y, qs, qs}, in->payload);
    }
    if (money_format(in->amount, amount, sizeof(amount)) < 0)
        snprintf(amount, sizeof(amount), "?");
    y += panel_row(k, x, y, w, kiosk_tr(k, S_BANK), in->bank_name);
    y += panel_row(k, x, y, w, kiosk_tr(k, S_ACCOUNT_NAME), in->account_name);
    y += panel_row(k, x, y, w, kiosk_tr(k, S_ACCOUNT), in->account);
    y += ui_px(k, 6);
    y += ui_text(k, FONT_SMALL, 0, kiosk_tr(k, S_AMOUNT), x, y, ui_muted,
                 UI_LEFT, w);
    /* Short panels (partial screen, 800x480) trade amount size for room. */
    y += ui_text(k, a.h < ui_px(k, 320) ? FONT_LARGE : FONT_HUGE, 1, amount, x,
                 y, ui_primary, UI_LEFT, w);
    y += ui_text(k, FONT_SMALL, 0, kiosk_tr(k, S_CONTENT), x, y, ui_muted,
                 UI_LEFT, w);
    y += ui_text(k, FONT_LARGE, 1, in->code, x, y, ui_fg, UI_LEFT, w);
    y += ui_px(k, 6);
    if (left < 0)
        left = 0;
    left /= 1000;
    snprintf(line, sizeof(line), "%s %02d:%02d", kiosk_tr(k, S_EXPIRES_IN),
             (int)(left / 60), (int)(left % 60));
    if (!in->offline && y < a.y + a.h)
        ui_text(k, FONT_NORMAL, 0, line, x, y, left < 60 ? ui_red : ui_fg,
                UI_LEFT, w);
}

int ui_screenshot(struct kiosk *k, const char *path)
{
    SDL_Surface *s = k->surface;
    int rc;

    if (!s) {
        /* the screen as shown: turned, at its own size */
        s = SDL_CreateRGBSurfaceWithFormat(0, k->phys_w, k->phys_h, 32,
                                           SDL_PIXELFORMAT_ARGB8888);
        if (!s)
            return -1;
        if (SDL_RenderReadPixels(k->ren, NULL, SDL_PIXELFORMAT_ARGB8888,
                                 s->pixels, s->pitch) < 0) {
            SDL_FreeSurface(s);
            return -1;
        }
    }
    rc = IMG_SavePNG(s, path) < 0 ? -1 : 0;
    if (s != k->surface)
        SDL_FreeSurface(s);
    return rc;
}

void ui_banner(struct kiosk *k, SDL_Rect r, SDL_Color bg, SDL_Color fg,
               const char *text)
{
    int th = TTF_FontHeight(k->font[1][FONT_SMALL]);

    ui_fill(k, r, bg);
    ui_text(k, FONT_SMALL, 1, text, r.x + r.w / 2, r.y + (r.h - th) / 2, fg,
            UI_CENTER, r.w - ui_px(k, 16));
}

void ui_keypad(struct kiosk *k, SDL_Rect area, int enabled)
{
    const char *letters = k->dir.letters[0] ? k->dir.letters : "ABCD";
    char keys[40];
    int n = 0, cols, rows, kw, kh;

    for (const char *p = letters; *p && n < 16; p++)
        keys[n++] = *p;
    for (char c = '1'; c <= '9'; c++)
        keys[n++] = c;
    keys[n++] = '-';
    keys[n++] = '0';
    cols = n + 1 > 16 ? 6 : 5;
    rows = (n + 1 + cols - 1) / cols;
    kw = area.w / cols;
    kh = area.h / rows;
    for (int i = 0; i <= n; i++) {
        SDL_Rect kr = {area.x + (i % cols) * kw, area.y + (i / cols) * kh,
                       kw - ui_px(k, 8), kh - ui_px(k, 8)};
        if (i == n) {
            ui_button(k, kr, "del", kiosk_tr(k, S_DELETE), UI_SECONDARY,
                      enabled);
        } else {
            char id[8] = {'k', 'e', 'y', '-', keys[i], '\0'};
            char label[2] = {keys[i], '\0'};
            ui_button(k, kr, id, label, UI_KEY, enabled);
        }
    }
}

SDL_Rect ui_bar_slot(const struct kiosk *k, int i, int n)
{
    int pad = ui_px(k, 16), h = ui_px(k, 76);
    int w = (k->w - pad * (n + 1)) / n;
    SDL_Rect r = {pad + i * (w + pad), k->h - h - pad, w, h};
    return r;
}

int ui_payer(struct kiosk *k, int y)
{
    char line[200];
    int pad = ui_px(k, 24);

    snprintf(line, sizeof(line), "%s%s%s", k->s.payer.code,
             k->s.payer.name[0] ? " · " : "", k->s.payer.name);
    return ui_text(k, FONT_LARGE, 1, line, k->w / 2, y, ui_fg, UI_CENTER,
                   k->w - 2 * pad);
}
