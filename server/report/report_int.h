/*
 * report_int.h: helpers shared by the report modules and private to
 * server/report/: a growable CSV buffer with RFC 4180 quoting and
 * overflow-checked sums.
 */
#ifndef CHOPAY_REPORT_INT_H
#define CHOPAY_REPORT_INT_H

#include "report.h"

#define CSV_MAX (64u << 20) /* no CSV export is larger */

/* A CSV being written; ok = 0 after any failure (then free s). */
struct csv {
    char *s;
    size_t len, cap;
    int ok;
    char sep;   /* field separator */
    int in_row; /* a field was written on the current row */
};

/* Start a CSV: UTF-8 BOM written; separator from o (NULL = ','). */
void csv_begin(struct csv *c, const struct report_csv_opts *o);
/* A text field, quoted when it holds the separator, '"', CR or LF; quoted
 * with a leading apostrophe when it starts with TAB or CR or its first
 * character past white space and control characters is = + - @ (so a
 * spreadsheet never runs it as a formula). */
void csv_text(struct csv *c, const char *s);
/* Any field; guard = 0 only for text we generated ourselves ("+3,5 %"),
 * which then keeps its leading sign. */
void csv_field(struct csv *c, const char *s, int guard);
/* An integer field (plain digits, so spreadsheets read a number). */
void csv_int(struct csv *c, int64_t v);
/* End the row with CRLF. */
void csv_end_row(struct csv *c);
/* Hand the text to the caller: 0, or REPORT_E_NOMEM (c freed). */
int csv_finish(struct csv *c, char **out, size_t *len);

/* *acc += v; REPORT_E_OVERFLOW past +/- MONEY_MAX. */
int sum_add(int64_t *acc, int64_t v);

#endif
