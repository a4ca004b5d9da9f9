"""OpenAI wire shapes, built once: every backend says only what differs from these.

Pure functions; the dicts they return are what OpenAI's API would have sent, so the openai SDK
parses them into its own ``ChatCompletion``, ``ChatCompletionChunk`` and
``CreateEmbeddingResponse`` types.
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "as_function_call",
    "as_function_call_chunk",
    "chat_completion",
    "chunk",
    "completion_from_chunks",
    "embedding_response",
    "encode_vector",
    "from_openai_like",
    "merge_choices",
    "usage",
    "usage_of",
]

FINISH_REASONS = frozenset({"stop", "length", "tool_calls", "content_filter", "function_call"})
#: What every chunk carries; anything else on a chunk is a provider extra (search sources) kept as is.
_CHUNK_FIELDS = frozenset({"id", "object", "created", "model", "choices", "usage", "system_fingerprint",
                           "service_tier"})


def usage(prompt: int | None, completion: int | None, total: int | None = None, *,
          cached: int | None = None, reasoning: int | None = None) -> dict[str, Any]:
    """An OpenAI ``usage`` object; ``total`` is computed when the provider omits it."""
    prompt_tokens, completion_tokens = int(prompt or 0), int(completion or 0)
    out: dict[str, Any] = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": int(total) if total is not None else prompt_tokens + completion_tokens,
    }
    if cached is not None:
        out["prompt_tokens_details"] = {"cached_tokens": int(cached)}
    if reasoning is not None:
        out["completion_tokens_details"] = {"reasoning_tokens": int(reasoning)}
    return out


def usage_of(native: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """OpenAI ``usage`` from a provider's OpenAI-named one; other token counts in its details (Qianfan's
    ``search_tokens``) are kept beside OpenAI's."""
    if not native:
        return None
    out = usage(native.get("prompt_tokens"), native.get("completion_tokens"), native.get("total_tokens"),
                cached=(native.get("prompt_tokens_details") or {}).get("cached_tokens"),
                reasoning=(native.get("completion_tokens_details") or {}).get("reasoning_tokens"))
    for name in ("prompt_tokens_details", "completion_tokens_details"):
        details = native.get(name)
        counts = {k: v for k, v in details.items() if isinstance(v, int)} if isinstance(details, Mapping) else {}
        if counts:
            out[name] = {**counts, **out.get(name, {})}
    return out


def from_openai_like(native: Mapping[str, Any], *, model: str, created: int,
                     finish: Callable[[Mapping[str, Any]], str | None], extras: Sequence[str] = ()) -> dict[str, Any]:
    """OpenAI's ``chat.completion`` from a provider's OpenAI-shaped one (``choices``/``message``/``usage``).

    ``finish`` reads one native choice and gives OpenAI's finish reason (``None`` = ``"stop"``); of the
    provider's extra top-level fields only ``extras`` (search sources) are kept, under their own names.
    """
    choices = []
    for i, c in enumerate(native.get("choices") or []):
        msg = c.get("message") or {}
        reply = message(text_of(msg.get("content")), tool_calls=msg.get("tool_calls"),
                        reasoning=msg.get("reasoning_content"))
        choices.append(choice(int(c.get("index", i)), reply, finish(c) or "stop"))
    out = chat_completion(id=str(native.get("id") or ""), model=str(native.get("model") or model),
                          created=int(native.get("created") or created), choices=choices,
                          usage=usage_of(native.get("usage")))
    out.update({name: native[name] for name in extras if native.get(name) is not None})
    return out


def message(content: str | None, *, tool_calls: Sequence[Mapping[str, Any]] | None = None,
            reasoning: str | None = None) -> dict[str, Any]:
    """An assistant message; ``reasoning_content`` rides along as an extra field when present."""
    out: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        out["tool_calls"] = [tool_call(i, call) for i, call in enumerate(tool_calls)]
        if not content:
            out["content"] = None
    if reasoning:
        out["reasoning_content"] = reasoning
    return out


def tool_call(position: int, call: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI tool call from a provider's (already OpenAI-like) one."""
    function = call.get("function") or {}
    arguments = function.get("arguments", "")
    if not isinstance(arguments, str):
        import json

        arguments = json.dumps(arguments, ensure_ascii=False)
    call_id = call.get("id") or f"call_{position}"
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": function.get("name", ""), "arguments": arguments},
    }


def chat_completion(*, id: str, model: str, created: int, choices: list[dict[str, Any]],
                    usage: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ``chat.completion`` object."""
    out: dict[str, Any] = {"id": id, "object": "chat.completion", "created": created, "model": model,
                           "choices": choices}
    if usage is not None:
        out["usage"] = dict(usage)
    return out


def choice(index: int, msg: Mapping[str, Any], finish_reason: str | None,
           logprobs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"index": index, "message": dict(msg), "finish_reason": finish_reason,
            "logprobs": dict(logprobs) if logprobs else None}


def chunk(*, id: str, model: str, created: int, delta: Mapping[str, Any] | None = None,
          finish_reason: str | None = None, index: int = 0,
          usage: Mapping[str, Any] | None = None, logprobs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ``chat.completion.chunk``; with ``delta=None`` and ``usage`` it is the usage-only chunk."""
    out: dict[str, Any] = {"id": id, "object": "chat.completion.chunk", "created": created, "model": model}
    if delta is None:
        out["choices"] = []
    else:
        out["choices"] = [{"index": index, "delta": dict(delta), "finish_reason": finish_reason,
                           "logprobs": dict(logprobs) if logprobs else None}]
    if usage is not None:
        out["usage"] = dict(usage)
    return out


def merge_choices(completions: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One completion from several (``n`` served by one native call per choice): indexes renumbered,
    usage added up."""
    first = dict(completions[0])
    choices: list[dict[str, Any]] = []
    totals = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    for completion in completions:
        for c in completion["choices"]:
            choices.append({**c, "index": len(choices)})
        for key in totals:
            totals[key] += int((completion.get("usage") or {}).get(key, 0))
    # The prompt was sent once per choice but is one prompt: count it once, as OpenAI would.
    if completions:
        prompt = int((completions[0].get("usage") or {}).get("prompt_tokens", 0))
        totals["prompt_tokens"] = prompt
        totals["total_tokens"] = prompt + totals["completion_tokens"]
    first["choices"] = choices
    first["usage"] = totals
    return first


def completion_from_chunks(chunks: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregate a stream of chunk dicts into the completion a non-stream call would have given."""
    head: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    per_index: dict[int, dict[str, Any]] = {}
    final_usage: Mapping[str, Any] | None = None
    for c in chunks:
        head = head or {k: c[k] for k in ("id", "model", "created")}
        extra.update((k, v) for k, v in c.items() if k not in _CHUNK_FIELDS)
        if c.get("usage"):
            final_usage = c["usage"]
        for ch in c.get("choices", []):
            slot = per_index.setdefault(ch["index"], {"content": [], "reasoning": [], "tools": {},
                                                      "finish": None, "logprobs": []})
            slot["logprobs"] += (ch.get("logprobs") or {}).get("content") or []
            delta = ch.get("delta") or {}
            if delta.get("content"):
                slot["content"].append(delta["content"])
            if delta.get("reasoning_content"):
                slot["reasoning"].append(delta["reasoning_content"])
            for tc in delta.get("tool_calls") or []:
                call = slot["tools"].setdefault(tc.get("index", 0), {"id": None, "type": "function",
                                                                      "function": {"name": "", "arguments": ""}})
                call["id"] = tc.get("id") or call["id"]
                fn = tc.get("function") or {}
                call["function"]["name"] += fn.get("name") or ""
                call["function"]["arguments"] += fn.get("arguments") or ""
            if ch.get("finish_reason"):
                slot["finish"] = ch["finish_reason"]
    choices = []
    for index in sorted(per_index):
        slot = per_index[index]
        calls = [slot["tools"][i] for i in sorted(slot["tools"])]
        msg = message("".join(slot["content"]) or ("" if not calls else None), tool_calls=calls or None,
                      reasoning="".join(slot["reasoning"]) or None)
        choices.append(choice(index, msg, slot["finish"] or "stop",
                              {"content": slot["logprobs"]} if slot["logprobs"] else None))
    out = chat_completion(id=head.get("id", ""), model=head.get("model", ""), created=head.get("created", 0),
                          choices=choices, usage=final_usage)
    return {**out, **extra}


def as_function_call(completion: dict[str, Any]) -> int:
    """A completion answered in the functions API's shape, in place: each choice's first tool call
    becomes ``message.function_call`` and ``finish_reason`` ``"function_call"``, as OpenAI answers
    ``functions=``. Returns how many further calls were left out (that API carries one per choice)."""
    left_out = 0
    for choice_ in completion.get("choices") or []:
        msg = choice_.get("message") or {}
        calls = msg.pop("tool_calls", None) or []
        if calls:
            function = calls[0].get("function") or {}
            msg["function_call"] = {"name": function.get("name", ""), "arguments": function.get("arguments", "")}
            left_out += len(calls) - 1
        if choice_.get("finish_reason") == "tool_calls":
            choice_["finish_reason"] = "function_call"
    return left_out


def as_function_call_chunk(chunk_: dict[str, Any]) -> int:
    """A chunk in the functions API's streamed shape, in place: deltas of the first tool call (index 0)
    become ``delta.function_call`` (``name`` once, then ``arguments`` pieces); ``finish_reason``
    ``"tool_calls"`` becomes ``"function_call"``. Returns how many deltas of further calls were left out."""
    left_out = 0
    for choice_ in chunk_.get("choices") or []:
        delta = choice_.get("delta") or {}
        calls = delta.pop("tool_calls", None) or []
        first = [c for c in calls if int(c.get("index") or 0) == 0]
        left_out += len(calls) - len(first)
        if first:
            function = first[0].get("function") or {}
            call = {"name": function["name"]} if function.get("name") else {}
            delta["function_call"] = {**call, "arguments": function.get("arguments") or ""}
        if choice_.get("finish_reason") == "tool_calls":
            choice_["finish_reason"] = "function_call"
    return left_out


def encode_vector(vector: Sequence[float]) -> str:
    """A vector as OpenAI's ``encoding_format="base64"`` sends it: little-endian float32."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def embedding_response(vectors: Sequence[Sequence[float]], *, model: str, prompt_tokens: int,
                       encoding_format: str | None = "float") -> dict[str, Any]:
    """A ``CreateEmbeddingResponse`` in input order."""
    as_base64 = encoding_format == "base64"
    data = [
        {"object": "embedding", "index": i, "embedding": encode_vector(v) if as_base64 else list(v)}
        for i, v in enumerate(vectors)
    ]
    return {"object": "list", "data": data, "model": model,
            "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}}


def normalise_finish_reason(reason: Any, table: Mapping[str, str] | None = None) -> str | None:
    """OpenAI's finish reason for a provider's; ``None`` (and DashScope's string ``"null"``) = running."""
    if reason in (None, "", "null"):
        return None
    reason = str(reason)
    if table and reason in table:
        return table[reason]
    return reason if reason in FINISH_REASONS else "stop"


def text_of(content: Any) -> str:
    """Flatten OpenAI list-form content (text parts) into a string; other parts are skipped."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
            parts.append(part["text"])
    return "".join(parts)
