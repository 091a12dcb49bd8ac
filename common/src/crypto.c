/*
 * crypto.c: SHA-256, HMAC-SHA256/512, constant-time comparison and secure
 * random bytes on OpenSSL 3, and strict hex and base64 (RFC 4648) coders
 * written by hand so that non-canonical input is rejected.
 */
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <string.h>

#include "crypto.h"

/* OpenSSL wants a non-NULL pointer even for zero bytes. */
static const void *nonnull(const void *p)
{
    return p ? p : "";
}

/*
 * SHA-256 and SHA-512 fetched from OpenSSL's providers once: the
 * EVP_sha256() handle is fetched again on every use, which costs as much
 * as hashing a short message, and every audit entry and receipt hashes.
 */
static pthread_once_t md_once = PTHREAD_ONCE_INIT;
static EVP_MD *md_sha256, *md_sha512;

static void md_fetch(void)
{
    md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
    md_sha512 = EVP_MD_fetch(NULL, "SHA2-512", NULL);
}

static const EVP_MD *sha256_md(void)
{
    pthread_once(&md_once, md_fetch);
    return md_sha256 ? md_sha256 : EVP_sha256();
}

static const EVP_MD *sha512_md(void)
{
    pthread_once(&md_once, md_fetch);
    return md_sha512 ? md_sha512 : EVP_sha512();
}

int crypto_sha256(const void *data, size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
    unsigned int n = 0;

    if (!out || (!data && len))
        return -1;
    if (!EVP_Digest(nonnull(data), len, out, &n, sha256_md(), NULL) ||
        n != CRYPTO_SHA256_LEN)
        return -1;
    return 0;
}

static int hmac(const EVP_MD *md, const void *key, size_t key_len,
                const void *data, size_t len, uint8_t *out, unsigned int want)
{
    unsigned int n = 0;

    if (!out || (!key && key_len) || (!data && len) || key_len > INT_MAX)
        return -1;
    if (!HMAC(md, nonnull(key), (int)key_len, nonnull(data), len, out, &n) ||
        n != want)
        return -1;
    return 0;
}

int crypto_hmac_sha256(const void *key, size_t key_len, const void *data,
                       size_t len, uint8_t out[CRYPTO_SHA256_LEN])
{
    return hmac(sha256_md(), key, key_len, data, len, out, CRYPTO_SHA256_LEN);
}

int crypto_hmac_sha512(const void *key, size_t key_len, const void *data,
                       size_t len, uint8_t out[CRYPTO_SHA512_LEN])
{
    return hmac(sha512_md(), key, key_len, data, len, out, CRYPTO_SHA512_LEN);
}

int crypto_equal(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return 1;
    return CRYPTO_memcmp(a, b, len) == 0;
}

/* All ones when x < y, else 0; no branch on the values. */
static size_t ct_lt_mask(size_t x, size_t y)
{
    /* the borrow of x - y, computed without a data-dependent branch */
    size_t borrow = (x ^ ((x ^ y) | ((x - y) ^ y))) >> (sizeof(size_t) * 8 - 1);
    return (size_t)0 - borrow;
}

/*
 * Both strings are read up to the longer length, byte i of the shorter
 * one being replaced by its terminating NUL (index clamped with masks,
 * not branches), and the length difference is folded into the result.
 * So the loop's time depends only on max(strlen(a), strlen(b)), never on
 * where the strings differ. The strlen() calls themselves take time in
 * proportion to each length: lengths are not treated as secret (an HMAC
 * in hex or a token has a public, fixed length).
 */
int crypto_equal_str(const char *a, const char *b)
{
    const volatile unsigned char *pa, *pb;
    size_t la, lb, n, i, m;
    unsigned int diff = 0;

    if (!a || !b)
        return 0;
    pa = (const volatile unsigned char *)a;
    pb = (const volatile unsigned char *)b;
    la = strlen(a);
    lb = strlen(b);
    m = ct_lt_mask(la, lb);
    n = (lb & m) | (la & ~m); /* max(la, lb) */
    for (i = 0; i < n; i++) {
        size_t ma = ct_lt_mask(i, la), mb = ct_lt_mask(i, lb);
        size_t ia = (i & ma) | (la & ~ma); /* min(i, la) */
        size_t ib = (i & mb) | (lb & ~mb);
        diff |= (unsigned int)(pa[ia] ^ pb[ib]);
    }
    return ((diff | (unsigned int)(la != lb)) == 0);
}

int crypto_random(void *buf, size_t len)
{
    unsigned char *p = buf;

    if (!buf && len)
        return -1;
    while (len > 0) {
        int chunk = len > (1u << 20) ? (1 << 20) : (int)len;
        if (RAND_bytes(p, chunk) != 1)
            return -1;
        p += chunk;
        len -= (size_t)chunk;
    }
    return 0;
}

void crypto_hex(const void *data, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * len] = '\0';
}

/* Value of a hex digit, or -1. */
static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int crypto_unhex(const char *hex, size_t hex_len, uint8_t *out, size_t cap,
                 size_t *out_len)
{
    const unsigned char *h = (const unsigned char *)hex;

    if ((!hex && hex_len) || !out_len || hex_len % 2 != 0 ||
        hex_len / 2 > cap || (!out && hex_len))
        return -1;
    for (size_t i = 0; i < hex_len; i++) /* validate before writing */
        if (hex_value(h[i]) < 0)
            return -1;
    for (size_t i = 0; i < hex_len / 2; i++)
        out[i] = (uint8_t)(hex_value(h[2 * i]) << 4 | hex_value(h[2 * i + 1]));
    *out_len = hex_len / 2;
    return 0;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void crypto_base64(const void *data, size_t len, char *out)
{
    const unsigned char *p = data;
    size_t o = 0, i = 0;

    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = b64_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        out[o++] = b64_alphabet[v >> 18];
        out[o++] = b64_alphabet[(v >> 12) & 63];
        out[o++] = b64_alphabet[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
}

/* Value of a base64 digit, or -1 ('=' included). */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Strict RFC 4648 §4: length a multiple of 4, no white space, '=' only as
 * one or two final pad characters, and the unused bits of the last digit
 * zero (§3.5: "YQ==" is the only spelling of "a", "YR==" is rejected).
 */
int crypto_unbase64(const char *b64, size_t b64_len, uint8_t *out, size_t cap,
                    size_t *out_len)
{
    const unsigned char *s = (const unsigned char *)b64;
    size_t pad = 0, n;

    if ((!b64 && b64_len) || !out_len || b64_len % 4 != 0)
        return -1;
    if (b64_len >= 1 && s[b64_len - 1] == '=')
        pad++;
    if (b64_len >= 2 && s[b64_len - 2] == '=')
        pad++;
    if (pad == 1 && b64_len >= 2 && s[b64_len - 2] == '=')
        return -1;
    n = b64_len / 4 * 3 - pad;
    if (n > cap || (!out && n))
        return -1;
    for (size_t i = 0; i < b64_len - pad; i++) /* validate first */
        if (b64_value(s[i]) < 0)
            return -1;
    if (pad == 2 && (b64_value(s[b64_len - 3]) & 15) != 0)
        return -1;
    if (pad == 1 && (b64_value(s[b64_len - 2]) & 3) != 0)
        return -1;
    for (size_t i = 0, o = 0; i < b64_len; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int d = s[i + k] == '=' ? 0 : b64_value(s[i + k]);
            v = v << 6 | (uint32_t)d;
        }
        for (size_t k = 0; k < 3 && o < n; k++)
            out[o++] = (uint8_t)(v >> (16 - 8 * k));
    }
    *out_len = n;
    return 0;
}
