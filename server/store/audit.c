/*
 * audit.c: the hash-chained audit log. Every write appends its entry in its
 * own transaction; an entry's hash has two encodings (version 1, kept to
 * verify old entries, and version 2, every field length-prefixed), and
 * audit_verify walks the chain from the first entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_int.h"

/*
 * Version 1 of the entry hash, kept to verify the entries written with it:
 * SHA-256 hex of prev_hash and the fields joined by newlines (a newline
 * inside a field could move a boundary; version 2 cannot).
 */
static void audit_hash_v1(const char *prev, int64_t at, const char *actor,
                          const char *action, const char *object,
                          const char *detail, char out[65])
{
    char head[96];
    size_t lp = strlen(prev), la = strlen(actor), lac = strlen(action),
           lo = strlen(object), ld = strlen(detail), lh, len;
    char *buf;
    uint8_t h[CRYPTO_SHA256_LEN];

    snprintf(head, sizeof(head), "%lld\n", (long long)at);
    lh = strlen(head);
    len = lp + 1 + lh + la + 1 + lac + 1 + lo + 1 + ld;
    buf = malloc(len + 1);
    if (buf == NULL) {
        out[0] = '\0';
        return;
    }
    snprintf(buf, len + 1, "%s\n%s%s\n%s\n%s\n%s", prev, head, actor, action,
             object, detail);
    crypto_sha256(buf, len, h);
    crypto_hex(h, sizeof(h), out);
    free(buf);
}

/*
 * Version 2 of the entry hash: SHA-256 hex of "chopay-audit/2\n" then
 * prev_hash, at (decimal), actor, action, object and detail, each written
 * as its length in decimal, ':', its bytes and '\n', so that no choice of
 * field contents can shift a boundary between two fields. `out` is ""
 * when memory ran out.
 */
static void audit_hash_v2(const char *prev, int64_t at, const char *actor,
                          const char *action, const char *object,
                          const char *detail, char out[65])
{
    static const char tag[] = "chopay-audit/2\n";
    char at_text[24];
    const char *f[6];
    size_t i, len = sizeof(tag) - 1, o;
    uint8_t h[CRYPTO_SHA256_LEN];
    char *buf;

    snprintf(at_text, sizeof(at_text), "%lld", (long long)at);
    f[0] = prev;
    f[1] = at_text;
    f[2] = actor;
    f[3] = action;
    f[4] = object;
    f[5] = detail;
    for (i = 0; i < 6; i++)
        len += 22 + strlen(f[i]);
    buf = malloc(len + 1);
    if (buf == NULL) {
        out[0] = '\0';
        return;
    }
    memcpy(buf, tag, sizeof(tag) - 1);
    o = sizeof(tag) - 1;
    for (i = 0; i < 6; i++) {
        size_t fl = strlen(f[i]);

        o += (size_t)snprintf(buf + o, len + 1 - o, "%zu:", fl);
        memcpy(buf + o, f[i], fl);
        o += fl;
        buf[o++] = '\n';
    }
    crypto_sha256(buf, o, h);
    crypto_hex(h, sizeof(h), out);
    free(buf);
}

int sqi_audit_hash(int version, const char *prev, int64_t at, const char *actor,
                   const char *action, const char *object, const char *detail,
                   char out[65])
{
    if (version == 1)
        audit_hash_v1(prev, at, actor, action, object, detail, out);
    else if (version == 2)
        audit_hash_v2(prev, at, actor, action, object, detail, out);
    else
        return -STORE_E_INVALID;
    return out[0] != '\0' ? 0 : -STORE_E_IO;
}

/*
 * Append one entry to the hash-chained audit log (inside a write txn),
 * filed under organisation `org_id` (0: none; not part of the hash).
 * Takes over the reference to `detail` (may be NULL).
 */
int sqi_audit(struct sqi_conn *c, int64_t org_id, int64_t at, const char *actor,
              const char *action, const char *object, json_t *detail)
{
    char prev[65] = "0000000000000000000000000000000000000000000000000000"
                    "000000000000";
    char hash[65];
    char *d = NULL;
    struct db_stmt *st;
    int rc;

    /* the head read here stays the head until this transaction ends */
    rc = sqi_lock_audit(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_AUDIT_LAST);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    rc = sqi_step(c, st);
    if (rc < 0)
        goto out;
    if (rc == 1)
        snprintf(prev, sizeof(prev), "%s", sqi_col_text(st, 0));
    db_reset(st);
    d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS)
               : strdup("{}");
    if (d == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    rc = sqi_audit_hash(2, prev, at, actor, action, object, d, hash);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_AUDIT_INSERT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, at);
    sqi_bt(st, 2, actor);
    sqi_bt(st, 3, action);
    sqi_bt(st, 4, object);
    sqi_bt(st, 5, d);
    sqi_bt(st, 6, prev);
    sqi_bt(st, 7, hash);
    if (org_id != 0)
        sqi_bi(st, 8, org_id);
    else
        db_bind_null(st, 8);
    rc = sqi_exec1(c, st);
out:
    free(d);
    json_decref(detail);
    return rc;
}

int sq_audit_verify(struct store *base, int64_t *entries)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    char prev[65] = "0000000000000000000000000000000000000000000000000000"
                    "000000000000";
    char hash[65];
    int64_t n = 0;
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_AUDIT_ALL);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    while ((rc = sqi_step(c, st)) == 1) {
        int version = (int)db_column_int64(st, 7);

        n++;
        if (strcmp(sqi_col_text(st, 5), prev) != 0) {
            store_set_error("audit_broken", "entry %lld: prev_hash breaks",
                            (long long)n);
            rc = -STORE_E_CONFLICT;
            break;
        }
        rc = sqi_audit_hash(version, prev, db_column_int64(st, 0),
                            sqi_col_text(st, 1), sqi_col_text(st, 2),
                            sqi_col_text(st, 3), sqi_col_text(st, 4), hash);
        if (rc == -STORE_E_INVALID) {
            store_set_error("audit_broken", "entry %lld: unknown version %d",
                            (long long)n, version);
            rc = -STORE_E_CONFLICT;
        }
        if (rc != 0)
            break;
        if (strcmp(hash, sqi_col_text(st, 6)) != 0) {
            store_set_error("audit_broken", "entry %lld: hash mismatch",
                            (long long)n);
            rc = -STORE_E_CONFLICT;
            break;
        }
        memcpy(prev, hash, sizeof(prev));
    }
    if (rc == 0)
        *entries = n;
out:
    sqi_end_read(c);
    sqi_put_conn(s, c);
    return rc;
}
