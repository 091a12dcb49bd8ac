/*
 * fuzz_feed_mt940.c: libFuzzer target for the MT940/MT942 reader and the
 * statement format detection.
 */
#include "feeds.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;

    feeds_parse_mt940((const char *)data, size, &l, &e);
    feeds_list_free(&l);
    if (feeds_detect((const char *)data, size) == FEEDS_MT940) {
        feeds_parse_statement((const char *)data, size, 0, NULL, &l, &e);
        feeds_list_free(&l);
    }
    return 0;
}
