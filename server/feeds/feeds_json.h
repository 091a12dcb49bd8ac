/*
 * feeds_json.h: JSON helpers for the webhook parsers (jansson): loading
 * with limits, typed field access with JSON-path errors, and the
 * canonical serialisations the providers sign. Private to server/feeds/.
 */
#ifndef CHOPAY_FEEDS_JSON_H
#define CHOPAY_FEEDS_JSON_H

#include "feeds_int.h"

#include <jansson.h>

/* Parse a webhook body (<= FEEDS_WEBHOOK_MAX, duplicate keys refused)
 * into *out; the root must be an object. 0 or negated error. */
int fj_load(const char *body, size_t len, json_t **out,
            struct feeds_error *err);

/*
 * Text of obj[key] into dst (cap): a string, or an integer written in
 * decimal. Absent or null gives "" unless `required`. `path` is the
 * object's JSON path for errors. 0 or negated error.
 */
int fj_text(json_t *obj, const char *key, const char *path, int required,
            char *dst, size_t cap, struct feeds_error *err);

/* Same into a malloc'd string (at most FEEDS_DESC_MAX bytes). */
int fj_text_alloc(json_t *obj, const char *key, const char *path, int required,
                  char **dst, struct feeds_error *err);

/*
 * Integer amount obj[key]: a JSON integer, or a string money_parse()
 * accepts. Reals are refused (money is never floating point). *present
 * (may be NULL) says whether the field was there and not null.
 */
int fj_amount(json_t *obj, const char *key, const char *path, int required,
              int64_t *out, int *present, struct feeds_error *err);

/* Date-time field into t->booking_date/t->datetime (default +07:00). */
int fj_datetime(json_t *obj, const char *key, const char *path, int required,
                struct bank_txn *t, struct feeds_error *err);

/* Set t->description to a + "\n" + b (b dropped when empty or equal). */
int fj_join_desc(struct bank_txn *t, const char *a, const char *b,
                 struct feeds_error *err);

/*
 * Serialise v canonically: object keys sorted by bytes, compact.
 * style 0 = JavaScript JSON.stringify, 1 = Python json.dumps (non-ASCII
 * as \uxxxx), 2 = PHP json_encode (as 1, plus "\/"). malloc'd or NULL.
 */
char *fj_canonical(json_t *v, int style);

/* JavaScript String(number) of a real; buf >= 40. */
void fj_js_number(double d, char *buf, size_t cap);

#endif
