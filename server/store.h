/*
 * store.h: the storage interface of chopay-server. Handlers only ever talk
 * to a `struct store` (a table of function pointers, ops.c). It is
 * implemented once, in server/store/ (a file per domain: orgs.c,
 * intents.c, ledger.c, bank_intake.c, day_close.c, ...), over the SQL
 * layer server/db/db.h, which drives SQLite and PostgreSQL. Writes take
 * validated C structs. Reads and writes return C structs too (each with
 * its free function): organisations, payers, fees, invoices,
 * credentials, intents (create, get, cancel, list), reserved codes,
 * cash, transfers, payments, a kiosk's dues and directory, the journal's
 * pending entries, receipts, standees, refunds, statistics, a day's
 * report rows and takings, and day closes. server/api_json.c turns them
 * into the API's JSON; server/srv_report.c into server/report's input.
 * An idempotent write keeps the body its caller rendered (struct
 * store_idem.render) and a replay gives that text back. Bank
 * transactions as listed, read, reviewed and split (bank_list, bank_get,
 * bank_review, bank_split), what bank_add decided for one and a batch's
 * summary (bank_end) are structs too. Every write that moves money is one
 * transaction.
 */
#ifndef CHOPAY_SERVER_STORE_H
#define CHOPAY_SERVER_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "feeds/feeds.h"

/* Errors (returned negated). store_error_message() adds detail. */
enum store_error {
    STORE_OK = 0,
    STORE_E_NOT_FOUND, /* the object (or one it names) does not exist */
    STORE_E_CONFLICT,  /* state forbids it (already paid, duplicate...) */
    STORE_E_INVALID,   /* the values are not acceptable */
    STORE_E_IDEM,      /* Idempotency-Key reused with a different body */
    STORE_E_IO,        /* the database failed: answer 503; with the code
                          "storage_busy" it lost the transaction to a
                          deadlock, kept nothing, and the write may be run
                          again (the store itself runs an organisation's
                          write up to STORE_WRITE_TRIES times) */
    STORE_E_OVERFLOW,  /* money arithmetic overflowed */
    STORE_E_USAGE      /* bad URL/config given to store_open */
};

#define STORE_WRITE_TRIES 5

/* Who is calling: resolved from a bearer credential. */
enum store_role {
    STORE_ROLE_KIOSK = 1,
    STORE_ROLE_ADMIN,
    STORE_ROLE_BOARD,
    STORE_ROLE_AUDITOR,
    STORE_ROLE_PROVINCE /* reads the statistics of one province only */
};

/* The longest province name, in bytes of UTF-8. */
#define STORE_PROVINCE_MAX 64

struct store_principal {
    int role;       /* enum store_role */
    int64_t id;     /* kiosk id or token id */
    int64_t org_id; /* organisation scope; 0 = every organisation */
    char actor[48]; /* "kiosk:3", "token:1", "cli": for the audit log */
    char province[STORE_PROVINCE_MAX + 1]; /* role province: its province
                                              as the organisations spell
                                              it; "" for the others */
};

/* A province and how many organisations are in it. */
struct store_province {
    char name[STORE_PROVINCE_MAX + 1]; /* as its organisations spell it */
    int64_t orgs;                      /* organisations in it */
};

/* Provinces by name; store_province_list_free() frees them. */
struct store_province_list {
    struct store_province *rows; /* malloc'd array of `n` */
    size_t n;                    /* count of `rows` */
};

/* Free the rows of `l` and empty it (NULL does nothing). */
void store_province_list_free(struct store_province_list *l);

/* An organisation as created or edited; NULL/"" fields mean "keep". */
struct store_org {
    const char *code;         /* [A-Z0-9-]{2,16} */
    const char *kind;         /* "market" or "school" */
    const char *name;         /* UTF-8 display name */
    const char *bank_bin;     /* 6-digit NAPAS BIN of the collecting bank */
    const char *account;      /* collecting account number */
    const char *account_name; /* account holder, upper-case ASCII */
    const char *prefix;       /* payment-code prefix (payref) */
};

/*
 * An organisation as stored (org_get, org_list, org_create, org_update).
 * The strings are malloc'd and owned by the row; store_org_row_clear()
 * frees them.
 */
struct store_org_row {
    int64_t id;         /* its id */
    char *code;         /* [A-Z0-9-]{2,16} */
    char *kind;         /* "market" or "school" */
    char *name;         /* UTF-8 display name */
    char *bank_bin;     /* 6-digit NAPAS BIN of the collecting bank */
    char *account;      /* collecting account number, normal form */
    char *account_name; /* account holder */
    char *prefix;       /* payment-code prefix (payref) */
};

/* Organisations in code order; store_org_list_free() frees them. */
struct store_org_list {
    struct store_org_row *rows; /* malloc'd array of `n` rows */
    size_t n;                   /* count of `rows` */
};

/* Free the strings of `o` and set them to NULL (NULL does nothing). */
void store_org_row_clear(struct store_org_row *o);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_org_list_free(struct store_org_list *l);

/* A payer (stall or student); NULL fields mean "keep" on edit. */
struct store_payer {
    const char *code;              /* "A-12", "HS1024" */
    const char *name;              /* vendor or student name */
    const char *category;          /* fee category ("" or NULL: zone/class) */
    const char *zone;              /* stall zone */
    const char *class_name;        /* student class */
    const char *guardian;          /* student guardian */
    const char *bank_bin;          /* vendor's own bank (optional) */
    const char *bank_account;      /* vendor's own account (optional) */
    int active;                    /* 1, 0, or -1 = keep */
    const char *bank_account_name; /* its holder as the bank writes it,
                                      printed on the standee ("" none) */
};

/*
 * A payer as stored (payer_put, payer_list). The strings are malloc'd and
 * owned by the row; store_payer_row_clear() frees them.
 */
struct store_payer_row {
    int64_t id;              /* its id (paging: store_filter.after_id) */
    char *code;              /* "A-12", "HS1024" */
    char *name;              /* vendor or student name */
    char *category;          /* fee category ("" = none) */
    char *zone;              /* stall zone, "" */
    char *class_name;        /* student class, "" */
    char *guardian;          /* student guardian, "" */
    char *bank_bin;          /* vendor's own bank, "" */
    char *bank_account;      /* vendor's own account, "" */
    char *bank_account_name; /* its holder as the bank writes it, "" */
    int active;              /* 1 or 0 */
    int64_t credit;          /* đồng paid and not allocated yet */
};

/* Payers in id order; store_payer_list_free() frees them. */
struct store_payer_list {
    struct store_payer_row *rows; /* malloc'd array of `n` rows */
    size_t n;                     /* count of `rows` */
    int64_t total;                /* rows the filter matches, all pages */
};

/* Free the strings of `p` and set them to NULL (NULL does nothing). */
void store_payer_row_clear(struct store_payer_row *p);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_payer_list_free(struct store_payer_list *l);

/* What store_ops.payer_import did. */
struct store_payer_import {
    int64_t imported; /* rows given */
    int64_t created;  /* of them new payers */
    int64_t updated;  /* of them payers that existed */
};

/* A fee schedule entry. */
struct store_fee {
    const char *code;     /* [A-Z0-9-]{1,16} */
    const char *label;    /* UTF-8 label shown to payers */
    const char *kind;     /* "daily", "monthly", "term", "oneoff" */
    const char *category; /* payer category it applies to ("" = all) */
    int64_t amount;       /* đồng, > 0; 0 = keep on edit */
    int active;           /* 1, 0, or -1 = keep */
};

/*
 * A fee as stored (fee_put, fee_list). The strings are malloc'd and owned
 * by the row; store_fee_row_clear() frees them.
 */
struct store_fee_row {
    char *code;     /* [A-Z0-9-]{1,16} */
    char *label;    /* UTF-8 label shown to payers */
    char *kind;     /* "daily", "monthly", "term", "oneoff" */
    char *category; /* payer category it applies to ("" = all) */
    int64_t amount; /* đồng, > 0 */
    int active;     /* 1 or 0 */
};

/* An organisation's fees in code order; store_fee_list_free() frees
 * them. */
struct store_fee_list {
    struct store_fee_row *rows; /* malloc'd array of `n` rows */
    size_t n;                   /* count of `rows` */
    int64_t total;              /* rows the filter matches, all pages */
};

/* Free the strings of `f` and set them to NULL (NULL does nothing). */
void store_fee_row_clear(struct store_fee_row *f);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_fee_list_free(struct store_fee_list *l);

/*
 * An invoice as invoice_list gives it. The strings are malloc'd and owned
 * by the row; store_invoice_row_clear() frees them.
 */
struct store_invoice_row {
    int64_t id;         /* its id (paging: store_filter.after_id) */
    char *payer;        /* the payer's code */
    char *fee;          /* the fee's code */
    char *period;       /* "2026-11", "2026-11-03", "2026-HK1", ... */
    char *label;        /* the fee's label and the period */
    int64_t amount;     /* đồng, > 0 */
    int64_t paid;       /* đồng allocated to it, 0..amount */
    int64_t due;        /* đồng, amount - paid */
    char *status;       /* "open", "partial" or "paid" */
    int64_t created_at; /* unix seconds */
};

/* Invoices in id order; store_invoice_list_free() frees them. */
struct store_invoice_list {
    struct store_invoice_row *rows; /* malloc'd array of `n` rows */
    size_t n;                       /* count of `rows` */
    int64_t total;                  /* rows the filter matches, all pages */
};

/* Free the strings of `v` and set them to NULL (NULL does nothing). */
void store_invoice_row_clear(struct store_invoice_row *v);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_invoice_list_free(struct store_invoice_list *l);

/* What store_ops.invoices_generate did. */
struct store_invoices_made {
    int64_t fees;    /* fees invoiced */
    int64_t created; /* invoices created (existing ones are kept) */
};

/*
 * A kiosk key, API token or dashboard user as cred_list gives it, never
 * its secret or hash. The strings are malloc'd and owned by the row;
 * store_cred_row_clear() frees them.
 */
struct store_cred_row {
    int64_t id;           /* its id in its kind */
    char *org;            /* organisation code; NULL: every organisation */
    char *name;           /* kiosk name or user login; NULL for a token */
    char *role;           /* token or user role; "kiosk" for a kiosk */
    int active;           /* 1, or 0 once revoked or disabled */
    int64_t created_at;   /* unix seconds */
    int64_t last_used_at; /* unix seconds; 0: never used */
    int64_t revoked_at;   /* unix seconds; 0: not revoked */
    int64_t sessions;     /* a user's dashboard sessions not swept yet */
};

/* Credentials of one kind in id order; store_cred_list_free() frees
 * them. */
struct store_cred_list {
    struct store_cred_row *rows; /* malloc'd array of `n` rows */
    size_t n;                    /* count of `rows` */
};

/* Free the strings of `r` and set them to NULL (NULL does nothing). */
void store_cred_row_clear(struct store_cred_row *r);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_cred_list_free(struct store_cred_list *l);

/* Which webhook journal entries store_ops.journal_list reads. */
struct store_journal_query {
    const char *state;    /* "received", "processed", "rejected", "invalid";
                             NULL = all */
    const char *provider; /* "sepay", "casso", "payos", "generic"; NULL */
    int64_t after_id;     /* paging: ids greater than this */
    int64_t limit;        /* entries handed over, 1..1000 */
};

/*
 * One delivery in the webhook journal (journal_list); never its body. The
 * strings are malloc'd and owned by the entry;
 * store_journal_entry_clear() frees them.
 */
struct store_journal_entry {
    int64_t id;           /* its id */
    char *provider;       /* "sepay", "casso", "payos", "generic" */
    char *org;            /* the organisation's code, "" when not told */
    int64_t received_at;  /* unix seconds */
    char *verified;       /* "ok" or why its signature failed */
    char *state;          /* "received", "processed", "rejected", "invalid" */
    char *detail;         /* why it was rejected or invalid, "" */
    char *headers;        /* the headers kept, JSON object text (no
                             credentials; a cut body's length and hash) */
    int64_t body_bytes;   /* the body's bytes as kept */
    int64_t processed_at; /* unix seconds, 0 not yet */
    int64_t bytes;        /* headers + body + detail, as the journal's
                             limits count them */
};

/* Journal entries in id order; store_journal_list_free() frees them. */
struct store_journal_list {
    struct store_journal_entry *rows; /* malloc'd array of `n` entries */
    size_t n;                         /* count of `rows` */
    int64_t total;                    /* entries matching, past the limit */
};

/* Free the strings of `e` and set them to NULL (NULL does nothing). */
void store_journal_entry_clear(struct store_journal_entry *e);
/* Free the entries of `l` and empty it (NULL does nothing). */
void store_journal_list_free(struct store_journal_list *l);

/* Which audit entries store_ops.audit_list reads. */
struct store_audit_query {
    int64_t org_id;     /* entries concerning this organisation; 0 = all */
    const char *action; /* this action only ("payer.create"); NULL = all */
    int64_t after_id;   /* paging: ids greater than this */
    int64_t limit;      /* entries handed over, 1..1000 */
};

/*
 * One audit entry (audit_list). The strings are malloc'd and owned by the
 * entry; store_audit_entry_clear() frees them.
 */
struct store_audit_entry {
    int64_t id;     /* its place in the hash chain */
    int64_t at;     /* unix time written */
    char *actor;    /* "kiosk:3", "token:1", "user:lan", "cli", "bank:sepay" */
    char *action;   /* "payer.create", "bank.matched", "dash.login", ... */
    int64_t org_id; /* the organisation it concerns, 0 for none */
    char *org;      /* that organisation's code, "" */
    char *subject;  /* what it names: "A-12", "bank:7", "org:1/2026-12-07" */
    char *detail;   /* its details, JSON object text */
    char prev_hash[65]; /* the hash of the entry before (hex) */
    char hash[65];      /* its own hash (hex), over prev_hash and fields */
    int encoding;       /* the hash's encoding: 1 or 2 (audit.c) */
};

/* Audit entries in id order; store_audit_list_free() frees them. */
struct store_audit_list {
    struct store_audit_entry *rows; /* malloc'd array of `n` entries */
    size_t n;                       /* count of `rows` */
    int64_t total;                  /* entries matching, past the limit too */
};

/* Free the strings of `e` and set them to NULL (NULL does nothing). */
void store_audit_entry_clear(struct store_audit_entry *e);
/* Free the entries of `l` and empty it (NULL does nothing). */
void store_audit_list_free(struct store_audit_list *l);

/* What store_ops.cred_revoke did. */
struct store_cred_revoked {
    int64_t id;             /* the credential's id */
    int was_active;         /* 1 when this call revoked it, 0 already was */
    int64_t sessions_ended; /* a user's dashboard sessions ended */
};

/*
 * An intent as intent_list gives it. The strings are malloc'd and owned
 * by the row; store_intent_row_clear() frees them.
 */
struct store_intent_row {
    int64_t id;         /* its id (paging: store_filter.after_id) */
    char *code;         /* its payment code */
    char *status;       /* pending, partial, paid, expired or cancelled */
    int64_t amount;     /* đồng asked for */
    int64_t paid;       /* đồng received */
    char *payer;        /* the payer's code */
    int64_t created_at; /* unix seconds */
    int64_t expires_at; /* unix seconds */
};

/* Intents in id order; store_intent_list_free() frees them. */
struct store_intent_list {
    struct store_intent_row *rows; /* malloc'd array of `n` rows */
    size_t n;                      /* count of `rows` */
    int64_t total;                 /* rows the filter matches, all pages */
};

/* Free the strings of `t` and set them to NULL (NULL does nothing). */
void store_intent_row_clear(struct store_intent_row *t);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_intent_list_free(struct store_intent_list *l);

/* A part of a payment allocated to an invoice. */
struct store_allocation {
    int64_t invoice; /* the invoice's id */
    int64_t amount;  /* đồng, > 0 */
    char day[11];    /* payment_list: the day it counts on, YYYY-MM-DD */
};

/*
 * A payment as payment_list gives it. The strings and `allocations` are
 * malloc'd and owned by the row; store_payment_row_clear() frees them.
 */
struct store_payment_row {
    int64_t id;                           /* its id (paging) */
    char *method;                         /* "transfer" or "cash" */
    int64_t amount;                       /* đồng, > 0 */
    int64_t unallocated;                  /* đồng held as payer credit */
    char *flag;                           /* "" or "over" */
    char *payer;                          /* the payer's code */
    char *intent;                         /* the intent's code; NULL: none */
    char *reference;                      /* bank reference; NULL: none */
    char *source;                         /* "sepay", ...; NULL: none */
    char *collector;                      /* who took cash; NULL: none */
    int64_t created_at;                   /* unix seconds */
    char day[11];                         /* the day it counts on */
    struct store_allocation *allocations; /* oldest first */
    size_t n_allocations;                 /* count of `allocations` */
};

/* Payments in id order; store_payment_list_free() frees them. */
struct store_payment_list {
    struct store_payment_row *rows; /* malloc'd array of `n` rows */
    size_t n;                       /* count of `rows` */
    int64_t total;                  /* rows the filter matches, all pages */
};

/* Free what `p` owns and empty it (NULL does nothing). */
void store_payment_row_clear(struct store_payment_row *p);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_payment_list_free(struct store_payment_list *l);

/* An open invoice as a kiosk shows it (dues, directory). */
struct store_open_invoice {
    int64_t id;     /* the invoice's id */
    char *fee;      /* the fee's code (directory only; NULL in dues) */
    char *label;    /* the fee's label and the period */
    char *period;   /* the invoice's period */
    int64_t amount; /* đồng */
    int64_t paid;   /* đồng, < amount */
    int64_t due;    /* đồng, amount - paid */
};

/*
 * A payer's open invoices, oldest first (store_ops.dues). Everything is
 * malloc'd and owned by it; store_dues_free() frees it.
 */
struct store_dues {
    char *payer;                         /* the payer's code */
    char *name;                          /* the payer's name */
    struct store_open_invoice *invoices; /* oldest first */
    size_t n_invoices;                   /* count of `invoices` */
    int64_t total_due;                   /* đồng, the sum of their dues */
};

/* Free what `d` owns and empty it (NULL does nothing). */
void store_dues_free(struct store_dues *d);

/* An active payer in a kiosk's directory, with its open invoices. */
struct store_dir_payer {
    char *code;                          /* "A-12", "HS1024" */
    char *name;                          /* vendor or student name */
    char *category;                      /* fee category, "" */
    char *zone;                          /* stall zone, "" */
    char *class_name;                    /* student class, "" */
    struct store_open_invoice *invoices; /* oldest first */
    size_t n_invoices;                   /* count of `invoices` */
};

/*
 * What a kiosk keeps to work offline (store_ops.directory): its
 * organisation, the active payers by code and the active fees by code.
 * Everything is malloc'd and owned by it; store_directory_free() frees
 * it.
 */
struct store_directory {
    struct store_org_row org;       /* the organisation */
    struct store_dir_payer *payers; /* by code */
    size_t n_payers;                /* count of `payers` */
    struct store_fee_row *fees;     /* by code (all active) */
    size_t n_fees;                  /* count of `fees` */
};

/* Free what `d` owns and empty it (NULL does nothing). */
void store_directory_free(struct store_directory *d);

/* A payment dated on a day (store_ops.day_takings, daily_rows). */
struct store_taking {
    int64_t id;       /* the payment's id */
    char *method;     /* "transfer" or "cash" */
    int64_t amount;   /* đồng */
    int64_t credit;   /* đồng the day's allocations left of it */
    int64_t kiosk;    /* the transfer's intent's kiosk, the cash's
                         recorder; 0: none */
    char *kiosk_name; /* its name, "" */
    char *collector;  /* who took the cash, "" */
};

/* A day's payments by id; store_takings_free() frees them. */
struct store_takings {
    struct store_taking *rows; /* malloc'd array of `n` rows */
    size_t n;                  /* count of `rows` */
};

/* Free the rows of `t` and empty it (NULL does nothing). */
void store_takings_free(struct store_takings *t);

/* An invoice of a day's reconciliation: issued by the end of the day,
 * paid as of then. */
struct store_day_invoice {
    int64_t id;            /* the invoice's id */
    char *payer;           /* the payer's code */
    char *period;          /* its period */
    char *day;             /* the day it was issued, YYYY-MM-DD */
    int64_t amount;        /* đồng */
    int64_t paid_transfer; /* đồng allocated from transfers by then */
    int64_t paid_cash;     /* đồng allocated from cash by then */
};

/* A bank transaction counted on a day (frozen by its close, if any). */
struct store_day_bank {
    int64_t id;      /* the transaction's id */
    char *ref;       /* bank reference, or provider:provider id */
    int64_t amount;  /* đồng */
    char *direction; /* "credit" or "debit" */
    char *state;     /* matched, unmatched, duplicate, ignored, ... */
    char *outcome;   /* exact, partial, over, credit, "" */
    int late;        /* 1: booked later for a closed day */
    char *booked_at; /* the bank's booking time */
    int has_balance; /* 1 when the provider gave a running balance */
    int64_t balance; /* that balance, đồng */
};

/* A payment the ledger booked from one of the day's bank transactions. */
struct store_day_ledger {
    char *ref;      /* the transaction's reference (as store_day_bank) */
    int64_t amount; /* đồng */
    int late;       /* 1: the transaction is late, or the payment
                       corrects another day */
};

/* A payer's credit held at the end of a day. */
struct store_day_credit {
    char *payer;    /* the payer's code */
    int64_t amount; /* đồng */
};

/* A correction dated on a day, pointing back at a closed one. */
struct store_day_correction {
    int64_t id;          /* its id */
    char *kind;          /* what it corrects */
    char *corrects_date; /* the closed day, YYYY-MM-DD */
    char *corrects;      /* the record it corrects */
    int64_t amount;      /* đồng */
    char *payer;         /* the payer's code, "" */
    char *reason;        /* why */
};

/* A refund dated on a day. */
struct store_day_refund {
    int64_t id;     /* its id */
    char *payer;    /* the payer's code */
    int64_t amount; /* đồng */
};

/*
 * The records behind a day's reconciliation (store_ops.daily_rows).
 * Everything is malloc'd and owned by it; store_day_rows_free() frees
 * it.
 */
struct store_day_rows {
    struct store_day_invoice *invoices;       /* by id */
    size_t n_invoices;                        /* count of `invoices` */
    struct store_day_bank *bank;              /* by id */
    size_t n_bank;                            /* count of `bank` */
    struct store_day_ledger *ledger;          /* by transaction id */
    size_t n_ledger;                          /* count of `ledger` */
    struct store_day_credit *credits;         /* by payer code */
    size_t n_credits;                         /* count of `credits` */
    struct store_day_correction *corrections; /* by id */
    size_t n_corrections;                     /* count of `corrections` */
    struct store_takings takings;             /* the day's payments */
    struct store_day_refund *refunds;         /* by id */
    size_t n_refunds;                         /* count of `refunds` */
    int has_statement; /* 1: a statement covers just that day */
    int64_t opening;   /* its opening balance, đồng */
    int64_t closing;   /* its closing balance, đồng */
    int closed;        /* 1: the day is closed (bank side frozen) */
    char digest[65];   /* hex SHA-256 of the rows */
};

/* Free what `r` owns and empty it (NULL does nothing). */
void store_day_rows_free(struct store_day_rows *r);

/* What store_ops.day_close recorded. */
struct store_day_closed {
    int64_t closed_at;        /* unix seconds */
    int64_t audit_id;         /* the close's own audit entry */
    char audit_head[65];      /* its hash: the audit chain head it stores */
    const char *force_reason; /* the caller's force_reason when the day
                                 had open items, NULL otherwise */
};

/*
 * A closed (not reopened) day as day_closes gives it. The strings are
 * malloc'd and owned by the row; store_close_list_free() frees them.
 */
struct store_close_row {
    int64_t id;         /* the close's id */
    char *org;          /* the organisation's code */
    int64_t org_id;     /* its id */
    char *date;         /* the day, YYYY-MM-DD */
    char *totals;       /* the report stored at closing, JSON text */
    int64_t audit_id;   /* the close's audit entry */
    char *audit_head;   /* that entry's hash stored at closing */
    char *audit_now;    /* that entry's hash now, "" when it is gone */
    int64_t bank_seq;   /* the last bank transaction id at closing */
    int64_t version;    /* 1: closed before corrections existed (only its
                           bank side is checked); 2: the whole report
                           without the day's payments; 3: with them */
    char *force_reason; /* why it was closed with open items, NULL: it
                           had none */
};

/* Closed days by id; store_close_list_free() frees them. */
struct store_close_list {
    struct store_close_row *rows; /* malloc'd array of `n` rows */
    size_t n;                     /* count of `rows` */
};

/* Free the rows of `l` and empty it (NULL does nothing). */
void store_close_list_free(struct store_close_list *l);

/* A count of the store's records of one kind (store_ops.stats). */
struct store_stat {
    char *key;      /* an intent status or a payment method */
    int64_t count;  /* records */
    int64_t amount; /* đồng, payments only (0 for intents) */
};

/* What store_ops.stats counts; store_stats_free() frees it. */
struct store_stats {
    struct store_stat *intents;  /* by status (a pending one past its
                                    expiry counts as "expired") */
    size_t n_intents;            /* count of `intents` */
    struct store_stat *payments; /* by method */
    size_t n_payments;           /* count of `payments` */
};

/* Free what `t` owns and empty it (NULL does nothing). */
void store_stats_free(struct store_stats *t);

/*
 * A receipt as receipt_get gives it. The strings are malloc'd and owned
 * by it; store_receipt_clear() frees them.
 */
struct store_receipt {
    char *number;      /* its number */
    char *org;         /* the organisation's code */
    char *org_name;    /* its name */
    char *payer;       /* the payer's code */
    char *payer_name;  /* the payer's name */
    char *method;      /* "transfer" or "cash" */
    int64_t amount;    /* đồng */
    int64_t paid_at;   /* unix seconds */
    char *text;        /* the signed CPR1 QR text */
    int voided;        /* 1 once its payment was reversed */
    int64_t voided_at; /* unix seconds it was voided; 0: it is not */
    int64_t payment;   /* the payment's id */
    char *purpose;     /* the labels of the invoices it paid, ", "
                          between them, each once */
    char *public_url;  /* its public address, "/r/NUMBER?s=SIG" */
};

/* A receipt's public address: "/r/" NUMBER "?s=" and a signature of
 * STORE_RECEIPT_SIG_LEN base64url characters (STORE_RECEIPT_SIG_BYTES
 * bytes of an HMAC keyed with the organisation's receipt key). */
#define STORE_RECEIPT_SIG_BYTES 12
#define STORE_RECEIPT_SIG_LEN   16
#define STORE_RECEIPT_URL_MAX   64

/* Free the strings of `r` and set them to NULL (NULL does nothing). */
void store_receipt_clear(struct store_receipt *r);

/* An active payer as a standee shows it. */
struct store_standee_payer {
    char *code;              /* "A-12" */
    char *name;              /* vendor or student name */
    char *bank_bin;          /* its own bank, "" when it has no own account */
    char *bank_account;      /* its own account, "" when it has none */
    char *bank_account_name; /* that account's holder, "" when none */
};

/*
 * What standees of an organisation show (store_ops.standee_payers).
 * Everything is malloc'd and owned by it; store_standees_free() frees
 * it.
 */
struct store_standees {
    char *org_name;                     /* the organisation's name */
    struct store_standee_payer *payers; /* by code */
    size_t n_payers;                    /* count of `payers` */
};

/* Free what `t` owns and empty it (NULL does nothing). */
void store_standees_free(struct store_standees *t);

/* What a refund drew from one of the payer's payments. */
struct store_refund_part {
    int64_t payment; /* the payment's id */
    int64_t amount;  /* đồng taken from its unallocated part */
};

/* A refund as store_ops.payer_refund made it; store_refund_free() frees
 * its parts. */
struct store_refund {
    int64_t id;                      /* the refund's id */
    int64_t amount;                  /* đồng given back */
    int64_t credit_left;             /* đồng of credit the payer holds now */
    struct store_refund_part *parts; /* oldest payment first */
    size_t n_parts;                  /* count of `parts` */
};

/* Free what `r` owns and empty it (NULL does nothing). */
void store_refund_free(struct store_refund *r);

/* An idempotent request: the credential scope, the key and the body. */
struct store_idem {
    const char *key;       /* Idempotency-Key header */
    const char *body_hash; /* hex SHA-256 of method, route and body */
    /*
     * The answer as the record keeps it: the write's result `res` (the
     * operation's out struct) rendered by the caller as the response
     * body (JSON text, malloc'd; NULL when out of memory). The store
     * calls it inside the write's transaction, so the record commits
     * with the write; a replay gives that text back.
     */
    char *(*render)(const void *res);
};

/* A payment of an intent. */
struct store_intent_payment {
    int64_t id;      /* the payment's id */
    char *method;    /* "transfer" or "cash" */
    int64_t amount;  /* đồng */
    char *reference; /* bank reference; NULL: none */
    int64_t at;      /* unix seconds it was made */
};

/*
 * An intent as intent_create, intent_get and intent_cancel give it.
 * Everything is malloc'd and owned by it; store_intent_free() frees it.
 */
struct store_intent {
    int64_t id;         /* its id */
    char *code;         /* its payment code */
    char *status;       /* pending, partial, paid, expired or cancelled
                           (expired: pending past its expiry) */
    int64_t amount;     /* đồng asked for */
    int64_t paid;       /* đồng received */
    char *payload;      /* the VietQR payload */
    char *bank_bin;     /* the collecting bank's NAPAS BIN */
    char *account;      /* the collecting account */
    char *account_name; /* its holder */
    int64_t expires_at; /* unix seconds */
    int64_t expires_in; /* seconds left at the time asked, 0 once past */
    char *payer;        /* the payer's code */
    char *payer_name;   /* the payer's name */
    int64_t *invoices;  /* the invoices it pays, in order */
    size_t n_invoices;  /* count of `invoices` */
    char *reason;       /* why it ended (cancelled, ...); NULL: none */
    char *receipt;      /* the last payment's receipt number; NULL: none */
    char *receipt_url;  /* its public address; NULL: none */
    struct store_intent_payment *payments; /* by id */
    size_t n_payments;                     /* count of `payments` */
};

/* Free what `t` owns and empty it (NULL does nothing). */
void store_intent_free(struct store_intent *t);

/* Payment codes reserved for a kiosk (store_ops.codes_reserve);
 * store_codes_free() frees them. */
struct store_codes {
    char **codes; /* malloc'd codes */
    size_t n;     /* count of `codes` */
};

/* A collector of an organisation (who takes cash at its kiosks). */
struct store_collector {
    char *name;           /* unique in its organisation */
    char *pin_hash;       /* NULL unless asked for */
    int active;           /* 0: disabled */
    int64_t failures;     /* wrong PINs since the last right one */
    int64_t locked_until; /* unix; wrong PINs lock it until then */
    int64_t created_at;   /* unix */
};

/* The collectors of an organisation; store_collector_list_free frees. */
struct store_collector_list {
    struct store_collector *rows;
    size_t n;
};

/* Free what `l` owns and empty it (NULL does nothing). */
void store_collector_list_free(struct store_collector_list *l);

/* Free what `c` owns and empty it (NULL does nothing). */
void store_codes_free(struct store_codes *c);

/*
 * A cash payment as cash_record made it. Everything is malloc'd and
 * owned by it; store_cash_free() frees it.
 */
struct store_cash {
    int64_t payment;                      /* the payment's id */
    char *payer;                          /* the payer's code */
    int64_t amount;                       /* đồng */
    char *collector;                      /* who took the cash */
    struct store_allocation *allocations; /* oldest invoice first */
    size_t n_allocations;                 /* count of `allocations` */
    int64_t remaining_due;                /* đồng the invoices still owe */
    char *receipt;                        /* its receipt's number */
    char *receipt_url;                    /* its public address */
};

/* Free what `p` owns and empty it (NULL does nothing). */
void store_cash_free(struct store_cash *p);

/* A request to create an intent (POST /v1/intents). */
struct store_intent_req {
    const char *payer;       /* payer code */
    const int64_t *invoices; /* invoice ids, or NULL for "all" */
    size_t n_invoices;       /* count of `invoices` */
    int64_t amount;          /* 0: everything due */
    int64_t ttl;             /* seconds until expiry */
    const char *code;        /* a code this kiosk reserved (its offline
                                QR), or NULL for a fresh one */
};

/* A cash payment (POST /v1/cash). */
struct store_cash_req {
    const char *payer;       /* payer code */
    const int64_t *invoices; /* invoice ids, or NULL for "all" */
    size_t n_invoices;       /* count of `invoices` */
    int64_t amount;          /* đồng, > 0, at most what is due */
    const char *collector;   /* who took the cash */
    const char *note;        /* optional free text, or NULL */
    int64_t recorded_at;     /* when the kiosk took it (unix), 0: now */
    const char *date;        /* the day the kiosk says it is for
                                (YYYY-MM-DD), or NULL */
};

/*
 * A bank transfer already matched to an intent (by the matching
 * engine). `reference` is the bank's transaction id.
 */
struct store_transfer {
    const char *intent_code; /* the payment code found in the content */
    int64_t amount;          /* đồng, > 0 */
    const char *reference;   /* bank reference, unique per bank account */
    const char *source;      /* "sepay", "casso", "statement", ... */
};

/*
 * A transfer as transfer_apply booked it. `allocations` is malloc'd and
 * owned by it; store_transfer_made_free() frees it.
 */
struct store_transfer_made {
    int64_t payment;                      /* the payment's id */
    int64_t intent;                       /* the intent's id */
    char code[32];                        /* the intent's payment code */
    char status[16];                      /* the intent's status now */
    int64_t amount;                       /* đồng */
    struct store_allocation *allocations; /* oldest invoice first */
    size_t n_allocations;                 /* count of `allocations` */
    int64_t unallocated;                  /* đồng held as credit (the
                                             payment is flagged "over"
                                             when > 0) */
};

/* Free what `m` owns and empty it (NULL does nothing). */
void store_transfer_made_free(struct store_transfer_made *m);

/* List filters; NULL fields are not applied. */
struct store_filter {
    const char *payer;  /* payer code */
    const char *status; /* invoice or intent status */
    const char *period; /* invoice period */
    const char *method; /* payment method */
    int64_t since;      /* unix time, 0 = none */
    const char *q;      /* payers: search text in code or name */
    int64_t limit;      /* rows, 1..1000 */
    int64_t after_id;   /* paging: ids greater than this */
    const char *date;   /* bank transactions: report day, NULL = any */
    int64_t offset;     /* paging: rows skipped after that */
    int own_account;    /* payers: 1 only those with their own account */
    int with_credit;    /* payers: 1 only those holding credit */
};

/* A receipt in a list (receipt_list); strings malloc'd, owned by it. */
struct store_receipt_row {
    int64_t id;       /* its id (paging: store_filter.after_id) */
    char *number;     /* "CP-2026-000123" */
    char *payer;      /* the payer's code */
    char *method;     /* "cash" or "transfer" */
    int64_t amount;   /* đồng */
    int64_t paid_at;  /* unix seconds */
    int voided;       /* 1 when its payment was reversed */
    char *public_url; /* its public address, "/r/NUMBER?s=SIG" */
};

/* Receipts in id order; store_receipt_list_free() frees them. */
struct store_receipt_list {
    struct store_receipt_row *rows; /* malloc'd array of `n` rows */
    size_t n;                       /* count of `rows` */
    int64_t total;                  /* rows the filter matches, all pages */
};

/* Free the rows of `l` and empty it (NULL does nothing). */
void store_receipt_list_free(struct store_receipt_list *l);

/* A webhook notification as received, for the journal. */
struct store_journal {
    const char *provider; /* "sepay", "casso", "payos", "generic" */
    int64_t org_id;       /* the organisation it was mapped to, 0 none */
    const char *headers;  /* JSON object of the headers that matter */
    const char *body;     /* the raw body (not NUL-terminated) */
    size_t len;           /* its length */
    const char *verified; /* "ok" or the feeds error name */
    const char *state;    /* "received", "rejected" or "invalid" */
    const char *detail;   /* why rejected/invalid, or "" */
    int64_t now;          /* received at, unix seconds */
    int64_t keep;         /* > 0: after adding an unverified entry, only
                             the newest `keep` unverified ones stay */
    int64_t processed_at; /* > 0: stored "processed" at this time, by the
                             transaction that processes it */
};

/*
 * What bank_add decided for one transaction. `state` is set for every
 * one; the other fields only for the decisions that have them (0 or ""
 * otherwise).
 */
struct store_bank_result {
    int64_t id;           /* the bank transaction */
    char state[16];       /* matched, ambiguous, unmatched, duplicate,
                             ignored; a replay: the state it has */
    int replayed;         /* 1: the same provider id again, nothing done */
    char outcome[8];      /* matched: exact, partial, over or credit */
    int64_t intent;       /* matched: the intent it paid */
    char reason[24];      /* unmatched or ignored: why */
    int64_t duplicate_of; /* duplicate: the transfer it repeats */
    int64_t *candidates;  /* possible_duplicate: the transfers it may
                             repeat, malloc'd array of `n_candidates` */
    size_t n_candidates;  /* count of `candidates` */
    char late_for[11];    /* booked on this closed day (YYYY-MM-DD), "" */
    char dated[11];       /* then: the open day it counts on, "" */
};

/* Free what `r` owns and empty it (NULL does nothing). */
void store_bank_result_free(struct store_bank_result *r);

/* bank_add's answers for a webhook's transactions, in their order;
 * store_bank_results_free() frees them. */
struct store_bank_results {
    struct store_bank_result *rows; /* malloc'd array of `n` */
    size_t n;                       /* count of `rows` */
};

/* Free the rows of `l` and empty it (NULL does nothing). */
void store_bank_results_free(struct store_bank_results *l);

/* A verified webhook to journal and process (store_ops.bank_hook). */
struct store_hook {
    const struct store_journal *journal; /* its entry: verified "ok",
                                            state "received" */
    int64_t org_id;                      /* the organisation it maps to */
    const struct bank_txn_list *txns;    /* its parsed transactions */
    const char *actor;                   /* for the audit log */
    int64_t now;                         /* received at, unix seconds */
    int64_t journal_id;                  /* out: its journal entry */
    struct store_bank_results results;   /* out: bank_add's answer for
                                            each transaction (caller frees) */
};

/* A journal entry still "received" (store_ops.journal_pending). */
struct store_pending_entry {
    int64_t id;     /* its id */
    char *provider; /* "sepay", "casso", "payos", "generic" */
    int64_t org_id; /* the organisation it was mapped to, 0 none */
    char *body;     /* the raw body, malloc'd, NUL after `len` bytes */
    size_t len;     /* its length */
};

/* Journal entries oldest first; store_pending_list_free() frees them. */
struct store_pending_list {
    struct store_pending_entry *rows; /* malloc'd array of `n` rows */
    size_t n;                         /* count of `rows` */
};

/* Free the rows of `l` and empty it (NULL does nothing). */
void store_pending_list_free(struct store_pending_list *l);

/*
 * Bounds on the journal's unverified entries (state "rejected" or
 * "invalid", not verified "ok"): what a stranger can make the server
 * keep. 0 in a field: no bound of that kind.
 */
struct store_journal_limits {
    int64_t max_entries; /* the newest this many stay */
    int64_t max_bytes;   /* headers + kept body + detail, newest first */
    int64_t max_age;     /* seconds since received */
};

/* A bank transaction as bank_list and bank_get read it (bank_txns). An
 * id field of 0 is NULL in the table; text is "" when empty. */
struct store_bank_txn {
    int64_t id;
    char *provider;        /* "sepay", "casso", ... */
    char *provider_txn_id; /* the provider's id of the transaction */
    char *channel;         /* "webhook" or "statement" */
    char *account;         /* the collecting account */
    char *direction;       /* "credit" or "debit" */
    int64_t amount;        /* đồng */
    char *currency;        /* "VND" */
    char *booking_date;    /* YYYY-MM-DD as the bank books it */
    char *booked_at;       /* the bank's booking time */
    char *bank_ref;        /* bank reference */
    char *code;            /* the payment code read from the description */
    char *description;
    char *counter_name;
    char *counter_account;
    char *state;          /* matched, unmatched, ambiguous, duplicate, ignored,
                             rejected */
    char *outcome;        /* how it was matched, "" */
    char *reason;         /* why it waits or was decided, "" */
    int64_t duplicate_of; /* the transaction it repeats; 0: none */
    int confirmed;        /* 1: the bank confirmed it */
    int64_t payment_id;   /* the payment it made; 0: none */
    int64_t intent_id;    /* the intent it paid; 0: none */
    char *suggestions;    /* the reviewer's suggestions, a JSON array */
    int64_t journal_id;   /* the journal entry it came in; 0: none */
    int64_t import_id;    /* the statement import it came in; 0: none */
    int64_t created_at;
    int64_t updated_at;
    char *report_date; /* the day it counts on, YYYY-MM-DD */
    int has_balance;   /* 1: the statement gave the balance after it */
    int64_t balance;   /* đồng, when has_balance */
};

/* One audit entry of a bank transaction (bank_get). */
struct store_bank_audit {
    int64_t at;   /* unix time */
    char *actor;  /* "cli", "token:1", "bank:sepay", ... */
    char *action; /* "bank.matched", ... */
    char *detail; /* a JSON object */
};

/* One bank transaction with its audit trail, oldest first (bank_get);
 * store_bank_txn_full_free() frees it. */
/* One part of a transfer split across payers (bank_split). */
struct store_bank_part {
    char *payer;     /* the payer's code */
    int64_t amount;  /* đồng */
    int64_t payment; /* the payment booked for it */
};

struct store_bank_txn_full {
    struct store_bank_txn txn;
    struct store_bank_audit *audit; /* malloc'd array of `n_audit` */
    size_t n_audit;                 /* count of `audit` */
    struct store_bank_part *parts;  /* a split one's parts, in order */
    size_t n_parts;                 /* count of `parts` (0: not split) */
};

/* Bank transactions by id (bank_list); store_bank_txn_list_free() frees
 * them. */
struct store_bank_txn_list {
    struct store_bank_txn *rows; /* malloc'd array of `n` */
    size_t n;                    /* count of `rows` */
    int64_t total;               /* rows the filter matches, all pages */
};

/* Free what `t` owns and empty it (NULL does nothing). */
void store_bank_txn_clear(struct store_bank_txn *t);
/* Free the rows of `l` and empty it (NULL does nothing). */
void store_bank_txn_list_free(struct store_bank_txn_list *l);
/* Free what `t` owns and empty it (NULL does nothing). */
void store_bank_txn_full_free(struct store_bank_txn_full *t);

/* A statement's balance check in a batch (bank_end). */
struct store_bank_balance {
    char id[FEEDS_ID_MAX];                     /* the statement's id */
    char account[FEEDS_ACCOUNT_MAX];           /* its account */
    char balance_check[16];                    /* "ok", "mismatch", ... */
    int64_t opening, credits, debits, closing; /* đồng */
    int64_t entries;                           /* credits and debits */
    int64_t skipped;                           /* entries left out */
    char message[256];                         /* the figures, on a mismatch */
};

/* What a batch of bank transactions did (bank_end);
 * store_bank_summary_free() frees it. */
struct store_bank_summary {
    int64_t n_new, n_replayed;                   /* new, seen before */
    int64_t n_matched, n_unmatched, n_ambiguous; /* by outcome */
    int64_t n_duplicate, n_ignored;
    int64_t n_statements;                /* statements recorded */
    struct store_bank_balance *balances; /* malloc'd array of `n_balances` */
    size_t n_balances;                   /* count of `balances` */
};

/* Free what `s` owns and empty it (NULL does nothing). */
void store_bank_summary_free(struct store_bank_summary *s);

/* A review action (POST /v1/orgs/{org}/bank/transactions/{id}/...). */
struct store_review {
    const char *action; /* "match", "unmatch", "ignore" */
    int64_t intent;     /* match: intent id, or 0 */
    const char *payer;  /* match: payer code, or NULL */
    const char *reason; /* mandatory free text */
};

/* What still stands open on a day (store_ops.day_open_items). */
struct store_open_items {
    int64_t review_count;      /* credits awaiting review (unmatched or
                                  ambiguous) reported on the day */
    int64_t review_amount;     /* their sum, đồng */
    int64_t unbalanced_count;  /* the day's bank statements whose opening
                                  + credits - debits is not the closing */
    int64_t unbalanced_amount; /* the sum of those gaps (absolute), đồng */
};

/* One part of a bank transfer split across payers (store_ops.bank_split). */
struct store_split_part {
    const char *payer; /* payer code */
    int64_t amount;    /* đồng, > 0 */
};

/* Where store_ops.adoption_scan delivers its rows; each callback returns
 * 0 to go on. Strings are valid during the call only. */
struct store_adoption_sink {
    void *ctx; /* passed to every callback */
    /* an organisation in scope (ascending ids) */
    int (*org)(void *ctx, int64_t id, const char *code, const char *name,
               const char *province);
    /* an active payer of one of them (ascending ids) */
    int (*payer)(void *ctx, int64_t id, int64_t org_id, int has_account,
                 int has_standee);
    /* a fee type of one of them; NULL: fee types are not needed (every
     * payment then comes with fee 0, and faster) */
    int (*fee)(void *ctx, int64_t id, const char *code);
    /* a payment: its payer, Vietnam day (days since 1970-01-01), amount,
     * 1 for a transfer, the fee of its first allocation (0: none) */
    int (*payment)(void *ctx, int64_t payer_id, int32_t day, int64_t amount,
                   int cashless, int64_t fee_id);
};

/* A day with records of one organisation (see struct store_check). */
struct store_check_day {
    int64_t org_id; /* the organisation */
    char org[32];   /* its code */
    char date[11];  /* YYYY-MM-DD, as the records are dated */
};

/*
 * What store_ops.ledger_check found: each count is the number of records
 * that break the invariant its name states (0: it holds). Read in one
 * snapshot of the database. `days` (malloc'd, the caller free()s it)
 * lists every (organisation, day) that has a dated record, for the
 * caller to build their reports.
 */
struct store_check {
    int64_t invoice_paid_equals_allocations; /* paid != the sum of the
                                                allocations of live
                                                (not reversed) payments */
    int64_t invoice_paid_within_amount;      /* paid < 0 or > amount */
    int64_t intent_paid_equals_payments;     /* paid != the sum of its live
                                                payments */
    int64_t intent_status_follows_paid;      /* not cancelled and its status
                                                is not pending (0), partial
                                                or paid as its paid says */
    int64_t payment_amount_equals_parts;     /* a live payment's amount !=
                                                allocated + unallocated +
                                                refunded */
    int64_t payment_parts_not_negative;      /* an amount, allocation,
                                                refund part <= 0 or an
                                                unallocated part < 0 */
    int64_t reversed_payment_holds_nothing;  /* a reversed payment still
                                                holds credit or refunds */
    int64_t refund_equals_parts;             /* a refund's amount != the
                                                sum of what it drew from
                                                payments */
    int64_t payment_has_one_receipt;         /* a live payment without
                                                exactly one valid receipt,
                                                or a reversed one with a
                                                receipt not voided */
    int64_t payer_credit_equals_unallocated; /* credit != the sum of the
                                                unallocated parts of the
                                                payer's live payments */
    int64_t matched_txn_has_one_payment;     /* a matched bank transaction
                                                without a live payment of
                                                its organisation and
                                                amount (split: without
                                                live parts that sum to
                                                it) */
    int64_t unmatched_txn_has_no_payment;    /* a bank transaction that is
                                                not matched yet names a
                                                payment or parts */
    int64_t payment_matched_once;            /* a payment named by two or
                                                more bank transactions or
                                                parts */
    int64_t duplicate_has_live_original;     /* a duplicate whose original
                                                is missing, a duplicate,
                                                or of another organisation,
                                                direction or amount */
    int64_t audit_chain_verifies;            /* 1 when the hash chain of
                                                the audit log breaks */
    char audit_message[160];                 /* where it breaks, or "" */
    struct store_check_day *days;            /* days with records */
    size_t n_days;                           /* count of `days` */
};

/* One ingestion batch (a webhook or a whole statement file): one write
 * transaction. Opaque; see store_ops.bank_begin. */
struct store_bank;

struct store;

/*
 * Called after the commit of any change to an intent's state, with the
 * intent id; the server points it at the long-poll notifier.
 */
typedef void (*store_changed_fn)(void *ctx, int64_t intent_id);

/* The intent id `changed` gets (and the other nodes hear) when a commit
 * changed more intents than it could list: every waiter is woken. */
#define STORE_CHANGED_ALL (-1)

/*
 * Several nodes on one database: every commit that calls `changed` also
 * sends, in the same transaction (db_notify, delivered only if it
 * commits), a notification on STORE_CHANNEL with the payload
 * "INTENT NODE": the intent id in decimal, a space and the `node` of the
 * store that committed it, so a node hearing its own can skip it.
 */
#define STORE_CHANNEL  "chopay_intent"
#define STORE_NODE_LEN 16 /* hex digits of a store's node name */

/*
 * A revocation sends "creds NODE" on the same channel: the nodes hearing
 * it call store_creds_changed(), which voids the credentials their store
 * has cached (a node also voids them itself at its own commit, and every
 * cached credential is looked up again after at most a second anyway).
 */
#define STORE_CREDS_PAYLOAD "creds"
void store_creds_changed(struct store *st);

/*
 * The interface. Every function returns 0 or a negated enum store_error;
 * out-parameters are left untouched on error. On success a struct
 * out-parameter is owned by the caller (freed with its store_*_free or
 * store_*_clear function) and a json one is a new reference the caller
 * owns. `now` is unix time in seconds.
 */
/* A refund of payer credit (money sent back to the payer). */
struct store_refund_req {
    const char *payer;     /* payer code */
    int64_t amount;        /* đồng, > 0, at most the payer's credit */
    const char *reference; /* bank reference of the outgoing transfer */
    const char *reason;    /* why (mandatory) */
};

struct store_collector_list;

struct store_ops {
    void (*close)(struct store *st);

    /* Credentials: `hash` is the hex SHA-256 of the bearer secret. */
    int (*auth)(struct store *st, const char *hash,
                struct store_principal *out);
    int (*kiosk_add)(struct store *st, const char *org_code, const char *name,
                     const char *hash, int64_t *id);
    /* An API token of `role`: of organisation `org_code` (board,
     * auditor), of province `province` (role province: any spelling of
     * an organisation's province, stored as they spell it; an unknown
     * one is -STORE_E_NOT_FOUND "province_not_found"), or neither
     * (admin). */
    int (*token_add)(struct store *st, const char *role, const char *org_code,
                     const char *province, const char *hash, int64_t *id);
    /*
     * The provinces: `name` as the organisations spell it (matched
     * without regard to diacritics, case or spacing) into `out` (`cap`
     * bytes); -STORE_E_NOT_FOUND "province_not_found" when no
     * organisation is in it (the message names those there are),
     * -STORE_E_INVALID for a name that is empty, too long or not UTF-8.
     */
    int (*province_find)(struct store *st, const char *name, char *out,
                         size_t cap);
    /* Every province with its number of organisations, by name. */
    int (*provinces)(struct store *st, struct store_province_list *out);
    /* 1 when organisation `org_id` is in `province` (as stored), 0 when
     * not, or a negated store error. */
    int (*org_in_province)(struct store *st, int64_t org_id,
                           const char *province);

    /*
     * Organisations. create and update fill *out (may be NULL) with the
     * organisation as stored; list gives every organisation (`org_id` 0)
     * or only that one. The caller frees *out (store_org_row_clear,
     * store_org_list_free).
     */
    int (*org_create)(struct store *st, const struct store_org *o,
                      const char *actor, struct store_org_row *out);
    int (*org_update)(struct store *st, const char *code,
                      const struct store_org *o, const char *actor,
                      struct store_org_row *out);
    int (*org_get)(struct store *st, const char *code,
                   struct store_org_row *out);
    int (*org_list)(struct store *st, int64_t org_id,
                    struct store_org_list *out);
    int (*org_id)(struct store *st, const char *code, int64_t *out);

    /*
     * Payers. put (`create`: 1 insert only, 0 update only) fills *out
     * (may be NULL) with the payer as stored; import inserts or updates
     * every row in one transaction; list pages by id (f->after_id,
     * f->limit). The caller frees *out (store_payer_row_clear,
     * store_payer_list_free).
     */
    int (*payer_put)(struct store *st, int64_t org_id,
                     const struct store_payer *p, int create, const char *actor,
                     struct store_payer_row *out);
    int (*payer_import)(struct store *st, int64_t org_id,
                        const struct store_payer *rows, size_t n,
                        const char *actor, struct store_payer_import *out);
    int (*payer_list)(struct store *st, int64_t org_id,
                      const struct store_filter *f,
                      struct store_payer_list *out);

    /*
     * Fee schedules. put (`create` 1 insert, 0 update) fills *out (may be
     * NULL) with the fee as stored. The caller frees *out
     * (store_fee_row_clear, store_fee_list_free).
     */
    int (*fee_put)(struct store *st, int64_t org_id, const struct store_fee *f,
                   int create, const char *actor, struct store_fee_row *out);
    int (*fee_list)(struct store *st, int64_t org_id,
                    struct store_fee_list *out);

    /*
     * Invoices for `period` (one fee, or every fee of the period's kind);
     * *out (may be NULL) gets the counts. list filters by f->payer,
     * f->period, f->status and pages by id; the caller frees *out
     * (store_invoice_list_free).
     */
    int (*invoices_generate)(struct store *st, int64_t org_id,
                             const char *period, const char *fee_code,
                             const char *actor,
                             struct store_invoices_made *out);
    int (*invoice_list)(struct store *st, int64_t org_id,
                        const struct store_filter *f,
                        struct store_invoice_list *out);

    /* Kiosk side: a payer's dues, the organisation's directory. The
     * caller frees *out (store_dues_free, store_directory_free). */
    int (*dues)(struct store *st, int64_t org_id, const char *payer,
                struct store_dues *out);
    int (*directory)(struct store *st, int64_t org_id,
                     struct store_directory *out);
    /*
     * Create an intent for `req` (a kiosk's, `who`) into *out; the caller
     * frees it (store_intent_free). The same Idempotency-Key and body
     * again: nothing is written, *replay gets the answer the first call
     * recorded (idem->render's text; the caller frees it) and *out is
     * untouched; otherwise *replay is NULL.
     */
    int (*intent_create)(struct store *st, const struct store_principal *who,
                         const struct store_idem *idem,
                         const struct store_intent_req *req, int64_t now,
                         struct store_intent *out, char **replay);
    /*
     * Reserve `count` payment codes for a kiosk's offline QR codes into
     * *out (store_codes_free); an intent may later claim one
     * (intent_req.code). *replay as intent_create.
     */
    int (*codes_reserve)(struct store *st, const struct store_principal *who,
                         const struct store_idem *idem, int count, int64_t now,
                         struct store_codes *out, char **replay);
    /* Intent `id` of `org_id` as at `now` into *out (store_intent_free). */
    int (*intent_get)(struct store *st, int64_t org_id, int64_t id, int64_t now,
                      struct store_intent *out);
    /* Cancel a pending (or expired) intent, audited; cancelling twice
     * changes nothing. *out gets it as it is then (store_intent_free). */
    int (*intent_cancel)(struct store *st, int64_t org_id, int64_t id,
                         const char *actor, int64_t now,
                         struct store_intent *out);
    /* Intents filtered by f->payer, f->status and f->since, paged by id;
     * a pending one past its expiry at `now` is "expired". The caller
     * frees *out (store_intent_list_free). */
    int (*intent_list)(struct store *st, int64_t org_id,
                       const struct store_filter *f, int64_t now,
                       struct store_intent_list *out);
    /*
     * Record cash a kiosk took for `req`, allocated to the invoices
     * oldest first, with its receipt, into *out (store_cash_free).
     * *replay as intent_create.
     */
    int (*cash_record)(struct store *st, const struct store_principal *who,
                       const struct store_idem *idem,
                       const struct store_cash_req *req, int64_t now,
                       struct store_cash *out, char **replay);
    /* Payments with their allocations, filtered by f->payer, f->method
     * and f->since, paged by id. The caller frees *out
     * (store_payment_list_free). */
    int (*payment_list)(struct store *st, int64_t org_id,
                        const struct store_filter *f,
                        struct store_payment_list *out);
    /*
     * The ledger entry point for bank ingestion: in one
     * transaction, record the transfer as a payment of the intent's payer,
     * allocate it to the intent's open invoices oldest first (exact: paid;
     * less: partial; more: the excess stays unallocated as the payer's
     * credit and the payment is flagged "over"), then call the changed
     * callback. *out gets what was booked (store_transfer_made_free). A
     * reference already recorded is a duplicate: -CONFLICT.
     */
    int (*transfer_apply)(struct store *st, int64_t org_id,
                          const struct store_transfer *t, const char *actor,
                          int64_t now, struct store_transfer_made *out);

    /* ---- bank confirmation (store/bank_intake.c, journal.c, review.c) ---- */

    /* The organisation whose collecting account is `account` (digits and
     * letters compared, separators ignored); code into `code` (32). */
    int (*bank_account_org)(struct store *st, const char *account,
                            int64_t *org_id, char *code);
    /* Store/read a provider's secrets for an organisation ("sepay",
     * "casso", "payos", "generic"); NULL/"" fields are cleared. get
     * fills "" when not configured. */
    int (*bank_secret_put)(struct store *st, int64_t org_id,
                           const char *provider, const char *api_key,
                           const char *hmac_key, const char *actor);
    int (*bank_secret_get)(struct store *st, int64_t org_id,
                           const char *provider, char *api_key, size_t ak_cap,
                           char *hmac_key, size_t hk_cap);
    /* Append a notification to the journal and COMMIT (fsync) it. */
    int (*journal_add)(struct store *st, const struct store_journal *j,
                       int64_t *id);
    /* Journal entries still "received" (crash before processing), oldest
     * first, at most `limit`, into *out (store_pending_list_free). */
    int (*journal_pending)(struct store *st, int64_t limit,
                           struct store_pending_list *out);
    /* Mark a journal entry "invalid" with `detail` (it cannot be parsed). */
    int (*journal_fail)(struct store *st, int64_t id, const char *detail);
    /*
     * Remove the unverified journal entries beyond `lim` (older than
     * max_age at `now`, then the oldest beyond max_entries and max_bytes).
     * Verified entries are never removed. *removed (may be NULL) gets how
     * many went.
     */
    int (*journal_prune)(struct store *st,
                         const struct store_journal_limits *lim, int64_t now,
                         int64_t *removed);
    /*
     * Start a batch: takes the write lock and opens one transaction.
     * `import_kind` NULL for a webhook, else "camt"/"mt940"/"csv": an
     * import record is created (see bank_statement).
     */
    int (*bank_begin)(struct store *st, const char *actor, int64_t now,
                      const char *import_kind, struct store_bank **out);
    /*
     * Ingest one transaction of organisation `org` into the batch: record
     * it once (provider id, cross-channel pairing), match it and move the
     * money. `channel` "webhook" or "statement"; `journal_id` 0 or the
     * journal entry. *res (may be NULL) gets what was decided
     * (store_bank_result_free()).
     */
    int (*bank_add)(struct store_bank *b, int64_t org, const struct bank_txn *t,
                    const char *channel, int64_t journal_id,
                    struct store_bank_result *res);
    /* Record a statement's figures and balance check in the batch. */
    int (*bank_statement)(struct store_bank *b, int64_t org,
                          const struct feeds_statement *s);
    /*
     * End the batch: commit (commit = 1, marking `journal_id` processed
     * when non-zero) or roll back; wakes the intents it paid; frees b.
     * *summary (may be NULL) gets the batch's counts and balance checks
     * (store_bank_summary_free()).
     */
    int (*bank_end)(struct store_bank *b, int commit, int64_t journal_id,
                    struct store_bank_summary *summary);
    /*
     * Journal a verified webhook and process its transactions in one
     * batch, on disk (committed, fsync'd) when it returns; webhooks that
     * arrive while a commit is being written share the next one. 0:
     * processed, h->results set. -STORE_E_IO with h->journal_id 0:
     * nothing was stored (journal_add and a batch of its own may still
     * take it). Another error: the batch could not be processed and is
     * undone; journal entry h->journal_id is kept "invalid" with the
     * store's error message.
     */
    int (*bank_hook)(struct store *st, struct store_hook *h);
    /*
     * A statement import applied in slices. bank_import_open finds the
     * unfinished import of the file `digest` names (one interrupted
     * before its end) or records a new one of `kind`, in its own
     * transaction: *import_id, and *rows_done how many of its entries are
     * applied (0 for a new one). bank_import_slice begins a batch of that
     * import whose entries follow the first `rows_done` (bank_add,
     * bank_statement, bank_end as for any batch); bank_import_mark, in
     * the batch, records its entries applied and, with `finished`, the
     * import done. It fails with import_busy (-STORE_E_CONFLICT) when
     * another run of the same file applied entries in the meantime.
     */
    int (*bank_import_open)(struct store *st, const char *kind,
                            const char *digest, const char *actor, int64_t now,
                            int64_t *import_id, int64_t *rows_done);
    int (*bank_import_slice)(struct store *st, int64_t import_id,
                             int64_t rows_done, const char *actor, int64_t now,
                             struct store_bank **out);
    int (*bank_import_mark)(struct store_bank *b, int finished);
    /* Bank transactions of `org` (state filter NULL = all), with
     * suggestions; paging by id. out->total: how many the filter matches
     * over every page (f->after_id, offset and limit ignored). */
    int (*bank_list)(struct store *st, int64_t org,
                     const struct store_filter *f,
                     struct store_bank_txn_list *out);
    /* One bank transaction with its audit trail. */
    int (*bank_get)(struct store *st, int64_t org, int64_t id,
                    struct store_bank_txn_full *out);
    /* A review action on bank transaction `id`; audited with reason.
     * *out: the transaction as it is then (store_bank_txn_clear()). */
    int (*bank_review)(struct store *st, int64_t org, int64_t id,
                       const struct store_review *rv, const char *actor,
                       int64_t now, struct store_bank_txn *out);
    /*
     * Split bank transaction `id` (an unmatched or ambiguous credit of an
     * open day) across `n` payers (store/bank_split.c): each part is a
     * transfer payment of its payer, allocated as a match to that payer
     * is; the parts sum to the transfer exactly. Audited with `reason`.
     * The same split again answers the transaction as it is; another
     * split of it is CONFLICT "already_split". *out: the transaction with
     * its audit trail, as bank_get reads it.
     */
    int (*bank_split)(struct store *st, int64_t org, int64_t id,
                      const struct store_split_part *parts, size_t n,
                      const char *reason, const char *actor, int64_t now,
                      struct store_bank_txn_full *out);

    /* Operations: counts for /metrics into *out (the caller frees it,
     * store_stats_free), audit chain check. */
    int (*stats)(struct store *st, struct store_stats *out);
    int (*audit_verify)(struct store *st, int64_t *entries);
    /*
     * Check the ledger's invariants (struct store_check) in one read
     * transaction; writes nothing. *out is filled only on success (its
     * `days` then owned by the caller).
     */
    int (*ledger_check)(struct store *st, struct store_check *out);

    /* ---- receipts, reports, statistics (store/receipts.c, ...) ---- */

    /*
     * Receipt `number` into *out (the caller frees it,
     * store_receipt_clear); `org_id` 0 any organisation, else only its
     * own.
     */
    int (*receipt_get)(struct store *st, int64_t org_id, const char *number,
                       struct store_receipt *out);
    /*
     * Receipts of `org_id` in id order, filtered by f->payer, paged by
     * f->after_id, f->offset and f->limit, with the count over every
     * page. The caller frees *out (store_receipt_list_free).
     */
    int (*receipt_list)(struct store *st, int64_t org_id,
                        const struct store_filter *f,
                        struct store_receipt_list *out);
    /*
     * The PEM public key of organisation `org_code`'s receipt key into
     * `pem` (cap bytes, RECEIPT_PEM_MAX suffices) and its key id into
     * `key_id` (9 bytes); the key pair is created on first use.
     */
    int (*receipt_key)(struct store *st, const char *org_code, int64_t now,
                       char *pem, size_t cap, char *key_id);
    /*
     * The public address of receipt `number` ("/r/NUMBER?s=SIG", what
     * GET /r/{number} checks) into `out` (cap bytes,
     * STORE_RECEIPT_URL_MAX suffices); -STORE_E_NOT_FOUND for an
     * unknown number.
     */
    int (*receipt_url)(struct store *st, const char *number, char *out,
                       size_t cap);
    /*
     * The records behind organisation `org_id`'s daily reconciliation of
     * `date` (YYYY-MM-DD, Vietnam), each taken as dated (records carry
     * the day they count on; a close freezes the bank side), into *out
     * (struct store_day_rows): the invoices issued by then, paid as of
     * then (the open ones and those due that day), the day's bank
     * transactions (late: booked later for a closed day), the payments
     * booked from them, the credits held at the end of the day, a
     * statement covering just that day, the corrections and refunds
     * dated that day, the day's payments (as day_takings), whether the
     * day is closed and the digest of the rows. The caller frees *out
     * (store_day_rows_free). server/srv_report.c turns it into
     * server/report's input.
     */
    int (*daily_rows)(struct store *st, int64_t org_id, const char *date,
                      struct store_day_rows *out);
    /*
     * The records behind the adoption statistics for organisation
     * `org_id` (0: all) of `province` (NULL: any), delivered one by one
     * to `sink` (so that a province's month needs no copy of its
     * records): every organisation in scope, its active payers, its fee
     * types, and the payments (not reversed) dated `from`..`to`
     * (YYYY-MM-DD, inclusive). A callback's non-zero return stops the
     * scan and is returned.
     */
    int (*adoption_scan)(struct store *st, int64_t org_id, const char *province,
                         const char *from, const char *to,
                         const struct store_adoption_sink *k);
    /* Set organisation `org_code`'s province (UTF-8 name); audited. */
    int (*org_province)(struct store *st, const char *org_code,
                        const char *province, const char *actor, int64_t now);
    /* The organisation's name and its active payers (one when `payer`
     * is not NULL) for standees into *out; the caller frees it
     * (store_standees_free). */
    int (*standee_payers)(struct store *st, int64_t org_id, const char *payer,
                          struct store_standees *out);
    /*
     * Close day `date` (YYYY-MM-DD, Vietnam) of `org_id` storing
     * `totals` (the day's figures, JSON text, computed from daily_rows
     * whose digest was `digest`), the state of the day's bank
     * transactions and the audit chain head (the close's own audit
     * entry). From then on nothing dated that day changes: later
     * writes are dated on the next open day, corrections point back
     * (store/day_close.c). *out gets what was recorded. Closed twice:
     * CONFLICT "already_closed"; the rows changed since `digest`:
     * CONFLICT "changed_while_closing" (compute again). A day with open
     * items (day_open_items) is CONFLICT "open_items" unless
     * `force_reason` (NULL: none) says why it is closed anyway; that
     * reason is kept with the close and its audit entry.
     */
    int (*day_close)(struct store *st, int64_t org_id, const char *date,
                     const char *totals, const char *digest,
                     const char *force_reason, const char *actor, int64_t now,
                     struct store_day_closed *out);
    /* Reopen a closed day (admin) with a reason; audited. */
    int (*day_reopen)(struct store *st, int64_t org_id, const char *date,
                      const char *reason, const char *actor, int64_t now);
    /* Every closed (not reopened) day, by id, into *out; the caller
     * frees it (store_close_list_free). */
    int (*day_closes)(struct store *st, struct store_close_list *out);
    /* *closed = 1 when `date` of `org_id` is closed (not reopened). */
    int (*day_closed)(struct store *st, int64_t org_id, const char *date,
                      int *closed);
    /* What stands open on `date` of `org_id` (store/close_guard.c): the
     * transfers awaiting review and the statements that do not balance. */
    int (*day_open_items)(struct store *st, int64_t org_id, const char *date,
                          struct store_open_items *out);
    /* The force reason of the active close of `date` of `org_id` into
     * `out` (cap bytes; "" when not forced or not closed). */
    int (*day_force_reason)(struct store *st, int64_t org_id, const char *date,
                            char *out, size_t cap);
    /* Record that a standee of payer `payer` was produced (format "png"
     * or "pdf", paper "a5"/"a6"); counted in the adoption statistics,
     * audited (standee.record). */
    int (*standee_record)(struct store *st, int64_t org_id, const char *payer,
                          const char *format, const char *paper,
                          const char *actor, int64_t now);
    /*
     * Give back `req->amount` of a payer's credit: drawn from the
     * unallocated part of their payments, oldest first; audited. *out
     * gets the refund (the caller frees it, store_refund_free).
     * -STORE_E_CONFLICT when the credit is short or the reference was
     * used. Made while today is closed, it is dated on the next open day
     * with a correction pointing at today.
     */
    int (*payer_refund)(struct store *st, int64_t org_id,
                        const struct store_refund_req *req, const char *actor,
                        int64_t now, struct store_refund *out);

    /* ---- the web dashboard (store/dash_sessions.c) ---- */
    /* Add board user `login` ([a-z0-9._-]{3,32}) of organisation
     * `org_code` (NULL for an admin or a province user) or of province
     * `province` (role province, matched as province_find does) with
     * `role` and the password hash `pwhash` (dash_pw.h format); audited
     * as `actor`. *id gets its id; -STORE_E_CONFLICT when the login
     * exists. */
    int (*dash_user_add)(struct store *st, const char *org_code,
                         const char *province, const char *login,
                         const char *role, const char *pwhash,
                         const char *actor, int64_t *id);
    /* The stored password hash (into `pwhash`, `cap` bytes) and id of
     * `login`; -STORE_E_NOT_FOUND when there is no such user. */
    int (*dash_user_get)(struct store *st, const char *login, char *pwhash,
                         size_t cap, int64_t *id);
    /* Open a session of user `user`: `hash` is the hex SHA-256 of the
     * cookie value, `csrf` its CSRF token; audited (dash.login). */
    int (*dash_session_add)(struct store *st, int64_t user, const char *hash,
                            const char *csrf, int64_t expires, int64_t now);
    /* Resolve an unexpired session by hash into the same principal a
     * board token of that user's role and organisation would give
     * (actor "user:LOGIN") and its CSRF token; -STORE_E_NOT_FOUND. */
    int (*dash_session_get)(struct store *st, const char *hash, int64_t now,
                            struct store_principal *who, char *csrf,
                            size_t cap);
    /* End a session (sign out) and drop expired ones; audited. */
    int (*dash_session_del)(struct store *st, const char *hash,
                            const char *actor, int64_t now);
    /*
     * Reserve one sign-in attempt before its password is checked, in one
     * write transaction: when neither `lkey` ("login:NAME") nor `akey`
     * ("addr:IP") is locked at `now`, count the attempt on both (a key
     * reaching its limit, `llimit` or `alimit`, locks for `lock_secs`,
     * audited as dash.lock) and set *locked_until to 0; else count
     * nothing and set *locked_until to the end of the lock. So at most
     * the limit of passwords is ever checked per lock window, however
     * many requests arrive at once.
     */
    int (*dash_reserve)(struct store *st, const char *lkey, int llimit,
                        const char *akey, int alimit, int64_t now,
                        int lock_secs, int64_t *locked_until);
    /*
     * Sign-in counter for `key` after a reserved attempt. op 0: read;
     * 1: the attempt failed (audited as dash.login_failed; it was counted
     * when reserved); 2: a success clears the key; 3: a success gives its
     * reservation back (one count less, the lock lifted below `limit`).
     * *locked_until gets the end of the lock (0 or a past time when not
     * locked).
     */
    int (*dash_attempt)(struct store *st, const char *key, int op, int64_t now,
                        int limit, int lock_secs, int64_t *locked_until);
    /* Housekeeping: drop the sessions expired by `now` and the sign-in
     * failure counters neither locked at `now` nor counted since
     * `stale_before`; *sessions and *failures get how many went. Not
     * audited (nothing a person did). */
    int (*dash_sweep)(struct store *st, int64_t now, int64_t stale_before,
                      int64_t *sessions, int64_t *failures);
    /* ---- collectors (store/collectors.c) ---- */
    /* Add collector `name` (1-64 bytes, no control characters) of
     * organisation `org` with the PIN hash `pin_hash` (dash_pw.h format);
     * audited as collector.add by `actor` (never the PIN);
     * -STORE_E_CONFLICT when the name exists. */
    int (*collector_add)(struct store *st, int64_t org, const char *name,
                         const char *pin_hash, const char *actor, int64_t now);
    /* The collectors of `org` into *out by name (store_collector_list_free),
     * with their PIN hashes only when `hashes` (the PIN check). */
    int (*collector_list)(struct store *st, int64_t org, int hashes,
                          struct store_collector_list *out);
    /* Disable collector `name` of `org`, audited as collector.disable;
     * -STORE_E_NOT_FOUND when there is none. */
    int (*collector_disable)(struct store *st, int64_t org, const char *name,
                             const char *actor, int64_t now);
    /* After a PIN was checked against collector `name`: `ok` clears its
     * failures; otherwise one more is counted and at `limit` it locks
     * until `now + lock_secs` (audited as collector.lock). */
    int (*collector_attempt)(struct store *st, int64_t org, const char *name,
                             int ok, int64_t now, int limit, int lock_secs);
    /*
     * Credentials of `kind` "kiosk", "token" or "user", of organisation
     * `org_code` (NULL: all) into *out, never a secret or its hash. The
     * caller frees *out (store_cred_list_free).
     */
    int (*cred_list)(struct store *st, const char *kind, const char *org_code,
                     struct store_cred_list *out);
    /*
     * Revoke kiosk or token `id` (limited to `org_code` unless NULL), or
     * disable user `login` of `org_code` (NULL: an admin user) and end its
     * sessions; audited as `actor` (kiosk.revoke, token.revoke,
     * dash.user.disable). Authentication reads the flag on every request:
     * the credential is refused from its next request on. Revoking again
     * changes nothing. *out (may be NULL) gets what was done.
     * -STORE_E_NOT_FOUND when there is no such credential.
     */
    int (*cred_revoke)(struct store *st, const char *kind, const char *org_code,
                       int64_t id, const char *login, const char *actor,
                       int64_t now, struct store_cred_revoked *out);
    /*
     * The payments of organisation `org_id` dated `date` (YYYY-MM-DD,
     * Vietnam; not reversed by then), whatever they paid, by id, into
     * *out; the caller frees it (store_takings_free). The kiosk's day
     * totals sum these rows, and daily_rows carries the same rows with
     * the refunds dated that day. A close (day_closes) of version 3
     * stores the report with their figures; one of version 2 is checked
     * without them.
     */
    int (*day_takings)(struct store *st, int64_t org_id, const char *date,
                       struct store_takings *out);
    /*
     * The audit entries `q` asks for, oldest first, each with the
     * organisation it concerns (the one its write filed it under; none
     * for a write of no organisation's, such as an admin's sign-in);
     * entries of no organisation only match q->org_id 0. out->total
     * counts every match. The caller frees *out (store_audit_list_free).
     */
    int (*audit_list)(struct store *st, const struct store_audit_query *q,
                      struct store_audit_list *out);
    /* The webhook journal's entries `q` asks for, oldest first; the
     * caller frees *out (store_journal_list_free). */
    int (*journal_list)(struct store *st, const struct store_journal_query *q,
                        struct store_journal_list *out);
};

struct store {
    const struct store_ops *ops;   /* the backend */
    store_changed_fn changed;      /* may be NULL */
    void *changed_ctx;             /* passed to `changed` */
    char node[STORE_NODE_LEN + 1]; /* random name of this open store */
};

/*
 * Open the store named by `url`: "sqlite:PATH", "sqlite://PATH" or a plain
 * path, or a PostgreSQL URL (postgres://, postgresql://; an empty
 * database gets the schema). Applies pending migrations. `pool` is the number
 * of connections
 * (>= 1). Returns 0 and *out, or a negated enum store_error; a message is
 * in store_error_message().
 */
int store_open(const char *url, int pool, struct store **out);

/*
 * Open the store named by `url` (as store_open) for reading only: no
 * file is created, no migration applied, no write can succeed. A schema
 * older or newer than this program's is -STORE_E_USAGE ("schema_too_old",
 * "schema_too_new"); a missing database -STORE_E_USAGE ("no_database").
 */
int store_open_readonly(const char *url, int pool, struct store **out);

/*
 * Let `st` run up to `n` (>= 1) write transactions at once: on
 * PostgreSQL, different organisations' writes then proceed side by side
 * (4 after store_open); SQLite keeps its one writer whatever `n` is. Call
 * it before the store is used by several threads.
 */
void store_set_writers(struct store *st, int n);

/* Close and free `st` (NULL does nothing). */
void store_close(struct store *st);

/* Database URL `url` as it may be shown in messages and logs into `out`
 * (cap bytes): a PostgreSQL URL's password (postgres://user:PASSWORD@host
 * or password=PASSWORD) is written as "***"; anything else is copied. */
void store_url_shown(const char *url, char *out, size_t cap);

/* The store on the database at `path` (server/store/schema.c): an SQLite
 * file name or a PostgreSQL URL, as store_open passes them on. */
int store_db_open(const char *path, int pool, struct store **out);

/* The same opened read-only (store_open_readonly). */
int store_db_open_readonly(const char *path, int pool, struct store **out);

/* The detail of this thread's last store error (never NULL). */
const char *store_error_message(void);
/* The stable error code string of this thread's last error. */
const char *store_error_code(void);

/* Set this thread's last error (for backends). */
void store_set_error(const char *code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
