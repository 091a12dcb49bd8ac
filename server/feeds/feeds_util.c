/*
 * feeds_util.c: the helpers every feed parser shares: error reporting,
 * the result list, bounded copies, currencies and decimal amounts, dates,
 * row hashes, balance checks and timestamped HMAC verification.
 */
#include "feeds_int.h"

#include "crypto.h"
#include "money.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int feeds_fail(struct feeds_error *err, int code, long line, const char *path,
               const char *fmt, ...)
{
    va_list ap;

    if (err) {
        err->code = code;
        err->line = line;
        snprintf(err->path, sizeof err->path, "%s", path ? path : "");
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return -code;
}

const char *feeds_provider_name(enum feeds_provider p)
{
    switch (p) {
    case FEEDS_SEPAY:
        return "sepay";
    case FEEDS_CASSO:
        return "casso";
    case FEEDS_PAYOS:
        return "payos";
    case FEEDS_GENERIC:
        return "generic";
    case FEEDS_CAMT:
        return "camt";
    case FEEDS_MT940:
        return "mt940";
    case FEEDS_CSV:
        return "csv";
    }
    return "unknown";
}

const char *feeds_error_name(int code)
{
    static const char *const names[] = {
        "ok",        "nomem",       "too_large", "syntax",    "field",
        "amount",    "date",        "auth",      "signature", "stale",
        "no_secret", "unsupported", "callback",  "format"};

    if (code < 0)
        code = -code;
    if ((size_t)code >= sizeof names / sizeof names[0])
        return "unknown";
    return names[code];
}

int feeds_copy(char *dst, size_t cap, const char *src, size_t len)
{
    if (len >= cap || memchr(src, '\0', len))
        return -1;
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
}

void feeds_txn_init(struct bank_txn *t, enum feeds_provider p)
{
    memset(t, 0, sizeof *t);
    t->provider = p;
    t->statement = -1;
}

void feeds_txn_clear(struct bank_txn *t)
{
    if (!t)
        return;
    free(t->description);
    t->description = NULL;
}

void feeds_list_free(struct bank_txn_list *l)
{
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        feeds_txn_clear(&l->txns[i]);
    free(l->txns);
    free(l->stmts);
    memset(l, 0, sizeof *l);
}

int feeds_list_push(struct bank_txn_list *l, struct bank_txn *t)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct bank_txn *p;

        if (ncap > SIZE_MAX / sizeof *p)
            return -FEEDS_E_NOMEM;
        p = realloc(l->txns, ncap * sizeof *p);
        if (!p)
            return -FEEDS_E_NOMEM;
        l->txns = p;
        l->cap = ncap;
    }
    if (!t->description) {
        t->description = calloc(1, 1);
        if (!t->description)
            return -FEEDS_E_NOMEM;
    }
    l->txns[l->n++] = *t;
    t->description = NULL;
    return 0;
}

int feeds_list_push_stmt(struct bank_txn_list *l,
                         const struct feeds_statement *s)
{
    if (l->nstmts == l->stmts_cap) {
        size_t ncap = l->stmts_cap ? l->stmts_cap * 2 : 4;
        struct feeds_statement *p;

        p = realloc(l->stmts, ncap * sizeof *p);
        if (!p)
            return -FEEDS_E_NOMEM;
        l->stmts = p;
        l->stmts_cap = ncap;
    }
    l->stmts[l->nstmts++] = *s;
    return 0;
}

int feeds_list_append(struct bank_txn_list *dst, struct bank_txn_list *src)
{
    size_t i, base = dst->nstmts;
    int rc;

    if (dst->n == 0 && dst->nstmts == 0) {
        /* the common case: hand the arrays over without copying */
        struct bank_txn_list t = *dst;

        *dst = *src;
        *src = t;
        feeds_list_free(src);
        return 0;
    }

    /* Reserve first so that a failure leaves dst as it was. */
    if (dst->cap < dst->n + src->n) {
        struct bank_txn *p = realloc(dst->txns, (dst->n + src->n) * sizeof *p);
        if (!p)
            return -FEEDS_E_NOMEM;
        dst->txns = p;
        dst->cap = dst->n + src->n;
    }
    if (dst->stmts_cap < dst->nstmts + src->nstmts) {
        struct feeds_statement *p =
            realloc(dst->stmts, (dst->nstmts + src->nstmts) * sizeof *p);
        if (!p)
            return -FEEDS_E_NOMEM;
        dst->stmts = p;
        dst->stmts_cap = dst->nstmts + src->nstmts;
    }
    for (i = 0; i < src->nstmts; i++) {
        rc = feeds_list_push_stmt(dst, &src->stmts[i]);
        if (rc)
            return rc; /* cannot happen: reserved above */
    }
    for (i = 0; i < src->n; i++) {
        struct bank_txn *t = &src->txns[i];

        if (t->statement >= 0)
            t->statement += (long)base;
        dst->txns[dst->n++] = *t;
        t->description = NULL;
    }
    src->n = 0;
    feeds_list_free(src);
    return 0;
}

static int list_sink_txn(void *ctx, const struct bank_txn *t)
{
    struct bank_txn_list *l = ctx;
    struct bank_txn copy = *t;

    copy.description = strdup(t->description ? t->description : "");
    if (!copy.description)
        return -1;
    copy.statement = t->statement < 0 ? -1 : (long)l->nstmts;
    if (feeds_list_push(l, &copy)) {
        free(copy.description);
        return -1;
    }
    return 0;
}

static int list_sink_stmt(void *ctx, const struct feeds_statement *s)
{
    return feeds_list_push_stmt(ctx, s) ? -1 : 0;
}

void feeds_list_sink(struct bank_txn_list *l, struct feeds_sink *sink)
{
    sink->txn = list_sink_txn;
    sink->statement = list_sink_stmt;
    sink->ctx = l;
}

int feeds_currency_exponent(const char *ccy)
{
    static const char *const zero[] = {"VND", "JPY", "KRW", "CLP", "ISK", "PYG",
                                       "UGX", "XAF", "XOF", "XPF", "KMF", "GNF",
                                       "RWF", "VUV", "DJF", "BIF"};
    static const char *const three[] = {"BHD", "IQD", "JOD", "KWD",
                                        "LYD", "OMR", "TND"};
    size_t i;

    if (!ccy || strlen(ccy) != 3)
        return -1;
    for (i = 0; i < 3; i++)
        if (ccy[i] < 'A' || ccy[i] > 'Z')
            return -1;
    for (i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(ccy, zero[i]) == 0)
            return 0;
    for (i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(ccy, three[i]) == 0)
            return 3;
    return 2;
}

int feeds_decimal(const char *s, size_t len, char mark, int exponent,
                  int64_t *out)
{
    int64_t v = 0;
    size_t i = 0;
    int digits = 0, frac = 0, seen_mark = 0;

    if (exponent < 0 || exponent > 6)
        return -1;
    for (; i < len; i++) {
        char c = s[i];

        if (c == mark && !seen_mark) {
            seen_mark = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return -1;
        if (seen_mark) {
            if (frac >= exponent) {
                if (c != '0')
                    return -1; /* a sub-unit amount */
                continue;
            }
            frac++;
        }
        digits++;
        if (v > (MONEY_MAX - (c - '0')) / 10)
            return -1;
        v = v * 10 + (c - '0');
    }
    if (digits == 0 || (seen_mark && i > 0 && s[0] == mark))
        return -1;
    for (; frac < exponent; frac++) {
        if (v > MONEY_MAX / 10)
            return -1;
        v *= 10;
    }
    *out = v;
    return 0;
}

int feeds_valid_date(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap, max;

    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

static int num(const char *s, int n, int *out)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

void feeds_fmt_date(int y, int m, int d, char out[11])
{
    out[0] = (char)('0' + y / 1000 % 10);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10 % 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10 % 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int feeds_iso_date(const char *s, size_t len, char out[11])
{
    int y, m, d;

    if (len < 10 || s[4] != '-' || s[7] != '-' || num(s, 4, &y) ||
        num(s + 5, 2, &m) || num(s + 8, 2, &d) || !feeds_valid_date(y, m, d))
        return -1;
    memcpy(out, s, 10);
    out[10] = '\0';
    return 0;
}

int feeds_datetime(const char *s, size_t len, const char *default_tz,
                   char date[11], char datetime[32])
{
    int hh, mi, ss;
    size_t p;
    char tz[8];

    if (feeds_iso_date(s, len, date))
        return -1;
    if (len == 10) {
        datetime[0] = '\0';
        return 0;
    }
    if (len < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' ||
        s[16] != ':' || num(s + 11, 2, &hh) || num(s + 14, 2, &mi) ||
        num(s + 17, 2, &ss) || hh > 23 || mi > 59 || ss > 60)
        return -1;
    p = 19;
    if (p < len && s[p] == '.') {
        p++;
        if (p >= len || !isdigit((unsigned char)s[p]))
            return -1;
        while (p < len && isdigit((unsigned char)s[p]))
            p++;
    }
    if (p == len) {
        snprintf(tz, sizeof tz, "%s", default_tz);
    } else if (s[p] == 'Z' && p + 1 == len) {
        snprintf(tz, sizeof tz, "Z");
    } else if ((s[p] == '+' || s[p] == '-') && p + 6 == len &&
               s[p + 3] == ':' && num(s + p + 1, 2, &hh) == 0 &&
               num(s + p + 4, 2, &mi) == 0 && hh <= 14 && mi <= 59) {
        memcpy(tz, s + p, 6);
        tz[6] = '\0';
    } else {
        return -1;
    }
    memcpy(datetime, s, 10);
    datetime[10] = 'T';
    memcpy(datetime + 11, s + 11, 8);
    memcpy(datetime + 19, tz, strlen(tz) + 1);
    return 0;
}

int feeds_hash_id(const char *text, size_t len, char out[FEEDS_ID_MAX])
{
    uint8_t d[CRYPTO_SHA256_LEN];
    char hex[2 * CRYPTO_SHA256_LEN + 1];

    if (crypto_sha256(text, len, d))
        return -1;
    crypto_hex(d, 16, hex);
    snprintf(out, FEEDS_ID_MAX, "h:%s", hex);
    return 0;
}

int feeds_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (money_add(a, b, &r))
        return -1;
    *out = r;
    return 0;
}

void feeds_fmt_amount(int64_t v, int exponent, char *buf, size_t cap)
{
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[32], tmp[48];
    size_t n, o = 0, i;

    if (exponent < 0 || exponent > 6)
        exponent = 0;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    n = strlen(digits);
    if (v < 0)
        tmp[o++] = '-';
    if (exponent == 0) {
        memcpy(tmp + o, digits, n + 1);
    } else {
        size_t e = (size_t)exponent;

        if (n <= e) {
            tmp[o++] = '0';
            tmp[o++] = '.';
            for (i = n; i < e; i++)
                tmp[o++] = '0';
            memcpy(tmp + o, digits, n + 1);
        } else {
            memcpy(tmp + o, digits, n - e);
            o += n - e;
            tmp[o++] = '.';
            memcpy(tmp + o, digits + n - e, e + 1);
        }
    }
    snprintf(buf, cap, "%s", tmp);
}

void feeds_note(char *notes, size_t cap, const char *fmt, ...)
{
    size_t used = strlen(notes);
    va_list ap;
    int n;

    if (used + 4 >= cap)
        return;
    if (used > 0) {
        notes[used++] = ';';
        notes[used++] = ' ';
        notes[used] = '\0';
    }
    va_start(ap, fmt);
    n = vsnprintf(notes + used, cap - used, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - used)
        memcpy(notes + cap - 4, "...", 4);
}

void feeds_stmt_check(struct feeds_statement *s)
{
    int64_t expect;
    char a[32], b[32], c[32], d[32], e[32];

    if (!s->has_opening || !s->has_closing) {
        s->check = FEEDS_BAL_UNCHECKED;
        return;
    }
    if (feeds_add(s->opening, s->credits, &expect) ||
        feeds_add(expect, -s->debits, &expect)) {
        s->check = FEEDS_BAL_MISMATCH;
        snprintf(s->check_message, sizeof s->check_message,
                 "balance arithmetic overflows");
        return;
    }
    if (expect == s->closing) {
        s->check = FEEDS_BAL_OK;
        return;
    }
    s->check = FEEDS_BAL_MISMATCH;
    feeds_fmt_amount(s->opening, s->exponent, a, sizeof a);
    feeds_fmt_amount(s->credits, s->exponent, b, sizeof b);
    feeds_fmt_amount(s->debits, s->exponent, c, sizeof c);
    feeds_fmt_amount(expect, s->exponent, d, sizeof d);
    feeds_fmt_amount(s->closing, s->exponent, e, sizeof e);
    snprintf(s->check_message, sizeof s->check_message,
             "opening %s + credits %s - debits %s = %s %s, but closing "
             "balance is %s",
             a, b, c, d, s->currency, e);
}

int feeds_str_equal(const char *a, const char *b)
{
    return crypto_equal_str(a, b);
}

const char *feeds_header_get(const struct feeds_request *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && req->headers[i].value &&
            strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

/* Parse decimal seconds (or ms); -1 on anything else. */
static int parse_ts(const char *s, int64_t *out)
{
    int64_t v = 0;
    size_t i, n = strlen(s);

    if (n == 0 || n > 15)
        return -1;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int feeds_verify_ts_hmac(const struct feeds_request *req, const char *key,
                         const char *ts_header, const char *sig_header,
                         int64_t now_unix, struct feeds_error *err)
{
    const char *ts = feeds_header_get(req, ts_header);
    const char *sig = feeds_header_get(req, sig_header);
    uint8_t mac[CRYPTO_SHA256_LEN], given[CRYPTO_SHA256_LEN];
    size_t glen = 0, tlen, mlen;
    int64_t t;
    char *msg;
    int ok;

    if (!ts || !sig)
        return feeds_fail(err, FEEDS_E_AUTH, 0, ts ? sig_header : ts_header,
                          "header %s missing", ts ? sig_header : ts_header);
    if (parse_ts(ts, &t))
        return feeds_fail(err, FEEDS_E_AUTH, 0, ts_header,
                          "timestamp is not decimal seconds");
    if (t > now_unix + FEEDS_MAX_SKEW || t < now_unix - FEEDS_MAX_SKEW)
        return feeds_fail(err, FEEDS_E_STALE, 0, ts_header,
                          "timestamp %lld is %lld s from now", (long long)t,
                          (long long)(t - now_unix));
    if (strncmp(sig, "sha256=", 7) != 0 ||
        crypto_unhex(sig + 7, strlen(sig + 7), given, sizeof given, &glen) ||
        glen != sizeof given)
        return feeds_fail(err, FEEDS_E_SIGNATURE, 0, sig_header,
                          "signature is not sha256=<64 hex>");
    tlen = strlen(ts);
    if (req->len > FEEDS_WEBHOOK_MAX)
        return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, "", "body too large");
    mlen = tlen + 1 + req->len;
    msg = malloc(mlen ? mlen : 1);
    if (!msg)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    memcpy(msg, ts, tlen);
    msg[tlen] = '.';
    if (req->len)
        memcpy(msg + tlen + 1, req->body, req->len);
    ok = crypto_hmac_sha256(key, strlen(key), msg, mlen, mac) == 0 &&
         crypto_equal(mac, given, sizeof mac);
    free(msg);
    if (!ok)
        return feeds_fail(err, FEEDS_E_SIGNATURE, 0, sig_header,
                          "signature does not match");
    return 0;
}
