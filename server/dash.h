/*
 * dash.h: the web dashboard's server side: password hashing (scrypt
 * through OpenSSL, dash_pw.c) and the session resolution http.c uses for
 * requests that carry the chopay_session cookie (h_dash.c). Private to
 * server/.
 */
#ifndef CHOPAY_SERVER_DASH_H
#define CHOPAY_SERVER_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* scrypt parameters: N = 2^15, r = 8, p = 1 (32 MiB, memory-hard). */
#define DASH_PW_N      32768
#define DASH_PW_R      8
#define DASH_PW_P      1
#define DASH_PW_MAX    160  /* bytes of a stored hash with its NUL */
#define DASH_PW_MAXLEN 1024 /* longest password accepted */
#define DASH_PW_KEYLEN 32   /* bytes of the derived key */

/* A stored hash taken apart (dash_pw_parse). */
struct dash_pw_params {
    uint64_t n, r, p;            /* scrypt cost: N (a power of 2), r, p */
    uint8_t salt[64];            /* the salt */
    size_t salt_len;             /* its length, 8..64 */
    uint8_t key[DASH_PW_KEYLEN]; /* the derived key to compare with */
};

/*
 * Hash `pw` with a fresh 16-byte random salt into `out` (`cap` >=
 * DASH_PW_MAX) as "scrypt$N$r$p$salt_b64$hash_b64". Returns 0, -1 on
 * failure (out untouched).
 */
int dash_pw_hash(const char *pw, char *out, size_t cap);

/*
 * Check `pw` against a stored hash (any N/r/p within limits). Returns 1
 * when it matches (compared in constant time), 0 when not, -1 when
 * `stored` is malformed.
 */
int dash_pw_verify(const char *pw, const char *stored);

/*
 * Take a stored hash "scrypt$N$r$p$salt_b64$key_b64" apart into *out:
 * N a power of two from 2 to 2^20, r 1..16, p 1..4, 128*N*r at most 256
 * MiB, a salt of 8-64 bytes, a 32-byte key, canonical base64. Returns 0,
 * or -1 when it is malformed (out untouched).
 */
int dash_pw_parse(const char *stored, struct dash_pw_params *out);

/*
 * The sign-in form (application/x-www-form-urlencoded, `len` bytes of
 * `body`, NUL not needed): the first "login" and "password" values,
 * %-decoded ('+' is a space) into login (`lcap` bytes) and pw (`pcap`).
 * Returns 0, or -1 when either is missing, badly escaped, holds a NUL or
 * does not fit (then both are "").
 */
int dash_login_form(const char *body, size_t len, char *login, size_t lcap,
                    char *pw, size_t pcap);

/* The value of cookie chopay_session of this request, or NULL. */
const char *dash_cookie(struct req *r);

/*
 * Authenticate a request by its session cookie: fills r->who, and for a
 * method other than GET/HEAD requires an X-CSRF-Token header equal to
 * the session's token. Returns 0, or -1 with the 401/403 reply queued in
 * *res.
 */
int dash_authenticate(struct req *r, enum MHD_Result *res);

/*
 * Housekeeping (at each sign-in and every housekeeping_interval seconds
 * from the server's main thread): drop the sessions expired by `now` and
 * the sign-in failure counters that are not locked and saw no failure for
 * a day. Logs what went; 0 or a negated store error (logged too).
 */
int dash_housekeep(struct store *st, int64_t now);

#endif
