/*
 * feeds.h: bank notifications and statements turned into verified,
 * normalised bank transactions. Webhooks (SePay, Casso, payOS, our generic
 * format) are verified against their provider's authentication and parsed;
 * statements (camt.053/054, MT940/942, CSV) are parsed and their balances
 * checked. Pure functions of bytes, headers, secrets and a clock value.
 */
#ifndef CHOPAY_FEEDS_H
#define CHOPAY_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#define FEEDS_ID_MAX      96    /* ids and references, with NUL */
#define FEEDS_ACCOUNT_MAX 72    /* account numbers and IBANs, with NUL */
#define FEEDS_NAME_MAX    288   /* party names (UTF-8), with NUL */
#define FEEDS_BANK_MAX    96    /* bank names, BINs, BICs, with NUL */
#define FEEDS_DESC_MAX    16384 /* longest description we accept, bytes */
#define FEEDS_WEBHOOK_MAX 65536 /* largest webhook body we accept */
#define FEEDS_MAX_SKEW    300   /* allowed clock drift of a signature, s */

/* Errors, returned negated. */
enum feeds_error_code {
    FEEDS_OK = 0,
    FEEDS_E_NOMEM,       /* out of memory */
    FEEDS_E_TOO_LARGE,   /* input or a field beyond our limits */
    FEEDS_E_SYNTAX,      /* not well-formed JSON / XML / MT940 / CSV */
    FEEDS_E_FIELD,       /* a required field missing or of the wrong type */
    FEEDS_E_AMOUNT,      /* an amount that is not a valid amount */
    FEEDS_E_DATE,        /* a date that is not a valid date */
    FEEDS_E_AUTH,        /* the credential the secret asks for is absent */
    FEEDS_E_SIGNATURE,   /* signature, API key or token does not match */
    FEEDS_E_STALE,       /* signature timestamp too far from now */
    FEEDS_E_NO_SECRET,   /* no secret configured: nothing can be verified */
    FEEDS_E_UNSUPPORTED, /* a version, namespace, DOCTYPE... we refuse */
    FEEDS_E_CALLBACK,    /* the caller's sink asked to stop */
    FEEDS_E_FORMAT       /* statement format not recognised */
};

/* Where and why parsing or verification failed. */
struct feeds_error {
    int code;          /* enum feeds_error_code (positive), 0 when none */
    long line;         /* 1-based input line, 0 when not applicable */
    char path[128];    /* JSON path ($.data.amount) or XML element path */
    char message[256]; /* human-readable, English */
};

enum feeds_provider {
    FEEDS_SEPAY = 1,
    FEEDS_CASSO,
    FEEDS_PAYOS,
    FEEDS_GENERIC,
    FEEDS_CAMT,
    FEEDS_MT940,
    FEEDS_CSV
};

enum feeds_direction { FEEDS_CREDIT = 1, FEEDS_DEBIT = 2 };

/*
 * One bank transaction, normalised. Strings are NUL-terminated UTF-8, ""
 * when unknown. Amounts are integers in the currency's minor unit
 * (`exponent` decimals): for VND exponent 0, so `amount` is đồng.
 */
struct bank_txn {
    enum feeds_provider provider;
    char provider_txn_id[FEEDS_ID_MAX];  /* provider id, AcctSvcrRef, bank
                                            ref, or "h:"+hash of the row */
    char account[FEEDS_ACCOUNT_MAX];     /* our account number / IBAN */
    char sub_account[FEEDS_ACCOUNT_MAX]; /* virtual account, if any */
    char bank_ref[FEEDS_ID_MAX];         /* FT number / referenceCode /
                                            AcctSvcrRef / :61: //ref */
    char end_to_end_id[FEEDS_ID_MAX];    /* camt EndToEndId, :61: cust. ref */
    char provider_code[FEEDS_ID_MAX];    /* code a provider extracted
                                            (SePay code, payOS orderCode) */
    char creditor_ref[FEEDS_ID_MAX];     /* camt Strd/CdtrRefInf/Ref */
    char gateway[FEEDS_BANK_MAX];        /* bank name given by the provider */
    enum feeds_direction direction;
    int reversal;          /* 1 for a reversal (camt RvslInd,
                              MT940 RC/RD) */
    int64_t amount;        /* > 0 normally; 0 possible */
    char currency[4];      /* ISO 4217, "VND" */
    int exponent;          /* decimals of currency */
    char booking_date[11]; /* YYYY-MM-DD */
    char value_date[11];   /* YYYY-MM-DD or "" */
    char datetime[32];     /* ISO 8601 with offset, or "" */
    char *description;     /* full text, heap, never NULL
                              after a successful parse */
    char counter_name[FEEDS_NAME_MAX];
    char counter_account[FEEDS_ACCOUNT_MAX];
    char counter_bank[FEEDS_BANK_MAX]; /* BIN (NAPAS) or BIC or name */
    char bank_tx_code[32];             /* camt BkTxCd, MT940 NTRF... */
    int has_balance;                   /* 1 when `balance` is set */
    int64_t balance;                   /* running balance after it,
                                          signed, minor units */
    long statement;                    /* index in the list's statements,
                                          -1 for webhooks */
    int pos;                           /* position (1, 2, ...) of a camt
                                          TxDtls inside a batched Ntry,
                                          0 for everything else */
    char source[96];                   /* provenance: "$.data", "line 12",
                                          "Ntry line 80 TxDtls 2" */
};

enum feeds_balance_check {
    FEEDS_BAL_UNCHECKED = 0, /* statement gives no balances to check */
    FEEDS_BAL_OK,            /* opening + credits - debits == closing */
    FEEDS_BAL_MISMATCH       /* they differ: see check_message */
};

/* One statement (camt Stmt/Ntfctn/Rpt, an MT940 :20: block, a CSV file). */
struct feeds_statement {
    enum feeds_provider format;
    char id[FEEDS_ID_MAX];       /* Stmt/Id, :20: */
    char sequence[FEEDS_ID_MAX]; /* ElctrncSeqNb, :28C: */
    char account[FEEDS_ACCOUNT_MAX];
    char currency[4];
    int exponent;
    int has_opening, has_closing;
    int64_t opening, closing; /* signed, minor units */
    int64_t credits, debits;  /* sums of the booked entries */
    long n_credits, n_debits; /* counts of booked entries */
    long n_skipped;           /* entries not booked (PDNG, INFO) */
    long line;                /* where it starts */
    enum feeds_balance_check check;
    char check_message[256]; /* the figures, on a mismatch */
    char notes[512];         /* skipped entries etc., truncated */
};

/* Growable result of a parse. Zero-initialise, free with _free. */
struct bank_txn_list {
    struct bank_txn *txns;
    size_t n, cap;
    struct feeds_statement *stmts;
    size_t nstmts, stmts_cap;
};

/* Free what the list holds and zero it; NULL is fine. */
void feeds_list_free(struct bank_txn_list *l);

/* Free the heap parts of one transaction (its description). */
void feeds_txn_clear(struct bank_txn *t);

/*
 * Streaming consumer. The parser calls `txn` for each transaction and
 * `statement` when a statement ends (after its transactions), then
 * forgets them; the callee copies what it keeps. A non-zero return stops
 * the parse with FEEDS_E_CALLBACK. When a parse fails after some
 * callbacks, the caller must discard everything it received (a statement
 * is applied all or nothing). A transaction's `statement` is 0 here: it
 * belongs to the statement passed to the next `statement` call.
 */
struct feeds_sink {
    int (*txn)(void *ctx, const struct bank_txn *t);
    int (*statement)(void *ctx, const struct feeds_statement *s);
    void *ctx;
};

/* Initialise libxml2 once, before threads start (server start-up). */
void feeds_global_init(void);

/* "sepay", "casso", ... and "ok", "syntax", "signature", ... */
const char *feeds_provider_name(enum feeds_provider p);
const char *feeds_error_name(int code);

/* ---- webhooks --------------------------------------------------------- */

struct feeds_header {
    const char *name; /* compared case-insensitively */
    const char *value;
};

/* An HTTP request as received: the raw body and its headers. */
struct feeds_request {
    const char *body;
    size_t len;
    const struct feeds_header *headers;
    size_t nheaders;
};

/*
 * Secrets of one provider account. A NULL field is "not configured".
 * Every configured credential is required: with both set, a SePay request
 * needs the right API key AND a valid signature.
 *   api_key:  SePay "Authorization: Apikey KEY"; Casso V1 "secure-token".
 *   hmac_key: SePay HMAC secret, Casso V2 checksum key, payOS checksum
 *             key, generic HMAC secret.
 */
struct feeds_secret {
    const char *api_key;
    const char *hmac_key;
};

/* The value of header `name` in `req`, or NULL. */
const char *feeds_header_get(const struct feeds_request *req, const char *name);

/*
 * Verify a webhook request. `now_unix` is the server clock (seconds), used
 * for the timestamp window (FEEDS_MAX_SKEW). Returns 0 when authentic, or
 * a negated enum feeds_error_code with the reason in *err (may be NULL).
 * Signatures and keys are compared in constant time.
 *   sepay:   Apikey and/or X-SePay-Signature: sha256=hex(HMAC-SHA256(k,
 *            ts "." body)) with X-SePay-Timestamp (seconds).
 *   casso:   V2 X-Casso-Signature: t=<ms>,v1=hex(HMAC-SHA512(k, t "."
 *            canonical JSON)) where canonical JSON is tried as raw UTF-8,
 *            \u-escaped (Python) and \u-escaped with "\/" (PHP); V1 a
 *            secure-token header equal to api_key, accepted alone only
 *            when no hmac_key is configured.
 *   payos:   body "signature" = hex(HMAC-SHA256(k, sorted k=v&... of
 *            data)); no timestamp exists in this scheme.
 *   generic: X-Chopay-Signature: sha256=hex(HMAC-SHA256(k, ts "." body))
 *            with X-Chopay-Timestamp (seconds).
 */
int feeds_verify_sepay(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err);
int feeds_verify_casso(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err);
int feeds_verify_payos(const struct feeds_request *req,
                       const struct feeds_secret *s, int64_t now_unix,
                       struct feeds_error *err);
int feeds_verify_generic(const struct feeds_request *req,
                         const struct feeds_secret *s, int64_t now_unix,
                         struct feeds_error *err);

/*
 * Parse a webhook body into transactions appended to *out (which must be
 * zero-initialised or hold earlier results). On error *out is unchanged,
 * and *err (may be NULL) says where. Returns 0 or a negated error.
 *   sepay:   camelCase webhook or snake_case BankHub body, one txn.
 *   casso:   V2 {"error":0,"data":{..}} or V1 {"error":0,"data":[..]}.
 *   payos:   {code,desc,success,data,signature}; a non-"00" code is
 *            FEEDS_E_UNSUPPORTED.
 *   generic: one object or {"transactions":[...]}, see docs/feeds.md.
 */
int feeds_parse_sepay(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err);
int feeds_parse_casso(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err);
int feeds_parse_payos(const char *body, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err);
int feeds_parse_generic(const char *body, size_t len, struct bank_txn_list *out,
                        struct feeds_error *err);

/*
 * The text Casso V2 signs: `body` re-serialised with object keys sorted
 * (byte order), compact separators. `style` 0 = raw UTF-8 (JavaScript
 * JSON.stringify), 1 = non-ASCII as \uxxxx (Python json.dumps), 2 = as 1
 * plus "/" as "\/" (PHP json_encode). Returns a malloc'd string or NULL.
 */
char *feeds_casso_canonical(const char *body, size_t len, int style);

/*
 * The text payOS signs: data's keys sorted, "k=v" joined by "&". `data`
 * is the JSON text of the data object. Returns malloc'd string or NULL.
 */
char *feeds_payos_canonical(const char *data_json, size_t len);

/* ---- statements ------------------------------------------------------- */

/*
 * camt.053 / camt.054 (any camt.05x.001.NN version of those two; camt.052
 * intraday reports too, read the same way), parsed
 * as a stream with libxml2 (no network, no entities, DOCTYPE refused).
 * Entries whose status is not BOOK are skipped and counted in the
 * statement. Balances OPBD/PRCD + credits - debits = CLBD are checked.
 */
int feeds_parse_camt(const char *buf, size_t len, struct bank_txn_list *out,
                     struct feeds_error *err);
/*
 * The same over a byte source: `read` fills up to `cap` bytes and returns
 * the count, 0 at the end, -1 on error. Transactions go to `sink` as they
 * are parsed, so memory stays bounded whatever the statement's size.
 */
int feeds_parse_camt_stream(int (*read)(void *ctx, char *buf, int cap),
                            void *read_ctx, const struct feeds_sink *sink,
                            struct feeds_error *err);

/*
 * SWIFT MT940 / MT942, with or without the {1:}{2:}{4: envelope (blocks on
 * one line or several, "-}" or "-" and "}" on two lines), framed by SOH
 * ... ETX or not, after a bank's header lines ("ABNANL2A", "940", ":940:").
 */
int feeds_parse_mt940(const char *buf, size_t len, struct bank_txn_list *out,
                      struct feeds_error *err);
int feeds_parse_mt940_sink(const char *buf, size_t len,
                           const struct feeds_sink *sink,
                           struct feeds_error *err);

/* Which column holds a field: index >= 0 wins; else a header name list. */
struct feeds_csv_col {
    int index;        /* 0-based column, -1 when chosen by name */
    const char *name; /* "|"-separated header names, compared folded
                         (diacritics, case and spacing ignored); NULL */
};

enum feeds_date_format { FEEDS_DATE_DMY = 0, FEEDS_DATE_YMD };

/* How to read a CSV statement. Start from feeds_csv_map_default(). */
struct feeds_csv_map {
    char delimiter; /* ',', ';' or '\t'; 0 = guess from the header */
    int has_header; /* 1: find the header row among the first 20 rows */
    enum feeds_date_format date_format;
    struct feeds_csv_col date, amount, credit, debit, description, reference,
        counter_name, counter_account, balance;
    const char *account;  /* our account number for every row, or NULL */
    const char *currency; /* NULL = "VND" */
};

/*
 * The default mapping: headers of typical Vietnamese bank exports
 * ("Ngày giao dịch", "Số tiền ghi có", "Số tiền ghi nợ", "Nội dung",
 * "Số bút toán", ...) and their English forms; see docs/feeds.md.
 */
void feeds_csv_map_default(struct feeds_csv_map *m);

/*
 * CSV statement (RFC 4180, UTF-8 with or without BOM). A file with any
 * bad row yields nothing: the error names the line.
 */
int feeds_parse_csv(const char *buf, size_t len,
                    const struct feeds_csv_map *map, struct bank_txn_list *out,
                    struct feeds_error *err);

/* Guess a statement's format from its first bytes: FEEDS_CAMT,
 * FEEDS_MT940 (a line of the first 12 starting with "{1:", "{4:" or ":20:",
 * after an optional SOH) or FEEDS_CSV, or -FEEDS_E_FORMAT. */
int feeds_detect(const char *buf, size_t len);

/* Parse a statement of format `fmt` (0 = detect); CSV uses `map` or the
 * default mapping when NULL. */
int feeds_parse_statement(const char *buf, size_t len, int fmt,
                          const struct feeds_csv_map *map,
                          struct bank_txn_list *out, struct feeds_error *err);

#endif
