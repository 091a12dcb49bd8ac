/*
 * fuzz_kiosk_directory.c: libFuzzer target for the kiosk's directory
 * parser (kiosk/offline.c), which reads the server's reply and the copy
 * cached on disk (a torn or tampered file included). Nothing may crash,
 * overrun or leak; a failed parse must leave the previous directory
 * untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk.h"
#include "offline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char good[] =
        "{\"org\":{\"name\":\"Chợ Trung tâm\",\"kind\":\"market\"},"
        "\"payers\":[],\"fees\":[]}";
    struct kiosk_directory *d = calloc(1, sizeof(*d));
    struct kiosk_directory before;

    if (d == NULL)
        return 0;
    /* parse twice: the second replaces what the first left */
    offline_dir_parse(good, sizeof(good) - 1, d);
    memcpy(&before, d, sizeof(before));
    if (offline_dir_parse((const char *)data, size, d) != 0 &&
        memcmp(&before, d, sizeof(before)) != 0)
        abort(); /* a failed parse changed the directory */
    offline_dir_parse((const char *)data, size, d);
    offline_dir_free(d);
    free(d);
    return 0;
}
