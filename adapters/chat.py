"""OpenAI chat requests normalised before a backend translates them, and replies checked after.

What every provider needs the same way lives here, so a backend says only what differs:

* the unsupported-parameter policy and declared clamps applied (``capabilities.py``);
* ``developer`` messages sent as ``system``; legacy ``functions``/``function_call`` as tools;
* consecutive messages of one role merged (providers reject or mis-read them);
* ``json_schema`` emulated by JSON mode + the schema in a system message, where declared;
* ``n > 1`` served by one native call per choice, where declared, and merged back.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from . import json_schema, openai_wire
from .capabilities import Capabilities, Refused
from .native import Context, ErrorInfo, NativeError

__all__ = ["check_schema", "fan_out", "normalise"]


def normalise(body: Mapping[str, Any], caps: Capabilities, ctx: Context) -> dict[str, Any]:
    """The request with policy, clamps and the shared repairs applied (the input is not modified)."""
    out = ctx.policy.strip(body, caps)
    for name in caps.clamped:
        if out.get(name) is not None:
            out[name] = caps.clamp(name, out[name])
    if out.get("max_completion_tokens") is not None and out.get("max_tokens") is None:
        out["max_tokens"] = out.pop("max_completion_tokens")
    out.pop("max_completion_tokens", None)
    _legacy_functions(out)
    messages = [_message(m) for m in out.get("messages") or []]
    schema = json_schema.requested_schema(out.get("response_format"))
    if schema is not None and "response_format.json_schema" in caps.emulated:
        ctx.notes["json_schema"] = schema
        out["response_format"] = {"type": "json_object"}
        messages.insert(0, {"role": "system", "content": json_schema.instruction(schema)})
    out["messages"] = merge_same_role(messages)
    return out


def _message(message: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(message)
    if out.get("role") == "developer":
        out["role"] = "system"
    if out.get("role") == "function":  # legacy function result -> tool result
        out["role"] = "tool"
        out.setdefault("tool_call_id", f"call_{out.get('name', 'function')}")
    if out.get("role") == "assistant" and out.get("function_call"):
        call = out.pop("function_call")
        out["tool_calls"] = [{"id": f"call_{call.get('name', 'function')}", "type": "function", "function": call}]
    return out


def _legacy_functions(body: dict[str, Any]) -> None:
    """``functions``/``function_call`` (deprecated OpenAI names) as ``tools``/``tool_choice``."""
    functions = body.pop("functions", None)
    choice = body.pop("function_call", None)
    if functions and not body.get("tools"):
        body["tools"] = [{"type": "function", "function": f} for f in functions]
        body["_legacy_functions"] = True
    if choice is not None and body.get("tool_choice") is None:
        body["tool_choice"] = choice if isinstance(choice, str) else {"type": "function", "function": choice}


def merge_same_role(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive ``system`` or ``user`` messages joined into one (tool and assistant turns kept)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        prev = merged[-1] if merged else None
        role = message.get("role")
        if (prev is not None and role in ("system", "user") and prev.get("role") == role
                and isinstance(prev.get("content"), str) and isinstance(message.get("content"), str)):
            prev["content"] = f"{prev['content']}\n\n{message['content']}"
            continue
        merged.append(dict(message))
    return merged


def fan_out(body: Mapping[str, Any], caps: Capabilities, ctx: Context) -> int:
    """How many native calls serve ``n``: refuses what cannot be served faithfully."""
    n = int(body.get("n") or 1)
    if n <= 1:
        return 1
    if "n" not in caps.emulated:
        ctx.policy.unsupported("n", f"(n={n}; only one choice would come back)")
        return 1
    if body.get("stream"):
        raise Refused(f"{ctx.provider} cannot stream n={n} choices; request n=1 or stream=False.", param="n")
    if n > 8:
        raise Refused(f"n={n} would make {n} calls to {ctx.provider}; qianyi serves n up to 8.", param="n")
    return n


def check_schema(completion: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """Validate an emulated ``json_schema`` reply; a mismatch is answered as a retryable 500."""
    schema = ctx.notes.get("json_schema")
    if schema is None:
        return completion
    for choice in completion.get("choices", []):
        content = (choice.get("message") or {}).get("content")
        if choice.get("finish_reason") != "stop" or not isinstance(content, str):
            continue
        problems = json_schema.mismatches(content, schema)
        if problems:
            raise NativeError(ErrorInfo(
                500, "json_schema_mismatch",
                f"The model's reply does not match the requested JSON schema ({'; '.join(problems[:3])}); "
                f"json_schema is emulated on {ctx.provider}, and the request is retried.",
                ctx.provider, retry=True))
    return completion


def merge_fanned(completions: list[dict[str, Any]]) -> dict[str, Any]:
    return completions[0] if len(completions) == 1 else openai_wire.merge_choices(completions)


def tool_names(messages: list[Mapping[str, Any]]) -> dict[str, str]:
    """tool_call id -> function name, from the assistant turns (providers want ``name`` on results)."""
    names: dict[str, str] = {}
    for message in messages:
        for call in message.get("tool_calls") or []:
            if call.get("id"):
                names[call["id"]] = (call.get("function") or {}).get("name", "")
    return names


def as_json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def deep(body: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(body))
