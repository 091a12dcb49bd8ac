/*
 * feeds_json.c: jansson helpers for the webhook parsers: bounded loading,
 * typed fields with JSON-path errors, and our own canonical serialiser
 * (sorted keys, compact, escapes as JavaScript, Python or PHP write them)
 * for the signature schemes that sign re-serialised JSON.
 */
#include "feeds_json.h"

#include "money.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fj_load(const char *body, size_t len, json_t **out, struct feeds_error *err)
{
    json_error_t je;
    json_t *root;

    if (!body)
        return feeds_fail(err, FEEDS_E_SYNTAX, 0, "$", "no body");
    if (len > FEEDS_WEBHOOK_MAX)
        return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, "$",
                          "body of %zu bytes exceeds %d", len,
                          FEEDS_WEBHOOK_MAX);
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return feeds_fail(err, FEEDS_E_SYNTAX, je.line > 0 ? je.line : 0, "$",
                          "invalid JSON at column %d: %s", je.column, je.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return feeds_fail(err, FEEDS_E_FIELD, 0, "$",
                          "body is not a JSON object");
    }
    *out = root;
    return 0;
}

static void mkpath(char *buf, size_t cap, const char *path, const char *key)
{
    snprintf(buf, cap, "%s.%s", path, key);
}

int fj_text(json_t *obj, const char *key, const char *path, int required,
            char *dst, size_t cap, struct feeds_error *err)
{
    json_t *v = json_object_get(obj, key);
    char p[128];

    mkpath(p, sizeof p, path, key);
    if (!v || json_is_null(v)) {
        if (required)
            return feeds_fail(err, FEEDS_E_FIELD, 0, p, "%s is missing", key);
        dst[0] = '\0';
        return 0;
    }
    if (json_is_string(v)) {
        if (feeds_copy(dst, cap, json_string_value(v), json_string_length(v)))
            return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, p,
                              "%s longer than %zu bytes", key, cap - 1);
        return 0;
    }
    if (json_is_integer(v)) {
        int n =
            snprintf(dst, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        if (n < 0 || (size_t)n >= cap)
            return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, p, "%s too long", key);
        return 0;
    }
    return feeds_fail(err, FEEDS_E_FIELD, 0, p,
                      "%s must be a string or an integer", key);
}

int fj_text_alloc(json_t *obj, const char *key, const char *path, int required,
                  char **dst, struct feeds_error *err)
{
    json_t *v = json_object_get(obj, key);
    char p[128];
    char *s;

    mkpath(p, sizeof p, path, key);
    if (!v || json_is_null(v)) {
        if (required)
            return feeds_fail(err, FEEDS_E_FIELD, 0, p, "%s is missing", key);
        s = calloc(1, 1);
    } else if (json_is_string(v)) {
        if (json_string_length(v) > FEEDS_DESC_MAX)
            return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, p,
                              "%s longer than %d bytes", key, FEEDS_DESC_MAX);
        s = strdup(json_string_value(v));
    } else {
        return feeds_fail(err, FEEDS_E_FIELD, 0, p, "%s must be a string", key);
    }
    if (!s)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, p, "out of memory");
    *dst = s;
    return 0;
}

int fj_amount(json_t *obj, const char *key, const char *path, int required,
              int64_t *out, int *present, struct feeds_error *err)
{
    json_t *v = json_object_get(obj, key);
    char p[128];
    int64_t a;

    mkpath(p, sizeof p, path, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return feeds_fail(err, FEEDS_E_FIELD, 0, p, "%s is missing", key);
        return 0;
    }
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i > MONEY_MAX || i < -MONEY_MAX)
            return feeds_fail(err, FEEDS_E_AMOUNT, 0, p, "%s out of range",
                              key);
        a = (int64_t)i;
    } else if (json_is_string(v)) {
        if (money_parse(json_string_value(v), &a))
            return feeds_fail(err, FEEDS_E_AMOUNT, 0, p, "%s is not an amount",
                              key);
    } else {
        return feeds_fail(err, FEEDS_E_AMOUNT, 0, p,
                          "%s must be an integer amount", key);
    }
    *out = a;
    if (present)
        *present = 1;
    return 0;
}

int fj_datetime(json_t *obj, const char *key, const char *path, int required,
                struct bank_txn *t, struct feeds_error *err)
{
    char buf[64], p[128];
    int rc;

    rc = fj_text(obj, key, path, required, buf, sizeof buf, err);
    if (rc)
        return rc;
    if (!buf[0])
        return 0;
    if (feeds_datetime(buf, strlen(buf), "+07:00", t->booking_date,
                       t->datetime)) {
        mkpath(p, sizeof p, path, key);
        return feeds_fail(err, FEEDS_E_DATE, 0, p,
                          "%s \"%s\" is not a date-time", key, buf);
    }
    return 0;
}

int fj_join_desc(struct bank_txn *t, const char *a, const char *b,
                 struct feeds_error *err)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s;

    if (lb == 0 || strcmp(a, b) == 0)
        lb = 0;
    s = malloc(la + lb + 2);
    if (!s)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    memcpy(s, a, la);
    if (lb) {
        s[la] = '\n';
        memcpy(s + la + 1, b, lb);
        s[la + 1 + lb] = '\0';
    } else {
        s[la] = '\0';
    }
    free(t->description);
    t->description = s;
    return 0;
}

/* ---- canonical serialisation ------------------------------------------ */

#define CANON_MAX (8u * 1024 * 1024)

struct sbuf {
    char *p;
    size_t n, cap;
    int bad;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->bad)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        char *q;

        while (ncap < b->n + n + 1)
            ncap *= 2;
        if (ncap > CANON_MAX) {
            b->bad = 1;
            return;
        }
        q = realloc(b->p, ncap);
        if (!q) {
            b->bad = 1;
            return;
        }
        b->p = q;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

/* Decode one UTF-8 sequence (jansson guarantees validity). */
static unsigned utf8_next(const unsigned char *s, size_t *i)
{
    unsigned c = s[*i];

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c < 0xE0) {
        c = ((c & 0x1Fu) << 6) | (s[*i + 1] & 0x3Fu);
        *i += 2;
    } else if (c < 0xF0) {
        c = ((c & 0x0Fu) << 12) | ((s[*i + 1] & 0x3Fu) << 6) |
            (s[*i + 2] & 0x3Fu);
        *i += 3;
    } else {
        c = ((c & 0x07u) << 18) | ((s[*i + 1] & 0x3Fu) << 12) |
            ((s[*i + 2] & 0x3Fu) << 6) | (s[*i + 3] & 0x3Fu);
        *i += 4;
    }
    return c;
}

static void sb_escaped(struct sbuf *b, const char *str, size_t len, int style)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    char u[16];

    sb_put(b, "\"", 1);
    while (i < len) {
        size_t start = i;
        unsigned c = utf8_next(s, &i);

        switch (c) {
        case '"':
            sb_put(b, "\\\"", 2);
            continue;
        case '\\':
            sb_put(b, "\\\\", 2);
            continue;
        case '\b':
            sb_put(b, "\\b", 2);
            continue;
        case '\f':
            sb_put(b, "\\f", 2);
            continue;
        case '\n':
            sb_put(b, "\\n", 2);
            continue;
        case '\r':
            sb_put(b, "\\r", 2);
            continue;
        case '\t':
            sb_put(b, "\\t", 2);
            continue;
        case '/':
            sb_put(b, style == 2 ? "\\/" : "/", style == 2 ? 2 : 1);
            continue;
        default:
            break;
        }
        if (c < 0x20 || (style >= 1 && c >= 0x7F)) {
            if (c >= 0x10000) {
                unsigned v = c - 0x10000;
                snprintf(u, sizeof u, "\\u%04x\\u%04x", 0xD800 + (v >> 10),
                         0xDC00 + (v & 0x3FF));
            } else {
                snprintf(u, sizeof u, "\\u%04x", c);
            }
            sb_str(b, u);
        } else {
            sb_put(b, str + start, i - start);
        }
    }
    sb_put(b, "\"", 1);
}

/* Shortest digits that read back as d: digits[] and decimal exponent. */
static void shortest(double d, char *digits, int *exp10)
{
    char tmp[40];
    int prec, k = 0;
    char *e, *p;

    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    e = strchr(tmp, 'e');
    *exp10 = e ? atoi(e + 1) : 0;
    for (p = tmp; p < e; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
}

/* Place digits for exponent exp10 in fixed notation. */
static void fixed(const char *dg, int exp10, int py, char *out, size_t cap)
{
    int k = (int)strlen(dg), n = exp10 + 1, i;
    size_t o = 0;

    if (n <= 0) {
        o += (size_t)snprintf(out + o, cap - o, "0.");
        for (i = 0; i < -n && o + 1 < cap; i++)
            out[o++] = '0';
        snprintf(out + o, cap - o, "%s", dg);
    } else if (k <= n) {
        o += (size_t)snprintf(out + o, cap - o, "%s", dg);
        for (i = 0; i < n - k && o + 1 < cap; i++)
            out[o++] = '0';
        snprintf(out + o, cap - o, "%s", py ? ".0" : "");
    } else {
        snprintf(out, cap, "%.*s.%s", n, dg, dg + n);
    }
}

static void real_text(double d, int py, char *buf, size_t cap)
{
    char dg[24], body[64], man[32];
    int e, neg = signbit(d) != 0;

    if (d == 0) {
        snprintf(buf, cap, "%s", py ? (neg ? "-0.0" : "0.0") : "0");
        return;
    }
    shortest(fabs(d), dg, &e);
    if (py ? (e >= -5 + 1 && e < 16) : (e >= -7 + 1 && e < 21)) {
        fixed(dg, e, py, body, sizeof body);
    } else {
        if (dg[1])
            snprintf(man, sizeof man, "%c.%s", dg[0], dg + 1);
        else
            snprintf(man, sizeof man, "%c", dg[0]);
        if (py)
            snprintf(body, sizeof body, "%se%c%02d", man, e < 0 ? '-' : '+',
                     e < 0 ? -e : e);
        else
            snprintf(body, sizeof body, "%se%c%d", man, e < 0 ? '-' : '+',
                     e < 0 ? -e : e);
    }
    snprintf(buf, cap, "%s%s", neg ? "-" : "", body);
}

void fj_js_number(double d, char *buf, size_t cap)
{
    real_text(d, 0, buf, cap);
}

static int keycmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void canon(struct sbuf *b, json_t *v, int style, int depth)
{
    char num[64];

    if (b->bad)
        return;
    if (depth > 64) {
        b->bad = 1;
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        const char **keys = NULL;
        const char *k;
        json_t *x;

        if (n) {
            keys = malloc(n * sizeof *keys);
            if (!keys) {
                b->bad = 1;
                return;
            }
            json_object_foreach(v, k, x) keys[i++] = k;
            qsort(keys, n, sizeof *keys, keycmp);
        }
        sb_put(b, "{", 1);
        for (i = 0; i < n; i++) {
            if (i)
                sb_put(b, ",", 1);
            sb_escaped(b, keys[i], strlen(keys[i]), style);
            sb_put(b, ":", 1);
            canon(b, json_object_get(v, keys[i]), style, depth + 1);
        }
        sb_put(b, "}", 1);
        free(keys);
        return;
    }
    case JSON_ARRAY: {
        size_t i;

        sb_put(b, "[", 1);
        for (i = 0; i < json_array_size(v); i++) {
            if (i)
                sb_put(b, ",", 1);
            canon(b, json_array_get(v, i), style, depth + 1);
        }
        sb_put(b, "]", 1);
        return;
    }
    case JSON_STRING:
        sb_escaped(b, json_string_value(v), json_string_length(v), style);
        return;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(v));
        sb_str(b, num);
        return;
    case JSON_REAL:
        real_text(json_real_value(v), style != 0, num, sizeof num);
        sb_str(b, num);
        return;
    case JSON_TRUE:
        sb_str(b, "true");
        return;
    case JSON_FALSE:
        sb_str(b, "false");
        return;
    case JSON_NULL:
        sb_str(b, "null");
        return;
    }
}

char *fj_canonical(json_t *v, int style)
{
    struct sbuf b = {0};

    canon(&b, v, style, 0);
    if (b.bad || !b.p) {
        free(b.p);
        return NULL;
    }
    return b.p;
}
