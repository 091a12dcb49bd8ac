/*
 * test_vnwords.c: numbers and amounts in Vietnamese words. Known answers
 * from the tests of three independent libraries (tests/data/vnwords.tsv
 * names them, their licences and what differs); the readings the payment
 * speaker depends on; and properties over every number below 200.000
 * and random ones up to INT64_MAX: the words read back to the number by
 * an independent parser, only known words occur, each in a place the
 * grammar allows, and a buffer one byte short is refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vnwords.h"

static FILE *open_data(const char *name)
{
    char path[512];
    const char *dir = getenv("CHOPAY_TESTDATA");

    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return fopen(path, "r");
}

/* Replace every `from` in s (capacity cap) by `to`. */
static void replace_all(char *s, size_t cap, const char *from, const char *to)
{
    char tmp[VNWORDS_MAX * 2];
    size_t fl = strlen(from), tl = strlen(to), n = 0;

    for (const char *p = s; *p;) {
        if (strncmp(p, from, fl) == 0 && n + tl < sizeof tmp) {
            memcpy(tmp + n, to, tl);
            n += tl;
            p += fl;
        } else if (n + 1 < sizeof tmp) {
            tmp[n++] = *p++;
        } else {
            break;
        }
    }
    tmp[n] = '\0';
    if (n < cap)
        memcpy(s, tmp, n + 1);
}

static void test_table(void)
{
    FILE *f = open_data("vnwords.tsv");
    char line[1024], words[VNWORDS_MAX], got[VNWORDS_MAX];
    int rows = 0, n2vw = 0, num2words = 0, num2text = 0;

    CHECK(f != NULL);
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *num, *text, *src, *save = NULL;

        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\r\n")] = '\0';
        num = strtok_r(line, "\t", &save);
        text = strtok_r(NULL, "\t", &save);
        src = strtok_r(NULL, "\t", &save);
        CHECK(num && text && src);
        if (!num || !text || !src)
            continue;
        snprintf(words, sizeof words, " %s ", text);
        if (strcmp(src, "num2words") == 0) {
            /* its "lẻ" is our "linh", its "mươi bốn" our "mươi tư" */
            replace_all(words, sizeof words, " l\xe1\xba\xbb ", " linh ");
            replace_all(words, sizeof words,
                        " m\xc6\xb0\xc6\xa1i b\xe1\xbb\x91n ",
                        " m\xc6\xb0\xc6\xa1i t\xc6\xb0 ");
            num2words++;
        } else if (strcmp(src, "n2vw") == 0) {
            n2vw++;
        } else if (strcmp(src, "num2text") == 0) {
            num2text++;
        } else {
            CHECK(!"unknown source");
        }
        words[strlen(words) - 1] = '\0';
        CHECK_INT(vnwords_number(strtoll(num, NULL, 10), got, sizeof got), 0);
        CHECK_STR(got, words + 1);
        rows++;
    }
    fclose(f);
    CHECK(n2vw >= 9);
    CHECK(num2words >= 45);
    CHECK(num2text >= 50);
    printf("%d rows from the libraries' tests\n", rows);
}

/* The readings the payment speaker is built on. */
static const struct {
    int64_t amount;
    const char *words;
} amounts[] = {
    {0, "không đồng"},
    {1, "một đồng"},
    {5, "năm đồng"},
    {10, "mười đồng"},
    {14, "mười bốn đồng"},
    {15, "mười lăm đồng"},
    {21, "hai mươi mốt đồng"},
    {24, "hai mươi tư đồng"},
    {25, "hai mươi lăm đồng"},
    {105, "một trăm linh năm đồng"},
    {110, "một trăm mười đồng"},
    {111, "một trăm mười một đồng"},
    {5000, "năm nghìn đồng"},
    {15000, "mười lăm nghìn đồng"},
    {21000, "hai mươi mốt nghìn đồng"},
    {24500, "hai mươi tư nghìn năm trăm đồng"},
    {105000, "một trăm linh năm nghìn đồng"},
    {125000, "một trăm hai mươi lăm nghìn đồng"},
    {1000005, "một triệu không trăm linh năm đồng"},
    {1005000, "một triệu không trăm linh năm nghìn đồng"},
    {1050000, "một triệu không trăm năm mươi nghìn đồng"},
    {1500000, "một triệu năm trăm nghìn đồng"},
    {2000000, "hai triệu đồng"},
    {20000010, "hai mươi triệu không trăm mười đồng"},
    {1000001000, "một tỷ không trăm linh một nghìn đồng"},
    {1234567890123, "một nghìn hai trăm ba mươi tư tỷ năm trăm sáu mươi bảy "
                    "triệu tám trăm chín mươi nghìn một trăm hai mươi ba đồng"},
    {1001000000000, "một nghìn không trăm linh một tỷ đồng"},
    {1000000000000, "một nghìn tỷ đồng"},
    {1000000000000000, "một triệu tỷ đồng"},
    {999999999999999, "chín trăm chín mươi chín nghìn chín trăm chín mươi "
                      "chín tỷ chín trăm chín mươi chín triệu chín trăm chín "
                      "mươi chín nghìn chín trăm chín mươi chín đồng"},
    {-15000, "âm mười lăm nghìn đồng"},
};

static void test_amounts(void)
{
    char got[VNWORDS_MAX];

    for (size_t i = 0; i < sizeof amounts / sizeof amounts[0]; i++) {
        CHECK_INT(vnwords_amount(amounts[i].amount, got, sizeof got), 0);
        CHECK_STR(got, amounts[i].words);
    }
    CHECK_INT(vnwords_number(INT64_MAX, got, sizeof got), 0);
    CHECK_STR(got, "chín tỷ hai trăm hai mươi ba triệu ba trăm bảy mươi "
                   "hai nghìn không trăm ba mươi sáu tỷ tám trăm năm mươi tư "
                   "triệu bảy trăm bảy mươi lăm nghìn tám trăm linh bảy");
    CHECK_INT(vnwords_amount(INT64_MIN, got, sizeof got), 0);
    CHECK(strncmp(got, "âm chín tỷ hai", strlen("âm chín tỷ hai")) == 0);
    CHECK(strstr(got, "tám trăm linh tám đồng") != NULL);
}

/* --- an independent reader: words back to a number ---------------------- */

static const char *const digit_words[] = {"không", "một", "hai", "ba",  "bốn",
                                          "năm",   "sáu", "bảy", "tám", "chín"};

static int digit_of(const char *w)
{
    for (int d = 0; d < 10; d++)
        if (strcmp(w, digit_words[d]) == 0)
            return d;
    if (strcmp(w, "mốt") == 0)
        return 1;
    if (strcmp(w, "tư") == 0)
        return 4;
    if (strcmp(w, "lăm") == 0)
        return 5;
    return -1;
}

/*
 * Read words into *out; returns 0, or -1 on a word or an order the
 * grammar does not allow (checked here, independently of vnwords.c):
 * "mốt" and "tư" only after "mươi", "lăm" only after "mười"/"mươi",
 * "linh" only after "trăm" and before a digit, "không" only as the whole
 * number or before "trăm", nothing after "đồng".
 */
static int read_words(const char *text, int *neg, uint64_t *out)
{
    char buf[VNWORDS_MAX], *save = NULL;
    uint64_t total = 0, below = 0, group = 0, pending = 0;
    const char *prev = "";
    int nwords = 0, ended = 0, need_muoi = 0;

    *neg = 0;
    snprintf(buf, sizeof buf, "%s", text);
    if (strstr(text, "  ") || text[0] == ' ' ||
        (text[0] && text[strlen(text) - 1] == ' '))
        return -1;
    for (char *w = strtok_r(buf, " ", &save); w;
         prev = w, w = strtok_r(NULL, " ", &save), nwords++) {
        int d = digit_of(w);

        if (ended || (need_muoi && strcmp(w, "mươi") != 0))
            return -1; /* "một trăm năm": a ten needs "mươi" */
        need_muoi = d >= 0 && strcmp(prev, "trăm") == 0;
        if (strcmp(w, "âm") == 0) {
            if (nwords)
                return -1;
            *neg = 1;
        } else if (d >= 0) {
            int after_muoi = strcmp(prev, "mươi") == 0;
            if ((strcmp(w, "mốt") == 0 || strcmp(w, "tư") == 0) && !after_muoi)
                return -1;
            if (strcmp(w, "lăm") == 0 && !after_muoi &&
                strcmp(prev, "mười") != 0)
                return -1;
            if ((d == 1 || d == 5) && after_muoi &&
                strcmp(w, d == 1 ? "mốt" : "lăm") != 0)
                return -1; /* "hai mươi một", "hai mươi năm" */
            if (d == 4 && after_muoi && strcmp(w, "tư") != 0)
                return -1;
            if (d == 5 && strcmp(prev, "mười") == 0 && strcmp(w, "lăm") != 0)
                return -1;
            if (digit_of(prev) >= 0)
                return -1;
            pending = (uint64_t)d;
        } else if (strcmp(w, "mười") == 0) {
            if (digit_of(prev) >= 0)
                return -1;
            group += 10;
        } else if (strcmp(w, "mươi") == 0) {
            if (pending < 2)
                return -1;
            group += pending * 10;
            pending = 0;
        } else if (strcmp(w, "trăm") == 0) {
            if (digit_of(prev) < 0)
                return -1;
            group += pending * 100;
            pending = 0;
        } else if (strcmp(w, "linh") == 0) {
            if (strcmp(prev, "trăm") != 0)
                return -1;
        } else if (strcmp(w, "nghìn") == 0 || strcmp(w, "triệu") == 0) {
            uint64_t g = group + pending;
            if (g == 0 || g > 999)
                return -1;
            below += g * (w[0] == 'n' ? 1000 : 1000000);
            group = pending = 0;
        } else if (strcmp(w, "tỷ") == 0) {
            uint64_t v = total + below + group + pending;
            if (v == 0)
                return -1;
            total = v * 1000000000;
            below = group = pending = 0;
        } else if (strcmp(w, "đồng") == 0) {
            ended = 1;
        } else {
            return -1;
        }
        if (strcmp(prev, "linh") == 0 && d < 1)
            return -1;
        if (strcmp(prev, "không") == 0 && strcmp(w, "trăm") != 0 &&
            !(strcmp(w, "đồng") == 0 && nwords == 1))
            return -1;
    }
    if (nwords == 0 || need_muoi || strcmp(prev, "linh") == 0)
        return -1;
    *out = total + below + group + pending;
    return 0;
}

/* Words of n read back, and the buffer edge; 1 when all is well. */
static int round_trip(int64_t n)
{
    char got[VNWORDS_MAX], small[VNWORDS_MAX];
    uint64_t back;
    int neg;
    size_t len;

    if (vnwords_amount(n, got, sizeof got) != 0)
        return 0;
    len = strlen(got);
    if (len < 6 || strcmp(got + len - strlen("đồng"), "đồng") != 0)
        return 0;
    if (read_words(got, &neg, &back) != 0)
        return 0;
    if (neg != (n < 0) ||
        back != (n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n))
        return 0;
    /* exactly len + 1 bytes fit, len do not */
    if (vnwords_amount(n, small, len + 1) != 0 || strcmp(small, got) != 0)
        return 0;
    if (vnwords_amount(n, small, len) != -VNWORDS_E_BUFFER || small[0] != 0)
        return 0;
    /* "không" alone only for zero */
    if ((strcmp(got, "không đồng") == 0) != (n == 0))
        return 0;
    return 1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_properties(void)
{
    int bad = 0;
    char got[VNWORDS_MAX];
    uint64_t back;
    int neg;

    /* every amount below 200.000 đồng, and every multiple of 1000 to
       200 million: the amounts a market stall takes */
    for (int64_t n = 0; n < 200000; n++)
        if (!round_trip(n)) {
            bad++;
            vnwords_amount(n, got, sizeof got);
            fprintf(stderr, "%" PRId64 ": %s\n", n, got);
        }
    for (int64_t n = 0; n < 200000000; n += 1000)
        bad += !round_trip(n);
    CHECK_INT(bad, 0);
    /* random magnitudes up to INT64_MAX, with runs of zeros */
    bad = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t r = rng();
        int64_t n = (int64_t)(r >> (rng() % 64));
        if (rng() % 3 == 0) { /* zero some groups */
            int64_t p = 1;
            for (int g = 0; g < 6 && p <= INT64_MAX / 1000; g++, p *= 1000)
                if (rng() % 2)
                    n -= (n / p % 1000) * p;
        }
        if (!round_trip(n) || !round_trip(-n)) {
            if (bad++ < 5) {
                vnwords_amount(n, got, sizeof got);
                fprintf(stderr, "%" PRId64 ": %s\n", n, got);
            }
        }
    }
    CHECK_INT(bad, 0);
    bad = 0;
    for (int64_t n = INT64_MAX; n > INT64_MAX - 2000; n--)
        bad += !round_trip(n);
    bad += !round_trip(INT64_MIN + 1);
    CHECK_INT(bad, 0);
    /* the reader itself refuses what is wrong */
    CHECK(read_words("hai mươi một", &neg, &back) != 0);
    CHECK(read_words("mười năm", &neg, &back) != 0);
    CHECK(read_words("hai mươi bốn", &neg, &back) != 0);
    CHECK(read_words("một trăm năm", &neg, &back) != 0);
    CHECK(read_words("mười mốt", &neg, &back) != 0);
    CHECK(read_words("một trăm linh năm", &neg, &back) == 0 && back == 105);
    /* zero-capacity and NULL-free edges */
    CHECK_INT(vnwords_amount(5, got, 0), -VNWORDS_E_BUFFER);
    CHECK_INT(vnwords_number(0, got, sizeof got), 0);
    CHECK_STR(got, "không");
}

int main(void)
{
    test_table();
    test_amounts();
    test_properties();
    return TEST_END();
}
