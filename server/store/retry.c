/*
 * retry.c: an organisation's write runs beside other organisations'
 * writes on PostgreSQL, so the database may lose it to a deadlock (or a
 * serialization failure); nothing of it is kept then, and these entries
 * of the operations table run it again, a few times, before answering
 * the failure.
 */
#include "store_int.h"

/* Answer `call`, run again while the database loses it. */
#define RETRY(call)                                                            \
    do {                                                                       \
        int rc_, tries_ = 1;                                                   \
                                                                               \
        while (sqi_write_lost(rc_ = (call)) && tries_++ < STORE_WRITE_TRIES)   \
            ;                                                                  \
        return rc_;                                                            \
    } while (0)

int sqi_retry_intent_create(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem,
                            const struct store_intent_req *req, int64_t now,
                            struct store_intent *out, char **replay)
{
    RETRY(sq_intent_create(base, who, idem, req, now, out, replay));
}

int sqi_retry_codes_reserve(struct store *base,
                            const struct store_principal *who,
                            const struct store_idem *idem, int count,
                            int64_t now, struct store_codes *out, char **replay)
{
    RETRY(sq_codes_reserve(base, who, idem, count, now, out, replay));
}

int sqi_retry_intent_cancel(struct store *base, int64_t org, int64_t id,
                            const char *actor, int64_t now,
                            struct store_intent *out)
{
    RETRY(sq_intent_cancel(base, org, id, actor, now, out));
}

int sqi_retry_cash_record(struct store *base, const struct store_principal *who,
                          const struct store_idem *idem,
                          const struct store_cash_req *req, int64_t now,
                          struct store_cash *out, char **replay)
{
    RETRY(sq_cash_record(base, who, idem, req, now, out, replay));
}

int sqi_retry_transfer_apply(struct store *base, int64_t org,
                             const struct store_transfer *t, const char *actor,
                             int64_t now, struct store_transfer_made *out)
{
    RETRY(sq_transfer_apply(base, org, t, actor, now, out));
}

int sqi_retry_review(struct store *st, int64_t org, int64_t id,
                     const struct store_review *rv, const char *actor,
                     int64_t now, struct store_bank_txn *out)
{
    RETRY(sqb_review(st, org, id, rv, actor, now, out));
}

int sqi_retry_day_close(struct store *st, int64_t org_id, const char *date,
                        const char *totals, const char *digest,
                        const char *force_reason, const char *actor,
                        int64_t now, struct store_day_closed *out)
{
    RETRY(sqr_day_close(st, org_id, date, totals, digest, force_reason, actor,
                        now, out));
}

int sqi_retry_day_reopen(struct store *st, int64_t org_id, const char *date,
                         const char *reason, const char *actor, int64_t now)
{
    RETRY(sqr_day_reopen(st, org_id, date, reason, actor, now));
}

int sqi_retry_payer_refund(struct store *st, int64_t org_id,
                           const struct store_refund_req *req,
                           const char *actor, int64_t now,
                           struct store_refund *out)
{
    RETRY(sqr_payer_refund(st, org_id, req, actor, now, out));
}
