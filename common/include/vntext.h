/*
 * vntext.h: Vietnamese text. Folding to upper-case ASCII for transfer
 * content and matching ("Nguyễn Thị Đào" -> "NGUYEN THI DAO"), for
 * precomposed (NFC) and decomposed (NFD) input alike, and UTF-8 checks.
 */
#ifndef CHOPAY_VNTEXT_H
#define CHOPAY_VNTEXT_H

#include <stddef.h>

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
 */
int vntext_fold(const char *in, size_t len, char *out, size_t cap,
                size_t *outlen);

/* 0 when `len` bytes of `s` are valid UTF-8, else -VNTEXT_E_UTF8. */
int vntext_utf8_valid(const char *s, size_t len);

#endif
