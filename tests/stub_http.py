"""A tiny scripted HTTP server on 127.0.0.1 for client tests (429, 5xx, slow or broken answers)."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

EMPTY_RESULTS = b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'


@dataclass
class Reply:
    """One scripted answer; ``forward`` sends the request on to a real endpoint instead; status 0 hangs up.

    ``trickle`` sends the whole answer (status line, headers, body) one byte at a time, that many seconds apart.
    """

    status: int = 200
    body: bytes = EMPTY_RESULTS
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/sparql-results+json"})
    delay: float = 0.0
    forward: str | None = None
    trickle: float = 0.0


@dataclass
class Stub:
    url: str
    replies: list[Reply]
    requests: list[dict] = field(default_factory=list)


@contextmanager
def stub_server(replies: list[Reply]) -> Iterator[Stub]:
    """Serve ``replies`` in order (the last one repeats), recording each request."""
    stub = Stub("", replies)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            with lock:
                index = len(stub.requests)
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            reply = stub.replies[min(index, len(stub.replies) - 1)]
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status == 0:
                self.close_connection = True
                return
            status, headers, payload = reply.status, reply.headers, reply.body
            if reply.forward:
                request = urllib.request.Request(
                    reply.forward, data=body, method="POST",
                    headers={"Content-Type": self.headers.get("Content-Type", ""),
                             "Accept": "application/sparql-results+json"},
                )
                with urllib.request.urlopen(request, timeout=30) as answer:
                    status, payload = answer.status, answer.read()
                    headers = {"Content-Type": answer.headers.get("Content-Type", "")}
            if reply.trickle:
                self._trickle(status, headers, payload, reply.trickle)
                return
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _trickle(self, status: int, headers: dict[str, str], payload: bytes, pause: float) -> None:
            head = f"HTTP/1.1 {status} OK\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            raw = (head + f"Content-Length: {len(payload)}\r\n\r\n").encode() + payload
            self.close_connection = True
            try:
                for index in range(len(raw)):
                    self.wfile.write(raw[index : index + 1])
                    self.wfile.flush()
                    time.sleep(pause)
            except OSError:  # the client gave up
                pass

        do_GET = _answer
        do_POST = _answer

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
