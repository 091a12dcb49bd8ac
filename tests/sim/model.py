"""model.py: what the ledger of one organisation must hold, computed from
the rules alone (docs/matching.md, docs/api.md and the transfer identity
and account rules), never from the server's code.

The model holds payers, invoices (amount, paid), intents, payments with
their allocations, unallocated part (the payer's credit) and refunded
part, and the bank records grouped into transfers. Every operation takes
the same inputs the server gets and returns what the server must answer
(status and, for bank records, the state each record ends in).
"""

import re
import unicodedata


class Refused(Exception):
    """An operation the server must refuse: HTTP status and error code."""

    def __init__(self, status, code):
        Exception.__init__(self, "%d %s" % (status, code))
        self.status = status
        self.code = code


# --- keys of the identity rule -------------------------------------------

def ref_key(ref):
    """Normalised bank reference: the longest run of 6+ digits, else the
    upper-cased letters and digits; '' for none (NONREF, NOTPROVIDED)."""
    if not ref:
        return ""
    if ref.strip().upper() in ("NONREF", "NOTPROVIDED"):
        return ""
    runs = re.findall(r"[0-9]{6,}", ref)
    if runs:
        best = ""
        for r in runs:
            if len(r) > len(best):
                best = r
        return best
    return re.sub(r"[^A-Z0-9]", "", ref.upper())


def fold(text):
    """Vietnamese text folded to upper-case ASCII letters and digits."""
    t = text.replace("đ", "d").replace("Đ", "D")
    t = unicodedata.normalize("NFD", t)
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^A-Z0-9]", "", t.upper())


def counter_key(acct):
    return re.sub(r"[^A-Z0-9]", "", (acct or "").upper())


class Record:
    """One row of a bank feed as the identity rule sees it."""

    def __init__(self, rid, source, direction, amount, currency, ref,
                 pos, booking_date, code, desc, counter, reversal=False):
        self.id = rid
        self.source = source          # provider name or "import:N"
        self.direction = direction    # "credit" | "debit"
        self.amount = amount
        self.currency = currency
        self.ref_key = ref_key(ref)
        self.pos = pos
        self.booking_date = booking_date
        self.code = code              # the first payment code found, or ""
        self.desc_key = "C:" + code if code else "D:" + fold(desc)
        self.counter_key = counter_key(counter)
        self.reversal = reversal
        self.codes = []               # every payment code found
        self.state = None
        self.reason = ""
        self.dup_of = None            # the primary record, for duplicates
        self.payment = None           # the live payment it made
        self.members = [self]         # for a primary: its transfer

    def contradicts(self, x):
        """Whether x says this is another transfer: another reference,
        another counter-account, another position in one batch."""
        if self.ref_key and x.ref_key and self.ref_key != x.ref_key:
            return True
        if (self.counter_key and x.counter_key and
                self.counter_key != x.counter_key):
            return True
        return bool(self.ref_key and self.ref_key == x.ref_key and
                    self.pos and x.pos and self.pos != x.pos)

    def compatible(self, x):
        if (self.direction != x.direction or self.amount != x.amount or
                self.currency != x.currency):
            return None
        if self.ref_key and x.ref_key:
            if self.ref_key == x.ref_key and (
                    self.pos == 0 or x.pos == 0 or self.pos == x.pos):
                return "ref"
            return None
        if (self.booking_date == x.booking_date and
                self.desc_key == x.desc_key and
                (not self.counter_key or not x.counter_key or
                 self.counter_key == x.counter_key)):
            return "content"
        return None


class Payment:
    def __init__(self, pid, payer, method, amount, intent):
        self.id = pid
        self.payer = payer
        self.method = method
        self.amount = amount
        self.intent = intent
        self.unalloc = 0
        self.refunded = 0
        self.allocs = []              # [invoice, amount] in order


class Invoice:
    def __init__(self, iid, payer, fee, period, amount, paid=0):
        self.id = iid
        self.payer = payer
        self.fee = fee
        self.period = period
        self.amount = amount
        self.paid = paid

    @property
    def due(self):
        return self.amount - self.paid

    @property
    def status(self):
        if self.paid >= self.amount:
            return "paid"
        return "partial" if self.paid > 0 else "open"


class Intent:
    def __init__(self, iid, code, payer, invoices, amount):
        self.id = iid
        self.code = code
        self.payer = payer
        self.invoices = invoices      # invoice ids, oldest first
        self.amount = amount
        self.paid = 0
        self.status = "pending"


class Model:
    def __init__(self, payers, fees, invoices):
        """payers: [{code, category, active}] in id order; fees: [{code,
        kind, category, amount, active}] in id order; invoices: [{id,
        payer, fee, period, amount, paid}] (all unpaid at the start)."""
        self.payers = [dict(p) for p in payers]
        self.fees = [dict(f) for f in fees]
        self.invoices = {}
        for v in invoices:
            self.invoices[v["id"]] = Invoice(v["id"], v["payer"], v["fee"],
                                             v["period"], v["amount"],
                                             v.get("paid", 0))
        self.next_invoice = max(self.invoices) + 1 if self.invoices else 1
        self.intents = {}
        self.by_code = {}
        self.reserved = set()
        self.payments = {}
        self.next_payment = 1
        self.records = []             # every record, in arrival order
        self.by_provider_id = {}
        self.refund_refs = set()
        self.closed = set()

    # --- figures the server must show ------------------------------------

    def credit(self, payer):
        return sum(p.unalloc for p in self.payments.values()
                   if p.payer == payer)

    def dues(self, payer):
        return sum(v.due for v in self.invoices.values()
                   if v.payer == payer)

    def awaiting_review(self, day):
        """(count, amount) of the credits reported on `day` still awaiting
        review: what keeps a close of that day from going through without
        a reason."""
        recs = [r for r in self.records
                if getattr(r, "report_date", None) == day and
                r.state in ("unmatched", "ambiguous") and
                r.direction == "credit" and r.amount > 0]
        return len(recs), sum(r.amount for r in recs)

    def open_invoices(self, payer):
        v = [x for x in self.invoices.values()
             if x.payer == payer and x.due > 0]
        v.sort(key=lambda x: (x.period, x.id))
        return v

    # --- the ledger -------------------------------------------------------

    def _payment(self, payer, method, amount, intent):
        p = Payment(self.next_payment, payer, method, amount, intent)
        self.next_payment += 1
        self.payments[p.id] = p
        return p

    @staticmethod
    def _allocate(p, invs, amount):
        for v in invs:
            if amount <= 0:
                break
            take = min(v.due, amount)
            if take <= 0:
                continue
            v.paid += take
            p.allocs.append([v.id, take])
            amount -= take
        return amount

    def _supersede(self, invoice_ids):
        ids = set(invoice_ids)
        for t in self.intents.values():
            if t.status == "pending" and ids.intersection(t.invoices):
                t.status = "cancelled"

    def _apply_credit(self, payer):
        invs = self.open_invoices(payer)
        if not invs:
            return
        used = 0
        for p in sorted(self.payments.values(), key=lambda x: x.id):
            if p.payer != payer or p.unalloc <= 0:
                continue
            left = self._allocate(p, invs, p.unalloc)
            used += p.unalloc - left
            p.unalloc = left
        if used:
            self._supersede([v.id for v in invs if v.due == 0])

    def _transfer_intent(self, t, amount):
        invs = [self.invoices[i] for i in t.invoices]
        invs.sort(key=lambda x: (x.period, x.id))
        p = self._payment(t.payer, "transfer", amount, t.id)
        left = self._allocate(p, invs, amount)
        if left > 0:
            p.unalloc = left
            self._apply_credit(t.payer)
        t.paid += amount
        if t.status != "cancelled":
            t.status = "paid" if t.paid >= t.amount else "partial"
        return p

    def _transfer_payer(self, payer, amount):
        invs = self.open_invoices(payer)
        p = self._payment(payer, "transfer", amount, None)
        left = self._allocate(p, invs, amount)
        if left > 0:
            p.unalloc = left
            self._apply_credit(payer)
        self._supersede([v.id for v in invs if v.due == 0])
        return p

    def _reverse(self, p):
        if p.refunded > 0:
            raise Refused(409, "refunded")
        for inv, amt in p.allocs:
            self.invoices[inv].paid -= amt
        del self.payments[p.id]
        if p.intent is not None:
            t = self.intents[p.intent]
            t.paid = max(t.paid - p.amount, 0)
            if t.status != "cancelled":
                t.status = ("pending" if t.paid <= 0 else
                            "partial" if t.paid < t.amount else "paid")

    # --- requests ---------------------------------------------------------

    def _resolve(self, payer, ids):
        if ids is None:
            return self.open_invoices(payer)
        out = []
        for i in ids:
            v = self.invoices.get(i)
            if v is None or v.payer != payer:
                raise Refused(404, "invoice_not_found")
            if v.due <= 0:
                raise Refused(409, "invoice_paid")
            out.append(v)
        out.sort(key=lambda x: (x.period, x.id))
        return out

    def intent_check(self, payer, ids, amount):
        """What an intent request would be: (invoice ids, amount)."""
        invs = self._resolve(payer, ids)
        total = sum(v.due for v in invs)
        if not invs or total <= 0:
            raise Refused(409, "nothing_due")
        amount = amount or total
        if amount > total:
            raise Refused(400, "amount_exceeds_due")
        return [v.id for v in invs], amount

    def intent_create(self, iid, code, payer, ids, amount):
        inv_ids, amount = self.intent_check(payer, ids, amount)
        t = Intent(iid, code, payer, inv_ids, amount)
        self.intents[iid] = t
        self.by_code[code] = t
        if code in self.reserved:
            self.reserved.discard(code)
            for r in self.records:
                if (r.state == "unmatched" and r.reason ==
                        "reserved_unclaimed" and r.code == code):
                    r.payment = self._transfer_intent(t, r.amount)
                    r.state = "matched"
        return t

    def intent_cancel(self, iid):
        t = self.intents[iid]
        if t.status in ("paid", "partial"):
            raise Refused(409, "intent_settled")
        t.status = "cancelled"

    def cash_check(self, payer, ids, amount, day=None):
        """The invoices cash would pay; Refused when the server must
        refuse it (day: the day the kiosk explicitly dates it on)."""
        invs = self._resolve(payer, ids)
        total = sum(v.due for v in invs)
        if not invs or total <= 0:
            raise Refused(409, "nothing_due")
        if amount > total:
            raise Refused(400, "amount_exceeds_due")
        if day is not None and day in self.closed:
            raise Refused(409, "day_closed")
        return invs

    def cash(self, payer, ids, amount, day=None):
        invs = self.cash_check(payer, ids, amount, day)
        p = self._payment(payer, "cash", amount, None)
        self._allocate(p, invs, amount)
        self._supersede([v.id for v in invs])
        return p

    def refund(self, payer, amount, reference):
        """A refund on a closed day is dated on the next open day: it is
        never refused for the close."""
        if amount > self.credit(payer):
            raise Refused(409, "insufficient_credit")
        if reference in self.refund_refs:
            raise Refused(409, "duplicate_reference")
        self.refund_refs.add(reference)
        left = amount
        for p in sorted(self.payments.values(), key=lambda x: x.id):
            if left <= 0:
                break
            if p.payer != payer or p.unalloc <= 0:
                continue
            take = min(p.unalloc, left)
            p.unalloc -= take
            p.refunded += take
            left -= take

    def generate(self, period, kind):
        created = 0
        for f in self.fees:
            if f["kind"] != kind or not f["active"]:
                continue
            for pay in self.payers:
                if not pay["active"]:
                    continue
                if f["category"] and pay["category"] != f["category"]:
                    continue
                if any(v.payer == pay["code"] and v.fee == f["code"] and
                       v.period == period for v in self.invoices.values()):
                    continue
                iid = self.next_invoice
                self.next_invoice += 1
                self.invoices[iid] = Invoice(iid, pay["code"], f["code"],
                                             period, f["amount"])
                created += 1
        if created:
            for pay in self.payers:
                if self.credit(pay["code"]) > 0:
                    self._apply_credit(pay["code"])
        return created

    # --- bank records -------------------------------------------------------

    def bank(self, rec, provider_id=None):
        """A record arrives (a webhook transaction with its provider id, or
        a statement row). Returns the record that stands for it."""
        if provider_id is not None:
            key = (rec.source, provider_id)
            old = self.by_provider_id.get(key)
            if old is not None:
                return old
            self.by_provider_id[key] = rec
        rec.id = len(self.records) + 1
        self.records.append(rec)
        cands = []
        for x in self.records[:-1]:
            if x.state == "duplicate":
                continue
            if any(m.source == rec.source for m in x.members):
                continue
            if any(rec.contradicts(m) for m in x.members):
                continue
            how = None
            for m in x.members:
                h = rec.compatible(m)
                if h == "ref":
                    how = "ref"
                    break
                if h and not how:
                    how = h
            if how:
                cands.append((x, how))
        if cands:
            by_ref = [x for x, h in cands if h == "ref"]
            target = None
            if by_ref:
                target = by_ref[0]
            else:
                sig = None
                alike = True
                for x, _ in cands:
                    s = (frozenset(m.ref_key for m in x.members if m.ref_key),
                         frozenset(m.counter_key for m in x.members
                                   if m.counter_key))
                    if sig is None:
                        sig = s
                    elif s != sig:
                        alike = False
                if alike:
                    target = cands[0][0]
            if target is not None:
                rec.state = "duplicate"
                rec.dup_of = target
                target.members.append(rec)
                return rec
            rec.state = "unmatched"
            rec.reason = "possible_duplicate"
            return rec
        if (rec.direction != "credit" or rec.amount == 0 or rec.reversal or
                rec.currency != "VND"):
            rec.state = "ignored"
            return rec
        intents = [self.by_code[c] for c in rec.codes if c in self.by_code]
        if len(intents) == 1:
            rec.payment = self._transfer_intent(intents[0], rec.amount)
            rec.state = "matched"
        elif len(intents) > 1:
            rec.state = "ambiguous"
        elif any(c in self.reserved for c in rec.codes):
            rec.state = "unmatched"
            rec.reason = "reserved_unclaimed"
        else:
            rec.state = "unmatched"
            rec.reason = "no_code" if not rec.codes else "unknown_code"
        return rec

    def review_match(self, rec, payer=None, intent=None):
        if (rec.state not in ("unmatched", "ambiguous") or
                rec.direction != "credit" or rec.amount <= 0):
            raise Refused(409, "not_reviewable")
        if intent is not None:
            rec.payment = self._transfer_intent(self.intents[intent],
                                                rec.amount)
        else:
            rec.payment = self._transfer_payer(payer, rec.amount)
        rec.state = "matched"
        rec.reason = "review"

    def review_unmatch(self, rec):
        if rec.state != "matched":
            raise Refused(409, "not_matched")
        self._reverse(rec.payment)
        rec.payment = None
        rec.state = "unmatched"
        rec.reason = "review"

    def review_ignore(self, rec):
        if rec.state not in ("unmatched", "ambiguous"):
            raise Refused(409, "not_reviewable")
        rec.state = "ignored"
        rec.reason = "review"
