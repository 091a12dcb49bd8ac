/*
 * statement_import.c: a statement file into the ledger. The whole file is
 * parsed and its accounts checked first, so a broken file changes
 * nothing. Its entries are then applied in slices, each its own write
 * transaction of at most SLICE_ROWS entries or about SLICE_MS, so that
 * intents and webhooks wait for one slice, never for the whole file; the
 * statements' own records (figures, balance check) go into the last
 * slice, which finishes the import. An import interrupted between slices
 * goes on where it stopped when the same file is imported again (store:
 * bank_import_open); a slice the database loses to a deadlock is
 * applied again the same way.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api_json.h"
#include "crypto.h"
#include "ingest.h"

#define SLICE_ROWS 2000 /* entries in one write transaction, at most */
#define SLICE_MS   25   /* and about this long */
#define GAP_MS     5    /* the lock left free between slices, sync included */
#define GAP_MIN_MS 1    /* and free this long after the sync, at least */

int ingest_format(const char *name)
{
    if (strcmp(name, "camt") == 0)
        return FEEDS_CAMT;
    if (strcmp(name, "mt940") == 0)
        return FEEDS_MT940;
    if (strcmp(name, "csv") == 0)
        return FEEDS_CSV;
    return 0;
}

static json_t *err_json(const char *code, const char *msg,
                        const struct feeds_error *fe)
{
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);

    if (fe != NULL && fe->line > 0)
        json_object_set_new(e, "line", json_integer(fe->line));
    if (fe != NULL && fe->path[0] != '\0')
        json_object_set_new(e, "path", json_string(fe->path));
    return json_pack("{s:o}", "error", e);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What one pass over the file does with it. */
struct pass {
    struct store *st;                /* the store */
    int64_t org;                     /* 0: by account */
    int apply;                       /* 0: check the accounts, 1: apply */
    int rc;                          /* first store error */
    char account[FEEDS_ACCOUNT_MAX]; /* check: the account last resolved */
    /* apply: */
    const char *actor;             /* for the audit log */
    int64_t now;                   /* import time */
    int64_t import_id;             /* the import */
    int64_t skip;                  /* entries applied before this pass */
    int64_t row;                   /* entries seen */
    struct store_bank *b;          /* the open slice, or NULL */
    long in_slice;                 /* its entries */
    double began;                  /* when it began (ms) */
    long slices;                   /* slices committed */
    long slice_rows;               /* entries in a slice, at most */
    double slice_ms;               /* and how long, about */
    long crash_after;              /* test hook: exit after so many */
    struct feeds_statement *stmts; /* the statements, for the last slice */
    size_t n_stmts;
    struct store_bank_summary sum; /* the slices' counts added up */
};

/* The organisation `account` names, checked against the one asked for. */
static int check_account(struct pass *p, const char *account)
{
    int64_t found = 0;
    char code[32];
    int rc;

    if (account[0] == '\0' && p->org != 0)
        return 0;
    if (account[0] != '\0' && strcmp(account, p->account) == 0)
        return 0;
    rc = p->st->ops->bank_account_org(p->st, account, &found, code);
    if (rc == 0 && p->org != 0 && found != p->org) {
        store_set_error("account_mismatch",
                        "account '%s' belongs to another organisation",
                        account);
        rc = -STORE_E_CONFLICT;
    }
    if (rc == 0)
        snprintf(p->account, sizeof(p->account), "%s", account);
    return rc;
}

static void add_up(struct store_bank_summary *to, struct store_bank_summary *s)
{
    to->n_new += s->n_new;
    to->n_replayed += s->n_replayed;
    to->n_matched += s->n_matched;
    to->n_unmatched += s->n_unmatched;
    to->n_ambiguous += s->n_ambiguous;
    to->n_duplicate += s->n_duplicate;
    to->n_ignored += s->n_ignored;
    to->n_statements += s->n_statements;
    if (s->n_balances > 0) {
        free(to->balances);
        to->balances = s->balances;
        to->n_balances = s->n_balances;
        s->balances = NULL;
        s->n_balances = 0;
    }
    store_bank_summary_free(s);
}

/* Commit the open slice (with `finished`, the import's last). */
static int slice_end(struct pass *p, int finished)
{
    struct store_bank_summary s = {0};
    int rc = p->st->ops->bank_import_mark(p->b, finished);
    double t0 = now_ms(), gap;

    rc = p->st->ops->bank_end(p->b, rc == 0, 0, &s);
    p->b = NULL;
    if (rc == 0 && p->rc == 0) {
        add_up(&p->sum, &s);
        p->slices++;
        if (p->crash_after > 0 && p->slices >= p->crash_after && !finished)
            _exit(3); /* CHOPAY_IMPORT_CRASH_AFTER: an interrupted import */
    }
    store_bank_summary_free(&s);
    /* writers waiting for the lock take it now: the commit leaves it
       before its sync (writers waiting poll every millisecond) */
    gap = GAP_MS - (now_ms() - t0);
    if (rc == 0 && !finished)
        usleep((useconds_t)((gap > GAP_MIN_MS ? gap : GAP_MIN_MS) * 1000));
    return rc;
}

/* Begin a slice unless one is open: after the first `done` entries. */
static int slice_begin(struct pass *p, int64_t done)
{
    if (p->b != NULL)
        return 0;
    p->in_slice = 0;
    p->began = now_ms();
    return p->st->ops->bank_import_slice(p->st, p->import_id, done, p->actor,
                                         p->now, &p->b);
}

static int on_txn(void *ctx, const struct bank_txn *t)
{
    struct pass *p = ctx;

    if (!p->apply) {
        p->rc = check_account(p, t->account);
        return p->rc != 0;
    }
    if (++p->row <= p->skip)
        return 0;
    p->rc = slice_begin(p, p->row - 1);
    if (p->rc == 0)
        p->rc = p->st->ops->bank_add(p->b, p->org, t, "statement", 0, NULL);
    if (p->rc == 0 &&
        (++p->in_slice >= p->slice_rows || now_ms() - p->began >= p->slice_ms))
        p->rc = slice_end(p, 0);
    return p->rc != 0;
}

static int on_stmt(void *ctx, const struct feeds_statement *s)
{
    struct pass *p = ctx;
    void *grown;

    if (!p->apply) {
        p->rc = check_account(p, s->account);
        return p->rc != 0;
    }
    grown = realloc(p->stmts, (p->n_stmts + 1) * sizeof(*p->stmts));
    if (grown == NULL) {
        store_set_error("storage_unavailable", "out of memory");
        p->rc = -STORE_E_IO;
        return 1;
    }
    p->stmts = grown;
    p->stmts[p->n_stmts++] = *s;
    return 0;
}

/* A memory reader for feeds_parse_camt_stream. */
struct mem_rd {
    const char *p; /* next byte */
    size_t left;   /* bytes left */
};

static int mem_read(void *ctx, char *buf, int cap)
{
    struct mem_rd *m = ctx;
    size_t n = m->left < (size_t)cap ? m->left : (size_t)cap;

    memcpy(buf, m->p, n);
    m->p += n;
    m->left -= n;
    return (int)n;
}

/* One pass over the file: 0, a parse error (negative FEEDS_E_*), or
 * p->rc set. */
static int run_pass(struct pass *p, const char *buf, size_t len, int fmt,
                    const struct feeds_csv_map *map, struct feeds_error *fe)
{
    struct feeds_sink sink = {on_txn, on_stmt, p};
    int rc;

    if (fmt == FEEDS_CAMT) {
        struct mem_rd m = {buf, len};

        rc = feeds_parse_camt_stream(mem_read, &m, &sink, fe);
    } else if (fmt == FEEDS_MT940) {
        rc = feeds_parse_mt940_sink(buf, len, &sink, fe);
    } else {
        struct bank_txn_list l = {0};
        size_t i;

        rc = feeds_parse_csv(buf, len, map, &l, fe);
        for (i = 0; rc == 0 && i < l.n; i++)
            if (on_txn(p, &l.txns[i]) != 0)
                rc = -FEEDS_E_CALLBACK;
        for (i = 0; rc == 0 && i < l.nstmts; i++)
            if (on_stmt(p, &l.stmts[i]) != 0)
                rc = -FEEDS_E_CALLBACK;
        feeds_list_free(&l);
    }
    return p->rc != 0 ? 0 : rc;
}

/* Apply the file's entries after those applied before, slice by slice,
 * then its statements in the last slice. 0 or p->rc. */
static int apply_pass(struct pass *p, const char *buf, size_t len, int fmt,
                      const struct feeds_csv_map *map)
{
    struct feeds_error fe = {0};
    size_t i;
    int rc;

    p->row = 0;
    p->n_stmts = 0;
    if (run_pass(p, buf, len, fmt, map, &fe) != 0 && p->rc == 0) {
        /* it parsed the first time: never expected */
        store_set_error("invalid_statement", "%s", fe.message);
        p->rc = -STORE_E_INVALID;
    }
    if (p->rc == 0)
        p->rc = slice_begin(p, p->row);
    for (i = 0; p->rc == 0 && i < p->n_stmts; i++)
        p->rc = p->st->ops->bank_statement(p->b, p->org, &p->stmts[i]);
    if (p->b != NULL) {
        if (p->rc == 0) {
            p->rc = slice_end(p, 1);
        } else {
            rc = p->st->ops->bank_end(p->b, 0, 0, NULL);
            p->b = NULL;
            (void)rc;
        }
    }
    return p->rc;
}

int ingest_statement(struct store *st, int64_t org_id, const char *buf,
                     size_t len, int fmt, const struct feeds_csv_map *map,
                     const char *actor, int64_t now, json_t **summary,
                     json_t **error)
{
    struct pass p;
    struct feeds_error fe = {0};
    uint8_t d[CRYPTO_SHA256_LEN];
    char digest[2 * CRYPTO_SHA256_LEN + 48];
    const char *kind, *crash = getenv("CHOPAY_IMPORT_CRASH_AFTER"),
                      *rows = getenv("CHOPAY_IMPORT_SLICE_ROWS");
    json_t *sum;
    int rc, tries = 1;

    if (fmt == 0) {
        rc = feeds_detect(buf, len);
        if (rc < 0) {
            *error = err_json("unknown_format",
                              "not a camt.053/054, MT940/942 or CSV"
                              " statement",
                              NULL);
            return -1;
        }
        fmt = rc;
    }
    kind = feeds_provider_name((enum feeds_provider)fmt);
    /* the whole file parsed and its accounts checked: nothing changes
       when it is broken */
    memset(&p, 0, sizeof(p));
    p.st = st;
    p.org = org_id;
    rc = run_pass(&p, buf, len, fmt, map, &fe);
    if (rc != 0 || p.rc != 0) {
        if (p.rc != 0)
            *error = err_json(store_error_code(), store_error_message(), NULL);
        else
            *error = err_json("invalid_statement", fe.message, &fe);
        return -1;
    }
    /* the same file, for the same organisation and format, names the same
       import until it is finished */
    crypto_sha256(buf, len, d);
    crypto_hex(d, sizeof(d), digest);
    snprintf(digest + 2 * CRYPTO_SHA256_LEN,
             sizeof(digest) - 2 * CRYPTO_SHA256_LEN, ":%lld:%s",
             (long long)org_id, kind);
    p.apply = 1;
    p.actor = actor;
    p.now = now;
    /* tests interrupt an import (exit 3 after so many slices) and make
       its slices a given number of entries, however long they take */
    p.crash_after = crash != NULL ? atol(crash) : 0;
    p.slice_rows = rows != NULL && atol(rows) > 0 ? atol(rows) : SLICE_ROWS;
    p.slice_ms = p.slice_rows != SLICE_ROWS ? 1e12 : SLICE_MS;
    do {
        int64_t done = 0;

        p.rc = 0;
        rc = st->ops->bank_import_open(st, kind, digest, actor, now,
                                       &p.import_id, &done);
        if (rc == 0) {
            /* applied before this run began: replayed */
            if (tries == 1)
                p.sum.n_replayed = done;
            p.skip = done;
            rc = apply_pass(&p, buf, len, fmt, map);
        }
        /* a slice lost to a deadlock: applied again from where the
           import stands */
    } while (rc == -STORE_E_IO &&
             strcmp(store_error_code(), "storage_busy") == 0 &&
             tries++ < STORE_WRITE_TRIES);
    free(p.stmts);
    if (rc != 0) {
        *error = err_json(store_error_code(), store_error_message(), NULL);
        store_bank_summary_free(&p.sum);
        return -1;
    }
    sum = api_json_bank_summary(&p.sum);
    store_bank_summary_free(&p.sum);
    json_object_set_new(sum, "format", json_string(kind));
    *summary = sum;
    return 0;
}
