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
#define MONEY_MAX        INT64_C(1000000000000000)
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
 *
 * The exact grammar (see money.c for the reasoning):
 *   - white space is ASCII white space, U+00A0, U+2009 or U+202F;
 *   - an optional sign ('-' or '+', one only) directly before the digits;
 *   - an optional currency either after the number ("₫", "đ", "d", "VND",
 *     "VNĐ", "đồng", "dong"; any case, white space before it allowed) or
 *     before it ("VND 15.000", "₫15.000"), never both;
 *   - '.' and ',' are both accepted as the thousands separator; groups
 *     after the first are exactly three digits and the first is 1-3
 *     digits without a leading zero ("1.23.000", "0.500" are invalid);
 *   - a separator that is the only one of its kind and not followed by
 *     exactly three digits, or the last separator when both kinds occur
 *     ("15.000,00", "15,000.00"), is a decimal point. VND has no minor
 *     unit, so the decimals must all be zero: "15000.00" and "15.00" are
 *     15000 and 15 đồng, "1.5" is -MONEY_E_DECIMALS;
 *   - "15." and ".5" are invalid; so is "15000.000" (a three-digit group
 *     after a group longer than three: neither reading is safe);
 *   - spaces inside the digits ("15 000") are not a separator.
 * Errors: -MONEY_E_SYNTAX for anything else, -MONEY_E_DECIMALS,
 * -MONEY_E_RANGE when |amount| > MONEY_MAX (checked without overflow, on
 * any number of digits). A syntax error wins over the other two.
 */
int money_parse(const char *text, int64_t *out);

/*
 * As money_parse(), but a negative amount is -MONEY_E_NEGATIVE (for what
 * a payer owes or pays). "-0" is 0.
 */
int money_parse_nonneg(const char *text, int64_t *out);

/*
 * Format `amount` the Vietnamese way ("15.000 ₫", "-1.500.000 ₫") into
 * `buf` (capacity `cap`, MONEY_FORMAT_MAX always suffices). Returns 0 or
 * -MONEY_E_BUFFER (then buf holds "" when cap > 0). Any int64_t, INT64_MIN
 * included, is formatted; the separator before "₫" (U+20AB) is an ASCII
 * space, not U+00A0, so the text survives terminals, JSON and grep alike
 * (money_parse() accepts both).
 */
int money_format(int64_t amount, char *buf, size_t cap);

/* Same, without the currency sign ("15.000"). */
int money_format_plain(int64_t amount, char *buf, size_t cap);

/*
 * *out = a + b, a - b, a * b; -MONEY_E_OVERFLOW when the result is beyond
 * +/- MONEY_MAX (int64_t overflow included), -MONEY_E_RANGE when an
 * operand already is. *out is untouched on error.
 */
int money_add(int64_t a, int64_t b, int64_t *out);
int money_sub(int64_t a, int64_t b, int64_t *out);
int money_mul(int64_t a, int64_t b, int64_t *out);

/*
 * A short English description of a money_* return value (either sign:
 * -MONEY_E_RANGE and MONEY_E_RANGE give the same text); never NULL.
 */
const char *money_strerror(int rc);

#endif
