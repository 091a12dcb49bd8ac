/*
 * report.h: the figures market boards and provinces ask for, as pure functions
 * over in-memory records so that the server can feed them from any store: the
 * daily reconciliation with its bank-side proof, and cashless-adoption
 * statistics with the previous period, trends and provincial roll-ups. JSON
 * (jansson) and CSV output.
 */
#ifndef CHOPAY_REPORT_H
#define CHOPAY_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum report_error {
    REPORT_OK = 0,
    REPORT_E_ARG = -1,      /* NULL, bad range, index out of bounds */
    REPORT_E_AMOUNT = -2,   /* an amount outside 0..MONEY_MAX (or sign) */
    REPORT_E_OVERFLOW = -3, /* a total passed MONEY_MAX */
    REPORT_E_NOMEM = -4,    /* out of memory */
};

/* A short English explanation of a report_* return value. */
const char *report_strerror(int rc);

/* --- days, periods, shares ------------------------------------------------ */

/* Days are int32_t counts since 1970-01-01 (a Vietnam calendar date). */

/* "YYYY-MM-DD" (exactly) -> *day; 0 or REPORT_E_ARG (untouched). */
int report_day_parse(const char *s, int32_t *day);
/* *day as "YYYY-MM-DD" into out (11 bytes). */
void report_day_format(int32_t day, char out[11]);
/* Monday = 0 ... Sunday = 6. */
int report_weekday(int32_t day);

enum report_period {
    REPORT_DAY = 0,   /* that day */
    REPORT_WEEK = 1,  /* Monday to Sunday around the day */
    REPORT_MONTH = 2, /* the calendar month of the day */
};

/* The period of kind `p` holding `day`, as an inclusive [*from, *to]. */
void report_period_of(enum report_period p, int32_t day, int32_t *from,
                      int32_t *to);

/*
 * num/den in per-mille, rounded half up, by integer arithmetic only
 * (946/1097 -> 862). 0 when den <= 0. Requires 0 <= num <= den.
 */
int32_t report_permille(int64_t num, int64_t den);

/*
 * A per-mille value as a percentage with one decimal: Vietnamese
 * ("86,2 %", comma decimal, U+0020 before %) when vi, else "86.2".
 * Negative values (changes) get a sign: "-3,5" / "+3,5" when signed.
 * out has room for 16 bytes.
 */
void report_pct(int32_t permille, int vi, int show_plus, char out[16]);

/*
 * Compact JSON text of a report (keys in order) in a malloc'd string, or
 * NULL. Use this (or any dump with JSON_REAL_PRECISION(10..15)) so that
 * the one-decimal percentages print as 86.2, not 86.200000000000003.
 */
char *report_json_dump(const json_t *v);

/* --- daily reconciliation ----------------------------------------------
 */

/* An invoice the organisation issued. */
struct report_invoice {
    const char *id;        /* invoice id */
    const char *payer;     /* payer code */
    int32_t due;           /* due day */
    int64_t amount;        /* đồng due, >= 0 */
    int64_t paid_transfer; /* đồng settled by bank transfer, >= 0 */
    int64_t paid_cash;     /* đồng settled in cash, >= 0 */
};

/* What matching concluded about one bank transaction. */
enum report_credit_state {
    REPORT_MATCHED_EXACT = 0,   /* paid exactly what was due */
    REPORT_MATCHED_PARTIAL = 1, /* less than due */
    REPORT_MATCHED_OVER = 2,    /* more than due (rest held as credit) */
    REPORT_UNMATCHED = 3,       /* no payer found: in the review queue */
    REPORT_IGNORED = 4,         /* not a payment (reviewed and set aside) */
    REPORT_DUPLICATE = 5,       /* the same transaction seen twice */
    REPORT_DEBIT = 6,           /* money out of the account (refund ...) */
    REPORT_STATE__COUNT
};

/* A transaction on the organisation's bank account that day. */
struct report_bank_txn {
    const char *ref;                /* bank reference, unique per txn */
    int64_t amount;                 /* đồng, > 0 (debits too: a debit's
                                       state is REPORT_DEBIT); 0 only
                                       for REPORT_IGNORED (a 0-đồng fee
                                       line): counted there, not in
                                       what was received */
    enum report_credit_state state; /* matching result */
    int late; /* 1: booked by the bank on an earlier day that was closed
                 when it came, so it counts on this one (a correction):
                 in the figures by state, not in the proof, whose
                 balances are this day's */
};

/* An entry the ledger booked against the bank account that day. */
struct report_ledger_entry {
    const char *bank_ref; /* the bank transaction it books */
    int64_t amount;       /* đồng, signed: + money in, - money out */
    int late;             /* 1: books a late transaction, or corrects an
                             earlier day: not in the proof */
};

/*
 * A correcting entry dated that day that points at a closed earlier day.
 * `amount` is what it adds to the money received that day:
 * + a late credit, cash taken on the closed day, a credit of it matched
 * now; - a late debit, a match undone, a refund; 0 an ignored credit.
 */
struct report_correction {
    const char *id;        /* correction id */
    const char *kind;      /* "late_credit", "late_debit", "match",
                              "unmatch", "ignore", "cash", "refund" */
    int32_t corrects_date; /* the closed day it corrects */
    const char *corrects;  /* the record: "bank:12", "payment:7" ... */
    int64_t amount;        /* signed đồng */
    const char *payer;     /* payer code, or "" */
    const char *reason;    /* why, or "" */
};

/* A credit held for a payer (over-payment), at the end of the day. */
struct report_payer_credit {
    const char *payer; /* payer code */
    int64_t amount;    /* đồng held, >= 0 */
};

/* A count and a sum. */
struct report_sum {
    int64_t count;  /* items */
    int64_t amount; /* đồng */
};

/*
 * A payment dated that day, whatever invoices or periods it paid: a
 * transfer booked to a payer or cash a collector took.
 */
struct report_taking {
    int cash;               /* 1: cash, 0: transfer */
    int64_t amount;         /* đồng, > 0 */
    int64_t credit;         /* of it, left unallocated that day (credit
                               created), 0..amount */
    int64_t kiosk;          /* the kiosk that made the transfer's intent
                               or recorded the cash, 0: none */
    const char *kiosk_name; /* its name, or "" */
    const char *collector;  /* cash: who took it; "" otherwise */
};

/* A refund (a payer's credit given back) dated that day. */
struct report_refund {
    const char *payer; /* payer code */
    int64_t amount;    /* đồng, > 0 */
};

/* What one kiosk took (transfers of its intents, cash it recorded). */
struct report_kiosk_takings {
    int64_t kiosk;    /* 0: payments of no kiosk */
    const char *name; /* borrowed from the input */
    struct report_sum transfer, cash;
};

/* The cash one collector took at one kiosk. */
struct report_collector_takings {
    const char *collector; /* borrowed from the input */
    int64_t kiosk;         /* 0: no kiosk */
    const char *name;      /* the kiosk's name, borrowed */
    struct report_sum cash;
};

/*
 * The money a day's payments brought, by method, kiosk and collector.
 * Filled by report_takings(); free its arrays with
 * report_takings_clear().
 */
struct report_takings {
    struct report_sum transfer;          /* transfers booked to payers */
    struct report_sum cash;              /* cash taken */
    int64_t total;                       /* transfer + cash */
    struct report_sum credit_created;    /* payments leaving credit: their
                                            unallocated parts */
    struct report_kiosk_takings *kiosks; /* by kiosk id, none last */
    size_t n_kiosks;
    struct report_collector_takings *collectors; /* by collector, then
                                                    kiosk (none last) */
    size_t n_collectors;
};

/*
 * Sum payments `p` (n of them) into *out (its previous contents are
 * not freed). 0, REPORT_E_ARG (NULL), REPORT_E_AMOUNT (an amount or
 * credit out of range), REPORT_E_OVERFLOW or REPORT_E_NOMEM (*out
 * untouched on error).
 */
int report_takings(const struct report_taking *p, size_t n,
                   struct report_takings *out);
/* Free the arrays of *t and zero it (NULL is fine). */
void report_takings_clear(struct report_takings *t);
/*
 * *t as a new JSON object {transfer: {count, amount}, cash, total,
 * credit_created, by_kiosk: [{kiosk (id or null), name, transfer,
 * cash}], by_collector: [{collector, kiosk, name, cash}]}; NULL on no
 * memory.
 */
json_t *report_takings_json(const struct report_takings *t);

enum report_balance_source {
    REPORT_BALANCE_NONE = 0,      /* no bank-side balance known */
    REPORT_BALANCE_PROVIDER = 1,  /* the provider's running balance */
    REPORT_BALANCE_STATEMENT = 2, /* a statement's opening/closing */
};

/* The day's inputs. Arrays may be NULL when their count is 0. */
struct report_daily_input {
    const char *org; /* organisation code */
    int32_t day;     /* the day reported */
    const struct report_invoice *invoices;
    size_t n_invoices; /* those due on `day`, and any earlier ones still
                          open (for the overdue figures); later ones are
                          ignored */
    const struct report_bank_txn *bank;
    size_t n_bank;
    const struct report_ledger_entry *ledger;
    size_t n_ledger;
    const struct report_payer_credit *credits;
    size_t n_credits;
    enum report_balance_source balance_source;
    int64_t bank_opening; /* đồng, when balance_source != NONE */
    int64_t bank_closing; /* đồng, when balance_source != NONE */
    const struct report_correction *corrections; /* dated that day, each
                                                    pointing at a closed
                                                    earlier day */
    size_t n_corrections;
    const struct report_taking *takings; /* the payments dated that day */
    size_t n_takings;
    const struct report_refund *refunds; /* the refunds dated that day */
    size_t n_refunds;
};

enum report_diff_kind {
    REPORT_DIFF_MISSING_IN_LEDGER = 0, /* on the bank, not booked */
    REPORT_DIFF_MISSING_IN_BANK = 1,   /* booked, not on the bank */
    REPORT_DIFF_AMOUNT = 2,            /* both, different amounts */
};

/* One item that makes the bank and the ledger differ. */
struct report_diff {
    enum report_diff_kind kind;
    const char *ref;    /* points into the input (valid as long as it) */
    int64_t bank;       /* signed đồng on the bank (0 when missing) */
    int64_t ledger;     /* signed đồng in the ledger (0 when missing) */
    int64_t difference; /* bank - ledger */
};

/* The daily reconciliation. Free with report_daily_free(). */
struct report_daily {
    char org[64];
    int32_t day;
    /* Invoices due that day. */
    struct report_sum due;      /* issued for the day */
    int64_t collected_transfer; /* of them, settled by transfer */
    int64_t collected_cash;     /* of them, settled in cash */
    int64_t outstanding;        /* still owed on them */
    int64_t overpaid;           /* paid beyond their amounts */
    struct report_sum overdue;  /* earlier invoices still owed: count,
                                   amount outstanding */
    /* Bank credits that day, by matching state (duplicates listed but
     * never counted as received). */
    struct report_sum received; /* every credit but duplicates */
    struct report_sum late;     /* of them, late credits (corrections) */
    struct report_sum by_state[REPORT_STATE__COUNT];
    struct report_sum payer_credits; /* held for payers at day end */
    /* The bank-side proof. */
    enum report_balance_source balance_source;
    int64_t bank_opening, bank_closing;
    int64_t bank_movement;     /* closing - opening (0 without a balance) */
    int64_t txn_movement;      /* credits - debits on the bank list */
    int64_t ledger_movement;   /* sum of ledger entries */
    int64_t difference;        /* bank_movement - ledger_movement (or the
                                  txn list's movement without a balance) */
    int64_t explained;         /* sum of the item differences */
    int64_t unexplained;       /* difference - explained: the bank balance
                                  moved in a way no transaction shows */
    int balanced;              /* 1: difference 0 and no items */
    struct report_diff *diffs; /* item by item, bank order then ledger */
    size_t n_diffs;
    /* The money of the day's own records, whatever they paid. */
    struct report_takings takings;
    struct report_sum refunds;    /* refunds dated that day */
    struct report_sum unresolved; /* credits under review (unmatched,
                                     ambiguous): by_state's unmatched */
    /* Corrections dated that day (borrowed from the input). */
    struct report_sum corrections; /* count, net amount */
    const struct report_correction *correction_items;
    size_t n_correction_items;
};

/*
 * Compute the daily reconciliation of `in` into a new *out (free with
 * report_daily_free). Returns 0, REPORT_E_ARG, REPORT_E_AMOUNT,
 * REPORT_E_OVERFLOW or REPORT_E_NOMEM (*out untouched on error).
 */
int report_daily(const struct report_daily_input *in,
                 struct report_daily **out);
/* Free a report (NULL is fine). */
void report_daily_free(struct report_daily *r);

/* One transaction with the provider's running balance after it. */
struct report_balance_point {
    const char *at;  /* when booked, text that sorts in time order
                        (ISO 8601 with one offset) */
    int64_t seq;     /* order among equal `at` (arrival order) */
    int64_t amount;  /* đồng, signed: + credit, - debit */
    int64_t balance; /* đồng, signed, after it */
};

/*
 * The bank-side balances of a day from a provider's running balance
 * (REPORT_BALANCE_PROVIDER): opening = the balance before the day's
 * first transaction (its balance less its amount), closing = the last
 * one's, in `at`, `seq` order (transactions of the same `at` in the
 * order their balances follow, e.g. a statement with dates only, newest
 * first). 0, REPORT_E_ARG (none, or NULL),
 * REPORT_E_AMOUNT or REPORT_E_OVERFLOW (outputs untouched on error).
 */
int report_provider_balance(const struct report_balance_point *p, size_t n,
                            int64_t *opening, int64_t *closing);

/* The report as a new JSON object (json_decref it), NULL on no memory. */
json_t *report_daily_json(const struct report_daily *r);

/* CSV options: the field separator (',' = RFC 4180; ';' for Excel in
 * locales whose list separator is ';', e.g. vi-VN). */
struct report_csv_opts {
    char sep; /* ',' or ';' (0 = ',') */
};

/*
 * The report as CSV: UTF-8 with a BOM, Vietnamese headers, CRLF line ends,
 * RFC 4180 quoting, amounts as plain integers. A summary table, a blank
 * line, then the differences table. *out is malloc'd, NUL-terminated,
 * *len its length. 0, REPORT_E_ARG or REPORT_E_NOMEM.
 */
int report_daily_csv(const struct report_daily *r,
                     const struct report_csv_opts *o, char **out, size_t *len);

/* --- cashless adoption
 * --------------------------------------------------- */

/* An organisation (market, school). */
struct report_org {
    const char *code;     /* "CHOBT" */
    const char *name;     /* display name, UTF-8 */
    const char *province; /* province code or name */
};

/* A payer (stall, student) registered with an organisation. */
struct report_payer {
    uint32_t org;         /* index into orgs */
    uint8_t bank_account; /* 1: has its own registered bank account */
    uint8_t standee;      /* 1: has a printed QR standee */
};

/* One settled payment (a receipt). */
struct report_payment {
    uint32_t payer;   /* index into payers (gives the org) */
    int32_t day;      /* day paid (Vietnam date) */
    int64_t amount;   /* đồng, > 0 */
    uint16_t fee;     /* fee type index (into fee_types) */
    uint8_t cashless; /* 1: bank transfer, 0: cash */
};

/* Everything the statistics read. Arrays are borrowed. */
struct report_adoption_data {
    const struct report_org *orgs;
    size_t n_orgs;
    const struct report_payer *payers;
    size_t n_payers;
    const struct report_payment *payments;
    size_t n_payments;
    const char *const *fee_types; /* names, for output */
    size_t n_fee_types;
};

enum report_bucket {
    REPORT_BUCKET_DAY = 0,
    REPORT_BUCKET_WEEK = 1,  /* Monday-based weeks (the first and last may
                                be partial, clipped to the range) */
    REPORT_BUCKET_MONTH = 2, /* calendar months, clipped to the range */
};

/* What to compute. */
struct report_adoption_query {
    const char *province;      /* all organisations of this province, or NULL */
    int32_t org;               /* one organisation (index), or -1 */
    int32_t fee;               /* one fee type (index), or -1 for all */
    int32_t from, to;          /* inclusive range of days */
    enum report_bucket bucket; /* the trend series' step */
};

/* The figures for one scope and period. Shares are per-mille. */
struct report_adoption_totals {
    int64_t payments, payments_cashless; /* counts */
    int64_t value, value_cashless;       /* đồng */
    int32_t share_count, share_value;    /* per-mille cashless */
    int64_t payers_registered;           /* in scope */
    int64_t payers_paying;               /* paid at least once */
    int64_t payers_cashless;             /* paid cashless at least once */
    int32_t share_payers;                /* cashless / paying, per-mille */
    int64_t with_bank_account, with_standee, with_either;    /* registered */
    int32_t share_bank_account, share_standee, share_either; /* of
                                                             registered */
};

/* One step of the trend series. */
struct report_adoption_point {
    int32_t from, to; /* the bucket's days */
    int64_t payments, payments_cashless, value, value_cashless;
    int32_t share_count, share_value;
};

/* Per organisation in a roll-up. */
struct report_adoption_org_row {
    uint32_t org; /* index into orgs */
    struct report_adoption_totals cur, prev;
};

/* The result. Free with report_adoption_free(). */
struct report_adoption {
    struct report_adoption_query q; /* as asked */
    int32_t prev_from, prev_to;     /* the previous period (same length) */
    struct report_adoption_totals cur, prev;
    int32_t change_share_count, change_share_value, change_share_payers;
    /* cur - prev, in per-mille points */
    struct report_adoption_point *trend;
    size_t n_trend;
    struct report_adoption_org_row *orgs; /* orgs in scope, by index */
    size_t n_orgs;
};

/*
 * Compute adoption statistics for query q over data d into a new *out.
 * The scope is q->org when >= 0, else the province's organisations, else
 * every organisation. Returns 0, REPORT_E_ARG (bad indices in the data,
 * from > to, a range over 3660 days), REPORT_E_AMOUNT, REPORT_E_OVERFLOW
 * or REPORT_E_NOMEM. Runs in O(payments + payers) time.
 */
int report_adoption(const struct report_adoption_data *d,
                    const struct report_adoption_query *q,
                    struct report_adoption **out);
/* Free a result (NULL is fine). */
void report_adoption_free(struct report_adoption *a);

/* As a new JSON object; shares as numbers with one decimal ("86.2"
 * printed from the integers), NULL on no memory. */
json_t *report_adoption_json(const struct report_adoption *a,
                             const struct report_adoption_data *d);

/*
 * As CSV (same conventions as report_daily_csv; shares as numbers Excel
 * reads as percentages, "86.2%" with ',' and "86,2%" with ';', dates as
 * YYYY-MM-DD): the totals for the period and the previous one, then one
 * row per organisation, then the trend series.
 */
int report_adoption_csv(const struct report_adoption *a,
                        const struct report_adoption_data *d,
                        const struct report_csv_opts *o, char **out,
                        size_t *len);

#endif
