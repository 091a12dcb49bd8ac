/*
 * fuzz_match.c: libFuzzer target for the matching engine's pure parts
 * (server/match.c) and account normal forms (server/account.c): reference
 * keys, account numbers, the transfer identity keys, payment codes in any
 * bytes, name folding and scoring. Nothing may crash or overrun.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), key[MATCH_KEY_MAX], small[4];
    char bin[ACCOUNT_BIN_MAX], acct[ACCOUNT_KEY_MAX];
    char a[FEEDS_NAME_MAX], b[FEEDS_NAME_MAX];
    char codes[MATCH_CODES_MAX][PAYREF_MAX + 1];
    struct bank_txn t;
    size_t n = 0, half = size / 2;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    match_ref_key(text, key, sizeof(key));
    match_ref_key(text, small, sizeof(small));
    if (account_normalise(text, bin, acct, sizeof(acct)) == 0 &&
        (acct[0] == '\0' || strlen(bin) % 6 != 0))
        abort();
    account_normalise(text, bin, small, sizeof(small));
    match_transfer_ref(text, key, sizeof(key));
    match_transfer_ref(text, small, sizeof(small));
    match_counter_key(text, small, sizeof(small));
    {
        /* the content key: only letters and digits after its prefix */
        char *d = match_desc_key(half > 0 && text[0] == 'C' ? text : "", text);
        size_t i;

        if (d == NULL || strlen(d) < 2 || d[1] != ':')
            abort();
        for (i = 2; d[0] == 'D' && d[i] != '\0'; i++)
            if (!((d[i] >= 'A' && d[i] <= 'Z') || (d[i] >= '0' && d[i] <= '9')))
                abort();
        free(d);
    }
    memset(&t, 0, sizeof(t));
    t.description = text;
    memcpy(t.provider_code, text,
           half < sizeof(t.provider_code) - 1 ? half
                                              : sizeof(t.provider_code) - 1);
    match_codes(&t, "CT", codes, MATCH_CODES_MAX, &n);
    if (n > MATCH_CODES_MAX)
        abort();
    match_fold_name(text, a, sizeof(a));
    match_fold_name(text + half, b, sizeof(b));
    if (match_name_score(a, b) > 100 || match_name_score(b, a) < 0)
        abort();
    free(text);
    return 0;
}
