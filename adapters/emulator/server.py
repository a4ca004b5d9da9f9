"""The emulator's HTTP server: routing, recording, faults and sending (the only I/O here).

    with Emulator() as emu:                        # 127.0.0.1, a free port, a background thread
        emu.base_url("zhipu")                      # http://127.0.0.1:PORT/api/paas/v4
        emu.requests[-1].headers["authorization"]  # what the client sent

Every provider lives on its own path prefix, so one server speaks them all: DashScope
``/api/v1/...`` and ``/compatible-mode/v1/...``, Zhipu ``/api/paas/v4/...``, Qianfan v2 ``/v2/...``,
Qianfan v1 ``/rpc/2.0/ai_custom/v1/wenxinworkshop/...`` and ``/oauth/2.0/token``. What each answers
is decided by the provider modules (pure functions over a ``RecordedRequest``).
"""

from __future__ import annotations

import collections
import json
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from . import dashscope, dashscope_compat, qianfan, qianfan_v1, zhipu
from .faults import Fault, FaultBook
from .replies import Reply, request_key
from .wire import Answer, Dialect, RecordedRequest, json_answer

__all__ = ["PROVIDERS", "Emulator", "RecordedRequest", "serve_forever"]

DIALECTS: tuple[Dialect, ...] = cast(
    "tuple[Dialect, ...]", (dashscope, dashscope_compat, zhipu, qianfan, qianfan_v1)
)
PROVIDERS = ("dashscope", "zhipu", "qianfan", "qianfan-v1")
_NATIVE_ROOTS = {"dashscope": "/api/v1", "zhipu": "/api/paas/v4", "qianfan": "/v2", "qianfan-v1": ""}
_COMPAT_ROOTS = {"dashscope": "/compatible-mode/v1", "zhipu": "/api/paas/v4", "qianfan": "/v2"}


class Emulator:
    """A loopback server speaking DashScope, Zhipu and Qianfan (v2 and v1) at once."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.requests: list[RecordedRequest] = []
        self._faults = FaultBook()
        self._scripts: dict[str, collections.deque[Reply]] = {}
        self._keys: dict[str, set[str]] = {}
        self._tokens: dict[str, int] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def bind(self) -> None:
        """Open the listening socket (``start`` does this too)."""
        if self._server is None:
            self._stopping.clear()
            self._server = _Server((self.host, self.port), _Handler, self)
            self.port = self._server.server_address[1]

    def start(self) -> Emulator:
        """Listen and serve in a background thread."""
        self.bind()
        assert self._server is not None
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, name="qianyi-emulator", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every connection (safe to call twice)."""
        self._stopping.set()
        server, self._server = self._server, None
        if server is not None:
            if self._thread is not None:
                server.shutdown()
            server.close_connections()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Emulator({self.url if self._server else 'stopped'})"

    # --- addresses ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the port is known once started)."""
        return f"http://{self.host}:{self.port}"

    def base_url(self, provider: str) -> str:
        """The provider's native API root on this server (``qianfan-v1``: the host root)."""
        return self.url + _NATIVE_ROOTS[_provider(provider)]

    def compat_base_url(self, provider: str) -> str:
        """The provider's OpenAI-compatible root (for the codemods' ``compat`` style)."""
        if provider not in _COMPAT_ROOTS:
            raise ValueError(f"{provider!r} has no OpenAI-compatible endpoint; use one of {', '.join(_COMPAT_ROOTS)}")
        return self.url + _COMPAT_ROOTS[provider]

    # --- test controls --------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget recorded requests, scripted replies, faults and registered keys.

        Issued Qianfan v1 tokens stay valid (an SDK may cache one across tests); ``expire_tokens``
        ends them."""
        with self._lock:
            self.requests.clear()
            self._scripts.clear()
            self._keys.clear()
        self._faults.clear()

    def script(self, provider: str, *replies: Reply | str) -> None:
        """Queue replies (a ``Reply`` or plain text) for the next chat calls to ``provider``."""
        queue = self._scripts.setdefault(_provider(provider), collections.deque())
        with self._lock:
            queue.extend(r if isinstance(r, Reply) else Reply(text=r) for r in replies)

    def fail(
        self,
        provider: str,
        status: int = 429,
        code: str | int | None = None,
        message: str | None = None,
        *,
        times: int = 1,
        retry_after: float | None = None,
        kind: str = "error",
        endpoint: str | None = None,
        delay: float = 5.0,
    ) -> None:
        """Make the next ``times`` requests to ``provider`` (and ``endpoint``: chat, embeddings,
        token) fail as ``kind`` — see ``faults.py``; ``code``/``message`` default to the provider's."""
        self._faults.add(Fault(_provider(provider), kind, status, code, message, times, retry_after, delay, endpoint))

    def add_key(self, provider: str, key: str) -> None:
        """Accept only registered keys for ``provider`` from now on (by default any key but
        ``"invalid"`` passes); a Zhipu ``id.secret`` key also lets the emulator check JWT signatures."""
        with self._lock:
            self._keys.setdefault(_provider(provider), set()).add(key)

    def expire_tokens(self) -> None:
        """Make every Qianfan v1 access token issued so far expired (error 111 on use)."""
        with self._lock:
            self._generation += 1

    # --- Context (what provider modules may ask) ------------------------------------------------

    def next_reply(self, provider: str) -> Reply | None:
        with self._lock:
            queue = self._scripts.get(provider)
            return queue.popleft() if queue else None

    def known_key(self, provider: str, key: str) -> bool:
        with self._lock:
            registered = self._keys.get(provider)
        return bool(key) and key != "invalid" and (registered is None or key in registered)

    def zhipu_secret(self, key_id: str) -> str | None:
        with self._lock:
            keys = list(self._keys.get("zhipu", ()))
        return next((k.partition(".")[2] for k in keys if k.partition(".")[0] == key_id), None)

    def issue_token(self, ak: str, sk: str) -> str:
        with self._lock:
            generation = self._generation
            key = request_key("qianfan-v1", ak, sk, generation)
            token = f"24.{key}.2592000.{1769817600 + generation}.282335-{int(key[:6], 16)}"
            self._tokens[token] = generation
        return token

    def token_status(self, token: str) -> str:
        with self._lock:
            generation = self._tokens.get(token)
            current = self._generation
        if generation is None:
            return "unknown"
        return "valid" if generation == current else "expired"

    # --- serving --------------------------------------------------------------------------------

    def _dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[
        Answer, Fault | None, Dialect | None, RecordedRequest | None
    ]:
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        for dialect in DIALECTS:
            endpoint = dialect.endpoint(path)
            if endpoint is not None:
                break
        else:
            return _not_served(method, path), None, None, None
        request = RecordedRequest(dialect.NAME, endpoint, method, path, dict(parse_qsl(parts.query)),
                                  headers, body, _json_or_none(body))
        with self._lock:
            self.requests.append(request)
        fault = self._faults.take(dialect.NAME, endpoint)
        if fault is not None and fault.kind == "error":
            answer = dialect.error(fault.status, fault.code, fault.message, request)
            if fault.retry_after is not None:
                answer = Answer(answer.status, answer.body, {**answer.headers,
                                                             "Retry-After": _seconds(fault.retry_after)})
            return answer, None, dialect, request
        if fault is not None and fault.kind == "timeout":
            self._stopping.wait(fault.delay)
        try:
            answer = dialect.handle(request, self)
        except Exception as exc:  # an emulator bug must still answer, in the provider's shape
            answer = dialect.error(500, None, f"emulator error: {type(exc).__name__}: {exc}", request)
        return answer, fault, dialect, request


def _provider(name: str) -> str:
    if name not in PROVIDERS:
        raise ValueError(f"unknown provider {name!r}; the emulator speaks {', '.join(PROVIDERS)}")
    return name


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _not_served(method: str, path: str) -> Answer:
    roots = ", ".join(sorted({*_NATIVE_ROOTS.values(), *_COMPAT_ROOTS.values()} - {""}))
    return json_answer({"error": {"code": "not_found", "message": f"The emulator serves no {method} {path}; "
                                  f"API roots are {roots} and /rpc/2.0/ai_custom/v1/wenxinworkshop."}}, 404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], emulator: Emulator) -> None:
        super().__init__(address, handler)
        self.emulator = emulator
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
    server: _Server

    def setup(self) -> None:
        super().setup()
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
        emulator = self.server.emulator
        answer, fault, dialect, request = emulator._dispatch(self.command, self.path, headers, body)
        try:
            if fault is not None and fault.kind == "malformed":
                self._send_bytes(200, b'{"choices": [{"message": {"content": "trunc', "application/json", {})
            elif answer.is_stream:
                self._send_stream(answer, fault, dialect, request)
            else:
                self._send_json(answer, cut=fault is not None and fault.kind == "cut")
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

    def _send_json(self, answer: Answer, *, cut: bool) -> None:
        data = json.dumps(answer.body, ensure_ascii=False).encode()
        if cut:
            self._send_head(answer.status, "application/json", answer.headers, length=len(data))
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self._abort()
            return
        self._send_bytes(answer.status, data, "application/json", answer.headers)

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: Any) -> None:
        self._send_head(status, content_type, headers, length=len(data))
        self.wfile.write(data)
        self.wfile.flush()

    def _send_head(self, status: int, content_type: str, headers: Any, *, length: int | None) -> None:
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

    def _send_stream(
        self, answer: Answer, fault: Fault | None, dialect: Dialect | None, request: RecordedRequest | None
    ) -> None:
        events = list(answer.events or ())
        half = max(1, len(events) // 2)
        if fault is not None and fault.kind == "midstream" and dialect is not None and request is not None:
            events = [*events[:half], dialect.stream_error(fault.status, fault.code, fault.message, request)]
        self._send_head(200, "text/event-stream; charset=utf-8", answer.headers, length=None)
        cut = fault is not None and fault.kind == "cut"
        for event in events[:half] if cut else events:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
            self.wfile.flush()
        if cut:
            self._abort()
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _abort(self) -> None:
        """Drop the connection without finishing the body (what a cut stream looks like)."""
        self.close_connection = True
        _hang_up(self.connection)


def serve_forever(host: str = "127.0.0.1", port: int = 0, ready: Callable[[str], None] | None = None) -> None:
    """Serve in the calling thread until interrupted; ``ready(url)`` runs once listening."""
    emulator = Emulator(host, port)
    emulator.bind()
    assert emulator._server is not None
    if ready is not None:
        ready(emulator.url)
    try:
        emulator._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
