/*
 * main.c: chopay-kiosk's start-up: configuration (flags and an INI file
 * with the same keys), SDL set-up (a window, or headless a software
 * renderer drawing into a surface), the HTTP client and the cached
 * directory; then it hands over to the main loop (loop.c).
 */
#define _DEFAULT_SOURCE
#include "kiosk.h"
#include "net.h"
#include "offline.h"
#include "script.h"

#include <curl/curl.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define IDLE_DEFAULT_S 90

static const char usage[] =
    "usage: chopay-kiosk [OPTIONS]\n"
    "  --server URL          chopay-server base URL "
    "(default http://127.0.0.1:8080)\n"
    "  --key-file FILE       file holding this kiosk's key (required)\n"
    "  --config FILE         INI file with the same keys (server, key_file,\n"
    "                        fullscreen, lang, data_dir, sound, "
    "collector_pin, ...)\n"
    "  --fullscreen          fill the screen\n"
    "  --lang vi|en          start language (default vi)\n"
    "  --data-dir DIR        cache and journal (default ./var/kiosk)\n"
    "  --no-sound            no sounds\n"
    "  --collector-pin PIN   enable collector mode with this PIN (4-12 "
    "digits)\n"
    "  --collector-name NAME name sent with cash records\n"
    "  --size WxH            window or screen size (default 1024x600)\n"
    "  --rotate 0|90|180|270 turn the picture clockwise (a screen mounted\n"
    "                        portrait or upside down); touches follow\n"
    "  --ca-file FILE        trust only this CA bundle (PEM) for the server\n"
    "  --client-cert FILE    TLS client certificate (PEM), with\n"
    "  --client-key FILE     its private key (PEM)\n"
    "  --idle-timeout S      back to the start after S idle seconds\n"
    "  --long-poll S         intent long-poll wait, 1..60 (default 25)\n"
    "  --assets-dir DIR      where the sounds are\n"
    "  --headless            no window: software rendering (tests)\n"
    "  --script FILE         run a test script (see docs/kiosk.md)\n"
    "  --screenshot-dir DIR  a PNG of every screen shown\n"
    "  --timing              print timings to stderr (bench)\n"
    "  --check-strings       check the string tables and exit\n";

/* ---- configuration --------------------------------------------------- */

static int set_str(char *dst, size_t cap, const char *v, const char *name)
{
    if (strlen(v) >= cap) {
        fprintf(stderr, "chopay-kiosk: %s too long\n", name);
        return -1;
    }
    snprintf(dst, cap, "%s", v);
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true") ||
        !strcmp(v, "on"))
        *out = 1;
    else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false") ||
             !strcmp(v, "off"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    long x;

    errno = 0;
    x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi)
        return -1;
    *out = (int)x;
    return 0;
}

static int parse_size(const char *v, int *w, int *h)
{
    int a, b;
    char tail;

    if (sscanf(v, "%dx%d%c", &a, &b, &tail) != 2 || a < 320 || a > 7680 ||
        b < 240 || b > 4320)
        return -1;
    *w = a;
    *h = b;
    return 0;
}

/* One key = value, from the INI file or a flag; 0 or -1 (reported). */
static int config_set(struct kiosk_config *c, const char *key, const char *v)
{
    int b;

    if (!strcmp(key, "server"))
        return set_str(c->server, sizeof(c->server), v, key);
    if (!strcmp(key, "key_file"))
        return set_str(c->key_file, sizeof(c->key_file), v, key);
    if (!strcmp(key, "data_dir"))
        return set_str(c->data_dir, sizeof(c->data_dir), v, key);
    if (!strcmp(key, "assets_dir"))
        return set_str(c->assets_dir, sizeof(c->assets_dir), v, key);
    if (!strcmp(key, "screenshot_dir"))
        return set_str(c->shot_dir, sizeof(c->shot_dir), v, key);
    if (!strcmp(key, "collector_name"))
        return set_str(c->collector, sizeof(c->collector), v, key);
    if (!strcmp(key, "ca_file"))
        return set_str(c->ca_file, sizeof(c->ca_file), v, key);
    if (!strcmp(key, "client_cert"))
        return set_str(c->client_cert, sizeof(c->client_cert), v, key);
    if (!strcmp(key, "client_key"))
        return set_str(c->client_key, sizeof(c->client_key), v, key);
    if (!strcmp(key, "rotate")) {
        if (parse_int(v, 0, 270, &b) < 0 || b % 90) {
            fprintf(stderr, "chopay-kiosk: rotate must be 0, 90, 180 or "
                            "270\n");
            return -1;
        }
        c->rotate = b;
        return 0;
    }
    if (!strcmp(key, "collector_pin")) {
        size_t n = strlen(v);
        if (n < 4 || n > 12 || strspn(v, "0123456789") != n) {
            fprintf(stderr, "chopay-kiosk: collector_pin must be 4-12 "
                            "digits\n");
            return -1;
        }
        return set_str(c->pin, sizeof(c->pin), v, key);
    }
    if (!strcmp(key, "lang")) {
        int l = i18n_lang(v);
        if (l < 0) {
            fprintf(stderr, "chopay-kiosk: lang must be vi or en\n");
            return -1;
        }
        c->lang = l;
        return 0;
    }
    if (!strcmp(key, "fullscreen") || !strcmp(key, "sound") ||
        !strcmp(key, "headless")) {
        if (parse_bool(v, &b) < 0) {
            fprintf(stderr, "chopay-kiosk: %s must be yes or no\n", key);
            return -1;
        }
        if (key[0] == 'f')
            c->fullscreen = b;
        else if (key[0] == 's')
            c->sound = b;
        else
            c->headless = b;
        return 0;
    }
    if (!strcmp(key, "size")) {
        if (parse_size(v, &c->width, &c->height) < 0) {
            fprintf(stderr, "chopay-kiosk: size must be WxH, e.g. "
                            "800x480\n");
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "idle_timeout")) {
        if (parse_int(v, 5, 3600, &c->idle_s) < 0) {
            fprintf(stderr, "chopay-kiosk: idle_timeout: 5..3600\n");
            return -1;
        }
        return 0;
    }
    if (!strcmp(key, "long_poll")) {
        if (parse_int(v, 1, 60, &c->long_poll_s) < 0) {
            fprintf(stderr, "chopay-kiosk: long_poll: 1..60\n");
            return -1;
        }
        return 0;
    }
    fprintf(stderr, "chopay-kiosk: unknown setting '%s'\n", key);
    return -1;
}

static int on_ini(void *user, const char *section, const char *name,
                  const char *value)
{
    if (section[0] && strcmp(section, "kiosk"))
        return 1; /* other programs' sections */
    return config_set(user, name, value) == 0;
}

static int load_key(struct kiosk_config *c)
{
    struct stat st;
    FILE *f;
    char buf[300];
    size_t n;

    if (!c->key_file[0]) {
        fprintf(stderr, "chopay-kiosk: --key-file is required (the key "
                        "printed by 'chopay-server kiosk add')\n");
        return -1;
    }
    f = fopen(c->key_file, "r");
    if (!f) {
        fprintf(stderr, "chopay-kiosk: %s: %s\n", c->key_file, strerror(errno));
        return -1;
    }
    if (fstat(fileno(f), &st) == 0 && (st.st_mode & 007))
        fprintf(stderr,
                "chopay-kiosk: warning: %s is readable by others; "
                "chmod 600 it\n",
                c->key_file);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0 || n >= sizeof(c->key) || strcspn(buf, " \t\r\n") != n) {
        fprintf(stderr, "chopay-kiosk: %s: not a kiosk key\n", c->key_file);
        return -1;
    }
    memcpy(c->key, buf, n + 1);
    return 0;
}

/* The server URL as libcurl will read it: https always; plain http only
 * when the parsed host is exactly this machine (tests, demo). Userinfo,
 * a query or a fragment is refused: userinfo is how a URL that starts
 * with "http://localhost" can point somewhere else, and the kiosk appends
 * its paths to this base. */
static int check_server(const char *url)
{
    static const char *const local[] = {"127.0.0.1", "localhost", "[::1]",
                                        "::1"};
    static const CURLUPart refused[] = {CURLUPART_USER, CURLUPART_PASSWORD,
                                        CURLUPART_OPTIONS, CURLUPART_QUERY,
                                        CURLUPART_FRAGMENT};
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *part = NULL;
    const char *why = "not a URL";
    int rc = -1;

    if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
        goto out;
    why = "a user name, password, query or fragment is not allowed";
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (curl_url_get(u, refused[i], &part, 0) == CURLUE_OK) {
            curl_free(part);
            part = NULL;
            goto out;
        }
    }
    why = "must be https:// (plain http only to localhost)";
    if (!strcmp(scheme, "https")) {
        rc = 0;
    } else if (!strcmp(scheme, "http")) {
        for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
            if (!strcmp(host, local[i]))
                rc = 0;
    }
out:
    if (rc < 0)
        fprintf(stderr, "chopay-kiosk: --server: %s\n", why);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* A file the kiosk will need later: readable now, or a usage error. */
static int readable(const char *what, const char *path)
{
    FILE *f = fopen(path, "rb");

    if (!f) {
        fprintf(stderr, "chopay-kiosk: %s %s: %s\n", what, path,
                strerror(errno));
        return -1;
    }
    fclose(f);
    return 0;
}

/* The TLS files: readable, and a client certificate always with its key. */
static int check_tls(const struct kiosk_config *c)
{
    struct stat st;

    if (!c->client_cert[0] != !c->client_key[0]) {
        fprintf(stderr, "chopay-kiosk: client_cert and client_key go "
                        "together\n");
        return -1;
    }
    if ((c->ca_file[0] && readable("ca_file", c->ca_file) < 0) ||
        (c->client_cert[0] && readable("client_cert", c->client_cert) < 0) ||
        (c->client_key[0] && readable("client_key", c->client_key) < 0))
        return -1;
    if (c->client_key[0] && stat(c->client_key, &st) == 0 && (st.st_mode & 007))
        fprintf(stderr,
                "chopay-kiosk: warning: %s is readable by others; "
                "chmod 600 it\n",
                c->client_key);
    return 0;
}

static int parse_args(struct kiosk_config *c, int argc, char **argv)
{
    static const struct {
        const char *flag, *key;
    } with_arg[] = {
        {"--server", "server"},
        {"--key-file", "key_file"},
        {"--lang", "lang"},
        {"--data-dir", "data_dir"},
        {"--collector-pin", "collector_pin"},
        {"--collector-name", "collector_name"},
        {"--size", "size"},
        {"--idle-timeout", "idle_timeout"},
        {"--long-poll", "long_poll"},
        {"--assets-dir", "assets_dir"},
        {"--screenshot-dir", "screenshot_dir"},
        {"--rotate", "rotate"},
        {"--ca-file", "ca_file"},
        {"--client-cert", "client_cert"},
        {"--client-key", "client_key"},
    };

    /* The config file first, so flags override it. */
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config")) {
            int rc;
            if (i + 1 >= argc) {
                fprintf(stderr, "chopay-kiosk: --config needs a file\n");
                return -1;
            }
            rc = ini_parse(argv[i + 1], on_ini, c);
            if (rc != 0) {
                if (rc < 0)
                    fprintf(stderr, "chopay-kiosk: cannot read %s\n",
                            argv[i + 1]);
                else
                    fprintf(stderr, "chopay-kiosk: %s:%d: bad setting\n",
                            argv[i + 1], rc);
                return -1;
            }
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t j, n = eq ? (size_t)(eq - a) : strlen(a);
        if (!strcmp(a, "--config")) {
            i++;
            continue;
        }
        /* --flag VALUE or --flag=VALUE */
        for (j = 0; j < sizeof(with_arg) / sizeof(with_arg[0]); j++)
            if (strlen(with_arg[j].flag) == n &&
                !strncmp(a, with_arg[j].flag, n))
                break;
        if (j < sizeof(with_arg) / sizeof(with_arg[0])) {
            if (!eq && i + 1 >= argc) {
                fprintf(stderr, "chopay-kiosk: %s needs a value\n", a);
                return -1;
            }
            if (config_set(c, with_arg[j].key, eq ? eq + 1 : argv[++i]) < 0)
                return -1;
        } else if (!strcmp(a, "--fullscreen")) {
            c->fullscreen = 1;
        } else if (!strcmp(a, "--no-sound")) {
            c->sound = 0;
        } else if (!strcmp(a, "--headless")) {
            c->headless = 1;
        } else if (!strcmp(a, "--timing")) {
            c->timing = 1;
        } else if (!strcmp(a, "--script")) {
            if (i + 1 >= argc ||
                set_str(c->script, sizeof(c->script), argv[++i], a) < 0) {
                fprintf(stderr, "chopay-kiosk: --script needs a file\n");
                return -1;
            }
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            exit(0);
        } else {
            fprintf(stderr, "chopay-kiosk: unknown option '%s'\n%s", a, usage);
            return -1;
        }
    }
    return 0;
}

/* ---- the loop -------------------------------------------------------- */
static int setup_video(struct kiosk *k)
{
    SDL_DisplayMode dm;
    int w, h;

    if (k->cfg.headless) {
        k->surface = SDL_CreateRGBSurfaceWithFormat(
            0, k->cfg.width, k->cfg.height, 32, SDL_PIXELFORMAT_ARGB8888);
        if (!k->surface)
            return -1;
        k->ren = SDL_CreateSoftwareRenderer(k->surface);
        k->phys_w = k->cfg.width;
        k->phys_h = k->cfg.height;
        return k->ren ? kiosk_setup_rotation(k) : -1;
    }
    w = k->cfg.width;
    h = k->cfg.height;
    if (k->cfg.fullscreen && SDL_GetDesktopDisplayMode(0, &dm) == 0 &&
        dm.w > 0 && dm.h > 0) {
        /*
         * Created at the screen's size: an X server without a window
         * manager (xinit straight into the kiosk) never applies the
         * full-screen request, and KMSDRM has the mode anyway.
         */
        w = dm.w;
        h = dm.h;
    }
    k->win = SDL_CreateWindow("chopay", SDL_WINDOWPOS_CENTERED,
                              SDL_WINDOWPOS_CENTERED, w, h,
                              k->cfg.fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP
                                                : SDL_WINDOW_RESIZABLE);
    if (!k->win)
        return -1;
    k->ren = SDL_CreateRenderer(
        k->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!k->ren)
        k->ren = SDL_CreateRenderer(k->win, -1, SDL_RENDERER_SOFTWARE);
    if (!k->ren)
        return -1;
    if (k->cfg.fullscreen)
        SDL_ShowCursor(SDL_DISABLE);
    /*
     * A full-screen window may have its final size before SDL's renderer
     * has heard of it (no resize event follows): draw to all of it.
     */
    SDL_PumpEvents();
    SDL_RenderSetViewport(k->ren, NULL);
    SDL_GetRendererOutputSize(k->ren, &k->phys_w, &k->phys_h);
    {
        SDL_RendererInfo ri;
        if (SDL_GetRendererInfo(k->ren, &ri) == 0)
            fprintf(stderr,
                    "chopay-kiosk: video driver %s, renderer %s, %dx%d, "
                    "rotate %d\n",
                    SDL_GetCurrentVideoDriver(), ri.name, k->phys_w, k->phys_h,
                    k->cfg.rotate);
    }
    return kiosk_setup_rotation(k);
}

static void load_cached_directory(struct kiosk *k)
{
    char *buf;
    size_t len;

    if (offline_read(k->cfg.data_dir, "directory.json", &buf, &len) == 0) {
        if (offline_dir_parse(buf, len, &k->dir) < 0)
            fprintf(stderr, "chopay-kiosk: cached directory unreadable; "
                            "fetching it again\n");
        free(buf);
    }
}

int main(int argc, char **argv)
{
    static struct kiosk kiosk;
    struct kiosk *k = &kiosk;
    char err[256];
    int rc = 1, l, id;
    uint32_t flags;

    {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        k->start_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    }
    snprintf(k->cfg.server, sizeof(k->cfg.server), "http://127.0.0.1:8080");
    snprintf(k->cfg.data_dir, sizeof(k->cfg.data_dir), "var/kiosk");
    snprintf(k->cfg.collector, sizeof(k->cfg.collector), "kiosk");
    k->cfg.sound = 1;
    k->cfg.width = 1024;
    k->cfg.height = 600;
    k->cfg.idle_s = IDLE_DEFAULT_S;
    k->cfg.long_poll_s = 25;
    k->pressed = -1;
    if (argc == 2 && !strcmp(argv[1], "--check-strings")) {
        if (i18n_check(&l, &id) < 0) {
            fprintf(stderr, "string %d missing in language %d\n", id, l);
            return 1;
        }
        puts("strings ok");
        return 0;
    }
    if (parse_args(&k->cfg, argc, argv) < 0)
        return 2;
    {
        size_t n = strlen(k->cfg.server);
        while (n && k->cfg.server[n - 1] == '/')
            k->cfg.server[--n] = '\0';
    }
    if (check_server(k->cfg.server) < 0 || load_key(&k->cfg) < 0 ||
        check_tls(&k->cfg) < 0)
        return 2;
    if (offline_mkdirs(k->cfg.data_dir) < 0) {
        fprintf(stderr, "chopay-kiosk: cannot create %s\n", k->cfg.data_dir);
        return 1;
    }
    if (k->cfg.shot_dir[0] && offline_mkdirs(k->cfg.shot_dir) < 0) {
        fprintf(stderr, "chopay-kiosk: cannot create %s\n", k->cfg.shot_dir);
        return 1;
    }
    if (k->cfg.script[0]) {
        k->script = script_load(k->cfg.script, err, sizeof(err));
        if (!k->script) {
            fprintf(stderr, "chopay-kiosk: script: %s\n", err);
            return 2;
        }
    }
    k->lang = k->cfg.lang;
    if (k->cfg.headless) {
        SDL_setenv("SDL_VIDEODRIVER", "dummy", 0);
        SDL_setenv("SDL_AUDIODRIVER", "dummy", 0);
    }
    flags = SDL_INIT_EVENTS | SDL_INIT_TIMER |
            (k->cfg.headless ? 0 : SDL_INIT_VIDEO);
    if (SDL_Init(flags) < 0 || TTF_Init() < 0) {
        fprintf(stderr, "chopay-kiosk: SDL: %s\n", SDL_GetError());
        goto out;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        goto out;
    if (setup_video(k) < 0) {
        fprintf(stderr, "chopay-kiosk: video: %s\n", SDL_GetError());
        goto out;
    }
    kiosk_set_scale(k);
    if (ui_fonts_load(k) < 0)
        goto out;
    SDL_StartTextInput();
    if (k->cfg.sound)
        sound_init(k);
    k->net = net_new(k->cfg.server, k->cfg.key, k);
    if (k->net)
        net_on_status(k->net, kiosk_net_status);
    if (!k->net || net_tls(k->net, k->cfg.ca_file, k->cfg.client_cert,
                           k->cfg.client_key) < 0)
        goto out;
    k->online = 1;
    load_cached_directory(k);
    k->dir_next_ms = 1;  /* refresh at once */
    k->sync_next_ms = 1; /* replay the journal at once */
    rc = kiosk_run(k);
    kiosk_print_timing(k);
out:
    if (k->screen && k->screen->leave)
        k->screen->leave(k);
    net_free(k->net);
    json_decref(k->sync_rec);
    offline_dir_free(&k->dir);
    script_free(k->script);
    sound_free(k);
    ui_fonts_free(k);
    if (k->target)
        SDL_DestroyTexture(k->target);
    if (k->ren)
        SDL_DestroyRenderer(k->ren);
    if (k->surface)
        SDL_FreeSurface(k->surface);
    if (k->win)
        SDL_DestroyWindow(k->win);
    curl_global_cleanup();
    TTF_Quit();
    SDL_Quit();
    return rc;
}
