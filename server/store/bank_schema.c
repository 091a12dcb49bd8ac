/*
 * bank_schema.c: the SQL functions with which SQLite's migration
 * 010-transfer-identity.sql (server/schema/sqlite/) fills in the transfer
 * identity of existing bank transactions: the same keys as ingestion.
 */
#include <stdio.h>
#include <stdlib.h>

#include "match.h"
#include "payref.h"
#include "store_int.h"

/* chopay_transfer_ref(bank_ref): match_transfer_ref, for SQL. */
static int fn_transfer_ref(const char *const *args, int nargs, char *out,
                           size_t cap)
{
    char key[MATCH_KEY_MAX];

    (void)nargs;
    match_transfer_ref(args[0] ? args[0] : "", key, sizeof(key));
    snprintf(out, cap, "%s", key);
    return 0;
}

/* chopay_desc_key(codes, description): the content key from the codes
 * found at ingestion (space-separated, the first counts). */
static int fn_desc_key(const char *const *args, int nargs, char *out,
                       size_t cap)
{
    const char *codes = args[0];
    char first[PAYREF_MAX + 1] = "";
    size_t k = 0;
    char *key;

    (void)nargs;
    while (codes != NULL && codes[k] != '\0' && codes[k] != ' ' &&
           k < PAYREF_MAX) {
        first[k] = codes[k];
        k++;
    }
    first[k] = '\0';
    key = match_desc_key(first, args[1]);
    if (key == NULL)
        return -DB_E_NOMEM;
    snprintf(out, cap, "%s", key);
    free(key);
    return 0;
}

/* chopay_counter_key(account): match_counter_key, for SQL. */
static int fn_counter_key(const char *const *args, int nargs, char *out,
                          size_t cap)
{
    char key[FEEDS_ACCOUNT_MAX];

    (void)nargs;
    match_counter_key(args[0] ? args[0] : "", key, sizeof(key));
    snprintf(out, cap, "%s", key);
    return 0;
}

int sqi_bank_functions(struct db *db)
{
    static const struct {
        const char *name;
        int nargs;
        int (*fn)(const char *const *, int, char *, size_t);
    } fns[] = {
        {"chopay_transfer_ref", 1, fn_transfer_ref},
        {"chopay_desc_key", 2, fn_desc_key},
        {"chopay_counter_key", 1, fn_counter_key},
    };
    size_t i;
    int rc;

    if (db_backend(db) != DB_SQLITE)
        return 0; /* only SQLite's older migrations use them */
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        rc = db_function_text(db, fns[i].name, fns[i].nargs, fns[i].fn);
        if (rc != 0)
            return sqi_db_error(db, rc, "functions");
    }
    return 0;
}
