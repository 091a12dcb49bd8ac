/*
 * simulate.c: `chopay-server simulate transfer`: builds the notification a
 * provider (SePay, Casso V2, payOS, or our generic format) would send for
 * a transfer carrying a payment code, signs it as that provider signs,
 * with the secret configured for the organisation, and posts it to the
 * server with libcurl. For demos and end-to-end checks.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "ingest.h"
#include "server.h"

/* Vietnam local time (UTC+7) of `t` as "YYYY-MM-DD HH:MM:SS". */
static void vn_time(time_t t, char out[32])
{
    struct tm tm;
    time_t v = t + 7 * 3600;

    gmtime_r(&v, &tm);
    strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
}

static uint32_t rnd32(void)
{
    uint32_t v = 0;

    if (crypto_random(&v, sizeof(v)) != 0)
        v = (uint32_t)time(NULL);
    return v;
}

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    size_t k = sz * n;
    char *buf = ud;
    size_t have = strlen(buf);

    if (have + 1 < 4096) {
        size_t c = k < 4096 - have - 1 ? k : 4096 - have - 1;

        memcpy(buf + have, p, c);
        buf[have + c] = '\0';
    }
    return k;
}

/* The server's base URL: --server, or DATA_DIR/server.addr. */
static int base_url(const struct srv_config *c, const char *server, char *out,
                    size_t cap)
{
    char path[600], line[200];
    FILE *f;
    size_t n;

    if (server != NULL) {
        snprintf(out, cap, "%s", server);
        n = strlen(out);
        while (n > 0 && out[n - 1] == '/')
            out[--n] = '\0';
        return 0;
    }
    snprintf(path, sizeof(path), "%s/server.addr", c->data_dir);
    f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr,
                "chopay-server: %s: no running server found; give "
                "--server URL\n",
                path);
        return -1;
    }
    if (fgets(line, sizeof(line), f) == NULL) {
        fclose(f);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "0.0.0.0:", 8) == 0)
        snprintf(out, cap, "http://127.0.0.1%s", line + 7);
    else
        snprintf(out, cap, "http://%s", line);
    return 0;
}

/* HMAC-SHA256 hex of "<ts>.<body>" into out (65). */
static void sign_ts(const char *key, const char *ts, const char *body,
                    char out[65])
{
    size_t lt = strlen(ts), lb = strlen(body);
    char *msg = malloc(lt + lb + 2);
    uint8_t mac[CRYPTO_SHA256_LEN];

    out[0] = '\0';
    if (msg == NULL)
        return;
    memcpy(msg, ts, lt);
    msg[lt] = '.';
    memcpy(msg + lt + 1, body, lb + 1);
    if (crypto_hmac_sha256(key, strlen(key), msg, lt + lb + 1, mac) == 0)
        crypto_hex(mac, sizeof(mac), out);
    free(msg);
}

int server_simulate(const struct srv_config *c, const char *org,
                    const char *code, int64_t amount, const char *via,
                    const char *server)
{
    struct store *st = NULL;
    struct ingest_secret sec;
    struct store_org_row o = {0};
    json_t *body = NULL, *data = NULL;
    struct curl_slist *hs = NULL;
    char url[300], base[256], when[32], ref[40], hdr[600], ts[32];
    char reply[4096] = "", *text = NULL;
    const char *account;
    int64_t org_id = 0;
    uint32_t r = rnd32();
    time_t now = time(NULL);
    long status = 0;
    CURL *cu = NULL;
    int rc = 1;

    if (server_open_store(c, 1, &st) != 0)
        return 1;
    if (st->ops->org_get(st, org, &o) != 0 ||
        st->ops->org_id(st, org, &org_id) != 0 ||
        ingest_secret(c->bank, st, org_id, org, via, &sec) != 0) {
        fprintf(stderr, "chopay-server: %s\n", store_error_message());
        goto out;
    }
    if (sec.api_key[0] == '\0' && sec.hmac_key[0] == '\0') {
        fprintf(stderr,
                "chopay-server: no %s secret configured for %s ([bank.%s] in "
                "the config, or PUT /v1/orgs/%s/bank/secrets/%s)\n",
                via, org, org, org, via);
        goto out;
    }
    account = o.account;
    vn_time(now, when);
    snprintf(ref, sizeof(ref), "FT%02d%03d%08u", (int)(now / 86400 % 100),
             (int)(now / 1000 % 1000), (unsigned)(r % 100000000u));
    if (strcmp(via, "sepay") == 0) {
        char content[256];

        /* what an MB Bank transfer looks like once SePay relays it */
        snprintf(content, sizeof(content),
                 "MBVCB.%u.%s.CT tu 0071000123456 NGUYEN THI LAN toi %s",
                 (unsigned)(r % 1000000000u), code, account);
        body = json_pack(
            "{s:I, s:s, s:s, s:s, s:n, s:s, s:s, s:I, s:I, s:n, s:s, s:s}",
            "id", (json_int_t)(r % 100000000u) + 1000, "gateway", "MBBank",
            "transactionDate", when, "accountNumber", account, "code",
            "content", content, "transferType", "in", "transferAmount",
            (json_int_t)amount, "accumulated", (json_int_t)0, "subAccount",
            "referenceCode", ref, "description", content);
        text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (sec.api_key[0]) {
            snprintf(hdr, sizeof(hdr), "Authorization: Apikey %s", sec.api_key);
            hs = curl_slist_append(hs, hdr);
        }
        if (sec.hmac_key[0] && text != NULL) {
            char sig[65];

            snprintf(ts, sizeof(ts), "%lld", (long long)now);
            sign_ts(sec.hmac_key, ts, text, sig);
            snprintf(hdr, sizeof(hdr), "X-SePay-Timestamp: %s", ts);
            hs = curl_slist_append(hs, hdr);
            snprintf(hdr, sizeof(hdr), "X-SePay-Signature: sha256=%s", sig);
            hs = curl_slist_append(hs, hdr);
        }
    } else if (strcmp(via, "casso") == 0) {
        char desc[128];

        snprintf(desc, sizeof(desc), "%s chuyen tien hoc phi", code);
        if (sec.hmac_key[0]) {
            body = json_pack(
                "{s:i, s:{s:I, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s,"
                " s:s, s:s, s:s, s:s, s:s, s:s}}",
                "error", 0, "data", "id", (json_int_t)(r % 10000000u) + 1,
                "reference", ref, "description", desc, "amount",
                (json_int_t)amount, "runningBalance", (json_int_t)0,
                "transactionDateTime", when, "accountNumber", account,
                "bankName", "Ngân hàng TMCP Công Thương Việt Nam",
                "bankAbbreviation", "VietinBank", "virtualAccountNumber", "",
                "virtualAccountName", "", "counterAccountName",
                "NGUYEN THI LAN", "counterAccountNumber", "0071000123456",
                "counterAccountBankId", "970436", "counterAccountBankName",
                "Vietcombank");
            text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (text != NULL) {
                char *canon = feeds_casso_canonical(text, strlen(text), 0);
                char tms[32], *msg;
                uint8_t mac[CRYPTO_SHA512_LEN];
                char hex[2 * CRYPTO_SHA512_LEN + 1] = "";

                snprintf(tms, sizeof(tms), "%lld", (long long)now * 1000);
                if (canon != NULL &&
                    (msg = malloc(strlen(tms) + strlen(canon) + 2)) != NULL) {
                    sprintf(msg, "%s.%s", tms, canon);
                    if (crypto_hmac_sha512(sec.hmac_key, strlen(sec.hmac_key),
                                           msg, strlen(msg), mac) == 0)
                        crypto_hex(mac, sizeof(mac), hex);
                    free(msg);
                }
                free(canon);
                snprintf(hdr, sizeof(hdr), "X-Casso-Signature: t=%s,v1=%s", tms,
                         hex);
                hs = curl_slist_append(hs, hdr);
            }
        } else { /* legacy V1 with its secure-token */
            body = json_pack("{s:i, s:[{s:I, s:s, s:s, s:I, s:I, s:s,"
                             " s:s}]}",
                             "error", 0, "data", "id",
                             (json_int_t)(r % 10000000u) + 1, "tid", ref,
                             "description", desc, "amount", (json_int_t)amount,
                             "cusum_balance", (json_int_t)0, "when", when,
                             "bank_sub_acc_id", account);
            text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
            snprintf(hdr, sizeof(hdr), "secure-token: %s", sec.api_key);
            hs = curl_slist_append(hs, hdr);
        }
    } else if (strcmp(via, "payos") == 0) {
        char *dj, *q, sig[65] = "", link[33];
        uint8_t raw[16], mac[CRYPTO_SHA256_LEN];

        if (crypto_random(raw, sizeof(raw)) != 0)
            memset(raw, 7, sizeof(raw));
        crypto_hex(raw, sizeof(raw), link);
        data = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
                         " s:s, s:n, s:n, s:n, s:n, s:n, s:n}",
                         "orderCode", (json_int_t)(r % 1000000u) + 1, "amount",
                         (json_int_t)amount, "description", code,
                         "accountNumber", account, "reference", ref,
                         "transactionDateTime", when, "currency", "VND",
                         "paymentLinkId", link, "code", "00", "desc", "success",
                         "counterAccountBankId", "counterAccountBankName",
                         "counterAccountName", "counterAccountNumber",
                         "virtualAccountName", "virtualAccountNumber");
        dj = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
        q = dj ? feeds_payos_canonical(dj, strlen(dj)) : NULL;
        if (q != NULL && crypto_hmac_sha256(sec.hmac_key, strlen(sec.hmac_key),
                                            q, strlen(q), mac) == 0)
            crypto_hex(mac, sizeof(mac), sig);
        free(q);
        free(dj);
        body =
            json_pack("{s:s, s:s, s:b, s:O, s:s}", "code", "00", "desc",
                      "success", "success", 1, "data", data, "signature", sig);
        text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    } else if (strcmp(via, "generic") == 0) {
        char id[48], desc[160], iso[40], sig[65];

        snprintf(id, sizeof(id), "SIM-%lld-%u", (long long)now, (unsigned)r);
        snprintf(desc, sizeof(desc), "Nguyễn Thị Lan chuyển khoản %s", code);
        snprintf(iso, sizeof(iso), "%.10sT%s+07:00", when, when + 11);
        body = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s,"
                         " s:{s:s, s:s, s:s}}",
                         "id", id, "account", account, "reference", ref,
                         "direction", "credit", "amount", (json_int_t)amount,
                         "currency", "VND", "booked_at", iso, "description",
                         desc, "counter_account", "name", "NGUYEN THI LAN",
                         "number", "0071000123456", "bank", "970436");
        text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text != NULL) {
            snprintf(ts, sizeof(ts), "%lld", (long long)now);
            sign_ts(sec.hmac_key, ts, text, sig);
            snprintf(hdr, sizeof(hdr), "X-Chopay-Timestamp: %s", ts);
            hs = curl_slist_append(hs, hdr);
            snprintf(hdr, sizeof(hdr), "X-Chopay-Signature: sha256=%s", sig);
            hs = curl_slist_append(hs, hdr);
        }
    } else {
        fprintf(stderr, "chopay-server: --via: sepay, casso, payos or "
                        "generic\n");
        goto out;
    }
    if (text == NULL) {
        fprintf(stderr, "chopay-server: cannot build the notification\n");
        goto out;
    }
    store_close(st);
    st = NULL;
    if (base_url(c, server, base, sizeof(base)) != 0)
        goto out;
    snprintf(url, sizeof(url), "%s/v1/bank/%s", base, via);
    hs = curl_slist_append(hs, "Content-Type: application/json");
    cu = curl_easy_init();
    if (cu == NULL)
        goto out;
    curl_easy_setopt(cu, CURLOPT_URL, url);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)strlen(text));
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, reply);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(cu) != CURLE_OK) {
        fprintf(stderr, "chopay-server: cannot reach %s\n", url);
        goto out;
    }
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
    printf("POST %s (%s, %lld đồng, code %s): %ld\n%s\n", url, via,
           (long long)amount, code, status, reply);
    rc = status >= 200 && status < 300 ? 0 : 1;
out:
    memset(&sec, 0, sizeof(sec));
    curl_easy_cleanup(cu);
    curl_slist_free_all(hs);
    free(text);
    json_decref(body);
    json_decref(data);
    store_org_row_clear(&o);
    store_close(st);
    return rc;
}
