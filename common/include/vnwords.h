/*
 * vnwords.h: whole numbers and amounts of đồng in Vietnamese words, the
 * way a bank's payment speaker reads them: 125000 -> "một trăm hai mươi
 * lăm nghìn đồng", 1050000 -> "một triệu không trăm năm mươi nghìn đồng".
 */
#ifndef CHOPAY_VNWORDS_H
#define CHOPAY_VNWORDS_H

#include <stddef.h>
#include <stdint.h>

/* A buffer of this size holds the words of any int64_t, "đồng" included. */
#define VNWORDS_MAX 640

enum vnwords_error {
    VNWORDS_OK = 0,
    VNWORDS_E_BUFFER /* the output buffer is too small */
};

/*
 * Write `n` in Vietnamese words, lower case, words separated by one ASCII
 * space, into `buf` (capacity `cap`; VNWORDS_MAX always suffices). The
 * readings (vnwords.c says why):
 *   - 0 "không"; 15 "mười lăm", 25 "hai mươi lăm" (lăm after a ten);
 *     21 "hai mươi mốt" (mốt after mươi, not after mười: 11 "mười một");
 *     24 "hai mươi tư" (tư after mươi; 14 stays "mười bốn");
 *     10 "mười", 20 "hai mươi";
 *   - 105 "một trăm linh năm" ("linh", not "lẻ");
 *   - a group of three digits after a larger one is read in full:
 *     1005 "một nghìn không trăm linh năm", 1050000 "một triệu không
 *     trăm năm mươi nghìn"; a group of zeros is left out: 1000005 "một
 *     triệu không trăm linh năm", 2000000 "hai triệu";
 *   - scales "nghìn", "triệu", "tỷ"; what is above a tỷ is read as a
 *     number of tỷ: 10^12 "một nghìn tỷ", 10^15 "một triệu tỷ";
 *   - a negative number starts with "âm".
 * Returns 0, or -VNWORDS_E_BUFFER (then buf holds "" when cap > 0).
 */
int vnwords_number(int64_t n, char *buf, size_t cap);

/*
 * As vnwords_number(), followed by " đồng": 0 -> "không đồng",
 * 125000 -> "một trăm hai mươi lăm nghìn đồng".
 */
int vnwords_amount(int64_t amount, char *buf, size_t cap);

#endif
