"""A loopback OpenAI-compatible server that misbehaves on purpose (the hostile peer in tests).

The first path segment picks the misbehaviour: ``http://127.0.0.1:PORT/<kind>/v1``. Every kind
answers ``POST …/chat/completions`` (and ``GET …/models``) in its own wrong way. Standard library
only; runs in a daemon thread of the test process.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEEP = 100_000


def completion(content) -> bytes:
    return json.dumps({"id": "x", "object": "chat.completion", "model": "m",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                    "finish_reason": "stop"}]}).encode()


# kind -> (status, body bytes) or a callable(handler) that writes the reply itself
REPLIES = {
    "ok": (200, completion('{"colors": ["red", "blue"]}')),
    "nested-content": (200, completion("[" * DEEP + "]" * DEEP)),
    "nested-object-content": (200, completion('{"a":' * DEEP + "1" + "}" * DEEP)),
    "nested-envelope": (200, b'{"choices": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    "empty-content": (200, completion("")),
    "null-content": (200, completion(None)),
    "prose": (200, completion("Sure! The colours are red, green and blue.")),
    "truncated": (200, completion('{"colors": ["red", "gre')),
    "nan": (200, completion('{"colors": ["red"], "n": NaN}')),
    "inf-number": (200, completion('{"colors": ["red"], "n": 1e999}')),
    "huge-content": (200, completion('{"colors": ["' + "r" * 2_000_000 + '"]}')),
    "huge-body": (200, b'{"pad": "' + b"x" * (6 * 1024 * 1024) + b'"}'),
    "binary": (200, bytes(range(256)) * 64),
    "latin1": (200, '{"choices": [{"message": {"content": "caf\xe9"}}]}'.encode("latin-1")),
    "utf16": (200, completion('{"colors": ["red"]}').decode().encode("utf-16")),
    "lone-surrogate": (200, b'{"choices": [{"message": {"content": "{\\"colors\\": [\\"\\ud800\\"]}"}}]}'),
    "injected-code": (200, completion("__import__('pathlib').Path(__import__('os').environ"
                                      "['HOSTILE_MARKER']).write_text('ran')")),
    "code-in-json": (200, completion('{"colors": ["__import__(\'os\').system(\'echo pwned\')"]}')),
    "http-500": (500, b"<html><body>Internal Server Error</body></html>"),
    "http-429": (429, b'{"error": {"message": "rate limited"}}'),
    "http-404": (404, b"not found"),
    "not-json": (200, b"<html>hello</html>"),
    "empty-body": (200, b""),
    "not-openai": (200, b'{"result": "ok"}'),
    "json-list": (200, b"[]"),
    "json-string": (200, b'"hello"'),
    "no-choices": (200, b'{"choices": []}'),
    "content-object": (200, completion({"colors": ["red"]})),
    "content-number": (200, completion(42)),
    "terminal-escapes": (200, completion("\x1b]0;owned\x07\x1b[2Jhello\x00 world")),
}
SLOW = {"stall": 40.0, "trickle": 0.5, "short-body": 0.0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _kind(self) -> str:
        return self.path.strip("/").split("/", 1)[0]

    def do_GET(self):
        self._send(200, json.dumps({"data": [{"id": "m"}]}).encode())

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        kind = self._kind()
        if kind == "stall":
            time.sleep(SLOW["stall"])
            self._send(200, REPLIES["prose"][1])
        elif kind == "trickle":  # headers at once, then one byte every half second
            body = REPLIES["ok"][1]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(len(body)):
                try:
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(SLOW["trickle"])
        elif kind == "redirect":  # to somewhere else, hoping the API key follows
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:9/steal")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif kind == "short-body":  # promises more than it sends, then hangs up
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"choices": [')
            self.wfile.flush()
            self.close_connection = True
        else:
            status, body = REPLIES[kind]
            self._send(status, body)

    def _send(self, status: int, body: bytes):
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass


class HostileServer:
    def __init__(self):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, kind: str) -> str:
        return f"http://127.0.0.1:{self.port}/{kind}/v1"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
