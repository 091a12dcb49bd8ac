/*
 * bench_bank.c: bank confirmation under load, on the demo data. Signed
 * generic webhooks ingested + journaled + matched + committed per second
 * at 16 keep-alive connections (p50/p99), against SQLite's own
 * single-insert commit rate (INSERT + COMMIT, WAL, synchronous=FULL) in
 * the same directory in the same run; then a generated MT940 statement
 * (default 100,000 entries, --entries N; 1,000,000 for the report)
 * imported and matched by `chopay-server import statement`: entries/s and
 * the importer's peak RSS.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "crypto.h"
#include "db/db.h"

#define CONNS      16
#define PHASE_SECS 5.0
#define INTENTS    100
#define SECRET     "bench-generic-secret-2026"
#define ACCOUNT    "1023456789" /* the demo market's account */

static char base[64], kiosk[128], bin[512], dir[] = "/tmp/chopay-bbXXXXXX";
static char codes[INTENTS][16];
static pid_t server_pid;

static int start_server(void)
{
    char ini[300];

    snprintf(ini, sizeof(ini),
             "[server]\nthreads = 4\nrate = 0\nper_ip_connections = 20000\n"
             "max_connections = 20000\n\n[bank.CHO-TT]\ngeneric_secret = %s\n",
             SECRET);
    return demo_server_start(bin, dir, ini, &server_pid, base, sizeof(base));
}

/* Intents for the first INTENTS stalls (A-1.. D-30), codes kept. */
static int make_intents(void)
{
    if (demo_kiosk_key(dir, kiosk, sizeof(kiosk)) != 0)
        return -1;
    return demo_intents(base, kiosk, "bb-", codes, INTENTS);
}

struct worker {
    int id;
    double until;
    double *lat;
    size_t n, cap;
    long errors;
};

static void *hooks(void *p)
{
    struct worker *w = p;
    CURL *c = curl_easy_init();
    char url[128], body[512], h1[64], h2[128], date[16];
    uint8_t mac[CRYPTO_SHA256_LEN];
    char hex[65], *msg;
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    long seq = 0, status = 0;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(url, sizeof(url), "%s/v1/bank/generic", base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    msg = malloc(1024);
    while (now_s() < w->until) {
        struct curl_slist *h = NULL;
        long long ts = (long long)time(NULL);
        double t0;
        int n;

        n = snprintf(body, sizeof(body),
                     "{\"id\":\"B-%d-%ld\",\"account\":\"" ACCOUNT "\","
                     "\"reference\":\"FT%02d%08ld\",\"direction\":\"credit\","
                     "\"amount\":%ld,\"booked_at\":\"%s\",\"description\":"
                     "\"NGUYEN VAN A chuyen tien %s\"}",
                     w->id, seq, w->id, seq, 1000 + seq % 7, date,
                     codes[(w->id * 7 + seq) % INTENTS]);
        snprintf(msg, 1024, "%lld.%s", ts, body);
        crypto_hmac_sha256(SECRET, strlen(SECRET), msg, strlen(msg), mac);
        crypto_hex(mac, sizeof(mac), hex);
        snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %lld", ts);
        snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", hex);
        h = curl_slist_append(h, h1);
        h = curl_slist_append(h, h2);
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
        t0 = now_s();
        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
            status != 200)
            w->errors++;
        curl_slist_free_all(h);
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof(double));
        }
        w->lat[w->n++] = now_s() - t0;
        seq++;
    }
    free(msg);
    curl_easy_cleanup(c);
    return NULL;
}

static void webhook_phase(void)
{
    struct worker w[CONNS];
    pthread_t th[CONNS];
    double t0 = now_s(), el, *all;
    size_t total = 0, k = 0, i;
    long errors = 0;
    int j;

    memset(w, 0, sizeof(w));
    for (j = 0; j < CONNS; j++) {
        w[j].id = j;
        w[j].until = t0 + PHASE_SECS;
        pthread_create(&th[j], NULL, hooks, &w[j]);
    }
    for (j = 0; j < CONNS; j++) {
        pthread_join(th[j], NULL);
        total += w[j].n;
        errors += w[j].errors;
    }
    el = now_s() - t0;
    all = malloc((total ? total : 1) * sizeof(double));
    for (j = 0; j < CONNS; j++) {
        for (i = 0; i < w[j].n; i++)
            all[k++] = w[j].lat[i];
        free(w[j].lat);
    }
    qsort(all, total, sizeof(double), cmp_d);
    printf("webhooks (generic, HMAC-SHA256, journal fsync + match + ledger "
           "fsync), %d connections: %zu in %.1f s = %.0f/s, p50 %.2f ms, "
           "p99 %.2f ms, %ld errors\n",
           CONNS, total, el, (double)total / el,
           total ? all[total / 2] * 1000 : 0,
           total ? all[total * 99 / 100] * 1000 : 0, errors);
    free(all);
}

/* SQLite alone: INSERT + COMMIT per row, WAL, synchronous=FULL (what
 * db_open sets on an SQLite file, as for the server's own database). */
static void sqlite_rate(void)
{
    char path[300];
    struct db *db = NULL;
    struct db_stmt *st = NULL;
    double t0, el;
    long n = 0;

    snprintf(path, sizeof(path), "sqlite:%s/fsync-bench.db", dir);
    if (db_open(path, 0, &db, NULL, 0) != 0)
        return;
    if (db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);") != 0 ||
        (st = db_prepare(db, "INSERT INTO t(v) VALUES ('x')")) == NULL) {
        fprintf(stderr, "bench_bank: %s\n", db_errmsg(db));
        db_close(db);
        return;
    }
    t0 = now_s();
    while ((el = now_s() - t0) < 2.0) {
        if (db_begin(db, DB_WRITE) != 0 || db_end(db, db_run(st)) != 0) {
            fprintf(stderr, "bench_bank: %s\n", db_errmsg(db));
            break;
        }
        n++;
    }
    printf("SQLite single INSERT+COMMIT (WAL, synchronous=FULL, same disk):"
           " %.0f commits/s\n",
           (double)n / el);
    db_finalize(st);
    db_close(db);
}

/* An MT940 file of `n` credits paying the intents; path into out. */
static int make_statement(long n, char *out, size_t cap)
{
    char date[16], yymmdd[8];
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    long long bal = 0;
    FILE *f;
    long i;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(yymmdd, sizeof(yymmdd), "%.2s%.2s%.2s", date + 2, date + 5,
             date + 8);
    snprintf(out, cap, "%s/big.mt940", dir);
    f = fopen(out, "w");
    if (f == NULL)
        return -1;
    fprintf(f, ":20:BIG1\r\n:25:" ACCOUNT "\r\n:28C:1/1\r\n:60F:C%sVND0,\r\n",
            yymmdd);
    for (i = 0; i < n; i++) {
        long amt = 1000 + i % 9;

        fprintf(f,
                ":61:%s%sC%ld,NTRFNONREF//ST%010ld\r\n:86:MBVCB.%ld.%s.CT "
                "tu 0071000123456 NGUYEN VAN A\r\n",
                yymmdd, yymmdd + 2, amt, i, i, codes[i % INTENTS]);
        bal += amt;
    }
    fprintf(f, ":62F:C%sVND%lld,\r\n-\r\n", yymmdd, bal);
    return fclose(f);
}

static void statement_phase(long n)
{
    char path[400];
    const char *argv[] = {bin,     "import",     "statement", path, "--format",
                          "mt940", "--data-dir", dir,         NULL};
    struct rusage ru;
    double t0, el;
    int status = 0;
    pid_t pid;

    if (make_statement(n, path, sizeof(path)) != 0)
        return;
    t0 = now_s();
    pid = fork();
    if (pid == 0) {
        int dn = open("/dev/null", O_WRONLY);

        dup2(dn, 1);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    wait4(pid, &status, 0, &ru);
    el = now_s() - t0;
    printf("statement import (MT940, %ld entries, one transaction, every "
           "entry matched to an intent): %.1f s = %.0f entries/s, importer "
           "peak RSS %ld KiB, exit %d\n",
           n, el, (double)n / el, ru.ru_maxrss,
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv)
{
    long entries = 100000;
    char *slash;
    ssize_t n;
    int i, status = 0;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
            entries = atol(argv[++i]);
    if (entries < 1 || entries > 10000000)
        entries = 100000;
    signal(SIGPIPE, SIG_IGN);
    n = readlink("/proc/self/exe", bin, sizeof(bin) - 32);
    if (getenv("CHOPAY_SERVER") != NULL) {
        snprintf(bin, sizeof(bin), "%s", getenv("CHOPAY_SERVER"));
    } else if (n > 0) {
        bin[n] = '\0';
        slash = strrchr(bin, '/');
        if (slash != NULL) {
            *slash = '\0';
            slash = strrchr(bin, '/');
        }
        if (slash == NULL)
            return 1;
        strcpy(slash, "/bin/chopay-server");
    }
    if (mkdtemp(dir) == NULL)
        return 1;
    curl_global_init(CURL_GLOBAL_ALL);
    if (start_server() != 0 || make_intents() != 0) {
        fprintf(stderr, "bench_bank: cannot start %s\n", bin);
        return 1;
    }
    printf("chopay-server %s (demo data, %d intents, 4 MHD threads), client "
           "and server on this machine (%ld CPUs)\n",
           base, INTENTS, sysconf(_SC_NPROCESSORS_ONLN));
    sqlite_rate();
    webhook_phase();
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    statement_phase(entries);
    curl_global_cleanup();
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_bank: cannot remove %s\n", dir);
    }
    return 0;
}
