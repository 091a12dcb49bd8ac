/*
 * h_audit.c: GET /v1/audit?org=&action=&after=&limit=: the audit log's
 * entries, oldest first. An admin reads every entry; a board or auditor
 * token only those concerning its own organisation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit_list.h"

/* A decimal query argument within [min, max] into *out (left alone when
 * absent); -1 with a 400 `code` queued in *res when it is not. */
static int query_number(struct req *r, const char *name, int64_t min,
                        int64_t max, const char *code, int64_t *out,
                        enum MHD_Result *res)
{
    const char *s = api_query(r, name);

    if (s == NULL || api_decimal(s, min, max, out) == 0)
        return 0;
    *res = api_error(r, 400, code, "%s: a whole number from %lld to %lld", name,
                     (long long)min, (long long)max);
    return -1;
}

/* 1 when `s` looks like an audit action: [a-z0-9._]{1,64}. */
static int action_ok(const char *s)
{
    size_t n = strlen(s);

    return n >= 1 && n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._") == n;
}

enum MHD_Result h_audit_list(struct req *r)
{
    static const char *const allowed[] = {"org", "action", "after", "limit",
                                          NULL};
    struct store_audit_query q = {0, NULL, 0, 100};
    struct store_audit_list l = {0};
    const char *org = api_query(r, "org");
    enum MHD_Result res;
    json_t *j;
    int rc;

    if (api_query_check(r, allowed, &res) != 0)
        return res;
    q.action = api_query(r, "action");
    if (q.action != NULL && !action_ok(q.action))
        return api_error(r, 400, "bad_action",
                         "action: 1-64 of a-z, 0-9, '.', '_'");
    if (query_number(r, "after", 0, INT64_MAX, "bad_after", &q.after_id,
                     &res) != 0 ||
        query_number(r, "limit", 1, AUDIT_LIST_MAX, "bad_limit", &q.limit,
                     &res) != 0)
        return res;
    if (org != NULL) {
        if (!api_code_ok(org, 2, 16))
            return api_error(r, 400, "bad_org", "org: an organisation code");
        snprintf(r->arg[0], sizeof(r->arg[0]), "%s", org);
        if (api_org_scope(r, &q.org_id, &res) != 0)
            return res;
    } else {
        q.org_id = r->who.org_id; /* 0 for an admin: every entry */
    }
    rc = r->s->st->ops->audit_list(r->s->st, &q, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    j = audit_list_json(&l);
    store_audit_list_free(&l);
    if (j == NULL)
        return api_error(r, 500, "out_of_memory", "out of memory");
    return api_reply_json(r, 200, j);
}
