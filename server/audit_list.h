/*
 * audit_list.h: the audit log as operators read it, shared by
 * GET /v1/audit (h_audit.c) and `chopay-server audit list`: the JSON of
 * a store_audit_list and the command that prints it.
 */
#ifndef CHOPAY_SERVER_AUDIT_LIST_H
#define CHOPAY_SERVER_AUDIT_LIST_H

#include <jansson.h>

#include "store.h"

/* The largest page of entries one request or command reads. */
#define AUDIT_LIST_MAX 1000

/*
 * {"entries": [{id, at, actor, action, org (code or null), subject,
 * details (the entry's JSON object), prev_hash, hash, encoding}],
 * "total": N} of `l` as a new object; NULL when memory ran out.
 */
json_t *audit_list_json(const struct store_audit_list *l);

/* Options of `chopay-server audit list`. */
struct audit_list_args {
    const char *org;    /* --org CODE or NULL */
    const char *action; /* --action A or NULL */
    const char *after;  /* --after ID or NULL */
    const char *limit;  /* --limit N or NULL (100) */
    int json;           /* --json: the endpoint's JSON */
};

struct srv_config;

/*
 * `chopay-server audit list`: the entries of the store of config `c` that
 * `a` asks for, one a line (id, time UTC, organisation, actor, action,
 * subject) or as JSON; returns the exit status (0, 1 failure, 2 usage).
 */
int audit_list_cmd(const struct srv_config *c, const struct audit_list_args *a);

#endif
