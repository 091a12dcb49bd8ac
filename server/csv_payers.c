/*
 * csv_payers.c: the payer CSV reader (RFC 4180 records, BOM, comma or
 * semicolon, CRLF, quoted fields with "" and line breaks). Headers may be
 * English or Vietnamese; they are matched after folding diacritics.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_payers.h"
#include "vntext.h"

#define MAX_FIELDS 16
#define MAX_ROWS   50000

enum col {
    C_CODE,
    C_NAME,
    C_ZONE,
    C_CATEGORY,
    C_CLASS,
    C_GUARDIAN,
    C_BANK_BIN,
    C_BANK_ACCOUNT,
    C_BANK_ACCOUNT_NAME,
    C__COUNT
};

/* Header spellings (folded to upper-case ASCII) for each column. */
static const char *const names[C__COUNT][5] = {
    [C_CODE] = {"CODE", "MA", "MA SO", "MA HS", "MA SAP"},
    [C_NAME] = {"NAME", "TEN", "HO TEN", "HO VA TEN", "TEN TIEU THUONG"},
    [C_ZONE] = {"ZONE", "KHU", "KHU VUC", NULL, NULL},
    [C_CATEGORY] = {"CATEGORY", "LOAI", "NHOM", NULL, NULL},
    [C_CLASS] = {"CLASS", "LOP", NULL, NULL, NULL},
    [C_GUARDIAN] = {"GUARDIAN", "PHU HUYNH", NULL, NULL, NULL},
    [C_BANK_BIN] = {"BANK_BIN", "BIN", "NGAN HANG", NULL, NULL},
    [C_BANK_ACCOUNT] = {"BANK_ACCOUNT", "SO TAI KHOAN", "STK", NULL, NULL},
    [C_BANK_ACCOUNT_NAME] = {"BANK_ACCOUNT_NAME", "TEN TAI KHOAN",
                             "CHU TAI KHOAN", "TEN CHU TAI KHOAN", NULL},
};

/* Columns each kind of organisation may have. */
static int col_allowed(int c, int market)
{
    if (c == C_CODE || c == C_NAME || c == C_CATEGORY)
        return 1;
    if (market)
        return c == C_ZONE || c == C_BANK_BIN || c == C_BANK_ACCOUNT ||
               c == C_BANK_ACCOUNT_NAME;
    return c == C_CLASS || c == C_GUARDIAN;
}

struct parser {
    const char *p, *end; /* input */
    char *w;             /* output cursor in the string buffer */
    int line;            /* physical line of the cursor */
    char sep;            /* ',' or ';' */
};

/*
 * Read one record into fields; returns the field count, 0 at end of input,
 * or -1 on an unterminated quote.
 */
static int record(struct parser *ps, char **f, int *nf_over)
{
    int n = 0;

    *nf_over = 0;
    if (ps->p >= ps->end)
        return 0;
    for (;;) {
        char *start = ps->w;

        if (ps->p < ps->end && *ps->p == '"') {
            ps->p++;
            for (;;) {
                if (ps->p >= ps->end)
                    return -1;
                if (*ps->p == '"') {
                    if (ps->p + 1 < ps->end && ps->p[1] == '"') {
                        *ps->w++ = '"';
                        ps->p += 2;
                        continue;
                    }
                    ps->p++;
                    break;
                }
                if (*ps->p == '\n')
                    ps->line++;
                *ps->w++ = *ps->p++;
            }
            /* anything after the closing quote up to the separator */
            while (ps->p < ps->end && *ps->p != ps->sep && *ps->p != '\n' &&
                   *ps->p != '\r')
                *ps->w++ = *ps->p++;
        } else {
            while (ps->p < ps->end && *ps->p != ps->sep && *ps->p != '\n' &&
                   *ps->p != '\r')
                *ps->w++ = *ps->p++;
        }
        *ps->w++ = '\0';
        if (n < MAX_FIELDS)
            f[n++] = start;
        else
            *nf_over = 1;
        if (ps->p < ps->end && *ps->p == ps->sep) {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '\r')
            ps->p++;
        if (ps->p < ps->end && *ps->p == '\n')
            ps->p++;
        ps->line++;
        return n;
    }
}

/* Trim ASCII white space in place. */
static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static void add_err(json_t *errs, int line, const char *vi, const char *en, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Report a problem on `line`: "message" in Vietnamese ("Dòng 7: thiếu mã
 * người nộp"), "message_en" in English; `vi` and `en` are formats of the
 * same arguments in the same order.
 */
static void add_err(json_t *errs, int line, const char *vi, const char *en, ...)
{
    char m_vi[320], m_en[320];
    int n_vi = 0, n_en = 0;
    va_list ap, aq;

    if (json_array_size(errs) >= 1000)
        return;
    if (line > 0) {
        n_vi = snprintf(m_vi, sizeof(m_vi), "Dòng %d: ", line);
        n_en = snprintf(m_en, sizeof(m_en), "Line %d: ", line);
    }
    va_start(ap, en);
    va_copy(aq, ap);
    /* `vi` takes the arguments `en` does, which the compiler checks (the
     * format attribute names one format only) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(m_vi + n_vi, sizeof(m_vi) - (size_t)n_vi, vi, ap);
#pragma GCC diagnostic pop
    vsnprintf(m_en + n_en, sizeof(m_en) - (size_t)n_en, en, aq);
    va_end(aq);
    va_end(ap);
    json_array_append_new(errs, json_pack("{s:i, s:s, s:s}", "line", line,
                                          "message", m_vi, "message_en", m_en));
}

/* Fold the holder's name in place to upper-case ASCII as banks write it
 * ("Nguyễn Thị Lan" -> "NGUYEN THI LAN"); 0, or -1 when it has anything
 * but letters, digits, spaces, '.' and '-' or is longer than 50. */
static int holder_fold(char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    int rc = -1;

    if (t != NULL && vntext_fold(s, n, t, n + 1, &n) == 0 && n <= 50 &&
        strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-") == n) {
        memcpy(s, t, n + 1);
        rc = 0;
    }
    free(t);
    return rc;
}

/* [A-Z0-9-]{min,max} (the same rule as the HTTP API's codes). */
static int code_ok(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;

    return s && n >= min && n <= max &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

static int digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);

    return n >= min && n <= max && strspn(s, "0123456789") == n;
}

int payers_csv_parse(const char *data, size_t len, const char *kind,
                     struct payers_csv *out, json_t **errors)
{
    struct parser ps;
    json_t *errs = json_array();
    struct store_payer *rows = NULL;
    size_t n = 0, cap = 0, i;
    char *buf = NULL, *f[MAX_FIELDS];
    int col[MAX_FIELDS], have[C__COUNT], nh, k, over, market;

    market = strcmp(kind, "market") == 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    if (vntext_utf8_valid(data, len) != 0 || memchr(data, '\0', len)) {
        add_err(errs, 1,
                "tệp không phải văn bản UTF-8 (hãy lưu dạng \"CSV UTF-8\")",
                "the file is not UTF-8 text (save as \"CSV UTF-8\")");
        goto fail;
    }
    buf = malloc(2 * len + 2); /* every byte, plus a NUL per field */
    if (buf == NULL)
        goto fail;
    ps.p = data;
    ps.end = data + len;
    ps.w = buf;
    ps.line = 1;
    {
        /* the header line decides: never read past `len` */
        const char *nl = memchr(data, '\n', len);
        size_t hl = nl ? (size_t)(nl - data) : len;
        const char *c = memchr(data, ',', hl);
        const char *sc = memchr(data, ';', hl);

        ps.sep = (sc != NULL && c == NULL) ? ';' : ',';
    }
    /* header */
    nh = record(&ps, f, &over);
    if (nh <= 0) {
        add_err(errs, 1,
                "tệp trống: dòng đầu phải ghi tên các cột (mã, tên, ...)",
                "empty file: the first line must name the columns "
                "(code,name,...)");
        goto fail;
    }
    memset(have, 0, sizeof(have));
    for (k = 0; k < nh; k++) {
        char folded[64];
        int c, j, found = -1;

        if (vntext_fold(trim(f[k]), strlen(trim(f[k])), folded, sizeof(folded),
                        NULL) != 0)
            folded[0] = '\0';
        for (c = 0; c < C__COUNT && found < 0; c++)
            for (j = 0; j < 5 && names[c][j]; j++)
                if (strcmp(folded, names[c][j]) == 0)
                    found = c;
        if (found < 0 || !col_allowed(found, market)) {
            add_err(errs, 1, "cột '%.40s' không dùng được cho %s",
                    "unknown column '%.40s' for a %s", f[k],
                    market ? "chợ (market)" : "trường (school)");
            col[k] = -1;
            continue;
        }
        if (have[found]) {
            add_err(errs, 1, "cột '%.40s' xuất hiện hai lần",
                    "column '%.40s' appears twice", f[k]);
            col[k] = -1;
            continue;
        }
        have[found] = 1;
        col[k] = found;
    }
    if (!have[C_CODE] || !have[C_NAME])
        add_err(errs, 1, "dòng tiêu đề cần ít nhất cột 'mã' và 'tên'",
                "the header needs at least 'code' and 'name'");
    if (json_array_size(errs) > 0)
        goto fail;
    for (;;) {
        int line = ps.line, nf, empty = 1;
        struct store_payer p;
        char *v[C__COUNT] = {0};

        nf = record(&ps, f, &over);
        if (nf == 0)
            break;
        if (nf < 0) {
            add_err(errs, line, "có dấu ngoặc kép chưa được đóng",
                    "a quoted field is never closed");
            break;
        }
        for (k = 0; k < nf; k++)
            if (*trim(f[k]) != '\0')
                empty = 0;
        if (empty)
            continue;
        if (nf != nh || over) {
            add_err(errs, line, "có %d ô trong khi tiêu đề có %d cột",
                    "%d fields where the header has %d", nf, nh);
            continue;
        }
        for (k = 0; k < nf; k++)
            if (col[k] >= 0)
                v[col[k]] = trim(f[k]);
        memset(&p, 0, sizeof(p));
        p.active = 1;
        for (k = 0; v[C_CODE] && v[C_CODE][k]; k++)
            v[C_CODE][k] = (char)toupper((unsigned char)v[C_CODE][k]);
        if (v[C_CODE] == NULL || v[C_CODE][0] == '\0') {
            add_err(errs, line, "thiếu mã người nộp",
                    "the payer code is missing");
            continue;
        }
        if (!code_ok(v[C_CODE], 1, 32)) {
            add_err(errs, line,
                    "mã '%.40s' chỉ gồm chữ, số và '-' (tối đa 32 ký tự)",
                    "code '%.40s': use letters, digits and '-' (at most 32)",
                    v[C_CODE]);
            continue;
        }
        if (v[C_NAME] == NULL || v[C_NAME][0] == '\0') {
            add_err(errs, line, "thiếu tên người nộp", "the name is missing");
            continue;
        }
        if (strlen(v[C_NAME]) > 128) {
            add_err(errs, line, "tên dài quá 128 byte",
                    "name: at most 128 bytes");
            continue;
        }
        if ((v[C_ZONE] && strlen(v[C_ZONE]) > 16) ||
            (v[C_CLASS] && strlen(v[C_CLASS]) > 16) ||
            (v[C_CATEGORY] && strlen(v[C_CATEGORY]) > 32) ||
            (v[C_GUARDIAN] && strlen(v[C_GUARDIAN]) > 128)) {
            add_err(errs, line, "có ô dài quá mức cho phép",
                    "a field is too long");
            continue;
        }
        if (v[C_BANK_BIN] && v[C_BANK_BIN][0] && !digits(v[C_BANK_BIN], 6, 6)) {
            add_err(errs, line, "mã ngân hàng (BIN) '%.20s' phải gồm 6 chữ số",
                    "bank_bin '%.20s': six digits", v[C_BANK_BIN]);
            continue;
        }
        if (v[C_BANK_ACCOUNT] && v[C_BANK_ACCOUNT][0] &&
            !digits(v[C_BANK_ACCOUNT], 4, 19)) {
            add_err(errs, line, "số tài khoản phải gồm 4 đến 19 chữ số",
                    "bank_account: 4 to 19 digits");
            continue;
        }
        if ((v[C_BANK_BIN] && v[C_BANK_BIN][0]) !=
            (v[C_BANK_ACCOUNT] && v[C_BANK_ACCOUNT][0])) {
            add_err(errs, line,
                    "mã ngân hàng (BIN) và số tài khoản phải có cả hai",
                    "bank_bin and bank_account go together");
            continue;
        }
        if (v[C_BANK_ACCOUNT_NAME] && v[C_BANK_ACCOUNT_NAME][0] &&
            holder_fold(v[C_BANK_ACCOUNT_NAME]) != 0) {
            add_err(errs, line,
                    "tên chủ tài khoản: tối đa 50 chữ cái, số và dấu cách",
                    "bank_account_name: at most 50 letters, digits and "
                    "spaces");
            continue;
        }
        for (i = 0; i < n; i++)
            if (strcmp(rows[i].code, v[C_CODE]) == 0)
                break;
        if (i < n) {
            add_err(errs, line, "mã '%s' xuất hiện hai lần trong tệp",
                    "code '%s' appears twice in the file", v[C_CODE]);
            continue;
        }
        if (n >= MAX_ROWS) {
            add_err(errs, line, "quá %d dòng", "more than %d rows", MAX_ROWS);
            break;
        }
        p.code = v[C_CODE];
        p.name = v[C_NAME];
        p.category = v[C_CATEGORY] && v[C_CATEGORY][0] ? v[C_CATEGORY] : NULL;
        p.zone = v[C_ZONE];
        p.class_name = v[C_CLASS];
        p.guardian = v[C_GUARDIAN];
        p.bank_bin = v[C_BANK_BIN];
        p.bank_account = v[C_BANK_ACCOUNT];
        p.bank_account_name = v[C_BANK_ACCOUNT_NAME];
        if (market && p.category == NULL)
            p.category = p.zone;
        if (n == cap) {
            struct store_payer *nr;

            cap = cap ? cap * 2 : 64;
            nr = realloc(rows, cap * sizeof(*rows));
            if (nr == NULL)
                goto fail;
            rows = nr;
        }
        rows[n++] = p;
    }
    if (json_array_size(errs) > 0)
        goto fail;
    if (n == 0) {
        add_err(errs, ps.line, "tệp không có dòng người nộp nào",
                "no payer rows in the file");
        goto fail;
    }
    json_decref(errs);
    out->rows = rows;
    out->n = n;
    out->buf = buf;
    return 0;
fail:
    if (json_array_size(errs) == 0)
        add_err(errs, 0, "hết bộ nhớ", "out of memory");
    free(rows);
    free(buf);
    *errors = errs;
    return -1;
}

void payers_csv_free(struct payers_csv *p)
{
    if (p == NULL)
        return;
    free(p->rows);
    free(p->buf);
    p->rows = NULL;
    p->buf = NULL;
    p->n = 0;
}
