/*
 * bench_server.c: chopay-server under load, on the demo data: dues
 * lookups/s and intent creations/s at 16 keep-alive connections (p50/p99),
 * the same request rate against a trivial libmicrohttpd handler in this
 * process, the server's RSS with 5,000 suspended long polls, and the
 * latency from a state change (cancel) to the waiting clients.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

#define CONNS        16
#define PHASE_SECS   5.0
#define POLLS        5000
#define POLL_INTENTS 500

static char base[64], kiosk[128];
static uint16_t port;
static pid_t server_pid;

/* ---- load generator --------------------------------------------------------
 */

struct worker {
    int id;        /* 0..CONNS-1 */
    int kind;      /* 0 dues, 1 intents, 2 trivial */
    double until;  /* stop time */
    double *lat;   /* latencies (s) */
    size_t n, cap; /* count and capacity */
    size_t errors; /* non-2xx answers */
    int64_t *ids;  /* intent ids created (kind 1) */
    size_t n_ids;
};

struct buf {
    char *p;
    size_t len;
};

static size_t keep(char *p, size_t sz, size_t n, void *ud)
{
    struct buf *b = ud;
    char *np = realloc(b->p, b->len + sz * n + 1);

    if (np == NULL)
        return 0;
    b->p = np;
    memcpy(b->p + b->len, p, sz * n);
    b->len += sz * n;
    b->p[b->len] = '\0';
    return sz * n;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    char auth[200], url[256], idem[64], body[96];
    unsigned seed = (unsigned)w->id * 7919u + 1;
    size_t i = 0;

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    while (now_s() < w->until) {
        struct buf b = {NULL, 0};
        long status = 0;
        double t0;
        int stall = (int)(rand_r(&seed) % 120);
        struct curl_slist *hh = NULL;

        if (w->kind == 0) {
            snprintf(url, sizeof(url), "%s/v1/payers/%c-%d/dues", base,
                     "ABCD"[stall / 30], stall % 30 + 1);
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
        } else if (w->kind == 1) {
            snprintf(url, sizeof(url), "%s/v1/intents", base);
            snprintf(idem, sizeof(idem), "Idempotency-Key: b-%d-%zu-%d", w->id,
                     i, (int)getpid());
            snprintf(body, sizeof(body), "{\"payer\":\"%c-%d\"}",
                     "ABCD"[stall / 30], stall % 30 + 1);
            hh = curl_slist_append(curl_slist_append(NULL, auth), idem);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, hh);
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        } else {
            snprintf(url, sizeof(url), "http://127.0.0.1:%u/", port);
            curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
            curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
            curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        t0 = now_s();
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof(double));
            if (w->kind == 1)
                w->ids = realloc(w->ids, w->cap * sizeof(int64_t));
        }
        w->lat[w->n++] = now_s() - t0;
        if (status < 200 || status > 299)
            w->errors++;
        if (w->kind == 1) {
            json_t *j = b.p ? json_loads(b.p, 0, NULL) : NULL;

            if (status == 201 && j != NULL)
                w->ids[w->n_ids++] =
                    json_integer_value(json_object_get(j, "id"));
            json_decref(j);
            free(b.p);
            curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
            curl_slist_free_all(hh);
        }
        i++;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

/* Run CONNS workers of `kind`; print rate and percentiles. */
static void phase(const char *name, int kind, int64_t **ids, size_t *n_ids)
{
    struct worker w[CONNS];
    pthread_t th[CONNS];
    double t0, el, *all, p50, p99;
    size_t total = 0, errors = 0, k = 0;
    int i;

    memset(w, 0, sizeof(w));
    t0 = now_s();
    for (i = 0; i < CONNS; i++) {
        w[i].id = i;
        w[i].kind = kind;
        w[i].until = t0 + PHASE_SECS;
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (i = 0; i < CONNS; i++) {
        pthread_join(th[i], NULL);
        total += w[i].n;
        errors += w[i].errors;
    }
    el = now_s() - t0;
    all = malloc((total ? total : 1) * sizeof(double));
    for (i = 0; i < CONNS; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof(double));
        k += w[i].n;
    }
    qsort(all, total, sizeof(double), cmp_d);
    p50 = total ? all[total / 2] : 0;
    p99 = total ? all[total * 99 / 100] : 0;
    printf("%-34s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  (%zu requests, "
           "%zu errors, %d connections)\n",
           name, (double)total / el, p50 * 1e3, p99 * 1e3, total, errors,
           CONNS);
    if (ids != NULL) {
        size_t n = 0;

        for (i = 0; i < CONNS; i++)
            n += w[i].n_ids;
        *ids = malloc((n ? n : 1) * sizeof(int64_t));
        *n_ids = 0;
        for (i = 0; i < CONNS; i++) {
            memcpy(*ids + *n_ids, w[i].ids, w[i].n_ids * sizeof(int64_t));
            *n_ids += w[i].n_ids;
        }
    }
    for (i = 0; i < CONNS; i++) {
        free(w[i].lat);
        free(w[i].ids);
    }
    free(all);
}

/* ---- the trivial libmicrohttpd handler ---------------------------------- */

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

/* ---- the server process ------------------------------------------------- */

static uint16_t metrics_port;

static int start_server(const char *bin, const char *dir)
{
    char ini[300];

    /* /metrics (the waiting long polls) on a loopback port of its own */
    metrics_port = bench_free_port();
    snprintf(ini, sizeof(ini),
             "[server]\nthreads = 4\nrate = 0\n"
             "per_ip_connections = 20000\nmax_connections = 20000\n"
             "metrics_listen = 127.0.0.1:%u\n",
             metrics_port);
    return demo_server_start(bin, dir, ini, &server_pid, base, sizeof(base));
}

/* Open a raw connection and send a long-poll request; fd or -1. */
static int open_poll(uint16_t sport, int64_t id)
{
    struct sockaddr_in a;
    char req[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0), n;

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(sport);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    n = snprintf(req, sizeof(req),
                 "GET /v1/intents/%lld?wait=60 HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer %s\r\n\r\n",
                 (long long)id, kiosk);
    if (write(fd, req, (size_t)n) != n) {
        close(fd);
        return -1;
    }
    return fd;
}

static long waiting_now(void)
{
    CURL *c = curl_easy_init();
    struct buf b = {NULL, 0};
    char url[128];
    long n = -1;
    char *p;

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", metrics_port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    if (curl_easy_perform(c) == CURLE_OK && b.p &&
        (p = strstr(b.p, "\nchopay_longpoll_waiting ")) != NULL)
        n = atol(p + 25);
    free(b.p);
    curl_easy_cleanup(c);
    return n;
}

static void longpolls(const int64_t *ids, size_t n_ids)
{
    static int fds[POLLS];
    uint16_t sport;
    long rss0, rss1, waiting = 0;
    double t0, lat[POLLS];
    size_t i, n_lat = 0;
    int opened = 0, k, nint;
    CURL *c;
    char url[128], auth[200];
    struct curl_slist *h = NULL;

    sport = (uint16_t)atoi(strrchr(base, ':') + 1);
    nint = (int)(n_ids < POLL_INTENTS ? n_ids : POLL_INTENTS);
    if (nint == 0) {
        printf("long polls: no intents to wait on\n");
        return;
    }
    rss0 = rss_kb(server_pid);
    t0 = now_s();
    for (i = 0; i < POLLS; i++) {
        fds[i] = open_poll(sport, ids[i % (size_t)nint]);
        if (fds[i] >= 0)
            opened++;
    }
    while (now_s() - t0 < 20 && (waiting = waiting_now()) < opened)
        usleep(50000);
    rss1 = rss_kb(server_pid);
    printf("long polls: %d connections open, %ld suspended (in %.2f s)\n",
           opened, waiting, now_s() - t0);
    printf("server RSS: %ld KiB before, %ld KiB with %ld waiting long "
           "polls (%.1f KiB each)\n",
           rss0, rss1, waiting,
           waiting > 0 ? (double)(rss1 - rss0) / (double)waiting : 0.0);
    /* cancel 20 intents, time until each of their waiters hears it */
    c = curl_easy_init();
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    h = curl_slist_append(h, auth);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    for (k = 0; k < 20 && k < nint; k++) {
        struct pollfd pf[POLLS / POLL_INTENTS + 1];
        int np = 0, left;
        double ts;

        for (i = (size_t)k; i < POLLS; i += (size_t)nint)
            if (fds[i] >= 0 && np < POLLS / POLL_INTENTS + 1) {
                pf[np].fd = fds[i];
                pf[np].events = POLLIN;
                np++;
            }
        snprintf(url, sizeof(url), "%s/v1/intents/%lld/cancel", base,
                 (long long)ids[k]);
        curl_easy_setopt(c, CURLOPT_URL, url);
        ts = now_s();
        curl_easy_perform(c);
        left = np;
        while (left > 0 && now_s() - ts < 5) {
            int j;

            if (poll(pf, (nfds_t)np, 100) <= 0)
                continue;
            for (j = 0; j < np; j++)
                if (pf[j].fd >= 0 && (pf[j].revents & (POLLIN | POLLHUP))) {
                    lat[n_lat++] = now_s() - ts;
                    pf[j].fd = -pf[j].fd - 1;
                    left--;
                }
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    qsort(lat, n_lat, sizeof(double), cmp_d);
    if (n_lat > 0)
        printf("state change -> waiting client: %zu waiters woken, "
               "p50 %.2f ms, p99 %.2f ms, max %.2f ms (from the cancel "
               "request's start)\n",
               n_lat, lat[n_lat / 2] * 1e3, lat[n_lat * 99 / 100] * 1e3,
               lat[n_lat - 1] * 1e3);
    for (i = 0; i < POLLS; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* fsync'd 100-byte appends per second in `dir`: the commit ceiling. */
static void fsync_rate(const char *dir)
{
    char path[300], b[100];
    double t0;
    int fd, i, n = 200;

    snprintf(path, sizeof(path), "%s/fsync-probe", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return;
    memset(b, 'x', sizeof(b));
    t0 = now_s();
    for (i = 0; i < n; i++)
        if (write(fd, b, sizeof(b)) != (ssize_t)sizeof(b) || fsync(fd) != 0)
            break;
    printf("%-34s %9.0f fsync/s (this disk, same run: bounds the intent "
           "rate)\n",
           "write+fsync probe", (double)i / (now_s() - t0));
    close(fd);
    unlink(path);
}

static void raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    char bin[512], dir[256] = "/tmp/chopay-bench-XXXXXX", *slash;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *di;
    int64_t *ids = NULL;
    size_t n_ids = 0;
    struct rusage ru;
    ssize_t n;
    int status = 0;

    (void)argc;
    raise_nofile();
    signal(SIGPIPE, SIG_IGN);
    /* $(BUILD)/bench/bench_server -> $(BUILD)/bin/chopay-server */
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
    if (mkdtemp(dir) == NULL)
        return 1;
    curl_global_init(CURL_GLOBAL_ALL);
    if (start_server(bin, dir) != 0 ||
        demo_kiosk_key(dir, kiosk, sizeof(kiosk)) != 0) {
        fprintf(stderr, "bench_server: cannot start %s\n", bin);
        return 1;
    }
    printf("chopay-server %s (demo data, 4 MHD threads, SQLite WAL, each "
           "commit fdatasync'd), client and server on this machine (%ld "
           "CPUs)\n",
           base, sysconf(_SC_NPROCESSORS_ONLN));
    /* the trivial handler, same client, same run */
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL, trivial,
                         NULL, MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_END);
    di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    port = di ? di->port : 0;
    if (d != NULL) {
        phase("trivial MHD handler (GET)", 2, NULL, NULL);
        MHD_stop_daemon(d);
    }
    phase("GET /v1/payers/{code}/dues", 0, NULL, NULL);
    fsync_rate(dir);
    phase("POST /v1/intents (fsync'd commits)", 1, &ids, &n_ids);
    longpolls(ids, n_ids);
    kill(server_pid, SIGTERM);
    waitpid(server_pid, &status, 0);
    getrusage(RUSAGE_SELF, &ru);
    printf("bench process peak RSS %ld KiB; server exit status %d\n",
           ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    free(ids);
    curl_global_cleanup();
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_server: could not remove %s\n", dir);
    }
    return 0;
}
