/*
 * demo.c: `chopay-server --demo`: seeds a market (Chợ Trung tâm, 120
 * stalls in zones A-D) and a school (300 students), their fees, this
 * period's invoices, one kiosk each and an admin token; writes the keys
 * to DATA_DIR/demo-credentials.json, prints them, and serves. Running it
 * again on the same data directory adds nothing and reuses the keys.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "dash.h"
#include "server.h"

#define MARKET "CHO-TT"
#define SCHOOL "THCS-LQD"

static const char *const family[] = {
    "Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan",  "Vũ",
    "Võ",     "Đặng", "Bùi", "Đỗ",   "Hồ",    "Ngô",   "Dương", "Lý"};
static const char *const middle_f[] = {"Thị",  "Ngọc", "Thu", "Thanh",
                                       "Hoài", "Bảo",  "Mỹ",  "Kim"};
static const char *const middle_m[] = {"Văn", "Hữu", "Minh", "Quốc",
                                       "Đức", "Gia", "Công", "Thành"};
static const char *const given_f[] = {
    "An",   "Châu",  "Giang", "Hà",   "Hạnh",  "Hoa",    "Hương",
    "Lan",  "Linh",  "Mai",   "Ngân", "Nhung", "Phương", "Quỳnh",
    "Thảo", "Trang", "Vy",    "Yến",  "Xuân",  "Diệp"};
static const char *const given_m[] = {
    "Bình", "Dũng", "Hải",  "Hiếu", "Hùng", "Khánh", "Long",
    "Nam",  "Phúc", "Quân", "Sơn",  "Tâm",  "Thắng", "Trung",
    "Tuấn", "Vinh", "Đạt",  "Khoa", "Lộc",  "Nghĩa"};

#define N(a) (sizeof(a) / sizeof(a[0]))

/* A small deterministic generator: the same names on every machine. */
static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

static void person(uint32_t *s, int female, const char *fam, char *out,
                   size_t cap)
{
    /* One draw per statement: the order in which arguments are evaluated
     * is unspecified (gcc on amd64 and on arm64 differ). Given name
     * first, as the names of earlier demos were drawn on amd64. */
    const char *f = fam ? fam : family[rnd(s) % N(family)];
    uint32_t given = rnd(s);
    uint32_t mid = rnd(s);

    if (female)
        snprintf(out, cap, "%s %s %s", f, middle_f[mid % N(middle_f)],
                 given_f[given % N(given_f)]);
    else
        snprintf(out, cap, "%s %s %s", f, middle_m[mid % N(middle_m)],
                 given_m[given % N(given_m)]);
}

static int fail(const char *what)
{
    fprintf(stderr, "chopay-server: demo: %s: %s\n", what,
            store_error_message());
    return -1;
}

/* Vietnam's date (UTC+7) as YYYY-MM-DD and YYYY-MM. */
static void vn_today(char day[16], char month[16])
{
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(day, 16, "%Y-%m-%d", &tm);
    strftime(month, 16, "%Y-%m", &tm);
}

static int seed_market(struct store *st)
{
    static const struct store_org org = {
        MARKET,   "market",     "Chợ Trung tâm",
        "970436", "1023456789", "BAN QUAN LY CHO TRUNG TAM",
        "CT"};
    static const char zones[] = "ABCD";
    static const int64_t rent[] = {1500000, 1200000, 900000, 600000};
    static const char *const goods[] = {"rau củ",   "thịt heo", "cá tươi",
                                        "trái cây", "gạo",      "tạp hoá",
                                        "quần áo",  "hoa tươi"};
    struct store_payer rows[120];
    char names[120][96], codes[120][8], zone[4][2], accts[120][16];
    int64_t id = 0;
    uint32_t seed = 20261122;
    int i, z;

    if (st->ops->org_create(st, &org, "demo", NULL) != 0)
        return fail("market");
    if (st->ops->org_id(st, MARKET, &id) != 0)
        return fail("market id");
    {
        struct store_fee f = {"PHI-NGAY", "Phí chợ ngày", "daily",
                              "",         10000,          1};

        if (st->ops->fee_put(st, id, &f, 1, "demo", NULL) != 0)
            return fail("fee");
    }
    for (z = 0; z < 4; z++) {
        char code[16], label[64];
        struct store_fee f = {code, label, "monthly", zone[z], rent[z], 1};

        zone[z][0] = zones[z];
        zone[z][1] = '\0';
        snprintf(code, sizeof(code), "THUE-%c", zones[z]);
        snprintf(label, sizeof(label), "Tiền thuê sạp khu %c", zones[z]);
        if (st->ops->fee_put(st, id, &f, 1, "demo", NULL) != 0)
            return fail("rent");
    }
    memset(rows, 0, sizeof(rows));
    for (i = 0; i < 120; i++) {
        char who[80];

        z = i / 30;
        person(&seed, (int)(rnd(&seed) % 3 != 0), NULL, who, sizeof(who));
        snprintf(codes[i], sizeof(codes[i]), "%c-%d", zones[z], i % 30 + 1);
        snprintf(names[i], sizeof(names[i]), "%s (%s)", who,
                 goods[rnd(&seed) % N(goods)]);
        rows[i].code = codes[i];
        rows[i].name = names[i];
        rows[i].zone = zone[z];
        rows[i].category = zone[z];
        rows[i].active = 1;
        /* every fourth stall has its own account (for QR standees) */
        if (i % 4 == 0) {
            static const char *const bins[] = {"970436", "970415", "970418",
                                               "970422"};

            snprintf(accts[i], sizeof(accts[i]), "00710%08d",
                     (int)(20261122 + i * 7919) % 100000000);
            rows[i].bank_bin = bins[(i / 4) % 4];
            rows[i].bank_account = accts[i];
        }
    }
    if (st->ops->payer_import(st, id, rows, 120, "demo", NULL) != 0)
        return fail("stalls");
    return 0;
}

static int seed_school(struct store *st)
{
    static const struct store_org org = {
        SCHOOL,   "school",       "Trường THCS Lê Quý Đôn",
        "970415", "112000345678", "TRUONG THCS LE QUY DON",
        "HS"};
    struct store_payer *rows;
    char(*names)[96], (*guard)[96], (*codes)[16], (*cls)[24];
    int64_t id = 0;
    uint32_t seed = 1977;
    int i, rc = -1;

    if (st->ops->org_create(st, &org, "demo", NULL) != 0)
        return fail("school");
    if (st->ops->org_id(st, SCHOOL, &id) != 0)
        return fail("school id");
    {
        struct store_fee f1 = {"HOC-PHI", "Học phí học kỳ", "term",
                               "",        1500000,          1};
        struct store_fee f2 = {
            "BHYT", "Bảo hiểm y tế học sinh", "oneoff", "", 680400, 1};

        if (st->ops->fee_put(st, id, &f1, 1, "demo", NULL) != 0)
            return fail("tuition");
        if (st->ops->fee_put(st, id, &f2, 1, "demo", NULL) != 0)
            return fail("insurance");
    }
    rows = calloc(300, sizeof(*rows));
    names = calloc(300, sizeof(*names));
    guard = calloc(300, sizeof(*guard));
    codes = calloc(300, sizeof(*codes));
    cls = calloc(300, sizeof(*cls));
    if (!rows || !names || !guard || !codes || !cls)
        goto out;
    for (i = 0; i < 300; i++) {
        const char *fam = family[rnd(&seed) % N(family)];

        person(&seed, (int)(rnd(&seed) & 1), fam, names[i], sizeof(names[i]));
        person(&seed, (int)(rnd(&seed) & 1), fam, guard[i], sizeof(guard[i]));
        snprintf(codes[i], sizeof(codes[i]), "HS%04d", (1001 + i) % 10000);
        snprintf(cls[i], sizeof(cls[i]), "%dA%d", 6 + (i / 75) % 4,
                 (i % 75) / 25 + 1);
        rows[i].code = codes[i];
        rows[i].name = names[i];
        rows[i].class_name = cls[i];
        rows[i].guardian = guard[i];
        rows[i].active = 1;
    }
    if (st->ops->payer_import(st, id, rows, 300, "demo", NULL) != 0) {
        fail("students");
        goto out;
    }
    rc = 0;
out:
    free(rows);
    free(names);
    free(guard);
    free(codes);
    free(cls);
    return rc;
}

/* Generate this period's invoices (idempotent: run on every start). */
static int seed_invoices(struct store *st)
{
    char day[16], month[16], term[16];
    int64_t m = 0, s = 0;

    vn_today(day, month);
    snprintf(term, sizeof(term), "%.4s-HK1", day);
    if (st->ops->org_id(st, MARKET, &m) != 0 ||
        st->ops->org_id(st, SCHOOL, &s) != 0)
        return fail("orgs");
    if (st->ops->invoices_generate(st, m, month, NULL, "demo", NULL) != 0)
        return fail("rent invoices");
    if (st->ops->invoices_generate(st, m, day, NULL, "demo", NULL) != 0)
        return fail("daily invoices");
    if (st->ops->invoices_generate(st, s, term, NULL, "demo", NULL) != 0)
        return fail("tuition invoices");
    if (st->ops->invoices_generate(st, s, term, "BHYT", "demo", NULL) != 0)
        return fail("insurance invoices");
    return 0;
}

static int write_creds(const char *path, json_t *creds)
{
    char tmp[700];
    char *text = json_dumps(creds, JSON_INDENT(2) | JSON_SORT_KEYS);
    int fd, rc = -1;

    if (text == NULL)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        size_t n = strlen(text);

        if (write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1 &&
            fsync(fd) == 0)
            rc = 0;
        close(fd);
        if (rc == 0 && rename(tmp, path) != 0)
            rc = -1;
    }
    free(text);
    return rc;
}

/* The base URL of this run's listen address ("http://127.0.0.1:8080"). */
static json_t *server_url(const struct srv_config *c)
{
    const char *colon = strrchr(c->listen, ':');
    int any = strncmp(c->listen, "0.0.0.0:", 8) == 0;

    return json_sprintf("http://%s%s", any ? "127.0.0.1" : "",
                        any && colon ? colon : c->listen);
}

static int make_creds(struct store *st, const struct srv_config *c,
                      const char *path, json_t **out)
{
    char mk[SERVER_KEY_MAX], sk[SERVER_KEY_MAX], at[SERVER_KEY_MAX], h[65];
    char pw[21], ph[DASH_PW_MAX];
    unsigned char rnd[10];
    int64_t id;

    if (server_new_secret("ck_", mk, h) != 0 ||
        st->ops->kiosk_add(st, MARKET, "Kiosk cổng chợ", h, &id) != 0 ||
        server_new_secret("ck_", sk, h) != 0 ||
        st->ops->kiosk_add(st, SCHOOL, "Kiosk phòng tài vụ", h, &id) != 0 ||
        server_new_secret("ct_", at, h) != 0 ||
        st->ops->token_add(st, "admin", NULL, NULL, h, &id) != 0)
        return fail("credentials");
    /* the market board's dashboard user */
    if (crypto_random(rnd, sizeof(rnd)) != 0)
        return fail("credentials");
    crypto_hex(rnd, sizeof(rnd), pw);
    if (dash_pw_hash(pw, ph, sizeof(ph)) != 0 ||
        st->ops->dash_user_add(st, MARKET, NULL, "banquanly", "board", ph,
                               "demo", &id) != 0)
        return fail("dashboard user");
    *out = json_pack("{s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s}",
                     "server", "", "admin_token", at, "kiosks", MARKET, mk,
                     SCHOOL, sk, "dashboard", "login", "banquanly", "password",
                     pw, "market", MARKET, "school", SCHOOL);
    json_object_set_new(*out, "server", server_url(c));
    if (write_creds(path, *out) != 0) {
        fprintf(stderr, "chopay-server: demo: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    return 0;
}

/* Give every provider a secret for both demo organisations (once), so
 * `simulate transfer --via ...` works against the demo out of the box. */
static int seed_bank_secrets(struct store *st)
{
    static const char *const orgs[] = {MARKET, SCHOOL};
    static const char *const provs[] = {"sepay", "casso", "payos", "generic"};
    size_t i, k;

    for (i = 0; i < N(orgs); i++) {
        int64_t id = 0;

        if (st->ops->org_id(st, orgs[i], &id) != 0)
            return fail("org");
        for (k = 0; k < N(provs); k++) {
            char ak[256], hk[256], nak[SERVER_KEY_MAX], nhk[SERVER_KEY_MAX];
            char h[65];

            if (st->ops->bank_secret_get(st, id, provs[k], ak, sizeof(ak), hk,
                                         sizeof(hk)) != 0)
                return fail("bank secret");
            if (ak[0] != '\0' || hk[0] != '\0')
                continue;
            if (server_new_secret("whk_", nhk, h) != 0 ||
                server_new_secret("wak_", nak, h) != 0)
                return -1;
            /* SePay: API key and HMAC; the others sign with one key */
            if (st->ops->bank_secret_put(st, id, provs[k], k == 0 ? nak : NULL,
                                         nhk, "demo") != 0)
                return fail("bank secret");
        }
    }
    return 0;
}

int server_demo(struct srv_config *c)
{
    struct store *st = NULL;
    json_t *creds = NULL;
    char path[600];
    int64_t market = 0;
    int rc = 1, fresh = 0;

    if (server_open_store(c, c->threads + 2, &st) != 0)
        return 1;
    if (st->ops->org_id(st, MARKET, &market) != 0) {
        if (seed_market(st) != 0 || seed_school(st) != 0)
            goto out;
        fresh = 1;
    }
    /* both demo organisations are in one province (adoption roll-up) */
    if (st->ops->org_province(st, MARKET, "Đà Nẵng", "demo",
                              (int64_t)time(NULL)) != 0 ||
        st->ops->org_province(st, SCHOOL, "Đà Nẵng", "demo",
                              (int64_t)time(NULL)) != 0)
        return fail("province");
    if (seed_invoices(st) != 0 || seed_bank_secrets(st) != 0)
        goto out;
    snprintf(path, sizeof(path), "%s/demo-credentials.json", c->data_dir);
    creds = json_load_file(path, 0, NULL);
    if (creds == NULL && make_creds(st, c, path, &creds) != 0)
        goto out;
    /* the keys stay; the URLs are those of this run's address */
    {
        json_t *url = server_url(c);

        if (url != NULL && !json_equal(url, json_object_get(creds, "server"))) {
            json_object_set(creds, "server", url);
            if (write_creds(path, creds) != 0)
                fprintf(stderr, "chopay-server: demo: cannot update %s: %s\n",
                        path, strerror(errno));
        }
        json_decref(url);
    }
    printf("chopay demo %s in %s\n",
           fresh ? "data created" : "data already present", c->data_dir);
    printf("  market %s (Chợ Trung tâm, 120 stalls A-1..D-30), "
           "school %s (300 students HS1001..HS1300)\n",
           MARKET, SCHOOL);
    printf("  credentials (also in %s):\n", path);
    printf("    admin token:   %s\n", api_str(creds, "admin_token"));
    printf("    market kiosk:  %s\n",
           api_str(json_object_get(creds, "kiosks"), MARKET));
    printf("    school kiosk:  %s\n",
           api_str(json_object_get(creds, "kiosks"), SCHOOL));
    printf("    dashboard:     %s/ (market board) login %s password %s\n",
           api_str(creds, "server"),
           api_str(json_object_get(creds, "dashboard"), "login"),
           api_str(json_object_get(creds, "dashboard"), "password"));
    printf("  try:\n"
           "    curl -s -H 'Authorization: Bearer %s' "
           "%s/v1/payers/A-12/dues\n"
           "    curl -s -X POST -H 'Authorization: Bearer %s' "
           "-H 'Idempotency-Key: demo-1' -d '{\"payer\":\"A-12\","
           "\"invoices\":\"all\"}' %s/v1/intents\n",
           api_str(json_object_get(creds, "kiosks"), MARKET),
           api_str(creds, "server"),
           api_str(json_object_get(creds, "kiosks"), MARKET),
           api_str(creds, "server"));
    printf("  then pay that intent as the bank would tell us:\n"
           "    chopay-server simulate transfer --data-dir %s --org %s "
           "--code CODE --amount N --via sepay|casso|payos|generic\n",
           c->data_dir, MARKET);
    fflush(stdout);
    rc = server_serve(c, st);
out:
    json_decref(creds);
    store_close(st);
    return rc;
}
