/*
 * feeds_mt940.c: SWIFT MT940 (customer statement) and MT942 (interim
 * report), with or without the {1:}{2:}{4: ... -} envelope (its blocks on
 * one line or several), framed by SOH ... ETX or preceded by a bank's
 * header lines, one or many messages and pages per file. Every :20: block
 * is a statement whose balances (or MT942 :90D:/:90C: totals) are checked.
 */
#include "feeds_int.h"

#include "vntext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_MAX 8192 /* longest field we accept (6 x 65 is the norm) */

struct mt {
    const struct feeds_sink *sink;
    struct feeds_error *err;
    struct feeds_statement st;
    int in_stmt, have_25, have_28, have_60, have_62, have_34;
    int in_block;  /* inside {1: ... -} */
    int in_text;   /* inside the {4: text block of that message */
    int in_frame;  /* after an SOH byte, before its ETX */
    int n_headers; /* bank header lines before the current message */
    int final_62;  /* the last closing balance was :62F:, not :62M: */
    long n_stmt, n_txn;
    int has90d, has90c;
    long cnt90d, cnt90c;
    int64_t sum90d, sum90c;
    struct bank_txn t; /* pending :61: waiting for its :86: */
    int pending, pending_has86;
    char supp[FIELD_MAX];
    /* the field being collected */
    char tag[8];
    char val[FIELD_MAX];
    size_t vlen;
    long tag_line;
};

static int is_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int d2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYMMDD into YYYY-MM-DD. */
static int yymmdd(const char *s, char out[11], int *year)
{
    int y, m, d;

    if (!is_digits(s, 6))
        return -1;
    y = d2(s);
    y += y < 70 ? 2000 : 1900;
    m = d2(s + 2);
    d = d2(s + 4);
    if (!feeds_valid_date(y, m, d))
        return -1;
    feeds_fmt_date(y, m, d, out);
    if (year)
        *year = y;
    return 0;
}

static int fail(struct mt *m, int code, const char *fmt, ...)
    FEEDS_PRINTF(3, 4);

static int fail(struct mt *m, int code, const char *fmt, ...)
{
    char path[16], msg[256];
    va_list ap;

    snprintf(path, sizeof path, ":%s:", m->tag);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return feeds_fail(m->err, code, m->tag_line, path, "%s", msg);
}

/* "C170101PLN3503,60" into signed minor units; sets currency. */
static int balance(struct mt *m, const char *v, int64_t *out)
{
    char date[11], ccy[4];
    int64_t a;
    int e;

    if (strlen(v) < 11 || (v[0] != 'C' && v[0] != 'D') ||
        yymmdd(v + 1, date, NULL))
        return fail(m, FEEDS_E_FIELD,
                    "balance \"%.40s\" is not "
                    "C|D YYMMDD CCY amount",
                    v);
    memcpy(ccy, v + 7, 3);
    ccy[3] = '\0';
    e = feeds_currency_exponent(ccy);
    if (e < 0 || feeds_decimal(v + 10, strlen(v + 10), ',', e, &a))
        return fail(m, FEEDS_E_AMOUNT,
                    "balance \"%.40s\" has a bad "
                    "currency or amount",
                    v);
    if (m->st.currency[0] && strcmp(m->st.currency, ccy) != 0)
        return fail(m, FEEDS_E_FIELD,
                    "balance currency %s differs from "
                    "the statement's",
                    ccy);
    memcpy(m->st.currency, ccy, 4);
    m->st.exponent = e;
    *out = v[0] == 'D' ? -a : a;
    return 0;
}

static int flush_txn(struct mt *m)
{
    struct bank_txn *t = &m->t;
    int rc;

    if (!m->pending)
        return 0;
    m->pending = 0;
    if (!t->description) {
        t->description = strdup(m->supp);
        if (!t->description)
            return feeds_fail(m->err, FEEDS_E_NOMEM, 0, "", "out of memory");
    }
    if (!t->provider_txn_id[0]) {
        char buf[512];
        int n = snprintf(buf, sizeof buf, "mt940|%s|%s|%s|%ld|%s|%lld|%d",
                         m->st.account, m->st.id, m->st.sequence, m->n_txn,
                         t->value_date, (long long)t->amount, t->direction);

        if (feeds_hash_id(buf, (size_t)n, t->provider_txn_id)) {
            feeds_txn_clear(t);
            return feeds_fail(m->err, FEEDS_E_NOMEM, 0, "", "hash failed");
        }
    }
    if (t->direction == FEEDS_CREDIT) {
        rc = feeds_add(m->st.credits, t->amount, &m->st.credits);
        m->st.n_credits++;
    } else {
        rc = feeds_add(m->st.debits, t->amount, &m->st.debits);
        m->st.n_debits++;
    }
    if (rc) {
        feeds_txn_clear(t);
        return feeds_fail(m->err, FEEDS_E_AMOUNT, 0, "", "sums overflow");
    }
    rc = m->sink->txn(m->sink->ctx, t);
    feeds_txn_clear(t);
    if (rc)
        return feeds_fail(m->err, FEEDS_E_CALLBACK, 0, "",
                          "the consumer stopped the import");
    return 0;
}

static int end_stmt(struct mt *m, long line)
{
    struct feeds_statement *s = &m->st;
    int rc;

    if (!m->in_stmt)
        return 0;
    if ((rc = flush_txn(m)))
        return rc;
    m->in_stmt = 0;
    if (!m->have_25 || !m->have_28)
        return feeds_fail(m->err, FEEDS_E_FIELD, line, "",
                          "statement from line %ld lacks :%s:", s->line,
                          m->have_25 ? "28C" : "25");
    if (m->have_60 || m->have_62) {
        if (!m->have_60 || !m->have_62)
            return feeds_fail(m->err, FEEDS_E_FIELD, line, "",
                              "statement from line %ld lacks :%s:", s->line,
                              m->have_60 ? "62F:/:62M" : "60F:/:60M");
        feeds_stmt_check(s);
    } else if (m->have_34) {
        /* MT942: the totals replace balances. */
        s->check = FEEDS_BAL_UNCHECKED;
        if (m->has90d || m->has90c) {
            char a[32], b[32];

            s->check = FEEDS_BAL_OK;
            if (m->has90d &&
                (m->cnt90d != s->n_debits || m->sum90d != s->debits)) {
                s->check = FEEDS_BAL_MISMATCH;
                feeds_fmt_amount(m->sum90d, s->exponent, a, sizeof a);
                feeds_fmt_amount(s->debits, s->exponent, b, sizeof b);
                snprintf(s->check_message, sizeof s->check_message,
                         ":90D: says %ld debits of %s, entries give %ld of "
                         "%s",
                         m->cnt90d, a, s->n_debits, b);
            } else if (m->has90c &&
                       (m->cnt90c != s->n_credits || m->sum90c != s->credits)) {
                s->check = FEEDS_BAL_MISMATCH;
                feeds_fmt_amount(m->sum90c, s->exponent, a, sizeof a);
                feeds_fmt_amount(s->credits, s->exponent, b, sizeof b);
                snprintf(s->check_message, sizeof s->check_message,
                         ":90C: says %ld credits of %s, entries give %ld "
                         "of %s",
                         m->cnt90c, a, s->n_credits, b);
            }
        }
    } else {
        return feeds_fail(m->err, FEEDS_E_FIELD, line, "",
                          "statement from line %ld has no :60F: (MT940) "
                          "nor :34F: (MT942)",
                          s->line);
    }
    if (m->sink->statement && m->sink->statement(m->sink->ctx, s))
        return feeds_fail(m->err, FEEDS_E_CALLBACK, line, "",
                          "the consumer stopped the import");
    return 0;
}

/* :61: value date, entry date, mark, funds code, amount, type, refs. */
static int field_61(struct mt *m, const char *v)
{
    struct bank_txn *t = &m->t;
    const char *p = v, *nl = strchr(v, '\n'), *end, *dd;
    int year, rc;
    size_t n;

    if ((rc = flush_txn(m)))
        return rc;
    if (!m->st.currency[0])
        return fail(m, FEEDS_E_FIELD,
                    "%s before any balance gives the "
                    "currency",
                    ":61:");
    end = nl ? nl : v + strlen(v);
    feeds_txn_init(t, FEEDS_MT940);
    t->statement = 0;
    memcpy(t->account, m->st.account, sizeof t->account);
    memcpy(t->currency, m->st.currency, 4);
    t->exponent = m->st.exponent;
    snprintf(t->source, sizeof t->source, "line %ld", m->tag_line);
    if (end - p < 6 || yymmdd(p, t->value_date, &year))
        return fail(m, FEEDS_E_DATE, "value date of \"%.40s\" is not YYMMDD",
                    v);
    p += 6;
    memcpy(t->booking_date, t->value_date, 11);
    if (end - p >= 4 && memcmp(p, "    ", 4) == 0)
        p += 4; /* some banks write spaces for "no entry date" */
    else if (end - p >= 4 && is_digits(p, 4)) {
        int mo = d2(p), da = d2(p + 2), vm = d2(t->value_date + 5);
        int y = year;

        if (mo == 12 && vm == 1)
            y--;
        else if (mo == 1 && vm == 12)
            y++;
        if (!feeds_valid_date(y, mo, da))
            return fail(m, FEEDS_E_DATE,
                        "entry date of \"%.40s\" is not "
                        "MMDD",
                        v);
        feeds_fmt_date(y, mo, da, t->booking_date);
        p += 4;
    }
    if (end - p >= 2 && p[0] == 'R' && (p[1] == 'C' || p[1] == 'D')) {
        t->reversal = 1;
        /* RC reverses a credit (money out), RD a debit (money in). */
        t->direction = p[1] == 'C' ? FEEDS_DEBIT : FEEDS_CREDIT;
        p += 2;
    } else if (end - p >= 1 && (p[0] == 'C' || p[0] == 'D')) {
        t->direction = p[0] == 'C' ? FEEDS_CREDIT : FEEDS_DEBIT;
        p++;
    } else {
        return fail(m, FEEDS_E_FIELD, "mark of \"%.40s\" is not C|D|RC|RD", v);
    }
    if (p < end && ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
        p++; /* funds code */
    for (dd = p; dd < end && ((*dd >= '0' && *dd <= '9') || *dd == ','); dd++)
        ;
    if (dd == p || dd - p > 15 ||
        feeds_decimal(p, (size_t)(dd - p), ',', t->exponent, &t->amount))
        return fail(m, FEEDS_E_AMOUNT, "amount of \"%.40s\" is invalid", v);
    p = dd;
    if (end - p < 4 || (p[0] != 'N' && p[0] != 'F' && p[0] != 'S'))
        return fail(m, FEEDS_E_FIELD,
                    "transaction type of \"%.40s\" is "
                    "not N/F/S + 3 characters",
                    v);
    memcpy(t->bank_tx_code, p, 4);
    t->bank_tx_code[4] = '\0';
    p += 4;
    dd = p;
    while (dd + 1 < end && !(dd[0] == '/' && dd[1] == '/'))
        dd++;
    if (dd + 1 >= end)
        dd = end;
    n = (size_t)(dd - p);
    if (n >= sizeof t->end_to_end_id)
        return fail(m, FEEDS_E_TOO_LARGE, "reference of \"%.40s\" too long", v);
    if (!(n == 6 && memcmp(p, "NONREF", 6) == 0))
        feeds_copy(t->end_to_end_id, sizeof t->end_to_end_id, p, n);
    if (dd < end) {
        p = dd + 2;
        n = (size_t)(end - p);
        if (n >= sizeof t->bank_ref)
            return fail(m, FEEDS_E_TOO_LARGE,
                        "bank reference of \"%.40s\" "
                        "too long",
                        v);
        if (!(n == 6 && memcmp(p, "NONREF", 6) == 0) && n > 0) {
            feeds_copy(t->bank_ref, sizeof t->bank_ref, p, n);
            memcpy(t->provider_txn_id, t->bank_ref, sizeof t->bank_ref);
        }
    }
    snprintf(m->supp, sizeof m->supp, "%s", nl ? nl + 1 : "");
    m->pending = 1;
    m->pending_has86 = 0;
    m->n_txn++;
    return 0;
}

/* :90D:/:90C: "1NZD5000," */
static int field_90(struct mt *m, const char *v, long *cnt, int64_t *sum)
{
    const char *p = v;
    char ccy[4];
    int e;

    while (*p >= '0' && *p <= '9')
        p++;
    if (p == v || p - v > 5 || strlen(p) < 4)
        return fail(m, FEEDS_E_FIELD, "\"%.40s\" is not count CCY amount", v);
    *cnt = strtol(v, NULL, 10);
    memcpy(ccy, p, 3);
    ccy[3] = '\0';
    e = feeds_currency_exponent(ccy);
    if (e < 0 || feeds_decimal(p + 3, strlen(p + 3), ',', e, sum))
        return fail(m, FEEDS_E_AMOUNT, "\"%.40s\" has a bad amount", v);
    return 0;
}

static int field(struct mt *m)
{
    struct feeds_statement *s = &m->st;
    const char *tag = m->tag, *v = m->val;
    int rc;

    if (!tag[0])
        return 0;
    if (strcmp(tag, "20") == 0) {
        if ((rc = end_stmt(m, m->tag_line)))
            return rc;
        memset(s, 0, sizeof *s);
        s->format = FEEDS_MT940;
        s->line = m->tag_line;
        m->in_stmt = 1;
        m->have_25 = m->have_28 = m->have_60 = m->have_62 = m->have_34 = 0;
        m->has90c = m->has90d = 0;
        m->n_stmt++;
        if (feeds_copy(s->id, sizeof s->id, v, m->vlen))
            return fail(m, FEEDS_E_TOO_LARGE, "%s too long", ":20:");
        return 0;
    }
    if (!m->in_stmt && m->vlen == 0 &&
        (strcmp(tag, "940") == 0 || strcmp(tag, "942") == 0))
        return 0; /* Rabobank's ":940:" line before the message */
    if (!m->in_stmt)
        return fail(m, FEEDS_E_SYNTAX, "field before the first %s", ":20:");
    if (strcmp(tag, "25") == 0) {
        m->have_25 = 1;
        if (feeds_copy(s->account, sizeof s->account, v, m->vlen))
            return fail(m, FEEDS_E_TOO_LARGE, "%s too long", ":25:");
    } else if (strcmp(tag, "28C") == 0 || strcmp(tag, "28") == 0) {
        m->have_28 = 1;
        if (feeds_copy(s->sequence, sizeof s->sequence, v, m->vlen))
            return fail(m, FEEDS_E_TOO_LARGE, "%s too long", ":28C:");
    } else if (strcmp(tag, "60F") == 0 || strcmp(tag, "60M") == 0) {
        if (m->have_60)
            return fail(m, FEEDS_E_SYNTAX, "second opening balance %s", v);
        if ((rc = balance(m, v, &s->opening)))
            return rc;
        m->have_60 = s->has_opening = 1;
    } else if (strcmp(tag, "61") == 0) {
        if (m->have_62)
            return fail(m, FEEDS_E_SYNTAX, "%s after the closing balance",
                        ":61:");
        return field_61(m, v);
    } else if (strcmp(tag, "86") == 0) {
        if (m->pending && !m->pending_has86) {
            m->pending_has86 = 1;
            if (!(m->t.description = strdup(v)))
                return feeds_fail(m->err, FEEDS_E_NOMEM, 0, "",
                                  "out of memory");
        } else if (m->pending) {
            /* Rabobank and Danske Bank write one :86: per line: the
             * entry's text is all of them */
            size_t have = strlen(m->t.description);
            char *d;

            if (have + m->vlen + 2 > FEEDS_DESC_MAX)
                return fail(m, FEEDS_E_TOO_LARGE, "%s text too long", ":86:");
            if (!(d = realloc(m->t.description, have + m->vlen + 2)))
                return feeds_fail(m->err, FEEDS_E_NOMEM, 0, "",
                                  "out of memory");
            d[have] = '\n';
            memcpy(d + have + 1, v, m->vlen + 1);
            m->t.description = d;
        } else {
            feeds_note(s->notes, sizeof s->notes, "%.200s", v);
        }
    } else if (strcmp(tag, "62F") == 0 || strcmp(tag, "62M") == 0) {
        if ((rc = flush_txn(m)))
            return rc;
        if (!m->have_60)
            return fail(m, FEEDS_E_SYNTAX, "%s before :60F:", ":62F:");
        if ((rc = balance(m, v, &s->closing)))
            return rc;
        m->have_62 = s->has_closing = 1;
        m->final_62 = tag[2] == 'F';
    } else if (strcmp(tag, "34F") == 0) {
        char ccy[4];
        int e;

        if (m->vlen < 4)
            return fail(m, FEEDS_E_FIELD, "%s is not CCY amount", ":34F:");
        memcpy(ccy, v, 3);
        ccy[3] = '\0';
        if ((e = feeds_currency_exponent(ccy)) < 0)
            return fail(m, FEEDS_E_FIELD, "%s currency invalid", ":34F:");
        if (!s->currency[0]) {
            memcpy(s->currency, ccy, 4);
            s->exponent = e;
        }
        m->have_34 = 1;
    } else if (strcmp(tag, "90D") == 0) {
        if ((rc = flush_txn(m)) ||
            (rc = field_90(m, v, &m->cnt90d, &m->sum90d)))
            return rc;
        m->has90d = 1;
    } else if (strcmp(tag, "90C") == 0) {
        if ((rc = flush_txn(m)) ||
            (rc = field_90(m, v, &m->cnt90c, &m->sum90c)))
            return rc;
        m->has90c = 1;
    } else if (strcmp(tag, "13D") == 0 || strcmp(tag, "13") == 0) {
        if (m->vlen < 10 || !is_digits(v, 10))
            return fail(m, FEEDS_E_DATE, "%s is not YYMMDDHHMM", ":13D:");
    }
    /* :21:, :64:, :65:, :NS: and others carry nothing we need. */
    return 0;
}

/* A line ":TAG:" with TAG = 2 digits or letters + optional letter. */
static size_t tag_len(const char *l, size_t n)
{
    size_t i;

    if (n < 4 || l[0] != ':')
        return 0;
    for (i = 1; i < n && i <= 4 && l[i] != ':'; i++)
        if (!((l[i] >= '0' && l[i] <= '9') || (l[i] >= 'A' && l[i] <= 'Z')))
            return 0;
    if (i < 3 || i >= n || l[i] != ':')
        return 0;
    return i + 1;
}

static int add_line(struct mt *m, const char *l, size_t n)
{
    if (m->vlen + n + 2 > sizeof m->val)
        return fail(m, FEEDS_E_TOO_LARGE, "field %s too long", m->tag);
    if (m->vlen)
        m->val[m->vlen++] = '\n';
    memcpy(m->val + m->vlen, l, n);
    m->vlen += n;
    m->val[m->vlen] = '\0';
    return 0;
}

/*
 * A line a bank writes before a message that carries no field: ABN AMRO's
 * "ABNANL2A" and "940", ING's "0000 01INGBNL2AXXXX00001" and "940 00".
 * Letters, digits, spaces and . / - only, 1 to 40 bytes.
 */
static int header_line(const char *l, size_t n)
{
    size_t i;

    if (n == 0 || n > 40)
        return 0;
    for (i = 0; i < n; i++)
        if (!((l[i] >= '0' && l[i] <= '9') || (l[i] >= 'A' && l[i] <= 'Z') ||
              (l[i] >= 'a' && l[i] <= 'z') || l[i] == ' ' || l[i] == '.' ||
              l[i] == '/' || l[i] == '-'))
            return 0;
    return 1;
}

/* The end of a message: "-" or "-}" with optional trailer blocks. */
static int end_message(struct mt *m, const char *l, size_t n, long line)
{
    int depth = 1, rc;
    size_t i;

    /* a trailer such as {5:{MAC:..}} must be whole */
    for (i = 1; i < n; i++)
        depth += l[i] == '{' ? 1 : l[i] == '}' ? -1 : 0;
    if (depth != 0 && n >= 2)
        return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                          "unbalanced braces after -}");
    m->in_block = m->in_text = 0;
    m->n_headers = 0;
    if ((rc = field(m)) || (rc = end_stmt(m, line)))
        return rc;
    m->tag[0] = '\0';
    m->vlen = 0;
    return 0;
}

/* One line, without its line break and SOH/ETX framing bytes. */
static int line_in(struct mt *m, const char *l, size_t n, long line)
{
    size_t t;
    int rc;

    if (n == 0)
        return 0;
    if (l[0] == '-' && (n >= 2 ? l[1] == '}' : !m->in_block))
        return end_message(m, l, n, line);
    if (l[0] == '{') {
        const char *b4 = NULL;
        size_t i;
        int trailer = n >= 3 && (l[1] == '5' || l[1] == 'S') && l[2] == ':';

        for (i = 0; i + 3 <= n; i++)
            if (memcmp(l + i, "{4:", 3) == 0)
                b4 = l + i + 3;
        /* {1:}, {2:}, {3:} and {4: may come on one line or several; a
         * second {1: or {4: means the message lost its -} */
        if ((!trailer || b4) &&
            (m->in_text || (m->in_block && n >= 3 && l[1] == '1')))
            return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                              "new message before the previous one ended "
                              "with -}");
        if (!trailer || b4)
            m->in_block = 1;
        if (b4)
            m->in_text = 1;
        if (!b4 || b4 == l + n)
            return 0; /* {1:}{2:} headers, {5:} trailers */
        n -= (size_t)(b4 - l);
        l = b4;
    }
    t = tag_len(l, n);
    if (t) {
        if ((rc = field(m)))
            return rc;
        memcpy(m->tag, l + 1, t - 2);
        m->tag[t - 2] = '\0';
        m->tag_line = line;
        m->vlen = 0;
        m->val[0] = '\0';
        m->n_headers = 0;
        return add_line(m, l + t, n - t);
    }
    if (m->tag[0])
        return add_line(m, l, n);
    /* before the first message any text (a title, a note) may come; between
     * messages only short header lines */
    if (!m->in_block && !m->in_stmt && m->n_headers < 20 &&
        (m->n_stmt == 0 || (m->n_headers < 8 && header_line(l, n)))) {
        m->n_headers++;
        return 0;
    }
    return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                      "text outside any field");
}

static int run(struct mt *m, const char *buf, size_t len)
{
    char joined[256];
    size_t pos = 0;
    long line = 0;
    int rc;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *l = buf + pos, *nl = memchr(l, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - l) : len - pos;

        pos += n + (nl ? 1 : 0);
        line++;
        if (n && l[n - 1] == '\r')
            n--;
        if (m->in_text && n == 1 && l[0] == '-' && pos < len &&
            buf[pos] == '}') {
            /* the -} trailer split over two lines: "-" then "}..." */
            const char *l2 = buf + pos, *nl2 = memchr(l2, '\n', len - pos);
            size_t n2 = nl2 ? (size_t)(nl2 - l2) : len - pos;

            if (n2 + 1 < sizeof joined) {
                pos += n2 + (nl2 ? 1 : 0);
                line++;
                if (n2 && l2[n2 - 1] == '\r')
                    n2--;
                joined[0] = '-';
                memcpy(joined + 1, l2, n2);
                l = joined;
                n = n2 + 1;
            }
        }
        /* SOH ... ETX framing; one line may end a message and start the
         * next ("-}" ETX SOH "{1:..."). DOS's end-of-file byte SUB
         * (0x1A) at the start of a line separates messages too. */
        for (;;) {
            const char *x;
            size_t k;

            while (n && (l[0] == '\x01' || l[0] == '\x1A')) {
                if (l[0] == '\x01' && m->in_frame)
                    return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                                      "SOH before the previous message's "
                                      "ETX");
                if (l[0] == '\x01')
                    m->in_frame = 1;
                l++;
                n--;
            }
            x = memchr(l, '\x03', n);
            k = x ? (size_t)(x - l) : n;
            if (x && !m->in_frame)
                return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                                  "ETX without an SOH before it");
            if (memchr(l, '\0', k) || vntext_utf8_valid(l, k))
                return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                                  "line is not UTF-8 text");
            if (memchr(l, '\x01', k))
                return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                                  "SOH inside a line");
            if ((rc = line_in(m, l, k, line)))
                return rc;
            if (!x)
                break;
            /* ETX ends the message, as -} does */
            if (m->in_block)
                return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                                  "ETX before the message's -}");
            m->in_frame = 0;
            if ((rc = end_message(m, "-", 1, line)))
                return rc;
            l = x + 1;
            n -= k + 1;
        }
    }
    if (m->in_block)
        return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                          "message not closed by -}: file truncated?");
    if (m->in_frame)
        return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                          "message not closed by ETX: file truncated?");
    if ((rc = field(m)))
        return rc;
    m->tag[0] = '\0';
    if ((rc = end_stmt(m, line)))
        return rc;
    if (m->have_62 && !m->final_62)
        return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                          "file ends after an intermediate balance :62M:; "
                          "the next page is missing");
    if (m->n_stmt == 0)
        return feeds_fail(m->err, FEEDS_E_SYNTAX, line, "",
                          "no :20: statement found");
    return 0;
}

int feeds_parse_mt940_sink(const char *buf, size_t len,
                           const struct feeds_sink *sink,
                           struct feeds_error *err)
{
    struct mt *m;
    int rc;

    if (!buf || len == 0)
        return feeds_fail(err, FEEDS_E_SYNTAX, 0, "", "empty input");
    m = calloc(1, sizeof *m);
    if (!m)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    m->sink = sink;
    m->err = err;
    rc = run(m, buf, len);
    feeds_txn_clear(&m->t);
    free(m);
    return rc;
}

int feeds_parse_mt940(const char *buf, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err)
{
    struct bank_txn_list tmp = {0};
    struct feeds_sink sink;
    int rc;

    feeds_list_sink(&tmp, &sink);
    rc = feeds_parse_mt940_sink(buf, len, &sink, err);
    if (rc == 0 && feeds_list_append(out, &tmp))
        rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    feeds_list_free(&tmp);
    return rc;
}
