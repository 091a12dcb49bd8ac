/*
 * test_money.c: money_parse/format vectors (every accepted spelling and
 * every error code), the MONEY_MAX and INT64 edges, overflow-checked
 * arithmetic, and a parse(format(x)) == x round trip on random amounts.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "money.h"

struct parse_case {
    const char *text;
    int rc;        /* expected return: 0 or a negated money_error */
    int64_t value; /* expected value when rc == 0 */
};

static const struct parse_case parse_cases[] = {
    /* the spellings the issue lists */
    {"15000", 0, 15000},
    {"15.000", 0, 15000},
    {"15.000 \xe2\x82\xab", 0, 15000}, /* ₫ */
    {"15.000\xc4\x91", 0, 15000},      /* đ */
    {"15,000 VND", 0, 15000},
    {"1.234.000 VN\xc4\x90", 0, 1234000}, /* VNĐ */
    {"15000 vnd", 0, 15000},
    {"-5.000", 0, -5000},
    {"15000.00", 0, 15000},
    {"15.000,00", 0, 15000},
    {"15,000.00", 0, 15000},
    {"1.234.567,0", 0, 1234567},
    /* more currency spellings and white space */
    {"  42  ", 0, 42},
    {"\t15.000\n", 0, 15000},
    {"15.000\xc2\xa0\xe2\x82\xab", 0, 15000},     /* NBSP before ₫ */
    {"15.000\xe2\x80\xaf\xe2\x82\xab", 0, 15000}, /* narrow NBSP */
    {"15.000\xe2\x82\xab", 0, 15000},
    {"15.000 \xc4\x90", 0, 15000}, /* Đ */
    {"15000 VNd", 0, 15000},
    {"15000 vn\xc4\x91", 0, 15000},
    {"15.000 \xc4\x91\xe1\xbb\x93ng", 0, 15000}, /* đồng */
    {"15.000 \xc4\x90\xe1\xbb\x92NG", 0, 15000}, /* ĐỒNG */
    {"15.000 dong", 0, 15000},
    {"15.000d", 0, 15000},
    {"15.000 D", 0, 15000},
    {"VND 15.000", 0, 15000},
    {"VND15000", 0, 15000},
    {"\xe2\x82\xab"
     "15.000",
     0, 15000},
    {"VND -5.000", 0, -5000},
    {"+7", 0, 7},
    {"0", 0, 0},
    {"-0", 0, 0},
    {"000123", 0, 123},
    {"1.000.000.000", 0, 1000000000},
    {"999,999,999,999,999", 0, INT64_C(999999999999999)},
    /* decimals: only zeros are allowed */
    {"15.00", 0, 15},
    {"500.00", 0, 500},
    {"15.0", 0, 15},
    {"15.0000", 0, 15},
    {"1.000,000", 0, 1000},
    {"1.5", -MONEY_E_DECIMALS, 0},
    {"15000.01", -MONEY_E_DECIMALS, 0},
    {"15.000,50", -MONEY_E_DECIMALS, 0},
    {"15,000.5 VND", -MONEY_E_DECIMALS, 0},
    {"1.5000", -MONEY_E_DECIMALS, 0},
    /* range, on exactly MONEY_MAX and beyond */
    {"1000000000000000", 0, MONEY_MAX},
    {"-1.000.000.000.000.000", 0, -MONEY_MAX},
    {"1000000000000001", -MONEY_E_RANGE, 0},
    {"-1000000000000001", -MONEY_E_RANGE, 0},
    {"9223372036854775807", -MONEY_E_RANGE, 0},
    {"9223372036854775808", -MONEY_E_RANGE, 0},
    {"-9223372036854775808", -MONEY_E_RANGE, 0},
    {"18446744073709551616", -MONEY_E_RANGE, 0},
    {"99999999999999999999999999999999999999999", -MONEY_E_RANGE, 0},
    {"1.000.000.000.000.001", -MONEY_E_RANGE, 0},
    {"0000000000000000000000000000000000001", 0, 1},
    {"99999999999999999999.5", -MONEY_E_DECIMALS, 0},
    /* syntax */
    {"", -MONEY_E_SYNTAX, 0},
    {"   ", -MONEY_E_SYNTAX, 0},
    {"VND", -MONEY_E_SYNTAX, 0},
    {"\xe2\x82\xab", -MONEY_E_SYNTAX, 0},
    {"-", -MONEY_E_SYNTAX, 0},
    {"abc", -MONEY_E_SYNTAX, 0},
    {"15k", -MONEY_E_SYNTAX, 0},
    {"15000x", -MONEY_E_SYNTAX, 0},
    {"--5", -MONEY_E_SYNTAX, 0},
    {"+-5", -MONEY_E_SYNTAX, 0},
    {"-+5", -MONEY_E_SYNTAX, 0},
    {"- 5", -MONEY_E_SYNTAX, 0},
    {"5-", -MONEY_E_SYNTAX, 0},
    {"1.23.000", -MONEY_E_SYNTAX, 0},
    {"1.000.00", -MONEY_E_SYNTAX, 0},
    {"1234.567", -MONEY_E_SYNTAX, 0},
    {"15000.000", -MONEY_E_SYNTAX, 0},
    {"1.000,000.000", -MONEY_E_SYNTAX, 0},
    {"1.000.000,00,00", -MONEY_E_SYNTAX, 0},
    {"1,000.000,00", -MONEY_E_SYNTAX, 0},
    {"1.000,00.00", -MONEY_E_SYNTAX, 0},
    {"0.500", -MONEY_E_SYNTAX, 0},
    {"01.000", -MONEY_E_SYNTAX, 0},
    {"1..000", -MONEY_E_SYNTAX, 0},
    {"15.", -MONEY_E_SYNTAX, 0},
    {".5", -MONEY_E_SYNTAX, 0},
    {".", -MONEY_E_SYNTAX, 0},
    {",", -MONEY_E_SYNTAX, 0},
    {"15 000", -MONEY_E_SYNTAX, 0},
    {"15.000 \xe2\x82\xab \xe2\x82\xab", -MONEY_E_SYNTAX, 0},
    {"VND 15.000 VND", -MONEY_E_SYNTAX, 0},
    {"15.000 VNDX", -MONEY_E_SYNTAX, 0},
    {"15.000 USD", -MONEY_E_SYNTAX, 0},
    {"d15", -MONEY_E_SYNTAX, 0},
    {"1e5", -MONEY_E_SYNTAX, 0},
    {"0x10", -MONEY_E_SYNTAX, 0},
    {"15\xe2\x82", -MONEY_E_SYNTAX, 0}, /* truncated ₫ */
    {"15 \xc4", -MONEY_E_SYNTAX, 0},    /* truncated đ */
    {"15 \xff", -MONEY_E_SYNTAX, 0},
    {"\xef\xbc\x91\xef\xbc\x95", -MONEY_E_SYNTAX, 0}, /* fullwidth 15 */
    /* a syntax error is reported before range and decimals */
    {"99999999999999999999x", -MONEY_E_SYNTAX, 0},
    {"1.5x", -MONEY_E_SYNTAX, 0},
};

struct format_case {
    int64_t amount;
    const char *text;  /* money_format */
    const char *plain; /* money_format_plain */
};

static const struct format_case format_cases[] = {
    {0, "0 \xe2\x82\xab", "0"},
    {1, "1 \xe2\x82\xab", "1"},
    {-1, "-1 \xe2\x82\xab", "-1"},
    {999, "999 \xe2\x82\xab", "999"},
    {1000, "1.000 \xe2\x82\xab", "1.000"},
    {15000, "15.000 \xe2\x82\xab", "15.000"},
    {-5000, "-5.000 \xe2\x82\xab", "-5.000"},
    {100000, "100.000 \xe2\x82\xab", "100.000"},
    {-1500000, "-1.500.000 \xe2\x82\xab", "-1.500.000"},
    {1234567, "1.234.567 \xe2\x82\xab", "1.234.567"},
    {MONEY_MAX, "1.000.000.000.000.000 \xe2\x82\xab", "1.000.000.000.000.000"},
    {-MONEY_MAX, "-1.000.000.000.000.000 \xe2\x82\xab",
     "-1.000.000.000.000.000"},
    {INT64_MAX, "9.223.372.036.854.775.807 \xe2\x82\xab",
     "9.223.372.036.854.775.807"},
    {INT64_MIN, "-9.223.372.036.854.775.808 \xe2\x82\xab",
     "-9.223.372.036.854.775.808"},
};

static void test_parse_table(void)
{
    for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
        const struct parse_case *c = &parse_cases[i];
        int64_t v = INT64_C(-777);
        int rc = money_parse(c->text, &v);
        if (rc != c->rc)
            fprintf(stderr, "case %zu \"%s\": rc %d, want %d\n", i, c->text, rc,
                    c->rc);
        CHECK_INT(rc, c->rc);
        /* out-parameter written only on success */
        CHECK_INT(v, c->rc == 0 ? c->value : INT64_C(-777));
    }
}

static void test_parse_misc(void)
{
    int64_t v = 5;
    char big[4096];

    CHECK_INT(money_parse(NULL, &v), -MONEY_E_SYNTAX);
    CHECK_INT(money_parse("1", NULL), -MONEY_E_SYNTAX);
    CHECK_INT(v, 5);
    /* thousands of digits: no overflow, a clean range error */
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(money_parse(big, &v), -MONEY_E_RANGE);
    /* ... and thousands of zeros are just zero */
    memset(big, '0', sizeof big - 1);
    CHECK_INT(money_parse(big, &v), 0);
    CHECK_INT(v, 0);

    CHECK_INT(money_parse_nonneg("15.000 \xe2\x82\xab", &v), 0);
    CHECK_INT(v, 15000);
    v = 5;
    CHECK_INT(money_parse_nonneg("-5.000", &v), -MONEY_E_NEGATIVE);
    CHECK_INT(v, 5);
    CHECK_INT(money_parse_nonneg("-0", &v), 0);
    CHECK_INT(v, 0);
    CHECK_INT(money_parse_nonneg("x", &v), -MONEY_E_SYNTAX);
    CHECK_INT(money_parse_nonneg("-1000000000000001", &v), -MONEY_E_RANGE);
}

static void test_format_table(void)
{
    for (size_t i = 0; i < sizeof format_cases / sizeof *format_cases; i++) {
        const struct format_case *c = &format_cases[i];
        char buf[MONEY_FORMAT_MAX];
        CHECK_INT(money_format(c->amount, buf, sizeof buf), 0);
        CHECK_STR(buf, c->text);
        CHECK_INT(money_format_plain(c->amount, buf, sizeof buf), 0);
        CHECK_STR(buf, c->plain);
    }
}

static void test_format_buffer(void)
{
    char buf[MONEY_FORMAT_MAX];
    /* "15.000 ₫" is 10 bytes: needs 11 */
    CHECK_INT(money_format(15000, buf, 11), 0);
    CHECK_STR(buf, "15.000 \xe2\x82\xab");
    CHECK_INT(money_format(15000, buf, 10), -MONEY_E_BUFFER);
    CHECK_STR(buf, "");
    CHECK_INT(money_format(15000, buf, 0), -MONEY_E_BUFFER);
    CHECK_INT(money_format(15000, NULL, 0), -MONEY_E_BUFFER);
    CHECK_INT(money_format_plain(15000, buf, 7), 0);
    CHECK_STR(buf, "15.000");
    CHECK_INT(money_format_plain(15000, buf, 6), -MONEY_E_BUFFER);
    /* the longest output fits MONEY_FORMAT_MAX */
    CHECK_INT(money_format(INT64_MIN, buf, MONEY_FORMAT_MAX), 0);
    CHECK(strlen(buf) < MONEY_FORMAT_MAX);
}

static void test_arith(void)
{
    int64_t r = 99;

    CHECK_INT(money_add(15000, 5000, &r), 0);
    CHECK_INT(r, 20000);
    CHECK_INT(money_sub(15000, 20000, &r), 0);
    CHECK_INT(r, -5000);
    CHECK_INT(money_mul(15000, 12, &r), 0);
    CHECK_INT(r, 180000);
    CHECK_INT(money_mul(-3, 7, &r), 0);
    CHECK_INT(r, -21);
    CHECK_INT(money_mul(0, MONEY_MAX, &r), 0);
    CHECK_INT(r, 0);

    /* exactly at the bounds: fine */
    CHECK_INT(money_add(MONEY_MAX - 1, 1, &r), 0);
    CHECK_INT(r, MONEY_MAX);
    CHECK_INT(money_sub(-MONEY_MAX + 1, 1, &r), 0);
    CHECK_INT(r, -MONEY_MAX);
    CHECK_INT(money_sub(MONEY_MAX, MONEY_MAX, &r), 0);
    CHECK_INT(r, 0);
    CHECK_INT(money_mul(MONEY_MAX, -1, &r), 0);
    CHECK_INT(r, -MONEY_MAX);
    CHECK_INT(money_mul(INT64_C(1000000000), INT64_C(1000000), &r), 0);
    CHECK_INT(r, MONEY_MAX);

    /* one past: overflow, result untouched */
    r = 99;
    CHECK_INT(money_add(MONEY_MAX, 1, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_add(-MONEY_MAX, -1, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_add(MONEY_MAX, MONEY_MAX, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_sub(-MONEY_MAX, 1, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_sub(MONEY_MAX, -1, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_sub(MONEY_MAX, -MONEY_MAX, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_mul(MONEY_MAX, 2, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_mul(-MONEY_MAX, 2, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_mul(INT64_C(1000000001), INT64_C(1000000), &r),
              -MONEY_E_OVERFLOW);
    /* int64_t overflow inside the multiplication */
    CHECK_INT(money_mul(MONEY_MAX, MONEY_MAX, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_mul(-MONEY_MAX, MONEY_MAX, &r), -MONEY_E_OVERFLOW);
    CHECK_INT(money_mul(INT64_C(4294967296), INT64_C(4294967296), &r),
              -MONEY_E_OVERFLOW);
    CHECK_INT(r, 99);

    /* operands already out of range */
    CHECK_INT(money_add(INT64_MAX, -INT64_MAX, &r), -MONEY_E_RANGE);
    CHECK_INT(money_add(INT64_MIN, 0, &r), -MONEY_E_RANGE);
    CHECK_INT(money_sub(0, INT64_MIN, &r), -MONEY_E_RANGE);
    CHECK_INT(money_mul(INT64_MIN, -1, &r), -MONEY_E_RANGE);
    CHECK_INT(money_mul(1, MONEY_MAX + 1, &r), -MONEY_E_RANGE);
    CHECK_INT(money_mul(INT64_MIN, 0, &r), -MONEY_E_RANGE);
    CHECK_INT(r, 99);
}

static void test_strerror(void)
{
    CHECK_STR(money_strerror(0), "ok");
    CHECK(strcmp(money_strerror(-MONEY_E_RANGE),
                 money_strerror(MONEY_E_RANGE)) == 0);
    for (int e = MONEY_E_SYNTAX; e <= MONEY_E_BUFFER; e++)
        CHECK(strcmp(money_strerror(-e), "unknown error") != 0);
    CHECK_STR(money_strerror(-100), "unknown error");
    CHECK_STR(money_strerror(INT32_MIN), "unknown error");
}

/* xorshift64*: reproducible pseudo-random amounts. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static void test_round_trip(void)
{
    int bad = 0;

    for (int i = 0; i < 200000; i++) {
        /* spread over every magnitude, not just huge numbers */
        uint64_t digits = rng() % 17; /* 0..16 */
        uint64_t mod = 1;
        for (uint64_t d = 0; d < digits; d++)
            mod *= 10;
        int64_t x = (int64_t)(rng() % (mod + 1));
        if (x > MONEY_MAX)
            x = MONEY_MAX;
        if (rng() & 1)
            x = -x;
        char buf[MONEY_FORMAT_MAX];
        int64_t y = 0, z = 0;
        if (money_format(x, buf, sizeof buf) != 0 ||
            money_parse(buf, &y) != 0 || y != x)
            bad++;
        if (money_format_plain(x, buf, sizeof buf) != 0 ||
            money_parse(buf, &z) != 0 || z != x)
            bad++;
    }
    CHECK_INT(bad, 0);
    /* the edges explicitly */
    const int64_t edges[] = {0,     1,         -1,         999,          1000,
                             -1000, MONEY_MAX, -MONEY_MAX, MONEY_MAX - 1};
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        char buf[MONEY_FORMAT_MAX];
        int64_t y = 0;
        CHECK_INT(money_format(edges[i], buf, sizeof buf), 0);
        CHECK_INT(money_parse(buf, &y), 0);
        CHECK_INT(y, edges[i]);
    }
    /* beyond MONEY_MAX formats fine but does not parse back */
    char buf[MONEY_FORMAT_MAX];
    int64_t y = 0;
    CHECK_INT(money_format(INT64_MIN, buf, sizeof buf), 0);
    CHECK_INT(money_parse(buf, &y), -MONEY_E_RANGE);
}

int main(void)
{
    test_parse_table();
    test_parse_misc();
    test_format_table();
    test_format_buffer();
    test_arith();
    test_strerror();
    test_round_trip();
    return TEST_END();
}
