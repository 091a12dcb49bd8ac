/*
 * fuzz_ref_find.c: libFuzzer target for payref_find and payref_find_all on
 * arbitrary bytes. Any code returned must pass payref_check, appear among
 * the find_all candidates, and be upper-case ASCII; otherwise abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = {"CP", "HPX", "DH", NULL};
    char out[PAYREF_MAX + 1], all[8][PAYREF_MAX + 1];
    const char *text = (const char *)data;
    size_t n = 0, i;
    int rc, in_all = 0;

    memset(out, 0, sizeof out);
    rc = payref_find(text, size, NULL, out);
    if (rc == 0 && payref_check(out) != 0)
        abort();
    if (rc != 0 && rc != -PAYREF_E_NOT_FOUND)
        abort();

    rc = payref_find(text, size, prefixes, out);
    if (rc == 0 && payref_check(out) != 0)
        abort();
    if (payref_find_all(text, size, prefixes, all, 8, &n) == 0) {
        if (n == 0 || n > 8)
            abort();
        for (i = 0; i < n; i++) {
            if (payref_check(all[i]) != 0)
                abort();
            if (rc == 0 && strcmp(all[i], out) == 0)
                in_all = 1;
        }
        /* find's choice is one of the candidates unless find_all's
         * room of 8 filled up before it. */
        if (rc == 0 && !in_all && n < 8)
            abort();
    } else if (rc == 0) {
        abort();
    }
    return 0;
}
