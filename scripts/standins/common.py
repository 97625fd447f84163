"""Shared plumbing for Shoal's local stand-ins of outside HTTP APIs.

Each stand-in records every request it receives (method, path, headers, raw body, parsed
body) as one JSON line in its journal, and serves the journal at GET /__requests so tests
can assert what the worker sent. Only loopback is ever bound.
"""
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1 << 20


class Journal:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.entries = []
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)

    def record(self, entry):
        with self.lock:
            self.entries.append(entry)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")

    def snapshot(self):
        with self.lock:
            return list(self.entries)

    def clear(self):
        with self.lock:
            self.entries.clear()


class RecordingHandler(BaseHTTPRequestHandler):
    """Subclasses implement handle_api(method, path, query, headers, raw) -> (status, body_obj, headers)."""

    journal: Journal = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the journal is the log
        pass

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _send(self, status, body, headers=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        ctype = (headers or {}).pop("Content-Type", "application/json")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self):
        raw = self._read_body()
        if raw is None:
            return self._send(413, {"error": {"type": "invalid_request_error", "message": "body too large"}})
        path, _, query = self.path.partition("?")
        if path == "/__requests" and self.command == "GET":
            return self._send(200, {"data": self.journal.snapshot()})
        if path == "/__requests" and self.command == "DELETE":
            self.journal.clear()
            return self._send(200, {"cleared": True})
        if path == "/__health":
            return self._send(200, {"ok": True})
        status, body, headers = self.handle_api(self.command, path, query, self.headers, raw)
        self.journal.record({
            "at": time.time(),
            "method": self.command,
            "path": path,
            "query": query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": raw.decode("utf-8", "replace"),
            "status": status,
        })
        return self._send(status, body, headers)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch


def serve(handler_cls, port, journal_path):
    handler_cls.journal = Journal(journal_path)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler_cls)
    server.daemon_threads = True
    server.serve_forever()
