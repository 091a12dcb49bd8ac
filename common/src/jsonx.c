/*
 * jsonx.c: jansson helpers with limits and precise errors. The size and
 * nesting limits are checked by a small scanner before jansson parses, so
 * an oversized or deeply nested body costs one pass and no allocation.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonx.h"

static void set_error(struct jsonx_error *err, int code, const char *field,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_error(struct jsonx_error *err, int code, const char *field,
                      const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = code;
    if (field)
        snprintf(err->field, sizeof err->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/*
 * Find where arrays/objects nest deeper than max_depth, outside strings.
 * Returns 1 and the byte offset, line and character column of the
 * offending bracket, or 0 when the text stays within the limit.
 */
static int too_deep(const char *text, size_t len, size_t max_depth, size_t *pos,
                    int *line, int *col)
{
    size_t depth = 0;
    int in_string = 0, escaped = 0, l = 1, c = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];
        if ((ch & 0xC0) != 0x80)
            c++; /* count characters, not continuation bytes */
        if (ch == '\n') {
            l++;
            c = 0;
            continue;
        }
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (ch == '\\')
                escaped = 1;
            else if (ch == '"')
                in_string = 0;
            continue;
        }
        if (ch == '"') {
            in_string = 1;
        } else if (ch == '[' || ch == '{') {
            if (++depth > max_depth) {
                *pos = i;
                *line = l;
                *col = c;
                return 1;
            }
        } else if ((ch == ']' || ch == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

int jsonx_parse(const char *text, size_t len, size_t max_size, size_t max_depth,
                json_t **out, struct jsonx_error *err)
{
    json_error_t je;
    json_t *v;
    size_t pos;
    int line, col;

    if (!out || (!text && len)) {
        set_error(err, JSONX_E_SYNTAX, NULL, "no JSON text");
        return -JSONX_E_SYNTAX;
    }
    if (len > max_size) {
        set_error(err, JSONX_E_TOO_BIG, NULL,
                  "JSON text too large: %zu bytes, the limit is %zu", len,
                  max_size);
        return -JSONX_E_TOO_BIG;
    }
    if (text && too_deep(text, len, max_depth, &pos, &line, &col)) {
        set_error(err, JSONX_E_TOO_DEEP, NULL,
                  "line %d, column %d: nested deeper than %zu levels", line,
                  col, max_depth);
        if (err) {
            err->line = line;
            err->column = col;
            err->position = pos;
        }
        return -JSONX_E_TOO_DEEP;
    }
    v = json_loadb(text ? text : "", len,
                   JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v) {
        if (json_error_code(&je) == json_error_out_of_memory) {
            set_error(err, JSONX_E_NOMEM, NULL, "out of memory");
            return -JSONX_E_NOMEM;
        }
        set_error(err, JSONX_E_SYNTAX, NULL, "line %d, column %d: %s", je.line,
                  je.column, je.text);
        if (err) {
            err->line = je.line;
            err->column = je.column;
            err->position = (size_t)(je.position < 0 ? 0 : je.position);
        }
        return -JSONX_E_SYNTAX;
    }
    *out = v;
    return 0;
}

int jsonx_parse_object(const char *text, size_t len, size_t max_size,
                       size_t max_depth, json_t **out, struct jsonx_error *err)
{
    json_t *v;
    int rc = jsonx_parse(text, len, max_size, max_depth, &v, err);

    if (rc < 0)
        return rc;
    if (!json_is_object(v)) {
        json_decref(v);
        set_error(err, JSONX_E_NOT_OBJECT, NULL, "expected a JSON object");
        return -JSONX_E_NOT_OBJECT;
    }
    *out = v;
    return 0;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a decimal number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "unknown";
}

/*
 * The value of field `key`: 1 with *v set, 0 when absent or null and
 * optional, or a negated code (error set) when obj is not an object or a
 * required field is absent or null.
 */
static int get_field(const json_t *obj, const char *key, int required,
                     json_t **v, struct jsonx_error *err)
{
    json_t *f;

    if (!json_is_object(obj) || !key) {
        set_error(err, JSONX_E_NOT_OBJECT, key, "expected a JSON object");
        return -JSONX_E_NOT_OBJECT;
    }
    f = json_object_get(obj, key);
    if (!f || json_is_null(f)) {
        if (!required)
            return 0;
        if (f) {
            set_error(err, JSONX_E_MISSING, key, "required field '%s' is null",
                      key);
        } else {
            set_error(err, JSONX_E_MISSING, key, "missing required field '%s'",
                      key);
        }
        return -JSONX_E_MISSING;
    }
    *v = f;
    return 1;
}

int jsonx_get_string(const json_t *obj, const char *key, int required,
                     size_t max_len, const char **out, struct jsonx_error *err)
{
    json_t *v;
    int rc = get_field(obj, key, required, &v, err);

    if (rc <= 0)
        return rc;
    if (!json_is_string(v)) {
        set_error(err, JSONX_E_TYPE, key, "field '%s' must be a string, not %s",
                  key, type_name(v));
        return -JSONX_E_TYPE;
    }
    if (json_string_length(v) > max_len) {
        set_error(err, JSONX_E_RANGE, key,
                  "field '%s' is longer than %zu bytes", key, max_len);
        return -JSONX_E_RANGE;
    }
    *out = json_string_value(v);
    return 0;
}

int jsonx_get_int(const json_t *obj, const char *key, int required, int64_t min,
                  int64_t max, int64_t *out, struct jsonx_error *err)
{
    json_t *v;
    json_int_t n;
    int rc = get_field(obj, key, required, &v, err);

    if (rc <= 0)
        return rc;
    if (!json_is_integer(v)) {
        set_error(err, JSONX_E_TYPE, key,
                  "field '%s' must be an integer, not %s", key, type_name(v));
        return -JSONX_E_TYPE;
    }
    n = json_integer_value(v);
    if (n < min || n > max) {
        set_error(err, JSONX_E_RANGE, key,
                  "field '%s' is out of range %lld..%lld", key, (long long)min,
                  (long long)max);
        return -JSONX_E_RANGE;
    }
    *out = (int64_t)n;
    return 0;
}

int jsonx_get_bool(const json_t *obj, const char *key, int required, int *out,
                   struct jsonx_error *err)
{
    json_t *v;
    int rc = get_field(obj, key, required, &v, err);

    if (rc <= 0)
        return rc;
    if (!json_is_boolean(v)) {
        set_error(err, JSONX_E_TYPE, key,
                  "field '%s' must be true or false, not %s", key,
                  type_name(v));
        return -JSONX_E_TYPE;
    }
    *out = json_is_true(v);
    return 0;
}

int jsonx_check_keys(const json_t *obj, const char *const *allowed,
                     struct jsonx_error *err)
{
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        set_error(err, JSONX_E_NOT_OBJECT, NULL, "expected a JSON object");
        return -JSONX_E_NOT_OBJECT;
    }
    /* json_object_foreach wants a non-const object; it does not modify */
    json_object_foreach((json_t *)obj, key, v)
    {
        size_t i;
        (void)v;
        for (i = 0; allowed && allowed[i]; i++)
            if (strcmp(allowed[i], key) == 0)
                break;
        if (!allowed || !allowed[i]) {
            set_error(err, JSONX_E_UNKNOWN, key, "unknown field '%s'", key);
            return -JSONX_E_UNKNOWN;
        }
    }
    return 0;
}

char *jsonx_dump(const json_t *value)
{
    if (!value)
        return NULL;
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
}

const char *jsonx_code_name(int code)
{
    static const char *const names[] = {
        [JSONX_OK] = "ok",
        [JSONX_E_TOO_BIG] = "too_big",
        [JSONX_E_TOO_DEEP] = "too_deep",
        [JSONX_E_SYNTAX] = "bad_json",
        [JSONX_E_NOT_OBJECT] = "not_object",
        [JSONX_E_MISSING] = "missing_field",
        [JSONX_E_TYPE] = "wrong_type",
        [JSONX_E_RANGE] = "out_of_range",
        [JSONX_E_UNKNOWN] = "unknown_field",
        [JSONX_E_NOMEM] = "no_memory",
    };

    if (code < 0 && code >= -JSONX_E_NOMEM)
        code = -code;
    if (code < 0 || (size_t)code >= sizeof names / sizeof *names)
        return "unknown";
    return names[code];
}
