#!/usr/bin/env python3
"""commit_ref.py DIR [SECONDS]: the single-commit reference of the webhook
benchmark. Python's sqlite3 in WAL mode with synchronous=FULL commits one
300-byte row per transaction in DIR for SECONDS (2 unless given) and
prints the commits per second it reached."""
import os
import sqlite3
import sys
import time

d = sys.argv[1]
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
path = os.path.join(d, "commit_ref.db")
con = sqlite3.connect(path, isolation_level=None)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=FULL")
con.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB)")
row = os.urandom(300)
n = 0
t0 = time.monotonic()
while time.monotonic() - t0 < secs:
    con.execute("BEGIN")
    con.execute("INSERT INTO t (v) VALUES (?)", (row,))
    con.execute("COMMIT")
    n += 1
elapsed = time.monotonic() - t0
con.close()
for suffix in ("", "-wal", "-shm"):
    try:
        os.unlink(path + suffix)
    except FileNotFoundError:
        pass
print("%.1f" % (n / elapsed))
