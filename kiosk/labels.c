/*
 * labels.c: invoice labels as people say them (labels.h).
 */
#include "labels.h"
#include "i18n.h"

#include <stdio.h>
#include <string.h>

/* 1 when `s` is `n` ASCII digits. */
static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Parse a period: 'd' (day), 'm' (month), 't' (term) or 0. */
static int parse_period(const char *p, int *y, int *m, int *d)
{
    size_t n = strlen(p);

    if (n < 7 || !digits(p, 4) || p[4] != '-')
        return 0;
    *y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
         (p[3] - '0');
    if (n == 8 && p[5] == 'H' && p[6] == 'K' && p[7] >= '1' && p[7] <= '9') {
        *m = p[7] - '0';
        return 't';
    }
    if (!digits(p + 5, 2))
        return 0;
    *m = (p[5] - '0') * 10 + (p[6] - '0');
    if (*m < 1 || *m > 12)
        return 0;
    if (n == 7)
        return 'm';
    if (n == 10 && p[7] == '-' && digits(p + 8, 2)) {
        *d = (p[8] - '0') * 10 + (p[9] - '0');
        return *d >= 1 && *d <= 31 ? 'd' : 0;
    }
    return 0;
}

/* 1 when the first `n` bytes of `s` end with `tail`. */
static int ends_with(const char *s, size_t n, const char *tail)
{
    size_t t = strlen(tail);

    return n >= t && !strncmp(s + n - t, tail, t);
}

void labels_spoken(int lang, const char *label, const char *period, char *out,
                   size_t cap)
{
    const char *at;
    size_t base, pl = period ? strlen(period) : 0;
    int y, m = 0, d = 0, kind;
    char when[64];

    snprintf(out, cap, "%s", label);
    if (!pl)
        return;
    kind = parse_period(period, &y, &m, &d);
    if (!kind) {
        /* a period it cannot say: shown as written, beside the label */
        if (!strstr(label, period))
            snprintf(out, cap, "%s · %s", label, period);
        return;
    }
    /* the label without the period (at its end) and the space before it */
    at = strstr(label, period);
    base = strlen(label);
    if (at && at[pl] == '\0') {
        base = (size_t)(at - label);
        while (base > 0 && label[base - 1] == ' ')
            base--;
    } else if (at) {
        return; /* the period is inside the label: leave it as written */
    }
    /* "Phí chợ ngày" + "22/11/2026": the word is not said twice */
    if (kind == 'd')
        snprintf(when, sizeof(when),
                 lang == LANG_EN || ends_with(label, base, "ngày")
                     ? "%d/%d/%d"
                     : "ngày %d/%d/%d",
                 d, m, y);
    else if (kind == 'm')
        snprintf(when, sizeof(when),
                 lang == LANG_EN || ends_with(label, base, "tháng")
                     ? "%d/%d"
                     : "tháng %d/%d",
                 m, y);
    else if (lang == LANG_EN)
        snprintf(when, sizeof(when), "term %d %d–%d", m, y, y + 1);
    else if (ends_with(label, base, "học kỳ") ||
             ends_with(label, base, "Học kỳ"))
        snprintf(when, sizeof(when), "%d năm học %d–%d", m, y, y + 1);
    else
        snprintf(when, sizeof(when), "học kỳ %d năm học %d–%d", m, y, y + 1);
    snprintf(out, cap, "%.*s %s", (int)(base < 200 ? base : 200), label, when);
}
