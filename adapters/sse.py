"""Server-sent events, both directions, without I/O.

Providers differ in spacing (DashScope writes ``data:{...}`` with no space and puts the status in a
``:HTTP_STATUS/200`` comment), so the decoder keeps comments and tolerates both forms. A bare JSON
line (Qianfan may send an error object without ``data:`` mid-stream) is read as a data line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .jsonwire import dumps, dumps_text
from .native import SSEEvent

__all__ = ["BARE", "DONE", "ChunkFrames", "SSEDecoder", "encode_data", "to_json"]

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

    def feed_lines(self, lines: list[str]) -> list[SSEEvent]:
        """``feed`` for the lines of a network chunk (without their endings, ``\r`` included): the
        events they end, in order. Data lines, most of a stream, are taken here."""
        events: list[SSEEvent] = []
        for line in lines:
            if line.startswith("data:"):
                self._data.append(line[6:] if line.startswith("data: ") else line[5:])
                continue
            event = self.feed(line)
            if event is not None:
                events.append(event)
        return events

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


#: Stands for a text delta while a chunk's frame is cut into the bytes before and after it.
_HOLE = "\x00qianyi-text\x00"


class ChunkFrames:
    """``encode_data`` for the chunks of one chat stream. Most of them carry only a piece of text
    (``{"choices": [{"index", "delta": {"content"}, "finish_reason": null, "logprobs": null}]}`` under
    the stream's id, model and creation time): those are written into the bytes the same chunk with
    any other text encodes to, cut once per stream head; every other chunk is encoded whole."""

    def __init__(self) -> None:
        self._head: tuple[Any, ...] = ()
        self._around: tuple[bytes, bytes] = (b"", b"")

    def __call__(self, chunk: Mapping[str, Any]) -> bytes:
        text = _text_only(chunk)
        if text is None:
            return encode_data(chunk)
        choice = chunk["choices"][0]
        head = (chunk["id"], chunk["created"], chunk["model"], choice["index"])
        if head != self._head:
            start, _, end = dumps_text({**chunk, "choices": [{**choice, "delta": {"content": _HOLE}}]}) \
                .partition(dumps_text(_HOLE))
            self._head, self._around = head, (b"data: " + start.encode(), end.encode() + b"\n\n")
        before, after = self._around
        return before + dumps_text(text).encode() + after


#: The keys of a chunk and of its choice, in the order ``openai_wire.chunk`` writes them.
_CHUNK = ("id", "object", "created", "model", "choices")
_CHOICE = ("index", "delta", "finish_reason", "logprobs")


def _text_only(chunk: Mapping[str, Any]) -> str | None:
    """The text of a chunk that carries nothing else (keys as ``openai_wire.chunk`` writes them), or ``None``."""
    if tuple(chunk) != _CHUNK or chunk["object"] != "chat.completion.chunk":
        return None
    choices = chunk["choices"]
    if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choices[0], dict):
        return None
    choice = choices[0]
    if tuple(choice) != _CHOICE or choice["finish_reason"] is not None or choice["logprobs"] is not None:
        return None
    delta = choice["delta"]
    if not isinstance(delta, dict) or len(delta) != 1:
        return None
    text = delta.get("content")
    return text if isinstance(text, str) else None
