/*
 * feeds_int.h: helpers shared by the parsers in server/feeds/ (error
 * reporting, bounded string copies, decimal amounts, dates, row hashes).
 * Private to this folder.
 */
#ifndef CHOPAY_FEEDS_INT_H
#define CHOPAY_FEEDS_INT_H

#include "feeds.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define FEEDS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FEEDS_PRINTF(a, b)
#endif

/* Fill *err (may be NULL) and return -code. */
int feeds_fail(struct feeds_error *err, int code, long line, const char *path,
               const char *fmt, ...) FEEDS_PRINTF(5, 6);

/* Copy `len` bytes of `src` into `dst` (capacity `cap`) as a C string.
 * Returns 0, or -1 when it does not fit or holds a NUL byte. */
int feeds_copy(char *dst, size_t cap, const char *src, size_t len);

/* Zero a transaction and set provider, statement -1. */
void feeds_txn_init(struct bank_txn *t, enum feeds_provider p);

/* Append *t to the list, taking its description; 0 or -FEEDS_E_NOMEM. */
int feeds_list_push(struct bank_txn_list *l, struct bank_txn *t);
int feeds_list_push_stmt(struct bank_txn_list *l,
                         const struct feeds_statement *s);
/* Move everything from `src` to the end of `dst`; src is emptied. */
int feeds_list_append(struct bank_txn_list *dst, struct bank_txn_list *src);

/* A sink that copies into a list (ctx = struct bank_txn_list *). */
void feeds_list_sink(struct bank_txn_list *l, struct feeds_sink *sink);

/* Decimal places of an ISO 4217 code (VND 0, EUR 2, KWD 3...). -1 when the
 * code is not three upper-case letters. */
int feeds_currency_exponent(const char *ccy);

/*
 * Parse an unsigned decimal "1234", "12.5", "0," with decimal mark `mark`
 * into minor units of `exponent` decimals. Extra decimals must be zero.
 * No sign, no grouping. 0 or -1.
 */
int feeds_decimal(const char *s, size_t len, char mark, int exponent,
                  int64_t *out);

/* 1 when y-m-d is a real calendar date (1900..2199). */
int feeds_valid_date(int y, int m, int d);

/* Write a valid date as "YYYY-MM-DD" into out[11]. */
void feeds_fmt_date(int y, int m, int d, char out[11]);

/* Parse "YYYY-MM-DD" at s (exactly 10 chars used) into out[11]; 0 / -1. */
int feeds_iso_date(const char *s, size_t len, char out[11]);

/*
 * Parse "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]"
 * (or a bare date). `default_tz` ("+07:00") is used when no offset is
 * given. Fills date[11] and datetime[32]. 0 or -1.
 */
int feeds_datetime(const char *s, size_t len, const char *default_tz,
                   char date[11], char datetime[32]);

/* provider_txn_id for a row without a reference: "h:" + 32 hex chars of
 * SHA-256 over the given text. */
int feeds_hash_id(const char *text, size_t len, char out[FEEDS_ID_MAX]);

/* Signed sums with overflow checks (limit 10^17 minor units). 0 / -1. */
int feeds_add(int64_t a, int64_t b, int64_t *out);

/* Set the statement's check fields from its figures. */
void feeds_stmt_check(struct feeds_statement *s);

/* Append to a bounded note buffer, marking truncation with "...". */
void feeds_note(char *notes, size_t cap, const char *fmt, ...)
    FEEDS_PRINTF(3, 4);

/* Format a signed minor-unit amount "-12.34" (exponent decimals). */
void feeds_fmt_amount(int64_t v, int exponent, char *buf, size_t cap);

/* Constant-time comparison of two NUL-terminated strings. */
int feeds_str_equal(const char *a, const char *b);

/* Verify "sha256=<hex>" against HMAC-SHA256(key, ts "." body); ts must be
 * decimal seconds within FEEDS_MAX_SKEW of now. */
int feeds_verify_ts_hmac(const struct feeds_request *req, const char *key,
                         const char *ts_header, const char *sig_header,
                         int64_t now_unix, struct feeds_error *err);

#endif
