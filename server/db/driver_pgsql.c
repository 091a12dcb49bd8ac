/*
 * driver_pgsql.c: the PostgreSQL driver of db.h, on libpq. Parameters
 * written ?N or ? are rewritten to $N once per statement; statements are
 * prepared on the server at their first execution, one variant per
 * signature of parameter types; values travel as text (blobs as binary)
 * and results come back as text. Errors are classed by SQLSTATE, and a
 * write transaction takes one advisory lock shared by every node:
 * exclusive for DB_WRITE, shared for DB_WRITE_SHARED.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db_driver.h"

/*
 * The key of the transaction-scoped advisory lock every write takes: the
 * ASCII bytes of "chopayLG", the ledger's writer lock. Every chopay node
 * writing to the same database uses it. A DB_WRITE holds it exclusively
 * (pg_advisory_xact_lock), so it runs alone; a DB_WRITE_SHARED holds it
 * shared (pg_advisory_xact_lock_shared), beside other shared writers,
 * which serialise among themselves on the keys they pass db_xact_lock.
 */
#define PG_LEDGER_LOCK_KEY INT64_C(0x63686f7061794c47)

/* Type OIDs (PostgreSQL's catalog/pg_type.h; stable since 7.x). */
#define PG_BOOLOID    16
#define PG_BYTEAOID   17
#define PG_INT8OID    20
#define PG_INT2OID    21
#define PG_INT4OID    23
#define PG_TEXTOID    25
#define PG_OIDOID     26
#define PG_NUMERICOID 1700

/* Prepared variants kept per statement (signatures of parameter types);
 * past that, a new signature runs unnamed with PQexecParams. */
#define PG_VARIANTS 4

/* Highest parameter number ($N); PostgreSQL's protocol limit. */
#define PG_MAX_PARAMS 65535

/* Channels one connection listens on (LISTEN again after a reconnect). */
#define PG_LISTENS 8

/* One bound parameter. */
struct pg_param {
    Oid type;     /* INT8, TEXT, BYTEA; 0 for NULL or unbound */
    char *val;    /* the value (text NUL-terminated); NULL for SQL NULL */
    int len;      /* its length in bytes (sent for blobs) */
    char num[24]; /* the digits of an int64, pointed to by val */
    int owned;    /* val is malloc'd (text, blob) */
};

/* Where a statement is in its run. */
enum pg_state {
    PG_READY, /* not executed since the last reset */
    PG_ROWS,  /* executed; `row` is the current row */
    PG_DONE   /* every row walked (or no rows) */
};

struct pg_conn;

struct pg_stmt {
    struct db_stmt head;
    char *sql;                   /* the SQL with $N parameters */
    int nparams;                 /* highest parameter number */
    unsigned char *used;         /* nparams: 1 when the SQL names $N */
    struct pg_param *params;     /* nparams bound values */
    const char **values;         /* nparams: what PQexec* sends */
    int *lengths;                /* nparams */
    int *formats;                /* nparams: 0 text, 1 binary */
    Oid *types;                  /* nparams: this execution's signature */
    int bind_range;              /* 1: a parameter number was out of range */
    int bind_range_no;           /* the first such number */
    int bind_nomem;              /* 1: a value could not be copied */
    int bind_nul;                /* a text parameter with a NUL byte, or 0 */
    int nvariants;               /* prepared variants */
    char vname[PG_VARIANTS][24]; /* their server-side names */
    Oid *vtypes;                 /* PG_VARIANTS x nparams: their signatures */
    PGresult *res;               /* the current result, or NULL */
    enum pg_state state;         /* see enum pg_state */
    int row;                     /* current row in res */
    unsigned char **blobs;       /* per column: bytea of the row, or NULL */
    size_t *blob_lens;           /* their lengths */
    int nblobs;                  /* columns in blobs[] */
    int cached;                  /* owned by the db_q cache */
    struct pg_stmt *prev, *next; /* the connection's statements */
};

/* One slot of the db_q cache (open addressing on the SQL's address). */
struct pg_slot {
    const char *sql;    /* key: the caller's SQL string, by address */
    struct pg_stmt *st; /* the statement, NULL for an empty slot */
};

struct pg_conn {
    struct db head;
    PGconn *conn;                    /* the libpq connection */
    unsigned flags;                  /* db_open's flags */
    unsigned next_name;              /* counter naming prepared statements */
    struct pg_stmt *stmts;           /* every statement of the connection */
    struct pg_slot *qtab;            /* the db_q cache, qcap slots */
    size_t qcap, qcount;             /* its capacity (power of 2) and use */
    char *dealloc;                   /* pending "DEALLOCATE x;" commands */
    size_t dealloc_len, dealloc_cap; /* their length and capacity */
    int txn_failed;        /* a statement failed in the open transaction */
    int txn_err;           /* its DB_E_* class */
    char txn_errmsg[512];  /* its message */
    char txn_errname[128]; /* its constraint or guard name */
    char listens[PG_LISTENS][64]; /* channels of db_listen */
    int nlistens;                 /* their count */
};

/* ---- errors ---------------------------------------------------------- */

/* The DB_E_* class of a SQLSTATE (NULL: no state, the client failed). */
static int class_of(const char *state)
{
    if (!state || strlen(state) != 5)
        return DB_E_IO;
    if (strncmp(state, "23", 2) == 0)
        return DB_E_CONFLICT;
    if (strcmp(state, "P0001") == 0)
        return DB_E_GUARD;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return DB_E_RETRY;
    if (strcmp(state, "55P03") == 0)
        return DB_E_BUSY;
    if (strcmp(state, "53100") == 0)
        return DB_E_FULL;
    if (strncmp(state, "42", 2) == 0 || strncmp(state, "22", 2) == 0)
        return DB_E_SQL;
    return DB_E_IO; /* 53, 08, 57 and everything else */
}

/* Copy `s` into `out` without the trailing newlines libpq adds. */
static void copy_trimmed(char *out, size_t cap, const char *s)
{
    size_t n;

    snprintf(out, cap, "%s", s ? s : "");
    n = strlen(out);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
}

/*
 * Record the failure `res` (which may be NULL: libpq failed before an
 * answer) on the connection, remember it when it is the first failure
 * of the open transaction, and free `res`. Answers -DB_E_*.
 */
static int fail_result(struct pg_conn *pg, PGresult *res)
{
    const char *state = NULL, *msg = NULL, *cons = NULL;
    char text[400];
    int err;

    if (res) {
        state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        if (!msg || !*msg)
            msg = PQresultErrorMessage(res);
        cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    }
    if (!msg || !*msg)
        msg = PQerrorMessage(pg->conn);
    if (!msg || !*msg)
        msg = res ? PQresStatus(PQresultStatus(res)) : "no answer";
    copy_trimmed(text, sizeof(text), msg);
    err = class_of(state);
    if (err == DB_E_GUARD)
        db_fail(&pg->head, err, text, "%s", text);
    else if (state)
        db_fail(&pg->head, err, err == DB_E_CONFLICT ? cons : NULL, "%s (%s)",
                text, state);
    else
        db_fail(&pg->head, err, NULL, "%s", text);
    if (pg->head.in_txn && !pg->txn_failed) {
        pg->txn_failed = 1;
        pg->txn_err = err;
        memcpy(pg->txn_errmsg, pg->head.errmsg, sizeof(pg->txn_errmsg));
        memcpy(pg->txn_errname, pg->head.errname, sizeof(pg->txn_errname));
    }
    PQclear(res);
    return -err;
}

/* Discard what a COPY started by mistake left on the connection. */
static void end_copy(PGconn *conn, PGresult *res)
{
    char *buf;

    if (PQresultStatus(res) == PGRES_COPY_IN)
        PQputCopyEnd(conn, "COPY is not supported through db.h");
    else if (PQresultStatus(res) == PGRES_COPY_OUT)
        while (PQgetCopyData(conn, &buf, 0) > 0)
            PQfreemem(buf);
    while ((res = PQgetResult(conn)) != NULL)
        PQclear(res);
}

/* Row changes of an INSERT, UPDATE, DELETE or MERGE into db_changes. */
static void note_changes(struct pg_conn *pg, PGresult *res)
{
    const char *cmd = PQcmdStatus(res);

    if (strncmp(cmd, "INSERT", 6) == 0 || strncmp(cmd, "UPDATE", 6) == 0 ||
        strncmp(cmd, "DELETE", 6) == 0 || strncmp(cmd, "MERGE", 5) == 0)
        pg->head.changes = strtoll(PQcmdTuples(res), NULL, 10);
}

/*
 * Check an answer: 0 with *out = res (or res freed when out is NULL) for
 * a command or rows, else the failure recorded and -DB_E_*.
 */
static int check_result(struct pg_conn *pg, PGresult *res, PGresult **out)
{
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
        note_changes(pg, res);
        if (out)
            *out = res;
        else
            PQclear(res);
        return 0;
    }
    if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT) {
        end_copy(pg->conn, res);
        PQclear(res);
        return db_fail(&pg->head, DB_E_USAGE, NULL,
                       "COPY is not supported through db.h");
    }
    if (s == PGRES_EMPTY_QUERY) {
        PQclear(res);
        return db_fail(&pg->head, DB_E_SQL, NULL, "empty statement");
    }
    return fail_result(pg, res);
}

/* Run `sql` without parameters; 0 or -DB_E_*. */
static int run_simple(struct pg_conn *pg, const char *sql)
{
    return check_result(pg, PQexec(pg->conn, sql), NULL);
}

/* ---- the SQL rewrite ------------------------------------------------- */

/*
 * Rewrite ?N and bare ? (numbered one past the highest number so far,
 * as SQLite does) into $N, leaving '...' strings (with '' inside),
 * "..." identifiers, -- and block comments as they are. The result is
 * malloc'd into *out, the highest number into *nparams and, malloc'd
 * into *used, one byte per number up to it: 1 when the SQL names it.
 * 0, or -DB_E_SQL for a parameter number out of range, -DB_E_NOMEM.
 */
static int rewrite_params(struct db *db, const char *sql, char **out,
                          int *nparams, unsigned char **used)
{
    size_t n = strlen(sql), marks = 0, i, o = 0;
    unsigned char *seen = NULL, *grown;
    char *buf;
    long num;
    int high = 0;

    for (i = 0; i < n; i++)
        marks += sql[i] == '?';
    buf = malloc(n + marks * 6 + 1);
    if (!buf)
        return db_fail(db, DB_E_NOMEM, NULL, "out of memory");
    i = 0;
    while (i < n) {
        char c = sql[i];

        if (c == '\'' || c == '"') {
            /* a literal or identifier; a doubled quote stays inside */
            buf[o++] = sql[i++];
            while (i < n) {
                buf[o++] = sql[i];
                if (sql[i++] == c) {
                    if (i < n && sql[i] == c)
                        buf[o++] = sql[i++];
                    else
                        break;
                }
            }
        } else if (c == '-' && sql[i + 1] == '-') {
            while (i < n && sql[i] != '\n')
                buf[o++] = sql[i++];
        } else if (c == '/' && sql[i + 1] == '*') {
            size_t end = i + 2;

            while (end < n && !(sql[end] == '*' && sql[end + 1] == '/'))
                end++;
            end = end < n ? end + 2 : n;
            memcpy(buf + o, sql + i, end - i);
            o += end - i;
            i = end;
        } else if (c == '?') {
            i++;
            if (sql[i] >= '0' && sql[i] <= '9') {
                num = 0;
                while (sql[i] >= '0' && sql[i] <= '9') {
                    if (num <= PG_MAX_PARAMS)
                        num = num * 10 + (sql[i] - '0');
                    i++;
                }
                if (num < 1 || num > PG_MAX_PARAMS) {
                    free(buf);
                    free(seen);
                    return db_fail(db, DB_E_SQL, NULL,
                                   "parameter number out of range (1..%d)",
                                   PG_MAX_PARAMS);
                }
            } else {
                num = high + 1;
                if (num > PG_MAX_PARAMS) {
                    free(buf);
                    free(seen);
                    return db_fail(db, DB_E_SQL, NULL, "too many parameters");
                }
            }
            if (num > high) {
                grown = realloc(seen, (size_t)num);
                if (!grown) {
                    free(buf);
                    free(seen);
                    return db_fail(db, DB_E_NOMEM, NULL, "out of memory");
                }
                memset(grown + high, 0, (size_t)(num - high));
                seen = grown;
                high = (int)num;
            }
            seen[num - 1] = 1;
            o += (size_t)sprintf(buf + o, "$%ld", num);
        } else {
            buf[o++] = sql[i++];
        }
    }
    buf[o] = '\0';
    *out = buf;
    *nparams = high;
    *used = seen;
    return 0;
}

/* ---- statements ------------------------------------------------------ */

/* Forget the current row's decoded blobs. */
static void free_blobs(struct pg_stmt *st)
{
    int i;

    for (i = 0; i < st->nblobs; i++) {
        PQfreemem(st->blobs[i]);
        st->blobs[i] = NULL;
    }
}

/* Drop the result: the statement is ready to execute again. */
static void stmt_reset(struct pg_stmt *st)
{
    free_blobs(st);
    free(st->blobs);
    free(st->blob_lens);
    st->blobs = NULL;
    st->blob_lens = NULL;
    st->nblobs = 0;
    PQclear(st->res);
    st->res = NULL;
    st->state = PG_READY;
    st->row = -1;
}

static void param_clear(struct pg_param *p)
{
    if (p->owned)
        free(p->val);
    p->val = NULL;
    p->len = 0;
    p->type = 0;
    p->owned = 0;
}

static void clear_bindings(struct pg_stmt *st)
{
    int i;

    for (i = 0; i < st->nparams; i++)
        param_clear(&st->params[i]);
    st->bind_range = 0;
    st->bind_nomem = 0;
    st->bind_nul = 0;
}

/* Queue the server-side statement `name` for DEALLOCATE (run outside a
 * transaction: a failed transaction refuses it). */
static void queue_dealloc(struct pg_conn *pg, const char *name)
{
    size_t need = pg->dealloc_len + strlen(name) + 16;

    if (need > pg->dealloc_cap) {
        size_t cap = need * 2;
        char *p = realloc(pg->dealloc, cap);

        if (!p)
            return; /* the session keeps it until it ends */
        pg->dealloc = p;
        pg->dealloc_cap = cap;
    }
    pg->dealloc_len +=
        (size_t)sprintf(pg->dealloc + pg->dealloc_len, "DEALLOCATE %s;", name);
}

/* Run the queued DEALLOCATEs when no transaction is open. */
static void flush_dealloc(struct pg_conn *pg)
{
    PGresult *res;

    if (pg->head.in_txn || pg->dealloc_len == 0)
        return;
    res = PQexec(pg->conn, pg->dealloc);
    PQclear(res); /* a failure only leaves a statement in the session */
    pg->dealloc_len = 0;
}

/* Free the statement's own memory (its SQL and per-parameter arrays). */
static void free_arrays(struct pg_stmt *st)
{
    free(st->sql);
    free(st->used);
    free(st->params);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->types);
    free(st->vtypes);
    free(st);
}

static void stmt_free(struct pg_stmt *st)
{
    struct pg_conn *pg = (struct pg_conn *)st->head.db;
    int v;

    stmt_reset(st);
    clear_bindings(st);
    for (v = 0; v < st->nvariants; v++)
        queue_dealloc(pg, st->vname[v]);
    if (st->prev)
        st->prev->next = st->next;
    else
        pg->stmts = st->next;
    if (st->next)
        st->next->prev = st->prev;
    free_arrays(st);
}

static struct db_stmt *pg_prepare(struct db *db, const char *sql)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    struct pg_stmt *st = calloc(1, sizeof(*st));
    size_t n;

    if (!st) {
        db_fail(db, DB_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    if (rewrite_params(db, sql, &st->sql, &st->nparams, &st->used) < 0) {
        free(st);
        return NULL;
    }
    n = st->nparams > 0 ? (size_t)st->nparams : 1;
    st->params = calloc(n, sizeof(*st->params));
    st->values = calloc(n, sizeof(*st->values));
    st->lengths = calloc(n, sizeof(*st->lengths));
    st->formats = calloc(n, sizeof(*st->formats));
    st->types = calloc(n, sizeof(*st->types));
    st->vtypes = calloc(n * PG_VARIANTS, sizeof(*st->vtypes));
    if (!st->params || !st->values || !st->lengths || !st->formats ||
        !st->types || !st->vtypes) {
        free_arrays(st);
        db_fail(db, DB_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    st->head.drv = &db_driver_pgsql;
    st->head.db = db;
    st->row = -1;
    st->next = pg->stmts;
    if (pg->stmts)
        pg->stmts->prev = st;
    pg->stmts = st;
    return &st->head;
}

/* A db_q statement belongs to the connection: finalizing it resets it. */
static void pg_finalize(struct db_stmt *s)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    struct pg_conn *pg = (struct pg_conn *)s->db;

    if (st->cached) {
        stmt_reset(st);
        clear_bindings(st);
        return;
    }
    stmt_free(st);
    flush_dealloc(pg);
}

static void pg_reset(struct db_stmt *s)
{
    stmt_reset((struct pg_stmt *)s);
}

/* The db_q cache slot of `sql`: its statement's or the empty one where it
 * goes. qcap is a power of 2 and never full. */
static struct pg_slot *slot_of(struct pg_conn *pg, const char *sql)
{
    size_t h = (size_t)(((uintptr_t)sql >> 3) * UINT64_C(0x9E3779B97F4A7C15));
    size_t i = h & (pg->qcap - 1);

    while (pg->qtab[i].st && pg->qtab[i].sql != sql)
        i = (i + 1) & (pg->qcap - 1);
    return &pg->qtab[i];
}

/* Double the cache (first 64 slots); 0 or -1 out of memory. */
static int grow_cache(struct pg_conn *pg)
{
    struct pg_slot *old = pg->qtab;
    size_t oldcap = pg->qcap, i;
    size_t cap = oldcap ? oldcap * 2 : 64;
    struct pg_slot *tab = calloc(cap, sizeof(*tab));

    if (!tab)
        return -1;
    pg->qtab = tab;
    pg->qcap = cap;
    for (i = 0; i < oldcap; i++)
        if (old[i].st)
            *slot_of(pg, old[i].sql) = old[i];
    free(old);
    return 0;
}

static struct db_stmt *pg_q(struct db *db, const char *sql)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    struct pg_slot *slot;
    struct db_stmt *s;

    if (pg->qcap) {
        slot = slot_of(pg, sql);
        if (slot->st) {
            stmt_reset(slot->st);
            clear_bindings(slot->st);
            return &slot->st->head;
        }
    }
    if ((pg->qcount + 1) * 2 > pg->qcap && grow_cache(pg) < 0) {
        db_fail(db, DB_E_NOMEM, NULL, "out of memory");
        return NULL;
    }
    s = pg_prepare(db, sql);
    if (!s)
        return NULL;
    slot = slot_of(pg, sql);
    slot->sql = sql;
    slot->st = (struct pg_stmt *)s;
    slot->st->cached = 1;
    pg->qcount++;
    return s;
}

/* ---- binding --------------------------------------------------------- */

/* The parameter numbered i (from 1), or NULL after noting the misuse. */
static struct pg_param *param_at(struct pg_stmt *st, int i)
{
    if (i < 1 || i > st->nparams) {
        if (!st->bind_range)
            st->bind_range_no = i;
        st->bind_range = 1;
        return NULL;
    }
    stmt_reset(st);
    param_clear(&st->params[i - 1]);
    return &st->params[i - 1];
}

static void pg_bind_int64(struct db_stmt *s, int i, int64_t v)
{
    struct pg_param *p = param_at((struct pg_stmt *)s, i);

    if (!p)
        return;
    p->len = snprintf(p->num, sizeof(p->num), "%" PRId64, v);
    p->val = p->num;
    p->type = PG_INT8OID;
}

/* Copy n bytes (plus a NUL) into parameter `p` of `type`. */
static void bind_copy(struct pg_stmt *st, struct pg_param *p, Oid type,
                      const void *v, size_t n)
{
    if (n > (size_t)INT32_MAX - 1 || !(p->val = malloc(n + 1))) {
        st->bind_nomem = 1;
        return;
    }
    memcpy(p->val, v, n);
    p->val[n] = '\0';
    p->len = (int)n;
    p->owned = 1;
    p->type = type;
}

static void pg_bind_textn(struct db_stmt *s, int i, const char *v, size_t n)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    struct pg_param *p = param_at(st, i);

    if (!p)
        return;
    if (memchr(v, '\0', n) && !st->bind_nul)
        st->bind_nul = i;
    bind_copy(st, p, PG_TEXTOID, v, n);
}

static void pg_bind_blob(struct db_stmt *s, int i, const void *v, size_t n)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    struct pg_param *p = param_at(st, i);

    if (p)
        bind_copy(st, p, PG_BYTEAOID, v, n);
}

static void pg_bind_null(struct db_stmt *s, int i)
{
    param_at((struct pg_stmt *)s, i);
}

/* ---- execution ------------------------------------------------------- */

/* Apply the session settings every connection needs (after a connect or
 * a reconnect). A lock, the write lock included, is waited for as long as
 * SQLite's busy timeout, then the statement fails as DB_E_BUSY. */
static int session_setup(struct pg_conn *pg)
{
    int rc = run_simple(pg, "SET client_encoding = 'UTF8';"
                            " SET TimeZone = 'UTC';"
                            " SET lock_timeout = '10s'");

    if (rc == 0 && (pg->flags & DB_READONLY))
        rc = run_simple(pg, "SET default_transaction_read_only = on");
    return rc;
}

/* LISTEN on `channel` (a name db.c has checked). */
static int run_listen(struct pg_conn *pg, const char *channel)
{
    char *id = PQescapeIdentifier(pg->conn, channel, strlen(channel));
    char sql[96];

    if (!id)
        return fail_result(pg, NULL);
    snprintf(sql, sizeof(sql), "LISTEN %s", id);
    PQfreemem(id);
    return run_simple(pg, sql);
}

/*
 * A connection lost outside a transaction is opened again: the session
 * and its prepared statements are gone, so every variant is forgotten.
 * 0 when the connection is usable.
 */
static int ensure_connected(struct pg_conn *pg)
{
    struct pg_stmt *st;
    int i, rc;

    if (PQstatus(pg->conn) == CONNECTION_OK)
        return 0;
    if (pg->head.in_txn)
        return db_fail(&pg->head, DB_E_IO, NULL,
                       "the connection was lost in a transaction");
    PQreset(pg->conn);
    if (PQstatus(pg->conn) != CONNECTION_OK)
        return fail_result(pg, NULL);
    for (st = pg->stmts; st; st = st->next)
        st->nvariants = 0;
    pg->dealloc_len = 0;
    if ((rc = session_setup(pg)) < 0)
        return rc;
    for (i = 0; i < pg->nlistens; i++)
        if ((rc = run_listen(pg, pg->listens[i])) < 0)
            return rc;
    return 0;
}

/* Fill the arrays PQexec* takes from the bindings. A number the SQL
 * skips (?2 without ?1) is declared text: the server cannot infer it. */
static void load_params(struct pg_stmt *st)
{
    int i;

    for (i = 0; i < st->nparams; i++) {
        struct pg_param *p = &st->params[i];

        st->values[i] = p->val;
        st->lengths[i] = p->len;
        st->formats[i] = p->type == PG_BYTEAOID;
        st->types[i] = p->type;
        if (!st->used[i] && !p->type)
            st->types[i] = PG_TEXTOID;
    }
}

/* The prepared variant whose signature fits this execution's (a NULL
 * fits any type, and a type the server chose fits any value), or -1. */
static int find_variant(const struct pg_stmt *st)
{
    int v, i;

    for (v = 0; v < st->nvariants; v++) {
        const Oid *vt = st->vtypes + (size_t)v * (size_t)st->nparams;

        for (i = 0; i < st->nparams; i++)
            if (st->types[i] && vt[i] && st->types[i] != vt[i])
                break;
        if (i == st->nparams)
            return v;
    }
    return -1;
}

/* Execute the statement with its bindings; the result into st->res. */
static int execute(struct pg_stmt *st)
{
    struct pg_conn *pg = (struct pg_conn *)st->head.db;
    PGresult *res;
    int v, rc;

    if (st->bind_range)
        return db_fail(&pg->head, DB_E_USAGE, NULL,
                       "parameter %d out of range (the statement has %d)",
                       st->bind_range_no, st->nparams);
    if (st->bind_nomem)
        return db_fail(&pg->head, DB_E_NOMEM, NULL,
                       "out of memory binding a parameter");
    if (st->bind_nul)
        return db_fail(&pg->head, DB_E_USAGE, NULL,
                       "parameter %d: text holds a NUL byte", st->bind_nul);
    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    flush_dealloc(pg);
    load_params(st);
    v = find_variant(st);
    if (v < 0 && st->nvariants < PG_VARIANTS) {
        v = st->nvariants;
        snprintf(st->vname[v], sizeof(st->vname[v]), "chopay_%u",
                 pg->next_name++);
        res =
            PQprepare(pg->conn, st->vname[v], st->sql, st->nparams, st->types);
        if ((rc = check_result(pg, res, NULL)) < 0)
            return rc;
        if (st->nparams)
            memcpy(st->vtypes + (size_t)v * (size_t)st->nparams, st->types,
                   (size_t)st->nparams * sizeof(Oid));
        st->nvariants++;
    }
    if (v >= 0)
        res = PQexecPrepared(pg->conn, st->vname[v], st->nparams, st->values,
                             st->lengths, st->formats, 0);
    else
        res = PQexecParams(pg->conn, st->sql, st->nparams, st->types,
                           st->values, st->lengths, st->formats, 0);
    return check_result(pg, res, &st->res);
}

/* Move to the next row: 1 with one, 0 at the end. */
static int next_row(struct pg_stmt *st)
{
    free_blobs(st);
    if (++st->row < PQntuples(st->res))
        return 1;
    st->state = PG_DONE;
    return 0;
}

static int pg_step(struct db_stmt *s)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    int rc;

    if (st->state == PG_ROWS)
        return next_row(st);
    stmt_reset(st); /* PG_DONE runs it again, as SQLite does */
    if ((rc = execute(st)) < 0)
        return rc;
    st->nblobs = PQnfields(st->res);
    if (st->nblobs > 0) {
        st->blobs = calloc((size_t)st->nblobs, sizeof(*st->blobs));
        st->blob_lens = calloc((size_t)st->nblobs, sizeof(*st->blob_lens));
        if (!st->blobs || !st->blob_lens) {
            stmt_reset(st);
            return db_fail(s->db, DB_E_NOMEM, NULL, "out of memory");
        }
    }
    st->state = PG_ROWS;
    return next_row(st);
}

/* ---- columns --------------------------------------------------------- */

/* 1 when column i of the current row exists. */
static int has_cell(const struct pg_stmt *st, int i)
{
    return st->state == PG_ROWS && i >= 0 && i < PQnfields(st->res);
}

/* 1 when `s` is an integer that fits int64 (NUMERIC without fraction). */
static int is_int64_text(const char *s)
{
    char *end;

    if (*s == '-')
        s++;
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    strtoll(s, &end, 10);
    return *end == '\0' && errno == 0;
}

static int pg_column_count(struct db_stmt *s)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_column_name(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    if (!st->res || i < 0 || i >= PQnfields(st->res))
        return NULL;
    return PQfname(st->res, i);
}

static enum db_type pg_column_type(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    if (!has_cell(st, i) || PQgetisnull(st->res, st->row, i))
        return DB_NULL;
    switch (PQftype(st->res, i)) {
    case PG_INT2OID:
    case PG_INT4OID:
    case PG_INT8OID:
    case PG_OIDOID:
    case PG_BOOLOID:
        return DB_INTEGER;
    case PG_NUMERICOID:
        return is_int64_text(PQgetvalue(st->res, st->row, i)) ? DB_INTEGER
                                                              : DB_TEXT;
    case PG_BYTEAOID:
        return DB_BLOB;
    }
    return DB_TEXT;
}

static int64_t pg_column_int64(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;
    const char *v;

    if (!has_cell(st, i) || PQgetisnull(st->res, st->row, i))
        return 0;
    v = PQgetvalue(st->res, st->row, i);
    if (PQftype(st->res, i) == PG_BOOLOID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static const char *pg_column_text(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    if (!has_cell(st, i) || PQgetisnull(st->res, st->row, i))
        return NULL;
    return PQgetvalue(st->res, st->row, i);
}

/* Decode the current row's bytea in column i (once per row). */
static const unsigned char *bytea_of(struct pg_stmt *st, int i)
{
    if (!st->blobs[i])
        st->blobs[i] = PQunescapeBytea(
            (const unsigned char *)PQgetvalue(st->res, st->row, i),
            &st->blob_lens[i]);
    return st->blobs[i];
}

static const void *pg_column_blob(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    if (!has_cell(st, i) || PQgetisnull(st->res, st->row, i))
        return NULL;
    if (PQftype(st->res, i) == PG_BYTEAOID)
        return bytea_of(st, i);
    return PQgetvalue(st->res, st->row, i);
}

static size_t pg_column_bytes(struct db_stmt *s, int i)
{
    struct pg_stmt *st = (struct pg_stmt *)s;

    if (!has_cell(st, i) || PQgetisnull(st->res, st->row, i))
        return 0;
    if (PQftype(st->res, i) == PG_BYTEAOID)
        return bytea_of(st, i) ? st->blob_lens[i] : 0;
    return (size_t)PQgetlength(st->res, st->row, i);
}

/* ---- connections and transactions ------------------------------------ */

/*
 * Blank every copy of `secret` (n bytes) in `msg`: libpq quotes parts of
 * a URL it cannot parse, and a password must not reach a log.
 */
static void blank(char *msg, const char *secret, size_t n)
{
    char *p = msg;

    while (n > 0 && (p = strstr(p, secret)) != NULL) {
        memset(p, '*', n);
        p += n;
    }
}

/* Blank the URL's passwords (user:PASSWORD@ and password=...) in msg. */
static void hide_password(char *msg, const char *url)
{
    const char *p = strstr(url, "://"), *at, *colon, *end;
    char tmp[256];
    size_t n;

    if (p) {
        p += 3;
        end = p + strcspn(p, "/?#");
        at = memchr(p, '@', (size_t)(end - p));
        /* userinfo may itself hold '@' only percent-encoded */
        colon = at ? memchr(p, ':', (size_t)(at - p)) : NULL;
        if (colon && (n = (size_t)(at - colon - 1)) > 0 && n < sizeof(tmp)) {
            memcpy(tmp, colon + 1, n);
            tmp[n] = '\0';
            blank(msg, tmp, n);
        }
    }
    for (p = url; (p = strstr(p, "password=")) != NULL;) {
        p += 9;
        n = strcspn(p, "& ");
        if (n > 0 && n < sizeof(tmp)) {
            memcpy(tmp, p, n);
            tmp[n] = '\0';
            blank(msg, tmp, n);
        }
    }
}

/* Notices (NOTICE, WARNING) are not failures; libpq would print them. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void pg_close(struct db *db)
{
    struct pg_conn *pg = (struct pg_conn *)db;

    while (pg->stmts) {
        pg->stmts->cached = 0;
        stmt_free(pg->stmts);
    }
    PQfinish(pg->conn); /* the server rolls back an open transaction */
    free(pg->qtab);
    free(pg->dealloc);
    free(pg);
}

static int pg_open(const char *url, unsigned flags, struct db **out, char *err,
                   size_t errlen)
{
    struct pg_conn *pg = calloc(1, sizeof(*pg));
    char msg[512];
    int rc;

    if (!pg) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory");
        return -DB_E_NOMEM;
    }
    pg->head.drv = &db_driver_pgsql;
    pg->flags = flags;
    pg->conn = PQconnectdb(url);
    if (!pg->conn) {
        rc = -DB_E_NOMEM;
        snprintf(msg, sizeof(msg), "out of memory");
        goto fail;
    }
    if (PQstatus(pg->conn) != CONNECTION_OK) {
        rc = -DB_E_IO;
        copy_trimmed(msg, sizeof(msg), PQerrorMessage(pg->conn));
        goto fail;
    }
    PQsetNoticeProcessor(pg->conn, ignore_notice, NULL);
    if ((rc = session_setup(pg)) < 0) {
        snprintf(msg, sizeof(msg), "%s", pg->head.errmsg);
        goto fail;
    }
    db_clear_error(&pg->head);
    *out = &pg->head;
    return 0;
fail:
    hide_password(msg, url);
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
    PQfinish(pg->conn);
    free(pg);
    return rc;
}

static int pg_exec(struct db *db, const char *sql)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    int rc;

    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    flush_dealloc(pg);
    return run_simple(pg, sql);
}

static int pg_begin(struct db *db, enum db_txn kind)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    char lock[80];
    int rc;

    if (kind != DB_READ && (pg->flags & DB_READONLY))
        return db_fail(db, DB_E_USAGE, NULL,
                       "a write transaction on a read-only connection");
    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    flush_dealloc(pg);
    if (kind == DB_READ)
        rc = run_simple(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    else
        rc = run_simple(pg, "BEGIN");
    if (rc < 0)
        return rc;
    pg->head.in_txn = 1;
    pg->txn_failed = 0;
    if (kind != DB_READ) {
        snprintf(lock, sizeof(lock),
                 "SELECT pg_advisory_xact_lock%s(%" PRId64 ")",
                 kind == DB_WRITE_SHARED ? "_shared" : "", PG_LEDGER_LOCK_KEY);
        if ((rc = run_simple(pg, lock)) < 0) {
            PQclear(PQexec(pg->conn, "ROLLBACK"));
            pg->head.in_txn = 0;
            pg->txn_failed = 0;
            return rc;
        }
    }
    return 0;
}

static int pg_end(struct db *db, int rc, int durable)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    struct pg_stmt *st;
    PGresult *res;
    int ret = rc;

    (void)durable; /* a commit answers once on disk (synchronous_commit) */
    for (st = pg->stmts; st; st = st->next)
        stmt_reset(st);
    if (rc == 0 && !pg->txn_failed) {
        res = PQexec(pg->conn, "COMMIT");
        if (res && PQresultStatus(res) == PGRES_COMMAND_OK &&
            strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
            PQclear(res);
            ret = db_fail(db, DB_E_IO, NULL, "the transaction was rolled back");
        } else {
            ret = check_result(pg, res, NULL);
        }
    } else {
        PQclear(PQexec(pg->conn, "ROLLBACK"));
        if (rc == 0) {
            ret = -pg->txn_err;
            memcpy(db->errmsg, pg->txn_errmsg, sizeof(db->errmsg));
            memcpy(db->errname, pg->txn_errname, sizeof(db->errname));
        }
    }
    pg->head.in_txn = 0;
    pg->txn_failed = 0;
    flush_dealloc(pg);
    return ret;
}

/* ---- notifications and advisory locks -------------------------------- */

static int pg_xact_lock(struct db *db, int64_t key)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    char sql[80];

    if (pg->txn_failed)
        return -pg->txn_err;
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(%" PRId64 ")",
             key);
    return run_simple(pg, sql);
}

/* A failed statement since DB_SP_SET is undone with the rest: the
 * transaction is no longer failed once ROLLBACK TO has run. */
static int pg_savepoint(struct db *db, enum db_savepoint op)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    struct pg_stmt *st;
    int rc;

    for (st = pg->stmts; st; st = st->next)
        stmt_reset(st);
    if (op != DB_SP_UNDO) {
        if (pg->txn_failed)
            return -pg->txn_err;
        return run_simple(pg, op == DB_SP_SET ? "SAVEPOINT chopay_sp"
                                              : "RELEASE SAVEPOINT chopay_sp");
    }
    pg->txn_failed = 0;
    rc = run_simple(pg, "ROLLBACK TO SAVEPOINT chopay_sp");
    return rc != 0 ? rc : run_simple(pg, "RELEASE SAVEPOINT chopay_sp");
}

static int pg_notify(struct db *db, const char *channel, const char *payload)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    const char *values[2] = {channel, payload};
    int rc;

    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    return check_result(pg,
                        PQexecParams(pg->conn, "SELECT pg_notify($1, $2)", 2,
                                     NULL, values, NULL, NULL, 0),
                        NULL);
}

static int pg_listen(struct db *db, const char *channel)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    int i, rc;

    for (i = 0; i < pg->nlistens; i++)
        if (strcmp(pg->listens[i], channel) == 0)
            return 0;
    if (pg->nlistens == PG_LISTENS)
        return db_fail(db, DB_E_USAGE, NULL,
                       "listen %s: a connection listens on at most %d "
                       "channels",
                       channel, PG_LISTENS);
    if ((rc = ensure_connected(pg)) < 0 || (rc = run_listen(pg, channel)) < 0)
        return rc;
    snprintf(pg->listens[pg->nlistens++], sizeof(pg->listens[0]), "%s",
             channel);
    return 0;
}

/* Milliseconds left until `end` (CLOCK_MONOTONIC), at least 0. */
static int ms_left(const struct timespec *end)
{
    struct timespec now;
    int64_t ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (int64_t)(end->tv_sec - now.tv_sec) * 1000 +
         (end->tv_nsec - now.tv_nsec) / 1000000;
    return ms > 0 ? (int)ms : 0;
}

static int pg_wait_notify(struct db *db, int timeout_ms, char *payload,
                          size_t cap)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    struct timespec end;
    struct pollfd pfd;
    PGnotify *n;
    int rc;

    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += timeout_ms / 1000;
    end.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (end.tv_nsec >= 1000000000) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000;
    }
    for (;;) {
        if (!PQconsumeInput(pg->conn))
            return fail_result(pg, NULL);
        if ((n = PQnotifies(pg->conn)) != NULL) {
            snprintf(payload, cap, "%s", n->extra ? n->extra : "");
            PQfreemem(n);
            return 1;
        }
        pfd.fd = PQsocket(pg->conn);
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (pfd.fd < 0)
            return db_fail(db, DB_E_IO, NULL, "the connection was lost");
        if ((rc = ms_left(&end)) == 0)
            return 0;
        if (poll(&pfd, 1, rc) < 0 && errno != EINTR)
            return db_fail(db, DB_E_IO, NULL, "poll: %s", strerror(errno));
    }
}

/* The lock's row in pg_locks is (classid, objid) = the key's high and
 * low 32 bits, objsubid 1; held already, it is not taken twice. */
static int pg_try_lock(struct db *db, int64_t key)
{
    struct pg_conn *pg = (struct pg_conn *)db;
    uint64_t k = (uint64_t)key;
    PGresult *res = NULL;
    char sql[400];
    int rc;

    if ((rc = ensure_connected(pg)) < 0)
        return rc;
    snprintf(sql, sizeof(sql),
             "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks"
             " WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
             " AND granted AND classid = %" PRIu32 " AND objid = %" PRIu32
             " AND objsubid = 1) THEN true"
             " ELSE pg_try_advisory_lock(%" PRId64 ") END",
             (uint32_t)(k >> 32), (uint32_t)k, key);
    if ((rc = check_result(pg, PQexec(pg->conn, sql), &res)) < 0)
        return rc;
    rc = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return rc;
}

/* The migrations that use SQL functions are SQLite's alone. */
static int pg_function_text(struct db *db, const char *name, int nargs,
                            int (*fn)(const char *const *args, int nargs,
                                      char *out, size_t cap))
{
    (void)nargs;
    (void)fn;
    return db_fail(db, DB_E_USAGE, NULL,
                   "function %s: PostgreSQL's schema needs no SQL functions",
                   name);
}

const struct db_driver db_driver_pgsql = {
    .name = "pgsql",
    .backend = DB_PGSQL,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .q = pg_q,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int64 = pg_bind_int64,
    .bind_textn = pg_bind_textn,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_type = pg_column_type,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .column_bytes = pg_column_bytes,
    .begin = pg_begin,
    .end = pg_end,
    .xact_lock = pg_xact_lock,
    .savepoint = pg_savepoint,
    .function_text = pg_function_text,
    .notify = pg_notify,
    .listen = pg_listen,
    .wait_notify = pg_wait_notify,
    .try_lock = pg_try_lock,
};
