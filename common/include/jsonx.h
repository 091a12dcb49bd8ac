/*
 * jsonx.h: the few jansson helpers the server and the `chopay` tool would
 * otherwise repeat: parsing a request body under size and depth limits,
 * typed access to fields with precise errors, rejecting unknown fields,
 * and compact dumping.
 */
#ifndef CHOPAY_JSONX_H
#define CHOPAY_JSONX_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define JSONX_NO_LIMIT ((size_t)-1) /* for max_size, max_depth, max_len */

enum jsonx_code {
    JSONX_OK = 0,
    JSONX_E_TOO_BIG,    /* text longer than max_size */
    JSONX_E_TOO_DEEP,   /* arrays/objects nested deeper than max_depth */
    JSONX_E_SYNTAX,     /* not JSON (jansson's reason, with position) */
    JSONX_E_NOT_OBJECT, /* the top level is not an object */
    JSONX_E_MISSING,    /* a required field is absent */
    JSONX_E_TYPE,       /* a field has the wrong JSON type */
    JSONX_E_RANGE,      /* a number out of range, a string too long */
    JSONX_E_UNKNOWN,    /* a field not in the allowed list */
    JSONX_E_NOMEM       /* out of memory */
};

/* What went wrong, for a reply or a log line. */
struct jsonx_error {
    int code;          /* enum jsonx_code (positive), 0 when none */
    int line;          /* 1-based line of a syntax or depth error, else 0 */
    int column;        /* 1-based column (characters) on that line, or 0 */
    size_t position;   /* byte offset of the problem in the text, or 0 */
    char field[64];    /* the field concerned, "" when none */
    char message[200]; /* one English sentence, e.g. "missing required
                          field 'account'" */
};

/*
 * Parse `len` bytes at `text` as one JSON value (any type) with duplicate
 * keys rejected and "\u0000" refused. Fails with JSONX_E_TOO_BIG when len
 * > max_size and JSONX_E_TOO_DEEP when arrays/objects nest deeper than
 * max_depth (the top-level object is depth 1), both checked before
 * jansson sees the text. On success *out gets a new reference (release
 * with json_decref()) and 0 is returned; on failure a negated enum
 * jsonx_code, *out untouched, and *err (may be NULL) filled in.
 */
int jsonx_parse(const char *text, size_t len, size_t max_size, size_t max_depth,
                json_t **out, struct jsonx_error *err);

/* As jsonx_parse(), but the top level must be an object (request bodies). */
int jsonx_parse_object(const char *text, size_t len, size_t max_size,
                       size_t max_depth, json_t **out, struct jsonx_error *err);

/*
 * The string field `key` of object `obj`: *out points into obj (valid as
 * long as obj is). Absent or null: -JSONX_E_MISSING when `required`, else
 * 0 with *out untouched (preset your default). Not a string:
 * -JSONX_E_TYPE. Longer than max_len bytes: -JSONX_E_RANGE.
 */
int jsonx_get_string(const json_t *obj, const char *key, int required,
                     size_t max_len, const char **out, struct jsonx_error *err);

/*
 * The integer field `key` within [min, max] (a JSON real such as 15000.0
 * is -JSONX_E_TYPE: money never travels as a float). Absence as for
 * jsonx_get_string().
 */
int jsonx_get_int(const json_t *obj, const char *key, int required, int64_t min,
                  int64_t max, int64_t *out, struct jsonx_error *err);

/* The boolean field `key` (true/false only); absence as above. */
int jsonx_get_bool(const json_t *obj, const char *key, int required, int *out,
                   struct jsonx_error *err);

/*
 * 0 when every key of object `obj` is in `allowed` (NULL-terminated);
 * else -JSONX_E_UNKNOWN naming the first stray key ("unknown field
 * 'amout'"). -JSONX_E_NOT_OBJECT when obj is not an object.
 */
int jsonx_check_keys(const json_t *obj, const char *const *allowed,
                     struct jsonx_error *err);

/*
 * Compact JSON text of any value (keys in insertion order, UTF-8 kept
 * as is), in a malloc'd string the caller frees with free(); NULL when
 * out of memory or value is NULL.
 */
char *jsonx_dump(const json_t *value);

/*
 * A stable snake_case name for an enum jsonx_code (either sign), for
 * {"error": {"code": ...}} replies: "too_big", "too_deep", "bad_json",
 * "not_object", "missing_field", "wrong_type", "out_of_range",
 * "unknown_field", "no_memory"; "ok" for 0.
 */
const char *jsonx_code_name(int code);

#endif
