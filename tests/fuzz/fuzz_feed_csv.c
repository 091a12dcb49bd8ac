/*
 * fuzz_feed_csv.c: libFuzzer target for the CSV statement reader. The
 * first byte picks the mapping: default (Vietnamese headers) or by index,
 * the delimiter and the date format.
 */
#include "feeds.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {0, ',', ';', '\t'};
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct feeds_csv_map m;
    uint8_t sel;

    if (size == 0)
        return 0;
    sel = data[0];
    feeds_csv_map_default(&m);
    m.delimiter = delims[sel & 3];
    m.date_format = (sel & 4) ? FEEDS_DATE_YMD : FEEDS_DATE_DMY;
    if (sel & 8) {
        m.has_header = 0;
        m.date.index = 0;
        if (sel & 16) {
            m.credit.index = 1;
            m.debit.index = 2;
        } else {
            m.amount.index = 1;
        }
        m.description.index = 3;
        m.reference.index = (sel & 32) ? 4 : -1;
        m.balance.index = (sel & 64) ? 5 : -1;
    }
    feeds_parse_csv((const char *)data + 1, size - 1, &m, &l, &e);
    feeds_list_free(&l);
    return 0;
}
