/*
 * loop.c: the kiosk's main loop: it redraws only when something changed,
 * hands input to the current screen (rotation undone), switches screens
 * between events, drives libcurl, the script, the timers and the
 * inactivity timeout, and keeps the journal small.
 */
#include "kiosk.h"
#include "net.h"
#include "offline.h"
#include "script.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double since_start_ms(const struct kiosk *k)
{
    return (double)(mono_ns() - k->start_ns) / 1e6;
}

/* Turn an input event's position from the screen's to the picture's. */
static void unrotate_event(const struct kiosk *k, SDL_Event *ev)
{
    int x, y;

    if (!k->cfg.rotate)
        return;
    switch (ev->type) {
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        kiosk_from_screen(k, ev->button.x, ev->button.y, &x, &y);
        ev->button.x = x;
        ev->button.y = y;
        break;
    case SDL_MOUSEMOTION: {
        int dx, dy, x0, y0;
        kiosk_from_screen(k, ev->motion.x, ev->motion.y, &x, &y);
        kiosk_from_screen(k, ev->motion.x - ev->motion.xrel,
                          ev->motion.y - ev->motion.yrel, &x0, &y0);
        dx = x - x0;
        dy = y - y0;
        ev->motion.x = x;
        ev->motion.y = y;
        ev->motion.xrel = dx;
        ev->motion.yrel = dy;
        break;
    }
    case SDL_FINGERDOWN:
    case SDL_FINGERUP:
    case SDL_FINGERMOTION: {
        /* normalised 0..1 over the screen */
        float fx = ev->tfinger.x, fy = ev->tfinger.y;
        if (k->cfg.rotate == 90) {
            ev->tfinger.x = fy;
            ev->tfinger.y = 1.0f - fx;
        } else if (k->cfg.rotate == 180) {
            ev->tfinger.x = 1.0f - fx;
            ev->tfinger.y = 1.0f - fy;
        } else {
            ev->tfinger.x = 1.0f - fy;
            ev->tfinger.y = fx;
        }
        break;
    }
    default:
        break;
    }
}

static void save_shot(struct kiosk *k)
{
    char path[KIOSK_PATH_MAX + 64];

    if (!k->cfg.shot_dir[0])
        return;
    snprintf(path, sizeof(path), "%s/%03u-%s.png", k->cfg.shot_dir,
             ++k->shot_seq, k->screen->name);
    if (ui_screenshot(k, path) < 0)
        fprintf(stderr, "chopay-kiosk: screenshot %s: %s\n", path,
                SDL_GetError());
}

#define FRAME_SAMPLES 4096
static uint32_t frame_us[FRAME_SAMPLES];

static void draw(struct kiosk *k)
{
    uint64_t t0 = mono_ns(), dt;

    ui_buttons_reset(k);
    if (k->target)
        SDL_SetRenderTarget(k->ren, k->target);
    SDL_SetRenderDrawColor(k->ren, ui_bg.r, ui_bg.g, ui_bg.b, 0xFF);
    SDL_RenderClear(k->ren);
    if (k->screen->draw)
        k->screen->draw(k, k->ren);
    if (k->target) {
        /* The upright picture, turned about its centre onto the screen. */
        SDL_FRect dst = {(float)(k->phys_w - k->w) / 2.0f,
                         (float)(k->phys_h - k->h) / 2.0f, (float)k->w,
                         (float)k->h};
        SDL_SetRenderTarget(k->ren, NULL);
        SDL_SetRenderDrawColor(k->ren, 0, 0, 0, 0xFF);
        SDL_RenderClear(k->ren);
        SDL_RenderCopyExF(k->ren, k->target, NULL, &dst, (double)k->cfg.rotate,
                          NULL, SDL_FLIP_NONE);
    }
    if (k->frames_on_screen == 0)
        k->shot_pending = 1;
    if (k->shot_pending) {
        /* Before presenting: a presented back buffer is undefined. */
        k->shot_pending = 0;
        save_shot(k);
    }
    SDL_RenderPresent(k->ren);
    dt = mono_ns() - t0;
    if (k->frames < FRAME_SAMPLES)
        frame_us[k->frames] = (uint32_t)(dt / 1000);
    k->frames++;
    k->frame_ns_total += dt;
    k->dirty = 0;
    if (k->frames_on_screen++ == 0) {
        if (k->cfg.timing && k->frames == 1)
            fprintf(stderr, "timing first_frame_ms=%.2f mono_ms=%.3f\n",
                    since_start_ms(k), (double)mono_ns() / 1e6);
        if (k->cfg.timing && k->screen == &kiosk_screen_qr && k->intent_pc) {
            uint64_t d = SDL_GetPerformanceCounter() - k->intent_pc;
            fprintf(stderr, "timing intent_to_qr_us=%.0f\n",
                    (double)d * 1e6 / (double)SDL_GetPerformanceFrequency());
            k->intent_pc = 0;
        }
    }
}

static void transition(struct kiosk *k, uint32_t now)
{
    const struct kiosk_screen *next = k->next;

    k->next = NULL;
    if (k->screen && k->screen->leave)
        k->screen->leave(k);
    net_cancel_foreground(k->net);
    k->screen = next;
    k->entered_ms = now;
    k->frames_on_screen = 0;
    k->pressed = -1;
    k->wake_at = 0;
    k->animating = 0;
    k->s.busy = 0;
    k->s.has_msg = 0;
    k->n_buttons = 0;
    if (k->cfg.timing)
        fprintf(stderr, "timing screen=%s\n", next->name);
    if (next->enter)
        next->enter(k);
    k->dirty = 1;
}

static int is_input(const SDL_Event *ev)
{
    switch (ev->type) {
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
    case SDL_KEYDOWN:
    case SDL_TEXTINPUT:
    case SDL_FINGERDOWN:
        return 1;
    default:
        return 0;
    }
}

static void handle_event(struct kiosk *k, const SDL_Event *in, uint32_t now)
{
    SDL_Event e = *in;
    const SDL_Event *ev = &e;

    unrotate_event(k, &e);
    if (ev->type == SDL_QUIT) {
        k->quit = 1;
        return;
    }
    if (ev->type == SDL_WINDOWEVENT) {
        if (ev->window.event == SDL_WINDOWEVENT_SIZE_CHANGED) {
            SDL_GetRendererOutputSize(k->ren, &k->phys_w, &k->phys_h);
            if (kiosk_setup_rotation(k) < 0) {
                fprintf(stderr, "chopay-kiosk: video: %s\n", SDL_GetError());
                k->quit = 1;
            }
            kiosk_set_scale(k);
            if (ui_fonts_load(k) < 0)
                k->quit = 1;
        }
        k->dirty = 1;
        return;
    }
    if (is_input(ev))
        k->last_input_ms = now;
    if (k->next) {
        /* the screen is going away: its buttons are stale, but keys typed
           on (a code begun on the welcome screen) go to the next one */
        if (ev->type != SDL_TEXTINPUT && ev->type != SDL_KEYDOWN)
            return;
        transition(k, now);
    }
    if (k->screen->on_event)
        k->screen->on_event(k, ev);
}

/* Milliseconds until something is due, capped at `cap`. */
static int next_timeout(struct kiosk *k, uint32_t now, int cap)
{
    uint32_t due[6];
    int n = 0, best = cap;

    due[n++] = k->wake_at;
    due[n++] = net_next_ms(k->net);
    due[n++] = flow_next_ms(k);
    due[n++] = k->script ? script_next_ms(k->script) : 0;
    if (k->screen && !k->screen->keep_awake &&
        k->screen != &kiosk_screen_welcome)
        due[n++] = k->last_input_ms + (uint32_t)k->cfg.idle_s * 1000u;
    for (int i = 0; i < n; i++) {
        int32_t d;
        if (!due[i])
            continue;
        d = (int32_t)(due[i] - now);
        if (d < best)
            best = d < 0 ? 0 : d;
    }
    return best;
}

/*
 * Keep the journal small on a kiosk that runs for months: when it passed
 * 256 KiB, drop what was sent before today. Run once the server's Date
 * header has told the time (a Pi without a clock may boot in the past or
 * the future), so "today" is the server's.
 */
static void compact_journal(struct kiosk *k)
{
    char path[KIOSK_PATH_MAX + 16];
    struct stat st;
    int rc;

    k->compacted = 1;
    snprintf(path, sizeof(path), "%s/journal.jsonl", k->cfg.data_dir);
    if (stat(path, &st) < 0 || st.st_size < 256 * 1024)
        return;
    rc = journal_compact(k->cfg.data_dir, offline_day_start(kiosk_now(k)));
    if (rc < 0)
        fprintf(stderr, "chopay-kiosk: journal compaction failed\n");
    else
        fprintf(stderr, "chopay-kiosk: journal compacted (%d old records)\n",
                rc);
}

int kiosk_run(struct kiosk *k)
{
    SDL_Event ev;

    k->last_input_ms = SDL_GetTicks();
    kiosk_goto(k, &kiosk_screen_welcome);
    while (!k->quit) {
        uint32_t now = SDL_GetTicks();
        int timeout;

        if (k->next)
            transition(k, now);
        while (SDL_PollEvent(&ev))
            handle_event(k, &ev, now);
        net_update(k->net, now);
        now = SDL_GetTicks();
        if (!k->compacted && k->clock_known)
            compact_journal(k);
        flow_background(k, now);
        if (k->wake_at && (int32_t)(now - k->wake_at) >= 0) {
            k->wake_at = 0;
            k->dirty = 1;
        }
        if (k->screen->update && !k->next)
            k->screen->update(k, now);
        if (!k->screen->keep_awake && k->screen != &kiosk_screen_welcome &&
            (int32_t)(now - k->last_input_ms) >=
                (int32_t)((uint32_t)k->cfg.idle_s * 1000u) &&
            !k->next)
            kiosk_goto(k, &kiosk_screen_welcome);
        if (k->next)
            continue;
        if (k->dirty || k->animating)
            draw(k);
        if (k->script) {
            int r = script_step(k->script, k, now);
            if (r < 0) {
                k->exit_code = 3;
                break;
            }
            if (r == 1)
                break;
            if (r == 2)
                continue; /* handle what the command queued right away */
        }
        if (k->next || k->dirty)
            continue;
        timeout = next_timeout(k, now, k->animating ? 16 : 60000);
        if (k->cfg.headless) {
            /*
             * Headless, input only comes from the script (pushed by this
             * thread): block in poll() on the sockets for the whole wait.
             * SDL's own wait would spin on 1 ms sleeps without a display.
             */
            net_wait(k->net, timeout);
        } else if (net_running(k->net)) {
            /* Sockets to watch: wait on them, then pick up input. */
            net_wait(k->net, timeout < 16 ? timeout : 16);
        } else if (SDL_WaitEventTimeout(&ev, timeout)) {
            handle_event(k, &ev, SDL_GetTicks());
        }
    }
    return k->exit_code;
}
void kiosk_print_timing(struct kiosk *k)
{
    struct rusage ru;
    size_t n = k->frames < FRAME_SAMPLES ? k->frames : FRAME_SAMPLES;

    if (!k->cfg.timing || n == 0)
        return;
    for (size_t i = 1; i < n; i++) {
        uint32_t v = frame_us[i];
        size_t j = i;
        while (j && frame_us[j - 1] > v) {
            frame_us[j] = frame_us[j - 1];
            j--;
        }
        frame_us[j] = v;
    }
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            "timing frames=%llu frame_p50_us=%u frame_p99_us=%u "
            "frame_max_us=%u peak_rss_kb=%ld\n",
            (unsigned long long)k->frames, frame_us[n / 2],
            frame_us[n * 99 / 100], frame_us[n - 1], ru.ru_maxrss);
}
