#!/usr/bin/env python3
"""Local stand-in for the Stripe API (https://api.stripe.com), wire-compatible for what
Shoal calls: form-encoded bodies with bracketed keys, Bearer secret key, JSON answers,
Stripe-shaped errors, and Idempotency-Key replay (same key → the first response again;
same key with different parameters → 400 idempotency_error, as Stripe does).

Test controls (not part of Stripe's API): POST /__fail {"path": "/v1/...", "status": 500,
"times": 1} makes the next calls to that path fail; GET/DELETE /__requests reads/clears
the journal.

usage: stripe_api.py PORT JOURNAL_PATH
"""
import json
import secrets
import sys
import threading
import time
from urllib.parse import parse_qsl

from common import RecordingHandler, serve

LOCK = threading.Lock()
IDEMPOTENCY = {}  # key -> (params, status, body)
FAILURES = {}  # path -> [status, remaining]
OBJECTS = {}  # id -> object


def stripe_error(status, etype, message, code=None):
    err = {"type": etype, "message": message}
    if code:
        err["code"] = code
    return status, {"error": err}, {}


def parse_form(raw):
    """Stripe's bracket notation → nested dicts/lists: a[b][0][c]=1."""
    out = {}
    for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = out
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt_is_index = not last and parts[i + 1].isdigit()
            if isinstance(node, list):
                idx = int(part)
                while len(node) <= idx:
                    node.append(None)
                if last:
                    node[idx] = value
                else:
                    if node[idx] is None:
                        node[idx] = [] if nxt_is_index else {}
                    node = node[idx]
            else:
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, [] if nxt_is_index else {})
    return out


def new_id(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


def create_checkout_session(params, base_url):
    sid = new_id("cs_test")
    amount = 0
    for item in params.get("line_items") or []:
        pd = (item or {}).get("price_data") or {}
        amount += int(pd.get("unit_amount") or 0) * int((item or {}).get("quantity") or 1)
    session = {
        "id": sid,
        "object": "checkout.session",
        "mode": params.get("mode", "payment"),
        "customer": params.get("customer"),
        "status": "open",
        "payment_status": "unpaid",
        "currency": (params.get("currency") or "usd").lower(),
        "amount_total": amount,
        "client_reference_id": params.get("client_reference_id"),
        "metadata": params.get("metadata") or {},
        "success_url": params.get("success_url"),
        "cancel_url": params.get("cancel_url"),
        "url": f"{base_url}/checkout/{sid}",
        "created": int(time.time()),
        "livemode": False,
    }
    OBJECTS[sid] = session
    return 200, session


def create_refund(params):
    rid = new_id("re")
    amount = int(params.get("amount") or 0)
    refund = {
        "id": rid,
        "object": "refund",
        "amount": amount,
        "currency": params.get("currency", "usd"),
        "payment_intent": params.get("payment_intent"),
        "charge": params.get("charge"),
        "reason": params.get("reason"),
        "metadata": params.get("metadata") or {},
        "status": "succeeded",
        "created": int(time.time()),
    }
    if not (refund["payment_intent"] or refund["charge"]):
        return stripe_error(400, "invalid_request_error", "One of `charge` or `payment_intent` is required.", "parameter_missing")[:2]
    OBJECTS[rid] = refund
    return 200, refund


def create_portal_session(params, base_url):
    if not params.get("customer"):
        return stripe_error(400, "invalid_request_error", "Missing required param: customer.", "parameter_missing")[:2]
    sid = new_id("bps")
    session = {
        "id": sid,
        "object": "billing_portal.session",
        "customer": params["customer"],
        "return_url": params.get("return_url"),
        "url": f"{base_url}/p/session/{sid}",
        "created": int(time.time()),
        "livemode": False,
    }
    return 200, session


class StripeHandler(RecordingHandler):
    def handle_api(self, method, path, query, headers, raw):
        if method == "POST" and path == "/__fail":
            spec = json.loads(raw or b"{}")
            with LOCK:
                FAILURES[spec["path"]] = [int(spec.get("status", 500)), int(spec.get("times", 1))]
            return 200, {"ok": True}, {}
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer sk_"):
            return stripe_error(401, "invalid_request_error", "Invalid API Key provided.")
        with LOCK:
            fail = FAILURES.get(path)
            if fail and fail[1] > 0:
                fail[1] -= 1
                return stripe_error(fail[0], "api_error", "Injected failure from the local stand-in.")
        ctype = headers.get("Content-Type", "")
        if method == "POST" and raw and not ctype.startswith("application/x-www-form-urlencoded"):
            return stripe_error(400, "invalid_request_error", "Request bodies must be form-encoded.")
        params = parse_form(raw) if raw else {}
        key = headers.get("Idempotency-Key")
        if method == "POST" and key:
            with LOCK:
                seen = IDEMPOTENCY.get(key)
            if seen:
                if seen[0] != params:
                    return stripe_error(400, "idempotency_error",
                                        "Keys for idempotent requests can only be used with the same parameters they were first used with.")
                return seen[1], seen[2], {"Idempotent-Replayed": "true"}
        base_url = f"http://{headers.get('Host', '127.0.0.1')}"
        if method == "POST" and path == "/v1/checkout/sessions":
            status, body = create_checkout_session(params, base_url)
        elif method == "POST" and path == "/v1/refunds":
            status, body = create_refund(params)
        elif method == "POST" and path == "/v1/billing_portal/sessions":
            status, body = create_portal_session(params, base_url)
        elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
            obj = OBJECTS.get(path.rsplit("/", 1)[1])
            if not obj:
                return stripe_error(404, "invalid_request_error", "No such checkout.session", "resource_missing")
            status, body = 200, obj
        else:
            return stripe_error(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")
        if method == "POST" and key:
            with LOCK:
                IDEMPOTENCY[key] = (params, status, body)
        return status, body, {"Request-Id": new_id("req")}


if __name__ == "__main__":
    serve(StripeHandler, int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
