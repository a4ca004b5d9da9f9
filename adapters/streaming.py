"""OpenAI chunk deltas from a provider's stream events, the part every backend shares.

A backend reads its own event format and calls ``deltas()`` with the new content, reasoning and
tool-call fragments of one event; this module keeps the OpenAI rules: ``role`` on the first chunk
only, a tool call's ``id``/``type``/``name`` on its first fragment only, and ``finish_reason`` once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import openai_wire
from .jsonwire import loads
from .native import ErrorInfo, NativeError, SSEEvent, StreamState

__all__ = ["deltas", "hold", "hold_into", "openai_like_event", "payload_of"]


def deltas(state: StreamState, *, content: str | None = None, reasoning: str | None = None,
           tool_calls: Sequence[Mapping[str, Any]] | None = None, finish_reason: str | None = None,
           index: int = 0, logprobs: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """The chunks (zero, one or two) one native event becomes; provider extras waiting in
    ``state.extra["pending"]`` (search sources) ride on the first of them."""
    ctx = state.ctx
    delta: dict[str, Any] = {}
    if not state.sent_role:
        delta["role"] = "assistant"
    if content:
        delta["content"] = content
    if reasoning:
        delta["reasoning_content"] = reasoning
    calls = [c for c in (_tool_delta(state, call) for call in tool_calls or []) if c]
    if calls:
        delta["tool_calls"] = calls
    out: list[dict[str, Any]] = []
    meaningful = bool(content or reasoning or calls)
    if meaningful or (not state.sent_role and finish_reason is None):
        if "role" in delta and "content" not in delta and not calls:
            delta["content"] = ""
        out.append(openai_wire.chunk(id=state.id, model=ctx.model, created=ctx.created, delta=delta, index=index,
                                     logprobs=logprobs))
        state.sent_role = True
        delta = {}
    if finish_reason is not None and not state.finished:
        if not state.sent_role:
            delta = {"role": "assistant", "content": ""}
            state.sent_role = True
        out.append(openai_wire.chunk(id=state.id, model=ctx.model, created=ctx.created, delta=delta,
                                     finish_reason=finish_reason, index=index))
        state.finished = True
    if out and state.extra.get("pending"):
        out[0].update(state.extra.pop("pending"))
    return out


def hold_into(target: dict[str, Any], payload: Mapping[str, Any], names: Sequence[str]) -> None:
    """Copy the provider extras ``names`` of a reply (search sources) onto the OpenAI answer."""
    target.update({name: payload[name] for name in names if payload.get(name) is not None})


def hold(state: StreamState, payload: Mapping[str, Any], names: Sequence[str]) -> None:
    """Keep the provider extras ``names`` of an event (search sources) for the next chunk sent."""
    found = {name: payload[name] for name in names if payload.get(name) is not None}
    if found:
        state.extra.setdefault("pending", {}).update(found)


def _tool_delta(state: StreamState, call: Mapping[str, Any]) -> dict[str, Any] | None:
    """One OpenAI tool-call delta from a fragment; the first fragment of an index opens the call."""
    index = int(call.get("index", 0))
    function = call.get("function") or {}
    name = function.get("name") or ""
    arguments = function.get("arguments") or ""
    if not isinstance(arguments, str):
        arguments = openai_wire.tool_call(index, call)["function"]["arguments"]
    seen = state.tool_calls.get(index)
    if seen is None:
        opened = {"id": call.get("id") or f"call_{state.id}_{index}", "name": name}
        state.tool_calls[index] = opened
        return {"index": index, "id": opened["id"], "type": "function",
                "function": {"name": name, "arguments": arguments}}
    if not arguments and not name:
        return None
    fn: dict[str, Any] = {"arguments": arguments}
    if name and name != seen["name"]:
        fn["name"] = name
    return {"index": index, "function": fn}


def payload_of(event: SSEEvent, state: StreamState,
               error: Callable[[Mapping[str, Any]], ErrorInfo | None]) -> Mapping[str, Any] | None:
    """The JSON object of one ``data:`` event (``None`` for ``[DONE]`` and keep-alives), its error
    raised as ``NativeError``; the stream id and any usage it carries are kept in ``state``."""
    data = event.data.strip()
    if not data or data == "[DONE]":
        return None
    payload = loads(data)
    if not isinstance(payload, Mapping):
        raise ValueError(f"a stream event that is not a JSON object: {data[:80]!r}")
    info = error(payload)
    if info is not None:
        raise NativeError(info)
    state.id = state.id or str(payload.get("id") or "")
    if payload.get("usage"):
        state.usage = openai_wire.usage_of(payload["usage"])
    return payload


def openai_like_event(event: SSEEvent, state: StreamState, *, finish: Callable[[Mapping[str, Any]], str | None],
                      error: Callable[[Mapping[str, Any]], ErrorInfo | None],
                      extras: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The chunks of one event of an OpenAI-shaped native stream (``data: {choices: [{delta}]}``).

    ``finish`` reads one native choice and gives OpenAI's finish reason (``None`` while running);
    ``error`` says whether a payload is an error (raised as ``NativeError``). Usage, wherever the
    provider puts it, is kept for the usage chunk; ``[DONE]`` and keep-alive events give nothing.
    The top-level fields ``extras`` (search sources) ride on the next chunk sent.
    """
    payload = payload_of(event, state, error)
    if payload is not None and extras:
        hold(state, payload, extras)
    out: list[dict[str, Any]] = []
    for c in (payload or {}).get("choices") or []:
        delta = c.get("delta") or {}
        out += deltas(state, content=openai_wire.text_of(delta.get("content")),
                      reasoning=delta.get("reasoning_content"), tool_calls=delta.get("tool_calls"),
                      finish_reason=finish(c), index=int(c.get("index", 0)))
    return out
