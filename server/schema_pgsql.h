/*
 * schema_pgsql.h: server/schema/pgsql.sql, compiled into the program
 * (scripts/embed.sh), with which an empty PostgreSQL database gets the
 * schema. NUL-terminated.
 */
#ifndef CHOPAY_SERVER_SCHEMA_PGSQL_H
#define CHOPAY_SERVER_SCHEMA_PGSQL_H

#include <stddef.h>

extern const unsigned char schema_pgsql_sql[];
extern const size_t schema_pgsql_sql_len;

#endif
