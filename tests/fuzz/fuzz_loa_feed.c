/*
 * fuzz_loa_feed.c: libFuzzer target for the payment speaker's reading of
 * the announcements reply (loa/feed.c) and of its times. Nothing may
 * crash, overrun or leak; every entry kept must be one that may be said
 * (id > 0, 1 <= amount <= MONEY_MAX), in increasing id order, and the
 * words of each amount must map to clips.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loa.h"
#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct feed_reply r;
    const char *names[LOA_MAX_CLIPS];
    char text[64];
    int64_t t;

    memset(&r, 0, sizeof r);
    if (feed_parse((const char *)data, size, &r) == 0) {
        for (size_t i = 0; i < r.n; i++) {
            const struct feed_item *it = &r.items[i];
            if (it->id <= 0 || it->id > r.max_id || it->amount < 1 ||
                it->amount > MONEY_MAX || it->at < 0 ||
                (i > 0 && it->id < r.items[i - 1].id))
                abort();
            if (clips_announcement(it->amount, names, LOA_MAX_CLIPS) < 0)
                abort();
        }
        free(r.items);
    }
    if (size < sizeof text) {
        memcpy(text, data, size);
        text[size] = '\0';
        feed_parse_time(text, &t);
    }
    return 0;
}
