/*
 * test_jsonx.c: request-body parsing under size and depth limits with
 * error positions, typed field access, unknown-field rejection, compact
 * dumping and the stable error code names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "jsonx.h"

#define LIMIT 4096
#define DEPTH 8

static int parse_obj(const char *text, json_t **out, struct jsonx_error *e)
{
    return jsonx_parse_object(text, strlen(text), LIMIT, DEPTH, out, e);
}

static void test_parse(void)
{
    struct jsonx_error e;
    json_t *v = NULL;
    json_t *sentinel = json_null();

    CHECK_INT(parse_obj("{\"a\": 1, \"b\": [1, {\"c\": \"x\"}]}", &v, &e), 0);
    CHECK(json_is_object(v));
    json_decref(v);

    /* too big: exactly the limit is fine, one more is not */
    char big[LIMIT + 2];
    memset(big, ' ', sizeof big);
    big[0] = '{';
    big[LIMIT - 1] = '}';
    CHECK_INT(jsonx_parse_object(big, LIMIT, LIMIT, DEPTH, &v, &e), 0);
    json_decref(v);
    v = sentinel;
    CHECK_INT(jsonx_parse_object(big, LIMIT + 1, LIMIT, DEPTH, &v, &e),
              -JSONX_E_TOO_BIG);
    CHECK_INT(e.code, JSONX_E_TOO_BIG);
    CHECK_STR(e.message, "JSON text too large: 4097 bytes, the limit is 4096");
    CHECK(v == sentinel);

    /* depth: the top level is 1 */
    CHECK_INT(jsonx_parse("[[[1]]]", 7, LIMIT, 3, &v, &e), 0);
    json_decref(v);
    v = sentinel;
    CHECK_INT(jsonx_parse("[[[[1]]]]", 9, LIMIT, 3, &v, &e), -JSONX_E_TOO_DEEP);
    CHECK_INT(e.code, JSONX_E_TOO_DEEP);
    CHECK_INT(e.line, 1);
    CHECK_INT(e.column, 4);
    CHECK_INT(e.position, 3);
    CHECK_STR(e.message, "line 1, column 4: nested deeper than 3 levels");
    CHECK(v == sentinel);
    /* on a later line, after multi-byte characters */
    const char *deep =
        "{\"t\": \"\xc4\x91\xc4\x91\",\n \"x\": [{\"y\": [[]]}]}";
    CHECK_INT(jsonx_parse(deep, strlen(deep), LIMIT, 3, &v, &e),
              -JSONX_E_TOO_DEEP);
    CHECK_INT(e.line, 2);
    CHECK_INT(e.column, 14);
    CHECK_INT(e.position, (size_t)(strchr(deep, '\n') - deep) + 14);
    /* columns count characters, positions bytes */
    const char *wide = "{\"\xc4\x91\xc4\x91\": [[1]]}";
    CHECK_INT(jsonx_parse(wide, strlen(wide), LIMIT, 2, &v, &e),
              -JSONX_E_TOO_DEEP);
    CHECK_INT(e.line, 1);
    CHECK_INT(e.column, 9);
    CHECK_INT(e.position, 10);
    /* brackets inside strings (and escaped quotes) do not count */
    const char *str = "{\"a\": \"[[[[\\\"[[[[\", \"b\": \"{{{{\"}";
    CHECK_INT(jsonx_parse(str, strlen(str), LIMIT, 1, &v, &e), 0);
    json_decref(v);
    /* a hostile depth is refused before jansson sees it */
    size_t n = 100000;
    char *nest = malloc(n);
    if (nest) {
        memset(nest, '[', n);
        CHECK_INT(jsonx_parse(nest, n, n, 64, &v, &e), -JSONX_E_TOO_DEEP);
        CHECK_INT(e.position, 64);
        free(nest);
    }

    /* syntax errors carry jansson's position */
    v = sentinel;
    CHECK_INT(parse_obj("{\n  \"a\": tru\n}", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(e.code, JSONX_E_SYNTAX);
    CHECK_INT(e.line, 2);
    CHECK(e.column > 0);
    CHECK(strncmp(e.message, "line 2, column ", 15) == 0);
    CHECK(v == sentinel);
    CHECK_INT(parse_obj("", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(parse_obj("{\"a\": 1,}", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(parse_obj("{\"a\": 1} x", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(parse_obj("{\"a\": 1, \"a\": 2}", &v, &e), -JSONX_E_SYNTAX);
    CHECK(strstr(e.message, "duplicate") != NULL);
    CHECK_INT(parse_obj("{\"a\": \"x\\u0000y\"}", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(parse_obj("{\"a\": \"\xff\"}", &v, &e), -JSONX_E_SYNTAX);
    CHECK_INT(parse_obj("{\"a\": 99999999999999999999}", &v, &e),
              -JSONX_E_SYNTAX);
    CHECK_INT(jsonx_parse_object("{}\0", 3, LIMIT, DEPTH, &v, &e),
              -JSONX_E_SYNTAX);
    CHECK(v == sentinel);

    /* not an object */
    CHECK_INT(parse_obj("[1, 2]", &v, &e), -JSONX_E_NOT_OBJECT);
    CHECK_STR(e.message, "expected a JSON object");
    CHECK_INT(parse_obj("42", &v, &e), -JSONX_E_NOT_OBJECT);
    CHECK(v == sentinel);
    CHECK_INT(jsonx_parse("42", 2, LIMIT, DEPTH, &v, &e), 0);
    CHECK(json_is_integer(v));
    json_decref(v);

    /* no limits, and err may be NULL */
    CHECK_INT(jsonx_parse("[1]", 3, JSONX_NO_LIMIT, JSONX_NO_LIMIT, &v, NULL),
              0);
    json_decref(v);
    CHECK_INT(jsonx_parse("[1", 2, JSONX_NO_LIMIT, JSONX_NO_LIMIT, &v, NULL),
              -JSONX_E_SYNTAX);
    CHECK_INT(jsonx_parse(NULL, 1, 10, 10, &v, NULL), -JSONX_E_SYNTAX);
}

static void test_fields(void)
{
    struct jsonx_error e;
    json_t *o = NULL;
    const char *s = "untouched";
    int64_t i = 77;
    int b = 5;

    CHECK_INT(parse_obj("{\"account\": \"0123456789\", \"amount\": 15000, "
                        "\"real\": 15000.0, \"neg\": -5, \"flag\": true, "
                        "\"off\": false, \"none\": null, \"name\": "
                        "\"Nguy\xe1\xbb\x85n\", \"big\": 9223372036854775807}",
                        &o, &e),
              0);
    if (!o)
        return;

    CHECK_INT(jsonx_get_string(o, "account", 1, 19, &s, &e), 0);
    CHECK_STR(s, "0123456789");
    CHECK_INT(jsonx_get_string(o, "name", 1, 8, &s, &e), 0);
    CHECK_STR(s, "Nguy\xe1\xbb\x85n");
    s = "untouched";
    CHECK_INT(jsonx_get_string(o, "name", 1, 7, &s, &e), -JSONX_E_RANGE);
    CHECK_STR(e.message, "field 'name' is longer than 7 bytes");
    CHECK_STR(e.field, "name");
    CHECK_STR(s, "untouched");
    CHECK_INT(jsonx_get_string(o, "content", 0, 25, &s, &e), 0);
    CHECK_STR(s, "untouched"); /* optional and absent */
    CHECK_INT(jsonx_get_string(o, "none", 0, 25, &s, &e), 0);
    CHECK_STR(s, "untouched"); /* optional and null */
    CHECK_INT(jsonx_get_string(o, "content", 1, 25, &s, &e), -JSONX_E_MISSING);
    CHECK_INT(e.code, JSONX_E_MISSING);
    CHECK_STR(e.message, "missing required field 'content'");
    CHECK_STR(e.field, "content");
    CHECK_INT(jsonx_get_string(o, "none", 1, 25, &s, &e), -JSONX_E_MISSING);
    CHECK_STR(e.message, "required field 'none' is null");
    CHECK_INT(jsonx_get_string(o, "amount", 1, 25, &s, &e), -JSONX_E_TYPE);
    CHECK_STR(e.message, "field 'amount' must be a string, not an integer");
    CHECK_STR(s, "untouched");

    CHECK_INT(
        jsonx_get_int(o, "amount", 1, 1, INT64_C(1000000000000000), &i, &e), 0);
    CHECK_INT(i, 15000);
    i = 77;
    CHECK_INT(jsonx_get_int(o, "real", 1, 1, 100000, &i, &e), -JSONX_E_TYPE);
    CHECK_STR(e.message,
              "field 'real' must be an integer, not a decimal number");
    CHECK_INT(jsonx_get_int(o, "neg", 1, 1, 100000, &i, &e), -JSONX_E_RANGE);
    CHECK_STR(e.message, "field 'neg' is out of range 1..100000");
    CHECK_INT(jsonx_get_int(o, "account", 1, 0, 10, &i, &e), -JSONX_E_TYPE);
    CHECK_INT(jsonx_get_int(o, "flag", 1, 0, 10, &i, &e), -JSONX_E_TYPE);
    CHECK_INT(jsonx_get_int(o, "missing", 1, 0, 10, &i, &e), -JSONX_E_MISSING);
    CHECK_INT(jsonx_get_int(o, "missing", 0, 0, 10, &i, &e), 0);
    CHECK_INT(i, 77);
    CHECK_INT(jsonx_get_int(o, "big", 1, INT64_MIN, INT64_MAX, &i, &e), 0);
    CHECK(i == INT64_MAX);

    CHECK_INT(jsonx_get_bool(o, "flag", 1, &b, &e), 0);
    CHECK_INT(b, 1);
    CHECK_INT(jsonx_get_bool(o, "off", 1, &b, &e), 0);
    CHECK_INT(b, 0);
    b = 5;
    CHECK_INT(jsonx_get_bool(o, "amount", 1, &b, &e), -JSONX_E_TYPE);
    CHECK_STR(e.message, "field 'amount' must be true or false, not an "
                         "integer");
    CHECK_INT(jsonx_get_bool(o, "missing", 0, &b, &e), 0);
    CHECK_INT(b, 5);

    /* not an object */
    json_t *arr = json_array();
    CHECK_INT(jsonx_get_string(arr, "a", 1, 5, &s, &e), -JSONX_E_NOT_OBJECT);
    CHECK_INT(jsonx_get_int(NULL, "a", 1, 0, 5, &i, &e), -JSONX_E_NOT_OBJECT);
    CHECK_INT(jsonx_check_keys(arr, NULL, &e), -JSONX_E_NOT_OBJECT);
    json_decref(arr);

    /* unknown fields */
    static const char *const all[] = {"account", "amount", "real", "neg",
                                      "flag",    "off",    "none", "name",
                                      "big",     NULL};
    CHECK_INT(jsonx_check_keys(o, all, &e), 0);
    static const char *const some[] = {"account", "amount", NULL};
    CHECK_INT(jsonx_check_keys(o, some, &e), -JSONX_E_UNKNOWN);
    CHECK_INT(e.code, JSONX_E_UNKNOWN);
    CHECK_STR(e.field, "real");
    CHECK_STR(e.message, "unknown field 'real'");
    CHECK_INT(jsonx_check_keys(o, NULL, &e), -JSONX_E_UNKNOWN);
    json_t *empty = json_object();
    CHECK_INT(jsonx_check_keys(empty, NULL, &e), 0);
    json_decref(empty);
    json_decref(o);
}

static void test_dump(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "b", json_integer(1));
    json_object_set_new(o, "a", json_string("\xc4\x91"));
    json_object_set_new(o, "c", json_pack("[i, n, b]", -2, 0));
    char *s = jsonx_dump(o);
    CHECK_STR(s, "{\"b\":1,\"a\":\"\xc4\x91\",\"c\":[-2,null,false]}");
    free(s);
    json_decref(o);
    json_t *n = json_integer(42);
    s = jsonx_dump(n);
    CHECK_STR(s, "42");
    free(s);
    json_decref(n);
    CHECK(jsonx_dump(NULL) == NULL);
}

static void test_names(void)
{
    CHECK_STR(jsonx_code_name(0), "ok");
    CHECK_STR(jsonx_code_name(-JSONX_E_MISSING), "missing_field");
    CHECK_STR(jsonx_code_name(JSONX_E_UNKNOWN), "unknown_field");
    CHECK_STR(jsonx_code_name(-JSONX_E_TOO_BIG), "too_big");
    CHECK_STR(jsonx_code_name(-JSONX_E_NOMEM), "no_memory");
    CHECK_STR(jsonx_code_name(99), "unknown");
    CHECK_STR(jsonx_code_name(-99), "unknown");
}

int main(void)
{
    test_parse();
    test_fields();
    test_dump();
    test_names();
    return TEST_END();
}
