/*
 * test_csv.c: the payer CSV reader: Excel's exports (BOM, CRLF, semicolon,
 * quoted fields with commas, quotes and line breaks, Vietnamese headers in
 * NFC and NFD), every bad row reported with its line, and a mutation loop
 * (truncations, flipped bytes, random bytes) that must never crash and
 * must always either parse or explain why not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_payers.h"
#include "harness.h"

static int parse(const char *text, size_t len, const char *kind,
                 struct payers_csv *out, json_t **errs)
{
    *errs = NULL;
    memset(out, 0, sizeof(*out));
    return payers_csv_parse(text, len, kind, out, errs);
}

static int64_t err_line(json_t *errs, size_t i)
{
    return json_integer_value(json_object_get(json_array_get(errs, i), "line"));
}

static void good(void)
{
    static const char excel[] =
        "\xEF\xBB\xBF"
        "M\xC3\xA3;H\xE1\xBB\x8D t\xC3\xAAn;L\xE1\xBB\x9Bp;Ph\xE1\xBB\xA5 "
        "huynh\r\n"
        "hs1001;\"Nguy\xE1\xBB\x85n V\xC4\x83n \"\"T\xC3\xA8o\"\"\";6A1;"
        "\"Nguy\xE1\xBB\x85n V\xC4\x83n A;\nB\"\r\n"
        "\r\n"
        "HS1002;\xC4\x90\xE1\xBB\x97 Th\xE1\xBB\x8B Mai;6A2;\r\n";
    /* "Mã" and "Họ tên" written decomposed (NFD), as macOS does */
    static const char nfd[] = "Ma\xCC\x83,Ho\xCC\xA3 te\xCC\x82n,Khu\n"
                              "A-1,Le\xCC\x82 Va\xCC\x86n Nam,A\n";
    struct payers_csv p;
    json_t *e;

    CHECK_INT(parse(excel, sizeof(excel) - 1, "school", &p, &e), 0);
    CHECK_INT(p.n, 2);
    if (p.n == 2) {
        CHECK_STR(p.rows[0].code, "HS1001");
        CHECK_STR(p.rows[0].name, "Nguyễn Văn \"Tèo\"");
        CHECK_STR(p.rows[0].class_name, "6A1");
        CHECK_STR(p.rows[0].guardian, "Nguyễn Văn A;\nB");
        CHECK_STR(p.rows[1].name, "Đỗ Thị Mai");
        CHECK_STR(p.rows[1].guardian, "");
    }
    payers_csv_free(&p);
    CHECK_INT(parse(nfd, sizeof(nfd) - 1, "market", &p, &e), 0);
    CHECK_INT(p.n, 1);
    if (p.n == 1) {
        CHECK_STR(p.rows[0].zone, "A");
        CHECK_STR(p.rows[0].category, "A"); /* category defaults to zone */
    }
    payers_csv_free(&p);
    payers_csv_free(NULL);
}

static void bad(void)
{
    static const char rows[] = "code,name,zone,bank_bin,bank_account\n"
                               "A-1,Ok,A,,\n"
                               "A-2,,A,,\n"               /* 3: no name */
                               "A-3,Bin,A,97043,123456\n" /* 4: bin */
                               "A-4,Acct,A,970436,\n"     /* 5: pair */
                               "A-1,Again,A,,\n"          /* 6: dup */
                               "A-5,Short\n"              /* 7: fields */
                               "A/6,Slash,A,,\n";         /* 8: code */
    struct payers_csv p;
    json_t *e = NULL;
    size_t i;

    CHECK_INT(parse(rows, sizeof(rows) - 1, "market", &p, &e), -1);
    CHECK_INT(json_array_size(e), 6);
    for (i = 0; i < 6; i++)
        CHECK_INT(err_line(e, i), (int64_t)i + 3);
    json_decref(e);
    /* a school's file may not have a market's columns */
    CHECK_INT(parse("code,name,zone\nX,Y,A\n", 21, "school", &p, &e), -1);
    CHECK_INT(err_line(e, 0), 1);
    json_decref(e);
    CHECK_INT(parse("code,name\n\"X,Y\n", 15, "school", &p, &e), -1);
    json_decref(e);
    CHECK_INT(parse("", 0, "market", &p, &e), -1);
    json_decref(e);
    CHECK_INT(parse("code,name\n", 10, "market", &p, &e), -1);
    json_decref(e);
    CHECK_INT(parse("code,name\nA,\xC3\x28\n", 15, "market", &p, &e), -1);
    json_decref(e);
    CHECK_INT(parse("code,name\nA,b\0c\n", 16, "market", &p, &e), -1);
    json_decref(e);
}

/* The input is bytes, not a string: no NUL after it (found by fuzzing). */
static void unterminated(void)
{
    static const char text[] = "code,name\nA-1,Lan";
    char *b = malloc(sizeof(text) - 1);
    struct payers_csv p;
    json_t *e;
    size_t n;

    for (n = 0; n < sizeof(text) - 1; n++) {
        char *c = malloc(n ? n : 1);

        memcpy(c, text, n);
        if (parse(c, n, "market", &p, &e) == 0)
            payers_csv_free(&p);
        json_decref(e);
        free(c);
    }
    memcpy(b, text, sizeof(text) - 1);
    CHECK_INT(parse(b, sizeof(text) - 1, "market", &p, &e), 0);
    CHECK_INT(p.n, 1);
    payers_csv_free(&p);
    free(b);
}

static void mutations(void)
{
    static const char seed[] = "\xEF\xBB\xBF"
                               "code,name,zone,category\r\n"
                               "A-1,\"Tr\xE1\xBA\xA7n, Th\xE1\xBB\x8B\",A,\r\n"
                               "B-2,Ph\xE1\xBA\xA1m \"\"x\"\",B,VIP\r\n";
    char buf[256];
    unsigned s = 12345;
    int i, ok = 0, refused = 0, silent = 0;

    for (i = 0; i < 30000; i++) {
        size_t len = sizeof(seed) - 1, k;
        struct payers_csv p;
        json_t *e = NULL;
        int rc;

        memcpy(buf, seed, len);
        s = s * 1103515245u + 12345u;
        switch ((s >> 16) % 4) {
        case 0: /* truncate */
            len = (s >> 8) % len;
            break;
        case 1: /* flip bytes */
            for (k = 0; k < 1 + (s >> 20) % 4; k++) {
                s = s * 1103515245u + 12345u;
                buf[(s >> 8) % len] = (char)(s >> 24);
            }
            break;
        case 2: /* insert separators and quotes */
            for (k = 0; k < 3; k++) {
                s = s * 1103515245u + 12345u;
                buf[(s >> 8) % len] = ",\";\r\n"[(s >> 20) % 5];
            }
            break;
        default: /* random bytes */
            len = (s >> 8) % sizeof(buf);
            for (k = 0; k < len; k++) {
                s = s * 1103515245u + 12345u;
                buf[k] = (char)(s >> 24);
            }
        }
        rc = parse(buf, len, (i & 1) ? "market" : "school", &p, &e);
        if (rc == 0) {
            ok++;
            CHECK(p.n > 0);
            payers_csv_free(&p);
        } else if (json_array_size(e) > 0) {
            refused++;
        } else {
            silent++;
        }
        json_decref(e);
    }
    CHECK(ok > 100);
    CHECK(refused > 100);
    CHECK_INT(silent, 0);
}

int main(void)
{
    good();
    bad();
    unterminated();
    mutations();
    return TEST_END();
}
