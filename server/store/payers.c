/*
 * payers.c: an organisation's payers: put one, import many in one
 * transaction, list and search them (by a search key folded in C), and
 * find a payer's id by code.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_int.h"
#include "vntext.h"

/*
 * Fold `in` (UTF-8) to upper-case ASCII into `out` (capacity `cap`):
 * letters and digits kept, with `words` every other run becomes one
 * space (trimmed), without it they vanish. "" when `in` is not UTF-8.
 */
static void fold_to(const char *in, int words, char *out, size_t cap)
{
    char *f = malloc(strlen(in) + 1);
    size_t i, n = 0;

    out[0] = '\0';
    if (f == NULL ||
        vntext_fold(in, strlen(in), f, strlen(in) + 1, NULL) != 0) {
        free(f);
        return;
    }
    for (i = 0; f[i] && n + 1 < cap; i++) {
        if (isalnum((unsigned char)f[i]))
            out[n++] = f[i];
        else if (words && n > 0 && out[n - 1] != ' ')
            out[n++] = ' ';
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
    free(f);
}

void sqi_payer_search_key(const char *code, const char *name, char *out,
                          size_t cap)
{
    size_t n;

    fold_to(code, 0, out, cap);
    n = strlen(out);
    if (n + 2 < cap) {
        out[n++] = ' ';
        fold_to(name, 1, out + n, cap - n);
    }
}

/*
 * Give every payer without a search key its key (the payers a database
 * held when the key column arrived): the keys are folded in C, so the
 * migration adds the column and this fills it, on either database. Runs
 * inside the migration's transaction; 0 or -STORE_E_IO.
 */
int sqi_payer_keys_fill(struct db *db)
{
    struct db_stmt *sel, *upd = NULL;
    struct {
        int64_t id;
        char key[PAYER_KEY_MAX];
    } *rows = NULL, *grown;
    size_t n = 0, cap = 0, i;
    int rc;

    sel = db_prepare(db, "SELECT id, code, name FROM payers"
                         " WHERE search_key = '' ORDER BY id");
    if (sel == NULL)
        return -STORE_E_IO;
    while ((rc = db_step(sel)) == 1) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            grown = realloc(rows, cap * sizeof(*rows));
            if (grown == NULL) {
                rc = -1;
                break;
            }
            rows = grown;
        }
        rows[n].id = db_column_int64(sel, 0);
        sqi_payer_search_key(db_column_text(sel, 1), db_column_text(sel, 2),
                             rows[n].key, sizeof(rows[n].key));
        n++;
    }
    db_finalize(sel);
    if (rc == 0 && n > 0) {
        upd = db_prepare(db, "UPDATE payers SET search_key = ?1"
                             " WHERE id = ?2");
        if (upd == NULL)
            rc = -1;
        for (i = 0; rc == 0 && i < n; i++) {
            db_bind_text(upd, 1, rows[i].key);
            db_bind_int64(upd, 2, rows[i].id);
            if (db_step(upd) < 0)
                rc = -1;
            db_reset(upd);
        }
        db_finalize(upd);
    }
    free(rows);
    return rc == 0 ? 0 : -STORE_E_IO;
}

/* The payer in the current row (id, PAYER_COLS) into `row`, a struct
 * store_payer_row (its strings owned by it, cleared on failure). */
static int payer_row_read(struct db_stmt *st, void *row)
{
    struct store_payer_row *p = row;
    char **text[] = {&p->code,     &p->name,        &p->category,
                     &p->zone,     &p->class_name,  &p->guardian,
                     &p->bank_bin, &p->bank_account};
    size_t i;
    int rc = 0;

    memset(p, 0, sizeof(*p));
    p->id = db_column_int64(st, 0);
    for (i = 0; i < sizeof(text) / sizeof(text[0]) && rc == 0; i++)
        rc = sqi_col_dup(st, (int)i + 1, text[i]);
    p->active = (int)db_column_int64(st, 9);
    p->credit = db_column_int64(st, 10);
    if (rc == 0)
        rc = sqi_col_dup(st, 11, &p->bank_account_name);
    if (rc != 0)
        store_payer_row_clear(p);
    return rc;
}

void store_payer_row_clear(struct store_payer_row *p)
{
    if (p == NULL)
        return;
    free(p->code);
    free(p->name);
    free(p->category);
    free(p->zone);
    free(p->class_name);
    free(p->guardian);
    free(p->bank_bin);
    free(p->bank_account);
    free(p->bank_account_name);
    memset(p, 0, sizeof(*p));
}

SQI_LIST_FREE(store_payer_list_free, store_payer_list, store_payer_row_clear)

/* Insert or update one payer; *created says which. In a write txn. */
static int payer_write(struct sqi_conn *c, int64_t org,
                       const struct store_payer *p, int mode, int *created)
{
    char key[PAYER_KEY_MAX];
    struct db_stmt *st;
    int rc;

    if (p->name != NULL)
        sqi_payer_search_key(p->code, p->name, key, sizeof(key));
    sqi_payers_changed();

    /* mode: 1 insert, 0 update, 2 upsert */
    if (mode != 1) {
        st = sqi_q(c, Q_PAYER_UPDATE);
        if (st == NULL)
            return -STORE_E_IO;
        sqi_bi(st, 1, org);
        sqi_bt(st, 2, p->code);
        sqi_bt(st, 3, p->name);
        sqi_bt(st, 4, p->category);
        sqi_bt(st, 5, p->zone);
        sqi_bt(st, 6, p->class_name);
        sqi_bt(st, 7, p->guardian);
        sqi_bt(st, 8, p->bank_bin);
        sqi_bt(st, 9, p->bank_account);
        if (p->active >= 0)
            sqi_bi(st, 10, p->active);
        sqi_bt(st, 11, p->bank_account_name);
        rc = sqi_exec1(c, st);
        if (rc != 0)
            return rc;
        if (db_changes(c->dbh) > 0) {
            *created = 0;
            if (p->name == NULL)
                return 0; /* the code and the name make the key */
            st = sqi_q(c, Q_PAYER_SET_KEY);
            if (st == NULL)
                return -STORE_E_IO;
            sqi_bi(st, 1, org);
            sqi_bt(st, 2, p->code);
            sqi_bt(st, 3, key);
            return sqi_exec1(c, st);
        }
        if (mode == 0) {
            store_set_error("payer_not_found", "no payer '%s'", p->code);
            return -STORE_E_NOT_FOUND;
        }
    }
    if (p->name == NULL) {
        store_set_error("invalid_field", "a new payer needs a name");
        return -STORE_E_INVALID;
    }
    st = sqi_q(c, Q_PAYER_INSERT);
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, p->code);
    sqi_bt(st, 3, p->name);
    /* a stall's fee category defaults to its zone */
    sqi_bt(st, 4, p->category ? p->category : p->zone);
    sqi_bt(st, 5, p->zone);
    sqi_bt(st, 6, p->class_name);
    sqi_bt(st, 7, p->guardian);
    sqi_bt(st, 8, p->bank_bin);
    sqi_bt(st, 9, p->bank_account);
    if (p->active >= 0)
        sqi_bi(st, 10, p->active);
    sqi_bt(st, 11, p->bank_account_name);
    sqi_bt(st, 12, key);
    rc = sqi_exec1(c, st);
    if (rc == -STORE_E_CONFLICT)
        store_set_error("payer_exists", "payer '%s' already exists", p->code);
    if (rc == 0)
        *created = 1;
    return rc;
}

int sq_payer_put(struct store *base, int64_t org, const struct store_payer *p,
                 int create, const char *actor, struct store_payer_row *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    struct store_payer_row res = {0};
    json_t *detail = NULL;
    int rc, created = 0;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    rc = payer_write(c, org, p, create ? 1 : 0, &created);
    if (rc != 0)
        goto done;
    rc = sqi_row_fetch(c, Q_PAYER_GET, org, p->code, payer_row_read, &res,
                       &detail, "payer_not_found", "payer");
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, actor,
                   created ? "payer.create" : "payer.update", p->code, detail);
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL)
        *out = res;
    else
        store_payer_row_clear(&res);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sq_payer_import(struct store *base, int64_t org,
                    const struct store_payer *rows, size_t n, const char *actor,
                    struct store_payer_import *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    int64_t now = (int64_t)time(NULL);
    size_t i, created = 0, updated = 0;
    int rc, cr = 0;

    rc = sqi_begin_write(s, c);
    if (rc != 0)
        goto out;
    for (i = 0; i < n && rc == 0; i++) {
        rc = payer_write(c, org, &rows[i], 2, &cr);
        if (cr)
            created++;
        else
            updated++;
    }
    if (rc != 0)
        goto done;
    rc = sqi_audit(c, org, now, actor, "payer.import", "payers",
                   json_pack("{s:I, s:I}", "created", (json_int_t)created,
                             "updated", (json_int_t)updated));
done:
    rc = sqi_end_write(s, c, rc);
    if (rc == 0 && out != NULL) {
        out->imported = (int64_t)n;
        out->created = (int64_t)created;
        out->updated = (int64_t)updated;
    }
out:
    sqi_put_conn(s, c);
    return rc;
}

/*
 * Bind the search of `f` to ?3 and ?4 of `st`: LIKE patterns of the
 * text folded as the search key's name (words) and code (letters and
 * digits only, so "a12" finds "A-12"). No text, or none left after
 * folding: no search. And f->payer, one payer's code, to ?7.
 */
static void bind_search(struct db_stmt *st, const struct store_filter *f)
{
    char w[PAYER_KEY_MAX], k[PAYER_KEY_MAX], pat[PAYER_KEY_MAX + 2];

    if (f != NULL && f->payer != NULL)
        sqi_bt(st, 7, f->payer);
    sqi_bi(st, 8, f != NULL && f->own_account);
    sqi_bi(st, 9, f != NULL && f->with_credit);
    if (f == NULL || f->q == NULL)
        return;
    fold_to(f->q, 1, w, sizeof(w));
    fold_to(f->q, 0, k, sizeof(k));
    if (w[0] == '\0')
        return;
    snprintf(pat, sizeof(pat), "%%%s%%", w);
    sqi_bt(st, 3, pat);
    snprintf(pat, sizeof(pat), "%%%s%%", k);
    sqi_bt(st, 4, pat);
}

int sq_payer_list(struct store *base, int64_t org, const struct store_filter *f,
                  struct store_payer_list *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *st = sqi_q(c, Q_PAYER_LIST);
    struct store_payer_list l = {0};
    void *rows = NULL;
    int rc = -STORE_E_IO;

    if (st != NULL) {
        sqi_bi(st, 1, org);
        sqi_bi(st, 2, f ? f->after_id : 0);
        bind_search(st, f);
        sqi_bi(st, 5, sqi_lim(f));
        sqi_bi(st, 6, f ? f->offset : 0);
        rc = sqi_rows_read(c, st, sizeof(*l.rows), payer_row_read, &rows, &l.n);
        l.rows = rows;
    }
    if (rc >= 0) {
        st = sqi_q(c, Q_PAYER_COUNT);
        rc = -STORE_E_IO;
        if (st != NULL) {
            sqi_bi(st, 1, org);
            bind_search(st, f);
            rc = sqi_count(c, st, &l.total);
        }
    }
    sqi_put_conn(s, c);
    if (rc < 0) {
        store_payer_list_free(&l);
        return rc;
    }
    *out = l;
    return 0;
}

/* Payer id and name by code in `org`; -NOT_FOUND when unknown. */
int sqi_payer_id_of(struct sqi_conn *c, int64_t org, const char *code,
                    int64_t *id, json_t **name)
{
    struct db_stmt *st = sqi_q(c, Q_PAYER_ID);
    int rc;

    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    sqi_bt(st, 2, code);
    rc = sqi_step(c, st);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        store_set_error("payer_not_found", "no payer '%s'", code);
        return -STORE_E_NOT_FOUND;
    }
    *id = db_column_int64(st, 0);
    if (name != NULL)
        *name = json_string(sqi_col_text(st, 1));
    db_reset(st);
    return 0;
}
