/*
 * stall_stats.c: the shopper side of the adoption statistics: per stall,
 * market and province and per day, the stalls with a standee, with a
 * linked feed of their own, with at least one cashless payment from a
 * shopper in the period, and the count and value of those payments per
 * active stall per day; beside the fee-based figures in the JSON answer
 * and the CSV export.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stall_feeds.h"
#include "stall_stats.h"

/* Totals of one scope (all, a market, a province). */
struct side_totals {
    int64_t stalls, standee, linked, active, payments, amount;
};

static void add_row(struct side_totals *t, const struct stall_side *s)
{
    t->stalls++;
    t->standee += s->standee;
    t->linked += s->linked;
    t->active += s->payments > 0;
    t->payments += s->payments;
    t->amount += s->amount;
}

/* Per active stall per day over `days` days: payments in hundredths and
 * whole đồng (rounded down); 0 without an active stall. */
static void per_stall_day(const struct side_totals *t, int64_t days,
                          int64_t *pay_x100, int64_t *amount)
{
    int64_t d = t->active * days;

    *pay_x100 = d > 0 ? t->payments * 100 / d : 0;
    *amount = d > 0 ? t->amount / d : 0;
}

static json_t *totals_json(const struct side_totals *t, int64_t days)
{
    int64_t px, am;

    per_stall_day(t, days, &px, &am);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:{s:o, s:I}}", "stalls",
                     (json_int_t)t->stalls, "with_standee",
                     (json_int_t)t->standee, "with_feed", (json_int_t)t->linked,
                     "active", (json_int_t)t->active, "payments",
                     (json_int_t)t->payments, "amount", (json_int_t)t->amount,
                     "per_active_stall_day", "payments",
                     json_real((double)px / 100.0), "amount", (json_int_t)am);
}

/* The scopes' totals: everything, per market (by id), per province. */
struct side {
    struct side_totals all;  /* every stall in scope */
    struct stall_side *rows; /* the stalls */
    size_t n;                /* their count */
    struct stall_day *days;  /* per day */
    size_t n_days;           /* their count */
    int64_t period;          /* days in the period */
    char from[11], to[11];   /* the period */
};

static int side_load(struct store *st, const struct srv_adoption_req *rq,
                     struct side *s)
{
    size_t i;
    int rc;

    memset(s, 0, sizeof(*s));
    report_day_format(rq->from, s->from);
    report_day_format(rq->to, s->to);
    s->period = (int64_t)rq->to - rq->from + 1;
    rc = stall_sides(st, rq->org_id, rq->province, s->from, s->to, &s->rows,
                     &s->n);
    if (rc == 0)
        rc = stall_day_totals(st, rq->org_id, rq->province, s->from, s->to,
                              &s->days, &s->n_days);
    for (i = 0; rc == 0 && i < s->n; i++)
        add_row(&s->all, &s->rows[i]);
    return rc;
}

static void side_free(struct side *s)
{
    free(s->rows);
    free(s->days);
}

/* The totals of rows whose market is `org` (org != 0) or whose province
 * is `prov`. */
static void scope_totals(const struct side *s, int64_t org, const char *prov,
                         struct side_totals *t)
{
    size_t i;

    memset(t, 0, sizeof(*t));
    for (i = 0; i < s->n; i++)
        if (org != 0 ? s->rows[i].org_id == org
                     : strcmp(s->rows[i].province, prov) == 0)
            add_row(t, &s->rows[i]);
}

int stall_stats_json(struct store *st, const struct srv_adoption_req *rq,
                     json_t *doc)
{
    struct side s;
    json_t *o, *orgs, *provs, *days, *codes;
    size_t i, j;
    int rc;

    rc = side_load(st, rq, &s);
    if (rc != 0) {
        side_free(&s);
        return rc;
    }
    o = totals_json(&s.all, s.period);
    json_object_set_new(o, "label",
                        json_string("Tiền khách trả thẳng cho sạp (nguồn báo"
                                    " tiền của sạp, không qua ban quản lý)"));
    json_object_set_new(o, "from", json_string(s.from));
    json_object_set_new(o, "to", json_string(s.to));
    /* per market, by the org ids in the order the stalls came */
    orgs = json_array();
    provs = json_array();
    codes = json_object();
    for (i = 0; i < s.n; i++) {
        struct side_totals t;
        char key[32];
        json_t *one;

        snprintf(key, sizeof(key), "o%lld", (long long)s.rows[i].org_id);
        if (json_object_get(codes, key) == NULL) {
            json_object_set_new(codes, key, json_true());
            scope_totals(&s, s.rows[i].org_id, NULL, &t);
            one = totals_json(&t, s.period);
            json_object_set_new(one, "org", json_string(s.rows[i].org));
            json_object_set_new(one, "province",
                                json_string(s.rows[i].province));
            json_array_append_new(orgs, one);
        }
        for (j = 0;
             j < i && strcmp(s.rows[j].province, s.rows[i].province) != 0; j++)
            ;
        if (j == i) {
            scope_totals(&s, 0, s.rows[i].province, &t);
            one = totals_json(&t, s.period);
            json_object_set_new(one, "province",
                                json_string(s.rows[i].province));
            json_array_append_new(provs, one);
        }
    }
    json_decref(codes);
    days = json_array();
    for (i = 0; i < s.n_days; i++)
        json_array_append_new(
            days, json_pack("{s:s, s:I, s:I, s:I}", "day", s.days[i].day,
                            "active", (json_int_t)s.days[i].stalls, "payments",
                            (json_int_t)s.days[i].payments, "amount",
                            (json_int_t)s.days[i].amount));
    json_object_set_new(o, "by_org", orgs);
    json_object_set_new(o, "by_province", provs);
    json_object_set_new(o, "by_day", days);
    json_object_set_new(doc, "shopper_side", o);
    side_free(&s);
    return 0;
}

/* Append one CSV line of totals, the first field `name`. */
static void csv_totals(FILE *f, char sep, const char *name,
                       const struct side_totals *t, int64_t days)
{
    int64_t px, am;

    per_stall_day(t, days, &px, &am);
    fprintf(f,
            "\"%s\"%c%lld%c%lld%c%lld%c%lld%c%lld%c%lld%c%lld.%02lld%c%lld\r\n",
            name, sep, (long long)t->stalls, sep, (long long)t->standee, sep,
            (long long)t->linked, sep, (long long)t->active, sep,
            (long long)t->payments, sep, (long long)t->amount, sep,
            (long long)(px / 100), (long long)(px % 100), sep, (long long)am);
}

int stall_stats_csv(struct store *st, const struct srv_adoption_req *rq,
                    char **out, size_t *len)
{
    struct side s;
    char *buf = NULL, sep = rq->sep;
    size_t blen = 0, i, j;
    FILE *f;
    int rc;

    rc = side_load(st, rq, &s);
    if (rc != 0) {
        side_free(&s);
        return rc;
    }
    f = open_memstream(&buf, &blen);
    if (f == NULL) {
        side_free(&s);
        store_set_error("out_of_memory", "out of memory");
        return -STORE_E_IO;
    }
    fwrite(*out, 1, *len, f);
    fprintf(f,
            "\r\n\"Tiền khách trả thẳng cho sạp (nguồn báo tiền của sạp,"
            " %s đến %s)\"\r\n",
            s.from, s.to);
    fprintf(f,
            "\"Phạm vi\"%c\"Số sạp\"%c\"Sạp có standee\"%c\"Sạp có nguồn"
            " báo tiền\"%c\"Sạp nhận ≥1 thanh toán\"%c\"Số thanh toán của"
            " khách\"%c\"Giá trị (đồng)\"%c\"Số thanh toán / sạp hoạt động"
            " / ngày\"%c\"Giá trị / sạp hoạt động / ngày (đồng)\"\r\n",
            sep, sep, sep, sep, sep, sep, sep, sep);
    csv_totals(f, sep, "Tổng", &s.all, s.period);
    for (i = 0; i < s.n; i++) {
        struct side_totals t;
        char name[128];

        for (j = 0;
             j < i && strcmp(s.rows[j].province, s.rows[i].province) != 0; j++)
            ;
        if (j == i && rq->org_id == 0) {
            scope_totals(&s, 0, s.rows[i].province, &t);
            snprintf(name, sizeof(name), "Tỉnh %s", s.rows[i].province);
            csv_totals(f, sep, name, &t, s.period);
        }
    }
    for (i = 0; i < s.n; i++) {
        struct side_totals t;
        char name[64];

        for (j = 0; j < i && s.rows[j].org_id != s.rows[i].org_id; j++)
            ;
        if (j == i) {
            scope_totals(&s, s.rows[i].org_id, NULL, &t);
            snprintf(name, sizeof(name), "Chợ %s", s.rows[i].org);
            csv_totals(f, sep, name, &t, s.period);
        }
    }
    fprintf(f,
            "\r\n\"Ngày\"%c\"Sạp nhận tiền\"%c\"Số thanh toán của"
            " khách\"%c\"Giá trị (đồng)\"\r\n",
            sep, sep, sep);
    for (i = 0; i < s.n_days; i++)
        fprintf(f, "%s%c%lld%c%lld%c%lld\r\n", s.days[i].day, sep,
                (long long)s.days[i].stalls, sep, (long long)s.days[i].payments,
                sep, (long long)s.days[i].amount);
    side_free(&s);
    if (fclose(f) != 0 || buf == NULL) {
        free(buf);
        store_set_error("out_of_memory", "out of memory");
        return -STORE_E_IO;
    }
    free(*out);
    *out = buf;
    *len = blen;
    return 0;
}
