/*
 * srvtest.c: process and HTTP helpers for the server integration tests
 * (fork/exec of the real chopay-server, libcurl easy requests).
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
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

/*
 * With CHOPAY_TEST_PG set (a libpq URL of a PostgreSQL server), each data
 * directory's database is a PostgreSQL database of its own there instead
 * of DIR/chopay.db: "chopay_" and a hash of the directory's absolute
 * path, created on first use. Every server and command the tests run
 * gets it as --db, and st_db_url answers it.
 */

/* The PostgreSQL URL of CHOPAY_TEST_PG, or NULL when the tests use
 * SQLite. */
static const char *pg_base(void)
{
    const char *e = getenv("CHOPAY_TEST_PG");

    return e != NULL && *e != '\0' ? e : NULL;
}

/* The absolute spelling of `dir` (which need not exist yet) into out. */
static void abs_dir(const char *dir, char *out, size_t cap)
{
    char buf[PATH_MAX], parent[PATH_MAX];
    const char *slash;

    if (realpath(dir, buf) != NULL) {
        snprintf(out, cap, "%s", buf);
        return;
    }
    slash = strrchr(dir, '/');
    snprintf(parent, sizeof(parent), "%.*s",
             slash == NULL ? 1 : (int)(slash - dir), slash == NULL ? "." : dir);
    if (realpath(*parent != '\0' ? parent : "/", buf) == NULL ||
        snprintf(out, cap, "%s/%s", buf, slash == NULL ? dir : slash + 1) >=
            (int)cap)
        snprintf(out, cap, "%s", dir);
}

/* The name of data directory `dir`'s PostgreSQL database into out. */
static void pg_name(const char *dir, char *out, size_t cap)
{
    char path[PATH_MAX];
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    const unsigned char *p;
    size_t n;

    abs_dir(dir, path, sizeof(path));
    n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    for (p = (const unsigned char *)path; *p != '\0'; p++)
        h = (h ^ *p) * 1099511628211u;
    snprintf(out, cap, "chopay_%016llx", (unsigned long long)h);
}

/* `base` with its database set to `name` into out. */
static void pg_url(const char *base, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s%cdbname=%s", base,
             strchr(base, '?') != NULL ? '&' : '?', name);
}

/* Create database `name` on CHOPAY_TEST_PG unless it is there: 0 or -1
 * with the reason on stderr. */
static int pg_create(const char *name)
{
    static char made[64][32];
    static int n_made;
    char sql[128], err[256];
    struct db *db = NULL;
    struct db_stmt *st;
    int i, rc = -1;

    for (i = 0; i < n_made; i++)
        if (strcmp(made[i], name) == 0)
            return 0;
    if (db_open(pg_base(), 0, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "CHOPAY_TEST_PG: %s\n", err);
        return -1;
    }
    st = db_prepare(db, "SELECT count(*) FROM pg_database WHERE datname = ?1");
    if (st != NULL) {
        db_bind_text(st, 1, name);
        if (db_step(st) == 1)
            rc = (int)db_column_int64(st, 0);
        db_finalize(st);
    }
    if (rc == 0) {
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
        rc = db_exec(db, sql) == 0 ? 1 : -1;
    }
    if (rc < 0)
        fprintf(stderr, "CHOPAY_TEST_PG: database %s: %s\n", name,
                db_errmsg(db));
    db_close(db);
    if (rc < 0)
        return -1;
    if (n_made < 64)
        snprintf(made[n_made++], sizeof(made[0]), "%s", name);
    return 0;
}

/* The PostgreSQL URL of data directory `dir`'s database into out,
 * creating the database on first use. 0 or -1. */
static int pg_dir_url(const char *dir, char *out, size_t cap)
{
    char name[32];

    pg_name(dir, name, sizeof(name));
    pg_url(pg_base(), name, out, cap);
    return pg_create(name);
}

static pid_t spawn(const char *const *argv, int out_fd, int err_fd)
{
    const char *av[42], *dir = NULL;
    char db_url[1024];
    pid_t pid;
    int i, has_db = 0;

    av[0] = st_server_bin();
    for (i = 0; argv[i] && i < 38; i++) {
        av[i + 1] = argv[i];
        if (strcmp(argv[i], "--data-dir") == 0 && argv[i + 1] != NULL)
            dir = argv[i + 1];
        if (strcmp(argv[i], "--db") == 0)
            has_db = 1;
    }
    if (pg_base() != NULL && dir != NULL && !has_db) {
        if (pg_dir_url(dir, db_url, sizeof(db_url)) != 0)
            return -1;
        av[++i] = "--db";
        av[++i] = db_url;
    }
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

/* ---- bank tests ---------------------------------------------------------- */

int st_bank_config(const char *dir, char *path, size_t cap)
{
    FILE *f;

    snprintf(path, cap, "%s/chopay.ini", dir);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fprintf(f,
            "[server]\nrate = 100000\nburst = 100000\n"
            "\n[bank.MKT]\n"
            "sepay_api_key = %s\nsepay_hmac_secret = %s\n"
            "casso_key = %s\ncasso_secure_token = %s\n"
            "payos_checksum_key = %s\ngeneric_secret = %s\n"
            "\n[bank.PAY]\npayos_checksum_key = %s\n",
            ST_SEPAY_KEY, ST_SEPAY_HMAC, ST_CASSO_KEY, ST_CASSO_TOKEN,
            ST_PAYOS_KEY, ST_GENERIC_KEY, ST_PAYOS_KEY);
    return fclose(f) == 0 ? 0 : -1;
}

int st_sign(const char *kind, const char *key, const char *ts, const char *body,
            char *out, size_t cap)
{
    char tmp[] = "/tmp/chopay-sign-XXXXXX", cmd[1024];
    size_t n = 0, got;
    FILE *p;
    int fd = mkstemp(tmp);

    if (fd < 0)
        return -1;
    if (write(fd, body, strlen(body)) != (ssize_t)strlen(body)) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (strcmp(kind, "payos") == 0)
        snprintf(cmd, sizeof(cmd),
                 "python3 tests/server/sign_webhook.py payos '%s' %s", key,
                 tmp);
    else
        snprintf(cmd, sizeof(cmd),
                 "python3 tests/server/sign_webhook.py %s '%s' %s %s", kind,
                 key, ts, tmp);
    p = popen(cmd, "r");
    if (p == NULL) {
        unlink(tmp);
        return -1;
    }
    while (n + 1 < cap && (got = fread(out + n, 1, cap - n - 1, p)) > 0)
        n += got;
    out[n] = '\0';
    unlink(tmp);
    if (pclose(p) != 0)
        return -1;
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return n > 0 ? 0 : -1;
}

static int last_key(struct srvt *s, const char *const *argv, char *out)
{
    char buf[2048];
    int rc = st_run(buf, sizeof(buf), argv);

    (void)s;
    st_last_line(buf, out, 128);
    return rc;
}

static int send_ok(struct srvt *s, const char *tok, const char *path,
                   const char *json)
{
    struct resp r = st_send(s, "POST", path, tok, NULL, json);
    int ok = r.status == 201 || r.status == 200;

    if (!ok)
        fprintf(stderr, "setup %s: %ld %s\n", path, r.status,
                r.body ? r.body : "");
    resp_free(&r);
    return ok ? 0 : -1;
}

int st_bank_world(struct srvt *s, char *admin, char *kiosk)
{
    static const char *const names[] = {"Nguyễn Thị Lan",    "Trần Văn Bình",
                                        "Lê Thị Hồng Nhung", "Phạm Đức Thắng",
                                        "Đỗ Minh Khôi",      "Hoàng Thị Mai"};
    const char *adm[] = {"token",      "add",  "--role", "admin",
                         "--data-dir", s->dir, NULL};
    const char *km[] = {"kiosk", "add",        "--org", "MKT", "--name",
                        "Cổng",  "--data-dir", s->dir,  NULL};
    char body[512];
    int i;

    if (last_key(s, adm, admin) != 0)
        return -1;
    if (send_ok(s, admin, "/v1/orgs",
                "{\"code\":\"MKT\",\"kind\":\"market\",\"name\":\"Chợ Bến "
                "Thành\",\"bank_bin\":\"970436\",\"account\":\"" ST_MKT_ACCOUNT
                "\",\"account_name\":\"BAN QUAN LY CHO\",\"prefix\":\"CT\"}"))
        return -1;
    if (last_key(s, km, kiosk) != 0)
        return -1;
    for (i = 0; i < 6; i++) {
        snprintf(body, sizeof(body),
                 "{\"code\":\"A-%d\",\"name\":\"%s\",\"zone\":\"A\","
                 "\"category\":\"A\"}",
                 i + 1, names[i]);
        if (send_ok(s, admin, "/v1/orgs/MKT/payers", body))
            return -1;
    }
    if (send_ok(s, admin, "/v1/orgs/MKT/fees",
                "{\"code\":\"THUE-A\",\"label\":\"Tiền thuê sạp khu A\","
                "\"kind\":\"monthly\",\"category\":\"A\",\"amount\":500000}") ||
        send_ok(s, admin, "/v1/orgs/MKT/invoices/generate",
                "{\"period\":\"2026-10\"}") ||
        send_ok(s, admin, "/v1/orgs/MKT/invoices/generate",
                "{\"period\":\"2026-11\"}"))
        return -1;
    return 0;
}

int st_intent(struct srvt *s, const char *kiosk, const char *payer,
              const char *idem, char *code, long long *id, long long *amount)
{
    char body[128];
    struct resp r;
    int rc = -1;

    snprintf(body, sizeof(body), "{\"payer\":\"%s\",\"invoices\":\"all\"}",
             payer);
    r = st_send(s, "POST", "/v1/intents", kiosk, idem, body);
    if (r.status == 201 && r.json != NULL) {
        snprintf(code, 16, "%s",
                 json_string_value(json_object_get(r.json, "code")));
        *id = json_integer_value(json_object_get(r.json, "id"));
        *amount = json_integer_value(json_object_get(r.json, "amount"));
        rc = 0;
    } else {
        fprintf(stderr, "intent %s: %ld %s\n", payer, r.status,
                r.body ? r.body : "");
    }
    resp_free(&r);
    return rc;
}

int st_check(const char *dir, char *out, size_t cap)
{
    const char *argv[] = {"check", "--data-dir", dir, NULL};
    char buf[4096];
    int rc = st_run(buf, sizeof(buf), argv);

    if (rc != 0)
        fprintf(stderr, "chopay-server check %s: exit %d\n%s", dir, rc, buf);
    if (out != NULL && cap > 0)
        snprintf(out, cap, "%s", buf);
    return rc;
}

json_t *st_list(const struct srvt *s, const char *token, const char *path,
                const char *key)
{
    json_t *all = json_array();
    long long after = 0;
    char url[1024];

    for (;;) {
        struct resp r;
        json_t *page, *e;
        size_t i, n;

        snprintf(url, sizeof(url), "%s%climit=1000&after=%lld", path,
                 strchr(path, '?') ? '&' : '?', after);
        r = st_get(s, url, token);
        page = json_object_get(r.json, key);
        if (r.status != 200 || !json_is_array(page)) {
            fprintf(stderr, "GET %s: %ld %s\n", url, r.status,
                    r.body ? r.body : "");
            resp_free(&r);
            json_decref(all);
            return NULL;
        }
        n = json_array_size(page);
        json_array_foreach(page, i, e)
        {
            after = json_integer_value(json_object_get(e, "id"));
            json_array_append(all, e);
        }
        resp_free(&r);
        if (n < 1000)
            return all;
    }
}

/* 1 when `v` satisfies `op` ('=' equal, '^' starts with, '~' holds)
 * with `want` (`len` bytes). */
static int value_matches(json_t *v, char op, const char *want, size_t len)
{
    char num[32];
    const char *have = num;

    if (json_is_string(v))
        have = json_string_value(v);
    else if (json_is_integer(v))
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
    else if (json_is_null(v))
        snprintf(num, sizeof(num), "null");
    else
        return 0;
    if (op == '^')
        return strncmp(have, want, len) == 0;
    if (op == '~') {
        char *w = strndup(want, len);
        int hit = w != NULL && strstr(have, w) != NULL;

        free(w);
        return hit;
    }
    return strlen(have) == len && strncmp(have, want, len) == 0;
}

/* 1 when object `e` meets every condition of `where` (see st_count). */
static int element_matches(json_t *e, const char *where)
{
    while (where != NULL && *where) {
        size_t n = strcspn(where, "&"), k = strcspn(where, "=^~!");
        char field[64], op = where[k];
        const char *val = where + k + 1;
        int hit;

        if (k >= n || k >= sizeof(field))
            return 0;
        if (op != '=') {
            if (*val != '=')
                return 0;
            val++;
        }
        snprintf(field, sizeof(field), "%.*s", (int)k, where);
        hit = value_matches(json_object_get(e, field), op == '!' ? '=' : op,
                            val, (size_t)(where + n - val));
        if (hit != (op != '!'))
            return 0;
        where += n + (where[n] == '&');
    }
    return 1;
}

long long st_count(json_t *arr, const char *where)
{
    long long n = 0;
    json_t *e;
    size_t i;

    if (arr == NULL)
        return -1;
    json_array_foreach(arr, i, e) n += element_matches(e, where);
    return n;
}

long long st_sum(json_t *arr, const char *field, const char *where)
{
    long long sum = 0;
    json_t *e;
    size_t i;

    if (arr == NULL)
        return -1;
    json_array_foreach(arr, i, e) if (element_matches(e, where)) sum +=
        json_integer_value(json_object_get(e, field));
    return sum;
}

long long st_list_count(const struct srvt *s, const char *token,
                        const char *path, const char *key, const char *where)
{
    json_t *a = st_list(s, token, path, key);
    long long n = st_count(a, where);

    json_decref(a);
    return n;
}

long long st_list_sum(const struct srvt *s, const char *token, const char *path,
                      const char *key, const char *field, const char *where)
{
    json_t *a = st_list(s, token, path, key);
    long long n = st_sum(a, field, where);

    json_decref(a);
    return n;
}

/* The {"entries", "total"} object `chopay-server ARGV --json --limit
 * 1000 --data-dir DIR` prints, or NULL. */
static json_t *cli_json(const char *dir, const char **argv, int n)
{
    size_t cap = 1 << 22;
    char *buf = malloc(cap);
    json_t *j = NULL;
    int rc;

    if (buf == NULL)
        return NULL;
    argv[n++] = "--json";
    argv[n++] = "--limit";
    argv[n++] = "1000";
    argv[n++] = "--data-dir";
    argv[n++] = dir;
    argv[n] = NULL;
    rc = st_run(buf, cap, argv);
    if (rc == 0)
        j = json_loads(buf, 0, NULL);
    if (j == NULL)
        fprintf(stderr, "chopay-server %s %s %s: exit %d\n%.300s\n", argv[0],
                argv[1], dir, rc, buf);
    free(buf);
    return j;
}

json_t *st_journal(const char *dir, const char *state)
{
    const char *argv[16] = {"journal", "list"};
    int n = 2;

    if (state != NULL) {
        argv[n++] = "--state";
        argv[n++] = state;
    }
    return cli_json(dir, argv, n);
}

long long st_journal_count(const char *dir, const char *state,
                           const char *where)
{
    json_t *j = st_journal(dir, state);
    long long n = j ? st_count(json_object_get(j, "entries"), where) : -1;

    json_decref(j);
    return n;
}

long long st_journal_sum(const char *dir, const char *state, const char *field,
                         const char *where)
{
    json_t *j = st_journal(dir, state);
    long long n = j ? st_sum(json_object_get(j, "entries"), field, where) : -1;

    json_decref(j);
    return n;
}

json_t *st_audit(const char *dir, const char *org, const char *action)
{
    const char *argv[16] = {"audit", "list"};
    int n = 2;

    if (org != NULL) {
        argv[n++] = "--org";
        argv[n++] = org;
    }
    if (action != NULL) {
        argv[n++] = "--action";
        argv[n++] = action;
    }
    return cli_json(dir, argv, n);
}

long long st_audit_count(const char *dir, const char *org, const char *action)
{
    json_t *j = st_audit(dir, org, action);
    long long n = st_json_int(j, "total");

    json_decref(j);
    return n;
}

long long st_audit_count_with(const char *dir, const char *action,
                              const char *needle)
{
    json_t *j = st_audit(dir, NULL, action), *e;
    long long n = 0;
    size_t i;

    if (j == NULL)
        return -1;
    json_array_foreach(json_object_get(j, "entries"), i, e)
    {
        char *d = json_dumps(json_object_get(e, "details"), JSON_COMPACT);

        n += d != NULL && strstr(d, needle) != NULL;
        free(d);
    }
    json_decref(j);
    return n;
}

int st_on_pg(void)
{
    return pg_base() != NULL;
}

void st_db_url(const char *dir, char *out, size_t cap)
{
    if (pg_base() != NULL)
        pg_dir_url(dir, out, cap);
    else
        snprintf(out, cap, "sqlite:%s/chopay.db", dir);
}

/* Open `url` (a db.h URL or an SQLite file path) with db_open's
 * `flags`; NULL with the reason on stderr. */
static struct db *sql_open(const char *url, unsigned flags)
{
    struct db *db = NULL;
    char err[256];

    if (db_open(url, flags, &db, err, sizeof(err)) != 0) {
        fprintf(stderr, "st_tamper: %s\n", err);
        return NULL;
    }
    return db;
}

/* Column 0 of the first row of `sql` (one statement) on `db` as an
 * integer (NULL: 0); -1 when there is no row or on failure. */
static long long first_int(struct db *db, const char *sql)
{
    struct db_stmt *st = db_prepare(db, sql);
    long long v = -1;
    int rc;

    if (st == NULL) {
        fprintf(stderr, "st_tamper: %s: %s\n", sql, db_errmsg(db));
        return -1;
    }
    rc = db_step(st);
    if (rc < 0)
        fprintf(stderr, "st_tamper: %s: %s\n", sql, db_errmsg(db));
    else if (rc == 1)
        v = db_column_type(st, 0) == DB_NULL
                ? 0
                : (long long)db_column_int64(st, 0);
    db_finalize(st);
    return v;
}

long long st_tamper(const char *url, const char *sql)
{
    static const char drop[] = "DROP TRIGGER ";
    int pg = strncmp(url, "postgres", 8) == 0, guards_off = 0;
    char *buf = NULL;
    struct db *db;
    long long rc;

    if (strncasecmp(sql, "SELECT", 6) == 0 ||
        strncasecmp(sql, "PRAGMA", 6) == 0) {
        db = sql_open(url, DB_READONLY | DB_NOCREATE);
        if (db == NULL)
            return -1;
        rc = first_int(db, sql);
        db_close(db);
        return rc;
    }
    while (pg && strncmp(sql, drop, sizeof(drop) - 1) == 0) {
        const char *end = strchr(sql, ';');

        if (end == NULL)
            break;
        guards_off = 1;
        sql = end + 1;
        while (*sql == ' ')
            sql++;
    }
    if (guards_off &&
        asprintf(&buf, "SET session_replication_role = replica; %s", sql) < 0)
        return -1;
    db = sql_open(url, 0);
    if (db == NULL) {
        free(buf);
        return -1;
    }
    rc = db_exec(db, buf != NULL ? buf : sql) == 0 ? 0 : -1;
    if (rc != 0)
        fprintf(stderr, "st_tamper: %s: %s\n", sql, db_errmsg(db));
    db_close(db);
    free(buf);
    return rc;
}

int st_simulate_transfer(const struct srvt *s, const char *cfg,
                         const char *code, long long amount, char *out,
                         size_t cap)
{
    char amt[32];
    const char *argv[] = {"simulate",   "transfer", "--org",    "MKT",
                          "--code",     code,       "--amount", amt,
                          "--via",      "sepay",    "--config", cfg,
                          "--data-dir", s->dir,     NULL};

    snprintf(amt, sizeof(amt), "%lld", amount);
    return st_run(out, cap, argv);
}

long long st_json_int(json_t *j, const char *path)
{
    char key[64];

    while (j != NULL && *path) {
        size_t n = strcspn(path, ".");

        snprintf(key, sizeof(key), "%.*s", (int)n, path);
        j = json_object_get(j, key);
        path += n + (path[n] == '.');
    }
    return json_is_integer(j) ? (long long)json_integer_value(j) : -1;
}

int st_log_grep(const struct srvt *s, const char *needle, int *at_start)
{
    char path[300], line[4096];
    int n = 0, first = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/server.log", s->dir);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *hit = strstr(line, needle);

        if (hit != NULL)
            n++;
        if (hit == line)
            first++;
    }
    fclose(f);
    if (at_start != NULL)
        *at_start = first;
    return n;
}
