/*
 * paycode.c: payer codes as people type them (paycode.h): one key per
 * code, exact, key and O-for-0 matches, and the codes near a typed one.
 */
#include "paycode.h"

#include <string.h>

#define KEY_CAP 64 /* a key longer than this matches nothing */

size_t paycode_key(const char *code, char *out, size_t cap)
{
    size_t n = 0;

    for (const char *p = code; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-' || c == '.' || c == '\t')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (n + 1 < cap)
            out[n] = c;
        n++;
    }
    if (cap)
        out[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* 1 when typed key `t` is code key `c` with some 0 typed as the letter O. */
static int o_for_zero(const char *t, const char *c)
{
    int swapped = 0;

    for (; *t && *c; t++, c++) {
        if (*t == *c)
            continue;
        if (*t != 'O' || *c != '0')
            return 0;
        swapped = 1;
    }
    return swapped && !*t && !*c;
}

/*
 * 1 when `a` becomes `b` by one edit: a character changed, added or
 * removed, or two neighbours swapped ("A21" for "A12").
 */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), i = 0;

    if (la > lb + 1 || lb > la + 1)
        return 0;
    while (i < la && i < lb && a[i] == b[i])
        i++;
    if (la == lb) {
        if (i == la)
            return 0; /* equal */
        if (!strcmp(a + i + 1, b + i + 1))
            return 1;
        return i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               !strcmp(a + i + 2, b + i + 2);
    }
    return la > lb ? !strcmp(a + i + 1, b + i) : !strcmp(a + i, b + i + 1);
}

int paycode_find(const char *typed, paycode_at_fn at, const void *list,
                 size_t n, size_t *index)
{
    char want[KEY_CAP], key[KEY_CAP];
    size_t found = 0, hits = 0;

    for (size_t i = 0; i < n; i++) {
        if (!strcmp(at(list, i), typed)) {
            *index = i; /* typed exactly: never ambiguous */
            return 0;
        }
    }
    if (paycode_key(typed, want, sizeof(want)) >= sizeof(want) || !want[0])
        return -PAYCODE_E_NONE;
    /* pass 0: the same key; pass 1: the same once O is read as 0 */
    for (int pass = 0; pass < 2 && hits == 0; pass++) {
        for (size_t i = 0; i < n; i++) {
            if (paycode_key(at(list, i), key, sizeof(key)) >= sizeof(key))
                continue;
            if (pass == 0 ? !strcmp(key, want) : o_for_zero(want, key)) {
                if (hits++ == 0)
                    found = i;
            }
        }
    }
    if (hits == 0)
        return -PAYCODE_E_NONE;
    if (hits > 1)
        return -PAYCODE_E_AMBIGUOUS;
    *index = found;
    return 0;
}

size_t paycode_suggest(const char *typed, paycode_at_fn at, const void *list,
                       size_t n, size_t *out, size_t max)
{
    char want[KEY_CAP], key[KEY_CAP];
    size_t got = 0, wl;

    wl = paycode_key(typed, want, sizeof(want));
    if (wl >= sizeof(want) || wl == 0)
        return 0;
    /* closest first: the same key, one edit away, then longer codes */
    for (int pass = 0; pass < 3; pass++) {
        for (size_t i = 0; i < n && got < max; i++) {
            size_t kl = paycode_key(at(list, i), key, sizeof(key));
            int hit;
            if (kl >= sizeof(key))
                continue;
            if (pass == 0)
                hit = !strcmp(key, want) || o_for_zero(want, key);
            else if (pass == 1)
                hit = one_edit(key, want) && !o_for_zero(want, key);
            else
                hit =
                    kl > wl && !strncmp(key, want, wl) && !one_edit(key, want);
            if (hit)
                out[got++] = i;
        }
    }
    return got;
}
