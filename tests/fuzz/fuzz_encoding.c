/*
 * fuzz_encoding.c: libFuzzer target for hex and base64 decoding (what
 * decodes must re-encode to the same text) and constant-time string
 * comparison (must agree with strcmp).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t out[4096];
    char enc[8200];
    size_t n;

    if (size > 4000)
        return 0;
    if (crypto_unbase64((const char *)data, size, out, sizeof out, &n) == 0) {
        crypto_base64(out, n, enc);
        if (strlen(enc) != size || memcmp(enc, data, size) != 0)
            abort();
    }
    if (crypto_unhex((const char *)data, size, out, sizeof out, &n) == 0) {
        crypto_hex(out, n, enc);
        if (strlen(enc) != size ||
            strncasecmp(enc, (const char *)data, size) != 0)
            abort();
    }
    char *a = malloc(size + 1);
    if (!a)
        return 0;
    memcpy(a, data, size);
    a[size] = '\0';
    char *b = strdup(a + strlen(a) / 2);
    if (b) {
        a[strlen(a) / 2] = '\0';
        if (crypto_equal_str(a, b) != (strcmp(a, b) == 0))
            abort();
        free(b);
    }
    free(a);
    return 0;
}
