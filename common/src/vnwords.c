/*
 * vnwords.c: numbers in Vietnamese words, read three digits at a time
 * with the scales nghìn, triệu and tỷ. Integer arithmetic only; the
 * output is built in a fixed buffer that is checked on every append.
 *
 * The readings follow what Vietnamese banks' payment speakers and the
 * amount-in-words line of Vietnamese invoices say (Northern standard):
 *   - "linh" for a zero ten before a unit (105 "một trăm linh năm"):
 *     the form of the written standard and of most bank speakers; "lẻ"
 *     is its Southern equivalent and is not produced;
 *   - "tư" for 4 after "mươi" (24 "hai mươi tư"): the spoken form that
 *     speakers and invoice software use; the schoolbook "hai mươi bốn"
 *     is as correct but less usual in speech. "mười bốn" keeps "bốn";
 *   - "mốt" for 1 after "mươi" (21), "lăm" for 5 after any ten (15, 25);
 *   - "không trăm" for a group with no hundreds after a larger group, so
 *     that 1.050.000 is not heard as 1.500.000;
 *   - above 999.999.999 the number of tỷ is read as a number of its own
 *     (1.234.000.000.000 "một nghìn hai trăm ba mươi tư tỷ").
 */
#include <string.h>

#include "vnwords.h"

static const char *const digits[10] = {
    "kh\xc3\xb4ng",   /* không */
    "m\xe1\xbb\x99t", /* một */
    "hai",            /* hai */
    "ba",             /* ba */
    "b\xe1\xbb\x91n", /* bốn */
    "n\xc4\x83m",     /* năm */
    "s\xc3\xa1u",     /* sáu */
    "b\xe1\xba\xa3y", /* bảy */
    "t\xc3\xa1m",     /* tám */
    "ch\xc3\xadn",    /* chín */
};

#define W_TRAM  "tr\xc4\x83m"            /* trăm */
#define W_LINH  "linh"                   /* linh */
#define W_MUOI1 "m\xc6\xb0\xe1\xbb\x9di" /* mười: ten */
#define W_MUOI  "m\xc6\xb0\xc6\xa1i"     /* mươi: the tens from twenty */
#define W_MOT   "m\xe1\xbb\x91t"         /* mốt */
#define W_TU    "t\xc6\xb0"              /* tư */
#define W_LAM   "l\xc4\x83m"             /* lăm */
#define W_NGHIN "ngh\xc3\xacn"           /* nghìn */
#define W_TRIEU "tri\xe1\xbb\x87u"       /* triệu */
#define W_TY    "t\xe1\xbb\xb7"          /* tỷ */
#define W_AM    "\xc3\xa2m"              /* âm */
#define W_DONG  "\xc4\x91\xe1\xbb\x93ng" /* đồng */

#define BILLION UINT64_C(1000000000)

/* The output: a buffer, its capacity, the length so far, a failure flag. */
struct out {
    char *buf;  /* the caller's buffer */
    size_t cap; /* its capacity */
    size_t len; /* bytes written, without the NUL */
    int full;   /* 1: a word did not fit */
};

/* Append `word`, preceded by a space unless it is the first one. */
static void put(struct out *o, const char *word)
{
    size_t w = strlen(word);
    size_t sep = o->len ? 1 : 0;

    if (o->full || o->len + sep + w + 1 > o->cap) {
        o->full = 1;
        return;
    }
    if (sep)
        o->buf[o->len++] = ' ';
    memcpy(o->buf + o->len, word, w);
    o->len += w;
    o->buf[o->len] = '\0';
}

/*
 * Append a group of three digits g (1..999). `full`: a larger group came
 * before, so the hundreds are read even when zero ("không trăm").
 */
static void group(struct out *o, unsigned g, int full)
{
    unsigned h = g / 100, t = g / 10 % 10, u = g % 10;
    int hundreds = h != 0 || full;

    if (hundreds) {
        put(o, digits[h]);
        put(o, W_TRAM);
    }
    if (t == 0) {
        if (u == 0)
            return;
        if (hundreds)
            put(o, W_LINH);
        put(o, digits[u]);
    } else if (t == 1) {
        put(o, W_MUOI1);
        if (u == 5)
            put(o, W_LAM);
        else if (u != 0)
            put(o, digits[u]);
    } else {
        put(o, digits[t]);
        put(o, W_MUOI);
        if (u == 1)
            put(o, W_MOT);
        else if (u == 4)
            put(o, W_TU);
        else if (u == 5)
            put(o, W_LAM);
        else if (u != 0)
            put(o, digits[u]);
    }
}

/*
 * Append n (1..999.999.999) as up to three groups with their scales.
 * `leading`: nothing was said before, so the first group is read short.
 */
static void below_billion(struct out *o, uint64_t n, int leading)
{
    static const char *const scales[3] = {W_TRIEU, W_NGHIN, NULL};
    unsigned groups[3] = {(unsigned)(n / 1000000), (unsigned)(n / 1000 % 1000),
                          (unsigned)(n % 1000)};

    for (int i = 0; i < 3; i++) {
        if (groups[i] == 0)
            continue;
        group(o, groups[i], !leading);
        leading = 0;
        if (scales[i])
            put(o, scales[i]);
    }
}

/* Append n >= 1; the number of tỷ, when there are any, recursively. */
static void number(struct out *o, uint64_t n, int leading)
{
    if (n >= BILLION) {
        number(o, n / BILLION, leading);
        put(o, W_TY);
        n %= BILLION;
        leading = 0;
    }
    if (n)
        below_billion(o, n, leading);
}

static int words(int64_t n, const char *unit, char *buf, size_t cap)
{
    struct out o = {buf, cap, 0, cap == 0};
    uint64_t mag = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;

    if (cap > 0)
        buf[0] = '\0';
    if (n < 0)
        put(&o, W_AM);
    if (mag == 0)
        put(&o, digits[0]);
    else
        number(&o, mag, 1);
    if (unit)
        put(&o, unit);
    if (o.full) {
        if (cap > 0)
            buf[0] = '\0';
        return -VNWORDS_E_BUFFER;
    }
    return VNWORDS_OK;
}

int vnwords_number(int64_t n, char *buf, size_t cap)
{
    return words(n, NULL, buf, cap);
}

int vnwords_amount(int64_t amount, char *buf, size_t cap)
{
    return words(amount, W_DONG, buf, cap);
}
