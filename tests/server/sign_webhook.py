#!/usr/bin/env python3
# sign_webhook.py: signs webhook bodies as the providers do, with Python's
# hmac/hashlib/json (independent of chopay's C code), for the bank tests.
#   sign_webhook.py sepay|generic KEY TS FILE  -> hex HMAC-SHA256(KEY, TS "." body)
#   sign_webhook.py casso KEY T FILE           -> hex HMAC-SHA512(KEY, T "." canonical)
#   sign_webhook.py payos KEY FILE             -> the body with "signature" set
#   sign_webhook.py lines KEY TS FILE          -> one HMAC-SHA256(KEY, TS "." line)
#                                                 per line of FILE
import hashlib
import hmac
import json
import sys


def canon_casso(body):
    # JavaScript JSON.stringify of the body with every object's keys sorted
    obj = json.loads(body)
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def payos_query(data):
    parts = []
    for k in sorted(data):
        v = data[k]
        if v is None or v == "null":
            v = ""
        elif isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, (list, dict)):
            v = json.dumps(v, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
        parts.append("%s=%s" % (k, v))
    return "&".join(parts)


def main():
    kind, key = sys.argv[1], sys.argv[2].encode()
    if kind in ("sepay", "generic"):
        ts, body = sys.argv[3], open(sys.argv[4], "rb").read()
        print(hmac.new(key, ts.encode() + b"." + body,
                       hashlib.sha256).hexdigest())
    elif kind == "casso":
        t, body = sys.argv[3], open(sys.argv[4], "rb").read().decode()
        msg = (t + "." + canon_casso(body)).encode()
        print(hmac.new(key, msg, hashlib.sha512).hexdigest())
    elif kind == "payos":
        obj = json.loads(open(sys.argv[3], "rb").read().decode())
        q = payos_query(obj["data"]).encode()
        obj["signature"] = hmac.new(key, q, hashlib.sha256).hexdigest()
        sys.stdout.write(json.dumps(obj, ensure_ascii=False,
                                    separators=(",", ":")))
    elif kind == "lines":
        ts = sys.argv[3].encode()
        for line in open(sys.argv[4], "rb").read().split(b"\n"):
            if line:
                print(hmac.new(key, ts + b"." + line,
                               hashlib.sha256).hexdigest())
    else:
        sys.exit("unknown kind")


main()
