"""The emulator's HTTP plumbing: a threading server that reads requests and writes ``Outcome``s.

JSON answers go out with a ``Content-Length``; streams go out chunked, one SSE event per chunk, so
a ``cut`` fault can drop the connection before the terminating chunk (a client sees an incomplete
body, as with a real network failure). All socket I/O of the emulator lives here.
"""

from __future__ import annotations

import gzip
import json
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .wire import Answer, Outcome

__all__ = ["Dispatch", "Server"]

Dispatch = Callable[[str, str, dict[str, str], bytes], Outcome]   # method, target, headers, body
MALFORMED = b'{"choices": [{"message": {"content": "trunc'
HTML = b"<!DOCTYPE html><html><head><title>Gateway</title></head><body>Please sign in.</body></html>"


class Server(ThreadingHTTPServer):
    """Serves every request through ``dispatch``; ``close_connections`` hangs up on open clients."""

    daemon_threads = True
    #: The listen backlog: a test suite's burst of concurrent clients must queue, not be reset (the
    #: standard library's default of 5 refused a quarter of 200 concurrent requests).
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], dispatch: Dispatch) -> None:
        super().__init__(address, _Handler)
        self.dispatch = dispatch
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, cut streams, ``stop()``) are normal here, not news."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def close_connections(self) -> None:
        with self.connections_lock:
            live, self.connections = list(self.connections), set()
        for sock in live:
            _hang_up(sock)


def _hang_up(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate small writes: without TCP_NODELAY, Nagle's algorithm and
        # the client's delayed ACK hold every answer back ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002  (quiet: tests read requests)
        return

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_GET

    def _serve(self) -> None:
        body = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        outcome = self.server.dispatch(self.command, self.path, headers, body)
        try:
            if outcome.fault == "malformed":
                self._send_bytes(200, MALFORMED, "application/json", {})
            elif outcome.fault == "html":
                self._send_bytes(200, HTML, "text/html; charset=utf-8", {})
            elif outcome.fault == "empty":
                self._send_bytes(200, b"", outcome.answer.headers.get("content-type", "application/json"), {})
            elif outcome.answer.raw is not None:
                answer = outcome.answer
                self._send_bytes(answer.status, outcome.answer.raw, answer.content_type, answer.headers)
            elif outcome.answer.is_stream:
                self._send_stream(outcome)
            else:
                self._send_json(outcome.answer, cut=outcome.fault == "cut", encoded=outcome.fault == "gzip")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, answer: Answer, *, cut: bool, encoded: bool = False) -> None:
        data = json.dumps(answer.body, ensure_ascii=False).encode()
        if encoded:
            self._send_bytes(answer.status, gzip.compress(data), "application/json",
                             {**answer.headers, "Content-Encoding": "gzip"})
            return
        if cut:
            self._send_head(answer.status, "application/json", answer.headers, length=len(data))
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._abort()
            return
        self._send_bytes(answer.status, data, "application/json", answer.headers)

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: Mapping[str, str]) -> None:
        self._send_head(status, content_type, headers, length=len(data))
        self.wfile.write(data)
        self.wfile.flush()

    def _send_head(self, status: int, content_type: str, headers: Mapping[str, str], *, length: int | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in dict(headers).items():
            self.send_header(name, value)
        self.end_headers()

    def _send_stream(self, outcome: Outcome) -> None:
        events = list(outcome.answer.events or ())
        half = max(1, len(events) // 2)
        if outcome.fault == "midstream":
            events = [*events[:half], outcome.stream_error]
        elif outcome.fault in ("cut", "truncated"):
            events = events[:half]
        self._send_head(200, "text/event-stream; charset=utf-8", outcome.answer.headers, length=None)
        for event in events:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        if outcome.fault == "cut":
            self._abort()
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _abort(self) -> None:
        """Drop the connection without finishing the body (what a cut stream looks like)."""
        self.close_connection = True
        _hang_up(self.connection)


