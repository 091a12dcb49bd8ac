/*
 * match.c: the pure parts of the matching engine: payment codes found in
 * what banks write, the normalised references that pair a webhook with
 * the statement row of the same transfer, and the name score of review
 * suggestions.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "match.h"
#include "vntext.h"

void match_ref_key(const char *ref, char *out, size_t cap)
{
    size_t i, best = 0, best_at = 0, run = 0, k = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (i = 0;; i++) {
        if (ref[i] >= '0' && ref[i] <= '9') {
            run++;
            continue;
        }
        if (run >= 6 && run >= best) {
            best = run;
            best_at = i - run;
        }
        run = 0;
        if (ref[i] == '\0')
            break;
    }
    if (best > 0) {
        if (best >= cap)
            best_at += best - (cap - 1), best = cap - 1;
        memcpy(out, ref + best_at, best);
        out[best] = '\0';
        return;
    }
    for (i = 0; ref[i] != '\0' && k + 1 < cap; i++)
        if (isalnum((unsigned char)ref[i]))
            out[k++] = (char)toupper((unsigned char)ref[i]);
    out[k] = '\0';
}

/* Add the codes found in `text` to out[] unless already there. */
static void add_codes(const char *text, const char *prefix,
                      char (*out)[PAYREF_MAX + 1], size_t max, size_t *n)
{
    char found[MATCH_CODES_MAX][PAYREF_MAX + 1];
    const char *prefixes[2] = {prefix, NULL};
    size_t cnt = 0, i, j;

    if (text == NULL || *text == '\0' || *n >= max)
        return;
    if (payref_find_all(text, strlen(text), prefixes, found, MATCH_CODES_MAX,
                        &cnt) != 0)
        return;
    for (i = 0; i < cnt && *n < max; i++) {
        for (j = 0; j < *n; j++)
            if (strcmp(out[j], found[i]) == 0)
                break;
        if (j == *n)
            memcpy(out[(*n)++], found[i], PAYREF_MAX + 1);
    }
}

int match_codes(const struct bank_txn *t, const char *prefix,
                char (*out)[PAYREF_MAX + 1], size_t max, size_t *n)
{
    *n = 0;
    add_codes(t->provider_code, prefix, out, max, n);
    add_codes(t->creditor_ref, prefix, out, max, n);
    add_codes(t->description, prefix, out, max, n);
    add_codes(t->end_to_end_id, prefix, out, max, n);
    return 0;
}

/* 1 when `ref` is a placeholder that stands for "no reference". */
static int placeholder_ref(const char *ref)
{
    static const char *const none[] = {"NONREF", "NOTPROVIDED"};
    size_t i, len;

    while (*ref == ' ')
        ref++;
    len = strlen(ref);
    while (len > 0 && ref[len - 1] == ' ')
        len--;
    for (i = 0; i < sizeof(none) / sizeof(none[0]); i++)
        if (len == strlen(none[i]) && strncasecmp(ref, none[i], len) == 0)
            return 1;
    return 0;
}

void match_transfer_ref(const char *bank_ref, char *out, size_t cap)
{
    if (cap == 0)
        return;
    if (bank_ref == NULL || placeholder_ref(bank_ref)) {
        out[0] = '\0';
        return;
    }
    match_ref_key(bank_ref, out, cap);
}

char *match_desc_key(const char *code, const char *description)
{
    size_t len, i, k = 2;
    char *folded, *key;

    if (code != NULL && code[0] != '\0') {
        len = strlen(code);
        key = malloc(len + 3);
        if (key != NULL) {
            memcpy(key, "C:", 2);
            memcpy(key + 2, code, len + 1);
        }
        return key;
    }
    if (description == NULL)
        description = "";
    len = strlen(description);
    folded = malloc(len + 1);
    key = malloc(len + 3);
    if (folded == NULL || key == NULL) {
        free(folded);
        free(key);
        return NULL;
    }
    /* invalid UTF-8 (never expected after the parsers): its ASCII part */
    if (vntext_fold(description, len, folded, len + 1, NULL) != 0)
        memcpy(folded, description, len + 1);
    memcpy(key, "D:", 2);
    for (i = 0; folded[i] != '\0'; i++) {
        unsigned char ch = (unsigned char)folded[i];

        if (ch < 0x80 && isalnum(ch))
            key[k++] = (char)toupper(ch);
    }
    key[k] = '\0';
    free(folded);
    return key;
}

void match_counter_key(const char *account, char *out, size_t cap)
{
    size_t i, k = 0;

    if (cap == 0)
        return;
    for (i = 0; account != NULL && account[i] != '\0' && k + 1 < cap; i++)
        if (isalnum((unsigned char)account[i]))
            out[k++] = (char)toupper((unsigned char)account[i]);
    out[k] = '\0';
}

void match_fold_name(const char *name, char *out, size_t cap)
{
    char tmp[FEEDS_NAME_MAX * 2];
    size_t i, k = 0, len = strlen(name);
    int depth = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (len >= sizeof(tmp) / 2)
        len = sizeof(tmp) / 2 - 1;
    if (vntext_fold(name, len, tmp, sizeof(tmp), NULL) != 0)
        return;
    for (i = 0; tmp[i] != '\0' && k + 1 < cap; i++) {
        char ch = tmp[i];

        if (ch == '(')
            depth++;
        else if (ch == ')' && depth > 0)
            depth--;
        else if (depth == 0 && (isalnum((unsigned char)ch) || ch == ' '))
            if (!(ch == ' ' && (k == 0 || out[k - 1] == ' ')))
                out[k++] = ch;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
}

/* FNV-1a of s[0..len) */
static uint64_t word_hash(const char *s, size_t len)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

size_t match_words(const char *s, struct match_word *w, size_t cap)
{
    size_t pos = 0, n = 0, at;

    while (n < cap) {
        while (s[pos] == ' ')
            pos++;
        if (s[pos] == '\0')
            break;
        at = pos;
        while (s[pos] != '\0' && s[pos] != ' ')
            pos++;
        if (at > UINT32_MAX)
            break;
        w[n].at = (uint32_t)at;
        w[n].len =
            (uint32_t)(pos - at < MATCH_WORD_LEN ? pos - at : MATCH_WORD_LEN);
        w[n].hash = word_hash(s + at, w[n].len);
        n++;
    }
    return n;
}

int match_words_score(const char *counter, const struct match_word *cw,
                      size_t ncw, const char *name, const struct match_word *nw,
                      size_t nnw)
{
    int words = 0, hits = 0;
    size_t i, j;

    for (i = 0; i < nnw; i++) {
        if (nw[i].len < 2)
            continue;
        words++;
        for (j = 0; j < ncw; j++)
            if (cw[j].hash == nw[i].hash && cw[j].len == nw[i].len &&
                memcmp(counter + cw[j].at, name + nw[i].at, nw[i].len) == 0) {
                hits++;
                break;
            }
    }
    if (words == 0 || hits < 2)
        return hits == words && hits > 0 ? 100 : 0;
    return hits * 100 / words;
}

int match_name_score(const char *counter, const char *name)
{
    struct match_word cw[MATCH_WORDS_MAX], nw[MATCH_WORDS_MAX];

    return match_words_score(counter, cw,
                             match_words(counter, cw, MATCH_WORDS_MAX), name,
                             nw, match_words(name, nw, MATCH_WORDS_MAX));
}
