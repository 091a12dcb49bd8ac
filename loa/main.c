/*
 * main.c: chopay-loa's command line, configuration, persisted state and
 * main loop: poll, say each new payment once, back off while offline.
 *
 * A payment heard long after it arrived would be taken for the customer
 * standing at the stall now, so an announcement older than
 * [speaker] late_after_min minutes (by the server's clock, from its Date
 * header: a Raspberry Pi has no clock of its own until NTP has run) is
 * not spoken; it is logged, and the vendor finds it on the stall's
 * payments page.
 */
#include <SDL.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "loa.h"
#include "money.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000

static const char usage[] =
    "usage: chopay-loa [--config FILE] [--say AMOUNT]\n"
    "\n"
    "The stall's payment speaker: says each new payment aloud.\n"
    "  --config FILE  configuration (default /etc/chopay/loa.conf)\n"
    "  --say AMOUNT   say AMOUNT once (to try the speaker) and exit\n";

/* What the configuration file sets. */
struct loa_cfg {
    char url[LOA_PATH_MAX];    /* [server] url, without a final '/' */
    char key[256];             /* the stall key, read from key_file */
    int wait;                  /* [server] wait: long poll, seconds */
    int volume;                /* [speaker] volume, percent */
    int late_after_min;        /* [speaker] late_after_min */
    char assets[LOA_PATH_MAX]; /* [speaker] clips_dir */
    char state[LOA_PATH_MAX];  /* [state] file: the last id announced */
};

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int read_key(const char *path, char *key, size_t cap)
{
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return -1;
    n = fread(key, 1, cap - 1, f);
    fclose(f);
    key[n] = '\0';
    key[strcspn(key, "\r\n")] = '\0';
    for (const char *p = key; *p; p++)
        if (*p <= ' ' || *p > '~')
            return -1;
    return key[0] ? 0 : -1;
}

/* 1 when url is plain http to this machine (the stall key stays local). */
static int local_http(const char *url)
{
    static const char *const hosts[] = {"localhost", "127.0.0.1", "[::1]"};

    if (strncmp(url, "http://", 7) != 0)
        return 0;
    url += 7;
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        size_t n = strlen(hosts[i]);
        if (strncmp(url, hosts[i], n) == 0 &&
            (url[n] == '\0' || url[n] == ':' || url[n] == '/'))
            return 1;
    }
    return 0;
}

static int load_config(const char *path, struct loa_cfg *c)
{
    static const char *const allowed[] = {"server.url",
                                          "server.key_file",
                                          "server.wait",
                                          "speaker.volume",
                                          "speaker.late_after_min",
                                          "speaker.clips_dir",
                                          "state.file",
                                          NULL};
    struct cfg *cfg = NULL;
    char err[256];
    int64_t v;
    const char *s;

    if (cfg_load(path, &cfg, err, sizeof err) != 0 ||
        cfg_check_keys(cfg, allowed, err, sizeof err) != 0)
        goto fail;
    s = cfg_get(cfg, "server", "url", "");
    if (strncmp(s, "https://", 8) != 0 && !local_http(s)) {
        snprintf(err, sizeof err,
                 "%s: [server] url: want https://HOST (http:// only to "
                 "this machine)",
                 path);
        goto fail;
    }
    snprintf(c->url, sizeof c->url, "%s", s);
    c->url[strcspn(c->url, "?#")] = '\0';
    while (c->url[0] && c->url[strlen(c->url) - 1] == '/')
        c->url[strlen(c->url) - 1] = '\0';
    s = cfg_get(cfg, "server", "key_file", "/etc/chopay/loa.key");
    if (read_key(s, c->key, sizeof c->key) != 0) {
        snprintf(err, sizeof err, "%s: cannot read a stall key from %s", path,
                 s);
        goto fail;
    }
    if (cfg_get_int64(cfg, "server", "wait", 30, 1, 60, &v, err, sizeof err) !=
        0)
        goto fail;
    c->wait = (int)v;
    if (cfg_get_int64(cfg, "speaker", "volume", 80, 0, 100, &v, err,
                      sizeof err) != 0)
        goto fail;
    c->volume = (int)v;
    if (cfg_get_int64(cfg, "speaker", "late_after_min", 5, 1, 1440, &v, err,
                      sizeof err) != 0)
        goto fail;
    c->late_after_min = (int)v;
    snprintf(c->assets, sizeof c->assets, "%s",
             cfg_get(cfg, "speaker", "clips_dir", CHOPAY_DATADIR "/loa"));
    snprintf(c->state, sizeof c->state, "%s",
             cfg_get(cfg, "state", "file", "/var/lib/chopay-loa/last-id"));
    cfg_free(cfg);
    return 0;
fail:
    fprintf(stderr, "chopay-loa: %s\n", err);
    cfg_free(cfg);
    return -1;
}

/* The last id announced, 0 when the file does not exist yet. */
static int state_read(const char *path, int64_t *id)
{
    FILE *f = fopen(path, "r");
    long long v;

    if (!f) {
        *id = 0;
        return errno == ENOENT ? 0 : -1;
    }
    if (fscanf(f, "%lld", &v) != 1 || v < 0) {
        fclose(f);
        return -1;
    }
    fclose(f);
    *id = v;
    return 0;
}

/* Write the id to PATH.tmp, flush it to disk, rename it over PATH. */
static int state_write(const char *path, int64_t id)
{
    char tmp[LOA_PATH_MAX + 8], line[32];
    int fd, n;

    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    n = snprintf(line, sizeof line, "%" PRId64 "\n", id);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return -1;
    if (write(fd, line, (size_t)n) != n || fsync(fd) != 0) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/*
 * Say the announcement of `amount`. Returns 0 when it was played, -1 when
 * it cannot be said at all (a word without a clip: skipped), -2 when the
 * audio device failed (to be tried again).
 */
static int say(struct clips *clips, int64_t amount)
{
    const char *names[LOA_MAX_CLIPS];
    char err[256], seq[LOA_MAX_CLIPS * 12] = "";
    int n = clips_announcement(amount, names, LOA_MAX_CLIPS);

    if (n < 0) {
        fprintf(stderr, "chopay-loa: cannot say %" PRId64 "\n", amount);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        strcat(seq, i ? " " : "");
        strcat(seq, names[i]);
    }
    if (clips_play(clips, names, n, err, sizeof err) != 0) {
        fprintf(stderr, "chopay-loa: %" PRId64 " not said: %s\n", amount, err);
        return -2;
    }
    fprintf(stderr, "chopay-loa: say %" PRId64 ": %s\n", amount, seq);
    return 0;
}

/* Sleep ms milliseconds unless asked to stop. */
static void nap(long ms)
{
    while (ms > 0 && !stop_flag) {
        long step = ms > 100 ? 100 : ms;
        SDL_Delay((Uint32)step);
        ms -= step;
    }
}

/*
 * After a failure: wait 1 s, then twice as long each time up to 30 s
 * (*backoff holds the last delay), plus up to a quarter more at random
 * so that a market's speakers do not retry in step.
 */
static void retry_wait(long *backoff, unsigned *seed, const char *why)
{
    long ms;

    *backoff = *backoff ? *backoff * 2 : BACKOFF_MIN_MS;
    if (*backoff > BACKOFF_MAX_MS)
        *backoff = BACKOFF_MAX_MS;
    ms = *backoff + (long)(rand_r(seed) % (unsigned)(*backoff / 4 + 1));
    fprintf(stderr, "chopay-loa: %s; retry in %ld ms\n", why, ms);
    nap(ms);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run(const struct loa_cfg *c, struct clips *clips)
{
    int64_t last;
    long backoff = 0;
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();

    if (state_read(c->state, &last) != 0) {
        fprintf(stderr, "chopay-loa: %s: unreadable state\n", c->state);
        return 1;
    }
    fprintf(stderr, "chopay-loa: polling %s after id %" PRId64 "\n", c->url,
            last);
    while (!stop_flag) {
        struct feed_reply r;
        char why[200];
        int audio_failed = 0, fresh = 0;
        long started = now_ms();

        if (feed_poll(c->url, c->key, last, c->wait, &stop_flag, &r) != 0) {
            if (stop_flag)
                break;
            snprintf(why, sizeof why, "poll failed (%s)", r.err);
            retry_wait(&backoff, &seed, why);
            continue;
        }
        int64_t now = r.server_now ? r.server_now : (int64_t)time(NULL);
        if (r.skipped)
            fprintf(stderr,
                    "chopay-loa: %zu malformed announcements left out\n",
                    r.skipped);
        for (size_t i = 0; i < r.n && !stop_flag; i++) {
            const struct feed_item *it = &r.items[i];
            if (it->id <= last)
                continue; /* said already */
            fresh++;
            if (now - it->at > (int64_t)c->late_after_min * 60)
                fprintf(stderr,
                        "chopay-loa: late %" PRId64 " (%" PRId64
                        " đồng, %" PRId64 " s old): not said\n",
                        it->id, it->amount, now - it->at);
            else if (say(clips, it->amount) == -2) {
                audio_failed = 1; /* asked for again after the wait */
                break;
            }
            last = it->id;
            if (state_write(c->state, last) != 0)
                fprintf(stderr, "chopay-loa: %s: %s\n", c->state,
                        strerror(errno));
        }
        /* malformed entries are skipped for good, not asked for again */
        if (!audio_failed && r.max_id > last && !stop_flag) {
            last = r.max_id;
            state_write(c->state, last);
        }
        /* a server that answers at once with nothing new is not asked
           more than once a second */
        if (!fresh && now_ms() - started < 1000)
            nap(1000 - (now_ms() - started));
        free(r.items);
        if (audio_failed)
            retry_wait(&backoff, &seed, "no sound");
        else
            backoff = 0;
    }
    fprintf(stderr, "chopay-loa: stopped at id %" PRId64 "\n", last);
    return 0;
}

int main(int argc, char **argv)
{
    const char *config = "/etc/chopay/loa.conf", *say_arg = NULL;
    struct loa_cfg c;
    struct clips *clips = NULL;
    char err[300];
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            config = argv[++i];
        } else if (strcmp(argv[i], "--say") == 0 && i + 1 < argc) {
            say_arg = argv[++i];
        } else if (strcmp(argv[i], "--help") == 0 ||
                   strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    memset(&c, 0, sizeof c);
    if (load_config(config, &c) != 0)
        return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
        SDL_Init(SDL_INIT_AUDIO) != 0) {
        fprintf(stderr, "chopay-loa: cannot start audio: %s\n", SDL_GetError());
        return 1;
    }
    if (clips_load(c.assets, c.volume, &clips, err, sizeof err) != 0) {
        fprintf(stderr, "chopay-loa: %s\n", err);
        goto done;
    }
    if (say_arg) {
        int64_t amount;
        if (money_parse_nonneg(say_arg, &amount) != 0) {
            fprintf(stderr, "chopay-loa: '%s' is not an amount\n", say_arg);
            rc = 2;
            goto done;
        }
        rc = say(clips, amount) == 0 ? 0 : 1;
        goto done;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    rc = run(&c, clips);
done:
    clips_free(clips);
    SDL_Quit();
    curl_global_cleanup();
    return rc;
}
