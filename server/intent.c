/*
 * intent.c: payment codes and VietQR payloads for payment intents, built
 * with the common library (payref, vietqr, bank), so that every storage
 * backend makes them the same way.
 */
#include <stdio.h>
#include <time.h>

#include "bank.h"
#include "intent.h"
#include "store.h"

int intent_payload(const char *bin, const char *account, int64_t amount,
                   const char *code, char *payload)
{
    struct vietqr_request req = {0};
    int rc;

    req.bin = bin;
    req.account = account;
    req.service = VIETQR_TO_ACCOUNT;
    req.amount = amount;
    req.content = code;
    rc = vietqr_encode(&req, payload, VIETQR_MAX_PAYLOAD + 1);
    if (rc != 0) {
        store_set_error("vietqr", "cannot encode the VietQR payload: %s",
                        vietqr_error_message((enum vietqr_error) - rc));
        return -1;
    }
    return 0;
}

json_t *intent_bank_json(const char *bin)
{
    const struct bank *b = bank_by_bin(bin);

    return json_pack("{s:s, s:s, s:s}", "bin", bin, "name", b ? b->name : "",
                     "short_name", b ? b->short_name : "");
}

void intent_time_iso(int64_t t, char *buf)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
