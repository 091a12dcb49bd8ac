/*
 * receipts.c: signed receipts: each organisation's signing key (made on first
 * use, audited), receipt numbers from a per-organisation yearly counter,
 * issuing a receipt inside the transaction that records its payment, and
 * reading a receipt, a page of an organisation's receipts or its public
 * key, and each receipt's public address (its number and a short MAC).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "receipt.h"
#include "store_int.h"

/*
 * The signing seed of organisation `org`, created (and audited) when it
 * has none yet. Must run inside a write transaction when `create` is 1;
 * with create 0 a missing key is -STORE_E_NOT_FOUND.
 */
static int org_seed(struct sqi_conn *c, int64_t org, int create, int64_t now,
                    uint8_t seed[RECEIPT_KEY_LEN])
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    uint8_t pub[RECEIPT_KEY_LEN], fresh[RECEIPT_KEY_LEN];
    char kid[RECEIPT_KEY_ID_LEN + 1];
    int rc;

    rc = sqr_stmt(db, "SELECT seed FROM org_keys WHERE org_id = ?1", &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, org);
    rc = sqr_step(db, st);
    if (rc == 1 && db_column_bytes(st, 0) == RECEIPT_KEY_LEN) {
        memcpy(seed, db_column_blob(st, 0), RECEIPT_KEY_LEN);
        rc = 0;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (!create) {
        store_set_error("key_not_found", "no receipt key yet");
        rc = -STORE_E_NOT_FOUND;
        goto out;
    }
    sqr_done(st);
    st = NULL;
    if (receipt_keygen(fresh, pub) != 0 || receipt_key_id(pub, kid) != 0) {
        store_set_error("crypto_failed", "cannot create a receipt key");
        rc = -STORE_E_IO;
        goto out;
    }
    rc = sqr_stmt(db,
                  "INSERT INTO org_keys(org_id, seed, key_id, created_at)"
                  " VALUES (?1, ?2, ?3, ?4)",
                  &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org);
    db_bind_blob(st, 2, fresh, RECEIPT_KEY_LEN);
    db_bind_text(st, 3, kid);
    db_bind_int64(st, 4, now);
    rc = sqr_step(db, st);
    if (rc < 0)
        goto out;
    {
        char obj[32];

        snprintf(obj, sizeof(obj), "org:%lld", (long long)org);
        rc = sqi_audit(c, org, now, "server", "receipt_key.create", obj,
                       json_pack("{s:s}", "key_id", kid));
        if (rc != 0)
            goto out;
    }
    memcpy(seed, fresh, RECEIPT_KEY_LEN);
    rc = 0;
out:
    sqr_done(st);
    memset(fresh, 0, sizeof(fresh));
    return rc;
}

/* The next receipt sequence number of (org, year), in the write txn. */
static int next_seq(struct db *db, int64_t org, int year, int64_t *seq)
{
    struct db_stmt *st = NULL;
    int rc;

    rc = sqr_stmt(
        db,
        "INSERT INTO receipt_seq(org_id, year, next) VALUES (?1, ?2, 1)"
        " ON CONFLICT (org_id, year) DO UPDATE"
        " SET next = receipt_seq.next + 1 RETURNING next",
        &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, org);
    db_bind_int64(st, 2, year);
    rc = sqr_step(db, st);
    if (rc == 1) {
        *seq = db_column_int64(st, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = sqi_db_error(db, -DB_E_IO, "receipt_seq");
    }
    sqr_done(st);
    return rc;
}

int sqr_receipt_issue(struct sqi_conn *c, int64_t payment, int64_t now)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    struct receipt r;
    uint8_t seed[RECEIPT_KEY_LEN];
    char text[RECEIPT_TEXT_MAX];
    int64_t org, payer, seq = 0;
    int year, mo, d, h, mi, se, rc;

    memset(&r, 0, sizeof(r));
    rc = sqr_stmt(db,
                  "SELECT p.org_id, p.payer_id, o.code, y.code, p.method,"
                  " p.amount, coalesce(i.code, '') FROM payments p"
                  " JOIN orgs o ON o.id = p.org_id"
                  " JOIN payers y ON y.id = p.payer_id"
                  " LEFT JOIN intents i ON i.id = p.intent_id WHERE p.id = ?1",
                  &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, payment);
    rc = sqr_step(db, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("payment_not_found", "no payment %lld",
                            (long long)payment);
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    org = db_column_int64(st, 0);
    payer = db_column_int64(st, 1);
    sqr_copy_col(st, 2, r.org, sizeof(r.org));
    sqr_copy_col(st, 3, r.payer, sizeof(r.payer));
    r.method = strcmp(db_column_text(st, 4), "cash") == 0 ? RECEIPT_CASH
                                                          : RECEIPT_TRANSFER;
    r.amount = db_column_int64(st, 5);
    sqr_copy_col(st, 6, r.ref, sizeof(r.ref));
    sqr_done(st);
    st = NULL;
    r.paid_at = now;
    /* the receipt year is the year in Vietnam (UTC+7) */
    receipt_civil(now + 7 * 3600, &year, &mo, &d, &h, &mi, &se);
    rc = org_seed(c, org, 1, now, seed);
    if (rc != 0)
        goto out;
    rc = next_seq(db, org, year, &seq);
    if (rc != 0)
        goto out;
    if (receipt_number(r.org, year, (uint64_t)seq, r.number,
                       sizeof(r.number)) != 0 ||
        receipt_sign(&r, seed, text, sizeof(text)) != 0) {
        store_set_error("receipt_failed",
                        "cannot sign receipt for payment"
                        " %lld",
                        (long long)payment);
        rc = -STORE_E_INVALID;
        goto out;
    }
    rc = sqr_stmt(db,
                  "INSERT INTO receipts(org_id, number, payment_id, payer_id,"
                  " method, amount, paid_at, text) VALUES (?1, ?2, ?3, ?4, ?5,"
                  " ?6, ?7, ?8)",
                  &st);
    if (rc != 0)
        goto out;
    db_bind_int64(st, 1, org);
    db_bind_text(st, 2, r.number);
    db_bind_int64(st, 3, payment);
    db_bind_int64(st, 4, payer);
    db_bind_text(st, 5, r.method == RECEIPT_CASH ? "cash" : "transfer");
    db_bind_int64(st, 6, r.amount);
    db_bind_int64(st, 7, now);
    db_bind_text(st, 8, text);
    rc = sqr_step(db, st);
    if (rc > 0)
        rc = 0;
out:
    sqr_done(st);
    memset(seed, 0, sizeof(seed));
    return rc;
}

int sqr_receipt_of_payment(struct sqi_conn *c, int64_t payment, char *out,
                           size_t cap)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT number FROM receipts WHERE payment_id = ?1"
                  " AND voided_at IS NULL",
                  &st);
    if (rc != 0)
        return rc;
    db_bind_int64(st, 1, payment);
    rc = sqr_step(db, st);
    if (rc == 1) {
        sqr_copy_col(st, 0, out, cap);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("receipt_not_found", "no receipt");
        rc = -STORE_E_NOT_FOUND;
    }
    sqr_done(st);
    return rc;
}

/*
 * The signature of receipt `number` in its public address: HMAC-SHA256
 * keyed with its organisation's signing seed over "chopay-receipt-url\n"
 * and the number (a message no receipt text starts with), its first
 * STORE_RECEIPT_SIG_BYTES bytes as base64url without padding.
 */
static int url_sig(const uint8_t seed[RECEIPT_KEY_LEN], const char *number,
                   char out[STORE_RECEIPT_SIG_LEN + 1])
{
    static const char tag[] = "chopay-receipt-url\n";
    char msg[sizeof(tag) + RECEIPT_NUMBER_MAX + 1];
    char b64[4 * ((CRYPTO_SHA256_LEN + 2) / 3) + 1];
    uint8_t mac[CRYPTO_SHA256_LEN];
    int n = snprintf(msg, sizeof(msg), "%s%s", tag, number);
    size_t i;

    if (n < 0 || (size_t)n >= sizeof(msg) ||
        crypto_hmac_sha256(seed, RECEIPT_KEY_LEN, msg, (size_t)n, mac) != 0)
        return -1;
    crypto_base64(mac, STORE_RECEIPT_SIG_BYTES, b64);
    for (i = 0; i < STORE_RECEIPT_SIG_LEN; i++)
        out[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    out[STORE_RECEIPT_SIG_LEN] = '\0';
    memset(mac, 0, sizeof(mac));
    return 0;
}

/* The public address of receipt `number`, signed with its
 * organisation's seed, into `out` (cap bytes). */
static int url_signed(const uint8_t seed[RECEIPT_KEY_LEN], const char *number,
                      char *out, size_t cap)
{
    char sig[STORE_RECEIPT_SIG_LEN + 1];

    if (url_sig(seed, number, sig) != 0) {
        store_set_error("crypto_failed", "cannot sign a receipt address");
        return -STORE_E_IO;
    }
    if (snprintf(out, cap, "/r/%s?s=%s", number, sig) >= (int)cap) {
        store_set_error("too_long", "receipt address too long");
        return -STORE_E_IO;
    }
    return 0;
}

/* The public address of receipt `number` of organisation `org` into
 * `out` (cap bytes). Inside any transaction. */
static int url_of(struct sqi_conn *c, int64_t org, const char *number,
                  char *out, size_t cap)
{
    uint8_t seed[RECEIPT_KEY_LEN];
    int rc = org_seed(c, org, 0, 0, seed);

    if (rc == 0)
        rc = url_signed(seed, number, out, cap);
    memset(seed, 0, sizeof(seed));
    return rc;
}

int sqr_receipt_url(struct sqi_conn *c, const char *number, char *out,
                    size_t cap)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *st = NULL;
    int64_t org = 0;
    int rc;

    rc = sqr_stmt(db, "SELECT org_id FROM receipts WHERE number = ?1", &st);
    if (rc != 0)
        return rc;
    db_bind_text(st, 1, number);
    rc = sqr_step(db, st);
    if (rc == 1)
        org = db_column_int64(st, 0);
    sqr_done(st);
    if (rc == 0) {
        store_set_error("receipt_not_found", "no receipt %s", number);
        rc = -STORE_E_NOT_FOUND;
    }
    if (rc < 0)
        return rc;
    return url_of(c, org, number, out, cap);
}

int sqr_receipt_url_get(struct store *st, const char *number, char *out,
                        size_t cap)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqi_begin_read(c);

    if (rc == 0) {
        rc = sqr_receipt_url(c, number, out, cap);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}

/*
 * What payment `payment` paid for: the labels of the invoices it was
 * allocated to, each once, in invoice order, joined by ", " into *out
 * (malloc'd, "" for none). 0 or the store's error.
 */
static int labels_of(struct db *db, int64_t payment, char **out)
{
    struct db_stmt *q = NULL;
    json_t *seen = json_array();
    size_t len = 0, i, n;
    char *text = NULL;
    int rc;

    rc = seen ? sqr_stmt(db,
                         "SELECT v.label FROM allocations a JOIN invoices v ON"
                         " v.id = a.invoice_id WHERE a.payment_id = ?1"
                         " ORDER BY v.id, a.id",
                         &q)
              : -STORE_E_IO;
    if (rc != 0)
        goto out;
    db_bind_int64(q, 1, payment);
    while ((rc = sqr_step(db, q)) == 1) {
        const char *label = db_column_text(q, 0);
        json_t *v;
        int dup = 0;

        if (label == NULL)
            continue;
        json_array_foreach(seen, i, v) dup |=
            strcmp(json_string_value(v), label) == 0;
        if (!dup) {
            json_array_append_new(seen, json_string(label));
            len += strlen(label) + 2;
        }
    }
    sqr_done(q);
    if (rc < 0)
        goto out;
    text = malloc(len + 1);
    if (text == NULL) {
        store_set_error("out_of_memory", "out of memory");
        rc = -STORE_E_IO;
        goto out;
    }
    text[0] = '\0';
    n = 0;
    for (i = 0; i < json_array_size(seen); i++) {
        const char *label = json_string_value(json_array_get(seen, i));
        size_t l = label ? strlen(label) : 0;

        if (i > 0) {
            memcpy(text + n, ", ", 2);
            n += 2;
        }
        memcpy(text + n, label ? label : "", l);
        n += l;
    }
    text[n] = '\0';
    *out = text;
    rc = 0;
out:
    json_decref(seen);
    return rc;
}

void store_receipt_clear(struct store_receipt *r)
{
    if (r == NULL)
        return;
    free(r->number);
    free(r->org);
    free(r->org_name);
    free(r->payer);
    free(r->payer_name);
    free(r->method);
    free(r->text);
    free(r->purpose);
    free(r->public_url);
    memset(r, 0, sizeof(*r));
}

int sqr_receipt_get(struct store *st, int64_t org_id, const char *number,
                    struct store_receipt *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    struct store_receipt r;
    int rc;

    memset(&r, 0, sizeof(r));
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqr_stmt(db,
                  "SELECT r.number, o.code, o.name, y.code, y.name, r.method,"
                  " r.amount, r.paid_at, r.text, r.voided_at, r.payment_id,"
                  " r.org_id"
                  " FROM receipts r JOIN orgs o ON o.id = r.org_id"
                  " JOIN payers y ON y.id = r.payer_id WHERE r.number = ?1",
                  &q);
    if (rc != 0)
        goto end;
    db_bind_text(q, 1, number);
    rc = sqr_step(db, q);
    if (rc == 0 ||
        (rc == 1 && org_id != 0 && db_column_int64(q, 11) != org_id)) {
        store_set_error("receipt_not_found", "no receipt %s", number);
        rc = -STORE_E_NOT_FOUND;
        goto end;
    }
    if (rc < 0)
        goto end;
    rc = labels_of(db, db_column_int64(q, 10), &r.purpose);
    if (rc == 0)
        rc = sqi_col_dup(q, 0, &r.number);
    if (rc == 0)
        rc = sqi_col_dup(q, 1, &r.org);
    if (rc == 0)
        rc = sqi_col_dup(q, 2, &r.org_name);
    if (rc == 0)
        rc = sqi_col_dup(q, 3, &r.payer);
    if (rc == 0)
        rc = sqi_col_dup(q, 4, &r.payer_name);
    if (rc == 0)
        rc = sqi_col_dup(q, 5, &r.method);
    if (rc == 0)
        rc = sqi_col_dup(q, 8, &r.text);
    if (rc != 0)
        goto end;
    {
        char url[STORE_RECEIPT_URL_MAX];

        rc = url_of(c, db_column_int64(q, 11), r.number, url, sizeof(url));
        if (rc == 0 && (r.public_url = strdup(url)) == NULL) {
            store_set_error("out_of_memory", "out of memory");
            rc = -STORE_E_IO;
        }
        if (rc != 0)
            goto end;
    }
    r.amount = db_column_int64(q, 6);
    r.paid_at = db_column_int64(q, 7);
    r.voided = db_column_type(q, 9) != DB_NULL;
    r.voided_at = r.voided ? db_column_int64(q, 9) : 0;
    r.payment = db_column_int64(q, 10);
    *out = r;
    memset(&r, 0, sizeof(r));
end:
    sqr_done(q);
    store_receipt_clear(&r);
    sqi_end_read(c);
done:
    sqi_put_conn(s, c);
    return rc;
}

static void receipt_row_clear(struct store_receipt_row *r)
{
    free(r->number);
    free(r->payer);
    free(r->method);
    free(r->public_url);
    memset(r, 0, sizeof(*r));
}

SQI_LIST_FREE(store_receipt_list_free, store_receipt_list, receipt_row_clear)

#define RECEIPT_FILTER                                                         \
    " FROM receipts r JOIN payers y ON y.id = r.payer_id"                      \
    " WHERE r.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR y.code = ?2)"

/* The receipt in the current row of `q` into `r`. */
static int receipt_row_read(struct db_stmt *q, struct store_receipt_row *r)
{
    memset(r, 0, sizeof(*r));
    r->id = db_column_int64(q, 0);
    r->number = strdup(db_column_text(q, 1));
    r->payer = strdup(db_column_text(q, 2));
    r->method = strdup(db_column_text(q, 3));
    r->amount = db_column_int64(q, 4);
    r->paid_at = db_column_int64(q, 5);
    r->voided = db_column_type(q, 6) != DB_NULL;
    if (r->number == NULL || r->payer == NULL || r->method == NULL) {
        receipt_row_clear(r);
        store_set_error("storage_unavailable", "out of memory");
        return -STORE_E_IO;
    }
    return 0;
}

/* The public address of every row of `l`, receipts of organisation
 * `org`, signed with its seed read once. */
static int rows_urls(struct sqi_conn *c, int64_t org,
                     struct store_receipt_list *l)
{
    uint8_t seed[RECEIPT_KEY_LEN];
    char url[STORE_RECEIPT_URL_MAX];
    size_t i;
    int rc = l->n > 0 ? org_seed(c, org, 0, 0, seed) : 0;

    for (i = 0; rc == 0 && i < l->n; i++) {
        rc = url_signed(seed, l->rows[i].number, url, sizeof(url));
        if (rc == 0 && (l->rows[i].public_url = strdup(url)) == NULL) {
            store_set_error("storage_unavailable", "out of memory");
            rc = -STORE_E_IO;
        }
    }
    memset(seed, 0, sizeof(seed));
    return rc;
}

int sqr_receipt_list(struct store *st, int64_t org_id,
                     const struct store_filter *f,
                     struct store_receipt_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct store_receipt_list l = {0};
    struct db_stmt *q = NULL;
    size_t cap = 0;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto done;
    rc = sqr_stmt(db,
                  "SELECT r.id, r.number, y.code, r.method, r.amount,"
                  " r.paid_at, r.voided_at" RECEIPT_FILTER
                  " AND r.id > ?3 ORDER BY r.id LIMIT ?4 OFFSET ?5",
                  &q);
    if (rc != 0)
        goto end;
    db_bind_int64(q, 1, org_id);
    if (f->payer != NULL)
        db_bind_text(q, 2, f->payer);
    db_bind_int64(q, 3, f->after_id);
    db_bind_int64(q, 4, sqi_lim(f));
    db_bind_int64(q, 5, f->offset);
    while ((rc = sqr_step(db, q)) == 1) {
        if (l.n == cap) {
            void *nr = realloc(l.rows, (cap ? cap * 2 : 16) * sizeof(*l.rows));

            if (nr == NULL) {
                store_set_error("storage_unavailable", "out of memory");
                rc = -STORE_E_IO;
                break;
            }
            l.rows = nr;
            cap = cap ? cap * 2 : 16;
        }
        rc = receipt_row_read(q, &l.rows[l.n]);
        if (rc != 0)
            break;
        l.n++;
    }
    sqr_done(q);
    q = NULL;
    if (rc == 0)
        rc = rows_urls(c, org_id, &l);
    if (rc != 0)
        goto end;
    rc = sqr_stmt(db, "SELECT count(*)" RECEIPT_FILTER, &q);
    if (rc != 0)
        goto end;
    db_bind_int64(q, 1, org_id);
    if (f->payer != NULL)
        db_bind_text(q, 2, f->payer);
    rc = sqr_step(db, q);
    if (rc == 1) {
        l.total = db_column_int64(q, 0);
        rc = 0;
    }
end:
    sqr_done(q);
    sqi_end_read(c);
done:
    sqi_put_conn(s, c);
    if (rc != 0) {
        store_receipt_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}

/*
 * The seed of `org_code`'s key, in a read transaction (create 0) or in
 * a write transaction that creates it when missing (create 1).
 */
static int key_of(struct sq *s, struct sqi_conn *c, const char *org_code,
                  int create, int64_t now, uint8_t seed[RECEIPT_KEY_LEN])
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int64_t org = 0;
    int rc;

    rc = create ? sqi_begin_write(s, c) : sqi_begin_read(c);
    if (rc != 0)
        return rc;
    rc = sqr_stmt(db, "SELECT id FROM orgs WHERE code = ?1", &q);
    if (rc == 0) {
        db_bind_text(q, 1, org_code);
        rc = sqr_step(db, q);
        if (rc == 1)
            org = db_column_int64(q, 0);
        sqr_done(q);
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation %s", org_code);
            rc = -STORE_E_NOT_FOUND;
        }
    }
    if (rc >= 0)
        rc = org_seed(c, org, create, now, seed);
    if (create) {
        rc = sqi_end_write(s, c, rc);
    } else {
        sqi_end_read(c);
    }
    return rc;
}

int sqr_receipt_key(struct store *st, const char *org_code, int64_t now,
                    char *pem, size_t cap, char *key_id)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    uint8_t seed[RECEIPT_KEY_LEN], pub[RECEIPT_KEY_LEN];
    int rc;

    /* usually the key exists: a read; the write lock only the first time */
    rc = key_of(s, c, org_code, 0, now, seed);
    if (rc == -STORE_E_NOT_FOUND &&
        strcmp(store_error_code(), "key_not_found") == 0)
        rc = key_of(s, c, org_code, 1, now, seed);
    sqi_put_conn(s, c);
    if (rc == 0 && (receipt_public_key(seed, pub) != 0 ||
                    receipt_public_pem(pub, pem, cap) != 0 ||
                    receipt_key_id(pub, key_id) != 0)) {
        store_set_error("crypto_failed", "cannot derive the public key");
        rc = -STORE_E_IO;
    }
    memset(seed, 0, sizeof(seed));
    return rc;
}
