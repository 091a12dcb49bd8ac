/*
 * dash_sessions.c: the web dashboard's storage. Board users sign in with
 * a password (only its scrypt hash is stored, see dash_pw.c); a session is
 * stored by the SHA-256 of its cookie with an expiry and its CSRF token;
 * failed sign-ins are counted per login and per client address so that
 * guessing gets locked out (an attempt is counted before its password is
 * checked, so a burst cannot outrun the limit); a sweep drops expired
 * sessions and stale failure counters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

/* The organisation (0: none) of the user lookup `sql` finds by ?1, text
 * `key` or, when it is NULL, integer `id`, into *org. */
static int user_org(struct sqi_conn *c, const char *sql, const char *key,
                    int64_t id, int64_t *org)
{
    struct db_stmt *q = sqi_qs(c, sql);
    int rc;

    *org = 0;
    if (q == NULL)
        return -STORE_E_IO;
    if (key != NULL)
        db_bind_text(q, 1, key);
    else
        db_bind_int64(q, 1, id);
    rc = sqi_step(c, q);
    if (rc == 1 && db_column_type(q, 0) != DB_NULL)
        *org = db_column_int64(q, 0);
    db_reset(q);
    return rc < 0 ? rc : 0;
}

/* The organisation of the user a failure counter's key "login:LOGIN"
 * names into *org; 0 for any other key (a client address). */
static int key_org(struct sqi_conn *c, const char *key, int64_t *org)
{
    *org = 0;
    if (strncmp(key, "login:", 6) != 0)
        return 0;
    return user_org(c, "SELECT org_id FROM dash_users WHERE login = ?1",
                    key + 6, 0, org);
}

/* 1 when `s` is a valid login: [a-z0-9._-]{3,32}. */
static int login_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    size_t i;

    if (n < 3 || n > 32)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '.' || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

int sqd_user_add(struct store *st, const char *org_code, const char *province,
                 const char *login, const char *role, const char *pwhash,
                 const char *actor, int64_t *id)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c;
    struct db_stmt *q;
    int64_t org = 0, now = (int64_t)time(NULL);
    char prov[STORE_PROVINCE_MAX + 1] = "";
    int rc, by_org, by_province;

    by_org = role != NULL &&
             (strcmp(role, "board") == 0 || strcmp(role, "auditor") == 0);
    by_province = role != NULL && strcmp(role, "province") == 0;
    if (!login_ok(login) || role == NULL || pwhash == NULL ||
        by_org != (org_code != NULL) || by_province != (province != NULL) ||
        (!by_org && !by_province && strcmp(role, "admin") != 0)) {
        store_set_error("invalid_field",
                        "a user needs a login of 3-32 of a-z 0-9 . _ -, "
                        "a role admin|board|auditor|province, an "
                        "organisation for board and auditor and a "
                        "province for province");
        return -STORE_E_INVALID;
    }
    c = sqi_get_conn(s);
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    if (province != NULL) {
        rc = sqi_province_canonical(c, province, prov, sizeof(prov));
        if (rc != 0)
            goto done;
    }
    if (org_code != NULL) {
        q = sqi_qs(c, "SELECT id FROM orgs WHERE code = ?1");
        if (q == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        db_bind_text(q, 1, org_code);
        rc = sqi_step(c, q);
        if (rc == 1)
            org = db_column_int64(q, 0);
        db_reset(q);
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation '%s'", org_code);
            rc = -STORE_E_NOT_FOUND;
        }
        if (rc < 0)
            goto done;
    }
    q = sqi_qs(c, "INSERT INTO dash_users(login, role, org_id, pw_hash,"
                  " created_at, province) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                  " RETURNING id");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_text(q, 1, login);
    db_bind_text(q, 2, role);
    if (org)
        db_bind_int64(q, 3, org);
    else
        db_bind_null(q, 3);
    db_bind_text(q, 4, pwhash);
    db_bind_int64(q, 5, now);
    if (prov[0] != '\0')
        db_bind_text(q, 6, prov);
    else
        db_bind_null(q, 6);
    rc = sqi_step(c, q);
    if (rc == 1)
        *id = db_column_int64(q, 0);
    db_reset(q);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("duplicate_login", "user '%s' exists", login);
    if (rc == 0) {
        store_set_error("internal", "no id for the new user");
        rc = -STORE_E_IO;
    }
    if (rc < 0)
        goto done;
    rc =
        sqi_audit(c, org, now, actor, "dash.user.add", login,
                  prov[0] != '\0' ? json_pack("{s:s, s:s, s:s}", "role", role,
                                              "org", "*", "province", prov)
                                  : json_pack("{s:s, s:s}", "role", role, "org",
                                              org_code ? org_code : "*"));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqd_user_get(struct store *st, const char *login, char *pwhash, size_t cap,
                 int64_t *id)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int rc = -STORE_E_IO;

    q = sqi_qs(c, "SELECT id, pw_hash FROM dash_users WHERE login = ?1"
                  " AND active = 1");
    if (q == NULL)
        goto out;
    db_bind_text(q, 1, login);
    rc = sqi_step(c, q);
    if (rc == 1) {
        const char *h = db_column_text(q, 1);

        if (h == NULL || strlen(h) >= cap) {
            store_set_error("internal", "stored password hash too long");
            rc = -STORE_E_IO;
            goto out;
        }
        memcpy(pwhash, h, strlen(h) + 1);
        *id = db_column_int64(q, 0);
        rc = 0;
    } else if (rc == 0) {
        store_set_error("not_found", "no user '%s'", login);
        rc = -STORE_E_NOT_FOUND;
    }
out:
    if (q != NULL)
        db_reset(q);
    sqi_put_conn(s, c);
    return rc;
}

int sqd_session_add(struct store *st, int64_t user, const char *hash,
                    const char *csrf, int64_t expires, int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int64_t org = 0;
    char actor[48];
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    q = sqi_qs(c, "INSERT INTO dash_sessions(hash, user_id, csrf,"
                  " created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_text(q, 1, hash);
    db_bind_int64(q, 2, user);
    db_bind_text(q, 3, csrf);
    db_bind_int64(q, 4, now);
    db_bind_int64(q, 5, expires);
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    /* a user's last use is its last sign-in */
    q = sqi_qs(c, "INSERT INTO credential_times(kind, id,"
                  " last_used_at) VALUES ('user', ?1, ?2) ON"
                  " CONFLICT(kind, id) DO UPDATE SET last_used_at = ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, user);
    db_bind_int64(q, 2, now);
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    rc = user_org(c, "SELECT org_id FROM dash_users WHERE id = ?1", NULL, user,
                  &org);
    if (rc != 0)
        goto done;
    snprintf(actor, sizeof(actor), "dash_user:%lld", (long long)user);
    rc = sqi_audit(c, org, now, actor, "dash.login", actor,
                   json_pack("{s:I}", "expires", (json_int_t)expires));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqd_session_get(struct store *st, const char *hash, int64_t now,
                    struct store_principal *who, char *csrf, size_t cap)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int rc = -STORE_E_IO;

    q = sqi_qs(c, "SELECT u.id, u.role, coalesce(u.org_id, 0), u.login,"
                  " s.csrf, coalesce(u.province, '') FROM dash_sessions s"
                  " JOIN dash_users u ON"
                  " u.id = s.user_id WHERE s.hash = ?1 AND"
                  " s.expires_at > ?2 AND u.active = 1");
    if (q == NULL)
        goto out;
    db_bind_text(q, 1, hash);
    db_bind_int64(q, 2, now);
    rc = sqi_step(c, q);
    if (rc == 1) {
        struct store_principal p = {0};
        const char *role = db_column_text(q, 1);
        const char *tok = db_column_text(q, 4);

        p.id = db_column_int64(q, 0);
        p.role = strcmp(role, "admin") == 0      ? STORE_ROLE_ADMIN
                 : strcmp(role, "board") == 0    ? STORE_ROLE_BOARD
                 : strcmp(role, "province") == 0 ? STORE_ROLE_PROVINCE
                                                 : STORE_ROLE_AUDITOR;
        p.org_id = db_column_int64(q, 2);
        snprintf(p.province, sizeof(p.province), "%s",
                 db_column_text(q, 5) ? db_column_text(q, 5) : "");
        snprintf(p.actor, sizeof(p.actor), "user:%s", db_column_text(q, 3));
        if (tok == NULL || strlen(tok) >= cap) {
            rc = -STORE_E_IO;
            goto out;
        }
        memcpy(csrf, tok, strlen(tok) + 1);
        *who = p;
        rc = 0;
    } else if (rc == 0) {
        store_set_error("unauthorized", "no such session or it expired");
        rc = -STORE_E_NOT_FOUND;
    }
out:
    if (q != NULL)
        db_reset(q);
    sqi_put_conn(s, c);
    return rc;
}

int sqd_session_del(struct store *st, const char *hash, const char *actor,
                    int64_t now)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int64_t org = 0;
    int rc, n;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = user_org(c,
                  "SELECT u.org_id FROM dash_sessions s JOIN dash_users u"
                  " ON u.id = s.user_id WHERE s.hash = ?1",
                  hash, 0, &org);
    if (rc != 0)
        goto done;
    q = sqi_qs(c, "DELETE FROM dash_sessions WHERE hash = ?1 OR"
                  " expires_at <= ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_text(q, 1, hash);
    db_bind_int64(q, 2, now);
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    n = (int)db_changes(sqi_dbh(c));
    rc = sqi_audit(c, org, now, actor, "dash.logout", actor,
                   json_pack("{s:i}", "sessions_ended", n));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

/* Read the counter of `key` into *count and *until (0, 0 when none). */
static int counter_get(struct sqi_conn *c, const char *key, int64_t *count,
                       int64_t *until)
{
    struct db_stmt *q;
    int rc;

    *count = *until = 0;
    q = sqi_qs(c, "SELECT count, locked_until FROM dash_failures"
                  " WHERE key = ?1");
    if (q == NULL)
        return -STORE_E_IO;
    db_bind_text(q, 1, key);
    rc = sqi_step(c, q);
    if (rc == 1) {
        *count = db_column_int64(q, 0);
        *until = db_column_int64(q, 1);
    }
    db_reset(q);
    return rc < 0 ? rc : 0;
}

int sqd_attempt(struct store *st, const char *key, int op, int64_t now,
                int limit, int lock_secs, int64_t *locked_until)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int64_t count = 0, until = 0, org = 0;
    int rc;

    (void)lock_secs; /* a lock starts when an attempt is reserved */
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = counter_get(c, key, &count, &until);
    if (rc != 0)
        goto done;
    if (op == 0)
        goto done;
    if (op == 2) {
        until = 0;
        q = sqi_qs(c, "DELETE FROM dash_failures WHERE key = ?1");
        if (q == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        db_bind_text(q, 1, key);
    } else if (op == 1) {
        /* the attempt was counted when it was reserved: audit only */
        rc = key_org(c, key, &org);
        if (rc == 0)
            rc =
                sqi_audit(c, org, now, "dash", "dash.login_failed", key,
                          json_pack("{s:I, s:I}", "failures", (json_int_t)count,
                                    "locked_until", (json_int_t)until));
        goto done;
    } else {
        /* a success gives its reservation back */
        if (count > 0)
            count--;
        if (count < limit)
            until = 0;
        q = sqi_qs(c, "UPDATE dash_failures SET count = ?2,"
                      " locked_until = ?3 WHERE key = ?1");
        if (q == NULL) {
            rc = -STORE_E_IO;
            goto done;
        }
        db_bind_text(q, 1, key);
        db_bind_int64(q, 2, count);
        db_bind_int64(q, 3, until);
    }
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    rc = 0;
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    if (rc == 0)
        *locked_until = until;
    return rc;
}

/* Count one more attempt on `key` (a lock that ran out starts afresh);
 * at `limit` the key locks for `lock_secs` from `now`, audited. */
static int counter_take(struct sqi_conn *c, const char *key, int64_t count,
                        int64_t until, int limit, int lock_secs, int64_t now)
{
    struct db_stmt *q;
    int rc;

    if (until != 0 && until <= now)
        count = 0;
    count++;
    until = count >= limit ? now + lock_secs : 0;
    q = sqi_qs(c, "INSERT INTO dash_failures(key, count, last_at,"
                  " locked_until) VALUES (?1, ?2, ?3, ?4) ON"
                  " CONFLICT(key) DO UPDATE SET count = ?2,"
                  " last_at = ?3, locked_until = ?4");
    if (q == NULL)
        return -STORE_E_IO;
    db_bind_text(q, 1, key);
    db_bind_int64(q, 2, count);
    db_bind_int64(q, 3, now);
    db_bind_int64(q, 4, until);
    rc = sqi_step(c, q);
    if (rc < 0)
        return rc;
    if (count == limit) {
        int64_t org;

        rc = key_org(c, key, &org);
        return rc != 0 ? rc
                       : sqi_audit(c, org, now, "dash", "dash.lock", key,
                                   json_pack("{s:I, s:I}", "failures",
                                             (json_int_t)count, "locked_until",
                                             (json_int_t)until));
    }
    return 0;
}

int sqd_reserve(struct store *st, const char *lkey, int llimit,
                const char *akey, int alimit, int64_t now, int lock_secs,
                int64_t *locked_until)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t lc, lu, ac, au;
    int rc;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = counter_get(c, lkey, &lc, &lu);
    if (rc == 0)
        rc = counter_get(c, akey, &ac, &au);
    if (rc != 0)
        goto done;
    if (lu > now || au > now) {
        /* locked: nothing is reserved */
        lu = lu > au ? lu : au;
        goto done;
    }
    rc = counter_take(c, lkey, lc, lu, llimit, lock_secs, now);
    if (rc == 0)
        rc = counter_take(c, akey, ac, au, alimit, lock_secs, now);
    lu = 0;
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    if (rc == 0)
        *locked_until = lu;
    return rc;
}

int sqd_sweep(struct store *st, int64_t now, int64_t stale_before,
              int64_t *sessions, int64_t *failures)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    int64_t ns = 0, nf = 0;
    int rc;

    /* beside other writers (sqd_attempt and sqd_reserve, which count
       failures, still run alone): see sqb_journal_prune */
    rc = sqi_begin_write_shared(s, c);
    if (rc != 0)
        goto out;
    q = sqi_qs(c, "DELETE FROM dash_sessions WHERE expires_at <= ?1");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, now);
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    ns = db_changes(sqi_dbh(c));
    q = sqi_qs(c, "DELETE FROM dash_failures WHERE locked_until <= ?1"
                  " AND last_at <= ?2");
    if (q == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    db_bind_int64(q, 1, now);
    db_bind_int64(q, 2, stale_before);
    rc = sqi_step(c, q);
    if (rc < 0)
        goto done;
    nf = db_changes(sqi_dbh(c));
    rc = 0;
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    if (rc == 0) {
        *sessions = ns;
        *failures = nf;
    }
    return rc;
}
