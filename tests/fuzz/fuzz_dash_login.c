/*
 * fuzz_dash_login.c: libFuzzer target for the dashboard's sign-in parsers
 * (server/dash_pw.c): the application/x-www-form-urlencoded sign-in body
 * and the stored password hash "scrypt$N$r$p$salt$key". Any bytes: no
 * crash, no overrun, outputs within their buffers, and a hash that parses
 * cheaply enough is also verified (scrypt runs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char login[40], pw[DASH_PW_MAXLEN + 1], s1[4], s2[2];
    struct dash_pw_params v;
    char *text;

    /* the body is not NUL-terminated here: only `size` bytes are read */
    if (dash_login_form((const char *)data, size, login, sizeof(login), pw,
                        sizeof(pw)) == 0) {
        if (strlen(login) >= sizeof(login) || strlen(pw) >= sizeof(pw))
            abort();
    } else if (login[0] != '\0' || pw[0] != '\0') {
        abort();
    }
    dash_login_form((const char *)data, size, s1, sizeof(s1), s2, sizeof(s2));
    text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&v, 0, sizeof(v));
    if (dash_pw_parse(text, &v) == 0) {
        if (v.n < 2 || (v.n & (v.n - 1)) != 0 || v.r < 1 || v.r > 16 ||
            v.p < 1 || v.p > 4 || v.salt_len < 8 || v.salt_len > sizeof(v.salt))
            abort();
        /* scrypt itself only when cheap (at most 1 MiB of work memory) */
        if (128 * v.n * v.r * v.p <= (1u << 20) &&
            dash_pw_verify("chopay", text) < 0)
            abort();
    }
    free(text);
    return 0;
}
