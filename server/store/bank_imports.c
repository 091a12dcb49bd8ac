/*
 * bank_imports.c: a statement import applied in slices, each slice its
 * own write transaction, so that payments go on between them. The import
 * record says which file it is (its digest), how many of its entries are
 * applied and whether it is finished: the same file run again after an
 * interruption goes on after the last slice that committed, with the
 * same records (a row's key is its import and position) and so the same
 * ledger as an import never interrupted.
 */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* bank_import_open's work, in the write transaction on `c`. */
static int import_find_or_add(struct sqi_conn *c, const char *kind,
                              const char *digest, const char *actor,
                              int64_t now, int64_t *import_id,
                              int64_t *rows_done)
{
    struct db_stmt *st = sqb_q(c, B_IMPORT_UNFINISHED);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, digest);
    rc = sqi_step(c, st);
    if (rc == 1) {
        *import_id = db_column_int64(st, 0);
        *rows_done = db_column_int64(st, 1);
    }
    db_reset(st);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    st = sqb_q(c, B_IMPORT_NEW);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bt(st, 1, kind);
    sqi_bt(st, 2, actor);
    sqi_bi(st, 3, now);
    sqi_bt(st, 4, digest);
    *rows_done = 0;
    return sqb_insert(c, st, import_id);
}

int sqb_import_open(struct store *base, const char *kind, const char *digest,
                    const char *actor, int64_t now, int64_t *import_id,
                    int64_t *rows_done)
{
    struct sq *s = (struct sq *)base;
    int rc, tries = 1;

    do {
        struct sqi_conn *c = sqi_get_conn(s);

        rc = sqi_begin_write_shared(s, c);
        if (rc == 0)
            rc = sqi_end_write(s, c,
                               import_find_or_add(c, kind, digest, actor, now,
                                                  import_id, rows_done));
        sqi_put_conn(s, c);
    } while (sqi_write_lost(rc) && tries++ < STORE_WRITE_TRIES);
    return rc;
}

int sqb_import_slice(struct store *base, int64_t import_id, int64_t rows_done,
                     const char *actor, int64_t now, struct store_bank **out)
{
    int rc = sqb_begin(base, actor, now, NULL, out);

    if (rc != 0)
        return rc;
    (*out)->import_id = import_id;
    (*out)->n_rows = rows_done;
    (*out)->first_row = rows_done;
    return 0;
}

int sqb_import_mark(struct store_bank *b, int finished)
{
    struct db_stmt *st;
    int rc;

    if (b->rc != 0)
        return b->rc;
    if (!b->open) {
        rc = sqi_begin_write_shared(b->s, b->c); /* a slice of nothing */
        if (rc != 0)
            return b->rc = rc;
        b->open = 1;
    }
    st = sqb_q(b->c, B_IMPORT_MARK);
    if (st == NULL)
        return b->rc = -STORE_E_IO;
    sqi_bi(st, 1, b->import_id);
    sqi_bi(st, 2, b->n_rows);
    sqi_bi(st, 3, finished);
    sqi_bi(st, 4, b->first_row);
    rc = sqi_exec1(b->c, st);
    if (rc == 0 && db_changes(sqi_dbh(b->c)) != 1) {
        store_set_error("import_busy", "the same statement is being imported"
                                       " by another run; try again later");
        rc = -STORE_E_CONFLICT;
    }
    return b->rc = rc;
}
