/*
 * ingest.c: bank ingestion glue. A webhook is parsed, mapped to the
 * organisation that owns the receiving account, verified with that
 * organisation's secret, then written verbatim to the journal and
 * processed in one store batch, both committed before it is answered in
 * a commit shared with the webhooks arriving meanwhile. Statements:
 * statement_import.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <time.h>

#include "api_json.h"
#include "crypto.h"
#include "ingest.h"

/* ---- configuration ------------------------------------------------------- */

static const char *const conf_keys[][3] = {
    /* INI key, provider, field ("a" api_key / "h" hmac_key) */
    {"sepay_api_key", "sepay", "a"},      {"sepay_hmac_secret", "sepay", "h"},
    {"casso_key", "casso", "h"},          {"casso_secure_token", "casso", "a"},
    {"payos_checksum_key", "payos", "h"}, {"generic_secret", "generic", "h"},
};

#define N_CONF_KEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))

int ingest_conf_set(struct ingest_conf **list, const char *section,
                    const char *key, const char *value, char *err, size_t cap)
{
    struct ingest_conf *e;
    size_t i;

    if (strncmp(section, "bank.", 5) != 0 || strlen(section + 5) < 2 ||
        strlen(section + 5) >= sizeof(e->org)) {
        snprintf(err, cap, "section [%s]: expected [bank.ORGCODE]", section);
        return -1;
    }
    for (i = 0; i < N_CONF_KEYS; i++)
        if (strcmp(key, conf_keys[i][0]) == 0)
            break;
    if (i == N_CONF_KEYS) {
        snprintf(err, cap, "unknown key '%s' in [%s]", key, section);
        return -1;
    }
    if (strlen(value) >= INGEST_SECRET_MAX || strlen(value) < 8) {
        snprintf(err, cap, "%s: a secret of 8 to %d bytes", key,
                 INGEST_SECRET_MAX - 1);
        return -1;
    }
    e = calloc(1, sizeof(*e));
    if (e == NULL) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    snprintf(e->org, sizeof(e->org), "%s", section + 5);
    snprintf(e->key, sizeof(e->key), "%s", key);
    snprintf(e->value, sizeof(e->value), "%s", value);
    e->next = *list;
    *list = e;
    return 0;
}

void ingest_conf_free(struct ingest_conf *list)
{
    while (list != NULL) {
        struct ingest_conf *n = list->next;

        memset(list->value, 0, sizeof(list->value));
        free(list);
        list = n;
    }
}

int ingest_secret(const struct ingest_conf *conf, struct store *st,
                  int64_t org_id, const char *org_code, const char *provider,
                  struct ingest_secret *out)
{
    const struct ingest_conf *e;
    int from_ini = 0;
    size_t i;

    memset(out, 0, sizeof(*out));
    for (e = conf; e != NULL; e = e->next) {
        if (strcmp(e->org, org_code) != 0)
            continue;
        for (i = 0; i < N_CONF_KEYS; i++) {
            if (strcmp(e->key, conf_keys[i][0]) != 0 ||
                strcmp(conf_keys[i][1], provider) != 0)
                continue;
            from_ini = 1;
            snprintf(conf_keys[i][2][0] == 'a' ? out->api_key : out->hmac_key,
                     INGEST_SECRET_MAX, "%s", e->value);
        }
    }
    if (from_ini)
        return 0;
    return st->ops->bank_secret_get(st, org_id, provider, out->api_key,
                                    sizeof(out->api_key), out->hmac_key,
                                    sizeof(out->hmac_key));
}

/* ---- the journal's limits ------------------------------------------------ */

/* The defaults; the data directory is set by the server. */
static const struct ingest_limits default_limits = {
    {10000, 32 * 1024 * 1024, 30 * 86400}, 64 * 1024 * 1024, ""};

void ingest_limits_default(struct ingest_limits *l)
{
    *l = default_limits;
}

int ingest_limits_set(struct ingest_limits *l, const char *key,
                      const char *value, char *err, size_t cap)
{
    static const struct {
        const char *key; /* INI key in [server] */
        long long min;   /* smallest value */
        long long max;   /* largest value */
        long long unit;  /* value * unit = the limit */
    } keys[] = {
        {"journal_rejected_max", 10, 100000000, 1},
        {"journal_rejected_bytes", 65536, 1LL << 40, 1},
        {"journal_rejected_days", 1, 3650, 86400},
        {"journal_reserve_mb", 0, 1000000000, 1024 * 1024},
    };
    long long n;
    char *end;
    size_t i;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcmp(key, keys[i].key) == 0)
            break;
    if (i == sizeof(keys) / sizeof(keys[0]))
        return 0;
    n = strtoll(value, &end, 10);
    if (*value == '\0' || *end != '\0' || n < keys[i].min || n > keys[i].max) {
        snprintf(err, cap, "%s: a number from %lld to %lld", key, keys[i].min,
                 keys[i].max);
        return -1;
    }
    n *= keys[i].unit;
    switch (i) {
    case 0:
        l->keep.max_entries = n;
        break;
    case 1:
        l->keep.max_bytes = n;
        break;
    case 2:
        l->keep.max_age = n;
        break;
    default:
        l->reserve = n;
        break;
    }
    return 1;
}

int ingest_housekeep(struct store *st, const struct ingest_limits *l,
                     int64_t now, int64_t *removed)
{
    return st->ops->journal_prune(st, &l->keep, now, removed);
}

/* 1 when the data directory's filesystem has less than the reserve free. */
static int below_reserve(const struct ingest_limits *l)
{
    struct statvfs v;

    if (l->reserve <= 0 || l->data_dir[0] == '\0')
        return 0;
    if (statvfs(l->data_dir, &v) != 0)
        return 1; /* cannot tell: keep the space for verified ones */
    return (unsigned long long)v.f_bavail * v.f_frsize <
           (unsigned long long)l->reserve;
}

/* ---- webhooks ------------------------------------------------------------ */

static int parse_hook(enum feeds_provider p, const char *body, size_t len,
                      struct bank_txn_list *l, struct feeds_error *err)
{
    switch (p) {
    case FEEDS_SEPAY:
        return feeds_parse_sepay(body, len, l, err);
    case FEEDS_CASSO:
        return feeds_parse_casso(body, len, l, err);
    case FEEDS_PAYOS:
        return feeds_parse_payos(body, len, l, err);
    case FEEDS_GENERIC:
        return feeds_parse_generic(body, len, l, err);
    default:
        return -FEEDS_E_UNSUPPORTED;
    }
}

static int verify_hook(const struct ingest_hook *h,
                       const struct ingest_secret *sec, struct feeds_error *err)
{
    struct feeds_request rq = {h->body, h->len, h->headers, h->nheaders};
    struct feeds_secret fs = {sec->api_key[0] ? sec->api_key : NULL,
                              sec->hmac_key[0] ? sec->hmac_key : NULL};

    switch (h->provider) {
    case FEEDS_SEPAY:
        return feeds_verify_sepay(&rq, &fs, h->now, err);
    case FEEDS_CASSO:
        return feeds_verify_casso(&rq, &fs, h->now, err);
    case FEEDS_PAYOS:
        return feeds_verify_payos(&rq, &fs, h->now, err);
    case FEEDS_GENERIC:
        return feeds_verify_generic(&rq, &fs, h->now, err);
    default:
        return -FEEDS_E_UNSUPPORTED;
    }
}

/*
 * The headers that matter, as JSON; credentials are not kept. With `cut`
 * (an unverified notification) each value is cut to INGEST_HEADER_KEEP
 * bytes (on a UTF-8 boundary, its full length noted) and "(body)" tells
 * the body's length, SHA-256 and how much of it is kept.
 */
static char *headers_json(const struct ingest_hook *h, int cut)
{
    json_t *o = json_object();
    char *text;
    size_t i;

    for (i = 0; i < h->nheaders; i++) {
        const char *n = h->headers[i].name, *v = h->headers[i].value;
        size_t vl;

        if (v == NULL)
            continue;
        vl = strlen(v);
        if (strcasecmp(n, "Authorization") == 0 ||
            strcasecmp(n, "secure-token") == 0) {
            json_object_set_new(o, n,
                                json_sprintf("(%zu bytes, not kept)", vl));
        } else if (cut && vl > INGEST_HEADER_KEEP) {
            size_t k = INGEST_HEADER_KEEP;

            while (k > 0 && ((unsigned char)v[k] & 0xC0) == 0x80)
                k--;
            json_object_set_new(
                o, n, json_sprintf("%.*s... (%zu bytes)", (int)k, v, vl));
        } else {
            json_object_set_new(o, n, json_string(v));
        }
    }
    if (cut) {
        uint8_t d[CRYPTO_SHA256_LEN];
        char hex[2 * CRYPTO_SHA256_LEN + 1];

        crypto_sha256(h->body, h->len, d);
        crypto_hex(d, sizeof(d), hex);
        json_object_set_new(
            o, "(body)",
            json_sprintf("%zu bytes, sha256 %s, first %zu kept", h->len, hex,
                         h->len < INGEST_BODY_KEEP ? h->len
                                                   : (size_t)INGEST_BODY_KEEP));
    }
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

static json_t *err_json(const char *code, const char *msg,
                        const struct feeds_error *fe)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);

    if (fe != NULL && fe->line > 0)
        json_object_set_new(e, "line", json_integer(fe->line));
    if (fe != NULL && fe->path[0] != '\0')
        json_object_set_new(e, "path", json_string(fe->path));
    return json_pack("{s:o}", "error", e);
}

/* The journal entry of one notification into *j; its headers JSON is
 * malloc'd into *hj (the caller frees it; NULL leaves "{}"). */
static void journal_entry(const struct ingest_hook *h, int64_t org,
                          const char *verified, const char *state,
                          const char *detail, struct store_journal *j,
                          char **hj)
{
    const struct ingest_limits *lim = h->limits ? h->limits : &default_limits;
    int ok = strcmp(verified, "ok") == 0;

    *hj = headers_json(h, !ok);
    memset(j, 0, sizeof(*j));
    j->provider = feeds_provider_name(h->provider);
    j->org_id = org;
    j->headers = *hj ? *hj : "{}";
    j->body = h->body;
    j->len = ok || h->len < INGEST_BODY_KEEP ? h->len : INGEST_BODY_KEEP;
    j->verified = verified;
    j->state = state;
    j->detail = detail;
    j->now = h->now;
    j->keep = ok ? 0 : lim->keep.max_entries;
}

/*
 * Journal one notification; 0 or -1 (storage failed). A verified one
 * ("ok") verbatim; any other within the limits: headers cut, the body's
 * first INGEST_BODY_KEEP bytes, the oldest beyond the count dropped, and
 * nothing at all when free space is below the reserve.
 */
static int journal(struct store *st, const struct ingest_hook *h, int64_t org,
                   const char *verified, const char *state, const char *detail,
                   int64_t *id)
{
    const struct ingest_limits *lim = h->limits ? h->limits : &default_limits;
    char *hj;
    struct store_journal j;
    int64_t jid = 0;
    int rc;

    if (strcmp(verified, "ok") != 0 && below_reserve(lim)) {
        if (id != NULL)
            *id = 0;
        return 0; /* the space left is for verified notifications */
    }
    journal_entry(h, org, verified, state, detail, &j, &hj);
    rc = st->ops->journal_add(st, &j, &jid);

    free(hj);
    if (id != NULL)
        *id = jid;
    return rc == 0 ? 0 : -1;
}

/* Ingest the parsed transactions of journal entry `jid` in one batch. */
static int process_once(struct store *st, int64_t org,
                        const struct bank_txn_list *l, int64_t jid, int64_t now,
                        struct store_bank_results *results)
{
    struct store_bank *b = NULL;
    struct store_bank_results a = {NULL, 0};
    char actor[48];
    size_t i;
    int rc;

    snprintf(actor, sizeof(actor), "bank:%s",
             l->n ? feeds_provider_name(l->txns[0].provider) : "?");
    if (results != NULL && l->n > 0) {
        a.rows = calloc(l->n, sizeof(*a.rows));
        if (a.rows == NULL) {
            store_set_error("storage_unavailable", "out of memory");
            return -STORE_E_IO;
        }
    }
    rc = st->ops->bank_begin(st, actor, now, NULL, &b);
    if (rc != 0) {
        free(a.rows);
        return rc;
    }
    for (i = 0; i < l->n && rc == 0; i++) {
        rc = st->ops->bank_add(b, org, &l->txns[i], "webhook", jid,
                               a.rows != NULL ? &a.rows[i] : NULL);
        if (rc == 0 && a.rows != NULL)
            a.n++;
    }
    {
        int e = st->ops->bank_end(b, rc == 0, jid, NULL);

        if (rc == 0)
            rc = e;
    }
    if (rc == 0 && results != NULL)
        *results = a;
    else
        store_bank_results_free(&a);
    return rc;
}

/* process_once, run again while the database loses the batch to a
 * deadlock (it shares the database with other organisations' writes). */
static int process(struct store *st, int64_t org, const struct bank_txn_list *l,
                   int64_t jid, int64_t now, struct store_bank_results *results)
{
    int rc, tries = 1;

    while ((rc = process_once(st, org, l, jid, now, results)) == -STORE_E_IO &&
           strcmp(store_error_code(), "storage_busy") == 0 &&
           tries++ < STORE_WRITE_TRIES)
        ;
    return rc;
}

/*
 * Journal verified notification `h` and process its transactions `l`,
 * both on disk (fsync'd) before it returns, in a commit shared with the
 * notifications arriving meanwhile (store_ops.bank_hook). When that
 * commit stored nothing, the two go alone as they always could: the
 * journal entry committed first, then its batch. 0 with *results set;
 * -STORE_E_IO when it could not be stored or processed for now (a
 * journal entry written stays "received", processed at start-up);
 * another error: the entry *jid is kept "invalid" with the store's
 * error message.
 */
static int journal_process(struct store *st, const struct ingest_hook *h,
                           int64_t org, const struct bank_txn_list *l,
                           int64_t *jid, struct store_bank_results *results)
{
    struct store_journal j;
    struct store_hook sh;
    char actor[48], why[256];
    char *hj;
    int rc;

    snprintf(actor, sizeof(actor), "bank:%s",
             l->n ? feeds_provider_name(l->txns[0].provider) : "?");
    journal_entry(h, org, "ok", "received", "", &j, &hj);
    memset(&sh, 0, sizeof(sh));
    sh.journal = &j;
    sh.org_id = org;
    sh.txns = l;
    sh.actor = actor;
    sh.now = h->now;
    rc = st->ops->bank_hook(st, &sh);
    free(hj);
    *jid = sh.journal_id;
    if (rc != -STORE_E_IO || sh.journal_id != 0) {
        *results = sh.results;
        return rc;
    }
    if (journal(st, h, org, "ok", "received", "", jid) != 0)
        return -STORE_E_IO;
    rc = process(st, org, l, *jid, h->now, results);
    if (rc == 0 || rc == -STORE_E_IO)
        return rc;
    snprintf(why, sizeof(why), "%s", store_error_message());
    if (st->ops->journal_fail(st, *jid, why) != 0)
        return -STORE_E_IO;
    store_set_error("processing_failed", "%s", why);
    return rc;
}

int ingest_webhook(const struct ingest_conf *conf, struct store *st,
                   const struct ingest_hook *h, json_t **reply)
{
    struct bank_txn_list l = {0};
    struct feeds_error fe = {0};
    struct ingest_secret sec;
    const char *prov = feeds_provider_name(h->provider);
    struct store_bank_results results = {NULL, 0};
    int64_t org = 0, jid = 0;
    char code[32] = "";
    size_t i;
    int rc, status;

    rc = parse_hook(h->provider, h->body, h->len, &l, &fe);
    if (rc != 0) {
        if (journal(st, h, 0, "unverified", "invalid", fe.message, NULL))
            goto unavailable;
        *reply = err_json("invalid_notification", fe.message, &fe);
        return 400;
    }
    if (l.n == 0) {
        if (journal(st, h, 0, "unverified", "invalid", "no transaction", NULL))
            goto unavailable;
        *reply = err_json("invalid_notification", "no transaction", NULL);
        status = 400;
        goto out;
    }
    rc = st->ops->bank_account_org(st, l.txns[0].account, &org, code);
    for (i = 1; rc == 0 && i < l.n; i++) {
        int64_t o2 = 0;
        char c2[32];

        rc = st->ops->bank_account_org(st, l.txns[i].account, &o2, c2);
        if (rc == 0 && o2 != org) {
            store_set_error("unknown_account", "accounts of several"
                                               " organisations in one"
                                               " notification");
            rc = -STORE_E_NOT_FOUND;
        }
    }
    if (rc == -STORE_E_IO)
        goto unavailable;
    if (rc != 0) {
        /* no organisation, or not exactly one: unknown_account or
           ambiguous_account */
        int amb = strcmp(store_error_code(), "ambiguous_account") == 0;
        const char *why = amb ? "ambiguous_account" : "unknown_account";

        if (journal(st, h, 0, "unverified", "rejected", why, NULL))
            goto unavailable;
        *reply = err_json(why,
                          amb ? "the receiving account is held by"
                                " organisations at different banks; it"
                                " needs its BIN"
                              : "the receiving account is no organisation's"
                                " collecting account here",
                          NULL);
        status = 403;
        goto out;
    }
    if (ingest_secret(conf, st, org, code, prov, &sec) != 0)
        goto unavailable;
    rc = verify_hook(h, &sec, &fe);
    if (rc != 0) {
        if (journal(st, h, org, feeds_error_name(-rc), "rejected", fe.message,
                    NULL))
            goto unavailable;
        *reply = err_json(-rc == FEEDS_E_STALE       ? "stale_timestamp"
                          : -rc == FEEDS_E_NO_SECRET ? "not_configured"
                                                     : "bad_signature",
                          fe.message, NULL);
        status = 401;
        goto out;
    }
    /* journaled and processed, on disk (fsync'd) before it is answered */
    rc = journal_process(st, h, org, &l, &jid, &results);
    if (rc == -STORE_E_IO)
        goto unavailable;
    if (rc != 0) {
        /* a notification the ledger cannot take (never expected): kept in
           the journal as "invalid" with the reason, for a person */
        *reply = err_json("processing_failed", store_error_message(), NULL);
        status = 422;
        goto out;
    }
    *reply =
        json_pack("{s:b, s:I, s:o}", "success", 1, "journal", (json_int_t)jid,
                  "transactions", api_json_bank_results(&results));
    status = 200;
    goto out;
unavailable:
    *reply = err_json("storage_unavailable",
                      "the notification could not be stored; retry", NULL);
    status = 503;
out:
    memset(&sec, 0, sizeof(sec));
    store_bank_results_free(&results);
    feeds_list_free(&l);
    return status;
}

int ingest_recover(struct store *st)
{
    struct store_pending_list pend = {NULL, 0};
    int total = 0, rc;

    for (;;) {
        size_t i, n;

        if (st->ops->journal_pending(st, 256, &pend) != 0)
            return -1;
        n = pend.n;
        for (i = 0; i < n; i++) {
            const struct store_pending_entry *e = &pend.rows[i];
            const char *prov = e->provider;
            struct bank_txn_list l = {0};
            struct feeds_error fe = {0};
            enum feeds_provider p = strcmp(prov, "sepay") == 0   ? FEEDS_SEPAY
                                    : strcmp(prov, "casso") == 0 ? FEEDS_CASSO
                                    : strcmp(prov, "payos") == 0
                                        ? FEEDS_PAYOS
                                        : FEEDS_GENERIC;

            if (parse_hook(p, e->body, e->len, &l, &fe) != 0) {
                st->ops->journal_fail(st, e->id, fe.message);
                continue;
            }
            rc = process(st, e->org_id, &l, e->id, (int64_t)time(NULL), NULL);
            if (rc == -STORE_E_IO) {
                feeds_list_free(&l);
                store_pending_list_free(&pend);
                return -1;
            }
            if (rc != 0 &&
                st->ops->journal_fail(st, e->id, store_error_message()) != 0) {
                feeds_list_free(&l);
                store_pending_list_free(&pend);
                return -1;
            }
            feeds_list_free(&l);
            total++;
        }
        store_pending_list_free(&pend);
        if (n < 256)
            break;
    }
    return total;
}
