/*
 * store_refund.h: refunds of payer credit in the SQLite backend:
 * migration 5 and the payer_refund store operation. Private to server/.
 */
#ifndef CHOPAY_SERVER_STORE_REFUND_H
#define CHOPAY_SERVER_STORE_REFUND_H

#include <jansson.h>
#include <stdint.h>

#include "store.h"

/* Migration 5: refunds and the payments each one draws on. */
extern const char *const sqi_migration5[];

/* store_ops.payer_refund for the SQLite backend. */
int sqr_payer_refund(struct store *st, int64_t org_id,
                     const struct store_refund_req *req, const char *actor,
                     int64_t now, json_t **out);

#endif
