/*
 * test_account.c: the normal form of a collecting account
 * (server/account.c): the forms banks and people write, the BIN in front
 * split off exactly as documented, and nothing guessed beyond it.
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "harness.h"

/* Normalise `text`; "BIN|KEY" into out, or "-" when refused. */
static const char *norm(const char *text, char *out, size_t cap)
{
    char bin[ACCOUNT_BIN_MAX], key[ACCOUNT_KEY_MAX];

    if (account_normalise(text, bin, key, sizeof(key)) != 0) {
        CHECK_STR(key, "");
        CHECK_STR(bin, "");
        snprintf(out, cap, "-");
    } else {
        snprintf(out, cap, "%s|%s", bin, key);
    }
    return out;
}

static void test_forms(void)
{
    char o[128];

    CHECK_STR(norm("1023456789", o, sizeof(o)), "|1023456789");
    CHECK_STR(norm(" 1023-456.789 ", o, sizeof(o)), "|1023456789");
    CHECK_STR(norm("vn12 abc 34", o, sizeof(o)), "|VN12ABC34");
    /* the BIN in front, in the three forms banks write */
    CHECK_STR(norm("970436/0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("970436:0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("970436 0123456789", o, sizeof(o)), "970436|0123456789");
    CHECK_STR(norm("  971005/01-23 ", o, sizeof(o)), "971005|0123");
    /* not a BIN: no separator, another start, too few digits, a dash */
    CHECK_STR(norm("9704360123456789", o, sizeof(o)), "|9704360123456789");
    CHECK_STR(norm("972436/0123456789", o, sizeof(o)), "|9724360123456789");
    CHECK_STR(norm("97043/0123456789", o, sizeof(o)), "|970430123456789");
    CHECK_STR(norm("970436-0123456789", o, sizeof(o)), "|9704360123456789");
    CHECK_STR(norm("VCB/0123456789", o, sizeof(o)), "|VCB0123456789");
    /* spaces around: a lone BIN-like number is an account */
    CHECK_STR(norm("970436 ", o, sizeof(o)), "|970436");
    /* nothing left */
    CHECK_STR(norm("", o, sizeof(o)), "-");
    CHECK_STR(norm(" -./ ", o, sizeof(o)), "-");
    CHECK_STR(norm("970436/", o, sizeof(o)), "-");
    CHECK_STR(norm("970436/ - ", o, sizeof(o)), "-");
    CHECK_STR(norm("\xc4\x91\xc3\xa1", o, sizeof(o)), "-"); /* no ASCII */
}

static void test_capacity(void)
{
    char bin[ACCOUNT_BIN_MAX], key[4];

    /* what does not fit is refused, never cut to something comparable */
    CHECK_INT(account_normalise("1234", bin, key, sizeof(key)), -1);
    CHECK_STR(key, "");
    CHECK_INT(account_normalise("1-2-3", bin, key, sizeof(key)), 0);
    CHECK_STR(key, "123");
    CHECK_INT(account_normalise("1", bin, key, 0), -1);
}

int main(void)
{
    test_forms();
    test_capacity();
    return TEST_END();
}
