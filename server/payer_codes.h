/*
 * payer_codes.h: a kiosk's payer code as people type it ("a 12", "A12",
 * "HS1O") made the code of one payer of the kiosk's organisation, with
 * the same matching the kiosk uses offline (common/paycode.h).
 */
#ifndef CHOPAY_PAYER_CODES_H
#define CHOPAY_PAYER_CODES_H

#include <stddef.h>

#include "api.h"

/*
 * The code of the one active payer of the caller's organisation that
 * `typed` means, into `out` (capacity `cap`). Returns 1 when one fits;
 * otherwise 0 with the reply queued in *res: 404 "payer_not_found" or
 * "ambiguous_code" (several payers fit), each with "suggestions" (the
 * nearest codes, [{"code","name"}]), or 503 when the store failed.
 */
int payer_codes_resolve(struct req *r, const char *typed, char *out, size_t cap,
                        enum MHD_Result *res);

#endif
