/*
 * accounts.c: organisations' collecting accounts: stored in normal form
 * (account.h), (BIN, account) unique across organisations, and the SQL
 * functions with which SQLite's migration 009-accounts.sql
 * (server/schema/sqlite/) brings an existing database there. Which
 * organisation an incoming account names is decided in bank.c with the same
 * normal form.
 */
#include <string.h>

#include "store_int.h"

/* account_number(text): the normal form of an account, NULL when none. */
static int fn_account_number(const char *const *args, int nargs, char *out,
                             size_t cap)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];

    (void)nargs;
    if (args[0] == NULL ||
        account_normalise(args[0], bin, key, sizeof(key)) != 0)
        return 1;
    snprintf(out, cap, "%s", key);
    return 0;
}

/* account_bin(text, bin): the BIN written in front of `text`, else bin. */
static int fn_account_bin(const char *const *args, int nargs, char *out,
                          size_t cap)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];

    (void)nargs;
    if (args[0] != NULL &&
        account_normalise(args[0], bin, key, sizeof(key)) == 0 &&
        bin[0] != '\0')
        snprintf(out, cap, "%s", bin);
    else if (args[1] != NULL)
        snprintf(out, cap, "%s", args[1]);
    else
        return 1;
    return 0;
}

/* refuse(message): fail the statement with `message`. */
static int fn_refuse(const char *const *args, int nargs, char *out, size_t cap)
{
    (void)nargs;
    snprintf(out, cap, "%s", args[0] ? args[0] : "refused");
    return -DB_E_GUARD;
}

int sqi_account_functions(struct db *db)
{
    int rc;

    if (db_backend(db) != DB_SQLITE)
        return 0; /* only SQLite's older migrations use them */
    rc = db_function_text(db, "account_number", 1, fn_account_number);
    if (rc == 0)
        rc = db_function_text(db, "account_bin", 2, fn_account_bin);
    if (rc == 0)
        rc = db_function_text(db, "refuse", 1, fn_refuse);
    return rc != 0 ? sqi_db_error(db, rc, "account functions") : 0;
}

/*
 * Normalise one side: `bin_in` (NULL: keep `was_bin`) and `account_in`
 * (NULL: keep `was_key`) into *now. -STORE_E_INVALID when the account has
 * no letter or digit or names another BIN than the one given.
 */
static int normalise(const char *bin_in, const char *account_in,
                     const struct sqi_account *was, struct sqi_account *now)
{
    char bin[ACCOUNT_BIN_MAX];

    snprintf(now->bin, sizeof(now->bin), "%s", bin_in ? bin_in : was->bin);
    if (account_in == NULL) {
        snprintf(now->key, sizeof(now->key), "%s", was->key);
        return 0;
    }
    if (account_normalise(account_in, bin, now->key, sizeof(now->key)) != 0) {
        store_set_error("invalid_field", "account: no account number");
        return -STORE_E_INVALID;
    }
    if (bin[0] != '\0') {
        if (bin_in != NULL && strcmp(bin, bin_in) != 0) {
            store_set_error("invalid_field",
                            "account: written with BIN %s, bank_bin is %s", bin,
                            bin_in);
            return -STORE_E_INVALID;
        }
        snprintf(now->bin, sizeof(now->bin), "%s", bin);
    }
    return 0;
}

int sqi_org_account(struct sqi_conn *c, const char *code, const char *bin_in,
                    const char *account_in, struct sqi_account *was,
                    struct sqi_account *now)
{
    static const char q_org[] =
        "SELECT bank_bin, account FROM orgs WHERE code = ?1";
    static const char q_holder[] = "SELECT code FROM orgs WHERE bank_bin = ?1"
                                   " AND account = ?2 AND code <> ?3";
    struct db *db = sqi_dbh(c);
    struct db_stmt *st;
    int rc;

    memset(was, 0, sizeof(*was));
    memset(now, 0, sizeof(*now));
    if (code != NULL) {
        st = db_q(db, q_org);
        if (st == NULL)
            return sqi_db_error(db, -DB_E_SQL, "prepare");
        db_bind_text(st, 1, code);
        rc = db_step(st);
        if (rc == 1) {
            snprintf(was->bin, sizeof(was->bin), "%s", db_column_text(st, 0));
            snprintf(was->key, sizeof(was->key), "%s", db_column_text(st, 1));
        }
        db_reset(st);
        if (rc == 0) {
            store_set_error("org_not_found", "no organisation '%s'", code);
            return -STORE_E_NOT_FOUND;
        }
        if (rc < 0)
            return sqi_db_error(db, rc, "step");
    }
    rc = normalise(bin_in, account_in, was, now);
    if (rc != 0 || (code != NULL && strcmp(was->bin, now->bin) == 0 &&
                    strcmp(was->key, now->key) == 0))
        return rc;
    st = db_q(db, q_holder);
    if (st == NULL)
        return sqi_db_error(db, -DB_E_SQL, "prepare");
    db_bind_text(st, 1, now->bin);
    db_bind_text(st, 2, now->key);
    db_bind_text(st, 3, code ? code : "");
    rc = db_step(st);
    if (rc == 1) {
        store_set_error("account_taken",
                        "account %s at BIN %s is the collecting account of"
                        " organisation %s",
                        now->key, now->bin, db_column_text(st, 0));
        rc = -STORE_E_CONFLICT;
    } else if (rc < 0) {
        rc = sqi_db_error(db, rc, "step");
    }
    db_reset(st);
    return rc;
}

/*
 * The organisation whose collecting account `account` names, on
 * connection c (docs/matching.md, "Which organisation"): the same
 * normalised account number, and the same BIN when `account` carries one.
 * *org and code (32 bytes, may be NULL) on success; -STORE_E_NOT_FOUND
 * (unknown_account) when none, -STORE_E_CONFLICT (ambiguous_account)
 * when `account` has no BIN and organisations at different banks hold it.
 */
int sqb_org_of_account(struct sqi_conn *c, const char *account, int64_t *org,
                       char *code)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];
    struct db_stmt *st;
    int64_t id = 0;
    int rc, n = 0;

    if (account_normalise(account, bin, key, sizeof(key)) != 0) {
        store_set_error("unknown_account", "no account number");
        return -STORE_E_NOT_FOUND;
    }
    st = sqb_q(c, B_ORGS);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, key);
    sqi_bt(st, 2, bin);
    while ((rc = sqi_step(c, st)) == 1) {
        if (n++ == 0) {
            id = db_column_int64(st, 0);
            if (code != NULL)
                snprintf(code, 32, "%s", sqi_col_text(st, 1));
        }
    }
    db_reset(st);
    if (rc != 0)
        return rc;
    if (n == 0) {
        store_set_error("unknown_account",
                        "account '%s' is no organisation's collecting account",
                        account);
        return -STORE_E_NOT_FOUND;
    }
    if (n > 1) {
        store_set_error("ambiguous_account",
                        "account '%s' is held by organisations at different"
                        " banks; it needs its BIN (970436/...)",
                        account);
        return -STORE_E_CONFLICT;
    }
    *org = id;
    return 0;
}

int sqb_account_org(struct store *base, const char *account, int64_t *org_id,
                    char *code)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqb_org_of_account(c, account, org_id, code);

    sqi_put_conn(s, c);
    return rc;
}
