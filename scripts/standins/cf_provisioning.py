"""The Cloudflare API calls scripts/provision makes, for the Cloudflare stand-in
(cloudflare_api.py hands every path it does not own to `handle`). Each answer is in
Cloudflare's envelope {"success", "errors", "messages", "result"}, lists with "result_info".

  GET    /client/v4/zones/{zone}
  GET    /client/v4/accounts/{acct}/storage/kv/namespaces?page&per_page     POST {title}
  GET    /client/v4/accounts/{acct}/r2/buckets[/{name}]                     POST {name}
  GET    /client/v4/zones/{zone}/dns_records?name&type&page&per_page        POST {type,name,content,proxied}
  GET    /client/v4/zones/{zone}/custom_hostnames/fallback_origin           PUT  {origin}
  GET    /client/v4/zones/{zone}/workers/routes                             POST {pattern,script}
  GET    /client/v4/zones/{zone}/certificate_authorities/hostname_associations  PUT {hostnames}
  GET|PUT /client/v4/zones/{zone}/rulesets/phases/{phase}/entrypoint
  POST   /client/v4/zones/{zone}/rulesets/{ruleset}/rules                   {rule…, position}
  PATCH  /client/v4/zones/{zone}/rulesets/{ruleset}/rules/{rule}

Like Cloudflare: a zone must exist (a test registers one), a route may only name a Worker
that exists in the zone's account (code 10019 otherwise: a first provisioning runs before
the first deploy), duplicate names are refused with Cloudflare's codes, and a rule
expression may only use fields Cloudflare knows (a typo is code 20021, as the real API
refuses an unknown field).

Test controls (no token needed):
  POST /__provisioning/zones   {"id", "name", "account", "status"?}   register a zone
  POST /__provisioning/scripts {"account", "name"}                    a deployed Worker
  GET  /__provisioning?account=&zone=   every resource of that account and zone, and
       "writes": each create/update that changed something ({"op", "kind", "key"}) and their
       "counts", so a test can assert that a second provisioning run wrote nothing
"""
import datetime
import ipaddress
import json
import re
import threading
import uuid
from urllib.parse import parse_qs

LOCK = threading.Lock()
ZONES = {}         # zone id -> {"id", "name", "account", "status"}
SCRIPTS = set()    # (account, worker name)
KV = {}            # account -> [namespace]
R2 = {}            # account -> {name: bucket}
DNS = {}           # zone -> [record]
FALLBACK = {}      # zone -> fallback origin
ROUTES = {}        # zone -> [route]
ASSOCIATIONS = {}  # (zone, mtls_certificate_id or "") -> [hostname]
RULESETS = {}      # zone -> {phase: ruleset}
WRITES = []        # {"account", "zone", "op", "kind", "key"}

PREFIX = "/client/v4"
HEX32 = r"[0-9a-f]{32}"
ROUTES_OWNED = [
    (re.compile(r"^/zones/(" + HEX32 + r")$"), "zone"),
    (re.compile(r"^/accounts/(" + HEX32 + r")/storage/kv/namespaces$"), "kv"),
    (re.compile(r"^/accounts/(" + HEX32 + r")/r2/buckets(?:/([a-z0-9-]{3,63}))?$"), "r2"),
    (re.compile(r"^/zones/(" + HEX32 + r")/dns_records$"), "dns"),
    (re.compile(r"^/zones/(" + HEX32 + r")/custom_hostnames/fallback_origin$"), "fallback"),
    (re.compile(r"^/zones/(" + HEX32 + r")/workers/routes$"), "routes"),
    (re.compile(r"^/zones/(" + HEX32 + r")/certificate_authorities/hostname_associations$"), "associations"),
    (re.compile(r"^/zones/(" + HEX32 + r")/rulesets/phases/([a-z_]+)/entrypoint$"), "entrypoint"),
    (re.compile(r"^/zones/(" + HEX32 + r")/rulesets/(" + HEX32 + r")/rules(?:/(" + HEX32 + r"))?$"), "rules"),
]
# The fields of Cloudflare's Rules language this project's rules use (a stand-in's subset)
KNOWN_FIELDS = {
    "http.host", "http.request.method", "http.request.uri.path", "http.request.uri.query",
    "http.request.full_uri", "ip.src", "cf.tls_client_auth.cert_verified",
    "cf.tls_client_auth.cert_revoked", "cf.tls_client_auth.cert_presented",
    "cf.tls_client_auth.cert_fingerprint_sha256",
}
RULE_ACTIONS = {"block", "challenge", "managed_challenge", "js_challenge", "log", "skip"}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ok(result, result_info=None):
    body = {"success": True, "errors": [], "messages": [], "result": result}
    if result_info is not None:
        body["result_info"] = result_info
    return 200, body, {}


def error(status, code, message):
    return status, {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}, {}


def page_of(items, query, default_per_page):
    """Cloudflare's page/per_page pagination and its result_info."""
    q = parse_qs(query)
    try:
        page = max(1, int(q.get("page", ["1"])[0]))
        per_page = max(1, min(1000, int(q.get("per_page", [str(default_per_page)])[0])))
    except ValueError:
        return None, None
    chunk = items[(page - 1) * per_page: page * per_page]
    total_pages = (len(items) + per_page - 1) // per_page
    return chunk, {"page": page, "per_page": per_page, "count": len(chunk), "total_count": len(items),
                   "total_pages": total_pages}


def wrote(op, kind, key, account=None, zone=None):
    WRITES.append({"account": account, "zone": zone, "op": op, "kind": kind, "key": key})


def json_body(raw):
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def bad_expression(expression):
    """The problem with a rule expression, or None: balanced, quoted, known fields only."""
    if not isinstance(expression, str) or not expression.strip():
        return "expression is required"
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    if unquoted.count('"') % 2:
        return "unterminated string"
    depth = 0
    for ch in unquoted:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return "unbalanced parentheses"
    if depth:
        return "unbalanced parentheses"
    for name in re.findall(r"\b[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+\b", unquoted):
        if name not in KNOWN_FIELDS:
            return "unknown field " + name
    return None


# ---------------------------------------------------------------------------- controls

def control(method, path, query, raw):
    if path == "/__provisioning/zones" and method == "POST":
        body = json_body(raw) or {}
        if not re.fullmatch(HEX32, str(body.get("id", ""))) or not re.fullmatch(HEX32, str(body.get("account", ""))):
            return 400, {"error": "id and account: 32 lowercase hex digits"}, {}
        with LOCK:
            ZONES[body["id"]] = {"id": body["id"], "name": str(body.get("name", "")).lower(),
                                 "account": body["account"], "status": body.get("status", "active")}
        return 200, {"zone": ZONES[body["id"]]}, {}
    if path == "/__provisioning/scripts" and method == "POST":
        body = json_body(raw) or {}
        with LOCK:
            SCRIPTS.add((str(body.get("account")), str(body.get("name"))))
        return 200, {"ok": True}, {}
    if path == "/__provisioning" and method == "GET":
        q = parse_qs(query)
        account, zone = q.get("account", [""])[0], q.get("zone", [""])[0]
        with LOCK:
            mine = [w for w in WRITES if w["account"] == account or w["zone"] == zone]
            return 200, {
                "kv_namespaces": KV.get(account, []),
                "r2_buckets": list(R2.get(account, {}).values()),
                "dns_records": DNS.get(zone, []),
                "fallback_origin": fallback_with_status(zone),
                "routes": ROUTES.get(zone, []),
                "hostname_associations": ASSOCIATIONS.get((zone, ""), []),
                "rulesets": list(RULESETS.get(zone, {}).values()),
                "writes": mine,
                "counts": {op: sum(1 for w in mine if w["op"] == op) for op in ("create", "update")},
            }, {}
    return None


# ---------------------------------------------------------------------------- the API

def handle(method, path, query, headers, raw):
    """An answer for the paths this module owns, else None (the caller routes on)."""
    if path.startswith("/__provisioning"):
        return control(method, path, query, raw)
    if not path.startswith(PREFIX):
        return None
    sub = path[len(PREFIX):]
    for pattern, kind in ROUTES_OWNED:
        m = pattern.match(sub)
        if m:
            break
    else:
        return None
    if not (headers.get("Authorization") or "").startswith("Bearer "):
        return error(400, 10000, "Authentication error")
    with LOCK:
        if kind in ("kv", "r2"):
            return globals()["api_" + kind](method, m, query, raw)
        zone = ZONES.get(m.group(1))
        if zone is None:
            return error(404, 1001, "Invalid zone identifier")
        return globals()["api_" + kind](method, m, query, raw, zone)


def api_zone(method, m, query, raw, zone):
    if method != "GET":
        return error(405, 10405, "Method not allowed")
    return ok({"id": zone["id"], "name": zone["name"], "status": zone["status"],
               "account": {"id": zone["account"]}, "type": "full"})


def api_kv(method, m, query, raw):
    account = m.group(1)
    spaces = KV.setdefault(account, [])
    if method == "GET":
        chunk, info = page_of(spaces, query, 20)
        return ok(chunk, info) if chunk is not None else error(400, 10001, "Invalid pagination")
    if method == "POST":
        body = json_body(raw)
        title = (body or {}).get("title")
        if not isinstance(title, str) or not title.strip():
            return error(400, 10019, "a namespace title is required")
        if any(ns["title"] == title for ns in spaces):
            return error(400, 10014, "a namespace with this account ID and title already exists")
        ns = {"id": uuid.uuid4().hex, "title": title, "supports_url_encoding": True}
        spaces.append(ns)
        wrote("create", "kv_namespace", title, account=account)
        return ok(ns)
    return error(405, 10405, "Method not allowed")


def api_r2(method, m, query, raw):
    account, name = m.group(1), m.group(2)
    buckets = R2.setdefault(account, {})
    if method == "GET" and name:
        if name not in buckets:
            return error(404, 10006, "The specified bucket does not exist.")
        return ok(buckets[name])
    if method == "GET":
        return ok({"buckets": list(buckets.values())}, {"cursor": "", "per_page": 20})
    if method == "POST" and not name:
        wanted = (json_body(raw) or {}).get("name")
        if not isinstance(wanted, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", wanted):
            return error(400, 10005, "The bucket name is not valid.")
        if wanted in buckets:
            return error(409, 10004, "The bucket you tried to create already exists, and you own it.")
        buckets[wanted] = {"name": wanted, "creation_date": now(), "location": "ENAM", "storage_class": "Standard"}
        wrote("create", "r2_bucket", wanted, account=account)
        return ok(buckets[wanted])
    return error(405, 10405, "Method not allowed")


def api_dns(method, m, query, raw, zone):
    records = DNS.setdefault(zone["id"], [])
    if method == "GET":
        q = parse_qs(query)
        picked = [r for r in records
                  if r["name"] == q.get("name", [r["name"]])[0].lower() and r["type"] == q.get("type", [r["type"]])[0]]
        chunk, info = page_of(picked, query, 100)
        return ok(chunk, info) if chunk is not None else error(400, 1004, "Invalid pagination")
    if method == "POST":
        body = json_body(raw) or {}
        rtype, name, content = body.get("type"), str(body.get("name", "")).lower(), body.get("content")
        if not (name == zone["name"] or name.endswith("." + zone["name"])):
            return error(400, 9007, "Content for the record name must be in the zone")
        if rtype == "AAAA":
            try:
                content = str(ipaddress.IPv6Address(str(content)))
            except ValueError:
                return error(400, 9006, "Content for AAAA record is invalid. Must be a valid IPv6 address.")
        elif rtype not in ("A", "CNAME", "TXT"):
            return error(400, 1004, "DNS Validation Error")
        if any(r["type"] == rtype and r["name"] == name and r["content"] == content for r in records):
            return error(400, 81058, "An identical record already exists.")
        record = {"id": uuid.uuid4().hex, "zone_id": zone["id"], "zone_name": zone["name"], "type": rtype, "name": name,
                  "content": content, "proxied": bool(body.get("proxied")), "proxiable": True,
                  "ttl": body.get("ttl", 1), "comment": body.get("comment"), "created_on": now(), "modified_on": now()}
        records.append(record)
        wrote("create", "dns_record", name, zone=zone["id"])
        return ok(record)
    return error(405, 10405, "Method not allowed")


def fallback_with_status(zone_id):
    """Active once a proxied record for the origin exists (Cloudflare needs one to route)."""
    current = FALLBACK.get(zone_id)
    if current is None:
        return None
    proxied = any(r["name"] == current["origin"] and r["proxied"] for r in DNS.get(zone_id, []))
    return dict(current, status="active" if proxied else "pending_deployment")


def api_fallback(method, m, query, raw, zone):
    current = FALLBACK.get(zone["id"])
    if method == "GET":
        if current is None:
            return error(404, 1551, "No fallback origin found for this zone")
        return ok(fallback_with_status(zone["id"]))
    if method == "PUT":
        origin = str((json_body(raw) or {}).get("origin", "")).lower()
        if not (origin == zone["name"] or origin.endswith("." + zone["name"])):
            return error(400, 1550, "The fallback origin must be a hostname in this zone")
        if current is None or current["origin"] != origin:
            stamp = now()
            FALLBACK[zone["id"]] = {"origin": origin, "status": "pending_deployment",
                                    "created_at": (current or {}).get("created_at", stamp), "updated_at": stamp}
            wrote("create" if current is None else "update", "fallback_origin", origin, zone=zone["id"])
        return ok(FALLBACK[zone["id"]])
    return error(405, 10405, "Method not allowed")


def api_routes(method, m, query, raw, zone):
    routes = ROUTES.setdefault(zone["id"], [])
    if method == "GET":
        chunk, info = page_of(routes, query, 1000)
        return ok(chunk, info)
    if method == "POST":
        body = json_body(raw) or {}
        pattern, script = body.get("pattern"), body.get("script")
        if not isinstance(pattern, str) or "/" not in pattern:
            return error(400, 10022, "Route pattern is invalid")
        if any(r["pattern"] == pattern for r in routes):
            return error(409, 10020, "A route with the same pattern already exists")
        if (zone["account"], script) not in SCRIPTS:
            return error(400, 10019, "Cannot configure a route for a Worker which does not exist. "
                                     "Please ensure this Worker exists and try again.")
        route = {"id": uuid.uuid4().hex, "pattern": pattern, "script": script}
        routes.append(route)
        wrote("create", "worker_route", pattern, zone=zone["id"])
        return ok({"id": route["id"]})
    return error(405, 10405, "Method not allowed")


def api_associations(method, m, query, raw, zone):
    cert = parse_qs(query).get("mtls_certificate_id", [""])[0]
    if method == "GET":
        return ok({"hostnames": list(ASSOCIATIONS.get((zone["id"], cert), []))})
    if method == "PUT":
        body = json_body(raw) or {}
        hostnames = body.get("hostnames")
        if not isinstance(hostnames, list) or not all(isinstance(h, str) for h in hostnames):
            return error(400, 1406, "hostnames must be a list of hostnames")
        key = (zone["id"], body.get("mtls_certificate_id") or "")
        if sorted(ASSOCIATIONS.get(key, [])) != sorted(hostnames):
            ASSOCIATIONS[key] = list(hostnames)
            wrote("update", "hostname_associations", ",".join(sorted(hostnames)), zone=zone["id"])
        return ok({"hostnames": list(hostnames)})
    return error(405, 10405, "Method not allowed")


def new_rule(given):
    """A rule as Cloudflare stores it, or an error answer for a rule it would refuse."""
    if given.get("action") not in RULE_ACTIONS:
        return None, error(400, 20020, "unknown action " + str(given.get("action")))
    problem = bad_expression(given.get("expression"))
    if problem:
        return None, error(400, 20021, "could not parse expression: " + problem)
    rule_id = uuid.uuid4().hex
    return {"id": rule_id, "ref": given.get("ref") or rule_id, "version": "1", "action": given["action"],
            "expression": given["expression"], "description": given.get("description", ""),
            "enabled": given.get("enabled", True), "last_updated": now()}, None


def api_entrypoint(method, m, query, raw, zone):
    phase = m.group(2)
    rulesets = RULESETS.setdefault(zone["id"], {})
    current = rulesets.get(phase)
    if method == "GET":
        if current is None:
            return error(404, 10003, "could not find entrypoint ruleset in the " + phase + " phase")
        return ok(current)
    if method == "PUT":
        body = json_body(raw)
        if body is None or not isinstance(body.get("rules"), list):
            return error(400, 20001, "rules must be a list")
        old = {r["id"]: r for r in (current or {}).get("rules", [])}
        rules = []
        for given in body["rules"]:
            if set(given) == {"id"} and given["id"] in old:  # "keep this rule as it is"
                rules.append(old[given["id"]])
                continue
            rule, refused = new_rule(given)
            if refused:
                return refused
            rules.append(rule)
        ruleset = {"id": (current or {}).get("id") or uuid.uuid4().hex, "name": "default", "description": "",
                   "kind": "zone", "phase": phase, "version": str(int((current or {}).get("version", "0")) + 1),
                   "rules": rules, "last_updated": now()}
        rulesets[phase] = ruleset
        wrote("create" if current is None else "update", "ruleset", phase, zone=zone["id"])
        return ok(ruleset)
    return error(405, 10405, "Method not allowed")


def api_rules(method, m, query, raw, zone):
    ruleset = next((r for r in RULESETS.get(zone["id"], {}).values() if r["id"] == m.group(2)), None)
    if ruleset is None:
        return error(404, 10003, "could not find ruleset " + m.group(2))
    rule_id = m.group(3)
    body = json_body(raw) or {}
    if method == "POST" and rule_id is None:
        rule, refused = new_rule(body)
        if refused:
            return refused
        position = body.get("position") or {}
        if position.get("before") == "":
            ruleset["rules"].insert(0, rule)
        else:
            ruleset["rules"].append(rule)
        wrote("create", "ruleset_rule", rule["ref"], zone=zone["id"])
    elif method == "PATCH" and rule_id is not None:
        rule = next((r for r in ruleset["rules"] if r["id"] == rule_id), None)
        if rule is None:
            return error(404, 10003, "could not find rule " + rule_id)
        merged = dict(rule, **{k: v for k, v in body.items() if k in ("action", "expression", "description", "enabled", "ref")})
        problem = bad_expression(merged["expression"])
        if problem or merged["action"] not in RULE_ACTIONS:
            return error(400, 20021, "could not parse rule: " + (problem or "unknown action"))
        merged["version"] = str(int(rule["version"]) + 1)
        merged["last_updated"] = now()
        ruleset["rules"][ruleset["rules"].index(rule)] = merged
        wrote("update", "ruleset_rule", merged["ref"], zone=zone["id"])
    else:
        return error(405, 10405, "Method not allowed")
    ruleset["version"] = str(int(ruleset["version"]) + 1)
    ruleset["last_updated"] = now()
    return ok(ruleset)
