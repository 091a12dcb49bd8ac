/*
 * stall_feeds.h: a vendor's own payment feed. A stall (a payer with its
 * own bank account) links the notification service of that account with
 * the vendor's consent; its notifications are counted for the vendor
 * (amount, time, a keyed hash of the bank's reference) and announced to
 * the holder of the stall key, never matched to the board's invoices. The
 * board reads only daily aggregates. Implemented in
 * server/store/stall_feeds.c over the store's connections.
 */
#ifndef CHOPAY_SERVER_STALL_FEEDS_H
#define CHOPAY_SERVER_STALL_FEEDS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STALL_SECRET_MAX 256 /* a provider secret, with NUL */
#define STALL_KEY_MAX    64  /* a stall key, with NUL */

/* What linking a feed made; the secrets are shown only this once. */
struct stall_link {
    int64_t feed_id;                 /* the feed, in its webhook path */
    char provider[16];               /* sepay, casso, payos, generic */
    char api_key[STALL_SECRET_MAX];  /* "" when the provider takes none */
    char hmac_key[STALL_SECRET_MAX]; /* "" when the provider takes none */
    char stall_key[STALL_KEY_MAX];   /* the vendor's key (hashed at rest) */
};

/*
 * Link a feed for payer `payer` of `org_id` from `provider` with the
 * consent of `consent_by` (a person's name), recorded with `now` and
 * audited (stall.feed.link) as `actor`. `api_key` / `hmac_key` (NULL or
 * "": made here) are secrets the provider issued; a provider's other
 * secret is left empty. A feed already linked for the stall is replaced
 * (its details deleted as by stall_feed_unlink). -STORE_E_NOT_FOUND (no
 * such payer), -STORE_E_CONFLICT "no_stall_account" (the stall has no
 * bank account of its own) or another store error.
 */
int stall_feed_link(struct store *st, int64_t org_id, const char *payer,
                    const char *provider, const char *consent_by,
                    const char *api_key, const char *hmac_key,
                    const char *actor, int64_t now, struct stall_link *out);

/*
 * Unlink payer `payer`'s feed: collection stops, its stall key and
 * secrets are forgotten and its payments deleted (the daily aggregates
 * stay); audited (stall.feed.unlink). *deleted gets how many payments
 * went. -STORE_E_NOT_FOUND when the stall has no linked feed.
 */
int stall_feed_unlink(struct store *st, int64_t org_id, const char *payer,
                      const char *actor, int64_t now, int64_t *deleted);

/* A linked feed as its webhook needs it. */
struct stall_feed {
    int64_t id;                     /* feed id */
    int64_t org_id;                 /* the market */
    int64_t payer_id;               /* the stall */
    char provider[16];              /* the provider it takes */
    char api_key[STALL_SECRET_MAX]; /* its secrets */
    char hmac_key[STALL_SECRET_MAX];
    char ref_key[65]; /* key of the references' hashes */
    char account[72]; /* the stall's own account */
};

/* The linked feed `id` into *out; -STORE_E_NOT_FOUND when none (never
 * linked or unlinked). */
int stall_feed_get(struct store *st, int64_t id, struct stall_feed *out);

/*
 * Count one payment of `amount` đồng received at `now` on feed `f`,
 * known by `ref_hash` (hex HMAC of the bank's reference under
 * f->ref_key): committed (on disk) before it returns, with the stall's
 * day aggregate, and the long polls of the feed woken. *id gets the
 * payment's id, or 0 when the same reference was counted already.
 */
int stall_feed_add(struct store *st, const struct stall_feed *f, int64_t amount,
                   const char *ref_hash, int64_t now, int64_t *id);

/* The active feed whose stall key hashes to `key_hash` (hex SHA-256)
 * into *feed_id; -STORE_E_NOT_FOUND when none. */
int stall_feed_auth(struct store *st, const char *key_hash, int64_t *feed_id);

/* One payment as announced to the vendor. */
struct stall_announcement {
    int64_t id;     /* increasing */
    int64_t amount; /* đồng */
    int64_t at;     /* unix seconds received */
};

/* Feed `feed_id`'s payments after id `after`, oldest first, at most
 * `cap` into `out`, their count into *n. */
int stall_announcements(struct store *st, int64_t feed_id, int64_t after,
                        struct stall_announcement *out, size_t cap, size_t *n);

/* A stall's feed and daily aggregates, as the board sees them. */
struct stall_day {
    char day[11];     /* YYYY-MM-DD */
    int64_t stalls;   /* stalls paid that day (1 for one stall's row) */
    int64_t payments; /* count */
    int64_t amount;   /* đồng */
};

struct stall_summary {
    int linked;             /* 1: a feed is linked now */
    char provider[16];      /* its provider ("" when none) */
    char consent_by[128];   /* who consented */
    int64_t consent_at;     /* when */
    struct stall_day *days; /* the days from..to with payments */
    size_t n;               /* count */
};

/* Payer `payer`'s summary for days `from`..`to` (YYYY-MM-DD) into *out
 * (free with stall_summary_free). */
int stall_summary_get(struct store *st, int64_t org_id, const char *payer,
                      const char *from, const char *to,
                      struct stall_summary *out);
void stall_summary_free(struct stall_summary *s);

/* One stall as the shopper side of the adoption statistics sees it. */
struct stall_side {
    int64_t payer_id;  /* the stall */
    int64_t org_id;    /* its market */
    char org[20];      /* the market's code */
    char province[96]; /* the market's province */
    char code[33];     /* the stall's code */
    char zone[64];     /* its zone */
    int standee;       /* 1: a standee was produced */
    int linked;        /* 1: a feed is linked now */
    int64_t payments;  /* shopper payments in the period */
    int64_t amount;    /* their value, đồng */
    int64_t days;      /* days with at least one */
};

/*
 * The active payers of the markets (schools have no stalls) of `org_id`
 * (0: all) of `province` (NULL: any) with
 * their shopper side over days `from`..`to`, by payer id, into *rows
 * (malloc'd, *n of them; the caller frees it).
 */
int stall_sides(struct store *st, int64_t org_id, const char *province,
                const char *from, const char *to, struct stall_side **rows,
                size_t *n);

/* The days `from`..`to` with shopper payments at the stalls of
 * `org_id` (0: all) of `province` (NULL: any), summed per day, oldest
 * first, into *rows (malloc'd, *n of them; the caller frees it). */
int stall_day_totals(struct store *st, int64_t org_id, const char *province,
                     const char *from, const char *to, struct stall_day **rows,
                     size_t *n);

#endif
