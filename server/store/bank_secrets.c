/*
 * bank_secrets.c: an organisation's provider secrets (API key and HMAC key
 * per provider) for checking its webhooks: put, audited, and get.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store_int.h"

static int provider_ok(const char *p)
{
    return p != NULL && (strcmp(p, "sepay") == 0 || strcmp(p, "casso") == 0 ||
                         strcmp(p, "payos") == 0 || strcmp(p, "generic") == 0);
}

int sqb_secret_put(struct store *base, int64_t org_id, const char *provider,
                   const char *api_key, const char *hmac_key, const char *actor)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct db_stmt *st;
    int rc;

    if (!provider_ok(provider)) {
        store_set_error("invalid_provider", "unknown provider");
        sqi_put_conn(s, c);
        return -STORE_E_INVALID;
    }
    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    st = sqb_q(c, B_SECRET_PUT);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto done;
    }
    sqi_bi(st, 1, org_id);
    sqi_bt(st, 2, provider);
    sqi_bt(st, 3, api_key ? api_key : "");
    sqi_bt(st, 4, hmac_key ? hmac_key : "");
    sqi_bi(st, 5, now);
    rc = sqi_exec1(c, st);
    if (rc != 0)
        goto done;
    /* the audit log never holds the secrets themselves */
    rc = sqi_audit(c, org_id, now, actor, "bank.secret", provider,
                   json_pack("{s:I, s:b, s:b}", "org", (json_int_t)org_id,
                             "api_key", api_key && *api_key, "hmac_key",
                             hmac_key && *hmac_key));
done:
    rc = sqi_end_write(s, c, rc);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqb_secret_get(struct store *base, int64_t org_id, const char *provider,
                   char *api_key, size_t ak_cap, char *hmac_key, size_t hk_cap)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqb_q(c, B_SECRET_GET);
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org_id);
        sqi_bt(st, 2, provider);
        rc = sqi_step(c, st);
        if (rc >= 0) {
            snprintf(api_key, ak_cap, "%s", rc == 1 ? sqi_col_text(st, 0) : "");
            snprintf(hmac_key, hk_cap, "%s",
                     rc == 1 ? sqi_col_text(st, 1) : "");
            rc = 0;
        }
        db_reset(st);
    }
    sqi_put_conn(s, c);
    return rc;
}
