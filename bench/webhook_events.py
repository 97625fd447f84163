#!/usr/bin/env python3
"""Writes N distinct, signed `checkout.session.completed` events (one per pending order)
for wrk to replay, as Stripe would sign them: HMAC-SHA256 of "{t}.{body}".

usage: webhook_events.py N SECRET BRAND_ID CURRENCY OUT_EVENTS OUT_SQL
  OUT_SQL creates the N pending orders the events pay.
"""
import hashlib
import hmac
import json
import sys
import time
import uuid

n, secret, brand, currency, out_events, out_sql = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
t = int(time.time())
orders = []
with open(out_events, "w", encoding="utf-8") as f:
    for i in range(n):
        order_id, session_id = str(uuid.uuid4()), f"cs_bench_{uuid.uuid4().hex}"
        orders.append((order_id, session_id))
        event = {
            "id": f"evt_bench_{uuid.uuid4().hex}", "object": "event", "api_version": "2024-06-20",
            "created": t, "livemode": False, "type": "checkout.session.completed",
            "data": {"object": {
                "id": session_id, "object": "checkout.session", "mode": "payment",
                "payment_status": "paid", "amount_total": 1000, "currency": currency.lower(),
                "payment_intent": f"pi_bench_{uuid.uuid4().hex}",
                "metadata": {"order_id": order_id, "brand_id": brand}}},
        }
        body = json.dumps(event, separators=(",", ":"))
        sig = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
        f.write(f"t={t},v1={sig}\t{body}\n")
with open(out_sql, "w", encoding="utf-8") as f:
    # the session id is stored as checkout stores it: events find orders by it
    f.write("insert into public.orders (id, brand_id, email, currency, total_amount, stripe_checkout_session_id) values\n")
    f.write(",\n".join(f"('{o}', '{brand}', 'bench@example.com', '{currency}', 1000, '{s}')" for o, s in orders))
    f.write(";\n")
