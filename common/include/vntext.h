/*
 * vntext.h: Vietnamese text. Folding to upper-case ASCII for transfer
 * content and matching ("Nguyễn Thị Đào" -> "NGUYEN THI DAO"), for
 * precomposed (NFC) and decomposed (NFD) input alike, and UTF-8 checks.
 */
#ifndef CHOPAY_VNTEXT_H
#define CHOPAY_VNTEXT_H

#include <stddef.h>
#include <stdint.h>

enum vntext_error {
    VNTEXT_OK = 0,
    VNTEXT_E_UTF8,  /* invalid UTF-8 (overlong, surrogate, truncated ...) */
    VNTEXT_E_BUFFER /* output buffer too small */
};

/*
 * Fold `len` bytes of UTF-8 `in` into `out` (capacity `cap`, NUL-
 * terminated): letters lose their diacritics (đ/Đ -> D), everything is
 * upper-cased, combining marks vanish, white space runs become one space,
 * other characters outside ASCII are dropped. `*outlen` (may be NULL)
 * receives the length. The output is never longer than the input.
 * Returns 0 or a negated enum vntext_error; on error `out` holds "".
 *
 * Details: the result is trimmed (no leading or trailing space); every
 * Unicode White_Space character (ASCII \t \n \v \f \r and space, NBSP,
 * U+2000..U+200A, U+3000 ...) counts as white space, and a run of them
 * becomes one space even when dropped characters sit inside the run.
 * Printable ASCII (0x21-0x7E) is kept, letters upper-cased; ASCII
 * controls (NUL included) are dropped. Letters of U+00C0..U+024F and
 * U+1E00..U+1EFF fold to their base letter (Æ -> AE, ß -> SS, Ø -> O);
 * everything else outside ASCII (other scripts, symbols, combining marks)
 * is dropped. `in` may be NULL when `len` is 0. `cap` = len + 1 always
 * suffices.
 */
int vntext_fold(const char *in, size_t len, char *out, size_t cap,
                size_t *outlen);

/* 0 when `len` bytes of `s` are valid UTF-8, else -VNTEXT_E_UTF8. */
int vntext_utf8_valid(const char *s, size_t len);

/*
 * Decode the code point at the start of the `len` bytes of `s` (len >= 1)
 * into `*cp`, its length in bytes into `*used`. Strict UTF-8 (RFC 3629):
 * overlong forms, surrogates, values above U+10FFFF, stray continuation
 * bytes and truncated sequences give -VNTEXT_E_UTF8 and leave the outputs
 * untouched. Returns 0 or -VNTEXT_E_UTF8.
 */
int vntext_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t *used);

/*
 * Fold one code point as vntext_fold does, without the white space
 * collapsing: writes 0, 1 or 2 characters into `out` and returns how
 * many. A letter gives its upper-case ASCII base letter(s), any white
 * space gives ' ', printable ASCII gives itself (upper-cased), anything
 * dropped gives 0 characters.
 */
size_t vntext_fold_cp(uint32_t cp, char out[2]);

/*
 * Rewrite in place the period that ends each label of `s` (labels
 * separated by ", ") the Vietnamese way: "Tiền thuê sạp 2026-08" ->
 * "Tiền thuê sạp 08/2026", "... 2026-08-10" -> "... 10/08/2026". A period
 * starts the text or follows a space and ends the text or a label. The
 * length does not change.
 */
void vntext_periods(char *s);

#endif
