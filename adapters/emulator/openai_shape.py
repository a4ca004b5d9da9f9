"""OpenAI-shaped chat bodies, read and written, for the providers whose native API looks like it.

Zhipu v4, Qianfan v2 and DashScope's compatible mode all take ``{"model", "messages", ...}`` and
answer ``choices``/``delta`` with ``data: [DONE]``; they differ in small ways a ``Style`` names:
whether ``object`` is sent, whether ``delta.role`` repeats, where stream usage goes, tool-call ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .replies import ChatCall, Message, Tool, Turn, pieces
from .wire import dumps, obj

__all__ = ["DONE", "Style", "chat_call", "chunks", "chunk", "completion", "content_text", "head", "sse_frame", "usage"]

DONE = b"data: [DONE]\n\n"


@dataclass(frozen=True)
class Style:
    """How one provider bends the OpenAI shape.

    ``stream_usage``: ``"last"`` (always, on the finish chunk — Zhipu) or ``"requested"`` (a
    separate ``choices: []`` chunk only with ``stream_options.include_usage``). ``null_usage`` /
    ``null_finish``: chunks without them say ``null`` rather than leaving the key out.
    """

    tool_id: Callable[[str], str]
    object_field: bool = True
    role_every_frame: bool = False
    stream_usage: str = "requested"
    null_usage: bool = False
    null_finish: bool = True
    choice_extra: Mapping[str, Any] = field(default_factory=dict)


def content_text(content: Any) -> str:
    """A message's text: the string itself, or its text parts joined."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return ""


def chat_call(body: Mapping[str, Any], *, thinking: bool = False) -> ChatCall:
    """The provider-neutral view of an (already validated) OpenAI-shaped chat body."""
    tools = [
        Tool(str(obj(t.get("function")).get("name")), obj(obj(t.get("function")).get("parameters")))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and t.get("type", "function") == "function"
    ]
    choice = body.get("tool_choice", "auto")
    if isinstance(choice, Mapping):
        choice = obj(choice.get("function")).get("name", "auto")
    fmt = obj(body.get("response_format"))
    json_mode = fmt.get("type") if fmt.get("type") in ("json_object", "json_schema") else None
    schema = obj(fmt.get("json_schema")).get("schema") if json_mode == "json_schema" else None
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    return ChatCall(
        model=str(body["model"]),
        messages=[Message(str(m.get("role")), content_text(m.get("content"))) for m in body["messages"]],
        tools=tools,
        tool_choice=str(choice),
        json_mode=json_mode,
        schema=schema if isinstance(schema, Mapping) else None,
        thinking=thinking,
        max_tokens=limit if isinstance(limit, int) else None,
    )


def usage(turn: Turn) -> dict[str, Any]:
    out: dict[str, Any] = {
        "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": turn.completion_tokens,
        "total_tokens": turn.total_tokens,
        "prompt_tokens_details": {"cached_tokens": 0},
    }
    if turn.reasoning_tokens:
        out["completion_tokens_details"] = {"reasoning_tokens": turn.reasoning_tokens}
    return out


def head(style: Style, ident: str, model: str, created: int, kind: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The fields every body or chunk starts with (``kind``: ``chat.completion[.chunk]``)."""
    out: dict[str, Any] = {"id": ident}
    if style.object_field:
        out["object"] = kind
    out.update(created=created, model=model, **extra)
    return out


def _tool_calls(turn: Turn, style: Style) -> list[dict[str, Any]]:
    return [
        {"id": style.tool_id(c.key), "type": "function", "index": i,
         "function": {"name": c.name, "arguments": c.arguments}}
        for i, c in enumerate(turn.tool_calls)
    ]


def completion(
    turn: Turn, style: Style, *, ident: str, model: str, created: int, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A non-stream ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": turn.text}
    if turn.reasoning:
        message["reasoning_content"] = turn.reasoning
    if turn.tool_calls:
        message["tool_calls"] = _tool_calls(turn, style)
    choice = {"index": 0, "message": message, "finish_reason": turn.finish_reason, **style.choice_extra}
    top = head(style, ident, model, created, "chat.completion", extra or {})
    return {**top, "choices": [choice], "usage": usage(turn)}


def chunks(
    turn: Turn, style: Style, *, ident: str, model: str, created: int, include_usage: bool = False,
    fragment_tools: bool = True, extra: Mapping[str, Any] | None = None, first: Mapping[str, Any] | None = None,
) -> list[bytes]:
    """The SSE frames of a streamed answer, ``data: [DONE]`` included; ``first``: top-level fields of
    the first frame only (search sources arrive early in a stream).

    Tool-call arguments come in fragments after a first delta with id and name, or whole in one
    delta when ``fragment_tools`` is false (Zhipu without ``tool_stream``).
    """
    deltas: list[dict[str, Any]] = []
    deltas += [{"reasoning_content": p} for p in pieces(turn.reasoning or "", turn.chunks)]
    deltas += [{"content": p} for p in pieces(turn.text, turn.chunks)]
    for i, call in enumerate(turn.tool_calls):
        first = {"index": i, "id": style.tool_id(call.key), "type": "function",
                 "function": {"name": call.name, "arguments": "" if fragment_tools else call.arguments}}
        deltas.append({"tool_calls": [first]})
        if fragment_tools:
            deltas += [{"tool_calls": [{"index": i, "function": {"arguments": p}}]}
                       for p in pieces(call.arguments, turn.chunks or 2)]
    top = head(style, ident, model, created, "chat.completion.chunk", extra or {})
    frames = []
    for n, delta in enumerate(deltas):
        if style.role_every_frame or n == 0:
            delta = {"role": "assistant", **delta}
        frames.append(chunk({**top, **(first or {})} if n == 0 else top, style, delta, None))
    last_delta = {"role": "assistant", "content": ""} if style.role_every_frame or not deltas else {"content": ""}
    if style.stream_usage == "last":
        frames.append(chunk(top, style, last_delta, turn.finish_reason, usage(turn)))
    else:
        frames.append(chunk(top, style, last_delta, turn.finish_reason))
        if include_usage:
            frames.append(sse_frame({**top, "choices": [], "usage": usage(turn)}))
    return [*frames, DONE]


def chunk(
    top: Mapping[str, Any], style: Style, delta: Mapping[str, Any], finish: str | None,
    usage_: Mapping[str, Any] | None = None,
) -> bytes:
    choice: dict[str, Any] = {"index": 0, "delta": dict(delta)}
    if finish is not None or style.null_finish:
        choice["finish_reason"] = finish
    choice.update(style.choice_extra)
    body: dict[str, Any] = {**top, "choices": [choice]}
    if usage_ is not None:
        body["usage"] = usage_
    elif style.null_usage:
        body["usage"] = None
    return sse_frame(body)


def sse_frame(payload: Any) -> bytes:
    """One ``data: {...}`` frame."""
    return f"data: {dumps(payload)}\n\n".encode()
