#!/usr/bin/env python3
"""Edge sync benchmark: push batches of 500 records and pull pages of 500, through the
worker (mTLS fields in MF-CF-Blob, as Cloudflare would set them) and, as the baseline in
the same run, the same database functions called on PostgREST directly with a service
token. Each batch is distinct (fresh mutation ids): 400 new customers, 50 new employees
and 50 stock deltas spread over a few variants, so concurrent batches contend on stock
rows as tills do. Prints "label records_per_s p50_ms p99_ms errors" lines.

usage: sync_bench.py WORKER_URL DEV_WORKER_URL POSTGREST_URL STATE_DIR BRAND_ID BATCHES CONNECTIONS
(STATE_DIR: the stack's state folder, whose database key signs the service token)
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

WORKER, DEV_WORKER, POSTGREST, STATE_DIR, BRAND = sys.argv[1:6]
BATCHES, CONNS = int(sys.argv[6]), int(sys.argv[7])
PER_BATCH = 500


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from db_token import db_token  # noqa: E402  (signs as the worker does: ES256, the stack's key)

TOKEN = db_token(STATE_DIR, {"role": "service_role"})


def call(base, method, path, headers, body=None):
    u = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def staff_token():
    """The admin API takes staff sessions only: Acme's development admin signs in."""
    st, data = call(DEV_WORKER, "POST", "/api/v1/auth/login", {"Host": "acme.localhost", "Content-Type": "application/json"},
                    json.dumps({"email": "admin@acme.localhost", "password": "Shoal-dev-2026!"}))
    assert st == 200, data
    return json.loads(data)["access_token"]


def activate(staff):
    """A device created through the admin API and activated with a real P-256 request."""
    st, data = call(DEV_WORKER, "POST", "/api/v1/admin/devices",
                    {"Host": "acme.localhost", "Authorization": f"Bearer {staff}", "Content-Type": "application/json"},
                    json.dumps({"name": "Bench till"}))
    assert st == 201, data
    device = json.loads(data)
    hw = "HW-BENCH-" + uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as d:
        csr = subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                              "-keyout", os.path.join(d, "k"), "-subj", f"/CN={hw}"], capture_output=True, check=True).stdout.decode()
    st, data = call(DEV_WORKER, "POST", "/edge/v1/activate", {"Host": "edge.localhost", "Content-Type": "application/json"},
                    json.dumps({"activation_code": device["activation_code"], "hardware_id": hw, "csr": csr}))
    assert st == 201, data
    return device["id"], json.loads(data)["fingerprint_sha256"]


def variants():
    st, data = call(POSTGREST, "GET", f"/inventory_levels?select=variant_id&brand_id=eq.{BRAND}&limit=10",
                    {"Authorization": f"Bearer {TOKEN}"})
    assert st == 200, data
    return [v["variant_id"] for v in json.loads(data)]


def batch(stock):
    recs = []
    for i in range(PER_BATCH):
        rec = {"mutation_id": str(uuid.uuid4()), "id": str(uuid.uuid4()), "base_version": None}
        if i < 400:
            rec.update(resource="customers", op="upsert", data={"name": f"Bench customer {i}", "email": f"c{i}@example.com"})
        elif i < 450:
            rec.update(resource="employees", op="upsert", data={"name": f"Bench clerk {i}", "role": "cashier"})
        else:
            rec.update(resource="inventory_levels", op="delta", id=stock[i % len(stock)], data={"delta": 1})
        recs.append(rec)
    return recs


def run(label, send):
    """CONNECTIONS threads share BATCHES batches; each batch is one request."""
    bodies = [batch(STOCK) for _ in range(BATCHES)]
    latencies, errors, lock = [], [0], threading.Lock()

    def worker(mine):
        for b in mine:
            t0 = time.perf_counter()
            ok = send(b)
            dt = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(dt)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=worker, args=(bodies[i::CONNS],)) for i in range(CONNS)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    pct = lambda p: latencies[min(len(latencies) - 1, int(len(latencies) * p))]
    print(f"{label} {BATCHES * PER_BATCH / wall:.0f} {pct(0.5):.1f} {pct(0.99):.1f} {errors[0]}", flush=True)


def push_worker(recs):
    st, data = call(WORKER, "POST", "/edge/v1/sync/push", {"Host": "edge.localhost", "MF-CF-Blob": next_blob(),
                    "Content-Type": "application/json"}, json.dumps({"records": recs}))
    return st == 200 and json.loads(data)["summary"]["applied"] == PER_BATCH


def push_postgrest(recs):
    st, data = call(POSTGREST, "POST", "/rpc/edge_sync_push", {"Authorization": f"Bearer {DEVICE_TOKEN}", "Content-Type": "application/json"},
                    json.dumps({"p_records": recs}))
    return st == 200 and all(r["status"] == "applied" for r in json.loads(data)["results"])


def pull(label, page):
    """Pages of 500 from the start of the brand's feed to its end, one connection."""
    t0, total, n, cursor, lat = time.perf_counter(), 0, 0, None, []
    while True:
        t = time.perf_counter()
        changes, cursor, more = page(cursor)
        lat.append((time.perf_counter() - t) * 1000)
        total += changes
        n += 1
        if not more:
            break
    lat.sort()
    print(f"{label} {total / (time.perf_counter() - t0):.0f} {lat[len(lat) // 2]:.1f} {lat[min(len(lat) - 1, int(len(lat) * 0.99))]:.1f} 0 {total}", flush=True)


def page_worker(cursor):
    q = "limit=500" + (f"&cursor={cursor}" if cursor else "")
    st, data = call(WORKER, "GET", f"/edge/v1/sync/pull?{q}", {"Host": "edge.localhost", "MF-CF-Blob": next_blob()})
    assert st == 200, data
    p = json.loads(data)
    return len(p["changes"]), p["cursor"], p["has_more"]


def page_postgrest(cursor):
    st, data = call(POSTGREST, "POST", "/rpc/edge_sync_pull", {"Authorization": f"Bearer {DEVICE_TOKEN}", "Content-Type": "application/json"},
                    json.dumps({"p_since": cursor or 0, "p_limit": 500}))
    assert st == 200, data
    p = json.loads(data)
    return len(p["changes"]), p["next"], p["has_more"]


# A device may make 100 requests a minute (docs/auth.md): the worker path takes turns among
# enough devices of the brand for the run's pushes (BATCHES + a warm-up) and pulls (about
# two pages per batch: both paths push), as a shop's tills would share the load.
STAFF = staff_token()
DEVICES = [activate(STAFF) for _ in range(max(1, -(-(3 * BATCHES + 20) // 80)))]
DEVICE = DEVICES[0][0]
# the direct baseline calls the same functions as the worker does: as the device itself
DEVICE_TOKEN = db_token(STATE_DIR, {"role": "authenticated", "app_role": "device", "device_id": DEVICE, "brand_id": BRAND})
BLOBS = [json.dumps({"clientAcceptEncoding": "", "tlsClientAuth": {"certPresented": "1", "certVerified": "SUCCESS",
                     "certRevoked": "0", "certFingerprintSHA256": fp}}) for _, fp in DEVICES]
TURN, TURN_LOCK = [0], threading.Lock()


def next_blob():
    with TURN_LOCK:
        TURN[0] += 1
        return BLOBS[TURN[0] % len(BLOBS)]

STOCK = variants()
# warm both paths (isolate start, connection pools), then measure
assert push_worker(batch(STOCK)) and push_postgrest(batch(STOCK)), "a warm-up push was not applied"
run("push_worker", push_worker)
run("push_postgrest", push_postgrest)
pull("pull_worker", page_worker)
pull("pull_postgrest", page_postgrest)
