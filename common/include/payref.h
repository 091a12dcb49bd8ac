/*
 * payref.h: payment reference codes, the key of all matching. A code is a
 * 2-3 letter deployment prefix, then PAYREF_BODY_LEN - 1 random symbols and
 * one check symbol, all from a 29-symbol alphabet without look-alikes
 * (no 0 1 I L O U Z). The check is a weighted sum mod 29 over the whole
 * code, so every single substitution and every adjacent transposition is
 * detected. The first random symbol is always a digit (see below).
 */
#ifndef CHOPAY_PAYREF_H
#define CHOPAY_PAYREF_H

#include <stddef.h>
#include <stdint.h>

#define PAYREF_ALPHABET       "23456789ABCDEFGHJKMNPQRSTVWXY"
#define PAYREF_BODY_LEN       8  /* random symbols + check symbol */
#define PAYREF_MAX            12 /* longest code, without NUL */
#define PAYREF_DEFAULT_PREFIX "CP"
#define PAYREF_RADIX          29 /* strlen(PAYREF_ALPHABET), a prime */
#define PAYREF_DIGITS         8 /* PAYREF_ALPHABET starts with the digits 2-9 */
/* Number of distinct codes per prefix: 8 * 29^(PAYREF_BODY_LEN - 2). */
#define PAYREF_NUMBERS UINT64_C(4758586568)

enum payref_error {
    PAYREF_OK = 0,
    PAYREF_E_PREFIX,    /* prefix not 2-3 letters from the alphabet */
    PAYREF_E_LENGTH,    /* code of the wrong length */
    PAYREF_E_SYMBOL,    /* a character outside the alphabet, or a
                           letter right after the prefix */
    PAYREF_E_CHECK,     /* the check symbol does not match */
    PAYREF_E_RANDOM,    /* no secure random bytes */
    PAYREF_E_NOT_FOUND, /* find: no valid code in the text */
    PAYREF_E_RANGE      /* from_number: n >= PAYREF_NUMBERS */
};

/*
 * Format: PREFIX D RRRRRR K, e.g. "CP7K2QF9XV". PREFIX: 2-3 letters of the
 * alphabet. D: a random digit 2-9. R: 6 random alphabet symbols. K: the
 * check symbol. With v_i the alphabet index of the i-th character of the
 * whole code (prefix included, i = 1..n, n <= 11), a code is valid when
 * sum(i * v_i) = 0 (mod 29); proof of the detection in payref.c.
 *
 * Why D is a digit: find deletes spaces, so ordinary words run together
 * ("CTCP Phát Đạt" reads "CTCPPHATDAT...") and, without it, any "CP"
 * followed by 8 alphabet letters would pass the check with probability
 * 1/29, the same for every description carrying that phrase. Requiring a
 * digit right after the prefix rules out every candidate made of words.
 * It costs 1.9 of 34 bits: 4.76e9 codes per prefix remain.
 */

/* 0 when `prefix` is a usable prefix (2-3 letters from the alphabet). */
int payref_prefix_valid(const char *prefix);

/*
 * Make a new random code with `prefix` into `out` (>= PAYREF_MAX + 1
 * bytes). Returns 0 or a negated enum payref_error.
 */
int payref_new(const char *prefix, char *out);

/*
 * Make the code with `prefix` whose random part is the `n`-th value
 * (n < PAYREF_NUMBERS, the random part read as a base-29 number, most
 * significant symbol first); for deterministic tests and block
 * reservation. Returns 0 or a negated enum payref_error (-PAYREF_E_RANGE
 * when n is too large).
 */
int payref_from_number(const char *prefix, uint64_t n, char *out);

/* The check symbol for the first `len` characters of `code`, or 0. */
char payref_check_symbol(const char *code, size_t len);

/*
 * Validate a whole code (upper-case, no spaces). Returns 0 when valid, or
 * a negated enum payref_error saying why not.
 */
int payref_check(const char *code);

/*
 * Recover a code from a bank description as the receiving account's feed
 * shows it: wrapped in the banks' own text, re-cased, dots turned into
 * spaces, spaces inserted or removed, Vietnamese diacritics (UTF-8).
 * `prefixes` is a NULL-terminated list of accepted prefixes (NULL means
 * { PAYREF_DEFAULT_PREFIX }). Writes the first valid code into `out`
 * (>= PAYREF_MAX + 1 bytes) and returns 0, or -PAYREF_E_NOT_FOUND. Never
 * returns a code whose check fails.
 *
 * How: the text is folded as vntext_fold does (invalid UTF-8 bytes are
 * skipped rather than refused), every character that is not A-Z or 0-9 is
 * deleted, and each accepted prefix followed by exactly PAYREF_BODY_LEN
 * alphabet symbols with a valid check is a candidate. "First" prefers a
 * candidate whose prefix starts a word (not glued to a preceding letter,
 * as the bank's "CP7K2QF9XC" in "MBVCB.123.CP7K2QF9XC" or "IBFT CP7K...")
 * over one glued to a letter (a Vietnamese name like "NGOC PHAM THANH"
 * reads "...CPHAMTHANH" once spaces are gone); within each class the
 * leftmost wins. No look-alike mapping is done (see payref.c).
 * Returns -PAYREF_E_PREFIX when a listed prefix is invalid.
 */
int payref_find(const char *text, size_t len, const char *const *prefixes,
                char *out);

/*
 * Like payref_find, but collects every distinct valid candidate, in the
 * order of their position in the text, into `out` (room for `max` codes);
 * `*count` receives how many were stored. For callers that can tell which
 * candidate is a real open invoice (the server). Returns 0 when at least
 * one was found, -PAYREF_E_NOT_FOUND, or -PAYREF_E_PREFIX.
 */
int payref_find_all(const char *text, size_t len, const char *const *prefixes,
                    char (*out)[PAYREF_MAX + 1], size_t max, size_t *count);

#endif
