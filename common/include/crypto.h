/*
 * crypto.h: the crypto and encoding helpers chopay needs, on OpenSSL:
 * SHA-256, HMAC-SHA256/512, constant-time comparison, secure random
 * bytes, hex and base64.
 */
#ifndef CHOPAY_CRYPTO_H
#define CHOPAY_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SHA512_LEN 64

/* out = SHA-256(data). Returns 0 or -1. */
int crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN]);
/* out = HMAC-SHA256(key, data). Returns 0 or -1. */
int crypto_hmac_sha256(const void *key, size_t key_len, const void *data,
                       size_t len, uint8_t out[CRYPTO_SHA256_LEN]);
/* out = HMAC-SHA512(key, data). Returns 0 or -1. */
int crypto_hmac_sha512(const void *key, size_t key_len, const void *data,
                       size_t len, uint8_t out[CRYPTO_SHA512_LEN]);
/* 1 when the `len` bytes at a and b are equal; time independent of data. */
int crypto_equal(const void *a, const void *b, size_t len);
/*
 * 1 when the NUL-terminated strings a and b are equal (0 when either is
 * NULL); the time depends only on their lengths, never on where they
 * differ. The comparison loop runs max(strlen(a), strlen(b)) times without
 * data-dependent branches; strlen() itself still reveals each length, so
 * compare fixed-length values (hex MACs, tokens) where length is secret.
 */
int crypto_equal_str(const char *a, const char *b);
/* Fill `buf` with `len` cryptographically secure random bytes; 0 or -1. */
int crypto_random(void *buf, size_t len);

/* Lower-case hex of `len` bytes into `out` (>= 2*len+1), NUL-terminated. */
void crypto_hex(const void *data, size_t len, char *out);
/*
 * Decode hex (either case) `hex` of `hex_len` chars into `out` (capacity
 * `cap`); *out_len gets the byte count. Returns 0, or -1 on odd length,
 * a non-hex character or a short buffer.
 */
int crypto_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t cap,
                 size_t *out_len);
/* Base64 (RFC 4648, padded) of `len` bytes into `out` (>= 4*((len+2)/3)+1). */
void crypto_base64(const void *data, size_t len, char *out);
/*
 * Decode padded base64 into `out` (capacity `cap`); *out_len gets the byte
 * count. Returns 0, or -1 on bad input or a short buffer. Strict RFC 4648:
 * length a multiple of 4, the standard alphabet only (no white space, no
 * base64url), '=' only as one or two final pad characters, and the unused
 * bits of the last digit zero (non-canonical "Zh==" is refused), so one
 * byte string has exactly one accepted encoding. `out` and *out_len are
 * untouched on error.
 */
int crypto_unbase64(const char *b64, size_t b64_len, uint8_t *out, size_t cap,
                    size_t *out_len);

#endif
