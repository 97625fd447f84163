#!/usr/bin/env python3
"""Local stand-in for the Stripe API (https://api.stripe.com), wire-compatible for what
Shoal calls: form-encoded bodies with bracketed keys, Bearer secret key, JSON answers,
Stripe-shaped errors, and Idempotency-Key replay (same key → the first response again;
same key with different parameters → 400 idempotency_error, as Stripe does).

Test controls (not part of Stripe's API): POST /__fail {"path": "/v1/...", "status": 500,
"times": 1} makes the next calls to that path fail; GET/DELETE /__requests reads/clears
the journal; POST /__accounts/{id} {"charges_enabled": …, "requirements": {…}} changes a
connected account and sends its `account.updated`, as Stripe does when it reviews one.

Connect onboarding: an Account Link's url is a hosted page here (/setup/{token}) whose
"Complete" button fills the account in, enables charges and payouts, sends
`account.updated` from that account and redirects to the link's return_url; a used or
expired link redirects to its refresh_url, as Stripe's does.

Refunds: for a payment intent of its own Checkout Sessions the stand-in knows the charge
(no amount refunds what is left; more than what is left, or a charge refunded in full, is
refused with Stripe's error); other payment intents are refunded as asked.

Plan prices: SHOAL_STRIPE_PRICES (plan:price,… as the worker's STRIPE_PRICES) are the
prices that exist; a Checkout Session for another price is refused as Stripe refuses it.

usage: stripe_api.py PORT JOURNAL_PATH
"""
import hashlib
import hmac
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
import urllib.request
from urllib.parse import parse_qsl

from common import RecordingHandler, serve

LOCK = threading.Lock()
IDEMPOTENCY = {}  # key -> (params, status, body)
FAILURES = {}  # path -> [status, remaining]
OBJECTS = {}  # id -> object
REFUNDED = {}  # payment intent of a known Checkout Session -> amount refunded so far


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


# checkout session id → the connected account it was created on (Stripe-Account header)
ACCOUNTS = {}
# account link token → {"account", "return_url", "refresh_url", "expires_at", "used"}
LINKS = {}
PRICES = {pair.split(":", 1)[1].strip() for pair in (os.environ.get("SHOAL_STRIPE_PRICES") or "").split(",") if ":" in pair}


def new_id(prefix):
    return f"{prefix}_{secrets.token_hex(12)}"


def create_checkout_session(params, base_url):
    now = int(time.time())
    expires_at = int(params.get("expires_at") or now + 24 * 3600)
    # Stripe: "must be between 30 minutes and 24 hours after the current time"
    if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
        return stripe_error(400, "invalid_request_error",
                            "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.",
                            "parameter_invalid_integer")[:2]
    for item in params.get("line_items") or []:
        price = (item or {}).get("price")
        if price and PRICES and price not in PRICES:
            return stripe_error(400, "invalid_request_error", f"No such price: '{price}'", "resource_missing")[:2]
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
        "payment_intent": new_id("pi") if params.get("mode", "payment") == "payment" else None,
        "payment_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata") or {},
        "success_url": params.get("success_url"),
        "cancel_url": params.get("cancel_url"),
        "url": f"{base_url}/checkout/{sid}",
        "created": now,
        "expires_at": expires_at,
        "livemode": False,
    }
    OBJECTS[sid] = session
    return 200, session


def create_customer(params):
    cid = new_id("cus")
    customer = {"id": cid, "object": "customer", "name": params.get("name"), "email": params.get("email"),
                "metadata": params.get("metadata") or {}, "created": int(time.time()), "livemode": False}
    OBJECTS[cid] = customer
    return 200, customer


def create_account(params):
    """POST /v1/accounts: a connected account that still has everything to give (what a
    new account with controller properties and requested capabilities looks like)."""
    aid = "acct_1" + secrets.token_hex(8).upper()
    account = {"id": aid, "object": "account", "controller": params.get("controller") or {"type": "application"},
               "capabilities": {k: "inactive" for k in (params.get("capabilities") or {})},
               "business_profile": params.get("business_profile") or {}, "default_currency": params.get("default_currency"),
               "metadata": params.get("metadata") or {}, "charges_enabled": False, "payouts_enabled": False,
               "details_submitted": False, "created": int(time.time()), "livemode": False,
               "requirements": {"currently_due": ["business_profile.url", "external_account", "tos_acceptance.date"],
                                "eventually_due": [], "past_due": [], "disabled_reason": "requirements.past_due"}}
    OBJECTS[aid] = account
    return 200, account


def create_account_link(params, base_url):
    account = OBJECTS.get(params.get("account") or "")
    if not account or account.get("object") != "account":
        return stripe_error(400, "invalid_request_error", f"No such account: '{params.get('account')}'", "resource_missing")[:2]
    if params.get("type") not in ("account_onboarding", "account_update"):
        return stripe_error(400, "invalid_request_error", "Invalid type: must be one of account_onboarding or account_update", "parameter_invalid_string")[:2]
    for field in ("refresh_url", "return_url"):
        if not (params.get(field) or "").startswith(("http://", "https://")):
            return stripe_error(400, "invalid_request_error", f"Missing required param: {field}.", "parameter_missing")[:2]
    token = secrets.token_hex(12)
    now = int(time.time())
    LINKS[token] = {"account": account["id"], "return_url": params["return_url"], "refresh_url": params["refresh_url"],
                    "expires_at": now + 300, "used": False}
    return 200, {"object": "account_link", "created": now, "expires_at": now + 300, "url": f"{base_url}/setup/{token}"}


def update_account(account, changes):
    """Applies a review's outcome to an account and sends its account.updated."""
    for key in ("charges_enabled", "payouts_enabled", "details_submitted"):
        if key in changes:
            account[key] = bool(changes[key])
    if "requirements" in changes:
        account["requirements"] = {**account.get("requirements", {}), **(changes["requirements"] or {})}
    send_event("account.updated", dict(account), account["id"])


def expire_checkout_session(sid):
    """POST /v1/checkout/sessions/{id}/expire: only an open session can be expired; it
    then answers the session with status "expired" (and `url` null, as Stripe does).
    Stripe also sends checkout.session.expired; the stand-in does not (the worker has
    already released the order when it asks)."""
    with LOCK:
        session = OBJECTS.get(sid)
        if not session or session.get("object") != "checkout.session":
            return stripe_error(404, "invalid_request_error", f"No such checkout.session: '{sid}'", "resource_missing")[:2]
        if session["status"] != "open":
            return stripe_error(400, "invalid_request_error",
                                f"Only Checkout Sessions with a status in [\"open\"] can be expired. "
                                f"This Checkout Session has a status of `{session['status']}`.")[:2]
        session.update(status="expired", url=None)
        return 200, dict(session)


def payment_of(intent):
    """The Checkout Session whose payment intent this is (what the stand-in knows of a charge)."""
    return next((o for o in OBJECTS.values() if o.get("object") == "checkout.session" and o.get("payment_intent") == intent), None)


def money(amount, currency):
    return f"{'$' if currency == 'usd' else currency.upper() + ' '}{amount / 100:.2f}"


def create_refund(params):
    """POST /v1/refunds. For a payment intent of one of its own Checkout Sessions the
    stand-in knows the charge: no amount refunds what is left, more than what is left is
    refused as Stripe refuses it, and the refund takes the charge's currency. Any other
    payment intent or charge (tests' made-up ones) is refunded as asked."""
    rid = new_id("re")
    session = payment_of(params.get("payment_intent")) if params.get("payment_intent") else None
    if session is not None:
        currency = session.get("currency") or "usd"
        left = int(session.get("amount_total") or 0) - REFUNDED.get(params["payment_intent"], 0)
        if left <= 0:
            return stripe_error(400, "invalid_request_error", f"Charge for {params['payment_intent']} has already been refunded.",
                                "charge_already_refunded")[:2]
        amount = int(params.get("amount") or left)
        if amount > left:
            return stripe_error(400, "invalid_request_error",
                                f"Refund amount ({money(amount, currency)}) is greater than unrefunded amount on charge ({money(left, currency)})",
                                "amount_too_large")[:2]
        REFUNDED[params["payment_intent"]] = REFUNDED.get(params["payment_intent"], 0) + amount
    else:
        currency = params.get("currency", "usd")
        amount = int(params.get("amount") or 0)
    refund = {
        "id": rid,
        "object": "refund",
        "amount": amount,
        "currency": currency,
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


# Where "paid" sessions are reported, signed as Stripe signs webhooks (set by scripts/dev).
WEBHOOK_URL = os.environ.get("SHOAL_WEBHOOK_URL")
WEBHOOK_SECRET = (os.environ.get("SHOAL_WEBHOOK_SECRET") or "").split(",")[0].strip()


def send_event(kind, obj, account=None):
    """Events of a connected account carry its id in `account`, as Connect endpoints get them."""
    event = {"id": new_id("evt"), "object": "event", "api_version": "2024-06-20", "created": int(time.time()),
             "livemode": False, "pending_webhooks": 1, "type": kind, "data": {"object": obj}}
    if account:
        event["account"] = account
    body = json.dumps(event, separators=(",", ":")).encode()
    t = int(time.time())
    sig = hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(WEBHOOK_URL, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Stripe-Signature": f"t={t},v1={sig}",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def setup_page(token):
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Set up payments — test mode</title></head>
<body style="font-family: system-ui; max-width: 28rem; margin: 4rem auto">
<p><small>Local Stripe stand-in · test mode</small></p>
<h1>Set up payments</h1>
<form method="post" action="/setup/{html.escape(token)}/complete"><button id="complete" type="submit">Complete</button></form>
</body></html>""".encode()


def hosted_page(session):
    amount = session.get("amount_total", 0)
    cur = (session.get("currency") or "").upper()
    sid = html.escape(session["id"])
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pay — test mode</title></head>
<body style="font-family: system-ui; max-width: 28rem; margin: 4rem auto">
<p><small>Local Stripe stand-in · test mode</small></p>
<h1>Pay {amount / 100:.2f} {html.escape(cur)}</h1>
<form method="post" action="/checkout/{sid}/pay"><button id="pay" type="submit">Pay</button></form>
<form method="post" action="/checkout/{sid}/cancel"><button id="cancel" type="submit">Cancel</button></form>
</body></html>""".encode()


def create_invoice(customer, amount, currency, status="paid", base_url="http://127.0.0.1"):
    """An invoice of the platform account, as Stripe lists it (`GET /v1/invoices`): what a
    subscription checkout's first payment leaves behind (or `POST /__invoices`, for tests)."""
    iid = new_id("in")
    with LOCK:
        number = sum(1 for o in OBJECTS.values() if o.get("object") == "invoice" and o.get("customer") == customer) + 1
    paid = status == "paid"
    invoice = {
        "id": iid, "object": "invoice", "customer": customer, "status": status,
        "number": f"{customer[-8:].upper()}-{number:04d}",
        "amount_due": amount, "amount_paid": amount if paid else 0, "amount_remaining": 0 if paid else amount,
        "currency": (currency or "usd").lower(), "created": int(time.time()),
        "hosted_invoice_url": f"{base_url}/i/{iid}", "invoice_pdf": f"{base_url}/i/{iid}/pdf",
        "livemode": False,
    }
    with LOCK:
        OBJECTS[iid] = invoice
    return invoice


def list_invoices(query):
    """`GET /v1/invoices?customer=&limit=&starting_after=`: newest first, a list object."""
    q = urllib.parse.parse_qs(query or "")
    customer = (q.get("customer") or [None])[0]
    try:
        limit = int((q.get("limit") or ["10"])[0])
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return stripe_error(400, "invalid_request_error", "Invalid integer: limit must be between 1 and 100.", "parameter_invalid_integer")[:2]
    after = (q.get("starting_after") or [None])[0]
    with LOCK:
        found = [o for o in OBJECTS.values() if o.get("object") == "invoice" and (customer is None or o.get("customer") == customer)]
    found.sort(key=lambda o: (o["created"], o["id"]), reverse=True)
    if after:
        ids = [o["id"] for o in found]
        if after not in ids:
            return stripe_error(400, "invalid_request_error", f"No such invoice: '{after}'", "resource_missing")[:2]
        found = found[ids.index(after) + 1:]
    return 200, {"object": "list", "data": found[:limit], "has_more": len(found) > limit, "url": "/v1/invoices"}


def pay_session(session):
    """Marks the session paid and sends the events Stripe sends for a card payment."""
    pi = session.get("payment_intent") or new_id("pi")
    session.update(status="complete", payment_status="paid", payment_intent=pi)
    account = ACCOUNTS.get(session["id"])
    if session.get("mode") == "subscription" and session.get("customer"):
        create_invoice(session["customer"], session.get("amount_total") or 0, session.get("currency"), "paid",
                       session["url"].split("/checkout/")[0])
    send_event("checkout.session.completed", session, account)
    send_event("payment_intent.succeeded", {
        "id": pi, "object": "payment_intent", "amount": session["amount_total"], "amount_received": session["amount_total"],
        "currency": session["currency"], "status": "succeeded", "latest_charge": new_id("ch"),
        "metadata": session.get("payment_intent_metadata") or {}}, account)


class StripeHandler(RecordingHandler):
    def handle_api(self, method, path, query, headers, raw):
        if path.startswith("/checkout/"):
            return self.hosted_checkout(method, path)
        if path.startswith("/setup/"):
            return self.hosted_setup(method, path)
        if method == "POST" and path.startswith("/__accounts/"):
            with LOCK:
                account = OBJECTS.get(path.split("/")[2])
            if not account or account.get("object") != "account":
                return stripe_error(404, "invalid_request_error", "No such account", "resource_missing")
            update_account(account, json.loads(raw or b"{}"))
            return 200, account, {}
        if method == "POST" and path == "/__invoices":
            # tests: an invoice of the platform account for a customer, as billing leaves them
            spec = json.loads(raw or b"{}")
            base_url = f"http://{headers.get('Host', '127.0.0.1')}"
            return 200, create_invoice(spec.get("customer") or "", int(spec.get("amount") or 0), spec.get("currency"),
                                       spec.get("status") or "paid", base_url), {}
        if method == "GET" and path.startswith("/i/"):
            return 200, f"invoice {html.escape(path)} (local Stripe stand-in)".encode(), {"Content-Type": "text/plain"}
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
            if status == 200 and headers.get("Stripe-Account"):
                ACCOUNTS[body["id"]] = headers["Stripe-Account"]  # its events come from that account
        elif method == "POST" and path == "/v1/accounts":
            status, body = create_account(params)
        elif method == "POST" and path == "/v1/account_links":
            status, body = create_account_link(params, base_url)
        elif method == "GET" and path.startswith("/v1/accounts/"):
            obj = OBJECTS.get(path.rsplit("/", 1)[1])
            if not obj or obj.get("object") != "account":
                return stripe_error(404, "invalid_request_error", "No such account", "resource_missing")
            status, body = 200, obj
        elif method == "GET" and path == "/v1/invoices":
            status, body = list_invoices(query)
        elif method == "POST" and path == "/v1/customers":
            status, body = create_customer(params)
        elif method == "POST" and path == "/v1/refunds":
            status, body = create_refund(params)
        elif method == "POST" and path == "/v1/billing_portal/sessions":
            status, body = create_portal_session(params, base_url)
        elif method == "POST" and path.startswith("/v1/checkout/sessions/") and path.endswith("/expire"):
            status, body = expire_checkout_session(path.split("/")[4])
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


    def hosted_setup(self, method, path):
        """Connect onboarding (an Account Link's url): single use, short-lived."""
        parts = path.strip("/").split("/")
        link = LINKS.get(parts[1]) if len(parts) > 1 else None
        if not link:
            return 404, b"no such account link", {"Content-Type": "text/plain"}
        if link["used"] or int(time.time()) >= link["expires_at"]:
            return 303, b"", {"Content-Type": "text/plain", "Location": link["refresh_url"]}
        if method == "GET" and len(parts) == 2:
            return 200, setup_page(parts[1]), {"Content-Type": "text/html; charset=utf-8"}
        if method == "POST" and len(parts) == 3 and parts[2] == "complete":
            link["used"] = True
            update_account(OBJECTS[link["account"]], {
                "charges_enabled": True, "payouts_enabled": True, "details_submitted": True,
                "requirements": {"currently_due": [], "eventually_due": [], "past_due": [], "disabled_reason": None}})
            return 303, b"", {"Content-Type": "text/plain", "Location": link["return_url"]}
        return 405, b"method not allowed", {"Content-Type": "text/plain"}

    def hosted_checkout(self, method, path):
        """The hosted checkout page a shopper is redirected to (checkout.session.url)."""
        parts = path.strip("/").split("/")
        session = OBJECTS.get(parts[1]) if len(parts) > 1 else None
        if not session:
            return 404, b"no such checkout session", {"Content-Type": "text/plain"}
        if method == "GET" and len(parts) == 2:
            return 200, hosted_page(session), {"Content-Type": "text/html; charset=utf-8"}
        if method == "POST" and len(parts) == 3 and parts[2] in ("pay", "cancel"):
            if session.get("status") != "open":
                # what Stripe's hosted page shows for an expired or completed session
                return 410, f"this checkout session is {session.get('status')}".encode(), {"Content-Type": "text/plain"}
            if int(time.time()) >= int(session.get("expires_at") or 0):
                session.update(status="expired", url=None)
                return 410, b"this checkout session is expired", {"Content-Type": "text/plain"}
            if parts[2] == "pay":
                pay_session(session)
                target = session.get("success_url") or "/"
            else:
                target = session.get("cancel_url") or "/"
            target = target.replace("{CHECKOUT_SESSION_ID}", session["id"])
            return 303, b"", {"Content-Type": "text/plain", "Location": target}
        return 405, b"method not allowed", {"Content-Type": "text/plain"}


if __name__ == "__main__":
    serve(StripeHandler, int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
