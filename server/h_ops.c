/*
 * h_ops.c: operations endpoints: /healthz (the store answers) and
 * /metrics (Prometheus text: requests and latency by route, intents by
 * status, payments by method, waiting long polls).
 */
#include <stdlib.h>

#include "api.h"

enum MHD_Result h_healthz(struct req *r)
{
    enum MHD_Result res;
    json_t *stats = NULL;
    int rc;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    rc = r->s->st->ops->stats(r->s->st, &stats);
    if (rc != 0)
        return api_store_error(r, rc);
    json_decref(stats);
    return api_reply_json(r, 200,
                          json_pack("{s:s, s:I}", "status", "ok", "waiting",
                                    (json_int_t)notify_waiting(r->s->nt)));
}

enum MHD_Result h_metrics(struct req *r)
{
    enum MHD_Result res;
    size_t len = 0;
    char *text;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    text = srv_metrics_text(r->s, &len);
    if (text == NULL)
        return api_error(r, 503, "unavailable", "no metrics");
    res = api_reply_text(r, 200, "text/plain; version=0.0.4", text, len);
    free(text);
    return res;
}
