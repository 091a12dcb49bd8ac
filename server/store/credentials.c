/*
 * credentials.c: kiosk keys, API tokens and dashboard users: authenticating
 * a bearer credential (recording when it was last used), issuing kiosk
 * keys and tokens, listing them (never a secret or its hash), revoking a
 * kiosk key or a token, disabling a user and ending its sessions, each
 * audited in the same transaction. Authentication keeps what it found in
 * a cache (cred_cache.c) that a revocation through this store voids at
 * once, so a credential revoked here is refused on its very next request;
 * one revoked by another node or by the command line, within a second.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "store_int.h"

/* One list per kind: id, org code, name, role, active, created, last
 * used, revoked, a user's sessions; ?1 is the organisation code or NULL
 * for all. */
static const char *const list_sql[] = {
    "SELECT k.id, o.code, k.name, 'kiosk', k.active, k.created_at,"
    " c.last_used_at, c.revoked_at, 0 FROM kiosks k JOIN orgs o ON"
    " o.id = k.org_id LEFT JOIN credential_times c ON c.kind = 'kiosk' AND"
    " c.id = k.id WHERE CAST(?1 AS TEXT) IS NULL OR o.code = ?1 ORDER BY k.id",
    "SELECT t.id, o.code, NULL, t.role, t.active, t.created_at,"
    " c.last_used_at, c.revoked_at, 0 FROM tokens t LEFT JOIN orgs o ON"
    " o.id = t.org_id LEFT JOIN credential_times c ON c.kind = 'token' AND"
    " c.id = t.id WHERE CAST(?1 AS TEXT) IS NULL OR o.code = ?1 ORDER BY t.id",
    "SELECT u.id, o.code, u.login, u.role, u.active, u.created_at,"
    " c.last_used_at, c.revoked_at, (SELECT count(*) FROM dash_sessions s"
    " WHERE s.user_id = u.id) FROM dash_users u LEFT JOIN orgs o ON"
    " o.id = u.org_id LEFT JOIN credential_times c ON c.kind = 'user' AND"
    " c.id = u.id WHERE CAST(?1 AS TEXT) IS NULL OR o.code = ?1 ORDER BY u.id",
};

/* 0 kiosk, 1 token, 2 user; -1 for anything else. */
static int kind_index(const char *kind)
{
    if (kind == NULL)
        return -1;
    if (strcmp(kind, "kiosk") == 0)
        return 0;
    if (strcmp(kind, "token") == 0)
        return 1;
    if (strcmp(kind, "user") == 0)
        return 2;
    return -1;
}

/* The credential in the current row (list_sql) into `row`, a struct
 * store_cred_row (its strings owned by it, cleared on failure). */
static int cred_row_read(struct db_stmt *q, void *row)
{
    struct store_cred_row *r = row;
    int rc;

    memset(r, 0, sizeof(*r));
    r->id = db_column_int64(q, 0);
    rc = sqi_col_dup_or_null(q, 1, &r->org);
    if (rc == 0)
        rc = sqi_col_dup_or_null(q, 2, &r->name);
    if (rc == 0)
        rc = sqi_col_dup_or_null(q, 3, &r->role);
    r->active = db_column_int64(q, 4) != 0;
    r->created_at = db_column_int64(q, 5);
    r->last_used_at = db_column_int64(q, 6);
    r->revoked_at = db_column_int64(q, 7);
    r->sessions = db_column_int64(q, 8);
    if (rc != 0)
        store_cred_row_clear(r);
    return rc;
}

void store_cred_row_clear(struct store_cred_row *r)
{
    if (r == NULL)
        return;
    free(r->org);
    free(r->name);
    free(r->role);
    memset(r, 0, sizeof(*r));
}

SQI_LIST_FREE(store_cred_list_free, store_cred_list, store_cred_row_clear)

/* 1 when organisation `code` exists, 0 when not, < 0 on failure. */
static int org_exists(struct sqi_conn *c, const char *code)
{
    struct db_stmt *q = sqi_qs(c, "SELECT 1 FROM orgs WHERE code = ?1");
    int rc;

    if (q == NULL)
        return -STORE_E_IO;
    db_bind_text(q, 1, code);
    rc = sqi_step(c, q);
    db_reset(q);
    return rc;
}

int sqr_list(struct store *st, const char *kind, const char *org_code,
             struct store_cred_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct db_stmt *q = NULL;
    struct store_cred_list l = {0};
    void *rows = NULL;
    int k = kind_index(kind), rc;

    if (k < 0) {
        store_set_error("invalid_field", "a credential is kiosk|token|user");
        return -STORE_E_INVALID;
    }
    last_used_flush(s->last_used); /* a list shows every use so far */
    c = sqi_get_conn(s);
    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    if (org_code != NULL) {
        rc = org_exists(c, org_code);
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation '%s'", org_code);
            rc = -STORE_E_NOT_FOUND;
        }
        if (rc < 0)
            goto done;
    }
    q = sqi_qs(c, list_sql[k]);
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_text(q, 1, org_code);
    rc = sqi_rows_read(c, q, sizeof(*l.rows), cred_row_read, &rows, &l.n);
    l.rows = rows;
    if (rc == 0) {
        *out = l;
        l.rows = NULL;
        l.n = 0;
    }
done:
    store_cred_list_free(&l);
    sqi_end_read(c);
out:
    sqi_put_conn(s, c);
    return rc;
}

/* Inside the write transaction: the id, organisation (0: none) and active
 * flag of the credential named by (kind, org, id or login); 0 and
 * *found = 0 when none. */
static int find_cred(struct sqi_conn *c, int k, const char *org_code,
                     int64_t id, const char *login, int64_t *cid, int64_t *org,
                     int *active, int *found)
{
    static const char *const sql[] = {
        "SELECT k.id, k.active, k.org_id FROM kiosks k JOIN orgs o ON"
        " o.id = k.org_id"
        " WHERE k.id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR o.code = ?2)",
        "SELECT t.id, t.active, t.org_id FROM tokens t LEFT JOIN orgs o ON"
        " o.id = t.org_id WHERE t.id = ?1"
        " AND (CAST(?2 AS TEXT) IS NULL OR o.code = ?2)",
        "SELECT u.id, u.active, u.org_id FROM dash_users u LEFT JOIN orgs o ON"
        " o.id = u.org_id WHERE u.login = ?1 AND (o.code = ?2 OR"
        " (o.code IS NULL AND CAST(?2 AS TEXT) IS NULL))",
    };
    struct db_stmt *q = sqi_qs(c, sql[k]);
    int rc;

    if (q == NULL)
        return -STORE_E_IO;
    if (k == 2)
        db_bind_text(q, 1, login);
    else
        db_bind_int64(q, 1, id);
    db_bind_text(q, 2, org_code);
    rc = sqi_step(c, q);
    *found = rc == 1;
    if (rc == 1) {
        *cid = db_column_int64(q, 0);
        *active = (int)db_column_int64(q, 1);
        *org = db_column_type(q, 2) == DB_NULL ? 0 : db_column_int64(q, 2);
    }
    db_reset(q);
    return rc < 0 ? rc : 0;
}

/* Run `sql` with ?1 = id and, when `now` is not NULL, ?2 = *now (a
 * statement without ?2 gets no second parameter); *changes gets the rows
 * changed. */
static int run_id(struct sqi_conn *c, const char *sql, int64_t id,
                  const int64_t *now, int *changes)
{
    struct db_stmt *q = sqi_qs(c, sql);
    int rc;

    if (q == NULL)
        return -STORE_E_IO;
    db_bind_int64(q, 1, id);
    if (now != NULL)
        db_bind_int64(q, 2, *now);
    rc = sqi_step(c, q);
    if (rc < 0)
        return rc;
    *changes = (int)db_changes(sqi_dbh(c));
    return 0;
}

void store_creds_changed(struct store *st)
{
    if (st != NULL)
        cred_cache_clear(((struct sq *)st)->creds);
}

int sqr_revoke(struct store *st, const char *kind, const char *org_code,
               int64_t id, const char *login, const char *actor, int64_t now,
               struct store_cred_revoked *out)
{
    static const char *const revoke_sql[] = {
        "UPDATE kiosks SET active = 0 WHERE id = ?1 AND active = 1",
        "UPDATE tokens SET active = 0 WHERE id = ?1 AND active = 1",
        "UPDATE dash_users SET active = 0 WHERE id = ?1 AND active = 1",
    };
    static const char *const action[] = {"kiosk.revoke", "token.revoke",
                                         "dash.user.disable"};
    static const char *const stamp_sql[] = {
        "INSERT INTO credential_times(kind, id, revoked_at) VALUES"
        " ('kiosk', ?1, ?2) ON CONFLICT(kind, id) DO UPDATE SET"
        " revoked_at = ?2",
        "INSERT INTO credential_times(kind, id, revoked_at) VALUES"
        " ('token', ?1, ?2) ON CONFLICT(kind, id) DO UPDATE SET"
        " revoked_at = ?2",
        "INSERT INTO credential_times(kind, id, revoked_at) VALUES"
        " ('user', ?1, ?2) ON CONFLICT(kind, id) DO UPDATE SET"
        " revoked_at = ?2",
    };
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    int64_t cid = 0, org = 0;
    int k = kind_index(kind), rc, active = 0, found = 0, n = 0, ended = 0;
    char object[64];

    if (k < 0 || (k == 2) != (login != NULL)) {
        store_set_error("invalid_field", "revoke a kiosk or token by id, "
                                         "disable a user by login");
        return -STORE_E_INVALID;
    }
    c = sqi_get_conn(s);
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = find_cred(c, k, org_code, id, login, &cid, &org, &active, &found);
    if (rc != 0)
        goto done;
    if (!found) {
        if (k == 2)
            store_set_error("not_found", "no user '%s' in '%s'", login,
                            org_code ? org_code : "*");
        else
            store_set_error("not_found", "no %s %lld%s%s", kind, (long long)id,
                            org_code ? " in " : "", org_code ? org_code : "");
        rc = -STORE_E_NOT_FOUND;
        goto done;
    }
    rc = run_id(c, revoke_sql[k], cid, NULL, &n);
    if (rc == 0 && n > 0) {
        int stamped = 0;

        rc = run_id(c, stamp_sql[k], cid, &now, &stamped);
    }
    if (rc == 0 && k == 2)
        rc = run_id(c, "DELETE FROM dash_sessions WHERE user_id = ?1", cid,
                    NULL, &ended);
    if (rc != 0)
        goto done;
    if (k == 2)
        snprintf(object, sizeof(object), "%s", login);
    else
        snprintf(object, sizeof(object), "%s:%lld", kind, (long long)cid);
    if (n > 0 || ended > 0)
        rc = sqi_audit(c, org, now, actor, action[k], object,
                       json_pack("{s:I, s:i}", "id", (json_int_t)cid,
                                 "sessions_ended", ended));
    if (rc == 0 && n > 0) {
        /* the other nodes void their cached credentials when it commits */
        char payload[sizeof(STORE_CREDS_PAYLOAD) + STORE_NODE_LEN + 1];

        snprintf(payload, sizeof(payload), "%s %s", STORE_CREDS_PAYLOAD,
                 s->base.node);
        rc = db_notify(sqi_dbh(c), STORE_CHANNEL, payload);
        if (rc != 0)
            rc = sqi_db_error(sqi_dbh(c), rc, "notify");
    }
done:
    rc = sqi_end_write(s, c, rc);
    /* committed or not: no cached principal outlives the change */
    cred_cache_clear(s->creds);
out:
    sqi_put_conn(s, c);
    if (rc == 0 && out != NULL) {
        out->id = cid;
        out->was_active = n > 0;
        out->sessions_ended = ended;
    }
    return rc;
}

/* A credential's last_used_at is written at most this often (seconds). */
#define LAST_USED_SECS 60

/*
 * Record that a kiosk key or token was used at `now`, in its own short
 * write (last_used.c calls it, behind the requests). A failure is
 * logged and otherwise ignored: the time is advisory.
 */
void sqi_touch_last_used(struct sq *s, int kiosk, int64_t id, int64_t now)
{
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st;
    /* one credential's row, no organisation's ledger: beside any write */
    int rc = sqi_begin_write_shared(s, c);

    if (rc != 0) {
        sqi_put_conn(s, c);
        return;
    }
    st = sqi_qs(c, "INSERT INTO credential_times(kind, id,"
                   " last_used_at) VALUES (?4, ?1, ?2) ON"
                   " CONFLICT(kind, id) DO UPDATE SET last_used_at = ?2"
                   " WHERE coalesce(credential_times.last_used_at, 0) <= ?3");
    if (st == NULL) {
        rc = -STORE_E_IO;
    } else {
        sqi_bi(st, 1, id);
        sqi_bi(st, 2, now);
        sqi_bi(st, 3, now - LAST_USED_SECS);
        sqi_bt(st, 4, kiosk ? "kiosk" : "token");
        rc = sqi_exec1(c, st);
    }
    (void)sqi_end_write(s, c, rc < 0 ? rc : 0);
    sqi_put_conn(s, c);
}

/*
 * Look `hash` up in the database: 0 and *out, *last, or
 * -STORE_E_NOT_FOUND for an unknown or revoked credential, or the
 * store's error.
 */
static int auth_lookup(struct sqi_conn *c, const char *hash,
                       struct store_principal *out, int64_t *last)
{
    struct store_principal p = {0};
    struct db_stmt *st;
    int rc;

    st = sqi_q(c, Q_AUTH_KIOSK);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, hash);
    rc = sqi_step(c, st);
    if (rc == 1 && crypto_equal_str(sqi_col_text(st, 2), hash)) {
        p.role = STORE_ROLE_KIOSK;
        p.id = db_column_int64(st, 0);
        p.org_id = db_column_int64(st, 1);
        snprintf(p.actor, sizeof(p.actor), "kiosk:%lld", (long long)p.id);
        *last = db_column_int64(st, 3);
        db_reset(st);
        *out = p;
        return 0;
    }
    if (rc < 0)
        return rc;
    db_reset(st);
    st = sqi_q(c, Q_AUTH_TOKEN);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, hash);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0 || !crypto_equal_str(sqi_col_text(st, 3), hash)) {
        db_reset(st);
        store_set_error("unauthorized", "unknown credential");
        return -STORE_E_NOT_FOUND;
    }
    p.id = db_column_int64(st, 0);
    p.org_id = db_column_int64(st, 2);
    if (strcmp(sqi_col_text(st, 1), "admin") == 0)
        p.role = STORE_ROLE_ADMIN;
    else if (strcmp(sqi_col_text(st, 1), "board") == 0)
        p.role = STORE_ROLE_BOARD;
    else if (strcmp(sqi_col_text(st, 1), "province") == 0)
        p.role = STORE_ROLE_PROVINCE;
    else
        p.role = STORE_ROLE_AUDITOR;
    snprintf(p.province, sizeof(p.province), "%s", sqi_col_text(st, 5));
    snprintf(p.actor, sizeof(p.actor), "token:%lld", (long long)p.id);
    *last = db_column_int64(st, 4);
    db_reset(st);
    *out = p;
    return 0;
}

/*
 * A credential known to the cache costs no database read; an unknown
 * one is looked up and entered. Its last-used time is noted at most once
 * per LAST_USED_SECS, and written behind the request (last_used.c): a
 * request never takes a write lock for it.
 */
int sq_auth(struct store *base, const char *hash, struct store_principal *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c;
    struct store_principal p = {0};
    int64_t last = 0, now = (int64_t)time(NULL);
    uint64_t gen;
    int rc;

    if (!cred_cache_get(s->creds, hash, &p, &last, &gen)) {
        c = sqi_get_read_conn(s);
        rc = auth_lookup(c, hash, &p, &last);
        sqi_put_read_conn(s, c);
        if (rc != 0)
            return rc;
        cred_cache_put(s->creds, hash, &p, last, gen);
    }
    *out = p;
    if (now - last >= LAST_USED_SECS && s->last_used != NULL) {
        last_used_note(s->last_used, p.role == STORE_ROLE_KIOSK, p.id, now);
        cred_cache_used(s->creds, hash, now);
    }
    return 0;
}

int sq_kiosk_add(struct store *base, const char *org_code, const char *name,
                 const char *hash, int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t org = 0, now = (int64_t)time(NULL);
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = sqi_org_id_of(c, org_code, &org);
    if (rc != 0)
        goto done;
    st = sqi_q(c, Q_KIOSK_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, name);
    sqi_bt(st, 3, hash);
    sqi_bi(st, 4, now);
    rc = sqi_insert_id(c, st, id);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, "cli", "kiosk.add", org_code,
                   json_pack("{s:s, s:I}", "name", name, "kiosk", *id));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_token_add(struct store *base, const char *role, const char *org_code,
                 const char *province, const char *hash, int64_t *id)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t org = 0, now = (int64_t)time(NULL);
    char prov[STORE_PROVINCE_MAX + 1] = "";
    struct db_stmt *st;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    if (org_code != NULL) {
        rc = sqi_org_id_of(c, org_code, &org);
        if (rc != 0)
            goto done;
    }
    if (province != NULL) {
        rc = sqi_province_canonical(c, province, prov, sizeof(prov));
        if (rc != 0)
            goto done;
    }
    st = sqi_q(c, Q_TOKEN_ADD);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bt(st, 1, role);
    if (org)
        sqi_bi(st, 2, org);
    else
        db_bind_null(st, 2);
    sqi_bt(st, 3, hash);
    sqi_bi(st, 4, now);
    if (prov[0] != '\0')
        sqi_bt(st, 5, prov);
    else
        db_bind_null(st, 5);
    rc = sqi_insert_id(c, st, id);
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, "cli", "token.add", org_code ? org_code : "*",
                   prov[0] != '\0'
                       ? json_pack("{s:s, s:I, s:s}", "role", role, "token",
                                   *id, "province", prov)
                       : json_pack("{s:s, s:I}", "role", role, "token", *id));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}
