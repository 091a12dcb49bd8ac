/*
 * test_limits.c: what holds chopay-server up against strangers, driven
 * on the real binary over loopback: uploads refused before their body is
 * stored, rate limits that hold when the table is full and count per
 * network prefix, /metrics behind a credential or on its own loopback
 * address, health that notices a full disk, and the --demo URLs.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"

#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* Kilobytes of a /proc/PID/status field ("VmRSS", "VmHWM"), or -1. */
static long proc_kb(pid_t pid, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            kb = atol(line + n + 1);
    fclose(f);
    return kb;
}

/* The port of "http://127.0.0.1:PORT". */
static int base_port(const struct srvt *s)
{
    return atoi(strrchr(s->base, ':') + 1);
}

/* One raw upload: headers, then the whole body, then the answer. */
struct upload {
    int port;         /* server port */
    const char *path; /* route */
    const char *auth; /* bearer key or NULL */
    size_t len;       /* body bytes announced and sent */
    int status;       /* HTTP status read back, 0 none */
    double secs;      /* time to the answer */
    pthread_t th;     /* its thread */
};

static void *upload_thread(void *arg)
{
    static char chunk[65536];
    struct upload *u = arg;
    struct sockaddr_in a;
    struct timeval tv = {20, 0};
    char hdr[512], buf[256];
    size_t sent = 0;
    double t0 = st_now();
    ssize_t n;
    int fd;

    memset(chunk, 'x', sizeof(chunk));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)u->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return NULL;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return NULL;
    }
    snprintf(hdr, sizeof(hdr),
             "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s"
             "Content-Type: text/csv\r\nContent-Length: %zu\r\n\r\n",
             u->path, u->auth ? "Authorization: Bearer " : "",
             u->auth ? u->auth : "", u->auth ? "\r\n" : "", u->len);
    if (send(fd, hdr, strlen(hdr), MSG_NOSIGNAL) < 0)
        goto out;
    while (sent < u->len) {
        size_t k =
            u->len - sent < sizeof(chunk) ? u->len - sent : sizeof(chunk);

        n = send(fd, chunk, k, MSG_NOSIGNAL);
        if (n <= 0)
            break; /* refused mid-body: the answer may already be there */
        sent += (size_t)n;
    }
    n = recv(fd, buf, sizeof(buf) - 1, 0);
    if (n > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0) {
        buf[n] = '\0';
        u->status = atoi(buf + 9);
    }
    u->secs = st_now() - t0;
out:
    close(fd);
    return NULL;
}

/*
 * Uploads without a credential are refused as soon as their headers are
 * in: the server's memory does not grow by the bodies' size; an
 * authorised upload is still read and imported.
 */
static void test_upload_auth(void)
{
    enum { N = 24 };
    static struct upload up[N];
    struct srvt s;
    char dir[256], admin[128], kiosk[128];
    long hwm0, hwm1;
    int i, n401 = 0;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_start(&s, dir, NULL), 0);
    if (s.pid <= 0)
        return;
    CHECK_INT(st_bank_world(&s, admin, kiosk), 0);
    hwm0 = proc_kb(s.pid, "VmHWM");
    for (i = 0; i < N; i++) {
        up[i].port = base_port(&s);
        up[i].path = i % 2 ? "/v1/statements" : "/v1/orgs/MKT/payers/import";
        up[i].auth = i % 4 == 3 ? kiosk : NULL; /* a kiosk may not import */
        up[i].len = 8 * 1024 * 1024 - 16;
        pthread_create(&up[i].th, NULL, upload_thread, &up[i]);
    }
    for (i = 0; i < N; i++) {
        pthread_join(up[i].th, NULL);
        if (up[i].status == 401 || up[i].status == 403)
            n401++;
        else
            fprintf(stderr, "upload %d: status %d\n", i, up[i].status);
    }
    hwm1 = proc_kb(s.pid, "VmHWM");
    CHECK_INT(n401, N);
    /* 24 bodies of 8 MiB are 192 MiB: none of them was kept */
    CHECK(hwm0 > 0 && hwm1 > 0 && hwm1 - hwm0 < 48 * 1024);
    fprintf(stderr, "peak RSS %ld kB before, %ld kB after the uploads\n", hwm0,
            hwm1);
    /* an authorised writer still uploads (a CSV of payers) */
    {
        const char csv[] = "Mã,Họ tên,Khu\r\n"
                           "B-1,Nguyễn Văn Tư,B\r\nB-2,Lê Thị Năm,B\r\n";
        const char *hdrs[] = {"Content-Type: text/csv", NULL};
        struct resp r = st_http(&s, "POST", "/v1/orgs/MKT/payers/import", admin,
                                hdrs, csv, sizeof(csv) - 1);

        CHECK_INT(r.status, 200);
        resp_free(&r);
    }
    CHECK_INT(st_stop(&s), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

/* Write DIR/limits.ini with `text`; its path into `path`. */
static void write_conf(const char *dir, char *path, size_t cap,
                       const char *text)
{
    FILE *f;

    snprintf(path, cap, "%s/limits.ini", dir);
    f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

/* POST /dash/logout (no session: 401, cheap) as client `ip`; the status. */
static long post_as(const struct srvt *s, const char *ip)
{
    char h[80];
    const char *hdrs[] = {h, NULL};
    struct resp r;
    long st;

    snprintf(h, sizeof(h), "X-Real-IP: %s", ip);
    r = st_http(s, "POST", "/dash/logout", NULL, hdrs, "{}", 2);
    st = r.status;
    resp_free(&r);
    return st;
}

/* chopay_ratelimit_evictions_total of server `s` (an admin token is
 * made for it), or -1. */
static long long evictions(struct srvt *s)
{
    const char *argv[] = {"token",      "add",  "--role", "admin",
                          "--data-dir", s->dir, NULL};
    char out[1024], key[128];
    const char *p;
    long long n = -1;
    struct resp r;

    if (st_run(out, sizeof(out), argv) != 0)
        return -1;
    st_last_line(out, key, sizeof(key));
    r = st_get(s, "/metrics", key);
    p = r.body ? strstr(r.body, "\nchopay_ratelimit_evictions_total ") : NULL;
    if (p != NULL)
        n = atoll(p + strlen("\nchopay_ratelimit_evictions_total "));
    resp_free(&r);
    return n;
}

/*
 * Unauthenticated requests are limited per network prefix (/24, /64);
 * a table full of other prefixes still limits a new one.
 */
static void test_rate_prefix(void)
{
    struct srvt s;
    char dir[256], conf[300], ip[64];
    const char *extra[] = {"--config", conf, NULL};
    struct timespec t0, t1;
    int i, n429;

    CHECK_INT(st_tmpdir(dir), 0);
    write_conf(dir, conf, sizeof(conf),
               "[server]\nrate = 1\nburst = 5\nthreads = 2\n");
    CHECK_INT(st_start(&s, dir, extra), 0);
    if (s.pid <= 0)
        return;
    /* two addresses of one /24 share one budget of 5 */
    n429 = 0;
    for (i = 0; i < 16; i++)
        n429 += post_as(&s, i % 2 ? "203.0.113.5" : "203.0.113.77") == 429;
    CHECK(n429 >= 9);
    /* so do two addresses of one IPv6 /64 */
    n429 = 0;
    for (i = 0; i < 16; i++)
        n429 += post_as(&s, i % 2 ? "2001:db8:1:2::1" : "2001:db8:1:2:ff::9") ==
                429;
    CHECK(n429 >= 9);
    /* requests with a missing or unknown key count against the network
       too */
    n429 = 0;
    for (i = 0; i < 16; i++) {
        const char *hdrs[] = {
            i % 2 ? "X-Real-IP: 192.0.2.1" : "X-Real-IP: 192.0.2.200", NULL};
        struct resp r =
            st_http(&s, "GET", "/v1/orgs",
                    i % 4 ? "ct_guessed-key-0123456789" : NULL, hdrs, NULL, 0);

        CHECK(r.status == 401 || r.status == 429);
        n429 += r.status == 429;
        resp_free(&r);
    }
    CHECK(n429 >= 9);
    /* another /24 has its own */
    CHECK(post_as(&s, "203.0.114.5") != 429);
    /* fill the table with more prefixes than it has slots */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < 6000; i++) {
        snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
        post_as(&s, ip);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* a new prefix is still limited */
    n429 = 0;
    for (i = 0; i < 16; i++)
        n429 += post_as(&s, "198.51.100.7") == 429;
    CHECK(n429 >= 9);
    /* and so is every one of a sample of new ones */
    {
        int limited = 0, k;

        for (k = 0; k < 8; k++) {
            snprintf(ip, sizeof(ip), "172.16.%d.1", k);
            n429 = 0;
            for (i = 0; i < 10; i++)
                n429 += post_as(&s, ip) == 429;
            limited += n429 >= 4;
        }
        CHECK_INT(limited, 8);
    }
    /* With one request each, a bucket refills (turns idle, free to
       reuse) one second after its request: when the table filled faster
       than that, live buckets were taken, the least recently used.
       Slower (a loaded machine, an emulator), idle ones were reused. */
    if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 <
        1000)
        CHECK(evictions(&s) > 0);
    CHECK_INT(st_stop(&s), 0);
    /* buckets refill in 1 ms: idle ones are reused, none is evicted */
    write_conf(dir, conf, sizeof(conf),
               "[server]\nrate = 1000\nburst = 1\nthreads = 2\n");
    CHECK_INT(st_start(&s, dir, extra), 0);
    if (s.pid <= 0)
        return;
    for (i = 0; i < 6000; i++) {
        snprintf(ip, sizeof(ip), "10.%d.%d.1", i / 256, i % 256);
        post_as(&s, ip);
    }
    CHECK_INT(evictions(&s), 0);
    CHECK_INT(st_stop(&s), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

/* A port that was free a moment ago. */
static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t al = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &al) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/*
 * /metrics (money totals of every organisation) needs an admin token on
 * the API address; metrics_listen serves it without one, on loopback
 * only, and nothing else there.
 */
static void test_metrics_access(void)
{
    struct srvt s, m;
    char dir[256], conf[300], admin[128], kiosk[128], ml[40];
    const char *extra[] = {"--config", conf, NULL};
    struct resp r;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_start(&s, dir, NULL), 0);
    if (s.pid <= 0)
        return;
    CHECK_INT(st_bank_world(&s, admin, kiosk), 0);
    r = st_get(&s, "/metrics", NULL);
    CHECK_INT(r.status, 401);
    CHECK(r.body == NULL || strstr(r.body, "chopay_payments") == NULL);
    resp_free(&r);
    r = st_get(&s, "/metrics", kiosk);
    CHECK_INT(r.status, 403);
    resp_free(&r);
    r = st_get(&s, "/metrics", admin);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "chopay_http_requests_total") != NULL);
    CHECK(r.body &&
          strstr(r.body, "chopay_ratelimit_evictions_total 0") != NULL);
    resp_free(&r);
    CHECK_INT(st_stop(&s), 0);
    /* the separate loopback address: no credential, only /metrics */
    snprintf(ml, sizeof(ml), "127.0.0.1:%d", free_port());
    {
        char text[200];

        snprintf(text, sizeof(text), "[server]\nmetrics_listen = %s\n", ml);
        write_conf(dir, conf, sizeof(conf), text);
    }
    CHECK_INT(st_start(&s, dir, extra), 0);
    if (s.pid <= 0)
        return;
    r = st_get(&s, "/metrics", NULL);
    CHECK_INT(r.status, 401);
    resp_free(&r);
    m = s;
    snprintf(m.base, sizeof(m.base), "http://%s", ml);
    r = st_get(&m, "/metrics", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body && strstr(r.body, "chopay_longpoll_waiting 0") != NULL);
    CHECK(r.body && strstr(r.body, "chopay_payments_total") != NULL);
    resp_free(&r);
    r = st_get(&m, "/v1/orgs", admin);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    r = st_get(&m, "/healthz", NULL);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    CHECK_INT(st_stop(&s), 0);
    /* a metrics address that is not loopback is refused */
    {
        const char *argv[] = {"serve",      "--listen", "127.0.0.1:0",
                              "--data-dir", dir,        "--metrics-listen",
                              "0.0.0.0:0",  NULL};

        CHECK(st_run(NULL, 0, argv) != 0);
    }
    if (th_failed == 0)
        st_rmtree(dir);
}

/* Fill the filesystem of `path` with one file until it is full. */
static void fill_disk(const char *path)
{
    static char block[65536];
    FILE *f = fopen(path, "w");

    if (f == NULL)
        return;
    setvbuf(f, NULL, _IONBF, 0);
    while (fwrite(block, 1, sizeof(block), f) == sizeof(block))
        ;
    while (fwrite(block, 1, 512, f) == 512)
        ;
    fclose(f);
}

/*
 * A verified notification journaled but not processed (as a crash right
 * after the journal's commit leaves it), written into DIR's database.
 * The connection (db.h's, as the server's) keeps -wal and -shm.
 */
static void journal_pending_add(const char *dir)
{
    char url[1024], sql[512];

    st_db_url(dir, url, sizeof(url));
    snprintf(sql, sizeof(sql),
             "INSERT INTO bank_journal(provider, org_id,"
             " received_at, headers, body, verified, state)"
             " VALUES ('generic', 1, 0, '{}', CAST('"
             "{\"id\":\"FULL-1\",\"account\":\"" ST_MKT_ACCOUNT
             "\",\"reference\":\"FT00000001\",\"direction\":"
             "\"credit\",\"amount\":1000,\"booked_at\":"
             "\"2026-10-01\",\"description\":\"full disk\"}"
             "' AS %s), 'ok', 'received')",
             strncmp(url, "sqlite:", 7) == 0 ? "BLOB" : "BYTEA");
    CHECK_INT(st_tamper(url, sql), 0); /* no request leaves one so */
}

/* Start the server on a fixed port without waiting for server.addr. */
static pid_t start_plain(const char *dir, int port, const char *logp)
{
    char listen[40], url[400];
    pid_t pid;

    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    st_db_url(dir, url, sizeof(url));
    pid = fork();
    if (pid == 0) {
        FILE *lf = freopen(logp, "a", stderr);

        (void)lf;
        execl(st_server_bin(), "chopay-server", "serve", "--listen", listen,
              "--data-dir", dir, "--db", url, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* GET /healthz until it answers (up to 10 s); the answer. */
static struct resp health_wait(const struct srvt *s)
{
    double t0 = st_now();
    struct resp r;

    for (;;) {
        r = st_get(s, "/healthz", NULL);
        if (r.status != 0 || st_now() - t0 > 10)
            return r;
        resp_free(&r);
        usleep(50000);
    }
}

/*
 * On a full disk /healthz answers 503 "degraded" with the reason while
 * reads still work; a server started on the full disk serves reads; with
 * space again it is healthy and writes work. The disk is a small tmpfs,
 * which needs root: elsewhere the test says why it skips.
 */
static void test_full_disk(void)
{
    struct srvt s;
    char dir[256], mnt[300], data[320], filler[320], logp[320];
    char admin[128], kiosk[128], code[16], listen[40];
    const char *extra[] = {"--listen", listen, NULL};
    long long id = 0, amount = 0;
    struct resp r;
    int port;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
    snprintf(data, sizeof(data), "%s/data", mnt);
    snprintf(filler, sizeof(filler), "%s/filler", mnt);
    snprintf(logp, sizeof(logp), "%s/server2.log", dir);
    mkdir(mnt, 0700);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=8m,mode=0700") != 0) {
        printf("full disk: skipped: cannot mount a small tmpfs (%s; needs "
               "root)\n",
               strerror(errno));
        st_rmtree(dir);
        return;
    }
    port = free_port();
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
    CHECK_INT(st_start(&s, data, extra), 0);
    if (s.pid <= 0)
        goto out;
    CHECK_INT(st_bank_world(&s, admin, kiosk), 0);
    r = st_get(&s, "/healthz", NULL);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    fill_disk(filler);
    sleep(2); /* the probe's result is reused for up to 2 s */
    r = st_get(&s, "/healthz", NULL);
    CHECK_INT(r.status, 503);
    CHECK_STR(JS(r, "status"), "degraded");
    CHECK(JS(r, "reason") && strstr(JS(r, "reason"), "No space") != NULL);
    CHECK(JS(r, "reason") && strstr(JS(r, "reason"), mnt) == NULL);
    resp_free(&r);
    r = st_get(&s, "/v1/payers/A-1/dues", kiosk);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    /* stopped with space (its last checkpoint done), the disk fills up
       while it is down: started again, it serves reads and says
       degraded */
    unlink(filler);
    CHECK_INT(st_stop(&s), 0);
    journal_pending_add(data);
    fill_disk(filler);
    s.pid = start_plain(data, port, logp);
    r = health_wait(&s);
    CHECK_INT(r.status, 503);
    CHECK_STR(JS(r, "status"), "degraded");
    resp_free(&r);
    r = st_get(&s, "/v1/payers/A-1/dues", kiosk);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    if (st_on_pg())
        printf("full disk: the database is not on the full disk"
               " (PostgreSQL): its writes and the journal recovery are"
               " not expected to fail\n");
    else {
        r = st_send(&s, "POST", "/v1/intents", kiosk, "full-1",
                    "{\"payer\":\"A-1\",\"invoices\":\"all\"}");
        CHECK_INT(r.status, 503);
        resp_free(&r);
    }
    /* space again: the journal recovery is retried, then healthy, and
       writes work */
    unlink(filler);
    {
        double t0 = st_now();

        for (;;) {
            r = st_get(&s, "/healthz", NULL);
            if (r.status == 200 || st_now() - t0 > 15)
                break;
            resp_free(&r);
            usleep(200000);
        }
    }
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "status"), "ok");
    resp_free(&r);
    CHECK_INT(st_journal_count(data, "received", NULL), 0);
    CHECK_INT(st_list_count(&s, admin, "/v1/orgs/MKT/bank/transactions",
                            "transactions", "provider_txn_id=FULL-1"),
              1);
    {
        /* the log says the recovery failed, then succeeded */
        char log[65536];
        FILE *f = fopen(logp, "r");
        size_t n = f ? fread(log, 1, sizeof(log) - 1, f) : 0;

        if (f != NULL)
            fclose(f);
        log[n] = '\0';
        CHECK(st_on_pg() ||
              strstr(log, "event=error what=journal_recovery") != NULL);
        CHECK(strstr(log, "event=journal_recovered entries=1") != NULL);
    }
    CHECK_INT(st_intent(&s, kiosk, "A-1", "full-2", code, &id, &amount), 0);
    CHECK(id > 0);
    if (s.pid > 0)
        CHECK_INT(st_stop(&s), 0);
out:
    if (s.pid > 0)
        st_kill(&s);
    CHECK_INT(umount(mnt), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

/*
 * --demo started again on another port: the URLs it prints (those of
 * demo-credentials.json) name the new port; the keys stay.
 */
static void test_demo_port(void)
{
    struct srvt d;
    char dir[256], path[300], listen[40], want[64], key[128] = "";
    const char *extra[] = {"--demo", "--listen", listen, NULL};
    int run;

    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(path, sizeof(path), "%s/demo-credentials.json", dir);
    for (run = 0; run < 2; run++) {
        json_t *cred;
        const char *admin;

        snprintf(listen, sizeof(listen), "127.0.0.1:%d", free_port());
        CHECK_INT(st_start(&d, dir, extra), 0);
        if (d.pid <= 0)
            return;
        cred = json_load_file(path, 0, NULL);
        CHECK(cred != NULL);
        snprintf(want, sizeof(want), "http://%s", listen);
        CHECK_STR(json_string_value(json_object_get(cred, "server")), want);
        CHECK_STR(d.base, want);
        admin = json_string_value(json_object_get(cred, "admin_token"));
        if (run == 0)
            snprintf(key, sizeof(key), "%s", admin ? admin : "");
        else
            CHECK_STR(admin, key);
        json_decref(cred);
        CHECK_INT(st_stop(&d), 0);
    }
    if (th_failed == 0)
        st_rmtree(dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
    signal(SIGPIPE, SIG_IGN);
    test_upload_auth();
    test_rate_prefix();
    test_metrics_access();
    test_full_disk();
    test_demo_port();
    curl_global_cleanup();
    return TEST_END();
}
