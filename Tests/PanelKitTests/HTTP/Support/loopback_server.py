#!/usr/bin/env python3
"""Loopback HTTP server for PanelKit's HTTP tests (standard library only).

Listens on 127.0.0.1 on a free port and prints that port as the first line of stdout.
Exits when stdin reaches end of file, so it cannot outlive a test process that dies
without stopping it.

Routes (all answer HTTP/1.1 with keep-alive, so connection reuse can be observed):
  /echo                  method, path, headers and body of the request, as JSON
  /sse?count=N&delay=S   N chunked SSE events, each split across writes (one split inside a
                         multi-byte UTF-8 character, one between \\r and \\n), a ": ping"
                         comment, an event: field, then "data: [DONE]"
  /ndjson?count=N        N JSON lines split across writes; the last has no newline;
                         &malformed=K makes line K (1-based) invalid
  /endless?id=X          SSE ticks every 50 ms until the client goes away
  /seen?id=X             {"connected": bool, "disconnected": bool}: whether /endless?id=X has
                         started, and whether it saw its client leave
  /slow-start?seconds=S  waits S seconds, then answers {"ok": true}
  /stall?seconds=S       sends "partial" then nothing for S seconds (default 30)
  /status/<code>?shape=llama|ollama|vllm|text&message=M&retry_after=R
                         an error body in the given backend's shape; 429 and 503 carry
                         Retry-After (R, default 7)
  /big?bytes=N&chunked=1 N bytes of "x", with Content-Length or chunked
  /peer                  {"port": <the client's source port>}
"""

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CONNECTED = set()
DISCONNECTED = set()
SEEN_LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self.route()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    # Helpers

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
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
        self.wfile.write(body)

    def send_json(self, value, status=200, extra_headers=()):
        self.send_bytes(status, json.dumps(value).encode(), extra_headers=extra_headers)

    def start_chunked(self, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()

    def chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def end_chunked(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # Routing

    def route(self):
        url = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        body = self.read_body()
        path = url.path
        if path == "/echo":
            self.echo(url, body)
        elif path == "/sse":
            self.sse(int(query.get("count", "3")), float(query.get("delay", "0.02")))
        elif path == "/ndjson":
            self.ndjson(int(query.get("count", "3")), int(query.get("malformed", "0")))
        elif path == "/endless":
            self.endless(query.get("id", ""))
        elif path == "/seen":
            ident = query.get("id", "")
            with SEEN_LOCK:
                seen = {"connected": ident in CONNECTED, "disconnected": ident in DISCONNECTED}
            self.send_json(seen)
        elif path == "/slow-start":
            time.sleep(float(query.get("seconds", "1")))
            self.send_json({"ok": True})
        elif path == "/stall":
            self.start_chunked("text/plain")
            self.chunk(b"partial")
            time.sleep(float(query.get("seconds", "30")))
            self.close_connection = True
        elif path.startswith("/status/"):
            self.status(int(path[len("/status/"):]), query)
        elif path == "/big":
            self.big(int(query.get("bytes", "1000000")), query.get("chunked") == "1")
        elif path == "/peer":
            self.send_json({"port": self.client_address[1]})
        else:
            self.send_json({"error": "no route " + path}, status=404)

    def echo(self, url, body):
        self.send_json({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "bodyLength": len(body),
            "body": body.decode("utf-8", "replace") if len(body) <= 65536 else "",
        })

    def sse(self, count, delay):
        self.start_chunked("text/event-stream")
        self.chunk(b": ping\n\n")
        for index in range(count):
            text = json.dumps({"index": index, "text": "caf\u00e9 %d" % index}, ensure_ascii=False)
            event = ("data: %s\r\n\r\n" % text).encode()
            # Split inside the two-byte "é" and between the final \r and \n.
            cut = event.index("\u00e9".encode()) + 1
            for part in (event[:cut], event[cut:-1], event[-1:]):
                self.chunk(part)
                time.sleep(delay)
        self.chunk(b"event: usage\ndata: {\"tokens\": %d}\n\n" % count)
        self.chunk(b"data: [DONE]\n\n")
        self.end_chunked()

    def ndjson(self, count, malformed):
        self.start_chunked("application/x-ndjson")
        for index in range(count):
            line = b"{\"index\": %d, \"done\": %s}" % (index, b"true" if index == count - 1 else b"false")
            if index + 1 == malformed:
                line = b"{\"index\": nope}"
            if index < count - 1:
                line += b"\n"
            middle = len(line) // 2
            self.chunk(line[:middle])
            time.sleep(0.01)
            self.chunk(line[middle:])
        self.end_chunked()

    def endless(self, ident):
        with SEEN_LOCK:
            CONNECTED.add(ident)
        try:
            self.start_chunked("text/event-stream")
            tick = 0
            while True:
                self.chunk(b"data: {\"tick\": %d}\n\n" % tick)
                tick += 1
                time.sleep(0.05)
        except OSError:
            with SEEN_LOCK:
                DISCONNECTED.add(ident)
            self.close_connection = True

    def status(self, code, query):
        message = query.get("message", "model is loading")
        shape = query.get("shape", "llama")
        if shape == "llama":
            body = json.dumps({"error": {"code": code, "message": message, "type": "unavailable_error"}})
        elif shape == "ollama":
            body = json.dumps({"error": message})
        elif shape == "vllm":
            body = json.dumps({"object": "error", "message": message, "type": "BadRequestError", "code": code})
        else:
            body = message
        headers = [("Retry-After", query.get("retry_after", "7"))] if code in (429, 503) else []
        content_type = "text/plain" if shape == "text" else "application/json"
        self.send_bytes(code, body.encode(), content_type=content_type, extra_headers=headers)

    def big(self, size, chunked):
        block = b"x" * 65536
        if not chunked:
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
        else:
            self.start_chunked("application/octet-stream")
        sent = 0
        try:
            while sent < size:
                part = block[:min(len(block), size - sent)]
                if chunked:
                    self.chunk(part)
                else:
                    self.wfile.write(part)
                sent += len(part)
            if chunked:
                self.end_chunked()
        except OSError:
            self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # Clients that hang up mid-response are what several tests do on purpose.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    # A child spawned from a thread that blocks signals inherits that mask, which would make
    # SIGTERM from the test harness do nothing.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
