/*
 * srvtest.h: helpers for chopay-server's integration tests: run the real
 * binary (subcommands, or a server on an ephemeral loopback port with a
 * temporary data directory) and talk to it over HTTP with libcurl.
 */
#ifndef CHOPAY_TEST_SRVTEST_H
#define CHOPAY_TEST_SRVTEST_H

#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

/* A running server. */
struct srvt {
    pid_t pid;     /* child process */
    char dir[256]; /* its data directory */
    char base[64]; /* "http://127.0.0.1:PORT" */
};

/* An HTTP answer. */
struct resp {
    long status;    /* HTTP status, 0 on transport failure */
    char *body;     /* body (NUL-terminated, owned) */
    size_t len;     /* its length */
    json_t *json;   /* parsed body or NULL */
    char etag[80];  /* ETag header */
    char allow[64]; /* Allow header */
    int replayed;   /* Idempotent-Replayed: true */
    double secs;    /* wall time of the exchange */
};

/* Path of the server binary ($CHOPAY_SERVER or the compiled-in one). */
const char *st_server_bin(void);

/* A fresh temporary directory into `out` (256 bytes); 0 or -1. */
int st_tmpdir(char *out);

/*
 * Run the server binary with `argv` (NULL-terminated, without argv[0]);
 * its stdout into `out` (capacity cap, may be NULL). Returns the exit
 * status, or -1.
 */
int st_run(char *out, size_t cap, const char *const *argv);

/*
 * Start "chopay-server serve --listen 127.0.0.1:0 --data-dir DIR" with
 * extra args (may be NULL), wait for DIR/server.addr. 0 or -1.
 */
int st_start(struct srvt *s, const char *dir, const char *const *extra);

/* SIGTERM and wait: returns the exit status (0 = clean, leaks checked). */
int st_stop(struct srvt *s);

/* Remove a test directory tree (after a passing run). */
void st_rmtree(const char *dir);

/* SIGKILL and reap. */
void st_kill(struct srvt *s);

/*
 * One request. `token` may be NULL; `hdrs` NULL-terminated extra header
 * lines (may be NULL); `body` may be NULL. Free with resp_free().
 */
struct resp st_http(const struct srvt *s, const char *method, const char *path,
                    const char *token, const char *const *hdrs,
                    const char *body, size_t body_len);

/* Shorthands: GET, and POST/PATCH of a JSON string. */
struct resp st_get(const struct srvt *s, const char *path, const char *token);
struct resp st_send(const struct srvt *s, const char *method, const char *path,
                    const char *token, const char *idem, const char *json);

/* The error code of an error body, or "". */
const char *resp_err(const struct resp *r);

void resp_free(struct resp *r);

/* Last line of `text` (trimmed) into out. */
void st_last_line(const char *text, char *out, size_t cap);

/* Monotonic seconds. */
double st_now(void);

#endif
