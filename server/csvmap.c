/*
 * csvmap.c: reading the [csv] section of the server's config file into a
 * column mapping for CSV bank statements (banks export different
 * layouts; the default recognises the usual Vietnamese headers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvmap.h"

static const char *const fields[CSVMAP_NFIELDS] = {
    "date",      "amount",       "credit",          "debit",   "description",
    "reference", "counter_name", "counter_account", "balance",
};

void csvmap_init(struct csvmap_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->has_header = -1;
    c->date_format = -1;
}

int csvmap_set(struct csvmap_conf *c, const char *key, const char *value,
               char *err, size_t cap)
{
    size_t i;

    if (strcmp(key, "delimiter") == 0) {
        c->delimiter = strcmp(value, "comma") == 0       ? ','
                       : strcmp(value, "semicolon") == 0 ? ';'
                       : strcmp(value, "tab") == 0       ? '\t'
                                                         : 1;
        if (c->delimiter != 1)
            return 0;
        snprintf(err, cap, "[csv] delimiter: comma, semicolon or tab");
        return -1;
    }
    if (strcmp(key, "header") == 0) {
        c->has_header = strcmp(value, "yes") == 0  ? 1
                        : strcmp(value, "no") == 0 ? 0
                                                   : -2;
        if (c->has_header != -2)
            return 0;
        snprintf(err, cap, "[csv] header: yes or no");
        return -1;
    }
    if (strcmp(key, "date_format") == 0) {
        c->date_format = strcmp(value, "dmy") == 0   ? FEEDS_DATE_DMY
                         : strcmp(value, "ymd") == 0 ? FEEDS_DATE_YMD
                                                     : -2;
        if (c->date_format != -2)
            return 0;
        snprintf(err, cap, "[csv] date_format: dmy (dd/mm/yyyy) or ymd");
        return -1;
    }
    for (i = 0; i < CSVMAP_NFIELDS; i++) {
        char *end;
        long n;

        if (strcmp(key, fields[i]) != 0)
            continue;
        n = strtol(value, &end, 10);
        if (*value != '\0' && *end == '\0') {
            if (n < 1 || n > 256) {
                snprintf(err, cap, "[csv] %s: a column from 1 to 256", key);
                return -1;
            }
            c->index[i] = (int)n - 1;
        } else if (value[0] != '\0' && strlen(value) < sizeof(c->names[i])) {
            c->index[i] = -1;
            snprintf(c->names[i], sizeof(c->names[i]), "%s", value);
        } else {
            snprintf(err, cap,
                     "[csv] %s: a column number or header names "
                     "separated by '|'",
                     key);
            return -1;
        }
        c->set[i] = 1;
        return 0;
    }
    snprintf(err, cap, "unknown key '%s' in [csv]", key);
    return -1;
}

void csvmap_apply(const struct csvmap_conf *c, struct feeds_csv_map *m)
{
    struct feeds_csv_col *cols[CSVMAP_NFIELDS] = {
        &m->date,         &m->amount,          &m->credit,
        &m->debit,        &m->description,     &m->reference,
        &m->counter_name, &m->counter_account, &m->balance,
    };
    size_t i;

    feeds_csv_map_default(m);
    if (c == NULL)
        return;
    if (c->delimiter)
        m->delimiter = c->delimiter;
    if (c->has_header >= 0)
        m->has_header = c->has_header;
    if (c->date_format >= 0)
        m->date_format = (enum feeds_date_format)c->date_format;
    for (i = 0; i < CSVMAP_NFIELDS; i++) {
        if (!c->set[i])
            continue;
        cols[i]->index = c->index[i];
        cols[i]->name = c->index[i] < 0 ? c->names[i] : NULL;
    }
}
