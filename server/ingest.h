/*
 * ingest.h: bank ingestion glue between HTTP/CLI and the store: the
 * per-organisation provider secrets (INI [bank.CODE] over the database),
 * webhook verification + journal + processing, journal recovery at
 * start-up, and statement import (all or nothing).
 */
#ifndef CHOPAY_SERVER_INGEST_H
#define CHOPAY_SERVER_INGEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "feeds/feeds.h"
#include "store.h"

#define INGEST_SECRET_MAX 256 /* longest secret, with NUL */

/* Secrets from the INI file: one entry per [bank.CODE] key. */
struct ingest_conf {
    char org[20];                  /* organisation code */
    char key[32];                  /* sepay_api_key, ... */
    char value[INGEST_SECRET_MAX]; /* the secret */
    struct ingest_conf *next;      /* list link */
};

/*
 * Take one key of an INI section "bank.CODE" into *list. Returns 0, or -1
 * with a message in err (cap) for an unknown key or an over-long value.
 */
int ingest_conf_set(struct ingest_conf **list, const char *section,
                    const char *key, const char *value, char *err, size_t cap);

/* Free the list (NULL is fine). */
void ingest_conf_free(struct ingest_conf *list);

/* The provider's secrets for an org: both "" when not configured. */
struct ingest_secret {
    char api_key[INGEST_SECRET_MAX];  /* SePay Apikey, Casso V1 token */
    char hmac_key[INGEST_SECRET_MAX]; /* HMAC / checksum key */
};

/*
 * The secrets of `provider` ("sepay", ...) for org `org_id` (code
 * `org_code`): the INI file's keys when it sets any for that provider,
 * else the database's (bank_secret_put). 0 or a negated store error.
 */
int ingest_secret(const struct ingest_conf *conf, struct store *st,
                  int64_t org_id, const char *org_code, const char *provider,
                  struct ingest_secret *out);

/*
 * What the journal keeps of notifications nobody authenticated (malformed,
 * unknown account, bad signature): their headers (each value cut to
 * INGEST_HEADER_KEEP bytes), the first INGEST_BODY_KEEP bytes of the body
 * and its length and SHA-256; bounded in count, bytes and age; and never
 * written when the data directory's filesystem has less than `reserve`
 * bytes free, which is left for verified notifications.
 */
struct ingest_limits {
    struct store_journal_limits keep; /* caps on unverified entries */
    int64_t reserve;                  /* free bytes kept for verified ones */
    char data_dir[512];               /* where free space is measured ("":
                                         not measured) */
};

#define INGEST_BODY_KEEP   1024 /* bytes of an unverified body kept */
#define INGEST_HEADER_KEEP 256  /* bytes of an unverified header value kept */

/* The defaults: 10000 entries, 32 MiB, 30 days, a 64 MiB reserve. */
void ingest_limits_default(struct ingest_limits *l);

/*
 * Take an INI [server] key of the journal's limits (journal_rejected_max,
 * journal_rejected_bytes, journal_rejected_days, journal_reserve_mb).
 * Returns 1 when taken, 0 when `key` is none of them, -1 with a message
 * in err (cap) for a bad value.
 */
int ingest_limits_set(struct ingest_limits *l, const char *key,
                      const char *value, char *err, size_t cap);

/*
 * Housekeeping: remove the unverified journal entries beyond `l` at
 * `now`; *removed (may be NULL) gets how many. 0 or a negated store error.
 */
int ingest_housekeep(struct store *st, const struct ingest_limits *l,
                     int64_t now, int64_t *removed);

/* A webhook request and the answer to send. */
struct ingest_hook {
    enum feeds_provider provider;       /* which endpoint */
    const char *body;                   /* raw body */
    size_t len;                         /* its length */
    const struct feeds_header *headers; /* the headers that matter */
    size_t nheaders;                    /* count */
    int64_t now;                        /* server clock, unix seconds */
    const struct ingest_limits *limits; /* NULL: the defaults, no reserve */
};

/*
 * Handle one webhook: parse, map to an organisation by the receiving
 * account, verify with its secret, journal (committed) and process.
 * Returns the HTTP status and *reply (JSON, new reference): 200 processed
 * (or replayed); 400 malformed (journaled "invalid"); 401 bad
 * authentication (journaled "rejected"); 403 unknown account (journaled
 * "rejected"); 503 storage failed (nothing acknowledged). Verified
 * notifications are journaled verbatim; the others within h->limits.
 */
int ingest_webhook(const struct ingest_conf *conf, struct store *st,
                   const struct ingest_hook *h, json_t **reply);

/*
 * Process journal entries left "received" by a crash between journal
 * and processing. Returns how many were processed, or -1.
 */
int ingest_recover(struct store *st);

/*
 * Import a statement file: format `fmt` (FEEDS_CAMT, FEEDS_MT940,
 * FEEDS_CSV, or 0 to detect; CSV read with `map`, NULL for the default
 * mapping), organisation `org_id` (0: each statement's
 * account decides). The whole file is parsed and its accounts checked
 * first: a parse error anywhere applies nothing. Its entries are then
 * applied in slices, each its own transaction, the statements' records
 * in the last; the same file imported again after an interruption goes
 * on where it stopped (statement_import.c). Returns 0 with *summary
 * (counts, balance checks), or -1 with *error =
 * {"code","message","line","path"} (parse) or a store error.
 */
int ingest_statement(struct store *st, int64_t org_id, const char *buf,
                     size_t len, int fmt, const struct feeds_csv_map *map,
                     const char *actor, int64_t now, json_t **summary,
                     json_t **error);

/* "camt", "mt940", "csv" -> enum feeds_provider, or 0 when unknown. */
int ingest_format(const char *name);

#endif
