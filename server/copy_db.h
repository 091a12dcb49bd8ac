/*
 * copy_db.h: a deployment copied between databases (copy_db.c).
 */
#ifndef CHOPAY_SERVER_COPY_DB_H
#define CHOPAY_SERVER_COPY_DB_H

#include <stddef.h>
#include <stdio.h>

/*
 * Copy every row of the database at `from` into the empty database at
 * `to` (URLs as db_open takes them), creating its schema, and verify the
 * copy before committing it. A line per table and a summary go to `out`.
 * 0 on success; 1 when the copy failed or was refused, 2 for a bad URL,
 * with the reason in `err`. Nothing is written to `to` unless it is 0.
 */
int copy_db(const char *from, const char *to, FILE *out, char *err,
            size_t errlen);

#endif
