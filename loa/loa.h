/*
 * loa.h: chopay-loa, the stall's payment speaker. It long-polls the
 * server for the stall's new payments and says each one aloud ("Đã nhận
 * một trăm hai mươi lăm nghìn đồng") from recorded word clips. Shared
 * declarations of its three parts: clips.c (words to sound), feed.c (the
 * announcements endpoint) and main.c (configuration, state, the loop).
 */
#ifndef CHOPAY_LOA_H
#define CHOPAY_LOA_H

#include <stddef.h>
#include <stdint.h>

#define LOA_PATH_MAX  512
#define LOA_MAX_CLIPS 64 /* clips in one announcement */

/* --- clips.c ---------------------------------------------------------- */

struct clips;

/*
 * Load every clip from `dir` (WAV, 16 kHz mono signed 16-bit) and scale
 * them to `volume` percent (0..100). On success *out gets the set (free
 * with clips_free()) and 0 is returned; otherwise -1 and `err` (capacity
 * err_cap) names the file and the problem.
 */
int clips_load(const char *dir, int volume, struct clips **out, char *err,
               size_t err_cap);

/* Free a clip set; clips_free(NULL) does nothing. */
void clips_free(struct clips *c);

/*
 * The clip names for the announcement of `amount` đồng: "beep",
 * "da-nhan", then one clip per word of vnwords_amount(). Writes up to
 * `max` names (static strings) to `names`; returns how many, or -1 when
 * a word has no clip or there are more than `max`.
 */
int clips_announcement(int64_t amount, const char **names, int max);

/*
 * Play the named clips one after another on the default audio device
 * (opened for this announcement and closed after it), and return when
 * the last one has been played. Returns 0, or -1 when there is no audio
 * device (err says why) or a name is unknown.
 */
int clips_play(struct clips *c, const char *const *names, int n, char *err,
               size_t err_cap);

/* --- feed.c ----------------------------------------------------------- */

/* One announcement as the server sent it. */
struct feed_item {
    int64_t id;     /* increasing per stall, > 0 */
    int64_t amount; /* đồng, 1..MONEY_MAX */
    int64_t at;     /* when the payment arrived, unix seconds */
};

/* The answer to one poll. */
struct feed_reply {
    long status;             /* HTTP status, 0 when none arrived */
    int64_t server_now;      /* the Date header (unix seconds), 0 if none */
    struct feed_item *items; /* malloc'd, sorted by id; NULL when n == 0 */
    size_t n;                /* number of items */
    size_t skipped;          /* malformed entries left out */
    int64_t max_id;          /* the largest id seen, malformed ones included */
    char err[160];           /* what went wrong, "" when status is 200 */
};

/*
 * GET URL/v1/stall/announcements?after=AFTER&wait=WAIT with the stall
 * key as bearer token. Returns 0 when a 200 with a valid body arrived
 * (reply filled, free its items with free()), -1 otherwise (reply->status
 * and reply->err say why). `stop` (may be NULL) is checked while waiting:
 * when it becomes non-zero the request is abandoned.
 */
int feed_poll(const char *url, const char *key, int64_t after, int wait,
              volatile int *stop, struct feed_reply *reply);

/*
 * Parse a body {"announcements":[{"id","amount","at",...}]} into reply
 * (items, n, skipped, max_id); "at" is unix seconds or an RFC 3339 UTC
 * time ("2026-12-07T17:30:00Z"). Returns 0, or -1 when the body is not
 * that object.
 */
int feed_parse(const char *body, size_t len, struct feed_reply *reply);

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+00:00)" to unix seconds; 0 or -1. */
int feed_parse_time(const char *s, int64_t *out);

#endif
