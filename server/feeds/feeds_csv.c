/*
 * feeds_csv.c: bank statements exported as CSV (RFC 4180, UTF-8 with or
 * without BOM) read through a column mapping: by index or by header name,
 * Vietnamese bank headers recognised by their folded form. Any bad row
 * rejects the whole file with its line number. Also format detection.
 */
#include "feeds_int.h"

#include "crypto.h"
#include "money.h"
#include "vntext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_MAX_FIELDS  64
#define CSV_MAX_RECORD  65536
#define CSV_HEADER_SCAN 20

struct rec {
    char buf[CSV_MAX_RECORD];
    size_t off[CSV_MAX_FIELDS], len[CSV_MAX_FIELDS];
    int n;
    long line; /* line where the record starts */
};

/* Read one record at *pos. 1 = got one, 0 = end, negative = error. */
static int read_record(const char *s, size_t slen, size_t *pos, char delim,
                       struct rec *r, long *line, struct feeds_error *err)
{
    size_t p = *pos, o = 0;
    int quoted;

    if (p >= slen)
        return 0;
    r->n = 0;
    r->line = *line;
    for (;;) {
        if (r->n == CSV_MAX_FIELDS)
            return feeds_fail(err, FEEDS_E_TOO_LARGE, r->line, "",
                              "more than %d columns", CSV_MAX_FIELDS);
        r->off[r->n] = o;
        quoted = p < slen && s[p] == '"';
        if (quoted) {
            p++;
            for (;;) {
                if (p >= slen)
                    return feeds_fail(err, FEEDS_E_SYNTAX, r->line, "",
                                      "quoted field never closed");
                if (s[p] == '"') {
                    if (p + 1 < slen && s[p + 1] == '"') {
                        p += 2;
                        if (o + 1 >= CSV_MAX_RECORD)
                            goto toolong;
                        r->buf[o++] = '"';
                        continue;
                    }
                    p++;
                    break;
                }
                if (s[p] == '\r' && p + 1 < slen && s[p + 1] == '\n') {
                    p++; /* CRLF inside quotes becomes LF */
                    continue;
                }
                if (s[p] == '\n')
                    (*line)++;
                if (o + 1 >= CSV_MAX_RECORD)
                    goto toolong;
                r->buf[o++] = s[p++];
            }
            if (p < slen && s[p] == '\r')
                p++;
            if (p < slen && s[p] != delim && s[p] != '\n')
                return feeds_fail(err, FEEDS_E_SYNTAX, *line, "",
                                  "text after a closing quote in column "
                                  "%d",
                                  r->n + 1);
        } else {
            while (p < slen && s[p] != delim && s[p] != '\n') {
                if (o + 1 >= CSV_MAX_RECORD)
                    goto toolong;
                r->buf[o++] = s[p++];
            }
            if (o > r->off[r->n] && r->buf[o - 1] == '\r' &&
                (p >= slen || s[p] == '\n'))
                o--;
        }
        r->len[r->n] = o - r->off[r->n];
        r->buf[o++] = '\0';
        r->n++;
        if (p < slen && s[p] == delim) {
            p++;
            continue;
        }
        if (p < slen && s[p] == '\n') {
            p++;
            (*line)++;
        }
        break;
    }
    *pos = p;
    return 1;
toolong:
    return feeds_fail(err, FEEDS_E_TOO_LARGE, r->line, "",
                      "record longer than %d bytes", CSV_MAX_RECORD);
}

static const char *cell(const struct rec *r, int i)
{
    return i >= 0 && i < r->n ? r->buf + r->off[i] : "";
}

/* Folded, letters and digits only: "Số tiền ghi có" -> "SOTIENGHICO". */
static void squash(const char *s, char *out, size_t cap)
{
    char tmp[512];
    size_t i, o = 0;

    out[0] = '\0';
    if (vntext_fold(s, strlen(s), tmp, sizeof tmp, NULL))
        return;
    for (i = 0; tmp[i] && o + 1 < cap; i++)
        if ((tmp[i] >= 'A' && tmp[i] <= 'Z') ||
            (tmp[i] >= '0' && tmp[i] <= '9'))
            out[o++] = tmp[i];
    out[o] = '\0';
}

/* Does header cell h match one of the "|"-separated names? */
static int name_match(const char *h, const char *names)
{
    char hs[512], ns[512], one[256];
    const char *p = names;

    squash(h, hs, sizeof hs);
    if (!hs[0])
        return 0;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p), l;

        if (n < sizeof one) {
            memcpy(one, p, n);
            one[n] = '\0';
            squash(one, ns, sizeof ns);
            l = strlen(ns);
            if (l && strncmp(hs, ns, l) == 0 &&
                (hs[l] == '\0' || strcmp(hs + l, "VND") == 0))
                return 1;
        }
        p += n + (bar ? 1 : 0);
    }
    return 0;
}

enum {
    C_DATE,
    C_AMOUNT,
    C_CREDIT,
    C_DEBIT,
    C_DESC,
    C_REF,
    C_CNAME,
    C_CACCT,
    C_BAL,
    C_N
};

static void cols_of(const struct feeds_csv_map *m,
                    const struct feeds_csv_col *c[C_N])
{
    c[C_DATE] = &m->date;
    c[C_AMOUNT] = &m->amount;
    c[C_CREDIT] = &m->credit;
    c[C_DEBIT] = &m->debit;
    c[C_DESC] = &m->description;
    c[C_REF] = &m->reference;
    c[C_CNAME] = &m->counter_name;
    c[C_CACCT] = &m->counter_account;
    c[C_BAL] = &m->balance;
}

/* Resolve the column indexes against a header record (NULL: by index
 * only). Returns 1 when date and an amount column are known. */
static int resolve(const struct feeds_csv_map *m, const struct rec *hdr,
                   int idx[C_N])
{
    const struct feeds_csv_col *c[C_N];
    int k, i;

    cols_of(m, c);
    for (k = 0; k < C_N; k++) {
        idx[k] = -1;
        if (c[k]->index >= 0) {
            idx[k] = c[k]->index;
            continue;
        }
        if (!hdr || !c[k]->name)
            continue;
        for (i = 0; i < hdr->n; i++) {
            int used = 0, j;

            for (j = 0; j < k; j++)
                used |= idx[j] == i;
            if (!used && name_match(cell(hdr, i), c[k]->name)) {
                idx[k] = i;
                break;
            }
        }
    }
    /* A signed amount column is only used without credit/debit ones. */
    if (idx[C_CREDIT] >= 0 || idx[C_DEBIT] >= 0)
        idx[C_AMOUNT] = -1;
    return idx[C_DATE] >= 0 &&
           (idx[C_AMOUNT] >= 0 || idx[C_CREDIT] >= 0 || idx[C_DEBIT] >= 0);
}

void feeds_csv_map_default(struct feeds_csv_map *m)
{
    memset(m, 0, sizeof *m);
    m->has_header = 1;
    m->date_format = FEEDS_DATE_DMY;
    m->date.index = m->amount.index = m->credit.index = -1;
    m->debit.index = m->description.index = m->reference.index = -1;
    m->counter_name.index = m->counter_account.index = -1;
    m->balance.index = -1;
    m->date.name = "Ngày giao dịch|Ngày GD|Ngày hạch toán|Ngày HT|"
                   "Ngày giờ giao dịch|Thời gian giao dịch|Ngày|"
                   "Transaction date|Posting date|Booking date|Date";
    m->credit.name = "Số tiền ghi có|Ghi có|Phát sinh có|PS có|Tiền vào|"
                     "Số tiền vào|Có|Credit amount|Credit";
    m->debit.name = "Số tiền ghi nợ|Ghi nợ|Phát sinh nợ|PS nợ|Tiền ra|"
                    "Số tiền ra|Nợ|Debit amount|Debit";
    m->amount.name = "Số tiền giao dịch|Số tiền|Amount";
    m->description.name = "Nội dung|Nội dung giao dịch|Nội dung chi tiết|"
                          "Diễn giải|Mô tả|Chi tiết giao dịch|"
                          "Description|Content|Details";
    m->reference.name = "Số bút toán|Số tham chiếu|Mã giao dịch|"
                        "Số giao dịch|Số chứng từ|Số CT|Mã GD|Reference|"
                        "Transaction ID|Ref";
    m->counter_name.name = "Tên tài khoản đối ứng|Tên đối ứng|"
                           "Tên người chuyển|Người chuyển|"
                           "Counter account name|Counterparty";
    m->counter_account.name = "Số tài khoản đối ứng|Tài khoản đối ứng|"
                              "Số TK đối ứng|TK đối ứng|Counter account";
    m->balance.name = "Số dư sau giao dịch|Số dư cuối|Số dư|Balance";
}

static int parse_date(const char *s, enum feeds_date_format f, char d[11],
                      char dt[32])
{
    char iso[32];
    size_t n = strlen(s);
    int y, mo, da, hh = 0, mi = 0, ss = 0, i;
    const char *rest;

    if (f == FEEDS_DATE_DMY) {
        if (n < 10 || (s[2] != '/' && s[2] != '-' && s[2] != '.') ||
            s[5] != s[2])
            return -1;
        for (i = 0; i < 10; i++)
            if (i != 2 && i != 5 && (s[i] < '0' || s[i] > '9'))
                return -1;
        da = (s[0] - '0') * 10 + (s[1] - '0');
        mo = (s[3] - '0') * 10 + (s[4] - '0');
        y = atoi(s + 6);
    } else {
        if (n < 10 || (s[4] != '-' && s[4] != '/') || s[7] != s[4])
            return -1;
        for (i = 0; i < 10; i++)
            if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                return -1;
        y = atoi(s);
        mo = (s[5] - '0') * 10 + (s[6] - '0');
        da = (s[8] - '0') * 10 + (s[9] - '0');
    }
    if (!feeds_valid_date(y, mo, da))
        return -1;
    feeds_fmt_date(y, mo, da, d);
    dt[0] = '\0';
    rest = s + 10;
    if (*rest == '\0')
        return 0;
    if (*rest != ' ' && *rest != 'T')
        return -1;
    rest++;
    if (sscanf(rest, "%2d:%2d:%2d", &hh, &mi, &ss) < 2 || hh > 23 || mi > 59 ||
        ss > 59)
        return -1;
    memcpy(iso, d, 10);
    iso[10] = 'T';
    iso[11] = (char)('0' + hh / 10);
    iso[12] = (char)('0' + hh % 10);
    iso[13] = ':';
    iso[14] = (char)('0' + mi / 10);
    iso[15] = (char)('0' + mi % 10);
    iso[16] = ':';
    iso[17] = (char)('0' + ss / 10);
    iso[18] = (char)('0' + ss % 10);
    memcpy(iso + 19, "+07:00", 7);
    memcpy(dt, iso, 26);
    return 0;
}

/* Trimmed copy of a cell. */
static void trimmed(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), b = 0;

    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n - b >= cap)
        n = b + cap - 1;
    memcpy(out, s + b, n - b);
    out[n - b] = '\0';
}

static int money_cell(const char *s, int64_t *v, int *present)
{
    char t[64];

    trimmed(s, t, sizeof t);
    *present = t[0] != '\0' && strcmp(t, "-") != 0;
    if (!*present) {
        *v = 0;
        return 0;
    }
    return money_parse(t, v) ? -1 : 0;
}

static char guess_delim(const char *s, size_t len)
{
    static const char cand[] = {',', ';', '\t'};
    int best = 0, bi = 0, k;

    for (k = 0; k < 3; k++) {
        size_t p = 0;
        int lines = 0, inq = 0, cnt = 0, mx = 0;

        for (p = 0; p < len && lines < CSV_HEADER_SCAN; p++) {
            if (s[p] == '"')
                inq = !inq;
            else if (!inq && s[p] == cand[k])
                cnt++;
            else if (!inq && s[p] == '\n') {
                if (cnt > mx)
                    mx = cnt;
                cnt = 0;
                lines++;
            }
        }
        if (cnt > mx)
            mx = cnt;
        if (mx > best) {
            best = mx;
            bi = k;
        }
    }
    return cand[bi];
}

struct digest {
    uint8_t d[16];
    size_t row;
};

static int digest_cmp(const void *a, const void *b)
{
    const struct digest *x = a, *y = b;
    int c = memcmp(x->d, y->d, 16);

    if (c)
        return c;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* Give rows without a reference an id: hash of their content and of how
 * many identical rows precede them, so a re-import gives the same ids
 * while two identical transfers on one day stay two. */
static int hash_ids(struct bank_txn_list *l)
{
    struct digest *v;
    size_t i, n = 0, occ = 0, dlen = 0;
    char buf[FEEDS_DESC_MAX + 512];
    int rc = 0;

    v = malloc((l->n ? l->n : 1) * sizeof *v);
    if (!v)
        return -1;
    for (i = 0; i < l->n; i++) {
        struct bank_txn *t = &l->txns[i];
        char hex[FEEDS_ID_MAX];
        int k;

        if (t->provider_txn_id[0])
            continue;
        k = snprintf(buf, sizeof buf, "csv|%s|%s|%s|%d|%lld|%s|%s|%s",
                     t->account, t->booking_date, t->datetime, t->direction,
                     (long long)t->amount, t->counter_account, t->counter_name,
                     t->description);
        if (k < 0 || feeds_hash_id(buf, strlen(buf), hex)) {
            rc = -1;
            goto out;
        }
        if (crypto_unhex(hex + 2, 32, v[n].d, 16, &dlen) || dlen != 16) {
            rc = -1;
            goto out;
        }
        v[n].row = i;
        n++;
    }
    qsort(v, n, sizeof *v, digest_cmp);
    for (i = 0; i < n; i++) {
        char in[64];

        occ = (i > 0 && memcmp(v[i].d, v[i - 1].d, 16) == 0) ? occ + 1 : 0;
        snprintf(in, sizeof in, "%02x%02x%02x%02x%02x%02x%02x%02x#%zu",
                 v[i].d[0], v[i].d[1], v[i].d[2], v[i].d[3], v[i].d[4],
                 v[i].d[5], v[i].d[6], v[i].d[7], occ);
        if (feeds_hash_id(in, strlen(in), l->txns[v[i].row].provider_txn_id)) {
            rc = -1;
            goto out;
        }
    }
out:
    free(v);
    return rc;
}

/* Running balances: ascending or descending order, or a mismatch. */
static void check_balances(struct bank_txn_list *l, struct feeds_statement *s)
{
    size_t i, n = l->n;
    int up = 1, down = 1;
    size_t bad_up = 0;

    if (n == 0)
        return;
    for (i = 0; i < n; i++)
        if (!l->txns[i].has_balance)
            return;
#define SIGNED(t) ((t)->direction == FEEDS_CREDIT ? (t)->amount : -(t)->amount)
    for (i = 1; i < n && up; i++)
        if (l->txns[i].balance !=
            l->txns[i - 1].balance + SIGNED(&l->txns[i])) {
            up = 0;
            bad_up = i;
        }
    for (i = 1; i < n && down; i++)
        if (l->txns[i - 1].balance !=
            l->txns[i].balance + SIGNED(&l->txns[i - 1]))
            down = 0;
    s->has_opening = s->has_closing = 1;
    if (up || !down) {
        s->opening = l->txns[0].balance - SIGNED(&l->txns[0]);
        s->closing = l->txns[n - 1].balance;
    } else {
        s->opening = l->txns[n - 1].balance - SIGNED(&l->txns[n - 1]);
        s->closing = l->txns[0].balance;
    }
#undef SIGNED
    feeds_stmt_check(s);
    if (!up && !down) {
        s->check = FEEDS_BAL_MISMATCH;
        snprintf(s->check_message, sizeof s->check_message,
                 "running balance breaks at %s (row %zu): neither ascending "
                 "nor descending order adds up",
                 l->txns[bad_up].source, bad_up + 1);
    }
}

int feeds_parse_csv(const char *buf, size_t len,
                    const struct feeds_csv_map *map, struct bank_txn_list *out,
                    struct feeds_error *err)
{
    struct bank_txn_list tmp = {0};
    struct feeds_statement st;
    struct feeds_csv_map defmap;
    struct rec *r = NULL;
    struct bank_txn t;
    int idx[C_N], rc = 0, got, have_cols = 0, rows_seen = 0;
    size_t pos = 0, i;
    long line = 1;
    char delim;
    const char *ccy;

    feeds_txn_init(&t, FEEDS_CSV);
    if (!map) {
        feeds_csv_map_default(&defmap);
        map = &defmap;
    }
    ccy = map->currency ? map->currency : "VND";
    if (strcmp(ccy, "VND") != 0)
        return feeds_fail(err, FEEDS_E_UNSUPPORTED, 0, "",
                          "CSV import supports VND only, not %.8s", ccy);
    if (!buf || len == 0)
        return feeds_fail(err, FEEDS_E_SYNTAX, 0, "", "empty input");
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    if (memchr(buf, '\0', len))
        return feeds_fail(err, FEEDS_E_SYNTAX, 0, "",
                          "NUL byte: not a text file");
    if (vntext_utf8_valid(buf, len)) {
        /* find the line for the message */
        long l = 1;
        size_t p, start = 0;

        for (p = 0; p <= len; p++)
            if (p == len || buf[p] == '\n') {
                if (vntext_utf8_valid(buf + start, p - start))
                    break;
                l++;
                start = p + 1;
            }
        return feeds_fail(err, FEEDS_E_SYNTAX, l, "",
                          "not UTF-8 (export the file as UTF-8)");
    }
    delim = map->delimiter ? map->delimiter : guess_delim(buf, len);
    r = malloc(sizeof *r);
    if (!r)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    memset(&st, 0, sizeof st);
    st.format = FEEDS_CSV;
    st.line = 1;
    memcpy(st.currency, "VND", 4);
    if (map->account && feeds_copy(st.account, sizeof st.account, map->account,
                                   strlen(map->account))) {
        rc = feeds_fail(err, FEEDS_E_TOO_LARGE, 0, "", "account too long");
        goto fail;
    }
    if (!map->has_header)
        have_cols = resolve(map, NULL, idx);
    if (!map->has_header && !have_cols) {
        rc = feeds_fail(err, FEEDS_E_FIELD, 0, "",
                        "mapping needs a date and an amount column");
        goto fail;
    }
    while ((got = read_record(buf, len, &pos, delim, r, &line, err)) == 1) {
        char v[FEEDS_ID_MAX];
        int64_t amt = 0, cr = 0, db = 0, bal = 0;
        int pc = 0, pd = 0, pa = 0, pb = 0, k;

        if (r->n == 1 && r->len[0] == 0)
            continue; /* blank line */
        if (!have_cols) {
            rows_seen++;
            if (resolve(map, r, idx)) {
                have_cols = 1;
                st.line = r->line;
            } else if (rows_seen >= CSV_HEADER_SCAN) {
                rc = feeds_fail(err, FEEDS_E_FIELD, r->line, "",
                                "no header row with a date and an amount "
                                "column in the first %d rows",
                                CSV_HEADER_SCAN);
                goto fail;
            }
            continue;
        }
        feeds_txn_init(&t, FEEDS_CSV);
        t.statement = 0;
        memcpy(t.currency, "VND", 4);
        memcpy(t.account, st.account, sizeof t.account);
        snprintf(t.source, sizeof t.source, "line %ld", r->line);
        trimmed(cell(r, idx[C_DATE]), v, sizeof v);
        if (parse_date(v, map->date_format, t.booking_date, t.datetime)) {
            rc = feeds_fail(err, FEEDS_E_DATE, r->line, "",
                            "date \"%.40s\" is not %s", v,
                            map->date_format == FEEDS_DATE_DMY ? "dd/mm/yyyy"
                                                               : "yyyy-mm-dd");
            goto fail;
        }
        if (idx[C_AMOUNT] >= 0) {
            if (money_cell(cell(r, idx[C_AMOUNT]), &amt, &pa) || !pa) {
                rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "",
                                "amount \"%.40s\" is not an amount",
                                cell(r, idx[C_AMOUNT]));
                goto fail;
            }
            t.direction = amt < 0 ? FEEDS_DEBIT : FEEDS_CREDIT;
            t.amount = amt < 0 ? -amt : amt;
        } else {
            if ((idx[C_CREDIT] >= 0 &&
                 money_cell(cell(r, idx[C_CREDIT]), &cr, &pc)) ||
                (idx[C_DEBIT] >= 0 &&
                 money_cell(cell(r, idx[C_DEBIT]), &db, &pd)) ||
                cr < 0 || db < 0) {
                rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "",
                                "credit \"%.30s\" / debit \"%.30s\" is not "
                                "an amount",
                                cell(r, idx[C_CREDIT]), cell(r, idx[C_DEBIT]));
                goto fail;
            }
            if (!pc && !pd) {
                rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "",
                                "row has neither a credit nor a debit "
                                "amount");
                goto fail;
            }
            if (cr != 0 && db != 0) {
                rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "",
                                "row has both a credit and a debit amount");
                goto fail;
            }
            t.direction = db != 0 ? FEEDS_DEBIT : FEEDS_CREDIT;
            t.amount = db != 0 ? db : cr;
        }
        if (idx[C_BAL] >= 0) {
            if (money_cell(cell(r, idx[C_BAL]), &bal, &pb)) {
                rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "",
                                "balance \"%.40s\" is not an amount",
                                cell(r, idx[C_BAL]));
                goto fail;
            }
            t.has_balance = pb;
            t.balance = bal;
        }
        trimmed(cell(r, idx[C_REF]), t.bank_ref, sizeof t.bank_ref);
        memcpy(t.provider_txn_id, t.bank_ref, sizeof t.bank_ref);
        trimmed(cell(r, idx[C_CNAME]), t.counter_name, sizeof t.counter_name);
        trimmed(cell(r, idx[C_CACCT]), t.counter_account,
                sizeof t.counter_account);
        if (strlen(cell(r, idx[C_DESC])) > FEEDS_DESC_MAX) {
            rc = feeds_fail(err, FEEDS_E_TOO_LARGE, r->line, "",
                            "description too long");
            goto fail;
        }
        t.description = strdup(cell(r, idx[C_DESC]));
        if (!t.description)
            goto nomem;
        k = t.direction == FEEDS_CREDIT
                ? feeds_add(st.credits, t.amount, &st.credits)
                : feeds_add(st.debits, t.amount, &st.debits);
        if (k) {
            rc = feeds_fail(err, FEEDS_E_AMOUNT, r->line, "", "sums overflow");
            goto fail;
        }
        if (t.direction == FEEDS_CREDIT)
            st.n_credits++;
        else
            st.n_debits++;
        if (feeds_list_push(&tmp, &t))
            goto nomem;
    }
    if (got < 0) {
        rc = got;
        goto fail;
    }
    if (!have_cols) {
        rc = feeds_fail(err, FEEDS_E_FIELD, line, "",
                        "no header row with a date and an amount column");
        goto fail;
    }
    if (hash_ids(&tmp))
        goto nomem;
    check_balances(&tmp, &st);
    for (i = 0; i < tmp.n; i++)
        tmp.txns[i].statement = 0;
    if (feeds_list_push_stmt(&tmp, &st) || feeds_list_append(out, &tmp))
        goto nomem;
    free(r);
    return 0;
nomem:
    rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
fail:
    feeds_txn_clear(&t);
    feeds_list_free(&tmp);
    free(r);
    return rc;
}

/*
 * MT940/MT942: among the first 12 lines (4 KiB), after an optional SOH
 * byte, one that opens a message with "{1:", "{4:" or ":20:". What may
 * come before it are the lines banks put ahead of a message ("ABNANL2A",
 * "940", ":940:", "-"), which no CSV export starts a line with ":20:".
 */
static int mt940_start(const char *s, size_t len)
{
    size_t p = 0, lim = len < 4096 ? len : 4096;
    int lines;

    for (lines = 0; lines < 12 && p < lim; lines++) {
        const char *l = s + p, *nl = memchr(l, '\n', lim - p);
        size_t n = nl ? (size_t)(nl - l) : lim - p;

        p += n + 1;
        if (n && l[0] == '\x01') {
            l++;
            n--;
        }
        if ((n >= 3 &&
             (memcmp(l, "{1:", 3) == 0 || memcmp(l, "{4:", 3) == 0)) ||
            (n >= 4 && memcmp(l, ":20:", 4) == 0))
            return 1;
    }
    return 0;
}

int feeds_detect(const char *buf, size_t len)
{
    size_t p = 0, lim;

    if (!buf)
        return -FEEDS_E_FORMAT;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    while (p < len && (buf[p] == ' ' || buf[p] == '\t' || buf[p] == '\r' ||
                       buf[p] == '\n'))
        p++;
    if (p >= len)
        return -FEEDS_E_FORMAT;
    if (buf[p] == '<') {
        lim = len - p < 4096 ? len - p : 4096;
        for (size_t i = p; i + 8 <= p + lim; i++)
            if (memcmp(buf + i, "camt.05", 7) == 0)
                return FEEDS_CAMT;
        return -FEEDS_E_FORMAT;
    }
    if (mt940_start(buf + p, len - p))
        return FEEDS_MT940;
    if (buf[p] == '{' || buf[p] == '[')
        return -FEEDS_E_FORMAT; /* JSON is a webhook, not a statement */
    return FEEDS_CSV;
}

int feeds_parse_statement(const char *buf, size_t len, int fmt,
                          const struct feeds_csv_map *map,
                          struct bank_txn_list *out, struct feeds_error *err)
{
    if (fmt == 0) {
        fmt = feeds_detect(buf, len);
        if (fmt < 0)
            return feeds_fail(err, FEEDS_E_FORMAT, 0, "",
                              "not a camt, MT940 or CSV statement");
    }
    switch (fmt) {
    case FEEDS_CAMT:
        return feeds_parse_camt(buf, len, out, err);
    case FEEDS_MT940:
        return feeds_parse_mt940(buf, len, out, err);
    case FEEDS_CSV:
        return feeds_parse_csv(buf, len, map, out, err);
    default:
        return feeds_fail(err, FEEDS_E_FORMAT, 0, "",
                          "unknown statement format %d", fmt);
    }
}
