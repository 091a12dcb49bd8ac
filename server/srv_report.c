/*
 * srv_report.c: the store-to-report glue (see srv_report.h). The store
 * returns rows as JSON arrays; here they become the borrowed arrays
 * server/report's pure functions take. Money stays int64_t đồng.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "srv_report.h"

#define VN_OFFSET 25200 /* UTC+7, seconds */

int32_t srv_vn_day(int64_t t)
{
    int64_t v = t + VN_OFFSET;

    return (int32_t)(v >= 0 ? v / 86400 : -((-v + 86399) / 86400));
}

/* Row `i` column `k` as integer / string ("" for anything else). */
static int64_t ci(json_t *rows, size_t i, size_t k)
{
    return json_integer_value(json_array_get(json_array_get(rows, i), k));
}

static const char *cs(json_t *rows, size_t i, size_t k)
{
    const char *s =
        json_string_value(json_array_get(json_array_get(rows, i), k));

    return s ? s : "";
}

/*
 * The day an invoice falls due: its period when that is a day
 * (YYYY-MM-DD) or a month (YYYY-MM: the 1st), else the day it was
 * issued (Vietnam time).
 */
static int32_t due_day(const char *period, int64_t created_at)
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
    return srv_vn_day(created_at);
}

static enum report_credit_state state_of(const char *dir, const char *state,
                                         const char *outcome)
{
    if (strcmp(dir, "debit") == 0)
        return REPORT_DEBIT;
    if (strcmp(state, "duplicate") == 0)
        return REPORT_DUPLICATE;
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

int srv_report_daily(struct store *st, int64_t org_id, const char *org,
                     const char *date, char sep, char **out, size_t *len)
{
    return srv_report_daily_asof(st, org_id, org, date, INT64_MAX, sep, out,
                                 len);
}

int srv_report_daily_asof(struct store *st, int64_t org_id, const char *org,
                          const char *date, int64_t asof, char sep, char **out,
                          size_t *len)
{
    struct report_daily *r = NULL;
    struct report_daily_input in;
    struct report_invoice *inv = NULL;
    struct report_bank_txn *bank = NULL;
    struct report_ledger_entry *led = NULL;
    struct report_payer_credit *cred = NULL;
    char(*ids)[24] = NULL;
    json_t *j = NULL, *a;
    int32_t day;
    int64_t t0;
    size_t i, n;
    int rc;

    if (report_day_parse(date, &day) != 0) {
        store_set_error("invalid_date", "date: YYYY-MM-DD");
        return -STORE_E_INVALID;
    }
    t0 = (int64_t)day * 86400 - VN_OFFSET;
    rc = st->ops->daily_rows(st, org_id, date, t0, t0 + 86400, asof, &j);
    if (rc != 0)
        return rc;
    memset(&in, 0, sizeof(in));
    in.org = org;
    in.day = day;
    a = json_object_get(j, "invoices");
    n = json_array_size(a);
    inv = calloc(n + 1, sizeof(*inv));
    ids = calloc(n + 1, sizeof(*ids));
    if (inv == NULL || ids == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        struct report_invoice *v = &inv[in.n_invoices];

        v->due = due_day(cs(a, i, 2), ci(a, i, 3));
        v->amount = ci(a, i, 4);
        v->paid_transfer = ci(a, i, 5);
        v->paid_cash = ci(a, i, 6);
        /* the day's invoices and the earlier ones still owed */
        if (v->due > day ||
            (v->due < day && v->paid_transfer + v->paid_cash >= v->amount))
            continue;
        snprintf(ids[in.n_invoices], sizeof(ids[0]), "%lld",
                 (long long)ci(a, i, 0));
        v->id = ids[in.n_invoices];
        v->payer = cs(a, i, 1);
        in.n_invoices++;
    }
    in.invoices = inv;
    a = json_object_get(j, "bank");
    n = json_array_size(a);
    bank = calloc(n + 1, sizeof(*bank));
    if (bank == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        bank[i].ref = cs(a, i, 0);
        bank[i].amount = ci(a, i, 1);
        bank[i].state = state_of(cs(a, i, 2), cs(a, i, 3), cs(a, i, 4));
    }
    in.bank = bank;
    in.n_bank = n;
    a = json_object_get(j, "ledger");
    n = json_array_size(a);
    led = calloc(n + 1, sizeof(*led));
    if (led == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        led[i].bank_ref = cs(a, i, 0);
        led[i].amount = ci(a, i, 1);
    }
    in.ledger = led;
    in.n_ledger = n;
    a = json_object_get(j, "credits");
    n = json_array_size(a);
    cred = calloc(n + 1, sizeof(*cred));
    if (cred == NULL)
        goto nomem;
    for (i = 0; i < n; i++) {
        cred[i].payer = cs(a, i, 0);
        cred[i].amount = ci(a, i, 1);
    }
    in.credits = cred;
    in.n_credits = n;
    a = json_object_get(j, "statement");
    if (json_is_array(a)) {
        in.balance_source = REPORT_BALANCE_STATEMENT;
        in.bank_opening = json_integer_value(json_array_get(a, 0));
        in.bank_closing = json_integer_value(json_array_get(a, 1));
    }
    rc = report_daily(&in, &r);
    if (rc == 0 && sep != 0) {
        struct report_csv_opts o = {sep};

        rc = report_daily_csv(r, &o, out, len);
    } else if (rc == 0) {
        json_t *doc = report_daily_json(r);
        char *text = doc ? report_json_dump(doc) : NULL;

        json_decref(doc);
        if (text == NULL)
            goto nomem;
        *out = text;
        *len = strlen(text);
    }
    if (rc != 0) {
        store_set_error(rc == REPORT_E_OVERFLOW ? "overflow" : "report_failed",
                        "%s", report_strerror(rc));
        rc = rc == REPORT_E_NOMEM      ? -STORE_E_IO
             : rc == REPORT_E_OVERFLOW ? -STORE_E_OVERFLOW
                                       : -STORE_E_INVALID;
    }
    goto out;
nomem:
    store_set_error("out_of_memory", "out of memory");
    rc = -STORE_E_IO;
out:
    /* the report's item list points into `in`: freed together */
    report_daily_free(r);
    free(inv);
    free(ids);
    free(bank);
    free(led);
    free(cred);
    json_decref(j);
    return rc;
}

/* Index of `id` in the ascending ids of rows (column 0), or -1. */
static long find_id(json_t *rows, int64_t id)
{
    size_t lo = 0, hi = json_array_size(rows);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t v = ci(rows, mid, 0);

        if (v == id)
            return (long)mid;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Index of fee `code` in names (adding it); -1 when full. */
static int fee_index(const char **names, size_t *n, size_t cap,
                     const char *code)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (strcmp(names[i], code) == 0)
            return (int)i;
    if (*n >= cap)
        return -1;
    names[*n] = code;
    return (int)(*n)++;
}

#define FEE_TYPES_MAX 1024

int srv_report_adoption(struct store *st, const struct srv_adoption_req *rq,
                        char **out, size_t *len)
{
    struct report_adoption_data d;
    struct report_adoption_query q;
    struct report_adoption *res = NULL;
    struct report_org *orgs = NULL;
    struct report_payer *payers = NULL;
    struct report_payment *pays = NULL;
    const char **fees = NULL;
    json_t *j = NULL, *jo, *jp, *jy;
    size_t i, n_fees = 0, n_pay = 0;
    int32_t prev_from;
    int rc;

    if (rq->from > rq->to || rq->to - rq->from > 3660) {
        store_set_error("invalid_range", "from must not be after to, and a"
                                         " range is at most 10 years");
        return -STORE_E_INVALID;
    }
    prev_from = rq->from - (rq->to - rq->from + 1);
    rc = st->ops->adoption_rows(st, rq->org_id, rq->province,
                                (int64_t)prev_from * 86400 - VN_OFFSET,
                                (int64_t)(rq->to + 1) * 86400 - VN_OFFSET, &j);
    if (rc != 0)
        return rc;
    jo = json_object_get(j, "orgs");
    jy = json_object_get(j, "payers");
    jp = json_object_get(j, "payments");
    orgs = calloc(json_array_size(jo) + 1, sizeof(*orgs));
    payers = calloc(json_array_size(jy) + 1, sizeof(*payers));
    pays = calloc(json_array_size(jp) + 1, sizeof(*pays));
    fees = calloc(FEE_TYPES_MAX, sizeof(*fees));
    if (orgs == NULL || payers == NULL || pays == NULL || fees == NULL)
        goto nomem;
    if (rq->org_id != 0 && json_array_size(jo) == 0) {
        store_set_error("org_not_found", "no such organisation");
        rc = -STORE_E_NOT_FOUND;
        goto out;
    }
    for (i = 0; i < json_array_size(jo); i++) {
        orgs[i].code = cs(jo, i, 1);
        orgs[i].name = cs(jo, i, 2);
        orgs[i].province = cs(jo, i, 3);
    }
    for (i = 0; i < json_array_size(jy); i++) {
        long k = find_id(jo, ci(jy, i, 1));

        payers[i].org = k < 0 ? 0 : (uint32_t)k;
        payers[i].bank_account = ci(jy, i, 2) != 0;
        payers[i].standee = ci(jy, i, 3) != 0;
    }
    /* the fee asked for is always a known type, even with no payments */
    memset(&q, 0, sizeof(q));
    q.fee = rq->fee ? fee_index(fees, &n_fees, FEE_TYPES_MAX, rq->fee) : -1;
    for (i = 0; i < json_array_size(jp); i++) {
        long k = find_id(jy, ci(jp, i, 0));
        int f;

        if (k < 0)
            continue; /* an inactive payer's payment */
        f = fee_index(fees, &n_fees, FEE_TYPES_MAX, cs(jp, i, 4));
        if (f < 0) {
            store_set_error("too_many_fee_types", "more than %d fee types",
                            FEE_TYPES_MAX);
            rc = -STORE_E_INVALID;
            goto out;
        }
        pays[n_pay].payer = (uint32_t)k;
        pays[n_pay].day = srv_vn_day(ci(jp, i, 1));
        pays[n_pay].amount = ci(jp, i, 2);
        pays[n_pay].fee = (uint16_t)f;
        pays[n_pay].cashless = strcmp(cs(jp, i, 3), "transfer") == 0;
        n_pay++;
    }
    if (n_fees == 0)
        fees[n_fees++] = "";
    d.orgs = orgs;
    d.n_orgs = json_array_size(jo);
    d.payers = payers;
    d.n_payers = json_array_size(jy);
    d.payments = pays;
    d.n_payments = n_pay;
    d.fee_types = fees;
    d.n_fee_types = n_fees;
    q.province = rq->province;
    q.org = rq->org_id != 0 ? 0 : -1;
    q.from = rq->from;
    q.to = rq->to;
    q.bucket = rq->bucket;
    rc = report_adoption(&d, &q, &res);
    if (rc == 0 && rq->sep != 0) {
        struct report_csv_opts o = {rq->sep};

        rc = report_adoption_csv(res, &d, &o, out, len);
    } else if (rc == 0) {
        json_t *doc = report_adoption_json(res, &d);
        char *text = doc ? report_json_dump(doc) : NULL;

        json_decref(doc);
        if (text == NULL)
            goto nomem;
        *out = text;
        *len = strlen(text);
    }
    if (rc != 0) {
        store_set_error(rc == REPORT_E_OVERFLOW ? "overflow" : "report_failed",
                        "%s", report_strerror(rc));
        rc = rc == REPORT_E_NOMEM      ? -STORE_E_IO
             : rc == REPORT_E_OVERFLOW ? -STORE_E_OVERFLOW
                                       : -STORE_E_INVALID;
    }
    goto out;
nomem:
    store_set_error("out_of_memory", "out of memory");
    rc = -STORE_E_IO;
out:
    report_adoption_free(res);
    free(orgs);
    free(payers);
    free(pays);
    free(fees);
    json_decref(j);
    return rc;
}

/*
 * The part of a daily report that a close freezes: the bank side and
 * the ledger's movement on it (payments of the day and review actions on
 * its transactions are refused once closed), as canonical JSON text.
 */
static char *frozen_part(const char *report)
{
    json_t *j = json_loads(report, 0, NULL), *proof, *part;
    char *text = NULL;

    if (j == NULL)
        return NULL;
    proof = json_object_get(j, "proof");
    part = json_pack(
        "{s:O?, s:O?, s:O?}", "bank", json_object_get(j, "bank"),
        "ledger_movement", json_object_get(proof, "ledger_movement"),
        "transaction_movement", json_object_get(proof, "transaction_movement"));
    if (part != NULL)
        text = json_dumps(part, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(part);
    json_decref(j);
    return text;
}

int srv_day_close(struct store *st, int64_t org_id, const char *org,
                  const char *date, const char *actor, json_t **out)
{
    char *text = NULL;
    size_t len = 0;
    int64_t seq = 0;
    int32_t day;
    int rc;

    if (report_day_parse(date, &day) != 0) {
        store_set_error("invalid_date", "date: YYYY-MM-DD");
        return -STORE_E_INVALID;
    }
    if (day > srv_vn_day((int64_t)time(NULL))) {
        store_set_error("future_day", "%s has not ended yet", date);
        return -STORE_E_INVALID;
    }
    /* the totals and the close name the same bank transactions */
    rc = st->ops->bank_seq(st, &seq);
    if (rc == 0)
        rc = srv_report_daily_asof(st, org_id, org, date, seq, 0, &text, &len);
    if (rc != 0)
        return rc;
    rc = st->ops->day_close(st, org_id, date, text, seq, actor,
                            (int64_t)time(NULL), out);
    if (rc == 0) {
        json_t *t = json_loads(text, 0, NULL);

        json_object_set_new(*out, "org", json_string(org));
        json_object_set_new(*out, "totals", t ? t : json_null());
    }
    free(text);
    return rc;
}

int srv_closes_verify(struct store *st, FILE *log, int64_t *n_days)
{
    json_t *rows = NULL;
    size_t i;
    int rc;

    rc = st->ops->day_closes(st, &rows);
    if (rc != 0)
        return rc;
    for (i = 0; i < json_array_size(rows); i++) {
        const char *org = cs(rows, i, 1), *date = cs(rows, i, 3);
        char *now = NULL, *a = NULL, *b = NULL;
        size_t len = 0;

        if (strcmp(cs(rows, i, 6), cs(rows, i, 7)) != 0) {
            store_set_error("audit_broken",
                            "closed day %s %s: audit entry %lld no longer"
                            " has the hash stored at closing",
                            org, date, (long long)ci(rows, i, 5));
            rc = -STORE_E_CONFLICT;
            break;
        }
        /* as recorded at closing: the bank may report late transfers
           dated that day, and they are booked (they are no correction) */
        rc = srv_report_daily_asof(st, ci(rows, i, 2), org, date,
                                   ci(rows, i, 8), 0, &now, &len);
        if (rc != 0)
            break;
        a = frozen_part(cs(rows, i, 4));
        b = frozen_part(now);
        if (a == NULL || b == NULL || strcmp(a, b) != 0) {
            store_set_error("closed_day_changed",
                            "closed day %s %s: its bank transactions or"
                            " their booking changed since the close",
                            org, date);
            rc = -STORE_E_CONFLICT;
        }
        if (rc == 0 && log != NULL)
            fprintf(log, "closed day %s %s: ok\n", org, date);
        free(now);
        free(a);
        free(b);
        if (rc != 0)
            break;
    }
    if (rc == 0)
        *n_days = (int64_t)json_array_size(rows);
    json_decref(rows);
    return rc;
}

int srv_review_check(struct store *st, int64_t org_id, int64_t txn)
{
    json_t *t = NULL;
    const char *date;
    int closed = 0, rc;

    rc = st->ops->bank_get(st, org_id, txn, &t);
    if (rc != 0)
        return rc == -STORE_E_NOT_FOUND ? 0 : rc; /* the review says so */
    date = json_string_value(json_object_get(t, "booking_date"));
    if (date != NULL)
        rc = st->ops->day_closed(st, org_id, date, &closed);
    json_decref(t);
    if (rc == 0 && closed) {
        store_set_error("day_closed", "day_closed");
        rc = -STORE_E_CONFLICT;
    }
    return rc;
}
