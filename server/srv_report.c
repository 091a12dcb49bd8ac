/*
 * srv_report.c: the store-to-report glue (see srv_report.h). The store's
 * row structs become the borrowed arrays server/report's pure functions
 * take. Money stays int64_t đồng.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_report.h"
#include "stall_stats.h"

#define VN_OFFSET 25200 /* UTC+7, seconds */

int32_t srv_vn_day(int64_t t)
{
    int64_t v = t + VN_OFFSET;

    return (int32_t)(v >= 0 ? v / 86400 : -((-v + 86399) / 86400));
}

/*
 * The day an invoice falls due: its period when that is a day
 * (YYYY-MM-DD) or a month (YYYY-MM: the 1st), else the day it is dated
 * on (`issued`, YYYY-MM-DD).
 */
static int32_t due_day(const char *period, const char *issued)
{
    char buf[11];
    int32_t d;

    if (report_day_parse(period, &d) == 0)
        return d;
    if (strlen(period) == 7 && period[4] == '-') {
        memcpy(buf, period, 7);
        memcpy(buf + 7, "-01", 4);
        if (report_day_parse(buf, &d) == 0)
            return d;
    }
    if (report_day_parse(issued, &d) == 0)
        return d;
    return INT32_MAX; /* never due: not reported */
}

static enum report_credit_state state_of(const char *dir, const char *state,
                                         const char *outcome, int64_t amount)
{
    if (amount == 0) /* stored as ignored, in either direction */
        return REPORT_IGNORED;
    /* a repeated record of a debit is a duplicate, not a second debit */
    if (strcmp(state, "duplicate") == 0)
        return REPORT_DUPLICATE;
    if (strcmp(dir, "debit") == 0)
        return REPORT_DEBIT;
    if (strcmp(state, "ignored") == 0 || strcmp(state, "rejected") == 0)
        return REPORT_IGNORED;
    if (strcmp(state, "matched") != 0)
        return REPORT_UNMATCHED; /* unmatched, ambiguous: under review */
    if (strcmp(outcome, "partial") == 0)
        return REPORT_MATCHED_PARTIAL;
    if (strcmp(outcome, "over") == 0 || strcmp(outcome, "credit") == 0)
        return REPORT_MATCHED_OVER;
    return REPORT_MATCHED_EXACT;
}

/* Everything the report's input borrows, freed together. */
struct daily_buf {
    struct report_invoice *inv;
    char (*ids)[24];
    struct report_bank_txn *bank;
    struct report_ledger_entry *led;
    struct report_payer_credit *cred;
    struct report_correction *corr;
    char (*corr_ids)[24];
    struct report_balance_point *pts;
    struct report_taking *takings;
    struct report_refund *refunds;
};

static void daily_buf_free(struct daily_buf *b)
{
    free(b->inv);
    free(b->ids);
    free(b->bank);
    free(b->led);
    free(b->cred);
    free(b->corr);
    free(b->corr_ids);
    free(b->pts);
    free(b->takings);
    free(b->refunds);
}

/*
 * The payments `t` (see store.h day_takings) as the report's into a new
 * *out (free()); their strings point into `t`. 0 or -STORE_E_IO.
 */
static int takings_input(const struct store_takings *t,
                         struct report_taking **out)
{
    struct report_taking *r = calloc(t->n + 1, sizeof(*r));
    size_t i;

    if (r == NULL) {
        store_set_error("out_of_memory", "out of memory");
        return -STORE_E_IO;
    }
    for (i = 0; i < t->n; i++) {
        r[i].cash = strcmp(t->rows[i].method, "cash") == 0;
        r[i].amount = t->rows[i].amount;
        r[i].credit = t->rows[i].credit;
        r[i].kiosk = t->rows[i].kiosk;
        r[i].kiosk_name = t->rows[i].kiosk_name;
        r[i].collector = t->rows[i].collector;
    }
    *out = r;
    return 0;
}

/*
 * Turn daily_rows' records `j` (see store.h) into the report's input
 * `in` for `org` and `day`; the arrays go into `b`, their strings point
 * into `j`. 0 or a negated store error.
 */
static int daily_input(const struct store_day_rows *j, const char *org,
                       int32_t day, struct daily_buf *b,
                       struct report_daily_input *in)
{
    size_t i, n, n_pts = 0;
    int rc;

    memset(in, 0, sizeof(*in));
    in->org = org;
    in->day = day;
    n = j->n_invoices;
    b->inv = calloc(n + 1, sizeof(*b->inv));
    b->ids = calloc(n + 1, sizeof(*b->ids));
    if (b->inv == NULL || b->ids == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct store_day_invoice *a = &j->invoices[i];
        struct report_invoice *v = &b->inv[in->n_invoices];

        v->due = due_day(a->period, a->day);
        v->amount = a->amount;
        v->paid_transfer = a->paid_transfer;
        v->paid_cash = a->paid_cash;
        /* the day's invoices and the earlier ones still owed */
        if (v->due > day ||
            (v->due < day && v->paid_transfer + v->paid_cash >= v->amount))
            continue;
        snprintf(b->ids[in->n_invoices], sizeof(b->ids[0]), "%lld",
                 (long long)a->id);
        v->id = b->ids[in->n_invoices];
        v->payer = a->payer;
        in->n_invoices++;
    }
    in->invoices = b->inv;
    n = j->n_bank;
    b->bank = calloc(n + 1, sizeof(*b->bank));
    b->pts = calloc(n + 1, sizeof(*b->pts));
    if (b->bank == NULL || b->pts == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct store_day_bank *a = &j->bank[i];
        int debit = strcmp(a->direction, "debit") == 0;

        b->bank[i].ref = a->ref;
        b->bank[i].amount = a->amount;
        b->bank[i].state =
            state_of(a->direction, a->state, a->outcome, a->amount);
        b->bank[i].late = a->late;
        /* the provider's running balance, of this day's own
           transactions (a late one moved an earlier day's) */
        if (!a->late && a->has_balance) {
            b->pts[n_pts].at = a->booked_at;
            b->pts[n_pts].seq = a->id;
            b->pts[n_pts].amount = debit ? -a->amount : a->amount;
            b->pts[n_pts].balance = a->balance;
            n_pts++;
        }
    }
    in->bank = b->bank;
    in->n_bank = n;
    n = j->n_ledger;
    b->led = calloc(n + 1, sizeof(*b->led));
    if (b->led == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        b->led[i].bank_ref = j->ledger[i].ref;
        b->led[i].amount = j->ledger[i].amount;
        b->led[i].late = j->ledger[i].late;
    }
    in->ledger = b->led;
    in->n_ledger = n;
    n = j->n_credits;
    b->cred = calloc(n + 1, sizeof(*b->cred));
    if (b->cred == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        b->cred[i].payer = j->credits[i].payer;
        b->cred[i].amount = j->credits[i].amount;
    }
    in->credits = b->cred;
    in->n_credits = n;
    n = j->n_corrections;
    b->corr = calloc(n + 1, sizeof(*b->corr));
    b->corr_ids = calloc(n + 1, sizeof(*b->corr_ids));
    if (b->corr == NULL || b->corr_ids == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        const struct store_day_correction *a = &j->corrections[i];
        struct report_correction *k = &b->corr[i];

        snprintf(b->corr_ids[i], sizeof(b->corr_ids[0]), "%lld",
                 (long long)a->id);
        k->id = b->corr_ids[i];
        k->kind = a->kind;
        if (report_day_parse(a->corrects_date, &k->corrects_date) != 0) {
            store_set_error("ledger", "correction %s: bad date", k->id);
            return -STORE_E_IO;
        }
        k->corrects = a->corrects;
        k->amount = a->amount;
        k->payer = a->payer;
        k->reason = a->reason;
    }
    in->corrections = b->corr;
    in->n_corrections = n;
    rc = takings_input(&j->takings, &b->takings);
    if (rc != 0)
        return rc;
    in->takings = b->takings;
    in->n_takings = j->takings.n;
    n = j->n_refunds;
    b->refunds = calloc(n + 1, sizeof(*b->refunds));
    if (b->refunds == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        b->refunds[i].payer = j->refunds[i].payer;
        b->refunds[i].amount = j->refunds[i].amount;
    }
    in->refunds = b->refunds;
    in->n_refunds = n;
    /* the bank-side proof: a statement covering the day wins, else the
       provider's running balance */
    if (j->has_statement) {
        in->balance_source = REPORT_BALANCE_STATEMENT;
        in->bank_opening = j->opening;
        in->bank_closing = j->closing;
    } else if (n_pts > 0) {
        rc = report_provider_balance(b->pts, n_pts, &in->bank_opening,
                                     &in->bank_closing);
        if (rc != 0) {
            store_set_error("report_failed", "provider balance: %s",
                            report_strerror(rc));
            return rc == REPORT_E_NOMEM ? -STORE_E_IO : -STORE_E_OVERFLOW;
        }
        in->balance_source = REPORT_BALANCE_PROVIDER;
    }
    return 0;
nomem:
    store_set_error("out_of_memory", "out of memory");
    return -STORE_E_IO;
}

/* Store error for report_* failure `rc` (its message set). */
static int report_failed(int rc)
{
    store_set_error(rc == REPORT_E_OVERFLOW ? "overflow" : "report_failed",
                    "%s", report_strerror(rc));
    return rc == REPORT_E_NOMEM      ? -STORE_E_IO
           : rc == REPORT_E_OVERFLOW ? -STORE_E_OVERFLOW
                                     : -STORE_E_INVALID;
}

/* The report of records `j` as JSON text (sep 0) or CSV into *out. */
static int render_daily(const struct store_day_rows *j, const char *org,
                        int32_t day, char sep, char **out, size_t *len)
{
    struct report_daily *r = NULL;
    struct report_daily_input in;
    struct daily_buf b;
    int rc;

    memset(&b, 0, sizeof(b));
    rc = daily_input(j, org, day, &b, &in);
    if (rc != 0)
        goto out;
    rc = report_daily(&in, &r);
    if (rc == 0 && sep != 0) {
        struct report_csv_opts o = {sep};

        rc = report_daily_csv(r, &o, out, len);
    } else if (rc == 0) {
        json_t *doc = report_daily_json(r);
        char *text = doc ? report_json_dump(doc) : NULL;

        json_decref(doc);
        if (text == NULL) {
            rc = REPORT_E_NOMEM;
        } else {
            *out = text;
            *len = strlen(text);
        }
    }
    if (rc != 0)
        rc = report_failed(rc);
out:
    /* the report points into `in`: freed together */
    report_daily_free(r);
    daily_buf_free(&b);
    return rc;
}

int srv_report_daily(struct store *st, int64_t org_id, const char *org,
                     const char *date, char sep, char **out, size_t *len)
{
    struct store_day_rows j;
    int32_t day;
    int rc;

    if (report_day_parse(date, &day) != 0) {
        store_set_error("invalid_date", "date: YYYY-MM-DD");
        return -STORE_E_INVALID;
    }
    memset(&j, 0, sizeof(j));
    rc = st->ops->daily_rows(st, org_id, date, &j);
    if (rc == 0)
        rc = render_daily(&j, org, day, sep, out, len);
    store_day_rows_free(&j);
    return rc;
}

int srv_kiosk_totals(struct store *st, int64_t org_id, int64_t kiosk_id,
                     const char *collector, const char *date, json_t **out)
{
    struct report_takings t;
    struct report_taking *in = NULL;
    struct store_takings rows = {NULL, 0};
    json_t *o = NULL, *mine = NULL;
    size_t i;
    int rc;

    memset(&t, 0, sizeof(t));
    rc = st->ops->day_takings(st, org_id, date, &rows);
    if (rc == 0)
        rc = takings_input(&rows, &in);
    if (rc == 0 && (rc = report_takings(in, rows.n, &t)) != 0)
        rc = report_failed(rc);
    if (rc != 0)
        goto out;
    o = report_takings_json(&t);
    mine = json_pack("{s:{s:I, s:I}, s:{s:I, s:I}, s:I}", "transfer", "count",
                     (json_int_t)0, "amount", (json_int_t)0, "cash", "count",
                     (json_int_t)0, "amount", (json_int_t)0, "id",
                     (json_int_t)kiosk_id);
    for (i = 0; mine != NULL && i < t.n_kiosks; i++) {
        json_t *k = json_array_get(json_object_get(o, "by_kiosk"), i);

        if (t.kiosks[i].kiosk == kiosk_id) {
            json_object_set(mine, "transfer", json_object_get(k, "transfer"));
            json_object_set(mine, "cash", json_object_get(k, "cash"));
        }
    }
    if (o == NULL || mine == NULL ||
        json_object_set_new(o, "kiosk", mine) != 0) {
        if (o == NULL)
            json_decref(mine);
        json_decref(o);
        o = NULL;
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    if (collector != NULL) {
        struct report_sum c = {0, 0};

        /* the collector's cash at every kiosk of the organisation */
        for (i = 0; i < t.n_collectors; i++)
            if (strcmp(t.collectors[i].collector, collector) == 0) {
                c.count += t.collectors[i].cash.count;
                c.amount += t.collectors[i].cash.amount;
            }
        json_object_set_new(o, "collector",
                            json_pack("{s:s, s:{s:I, s:I}}", "name", collector,
                                      "cash", "count", (json_int_t)c.count,
                                      "amount", (json_int_t)c.amount));
    }
    json_object_set_new(o, "date", json_string(date));
    *out = o;
out:
    report_takings_clear(&t);
    free(in);
    store_takings_free(&rows);
    return rc;
}

#define FEE_TYPES_MAX 1024

/* What srv_report_adoption collects from the store's scan. */
struct adopt {
    struct report_org *orgs; /* their strings are owned */
    int64_t *org_ids;        /* ascending */
    size_t n_orgs, cap_orgs, cap_org_ids;
    struct report_payer *payers;
    int64_t *payer_ids; /* ascending */
    size_t n_payers, cap_payers, cap_payer_ids;
    int32_t *payer_at; /* payer id -> index + 1 (0: none), when dense */
    int64_t payer_max; /* size of payer_at */
    int64_t *fee_ids;  /* ascending */
    uint16_t *fee_of;  /* their index into names */
    size_t n_fee_ids, cap_fee_ids, cap_fee_of;
    const char **names; /* distinct fee codes (owned copies) */
    size_t n_names;
    struct report_payment *pays;
    size_t n_pays, cap_pays;
};

/* `ptr` (elements of `size`, room for *cap) with room for more than `n`:
 * itself, a larger block, or NULL on no memory (`ptr` then stays). */
static void *grow(void *ptr, size_t *cap, size_t n, size_t size)
{
    void *np;
    size_t c;

    if (n < *cap)
        return ptr;
    c = *cap ? *cap * 2 : 256;
    if (c > SIZE_MAX / size || (np = realloc(ptr, c * size)) == NULL)
        return NULL;
    *cap = c;
    return np;
}

/* Make room in array `arr` (capacity `cap`) for element `n`: 0 or -1. */
#define GROW(arr, cap, n)                                                      \
    ((tmp = grow((arr), &(cap), (n), sizeof(*(arr)))) != NULL                  \
         ? ((arr) = tmp, 0)                                                    \
         : -1)

/* Index of `id` in ascending ids[0..n), or -1. */
static long find_id(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (ids[mid] == id)
            return (long)mid;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Index of fee `code` in names (adding a copy); -1 when full or no
 * memory. */
static int fee_index(struct adopt *a, const char *code)
{
    size_t i;
    char *dup;

    for (i = 0; i < a->n_names; i++)
        if (strcmp(a->names[i], code) == 0)
            return (int)i;
    if (a->n_names >= FEE_TYPES_MAX || (dup = strdup(code)) == NULL)
        return -1;
    a->names[a->n_names] = dup;
    return (int)a->n_names++;
}

static int on_org(void *ctx, int64_t id, const char *code, const char *name,
                  const char *province)
{
    struct adopt *a = ctx;
    struct report_org *o;
    void *tmp;

    if (GROW(a->orgs, a->cap_orgs, a->n_orgs) != 0 ||
        GROW(a->org_ids, a->cap_org_ids, a->n_orgs) != 0)
        return -STORE_E_IO;
    o = &a->orgs[a->n_orgs];
    o->code = strdup(code);
    o->name = strdup(name);
    o->province = strdup(province);
    a->org_ids[a->n_orgs++] = id;
    if (o->code == NULL || o->name == NULL || o->province == NULL) {
        store_set_error("out_of_memory", "out of memory");
        return -STORE_E_IO;
    }
    return 0;
}

static int on_payer(void *ctx, int64_t id, int64_t org_id, int has_account,
                    int has_standee)
{
    struct adopt *a = ctx;
    long k = find_id(a->org_ids, a->n_orgs, org_id);
    void *tmp;

    if (GROW(a->payers, a->cap_payers, a->n_payers) != 0 ||
        GROW(a->payer_ids, a->cap_payer_ids, a->n_payers) != 0)
        return -STORE_E_IO;
    a->payers[a->n_payers].org = k < 0 ? 0 : (uint32_t)k;
    a->payers[a->n_payers].bank_account = has_account != 0;
    a->payers[a->n_payers].standee = has_standee != 0;
    a->payer_ids[a->n_payers++] = id;
    return 0;
}

static int on_fee(void *ctx, int64_t id, const char *code)
{
    struct adopt *a = ctx;
    int f = fee_index(a, code);
    void *tmp;

    if (f < 0) {
        store_set_error("too_many_fee_types", "more than %d fee types",
                        FEE_TYPES_MAX);
        return -STORE_E_INVALID;
    }
    if (GROW(a->fee_ids, a->cap_fee_ids, a->n_fee_ids) != 0 ||
        GROW(a->fee_of, a->cap_fee_of, a->n_fee_ids) != 0)
        return -STORE_E_IO;
    a->fee_ids[a->n_fee_ids] = id;
    a->fee_of[a->n_fee_ids++] = (uint16_t)f;
    return 0;
}

/* The index of payer `id`, or -1 (an inactive payer's payment). */
static long payer_index(struct adopt *a, int64_t id)
{
    if (a->payer_at == NULL && a->n_payers > 0 &&
        a->payer_ids[a->n_payers - 1] < (int64_t)a->n_payers * 8 + 4096) {
        /* ids are dense: a direct table instead of a search per payment */
        size_t i;

        a->payer_max = a->payer_ids[a->n_payers - 1] + 1;
        a->payer_at = calloc((size_t)a->payer_max, sizeof(*a->payer_at));
        for (i = 0; a->payer_at != NULL && i < a->n_payers; i++)
            a->payer_at[a->payer_ids[i]] = (int32_t)i + 1;
    }
    if (a->payer_at != NULL)
        return id >= 0 && id < a->payer_max ? (long)a->payer_at[id] - 1 : -1;
    return find_id(a->payer_ids, a->n_payers, id);
}

static int on_payment(void *ctx, int64_t payer_id, int32_t day, int64_t amount,
                      int cashless, int64_t fee_id)
{
    struct adopt *a = ctx;
    long k = payer_index(a, payer_id), f = 0;
    struct report_payment *p;
    void *tmp;

    if (k < 0)
        return 0;
    if (fee_id != 0) {
        f = find_id(a->fee_ids, a->n_fee_ids, fee_id);
        f = f < 0 ? 0 : a->fee_of[f];
    }
    if (GROW(a->pays, a->cap_pays, a->n_pays) != 0)
        return -STORE_E_IO;
    p = &a->pays[a->n_pays++];
    p->payer = (uint32_t)k;
    p->day = day;
    p->amount = amount;
    p->fee = (uint16_t)f;
    p->cashless = cashless != 0;
    return 0;
}

static void adopt_free(struct adopt *a)
{
    size_t i;

    for (i = 0; i < a->n_orgs; i++) {
        free((char *)a->orgs[i].code);
        free((char *)a->orgs[i].name);
        free((char *)a->orgs[i].province);
    }
    for (i = 0; i < a->n_names; i++)
        free((char *)a->names[i]);
    free(a->orgs);
    free(a->org_ids);
    free(a->payers);
    free(a->payer_ids);
    free(a->payer_at);
    free(a->fee_ids);
    free(a->fee_of);
    free(a->names);
    free(a->pays);
}

int srv_report_adoption(struct store *st, const struct srv_adoption_req *rq,
                        char **out, size_t *len)
{
    struct report_adoption_data d;
    struct report_adoption_query q;
    struct report_adoption *res = NULL;
    struct store_adoption_sink k = {NULL, on_org, on_payer, on_fee, on_payment};
    struct adopt a;
    char from[11], to[11];
    int32_t prev_from;
    int rc;

    if (rq->from > rq->to || rq->to - rq->from > 3660) {
        store_set_error("invalid_range", "from must not be after to, and a"
                                         " range is at most 10 years");
        return -STORE_E_INVALID;
    }
    memset(&a, 0, sizeof(a));
    memset(&q, 0, sizeof(q));
    a.names = calloc(FEE_TYPES_MAX, sizeof(*a.names));
    if (a.names == NULL)
        goto nomem;
    /* index 0: payments that only went to credit; then the fee asked for,
       a known type even with no payments */
    if (fee_index(&a, "") != 0 ||
        (rq->fee != NULL && (q.fee = fee_index(&a, rq->fee)) < 0))
        goto nomem;
    if (rq->fee == NULL)
        q.fee = -1;
    prev_from = rq->from - (rq->to - rq->from + 1);
    report_day_format(prev_from, from);
    report_day_format(rq->to, to);
    k.ctx = &a;
    if (rq->fee == NULL)
        k.fee = NULL; /* every fee type: the store need not look them up */
    rc = st->ops->adoption_scan(st, rq->org_id, rq->province, from, to, &k);
    if (rc != 0)
        goto out;
    if (rq->org_id != 0 && a.n_orgs == 0) {
        store_set_error("org_not_found", "no such organisation");
        rc = -STORE_E_NOT_FOUND;
        goto out;
    }
    d.orgs = a.orgs;
    d.n_orgs = a.n_orgs;
    d.payers = a.payers;
    d.n_payers = a.n_payers;
    d.payments = a.pays;
    d.n_payments = a.n_pays;
    d.fee_types = a.names;
    d.n_fee_types = a.n_names;
    q.province = rq->province;
    q.org = rq->org_id != 0 ? 0 : -1;
    q.from = rq->from;
    q.to = rq->to;
    q.bucket = rq->bucket;
    rc = report_adoption(&d, &q, &res);
    if (rc == 0 && rq->sep != 0) {
        struct report_csv_opts o = {rq->sep};

        rc = report_adoption_csv(res, &d, &o, out, len);
        if (rc == 0 && (rc = stall_stats_csv(st, rq, out, len)) != 0) {
            free(*out);
            *out = NULL;
            goto out;
        }
    } else if (rc == 0) {
        json_t *doc = report_adoption_json(res, &d);
        char *text;

        if (doc != NULL && (rc = stall_stats_json(st, rq, doc)) != 0) {
            json_decref(doc);
            goto out;
        }
        text = doc ? report_json_dump(doc) : NULL;

        json_decref(doc);
        if (text == NULL)
            goto nomem;
        *out = text;
        *len = strlen(text);
    }
    if (rc != 0)
        rc = report_failed(rc);
    goto out;
nomem:
    store_set_error("out_of_memory", "out of memory");
    rc = -STORE_E_IO;
out:
    report_adoption_free(res);
    adopt_free(&a);
    return rc;
}

/*
 * A day closed before corrections existed (version 1) stored a report
 * whose bank side alone is frozen: 0 when the stored figures of that
 * part (the bank section's keys as stored, the ledger and transaction
 * movements) are those of report `now`.
 */
static int v1_same(const char *stored, const char *now)
{
    json_t *a = json_loads(stored, 0, NULL), *b = json_loads(now, 0, NULL);
    json_t *ab = json_object_get(a, "bank"), *bb = json_object_get(b, "bank");
    const char *key;
    json_t *v;
    int same = a != NULL && b != NULL && json_is_object(ab);

    json_object_foreach(ab, key, v)
    {
        if (!json_equal(v, json_object_get(bb, key)))
            same = 0;
    }
    if (same)
        same = json_equal(json_object_get(json_object_get(a, "proof"),
                                          "ledger_movement"),
                          json_object_get(json_object_get(b, "proof"),
                                          "ledger_movement")) &&
               json_equal(json_object_get(json_object_get(a, "proof"),
                                          "transaction_movement"),
                          json_object_get(json_object_get(b, "proof"),
                                          "transaction_movement"));
    json_decref(a);
    json_decref(b);
    return same ? 0 : -1;
}

/*
 * 0 when JSON texts `a` (stored by a close of `version`) and `b` (the
 * report now) hold the same value. A day closed before the report
 * summed the day's payments (version 2) stored no "takings", "refunds"
 * or "unresolved": those are left out of the comparison.
 */
static int json_same(int64_t version, const char *a, const char *b)
{
    json_t *x = json_loads(a, 0, NULL), *y = json_loads(b, 0, NULL);
    int same;

    if (version < 3 && y != NULL) {
        json_object_del(y, "takings");
        json_object_del(y, "refunds");
        json_object_del(y, "unresolved");
    }
    same = x != NULL && y != NULL && json_equal(x, y);

    json_decref(x);
    json_decref(y);
    return same ? 0 : -1;
}

int srv_day_close(struct store *st, int64_t org_id, const char *org,
                  const char *date, const char *force_reason, const char *actor,
                  struct store_day_closed *out, char **totals)
{
    char *text = NULL;
    size_t len = 0;
    int32_t day;
    int rc = 0, attempt;

    if (report_day_parse(date, &day) != 0) {
        store_set_error("invalid_date", "date: YYYY-MM-DD");
        return -STORE_E_INVALID;
    }
    if (day > srv_vn_day((int64_t)time(NULL))) {
        store_set_error("future_day", "%s has not ended yet", date);
        return -STORE_E_INVALID;
    }
    /* the totals are computed from records the close then checks under
       its write lock (their digest): written meanwhile, compute again */
    for (attempt = 0; attempt < 8; attempt++) {
        struct store_day_rows j;

        memset(&j, 0, sizeof(j));
        rc = st->ops->daily_rows(st, org_id, date, &j);
        if (rc == 0)
            rc = render_daily(&j, org, day, 0, &text, &len);
        if (rc == 0)
            rc = st->ops->day_close(st, org_id, date, text, j.digest,
                                    force_reason, actor, (int64_t)time(NULL),
                                    out);
        store_day_rows_free(&j);
        if (rc == -STORE_E_CONFLICT &&
            strcmp(store_error_code(), "changed_while_closing") == 0) {
            free(text);
            text = NULL;
            continue;
        }
        break;
    }
    if (rc == 0)
        *totals = text;
    else
        free(text);
    return rc;
}

/*
 * Check closed day `d`: 0, -STORE_E_CONFLICT with what broke in
 * store_error_message(), or another store error.
 */
static int close_verify_one(struct store *st, const struct store_close_row *d)
{
    char *now = NULL;
    size_t len = 0;
    int rc;

    if (strcmp(d->audit_head, d->audit_now) != 0) {
        store_set_error("audit_broken",
                        "closed day %s %s: audit entry %lld no longer"
                        " has the hash stored at closing",
                        d->org, d->date, (long long)d->audit_id);
        return -STORE_E_CONFLICT;
    }
    /* recomputed from the records dated that day and the bank side its
       close froze: corrections are dated later, so the whole report
       must be what was stored */
    rc = srv_report_daily(st, d->org_id, d->org, d->date, 0, &now, &len);
    if (rc != 0)
        return rc;
    if ((d->version >= 2 ? json_same(d->version, d->totals, now)
                         : v1_same(d->totals, now)) != 0) {
        store_set_error("closed_day_changed",
                        "closed day %s %s: its figures recomputed from"
                        " the records differ from those stored at"
                        " closing",
                        d->org, d->date);
        rc = -STORE_E_CONFLICT;
    }
    free(now);
    return rc;
}

/*
 * Recompute every closed day. `stop`: the first broken day ends the walk
 * with its error (each good day named on `log`); otherwise broken days
 * are counted in *n_broken (their detail on `log`) and only an I/O error
 * ends it.
 */
static int closes_walk(struct store *st, FILE *log, int stop, int64_t *n_days,
                       int64_t *n_broken)
{
    struct store_close_list rows = {NULL, 0};
    int64_t broken = 0;
    size_t i;
    int rc;

    rc = st->ops->day_closes(st, &rows);
    if (rc != 0)
        return rc;
    for (i = 0; i < rows.n; i++) {
        rc = close_verify_one(st, &rows.rows[i]);
        if (rc != 0 && (stop || rc == -STORE_E_IO))
            break;
        if (rc != 0) {
            broken++;
            if (log != NULL)
                fprintf(log, "%s\n", store_error_message());
            rc = 0;
        } else if (stop && log != NULL) {
            const char *why = rows.rows[i].force_reason;

            fprintf(log, "closed day %s %s: ok%s%s%s\n", rows.rows[i].org,
                    rows.rows[i].date, why != NULL ? " (forced: " : "",
                    why != NULL ? why : "", why != NULL ? ")" : "");
        }
    }
    if (rc == 0) {
        *n_days = (int64_t)rows.n;
        *n_broken = broken;
    }
    store_close_list_free(&rows);
    return rc;
}

int srv_closes_verify(struct store *st, FILE *log, int64_t *n_days)
{
    int64_t broken;

    return closes_walk(st, log, 1, n_days, &broken);
}

int srv_closes_check(struct store *st, FILE *log, int64_t *n_days,
                     int64_t *n_broken)
{
    return closes_walk(st, log, 0, n_days, n_broken);
}
