/*
 * stall_feeds.c: vendors' own payment feeds (server/stall_feeds.h):
 * linking with consent and unlinking, counting a stall's payment once by
 * the keyed hash of its reference with the stall's day aggregate, the
 * stall key, the vendor's announcements and the board's aggregates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "stall_feeds.h"
#include "store_int.h"

/* `n` random bytes as hex into `out` (2n + 1 bytes); 0 or -STORE_E_IO. */
static int random_hex(char *out, size_t n)
{
    uint8_t b[32];

    if (n > sizeof(b) || crypto_random(b, n) != 0) {
        store_set_error("storage_unavailable", "no random bytes");
        return -STORE_E_IO;
    }
    crypto_hex(b, n, out);
    return 0;
}

/* The key of a revoked feed: unique, and no key hashes to it. */
static void revoked_hash(int64_t id, char out[40])
{
    snprintf(out, 40, "revoked:%lld", (long long)id);
}

/* Stop feed `id` and delete its payments; *deleted gets how many. In a
 * write transaction. */
static int stop_feed(struct db *db, int64_t id, int64_t now, int64_t *deleted)
{
    struct db_stmt *q = NULL;
    char rh[40];
    int rc;

    rc = sqr_stmt(db, "DELETE FROM stall_payments WHERE feed_id = ?1", &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, id);
    rc = sqr_step(db, q);
    *deleted = rc == 0 ? db_changes(db) : 0;
    sqr_done(q);
    if (rc != 0)
        return rc;
    revoked_hash(id, rh);
    rc = sqr_stmt(db,
                  "UPDATE stall_feeds SET active = 0, unlinked_at = ?2,"
                  " api_key = '', hmac_key = '', ref_key = '', key_hash = ?3"
                  " WHERE id = ?1",
                  &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, id);
    db_bind_int64(q, 2, now);
    db_bind_text(q, 3, rh);
    rc = sqr_step(db, q);
    sqr_done(q);
    return rc;
}

/* The stall `payer` of `org`: its id, whether it has an account of its
 * own, and its active feed (0 none). In a transaction. */
static int stall_of(struct db *db, int64_t org, const char *payer, int64_t *pid,
                    int *has_account, int64_t *feed)
{
    struct db_stmt *q = NULL;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT y.id, CASE WHEN y.bank_bin <> '' AND y.bank_account"
                  " <> '' THEN 1 ELSE 0 END, coalesce((SELECT max(f.id) FROM"
                  " stall_feeds f WHERE f.payer_id = y.id AND f.active = 1),"
                  " 0) FROM payers y WHERE y.org_id = ?1 AND y.code = ?2",
                  &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, payer);
    rc = sqr_step(db, q);
    if (rc == 1) {
        *pid = db_column_int64(q, 0);
        *has_account = (int)db_column_int64(q, 1);
        *feed = db_column_int64(q, 2);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("payer_not_found", "no payer %s", payer);
        rc = -STORE_E_NOT_FOUND;
    }
    sqr_done(q);
    return rc;
}

/* Which secrets a provider's notifications are checked with: 'a' the
 * API key (SePay's Apikey), 'h' the HMAC or checksum key. */
static char secret_kind(const char *provider)
{
    return strcmp(provider, "sepay") == 0 ? 'a' : 'h';
}

int stall_feed_link(struct store *st, int64_t org_id, const char *payer,
                    const char *provider, const char *consent_by,
                    const char *api_key, const char *hmac_key,
                    const char *actor, int64_t now, struct stall_link *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    struct stall_link l;
    uint8_t d[CRYPTO_SHA256_LEN];
    char raw[49], ref_key[65], key_hash[65];
    int64_t pid = 0, old = 0, gone = 0;
    int has_account = 0, rc;

    memset(&l, 0, sizeof(l));
    snprintf(l.provider, sizeof(l.provider), "%s", provider);
    if (api_key != NULL && *api_key != '\0')
        snprintf(l.api_key, sizeof(l.api_key), "%s", api_key);
    if (hmac_key != NULL && *hmac_key != '\0')
        snprintf(l.hmac_key, sizeof(l.hmac_key), "%s", hmac_key);
    rc = 0;
    if (l.api_key[0] == '\0' && l.hmac_key[0] == '\0')
        rc = random_hex(secret_kind(provider) == 'a' ? l.api_key : l.hmac_key,
                        24);
    if (rc == 0)
        rc = random_hex(raw, 24);
    if (rc == 0)
        rc = random_hex(ref_key, 32);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    snprintf(l.stall_key, sizeof(l.stall_key), "stall_%s", raw);
    crypto_sha256(l.stall_key, strlen(l.stall_key), d);
    crypto_hex(d, sizeof(d), key_hash);

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = stall_of(db, org_id, payer, &pid, &has_account, &old);
    if (rc == 0 && !has_account) {
        store_set_error("no_stall_account",
                        "stall %s has no bank account of its own (BIN and"
                        " account); its own feed needs one",
                        payer);
        rc = -STORE_E_CONFLICT;
    }
    if (rc == 0 && old != 0)
        rc = stop_feed(db, old, now, &gone);
    if (rc == 0)
        rc = sqr_stmt(db,
                      "INSERT INTO stall_feeds(org_id, payer_id, provider,"
                      " api_key, hmac_key, ref_key, key_hash, consent_by,"
                      " consent_at, linked_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
                      " ?7, ?8, ?9, ?10) RETURNING id",
                      &q);
    if (rc == 0) {
        db_bind_int64(q, 1, org_id);
        db_bind_int64(q, 2, pid);
        db_bind_text(q, 3, provider);
        db_bind_text(q, 4, l.api_key);
        db_bind_text(q, 5, l.hmac_key);
        db_bind_text(q, 6, ref_key);
        db_bind_text(q, 7, key_hash);
        db_bind_text(q, 8, consent_by);
        db_bind_int64(q, 9, now);
        db_bind_text(q, 10, actor);
        rc = sqr_step(db, q);
        if (rc == 1) {
            l.feed_id = db_column_int64(q, 0);
            rc = 0;
        } else if (rc == 0) {
            rc = -STORE_E_IO;
        }
        sqr_done(q);
    }
    /* the audit log holds the consent, never a secret or key */
    if (rc == 0)
        rc = sqi_audit(c, org_id, now, actor, "stall.feed.link", payer,
                       json_pack("{s:I, s:I, s:s, s:s, s:I, s:I}", "org",
                                 (json_int_t)org_id, "feed",
                                 (json_int_t)l.feed_id, "provider", provider,
                                 "consent_by", consent_by, "consent_at",
                                 (json_int_t)now, "replaced", (json_int_t)old));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = l;
    memset(&l, 0, sizeof(l));
    return rc;
}

int stall_feed_unlink(struct store *st, int64_t org_id, const char *payer,
                      const char *actor, int64_t now, int64_t *deleted)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    int64_t pid = 0, feed = 0, gone = 0;
    int has_account = 0, rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    rc = stall_of(db, org_id, payer, &pid, &has_account, &feed);
    if (rc == 0 && feed == 0) {
        store_set_error("feed_not_found", "stall %s has no linked feed", payer);
        rc = -STORE_E_NOT_FOUND;
    }
    if (rc == 0)
        rc = stop_feed(db, feed, now, &gone);
    if (rc == 0)
        rc = sqi_audit(c, org_id, now, actor, "stall.feed.unlink", payer,
                       json_pack("{s:I, s:I, s:I}", "org", (json_int_t)org_id,
                                 "feed", (json_int_t)feed, "deleted",
                                 (json_int_t)gone));
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    if (rc == 0 && deleted != NULL)
        *deleted = gone;
    return rc;
}

int stall_feed_get(struct store *st, int64_t id, struct stall_feed *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    struct stall_feed f;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT f.id, f.org_id, f.payer_id, f.provider, f.api_key,"
                  " f.hmac_key, f.ref_key, y.bank_account FROM stall_feeds f"
                  " JOIN payers y ON y.id = f.payer_id WHERE f.id = ?1 AND"
                  " f.active = 1",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, id);
        rc = sqr_step(db, q);
        if (rc == 1) {
            memset(&f, 0, sizeof(f));
            f.id = db_column_int64(q, 0);
            f.org_id = db_column_int64(q, 1);
            f.payer_id = db_column_int64(q, 2);
            sqr_copy_col(q, 3, f.provider, sizeof(f.provider));
            sqr_copy_col(q, 4, f.api_key, sizeof(f.api_key));
            sqr_copy_col(q, 5, f.hmac_key, sizeof(f.hmac_key));
            sqr_copy_col(q, 6, f.ref_key, sizeof(f.ref_key));
            sqr_copy_col(q, 7, f.account, sizeof(f.account));
            *out = f;
            memset(&f, 0, sizeof(f));
            rc = 0;
        } else if (rc == 0) {
            store_set_error("feed_not_found", "no such stall feed");
            rc = -STORE_E_NOT_FOUND;
        }
        sqr_done(q);
    }
    sqi_end_read(c);
    sqi_put_conn(s, c);
    return rc;
}

/* stall_feed_add's one transaction. */
static int add_once(struct sq *s, const struct stall_feed *f, int64_t amount,
                    const char *ref_hash, int64_t now, int64_t *id)
{
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char day[11];
    int64_t pid = 0;
    int rc;

    if (sqr_vn_day(now, day) != 0) {
        sqi_put_conn(s, c);
        store_set_error("invalid_time", "the clock is outside the calendar");
        return -STORE_E_INVALID;
    }
    rc = sqi_begin_write_org(s, c, f->org_id);
    if (rc != 0) {
        sqi_put_conn(s, c);
        return rc;
    }
    /* the feed may have been unlinked since it was read */
    rc = sqr_stmt(db,
                  "INSERT INTO stall_payments(feed_id, amount, at, day,"
                  " ref_hash) SELECT id, ?2, ?3, ?4, ?5 FROM stall_feeds"
                  " WHERE id = ?1 AND active = 1 ON CONFLICT (feed_id,"
                  " ref_hash) DO NOTHING RETURNING id",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, f->id);
        db_bind_int64(q, 2, amount);
        db_bind_int64(q, 3, now);
        db_bind_text(q, 4, day);
        db_bind_text(q, 5, ref_hash);
        rc = sqr_step(db, q);
        if (rc == 1) {
            pid = db_column_int64(q, 0);
            rc = 0;
        }
        sqr_done(q);
    }
    if (rc == 0 && pid != 0)
        rc = sqr_stmt(db,
                      "INSERT INTO stall_days(org_id, payer_id, day,"
                      " payments, amount) VALUES (?1, ?2, ?3, 1, ?4) ON"
                      " CONFLICT (payer_id, day) DO UPDATE SET payments ="
                      " stall_days.payments + 1, amount = stall_days.amount"
                      " + excluded.amount",
                      &q);
    if (rc == 0 && pid != 0) {
        db_bind_int64(q, 1, f->org_id);
        db_bind_int64(q, 2, f->payer_id);
        db_bind_text(q, 3, day);
        db_bind_int64(q, 4, amount);
        rc = sqr_step(db, q);
        sqr_done(q);
    }
    /* the feed's long polls: keyed by the feed's id negated, apart from
       the intents' */
    if (rc == 0 && pid != 0)
        sqi_queue_woken(c, -f->id);
    rc = sqi_end_write(s, c, rc);
    sqi_put_conn(s, c);
    if (rc == 0)
        *id = pid;
    return rc;
}

int stall_feed_add(struct store *st, const struct stall_feed *f, int64_t amount,
                   const char *ref_hash, int64_t now, int64_t *id)
{
    int rc, tries = 1;

    while ((rc = add_once((struct sq *)st, f, amount, ref_hash, now, id)) !=
               0 &&
           sqi_write_lost(rc) && tries++ < STORE_WRITE_TRIES)
        ;
    return rc;
}

int stall_feed_auth(struct store *st, const char *key_hash, int64_t *feed_id)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT id FROM stall_feeds WHERE key_hash = ?1 AND"
                  " active = 1",
                  &q);
    if (rc == 0) {
        db_bind_text(q, 1, key_hash);
        rc = sqr_step(db, q);
        if (rc == 1) {
            *feed_id = db_column_int64(q, 0);
            rc = 0;
        } else if (rc == 0) {
            store_set_error("unauthorized", "unknown or revoked stall key");
            rc = -STORE_E_NOT_FOUND;
        }
        sqr_done(q);
    }
    sqi_end_read(c);
    sqi_put_conn(s, c);
    return rc;
}

int stall_announcements(struct store *st, int64_t feed_id, int64_t after,
                        struct stall_announcement *out, size_t cap, size_t *n)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    size_t k = 0;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT id, amount, at FROM stall_payments WHERE feed_id ="
                  " ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                  &q);
    if (rc == 0) {
        db_bind_int64(q, 1, feed_id);
        db_bind_int64(q, 2, after);
        db_bind_int64(q, 3, (int64_t)cap);
        while (k < cap && (rc = sqr_step(db, q)) == 1) {
            out[k].id = db_column_int64(q, 0);
            out[k].amount = db_column_int64(q, 1);
            out[k].at = db_column_int64(q, 2);
            k++;
        }
        if (rc == 1)
            rc = 0;
        sqr_done(q);
    }
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0)
        *n = k;
    return rc;
}

/* Read every row of `q` (day, stalls, payments, amount) into *rows. */
static int read_days(struct db *db, struct db_stmt *q, struct stall_day **rows,
                     size_t *n)
{
    struct stall_day *a = NULL;
    size_t k = 0;
    int rc;

    while ((rc = sqr_step(db, q)) == 1) {
        if (sqi_room((void **)&a, k, sizeof(*a)) != 0) {
            rc = -STORE_E_IO;
            break;
        }
        sqr_copy_col(q, 0, a[k].day, sizeof(a[k].day));
        a[k].stalls = db_column_int64(q, 1);
        a[k].payments = db_column_int64(q, 2);
        a[k].amount = db_column_int64(q, 3);
        k++;
    }
    if (rc != 0) {
        free(a);
        return rc;
    }
    *rows = a;
    *n = k;
    return 0;
}

int stall_summary_get(struct store *st, int64_t org_id, const char *payer,
                      const char *from, const char *to,
                      struct stall_summary *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    struct stall_summary sm;
    int64_t pid = 0, feed = 0;
    int has_account = 0, rc;

    memset(&sm, 0, sizeof(sm));
    rc = sqi_begin_read(c);
    if (rc == 0)
        rc = stall_of(db, org_id, payer, &pid, &has_account, &feed);
    if (rc == 0 && feed != 0) {
        rc = sqr_stmt(db,
                      "SELECT provider, consent_by, consent_at FROM"
                      " stall_feeds WHERE id = ?1",
                      &q);
        if (rc == 0) {
            db_bind_int64(q, 1, feed);
            rc = sqr_step(db, q);
            if (rc == 1) {
                sm.linked = 1;
                sqr_copy_col(q, 0, sm.provider, sizeof(sm.provider));
                sqr_copy_col(q, 1, sm.consent_by, sizeof(sm.consent_by));
                sm.consent_at = db_column_int64(q, 2);
                rc = 0;
            }
            sqr_done(q);
        }
    }
    if (rc == 0)
        rc = sqr_stmt(db,
                      "SELECT day, 1, payments, amount FROM stall_days WHERE"
                      " payer_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY"
                      " day",
                      &q);
    if (rc == 0) {
        db_bind_int64(q, 1, pid);
        db_bind_text(q, 2, from);
        db_bind_text(q, 3, to);
        rc = read_days(db, q, &sm.days, &sm.n);
        sqr_done(q);
    }
    sqi_end_read(c);
    sqi_put_conn(s, c);
    if (rc == 0)
        *out = sm;
    return rc;
}

void stall_summary_free(struct stall_summary *s)
{
    if (s == NULL)
        return;
    free(s->days);
    s->days = NULL;
    s->n = 0;
}

/* The scope of a statistics query: ?1 organisation, ?2 province. */
static const char *scope_of(int64_t org_id, const char *province)
{
    /* every parameter named, so PostgreSQL knows their types */
    if (org_id != 0)
        return "o.id = ?1 AND CAST(?2 AS TEXT) IS NOT NULL";
    if (province != NULL)
        return "o.province = ?2 AND CAST(?1 AS BIGINT) = 0";
    return "CAST(?1 AS BIGINT) = 0 AND CAST(?2 AS TEXT) = ''";
}

int stall_sides(struct store *st, int64_t org_id, const char *province,
                const char *from, const char *to, struct stall_side **rows,
                size_t *n)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q;
    struct stall_side *a = NULL;
    char sql[1024];
    size_t k = 0;
    int rc;

    snprintf(sql, sizeof(sql),
             "SELECT y.id, y.org_id, o.province, y.code, y.zone, o.code, CASE"
             " WHEN EXISTS (SELECT 1 FROM standees d WHERE d.payer_id = y.id)"
             " THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT 1 FROM"
             " stall_feeds f WHERE f.payer_id = y.id AND f.active = 1) THEN"
             " 1 ELSE 0 END, coalesce(sum(sd.payments), 0),"
             " coalesce(sum(sd.amount), 0), count(sd.day) FROM payers y JOIN"
             " orgs o ON o.id = y.org_id LEFT JOIN stall_days sd ON"
             " sd.payer_id = y.id AND sd.day >= ?3 AND sd.day <= ?4 AND"
             " sd.payments > 0 WHERE y.active = 1 AND o.kind = 'market' AND %s"
             " GROUP BY y.id, y.org_id, o.province, y.code, y.zone, o.code"
             " ORDER BY y.id",
             scope_of(org_id, province));
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    q = db_prepare(db, sql);
    if (q == NULL) {
        rc = sqi_db_error(db, -DB_E_SQL, "prepare");
        goto read_end;
    }
    db_bind_int64(q, 1, org_id);
    db_bind_text(q, 2, province != NULL ? province : "");
    db_bind_text(q, 3, from);
    db_bind_text(q, 4, to);
    while ((rc = sqr_step(db, q)) == 1) {
        struct stall_side *r;

        if (sqi_room((void **)&a, k, sizeof(*a)) != 0) {
            rc = -STORE_E_IO;
            break;
        }
        r = &a[k++];
        memset(r, 0, sizeof(*r));
        r->payer_id = db_column_int64(q, 0);
        r->org_id = db_column_int64(q, 1);
        sqr_copy_col(q, 2, r->province, sizeof(r->province));
        sqr_copy_col(q, 3, r->code, sizeof(r->code));
        sqr_copy_col(q, 4, r->zone, sizeof(r->zone));
        sqr_copy_col(q, 5, r->org, sizeof(r->org));
        r->standee = (int)db_column_int64(q, 6);
        r->linked = (int)db_column_int64(q, 7);
        r->payments = db_column_int64(q, 8);
        r->amount = db_column_int64(q, 9);
        r->days = db_column_int64(q, 10);
    }
    db_finalize(q);
read_end:
    sqi_end_read(c);
out:
    sqi_put_conn(s, c);
    if (rc != 0) {
        free(a);
        return rc;
    }
    *rows = a;
    *n = k;
    return 0;
}

int stall_day_totals(struct store *st, int64_t org_id, const char *province,
                     const char *from, const char *to, struct stall_day **rows,
                     size_t *n)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db *db = sqi_dbh(c);
    struct db_stmt *q;
    char sql[512];
    int rc;

    snprintf(sql, sizeof(sql),
             "SELECT sd.day, count(*), sum(sd.payments), sum(sd.amount) FROM"
             " stall_days sd JOIN orgs o ON o.id = sd.org_id JOIN payers y"
             " ON y.id = sd.payer_id WHERE y.active = 1 AND o.kind = 'market'"
             " AND sd.payments > 0"
             " AND sd.day >= ?3 AND sd.day <= ?4 AND %s GROUP BY sd.day"
             " ORDER BY sd.day",
             scope_of(org_id, province));
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    q = db_prepare(db, sql);
    if (q == NULL) {
        rc = sqi_db_error(db, -DB_E_SQL, "prepare");
    } else {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, province != NULL ? province : "");
        db_bind_text(q, 3, from);
        db_bind_text(q, 4, to);
        rc = read_days(db, q, rows, n);
        db_finalize(q);
    }
    sqi_end_read(c);
out:
    sqi_put_conn(s, c);
    return rc;
}
