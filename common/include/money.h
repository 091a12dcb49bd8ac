/*
 * money.h: amounts of money as int64_t đồng (VND has no minor unit).
 * Parsing of the ways Vietnamese people and banks write amounts, the
 * Vietnamese format ("15.000 ₫"), and overflow-checked arithmetic.
 */
#ifndef CHOPAY_MONEY_H
#define CHOPAY_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* Largest amount we accept anywhere: 10^15 đồng. */
#define MONEY_MAX INT64_C(1000000000000000)
#define MONEY_FORMAT_MAX 32 /* buffer size that fits any formatted amount */

enum money_error {
    MONEY_OK = 0,
    MONEY_E_SYNTAX,   /* not an amount */
    MONEY_E_DECIMALS, /* non-zero decimals: VND has none */
    MONEY_E_RANGE,    /* beyond +/- MONEY_MAX */
    MONEY_E_NEGATIVE, /* negative where only >= 0 makes sense */
    MONEY_E_OVERFLOW, /* arithmetic overflow */
    MONEY_E_BUFFER    /* output buffer too small */
};

/*
 * Parse an amount: "15000", "15.000", "15.000 ₫", "15.000đ", "15,000 VND",
 * "1.234.000 VNĐ", "-5.000", "15000.00". Separators must group by three.
 * Leading/trailing white space is allowed. Writes *out only on success;
 * returns 0 or a negated enum money_error.
 */
int money_parse(const char *text, int64_t *out);

/*
 * Format `amount` the Vietnamese way ("15.000 ₫", "-1.500.000 ₫") into
 * `buf` (capacity `cap`, MONEY_FORMAT_MAX always suffices). Returns 0 or
 * -MONEY_E_BUFFER.
 */
int money_format(int64_t amount, char *buf, size_t cap);

/* Same, without the currency sign ("15.000"). */
int money_format_plain(int64_t amount, char *buf, size_t cap);

/* *out = a + b, a - b, a * b; -MONEY_E_OVERFLOW beyond +/- MONEY_MAX. */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

#endif
