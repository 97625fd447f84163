#!/usr/bin/env python3
"""Local stand-in for Cloudflare's API v4 client certificates (API Shield mTLS), the calls
the worker makes in production:
  POST   /client/v4/zones/{zone}/client_certificates  {"csr", "validity_days"}
  DELETE /client/v4/zones/{zone}/client_certificates/{id}
Bearer token required; answers Cloudflare's envelope {"success", "errors", "messages",
"result"}. It signs with its own throwaway CA through the openssl CLI (what "Cloudflare
Managed CA" does for real), so tests hold genuine certificates and fingerprints. Like
Cloudflare, it signs the subject the CSR carries and reports its parts (`common_name`, and
`organization`, `organizational_unit`, `country`, `state`, `location`: "provided by the
CSR" in Cloudflare's API reference): whatever a CSR names ends up in the certificate, which
is why the worker sends only CSRs whose subject is exactly CN=<hardware id>.
Tests read GET /__certificates to see what was issued and revoked.
What scripts/provision calls (KV, R2, DNS, routes, fallback origin, mTLS hostnames, WAF
rules) lives in cf_provisioning.py, which gets every path this file does not own.
Custom hostnames (Cloudflare for SaaS): cf_custom_hostnames.py.

usage: cloudflare_api.py PORT JOURNAL_PATH
"""
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import uuid

import cf_custom_hostnames
import cf_provisioning
from common import RecordingHandler, serve

LOCK = threading.Lock()
CERTS = {}  # id -> result
WORK = tempfile.mkdtemp(prefix="cf-standin-")
CA_KEY, CA_CERT = os.path.join(WORK, "ca.key"), os.path.join(WORK, "ca.pem")
CA_NAME = "Cloudflare Managed CA for shoal-standin"
PATH = re.compile(r"^/client/v4/zones/([0-9a-zA-Z]{1,32})/client_certificates(?:/([0-9a-f]{32}))?$")


def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True).stdout


def make_ca():
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650",
            "-subj", "/CN=" + CA_NAME, "-keyout", CA_KEY, "-out", CA_CERT)


def error(status, code, message):
    return status, {"success": False, "errors": [{"code": code, "message": message}], "messages": [], "result": None}, {}


def sign(csr, days):
    csr_path = os.path.join(WORK, uuid.uuid4().hex + ".csr")
    with open(csr_path, "w") as f:
        f.write(csr)
    try:
        subject = openssl("req", "-in", csr_path, "-noout", "-subject", "-nameopt", "RFC2253").decode().strip()
        serial = "0x" + uuid.uuid4().hex
        pem = openssl("x509", "-req", "-in", csr_path, "-CA", CA_CERT, "-CAkey", CA_KEY, "-set_serial", serial,
                      "-days", str(days), "-sha256").decode()
    finally:
        os.unlink(csr_path)
    der = openssl("x509", "-outform", "DER", stdin=pem.encode())
    end = openssl("x509", "-noout", "-enddate", stdin=pem.encode()).decode().strip().split("=", 1)[1]
    expires = datetime.datetime.strptime(end, "%b %d %H:%M:%S %Y %Z").replace(tzinfo=datetime.timezone.utc)
    # RFC 2253 "CN=x,OU=y,O=z" (values here never contain escaped commas: tokens only)
    parts = {}
    for rdn in subject.split("subject=", 1)[-1].strip().split(","):
        key, _, value = rdn.partition("=")
        parts.setdefault(key.strip(), value.strip())
    now = datetime.datetime.now(datetime.timezone.utc)
    return {
        "id": uuid.uuid4().hex, "certificate": pem,
        "certificate_authority": {"id": "ca-standin", "name": CA_NAME},
        "common_name": parts.get("CN", ""), "country": parts.get("C", ""), "csr": csr,
        "expires_on": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fingerprint_sha256": hashlib.sha256(der).hexdigest(), "issued_on": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": parts.get("L", ""), "organization": parts.get("O", ""), "organizational_unit": parts.get("OU", ""),
        "serial_number": serial[2:], "signature": "ECDSAWithSHA256", "ski": "", "state": parts.get("ST", ""),
        "status": "active", "validity_days": days,
    }


class CloudflareHandler(RecordingHandler):
    def handle_api(self, method, path, query, headers, raw):
        # custom hostnames (Cloudflare for SaaS) live in their own module
        hostnames = cf_custom_hostnames.handle(method, path, query, headers, raw)
        if hostnames is not None:
            return hostnames
        if method == "GET" and path == "/__certificates":
            with LOCK:
                return 200, {"certificates": list(CERTS.values())}, {}
        m = PATH.match(path)
        if not m:
            provisioning = cf_provisioning.handle(method, path, query, headers, raw)
            if provisioning is not None:
                return provisioning
            return error(404, 7003, "Could not route to " + path)
        if not (headers.get("Authorization") or "").startswith("Bearer "):
            return error(400, 10000, "Authentication error")
        cert_id = m.group(2)
        if method == "POST" and cert_id is None:
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return error(400, 1001, "Invalid JSON")
            csr, days = body.get("csr"), body.get("validity_days")
            if not isinstance(csr, str) or "BEGIN CERTIFICATE REQUEST" not in csr:
                return error(400, 1402, "Invalid CSR")
            if not isinstance(days, int) or not 1 <= days <= 3650:
                return error(400, 1403, "validity_days must be between 1 and 3650")
            try:
                result = sign(csr, days)
            except subprocess.CalledProcessError:
                return error(400, 1402, "Invalid CSR")
            with LOCK:
                CERTS[result["id"]] = result
            return 200, {"success": True, "errors": [], "messages": [], "result": result}, {}
        if method == "DELETE" and cert_id is not None:
            with LOCK:
                cert = CERTS.get(cert_id)
                if cert is None:
                    return error(404, 1404, "Certificate not found")
                cert["status"] = "pending_revocation"
                return 200, {"success": True, "errors": [], "messages": [], "result": dict(cert)}, {}
        return error(405, 10405, "Method not allowed")


if __name__ == "__main__":
    make_ca()
    serve(CloudflareHandler, int(sys.argv[1]), sys.argv[2])
