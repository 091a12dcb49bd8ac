/*
 * store_creds.h: listing and revoking credentials in the SQLite backend:
 * kiosk keys, API tokens and dashboard users, with when each was created,
 * last used and revoked. Private to server/.
 */
#ifndef CHOPAY_SERVER_STORE_CREDS_H
#define CHOPAY_SERVER_STORE_CREDS_H

#include <stdint.h>

#include "store.h"

/* The credentials migration: credential_times (last used, revoked). */
extern const char *const sqi_migration_credentials[];

/* store_ops.cred_list for the SQLite backend. */
int sqr_list(struct store *st, const char *kind, const char *org_code,
             json_t **out);
/* store_ops.cred_revoke for the SQLite backend. */
int sqr_revoke(struct store *st, const char *kind, const char *org_code,
               int64_t id, const char *login, const char *actor, int64_t now,
               json_t **out);

#endif
