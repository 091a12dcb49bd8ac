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

/* ---- bank tests (test_bank*.c) ---- */

/* Secrets of the [bank.MKT] section st_bank_config writes. */
#define ST_SEPAY_KEY   "sepay-test-apikey-2026"
#define ST_SEPAY_HMAC  "sepay-test-secret-2026"
#define ST_CASSO_KEY   "casso-checksum-key-Chợ-4.0"
#define ST_CASSO_TOKEN "casso-v1-secure-token"
#define ST_PAYOS_KEY                                                           \
    "1a54716c8f0efb2744fb28b6e38b25da7f67a925d98bc1c18bd8faaecadd7675"
#define ST_GENERIC_KEY "chopay-generic-secret"
#define ST_MKT_ACCOUNT "1023456789"

/* Write DIR/chopay.ini with [bank.MKT] secrets (and [bank.PAY] with the
 * payOS key of tests/data/feeds/vectors.txt); its path into `path`. */
int st_bank_config(const char *dir, char *path, size_t cap);

/*
 * Sign `body` outside the code under test (tests/server/sign_webhook.py:
 * Python hmac/json): kind "sepay"/"generic" (HMAC-SHA256 of ts.body),
 * "casso" (HMAC-SHA512 of t.canonical JSON), "payos" (the body re-written
 * with its signature). Output (trimmed) into out. 0 or -1.
 */
int st_sign(const char *kind, const char *key, const char *ts, const char *body,
            char *out, size_t cap);

/*
 * The market world of the bank tests on a running server: org MKT
 * (account ST_MKT_ACCOUNT, prefix CT), payers A-1..A-6, monthly rent
 * 500000 for 2026-10 and 2026-11, an admin token and a kiosk key (128
 * bytes each). 0 or -1.
 */
int st_bank_world(struct srvt *s, char *admin, char *kiosk);

/* Create an intent for `payer` (all dues); its code (16) and id. */
int st_intent(struct srvt *s, const char *kiosk, const char *payer,
              const char *idem, char *code, long long *id, long long *amount);

/*
 * Run `chopay-server check --data-dir DIR` (read-only; a server may be
 * running on DIR): its output into `out` (cap bytes, may be NULL) and
 * its exit status (0: every ledger invariant holds), or -1. When it is
 * not 0 the output goes to stderr, so a failing test shows which
 * invariant broke.
 */
int st_check(const char *dir, char *out, size_t cap);

/*
 * Lines of the server's log (its stderr, DIR/server.log) that hold
 * `needle`, or -1 when there is no log; *at_start (may be NULL) gets how
 * many of them start with it.
 */
int st_log_grep(const struct srvt *s, const char *needle, int *at_start);

/*
 * Every element of list `key` that GET `path` answers with `token`, all
 * pages read (limit=1000, then after=the last id), as a new array; NULL
 * on failure (the answer on stderr). `path` may carry a query already.
 */
json_t *st_list(const struct srvt *s, const char *token, const char *path,
                const char *key);

/*
 * How many elements of `arr` match `where` (NULL or "": all): conditions
 * joined by '&', each FIELD=VALUE (a string equal, a number or boolean
 * written the same), FIELD!=VALUE (not equal), FIELD^=PREFIX or
 * FIELD~=TEXT (a string starting with or holding it). -1 when `arr` is NULL.
 */
long long st_count(json_t *arr, const char *where);

/* The sum of integer field `field` of the elements of `arr` matching
 * `where` (as st_count), or -1 when `arr` is NULL. */
long long st_sum(json_t *arr, const char *field, const char *where);

/* st_count / st_sum of the list st_list reads (freed after). */
long long st_list_count(const struct srvt *s, const char *token,
                        const char *path, const char *key, const char *where);
long long st_list_sum(const struct srvt *s, const char *token, const char *path,
                      const char *key, const char *field, const char *where);

/*
 * The webhook journal of data directory `dir` through `chopay-server
 * journal list --json` (read-only): entries in state `state` (NULL: any),
 * at most 1000, as the {"entries", "total"} object (caller frees), or
 * NULL on failure.
 */
json_t *st_journal(const char *dir, const char *state);

/* How many of those entries match `where` (st_count), or -1. */
long long st_journal_count(const char *dir, const char *state,
                           const char *where);

/* The sum of integer field `field` of those matching `where`, or -1. */
long long st_journal_sum(const char *dir, const char *state, const char *field,
                         const char *where);

/*
 * The audit entries of data directory `dir` through `chopay-server audit
 * list --json` (read-only; a server may be running on it): organisation
 * `org` and action `action` (each NULL: any), at most 1000. The
 * {"entries", "total"} object (caller frees), or NULL on failure.
 */
json_t *st_audit(const char *dir, const char *org, const char *action);

/* How many audit entries of `dir` st_audit finds, or -1. */
long long st_audit_count(const char *dir, const char *org, const char *action);

/* How many of them hold `needle` in their details' JSON text, or -1. */
long long st_audit_count_with(const char *dir, const char *action,
                              const char *needle);

/* 1 when the tests run on PostgreSQL (CHOPAY_TEST_PG is set), else 0. */
int st_on_pg(void);

/* The URL of the database of data directory `dir` into out (cap bytes):
 * DIR/chopay.db, or with CHOPAY_TEST_PG set, the PostgreSQL database the
 * tests give every server and command run on `dir` (created on first
 * use). */
void st_db_url(const char *dir, char *out, size_t cap);

/*
 * The one way a test touches the database behind the server's back,
 * through db.h (server/db/db.h), so that it names no database library.
 * Only for tests whose subject is the stored rows themselves: they tamper
 * with rows to prove that `check` and `audit verify` find it, try the
 * writes the append-only guards must refuse, plant a state no request can
 * make (an expired session, an older schema, a dump), or look at how a
 * thing is stored (a session only as its hash). Every other test reads
 * and writes through the HTTP API, the command line or store.h.
 *
 * Runs `sql` on `url` (a db.h URL or an SQLite file path; an SQLite file
 * that is not there yet is created). A single statement that returns rows
 * (SELECT, PRAGMA) answers column 0 of its first row as an integer (NULL:
 * 0), -1 when there is no row; statements that return none answer 0. -1
 * on failure, with the database's message on stderr. "DROP TRIGGER name;"
 * statements first set the guards aside, the way someone holding the
 * database's password could: on PostgreSQL they are left out and the
 * session's triggers are off instead (session_replication_role, which
 * the test cluster's superuser may set).
 */
long long st_tamper(const char *url, const char *sql);

/* `chopay-server simulate transfer` of `amount` carrying payment code
 * `code` to organisation MKT of `s`, as SePay notifies it (bank config
 * `cfg`): its exit status, its output into out (cap bytes). */
int st_simulate_transfer(const struct srvt *s, const char *cfg,
                         const char *code, long long amount, char *out,
                         size_t cap);

/* The integer at dotted path `path` ("a.b.c") of `j`, or -1 when there
 * is none there. */
long long st_json_int(json_t *j, const char *path);

#endif
