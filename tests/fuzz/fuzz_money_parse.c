/*
 * fuzz_money_parse.c: libFuzzer target for money_parse() on arbitrary
 * bytes. Whatever parses must format and parse back to the same value,
 * stay within +/- MONEY_MAX, and the variants must agree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char buf[MONEY_FORMAT_MAX];
    int64_t v = 0, back = 0, nn = 0;
    int rc;

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* money_parse reads up to the first NUL */
    rc = money_parse(text, &v);
    if (rc != 0 && rc != -MONEY_E_SYNTAX && rc != -MONEY_E_DECIMALS &&
        rc != -MONEY_E_RANGE)
        abort(); /* an error code parse must never return */
    if (rc == 0) {
        if (v > MONEY_MAX || v < -MONEY_MAX)
            abort();
        if (money_format(v, buf, sizeof buf) != 0 ||
            money_parse(buf, &back) != 0 || back != v)
            abort();
        if (money_format_plain(v, buf, sizeof buf) != 0 ||
            money_parse(buf, &back) != 0 || back != v)
            abort();
        int rn = money_parse_nonneg(text, &nn);
        if (v < 0 ? rn != -MONEY_E_NEGATIVE : (rn != 0 || nn != v))
            abort();
    } else if (money_parse_nonneg(text, &nn) != rc) {
        abort(); /* the wrapper reports the same failure */
    }
    free(text);
    return 0;
}
