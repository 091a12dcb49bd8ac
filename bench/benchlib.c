/* benchlib.c: helpers the server benchmarks share (benchlib.h). */
#define _GNU_SOURCE
#include "benchlib.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

size_t discard(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

size_t keep_body(char *p, size_t sz, size_t n, void *ud)
{
    struct body *b = ud;
    size_t k = sz * n,
           c = k < sizeof(b->s) - b->n - 1 ? k : sizeof(b->s) - b->n - 1;

    memcpy(b->s + b->n, p, c);
    b->n += c;
    b->s[b->n] = '\0';
    return k;
}

long rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    fclose(f);
    return kb;
}

int demo_server_start(const char *bin, const char *dir, const char *ini,
                      pid_t *pid, char *base, size_t cap)
{
    char conf[300], addr[300], line[128];
    const char *argv[] = {bin,           "--demo",     "--listen",
                          "127.0.0.1:0", "--data-dir", dir,
                          "--config",    conf,         NULL};
    double t0 = now_s();
    FILE *f;

    *pid = 0;
    snprintf(conf, sizeof(conf), "%s/bench.ini", dir);
    f = fopen(conf, "w");
    if (f == NULL)
        return -1;
    fputs(ini, f);
    fclose(f);
    snprintf(addr, sizeof(addr), "%s/server.addr", dir);
    *pid = fork();
    if (*pid == 0) {
        int dn = open("/dev/null", O_WRONLY);

        dup2(dn, 1);
        dup2(dn, 2);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    if (*pid < 0) {
        *pid = 0;
        return -1;
    }
    while (now_s() - t0 < 60) {
        f = fopen(addr, "r");
        if (f != NULL) {
            if (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                snprintf(base, cap, "http://%.50s", line);
                fclose(f);
                return 0;
            }
            fclose(f);
        }
        if (waitpid(*pid, NULL, WNOHANG) == *pid)
            return -1;
        usleep(20000);
    }
    return -1;
}

int demo_kiosk_key(const char *dir, char *out, size_t cap)
{
    char path[300];
    const char *k;
    json_t *j;

    snprintf(path, sizeof(path), "%s/demo-credentials.json", dir);
    j = json_load_file(path, 0, NULL);
    k = json_string_value(
        json_object_get(json_object_get(j, "kiosks"), "CHO-TT"));
    snprintf(out, cap, "%s", k ? k : "");
    json_decref(j);
    return out[0] ? 0 : -1;
}

int demo_intents(const char *base, const char *kiosk, const char *idem,
                 char (*codes)[16], int n)
{
    char url[128], body[128], auth[200], key[120];
    CURL *c = curl_easy_init();
    int i;

    if (c == NULL)
        return -1;
    snprintf(url, sizeof(url), "%s/v1/intents", base);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", kiosk);
    for (i = 0; i < n; i++) {
        struct curl_slist *h = NULL;
        struct body b = {"", 0};
        const char *code;
        json_t *r;

        snprintf(body, sizeof(body),
                 "{\"payer\":\"%c-%d\",\"invoices\":\"all\"}",
                 "ABCD"[i / 30 % 4], i % 30 + 1);
        snprintf(key, sizeof(key), "Idempotency-Key: %s%d", idem, i);
        h = curl_slist_append(h, auth);
        h = curl_slist_append(h, key);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_perform(c);
        curl_slist_free_all(h);
        r = json_loads(b.s, 0, NULL);
        code = json_string_value(json_object_get(r, "code"));
        snprintf(codes[i], sizeof(codes[i]), "%s", code ? code : "");
        json_decref(r);
        if (codes[i][0] == '\0') {
            fprintf(stderr, "intent %d: %s\n", i, b.s);
            curl_easy_cleanup(c);
            return -1;
        }
    }
    curl_easy_cleanup(c);
    return 0;
}

uint16_t bench_free_port(void)
{
    struct sockaddr_in a;
    socklen_t l = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    uint16_t p = 0;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &l) == 0)
        p = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return p;
}
