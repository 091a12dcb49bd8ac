/*
 * journal_list.c: `chopay-server journal list`, the webhook journal as
 * store_ops.journal_list reads it, one a line or as JSON.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "journal_list.h"
#include "store.h"

static int usage(void)
{
    fprintf(stderr, "chopay-server: usage: journal list [--state S]"
                    " [--provider P] [--after ID] [--limit N] [--json]\n");
    return 2;
}

/* 1 when `s` is one of the NULL-terminated `words`. */
static int one_of(const char *s, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strcmp(s, *words) == 0)
            return 1;
    return 0;
}

/* The entries of `l` as the --json answer; NULL when memory ran out. */
static json_t *list_json(const struct store_journal_list *l)
{
    json_t *arr = json_array(), *o;
    size_t i;

    if (arr == NULL)
        return NULL;
    for (i = 0; i < l->n; i++) {
        const struct store_journal_entry *e = &l->rows[i];
        json_t *h = json_loads(e->headers, 0, NULL);

        o = json_pack(
            "{s:I, s:s, s:o, s:I, s:s, s:s, s:s, s:o, s:I, s:o}", "id",
            (json_int_t)e->id, "provider", e->provider, "org",
            e->org[0] ? json_string(e->org) : json_null(), "received_at",
            (json_int_t)e->received_at, "verified", e->verified, "state",
            e->state, "detail", e->detail, "headers", h ? h : json_object(),
            "body_bytes", (json_int_t)e->body_bytes, "processed_at",
            e->processed_at ? json_integer(e->processed_at) : json_null());
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return json_pack("{s:o, s:I}", "entries", arr, "total",
                     (json_int_t)l->total);
}

static void print_lines(const struct store_journal_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        const struct store_journal_entry *e = &l->rows[i];
        time_t t = (time_t)e->received_at;
        struct tm tm;
        char when[24] = "-";

        if (gmtime_r(&t, &tm) != NULL)
            strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
        printf("%-6lld %s  %-8s %-10s %-9s %-12s %lld bytes%s%s\n",
               (long long)e->id, when, e->provider, e->org[0] ? e->org : "-",
               e->state, e->verified, (long long)e->body_bytes,
               e->detail[0] ? "  " : "", e->detail);
    }
    printf("%zu of %lld entries\n", l->n, (long long)l->total);
}

int journal_list_cmd(const struct srv_config *c,
                     const struct journal_list_args *a)
{
    static const char *const states[] = {"received", "processed", "rejected",
                                         "invalid", NULL};
    static const char *const providers[] = {"sepay", "casso", "payos",
                                            "generic", NULL};
    struct store_journal_query q = {a->state, a->provider, 0, 100};
    struct store_journal_list l = {0};
    struct store *st = NULL;
    int rc = 1;

    if ((a->state != NULL && !one_of(a->state, states)) ||
        (a->provider != NULL && !one_of(a->provider, providers)) ||
        (a->after != NULL &&
         api_decimal(a->after, 0, INT64_MAX, &q.after_id)) ||
        (a->limit != NULL && api_decimal(a->limit, 1, 1000, &q.limit)))
        return usage();
    if (store_open_readonly(c->db, 1, &st) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        return 1;
    }
    if (st->ops->journal_list(st, &q, &l) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        goto done;
    }
    if (a->json) {
        json_t *j = list_json(&l);
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
done:
    store_journal_list_free(&l);
    store_close(st);
    return rc;
}
