/*
 * test_bank.c: the bank directory. Validates assets/banks.csv itself (six
 * digit unique BINs, valid UTF-8, every BIN of SBV letter 1589/NHNN-TT),
 * spot-checks it against the reference table, exercises lookups by BIN,
 * code and short name, concurrent first use, and the CSV checker's errors.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "harness.h"

extern const unsigned char bank_csv_data[];
extern const size_t bank_csv_data_len;

/* Independent of bank.c: 1 when s is well-formed UTF-8. */
static int utf8_ok(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        int n = *s < 0x80                  ? 0
                : *s >= 0xC2 && *s <= 0xDF ? 1
                : *s >= 0xE0 && *s <= 0xEF ? 2
                : *s >= 0xF0 && *s <= 0xF4 ? 3
                                           : -1;
        if (n < 0)
            return 0;
        if (n == 2 &&
            ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0)))
            return 0;
        for (int i = 1; i <= n; i++)
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        s += n + 1;
    }
    return 1;
}

static void *first_use(void *arg)
{
    const struct bank **out = arg;
    *out = bank_lookup("vcb");
    return NULL;
}

/* Several threads race to the lazy initialisation. */
static void test_concurrent_init(void)
{
    enum { N = 8 };
    pthread_t th[N];
    const struct bank *got[N];
    int started = 0;

    for (int i = 0; i < N; i++) {
        got[i] = NULL;
        if (pthread_create(&th[i], NULL, first_use, &got[i]) == 0)
            started++;
        else
            break;
    }
    CHECK_INT(started, N);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < started; i++) {
        CHECK(got[i] != NULL);
        CHECK(got[i] == got[0]);
    }
}

/* The embedded bytes are the file in the tree, when the tree is here. */
static void test_file_is_embedded(void)
{
    FILE *f = fopen("assets/banks.csv", "rb");
    if (!f) {
        fprintf(stderr, "note: assets/banks.csv not found from the current "
                        "directory; checking the embedded copy only\n");
        return;
    }
    char *buf = malloc(bank_csv_data_len + 2);
    size_t n = buf ? fread(buf, 1, bank_csv_data_len + 1, f) : 0;
    fclose(f);
    CHECK(buf != NULL);
    CHECK_INT(n, bank_csv_data_len);
    CHECK(buf && memcmp(buf, bank_csv_data, bank_csv_data_len) == 0);
    free(buf);
}

static void test_directory(void)
{
    size_t count = 0, lines = 0;
    char err[256] = "";

    CHECK_INT(bank_csv_validate((const char *)bank_csv_data, bank_csv_data_len,
                                &count, err, sizeof err),
              0);
    if (err[0])
        fprintf(stderr, "banks.csv: %s\n", err);
    CHECK_INT(count, bank_count());
    for (size_t i = 0; i < bank_csv_data_len; i++)
        lines += bank_csv_data[i] == '\n';
    CHECK_INT(count, lines - 1); /* every line but the header is a bank */
    CHECK(count >= 70);

    for (size_t i = 0; i < bank_count(); i++) {
        const struct bank *b = bank_at(i);
        CHECK(b != NULL);
        if (!b)
            continue;
        int digits = strlen(b->bin) == 6;
        for (size_t k = 0; k < 6 && digits; k++)
            digits = b->bin[k] >= '0' && b->bin[k] <= '9';
        CHECK(digits);
        if (i > 0)
            CHECK(strcmp(bank_at(i - 1)->bin, b->bin) < 0); /* unique */
        CHECK(utf8_ok(b->name) && utf8_ok(b->short_name) && utf8_ok(b->code));
        CHECK(b->name[0] != '\0');
        CHECK(b->vietqr == 0 || b->vietqr == 1);
        CHECK(bank_by_bin(b->bin) == b);
    }
    CHECK(bank_at(bank_count()) == NULL);
    CHECK(bank_at((size_t)-1) == NULL);
}

/* Every BIN of SBV letter 1589/NHNN-TT (56), from the reference §9. */
static const char *const sbv_bins[] = {
    "970400", "970403", "970405", "970406", "970407", "970408", "970409",
    "970410", "970412", "970414", "970415", "970416", "970418", "970419",
    "970421", "970422", "970423", "970424", "970425", "970426", "970427",
    "970428", "970429", "970430", "970431", "970432", "970433", "970434",
    "970436", "970437", "970438", "970439", "970440", "970441", "970442",
    "970443", "970444", "970446", "970448", "970449", "970452", "970454",
    "970455", "970456", "970457", "970458", "970459", "970460", "970462",
    "970463", "970464", "970465", "970466", "970467", "970468", "970470",
};

static void test_sbv_list(void)
{
    CHECK_INT(sizeof sbv_bins / sizeof *sbv_bins, 56);
    for (size_t i = 0; i < sizeof sbv_bins / sizeof *sbv_bins; i++) {
        const struct bank *b = bank_by_bin(sbv_bins[i]);
        if (!b)
            fprintf(stderr, "SBV BIN %s missing\n", sbv_bins[i]);
        CHECK(b != NULL);
    }
}

struct spot {
    const char *bin, *short_name, *code, *name;
    int vietqr;
};

static const struct spot spots[] = {
    {"970436", "Vietcombank", "VCB",
     "Ng\xc3\xa2n h\xc3\xa0ng TMCP Ngo\xe1\xba\xa1i th\xc6\xb0\xc6\xa1ng "
     "Vi\xe1\xbb\x87t Nam",
     1},
    {"970415", "VietinBank", "ICB", NULL, 1},
    {"970418", "BIDV", "BIDV", NULL, 1},
    {"970405", "Agribank", "VBA", NULL, 1},
    {"970422", "MB Bank", "MB", NULL, 1},
    {"970407", "Techcombank", "TCB", NULL, 1},
    {"970416", "ACB", "ACB", NULL, 1},
    {"970432", "VPBank", "VPB", NULL, 1},
    {"970423", "TPBank", "TPB", NULL, 1},
    {"970403", "Sacombank", "STB", NULL, 1},
    {"422589", "CIMB Bank", "CIMB", NULL, 0},
    {"971025", "MoMo", "",
     "CTCP D\xe1\xbb\x8b"
     "ch V\xe1\xbb\xa5 Di "
     "\xc4\x90\xe1\xbb\x99ng Tr\xe1\xbb\xb1"
     "c "
     "Tuy\xe1\xba\xbfn",
     1},
    {"970408", "GPBank", "GPB", NULL, 0}, /* receive-only */
    {"546034", "CAKE by VPBank", "CAKE", NULL, 1},
    {"546035", "Ubank by VPBank", "Ubank", NULL, 1},
    {"963388", "Timo", "TIMO", NULL, 1},
    {"963369", "Liobank", "", NULL, 1},
    {"971005", "ViettelMoney", "VTLMONEY", NULL, 0},
    {"971011", "VNPTMoney", "VNPTMONEY", "VNPT Money", 0},
    {"970406", "DongA Bank / Vikki Bank", "DOB", NULL, 1},   /* recv/yes */
    {"970449", "LienVietPostBank / LPBank", "LPB", NULL, 1}, /* yes/yes */
    {"970459", "", "",
     "Ng\xc3\xa2n h\xc3\xa0ng TNHH M\xe1\xbb\x99t "
     "Th\xc3\xa0nh Vi\xc3\xaan CIMB Vi\xe1\xbb\x87t Nam",
     0},
    {"533948", "Citibank", "CITIBANK",
     "Ng\xc3\xa2n h\xc3\xa0ng Citibank, N.A. - Chi nh\xc3\xa1nh "
     "H\xc3\xa0 N\xe1\xbb\x99i",
     0}, /* a quoted CSV field */
    {"977777", "MAFC", "MAFC", NULL, 0},
};

static void test_spot_checks(void)
{
    for (size_t i = 0; i < sizeof spots / sizeof *spots; i++) {
        const struct spot *s = &spots[i];
        const struct bank *b = bank_by_bin(s->bin);
        CHECK(b != NULL);
        if (!b) {
            fprintf(stderr, "BIN %s missing\n", s->bin);
            continue;
        }
        CHECK_STR(b->bin, s->bin);
        CHECK_STR(b->short_name, s->short_name);
        CHECK_STR(b->code, s->code);
        if (s->name)
            CHECK_STR(b->name, s->name);
        CHECK_INT(b->vietqr, s->vietqr);
    }
}

static void test_lookup(void)
{
    static const struct {
        const char *query, *bin;
    } cases[] = {
        {"970436", "970436"},
        {"vcb", "970436"},
        {"VCB", "970436"},
        {" v c b ", "970436"},
        {"Vietcombank", "970436"},
        {"VIETCOMBANK", "970436"},
        {"mb bank", "970422"},
        {"MBBank", "970422"},
        {"mb", "970422"},
        {"MB", "970422"},
        {"mbv", "970414"},
        {"ocean bank", "970414"},
        {"oceanbank", "970414"},
        {"LPBank", "970449"},
        {"lienvietpostbank", "970449"},
        {"lpb", "970449"},
        {"Vikki Bank", "970406"},
        {"donga bank", "970406"},
        {"icb", "970415"},
        {"vietinbank", "970415"},
        {"bidv", "970418"},
        {"agribank", "970405"},
        {"vba", "970405"},
        {"tcb", "970407"},
        {"acb", "970416"},
        {"vpbank", "970432"},
        {"tpb", "970423"},
        {"stb", "970403"},
        {"sacombank", "970403"},
        {"CIMB", "422589"},
        {"cimb bank", "422589"},
        {"momo", "971025"},
        {"cake", "546034"},
        {"cake by vpbank", "546034"},
        {"ubank", "546035"},
        {"timo", "963388"},
        {"liobank", "963369"},
        {"viettelmoney", "971005"},
        {"vtlmoney", "971005"},
        {"vnptmoney", "971011"},
        {"ibk - hn", "970455"},
        {"IBK-HCM", "970456"},
        {"shb", "970443"},
        {"shbvn", "970424"},
        {"shinhan bank", "970424"},
        {"970459", "970459"},
        {"gpbank", "970408"},
        {"\tvcb\n", "970436"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct bank *b = bank_lookup(cases[i].query);
        if (!b || strcmp(b->bin, cases[i].bin) != 0)
            fprintf(stderr, "lookup \"%s\": got %s, want %s\n", cases[i].query,
                    b ? b->bin : "NULL", cases[i].bin);
        CHECK(b && strcmp(b->bin, cases[i].bin) == 0);
    }
    static const char *const none[] = {
        "",
        "   ",
        "nosuchbank",
        "97043",
        "9704360",
        "970401",
        "vietcom",
        "vcbx",
        "bank",
        "/",
        "Ng\xc3\xa2n h\xc3\xa0ng",
        "\xff\xfe",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        CHECK(bank_lookup(none[i]) == NULL);
    CHECK(bank_lookup(NULL) == NULL);
    CHECK(bank_by_bin(NULL) == NULL);
    CHECK(bank_by_bin("") == NULL);
    CHECK(bank_by_bin("97043x") == NULL);
    CHECK(bank_by_bin("9704360") == NULL);
    CHECK(bank_by_bin("vcb") == NULL); /* bank_by_bin takes BINs only */
}

#define HDR "bin,short_name,code,name,vietqr\n"

static void test_validate(void)
{
    static const struct {
        const char *csv;
        int rc;
        const char *err; /* a substring of the message */
    } cases[] = {
        {HDR "970436,Vietcombank,VCB,Ngân hàng,1\n", 0, NULL},
        /* RFC 4180: quotes, commas, doubled quotes, CRLF, no final EOL */
        {"bin,short_name,code,name,vietqr\r\n"
         "970436,\"Viet, \"\"com\"\"\",VCB,\"A, B\",1\r\n"
         "970415,VietinBank,ICB,X,0",
         0, NULL},
        {"\xef\xbb\xbf" HDR "970436,V,VCB,N,1\n", 0, NULL}, /* BOM */
        {"", -1, "no header"},
        {HDR, -1, "no banks"},
        {"bin,short,code,name,vietqr\n970436,V,C,N,1\n", -1, "line 1"},
        {HDR "97043,V,C,N,1\n", -1, "line 2: BIN is not six digits"},
        {HDR "9704361,V,C,N,1\n", -1, "six digits"},
        {HDR "97043a,V,C,N,1\n", -1, "six digits"},
        {HDR "970436,V,C,N,1\n970436,W,D,M,0\n", -1, "line 3: duplicate BIN"},
        {HDR "970436,V,C,N,2\n", -1, "vietqr is not 0 or 1"},
        {HDR "970436,V,C,N,yes\n", -1, "vietqr"},
        {HDR "970436,V,C,,1\n", -1, "name empty"},
        {HDR "970436,V,C,N\n", -1, "expected five fields"},
        {HDR "970436,V,C,N,1,x\n", -1, "more than five fields"},
        {HDR "970436,V,C,N,1\n\n970415,W,D,M,1\n", -1, "line 3: empty"},
        {HDR "970436,V,C,\"N,1\n", -1, "line break inside"},
        {HDR "970436,V,C,\"N,1", -1, "unterminated"},
        {HDR "970436,V,C,\"N\"x,1\n", -1, "after a closing quote"},
        {HDR "970436,V,C,N\"x,1\n", -1, "quote inside a bare field"},
        {HDR "970436,V,C,N\xc3,1\n", -1, "UTF-8"},
        {HDR "970436,V,C,N\xc0\xaf,1\n", -1, "UTF-8"},     /* overlong */
        {HDR "970436,V,C,N\xed\xa0\x80,1\n", -1, "UTF-8"}, /* surrogate */
        {HDR "970436,V,C,N\tM,1\n", -1, "control"},
        {HDR "970436,V,C,N,1\r970415,W,D,M,1\n", -1, "carriage return"},
        {HDR "970436,Vietcombank,VCB,N,1\n970415,VCB,ICB,M,1\n", -1,
         "'vcb' names"},
        {HDR "970436,A / Viet Com,VCB,N,1\n970415,vietcom,ICB,M,1\n", -1,
         "'vietcom' names"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char err[256] = "";
        size_t count = 999;
        int rc = bank_csv_validate(cases[i].csv, strlen(cases[i].csv), &count,
                                   err, sizeof err);
        if (rc != cases[i].rc || (cases[i].err && !strstr(err, cases[i].err)))
            fprintf(stderr, "validate case %zu: rc %d, err \"%s\"\n", i, rc,
                    err);
        CHECK_INT(rc, cases[i].rc);
        if (cases[i].err)
            CHECK(strstr(err, cases[i].err) != NULL);
        if (rc == 0)
            CHECK(count >= 1 && count <= 2);
        else
            CHECK_INT(count, 999);
    }
    /* an embedded NUL byte */
    char err[128];
    CHECK_INT(bank_csv_validate(HDR "970436,V,C,N\0x,1\n", sizeof HDR + 16,
                                NULL, err, sizeof err),
              -1);
    CHECK(strstr(err, "NUL") != NULL);
    CHECK_INT(bank_csv_validate(NULL, 0, NULL, NULL, 0), -1);
    CHECK_INT(bank_csv_validate(HDR "x", sizeof HDR, NULL, NULL, 0), -1);
}

int main(void)
{
    test_concurrent_init();
    test_file_is_embedded();
    test_directory();
    test_sbv_list();
    test_spot_checks();
    test_lookup();
    test_validate();
    return TEST_END();
}
