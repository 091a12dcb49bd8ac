/*
 * fuzz_payers_csv.c: libFuzzer target for chopay-server's payer CSV
 * reader (server/csv_payers.c): any bytes either parse into rows or are
 * refused with at least one line-numbered error; nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "csv_payers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct payers_csv p = {0};
    json_t *errs = NULL;
    const char *kind = size > 0 && (data[0] & 1) ? "market" : "school";

    if (payers_csv_parse((const char *)data, size, kind, &p, &errs) == 0) {
        if (p.n == 0)
            abort();
        payers_csv_free(&p);
    } else if (json_array_size(errs) == 0) {
        abort();
    }
    json_decref(errs);
    return 0;
}
