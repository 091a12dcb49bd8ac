/*
 * test_feeds_statements.c: camt.053/054 (v2, v8), MT940/MT942 and CSV
 * statements: the shared samples (genkgo/camt, mt940js, centrapay, copied
 * with their licences into tests/data/feeds/samples/) parse to the values
 * they contain, our own VND statements import and reconcile, and format
 * detection picks the right reader.
 */
#include "feeds.h"
#include "feeds_test.h"
#include "harness.h"
#include "payref.h"

static int parse_file(const char *name, int fmt,
                      const struct feeds_csv_map *map, struct bank_txn_list *l,
                      struct feeds_error *e)
{
    size_t len;
    char *buf = ft_read(name, &len);
    int rc;

    memset(e, 0, sizeof *e);
    rc = feeds_parse_statement(buf, len, fmt, map, l, e);
    if (rc)
        fprintf(stderr, "%s: %s line %ld %s: %s\n", name, feeds_error_name(rc),
                e->line, e->path, e->message);
    free(buf);
    return rc;
}

/* The payment code the matching engine will find in a description. */
static const char *code_in(const char *text)
{
    static char out[PAYREF_MAX + 1];

    if (payref_find(text, strlen(text), NULL, out))
        return "";
    return out;
}

static void test_camt_samples(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct bank_txn *t;
    struct feeds_statement *s;

    /* camt.053.001.02 minimal: one credit, structured reference; its
     * closing balance is in SEK and DBIT, so reconciliation must fail */
    CHECK_INT(
        parse_file("samples/genkgo-camt053.v2.minimal.xml", 0, NULL, &l, &e),
        0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 1);
    if (l.nstmts == 1 && l.n == 1) {
        s = &l.stmts[0];
        t = &l.txns[0];
        CHECK_INT(s->format, FEEDS_CAMT);
        CHECK_STR(s->id, "253EURNL26VAYB8060476890");
        CHECK_STR(s->sequence, "12312");
        CHECK_STR(s->account, "NL26VAYB8060476890");
        CHECK_STR(s->currency, "EUR");
        CHECK_INT(s->exponent, 2);
        CHECK_INT(s->opening, 1815);
        CHECK_INT(s->closing, -2700);
        CHECK_INT(s->credits, 885);
        CHECK_INT(s->check, FEEDS_BAL_MISMATCH);
        CHECK(strstr(s->notes, "SEK") != NULL);
        CHECK_INT(t->provider, FEEDS_CAMT);
        CHECK_INT(t->amount, 885);
        CHECK_STR(t->currency, "EUR");
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->reversal, 0);
        CHECK_STR(t->booking_date, "2014-12-31");
        CHECK_STR(t->value_date, "2015-01-02");
        CHECK_STR(t->creditor_ref, "4654654654654654");
        CHECK_STR(t->counter_name, "NAME NAME");
        CHECK_STR(t->counter_account, "NL56AGDH9619008421");
        CHECK_STR(t->bank_tx_code, "544");
        CHECK_STR(t->account, "NL26VAYB8060476890");
        CHECK(strncmp(t->provider_txn_id, "h:", 2) == 0);
        CHECK_INT(strlen(t->provider_txn_id), 34);
        CHECK_INT(t->statement, 0);
    }
    feeds_list_free(&l);

    /* two statements in one file, both reconciling */
    CHECK_INT(parse_file("samples/genkgo-camt053.v2.multi.statement.xml", 0,
                         NULL, &l, &e),
              0);
    CHECK_INT(l.nstmts, 2);
    CHECK_INT(l.n, 2);
    if (l.nstmts == 2 && l.n == 2) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[0].opening, 1815);
        CHECK_INT(l.stmts[0].closing, 2700);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        CHECK_STR(l.stmts[1].id, "254EURNL26VAYB8060476890");
        CHECK_INT(l.stmts[1].opening, 2700);
        CHECK_INT(l.stmts[1].closing, 2000);
        CHECK_INT(l.stmts[1].debits, 700);
        CHECK_INT(l.txns[0].statement, 0);
        CHECK_STR(l.txns[0].end_to_end_id, "000000001");
        CHECK_STR(l.txns[0].description, "Transaction Description 1");
        t = &l.txns[1];
        CHECK_INT(t->statement, 1);
        CHECK_INT(t->direction, FEEDS_DEBIT);
        CHECK_INT(t->amount, 700);
        CHECK_STR(t->end_to_end_id, "000000002");
        CHECK_STR(t->counter_name, "Company Name 2"); /* debit: Cdtr */
        CHECK_STR(t->description, "Transaction Description 2");
        CHECK(strcmp(l.txns[0].provider_txn_id, t->provider_txn_id) != 0);
    }
    feeds_list_free(&l);

    /* camt.053.001.08: Sts/Cd, DtTm, AcctSvcrRef, Pty/Nm, Othr/Id */
    CHECK_INT(
        parse_file("samples/genkgo-camt053.v8.xml", FEEDS_CAMT, NULL, &l, &e),
        0);
    CHECK_INT(l.n, 1);
    if (l.n == 1 && l.nstmts == 1) {
        t = &l.txns[0];
        CHECK_STR(l.stmts[0].account, "NL26VAYB8060476890");
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_MISMATCH);
        CHECK_STR(t->provider_txn_id, "AAAASESS-FP-CN_98765/01");
        CHECK_STR(t->bank_ref, "AAAASESS-FP-CN_98765/01");
        CHECK_INT(t->amount, 885);
        CHECK_STR(t->booking_date, "2014-12-31");
        CHECK_STR(t->datetime, "2014-12-31T13:15:00+01:00");
        CHECK_STR(t->end_to_end_id, "MUELL/FINP/RA12345");
        CHECK_STR(t->counter_name, "NAME NAME");
        CHECK_STR(t->bank_tx_code, "PMNT/RCDT/BOOK");
    }
    feeds_list_free(&l);

    /* camt.054.001.02: one debit entry, three TxDtls without amounts */
    CHECK_INT(parse_file("samples/genkgo-camt054.v2.xml", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 1);
    if (l.n == 1 && l.nstmts == 1) {
        s = &l.stmts[0];
        t = &l.txns[0];
        CHECK_STR(s->id, "AAAASESS-FP-ACCR001");
        CHECK_STR(s->account, "CH2801234000123456789");
        CHECK_INT(s->check, FEEDS_BAL_UNCHECKED);
        CHECK(strstr(s->notes, "3 TxDtls") != NULL);
        CHECK_INT(t->direction, FEEDS_DEBIT);
        CHECK_INT(t->amount, 20000000); /* SEK 200000.00 */
        CHECK_STR(t->currency, "SEK");
        CHECK_STR(t->provider_txn_id, "AAAASESS-FP-ACCR001");
        CHECK_STR(t->datetime, "2007-10-18T13:15:00+01:00");
        CHECK_STR(t->creditor_ref, "ISR ref number V1");
        CHECK_STR(t->description,
                  "Unstructured Remittance Information V1\n"
                  "Unstructured Remittance Information V3 block 1 "
                  "Unstructured Remittance Information V3 block 2");
    }
    feeds_list_free(&l);

    /* camt.054.001.08: TxDtls amounts in CHF do not add up to the SEK
     * entry: one transaction at the booked amount, details of the first */
    CHECK_INT(parse_file("samples/genkgo-camt054.v8.xml", 0, NULL, &l, &e), 0);
    CHECK_INT(l.n, 1);
    if (l.n == 1) {
        t = &l.txns[0];
        CHECK_STR(t->provider_txn_id, "ACSR160617103200001");
        CHECK_INT(t->amount, 20000000);
        CHECK_INT(t->direction, FEEDS_DEBIT);
        CHECK_STR(t->end_to_end_id, "UXC06170000006PI00001EE00001");
        CHECK_STR(t->counter_name, "Example Creditor 3 - V1");
        CHECK_STR(t->counter_account, "CH4112345003131313131");
        CHECK_STR(t->counter_bank, "100");
        CHECK_STR(t->bank_tx_code, "PMNT/ICDT/DMCT");
        CHECK_STR(t->account, "CH2801234000123456789");
    }
    feeds_list_free(&l);
}

static void test_camt_vnd(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct bank_txn *t;

    CHECK_INT(parse_file("vnd-camt053-v8.xml", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 5);
    if (l.nstmts != 1 || l.n != 5) {
        feeds_list_free(&l);
        return;
    }
    CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
    CHECK_STR(l.stmts[0].currency, "VND");
    CHECK_INT(l.stmts[0].exponent, 0);
    CHECK_INT(l.stmts[0].opening, 10000000);
    CHECK_INT(l.stmts[0].closing, 12378000);
    CHECK_INT(l.stmts[0].credits, 2400000);
    CHECK_INT(l.stmts[0].debits, 22000);
    CHECK_INT(l.stmts[0].n_credits, 3); /* the batch counts once */
    CHECK_INT(l.stmts[0].n_skipped, 1); /* PDNG */
    CHECK(strstr(l.stmts[0].notes, "PDNG") != NULL);
    t = &l.txns[0];
    CHECK_STR(t->provider_txn_id, "FT26326912345678");
    CHECK_INT(t->amount, 1250000);
    CHECK_STR(t->counter_name, "NGUYỄN THỊ ĐÀO");
    CHECK_STR(t->counter_account, "0123456789");
    CHECK_STR(t->counter_bank, "970436");
    CHECK_STR(t->end_to_end_id, ""); /* NOTPROVIDED */
    CHECK_STR(t->datetime, "2026-11-22T08:15:42+07:00");
    CHECK_STR(code_in(t->description), "CP282HYKN2");
    /* the batch entry split in two */
    CHECK_STR(l.txns[1].provider_txn_id, "FT26326000222333/1");
    CHECK_STR(l.txns[2].provider_txn_id, "FT26326000222333/2");
    /* their positions inside the batch; 0 outside one */
    CHECK_INT(l.txns[0].pos, 0);
    CHECK_INT(l.txns[1].pos, 1);
    CHECK_INT(l.txns[2].pos, 2);
    CHECK_INT(l.txns[3].pos, 0);
    CHECK_STR(l.txns[1].bank_ref, "FT26326000222333");
    CHECK_INT(l.txns[1].amount, 500000);
    CHECK_INT(l.txns[2].amount, 350000);
    CHECK_STR(l.txns[1].counter_name, "Lê Thị Hồng Nhung");
    CHECK_STR(l.txns[2].end_to_end_id, "E2E-0002");
    CHECK_STR(code_in(l.txns[1].description), "CP2X4FX95E");
    CHECK_STR(code_in(l.txns[2].description), "CP3N6DVVJ4");
    CHECK_INT(l.txns[3].direction, FEEDS_DEBIT);
    CHECK_INT(l.txns[3].amount, 22000);
    CHECK_STR(l.txns[3].description, "Phí dịch vụ SMS Banking tháng 11");
    CHECK(strncmp(l.txns[4].provider_txn_id, "h:", 2) == 0);
    CHECK_STR(l.txns[4].description,
              "Trần Văn Hùng nộp phí chợ CP23HE5ESP ki-ốt B/07");
    CHECK_STR(code_in(l.txns[4].description), "CP23HE5ESP");
    feeds_list_free(&l);

    /* the same file twice: the same ids (re-import is idempotent) */
    {
        struct bank_txn_list a = {0}, b = {0};
        size_t i;

        CHECK_INT(parse_file("vnd-camt053-v8.xml", 0, NULL, &a, &e), 0);
        CHECK_INT(parse_file("vnd-camt053-v8.xml", 0, NULL, &b, &e), 0);
        CHECK_INT(a.n, b.n);
        for (i = 0; i < a.n && i < b.n; i++)
            CHECK_STR(a.txns[i].provider_txn_id, b.txns[i].provider_txn_id);
        feeds_list_free(&a);
        feeds_list_free(&b);
    }
}

/* Edit a copy of a file: replace the first `from` with `to`. */
static char *edited(const char *name, const char *from, const char *to,
                    size_t *len)
{
    size_t n, fl = strlen(from), tl = strlen(to);
    char *src = ft_read(name, &n), *p = strstr(src, from), *out;

    if (!p) {
        fprintf(stderr, "%s: \"%s\" not found\n", name, from);
        exit(2);
    }
    out = malloc(n - fl + tl + 1);
    memcpy(out, src, (size_t)(p - src));
    memcpy(out + (p - src), to, tl);
    memcpy(out + (p - src) + tl, p + fl, n - (size_t)(p - src) - fl + 1);
    *len = n - fl + tl;
    free(src);
    return out;
}

/* Replace the first `from` in the malloc'd text `src` (freed). */
static char *subst(char *src, size_t *len, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), at;
    char *p = strstr(src, from), *out;

    if (!p) {
        fprintf(stderr, "\"%s\" not found\n", from);
        exit(2);
    }
    at = (size_t)(p - src);
    out = malloc(*len - fl + tl + 1);
    memcpy(out, src, at);
    memcpy(out + at, to, tl);
    memcpy(out + at + tl, p + fl, *len - at - fl + 1);
    *len = *len - fl + tl;
    free(src);
    return out;
}

static void test_camt_errors(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    size_t n;
    char *x;

    /* a closing balance that does not add up: reported with figures */
    x = edited("vnd-camt053-v8.xml", "12378000", "12379000", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    if (l.nstmts == 1) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_MISMATCH);
        CHECK_STR(l.stmts[0].check_message,
                  "opening 10000000 + credits 2400000 - debits 22000 = "
                  "12378000 VND, but closing balance is 12379000");
    }
    feeds_list_free(&l);
    free(x);
    x = edited("samples/genkgo-camt053.v2.multi.statement.xml", "20.00",
               "20.01", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), 0);
    if (l.nstmts == 2) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_MISMATCH);
        CHECK_STR(l.stmts[1].check_message,
                  "opening 27.00 + credits 0.00 - debits 7.00 = 20.00 EUR, "
                  "but closing balance is 20.01");
    }
    feeds_list_free(&l);
    free(x);

    /* bad values: the element and its line */
    x = edited("vnd-camt053-v8.xml", "<Amt Ccy=\"VND\">1250000</Amt>",
               "<Amt Ccy=\"VND\">1250000.50</Amt>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_AMOUNT);
    CHECK_INT(e.line, 32);
    CHECK_STR(e.path, "Stmt[1]/Ntry[1]/Amt");
    CHECK_INT(l.n, 0);
    free(x);
    x = edited("vnd-camt053-v8.xml", "<CdtDbtInd>DBIT</CdtDbtInd>",
               "<CdtDbtInd>DEBIT</CdtDbtInd>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_FIELD);
    CHECK_STR(e.path, "Stmt[1]/Ntry[3]/CdtDbtInd");
    CHECK_INT(e.line, 80);
    free(x);
    x = edited("vnd-camt053-v8.xml", "<Dt>2026-11-22</Dt></BookgDt>",
               "<Dt>2026-11-31</Dt></BookgDt>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_DATE);
    CHECK_STR(e.path, "Stmt[1]/Ntry[2]/BookgDt");
    free(x);
    x = edited("vnd-camt053-v8.xml", "<Amt Ccy=\"VND\">22000</Amt>",
               "<Amt Ccy=\"vnd\">22000</Amt>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_AMOUNT);
    free(x);
    /* a half-written file: the line where it broke, nothing applied */
    x = edited("vnd-camt053-v8.xml",
               "</Ntry>\n      <Ntry>\n        <Amt Ccy=\"VND\">22000",
               "</Ntry>\n      <Ntry>\n        <Amt Ccy=\"VND\"", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 79); /* where libxml2 saw the attribute end */
    CHECK(e.message[0] != '\0');
    CHECK_INT(l.n, 0);
    CHECK_INT(l.nstmts, 0);
    free(x);
    /* another message type or a future camt we do not know */
    x = edited("vnd-camt053-v8.xml", "xsd:camt.053.001.08",
               "xsd:camt.056.001.08", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_UNSUPPORTED);
    CHECK_INT(e.line, 5);
    free(x);
    /* camt.052 (intraday report): same entries under Rpt */
    {
        x = edited("vnd-camt053-v8.xml", "xsd:camt.053.001.08",
                   "xsd:camt.052.001.08", &n);
        x = subst(x, &n, "<BkToCstmrStmt>", "<BkToCstmrAcctRpt>");
        x = subst(x, &n, "</BkToCstmrStmt>", "</BkToCstmrAcctRpt>");
        x = subst(x, &n, "<Stmt>", "<Rpt>");
        x = subst(x, &n, "</Stmt>", "</Rpt>");
        CHECK_INT(feeds_parse_camt(x, n, &l, &e), 0);
        CHECK_INT(l.n, 5);
        if (l.nstmts == 1)
            CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        feeds_list_free(&l);
        free(x);
    }
    x = edited("vnd-camt053-v8.xml", "xsd:camt.053.001.08",
               "xsd:camt.053.001.13", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), 0); /* any .001.NN */
    feeds_list_free(&l);
    free(x);
    x = edited("vnd-camt053-v8.xml", "<BkToCstmrStmt>", "<BkToCstmrRpt>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_UNSUPPORTED);
    free(x);
    x = edited("vnd-camt053-v8.xml", "10000000</Amt>", "10,000,000</Amt>", &n);
    CHECK_INT(feeds_parse_camt(x, n, &l, &e), -FEEDS_E_AMOUNT);
    CHECK_STR(e.path, "Stmt[1]/Bal/Amt");
    CHECK_INT(e.line, 21);
    free(x);
    CHECK_INT(feeds_parse_camt("", 0, &l, &e), -FEEDS_E_SYNTAX);
    {
        const char *empty = "<Document xmlns=\"urn:iso:std:iso:20022:tech:"
                            "xsd:camt.054.001.02\"><BkToCstmrDbtCdtNtfctn>"
                            "</BkToCstmrDbtCdtNtfctn></Document>";
        CHECK_INT(feeds_parse_camt(empty, strlen(empty), &l, &e),
                  -FEEDS_E_FIELD);
    }
    CHECK_INT(l.n, 0);
}

/* Entity tricks: a DOCTYPE is refused whatever it holds; no file is read
 * and nothing is expanded. */
static void test_camt_entities(void)
{
    static const char *const evil[] = {
        "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "
        "\"file:///etc/passwd\">]>\n<Document xmlns=\"urn:iso:std:iso:"
        "20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt><Stmt><Id>&x;</Id>"
        "</Stmt></BkToCstmrStmt></Document>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;"
        "&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"
        "\">]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053."
        "001.02\"><BkToCstmrStmt><Stmt><Id>&d;&d;&d;</Id></Stmt>"
        "</BkToCstmrStmt></Document>",
        "<?xml version=\"1.0\"?>\n<!DOCTYPE Document SYSTEM "
        "\"http://example.invalid/camt.dtd\">\n<Document xmlns=\"urn:iso:"
        "std:iso:20022:tech:xsd:camt.053.001.02\"/>",
    };
    struct bank_txn_list l = {0};
    struct feeds_error e;
    size_t i;

    for (i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        int rc;

        memset(&e, 0, sizeof e);
        rc = feeds_parse_camt(evil[i], strlen(evil[i]), &l, &e);
        /* libxml2 itself stops the entity bomb while reading the DTD
         * (a syntax error); the others reach our DOCTYPE check */
        CHECK_INT(rc, i == 1 ? -FEEDS_E_SYNTAX : -FEEDS_E_UNSUPPORTED);
        CHECK(e.line >= 1 && e.line <= 3);
        CHECK(strstr(e.message, "root") == NULL);
        CHECK_INT(l.n, 0);
    }
    /* an undeclared entity reference is malformed XML */
    {
        const char *u = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
                        "camt.053.001.02\"><BkToCstmrStmt><Stmt><Id>&x;"
                        "</Id></Stmt></BkToCstmrStmt></Document>";
        CHECK_INT(feeds_parse_camt(u, strlen(u), &l, &e), -FEEDS_E_SYNTAX);
    }
}

static void test_mt940_samples(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct bank_txn *t;
    int k;

    /* test1 (envelope) and testX (structured :86:, {5:} trailers) carry
     * the same two statements */
    for (k = 0; k < 2; k++) {
        CHECK_INT(parse_file(k ? "samples/mt940js-testX.mt940"
                               : "samples/mt940js-test1.mt940",
                             0, NULL, &l, &e),
                  0);
        CHECK_INT(l.nstmts, 2);
        CHECK_INT(l.n, 3);
        if (l.nstmts != 2 || l.n != 3)
            break;
        CHECK_INT(l.stmts[0].format, FEEDS_MT940);
        CHECK_STR(l.stmts[0].id, "B4E08MS9D00A0009");
        CHECK_STR(l.stmts[0].account, "123456789");
        CHECK_STR(l.stmts[0].sequence, "998/1");
        CHECK_STR(l.stmts[0].currency, "EUR");
        CHECK_INT(l.stmts[0].opening, 0);
        CHECK_INT(l.stmts[0].closing, 50000);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_STR(l.stmts[1].id, "B4G30MS9D00A003D");
        CHECK_INT(l.stmts[1].opening, 305898);
        CHECK_INT(l.stmts[1].closing, 79898);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        t = &l.txns[0];
        CHECK_INT(t->provider, FEEDS_MT940);
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->amount, 50000);
        CHECK_STR(t->value_date, "2014-05-07");
        CHECK_STR(t->booking_date, "2014-05-07");
        CHECK_STR(t->bank_tx_code, "NTRF");
        CHECK_STR(t->end_to_end_id, ""); /* NONREF */
        CHECK_STR(t->bank_ref, "B4E07XM00J000023");
        CHECK_STR(t->provider_txn_id, "B4E07XM00J000023");
        CHECK_STR(t->account, "123456789");
        t = &l.txns[1];
        CHECK_INT(t->statement, 1);
        CHECK_INT(t->direction, FEEDS_DEBIT);
        CHECK_INT(t->amount, 276000);
        CHECK_STR(t->bank_ref, "B4G29PGCVO7Q06US");
        t = &l.txns[2];
        CHECK_INT(t->amount, 50000); /* "500" without a decimal comma */
        CHECK_STR(t->end_to_end_id, "29-07-2014 10:05");
        CHECK_STR(t->bank_ref, "B4G29PGDCK1QFV3E");
        CHECK_STR(t->description,
                  "12160475 0050001631430920 ORDERID: 264267 MEDIA MARKT "
                  "ONLINE NE\nREK: NL84INGB0234561789/NAAM: MMS ONLINE "
                  "NEDERLAND B.V.");
        if (k == 0)
            CHECK_STR(l.txns[0].description,
                      "HIER EEN MOOIE OMSCHRIJVING IN HOOFDLETTERS\nWANT "
                      "DAT IS ZOALS DE NEDERLANDSE BANKEN COMMUNICEREN");
        else
            CHECK_STR(l.txns[1].description,
                      " /XXXX//100924006010 XXXXXXXXXXXXX XXXXXXXX XXXXXX "
                      "AB (PUBL)\n /ORDP/XX XXXXXX XXXXX XXXX N.A.25 XXXX "
                      "XXXXX, CANARY WHARF\n /REMI/UBERWEISUNG OUR REF: "
                      "03MT181024144353\nYOUR REF: P6363103 240 1   M CA "
                      "O/XXXXGB2L\n/ACC/INST/XXXXGB2L         /6231400604\n"
                      "BIC:XXXXGB2L");
        feeds_list_free(&l);
    }

    /* Polish style: no envelope, two pages (:62M:/:60M:), UTF-8, :NS: */
    CHECK_INT(parse_file("samples/mt940js-test-with-NS.mt940", 0, NULL, &l, &e),
              0);
    CHECK_INT(l.nstmts, 2);
    CHECK_INT(l.n, 4);
    if (l.nstmts == 2 && l.n == 4) {
        CHECK_STR(l.stmts[0].currency, "PLN");
        CHECK_STR(l.stmts[0].sequence, "17001/1");
        CHECK_INT(l.stmts[0].opening, 350360);
        CHECK_INT(l.stmts[0].closing, 299653);
        CHECK_INT(l.stmts[0].debits, 50707);
        CHECK_INT(l.stmts[0].n_debits, 3);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_STR(l.stmts[1].sequence, "17001/2");
        CHECK_INT(l.stmts[1].opening, 299653);
        CHECK_INT(l.stmts[1].closing, 297153);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        CHECK_INT(l.txns[0].amount, 36900); /* funds code N skipped */
        CHECK_STR(l.txns[0].bank_tx_code, "FCHG");
        CHECK_STR(l.txns[0].description,
                  ">20Usługi księgowe - m-c grudzien 2016 rok.>3149105019"
                  "5310000\n0477656534>32BOOKING GROUP");
        CHECK_INT(l.txns[1].amount, 1507);
        CHECK_INT(l.txns[2].amount, 12300);
        CHECK_STR(l.txns[2].booking_date, "2017-01-10");
        CHECK_INT(l.txns[3].statement, 1);
        CHECK_INT(l.txns[3].amount, 2500);
        CHECK_STR(l.txns[3].description,
                  ">20Opłata za prowadzenie rachunku od  1-01-2017 do "
                  "31-01-2017\n>31>32");
        CHECK(strncmp(l.txns[3].provider_txn_id, "h:", 2) == 0);
    }
    feeds_list_free(&l);

    /* MT942: :34F: :13D:, totals :90D:/:90C: checked */
    CHECK_INT(parse_file("samples/centrapay-test1.mt942", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 2);
    if (l.nstmts == 1 && l.n == 2) {
        CHECK_STR(l.stmts[0].id, "FNB5014200017001");
        CHECK_STR(l.stmts[0].account, "123011050612305");
        CHECK_STR(l.stmts[0].currency, "NZD");
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.txns[0].direction, FEEDS_DEBIT);
        CHECK_INT(l.txns[0].amount, 500000);
        CHECK_STR(l.txns[0].value_date, "2020-05-21");
        CHECK_STR(l.txns[0].description,
                  "/BAI/469/MISCELLANEOUS ACH DEBIT\n/BENM/Transfer");
        CHECK_INT(l.txns[1].direction, FEEDS_CREDIT);
        CHECK_STR(l.txns[1].bank_tx_code, "NBKT");
        CHECK(strcmp(l.txns[0].provider_txn_id, l.txns[1].provider_txn_id));
    }
    feeds_list_free(&l);
}

static void test_mt940_vnd(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    size_t n;
    char *x;

    CHECK_INT(parse_file("vnd.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 3);
    if (l.nstmts == 1 && l.n == 3) {
        CHECK_STR(l.stmts[0].currency, "VND");
        CHECK_INT(l.stmts[0].opening, 10000000);
        CHECK_INT(l.stmts[0].closing, 11528000);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_STR(l.txns[0].provider_txn_id, "FT26326912345678");
        CHECK_INT(l.txns[0].amount, 1250000);
        CHECK_STR(l.txns[0].booking_date, "2026-11-22");
        CHECK_STR(l.txns[0].description,
                  "NGUYEN THI DAO chuyen tien CP282HYKN2\nhoc phi thang 11");
        CHECK_INT(l.txns[1].direction, FEEDS_DEBIT);
        CHECK_STR(l.txns[1].bank_tx_code, "NCHG");
        CHECK_STR(l.txns[2].end_to_end_id, "TT20261122");
        /* the code wrapped over two :86: lines is still found */
        CHECK_STR(code_in(l.txns[2].description), "CP23HE5ESP");
    }
    feeds_list_free(&l);

    /* balance mismatch */
    x = edited("vnd.mt940", ":62F:C261122VND11528000,",
               ":62F:C261122VND11529000,", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), 0);
    if (l.nstmts == 1) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_MISMATCH);
        CHECK_STR(l.stmts[0].check_message,
                  "opening 10000000 + credits 1550000 - debits 22000 = "
                  "11528000 VND, but closing balance is 11529000");
    }
    feeds_list_free(&l);
    free(x);
    /* errors with their line */
    x = edited("vnd.mt940", "261122D22000,", "261122X22000,", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_FIELD);
    CHECK_INT(e.line, 9);
    CHECK_STR(e.path, ":61:");
    free(x);
    x = edited("vnd.mt940", "261122D22000,", "261122D22000,5", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_AMOUNT);
    CHECK_INT(e.line, 9);
    free(x);
    x = edited("vnd.mt940", ":61:261122D", ":61:261131D", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_DATE);
    free(x);
    x = edited("vnd.mt940", ":62F:C261122VND11528000,\r\n", "", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_FIELD);
    free(x);
    x = edited("vnd.mt940", "-}\r\n", "", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK(strstr(e.message, "-}") != NULL);
    free(x);
    x = edited("vnd.mt940", ":25:0011001234567\r\n", "", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_FIELD);
    free(x);
    /* opening and closing balance in different currencies */
    x = edited("vnd.mt940", "VND10000000,", "VNX10000000,", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_FIELD);
    CHECK_INT(e.line, 14);
    CHECK_STR(e.path, ":62F:");
    free(x);
    x = edited("vnd.mt940", "Phí", "\xC3\x28", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 10);
    free(x);
    /* reversal marks */
    x = edited("vnd.mt940", "261122D22000,NCHG", "261122RD22000,NCHG", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), 0);
    if (l.n == 3) {
        CHECK_INT(l.txns[1].reversal, 1);
        CHECK_INT(l.txns[1].direction, FEEDS_CREDIT);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_MISMATCH);
    }
    feeds_list_free(&l);
    free(x);
    CHECK_INT(l.n, 0);
}

/* Envelopes other systems write around MT940: each must import whole or
 * fail naming its line. */
static void test_mt940_envelopes(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    size_t n;
    char *x;

    /* {1:}, {2:}, {3:}, {4: on lines of their own; "-" and "}" of the
     * trailer on two lines, once with a {5:} block after the "}" */
    CHECK_INT(parse_file("vnd-envelope-lines.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 2);
    CHECK_INT(l.n, 3);
    if (l.nstmts == 2 && l.n == 3) {
        CHECK_STR(l.stmts[0].id, "STMT261123001");
        CHECK_INT(l.stmts[0].credits, 1000000);
        CHECK_INT(l.stmts[0].n_credits, 2);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_STR(l.stmts[1].id, "STMT261124001");
        CHECK_INT(l.stmts[1].debits, 11000);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        CHECK_STR(l.txns[1].bank_ref, "FT26327000111333");
        CHECK_STR(l.txns[2].description, "Phi SMS");
    }
    feeds_list_free(&l);
    /* a second {1: before the first message's trailer, at its line */
    x = edited("vnd-envelope-lines.mt940", "-\r\n}\r\n{1:", "{1:", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 13);
    CHECK(strstr(e.message, "-}") != NULL);
    free(x);
    /* a "-" without its "}": the message is not closed */
    x = edited("vnd-envelope-lines.mt940", "-\r\n}{5:{CHK:123456789ABC}}\r\n",
               "-\r\n", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK(strstr(e.message, "-}") != NULL);
    free(x);
    x = edited("vnd-envelope-lines.mt940", "}{5:{CHK:123456789ABC}}",
               "}{5:{CHK:123456789ABC}", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 27);
    free(x);
    CHECK_INT(l.n, 0);

    /* SOH ... ETX around each message, "-}" ETX SOH "{1:" on one line */
    CHECK_INT(parse_file("vnd-soh-etx.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 2);
    CHECK_INT(l.n, 2);
    if (l.nstmts == 2 && l.n == 2) {
        CHECK_INT(l.stmts[0].credits, 2400000);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[1].debits, 17000);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        CHECK_STR(code_in(l.txns[0].description), "CP29VRA3HR");
    }
    feeds_list_free(&l);
    /* SOH alone on the first line, "-" ETX to end, no envelope */
    CHECK_INT(parse_file("vnd-soh-etx-plain.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.n, 1);
    if (l.nstmts == 1)
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
    feeds_list_free(&l);
    /* cut before the last ETX: truncated */
    x = edited("vnd-soh-etx-plain.mt940", "-\x03\n", "-\n", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK(strstr(e.message, "ETX") != NULL);
    free(x);
    /* ETX before the enveloped message's -} */
    x = edited("vnd-soh-etx.mt940", "-}\x03\x01", "\x03\x01", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 9);
    free(x);
    /* an SOH inside a field */
    x = edited("vnd-soh-etx-plain.mt940", "TRAN VAN", "TRAN\x01VAN", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 7);
    free(x);
    CHECK_INT(l.n, 0);

    /* bank header lines before each message (ABN AMRO style), ":28:" */
    CHECK_INT(parse_file("vnd-header-lines.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.nstmts, 2);
    CHECK_INT(l.n, 2);
    if (l.nstmts == 2 && l.n == 2) {
        CHECK_STR(l.stmts[0].sequence, "332/1");
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[1].check, FEEDS_BAL_OK);
        CHECK_INT(l.txns[0].amount, 300000);
        CHECK_STR(l.txns[0].bank_tx_code, "N654");
        CHECK_INT(l.txns[1].direction, FEEDS_DEBIT);
    }
    feeds_list_free(&l);
    /* between messages only short header lines, not free text */
    x = edited("vnd-header-lines.mt940", "-\r\nBFTVVNVX\r\n940",
               "-\r\nsee the next page: it continues\r\n940", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 12);
    free(x);
    /* a header line inside a message is text of the field before it */
    x = edited("vnd-header-lines.mt940", "-\r\nBFTVVNVX\r\n940",
               "BFTVVNVX\r\n940", &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), -FEEDS_E_AMOUNT);
    CHECK_INT(e.line, 10);
    free(x);

    /* Rabobank style: ":940:" first, one :86: per line (all kept), leading
     * zeros, spaces in :61:, DOS end-of-file byte */
    CHECK_INT(parse_file("vnd-rabobank-style.mt940", 0, NULL, &l, &e), 0);
    CHECK_INT(l.n, 1);
    if (l.n == 1 && l.nstmts == 1) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.txns[0].amount, 200000);
        CHECK_STR(l.txns[0].description,
                  "NGUYEN THI DAO chuyen tien\nCP282HYKN2 hoc phi thang 12");
        CHECK_STR(code_in(l.txns[0].description), "CP282HYKN2");
        CHECK_STR(l.stmts[0].notes, "");
    }
    feeds_list_free(&l);
    /* spaces in place of the entry date */
    x = edited("vnd-rabobank-style.mt940", ":61:261130C", ":61:261130    C",
               &n);
    CHECK_INT(feeds_parse_mt940(x, n, &l, &e), 0);
    if (l.n == 1)
        CHECK_STR(l.txns[0].booking_date, "2026-11-30");
    feeds_list_free(&l);
    free(x);
}

static void test_csv(void)
{
    struct bank_txn_list l = {0};
    struct feeds_error e;
    struct feeds_csv_map m;
    size_t n;
    char *x;

    /* Vietcombank-style export: BOM, preamble, Vietnamese headers,
     * quoted "1,234,000" amounts, newest first, multi-line content */
    feeds_csv_map_default(&m);
    m.account = "0011001234567";
    CHECK_INT(parse_file("vnd-vcb-export.csv", 0, &m, &l, &e), 0);
    CHECK_INT(l.nstmts, 1);
    CHECK_INT(l.n, 3);
    if (l.nstmts == 1 && l.n == 3) {
        struct bank_txn *t = &l.txns[0];

        CHECK_INT(l.stmts[0].format, FEEDS_CSV);
        CHECK_STR(l.stmts[0].account, "0011001234567");
        CHECK_INT(l.stmts[0].line, 4); /* the header row */
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[0].opening, 10000000);
        CHECK_INT(l.stmts[0].closing, 11528000);
        CHECK_INT(t->provider, FEEDS_CSV);
        CHECK_STR(t->account, "0011001234567");
        CHECK_STR(t->provider_txn_id, "FT26326000444555");
        CHECK_INT(t->direction, FEEDS_CREDIT);
        CHECK_INT(t->amount, 300000);
        CHECK_INT(t->balance, 11528000);
        CHECK_STR(t->datetime, "2026-11-22T14:20:11+07:00");
        CHECK_STR(t->description,
                  "Trần Văn Hùng nộp phí chợ CP23HE5ESP, ki-ốt B/07");
        CHECK_STR(t->source, "line 5");
        CHECK_INT(l.txns[1].direction, FEEDS_DEBIT);
        CHECK_INT(l.txns[1].amount, 22000);
        CHECK_STR(l.txns[2].description,
                  "NGUYEN THI DAO chuyen tien CP282HYKN2\nhoc phi thang 11");
        CHECK_STR(l.txns[2].source, "line 7");
        CHECK_STR(code_in(l.txns[2].description), "CP282HYKN2");
    }
    feeds_list_free(&l);

    /* semicolons, 1.000.000 amounts, one signed column, yyyy-mm-dd, no
     * reference column: two identical rows keep two distinct ids */
    feeds_csv_map_default(&m);
    m.date_format = FEEDS_DATE_YMD;
    CHECK_INT(parse_file("vnd-semicolon.csv", FEEDS_CSV, &m, &l, &e), 0);
    CHECK_INT(l.n, 4);
    if (l.n == 4 && l.nstmts == 1) {
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_OK);
        CHECK_INT(l.stmts[0].opening, 5000000);
        CHECK_INT(l.stmts[0].closing, 7984000);
        CHECK_INT(l.txns[0].amount, 1000000);
        CHECK_STR(l.txns[0].description, l.txns[1].description);
        CHECK(strncmp(l.txns[0].provider_txn_id, "h:", 2) == 0);
        CHECK(strcmp(l.txns[0].provider_txn_id, l.txns[1].provider_txn_id));
        CHECK_STR(l.txns[2].description, "Rút tiền; phí \"quản lý\"");
        CHECK_INT(l.txns[2].direction, FEEDS_DEBIT);
        CHECK_INT(l.txns[2].amount, 250000);
        CHECK_INT(l.txns[3].amount, 1234000);
        CHECK_STR(code_in(l.txns[3].description), "CP22CSTF5F");
    }
    /* re-import: the same ids */
    {
        struct bank_txn_list b = {0};
        size_t i;

        CHECK_INT(parse_file("vnd-semicolon.csv", FEEDS_CSV, &m, &b, &e), 0);
        for (i = 0; i < b.n && i < l.n; i++)
            CHECK_STR(b.txns[i].provider_txn_id, l.txns[i].provider_txn_id);
        feeds_list_free(&b);
    }
    feeds_list_free(&l);

    /* by index, no header, tab-separated */
    feeds_csv_map_default(&m);
    m.has_header = 0;
    m.delimiter = '\t';
    m.date.index = 0;
    m.amount.index = 1;
    m.description.index = 2;
    m.reference.index = 3;
    CHECK_INT(parse_file("vnd-noheader.tsv", FEEDS_CSV, &m, &l, &e), 0);
    CHECK_INT(l.n, 2);
    if (l.n == 2) {
        CHECK_STR(l.txns[0].provider_txn_id, "FT1");
        CHECK_INT(l.txns[0].amount, 500000);
        CHECK_STR(l.txns[1].booking_date, "2026-11-23");
        CHECK_INT(l.txns[1].direction, FEEDS_DEBIT);
        CHECK_INT(l.txns[1].amount, 15000);
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_UNCHECKED);
    }
    feeds_list_free(&l);

    /* any bad row rejects the file, naming its line */
    feeds_csv_map_default(&m);
    x = edited("vnd-vcb-export.csv", "\"22,000\"", "\"22,0O0\"", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_AMOUNT);
    CHECK_INT(e.line, 6);
    free(x);
    x = edited("vnd-vcb-export.csv", "22/11/2026 11:02:00",
               "31/11/2026 11:02:00", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_DATE);
    CHECK_INT(e.line, 6);
    free(x);
    x = edited("vnd-vcb-export.csv", "\"22,000\",,", "\"22,000\",\"5\",", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_AMOUNT);
    free(x);
    x = edited("vnd-vcb-export.csv", "\"22,000\",,", ",,", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_AMOUNT);
    CHECK(strstr(e.message, "neither") != NULL);
    free(x);
    x = edited("vnd-vcb-export.csv", "hoc phi thang 11\"", "hoc phi", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 7);
    free(x);
    x = edited("vnd-vcb-export.csv", "\"300,000\"", "\"300,000\"x", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_SYNTAX);
    free(x);
    x = edited("vnd-vcb-export.csv", "Phí dịch", "Ph\xE1\xBB dịch", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_SYNTAX);
    CHECK_INT(e.line, 6);
    free(x);
    x = edited("vnd-vcb-export.csv", "Ngày giao dịch", "Ngày in", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), -FEEDS_E_FIELD);
    free(x);
    /* a running balance that breaks */
    x = edited("vnd-vcb-export.csv", "\"11,228,000\"", "\"11,227,000\"", &n);
    CHECK_INT(feeds_parse_csv(x, n, &m, &l, &e), 0);
    if (l.nstmts == 1)
        CHECK_INT(l.stmts[0].check, FEEDS_BAL_MISMATCH);
    feeds_list_free(&l);
    free(x);
    m.currency = "USD";
    CHECK_INT(feeds_parse_csv("a,b\n", 4, &m, &l, &e), -FEEDS_E_UNSUPPORTED);
    CHECK_INT(l.n, 0);
}

static void test_detect(void)
{
    CHECK_INT(feeds_detect("<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:"
                           "std:iso:20022:tech:xsd:camt.054.001.08\">",
                           80),
              FEEDS_CAMT);
    CHECK_INT(feeds_detect("\xEF\xBB\xBF\r\n{1:F01X}", 13), FEEDS_MT940);
    CHECK_INT(feeds_detect(":20:ABC\r\n", 9), FEEDS_MT940);
    /* MT940 after an SOH, a bank's header lines or a "-" line */
    CHECK_INT(feeds_detect("\x01{1:F01X}{2:I940X}{4:\r\n", 23), FEEDS_MT940);
    CHECK_INT(feeds_detect("\x01\n:20:ST1\n", 10), FEEDS_MT940);
    CHECK_INT(feeds_detect("ABNANL2A\r\n940\r\nABNANL2A\r\n:20:ABN\r\n", 34),
              FEEDS_MT940);
    CHECK_INT(feeds_detect(":940:\r\n:20:940A110615\r\n", 23), FEEDS_MT940);
    CHECK_INT(feeds_detect("-\n:20:STARTUMSE\n", 16), FEEDS_MT940);
    CHECK_INT(feeds_detect("Date,Amount\n01/01/2026,:20:\n", 28), FEEDS_CSV);
    CHECK_INT(feeds_detect("Ngày giao dịch,Số tiền\n", 24), FEEDS_CSV);
    CHECK_INT(feeds_detect("<html></html>", 13), -FEEDS_E_FORMAT);
    CHECK_INT(feeds_detect("{\"id\":1}", 8), -FEEDS_E_FORMAT);
    CHECK_INT(feeds_detect("   ", 3), -FEEDS_E_FORMAT);
    CHECK_INT(feeds_detect(NULL, 0), -FEEDS_E_FORMAT);
    {
        struct bank_txn_list l = {0};
        struct feeds_error e;
        CHECK_INT(feeds_parse_statement("<html/>", 7, 0, NULL, &l, &e),
                  -FEEDS_E_FORMAT);
        CHECK_INT(feeds_parse_statement("x", 1, 99, NULL, &l, &e),
                  -FEEDS_E_FORMAT);
    }
}

int main(void)
{
    test_camt_samples();
    test_camt_vnd();
    test_camt_errors();
    test_camt_entities();
    test_mt940_samples();
    test_mt940_vnd();
    test_mt940_envelopes();
    test_csv();
    test_detect();
    return TEST_END();
}
