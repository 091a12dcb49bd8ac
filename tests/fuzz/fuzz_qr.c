/*
 * fuzz_qr.c: libFuzzer target for vietqr_decode. Any byte string must
 * decode without crashing or reading past its length; when decode says a
 * payload is valid, re-encoding its fields and decoding again must give
 * the same fields back (an oracle for the codec's own consistency). Inputs
 * ending in "6304XXXX" are also tried with the right CRC patched in, so
 * the fuzzer gets past the checksum to the field rules.
 */
#include "vietqr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same_or_die(const struct vietqr_fields *a,
                        const struct vietqr_fields *b)
{
    if (strcmp(a->bin, b->bin) != 0 || strcmp(a->account, b->account) != 0 ||
        a->has_amount != b->has_amount ||
        (a->has_amount && a->amount != b->amount) ||
        a->has_content != b->has_content ||
        (a->has_content && strcmp(a->content, b->content) != 0) ||
        (a->has_amount && a->dynamic != b->dynamic) ||
        (a->service_known && a->service_kind != b->service_kind))
        abort();
}

/* Decode one buffer; run the re-encode oracle when it is valid. */
static void check_one(const char *p, size_t n)
{
    struct vietqr_fields f, g;
    struct vietqr_report rep, rep2;
    struct vietqr_request req;
    char out[VIETQR_MAX_PAYLOAD];
    int rc;

    rc = vietqr_decode(p, n, &f, &rep);
    /* The return value and the report must agree. */
    if ((rc == 0) != (rep.count == 0))
        abort();
    if (rep.count < 0 || rep.count > VIETQR_MAX_ERRORS)
        abort();
    if (rc != 0)
        return;
    if (!rep.emvco_valid || !rep.is_vietqr || rep.over_cap)
        abort();

    memset(&req, 0, sizeof(req));
    req.bin = f.bin;
    req.account = f.account;
    req.service = f.service_known ? f.service_kind : VIETQR_TO_ACCOUNT;
    req.amount = f.has_amount ? f.amount : 0;
    req.content = f.has_content ? f.content : NULL;
    req.force_static = f.has_amount && !f.dynamic;
    if (vietqr_encode(&req, out, sizeof(out)) != 0)
        abort();
    if (vietqr_decode(out, strlen(out), &g, &rep2) != 0)
        abort();
    same_or_die(&f, &g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char hx[] = "0123456789ABCDEF";
    char *copy;
    uint16_t crc;

    check_one((const char *)data, size);
    if (size < 8 || memcmp(data + size - 8, "6304", 4) != 0)
        return 0;
    /* Exact-size heap copy, so ASan still sees any over-read. */
    copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    crc = vietqr_crc16(copy, size - 4);
    for (int i = 0; i < 4; i++)
        copy[size - 4 + i] = hx[(crc >> (12 - 4 * i)) & 15];
    check_one(copy, size);
    free(copy);
    return 0;
}
