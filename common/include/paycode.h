/*
 * paycode.h: payer codes as people type them. "a-12", "A 12" and "a.12"
 * mean A-12; a letter O typed where the code has a digit 0 ("HS1O") means
 * the digit. The kiosk (offline, its cached directory) and the server
 * (its payers) match typed codes with the same functions, so a code found
 * offline is found online and the other way round.
 */
#ifndef CHOPAY_PAYCODE_H
#define CHOPAY_PAYCODE_H

#include <stddef.h>

enum paycode_error {
    PAYCODE_OK = 0,
    PAYCODE_E_NONE,     /* no code fits */
    PAYCODE_E_AMBIGUOUS /* more than one code fits */
};

/*
 * A payer code as compared when people type it: ASCII letters upper-cased,
 * spaces, tabs, dashes and dots dropped ("a-12", "A 12" and "A.12" give
 * "A12"), into `out` (capacity `cap`, always NUL-terminated). Returns the
 * key's full length; >= cap means it did not fit.
 */
size_t paycode_key(const char *code, char *out, size_t cap);

/* The i-th code of a caller's list (never NULL; "" for none). */
typedef const char *(*paycode_at_fn)(const void *list, size_t i);

/*
 * The code of `list` (n codes, read through `at`) that `typed` means: the
 * one spelt exactly so, else the only one with the same key (paycode_key),
 * else the only one that has the same key once every letter O typed where
 * the code has a digit 0 is read as that 0. Its index in *index; returns 0,
 * -PAYCODE_E_NONE or -PAYCODE_E_AMBIGUOUS (*index untouched on error).
 */
int paycode_find(const char *typed, paycode_at_fn at, const void *list,
                 size_t n, size_t *index);

/*
 * Codes of `list` near `typed`, closest first: the same key (the
 * candidates of an ambiguous code, O read as 0 included), one edit away (a
 * character changed, added, removed, or two neighbours swapped), then
 * longer codes that start with it. Up to `max` indexes into `out`;
 * returns how many.
 */
size_t paycode_suggest(const char *typed, paycode_at_fn at, const void *list,
                       size_t n, size_t *out, size_t max);

#endif
