/*
 * clips.c: the speaker's voice. Word clips (the WAVs in assets/loa/, made by
 * scripts/make_loa_clips.sh) are loaded once, scaled to the configured
 * volume, and queued one after another on an SDL audio device that is
 * open only while an announcement plays.
 */
#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "loa.h"
#include "vnwords.h"

#define RATE   16000
#define GAP_MS 120 /* silence after the beep */

/* A word of vnwords_amount() and the clip that says it. */
static const struct {
    const char *word;
    const char *clip;
} word_clips[] = {
    {"kh\xc3\xb4ng", "khong"},
    {"m\xe1\xbb\x99t", "mot"},
    {"hai", "hai"},
    {"ba", "ba"},
    {"b\xe1\xbb\x91n", "bon"},
    {"n\xc4\x83m", "nam"},
    {"s\xc3\xa1u", "sau"},
    {"b\xe1\xba\xa3y", "bay"},
    {"t\xc3\xa1m", "tam"},
    {"ch\xc3\xadn", "chin"},
    {"m\xc6\xb0\xe1\xbb\x9di", "muoi-huyen"}, /* mười */
    {"m\xc6\xb0\xc6\xa1i", "muoi"},           /* mươi */
    {"m\xe1\xbb\x91t", "mot-sac"},            /* mốt */
    {"t\xc6\xb0", "tu"},
    {"l\xc4\x83m", "lam"},
    {"linh", "linh"},
    {"tr\xc4\x83m", "tram"},
    {"ngh\xc3\xacn", "nghin"},
    {"tri\xe1\xbb\x87u", "trieu"},
    {"t\xe1\xbb\xb7", "ty"},
    {"\xc4\x91\xe1\xbb\x93ng", "dong"},
    {"\xc3\xa2m", "am"},
};

#define NWORDS (sizeof word_clips / sizeof word_clips[0])
#define NCLIPS (NWORDS + 3) /* the words, "da-nhan", "beep", the gap */

/* One loaded clip. */
struct clip {
    const char *name; /* file name without ".wav" */
    Uint8 *pcm;       /* signed 16-bit mono samples, SDL_malloc'd */
    Uint32 len;       /* bytes */
};

struct clips {
    struct clip clip[NCLIPS]; /* the words, then da-nhan, beep, gap */
};

void clips_free(struct clips *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < NCLIPS; i++)
        SDL_free(c->clip[i].pcm);
    free(c);
}

static int load_one(const char *dir, const char *name, int volume,
                    struct clip *out, char *err, size_t err_cap)
{
    char path[LOA_PATH_MAX];
    SDL_AudioSpec spec;
    Uint8 *buf;
    Uint32 len;

    snprintf(path, sizeof path, "%s/%s.wav", dir, name);
    if (!SDL_LoadWAV(path, &spec, &buf, &len)) {
        snprintf(err, err_cap, "%s: %s", path, SDL_GetError());
        return -1;
    }
    if (spec.freq != RATE || spec.channels != 1 || spec.format != AUDIO_S16) {
        snprintf(err, err_cap, "%s: not 16 kHz mono 16-bit PCM", path);
        SDL_FreeWAV(buf);
        return -1;
    }
    /* volume in percent, on whole samples (no floating point) */
    for (Uint32 i = 0; i + 1 < len; i += 2) {
        Sint16 s;
        memcpy(&s, buf + i, 2);
        s = (Sint16)((int32_t)s * volume / 100);
        memcpy(buf + i, &s, 2);
    }
    out->name = name;
    out->pcm = SDL_malloc(len ? len : 1);
    if (!out->pcm) {
        SDL_FreeWAV(buf);
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    memcpy(out->pcm, buf, len);
    out->len = len;
    SDL_FreeWAV(buf);
    return 0;
}

int clips_load(const char *dir, int volume, struct clips **out, char *err,
               size_t err_cap)
{
    struct clips *c = calloc(1, sizeof *c);
    size_t i;

    if (!c) {
        snprintf(err, err_cap, "out of memory");
        return -1;
    }
    for (i = 0; i < NWORDS; i++)
        if (load_one(dir, word_clips[i].clip, volume, &c->clip[i], err,
                     err_cap) != 0)
            goto fail;
    if (load_one(dir, "da-nhan", volume, &c->clip[i++], err, err_cap) != 0 ||
        load_one(dir, "beep", volume, &c->clip[i++], err, err_cap) != 0)
        goto fail;
    c->clip[i].name = "gap";
    c->clip[i].len = RATE * 2 * GAP_MS / 1000;
    c->clip[i].pcm = SDL_calloc(1, c->clip[i].len);
    if (!c->clip[i].pcm) {
        snprintf(err, err_cap, "out of memory");
        goto fail;
    }
    *out = c;
    return 0;
fail:
    clips_free(c);
    return -1;
}

static const char *clip_of(const char *word, size_t len)
{
    for (size_t i = 0; i < NWORDS; i++)
        if (strlen(word_clips[i].word) == len &&
            memcmp(word_clips[i].word, word, len) == 0)
            return word_clips[i].clip;
    return NULL;
}

int clips_announcement(int64_t amount, const char **names, int max)
{
    char words[VNWORDS_MAX];
    int n = 0;

    if (max < 3 || vnwords_amount(amount, words, sizeof words) != 0)
        return -1;
    names[n++] = "beep";
    names[n++] = "gap";
    names[n++] = "da-nhan";
    for (const char *p = words; *p;) {
        size_t len = strcspn(p, " ");
        const char *clip = clip_of(p, len);

        if (!clip || n == max)
            return -1;
        names[n++] = clip;
        p += len;
        if (*p == ' ')
            p++;
    }
    return n;
}

static const struct clip *find(const struct clips *c, const char *name)
{
    for (size_t i = 0; i < NCLIPS; i++)
        if (c->clip[i].name && strcmp(c->clip[i].name, name) == 0)
            return &c->clip[i];
    return NULL;
}

int clips_play(struct clips *c, const char *const *names, int n, char *err,
               size_t err_cap)
{
    SDL_AudioSpec want, have;
    SDL_AudioDeviceID dev;

    for (int i = 0; i < n; i++)
        if (!find(c, names[i])) {
            snprintf(err, err_cap, "no clip '%s'", names[i]);
            return -1;
        }
    SDL_zero(want);
    want.freq = RATE;
    want.format = AUDIO_S16;
    want.channels = 1;
    want.samples = 1024;
    dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!dev) {
        snprintf(err, err_cap, "audio: %s", SDL_GetError());
        return -1;
    }
    for (int i = 0; i < n; i++) {
        const struct clip *cl = find(c, names[i]);
        SDL_QueueAudio(dev, cl->pcm, cl->len);
    }
    SDL_PauseAudioDevice(dev, 0);
    while (SDL_GetQueuedAudioSize(dev) > 0)
        SDL_Delay(20);
    SDL_Delay(250); /* let the device play out its last buffer */
    SDL_CloseAudioDevice(dev);
    return 0;
}
