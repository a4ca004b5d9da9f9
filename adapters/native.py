"""The small value types that pass between the transport and a backend's pure functions."""

from __future__ import annotations

import time
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .capabilities import Policy

__all__ = ["Context", "ErrorInfo", "FileReply", "NativeError", "NativeRequest", "Plan", "SSEEvent", "StreamState"]


@dataclass
class NativeRequest:
    """One HTTP request in the provider's own protocol; ``path`` is relative to the native root."""

    method: str
    path: str
    json: Mapping[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    stream: bool = False
    #: Set by a backend when a stream-only model serves a non-stream caller: aggregate the events.
    aggregate: bool = False
    #: Another API root on the client's host (its path), for an endpoint outside the native root.
    root: str | None = None
    #: A raw body (a multipart upload) sent instead of ``json``; its content type goes in ``headers``.
    content: bytes | None = None
    #: An absolute URL (a provider's result file): sent as it is, without credentials.
    url: str | None = None
    #: Seconds to wait before sending (polling a task); the wait must fit in the client's timeout.
    delay: float = 0.0
    #: The reply is a file (image, audio), handed back as a ``FileReply``, not parsed as JSON.
    file: bool = False
    #: Set on the polls of a task already submitted (and billed): the error message for a poll that
    #: cannot be answered in time (the wait outlasts the client's timeout, the poll fails). Such an
    #: error is never retried by the openai client, which would submit the task again.
    overdue: str | None = None


@dataclass(frozen=True)
class FileReply:
    """The reply to a ``NativeRequest(file=True)``: the bytes and their content type."""

    content: bytes
    content_type: str = "application/octet-stream"


#: A backend's native requests for one OpenAI request: a list sent in order, or a generator that is
#: sent each reply (parsed JSON or a ``FileReply``) and yields the next request decided from it
#: (submit a task, poll it, fetch its files). A generator may raise ``NativeError`` (a failed task).
Plan = list[NativeRequest] | Generator[NativeRequest, Any, None]


@dataclass(frozen=True)
class ErrorInfo:
    """A provider error, already mapped: HTTP status for the openai SDK and an OpenAI error code.

    ``retry`` overrides the SDK's retry decision (``x-should-retry``): billing failures are 429s
    that must not be retried.
    """

    status: int
    code: str
    message: str
    provider: str
    native_code: str | None = None
    request_id: str | None = None
    type: str | None = None
    param: str | None = None
    retry: bool | None = None
    retry_after: str | None = None


class NativeError(Exception):
    """Raised by a backend's pure functions when a native payload is an error (also mid-stream)."""

    def __init__(self, info: ErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


@dataclass(frozen=True)
class SSEEvent:
    """One server-sent event as the wire carried it (comments kept: DashScope puts status there)."""

    data: str
    event: str | None = None
    id: str | None = None
    comments: tuple[str, ...] = ()


@dataclass
class Context:
    """Per-request facts a translation needs besides the body."""

    provider: str
    model: str
    requested_model: str
    policy: Policy
    variant: str = "default"
    created: int = field(default_factory=lambda: int(time.time()))
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Set by request translation for the response side (e.g. the emulated json_schema to check).
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class StreamState:
    """What a stream translation remembers between events."""

    ctx: Context
    id: str = ""
    sent_role: bool = False
    finished: bool = False
    usage: dict[str, Any] | None = None
    snapshot: str = ""
    reasoning_snapshot: str = ""
    tool_calls: dict[int, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
