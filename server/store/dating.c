/*
 * dating.c: the day a record counts on. The calendar in C (Vietnam dates,
 * UTC+7), the first open day (sqr_open_day), the refusal of changes to a
 * closed day, corrections that point back at a closed day, and cash dated
 * on a day of its own.
 */
#include <stdio.h>
#include <string.h>

#include "store_int.h"

#define VN_OFFSET (7 * 3600) /* Vietnam is UTC+7 all year round */
#define DAY_SECS  86400
#define DAY_MIN   (-719528) /* 0000-01-01, days from 1970-01-01 */
#define DAY_MAX   2932896   /* 9999-12-31 */

/* Days from 1970-01-01 to proleptic Gregorian y-m-d; d may run past the
 * month's end (the 30th of February is the 2nd of March). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The y-m-d of day `z` counted from 1970-01-01 (the inverse). */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* `n` as `width` decimal digits at `out`. */
static void put_digits(char *out, int width, int64_t n)
{
    while (width-- > 0) {
        out[width] = (char)('0' + n % 10);
        n /= 10;
    }
}

int sqr_day_text(int64_t n, char day[11])
{
    int64_t y;
    int m, d;

    if (n < DAY_MIN || n > DAY_MAX)
        return -1;
    civil_from_days(n, &y, &m, &d);
    put_digits(day, 4, y);
    day[4] = '-';
    put_digits(day + 5, 2, m);
    day[7] = '-';
    put_digits(day + 8, 2, d);
    day[10] = '\0';
    return 0;
}

/* YYYY-MM-DD with month 01-12 and day 01-31 into y, m, d; -1 if not. */
static int parse_day(const char *s, int *y, int *m, int *d)
{
    static const int digit[10] = {1, 1, 1, 1, 0, 1, 1, 0, 1, 1};
    int i, v[3] = {0, 0, 0};

    if (s == NULL)
        return -1;
    for (i = 0; i < 10; i++) {
        if (digit[i] ? s[i] < '0' || s[i] > '9' : s[i] != '-')
            return -1;
        if (digit[i])
            v[i < 4   ? 0
              : i < 7 ? 1
                      : 2] = v[i < 4   ? 0
                               : i < 7 ? 1
                                       : 2] *
                                 10 +
                             (s[i] - '0');
    }
    if (s[10] != '\0' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31)
        return -1;
    *y = v[0];
    *m = v[1];
    *d = v[2];
    return 0;
}

int sqr_day_number(const char *day, int64_t *n)
{
    int y, m, d;

    if (parse_day(day, &y, &m, &d) != 0)
        return -1;
    *n = days_from_civil(y, m, d);
    return 0;
}

int sqr_day_valid(const char *day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
    int y, m, d, leap;

    if (parse_day(day, &y, &m, &d) != 0)
        return 0;
    leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= mdays[m - 1] + (m == 2 && leap);
}

int sqr_vn_day(int64_t t, char day[11])
{
    int64_t s, n;

    /* outside these bounds the day is outside 0000..9999 anyway */
    if (t < (int64_t)DAY_MIN * DAY_SECS - VN_OFFSET ||
        t > ((int64_t)DAY_MAX + 1) * DAY_SECS)
        return -1;
    s = t + VN_OFFSET;
    n = s / DAY_SECS - (s % DAY_SECS < 0);
    return sqr_day_text(n, day);
}

int sqr_next_day(const char *day, char next[11])
{
    int64_t n;

    if (sqr_day_number(day, &n) != 0)
        return -1;
    return sqr_day_text(n + 1, next);
}

int sqr_open_day(struct db *db, int64_t org, int64_t at, char day[11])
{
    /* the closed days from that day on, in order: usually none */
    static const char *const q_closed =
        "SELECT day FROM day_closes WHERE org_id = ?1 AND"
        " reopened_at IS NULL AND day >= ?2 ORDER BY day";
    struct db_stmt *q = NULL;
    char d[11];
    int rc;

    if (sqr_vn_day(at, d) != 0) {
        store_set_error("invalid_time", "time %lld is out of range",
                        (long long)at);
        return -STORE_E_INVALID;
    }
    rc = sqr_stmt(db, q_closed, &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, d);
    /* past every closed day that follows on from the last */
    while ((rc = sqr_step(db, q)) == 1) {
        const char *c = db_column_text(q, 0);
        int cmp = c != NULL ? strcmp(c, d) : -1;

        if (cmp > 0)
            break;
        if (cmp == 0 && sqr_next_day(d, d) != 0) {
            store_set_error("invalid_date", "no day after %s", d);
            rc = -STORE_E_INVALID;
            break;
        }
    }
    sqr_done(q);
    if (rc < 0)
        return rc;
    memcpy(day, d, 11);
    return 0;
}

/* The id of the active close of `date` of `org` into *id (0: open). */
int sqr_close_of(struct db *db, int64_t org, const char *date, int64_t *id)
{
    struct db_stmt *q = NULL;
    int rc;

    rc = sqr_stmt(db,
                  "SELECT id FROM day_closes WHERE org_id = ?1 AND"
                  " day = ?2 AND reopened_at IS NULL",
                  &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, org);
    db_bind_text(q, 2, date);
    rc = sqr_step(db, q);
    if (rc >= 0) {
        *id = rc == 1 ? db_column_int64(q, 0) : 0;
        rc = 0;
    }
    sqr_done(q);
    return rc;
}

int sqr_is_closed(struct sqi_conn *c, int64_t org, const char *day, int *closed)
{
    int64_t id = 0;
    int rc = sqr_close_of(sqi_dbh(c), org, day, &id);

    if (rc == 0)
        *closed = id != 0;
    return rc;
}

int sqr_refuse_closed(struct db *db, int64_t org, const char *day)
{
    int64_t id = 0;
    int rc = sqr_close_of(db, org, day, &id);

    if (rc != 0 || id == 0)
        return rc;
    /* the detail a guard trigger's message gave: http.c answers it */
    store_set_error("conflict", "day_closed");
    return -STORE_E_CONFLICT;
}

int sqr_dated_day(struct sqi_conn *c, int64_t org, int64_t now, char *out)
{
    return sqr_open_day(sqi_dbh(c), org, now, out);
}

int sqr_correction_add(struct sqi_conn *c, const struct sqr_correction *k,
                       char *day, int64_t *id)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char dated[11], action[48];
    int64_t cid;
    int rc;

    rc = sqr_dated_day(c, k->org, k->now, dated);
    if (rc != 0)
        return rc;
    rc = sqr_stmt(
        db,
        "INSERT INTO corrections(org_id, day, corrects_date, kind,"
        " corrects, bank_txn_id, payment_id, refund_id, payer_id, amount,"
        " actor, reason, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
        " nullif(?6, 0), nullif(?7, 0), nullif(?8, 0), nullif(?9, 0), ?10,"
        " ?11, ?12, ?13) RETURNING id",
        &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, k->org);
    db_bind_text(q, 2, dated);
    db_bind_text(q, 3, k->corrects_date);
    db_bind_text(q, 4, k->kind);
    db_bind_text(q, 5, k->corrects);
    db_bind_int64(q, 6, k->bank_txn);
    db_bind_int64(q, 7, k->payment);
    db_bind_int64(q, 8, k->refund);
    db_bind_int64(q, 9, k->payer);
    db_bind_int64(q, 10, k->amount);
    db_bind_text(q, 11, k->actor);
    db_bind_text(q, 12, k->reason ? k->reason : "");
    db_bind_int64(q, 13, k->now);
    rc = sqr_step(db, q);
    cid = rc == 1 ? db_column_int64(q, 0) : 0;
    sqr_done(q);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return sqi_db_error(db, -DB_E_IO, "correction id");
    snprintf(action, sizeof(action), "correction.%s", k->kind);
    rc = sqi_audit(
        c, k->org, k->now, k->actor, action, k->corrects,
        json_pack("{s:I, s:s, s:s, s:I, s:I, s:I, s:s}", "correction",
                  (json_int_t)cid, "day", dated, "corrects_date",
                  k->corrects_date, "amount", (json_int_t)k->amount, "payment",
                  (json_int_t)k->payment, "bank", (json_int_t)k->bank_txn,
                  "reason", k->reason ? k->reason : ""));
    if (rc != 0)
        return rc;
    if (day != NULL)
        memcpy(day, dated, 11);
    if (id != NULL)
        *id = cid;
    return 0;
}

/* "YYYY-MM-DD" of Vietnam time at unix time `t` into out (11 bytes). */
static int vn_date(int64_t t, char *out)
{
    if (sqr_vn_day(t, out) == 0)
        return 0;
    store_set_error("invalid_time", "time %lld is out of range", (long long)t);
    return -STORE_E_INVALID;
}

int sqr_cash_dated(struct sqi_conn *c, int64_t org, int64_t payment,
                   int64_t payer, int64_t amount, const char *date,
                   int64_t recorded_at, const char *actor, int64_t now)
{
    struct db *db = sqi_dbh(c);
    struct db_stmt *q = NULL;
    char day[11], today[11], corrects[40];
    int64_t n;
    int closed = 0, rc;

    rc = vn_date(now, today);
    if (rc != 0)
        return rc;
    if (date != NULL) {
        /* YYYY-MM-DD (month 01-12, day 01-31: the check SQLite's date()
           made, which lets a 30th of February through), not after today */
        if (sqr_day_number(date, &n) != 0 || strcmp(date, today) > 0) {
            store_set_error("invalid_date", "date: YYYY-MM-DD, not after"
                                            " today");
            return -STORE_E_INVALID;
        }
        /* the kiosk asked for that day explicitly: it is refused */
        rc = sqr_is_closed(c, org, date, &closed);
        if (rc != 0)
            return rc;
        if (closed) {
            store_set_error("day_closed", "day_closed");
            return -STORE_E_CONFLICT;
        }
    }
    if (recorded_at != 0 &&
        (recorded_at > now + 300 || recorded_at < now - 366 * 86400)) {
        store_set_error("invalid_field", "recorded_at: when the cash was"
                                         " taken, within the last year");
        return -STORE_E_INVALID;
    }
    /* cash taken on a day that is closed now (a kiosk's offline journal
       sent after the close, or cash recorded after today's close) is
       kept: dated on the next open day, pointing at the day it was taken */
    rc =
        vn_date(recorded_at != 0 && recorded_at < now ? recorded_at : now, day);
    if (rc == 0)
        rc = sqr_is_closed(c, org, day, &closed);
    if (rc != 0 || !closed)
        return rc;
    rc = sqr_stmt(db, "UPDATE payments SET corrects_date = ?2 WHERE id = ?1",
                  &q);
    if (rc != 0)
        return rc;
    db_bind_int64(q, 1, payment);
    db_bind_text(q, 2, day);
    rc = sqr_step(db, q);
    sqr_done(q);
    if (rc < 0)
        return rc;
    snprintf(corrects, sizeof(corrects), "payment:%lld", (long long)payment);
    {
        struct sqr_correction k = {org,
                                   "cash",
                                   day,
                                   corrects,
                                   0,
                                   payment,
                                   0,
                                   payer,
                                   amount,
                                   actor,
                                   "cash taken on a closed day",
                                   now};

        return sqr_correction_add(c, &k, NULL, NULL);
    }
}
