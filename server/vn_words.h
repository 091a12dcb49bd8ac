/*
 * vn_words.h: an amount of đồng in Vietnamese words, as a loudspeaker
 * reads it ("năm mươi nghìn đồng").
 */
#ifndef CHOPAY_SERVER_VN_WORDS_H
#define CHOPAY_SERVER_VN_WORDS_H

#include <stddef.h>
#include <stdint.h>

/*
 * `dong` (0 to 999 999 999 999 999) in words followed by "đồng" into
 * `out` (`cap` bytes, 256 hold any). 0, or -1 for an amount out of
 * range or a buffer too small (`out` then holds "").
 */
int vn_amount_words(int64_t dong, char *out, size_t cap);

#endif
