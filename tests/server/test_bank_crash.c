/*
 * test_bank_crash.c: kill -9 during a flood of signed webhooks (16
 * connections); after a restart every notification that was answered 2xx
 * is in the ledger exactly once. Also: a journal entry left "received" by
 * a crash between journal and processing is processed at start-up; and
 * when storage cannot commit (another writer holds the database past the
 * busy timeout) the answer is 503, never 2xx, and nothing is recorded.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "harness.h"
#include "srvtest.h"

#define THREADS 16
#define PER     150

static struct srvt srv;

/* MKT's bank transactions matching `where` (st_count), by the API. */
#define TXNS(where)                                                            \
    st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",               \
                  "transactions", where)
static char admin[128], kiosk[128], code[16];
#define SPARE 2 /* bodies never sent in the flood, for the later checks */
#define TOTAL (THREADS * PER + SPARE)

static char *bodies[TOTAL];
static char sigs[TOTAL][130];
static long status_of[THREADS * PER];
static long long ts_all;

static void *flood(void *p)
{
    int t = (int)(long)p, i;
    char h1[64], h2[160];
    const char *hdrs[] = {h1, h2, NULL};

    snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %lld", ts_all);
    for (i = 0; i < PER; i++) {
        int k = t * PER + i;
        struct resp r;

        snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", sigs[k]);
        r = st_http(&srv, "POST", "/v1/bank/generic", NULL, hdrs, bodies[k],
                    strlen(bodies[k]));
        status_of[k] = r.status;
        resp_free(&r);
        if (status_of[k] == 0)
            break; /* the server is gone */
    }
    return NULL;
}

static int prepare(void)
{
    char tmp[] = "/tmp/chopay-flood-XXXXXX", cmd[600], date[16], line[128];
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;
    FILE *f, *p;
    int fd, k;

    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d", &tm);
    ts_all = (long long)time(NULL);
    fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    f = fdopen(fd, "w");
    for (k = 0; k < TOTAL; k++) {
        /* a third pay the intent (matched), the rest wait for review */
        if (asprintf(&bodies[k],
                     "{\"id\":\"F-%d\",\"account\":\"" ST_MKT_ACCOUNT "\","
                     "\"reference\":\"FT%08d\",\"direction\":\"credit\","
                     "\"amount\":%d,\"booked_at\":\"%s\",\"description\":"
                     "\"flood %d %s\"}",
                     k, k, 1000 + k, date, k, k % 3 == 0 ? code : "") < 0)
            return -1;
        fprintf(f, "%s\n", bodies[k]);
    }
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "python3 tests/server/sign_webhook.py lines '%s' %lld %s",
             ST_GENERIC_KEY, ts_all, tmp);
    p = popen(cmd, "r");
    for (k = 0; p && k < TOTAL && fgets(line, sizeof(line), p); k++) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(sigs[k], sizeof(sigs[k]), "%s", line);
    }
    if (p)
        pclose(p);
    unlink(tmp);
    return k == TOTAL ? 0 : -1;
}

int main(void)
{
    char dir[256], cfg[400], q[200];
    json_t *txns;
    const char *extra[] = {"--config", cfg, NULL};
    pthread_t th[THREADS];
    long long id, amount;
    int k, acked = 0, once = 0;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK_INT(st_intent(&srv, kiosk, "A-1", "c-1", code, &id, &amount), 0);
    CHECK_INT(prepare(), 0);
    for (k = 0; k < THREADS; k++)
        pthread_create(&th[k], NULL, flood, (void *)(long)k);
    usleep(500000);
    st_kill(&srv); /* kill -9 in the middle of the flood */
    for (k = 0; k < THREADS; k++)
        pthread_join(th[k], NULL);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    txns =
        st_list(&srv, admin, "/v1/orgs/MKT/bank/transactions", "transactions");
    CHECK(txns != NULL);
    for (k = 0; k < THREADS * PER; k++) {
        if (status_of[k] != 200)
            continue;
        acked++;
        snprintf(q, sizeof(q), "provider=generic&provider_txn_id=F-%d", k);
        once += st_count(txns, q) == 1;
    }
    json_decref(txns);
    printf("flood: %d answered 2xx before kill -9, %d in the ledger once\n",
           acked, once);
    CHECK(acked > 0);
    CHECK(acked < THREADS * PER); /* the kill did land mid-flood */
    CHECK_INT(once, acked);
    CHECK_INT(st_journal_count(dir, "received", NULL), 0);
    /* matched ones have their payment; nothing counted twice */
    CHECK_INT(st_check(dir, NULL, 0), 0);
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments",
                            "method=transfer"),
              TXNS("state=matched"));
    /* a notification journaled but never processed (a crash right after
       the journal's commit) is processed at start-up */
    CHECK_INT(st_stop(&srv), 0);
    {
        char path[1024];
        char *sql = NULL;

        st_db_url(dir, path, sizeof(path));
        CHECK(asprintf(&sql,
                       "INSERT INTO bank_journal(provider, org_id,"
                       " received_at, headers, body, verified, state)"
                       " VALUES ('generic', 1, 0, '{}', CAST('%s' AS %s),"
                       " 'ok', 'received')",
                       bodies[THREADS * PER],
                       strncmp(path, "sqlite:", 7) == 0 ? "BLOB" : "BYTEA") >
              0);
        /* a spare body, never sent: its own id; no request journals
           without processing, so the crash's leftover is planted */
        CHECK_INT(st_tamper(path, sql), 0);
        free(sql);
    }
    CHECK_INT(st_start(&srv, dir, extra), 0);
    snprintf(q, sizeof(q), "provider_txn_id=F-%d", THREADS * PER);
    CHECK_INT(TXNS(q), 1);
    CHECK_INT(st_journal_count(dir, "received", NULL), 0);
    {
        /* storage unavailable: 503 and nothing recorded; then it works */
        char path[1024], h1[64], h2[160];
        const char *hdrs[] = {h1, h2, NULL};
        const char *body = bodies[THREADS * PER + 1];
        struct db *db = NULL;
        struct resp r;

        st_db_url(dir, path, sizeof(path));
        CHECK_INT(db_open(path, DB_NOCREATE, &db, NULL, 0), 0);
        /* the write lock, held past the server's busy timeout */
        CHECK_INT(db != NULL ? db_begin(db, DB_WRITE) : -1, 0);
        snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %lld", ts_all);
        snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s",
                 sigs[THREADS * PER + 1]);
        r = st_http(&srv, "POST", "/v1/bank/generic", NULL, hdrs, body,
                    strlen(body));
        CHECK_INT(r.status, 503);
        CHECK_STR(resp_err(&r), "storage_unavailable");
        resp_free(&r);
        if (db != NULL)
            db_end(db, -1);
        db_close(db);
        snprintf(q, sizeof(q), "provider_txn_id=F-%d", THREADS * PER + 1);
        CHECK_INT(TXNS(q), 0);
        r = st_http(&srv, "POST", "/v1/bank/generic", NULL, hdrs, body,
                    strlen(body));
        CHECK_INT(r.status, 200);
        resp_free(&r);
        CHECK_INT(TXNS(q), 1);
    }
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    for (k = 0; k < TOTAL; k++)
        free(bodies[k]);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
