/*
 * feeds_camt.c: ISO 20022 camt.053 (statement) and camt.054 (debit/credit
 * notification), any camt.05[34].001.NN version, read as a stream with
 * libxml2's xmlTextReader: each Ntry is expanded, turned into one or more
 * transactions and released, so memory does not grow with the file. No
 * network, no entity substitution, no DTD: a DOCTYPE is refused.
 */
#include "feeds_int.h"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CAMT_NS    "urn:iso:std:iso:20022:tech:xsd:camt."
#define CAMT_OPTS  (XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOCDATA)
#define USTRD_LINE 140 /* full Ustrd lines were wrapped, not separated */

struct camt {
    xmlTextReaderPtr r;
    const struct feeds_sink *sink;
    struct feeds_error *err;
    int kind;                  /* 53 or 54 */
    const char *stmt_name;     /* "Stmt", "Rpt" or "Ntfctn" */
    const char *msg_name;      /* BkToCstmrStmt, ... */
    struct feeds_statement st; /* the statement being read */
    int in_stmt;
    int mixed_ccy; /* an entry not in the statement currency */
    int in_ntry;   /* errors name the entry */
    long n_stmt, n_ntry;
    int xml_failed;
    long xml_line;
    char xml_msg[160];
};

/* Line of the reader's current node (the parser itself reads ahead). */
static long cur_line(xmlTextReaderPtr r)
{
    xmlNodePtr n = xmlTextReaderCurrentNode(r);
    long l = n ? xmlGetLineNo(n) : -1;

    return l > 0 ? l : xmlTextReaderGetParserLineNumber(r);
}

/* ---- small DOM helpers over an expanded subtree ----------------------- */

static int is_el(xmlNodePtr n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE &&
           strcmp((const char *)n->name, name) == 0;
}

static xmlNodePtr kid(xmlNodePtr n, const char *name)
{
    xmlNodePtr c;

    if (!n)
        return NULL;
    for (c = n->children; c; c = c->next)
        if (is_el(c, name))
            return c;
    return NULL;
}

/* Follow "A/B/C" from n. */
static xmlNodePtr at(xmlNodePtr n, const char *path)
{
    char name[32];

    while (n && *path) {
        const char *slash = strchr(path, '/');
        size_t len = slash ? (size_t)(slash - path) : strlen(path);

        if (len >= sizeof name)
            return NULL;
        memcpy(name, path, len);
        name[len] = '\0';
        n = kid(n, name);
        path += len + (slash ? 1 : 0);
    }
    return n;
}

/* Trimmed text content of a leaf into buf; 0, or -1 when too long. */
static int ntext(xmlNodePtr n, char *buf, size_t cap)
{
    size_t len = 0, s, e;
    xmlNodePtr c;

    buf[0] = '\0';
    if (!n)
        return 0;
    for (c = n->children; c; c = c->next) {
        size_t l;

        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            continue;
        l = strlen((const char *)c->content);
        if (len + l >= cap)
            return -1;
        memcpy(buf + len, c->content, l);
        len += l;
    }
    buf[len] = '\0';
    for (s = 0; s < len && strchr(" \t\r\n", buf[s]); s++)
        ;
    for (e = len; e > s && strchr(" \t\r\n", buf[e - 1]); e--)
        ;
    memmove(buf, buf + s, e - s);
    buf[e - s] = '\0';
    return 0;
}

static const char *attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a;

    for (a = n ? n->properties : NULL; a; a = a->next)
        if (strcmp((const char *)a->name, name) == 0 && a->children &&
            a->children->type == XML_TEXT_NODE)
            return (const char *)a->children->content;
    return NULL;
}

static int fail_at(struct camt *c, xmlNodePtr n, int code, const char *path,
                   const char *fmt, ...) FEEDS_PRINTF(5, 6);

static int fail_at(struct camt *c, xmlNodePtr n, int code, const char *path,
                   const char *fmt, ...)
{
    char p[128], msg[256];
    va_list ap;

    if (c->in_ntry)
        snprintf(p, sizeof p, "%s[%ld]/Ntry[%ld]%s%s", c->stmt_name, c->n_stmt,
                 c->n_ntry, path[0] ? "/" : "", path);
    else
        snprintf(p, sizeof p, "%s[%ld]/%s", c->stmt_name, c->n_stmt, path);
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return feeds_fail(c->err, code, n ? xmlGetLineNo(n) : 0, p, "%s", msg);
}

/* Amt element with Ccy into minor units. */
static int read_amount(struct camt *c, xmlNodePtr amt, const char *path,
                       int64_t *v, char ccy[4], int *exp)
{
    const char *cc = attr(amt, "Ccy");
    char txt[64];
    int e;

    if (!amt)
        return fail_at(c, NULL, FEEDS_E_FIELD, path, "%s missing", path);
    if (!cc || (e = feeds_currency_exponent(cc)) < 0)
        return fail_at(c, amt, FEEDS_E_AMOUNT, path,
                       "%s has no valid Ccy attribute", path);
    if (ntext(amt, txt, sizeof txt) ||
        feeds_decimal(txt, strlen(txt), '.', e, v))
        return fail_at(c, amt, FEEDS_E_AMOUNT, path,
                       "amount \"%.40s\" is not a valid amount",
                       ntext(amt, txt, sizeof txt) ? "?" : txt);
    memcpy(ccy, cc, 4);
    *exp = e;
    return 0;
}

static int read_cdtdbt(struct camt *c, xmlNodePtr n, const char *path,
                       enum feeds_direction *d)
{
    char txt[16];

    if (!n)
        return fail_at(c, NULL, FEEDS_E_FIELD, path, "%s missing", path);
    if (ntext(n, txt, sizeof txt) == 0 && strcmp(txt, "CRDT") == 0)
        *d = FEEDS_CREDIT;
    else if (strcmp(txt, "DBIT") == 0)
        *d = FEEDS_DEBIT;
    else
        return fail_at(c, n, FEEDS_E_FIELD, path, "%s is not CRDT|DBIT", path);
    return 0;
}

/* Dt or DtTm child of n into date (and datetime). */
static int read_date(struct camt *c, xmlNodePtr n, const char *path,
                     char date[11], char datetime[32])
{
    char txt[48], dt[32];
    xmlNodePtr d;

    if (!n)
        return 0;
    if ((d = kid(n, "Dt"))) {
        if (ntext(d, txt, sizeof txt) || strlen(txt) != 10 ||
            feeds_iso_date(txt, 10, date))
            return fail_at(c, d, FEEDS_E_DATE, path,
                           "%s is not a YYYY-MM-DD date", path);
        return 0;
    }
    if ((d = kid(n, "DtTm"))) {
        if (ntext(d, txt, sizeof txt) ||
            feeds_datetime(txt, strlen(txt), "", date, dt))
            return fail_at(c, d, FEEDS_E_DATE, path,
                           "%s is not an ISO date-time", path);
        if (datetime)
            memcpy(datetime, dt, 32);
        return 0;
    }
    return fail_at(c, n, FEEDS_E_DATE, path, "%s has no Dt or DtTm", path);
}

/* Account Id: IBAN or Othr/Id. */
static int read_acct(xmlNodePtr acct, char *out, size_t cap)
{
    xmlNodePtr id = kid(acct, "Id");
    xmlNodePtr n = kid(id, "IBAN");

    if (!n)
        n = at(id, "Othr/Id");
    return ntext(n, out, cap);
}

/* Party name: Nm (v2) or Pty/Nm (v8+). */
static int read_party(xmlNodePtr p, char *out, size_t cap)
{
    xmlNodePtr n = kid(p, "Nm");

    if (!n)
        n = at(p, "Pty/Nm");
    return ntext(n, out, cap);
}

/* Growable description text with a hard maximum. */
struct dbuf {
    char *p;
    size_t n;
    size_t last; /* length of the last appended piece */
    int newpara; /* the next piece starts a new line */
    int bad;
};

static void dadd(struct dbuf *b, const char *s, const char *sep)
{
    size_t l = strlen(s), sl = b->n ? strlen(sep) : 0;
    char *q;

    if (b->bad || l == 0)
        return;
    if (b->newpara && b->n) {
        sep = "\n";
        sl = 1;
    }
    b->newpara = 0;
    if (b->n + sl + l > FEEDS_DESC_MAX) {
        b->bad = 1;
        return;
    }
    q = realloc(b->p, b->n + sl + l + 1);
    if (!q) {
        b->bad = 1;
        return;
    }
    b->p = q;
    memcpy(b->p + b->n, sep, sl);
    memcpy(b->p + b->n + sl, s, l + 1);
    b->n += sl + l;
    b->last = l;
}

/* RmtInf of a TxDtls: Ustrd lines joined (wrapped 140-char lines are
 * glued back, others separated by a space), first CdtrRefInf/Ref. */
static int read_rmtinf(xmlNodePtr tx, struct dbuf *d, char *cref,
                       size_t crefcap)
{
    xmlNodePtr rmt = kid(tx, "RmtInf"), n;
    char line[1024];

    for (n = rmt ? rmt->children : NULL; n; n = n->next) {
        if (is_el(n, "Ustrd")) {
            if (ntext(n, line, sizeof line))
                return -1;
            dadd(d, line, d->last >= USTRD_LINE ? "" : " ");
        } else if (is_el(n, "Strd") && !cref[0]) {
            if (ntext(at(n, "CdtrRefInf/Ref"), cref, crefcap))
                return -1;
        }
    }
    return 0;
}

/* Details of one TxDtls into t (not amount). */
static int read_txdtls(struct camt *c, xmlNodePtr tx, struct bank_txn *t,
                       struct dbuf *d)
{
    xmlNodePtr refs = kid(tx, "Refs"), pties = kid(tx, "RltdPties");
    int credit = t->direction == FEEDS_CREDIT;
    char e2e[FEEDS_ID_MAX], info[1024];
    xmlNodePtr agt, fin;

    if (ntext(kid(refs, "EndToEndId"), e2e, sizeof e2e))
        goto toolong;
    if (e2e[0] && strcmp(e2e, "NOTPROVIDED") != 0 && !t->end_to_end_id[0])
        memcpy(t->end_to_end_id, e2e, sizeof e2e);
    if (!t->counter_name[0] &&
        read_party(kid(pties, credit ? "Dbtr" : "Cdtr"), t->counter_name,
                   sizeof t->counter_name))
        goto toolong;
    if (!t->counter_account[0] &&
        read_acct(kid(pties, credit ? "DbtrAcct" : "CdtrAcct"),
                  t->counter_account, sizeof t->counter_account))
        goto toolong;
    agt = at(tx, credit ? "RltdAgts/DbtrAgt" : "RltdAgts/CdtrAgt");
    fin = kid(agt, "FinInstnId");
    if (!t->counter_bank[0] && fin) {
        xmlNodePtr b = kid(fin, "BICFI");

        if (!b)
            b = kid(fin, "BIC");
        if (!b)
            b = at(fin, "ClrSysMmbId/MmbId");
        if (!b)
            b = kid(fin, "Nm");
        if (ntext(b, t->counter_bank, sizeof t->counter_bank))
            goto toolong;
    }
    if (read_rmtinf(tx, d, t->creditor_ref, sizeof t->creditor_ref))
        goto toolong;
    if (ntext(kid(tx, "AddtlTxInf"), info, sizeof info))
        goto toolong;
    if (info[0] && d->n == 0)
        dadd(d, info, " ");
    return 0;
toolong:
    return fail_at(c, tx, FEEDS_E_TOO_LARGE, "TxDtls",
                   "a field of %s is too long", "TxDtls");
}

static int emit(struct camt *c, struct bank_txn *t, struct dbuf *d,
                xmlNodePtr where)
{
    static char empty[1];

    if (d->bad)
        return fail_at(c, where, FEEDS_E_TOO_LARGE, "RmtInf",
                       "description longer than %s bytes", "16384");
    t->description = d->p ? d->p : empty;
    if (c->sink->txn(c->sink->ctx, t)) {
        t->description = NULL;
        return feeds_fail(c->err, FEEDS_E_CALLBACK, xmlGetLineNo(where), "",
                          "the consumer stopped the import");
    }
    t->description = NULL;
    return 0;
}

static int add_to_balance(struct camt *c, const struct bank_txn *t)
{
    struct feeds_statement *s = &c->st;
    int rc;

    if (!s->currency[0]) {
        memcpy(s->currency, t->currency, 4);
        s->exponent = t->exponent;
    }
    if (strcmp(s->currency, t->currency) != 0) {
        c->mixed_ccy = 1;
        return 0;
    }
    if (t->direction == FEEDS_CREDIT) {
        rc = feeds_add(s->credits, t->amount, &s->credits);
        s->n_credits++;
    } else {
        rc = feeds_add(s->debits, t->amount, &s->debits);
        s->n_debits++;
    }
    return rc ? feeds_fail(c->err, FEEDS_E_AMOUNT, 0, "",
                           "statement sums overflow")
              : 0;
}

/* Hash id for an entry without any bank reference. */
static int hash_id(struct camt *c, struct bank_txn *t, int sub)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "camt|%s|%s|%ld|%ld|%d|%s|%lld|%s",
                     c->st.account, c->st.id, c->n_stmt, c->n_ntry, sub,
                     t->booking_date, (long long)t->amount, t->currency);

    return feeds_hash_id(buf, n > 0 ? (size_t)n : 0, t->provider_txn_id);
}

static int process_ntry(struct camt *c, xmlNodePtr ntry)
{
    struct bank_txn t;
    xmlNodePtr n, tx, dtls = kid(ntry, "NtryDtls");
    char sts[16], txt[FEEDS_ID_MAX], ref[FEEDS_ID_MAX];
    struct dbuf d = {0};
    long ntx = 0;
    int rc, split = 0;
    int64_t sum = 0;

    c->n_ntry++;
    feeds_txn_init(&t, FEEDS_CAMT);
    t.statement = 0;
    snprintf(t.source, sizeof t.source, "Ntry line %ld",
             (long)xmlGetLineNo(ntry));
    memcpy(t.account, c->st.account, sizeof t.account);
    if ((rc = read_amount(c, kid(ntry, "Amt"), "Amt", &t.amount, t.currency,
                          &t.exponent)) ||
        (rc =
             read_cdtdbt(c, kid(ntry, "CdtDbtInd"), "CdtDbtInd", &t.direction)))
        return rc;
    n = kid(ntry, "Sts");
    if (kid(n, "Cd"))
        n = kid(n, "Cd");
    if (!n || ntext(n, sts, sizeof sts) || !sts[0])
        return fail_at(c, n ? n : ntry, FEEDS_E_FIELD, "Sts",
                       "%s missing or invalid", "Sts");
    if (strcmp(sts, "BOOK") != 0) {
        c->st.n_skipped++;
        feeds_note(c->st.notes, sizeof c->st.notes,
                   "entry at line %ld skipped: status %s",
                   (long)xmlGetLineNo(ntry), sts);
        return 0;
    }
    if ((n = kid(ntry, "RvslInd")) && ntext(n, txt, sizeof txt) == 0)
        t.reversal = strcmp(txt, "true") == 0 || strcmp(txt, "1") == 0;
    if ((rc = read_date(c, kid(ntry, "BookgDt"), "BookgDt", t.booking_date,
                        t.datetime)) ||
        (rc = read_date(c, kid(ntry, "ValDt"), "ValDt", t.value_date, NULL)))
        return rc;
    if (!t.booking_date[0])
        memcpy(t.booking_date, t.value_date, sizeof t.booking_date);
    if (!t.booking_date[0])
        return fail_at(c, ntry, FEEDS_E_DATE, "BookgDt",
                       "entry has neither %s nor ValDt", "BookgDt");
    if (ntext(kid(ntry, "AcctSvcrRef"), ref, sizeof ref))
        return fail_at(c, ntry, FEEDS_E_TOO_LARGE, "AcctSvcrRef", "%s too long",
                       "AcctSvcrRef");
    memcpy(t.bank_ref, ref, sizeof ref);
    n = kid(ntry, "BkTxCd");
    if (kid(n, "Domn")) {
        char dm[8], fm[8], sf[8];

        if (ntext(at(n, "Domn/Cd"), dm, sizeof dm) ||
            ntext(at(n, "Domn/Fmly/Cd"), fm, sizeof fm) ||
            ntext(at(n, "Domn/Fmly/SubFmlyCd"), sf, sizeof sf))
            dm[0] = fm[0] = sf[0] = '\0';
        snprintf(t.bank_tx_code, sizeof t.bank_tx_code, "%s/%s/%s", dm, fm, sf);
    } else if (ntext(at(n, "Prtry/Cd"), t.bank_tx_code,
                     sizeof t.bank_tx_code)) {
        t.bank_tx_code[0] = '\0';
    }

    /* Split a batch into its transactions only when their amounts are
     * given in the entry's currency and add up to the entry. */
    for (tx = dtls ? dtls->children : NULL; tx; tx = tx->next) {
        if (!is_el(tx, "TxDtls"))
            continue;
        ntx++;
    }
    if (ntx >= 2) {
        split = 1;
        for (tx = dtls->children; tx && split; tx = tx->next) {
            xmlNodePtr a;
            int64_t v;
            char cc[4];
            int e;
            enum feeds_direction dir = t.direction;

            if (!is_el(tx, "TxDtls"))
                continue;
            a = kid(tx, "Amt");
            if (!a)
                a = at(tx, "AmtDtls/TxAmt/Amt");
            if (!a || read_amount(c, a, "TxDtls/Amt", &v, cc, &e) ||
                strcmp(cc, t.currency) != 0) {
                split = 0;
                break;
            }
            if (kid(tx, "CdtDbtInd") && read_cdtdbt(c, kid(tx, "CdtDbtInd"),
                                                    "TxDtls/CdtDbtInd", &dir)) {
                split = 0;
                break;
            }
            if (feeds_add(sum, dir == t.direction ? v : -v, &sum))
                split = 0;
        }
        if (split && sum != t.amount)
            split = 0;
        if (c->err)
            memset(c->err, 0, sizeof *c->err);
        if (!split)
            feeds_note(c->st.notes, sizeof c->st.notes,
                       "entry at line %ld: %ld TxDtls do not add up to the "
                       "entry amount, kept as one transaction",
                       (long)xmlGetLineNo(ntry), ntx);
    }
    if (!split) {
        long i = 0;

        for (tx = dtls ? dtls->children : NULL; tx; tx = tx->next) {
            if (!is_el(tx, "TxDtls"))
                continue;
            if (ntx == 1 && !ref[0] &&
                ntext(at(tx, "Refs/AcctSvcrRef"), t.bank_ref,
                      sizeof t.bank_ref))
                return fail_at(c, tx, FEEDS_E_TOO_LARGE, "TxDtls",
                               "%s too long", "AcctSvcrRef");
            if (i++ > 0)
                d.newpara = 1;
            if ((rc = read_txdtls(c, tx, &t, &d)))
                goto fail;
        }
        if (!d.n) {
            char info[1024];

            if (ntext(kid(ntry, "AddtlNtryInf"), info, sizeof info) == 0)
                dadd(&d, info, " ");
        }
        if (t.bank_ref[0])
            memcpy(t.provider_txn_id, t.bank_ref, sizeof t.bank_ref);
        else if (hash_id(c, &t, 0))
            goto nomem;
        if ((rc = add_to_balance(c, &t)) || (rc = emit(c, &t, &d, ntry)))
            goto fail;
        free(d.p);
        return 0;
    }

    /* One transaction per TxDtls; the entry counts once in the balance. */
    if ((rc = add_to_balance(c, &t)))
        return rc;
    {
        long i = 0;

        for (tx = dtls->children; tx; tx = tx->next) {
            struct bank_txn s = t;
            xmlNodePtr a;
            char cc[4];
            int e;

            if (!is_el(tx, "TxDtls"))
                continue;
            i++;
            memset(&d, 0, sizeof d);
            s.end_to_end_id[0] = s.counter_name[0] = '\0';
            s.counter_account[0] = s.counter_bank[0] = '\0';
            s.creditor_ref[0] = '\0';
            a = kid(tx, "Amt");
            if (!a)
                a = at(tx, "AmtDtls/TxAmt/Amt");
            if ((rc = read_amount(c, a, "TxDtls/Amt", &s.amount, cc, &e)))
                return rc;
            if (kid(tx, "CdtDbtInd") &&
                (rc = read_cdtdbt(c, kid(tx, "CdtDbtInd"), "TxDtls/CdtDbtInd",
                                  &s.direction)))
                return rc;
            snprintf(s.source, sizeof s.source, "Ntry line %ld TxDtls %ld",
                     (long)xmlGetLineNo(ntry), i);
            s.pos = (int)i;
            if (ntext(at(tx, "Refs/AcctSvcrRef"), s.bank_ref,
                      sizeof s.bank_ref))
                return fail_at(c, tx, FEEDS_E_TOO_LARGE, "TxDtls",
                               "%s too long", "AcctSvcrRef");
            if (!s.bank_ref[0])
                memcpy(s.bank_ref, ref, sizeof ref);
            if (ref[0] && strcmp(s.bank_ref, ref) == 0) {
                int k = snprintf(s.provider_txn_id, sizeof s.provider_txn_id,
                                 "%s/%ld", ref, i);
                if (k < 0 || (size_t)k >= sizeof s.provider_txn_id)
                    return fail_at(c, tx, FEEDS_E_TOO_LARGE, "AcctSvcrRef",
                                   "%s too long", "AcctSvcrRef");
            } else if (s.bank_ref[0]) {
                memcpy(s.provider_txn_id, s.bank_ref, sizeof s.bank_ref);
            } else if (hash_id(c, &s, (int)i)) {
                goto nomem;
            }
            if ((rc = read_txdtls(c, tx, &s, &d)) || (rc = emit(c, &s, &d, tx)))
                goto fail;
            free(d.p);
            d.p = NULL;
        }
    }
    return 0;
nomem:
    rc = feeds_fail(c->err, FEEDS_E_NOMEM, 0, "", "out of memory");
fail:
    free(d.p);
    return rc;
}

static int process_bal(struct camt *c, xmlNodePtr bal)
{
    struct feeds_statement *s = &c->st;
    enum feeds_direction dir;
    char tp[16], ccy[4];
    int64_t v;
    int e, rc;

    if (ntext(at(bal, "Tp/CdOrPrtry/Cd"), tp, sizeof tp))
        tp[0] = '\0';
    if (strcmp(tp, "OPBD") != 0 && strcmp(tp, "PRCD") != 0 &&
        strcmp(tp, "CLBD") != 0)
        return 0;
    if ((rc = read_amount(c, kid(bal, "Amt"), "Bal/Amt", &v, ccy, &e)) ||
        (rc = read_cdtdbt(c, kid(bal, "CdtDbtInd"), "Bal/CdtDbtInd", &dir)))
        return rc;
    if (dir == FEEDS_DEBIT)
        v = -v;
    if (strcmp(tp, "CLBD") == 0) {
        if (s->has_closing)
            return 0;
        s->has_closing = 1;
        s->closing = v;
    } else {
        if (s->has_opening && strcmp(tp, "PRCD") == 0)
            return 0;
        s->has_opening = 1;
        s->opening = v;
    }
    if (!s->currency[0]) {
        memcpy(s->currency, ccy, 4);
        s->exponent = e;
    } else if (strcmp(s->currency, ccy) != 0) {
        c->mixed_ccy = 1;
        feeds_note(s->notes, sizeof s->notes, "%s balance in %s, not %s", tp,
                   ccy, s->currency);
    }
    return 0;
}

static int process_stmt_child(struct camt *c, xmlNodePtr n)
{
    struct feeds_statement *s = &c->st;

    if (is_el(n, "Ntry")) {
        int rc;

        c->in_ntry = 1;
        rc = process_ntry(c, n);
        c->in_ntry = 0;
        return rc;
    }
    if (is_el(n, "Bal"))
        return process_bal(c, n);
    if (is_el(n, "Id")) {
        if (ntext(n, s->id, sizeof s->id))
            return fail_at(c, n, FEEDS_E_TOO_LARGE, "Id", "%s too long", "Id");
    } else if (is_el(n, "ElctrncSeqNb")) {
        if (ntext(n, s->sequence, sizeof s->sequence))
            return fail_at(c, n, FEEDS_E_TOO_LARGE, "ElctrncSeqNb",
                           "%s too long", "ElctrncSeqNb");
    } else if (is_el(n, "Acct")) {
        char ccy[8];

        if (read_acct(n, s->account, sizeof s->account) ||
            ntext(kid(n, "Ccy"), ccy, sizeof ccy))
            return fail_at(c, n, FEEDS_E_TOO_LARGE, "Acct", "%s too long",
                           "Acct");
        if (ccy[0] && !s->currency[0]) {
            int e = feeds_currency_exponent(ccy);

            if (e < 0)
                return fail_at(c, n, FEEDS_E_FIELD, "Acct/Ccy",
                               "%s is not a currency code", "Acct/Ccy");
            memcpy(s->currency, ccy, 4);
            s->exponent = e;
        }
    }
    return 0;
}

static int end_stmt(struct camt *c)
{
    struct feeds_statement *s = &c->st;

    if (c->mixed_ccy) {
        s->check = FEEDS_BAL_MISMATCH;
        snprintf(s->check_message, sizeof s->check_message,
                 "balances or entries are not all in %s; cannot reconcile",
                 s->currency);
    } else {
        feeds_stmt_check(s);
    }
    c->in_stmt = 0;
    if (c->sink->statement && c->sink->statement(c->sink->ctx, s))
        return feeds_fail(c->err, FEEDS_E_CALLBACK, 0, "",
                          "the consumer stopped the import");
    return 0;
}

static void begin_stmt(struct camt *c)
{
    memset(&c->st, 0, sizeof c->st);
    c->st.format = FEEDS_CAMT;
    c->st.line = cur_line(c->r);
    c->in_stmt = 1;
    c->mixed_ccy = 0;
    c->n_stmt++;
    c->n_ntry = 0;
}

static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    struct camt *c = ctx;
    size_t l;

    if (!e || c->xml_failed || e->level < XML_ERR_ERROR)
        return;
    c->xml_failed = 1;
    c->xml_line = e->line;
    snprintf(c->xml_msg, sizeof c->xml_msg, "%s",
             e->message ? e->message : "malformed XML");
    l = strlen(c->xml_msg);
    while (l && (c->xml_msg[l - 1] == '\n' || c->xml_msg[l - 1] == ' '))
        c->xml_msg[--l] = '\0';
}

/* Check the root's namespace: camt.05[234].001.NN. */
static int check_root(struct camt *c)
{
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(c->r);
    const char *name = (const char *)xmlTextReaderConstLocalName(c->r);
    const char *v;
    size_t i;

    if (!name || strcmp(name, "Document") != 0)
        return feeds_fail(c->err, FEEDS_E_UNSUPPORTED, cur_line(c->r), "/",
                          "root element is not Document");
    if (!ns || strncmp(ns, CAMT_NS, strlen(CAMT_NS)) != 0)
        goto bad;
    v = ns + strlen(CAMT_NS);
    if (strncmp(v, "053.001.", 8) == 0) {
        c->kind = 53;
        c->msg_name = "BkToCstmrStmt";
        c->stmt_name = "Stmt";
    } else if (strncmp(v, "054.001.", 8) == 0) {
        c->kind = 54;
        c->msg_name = "BkToCstmrDbtCdtNtfctn";
        c->stmt_name = "Ntfctn";
    } else if (strncmp(v, "052.001.", 8) == 0) {
        c->kind = 52; /* intraday account report: same entries */
        c->msg_name = "BkToCstmrAcctRpt";
        c->stmt_name = "Rpt";
    } else {
        goto bad;
    }
    for (i = 8; v[i]; i++)
        if (v[i] < '0' || v[i] > '9')
            goto bad;
    if (i == 8)
        goto bad;
    return 0;
bad:
    return feeds_fail(c->err, FEEDS_E_UNSUPPORTED, cur_line(c->r), "/Document",
                      "namespace \"%.80s\" is not camt.053/054",
                      ns ? ns : "(none)");
}

static int run(struct camt *c)
{
    const char *msg_el;
    int rc = 0, ret, seen_root = 0;

    xmlTextReaderSetStructuredErrorHandler(c->r, on_xml_error, c);
    ret = xmlTextReaderRead(c->r);
    while (ret == 1 && !rc) {
        int type = xmlTextReaderNodeType(c->r);
        int depth = xmlTextReaderDepth(c->r);
        const char *name = (const char *)xmlTextReaderConstLocalName(c->r);
        int skip = 0;

        if (type == XML_READER_TYPE_DOCUMENT_TYPE ||
            type == XML_READER_TYPE_ENTITY_REFERENCE ||
            type == XML_READER_TYPE_ENTITY) {
            rc = feeds_fail(c->err, FEEDS_E_UNSUPPORTED, cur_line(c->r), "",
                            "DOCTYPE and entities are refused");
            break;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            if (depth == 0) {
                if ((rc = check_root(c)))
                    break;
                seen_root = 1;
            } else if (depth == 1) {
                msg_el = c->msg_name;
                if (strcmp(name, msg_el) != 0) {
                    rc = feeds_fail(c->err, FEEDS_E_UNSUPPORTED, cur_line(c->r),
                                    "/Document", "expected %s, found %.40s",
                                    msg_el, name);
                    break;
                }
            } else if (depth == 2) {
                if (strcmp(name, c->stmt_name) == 0) {
                    begin_stmt(c);
                    if (xmlTextReaderIsEmptyElement(c->r))
                        rc = end_stmt(c);
                } else {
                    skip = 1; /* GrpHdr and the like */
                }
            } else if (depth == 3 && c->in_stmt) {
                xmlNodePtr n = xmlTextReaderExpand(c->r);

                if (!n) {
                    if (!c->xml_failed)
                        rc = feeds_fail(c->err, FEEDS_E_SYNTAX,
                                        xmlTextReaderGetParserLineNumber(c->r),
                                        "", "malformed XML");
                    break;
                }
                rc = process_stmt_child(c, n);
                skip = 1;
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT && depth == 2 &&
                   c->in_stmt) {
            rc = end_stmt(c);
        }
        if (rc || c->xml_failed)
            break;
        ret = skip ? xmlTextReaderNext(c->r) : xmlTextReaderRead(c->r);
    }
    if (c->xml_failed || (ret < 0 && !rc))
        return feeds_fail(c->err, FEEDS_E_SYNTAX, c->xml_line, "",
                          "malformed XML: %s",
                          c->xml_failed ? c->xml_msg : "read error");
    if (rc)
        return rc;
    if (!seen_root)
        return feeds_fail(c->err, FEEDS_E_SYNTAX, 0, "", "no XML document");
    if (c->n_stmt == 0)
        return feeds_fail(c->err, FEEDS_E_FIELD, 0, "",
                          "no %s element in the document", c->stmt_name);
    return 0;
}

static int parse_reader(xmlTextReaderPtr r, const struct feeds_sink *sink,
                        struct feeds_error *err)
{
    struct camt c;
    int rc;

    if (!r)
        return feeds_fail(err, FEEDS_E_NOMEM, 0, "", "cannot create reader");
    memset(&c, 0, sizeof c);
    c.r = r;
    c.sink = sink;
    c.err = err;
    c.stmt_name = "Stmt";
    rc = run(&c);
    xmlFreeTextReader(r);
    return rc;
}

void feeds_global_init(void)
{
    xmlInitParser();
}

int feeds_parse_camt(const char *buf, size_t len, struct bank_txn_list *out,
                     struct feeds_error *err)
{
    struct bank_txn_list tmp = {0};
    struct feeds_sink sink;
    int rc;

    if (!buf || len == 0)
        return feeds_fail(err, FEEDS_E_SYNTAX, 0, "", "empty input");
    if (len > INT_MAX)
        return feeds_fail(err, FEEDS_E_TOO_LARGE, 0, "",
                          "file larger than 2 GiB: use the stream API");
    feeds_list_sink(&tmp, &sink);
    rc = parse_reader(xmlReaderForMemory(buf, (int)len, NULL, NULL, CAMT_OPTS),
                      &sink, err);
    if (rc == 0 && feeds_list_append(out, &tmp))
        rc = feeds_fail(err, FEEDS_E_NOMEM, 0, "", "out of memory");
    feeds_list_free(&tmp);
    return rc;
}

struct io_ctx {
    int (*read)(void *ctx, char *buf, int cap);
    void *ctx;
};

static int io_read(void *ctx, char *buf, int len)
{
    struct io_ctx *io = ctx;

    return io->read(io->ctx, buf, len);
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

int feeds_parse_camt_stream(int (*read)(void *ctx, char *buf, int cap),
                            void *read_ctx, const struct feeds_sink *sink,
                            struct feeds_error *err)
{
    struct io_ctx io = {read, read_ctx};

    return parse_reader(
        xmlReaderForIO(io_read, io_close, &io, NULL, NULL, CAMT_OPTS), sink,
        err);
}
