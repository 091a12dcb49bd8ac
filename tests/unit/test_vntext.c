/*
 * test_vntext.c: Vietnamese folding and strict UTF-8. Known answers come
 * from tests/data/vntext_fold.tsv (every Vietnamese letter in NFC and NFD,
 * built with python3 unicodedata); the decoder is checked exhaustively
 * against an independent encoder over the whole code space.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vntext.h"

static FILE *open_data(const char *name)
{
    char path[512];
    const char *dir = getenv("CHOPAY_TESTDATA");

    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return fopen(path, "r");
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode hex `h` into `out`; returns the length or -1. */
static long unhex(const char *h, unsigned char *out, size_t cap)
{
    size_t n = 0;

    if (strcmp(h, "-") == 0)
        return 0;
    while (h[0] && h[1]) {
        int a = hexval(h[0]), b = hexval(h[1]);

        if (a < 0 || b < 0 || n == cap)
            return -1;
        out[n++] = (unsigned char)(a * 16 + b);
        h += 2;
    }
    return h[0] ? -1 : (long)n;
}

static void test_vectors(void)
{
    FILE *f = open_data("vntext_fold.tsv");
    char line[1024], *hex, *field, *save = NULL;
    const char *exp;
    unsigned char in[256];
    char out[300];
    int rows = 0, bad_utf8 = 0;
    size_t olen;
    long n;

    CHECK(f != NULL);
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        hex = strtok_r(line, "\t\n", &save);
        field = strtok_r(NULL, "\t\n", &save);
        if (hex == NULL || field == NULL) {
            CHECK(!"bad vector line");
            continue;
        }
        exp = field;
        n = unhex(hex, in, sizeof in);
        CHECK(n >= 0);
        if (n < 0)
            continue;
        rows++;
        memset(out, 'x', sizeof out);
        olen = 9999;
        if (strcmp(exp, "!UTF8") == 0) {
            bad_utf8++;
            CHECK_INT(vntext_fold((const char *)in, (size_t)n, out, sizeof out,
                                  &olen),
                      -VNTEXT_E_UTF8);
            CHECK_STR(out, "");
            CHECK_INT(olen, 9999);
            CHECK_INT(vntext_utf8_valid((const char *)in, (size_t)n),
                      -VNTEXT_E_UTF8);
            continue;
        }
        if (strcmp(exp, "-") == 0)
            exp = "";
        /* A buffer of exactly len + 1 always suffices. */
        CHECK_INT(
            vntext_fold((const char *)in, (size_t)n, out, (size_t)n + 1, &olen),
            0);
        if (strcmp(out, exp) != 0)
            fprintf(stderr, "vector %s: got \"%s\" want \"%s\"\n", hex, out,
                    exp);
        CHECK_STR(out, exp);
        CHECK_INT(olen, strlen(exp));
        CHECK(olen <= (size_t)n);
        CHECK_INT(vntext_utf8_valid((const char *)in, (size_t)n), 0);
    }
    fclose(f);
    /* 132 Vietnamese vowel letters x NFC/NFD + plain vowels + đ Đ ... */
    CHECK(rows > 1000);
    CHECK(bad_utf8 >= 20);
}

static void test_examples(void)
{
    /* "Nguyễn Thị Đào", precomposed and decomposed. */
    static const char nfc[] = "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b \xc4\x90\xc3"
                              "\xa0o";
    static const char nfd[] = "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 \xc4\x90"
                              "a\xcc\x80o";
    char out[64], small[5];
    size_t n = 0;

    CHECK_INT(vntext_fold(nfc, strlen(nfc), out, sizeof out, &n), 0);
    CHECK_STR(out, "NGUYEN THI DAO");
    CHECK_INT(n, 14);
    CHECK_INT(vntext_fold(nfd, strlen(nfd), out, sizeof out, NULL), 0);
    CHECK_STR(out, "NGUYEN THI DAO");
    CHECK_INT(vntext_fold("\xc4\x91\xc4\x90", 4, out, sizeof out, NULL), 0);
    CHECK_STR(out, "DD");

    /* Buffer too small: error and "", exact fit works. */
    strcpy(small, "zzzz");
    CHECK_INT(vntext_fold("abcde", 5, small, sizeof small, &n),
              -VNTEXT_E_BUFFER);
    CHECK_STR(small, "");
    CHECK_INT(vntext_fold("abcd", 4, small, sizeof small, &n), 0);
    CHECK_STR(small, "ABCD");
    CHECK_INT(vntext_fold("  a  b  ", 8, small, 4, &n), 0);
    CHECK_STR(small, "A B");
    CHECK_INT(vntext_fold("a", 1, small, 0, &n), -VNTEXT_E_BUFFER);
    CHECK_INT(vntext_fold("", 0, small, 0, &n), -VNTEXT_E_BUFFER);
    CHECK_INT(vntext_fold(NULL, 0, small, 1, &n), 0);
    CHECK_STR(small, "");
    CHECK_INT(n, 0);
    /* Invalid UTF-8 wins over nothing: out is "" and the code says why. */
    CHECK_INT(vntext_fold("ok\xe1\xbb", 4, out, sizeof out, &n),
              -VNTEXT_E_UTF8);
    CHECK_STR(out, "");
}

/* Independent reference encoder (RFC 3629). */
static size_t encode(uint32_t c, unsigned char *b)
{
    if (c < 0x80) {
        b[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (unsigned char)(0xC0 | (c >> 6));
        b[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (c >> 12));
        b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    b[0] = (unsigned char)(0xF0 | (c >> 18));
    b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

/*
 * Every code point round-trips (surrogates are refused); every byte
 * string of length 1-3 is accepted exactly when it is the encoding of one
 * scalar value; truncations of every valid sequence are refused; every
 * fold stays within the UTF-8 length and is upper-case printable ASCII.
 */
static void test_decoder_exhaustive(void)
{
    unsigned char b[4];
    uint32_t c, cp;
    size_t n, used, k, fn;
    long bad_rt = 0, bad_sur = 0, bad_trunc = 0, bad_fold = 0;
    long bad_seq = 0, checked = 0;
    char f[2];
    unsigned long x;

    for (c = 0; c <= 0x10FFFF; c++) {
        n = encode(c, b);
        cp = 0xFFFFFFFF;
        used = 99;
        if (c >= 0xD800 && c <= 0xDFFF) {
            if (vntext_utf8_decode((char *)b, n, &cp, &used) == 0 ||
                cp != 0xFFFFFFFF || used != 99)
                bad_sur++;
            continue;
        }
        if (vntext_utf8_decode((char *)b, n, &cp, &used) != 0 || cp != c ||
            used != n)
            bad_rt++;
        for (k = 1; k < n; k++)
            if (vntext_utf8_decode((char *)b, k, &cp, &used) == 0)
                bad_trunc++;
        fn = vntext_fold_cp(c, f);
        if (fn > n || fn > 2)
            bad_fold++;
        for (k = 0; k < fn && k < 2; k++)
            if (f[k] < 0x20 || f[k] > 0x7E || (f[k] >= 'a' && f[k] <= 'z'))
                bad_fold++;
    }
    CHECK_INT(bad_rt, 0);
    CHECK_INT(bad_sur, 0);
    CHECK_INT(bad_trunc, 0);
    CHECK_INT(bad_fold, 0);

    /* All 1-, 2- and 3-byte strings (16.8 million). */
    for (x = 0; x < 0x1000000UL; x++) {
        unsigned char s[3] = {(unsigned char)(x >> 16), (unsigned char)(x >> 8),
                              (unsigned char)x};
        int want, got;

        /* Whole 3-byte string is exactly one scalar value? */
        got = vntext_utf8_decode((char *)s, 3, &cp, &used) == 0 && used == 3;
        want = 0;
        if (s[0] >= 0xE0 && s[0] <= 0xEF && (s[1] & 0xC0) == 0x80 &&
            (s[2] & 0xC0) == 0x80) {
            c = ((uint32_t)(s[0] & 0x0F) << 12) |
                ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3Fu);
            want = c >= 0x800 && !(c >= 0xD800 && c <= 0xDFFF);
        }
        if (got != want)
            bad_seq++;
        checked++;
        if ((x & 0xFF) == 0) { /* 2-byte strings, once per (s0, s1) */
            got =
                vntext_utf8_decode((char *)s, 2, &cp, &used) == 0 && used == 2;
            want = s[0] >= 0xC2 && s[0] <= 0xDF && (s[1] & 0xC0) == 0x80;
            if (got != want)
                bad_seq++;
        }
        if ((x & 0xFFFF) == 0) { /* 1-byte strings */
            got = vntext_utf8_decode((char *)s, 1, &cp, &used) == 0;
            if (got != (s[0] < 0x80))
                bad_seq++;
        }
    }
    CHECK_INT(bad_seq, 0);
    CHECK_INT(checked, 0x1000000L);

    /* 4-byte boundaries. */
    CHECK_INT(vntext_utf8_valid("\xf0\x90\x80\x80", 4), 0);
    CHECK_INT(vntext_utf8_valid("\xf4\x8f\xbf\xbf", 4), 0);
    CHECK_INT(vntext_utf8_valid("\xf4\x90\x80\x80", 4), -VNTEXT_E_UTF8);
    CHECK_INT(vntext_utf8_valid("\xf0\x8f\xbf\xbf", 4), -VNTEXT_E_UTF8);
    CHECK_INT(vntext_utf8_valid("\xf0\x90\x80\x7f", 4), -VNTEXT_E_UTF8);
    CHECK_INT(vntext_utf8_valid("\xf0\x90\xc0\x80", 4), -VNTEXT_E_UTF8);
    CHECK_INT(vntext_utf8_valid("\xf5\x80\x80\x80", 4), -VNTEXT_E_UTF8);
    CHECK_INT(vntext_utf8_decode("", 0, &cp, &used), -VNTEXT_E_UTF8);
}

/* Random byte strings: an error, or upper-case ASCII no longer than the
 * input with no leading, trailing or double space. */
static void test_random(void)
{
    unsigned char in[64];
    char out[65];
    uint64_t s = 99;
    size_t i, k, n, olen;
    long bad = 0, ok = 0;
    int rc;

    for (i = 0; i < 200000; i++) {
        n = (size_t)(s % 64);
        for (k = 0; k < n; k++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            /* Bias towards valid multi-byte text. */
            in[k] = (unsigned char)(s >> 56);
            if ((s >> 20) % 4 == 0)
                in[k] = (unsigned char)(0x80 | (in[k] & 0x3F));
        }
        rc = vntext_fold((char *)in, n, out, n + 1, &olen);
        if (rc == -VNTEXT_E_UTF8) {
            if (out[0] != '\0' || vntext_utf8_valid((char *)in, n) == 0)
                bad++;
            continue;
        }
        if (rc != 0 || olen > n || strlen(out) != olen) {
            bad++;
            continue;
        }
        ok++;
        for (k = 0; k < olen; k++)
            if (out[k] < 0x20 || out[k] > 0x7E ||
                (out[k] >= 'a' && out[k] <= 'z') ||
                (out[k] == ' ' &&
                 (k == 0 || k + 1 == olen || out[k - 1] == ' ')))
                bad++;
    }
    CHECK_INT(bad, 0);
    CHECK(ok > 1000);
}

/* Periods that end labels, written the Vietnamese way in place. */
static void test_periods(void)
{
    static const char *const cases[][2] = {
        {"Tiền thuê sạp khu A 2026-08", "Tiền thuê sạp khu A 08/2026"},
        {"Phí vệ sinh 2026-08-10", "Phí vệ sinh 10/08/2026"},
        {"Học phí 2026-09, Tiền ăn 2026-09-01",
         "Học phí 09/2026, Tiền ăn 01/09/2026"},
        {"2026-12", "12/2026"},
        {"Mã 2026-08X", "Mã 2026-08X"},
        {"A2026-08", "A2026-08"},
        {"Kỳ 2026-8", "Kỳ 2026-8"},
        {"2026-08-1", "2026-08-1"},
        {"", ""},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[96];

        snprintf(buf, sizeof(buf), "%s", cases[i][0]);
        vntext_periods(buf);
        CHECK_STR(buf, cases[i][1]);
    }
}

int main(void)
{
    test_periods();
    test_vectors();
    test_examples();
    test_decoder_exhaustive();
    test_random();
    return TEST_END();
}
