/*
 * fuzz_bank_csv.c: libFuzzer target for the bank directory: the CSV
 * validator that guards assets/banks.csv, and lookups by BIN and name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    size_t n;
    char *t = malloc(size + 1);

    if (!t)
        return 0;
    bank_csv_validate((const char *)data, size, &n, err, sizeof err);
    memcpy(t, data, size);
    t[size] = '\0';
    const struct bank *b = bank_lookup(t);
    if (b && bank_by_bin(b->bin) != b)
        abort();
    bank_by_bin(t);
    free(t);
    return 0;
}
