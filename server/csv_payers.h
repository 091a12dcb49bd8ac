/*
 * csv_payers.h: reading a payer list from CSV as Excel writes it (UTF-8,
 * with or without BOM, comma or semicolon, quoted fields, CRLF), with
 * English or Vietnamese headers. Every bad row is reported by line.
 */
#ifndef CHOPAY_SERVER_CSV_PAYERS_H
#define CHOPAY_SERVER_CSV_PAYERS_H

#include <jansson.h>
#include <stddef.h>

#include "store.h"

/* Parsed rows; the strings they point to are owned by `buf`. */
struct payers_csv {
    struct store_payer *rows; /* n rows */
    size_t n;                 /* row count */
    char *buf;                /* backing storage of every string */
};

/*
 * Parse `len` bytes of CSV for an organisation of `kind` ("market" or
 * "school"). Returns 0 and fills *out, or -1 and sets *errors to a new
 * array of {"line": N, "message": "Dòng N: ...", "message_en": "Line N:
 * ..."} (every problem, in file order, Vietnamese first).
 */
int payers_csv_parse(const char *data, size_t len, const char *kind,
                     struct payers_csv *out, json_t **errors);

/* Free what payers_csv_parse filled in (NULL-safe). */
void payers_csv_free(struct payers_csv *p);

#endif
