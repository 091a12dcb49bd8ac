/*
 * bank.h: the directory of Vietnamese banks and wallets by NAPAS BIN,
 * compiled in from assets/banks.csv (BIN, short name, full Vietnamese
 * name, whether the bank accepts VietQR transfers).
 */
#ifndef CHOPAY_BANK_H
#define CHOPAY_BANK_H

#include <stddef.h>

struct bank {
    const char *bin;        /* six digits, e.g. "970436" */
    const char *short_name; /* e.g. "Vietcombank" */
    const char *code;       /* VietQR bank code, e.g. "VCB" ("" if none) */
    const char *name;       /* full Vietnamese name, UTF-8 */
    int vietqr;             /* 1: payers can transfer to it by VietQR */
};

/* Number of banks in the directory. */
size_t bank_count(void);
/* The i-th bank (0 <= i < bank_count()), in BIN order. */
const struct bank *bank_at(size_t i);
/* The bank with this BIN, or NULL. */
const struct bank *bank_by_bin(const char *bin);
/*
 * The bank whose short name or code equals `name`, ignoring case and
 * spaces ("vietcombank", "VCB", "mb bank"), or whose BIN is `name`; NULL
 * when none.
 */
const struct bank *bank_lookup(const char *name);

#endif
