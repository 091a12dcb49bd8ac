/*
 * test_receipt.c: receipts and their Ed25519 signatures. RFC 8032 §7.1
 * test vectors 1, 2, 3 and the 1023-byte one through our wrapper; key
 * generation and PEM round trips; sign/verify round trips; every
 * single-byte change of a receipt text refused; wrong keys and malformed
 * texts refused with the precise reason.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "harness.h"
#include "receipt.h"

/* RFC 8032 §7.1, TEST 1, 2, 3 and TEST 1024 (1023-byte message). */
struct vec {
    const char *sk, *pk, *msg, *sig;
};

static const char msg1024[] =
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
    "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
    "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
    "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
    "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
    "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
    "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
    "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
    "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
    "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
    "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
    "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
    "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
    "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
    "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
    "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
    "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
    "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
    "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
    "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
    "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
    "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0";

static const struct vec vecs[] = {
    {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     msg1024,
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
};

static void unhex(const char *h, uint8_t *out, size_t cap, size_t *n)
{
    if (crypto_unhex(h, strlen(h), out, cap, n) != 0) {
        fprintf(stderr, "bad hex in test vector\n");
        exit(2);
    }
}

static void test_rfc8032(void)
{
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        uint8_t sk[32], pk[32], want[64], sig[64], pub[32];
        static uint8_t msg[1100];
        size_t n, mlen;

        unhex(vecs[i].sk, sk, sizeof sk, &n);
        CHECK_INT(n, 32);
        unhex(vecs[i].pk, pk, sizeof pk, &n);
        unhex(vecs[i].sig, want, sizeof want, &n);
        CHECK_INT(n, 64);
        unhex(vecs[i].msg, msg, sizeof msg, &mlen);
        CHECK_INT(mlen, i == 3 ? 1023 : i);
        CHECK_INT(receipt_public_key(sk, pub), 0);
        CHECK(memcmp(pub, pk, 32) == 0);
        CHECK_INT(receipt_ed25519_sign(sk, msg, mlen, sig), 0);
        CHECK(memcmp(sig, want, 64) == 0);
        CHECK_INT(receipt_ed25519_verify(pk, msg, mlen, want), 0);
        want[i] ^= 0x01;
        CHECK_INT(receipt_ed25519_verify(pk, msg, mlen, want),
                  -RECEIPT_E_SIGNATURE);
        want[i] ^= 0x01;
        if (mlen > 0) {
            msg[mlen - 1] ^= 0x80;
            CHECK_INT(receipt_ed25519_verify(pk, msg, mlen, want),
                      -RECEIPT_E_SIGNATURE);
        }
    }
    /* A signature made with S >= L (S + L) must be refused (malleability):
     * test 1's S plus the group order L, little-endian. */
    {
        static const uint8_t L[32] = {
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
            0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
            0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
        uint8_t pk[32], sig[64];
        size_t n;
        unsigned carry = 0;
        unhex(vecs[0].pk, pk, sizeof pk, &n);
        unhex(vecs[0].sig, sig, sizeof sig, &n);
        for (int i = 0; i < 32; i++) {
            unsigned v = sig[32 + i] + L[i] + carry;
            sig[32 + i] = (uint8_t)v;
            carry = v >> 8;
        }
        CHECK_INT(carry, 0);
        CHECK_INT(receipt_ed25519_verify(pk, "", 0, sig), -RECEIPT_E_SIGNATURE);
    }
}

static void sample(struct receipt *r)
{
    memset(r, 0, sizeof *r);
    strcpy(r->org, "CHOBT");
    strcpy(r->number, "CHOBT-2026-000123");
    strcpy(r->payer, "BT-A012");
    r->amount = 15000;
    r->method = RECEIPT_TRANSFER;
    r->paid_at = receipt_from_civil(2026, 11, 22, 5, 15, 33);
    strcpy(r->ref, "CPK7QX9M2");
}

static void test_calendar(void)
{
    int y, mo, d, h, mi, s;

    CHECK_INT(receipt_from_civil(1970, 1, 1, 0, 0, 0), 0);
    CHECK_INT(receipt_from_civil(2000, 1, 1, 0, 0, 0), RECEIPT_TIME_MIN);
    CHECK_INT(receipt_from_civil(9999, 12, 31, 23, 59, 59), RECEIPT_TIME_MAX);
    /* date -u -d 2026-11-22T05:15:33Z +%s */
    CHECK_INT(receipt_from_civil(2026, 11, 22, 5, 15, 33), 1795324533);
    CHECK_INT(receipt_from_civil(2024, 2, 29, 0, 0, 0), 1709164800);
    CHECK_INT(receipt_from_civil(2023, 2, 29, 0, 0, 0), -1);
    CHECK_INT(receipt_from_civil(2100, 2, 29, 0, 0, 0), -1);
    CHECK_INT(receipt_from_civil(2000, 2, 29, 0, 0, 0), 951782400);
    CHECK_INT(receipt_from_civil(2026, 4, 31, 0, 0, 0), -1);
    CHECK_INT(receipt_from_civil(2026, 1, 1, 24, 0, 0), -1);
    receipt_civil(1795324533, &y, &mo, &d, &h, &mi, &s);
    CHECK(y == 2026 && mo == 11 && d == 22 && h == 5 && mi == 15 && s == 33);
    /* Round trip over a day step across 1970..2400. */
    int bad = 0;
    for (int64_t t = 0; t < INT64_C(13569465600); t += 86400 + 3599) {
        receipt_civil(t, &y, &mo, &d, &h, &mi, &s);
        if (receipt_from_civil(y, mo, d, h, mi, s) != t)
            bad++;
    }
    CHECK_INT(bad, 0);
}

static void test_keys(void)
{
    uint8_t priv[32], pub[32], pub2[32], priv2[32];
    char pem[RECEIPT_PEM_MAX], ppem[RECEIPT_PEM_MAX], kid[9];

    CHECK_INT(receipt_keygen(priv, pub), 0);
    CHECK_INT(receipt_public_key(priv, pub2), 0);
    CHECK(memcmp(pub, pub2, 32) == 0);
    CHECK_INT(receipt_public_pem(pub, pem, sizeof pem), 0);
    CHECK(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
    memset(pub2, 0, 32);
    CHECK_INT(receipt_public_from_pem(pem, strlen(pem), pub2), 0);
    CHECK(memcmp(pub, pub2, 32) == 0);
    CHECK_INT(receipt_private_pem(priv, ppem, sizeof ppem), 0);
    CHECK(strncmp(ppem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
    CHECK_INT(receipt_private_from_pem(ppem, strlen(ppem), priv2), 0);
    CHECK(memcmp(priv, priv2, 32) == 0);
    /* A private key file also yields the public key. */
    memset(pub2, 0, 32);
    CHECK_INT(receipt_public_from_pem(ppem, strlen(ppem), pub2), 0);
    CHECK(memcmp(pub, pub2, 32) == 0);
    /* A public key is not a private key; junk is no key. */
    CHECK_INT(receipt_private_from_pem(pem, strlen(pem), priv2),
              -RECEIPT_E_KEY);
    CHECK_INT(receipt_public_from_pem("junk", 4, pub2), -RECEIPT_E_KEY);
    CHECK_INT(receipt_public_from_pem("", 0, pub2), -RECEIPT_E_KEY);
    CHECK_INT(receipt_public_pem(pub, pem, 20), -RECEIPT_E_BUFFER);
    /* An RSA/EC key is refused (an EC P-256 public key in PEM). */
    static const char ec[] =
        "-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9\n"
        "q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==\n"
        "-----END PUBLIC KEY-----\n";
    CHECK_INT(receipt_public_from_pem(ec, strlen(ec), pub2), -RECEIPT_E_KEY);
    /* Key id: SHA-256 of RFC 8032 test 1's public key, first 4 bytes. */
    uint8_t pk1[32];
    size_t n;
    unhex(vecs[0].pk, pk1, sizeof pk1, &n);
    uint8_t h[32];
    char hx[65];
    crypto_sha256(pk1, 32, h);
    crypto_hex(h, 4, hx);
    for (char *p = hx; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    CHECK_INT(receipt_key_id(pk1, kid), 0);
    CHECK_STR(kid, hx);
}

static void test_round_trip(void)
{
    uint8_t priv[32], pub[32], priv2[32], pub2[32];
    struct receipt r, got;
    char text[RECEIPT_TEXT_MAX], canon[RECEIPT_TEXT_MAX], kid[9];
    size_t n;

    unhex(vecs[0].sk, priv, sizeof priv, &n);
    unhex(vecs[0].pk, pub, sizeof pub, &n);
    receipt_key_id(pub, kid);
    sample(&r);
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), 0);
    /* The exact text: fields, then the signature over them. */
    char want[200];
    snprintf(want, sizeof want,
             "CPR1|CHOBT|%s|CHOBT-2026-000123|BT-A012|15000|CK|"
             "20261122T051533Z|CPK7QX9M2|",
             kid);
    CHECK(strncmp(text, want, strlen(want)) == 0);
    CHECK_INT(strlen(text), strlen(want) + 86);
    /* The signature is a plain Ed25519 signature over the canonical part
     * (so any Ed25519 implementation can check it). */
    strcpy(r.key_id, kid);
    int cn = receipt_canonical(&r, canon, sizeof canon);
    CHECK_INT(cn, (int)strlen(want) - 1);
    CHECK(memcmp(canon, text, (size_t)cn) == 0);
    memset(&got, 0x55, sizeof got);
    CHECK_INT(receipt_verify(text, strlen(text), pub, &got), 0);
    CHECK_STR(got.org, "CHOBT");
    CHECK_STR(got.key_id, kid);
    CHECK_STR(got.number, "CHOBT-2026-000123");
    CHECK_STR(got.payer, "BT-A012");
    CHECK_INT(got.amount, 15000);
    CHECK_INT(got.method, RECEIPT_TRANSFER);
    CHECK_INT(got.paid_at, r.paid_at);
    CHECK_STR(got.ref, "CPK7QX9M2");

    /* Every single-byte change is refused, whatever the new byte. */
    size_t len = strlen(text);
    int accepted = 0, tried = 0;
    for (size_t i = 0; i < len; i++) {
        char orig = text[i];
        for (int v = 0; v < 256; v++) {
            if ((char)v == orig)
                continue;
            text[i] = (char)v;
            tried++;
            if (receipt_verify(text, len, pub, NULL) == 0)
                accepted++;
        }
        text[i] = orig;
    }
    CHECK_INT(accepted, 0);
    CHECK_INT(tried, (int)len * 255);
    /* Truncation at every length and one byte more are refused too. */
    int trunc_ok = 0;
    for (size_t l = 0; l < len; l++)
        if (receipt_verify(text, l, pub, NULL) == 0)
            trunc_ok++;
    CHECK_INT(trunc_ok, 0);
    char longer[RECEIPT_TEXT_MAX + 2];
    snprintf(longer, sizeof longer, "%sA", text);
    CHECK_INT(receipt_verify(longer, len + 1, pub, NULL), -RECEIPT_E_MALFORMED);
    CHECK_INT(receipt_verify(text, len, pub, NULL), 0);

    /* A specific signature change is a bad signature, not malformed. */
    text[len - 10] = text[len - 10] == 'A' ? 'B' : 'A';
    CHECK_INT(receipt_verify(text, len, pub, NULL), -RECEIPT_E_SIGNATURE);
    receipt_sign(&r, priv, text, sizeof text);
    /* An amount change: bad signature. */
    char *amt = strstr(text, "|15000|");
    amt[1] = '9';
    CHECK_INT(receipt_verify(text, len, pub, &got), -RECEIPT_E_SIGNATURE);
    CHECK_INT(got.amount, 15000); /* untouched */
    receipt_sign(&r, priv, text, sizeof text);

    /* Wrong key: another organisation's key. */
    CHECK_INT(receipt_keygen(priv2, pub2), 0);
    CHECK_INT(receipt_verify(text, len, pub2, NULL), -RECEIPT_E_WRONG_KEY);
    /* A forger who copies the real key id still fails the signature. */
    {
        char forged[RECEIPT_TEXT_MAX];
        CHECK_INT(receipt_sign(&r, priv2, forged, sizeof forged), 0);
        memcpy(forged + 11, kid, 8); /* "CPR1|CHOBT|" is 11 bytes */
        CHECK_INT(receipt_verify(forged, strlen(forged), pub, NULL),
                  -RECEIPT_E_SIGNATURE);
    }

    /* Cash, no ref, large amount, earliest and latest time. */
    r.method = RECEIPT_CASH;
    r.ref[0] = '\0';
    r.amount = 1000000000000000;
    r.paid_at = RECEIPT_TIME_MAX;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), 0);
    CHECK(strstr(text, "|1000000000000000|TM|99991231T235959Z||") != NULL);
    CHECK_INT(receipt_verify(text, strlen(text), pub, &got), 0);
    CHECK_INT(got.method, RECEIPT_CASH);
    CHECK_STR(got.ref, "");
    CHECK_INT(got.paid_at, RECEIPT_TIME_MAX);
    CHECK(strlen(text) < RECEIPT_TEXT_MAX);
    /* The longest fields still fit RECEIPT_TEXT_MAX. */
    memset(r.org, 'O', RECEIPT_ORG_MAX);
    r.org[RECEIPT_ORG_MAX] = 0;
    memset(r.number, 'N', RECEIPT_NUMBER_MAX);
    r.number[RECEIPT_NUMBER_MAX] = 0;
    memset(r.payer, 'P', RECEIPT_PAYER_MAX);
    r.payer[RECEIPT_PAYER_MAX] = 0;
    memset(r.ref, 'r', RECEIPT_REF_MAX);
    r.ref[RECEIPT_REF_MAX] = 0;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), 0);
    CHECK_INT(receipt_verify(text, strlen(text), pub, NULL), 0);
    CHECK_INT(receipt_sign(&r, priv, text, 100), -RECEIPT_E_BUFFER);
}

static void test_field_rules(void)
{
    uint8_t priv[32];
    struct receipt r;
    char text[RECEIPT_TEXT_MAX];
    size_t n;

    unhex(vecs[1].sk, priv, sizeof priv, &n);
    sample(&r);
    r.amount = 0;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    r.amount = 1000000000000001;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    strcpy(r.org, "cho");
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    strcpy(r.payer, "A|B");
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    r.payer[0] = '\0';
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    r.paid_at = RECEIPT_TIME_MIN - 1;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    r.method = (enum receipt_method)7;
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
    sample(&r);
    strcpy(r.ref, "with space");
    CHECK_INT(receipt_sign(&r, priv, text, sizeof text), -RECEIPT_E_ARG);
}

static void test_parse_errors(void)
{
    struct receipt r;
    uint8_t sig[64];
    const char *sig86 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    char t[400];

    CHECK_INT(strlen(sig86), 86);
#define P(s) receipt_parse((s), strlen(s), &r, sig)
    snprintf(t, sizeof t,
             "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|"
             "20261122T051533Z|ref|%s",
             sig86);
    CHECK_INT(P(t), 0);
    CHECK_INT(P(""), -RECEIPT_E_VERSION);
    CHECK_INT(P("CPR2|x"), -RECEIPT_E_VERSION);
    CHECK_INT(P("cpr1|x"), -RECEIPT_E_VERSION);
    CHECK_INT(P("https://example.com/"), -RECEIPT_E_VERSION);
    CHECK_INT(P("CPR1|"), -RECEIPT_E_MALFORMED);
    static const char *const bad[] = {
        "CPR1|ORG|0123ABCD|N-1|P1|015000|CK|20261122T051533Z|ref|", /* 0 */
        "CPR1|ORG|0123abcd|N-1|P1|15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABC|N-1|P1|15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|0|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|ck|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261322T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20260230T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|19991231T235959Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261122T051533|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|2026-11-22T05:15|ref|",
        "CPR1||0123ABCD|N-1|P1|15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD||P1|15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|p1|15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|+15000|CK|20261122T051533Z|ref|",
        "CPR1|ORG|0123ABCD|N-1|P1|1000000000000001|CK|20261122T051533Z|r|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261122T051533Z|r f|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261122T051533Z|",
        "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261122T051533Z|ref|x|",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(t, sizeof t, "%s%s", bad[i], sig86);
        int rc = P(t);
        if (rc != -RECEIPT_E_MALFORMED)
            fprintf(stderr, "bad[%zu] gave %d\n", i, rc);
        CHECK_INT(rc, -RECEIPT_E_MALFORMED);
    }
    /* Signature: 85 or 87 chars, '+' '/', padding, non-zero spare bits. */
    const char *head = "CPR1|ORG|0123ABCD|N-1|P1|15000|CK|20261122T051533Z|r|";
    snprintf(t, sizeof t, "%s%.85s", head, sig86);
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s%sA", head, sig86);
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s+%.85s", head, sig86);
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s%.84s==", head, sig86);
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s%.85sB", head, sig86); /* spare bit set */
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s%.85sQ", head, sig86); /* 'Q' = 16: ok */
    CHECK_INT(P(t), 0);
    CHECK_INT(sig[63], 1);
    /* A NUL or a newline inside is malformed (no trailing junk). */
    snprintf(t, sizeof t, "%s%s", head, sig86);
    size_t tl = strlen(t);
    t[20] = '\0';
    CHECK_INT(receipt_parse(t, tl, &r, NULL), -RECEIPT_E_MALFORMED);
    snprintf(t, sizeof t, "%s%s\n", head, sig86);
    CHECK_INT(P(t), -RECEIPT_E_MALFORMED);
#undef P
}

static void test_number(void)
{
    char out[40];

    CHECK_INT(receipt_number("CHOBT", 2026, 123, out, sizeof out), 0);
    CHECK_STR(out, "CHOBT-2026-000123");
    CHECK_INT(receipt_number("CHOBT", 2026, 12345678, out, sizeof out), 0);
    CHECK_STR(out, "CHOBT-2026-12345678");
    CHECK_INT(receipt_number("CHOBT", 2026, 0, out, sizeof out),
              -RECEIPT_E_ARG);
    CHECK_INT(receipt_number("chobt", 2026, 1, out, sizeof out),
              -RECEIPT_E_ARG);
    CHECK_INT(receipt_number("CHOBT", 1999, 1, out, sizeof out),
              -RECEIPT_E_ARG);
    CHECK_INT(receipt_number("CHOBT", 2026, 1, out, 10), -RECEIPT_E_BUFFER);
    CHECK_STR(out, "");
    CHECK_STR(receipt_error_code(-RECEIPT_E_SIGNATURE), "bad_signature");
    CHECK_STR(receipt_error_code(RECEIPT_E_WRONG_KEY), "wrong_key");
    CHECK_STR(receipt_error_code(-99), "unknown_error");
}

int main(void)
{
    test_rfc8032();
    test_calendar();
    test_keys();
    test_round_trip();
    test_field_rules();
    test_parse_errors();
    test_number();
    return TEST_END();
}
