/*
 * report_adoption.c: cashless-adoption statistics for one
 * organisation, a province or everything, one fee type or all, over a
 * range of days against the previous range of equal length: shares of
 * payments made cashless by count and by value, payers who paid
 * cashless at least once, stalls with their own account or a standee,
 * a trend series, and one row per organisation. Integers only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "receipt.h"
#include "report_int.h"

#define RANGE_MAX 3660 /* days in one query (ten years) */

/* Payer flags for the distinct-payer counts. */
enum { PAID_CUR = 1, CASHLESS_CUR = 2, PAID_PREV = 4, CASHLESS_PREV = 8 };

/* 0 when every index and amount in d is sound. */
static int check_data(const struct report_adoption_data *d)
{
    if ((d->n_orgs && !d->orgs) || (d->n_payers && !d->payers) ||
        (d->n_payments && !d->payments) || d->n_orgs > UINT32_MAX ||
        d->n_payers > UINT32_MAX)
        return REPORT_E_ARG;
    for (size_t i = 0; i < d->n_payers; i++)
        if (d->payers[i].org >= d->n_orgs)
            return REPORT_E_ARG;
    return 0;
}

static int add_totals(struct report_adoption_totals *a,
                      const struct report_adoption_totals *b)
{
    int rc;

    a->payments += b->payments;
    a->payments_cashless += b->payments_cashless;
    a->payers_registered += b->payers_registered;
    a->payers_paying += b->payers_paying;
    a->payers_cashless += b->payers_cashless;
    a->with_bank_account += b->with_bank_account;
    a->with_standee += b->with_standee;
    a->with_either += b->with_either;
    if ((rc = sum_add(&a->value, b->value)) ||
        (rc = sum_add(&a->value_cashless, b->value_cashless)))
        return rc;
    return 0;
}

static void shares(struct report_adoption_totals *t)
{
    t->share_count = report_permille(t->payments_cashless, t->payments);
    t->share_value = report_permille(t->value_cashless, t->value);
    t->share_payers = report_permille(t->payers_cashless, t->payers_paying);
    t->share_bank_account =
        report_permille(t->with_bank_account, t->payers_registered);
    t->share_standee = report_permille(t->with_standee, t->payers_registered);
    t->share_either = report_permille(t->with_either, t->payers_registered);
}

/* Month number (year * 12 + month - 1) of a day. */
static int64_t month_of(int32_t day)
{
    int y, m, d, h, mi, s;
    receipt_civil((int64_t)day * 86400, &y, &m, &d, &h, &mi, &s);
    return (int64_t)y * 12 + (m - 1);
}

/* The trend buckets of [from, to]: *map gets each day's bucket index. */
static int buckets(const struct report_adoption_query *q,
                   struct report_adoption *a, int32_t **map)
{
    int32_t len = q->to - q->from + 1;
    int32_t *m = malloc((size_t)len * sizeof *m);
    int32_t nb = 0;

    if (!m)
        return REPORT_E_NOMEM;
    for (int32_t i = 0; i < len; i++) {
        int32_t day = q->from + i;
        int fresh =
            i == 0 || (q->bucket == REPORT_BUCKET_DAY) ||
            (q->bucket == REPORT_BUCKET_WEEK && report_weekday(day) == 0) ||
            (q->bucket == REPORT_BUCKET_MONTH &&
             month_of(day) != month_of(day - 1));
        if (fresh)
            nb++;
        m[i] = nb - 1;
    }
    a->trend = calloc((size_t)nb, sizeof *a->trend);
    if (!a->trend) {
        free(m);
        return REPORT_E_NOMEM;
    }
    a->n_trend = (size_t)nb;
    for (int32_t i = 0; i < len; i++) {
        struct report_adoption_point *p = &a->trend[m[i]];
        if (i == 0 || m[i] != m[i - 1])
            p->from = q->from + i;
        p->to = q->from + i;
    }
    *map = m;
    return 0;
}

/* Count one payment into totals t (and the trend point p, if any). */
static int count(struct report_adoption_totals *t,
                 struct report_adoption_point *p,
                 const struct report_payment *pay)
{
    int rc;

    t->payments++;
    if ((rc = sum_add(&t->value, pay->amount)))
        return rc;
    if (pay->cashless) {
        t->payments_cashless++;
        if ((rc = sum_add(&t->value_cashless, pay->amount)))
            return rc;
    }
    if (p) {
        p->payments++;
        if ((rc = sum_add(&p->value, pay->amount)))
            return rc;
        if (pay->cashless) {
            p->payments_cashless++;
            if ((rc = sum_add(&p->value_cashless, pay->amount)))
                return rc;
        }
    }
    return 0;
}

int report_adoption(const struct report_adoption_data *d,
                    const struct report_adoption_query *q,
                    struct report_adoption **out)
{
    struct report_adoption *a = NULL;
    int32_t *map = NULL;
    int32_t *row_of = NULL; /* org index -> row in a->orgs, or -1 */
    uint8_t *flags = NULL;
    int rc;

    if (!d || !q || !out || q->from > q->to ||
        (int64_t)q->to - q->from >= RANGE_MAX ||
        (int64_t)q->from - ((int64_t)q->to - q->from + 1) < INT32_MIN ||
        q->org >= (int64_t)d->n_orgs || q->org < -1 ||
        q->fee >= (int64_t)d->n_fee_types || q->fee < -1 ||
        (unsigned)q->bucket > REPORT_BUCKET_MONTH)
        return REPORT_E_ARG;
    if ((rc = check_data(d)) != 0)
        return rc;
    rc = REPORT_E_NOMEM;
    if (!(a = calloc(1, sizeof *a)))
        return REPORT_E_NOMEM;
    a->q = *q;
    a->prev_to = q->from - 1;
    a->prev_from = q->from - (q->to - q->from + 1);
    if ((rc = buckets(q, a, &map)) != 0)
        goto fail;
    rc = REPORT_E_NOMEM;
    row_of = malloc((d->n_orgs + 1) * sizeof *row_of);
    flags = calloc(d->n_payers + 1, 1);
    if (!row_of || !flags)
        goto fail;
    for (size_t i = 0; i < d->n_orgs; i++) {
        int in = q->org >= 0 ? (size_t)q->org == i
                 : q->province
                     ? d->orgs[i].province &&
                           strcmp(d->orgs[i].province, q->province) == 0
                     : 1;
        row_of[i] = in ? (int32_t)a->n_orgs++ : -1;
    }
    if (!(a->orgs = calloc(a->n_orgs + 1, sizeof *a->orgs)))
        goto fail;
    for (size_t i = 0; i < d->n_orgs; i++)
        if (row_of[i] >= 0)
            a->orgs[row_of[i]].org = (uint32_t)i;

    for (size_t i = 0; i < d->n_payments; i++) {
        const struct report_payment *pay = &d->payments[i];
        if (pay->payer >= d->n_payers || pay->fee >= d->n_fee_types ||
            pay->cashless > 1) {
            rc = REPORT_E_ARG;
            goto fail;
        }
        if (pay->amount <= 0 || pay->amount > MONEY_MAX) {
            rc = REPORT_E_AMOUNT;
            goto fail;
        }
        int32_t row = row_of[d->payers[pay->payer].org];
        if (row < 0 || (q->fee >= 0 && pay->fee != q->fee))
            continue;
        struct report_adoption_org_row *o = &a->orgs[row];
        if (pay->day >= q->from && pay->day <= q->to) {
            rc = count(&o->cur, &a->trend[map[pay->day - q->from]], pay);
            flags[pay->payer] |= PAID_CUR | (pay->cashless ? CASHLESS_CUR : 0);
        } else if (pay->day >= a->prev_from && pay->day <= a->prev_to) {
            rc = count(&o->prev, NULL, pay);
            flags[pay->payer] |=
                PAID_PREV | (pay->cashless ? CASHLESS_PREV : 0);
        } else {
            rc = 0;
        }
        if (rc)
            goto fail;
    }
    for (size_t i = 0; i < d->n_payers; i++) {
        const struct report_payer *p = &d->payers[i];
        int32_t row = row_of[p->org];
        if (row < 0)
            continue;
        struct report_adoption_org_row *o = &a->orgs[row];
        /* Registration is as of now, so both periods share it. */
        for (int k = 0; k < 2; k++) {
            struct report_adoption_totals *t = k ? &o->prev : &o->cur;
            int paid = flags[i] & (k ? PAID_PREV : PAID_CUR);
            int cashless = flags[i] & (k ? CASHLESS_PREV : CASHLESS_CUR);
            t->payers_registered++;
            t->payers_paying += paid != 0;
            t->payers_cashless += cashless != 0;
            t->with_bank_account += p->bank_account != 0;
            t->with_standee += p->standee != 0;
            t->with_either += p->bank_account || p->standee;
        }
    }
    for (size_t r = 0; r < a->n_orgs; r++) {
        if ((rc = add_totals(&a->cur, &a->orgs[r].cur)) ||
            (rc = add_totals(&a->prev, &a->orgs[r].prev)))
            goto fail;
        shares(&a->orgs[r].cur);
        shares(&a->orgs[r].prev);
    }
    shares(&a->cur);
    shares(&a->prev);
    for (size_t i = 0; i < a->n_trend; i++) {
        struct report_adoption_point *p = &a->trend[i];
        p->share_count = report_permille(p->payments_cashless, p->payments);
        p->share_value = report_permille(p->value_cashless, p->value);
    }
    a->change_share_count = a->cur.share_count - a->prev.share_count;
    a->change_share_value = a->cur.share_value - a->prev.share_value;
    a->change_share_payers = a->cur.share_payers - a->prev.share_payers;
    free(map);
    free(row_of);
    free(flags);
    *out = a;
    return 0;
fail:
    free(map);
    free(row_of);
    free(flags);
    report_adoption_free(a);
    return rc;
}

void report_adoption_free(struct report_adoption *a)
{
    if (!a)
        return;
    free(a->trend);
    free(a->orgs);
    free(a);
}

/* --- JSON ------------------------------------------------------------- */

/* A per-mille as a JSON number with one decimal (86.2): the double
 * nearest permille / 10, which report_json_dump prints exactly so. */
static json_t *pct(int32_t permille)
{
    return json_real(permille / 10.0);
}

static json_t *totals_json(const struct report_adoption_totals *t)
{
    return json_pack(
        "{sIsIsIsIsisosIsIsIsisosIsIsIsosososo}", "payments",
        (json_int_t)t->payments, "payments_cashless",
        (json_int_t)t->payments_cashless, "value", (json_int_t)t->value,
        "value_cashless", (json_int_t)t->value_cashless, "share_count_permille",
        (int)t->share_count, "share_count_pct", pct(t->share_count),
        "payers_registered", (json_int_t)t->payers_registered, "payers_paying",
        (json_int_t)t->payers_paying, "payers_cashless",
        (json_int_t)t->payers_cashless, "share_payers_permille",
        (int)t->share_payers, "share_payers_pct", pct(t->share_payers),
        "with_bank_account", (json_int_t)t->with_bank_account, "with_standee",
        (json_int_t)t->with_standee, "with_either", (json_int_t)t->with_either,
        "share_value_pct", pct(t->share_value), "share_bank_account_pct",
        pct(t->share_bank_account), "share_standee_pct", pct(t->share_standee),
        "share_either_pct", pct(t->share_either));
}

json_t *report_adoption_json(const struct report_adoption *a,
                             const struct report_adoption_data *d)
{
    char f[11], t[11], pf[11], pt[11];
    json_t *trend = json_array(), *orgs = json_array(), *o = NULL;

    if (!a || !d || !trend || !orgs)
        goto fail;
    for (size_t i = 0; i < a->n_trend; i++) {
        const struct report_adoption_point *p = &a->trend[i];
        report_day_format(p->from, f);
        report_day_format(p->to, t);
        if (json_array_append_new(
                trend,
                json_pack("{sssssIsIsIsIsisosiso}", "from", f, "to", t,
                          "payments", (json_int_t)p->payments,
                          "payments_cashless", (json_int_t)p->payments_cashless,
                          "value", (json_int_t)p->value, "value_cashless",
                          (json_int_t)p->value_cashless, "share_count_permille",
                          (int)p->share_count, "share_count_pct",
                          pct(p->share_count), "share_value_permille",
                          (int)p->share_value, "share_value_pct",
                          pct(p->share_value))))
            goto fail;
    }
    for (size_t i = 0; i < a->n_orgs; i++) {
        const struct report_org *g = &d->orgs[a->orgs[i].org];
        if (json_array_append_new(
                orgs, json_pack("{sssssoso}", "code", g->code ? g->code : "",
                                "name", g->name ? g->name : "", "current",
                                totals_json(&a->orgs[i].cur), "previous",
                                totals_json(&a->orgs[i].prev))))
            goto fail;
    }
    report_day_format(a->q.from, f);
    report_day_format(a->q.to, t);
    report_day_format(a->prev_from, pf);
    report_day_format(a->prev_to, pt);
    o = json_pack(
        "{s{sosososs}s{sssssi}s{ssss}sosos{sososo}soso}", "scope", "org",
        a->q.org >= 0 ? json_string(d->orgs[a->q.org].code) : json_null(),
        "province", a->q.province ? json_string(a->q.province) : json_null(),
        "fee_type",
        a->q.fee >= 0 && d->fee_types ? json_string(d->fee_types[a->q.fee])
                                      : json_null(),
        "bucket",
        a->q.bucket == REPORT_BUCKET_DAY    ? "day"
        : a->q.bucket == REPORT_BUCKET_WEEK ? "week"
                                            : "month",
        "period", "from", f, "to", t, "days", (int)(a->q.to - a->q.from + 1),
        "previous_period", "from", pf, "to", pt, "current",
        totals_json(&a->cur), "previous", totals_json(&a->prev), "change",
        "share_count_points", pct(a->change_share_count), "share_value_points",
        pct(a->change_share_value), "share_payers_points",
        pct(a->change_share_payers), "trend", trend, "organisations", orgs);
    return o;
fail:
    json_decref(trend);
    json_decref(orgs);
    return NULL;
}

/* --- CSV ------------------------------------------------------------- */

/*
 * A share as a number Excel reads as a percentage ("86.2%" = 0.862): the
 * decimal mark is the one that goes with the file's separator (',' files
 * for '.'-decimal locales, ';' files for vi-VN's ','), no space before
 * '%' and no '+', so that the cell is a number, not text.
 */
static void csv_pct(struct csv *c, int32_t permille)
{
    char b[16];
    report_pct(permille, c->sep == ';', 0, b);
    if (c->sep == ';') { /* "86,2 %" -> "86,2%" */
        size_t n = strlen(b);
        if (n >= 2 && b[n - 2] == ' ')
            memmove(b + n - 2, b + n - 1, 2);
    } else {
        strcat(b, "%");
    }
    csv_field(c, b, 0);
}

static void dmy(int32_t day, char out[11])
{
    char iso[11];
    report_day_format(day, iso);
    snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* A "label, current, previous, change" row of counts or amounts. */
static void count_row(struct csv *c, const char *label, int64_t cur,
                      int64_t prev)
{
    csv_text(c, label);
    csv_int(c, cur);
    csv_int(c, prev);
    csv_int(c, cur - prev); /* both within MONEY_MAX: no overflow */
    csv_end_row(c);
}

static void pct_row(struct csv *c, const char *label, int32_t cur, int32_t prev)
{
    csv_text(c, label);
    csv_pct(c, cur);
    csv_pct(c, prev);
    csv_pct(c, cur - prev);
    csv_end_row(c);
}

int report_adoption_csv(const struct report_adoption *a,
                        const struct report_adoption_data *d,
                        const struct report_csv_opts *o, char **out,
                        size_t *len)
{
    const struct report_adoption_totals *c = a ? &a->cur : NULL,
                                        *p = a ? &a->prev : NULL;
    struct csv v;
    char f[11], t[11], title[300];

    if (!a || !d || !out || !len)
        return REPORT_E_ARG;
    dmy(a->q.from, f);
    dmy(a->q.to, t);
    snprintf(title, sizeof title,
             "Thanh toán không dùng tiền mặt - %s%s%s - từ %s đến %s",
             a->q.org >= 0   ? d->orgs[a->q.org].code
             : a->q.province ? a->q.province
                             : "tất cả đơn vị",
             a->q.fee >= 0 && d->fee_types ? " - " : "",
             a->q.fee >= 0 && d->fee_types ? d->fee_types[a->q.fee] : "", f, t);
    csv_begin(&v, o);
    csv_text(&v, title);
    csv_end_row(&v);
    csv_end_row(&v);
    csv_text(&v, "Chỉ tiêu");
    csv_text(&v, "Kỳ này");
    csv_text(&v, "Kỳ trước");
    csv_text(&v, "Thay đổi");
    csv_end_row(&v);
    count_row(&v, "Số lượt thanh toán", c->payments, p->payments);
    count_row(&v, "Số lượt không dùng tiền mặt", c->payments_cashless,
              p->payments_cashless);
    pct_row(&v, "Tỷ lệ theo số lượt", c->share_count, p->share_count);
    count_row(&v, "Giá trị thanh toán (đồng)", c->value, p->value);
    count_row(&v, "Giá trị không dùng tiền mặt (đồng)", c->value_cashless,
              p->value_cashless);
    pct_row(&v, "Tỷ lệ theo giá trị", c->share_value, p->share_value);
    count_row(&v, "Người nộp đã đăng ký", c->payers_registered,
              p->payers_registered);
    count_row(&v, "Người nộp có thanh toán", c->payers_paying,
              p->payers_paying);
    count_row(&v, "Người nộp đã chuyển khoản ít nhất một lần",
              c->payers_cashless, p->payers_cashless);
    pct_row(&v, "Tỷ lệ người nộp không dùng tiền mặt", c->share_payers,
            p->share_payers);
    count_row(&v, "Có tài khoản ngân hàng riêng", c->with_bank_account,
              p->with_bank_account);
    count_row(&v, "Có bảng mã QR (standee)", c->with_standee, p->with_standee);
    pct_row(&v, "Tỷ lệ có tài khoản hoặc bảng mã QR", c->share_either,
            p->share_either);
    csv_end_row(&v);
    static const char *const org_head[] = {"Mã đơn vị",
                                           "Tên đơn vị",
                                           "Tỉnh/thành",
                                           "Số lượt",
                                           "Không tiền mặt",
                                           "Tỷ lệ theo số lượt",
                                           "Giá trị (đồng)",
                                           "Giá trị không tiền mặt (đồng)",
                                           "Tỷ lệ theo giá trị",
                                           "Người nộp có thanh toán",
                                           "Người nộp chuyển khoản",
                                           "Tỷ lệ người nộp",
                                           "Tỷ lệ kỳ trước (số lượt)"};
    for (size_t i = 0; i < sizeof org_head / sizeof org_head[0]; i++)
        csv_text(&v, org_head[i]);
    csv_end_row(&v);
    for (size_t i = 0; i < a->n_orgs; i++) {
        const struct report_org *g = &d->orgs[a->orgs[i].org];
        const struct report_adoption_totals *x = &a->orgs[i].cur;
        csv_text(&v, g->code);
        csv_text(&v, g->name);
        csv_text(&v, g->province);
        csv_int(&v, x->payments);
        csv_int(&v, x->payments_cashless);
        csv_pct(&v, x->share_count);
        csv_int(&v, x->value);
        csv_int(&v, x->value_cashless);
        csv_pct(&v, x->share_value);
        csv_int(&v, x->payers_paying);
        csv_int(&v, x->payers_cashless);
        csv_pct(&v, x->share_payers);
        csv_pct(&v, a->orgs[i].prev.share_count);
        csv_end_row(&v);
    }
    csv_end_row(&v);
    static const char *const trend_head[] = {"Từ ngày",
                                             "Đến ngày",
                                             "Số lượt",
                                             "Không tiền mặt",
                                             "Tỷ lệ theo số lượt",
                                             "Giá trị (đồng)",
                                             "Giá trị không tiền mặt (đồng)",
                                             "Tỷ lệ theo giá trị"};
    for (size_t i = 0; i < sizeof trend_head / sizeof trend_head[0]; i++)
        csv_text(&v, trend_head[i]);
    csv_end_row(&v);
    for (size_t i = 0; i < a->n_trend; i++) {
        const struct report_adoption_point *x = &a->trend[i];
        /* ISO dates: a date cell in every locale (dd/mm is text or a
         * wrong date in a US-English Excel) */
        report_day_format(x->from, f);
        report_day_format(x->to, t);
        csv_text(&v, f);
        csv_text(&v, t);
        csv_int(&v, x->payments);
        csv_int(&v, x->payments_cashless);
        csv_pct(&v, x->share_count);
        csv_int(&v, x->value);
        csv_int(&v, x->value_cashless);
        csv_pct(&v, x->share_value);
        csv_end_row(&v);
    }
    return csv_finish(&v, out, len);
}
