#!/usr/bin/env python3
"""fake_server.py: a small stand-in for chopay-server used by the kiosk
tests for what the real server cannot do yet: settle an intent as paid or
partial on command, reserve payment codes (POST /v1/kiosk/codes) and accept
offline intents that carry a reserved code. It speaks the same JSON as
chopay-server (docs/api.md) for dues, intents, cash and the directory.

usage: fake_server.py PORTFILE KEY [PORT [abs-expiry|collectors|old]]
Writes the chosen port to PORTFILE. With abs-expiry, intents carry only
an absolute expires_at (no expires_in): the kiosk must take it relative
to this server's Date header, not its own clock. With collectors, the
market has one collector, "Chị Lan", PIN 2468: cash needs her PIN
(POST /v1/kiosk/collector checks one) and GET /v1/kiosk/totals?collector=
gives her day. With old, it answers as a server from before receipts had
a public page: no `public_url`, and GET /v1/receipts/N gives the receipt's
signed `text`. Test control (no auth, loopback):
  POST /control/settle {"id": N, "status": "paid|partial|expired", "paid": A}
  GET  /control/state  -> every intent, cash record and replay count
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Condition()
STATE = {"intents": {}, "cash": {}, "codes_issued": [], "next_id": 1,
         "idem": {}, "posts": 0}
KEY = ""
ABS_EXPIRY = False
COLLECTORS = False
OLD = False
PIN, COLLECTOR = "2468", "Chị Lan"

BANK = {"bin": "970436", "name": "Ngân hàng TMCP Ngoại thương Việt Nam",
        "short_name": "Vietcombank"}
DIRECTORY = {
    "org": {"code": "CHO-TT", "kind": "market", "name": "Chợ Trung tâm",
            "account": "1023456789",
            "account_name": "BAN QUAN LY CHO TRUNG TAM", "prefix": "CT",
            "bank": BANK},
    "payers": [{"code": "A-12", "name": "Bùi Quốc Long (quần áo)"},
               {"code": "B-3", "name": "Nguyễn Thị Hoa (rau củ)"},
               # typed "B3", this code and B-3 are both meant
               {"code": "B.3", "name": "Trần Văn Hòa (cá)"}],
    "fees": [{"code": "PHI-NGAY", "label": "Phí chợ ngày", "kind": "daily",
              "category": "", "amount": 10000},
             {"code": "THUE-A", "label": "Tiền thuê sạp khu A",
              "kind": "monthly", "category": "A", "amount": 1500000},
             {"code": "THUE-B", "label": "Tiền thuê sạp khu B",
              "kind": "monthly", "category": "B", "amount": 1200000}],
}
INVOICES = {"A-12": [
    {"id": 12, "label": "Tiền thuê sạp khu A 2026-11", "period": "2026-11",
     "amount": 1500000, "paid": 0, "due": 1500000},
    {"id": 132, "label": "Phí chợ ngày 2026-11-22", "period": "2026-11-22",
     "amount": 10000, "paid": 0, "due": 10000}]}
# As chopay-server does: every payer carries its category and open invoices.
for _p in DIRECTORY["payers"]:
    _p["category"] = _p["code"].split("-")[0]
    _p["zone"] = _p["code"][0]
    _p["invoices"] = [dict(i, fee="THUE-A" if i["id"] == 12 else "PHI-NGAY")
                      for i in INVOICES.get(_p["code"], [])]


def crc16(data):
    crc = 0xFFFF
    for b in data.encode():
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return "%04X" % crc


def tlv(tag, value):
    return "%s%02d%s" % (tag, len(value), value)


def payload(amount, code):
    bene = tlv("00", BANK["bin"]) + tlv("01", "1023456789")
    s = (tlv("00", "01") + tlv("01", "12") +
         tlv("38", tlv("00", "A000000727") + tlv("01", bene) +
             tlv("02", "QRIBFTTA")) +
         tlv("53", "704") + tlv("54", str(amount)) + tlv("58", "VN") +
         tlv("62", tlv("08", code)) + "6304")
    return s + crc16(s)


def public_url(number):
    """The path of a receipt's public page, with a made-up signature."""
    sig = ("Fk" + number[-6:] + "x_Q-") * 2
    return "/r/%s?s=%s" % (number, sig[:16])


def intent_json(it):
    now = time.time()
    status = it["status"]
    if status == "pending" and now >= it["expires"]:
        status = "expired"
    out = {"id": it["id"], "code": it["code"], "status": status,
            "amount": it["amount"], "paid": it["paid"],
            "remaining": max(it["amount"] - it["paid"], 0),
            "payload": it["payload"], "bank": BANK, "account": "1023456789",
            "account_name": "BAN QUAN LY CHO TRUNG TAM",
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                        time.gmtime(it["expires"])),
            "expires_in": max(int(it["expires"] - now), 0),
            "payer": {"code": it["payer"], "name": ""}}
    if it["paid"] > 0:
        # once money has arrived: its receipt and that receipt's page
        out["receipt"] = "CHO-TT-2026-%06d" % (500 + it["id"])
        if not OLD:
            out["public_url"] = public_url(out["receipt"])
    if ABS_EXPIRY:
        del out["expires_in"]
    return out


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls
    wbufsize = 65536                # headers and body in one write

    def log_message(self, fmt, *args):
        sys.stderr.write("fake: " + fmt % args + "\n")

    def reply(self, status, obj, headers=None):
        body = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def err(self, status, code, msg):
        self.reply(status, {"error": {"code": code, "message": msg}})

    def bad_pin(self):
        self.reply(401, {"error": {
            "code": "bad_pin", "attempts_left": 4,
            "message": "Mã PIN của người thu không đúng."}})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return raw, (json.loads(raw) if raw else {})

    def authed(self):
        if self.headers.get("Authorization") != "Bearer " + KEY:
            self.err(401, "unauthorized", "bad kiosk key")
            return False
        return True

    def idem(self, raw):
        """Same key + same body: the first answer; other body: 409."""
        key = self.headers.get("Idempotency-Key")
        if not key:
            self.err(400, "idempotency_key_required", "need a key")
            return None, True
        old = STATE["idem"].get(key)
        if old:
            if old[0] != raw.decode():
                self.err(409, "idempotency_conflict", "key reused")
                return None, True
            self.reply(old[1], old[2])
            return None, True
        return key, False

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/control/state":
            with LOCK:
                return self.reply(200, {
                    "intents": [intent_json(i)
                                for i in STATE["intents"].values()],
                    "cash": list(STATE["cash"].values()),
                    "posts": STATE["posts"],
                    "codes_issued": STATE["codes_issued"]})
        if not self.authed():
            return
        if path == "/v1/kiosk/directory":
            etag = '"dir2"' if COLLECTORS else '"dir1"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            return self.reply(200, dict(DIRECTORY, collector_pins=COLLECTORS),
                              {"ETag": etag})
        if path == "/v1/kiosk/totals" and COLLECTORS:
            with LOCK:
                mine = [c["amount"] for c in STATE["cash"].values()
                        if c["collector"] == COLLECTOR]
            zero = {"count": 0, "amount": 0}
            return self.reply(200, {
                "date": time.strftime("%Y-%m-%d", time.gmtime()),
                "transfer": zero, "cash": zero,
                "collector": {"name": COLLECTOR, "cash": {
                    "count": len(mine), "amount": sum(mine)}}})
        if path.startswith("/v1/payers/") and path.endswith("/dues"):
            code = path[len("/v1/payers/"):-len("/dues")]
            if code not in [p["code"] for p in DIRECTORY["payers"]]:
                return self.err(404, "payer_not_found", "no payer")
            inv = INVOICES.get(code, [])
            return self.reply(200, {"payer": code, "name": "Bùi Quốc Long",
                                    "invoices": inv,
                                    "total_due": sum(i["due"] for i in inv)})
        if path.startswith("/v1/receipts/"):
            number = path[len("/v1/receipts/"):]
            out = {"number": number,
                   "text": "CPR1|CHO-TT|7F3A09C2|%s|A-12|CK|FAKESIG" % number}
            if not OLD:
                out["public_url"] = public_url(number)
            return self.reply(200, out)
        if path.startswith("/v1/intents/"):
            iid = int(path.split("/")[3])
            wait = 0
            for kv in query.split("&"):
                if kv.startswith("wait="):
                    wait = min(int(kv[5:]), 60)
            end = time.time() + wait
            with LOCK:
                it = STATE["intents"].get(iid)
                if not it:
                    return self.err(404, "intent_not_found", "no intent")
                while (intent_json(it)["status"] == "pending" and
                       time.time() < end):
                    LOCK.wait(max(0.0, min(end - time.time(), 0.2)))
                return self.reply(200, intent_json(it))
        self.err(404, "not_found", "no route")

    def do_POST(self):
        raw, obj = self.body()
        if self.path == "/control/settle":
            with LOCK:
                it = STATE["intents"][obj["id"]]
                it["status"] = obj["status"]
                it["paid"] = obj.get("paid", it["amount"])
                LOCK.notify_all()
            return self.reply(200, intent_json(it))
        if not self.authed():
            return
        if self.path == "/v1/kiosk/collector":
            if not COLLECTORS:
                return self.reply(200, {"collector": None})
            if obj.get("pin") != PIN:
                return self.bad_pin()
            return self.reply(200, {"collector": COLLECTOR})
        if (self.path == "/v1/cash" and COLLECTORS and
                obj.get("pin") != PIN):
            return self.bad_pin()
        with LOCK:
            STATE["posts"] += 1
            key, done = self.idem(raw)
            if done:
                return
            if self.path == "/v1/intents":
                inv = INVOICES.get(obj["payer"], [])
                ids = obj.get("invoices", "all")
                if isinstance(ids, list):
                    inv = [i for i in inv if i["id"] in ids]
                total = sum(i["due"] for i in inv)
                amount = obj.get("amount") or total
                iid = STATE["next_id"]
                STATE["next_id"] += 1
                code = obj.get("code") or "CT%08dX" % iid
                it = {"id": iid, "code": code, "status": "pending",
                      "amount": amount, "paid": 0, "payer": obj["payer"],
                      "payload": payload(amount, code),
                      "expires": time.time() + 900,
                      "offline": "code" in obj}
                STATE["intents"][iid] = it
                status, out = 201, intent_json(it)
            elif self.path == "/v1/cash":
                cid = len(STATE["cash"]) + 1
                rec = {"payment": cid, "payer": obj["payer"],
                       "amount": obj["amount"], "key": key,
                       "collector": (COLLECTOR if COLLECTORS
                                     else obj.get("collector")),
                       "receipt": "CHO-TT-2026-%06d" % cid}
                if not OLD:
                    rec["public_url"] = public_url(rec["receipt"])
                STATE["cash"][key] = rec
                status, out = 201, rec
            elif self.path == "/v1/kiosk/codes":
                n = min(int(obj.get("count", 10)), 100)
                base = len(STATE["codes_issued"])
                codes = ["CTOFF%05d" % (base + i) for i in range(n)]
                STATE["codes_issued"] += codes
                status, out = 201, {"codes": codes}
            elif self.path.endswith("/cancel"):
                iid = int(self.path.split("/")[3])
                it = STATE["intents"][iid]
                it["status"] = "cancelled"
                LOCK.notify_all()
                status, out = 200, intent_json(it)
            else:
                return self.err(404, "not_found", "no route")
            STATE["idem"][key] = (raw.decode(), status, out)
        self.reply(status, out)


def main():
    global KEY, ABS_EXPIRY, COLLECTORS, OLD
    port_file, KEY = sys.argv[1], sys.argv[2]
    port = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    ABS_EXPIRY = len(sys.argv) > 4 and sys.argv[4] == "abs-expiry"
    COLLECTORS = len(sys.argv) > 4 and sys.argv[4] == "collectors"
    OLD = len(sys.argv) > 4 and sys.argv[4] == "old"
    srv = ThreadingHTTPServer(("127.0.0.1", port), H)
    srv.daemon_threads = True
    with open(port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
