/*
 * receipt.h: signed payment receipts. Every settled intent and cash record
 * gets a receipt whose QR text carries the receipt's fields and an Ed25519
 * signature (RFC 8032, through OpenSSL) that anyone can check offline with
 * the organisation's published public key. Format: docs/reports.md.
 */
#ifndef CHOPAY_RECEIPT_H
#define CHOPAY_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#define RECEIPT_KEY_LEN    32 /* raw Ed25519 public key or private seed */
#define RECEIPT_SIG_LEN    64 /* raw Ed25519 signature */
#define RECEIPT_KEY_ID_LEN 8  /* hex digits of the key id */
#define RECEIPT_ORG_MAX    16 /* org code: 1-16 of A-Z 0-9 - */
#define RECEIPT_NUMBER_MAX 32 /* receipt number: 1-32 of A-Z 0-9 - */
#define RECEIPT_PAYER_MAX  32 /* payer code: 1-32 of A-Z 0-9 - */
#define RECEIPT_REF_MAX                                                        \
    40                          /* payment code / intent id: 0-40 of           \
                                   A-Z a-z 0-9 - */
#define RECEIPT_TEXT_MAX 272    /* every receipt text fits (with NUL) */
#define RECEIPT_PEM_MAX  256    /* a PEM key fits (with NUL) */
#define RECEIPT_PREFIX   "CPR1" /* format tag and version */

/* Earliest and latest paid_at accepted: 2000-01-01 to 9999-12-31 UTC. */
#define RECEIPT_TIME_MIN INT64_C(946684800)
#define RECEIPT_TIME_MAX INT64_C(253402300799)

enum receipt_method {
    RECEIPT_TRANSFER = 0, /* bank transfer ("CK", chuyển khoản) */
    RECEIPT_CASH = 1,     /* cash ("TM", tiền mặt) */
};

/* Errors (returned negated). New codes are only ever appended. */
enum receipt_error {
    RECEIPT_OK = 0,
    RECEIPT_E_ARG,       /* NULL pointer or a field out of its rules */
    RECEIPT_E_MALFORMED, /* the text does not follow the format */
    RECEIPT_E_VERSION,   /* not "CPR1|": another format or version */
    RECEIPT_E_WRONG_KEY, /* signed with another key (key id differs) */
    RECEIPT_E_SIGNATURE, /* the signature does not verify */
    RECEIPT_E_KEY,       /* a key (raw or PEM) is not a valid Ed25519 key */
    RECEIPT_E_BUFFER,    /* output buffer too small */
    RECEIPT_E_CRYPTO,    /* OpenSSL failed (out of memory, no RNG) */
    RECEIPT_E__COUNT
};

/* What a receipt says. Strings are NUL-terminated ASCII. */
struct receipt {
    char org[RECEIPT_ORG_MAX + 1];       /* issuing organisation's code */
    char key_id[RECEIPT_KEY_ID_LEN + 1]; /* key id (set by sign/parse) */
    char number[RECEIPT_NUMBER_MAX + 1]; /* receipt number, unique per org */
    char payer[RECEIPT_PAYER_MAX + 1];   /* payer (stall, student) code */
    int64_t amount;                      /* đồng, 1..MONEY_MAX */
    enum receipt_method method;          /* transfer or cash */
    int64_t paid_at; /* UTC seconds since 1970, RECEIPT_TIME_MIN..MAX */
    char ref[RECEIPT_REF_MAX + 1]; /* payment code or intent id, "" none */
};

/* Stable snake_case name of an error (either sign), e.g. "bad_signature". */
const char *receipt_error_code(int rc);
/* A short English explanation of an error (either sign); never NULL. */
const char *receipt_strerror(int rc);

/*
 * New key pair: 32 secure random bytes as the private seed `priv`, and
 * its public key `pub`. Returns 0, -RECEIPT_E_CRYPTO (outputs untouched).
 */
int receipt_keygen(uint8_t priv[RECEIPT_KEY_LEN], uint8_t pub[RECEIPT_KEY_LEN]);

/* The public key of private seed `priv`. 0 or -RECEIPT_E_CRYPTO. */
int receipt_public_key(const uint8_t priv[RECEIPT_KEY_LEN],
                       uint8_t pub[RECEIPT_KEY_LEN]);

/*
 * The key id of `pub`: the first 4 bytes of SHA-256(pub) as 8 upper-case
 * hex digits and a NUL. Returns 0 or -RECEIPT_E_CRYPTO.
 */
int receipt_key_id(const uint8_t pub[RECEIPT_KEY_LEN],
                   char out[RECEIPT_KEY_ID_LEN + 1]);

/*
 * PEM text of a public key (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY") or
 * of a private seed (PKCS#8, unencrypted, "BEGIN PRIVATE KEY") into `out`
 * (capacity `cap`, RECEIPT_PEM_MAX suffices). Returns 0,
 * -RECEIPT_E_BUFFER or -RECEIPT_E_CRYPTO.
 */
int receipt_public_pem(const uint8_t pub[RECEIPT_KEY_LEN], char *out,
                       size_t cap);
int receipt_private_pem(const uint8_t priv[RECEIPT_KEY_LEN], char *out,
                        size_t cap);

/*
 * Read a PEM public key (or, for the first, also a private key, whose
 * public half is taken) / a PEM private key from `len` bytes at `pem`.
 * Returns 0, or -RECEIPT_E_KEY when it is not an Ed25519 key in PEM;
 * the output is untouched on error.
 */
int receipt_public_from_pem(const char *pem, size_t len,
                            uint8_t pub[RECEIPT_KEY_LEN]);
int receipt_private_from_pem(const char *pem, size_t len,
                             uint8_t priv[RECEIPT_KEY_LEN]);

/*
 * Plain Ed25519 (RFC 8032, pure, no context): sign `len` bytes at `msg`
 * with private seed `priv` into `sig`; verify `sig` over `msg` with
 * `pub`. Sign returns 0 or -RECEIPT_E_CRYPTO; verify returns 0 when
 * valid, -RECEIPT_E_SIGNATURE when not, -RECEIPT_E_KEY for a public key
 * OpenSSL refuses, -RECEIPT_E_CRYPTO on failure.
 */
int receipt_ed25519_sign(const uint8_t priv[RECEIPT_KEY_LEN], const void *msg,
                         size_t len, uint8_t sig[RECEIPT_SIG_LEN]);
int receipt_ed25519_verify(const uint8_t pub[RECEIPT_KEY_LEN], const void *msg,
                           size_t len, const uint8_t sig[RECEIPT_SIG_LEN]);

/*
 * The signed part of a receipt, "CPR1|org|key_id|number|payer|amount|
 * method|paid_at|ref" (method "CK" or "TM", paid_at as
 * YYYYMMDDTHHMMSSZ), into `out` (capacity `cap`); r->key_id must already
 * be set. Returns its length, -RECEIPT_E_ARG when a field breaks its
 * rules, -RECEIPT_E_BUFFER.
 */
int receipt_canonical(const struct receipt *r, char *out, size_t cap);

/*
 * Sign receipt `r` (its key_id is ignored: the id of priv's public key is
 * used) with private seed `priv`: writes the QR text, the canonical part,
 * '|' and the unpadded base64url signature (86 characters), into `out`
 * (capacity `cap`; RECEIPT_TEXT_MAX suffices). Returns 0, -RECEIPT_E_ARG
 * for a field outside its rules, -RECEIPT_E_BUFFER, -RECEIPT_E_CRYPTO.
 */
int receipt_sign(const struct receipt *r, const uint8_t priv[RECEIPT_KEY_LEN],
                 char *out, size_t cap);

/*
 * Read a receipt text (`len` bytes, need not be NUL-terminated) without
 * checking its signature: fills *r and `sig` (may be NULL). Strict: one
 * receipt has exactly one accepted text (no leading zeros, a real
 * calendar time, canonical base64url, no trailing bytes). Returns 0,
 * -RECEIPT_E_VERSION or -RECEIPT_E_MALFORMED; outputs untouched on error.
 */
int receipt_parse(const char *text, size_t len, struct receipt *r,
                  uint8_t sig[RECEIPT_SIG_LEN]);

/*
 * Parse and verify a receipt text against the organisation's public key
 * `pub`. Returns 0 and fills *r (may be NULL) when the receipt is
 * genuine; otherwise -RECEIPT_E_VERSION / -RECEIPT_E_MALFORMED (not a
 * receipt), -RECEIPT_E_WRONG_KEY (the key id is not pub's: another
 * organisation or a rotated key), -RECEIPT_E_SIGNATURE (altered or
 * forged). *r is untouched on error.
 */
int receipt_verify(const char *text, size_t len,
                   const uint8_t pub[RECEIPT_KEY_LEN], struct receipt *r);

/*
 * A receipt number "ORG-YYYY-NNNNNN" (sequence zero-padded to at least six
 * digits) into `out` (capacity `cap`); the caller allocates `seq` from a
 * per-organisation, per-year counter. Returns 0, -RECEIPT_E_ARG (bad org,
 * year outside 2000-9999, seq 0) or -RECEIPT_E_BUFFER.
 */
int receipt_number(const char *org, int year, uint64_t seq, char *out,
                   size_t cap);

/*
 * Calendar helpers shared with the renderers: UTC seconds <-> civil date
 * and time (proleptic Gregorian, no time zone database). receipt_civil
 * writes year, month 1-12, day 1-31, hour, minute, second.
 */
void receipt_civil(int64_t t, int *year, int *month, int *day, int *hour,
                   int *minute, int *second);
/* Seconds since 1970 of a valid civil UTC time, or -1 if invalid. */
int64_t receipt_from_civil(int year, int month, int day, int hour, int minute,
                           int second);

#endif
