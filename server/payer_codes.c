/*
 * payer_codes.c: typed payer codes resolved against the kiosk's
 * organisation (payer_codes.h). Read only when the code as sent names no
 * payer, so an exact code costs nothing more.
 */
#include <stdio.h>
#include <string.h>

#include "paycode.h"
#include "payer_codes.h"

#define SUGGEST_MAX 4

/* The code of the directory's i-th payer (paycode_at_fn). */
static const char *code_at(const void *list, size_t i)
{
    const struct store_directory *d = list;

    return d->payers[i].code ? d->payers[i].code : "";
}

int payer_codes_resolve(struct req *r, const char *typed, char *out, size_t cap,
                        enum MHD_Result *res)
{
    struct store_directory d = {0};
    size_t i, idx[SUGGEST_MAX], n;
    json_t *sug, *body;
    int rc;

    rc = r->s->st->ops->directory(r->s->st, r->who.org_id, &d);
    if (rc != 0) {
        *res = api_store_error(r, rc);
        return 0;
    }
    rc = paycode_find(typed, code_at, &d, d.n_payers, &i);
    if (rc == 0 && strlen(d.payers[i].code) < cap) {
        snprintf(out, cap, "%s", d.payers[i].code);
        store_directory_free(&d);
        return 1;
    }
    sug = json_array();
    n = paycode_suggest(typed, code_at, &d, d.n_payers, idx, SUGGEST_MAX);
    for (size_t k = 0; k < n; k++)
        json_array_append_new(
            sug, json_pack("{s:s, s:s}", "code", d.payers[idx[k]].code, "name",
                           d.payers[idx[k]].name ? d.payers[idx[k]].name : ""));
    if (rc == -PAYCODE_E_AMBIGUOUS)
        body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code",
                         "ambiguous_code", "message",
                         "more than one payer has a code like this; type "
                         "the whole code",
                         "suggestions", sug);
    else
        body =
            json_pack("{s:{s:s, s:s, s:o}}", "error", "code", "payer_not_found",
                      "message", "no payer has this code", "suggestions", sug);
    store_directory_free(&d);
    *res = api_reply_json(r, 404, body);
    return 0;
}
