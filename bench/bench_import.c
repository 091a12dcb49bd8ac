/*
 * bench_import.c: a statement import beside live payments. A generated
 * MT940 statement (default 100,000 entries, --entries N; every other one
 * names a payment code) imported by `chopay-server import statement`
 * while the server takes intents and signed webhooks: entries/s beside
 * the rate of batched INSERTs of similar rows in one SQLite transaction
 * measured in the same run, and the p50/p99/max latency of the intents
 * and webhooks made during the import (--alone: none are made).
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

#define INTENTS 100
#define SECRET  "bench-generic-secret-2026"
#define ACCOUNT "1023456789" /* the demo market's account */

static char base[64], kiosk[128], bin[512], dir[] = "/tmp/chopay-biXXXXXX";
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

/* Latencies of one kind of request made while the import runs. */
struct lat {
    double *v;
    size_t n, cap;
    long errors;
};

static void lat_add(struct lat *l, double s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        l->v = realloc(l->v, l->cap * sizeof(double));
    }
    l->v[l->n++] = s;
}

static void lat_print(const char *what, struct lat *l)
{
    qsort(l->v, l->n, sizeof(double), cmp_d);
    printf("  %s during the import: %zu, p50 %.1f ms, p99 %.1f ms, max %.1f "
           "ms, %ld errors\n",
           what, l->n, l->n ? l->v[l->n / 2] * 1000 : 0,
           l->n ? l->v[l->n * 99 / 100] * 1000 : 0,
           l->n ? l->v[l->n - 1] * 1000 : 0, l->errors);
    free(l->v);
}

static volatile int importing = 1;

/* Intents for stalls D-11..D-30 (never paid here), one after another. */
static void *intent_loop(void *p)
{
    struct lat *l = p;
    CURL *c = curl_easy_init();
    char url[128], body[128], auth[200], idem[64];
    long seq = 0, status = 0;

    snprintf(url, sizeof(url), "%s/v1/intents", base);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    while (importing) {
        struct curl_slist *h = NULL;
        double t0;

        snprintf(body, sizeof(body),
                 "{\"payer\":\"D-%ld\",\"invoices\":\"all\"}", 11 + seq % 20);
        snprintf(idem, sizeof(idem), "Idempotency-Key: bl-%ld", seq);
        h = curl_slist_append(h, auth);
        h = curl_slist_append(h, idem);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        t0 = now_s();
        if (curl_easy_perform(c) != CURLE_OK ||
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
            status != 201)
            l->errors++;
        lat_add(l, now_s() - t0);
        curl_slist_free_all(h);
        seq++;
        usleep(20000);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* Signed generic webhooks paying the first intents, one after another. */
static void *hook_loop(void *p)
{
    struct lat *l = p;
    CURL *c = curl_easy_init();
    char url[128], body[512], h1[64], h2[128], date[16], msg[1024], hex[65];
    uint8_t mac[CRYPTO_SHA256_LEN];
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    long seq = 0, status = 0;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    snprintf(url, sizeof(url), "%s/v1/bank/generic", base);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    while (importing) {
        struct curl_slist *h = NULL;
        long long ts = (long long)time(NULL);
        double t0;
        int n;

        n = snprintf(body, sizeof(body),
                     "{\"id\":\"L-%ld\",\"account\":\"" ACCOUNT "\","
                     "\"reference\":\"FL%08ld\",\"direction\":\"credit\","
                     "\"amount\":%ld,\"booked_at\":\"%s\",\"description\":"
                     "\"NGUYEN VAN B chuyen tien %s\"}",
                     seq, seq, 2000 + seq % 7, date, codes[seq % INTENTS]);
        snprintf(msg, sizeof(msg), "%lld.%s", ts, body);
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
            l->errors++;
        lat_add(l, now_s() - t0);
        curl_slist_free_all(h);
        seq++;
        usleep(20000);
    }
    curl_easy_cleanup(c);
    return NULL;
}

/*
 * The reference: `n` rows shaped like bank records (the same columns, a
 * unique key and two indexes) inserted in one transaction, batched, in
 * SQLite (WAL, synchronous=FULL) on the same disk; rows/s.
 */
static double batched_rate(long n)
{
    char path[300], key[32], ref[32], desc[96];
    struct db *db = NULL;
    struct db_stmt *st = NULL;
    double t0, el;
    long i;
    int rc = 0;

    snprintf(path, sizeof(path), "sqlite:%s/batch-bench.db", dir);
    if (db_open(path, 0, &db, NULL, 0) != 0)
        return 0;
    if (db_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, org_id INTEGER,"
                    " provider TEXT, txn_key TEXT, account TEXT, direction"
                    " TEXT, amount INTEGER, currency TEXT, booking_date TEXT,"
                    " bank_ref TEXT, ref_key TEXT, code TEXT, description"
                    " TEXT, state TEXT, created_at INTEGER, UNIQUE (org_id,"
                    " provider, txn_key));"
                    "CREATE INDEX t_ref ON t(org_id, ref_key, amount);"
                    "CREATE INDEX t_code ON t(org_id, code, amount);") != 0 ||
        (st = db_prepare(db, "INSERT INTO t(org_id, provider, txn_key,"
                             " account, direction, amount, currency,"
                             " booking_date, bank_ref, ref_key, code,"
                             " description, state, created_at) VALUES (1,"
                             " 'mt940', ?1, '" ACCOUNT "', 'credit', ?2,"
                             " 'VND', '2026-12-07', ?3, ?3, ?4, ?5,"
                             " 'unmatched', 1)")) == NULL) {
        fprintf(stderr, "bench_import: %s\n", db_errmsg(db));
        db_close(db);
        return 0;
    }
    t0 = now_s();
    if (db_begin(db, DB_WRITE) != 0)
        rc = -1;
    for (i = 0; i < n && rc == 0; i++) {
        snprintf(key, sizeof(key), "imp:1:%ld", i + 1);
        snprintf(ref, sizeof(ref), "ST%010ld", i);
        snprintf(desc, sizeof(desc), "MBVCB.%ld.%s.CT tu 0071000123456", i,
                 i % 2 ? "" : codes[i / 2 % INTENTS]);
        db_reset(st);
        db_bind_text(st, 1, key);
        db_bind_int64(st, 2, 1000 + i % 9);
        db_bind_text(st, 3, ref);
        db_bind_text(st, 4, i % 2 ? "" : codes[i / 2 % INTENTS]);
        db_bind_text(st, 5, desc);
        rc = db_run(st);
    }
    rc = db_end(db, rc);
    el = now_s() - t0;
    db_finalize(st);
    db_close(db);
    if (rc != 0)
        return 0;
    printf("reference: %ld batched INSERTs of bank-record rows in one "
           "transaction (SQLite, WAL, synchronous=FULL, same disk): %.2f s = "
           "%.0f rows/s\n",
           n, el, (double)n / el);
    return (double)n / el;
}

/* An MT940 file of `n` credits, every other one naming an intent's code;
 * path into out. */
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
                yymmdd, yymmdd + 2, amt, i, i,
                i % 2 ? "TIEN HANG" : codes[i / 2 % INTENTS]);
        bal += amt;
    }
    fprintf(f, ":62F:C%sVND%lld,\r\n-\r\n", yymmdd, bal);
    return fclose(f);
}

/* The import by `chopay-server import statement` beside the running
 * server, intents and webhooks timed meanwhile. */
static void import_phase(long n, double ref, int alone)
{
    char path[400];
    const char *argv[] = {bin,     "import",     "statement", path, "--format",
                          "mt940", "--data-dir", dir,         NULL};
    struct lat li = {0}, lh = {0};
    pthread_t ti, th;
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
    if (alone)
        importing = 0;
    pthread_create(&ti, NULL, intent_loop, &li);
    pthread_create(&th, NULL, hook_loop, &lh);
    wait4(pid, &status, 0, &ru);
    el = now_s() - t0;
    importing = 0;
    pthread_join(ti, NULL);
    pthread_join(th, NULL);
    printf("statement import (MT940, %ld entries, half naming a payment "
           "code): %.1f s = %.0f entries/s = %.2f x the reference, importer "
           "peak RSS %ld KiB, exit %d\n",
           n, el, (double)n / el, ref > 0 ? (double)n / el / ref : 0,
           ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    lat_print("intents (POST /v1/intents)", &li);
    lat_print("webhooks (POST /v1/bank/generic)", &lh);
}

int main(int argc, char **argv)
{
    long entries = 100000;
    char *slash;
    ssize_t n;
    double ref;
    int i, status = 0, alone = 0;

    for (i = 1; i < argc; i++)
        if (strcmp(argv[i], "--entries") == 0 && i + 1 < argc)
            entries = atol(argv[++i]);
        else if (strcmp(argv[i], "--alone") == 0)
            alone = 1; /* no intents or webhooks during the import */
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
        fprintf(stderr, "bench_import: cannot start %s\n", bin);
        return 1;
    }
    printf("chopay-server %s (demo data, %d intents), client, server and "
           "importer on this machine (%ld CPUs)\n",
           base, INTENTS, sysconf(_SC_NPROCESSORS_ONLN));
    ref = batched_rate(entries);
    import_phase(entries, ref, alone);
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    curl_global_cleanup();
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_import: cannot remove %s\n", dir);
    }
    return 0;
}
