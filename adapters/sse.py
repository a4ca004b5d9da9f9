"""Server-sent events, both directions, without I/O.

Providers differ in spacing (DashScope writes ``data:{...}`` with no space and puts the status in a
``:HTTP_STATUS/200`` comment), so the decoder keeps comments and tolerates both forms. A bare JSON
line (Qianfan may send an error object without ``data:`` mid-stream) is read as a data line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .jsonwire import dumps
from .native import SSEEvent

__all__ = ["BARE", "DONE", "SSEDecoder", "encode_data", "to_json"]

DONE = b"data: [DONE]\n\n"
#: The ``event`` of an ``SSEEvent`` made from a bare JSON line outside the SSE framing.
BARE = "bare-json"


class SSEDecoder:
    """Feed it lines (without their ending); it returns an event at each blank line."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._comments: list[str] = []

    def feed(self, line: str) -> SSEEvent | None:
        line = line.rstrip("\r\n")
        if line.startswith("data:"):  # the hot path: most lines are data
            self._data.append(line[6:] if line.startswith("data: ") else line[5:])
            return None
        if not line:
            return self.flush()
        if line.startswith(":"):
            self._comments.append(line[1:].strip())
            return None
        if line.startswith("{"):  # a bare JSON line (Qianfan sends errors so): an event of its own
            return SSEEvent(line, BARE)
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        return None

    def flush(self) -> SSEEvent | None:
        """The pending event, if any (call at end of stream too: some servers omit the last blank)."""
        if not self._data and self._event is None:
            self._comments.clear()
            return None
        event = SSEEvent("\n".join(self._data), self._event, self._id, tuple(self._comments))
        self._data, self._event, self._id, self._comments = [], None, None, []
        return event


def to_json(payload: Mapping[str, Any]) -> bytes:
    """A JSON body as the adapter writes every one: UTF-8, compact."""
    return dumps(payload)


def encode_data(payload: Mapping[str, Any]) -> bytes:
    """One OpenAI-style ``data:`` frame."""
    return b"data: " + dumps(payload) + b"\n\n"
