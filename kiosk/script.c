/*
 * script.c: parses and runs kiosk test scripts. Commands run one at a
 * time, only once the current screen has been drawn, so a script sees
 * what a person would see; a wait-screen that times out fails the run.
 * Positions are screen pixels (as in the screenshots, rotation included).
 */
#include "script.h"
#include "kiosk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum cmd_kind {
    CMD_TAP_LABEL,
    CMD_TAP_XY,
    CMD_SWIPE,
    CMD_WHEEL,
    CMD_KEY,
    CMD_TYPE,
    CMD_WAIT,
    CMD_WAIT_SCREEN,
    CMD_WAIT_FILE,
    CMD_SCREENSHOT,
    CMD_MARK,
    CMD_QUIT
};

struct cmd {
    enum cmd_kind kind;
    int line;
    char arg[128]; /* label, key name, text or screen name */
    long x, y;     /* tap position; x = ms for waits, wheel steps */
    long x2, y2;   /* swipe: where the finger lifts */
};

struct script {
    struct cmd *cmds;
    size_t n, pos;
    uint32_t deadline; /* current wait ends (0 = not started) */
    unsigned taps;     /* taps made so far (logged, one line each) */
};

void script_free(struct script *s)
{
    if (!s)
        return;
    free(s->cmds);
    free(s);
}

static char *trim(char *p)
{
    char *e;

    while (*p == ' ' || *p == '\t')
        p++;
    e = p + strlen(p);
    while (e > p &&
           (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return p;
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_line(char *p, int line, struct cmd *c, char *err, size_t cap)
{
    char *arg = p;

    memset(c, 0, sizeof(*c));
    c->line = line;
    while (*arg && *arg != ' ' && *arg != '\t')
        arg++;
    if (*arg)
        *arg++ = '\0';
    arg = trim(arg);
    if (strlen(arg) >= sizeof(c->arg)) {
        snprintf(err, cap, "line %d: argument too long", line);
        return -1;
    }
    if (!strcmp(p, "tap")) {
        char a[128], b[128];
        if (!*arg)
            goto need_arg;
        if (sscanf(arg, "%127s %127s", a, b) == 2 &&
            parse_long(a, 0, 100000, &c->x) == 0 &&
            parse_long(b, 0, 100000, &c->y) == 0) {
            c->kind = CMD_TAP_XY;
        } else {
            c->kind = CMD_TAP_LABEL;
            snprintf(c->arg, sizeof(c->arg), "%s", arg);
        }
    } else if (!strcmp(p, "swipe")) {
        char a[4][128];
        if (sscanf(arg, "%127s %127s %127s %127s", a[0], a[1], a[2], a[3]) !=
                4 ||
            parse_long(a[0], 0, 100000, &c->x) < 0 ||
            parse_long(a[1], 0, 100000, &c->y) < 0 ||
            parse_long(a[2], 0, 100000, &c->x2) < 0 ||
            parse_long(a[3], 0, 100000, &c->y2) < 0) {
            snprintf(err, cap, "line %d: swipe takes X1 Y1 X2 Y2", line);
            return -1;
        }
        c->kind = CMD_SWIPE;
    } else if (!strcmp(p, "wheel")) {
        if (parse_long(arg, -100, 100, &c->x) < 0 || c->x == 0) {
            snprintf(err, cap,
                     "line %d: wheel takes steps (-100..100, "
                     "negative: towards the user)",
                     line);
            return -1;
        }
        c->kind = CMD_WHEEL;
    } else if (!strcmp(p, "key")) {
        if (!*arg)
            goto need_arg;
        if (SDL_GetKeyFromName(arg) == SDLK_UNKNOWN) {
            snprintf(err, cap, "line %d: unknown key '%s'", line, arg);
            return -1;
        }
        c->kind = CMD_KEY;
        snprintf(c->arg, sizeof(c->arg), "%s", arg);
    } else if (!strcmp(p, "type")) {
        if (!*arg)
            goto need_arg;
        c->kind = CMD_TYPE;
        snprintf(c->arg, sizeof(c->arg), "%s", arg);
    } else if (!strcmp(p, "wait")) {
        if (parse_long(arg, 0, 600000, &c->x) < 0) {
            snprintf(err, cap, "line %d: wait takes milliseconds", line);
            return -1;
        }
        c->kind = CMD_WAIT;
    } else if (!strcmp(p, "wait-screen")) {
        char name[128], ms[128];
        int n = sscanf(arg, "%127s %127s", name, ms);
        if (n < 1)
            goto need_arg;
        c->kind = CMD_WAIT_SCREEN;
        c->x = 10000;
        snprintf(c->arg, sizeof(c->arg), "%s", name);
        if (n == 2 && parse_long(ms, 1, 600000, &c->x) < 0) {
            snprintf(err, cap, "line %d: bad timeout '%s'", line, ms);
            return -1;
        }
    } else if (!strcmp(p, "wait-file")) {
        char ms[128];
        int n;

        if (!*arg)
            goto need_arg;
        c->kind = CMD_WAIT_FILE;
        c->x = 10000;
        n = sscanf(arg, "%*s %127s", ms);
        snprintf(c->arg, sizeof(c->arg), "%.*s", (int)strcspn(arg, " \t"), arg);
        if (n == 1 && parse_long(ms, 1, 600000, &c->x) < 0) {
            snprintf(err, cap, "line %d: bad timeout '%s'", line, ms);
            return -1;
        }
    } else if (!strcmp(p, "screenshot")) {
        c->kind = CMD_SCREENSHOT;
    } else if (!strcmp(p, "mark")) {
        c->kind = CMD_MARK;
    } else if (!strcmp(p, "quit")) {
        c->kind = CMD_QUIT;
    } else {
        snprintf(err, cap, "line %d: unknown command '%s'", line, p);
        return -1;
    }
    return 0;
need_arg:
    snprintf(err, cap, "line %d: '%s' needs an argument", line, p);
    return -1;
}

struct script *script_load(const char *path, char *err, size_t cap)
{
    FILE *f = fopen(path, "r");
    struct script *s = NULL;
    char buf[512];
    int line = 0;
    size_t cap_cmds = 0;

    if (!f) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (!s)
        goto nomem;
    while (fgets(buf, sizeof(buf), f)) {
        char *p = trim(buf);
        line++;
        if (!*p || *p == '#')
            continue;
        if (s->n == cap_cmds) {
            size_t nc = cap_cmds ? cap_cmds * 2 : 32;
            struct cmd *nb;
            if (nc > 100000) {
                snprintf(err, cap, "line %d: script too long", line);
                goto fail;
            }
            nb = realloc(s->cmds, nc * sizeof(*nb));
            if (!nb)
                goto nomem;
            s->cmds = nb;
            cap_cmds = nc;
        }
        if (parse_line(p, line, &s->cmds[s->n], err, cap) < 0)
            goto fail;
        s->n++;
    }
    if (ferror(f)) {
        snprintf(err, cap, "%s: read error", path);
        goto fail;
    }
    fclose(f);
    return s;
nomem:
    snprintf(err, cap, "out of memory");
fail:
    fclose(f);
    script_free(s);
    return NULL;
}

static void push_tap(int x, int y)
{
    SDL_Event ev;

    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_PRESSED;
    ev.button.clicks = 1;
    ev.button.x = x;
    ev.button.y = y;
    SDL_PushEvent(&ev);
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.state = SDL_RELEASED;
    SDL_PushEvent(&ev);
}

/* A finger dragged from (x1, y1) to (x2, y2) in a few steps, lifted. */
static void push_swipe(int x1, int y1, int x2, int y2)
{
    SDL_Event ev;
    int px = x1, py = y1;

    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEBUTTONDOWN;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_PRESSED;
    ev.button.clicks = 1;
    ev.button.x = x1;
    ev.button.y = y1;
    SDL_PushEvent(&ev);
    for (int i = 1; i <= 8; i++) {
        int x = x1 + (x2 - x1) * i / 8, y = y1 + (y2 - y1) * i / 8;
        memset(&ev, 0, sizeof(ev));
        ev.type = SDL_MOUSEMOTION;
        ev.motion.state = SDL_BUTTON_LMASK;
        ev.motion.x = x;
        ev.motion.y = y;
        ev.motion.xrel = x - px;
        ev.motion.yrel = y - py;
        SDL_PushEvent(&ev);
        px = x;
        py = y;
    }
    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEBUTTONUP;
    ev.button.button = SDL_BUTTON_LEFT;
    ev.button.state = SDL_RELEASED;
    ev.button.clicks = 1;
    ev.button.x = x2;
    ev.button.y = y2;
    SDL_PushEvent(&ev);
}

static void push_wheel(int steps)
{
    SDL_Event ev;

    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_MOUSEWHEEL;
    ev.wheel.y = steps;
    ev.wheel.preciseY = (float)steps;
    ev.wheel.direction = SDL_MOUSEWHEEL_NORMAL;
    SDL_PushEvent(&ev);
}

static void push_key(SDL_Keycode key)
{
    SDL_Event ev;

    memset(&ev, 0, sizeof(ev));
    ev.type = SDL_KEYDOWN;
    ev.key.state = SDL_PRESSED;
    ev.key.keysym.sym = key;
    ev.key.keysym.scancode = SDL_GetScancodeFromKey(key);
    SDL_PushEvent(&ev);
    ev.type = SDL_KEYUP;
    ev.key.state = SDL_RELEASED;
    SDL_PushEvent(&ev);
}

static void push_text(const char *s)
{
    /* One event per UTF-8 character, as a keyboard would send them. */
    while (*s) {
        SDL_Event ev;
        size_t n = 1;
        unsigned char c = (unsigned char)*s;
        if (c >= 0xF0)
            n = 4;
        else if (c >= 0xE0)
            n = 3;
        else if (c >= 0xC0)
            n = 2;
        if (strlen(s) < n)
            n = strlen(s);
        memset(&ev, 0, sizeof(ev));
        ev.type = SDL_TEXTINPUT;
        memcpy(ev.text.text, s, n);
        SDL_PushEvent(&ev);
        s += n;
    }
}

/* Print the resident set size now (for leak checks across cycles). */
static void print_rss(int line)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = 0;

    if (f) {
        if (fscanf(f, "%ld %ld", &size, &res) != 2)
            res = 0;
        fclose(f);
    }
    fprintf(stderr, "mark line=%d rss_kb=%ld\n", line,
            res * (sysconf(_SC_PAGESIZE) / 1024));
}

/* Is `name` one of the '|'-separated names in `list`? */
static int screen_matches(const char *name, const char *list)
{
    size_t n = strlen(name);

    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

int script_step(struct script *s, struct kiosk *k, uint32_t now)
{
    struct cmd *c;
    const struct kiosk_button *b;

    if (s->pos >= s->n)
        return 1;
    if (k->next || k->dirty || k->frames_on_screen == 0)
        return 0; /* let the screen settle and draw first */
    c = &s->cmds[s->pos];
    switch (c->kind) {
    case CMD_WAIT:
        if (!s->deadline) {
            s->deadline = now + (uint32_t)c->x;
            return 0;
        }
        if ((int32_t)(now - s->deadline) < 0)
            return 0;
        break;
    case CMD_WAIT_SCREEN:
        if (!s->deadline)
            s->deadline = now + (uint32_t)c->x;
        if (!screen_matches(k->screen->name, c->arg)) {
            if ((int32_t)(now - s->deadline) < 0)
                return 0;
            fprintf(stderr,
                    "script line %d: timed out waiting for screen '%s' "
                    "(on '%s')\n",
                    c->line, c->arg, k->screen->name);
            return -1;
        }
        break;
    case CMD_WAIT_FILE:
        if (!s->deadline)
            s->deadline = now + (uint32_t)c->x;
        if (access(c->arg, F_OK) != 0) {
            if ((int32_t)(now - s->deadline) < 0)
                return 0;
            fprintf(stderr, "script line %d: timed out waiting for file %s\n",
                    c->line, c->arg);
            return -1;
        }
        break;
    case CMD_TAP_LABEL:
        b = ui_find_button(k, c->arg);
        if (!b) {
            fprintf(stderr,
                    "script line %d: no button '%s' on '%s'; have:", c->line,
                    c->arg, k->screen->name);
            for (int i = 0; i < k->n_buttons; i++)
                fprintf(stderr, " [%s|%s]", k->buttons[i].id,
                        k->buttons[i].label);
            fprintf(stderr, "\n");
            return -1;
        }
        {
            /* where a finger would touch the (possibly turned) screen */
            int px, py;
            kiosk_to_screen(k, b->r.x + b->r.w / 2, b->r.y + b->r.h / 2, &px,
                            &py);
            push_tap(px, py);
        }
        /* the taps a person would make, counted for the tests */
        fprintf(stderr, "chopay-kiosk: tap %u on %s: %s\n", ++s->taps,
                k->screen->name, b->id);
        break;
    case CMD_TAP_XY:
        push_tap((int)c->x, (int)c->y);
        fprintf(stderr, "chopay-kiosk: tap %u on %s: %ld %ld\n", ++s->taps,
                k->screen->name, c->x, c->y);
        break;
    case CMD_SWIPE:
        push_swipe((int)c->x, (int)c->y, (int)c->x2, (int)c->y2);
        break;
    case CMD_WHEEL:
        push_wheel((int)c->x);
        break;
    case CMD_KEY:
        push_key(SDL_GetKeyFromName(c->arg));
        break;
    case CMD_TYPE:
        push_text(c->arg);
        break;
    case CMD_SCREENSHOT:
        k->shot_pending = 1;
        kiosk_dirty(k);
        break;
    case CMD_MARK:
        print_rss(c->line);
        break;
    case CMD_QUIT:
        s->pos = s->n;
        return 1;
    }
    s->deadline = 0;
    s->pos++;
    return 2;
}

uint32_t script_next_ms(const struct script *s)
{
    if (s->pos < s->n && s->deadline)
        return s->deadline;
    return 0;
}
