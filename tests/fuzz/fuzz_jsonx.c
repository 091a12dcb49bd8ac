/*
 * fuzz_jsonx.c: libFuzzer target for the JSON request reader (size and
 * depth limits before jansson, typed field access, unknown-key checks).
 */
#include <stdint.h>
#include <stdlib.h>

#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"a", "b", NULL};
    struct jsonx_error e;
    json_t *j = NULL;
    const char *str;
    int64_t i;

    if (jsonx_parse((const char *)data, size, 100000, 16, &j, &e) != 0)
        return 0;
    free(jsonx_dump(j));
    jsonx_get_string(j, "a", 1, 5, &str, &e);
    jsonx_get_int(j, "b", 0, 0, 9, &i, &e);
    jsonx_check_keys(j, allowed, &e);
    json_decref(j);
    return 0;
}
