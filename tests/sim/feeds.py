"""feeds.py: the bytes the bank side sends, built and signed with Python's
standard library as docs/feeds.md describes them: the four webhook
providers (SePay, Casso V2, payOS, generic) and statement files (camt.052,
camt.053, camt.054, MT940, MT942, CSV).

A movement of money is a dict: ref (bank reference, '' for none), amount,
direction ('credit'|'debit'), currency, desc, code (payment code in the
content or ''), counter (counter-party account or ''), date (YYYY-MM-DD),
time ('HH:MM:SS'), reversal (bool).
"""

import hashlib
import hmac
import json
import time
from xml.sax.saxutils import escape


def _hmac256(key, msg):
    return hmac.new(key.encode(), msg, hashlib.sha256).hexdigest()


def _payos_query(data):
    parts = []
    for k in sorted(data):
        v = data[k]
        if v is None or v == "null" or v == "undefined":
            v = ""
        elif isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, dict)):
            v = json.dumps(v, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
        parts.append("%s=%s" % (k, v))
    return "&".join(parts)


def webhook(provider, m, pid, account, secrets, now=None):
    """(path, headers, body) of provider's notification of movement m with
    provider transaction id pid, signed with secrets[provider]."""
    now = int(now if now is not None else time.time())
    when = "%s %s" % (m["date"], m["time"])
    sec = secrets[provider]
    hdr = {"Content-Type": "application/json"}
    credit = m["direction"] == "credit"
    if provider == "sepay":
        body = {"id": pid, "gateway": "MBBank", "transactionDate": when,
                "accountNumber": account, "code": m["code"] or None,
                "content": m["desc"],
                "transferType": "in" if credit else "out",
                "transferAmount": m["amount"], "accumulated": 0,
                "subAccount": None, "referenceCode": m["ref"] or None,
                "description": m["desc"]}
        raw = json.dumps(body, ensure_ascii=False,
                         separators=(",", ":")).encode()
        hdr["Authorization"] = "Apikey " + sec["api_key"]
        hdr["X-SePay-Timestamp"] = str(now)
        hdr["X-SePay-Signature"] = "sha256=" + _hmac256(
            sec["hmac_key"], str(now).encode() + b"." + raw)
    elif provider == "casso":
        data = {"id": pid, "reference": m["ref"], "description": m["desc"],
                "amount": m["amount"] if credit else -m["amount"],
                "runningBalance": 0, "transactionDateTime": when,
                "accountNumber": account,
                "bankName": "Ngân hàng TMCP Ngoại thương Việt Nam",
                "bankAbbreviation": "Vietcombank",
                "virtualAccountNumber": "", "virtualAccountName": "",
                "counterAccountName": "NGUYEN VAN A",
                "counterAccountNumber": m["counter"],
                "counterAccountBankId": "970436",
                "counterAccountBankName": "Vietcombank"}
        body = {"error": 0, "data": data}
        raw = json.dumps(body, ensure_ascii=False,
                         separators=(",", ":")).encode()
        canon = json.dumps(body, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False).encode()
        t = str(now * 1000)
        sig = hmac.new(sec["hmac_key"].encode(), t.encode() + b"." + canon,
                       hashlib.sha512).hexdigest()
        hdr["X-Casso-Signature"] = "t=%s,v1=%s" % (t, sig)
    elif provider == "payos":
        data = {"orderCode": pid, "amount": m["amount"],
                "description": m["desc"], "accountNumber": account,
                "reference": m["ref"], "transactionDateTime": when,
                "currency": m["currency"], "paymentLinkId": "%032x" % pid,
                "code": "00", "desc": "success",
                "counterAccountBankId": None,
                "counterAccountBankName": None,
                "counterAccountName": None,
                "counterAccountNumber": m["counter"] or None,
                "virtualAccountName": None, "virtualAccountNumber": None}
        sig = _hmac256(sec["hmac_key"], _payos_query(data).encode())
        body = {"code": "00", "desc": "success", "success": True,
                "data": data, "signature": sig}
        raw = json.dumps(body, ensure_ascii=False,
                         separators=(",", ":")).encode()
    elif provider == "generic":
        body = {"id": pid, "account": account, "direction": m["direction"],
                "amount": m["amount"], "currency": m["currency"],
                "booked_at": "%sT%s+07:00" % (m["date"], m["time"]),
                "description": m["desc"]}
        if m["ref"]:
            body["reference"] = m["ref"]
        if m["counter"]:
            body["counter_account"] = {"name": "NGUYEN VAN A",
                                       "number": m["counter"],
                                       "bank": "970436"}
        raw = json.dumps(body, ensure_ascii=False,
                         separators=(",", ":")).encode()
        hdr["X-Chopay-Timestamp"] = str(now)
        hdr["X-Chopay-Signature"] = "sha256=" + _hmac256(
            sec["hmac_key"], str(now).encode() + b"." + raw)
    else:
        raise ValueError(provider)
    return "/v1/bank/" + provider, hdr, raw


def generic_batch(items, account, secrets, now=None):
    """(path, headers, body) of one generic notification carrying several
    transactions: items is [(movement, id)]."""
    now = int(now if now is not None else time.time())
    txs = []
    for m, pid in items:
        _, _, raw = webhook("generic", m, pid, account, secrets, now)
        txs.append(json.loads(raw.decode()))
    raw = json.dumps({"transactions": txs}, ensure_ascii=False,
                     separators=(",", ":")).encode()
    hdr = {"Content-Type": "application/json",
           "X-Chopay-Timestamp": str(now),
           "X-Chopay-Signature": "sha256=" + _hmac256(
               secrets["generic"]["hmac_key"],
               str(now).encode() + b"." + raw)}
    return "/v1/bank/generic", hdr, raw


def provider_id(provider, pid, m):
    """The key the provider's notification is known by (payOS pairs the
    order code with the reference)."""
    if provider == "payos":
        return "%s:%s" % (pid, m["ref"])
    return str(pid)


# --- statements -------------------------------------------------------------

def _mt_amount(n, currency="VND"):
    """n in the currency's minor unit, as MT940 writes it (decimal
    comma; VND has no decimals, the others here two)."""
    if currency == "VND":
        return "%d," % n
    return "%d,%02d" % (n // 100, n % 100)


def mt940(rows, account, stmt_id, seq, currency="VND", intraday=False):
    """An MT940 (or MT942 when intraday) message with rows in order."""
    date = rows[0]["date"] if rows else time.strftime("%Y-%m-%d")
    yymmdd = date[2:4] + date[5:7] + date[8:10]
    out = ["{1:F01BFTVVNVXAXXX0000000000}{2:I%sBFTVVNVXXXXN}{4:" %
           ("942" if intraday else "940"),
           ":20:" + stmt_id, ":25:" + account, ":28C:%d/1" % seq]
    opening = 50000000
    credits = debits = 0
    ncr = ndr = 0
    if intraday:
        out.append(":34F:%s0," % currency)
        out.append(":13D:%s1200+0700" % yymmdd)
    else:
        out.append(":60F:C%s%s%s" % (yymmdd, currency,
                                             _mt_amount(opening, currency)))
    for r in rows:
        d = r["date"]
        rd = d[2:4] + d[5:7] + d[8:10]
        mark = "C" if r["direction"] == "credit" else "D"
        if r.get("reversal"):
            mark = "R" + ("D" if mark == "C" else "C")
        if r["direction"] == "credit":
            credits += r["amount"]
            ncr += 1
        else:
            debits += r["amount"]
            ndr += 1
        ref = ("NONREF//" + r["ref"]) if r["ref"] else "NONREF"
        out.append(":61:%s%s%s%sNTRF%s" % (
            rd, rd[2:], mark, _mt_amount(r["amount"], currency), ref))
        out.append(":86:" + r["desc"])
    if intraday:
        out.append(":90D:%d%s%s" % (ndr, currency,
                                    _mt_amount(debits, currency)))
        out.append(":90C:%d%s%s" % (ncr, currency,
                                    _mt_amount(credits, currency)))
    else:
        closing = opening + credits - debits
        out.append(":62F:C%s%s%s" % (yymmdd, currency,
                                     _mt_amount(closing, currency)))
    out.append("-}")
    return ("\r\n".join(out) + "\r\n").encode()


def camt(rows, account, stmt_id, seq, kind="053", currency="VND"):
    """camt.053 (Stmt), camt.052 (Rpt) or camt.054 (Ntfctn). A row with
    'batch' (a list of rows) is one entry with several TxDtls."""
    root, blk = {"053": ("BkToCstmrStmt", "Stmt"),
                 "052": ("BkToCstmrAcctRpt", "Rpt"),
                 "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}[kind]
    date = rows[0]["date"] if rows else time.strftime("%Y-%m-%d")
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.%s.001.08">'
         % kind, "<%s><GrpHdr><MsgId>%s</MsgId><CreDtTm>%sT23:00:00+07:00"
         "</CreDtTm></GrpHdr>" % (root, escape(stmt_id), date),
         "<%s><Id>%s</Id><ElctrncSeqNb>%d</ElctrncSeqNb>" %
         (blk, escape(stmt_id), seq),
         "<Acct><Id><Othr><Id>%s</Id></Othr></Id><Ccy>%s</Ccy></Acct>" %
         (escape(account), currency)]
    credits = debits = 0
    for r in rows:
        if r["direction"] == "credit":
            credits += r["amount"]
        else:
            debits += r["amount"]
    if kind != "054":
        opening = 50000000
        for tp, amt, d in (("OPBD", opening, date),
                           ("CLBD", opening + credits - debits, date)):
            o.append("<Bal><Tp><CdOrPrtry><Cd>%s</Cd></CdOrPrtry></Tp>"
                     "<Amt Ccy=\"%s\">%d</Amt><CdtDbtInd>CRDT</CdtDbtInd>"
                     "<Dt><Dt>%s</Dt></Dt></Bal>" % (tp, currency, amt, d))

    def txdtls(t, with_amount):
        s = "<TxDtls>"
        if with_amount:
            s += "<Amt Ccy=\"%s\">%d</Amt><CdtDbtInd>%s</CdtDbtInd>" % (
                currency, t["amount"],
                "CRDT" if t["direction"] == "credit" else "DBIT")
        if t["counter"]:
            party = "Dbtr" if t["direction"] == "credit" else "Cdtr"
            s += ("<RltdPties><%s><Pty><Nm>NGUYEN VAN A</Nm></Pty></%s>"
                  "<%sAcct><Id><Othr><Id>%s</Id></Othr></Id></%sAcct>"
                  "</RltdPties>" % (party, party, party, t["counter"], party))
        s += "<RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls>" % escape(t["desc"])
        return s

    for r in rows:
        parts = r.get("batch") or [r]
        amount = sum(t["amount"] for t in parts)
        o.append("<Ntry><Amt Ccy=\"%s\">%d</Amt><CdtDbtInd>%s</CdtDbtInd>" %
                 (currency, amount,
                  "CRDT" if r["direction"] == "credit" else "DBIT"))
        if r.get("reversal"):
            o.append("<RvslInd>true</RvslInd>")
        o.append("<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>%s</Dt></BookgDt>"
                 % r["date"])
        if r["ref"]:
            o.append("<AcctSvcrRef>%s</AcctSvcrRef>" % escape(r["ref"]))
        o.append("<NtryDtls>")
        if len(parts) > 1:
            o.append("<Btch><NbOfTxs>%d</NbOfTxs></Btch>" % len(parts))
        for t in parts:
            o.append(txdtls(t, len(parts) > 1))
        o.append("</NtryDtls></Ntry>")
    o.append("</%s></%s></Document>" % (blk, root))
    return "\n".join(o).encode()


def csv(rows):
    """A Vietnamese bank's CSV export (semicolon, dd/mm/yyyy)."""
    out = ["Ngày giao dịch;Số tham chiếu;Số tiền ghi có;Số tiền ghi nợ;"
           "Nội dung;Số tài khoản đối ứng"]
    for r in rows:
        d = r["date"]
        day = "%s/%s/%s" % (d[8:10], d[5:7], d[0:4])
        cr = str(r["amount"]) if r["direction"] == "credit" else ""
        dr = str(r["amount"]) if r["direction"] == "debit" else ""
        desc = r["desc"].replace('"', '""')
        out.append('%s;%s;%s;%s;"%s";%s' % (day, r["ref"], cr, dr, desc,
                                            r["counter"]))
    return ("\r\n".join(out) + "\r\n").encode()
