#!/usr/bin/env python3
"""history.py CREDS ADDR SERVER DATA FAKETIME_LIB DAYS_BACK TRANSFERS CASH

Payments of one earlier day for the dashboard test, made the way a
market makes them: while chopay-server runs with its clock DAYS_BACK days
behind (libfaketime), TRANSFERS payments through the kiosk API (an intent,
then the bank's notification from `chopay-server simulate transfer`,
under the same clock) and CASH cash records (POST /v1/cash), for stalls
of zones B and C, each less than the stall owes (no credit); and stall
D-1 pays in cash all it owes that day, so that it owes only this month's
rent later (the test's statement over-pays it). Prints the stalls and
amounts paid, one "CODE METHOD AMOUNT" a line.
"""
import json
import os
import subprocess
import sys
import urllib.request

PAYERS = ["B-5", "B-6", "B-7", "B-8", "C-5", "C-6", "C-7", "C-8"]


def main():
    creds, addr, server, data, ft, back, transfers, cash = sys.argv[1:9]
    back, transfers, cash = int(back), int(transfers), int(cash)
    kiosk = json.load(open(creds))["kiosks"]["CHO-TT"]

    def call(method, path, body=None, key=None):
        headers = {"Authorization": "Bearer " + kiosk}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        q = urllib.request.Request(
            "http://" + addr + path, method=method, headers=headers,
            data=None if body is None else json.dumps(body).encode())
        return json.load(urllib.request.urlopen(q, timeout=60))

    env = dict(os.environ, LD_PRELOAD=ft, FAKETIME="-%dd" % back,
               FAKETIME_DONT_FAKE_MONOTONIC="1",
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") +
               ":verify_asan_link_order=0")
    for k in range(transfers + cash):
        payer = PAYERS[k % len(PAYERS)]
        amount = 150000 + 10000 * k
        key = "lich-su-%d-%d" % (back, k)
        if k < transfers:
            i = call("POST", "/v1/intents", {"payer": payer, "amount": amount},
                     key)
            subprocess.run([server, "simulate", "transfer", "--data-dir", data,
                            "--org", "CHO-TT", "--code", i["code"],
                            "--amount", str(amount), "--via", "sepay"],
                           env=env, check=True, stdout=subprocess.DEVNULL)
            got = call("GET", "/v1/intents/%d?wait=30" % i["id"])
            if got["status"] != "paid":
                sys.exit("intent %d of %s: %s" % (i["id"], payer,
                                                 got["status"]))
            print(payer, "transfer", amount)
        else:
            call("POST", "/v1/cash", {"payer": payer, "amount": amount,
                                      "collector": "Chị Hoa"}, key)
            print(payer, "cash", amount)
    due = call("GET", "/v1/payers/D-1/dues")["total_due"]
    if due > 0:
        call("POST", "/v1/cash", {"payer": "D-1", "amount": due,
                                  "collector": "Chị Hoa"},
             "lich-su-%d-d1" % back)
        print("D-1", "cash", due)


if __name__ == "__main__":
    main()
