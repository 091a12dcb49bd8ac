/*
 * dash.h: the web dashboard's server side: password hashing (scrypt
 * through OpenSSL, dash_pw.c) and the session resolution http.c uses for
 * requests that carry the chopay_session cookie (h_dash.c). Private to
 * server/.
 */
#ifndef CHOPAY_SERVER_DASH_H
#define CHOPAY_SERVER_DASH_H

#include <stddef.h>

#include "api.h"

/* scrypt parameters: N = 2^15, r = 8, p = 1 (32 MiB, memory-hard). */
#define DASH_PW_N      32768
#define DASH_PW_R      8
#define DASH_PW_P      1
#define DASH_PW_MAX    160  /* bytes of a stored hash with its NUL */
#define DASH_PW_MAXLEN 1024 /* longest password accepted */

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

/* The value of cookie chopay_session of this request, or NULL. */
const char *dash_cookie(struct req *r);

/*
 * Authenticate a request by its session cookie: fills r->who, and for a
 * method other than GET/HEAD requires an X-CSRF-Token header equal to
 * the session's token. Returns 0, or -1 with the 401/403 reply queued in
 * *res.
 */
int dash_authenticate(struct req *r, enum MHD_Result *res);

#endif
