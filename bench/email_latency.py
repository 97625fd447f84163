#!/usr/bin/env python3
"""Email latency: the time from a sign-up request to its verification code at the email
API stand-in, over N sign-ups one after another (each from a client IP of its own: sign-up
is limited per IP). The arrival time is the stand-in's own journal timestamp (`at`), on
the same clock as the request's start, so polling the journal adds nothing to the figure.
No cron run is involved: the worker sends the code right after the sign-up's transaction.
Prints "label p50_ms p99_ms max_ms delivered errors".

usage: email_latency.py WORKER_URL EMAIL_API_URL N
"""
import http.client
import json
import sys
import time
import urllib.parse
import uuid

WORKER, EMAIL_API, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
DEADLINE_S = 30


def call(base, method, path, headers=None, body=None):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def arrivals():
    """recipient -> time the email API accepted a message for it"""
    status, data = call(EMAIL_API, "GET", "/__requests")
    seen = {}
    for e in json.loads(data).get("data", []) if status == 200 else []:
        if e.get("path") != "/emails" or e.get("status") != 200:
            continue
        try:
            msg = json.loads(e.get("body") or "{}")
        except ValueError:
            continue
        for to in msg.get("to") or []:
            seen.setdefault(to, e["at"])
    return seen


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def main():
    run = uuid.uuid4().hex[:8]
    latencies, errors = [], 0
    for i in range(N):
        slug = f"mail{run}{i}"
        email = f"{slug}@example.com"
        body = json.dumps({"brand_name": "Bench Shop", "slug": slug, "email": email, "password": "Bench-Pass-2026"})
        headers = {"Host": "localhost", "Content-Type": "application/json",
                   "CF-Connecting-IP": f"fd00:beef:{i // 65536:x}:{i % 65536:x}::1"}
        started = time.time()
        status, data = call(WORKER, "POST", "/api/v1/auth/signup", headers, body)
        if status != 201:
            errors += 1
            print(f"sign-up {i}: {status} {data[:200]!r}", file=sys.stderr)
            continue
        while True:
            at = arrivals().get(email)
            if at is not None:
                latencies.append((at - started) * 1000)
                break
            if time.time() - started > DEADLINE_S:
                errors += 1
                print(f"sign-up {i}: no code at the email API within {DEADLINE_S} s", file=sys.stderr)
                break
            time.sleep(0.02)
    latencies.sort()
    print(f"signup_to_code {percentile(latencies, 50):.1f} {percentile(latencies, 99):.1f} "
          f"{(latencies[-1] if latencies else float('nan')):.1f} {len(latencies)} {errors}")


if __name__ == "__main__":
    main()
