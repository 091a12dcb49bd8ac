/*
 * audit_list.c: the audit entries as JSON (GET /v1/audit) and as
 * `chopay-server audit list` prints them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "audit_list.h"

json_t *audit_list_json(const struct store_audit_list *l)
{
    json_t *arr = json_array(), *o;
    size_t i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < l->n; i++) {
        const struct store_audit_entry *e = &l->rows[i];
        json_t *d = json_loads(e->detail, 0, NULL);

        if (d == NULL)
            d = json_string(e->detail);
        o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:s, s:i}",
                      "id", (json_int_t)e->id, "at", (json_int_t)e->at, "actor",
                      e->actor, "action", e->action, "org",
                      e->org[0] ? json_string(e->org) : json_null(), "subject",
                      e->subject, "details", d, "prev_hash", e->prev_hash,
                      "hash", e->hash, "encoding", e->encoding);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    o = json_pack("{s:o, s:I}", "entries", arr, "total", (json_int_t)l->total);
    return o;
}

static int usage(const char *msg)
{
    fprintf(stderr, "chopay-server: usage: %s\n", msg);
    return 2;
}

/* Print the entries one a line. */
static void print_lines(const struct store_audit_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct store_audit_entry *e = &l->rows[i];
        time_t t = (time_t)e->at;
        struct tm tm;
        char when[24] = "-";

        if (gmtime_r(&t, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-6lld %s  %-10s %-16s %-22s %s\n", (long long)e->id, when,
               e->org[0] ? e->org : "-", e->actor, e->action, e->subject);
    }
    printf("%zu of %lld entries\n", l->n, (long long)l->total);
}

int audit_list_cmd(const struct srv_config *c, const struct audit_list_args *a)
{
    static const char use[] = "audit list [--org CODE] [--action A]"
                              " [--after ID] [--limit N] [--json]";
    struct store_audit_query q = {0, a->action, 0, 100};
    struct store_audit_list l = {0};
    struct store *st = NULL;
    int rc = 1;

    if (a->after != NULL &&
        api_decimal(a->after, 0, INT64_MAX, &q.after_id) != 0)
        return usage(use);
    if (a->limit != NULL &&
        api_decimal(a->limit, 1, AUDIT_LIST_MAX, &q.limit) != 0)
        return usage(use);
    if (a->action != NULL && (a->action[0] == '\0' || strlen(a->action) > 64))
        return usage(use);
    if (store_open_readonly(c->db, 1, &st) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    if (a->org != NULL && st->ops->org_id(st, a->org, &q.org_id) != 0)
        goto fail;
    if (st->ops->audit_list(st, &q, &l) != 0)
        goto fail;
    if (a->json) {
        json_t *j = audit_list_json(&l);
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

        json_decref(j);
        if (text == NULL) {
            fprintf(stderr, "chopay-server: out of memory\n");
            goto done;
        }
        puts(text);
        free(text);
    } else {
        print_lines(&l);
    }
    rc = fflush(stdout) == 0 ? 0 : 1;
    goto done;
fail:
    fprintf(stderr, "chopay-server: %s\n", store_error_message());
done:
    store_audit_list_free(&l);
    store_close(st);
    return rc;
}
