/*
 * json_out.c: JSON text written straight into a growable buffer (see
 * json_out.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"

/* Room for `n` more bytes and a NUL; 0, or -1 (failed set). */
static int room(struct json_out *o, size_t n)
{
    size_t nc;
    char *np;

    if (o->failed)
        return -1;
    if (o->len + n + 1 <= o->cap)
        return 0;
    nc = o->cap ? o->cap : 512;
    while (nc < o->len + n + 1)
        nc *= 2;
    np = realloc(o->p, nc);
    if (np == NULL) {
        o->failed = 1;
        return -1;
    }
    o->p = np;
    o->cap = nc;
    return 0;
}

static void put(struct json_out *o, const char *s, size_t n)
{
    if (room(o, n) != 0)
        return;
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

void jo_raw(struct json_out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at `s` (1 to 4), or 0: no overlong
 * forms, no surrogates, nothing past U+10FFFF (what jansson accepts). */
static size_t utf8_len(const unsigned char *s)
{
    unsigned c = s[0], cp;
    size_t n, i;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void jo_str(struct json_out *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;

    if (s == NULL) {
        put(o, "null", 4);
        return;
    }
    for (p = (const unsigned char *)s; *p; p += n)
        if ((n = utf8_len(p)) == 0) {
            put(o, "null", 4);
            return;
        }
    put(o, "\"", 1);
    for (p = (const unsigned char *)s; *p;) {
        const unsigned char *run = p;
        char esc[8];

        while (*p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        put(o, (const char *)run, (size_t)(p - run));
        if (*p == '\0')
            break;
        switch (*p) {
        case '"':
            put(o, "\\\"", 2);
            break;
        case '\\':
            put(o, "\\\\", 2);
            break;
        case '\b':
            put(o, "\\b", 2);
            break;
        case '\f':
            put(o, "\\f", 2);
            break;
        case '\n':
            put(o, "\\n", 2);
            break;
        case '\r':
            put(o, "\\r", 2);
            break;
        case '\t':
            put(o, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04X", *p);
            put(o, esc, 6);
        }
        p++;
    }
    put(o, "\"", 1);
}

void jo_int(struct json_out *o, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%" PRId64, v);

    put(o, b, (size_t)n);
}

char *jo_finish(struct json_out *o, size_t *len)
{
    char *p = o->p;

    if (o->failed || p == NULL) {
        free(o->p);
        o->p = NULL;
        return NULL;
    }
    *len = o->len;
    o->p = NULL;
    return p;
}
