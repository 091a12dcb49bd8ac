/*
 * offline.h: what the kiosk keeps on disk so it works through an outage:
 * the cached directory, the payment codes reserved ahead from the server,
 * and the journal of cash records and offline intents (append-only JSON
 * lines, fsync'd) that is replayed exactly once when the server is back.
 */
#ifndef CHOPAY_KIOSK_OFFLINE_H
#define CHOPAY_KIOSK_OFFLINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct kiosk_directory;

enum offline_error {
    OFFLINE_OK = 0,
    OFFLINE_E_IO,    /* a file could not be read or written */
    OFFLINE_E_PARSE, /* the content is not what we wrote */
    OFFLINE_E_EMPTY, /* nothing there (no code left, no record) */
    OFFLINE_E_NOMEM,
    OFFLINE_E_AMBIGUOUS /* a typed code fits more than one payer */
};

/* Make `dir` (and parents) if missing; 0 or -OFFLINE_E_IO. */
int offline_mkdirs(const char *dir);
/*
 * Replace `dir`/`name` with `len` bytes atomically (temp file, fsync,
 * rename, fsync of the folder). 0 or -OFFLINE_E_IO.
 */
int offline_write_atomic(const char *dir, const char *name, const void *data,
                         size_t len);
/* Read `dir`/`name` (at most 16 MiB) into a new NUL-terminated buffer. */
int offline_read(const char *dir, const char *name, char **out, size_t *len);

/*
 * Parse a directory reply (GET /v1/kiosk/directory) into `d`, replacing
 * its content. 0 or -OFFLINE_E_PARSE / -OFFLINE_E_NOMEM (`d` untouched).
 */
int offline_dir_parse(const char *json, size_t len, struct kiosk_directory *d);
/* Free what offline_dir_parse allocated. */
void offline_dir_free(struct kiosk_directory *d);

/*
 * The payer in `d` that the typed code means (paycode_find: exactly,
 * else as people type it, "a 12" for A-12, "HS1O" for HS10).
 * Its index into d->payers in *index; -OFFLINE_E_EMPTY when no payer fits,
 * -OFFLINE_E_AMBIGUOUS when several do (*index untouched on error).
 */
int offline_dir_find(const struct kiosk_directory *d, const char *typed,
                     size_t *index);
/*
 * Payers of `d` whose codes are near the typed one, closest first
 * (paycode_suggest). Up to `max` indexes into d->payers in
 * `out`; returns how many.
 */
size_t offline_dir_suggest(const struct kiosk_directory *d, const char *typed,
                           size_t *out, size_t max);

/*
 * Append `rec` as one line to `dir`/journal.jsonl and fsync it (and the
 * folder when the file is new). A torn last line from a crash is closed
 * first so it cannot swallow this record. 0 or -OFFLINE_E_IO.
 */
int journal_append(const char *dir, const json_t *rec);
/*
 * The oldest "cash" or "intent" record without a "sent" record for its
 * key, as a new reference in *rec; -OFFLINE_E_EMPTY when none.
 */
int journal_next_pending(const char *dir, json_t **rec);
/*
 * Cash the server refused for its collector's PIN (a "needs_pin" record
 * after it, appended on a 401/403 "bad_pin"): kept, never resent until a
 * "pin" record ({"t":"pin","key","pin"}) brings a PIN typed again. The
 * oldest such record in *rec (a new reference; "pin" the last PIN tried,
 * "refused" the "needs_pin" record), how many wait in *count;
 * -OFFLINE_E_EMPTY when none. journal_next_pending skips them, and hands
 * a record that has "pin" records with the last one's PIN in "pin".
 */
int journal_next_needs_pin(const char *dir, json_t **rec, int *count);
/* Has the record with `key` been sent? 1 yes, 0 no. */
int journal_is_sent(const char *dir, const char *key);
/*
 * Totals of records at or after unix time `since`: confirmed transfers,
 * cash, and how many records still wait to be sent.
 */
int journal_totals(const char *dir, int64_t since, int64_t *transfer,
                   int64_t *cash, int *pending);

/* The journal's figures for one day (journal_sums). */
struct journal_sums {
    int64_t transfer;     /* confirmed transfers ("paid" records), đồng */
    int n_transfer;       /* how many */
    int64_t cash;         /* cash records not rejected, đồng */
    int n_cash;           /* how many */
    int pending;          /* cash/intent records not yet sent (any day) */
    int needs_pin;        /* of them, cash waiting for its collector's PIN */
    int64_t pending_cash; /* the cash among them, đồng (any day) */
};
/*
 * Sum the records stamped in [since, until) (unix seconds) into *out;
 * `pending` and `pending_cash` count every unsent record whatever its
 * stamp. 0, -OFFLINE_E_NOMEM or -OFFLINE_E_PARSE (sums overflow);
 * *out untouched on error.
 */
int journal_sums(const char *dir, int64_t since, int64_t until,
                 struct journal_sums *out);

/*
 * Rewrite the journal (atomically) keeping only what is still needed:
 * records not yet sent, and everything from unix time `since` on (the
 * day's totals) with the markers of the records kept; a sent record's
 * collector PIN is dropped. Returns the number
 * of records dropped (>= 0) or a negated enum offline_error.
 */
int journal_compact(const char *dir, int64_t since);

/*
 * Unix time of the start of the Vietnam calendar day (UTC+7 all year, as
 * chopay-server counts days) holding unix time `t`.
 */
int64_t offline_day_start(int64_t t);
/* That day of unix time `t` as YYYY-MM-DD (11 bytes with the NUL). */
void offline_day(int64_t t, char out[11]);

/* How many reserved payment codes are left. */
int codes_count(const char *dir);
/* Add reserved codes (a JSON array of strings or {"code":..}). */
int codes_add(const char *dir, const json_t *codes);
/*
 * Take (and remove, durably, before returning) the first reserved code
 * into `out` (capacity `cap`). -OFFLINE_E_EMPTY when none is left.
 */
int codes_take(const char *dir, char *out, size_t cap);

#endif
