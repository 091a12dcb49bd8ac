/*
 * vietqr.c: the VietQR payload codec. Builds EMVCo merchant-presented
 * payloads with the NAPAS247 template in tag 38, and decodes/validates any
 * payload against NAPAS's VietQR format v1.0, collecting every problem
 * found. No allocation; the decoder never reads past the given length.
 */
#include "vietqr.h"

#include <string.h>

/* ---- error names -------------------------------------------------------- */

struct err_name {
    const char *code;
    const char *message;
};

static const struct err_name err_names[VIETQR_E__COUNT] = {
    [VIETQR_OK] = {"ok", "valid VietQR payload"},
    [VIETQR_E_EMPTY] = {"empty", "no payload"},
    [VIETQR_E_TOO_LONG] = {"too_long", "payload longer than 512 characters"},
    [VIETQR_E_CHARSET] = {"charset",
                          "payload contains a byte outside printable ASCII"},
    [VIETQR_E_TLV_SYNTAX] = {"tlv_syntax",
                             "an ID or length is not two digits, or a "
                             "length is 00"},
    [VIETQR_E_TLV_TRUNCATED] = {"tlv_truncated",
                                "a length runs past the end of the payload"},
    [VIETQR_E_FIRST_NOT_00] = {"first_not_00", "the first object is not ID 00"},
    [VIETQR_E_FORMAT_INDICATOR] = {"format_indicator",
                                   "payload format indicator (00) is not 01"},
    [VIETQR_E_LAST_NOT_63] = {"last_not_63",
                              "the CRC object (63) is not the last object"},
    [VIETQR_E_CRC_FORMAT] = {"crc_format",
                             "CRC (63) is not 4 upper-case hex digits"},
    [VIETQR_E_CRC_MISMATCH] = {"crc_mismatch",
                               "CRC-16/CCITT-FALSE does not match"},
    [VIETQR_E_DUPLICATE_TAG] = {"duplicate_tag",
                                "an ID appears twice at one level"},
    [VIETQR_E_INITIATION] = {"initiation",
                             "point of initiation (01) missing or not "
                             "11/12"},
    [VIETQR_E_NOT_VIETQR] = {"not_vietqr",
                             "valid EMVCo payload without the NAPAS "
                             "template (38)"},
    [VIETQR_E_GUID] = {"guid", "38/00 missing or not A000000727"},
    [VIETQR_E_BENEFICIARY] = {"beneficiary", "38/01 missing or malformed"},
    [VIETQR_E_BIN] = {"bin", "bank BIN is not 6 digits"},
    [VIETQR_E_ACCOUNT] = {"account",
                          "account empty, longer than 19, or not A-Z a-z "
                          "0-9"},
    [VIETQR_E_SERVICE] = {"service", "service code (38/02) missing or not "
                                     "QRIBFTTA/QRIBFTTC"},
    [VIETQR_E_CURRENCY] = {"currency", "currency (53) missing or not 704"},
    [VIETQR_E_COUNTRY] = {"country", "country (58) missing or not VN"},
    [VIETQR_E_AMOUNT] = {"amount",
                         "amount not digits, zero, over 13 characters, "
                         "or has decimals"},
    [VIETQR_E_AMOUNT_OVER_CAP] = {"amount_over_cap",
                                  "amount at or over the NAPAS247 cap of "
                                  "500,000,000 dong"},
    [VIETQR_E_DYNAMIC_NO_AMOUNT] = {"dynamic_no_amount",
                                    "dynamic payload without an amount"},
    [VIETQR_E_ADDITIONAL] = {"additional", "62 empty or malformed"},
    [VIETQR_E_CONTENT] = {"content",
                          "content (62/08) over 25 characters or not "
                          "printable ASCII"},
    [VIETQR_E_NON_ASCII] = {"non_ascii",
                            "input is not ASCII: fold Vietnamese text first"},
    [VIETQR_E_BUFFER] = {"buffer", "output buffer too small"},
    [VIETQR_E_TEMPLATE_TOO_LONG] = {"template_too_long",
                                    "a value or template over 99 "
                                    "characters"},
    [VIETQR_E_MERCHANT_TEMPLATE] = {"merchant_template",
                                    "38 is not a well-formed template"},
};

const char *vietqr_error_code(enum vietqr_error e)
{
    if ((int)e < 0 || e >= VIETQR_E__COUNT || !err_names[e].code)
        return "unknown";
    return err_names[e].code;
}

const char *vietqr_error_message(enum vietqr_error e)
{
    if ((int)e < 0 || e >= VIETQR_E__COUNT || !err_names[e].message)
        return "unknown error";
    return err_names[e].message;
}

/* ---- CRC ------------------------------------------------------------- */

/* CRC-16/CCITT-FALSE table: crc_table[i] = CRC of the byte i << 8
 * (poly 0x1021, MSB first); checked against the bitwise definition in
 * tests/unit/test_vietqr.c. */
static const uint16_t crc_table[256] = {
    0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50A5, 0x60C6, 0x70E7, 0x8108,
    0x9129, 0xA14A, 0xB16B, 0xC18C, 0xD1AD, 0xE1CE, 0xF1EF, 0x1231, 0x0210,
    0x3273, 0x2252, 0x52B5, 0x4294, 0x72F7, 0x62D6, 0x9339, 0x8318, 0xB37B,
    0xA35A, 0xD3BD, 0xC39C, 0xF3FF, 0xE3DE, 0x2462, 0x3443, 0x0420, 0x1401,
    0x64E6, 0x74C7, 0x44A4, 0x5485, 0xA56A, 0xB54B, 0x8528, 0x9509, 0xE5EE,
    0xF5CF, 0xC5AC, 0xD58D, 0x3653, 0x2672, 0x1611, 0x0630, 0x76D7, 0x66F6,
    0x5695, 0x46B4, 0xB75B, 0xA77A, 0x9719, 0x8738, 0xF7DF, 0xE7FE, 0xD79D,
    0xC7BC, 0x48C4, 0x58E5, 0x6886, 0x78A7, 0x0840, 0x1861, 0x2802, 0x3823,
    0xC9CC, 0xD9ED, 0xE98E, 0xF9AF, 0x8948, 0x9969, 0xA90A, 0xB92B, 0x5AF5,
    0x4AD4, 0x7AB7, 0x6A96, 0x1A71, 0x0A50, 0x3A33, 0x2A12, 0xDBFD, 0xCBDC,
    0xFBBF, 0xEB9E, 0x9B79, 0x8B58, 0xBB3B, 0xAB1A, 0x6CA6, 0x7C87, 0x4CE4,
    0x5CC5, 0x2C22, 0x3C03, 0x0C60, 0x1C41, 0xEDAE, 0xFD8F, 0xCDEC, 0xDDCD,
    0xAD2A, 0xBD0B, 0x8D68, 0x9D49, 0x7E97, 0x6EB6, 0x5ED5, 0x4EF4, 0x3E13,
    0x2E32, 0x1E51, 0x0E70, 0xFF9F, 0xEFBE, 0xDFDD, 0xCFFC, 0xBF1B, 0xAF3A,
    0x9F59, 0x8F78, 0x9188, 0x81A9, 0xB1CA, 0xA1EB, 0xD10C, 0xC12D, 0xF14E,
    0xE16F, 0x1080, 0x00A1, 0x30C2, 0x20E3, 0x5004, 0x4025, 0x7046, 0x6067,
    0x83B9, 0x9398, 0xA3FB, 0xB3DA, 0xC33D, 0xD31C, 0xE37F, 0xF35E, 0x02B1,
    0x1290, 0x22F3, 0x32D2, 0x4235, 0x5214, 0x6277, 0x7256, 0xB5EA, 0xA5CB,
    0x95A8, 0x8589, 0xF56E, 0xE54F, 0xD52C, 0xC50D, 0x34E2, 0x24C3, 0x14A0,
    0x0481, 0x7466, 0x6447, 0x5424, 0x4405, 0xA7DB, 0xB7FA, 0x8799, 0x97B8,
    0xE75F, 0xF77E, 0xC71D, 0xD73C, 0x26D3, 0x36F2, 0x0691, 0x16B0, 0x6657,
    0x7676, 0x4615, 0x5634, 0xD94C, 0xC96D, 0xF90E, 0xE92F, 0x99C8, 0x89E9,
    0xB98A, 0xA9AB, 0x5844, 0x4865, 0x7806, 0x6827, 0x18C0, 0x08E1, 0x3882,
    0x28A3, 0xCB7D, 0xDB5C, 0xEB3F, 0xFB1E, 0x8BF9, 0x9BD8, 0xABBB, 0xBB9A,
    0x4A75, 0x5A54, 0x6A37, 0x7A16, 0x0AF1, 0x1AD0, 0x2AB3, 0x3A92, 0xFD2E,
    0xED0F, 0xDD6C, 0xCD4D, 0xBDAA, 0xAD8B, 0x9DE8, 0x8DC9, 0x7C26, 0x6C07,
    0x5C64, 0x4C45, 0x3CA2, 0x2C83, 0x1CE0, 0x0CC1, 0xEF1F, 0xFF3E, 0xCF5D,
    0xDF7C, 0xAF9B, 0xBFBA, 0x8FD9, 0x9FF8, 0x6E17, 0x7E36, 0x4E55, 0x5E74,
    0x2E93, 0x3EB2, 0x0ED1, 0x1EF0,
};

uint16_t vietqr_crc16(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint16_t crc = 0xFFFF;

    for (size_t i = 0; i < len; i++)
        crc = (uint16_t)((crc << 8) ^ crc_table[((crc >> 8) ^ p[i]) & 0xFF]);
    return crc;
}

static void hex4(uint16_t v, char out[5])
{
    static const char hx[] = "0123456789ABCDEF";

    out[0] = hx[(v >> 12) & 15];
    out[1] = hx[(v >> 8) & 15];
    out[2] = hx[(v >> 4) & 15];
    out[3] = hx[v & 15];
    out[4] = '\0';
}

/* ---- small character helpers ---------------------------------------- */

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int is_print(unsigned char c)
{
    return c >= 0x20 && c <= 0x7E;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit((unsigned char)s[i]))
            return 0;
    return n > 0;
}

static int all_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_alnum((unsigned char)s[i]))
            return 0;
    return n > 0;
}

static int all_print(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_print((unsigned char)s[i]))
            return 0;
    return 1;
}

static int has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

static int eq(const char *v, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(v, lit, n) == 0;
}

/* Copy n bytes of v into dst (capacity cap), truncating, NUL-terminated. */
static void copy_field(char *dst, size_t cap, const char *v, size_t n)
{
    if (n > cap - 1)
        n = cap - 1;
    memcpy(dst, v, n);
    dst[n] = '\0';
}

/* ---- TLV walking ------------------------------------------------------- */

/*
 * One ID-length-value object. A walk over `len` bytes yields objects
 * until the end (TLV_END) or a structural error, after which the rest of
 * that level cannot be read.
 */
struct tlv {
    int id;          /* 0..99 */
    const char *val; /* points into the payload */
    size_t len;      /* 1..99 (0 only with TLV_ZERO_LEN) */
};

enum tlv_status {
    TLV_OBJECT = 1,   /* `t` holds the next object */
    TLV_END = 0,      /* walked exactly to the end */
    TLV_SYNTAX = -1,  /* ID or length not two digits */
    TLV_TRUNC = -2,   /* header or value runs past the end */
    TLV_ZERO_LEN = 2, /* object with length 00 (t filled, value empty) */
};

struct tlv_walk {
    const char *p;
    size_t len;
    size_t pos;
};

static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

static enum tlv_status tlv_next(struct tlv_walk *w, struct tlv *t)
{
    size_t rest = w->len - w->pos;
    const char *h = w->p + w->pos;

    if (rest == 0)
        return TLV_END;
    if (rest < 4) {
        if (all_digits(h, rest))
            return TLV_TRUNC;
        return TLV_SYNTAX;
    }
    if (!all_digits(h, 4))
        return TLV_SYNTAX;
    t->id = two_digits(h);
    t->len = (size_t)two_digits(h + 2);
    t->val = h + 4;
    if (t->len > rest - 4)
        return TLV_TRUNC;
    w->pos += 4 + t->len;
    return t->len == 0 ? TLV_ZERO_LEN : TLV_OBJECT;
}

/* ---- decode -------------------------------------------------------------- */

static void report(struct vietqr_report *rep, enum vietqr_error e)
{
    for (int i = 0; i < rep->count; i++)
        if (rep->errors[i] == e)
            return;
    if (rep->count < VIETQR_MAX_ERRORS)
        rep->errors[rep->count++] = e;
}

/* A template's sub-objects we care about (first occurrence of each ID). */
struct sub {
    const char *val[100];
    size_t len[100];
    int seen[100];
    int dup;    /* an ID appeared twice */
    int broken; /* syntax error, truncation or a 00 length */
};

static void walk_sub(const char *v, size_t n, struct sub *s)
{
    struct tlv_walk w = {v, n, 0};
    struct tlv t;
    int st;

    memset(s, 0, sizeof(*s));
    while ((st = tlv_next(&w, &t)) == TLV_OBJECT || st == TLV_ZERO_LEN) {
        if (st == TLV_ZERO_LEN)
            s->broken = 1;
        if (s->seen[t.id]) {
            s->dup = 1;
            continue;
        }
        s->seen[t.id] = 1;
        s->val[t.id] = t.val;
        s->len[t.id] = t.len;
    }
    if (st != TLV_END)
        s->broken = 1;
}

/* Parse a 54 amount: returns 1 and sets *out when valid per NAPAS 5.2.6. */
static int parse_amount(const char *v, size_t n, int64_t *out)
{
    size_t digits = n;
    int64_t a = 0;

    if (n == 0 || n > VIETQR_AMOUNT_MAX_DIGITS)
        return 0;
    /* VND has exponent 0: at most a trailing '.', no decimals after it. */
    if (v[n - 1] == '.')
        digits = n - 1;
    if (!all_digits(v, digits))
        return 0;
    for (size_t i = 0; i < digits; i++)
        a = a * 10 + (v[i] - '0'); /* <= 13 digits: no overflow */
    if (a == 0)
        return 0;
    *out = a;
    return 1;
}

/* Root-level state gathered in one pass. */
struct root {
    struct sub obj;    /* first occurrence of each root ID */
    int first_id;      /* ID of the first object, -1 if none */
    int last_id;       /* ID of the last object read */
    int complete;      /* the walk reached exactly the end */
    int n63;           /* how many 63 objects */
    int syntax, trunc; /* structural errors seen */
};

static void walk_root(const char *p, size_t len, struct root *r)
{
    struct tlv_walk w = {p, len, 0};
    struct tlv t;
    int st;

    memset(&r->obj, 0, sizeof(r->obj));
    r->first_id = r->last_id = -1;
    r->n63 = 0;
    r->syntax = r->trunc = 0;
    while ((st = tlv_next(&w, &t)) == TLV_OBJECT || st == TLV_ZERO_LEN) {
        if (st == TLV_ZERO_LEN)
            r->syntax = 1;
        if (r->first_id < 0)
            r->first_id = t.id;
        r->last_id = t.id;
        if (t.id == 63)
            r->n63++;
        if (r->obj.seen[t.id]) {
            r->obj.dup = 1;
            continue;
        }
        r->obj.seen[t.id] = 1;
        r->obj.val[t.id] = t.val;
        r->obj.len[t.id] = t.len;
    }
    r->complete = st == TLV_END;
    if (st == TLV_SYNTAX)
        r->syntax = 1;
    else if (st == TLV_TRUNC)
        r->trunc = 1;
}

static int hexdig(unsigned char c, int *lower)
{
    if (is_digit(c) || (c >= 'A' && c <= 'F'))
        return 1;
    if (c >= 'a' && c <= 'f') {
        *lower = 1;
        return 1;
    }
    return 0;
}

/* Check the CRC taken from the last 8 characters. Returns 1 when sound. */
static int check_crc(const char *p, size_t len, const struct root *r,
                     struct vietqr_fields *f, struct vietqr_report *rep)
{
    const char *c;
    int lower = 0, ok = 1;
    unsigned v = 0;
    uint16_t want;

    if (len < 8 || memcmp(p + len - 8, "6304", 4) != 0) {
        /* No "6304XXXX" tail: a 63 with another length, or no 63. */
        if (r->complete && r->last_id == 63)
            report(rep, VIETQR_E_CRC_FORMAT);
        else
            report(rep, VIETQR_E_LAST_NOT_63);
        return 0;
    }
    c = p + len - 4;
    want = vietqr_crc16(p, len - 4);
    copy_field(f->crc, sizeof(f->crc), c, 4);
    hex4(want, f->crc_computed);
    for (int i = 0; i < 4; i++) {
        unsigned char ch = (unsigned char)c[i];
        if (!hexdig(ch, &lower)) {
            report(rep, VIETQR_E_CRC_FORMAT);
            return 0;
        }
        v = v * 16 +
            (unsigned)(is_digit(ch) ? ch - '0' : (ch | 0x20) - 'a' + 10);
    }
    if (lower) {
        report(rep, VIETQR_E_CRC_FORMAT);
        ok = 0;
    }
    if (v != want) {
        report(rep, VIETQR_E_CRC_MISMATCH);
        ok = 0;
    }
    return ok;
}

/* Record the GUID of the first merchant account template (IDs 02-51). */
static void note_merchant(const struct root *r, struct vietqr_fields *f)
{
    struct sub s;

    for (int id = 2; id <= 51; id++) {
        if (!r->obj.seen[id])
            continue;
        f->merchant_tag = id;
        walk_sub(r->obj.val[id], r->obj.len[id], &s);
        if (s.seen[0])
            copy_field(f->merchant_guid, sizeof(f->merchant_guid), s.val[0],
                       s.len[0]);
        return;
    }
}

/*
 * Validate tag 38 (already known to be present) into f / rep. Returns 1
 * when 38 carries the NAPAS GUID.
 */
static int check_napas(const struct root *r, struct vietqr_fields *f,
                       struct vietqr_report *rep)
{
    struct sub m, b;
    int guid_ok;

    walk_sub(r->obj.val[38], r->obj.len[38], &m);
    f->merchant_tag = 38;
    f->merchant_guid[0] = '\0';
    if (m.seen[0])
        copy_field(f->merchant_guid, sizeof(f->merchant_guid), m.val[0],
                   m.len[0]);
    if (m.broken)
        report(rep, VIETQR_E_MERCHANT_TEMPLATE);
    if (m.dup)
        report(rep, VIETQR_E_DUPLICATE_TAG);
    guid_ok = m.seen[0] && eq(m.val[0], m.len[0], VIETQR_GUID);
    if (!guid_ok)
        report(rep, VIETQR_E_GUID);
    if (m.seen[2]) {
        copy_field(f->service, sizeof(f->service), m.val[2], m.len[2]);
        if (eq(m.val[2], m.len[2], "QRIBFTTA")) {
            f->service_known = 1;
            f->service_kind = VIETQR_TO_ACCOUNT;
        } else if (eq(m.val[2], m.len[2], "QRIBFTTC")) {
            f->service_known = 1;
            f->service_kind = VIETQR_TO_CARD;
        } else {
            report(rep, VIETQR_E_SERVICE);
        }
    } else {
        /* NAPAS makes 38/02 mandatory: without it nobody can tell a
         * transfer to an account from one to a card */
        report(rep, VIETQR_E_SERVICE);
    }
    if (!m.seen[1]) {
        report(rep, VIETQR_E_BENEFICIARY);
        return guid_ok;
    }
    walk_sub(m.val[1], m.len[1], &b);
    if (b.broken)
        report(rep, VIETQR_E_BENEFICIARY);
    if (b.dup)
        report(rep, VIETQR_E_DUPLICATE_TAG);
    if (b.seen[0])
        copy_field(f->bin, sizeof(f->bin), b.val[0], b.len[0]);
    if (!b.seen[0] || b.len[0] != 6 || !all_digits(b.val[0], 6))
        report(rep, VIETQR_E_BIN);
    if (b.seen[1])
        copy_field(f->account, sizeof(f->account), b.val[1], b.len[1]);
    if (!b.seen[1] || b.len[1] > VIETQR_ACCOUNT_MAX ||
        !all_alnum(b.val[1], b.len[1]))
        report(rep, VIETQR_E_ACCOUNT);
    return guid_ok;
}

/* Validate tag 62 (present) and pick out 62/08. */
static void check_additional(const struct root *r, struct vietqr_fields *f,
                             struct vietqr_report *rep, int vietqr)
{
    struct sub a;
    int bad = 0;

    walk_sub(r->obj.val[62], r->obj.len[62], &a);
    if (a.seen[8]) {
        f->has_content = 1;
        copy_field(f->content, sizeof(f->content), a.val[8], a.len[8]);
    }
    if (!vietqr)
        return;
    if (a.broken || r->obj.len[62] == 0)
        bad = 1;
    if (a.dup)
        report(rep, VIETQR_E_DUPLICATE_TAG);
    for (int id = 1; id <= 7; id++)
        if (a.seen[id] && (a.len[id] > VIETQR_CONTENT_MAX ||
                           !all_print(a.val[id], a.len[id])))
            bad = 1;
    if (a.seen[9] && a.len[9] > 3)
        bad = 1;
    if (bad)
        report(rep, VIETQR_E_ADDITIONAL);
    if (a.seen[8] &&
        (a.len[8] > VIETQR_CONTENT_MAX || !all_print(a.val[8], a.len[8])))
        report(rep, VIETQR_E_CONTENT);
}

int vietqr_decode(const char *payload, size_t len, struct vietqr_fields *f,
                  struct vietqr_report *rep)
{
    struct root r;
    int vietqr, guid_ok = 0;
    int64_t amount = 0;

    memset(f, 0, sizeof(*f));
    memset(rep, 0, sizeof(*rep));
    f->merchant_tag = -1;
    if (!payload || len == 0) {
        report(rep, VIETQR_E_EMPTY);
        return -VIETQR_E_EMPTY;
    }
    if (len > VIETQR_MAX_PAYLOAD)
        report(rep, VIETQR_E_TOO_LONG);
    if (!all_print(payload, len))
        report(rep, VIETQR_E_CHARSET);

    /* Structure: every length and the position of 00 and 63. */
    walk_root(payload, len, &r);
    if (r.syntax)
        report(rep, VIETQR_E_TLV_SYNTAX);
    if (r.trunc)
        report(rep, VIETQR_E_TLV_TRUNCATED);
    if (r.first_id != 0)
        report(rep, VIETQR_E_FIRST_NOT_00);
    if (r.obj.seen[0] && !eq(r.obj.val[0], r.obj.len[0], "01"))
        report(rep, VIETQR_E_FORMAT_INDICATOR);
    if (r.obj.dup)
        report(rep, VIETQR_E_DUPLICATE_TAG);
    if (r.n63 > 0 && (!r.complete || r.last_id != 63))
        report(rep, VIETQR_E_LAST_NOT_63);
    check_crc(payload, len, &r, f, rep);
    rep->emvco_valid = rep->count == 0;

    /* 01: point of initiation. */
    if (r.obj.seen[1] && eq(r.obj.val[1], r.obj.len[1], "12"))
        f->dynamic = 1;
    else if (!r.obj.seen[1] || !eq(r.obj.val[1], r.obj.len[1], "11"))
        report(rep, VIETQR_E_INITIATION);

    /* Merchant account: NAPAS template in 38, or someone else's. */
    note_merchant(&r, f);
    vietqr = r.obj.seen[38];
    if (vietqr) {
        guid_ok = check_napas(&r, f, rep);
    } else if (r.complete) {
        /* A readable EMVCo payload that is simply not VietQR. */
        report(rep, VIETQR_E_NOT_VIETQR);
    }

    /* 53, 54, 58, 62: fields are read always, judged only for VietQR. */
    if (vietqr && (!r.obj.seen[53] || !eq(r.obj.val[53], r.obj.len[53], "704")))
        report(rep, VIETQR_E_CURRENCY);
    if (r.obj.seen[54]) {
        if (parse_amount(r.obj.val[54], r.obj.len[54], &amount)) {
            f->has_amount = 1;
            f->amount = amount;
            if (vietqr && amount >= VIETQR_NAPAS247_CAP) {
                rep->over_cap = 1;
                report(rep, VIETQR_E_AMOUNT_OVER_CAP);
            }
        } else if (vietqr) {
            report(rep, VIETQR_E_AMOUNT);
        }
    }
    if (vietqr && (!r.obj.seen[58] || !eq(r.obj.val[58], r.obj.len[58], "VN")))
        report(rep, VIETQR_E_COUNTRY);
    if (r.obj.seen[62])
        check_additional(&r, f, rep, vietqr);

    rep->is_vietqr = guid_ok;
    return rep->count ? -(int)rep->errors[0] : 0;
}

/* ---- encode -------------------------------------------------------------- */

/* An output cursor that never writes past its capacity. */
struct out {
    char *p;
    size_t cap; /* bytes available including the NUL */
    size_t n;   /* bytes written (excluding the NUL) */
    int over;   /* something did not fit */
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->over || n >= o->cap - o->n) {
        o->over = 1;
        return;
    }
    memcpy(o->p + o->n, s, n);
    o->n += n;
    o->p[o->n] = '\0';
}

static void put_tlv(struct out *o, const char *id, const char *v, size_t n)
{
    char len[3] = {(char)('0' + n / 10), (char)('0' + n % 10), '\0'};

    put(o, id, 2);
    put(o, len, 2);
    put(o, v, n);
}

/* Check the request; returns 0 or the VIETQR_E_* of the first bad field. */
static enum vietqr_error check_request(const struct vietqr_request *req)
{
    size_t n;

    if (!req->bin)
        return VIETQR_E_BIN;
    if (has_non_ascii(req->bin))
        return VIETQR_E_NON_ASCII;
    if (strlen(req->bin) != 6 || !all_digits(req->bin, 6))
        return VIETQR_E_BIN;
    if (!req->account)
        return VIETQR_E_ACCOUNT;
    if (has_non_ascii(req->account))
        return VIETQR_E_NON_ASCII;
    n = strlen(req->account);
    if (n == 0 || n > VIETQR_ACCOUNT_MAX || !all_alnum(req->account, n))
        return VIETQR_E_ACCOUNT;
    if (req->service != VIETQR_TO_ACCOUNT && req->service != VIETQR_TO_CARD)
        return VIETQR_E_SERVICE;
    if (req->amount < 0 || req->amount > INT64_C(9999999999999))
        return VIETQR_E_AMOUNT;
    if (req->content) {
        if (has_non_ascii(req->content))
            return VIETQR_E_NON_ASCII;
        n = strlen(req->content);
        if (n > VIETQR_CONTENT_MAX || !all_print(req->content, n))
            return VIETQR_E_CONTENT;
    }
    return VIETQR_OK;
}

int vietqr_encode(const struct vietqr_request *req, char *out, size_t cap)
{
    struct out o = {out, cap, 0, 0};
    char acc[VIETQR_ACCOUNT_MAX + 20], mai[99 + 1], amt[24], add[32];
    char crc[5];
    size_t acc_n, mai_n, amt_n = 0, cn;
    enum vietqr_error e;
    int dynamic;

    if (!out || cap == 0)
        return -VIETQR_E_BUFFER;
    out[0] = '\0';
    if (!req)
        return -VIETQR_E_EMPTY;
    e = check_request(req);
    if (e != VIETQR_OK)
        return -(int)e;
    dynamic = req->amount > 0 && !req->force_static;

    /* 38/01: 00 BIN, 01 account (<= 10 + 23 characters). */
    {
        struct out a = {acc, sizeof(acc), 0, 0};
        put_tlv(&a, "00", req->bin, 6);
        put_tlv(&a, "01", req->account, strlen(req->account));
        acc_n = a.n;
    }
    /* 38: 00 GUID, 01 beneficiary, 02 service (<= 14 + 37 + 12). */
    {
        struct out m = {mai, sizeof(mai), 0, 0};
        put_tlv(&m, "00", VIETQR_GUID, strlen(VIETQR_GUID));
        put_tlv(&m, "01", acc, acc_n);
        put_tlv(&m, "02",
                req->service == VIETQR_TO_CARD ? "QRIBFTTC" : "QRIBFTTA", 8);
        if (m.over)
            return -VIETQR_E_TEMPLATE_TOO_LONG;
        mai_n = m.n;
    }
    if (req->amount > 0) {
        /* Digits only, most significant first. */
        char rev[24];
        int64_t a = req->amount;
        size_t k = 0;
        while (a > 0) {
            rev[k++] = (char)('0' + a % 10);
            a /= 10;
        }
        while (k > 0)
            amt[amt_n++] = rev[--k];
    }

    put(&o, "000201", 6);
    put(&o, dynamic ? "010212" : "010211", 6);
    put_tlv(&o, "38", mai, mai_n);
    put(&o, "5303704", 7);
    if (amt_n > 0)
        put_tlv(&o, "54", amt, amt_n);
    put(&o, "5802VN", 6);
    cn = req->content ? strlen(req->content) : 0;
    if (cn > 0) {
        struct out a = {add, sizeof(add), 0, 0};
        put_tlv(&a, "08", req->content, cn);
        put_tlv(&o, "62", add, a.n);
    }
    put(&o, "6304", 4);
    if (o.over) {
        out[0] = '\0';
        return -VIETQR_E_BUFFER;
    }
    hex4(vietqr_crc16(out, o.n), crc);
    put(&o, crc, 4);
    if (o.over) {
        out[0] = '\0';
        return -VIETQR_E_BUFFER;
    }
    return 0;
}
