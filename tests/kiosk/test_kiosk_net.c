/*
 * test_kiosk_net.c: unit tests of the kiosk's HTTP client against a
 * one-shot HTTP responder on a loopback port in this process: what each
 * attempt reports through the status callback (reachable, the status, the
 * server's Date) and that the kiosk pointer only passes through. Ends with
 * "N passed, N failed".
 */
#define _DEFAULT_SOURCE
#include "harness.h"
#include "net.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the callbacks saw. */
struct seen {
    int n_status;           /* status callbacks */
    struct net_status last; /* the last one */
    struct kiosk *status_k; /* the kiosk pointer it was given */
    int done;               /* the request's callback ran */
    long done_status;       /* its HTTP status */
    struct kiosk *done_k;   /* the kiosk pointer it was given */
};
static struct seen seen;

static void on_status(struct kiosk *k, const struct net_status *st)
{
    seen.n_status++;
    seen.last = *st;
    seen.status_k = k;
}

static void on_done(struct kiosk *k, const struct net_result *res, void *ctx)
{
    (void)ctx;
    seen.done = 1;
    seen.done_status = res->status;
    seen.done_k = k;
}

/* A listening socket on 127.0.0.1 (non-blocking); its port in *port. */
static int listen_local(int *port)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, O_NONBLOCK);
    *port = ntohs(a.sin_port);
    return fd;
}

/*
 * Drive `n` until the request's callback ran (at most ~5 s); with
 * `lfd` >= 0, answer the one connection that comes with `reply`.
 */
static void drive(struct net *n, int lfd, const char *reply)
{
    int c = -1, answered = 0;

    for (int i = 0; i < 500 && !seen.done; i++) {
        if (lfd >= 0 && c < 0 && !answered) {
            c = accept(lfd, NULL, NULL);
            if (c >= 0)
                fcntl(c, F_SETFL, O_NONBLOCK);
        }
        if (c >= 0) {
            char buf[2048];
            /* once the request came (curl sends it from net_update) */
            if (read(c, buf, sizeof(buf)) > 0) {
                if (write(c, reply, strlen(reply)) < 0)
                    perror("write");
                close(c);
                c = -1;
                answered = 1;
            }
        }
        net_update(n, (uint32_t)i * 10u + 1u);
        net_wait(n, 10);
    }
    if (c >= 0)
        close(c);
}

static void test_refused_key(struct kiosk *kp)
{
    static const char reply[] =
        "HTTP/1.1 401 Unauthorized\r\n"
        "Date: Sun, 22 Nov 2026 03:00:00 GMT\r\n"
        "Content-Type: application/json\r\n"
        "Content-Length: 55\r\n"
        "Connection: close\r\n\r\n"
        "{\"error\":{\"code\":\"unauthorized\",\"message\":\"bad key!!\"}}";
    struct net_opts o = {
        .method = "GET", .path = "/v1/kiosk/directory", .max_attempts = 1};
    char base[64];
    int port, lfd = listen_local(&port);
    struct net *n;

    CHECK(lfd >= 0);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    n = net_new(base, "k_test", kp);
    CHECK(n != NULL);
    if (!n || lfd < 0)
        return;
    net_on_status(n, on_status);
    memset(&seen, 0, sizeof(seen));
    CHECK_INT(net_request(n, &o, on_done, NULL), 0);
    drive(n, lfd, reply);
    CHECK(seen.done);
    CHECK_INT(seen.done_status, 401);
    CHECK_INT(seen.n_status, 1);
    CHECK_INT(seen.last.online, 1);
    CHECK_INT(seen.last.status, 401);
    /* 2026-11-22T03:00:00Z */
    CHECK_INT(seen.last.server_date, 1795316400);
    CHECK(seen.status_k == kp);
    CHECK(seen.done_k == kp);
    net_free(n);
    close(lfd);
}

static void test_unreachable(struct kiosk *kp)
{
    struct net_opts o = {.method = "GET",
                         .path = "/v1/kiosk/directory",
                         .max_attempts = 1,
                         .timeout_ms = 2000};
    char base[64];
    int port, lfd = listen_local(&port);
    struct net *n;

    /* a port that was listening a moment ago: nobody there now */
    CHECK(lfd >= 0);
    close(lfd);
    snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
    n = net_new(base, "k_test", kp);
    CHECK(n != NULL);
    if (!n)
        return;
    net_on_status(n, on_status);
    memset(&seen, 0, sizeof(seen));
    CHECK_INT(net_request(n, &o, on_done, NULL), 0);
    drive(n, -1, NULL);
    CHECK(seen.done);
    CHECK_INT(seen.n_status, 1);
    CHECK_INT(seen.last.online, 0);
    CHECK_INT(seen.last.status, 0);
    CHECK_INT(seen.last.server_date, 0);
    /* without a status callback the request still completes */
    net_on_status(n, NULL);
    memset(&seen, 0, sizeof(seen));
    CHECK_INT(net_request(n, &o, on_done, NULL), 0);
    drive(n, -1, NULL);
    CHECK(seen.done);
    CHECK_INT(seen.n_status, 0);
    net_free(n);
}

int main(void)
{
    /* never dereferenced by net.c: any address will do */
    static char marker;
    struct kiosk *kp = (struct kiosk *)(void *)&marker;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    test_refused_key(kp);
    test_unreachable(kp);
    net_free(NULL);
    curl_global_cleanup();
    return TEST_END();
}
