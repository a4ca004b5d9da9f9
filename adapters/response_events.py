"""A chat completion stream turned into the Responses API's server-sent events, without I/O.

The openai SDK (``responses.create(stream=True)`` and ``responses.stream()``) expects, each frame
``event: <type>`` + ``data: {"type", "sequence_number", ...}`` (shared/reference/responses.md §2):

    response.created -> response.in_progress
    per item: response.output_item.added ... response.output_item.done
        reasoning:      response.reasoning_text.delta* -> response.reasoning_text.done
        message:        response.content_part.added -> response.output_text.delta*
                        -> response.output_text.done -> response.content_part.done
        function call:  response.function_call_arguments.delta* -> response.function_call_arguments.done
    response.completed (or response.incomplete), with the whole output and the usage

Items come in the order the chat stream opens them: reasoning, text, then the tool calls (those
stay open until the stream ends, so fragments of parallel calls may interleave).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .jsonwire import dumps_text, loads
from .native import ErrorInfo, NativeError, SSEEvent
from .responses import (
    INCOMPLETE,
    Translation,
    function_call_item,
    message_item,
    new_id,
    output_text,
    reasoning_item,
    response_object,
    usage_from_chat,
)

__all__ = ["ResponseEvents", "encode_event", "relay"]

_ENCODE = dumps_text


def encode_event(event: Mapping[str, Any]) -> bytes:
    """One ``event:`` + ``data:`` frame."""
    return b"event: " + str(event["type"]).encode() + b"\ndata: " + _ENCODE(event).encode() + b"\n\n"


def relay(event: SSEEvent, error: Callable[[Mapping[str, Any]], ErrorInfo | None],
          provider: str) -> dict[str, Any] | None:
    """The payload of one event of a provider's own (OpenAI-shaped) Responses stream; ``None`` for
    keep-alives and ``[DONE]``; an error event raised as ``NativeError``."""
    data = event.data.strip()
    if not data or data == "[DONE]":
        return None
    payload = loads(data)
    if not isinstance(payload, Mapping) or not payload.get("type"):
        raise ValueError(f"a Responses stream event without a type: {data[:80]!r}")
    info = error(payload)
    if info is None and payload["type"] == "error":
        info = ErrorInfo(500, str(payload.get("code") or "server_error"), str(payload.get("message") or data[:200]),
                         provider)
    if info is not None:
        raise NativeError(info)
    return dict(payload)


class _Item:
    """An output item being streamed: its index, id and the text (or arguments) so far."""

    def __init__(self, kind: str, index: int, ident: str, name: str = "") -> None:
        self.kind, self.index, self.id, self.name = kind, index, ident, name
        self.text: list[str] = []
        #: A text delta's fields between its sequence number and its text, encoded once.
        self.where = f',"item_id":{_ENCODE(ident)},"output_index":{index},"content_index":0,"delta":'.encode()


_DELTA = b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":'
_DELTA_TAIL = b',"logprobs":[]}\n\n'


class ResponseEvents:
    """Feed it chat chunk dicts; it gives the frames of the Responses events they amount to.

    ``events(chunk)`` gives the events themselves; ``feed(chunk)`` their frames, a text delta of the
    open message written straight to bytes (the hot path of a long answer).
    """

    def __init__(self, tr: Translation, model: str) -> None:
        self.tr, self.model = tr, model
        self.sequence = 0
        self.output: dict[int, dict[str, Any]] = {}
        self.started = False
        self.finish_reason: str | None = None
        self.usage: Mapping[str, Any] | None = None
        self.response: dict[str, Any] | None = None
        self._open: _Item | None = None  # the reasoning or message item being written
        self._calls: dict[int, _Item] = {}  # chat tool-call index -> its open function_call item

    def feed(self, chunk: Mapping[str, Any]) -> bytes:
        choices = chunk.get("choices")
        item = self._open
        if item is not None and item.kind == "message" and choices and len(choices) == 1 and not chunk.get("usage"):
            delta = choices[0].get("delta") or {}
            text = delta.get("content")
            if text and len(delta) == 1 and not choices[0].get("finish_reason"):  # just more text
                item.text.append(text)
                self.sequence += 1
                return b"".join((_DELTA, str(self.sequence - 1).encode(), item.where, _ENCODE(text).encode(),
                                 _DELTA_TAIL))
        return b"".join(encode_event(e) for e in self.events(chunk))

    def events(self, chunk: Mapping[str, Any]) -> list[dict[str, Any]]:
        out = self._start()
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("reasoning_content"):
                out += self._write("reasoning", delta["reasoning_content"])
            if delta.get("content"):
                out += self._write("message", delta["content"])
            for call in delta.get("tool_calls") or []:
                out += self._call(call)
            if choice.get("finish_reason"):
                self.finish_reason = choice["finish_reason"]
        if chunk.get("usage"):
            self.usage = chunk["usage"]
        return out

    def finish(self, usage: Mapping[str, Any] | None = None) -> bytes:
        """Close every open item and end with ``response.completed`` (``response.incomplete`` when
        the answer was cut by ``max_output_tokens`` or the content filter)."""
        out = self._start()
        if not self.output and self._open is None and not self._calls:
            out += self._write("message", "")  # an empty answer is still one (empty) message
        out += self._close_open() + self._close_calls()
        status = "incomplete" if self.finish_reason in INCOMPLETE else "completed"
        output = [self.output[i] for i in sorted(self.output)]
        self.response = response_object(self.tr, model=self.model, status=status, output=output,
                                        usage=usage_from_chat(usage or self.usage), finish_reason=self.finish_reason)
        out.append(self._event(f"response.{status}", response=self.response))
        return b"".join(encode_event(e) for e in out)

    # -- events ------------------------------------------------------------------------------------

    def _event(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self.sequence, **fields}
        self.sequence += 1
        return event

    def _start(self) -> list[dict[str, Any]]:
        if self.started:
            return []
        self.started = True
        head = response_object(self.tr, model=self.model, status="in_progress", output=[])
        return [self._event("response.created", response=head), self._event("response.in_progress", response=head)]

    def _next_index(self) -> int:
        return len(self.output) + (self._open is not None) + len(self._calls)

    def _write(self, kind: str, text: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        item = self._open
        if item is None or item.kind != kind:
            out += self._close_open() + self._close_calls()
            item = self._open = _Item(kind, self._next_index(), new_id("rs" if kind == "reasoning" else "msg"))
            if kind == "reasoning":
                out.append(self._event("response.output_item.added", output_index=item.index,
                                       item=reasoning_item(item.id, None, "in_progress")))
            else:
                out.append(self._event("response.output_item.added", output_index=item.index,
                                       item=message_item(item.id, None, "in_progress")))
                out.append(self._event("response.content_part.added", item_id=item.id, output_index=item.index,
                                       content_index=0, part=output_text("")))
        item.text.append(text)
        where = {"item_id": item.id, "output_index": item.index, "content_index": 0}
        if not text:
            pass
        elif kind == "reasoning":
            out.append(self._event("response.reasoning_text.delta", **where, delta=text))
        else:
            out.append(self._event("response.output_text.delta", **where, delta=text, logprobs=[]))
        return out

    def _close_open(self) -> list[dict[str, Any]]:
        item, self._open = self._open, None
        if item is None:
            return []
        text = "".join(item.text)
        where = {"item_id": item.id, "output_index": item.index, "content_index": 0}
        if item.kind == "reasoning":
            done = reasoning_item(item.id, text, "completed")
            out = [self._event("response.reasoning_text.done", **where, text=text)]
        else:
            done = message_item(item.id, text, "completed")
            out = [self._event("response.output_text.done", **where, text=text, logprobs=[]),
                   self._event("response.content_part.done", **where, part=output_text(text))]
        self.output[item.index] = done
        out.append(self._event("response.output_item.done", output_index=item.index, item=done))
        return out

    def _call(self, call: Mapping[str, Any]) -> list[dict[str, Any]]:
        index = int(call.get("index", 0))
        fn = call.get("function") or {}
        out: list[dict[str, Any]] = []
        item = self._calls.get(index)
        if item is None:
            out += self._close_open()
            item = _Item("function_call", self._next_index(), str(call.get("id") or new_id("call")),
                         fn.get("name") or "")
            self._calls[index] = item
            added = function_call_item(item.id, item.name, "", "in_progress")
            out.append(self._event("response.output_item.added", output_index=item.index, item=added))
        arguments = fn.get("arguments") or ""
        if arguments:
            item.text.append(arguments)
            out.append(self._event("response.function_call_arguments.delta", item_id=_call_item_id(item),
                                   output_index=item.index, delta=arguments))
        return out

    def _close_calls(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for item in self._calls.values():
            arguments = "".join(item.text) or "{}"
            done = function_call_item(item.id, item.name, arguments, "completed")
            self.output[item.index] = done
            out.append(self._event("response.function_call_arguments.done", item_id=done["id"],
                                   output_index=item.index, name=item.name, arguments=arguments))
            out.append(self._event("response.output_item.done", output_index=item.index, item=done))
        self._calls.clear()
        return out


def _call_item_id(item: _Item) -> str:
    return str(function_call_item(item.id, item.name, "", "in_progress")["id"])
