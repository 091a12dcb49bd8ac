/*
 * report_daily.c: the daily reconciliation of one organisation: the
 * money the day's payments brought (report_takings.c), refunds and what
 * is left under review, invoices due and how they were settled, bank
 * transactions by matching state, credits held for payers, the bank-side
 * proof (the bank's balance movement against the ledger, with every
 * difference listed by bank reference) and the corrections dated that
 * day that point at closed earlier days.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "report_int.h"

/* One side of one bank reference, for the item-by-item comparison. */
struct item {
    const char *ref;
    int64_t amount; /* signed */
    int ledger;     /* 0: bank side, 1: ledger side */
};

static int item_cmp(const void *a, const void *b)
{
    const struct item *x = a, *y = b;
    int c = strcmp(x->ref, y->ref);
    return c ? c : x->ledger - y->ledger;
}

static int amount_ok(int64_t a)
{
    return a >= 0 && a <= MONEY_MAX;
}

/* Invoices due on the day and earlier ones still owed. */
static int invoices(const struct report_daily_input *in, struct report_daily *r)
{
    for (size_t i = 0; i < in->n_invoices; i++) {
        const struct report_invoice *v = &in->invoices[i];
        int64_t paid;
        if (!amount_ok(v->amount) || !amount_ok(v->paid_transfer) ||
            !amount_ok(v->paid_cash))
            return REPORT_E_AMOUNT;
        if (money_add(v->paid_transfer, v->paid_cash, &paid) != 0)
            return REPORT_E_OVERFLOW;
        int64_t owed = v->amount > paid ? v->amount - paid : 0;
        int64_t over = paid > v->amount ? paid - v->amount : 0;
        int rc = 0;
        if (v->due == in->day) {
            r->due.count++;
            if ((rc = sum_add(&r->due.amount, v->amount)) ||
                (rc = sum_add(&r->collected_transfer, v->paid_transfer)) ||
                (rc = sum_add(&r->collected_cash, v->paid_cash)) ||
                (rc = sum_add(&r->outstanding, owed)) ||
                (rc = sum_add(&r->overpaid, over)))
                return rc;
        } else if (v->due < in->day && owed > 0) {
            r->overdue.count++;
            if ((rc = sum_add(&r->overdue.amount, owed)))
                return rc;
        }
    }
    return 0;
}

static int bank_side(const struct report_daily_input *in,
                     struct report_daily *r)
{
    int rc;

    for (size_t i = 0; i < in->n_bank; i++) {
        const struct report_bank_txn *t = &in->bank[i];
        if (!t->ref || (unsigned)t->state >= REPORT_STATE__COUNT)
            return REPORT_E_ARG;
        /* a zero-amount row (a 0-đồng fee line) is stored as ignored:
           counted there, never as money received */
        if (t->amount < 0 || t->amount > MONEY_MAX ||
            (t->amount == 0 && t->state != REPORT_IGNORED))
            return REPORT_E_AMOUNT;
        r->by_state[t->state].count++;
        if ((rc = sum_add(&r->by_state[t->state].amount, t->amount)))
            return rc;
        if (t->state == REPORT_DUPLICATE || t->amount == 0)
            continue;
        /* a late transaction moved an earlier day's balance: counted
           here, proven there (its correction explains that day) */
        if (t->state == REPORT_DEBIT) {
            if (!t->late)
                rc = sum_add(&r->txn_movement, -t->amount);
        } else {
            r->received.count++;
            if (!(rc = sum_add(&r->received.amount, t->amount)) && !t->late)
                rc = sum_add(&r->txn_movement, t->amount);
            if (!rc && t->late) {
                r->late.count++;
                rc = sum_add(&r->late.amount, t->amount);
            }
        }
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < in->n_ledger; i++) {
        const struct report_ledger_entry *e = &in->ledger[i];
        if (!e->bank_ref)
            return REPORT_E_ARG;
        if (e->amount == 0 || e->amount > MONEY_MAX || e->amount < -MONEY_MAX)
            return REPORT_E_AMOUNT;
        if (!e->late && (rc = sum_add(&r->ledger_movement, e->amount)))
            return rc;
    }
    for (size_t i = 0; i < in->n_credits; i++) {
        const struct report_payer_credit *c = &in->credits[i];
        if (!amount_ok(c->amount))
            return REPORT_E_AMOUNT;
        if (c->amount == 0)
            continue;
        r->payer_credits.count++;
        if ((rc = sum_add(&r->payer_credits.amount, c->amount)))
            return rc;
    }
    for (size_t i = 0; i < in->n_corrections; i++) {
        const struct report_correction *k = &in->corrections[i];
        if (!k->id || !k->kind || !k->corrects)
            return REPORT_E_ARG;
        if (k->amount > MONEY_MAX || k->amount < -MONEY_MAX)
            return REPORT_E_AMOUNT;
        r->corrections.count++;
        if ((rc = sum_add(&r->corrections.amount, k->amount)))
            return rc;
    }
    r->correction_items = in->corrections;
    r->n_correction_items = in->n_corrections;
    return 0;
}

/* The money of the day's own records: payments, refunds, and what is
 * left under review. */
static int money_side(const struct report_daily_input *in,
                      struct report_daily *r)
{
    int rc;

    if ((rc = report_takings(in->takings, in->n_takings, &r->takings)))
        return rc;
    for (size_t i = 0; i < in->n_refunds; i++) {
        const struct report_refund *f = &in->refunds[i];
        if (!f->payer)
            return REPORT_E_ARG;
        if (f->amount <= 0 || f->amount > MONEY_MAX)
            return REPORT_E_AMOUNT;
        r->refunds.count++;
        if ((rc = sum_add(&r->refunds.amount, f->amount)))
            return rc;
    }
    r->unresolved = r->by_state[REPORT_UNMATCHED];
    return 0;
}

/* Compare bank and ledger per reference (amounts summed per side, since
 * one transfer may be booked as several entries). */
static int differences(const struct report_daily_input *in,
                       struct report_daily *r)
{
    size_t n = 0, k = 0;
    struct item *it = malloc((in->n_bank + in->n_ledger + 1) * sizeof *it);
    struct report_diff *d = NULL;
    int rc = REPORT_E_NOMEM;

    if (!it)
        return REPORT_E_NOMEM;
    for (size_t i = 0; i < in->n_bank; i++) {
        const struct report_bank_txn *t = &in->bank[i];
        if (t->state == REPORT_DUPLICATE || t->late || t->amount == 0)
            continue;
        it[n].ref = t->ref;
        it[n].amount = t->state == REPORT_DEBIT ? -t->amount : t->amount;
        it[n++].ledger = 0;
    }
    for (size_t i = 0; i < in->n_ledger; i++) {
        if (in->ledger[i].late)
            continue;
        it[n].ref = in->ledger[i].bank_ref;
        it[n].amount = in->ledger[i].amount;
        it[n++].ledger = 1;
    }
    qsort(it, n, sizeof *it, item_cmp);
    if (!(d = malloc((n + 1) * sizeof *d)))
        goto fail;
    for (size_t i = 0; i < n;) {
        int64_t bank = 0, ledger = 0;
        int has_bank = 0, has_ledger = 0;
        size_t j = i;
        for (; j < n && strcmp(it[j].ref, it[i].ref) == 0; j++) {
            if (it[j].ledger) {
                has_ledger = 1;
                rc = sum_add(&ledger, it[j].amount);
            } else {
                has_bank = 1;
                rc = sum_add(&bank, it[j].amount);
            }
            if (rc)
                goto fail;
        }
        if (bank != ledger || has_bank != has_ledger) {
            d[k].kind = !has_ledger ? REPORT_DIFF_MISSING_IN_LEDGER
                        : !has_bank ? REPORT_DIFF_MISSING_IN_BANK
                                    : REPORT_DIFF_AMOUNT;
            d[k].ref = it[i].ref;
            d[k].bank = bank;
            d[k].ledger = ledger;
            if (money_sub(bank, ledger, &d[k].difference) != 0 ||
                (rc = sum_add(&r->explained, d[k].difference))) {
                rc = REPORT_E_OVERFLOW;
                goto fail;
            }
            k++;
        }
        i = j;
    }
    free(it);
    r->diffs = d;
    r->n_diffs = k;
    return 0;
fail:
    free(it);
    free(d);
    return rc;
}

int report_daily(const struct report_daily_input *in, struct report_daily **out)
{
    struct report_daily *r;
    int rc;

    if (!in || !out || !in->org || strlen(in->org) >= sizeof r->org ||
        (in->n_invoices && !in->invoices) || (in->n_bank && !in->bank) ||
        (in->n_ledger && !in->ledger) || (in->n_credits && !in->credits) ||
        (in->n_corrections && !in->corrections) ||
        (in->n_takings && !in->takings) || (in->n_refunds && !in->refunds) ||
        (unsigned)in->balance_source > REPORT_BALANCE_STATEMENT)
        return REPORT_E_ARG;
    if (in->balance_source != REPORT_BALANCE_NONE &&
        (in->bank_opening < -MONEY_MAX || in->bank_opening > MONEY_MAX ||
         in->bank_closing < -MONEY_MAX || in->bank_closing > MONEY_MAX))
        return REPORT_E_AMOUNT;
    if (!(r = calloc(1, sizeof *r)))
        return REPORT_E_NOMEM;
    memcpy(r->org, in->org, strlen(in->org) + 1);
    r->day = in->day;
    if ((rc = invoices(in, r)) || (rc = bank_side(in, r)) ||
        (rc = money_side(in, r)) || (rc = differences(in, r)))
        goto fail;
    r->balance_source = in->balance_source;
    if (in->balance_source != REPORT_BALANCE_NONE) {
        r->bank_opening = in->bank_opening;
        r->bank_closing = in->bank_closing;
        r->bank_movement = in->bank_closing - in->bank_opening;
    } else {
        r->bank_movement = r->txn_movement;
    }
    if (money_sub(r->bank_movement, r->ledger_movement, &r->difference) ||
        money_sub(r->difference, r->explained, &r->unexplained)) {
        rc = REPORT_E_OVERFLOW;
        goto fail;
    }
    r->balanced = r->difference == 0 && r->unexplained == 0 && r->n_diffs == 0;
    *out = r;
    return 0;
fail:
    report_daily_free(r);
    return rc;
}

void report_daily_free(struct report_daily *r)
{
    if (!r)
        return;
    free(r->diffs);
    report_takings_clear(&r->takings);
    free(r);
}

static int point_cmp(const void *a, const void *b)
{
    const struct report_balance_point *x = a, *y = b;
    int c = strcmp(x->at, y->at);
    if (c)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

int report_provider_balance(const struct report_balance_point *p, size_t n,
                            int64_t *opening, int64_t *closing)
{
    struct report_balance_point *v;
    int64_t open;

    if (!p || n == 0 || !opening || !closing)
        return REPORT_E_ARG;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].at)
            return REPORT_E_ARG;
        if (p[i].amount < -MONEY_MAX || p[i].amount > MONEY_MAX ||
            p[i].balance < -MONEY_MAX || p[i].balance > MONEY_MAX)
            return REPORT_E_AMOUNT;
    }
    if (!(v = malloc(n * sizeof *v)))
        return REPORT_E_NOMEM;
    memcpy(v, p, n * sizeof *v);
    qsort(v, n, sizeof *v, point_cmp);
    /* transactions with the same time (a statement giving dates only,
       listed newest first) are put in the order their balances follow */
    for (size_t i = 0, j; i < n; i = j) {
        size_t fwd = 0, back = 0;
        for (j = i + 1; j < n && strcmp(v[j].at, v[i].at) == 0; j++) {
            fwd += v[j].balance - v[j].amount == v[j - 1].balance;
            back += v[j - 1].balance - v[j - 1].amount == v[j].balance;
        }
        for (size_t a = i, b = j - 1; back > fwd && a < b; a++, b--) {
            struct report_balance_point t = v[a];
            v[a] = v[b];
            v[b] = t;
        }
    }
    if (money_sub(v[0].balance, v[0].amount, &open) != 0 || open < -MONEY_MAX ||
        open > MONEY_MAX) {
        free(v);
        return REPORT_E_OVERFLOW;
    }
    *opening = open;
    *closing = v[n - 1].balance;
    free(v);
    return 0;
}

/* --- output --------------------------------------------------------- */

static const char *const state_keys[REPORT_STATE__COUNT] = {
    "matched_exact", "matched_partial", "matched_over", "unmatched",
    "ignored",       "duplicate",       "debit"};

static const char *const state_vi[REPORT_STATE__COUNT] = {
    "Khớp đủ", "Khớp một phần", "Khớp, trả thừa",  "Chưa khớp (chờ xử lý)",
    "Bỏ qua",  "Trùng lặp",     "Tiền ra (ghi nợ)"};

static const char *const diff_keys[3] = {"missing_in_ledger", "missing_in_bank",
                                         "amount"};
static const char *const diff_vi[3] = {"Thiếu trong sổ cái",
                                       "Thiếu ở ngân hàng", "Sai số tiền"};

static const char *const source_keys[3] = {"none", "provider", "statement"};

static json_t *sum_json(const struct report_sum *s)
{
    return json_pack("{sIsI}", "count", (json_int_t)s->count, "amount",
                     (json_int_t)s->amount);
}

/* {count, amount, items: [...]}, NULL on no memory. */
static json_t *corrections_json(const struct report_daily *r)
{
    json_t *items = json_array();
    char day[11];

    if (!items)
        return NULL;
    for (size_t i = 0; i < r->n_correction_items; i++) {
        const struct report_correction *k = &r->correction_items[i];
        report_day_format(k->corrects_date, day);
        if (json_array_append_new(
                items, json_pack("{sssssssssIssss}", "id", k->id, "kind",
                                 k->kind, "corrects_date", day, "corrects",
                                 k->corrects, "amount", (json_int_t)k->amount,
                                 "payer", k->payer ? k->payer : "", "reason",
                                 k->reason ? k->reason : ""))) {
            json_decref(items);
            return NULL;
        }
    }
    return json_pack("{sIsIso}", "count", (json_int_t)r->corrections.count,
                     "amount", (json_int_t)r->corrections.amount, "items",
                     items);
}

json_t *report_daily_json(const struct report_daily *r)
{
    char day[11];
    json_t *o, *states, *diffs;

    if (!r)
        return NULL;
    report_day_format(r->day, day);
    states = json_object();
    diffs = json_array();
    if (!states || !diffs)
        goto fail;
    for (int i = 0; i < REPORT_STATE__COUNT; i++)
        if (json_object_set_new(states, state_keys[i],
                                sum_json(&r->by_state[i])))
            goto fail;
    for (size_t i = 0; i < r->n_diffs; i++) {
        const struct report_diff *d = &r->diffs[i];
        if (json_array_append_new(
                diffs, json_pack("{sssssIsIsI}", "kind", diff_keys[d->kind],
                                 "ref", d->ref, "bank", (json_int_t)d->bank,
                                 "ledger", (json_int_t)d->ledger, "difference",
                                 (json_int_t)d->difference)))
            goto fail;
    }
    o = json_pack(
        "{sssss{sIsIsIsIsIsIsI}s{sIsIsIsIso}s{sIsI}s{sssIsIsIsIsIsIsIsIsb}so}",
        "org", r->org, "date", day, "invoices", "due_count",
        (json_int_t)r->due.count, "due_amount", (json_int_t)r->due.amount,
        "collected_transfer", (json_int_t)r->collected_transfer,
        "collected_cash", (json_int_t)r->collected_cash, "outstanding",
        (json_int_t)r->outstanding, "overpaid", (json_int_t)r->overpaid,
        "overdue_count", (json_int_t)r->overdue.count, "bank", "received_count",
        (json_int_t)r->received.count, "received_amount",
        (json_int_t)r->received.amount, "late_count", (json_int_t)r->late.count,
        "late_amount", (json_int_t)r->late.amount, "by_state", states,
        "payer_credits", "count", (json_int_t)r->payer_credits.count, "amount",
        (json_int_t)r->payer_credits.amount, "proof", "balance_source",
        source_keys[r->balance_source], "bank_opening",
        (json_int_t)r->bank_opening, "bank_closing",
        (json_int_t)r->bank_closing, "bank_movement",
        (json_int_t)r->bank_movement, "transaction_movement",
        (json_int_t)r->txn_movement, "ledger_movement",
        (json_int_t)r->ledger_movement, "difference", (json_int_t)r->difference,
        "explained", (json_int_t)r->explained, "unexplained",
        (json_int_t)r->unexplained, "balanced", r->balanced, "differences",
        diffs);
    if (!o)
        return NULL; /* "o" consumed states and diffs either way */
    /* overdue amount sits beside its count */
    if (json_object_set_new(json_object_get(o, "invoices"),
                            "overdue_outstanding",
                            json_integer(r->overdue.amount)) ||
        json_object_set_new(o, "corrections", corrections_json(r)) ||
        json_object_set_new(o, "takings", report_takings_json(&r->takings)) ||
        json_object_set_new(o, "refunds", sum_json(&r->refunds)) ||
        json_object_set_new(o, "unresolved", sum_json(&r->unresolved))) {
        json_decref(o);
        return NULL;
    }
    return o;
fail:
    json_decref(states);
    json_decref(diffs);
    return NULL;
}

/* A correction's kind in Vietnamese (the key itself when unknown). */
static const char *correction_vi(const char *kind)
{
    static const char *const k[][2] = {
        {"late_credit", "Tiền về báo muộn"},
        {"late_debit", "Tiền ra báo muộn"},
        {"match", "Khớp sau khi chốt"},
        {"unmatch", "Hủy khớp sau khi chốt"},
        {"ignore", "Bỏ qua sau khi chốt"},
        {"cash", "Tiền mặt ghi muộn"},
        {"refund", "Hoàn tiền sau khi chốt"},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
        if (strcmp(kind, k[i][0]) == 0)
            return k[i][1];
    return kind;
}

/* A kiosk's id as CSV text ("" for none) into buf (24 bytes). */
static const char *kiosk_text(int64_t k, char buf[24])
{
    if (k == 0)
        return "";
    snprintf(buf, 24, "%lld", (long long)k);
    return buf;
}

/* The per-kiosk and per-collector tables of the day's takings. */
static void takings_csv(struct csv *c, const struct report_takings *t)
{
    char id[24];

    csv_end_row(c);
    csv_text(c, "Quầy");
    csv_text(c, "Tên quầy");
    csv_text(c, "Số GD chuyển khoản");
    csv_text(c, "Chuyển khoản (đồng)");
    csv_text(c, "Số GD tiền mặt");
    csv_text(c, "Tiền mặt (đồng)");
    csv_end_row(c);
    for (size_t i = 0; i < t->n_kiosks; i++) {
        const struct report_kiosk_takings *k = &t->kiosks[i];
        csv_text(c, kiosk_text(k->kiosk, id));
        csv_text(c, k->name);
        csv_int(c, k->transfer.count);
        csv_int(c, k->transfer.amount);
        csv_int(c, k->cash.count);
        csv_int(c, k->cash.amount);
        csv_end_row(c);
    }
    csv_end_row(c);
    csv_text(c, "Người thu");
    csv_text(c, "Quầy");
    csv_text(c, "Tên quầy");
    csv_text(c, "Số GD tiền mặt");
    csv_text(c, "Tiền mặt (đồng)");
    csv_end_row(c);
    for (size_t i = 0; i < t->n_collectors; i++) {
        const struct report_collector_takings *k = &t->collectors[i];
        csv_text(c, k->collector);
        csv_text(c, kiosk_text(k->kiosk, id));
        csv_text(c, k->name);
        csv_int(c, k->cash.count);
        csv_int(c, k->cash.amount);
        csv_end_row(c);
    }
}

static void row(struct csv *c, const char *key, const char *label,
                int64_t count, int has_count, int64_t amount)
{
    csv_text(c, key);
    csv_text(c, label);
    if (has_count)
        csv_int(c, count);
    else
        csv_text(c, "");
    csv_int(c, amount);
    csv_end_row(c);
}

int report_daily_csv(const struct report_daily *r,
                     const struct report_csv_opts *o, char **out, size_t *len)
{
    struct csv c;
    char day[11], title[128];

    if (!r || !out || !len)
        return REPORT_E_ARG;
    report_day_format(r->day, day);
    csv_begin(&c, o);
    snprintf(title, sizeof title, "Đối soát ngày %.2s/%.2s/%.4s - %s", day + 8,
             day + 5, day, r->org);
    csv_text(&c, title);
    csv_end_row(&c);
    csv_end_row(&c);
    csv_text(&c, "Mã");
    csv_text(&c, "Chỉ tiêu");
    csv_text(&c, "Số lượng");
    csv_text(&c, "Số tiền (đồng)");
    csv_end_row(&c);
    row(&c, "takings_transfer", "Thu chuyển khoản (ghi cho người nộp)",
        r->takings.transfer.count, 1, r->takings.transfer.amount);
    row(&c, "takings_cash", "Thu tiền mặt", r->takings.cash.count, 1,
        r->takings.cash.amount);
    row(&c, "takings_total", "Tổng thu trong ngày", 0, 0, r->takings.total);
    row(&c, "credit_created", "Tiền thừa phát sinh",
        r->takings.credit_created.count, 1, r->takings.credit_created.amount);
    row(&c, "refunds", "Hoàn tiền", r->refunds.count, 1, r->refunds.amount);
    row(&c, "unresolved", "Chờ xử lý (chưa khớp, nhiều mã)",
        r->unresolved.count, 1, r->unresolved.amount);
    row(&c, "due", "Hóa đơn đến hạn", r->due.count, 1, r->due.amount);
    row(&c, "collected_transfer", "Đã thu bằng chuyển khoản", 0, 0,
        r->collected_transfer);
    row(&c, "collected_cash", "Đã thu bằng tiền mặt", 0, 0, r->collected_cash);
    row(&c, "outstanding", "Còn phải thu", 0, 0, r->outstanding);
    row(&c, "overpaid", "Thu thừa", 0, 0, r->overpaid);
    row(&c, "overdue", "Nợ quá hạn (các ngày trước)", r->overdue.count, 1,
        r->overdue.amount);
    row(&c, "received", "Tiền về tài khoản", r->received.count, 1,
        r->received.amount);
    row(&c, "late", "Trong đó: báo muộn cho ngày đã chốt", r->late.count, 1,
        r->late.amount);
    for (int i = 0; i < REPORT_STATE__COUNT; i++)
        row(&c, state_keys[i], state_vi[i], r->by_state[i].count, 1,
            r->by_state[i].amount);
    row(&c, "payer_credits", "Số dư giữ cho người nộp", r->payer_credits.count,
        1, r->payer_credits.amount);
    if (r->balance_source != REPORT_BALANCE_NONE) {
        row(&c, "bank_opening", "Số dư đầu ngày (ngân hàng)", 0, 0,
            r->bank_opening);
        row(&c, "bank_closing", "Số dư cuối ngày (ngân hàng)", 0, 0,
            r->bank_closing);
    }
    row(&c, "bank_movement", "Biến động theo ngân hàng", 0, 0,
        r->bank_movement);
    row(&c, "ledger_movement", "Biến động theo sổ cái", 0, 0,
        r->ledger_movement);
    row(&c, "difference", "Chênh lệch", (int64_t)r->n_diffs, 1, r->difference);
    row(&c, "unexplained", "Chênh lệch chưa giải thích", 0, 0, r->unexplained);
    row(&c, "corrections", "Bút toán điều chỉnh ngày đã chốt",
        r->corrections.count, 1, r->corrections.amount);
    csv_end_row(&c);
    csv_text(&c, "Loại chênh lệch");
    csv_text(&c, "Mã giao dịch");
    csv_text(&c, "Ngân hàng (đồng)");
    csv_text(&c, "Sổ cái (đồng)");
    csv_text(&c, "Chênh lệch (đồng)");
    csv_end_row(&c);
    for (size_t i = 0; i < r->n_diffs; i++) {
        const struct report_diff *d = &r->diffs[i];
        csv_text(&c, diff_vi[d->kind]);
        csv_text(&c, d->ref);
        csv_int(&c, d->bank);
        csv_int(&c, d->ledger);
        csv_int(&c, d->difference);
        csv_end_row(&c);
    }
    csv_end_row(&c);
    csv_text(&c, "Bút toán điều chỉnh");
    csv_text(&c, "Loại");
    csv_text(&c, "Điều chỉnh cho ngày");
    csv_text(&c, "Chứng từ gốc");
    csv_text(&c, "Số tiền (đồng)");
    csv_text(&c, "Người nộp");
    csv_text(&c, "Lý do");
    csv_end_row(&c);
    for (size_t i = 0; i < r->n_correction_items; i++) {
        const struct report_correction *k = &r->correction_items[i];
        report_day_format(k->corrects_date, day);
        csv_text(&c, k->id);
        csv_text(&c, correction_vi(k->kind));
        csv_text(&c, day);
        csv_text(&c, k->corrects);
        csv_int(&c, k->amount);
        csv_text(&c, k->payer ? k->payer : "");
        csv_text(&c, k->reason ? k->reason : "");
        csv_end_row(&c);
    }
    takings_csv(&c, &r->takings);
    return csv_finish(&c, out, len);
}
