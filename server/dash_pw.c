/*
 * dash_pw.c: dashboard passwords, stored as
 * "scrypt$N$r$p$salt_b64$hash_b64" with OpenSSL's EVP_PBE_scrypt (a
 * memory-hard function: N = 2^15, r = 8 needs 32 MiB per guess), a 16-byte
 * random salt and a 32-byte key; verification compares in constant time.
 * Also the sign-in form's parser (application/x-www-form-urlencoded), kept
 * here, apart from the HTTP code, so that a fuzz target can reach both.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "dash.h"

#define SALT_LEN 16
#define KEY_LEN  DASH_PW_KEYLEN

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

int dash_pw_parse(const char *stored, struct dash_pw_params *out)
{
    struct dash_pw_params v;
    uint8_t want[DASH_PW_KEYLEN + 2];
    size_t want_len;
    const char *s = stored, *dollar;

    if (stored == NULL || strncmp(s, "scrypt$", 7) != 0)
        return -1;
    s += 7;
    /* bounded so that a stored hash cannot ask for more than 256 MiB */
    if (field(&s, 1u << 20, &v.n) != 0 || (v.n & (v.n - 1)) != 0 || v.n < 2 ||
        field(&s, 16, &v.r) != 0 || field(&s, 4, &v.p) != 0 ||
        128 * v.n * v.r > (256u << 20))
        return -1;
    dollar = strchr(s, '$');
    if (dollar == NULL ||
        crypto_unbase64(s, (size_t)(dollar - s), v.salt, sizeof(v.salt),
                        &v.salt_len) != 0 ||
        v.salt_len < 8 ||
        crypto_unbase64(dollar + 1, strlen(dollar + 1), want, sizeof(want),
                        &want_len) != 0 ||
        want_len != DASH_PW_KEYLEN)
        return -1;
    memcpy(v.key, want, DASH_PW_KEYLEN);
    *out = v;
    return 0;
}

int dash_pw_verify(const char *pw, const char *stored)
{
    struct dash_pw_params v;
    uint8_t got[KEY_LEN];
    int eq;

    if (pw == NULL || dash_pw_parse(stored, &v) != 0)
        return -1;
    if (strlen(pw) > DASH_PW_MAXLEN)
        return 0;
    if (derive(pw, v.salt, v.salt_len, v.n, v.r, v.p, got) != 0)
        return -1;
    eq = crypto_equal(got, v.key, KEY_LEN);
    return eq ? 1 : 0;
}

/* ---- the sign-in form ---------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decode the value of the first pair named `name` in the form `body`
 * (`len` bytes) into out (`cap` bytes with its NUL). 0, or -1 when the
 * pair is missing, a %-escape is malformed, the value holds a NUL or does
 * not fit.
 */
static int form_value(const char *body, size_t len, const char *name, char *out,
                      size_t cap)
{
    size_t nl = strlen(name), i = 0;

    while (i < len) {
        size_t end = i;

        while (end < len && body[end] != '&')
            end++;
        if (end - i > nl && memcmp(body + i, name, nl) == 0 &&
            body[i + nl] == '=') {
            size_t o = 0, k;

            for (k = i + nl + 1; k < end; k++) {
                int c = (unsigned char)body[k];

                if (c == '+') {
                    c = ' ';
                } else if (c == '%') {
                    int hi = k + 2 < end ? hexval(body[k + 1]) : -1;
                    int lo = k + 2 < end ? hexval(body[k + 2]) : -1;

                    if (hi < 0 || lo < 0)
                        return -1;
                    c = hi * 16 + lo;
                    k += 2;
                }
                if (c == 0 || o + 1 >= cap)
                    return -1;
                out[o++] = (char)c;
            }
            if (cap == 0)
                return -1;
            out[o] = '\0';
            return 0;
        }
        i = end + 1;
    }
    return -1;
}

int dash_login_form(const char *body, size_t len, char *login, size_t lcap,
                    char *pw, size_t pcap)
{
    if (body == NULL || login == NULL || pw == NULL || lcap == 0 || pcap == 0)
        return -1;
    if (form_value(body, len, "login", login, lcap) != 0 ||
        form_value(body, len, "password", pw, pcap) != 0) {
        login[0] = pw[0] = '\0';
        return -1;
    }
    return 0;
}
