"""Cloudflare for SaaS custom hostnames for the Cloudflare API stand-in (cloudflare_api.py):
  GET    /client/v4/zones/{zone}/custom_hostnames[?hostname=]
  POST   /client/v4/zones/{zone}/custom_hostnames        {"hostname", "ssl": {"method", "type", "settings"}}
  GET    /client/v4/zones/{zone}/custom_hostnames/{id}
  PATCH  /client/v4/zones/{zone}/custom_hostnames/{id}   (re-validation: answers the hostname as it is)
  DELETE /client/v4/zones/{zone}/custom_hostnames/{id}
Results are shaped like Cloudflare's: a new hostname is `pending` with its certificate
`pending_validation`, an ownership TXT `_cf-custom-hostname.{host}` and a certificate TXT
`_acme-challenge.{host}`. Refusals use Cloudflare's codes: 1406 duplicate, 1407 invalid,
1408 non-ASCII, 1409 reserved top-level domain, 1411 example.com/net/org, 1405 quota, 1436
not found. Real Cloudflare activates a hostname once the records resolve; tests drive it:
  POST /__custom_hostnames/{hostname}/activate   {"ssl": true}  pending → active (ssl false:
       the hostname only, its certificate stays pending_validation)
  POST /__custom_hostnames/quota                 {"quota": n | null}
  POST /__custom_hostnames/fail                  {"hostname", "status", "code", "message"}: the
       next call about that hostname (create, get, delete) fails so
  GET  /__custom_hostnames                       every hostname, deleted ones included
"""
import datetime
import json
import re
import threading
import uuid

LOCK = threading.Lock()
HOSTNAMES = {}  # id -> result
DELETED = []  # results deleted, for tests
FAILURES = {}  # hostname -> (status, code, message), consumed by the next call about it
QUOTA = {"max": None}
PATH = re.compile(r"^/client/v4/zones/([0-9a-zA-Z]{1,32})/custom_hostnames(?:/([0-9a-f]{32}))?$")
CONTROL = re.compile(r"^/__custom_hostnames(?:/([^/]+)/(activate))?$|^/__custom_hostnames/(quota|fail)$")
LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def envelope(result, status=200):
    return status, {"success": True, "errors": [], "messages": [], "result": result}, {}


def error(status, code, message):
    return status, {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}, {}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def refuse_hostname(hostname):
    """Cloudflare's checks on a new custom hostname, as (status, code, message) or None."""
    if not isinstance(hostname, str) or not hostname or len(hostname) > 255:
        return 400, 1407, "Invalid custom hostname."
    if not hostname.isascii():
        return 400, 1408, "Custom hostnames with non-ASCII characters are not supported."
    labels = hostname.lower().split(".")
    if len(labels) < 2 or not all(LABEL.match(label) for label in labels) or labels[-1].isdigit():
        return 400, 1407, "Invalid custom hostname."
    if labels[-1] in ("test", "example", "invalid", "localhost"):
        return 400, 1409, "Reserved top domain custom hostnames are not supported."
    if ".".join(labels[-2:]) in ("example.com", "example.net", "example.org"):
        return 400, 1411, "Custom hostnames ending in example.com, example.net, or example.org are prohibited."
    return None


def new_hostname(hostname, ssl):
    ssl = ssl if isinstance(ssl, dict) else {}
    return {
        "id": uuid.uuid4().hex,
        "hostname": hostname,
        "status": "pending",
        "ssl": {
            "id": uuid.uuid4().hex,
            "status": "pending_validation",
            "method": ssl.get("method", "http"),
            "type": ssl.get("type", "dv"),
            "settings": ssl.get("settings", {}),
            "validation_records": [{"txt_name": "_acme-challenge." + hostname, "txt_value": uuid.uuid4().hex}],
            "validation_errors": [],
            "wildcard": False,
        },
        "ownership_verification": {"type": "txt", "name": "_cf-custom-hostname." + hostname, "value": str(uuid.uuid4())},
        "ownership_verification_http": {
            "http_url": "http://%s/.well-known/cf-custom-hostname-challenge/%s" % (hostname, uuid.uuid4()),
            "http_body": str(uuid.uuid4()),
        },
        "verification_errors": ["custom hostname does not CNAME to this zone."],
        "created_at": now(),
    }


def injected(hostname):
    failure = FAILURES.pop(hostname, None)
    return error(*failure) if failure else None


def control(method, path, raw):
    m = CONTROL.match(path)
    if not m:
        return None
    body = json.loads(raw or b"{}") if method == "POST" else {}
    with LOCK:
        if method == "GET" and not m.group(1) and not m.group(3):
            return 200, {"custom_hostnames": list(HOSTNAMES.values()), "deleted": list(DELETED)}, {}
        if method == "POST" and m.group(2) == "activate":
            found = [h for h in HOSTNAMES.values() if h["hostname"] == m.group(1)]
            if not found:
                return 404, {"error": "no such hostname"}, {}
            for h in found:
                h["status"] = "active"
                h["verification_errors"] = []
                h.pop("ownership_verification", None)
                h.pop("ownership_verification_http", None)
                if body.get("ssl", True):
                    h["ssl"]["status"] = "active"
                    h["ssl"]["validation_records"] = []
            return 200, {"activated": len(found)}, {}
        if method == "POST" and m.group(3) == "quota":
            QUOTA["max"] = body.get("quota")
            return 200, {"quota": QUOTA["max"]}, {}
        if method == "POST" and m.group(3) == "fail":
            FAILURES[body["hostname"]] = (int(body.get("status", 500)), int(body.get("code", 1500)), body.get("message", "Internal Server Error"))
            return 200, {"armed": body["hostname"]}, {}
    return 405, {"error": "method not allowed"}, {}


def handle(method, path, query, headers, raw):
    """The answer for a custom hostname path, or None when the path is not one."""
    ctl = control(method, path, raw) if path.startswith("/__custom_hostnames") else None
    if ctl is not None:
        return ctl
    m = PATH.match(path)
    if not m:
        return None
    if not (headers.get("Authorization") or "").startswith("Bearer "):
        return error(400, 1403, "The request has no Authorization header.")
    hostname_id = m.group(2)
    with LOCK:
        if hostname_id is None and method == "GET":
            wanted = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("hostname")
            found = [h for h in HOSTNAMES.values() if wanted is None or h["hostname"] == wanted]
            status, body, extra = envelope(found)
            body["result_info"] = {"page": 1, "per_page": 50, "count": len(found), "total_count": len(found)}
            return status, body, extra
        if hostname_id is None and method == "POST":
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return error(400, 1400, "Unable to decode the JSON request body.")
            hostname = body.get("hostname")
            refused = refuse_hostname(hostname)
            if refused:
                return error(*refused)
            hostname = hostname.lower()
            fail = injected(hostname)
            if fail:
                return fail
            if any(h["hostname"] == hostname for h in HOSTNAMES.values()):
                return error(409, 1406, "Duplicate custom hostname found.")
            if QUOTA["max"] is not None and len(HOSTNAMES) >= QUOTA["max"]:
                return error(403, 1405, "Quota exceeded.")
            result = new_hostname(hostname, body.get("ssl"))
            HOSTNAMES[result["id"]] = result
            return envelope(result, 201)
        current = HOSTNAMES.get(hostname_id)
        if current is None:
            return error(404, 1436, "The custom hostname was not found.")
        fail = injected(current["hostname"])
        if fail:
            return fail
        if method == "GET":
            return envelope(current)
        if method == "PATCH":
            return envelope(current, 202)
        if method == "DELETE":
            DELETED.append(HOSTNAMES.pop(hostname_id))
            return envelope({"id": hostname_id})
    return error(405, 10405, "Method not allowed")
