/*
 * fuzz_receipt.c: libFuzzer target for receipt_parse and receipt_verify.
 * Any byte string must parse or be refused without crashing or reading
 * past its length. Oracles: a parsed receipt's canonical text is exactly
 * the text's signed part (one receipt, one text); re-signing the parsed
 * fields with a fixed key gives a text that verifies and parses back to
 * the same fields; verify never accepts a text signed by nobody.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 8032 test 1 key pair. */
static const uint8_t priv[RECEIPT_KEY_LEN] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a,
    0xf4, 0x92, 0xec, 0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32,
    0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
static const uint8_t pub[RECEIPT_KEY_LEN] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe,
    0xd3, 0xc9, 0x64, 0x07, 0x3a, 0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6,
    0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct receipt r, r2;
    uint8_t sig[RECEIPT_SIG_LEN];
    char canon[RECEIPT_TEXT_MAX];
    char text[RECEIPT_TEXT_MAX];
    /* A private copy so that reading past `size` is caught by ASan. */
    char *p = malloc(size ? size : 1);
    int n;

    if (!p)
        return 0;
    memcpy(p, data, size);
    if (receipt_parse(p, size, &r, sig) == 0) {
        n = receipt_canonical(&r, canon, sizeof canon);
        if (n < 0 || (size_t)n + 1 + 86 != size ||
            memcmp(canon, p, (size_t)n) != 0 || p[n] != '|')
            abort();
        if (receipt_sign(&r, priv, text, sizeof text) != 0 ||
            receipt_verify(text, strlen(text), pub, &r2) != 0)
            abort();
        if (strcmp(r.org, r2.org) || strcmp(r.number, r2.number) ||
            strcmp(r.payer, r2.payer) || strcmp(r.ref, r2.ref) ||
            r.amount != r2.amount || r.method != r2.method ||
            r.paid_at != r2.paid_at)
            abort();
        /* The fuzzer cannot forge: a valid verify means the bytes equal
         * what we would have signed (Ed25519 signatures are
         * deterministic and canonical). */
        if (receipt_verify(p, size, pub, NULL) == 0 &&
            (size != strlen(text) || memcmp(p, text, size) != 0))
            abort();
    } else if (receipt_verify(p, size, pub, NULL) == 0) {
        abort(); /* verify accepted what parse refused */
    }
    free(p);
    return 0;
}
