/*
 * vn_words.c: an amount in Vietnamese words: groups of three digits read
 * with "trăm", "mươi", "linh", "mốt", "lăm", named by "nghìn", "triệu",
 * "tỷ" (a thousand billion is "nghìn tỷ").
 */
#include <stdio.h>
#include <string.h>

#include "vn_words.h"

static const char *const digit[] = {"không", "một", "hai", "ba",  "bốn",
                                    "năm",   "sáu", "bảy", "tám", "chín"};

/* Append " word" (no space at the start) to `out`; -1 when full. */
static int put(char *out, size_t cap, const char *word)
{
    size_t n = strlen(out);
    int w = snprintf(out + n, cap - n, "%s%s", n ? " " : "", word);

    return w < 0 || (size_t)w >= cap - n ? -1 : 0;
}

/* Group `g` (0..999); `inner`: not the number's first group, so its
 * hundreds and "linh" are read even when zero. */
static int group(int g, int inner, char *out, size_t cap)
{
    int h = g / 100, t = g / 10 % 10, u = g % 10, rc = 0;

    if (h > 0 || inner) {
        rc |= put(out, cap, digit[h]);
        rc |= put(out, cap, "trăm");
    }
    if (t == 0 && u > 0 && (h > 0 || inner))
        rc |= put(out, cap, "linh");
    if (t == 1)
        rc |= put(out, cap, "mười");
    else if (t > 1) {
        rc |= put(out, cap, digit[t]);
        rc |= put(out, cap, "mươi");
    }
    if (u == 1 && t > 1)
        rc |= put(out, cap, "mốt");
    else if (u == 5 && t > 0)
        rc |= put(out, cap, "lăm");
    else if (u > 0)
        rc |= put(out, cap, digit[u]);
    return rc;
}

/* `n` below 10^9 in words; `inner` as for group(). */
static int below_billion(int64_t n, int inner, char *out, size_t cap)
{
    static const char *const scale[] = {"triệu", "nghìn", NULL};
    int64_t div[] = {1000000, 1000, 1};
    int i, rc = 0;

    for (i = 0; i < 3; i++) {
        int g = (int)(n / div[i] % 1000);

        if (g == 0)
            continue;
        rc |= group(g, inner, out, cap);
        if (scale[i] != NULL)
            rc |= put(out, cap, scale[i]);
        inner = 1;
    }
    return rc;
}

int vn_amount_words(int64_t dong, char *out, size_t cap)
{
    int rc = 0;

    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (dong < 0 || dong > 999999999999999LL)
        return -1;
    if (dong == 0) {
        rc = put(out, cap, "không");
    } else {
        int64_t bn = dong / 1000000000, rest = dong % 1000000000;

        if (bn > 0) {
            rc |= below_billion(bn, 0, out, cap);
            rc |= put(out, cap, "tỷ");
        }
        if (rest > 0)
            rc |= below_billion(rest, bn > 0, out, cap);
    }
    rc |= put(out, cap, "đồng");
    if (rc != 0)
        out[0] = '\0';
    return rc ? -1 : 0;
}
