"""The emulator: routing, recording, faults, test controls (the socket work is in ``httpd.py``).

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
import threading
from collections.abc import Callable
from dataclasses import replace
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from . import (
    dashscope,
    dashscope_compat,
    dashscope_media,
    dashscope_responses,
    files,
    httpd,
    qianfan,
    qianfan_images,
    qianfan_v1,
    zhipu,
    zhipu_audio,
    zhipu_media,
)
from .faults import Fault, FaultBook
from .replies import Reply, request_key
from .tasks import TaskBook
from .wire import Answer, Dialect, Outcome, RecordedRequest, json_answer

__all__ = ["PROVIDERS", "Emulator", "RecordedRequest", "serve_forever"]

DIALECTS: tuple[Dialect, ...] = cast(
    "tuple[Dialect, ...]", (files, dashscope_media, dashscope, dashscope_responses, dashscope_compat, zhipu_media,
                            zhipu_audio, zhipu, qianfan_images, qianfan, qianfan_v1)
)
PROVIDERS = ("dashscope", "zhipu", "qianfan", "qianfan-v1")
_NATIVE_ROOTS = {"dashscope": "/api/v1", "zhipu": "/api/paas/v4", "qianfan": "/v2", "qianfan-v1": ""}
_COMPAT_ROOTS = {"dashscope": "/compatible-mode/v1", "zhipu": "/api/paas/v4", "qianfan": "/v2"}


class Emulator:
    """A loopback server speaking DashScope, Zhipu and Qianfan (v2 and v1) at once."""

    #: Requests kept in ``requests`` (the oldest are forgotten past it), so a long-running
    #: ``migrate emulate`` or a soak test does not grow without bound.
    MAX_REQUESTS = 10_000

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, max_requests: int = MAX_REQUESTS) -> None:
        if max_requests < 1:
            raise ValueError(f"max_requests must be at least 1, not {max_requests}")
        self.host, self.port, self.max_requests = host, port, max_requests
        self.requests: list[RecordedRequest] = []
        self._faults = FaultBook()
        self.tasks = TaskBook()
        self._scripts: dict[str, collections.deque[Reply]] = {}
        self._keys: dict[str, set[str]] = {}
        self._tokens: dict[str, int] = {}
        self._generation = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: httpd.Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------------

    def bind(self) -> None:
        """Open the listening socket (``start`` does this too)."""
        if self._server is None:
            self._stopping.clear()
            self._server = httpd.Server((self.host, self.port), self.dispatch)
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
        self.tasks.clear()

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
        skip: int = 0,
    ) -> None:
        """Make the next ``times`` requests to ``provider`` (and ``endpoint``: chat, embeddings,
        token), after ``skip`` of them went through, fail as ``kind`` — see ``faults.py``;
        ``code``/``message`` default to the provider's."""
        self._faults.add(Fault(_provider(provider), kind, status, code, message, times, retry_after, delay, endpoint,
                               skip))

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

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Outcome:
        """Route, record, apply any pending fault and answer one request (called by ``httpd``)."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        for dialect in DIALECTS:
            endpoint = dialect.endpoint(path)
            if endpoint is not None:
                break
        else:
            return Outcome(_not_served(method, path))
        request = RecordedRequest(dialect.NAME, endpoint, method, path, dict(parse_qsl(parts.query)),
                                  headers, body, _json_or_none(body))
        with self._lock:
            self.requests.append(request)
            if len(self.requests) > self.max_requests:
                del self.requests[: len(self.requests) - self.max_requests]
        fault = self._faults.take(dialect.NAME, endpoint)
        if fault is not None and fault.kind == "error":
            answer = dialect.error(fault.status, fault.code, fault.message, request)
            if fault.retry_after is not None:
                answer = replace(answer, headers={**answer.headers, "Retry-After": _seconds(fault.retry_after)})
            return Outcome(answer)
        if fault is not None and fault.kind == "timeout":
            self._stopping.wait(fault.delay)
        try:
            answer = dialect.handle(request, self)
        except Exception as exc:  # an emulator bug must still answer, in the provider's shape
            answer = dialect.error(500, None, f"emulator error: {type(exc).__name__}: {exc}", request)
        if fault is None or fault.kind == "timeout":
            return Outcome(answer)
        midstream = dialect.stream_error(fault.status, fault.code, fault.message, request)
        if fault.kind == "midstream" and not answer.is_stream:
            return Outcome(dialect.error(fault.status, fault.code, fault.message, request))
        return Outcome(answer, fault.kind, midstream)


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
