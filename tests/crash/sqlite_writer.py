#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The crash test's target: SQLite in WAL mode with synchronous=FULL, one row per transaction.

usage: sqlite_writer.py DB ACKFILE [ROWS]

Opens (or creates) DB, then inserts rows 1..ROWS (default 40), each in its own transaction.
After each COMMIT has returned, it appends "ack N\\n" to ACKFILE with one write(2): the
acknowledgement a client would get. ACKFILE is a regular file in the page cache, so the
acknowledgements survive a kill of this process (only a power cut could lose them).
Nothing else is written between two commits, so the calls of a commit are, in order:
the WAL frame pwrite64s, one fdatasync of the WAL, then the ack write (test_crash.py
checks this order with strace before it relies on it).
"""
import os
import sqlite3
import sys

db, ackfile = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 40

ack = os.open(ackfile, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
con = sqlite3.connect(db, isolation_level=None)  # autocommit: BEGIN/COMMIT are ours
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=FULL")
# no automatic checkpoint: the WAL's fdatasyncs are then one per commit and nothing else
con.execute("PRAGMA wal_autocheckpoint=0")
con.execute("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT NOT NULL)")
first = con.execute("SELECT coalesce(max(id), 0) FROM t").fetchone()[0] + 1
os.write(ack, b"ready\n")
for i in range(first, first + rows):
    con.execute("BEGIN IMMEDIATE")
    con.execute("INSERT INTO t(id, v) VALUES (?, ?)", (i, "row %d " % i + "x" * 100))
    con.execute("COMMIT")
    os.write(ack, b"ack %d\n" % i)
con.close()
os.close(ack)
