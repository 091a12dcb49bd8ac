/*
 * ksdl.h: the one place the kiosk includes SDL2, SDL2_ttf and SDL2_image.
 * Their headers trip -Wpedantic and -Wstrict-prototypes, so those two
 * warnings are silenced for the headers only, never for kiosk code.
 */
#ifndef CHOPAY_KIOSK_KSDL_H
#define CHOPAY_KIOSK_KSDL_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#pragma GCC diagnostic pop

#endif
