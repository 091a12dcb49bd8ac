/*
 * test_payref.c: payment reference codes: known answers from an
 * independent implementation (tests/data/payref_vectors.tsv), exhaustive
 * substitution/transposition detection on random codes, and recovery from
 * thousands of generated bank-style descriptions, with the false-positive
 * rate on code-free descriptions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "payref.h"
#include "payref_corpus.h"

static const char alphabet[] = PAYREF_ALPHABET;

static FILE *open_data(const char *name)
{
    char path[512];
    const char *dir = getenv("CHOPAY_TESTDATA");

    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", name);
    return fopen(path, "r");
}

static int error_code(const char *name)
{
    static const struct {
        const char *name;
        int rc;
    } map[] = {{"OK", 0},
               {"E_LENGTH", -PAYREF_E_LENGTH},
               {"E_PREFIX", -PAYREF_E_PREFIX},
               {"E_SYMBOL", -PAYREF_E_SYMBOL},
               {"E_CHECK", -PAYREF_E_CHECK}};
    size_t i;

    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].name, name) == 0)
            return map[i].rc;
    return 1000;
}

/* Known answers computed by scripts/gen_payref_vectors.py. */
static void test_vectors(void)
{
    FILE *f = open_data("payref_vectors.tsv");
    char line[256], a[64], b[64], c[64], out[PAYREF_MAX + 1];
    int n_number = 0, n_check = 0, n_symbol = 0;
    unsigned long long n;

    CHECK(f != NULL);
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (sscanf(line, "number\t%63s\t%llu\t%63s", a, &n, b) == 3) {
            CHECK_INT(payref_from_number(a, (uint64_t)n, out), 0);
            CHECK_STR(out, b);
            CHECK_INT(payref_check(b), 0);
            n_number++;
        } else if (sscanf(line, "check\t%63s\t%63s", a, b) == 2) {
            CHECK_INT(payref_check(a), error_code(b));
            n_check++;
        } else if (sscanf(line, "symbol\t%63s\t%63s", a, c) == 2) {
            CHECK_INT(payref_check_symbol(a, strlen(a)), c[0]);
            n_symbol++;
        } else {
            CHECK(!"unparsed vector line");
        }
    }
    fclose(f);
    CHECK(n_number > 100);
    CHECK(n_check > 80);
    CHECK(n_symbol > 5);
}

static void test_basics(void)
{
    char out[PAYREF_MAX + 1], keep[PAYREF_MAX + 1];

    CHECK_INT(strlen(alphabet), PAYREF_RADIX);
    CHECK_INT(payref_prefix_valid("CP"), 0);
    CHECK_INT(payref_prefix_valid("HPX"), 0);
    CHECK_INT(payref_prefix_valid("C"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid("CPXY"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid("cp"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid("C2"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid("CO"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid("IL"), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid(""), -PAYREF_E_PREFIX);
    CHECK_INT(payref_prefix_valid(NULL), -PAYREF_E_PREFIX);

    CHECK_INT(payref_check(NULL), -PAYREF_E_LENGTH);
    CHECK_INT(payref_check(""), -PAYREF_E_LENGTH);
    CHECK_INT(payref_check("CP7K2QF9XV"), 0);
    CHECK_INT(payref_check("CP7K2QF9XV "), -PAYREF_E_PREFIX);
    CHECK_INT(payref_check("CP7K2QF9XVXXXXXXX"), -PAYREF_E_LENGTH);
    CHECK_INT(payref_check_symbol("CP7K2QF9X", 9), 'V');
    CHECK_INT(payref_check_symbol("CP7K2QF9x", 9), 0);
    CHECK_INT(payref_check_symbol("CP", 0), 0);
    CHECK_INT(payref_check_symbol(NULL, 3), 0);
    CHECK_INT(payref_check_symbol("CP7K2QF9XV22", 12), 0);

    /* from_number: range and untouched output on error. */
    strcpy(out, "untouched");
    CHECK_INT(payref_from_number("CP", PAYREF_NUMBERS, out), -PAYREF_E_RANGE);
    CHECK_INT(payref_from_number("C", 0, out), -PAYREF_E_PREFIX);
    CHECK_INT(payref_new("cp", out), -PAYREF_E_PREFIX);
    CHECK_STR(out, "untouched");
    CHECK_INT(payref_from_number("CP", PAYREF_NUMBERS - 1, out), 0);
    CHECK(strncmp(out, "CP9YYYYYY", 9) == 0);
    /* A letter right after the prefix is never issued nor accepted. */
    CHECK_INT(payref_check("CPKHQAFSXX"), -PAYREF_E_SYMBOL);
    CHECK_INT(payref_check("CPX2345678"), -PAYREF_E_SYMBOL);
    CHECK_INT(payref_from_number("CP", 0, keep), 0);
    CHECK(strncmp(keep, "CP2222222", 9) == 0);
    CHECK_INT(payref_from_number("CP", 1, out), 0);
    CHECK(strncmp(out, "CP2222223", 9) == 0 && strcmp(out, keep) != 0);
    CHECK_INT(payref_check(out), 0);
}

/*
 * payref_new: valid, right prefix, a digit first, every position uniform
 * over its symbols (chi-square).
 */
static void test_new(void)
{
    enum { N = 20000 };
    static unsigned counts[PAYREF_BODY_LEN - 1][PAYREF_RADIX];
    char out[PAYREF_MAX + 1], prev[PAYREF_MAX + 1] = "";
    int bad = 0, same = 0;
    double chi, e, worst = 0, worst0 = 0;
    size_t i, p, s, k;

    for (i = 0; i < N; i++) {
        const char *prefix = i % 2 ? "CP" : "HPX";
        size_t plen = strlen(prefix);

        if (payref_new(prefix, out) != 0 || payref_check(out) != 0 ||
            strncmp(out, prefix, plen) != 0 ||
            strlen(out) != plen + PAYREF_BODY_LEN) {
            bad++;
            continue;
        }
        if (strcmp(out, prev) == 0)
            same++;
        strcpy(prev, out);
        for (p = 0; p < PAYREF_BODY_LEN - 1; p++)
            counts[p][strchr(alphabet, out[plen + p]) - alphabet]++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(same, 0);
    /* Position 0: 8 digits, 7 degrees of freedom, P(chi2 > 35) ~ 1e-5.
     * Others: 29 symbols, 28 d.f., P(chi2 > 75) is about 4e-6. */
    for (p = 0; p < PAYREF_BODY_LEN - 1; p++) {
        k = p == 0 ? PAYREF_DIGITS : PAYREF_RADIX;
        e = (double)N / (double)k;
        chi = 0;
        for (s = 0; s < PAYREF_RADIX; s++) {
            if (s >= k) {
                CHECK_INT(counts[p][s], 0);
                continue;
            }
            chi += (counts[p][s] - e) * (counts[p][s] - e) / e;
        }
        if (p == 0)
            worst0 = chi;
        else if (chi > worst)
            worst = chi;
    }
    printf("payref_new: %d codes, chi-square digit %.1f, worst other "
           "position %.1f\n",
           N, worst0, worst);
    CHECK(worst0 < 35.0);
    CHECK(worst < 75.0);
}

/*
 * Every single substitution (by every other alphabet symbol, and by
 * characters outside it) and every transposition of two different
 * characters, adjacent or not, of many random codes is rejected.
 */
static void test_detection(void)
{
    static const char *const prefixes[] = {"CP", "HP", "CH", "ABC", "XYW"};
    struct corpus_rng r = {42};
    char code[PAYREF_MAX + 1], t[PAYREF_MAX + 1];
    long subs = 0, swaps = 0, missed = 0, foreign = 0;
    size_t k, i, j, len, s;

    for (k = 0; k < 3000; k++) {
        const char *prefix = prefixes[k % 5];

        CHECK_INT(
            payref_from_number(prefix, corpus_next(&r) % PAYREF_NUMBERS, code),
            0);
        len = strlen(code);
        for (i = 0; i < len; i++) {
            for (s = 0; s < PAYREF_RADIX; s++) {
                if (alphabet[s] == code[i])
                    continue;
                strcpy(t, code);
                t[i] = alphabet[s];
                subs++;
                if (payref_check(t) == 0)
                    missed++;
            }
            /* Characters outside the alphabet: look-alikes, lower case. */
            for (s = 0; s < 9; s++) {
                strcpy(t, code);
                t[i] = "01ILOUZ a"[s];
                if (payref_check(t) == 0)
                    foreign++;
            }
            for (j = i + 1; j < len; j++) {
                if (code[i] == code[j])
                    continue;
                strcpy(t, code);
                t[i] = code[j];
                t[j] = code[i];
                swaps++;
                if (payref_check(t) == 0)
                    missed++;
            }
        }
    }
    printf("detection: %ld substitutions, %ld transpositions, %ld missed\n",
           subs, swaps, missed);
    CHECK(subs > 800000);
    CHECK(swaps > 100000);
    CHECK_INT(missed, 0);
    CHECK_INT(foreign, 0);
}

static void test_find_examples(void)
{
    static const char *const with[] = {
        "MBVCB.3278907687.CP7K2QF9XV.CT tu 0123456789 NGUYEN VAN A toi 0987",
        "CP7K2 QF9XV",
        "cp7k2qf9xv",
        "CP.7K2QF9XV",
        "CP 7K2QF9XV",
        "IBFT CP7K2QF9XVTHANHTOAN",
        "123456-CP7K2QF9XV-GD 9876",
        "X9CP7K2QF9XV3B",
        "MoMoT12345678901TCP7K2QF9XV",
        "Nguyễn Thị Đào nộp tiền CP7K2QF9XV học phí",
        "TCB-GD 123456/CTR/cp.7k2.qf9.xv",
        "C-P-7-K-2-Q-F-9-X-V",
        "Nguy\xe1\xbb\x85n \xff\xfe CP7K2\xc3QF9XV",
        "CP7K2QF9XV",
    };
    static const char *const without[] = {
        "",
        "chuyen tien",
        "CP7K2QF9XC",  /* check fails */
        "CP7K2QF9X",   /* too short */
        "CP7K2QF0XV",  /* 0 is not in the alphabet */
        "CPX7K2QF9XV", /* CPX not accepted by default */
        "C P",
        "NGUYEN VAN A chuyen khoan FT24327012345678",
    };
    static const char *const three[] = {"HPX", "CP", NULL};
    static const char *const badp[] = {"CP", "C0", NULL};
    char out[PAYREF_MAX + 1], all[4][PAYREF_MAX + 1];
    const char *t;
    size_t i, n = 99;

    for (i = 0; i < sizeof with / sizeof with[0]; i++) {
        strcpy(out, "-");
        CHECK_INT(payref_find(with[i], strlen(with[i]), NULL, out), 0);
        CHECK_STR(out, "CP7K2QF9XV");
    }
    for (i = 0; i < sizeof without / sizeof without[0]; i++) {
        strcpy(out, "untouched");
        CHECK_INT(payref_find(without[i], strlen(without[i]), NULL, out),
                  -PAYREF_E_NOT_FOUND);
        CHECK_STR(out, "untouched");
    }
    CHECK_INT(payref_find(NULL, 0, NULL, out), -PAYREF_E_NOT_FOUND);
    CHECK_INT(payref_find("x", 1, badp, out), -PAYREF_E_PREFIX);

    /* A three-letter prefix from the list. */
    CHECK_INT(payref_from_number("HPX", 123456789, all[0]), 0);
    t = "thanh toan hpx";
    {
        char d[128];

        snprintf(d, sizeof d, "%s %s hoc phi", t, all[0] + 3);
        CHECK_INT(payref_find(d, strlen(d), three, out), 0);
        CHECK_STR(out, all[0]);
        CHECK_INT(payref_find(d, strlen(d), NULL, out), -PAYREF_E_NOT_FOUND);
    }

    /* Two codes: the leftmost one; a glued candidate loses against one
     * that starts a word; find_all lists both, in order, once each. */
    t = "CP2222222T CP7K2QF9XV CP2222222T";
    CHECK_INT(payref_find(t, strlen(t), NULL, out), 0);
    CHECK_STR(out, "CP2222222T");
    CHECK_INT(payref_find_all(t, strlen(t), NULL, all, 4, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(all[0], "CP2222222T");
    CHECK_STR(all[1], "CP7K2QF9XV");
    CHECK_INT(payref_find_all(t, strlen(t), NULL, all, 1, &n), 0);
    CHECK_INT(n, 1);
    t = "ABCP2222222T IBFT CP7K2QF9XV";
    CHECK_INT(payref_find(t, strlen(t), NULL, out), 0);
    CHECK_STR(out, "CP7K2QF9XV");
    t = "ABCP2222222T IBFT";
    CHECK_INT(payref_find(t, strlen(t), NULL, out), 0);
    CHECK_STR(out, "CP2222222T");
    n = 77;
    CHECK_INT(payref_find_all("none", 4, NULL, all, 4, &n),
              -PAYREF_E_NOT_FOUND);
    CHECK_INT(n, 77);
}

/* Generated bank-style descriptions: the exact code comes back. */
static void test_find_generated(void)
{
    enum { N = 20000 };
    static const char *const prefixes[] = {"CP", "HP", NULL};
    struct corpus_rng r = {20261122};
    char code[PAYREF_MAX + 1], out[PAYREF_MAX + 1], d[1024];
    int lost = 0, shown = 0;
    size_t i, len;

    for (i = 0; i < N; i++) {
        CHECK_INT(payref_from_number(prefixes[i % 2],
                                     corpus_next(&r) % PAYREF_NUMBERS, code),
                  0);
        len = corpus_description(&r, code, d, sizeof d);
        if (payref_find(d, len, prefixes, out) != 0 || strcmp(out, code) != 0) {
            lost++;
            if (shown++ < 5)
                fprintf(stderr, "lost %s in: %s\n", code, d);
        }
    }
    printf("find: %d generated descriptions with a code, %d lost\n", N, lost);
    CHECK_INT(lost, 0);
}

/*
 * One substitution or adjacent transposition in the code: find returns
 * nothing, or a valid code that is neither the corrupted string nor the
 * original.
 */
static void test_find_corrupted(void)
{
    enum { N = 20000 };
    struct corpus_rng r = {7};
    char code[PAYREF_MAX + 1], bad[PAYREF_MAX + 1], out[PAYREF_MAX + 1];
    char d[1024];
    int wrong = 0, other = 0;
    size_t i, len, pos;

    for (i = 0; i < N; i++) {
        CHECK_INT(
            payref_from_number("CP", corpus_next(&r) % PAYREF_NUMBERS, code),
            0);
        strcpy(bad, code);
        pos = corpus_below(&r, strlen(code) - 1);
        if (i % 2 == 0) { /* a substitution */
            do
                bad[pos] = alphabet[corpus_below(&r, PAYREF_RADIX)];
            while (bad[pos] == code[pos]);
        } else { /* an adjacent transposition */
            while (code[pos] == code[pos + 1])
                pos = corpus_below(&r, strlen(code) - 1);
            bad[pos] = code[pos + 1];
            bad[pos + 1] = code[pos];
        }
        CHECK(payref_check(bad) != 0);
        len = corpus_description(&r, bad, d, sizeof d);
        if (payref_find(d, len, NULL, out) == 0) {
            other++;
            if (payref_check(out) != 0 || strcmp(out, bad) == 0 ||
                strcmp(out, code) == 0)
                wrong++;
        }
    }
    printf("corrupted: %d descriptions, %d gave another valid code, "
           "%d wrong\n",
           N, other, wrong);
    CHECK_INT(wrong, 0);
    CHECK(other < N / 100);
}

/* Code-free descriptions: nothing is found (false-positive rate). */
static void test_find_false_positives(void)
{
    enum { N = 50000 };
    struct corpus_rng r = {1234};
    char out[PAYREF_MAX + 1], d[1024];
    int fp = 0;
    size_t i, len;

    for (i = 0; i < N; i++) {
        len = corpus_description(&r, NULL, d, sizeof d);
        if (payref_find(d, len, NULL, out) == 0) {
            fp++;
            fprintf(stderr, "false positive %s in: %s\n", out, d);
        }
    }
    printf("false positives: %d of %d code-free descriptions\n", fp, N);
    CHECK_INT(fp, 0);
}

int main(void)
{
    test_vectors();
    test_basics();
    test_new();
    test_detection();
    test_find_examples();
    test_find_generated();
    test_find_corrupted();
    test_find_false_positives();
    return TEST_END();
}
