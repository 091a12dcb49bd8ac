/*
 * test_bank_journal.c: what strangers can make the webhook journal keep.
 * A flood of bad-signature and malformed posts with large bodies leaves
 * only headers, a bounded body prefix and the body's length and SHA-256,
 * bounded in count (at once) and bytes (by the housekeeping); with free
 * space below the reserve nothing unverified is written. A verified
 * notification after each flood is still journaled verbatim and booked.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "harness.h"
#include "srvtest.h"

#define BIG 16384 /* bytes of a flooding body */

static struct srvt srv;
static char admin[128], kiosk[128];

/* A SePay notification for MKT's account with a `pad`-byte extra field. */
static char *sepay_body(long long id, const char *code, long long amount,
                        size_t pad)
{
    char *b = NULL, *fill = malloc(pad + 1);

    if (fill == NULL)
        return NULL;
    memset(fill, 'x', pad);
    fill[pad] = '\0';
    if (asprintf(&b,
                 "{\"id\":%lld,\"gateway\":\"MBBank\",\"transactionDate\":"
                 "\"2026-11-22 10:00:00\",\"accountNumber\":\"" ST_MKT_ACCOUNT
                 "\",\"code\":null,\"content\":\"%s chuyen tien\","
                 "\"transferType\":\"in\",\"transferAmount\":%lld,"
                 "\"accumulated\":0,\"subAccount\":null,\"referenceCode\":"
                 "\"FT%lld\",\"description\":\"\",\"note\":\"%s\"}",
                 id, code, amount, id, fill) < 0)
        b = NULL;
    free(fill);
    return b;
}

/* POST `body` to /v1/bank/sepay signed with HMAC key `hk`. */
static long post_sepay(const char *body, const char *hk)
{
    char h1[300], h2[64], h3[300], sig[200] = "", tss[32];
    const char *hdrs[5] = {"Content-Type: application/json", h1, h2, h3, NULL};
    struct resp r;
    long status;

    snprintf(tss, sizeof(tss), "%lld", (long long)time(NULL));
    snprintf(h1, sizeof(h1), "Authorization: Apikey %s", ST_SEPAY_KEY);
    snprintf(h2, sizeof(h2), "X-SePay-Timestamp: %s", tss);
    if (st_sign("sepay", hk, tss, body, sig, sizeof(sig)) != 0)
        snprintf(sig, sizeof(sig), "00");
    snprintf(h3, sizeof(h3), "X-SePay-Signature: sha256=%s", sig);
    r = st_http(&srv, "POST", "/v1/bank/sepay", NULL, hdrs, body, strlen(body));
    status = r.status;
    resp_free(&r);
    return status;
}

/* `n` posts with a wrong signature and `n` malformed ones, BIG each. */
static void flood(int n, long long first_id)
{
    char *junk = malloc(BIG + 1);
    int i, bad = 0;

    if (junk == NULL)
        return;
    memset(junk, '{', BIG);
    junk[BIG] = '\0';
    for (i = 0; i < n; i++) {
        char *b = sepay_body(first_id + i, "CT00000000", 1000, BIG);
        struct resp r;

        if (b == NULL || post_sepay(b, "not-the-sepay-secret") != 401)
            bad++;
        free(b);
        r = st_http(&srv, "POST", "/v1/bank/sepay", NULL, NULL, junk, BIG);
        if (r.status != 400)
            bad++;
        resp_free(&r);
    }
    CHECK_INT(bad, 0);
    free(junk);
}

/*
 * The journal entries of the running server that failed their signature
 * (rejected or invalid, not verified "ok"), as `chopay-server journal
 * list` shows them: a new array, oldest first.
 */
static json_t *unverified(void)
{
    json_t *j = st_journal(srv.dir, NULL), *e, *out = json_array();
    size_t i;

    json_array_foreach(json_object_get(j, "entries"), i, e)
    {
        const char *state = json_string_value(json_object_get(e, "state"));
        const char *ver = json_string_value(json_object_get(e, "verified"));

        if (state != NULL && ver != NULL && strcmp(ver, "ok") != 0 &&
            (strcmp(state, "rejected") == 0 || strcmp(state, "invalid") == 0))
            json_array_append(out, e);
    }
    json_decref(j);
    return out;
}

/* What `u` (entries of unverified()) hold: kind 0 their count, 1 the
 * largest body kept, 2 body + headers bytes, 3 the bytes the journal's
 * limits count (headers, body, detail). */
static long long held(int kind)
{
    json_t *u = unverified(), *e;
    long long v = 0;
    size_t i;

    json_array_foreach(u, i, e)
    {
        long long body = json_integer_value(json_object_get(e, "body_bytes"));
        long long bytes = json_integer_value(json_object_get(e, "bytes"));
        const char *detail = json_string_value(json_object_get(e, "detail"));

        if (kind == 0)
            v++;
        else if (kind == 1 && body > v)
            v = body;
        else if (kind == 2)
            v += bytes - (long long)strlen(detail ? detail : "");
        else if (kind == 3)
            v += bytes;
    }
    json_decref(u);
    return v;
}

/*
 * A verified notification paying payer `payer`'s dues after a flood: 200,
 * journaled whole with its headers, booked.
 */
static void verified_after(const char *payer, const char *idem, long long id)
{
    char code[16], q[120], *b;
    long long iid = 0, amount = 0;
    json_t *j, *last;

    CHECK_INT(st_intent(&srv, kiosk, payer, idem, code, &iid, &amount), 0);
    b = sepay_body(id, code, amount, 10);
    CHECK(b != NULL);
    if (b == NULL)
        return;
    CHECK_INT(post_sepay(b, ST_SEPAY_HMAC), 200);
    /* the newest entry is it: verified, processed, its body whole */
    j = st_journal(srv.dir, NULL);
    last = json_array_get(json_object_get(j, "entries"),
                          json_array_size(json_object_get(j, "entries")) - 1);
    CHECK_STR(json_string_value(json_object_get(last, "verified")), "ok");
    CHECK_STR(json_string_value(json_object_get(last, "state")), "processed");
    CHECK_INT(json_integer_value(json_object_get(last, "body_bytes")),
              (long long)strlen(b));
    CHECK(json_object_get(json_object_get(last, "headers"), "(body)") == NULL);
    json_decref(j);
    snprintf(q, sizeof(q), "state=matched&intent_id=%lld&amount=%lld", iid,
             amount);
    CHECK_INT(st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                            "transactions", q),
              1);
    free(b);
}

/* How many unverified entries carry the note `note` of a cut body under
 * "(body)" in their headers, beside the provider's timestamp header. */
static long long with_body_note(const char *note)
{
    json_t *u = unverified(), *e;
    long long n = 0;
    size_t i;

    json_array_foreach(u, i, e)
    {
        json_t *h = json_object_get(e, "headers");
        const char *v = json_string_value(json_object_get(h, "(body)"));

        n += v != NULL && strcmp(v, note) == 0 &&
             json_object_get(h, "X-SePay-Timestamp") != NULL;
    }
    json_decref(u);
    return n;
}

/* 1 when the journal's newest entry is an unverified one (the flood's
 * last delivery was kept), else 0. */
static int newest_kept(void)
{
    json_t *all = st_journal(srv.dir, NULL), *u = unverified();
    json_t *a = json_object_get(all, "entries");
    long long last_all = json_integer_value(
        json_object_get(json_array_get(a, json_array_size(a) - 1), "id"));
    long long last_u = json_integer_value(
        json_object_get(json_array_get(u, json_array_size(u) - 1), "id"));

    json_decref(all);
    json_decref(u);
    return last_all > 0 && last_all == last_u;
}

/* Start a server on `dir` with `extra_ini` added to its config. */
static int start(const char *dir, const char *extra_ini)
{
    static char cfg[400];
    static const char *extra[] = {"--config", cfg, NULL};
    FILE *f;

    if (st_bank_config(dir, cfg, sizeof(cfg)) != 0)
        return -1;
    f = fopen(cfg, "a");
    if (f == NULL)
        return -1;
    fprintf(f, "\n[server]\n%s", extra_ini);
    if (fclose(f) != 0)
        return -1;
    return st_start(&srv, dir, extra);
}

/*
 * Defaults: every unverified entry keeps at most 1024 bytes of its body,
 * its headers, and the body's length and SHA-256 under "(body)".
 */
static void test_bounded_entries(void)
{
    char dir[256], q[400], hex[65];
    uint8_t d[CRYPTO_SHA256_LEN];
    char *b;

    CHECK_INT(st_tmpdir(dir), 0);
    if (start(dir, "") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    flood(30, 1000);
    CHECK_INT(held(0), 60);
    CHECK(held(1) <= 1024);
    CHECK(held(2) <= 60 * 2048);
    /* the rejected body's length and hash, for an investigation */
    b = sepay_body(1000, "CT00000000", 1000, BIG);
    if (b != NULL) {
        crypto_sha256(b, strlen(b), d);
        crypto_hex(d, sizeof(d), hex);
        snprintf(q, sizeof(q), "%zu bytes, sha256 %s, first 1024 kept",
                 strlen(b), hex);
        CHECK_INT(with_body_note(q), 1);
        free(b);
    }
    verified_after("A-1", "j-1", 5000);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

/*
 * Small caps: a flood leaves at most journal_rejected_max entries at once,
 * and the housekeeping brings their bytes under journal_rejected_bytes.
 */
static void test_caps(void)
{
    char dir[256];
    double t0;

    CHECK_INT(st_tmpdir(dir), 0);
    if (start(dir, "journal_rejected_max = 40\n"
                   "journal_rejected_bytes = 65536\n"
                   "housekeeping_interval = 1\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    flood(100, 2000);
    CHECK(held(0) <= 40);
    /* the newest stay: the last delivery of the flood is still there */
    CHECK_INT(newest_kept(), 1);
    t0 = st_now();
    while (st_now() - t0 < 10 && held(3) > 65536)
        usleep(100 * 1000);
    CHECK(held(3) <= 65536);
    CHECK(held(0) > 0);
    verified_after("A-2", "j-2", 6000);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

/*
 * A reserve larger than the free space: unverified posts are answered
 * but not journaled; a verified one is journaled verbatim and booked.
 */
static void test_reserve(void)
{
    char dir[256];

    CHECK_INT(st_tmpdir(dir), 0);
    if (start(dir, "journal_reserve_mb = 1000000000\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    flood(20, 3000);
    CHECK_INT(held(0), 0);
    verified_after("A-3", "j-3", 7000);
    CHECK_INT(st_stop(&srv), 0);
    CHECK_INT(st_check(dir, NULL, 0), 0);
    if (th_failed == 0)
        st_rmtree(dir);
}

int main(void)
{
    test_bounded_entries();
    test_caps();
    test_reserve();
    return TEST_END();
}
