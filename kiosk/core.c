/*
 * core.c: the kiosk's core that screens, flows and the script call: screen
 * changes and redraw requests, strings in the current language, the
 * server's clock, the error screen, the picture's geometry (scale and
 * rotation), and what the HTTP client learns about the server.
 */
#include "kiosk.h"
#include "net.h"

#include <stdio.h>
#include <time.h>

void kiosk_goto(struct kiosk *k, const struct kiosk_screen *next)
{
    k->next = next;
}

void kiosk_dirty(struct kiosk *k)
{
    k->dirty = 1;
}

void kiosk_wake_at(struct kiosk *k, uint32_t ms)
{
    if (!ms)
        ms = 1;
    if (!k->wake_at || (int32_t)(ms - k->wake_at) < 0)
        k->wake_at = ms;
}

const char *kiosk_tr(const struct kiosk *k, enum kiosk_str id)
{
    return i18n_get(k->lang, id);
}

int64_t kiosk_now(const struct kiosk *k)
{
    int64_t t = (int64_t)time(NULL);

    return k->clock_known ? t + k->clock_offset : t;
}

int kiosk_audience(const struct kiosk *k)
{
    if (k->dir.has_market && !k->dir.has_school)
        return AUDIENCE_MARKET;
    if (k->dir.has_school && !k->dir.has_market)
        return AUDIENCE_SCHOOL;
    return AUDIENCE_ANY;
}

void kiosk_from_screen(const struct kiosk *k, int px, int py, int *lx, int *ly)
{
    switch (k->cfg.rotate) {
    case 90:
        *lx = py;
        *ly = k->phys_w - 1 - px;
        break;
    case 180:
        *lx = k->phys_w - 1 - px;
        *ly = k->phys_h - 1 - py;
        break;
    case 270:
        *lx = k->phys_h - 1 - py;
        *ly = px;
        break;
    default:
        *lx = px;
        *ly = py;
        break;
    }
}

void kiosk_to_screen(const struct kiosk *k, int lx, int ly, int *px, int *py)
{
    switch (k->cfg.rotate) {
    case 90:
        *px = k->phys_w - 1 - ly;
        *py = lx;
        break;
    case 180:
        *px = k->phys_w - 1 - lx;
        *py = k->phys_h - 1 - ly;
        break;
    case 270:
        *px = ly;
        *py = k->phys_h - 1 - lx;
        break;
    default:
        *px = lx;
        *py = ly;
        break;
    }
}

void kiosk_fail(struct kiosk *k, enum kiosk_str what, enum kiosk_str hint,
                const char *detail, const struct kiosk_screen *retry)
{
    k->s.err_what = what;
    k->s.err_hint = hint;
    snprintf(k->s.err_detail, sizeof(k->s.err_detail), "%s",
             detail ? detail : "");
    k->s.err_retry = retry;
    fprintf(stderr, "chopay-kiosk: error: %s (%s)\n", i18n_get(LANG_EN, what),
            detail ? detail : "");
    kiosk_goto(k, &kiosk_screen_error);
}

void kiosk_net_status(struct kiosk *k, const struct net_status *st)
{
    int was = k->online, refused = k->unauthorized;

    k->online = st->online;
    /* 401: the key is wrong or revoked (not when the server refused a
       collector's PIN: it took the key to get there); any answer below
       400 shows the server accepts it again */
    if (st->online && st->status == 401 && !st->pin_refused)
        k->unauthorized = 1;
    else if (st->online && (st->status < 400 || st->pin_refused))
        k->unauthorized = 0;
    if (st->server_date) {
        /* The server's clock, not ours: a Pi has no real-time clock. */
        k->clock_offset = st->server_date - (int64_t)time(NULL);
        k->clock_known = 1;
    }
    if (was != k->online || refused != k->unauthorized)
        kiosk_dirty(k);
}

/*
 * Design units to pixels: the screens are designed at 800x480; a portrait
 * picture (a screen turned a quarter) scales the same design by 480x800,
 * so text keeps its size and the layouts use the extra height.
 */
void kiosk_set_scale(struct kiosk *k)
{
    int portrait = k->h > k->w;
    long sx = (long)k->w * 1000 / (portrait ? 480 : 800);
    long sy = (long)k->h * 1000 / (portrait ? 800 : 480);
    k->scale = (int)(sx < sy ? sx : sy);
}

/*
 * The logical size from the screen's (swapped when turned a quarter) and,
 * when rotated, the texture the upright picture is drawn into before it
 * is copied to the screen turned. 0 or -1 (SDL_GetError).
 */
int kiosk_setup_rotation(struct kiosk *k)
{
    int quarter = k->cfg.rotate == 90 || k->cfg.rotate == 270;

    k->w = quarter ? k->phys_h : k->phys_w;
    k->h = quarter ? k->phys_w : k->phys_h;
    if (k->target)
        SDL_DestroyTexture(k->target);
    k->target = NULL;
    if (!k->cfg.rotate)
        return 0;
    k->target = SDL_CreateTexture(k->ren, SDL_PIXELFORMAT_ARGB8888,
                                  SDL_TEXTUREACCESS_TARGET, k->w, k->h);
    return k->target ? 0 : -1;
}
