/*
 * schema_files.c: applying the schema's SQL files (schema_files.h) to a
 * database: each file after the version it stands at, whole, then its
 * version recorded.
 */
#include <stdio.h>

#include "schema_files.h"

int schema_files_version(void)
{
    return schema_files_sqlite[schema_files_sqlite_n - 1].version;
}

int schema_files_of(enum db_backend backend, const struct schema_file **files)
{
    if (backend == DB_PGSQL) {
        *files = schema_files_pgsql;
        return schema_files_pgsql_n;
    }
    *files = schema_files_sqlite;
    return schema_files_sqlite_n;
}

int schema_files_apply(struct db *db, int from, const char **failed)
{
    const struct schema_file *files;
    int n = schema_files_of(db_backend(db), &files), i, rc;
    char sql[80];

    for (i = 0; i < n; i++) {
        if (files[i].version <= from)
            continue;
        snprintf(sql, sizeof(sql),
                 "INSERT INTO schema_version (version) VALUES (%d)",
                 files[i].version);
        rc = db_exec(db, files[i].sql);
        if (rc == 0)
            rc = db_exec(db, sql);
        if (rc != 0) {
            *failed = files[i].name;
            return rc;
        }
    }
    return 0;
}
