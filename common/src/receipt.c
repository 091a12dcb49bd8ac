/*
 * receipt.c: signed receipt texts (CPR1) and the Ed25519 key handling
 * behind them, on OpenSSL 3's EVP_PKEY_ED25519 (EVP_DigestSign with no
 * digest, i.e. pure Ed25519). Parsing is strict so that every receipt has
 * exactly one accepted text and any altered byte is refused.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "money.h"
#include "receipt.h"

#define SIG_B64_LEN 86 /* unpadded base64url of 64 bytes */

static const char *const codes[RECEIPT_E__COUNT] = {
    [RECEIPT_OK] = "ok",
    [RECEIPT_E_ARG] = "bad_argument",
    [RECEIPT_E_MALFORMED] = "malformed",
    [RECEIPT_E_VERSION] = "unknown_version",
    [RECEIPT_E_WRONG_KEY] = "wrong_key",
    [RECEIPT_E_SIGNATURE] = "bad_signature",
    [RECEIPT_E_KEY] = "bad_key",
    [RECEIPT_E_BUFFER] = "buffer_too_small",
    [RECEIPT_E_CRYPTO] = "crypto_failure",
};

static const char *const messages[RECEIPT_E__COUNT] = {
    [RECEIPT_OK] = "valid",
    [RECEIPT_E_ARG] = "a receipt field is missing or breaks its rules",
    [RECEIPT_E_MALFORMED] = "not a well-formed receipt text",
    [RECEIPT_E_VERSION] = "not a CPR1 receipt (unknown format or version)",
    [RECEIPT_E_WRONG_KEY] = "signed with a different key than the one given",
    [RECEIPT_E_SIGNATURE] = "the signature does not match (altered/forged)",
    [RECEIPT_E_KEY] = "not a valid Ed25519 key",
    [RECEIPT_E_BUFFER] = "output buffer too small",
    [RECEIPT_E_CRYPTO] = "cryptographic operation failed",
};

static int err_index(int rc)
{
    if (rc < 0)
        rc = -rc;
    return rc < RECEIPT_E__COUNT ? rc : -1;
}

const char *receipt_error_code(int rc)
{
    int i = err_index(rc);
    return i < 0 ? "unknown_error" : codes[i];
}

const char *receipt_strerror(int rc)
{
    int i = err_index(rc);
    return i < 0 ? "unknown error" : messages[i];
}

/* --- calendar ---------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int64_t receipt_from_civil(int year, int month, int day, int hour, int minute,
                           int second)
{
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > days_in_month(year, month) || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 59)
        return -1;
    return days_from_civil(year, month, day) * 86400 + hour * 3600 +
           minute * 60 + second;
}

void receipt_civil(int64_t t, int *year, int *month, int *day, int *hour,
                   int *minute, int *second)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;

    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
    *hour = (int)(secs / 3600);
    *minute = (int)(secs / 60 % 60);
    *second = (int)(secs % 60);
}

/* --- base64url (RFC 4648 §5, unpadded, canonical) ---------------------- */

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Encode 64 bytes into 86 characters and a NUL. */
static void sig_encode(const uint8_t sig[RECEIPT_SIG_LEN],
                       char out[SIG_B64_LEN + 1])
{
    size_t o = 0;
    size_t i = 0;

    for (; i + 3 <= RECEIPT_SIG_LEN; i += 3) {
        uint32_t v =
            (uint32_t)sig[i] << 16 | (uint32_t)sig[i + 1] << 8 | sig[i + 2];
        out[o++] = b64url[v >> 18 & 63];
        out[o++] = b64url[v >> 12 & 63];
        out[o++] = b64url[v >> 6 & 63];
        out[o++] = b64url[v & 63];
    }
    /* 64 = 21 * 3 + 1: one byte left, two characters. */
    uint32_t v = (uint32_t)sig[i] << 16;
    out[o++] = b64url[v >> 18 & 63];
    out[o++] = b64url[v >> 12 & 63];
    out[o] = '\0';
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

/* Decode exactly 86 characters; refuses non-zero unused bits. */
static int sig_decode(const char *s, uint8_t sig[RECEIPT_SIG_LEN])
{
    uint8_t tmp[RECEIPT_SIG_LEN];
    int v[SIG_B64_LEN];
    size_t o = 0;

    for (int i = 0; i < SIG_B64_LEN; i++)
        if ((v[i] = b64url_value(s[i])) < 0)
            return -1;
    for (int i = 0; i + 4 <= 84; i += 4) {
        uint32_t w = (uint32_t)v[i] << 18 | (uint32_t)v[i + 1] << 12 |
                     (uint32_t)v[i + 2] << 6 | (uint32_t)v[i + 3];
        tmp[o++] = (uint8_t)(w >> 16);
        tmp[o++] = (uint8_t)(w >> 8);
        tmp[o++] = (uint8_t)w;
    }
    if (v[85] & 15) /* the 4 bits past the last byte must be zero */
        return -1;
    tmp[o] = (uint8_t)(v[84] << 2 | v[85] >> 4);
    memcpy(sig, tmp, sizeof tmp);
    return 0;
}

/* --- keys and raw Ed25519 ---------------------------------------------- */

/*
 * The last private key made into an EVP_PKEY, kept: building one derives
 * the public key (a scalar multiplication, as costly as a signature), and
 * a server signs receipt after receipt with the same organisation's key.
 */
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static uint8_t key_seed[RECEIPT_KEY_LEN];
static EVP_PKEY *key_made;
static char key_made_id[RECEIPT_KEY_ID_LEN + 1]; /* its id, once known */

/* An EVP_PKEY of `priv` (EVP_PKEY_free it), NULL on failure. */
static EVP_PKEY *priv_key(const uint8_t priv[RECEIPT_KEY_LEN])
{
    EVP_PKEY *pk = NULL;

    pthread_mutex_lock(&key_lock);
    if (key_made != NULL &&
        CRYPTO_memcmp(key_seed, priv, RECEIPT_KEY_LEN) == 0 &&
        EVP_PKEY_up_ref(key_made) == 1)
        pk = key_made;
    pthread_mutex_unlock(&key_lock);
    if (pk != NULL)
        return pk;
    pk = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, priv,
                                      RECEIPT_KEY_LEN);
    if (pk == NULL || EVP_PKEY_up_ref(pk) != 1)
        return pk;
    pthread_mutex_lock(&key_lock);
    EVP_PKEY_free(key_made);
    key_made = pk;
    key_made_id[0] = '\0';
    memcpy(key_seed, priv, RECEIPT_KEY_LEN);
    pthread_mutex_unlock(&key_lock);
    return pk;
}

int receipt_public_key(const uint8_t priv[RECEIPT_KEY_LEN],
                       uint8_t pub[RECEIPT_KEY_LEN])
{
    uint8_t tmp[RECEIPT_KEY_LEN];
    size_t n = sizeof tmp;
    EVP_PKEY *pk;
    int rc = -RECEIPT_E_CRYPTO;

    if (!priv || !pub)
        return -RECEIPT_E_ARG;
    if (!(pk = priv_key(priv)))
        return -RECEIPT_E_CRYPTO;
    if (EVP_PKEY_get_raw_public_key(pk, tmp, &n) == 1 && n == sizeof tmp) {
        memcpy(pub, tmp, sizeof tmp);
        rc = 0;
    }
    EVP_PKEY_free(pk);
    return rc;
}

int receipt_keygen(uint8_t priv[RECEIPT_KEY_LEN], uint8_t pub[RECEIPT_KEY_LEN])
{
    uint8_t seed[RECEIPT_KEY_LEN];
    uint8_t p[RECEIPT_KEY_LEN];

    if (!priv || !pub)
        return -RECEIPT_E_ARG;
    if (crypto_random(seed, sizeof seed) != 0 ||
        receipt_public_key(seed, p) != 0) {
        OPENSSL_cleanse(seed, sizeof seed);
        return -RECEIPT_E_CRYPTO;
    }
    memcpy(priv, seed, sizeof seed);
    memcpy(pub, p, sizeof p);
    OPENSSL_cleanse(seed, sizeof seed);
    return 0;
}

int receipt_key_id(const uint8_t pub[RECEIPT_KEY_LEN],
                   char out[RECEIPT_KEY_ID_LEN + 1])
{
    static const char hex[] = "0123456789ABCDEF";
    uint8_t h[CRYPTO_SHA256_LEN];

    if (!pub || !out)
        return -RECEIPT_E_ARG;
    if (crypto_sha256(pub, RECEIPT_KEY_LEN, h) != 0)
        return -RECEIPT_E_CRYPTO;
    for (int i = 0; i < RECEIPT_KEY_ID_LEN / 2; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[RECEIPT_KEY_ID_LEN] = '\0';
    return 0;
}

/* The key id of private key `priv` into out: kept with the key made last,
 * so that signing receipt after receipt hashes its public key once. */
static int priv_key_id(const uint8_t priv[RECEIPT_KEY_LEN],
                       char out[RECEIPT_KEY_ID_LEN + 1])
{
    uint8_t pub[RECEIPT_KEY_LEN];
    int rc;

    pthread_mutex_lock(&key_lock);
    rc = key_made != NULL && key_made_id[0] != '\0' &&
         CRYPTO_memcmp(key_seed, priv, RECEIPT_KEY_LEN) == 0;
    if (rc)
        memcpy(out, key_made_id, RECEIPT_KEY_ID_LEN + 1);
    pthread_mutex_unlock(&key_lock);
    if (rc)
        return 0;
    if ((rc = receipt_public_key(priv, pub)) != 0 ||
        (rc = receipt_key_id(pub, out)) != 0)
        return rc;
    pthread_mutex_lock(&key_lock);
    if (key_made != NULL && CRYPTO_memcmp(key_seed, priv, RECEIPT_KEY_LEN) == 0)
        memcpy(key_made_id, out, RECEIPT_KEY_ID_LEN + 1);
    pthread_mutex_unlock(&key_lock);
    return 0;
}

/* Write pk as PEM (public or private) into out. */
static int write_pem(EVP_PKEY *pk, int private, char *out, size_t cap)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data;
    long n;
    int rc = -RECEIPT_E_CRYPTO;

    if (!bio)
        return rc;
    if (private ? PEM_write_bio_PrivateKey(bio, pk, NULL, NULL, 0, NULL, NULL)
                : PEM_write_bio_PUBKEY(bio, pk)) {
        n = BIO_get_mem_data(bio, &data);
        if (n <= 0) {
            rc = -RECEIPT_E_CRYPTO;
        } else if ((size_t)n >= cap) {
            rc = -RECEIPT_E_BUFFER;
        } else {
            memcpy(out, data, (size_t)n);
            out[n] = '\0';
            rc = 0;
        }
    }
    BIO_free(bio);
    return rc;
}

int receipt_public_pem(const uint8_t pub[RECEIPT_KEY_LEN], char *out,
                       size_t cap)
{
    EVP_PKEY *pk;
    int rc;

    if (!pub || !out)
        return -RECEIPT_E_ARG;
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                     RECEIPT_KEY_LEN);
    if (!pk)
        return -RECEIPT_E_KEY;
    rc = write_pem(pk, 0, out, cap);
    EVP_PKEY_free(pk);
    return rc;
}

int receipt_private_pem(const uint8_t priv[RECEIPT_KEY_LEN], char *out,
                        size_t cap)
{
    EVP_PKEY *pk;
    int rc;

    if (!priv || !out)
        return -RECEIPT_E_ARG;
    if (!(pk = priv_key(priv)))
        return -RECEIPT_E_CRYPTO;
    rc = write_pem(pk, 1, out, cap);
    EVP_PKEY_free(pk);
    return rc;
}

/* Read a PEM key (public or private) of type Ed25519; NULL when not. */
static EVP_PKEY *read_pem(const char *pem, size_t len, int private)
{
    BIO *bio;
    EVP_PKEY *pk;

    if (!pem || len == 0 || len > 16384)
        return NULL;
    if (!(bio = BIO_new_mem_buf(pem, (int)len)))
        return NULL;
    pk = private ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)
                 : PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (!pk && !private) { /* a private key file also gives the public */
        BIO_free(bio);
        if (!(bio = BIO_new_mem_buf(pem, (int)len)))
            return NULL;
        pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    if (pk && EVP_PKEY_get_id(pk) != EVP_PKEY_ED25519) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    return pk;
}

int receipt_public_from_pem(const char *pem, size_t len,
                            uint8_t pub[RECEIPT_KEY_LEN])
{
    uint8_t tmp[RECEIPT_KEY_LEN];
    size_t n = sizeof tmp;
    EVP_PKEY *pk;
    int rc = -RECEIPT_E_KEY;

    if (!pub)
        return -RECEIPT_E_ARG;
    if (!(pk = read_pem(pem, len, 0)))
        return -RECEIPT_E_KEY;
    if (EVP_PKEY_get_raw_public_key(pk, tmp, &n) == 1 && n == sizeof tmp) {
        memcpy(pub, tmp, sizeof tmp);
        rc = 0;
    }
    EVP_PKEY_free(pk);
    return rc;
}

int receipt_private_from_pem(const char *pem, size_t len,
                             uint8_t priv[RECEIPT_KEY_LEN])
{
    uint8_t tmp[RECEIPT_KEY_LEN];
    size_t n = sizeof tmp;
    EVP_PKEY *pk;
    int rc = -RECEIPT_E_KEY;

    if (!priv)
        return -RECEIPT_E_ARG;
    if (!(pk = read_pem(pem, len, 1)))
        return -RECEIPT_E_KEY;
    if (EVP_PKEY_get_raw_private_key(pk, tmp, &n) == 1 && n == sizeof tmp) {
        memcpy(priv, tmp, sizeof tmp);
        rc = 0;
    }
    OPENSSL_cleanse(tmp, sizeof tmp);
    EVP_PKEY_free(pk);
    return rc;
}

int receipt_ed25519_sign(const uint8_t priv[RECEIPT_KEY_LEN], const void *msg,
                         size_t len, uint8_t sig[RECEIPT_SIG_LEN])
{
    uint8_t tmp[RECEIPT_SIG_LEN];
    size_t n = sizeof tmp;
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    int rc = -RECEIPT_E_CRYPTO;

    if (!priv || !sig || (!msg && len))
        return -RECEIPT_E_ARG;
    if (!(pk = priv_key(priv)) || !(ctx = EVP_MD_CTX_new()))
        goto fail;
    if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pk) != 1 ||
        EVP_DigestSign(ctx, tmp, &n, msg ? msg : (const void *)"", len) != 1 ||
        n != sizeof tmp)
        goto fail;
    memcpy(sig, tmp, sizeof tmp);
    rc = 0;
fail:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

int receipt_ed25519_verify(const uint8_t pub[RECEIPT_KEY_LEN], const void *msg,
                           size_t len, const uint8_t sig[RECEIPT_SIG_LEN])
{
    EVP_MD_CTX *ctx = NULL;
    EVP_PKEY *pk = NULL;
    int rc = -RECEIPT_E_CRYPTO;
    int v;

    if (!pub || !sig || (!msg && len))
        return -RECEIPT_E_ARG;
    pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub,
                                     RECEIPT_KEY_LEN);
    if (!pk)
        return -RECEIPT_E_KEY;
    if (!(ctx = EVP_MD_CTX_new()) ||
        EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pk) != 1)
        goto fail;
    v = EVP_DigestVerify(ctx, sig, RECEIPT_SIG_LEN,
                         msg ? msg : (const void *)"", len);
    /* 0: does not verify; < 0: also a refusal (e.g. a point not on the
     * curve in R or the key): never "valid". */
    rc = v == 1 ? 0 : -RECEIPT_E_SIGNATURE;
fail:
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pk);
    return rc;
}

/* --- the receipt text ---------------------------------------------------- */

/* 1 when s (NUL-terminated) is lo..hi chars of A-Z 0-9 '-' (and a-z when
 * `lower`). */
static int code_ok(const char *s, size_t lo, size_t hi, int lower)
{
    size_t n = 0;

    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              (lower && c >= 'a' && c <= 'z')))
            return 0;
        if (n >= hi)
            return 0;
    }
    return n >= lo;
}

static int fields_ok(const struct receipt *r)
{
    return memchr(r->org, 0, sizeof r->org) &&
           memchr(r->number, 0, sizeof r->number) &&
           memchr(r->payer, 0, sizeof r->payer) &&
           memchr(r->ref, 0, sizeof r->ref) &&
           memchr(r->key_id, 0, sizeof r->key_id) &&
           code_ok(r->org, 1, RECEIPT_ORG_MAX, 0) &&
           code_ok(r->number, 1, RECEIPT_NUMBER_MAX, 0) &&
           code_ok(r->payer, 1, RECEIPT_PAYER_MAX, 0) &&
           code_ok(r->ref, 0, RECEIPT_REF_MAX, 1) && r->amount >= 1 &&
           r->amount <= MONEY_MAX &&
           (r->method == RECEIPT_TRANSFER || r->method == RECEIPT_CASH) &&
           r->paid_at >= RECEIPT_TIME_MIN && r->paid_at <= RECEIPT_TIME_MAX;
}

int receipt_canonical(const struct receipt *r, char *out, size_t cap)
{
    int y, mo, d, h, mi, s;
    int n;

    if (!r || !out || !fields_ok(r) || strlen(r->key_id) != RECEIPT_KEY_ID_LEN)
        return -RECEIPT_E_ARG;
    receipt_civil(r->paid_at, &y, &mo, &d, &h, &mi, &s);
    n = snprintf(out, cap,
                 RECEIPT_PREFIX "|%s|%s|%s|%s|%lld|%s|%04d%02d%02dT%02d%02d"
                                "%02dZ|%s",
                 r->org, r->key_id, r->number, r->payer, (long long)r->amount,
                 r->method == RECEIPT_CASH ? "TM" : "CK", y, mo, d, h, mi, s,
                 r->ref);
    if (n < 0)
        return -RECEIPT_E_ARG;
    if ((size_t)n >= cap) {
        if (cap)
            out[0] = '\0';
        return -RECEIPT_E_BUFFER;
    }
    return n;
}

int receipt_sign(const struct receipt *r, const uint8_t priv[RECEIPT_KEY_LEN],
                 char *out, size_t cap)
{
    struct receipt tmp;
    uint8_t sig[RECEIPT_SIG_LEN];
    char text[RECEIPT_TEXT_MAX];
    char b64[SIG_B64_LEN + 1];
    int n;
    int rc;

    if (!r || !priv || !out)
        return -RECEIPT_E_ARG;
    tmp = *r;
    if ((rc = priv_key_id(priv, tmp.key_id)) != 0)
        return rc;
    if ((n = receipt_canonical(&tmp, text, sizeof text)) < 0)
        return n;
    if ((rc = receipt_ed25519_sign(priv, text, (size_t)n, sig)) != 0)
        return rc;
    sig_encode(sig, b64);
    if ((size_t)n + 1 + SIG_B64_LEN >= cap) {
        if (cap)
            out[0] = '\0';
        return -RECEIPT_E_BUFFER;
    }
    memcpy(out, text, (size_t)n);
    out[n] = '|';
    memcpy(out + n + 1, b64, SIG_B64_LEN + 1);
    return 0;
}

/* Copy field [p, p+n) into dst (capacity cap) when it passes code_ok. */
static int take_code(const char *p, size_t n, char *dst, size_t cap, size_t lo,
                     int lower)
{
    char tmp[64];

    if (n >= cap || n >= sizeof tmp)
        return -1;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    if (!code_ok(tmp, lo, cap - 1, lower))
        return -1;
    memcpy(dst, tmp, n + 1);
    return 0;
}

static int take_digits(const char *p, size_t n, int64_t *out)
{
    int64_t v = 0;

    if (n == 0 || n > 16 || (p[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v > MONEY_MAX)
        return -1;
    *out = v;
    return 0;
}

static int num(const char *p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

/* "YYYYMMDDTHHMMSSZ" -> seconds; -1 when malformed or out of range. */
static int64_t take_time(const char *p, size_t n)
{
    int64_t t;

    if (n != 16 || p[8] != 'T' || p[15] != 'Z')
        return -1;
    t = receipt_from_civil(num(p, 4), num(p + 4, 2), num(p + 6, 2),
                           num(p + 9, 2), num(p + 11, 2), num(p + 13, 2));
    if (t < RECEIPT_TIME_MIN || t > RECEIPT_TIME_MAX)
        return -1;
    return t;
}

int receipt_parse(const char *text, size_t len, struct receipt *r,
                  uint8_t sig[RECEIPT_SIG_LEN])
{
    const char *field[10];
    size_t flen[10];
    struct receipt tmp;
    uint8_t s[RECEIPT_SIG_LEN];
    size_t start = 0;
    int k = 0;

    if (!text || !r)
        return -RECEIPT_E_ARG;
    if (len < 5 || memcmp(text, RECEIPT_PREFIX "|", 5) != 0)
        return -RECEIPT_E_VERSION;
    if (len >= RECEIPT_TEXT_MAX)
        return -RECEIPT_E_MALFORMED;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && (text[i] < 0x21 || text[i] > 0x7e))
            return -RECEIPT_E_MALFORMED;
        if (i == len || text[i] == '|') {
            if (k == 10)
                return -RECEIPT_E_MALFORMED;
            field[k] = text + start;
            flen[k++] = i - start;
            start = i + 1;
        }
    }
    if (k != 10)
        return -RECEIPT_E_MALFORMED;
    memset(&tmp, 0, sizeof tmp);
    if (take_code(field[1], flen[1], tmp.org, sizeof tmp.org, 1, 0) ||
        flen[2] != RECEIPT_KEY_ID_LEN ||
        take_code(field[3], flen[3], tmp.number, sizeof tmp.number, 1, 0) ||
        take_code(field[4], flen[4], tmp.payer, sizeof tmp.payer, 1, 0) ||
        take_digits(field[5], flen[5], &tmp.amount) ||
        take_code(field[8], flen[8], tmp.ref, sizeof tmp.ref, 0, 1) ||
        flen[9] != SIG_B64_LEN || sig_decode(field[9], s) != 0)
        return -RECEIPT_E_MALFORMED;
    for (int i = 0; i < RECEIPT_KEY_ID_LEN; i++) {
        char c = field[2][i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')))
            return -RECEIPT_E_MALFORMED;
        tmp.key_id[i] = c;
    }
    if (flen[6] == 2 && memcmp(field[6], "CK", 2) == 0)
        tmp.method = RECEIPT_TRANSFER;
    else if (flen[6] == 2 && memcmp(field[6], "TM", 2) == 0)
        tmp.method = RECEIPT_CASH;
    else
        return -RECEIPT_E_MALFORMED;
    if ((tmp.paid_at = take_time(field[7], flen[7])) < 0)
        return -RECEIPT_E_MALFORMED;
    *r = tmp;
    if (sig)
        memcpy(sig, s, sizeof s);
    return 0;
}

int receipt_verify(const char *text, size_t len,
                   const uint8_t pub[RECEIPT_KEY_LEN], struct receipt *r)
{
    struct receipt tmp;
    uint8_t sig[RECEIPT_SIG_LEN];
    char kid[RECEIPT_KEY_ID_LEN + 1];
    size_t signed_len;
    int rc;

    if (!text || !pub)
        return -RECEIPT_E_ARG;
    if ((rc = receipt_parse(text, len, &tmp, sig)) != 0)
        return rc;
    if ((rc = receipt_key_id(pub, kid)) != 0)
        return rc;
    if (strcmp(kid, tmp.key_id) != 0)
        return -RECEIPT_E_WRONG_KEY;
    /* The signed part is everything before the last '|'. */
    signed_len = len - SIG_B64_LEN - 1;
    if ((rc = receipt_ed25519_verify(pub, text, signed_len, sig)) != 0)
        return rc;
    if (r)
        *r = tmp;
    return 0;
}

int receipt_number(const char *org, int year, uint64_t seq, char *out,
                   size_t cap)
{
    int n;

    if (!org || !out || !code_ok(org, 1, RECEIPT_ORG_MAX, 0) || year < 2000 ||
        year > 9999 || seq == 0 || seq > UINT64_C(9999999999999))
        return -RECEIPT_E_ARG;
    n = snprintf(out, cap, "%s-%04d-%06llu", org, year,
                 (unsigned long long)seq);
    if (n < 0 || (size_t)n >= cap) {
        if (cap)
            out[0] = '\0';
        return -RECEIPT_E_BUFFER;
    }
    if (n > RECEIPT_NUMBER_MAX) {
        out[0] = '\0';
        return -RECEIPT_E_ARG;
    }
    return 0;
}
