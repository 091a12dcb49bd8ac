/*
 * fuzz_text_fold.c: libFuzzer target for vntext_fold on arbitrary bytes.
 * The result must be printable upper-case ASCII, trimmed, without double
 * spaces, no longer than the input, and the error must agree with
 * vntext_utf8_valid; otherwise abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vntext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *out;
    size_t olen = 0, i;
    int rc, valid;

    out = malloc(size + 1);
    if (out == NULL)
        return 0;
    rc = vntext_fold(in, size, out, size + 1, &olen);
    valid = vntext_utf8_valid(in, size) == 0;
    if (rc == -VNTEXT_E_UTF8) {
        if (valid || out[0] != '\0')
            abort();
        goto done;
    }
    if (rc != 0 || !valid || olen > size || strlen(out) != olen)
        abort();
    for (i = 0; i < olen; i++) {
        unsigned char c = (unsigned char)out[i];

        if (c < 0x20 || c > 0x7E || (c >= 'a' && c <= 'z'))
            abort();
        if (c == ' ' && (i == 0 || i + 1 == olen || out[i - 1] == ' '))
            abort();
    }
    /* Folding is idempotent. */
    if (olen > 0) {
        char *again = malloc(olen + 1);
        size_t alen = 0;

        if (again != NULL) {
            if (vntext_fold(out, olen, again, olen + 1, &alen) != 0 ||
                alen != olen || memcmp(again, out, olen) != 0)
                abort();
            free(again);
        }
    }
done:
    free(out);
    return 0;
}
