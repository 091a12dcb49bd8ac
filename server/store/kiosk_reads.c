/*
 * kiosk_reads.c: what a kiosk reads: a payer's dues and its organisation's
 * directory of payers, fees and open invoices.
 */
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "store_int.h"

static void open_invoice_clear(struct store_open_invoice *v)
{
    free(v->fee);
    free(v->label);
    free(v->period);
    memset(v, 0, sizeof(*v));
}

static void open_invoices_free(struct store_open_invoice *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        open_invoice_clear(&v[i]);
    free(v);
}

void store_dues_free(struct store_dues *d)
{
    if (d == NULL)
        return;
    free(d->payer);
    free(d->name);
    open_invoices_free(d->invoices, d->n_invoices);
    memset(d, 0, sizeof(*d));
}

void store_directory_free(struct store_directory *d)
{
    size_t i;

    if (d == NULL)
        return;
    store_org_row_clear(&d->org);
    for (i = 0; i < d->n_payers; i++) {
        struct store_dir_payer *p = &d->payers[i];

        free(p->code);
        free(p->name);
        free(p->category);
        free(p->zone);
        free(p->class_name);
        open_invoices_free(p->invoices, p->n_invoices);
    }
    free(d->payers);
    for (i = 0; i < d->n_fees; i++)
        store_fee_row_clear(&d->fees[i]);
    free(d->fees);
    memset(d, 0, sizeof(*d));
}

/* An open invoice of the dues (Q_DUES: id, label, period, amount, paid,
 * due) into `row`, a struct store_open_invoice. */
static int due_read(struct db_stmt *st, void *row)
{
    struct store_open_invoice *v = row;
    int rc;

    memset(v, 0, sizeof(*v));
    v->id = db_column_int64(st, 0);
    rc = sqi_col_dup(st, 1, &v->label);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &v->period);
    v->amount = db_column_int64(st, 3);
    v->paid = db_column_int64(st, 4);
    v->due = db_column_int64(st, 5);
    if (rc != 0)
        open_invoice_clear(v);
    return rc;
}

int sq_dues(struct store *base, int64_t org, const char *payer,
            struct store_dues *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_read_conn(s);
    struct store_dues d = {0};
    json_t *name = NULL;
    int64_t pid = 0;
    struct db_stmt *st;
    void *rows = NULL;
    size_t i;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    rc = sqi_payer_id_of(c, org, payer, &pid, &name);
    if (rc != 0)
        goto out;
    d.payer = strdup(payer);
    d.name = strdup(json_string_value(name) ? json_string_value(name) : "");
    if (d.payer == NULL || d.name == NULL) {
        store_set_error("out_of_memory", "out of memory reading dues");
        rc = -STORE_E_IO;
        goto out;
    }
    st = sqi_q(c, Q_DUES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, pid);
    rc = sqi_rows_read(c, st, sizeof(*d.invoices), due_read, &rows,
                       &d.n_invoices);
    d.invoices = rows;
    if (rc != 0)
        goto out;
    for (i = 0; i < d.n_invoices; i++) {
        if (money_add(d.total_due, d.invoices[i].due, &d.total_due) != 0) {
            store_set_error("overflow", "total due overflows");
            rc = -STORE_E_OVERFLOW;
            goto out;
        }
    }
    *out = d;
    memset(&d, 0, sizeof(d));
out:
    sqi_end_read(c);
    sqi_put_read_conn(s, c);
    json_decref(name);
    store_dues_free(&d);
    return rc;
}

/* A payer of the directory (Q_DIR_PAYERS) into `row`, a struct
 * store_dir_payer without invoices. */
static int dir_payer_read(struct db_stmt *st, void *row)
{
    struct store_dir_payer *p = row;
    char **text[] = {&p->code, &p->name, &p->category, &p->zone,
                     &p->class_name};
    size_t i;
    int rc = 0;

    memset(p, 0, sizeof(*p));
    for (i = 0; i < sizeof(text) / sizeof(text[0]) && rc == 0; i++)
        rc = sqi_col_dup(st, (int)i, text[i]);
    if (rc != 0) {
        for (i = 0; i < sizeof(text) / sizeof(text[0]); i++)
            free(*text[i]);
        memset(p, 0, sizeof(*p));
    }
    return rc;
}

/* A fee of the directory (Q_DIR_FEES: code, label, kind, category,
 * amount) into `row`, a struct store_fee_row (all of them active). */
static int dir_fee_read(struct db_stmt *st, void *row)
{
    struct store_fee_row *f = row;
    int rc;

    memset(f, 0, sizeof(*f));
    rc = sqi_col_dup(st, 0, &f->code);
    if (rc == 0)
        rc = sqi_col_dup(st, 1, &f->label);
    if (rc == 0)
        rc = sqi_col_dup(st, 2, &f->kind);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &f->category);
    f->amount = db_column_int64(st, 4);
    f->active = 1;
    if (rc != 0)
        store_fee_row_clear(f);
    return rc;
}

/* Append the open invoice in the current row (columns 1..6: id, fee code,
 * label, period, amount, paid) to payer `p`'s invoices. */
static int dir_invoice_add(struct db_stmt *st, struct store_dir_payer *p)
{
    struct store_open_invoice *v;
    void *a = p->invoices;
    size_t n = p->n_invoices;
    int rc;

    rc = sqi_room(&a, n, sizeof(*v));
    p->invoices = a;
    if (rc != 0)
        return rc;
    v = &p->invoices[n];
    memset(v, 0, sizeof(*v));
    v->id = db_column_int64(st, 1);
    rc = sqi_col_dup(st, 2, &v->fee);
    if (rc == 0)
        rc = sqi_col_dup(st, 3, &v->label);
    if (rc == 0)
        rc = sqi_col_dup(st, 4, &v->period);
    v->amount = db_column_int64(st, 5);
    v->paid = db_column_int64(st, 6);
    v->due = v->amount - v->paid;
    if (rc != 0) {
        open_invoice_clear(v);
        return rc;
    }
    p->n_invoices++;
    return 0;
}

/*
 * Give every payer of directory `d` (ordered by code) its open invoices,
 * oldest first like the dues, so an offline kiosk shows the real dues.
 */
static int dir_invoices(struct sqi_conn *c, int64_t org,
                        struct store_directory *d)
{
    struct db_stmt *st;
    size_t at = 0;
    int rc;

    st = sqi_qs(c, "SELECT p.code, i.id, f.code, i.label, i.period, i.amount,"
                   " i.paid FROM invoices i JOIN payers p ON p.id = i.payer_id"
                   " JOIN fees f ON f.id = i.fee_id WHERE i.org_id = ?1"
                   " AND p.active = 1 AND i.paid < i.amount"
                   " ORDER BY p.code, i.period, i.id");
    if (st == NULL)
        return -STORE_E_IO;
    sqi_bi(st, 1, org);
    while ((rc = sqi_step(c, st)) == 1) {
        const char *code = sqi_col_text(st, 0);

        /* both lists are ordered by code: walk them together */
        while (at < d->n_payers && strcmp(d->payers[at].code, code) < 0)
            at++;
        if (at == d->n_payers || strcmp(d->payers[at].code, code) != 0)
            continue;
        rc = dir_invoice_add(st, &d->payers[at]);
        if (rc != 0)
            break;
    }
    db_reset(st);
    return rc < 0 ? rc : 0;
}

int sq_directory(struct store *base, int64_t org, struct store_directory *out)
{
    struct sq *s = (struct sq *)base;
    struct sqi_conn *c = sqi_get_read_conn(s);
    struct store_directory d = {0};
    struct db_stmt *st;
    void *rows = NULL;
    int rc;

    rc = sqi_begin_read(c);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_ORG_BY_ID);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_step(c, st);
    if (rc <= 0) {
        if (rc == 0) {
            store_set_error("org_not_found", "organisation gone");
            rc = -STORE_E_NOT_FOUND;
        }
        goto out;
    }
    rc = sqi_org_row_read(st, &d.org);
    db_reset(st);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_DIR_PAYERS);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_rows_read(c, st, sizeof(*d.payers), dir_payer_read, &rows,
                       &d.n_payers);
    d.payers = rows;
    if (rc != 0)
        goto out;
    rc = dir_invoices(c, org, &d);
    if (rc != 0)
        goto out;
    st = sqi_q(c, Q_DIR_FEES);
    if (st == NULL) {
        rc = -STORE_E_IO;
        goto out;
    }
    sqi_bi(st, 1, org);
    rc = sqi_rows_read(c, st, sizeof(*d.fees), dir_fee_read, &rows, &d.n_fees);
    d.fees = rows;
    if (rc != 0)
        goto out;
    *out = d;
    memset(&d, 0, sizeof(d));
out:
    sqi_end_read(c);
    sqi_put_read_conn(s, c);
    store_directory_free(&d);
    return rc;
}
