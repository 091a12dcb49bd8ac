/*
 * test_dating.c: the calendar of dating in C (server/store/reports.c): the
 * Vietnam day of a Unix time, the next day, day numbers, against known
 * answers and against SQLite's own date functions over centuries of
 * times; and sqr_open_day over a real database of closed days.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"
#include "store/store_int.h"

/* The Vietnam day of `t` as text ("ERR" when refused). */
static const char *vn(int64_t t)
{
    static char buf[4][11];
    static int k;
    char *d = buf[k++ % 4];

    if (sqr_vn_day(t, d) != 0)
        snprintf(d, 11, "ERR");
    return d;
}

/* The day after `day` ("ERR" when refused). */
static const char *next(const char *day)
{
    static char buf[4][11];
    static int k;
    char *d = buf[k++ % 4];

    if (sqr_next_day(day, d) != 0)
        snprintf(d, 11, "ERR");
    return d;
}

/* Day number of `day`, or INT64_MIN when refused. */
static int64_t num(const char *day)
{
    int64_t n;

    return sqr_day_number(day, &n) == 0 ? n : INT64_MIN;
}

static void known_answers(void)
{
    /* the Vietnam day turns at 17:00 UTC */
    CHECK_STR(vn(1796576399), "2026-12-06"); /* 2026-12-06T16:59:59Z */
    CHECK_STR(vn(1796576400), "2026-12-07"); /* 2026-12-06T17:00:00Z */
    /* leap days */
    CHECK_STR(vn(1709139600), "2024-02-29"); /* 2024-02-28T17:00:00Z */
    CHECK_STR(vn(1709225999), "2024-02-29"); /* 2024-02-29T16:59:59Z */
    CHECK_STR(next("2024-02-28"), "2024-02-29");
    CHECK_STR(next("2024-02-29"), "2024-03-01");
    CHECK_STR(next("2026-02-28"), "2026-03-01");
    CHECK_STR(next("2000-02-28"), "2000-02-29"); /* divisible by 400 */
    CHECK_STR(next("1900-02-28"), "1900-03-01"); /* by 100, not 400 */
    CHECK_STR(next("2100-02-28"), "2100-03-01");
    CHECK_INT(sqr_day_valid("2024-02-29"), 1);
    CHECK_INT(sqr_day_valid("2000-02-29"), 1);
    CHECK_INT(sqr_day_valid("2026-02-29"), 0);
    CHECK_INT(sqr_day_valid("1900-02-29"), 0);
    CHECK_INT(sqr_day_valid("2026-04-31"), 0);
    CHECK_INT(sqr_day_valid("2026-12-31"), 1);
    /* year ends */
    CHECK_STR(vn(1798736399), "2026-12-31"); /* 2026-12-31T16:59:59Z */
    CHECK_STR(vn(1798736400), "2027-01-01"); /* 2026-12-31T17:00:00Z */
    CHECK_STR(next("2026-12-31"), "2027-01-01");
    CHECK_STR(next("1999-12-31"), "2000-01-01");
    CHECK_STR(next("2026-01-31"), "2026-02-01");
    CHECK_STR(next("2026-04-30"), "2026-05-01");
    /* 1970 and the times before it */
    CHECK_STR(vn(0), "1970-01-01");
    CHECK_STR(vn(-1), "1970-01-01");
    CHECK_STR(vn(-25200), "1970-01-01");
    CHECK_STR(vn(-25201), "1969-12-31"); /* 1969-12-31T16:59:59Z */
    CHECK_STR(vn(-25200 - 86400), "1969-12-31");
    CHECK_STR(vn(-25201 - 86400), "1969-12-30");
    CHECK_INT(num("1970-01-01"), 0);
    CHECK_INT(num("1970-01-02"), 1);
    CHECK_INT(num("1969-12-31"), -1);
    CHECK_INT(num("2026-12-07"), 20794);
    CHECK_INT(num("2000-03-01"), 11017);
    /* a day past its month's end runs on, as SQLite counts it */
    CHECK_INT(num("2026-02-30"), num("2026-03-02"));
    CHECK_STR(next("2026-02-30"), "2026-03-03");
    /* the ends of the range: years 0000 to 9999 */
    CHECK_STR(next("9999-12-30"), "9999-12-31");
    CHECK_STR(next("9999-12-31"), "ERR");
    CHECK_INT(num("0000-01-01"), -719528);
    CHECK_INT(num("9999-12-31"), 2932896);
    CHECK_STR(vn(-62167219200), "0000-01-01"); /* 0000-01-01T00:00:00Z */
    CHECK_STR(vn(-62167219200 - 25201), "ERR");
    CHECK_STR(vn(253402300799 - 25200), "9999-12-31");
    CHECK_STR(vn(253402300800 - 25200), "ERR");
    CHECK_STR(vn(INT64_MIN), "ERR");
    CHECK_STR(vn(INT64_MAX), "ERR");
    CHECK_STR(vn(-((int64_t)1 << 40)), "ERR");
    {
        char d[11];

        CHECK_INT(sqr_day_text(-719529, d), -1);
        CHECK_INT(sqr_day_text(2932897, d), -1);
        CHECK_INT(sqr_day_text(0, d), 0);
        CHECK_STR(d, "1970-01-01");
    }
    /* text that is not a day */
    CHECK_INT(num(NULL), INT64_MIN);
    CHECK_INT(num(""), INT64_MIN);
    CHECK_INT(num("2026-13-01"), INT64_MIN);
    CHECK_INT(num("2026-00-10"), INT64_MIN);
    CHECK_INT(num("2026-01-00"), INT64_MIN);
    CHECK_INT(num("2026-01-32"), INT64_MIN);
    CHECK_INT(num("2026-1-01"), INT64_MIN);
    CHECK_INT(num("2026-01-01 "), INT64_MIN);
    CHECK_INT(num(" 2026-01-01"), INT64_MIN);
    CHECK_INT(num("2026/01/01"), INT64_MIN);
    CHECK_INT(num("-001-01-01"), INT64_MIN);
    CHECK_INT(num("2026-01-0a"), INT64_MIN);
    CHECK_STR(next("tomorrow"), "ERR");
    CHECK_INT(sqr_day_valid(NULL), 0);
}

/* Every day of years 0000 to 9999: text and number agree, each next
 * day is the following number, and the days are in text order. */
static void every_day(void)
{
    char d[11], prev[11] = "", nd[11];
    int64_t n, back, bad = 0;

    for (n = -719528; n <= 2932896; n++) {
        if (sqr_day_text(n, d) != 0 || sqr_day_number(d, &back) != 0 ||
            back != n || !sqr_day_valid(d) || strcmp(prev, d) >= 0) {
            if (bad++ < 5)
                fprintf(stderr, "day %lld: %s\n", (long long)n, d);
        }
        if (n < 2932896 && (sqr_next_day(d, nd) != 0 ||
                            sqr_day_number(nd, &back) != 0 || back != n + 1))
            bad++;
        memcpy(prev, d, 11);
    }
    CHECK_INT(bad, 0);
}

/* Against SQLite's date(t + 25200, 'unixepoch') and julianday(). */
static void against_sqlite(void)
{
    struct db *db = NULL;
    struct db_stmt *q = NULL;
    uint64_t x = 0x9e3779b97f4a7c15u;
    int64_t t, bad = 0, i;

    CHECK(db_open(":memory:", 0, &db, NULL, 0) == 0);
    q = db_prepare(db, "SELECT date(?1 + 25200, 'unixepoch'),"
                       " CAST(julianday(date(?1 + 25200, 'unixepoch'))"
                       " - 2440587.5 AS INTEGER)");
    CHECK(q != NULL);
    for (i = 0; i < 200000 && q != NULL; i++) {
        char mine[11];
        const char *theirs;
        int64_t n = 0;

        /* times from 1800 to 2200, and every turn of a day near now */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (i % 2)
            t = -5364662400 + (int64_t)(x % 12623040000u);
        else
            t = 1796576400 + (i / 2 - 50000) * 86400 + (int64_t)(x % 3) - 1;
        db_reset(q);
        db_bind_int64(q, 1, t);
        if (db_step(q) != 1) {
            bad++;
            continue;
        }
        theirs = db_column_text(q, 0);
        if (sqr_vn_day(t, mine) != 0 || theirs == NULL ||
            strcmp(mine, theirs) != 0 || sqr_day_number(mine, &n) != 0 ||
            n != db_column_int64(q, 1)) {
            if (bad++ < 5)
                fprintf(stderr, "t=%lld: mine %s, SQLite %s\n", (long long)t,
                        mine, theirs ? theirs : "(null)");
        }
    }
    CHECK_INT(bad, 0);
    db_finalize(q);
    db_close(db);
}

/* sqr_open_day on a database holding closed days of two organisations. */
static void open_day(void)
{
    static const char *const schema =
        "CREATE TABLE day_closes(id INTEGER PRIMARY KEY, org_id INTEGER"
        " NOT NULL, day TEXT NOT NULL, reopened_at INTEGER);"
        "INSERT INTO day_closes(org_id, day, reopened_at) VALUES"
        " (1, '2026-12-06', NULL), (1, '2026-12-07', NULL),"
        " (1, '2026-12-08', NULL), (1, '2026-12-10', NULL),"
        " (1, '2026-12-09', 1800000000), (2, '2026-12-09', NULL),"
        " (1, '2026-12-31', NULL), (1, '2027-01-01', NULL),"
        " (1, '2024-02-29', NULL);";
    char dir[256], url[300], day[11];
    struct db *db = NULL;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(url, sizeof(url), "sqlite:%s/dating.db", dir);
    CHECK_INT(db_open(url, 0, &db, NULL, 0), 0);
    if (db == NULL)
        return;
    CHECK_INT(db_exec(db, schema), 0);
    /* an open day is its own */
    CHECK_INT(sqr_open_day(db, 1, 1796576399 - 86400, day), 0);
    CHECK_STR(day, "2026-12-05");
    /* 16:59:59Z on the 6th is the 6th, closed with the 7th and 8th;
       the 9th was reopened */
    CHECK_INT(sqr_open_day(db, 1, 1796576399, day), 0);
    CHECK_STR(day, "2026-12-09");
    CHECK_INT(sqr_open_day(db, 1, 1796576400, day), 0);
    CHECK_STR(day, "2026-12-09");
    /* another organisation's closes are not its own */
    CHECK_INT(sqr_open_day(db, 2, 1796576400, day), 0);
    CHECK_STR(day, "2026-12-07");
    CHECK_INT(sqr_open_day(db, 3, 1796576400, day), 0);
    CHECK_STR(day, "2026-12-07");
    /* past a closed year's end and new year's day */
    CHECK_INT(sqr_open_day(db, 1, 1798736399, day), 0);
    CHECK_STR(day, "2027-01-02");
    /* a closed leap day */
    CHECK_INT(sqr_open_day(db, 1, 1709139600, day), 0);
    CHECK_STR(day, "2024-03-01");
    /* reopening the 7th makes it the day again */
    CHECK_INT(db_exec(db, "UPDATE day_closes SET reopened_at = 1 WHERE"
                          " org_id = 1 AND day = '2026-12-07'"),
              0);
    CHECK_INT(sqr_open_day(db, 1, 1796576399, day), 0);
    CHECK_STR(day, "2026-12-07");
    /* a time outside the calendar is refused */
    CHECK_INT(sqr_open_day(db, 1, INT64_MIN, day), -STORE_E_INVALID);
    db_close(db);
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        CHECK_INT(system(cmd), 0);
    }
}

int main(void)
{
    known_answers();
    every_day();
    against_sqlite();
    open_day();
    return TEST_END();
}
