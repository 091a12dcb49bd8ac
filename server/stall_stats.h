/*
 * stall_stats.h: the shopper side of the adoption statistics (stalls'
 * own feeds), added to srv_report_adoption's JSON and CSV answers.
 */
#ifndef CHOPAY_SERVER_STALL_STATS_H
#define CHOPAY_SERVER_STALL_STATS_H

#include <jansson.h>
#include <stddef.h>

#include "srv_report.h"
#include "store.h"

/*
 * Add "shopper_side" to adoption answer `doc` for the scope and days of
 * `rq`: the totals, by_org, by_province and by_day. 0 or a negated
 * store error.
 */
int stall_stats_json(struct store *st, const struct srv_adoption_req *rq,
                     json_t *doc);

/*
 * Append the shopper side to the CSV export *out of *len bytes (a new
 * buffer replaces it, the old one freed), with Vietnamese headings and
 * rq->sep between fields. 0 or a negated store error (*out unchanged).
 */
int stall_stats_csv(struct store *st, const struct srv_adoption_req *rq,
                    char **out, size_t *len);

#endif
