/*
 * test_match.c: the pure parts of the matching engine (server/match.c):
 * reference keys that pair one transfer across channels, payment codes as
 * banks rewrite them (codes made with payref_from_number here, rewrapped
 * by hand), and the payer-name score of review suggestions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "match.h"

static void test_ref_key(void)
{
    char k[MATCH_KEY_MAX];

    match_ref_key("MBVCB.3278907687", k, sizeof(k));
    CHECK_STR(k, "3278907687");
    match_ref_key("3278907687", k, sizeof(k));
    CHECK_STR(k, "3278907687");
    match_ref_key("FT26326912345678", k, sizeof(k));
    CHECK_STR(k, "26326912345678");
    match_ref_key("ACB.FT2632600187", k, sizeof(k));
    CHECK_STR(k, "2632600187");
    match_ref_key("12345.9876543", k, sizeof(k)); /* longest run */
    CHECK_STR(k, "9876543");
    match_ref_key("abc-12", k, sizeof(k)); /* no 6-digit run */
    CHECK_STR(k, "ABC12");
    match_ref_key("", k, sizeof(k));
    CHECK_STR(k, "");
    match_ref_key("NONREF", k, sizeof(k));
    CHECK_STR(k, "NONREF");
}

static void test_codes(void)
{
    char a[PAYREF_MAX + 1], b[PAYREF_MAX + 1], text[256];
    char out[MATCH_CODES_MAX][PAYREF_MAX + 1];
    struct bank_txn t;
    size_t n = 0;

    CHECK_INT(payref_from_number("CT", 123456789, a), 0);
    CHECK_INT(payref_from_number("CT", 987654321, b), 0);
    memset(&t, 0, sizeof(t));
    /* the bank glued its prefix, dots for spaces, lower case */
    snprintf(text, sizeof(text), "MBVCB.3278907687.%s.CT tu 0071 Nguyễn Văn",
             a);
    t.description = text;
    match_codes(&t, "CT", out, MATCH_CODES_MAX, &n);
    CHECK_INT(n, 1);
    CHECK_STR(out[0], a);
    /* a provider's own extracted code comes first; no duplicates */
    snprintf(t.provider_code, sizeof(t.provider_code), "%s", b);
    snprintf(text, sizeof(text), "%s va %s", a, b);
    match_codes(&t, "CT", out, MATCH_CODES_MAX, &n);
    CHECK_INT(n, 2);
    CHECK_STR(out[0], b);
    CHECK_STR(out[1], a);
    /* a code whose check symbol fails is no candidate */
    t.provider_code[0] = '\0';
    snprintf(text, sizeof(text), "CK %s", a);
    text[strlen(text) - 1] = text[strlen(text) - 1] == '2' ? '3' : '2';
    match_codes(&t, "CT", out, MATCH_CODES_MAX, &n);
    CHECK_INT(n, 0);
    /* another organisation's prefix is not ours */
    snprintf(text, sizeof(text), "CK %s", a);
    match_codes(&t, "HS", out, MATCH_CODES_MAX, &n);
    CHECK_INT(n, 0);
}

static void test_names(void)
{
    char f[128], g[128];

    match_fold_name("Nguyễn Thị Đào (rau củ)", f, sizeof(f));
    CHECK_STR(f, "NGUYEN THI DAO");
    match_fold_name("NGUYEN THI DAO", g, sizeof(g));
    CHECK_INT(match_name_score(g, f), 100);
    match_fold_name("Trần Thị Đào", f, sizeof(f));
    CHECK_INT(match_name_score(g, f), 66); /* THI DAO of 3 words */
    match_fold_name("Lê Văn Bình", f, sizeof(f));
    CHECK_INT(match_name_score(g, f), 0);
    match_fold_name("Đào", f, sizeof(f)); /* one word, all of it */
    CHECK_INT(match_name_score(g, f), 100);
    CHECK_INT(match_name_score("", f), 0);
    match_fold_name("\xff\xfe bad", f, sizeof(f));
    CHECK_STR(f, "");
}

/* The keys of the transfer identity rule. */
static void test_identity_keys(void)
{
    char k[MATCH_KEY_MAX], *d;

    match_transfer_ref("NONREF", k, sizeof(k));
    CHECK_STR(k, "");
    match_transfer_ref(" notprovided ", k, sizeof(k));
    CHECK_STR(k, "");
    match_transfer_ref("NonRef", k, sizeof(k));
    CHECK_STR(k, "");
    match_transfer_ref("MBVCB.3278907687", k, sizeof(k));
    CHECK_STR(k, "3278907687");
    match_transfer_ref("NONREF1", k, sizeof(k));
    CHECK_STR(k, "NONREF1");
    d = match_desc_key("CT2X4FX95E", "anything");
    CHECK_STR(d, "C:CT2X4FX95E");
    free(d);
    d = match_desc_key("", "Trần Văn Hùng nộp phí chợ, ki-ốt B/07");
    CHECK_STR(d, "D:TRANVANHUNGNOPPHICHOKIOTB07");
    free(d);
    d = match_desc_key(NULL, NULL);
    CHECK_STR(d, "D:");
    free(d);
    match_counter_key(" 0071-000 123.456 ", k, sizeof(k));
    CHECK_STR(k, "0071000123456");
    match_counter_key("vn12 abc", k, sizeof(k));
    CHECK_STR(k, "VN12ABC");
}

int main(void)
{
    test_ref_key();
    test_identity_keys();
    test_codes();
    test_names();
    return TEST_END();
}
