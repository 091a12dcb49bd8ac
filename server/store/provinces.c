/*
 * provinces.c: the provinces the organisations are in. A province is
 * named the way its organisations spell it; a name given by a person is
 * matched against those without regard to diacritics, case or spacing
 * ("Da Nang" finds "Đà Nẵng", vntext.h), and the organisations' own
 * spelling is the one kept. Also migration `province_role`: API tokens
 * and dashboard users scoped to one province.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "vntext.h"

/*
 * The role `province` for tokens and dashboard users, with the province
 * it reads. SQLite cannot change a CHECK constraint in place, so both
 * tables are built again (the sessions too, whose key points at the
 * users) and their rows copied with their ids.
 */
const char *const sqi_migration_province_role[] = {
    "CREATE TABLE tokens_new("
    " id INTEGER PRIMARY KEY,"
    " role TEXT NOT NULL CHECK (role IN"
    "  ('admin','board','auditor','province')),"
    " org_id INTEGER REFERENCES orgs(id),"
    " key_hash TEXT NOT NULL UNIQUE,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL,"
    " province TEXT,"
    " CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province'"
    "  AND province IS NOT NULL AND org_id IS NULL) OR (role IN"
    "  ('board','auditor') AND org_id IS NOT NULL AND province IS NULL)));",
    "INSERT INTO tokens_new(id, role, org_id, key_hash, active, created_at)"
    " SELECT id, role, org_id, key_hash, active, created_at FROM tokens;",
    "DROP TABLE tokens;",
    "ALTER TABLE tokens_new RENAME TO tokens;",
    "CREATE TABLE dash_users_new("
    " id INTEGER PRIMARY KEY,"
    " login TEXT NOT NULL UNIQUE,"
    " role TEXT NOT NULL CHECK (role IN"
    "  ('admin','board','auditor','province')),"
    " org_id INTEGER REFERENCES orgs(id),"
    " pw_hash TEXT NOT NULL,"
    " active INTEGER NOT NULL DEFAULT 1,"
    " created_at INTEGER NOT NULL,"
    " province TEXT,"
    " CHECK ((role = 'admin' AND province IS NULL) OR (role = 'province'"
    "  AND province IS NOT NULL AND org_id IS NULL) OR (role IN"
    "  ('board','auditor') AND org_id IS NOT NULL AND province IS NULL)));",
    "INSERT INTO dash_users_new(id, login, role, org_id, pw_hash, active,"
    " created_at) SELECT id, login, role, org_id, pw_hash, active,"
    " created_at FROM dash_users;",
    "CREATE TABLE dash_sessions_new("
    " hash TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL REFERENCES dash_users_new(id),"
    " csrf TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL) WITHOUT ROWID;",
    "INSERT INTO dash_sessions_new SELECT hash, user_id, csrf, created_at,"
    " expires_at FROM dash_sessions;",
    "DROP TABLE dash_sessions;",
    "DROP TABLE dash_users;",
    "ALTER TABLE dash_users_new RENAME TO dash_users;",
    "ALTER TABLE dash_sessions_new RENAME TO dash_sessions;",
    NULL,
};

/* The provinces with the number of organisations in each, the most
 * populated first (so that of two spellings the common one wins). */
static const char PROVINCES_SQL[] =
    "SELECT province, count(*) FROM orgs WHERE province <> ''"
    " GROUP BY province ORDER BY count(*) DESC, province";

/* `s` folded (vntext_fold) into `out` of `cap` bytes; -1 when it is not
 * UTF-8 or too long. */
static int fold(const char *s, char *out, size_t cap)
{
    return vntext_fold(s, strlen(s), out, cap, NULL) == 0 ? 0 : -1;
}

int sqi_province_canonical(struct sqi_conn *c, const char *name, char *out,
                           size_t cap)
{
    struct db_stmt *q;
    char want[STORE_PROVINCE_MAX + 1], have[STORE_PROVINCE_MAX + 1];
    char known[160] = "";
    size_t used = 0;
    int rc;

    if (name == NULL || name[0] == '\0' || strlen(name) > STORE_PROVINCE_MAX ||
        fold(name, want, sizeof(want)) != 0 || want[0] == '\0') {
        store_set_error("bad_province", "a province is 1-%d bytes of UTF-8",
                        STORE_PROVINCE_MAX);
        return -STORE_E_INVALID;
    }
    q = db_q(sqi_dbh(c), PROVINCES_SQL);
    if (q == NULL)
        return sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    while ((rc = db_step(q)) == 1) {
        const char *p = db_column_text(q, 0);

        if (p == NULL || strlen(p) >= cap)
            continue;
        if (fold(p, have, sizeof(have)) == 0 && strcmp(have, want) == 0) {
            memcpy(out, p, strlen(p) + 1);
            db_reset(q);
            return 0;
        }
        /* the names there are, for the refusal */
        if (used + strlen(p) + 3 < sizeof(known)) {
            memcpy(known + used, used ? ", " : "", used ? 2 : 0);
            used += used ? 2 : 0;
            memcpy(known + used, p, strlen(p) + 1);
            used += strlen(p);
        }
    }
    db_reset(q);
    if (rc < 0)
        return sqi_db_error(sqi_dbh(c), rc, "step");
    store_set_error("province_not_found",
                    "no organisation is in province '%s' (provinces: %s)", name,
                    used ? known : "none yet");
    return -STORE_E_NOT_FOUND;
}

int sqv_province_find(struct store *st, const char *name, char *out, size_t cap)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqi_begin_read(c);

    if (rc == 0) {
        rc = sqi_province_canonical(c, name, out, cap);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}

/* The province in the current row into `row` (struct store_province). */
static int province_read(struct db_stmt *q, void *row)
{
    struct store_province *p = row;
    const char *name = db_column_text(q, 0);

    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
    p->orgs = db_column_int64(q, 1);
    return 0;
}

static void province_clear(struct store_province *p)
{
    (void)p;
}

SQI_LIST_FREE(store_province_list_free, store_province_list, province_clear)

int sqv_provinces(struct store *st, struct store_province_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    void *rows = NULL;
    size_t n = 0;
    int rc = sqi_begin_read(c);

    if (rc != 0)
        goto out;
    q = db_q(sqi_dbh(c), "SELECT province, count(*) FROM orgs WHERE"
                         " province <> '' GROUP BY province ORDER BY"
                         " province");
    if (q == NULL)
        rc = sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    else
        rc = sqi_rows_read(c, q, sizeof(struct store_province), province_read,
                           &rows, &n);
    sqi_end_read(c);
    if (rc == 0) {
        out->rows = rows;
        out->n = n;
        rows = NULL;
    }
    free(rows);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqv_org_in_province(struct store *st, int64_t org_id, const char *province)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q =
        db_q(sqi_dbh(c), "SELECT 1 FROM orgs WHERE id = ?1 AND province = ?2");
    int rc;

    if (q == NULL) {
        rc = sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    } else {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, province);
        rc = db_step(q);
        if (rc < 0)
            rc = sqi_db_error(sqi_dbh(c), rc, "step");
        db_reset(q);
    }
    sqi_put_conn(s, c);
    return rc;
}
