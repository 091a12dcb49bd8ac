/*
 * fuzz_cfg.c: libFuzzer target for the INI configuration reader
 * (cfg_load_buffer over inih) and its typed getters.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"a.b", "s.*", NULL};
    char err[256];
    struct cfg *c = NULL;
    int64_t v;
    int b;

    if (cfg_load_buffer("fuzz.conf", (const char *)data, size, &c, err,
                        sizeof err) != 0)
        return 0;
    cfg_get_int64(c, "a", "b", 0, -5, 5, &v, err, sizeof err);
    cfg_get_bool(c, "", "x", 0, &b, err, sizeof err);
    cfg_check_keys(c, allowed, err, sizeof err);
    cfg_free(c);
    return 0;
}
