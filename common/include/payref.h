/*
 * payref.h: payment reference codes, the key of all matching. A code is a
 * 2-3 letter deployment prefix, then PAYREF_BODY_LEN - 1 random symbols and
 * one check symbol, all from a 29-symbol alphabet without look-alikes
 * (no 0 1 I L O U Z). The check is a weighted sum mod 29 over the whole
 * code, so every single substitution and every adjacent transposition is
 * detected.
 */
#ifndef CHOPAY_PAYREF_H
#define CHOPAY_PAYREF_H

#include <stddef.h>
#include <stdint.h>

#define PAYREF_ALPHABET "23456789ABCDEFGHJKMNPQRSTVWXY"
#define PAYREF_BODY_LEN 8  /* random symbols + check symbol */
#define PAYREF_MAX 12      /* longest code, without NUL */
#define PAYREF_DEFAULT_PREFIX "CP"

enum payref_error {
    PAYREF_OK = 0,
    PAYREF_E_PREFIX,   /* prefix not 2-3 letters from the alphabet */
    PAYREF_E_LENGTH,   /* code of the wrong length */
    PAYREF_E_SYMBOL,   /* a character outside the alphabet */
    PAYREF_E_CHECK,    /* the check symbol does not match */
    PAYREF_E_RANDOM,   /* no secure random bytes */
    PAYREF_E_NOT_FOUND /* find: no valid code in the text */
};

/* 0 when `prefix` is a usable prefix (2-3 letters from the alphabet). */
int payref_prefix_valid(const char *prefix);

/*
 * Make a new random code with `prefix` into `out` (>= PAYREF_MAX + 1
 * bytes). Returns 0 or a negated enum payref_error.
 */
int payref_new(const char *prefix, char *out);

/*
 * Make the code with `prefix` whose random part is the `n`-th value
 * (n < 29^(PAYREF_BODY_LEN-1)); for deterministic tests and block
 * reservation. Returns 0 or a negated enum payref_error.
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
 */
int payref_find(const char *text, size_t len, const char *const *prefixes,
                char *out);

#endif
