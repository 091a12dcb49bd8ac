/*
 * report_util.c: what both reports use: calendar days and periods,
 * per-mille shares by integer arithmetic and their one-decimal display,
 * overflow-checked sums, the CSV writer, and error texts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "receipt.h"
#include "report_int.h"

const char *report_strerror(int rc)
{
    switch (rc) {
    case REPORT_OK:
        return "ok";
    case REPORT_E_ARG:
        return "invalid argument or record";
    case REPORT_E_AMOUNT:
        return "an amount is out of range";
    case REPORT_E_OVERFLOW:
        return "a total is out of range";
    case REPORT_E_NOMEM:
        return "out of memory";
    default:
        return "unknown error";
    }
}

int report_day_parse(const char *s, int32_t *day)
{
    int v[3] = {0, 0, 0};
    static const int pos[3] = {0, 5, 8}, len[3] = {4, 2, 2};

    if (!s || !day || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return REPORT_E_ARG;
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < len[i]; k++) {
            char c = s[pos[i] + k];
            if (c < '0' || c > '9')
                return REPORT_E_ARG;
            v[i] = v[i] * 10 + (c - '0');
        }
    int64_t t = receipt_from_civil(v[0], v[1], v[2], 0, 0, 0);
    if (t < 0 || v[0] < 1970)
        return REPORT_E_ARG;
    *day = (int32_t)(t / 86400);
    return 0;
}

void report_day_format(int32_t day, char out[11])
{
    int y, m, d, h, mi, s;

    receipt_civil((int64_t)day * 86400, &y, &m, &d, &h, &mi, &s);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
             (unsigned)m % 100u, (unsigned)d % 100u);
}

int report_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int w = (int)((day % 7 + 7 + 3) % 7);
    return w;
}

void report_period_of(enum report_period p, int32_t day, int32_t *from,
                      int32_t *to)
{
    int y, m, d, h, mi, s;

    switch (p) {
    case REPORT_WEEK:
        *from = day - report_weekday(day);
        *to = *from + 6;
        return;
    case REPORT_MONTH:
        receipt_civil((int64_t)day * 86400, &y, &m, &d, &h, &mi, &s);
        *from = day - (d - 1);
        *to = (int32_t)(receipt_from_civil(m == 12 ? y + 1 : y,
                                           m == 12 ? 1 : m + 1, 1, 0, 0, 0) /
                        86400) -
              1;
        return;
    case REPORT_DAY:
    default:
        *from = *to = day;
        return;
    }
}

int32_t report_permille(int64_t num, int64_t den)
{
    int64_t q = 0, r;

    if (den <= 0 || num < 0 || num > den)
        return 0;
    /* Long division, one decimal digit at a time, so no product can
     * overflow: r < den and den <= INT64_MAX / 10 after scaling. */
    while (den > INT64_MAX / 10) {
        num /= 2;
        den /= 2;
    }
    r = num;
    for (int i = 0; i < 3; i++) {
        r *= 10;
        q = q * 10 + r / den;
        r %= den;
    }
    if (r * 2 >= den) /* round half up on the remainder */
        q++;
    return (int32_t)q;
}

void report_pct(int32_t permille, int vi, int show_plus, char out[16])
{
    unsigned a =
        permille < 0 ? (unsigned)(-(int64_t)permille) : (unsigned)permille;
    const char *sign = permille < 0                ? "-"
                       : show_plus && permille > 0 ? "+"
                                                   : "";

    snprintf(out, 16, "%s%u%c%u%s", sign, a / 10 % 100000u, vi ? ',' : '.',
             a % 10, vi ? " %" : "");
}

char *report_json_dump(const json_t *v)
{
    return v ? json_dumps(v, JSON_PRESERVE_ORDER | JSON_COMPACT |
                                 JSON_REAL_PRECISION(10))
             : NULL;
}

int sum_add(int64_t *acc, int64_t v)
{
    return money_add(*acc, v, acc) == 0 ? 0 : REPORT_E_OVERFLOW;
}

/* --- CSV ------------------------------------------------------------ */

static void put(struct csv *c, const char *p, size_t n)
{
    if (!c->ok)
        return;
    if (n > CSV_MAX - c->len - 1) {
        c->ok = 0;
        return;
    }
    if (c->len + n + 1 > c->cap) {
        size_t ncap = c->cap ? c->cap : 4096;
        while (ncap < c->len + n + 1)
            ncap *= 2;
        char *ns = realloc(c->s, ncap);
        if (!ns) {
            c->ok = 0;
            return;
        }
        c->s = ns;
        c->cap = ncap;
    }
    memcpy(c->s + c->len, p, n);
    c->len += n;
    c->s[c->len] = '\0';
}

void csv_begin(struct csv *c, const struct report_csv_opts *o)
{
    memset(c, 0, sizeof *c);
    c->ok = 1;
    c->sep = o && o->sep == ';' ? ';' : ',';
    put(c, "\xEF\xBB\xBF", 3);
}

static void field_start(struct csv *c)
{
    if (c->in_row)
        put(c, &c->sep, 1);
    c->in_row = 1;
}

void csv_text(struct csv *c, const char *s)
{
    csv_field(c, s, 1);
}

/*
 * 1 when a spreadsheet could read the cell as a formula: it starts with TAB
 * or CR, or its first character that is neither white space nor a control
 * character is = + - or @ (spreadsheets skip such a prefix before looking
 * for a formula).
 */
static int formula_like(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (p[0] == '\t' || p[0] == '\r')
        return 1;
    while (*p != '\0' && (*p <= ' ' || *p == 0x7f))
        p++;
    return *p == '=' || *p == '+' || *p == '-' || *p == '@';
}

void csv_field(struct csv *c, const char *s, int guard)
{
    int quote = 0;

    if (!s)
        s = "";
    field_start(c);
    if (guard && formula_like(s))
        quote = 2; /* formula guard: a leading apostrophe, quoted */
    for (const char *p = s; *p && !quote; p++)
        if (*p == c->sep || *p == '"' || *p == '\r' || *p == '\n')
            quote = 1;
    if (!quote) {
        put(c, s, strlen(s));
        return;
    }
    put(c, "\"", 1);
    if (quote == 2)
        put(c, "'", 1);
    for (const char *p = s; *p; p++) {
        put(c, p, 1);
        if (*p == '"')
            put(c, "\"", 1); /* "" inside quotes */
    }
    put(c, "\"", 1);
}

void csv_int(struct csv *c, int64_t v)
{
    char b[24];
    int n = snprintf(b, sizeof b, "%lld", (long long)v);

    field_start(c);
    put(c, b, (size_t)n);
}

void csv_end_row(struct csv *c)
{
    put(c, "\r\n", 2);
    c->in_row = 0;
}

int csv_finish(struct csv *c, char **out, size_t *len)
{
    if (!c->ok) {
        free(c->s);
        memset(c, 0, sizeof *c);
        return REPORT_E_NOMEM;
    }
    *out = c->s;
    *len = c->len;
    return 0;
}
