/*
 * log.c: the server's event lines on stderr, journald style ("<prio>" then
 * key=value pairs). The format text is the server's own; every string
 * argument is escaped, so that a value sent by a client (a sign-in name,
 * a collector) can neither end the line nor close a quoted field: one
 * event is exactly one line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api.h"

#define LOG_LINE_MAX 1024

/* A line being built; writes past the end are dropped. */
struct line {
    char s[LOG_LINE_MAX]; /* the text, NUL-terminated */
    size_t n;             /* its length */
};

static void put(struct line *l, const char *p, size_t len)
{
    if (len > sizeof(l->s) - 1 - l->n)
        len = sizeof(l->s) - 1 - l->n;
    memcpy(l->s + l->n, p, len);
    l->n += len;
    l->s[l->n] = '\0';
}

static void pad(struct line *l, int width, size_t len, char ch)
{
    while (width > 0 && (size_t)width > len) {
        put(l, &ch, 1);
        width--;
    }
}

/*
 * Append at most `max` bytes of `s`, escaped: backslash and '"' get a
 * backslash, TAB, CR and LF become \t \r \n, other control characters
 * (C0, DEL and the C1 range of UTF-8) \xNN or \u00NN. Other bytes (UTF-8
 * text) are kept.
 */
static void put_escaped(struct line *l, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i;
    char esc[8];

    for (i = 0; i < max && p[i] != '\0'; i++) {
        unsigned char ch = p[i];

        if (ch == '\\' || ch == '"') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            put(l, esc, 2);
        } else if (ch == '\n') {
            put(l, "\\n", 2);
        } else if (ch == '\r') {
            put(l, "\\r", 2);
        } else if (ch == '\t') {
            put(l, "\\t", 2);
        } else if (ch < 0x20 || ch == 0x7f) {
            snprintf(esc, sizeof(esc), "\\x%02x", ch);
            put(l, esc, 4);
        } else if (ch == 0xc2 && i + 1 < max && p[i + 1] >= 0x80 &&
                   p[i + 1] <= 0x9f) {
            snprintf(esc, sizeof(esc), "\\u%04x", p[i + 1]);
            put(l, esc, 6);
            i++;
        } else {
            put(l, (const char *)&p[i], 1);
        }
    }
}

/*
 * The printf subset the server's log lines use: flags '-' and '0',
 * width, precision (digits or '*'), length hh h l ll z j t, conversions
 * d i u x c s f and %%. Anything else is copied as text.
 */
static void vformat(struct line *l, const char *fmt, va_list ap)
{
    const char *p = fmt;

    while (*p != '\0') {
        const char *start = p;
        int left = 0, zero = 0, width = -1, prec = -1, lng = 0;
        char num[64];
        int len;

        if (*p != '%') {
            const char *q = strchr(p, '%');
            size_t run = q ? (size_t)(q - p) : strlen(p);

            put(l, p, run);
            p += run;
            continue;
        }
        p++;
        for (; *p == '-' || *p == '0'; p++) {
            if (*p == '-')
                left = 1;
            else
                zero = 1;
        }
        if (*p == '*') {
            width = va_arg(ap, int);
            p++;
        } else {
            for (width = 0; *p >= '0' && *p <= '9'; p++)
                width = width * 10 + (*p - '0');
        }
        if (*p == '.') {
            p++;
            if (*p == '*') {
                prec = va_arg(ap, int);
                p++;
            } else {
                for (prec = 0; *p >= '0' && *p <= '9'; p++)
                    prec = prec * 10 + (*p - '0');
            }
        }
        for (; *p == 'h' || *p == 'l' || *p == 'z' || *p == 'j' || *p == 't';
             p++)
            lng = *p == 'l' ? lng + 1 : *p == 'h' ? lng : 3;
        len = -1;
        switch (*p) {
        case 'd':
        case 'i':
            if (lng >= 2)
                len = snprintf(num, sizeof(num), "%lld", va_arg(ap, long long));
            else if (lng == 1)
                len = snprintf(num, sizeof(num), "%ld", va_arg(ap, long));
            else
                len = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
            break;
        case 'u':
        case 'x':
            if (lng == 3)
                len = snprintf(num, sizeof(num), *p == 'u' ? "%zu" : "%zx",
                               va_arg(ap, size_t));
            else if (lng == 2)
                len = snprintf(num, sizeof(num), *p == 'u' ? "%llu" : "%llx",
                               va_arg(ap, unsigned long long));
            else if (lng == 1)
                len = snprintf(num, sizeof(num), *p == 'u' ? "%lu" : "%lx",
                               va_arg(ap, unsigned long));
            else
                len = snprintf(num, sizeof(num), *p == 'u' ? "%u" : "%x",
                               va_arg(ap, unsigned));
            break;
        case 'f':
            len = snprintf(num, sizeof(num), "%.*f", prec < 0 ? 6 : prec,
                           va_arg(ap, double));
            break;
        case 'c':
            num[0] = (char)va_arg(ap, int);
            num[1] = '\0';
            if (!left)
                pad(l, width, 1, ' ');
            put_escaped(l, num, 1);
            if (left)
                pad(l, width, 1, ' ');
            p++;
            continue;
        case 's': {
            const char *s = va_arg(ap, const char *);
            size_t max = prec < 0 ? (size_t)-1 : (size_t)prec;
            size_t sl;

            if (s == NULL)
                s = "(null)";
            sl = strnlen(s, max);
            if (!left)
                pad(l, width, sl, ' ');
            put_escaped(l, s, sl);
            if (left)
                pad(l, width, sl, ' ');
            p++;
            continue;
        }
        case '%':
            put(l, "%", 1);
            p++;
            continue;
        default:
            /* not a conversion this helper knows: the text as it is */
            put(l, start, (size_t)(p - start));
            continue;
        }
        p++;
        if (len < 0)
            continue;
        if (left) {
            put(l, num, (size_t)len);
            pad(l, width, (size_t)len, ' ');
        } else if (zero && (num[0] == '-')) {
            put(l, num, 1);
            pad(l, width - 1, (size_t)len - 1, '0');
            put(l, num + 1, (size_t)len - 1);
        } else {
            pad(l, width, (size_t)len, zero ? '0' : ' ');
            put(l, num, (size_t)len);
        }
    }
}

void api_log(int prio, const char *fmt, ...)
{
    struct line l;
    char head[32];
    va_list ap;
    int n;

    l.n = 0;
    l.s[0] = '\0';
    n = snprintf(head, sizeof(head), "<%d>chopay-server: ", prio);
    put(&l, head, n > 0 ? (size_t)n : 0);
    va_start(ap, fmt);
    vformat(&l, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", l.s);
}
