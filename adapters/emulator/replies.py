"""Deterministic replies, shared by every provider the emulator speaks.

A provider module turns its native request into a ``ChatCall`` (model, plain-text messages, tools,
JSON mode, thinking) and renders the ``Turn`` that ``answer()`` builds back into its own format:

    ChatCall(model="qwen-plus", messages=[Message("user", "hi")])  ->  Turn(text="Echo from qwen-plus: hi")

Rules: a scripted ``Reply`` wins; after a tool result the text is ``Tool said: <content>``; with
tools (and ``tool_choice`` not ``none``) after a user message, one call to the first or named tool
with arguments built from its schema; JSON mode answers an object (from the requested schema, a
schema found in the prompt, or ``{"echo": ...}``); otherwise ``Echo from <model>: <last user text>``.
Tokens are ``ceil(characters / 4)`` (at least 1); ``max_tokens`` truncates and ends with ``length``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ChatCall",
    "Message",
    "Reply",
    "Tool",
    "ToolCall",
    "Turn",
    "answer",
    "embedding",
    "example_value",
    "pieces",
    "request_key",
    "tokens",
]


@dataclass(frozen=True)
class Reply:
    """A scripted answer for the next chat call (``emu.script(provider, Reply(...))``).

    ``tool_calls`` items are ``{"name": ..., "arguments": dict or JSON string}``; ``chunks`` is how
    many stream events the text is split into (default: one per word).
    """

    text: str = ""
    reasoning: str | None = None
    tool_calls: Sequence[Mapping[str, Any]] | None = None
    finish_reason: str | None = None
    chunks: int | None = None


@dataclass(frozen=True)
class Message:
    """One chat message reduced to what replies depend on."""

    role: str
    text: str


@dataclass(frozen=True)
class Tool:
    name: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChatCall:
    """A validated chat request in provider-neutral terms.

    ``tool_choice`` is ``"auto"``, ``"none"``, ``"required"`` or a tool name; ``json_mode`` is
    ``None``, ``"json_object"`` or ``"json_schema"`` (then ``schema`` holds the schema).
    """

    model: str
    messages: Sequence[Message]
    tools: Sequence[Tool] = ()
    tool_choice: str = "auto"
    json_mode: str | None = None
    schema: Mapping[str, Any] | None = None
    thinking: bool = False
    max_tokens: int | None = None


@dataclass(frozen=True)
class ToolCall:
    """``key`` is 32 hex digits derived from the request; each provider shapes its own id from it."""

    key: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Turn:
    """The assistant's answer to a ``ChatCall``, before any provider formatting."""

    text: str
    reasoning: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    chunks: int | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def tokens(text: str) -> int:
    """The emulator's token count: a quarter of the characters, rounded up, at least 1."""
    return max(1, math.ceil(len(text) / 4))


def request_key(*parts: Any) -> str:
    """32 hex digits that depend only on ``parts`` (ids and request ids are built from it)."""
    blob = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def answer(call: ChatCall, scripted: Reply | None = None) -> Turn:
    """The deterministic ``Turn`` for ``call`` (``scripted`` replaces the default content)."""
    key = request_key(call.model, [(m.role, m.text) for m in call.messages])
    if scripted is not None:
        text, calls = scripted.text, _scripted_calls(scripted, key)
        reasoning = scripted.reasoning
        finish = scripted.finish_reason or ("tool_calls" if calls else "stop")
    else:
        text, calls = _default_content(call, key)
        reasoning = f"The user wrote: {_last_user_text(call)}" if call.thinking else None
        finish = "tool_calls" if calls else "stop"
    if call.max_tokens is not None and not calls and tokens(text) > call.max_tokens:
        text, finish = text[: call.max_tokens * 4], "length"
    reasoning_tokens = tokens(reasoning) if reasoning else 0
    completion = (tokens(text) if text else 0) + sum(tokens(c.name + c.arguments) for c in calls)
    return Turn(
        text=text,
        reasoning=reasoning,
        tool_calls=calls,
        finish_reason=finish,
        prompt_tokens=sum(tokens(m.text) for m in call.messages) or 1,
        completion_tokens=max(1, completion + reasoning_tokens),
        reasoning_tokens=reasoning_tokens,
        chunks=scripted.chunks if scripted else None,
    )


def _last_user_text(call: ChatCall) -> str:
    return next((m.text for m in reversed(call.messages) if m.role == "user"), "")


def _default_content(call: ChatCall, key: str) -> tuple[str, tuple[ToolCall, ...]]:
    last = call.messages[-1] if call.messages else Message("user", "")
    if last.role in ("tool", "function"):
        return f"Tool said: {last.text}", ()
    tool = _chosen_tool(call)
    if tool is not None and last.role == "user":
        arguments = json.dumps(example_value(tool.parameters), ensure_ascii=False)
        return "", (ToolCall(key, tool.name, arguments),)
    if call.json_mode:
        schema = call.schema if call.json_mode == "json_schema" else _schema_in_prompt(call)
        value = example_value(schema) if schema else {"echo": _last_user_text(call)}
        return json.dumps(value, ensure_ascii=False), ()
    return f"Echo from {call.model}: {_last_user_text(call)}", ()


def _chosen_tool(call: ChatCall) -> Tool | None:
    if not call.tools or call.tool_choice == "none":
        return None
    if call.tool_choice in ("auto", "required"):
        return call.tools[0]
    return next((t for t in call.tools if t.name == call.tool_choice), call.tools[0])


def _scripted_calls(reply: Reply, key: str) -> tuple[ToolCall, ...]:
    calls = []
    for i, item in enumerate(reply.tool_calls or ()):
        arguments = item.get("arguments", {})
        text = arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)
        calls.append(ToolCall(request_key(key, i), str(item["name"]), text))
    return tuple(calls)


def _schema_in_prompt(call: ChatCall) -> Mapping[str, Any] | None:
    """The first JSON object in a system/user message that looks like a JSON schema."""
    decoder = json.JSONDecoder()
    for message in call.messages:
        if message.role not in ("system", "user"):
            continue
        for match in re.finditer(r"\{", message.text):
            try:
                value, _ = decoder.raw_decode(message.text, match.start())
            except ValueError:
                continue
            if isinstance(value, dict) and isinstance(value.get("properties"), dict):
                return value
    return None


def example_value(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, depth: int = 0) -> Any:
    """A small value that satisfies ``schema`` (strings "x", numbers 1, booleans true, enums first).

    Objects get every property (only the required ones once nesting is deep, so recursive
    schemas end); arrays get one item.
    """
    root = schema if root is None else root
    schema = _resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        usable = [o for o in options if _resolve(o, root).get("type") != "null"] or options
        return example_value(usable[0], root, depth)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, root))
        return example_value(merged, root, depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    return _example_of(kind, schema, root, depth)


def _example_of(kind: str, schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Any:
    if kind == "object":
        props: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        names = [n for n in props if depth < 4 or n in required]
        return {name: example_value(props[name], root, depth + 1) for name in names}
    if kind == "array":
        items = schema.get("items")
        count = max(1, int(schema.get("minItems", 1))) if isinstance(items, Mapping) else 0
        if depth >= 4 and not schema.get("minItems"):
            count = 0
        return [example_value(items, root, depth + 1) for _ in range(count)] if items else []
    if kind in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        value = 1 if low is None or low <= 1 else low
        value = high if high is not None and value > high else value
        return int(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return "x" * max(1, int(schema.get("minLength", 1)))


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not (isinstance(ref, str) and ref.startswith("#")):
        return schema
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/") if ref != "#" else ():
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
    return node if isinstance(node, Mapping) else {}


def pieces(text: str, count: int | None = None) -> list[str]:
    """``text`` split for streaming: ``count`` near-equal parts, or one per word (spaces kept)."""
    if not text:
        return []
    if count is None:
        return re.findall(r"\s*\S+|\s+$", text) or [text]
    count = max(1, min(count, len(text)))
    size = math.ceil(len(text) / count)
    parts = [text[i : i + size] for i in range(0, len(text), size)]
    return parts


def embedding(text: str, dimension: int) -> list[float]:
    """A unit vector of ``dimension`` numbers that depends only on ``text``."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimension:
        block = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        raw.extend(v / 2**31 - 1.0 for v in struct.unpack(">8I", block))
        counter += 1
    vector = raw[:dimension]
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [round(v / norm, 8) for v in vector]
