/*
 * labels.h: an invoice's label as people say it. The server writes the
 * fee's label and the period code ("Tiền thuê sạp khu A 2026-12",
 * "Học phí học kỳ 2026-HK1"); the kiosk shows "Tiền thuê sạp khu A tháng
 * 12/2026" and "Học phí học kỳ 1 năm học 2026–2027".
 */
#ifndef CHOPAY_KIOSK_LABELS_H
#define CHOPAY_KIOSK_LABELS_H

#include <stddef.h>

/*
 * `label` with its period (`period`: YYYY-MM-DD, YYYY-MM or YYYY-HKn, at
 * the end of the label or not in it) written as said in language `lang`
 * (enum kiosk_lang), into `out` (capacity `cap`, always NUL-terminated).
 * A period it does not know is shown as written ("label · period").
 */
void labels_spoken(int lang, const char *label, const char *period, char *out,
                   size_t cap);

#endif
