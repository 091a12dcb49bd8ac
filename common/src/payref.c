/*
 * payref.c: payment reference codes: a 2-3 letter prefix, 7 random symbols
 * and a weighted mod-29 check symbol over a 29-symbol alphabet without
 * look-alikes; secure generation (OpenSSL RAND_bytes, rejection sampling)
 * and recovery of a code from a bank's rewritten transfer description.
 */
#include "payref.h"

#include <string.h>

#include <openssl/rand.h>

#include "vntext.h"

/*
 * The check. Let a code be c_1 .. c_n (prefix included, n = 10 or 11) and
 * v_i in 0..28 the index of c_i in PAYREF_ALPHABET. The code is valid when
 *
 *     S = sum_{i=1..n} i * v_i  = 0  (mod 29).
 *
 * The check symbol c_n is the unique v_n with n * v_n = -S' (mod 29), S'
 * the sum over the first n - 1 characters: n < 29 and 29 is prime, so n is
 * invertible mod 29.
 *
 * Single substitution at position i, v -> v' (v != v'): S changes by
 * i * (v' - v). Here 1 <= i <= 11 and 0 < |v' - v| <= 28, neither is a
 * multiple of the prime 29, so neither is their product: S != 0, the
 * corrupted code is rejected.
 *
 * Transposition of positions i and j (any two, adjacent or not), values a
 * != b: S changes by i*b + j*a - i*a - j*b = (j - i) * (a - b). Again
 * 0 < |j - i| <= 10 and 0 < |a - b| <= 28 are not multiples of 29, so
 * S != 0: every transposition of two different symbols is rejected.
 *
 * A substitution by a character outside the alphabet (or by a letter in
 * the digit position after the prefix) is rejected by the symbol check; a
 * dropped or doubled character by the fixed length. Both
 * properties are tested exhaustively on random codes in test_payref.c.
 */

/* Alphabet index + 1 of each ASCII character, 0 outside the alphabet. */
static const unsigned char sym_val[128] = {
    ['2'] = 1,  ['3'] = 2,  ['4'] = 3,  ['5'] = 4,  ['6'] = 5,  ['7'] = 6,
    ['8'] = 7,  ['9'] = 8,  ['A'] = 9,  ['B'] = 10, ['C'] = 11, ['D'] = 12,
    ['E'] = 13, ['F'] = 14, ['G'] = 15, ['H'] = 16, ['J'] = 17, ['K'] = 18,
    ['M'] = 19, ['N'] = 20, ['P'] = 21, ['Q'] = 22, ['R'] = 23, ['S'] = 24,
    ['T'] = 25, ['V'] = 26, ['W'] = 27, ['X'] = 28, ['Y'] = 29,
};

/* Index of `c` in the alphabet, or -1. */
static int sym_index(char c)
{
    unsigned char u = (unsigned char)c;

    return u < 128 ? (int)sym_val[u] - 1 : -1;
}

static int is_prefix_letter(char c)
{
    return c >= 'A' && c <= 'Z' && sym_index(c) >= 0;
}

/* A digit 2-9: the symbols allowed right after the prefix. */
static int is_digit_symbol(char c)
{
    return c >= '2' && c <= '9';
}

/* Weighted sum of `len` alphabet characters mod 29, or -1. */
static int weighted_sum(const char *s, size_t len)
{
    unsigned sum = 0;
    size_t i;
    int v;

    for (i = 0; i < len; i++) {
        v = sym_index(s[i]);
        if (v < 0)
            return -1;
        sum += (unsigned)(i + 1) * (unsigned)v;
    }
    return (int)(sum % PAYREF_RADIX);
}

int payref_prefix_valid(const char *prefix)
{
    size_t i, n;

    if (prefix == NULL)
        return -PAYREF_E_PREFIX;
    n = strnlen(prefix, 4);
    if (n < 2 || n > 3)
        return -PAYREF_E_PREFIX;
    for (i = 0; i < n; i++)
        if (!is_prefix_letter(prefix[i]))
            return -PAYREF_E_PREFIX;
    return 0;
}

char payref_check_symbol(const char *code, size_t len)
{
    unsigned w, inv, v;
    int s;

    if (code == NULL || len == 0 || len >= PAYREF_MAX)
        return 0;
    s = weighted_sum(code, len);
    if (s < 0)
        return 0;
    /* Solve (len + 1) * v = -s (mod 29); 29 prime, so an inverse exists. */
    w = (unsigned)(len + 1);
    for (inv = 1; (w * inv) % PAYREF_RADIX != 1; inv++)
        ;
    v = ((PAYREF_RADIX - (unsigned)s) % PAYREF_RADIX) * inv % PAYREF_RADIX;
    return PAYREF_ALPHABET[v];
}

int payref_check(const char *code)
{
    size_t len, plen, i;

    if (code == NULL)
        return -PAYREF_E_LENGTH;
    len = strnlen(code, PAYREF_MAX + 1);
    if (len < 2 + PAYREF_BODY_LEN || len > 3 + PAYREF_BODY_LEN)
        return -PAYREF_E_LENGTH;
    plen = len - PAYREF_BODY_LEN;
    for (i = 0; i < plen; i++)
        if (!is_prefix_letter(code[i]))
            return -PAYREF_E_PREFIX;
    if (!is_digit_symbol(code[i]))
        return -PAYREF_E_SYMBOL;
    for (; i < len; i++)
        if (sym_index(code[i]) < 0)
            return -PAYREF_E_SYMBOL;
    if (weighted_sum(code, len) != 0)
        return -PAYREF_E_CHECK;
    return 0;
}

/* Finish `buf` (prefix + 7 symbols) with the check symbol, copy to out. */
static void finish(char *buf, size_t plen, char *out)
{
    size_t n = plen + PAYREF_BODY_LEN;

    buf[n - 1] = payref_check_symbol(buf, n - 1);
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
}

int payref_new(const char *prefix, char *out)
{
    unsigned char rnd[32];
    char buf[PAYREF_MAX + 1];
    size_t plen, i = 0, r = sizeof rnd;

    if (payref_prefix_valid(prefix) != 0)
        return -PAYREF_E_PREFIX;
    plen = strlen(prefix);
    memcpy(buf, prefix, plen);
    while (i < PAYREF_BODY_LEN - 1) {
        if (r == sizeof rnd) {
            if (RAND_bytes(rnd, (int)sizeof rnd) != 1)
                return -PAYREF_E_RANDOM;
            r = 0;
        }
        if (i == 0) {
            /* The digit: 256 is a multiple of 8, b % 8 is uniform. */
            buf[plen + i++] = PAYREF_ALPHABET[rnd[r] % PAYREF_DIGITS];
        } else if (rnd[r] < 8 * PAYREF_RADIX) {
            /* Rejection sampling: 232 = 8 * 29, so b % 29 is uniform. */
            buf[plen + i++] = PAYREF_ALPHABET[rnd[r] % PAYREF_RADIX];
        }
        r++;
    }
    finish(buf, plen, out);
    return 0;
}

int payref_from_number(const char *prefix, uint64_t n, char *out)
{
    char buf[PAYREF_MAX + 1];
    size_t plen, i;

    if (payref_prefix_valid(prefix) != 0)
        return -PAYREF_E_PREFIX;
    if (n >= PAYREF_NUMBERS)
        return -PAYREF_E_RANGE;
    plen = strlen(prefix);
    memcpy(buf, prefix, plen);
    /* Base 29, most significant symbol first; n < 8 * 29^6 makes the
     * first symbol one of the 8 digits that open the alphabet. */
    for (i = PAYREF_BODY_LEN - 1; i > 0; i--) {
        buf[plen + i - 1] = PAYREF_ALPHABET[n % PAYREF_RADIX];
        n /= PAYREF_RADIX;
    }
    finish(buf, plen, out);
    return 0;
}

/* --- find -------------------------------------------------------------
 *
 * The text is folded code point by code point (vntext_fold_cp) and every
 * character that is not A-Z or 0-9 is deleted; a window holds the last
 * PAYREF_MAX kept characters. Each time a character is kept, every prefix
 * is tried as the start of a candidate ending there. Candidates therefore
 * come out in the order of their start in the text (prefixes are 2 or 3
 * letters long, so a later end never means an earlier start).
 *
 * Look-alikes: no mapping. The alphabet already leaves out 0 1 I L O U Z,
 * so what a payer types from the kiosk screen is either right or not in
 * the alphabet at all. Mapping, say, U -> V or Z -> 2 would only add
 * candidates (Vietnamese text is full of U), each passing the check with
 * probability 1/29: more false positives, never a certain recovery. A
 * mistyped code falls through to the amount-and-time matching and manual
 * review, as the reference recommends.
 */

static int prefixes_valid(const char *const *prefixes)
{
    size_t i;

    for (i = 0; prefixes[i] != NULL; i++)
        if (payref_prefix_valid(prefixes[i]) != 0)
            return -PAYREF_E_PREFIX;
    return 0;
}

/*
 * Scan `len` bytes of `text` for candidates with one of `prefixes` (all
 * valid); call visit(ctx, code, glued) for each, in text order, `glued`
 * telling whether the prefix follows a letter. Stops when visit returns
 * non-zero.
 */
static void scan(const char *text, size_t len, const char *const *prefixes,
                 int (*visit)(void *ctx, const char *code, int glued),
                 void *ctx)
{
    char win[PAYREF_MAX];            /* last kept characters */
    unsigned char glued[PAYREF_MAX]; /* kept after a letter? */
    char code[PAYREF_MAX + 1];
    size_t i = 0, used, n, k, p, wlen = 0, plen, clen, s;
    int after_letter = 0;
    uint32_t cp;
    char f[2];

    while (i < len) {
        if ((unsigned char)text[i] < 0x80) { /* fast path: ASCII */
            cp = (unsigned char)text[i];
            used = 1;
        } else if (vntext_utf8_decode(text + i, len - i, &cp, &used) != 0) {
            i++; /* skip a byte that is not UTF-8, like a dropped char */
            continue;
        }
        i += used;
        n = vntext_fold_cp(cp, f);
        for (k = 0; k < n; k++) {
            char c = f[k];
            int letter = c >= 'A' && c <= 'Z';

            if (!letter && !(c >= '0' && c <= '9')) {
                after_letter = 0; /* space or punctuation: deleted */
                continue;
            }
            if (wlen == PAYREF_MAX) {
                memmove(win, win + 1, PAYREF_MAX - 1);
                memmove(glued, glued + 1, PAYREF_MAX - 1);
                wlen--;
            }
            win[wlen] = c;
            glued[wlen] = (unsigned char)after_letter;
            wlen++;
            after_letter = letter;
            for (p = 0; prefixes[p] != NULL; p++) {
                plen = strlen(prefixes[p]);
                clen = plen + PAYREF_BODY_LEN;
                if (wlen < clen)
                    continue;
                s = wlen - clen;
                if (memcmp(win + s, prefixes[p], plen) != 0 ||
                    !is_digit_symbol(win[s + plen]) ||
                    weighted_sum(win + s, clen) != 0)
                    continue;
                memcpy(code, win + s, clen);
                code[clen] = '\0';
                if (visit(ctx, code, glued[s]))
                    return;
            }
        }
    }
}

struct find_ctx {
    char first[PAYREF_MAX + 1]; /* leftmost candidate glued to a letter */
    char best[PAYREF_MAX + 1];  /* leftmost candidate starting a word */
};

static int find_visit(void *ctx, const char *code, int glued)
{
    struct find_ctx *fc = ctx;

    if (!glued) {
        strcpy(fc->best, code);
        return 1;
    }
    if (fc->first[0] == '\0')
        strcpy(fc->first, code);
    return 0;
}

static const char *const default_prefixes[] = {PAYREF_DEFAULT_PREFIX, NULL};

int payref_find(const char *text, size_t len, const char *const *prefixes,
                char *out)
{
    struct find_ctx fc = {"", ""};
    const char *got;

    if (prefixes == NULL)
        prefixes = default_prefixes;
    if (prefixes_valid(prefixes) != 0)
        return -PAYREF_E_PREFIX;
    if (text == NULL)
        return -PAYREF_E_NOT_FOUND;
    scan(text, len, prefixes, find_visit, &fc);
    got = fc.best[0] != '\0' ? fc.best : fc.first;
    if (got[0] == '\0' || payref_check(got) != 0)
        return -PAYREF_E_NOT_FOUND;
    strcpy(out, got);
    return 0;
}

struct all_ctx {
    char (*out)[PAYREF_MAX + 1]; /* the caller's array of codes */
    size_t max;                  /* its room, in codes */
    size_t count;                /* distinct codes stored so far */
};

static int all_visit(void *ctx, const char *code, int glued)
{
    struct all_ctx *ac = ctx;
    size_t i;

    (void)glued;
    for (i = 0; i < ac->count; i++)
        if (strcmp(ac->out[i], code) == 0)
            return 0;
    if (ac->count == ac->max)
        return 1;
    strcpy(ac->out[ac->count++], code);
    return 0;
}

int payref_find_all(const char *text, size_t len, const char *const *prefixes,
                    char (*out)[PAYREF_MAX + 1], size_t max, size_t *count)
{
    struct all_ctx ac = {out, max, 0};

    if (prefixes == NULL)
        prefixes = default_prefixes;
    if (prefixes_valid(prefixes) != 0)
        return -PAYREF_E_PREFIX;
    if (text == NULL || max == 0)
        return -PAYREF_E_NOT_FOUND;
    scan(text, len, prefixes, all_visit, &ac);
    if (ac.count == 0)
        return -PAYREF_E_NOT_FOUND;
    *count = ac.count;
    return 0;
}
