/*
 * money.c: amounts as int64_t đồng. A strict hand-written parser for the
 * ways amounts are written in Vietnam ("15.000 ₫", "15,000 VND",
 * "15.000,00"), the Vietnamese format, and overflow-checked arithmetic.
 * No floating point anywhere.
 */
#include <string.h>

#include "money.h"

/* Bytes of white space at s (ASCII, U+00A0, U+2009, U+202F), 0 if none. */
static size_t ws_len(const unsigned char *s)
{
    if (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        return 1;
    if (s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x89 || s[2] == 0xAF))
        return 3;
    return 0;
}

static const unsigned char *skip_ws(const unsigned char *s)
{
    size_t n;
    while ((n = ws_len(s)) != 0)
        s += n;
    return s;
}

/*
 * Currency words, lower case. Matching folds ASCII case and the two
 * Vietnamese letters that occur in them (Đ -> đ, Ồ -> ồ).
 */
static const char *const suffix_currencies[] = {"vnd",
                                                "vn\xc4\x91",
                                                "\xc4\x91\xe1\xbb\x93ng",
                                                "dong",
                                                "\xe2\x82\xab",
                                                "\xc4\x91",
                                                "d",
                                                NULL};
static const char *const prefix_currencies[] = {"vnd", "vn\xc4\x91",
                                                "\xe2\x82\xab", NULL};

/* Length of the match of lower-case `word` at s, or 0. */
static size_t match_word(const unsigned char *s, const char *word)
{
    const unsigned char *w = (const unsigned char *)word;
    size_t i = 0;

    while (*w) {
        if (w[0] == 0xC4 && w[1] == 0x91) { /* đ, or Đ (C4 90) */
            if (s[i] != 0xC4 || (s[i + 1] != 0x91 && s[i + 1] != 0x90))
                return 0;
            i += 2, w += 2;
        } else if (w[0] == 0xE1 && w[1] == 0xBB && w[2] == 0x93) {
            /* ồ, or Ồ (E1 BB 92) */
            if (s[i] != 0xE1 || s[i + 1] != 0xBB ||
                (s[i + 2] != 0x93 && s[i + 2] != 0x92))
                return 0;
            i += 3, w += 3;
        } else {
            unsigned char c = s[i];
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c - 'A' + 'a');
            if (c != *w)
                return 0;
            i++, w++;
        }
    }
    return i;
}

/*
 * Length of the currency word at s, or 0. A suffix must end the text
 * (white space aside); a prefix may be followed by anything.
 */
static size_t match_suffix(const unsigned char *s)
{
    for (size_t k = 0; suffix_currencies[k]; k++) {
        size_t n = match_word(s, suffix_currencies[k]);
        if (n && *skip_ws(s + n) == '\0')
            return n;
    }
    return 0;
}

static size_t match_prefix(const unsigned char *s)
{
    for (size_t k = 0; prefix_currencies[k]; k++) {
        size_t n = match_word(s, prefix_currencies[k]);
        if (n)
            return n;
    }
    return 0;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_sep(unsigned char c)
{
    return c == '.' || c == ',';
}

/*
 * Check the digit groups of the integer part [b, e) that uses grouping
 * separators: first group 1-3 digits without a leading zero, then groups
 * of exactly three, one separator character throughout.
 */
static int check_groups(const unsigned char *b, const unsigned char *e)
{
    const unsigned char *p = b;
    unsigned char sep = 0;
    size_t n = 0;

    while (p < e && is_digit(*p))
        p++, n++;
    if (n < 1 || n > 3 || (*b == '0'))
        return -1;
    while (p < e) {
        if (!is_sep(*p) || (sep && *p != sep))
            return -1;
        sep = *p++;
        for (n = 0; p < e && is_digit(*p); p++)
            n++;
        if (n != 3)
            return -1;
    }
    return 0;
}

/*
 * Parse the number [b, e): digits and separators only (the caller made
 * sure). Returns 0 with *mag the magnitude (capped just above MONEY_MAX
 * so it never overflows), or a negated enum money_error.
 */
static int parse_number(const unsigned char *b, const unsigned char *e,
                        uint64_t *mag)
{
    const unsigned char *p, *dec = NULL, *int_end;
    size_t dots = 0, commas = 0;
    uint64_t v = 0;

    if (b == e || !is_digit(*b) || !is_digit(e[-1]))
        return -MONEY_E_SYNTAX;
    for (p = b; p < e; p++) {
        if (*p == '.')
            dots++;
        else if (*p == ',')
            commas++;
    }
    if (dots && commas) {
        /* The last separator is the decimal point; it occurs once. */
        const unsigned char *last = e - 1;
        while (!is_sep(*last))
            last--;
        if ((*last == '.' ? dots : commas) != 1)
            return -MONEY_E_SYNTAX;
        dec = last;
    } else if (dots + commas == 1) {
        /* One separator: grouping before exactly three digits. */
        const unsigned char *s = b;
        while (!is_sep(*s))
            s++;
        if (e - (s + 1) != 3)
            dec = s;
    }
    int_end = dec ? dec : e;
    for (p = b; p < int_end; p++) {
        if (is_sep(*p)) {
            if (check_groups(b, int_end) < 0)
                return -MONEY_E_SYNTAX;
            break;
        }
    }
    if (dec) {
        /* Digits only after the decimal point (at least one, see above). */
        for (p = dec + 1; p < e; p++)
            if (!is_digit(*p))
                return -MONEY_E_SYNTAX;
    }
    /* Integer digits; stop growing once beyond MONEY_MAX (no overflow). */
    for (p = b; p < int_end; p++) {
        if (!is_digit(*p))
            continue;
        if (v <= (uint64_t)MONEY_MAX)
            v = v * 10 + (uint64_t)(*p - '0');
    }
    if (dec) {
        for (p = dec + 1; p < e; p++)
            if (*p != '0')
                return -MONEY_E_DECIMALS;
    }
    if (v > (uint64_t)MONEY_MAX)
        return -MONEY_E_RANGE;
    *mag = v;
    return 0;
}

int money_parse(const char *text, int64_t *out)
{
    const unsigned char *s, *b, *e;
    int neg = 0, have_prefix = 0, rc;
    uint64_t mag;
    size_t n;

    if (!text || !out)
        return -MONEY_E_SYNTAX;
    s = skip_ws((const unsigned char *)text);
    if ((n = match_prefix(s)) != 0) {
        have_prefix = 1;
        s = skip_ws(s + n);
    }
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    b = s;
    while (is_digit(*s) || is_sep(*s))
        s++;
    e = s;
    s = skip_ws(s);
    if (!have_prefix && (n = match_suffix(s)) != 0)
        s = skip_ws(s + n);
    if (*s != '\0')
        return -MONEY_E_SYNTAX;
    rc = parse_number(b, e, &mag);
    if (rc < 0)
        return rc;
    *out = neg ? -(int64_t)mag : (int64_t)mag;
    return 0;
}

int money_parse_nonneg(const char *text, int64_t *out)
{
    int64_t v;
    int rc = money_parse(text, &v);

    if (rc < 0)
        return rc;
    if (v < 0)
        return -MONEY_E_NEGATIVE;
    *out = v;
    return 0;
}

/* Write amount with '.' every three digits, then `suffix`. */
static int format(int64_t amount, const char *suffix, char *buf, size_t cap)
{
    char tmp[MONEY_FORMAT_MAX];
    size_t n = 0, slen = strlen(suffix), len;
    /* Magnitude without negating INT64_MIN. */
    uint64_t mag =
        amount < 0 ? (uint64_t)(-(amount + 1)) + 1 : (uint64_t)amount;
    int digits = 0;

    do { /* backwards into tmp */
        if (digits && digits % 3 == 0)
            tmp[n++] = '.';
        tmp[n++] = (char)('0' + mag % 10);
        mag /= 10;
        digits++;
    } while (mag);
    if (amount < 0)
        tmp[n++] = '-';
    len = n + slen;
    if (!buf || cap <= len) {
        if (buf && cap)
            buf[0] = '\0';
        return -MONEY_E_BUFFER;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    memcpy(buf + n, suffix, slen + 1);
    return 0;
}

int money_format(int64_t amount, char *buf, size_t cap)
{
    return format(amount, " \xe2\x82\xab", buf, cap);
}

int money_format_plain(int64_t amount, char *buf, size_t cap)
{
    return format(amount, "", buf, cap);
}

static int in_range(int64_t v)
{
    return v >= -MONEY_MAX && v <= MONEY_MAX;
}

int money_add(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (!in_range(a) || !in_range(b))
        return -MONEY_E_RANGE;
    r = a + b; /* |a|, |b| <= 10^15: cannot overflow int64_t */
    if (!in_range(r))
        return -MONEY_E_OVERFLOW;
    *out = r;
    return 0;
}

int money_sub(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (!in_range(a) || !in_range(b))
        return -MONEY_E_RANGE;
    r = a - b;
    if (!in_range(r))
        return -MONEY_E_OVERFLOW;
    *out = r;
    return 0;
}

int money_mul(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;

    if (!in_range(a) || !in_range(b))
        return -MONEY_E_RANGE;
    /* 10^15 * 10^15 overflows int64_t: let the compiler check it. */
    if (__builtin_mul_overflow(a, b, &r) || !in_range(r))
        return -MONEY_E_OVERFLOW;
    *out = r;
    return 0;
}

const char *money_strerror(int rc)
{
    static const char *const text[] = {
        [MONEY_OK] = "ok",
        [MONEY_E_SYNTAX] = "not an amount of money",
        [MONEY_E_DECIMALS] = "non-zero decimals (VND has no minor unit)",
        [MONEY_E_RANGE] = "amount beyond 10^15 đồng",
        [MONEY_E_NEGATIVE] = "negative amount",
        [MONEY_E_OVERFLOW] = "overflow: result beyond 10^15 đồng",
        [MONEY_E_BUFFER] = "output buffer too small",
    };

    if (rc < 0 && rc >= -MONEY_E_BUFFER)
        rc = -rc;
    if (rc < 0 || (size_t)rc >= sizeof text / sizeof *text)
        return "unknown error";
    return text[rc];
}
