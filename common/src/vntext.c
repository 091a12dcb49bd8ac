/*
 * vntext.c: Vietnamese text folding to upper-case ASCII and strict UTF-8
 * decoding. Letters with diacritics are folded through a generated table
 * (vntext_table.h, from the Unicode Character Database) covering Latin-1,
 * Latin Extended-A/-B and Latin Extended Additional; no allocation.
 */
#include <string.h>

#include "vntext.h"

#include "vntext_table.h"

/* Is `cp` a Unicode White_Space character (PropList.txt)? */
static int is_white(uint32_t cp)
{
    if (cp == 0x20 || (cp >= 0x09 && cp <= 0x0D))
        return 1;
    if (cp < 0x85)
        return 0;
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
           (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

int vntext_utf8_decode(const char *s, size_t len, uint32_t *cp, size_t *used)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    uint32_t c;
    size_t n, i;

    if (len == 0)
        return -VNTEXT_E_UTF8;
    c = p[0];
    if (c < 0x80) {
        *cp = c;
        *used = 1;
        return 0;
    }
    /* Unicode 14, Table 3-7: well-formed UTF-8 byte sequences. */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong 3-byte forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates U+D800..U+DFFF */
        c &= 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* no overlong 4-byte forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
        c &= 0x07;
    } else {
        /* 0x80..0xC1 (stray continuation, overlong lead), 0xF5..0xFF */
        return -VNTEXT_E_UTF8;
    }
    if (len < n)
        return -VNTEXT_E_UTF8;
    if (p[1] < lo || p[1] > hi)
        return -VNTEXT_E_UTF8;
    for (i = 1; i < n; i++) {
        if (i > 1 && (p[i] < 0x80 || p[i] > 0xBF))
            return -VNTEXT_E_UTF8;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    *cp = c;
    *used = n;
    return 0;
}

int vntext_utf8_valid(const char *s, size_t len)
{
    size_t i = 0, used;
    uint32_t cp;

    while (i < len) {
        if (vntext_utf8_decode(s + i, len - i, &cp, &used) != 0)
            return -VNTEXT_E_UTF8;
        i += used;
    }
    return 0;
}

size_t vntext_fold_cp(uint32_t cp, char out[2])
{
    const char *e = NULL;

    if (cp < 0x80) {
        if (cp >= 'a' && cp <= 'z') {
            out[0] = (char)(cp - 'a' + 'A');
            return 1;
        }
        if (cp >= 0x21 && cp <= 0x7E) {
            out[0] = (char)cp;
            return 1;
        }
        if (is_white(cp)) {
            out[0] = ' ';
            return 1;
        }
        return 0; /* other ASCII controls */
    }
    if (cp >= VNTEXT_LATIN_FIRST && cp <= VNTEXT_LATIN_LAST)
        e = vntext_latin[cp - VNTEXT_LATIN_FIRST];
    else if (cp >= VNTEXT_LATIN_ADD_FIRST && cp <= VNTEXT_LATIN_ADD_LAST)
        e = vntext_latin_add[cp - VNTEXT_LATIN_ADD_FIRST];
    if (e != NULL && e[0] != 0) {
        out[0] = e[0];
        if (e[1] == 0)
            return 1;
        out[1] = e[1];
        return 2;
    }
    if (is_white(cp)) {
        out[0] = ' ';
        return 1;
    }
    return 0; /* combining marks, other scripts, symbols */
}

int vntext_fold(const char *in, size_t len, char *out, size_t cap,
                size_t *outlen)
{
    size_t i = 0, o = 0, used, n, k;
    int space = 0; /* a white space run is pending */
    uint32_t cp;
    char f[2];
    int rc = 0;

    while (i < len) {
        if ((unsigned char)in[i] < 0x80) { /* fast path: ASCII */
            cp = (unsigned char)in[i];
            used = 1;
        } else if (vntext_utf8_decode(in + i, len - i, &cp, &used) != 0) {
            rc = -VNTEXT_E_UTF8;
            goto fail;
        }
        i += used;
        n = vntext_fold_cp(cp, f);
        if (n == 1 && f[0] == ' ') {
            space = 1;
            continue;
        }
        if (n == 0)
            continue;
        /* Room for the pending space, the characters and the NUL. */
        if (cap - o < (size_t)(space && o > 0) + n + 1) {
            rc = -VNTEXT_E_BUFFER;
            goto fail;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        for (k = 0; k < n; k++)
            out[o++] = f[k];
    }
    if (cap == 0) {
        rc = -VNTEXT_E_BUFFER;
        goto fail;
    }
    out[o] = '\0';
    if (outlen != NULL)
        *outlen = o;
    return 0;

fail:
    if (cap > 0)
        out[0] = '\0';
    return rc;
}

/* 1 when s[0..n) are decimal digits (a NUL stops it). */
static int all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

void vntext_periods(char *s)
{
    char *p, t[10];

    for (p = s; *p != '\0'; p++) {
        int start = p == s || p[-1] == ' ';
        int month =
            start && all_digits(p, 4) && p[4] == '-' && all_digits(p + 5, 2);
        int day = month && p[7] == '-' && all_digits(p + 8, 2);
        size_t len = day ? 10 : 7;

        if (!month || (p[len] != '\0' && p[len] != ','))
            continue;
        memcpy(t, p, len);
        if (day) {
            memcpy(p, t + 8, 2);
            p[2] = '/';
            memcpy(p + 3, t + 5, 2);
            p[5] = '/';
            memcpy(p + 6, t, 4);
        } else {
            memcpy(p, t + 5, 2);
            p[2] = '/';
            memcpy(p + 3, t, 4);
        }
        p += len - 1;
    }
}
