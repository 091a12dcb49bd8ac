/*
 * account.h: the normal form of a collecting account, the one place that
 * says how an account number written by a bank, a provider or a person
 * compares with an organisation's (docs/matching.md, "Which
 * organisation"). Pure: no storage.
 */
#ifndef CHOPAY_SERVER_ACCOUNT_H
#define CHOPAY_SERVER_ACCOUNT_H

#include <stddef.h>

#define ACCOUNT_BIN_MAX 7  /* a NAPAS BIN, six digits, with NUL */
#define ACCOUNT_KEY_MAX 72 /* a normalised account number, with NUL */

/*
 * Split the account `text` into the bank BIN written in front of it, if
 * any, and its normal form. Spaces around `text` are ignored. Six digits
 * starting 970 or 971 followed by '/', ':' or a space
 * ("970436/0123456789", "970436:0123456789", "970436 0123456789") are the
 * BIN, copied to `bin` (ACCOUNT_BIN_MAX bytes); otherwise `bin` is "".
 * The account is the rest with everything but letters and digits removed
 * and letters upper-cased, into `key` (capacity `cap`). Returns 0, or -1
 * (key "", bin "") when no letter or digit is left or the account does
 * not fit in `cap`. Nothing else is guessed: no suffix, no other prefix.
 */
int account_normalise(const char *text, char *bin, char *key, size_t cap);

#endif
