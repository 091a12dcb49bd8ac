/*
 * intent.h: what a payment intent is made of, shared by every storage
 * backend: a fresh payment code with the organisation's prefix and the
 * VietQR payload that asks the payer's bank for exactly that transfer.
 */
#ifndef CHOPAY_SERVER_INTENT_H
#define CHOPAY_SERVER_INTENT_H

#include <jansson.h>
#include <stdint.h>

#include "payref.h"
#include "vietqr.h"

/*
 * The VietQR payload for `amount` đồng to `account` at bank `bin` with
 * `code` as content, into `payload` (VIETQR_MAX_PAYLOAD + 1 bytes).
 * Returns 0 or -1 (with a store error set).
 */
int intent_payload(const char *bin, const char *account, int64_t amount,
                   const char *code, char *payload);

/* {"bin","name","short_name"} for a BIN (name "" when unknown); new ref. */
json_t *intent_bank_json(const char *bin);

/* Format unix time `t` as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). */
void intent_time_iso(int64_t t, char *buf);

#endif
