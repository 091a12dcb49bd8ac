/*
 * test_bank_group.c: webhooks posted at once, which the server journals
 * and books in shared commits, each answered with its own result: every
 * delivery journaled and processed, a transfer delivered twice at once
 * recorded once, a payment code paying its intent, and a delivery the
 * ledger refuses answered 422 with its entry kept "invalid" while the
 * others are booked; intents and cash made at once, each with its own
 * answer.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"

#define THREADS 8 /* posting at once */
#define PER     6 /* deliveries each */
#define REFUSED 777

static struct srvt srv;

#define JI(r, k) json_integer_value(json_object_get((r).json, k))
static char admin[128], kiosk[128];

/* One delivery and what it was answered. */
struct post {
    char *body;        /* signed SePay notification */
    char sig[100];     /* its signature */
    char ts[24];       /* its timestamp */
    long status;       /* HTTP status */
    long long journal; /* "journal" of the answer, 0 none */
    long long txn;     /* "transactions"[0].id, 0 none */
    int replayed;      /* "transactions"[0].replayed */
    char error[40];    /* error code of a 4xx/5xx answer */
};

static struct post posts[THREADS][PER];

static char *sepay_body(long long id, const char *content, long long amount)
{
    char *b = NULL;

    if (asprintf(&b,
                 "{\"id\":%lld,\"gateway\":\"MBBank\",\"transactionDate\":"
                 "\"2026-11-22 10:00:00\",\"accountNumber\":\"" ST_MKT_ACCOUNT
                 "\",\"code\":null,\"content\":\"%s\",\"transferType\":"
                 "\"in\",\"transferAmount\":%lld,\"accumulated\":0,"
                 "\"subAccount\":null,\"referenceCode\":\"FT%lld\","
                 "\"description\":\"\"}",
                 id, content, amount, id) < 0)
        return NULL;
    return b;
}

static void *poster(void *arg)
{
    struct post *p = arg;
    int k;

    for (k = 0; k < PER; k++, p++) {
        char h1[200], h2[64], h3[200];
        const char *hdrs[4] = {h1, h2, h3, NULL};
        struct resp r;
        json_t *t;

        snprintf(h1, sizeof(h1), "Authorization: Apikey %s", ST_SEPAY_KEY);
        snprintf(h2, sizeof(h2), "X-SePay-Timestamp: %s", p->ts);
        snprintf(h3, sizeof(h3), "X-SePay-Signature: sha256=%s", p->sig);
        r = st_http(&srv, "POST", "/v1/bank/sepay", NULL, hdrs, p->body,
                    strlen(p->body));
        p->status = r.status;
        p->journal = json_integer_value(json_object_get(r.json, "journal"));
        t = json_array_get(json_object_get(r.json, "transactions"), 0);
        p->txn = json_integer_value(json_object_get(t, "id"));
        p->replayed = json_is_true(json_object_get(t, "replayed"));
        snprintf(p->error, sizeof(p->error), "%s", resp_err(&r));
        resp_free(&r);
    }
    return NULL;
}

/* Sign every delivery, then post them from THREADS threads at once. */
static void post_all(void)
{
    pthread_t th[THREADS];
    int i, k;

    for (i = 0; i < THREADS; i++)
        for (k = 0; k < PER; k++) {
            struct post *p = &posts[i][k];

            snprintf(p->ts, sizeof(p->ts), "%lld", (long long)time(NULL));
            if (p->body == NULL ||
                st_sign("sepay", ST_SEPAY_HMAC, p->ts, p->body, p->sig,
                        sizeof(p->sig)) != 0)
                snprintf(p->sig, sizeof(p->sig), "00");
        }
    for (i = 0; i < THREADS; i++)
        CHECK_INT(pthread_create(&th[i], NULL, poster, posts[i]), 0);
    for (i = 0; i < THREADS; i++)
        pthread_join(th[i], NULL);
}

/* Make the ledger refuse a transfer of REFUSED đồng: a state no request
 * can make, for the one path that is never expected. */
static int refuse_amount(void)
{
    char url[400];

    st_db_url(srv.dir, url, sizeof(url));
    if (st_on_pg())
        return (int)st_tamper(
            url, "CREATE FUNCTION refuse_amount() RETURNS trigger"
                 " LANGUAGE plpgsql AS $$BEGIN IF NEW.amount = 777 THEN"
                 " RAISE EXCEPTION 'refused_for_test'; END IF;"
                 " RETURN NEW; END$$;"
                 " CREATE TRIGGER refuse_amount BEFORE INSERT ON bank_txns"
                 " FOR EACH ROW EXECUTE FUNCTION refuse_amount();");
    return (int)st_tamper(url,
                          "CREATE TRIGGER refuse_amount BEFORE INSERT ON"
                          " bank_txns WHEN NEW.amount = 777 BEGIN"
                          " SELECT RAISE(ABORT, 'refused_for_test'); END;");
}

static void test_group(void)
{
    char dir[256], cfg[300], code[16] = "", path[64], content[64];
    const char *extra[] = {"--config", cfg, NULL};
    long long intent = 0, amount = 0, first = 0;
    int i, k, ok = 0, refused = 0, replayed = 0, dup_same = 1;
    int journals_distinct = 1;
    struct resp r;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK_INT(st_intent(&srv, kiosk, "A-1", "group-1", code, &intent, &amount),
              0);
    CHECK_INT(refuse_amount(), 0);
    /* threads 0 and 1 deliver the same transfers; thread 2's third
       carries the intent's code; the fourth of every thread is refused */
    for (i = 0; i < THREADS; i++)
        for (k = 0; k < PER; k++) {
            long long id = 880000 + (i == 1 ? 0 : i) * 100 + k;

            snprintf(content, sizeof(content), "%s chuyen tien",
                     i == 2 && k == 2 ? code : "khong ma");
            posts[i][k].body = sepay_body(id, content,
                                          k == 3             ? REFUSED
                                          : i == 2 && k == 2 ? amount
                                                             : 1000 + k);
        }
    post_all();
    for (i = 0; i < THREADS; i++)
        for (k = 0; k < PER; k++) {
            struct post *p = &posts[i][k];
            int j, m;

            if (k == 3) {
                refused += p->status == 422 &&
                           strcmp(p->error, "processing_failed") == 0;
                continue;
            }
            ok += p->status == 200 && p->journal > 0 && p->txn > 0;
            replayed += p->replayed;
            if (i == 1 && p->txn != posts[0][k].txn)
                dup_same = 0;
            for (j = 0; j < THREADS; j++)
                for (m = 0; m < PER; m++)
                    if ((j != i || m != k) && p->journal > 0 &&
                        posts[j][m].journal == p->journal)
                        journals_distinct = 0;
            first = first == 0 || p->journal < first ? p->journal : first;
        }
    CHECK_INT(ok, THREADS * (PER - 1));
    CHECK_INT(refused, THREADS);
    /* the transfers delivered twice: one record, the later answer says
       it is a replay */
    CHECK_INT(dup_same, 1);
    CHECK_INT(replayed, PER - 1);
    CHECK_INT(journals_distinct, 1);
    /* every delivery journaled: processed, or invalid with the reason */
    CHECK_INT(st_journal_count(dir, "processed", NULL), THREADS * (PER - 1));
    CHECK_INT(st_journal_count(dir, "invalid", NULL), THREADS);
    CHECK_INT(st_journal_count(dir, "invalid", "detail~=refused_for_test"),
              THREADS);
    CHECK_INT(st_journal_count(dir, "received", NULL), 0);
    snprintf(path, sizeof(path), "/v1/intents/%lld", intent);
    r = st_get(&srv, path, kiosk);
    CHECK_STR(resp_err(&r), "");
    CHECK(r.json != NULL &&
          strcmp(json_string_value(json_object_get(r.json, "status")),
                 "paid") == 0);
    resp_free(&r);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    for (i = 0; i < THREADS; i++)
        for (k = 0; k < PER; k++)
            free(posts[i][k].body);
    if (th_failed == 0)
        st_rmtree(dir);
}

/* What one thread of test_mixed made, and was answered. */
struct mixed {
    int n;                  /* payer A-n */
    long intent, cash;      /* statuses: an intent, cash */
    long stranger, too_big; /* an unknown payer's intent, cash over dues */
    long long intent_id, remaining;
    char stranger_err[40], too_big_err[40];
};

/* POST the body printf makes of `fmt` to `path` with idempotency key
 * PREFIX-n: the status, its error code into err (40 bytes), `key` of the
 * answer into *value (either may be NULL). */
static long post_for(const struct mixed *m, const char *path,
                     const char *prefix, char *err, const char *key,
                     long long *value, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static long post_for(const struct mixed *m, const char *path,
                     const char *prefix, char *err, const char *key,
                     long long *value, const char *fmt, ...)
{
    char b[200], idem[40];
    struct resp r;
    va_list ap;
    long status;

    va_start(ap, fmt);
    vsnprintf(b, sizeof(b), fmt, ap);
    va_end(ap);
    snprintf(idem, sizeof(idem), "%s-%d", prefix, m->n);
    r = st_send(&srv, "POST", path, kiosk, idem, b);
    status = r.status;
    if (err != NULL)
        snprintf(err, 40, "%s", resp_err(&r));
    if (value != NULL)
        *value = JI(r, key);
    resp_free(&r);
    return status;
}

static void *mixed_thread(void *arg)
{
    struct mixed *m = arg;

    m->intent =
        post_for(m, "/v1/intents", "mixed-intent", NULL, "id", &m->intent_id,
                 "{\"payer\":\"A-%d\",\"invoices\":\"all\"}", m->n);
    m->stranger =
        post_for(m, "/v1/intents", "mixed-stranger", m->stranger_err, NULL,
                 NULL, "%s", "{\"payer\":\"ZZ-9\",\"invoices\":\"all\"}");
    m->cash = post_for(m, "/v1/cash", "mixed-cash", NULL, "remaining_due",
                       &m->remaining,
                       "{\"payer\":\"A-%d\",\"invoices\":\"all\","
                       "\"amount\":200000,\"collector\":\"Chị Hoa\"}",
                       m->n);
    m->too_big =
        post_for(m, "/v1/cash", "mixed-big", m->too_big_err, NULL, NULL,
                 "{\"payer\":\"A-%d\",\"invoices\":\"all\","
                 "\"amount\":9000000,\"collector\":\"Chị Hoa\"}",
                 m->n);
    return NULL;
}

/* Intents and cash made at once share commits as webhooks do: each is
 * answered with its own result, one refused is undone alone, and the
 * ledger's invariants hold after. */
static void test_mixed(void)
{
    struct mixed m[6];
    pthread_t th[6];
    char dir[256], cfg[300];
    const char *extra[] = {"--config", cfg, NULL};
    int i;

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    memset(m, 0, sizeof(m));
    for (i = 0; i < 6; i++) {
        m[i].n = i + 1;
        CHECK_INT(pthread_create(&th[i], NULL, mixed_thread, &m[i]), 0);
    }
    for (i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    for (i = 0; i < 6; i++) {
        CHECK_INT(m[i].intent, 201);
        CHECK(m[i].intent_id > 0);
        CHECK_INT(m[i].stranger, 404);
        CHECK_STR(m[i].stranger_err, "payer_not_found");
        CHECK_INT(m[i].cash, 201);
        CHECK_INT(m[i].remaining, 800000);
        CHECK_INT(m[i].too_big, 400);
        CHECK_STR(m[i].too_big_err, "amount_exceeds_due");
    }
    /* the same intent again: its answer replayed, nothing new */
    {
        long long id = 0, amount = 0;
        char code[16];

        CHECK_INT(
            st_intent(&srv, kiosk, "A-1", "mixed-intent-1", code, &id, &amount),
            0);
        CHECK_INT(id, m[0].intent_id);
    }
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_group();
    test_mixed();
    curl_global_cleanup();
    return TEST_END();
}
