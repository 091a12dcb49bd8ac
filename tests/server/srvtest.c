/*
 * srvtest.c: process and HTTP helpers for the server integration tests
 * (fork/exec of the real chopay-server, libcurl easy requests).
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "srvtest.h"

#ifndef SERVER_BIN
#define SERVER_BIN "build/bin/chopay-server"
#endif

double st_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *st_server_bin(void)
{
    const char *e = getenv("CHOPAY_SERVER");

    return e && *e ? e : SERVER_BIN;
}

int st_tmpdir(char *out)
{
    const char *t = getenv("TMPDIR");

    snprintf(out, 256, "%s/chopay-srv-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(out) ? 0 : -1;
}

static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
    const char *av[40];
    pid_t pid;
    int i;

    av[0] = st_server_bin();
    for (i = 0; argv[i] && i < 38; i++)
        av[i + 1] = argv[i];
    av[i + 1] = NULL;
    pid = fork();
    if (pid == 0) {
        int dn = open("/dev/null", O_RDWR);

        if (out_fd >= 0)
            dup2(out_fd, 1);
        if (err_fd >= 0)
            dup2(err_fd, 2);
        else if (dn >= 0)
            dup2(dn, 2);
        if (dn >= 0)
            dup2(dn, 0);
        execv(av[0], (char *const *)av);
        _exit(127);
    }
    return pid;
}

int st_run(char *out, size_t cap, const char *const *argv)
{
    int p[2], status = 0;
    size_t n = 0;
    pid_t pid;
    char buf[4096];
    ssize_t k;

    if (pipe(p) != 0)
        return -1;
    pid = spawn(argv, p[1], -1);
    close(p[1]);
    while ((k = read(p[0], buf, sizeof(buf))) > 0) {
        if (out != NULL && n + (size_t)k < cap) {
            memcpy(out + n, buf, (size_t)k);
            n += (size_t)k;
        }
    }
    close(p[0]);
    if (out != NULL && cap > 0)
        out[n < cap ? n : cap - 1] = '\0';
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int st_start(struct srvt *s, const char *dir, const char *const *extra)
{
    const char *argv[40] = {"serve", "--listen", "127.0.0.1:0", "--data-dir",
                            dir};
    char path[300], logp[300], line[128];
    int i, n = 5, logfd;
    double t0 = st_now();

    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "%s", dir);
    for (i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    snprintf(path, sizeof(path), "%s/server.addr", dir);
    unlink(path);
    snprintf(logp, sizeof(logp), "%s/server.log", dir);
    logfd = open(logp, O_WRONLY | O_CREAT | O_APPEND, 0600);
    s->pid = spawn(argv, -1, logfd);
    if (logfd >= 0)
        close(logfd);
    if (s->pid < 0)
        return -1;
    while (st_now() - t0 < 20) {
        FILE *f = fopen(path, "r");

        if (f != NULL) {
            if (fgets(line, sizeof(line), f) != NULL) {
                line[strcspn(line, "\r\n")] = '\0';
                snprintf(s->base, sizeof(s->base), "http://%.50s", line);
                fclose(f);
                return 0;
            }
            fclose(f);
        }
        if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
            s->pid = 0;
            return -1;
        }
        usleep(20000);
    }
    st_kill(s);
    return -1;
}

int st_stop(struct srvt *s)
{
    int status = 0;

    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    if (waitpid(s->pid, &status, 0) != s->pid)
        return -1;
    s->pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
                  struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void st_rmtree(const char *dir)
{
    if (strncmp(dir, "/tmp/", 5) == 0 || getenv("TMPDIR") != NULL)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void st_kill(struct srvt *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    char *nb = realloc(r->body, r->len + sz * n + 1);

    if (nb == NULL)
        return 0;
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = '\0';
    return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = sz * n;
    char line[256];

    if (len >= sizeof(line))
        return len;
    memcpy(line, p, len);
    line[len] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "ETag: ", 6) == 0)
        snprintf(r->etag, sizeof(r->etag), "%.76s", line + 6);
    else if (strncasecmp(line, "Allow: ", 7) == 0)
        snprintf(r->allow, sizeof(r->allow), "%.60s", line + 7);
    else if (strncasecmp(line, "Idempotent-Replayed: true", 25) == 0)
        r->replayed = 1;
    return len;
}

struct resp st_http(const struct srvt *s, const char *method, const char *path,
                    const char *token, const char *const *hdrs,
                    const char *body, size_t body_len)
{
    struct resp r;
    struct curl_slist *h = NULL;
    char url[512], auth[400];
    CURL *c = curl_easy_init();
    double t0 = st_now();
    int i;

    memset(&r, 0, sizeof(r));
    if (c == NULL)
        return r;
    snprintf(url, sizeof(url), "%s%s", s->base, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 90L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    for (i = 0; hdrs && hdrs[i]; i++)
        h = curl_slist_append(h, hdrs[i]);
    if (body != NULL) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (r.body != NULL)
        r.json = json_loadb(r.body, r.len, 0, NULL);
    r.secs = st_now() - t0;
    return r;
}

struct resp st_get(const struct srvt *s, const char *path, const char *token)
{
    return st_http(s, "GET", path, token, NULL, NULL, 0);
}

struct resp st_send(const struct srvt *s, const char *method, const char *path,
                    const char *token, const char *idem, const char *json)
{
    char ih[200];
    const char *h[2] = {NULL, NULL};

    if (idem != NULL) {
        snprintf(ih, sizeof(ih), "Idempotency-Key: %s", idem);
        h[0] = ih;
    }
    return st_http(s, method, path, token, h, json, json ? strlen(json) : 0);
}

const char *resp_err(const struct resp *r)
{
    const char *c = json_string_value(
        json_object_get(json_object_get(r->json, "error"), "code"));

    return c ? c : "";
}

void resp_free(struct resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

void st_last_line(const char *text, char *out, size_t cap)
{
    const char *end = text + strlen(text), *start;

    while (end > text && (end[-1] == '\n' || end[-1] == ' '))
        end--;
    start = end;
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(out, cap, "%.*s", (int)(end - start), start);
}
