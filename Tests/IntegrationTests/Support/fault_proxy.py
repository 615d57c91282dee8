#!/usr/bin/env python3
"""Fault-injecting HTTP reverse proxy for Panel's integration tests (standard library only).

Usage: python3 fault_proxy.py UPSTREAM_URL        (e.g. http://127.0.0.1:8092)

Listens on 127.0.0.1 on a free port and prints that port as the first line of stdout. Exits when
stdin reaches end of file, so it cannot outlive a test process that dies without stopping it: the
test must give it a pipe as stdin and keep the pipe open (`python3 fault_proxy.py URL < /dev/null`
exits right after printing its port).

Every request whose path is not under /_proxy/ is forwarded to UPSTREAM_URL (method, path and query,
headers minus hop-by-hop ones, body). Responses are relayed as they arrive: an event stream or any
response without Content-Length is relayed chunked, piece by piece; others with Content-Length.
Keep-alive with the client works across requests; each request opens its own upstream connection.
An unreachable upstream gives 502 with a JSON error body (logged with "upstream_error": true).

Control endpoints (never faulted, never counted):
  POST /_proxy/config  {"rate": 0.2, "seed": 7, "faults": [...], "paths": [...], "stall_seconds": 6,
                       "retry_after": 1}; every key optional, defaults: rate 0, seed 0, all faults,
                       paths /v1/chat/completions, /completion, /v1/completions, stall 6, retry_after 1.
                       Resets counters, log and script, and reseeds. Answers {"ok": true}.
  POST /_proxy/script  {"faults": ["503", null, "reset"]}: the next requests on matching paths get
                       exactly these faults in order (null = forward); then the random rate applies.
  GET  /_proxy/stats   {"requests": N, "faulted": {"reset": n, ...all eight}, "forwarded": n,
                       "other": n, "by_path": {path: n}, "script_left": n,
                       "log": [{"n": 1, "method": "POST", "path": "/v1/chat/completions",
                                "fault": "503" or null, "status": 503}, ...]}
                       requests counts requests on matching paths (requests == forwarded + sum of
                       faulted); other counts the rest; by_path counts both; log lists matching ones
                       ("status" is the status sent, null when none was; "authorization" is the
                       request's Authorization header, when it had one, so a test can see a key
                       reach the server; "reused" says whether the request came on a connection
                       that had carried an earlier one: libcurl silently resends a request whose
                       reused connection is reset before any response byte, so such a reset costs
                       the client no failed call; "upstream_error": true marks a 502 for an
                       unreachable upstream).

Faults (for a matching request, with probability rate, one chosen uniformly by a Random(seed) shared
under a lock, so a run is reproducible given the same request order):
  reset         read the request, then close with SO_LINGER {on, 0}: the client sees an RST
  500 503 429   a llama-server style JSON error, keep-alive; 503 and 429 carry Retry-After
  stall         200 event-stream headers (chunked), then nothing for stall_seconds, then close;
                not forwarded
  cut_sse       forwarded; an event stream is relayed up to and including its first data: event,
                then half of the next event, then the connection closes without the final chunk;
                other bodies are cut in half (Content-Length unmet)
  invalid_json  not forwarded; 200 with an unparsable event ("stream": true requests) or JSON body
  drip          forwarded and relayed correctly, but the first 2 KB of the body 8 bytes per 10 ms
"""

import http.client
import json
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ["reset", "500", "503", "429", "stall", "cut_sse", "invalid_json", "drip"]
DEFAULT_PATHS = ["/v1/chat/completions", "/completion", "/v1/completions"]
# Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business on each side. Expect is dropped
# too: the client's 100-continue is answered here, and the upstream gets the whole body at once.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
              "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade"}
DRIP_BYTES, DRIP_PIECE, DRIP_PAUSE = 2048, 8, 0.01
UPSTREAM_TIMEOUT = 600
# The end of an SSE event: two line ends, each CRLF, LF or a lone CR (not the CR of a CRLF).
EVENT_END = re.compile(rb"(?:\r\n|\n|\r(?!\n)){2}")
DATA_LINE = re.compile(rb"(?:^|[\r\n])data:")
UPSTREAM = urlsplit(sys.argv[1] if len(sys.argv) > 1 else "")


class State:
    """Configuration, fault choice and counters, shared by all handler threads under one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.configure({})

    def configure(self, config):
        faults = config.get("faults", FAULTS)
        unknown = [name for name in faults if name not in FAULTS]
        if unknown:
            raise ValueError("unknown faults %s" % unknown)
        with self.lock:
            self.rate = float(config.get("rate", 0))
            self.rng = random.Random(config.get("seed", 0))
            self.faults = list(faults)
            self.paths = set(config.get("paths", DEFAULT_PATHS))
            self.stall_seconds = float(config.get("stall_seconds", 6))
            self.retry_after = str(config.get("retry_after", 1))
            self.script = deque()
            self.requests = self.forwarded = self.other = 0
            self.faulted = dict.fromkeys(FAULTS, 0)
            self.by_path = {}
            self.log = []

    def set_script(self, faults):
        unknown = [name for name in faults if name is not None and name not in FAULTS]
        if unknown:
            raise ValueError("unknown faults %s" % unknown)
        with self.lock:
            self.script = deque(faults)

    def admit(self, method, path, authorization, reused):
        """Counts a proxied request and chooses its fault; returns (log entry or None, fault)."""
        with self.lock:
            self.by_path[path] = self.by_path.get(path, 0) + 1
            if path not in self.paths:
                self.other += 1
                return None, None
            self.requests += 1
            if self.script:
                fault = self.script.popleft()
            elif self.rate > 0 and self.faults and self.rng.random() < self.rate:
                fault = self.rng.choice(self.faults)
            else:
                fault = None
            if fault is None:
                self.forwarded += 1
            else:
                self.faulted[fault] += 1
            entry = {"n": self.requests, "method": method, "path": path, "fault": fault, "status": None,
                     "reused": reused}
            if authorization is not None:
                entry["authorization"] = authorization
            self.log.append(entry)
            return entry, fault

    def update(self, entry, **values):
        if entry is not None:
            with self.lock:
                entry.update(values)

    def stats(self):
        with self.lock:
            return {"requests": self.requests, "faulted": dict(self.faulted), "forwarded": self.forwarded,
                    "other": self.other, "by_path": dict(self.by_path), "script_left": len(self.script),
                    "log": [dict(entry) for entry in self.log]}


STATE = State()


class Aborted(Exception):
    """The response was cut on purpose; the connection must close without finishing it."""


class BodyWriter:
    """Writes a response body, chunked or raw, dripping its first DRIP_BYTES when asked to."""

    def __init__(self, wfile, chunked, drip):
        self.wfile, self.chunked = wfile, chunked
        self.budget = DRIP_BYTES if drip else 0

    def write(self, data):
        while self.budget > 0 and data:
            piece, data = data[:DRIP_PIECE], data[DRIP_PIECE:]
            self.budget -= len(piece)
            self.send(piece)
            time.sleep(DRIP_PAUSE)
        self.send(data)

    def send(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if self.chunked else data)
            self.wfile.flush()

    def end(self):
        if self.chunked:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()


def error_body(code, message, kind):
    return json.dumps({"error": {"code": code, "message": message, "type": kind}}).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.route()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # Helpers

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailer fields
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_bytes(self, status, body, content_type="application/json", extra_headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def send_json(self, value, status=200):
        self.send_bytes(status, json.dumps(value).encode())

    def start_event_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

    def wants_stream(self, body):
        try:
            return json.loads(body).get("stream") is True
        except (ValueError, AttributeError):
            return False

    # Routing

    def route(self):
        body = self.read_body()
        path = urlsplit(self.path).path
        if path.startswith("/_proxy/"):
            self.control(path, body)
            return
        # One handler serves one connection, request after request.
        served = getattr(self, "served", 0)
        self.served = served + 1
        entry, fault = STATE.admit(self.command, path, self.headers.get("Authorization"), served > 0)
        try:
            self.proxy(body, entry, fault)
        except Aborted:
            self.close_connection = True
        except (OSError, http.client.HTTPException):
            # The client went away, or the upstream broke mid-response (IncompleteRead): the
            # response cannot be finished, and closing passes the truncation on.
            self.close_connection = True

    def control(self, path, body):
        try:
            request = json.loads(body) if body.strip() else {}
            if path == "/_proxy/config" and self.command == "POST":
                STATE.configure(request)
            elif path == "/_proxy/script" and self.command == "POST":
                STATE.set_script(request.get("faults", []))
            elif path == "/_proxy/stats" and self.command == "GET":
                self.send_json(STATE.stats())
                return
            else:
                self.send_json({"error": "no control route %s %s" % (self.command, path)}, status=404)
                return
        except (ValueError, TypeError, AttributeError) as error:
            self.send_json({"error": str(error)}, status=400)
            return
        self.send_json({"ok": True})

    def proxy(self, body, entry, fault):
        retry = [("Retry-After", STATE.retry_after)]
        if fault == "reset":
            self.reset()
        elif fault == "500":
            STATE.update(entry, status=500)
            self.send_bytes(500, error_body(500, "injected fault: internal error", "server_error"))
        elif fault == "503":
            STATE.update(entry, status=503)
            self.send_bytes(503, error_body(503, "injected fault: unavailable", "unavailable_error"),
                            extra_headers=retry)
        elif fault == "429":
            STATE.update(entry, status=429)
            self.send_bytes(429, error_body(429, "injected fault: too many requests", "rate_limit_error"),
                            extra_headers=retry)
        elif fault == "stall":
            STATE.update(entry, status=200)
            self.start_event_stream()
            time.sleep(STATE.stall_seconds)
            raise Aborted()
        elif fault == "invalid_json":
            STATE.update(entry, status=200)
            if self.wants_stream(body):
                self.start_event_stream()
                writer = BodyWriter(self.wfile, chunked=True, drip=False)
                writer.write(b'data: {"choices": [{"delta": {"content": "he\n\n')
                writer.write(b"data: [DONE]\n\n")
                writer.end()
            else:
                self.send_bytes(200, b'{"choices": [')
        else:
            self.forward(body, entry, fault)

    def reset(self):
        # SO_LINGER {on, 0} makes close() send an RST instead of a FIN. The socket is closed here,
        # not by the server's shutdown_request, whose shutdown(SHUT_WR) would send a FIN first and
        # let the client see a clean end of file. rfile holds a reference that must go first.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()
        self.close_connection = True

    # Forwarding

    def forward(self, body, entry, fault):
        connection = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port or 80, timeout=UPSTREAM_TIMEOUT)
        try:
            try:
                response = self.send_upstream(connection, body)
                streaming = self.is_event_stream(response) or response.getheader("Content-Length") is None
                # A sized body is read whole before anything is sent, so a failure can still be a 502.
                content = b"" if streaming or not self.has_body(response) else response.read()
            except (OSError, http.client.HTTPException) as error:
                STATE.update(entry, upstream_error=True, status=502)
                message = "fault proxy: upstream %s: %s" % (UPSTREAM.netloc, str(error) or type(error).__name__)
                self.send_bytes(502, error_body(502, message, "server_error"))
                return
            STATE.update(entry, status=response.status)
            self.relay(response, streaming, content, fault)
        finally:
            # Closing early (client gone, cut_sse) tells llama-server to stop generating.
            connection.close()

    def send_upstream(self, connection, body):
        target = UPSTREAM.path.rstrip("/") + self.path
        connection.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
        listed = {token.strip().lower() for token in self.headers.get("Connection", "").split(",")}
        for name, value in self.headers.items():
            lower = name.lower()
            if lower in HOP_BY_HOP or lower in listed or lower in ("host", "content-length", "expect"):
                continue
            connection.putheader(name, value)
        connection.putheader("Host", UPSTREAM.netloc)
        if body or self.command in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        return connection.getresponse()

    @staticmethod
    def is_event_stream(response):
        return "text/event-stream" in (response.getheader("Content-Type") or "").lower()

    def has_body(self, response):
        return self.command != "HEAD" and response.status not in (204, 304) and response.status >= 200

    def relay(self, response, streaming, content, fault):
        self.send_response_only(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        if not self.has_body(response):
            if response.getheader("Content-Length") is not None:
                self.send_header("Content-Length", response.getheader("Content-Length"))
            self.end_headers()
            self.wfile.flush()
            return
        self.send_header("Transfer-Encoding" if streaming else "Content-Length",
                         "chunked" if streaming else str(len(content)))
        self.end_headers()
        self.wfile.flush()
        writer = BodyWriter(self.wfile, chunked=streaming, drip=fault == "drip")
        if fault == "cut_sse" and streaming and self.is_event_stream(response):
            self.cut_event_stream(response, writer)
        if fault == "cut_sse":
            content = content if not streaming else response.read()
            writer.write(content[:len(content) // 2])
            raise Aborted()
        if streaming:
            while True:
                piece = response.read1(65536)
                if not piece:
                    break
                writer.write(piece)
        else:
            writer.write(content)
        writer.end()

    def cut_event_stream(self, response, writer):
        """Relays events up to the first data: event, then half of the next event, and aborts."""
        buffer = b""
        sent_data = False
        while True:
            match = EVENT_END.search(buffer)
            if match and sent_data:
                break  # the whole next event is in the buffer
            if match:
                event, buffer = buffer[:match.end()], buffer[match.end():]
                writer.write(event)
                sent_data = DATA_LINE.search(event) is not None
                continue
            piece = response.read1(65536)
            if not piece:
                break  # the stream ended early: cut whatever is left
            buffer += piece
        match = EVENT_END.search(buffer)
        event = buffer[:match.end()] if match else buffer
        writer.write(event[:len(event) // 2])
        raise Aborted()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Clients that hang up mid-response (timeouts, cancellation) are what the tests provoke.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    if not UPSTREAM.hostname or UPSTREAM.scheme != "http":
        sys.exit("usage: fault_proxy.py http://HOST:PORT")
    # A child spawned from a thread that blocks signals inherits that mask, which would make
    # SIGTERM from the test harness do nothing.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
