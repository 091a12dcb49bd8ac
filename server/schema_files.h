/*
 * schema_files.h: the schema as SQL files, one per version and dialect
 * (server/schema/sqlite/, server/schema/pgsql/, named NNN-name.sql),
 * compiled into the program by scripts/embed_schema.sh, and applying them
 * to a database in order, each version recorded in schema_version.
 */
#ifndef CHOPAY_SERVER_SCHEMA_FILES_H
#define CHOPAY_SERVER_SCHEMA_FILES_H

#include "db/db.h"

/* One file of server/schema/DIALECT/. */
struct schema_file {
    int version;      /* the NNN of its name */
    const char *name; /* its name, NNN-name.sql */
    const char *sql;  /* its contents, NUL-terminated */
};

/* Each dialect's files in version order, without gaps: SQLite's from 1,
 * PostgreSQL's from its base (the whole schema at that version); both end
 * at the same version (the build checks all three). */
extern const struct schema_file schema_files_sqlite[];
extern const int schema_files_sqlite_n;
extern const struct schema_file schema_files_pgsql[];
extern const int schema_files_pgsql_n;

/* This program's schema version: that of the last file. */
int schema_files_version(void);

/* The files of `backend`'s dialect (DB_SQLITE or DB_PGSQL) into *files;
 * their number. */
int schema_files_of(enum db_backend backend, const struct schema_file **files);

/*
 * Run on `db`, in the caller's transaction, each file of its dialect whose
 * version is above `from`, in order, each followed by its row in table
 * schema_version (which must exist before the first file, or be created by
 * it). 0, or the failing db_exec's error, with the failing file's name in
 * *failed (db_errmsg says why).
 */
int schema_files_apply(struct db *db, int from, const char **failed);

#endif
