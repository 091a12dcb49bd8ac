/*
 * api.h: what the HTTP handlers share: the server, a request in flight,
 * the route table entry, reply helpers (one error reply for everything)
 * and JSON body validation that rejects unknown fields and wrong types.
 */
#ifndef CHOPAY_SERVER_API_H
#define CHOPAY_SERVER_API_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "csvmap.h"
#include "ingest.h"
#include "notify.h"
#include "store.h"

#define API_MAX_ARGS 2

/* Server settings (flags and INI). */
struct srv_config {
    char listen[128];             /* ADDR:PORT */
    char metrics_listen[128];     /* loopback ADDR:PORT for /metrics, "" none */
    char data_dir[512];           /* state directory */
    char db[600];                 /* database URL */
    int threads;                  /* MHD thread pool size */
    int write_threads;            /* threads of ROUTE_OFFLOAD handlers */
    size_t body_limit;            /* bytes for JSON bodies */
    size_t import_limit;          /* bytes for CSV uploads */
    int per_ip;                   /* connections per client address */
    int conn_limit;               /* connections overall */
    int conn_timeout;             /* seconds of inactivity */
    int rate;                     /* requests per credential per second */
    int burst;                    /* bucket size */
    int intent_ttl;               /* seconds */
    int max_wait;                 /* long-poll ceiling, seconds */
    int housekeep;                /* seconds between housekeeping runs */
    int db_writers;               /* write transactions at once (PG) */
    struct ingest_conf *bank;     /* [bank.CODE] provider secrets (ingest.h) */
    struct ingest_limits journal; /* what the journal keeps of strangers */
    struct csvmap_conf csv;       /* [csv] statement column mapping */
};

struct ratelimit;
struct metrics;

/* The last write probe of /healthz (h_ops.c), shared by all threads. */
struct srv_health {
    pthread_mutex_t mu; /* guards the fields below */
    int64_t at_us;      /* monotonic time of the last probe, 0 never */
    int err;            /* its errno, 0 = the write and fsync worked */
    char what[96];      /* the failing step and path, for the reason */
};

/* The running server. */
struct srv {
    struct srv_config cfg; /* settings */
    struct store *st;      /* storage */
    struct notify *nt;     /* long-poll notifier */
    struct MHD_Daemon *d;  /* libmicrohttpd */
    uint16_t port;         /* bound port */
    struct MHD_Daemon *md; /* the metrics listener, or NULL */
    uint16_t metrics_port; /* its bound port */
    struct ratelimit *rl;  /* per-credential token buckets */
    struct metrics *m;     /* counters */
    struct srv_health hp;  /* the write probe of /healthz */
    atomic_int recovering; /* 1: journal recovery failed, retried */
    struct offload *work;  /* threads of ROUTE_OFFLOAD handlers */
};

/* Who may call a route. */
enum api_auth {
    AUTH_NONE = 0, /* public */
    AUTH_KIOSK,    /* kiosk key */
    AUTH_READ,     /* admin, board or auditor token */
    AUTH_WRITE,    /* admin or board token */
    AUTH_ADMIN,    /* admin token */
    AUTH_ANY,      /* any valid credential (kiosk or token, not a
                      province's); the handler checks the organisation
                      scope */
    AUTH_STATS     /* AUTH_READ or a province token: statistics and the
                      day's totals (api_org_scope narrows a province
                      token to its organisations) */
};

struct req;
typedef enum MHD_Result (*api_handler)(struct req *r);

/* One row of the static route table. */
struct route {
    const char *method;  /* "GET", "POST", "PATCH" */
    const char *pattern; /* "/v1/intents/{id}" */
    api_handler fn;      /* the handler */
    int auth;            /* enum api_auth */
    int flags;           /* ROUTE_* */
};

/* The body may be as large as import_limit rather than body_limit. */
#define ROUTE_BIG_BODY 1
/* The handler runs on a write thread (offload.c) while the connection
 * waits suspended: for writes that wait for the disk or run long, so
 * that libmicrohttpd's threads never do and writes arriving together
 * share a commit. Such a handler answers through api_reply_* only. */
#define ROUTE_OFFLOAD 2

/* A request in flight (MHD's per-connection request context). */
struct req {
    struct srv *s;               /* the server */
    struct MHD_Connection *conn; /* the connection */
    const char *method;          /* request method */
    int route;                   /* index in the table, or -1 */
    char arg[API_MAX_ARGS][128]; /* {placeholders} in order */
    char *body;                  /* request body (NUL-terminated) */
    size_t len, cap;             /* its length and capacity */
    int too_big;                 /* body exceeded the limit */
    int hold;                    /* 1: replies are held, not queued */
    struct MHD_Response *held;   /* a refusal held until the body is read */
    unsigned held_status;        /* its status */
    size_t discarded;            /* body bytes read and dropped since */
    struct store_principal who;  /* the caller, once authenticated */
    int64_t t0_us;               /* when the request began */
    int status;                  /* status sent (for logs/metrics) */
    int replied;                 /* a response is queued */
    atomic_int resumed;          /* woken after suspension */
    int suspended;               /* currently suspended */
    int64_t poll_id;             /* long poll: the intent */
    int offloaded;               /* its handler runs on a write thread */
};

/* The route table (routes.c) and its size. */
extern const struct route api_routes[];
extern const size_t api_n_routes;

/* Queue `body` (stolen) as JSON with `status`. */
enum MHD_Result api_reply_json(struct req *r, unsigned status, json_t *body);
/* Same, with one extra header (name/value may be NULL). */
enum MHD_Result api_reply_json_h(struct req *r, unsigned status, json_t *body,
                                 const char *hname, const char *hval);
/* Queue JSON text `text` (stolen; a reply's text ends with a newline)
 * of `len` bytes with `status`. */
enum MHD_Result api_reply_json_text(struct req *r, unsigned status, char *text,
                                    size_t len);
/* The one error reply: {"error":{"code":..,"message":..}}. */
enum MHD_Result api_error(struct req *r, unsigned status, const char *code,
                          const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error reply for a store error (-enum store_error). */
enum MHD_Result api_store_error(struct req *r, int rc);
/* Queue a plain-text body (copied) with `status` and content type. */
enum MHD_Result api_reply_text(struct req *r, unsigned status,
                               const char *ctype, const char *text, size_t len);

/*
 * Queue `len` bytes at `data` (copied; binary is fine) with `status`,
 * content type and one extra header (name/value may be NULL).
 */
enum MHD_Result api_reply_bytes(struct req *r, unsigned status,
                                const char *ctype, const void *data, size_t len,
                                const char *hname, const char *hval);

/*
 * The 401 `unauthorized` with `msg` for a missing or unknown key (any
 * kind: tokens, kiosk keys, stall keys); once the client's network
 * prefix has failed more often than the rate limit allows, 429
 * `rate_limited` instead, so keys cannot be guessed cheaply.
 */
enum MHD_Result api_unauthorized(struct req *r, const char *msg);

/*
 * The client's address as text; behind a proxy on loopback (nginx, see
 * packaging/nginx), the X-Real-IP it sets. For per-client limits.
 */
void api_client_addr(struct req *r, char *ip, size_t cap);

/* Field types for api_check_fields. */
enum api_type { T_STR, T_INT, T_BOOL, T_IDS, T_OBJ };

/* One allowed field of a JSON body. */
struct api_field {
    const char *name; /* key */
    int type;         /* enum api_type (T_IDS: int array or "all") */
    int required;     /* 1: must be present */
    size_t max;       /* T_STR: max bytes; T_INT: 0 or max value */
};

/*
 * Parse the request body as a JSON object and check it against `fields`
 * (NULL-name terminated): unknown fields, wrong types, missing required
 * fields, over-long strings, negative or too large numbers are rejected.
 * On failure the error reply is already queued: returns -1 and sets *res.
 */
int api_body(struct req *r, const struct api_field *fields, json_t **out,
             enum MHD_Result *res);

/* A string field or NULL. */
const char *api_str(json_t *o, const char *k);

/*
 * Read an invoice list field ([ids] or "all") into a new array (*ids NULL
 * for "all"). Returns 0 or -1 with the 400 reply queued in *res.
 */
int api_ids(struct req *r, json_t *v, int64_t **ids, size_t *n,
            enum MHD_Result *res);

/*
 * Check the query string: only names in `allowed` (NULL-terminated, may
 * be NULL for none). Returns 0 or -1 with a 400 queued in *res.
 */
int api_query_check(struct req *r, const char *const *allowed,
                    enum MHD_Result *res);
/* A query argument or NULL. */
const char *api_query(struct req *r, const char *name);
/* `s`, decimal digits only, as a number within [min, max] into *out:
 * 0, or -1 (malformed, out of range or NULL; *out untouched). For query
 * arguments and command-line options alike. */
int api_decimal(const char *s, int64_t min, int64_t max, int64_t *out);

/* Lists answer pages of API_PAGE_DEFAULT rows unless `limit` asks for
 * 1..API_PAGE_MAX, beside `total`, the rows over every page. */
#define API_PAGE_DEFAULT 100
#define API_PAGE_MAX     1000
/*
 * Read the paging arguments `limit` (0 when absent: the default) and
 * `offset` (rows skipped, 0 when absent) into *limit and *offset.
 * Returns 0 or -1 with a 400 invalid_parameter queued in *res.
 */
int api_paging(struct req *r, int64_t *limit, int64_t *offset,
               enum MHD_Result *res);

/*
 * Resolve the {org} of the URL (arg 0) and check the caller's scope.
 * Returns 0 and *id, or -1 with the error reply queued in *res.
 */
int api_org_scope(struct req *r, int64_t *id, enum MHD_Result *res);

/*
 * api_org_scope for a province credential (h_province.c): `rc` and `id`
 * are the look-up of the organisation; 0 when it is in the caller's
 * province, else -1 with 403 (unknown organisations alike) or the store
 * error queued in *res.
 */
int api_province_scope(struct req *r, int rc, int64_t id, enum MHD_Result *res);

/*
 * The province a caller asks about (?province=NAME, any spelling) as the
 * organisations spell it, into `out`: a province credential gets its own
 * (another is 403), an admin the one named. 0, 1 when none was asked
 * (`out` ""), or -1 with 400/403/404 queued in *res.
 */
int api_province_arg(struct req *r, char *out, size_t cap,
                     enum MHD_Result *res);

/*
 * A daily report (JSON text `text`, `len` bytes) cut to what a province
 * reads: the totals, without transactions, payers, kiosks or collectors.
 * A new JSON text (*out, free()), or -1 when out of memory.
 */
int api_province_totals(const char *text, size_t len, char **out,
                        size_t *out_len);

/* 1 when `s` matches [A-Z0-9-]{min,max} (codes of orgs, payers, fees). */
int api_code_ok(const char *s, size_t min, size_t max);

/* Hex SHA-256 of method, route and body for idempotency (out: 65). */
void api_body_hash(struct req *r, char out[65]);

/*
 * Write one event line to stderr (journald style, "<prio>chopay-server: "
 * first). `fmt` is the server's own text; every string argument (%s, %c)
 * is escaped (backslash, '"', control characters), so a value a client
 * sent cannot start another line or close a quoted field (log.c).
 */
void api_log(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Handlers (h_kiosk.c, h_board.c, h_ops.c). */
enum MHD_Result h_dues(struct req *r);
enum MHD_Result h_intent_create(struct req *r);
enum MHD_Result h_intent_get(struct req *r);
enum MHD_Result h_intent_cancel(struct req *r);
enum MHD_Result h_cash(struct req *r);
enum MHD_Result h_directory(struct req *r);
enum MHD_Result h_codes(struct req *r);
enum MHD_Result h_kiosk_totals(struct req *r);
/* Credentials (h_creds.c), admin only: GET /v1/kiosks[?org=],
 * DELETE /v1/kiosks/{id}[?org=], GET /v1/tokens, DELETE /v1/tokens/{id},
 * GET /v1/orgs/{org}/users, POST /v1/orgs/{org}/users/{login}/disable. */
enum MHD_Result h_kiosk_list(struct req *r);
enum MHD_Result h_kiosk_revoke(struct req *r);
enum MHD_Result h_token_list(struct req *r);
enum MHD_Result h_token_revoke(struct req *r);
enum MHD_Result h_user_list(struct req *r);
enum MHD_Result h_user_disable(struct req *r);
enum MHD_Result h_collector_add(struct req *r);
enum MHD_Result h_collector_list(struct req *r);
enum MHD_Result h_collector_disable(struct req *r);
/* 1 when `pin` is a collector's PIN: 4-8 digits. */
int collector_pin_ok(const char *pin);
/*
 * The collector of a cash record (h_collectors.c): 0 when the kiosk's
 * organisation has no active collector (the record names its own); 1
 * with the name of the collector whose PIN `pin` is in `out` (`name`,
 * when it is an active collector's, is the one tried); -1 with the 401
 * or 403 "bad_pin" reply in *res. Wrong PINs lock a collector a while.
 */
int collector_identify(struct req *r, const char *name, const char *pin,
                       char *out, size_t cap, enum MHD_Result *res);
/* 1 when the kiosk's organisation has an active collector, 0 not, -1. */
int collector_any(struct req *r);
enum MHD_Result h_kiosk_collector(struct req *r);
enum MHD_Result h_org_list(struct req *r);
enum MHD_Result h_org_create(struct req *r);
enum MHD_Result h_org_get(struct req *r);
enum MHD_Result h_org_update(struct req *r);
enum MHD_Result h_payer_list(struct req *r);
enum MHD_Result h_payer_create(struct req *r);
enum MHD_Result h_payer_update(struct req *r);
enum MHD_Result h_payer_import(struct req *r);
enum MHD_Result h_fee_list(struct req *r);
enum MHD_Result h_fee_create(struct req *r);
enum MHD_Result h_fee_update(struct req *r);
enum MHD_Result h_invoices_generate(struct req *r);
enum MHD_Result h_invoice_list(struct req *r);
enum MHD_Result h_intent_list(struct req *r);
enum MHD_Result h_payment_list(struct req *r);
enum MHD_Result h_receipt_list(struct req *r);
enum MHD_Result h_bank_sepay(struct req *r);
enum MHD_Result h_bank_casso(struct req *r);
enum MHD_Result h_bank_payos(struct req *r);
enum MHD_Result h_bank_generic(struct req *r);
enum MHD_Result h_statement(struct req *r);
enum MHD_Result h_bank_list(struct req *r);
enum MHD_Result h_bank_get(struct req *r);
enum MHD_Result h_bank_match(struct req *r);
enum MHD_Result h_bank_unmatch(struct req *r);
enum MHD_Result h_bank_ignore(struct req *r);
enum MHD_Result h_bank_split(struct req *r);
enum MHD_Result h_bank_secret(struct req *r);
/* Receipts, reports, statistics, standees (h_report.c). */
enum MHD_Result h_receipt_get(struct req *r);
enum MHD_Result h_receipt_key(struct req *r);
/* A receipt's public page, GET /r/{number}?s=SIG (h_receipt_page.c). */
enum MHD_Result h_receipt_page(struct req *r);
enum MHD_Result h_report_daily(struct req *r);
enum MHD_Result h_stats_adoption(struct req *r);
enum MHD_Result h_org_province(struct req *r);
enum MHD_Result h_standee_png(struct req *r);
enum MHD_Result h_standee_pdf(struct req *r);
enum MHD_Result h_standee_record(struct req *r);
enum MHD_Result h_day_close(struct req *r);
enum MHD_Result h_day_close_get(struct req *r);
enum MHD_Result h_day_reopen(struct req *r);
/* The provinces: an admin's list, a province credential's own
 * (h_province.c). */
enum MHD_Result h_provinces(struct req *r);
/* Refunds of payer credit (h_refund.c). */
enum MHD_Result h_payer_refund(struct req *r);
/* The web dashboard (h_dash.c). */
enum MHD_Result h_dash_index(struct req *r);
enum MHD_Result h_dash_asset(struct req *r);
enum MHD_Result h_dash_login(struct req *r);
enum MHD_Result h_dash_logout(struct req *r);
enum MHD_Result h_dash_session(struct req *r);
enum MHD_Result h_healthz(struct req *r);
enum MHD_Result h_metrics(struct req *r);
/* A vendor's own payment feed (h_stall.c): link and unlink it, its
 * aggregates, the refusal of its transactions to the board, the
 * provider's notifications, the vendor's announcements and page, and
 * the stalls of a market with a standee but no activity. */
enum MHD_Result h_stall_feed_link(struct req *r);
enum MHD_Result h_stall_feed_unlink(struct req *r);
enum MHD_Result h_stall_feed_get(struct req *r);
enum MHD_Result h_stall_feed_txns(struct req *r);
enum MHD_Result h_stall_hook(struct req *r);
enum MHD_Result h_stall_announcements(struct req *r);
enum MHD_Result h_stall_page(struct req *r);
enum MHD_Result h_stall_activity(struct req *r);
/* GET /v1/audit (h_audit.c): audit entries, scoped to the caller. */
enum MHD_Result h_audit_list(struct req *r);

/* Start the daemon on s->cfg (store and notifier already set). */
int srv_start(struct srv *s);
/* Stop: wake every long poll, stop the daemon, free limits/metrics. */
void srv_stop(struct srv *s);

/* Metrics for h_metrics (http.c). Appends Prometheus text to `out`. */
char *srv_metrics_text(struct srv *s, size_t *len);

#endif
