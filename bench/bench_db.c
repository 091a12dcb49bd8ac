/*
 * bench_db.c: chopay-server on its two databases, in one run. Signed
 * SePay webhooks/s (to one organisation, and to two: the market and the
 * school, each connection to one), intent creations/s and dues lookups/s at 16
 * keep-alive connections (p50/p99, server RSS) on SQLite (one node),
 * PostgreSQL with one node and PostgreSQL with two nodes sharing one
 * database; beside them each database's single-row commit rate and a
 * trivial libmicrohttpd handler, measured in the same run. PostgreSQL
 * comes from CHOPAY_TEST_PG (tests/pg/with-pg.sh sets it).
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"
#include "crypto.h"
#include "db/db.h"

#define CONNS      16
#define PHASE_SECS 4.0
#define REF_SECS   2.0
#define INTENTS    100
#define MAX_NODES  2
#define API_KEY    "bench-sepay-api-key-2026"
#define HMAC_KEY   "bench-sepay-hmac-secret-2026"
#define ACCOUNT    "1023456789"   /* the demo market's account */
#define ACCOUNT2   "112000345678" /* the demo school's (VietinBank) */

enum kind { K_WEBHOOK, K_WEBHOOK2, K_INTENT, K_DUES, K_TRIVIAL, N_KINDS };

static const char *const kind_name[] = {"webhooks/s", "webhooks/s 2 orgs",
                                        "intents/s", "dues/s", "trivial/s"};

/* One chopay-server process. */
struct node {
    pid_t pid;              /* 0 when not running */
    char dir[256];          /* its data directory */
    char base[64];          /* http://127.0.0.1:PORT */
    long rss_kb[K_TRIVIAL]; /* VmRSS after each measured kind */
};

/* What one phase measured. */
struct result {
    int done;              /* measured */
    double rate, p50, p99; /* requests/s, seconds */
    size_t n, errors;      /* requests, non-2xx answers */
};

/* One set-up: a database and the nodes serving it. */
struct setup {
    const char *name; /* column heading */
    int nodes;        /* 1 or 2 */
    char db[768];     /* --db URL; "" for the data directory's SQLite */
    char note[160];   /* why it was not measured ("" if it was) */
    struct node node[MAX_NODES];
    struct result res[K_TRIVIAL]; /* by kind */
};

static char bin[512], top[] = "/tmp/chopay-bdbXXXXXX", kiosk[128];
static char codes[INTENTS][16];
static int setup_no;

/* ---- the server processes ----------------------------------------------- */

/* The first line of the node's stderr, for a node that did not start;
 * the database URL (it may hold a password) is left out. */
static void first_error(const struct node *nd, const char *db, char *out,
                        size_t cap)
{
    char path[300], line[1200] = "", *at;
    FILE *f;

    snprintf(path, sizeof(path), "%s/server.err", nd->dir);
    f = fopen(path, "r");
    if (f != NULL) {
        if (fgets(line, sizeof(line), f) == NULL)
            line[0] = '\0';
        fclose(f);
    }
    line[strcspn(line, "\n")] = '\0';
    if (strlen(db) > 4 && (at = strstr(line, db)) != NULL) {
        memcpy(at, "--db", 4);
        memmove(at + 4, at + strlen(db), strlen(at + strlen(db)) + 1);
    }
    snprintf(out, cap, "did not start: %s", line[0] ? line : "no message");
}

/* Start chopay-server on `db` ("" for SQLite in its data directory),
 * seeding the demo data when `demo`; 0 once it listens. */
static int node_start(struct node *nd, const char *db, int demo)
{
    char conf[300], addr[300], err[300], line[128];
    const char *argv[12];
    double t0 = now_s();
    int a = 0;
    FILE *f;

    snprintf(conf, sizeof(conf), "%s/bench.ini", nd->dir);
    snprintf(addr, sizeof(addr), "%s/server.addr", nd->dir);
    snprintf(err, sizeof(err), "%s/server.err", nd->dir);
    f = fopen(conf, "w");
    if (f == NULL)
        return -1;
    fprintf(f,
            "[server]\nthreads = 4\nrate = 0\nper_ip_connections = 20000\n"
            "max_connections = 20000\n\n[bank.CHO-TT]\nsepay_api_key = %s\n"
            "sepay_hmac_secret = %s\n\n[bank.THCS-LQD]\nsepay_api_key = %s\n"
            "sepay_hmac_secret = %s\n",
            API_KEY, HMAC_KEY, API_KEY, HMAC_KEY);
    fclose(f);
    argv[a++] = bin;
    argv[a++] = "serve";
    if (demo)
        argv[a++] = "--demo";
    argv[a++] = "--listen";
    argv[a++] = "127.0.0.1:0";
    argv[a++] = "--data-dir";
    argv[a++] = nd->dir;
    argv[a++] = "--config";
    argv[a++] = conf;
    if (db[0] != '\0') {
        argv[a++] = "--db";
        argv[a++] = db;
    }
    argv[a] = NULL;
    nd->pid = fork();
    if (nd->pid == 0) {
        int dn = open("/dev/null", O_WRONLY);
        int ef = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

        dup2(dn, 1);
        dup2(ef >= 0 ? ef : dn, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    while (now_s() - t0 < 60) {
        f = fopen(addr, "r");
        if (f != NULL) {
            if (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                snprintf(nd->base, sizeof(nd->base), "http://%.50s", line);
                fclose(f);
                return 0;
            }
            fclose(f);
        }
        if (waitpid(nd->pid, NULL, WNOHANG) == nd->pid) {
            nd->pid = 0;
            return -1;
        }
        usleep(20000);
    }
    return -1;
}

static void node_stop(struct node *nd)
{
    if (nd->pid > 0) {
        kill(nd->pid, SIGTERM);
        waitpid(nd->pid, NULL, 0);
        nd->pid = 0;
    }
}

/* Intents for the first INTENTS stalls, their payment codes kept for the
 * webhooks. */
static int make_intents(const char *base)
{
    char idem[40];

    snprintf(idem, sizeof(idem), "bdb-%d-%d-", (int)getpid(), setup_no);
    return demo_intents(base, kiosk, idem, codes, INTENTS);
}

/* ---- load generator ------------------------------------------------------
 */

struct worker {
    int id;           /* 0..CONNS-1 */
    enum kind kind;   /* what it sends */
    const char *base; /* the node it talks to */
    double until;     /* stop time */
    double *lat;      /* latencies (s) */
    size_t n, cap;    /* count and capacity */
    size_t errors;    /* non-2xx answers */
};

/* A signed SePay notification of a credit naming codes[...]: to the
 * market's MB Bank account, or (`school`) to the school's VietinBank
 * account, where the market's code matches nothing and the transfer
 * waits for review. */
static struct curl_slist *sepay_request(const struct worker *w, long seq,
                                        int school, char *body, size_t cap,
                                        int *len)
{
    char when[32], ts[24], msg[1200], hex[65], hdr[128];
    uint8_t mac[CRYPTO_SHA256_LEN];
    time_t t = time(NULL);
    time_t vn = t + 7 * 3600;
    struct curl_slist *h = NULL;
    struct tm tm;
    long id =
        (((long)setup_no * N_KINDS + w->kind) * CONNS + w->id) * 10000000L +
        seq + 1;
    const char *code = codes[(w->id * 7 + seq) % INTENTS];

    gmtime_r(&vn, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    *len = snprintf(
        body, cap,
        "{\"id\":%ld,\"gateway\":\"%s\",\"transactionDate\":\"%s\","
        "\"accountNumber\":\"%s\",\"code\":null,\"content\":"
        "\"MBVCB.%ld.%s.CT tu 0071000123456 NGUYEN THI LAN\","
        "\"transferType\":\"in\",\"transferAmount\":%ld,\"accumulated\":0,"
        "\"subAccount\":null,\"referenceCode\":\"FT%ld\",\"description\":"
        "\"MBVCB.%ld.%s.CT tu 0071000123456 NGUYEN THI LAN\"}",
        id, school ? "VietinBank" : "MBBank", when, school ? ACCOUNT2 : ACCOUNT,
        id, code, 1000 + seq % 7, id, id, code);
    snprintf(ts, sizeof(ts), "%lld", (long long)t);
    snprintf(msg, sizeof(msg), "%s.%s", ts, body);
    crypto_hmac_sha256(HMAC_KEY, strlen(HMAC_KEY), msg, strlen(msg), mac);
    crypto_hex(mac, sizeof(mac), hex);
    h = curl_slist_append(h, "Authorization: Apikey " API_KEY);
    h = curl_slist_append(h, "Content-Type: application/json");
    snprintf(hdr, sizeof(hdr), "X-SePay-Timestamp: %s", ts);
    h = curl_slist_append(h, hdr);
    snprintf(hdr, sizeof(hdr), "X-SePay-Signature: sha256=%s", hex);
    return curl_slist_append(h, hdr);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    CURL *c = curl_easy_init();
    char auth[200], url[256], idem[96], body[1024];
    unsigned seed = (unsigned)w->id * 7919u + 1;
    long seq = 0;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    while (now_s() < w->until) {
        struct curl_slist *h = NULL;
        int stall = (int)(rand_r(&seed) % 120), len = 0;
        long status = 0;
        double t0;

        switch (w->kind) {
        case K_WEBHOOK:
        case K_WEBHOOK2:
            snprintf(url, sizeof(url), "%s/v1/bank/sepay", w->base);
            h = sepay_request(w, seq, w->kind == K_WEBHOOK2 && w->id % 4 >= 2,
                              body, sizeof(body), &len);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
            break;
        case K_INTENT:
            snprintf(url, sizeof(url), "%s/v1/intents", w->base);
            snprintf(idem, sizeof(idem), "Idempotency-Key: bdb-%d-%d-%d-%ld",
                     (int)getpid(), setup_no, w->id, seq);
            snprintf(body, sizeof(body), "{\"payer\":\"%c-%d\"}",
                     "ABCD"[stall / 30], stall % 30 + 1);
            h = curl_slist_append(curl_slist_append(NULL, auth), idem);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, -1L);
            break;
        case K_DUES:
            snprintf(url, sizeof(url), "%s/v1/payers/%c-%d/dues", w->base,
                     "ABCD"[stall / 30], stall % 30 + 1);
            h = curl_slist_append(NULL, auth);
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
            break;
        default:
            snprintf(url, sizeof(url), "%s/", w->base);
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
            break;
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        t0 = now_s();
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
        curl_slist_free_all(h);
        if (w->n == w->cap) {
            double *nl;

            w->cap = w->cap ? w->cap * 2 : 4096;
            nl = realloc(w->lat, w->cap * sizeof(double));
            if (nl == NULL)
                break;
            w->lat = nl;
        }
        w->lat[w->n++] = now_s() - t0;
        if (status < 200 || status > 299)
            w->errors++;
        seq++;
    }
    curl_easy_cleanup(c);
    return NULL;
}

/* CONNS workers of `kind`, spread over `nbases` servers (connection i to
 * server i % nbases), for PHASE_SECS. */
static struct result phase(enum kind kind, const char *const *bases, int nbases)
{
    struct worker w[CONNS];
    pthread_t th[CONNS];
    struct result r = {1, 0, 0, 0, 0, 0};
    double t0, el, *all;
    size_t k = 0;
    int i;

    memset(w, 0, sizeof(w));
    t0 = now_s();
    for (i = 0; i < CONNS; i++) {
        w[i].id = i;
        w[i].kind = kind;
        w[i].base = bases[i % nbases];
        w[i].until = t0 + PHASE_SECS;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (i = 0; i < CONNS; i++) {
        pthread_join(th[i], NULL);
        r.n += w[i].n;
        r.errors += w[i].errors;
    }
    el = now_s() - t0;
    all = malloc((r.n ? r.n : 1) * sizeof(double));
    for (i = 0; i < CONNS; i++) {
        if (all != NULL)
            memcpy(all + k, w[i].lat, w[i].n * sizeof(double));
        k += w[i].n;
        free(w[i].lat);
    }
    if (all != NULL && r.n > 0) {
        qsort(all, r.n, sizeof(double), cmp_d);
        r.p50 = all[r.n / 2];
        r.p99 = all[r.n * 99 / 100];
    }
    r.rate = (double)r.n / el;
    free(all);
    return r;
}

/* ---- references ---------------------------------------------------------- */

static enum MHD_Result trivial(void *cls, struct MHD_Connection *conn,
                               const char *url, const char *method,
                               const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    static const char ok[] = "{\"ok\":true}\n";
    static int marker;
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)data;
    if (*con_cls == NULL) { /* the usual two-step: headers first */
        *con_cls = &marker;
        return MHD_YES;
    }
    *size = 0;
    r = MHD_create_response_from_buffer(sizeof(ok) - 1, (void *)ok,
                                        MHD_RESPMEM_PERSISTENT);
    ret = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* The trivial handler on 4 threads, driven like the server. */
static struct result trivial_rate(void)
{
    struct result r = {0, 0, 0, 0, 0, 0};
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    char base[64];
    const char *bases[1] = {base};

    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL, trivial,
                         NULL, MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_END);
    di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    if (di != NULL) {
        snprintf(base, sizeof(base), "http://127.0.0.1:%u", di->port);
        r = phase(K_TRIVIAL, bases, 1);
    }
    if (d != NULL)
        MHD_stop_daemon(d);
    return r;
}

/* Autocommitted INSERTs of a 300-byte row on one connection for REF_SECS:
 * each statement its own transaction, committed durably. Commits/s or a
 * negative number. */
static double commit_rate(const char *url)
{
    static const char ins[] = "INSERT INTO bench_commit(v) VALUES (?1)";
    char row[301], err[256] = "";
    struct db *db = NULL;
    struct db_stmt *st;
    double t0, el = 0;
    long n = 0;

    memset(row, 'x', 300);
    row[300] = '\0';
    if (db_open(url, 0, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_db: %s\n", err);
        return -1;
    }
    if (db_exec(db, db_backend(db) == DB_PGSQL
                        ? "CREATE TABLE bench_commit(id BIGSERIAL PRIMARY "
                          "KEY, v TEXT NOT NULL)"
                        : "CREATE TABLE bench_commit(id INTEGER PRIMARY "
                          "KEY, v TEXT NOT NULL)") != 0 ||
        (st = db_q(db, ins)) == NULL) {
        fprintf(stderr, "bench_db: %s\n", db_errmsg(db));
        db_close(db);
        return -1;
    }
    t0 = now_s();
    while ((el = now_s() - t0) < REF_SECS) {
        db_bind_text(st, 1, row);
        if (db_run(st) != 0) {
            fprintf(stderr, "bench_db: %s\n", db_errmsg(db));
            break;
        }
        n++;
    }
    db_finalize(st);
    db_close(db);
    return el > 0 ? (double)n / el : -1;
}

/* ---- PostgreSQL administration ------------------------------------------- */

/* One text value of `sql` on `url` into out ("?" if it fails). */
static void pg_value(const char *url, const char *sql, char *out, size_t cap)
{
    struct db *db = NULL;
    struct db_stmt *st;

    snprintf(out, cap, "?");
    if (db_open(url, 0, &db, NULL, 0) != 0)
        return;
    st = db_prepare(db, sql);
    if (st != NULL && db_step(st) == 1 && db_column_text(st, 0) != NULL)
        snprintf(out, cap, "%s", db_column_text(st, 0));
    db_finalize(st);
    db_close(db);
}

/* Run `sql` (no rows) on `url`; 0 or -1 with the message on stderr. */
static int pg_exec(const char *url, const char *sql)
{
    char err[256] = "";
    struct db *db = NULL;
    int rc = -1;

    if (db_open(url, 0, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_db: %s\n", err);
        return -1;
    }
    if (db_exec(db, sql) == 0)
        rc = 0;
    else
        fprintf(stderr, "bench_db: %s: %s\n", sql, db_errmsg(db));
    db_close(db);
    return rc;
}

/* A fresh database `name` on the cluster of `admin`; its URL in out. */
static int pg_create(const char *admin, const char *name, char *out, size_t cap)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
    if (pg_exec(admin, sql) != 0)
        return -1;
    /* a dbname parameter after the path names the database to use */
    snprintf(out, cap, "%s%cdbname=%s", admin,
             strchr(admin, '?') != NULL ? '&' : '?', name);
    return 0;
}

/* ---- set-ups -------------------------------------------------------------
 */

static void measure(struct setup *s)
{
    const char *bases[MAX_NODES];
    enum kind k;
    int i;

    for (i = 0; i < s->nodes; i++) {
        struct node *nd = &s->node[i];

        snprintf(nd->dir, sizeof(nd->dir), "%s/s%d-n%d", top, setup_no, i);
        if (mkdir(nd->dir, 0700) != 0)
            return;
        /* the first node seeds the demo data once; the second shares it */
        if (node_start(nd, s->db, i == 0) != 0) {
            first_error(nd, s->db, s->note, sizeof(s->note));
            goto out;
        }
        bases[i] = nd->base;
    }
    if (demo_kiosk_key(s->node[0].dir, kiosk, sizeof(kiosk)) != 0 ||
        make_intents(bases[0]) != 0) {
        snprintf(s->note, sizeof(s->note), "no demo kiosk or intents");
        goto out;
    }
    for (k = K_WEBHOOK; k <= K_DUES; k++) {
        s->res[k] = phase(k, bases, s->nodes);
        for (i = 0; i < s->nodes; i++)
            s->node[i].rss_kb[k] = rss_kb(s->node[i].pid);
    }
out:
    for (i = 0; i < s->nodes; i++)
        node_stop(&s->node[i]);
    setup_no++;
}

/* ---- the table ----------------------------------------------------------- */

#define COLW 22

static void row_head(const char *label)
{
    printf("%-20s", label);
}

static void print_table(const struct setup *s, int n)
{
    char cell[64];
    enum kind k;
    int i, j;

    row_head("path");
    for (i = 0; i < n; i++)
        printf(" | %-*s", COLW, s[i].name);
    printf("\n");
    row_head("--------------------");
    for (i = 0; i < n; i++)
        printf("-+-%.*s", COLW, "------------------------------");
    printf("\n");
    for (k = K_WEBHOOK; k <= K_DUES; k++) {
        row_head(kind_name[k]);
        for (i = 0; i < n; i++) {
            if (s[i].res[k].done)
                snprintf(cell, sizeof(cell), "%.0f", s[i].res[k].rate);
            else
                snprintf(cell, sizeof(cell), "not measured");
            printf(" | %-*s", COLW, cell);
        }
        printf("\n");
        row_head("  p50 / p99 ms");
        for (i = 0; i < n; i++) {
            cell[0] = '\0';
            if (s[i].res[k].done)
                snprintf(cell, sizeof(cell), "%.2f / %.2f",
                         s[i].res[k].p50 * 1e3, s[i].res[k].p99 * 1e3);
            printf(" | %-*s", COLW, cell);
        }
        printf("\n");
        row_head("  requests, non-2xx");
        for (i = 0; i < n; i++) {
            cell[0] = '\0';
            if (s[i].res[k].done)
                snprintf(cell, sizeof(cell), "%zu, %zu", s[i].res[k].n,
                         s[i].res[k].errors);
            printf(" | %-*s", COLW, cell);
        }
        printf("\n");
        row_head("  server RSS MiB");
        for (i = 0; i < n; i++) {
            size_t off = 0;

            cell[0] = '\0';
            for (j = 0; s[i].res[k].done && j < s[i].nodes; j++)
                off += (size_t)snprintf(
                    cell + off, sizeof(cell) - off, "%s%.1f", j ? " + " : "",
                    (double)s[i].node[j].rss_kb[k] / 1024.0);
            printf(" | %-*s", COLW, cell);
        }
        printf("\n");
    }
}

int main(int argc, char **argv)
{
    struct setup s[3];
    const char *pg = getenv("CHOPAY_TEST_PG");
    char sync[32] = "", fsync_was[32] = "", fsync_now[32] = "", scratch[32];
    char ver[64] = "", refdb[768] = "", name[64], path[400], *slash;
    double sqlite_ref, pg_ref = -1;
    struct result triv;
    int n_setups = 1, i, fsync_set = 0;
    ssize_t n;

    (void)argc;
    signal(SIGPIPE, SIG_IGN);
    /* $(BUILD)/bench/bench_db -> $(BUILD)/bin/chopay-server */
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
        if (slash == NULL) {
            fprintf(stderr, "%s: cannot find chopay-server\n", argv[0]);
            return 1;
        }
        strcpy(slash, "/bin/chopay-server");
    }
    if (mkdtemp(top) == NULL)
        return 1;
    curl_global_init(CURL_GLOBAL_ALL);
    memset(s, 0, sizeof(s));
    s[0].name = "sqlite";
    s[0].nodes = 1;
    if (pg != NULL && pg[0] != '\0') {
        s[1].name = "pg 1 node";
        s[1].nodes = 1;
        s[2].name = "pg 2 nodes";
        s[2].nodes = 2;
        n_setups = 3;
        pg_value(pg, "SELECT current_setting('server_version')", ver,
                 sizeof(ver));
        ver[strcspn(ver, " ")] = '\0';
        pg_value(pg, "SELECT current_setting('fsync')", fsync_was,
                 sizeof(fsync_was));
        /* a throw-away cluster may run without fsync; durable commits
         * are what is measured, so turn it on for this run */
        if (strcmp(fsync_was, "off") == 0 &&
            pg_exec(pg, "ALTER SYSTEM SET fsync = on") == 0) {
            fsync_set = 1;
            pg_value(pg, "SELECT pg_reload_conf()::text", scratch,
                     sizeof(scratch));
            usleep(300000);
        }
        pg_value(pg, "SELECT current_setting('fsync')", fsync_now,
                 sizeof(fsync_now));
        for (i = 1; i < 3; i++) {
            snprintf(name, sizeof(name), "chopay_bench_%d_%d", (int)getpid(),
                     i);
            if (pg_create(pg, name, s[i].db, sizeof(s[i].db)) != 0)
                snprintf(s[i].note, sizeof(s[i].note),
                         "CREATE DATABASE failed");
        }
        snprintf(name, sizeof(name), "chopay_bench_%d_ref", (int)getpid());
        if (pg_create(pg, name, refdb, sizeof(refdb)) == 0) {
            pg_value(refdb, "SELECT current_setting('synchronous_commit')",
                     sync, sizeof(sync));
            pg_ref = commit_rate(refdb);
        }
    }
    printf("chopay-server (demo data, 4 MHD threads each), %d keep-alive "
           "connections, %.0f s per path, client and servers on this "
           "machine (%ld CPUs)\n",
           CONNS, PHASE_SECS, sysconf(_SC_NPROCESSORS_ONLN));
    for (i = 0; i < n_setups; i++) {
        if (s[i].note[0] == '\0')
            measure(&s[i]);
        else
            setup_no++;
    }
    snprintf(path, sizeof(path), "sqlite:%s/commit-ref.db", top);
    sqlite_ref = commit_rate(path);
    triv = trivial_rate();
    printf("\n");
    print_table(s, n_setups);
    printf("\nreferences (same run, same machine):\n");
    printf("  SQLite INSERT+COMMIT of a 300-byte row (WAL, synchronous=FULL, "
           "data dir's disk): %.0f commits/s\n",
           sqlite_ref);
    if (n_setups == 1) {
        printf("  PostgreSQL: skipped (run under tests/pg/with-pg.sh)\n");
    } else {
        printf("  PostgreSQL %s INSERT+COMMIT of a 300-byte row (one "
               "connection): %.0f commits/s\n",
               ver, pg_ref);
        printf("  PostgreSQL synchronous_commit = %s, fsync = %s%s\n", sync,
               fsync_now,
               fsync_set ? " (the cluster had fsync = off; turned on for "
                           "this run)"
                         : "");
    }
    if (triv.done)
        printf("  trivial libmicrohttpd handler (4 threads, GET, 200): %.0f "
               "req/s, p50 %.2f ms, p99 %.2f ms\n",
               triv.rate, triv.p50 * 1e3, triv.p99 * 1e3);
    for (i = 0; i < n_setups; i++)
        if (s[i].note[0] != '\0')
            printf("  %s: not measured: %s\n", s[i].name, s[i].note);
    if (n_setups == 3)
        printf("  pg 2 nodes: two servers on one database, connection i to "
               "node i %% 2 (8 each), no proxy in front\n");
    printf("  server RSS: chopay-server's own after each path (both nodes "
           "for two); PostgreSQL's processes are not counted\n");
    if (fsync_set)
        pg_exec(pg, "ALTER SYSTEM RESET fsync");
    if (n_setups == 3) {
        pg_value(pg, "SELECT pg_reload_conf()::text", scratch, sizeof(scratch));
        for (i = 1; i < 3; i++) {
            char sql[160];

            snprintf(sql, sizeof(sql),
                     "DROP DATABASE IF EXISTS chopay_bench_%d_%d",
                     (int)getpid(), i);
            pg_exec(pg, sql);
        }
        snprintf(name, sizeof(name),
                 "DROP DATABASE IF EXISTS "
                 "chopay_bench_%d_ref",
                 (int)getpid());
        pg_exec(pg, name);
    }
    curl_global_cleanup();
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_db: cannot remove %s\n", top);
    }
    return 0;
}
