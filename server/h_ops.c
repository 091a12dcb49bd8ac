/*
 * h_ops.c: operations endpoints: /healthz (the store answers reads, a
 * small write reaches the disk, journal recovery is done) and /metrics
 * (Prometheus text: requests and latency by route, intents by status,
 * payments by method, waiting long polls).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "db/db.h"

/* Seconds between two write probes; probes in between reuse the result. */
#define PROBE_EVERY_US 2000000

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Write and fsync 512 bytes to a new file and rename it over
 * DIR/.chopay-health: the write needs a free block while the previous
 * probe still holds its own, so a full disk fails it. 0, or an errno
 * with the failing step in `what` (cap bytes; `label` names DIR there,
 * never its path, as /healthz is public).
 */
static int probe_dir(const char *dir, const char *label, char *what, size_t cap)
{
    static const char block[512] = "chopay-server write probe\n";
    char path[700], tmp[710];
    int fd, err = 0;

    snprintf(path, sizeof(path), "%s/.chopay-health", dir);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno;
        snprintf(what, cap, "creating a file in the %s", label);
        return err;
    }
    errno = 0;
    if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block)) {
        err = errno ? errno : ENOSPC;
        snprintf(what, cap, "writing in the %s", label);
    } else if (fsync(fd) != 0) {
        err = errno;
        snprintf(what, cap, "fsync in the %s", label);
    }
    close(fd);
    if (err == 0 && rename(tmp, path) != 0) {
        err = errno;
        snprintf(what, cap, "renaming in the %s", label);
    }
    if (err != 0)
        unlink(tmp);
    return err;
}

/*
 * The directory of an SQLite database URL ("sqlite:DIR/chopay.db") into
 * `dir`; "" when it is not a file path (a PostgreSQL database has none).
 */
static void db_dir(const char *url, char *dir, size_t cap)
{
    const char *p = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
    const char *slash = strrchr(p, '/');

    dir[0] = '\0';
    if (db_url_backend(url) != DB_SQLITE || strncmp(p, "file:", 5) == 0 ||
        strcmp(p, ":memory:") == 0)
        return;
    if (slash == NULL)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", (int)(slash - p), p);
}

/*
 * Probe the data directory and the database's directory with a small
 * write, at most once per PROBE_EVERY_US: 0 or the errno (`what` says
 * where).
 */
static int write_probe(struct srv *s, char *what, size_t cap)
{
    struct srv_health *h = &s->hp;
    int64_t t = mono_us();
    int err;

    pthread_mutex_lock(&h->mu);
    if (h->at_us == 0 || t - h->at_us >= PROBE_EVERY_US) {
        char dir[600];

        h->what[0] = '\0';
        h->err = probe_dir(s->cfg.data_dir, "data directory", h->what,
                           sizeof(h->what));
        db_dir(s->cfg.db, dir, sizeof(dir));
        if (h->err == 0 && dir[0] != '\0' && strcmp(dir, s->cfg.data_dir) != 0)
            h->err =
                probe_dir(dir, "database directory", h->what, sizeof(h->what));
        h->at_us = t;
    }
    err = h->err;
    snprintf(what, cap, "%s", h->what);
    pthread_mutex_unlock(&h->mu);
    return err;
}

enum MHD_Result h_healthz(struct req *r)
{
    enum MHD_Result res;
    struct store_stats stats;
    char what[96], reason[200];
    int rc, err;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    rc = r->s->st->ops->stats(r->s->st, &stats);
    if (rc != 0)
        return api_store_error(r, rc);
    store_stats_free(&stats);
    err = write_probe(r->s, what, sizeof(what));
    if (err != 0) {
        char eb[80];

        snprintf(reason, sizeof(reason), "writes fail: %s: %s", what,
                 strerror_r(err, eb, sizeof(eb)));
    } else if (atomic_load(&r->s->recovering))
        snprintf(reason, sizeof(reason),
                 "journal recovery failed; retrying (see the log)");
    else
        return api_reply_json(r, 200,
                              json_pack("{s:s, s:I}", "status", "ok", "waiting",
                                        (json_int_t)notify_waiting(r->s->nt)));
    /* reads (dues, directory) still work; writes are refused with 503 */
    return api_reply_json(r, 503,
                          json_pack("{s:s, s:s, s:I}", "status", "degraded",
                                    "reason", reason, "waiting",
                                    (json_int_t)notify_waiting(r->s->nt)));
}

enum MHD_Result h_metrics(struct req *r)
{
    enum MHD_Result res;
    size_t len = 0;
    char *text;

    if (api_query_check(r, NULL, &res) != 0)
        return res;
    text = srv_metrics_text(r->s, &len);
    if (text == NULL)
        return api_error(r, 503, "unavailable", "no metrics");
    res = api_reply_text(r, 200, "text/plain; version=0.0.4", text, len);
    free(text);
    return res;
}
