/*
 * fuzz_feed_camt.c: libFuzzer target for the camt.053/054 reader, both
 * from memory and as a stream read in small chunks.
 */
#include "feeds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct src {
    const uint8_t *p;
    size_t n, pos;
};

static int rd(void *ctx, char *buf, int cap)
{
    struct src *s = ctx;
    size_t k = s->n - s->pos;

    if (k > 13)
        k = 13;
    if (k > (size_t)cap)
        k = (size_t)cap;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (int)k;
}

static int drop_txn(void *ctx, const struct bank_txn *t)
{
    (void)ctx;
    return t->amount < 0; /* never: amounts are magnitudes */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct src s = {data, size, 0};
    struct feeds_sink sink = {drop_txn, NULL, NULL};

    feeds_parse_camt((const char *)data, size, &l, &e);
    feeds_list_free(&l);
    feeds_parse_camt_stream(rd, &s, &sink, &e);
    return 0;
}
