#!/usr/bin/env python3
"""Local stand-in for a transactional email HTTP API, speaking Resend's documented wire
format (POST /emails, Bearer key, JSON {from, to, subject, html, text, ...} → 200
{"id": ...}; errors {"statusCode", "name", "message"}). Every accepted message is kept
in the journal (GET /__requests) as the local "inbox".

Test controls: POST /__fail {"times": 2, "status": 500} makes the next sends fail.

usage: email_api.py PORT JOURNAL_PATH
"""
import json
import sys
import threading
import uuid

from common import RecordingHandler, serve

LOCK = threading.Lock()
FAIL = {"times": 0, "status": 500}


def error(status, name, message):
    return status, {"statusCode": status, "name": name, "message": message}, {}


class EmailHandler(RecordingHandler):
    def handle_api(self, method, path, query, headers, raw):
        if method == "POST" and path == "/__fail":
            spec = json.loads(raw or b"{}")
            with LOCK:
                FAIL.update(times=int(spec.get("times", 1)), status=int(spec.get("status", 500)))
            return 200, {"ok": True}, {}
        if not headers.get("Authorization", "").startswith("Bearer "):
            return error(401, "missing_api_key", "Missing API key in the authorization header.")
        if method != "POST" or path != "/emails":
            return error(404, "not_found", "The requested endpoint does not exist.")
        with LOCK:
            if FAIL["times"] > 0:
                FAIL["times"] -= 1
                return error(FAIL["status"], "application_error", "Injected failure from the local stand-in.")
        try:
            msg = json.loads(raw or b"{}")
        except ValueError:
            return error(422, "validation_error", "Body is not valid JSON.")
        missing = [f for f in ("from", "to", "subject") if not msg.get(f)]
        if missing:
            return error(422, "missing_required_field", f"Missing `{missing[0]}` field.")
        if not (msg.get("html") or msg.get("text")):
            return error(422, "validation_error", "Either `html` or `text` must be provided.")
        return 200, {"id": str(uuid.uuid4())}, {}


if __name__ == "__main__":
    serve(EmailHandler, int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None)
