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
    const char *short_name; /* e.g. "Vietcombank" ("" if none known) */
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

/*
 * Parse and validate a bank directory in the format of assets/banks.csv
 * (`len` bytes at `csv`, UTF-8, RFC 4180): the header
 * "bin,short_name,code,name,vietqr"; BINs of six digits, unique; names
 * valid UTF-8 without control characters, the full name non-empty;
 * vietqr 0 or 1; no lookup name (code, short name or a '/'-separated
 * part of it, compared as bank_lookup() does) shared by two banks.
 * Returns 0 and the number of banks in *count (may be NULL), or -1 with
 * "line N: reason" in err (capacity err_cap, may be NULL). The compiled-in
 * directory goes through the same check at first use and aborts if it
 * fails; this entry point lets tests and tools check a file first.
 */
int bank_csv_validate(const char *csv, size_t len, size_t *count, char *err,
                      size_t err_cap);

#endif
