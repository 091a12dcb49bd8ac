/*
 * test_crash.c: crash safety. A client creates intents and records cash
 * while the server is killed with SIGKILL at a random moment, three times
 * over. After each restart every request that got a 2xx is there exactly
 * once (replays return the same object and add nothing), the ledger
 * invariant holds and SQLite's integrity_check says "ok".
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"

#define MAX_OK 20000

struct done {
    char key[32];   /* Idempotency-Key */
    char body[160]; /* the exact body sent */
    int cash;       /* 1 cash, 0 intent */
    int64_t id;     /* intent id or payment id from the 2xx */
};

static struct srvt srv;
static char kiosk[128];
static struct done ok[MAX_OK];
static atomic_int n_ok; /* written by the client thread */
static atomic_int stop;

struct client {
    int cycle; /* which kill cycle */
    int sent;  /* requests sent */
};

static void *client_main(void *p)
{
    struct client *c = p;
    int i;

    for (i = 0; !atomic_load(&stop) && n_ok < MAX_OK; i++) {
        struct done d;
        struct resp r;

        memset(&d, 0, sizeof(d));
        d.cash = i % 2;
        snprintf(d.key, sizeof(d.key), "%c-%d-%d", d.cash ? 'c' : 'i', c->cycle,
                 i);
        if (d.cash)
            snprintf(d.body, sizeof(d.body),
                     "{\"payer\":\"P-%d\",\"amount\":1000,\"collector\":"
                     "\"Chị Hoa\"}",
                     i % 30 + 1);
        else
            snprintf(d.body, sizeof(d.body),
                     "{\"payer\":\"P-%d\",\"invoices\":\"all\"}", i % 30 + 1);
        r = st_send(&srv, "POST", d.cash ? "/v1/cash" : "/v1/intents", kiosk,
                    d.key, d.body);
        c->sent++;
        if (r.status == 201) {
            d.id = json_integer_value(
                json_object_get(r.json, d.cash ? "payment" : "id"));
            ok[atomic_load(&n_ok)] = d;
            atomic_fetch_add(&n_ok, 1);
        } else if (r.status == 0) {
            resp_free(&r);
            break; /* the server is gone */
        } else {
            fprintf(stderr, "unexpected %ld: %s\n", r.status,
                    r.body ? r.body : "");
        }
        resp_free(&r);
    }
    return NULL;
}

static void check_db(const char *dir, int64_t *payments)
{
    char url[300];

    st_db_url(dir, url, sizeof(url));
    /* the file itself is sound (an SQLite database): a look at the
       storage, which is what kill -9 threatens */
    if (strncmp(url, "sqlite:", 7) == 0)
        CHECK_INT(st_tamper(url, "SELECT count(*) FROM pragma_integrity_check"
                                 " WHERE integrity_check <> 'ok'"),
                  0);
    /* the payments kept: each cash payment is audited in the transaction
       that books it */
    *payments = st_audit_count(dir, NULL, "payment.cash");
    /* the ledger's invariants, after kill -9 and restarts */
    CHECK_INT(st_check(dir, NULL, 0), 0);
}

static void setup(const char *dir, const char *conf)
{
    const char *init[] = {"init", "--data-dir", dir, NULL};
    const char *adm[] = {"token",      "add", "--role", "admin",
                         "--data-dir", dir,   NULL};
    const char *kadd[] = {"kiosk", "add",        "--org", "MKT", "--name",
                          "k",     "--data-dir", dir,     NULL};
    char csv[300], buf[4096], admin[128];
    const char *imp[] = {"import", "payers",     "--org", "MKT",
                         csv,      "--data-dir", dir,     NULL};
    const char *gen1[] = {"invoices", "generate",   "--org", "MKT", "--period",
                          "2026-11",  "--data-dir", dir,     NULL};
    const char *extra[] = {"--config", conf, NULL};
    struct resp r;
    FILE *f;
    int i;

    CHECK_INT(st_run(NULL, 0, init), 0);
    CHECK_INT(st_run(buf, sizeof(buf), adm), 0);
    st_last_line(buf, admin, sizeof(admin));
    CHECK_INT(st_start(&srv, dir, extra), 0);
    r = st_send(&srv, "POST", "/v1/orgs", admin, NULL,
                "{\"code\":\"MKT\",\"kind\":\"market\",\"name\":\"Chợ Đêm\","
                "\"bank_bin\":\"970418\",\"account\":\"2141000123456\","
                "\"account_name\":\"CHO DEM\",\"prefix\":\"CD\"}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/fees", admin, NULL,
                "{\"code\":\"THUE\",\"label\":\"Tiền thuê\",\"kind\":"
                "\"monthly\",\"amount\":50000000}");
    CHECK_INT(r.status, 201);
    resp_free(&r);
    CHECK_INT(st_stop(&srv), 0);
    /* payers through the command-line import */
    snprintf(csv, sizeof(csv), "%s/payers.csv", dir);
    f = fopen(csv, "w");
    fprintf(f, "code,name,zone\n");
    for (i = 1; i <= 30; i++)
        fprintf(f, "P-%d,Tiểu thương số %d,A\n", i, i);
    fclose(f);
    CHECK_INT(st_run(buf, sizeof(buf), imp), 0);
    CHECK(strstr(buf, "imported 30 payers") != NULL);
    CHECK_INT(st_run(buf, sizeof(buf), gen1), 0);
    CHECK_INT(st_run(buf, sizeof(buf), kadd), 0);
    st_last_line(buf, kiosk, sizeof(kiosk));
}

int main(void)
{
    char dir[256], conf[300];
    const char *extra[] = {"--config", conf, NULL};
    int cycle, i;
    int64_t before = 0, after = 0;
    FILE *f;

    curl_global_init(CURL_GLOBAL_ALL);
    srand((unsigned)time(NULL));
    CHECK_INT(st_tmpdir(dir), 0);
    snprintf(conf, sizeof(conf), "%s/server.ini", dir);
    f = fopen(conf, "w");
    fprintf(f, "[server]\nrate = 0\nthreads = 2\n");
    fclose(f);
    setup(dir, conf);
    for (cycle = 0; cycle < 3; cycle++) {
        struct client c = {cycle, 0};
        pthread_t th;
        int had = n_ok;

        CHECK_INT(st_start(&srv, dir, extra), 0);
        atomic_store(&stop, 0);
        pthread_create(&th, NULL, client_main, &c);
        /* let some requests through (a loaded or ASan machine is slow),
           then kill at a random moment */
        {
            double t0 = st_now();

            while (n_ok < had + 20 && st_now() - t0 < 20)
                usleep(10000);
        }
        usleep((useconds_t)(rand() % 400000));
        st_kill(&srv);
        pthread_join(th, NULL);
        CHECK(n_ok > had); /* something succeeded before the kill */
        fprintf(stderr, "cycle %d: %d requests, %d answered 2xx\n", cycle,
                c.sent, n_ok - had);
    }
    /* restart and check every acknowledged request */
    check_db(dir, &before);
    CHECK(before > 0);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    {
        int missing = 0, wrong = 0;

        for (i = 0; i < n_ok; i++) {
            struct resp r;

            if (ok[i].cash) {
                r = st_send(&srv, "POST", "/v1/cash", kiosk, ok[i].key,
                            ok[i].body);
                if (r.status != 201 || !r.replayed ||
                    json_integer_value(json_object_get(r.json, "payment")) !=
                        ok[i].id)
                    wrong++;
            } else {
                char path[64];

                snprintf(path, sizeof(path), "/v1/intents/%lld",
                         (long long)ok[i].id);
                r = st_get(&srv, path, kiosk);
                if (r.status != 200)
                    missing++;
                resp_free(&r);
                r = st_send(&srv, "POST", "/v1/intents", kiosk, ok[i].key,
                            ok[i].body);
                if (r.status != 201 || !r.replayed ||
                    json_integer_value(json_object_get(r.json, "id")) !=
                        ok[i].id)
                    wrong++;
            }
            resp_free(&r);
        }
        CHECK_INT(missing, 0);
        CHECK_INT(wrong, 0);
    }
    CHECK_INT(st_stop(&srv), 0);
    check_db(dir, &after);
    CHECK_INT(after, before); /* replays added nothing */
    fprintf(stderr, "%d acknowledged requests checked, %lld payments\n", n_ok,
            (long long)after);
    if (th_failed == 0)
        st_rmtree(dir);
    curl_global_cleanup();
    return TEST_END();
}
