/*
 * store_dash.h: the web dashboard's storage in the SQLite backend:
 * migration 6 (board users, sessions, sign-in failure counters) and the
 * dash_* store operations. Private to server/.
 */
#ifndef CHOPAY_SERVER_STORE_DASH_H
#define CHOPAY_SERVER_STORE_DASH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* Migration 6: dash_users, dash_sessions, dash_failures. */
extern const char *const sqi_migration6[];

/* store_ops.dash_user_add for the SQLite backend. */
int sqd_user_add(struct store *st, const char *org_code, const char *login,
                 const char *role, const char *pwhash, const char *actor,
                 int64_t *id);
/* store_ops.dash_user_get for the SQLite backend. */
int sqd_user_get(struct store *st, const char *login, char *pwhash, size_t cap,
                 int64_t *id);
/* store_ops.dash_session_add for the SQLite backend. */
int sqd_session_add(struct store *st, int64_t user, const char *hash,
                    const char *csrf, int64_t expires, int64_t now);
/* store_ops.dash_session_get for the SQLite backend. */
int sqd_session_get(struct store *st, const char *hash, int64_t now,
                    struct store_principal *who, char *csrf, size_t cap);
/* store_ops.dash_session_del for the SQLite backend. */
int sqd_session_del(struct store *st, const char *hash, const char *actor,
                    int64_t now);
/* store_ops.dash_attempt for the SQLite backend. */
int sqd_attempt(struct store *st, const char *key, int op, int64_t now,
                int limit, int lock_secs, int64_t *locked_until);
/* store_ops.dash_reserve for the SQLite backend. */
int sqd_reserve(struct store *st, const char *lkey, int llimit,
                const char *akey, int alimit, int64_t now, int lock_secs,
                int64_t *locked_until);
/* store_ops.dash_sweep for the SQLite backend. */
int sqd_sweep(struct store *st, int64_t now, int64_t stale_before,
              int64_t *sessions, int64_t *failures);

#endif
