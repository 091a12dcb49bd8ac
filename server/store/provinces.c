/*
 * provinces.c: the provinces the organisations are in. A province is
 * named the way its organisations spell it; a name given by a person is
 * matched against those without regard to diacritics, case or spacing
 * ("Da Nang" finds "Đà Nẵng", vntext.h), and the organisations' own
 * spelling is the one kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "vntext.h"

/* The provinces with the number of organisations in each, the most
 * populated first (so that of two spellings the common one wins). */
static const char PROVINCES_SQL[] =
    "SELECT province, count(*) FROM orgs WHERE province <> ''"
    " GROUP BY province ORDER BY count(*) DESC, province";

/* `s` folded (vntext_fold) into `out` of `cap` bytes; -1 when it is not
 * UTF-8 or too long. */
static int fold(const char *s, char *out, size_t cap)
{
    return vntext_fold(s, strlen(s), out, cap, NULL) == 0 ? 0 : -1;
}

int sqi_province_canonical(struct sqi_conn *c, const char *name, char *out,
                           size_t cap)
{
    struct db_stmt *q;
    char want[STORE_PROVINCE_MAX + 1], have[STORE_PROVINCE_MAX + 1];
    char known[160] = "";
    size_t used = 0;
    int rc;

    if (name == NULL || name[0] == '\0' || strlen(name) > STORE_PROVINCE_MAX ||
        fold(name, want, sizeof(want)) != 0 || want[0] == '\0') {
        store_set_error("bad_province", "a province is 1-%d bytes of UTF-8",
                        STORE_PROVINCE_MAX);
        return -STORE_E_INVALID;
    }
    q = db_q(sqi_dbh(c), PROVINCES_SQL);
    if (q == NULL)
        return sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    while ((rc = db_step(q)) == 1) {
        const char *p = db_column_text(q, 0);

        if (p == NULL || strlen(p) >= cap)
            continue;
        if (fold(p, have, sizeof(have)) == 0 && strcmp(have, want) == 0) {
            memcpy(out, p, strlen(p) + 1);
            db_reset(q);
            return 0;
        }
        /* the names there are, for the refusal */
        if (used + strlen(p) + 3 < sizeof(known)) {
            memcpy(known + used, used ? ", " : "", used ? 2 : 0);
            used += used ? 2 : 0;
            memcpy(known + used, p, strlen(p) + 1);
            used += strlen(p);
        }
    }
    db_reset(q);
    if (rc < 0)
        return sqi_db_error(sqi_dbh(c), rc, "step");
    store_set_error("province_not_found",
                    "no organisation is in province '%s' (provinces: %s)", name,
                    used ? known : "none yet");
    return -STORE_E_NOT_FOUND;
}

int sqv_province_find(struct store *st, const char *name, char *out, size_t cap)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    int rc = sqi_begin_read(c);

    if (rc == 0) {
        rc = sqi_province_canonical(c, name, out, cap);
        sqi_end_read(c);
    }
    sqi_put_conn(s, c);
    return rc;
}

/* The province in the current row into `row` (struct store_province). */
static int province_read(struct db_stmt *q, void *row)
{
    struct store_province *p = row;
    const char *name = db_column_text(q, 0);

    memset(p, 0, sizeof(*p));
    snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
    p->orgs = db_column_int64(q, 1);
    return 0;
}

static void province_clear(struct store_province *p)
{
    (void)p;
}

SQI_LIST_FREE(store_province_list_free, store_province_list, province_clear)

int sqv_provinces(struct store *st, struct store_province_list *out)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q;
    void *rows = NULL;
    size_t n = 0;
    int rc = sqi_begin_read(c);

    if (rc != 0)
        goto out;
    q = db_q(sqi_dbh(c), "SELECT province, count(*) FROM orgs WHERE"
                         " province <> '' GROUP BY province ORDER BY"
                         " province");
    if (q == NULL)
        rc = sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    else
        rc = sqi_rows_read(c, q, sizeof(struct store_province), province_read,
                           &rows, &n);
    sqi_end_read(c);
    if (rc == 0) {
        out->rows = rows;
        out->n = n;
        rows = NULL;
    }
    free(rows);
out:
    sqi_put_conn(s, c);
    return rc;
}

int sqv_org_in_province(struct store *st, int64_t org_id, const char *province)
{
    struct sq *s = (struct sq *)st;
    struct sqi_conn *c = sqi_get_conn(s);
    struct db_stmt *q =
        db_q(sqi_dbh(c), "SELECT 1 FROM orgs WHERE id = ?1 AND province = ?2");
    int rc;

    if (q == NULL) {
        rc = sqi_db_error(sqi_dbh(c), -DB_E_SQL, "prepare");
    } else {
        db_bind_int64(q, 1, org_id);
        db_bind_text(q, 2, province);
        rc = db_step(q);
        if (rc < 0)
            rc = sqi_db_error(sqi_dbh(c), rc, "step");
        db_reset(q);
    }
    sqi_put_conn(s, c);
    return rc;
}
