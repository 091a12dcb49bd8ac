/*
 * test_crypto.c: known-answer tests from outside the project: RFC 4231
 * (HMAC-SHA256/512, test cases 1-7), FIPS 180-2 / NIST SHA-256 examples,
 * RFC 4648 §10 (base64 and base16); strict rejection of bad encodings;
 * constant-time comparisons and the random source.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "harness.h"

/* Decode a hex literal of the test data (must be valid). */
static size_t from_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int rc = crypto_unhex(hex, strlen(hex), out, cap, &n);
    CHECK_INT(rc, 0);
    return rc == 0 ? n : 0;
}

struct hmac_case {
    int id;              /* RFC 4231 §4.N test case number */
    const char *key_hex; /* key, or NULL: `key_byte` x `key_len` */
    int key_byte;
    size_t key_len;
    const char *data; /* ASCII data, or NULL: `data_byte` x `data_len` */
    int data_byte;
    size_t data_len;
    size_t cmp_len; /* bytes compared (16 for the truncation case) */
    const char *sha256;
    const char *sha512;
};

static const struct hmac_case hmac_cases[] = {
    {1, NULL, 0x0b, 20, "Hi There", 0, 0, 0,
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {2, "4a656665", 0, 0, "what do ya want for nothing?", 0, 0, 0,
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
    {3, NULL, 0xaa, 20, NULL, 0xdd, 50, 0,
     "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
     "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
     "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
    {4, "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0, NULL, 0xcd,
     50, 0, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
     "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
     "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
    {5, NULL, 0x0c, 20, "Test With Truncation", 0, 0, 16,
     "a3b6167473100ee06e0c796c2955552b", "415fad6271580a531d4179bc891d87a6"},
    {6, NULL, 0xaa, 131,
     "Test Using Larger Than Block-Size Key - Hash Key "
     "First",
     0, 0, 0,
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
     "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
     "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
    {7, NULL, 0xaa, 131,
     "This is a test using a larger than block-size key and a larger than "
     "block-size data. The key needs to be hashed before being used by the "
     "HMAC algorithm.",
     0, 0, 0,
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
     "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
     "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
};

static void test_hmac(void)
{
    for (size_t i = 0; i < sizeof hmac_cases / sizeof *hmac_cases; i++) {
        const struct hmac_case *c = &hmac_cases[i];
        uint8_t key[256], data[256], want[64], got[64];
        size_t key_len, data_len, n;

        if (c->key_hex) {
            key_len = from_hex(c->key_hex, key, sizeof key);
        } else {
            memset(key, c->key_byte, c->key_len);
            key_len = c->key_len;
        }
        if (c->data) {
            data_len = strlen(c->data);
            memcpy(data, c->data, data_len);
        } else {
            memset(data, c->data_byte, c->data_len);
            data_len = c->data_len;
        }

        n = from_hex(c->sha256, want, sizeof want);
        CHECK_INT(n, c->cmp_len ? c->cmp_len : CRYPTO_SHA256_LEN);
        CHECK_INT(crypto_hmac_sha256(key, key_len, data, data_len, got), 0);
        if (memcmp(got, want, n) != 0)
            fprintf(stderr, "RFC 4231 case %d HMAC-SHA256 mismatch\n", c->id);
        CHECK(memcmp(got, want, n) == 0);

        n = from_hex(c->sha512, want, sizeof want);
        CHECK_INT(n, c->cmp_len ? c->cmp_len : CRYPTO_SHA512_LEN);
        CHECK_INT(crypto_hmac_sha512(key, key_len, data, data_len, got), 0);
        if (memcmp(got, want, n) != 0)
            fprintf(stderr, "RFC 4231 case %d HMAC-SHA512 mismatch\n", c->id);
        CHECK(memcmp(got, want, n) == 0);
    }
    /* empty key and empty data are fine (NULL pointers too) */
    uint8_t a[CRYPTO_SHA256_LEN], b[CRYPTO_SHA256_LEN];
    CHECK_INT(crypto_hmac_sha256(NULL, 0, NULL, 0, a), 0);
    CHECK_INT(crypto_hmac_sha256("", 0, "", 0, b), 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* a NULL pointer with a length is refused */
    CHECK_INT(crypto_hmac_sha256(NULL, 5, "x", 1, a), -1);
    uint8_t c[CRYPTO_SHA512_LEN];
    CHECK_INT(crypto_hmac_sha512("k", 1, NULL, 3, c), -1);
}

static void test_sha256(void)
{
    static const struct {
        const char *data;
        size_t repeat;
        const char *digest;
    } cases[] = {
        /* FIPS 180-2 appendix B.1 and B.2, and the empty message */
        {"abc", 1,
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"", 1,
         "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        /* FIPS 180-2 appendix B.3: one million 'a' */
        {"a", 1000000,
         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = strlen(cases[i].data) * cases[i].repeat;
        char *buf = malloc(len + 1);
        uint8_t got[CRYPTO_SHA256_LEN];
        char hex[2 * CRYPTO_SHA256_LEN + 1];
        if (!buf) {
            CHECK(buf != NULL);
            continue;
        }
        for (size_t r = 0; r < cases[i].repeat; r++)
            memcpy(buf + r * strlen(cases[i].data), cases[i].data,
                   strlen(cases[i].data));
        CHECK_INT(crypto_sha256(buf, len, got), 0);
        crypto_hex(got, sizeof got, hex);
        CHECK_STR(hex, cases[i].digest);
        free(buf);
    }
    uint8_t got[CRYPTO_SHA256_LEN];
    CHECK_INT(crypto_sha256(NULL, 0, got), 0);
    CHECK_INT(crypto_sha256(NULL, 1, got), -1);
}

/* RFC 4648 §10 */
static const char *const rfc4648_plain[] = {"",     "f",     "fo",    "foo",
                                            "foob", "fooba", "foobar"};
static const char *const rfc4648_b64[] = {
    "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const rfc4648_b16[] = {
    "", "66", "666F", "666F6F", "666F6F62", "666F6F6261", "666F6F626172"};

static void test_base64(void)
{
    char out[64];
    uint8_t dec[64];
    size_t n;

    for (size_t i = 0; i < 7; i++) {
        const char *p = rfc4648_plain[i];
        crypto_base64(p, strlen(p), out);
        CHECK_STR(out, rfc4648_b64[i]);
        n = 999;
        CHECK_INT(crypto_unbase64(rfc4648_b64[i], strlen(rfc4648_b64[i]), dec,
                                  sizeof dec, &n),
                  0);
        CHECK_INT(n, strlen(p));
        CHECK(memcmp(dec, p, n) == 0);
        /* exact capacity works, one byte less does not */
        if (n > 0) {
            CHECK_INT(crypto_unbase64(rfc4648_b64[i], strlen(rfc4648_b64[i]),
                                      dec, n, &n),
                      0);
            size_t m = 777;
            CHECK_INT(crypto_unbase64(rfc4648_b64[i], strlen(rfc4648_b64[i]),
                                      dec, n - 1, &m),
                      -1);
            CHECK_INT(m, 777);
        }
    }
    static const char *const bad[] = {
        "Zg=",      /* length not a multiple of 4 */
        "Zg",       /* unpadded */
        "Z===",     /* three pad characters */
        "====",     /* nothing but padding */
        "Zg=a",     /* data after a pad */
        "Z=g=",     /* pad in the middle */
        "Zh==",     /* non-zero unused bits (canonical is Zg==) */
        "Zm9=",     /* non-zero unused bits (canonical is Zm8=) */
        "Zm9v\n",   /* white space */
        "Zm 9v",    /* white space */
        "Zm9v!A==", /* not in the alphabet */
        "Zm9-",     /* base64url alphabet */
        "Zm9_",     /* base64url alphabet */
        "Zg==Zg==", /* padding in a middle quantum */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        n = 555;
        int rc = crypto_unbase64(bad[i], strlen(bad[i]), dec, sizeof dec, &n);
        if (rc != -1)
            fprintf(stderr, "accepted bad base64 \"%s\"\n", bad[i]);
        CHECK_INT(rc, -1);
        CHECK_INT(n, 555);
    }
    /* an embedded NUL within the given length */
    CHECK_INT(crypto_unbase64("Zm\0v", 4, dec, sizeof dec, &n), -1);

    /* all 256 byte values round trip, at every length mod 3 */
    uint8_t all[256];
    char b64[4 * ((256 + 2) / 3) + 1];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    for (size_t len = 250; len <= 256; len++) {
        uint8_t back[256];
        crypto_base64(all, len, b64);
        CHECK_INT(strlen(b64), 4 * ((len + 2) / 3));
        CHECK_INT(crypto_unbase64(b64, strlen(b64), back, sizeof back, &n), 0);
        CHECK_INT(n, len);
        CHECK(memcmp(back, all, len) == 0);
    }
}

static void test_hex(void)
{
    char out[64];
    uint8_t dec[64];
    size_t n;

    for (size_t i = 0; i < 7; i++) {
        const char *p = rfc4648_plain[i];
        crypto_hex(p, strlen(p), out);
        /* crypto_hex writes lower case; RFC 4648 shows upper case */
        char upper[64];
        size_t k;
        for (k = 0; out[k]; k++)
            upper[k] = (out[k] >= 'a' && out[k] <= 'f')
                           ? (char)(out[k] - 'a' + 'A')
                           : out[k];
        upper[k] = '\0';
        CHECK_STR(upper, rfc4648_b16[i]);
        n = 999;
        CHECK_INT(crypto_unhex(rfc4648_b16[i], strlen(rfc4648_b16[i]), dec,
                               sizeof dec, &n),
                  0);
        CHECK_INT(n, strlen(p));
        CHECK(memcmp(dec, p, n) == 0);
        CHECK_INT(crypto_unhex(out, strlen(out), dec, sizeof dec, &n), 0);
        CHECK(memcmp(dec, p, n) == 0);
    }
    crypto_hex("\x00\xff\x10\xab", 4, out);
    CHECK_STR(out, "00ff10ab");
    CHECK_INT(crypto_unhex("aBcD", 4, dec, sizeof dec, &n), 0);
    CHECK_INT(n, 2);
    CHECK(dec[0] == 0xab && dec[1] == 0xcd);

    static const char *const bad[] = {"6",    "666",  "6g", "g6",      "66 6",
                                      " 666", "0x66", "6-", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        n = 555;
        CHECK_INT(crypto_unhex(bad[i], strlen(bad[i]), dec, sizeof dec, &n),
                  -1);
        CHECK_INT(n, 555);
    }
    /* short buffer: nothing written */
    dec[0] = 0x5a;
    CHECK_INT(crypto_unhex("6666", 4, dec, 1, &n), -1);
    CHECK_INT(dec[0], 0x5a);
    CHECK_INT(crypto_unhex("", 0, NULL, 0, &n), 0);
    CHECK_INT(n, 0);
}

static void test_equal(void)
{
    CHECK(crypto_equal("abc", "abc", 3));
    CHECK(!crypto_equal("abc", "abd", 3));
    CHECK(!crypto_equal("xbc", "abc", 3));
    CHECK(crypto_equal("abc", "abd", 2));
    CHECK(crypto_equal(NULL, NULL, 0));

    CHECK(crypto_equal_str("", ""));
    CHECK(crypto_equal_str("secret", "secret"));
    CHECK(!crypto_equal_str("secret", "secreT"));
    CHECK(!crypto_equal_str("secret", "Secret"));
    CHECK(!crypto_equal_str("secret", "secre"));
    CHECK(!crypto_equal_str("secre", "secret"));
    CHECK(!crypto_equal_str("", "a"));
    CHECK(!crypto_equal_str("a", ""));
    CHECK(!crypto_equal_str(NULL, "a"));
    CHECK(!crypto_equal_str("a", NULL));
    CHECK(!crypto_equal_str(NULL, NULL));
    /* a prefix whose next byte would be the other's NUL */
    CHECK(!crypto_equal_str("ab", "abc"));
    CHECK(!crypto_equal_str("abc", "ab"));
    /* bytes >= 0x80 compare as bytes */
    CHECK(crypto_equal_str("\xc4\x91", "\xc4\x91"));
    CHECK(!crypto_equal_str("\xc4\x91", "\xc4\x90"));

    /* many random pairs agree with strcmp */
    int bad = 0;
    for (int i = 0; i < 2000; i++) {
        uint8_t r[8];
        char a[5], b[5];
        if (crypto_random(r, sizeof r) != 0) {
            bad++;
            break;
        }
        size_t la = r[0] % 5, lb = r[1] % 5;
        for (size_t k = 0; k < 4; k++) {
            a[k] = (char)('a' + (r[2 + k % 3] >> k) % 2);
            b[k] = (char)('a' + (r[5 + k % 3] >> k) % 2);
        }
        a[la] = '\0';
        b[lb] = '\0';
        if (crypto_equal_str(a, b) != (strcmp(a, b) == 0))
            bad++;
    }
    CHECK_INT(bad, 0);
}

static void test_random(void)
{
    uint8_t a[64], b[64], zero[64] = {0};

    CHECK_INT(crypto_random(a, sizeof a), 0);
    CHECK_INT(crypto_random(b, sizeof b), 0);
    /* 2^-512 chance of a false failure */
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(memcmp(a, zero, sizeof a) != 0);
    CHECK_INT(crypto_random(NULL, 0), 0);
    CHECK_INT(crypto_random(NULL, 1), -1);

    /* every byte value shows up in 64 KiB (fails with p ~ 256 e^-256) */
    size_t len = 65536;
    uint8_t *big = malloc(len);
    int seen[256] = {0}, missing = 0;
    CHECK(big != NULL);
    if (big && crypto_random(big, len) == 0) {
        for (size_t i = 0; i < len; i++)
            seen[big[i]] = 1;
        for (int i = 0; i < 256; i++)
            missing += !seen[i];
        CHECK_INT(missing, 0);
    }
    free(big);
}

int main(void)
{
    test_hmac();
    test_sha256();
    test_base64();
    test_hex();
    test_equal();
    test_random();
    return TEST_END();
}
