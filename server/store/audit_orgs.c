/*
 * audit_orgs.c: the organisation of the audit entries written before the
 * audit log had an organisation column (schema 18), told once while the
 * database migrates: by who acted (a kiosk, an organisation's token or
 * dashboard user) or else by what the entry names (a bank transaction, a
 * payer, an organisation, a credential, a refund, payment or intent in
 * its detail). The column is outside the entry's hash: filling it leaves
 * the chain as it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* The organisation id lookup `sql` gives for ?1 (integer `id`, or text
 * `text` when it is not NULL) into *org; 0 when there is none. */
static int org_by(struct db *db, const char *sql, int64_t id, const char *text,
                  int64_t *org)
{
    struct db_stmt *st = db_q(db, sql);
    int rc;

    *org = 0;
    if (st == NULL)
        return -STORE_E_IO;
    if (text != NULL)
        db_bind_text(st, 1, text);
    else
        db_bind_int64(st, 1, id);
    rc = db_step(st);
    if (rc == 1 && db_column_type(st, 0) != DB_NULL)
        *org = db_column_int64(st, 0);
    db_reset(st);
    return rc < 0 ? -STORE_E_IO : 0;
}

/* "PREFIX:N..." into *n (digits up to the end or a '/'); 1 when it is. */
static int tagged_id(const char *s, const char *prefix, int64_t *n)
{
    size_t lp = strlen(prefix);
    char *end;
    long long v;

    if (strncmp(s, prefix, lp) != 0 || s[lp] < '0' || s[lp] > '9')
        return 0;
    v = strtoll(s + lp, &end, 10);
    if (*end != '\0' && *end != '/')
        return 0;
    *n = (int64_t)v;
    return 1;
}

static const char KIOSK_ORG[] = "SELECT org_id FROM kiosks WHERE id = ?1";
static const char TOKEN_ORG[] = "SELECT org_id FROM tokens WHERE id = ?1";
static const char USER_ORG[] = "SELECT org_id FROM dash_users WHERE login = ?1";
static const char USER_ID_ORG[] = "SELECT org_id FROM dash_users WHERE id = ?1";
static const char CODE_ORG[] = "SELECT id FROM orgs WHERE code = ?1";

/* The organisation of the credential named by actor `a` ("kiosk:N",
 * "token:N", "user:LOGIN", "dash_user:N") into *org; 0 for any other. */
static int actor_org(struct db *db, const char *a, int64_t *org)
{
    int64_t n;

    *org = 0;
    if (tagged_id(a, "kiosk:", &n))
        return org_by(db, KIOSK_ORG, n, NULL, org);
    if (tagged_id(a, "token:", &n))
        return org_by(db, TOKEN_ORG, n, NULL, org);
    if (tagged_id(a, "dash_user:", &n))
        return org_by(db, USER_ID_ORG, n, NULL, org);
    if (strncmp(a, "user:", 5) == 0)
        return org_by(db, USER_ORG, 0, a + 5, org);
    return 0;
}

/* The organisation an entry's subject `obj`, action and detail name. */
static int subject_org(struct db *db, const char *action, const char *obj,
                       const char *detail, int64_t *org)
{
    static const char *const by_code[] = {
        "org.create", "org.update", "org.account", "org.province",
        "kiosk.add",  "token.add",  NULL};
    static const struct {
        const char *key, *sql;
    } by_detail[] = {
        {"refund", "SELECT org_id FROM refunds WHERE id = ?1"},
        {"payment", "SELECT org_id FROM payments WHERE id = ?1"},
        {"intent", "SELECT org_id FROM intents WHERE id = ?1"},
    };
    static const char BANK_ORG[] = "SELECT org_id FROM bank_txns WHERE id = ?1";
    static const char PAYER_ORG[] = "SELECT org_id FROM payers WHERE id = ?1";
    json_t *d, *v;
    int64_t n;
    size_t i;
    int rc = 0;

    *org = 0;
    if (tagged_id(obj, "org:", &n)) {
        *org = n;
        return 0;
    }
    if (tagged_id(obj, "bank:", &n))
        return org_by(db, BANK_ORG, n, NULL, org);
    if (tagged_id(obj, "payer:", &n))
        return org_by(db, PAYER_ORG, n, NULL, org);
    if (tagged_id(obj, "kiosk:", &n))
        return org_by(db, KIOSK_ORG, n, NULL, org);
    if (tagged_id(obj, "token:", &n))
        return org_by(db, TOKEN_ORG, n, NULL, org);
    for (i = 0; by_code[i] != NULL; i++)
        if (strcmp(action, by_code[i]) == 0)
            return org_by(db, CODE_ORG, 0, obj, org);
    if (strcmp(action, "dash.user.disable") == 0)
        return org_by(db, USER_ORG, 0, obj, org);
    if (strncmp(obj, "login:", 6) == 0 && strncmp(action, "dash.", 5) == 0)
        return org_by(db, USER_ORG, 0, obj + 6, org);
    d = json_loads(detail, 0, NULL);
    if (d == NULL)
        return 0;
    v = json_object_get(d, "org");
    if (json_is_integer(v))
        *org = json_integer_value(v);
    else if (json_is_string(v))
        rc = org_by(db, CODE_ORG, 0, json_string_value(v), org);
    for (i = 0;
         rc == 0 && *org == 0 && i < sizeof(by_detail) / sizeof(*by_detail);
         i++) {
        v = json_object_get(d, by_detail[i].key);
        if (json_is_integer(v))
            rc = org_by(db, by_detail[i].sql, json_integer_value(v), NULL, org);
    }
    json_decref(d);
    return rc;
}

/* One entry and the organisation told for it. */
struct told {
    int64_t id, org;
};

/* Entries read at a time, so that no statement stays open while the
 * lookups run. */
#define PAGE 512

/* The entries after `after` without an organisation, told, appended to
 * *v (of *n, *cap); *last gets the last id read (`after` when none). */
static int tell_page(struct db *db, int64_t after, struct told **v, size_t *n,
                     size_t *cap, int64_t *last)
{
    static const char sql[] = "SELECT id, actor, action, object, detail FROM"
                              " audit WHERE id > ?1 AND org_id IS NULL"
                              " ORDER BY id LIMIT 512";
    struct {
        int64_t id;
        char *actor, *action, *object, *detail;
    } page[PAGE];
    struct db_stmt *st = db_q(db, sql);
    size_t k = 0, i;
    int rc = 0;

    *last = after;
    if (st == NULL)
        return -STORE_E_IO;
    db_bind_int64(st, 1, after);
    while (k < PAGE && (rc = db_step(st)) == 1) {
        page[k].id = db_column_int64(st, 0);
        page[k].actor = strdup(db_column_text(st, 1));
        page[k].action = strdup(db_column_text(st, 2));
        page[k].object = strdup(db_column_text(st, 3));
        page[k].detail = strdup(db_column_text(st, 4));
        k++;
        if (page[k - 1].actor == NULL || page[k - 1].action == NULL ||
            page[k - 1].object == NULL || page[k - 1].detail == NULL) {
            rc = -1;
            break;
        }
    }
    db_reset(st);
    rc = rc < 0 ? -STORE_E_IO : 0;
    for (i = 0; i < k; i++) {
        int64_t org = 0;

        if (rc == 0)
            rc = actor_org(db, page[i].actor, &org);
        if (rc == 0 && org == 0)
            rc = subject_org(db, page[i].action, page[i].object, page[i].detail,
                             &org);
        if (rc == 0 && org != 0) {
            if (*n == *cap) {
                size_t grown = *cap ? *cap * 2 : 256;
                struct told *nv = realloc(*v, grown * sizeof(**v));

                if (nv == NULL)
                    rc = -STORE_E_IO;
                else {
                    *v = nv;
                    *cap = grown;
                }
            }
            if (rc == 0) {
                (*v)[*n].id = page[i].id;
                (*v)[(*n)++].org = org;
            }
        }
        *last = page[i].id;
        free(page[i].actor);
        free(page[i].action);
        free(page[i].object);
        free(page[i].detail);
    }
    return rc;
}

/* The append-only guard on audit's updates, off (`on` 0) or back on. */
static int update_guard(struct db *db, int on)
{
    if (db_backend(db) == DB_PGSQL)
        return db_exec(db, on ? "ALTER TABLE audit ENABLE TRIGGER"
                                " audit_no_update"
                              : "ALTER TABLE audit DISABLE TRIGGER"
                                " audit_no_update");
    /* as sqlite/001-base.sql creates it, the same text */
    return db_exec(db, on ? "CREATE TRIGGER audit_no_update BEFORE UPDATE ON"
                            " audit BEGIN SELECT RAISE(ABORT, 'audit log is"
                            " append-only'); END;"
                          : "DROP TRIGGER audit_no_update;");
}

int sqi_audit_orgs_fill(struct db *db)
{
    struct told *v = NULL;
    size_t n = 0, cap = 0, i;
    int64_t after = 0, last = 0;
    struct db_stmt *upd;
    int rc;

    do {
        after = last;
        rc = tell_page(db, after, &v, &n, &cap, &last);
    } while (rc == 0 && last != after);
    if (rc == 0 && n > 0) {
        rc = update_guard(db, 0) == 0 ? 0 : -STORE_E_IO;
        upd = rc == 0 ? db_prepare(db, "UPDATE audit SET org_id = ?1"
                                       " WHERE id = ?2 AND EXISTS (SELECT 1"
                                       " FROM orgs WHERE id = ?1)")
                      : NULL;
        if (rc == 0 && upd == NULL)
            rc = -STORE_E_IO;
        for (i = 0; rc == 0 && i < n; i++) {
            db_bind_int64(upd, 1, v[i].org);
            db_bind_int64(upd, 2, v[i].id);
            if (db_step(upd) < 0)
                rc = -STORE_E_IO;
            db_reset(upd);
        }
        db_finalize(upd);
        if (rc == 0 && update_guard(db, 1) != 0)
            rc = -STORE_E_IO;
    }
    free(v);
    if (rc != 0)
        store_set_error("storage_unavailable", "audit organisations: %s",
                        db_errmsg(db));
    return rc;
}
