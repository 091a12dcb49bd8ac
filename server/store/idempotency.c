/*
 * idempotency.c: Idempotency-Key records. The same key with the same body
 * replays the stored answer, with another body it is refused; the record
 * commits in the transaction of the write it answers.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

int sqi_idem_get(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, char **body)
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
    *body = strdup(sqi_col_text(st, 2));
    if (*body == NULL) {
        store_set_error("out_of_memory", "out of memory");
        return -STORE_E_IO;
    }
    return 1;
}

int sqi_idem_put(struct sqi_conn *c, const char *scope,
                 const struct store_idem *idem, int status, const char *body,
                 int64_t now)
{
    struct db_stmt *st = sqi_q(c, Q_IDEM_PUT);

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, scope);
    sqi_bt(st, 2, idem->key);
    sqi_bt(st, 3, idem->body_hash);
    sqi_bi(st, 4, status);
    sqi_bt(st, 5, body);
    sqi_bi(st, 6, now);
    return sqi_exec1(c, st);
}

int sqi_idem_put_res(struct sqi_conn *c, const char *scope,
                     const struct store_idem *idem, const void *res,
                     int64_t now)
{
    char *body = idem->render != NULL ? idem->render(res) : NULL;
    int rc;

    if (body == NULL) {
        store_set_error("out_of_memory", "no answer to record");
        return -STORE_E_IO;
    }
    rc = sqi_idem_put(c, scope, idem, 201, body, now);
    free(body);
    return rc;
}
