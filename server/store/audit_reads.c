/*
 * audit_reads.c: the audit log as operators read it (store_ops.audit_list):
 * entries by id, filtered by action and by the organisation each concerns.
 * An entry holds no organisation column; it is told by who acted (a kiosk,
 * an organisation's token or user) or by what the entry names (a bank
 * transaction, a payer, an organisation, a credential).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

void store_audit_entry_clear(struct store_audit_entry *e)
{
    if (e == NULL)
        return;
    free(e->actor);
    free(e->action);
    free(e->org);
    free(e->subject);
    free(e->detail);
    memset(e, 0, sizeof(*e));
}

SQI_LIST_FREE(store_audit_list_free, store_audit_list, store_audit_entry_clear)

/* The organisation id one lookup `sql` (?1 an integer, or text when
 * `text` is not NULL) gives into *org; 0 when there is none. */
static int org_by(struct sqi_conn *c, const char *sql, int64_t id,
                  const char *text, int64_t *org)
{
    struct db_stmt *st = sqi_qs(c, sql);
    int rc;

    *org = 0;
    if (st == NULL)
        return -STORE_E_IO;
    if (text != NULL)
        sqi_bt(st, 1, text);
    else
        sqi_bi(st, 1, id);
    rc = sqi_step(c, st);
    if (rc == 1)
        *org = db_column_type(st, 0) == DB_NULL ? 0 : db_column_int64(st, 0);
    db_reset(st);
    return rc < 0 ? rc : 0;
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
static const char CODE_ORG[] = "SELECT id FROM orgs WHERE code = ?1";

/* The organisation of the credential named by actor `a` ("kiosk:N",
 * "token:N", "user:LOGIN") into *org; 0 for any other actor. */
static int actor_org(struct sqi_conn *c, const char *a, int64_t *org)
{
    int64_t n;

    *org = 0;
    if (tagged_id(a, "kiosk:", &n))
        return org_by(c, KIOSK_ORG, n, NULL, org);
    if (tagged_id(a, "token:", &n))
        return org_by(c, TOKEN_ORG, n, NULL, org);
    if (strncmp(a, "user:", 5) == 0)
        return org_by(c, USER_ORG, 0, a + 5, org);
    return 0;
}

/* The organisation an entry's subject `obj`, action and detail name. */
static int subject_org(struct sqi_conn *c, const char *action, const char *obj,
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
        return org_by(c, "SELECT org_id FROM bank_txns WHERE id = ?1", n, NULL,
                      org);
    if (tagged_id(obj, "payer:", &n))
        return org_by(c, "SELECT org_id FROM payers WHERE id = ?1", n, NULL,
                      org);
    if (tagged_id(obj, "kiosk:", &n))
        return org_by(c, KIOSK_ORG, n, NULL, org);
    if (tagged_id(obj, "token:", &n))
        return org_by(c, TOKEN_ORG, n, NULL, org);
    for (i = 0; by_code[i] != NULL; i++)
        if (strcmp(action, by_code[i]) == 0)
            return org_by(c, CODE_ORG, 0, obj, org);
    if (strcmp(action, "dash.user.disable") == 0)
        return org_by(c, USER_ORG, 0, obj, org);
    if (strncmp(obj, "login:", 6) == 0 && strncmp(action, "dash.", 5) == 0)
        return org_by(c, USER_ORG, 0, obj + 6, org);
    d = json_loads(detail, 0, NULL);
    if (d == NULL)
        return 0;
    v = json_object_get(d, "org");
    if (json_is_integer(v))
        *org = json_integer_value(v);
    else if (json_is_string(v))
        rc = org_by(c, CODE_ORG, 0, json_string_value(v), org);
    for (i = 0;
         rc == 0 && *org == 0 && i < sizeof(by_detail) / sizeof(*by_detail);
         i++) {
        v = json_object_get(d, by_detail[i].key);
        if (json_is_integer(v))
            rc = org_by(c, by_detail[i].sql, json_integer_value(v), NULL, org);
    }
    json_decref(d);
    return rc;
}

/* The code of organisation `id` into a malloc'd *code ("" for 0). */
static int org_code(struct sqi_conn *c, int64_t id, char **code)
{
    struct db_stmt *st;
    int rc;

    *code = NULL;
    if (id != 0) {
        st = sqi_qs(c, "SELECT code FROM orgs WHERE id = ?1");
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, id);
        rc = sqi_step(c, st);
        if (rc == 1)
            rc = sqi_col_dup(st, 0, code);
        db_reset(st);
        if (rc < 0)
            return rc;
    }
    if (*code == NULL && (*code = strdup("")) == NULL)
        return -STORE_E_IO;
    return 0;
}

/* Entry at the current row of `st` (id, at, actor, action, object,
 * detail, prev_hash, hash, encoding) into `e`, its organisation told. */
static int entry_read(struct sqi_conn *c, struct db_stmt *st,
                      struct store_audit_entry *e)
{
    int rc;

    memset(e, 0, sizeof(*e));
    e->id = db_column_int64(st, 0);
    e->at = db_column_int64(st, 1);
    rc = sqi_col_dup(st, 2, &e->actor);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &e->action);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &e->subject);
    if (rc == 0)
        rc = sqi_col_dup(st, 5, &e->detail);
    snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", sqi_col_text(st, 6));
    snprintf(e->hash, sizeof(e->hash), "%s", sqi_col_text(st, 7));
    e->encoding = (int)db_column_int64(st, 8);
    if (rc == 0)
        rc = actor_org(c, e->actor, &e->org_id);
    if (rc == 0 && e->org_id == 0)
        rc = subject_org(c, e->action, e->subject, e->detail, &e->org_id);
    if (rc != 0)
        store_audit_entry_clear(e);
    return rc;
}

int sqa_audit_list(struct store *base, const struct store_audit_query *q,
                   struct store_audit_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct store_audit_list l = {0};
    struct store_audit_entry e;
    struct db_stmt *st;
    int64_t limit = q->limit > 0 ? q->limit : 100;
    size_t i;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_qs(c, "SELECT id, at, actor, action, object, detail, prev_hash,"
                   " hash, CASE WHEN id >= coalesce((SELECT from_id FROM"
                   " audit_encodings WHERE version = 2), 1) THEN 2 ELSE 1"
                   " END FROM audit WHERE id > ?1 AND (?2 = '' OR action = ?2)"
                   " ORDER BY id");
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto read;
    }
    sqi_bi(st, 1, q->after_id);
    sqi_bt(st, 2, q->action != NULL ? q->action : "");
    while ((rc = sqi_step(c, st)) == 1) {
        rc = entry_read(c, st, &e);
        if (rc != 0)
            break;
        if (q->org_id != 0 && e.org_id != q->org_id) {
            store_audit_entry_clear(&e);
            continue;
        }
        l.total++;
        if ((int64_t)l.n >= limit) {
            store_audit_entry_clear(&e);
            continue;
        }
        rc = sqi_room((void **)&l.rows, l.n, sizeof(*l.rows));
        if (rc != 0) {
            store_audit_entry_clear(&e);
            break;
        }
        l.rows[l.n++] = e;
    }
    db_reset(st);
    for (i = 0; rc == 0 && i < l.n; i++)
        rc = org_code(c, l.rows[i].org_id, &l.rows[i].org);
read:
    sqi_end_read(c);
out:
    sqi_put_conn(s, c);
    if (rc != 0) {
        store_audit_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}
