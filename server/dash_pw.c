/*
 * dash_pw.c: dashboard passwords, stored as
 * "scrypt$N$r$p$salt_b64$hash_b64" with OpenSSL's EVP_PBE_scrypt (a
 * memory-hard function: N = 2^15, r = 8 needs 32 MiB per guess), a 16-byte
 * random salt and a 32-byte key; verification compares in constant time.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "dash.h"

#define SALT_LEN 16
#define KEY_LEN  32

/* scrypt of `pw` with the given parameters into key[KEY_LEN]. */
static int derive(const char *pw, const uint8_t *salt, size_t salt_len,
                  uint64_t n, uint64_t r, uint64_t p, uint8_t *key)
{
    /* 128 * N * r bytes of memory plus slack */
    uint64_t maxmem = 128 * n * r * p + (1u << 20) + 128 * r * p;

    if (EVP_PBE_scrypt(pw, strlen(pw), salt, salt_len, n, r, p, maxmem, key,
                       KEY_LEN) != 1)
        return -1;
    return 0;
}

int dash_pw_hash(const char *pw, char *out, size_t cap)
{
    uint8_t salt[SALT_LEN], key[KEY_LEN];
    char s64[32], k64[48];
    int n;

    if (pw == NULL || strlen(pw) > DASH_PW_MAXLEN ||
        crypto_random(salt, sizeof(salt)) != 0 ||
        derive(pw, salt, sizeof(salt), DASH_PW_N, DASH_PW_R, DASH_PW_P, key) !=
            0)
        return -1;
    crypto_base64(salt, sizeof(salt), s64);
    crypto_base64(key, sizeof(key), k64);
    n = snprintf(out, cap, "scrypt$%d$%d$%d$%s$%s", DASH_PW_N, DASH_PW_R,
                 DASH_PW_P, s64, k64);
    if (n < 0 || (size_t)n >= cap) {
        if (cap > 0)
            out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Parse a decimal field ending at '$' within [1, max]; advances *p. */
static int field(const char **p, uint64_t max, uint64_t *v)
{
    char *end;
    unsigned long long x;

    if (**p < '1' || **p > '9')
        return -1;
    x = strtoull(*p, &end, 10);
    if (*end != '$' || x == 0 || x > max)
        return -1;
    *v = x;
    *p = end + 1;
    return 0;
}

int dash_pw_verify(const char *pw, const char *stored)
{
    uint8_t salt[64], want[KEY_LEN + 2], got[KEY_LEN];
    size_t salt_len, want_len;
    uint64_t n, r, p;
    const char *s = stored, *dollar;
    int eq;

    if (pw == NULL || stored == NULL || strncmp(s, "scrypt$", 7) != 0)
        return -1;
    s += 7;
    /* bounded so that a stored hash cannot ask for more than 256 MiB */
    if (field(&s, 1u << 20, &n) != 0 || (n & (n - 1)) != 0 || n < 2 ||
        field(&s, 16, &r) != 0 || field(&s, 4, &p) != 0 ||
        128 * n * r > (256u << 20))
        return -1;
    dollar = strchr(s, '$');
    if (dollar == NULL ||
        crypto_unbase64(s, (size_t)(dollar - s), salt, sizeof(salt),
                        &salt_len) != 0 ||
        salt_len < 8 ||
        crypto_unbase64(dollar + 1, strlen(dollar + 1), want, sizeof(want),
                        &want_len) != 0 ||
        want_len != KEY_LEN)
        return -1;
    if (strlen(pw) > DASH_PW_MAXLEN)
        return 0;
    if (derive(pw, salt, salt_len, n, r, p, got) != 0)
        return -1;
    eq = crypto_equal(got, want, KEY_LEN);
    return eq ? 1 : 0;
}
