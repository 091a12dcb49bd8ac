/*
 * test_stall_feed.c: vendors' own payment feeds against the real server:
 * linking (consent, a stall without its own account refused), a
 * notification through each provider's shape (signed outside the code
 * under test) reaching the stall's announcements long poll, duplicates
 * announced once, the board's ledger, journal and daily report
 * untouched, every board read of a stall's transactions refused,
 * unlinking deleting the details, the shopper side of the adoption
 * statistics over a seeded month, and guessed stall keys rate limited.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "srvtest.h"
#include "stall_feeds.h"
#include "store.h"

static struct srvt srv;
static char admin[128], kiosk[128], board[128];

#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* A linked stall: its code, account and what linking answered. */
struct stall {
    const char *code;     /* payer code */
    const char *account;  /* its own account */
    const char *provider; /* its feed's provider */
    char path[96];        /* the webhook path */
    char api_key[256];    /* secrets */
    char hmac_key[256];
    char key[80]; /* the stall key */
    long long feed;
};

static struct stall stalls[] = {
    {"A-1", "0071000111001", "sepay", "", "", "", "", 0},
    {"A-2", "0071000111002", "casso", "", "", "", "", 0},
    {"A-3", "0071000111003", "payos", "", "", "", "", 0},
    {"A-4", "0071000111004", "generic", "", "", "", "", 0},
};

static void vn_now(char *out, size_t cap, int date_only)
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, cap, date_only ? "%Y-%m-%d" : "%Y-%m-%d %H:%M:%S", &tm);
}

/* A notification of `amount` with bank reference `ref` to stall `s`, in
 * its provider's shape, signed with its secret; the server's answer. */
static struct resp notify_stall(const struct stall *s, long long amount,
                                const char *ref)
{
    char body[2048], when[32], sig[300] = "", h1[400], h2[400], tss[32];
    const char *hdrs[4] = {"Content-Type: application/json", NULL, NULL, NULL};
    long long now = (long long)time(NULL);
    struct resp r;

    vn_now(when, sizeof(when), 0);
    if (strcmp(s->provider, "sepay") == 0) {
        snprintf(body, sizeof(body),
                 "{\"id\":%lld,\"gateway\":\"MBBank\",\"transactionDate\":"
                 "\"%s\",\"accountNumber\":\"%s\",\"code\":null,\"content\":"
                 "\"NGUYEN VAN KHACH chuyen tien mua rau\",\"transferType\":"
                 "\"in\",\"transferAmount\":%lld,\"accumulated\":0,"
                 "\"subAccount\":null,\"referenceCode\":\"%s\","
                 "\"description\":\"BankAPINotify %s\"}",
                 amount + 1000, when, s->account, amount, ref, ref);
        snprintf(h1, sizeof(h1), "Authorization: Apikey %s", s->api_key);
        hdrs[1] = h1;
    } else if (strcmp(s->provider, "casso") == 0) {
        snprintf(body, sizeof(body),
                 "{\"error\":0,\"data\":{\"id\":%lld,\"reference\":\"%s\","
                 "\"description\":\"Khách mua cá\",\"amount\":%lld,"
                 "\"runningBalance\":0,\"transactionDateTime\":\"%s\","
                 "\"accountNumber\":\"%s\",\"bankName\":\"Vietcombank\","
                 "\"bankAbbreviation\":\"VCB\",\"virtualAccountNumber\":\"\","
                 "\"virtualAccountName\":\"\",\"counterAccountName\":\"TRAN"
                 " KHACH\",\"counterAccountNumber\":\"0451000123\","
                 "\"counterAccountBankId\":\"970436\","
                 "\"counterAccountBankName\":\"Vietcombank\"}}",
                 amount + 2000, ref, amount, when, s->account);
        snprintf(tss, sizeof(tss), "%lld", now * 1000);
        st_sign("casso", s->hmac_key, tss, body, sig, sizeof(sig));
        snprintf(h1, sizeof(h1), "X-Casso-Signature: t=%s,v1=%s", tss, sig);
        hdrs[1] = h1;
    } else if (strcmp(s->provider, "payos") == 0) {
        char raw[2048];

        snprintf(raw, sizeof(raw),
                 "{\"code\":\"00\",\"desc\":\"success\",\"success\":true,"
                 "\"data\":{\"orderCode\":%lld,\"amount\":%lld,"
                 "\"description\":\"mua hoa\",\"accountNumber\":\"%s\","
                 "\"reference\":\"%s\",\"transactionDateTime\":\"%s\","
                 "\"currency\":\"VND\",\"paymentLinkId\":\"abc\",\"code\":"
                 "\"00\",\"desc\":\"Thành công\",\"counterAccountBankId\":"
                 "\"\",\"counterAccountBankName\":\"\",\"counterAccountName\":"
                 "null,\"counterAccountNumber\":null,\"virtualAccountName\":"
                 "\"\",\"virtualAccountNumber\":\"\"},\"signature\":\"x\"}",
                 amount + 3000, amount, s->account, ref, when);
        st_sign("payos", s->hmac_key, NULL, raw, body, sizeof(body));
    } else {
        char day[16];

        vn_now(day, sizeof(day), 1);
        snprintf(body, sizeof(body),
                 "{\"id\":\"g-%s\",\"account\":\"%s\",\"reference\":\"%s\","
                 "\"direction\":\"credit\",\"amount\":%lld,\"booked_at\":"
                 "\"%s\",\"description\":\"mua thit\",\"counter_account\":"
                 "{\"name\":\"DO KHACH\",\"number\":\"0071000123456\","
                 "\"bank\":\"970436\"}}",
                 ref, s->account, ref, amount, day);
        snprintf(tss, sizeof(tss), "%lld", now);
        st_sign("generic", s->hmac_key, tss, body, sig, sizeof(sig));
        snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %s", tss);
        snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", sig);
        hdrs[1] = h1;
        hdrs[2] = h2;
    }
    r = st_http(&srv, "POST", s->path, NULL, hdrs, body, strlen(body));
    if (r.status != 200)
        fprintf(stderr, "stall %s: %ld %s\n", s->code, r.status,
                r.body ? r.body : "");
    return r;
}

/* GET from server `s` the announcements of stall key `key` after
 * `after`, as chopay-loa and the /loa page ask. */
static struct resp announcements_on(const struct srvt *s, const char *key,
                                    long long after, int wait)
{
    char path[128], auth[128];
    const char *hdrs[] = {auth, NULL};

    snprintf(path, sizeof(path), "/v1/stall/announcements?after=%lld&wait=%d",
             after, wait);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    return st_http(s, "GET", path, NULL, hdrs, NULL, 0);
}

static struct resp announcements(const char *key, long long after, int wait)
{
    return announcements_on(&srv, key, after, wait);
}

struct poll_arg {
    const char *key; /* stall key */
    double t_end;    /* when the answer came */
    json_t *list;    /* its announcements */
};

static void *poller(void *p)
{
    struct poll_arg *a = p;
    struct resp r = announcements(a->key, 0, 30);

    a->t_end = st_now();
    a->list = json_incref(json_object_get(r.json, "announcements"));
    resp_free(&r);
    return NULL;
}

static void test_link(void)
{
    struct resp r;
    char path[96], body[256];
    size_t i;

    /* no account of its own: refused with a clear code */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers/A-1/feed", admin, NULL,
                "{\"provider\":\"sepay\",\"consent_by\":\"Nguyễn Thị Lan\"}");
    CHECK_INT(r.status, 409);
    CHECK_STR(resp_err(&r), "no_stall_account");
    resp_free(&r);
    /* bad input: unknown provider, no consent, kiosk credential */
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers/A-1/feed", admin, NULL,
                "{\"provider\":\"momo\",\"consent_by\":\"Lan\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers/A-1/feed", admin, NULL,
                "{\"provider\":\"sepay\"}");
    CHECK_INT(r.status, 400);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/orgs/MKT/payers/A-1/feed", kiosk, NULL,
                "{\"provider\":\"sepay\",\"consent_by\":\"Lan\"}");
    CHECK_INT(r.status, 403);
    resp_free(&r);
    for (i = 0; i < sizeof(stalls) / sizeof(stalls[0]); i++) {
        struct stall *s = &stalls[i];

        snprintf(path, sizeof(path), "/v1/orgs/MKT/payers/%s", s->code);
        snprintf(body, sizeof(body),
                 "{\"bank_bin\":\"970436\",\"bank_account\":\"%s\","
                 "\"bank_account_name\":\"CHU SAP %zu\"}",
                 s->account, i + 1);
        r = st_send(&srv, "PATCH", path, admin, NULL, body);
        CHECK_INT(r.status, 200);
        resp_free(&r);
        snprintf(path, sizeof(path), "/v1/orgs/MKT/payers/%s/feed", s->code);
        snprintf(body, sizeof(body),
                 "{\"provider\":\"%s\",\"consent_by\":\"Chủ sạp %s\"}",
                 s->provider, s->code);
        /* the board may link (A-2 by the board, the others by an admin) */
        r = st_send(&srv, "POST", path, i == 1 ? board : admin, NULL, body);
        CHECK_INT(r.status, 201);
        s->feed = JI(r, "feed");
        snprintf(s->path, sizeof(s->path), "%s",
                 JS(r, "path") ? JS(r, "path") : "");
        snprintf(s->key, sizeof(s->key), "%s",
                 JS(r, "stall_key") ? JS(r, "stall_key") : "");
        snprintf(s->api_key, sizeof(s->api_key), "%s",
                 JS(r, "api_key") ? JS(r, "api_key") : "");
        snprintf(s->hmac_key, sizeof(s->hmac_key), "%s",
                 JS(r, "hmac_key") ? JS(r, "hmac_key") : "");
        CHECK(strncmp(s->path, "/v1/stall-feeds/", 16) == 0);
        CHECK(strstr(s->path, s->provider) != NULL);
        CHECK(strlen(s->key) >= 16);
        /* SePay checks an API key, the others a checksum key */
        CHECK(i == 0 ? s->api_key[0] != '\0' : s->hmac_key[0] != '\0');
        resp_free(&r);
    }
    /* the consent is audited, without secrets or keys */
    CHECK_INT(st_audit_count(srv.dir, NULL, "stall.feed.link"), 4);
    CHECK_INT(st_audit_count_with(srv.dir, "stall.feed.link",
                                  "\"consent_by\":\"Chủ sạp A-1\""),
              1);
    CHECK_INT(st_audit_count_with(srv.dir, "stall.feed.link", stalls[0].key),
              0);
}

/* What the board's books show, to compare before and after. */
struct books {
    long long txns, payments, journal;
    char *report;
};

static void books_read(struct books *b)
{
    char day[16], path[96];
    struct resp r;

    b->txns = st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                            "transactions", NULL);
    b->payments =
        st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments", NULL);
    b->journal = st_journal_count(srv.dir, NULL, NULL);
    vn_now(day, sizeof(day), 1);
    snprintf(path, sizeof(path), "/v1/reports/daily?org=MKT&date=%s", day);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    b->report = r.body ? strdup(r.body) : NULL;
    resp_free(&r);
}

static void test_providers(void)
{
    struct books before, after;
    char out[4096], ref[32];
    size_t i;

    books_read(&before);
    for (i = 0; i < sizeof(stalls) / sizeof(stalls[0]); i++) {
        struct stall *s = &stalls[i];
        struct poll_arg pa = {s->key, 0, NULL};
        pthread_t th;
        struct resp r;
        double t_post;
        json_t *a;

        CHECK_INT(pthread_create(&th, NULL, poller, &pa), 0);
        usleep(300 * 1000); /* the poll is waiting */
        snprintf(ref, sizeof(ref), "FT2634%06zu", i + 1);
        t_post = st_now();
        r = notify_stall(s, 50000, ref);
        CHECK_INT(r.status, 200);
        CHECK_INT(JI(r, "counted"), 1);
        resp_free(&r);
        pthread_join(th, NULL);
        /* woken by the payment, long before the 30 s wait ends */
        printf("# %s: announced %.3f s after the notification\n", s->provider,
               pa.t_end - t_post);
        CHECK(pa.t_end - t_post < 5.0);
        CHECK_INT((long long)json_array_size(pa.list), 1);
        a = json_array_get(pa.list, 0);
        CHECK_INT(json_integer_value(json_object_get(a, "amount")), 50000);
        CHECK_STR(json_string_value(json_object_get(a, "words")),
                  "Đã nhận năm mươi nghìn đồng");
        CHECK(json_integer_value(json_object_get(a, "at")) > 0);
        /* nothing of the shopper in it */
        CHECK_INT((long long)json_object_size(a), 4);
        json_decref(pa.list);
        /* the same transfer again: counted once, announced once */
        r = notify_stall(s, 50000, ref);
        CHECK_INT(r.status, 200);
        CHECK_INT(JI(r, "counted"), 0);
        CHECK_INT(JI(r, "duplicates"), 1);
        resp_free(&r);
        r = announcements(s->key, 0, 0);
        CHECK_INT((long long)json_array_size(
                      json_object_get(r.json, "announcements")),
                  1);
        resp_free(&r);
    }
    /* a second payment to A-1 comes after the first one's id */
    {
        struct resp r = announcements(stalls[0].key, 0, 0);
        long long first = json_integer_value(json_object_get(
            json_array_get(json_object_get(r.json, "announcements"), 0), "id"));

        resp_free(&r);
        r = notify_stall(&stalls[0], 1250000, "FT2634999999");
        CHECK_INT(r.status, 200);
        resp_free(&r);
        r = announcements(stalls[0].key, first, 5);
        CHECK_INT((long long)json_array_size(
                      json_object_get(r.json, "announcements")),
                  1);
        CHECK_STR(
            json_string_value(json_object_get(
                json_array_get(json_object_get(r.json, "announcements"), 0),
                "words")),
            "Đã nhận một triệu hai trăm năm mươi nghìn đồng");
        resp_free(&r);
    }
    /* a wrong secret, a stall's key for another stall's path, a wrong
       provider in the path: refused, nothing counted */
    {
        struct stall bad = stalls[3];
        struct resp r;

        snprintf(bad.hmac_key, sizeof(bad.hmac_key), "not-the-stall-key");
        r = notify_stall(&bad, 70000, "FT2634777777");
        CHECK_INT(r.status, 401);
        resp_free(&r);
        bad = stalls[3];
        snprintf(bad.path, sizeof(bad.path), "/v1/stall-feeds/%lld/sepay",
                 stalls[3].feed);
        r = notify_stall(&bad, 70000, "FT2634777777");
        CHECK_INT(r.status, 404);
        resp_free(&r);
        /* A-1's account in A-4's notification */
        bad = stalls[3];
        bad.account = stalls[0].account;
        r = notify_stall(&bad, 70000, "FT2634777777");
        CHECK_INT(r.status, 403);
        resp_free(&r);
        r = announcements(stalls[3].key, 0, 0);
        CHECK_INT((long long)json_array_size(
                      json_object_get(r.json, "announcements")),
                  1);
        resp_free(&r);
    }
    /* the board's books are untouched */
    books_read(&after);
    CHECK_INT(after.txns, before.txns);
    CHECK_INT(after.payments, before.payments);
    CHECK_INT(after.journal, before.journal);
    CHECK(before.report != NULL && after.report != NULL &&
          strcmp(before.report, after.report) == 0);
    free(before.report);
    free(after.report);
    CHECK_INT(st_check(srv.dir, out, sizeof(out)), 0);
    CHECK(strstr(out, "ledger ok: ") != NULL);
}

static void test_scopes(void)
{
    const char *tok[] = {admin, board};
    char day[16], path[128];
    struct resp r;
    size_t i;

    vn_now(day, sizeof(day), 1);
    for (i = 0; i < 2; i++) {
        /* any read of a stall's transactions: 403 */
        r = st_get(&srv, "/v1/orgs/MKT/payers/A-1/feed/transactions", tok[i]);
        CHECK_INT(r.status, 403);
        CHECK_STR(resp_err(&r), "vendor_private");
        resp_free(&r);
        /* the announcements answer only a stall key */
        r = announcements(tok[i], 0, 0);
        CHECK_INT(r.status, 401);
        resp_free(&r);
        /* the aggregates: per day, no transaction, no id, no reference */
        snprintf(path, sizeof(path),
                 "/v1/orgs/MKT/payers/A-1/feed?from=%s&to=%s", day, day);
        r = st_get(&srv, path, tok[i]);
        CHECK_INT(r.status, 200);
        CHECK(json_is_true(json_object_get(r.json, "linked")));
        CHECK_INT(json_array_size(json_object_get(r.json, "days")), 1);
        CHECK_INT(json_integer_value(json_object_get(
                      json_array_get(json_object_get(r.json, "days"), 0),
                      "payments")),
                  2);
        CHECK_INT(
            json_integer_value(json_object_get(
                json_array_get(json_object_get(r.json, "days"), 0), "amount")),
            1300000);
        CHECK(strstr(r.body, "FT2634") == NULL);
        CHECK(strstr(r.body, "\"id\"") == NULL);
        resp_free(&r);
        /* neither the bank list nor the journal carry them */
        r = st_get(&srv, "/v1/orgs/MKT/bank/transactions?limit=1000", tok[i]);
        CHECK_INT(r.status, 200);
        CHECK(strstr(r.body, "FT2634") == NULL);
        resp_free(&r);
        r = st_get(&srv, "/v1/audit?limit=1000", tok[i]);
        CHECK(r.body == NULL || strstr(r.body, "FT2634") == NULL);
        resp_free(&r);
    }
    /* one stall key reads only its own stall */
    r = announcements(stalls[1].key, 0, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(
        (long long)json_array_size(json_object_get(r.json, "announcements")),
        1);
    resp_free(&r);
    /* the page for a vendor without a device */
    r = st_get(&srv, "/loa/A-1", NULL);
    CHECK_INT(r.status, 200);
    CHECK(r.body != NULL && strstr(r.body, "speechSynthesis") != NULL);
    CHECK(r.body != NULL && strstr(r.body, "vi-VN") != NULL);
    CHECK(r.body != NULL && strstr(r.body, "/v1/stall/announcements") != NULL);
    resp_free(&r);
}

static void test_unlink(void)
{
    struct stall *s = &stalls[3];
    char url[600], sql[160];
    struct resp r;

    r = st_http(&srv, "DELETE", "/v1/orgs/MKT/payers/A-4/feed", board, NULL,
                NULL, 0);
    CHECK_INT(r.status, 200);
    CHECK_INT(JI(r, "deleted"), 1);
    resp_free(&r);
    r = st_http(&srv, "DELETE", "/v1/orgs/MKT/payers/A-4/feed", board, NULL,
                NULL, 0);
    CHECK_INT(r.status, 404);
    resp_free(&r);
    /* the key is revoked, the path collects nothing */
    r = announcements(s->key, 0, 0);
    CHECK_INT(r.status, 401);
    resp_free(&r);
    r = notify_stall(s, 90000, "FT2634888888");
    CHECK_INT(r.status, 404);
    resp_free(&r);
    /* the details are gone, secrets and keys with them; the aggregate
       stays */
    st_db_url(srv.dir, url, sizeof(url));
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM stall_payments WHERE feed_id = %lld",
             s->feed);
    CHECK_INT(st_tamper(url, sql), 0);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM stall_feeds WHERE id = %lld AND"
             " (hmac_key <> '' OR ref_key <> '' OR active <> 0)",
             s->feed);
    CHECK_INT(st_tamper(url, sql), 0);
    CHECK_INT(st_tamper(url, "SELECT sum(amount) FROM stall_days d JOIN"
                             " payers y ON y.id = d.payer_id WHERE y.code ="
                             " 'A-4'"),
              50000);
    CHECK_INT(st_audit_count(srv.dir, NULL, "stall.feed.unlink"), 1);
}

/* Unix time of `day` (YYYY-MM-DD) at noon in Vietnam. */
static int64_t vn_noon(const char *day)
{
    struct tm tm;

    memset(&tm, 0, sizeof(tm));
    sscanf(day, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 5; /* 12:00 at UTC+7 */
    return (int64_t)timegm(&tm);
}

static void test_adoption_month(void)
{
    static const struct {
        int stall;       /* index in stalls */
        const char *day; /* when */
        long long amount;
    } seed[] = {
        {0, "2026-09-30", 40000}, {0, "2026-10-05", 10000},
        {0, "2026-10-05", 20000}, {0, "2026-10-05", 30000},
        {0, "2026-10-06", 50000}, {1, "2026-10-20", 100000},
        {1, "2026-11-01", 70000},
    };
    struct store *st = NULL;
    char url[600], ref[32];
    struct resp r;
    json_t *ss, *d;
    size_t i;

    st_db_url(srv.dir, url, sizeof(url));
    CHECK_INT(store_open(url, 1, &st), 0);
    for (i = 0; st != NULL && i < sizeof(seed) / sizeof(seed[0]); i++) {
        struct stall_feed f;
        int64_t id = 0;

        CHECK_INT(stall_feed_get(st, stalls[seed[i].stall].feed, &f), 0);
        snprintf(ref, sizeof(ref), "seed-%zu", i);
        CHECK_INT(stall_feed_add(st, &f, seed[i].amount, ref,
                                 vn_noon(seed[i].day), &id),
                  0);
        CHECK(id > 0);
    }
    store_close(st);
    /* standees for A-1 and A-5 (a standee shows the stall's own account) */
    r = st_send(&srv, "PATCH", "/v1/orgs/MKT/payers/A-5", admin, NULL,
                "{\"bank_bin\":\"970436\",\"bank_account\":\"0071000111005\","
                "\"bank_account_name\":\"CHU SAP 5\"}");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-1/standee?org=MKT", admin, NULL,
                "{}");
    CHECK_INT(r.status / 100, 2);
    resp_free(&r);
    r = st_send(&srv, "POST", "/v1/payers/A-5/standee?org=MKT", admin, NULL,
                "{}");
    CHECK_INT(r.status / 100, 2);
    resp_free(&r);

    r = st_get(&srv, "/v1/stats/adoption?org=MKT&from=2026-10-01&to=2026-10-31",
               admin);
    CHECK_INT(r.status, 200);
    ss = json_object_get(r.json, "shopper_side");
    CHECK(ss != NULL);
    CHECK_INT(json_integer_value(json_object_get(ss, "stalls")), 6);
    CHECK_INT(json_integer_value(json_object_get(ss, "with_standee")), 2);
    CHECK_INT(json_integer_value(json_object_get(ss, "with_feed")), 3);
    CHECK_INT(json_integer_value(json_object_get(ss, "active")), 2);
    CHECK_INT(json_integer_value(json_object_get(ss, "payments")), 5);
    CHECK_INT(json_integer_value(json_object_get(ss, "amount")), 210000);
    /* per active stall per day: 210000 / (2 stalls x 31 days) */
    d = json_object_get(ss, "per_active_stall_day");
    CHECK_INT(json_integer_value(json_object_get(d, "amount")), 3387);
    d = json_object_get(ss, "by_day");
    CHECK_INT((long long)json_array_size(d), 3);
    CHECK_STR(json_string_value(json_object_get(json_array_get(d, 0), "day")),
              "2026-10-05");
    CHECK_INT(
        json_integer_value(json_object_get(json_array_get(d, 0), "payments")),
        3);
    CHECK_INT(
        json_integer_value(json_object_get(json_array_get(d, 0), "amount")),
        60000);
    d = json_object_get(ss, "by_org");
    CHECK_INT((long long)json_array_size(d), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(d, 0), "org")),
              "MKT");
    resp_free(&r);

    /* the CSV export names the shopper side in Vietnamese */
    r = st_get(&srv,
               "/v1/stats/adoption?org=MKT&from=2026-10-01&to=2026-10-31"
               "&format=csv",
               admin);
    CHECK_INT(r.status, 200);
    CHECK(r.body != NULL && strstr(r.body, "Tiền khách trả thẳng cho sạp"));
    CHECK(r.body != NULL &&
          strstr(r.body, "\"Tổng\",6,2,3,2,5,210000,0.08,3387"));
    CHECK(r.body != NULL && strstr(r.body, "2026-10-05,1,3,60000"));
    resp_free(&r);

    /* per zone: A-5 has a standee and no shopper payment */
    r = st_get(&srv,
               "/v1/orgs/MKT/stall-activity?from=2026-10-01&to=2026-10-31",
               board);
    CHECK_INT(r.status, 200);
    d = json_array_get(json_object_get(r.json, "zones"), 0);
    CHECK_STR(json_string_value(json_object_get(d, "zone")), "A");
    CHECK_INT(json_integer_value(json_object_get(d, "with_standee")), 2);
    CHECK_INT(json_integer_value(json_object_get(d, "active")), 2);
    CHECK_INT(
        (long long)json_array_size(json_object_get(d, "standee_no_activity")),
        1);
    CHECK_STR(json_string_value(
                  json_array_get(json_object_get(d, "standee_no_activity"), 0)),
              "A-5");
    resp_free(&r);
}

/* Guessed stall keys count against the client's network like any failed
 * credential: 429 with the standard error once over the limit, while a
 * stall's own key still answers. On a second server with a small budget. */
static void test_key_guessing(const char *dir)
{
    struct srvt s2;
    char d2[256], conf[300], db[1024], key[64];
    const char *extra[] = {"--config", conf, "--db", db, NULL};
    int i, n401 = 0, n429 = 0;
    struct resp r;
    FILE *f;

    CHECK_INT(st_tmpdir(d2), 0);
    snprintf(conf, sizeof(conf), "%s/server.ini", d2);
    st_db_url(dir, db, sizeof(db));
    f = fopen(conf, "w");
    if (f == NULL) {
        CHECK(0);
        return;
    }
    fprintf(f, "[server]\nrate = 1\nburst = 5\nthreads = 2\n");
    fclose(f);
    if (st_start(&s2, d2, extra) != 0) {
        CHECK(0);
        return;
    }
    for (i = 0; i < 15; i++) {
        snprintf(key, sizeof(key), "stall_%032d", i);
        r = announcements_on(&s2, key, 0, 0);
        if (r.status == 401) {
            n401++;
            CHECK_STR(resp_err(&r), "unauthorized");
        } else if (r.status == 429) {
            n429++;
            CHECK_STR(resp_err(&r), "rate_limited");
            CHECK(json_is_string(
                json_object_get(json_object_get(r.json, "error"), "message")));
        } else {
            CHECK_INT(r.status, 401);
        }
        resp_free(&r);
    }
    CHECK(n401 >= 5 && n401 <= 8);
    CHECK(n429 >= 7);
    /* no key at all counts the same */
    r = st_get(&s2, "/v1/stall/announcements", NULL);
    CHECK_INT(r.status, 429);
    resp_free(&r);
    /* the stall's own key is not held up by a stranger's guesses */
    r = announcements_on(&s2, stalls[0].key, 0, 0);
    CHECK_INT(r.status, 200);
    resp_free(&r);
    CHECK_INT(st_stop(&s2), 0);
    if (th_failed == 0)
        st_rmtree(d2);
}

int main(void)
{
    char dir[256], cfg[400], out[2048];
    const char *extra[] = {"--config", cfg, NULL};
    const char *bt[] = {"token", "add",        "--role", "board", "--org",
                        "MKT",   "--data-dir", dir,      NULL};

    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    CHECK_INT(st_run(out, sizeof(out), bt), 0);
    st_last_line(out, board, sizeof(board));
    test_link();
    test_providers();
    test_scopes();
    test_unlink();
    test_adoption_month();
    CHECK_INT(st_check(srv.dir, out, sizeof(out)), 0);
    CHECK_INT(st_stop(&srv), 0);
    test_key_guessing(dir);
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
