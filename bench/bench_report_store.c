/*
 * bench_report_store.c: the reports through the real SQLite store at the
 * scale of a province programme: 8,000 markets of 100 stalls, two months
 * of payments (each with its invoice and allocation) written straight
 * into a store in a temporary directory, then the daily reconciliation
 * of every market (rows read by the store, computed, JSON and CSV) and a
 * month's adoption statistics over all markets, one province and one
 * market, as chopay-server computes them. Throughput, p50/p99, peak RSS.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "srv_report.h"
#include "store.h"

#define MARKETS      8000
#define STALLS       100 /* payers per market */
#define PAYS_PER_MON 5   /* payments per stall per month */
#define PROVINCES    63
#define ADOPT_RUNS   3
#define FEE_DAILY    20000
#define MONTH_FROM   "2026-10-01" /* the month reported */
#define MONTH_TO     "2026-10-31"
#define DATA_FROM    "2026-08-31" /* with the previous 31 days */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void percentiles(const char *what, double *t, size_t n, double total,
                        const char *unit)
{
    qsort(t, n, sizeof *t, cmp_double);
    printf("%-36s %9.1f %s/s   p50 %9.3f ms   p99 %9.3f ms   total %.2f s\n",
           what, (double)n / total, unit, t[n / 2] * 1e3, t[n * 99 / 100] * 1e3,
           total);
}

static void die(const char *what, struct db *db)
{
    fprintf(stderr, "bench_report_store: %s: %s\n", what,
            db ? db_errmsg(db) : store_error_message());
    exit(1);
}

static struct db_stmt *prep(struct db *db, const char *sql)
{
    struct db_stmt *st = db_prepare(db, sql);

    if (st == NULL)
        die(sql, db);
    return st;
}

/* Run `st` (an INSERT into `table`) once and reset it. */
static void run(struct db *db, struct db_stmt *st, const char *table)
{
    if (db_step(st) != 0)
        die(table, db);
    db_reset(st);
}

static void exec(struct db *db, const char *sql)
{
    if (db_exec(db, sql) != 0)
        die(sql, db);
}

/* Counts of what was written, for the report. */
static struct {
    long orgs, payers, fees, invoices, payments, allocations, bank, standees;
} rows;

/*
 * Write the data set into the (migrated, empty) store at `path` with
 * plain SQL in one transaction, the loaded tables' secondary indexes and
 * triggers dropped during the load and made again after (as a bulk
 * import would; the rows are valid as they are: dated, nothing closed).
 */
static void generate(const char *path, int32_t from, int32_t to, int32_t day)
{
    struct db *db = NULL;
    struct db_stmt *q_org, *q_payer, *q_fee, *q_inv, *q_pay, *q_alloc, *q_bank,
        *q_std, *q_idx;
    char **index_sql = NULL, text[128], dstr[11], code[16];
    size_t n_index = 0;
    int64_t inv_id = 0, pay_id = 0;
    char err[256];
    double t0 = now();

    if (db_open(path, DB_NOCREATE, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_report_store: %s\n", err);
        exit(1);
    }
    exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
             " PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF;");
    /* the store's own indexes and triggers, to make again after */
    q_idx = prep(db, "SELECT sql FROM sqlite_master WHERE type IN ('index',"
                     " 'trigger') AND sql IS NOT NULL AND tbl_name IN"
                     " ('payments', 'allocations', 'invoices', 'payers',"
                     " 'bank_txns')");
    while (db_step(q_idx) == 1) {
        index_sql = realloc(index_sql, (n_index + 1) * sizeof(*index_sql));
        if (index_sql == NULL)
            die("memory", NULL);
        index_sql[n_index++] = strdup(db_column_text(q_idx, 0));
    }
    db_finalize(q_idx);
    if (db_begin(db, DB_WRITE) != 0)
        die("BEGIN", db);
    for (size_t i = 0; i < n_index; i++) {
        /* "CREATE [UNIQUE] INDEX|TRIGGER name ..." -> DROP ... name */
        char drop[160], name[96];
        const char *p = strstr(index_sql[i], "INDEX ");
        int trigger = p == NULL;

        p = trigger ? strstr(index_sql[i], "TRIGGER ") + 8 : p + 6;
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(p, " "), p);
        snprintf(drop, sizeof(drop), "DROP %s %s",
                 trigger ? "TRIGGER" : "INDEX", name);
        exec(db, drop);
    }
    q_org = prep(db, "INSERT INTO orgs(id, code, kind, name, bank_bin,"
                     " account, account_name, prefix, created_at, updated_at,"
                     " province) VALUES (?1, ?2, 'market', ?3, '970436', ?4,"
                     " 'BAN QUAN LY CHO', ?5, 0, 0, ?6)");
    q_payer = prep(db, "INSERT INTO payers(id, org_id, code, name, category,"
                       " bank_bin, bank_account, active, credit) VALUES (?1,"
                       " ?2, ?3, ?4, 'A', ?5, ?6, 1, ?7)");
    q_fee = prep(db, "INSERT INTO fees(id, org_id, code, label, kind,"
                     " category, amount) VALUES (?1, ?2, 'PHI', 'Phí chợ',"
                     " 'daily', 'A', ?3)");
    q_inv = prep(db, "INSERT INTO invoices(id, org_id, payer_id, fee_id,"
                     " period, label, amount, paid, created_at, day) VALUES"
                     " (?1, ?2, ?3, ?4, ?5, 'Phí chợ', ?6, ?7, ?8, ?5)");
    q_pay = prep(db, "INSERT INTO payments(id, org_id, payer_id, method,"
                     " amount, unallocated, flag, reference, source, actor,"
                     " created_at, day) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                     " ?8, ?9, 'bench', ?10, ?11)");
    q_alloc = prep(db, "INSERT INTO allocations(id, payment_id, invoice_id,"
                       " amount, day) VALUES (?1, ?1, ?2, ?3, ?4)");
    q_bank =
        prep(db, "INSERT INTO bank_txns(org_id, provider, provider_txn_id,"
                 " channel, account, direction, amount, currency, booking_date,"
                 " booked_at, bank_ref, ref_key, code, codes, description,"
                 " counter_name, counter_account, state, outcome, payment_id,"
                 " created_at, updated_at, balance, report_date) VALUES (?1,"
                 " 'sepay', ?2, 'webhook', ?3, 'credit', ?4, 'VND', ?5, ?6, ?7,"
                 " ?7, '', '', ?8, '', '', ?9, ?10, ?11, ?12, ?12, ?13, ?5)");
    q_std = prep(db, "INSERT INTO standees(org_id, payer_id, format, paper,"
                     " actor, created_at) VALUES (?1, ?2, 'pdf', 'a5',"
                     " 'bench', 0)");
    for (int m = 1; m <= MARKETS; m++) {
        int64_t balance = 100000000 + 1000 * (int64_t)rnd(100000);
        int seq = 0;

        snprintf(code, sizeof(code), "CHO%05d", m);
        db_bind_int64(q_org, 1, m);
        db_bind_text(q_org, 2, code);
        snprintf(text, sizeof(text), "Chợ số %d", m);
        db_bind_text(q_org, 3, text);
        snprintf(text, sizeof(text), "10%08d", m);
        db_bind_text(q_org, 4, text);
        snprintf(text, sizeof(text), "P%05d", m);
        db_bind_text(q_org, 5, text);
        snprintf(text, sizeof(text), "Tỉnh %02d", m % PROVINCES);
        db_bind_text(q_org, 6, text);
        run(db, q_org, "orgs");
        rows.orgs++;
        db_bind_int64(q_fee, 1, m);
        db_bind_int64(q_fee, 2, m);
        db_bind_int64(q_fee, 3, FEE_DAILY);
        run(db, q_fee, "fees");
        rows.fees++;
        for (int s = 0; s < STALLS; s++) {
            int64_t pid = (int64_t)(m - 1) * STALLS + s + 1;
            int own = s % 4 == 0;

            db_bind_int64(q_payer, 1, pid);
            db_bind_int64(q_payer, 2, m);
            snprintf(text, sizeof(text), "A-%d", s + 1);
            db_bind_text(q_payer, 3, text);
            snprintf(text, sizeof(text), "Tiểu thương %d", s + 1);
            db_bind_text(q_payer, 4, text);
            db_bind_text(q_payer, 5, own ? "970436" : "");
            snprintf(text, sizeof(text), "%s%07lld", own ? "9" : "",
                     (long long)pid);
            db_bind_text(q_payer, 6, own ? text : "");
            /* their over-payments below are the credit */
            db_bind_int64(q_payer, 7, s % 50 == 7 ? 5000 : 0);
            run(db, q_payer, "payers");
            rows.payers++;
            if (s % 10 == 0) {
                db_bind_int64(q_std, 1, m);
                db_bind_int64(q_std, 2, pid);
                run(db, q_std, "standees");
                rows.standees++;
            }
        }
        /* each stall pays PAYS_PER_MON times a month: each payment pays
           that day's invoice, 70 % by transfer */
        for (int32_t d = from; d <= to; d++) {
            int per_day = STALLS * PAYS_PER_MON / 30 + (rnd(30) < 20);

            report_day_format(d, dstr);
            for (int k = 0; k < STALLS; k++) {
                /* the stalls paying that day, and on the reported day the
                   invoices of those that do not (still owed) */
                int s = (int)((k * 7 + d * 13) % STALLS);
                int64_t pid = (int64_t)(m - 1) * STALLS + s + 1;
                int64_t t = (int64_t)d * 86400 - 25200 + 3600 * 6 + k * 60;
                int pays = k < per_day, transfer = rnd(10) < 7;
                int over = pays && transfer && s % 50 == 7 && d == from;
                int64_t amount = over ? FEE_DAILY + 5000 : FEE_DAILY;

                if (!pays && d != day)
                    continue;
                db_bind_int64(q_inv, 1, ++inv_id);
                db_bind_int64(q_inv, 2, m);
                db_bind_int64(q_inv, 3, pid);
                db_bind_int64(q_inv, 4, m);
                db_bind_text(q_inv, 5, dstr);
                db_bind_int64(q_inv, 6, FEE_DAILY);
                db_bind_int64(q_inv, 7, pays ? FEE_DAILY : 0);
                db_bind_int64(q_inv, 8, t);
                run(db, q_inv, "invoices");
                rows.invoices++;
                if (!pays)
                    continue;
                db_bind_int64(q_pay, 1, ++pay_id);
                db_bind_int64(q_pay, 2, m);
                db_bind_int64(q_pay, 3, pid);
                db_bind_text(q_pay, 4, transfer ? "transfer" : "cash");
                db_bind_int64(q_pay, 5, amount);
                db_bind_int64(q_pay, 6, amount - FEE_DAILY);
                db_bind_text(q_pay, 7, over ? "over" : "");
                snprintf(text, sizeof(text), "bank:%lld", (long long)pay_id);
                if (transfer)
                    db_bind_text(q_pay, 8, text);
                else
                    db_bind_null(q_pay, 8);
                db_bind_text(q_pay, 9, transfer ? "sepay" : "cash");
                db_bind_int64(q_pay, 10, t);
                db_bind_text(q_pay, 11, dstr);
                run(db, q_pay, "payments");
                rows.payments++;
                db_bind_int64(q_alloc, 1, pay_id);
                db_bind_int64(q_alloc, 2, inv_id);
                db_bind_int64(q_alloc, 3, FEE_DAILY);
                db_bind_text(q_alloc, 4, dstr);
                run(db, q_alloc, "allocations");
                rows.allocations++;
                if (!transfer || d != day)
                    continue;
                /* the reported day's transfers as the bank feed gave them,
                   with SePay's running balance */
                balance += amount;
                db_bind_int64(q_bank, 1, m);
                db_bind_int64(q_bank, 2, pay_id);
                snprintf(text, sizeof(text), "10%08d", m);
                db_bind_text(q_bank, 3, text);
                db_bind_int64(q_bank, 4, amount);
                db_bind_text(q_bank, 5, dstr);
                snprintf(text, sizeof(text), "%sT06:%02d:%02d+07:00", dstr,
                         seq / 60, seq % 60);
                seq++;
                db_bind_text(q_bank, 6, text);
                snprintf(text, sizeof(text), "FT%010lld", (long long)pay_id);
                db_bind_text(q_bank, 7, text);
                db_bind_text(q_bank, 8, "CK phi cho");
                db_bind_text(q_bank, 9, "matched");
                db_bind_text(q_bank, 10, "exact");
                db_bind_int64(q_bank, 11, pay_id);
                db_bind_int64(q_bank, 12, t);
                db_bind_int64(q_bank, 13, balance);
                run(db, q_bank, "bank_txns");
                rows.bank++;
            }
        }
    }
    db_finalize(q_org);
    db_finalize(q_payer);
    db_finalize(q_fee);
    db_finalize(q_inv);
    db_finalize(q_pay);
    db_finalize(q_alloc);
    db_finalize(q_bank);
    db_finalize(q_std);
    printf("  load %.1f s", now() - t0);
    fflush(stdout);
    t0 = now();
    for (size_t i = 0; i < n_index; i++) {
        exec(db, index_sql[i]);
        free(index_sql[i]);
    }
    free(index_sql);
    if (db_end(db, 0) != 0)
        die("COMMIT", db);
    exec(db, "ANALYZE;");
    db_close(db);
    printf(", indexes %.1f s\n", now() - t0);
}

/* The daily reconciliation of every market, JSON and CSV. */
static void bench_daily(struct store *st, const char *date)
{
    double *lat = malloc(MARKETS * sizeof(*lat)), t0 = now();
    size_t bytes = 0;

    if (lat == NULL)
        exit(3);
    for (int m = 1; m <= MARKETS; m++) {
        char code[16], *text = NULL, *csv = NULL;
        size_t len = 0, clen = 0;
        double s = now();

        snprintf(code, sizeof(code), "CHO%05d", m);
        if (srv_report_daily(st, m, code, date, 0, &text, &len) != 0 ||
            srv_report_daily(st, m, code, date, ',', &csv, &clen) != 0)
            die("daily report", NULL);
        lat[m - 1] = now() - s;
        bytes += len + clen;
        if (m == 1)
            printf("  market 1: %.*s...\n", 160, text);
        free(text);
        free(csv);
    }
    percentiles("daily report (JSON+CSV), 8000", lat, MARKETS, now() - t0,
                "reports");
    printf("  %.1f MB of reports\n", (double)bytes / 1e6);
    free(lat);
}

/* Adoption statistics for October against the 31 days before it. */
static void bench_adoption(struct store *st)
{
    struct srv_adoption_req rq;
    double lat[100], t0;
    char *text = NULL;
    size_t len = 0;
    int r;

    memset(&rq, 0, sizeof(rq));
    report_day_parse(MONTH_FROM, &rq.from);
    report_day_parse(MONTH_TO, &rq.to);
    rq.bucket = REPORT_BUCKET_WEEK;
    t0 = now();
    for (r = 0; r < ADOPT_RUNS; r++) {
        double s = now();

        if (srv_report_adoption(st, &rq, &text, &len) != 0)
            die("adoption", NULL);
        lat[r] = now() - s;
        if (r == 0)
            printf("  all markets: %.1f MB JSON, %.*s...\n", (double)len / 1e6,
                   200, text);
        free(text);
    }
    percentiles("adoption, month, all 8000 markets", lat, ADOPT_RUNS,
                now() - t0, "runs");
    rq.sep = ',';
    t0 = now();
    if (srv_report_adoption(st, &rq, &text, &len) != 0)
        die("adoption csv", NULL);
    printf("%-36s %9.3f s   (%.1f MB CSV)\n", "adoption, month, all, CSV",
           now() - t0, (double)len / 1e6);
    free(text);
    rq.sep = 0;
    rq.province = "Tỉnh 07";
    t0 = now();
    for (r = 0; r < 10; r++) {
        double s = now();

        if (srv_report_adoption(st, &rq, &text, &len) != 0)
            die("adoption province", NULL);
        lat[r] = now() - s;
        free(text);
    }
    percentiles("adoption, month, 1 province", lat, 10, now() - t0, "runs");
    rq.fee = "PHI"; /* one fee type: each payment's is looked up */
    t0 = now();
    for (r = 0; r < 10; r++) {
        double s = now();

        if (srv_report_adoption(st, &rq, &text, &len) != 0)
            die("adoption province fee", NULL);
        lat[r] = now() - s;
        free(text);
    }
    percentiles("adoption, month, 1 province/fee", lat, 10, now() - t0, "runs");
    rq.fee = NULL;
    rq.province = NULL;
    t0 = now();
    for (r = 0; r < 100; r++) {
        double s = now();

        rq.org_id = 1 + (int64_t)rnd(MARKETS);
        if (srv_report_adoption(st, &rq, &text, &len) != 0)
            die("adoption market", NULL);
        lat[r] = now() - s;
        free(text);
    }
    percentiles("adoption, month, 1 market", lat, 100, now() - t0, "runs");
}

int main(void)
{
    char dir[] = "/tmp/chopay-brsXXXXXX", path[64], url[80], cmd[96];
    struct store *st = NULL;
    struct rusage ru;
    int32_t from, to, day;
    pid_t pid;
    int status;

    if (mkdtemp(dir) == NULL)
        die("mkdtemp", NULL);
    snprintf(path, sizeof(path), "%s/chopay.db", dir);
    snprintf(url, sizeof(url), "sqlite:%s", path);
    report_day_parse(DATA_FROM, &from);
    report_day_parse(MONTH_TO, &to);
    day = to; /* the day reconciled */
    /* the schema as the server makes it, then the data straight in */
    if (store_open(url, 1, &st) != 0)
        die("store_open", NULL);
    store_close(st);
    /* in a child, so that the peak RSS below is the reports' own */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        generate(path, from, to, day);
        printf("  data: %ld markets, %ld payers, %ld fee types, %ld"
               " invoices, %ld payments, %ld allocations, %ld bank"
               " transactions, %ld standees\n",
               rows.orgs, rows.payers, rows.fees, rows.invoices, rows.payments,
               rows.allocations, rows.bank, rows.standees);
        fflush(stdout);
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        die("generating the data", NULL);
    if (store_open(url, 2, &st) != 0)
        die("store_open", NULL);
    bench_daily(st, MONTH_TO);
    bench_adoption(st);
    store_close(st);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.1f MB (the reports; generating the data: ",
           ru.ru_maxrss / 1024.0);
    getrusage(RUSAGE_CHILDREN, &ru);
    printf("%.1f MB)\n", ru.ru_maxrss / 1024.0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return 1;
    return 0;
}
