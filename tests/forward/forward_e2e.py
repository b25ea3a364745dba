#!/usr/bin/env python3
"""End-to-end tests of `morph-webhook forward` against real endpoints started here.

Events reach the inbox as Morph sends them: HTTP POSTs to a real `morph-webhook serve`. Then
`morph-webhook forward` delivers them to a real HTTP server (this file, on 127.0.0.1) that
answers 200, fails the first attempts, answers 429 with Retry-After, hangs past the timeout,
closes the connection mid-answer, answers slowly, or is down. Every request the endpoint gets is
checked: the body byte for byte, the Morph headers, and the Standard Webhooks signature verified
with Python's hmac (an implementation independent of the one under test).

Usage: forward_e2e.py MORPH_WEBHOOK [SCENARIO...]
Environment: FORWARD_OUTAGE_SECONDS (the breaker scenario's outage, default 15).
Every wait is bounded; every process and server started is stopped on exit.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

MW = sys.argv[1]
ONLY = set(sys.argv[2:])
SECRET = "whsec_" + base64.b64encode(bytes(range(7, 31))).decode()
KEY = base64.b64decode(SECRET[len("whsec_"):])
OUTAGE = float(os.environ.get("FORWARD_OUTAGE_SECONDS", "15"))
failures = []
processes = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail), flush=True)
    if not ok:
        failures.append(name)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


# ---- the endpoint ------------------------------------------------------------------------
class Endpoint:
    """An HTTP/1.1 server (keep-alive) whose answer depends on the event's `data.id`:
    behaviour(contact_id, attempt_number) -> ("ok"|"status"|"hang"|"close"|"slow", ...)."""

    def __init__(self, behaviour, port=None, with_event=False):
        self.behaviour = behaviour
        self.with_event = with_event  # behaviour(contact, attempt, parsed body)
        self.tls = None  # (certificate file, key file): https
        self.in_flight = 0
        self.most_in_flight = 0
        self.requests = []  # (monotonic time, headers dict, body bytes, answer)
        self.lock = threading.Lock()
        self.port = port or free_port()
        self.server = None
        self.connections = set()

    def start(self):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                endpoint.connections.add(self.client_address)
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                event = json.loads(body)
                contact = event["data"]["id"]
                with endpoint.lock:
                    attempt = 1 + sum(1 for r in endpoint.requests
                                      if r[1].get("webhook-id") == headers.get("webhook-id"))
                    answer = (endpoint.behaviour(contact, attempt, event) if endpoint.with_event
                              else endpoint.behaviour(contact, attempt))
                    endpoint.requests.append((time.monotonic(), headers, body, answer))
                    endpoint.in_flight += 1
                    endpoint.most_in_flight = max(endpoint.most_in_flight, endpoint.in_flight)
                try:
                    self.answer(answer)
                finally:
                    with endpoint.lock:
                        endpoint.in_flight -= 1

            def answer(self, answer):
                kind = answer[0]
                if kind == "hang":
                    time.sleep(answer[1])
                    return self.reply(200)
                if kind == "close":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"ok\"")
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if kind == "slow":
                    time.sleep(answer[1])
                    return self.reply(200)
                if kind == "status":
                    return self.reply(answer[1], answer[2] if len(answer) > 2 else {})
                return self.reply(200)

            def reply(self, status, extra=None):
                payload = b'{"received":true}'
                self.send_response(status)
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 256

            def handle_error(self, request, client_address):
                pass  # a client that timed out and closed: expected here

        self.server = Server(("127.0.0.1", self.port), Handler)
        if self.tls:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    @property
    def url(self):
        return "%s://127.0.0.1:%d/hooks/morph" % ("https" if self.tls else "http", self.port)

    def snapshot(self):
        with self.lock:
            return list(self.requests)


# ---- the inbox, filled by serve as Morph would ---------------------------------------------
def contact_body(i, updated_minute=0):
    # Compact, with non-ASCII text: the bytes must arrive exactly as posted.
    return json.dumps({
        "event": "genericContact::updated",
        "data": {"object": "resource", "model": "genericContact", "id": "c%d" % i,
                 "fields": {"firstName": "Zoë ☃", "lastName": "N%d" % i},
                 "createdAt": "2025-01-01T00:00:00.000Z",
                 "updatedAt": "2025-03-06T09:%02d:00.000Z" % updated_minute}},
        ensure_ascii=False, separators=(",", ":")).encode()


def start(args, log):
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    processes.append(p)
    return p


def fill_inbox(work, uri, count, bodies=None):
    """Starts serve on `uri`, POSTs `count` contacts (or `bodies`, a list of (contact id, body)) with
    Morph's headers, in order, stops serve. Returns {contact id: (body, idempotency key)}."""
    log = open(os.path.join(work, "serve.log"), "w+")
    serve = start([MW, "serve", "--host", "127.0.0.1", "--port", "0", "--inbox", uri], log)
    port = None
    for _ in range(400):
        log.seek(0)
        # stdout and stderr share this file: stderr's start-up lines (a Redis primary) may come
        # before stdout's first line, "listening on HOST:PORT".
        listening = [l for l in log.read().splitlines() if l.startswith("listening on ")]
        if listening:
            port = int(listening[0].strip().rsplit(":", 1)[1])
            break
        time.sleep(0.05)
    assert port, "serve did not start: " + open(log.name).read()
    sent = {}
    for i, (contact, body) in enumerate(bodies or [("c%d" % i, contact_body(i))
                                                   for i in range(count)]):
        key = "key-%d" % i
        req = urllib.request.Request("http://127.0.0.1:%d/webhooks/morph" % port, data=body,
                                     headers={"content-type": "application/json",
                                              "x-conector-id": "hubspot",
                                              "x-owner-id": "acme-prod-eu",
                                              "x-idempotency-key": key})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200
        sent[contact if bodies is None else key] = (body, key)
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=30)
    return sent


def stats(uri):
    out = subprocess.run([MW, "inbox", "stats", "--inbox", uri, "--format", "json"],
                         capture_output=True, text=True, timeout=30)
    return json.loads(out.stdout)


def forward(uri, url, work, *extra, name="forward"):
    secret_file = os.path.join(work, "secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    log = open(os.path.join(work, name + ".log"), "w+")
    return start([MW, "forward", "--inbox", uri, "--to", url, "--signing-secret-file",
                  secret_file, *extra], log), log


def verify_signature(headers, body):
    """Standard Webhooks verification with Python's hmac: v1 over id.timestamp.body."""
    msg_id, ts, sigs = (headers.get("webhook-id"), headers.get("webhook-timestamp"),
                        headers.get("webhook-signature"))
    if not (msg_id and ts and sigs):
        return False
    if abs(int(ts) - time.time()) > 300:
        return False
    expected = hmac.new(KEY, msg_id.encode() + b"." + ts.encode() + b"." + body,
                        hashlib.sha256).digest()
    return any(s.startswith("v1,") and hmac.compare_digest(base64.b64decode(s[3:]), expected)
               for s in sigs.split(" "))


def check_requests(name, requests, sent):
    """Every request exact and verified; every event answered 2xx at least once. `sent` maps
    anything to (body, idempotency key): a delivery is known by its key."""
    by_key = {key: body for body, key in sent.values()}
    unknown = [r for r in requests if r[1].get("x-idempotency-key") not in by_key]
    check(name + ": every request is one of the events posted", not unknown, str(unknown[:1]))
    if unknown:
        return
    bad_body = [r for r in requests if by_key[r[1]["x-idempotency-key"]] != r[2]]
    check(name + ": every body arrives byte for byte", not bad_body, "%d differ" % len(bad_body))
    bad_sig = [r for r in requests if not verify_signature(r[1], r[2])]
    check(name + ": every signature verifies (Python hmac)", not bad_sig,
          "%d of %d do not" % (len(bad_sig), len(requests)))
    bad_headers = [r for r in requests
                   if r[1].get("x-conector-id") != "hubspot"
                   or r[1].get("x-owner-id") != "acme-prod-eu"
                   or r[1].get("content-type") != "application/json"
                   or not r[1].get("user-agent", "").startswith("morph-webhook/")
                   or r[1].get("morph-webhook-stale") not in ("true", "false")
                   or r[1].get("morph-webhook-superseded") not in ("true", "false")]
    check(name + ": Morph headers, content-type, user-agent as received", not bad_headers,
          str(bad_headers[:1]))
    ids = {}
    for r in requests:
        ids.setdefault(r[1]["x-idempotency-key"], set()).add(r[1]["webhook-id"])
    check(name + ": one webhook-id per delivery, the same on every attempt",
          all(len(v) == 1 for v in ids.values()) and
          len({next(iter(v)) for v in ids.values()}) == len(ids))
    ok = {r[1]["x-idempotency-key"] for r in requests
          if r[3][0] in ("ok", "slow", "hang") or (r[3][0] == "status" and 200 <= r[3][1] < 300)}
    missing = sorted(set(by_key) - ok)
    check(name + ": every event answered 2xx at least once", not missing, str(missing[:5]))


def stop_forward(p, seconds=30):
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        p.kill()
        return None


# ---- scenarios ------------------------------------------------------------------------------
def scenario_answers(work):
    """Every kind of answer at --concurrency 8."""
    uri = "sqlite:%s/answers.db?backoff=200ms&max_attempts=10" % work
    sent = fill_inbox(work, uri, 48)

    def behaviour(contact, attempt):
        kind = int(contact[1:]) % 6
        if kind == 1 and attempt <= 2:
            return ("status", 500)
        if kind == 2 and attempt == 1:
            return ("status", 429, {"retry-after": "1"})
        if kind == 3 and attempt == 1:
            return ("hang", 2.5)
        if kind == 4 and attempt == 1:
            return ("close",)
        if kind == 5:
            return ("slow", 0.2)
        return ("ok",)

    ep = Endpoint(behaviour).start()
    p, log = forward(uri, ep.url, work, "--concurrency", "8", "--timeout", "1s", "--header",
                     "Authorization: Bearer app-key", "--breaker-failures", "100")
    done = wait_until(lambda: stats(uri)["acked_retained"] == len(sent), 60, 0.3)
    rc = stop_forward(p)
    check("answers: every event acked", done, json.dumps(stats(uri)))
    check("answers: SIGTERM exits 0", rc == 0, str(rc))
    s = stats(uri)
    check("answers: nothing ready, leased, delayed or dead",
          s["ready"] == s["leased"] == s["delayed"] == s["dead"] == 0, json.dumps(s))
    requests = ep.snapshot()
    check_requests("answers", requests, sent)
    check("answers: --header sent", all(r[1].get("authorization") == "Bearer app-key"
                                         for r in requests))
    by_contact = {}
    for r in requests:
        by_contact.setdefault(json.loads(r[2])["data"]["id"], []).append(r)
    fails = [c for c in by_contact if int(c[1:]) % 6 == 1]
    check("answers: 500 twice then 200: three attempts, numbered 1, 2, 3",
          all([r[1]["morph-webhook-attempt"] for r in by_contact[c]] == ["1", "2", "3"]
              for c in fails),
          str({c: [r[1]["morph-webhook-attempt"] for r in by_contact[c]] for c in fails}))
    limited = [c for c in by_contact if int(c[1:]) % 6 == 2]
    gaps = [by_contact[c][1][0] - by_contact[c][0][0] for c in limited]
    check("answers: 429 + Retry-After: 1 waits >= 1 s before the retry",
          len(gaps) == len(limited) and all(g >= 0.95 for g in gaps), str(gaps))
    check("answers: 429 + Retry-After uses no attempt (the retry is attempt 1 again)",
          all([r[1]["morph-webhook-attempt"] for r in by_contact[c]] == ["1", "1"]
              for c in limited),
          str({c: [r[1]["morph-webhook-attempt"] for r in by_contact[c]] for c in limited}))
    hung = [c for c in by_contact if int(c[1:]) % 6 == 3]
    check("answers: a request hanging past --timeout is retried",
          all(len(by_contact[c]) >= 2 for c in hung))
    closed = [c for c in by_contact if int(c[1:]) % 6 == 4]
    check("answers: a connection closed mid-answer is retried",
          all(len(by_contact[c]) >= 2 for c in closed))
    log.seek(0)
    text = log.read()
    check("answers: last errors logged (status line, timeout, curl error)",
          "500 Internal Server Error" in text and "timed out after 1 s" in text, text[-2000:])
    ep.stop()


def scenario_breaker(work):
    """max_attempts=3, 1 s backoff: an outage of the endpoint dead-letters nothing."""
    uri = "sqlite:%s/breaker.db?backoff=1s&max_attempts=3" % work
    sent = fill_inbox(work, uri, 40)
    ep = Endpoint(lambda c, a: ("ok",))  # not started: the outage begins now
    p, log = forward(uri, ep.url, work, "--concurrency", "8", "--timeout", "2s",
                     "--breaker-cooldown", "1s", "--breaker-cooldown-max", "4s",
                     "--metrics-port", "0", name="breaker")
    metrics_url = []

    def metrics_line():
        log.seek(0)
        for line in log:
            if "metrics on " in line:
                metrics_url.append(line.strip().rsplit(" ", 1)[1])
                return True
        return False

    def metrics():
        with urllib.request.urlopen(metrics_url[0], timeout=10) as r:
            return r.read().decode()
    check("breaker: --metrics-port serves /metrics", wait_until(metrics_line, 10))
    time.sleep(OUTAGE)
    dead_during = stats(uri)["dead"]
    during = metrics() if metrics_url else ""
    check("breaker: /metrics shows the breaker open during the outage",
          'morph_webhook_forward_circuit_state{state="closed"} 0' in during and
          'morph_webhook_forward_requests_total{outcome="probe_failed"}' in during, during[-1500:])
    ep.start()
    done = wait_until(lambda: stats(uri)["acked_retained"] == len(sent), 30, 0.3)
    after = metrics() if metrics_url else ""
    check("breaker: /metrics shows it closed again, every event acked",
          'morph_webhook_forward_circuit_state{state="closed"} 1' in after and
          'morph_webhook_forward_requests_total{outcome="acked"} %d' % len(sent) in after,
          after[-1500:])
    rc = stop_forward(p)
    s = stats(uri)
    check("breaker: %g s outage: no dead letter during it" % OUTAGE, dead_during == 0,
          str(dead_during))
    check("breaker: every event acked after the outage", done and s["dead"] == 0, json.dumps(s))
    check("breaker: exits 0", rc == 0, str(rc))
    log.seek(0)
    text = log.read()
    check("breaker: opens, probes and closes (logged)",
          "circuit closed -> open" in text and "half_open -> closed" in text, text[-1500:])
    check_requests("breaker", ep.snapshot(), sent)
    ep.stop()


def scenario_kill9(work):
    """kill -9 with requests in flight: the deliveries come back after their lease expires."""
    uri = "sqlite:%s/kill.db" % work
    sent = fill_inbox(work, uri, 12)
    ep = Endpoint(lambda c, a: ("slow", 1.0) if a == 1 else ("ok",)).start()
    p, _ = forward(uri, ep.url, work, "--concurrency", "4", "--timeout", "2s", "--lease", "3s",
                   name="kill1")
    check("kill -9: requests in flight", wait_until(lambda: len(ep.snapshot()) >= 4, 10))
    p.kill()
    p.wait()
    in_flight = {r[1]["webhook-id"] for r in ep.snapshot()}
    check("kill -9: their deliveries stay leased", stats(uri)["leased"] >= 1, json.dumps(stats(uri)))
    p2, _ = forward(uri, ep.url, work, "--concurrency", "4", "--timeout", "2s", "--lease", "3s",
                    name="kill2")
    done = wait_until(lambda: stats(uri)["acked_retained"] == len(sent), 30, 0.2)
    stop_forward(p2)
    check("kill -9: everything acked after the leases expired", done, json.dumps(stats(uri)))
    again = [r for r in ep.snapshot()[len(in_flight):] if r[1]["webhook-id"] in in_flight]
    check("kill -9: the deliveries in flight are sent again with the same webhook-id",
          {r[1]["webhook-id"] for r in again} == in_flight, "%d of %d" % (len(again), len(in_flight)))
    check_requests("kill -9", ep.snapshot(), sent)
    ep.stop()


def scenario_drain(work):
    """SIGTERM: nothing more leased, the requests in flight finish and are acked."""
    uri = "sqlite:%s/drain.db" % work
    fill_inbox(work, uri, 20)
    ep = Endpoint(lambda c, a: ("slow", 1.5)).start()
    p, _ = forward(uri, ep.url, work, "--concurrency", "4", name="drain")
    check("drain: requests in flight", wait_until(lambda: len(ep.snapshot()) >= 4, 10))
    t0 = time.monotonic()
    rc = stop_forward(p)
    took = time.monotonic() - t0
    s = stats(uri)
    n = len(ep.snapshot())
    check("drain: exits 0 once the requests in flight are answered",
          rc == 0 and 0.5 < took < 5, "rc %s after %.2f s" % (rc, took))
    check("drain: the requests in flight were acked, nothing else leased",
          s["acked_retained"] == n == 4 and s["leased"] == 0 and s["ready"] == 16, json.dumps(s))
    ep.stop()


def scenario_skip(work):
    """--skip-superseded: of 6 updates per contact only the newest is sent; all are acked."""
    uri = "sqlite:%s/skip.db" % work
    bodies = [("c%d" % j, contact_body(j, updated_minute=k)) for k in range(6) for j in range(10)]
    fill_inbox(work, uri, len(bodies), bodies)
    ep = Endpoint(lambda c, a: ("ok",)).start()
    p, _ = forward(uri, ep.url, work, "--skip-superseded", "--until-empty", name="skip")
    rc = p.wait(timeout=60)
    got = sorted((json.loads(r[2])["data"]["id"], json.loads(r[2])["data"]["updatedAt"][14:16])
                 for r in ep.snapshot())
    check("skip-superseded: one request per contact, its newest update",
          got == sorted(("c%d" % j, "05") for j in range(10)), str(got[:12]))
    check("skip-superseded: all 60 acked, exit 0",
          rc == 0 and stats(uri)["acked_retained"] == 60, json.dumps(stats(uri)))
    ep.stop()


def scenario_redis(work):
    """The same on a Redis inbox (a redis-server of the test's own): order and retries."""
    if subprocess.run(["sh", "-c", "command -v redis-server"], capture_output=True).returncode:
        print("skip redis: redis-server not installed", flush=True)
        return
    port = free_port()
    rdir = os.path.join(work, "redis")
    os.makedirs(rdir)
    redis = start(["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", rdir,
                   "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
                  open(os.path.join(work, "redis.log"), "w"))
    up = wait_until(lambda: subprocess.run(["redis-cli", "-p", str(port), "ping"],
                                           capture_output=True, text=True).stdout.strip()
                    == "PONG", 10)
    check("redis: redis-server started", up)
    if not up:
        return
    uri = "redis://127.0.0.1:%d/0?name=fwd&backoff=200ms" % port
    bodies = [("c%d" % j, contact_body(j, updated_minute=k)) for k in range(4) for j in range(10)]
    sent = fill_inbox(work, uri, len(bodies), bodies)

    def answer(contact, attempt, event):
        minute = int(event["data"]["updatedAt"][14:16])
        return ("status", 500) if (int(contact[1:]) + minute) % 4 == 0 and attempt == 1 \
            else ("ok",)

    ep = Endpoint(answer, with_event=True).start()
    p, _ = forward(uri, ep.url, work, "--concurrency", "8", "--breaker-failures", "1000",
                   name="redis")
    done = wait_until(lambda: stats(uri)["acked_retained"] == len(bodies), 60, 0.3)
    rc = stop_forward(p)
    check("redis: every delivery acked", done and rc == 0, json.dumps(stats(uri)))
    seqs = {}
    for r in ep.snapshot():
        event = json.loads(r[2])
        seqs.setdefault(event["data"]["id"], []).append(
            (int(event["data"]["updatedAt"][14:16]), r[3][0] == "ok"))
    bad = []
    for contact, seq in seqs.items():
        answered = -1
        for minute, ok in seq:
            if minute != answered + 1:
                bad.append((contact, seq))
                break
            if ok:
                answered = minute
    check("redis: in order per contact, retries included", not bad and len(seqs) == 10,
          str(bad[:2]))
    check_requests("redis", ep.snapshot(), sent)
    ep.stop()
    redis.terminate()
    redis.wait(timeout=10)


def scenario_rate(work):
    """--rate 10/s: 18 deliveries take at least (18 - burst 8) / 10 s from first to last."""
    uri = "sqlite:%s/rate.db" % work
    fill_inbox(work, uri, 18)
    ep = Endpoint(lambda c, a: ("ok",)).start()
    p, _ = forward(uri, ep.url, work, "--rate", "10/s", "--until-empty", name="rate")
    rc = p.wait(timeout=60)
    times = sorted(r[0] for r in ep.snapshot())
    spread = times[-1] - times[0] if times else 0
    check("rate: --rate 10/s spreads 18 requests over >= 0.95 s, all acked",
          rc == 0 and len(times) == 18 and spread >= 0.95 and stats(uri)["acked_retained"] == 18,
          "%d requests over %.2f s" % (len(times), spread))
    ep.stop()


def scenario_tls(work):
    """https://: a certificate the system store does not know is a TLS error (retried);
    with --ca-file naming it, delivered."""
    cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                           "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key, "-out", cert], capture_output=True, text=True)
    if made.returncode != 0:
        check("tls: openssl makes a test certificate", False, made.stderr[-500:])
        return
    uri = "sqlite:%s/tls.db?max_attempts=1" % work
    fill_inbox(work, uri, 3)
    ep = Endpoint(lambda c, a: ("ok",))
    ep.tls = (cert, key)
    ep.start()
    p, log = forward(uri, ep.url, work, "--until-empty", name="tls-unknown")
    rc = p.wait(timeout=60)
    log.seek(0)
    text = log.read()
    check("tls: an unknown certificate fails the delivery with the TLS error",
          rc == 0 and stats(uri)["dead"] == 3 and "certificate" in text.lower(), text[-800:])
    uri = "sqlite:%s/tls-ca.db" % work
    sent = fill_inbox(work, uri, 5)
    p, log = forward(uri, ep.url, work, "--until-empty", "--ca-file", cert, name="tls-ca")
    rc = p.wait(timeout=60)
    check("tls: --ca-file: delivered over https", rc == 0 and stats(uri)["acked_retained"] == 5,
          json.dumps(stats(uri)))
    # The refused handshakes never reached the server: every request it got is the second run's.
    check_requests("tls", ep.snapshot(), sent)
    ep.stop()


def scenario_serve(work):
    """serve --forward-to: Morph -> serve (check, durable inbox) -> the app, metrics on /metrics."""
    uri = "sqlite:%s/serve.db?backoff=200ms" % work
    ep = Endpoint(lambda c, a: ("status", 503) if int(c[1:]) % 5 == 0 and a == 1 else ("ok",))
    ep.start()
    secret_file = os.path.join(work, "secret")
    with open(secret_file, "w") as f:
        f.write(SECRET + "\n")
    log = open(os.path.join(work, "serve-forward.log"), "w+")
    err = open(os.path.join(work, "serve-forward.err"), "w+")
    serve = subprocess.Popen([MW, "serve", "--host", "127.0.0.1", "--port", "0", "--inbox", uri,
                              "--forward-to", ep.url, "--signing-secret-file", secret_file,
                              "--concurrency", "4"], stdout=log, stderr=err)
    processes.append(serve)
    port = None
    for _ in range(400):
        log.seek(0)
        first = log.readline()
        if first.startswith("listening on "):
            port = int(first.strip().rsplit(":", 1)[1])
            break
        time.sleep(0.05)
    check("serve --forward-to: listening", port is not None, open(err.name).read())
    if port is None:
        return
    sent = {}
    for i in range(20):
        body = contact_body(i)
        path = os.path.join(work, "body.json")
        with open(path, "wb") as f:
            f.write(body)
        # As Morph posts: curl with its three headers.
        out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                              "-H", "content-type: application/json",
                              "-H", "x-conector-id: hubspot", "-H", "x-owner-id: acme-prod-eu",
                              "-H", "x-idempotency-key: key-%d" % i, "--data-binary", "@" + path,
                              "http://127.0.0.1:%d/webhooks/morph" % port],
                             capture_output=True, text=True, timeout=30)
        check("serve --forward-to: post %d answered 200" % i, out.stdout == "200", out.stdout)
        sent["c%d" % i] = (body, "key-%d" % i)

    def delivered():
        ok = {json.loads(r[2])["data"]["id"] for r in ep.snapshot() if r[3][0] == "ok"}
        return ok == set(sent)
    check("serve --forward-to: every event reaches the app", wait_until(delivered, 30))
    metrics = ""
    def acked_in_metrics():
        nonlocal metrics
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10) as r:
            metrics = r.read().decode()
        return 'morph_webhook_forward_requests_total{outcome="acked"} 20' in metrics
    check("serve --forward-to: /metrics counts 20 acked", wait_until(acked_in_metrics, 10),
          metrics[-3000:])
    check("serve --forward-to: /metrics counts the 503s as failed",
          'morph_webhook_forward_requests_total{outcome="failed"} 4' in metrics)
    check("serve --forward-to: /metrics has latency, in flight, circuit state",
          "morph_webhook_forward_duration_seconds_count 24" in metrics and
          "morph_webhook_forward_in_flight" in metrics and
          'morph_webhook_forward_circuit_state{state="closed"} 1' in metrics)
    check_requests("serve --forward-to", ep.snapshot(), sent)
    rc = stop_forward(serve)
    check("serve --forward-to: SIGTERM exits 0", rc == 0, str(rc) + open(err.name).read())
    ep.stop()


def start_app(command, work, name, env):
    """Starts an app that prints 'listening on 127.0.0.1:PORT' first; returns (process, url, log)."""
    log = open(os.path.join(work, name + ".out"), "w+")
    p = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                         env=dict(os.environ, **env))
    processes.append(p)
    for _ in range(400):
        log.seek(0)
        first = log.readline()
        if first.startswith("listening on "):
            return p, "http://127.0.0.1:%s/hooks" % first.strip().rsplit(":", 1)[1], log
        if p.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    raise RuntimeError(name + " did not start: " + log.read())


def node_ready():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run(["sh", "-c", "command -v node"], capture_output=True).returncode == 0 \
        and os.path.isdir(os.path.join(root, "tests/zod/node_modules/standardwebhooks"))


def scenario_apps(work):
    """The receiving apps of docs/forward.md: Python (hmac) and Node (npm standardwebhooks)."""
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    apps = [("python", [sys.executable, os.path.join(root, "examples/forward/app.py")])]
    if node_ready():
        apps.append(("node", ["node", os.path.join(root, "tests/zod/forward_app.mjs")]))
    else:
        print("skip node: no node, or `npm ci` not run in tests/zod", flush=True)
    for name, command in apps:
        uri = "sqlite:%s/app-%s.db" % (work, name)
        sent = fill_inbox(work, uri, 20)
        app, url, out = start_app(command, work, name, {"WEBHOOK_SECRET": SECRET})
        p, _ = forward(uri, url, work, "--until-empty", name="to-" + name)
        rc = p.wait(timeout=60)
        out.seek(0)
        lines = out.read().splitlines()[1:]
        s = stats(uri)
        check(name + " app: forward --until-empty exits 0, all 20 acked",
              rc == 0 and s["acked_retained"] == 20, "rc %s %s" % (rc, json.dumps(s)))
        if name == "node":
            rows = [json.loads(l) for l in lines]
            check("node app: standardwebhooks verifies all 20",
                  len(rows) == 20 and all(r["verified"] for r in rows) and
                  {r["id"] for r in rows} == set(sent), str(rows[:2]))
        else:
            check("python app: applied all 20 once",
                  len(lines) == 20 and {l.split()[2] for l in lines} == set(sent), str(lines[:3]))
        # The same app with a secret it does not know: every request is refused (401).
        uri = "sqlite:%s/app-%s-wrong.db?max_attempts=1" % (work, name)
        fill_inbox(work, uri, 3)
        wrong = "whsec_" + base64.b64encode(b"another secret of 24 byte").decode()
        with open(os.path.join(work, "wrong-secret"), "w") as f:
            f.write(wrong + "\n")
        p = start([MW, "forward", "--inbox", uri, "--to", url, "--until-empty",
                   "--signing-secret-file", os.path.join(work, "wrong-secret")],
                  open(os.path.join(work, "wrong.log"), "w"))
        rc = p.wait(timeout=60)
        check(name + " app: a wrong secret is refused (401, dead at max_attempts=1)",
              rc == 0 and stats(uri)["dead"] == 3, json.dumps(stats(uri)))
        app.terminate()
        app.wait(timeout=10)


def scenario_order(work):
    """Per-resource order at --concurrency 8 with failures: 20 contacts x 6 updates posted in
    order, a fifth of the first attempts answered 500. The endpoint must never get an update of
    a contact before the previous one was answered 2xx, and ends with every contact's newest."""
    uri = "sqlite:%s/order.db?backoff=200ms" % work
    bodies = []
    for k in range(6):
        for j in range(20):
            body = contact_body(j, updated_minute=k)
            bodies.append(("c%d" % j, body))
    sent = fill_inbox(work, uri, len(bodies), bodies)
    failing = {(j, k) for j in range(20) for k in range(6) if (j * 7 + k * 3) % 5 == 0}

    def answer(contact, attempt, event):
        minute = int(event["data"]["updatedAt"][14:16])
        if (int(contact[1:]), minute) in failing and attempt == 1:
            return ("status", 500)
        return ("slow", 0.02)

    ep = Endpoint(answer, with_event=True).start()
    p, _ = forward(uri, ep.url, work, "--concurrency", "8", "--breaker-failures", "1000",
                   name="order")
    done = wait_until(lambda: stats(uri)["acked_retained"] == len(bodies), 60, 0.3)
    rc = stop_forward(p)
    check("order: every update acked", done and rc == 0, json.dumps(stats(uri)))
    requests = ep.snapshot()
    by_contact = {}
    for t, headers, body, ans in requests:
        event = json.loads(body)
        by_contact.setdefault(event["data"]["id"], []).append(
            (int(event["data"]["updatedAt"][14:16]), ans[0] != "status"))
    out_of_order = []
    for contact, seq in by_contact.items():
        answered = -1
        for minute, ok in seq:
            if minute > answered + 1 or minute < answered:
                out_of_order.append((contact, seq))
                break
            if ok:
                answered = minute
    check("order: no update sent before the previous one of its contact was answered 2xx",
          not out_of_order, str(out_of_order[:2]))
    check("order: every contact ends at its newest update",
          all(seq[-1] == (5, True) for seq in by_contact.values()) and len(by_contact) == 20)
    check("order: contacts in parallel (more than one request in flight at once)",
          ep.most_in_flight > 1, str(ep.most_in_flight))
    superseded_wrong = [(c, json.loads(r[2])["data"]["updatedAt"], r[1]["morph-webhook-superseded"])
                        for r in requests for c in [json.loads(r[2])["data"]["id"]]
                        if r[1]["morph-webhook-superseded"] !=
                        ("false" if json.loads(r[2])["data"]["updatedAt"][14:16] == "05" else "true")]
    check("order: morph-webhook-superseded: true on every update but each contact's newest",
          not superseded_wrong, str(superseded_wrong[:3]))
    check_requests("order", requests, sent)
    check("order: failures were injected", sum(1 for r in requests if r[3][0] == "status") ==
          len(failing), str(len(failing)))
    ep.stop()


SCENARIOS = {"answers": scenario_answers, "order": scenario_order, "breaker": scenario_breaker,
             "kill9": scenario_kill9, "drain": scenario_drain, "skip": scenario_skip,
             "tls": scenario_tls, "redis": scenario_redis, "rate": scenario_rate,
             "serve": scenario_serve,
             "apps": scenario_apps}
# Long or optional scenarios, run by name only.
OPTIONAL = {}


def main():
    if ONLY == {"apps"} and os.environ.get("FORWARD_REQUIRE_NODE") and not node_ready():
        print("node or tests/zod/node_modules/standardwebhooks missing (npm ci in tests/zod)")
        return 77
    work = tempfile.mkdtemp(prefix="forward-e2e-")
    try:
        for name, run in {**SCENARIOS, **OPTIONAL}.items():
            if (ONLY and name not in ONLY) or (not ONLY and name in OPTIONAL):
                continue
            print("== " + name, flush=True)
            t0 = time.monotonic()
            run(work)
            print("   (%.1f s)" % (time.monotonic() - t0), flush=True)
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
        if not os.environ.get("FORWARD_KEEP"):
            subprocess.run(["rm", "-rf", work])
        else:
            print("kept " + work)
    print("%d failed" % len(failures) if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
