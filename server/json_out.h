/*
 * json_out.h: JSON text written straight into a growable buffer, for the
 * answers built on every request (a kiosk's dues) where a tree of jansson
 * values would only be built to be printed. Strings come out as
 * json_dumps(JSON_COMPACT) prints them; text that is not valid UTF-8
 * comes out as null, as api_json.c's text() makes it.
 */
#ifndef CHOPAY_SERVER_JSON_OUT_H
#define CHOPAY_SERVER_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

struct json_out {
    char *p;         /* the text, NUL-terminated; NULL before the first */
    size_t len, cap; /* its length and capacity */
    int failed;      /* 1 once an allocation failed */
};

/* Append raw text `s` (a key with its quotes and colon, a brace). */
void jo_raw(struct json_out *o, const char *s);
/* Append `s` as a JSON string (null for NULL or invalid UTF-8). */
void jo_str(struct json_out *o, const char *s);
/* Append `v` as a JSON integer. */
void jo_int(struct json_out *o, int64_t v);
/* The text (caller frees) and its length, or NULL after a failure. */
char *jo_finish(struct json_out *o, size_t *len);

#endif
