/*
 * h_collectors.c: an organisation's collectors (who take cash at its
 * kiosks): the board adds, lists and disables them, each with a PIN of
 * their own; and the PIN check that ties a cash record to its collector.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "dash.h"

/* wrong PINs in a row that lock a collector, and for how long */
#define COLLECTOR_PIN_LIMIT 5
#define COLLECTOR_LOCK_SECS 900

int collector_pin_ok(const char *pin)
{
    size_t n = pin ? strlen(pin) : 0, i;

    if (n < 4 || n > 8)
        return 0;
    for (i = 0; i < n; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return 0;
    return 1;
}

/* 401 bad_pin with how many wrong PINs are left before the lock */
static enum MHD_Result bad_pin(struct req *r, int64_t left)
{
    return api_reply_json(
        r, 401,
        json_pack("{s:{s:s, s:s, s:I}}", "error", "code", "bad_pin", "message",
                  "Mã PIN của người thu không đúng. / The collector's PIN is "
                  "wrong.",
                  "attempts_left", (json_int_t)(left > 0 ? left : 0)));
}

static enum MHD_Result locked(struct req *r)
{
    return api_error(r, 403, "bad_pin",
                     "Người thu này tạm bị khoá vì nhập sai mã PIN nhiều "
                     "lần; thử lại sau. / This collector is locked after "
                     "wrong PINs; try again later.");
}

int collector_identify(struct req *r, const char *name, const char *pin,
                       char *out, size_t cap, enum MHD_Result *res)
{
    struct store *st = r->s->st;
    struct store_collector_list l = {NULL, 0};
    struct store_collector *named = NULL, *hit = NULL;
    int64_t now = (int64_t)time(NULL);
    size_t i, active = 0;
    int rc;

    rc = st->ops->collector_list(st, r->who.org_id, 1, &l);
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return -1;
    }
    for (i = 0; i < l.n; i++) {
        if (!l.rows[i].active)
            continue;
        active++;
        if (name != NULL && strcmp(l.rows[i].name, name) == 0)
            named = &l.rows[i];
    }
    if (active == 0) {
        store_collector_list_free(&l);
        return 0;
    }
    rc = -1;
    if (pin == NULL || pin[0] == '\0') {
        *res = api_error(r, 401, "bad_pin",
                         "Cần mã PIN của người thu. / The collector's PIN "
                         "is needed.");
        goto out;
    }
    if (named != NULL && named->locked_until > now) {
        *res = locked(r);
        goto out;
    }
    /* the named collector's PIN, or else whose PIN it is */
    for (i = 0; collector_pin_ok(pin) && hit == NULL && i < l.n; i++) {
        struct store_collector *e = &l.rows[i];

        if (!e->active || (named != NULL && e != named))
            continue;
        if (dash_pw_verify(pin, e->pin_hash) == 1)
            hit = e;
    }
    if (hit != NULL && hit->locked_until > now) {
        /* the PIN of a collector locked a while: it stays locked */
        *res = locked(r);
        goto out;
    }
    if (hit == NULL) {
        int64_t left = COLLECTOR_PIN_LIMIT;

        /* a wrong PIN counts against the collector it was meant for: the
           named one, or (unnamed) every one it could have been */
        for (i = 0; i < l.n; i++) {
            struct store_collector *e = &l.rows[i];
            int64_t failed;

            if (!e->active || e->locked_until > now ||
                (named != NULL && e != named))
                continue;
            /* a lock that ran out starts the count afresh */
            failed = e->locked_until != 0 ? 1 : e->failures + 1;
            if (COLLECTOR_PIN_LIMIT - failed < left)
                left = COLLECTOR_PIN_LIMIT - failed;
            if (st->ops->collector_attempt(st, r->who.org_id, e->name, 0, now,
                                           COLLECTOR_PIN_LIMIT,
                                           COLLECTOR_LOCK_SECS) != 0) {
                *res = api_store_error(r, -STORE_E_IO);
                goto out;
            }
        }
        api_log(5, "event=collector_bad_pin who=%s collector=\"%s\"",
                r->who.actor, named ? named->name : "");
        *res = bad_pin(r, left);
        goto out;
    }
    if (hit->failures > 0 &&
        st->ops->collector_attempt(st, r->who.org_id, hit->name, 1, now,
                                   COLLECTOR_PIN_LIMIT,
                                   COLLECTOR_LOCK_SECS) != 0) {
        *res = api_store_error(r, -STORE_E_IO);
        goto out;
    }
    snprintf(out, cap, "%s", hit->name);
    rc = 1;
out:
    store_collector_list_free(&l);
    return rc;
}

int collector_any(struct req *r)
{
    struct store_collector_list l = {NULL, 0};
    size_t i;
    int any = 0;

    if (r->s->st->ops->collector_list(r->s->st, r->who.org_id, 1, &l) != 0)
        return -1;
    for (i = 0; i < l.n; i++)
        any |= l.rows[i].active;
    store_collector_list_free(&l);
    return any;
}

/* POST /v1/kiosk/collector {"pin"}: whose PIN it is, recording nothing */
enum MHD_Result h_kiosk_collector(struct req *r)
{
    static const struct api_field fields[] = {
        {"pin", T_STR, 1, 16},
        {NULL, 0, 0, 0},
    };
    enum MHD_Result res;
    json_t *b = NULL;
    char who[65];
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    rc = collector_identify(r, NULL, api_str(b, "pin"), who, sizeof(who), &res);
    if (rc == 0)
        res = api_reply_json(r, 200, json_pack("{s:n}", "collector"));
    else if (rc == 1)
        res = api_reply_json(r, 200, json_pack("{s:s}", "collector", who));
    json_decref(b);
    return res;
}

/* POST /v1/orgs/{org}/collectors {"name", "pin"} */
enum MHD_Result h_collector_add(struct req *r)
{
    static const struct api_field fields[] = {
        {"name", T_STR, 1, 64},
        {"pin", T_STR, 1, 16},
        {NULL, 0, 0, 0},
    };
    char hash[DASH_PW_MAX];
    enum MHD_Result res;
    json_t *b = NULL;
    const char *name, *pin;
    int64_t org;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    if (api_body(r, fields, &b, &res) != 0)
        return res;
    name = api_str(b, "name");
    pin = api_str(b, "pin");
    if (name == NULL || name[0] == '\0' || !collector_pin_ok(pin)) {
        res = api_error(r, 400, "invalid_field",
                        "name: 1-64 characters; pin: 4-8 digits");
        goto out;
    }
    if (dash_pw_hash(pin, hash, sizeof(hash)) != 0) {
        res = api_error(r, 500, "internal", "could not hash the PIN");
        goto out;
    }
    rc = r->s->st->ops->collector_add(r->s->st, org, name, hash, r->who.actor,
                                      (int64_t)time(NULL));
    if (rc != 0) {
        res = api_store_error(r, rc);
        goto out;
    }
    res = api_reply_json(r, 201,
                         json_pack("{s:s, s:b}", "name", name, "active", 1));
out:
    json_decref(b);
    return res;
}

/* GET /v1/orgs/{org}/collectors: never a PIN or its hash */
enum MHD_Result h_collector_list(struct req *r)
{
    struct store_collector_list l = {NULL, 0};
    enum MHD_Result res;
    json_t *a;
    int64_t org, now = (int64_t)time(NULL);
    size_t i;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    rc = r->s->st->ops->collector_list(r->s->st, org, 0, &l);
    if (rc != 0)
        return api_store_error(r, rc);
    a = json_array();
    for (i = 0; a != NULL && i < l.n; i++)
        json_array_append_new(
            a,
            json_pack("{s:s, s:b, s:b, s:I}", "name", l.rows[i].name, "active",
                      l.rows[i].active, "locked", l.rows[i].locked_until > now,
                      "created_at", (json_int_t)l.rows[i].created_at));
    store_collector_list_free(&l);
    return api_reply_json(r, 200, json_pack("{s:o}", "collectors", a));
}

/* POST /v1/orgs/{org}/collectors/{name}/disable */
enum MHD_Result h_collector_disable(struct req *r)
{
    enum MHD_Result res;
    int64_t org;
    int rc;

    if (api_query_check(r, NULL, &res) != 0 ||
        api_org_scope(r, &org, &res) != 0)
        return res;
    rc = r->s->st->ops->collector_disable(r->s->st, org, r->arg[1],
                                          r->who.actor, (int64_t)time(NULL));
    if (rc != 0)
        return api_store_error(r, rc);
    return api_reply_json(
        r, 200, json_pack("{s:s, s:b}", "name", r->arg[1], "active", 0));
}
