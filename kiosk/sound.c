/*
 * sound.c: the confirmation sound through SDL audio. The WAV is looked
 * up in --assets-dir, $CHOPAY_ASSETS, ./assets and the install data dir;
 * when audio or the file is missing the kiosk just stays silent.
 */
#include "kiosk.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const sound_dirs[] = {"assets", CHOPAY_DATADIR};

void sound_init(struct kiosk *k)
{
    SDL_AudioSpec spec;
    char path[KIOSK_PATH_MAX + 32];
    const char *env = getenv("CHOPAY_ASSETS");
    const char *dirs[4];
    int nd = 0;

    if (k->cfg.assets_dir[0])
        dirs[nd++] = k->cfg.assets_dir;
    if (env && env[0])
        dirs[nd++] = env;
    dirs[nd++] = sound_dirs[0];
    dirs[nd++] = sound_dirs[1];
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) < 0) {
        fprintf(stderr, "chopay-kiosk: no audio (%s); silent\n",
                SDL_GetError());
        return;
    }
    for (int i = 0; i < nd && !k->ding; i++) {
        snprintf(path, sizeof(path), "%s/kiosk-paid.wav", dirs[i]);
        if (!SDL_LoadWAV(path, &spec, &k->ding, &k->ding_len))
            k->ding = NULL;
    }
    if (!k->ding) {
        fprintf(stderr, "chopay-kiosk: kiosk-paid.wav not found; silent\n");
        return;
    }
    k->audio = SDL_OpenAudioDevice(NULL, 0, &spec, NULL, 0);
    if (!k->audio) {
        fprintf(stderr, "chopay-kiosk: audio: %s; silent\n", SDL_GetError());
        SDL_FreeWAV(k->ding);
        k->ding = NULL;
    }
}

void sound_ding(struct kiosk *k)
{
    if (!k->audio || !k->ding)
        return;
    SDL_ClearQueuedAudio(k->audio);
    SDL_QueueAudio(k->audio, k->ding, k->ding_len);
    SDL_PauseAudioDevice(k->audio, 0);
}

void sound_free(struct kiosk *k)
{
    if (k->audio)
        SDL_CloseAudioDevice(k->audio);
    if (k->ding)
        SDL_FreeWAV(k->ding);
    k->audio = 0;
    k->ding = NULL;
}
