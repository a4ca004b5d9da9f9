"""The values passed between the HTTP server and the provider modules (no I/O here).

A provider module (a ``Dialect``) names the endpoint a path belongs to, turns a ``RecordedRequest``
into an ``Answer`` (a JSON body, or SSE frames), and knows its own error shapes. ``Context`` is
what it may ask of the running emulator: the next scripted reply, Zhipu secrets, Qianfan tokens.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .replies import Reply, request_key
from .tasks import TaskBook

__all__ = [
    "Answer", "Context", "Dialect", "Outcome", "RecordedRequest", "Rejected", "file_answer", "json_answer", "obj", "sse_answer", "uuid_like",
]


class Rejected(Exception):
    """A request the live API refuses: HTTP ``status``, the provider's ``code`` and message."""

    def __init__(self, message: str, status: int = 400, code: str | int | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


_SECRET_HEADERS = {"authorization", "x-api-key"}
_SECRET_QUERY = {"access_token", "client_secret", "client_id"}


@dataclass(frozen=True, repr=False)
class RecordedRequest:
    """One request as the emulator received it (``headers`` keys are lower-case)."""

    provider: str
    endpoint: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    json: Any = None

    def __repr__(self) -> str:
        # Credentials stay out of reprs (and so out of pytest's assertion output).
        headers = {k: ("<redacted>" if k in _SECRET_HEADERS else v) for k, v in self.headers.items()}
        query = {k: ("<redacted>" if k in _SECRET_QUERY else v) for k, v in self.query.items()}
        return (f"RecordedRequest(provider={self.provider!r}, {self.method} {self.path}, query={query!r}, "
                f"headers={headers!r}, json={self.json!r})")

    @property
    def bearer(self) -> str | None:
        """The credential of an ``Authorization: Bearer ...`` header (``None`` when absent)."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer":
            return token.strip() or None
        return value.strip() or None

    @property
    def key(self) -> str:
        """32 hex digits derived from the request, for deterministic ids."""
        return request_key(self.method, self.path, self.body.decode("utf-8", "replace"))


@dataclass(frozen=True)
class Answer:
    """What to send back: a JSON ``body``, for a stream SSE ``events`` (already framed), or ``raw``
    bytes of ``content_type`` (an image or audio file)."""

    status: int = 200
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    events: tuple[bytes, ...] | None = None
    raw: bytes | None = None
    content_type: str = "application/octet-stream"

    @property
    def is_stream(self) -> bool:
        return self.events is not None


@dataclass(frozen=True)
class Outcome:
    """An answer plus how to spoil it: ``fault`` is a ``faults.KINDS`` kind other than ``error`` and
    ``timeout``, or ``None``; ``stream_error`` is the frame a midstream fault sends after half the events."""

    answer: Answer
    fault: str | None = None
    stream_error: bytes = b""


def obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one (request fields may be anything)."""
    return value if isinstance(value, dict) else {}


def json_answer(body: Any, status: int = 200, **headers: str) -> Answer:
    return Answer(status=status, body=body, headers=headers)


def file_answer(data: bytes, content_type: str, **headers: str) -> Answer:
    return Answer(raw=data, content_type=content_type, headers=headers)


def sse_answer(events: list[bytes], **headers: str) -> Answer:
    return Answer(events=tuple(events), headers=headers)


def dumps(payload: Any) -> str:
    """Compact JSON as the providers send it (UTF-8 text, not ``\\u`` escapes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def uuid_like(key: str) -> str:
    """A request id in UUID layout made from 32 hex digits."""
    return f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:32]}"


class Context(Protocol):
    """What a provider module may ask of the running emulator."""

    def next_reply(self, provider: str) -> Reply | None: ...

    def zhipu_secret(self, key_id: str) -> str | None: ...

    def issue_token(self, ak: str, sk: str) -> str: ...

    def token_status(self, token: str) -> str:
        """``"valid"``, ``"expired"`` or ``"unknown"``."""
        ...

    def known_key(self, provider: str, key: str) -> bool: ...

    @property
    def tasks(self) -> TaskBook:
        """Asynchronous tasks (DashScope image tasks) and how many polls they take."""
        ...


class Dialect(Protocol):
    """A provider module: one wire format (DashScope native, compatible mode, Zhipu, ...)."""

    NAME: str

    def endpoint(self, path: str) -> str | None:
        """``"chat"``, ``"embeddings"``, ``"token"``..., or ``None`` when the path is not this dialect's."""
        ...

    def handle(self, request: RecordedRequest, ctx: Context) -> Answer: ...

    def error(self, status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> Answer:
        """The provider's error answer for ``status`` (its usual code and text when not given)."""
        ...

    def stream_error(self, status: int, code: str | int | None, message: str | None, request: RecordedRequest) -> bytes:
        """The frame(s) the provider sends when an open stream fails."""
        ...
