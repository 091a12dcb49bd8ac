/*
 * bench_reads.c: chopay-server's read path and its long polls, against a
 * reference measured in the same run on this machine:
 *  - nginx `return 200` on a loopback port (a temporary configuration,
 *    one worker: on two cores it outruns two workers, since wrk takes a
 *    core) and GET /v1/payers/{code}/dues with a kiosk key, both measured with
 *    Debian's wrk (2 threads, 16 keep-alive connections, the same
 *    request script): requests/s, p50, p99 and the ratio dues/nginx;
 *  - POLLS waiting long polls (GET /v1/intents/{id}?wait=60) on one
 *    server: its RSS before and with them all suspended, and the time
 *    from a state change (a cancel) to each waiting client's answer,
 *    p50/p99. The polls are opened by child processes (epoll each) bound
 *    to several loopback source addresses; when this process may not
 *    open that many files (RLIMIT_NOFILE), as many as it may are opened
 *    and the RSS at POLLS is projected from the measured cost of one.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchlib.h"

#define POLLS        50000
#define PER_CHILD    5000
#define POLL_INTENTS 500
#define CANCELS      40
#define WRK_SECS     "8"

static char dir[256] = "/tmp/chopay-bench-reads-XXXXXX";
static char base[64], kiosk[128];
static uint16_t port, metrics_port;
static pid_t server_pid, nginx_pid;

/* CPU time (user + system) process `pid` has used, in seconds. */
static double cpu_s(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* fields after the command: 3 state ... */
    if (p == NULL || sscanf(p + 2,
                            "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
                            "%*u %llu %llu",
                            &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU time of `pid` and its children (nginx's workers). */
static double cpu_tree_s(pid_t pid)
{
    char path[96];
    double t = cpu_s(pid);
    FILE *f;
    int child;

    snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
             (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return t;
    while (fscanf(f, "%d", &child) == 1)
        t += cpu_s(child);
    fclose(f);
    return t;
}

static pid_t spawn(const char *const *argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        int dn = open("/dev/null", O_WRONLY);

        dup2(dn, 1);
        dup2(dn, 2);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

/* ---- the server -------------------------------------------------------- */

static int start_server(const char *bin, const char *threads)
{
    char ini[300];

    metrics_port = bench_free_port();
    snprintf(ini, sizeof(ini),
             "[server]\n%s%s%srate = 0\nper_ip_connections = "
             "100000\nmax_connections = 100000\nmetrics_listen = "
             "127.0.0.1:%u\n",
             threads ? "threads = " : "", threads ? threads : "",
             threads ? "\n" : "", metrics_port);
    if (demo_server_start(bin, dir, ini, &server_pid, base, sizeof(base)) != 0)
        return -1;
    port = (uint16_t)atoi(strrchr(base, ':') + 1);
    return demo_kiosk_key(dir, kiosk, sizeof(kiosk));
}

/* ---- wrk ---------------------------------------------------------------- */

struct wrk_out {
    double rps, p50_ms, p99_ms;
    double requests; /* in all */
    double cpu_us;   /* the server's CPU time per request, microseconds */
};

/* "455.00us", "10.73ms", "1.20s" in milliseconds. */
static double wrk_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (strncmp(end, "us", 2) == 0)
        return v / 1000;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (*end == 's')
        return v * 1000;
    return v;
}

/* Run wrk on `url` with the request script (the 120 stalls' dues paths,
 * round robin, for the server and nginx alike) and `hdr`; the CPU time
 * the process tree `pid` serving it used is counted too. */
static int run_wrk(const char *url, const char *hdr, pid_t pid,
                   struct wrk_out *o)
{
    double cpu0 = cpu_tree_s(pid);
    char script[300], out[300], cmd[1400], line[256];
    FILE *f;

    snprintf(script, sizeof(script), "%s/paths.lua", dir);
    f = fopen(script, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "local reqs = {}\nlocal i = 0\ninit = function(args)\n"
               "  for s = 0, 119 do\n"
               "    local p = string.format(\"/v1/payers/%%s-%%d/dues\","
               " string.sub(\"ABCD\", s // 30 + 1, s // 30 + 1), s %% 30 + 1)\n"
               "    reqs[s] = wrk.format(\"GET\", p)\n  end\nend\n"
               "request = function()\n  i = (i + 1) %% 120\n"
               "  return reqs[i]\nend\n");
    fclose(f);
    snprintf(out, sizeof(out), "%s/wrk.txt", dir);
    snprintf(cmd, sizeof(cmd),
             "wrk -t2 -c16 -d" WRK_SECS "s --latency -s '%s' %s%s%s '%s' "
             "> '%s' 2>&1",
             script, hdr ? "-H '" : "", hdr ? hdr : "", hdr ? "'" : "", url,
             out);
    if (system(cmd) != 0)
        return -1;
    memset(o, 0, sizeof(*o));
    o->cpu_us = cpu_tree_s(pid) - cpu0;
    f = fopen(out, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        const char *p = line + strspn(line, " ");

        if (strncmp(p, "50%", 3) == 0)
            o->p50_ms = wrk_ms(p + 3 + strspn(p + 3, " "));
        else if (strncmp(p, "99%", 3) == 0)
            o->p99_ms = wrk_ms(p + 3 + strspn(p + 3, " "));
        else if (strncmp(p, "Requests/sec:", 13) == 0)
            o->rps = atof(p + 13);
        else if (strstr(p, " requests in ") != NULL)
            o->requests = atof(p);
        else if (strstr(p, "Non-2xx") != NULL)
            fprintf(stderr, "bench_reads: %s", p);
    }
    fclose(f);
    o->cpu_us = o->requests > 0 ? o->cpu_us * 1e6 / o->requests : 0;
    return o->rps > 0 ? 0 : -1;
}

static int start_nginx(uint16_t np)
{
    char conf[300], tmp[300];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/nginx", dir);
    mkdir(tmp, 0700);
    snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
    f = fopen(conf, "w");
    if (f == NULL)
        return -1;
    fprintf(f,
            "worker_processes 1;\ndaemon off;\npid %s/nginx.pid;\n"
            "error_log %s/error.log;\nevents { worker_connections 1024; }\n"
            "http {\n  access_log off;\n  client_body_temp_path %s;\n"
            "  proxy_temp_path %s;\n  fastcgi_temp_path %s;\n"
            "  uwsgi_temp_path %s;\n  scgi_temp_path %s;\n"
            "  server {\n    listen 127.0.0.1:%u;\n"
            "    location / { return 200 \"{\\\"ok\\\":true}\\n\"; }\n  }\n}\n",
            tmp, tmp, tmp, tmp, tmp, tmp, tmp, np);
    fclose(f);
    {
        const char *argv[] = {"nginx", "-c", conf, "-p", tmp, NULL};

        nginx_pid = spawn(argv);
    }
    for (int i = 0; i < 100; i++) { /* until it answers */
        struct sockaddr_in a;
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_port = htons(np);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
        close(fd);
        if (ok)
            return 0;
        usleep(50000);
    }
    return -1;
}

static void reads(void)
{
    struct wrk_out ng = {0}, du = {0};
    char url[128], hdr[200];
    uint16_t np = bench_free_port();

    if (start_nginx(np) != 0) {
        printf("nginx: cannot start\n");
    } else {
        snprintf(url, sizeof(url), "http://127.0.0.1:%u/", np);
        if (run_wrk(url, NULL, nginx_pid, &ng) != 0)
            printf("nginx: wrk failed\n");
    }
    if (nginx_pid > 0) {
        kill(nginx_pid, SIGTERM);
        waitpid(nginx_pid, NULL, 0);
    }
    snprintf(url, sizeof(url), "%s/", base);
    snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", kiosk);
    if (run_wrk(url, hdr, server_pid, &du) != 0)
        printf("dues: wrk failed\n");
    printf("%-34s %8.0f req/s  p50 %6.3f ms  p99 %7.3f ms  %5.1f us "
           "CPU/req\n",
           "nginx return 200 (wrk -t2 -c16)", ng.rps, ng.p50_ms, ng.p99_ms,
           ng.cpu_us);
    printf("%-34s %8.0f req/s  p50 %6.3f ms  p99 %7.3f ms  %5.1f us "
           "CPU/req\n",
           "GET /v1/payers/{code}/dues (wrk)", du.rps, du.p50_ms, du.p99_ms,
           du.cpu_us);
    printf("%-34s %8.2f x nginx's req/s, %.2f x its CPU per request "
           "(same run)\n",
           "dues / nginx", ng.rps > 0 ? du.rps / ng.rps : 0,
           ng.cpu_us > 0 ? du.cpu_us / ng.cpu_us : 0);
}

/* ---- long polls --------------------------------------------------------- */

/* POST `path` with the kiosk key and `body`; the answer's "id" or 0. */
static int64_t post(CURL *c, const char *path, const char *body,
                    const char *idem)
{
    struct curl_slist *h = NULL;
    char url[256], auth[200], ik[100];
    FILE *mem;
    char *buf = NULL;
    size_t len = 0;
    long status = 0;
    int64_t id = 0;

    snprintf(url, sizeof(url), "%s%s", base, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    h = curl_slist_append(h, auth);
    if (idem != NULL) {
        snprintf(ik, sizeof(ik), "Idempotency-Key: %s", idem);
        h = curl_slist_append(h, ik);
    }
    mem = open_memstream(&buf, &len);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(mem);
    if (status / 100 == 2 && buf != NULL) {
        json_t *j = json_loads(buf, 0, NULL);

        id = json_integer_value(json_object_get(j, "id"));
        json_decref(j);
    }
    free(buf);
    curl_slist_free_all(h);
    return id;
}

static long waiting_now(void)
{
    CURL *c = curl_easy_init();
    char url[128], *buf = NULL, *p;
    size_t len = 0;
    long n = -1;
    FILE *mem = open_memstream(&buf, &len);

    snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", metrics_port);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    curl_easy_perform(c);
    fclose(mem);
    if (buf != NULL && (p = strstr(buf, "\nchopay_longpoll_waiting ")) != NULL)
        n = atol(p + 25);
    free(buf);
    curl_easy_cleanup(c);
    return n;
}

/* 1 when `buf` (`got` bytes, NUL-terminated) holds one whole answer:
 * its headers and Content-Length bytes. */
static int whole_answer(const char *buf, size_t got)
{
    const char *end = strstr(buf, "\r\n\r\n"), *cl;

    cl = strcasestr(buf, "Content-Length:");
    return end != NULL && cl != NULL &&
           got >= (size_t)(end + 4 - buf) + (size_t)atol(cl + 15);
}

/* Open connection `i` to the server from source address 127.0.0.(2 +
 * i / 25000) (one source address has ~28,000 ephemeral ports); -1 when
 * it cannot be opened. */
static int open_conn(int i)
{
    struct sockaddr_in src, dst;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

    if (fd < 0)
        return -1;
    /* the port is chosen at connect(), not searched for at bind() */
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(i / 25000));
    memset(&dst, 0, sizeof(dst));
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
        connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* GET intent `id` on `fd`, waiting `wait` seconds; 0 when sent. */
static int send_get(int fd, int64_t id, int wait)
{
    char req[512];
    int len = snprintf(req, sizeof(req),
                       "GET /v1/intents/%lld%s HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer %s\r\n\r\n",
                       (long long)id, wait ? "?wait=60" : "", kiosk);

    return write(fd, req, (size_t)len) == len ? 0 : -1;
}

/*
 * A child: polls [from, to) on intents ids[i % nint]. Each connection
 * first carries a request answered at once (a kiosk's connection has
 * carried requests before its poll, and a used connection costs the
 * server more than a fresh one), then the poll; at most WINDOW
 * connections are being opened at a time. Tells the parent through
 * `ready` how many polls it sent, then notes in woke[i] when each
 * answer starts to arrive, until `quit` closes.
 */
#define WINDOW 128
static void poller(int from, int to, const int64_t *ids, int nint, double *woke,
                   int ready, int quit)
{
    int n = to - from, ep = epoll_create1(0), next = from, busy = 0;
    int done = 0, sent = 0;
    int *fds = calloc((size_t)n, sizeof(int));
    char(*buf)[1024] = calloc((size_t)n, sizeof(*buf));
    size_t *got = calloc((size_t)n, sizeof(size_t));
    struct epoll_event ev, evs[256];

    while (done < n) {
        int k, j;

        while (busy < WINDOW && next < to) {
            int i = next++, fd = open_conn(i);

            if (fd < 0 || send_get(fd, ids[i % nint], 0) != 0) {
                if (fd >= 0)
                    close(fd);
                fds[i - from] = -1;
                done++;
                continue;
            }
            fds[i - from] = fd;
            ev.events = EPOLLIN;
            ev.data.u32 = (uint32_t)i;
            epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
            busy++;
        }
        k = epoll_wait(ep, evs, 256, 1000);
        for (j = 0; j < k; j++) {
            int i = (int)evs[j].data.u32, at = i - from;
            ssize_t r =
                read(fds[at], buf[at] + got[at], sizeof(buf[at]) - 1 - got[at]);

            if (r > 0) {
                got[at] += (size_t)r;
                buf[at][got[at]] = '\0';
                if (!whole_answer(buf[at], got[at]))
                    continue;
                if (send_get(fds[at], ids[i % nint], 1) == 0)
                    sent++;
            }
            /* answered (the poll is sent) or lost: no longer read here */
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[at], NULL);
            busy--;
            done++;
        }
    }
    for (int at = 0; at < n; at++)
        if (fds[at] >= 0) {
            ev.events = EPOLLIN;
            ev.data.u32 = (uint32_t)(from + at);
            epoll_ctl(ep, EPOLL_CTL_ADD, fds[at], &ev);
        }
    ev.events = EPOLLIN;
    ev.data.u32 = UINT32_MAX;
    epoll_ctl(ep, EPOLL_CTL_ADD, quit, &ev);
    if (write(ready, &sent, sizeof(sent)) != sizeof(sent))
        _exit(1);
    for (;;) {
        int k = epoll_wait(ep, evs, 256, 1000), j;

        for (j = 0; j < k; j++) {
            uint32_t at = evs[j].data.u32;

            if (at == UINT32_MAX)
                _exit(0);
            woke[at] = now_s();
            epoll_ctl(ep, EPOLL_CTL_DEL, fds[at - (uint32_t)from], NULL);
        }
    }
}

static void longpolls(void)
{
    struct rlimit rl;
    CURL *c = curl_easy_init();
    int64_t ids[POLL_INTENTS];
    int nint = 0, polls, nchild, i, opened = 0, ready[2], quit[2];
    double *woke, *lat, t0, t1, t_cancel[CANCELS];
    long rss0, rss1, waiting = -1;
    size_t n_lat = 0;
    pid_t kids[POLLS / PER_CHILD + 1];
    char body[64], key[64], path[96];

    for (i = 0; nint < POLL_INTENTS && i < POLL_INTENTS * 2; i++) {
        int64_t id;

        snprintf(body, sizeof(body), "{\"payer\":\"%c-%d\"}", "ABCD"[i % 4],
                 i / 4 % 30 + 1);
        snprintf(key, sizeof(key), "bench-reads-%d-%d", (int)getpid(), i);
        id = post(c, "/v1/intents", body, key);
        if (id > 0)
            ids[nint++] = id;
    }
    if (nint < CANCELS) {
        printf("long polls: only %d intents\n", nint);
        return;
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    polls = getenv("BENCH_POLLS") ? atoi(getenv("BENCH_POLLS")) : POLLS;
    if (polls < nint || polls > POLLS)
        polls = POLLS;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)polls + 512)
        polls = (int)rl.rlim_cur - 512; /* the server's limit is the same */
    nchild = (polls + PER_CHILD - 1) / PER_CHILD;
    woke = mmap(NULL, (size_t)polls * sizeof(double), PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (woke == MAP_FAILED || pipe(ready) != 0 || pipe(quit) != 0)
        return;
    memset(woke, 0, (size_t)polls * sizeof(double));
    rss0 = rss_kb(server_pid);
    t0 = now_s();
    for (i = 0; i < nchild; i++) { /* side by side */
        int from = i * PER_CHILD,
            to = from + PER_CHILD < polls ? from + PER_CHILD : polls;

        kids[i] = fork();
        if (kids[i] == 0) {
            close(quit[1]);
            poller(from, to, ids, nint, woke, ready[1], quit[0]);
            _exit(0);
        }
    }
    for (i = 0; i < nchild; i++) {
        int n = 0;

        if (read(ready[0], &n, sizeof(n)) == sizeof(n))
            opened += n;
    }
    close(quit[0]);
    t1 = now_s();
    while (now_s() - t1 < 20 && (waiting = waiting_now()) < opened)
        usleep(100000);
    usleep(300000);
    rss1 = rss_kb(server_pid);
    if (waiting < 0) /* no metrics listener answered: count what was sent */
        waiting = opened;
    printf("long polls: %d opened (each after one answer on its "
           "connection), %ld suspended (in %.1f s)%s\n",
           opened, waiting, now_s() - t0,
           polls < POLLS && getenv("BENCH_POLLS") == NULL
               ? " -- limited by this machine's open-file limit (ulimit -Hn)"
               : "");
    printf("server RSS: %ld KiB idle, %ld KiB with %ld waiting long polls "
           "(%.2f KiB each)\n",
           rss0, rss1, waiting,
           waiting > 0 ? (double)(rss1 - rss0) / (double)waiting : 0.0);
    if (waiting > 0 && waiting < POLLS)
        printf(
            "server RSS at %d waiting long polls (projected from the "
            "cost of each): %.0f MiB\n",
            POLLS,
            ((double)rss0 + (double)(rss1 - rss0) / (double)waiting * POLLS) /
                1024.0);
    else if (waiting >= POLLS)
        printf("server RSS at %d waiting long polls: %.0f MiB\n", POLLS,
               (double)rss1 / 1024.0);
    /* cancel CANCELS intents one after another; every waiter of each
       hears it */
    for (i = 0; i < CANCELS; i++) {
        snprintf(path, sizeof(path), "/v1/intents/%lld/cancel",
                 (long long)ids[i]);
        t_cancel[i] = now_s();
        post(c, path, "", NULL);
        usleep(20000);
    }
    usleep(1000000);
    lat = calloc((size_t)polls, sizeof(double));
    for (i = 0; i < polls; i++)
        if (i % nint < CANCELS && woke[i] > 0)
            lat[n_lat++] = woke[i] - t_cancel[i % nint];
    qsort(lat, n_lat, sizeof(double), cmp_d);
    if (n_lat > 0)
        printf("wake-up, cancel -> waiting client: %zu waiters of %d "
               "intents, p50 %.2f ms, p99 %.2f ms, max %.2f ms (from the "
               "cancel request's start, %d polls waiting)\n",
               n_lat, CANCELS, lat[n_lat / 2] * 1e3,
               lat[n_lat * 99 / 100] * 1e3, lat[n_lat - 1] * 1e3, opened);
    close(quit[1]);
    for (i = 0; i < nchild; i++)
        waitpid(kids[i], NULL, 0);
    free(lat);
    munmap(woke, (size_t)polls * sizeof(double));
    curl_easy_cleanup(c);
}

int main(void)
{
    char bin[512], *slash;
    struct rlimit rl;
    ssize_t n;
    /* the server's own default unless BENCH_THREADS says otherwise */
    const char *threads = getenv("BENCH_THREADS");

    signal(SIGPIPE, SIG_IGN);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        /* room for every poll on both ends where the system lets this
           process raise its hard limit (root, as the systemd unit's
           LimitNOFILE does for the server); else as many as it may */
        struct rlimit want = {POLLS + 1024, POLLS + 1024};

        if (rl.rlim_max >= want.rlim_max ||
            setrlimit(RLIMIT_NOFILE, &want) != 0) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    if (system("command -v wrk >/dev/null && command -v nginx >/dev/null") !=
        0) {
        fprintf(stderr, "bench_reads: needs wrk and nginx (make deps)\n");
        return 1;
    }
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
    if (start_server(bin, threads) != 0) {
        fprintf(stderr, "bench_reads: cannot start %s\n", bin);
        return 1;
    }
    printf("chopay-server %s (demo data, SQLite WAL, %s MHD threads), "
           "client, server and nginx on this machine (%ld CPUs)\n",
           base, threads ? threads : "the default 4",
           sysconf(_SC_NPROCESSORS_ONLN));
    if (getenv("BENCH_LONGPOLLS_ONLY") == NULL)
        reads();
    if (getenv("BENCH_READS_ONLY") == NULL)
        longpolls();
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    curl_global_cleanup();
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_reads: could not remove %s\n", dir);
    }
    return 0;
}
