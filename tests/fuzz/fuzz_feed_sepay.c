/*
 * fuzz_feed_sepay.c: libFuzzer target for the sepay webhook: the parser and
 * the verifier. An input "header\nbody" gives the signature/credential
 * header its first line; the whole input is also parsed as a body.
 */
#include "feeds.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    const char *nl = memchr(data, '\n', size);
    char sig[512] = "";
    const char *body = (const char *)data;
    size_t blen = size;

    feeds_parse_sepay((const char *)data, size, &l, &e);
    feeds_list_free(&l);
    if (nl && (size_t)(nl - (const char *)data) < sizeof sig) {
        size_t hl = (size_t)(nl - (const char *)data);

        memcpy(sig, data, hl);
        sig[hl] = '\0';
        if (memchr(sig, '\0', hl) == NULL) {
            body = nl + 1;
            blen = size - hl - 1;
        }
    }
    {
        struct feeds_header h[] = {{"X-SePay-Timestamp", "1795338942"},
                                   {"X-SePay-Signature", sig},
                                   {"Authorization", sig}};
        struct feeds_secret s = {"apikey", "sepay-test-secret-2026"};
        struct feeds_request r = {body, blen, h, sizeof h / sizeof h[0]};

        feeds_verify_sepay(&r, &s, 1795338942, &e);
    }
    feeds_parse_sepay(body, blen, &l, &e);
    feeds_list_free(&l);
    return 0;
}
