/*
 * collectors.c: the collectors of an organisation, who take cash at its
 * kiosks. Each has a PIN of their own, stored only as its scrypt hash
 * (dash_pw.c); wrong PINs are counted per collector and lock it for a
 * while. Adding and disabling are audited, never with the PIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* 1 when `s` is a collector's name: 1-64 bytes, no control character. */
static int name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0, i;

    if (n < 1 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

void store_collector_list_free(struct store_collector_list *l)
{
    size_t i;

    if (l == NULL)
        return;
    for (i = 0; i < l->n; i++) {
        free(l->rows[i].name);
        free(l->rows[i].pin_hash);
    }
    free(l->rows);
    l->rows = NULL;
    l->n = 0;
}

int sqc_collector_add(struct store *st, int64_t org, const char *name,
                      const char *pin_hash, const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct db_stmt *q;
    int rc;

    if (!name_ok(name) || pin_hash == NULL) {
        store_set_error("invalid_field",
                        "name: 1-64 characters; pin: 4-8 digits");
        return -STORE_E_INVALID;
    }
    c = sqi_get_conn(s);
    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    q = sqi_qs(c, "INSERT INTO collectors(org_id, name, pin_hash, created_at)"
                  " VALUES (?1, ?2, ?3, ?4)");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, name);
    db_bind_text(q, 3, pin_hash);
    db_bind_int64(q, 4, now);
    rc = sqi_step(c, q);
    db_reset(q);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("duplicate_collector", "collector '%s' exists", name);
    if (rc < 0)
        goto done;
    rc = sqi_audit(c, org, now, actor, "collector.add", name,
                   json_pack("{s:I}", "org_id", (json_int_t)org));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqc_collector_list(struct store *st, int64_t org, int hashes,
                       struct store_collector_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_collector *e;
    struct db_stmt *q;
    size_t cap = 0;
    int rc = -STORE_E_IO;

    out->rows = NULL;
    out->n = 0;
    q = sqi_qs(c,
               "SELECT name, pin_hash, active, failures, locked_until,"
               " created_at FROM collectors WHERE org_id = ?1 ORDER BY name");
    if (q == NULL)
        goto out;
    db_bind_int64(q, 1, org);
    while ((rc = sqi_step(c, q)) == 1) {
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            void *p = realloc(out->rows, ncap * sizeof(*out->rows));

            if (p == NULL) {
                rc = -STORE_E_IO;
                break;
            }
            out->rows = p;
            cap = ncap;
        }
        e = &out->rows[out->n];
        memset(e, 0, sizeof(*e));
        e->name = strdup(db_column_text(q, 0) ? db_column_text(q, 0) : "");
        if (hashes)
            e->pin_hash =
                strdup(db_column_text(q, 1) ? db_column_text(q, 1) : "");
        e->active = (int)db_column_int64(q, 2);
        e->failures = db_column_int64(q, 3);
        e->locked_until = db_column_int64(q, 4);
        e->created_at = db_column_int64(q, 5);
        out->n++;
        if (e->name == NULL || (hashes && e->pin_hash == NULL)) {
            rc = -STORE_E_IO;
            break;
        }
    }
    db_reset(q);
    if (rc < 0) {
        if (rc == -STORE_E_IO)
            store_set_error("out_of_memory", "out of memory");
        store_collector_list_free(out);
    }
out:
    sqi_put_conn(s, c);
    return rc < 0 ? rc : 0;
}

int sqc_collector_disable(struct store *st, int64_t org, const char *name,
                          const char *actor, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int rc;

    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    q = sqi_qs(c, "UPDATE collectors SET active = 0 WHERE org_id = ?1"
                  " AND name = ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, name);
    rc = sqi_step(c, q);
    db_reset(q);
    if (rc < 0)
        goto done;
    if (db_changes(sqi_dbh(c)) == 0) {
        store_set_error("collector_not_found", "no collector '%s'", name);
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = sqi_audit(c, org, now, actor, "collector.disable", name,
                   json_pack("{s:I}", "org_id", (json_int_t)org));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqc_collector_attempt(struct store *st, int64_t org, const char *name,
                          int ok, int64_t now, int limit, int lock_secs)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int64_t failures = 0, until = 0;
    int rc;

    rc = sqi_begin_write_org(s, c, org);
    if (rc != 0)
        goto out;
    q = sqi_qs(c, "SELECT failures, locked_until FROM collectors"
                  " WHERE org_id = ?1 AND name = ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, name);
    rc = sqi_step(c, q);
    if (rc == 1) {
        failures = db_column_int64(q, 0);
        until = db_column_int64(q, 1);
    }
    db_reset(q);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("collector_not_found", "no collector '%s'", name);
            rc = -STORE_E_NOT_FOUND;
        }
        goto done;
    }
    if (ok) {
        failures = 0;
        until = 0;
    } else {
        /* a lock that ran out starts the count afresh */
        if (until != 0 && until <= now)
            failures = 0;
        failures++;
        until = failures >= limit ? now + lock_secs : 0;
    }
    q = sqi_qs(c, "UPDATE collectors SET failures = ?3, locked_until = ?4"
                  " WHERE org_id = ?1 AND name = ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, name);
    db_bind_int64(q, 3, failures);
    db_bind_int64(q, 4, until);
    rc = sqi_step(c, q);
    db_reset(q);
    if (rc < 0)
        goto done;
    rc = 0;
    if (!ok && failures == limit)
        rc = sqi_audit(c, org, now, "kiosk", "collector.lock", name,
                       json_pack("{s:I, s:I, s:I}", "org_id", (json_int_t)org,
                                 "failures", (json_int_t)failures,
                                 "locked_until", (json_int_t)until));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}
