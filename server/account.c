/*
 * account.c: the normal form of a collecting account (account.h): the
 * BIN that banks write in front of it split off, then letters and digits
 * only, upper-cased. Organisations are stored in this form and incoming
 * accounts are compared in it, exactly.
 */
#include <ctype.h>
#include <string.h>

#include "account.h"

/* 1 when the `len` bytes at `s` start with a BIN and its separator:
 * 97[01]ddd then '/', ':' or ' '. */
static int has_bin(const char *s, size_t len)
{
    size_t i;

    if (len < 7 || s[0] != '9' || s[1] != '7' || (s[2] != '0' && s[2] != '1'))
        return 0;
    for (i = 3; i < 6; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return s[6] == '/' || s[6] == ':' || s[6] == ' ';
}

int account_normalise(const char *text, char *bin, char *key, size_t cap)
{
    const char *s = text;
    size_t len, i, k = 0;

    bin[0] = '\0';
    if (cap == 0)
        return -1;
    key[0] = '\0';
    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    if (has_bin(s, len)) {
        memcpy(bin, s, 6);
        bin[6] = '\0';
        s += 7;
        len -= 7;
    }
    for (i = 0; i < len; i++) {
        if (!isalnum((unsigned char)s[i]))
            continue;
        if (k + 1 >= cap) {
            k = 0;
            break;
        }
        key[k++] = (char)toupper((unsigned char)s[i]);
    }
    key[k] = '\0';
    if (k == 0) {
        bin[0] = '\0';
        return -1;
    }
    return 0;
}
