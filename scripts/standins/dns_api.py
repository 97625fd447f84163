#!/usr/bin/env python3
"""Local stand-in for a DNS-over-HTTPS JSON API (Cloudflare's and Google's wire format:
GET /dns-query?name=…&type=TXT with Accept: application/dns-json → {"Status", "Answer":
[{"name", "type": 16, "TTL", "data": "\"…\""}]}), used to verify custom domains' TXT
records. Records are set by tests: POST /__records {"name", "txt"}.

usage: dns_api.py PORT JOURNAL_PATH
"""
import json
import sys
import threading
from urllib.parse import parse_qs

from common import RecordingHandler, serve

LOCK = threading.Lock()
RECORDS = {}  # name -> [txt]


class DnsHandler(RecordingHandler):
    def handle_api(self, method, path, query, headers, raw):
        if method == "POST" and path == "/__records":
            spec = json.loads(raw or b"{}")
            with LOCK:
                RECORDS.setdefault(spec["name"].lower().rstrip("."), []).append(spec["txt"])
            return 200, {"ok": True}, {}
        if method != "GET" or path != "/dns-query":
            return 404, {"Status": 2, "Comment": "not found"}, {}
        q = parse_qs(query)
        name = (q.get("name") or [""])[0].lower().rstrip(".")
        if (q.get("type") or ["A"])[0] not in ("TXT", "16"):
            return 200, {"Status": 0, "Question": [{"name": name, "type": 1}], "Answer": []}, {"Content-Type": "application/dns-json"}
        with LOCK:
            txts = list(RECORDS.get(name, []))
        answer = [{"name": name + ".", "type": 16, "TTL": 300, "data": json.dumps(t)} for t in txts]
        status = 0 if txts else 3  # NXDOMAIN when nothing is there
        return 200, {"Status": status, "Question": [{"name": name + ".", "type": 16}], "Answer": answer}, {"Content-Type": "application/dns-json"}


if __name__ == "__main__":
    serve(DnsHandler, int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
