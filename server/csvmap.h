/*
 * csvmap.h: the CSV statement column mapping of the server's config file
 * (section [csv]), applied over the feeds library's default mapping of
 * Vietnamese bank exports. Private to server/.
 */
#ifndef CHOPAY_SERVER_CSVMAP_H
#define CHOPAY_SERVER_CSVMAP_H

#include <stddef.h>

#include "feeds/feeds.h"

#define CSVMAP_NFIELDS 9

/* What [csv] set; unset fields keep the default mapping's. */
struct csvmap_conf {
    char delimiter;                  /* 0: guess */
    int has_header;                  /* -1: default (1) */
    int date_format;                 /* -1: default (dd/mm/yyyy) */
    int set[CSVMAP_NFIELDS];         /* 1: field i configured */
    int index[CSVMAP_NFIELDS];       /* 0-based column, or -1 by name */
    char names[CSVMAP_NFIELDS][160]; /* "|"-separated header names */
};

/* An empty configuration (everything default). */
void csvmap_init(struct csvmap_conf *c);

/*
 * Take one key of [csv]: delimiter = comma|semicolon|tab, header =
 * yes|no, date_format = dmy|ymd, and the columns date, amount, credit,
 * debit, description, reference, counter_name, counter_account, balance,
 * each a 1-based column number or header names separated by '|'.
 * Returns 0, or -1 with a message in err (cap).
 */
int csvmap_set(struct csvmap_conf *c, const char *key, const char *value,
               char *err, size_t cap);

/* The mapping to parse with: the default, overridden by `c`. */
void csvmap_apply(const struct csvmap_conf *c, struct feeds_csv_map *out);

#endif
