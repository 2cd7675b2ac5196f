#!/usr/bin/env python3
"""Booking load for the failover test: CLIENTS threads post bookings through the
proxy for SECONDS, each with its own Idempotency-Key, retrying the same body and
key after a 502/503/504 or a dropped connection until a 201 or a final answer.
Writes one line per acknowledged booking (reference, time of the 201) to OUT and
prints the longest stretch without a 201 while the load ran.

usage: load.py URL CLIENTS SECONDS OUT
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
import uuid

url, clients, seconds, out_path = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
u = urllib.parse.urlsplit(url)
APPLICANT = {"birth_date": "1980-02-10", "card": {"issued_on": "2022-03-01"},
             "certificates": {"issued_on": "2022-03-01"}}
# Weekdays 2026-12-02 .. 2027-01-29 (no holidays or year-end days in the list),
# 08:30-16:45 every 15 minutes: capacity is ample, so every booking can succeed.
DAYS = []
d = time.strptime("2026-12-02", "%Y-%m-%d")
t0 = time.mktime(d)
for i in range(0, 60):
    tm = time.localtime(t0 + i * 86400 + 3600)
    day = time.strftime("%Y-%m-%d", tm)
    if tm.tm_wday < 5 and not ("2026-12-29" <= day <= "2027-01-03") and day not in ("2027-01-11",):
        DAYS.append(day)
SLOTS = ["%02d:%02d" % (8 + (30 + 15 * k) // 60, (30 + 15 * k) % 60) for k in range(33)]

lock = threading.Lock()
acked = []          # (reference, monotonic time of the 201)
answers = {}        # status -> count, every attempt
final_other = []    # requests that ended without a 201
stop_at = time.monotonic() + seconds
give_up_after = 120.0   # a request keeps retrying this long after the load ends


def count(status):
    with lock:
        answers[status] = answers.get(status, 0) + 1


def book(conn_box, body, key):
    """Posts until a final answer; returns (status, reference or None)."""
    deadline = stop_at + give_up_after
    while time.monotonic() < deadline:
        try:
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
            c = conn_box[0]
            c.request("POST", "/v1/bookings", body=body, headers={
                "Content-Type": "application/json", "Idempotency-Key": key})
            r = c.getresponse()
            data = r.read()
            count(r.status)
            if r.getheader("Connection", "").lower() == "close":
                c.close()
                conn_box[0] = None
            if r.status == 201:
                return 201, json.loads(data)["reference"]
            if r.status in (502, 503, 504, 409) and (r.status != 409 or
                    b"idempotency_conflict" in data):
                time.sleep(0.05)
                continue
            return r.status, data.decode("utf-8", "replace")[:200]
        except (OSError, http.client.HTTPException):
            count("conn")
            if conn_box[0] is not None:
                conn_box[0].close()
            conn_box[0] = None
            time.sleep(0.05)
    return "timeout", None


def worker(n):
    rnd = random.Random(n)
    conn_box = [None]
    i = 0
    while time.monotonic() < stop_at:
        i += 1
        start = "%sT%s:00+09:00" % (rnd.choice(DAYS), rnd.choice(SLOTS))
        body = json.dumps({"office": "ha-main", "service": "ecert_renewal", "start": start,
                           "language": "en", "applicant": APPLICANT,
                           "contact": {"name": "ha %d %d" % (n, i),
                                       "email": "ha%d.%d@example.jp" % (n, i)}})
        status, ref = book(conn_box, body, str(uuid.uuid4()))
        with lock:
            if status == 201:
                acked.append((ref, time.monotonic()))
            else:
                final_other.append((status, ref))


began = time.monotonic()
threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
times = sorted([began] + [t for _, t in acked] + [min(stop_at, time.monotonic())])
gap = max(b - a for a, b in zip(times, times[1:]))
with open(out_path, "w") as f:
    for ref, t in acked:
        f.write("%s %.3f\n" % (ref, t - began))
print("load: %d acknowledged, %d ended otherwise, longest stretch without a 201: %.2f s"
      % (len(acked), len(final_other), gap))
print("load: attempts by answer: %s" % json.dumps(answers, sort_keys=True))
for s, detail in final_other[:5]:
    print("load: ended with %s: %s" % (s, detail))
sys.exit(0 if not final_other else 1)
