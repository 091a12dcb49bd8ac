#!/usr/bin/env python3
"""sim.py: a deterministic, seed-driven simulator that drives the real
chopay-server over HTTP and the reference model (model.py) with the same
random stream of events, and compares the server's figures with the
model's after every step.

    python3 tests/sim/sim.py --seed 1234 [--server build/bin/chopay-server]
                             [-v] [--only CLASSES] [--no CLASSES]
    python3 tests/sim/sim.py --seeds 1-1000 --jobs 2 [...]

A failing seed prints the command that replays it, the step, the event
and the first differing figure. See tests/sim/README.md.
"""

import argparse
import datetime
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import feeds  # noqa: E402
from model import Model, Record, Refused  # noqa: E402

ORG = "SIM"
OTHER = "OTH"
ACCOUNT = "1023456789"
OTHER_ACCOUNT = "9988776655"
BIN = "970436"
PREFIX = "SM"
PROVIDERS = ("sepay", "casso", "payos", "generic")
PAYERS = [("A-1", "A"), ("A-2", "A"), ("A-3", "A"), ("B-1", "B"),
          ("B-2", "B"), ("B-3", "B")]
FEES = [("THUE-A", "Tiền thuê sạp khu A", "monthly", "A", 300000),
        ("THUE-B", "Tiền thuê sạp khu B", "monthly", "B", 200000),
        ("VS", "Phí vệ sinh", "monthly", "", 50000),
        ("CHO", "Phí chợ ngày", "daily", "", 10000)]
FIRST_PERIOD = "2026-01"

# Event classes, each switchable with --only / --no.
CLASSES = ("intents", "offline", "webhooks", "cash", "refunds", "invoices",
           "review", "ambiguous", "statements", "norefs", "oddrows",
           "lookalikes", "close", "accounts", "crash")


class Mismatch(Exception):
    pass


def vn_today():
    return (datetime.datetime.utcnow() +
            datetime.timedelta(hours=7)).strftime("%Y-%m-%d")


def vn_time():
    return (datetime.datetime.utcnow() +
            datetime.timedelta(hours=7)).strftime("%H:%M:%S")


# --- the database ------------------------------------------------------------
# With CHOPAY_TEST_PG set (a libpq URL), a data directory's database is a
# PostgreSQL database of its own instead of DIR/chopay.db, named in the
# file DIR/pg-database ("chopay_" and a hash of the directory's path when
# it is first used); every server and command gets it as --db.

PG = os.environ.get("CHOPAY_TEST_PG") or None
PG_NAME_FILE = "pg-database"


def pg_admin(sql):
    """Run `sql` on CHOPAY_TEST_PG's own database (psql)."""
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", PG,
                        "-c", sql],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("psql: %s: %s" % (sql, r.stderr.decode().strip()))


def pg_url(name):
    return PG + ("&" if "?" in PG else "?") + "dbname=" + name


def pg_fresh_name(data_dir):
    h = hashlib.sha256(os.path.abspath(data_dir).encode()).hexdigest()
    return "chopay_" + h[:16]


def db_args(data_dir):
    """The --db arguments for data directory `data_dir` ([] on SQLite),
    creating its PostgreSQL database on first use."""
    if PG is None:
        return []
    path = os.path.join(data_dir, PG_NAME_FILE)
    if os.path.exists(path):
        with open(path) as f:
            name = f.read().strip()
    else:
        name = pg_fresh_name(data_dir)
        pg_admin("CREATE DATABASE %s" % name)
        with open(path, "w") as f:
            f.write(name + "\n")
    return ["--db", pg_url(name)]


def db_copy(template, data_dir):
    """After copying directory `template` to `data_dir`: on PostgreSQL, a
    copy of the template's database becomes the copy's."""
    if PG is None:
        return
    with open(os.path.join(template, PG_NAME_FILE)) as f:
        old = f.read().strip()
    name = pg_fresh_name(data_dir)
    for attempt in range(50):
        try:  # refused while another copy of the template is being made
            pg_admin("CREATE DATABASE %s TEMPLATE %s" % (name, old))
            break
        except RuntimeError:
            if attempt == 49:
                raise
            time.sleep(0.1)
    with open(os.path.join(data_dir, PG_NAME_FILE), "w") as f:
        f.write(name + "\n")


def db_drop(data_dir):
    """Drop `data_dir`'s PostgreSQL database, if it has one."""
    path = os.path.join(data_dir, PG_NAME_FILE)
    if PG is None or not os.path.exists(path):
        return
    with open(path) as f:
        pg_admin("DROP DATABASE IF EXISTS %s" % f.read().strip())


# --- the server --------------------------------------------------------------

class Server:
    """One chopay-server process on a data directory, one keep-alive HTTP
    connection to it."""

    def __init__(self, binary, data_dir, config):
        self.binary = binary
        self.dir = data_dir
        self.config = config
        self.proc = None
        self.conn = None
        self.port = None
        self.log = open(os.path.join(data_dir, "server.log"), "ab")

    def start(self):
        addr = os.path.join(self.dir, "server.addr")
        if os.path.exists(addr):
            os.unlink(addr)
        self.proc = subprocess.Popen(
            [self.binary, "--config", self.config, "--data-dir", self.dir] +
            db_args(self.dir) + ["--listen", "127.0.0.1:0", "serve"],
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(addr):
                with open(addr) as f:
                    line = f.read().strip()
                if line:
                    self.port = int(line.rsplit(":", 1)[1])
                    break
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start (see %s)" %
                                   os.path.join(self.dir, "server.log"))
            time.sleep(0.002)
        else:
            raise RuntimeError("server did not start")
        self.conn = None

    def _connect(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=30)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def request(self, method, path, body=None, headers=None, token=None):
        """(status, parsed JSON or text) of one request."""
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        for attempt in range(3):
            if self.conn is None:
                self._connect()
            try:
                self.conn.request(method, path, body=body, headers=h)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        try:
            return r.status, json.loads(data.decode() or "null")
        except ValueError:
            return r.status, data.decode(errors="replace")

    def send_and_kill(self, method, path, body, headers, token, delay):
        """Send a request and kill -9 the server `delay` seconds later,
        without waiting for the answer: it may or may not have been
        applied."""
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            c.request(method, path, body=body, headers=h)
        except OSError:
            pass
        time.sleep(delay)
        self.kill()
        c.close()

    def kill(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None

    def stop(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None
        self.log.close()


def cli(binary, data_dir, *args):
    r = subprocess.run([binary, "--data-dir", data_dir] +
                       db_args(data_dir) + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("%s %s: %s" % (binary, " ".join(args),
                                          r.stderr.decode()))
    return r.stdout.decode()


def secret_token(out, prefix):
    for w in out.split():
        if w.startswith(prefix):
            return w
    raise RuntimeError("no %s… in %r" % (prefix, out))


def make_template(binary, where):
    """A data directory with two organisations, payers, fees, the first
    month's invoices, provider secrets, tokens and a kiosk key; its
    credentials and starting state in where/sim.json."""
    if os.path.exists(where):
        db_drop(where)
        shutil.rmtree(where)
    os.makedirs(where)
    cfg = os.path.join(where, "server.ini")
    with open(cfg, "w") as f:
        f.write("[server]\nrate = 0\nthreads = 2\nintent_ttl = 900\n"
                "housekeeping_interval = 86400\n")
    cli(binary, where, "init")
    admin = secret_token(cli(binary, where, "token", "add", "--role",
                             "admin"), "ct_")
    srv = Server(binary, where, cfg)
    srv.start()
    try:
        for code, acct, prefix in ((ORG, ACCOUNT, PREFIX),
                                   (OTHER, OTHER_ACCOUNT, "TX")):
            st, r = srv.request("POST", "/v1/orgs", {
                "code": code, "kind": "market", "name": "Chợ " + code,
                "bank_bin": BIN, "account": acct,
                "account_name": "BAN QUAN LY CHO " + code,
                "prefix": prefix}, token=admin)
            assert st == 201, (st, r)
        secrets = {}
        for org in (ORG, OTHER):
            secrets[org] = {}
            for p in PROVIDERS:
                s = {"hmac_key": "%s-%s-hmac-key-0123456789" % (org, p)}
                if p == "sepay":
                    s["api_key"] = "%s-sepay-api-key-0123" % org
                st, r = srv.request("PUT", "/v1/orgs/%s/bank/secrets/%s" %
                                    (org, p), s, token=admin)
                assert st in (200, 201, 204), (st, r)
                secrets[org][p] = s
        for code, label, kind, cat, amount in FEES:
            st, r = srv.request("POST", "/v1/orgs/%s/fees" % ORG, {
                "code": code, "label": label, "kind": kind,
                "category": cat, "amount": amount}, token=admin)
            assert st == 201, (st, r)
        for code, zone in PAYERS:
            st, r = srv.request("POST", "/v1/orgs/%s/payers" % ORG, {
                "code": code, "name": "Người bán " + code, "zone": zone,
                "category": zone}, token=admin)
            assert st == 201, (st, r)
        st, r = srv.request("POST", "/v1/orgs/%s/payers" % OTHER, {
            "code": "X-1", "name": "Người bán X", "zone": "X"},
            token=admin)
        assert st == 201, (st, r)
        st, r = srv.request("POST", "/v1/orgs/%s/invoices/generate" % ORG,
                            {"period": FIRST_PERIOD}, token=admin)
        assert st in (200, 201), (st, r)
        st, invs = srv.request("GET", "/v1/orgs/%s/invoices?limit=1000" %
                               ORG, token=admin)
        assert st == 200, (st, invs)
    finally:
        srv.stop()
    board = secret_token(cli(binary, where, "token", "add", "--role",
                             "board", "--org", ORG), "ct_")
    kiosk = secret_token(cli(binary, where, "kiosk", "add", "--org", ORG,
                             "--name", "Kiosk sim"), "ck_")
    for leftover in ("server.addr", "server.log"):
        p = os.path.join(where, leftover)
        if os.path.exists(p):
            os.unlink(p)
    invs = invs if isinstance(invs, list) else invs.get("invoices", invs)
    meta = {"admin": admin, "board": board, "kiosk": kiosk,
            "secrets": secrets,
            "invoices": [{"id": v["id"], "payer": v["payer"],
                          "fee": v["fee"], "period": v["period"],
                          "amount": v["amount"]} for v in invs]}
    with open(os.path.join(where, "sim.json"), "w") as f:
        json.dump(meta, f)
    return meta


def run_check(binary, data_dir):
    """None when `chopay-server check` passes, else its complaint."""
    r = subprocess.run([binary, "--data-dir", data_dir] +
                       db_args(data_dir) + ["check"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode == 0:
        return None
    bad = [ln for ln in r.stdout.decode().splitlines()
           if ":" in ln and not ln.rstrip().endswith(": 0")]
    return "chopay-server check exit %d: %s %s" % (
        r.returncode, "; ".join(bad), r.stderr.decode().strip()[:300])


# --- one run -----------------------------------------------------------------

def as_list(x, key):
    if isinstance(x, dict):
        return x.get(key) or x.get("items") or []
    return x


class Sim:
    def __init__(self, seed, binary, template, meta, classes, steps,
                 verbose, keep=False):
        self.seed = seed
        self.rng = random.Random(seed)
        self.binary = binary
        self.meta = meta
        self.classes = set(classes)
        self.steps = steps
        self.verbose = verbose
        self.keep = keep
        base = os.environ.get("TMPDIR") or (
            "/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.dir = tempfile.mkdtemp(prefix="chopay-sim-%d-" % seed, dir=base)
        shutil.rmtree(self.dir)
        shutil.copytree(template, self.dir)
        db_copy(template, self.dir)
        self.cfg = os.path.join(self.dir, "server.ini")
        self.srv = Server(binary, self.dir, self.cfg)
        fees = [{"code": c, "kind": k, "category": cat, "amount": a,
                 "active": True} for c, _, k, cat, a in FEES]
        payers = [{"code": c, "category": z, "active": True}
                  for c, z in PAYERS]
        self.model = Model(payers, fees, meta["invoices"])
        self.secrets = meta["secrets"][ORG]
        self.account = ACCOUNT
        self.today = vn_today()
        self.n_move = 0
        self.n_key = 0
        self.n_import = 0
        self.pending = []             # deliveries not yet made: (kind, ...)
        self.sent = []                # webhook deliveries made (for repeats)
        self.known = {}               # server txn id -> model record
        self.movements = []           # every movement, for statements
        self.events = 0
        self.month = 1
        self.day = 1
        self.step = 0
        self.event = ""
        self.crash = "crash" in self.classes and self.rng.random() < 0.5
        self.reserved_codes = []
        self.reopen_at = None

    # -- helpers -----------------------------------------------------------

    def say(self, msg):
        if self.verbose:
            print("  [%d] %s" % (self.step, msg))

    def key(self):
        self.n_key += 1
        return "sim-%d-%d" % (self.seed, self.n_key)

    def expect(self, what, got, want):
        if got != want:
            raise Mismatch("%s: server %r, model %r" % (what, got, want))

    def call(self, method, path, body=None, headers=None, token=None):
        return self.srv.request(method, path, body, headers, token)

    def refused_like(self, st, r, exc):
        if st != exc.status:
            raise Mismatch("status: server %d %s, model %d %s" % (
                st, json.dumps(r)[:200], exc.status, exc.code))

    # -- comparison -----------------------------------------------------------

    def compare(self, full=False):
        """The server's figures against the model's; the kiosk's view of
        each payer's dues too when full."""
        m = self.model
        st, payers = self.call("GET", "/v1/orgs/%s/payers?limit=1000" % ORG,
                               token=self.meta["board"])
        self.expect("GET payers status", st, 200)
        for p in as_list(payers, "payers"):
            self.expect("payer %s credit" % p["code"], p["credit"],
                        m.credit(p["code"]))
        st, invs = self.call("GET", "/v1/orgs/%s/invoices?limit=1000" % ORG,
                             token=self.meta["board"])
        self.expect("GET invoices status", st, 200)
        invs = as_list(invs, "invoices")
        self.expect("invoice ids", sorted(v["id"] for v in invs),
                    sorted(m.invoices))
        for v in invs:
            mv = m.invoices[v["id"]]
            self.expect("invoice %d (%s %s) paid" % (v["id"], v["payer"],
                                                     v["period"]),
                        v["paid"], mv.paid)
            self.expect("invoice %d status" % v["id"], v["status"],
                        mv.status)
        for code, _ in PAYERS if full else ():
            st, d = self.call("GET", "/v1/payers/%s/dues" % code,
                              token=self.meta["kiosk"])
            self.expect("dues %s status" % code, st, 200)
            self.expect("payer %s total_due" % code, d["total_due"],
                        m.dues(code))
        st, its = self.call("GET", "/v1/orgs/%s/intents?limit=1000" % ORG,
                            token=self.meta["board"])
        self.expect("GET intents status", st, 200)
        for t in as_list(its, "intents"):
            mt = m.intents.get(t["id"])
            if mt is None:
                raise Mismatch("intent %d: on the server, not in the model"
                               % t["id"])
            s = "pending" if t["status"] == "expired" else t["status"]
            self.expect("intent %d status" % t["id"], s, mt.status)
            self.expect("intent %d paid" % t["id"], t["paid"], mt.paid)

        self.compare_bank()

    def compare_bank(self):
        """The transfers (records that are no duplicate) by state,
        direction and the day they count on: how many and how much."""
        got = {}
        after = 0
        while True:
            st, txs = self.call("GET", "/v1/orgs/%s/bank/transactions?"
                                "limit=1000&after=%d" % (ORG, after),
                                token=self.meta["board"])
            self.expect("GET bank transactions status", st, 200)
            txs = as_list(txs, "transactions")
            for t in txs:
                if t["state"] == "duplicate":
                    continue
                k = "%s %s on %s" % (t["state"], t["direction"],
                                     t.get("report_date"))
                c, a = got.get(k, (0, 0))
                got[k] = (c + 1, a + t["amount"])
            if len(txs) < 1000:
                break
            after = txs[-1]["id"]
        want = {}
        for r in self.model.records:
            if r.state == "duplicate":
                continue
            k = "%s %s on %s" % (r.state, r.direction, r.report_date)
            c, a = want.get(k, (0, 0))
            want[k] = (c + 1, a + r.amount)
        for k in sorted(set(got) | set(want)):
            self.expect("bank transfers %s (count, amount)" % k,
                        got.get(k, (0, 0)), want.get(k, (0, 0)))

    def check(self):
        err = run_check(self.binary, self.dir)
        if err:
            raise Mismatch(err)

    # -- movements of money ---------------------------------------------------

    def movement(self, code="", amount=None, ref=True, direction="credit",
                 currency="VND", reversal=False, desc=None, codes=None):
        self.n_move += 1
        n = self.n_move
        if desc is None:
            words = self.rng.choice(["chuyen tien", "nop phi cho",
                                     "thanh toan", "tien thue sap"])
            desc = "NGUYEN VAN A %s %s" % (words, " ".join(codes or [code]))
            desc = desc.strip()
        m = {"n": n, "ref": ("FT26%03d%08d" % (self.seed % 1000,
                                               self.seed * 100 + n)
                             if ref else ""),
             "amount": amount, "direction": direction, "currency": currency,
             "desc": desc, "code": code, "codes": codes or ([code] if code
                                                           else []),
             "counter": self.rng.choice(["", "0071000123456",
                                         "0071000654321"]),
             "date": self.today, "time": vn_time(), "reversal": reversal}
        self.movements.append(m)
        return m

    def record_for(self, m, source, pos=0, counter=True):
        """The model's record of movement `m` as `source` shows it;
        `counter` false for a format that does not carry the counter-party
        account (MT940 as written here)."""
        r = Record(None, source, m["direction"], m["amount"], m["currency"],
                   m["ref"], pos, m["date"], m["code"], m["desc"],
                   m["counter"] if counter else "", m["reversal"])
        r.codes = list(m["codes"])
        # booked on a day closed before it came: it counts on the next
        # open day (only today is ever closed here)
        r.report_date = m["date"]
        if m["date"] in self.model.closed:
            d = datetime.date.fromisoformat(m["date"])
            r.report_date = (d + datetime.timedelta(days=1)).isoformat()
        return r

    def deliver_webhook(self, provider, m, pid, kill=False, more=()):
        """One notification of movement m (with more [(movement, id)]:
        a generic batch of several) and what the model makes of it."""
        items = [(m, pid)] + list(more)

        def build():
            if more:
                return feeds.generic_batch(items, self.account, self.secrets)
            return feeds.webhook(provider, m, pid, self.account,
                                 self.secrets)

        path, hdr, raw = build()
        if kill:
            self.say("kill -9 during %s webhook" % provider)
            self.srv.send_and_kill("POST", path, raw, hdr, None,
                                   self.rng.choice([0, 0.001, 0.003, 0.01]))
            self.srv.start()
            # the provider got no answer: it retries
            path, hdr, raw = build()
        st, r = self.call("POST", path, raw, hdr)
        self.expect("%s webhook status (%s)" % (provider, json.dumps(r)[:160]),
                    st, 200)
        txs = r.get("transactions") or []
        for i, (mv, id_) in enumerate(items):
            # SePay's notification carries no counter-account
            rec = self.model.bank(self.record_for(mv, provider,
                                                  counter=provider != "sepay"),
                                  feeds.provider_id(provider, id_, mv))
            if rec.dup_of is not None:
                self.say("model: duplicate of record %d (%s, ref %r, %s)" % (
                    rec.dup_of.id, rec.dup_of.source, rec.dup_of.ref_key,
                    rec.dup_of.desc_key))
            self.sent.append((provider, mv, id_))
            if i >= len(txs):
                continue
            t = txs[i]
            self.known[t["id"]] = rec
            self.expect("%s webhook: state of bank txn %s" %
                        (provider, t["id"]), t.get("state"), rec.state)
            if not t.get("replayed"):
                # a new transfer booked on a closed day is late for it
                # and dated on the next open day
                late = (self.today in self.model.closed and
                        rec.state != "duplicate")
                self.expect("%s webhook: bank txn %s late_for" %
                            (provider, t["id"]), t.get("late_for"),
                            self.today if late else None)

    # -- events ---------------------------------------------------------------

    def ev_intent(self):
        m = self.model
        payer = self.rng.choice(PAYERS)[0]
        opens = m.open_invoices(payer)
        body = {"payer": payer}
        ids = None
        if opens and self.rng.random() < 0.4:
            ids = sorted(v.id for v in self.rng.sample(
                opens, self.rng.randint(1, len(opens))))
            body["invoices"] = ids
        amount = 0
        if opens and self.rng.random() < 0.3:
            due = sum(v.due for v in opens if ids is None or v.id in ids)
            amount = self.rng.randint(1, max(due, 1))
            body["amount"] = amount
        self.event = "intent %s" % json.dumps(body)
        key = self.key()
        hdr = {"Idempotency-Key": key}
        try:
            m.intent_check(payer, ids, amount)
            want = None
        except Refused as e:
            want = e
        if self.crash and want is None and self.rng.random() < 0.15:
            self.say("kill -9 during intent")
            self.srv.send_and_kill("POST", "/v1/intents",
                                   json.dumps(body).encode(), hdr,
                                   self.meta["kiosk"],
                                   self.rng.choice([0, 0.002, 0.01]))
            self.srv.start()
        st, r = self.call("POST", "/v1/intents", body, hdr,
                          self.meta["kiosk"])
        if want is not None:
            self.refused_like(st, r, want)
            return
        self.expect("intent status (%s)" % json.dumps(r)[:160], st, 201)
        t = m.intent_create(r["id"], r["code"], payer, ids, amount)
        self.expect("intent %d amount" % r["id"], r["amount"], t.amount)
        self.expect("intent %d invoices" % r["id"], r["invoices"], t.invoices)
        if self.rng.random() < 0.1:
            st, r2 = self.call("POST", "/v1/intents", body, hdr,
                               self.meta["kiosk"])
            self.expect("intent replay status", st, 201)
            self.expect("intent replay id", r2["id"], r["id"])
        # the payer's transfer: exact, partial, over, or nothing yet
        kind = self.rng.choice(["exact", "exact", "partial", "over", "none"])
        if kind == "none":
            return
        amt = {"exact": t.amount,
               "partial": max(1, t.amount // self.rng.randint(2, 4)),
               "over": t.amount + self.rng.choice([1000, 50000, 300000])}[kind]
        noref = self.rng.random() < 0.15
        mv = self.movement(code=t.code, amount=amt,
                           ref=not (noref and "norefs" in self.classes))
        self.schedule(mv)

    def ev_offline(self):
        """A kiosk reserves codes while online, draws a QR with one
        offline, the payer pays it, and the kiosk later claims the code
        with the intent it recorded offline."""
        m = self.model
        if self.reserved_codes and self.rng.random() < 0.5:
            code = self.reserved_codes.pop(0)
            payer = self.rng.choice(PAYERS)[0]
            body = {"payer": payer, "code": code}
            self.event = "claim %s" % json.dumps(body)
            key = self.key()
            st, r = self.call("POST", "/v1/intents", body,
                              {"Idempotency-Key": key}, self.meta["kiosk"])
            try:
                m.intent_check(payer, None, 0)
            except Refused as e:
                self.refused_like(st, r, e)
                self.reserved_codes.append(code)
                return
            self.expect("claim status (%s)" % json.dumps(r)[:160], st, 201)
            m.intent_create(r["id"], r["code"], payer, None, 0)
            return
        n = self.rng.randint(1, 3)
        self.event = "reserve %d codes" % n
        st, r = self.call("POST", "/v1/kiosk/codes", {"count": n},
                          {"Idempotency-Key": self.key()},
                          self.meta["kiosk"])
        self.expect("reserve status (%s)" % json.dumps(r)[:160], st, 201)
        for code in r["codes"]:
            m.reserved.add(code)
            self.reserved_codes.append(code)
            if self.rng.random() < 0.7:
                mv = self.movement(code=code, amount=self.rng.choice(
                    [10000, 50000, 300000, 500000]))
                self.schedule(mv)

    def ev_ambiguous(self):
        """One transfer carrying the codes of two intents."""
        live = [t for t in self.model.intents.values()]
        if len(live) < 2:
            return self.ev_intent()
        a, b = self.rng.sample(live, 2)
        mv = self.movement(amount=self.rng.choice([50000, 300000]),
                           code=a.code, codes=[a.code, b.code])
        self.event = "transfer %d for two intents %d, %d" % (mv["n"], a.id,
                                                            b.id)
        self.schedule(mv)
        self.ev_deliver()

    def schedule(self, mv):
        """Queue the deliveries of a movement: one to three providers
        (some repeated), and later statement rows."""
        provs = self.rng.sample(PROVIDERS, self.rng.choice([1, 1, 1, 2, 3]))
        if not mv["ref"]:
            provs = provs[:1]
        for p in provs:
            if p in ("casso", "payos") and mv["direction"] != "credit":
                continue
            pid = {"sepay": 7000000, "casso": 8000000, "payos": 900000,
                   "generic": 5000000}[p] + self.seed % 1000 * 1000 + mv["n"]
            self.pending.append(("webhook", p, mv, pid))
        self.rng.shuffle(self.pending)

    def ev_deliver(self):
        if not self.pending:
            return self.ev_intent()
        i = self.rng.randrange(len(self.pending))
        kind, p, mv, pid = self.pending.pop(i)
        self.event = "%s webhook of movement %d %s" % (
            p, mv["n"], json.dumps({k: mv[k] for k in ("ref", "amount",
                                                        "desc")},
                                   ensure_ascii=False))
        kill = self.crash and self.rng.random() < 0.1
        more = []
        if p == "generic" and self.rng.random() < 0.5:
            # the generic format carries several transactions at once
            for j in range(len(self.pending) - 1, -1, -1):
                if self.pending[j][1] == "generic" and len(more) < 3:
                    _, _, mv2, pid2 = self.pending.pop(j)
                    more.append((mv2, pid2))
            if more:
                self.event = "generic batch of movements %s" % (
                    [mv["n"]] + [x[0]["n"] for x in more])
        self.deliver_webhook(p, mv, pid, kill, more)

    def ev_repeat(self):
        if not self.sent:
            return self.ev_deliver()
        p, mv, pid = self.rng.choice(self.sent)
        self.event = "repeated %s webhook of movement %d" % (p, mv["n"])
        self.deliver_webhook(p, mv, pid)

    def ev_stray(self):
        """A transfer without a payment code (or one only a person can
        place): unmatched, for review."""
        payer = self.rng.choice(PAYERS)[0]
        amt = self.rng.choice([10000, 50000, 200000, 300000, 650000])
        noref = "norefs" in self.classes and self.rng.random() < 0.5
        mv = self.movement(amount=amt, ref=not noref,
                           desc="NGUYEN VAN A nop tien sap %s" % payer)
        self.event = "stray transfer %d of %d" % (mv["n"], amt)
        self.schedule(mv)
        self.ev_deliver()

    def ev_cash(self):
        m = self.model
        payer = self.rng.choice(PAYERS)[0]
        opens = m.open_invoices(payer)
        due = sum(v.due for v in opens)
        amount = self.rng.choice([due, max(1, due // 2), 10000, due + 5000])
        if amount <= 0:
            amount = 10000
        body = {"payer": payer, "amount": amount, "collector": "Chị Hoa",
                "recorded_at": int(time.time()) - self.rng.randint(0, 3000)}
        dated = self.rng.random() < 0.3
        if dated:
            body["date"] = self.today
        key = self.key()
        self.event = "cash %s" % json.dumps(body, ensure_ascii=False)
        refused = None
        day = self.today if dated else None
        try:
            m.cash_check(payer, None, amount, day)
        except Refused as e:
            refused = e
        hdr = {"Idempotency-Key": key}
        if self.crash and refused is None and self.rng.random() < 0.15:
            self.say("kill -9 during cash")
            self.srv.send_and_kill("POST", "/v1/cash",
                                   json.dumps(body).encode(), hdr,
                                   self.meta["kiosk"],
                                   self.rng.choice([0, 0.002, 0.01]))
            self.srv.start()
        st, r = self.call("POST", "/v1/cash", body, hdr, self.meta["kiosk"])
        if refused is not None:
            self.refused_like(st, r, refused)
            return
        self.expect("cash status (%s)" % json.dumps(r)[:160], st, 201)
        m.cash(payer, None, amount, day)
        # the kiosk's offline journal replays the same record later
        if self.rng.random() < 0.3:
            st, r2 = self.call("POST", "/v1/cash", body, hdr,
                               self.meta["kiosk"])
            self.expect("cash replay status", st, 201)
            self.expect("cash replay payment", r2.get("payment"),
                        r.get("payment"))

    def ev_refund(self):
        m = self.model
        with_credit = [c for c, _ in PAYERS if m.credit(c) > 0]
        payer = (self.rng.choice(with_credit) if with_credit and
                 self.rng.random() < 0.9 else self.rng.choice(PAYERS)[0])
        credit = m.credit(payer)
        amount = self.rng.choice([credit, max(1, credit // 2), credit + 1])
        if amount <= 0:
            amount = 1000
        ref = "RF%d-%d" % (self.seed, self.step)
        if self.rng.random() < 0.1 and m.refund_refs:
            ref = sorted(m.refund_refs)[0]
        body = {"amount": amount, "reference": ref, "reason": "trả lại"}
        self.event = "refund %s %s" % (payer, json.dumps(body))
        path = "/v1/orgs/%s/payers/%s/refund" % (ORG, payer)
        killed = False
        if (self.crash and amount <= credit and ref not in m.refund_refs and
                self.rng.random() < 0.2):
            # the board's browser retries a refund cut off by a crash; the
            # reference makes the retry harmless
            self.say("kill -9 during refund")
            self.srv.send_and_kill("POST", path, json.dumps(body).encode(),
                                   {"Content-Type": "application/json"},
                                   self.meta["board"],
                                   self.rng.choice([0, 0.002, 0.01]))
            self.srv.start()
            killed = True
        st, r = self.call("POST", path, body, token=self.meta["board"])
        try:
            m.refund(payer, amount, ref)
        except Refused as e:
            self.refused_like(st, r, e)
            return
        if killed and st == 409:
            # the first attempt was applied before the kill: the retry is
            # refused (duplicate_reference, or insufficient_credit when
            # the credit is checked first); the figures tell
            self.say("refund retry: %s" % json.dumps(r)[:120])
            return
        self.expect("refund status (%s)" % json.dumps(r)[:160], st, 201)

    def ev_invoices(self):
        if self.rng.random() < 0.5:
            self.month += 1
            period, kind = "2026-%02d" % min(self.month, 12), "monthly"
            if self.month > 12:
                period = "2027-%02d" % (self.month - 12)
        else:
            self.day += 1
            period, kind = "2026-12-%02d" % min(self.day, 28), "daily"
        self.event = "generate invoices %s" % period
        st, r = self.call("POST", "/v1/orgs/%s/invoices/generate" % ORG,
                          {"period": period}, token=self.meta["board"])
        self.expect("generate status (%s)" % json.dumps(r)[:100],
                    st in (200, 201), True)
        n = self.model.generate(period, kind)
        self.expect("invoices created", r.get("created"), n)

    def ev_cancel(self):
        pend = [t for t in self.model.intents.values()
                if t.status == "pending"]
        if not pend:
            return self.ev_intent()
        t = self.rng.choice(pend)
        self.event = "cancel intent %d" % t.id
        st, r = self.call("POST", "/v1/intents/%d/cancel" % t.id,
                          token=self.meta["kiosk"])
        self.model.intent_cancel(t.id)
        self.expect("cancel status", st, 200)

    def ev_review(self):
        m = self.model
        ids = sorted(self.known)
        if not ids:
            return self.ev_stray()
        act = self.rng.choice(["match", "match", "unmatch", "unmatch",
                               "unmatch", "ignore"])
        pick = [i for i in ids if self.known[i].state in
                (("matched",) if act == "unmatch" else
                 ("unmatched", "ambiguous"))]
        if not pick:
            pick = ids
        tid = self.rng.choice(pick)
        rec = self.known[tid]
        body = {"reason": "kiểm tra sao kê"}
        to_intent = None
        if act == "match" and rec.state == "ambiguous":
            ts = [self.model.by_code[c] for c in rec.codes
                  if c in self.model.by_code]
            to_intent = self.rng.choice(ts).id
            body["intent"] = to_intent
        elif act == "match":
            body["payer"] = self.rng.choice(PAYERS)[0]
        self.event = "review %s bank txn %d %s (model: %s)" % (
            act, tid, json.dumps(body, ensure_ascii=False), rec.state)
        path = "/v1/orgs/%s/bank/transactions/%d/%s" % (ORG, tid, act)
        killed = False
        if self.crash and self.rng.random() < 0.15:
            # the reviewer's page retries an action cut off by a crash
            self.say("kill -9 during review %s" % act)
            self.srv.send_and_kill("POST", path, json.dumps(body).encode(),
                                   {"Content-Type": "application/json"},
                                   self.meta["board"],
                                   self.rng.choice([0, 0.002, 0.01]))
            self.srv.start()
            killed = True
        st, r = self.call("POST", path, body, token=self.meta["board"])
        try:
            if act == "match":
                m.review_match(rec, payer=body.get("payer"),
                               intent=to_intent)
            elif act == "unmatch":
                m.review_unmatch(rec)
            else:
                m.review_ignore(rec)
        except Refused as e:
            self.refused_like(st, r, e)
            return
        if killed and st == 409:
            # applied before the kill: the retry finds it done
            self.say("review retry: %s" % json.dumps(r)[:120])
            return
        self.expect("review %s status (%s)" % (act, json.dumps(r)[:160]),
                    st in (200, 201), True)

    def ev_undo(self):
        """A reviewer undoes one payer's transfers one after the other,
        the month's invoices generated in between (the payer's credit
        then pays again what the first undo reopened)."""
        by_payer = {}
        for tid, rec in sorted(self.known.items()):
            if rec.state == "matched" and rec.payment is not None:
                by_payer.setdefault(rec.payment.payer, []).append(tid)
        if not by_payer:
            return self.ev_review()
        payer = self.rng.choice(sorted(by_payer))
        tids = by_payer[payer]
        self.rng.shuffle(tids)
        done = []
        for i, tid in enumerate(tids[:2]):
            if i == 1:
                self.ev_invoices()
                self.compare()
            rec = self.known[tid]
            self.event = "undo %s: unmatch bank txn %d after %s" % (
                payer, tid, done)
            st, r = self.call("POST", "/v1/orgs/%s/bank/transactions/%d/"
                              "unmatch" % (ORG, tid),
                              {"reason": "chuyển nhầm"},
                              token=self.meta["board"])
            try:
                self.model.review_unmatch(rec)
            except Refused as e:
                self.refused_like(st, r, e)
                return
            self.expect("unmatch status (%s)" % json.dumps(r)[:160],
                        st in (200, 201), True)
            self.compare()
            done.append(tid)

    # -- statements -----------------------------------------------------------

    def ev_statement(self):
        """A statement of some known movements (overlapping webhooks and
        earlier statements), in one of the formats."""
        moves = [mv for mv in self.movements if mv["currency"] == "VND"]
        if not moves:
            return self.ev_intent()
        k = self.rng.randint(1, min(6, len(moves)))
        rows = self.rng.sample(moves, k)
        fmt = self.rng.choice(["mt940", "mt942", "camt053", "camt052",
                               "camt054", "csv"])
        self.post_statement(rows, fmt)

    def post_statement(self, rows, fmt, account=None):
        self.n_import += 1
        sid = "STMT-%d-%d" % (self.seed, self.n_import)
        acct = account or self.rng.choice([self.account,
                                           BIN + "/" + self.account])
        if fmt == "csv":
            rows = [r for r in rows if r["currency"] == "VND" and
                    not r["reversal"] and r["amount"] > 0]
            if not rows:
                return
            raw, q = feeds.csv(rows), "csv"
        elif fmt in ("mt940", "mt942"):
            raw, q = feeds.mt940(rows, acct, sid, self.n_import,
                                 intraday=fmt == "mt942"), "mt940"
        else:
            raw, q = feeds.camt(rows, acct, sid, self.n_import,
                                kind=fmt[4:]), "camt"
        self.event = "statement %s %s of movements %s" % (
            fmt, sid, [r["n"] for r in rows])
        kill = self.crash and self.rng.random() < 0.1
        path = "/v1/statements?format=%s" % q
        if kill:
            self.say("kill -9 during statement")
            self.srv.send_and_kill("POST", path, raw, {}, self.meta["board"],
                                   self.rng.choice([0, 0.002, 0.01]))
            self.srv.start()
            if self.server_records() > len(self.model.records):
                # the import was committed before the kill: the retry
                # below is the same file imported a second time
                self.say("the killed import was committed")
                self.model_rows(rows, "import:%d" % self.n_import, fmt)
                self.n_import += 1
        st, r = self.call("POST", path, raw, {}, self.meta["board"])
        self.expect("statement status (%s)" % json.dumps(r)[:200], st, 201)
        self.model_rows(rows, "import:%d" % self.n_import, fmt)

    def model_rows(self, rows, src, fmt):
        """The rows of one imported file of format `fmt`, as records of
        source `src`."""
        counter = fmt not in ("mt940", "mt942")
        for r_ in rows:
            parts = r_.get("batch")
            if parts:
                for i, t in enumerate(parts):
                    self.model.bank(self.record_for(t, src, i + 1, counter))
            else:
                self.model.bank(self.record_for(r_, src, counter=counter))

    def server_records(self):
        """How many bank records (duplicates included) the server holds
        for the organisation."""
        n, after = 0, 0
        while True:
            st, txs = self.call("GET", "/v1/orgs/%s/bank/transactions?"
                                "limit=1000&after=%d" % (ORG, after),
                                token=self.meta["board"])
            self.expect("GET bank transactions status", st, 200)
            txs = as_list(txs, "transactions")
            n += len(txs)
            if len(txs) < 1000:
                return n
            after = txs[-1]["id"]

    def ev_oddrows(self):
        """Rows that move no money (debits, zero, reversals, another
        currency), identical rows, shared references, batches."""
        kinds = []
        if "oddrows" in self.classes:
            kinds += ["debit", "zero", "reversal", "foreign", "batch"]
        if "lookalikes" in self.classes:
            kinds += ["identical", "shared_ref", "batch", "twins"]
        kind = self.rng.choice(kinds)
        fmt = self.rng.choice(["mt940", "camt053"])
        rows = []
        if kind == "debit":
            rows = [self.movement(amount=22000, direction="debit",
                                  desc="Phi dich vu SMS")]
        elif kind == "zero":
            rows = [self.movement(amount=0, direction="debit",
                                  desc="Phi dich vu 0")]
        elif kind == "reversal":
            rows = [self.movement(amount=150000, reversal=True,
                                  direction="debit", desc="Hoan tra GD")]
        elif kind == "foreign":
            rows = [self.movement(amount=1500000, currency="USD",
                                  desc="Wire transfer")]
        elif kind == "identical":
            mv = self.movement(amount=10000, ref=False,
                               desc="NOP TIEN CHO KHONG MA")
            rows = [mv, dict(mv)]
        elif kind == "shared_ref":
            a = self.movement(amount=800000, direction="debit",
                              desc="Chi tien")
            b = self.movement(amount=3000000, desc="NOP TIEN SAP B")
            b["ref"] = a["ref"]
            rows = [a, b]
            fmt = "mt940"
        elif kind == "batch":
            a = self.movement(amount=500000, desc="NOP TIEN A")
            b = self.movement(amount=350000, desc="NOP TIEN B")
            b["ref"] = a["ref"]
            rows = [dict(a, batch=[a, b])]
            fmt = "camt053"
            if "lookalikes" not in self.classes:
                # a batch's transfers seen again as single entries of
                # another file are look-alikes of their own
                del self.movements[-2:]
        if kind == "twins":
            # two real transfers alike but for their references, both
            # notified; a statement row without a reference cannot say
            # which of the two it is
            ts = list(self.model.intents.values())
            code = self.rng.choice(ts).code if ts else ""
            a = self.movement(code=code, amount=120000)
            b = self.movement(code=code, amount=120000, desc=a["desc"])
            b["counter"] = a["counter"]
            for mv in (a, b):
                self.deliver_webhook("generic", mv, 3300000 + mv["n"])
                self.compare()
            rows = [dict(a, ref="")]
            fmt = self.rng.choice(["mt940", "camt053", "csv"])
        if kind == "foreign":
            self.n_import += 1
            sid = "STMT-%d-%d" % (self.seed, self.n_import)
            raw = feeds.mt940(rows, self.account, sid, self.n_import,
                              currency="USD")
            self.event = "statement USD %s" % sid
            st, r = self.call("POST", "/v1/statements?format=mt940", raw, {},
                              self.meta["board"])
            self.expect("statement status (%s)" % json.dumps(r)[:200], st,
                        201)
            self.model.bank(self.record_for(rows[0], "import:%d" %
                                            self.n_import, counter=False))
            return
        self.post_statement(rows, fmt)
        self.event = "odd rows (%s) " % kind + self.event

    # -- day close and accounts -----------------------------------------------

    def ev_close(self):
        """Close today; a few steps later the admin reopens it. Meanwhile
        everything is dated on the next open day and goes on as usual,
        but cash a kiosk explicitly dates on the closed day is refused."""
        if self.reopen_at is not None:
            return self.ev_cash()
        self.event = "close %s" % self.today
        n, amount = self.model.awaiting_review(self.today)
        st, r = self.call("POST", "/v1/orgs/%s/close" % ORG,
                          {"date": self.today}, token=self.meta["board"])
        if st == 409 and (r or {}).get("error", {}).get("code") == "open_items":
            # refused for what is still open: the transfers awaiting
            # review are the model's; then closed with a reason
            items = r["error"].get("open_items", {})
            self.expect("open items awaiting review (count, amount)",
                        (items.get("review", {}).get("count"),
                         items.get("review", {}).get("amount")), (n, amount))
            self.expect("open items refused with something open",
                        n > 0 or items.get("unbalanced", {}).get("count", 0)
                        > 0, True)
            self.event += " (forced)"
            st, r = self.call("POST", "/v1/orgs/%s/close" % ORG,
                              {"date": self.today, "force": True,
                               "reason": "chờ đối soát sau"},
                              token=self.meta["board"])
        else:
            self.expect("transfers awaiting review at a plain close", n, 0)
        self.expect("close status (%s)" % json.dumps(r)[:200], st, 201)
        self.model.closed.add(self.today)
        self.reopen_at = self.step + self.rng.randint(1, 6)

    def reopen(self):
        self.event = "reopen %s" % self.today
        st, r = self.call("POST", "/v1/orgs/%s/reopen" % ORG,
                          {"date": self.today, "reason": "sửa sổ"},
                          token=self.meta["admin"])
        self.expect("reopen status (%s)" % json.dumps(r)[:200],
                    st in (200, 201), True)
        self.model.closed.discard(self.today)
        self.reopen_at = None

    def ev_account(self):
        kind = self.rng.choice(["board", "taken", "foreign_stmt",
                                "admin_change", "other_org"])
        if kind == "admin_change":
            new = self.rng.choice(["55", "66"]) + ACCOUNT[2:]
            if new == self.account:
                new = "77" + ACCOUNT[2:]
            self.event = "admin changes %s's account to %s" % (ORG, new)
            st, r = self.call("PATCH", "/v1/orgs/%s" % ORG,
                              {"account": new}, token=self.meta["admin"])
            self.expect("admin PATCH account status (%s)" %
                        json.dumps(r)[:120], st, 200)
            old, self.account = self.account, new
            # a provider still naming the old account is refused
            mv = self.movement(amount=77000, desc="NOP TIEN TAI KHOAN CU")
            self.movements.pop()
            path, hdr, raw = feeds.webhook("generic", mv, "old-%d" % mv["n"],
                                           old, self.secrets)
            st, r = self.call("POST", path, raw, hdr)
            self.expect("webhook naming the old account %s (%s)" %
                        (old, json.dumps(r)[:120]), st, 403)
            return
        if kind == "other_org":
            self.event = "a transfer to %s's account" % OTHER
            mv = self.movement(amount=66000, desc="NOP TIEN CHO KHAC")
            self.movements.pop()
            path, hdr, raw = feeds.webhook("sepay", mv, 4400000 + mv["n"],
                                           OTHER_ACCOUNT,
                                           self.meta["secrets"][OTHER])
            st, r = self.call("POST", path, raw, hdr)
            self.expect("webhook to %s (%s)" % (OTHER, json.dumps(r)[:120]),
                        st, 200)
            return
        if kind == "board":
            self.event = "board changes its own account"
            st, r = self.call("PATCH", "/v1/orgs/%s" % ORG,
                              {"account": OTHER_ACCOUNT[-8:]},
                              token=self.meta["board"])
            self.expect("board PATCH account status (%s)" %
                        json.dumps(r)[:120], st, 403)
        elif kind == "taken":
            self.event = "admin gives %s the account of %s" % (OTHER, ORG)
            st, r = self.call("PATCH", "/v1/orgs/%s" % OTHER,
                              {"account": self.account},
                              token=self.meta["admin"])
            self.expect("PATCH to a taken account status (%s)" %
                        json.dumps(r)[:120], st, 409)
        else:
            self.event = "board imports a statement of nobody's account"
            mv = self.movement(amount=123000, desc="NOP TIEN LA")
            self.movements.pop()
            raw = feeds.mt940([mv], "5550001112", "STMT-X-%d" % self.seed, 1)
            st, r = self.call("POST", "/v1/statements?format=mt940", raw, {},
                              self.meta["board"])
            self.expect("statement of an unknown account (%s)" %
                        json.dumps(r)[:120], st, 422)

    # -- the run --------------------------------------------------------------

    def pick(self):
        table = []
        c = self.classes
        if "intents" in c:
            table += [(self.ev_intent, 6), (self.ev_cancel, 1)]
        if "offline" in c:
            table.append((self.ev_offline, 2))
        if "ambiguous" in c:
            table.append((self.ev_ambiguous, 1))
        if "webhooks" in c:
            table += [(self.ev_deliver, 10), (self.ev_repeat, 2),
                      (self.ev_stray, 1)]
        if "cash" in c:
            table.append((self.ev_cash, 3))
        if "refunds" in c:
            table.append((self.ev_refund, 2))
        if "invoices" in c:
            table.append((self.ev_invoices, 2))
        if "review" in c:
            table += [(self.ev_review, 2), (self.ev_undo, 1)]
        if "statements" in c:
            table.append((self.ev_statement, 3))
        if "oddrows" in c or "lookalikes" in c:
            table.append((self.ev_oddrows, 2))
        if "close" in c:
            table.append((self.ev_close, 1))
        if "accounts" in c:
            table.append((self.ev_account, 1))
        if not table:
            table = [(self.ev_intent, 1)]
        total = sum(w for _, w in table)
        x = self.rng.uniform(0, total)
        for f, w in table:
            x -= w
            if x <= 0:
                return f
        return table[-1][0]

    def sanitizer_report(self):
        """The first line of a sanitizer's report in the server's log."""
        try:
            with open(os.path.join(self.dir, "server.log"), "rb") as f:
                for line in f:
                    t = line.decode(errors="replace")
                    if ("ERROR: AddressSanitizer" in t or
                            "ERROR: LeakSanitizer" in t or
                            "runtime error:" in t):
                        return t.strip()
        except OSError:
            pass
        return None

    def run(self):
        err = self._run()
        san = self.sanitizer_report_text
        if san and not err:
            err = "server log: " + san
        return err

    def _run(self):
        self.sanitizer_report_text = None
        self.srv.start()
        try:
            self.compare()
            for self.step in range(1, self.steps + 1):
                self.event = ""
                f = self.pick()
                if self.reopen_at is not None and self.step >= self.reopen_at:
                    f = self.reopen
                if (self.crash and self.rng.random() < 0.03):
                    self.say("kill -9 between steps")
                    self.srv.kill()
                    self.srv.start()
                f()
                self.events += 1
                self.say(self.event)
                self.compare(self.step % 5 == 0)
                if self.step % 10 == 0:
                    self.check()
            # the providers' remaining deliveries
            self.step += 1
            while self.pending:
                self.ev_deliver()
                self.events += 1
                self.compare()
            self.compare(True)
            self.check()
            return None
        except Mismatch as e:
            return str(e)
        finally:
            self.srv.stop()
            self.sanitizer_report_text = self.sanitizer_report()
            if not self.keep:
                db_drop(self.dir)
                shutil.rmtree(self.dir, ignore_errors=True)


# --- command line ------------------------------------------------------------

def parse_classes(only, no):
    cl = list(CLASSES) if not only else [c.strip() for c in only.split(",")]
    if no:
        cl = [c for c in cl if c not in no.split(",")]
    for c in cl:
        if c not in CLASSES:
            sys.exit("sim.py: unknown event class %r (known: %s)" %
                     (c, ", ".join(CLASSES)))
    return cl


def template_for(binary, tmp_root):
    """The template data directory for this binary, made once."""
    st = os.stat(binary)
    name = "chopay-sim-template-%d-%d-%d" % (os.getuid(), st.st_mtime_ns,
                                             st.st_size)
    if PG is not None:  # a database of this PostgreSQL server
        name += "-pg" + hashlib.sha256(PG.encode()).hexdigest()[:12]
    where = os.path.join(tmp_root, name)
    meta_path = os.path.join(where, "sim.json")
    if not os.path.exists(meta_path):
        tmp = where + ".%d" % os.getpid()
        make_template(binary, tmp)
        try:
            os.rename(tmp, where)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
    with open(meta_path) as f:
        return where, json.load(f)


def replay_command(args, seed):
    cmd = "python3 tests/sim/sim.py --seed %d --server %s --steps %d" % (
        seed, args.server, args.steps)
    if args.only:
        cmd += " --only " + args.only
    if args.no:
        cmd += " --no " + args.no
    return cmd + " -v"


def run_one(args, seed, template, meta, classes):
    s = Sim(seed, args.server, template, meta, classes, args.steps,
            args.verbose, args.keep)
    err = s.run()
    return seed, err, s.step, s.event, s.events, s.dir


def worker(args, seeds, template, meta, classes, out):
    for seed in seeds:
        try:
            r = run_one(args, seed, template, meta, classes)
        except Exception as e:  # a crash of the simulator or the server
            r = (seed, "simulator: %s: %s" % (type(e).__name__, e), -1, "",
                 0, "")
        out.write(json.dumps(r) + "\n")
        out.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int)
    ap.add_argument("--seeds", help="A-B: a range of seeds")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--server", default=os.environ.get(
        "CHOPAY_SERVER", os.path.join(os.environ.get("CHOPAY_BUILD", "build"),
                                      "bin", "chopay-server")))
    ap.add_argument("--only", help="event classes: " + ",".join(CLASSES))
    ap.add_argument("--no", help="event classes to leave out")
    ap.add_argument("--keep", action="store_true",
                    help="keep the data directory of each run")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    classes = parse_classes(args.only, args.no)
    tmp_root = os.environ.get("TMPDIR") or (
        "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp")
    template, meta = template_for(args.server, tmp_root)
    if args.seed is not None:
        seeds = [args.seed]
    elif args.seeds:
        a, _, b = args.seeds.partition("-")
        seeds = list(range(int(a), int(b or a) + 1))
    else:
        seeds = [random.randrange(1, 1 << 30)]
    t0 = time.time()
    results = []
    if args.jobs <= 1 or len(seeds) == 1:
        for seed in seeds:
            try:
                r = run_one(args, seed, template, meta, classes)
            except Exception as e:
                r = (seed, "simulator: %s: %s" % (type(e).__name__, e), -1,
                     "", 0, "")
            results.append(r)
            report(args, r)
    else:
        import threading
        chunks = [seeds[i::args.jobs] for i in range(args.jobs)]
        outs = []
        threads = []
        for ch in chunks:
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(rfd)
                with os.fdopen(wfd, "w") as w:
                    worker(args, ch, template, meta, classes, w)
                os._exit(0)
            os.close(wfd)
            outs.append((pid, os.fdopen(rfd)))

        def reader(f):
            for line in f:
                r = tuple(json.loads(line))
                results.append(r)
                report(args, r)

        for _, f in outs:
            th = threading.Thread(target=reader, args=(f,))
            th.start()
            threads.append(th)
        for th in threads:
            th.join()
        for pid, _ in outs:
            os.waitpid(pid, 0)
    dt = max(time.time() - t0, 1e-6)
    events = sum(r[4] for r in results)
    failed = [r[0] for r in results if r[1]]
    print("sim: %d seeds in %.1fs: %.2f seeds/s, %.0f events/s; %d failed%s"
          % (len(results), dt, len(results) / dt, events / dt, len(failed),
             (": " + " ".join(map(str, failed[:50]))) if failed else ""))
    print("%d passed, %d failed" % (len(results) - len(failed), len(failed)))
    return 1 if failed else 0


def report(args, r):
    seed, err, step, event, events, d = r
    if err:
        print("FAIL seed %d at step %d: %s\n  event: %s\n  replay: %s" % (
            seed, step, err, event, replay_command(args, seed)))
        sys.stdout.flush()
    elif args.verbose:
        print("ok seed %d (%d events)" % (seed, events))


if __name__ == "__main__":
    sys.exit(main())
