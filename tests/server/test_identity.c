/*
 * test_identity.c: one identity per bank transfer, end to end over HTTP
 * against the real server: rows sharing a bank reference inside one file
 * (MT940 and a camt batch) are all booked; the same transfer in two
 * statements (re-issued under a new :20:, MT942 then MT940, camt.052
 * then camt.053, the same file twice) is booked once; identical rows
 * count as a multiset; a webhook and a statement row without code or
 * reference pair; rows that cannot be told apart are held for review.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "srvtest.h"

static struct srvt srv;
static char admin[128], kiosk[128];

/* MKT's bank transactions matching `where` (st_count), by the API. */
#define TXNS(where)                                                            \
    st_list_count(&srv, admin, "/v1/orgs/MKT/bank/transactions",               \
                  "transactions", where)
static char ymd[16], yymmdd[8]; /* today in Vietnam */

#define JI(r, k) json_integer_value(json_object_get((r).json, k))
#define JS(r, k) json_string_value(json_object_get((r).json, k))

/* One :61: / Ntry row: direction 'C' or 'D', amount, bank reference
 * (NULL: none), text. */
struct row {
    char dc;
    long long amount;
    const char *ref;
    const char *text;
};

/* Growable text. */
struct buf {
    char *p;
    size_t n;
};

static void put(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int k;

    va_start(ap, fmt);
    k = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    b->p = realloc(b->p, b->n + (size_t)k + 1);
    memcpy(b->p + b->n, s, (size_t)k + 1);
    b->n += (size_t)k;
    free(s);
}

/* An MT940 (or MT942) statement of today with `rows`, balances that add
 * up; the caller frees it. */
static char *mt94x(const char *id, int intraday, const struct row *rows,
                   size_t n)
{
    struct buf b = {0};
    long long open = 100000000, cr = 0, db = 0, ncr = 0, ndb = 0;
    size_t i;

    put(&b, ":20:%s\r\n:25:" ST_MKT_ACCOUNT "\r\n:28C:1/1\r\n", id);
    if (intraday)
        put(&b, ":34F:VND0,\r\n:13D:%s1200+0700\r\n", yymmdd);
    else
        put(&b, ":60F:C%sVND%lld,\r\n", yymmdd, open);
    for (i = 0; i < n; i++) {
        put(&b, ":61:%s%s%c%lld,NTRFNONREF%s%s\r\n:86:%s\r\n", yymmdd,
            yymmdd + 2, rows[i].dc, rows[i].amount, rows[i].ref ? "//" : "",
            rows[i].ref ? rows[i].ref : "", rows[i].text);
        if (rows[i].dc == 'C')
            cr += rows[i].amount, ncr++;
        else
            db += rows[i].amount, ndb++;
    }
    if (intraday) {
        if (ndb > 0)
            put(&b, ":90D:%lldVND%lld,\r\n", ndb, db);
        if (ncr > 0)
            put(&b, ":90C:%lldVND%lld,\r\n", ncr, cr);
    } else {
        put(&b, ":62F:C%sVND%lld,\r\n", yymmdd, open + cr - db);
    }
    put(&b, "-\r\n");
    return b.p;
}

/* A camt.052 (intraday) or camt.053 of today, one Ntry per row. */
static char *camt(const char *id, int intraday, const struct row *rows,
                  size_t n)
{
    struct buf b = {0};
    const char *ns = intraday ? "camt.052.001.08" : "camt.053.001.08";
    const char *doc = intraday ? "BkToCstmrAcctRpt" : "BkToCstmrStmt";
    const char *st = intraday ? "Rpt" : "Stmt";
    size_t i;

    put(&b,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:%s\"><%s>"
        "<GrpHdr><MsgId>%s</MsgId><CreDtTm>%sT20:00:00+07:00</CreDtTm>"
        "</GrpHdr><%s><Id>%s</Id><Acct><Id><Othr><Id>" ST_MKT_ACCOUNT
        "</Id></Othr></Id><Ccy>VND</Ccy></Acct>\n",
        ns, doc, id, ymd, st, id);
    for (i = 0; i < n; i++) {
        put(&b,
            "<Ntry><Amt Ccy=\"VND\">%lld</Amt><CdtDbtInd>%s</CdtDbtInd>"
            "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt>",
            rows[i].amount, rows[i].dc == 'C' ? "CRDT" : "DBIT", ymd);
        if (rows[i].ref != NULL)
            put(&b, "<AcctSvcrRef>%s</AcctSvcrRef>", rows[i].ref);
        put(&b,
            "<NtryDtls><TxDtls><RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls>"
            "</NtryDtls></Ntry>\n",
            rows[i].text);
    }
    put(&b, "</%s></%s></Document>\n", st, doc);
    return b.p;
}

/* POST a statement file: its summary (status 201 checked). */
static struct resp import(const char *file)
{
    struct resp r = st_http(&srv, "POST", "/v1/statements", admin, NULL, file,
                            strlen(file));

    CHECK_INT(r.status, 201);
    if (r.status != 201)
        fprintf(stderr, "import: %s\n", r.body ? r.body : "");
    return r;
}

/* How many transfers (records that are not duplicates) and how many
 * records of amount `amount` the ledger holds. */
static long long transfers(long long amount)
{
    char where[64];

    snprintf(where, sizeof(where), "amount=%lld&state!=duplicate", amount);
    return TXNS(where);
}

static long long records(long long amount)
{
    char where[64];

    snprintf(where, sizeof(where), "amount=%lld", amount);
    return TXNS(where);
}

/* Payments of intent `id`, and credit of payer `payer`. */
static long long payments_of(long long id)
{
    json_t *in = st_list(&srv, admin, "/v1/orgs/MKT/intents", "intents"), *e;
    char where[64] = "intent=?";
    size_t i;

    json_array_foreach(
        in, i, e) if (json_integer_value(json_object_get(e, "id")) == id)
        snprintf(where, sizeof(where), "intent=%s",
                 json_string_value(json_object_get(e, "code")));
    json_decref(in);
    return st_list_count(&srv, admin, "/v1/orgs/MKT/payments", "payments",
                         where);
}

static long long credit_of(const char *payer)
{
    char where[64];

    snprintf(where, sizeof(where), "code=%s", payer);
    return st_list_sum(&srv, admin, "/v1/orgs/MKT/payers", "payers", "credit",
                       where);
}

/* The id of the first (last > 0: the last) bank transaction of MKT
 * matching `where`, or -1. */
static long long txn_id(const char *where, int last)
{
    json_t *a = st_list(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                        "transactions"),
           *e;
    long long id = -1;
    size_t i;

    json_array_foreach(a, i, e)
    {
        json_t *one = json_array();

        json_array_append(one, e);
        if (st_count(one, where) == 1 && (id < 0 || last))
            id = json_integer_value(json_object_get(e, "id"));
        json_decref(one);
    }
    json_decref(a);
    return id;
}

/* A debit and a credit sharing //55555 in one MT940 on an empty ledger:
 * both booked, the 3,000,000 credit counted; two credits sharing a
 * reference: both booked. */
static void test_shared_reference_mt940(void)
{
    const struct row dc[] = {{'D', 800000, "55555", "PHI DICH VU THANG"},
                             {'C', 3000000, "55555", "TIEN THUE KIOT"}};
    const struct row cc[] = {{'C', 410000, "66666", "NOP TIEN CHO"},
                             {'C', 410000, "66666", "NOP TIEN CHO"}};
    struct resp r;
    char *s;

    CHECK_INT(TXNS(NULL), 0);
    s = mt94x("SHARED-1", 0, dc, 2);
    r = import(s);
    CHECK_INT(JI(r, "new"), 2);
    CHECK_INT(JI(r, "duplicate"), 0);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(r.json, "balances"), 0),
                  "balance_check")),
              "ok");
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(800000), 1);
    CHECK_INT(transfers(3000000), 1);
    /* the credit is money received, waiting for review */
    CHECK_INT(st_list_sum(&srv, admin, "/v1/orgs/MKT/bank/transactions",
                          "transactions", "amount",
                          "direction=credit&state!=duplicate"),
              3000000);
    s = mt94x("SHARED-2", 0, cc, 2);
    r = import(s);
    CHECK_INT(JI(r, "new"), 2);
    CHECK_INT(JI(r, "duplicate"), 0);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(410000), 2);
}

/* A camt batch entry whose three TxDtls carry the same AcctSvcrRef: three
 * transfers; the same batch in a later statement pairs by position. */
static void test_shared_reference_camt(void)
{
    struct buf b = {0};
    struct resp r;
    int i;

    for (i = 0; i < 2; i++) {
        put(&b,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            "camt.053.001.08\"><BkToCstmrStmt><GrpHdr><MsgId>B%d</MsgId>"
            "<CreDtTm>%sT20:00:00+07:00</CreDtTm></GrpHdr><Stmt>"
            "<Id>BATCH-%d</Id><Acct><Id><Othr><Id>" ST_MKT_ACCOUNT
            "</Id></Othr></Id><Ccy>VND</Ccy></Acct>"
            "<Ntry><Amt Ccy=\"VND\">660000</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
            "<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt>"
            "<NtryDtls><Btch><NbOfTxs>3</NbOfTxs></Btch>",
            i, ymd, i, ymd);
        put(&b, "<TxDtls><Refs><AcctSvcrRef>BT778899001</AcctSvcrRef></Refs>"
                "<Amt Ccy=\"VND\">110000</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                "<RmtInf><Ustrd>PHI VE SINH KIOT 1</Ustrd></RmtInf></TxDtls>"
                "<TxDtls><Refs><AcctSvcrRef>BT778899001</AcctSvcrRef></Refs>"
                "<Amt Ccy=\"VND\">220000</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                "<RmtInf><Ustrd>PHI VE SINH KIOT 2</Ustrd></RmtInf></TxDtls>"
                "<TxDtls><Refs><AcctSvcrRef>BT778899001</AcctSvcrRef></Refs>"
                "<Amt Ccy=\"VND\">330000</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                "<RmtInf><Ustrd>PHI VE SINH KIOT 3</Ustrd></RmtInf></TxDtls>"
                "</NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>\n");
        r = import(b.p);
        CHECK_INT(JI(r, "new"), 3);
        CHECK_INT(JI(r, "duplicate"), i == 0 ? 0 : 3);
        resp_free(&r);
        free(b.p);
        b.p = NULL;
        b.n = 0;
    }
    CHECK_INT(transfers(110000), 1);
    CHECK_INT(transfers(220000), 1);
    CHECK_INT(transfers(330000), 1);
    CHECK_INT(records(330000), 2);
}

/* One :61: credit without a bank reference carrying an open intent's
 * code, in a statement re-issued under a new :20:: one payment. */
static void test_reissued_statement(void)
{
    char code[16], text[96];
    long long id, amount;
    struct row row = {'C', 0, NULL, text};
    struct resp r;
    char *s;

    CHECK_INT(st_intent(&srv, kiosk, "A-1", "id-a1", code, &id, &amount), 0);
    snprintf(text, sizeof(text), "NGUYEN VAN AN CK %s TIEN THUE SAP", code);
    row.amount = amount;
    s = mt94x("STMT-A", 0, &row, 1);
    r = import(s);
    CHECK_INT(JI(r, "matched"), 1);
    resp_free(&r);
    free(s);
    s = mt94x("STMT-B", 0, &row, 1);
    r = import(s);
    CHECK_INT(JI(r, "matched"), 0);
    CHECK_INT(JI(r, "duplicate"), 1);
    resp_free(&r);
    free(s);
    CHECK_INT(payments_of(id), 1);
    CHECK_INT(credit_of("A-1"), 0);
    CHECK_INT(transfers(amount), 1);
}

/* The intraday MT942 and then the day's MT940 with the same rows; then
 * camt.052 and camt.053; each transfer once. */
static void test_intraday_then_final(void)
{
    char code2[16], code3[16], t2[96], t3[96];
    long long id2, id3, amount;
    struct row mt[2] = {{'C', 0, NULL, t2},
                        {'C', 123000, NULL, "TIEN DIEN KIOT B7"}};
    struct row cm[2] = {{'C', 0, NULL, t3},
                        {'D', 45000, NULL, "PHI QUAN LY TAI KHOAN"}};
    struct resp r;
    char *s;

    CHECK_INT(st_intent(&srv, kiosk, "A-2", "id-a2", code2, &id2, &amount), 0);
    snprintf(t2, sizeof(t2), "TRAN THI BA CK %s", code2);
    mt[0].amount = amount;
    s = mt94x("INTRA-1", 1, mt, 2);
    r = import(s);
    CHECK_INT(JI(r, "matched"), 1);
    CHECK_INT(JI(r, "unmatched"), 1);
    resp_free(&r);
    free(s);
    s = mt94x("FINAL-1", 0, mt, 2);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 2);
    CHECK_INT(JI(r, "matched"), 0);
    resp_free(&r);
    free(s);
    CHECK_INT(payments_of(id2), 1);
    CHECK_INT(credit_of("A-2"), 0);
    CHECK_INT(transfers(123000), 1);

    CHECK_INT(st_intent(&srv, kiosk, "A-3", "id-a3", code3, &id3, &amount), 0);
    snprintf(t3, sizeof(t3), "LE VAN CUONG CK %s", code3);
    cm[0].amount = amount;
    s = camt("RPT-052", 1, cm, 2);
    r = import(s);
    CHECK_INT(JI(r, "matched"), 1);
    CHECK_INT(JI(r, "ignored"), 1);
    resp_free(&r);
    free(s);
    s = camt("STMT-053", 0, cm, 2);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 2);
    CHECK_INT(JI(r, "matched"), 0);
    resp_free(&r);
    free(s);
    CHECK_INT(payments_of(id3), 1);
    CHECK_INT(credit_of("A-3"), 0);
    CHECK_INT(transfers(45000), 1);
}

/* The same file twice; then identical rows: a file with 3 after a file
 * with 2 of them adds one (a multiset, by day and count). */
static void test_same_file_and_multiset(void)
{
    const struct row two[] = {{'C', 56000, NULL, "TIEN NUOC"},
                              {'C', 57000, NULL, "TIEN RAC"}};
    const struct row same[] = {{'C', 77000, NULL, "TIEN VE SINH"},
                               {'C', 77000, NULL, "TIEN VE SINH"},
                               {'C', 77000, NULL, "TIEN VE SINH"}};
    struct resp r;
    char *s;

    s = mt94x("TWICE", 0, two, 2);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 0);
    resp_free(&r);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 2);
    CHECK_INT(JI(r, "unmatched"), 0);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(56000), 1);
    CHECK_INT(transfers(57000), 1);

    s = mt94x("SAME-2", 0, same, 2);
    r = import(s);
    CHECK_INT(JI(r, "unmatched"), 2);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(77000), 2);
    s = mt94x("SAME-3", 0, same, 3);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 2);
    CHECK_INT(JI(r, "unmatched"), 1);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(77000), 3);
    /* the same again (as a camt.053): nothing new */
    s = camt("SAME-3-CAMT", 0, same, 3);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 3);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(77000), 3);
}

/* A signed generic notification (no code, no reference unless `ref`),
 * from counter-account `counter`. */
static struct resp post_generic(const char *id, long long amount,
                                const char *desc, const char *counter)
{
    char body[1024], sig[200] = "", h1[64], h2[300], tss[32];
    const char *hdrs[4] = {"Content-Type: application/json", h1, h2, NULL};
    long long now = (long long)time(NULL);

    snprintf(body, sizeof(body),
             "{\"id\":\"%s\",\"account\":\"" ST_MKT_ACCOUNT "\","
             "\"direction\":\"credit\",\"amount\":%lld,"
             "\"booked_at\":\"%s\",\"description\":\"%s\","
             "\"counter_account\":{\"name\":\"PHAM VAN DUC\",\"number\":"
             "\"%s\",\"bank\":\"970436\"}}",
             id, amount, ymd, desc, counter);
    snprintf(tss, sizeof(tss), "%lld", now);
    st_sign("generic", ST_GENERIC_KEY, tss, body, sig, sizeof(sig));
    snprintf(h1, sizeof(h1), "X-Chopay-Timestamp: %s", tss);
    snprintf(h2, sizeof(h2), "X-Chopay-Signature: sha256=%s", sig);
    return st_http(&srv, "POST", "/v1/bank/generic", NULL, hdrs, body,
                   strlen(body));
}

static const char *first_txn(const struct resp *r, const char *key)
{
    const char *v = json_string_value(json_object_get(
        json_array_get(json_object_get(r->json, "transactions"), 0), key));

    return v ? v : "";
}

/* A camt.053 of today with one credit from counter-account `counter`. */
static char *camt_from(const char *id, long long amount, const char *text,
                       const char *counter)
{
    struct buf b = {0};

    put(&b,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">"
        "<BkToCstmrStmt><GrpHdr><MsgId>%s</MsgId>"
        "<CreDtTm>%sT20:00:00+07:00</CreDtTm></GrpHdr><Stmt><Id>%s</Id>"
        "<Acct><Id><Othr><Id>" ST_MKT_ACCOUNT "</Id></Othr></Id>"
        "<Ccy>VND</Ccy></Acct>\n<Ntry><Amt Ccy=\"VND\">%lld</Amt>"
        "<CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>"
        "<BookgDt><Dt>%s</Dt></BookgDt><NtryDtls><TxDtls><RltdPties>"
        "<Dbtr><Pty><Nm>TRAN THI B</Nm></Pty></Dbtr><DbtrAcct><Id><Othr>"
        "<Id>%s</Id></Othr></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>%s"
        "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n</Stmt>"
        "</BkToCstmrStmt></Document>\n",
        id, ymd, id, amount, ymd, counter, text);
    return b.p;
}

/* A transfer known with its counter-account is not repeated by a record
 * from another counter-account, even where one of its records (a row
 * without counter-account) would fit: that is a transfer of its own. */
static void test_contradicting_record(void)
{
    const struct row plain = {'C', 97000, NULL, "TIEN DIEN THANG MUOI"};
    struct resp r;
    char *s;

    s = mt94x("CONTRA-1", 0, &plain, 1);
    r = import(s);
    CHECK_INT(JI(r, "unmatched"), 1);
    resp_free(&r);
    free(s);
    r = post_generic("ID-G-20", 97000, "TIEN DIEN THANG MUOI", "0071000333");
    CHECK_INT(r.status, 200);
    CHECK_STR(first_txn(&r, "state"), "duplicate");
    resp_free(&r);
    CHECK_INT(transfers(97000), 1);
    /* the same text and amount, the same day, from another account */
    s = camt_from("CONTRA-2", 97000, "TIEN DIEN THANG MUOI", "0071000444");
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 0);
    CHECK_INT(JI(r, "unmatched"), 1);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(97000), 2);
    CHECK_INT(records(97000), 3);
}

/* A webhook alike by content to two transfers told apart by their
 * counter-accounts is held, and its answer names both. */
static void test_webhook_held(void)
{
    struct resp r;
    json_t *tx, *cands;
    char *s;

    s = camt_from("HELD-1", 98000, "TIEN SUA CHUA MAI", "0071000555");
    r = import(s);
    resp_free(&r);
    free(s);
    s = camt_from("HELD-2", 98000, "TIEN SUA CHUA MAI", "0071000666");
    r = import(s);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(98000), 2);
    r = post_generic("ID-G-30", 98000, "TIEN SUA CHUA MAI", "");
    CHECK_INT(r.status, 200);
    tx = json_array_get(json_object_get(r.json, "transactions"), 0);
    CHECK_STR(json_string_value(json_object_get(tx, "state")), "unmatched");
    CHECK_STR(json_string_value(json_object_get(tx, "reason")),
              "possible_duplicate");
    cands = json_object_get(tx, "candidates");
    CHECK_INT(json_array_size(cands), 2);
    CHECK_INT(json_integer_value(json_array_get(cands, 0)),
              txn_id("amount=98000&channel=statement", 0));
    resp_free(&r);
    CHECK_INT(TXNS("amount=98000&payment_id!=null"), 0);
}

/* A webhook and a statement row of one transfer without code or
 * reference pair by content; rows that match several different transfers
 * are held for review, which can ignore or match them. */
static void test_webhook_and_review(void)
{
    const struct row one = {'C', 91000, NULL, "TIEN HANG THANG BA LAN"};
    const struct row two = {'C', 93000, NULL, "TIEN THUE XE DAY"};
    char path[128];
    long long held;
    struct resp r;
    char *s;

    r = post_generic("ID-G-1", 91000, "TIEN HANG THANG BA LAN", "0071000999");
    CHECK_INT(r.status, 200);
    CHECK_STR(first_txn(&r, "reason"), "no_code");
    resp_free(&r);
    s = mt94x("PAIR-1", 0, &one, 1);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 1);
    CHECK_INT(JI(r, "unmatched"), 0);
    resp_free(&r);
    free(s);
    CHECK_INT(transfers(91000), 1);
    CHECK_INT(records(91000), 2);
    CHECK_INT(TXNS("provider=generic&amount=91000&confirmed=true"), 1);

    /* two transfers from different counter-accounts, then a row with
       neither: which one it repeats (if any) is for a person */
    r = post_generic("ID-G-2", 93000, "TIEN THUE XE DAY", "0071000111");
    CHECK_INT(r.status, 200);
    resp_free(&r);
    r = post_generic("ID-G-3", 93000, "TIEN THUE XE DAY", "0071000222");
    CHECK_INT(r.status, 200);
    CHECK_STR(first_txn(&r, "state"), "unmatched");
    resp_free(&r);
    CHECK_INT(transfers(93000), 2);
    s = mt94x("HOLD-1", 0, &two, 1);
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 0);
    CHECK_INT(JI(r, "unmatched"), 1);
    CHECK_INT(JI(r, "matched"), 0);
    resp_free(&r);
    free(s);
    held = txn_id("amount=93000&channel=statement", 0);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld", held);
    r = st_get(&srv, path, admin);
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "state"), "unmatched");
    CHECK_STR(JS(r, "reason"), "possible_duplicate");
    CHECK_INT(json_array_size(json_object_get(r.json, "suggestions")), 2);
    CHECK_INT(json_integer_value(json_object_get(
                  json_array_get(json_object_get(r.json, "suggestions"), 0),
                  "transaction")),
              txn_id("amount=93000", 0));
    resp_free(&r);
    {
        /* the command line shows what it may repeat */
        char out[16384];
        const char *argv[] = {"review", "list", "--data-dir", srv.dir, NULL};

        CHECK_INT(st_run(out, sizeof(out), argv), 0);
        CHECK(strstr(out, "maybe the same transfer as #") != NULL);
    }
    /* it moved no money */
    CHECK_INT(TXNS("amount=93000&payment_id!=null"), 0);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/ignore",
             held);
    r = st_send(&srv, "POST", path, admin, NULL,
                "{\"reason\":\"trùng với giao dịch đã có\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "state"), "ignored");
    resp_free(&r);

    /* held again from another file, and this time matched to a payer: a
       transfer of its own, credited */
    s = mt94x("HOLD-2", 0, &two, 1);
    r = import(s);
    CHECK_INT(JI(r, "unmatched"), 1);
    resp_free(&r);
    free(s);
    held = txn_id("amount=93000&reason=possible_duplicate", 1);
    CHECK(held > 0);
    snprintf(path, sizeof(path), "/v1/orgs/MKT/bank/transactions/%lld/match",
             held);
    r = st_send(&srv, "POST", path, admin, NULL,
                "{\"payer\":\"A-6\",\"reason\":\"người nộp xác nhận\"}");
    CHECK_INT(r.status, 200);
    CHECK_STR(JS(r, "state"), "matched");
    resp_free(&r);
    CHECK_INT(st_list_sum(&srv, admin, "/v1/orgs/MKT/invoices", "invoices",
                          "paid", "payer=A-6"),
              93000);
}

/* Run `sql` on the database in `dir` behind the server's back
 * (st_tamper): to make it look as written before the transfer identity
 * was stored, and to read the keys the migration filled in, which no
 * request shows. */
static long long tamper(const char *dir, const char *sql)
{
    char url[400];

    st_db_url(dir, url, sizeof(url));
    return st_tamper(url, sql);
}

/*
 * A database written before the transfer identity was stored: the
 * migration fills in the keys of its rows (a NONREF reference is none, a
 * camt batch row gets its position back), and a statement imported again
 * pairs with them.
 */
static void test_migration(void)
{
    const struct row rows[] = {{'C', 61000, "NONREF", "TIEN CHO CU"},
                               {'C', 62000, "FT26001234567", "PHI CU"}};
    char dir[256], cfg[400], *s;
    const char *extra[] = {"--config", cfg, NULL};
    struct srvt keep = srv;
    struct resp r;

    if (st_on_pg()) {
        printf("test_migration: skipped: PostgreSQL databases start at the"
               " current schema; the migrations are SQLite's\n");
        return;
    }
    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        srv = keep;
        return;
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    s = mt94x("OLD-1", 0, rows, 2);
    r = import(s);
    resp_free(&r);
    CHECK_INT(st_stop(&srv), 0);
    /* back to the schema before, rows as it wrote them: the identity
       migration is the tenth; it and the later ones (written so that
       running them again changes nothing) run at the next start */
    CHECK_INT(tamper(dir, "DROP TABLE credential_times; DROP TABLE collectors;"
                          " DROP TABLE stall_payments; DROP TABLE stall_days;"
                          " DROP TABLE stall_feeds;"
                          " DROP INDEX bank_txns_content;"
                          " ALTER TABLE bank_txns DROP COLUMN pos;"
                          " ALTER TABLE bank_txns DROP COLUMN desc_key;"
                          " ALTER TABLE bank_txns DROP COLUMN counter_key;"
                          " ALTER TABLE bank_txns DROP COLUMN source;"
                          " ALTER TABLE payers DROP COLUMN bank_account_name;"
                          " ALTER TABLE payers DROP COLUMN search_key;"
                          " DROP INDEX audit_org;"
                          " ALTER TABLE audit DROP COLUMN org_id;"
                          " DROP INDEX bank_imports_unfinished;"
                          " DROP INDEX intents_remainder;"
                          " DROP INDEX invoices_remainder;"
                          " ALTER TABLE bank_imports DROP COLUMN digest;"
                          " ALTER TABLE bank_imports DROP COLUMN rows_done;"
                          " ALTER TABLE bank_imports DROP COLUMN finished;"
                          " DELETE FROM schema_version WHERE version >= 10;"
                          " UPDATE bank_txns SET bank_ref = 'nonref',"
                          " ref_key = 'NONREF', provider_txn_id = 'h:old-1'"
                          " WHERE amount = 61000;"
                          " UPDATE bank_txns SET provider = 'camt',"
                          " provider_txn_id = bank_ref || '/2',"
                          " counter_account = '0071-000 555'"
                          " WHERE amount = 62000;"),
              0);
    CHECK_INT(st_start(&srv, dir, extra), 0);
    CHECK_INT(tamper(dir, "SELECT count(*) FROM bank_txns WHERE"
                          " amount = 61000 AND ref_key = '' AND"
                          " desc_key = 'D:TIENCHOCU' AND source LIKE"
                          " 'imp:%' AND pos = 0"),
              1);
    CHECK_INT(tamper(dir, "SELECT count(*) FROM bank_txns WHERE"
                          " amount = 62000 AND ref_key = '26001234567'"
                          " AND pos = 2 AND counter_key = '0071000555'"
                          " AND desc_key = 'D:PHICU'"),
              1);
    /* the same statement again: both rows are known transfers */
    r = import(s);
    CHECK_INT(JI(r, "duplicate"), 2);
    resp_free(&r);
    free(s);
    CHECK_INT(st_stop(&srv), 0);
    if (th_failed == 0)
        st_rmtree(dir);
    srv = keep;
}

int main(void)
{
    char dir[256], cfg[400];
    const char *extra[] = {"--config", cfg, NULL};
    time_t t = time(NULL) + 7 * 3600;
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(ymd, sizeof(ymd), "%Y-%m-%d", &tm);
    snprintf(yymmdd, sizeof(yymmdd), "%.2s%.2s%.2s", ymd + 2, ymd + 5, ymd + 8);
    CHECK_INT(st_tmpdir(dir), 0);
    CHECK_INT(st_bank_config(dir, cfg, sizeof(cfg)), 0);
    if (st_start(&srv, dir, extra) != 0) {
        CHECK(0);
        return TEST_END();
    }
    CHECK_INT(st_bank_world(&srv, admin, kiosk), 0);
    test_shared_reference_mt940();
    test_shared_reference_camt();
    test_reissued_statement();
    test_intraday_then_final();
    test_same_file_and_multiset();
    test_webhook_and_review();
    test_contradicting_record();
    test_webhook_held();
    CHECK_INT(st_stop(&srv), 0);
    test_migration();
    if (th_failed == 0)
        st_rmtree(dir);
    return TEST_END();
}
