/*
 * h_creds.c: the admin endpoints for credentials: list kiosk keys, API
 * tokens and dashboard users (id, organisation, name or role, created,
 * last used, revoked; never a secret), revoke a kiosk key or a token,
 * disable a user and end its sessions. Admin only; audited in the store.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "api_json.h"

/* The id in r->arg[0]: a positive decimal; else 404 queued. */
static int path_id(struct req *r, int64_t *id, enum MHD_Result *res)
{
    char *end = NULL;
    long long v = strtoll(r->arg[0], &end, 10);

    if (r->arg[0][0] < '1' || r->arg[0][0] > '9' || *end != '\0' || v <= 0) {
        *res = api_error(r, 404, "not_found", "no such id");
        return -1;
    }
    *id = v;
    return 0;
}

/* GET list of `kind`, optionally limited to organisation `org`. */
static enum MHD_Result list(struct req *r, const char *kind, const char *org)
{
    struct store_cred_list l = {0};
    enum MHD_Result res;
    int rc = r->s->st->ops->cred_list(r->s->st, kind, org, &l);

    if (rc != 0)
        return api_store_error(r, rc);
    res = api_reply_json(r, 200,
                         json_pack("{s:o}",
                                   strcmp(kind, "kiosk") == 0   ? "kiosks"
                                   : strcmp(kind, "token") == 0 ? "tokens"
                                                                : "users",
                                   api_json_creds(kind, &l)));
    store_cred_list_free(&l);
    return res;
}

/* Revoke and log; the store audits. */
static enum MHD_Result revoke(struct req *r, const char *kind, const char *org,
                              int64_t id, const char *login)
{
    struct store_cred_revoked out;
    int rc =
        r->s->st->ops->cred_revoke(r->s->st, kind, org, id, login, r->who.actor,
                                   (int64_t)time(NULL), &out);

    if (rc != 0)
        return api_store_error(r, rc);
    api_log(5, "event=credential_revoked kind=%s id=%lld actor=%s", kind,
            (long long)out.id, r->who.actor);
    return api_reply_json(r, 200, api_json_cred_revoked(kind, &out));
}

enum MHD_Result h_kiosk_list(struct req *r)
{
    static const char *const q[] = {"org", NULL};
    enum MHD_Result res;

    if (api_query_check(r, q, &res) != 0)
        return res;
    return list(r, "kiosk", api_query(r, "org"));
}

enum MHD_Result h_kiosk_revoke(struct req *r)
{
    static const char *const q[] = {"org", NULL};
    enum MHD_Result res;
    int64_t id;

    if (api_query_check(r, q, &res) != 0 || path_id(r, &id, &res) != 0)
        return res;
    return revoke(r, "kiosk", api_query(r, "org"), id, NULL);
}

enum MHD_Result h_token_list(struct req *r)
{
    enum MHD_Result res;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    return list(r, "token", NULL);
}

enum MHD_Result h_token_revoke(struct req *r)
{
    enum MHD_Result res;
    int64_t id;

    if (api_query_check(r, NULL, &res) != 0 || path_id(r, &id, &res) != 0)
        return res;
    return revoke(r, "token", NULL, id, NULL);
}

enum MHD_Result h_user_list(struct req *r)
{
    enum MHD_Result res;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    return list(r, "user", r->arg[0]);
}

enum MHD_Result h_user_disable(struct req *r)
{
    enum MHD_Result res;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    return revoke(r, "user", r->arg[0], 0, r->arg[1]);
}
