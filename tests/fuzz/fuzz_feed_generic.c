/*
 * fuzz_feed_generic.c: libFuzzer target for the generic webhook: the parser and
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

    feeds_parse_generic((const char *)data, size, &l, &e);
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
        struct feeds_header h[] = {{"X-Chopay-Timestamp", "1795338900"},
                                   {"X-Chopay-Signature", sig}};
        struct feeds_secret s = {NULL, "chopay-generic-secret"};
        struct feeds_request r = {body, blen, h, sizeof h / sizeof h[0]};

        feeds_verify_generic(&r, &s, 1795338942, &e);
    }
    feeds_parse_generic(body, blen, &l, &e);
    feeds_list_free(&l);
    return 0;
}
