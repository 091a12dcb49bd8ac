/*
 * match.h: the pure parts of the matching engine (no storage): the
 * payment codes in a bank transaction, the keys that pair the same
 * transfer seen by webhook and by statement, and the payer-name score of
 * the review suggestions. store/bank.c applies them inside its write
 * transaction.
 */
#ifndef CHOPAY_SERVER_MATCH_H
#define CHOPAY_SERVER_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "feeds/feeds.h"
#include "payref.h"

#define MATCH_KEY_MAX   64 /* reference keys, with NUL */
#define MATCH_CODES_MAX 8  /* candidate codes kept per transaction */

/*
 * The cross-channel key of a bank reference: banks write one transfer's
 * reference differently per channel ("MBVCB.3278907687" by SePay,
 * "3278907687" or "FT..3278907687" in the statement), so the key is the
 * longest run of at least 6 digits (the rightmost of equal runs); a
 * reference without such a run keeps its upper-cased letters and digits.
 * "" when `ref` is empty or has no letter or digit.
 */
void match_ref_key(const char *ref, char *out, size_t cap);

/*
 * The payment codes with `prefix` in a transaction: searched in the
 * provider's own extracted code first, then the description, with
 * payref_find_all (check symbol verified). Distinct, in that order, at
 * most `max`, into out; *n the count. 0 (even when none found).
 */
int match_codes(const struct bank_txn *t, const char *prefix,
                char (*out)[PAYREF_MAX + 1], size_t max, size_t *n);

/*
 * The keys that decide whether two records are the same transfer (see
 * docs/matching.md, "One identity per transfer"):
 *   match_transfer_ref: match_ref_key of the bank reference, "" when
 *     there is none or it is a placeholder ("NONREF", "NOTPROVIDED", any
 *     case, spaces around ignored);
 *   match_desc_key: "C:" + `code` when a payment code was found in the
 *     record (non-empty `code`), else "D:" + the description folded to
 *     ASCII (Vietnamese folding), upper-cased, letters and digits only;
 *     malloc'd, the caller frees it; NULL when out of memory;
 *   match_counter_key: the counter-party account's letters and digits,
 *     upper-cased ("" when absent).
 */
void match_transfer_ref(const char *bank_ref, char *out, size_t cap);
char *match_desc_key(const char *code, const char *description);
void match_counter_key(const char *account, char *out, size_t cap);

/*
 * Fold a name to upper-case ASCII words ("Nguyễn Thị Đào" -> "NGUYEN THI
 * DAO"), with anything in parentheses dropped; "" on invalid UTF-8.
 */
void match_fold_name(const char *name, char *out, size_t cap);

/*
 * How well the folded counter-account name `counter` names the person
 * with folded name `name`: 0 (no relation) to 100 (same words). Words of
 * one letter are ignored; the family and given names weigh as the rest.
 * Words are compared on their first MATCH_WORD_LEN bytes; a name's words
 * after its first MATCH_WORDS_MAX are not read (a name folded into
 * FEEDS_NAME_MAX bytes has no more).
 */
int match_name_score(const char *counter, const char *name);

#define MATCH_WORDS_MAX (FEEDS_NAME_MAX / 2)
#define MATCH_WORD_LEN  63

/* One word of a folded name: where it starts, its length (at most
 * MATCH_WORD_LEN) and a hash of those bytes. */
struct match_word {
    uint64_t hash;
    uint32_t at, len;
};

/* The words of folded name `s` into w (at most cap); answers how many. */
size_t match_words(const char *s, struct match_word *w, size_t cap);

/* match_name_score of names already split by match_words: for scoring
 * one sender against many payers without splitting it again. */
int match_words_score(const char *counter, const struct match_word *cw,
                      size_t ncw, const char *name, const struct match_word *nw,
                      size_t nnw);

#endif
