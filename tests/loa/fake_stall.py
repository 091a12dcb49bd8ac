#!/usr/bin/env python3
"""fake_stall.py PLAN PORTFILE LOG: a stand-in for the server's
GET /v1/stall/announcements for chopay-loa's test.

PLAN is a JSON list, one entry per request in order (the last one repeats):
  {"status": 503}                       an error reply
  {"items": [[id, amount, age_s, fmt]]} a 200 with these announcements,
      "at" = now - age_s, as unix seconds (fmt "unix") or RFC 3339 ("rfc")
      ; an item [id, "bad"] is sent with a malformed amount
  {"sleep": S, ...}                     wait S seconds before answering
Every request is logged to LOG as "after=A wait=W auth=HEADER". The port
it listens on (loopback, chosen by the system) goes to PORTFILE.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

plan = json.load(open(sys.argv[1]))
count = 0
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        global count
        url = urlparse(self.path)
        q = parse_qs(url.query)
        with lock:
            step = plan[min(count, len(plan) - 1)]
            count += 1
            with open(sys.argv[3], "a") as log:
                log.write("after=%s wait=%s auth=%s\n" % (
                    q.get("after", ["-"])[0], q.get("wait", ["-"])[0],
                    self.headers.get("Authorization", "-")))
        if url.path != "/v1/stall/announcements":
            step = {"status": 404}
        time.sleep(step.get("sleep", 0))
        status = step.get("status", 200)
        if status != 200:
            body = {"error": {"code": "unavailable", "message": "fake"}}
        else:
            now = time.time()
            items = []
            for it in step.get("items", []):
                if it[1] == "bad":
                    items.append({"id": it[0], "amount": "12.000",
                                  "at": int(now), "words": "x"})
                    continue
                at = int(now - it[2])
                if it[3] == "rfc":
                    at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
                items.append({"id": it[0], "amount": it[1], "at": at,
                              "words": "server words are not spoken"})
            body = {"announcements": items}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
