/*
 * idempotency.c: Idempotency-Key records. The same key with the same body
 * replays the stored answer, with another body it is refused; the record
 * commits in the transaction of the write it answers.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/*
 * Look up (scope, key): 0 = not seen, 1 = replay into *out, or -IDEM when
 * the body differs.
 */
int sqi_idem_get(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, json_t **out)
{
    struct db_stmt *st = sqi_q(c, Q_IDEM_GET);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, scope);
    sqi_bt(st, 2, idem->key);
    rc = sqi_step(c, st);
    if (rc <= 0)
        return rc;
    if (strcmp(sqi_col_text(st, 0), idem->body_hash) != 0) {
        store_set_error("idempotency_key_reused",
                        "this Idempotency-Key was used with another request");
        return -STORE_E_IDEM;
    }
    *out = json_loads(sqi_col_text(st, 2), 0, NULL);
    if (*out == NULL)
        return sqi_conn_fail(c, "idempotency record");
    return 1;
}

int sqi_idem_put(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, int status, json_t *resp,
                 int64_t now)
{
    struct db_stmt *st;
    char *d = json_dumps(resp, JSON_COMPACT);
    int rc;

    if (d == NULL)
        return -STORE_E_IO;
    st = sqi_q(c, Q_IDEM_PUT);
    if (st == NULL) {
        free(d);
        return -STORE_E_IO;
    }
    sqi_bt(st, 1, scope);
    sqi_bt(st, 2, idem->key);
    sqi_bt(st, 3, idem->body_hash);
    sqi_bi(st, 4, status);
    sqi_bt(st, 5, d);
    sqi_bi(st, 6, now);
    rc = sqi_exec1(c, st);
    free(d);
    return rc;
}
