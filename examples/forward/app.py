#!/usr/bin/env python3
"""A receiving application in Python (standard library only) for `morph-webhook forward`:
verifies the Standard Webhooks signature with hmac, dedupes on webhook-id, answers 200.

    WEBHOOK_SECRET=whsec_... python3 examples/forward/app.py [PORT]

Prints "listening on 127.0.0.1:PORT", then one line per request. Run by
tests/forward/forward_e2e.py (scenario "python"); docs/forward.md explains it.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

KEY = base64.b64decode(os.environ["WEBHOOK_SECRET"].removeprefix("whsec_") + "==")
TOLERANCE = 300  # seconds, as the Standard Webhooks libraries
seen = set()  # webhook-ids already applied (a real app keeps them in its database)
lock = threading.Lock()  # requests arrive on several connections at once


def verified(headers, body: bytes) -> bool:
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    if not msg_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    signed = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = hmac.new(KEY, signed, hashlib.sha256).digest()
    for candidate in headers.get("webhook-signature", "").split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(signature), expected):
            return True
    return False


class App(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: forward reuses its connections

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        if not verified(self.headers, body):
            return self.answer(401, "bad signature")
        msg_id = self.headers["webhook-id"]
        with lock:
            if msg_id not in seen:  # at-least-once: a retry may repeat what was applied
                event = json.loads(body)
                sys.stdout.write(f"{msg_id} {event['event']} {event['data']['id']} "
                                 f"attempt={self.headers['morph-webhook-attempt']} "
                                 f"stale={self.headers['morph-webhook-stale']}\n")
                sys.stdout.flush()
                seen.add(msg_id)
        self.answer(200, "ok")

    def answer(self, status, text):
        payload = json.dumps({"status": text}).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1:2] and sys.argv[1] or 0)),
                                         App)
print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
