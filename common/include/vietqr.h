/*
 * vietqr.h: the VietQR (EMVCo merchant-presented QR, NAPAS247 template in
 * tag 38) payload codec. Encoding builds a payload from typed fields;
 * decoding validates a payload against NAPAS's VietQR spec v1.0 and reports
 * every problem it finds while still returning the fields it could read.
 */
#ifndef CHOPAY_VIETQR_H
#define CHOPAY_VIETQR_H

#include <stddef.h>
#include <stdint.h>

#define VIETQR_GUID              "A000000727" /* NAPAS AID in 38/00 */
#define VIETQR_MAX_PAYLOAD       512          /* no valid payload is longer */
#define VIETQR_ACCOUNT_MAX       19           /* 38/01/01 */
#define VIETQR_CONTENT_MAX       25           /* 62/08 */
#define VIETQR_AMOUNT_MAX_DIGITS 13           /* 54 */
#define VIETQR_NAPAS247_CAP      500000000 /* đồng; at or above: flagged */

enum vietqr_service {
    VIETQR_TO_ACCOUNT = 0, /* QRIBFTTA */
    VIETQR_TO_CARD = 1,    /* QRIBFTTC */
};

/*
 * Error codes. Encoding returns one of them (negated); decoding collects
 * them in a vietqr_report (each code at most once, in the order found).
 * vietqr_error_code() gives the stable snake_case name used in JSON output
 * (e.g. "crc_mismatch"). New codes are only ever appended.
 *
 * CRC policy: the CRC is always the last 8 characters "6304XXXX". A
 * lower-case but otherwise correct CRC is reported as crc_format only
 * (the value is still checked, case-insensitively, so crc_mismatch means
 * the value really is wrong); emvco_valid is then 0 since NAPAS requires
 * upper case.
 */
enum vietqr_error {
    VIETQR_OK = 0,
    VIETQR_E_EMPTY,             /* no payload */
    VIETQR_E_TOO_LONG,          /* longer than VIETQR_MAX_PAYLOAD */
    VIETQR_E_CHARSET,           /* byte outside printable ASCII */
    VIETQR_E_TLV_SYNTAX,        /* an ID or length is not two digits */
    VIETQR_E_TLV_TRUNCATED,     /* a length runs past the end */
    VIETQR_E_FIRST_NOT_00,      /* 00 is not the first object */
    VIETQR_E_FORMAT_INDICATOR,  /* 00 is not "01" */
    VIETQR_E_LAST_NOT_63,       /* 63 is not the last object */
    VIETQR_E_CRC_FORMAT,        /* 63 is not 4 upper-case hex digits */
    VIETQR_E_CRC_MISMATCH,      /* CRC-16/CCITT-FALSE does not match */
    VIETQR_E_DUPLICATE_TAG,     /* an ID appears twice at one level */
    VIETQR_E_INITIATION,        /* 01 missing or not 11/12 */
    VIETQR_E_NOT_VIETQR,        /* valid EMVCo, but no NAPAS tag 38 */
    VIETQR_E_GUID,              /* 38/00 missing or not A000000727 */
    VIETQR_E_BENEFICIARY,       /* 38/01 missing or malformed */
    VIETQR_E_BIN,               /* 38/01/00 not 6 digits (or encode input) */
    VIETQR_E_ACCOUNT,           /* 38/01/01 empty, > 19, or bad characters */
    VIETQR_E_SERVICE,           /* 38/02 missing or not QRIBFTTA/QRIBFTTC */
    VIETQR_E_CURRENCY,          /* 53 missing or not 704 */
    VIETQR_E_COUNTRY,           /* 58 missing or not VN */
    VIETQR_E_AMOUNT,            /* 54 not digits, zero, too long, decimals */
    VIETQR_E_AMOUNT_OVER_CAP,   /* 54 >= 500,000,000 đồng (a flag) */
    VIETQR_E_DYNAMIC_NO_AMOUNT, /* reserved; dynamic without 54 is legal */
    VIETQR_E_ADDITIONAL,        /* 62 empty or malformed */
    VIETQR_E_CONTENT,           /* 62/08 > 25 chars or not printable ASCII */
    VIETQR_E_NON_ASCII,         /* encode input is not ASCII: fold it first */
    VIETQR_E_BUFFER,            /* output buffer too small */
    VIETQR_E_TEMPLATE_TOO_LONG, /* a value or template over 99 characters */
    VIETQR_E_MERCHANT_TEMPLATE, /* 38 is not a well-formed nested template */
    VIETQR_E__COUNT
};

/* The stable snake_case name of an error code ("ok" for VIETQR_OK). */
const char *vietqr_error_code(enum vietqr_error e);
/* A short English explanation of an error code. */
const char *vietqr_error_message(enum vietqr_error e);

/* What to encode. Strings are NUL-terminated ASCII; NULL means absent. */
struct vietqr_request {
    const char *bin;             /* 6-digit bank BIN, e.g. "970436" */
    const char *account;         /* account or card number, <= 19 chars */
    enum vietqr_service service; /* to account (default) or to card */
    int64_t amount;              /* đồng; 0 = no amount (payer types it) */
    const char *content;         /* transfer content (62/08) or NULL */
    int force_static;            /* 1: point of initiation 11 even with an
                                    amount; otherwise dynamic iff amount */
};

/*
 * Encode `req` into `out` (capacity `cap`, NUL-terminated). Tag order:
 * 00, 01, 38 (00 GUID, 01 (00 BIN, 01 account), 02 service), 53, 54, 58,
 * 62 (08 content), 63 -- byte-identical to vietnam-qr-pay's output.
 * Returns 0 or a negated enum vietqr_error naming the first bad field
 * (VIETQR_E_NON_ASCII for any byte >= 0x80 in a string, checked before the
 * field's own rules); `out` is then "" when cap > 0. BIN: 6 digits;
 * account: 1-19 of A-Z a-z 0-9; amount 0 (none) to 9999999999999 -- an
 * amount at or over VIETQR_NAPAS247_CAP encodes (the format allows it)
 * but vietqr_decode flags it; content: 0-25 printable ASCII, "" = none.
 */
int vietqr_encode(const struct vietqr_request *req, char *out, size_t cap);

/* Every field a decoder could read. Absent strings are empty. */
struct vietqr_fields {
    char bin[8];       /* 38/01/00 (as read, up to 7 chars kept) */
    char account[24];  /* 38/01/01 (as read, truncated if too long) */
    char service[12];  /* 38/02 as read, "" if absent (an error) */
    int service_known; /* 1 when service is QRIBFTTA or QRIBFTTC */
    enum vietqr_service service_kind; /* when service_known */
    int dynamic;                      /* 1: 01 = "12"; 0: "11" or absent */
    int has_amount;                   /* 54 present and valid */
    int64_t amount;                   /* đồng, when has_amount */
    int has_content;                  /* 62/08 present */
    char content[100];                /* 62/08 as read */
    char crc[8];                      /* 63 as read */
    char crc_computed[5];             /* the CRC we computed, upper-case hex */
    char merchant_guid[40]; /* GUID (sub-ID 00) of 38 when present, else
                               of the first template in 02-51 */
    int merchant_tag;       /* ID of that template (38 for VietQR, 26 for
                               VNPay-QR ...), -1 when there is none */
};

#define VIETQR_MAX_ERRORS 32

/* Every problem found by vietqr_decode, in the order found. */
struct vietqr_report {
    int count; /* errors in `errors` */
    enum vietqr_error errors[VIETQR_MAX_ERRORS];
    int emvco_valid; /* 1: the root TLV structure (00 first, 63 last,
                        every length, no duplicate IDs, printable ASCII)
                        and an upper-case matching CRC are sound */
    int is_vietqr;   /* 1: 38 is present and carries the NAPAS GUID */
    int over_cap;    /* 1: amount >= VIETQR_NAPAS247_CAP (also an error) */
};

/*
 * Decode and validate `len` bytes of `payload` (need not be NUL-terminated).
 * Fills `f` with whatever was readable and `rep` with every problem (each
 * code once). Returns 0 when the payload is a valid VietQR payload,
 * otherwise the negated first error. Never reads past `len`; any byte
 * sequence is safe; nothing is allocated. Both `f` and `rep` are always
 * written (they are the result even on error).
 *
 * Policies: unknown IDs (52, 55-57, 59-61, 64-99, other merchant
 * templates) are tolerated; the account must be 1-19 of A-Z a-z 0-9; the
 * amount may end in a single "." ("50000." is legal per NAPAS 5.2.6);
 * 38/02 is mandatory (VIETQR_E_SERVICE when absent); dynamic without 54
 * is legal.
 * Without tag 38, a readable payload gets only VIETQR_E_NOT_VIETQR (plus
 * any structural errors): VietQR field rules are not applied to it, though
 * 54 and 62/08 are still read into `f`.
 */
int vietqr_decode(const char *payload, size_t len, struct vietqr_fields *f,
                  struct vietqr_report *rep);

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final
 * XOR) of `len` bytes; VietQR's CRC runs over everything up to and
 * including "6304". */
uint16_t vietqr_crc16(const void *data, size_t len);

#endif
